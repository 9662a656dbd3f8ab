/**
 * A market with some inputs moved, for sensitivities by bump and reprice: every method delegates to the base market
 * except the curves, spots, vols and credit curves the bump names. The base market is never changed.
 */
import type { EquityData, HazardCurve, Market, SwaptionVolSurface, YieldCurve } from '../../market/types.js';
import type { Currency } from '../../products/types.js';
import { bumpCurve } from '../../market/curves.js';
import type { DateSerial } from '../../conventions/dates.js';

export interface MarketBump {
  /** Replaces the OIS discount curve of a currency (and its collateral-currency variants, bumped the same way). */
  discount?: { currency: Currency; bump: (curve: YieldCurve) => YieldCurve };
  /** Replaces the projection curve of one float index. */
  projection?: { index: string; bump: (curve: YieldCurve) => YieldCurve };
  /** Multiplies the value of one unit of `currency` in every other currency by `factor` (FX spot bump). */
  fxSpot?: { currency: Currency; factor: number };
  /** Multiplies the Black vol of one pair (either order) by `factor`. */
  fxVol?: { base: Currency; quote: Currency; factor: number };
  /**
   * Multiplies every quote of a currency's swaption vol surface by `factor`; with `expiryWeight`, a quote of expiry e
   * by 1 + (factor − 1)·expiryWeight(e) (a bump of one expiry bucket, SIMM's vega vertices).
   */
  swaptionVol?: { currency: Currency; factor: number; expiryWeight?: (expiryYears: number) => number };
  /** Multiplies an equity's spot by `spotFactor` and its vols by `volFactor`. */
  equity?: { name: string; spotFactor?: number; volFactor?: number };
  /** Replaces the credit curve of a name. */
  credit?: { name: string; curve: HazardCurve };
  /**
   * Moves the cross-currency basis of `currency` against the collateral currency `against` (the one the market file
   * quotes it against) by `bp`: P_ccy,coll(t) · e^{−bp/1e4 · t} (`curves.xccyBasis`), the OIS curves as they are.
   */
  xccyBasis?: { currency: Currency; against: Currency; bp: number };
  /**
   * Past fixings the base market lacks, by index and date (impliedFixings.ts): read where the base market has none, so
   * that a coupon running today without its fixings keeps its rate when the curves move.
   */
  fixings?: (index: string, date: DateSerial) => number | undefined;
}

export function bumpedMarket(base: Market, bump: MarketBump): Market {
  const d = bump.discount;
  const p = bump.projection;
  const fx = bump.fxSpot;
  const fv = bump.fxVol;
  const sv = bump.swaptionVol;
  const eq = bump.equity;
  const cr = bump.credit;
  const discountCache = new Map<string, YieldCurve>();
  const bumpedDiscount = (key: string, curve: YieldCurve): YieldCurve => {
    let c = discountCache.get(key);
    if (c === undefined) {
      c = d!.bump(curve);
      discountCache.set(key, c);
    }
    return c;
  };
  const projected = p ? p.bump(base.projectionCurve(p.index)) : undefined;
  const xb = bump.xccyBasis;
  let basisBumped: YieldCurve | undefined;
  const market: Market = {
    asOf: base.asOf,
    baseCurrency: base.baseCurrency,
    currencies: base.currencies,
    time: (date) => base.time(date),
    discountCurve: (ccy) => (d && d.currency === ccy ? bumpedDiscount(ccy, base.discountCurve(ccy)) : base.discountCurve(ccy)),
    collateralDiscountCurve: (ccy, coll) =>
      d && d.currency === ccy
        ? bumpedDiscount(`${ccy}/${coll}`, base.collateralDiscountCurve(ccy, coll))
        : xb && xb.currency === ccy && xb.against === coll
          ? (basisBumped ??= bumpCurve(base.collateralDiscountCurve(ccy, coll), xb.bp))
          : base.collateralDiscountCurve(ccy, coll),
    projectionCurve: (index) => (p && p.index === index ? projected! : base.projectionCurve(index)),
    hasProjectionCurve: (index) => base.hasProjectionCurve(index),
    fxSpot: (b, q) => {
      let s = base.fxSpot(b, q);
      if (fx && b !== q) {
        if (b === fx.currency) s *= fx.factor;
        if (q === fx.currency) s /= fx.factor;
      }
      return s;
    },
    fxVol: (b, q, t) => {
      const v = base.fxVol(b, q, t);
      return fv && ((fv.base === b && fv.quote === q) || (fv.base === q && fv.quote === b)) ? v * fv.factor : v;
    },
    hullWhite: (ccy) => base.hullWhite(ccy),
    // past fixings do not move with a bump (a fixed coupon has no sensitivity to the curves)
    fixing: bump.fixings === undefined ? (index, date) => base.fixing(index, date) : (index, date) => base.fixing(index, date) ?? bump.fixings!(index, date),
    fxFixing: (from, to, date) => base.fxFixing(from, to, date),
    swaptionVols: (ccy): SwaptionVolSurface | undefined => {
      const s = base.swaptionVols(ccy);
      if (!s || !sv || sv.currency !== ccy) return s;
      const weight = sv.expiryWeight;
      return { ...s, quotes: s.quotes.map((q) => ({ ...q, vol: q.vol * (weight === undefined ? sv.factor : 1 + (sv.factor - 1) * weight(q.expiryYears)) })) };
    },
    // the same IR vol bump moves the currency's caplet vols (SIMM's Risk_IRVol is one risk per currency and expiry)
    capFloorVols: (ccy): SwaptionVolSurface | undefined => {
      const s = base.capFloorVols(ccy);
      if (!s || !sv || sv.currency !== ccy) return s;
      return { ...s, quotes: s.quotes.map((q) => ({ ...q, vol: q.vol * sv.factor })) };
    },
    equity: (name): EquityData => {
      const e = base.equity(name);
      if (!eq || eq.name !== name) return e;
      return { ...e, spot: e.spot * (eq.spotFactor ?? 1), vols: e.vols.map((v) => v * (eq.volFactor ?? 1)) };
    },
    hasEquity: (name) => base.hasEquity(name),
    equityVol: (name, t) => base.equityVol(name, t) * (eq && eq.name === name ? (eq.volFactor ?? 1) : 1),
    creditCurve: (name) => (cr && cr.name === name ? cr.curve : base.creditCurve(name)),
    hasCreditCurve: (name) => base.hasCreditCurve(name),
    proxyCreditCurve: (key) => base.proxyCreditCurve(key),
    get ownCredit() {
      return base.ownCredit;
    },
    funding: (ccy) => base.funding(ccy),
    get capital() {
      return base.capital;
    },
    get correlation() {
      return base.correlation;
    },
  };
  if (base.creditModel) market.creditModel = (name) => base.creditModel!(name);
  if (base.xccyBasisQuotes) market.xccyBasisQuotes = () => base.xccyBasisQuotes!();
  return market;
}
