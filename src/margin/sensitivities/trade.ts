/**
 * SIMM sensitivities of one trade by bump and reprice (today's pricers, `priceTrade`), in USD, the SIMM
 * calculation currency. Definitions (ISDA SIMM v2.6, Section B "Definition of sensitivities"; ISDA CRIF):
 *
 * - Risk_IRCurve (§B, interest rate delta): s = V(r + 1bp at vertex k) − V(r). The zero rates of the curve move by a
 *   hat function of t around vertex k (tenors.ts), so the twelve buckets add up to the parallel 1bp. Projection
 *   curves go to the sub-curve of their index (OIS, Libor1m … Libor12m); discount (OIS) curves go to `OIS`. A coupon
 *   running today without its fixings keeps the rate it is priced at across every bump (impliedFixings.ts). A CDS's
 *   hazards are bootstrapped again from its par spreads on the bumped OIS curve of its credit curve's currency (the
 *   spreads are the credit risk factor, held), also when that currency is not the trade's.
 * - Risk_XCcyBasis (§B, cross-currency basis delta): s = V(basis + 1bp) − V(basis) for each non-USD flow currency
 *   with a basis in the market file (`curves.xccyBasis`): its collateral-currency discount curves move by 1bp.
 * - Risk_FX (§B, FX delta): s = V(S·1.01) − V(S) for the value of one unit of the currency in USD, i.e. the
 *   currency strengthens by 1% against the calculation currency; USD itself has none.
 * - Risk_IRVol (§B, interest rate vega): σ·∂V/∂σ, the implied vol times the value's derivative to it, by central
 *   difference of a ±1% relative vol bump: (V(σ(1+h)) − V(σ(1−h)))/(2h), h = 0.01. The vol is the one the pricer
 *   uses (normal for a normal swaption surface).
 * - Risk_FXVol, Risk_EquityVol (§B, FX and equity vega): ∂V/∂σ per vol point, 0.01·∂V/∂σ, the same central
 *   difference divided by σ/0.01: SIMM multiplies it by its own σ_kj = RW·√(365/14)/Φ⁻¹(0.99) (§C.7, §C.11), so the
 *   CRIF amount carries no implied vol.
 * - Every vega goes to the option expiry, split linearly between the two neighbouring SIMM vertices; a cap's or
 *   floor's, caplet by caplet to each caplet's expiry.
 * - Risk_Equity (§B, equity delta): s = V(S·1.01) − V(S).
 * - Risk_CreditQ (§B, credit delta): s = V(cs + 1bp at vertex k) − V(cs), the par CDS spreads of the reference
 *   name moved by the hat weights of the credit vertices 1y … 10y and the hazard curve re-bootstrapped (ISDA CDS
 *   Standard Model) on the OIS curve of the curve's own currency, as the market loader bootstraps it; the base value
 *   uses the same re-bootstrap without bump.
 */
import { fromYmd, type Tenor } from '../../conventions/dates.js';
import { bootstrapCdsCurve } from '../../market/cdsIsda.js';
import { bumpCurve } from '../../market/curves.js';
import type { HazardCurve, Market, YieldCurve } from '../../market/types.js';
import { discountOf } from '../../xva/credit.js';
import { capFloorParts } from '../../pricing/capFloor.js';
import { priceTrade, pricingCurrency } from '../../pricing/index.js';
import { tradeCurrencies, tradeMaturity, type Currency, type Trade } from '../../products/types.js';
import type { SimmSensitivityRiskType } from '../simm/types.js';
import { bumpedMarket, type MarketBump } from './bumpedMarket.js';
import { impliedFixings } from './impliedFixings.js';
import { expiryWeights, hatWeight, SIMM_CREDIT_TENOR_YEARS, SIMM_CREDIT_TENORS, SIMM_IR_TENOR_YEARS, SIMM_IR_TENORS, simmSubCurve } from './tenors.js';

