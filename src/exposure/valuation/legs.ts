/**
 * Swap legs, notional exchanges and FX exchanges compiled into currency pools (ratePool.ts): the same flows as
 * today's pricers (pricing/legs.ts, pricing/swaps.ts, pricing/fx.ts), so that the pooled value at t = 0 is today's
 * price. A flow paid on date D is alive at grid date d while dates[d] < D (value at t excludes flows paid at t).
 */
import type { Market } from '../../market/types.js';
import type { FixedLeg, FloatLeg, SwapLeg } from '../../products/types.js';
import { buildSchedule } from '../../conventions/schedule.js';
import { fixedLegFlows, floatLegFlows } from '../../pricing/legs.js';
import { projectionFor } from '../../pricing/swaps.js';
import { principalFlows } from '../../products/amortization.js';
import type { TimeGrid } from '../../simulation/types.js';
import { basisRatio } from '../../pricing/curves.js';
import { lastIndexBefore, lastIndexOnOrBefore } from './model.js';
import type { CurrencyPoolBuilder } from './ratePool.js';

/** Where legs put their flows: a currency pool's builder, or compile.ts's recorder in front of one. */
export type PoolSink = Pick<CurrencyPoolBuilder, 'lgm' | 'addBond' | 'addRunning'>;

/** `sign`·amount paid on `date` (a fixed flow, a notional or an FX exchange); ignored once paid. */
export function addPayment(pool: PoolSink, grid: TimeGrid, market: Market, tradeIndex: number, date: number, amount: number): void {
  if (date <= market.asOf) return;
  pool.addBond(tradeIndex, market.time(date), amount, lastIndexBefore(grid.dates, date));
}

/** Fixed coupons N·K·τ, received with sign +1. */
export function addFixedLeg(pool: PoolSink, grid: TimeGrid, market: Market, tradeIndex: number, leg: FixedLeg, sign: number): void {
  const schedule = buildSchedule(leg);
  const flows = fixedLegFlows(leg, market, schedule);
  const first = schedule.count - flows.count;
  for (let k = 0; k < flows.count; k++) {
    addPayment(pool, grid, market, tradeIndex, schedule.paymentDate[first + k]!, sign * flows.amounts[k]!);
  }
}

/**
 * Floating coupons N·τ·(g·L + spread) (g the gearing, 1 unless leveraged), received with sign +1 (ratePool.ts explains the three regimes). Coupons whose
 * fixing grid date is the as-of date are today's projected amounts, exactly as the pricer's.
 */
export function addFloatLeg(
  pool: PoolSink,
  grid: TimeGrid,
  market: Market,
  tradeId: string,
  tradeIndex: number,
  leg: FloatLeg,
  sign: number,
  periodNotional?: (scheduleIndex: number) => number | undefined,
): void {
  const projection = projectionFor(tradeId, leg, market);
  const schedule = buildSchedule(leg);
  const flows = floatLegFlows(leg, market, projection, schedule);
  const first = schedule.count - flows.count;
  const discount = pool.lgm.model;
  const spread = leg.spreadBp / 1e4;
  const gearing = leg.gearing ?? 1;
  for (let k = 0; k < flows.count; k++) {
    const i = first + k;
    // a mark-to-market leg's periods on their own notionals (fxReset.ts), the others left out
    const scale = periodNotional === undefined ? 1 : (periodNotional(i) ?? 0) / flows.notionals[k]!;
    if (scale === 0) continue;
    const startDate = schedule.accrualStart[i]!;
    const endDate = schedule.accrualEnd[i]!;
    const payDate = schedule.paymentDate[i]!;
    if (payDate !== endDate) throw new Error(`trade ${tradeId}: a floating coupon paid on another day than its accrual end is not supported`);
    const fixIndex = startDate < market.asOf ? 0 : lastIndexOnOrBefore(grid.dates, startDate);
    if (fixIndex <= 0) {
      // Fixed today (x = 0 on every path): the pricer's projected amount.
      addPayment(pool, grid, market, tradeIndex, payDate, sign * scale * flows.amounts[k]!);
      continue;
    }
    const s = flows.accrualStartTimes[k]!;
    const e = flows.accrualEndTimes[k]!;
    const tau = flows.accrualFractions[k]!;
    // β = forward growth on the projection curve over that on the discount curve (deterministic basis).
    const beta = basisRatio(projection, discount, s, e);
    const notional = sign * scale * flows.notionals[k]!;
    const lastPaid = lastIndexBefore(grid.dates, payDate);
    // N·τ·(g·L + spread) = g·N·(β/P(s,e) − 1) + N·τ·spread: the index part scaled by the gearing g
    pool.addBond(tradeIndex, s, gearing * notional * beta, fixIndex);
    pool.addBond(tradeIndex, e, notional * (tau * spread - gearing), lastPaid);
    pool.addRunning(tradeIndex, s, e, gearing * notional * beta, fixIndex, lastPaid);
  }
}

export function addSwapLeg(pool: PoolSink, grid: TimeGrid, market: Market, tradeId: string, tradeIndex: number, leg: SwapLeg, sign: number): void {
  if (leg.kind === 'fixed') addFixedLeg(pool, grid, market, tradeIndex, leg, sign);
  else addFloatLeg(pool, grid, market, tradeId, tradeIndex, leg, sign);
}

/** Cross-currency leg: coupons plus the initial (paid), amortising and final (received) notional exchanges, as xccyLegPv. */
export function addXccyLeg(
  pool: PoolSink,
  grid: TimeGrid,
  market: Market,
  tradeId: string,
  tradeIndex: number,
  leg: SwapLeg,
  sign: number,
  initialExchange: boolean,
  finalExchange: boolean,
): void {
  addSwapLeg(pool, grid, market, tradeId, tradeIndex, leg, sign);
  for (const flow of principalFlows(leg, initialExchange, finalExchange)) addPayment(pool, grid, market, tradeIndex, flow.date, sign * flow.amount);
}
