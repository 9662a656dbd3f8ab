/**
 * The Market: term structures and parameters of one as-of date, built once from validated pieces (load.ts) and
 * immutable afterwards. Lookups that fail are programming or configuration mistakes downstream (a trade naming a
 * curve the market lacks is caught by the portfolio checks); they throw an Error that lists what the market has.
 */
import { yearsBetween, type DateSerial } from '../conventions/dates.js';
import { XvaInputError, type InputIssue } from '../errors.js';
import type { Currency } from '../products/types.js';
import { ratesAgainstBase } from './fx.js';
import { DEFAULT_CREDIT_MODEL } from './loadCredit.js';
import type {
  CapitalParams,
  CorrelationMatrix,
  CreditModelParams,
  EquityData,
  FundingSpreads,
  HazardCurve,
  HullWhiteParams,
  Market,
  ProxyCurveKey,
  SwaptionVolSurface,
  YieldCurve,
} from './types.js';
import { volAt } from './vol.js';
import { someOf } from '../text.js';

export { correlationOf } from './correlation.js';

export interface CreditProxyEntry {
  key: ProxyCurveKey;
  name: string;
  curve: HazardCurve;
}

/** A currency's cross-currency basis (`curves.xccyBasis`): the collateral currency and the discount curve it gives. */
export interface XccyBasisEntry {
  against: Currency;
  curve: YieldCurve;
  /** The quoted pillars (years from asOf) and spreads in bp, for the checks of `xva validate`; absent when built in code. */
  pillarTimes?: Float64Array;
  spreadsBp?: Float64Array;
}

/** Everything a Market holds, already validated. */
export interface MarketSpec {
  asOf: DateSerial;
  baseCurrency: Currency;
  /** OIS curves; must include the base currency. Insertion order is kept for `currencies` (base first). */
  discountCurves: ReadonlyMap<Currency, YieldCurve>;
  projectionCurves: ReadonlyMap<string, YieldCurve>;
  /** Discount curve of the key currency collateralised in `against`. */
  xccyBasis: ReadonlyMap<Currency, XccyBasisEntry>;
  /** Quoted FX pairs, `EURUSD` -> units of USD per EUR. */
  fxSpots: ReadonlyMap<string, number>;
  fxVols: ReadonlyMap<string, { times: Float64Array; vols: Float64Array }>;
  hullWhite: ReadonlyMap<Currency, HullWhiteParams>;
  swaptionVols: ReadonlyMap<Currency, SwaptionVolSurface>;
  /** Caplet vols by expiry (`rates.<CCY>.capFloorVols`; absent: none). */
  capFloorVols?: ReadonlyMap<Currency, SwaptionVolSurface>;
  /** Past fixings of term indices by index and fixing date (`fixings`; absent: none). */
  fixings?: ReadonlyMap<string, ReadonlyMap<DateSerial, number>>;
  equities: ReadonlyMap<string, EquityData>;
  creditCurves: ReadonlyMap<string, HazardCurve>;
  proxies: readonly CreditProxyEntry[];
  ownCredit: HazardCurve | undefined;
  funding: ReadonlyMap<Currency, FundingSpreads>;
  /** Undefined when the market file has no `capital` section; reading `capital` then throws. */
  capital: CapitalParams | undefined;
  correlation: CorrelationMatrix;
  /** `credit.model` of the file (absent: the defaults apply). */
  creditModel?: CreditModelParams | undefined;
  /** Per-name `credit.names.<NAME>.model` overrides. */
  creditModels?: ReadonlyMap<string, CreditModelParams>;
  /** The market file's name as messages give it (absent for markets built in code). */
  fileName?: string;
  /** Plausibility warnings of the loader (a value that loads but is most likely in the wrong unit). */
  loadWarnings?: readonly InputIssue[];
}

function listOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? 'none' : someOf(all, 30);
}

export class MarketData implements Market {
  readonly asOf: DateSerial;
  readonly baseCurrency: Currency;
  readonly currencies: readonly Currency[];
  readonly ownCredit: HazardCurve | undefined;
  readonly correlation: CorrelationMatrix;
  private readonly spec: MarketSpec;
  /** Units of each currency per one unit of the base currency. */
  private readonly perBase: Map<Currency, number>;

