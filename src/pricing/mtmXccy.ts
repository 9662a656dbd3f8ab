/**
 * Mark-to-market (resetting) cross-currency swaps (`fx_reset`): one floating leg, the resetting leg in currency U,
 * resets its notional at the accrual start s_i of each of its periods after the first to N_i = N_C·X(s_i), the other
 * (constant) leg's notional N_C times the FX rate X (units of U per unit of C) on that day, and the difference
 * N_i − N_{i−1} is exchanged then. Its first period runs on its own notional N_0 (the trade's). So period i of the
 * resetting leg is the deposit "pay N_i at s_i, receive N_i·(1 + (L_i + spread)·τ_i) at e_i" (the initial exchange is
 * period 0's outlay, the final exchange period n's repayment; ORE's FXReset leg, the interbank EUR/USD or GBP/USD
 * basis swap).
 *
 * Value of a period whose notional is not known yet (s_i after the valuation date t). At s_i the period is worth
 * N_i·(β_i − 1 + τ_i·spread·P_U(s_i, e_i)) in U, β_i the deterministic ratio of the projection curve's growth to the
 * discount curve's over (s_i, e_i) (ratePool.ts: under one factor per currency 1 + L_i·τ_i = β_i/P_U(s_i, e_i)), and
 * N_i = N_C·X(s_i) U paid at s_i is N_C of currency C paid then, so
 *
 *   V_i(t) = N_C·P_C(t, s_i)·(β_i − 1)  +  N_C·τ_i·spread·P_C(t, s_i)·P_U(t, e_i)/P_U(t, s_i)      (in C).
 *
 * The first term is exact. The second takes the notional and U's rate over the period as independent (no quanto
 * adjustment for the correlation of X with U's rates), as ORE's and QuantLib's FX-linked notionals do; it is
 * τ·spread of the notional per period, and with the spread on the constant leg, the market's convention, it is 0.
 * A period whose notional is known (the first, or one that reset on or before the as-of date: the market's FX fixing
 * `FX-<C>-<U>` of s_i, else today's spot, listed by `resetsWithoutFixing`) is an ordinary floating period in U on N_i.
 * The FX rate is taken on the accrual start itself (no fixing lag), as the term rates' fixings.
 */
import type { Market, YieldCurve } from '../market/types.js';
import type { CrossCurrencySwap, Currency, FloatLeg, SwapLeg } from '../products/types.js';
import type { DateSerial } from '../conventions/dates.js';
import { buildSchedule } from '../conventions/schedule.js';
import { floatLegFlows, type LegFlows } from './legs.js';
import { projectionFor } from './swaps.js';
import { basisRatio } from './curves.js';

/** One live period of the resetting leg (paid after the as-of date). */
export interface ResetPeriod {
  /** Index of the period in the leg's schedule (0 = the first, which does not reset). */
  index: number;
  /** Index of its flow in `MtmResetTerms.flows`. */
  flow: number;
  start: DateSerial;
  pay: DateSerial;
  /**
   * The period's notional in U where it is known today: the first period's, or a reset on or before the as-of date;
   * undefined for a reset after it.
   */
  notional?: number;
  /** A reset before the as-of date without its FX fixing in the market: today's spot stands in. */
  unfixed?: boolean;
}

export interface MtmResetTerms {
  resetting: FloatLeg;
  constant: SwapLeg;
  /** U: the resetting leg's currency; C: the constant leg's. */
  resettingCurrency: Currency;
  constantCurrency: Currency;
  /** The constant leg's notional N_C (a bullet leg). */
  constantNotional: number;
  /** The resetting leg's flows still to be paid on its own notional (pricing/legs.ts floatLegFlows). */
  flows: LegFlows;
  periods: ResetPeriod[];
}

/** The resetting leg of a trade with `fxReset` and its live periods, the notionals known today filled in. */
export function mtmResetTerms(trade: CrossCurrencySwap, market: Market): MtmResetTerms {
  if (trade.fxReset === undefined) throw new Error(`trade ${trade.tradeId}: not a resetting cross-currency swap`);
  const [resetting, constant] = trade.fxReset === 'leg1' ? [trade.leg1, trade.leg2] : [trade.leg2, trade.leg1];
  if (resetting.kind !== 'float') throw new Error(`trade ${trade.tradeId}: a resetting leg must float (fx_reset ${trade.fxReset})`);
  if (resetting.paymentLagDays) throw new Error(`trade ${trade.tradeId}: a resetting leg with a payment lag is not supported`);
  if (!trade.initialExchange || !trade.finalExchange || resetting.amortization !== undefined || constant.amortization !== undefined) {
    throw new Error(`trade ${trade.tradeId}: a resetting swap must be a bullet swap with both notional exchanges`);
  }
  const schedule = buildSchedule(resetting);
  const flows = floatLegFlows(resetting, market, projectionFor(trade.tradeId, resetting, market), schedule);
  const first = schedule.count - flows.count;
  const U = resetting.currency;
  const C = constant.currency;
  const periods: ResetPeriod[] = [];
  for (let k = 0; k < flows.count; k++) {
    const i = first + k;
    const start = schedule.accrualStart[i]!;
    const period: ResetPeriod = { index: i, flow: k, start, pay: schedule.paymentDate[i]! };
    if (i === 0) period.notional = resetting.notional;
    else if (start <= market.asOf) {
      const fixed = market.fxFixing(C, U, start);
      period.notional = constant.notional * (fixed ?? market.fxSpot(C, U));
      if (fixed === undefined && start < market.asOf) period.unfixed = true;
    }
    periods.push(period);
  }
  return { resetting, constant, resettingCurrency: U, constantCurrency: C, constantNotional: constant.notional, flows, periods };
}

/**
 * PV today of the resetting leg as received (its periods' outlays paid, their repayments and coupons received), in U,
 * discounted on `discountU` (U) and `discountC` (C, for the periods that reset after today); the module comment gives
 * the formulas.
 */
export function resettingLegPv(trade: CrossCurrencySwap, market: Market, discountU: YieldCurve, discountC: YieldCurve): number {
  const terms = mtmResetTerms(trade, market);
  const { resetting, flows } = terms;
  const projection = projectionFor(trade.tradeId, resetting, market);
  const spread = resetting.spreadBp / 1e4;
  let pvU = 0;
  let pvC = 0;
  for (const period of terms.periods) {
    const k = period.flow;
    const pay = flows.paymentTimes[k]!;
    if (period.notional !== undefined) {
      const n = period.notional;
      // the coupon on N_i (its amount is linear in the notional), the repayment, the outlay if still to come
      pvU += (flows.amounts[k]! * (n / flows.notionals[k]!) + n) * discountU.discount(pay);
      if (period.start > market.asOf) pvU -= n * discountU.discount(flows.accrualStartTimes[k]!);
      continue;
    }
    const s = flows.accrualStartTimes[k]!;
    const e = flows.accrualEndTimes[k]!;
    const beta = basisRatio(projection, discountU, s, e);
    const forwardU = discountU.discount(pay) / discountU.discount(s);
    pvC += terms.constantNotional * discountC.discount(s) * (beta - 1 + flows.accrualFractions[k]! * spread * forwardU);
  }
  return pvU + pvC * market.fxSpot(terms.constantCurrency, terms.resettingCurrency);
}

/** Trades whose resets before the as-of date have no FX fixing in the market (today's spot stands in): id and dates. */
export function resetsWithoutFixing(trade: CrossCurrencySwap, market: Market): DateSerial[] {
  if (trade.fxReset === undefined) return [];
  return mtmResetTerms(trade, market).periods.filter((p) => p.unfixed).map((p) => p.start);
}
