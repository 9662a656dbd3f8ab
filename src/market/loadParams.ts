/**
 * The `rates`, `funding` and `capital` sections of the market file: Hull-White parameters and swaption vols per
 * currency, unsecured funding spreads, and the cost-of-capital inputs of KVA.
 */
import { tenorYears, type Tenor } from '../conventions/dates.js';
import type { Currency } from '../products/types.js';
import { MAX_MARKET_SPREAD_BP, readCurrencyKey, readTenorOrDate, readVol, sectionEntries, tenorTime, type LoadContext } from './loadCommon.js';
import type { CapitalParams, FundingSpreads, HullWhiteParams, SwaptionVolQuote, SwaptionVolSurface } from './types.js';
import { child, show, type YamlMap } from './yamlReader.js';

export interface RatesSection {
  hullWhite: Map<Currency, HullWhiteParams>;
  swaptionVols: Map<Currency, SwaptionVolSurface>;
  capFloorVols: Map<Currency, SwaptionVolSurface>;
}

/**
 * `sigma:` is a number (flat) or a list of `{ until, vol }` steps, the last of which may omit `until` (flat
 * thereafter). A step without `until` is stored with the right end +Infinity.
 */
function readSigma(ctx: LoadContext, value: unknown, path: string): { sigmaTimes: Float64Array; sigmas: Float64Array } | undefined {
  const r = ctx.reader;
  if (typeof value === 'number') {
    const vol = r.numberWhere(value, path, (x) => x > 0, 'a short-rate volatility > 0 (absolute, e.g. 0.01)');
    return vol === undefined ? undefined : { sigmaTimes: Float64Array.of(Number.POSITIVE_INFINITY), sigmas: Float64Array.of(vol) };
  }
  const list = r.list(value, path, 'a volatility > 0, or a non-empty list of { until, vol } steps');
  if (!list) return undefined;
  const before = r.issues.errorCount;
  const times: number[] = [];
  const sigmas: number[] = [];
  let prev: { time: number; label: string } | undefined;
  list.forEach((item, i) => {
    const p = child(path, i);
    const step = r.map(item, p, 'a step { until: 5Y, vol: 0.01 } (the last may omit until)');
    if (!step) return;
    r.keys(step, p, ['until', 'vol'], 'sigma step keys');
    const vol = r.numberWhere(step.vol, child(p, 'vol'), (x) => x > 0, 'a short-rate volatility > 0 (absolute, e.g. 0.01)');
    let time: number | undefined = Number.POSITIVE_INFINITY;
    if (step.until === undefined) {
      if (i < list.length - 1) r.issue(child(p, 'until'), undefined, 'a tenor or date: only the last step may omit until');
    } else {
      const read = readTenorOrDate(ctx, step.until, child(p, 'until'));
      time = read?.time;
      if (read && time !== undefined) {
        if (prev && !(time > prev.time)) {
          r.issue(child(p, 'until'), step.until, `a step end after the previous one (${prev.label}): steps must increase`);
        }
        prev = { time, label: read.label };
      }
    }
    if (vol !== undefined && time !== undefined) {
      times.push(time);
      sigmas.push(vol);
    }
  });
  if (r.issues.errorCount > before || ctx.asOf === undefined) return undefined;
  return { sigmaTimes: Float64Array.from(times), sigmas: Float64Array.from(sigmas) };
}

/** Bounds of a given Hull-White mean reversion κ (per year). */
export const MIN_MEAN_REVERSION = -0.5;
export const MAX_MEAN_REVERSION = 1;

