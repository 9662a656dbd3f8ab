/**
 * The CDS's survival-node weights at one grid date as first written (src/exposure/valuation/cds.ts before its
 * CdsDateWeights): today's curves and the conditional survival called on every use, the ISDA integrals over the curves
 * (market/cdsIntegrals.ts protectionIntegral, accrualIntegral), the weights in a Map by node time. The reference that
 * compileCds must equal bit for bit (test/valuation-fixed-costs.test.ts).
 */
import { addBusinessDays } from '../../src/conventions/calendar.js';
import { yearFraction } from '../../src/conventions/dayCount.js';
import type { Schedule } from '../../src/conventions/schedule.js';
import { accrualIntegral, protectionIntegral, type PricingCurves } from '../../src/market/cdsIntegrals.js';
import type { Market } from '../../src/market/types.js';
import type { CreditDefaultSwap } from '../../src/products/types.js';
import type { TimeGrid } from '../../src/simulation/types.js';
import { cdsSchedule, firstBreakAfter } from '../../src/exposure/valuation/cds.js';

/** Markit's half-day adjustment to the accrued time on default (ISDA CDS Standard Model v1.8.2), years. */
const HALF_DAY_YEARS = 0.5 / 365;
const NO_GRID = new Float64Array(0);

/**
 * Survival-node weights of the position's value per unit notional to the protection buyer at grid date index d: the
 * dirty value, plus the accrued premium rebated at the trade's cash settlement (trade_date + 3 business days) while
 * that is after the date.
 */
export function cdsNodeWeightsReference(
  trade: CreditDefaultSwap,
  market: Market,
  grid: TimeGrid,
  d: number,
  discount0: (t: number) => number,
  survivalRef: (u: number) => number,
  breakTimes: Float64Array,
  schedule: Schedule = cdsSchedule(trade),
): Map<number, number> {
  const weights = new Map<number, number>();
  const add = (u: number, w: number): void => {
    weights.set(u, (weights.get(u) ?? 0) + w);
  };
  const D = grid.dates[d]!;
  const t = grid.times[d]!;
  const time = (date: number): number => market.time(date);
  const p0t = discount0(t);
  const curves: PricingCurves = { discount: (u) => discount0(u) / p0t, survival: survivalRef, grid: NO_GRID };
  // Segments of [a, b] split at the break times strictly inside (the ISDA merged grid).
  const segments = (a: number, b: number, visit: (u0: number, u1: number) => void): void => {
    let u0 = a;
    for (let k = firstBreakAfter(breakTimes, a); k < breakTimes.length; k++) {
      const u = breakTimes[k]!;
      if (u <= u0) continue;
      if (u >= b) break;
      visit(u0, u);
      u0 = u;
    }
    visit(u0, b);
  };
  // Weight w with w·(S(u0) − S(u1)) = the segment integral at the reference curve.
  const perSurvivalDrop = (u0: number, u1: number, integral: number): number => {
    const drop = survivalRef(u0) - survivalRef(u1);
    return drop !== 0 ? integral / drop : Math.sqrt(curves.discount(u0) * curves.discount(u1)) * (integral === 0 ? 1 : 0);
  };

  const hazard = market.creditCurve(trade.referenceEntity);
  const recovery = hazard.recovery;
  const coupon = trade.fixedRate;
  const stepIn = D + 1;
  const protectionFrom = Math.max(trade.startDate, stepIn) - 1;
  if (trade.maturityDate > protectionFrom) {
    segments(time(protectionFrom), time(trade.maturityDate), (u0, u1) => {
      const w = (1 - recovery) * perSurvivalDrop(u0, u1, protectionIntegral(u0, u1, curves));
      add(u0, w);
      add(u1, -w);
    });
  }
  for (let i = 0; i < schedule.count; i++) {
    const start = schedule.accrualStart[i]!;
    const end = schedule.accrualEnd[i]!;
    if (end <= stepIn) continue;
    const tau = schedule.accrualFraction[i]!;
    add(time(end - 1), -coupon * tau * curves.discount(time(schedule.paymentDate[i]!)));
    const accrualPerYear = (tau * 365) / (end - start);
    const origin = time(start - 1) - HALF_DAY_YEARS;
    segments(time(Math.max(start, stepIn) - 1), time(end - 1), (u0, u1) => {
      if (!(u1 > u0)) return;
      const w = -coupon * accrualPerYear * perSurvivalDrop(u0, u1, accrualIntegral(u0, u1, origin, curves));
      add(u0, w);
      add(u1, -w);
    });
  }
  // The trade's accrued premium, rebated at its cash settlement while that is still to come (survival-independent).
  if (trade.tradeDate !== undefined) {
    const settle = addBusinessDays(trade.tradeDate, 3);
    if (settle > D) {
      let accruedFraction = 0;
      for (let i = 0; i < schedule.count; i++) {
        if (schedule.accrualEnd[i]! <= trade.tradeDate + 1) continue;
        if (schedule.accrualStart[i]! <= trade.tradeDate + 1) accruedFraction = yearFraction(trade.dayCount, schedule.accrualStart[i]!, trade.tradeDate + 1);
        break;
      }
      add(t, coupon * accruedFraction * (discount0(time(settle)) / p0t));
    }
  }
  return weights;
}
