/**
 * The `fx` and `equities` sections of the market file: FX spots (with the rule that every currency reaches the base
 * currency), FX and equity Black volatilities (flat or a term structure, vol.ts) and equity spots and dividends.
 */
import { yearsBetween } from '../conventions/dates.js';
import type { Currency } from '../products/types.js';
import type { YieldCurve } from './types.js';
import { parseFxPair, ratesAgainstBase, type FxPair } from './fx.js';
import { fxSpotDate } from './fxSpotDate.js';
import type { XccyBasisEntry } from './market.js';
import { MAX_MARKET_RATE, MAX_SPOT, MIN_FX_SPOT, readCurrency, readPillars, readVol, sectionEntries, type LoadContext } from './loadCommon.js';
import type { EquityData } from './types.js';
import { firstVarianceDecrease } from './vol.js';
import { child, type YamlMap } from './yamlReader.js';

export interface VolCurve {
  times: Float64Array;
  vols: Float64Array;
}

export interface FxSection {
  /**
   * Quoted pairs as today's rates, e.g. `EURUSD` -> 1.085: the quotes as given, or, for a pair with `fx.spotDays`,
   * the quote moved from its spot date to today (fxSpotDate.ts).
   */
  spots: Map<string, number>;
  /** Vols by quoted pair name. */
  vols: Map<string, VolCurve>;
  /** Currencies that the declared quotes link to the base currency (the base included). */
  reachable: Set<Currency>;
}

/** A flat `vol`, or `pillars` of tenor/date and vol interpolated in total variance. */
export function readVolCurve(ctx: LoadContext, spec: YamlMap, path: string): VolCurve | undefined {
  const r = ctx.reader;
  if (spec.vol !== undefined && spec.pillars !== undefined) {
    r.issue(child(path, 'pillars'), spec.pillars, 'either a flat vol or pillars, not both');
    return undefined;
  }
  if (spec.vol !== undefined) {
    const vol = readVol(ctx, spec.vol, child(path, 'vol'));
    return vol === undefined ? undefined : { times: Float64Array.of(0), vols: Float64Array.of(vol) };
  }
  if (spec.pillars === undefined) {
    r.issue(child(path, 'vol'), undefined, 'a flat vol or pillars of tenor and vol');
    return undefined;
  }
  const pillarsPath = child(path, 'pillars');
  const pillars = readPillars(ctx, spec.pillars, pillarsPath, {
    valueKeys: ['vol'],
    readValue: (pillar, p) => readVol(ctx, pillar.vol, child(p, 'vol')),
  });
  if (!pillars || ctx.asOf === undefined) return undefined;
  const curve = { times: Float64Array.from(pillars.times), vols: Float64Array.from(pillars.values) };
  const bad = firstVarianceDecrease(curve.times, curve.vols);
  if (bad >= 0) {
    const prevVariance = curve.vols[bad - 1]! ** 2 * curve.times[bad - 1]!;
    r.issue(
      child(child(pillarsPath, bad), 'vol'),
      curve.vols[bad],
      `a vol whose total variance vol^2*t is not below the previous pillar's (${prevVariance.toPrecision(4)}): ` +
        'a falling total variance is a calendar arbitrage',
    );
    return undefined;
  }
  return curve;
}

/** Most business days from the as-of date to an FX quote's settlement that `fx.spotDays` accepts. */
export const MAX_FX_SPOT_DAYS = 3;