function readHullWhite(ctx: LoadContext, currency: Currency, value: unknown, path: string): HullWhiteParams | undefined {
  const r = ctx.reader;
  const hw = r.map(value, path, 'a mapping with meanReversion and sigma');
  if (!hw) return undefined;
  r.keys(hw, path, ['meanReversion', 'sigma'], 'hullWhite keys');
  // calibrated values lie near 0 to 0.1; outside [−0.5, 1] the one-factor model over a book's decades either has no
  // variance that reprices long swaptions or rates that grow as e^{−κt} until they overflow (docs/market.md)
  const meanReversion = r.numberWhere(
    hw.meanReversion,
    child(path, 'meanReversion'),
    (x) => x >= MIN_MEAN_REVERSION && x <= MAX_MEAN_REVERSION,
    `a mean reversion per year in [${MIN_MEAN_REVERSION}, ${MAX_MEAN_REVERSION}] (e.g. 0.03)`,
  );
  const sigma = readSigma(ctx, hw.sigma, child(path, 'sigma'));
  if (meanReversion === undefined || !sigma) return undefined;
  return { currency, meanReversion, ...sigma, source: 'given' };
}

/**
 * `swaptionVols` (quotes by expiry and tenor) or, with `withTenor` false, `capFloorVols` (caplet vols by expiry:
 * { expiry, vol } ATM, or { expiry, strike, vol } a smile, every quote with a strike or none; read as a surface flat
 * in tenor, every quote at tenor 0).
 */
function readSwaptionVols(ctx: LoadContext, currency: Currency, value: unknown, path: string, withTenor = true): SwaptionVolSurface | undefined {
  const r = ctx.reader;
  const section = withTenor ? 'swaptionVols' : 'capFloorVols';
  const spec = r.map(value, path, 'a mapping with type and quotes');
  if (!spec) return undefined;
  r.keys(spec, path, ['type', 'shift', 'quotes'], `${section} keys`);
  const before = r.issues.errorCount;
  const type = r.oneOf(spec.type, child(path, 'type'), ['normal', 'black'] as const, 'a vol type');
  let shift = 0;
  if (spec.shift !== undefined) {
    if (type === 'normal') r.issue(child(path, 'shift'), spec.shift, 'no shift for normal vols (a shift applies to black vols)');
    else shift = r.numberWhere(spec.shift, child(path, 'shift'), (x) => x >= 0, 'a shift >= 0 (decimal, e.g. 0.01)') ?? 0;
  }
  const quotes: SwaptionVolQuote[] = [];
  const seen = new Map<string, number>();
  const list = r.list(spec.quotes, child(path, 'quotes'), withTenor ? 'a non-empty list of { expiry, tenor, vol }' : 'a non-empty list of { expiry, vol } or of { expiry, strike, vol }');
  // caplet vols: every quote has a strike (a smile) or none (ATM), as the first quote says
  const smile = !withTenor && Array.isArray(spec.quotes) && spec.quotes.length > 0 && isMapWith(spec.quotes[0], 'strike');
  list?.forEach((item, i) => {
    const p = child(child(path, 'quotes'), i);
    const q = r.map(item, p, withTenor ? 'a quote { expiry: 1Y, tenor: 5Y, vol: 0.008 }' : smile ? 'a quote { expiry: 1Y, strike: 0.03, vol: 0.008 }' : 'a quote { expiry: 1Y, vol: 0.008 }');
    if (!q) return;
    r.keys(q, p, withTenor ? ['expiry', 'tenor', 'vol'] : ['expiry', 'strike', 'vol'], withTenor ? 'swaption quote keys' : 'caplet vol quote keys');
    const expiry = r.tenor(q.expiry, child(p, 'expiry'));
    const tenor = withTenor ? r.tenor(q.tenor, child(p, 'tenor')) : undefined;
    let strike: number | undefined;
    if (!withTenor && smile) strike = r.number(q.strike, child(p, 'strike'), 'the absolute strike of the caplet vol (decimal, e.g. 0.03): quotes[0] has one, so every quote has one');
    else if (!withTenor && q.strike !== undefined) r.issue(child(p, 'strike'), q.strike, 'no strike: quotes[0] has none (ATM vols by expiry), so no quote has one');
    const vol = readVol(ctx, q.vol, child(p, 'vol'));
    if (expiry && (tenor || !withTenor) && (!smile || strike !== undefined)) {
      // keyed on the periods, not their spelling: 12M and 1Y (or 1y) are one point of the surface
      const months = (t: Tenor): string => (t.unit === 'Y' ? `${12 * t.count}M` : `${t.count}${t.unit}`);
      const key = withTenor ? `${months(expiry)}x${months(tenor!)}` : smile ? `${months(expiry)} at ${strike}` : months(expiry);
      const shown = withTenor ? `${show(q.expiry)}x${show(q.tenor)}` : smile ? `${show(q.expiry)} at ${strike}` : String(show(q.expiry));
      if (seen.has(key)) r.issue(p, shown, `one quote per expiry${withTenor ? ' and tenor' : smile ? ' and strike' : ''} (${shown} is the same point as quotes[${seen.get(key)}])`);
      else seen.set(key, i);
    }
    if (expiry && (tenor || !withTenor) && vol !== undefined && ctx.asOf !== undefined && (!smile || strike !== undefined)) {
      quotes.push({ expiryYears: tenorTime(ctx.asOf, expiry), tenorYears: tenor ? tenorYears(tenor) : 0, vol, ...(strike !== undefined ? { strike } : {}) });
    }
  });
  if (r.issues.errorCount > before || !type) return undefined;
  return { currency, type, shift, quotes };
}

