/**
 * The `credit` section of the market file: CDS par spreads of named entities, sector x rating (x region) proxy
 * curves and the bank's own curve, each bootstrapped with the ISDA CDS Standard Model (cdsIsda.ts) against the OIS
 * discount curve of its currency (the base currency unless `currency` is given).
 */
import { fromYmd, type DateSerial, type Tenor } from '../conventions/dates.js';
import type { Currency } from '../products/types.js';
import { REGIONS, RATINGS, SECTORS } from '../portfolio/types.js';
import { bootstrapCdsCurve, CdsBootstrapError } from './cdsIsda.js';
import { buildHazardCurve } from './hazard.js';
import { MAX_MARKET_SPREAD_BP, readCurrency, readPillars, readRecovery, sectionEntries, type LoadContext } from './loadCommon.js';
import type { CreditModelParams, HazardCurve, ProxyCurveKey } from './types.js';
import { child, type YamlMap } from './yamlReader.js';

/** Recovery when neither the curve nor `credit.defaultRecovery` gives one: the ISDA standard for senior unsecured. */
export const STANDARD_RECOVERY = 0.4;

/**
 * Intensity model of a credit name when the market file gives none (docs/market.md): mean reversion 5% a year and an
 * absolute intensity volatility of 50bp a √year, about half the level of a BBB hazard rate, a middle-of-the-road
 * choice for exposure (CDS values move) without calibration instruments (CDS options) to fit it to.
 */
export const DEFAULT_CREDIT_MODEL: CreditModelParams = Object.freeze({ meanReversion: 0.05, volatility: 0.005, source: 'default' as const });

/** 2015-12-20: first roll date under the semi-annual CDS maturity rule. */
const CDS2015_EFFECTIVE = fromYmd(2015, 12, 20);

export interface CreditProxy {
  key: ProxyCurveKey;
  /** `financial-A-europe`, or `consumer-BBB` when the proxy applies to any region. */
  name: string;
  curve: HazardCurve;
}

export interface CreditSection {
  names: Map<string, HazardCurve>;
  proxies: CreditProxy[];
  own: HazardCurve | undefined;
  /** `credit.model`: the intensity model of every name without its own; undefined when absent. */
  model: CreditModelParams | undefined;
  /** `credit.names.<NAME>.model` overrides. */
  models: Map<string, CreditModelParams>;
}

export function proxyName(key: ProxyCurveKey): string {
  return key.region === undefined ? `${key.sector}-${key.rating}` : `${key.sector}-${key.rating}-${key.region}`;
}

/** Reads currency, recovery and pillars of one CDS curve and bootstraps it. */
function readCdsCurve(ctx: LoadContext, spec: YamlMap, path: string, name: string, defaultRecovery: number): HazardCurve | undefined {
  const r = ctx.reader;
  let currency: Currency | undefined = ctx.base;
  if (spec.currency !== undefined) {
    currency = readCurrency(ctx, spec.currency, child(path, 'currency'));
    if (currency && !ctx.discountCurrencies.has(currency)) {
      r.issue(child(path, 'currency'), currency, `a currency with a discount curve (curves.discount.${currency})`);
      currency = undefined;
    }
  }
  const recovery = spec.recovery === undefined ? defaultRecovery : readRecovery(ctx, spec.recovery, child(path, 'recovery'));
  const pillarsPath = child(path, 'pillars');
  const pillars = readPillars(ctx, spec.pillars, pillarsPath, {
    valueKeys: ['spreadBp'],
    allowDates: false,
    readValue: (pillar, p) =>
      r.numberWhere(pillar.spreadBp, child(p, 'spreadBp'), (x) => x > 0 && x <= MAX_MARKET_SPREAD_BP, `a CDS par spread > 0 in bp (the ISDA bootstrap needs a positive spread), at most ${MAX_MARKET_SPREAD_BP.toLocaleString('en-US')}bp`),
  });
  if (pillars) warnSpreadUnit(ctx, pillarsPath, pillars.values);
  if (!pillars || recovery === undefined || currency === undefined || ctx.asOf === undefined) return undefined;
  const discount = ctx.discountCurves.get(currency);
  if (!discount) return undefined; // the discount curve itself was reported
  // Standard CDS maturities roll semi-annually since 20 Dec 2015 (ISDA 2015 rule), quarterly before.
  const maturityRule = ctx.asOf >= CDS2015_EFFECTIVE ? 'CDS2015' : 'CDS2009';
  const curveSpec = { name, asOf: ctx.asOf, tenors: pillars.tenors, spreadsBp: pillars.values, recovery, discount, maturityRule } as const;
  if (!ctx.deferCredit) return bootstrap(ctx, pillarsPath, curveSpec);
  return deferredCurve(name, recovery, () => {
    const seeded = seedFor(ctx, name, recovery, pillars.values);
    if (seeded) return seeded;
    const curve = bootstrap(ctx, pillarsPath, curveSpec);
    if (!curve) ctx.reader.issues.throwIfAny();
    return curve!;
  });
}