export function readFx(ctx: LoadContext, value: unknown, xccyBasis: ReadonlyMap<Currency, XccyBasisEntry> = new Map()): FxSection {
  const r = ctx.reader;
  const out: FxSection = { spots: new Map(), vols: new Map(), reachable: new Set(ctx.base ? [ctx.base] : []) };
  if (value === undefined) {
    reportStranded(ctx, new Map(), out.reachable);
    return out;
  }
  const fx = r.map(value, 'fx', 'a mapping with spots and vols');
  if (!fx) return out;
  r.keys(fx, 'fx', ['spots', 'spotDays', 'vols'], 'fx keys');

  const pairExpected = 'an FX pair CCY1CCY2 of two different known currencies, e.g. EURUSD';
  // Pairs as declared (whatever their value), for the reachability rule: a bad spot is reported once, on its own.
  const declared = new Map<string, number>();
  for (const [name, spot] of sectionEntries(ctx, fx.spots, 'fx.spots', 'a mapping of FX pair to spot') ?? []) {
    const path = child('fx.spots', name);
    const pair = parseFxPair(name);
    if (!pair) {
      r.issue(path, name, pairExpected);
      continue;
    }
    const inverse = `${pair.quote}${pair.base}`;
    if (declared.has(inverse)) {
      r.issue(path, name, `one quote per pair: ${inverse} is also given`);
      continue;
    }
    declared.set(name, 1);
    const s = r.numberWhere(
      spot,
      path,
      (x) => x >= MIN_FX_SPOT && x <= MAX_SPOT,
      `a positive spot rate (units of ${pair.quote} per ${pair.base}) between ${MIN_FX_SPOT} and ${MAX_SPOT}`,
    );
    if (s !== undefined) out.spots.set(name, s);
  }

  if (ctx.base !== undefined) out.reachable = new Set(ratesAgainstBase(ctx.base, declared).keys());
  reportStranded(ctx, declared, out.reachable);
  if (fx.spotDays !== undefined) toTodaysRates(ctx, fx.spotDays, declared, out.spots, xccyBasis);
  if (ctx.base !== undefined) reportInconsistentCrosses(ctx, out.spots);

  for (const [name, spec] of sectionEntries(ctx, fx.vols, 'fx.vols', 'a mapping of FX pair to vol') ?? []) {
    const path = child('fx.vols', name);
    const pair = parseFxPair(name);
    if (!pair) {
      r.issue(path, name, pairExpected);
      continue;
    }
    const volSpec = r.map(spec, path, 'a mapping with vol, or pillars of tenor and vol');
    if (!volSpec) continue;
    r.keys(volSpec, path, ['vol', 'pillars'], 'fx vol keys');
    if (out.vols.has(`${pair.quote}${pair.base}`)) {
      r.issue(path, name, `one vol per pair: ${pair.quote}${pair.base} is also given`);
      continue;
    }
    if (ctx.base !== undefined) {
      const missing = [pair.base, pair.quote].filter((c) => !out.reachable.has(c));
      if (missing.length > 0) r.issue(path, name, `a pair whose currencies have FX spots (none for ${missing.join(', ')})`);
    }
    const curve = readVolCurve(ctx, volSpec, path);
    if (curve) out.vols.set(name, curve);
  }
  return out;
}

/**
 * `fx.spotDays`: the business days from the as-of date to the quotes' settlement, one whole number for every quoted
 * pair or a mapping of pairs (as quoted, or their inverses) with an optional `default` for the others. Each quote with
 * days > 0 becomes today's rate S·P_2(T_s)/P_1(T_s) in `spots` (fxSpotDate.ts), so that every price, the simulation's
 * FX levels and the cross check read today's rates.
 */
function toTodaysRates(ctx: LoadContext, value: unknown, declared: ReadonlyMap<string, number>, spots: Map<string, number>, xccyBasis: ReadonlyMap<Currency, XccyBasisEntry>): void {
  const r = ctx.reader;
  const expected = `a whole number of business days from 0 to ${MAX_FX_SPOT_DAYS} (2: the market's T+2 spot)`;
  const readDays = (v: unknown, path: string): number | undefined => r.numberWhere(v, path, (x) => Number.isInteger(x) && x >= 0 && x <= MAX_FX_SPOT_DAYS, expected);
  const daysOf = new Map<string, number>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const days = readDays(value, 'fx.spotDays');
    if (days === undefined) return;
    for (const name of declared.keys()) daysOf.set(name, days);
  } else {
    const map = value as Record<string, unknown>;
    const fallback = map.default === undefined ? 0 : readDays(map.default, child('fx.spotDays', 'default'));
    for (const name of declared.keys()) daysOf.set(name, fallback ?? 0);
    for (const [key, v] of Object.entries(map)) {
      if (key === 'default') continue;
      const path = child('fx.spotDays', key);
      const pair = parseFxPair(key);
      const quoted = pair === undefined ? undefined : declared.has(key) ? key : declared.has(`${pair.quote}${pair.base}`) ? `${pair.quote}${pair.base}` : undefined;
      if (quoted === undefined) {
        r.issue(path, key, `default, or a pair quoted in fx.spots (or its inverse): ${[...declared.keys()].join(', ') || 'none quoted'}`);
        continue;
      }
      const days = readDays(v, path);
      if (days !== undefined) daysOf.set(quoted, days);
    }
  }
  const asOf = ctx.asOf;
  if (asOf === undefined || ctx.base === undefined) return;
  const base = ctx.base;
  // each currency's curve collateralised in the base currency, as today's forwards read it (pricing/curves.ts)
  const curveOf = (currency: Currency): YieldCurve | undefined => {
    const basis = currency === base ? undefined : xccyBasis.get(currency);
    return basis !== undefined && basis.against === base ? basis.curve : ctx.discountCurves.get(currency);
  };
  for (const [name, days] of daysOf) {
    const quote = spots.get(name);
    if (days === 0 || quote === undefined) continue;
    const pair = parseFxPair(name) as FxPair;
    const path = child('fx.spots', name);
    const spot = fxSpotDate(asOf, pair, days);
    if ('reason' in spot) {
      r.issue(path, quote, `a quote whose spot date can be counted: ${spot.reason}`);
      continue;
    }
    const missing = [pair.base, pair.quote].filter((c) => curveOf(c) === undefined);
    if (missing.length > 0) {
      r.issue(path, quote, `a discount curve for ${missing.join(' and ')} (curves.discount), to move the quote from its spot date to today (fx.spotDays)`);
      continue;
    }
    const t = yearsBetween(asOf, spot.date);
    spots.set(name, (quote * curveOf(pair.quote)!.discount(t)) / curveOf(pair.base)!.discount(t));
  }
}

