/**
 * European swaptions valued today, in the swap currency. With a swaption vol surface for the currency: the market
 * formula on the forward swap rate F = PV(floating leg)/A, A = Σ N·τ·P(t_pay) the fixed-leg annuity, with Bachelier
 * (normal vols) or shifted Black-76 (lognormal vols) at the surface's vol for expiry × tenor (swaptionVol.ts).
 * Without a surface: Hull-White by Jamshidian's decomposition (hullWhite.ts). Neither: an error.
 *
 * Settlement:
 * - physical: value = A·Option(F, K).
 * - cash (par-yield convention, ISDA 2006 Definitions §18.2 "Cash Price"/"Par Yield Curve - Unadjusted", as quoted
 *   for EUR and GBP): the payoff at the underlying's start date t_s is N·A_cash(S)·(S − K)⁺ with the annuity
 *   A_cash(S) = Σ_{i=1..n} (1/m)/(1 + S/m)^i (m fixed payments a year, n fixed periods). Valued by the market formula
 *   N·P(t_s)·A_cash(F)·Option(F, K) (Mercurio, "Cash-settled swaptions and no-arbitrage", Risk 2008). Cash settlement
 *   under Hull-White without a surface is not supported.
 *
 * A caplet on an overnight index compounded in arrears over [s, e] (`inArrears`, products/capFloor.ts) expires at s
 * but its rate moves until e. On a surface its variance runs over the effective time s + (e − s)/3: the vol read at s
 * (as a term caplet's) decays linearly to 0 over the accrual period (Lyashenko & Mercurio, "Looking Forward to
 * Backward-Looking Rates", 2019, §6). Under Hull-White the compounded factor e^{∫ₛᵉ r du} is lognormal with the exact
 * variance of ∫ₛᵉ r du (hullWhite.ts `inArrearsCapletHullWhite`).
 */
import type { HullWhiteParams, Market, SwaptionVolSurface, YieldCurve } from '../market/types.js';
import type { Currency, Swaption } from '../products/types.js';
import { FREQUENCY_MONTHS, toIsoDate } from '../conventions/dates.js';
import { bachelier, black76 } from './black.js';
import { discountCurveFor, unsupported } from './curves.js';
import { inArrearsCapletHullWhite, jamshidianSwaption } from './hullWhite.js';
import { fixedLegFlows, floatLegFlows, flowsPv, type LegFlows } from './legs.js';
import { projectionFor } from './swaps.js';
import { capletVolatility, swaptionVolatility } from './swaptionVol.js';

/** Underlying tenor in years for the vol surface: start to maturity in whole months (ACT/365.25 rounded). */
export function swaptionTenorYears(trade: Swaption): number {
  return Math.round(((trade.fixedLeg.maturityDate - trade.fixedLeg.startDate) / 365.25) * 12) / 12;
}

/**
 * The tenor at which the surface is read for an underlying whose notional steps (amortising or accreting): its
 * weighted average life, Σ_k N_k·(e_k − s_k) / max_k N_k over the fixed leg's periods (on the market's year clock, whole months), so a
 * swap repaid linearly over 5 years reads the 3-year vol, as desks quote an amortising swaption at its average life;
 * normalised by the peak notional, an accreting swap's stays within its tenor. A bullet's is swaptionTenorYears.
 */
export function swaptionVolTenorYears(trade: Swaption, fixedFlows: LegFlows): number {
  if (trade.fixedLeg.amortization === undefined || fixedFlows.count === 0) return swaptionTenorYears(trade);
  let peak = 0;
  for (let j = 0; j < fixedFlows.count; j++) peak = Math.max(peak, fixedFlows.notionals[j]!);
  if (!(peak > 0)) return swaptionTenorYears(trade);
  let life = 0; // Σ N_k·(e_k − s_k) in years, e_k − s_k from the flows' accrual times (years on the market's clock)
  for (let j = 0; j < fixedFlows.count; j++) life += fixedFlows.notionals[j]! * (fixedFlows.accrualEndTimes[j]! - fixedFlows.accrualStartTimes[j]!);
  return Math.max(1, Math.round((life / peak) * 12)) / 12;
}

/**
 * The vol surface a swaption is priced on: a cap's caplet reads the currency's caplet vols where the market has them
 * (flat in tenor), else the swaption surface; undefined without either (Hull-White, or an error).
 */
export function optionVolSurface(trade: Pick<Swaption, 'caplet' | 'fixedLeg'>, market: Pick<Market, 'capFloorVols' | 'swaptionVols'>): SwaptionVolSurface | undefined {
  const ccy = trade.fixedLeg.currency;
  return (trade.caplet ? market.capFloorVols(ccy) : undefined) ?? market.swaptionVols(ccy);
}