/**
 * Below this a curve's widest quote is most likely typed in decimals (0.00535 for 53.5bp) or percent (0.535): no
 * traded CDS curve, the strongest sovereigns' included, quotes under 1bp at every tenor.
 */
export const PLAUSIBLE_MIN_CDS_SPREAD_BP = 1;

/**
 * A warning on a CDS curve whose every pillar is below PLAUSIBLE_MIN_CDS_SPREAD_BP: the curve loads (the bootstrap
 * takes any positive spread) and would price its name as nearly riskless, a CVA off by a factor of 10,000 without a
 * word. Named at the widest pillar.
 */
function warnSpreadUnit(ctx: LoadContext, pillarsPath: string, spreadsBp: readonly number[]): void {
  let widest = 0;
  for (let k = 1; k < spreadsBp.length; k++) if (spreadsBp[k]! > spreadsBp[widest]!) widest = k;
  const bp = spreadsBp[widest];
  if (bp === undefined || !(bp < PLAUSIBLE_MIN_CDS_SPREAD_BP)) return;
  const asDecimal = +(bp * 10_000).toPrecision(6);
  const asPercent = +(bp * 100).toPrecision(6);
  ctx.reader.warn(
    child(child(pillarsPath, widest), 'spreadBp'),
    bp,
    `a CDS par spread in bp (53.5 for 53.5bp): every pillar of this curve is below ${PLAUSIBLE_MIN_CDS_SPREAD_BP}bp, which no traded CDS curve quotes; in decimals ${bp} would be ${asDecimal.toLocaleString('en-US')}bp, in percent ${asPercent.toLocaleString('en-US')}bp`,
  );
}

/**
 * The seed of curve `name` (LoadContext.creditSeed) as a curve, when it was bootstrapped from these spreads and this
 * recovery; else undefined (bootstrap). Worker threads of an exposure run each bootstrapped the CDS curves they used,
 * 4% of a GPU run's worker time on an H100 machine's 10 threads, which their main thread had bootstrapped already.
 */
function seedFor(ctx: LoadContext, name: string, recovery: number, spreadsBp: readonly number[]): HazardCurve | undefined {
  const seed = ctx.creditSeed?.get(name);
  if (!seed || seed.recovery !== recovery || !seed.quoteSpreadsBp || seed.quoteSpreadsBp.length !== spreadsBp.length) return undefined;
  for (let i = 0; i < spreadsBp.length; i++) if (seed.quoteSpreadsBp[i] !== spreadsBp[i]) return undefined;
  return buildHazardCurve(seed);
}

/**
 * A curve bootstrapped on the first read of its nodes (LoadContext.deferCredit). A worker of an exposure run reads
 * the curves of the CDS reference names it values, not the thousand counterparties' of a large book: their bootstrap
 * was half of a worker's start (0.26 of 0.55 s for utb-20k's market on an H100 machine's host). The numbers are those
 * of the eager bootstrap, computed later.
 */
function deferredCurve(name: string, recovery: number, build: () => HazardCurve): HazardCurve {
  let built: HazardCurve | undefined;
  const curve = (): HazardCurve => (built ??= build());
  return {
    name,
    recovery,
    get times() {
      return curve().times;
    },
    get hazards() {
      return curve().hazards;
    },
    get quoteTenorsYears() {
      return curve().quoteTenorsYears;
    },
    get quoteSpreadsBp() {
      return curve().quoteSpreadsBp;
    },
    get survival() {
      return curve().survival;
    },
  };
}

/** `{ meanReversion, volatility }` of the Gaussian intensity model (both optional: missing ones come from `fallback`). */
function readCreditModel(
  ctx: LoadContext,
  value: unknown,
  path: string,
  fallback: CreditModelParams,
  source: CreditModelParams['source'],
): CreditModelParams | undefined {
  const r = ctx.reader;
  const spec = r.map(value, path, 'a mapping with meanReversion and/or volatility of the intensity');
  if (!spec) return undefined;
  r.keys(spec, path, ['meanReversion', 'volatility'], 'credit model keys');
  const meanReversion =
    spec.meanReversion === undefined
      ? fallback.meanReversion
      : r.numberWhere(spec.meanReversion, child(path, 'meanReversion'), (x) => x > -1 && x < 10, 'a mean reversion of the intensity in (-1, 10) per year, e.g. 0.05');
  const volatility =
    spec.volatility === undefined
      ? fallback.volatility
      : r.numberWhere(spec.volatility, child(path, 'volatility'), (x) => x >= 0 && x < 1, 'an absolute intensity volatility in [0, 1), e.g. 0.005 (50bp)');
  if (meanReversion === undefined || volatility === undefined) return undefined;
  return { meanReversion, volatility, source };
}