export const CALCULATION_CURRENCY: Currency = 'USD';
/** Relative vol bump of the central-difference vega. */
const VOL_BUMP = 0.01;
const CDS2015_EFFECTIVE = fromYmd(2015, 12, 20);

export interface TradeSensitivity {
  riskType: SimmSensitivityRiskType;
  qualifier: string;
  bucket: string;
  label1: string;
  label2: string;
  /** V(bumped) − V(base) in USD (vega: σ·∂V/∂σ in USD). */
  amountUsd: number;
}

export interface SensitivityContext {
  market: Market;
  /** The netting set's collateral currency: flows are discounted as the pricer does under its CSA. */
  collateralCurrency?: Currency;
  /** SIMM credit-qualifying bucket of each reference entity ('Residual' when absent). */
  creditBuckets?: ReadonlyMap<string, string>;
  /** SIMM equity bucket of each underlying ('Residual' when absent). */
  equityBuckets?: ReadonlyMap<string, string>;
}

/** Value of the trade in USD in a market. */
export function tradeValueUsd(trade: Trade, market: Market, collateralCurrency?: Currency): number {
  const options = collateralCurrency === undefined ? {} : { collateralCurrency };
  const value = priceTrade(trade, market, options);
  const ccy = pricingCurrency(trade);
  return ccy === CALCULATION_CURRENCY ? value.npv : value.npv * market.fxSpot(ccy, CALCULATION_CURRENCY);
}

function floatIndices(trade: Trade): string[] {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
    case 'CAPFLOOR':
      return [trade.floatLeg.floatIndex];
    case 'XCCY':
    case 'BASIS':
      return [trade.leg1, trade.leg2].flatMap((leg) => (leg.kind === 'float' ? [leg.floatIndex] : []));
    default:
      return [];
  }
}

function yearsToTenor(years: number): Tenor {
  const months = Math.round(years * 12);
  return months % 12 === 0 ? { count: months / 12, unit: 'Y' } : { count: months, unit: 'M' };
}

/**
 * The OIS curve a market credit curve was bootstrapped on (its `currency`: the one whose curve gives back its hazards,
 * xva/credit.ts discountOf), once per curve; the base currency's for a curve no currency rebuilds (one built in code).
 */
const curveDiscounts = new WeakMap<HazardCurve, YieldCurve>();
function creditDiscount(market: Market, curve: HazardCurve): YieldCurve {
  let discount = curveDiscounts.get(curve);
  if (discount === undefined) {
    try {
      discount = discountOf(curve, market);
    } catch {
      discount = market.discountCurve(market.baseCurrency);
    }
    curveDiscounts.set(curve, discount);
  }
  return discount;
}

/**
 * Re-bootstraps a name's hazard curve from its par quotes, each moved by `bumpBp(tenorYears)`, on the OIS curve of the
 * curve's own currency (the loader's), so that a zero bump gives back the market's curve; `moveDiscount`, when given,
 * moves that OIS curve first (an interest rate delta holds the par spreads, not the hazards).
 */
export function rebootstrapCredit(
  market: Market,
  curve: HazardCurve,
  bumpBp: (tenorYears: number) => number,
  onNegativeHazard?: (tenor: string, maturity: number) => void,
  moveDiscount?: (curve: YieldCurve) => YieldCurve,
): HazardCurve {
  const tenorsYears = Array.from(curve.quoteTenorsYears);
  const discount = creditDiscount(market, curve);
  return bootstrapCdsCurve({
    name: curve.name,
    asOf: market.asOf,
    tenors: tenorsYears.map(yearsToTenor),
    spreadsBp: tenorsYears.map((t, i) => curve.quoteSpreadsBp[i]! + bumpBp(t)),
    recovery: curve.recovery,
    discount: moveDiscount ? moveDiscount(discount) : discount,
    maturityRule: market.asOf >= CDS2015_EFFECTIVE ? 'CDS2015' : 'CDS2009',
    ...(onNegativeHazard ? { onNegativeHazard } : {}),
  });
}