  constructor(spec: MarketSpec) {
    if (!spec.discountCurves.has(spec.baseCurrency)) {
      throw new Error(`market: no discount curve for the base currency ${spec.baseCurrency}`);
    }
    this.spec = spec;
    this.asOf = spec.asOf;
    this.baseCurrency = spec.baseCurrency;
    this.currencies = Object.freeze([
      spec.baseCurrency,
      ...[...spec.discountCurves.keys()].filter((c) => c !== spec.baseCurrency),
    ]);
    this.ownCredit = spec.ownCredit;
    this.correlation = spec.correlation;
    this.perBase = ratesAgainstBase(spec.baseCurrency, spec.fxSpots);
    Object.freeze(this);
  }

  time(date: DateSerial): number {
    return yearsBetween(this.asOf, date);
  }

  discountCurve(currency: Currency): YieldCurve {
    const curve = this.spec.discountCurves.get(currency);
    if (!curve) throw new Error(`market has no discount curve for ${currency}; it has ${listOf(this.spec.discountCurves.keys())}`);
    return curve;
  }

  collateralDiscountCurve(currency: Currency, collateralCurrency: Currency): YieldCurve {
    if (currency !== collateralCurrency) {
      const basis = this.spec.xccyBasis.get(currency);
      if (basis && basis.against === collateralCurrency) return basis.curve;
    }
    return this.discountCurve(currency);
  }

  projectionCurve(index: string): YieldCurve {
    const curve = this.spec.projectionCurves.get(index);
    if (!curve) throw new Error(`market has no projection curve ${index}; it has ${listOf(this.spec.projectionCurves.keys())}`);
    return curve;
  }

  hasProjectionCurve(index: string): boolean {
    return this.spec.projectionCurves.has(index);
  }

  /** Units of `quote` per one `base`: the quoted pair, its inverse, or the cross through the base currency. */
  fxSpot(base: Currency, quote: Currency): number {
    if (base === quote) return 1;
    const direct = this.spec.fxSpots.get(`${base}${quote}`);
    if (direct !== undefined) return direct;
    const inverse = this.spec.fxSpots.get(`${quote}${base}`);
    if (inverse !== undefined) return 1 / inverse;
    const b = this.perBase.get(base);
    const q = this.perBase.get(quote);
    if (b === undefined || q === undefined) {
      const missing = b === undefined ? base : quote;
      throw new Error(`market has no FX rate for ${missing} against ${this.baseCurrency}; quoted pairs: ${listOf(this.spec.fxSpots.keys())}`);
    }
    // (units of quote per base-ccy) / (units of base per base-ccy), e.g. EURJPY = USDJPY / USDEUR = EURUSD * USDJPY.
    return q / b;
  }

  fxVol(base: Currency, quote: Currency, t: number): number {
    const curve = this.spec.fxVols.get(`${base}${quote}`) ?? this.spec.fxVols.get(`${quote}${base}`);
    if (!curve) throw new Error(`market has no FX vol for ${base}${quote} (or ${quote}${base}); it has ${listOf(this.spec.fxVols.keys())}`);
    return volAt(curve.times, curve.vols, t);
  }

  hullWhite(currency: Currency): HullWhiteParams | undefined {
    return this.spec.hullWhite.get(currency);
  }

  swaptionVols(currency: Currency): SwaptionVolSurface | undefined {
    return this.spec.swaptionVols.get(currency);
  }

  capFloorVols(currency: Currency): SwaptionVolSurface | undefined {
    return this.spec.capFloorVols?.get(currency);
  }

  fixing(index: string, date: DateSerial): number | undefined {
    return this.spec.fixings?.get(index)?.get(date);
  }

  /** Every quoted cross-currency basis, by currency, for the checks of `xva validate`. */
  xccyBasisQuotes(): { currency: Currency; against: Currency; pillarTimes: Float64Array; spreadsBp: Float64Array }[] {
    const out: { currency: Currency; against: Currency; pillarTimes: Float64Array; spreadsBp: Float64Array }[] = [];
    for (const [currency, entry] of this.spec.xccyBasis) {
      if (entry.pillarTimes && entry.spreadsBp) out.push({ currency, against: entry.against, pillarTimes: entry.pillarTimes, spreadsBp: entry.spreadsBp });
    }
    return out;
  }

  fixingSeries(): ReadonlyMap<string, ReadonlyMap<DateSerial, number>> {
    return this.spec.fixings ?? new Map();
  }

