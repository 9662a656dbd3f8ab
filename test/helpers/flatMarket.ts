/**
 * A hand-built Market for pricing tests: flat continuously compounded curves, spots against the base currency,
 * flat vols, optional Hull-White parameters, swaption surfaces, equities and flat-hazard credit curves. Independent of
 * the real market loader, so that pricing tests check formulas, not the loader. What a test did not set throws.
 */
import type { DateSerial } from '../../src/conventions/dates.js';
import { yearsBetween } from '../../src/conventions/dates.js';
import type {
  CapitalParams,
  CorrelationMatrix,
  EquityData,
  FundingSpreads,
  HazardCurve,
  HullWhiteParams,
  Market,
  ProxyCurveKey,
  SwaptionVolSurface,
  YieldCurve,
} from '../../src/market/types.js';
import type { Currency } from '../../src/products/types.js';

/** P(t) = exp(−rate·t). */
export function flatCurve(name: string, currency: Currency, rate: number): YieldCurve {
  return {
    name,
    currency,
    discount: (t: number) => Math.exp(-rate * t),
    zeroRate: () => rate,
    forwardRate: (t1: number, t2: number, tau: number) => (Math.exp(rate * (t2 - t1)) - 1) / tau,
    pillarTimes: Float64Array.of(1),
    pillarZeroRates: Float64Array.of(rate),
  };
}

/** Survival S(t) = exp(−hazard·t). */
export function flatHazardCurve(name: string, hazard: number, recovery: number): HazardCurve {
  return {
    name,
    recovery,
    times: Float64Array.of(30),
    hazards: Float64Array.of(hazard),
    survival: (t: number) => Math.exp(-hazard * Math.max(t, 0)),
    quoteTenorsYears: Float64Array.of(5),
    quoteSpreadsBp: Float64Array.of(hazard * (1 - recovery) * 1e4),
  };
}

export interface FlatMarketSpec {
  asOf: DateSerial;
  baseCurrency?: Currency;
  /** Continuously compounded OIS rate per currency. */
  rates: Partial<Record<Currency, number>>;
  /** Projection curves by index name: currency and flat rate. */
  projection?: Record<string, { currency: Currency; rate: number }>;
  /** Spot: units of the base currency per one unit of each other currency. */
  spotsInBase?: Partial<Record<Currency, number>>;
  /** Flat Black vol per pair `CCY1CCY2` (either order). */
  fxVols?: Record<string, number>;
  /** Flat basis spread (continuously compounded, decimal) added to the rate of `ccy` collateralised in `coll`, key `CCY/COLL`. */
  collateralBasis?: Record<string, number>;
  hullWhite?: Partial<Record<Currency, HullWhiteParams>>;
  swaptionVols?: Partial<Record<Currency, SwaptionVolSurface>>;
  equities?: Record<string, { currency: Currency; spot: number; dividendYield: number; vol: number }>;
  /** Flat hazard rate and recovery per credit name. */
  credit?: Record<string, { hazard: number; recovery: number }>;
  /** The factors' correlations (the cross-asset simulation needs them); absent: an error when read. */
  correlation?: CorrelationMatrix;
}

export function flatMarket(spec: FlatMarketSpec): Market {
  const base = spec.baseCurrency ?? 'USD';
  const rateOf = (ccy: Currency): number => {
    const r = spec.rates[ccy];
    if (r === undefined) throw new Error(`test market has no ${ccy} rate`);
    return r;
  };
  const spotInBase = (ccy: Currency): number => {
    if (ccy === base) return 1;
    const s = spec.spotsInBase?.[ccy];
    if (s === undefined) throw new Error(`test market has no ${ccy} spot`);
    return s;
  };
  const missing = (what: string): never => {
    throw new Error(`test market has no ${what}`);
  };
  return {
    asOf: spec.asOf,
    baseCurrency: base,
    currencies: Object.keys(spec.rates) as Currency[],
    time: (date: DateSerial) => yearsBetween(spec.asOf, date),
    discountCurve: (ccy) => flatCurve(`${ccy}-OIS`, ccy, rateOf(ccy)),
    collateralDiscountCurve: (ccy, coll) =>
      flatCurve(`${ccy}-OIS-${coll}`, ccy, rateOf(ccy) + (ccy === coll ? 0 : (spec.collateralBasis?.[`${ccy}/${coll}`] ?? 0))),
    projectionCurve: (index) => {
      const p = spec.projection?.[index] ?? missing(`projection curve ${index}`);
      return flatCurve(index, p.currency, p.rate);
    },
    hasProjectionCurve: (index) => spec.projection?.[index] !== undefined,
    fxSpot: (b, q) => spotInBase(b) / spotInBase(q),
    fxVol: (b, q) => spec.fxVols?.[`${b}${q}`] ?? spec.fxVols?.[`${q}${b}`] ?? missing(`FX vol ${b}${q}`),
    hullWhite: (ccy) => spec.hullWhite?.[ccy],
    swaptionVols: (ccy) => spec.swaptionVols?.[ccy],
    capFloorVols: () => undefined,
    fixing: () => undefined,
    fxFixing: (b, q) => (b === q ? 1 : undefined),
    equity: (name): EquityData => {
      const e = spec.equities?.[name] ?? missing(`equity ${name}`);
      return { name, currency: e.currency, spot: e.spot, dividendYield: e.dividendYield, volTimes: Float64Array.of(1), vols: Float64Array.of(e.vol) };
    },
    hasEquity: (name) => spec.equities?.[name] !== undefined,
    equityVol: (name) => (spec.equities?.[name] ?? missing(`equity ${name}`)).vol,
    creditCurve: (name) => {
      const c = spec.credit?.[name] ?? missing(`credit curve ${name}`);
      return flatHazardCurve(name, c.hazard, c.recovery);
    },
    hasCreditCurve: (name) => spec.credit?.[name] !== undefined,
    proxyCreditCurve: (key: ProxyCurveKey) => missing(`proxy curve ${key.sector}/${key.rating}`),
    ownCredit: undefined,
    funding: (ccy): FundingSpreads => missing(`funding spreads ${ccy}`),
    get capital(): CapitalParams {
      return missing('capital parameters');
    },
    get correlation(): CorrelationMatrix {
      return spec.correlation ?? missing('correlation matrix');
    },
  };
}