/** A YAML mapping holding `key`. */
function isMapWith(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && key in value;
}

export function readRates(ctx: LoadContext, value: unknown): RatesSection {
  const r = ctx.reader;
  const out: RatesSection = { hullWhite: new Map(), swaptionVols: new Map(), capFloorVols: new Map() };
  for (const [key, spec] of sectionEntries(ctx, value, 'rates', 'a mapping of currency to hullWhite / swaptionVols') ?? []) {
    const path = child('rates', key);
    const currency = readCurrencyKey(ctx, key, path);
    if (currency && !ctx.discountCurrencies.has(currency)) {
      r.issue(path, key, `a currency with a discount curve (curves.discount.${key})`);
    }
    const rates = r.map(spec, path, 'a mapping with hullWhite and/or swaptionVols');
    if (!rates || !currency) continue;
    r.keys(rates, path, ['hullWhite', 'swaptionVols', 'capFloorVols'], 'rates keys');
    if (rates.hullWhite === undefined && rates.swaptionVols === undefined) {
      r.issue(child(path, 'hullWhite'), undefined, 'hullWhite parameters and/or swaptionVols (capFloorVols alone do not give the currency a rate model)');
    }
    if (rates.hullWhite !== undefined) {
      const hw = readHullWhite(ctx, currency, rates.hullWhite, child(path, 'hullWhite'));
      if (hw) out.hullWhite.set(currency, hw);
    }
    if (rates.swaptionVols !== undefined) {
      const vols = readSwaptionVols(ctx, currency, rates.swaptionVols, child(path, 'swaptionVols'));
      if (vols) out.swaptionVols.set(currency, vols);
    }
    if (rates.capFloorVols !== undefined) {
      const vols = readSwaptionVols(ctx, currency, rates.capFloorVols, child(path, 'capFloorVols'), false);
      if (vols) out.capFloorVols.set(currency, vols);
    }
  }
  return out;
}

/** A funding spread beyond this in size is most likely in the wrong unit (600 for 6bp? percent times 100?): a warning. */
export const PLAUSIBLE_FUNDING_SPREAD_BP = 1_000;

/**
 * A warning on a funding spread most likely typed in another unit: below 1bp in size but not 0 (0.006 for 60bp, in
 * decimals: the FCA all but vanishes), or above PLAUSIBLE_FUNDING_SPREAD_BP (a bank funding at 10% over OIS).
 */