/** Every SIMM sensitivity of one trade, summed per risk factor; `notes` says what could not be computed. */
export function tradeSensitivities(trade: Trade, ctx: SensitivityContext): { rows: TradeSensitivity[]; notes: string[] } {
  const { collateralCurrency } = ctx;
  // a coupon running today without its fixings keeps the rate it is priced at across the bumps (impliedFixings.ts)
  const fixings = impliedFixings(trade, ctx.market);
  const market = fixings === undefined ? ctx.market : bumpedMarket(ctx.market, { fixings });
  const notes: string[] = [];
  const value = (m: Market) => tradeValueUsd(trade, m, collateralCurrency);
  const bumped = (bump: MarketBump) => value(bumpedMarket(market, bump));
  const v0 = value(market);
  const rows = new Map<string, TradeSensitivity>();
  const add = (riskType: SimmSensitivityRiskType, qualifier: string, bucket: string, label1: string, label2: string, amountUsd: number) => {
    if (amountUsd === 0 || !Number.isFinite(amountUsd)) return;
    const key = [riskType, qualifier, bucket, label1, label2].join('\u0000');
    const row = rows.get(key);
    if (row) row.amountUsd += amountUsd;
    else rows.set(key, { riskType, qualifier, bucket, label1, label2, amountUsd });
  };
  // a hat bump whose support starts after the last flow cannot move the value (a CDS's: nor after the quote that ends
  // the hazard interval of its maturity, which the rates up to that quote's tenor bootstrap)
  const maturityYears = market.time(tradeMaturity(trade));
  const cdsQuoteEnd = trade.product === 'CDS' && trade.maturityDate > market.asOf ? Array.from(market.creditCurve(trade.referenceEntity).quoteTenorsYears).find((t) => t >= maturityYears) : undefined;
  const lastYears = Math.max(maturityYears, cdsQuoteEnd ?? 0) + 30 / 365;
  const irVertices = SIMM_IR_TENOR_YEARS;
  const relevant = (k: number) => k === 0 || irVertices[k - 1]! < lastYears;

  // A CDS's reference curve is bootstrapped from par spreads on the OIS curve of its own currency (the loader's). SIMM's
  // interest rate delta moves the rates alone (§B: the credit spreads are another risk factor, held), so under a bump of
  // that curve the hazards are rebuilt from the same spreads on the bumped curve, and the delta is taken against the
  // unbumped rebuild, as Risk_CreditQ's is (a hazard held fixed instead misstated a 500bp-coupon CDS's by 37%).
  const cdsCredit = trade.product === 'CDS' && trade.maturityDate > market.asOf ? { name: trade.referenceEntity, curve: market.creditCurve(trade.referenceEntity) } : undefined;
  const cdsCurrency = cdsCredit ? creditDiscount(market, cdsCredit.curve).currency : undefined;
  const cdsBase = cdsCredit ? value(bumpedMarket(market, { credit: { name: cdsCredit.name, curve: rebootstrapCredit(market, cdsCredit.curve, () => 0) } })) : 0;
  // Interest rate delta: discount (OIS) curves of every flow currency (and a CDS's credit curve's)
  for (const ccy of new Set<Currency>([...tradeCurrencies(trade), ...(cdsCurrency ? [cdsCurrency] : [])])) {
    for (let k = 0; k < irVertices.length; k++) {
      if (!relevant(k)) continue;
      const move = (c: YieldCurve) => bumpCurve(c, (t) => hatWeight(irVertices, k, t));
      const s =
        cdsCredit && ccy === cdsCurrency
          ? bumped({ discount: { currency: ccy, bump: move }, credit: { name: cdsCredit.name, curve: rebootstrapCredit(market, cdsCredit.curve, () => 0, undefined, move) } }) - cdsBase
          : bumped({ discount: { currency: ccy, bump: move } }) - v0;
      add('Risk_IRCurve', ccy, '', SIMM_IR_TENORS[k]!, 'OIS', s);
    }
  }
  // Interest rate delta: projection curves, on the sub-curve of their index
  for (const index of new Set(floatIndices(trade))) {
    const subCurve = simmSubCurve(index);
    if (subCurve === undefined) throw new Error(`trade ${trade.tradeId}: float index ${index} has a tenor with no SIMM sub-curve (OIS, 1M, 3M, 6M, 12M)`);
    const ccy = market.projectionCurve(index).currency;
    for (let k = 0; k < irVertices.length; k++) {
      if (!relevant(k)) continue;
      const s = bumped({ projection: { index, bump: (c) => bumpCurve(c, (t) => hatWeight(irVertices, k, t)) } }) - v0;
      add('Risk_IRCurve', ccy, '', SIMM_IR_TENORS[k]!, subCurve, s);
    }
  }
  // Cross-currency basis delta (§B, Risk_XCcyBasis): +1bp on the basis of each non-USD flow currency that has one
  // in the market (`curves.xccyBasis`), qualifier the currency; the value moves through the collateral-currency
  // discounting of that currency's flows
  const flowCurrencies = new Set<Currency>(tradeCurrencies(trade));
  for (const { currency, against } of market.xccyBasisQuotes?.() ?? []) {
    if (currency === CALCULATION_CURRENCY || !flowCurrencies.has(currency)) continue;
    add('Risk_XCcyBasis', currency, '', '', '', bumped({ xccyBasis: { currency, against, bp: 1 } }) - v0);
  }
  // FX delta against the calculation currency
  const fxCurrencies = new Set<Currency>([...tradeCurrencies(trade), pricingCurrency(trade)]);
  fxCurrencies.delete(CALCULATION_CURRENCY);
  for (const ccy of fxCurrencies) add('Risk_FX', ccy, '', '', '', bumped({ fxSpot: { currency: ccy, factor: 1.01 } }) - v0);

  const vega = (bump: (factor: number) => MarketBump) => (bumped(bump(1 + VOL_BUMP)) - bumped(bump(1 - VOL_BUMP))) / (2 * VOL_BUMP);
  const addVega = (riskType: SimmSensitivityRiskType, qualifier: string, bucket: string, expiryYears: number, amount: number) => {
    for (const { index, weight } of expiryWeights(irVertices, expiryYears)) add(riskType, qualifier, bucket, SIMM_IR_TENORS[index]!, '', weight * amount);
  };

  switch (trade.product) {
    case 'SWAPTION': {
      const ccy = trade.fixedLeg.currency;
      const t = market.time(trade.expiryDate);
      if (t <= 0) break;
      if (market.swaptionVols(ccy) === undefined) {
        notes.push(`trade ${trade.tradeId}: no IR vega (priced under Hull-White without a ${ccy} swaption vol surface)`);
        break;
      }
      if (trade.exerciseDates !== undefined) {
        // a Bermudan: each SIMM vertex's expiry bucket of the surface moved (its hat weight in expiry, SIMM v2.6
        // §B.8's vertices), the deal's LGM recalibrated to it (pricing/bermudanCalibration.ts: to its co-terminal
        // Europeans on the surface, whatever Hull-White parameters are given); the vertices' vegas add up to the
        // parallel one
        for (let k = 0; k < irVertices.length; k++) {
          const expiryWeight = (e: number) => hatWeight(irVertices, k, e);
          const amount = vega((factor) => ({ swaptionVol: { currency: ccy, factor, expiryWeight } }));
          if (amount !== 0) add('Risk_IRVol', ccy, '', SIMM_IR_TENORS[k]!, '', amount);
        }
        break;
      }
      addVega('Risk_IRVol', ccy, '', t, vega((factor) => ({ swaptionVol: { currency: ccy, factor } })));
      break;
    }
    case 'CAPFLOOR': {
      // each caplet's vega (its value's, the whole surface moved) at its own expiry
      const ccy = trade.floatLeg.currency;
      if (market.swaptionVols(ccy) === undefined && market.capFloorVols(ccy) === undefined) {
        notes.push(`trade ${trade.tradeId}: no IR vega (priced under Hull-White without ${ccy} caplet or swaption vols)`);
        break;
      }
      for (const caplet of capFloorParts(trade, market).options) {
        const t = market.time(caplet.expiryDate);
        if (t <= 0) continue;
        const at = (factor: number) => tradeValueUsd(caplet, bumpedMarket(market, { swaptionVol: { currency: ccy, factor } }), collateralCurrency);
        addVega('Risk_IRVol', ccy, '', t, (at(1 + VOL_BUMP) - at(1 - VOL_BUMP)) / (2 * VOL_BUMP));
      }
      break;
    }
    case 'FXOPT': {
      const t = market.time(trade.expiryDate);
      if (t <= 0) break;
      const { currency: base, currency2: quote } = trade;
      const perVolPoint = 0.01 / market.fxVol(base, quote, t);
      addVega('Risk_FXVol', `${base}${quote}`, '', t, perVolPoint * vega((factor) => ({ fxVol: { base, quote, factor } })));
      break;
    }
    case 'EQFWD':
    case 'EQOPT': {
      const name = trade.underlying;
      const bucket = ctx.equityBuckets?.get(name) ?? 'Residual';
      add('Risk_Equity', name, bucket, '', '', bumped({ equity: { name, spotFactor: 1.01 } }) - v0);
      if (trade.product === 'EQOPT') {
        const t = market.time(trade.expiryDate);
        if (t > 0) {
          const perVolPoint = 0.01 / market.equityVol(name, t);
          addVega('Risk_EquityVol', name, bucket, t, perVolPoint * vega((factor) => ({ equity: { name, volFactor: factor } })));
        }
      }
      break;
    }
    case 'CDS': {
      if (trade.maturityDate <= market.asOf) break;
      const name = trade.referenceEntity;
      const curve = market.creditCurve(name);
      const bucket = ctx.creditBuckets?.get(name) ?? 'Residual';
      // the base rebuild, on the curve's own currency's OIS curve (the loader's), gives back the market's hazards; one
      // that still sits past the edge of a non-negative hazard (a curve no currency rebuilds) is floored likewise, and said
      let baseFloored: string | undefined;
      const base = value(bumpedMarket(market, { credit: { name, curve: rebootstrapCredit(market, curve, () => 0, (tenor) => (baseFloored ??= tenor)) } }));
      if (baseFloored !== undefined) notes.push(`SIMM: credit curve ${name} rebuilt from its quotes needs a negative hazard rate at ${baseFloored}: floored at 0 for the CreditQ sensitivities`);
      for (let k = 0; k < SIMM_CREDIT_TENOR_YEARS.length; k++) {
        const moves = Array.from(curve.quoteTenorsYears).some((t) => hatWeight(SIMM_CREDIT_TENOR_YEARS, k, t) > 0);
        if (!moves) continue;
        // a curve whose quotes sit at the edge of a non-negative hazard (a spread near 0 after a longer tenor's) may
        // need a negative hazard once a shorter tenor is bumped: that interval's hazard is floored at 0, and said
        let floored: string | undefined;
        const bumpedCurve = rebootstrapCredit(market, curve, (t) => hatWeight(SIMM_CREDIT_TENOR_YEARS, k, t), (tenor) => (floored ??= tenor));
        if (floored !== undefined) notes.push(`SIMM: credit curve ${name} bumped 1bp at ${SIMM_CREDIT_TENORS[k]} needs a negative hazard rate at ${floored}: floored at 0 for the CreditQ sensitivities (that quote is not repriced, so the bump also lifts the later tenors: the tenor sensitivities overstate the parallel one)`);
        add('Risk_CreditQ', name, bucket, SIMM_CREDIT_TENORS[k]!, '', bumped({ credit: { name, curve: bumpedCurve } }) - base);
      }
      break;
    }
    default:
      break;
  }
  return { rows: [...rows.values()], notes };
}
