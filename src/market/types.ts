/**
 * The market: term structures and model parameters, built once from the YAML market file (docs/market.md) and then
 * immutable. Times are in years ACT/365F from the as-of date (`yearsBetween(asOf, date)`); accruals of trades use
 * their own day counts (conventions/dayCount.ts).
 */
import type { DateSerial } from '../conventions/dates.js';
import type { InputIssue } from '../errors.js';
import type { Currency } from '../products/types.js';
import type { Rating, Region, Sector } from '../portfolio/types.js';

export type Interpolation = 'logLinear' | 'monotoneConvex';

/** A discount (or projection) curve. */
export interface YieldCurve {
  readonly name: string;
  readonly currency: Currency;
  /** Discount factor P(0, t), t in years ACT/365F from the as-of date; P(0,0) = 1. */
  discount(t: number): number;
  /** Continuously compounded zero rate to t. */
  zeroRate(t: number): number;
  /** Simply compounded forward rate between t1 < t2 with accrual fraction `tau`: (P(t1)/P(t2) - 1) / tau. */
  forwardRate(t1: number, t2: number, tau: number): number;
  /** Pillar times (years) and zero rates, for reports, sensitivities and bumps. */
  readonly pillarTimes: Float64Array;
  readonly pillarZeroRates: Float64Array;
}

/** Piecewise-constant (flat-forward) hazard rates, as the ISDA standard model bootstraps them. */
export interface HazardCurve {
  readonly name: string;
  readonly recovery: number;
  /** Right ends of the hazard intervals in years; the last hazard extends flat. */
  readonly times: Float64Array;
  readonly hazards: Float64Array;
  survival(t: number): number;
  /** Quoted par spreads the curve was bootstrapped from (bp), tenors in years, for reports and bumps. */
  readonly quoteTenorsYears: Float64Array;
  readonly quoteSpreadsBp: Float64Array;
}

/** One-factor Hull-White / LGM parameters for a currency: constant mean reversion, piecewise-constant volatility. */
export interface HullWhiteParams {
  currency: Currency;
  meanReversion: number;
  /**
   * Right ends (years) of the volatility steps; sigma[i] applies on (times[i-1], times[i]], the last flat after.
   * A last step given without an end (market file: `{ vol }` without `until`, or a single flat sigma) has right end
   * +Infinity.
   */
  sigmaTimes: Float64Array;
  /** Normal short-rate volatilities (absolute, e.g. 0.01 = 100bp). */
  sigmas: Float64Array;
  /** Where the parameters came from. */
  source: 'given' | 'calibrated';
}

export interface SwaptionVolQuote {
  expiryYears: number;
  tenorYears: number;
  vol: number;
  /**
   * Caplet vols with a smile only (`capFloorVols` quotes with `strike`): the absolute strike of the quote (decimal);
   * a surface's quotes all have one or none. Swaption quotes never have one (ATM).
   */
  strike?: number;
}

export interface SwaptionVolSurface {
  currency: Currency;
  /** normal = Bachelier (absolute), black = lognormal (with optional shift). */
  type: 'normal' | 'black';
  shift: number;
  quotes: SwaptionVolQuote[];
}

export interface EquityData {
  name: string;
  currency: Currency;
  spot: number;
  dividendYield: number;
  /**
   * Flat Black volatility, or a term structure (years, vols) interpolated flat-forward in variance (market/vol.ts
   * `volAt`). A flat volatility is one pillar at t = 0.
   */
  volTimes: Float64Array;
  vols: Float64Array;
}

export interface FundingSpreads {
  currency: Currency;
  /** Spread over the collateral (OIS) rate at which the bank borrows unsecured, bp. */
  borrowSpreadBp: number;
  /** Spread at which excess cash is lent / earns, bp. */
  lendSpreadBp: number;
  /** Spread of collateral remuneration over the OIS discount rate, bp (ColVA). */
  collateralSpreadBp: number;
  /**
   * Spread over the OIS rate that the initial margin the bank posts earns where it is held (a custodian's remuneration,
   * negative for a custody fee), bp (MVA: the cost of funding it is borrow − this spread). Absent: 0.
   */
  initialMarginSpreadBp?: number;
}

export interface CapitalParams {
  /** Annual cost of capital (hurdle rate), decimal, e.g. 0.10. */
  costOfCapital: number;
  /** Total capital requirement ratio applied to RWA, decimal, e.g. 0.105 (CET1 + buffers). */
  capitalRatio: number;
  /** The bank's RWA before this book, in base currency, for CET1 impact in bp. */
  bankRwa?: number;
  /** The bank's CET1 capital in base currency. */
  bankCet1?: number;
}

/**
 * Parameters of the Gaussian (LGM-type) intensity model of a credit name (docs/model.md, "Credit"): the state y has
 * variance ζ(t) = σ²·∫₀ᵗ e^{2κs} ds and survival S(t,T|y) = S(0,T)/S(0,t)·exp(−(H(T)−H(t))y − ½(H(T)²−H(t)²)ζ(t)),
 * H(t) = (1 − e^{−κt})/κ. Market file: `credit.model` (all names) and `credit.names.<NAME>.model` (one name).
 */