/**
 * Shifted Black-76 values an option on F + shift struck at K + shift, both lognormal, so it needs K + shift > 0
 * (Bachelier, on normal vols, takes any strike).
 */
export function shiftedBlackTakesStrike(surface: SwaptionVolSurface, strike: number): boolean {
  return surface.type === 'normal' || strike + surface.shift > 0;
}

/**
 * Why shifted Black cannot value a caplet: its strike on the index, K′ = (K − s)/g (products/capFloor.ts
 * effectiveStrike), is at or below −shift. The trade's own cells are named by the input check (portfolio/capletStrikes.ts).
 */
export function capletBelowShift(caplet: Pick<Swaption, 'expiryDate' | 'fixedLeg' | 'floatLeg'>, effectiveStrike: number, surface: SwaptionVolSurface): string {
  return (
    `the caplet fixing ${toIsoDate(caplet.expiryDate)} has the effective strike K′ = (K − s)/g = ${effectiveStrike} on ${caplet.floatLeg.floatIndex} ` +
    `(the strike K less the float_spread_bp s, over the float_gearing g), at or below −${surface.shift}: shifted Black on the ` +
    `${surface.currency} lognormal vols (shift ${surface.shift}) needs K′ + shift > 0`
  );
}

/** Par-yield cash annuity Σ_{i=1..n} (1/m)/(1 + S/m)^i. */
export function cashSettledAnnuity(swapRate: number, paymentsPerYear: number, periods: number): number {
  const growth = 1 + swapRate / paymentsPerYear;
  let annuity = 0;
  let factor = 1;
  for (let i = 1; i <= periods; i++) {
    factor /= growth;
    annuity += factor / paymentsPerYear;
  }
  return annuity;
}

/**
 * Undiscounted option on the forward swap rate per unit annuity from the market surface: the vol read at
 * `expiryYears`, its variance over `varianceYears` (the expiry itself, but for a caplet in arrears:
 * inArrearsVarianceYears).
 */
export function swaptionOnRate(
  optionType: 'payer' | 'receiver',
  surface: SwaptionVolSurface,
  forward: number,
  strike: number,
  expiryYears: number,
  tenorYears: number,
  tradeId: string,
  varianceYears = expiryYears,
): number {
  const callPut = optionType === 'payer' ? 'call' : 'put';
  // a caplet surface with a smile is read at the caplet's strike (its quotes carry strikes; swaption quotes never do)
  const vol = surface.quotes[0]?.strike !== undefined ? capletVolatility(surface, expiryYears, strike) : swaptionVolatility(surface, expiryYears, tenorYears);
  if (surface.type === 'normal') return bachelier(callPut, forward, strike, vol, varianceYears);
  if (!(forward + surface.shift > 0) || !(strike + surface.shift > 0)) {
    throw new Error(
      `trade ${tradeId}: shifted Black needs forward + shift and strike + shift > 0 (forward ${forward}, strike ${strike}, shift ${surface.shift} for ${surface.currency})`,
    );
  }
  return black76(callPut, forward + surface.shift, strike + surface.shift, vol, varianceYears);
}

/**
 * The time over which a caplet compounded in arrears over [s, e] accumulates variance at the vol quoted for s:
 * s + (e − s)/3 (years from today), the integral of a vol decaying linearly from its quote at s to 0 at e, squared
 * (Lyashenko & Mercurio 2019, §6: the rate's uncertainty shrinks as the period's daily fixings come in).
 */
export function inArrearsVarianceYears(startYears: number, endYears: number): number {
  return startYears + (endYears - startYears) / 3;
}

/**
 * The payer swap at expiry T as zero-bond cash flows for Jamshidian: each floating period contributes
 * +N·P(T,s) − N·P(T,e) plus a deterministic basis flow d at its payment date, chosen so that today's value equals
 * the projected coupon's PV (d = [coupon·P(0,p) − N(P(0,s) − P(0,e))]/P(0,p): zero for a single-curve leg paying at
 * period end without spread), N the period's notional (an amortising leg's steps: on a shared date the −N of one
 * period and the +N of the next leave the repayment); each fixed coupon is paid (negative).
 */
export function hullWhiteSwapFlows(
  floatFlows: LegFlows,
  fixedFlows: LegFlows,
  discount: YieldCurve,
): { times: Float64Array; amounts: Float64Array } {
  const n = 3 * floatFlows.count + fixedFlows.count;
  const times = new Float64Array(n);
  const amounts = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < floatFlows.count; i++) {
    const s = floatFlows.accrualStartTimes[i]!;
    const e = floatFlows.accrualEndTimes[i]!;
    const p = floatFlows.paymentTimes[i]!;
    const pS = discount.discount(s);
    const pE = discount.discount(e);
    const pP = discount.discount(p);
    const floatNotional = floatFlows.notionals[i]!;
    times[k] = s;
    amounts[k++] = floatNotional;
    times[k] = e;
    amounts[k++] = -floatNotional;
    times[k] = p;
    amounts[k++] = (floatFlows.amounts[i]! * pP - floatNotional * (pS - pE)) / pP;
  }
  for (let j = 0; j < fixedFlows.count; j++) {
    times[k] = fixedFlows.paymentTimes[j]!;
    amounts[k++] = -fixedFlows.amounts[j]!;
  }
  return { times, amounts };
}