function warnFundingUnit(ctx: LoadContext, path: string, bp: number): void {
  if (bp !== 0 && Math.abs(bp) < 1) {
    ctx.reader.warn(path, bp, `a funding spread in bp (60 for 60bp): in decimals ${bp} would be ${(+(bp * 10_000).toPrecision(6)).toLocaleString('en-US')}bp`);
  } else if (Math.abs(bp) > PLAUSIBLE_FUNDING_SPREAD_BP) {
    ctx.reader.warn(path, bp, `a funding spread in bp at most ${PLAUSIBLE_FUNDING_SPREAD_BP.toLocaleString('en-US')}bp in size (60 for 60bp): ${bp}bp is ${+(bp / 100).toFixed(2)}%`);
  }
}

export function readFunding(ctx: LoadContext, value: unknown): Map<Currency, FundingSpreads> {
  const r = ctx.reader;
  const out = new Map<Currency, FundingSpreads>();
  for (const [key, spec] of sectionEntries(ctx, value, 'funding', 'a mapping of currency to funding spreads') ?? []) {
    const path = child('funding', key);
    const currency = readCurrencyKey(ctx, key, path);
    const f = r.map(spec, path, 'a mapping with borrowSpreadBp, lendSpreadBp (and optional collateralSpreadBp, initialMarginSpreadBp)');
    if (!f) continue;
    r.keys(f, path, ['borrowSpreadBp', 'lendSpreadBp', 'collateralSpreadBp', 'initialMarginSpreadBp'], 'funding keys');
    const spread = (key: string, value: unknown): number | undefined => {
      const at = child(path, key);
      const bp = r.numberWhere(value, at, (x) => Math.abs(x) <= MAX_MARKET_SPREAD_BP, `a spread in bp at most ${MAX_MARKET_SPREAD_BP.toLocaleString('en-US')}bp in size`);
      if (bp !== undefined) warnFundingUnit(ctx, at, bp);
      return bp;
    };
    const borrowSpreadBp = spread('borrowSpreadBp', f.borrowSpreadBp);
    const lendSpreadBp = spread('lendSpreadBp', f.lendSpreadBp);
    const collateralSpreadBp = f.collateralSpreadBp === undefined ? 0 : spread('collateralSpreadBp', f.collateralSpreadBp);
    const initialMarginSpreadBp = f.initialMarginSpreadBp === undefined ? 0 : spread('initialMarginSpreadBp', f.initialMarginSpreadBp);
    if (currency && borrowSpreadBp !== undefined && lendSpreadBp !== undefined && collateralSpreadBp !== undefined && initialMarginSpreadBp !== undefined) {
      out.set(currency, { currency, borrowSpreadBp, lendSpreadBp, collateralSpreadBp, ...(initialMarginSpreadBp !== 0 ? { initialMarginSpreadBp } : {}) });
    }
  }
  return out;
}

export function readCapital(ctx: LoadContext, value: unknown): CapitalParams | undefined {
  const r = ctx.reader;
  if (value === undefined) return undefined;
  const c: YamlMap | undefined = r.map(value, 'capital', 'a mapping with costOfCapital and capitalRatio');
  if (!c) return undefined;
  r.keys(c, 'capital', ['costOfCapital', 'capitalRatio', 'bankRwa', 'bankCet1'], 'capital keys');
  const costOfCapital = r.numberWhere(c.costOfCapital, 'capital.costOfCapital', (x) => x >= 0 && x < 1, 'a cost of capital in [0, 1) (decimal, e.g. 0.10)');
  const capitalRatio = r.numberWhere(c.capitalRatio, 'capital.capitalRatio', (x) => x > 0 && x <= 1, 'a capital ratio in (0, 1] (decimal, e.g. 0.105)');
  const out: CapitalParams | undefined =
    costOfCapital === undefined || capitalRatio === undefined ? undefined : { costOfCapital, capitalRatio };
  for (const key of ['bankRwa', 'bankCet1'] as const) {
    if (c[key] === undefined) continue;
    const amount = r.numberWhere(c[key], child('capital', key), (x) => x > 0, 'a positive amount in the base currency');
    if (out && amount !== undefined) out[key] = amount;
  }
  return out;
}