function bootstrap(
  ctx: LoadContext,
  path: string,
  spec: Parameters<typeof bootstrapCdsCurve>[0] & { asOf: DateSerial; tenors: Tenor[] },
): HazardCurve | undefined {
  try {
    return bootstrapCdsCurve(spec);
  } catch (error) {
    if (error instanceof CdsBootstrapError && error.tenorIndex !== undefined) {
      // The bootstrap names the quote to blame: point at its tenor or its spread.
      const value = error.value ?? String(spec.spreadsBp[error.tenorIndex]);
      const key = /^\d+[DWMY]$/i.test(value) ? 'tenor' : 'spreadBp';
      ctx.reader.issue(child(child(path, error.tenorIndex), key), value, `${error.expected} (${error.message})`);
      return undefined;
    }
    const reason = error instanceof Error ? error.message : String(error);
    ctx.reader.issue(path, spec.spreadsBp.join(', '), `CDS spreads the ISDA standard model can bootstrap (${reason})`);
    return undefined;
  }
}

export function readCredit(ctx: LoadContext, value: unknown): CreditSection {
  const r = ctx.reader;
  const out: CreditSection = { names: new Map(), proxies: [], own: undefined, model: undefined, models: new Map() };
  if (value === undefined) return out;
  const credit = r.map(value, 'credit', 'a mapping with names, proxies, own, defaultRecovery');
  if (!credit) return out;
  r.keys(credit, 'credit', ['defaultRecovery', 'names', 'proxies', 'own', 'model'], 'credit keys');
  if (credit.model !== undefined) out.model = readCreditModel(ctx, credit.model, 'credit.model', DEFAULT_CREDIT_MODEL, 'section');
  const defaultRecovery =
    credit.defaultRecovery === undefined
      ? STANDARD_RECOVERY
      : (readRecovery(ctx, credit.defaultRecovery, 'credit.defaultRecovery') ?? STANDARD_RECOVERY);

  for (const [name, spec] of sectionEntries(ctx, credit.names, 'credit.names', 'a mapping of reference name to CDS curve') ?? []) {
    const path = child('credit.names', name);
    const curveSpec = r.map(spec, path, 'a mapping with pillars of tenor and spreadBp (and optional currency, recovery, model)');
    if (!curveSpec) continue;
    r.keys(curveSpec, path, ['currency', 'recovery', 'pillars', 'model'], 'CDS curve keys');
    if (curveSpec.model !== undefined) {
      const model = readCreditModel(ctx, curveSpec.model, child(path, 'model'), out.model ?? DEFAULT_CREDIT_MODEL, 'name');
      if (model) out.models.set(name, model);
    }
    const curve = readCdsCurve(ctx, curveSpec, path, name, defaultRecovery);
    if (curve) out.names.set(name, curve);
  }

  if (credit.proxies !== undefined) {
    const list = r.list(credit.proxies, 'credit.proxies', 'a non-empty list of proxy curves { sector, rating, region?, pillars }');
    const seen = new Map<string, number>();
    list?.forEach((item, i) => {
      const path = child('credit.proxies', i);
      const spec = r.map(item, path, 'a proxy curve { sector, rating, region?, pillars }');
      if (!spec) return;
      r.keys(spec, path, ['sector', 'rating', 'region', 'currency', 'recovery', 'pillars'], 'proxy keys');
      const sector = r.oneOf(spec.sector, child(path, 'sector'), SECTORS, 'a sector');
      const rating = r.oneOf(spec.rating, child(path, 'rating'), RATINGS, 'a rating');
      const region = spec.region === undefined ? undefined : r.oneOf(spec.region, child(path, 'region'), REGIONS, 'a region');
      if (!sector || !rating || (spec.region !== undefined && !region)) return;
      const key: ProxyCurveKey = region === undefined ? { sector, rating } : { sector, rating, region };
      const name = proxyName(key);
      if (seen.has(name)) {
        r.issue(path, name, `one proxy per sector, rating and region (${name} is also credit.proxies[${seen.get(name)}])`);
        return;
      }
      seen.set(name, i);
      const curve = readCdsCurve(ctx, spec, path, name, defaultRecovery);
      if (curve) out.proxies.push({ key, name, curve });
    });
  }

  if (credit.own !== undefined) {
    const spec = r.map(credit.own, 'credit.own', 'a mapping with pillars of tenor and spreadBp (and optional currency, recovery)');
    if (spec) {
      r.keys(spec, 'credit.own', ['currency', 'recovery', 'pillars'], 'own curve keys');
      out.own = readCdsCurve(ctx, spec, 'credit.own', 'OWN', defaultRecovery);
    }
  }
  return out;
}