  fxFixing(base: Currency, quote: Currency, date: DateSerial): number | undefined {
    if (base === quote) return 1;
    const direct = this.spec.fixings?.get(`FX-${base}-${quote}`)?.get(date);
    if (direct !== undefined) return direct;
    const inverse = this.spec.fixings?.get(`FX-${quote}-${base}`)?.get(date);
    return inverse === undefined ? undefined : 1 / inverse;
  }

  equity(name: string): EquityData {
    const eq = this.spec.equities.get(name);
    if (!eq) throw new Error(`market has no equity ${name}; it has ${listOf(this.spec.equities.keys())}`);
    return eq;
  }

  hasEquity(name: string): boolean {
    return this.spec.equities.has(name);
  }

  equityVol(name: string, t: number): number {
    const eq = this.equity(name);
    return volAt(eq.volTimes, eq.vols, t);
  }

  creditCurve(name: string): HazardCurve {
    const curve = this.spec.creditCurves.get(name);
    if (!curve) throw new Error(`market has no credit curve ${name}; credit.names has ${listOf(this.spec.creditCurves.keys())}`);
    return curve;
  }

  hasCreditCurve(name: string): boolean {
    return this.spec.creditCurves.has(name);
  }

  /** Most specific first: sector + rating + region, then sector + rating (a proxy without region). */
  proxyCreditCurve(key: ProxyCurveKey): { curve: HazardCurve; proxyName: string } {
    const proxies = this.spec.proxies;
    const exact =
      key.region === undefined
        ? undefined
        : proxies.find((p) => p.key.sector === key.sector && p.key.rating === key.rating && p.key.region === key.region);
    const fit = exact ?? proxies.find((p) => p.key.sector === key.sector && p.key.rating === key.rating && p.key.region === undefined);
    if (!fit) {
      const wanted = `sector ${key.sector}, rating ${key.rating}${key.region ? `, region ${key.region}` : ''}`;
      throw new Error(
        `market has no credit proxy for ${wanted} (a proxy must match sector and rating, and region unless it omits region); ` +
          `credit.proxies has ${listOf(proxies.map((p) => p.name))}`,
      );
    }
    return { curve: fit.curve, proxyName: fit.name };
  }

  /** The name's own model, else `credit.model`, else DEFAULT_CREDIT_MODEL (κ = 0.05, σ = 0.005). */
  creditModel(name: string): CreditModelParams {
    return this.spec.creditModels?.get(name) ?? this.spec.creditModel ?? DEFAULT_CREDIT_MODEL;
  }

  funding(currency: Currency): FundingSpreads {
    return this.spec.funding.get(currency) ?? { currency, borrowSpreadBp: 0, lendSpreadBp: 0, collateralSpreadBp: 0 };
  }

  get fundingCurrencies(): Currency[] {
    return [...this.spec.funding.keys()];
  }

  get capital(): CapitalParams {
    if (!this.spec.capital) {
      // a user's market file without the section: an input error naming it (exit 2), not an internal one
      throw new XvaInputError([
        { file: this.spec.fileName ?? 'the market file', column: 'capital', value: 'no capital section', expected: 'a capital section with costOfCapital and capitalRatio (decimals, e.g. 0.10 and 0.105): xva capital, the KVA, CET1 figures and xva optimize need it (docs/market.md)' },
      ]);
    }
    return this.spec.capital;
  }

  /** Whether the market file gave a `capital` section. */
  get hasCapital(): boolean {
    return this.spec.capital !== undefined;
  }

  // Listings for reports and checks.
  get projectionIndices(): string[] {
    return [...this.spec.projectionCurves.keys()];
  }

  get equityNames(): string[] {
    return [...this.spec.equities.keys()];
  }

  /** The loader's plausibility warnings (checkPortfolio passes them on: a run prints them, `xva validate` lists them). */
  get loadWarnings(): readonly InputIssue[] {
    return this.spec.loadWarnings ?? [];
  }

  get creditNames(): string[] {
    return [...this.spec.creditCurves.keys()];
  }

  get creditProxies(): readonly CreditProxyEntry[] {
    return this.spec.proxies;
  }

  /** Quoted FX pairs as given. */
  get fxPairs(): string[] {
    return [...this.spec.fxSpots.keys()];
  }
}

export function buildMarket(spec: MarketSpec): MarketData {
  return new MarketData(spec);
}