/** Relative gap above which a quote disagrees with the rate the other quotes imply (a triangle that does not close). */
const CROSS_TOLERANCE = 1e-6;

/**
 * A pair quoted beside a chain of other quotes that links the same currencies (EURGBP beside EURUSD and GBPUSD) must
 * agree with it: today's prices read the direct quote and the simulation the chain through the base currency, so
 * an inconsistent triangle would price one trade twice, differently.
 */
function reportInconsistentCrosses(ctx: LoadContext, spots: ReadonlyMap<string, number>): void {
  const perBase = ratesAgainstBase(ctx.base!, spots);
  for (const [name, spot] of spots) {
    const pair = parseFxPair(name)!;
    const b = perBase.get(pair.base);
    const q = perBase.get(pair.quote);
    if (b === undefined || q === undefined) continue;
    const implied = q / b;
    if (Math.abs(spot / implied - 1) > CROSS_TOLERANCE)
      ctx.reader.issue(child('fx.spots', name), String(spot), `a rate consistent with the other quotes, which imply ${implied.toPrecision(6)} for ${name} through ${ctx.base}: give each cross once, or quotes that agree`);
  }
}

/** Every currency quoted, and every currency with a discount curve, must convert to the base currency. */
function reportStranded(ctx: LoadContext, declared: Map<string, number>, reachable: Set<Currency>): void {
  const r = ctx.reader;
  if (ctx.base === undefined) return;
  const reported = new Set<Currency>();
  for (const name of declared.keys()) {
    const pair = parseFxPair(name)!;
    const stranded = [pair.base, pair.quote].filter((c) => !reachable.has(c));
    if (stranded.length > 0) {
      stranded.forEach((c) => reported.add(c));
      r.issue(
        child('fx.spots', name),
        name,
        `a pair linked to the base currency ${ctx.base}: no chain of quotes reaches ${stranded.join(' or ')} from ${ctx.base}`,
      );
    }
  }
  for (const currency of ctx.discountCurrencies) {
    if (reachable.has(currency) || reported.has(currency)) continue;
    r.issue(
      child('curves.discount', currency),
      currency,
      `an FX spot against the base currency (fx.spots.${currency}${ctx.base} or ${ctx.base}${currency}, or a cross that reaches ${ctx.base})`,
    );
  }
}

/** Above this in size a dividend yield is most likely typed in percent (2 for 2%): a warning. */
export const PLAUSIBLE_DIVIDEND_YIELD = 0.5;

export function readEquities(ctx: LoadContext, value: unknown): Map<string, EquityData> {
  const r = ctx.reader;
  const out = new Map<string, EquityData>();
  for (const [name, spec] of sectionEntries(ctx, value, 'equities', 'a mapping of equity name to its data') ?? []) {
    const path = child('equities', name);
    const eq = r.map(spec, path, 'a mapping with currency, spot, dividendYield and vol (or pillars)');
    if (!eq) continue;
    r.keys(eq, path, ['currency', 'spot', 'dividendYield', 'vol', 'pillars'], 'equity keys');
    const currency = readCurrency(ctx, eq.currency, child(path, 'currency'));
    if (currency && !ctx.discountCurrencies.has(currency)) {
      r.issue(child(path, 'currency'), currency, `a currency with a discount curve (curves.discount.${currency})`);
    }
    const spot = r.numberWhere(eq.spot, child(path, 'spot'), (x) => x > 0 && x <= MAX_SPOT, `a positive spot price at most ${MAX_SPOT}`);
    const dividendYield = r.numberWhere(
      eq.dividendYield,
      child(path, 'dividendYield'),
      (x) => Math.abs(x) <= MAX_MARKET_RATE,
      `a dividend yield (decimal, continuous) at most ${MAX_MARKET_RATE} (1,000%) in size`,
    );
    // above 50% a yield is most likely typed in percent (2 for 2%), as a zero rate is (portfolio/checks.ts)
    if (dividendYield !== undefined && Math.abs(dividendYield) > PLAUSIBLE_DIVIDEND_YIELD) {
      r.warn(child(path, 'dividendYield'), dividendYield, `a dividend yield in decimals (0.02 = 2%) at most ${PLAUSIBLE_DIVIDEND_YIELD} in size: ${dividendYield} is ${Math.round(dividendYield * 100)}%`);
    }
    const vol = readVolCurve(ctx, eq, path);
    if (currency && spot !== undefined && dividendYield !== undefined && vol) {
      out.set(name, { name, currency, spot, dividendYield, volTimes: vol.times, vols: vol.vols });
    }
  }
  return out;
}