export interface CreditModelParams {
  /** Mean reversion κ of the intensity, per year. */
  meanReversion: number;
  /** Absolute (normal) volatility σ of the intensity, per √year, e.g. 0.005 = 50bp. */
  volatility: number;
  /** Where the parameters came from: the built-in default, `credit.model`, or the name's own `model`. */
  source: 'default' | 'section' | 'name';
}

export interface CorrelationMatrix {
  /** Factor names: `IR:USD`, `FX:EURUSD`, `EQ:SPX`, `CR:ACME` (credit of a name). */
  factors: string[];
  /** Row-major, factors.length squared, symmetric with unit diagonal, positive semi-definite. */
  matrix: Float64Array;
}

export interface ProxyCurveKey {
  sector: Sector;
  rating: Rating;
  /** Absent = any region. */
  region?: Region;
}

export interface Market {
  readonly asOf: DateSerial;
  readonly baseCurrency: Currency;
  readonly currencies: readonly Currency[];
  /** Time in years ACT/365F from the as-of date. */
  time(date: DateSerial): number;
  /** OIS discount curve of a currency (collateral in the same currency). */
  discountCurve(currency: Currency): YieldCurve;
  /**
   * Discount curve for flows in `currency` collateralised in `collateralCurrency` (cross-currency basis applied);
   * the plain OIS curve when the two are equal or no basis is given.
   */
  collateralDiscountCurve(currency: Currency, collateralCurrency: Currency): YieldCurve;
  /** Projection curve of a float index, e.g. `USD-SOFR`, `EUR-EURIBOR-6M`. */
  projectionCurve(index: string): YieldCurve;
  hasProjectionCurve(index: string): boolean;
  /** Every projection curve's index (`curves.projection`), for checks; optional so that hand-built test markets need not list them. */
  readonly projectionIndices?: readonly string[];
  /** Units of `quote` per one unit of `base` today (triangulated through the base currency when needed). */
  fxSpot(base: Currency, quote: Currency): number;
  /** Black volatility of the pair at time t (years). */
  fxVol(base: Currency, quote: Currency, t: number): number;
  /** Given or calibrated Hull-White parameters of a currency; undefined when the market has neither. */
  hullWhite(currency: Currency): HullWhiteParams | undefined;
  swaptionVols(currency: Currency): SwaptionVolSurface | undefined;
  /**
   * Caplet (optionlet) volatilities of a currency's term-index caps and floors (`rates.<CCY>.capFloorVols`), by
   * expiry, or by expiry and strike when the quotes carry strikes (a smile: pricing/swaptionVol.ts capletVolatility);
   * every quote's tenorYears is 0 (flat in tenor); undefined when the market has none (caplets then read the swaption
   * surface).
   */
  capFloorVols(currency: Currency): SwaptionVolSurface | undefined;
  /** The index's fixing on a past date (`fixings` of the market file; term indices only), or undefined. */
  fixing(index: string, date: DateSerial): number | undefined;
  /**
   * Every series of the `fixings` section, by name (an index or `FX-<CCY1>-<CCY2>`), for the checks of `xva validate`;
   * optional so that hand-built test markets need not define it.
   */
  fixingSeries?(): ReadonlyMap<string, ReadonlyMap<DateSerial, number>>;
  /**
   * The loader's plausibility warnings (a CDS curve typed in decimals instead of bp), for the checks of `xva validate`
   * and of a run; optional as fixingSeries.
   */
  readonly loadWarnings?: readonly InputIssue[];
  /** Every quoted cross-currency basis (`curves.xccyBasis`: pillars in years, spreads in bp), for the checks of `xva validate`; optional as fixingSeries. */
  xccyBasisQuotes?(): readonly { currency: Currency; against: Currency; pillarTimes: Float64Array; spreadsBp: Float64Array }[];
  /**
   * Units of `quote` per one `base` fixed on a past date (`fixings` `FX-<BASE>-<QUOTE>`, or the inverse of
   * `FX-<QUOTE>-<BASE>`), or undefined.
   */
  fxFixing(base: Currency, quote: Currency, date: DateSerial): number | undefined;
  equity(name: string): EquityData;
  hasEquity(name: string): boolean;
  /** Equity Black volatility at time t. */
  equityVol(name: string, t: number): number;
  /** CDS-bootstrapped hazard curve of a named entity (`credit.names`). */
  creditCurve(name: string): HazardCurve;
  hasCreditCurve(name: string): boolean;
  /** Proxy curve by sector × rating (× region when the market distinguishes it); throws when none fits. */
  proxyCreditCurve(key: ProxyCurveKey): { curve: HazardCurve; proxyName: string };
  /** The bank's own credit curve (DVA, FBA). */
  readonly ownCredit: HazardCurve | undefined;
  funding(currency: Currency): FundingSpreads;
  /** The currencies the market file gives funding spreads for (`funding`); optional as fixingSeries. */
  readonly fundingCurrencies?: readonly Currency[];
  readonly capital: CapitalParams;
  /** Whether the market file gave a `capital` section (reading `capital` without one is an input error). */
  readonly hasCapital?: boolean;
  readonly correlation: CorrelationMatrix;
  /**
   * Intensity-model parameters of a credit name (a `credit.names` entry, a proxy name or `OWN`): the name's own
   * `model`, else `credit.model`, else the defaults (docs/market.md). Optional so that hand-built test markets need
   * not define it; the simulation then uses the defaults.
   */
  creditModel?(name: string): CreditModelParams;
}