export function priceSwaption(trade: Swaption, market: Market, collateralCurrency?: Currency): number {
  const { fixedLeg, floatLeg, tradeId } = trade;
  const ccy = fixedLeg.currency;
  if (floatLeg.currency !== ccy) throw unsupported(tradeId, `a swaption on legs in ${ccy} and ${floatLeg.currency}`);
  if (trade.expiryDate < market.asOf) {
    throw unsupported(tradeId, 'a swaption that expired before the as-of date (its exercise is not in the trade data)');
  }
  if (Math.min(fixedLeg.startDate, floatLeg.startDate) < trade.expiryDate) {
    throw unsupported(tradeId, 'a swaption whose underlying swap starts before the expiry date');
  }
  const discount = discountCurveFor(market, ccy, collateralCurrency);
  const fixedFlows = fixedLegFlows(fixedLeg, market);
  const floatFlows = floatLegFlows(floatLeg, market, projectionFor(tradeId, floatLeg, market));
  const sign = trade.direction === 'buy' ? 1 : -1;
  const expiryYears = market.time(trade.expiryDate);
  const surface = optionVolSurface(trade, market);
  const hullWhite: HullWhiteParams | undefined = market.hullWhite(ccy);

  if (surface !== undefined) {
    let annuityPerRate = 0; // Σ N·τ·P(t_pay), N each period's notional
    for (let j = 0; j < fixedFlows.count; j++) {
      annuityPerRate += fixedFlows.notionals[j]! * fixedFlows.accrualFractions[j]! * discount.discount(fixedFlows.paymentTimes[j]!);
    }
    const forward = flowsPv(floatFlows, discount) / annuityPerRate;
    // a step-up underlying is quoted at its annuity-weighted rate (pricing/legs.ts effectiveFixedRate)
    const strike = fixedLeg.rateSteps === undefined ? fixedLeg.fixedRate : flowsPv(fixedFlows, discount) / annuityPerRate;
    if (trade.caplet && !shiftedBlackTakesStrike(surface, strike)) throw new Error(`trade ${tradeId}: ${capletBelowShift(trade, strike, surface)}`);
    const varianceYears = trade.inArrears ? inArrearsVarianceYears(expiryYears, market.time(floatLeg.maturityDate)) : expiryYears;
    const option = swaptionOnRate(trade.optionType, surface, forward, strike, expiryYears, swaptionVolTenorYears(trade, fixedFlows), tradeId, varianceYears);
    if (trade.settlement === 'physical') return sign * annuityPerRate * option;
    if (fixedLeg.amortization !== undefined) throw unsupported(tradeId, 'a cash-settled swaption on an amortising swap (the par-yield cash annuity is a bullet swap\'s)');
    if (fixedLeg.rateSteps !== undefined) throw unsupported(tradeId, 'a cash-settled swaption on a step-up swap (the par-yield cash annuity is a flat-rate swap\'s)');
    const paymentsPerYear = 12 / FREQUENCY_MONTHS[fixedLeg.frequency];
    const settleYears = fixedFlows.count > 0 ? fixedFlows.accrualStartTimes[0]! : expiryYears;
    const cashAnnuity = cashSettledAnnuity(forward, paymentsPerYear, fixedFlows.count);
    return sign * fixedLeg.notional * discount.discount(settleYears) * cashAnnuity * option;
  }
  if (hullWhite !== undefined) {
    if (trade.settlement === 'cash') {
      throw unsupported(tradeId, `a cash-settled swaption priced under Hull-White (give swaption vols for ${ccy} in the market file: rates.${ccy}.swaptionVols)`);
    }
    if (trade.inArrears) return sign * inArrearsCapletHullWhite(trade.optionType, hullWhite, (t) => discount.discount(t), floatFlows, fixedFlows);
    const flows = hullWhiteSwapFlows(floatFlows, fixedFlows, discount);
    return sign * jamshidianSwaption(trade.optionType, hullWhite, (t) => discount.discount(t), expiryYears, flows.times, flows.amounts);
  }
  throw new Error(
    `trade ${tradeId}: cannot price the ${ccy} swaption: the market has neither swaption vols nor Hull-White parameters for ${ccy} (rates.${ccy} in the market file)`,
  );
}
