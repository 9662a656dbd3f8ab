/**
 * The two integrals of the ISDA CDS Standard Model (see cdsIsda.ts), evaluated exactly for discount factors and
 * survival probabilities that are piecewise exponential between the points of a time grid (the merged nodes of both
 * curves): on a segment [t0, t1] with P Q = P0 Q0 exp(-(f + λ)(t - t0)), h = λ Δ = ln Q0 - ln Q1 and
 * x = (f + λ) Δ = (ln P0 - ln P1) + h,
 *   ∫ P (-dQ)             = h/x (P0Q0 - P1Q1),
 *   ∫ (t - origin) P (-dQ) = h/x [a0 (P0Q0 - P1Q1) + Δ ((P0Q0 - P1Q1)/x - P1Q1)],   a0 = t0 - origin,
 * and, where |x| < 1e-4, by their Taylor expansions in x (the ISDA code's guard against 0/0).
 */
import type { DateSerial } from '../conventions/dates.js';
import type { Schedule } from '../conventions/schedule.js';

/** Below this |(f + λ) Δt| the segment integrals are evaluated by Taylor expansion. */
const TAYLOR_THRESHOLD = 1e-4;

/** Discount and survival as functions of time, plus the sorted grid of times at which the integrals break. */
export interface PricingCurves {
  discount: (t: number) => number;
  survival: (t: number) => number;
  grid: Float64Array;
}

/** Sorted, de-duplicated positive times of both curves' nodes and the schedule's survival observation dates. */
export function mergedGrid(
  discountTimes: Float64Array,
  hazardTimes: Float64Array,
  schedule: Schedule,
  tradeDate: DateSerial,
): Float64Array {
  const all: number[] = [];
  for (const t of discountTimes) if (t > 0) all.push(t);
  for (const t of hazardTimes) if (t > 0) all.push(t);
  for (let i = 0; i < schedule.count; i++) all.push((schedule.accrualEnd[i]! - 1 - tradeDate) / 365);
  all.sort((a, b) => a - b);
  const grid: number[] = [];
  for (const t of all) if (grid.length === 0 || t > grid[grid.length - 1]!) grid.push(t);
  return Float64Array.from(grid);
}

/** Index of the first grid time strictly after t. */
function firstAfter(grid: Float64Array, t: number): number {
  let lo = 0;
  let hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One segment of protectionIntegral, from the logs of P and Q at its ends: h/x (P0Q0 − P1Q1), or its Taylor
 * expansion where |x| < TAYLOR_THRESHOLD.
 */
export function protectionSegment(lnP0: number, lnQ0: number, lnP1: number, lnQ1: number): number {
  const h = lnQ0 - lnQ1;
  const x = lnP0 - lnP1 + h;
  const pq0 = Math.exp(lnP0 + lnQ0);
  if (Math.abs(x) < TAYLOR_THRESHOLD) {
    // h/x (1 - e^{-x}) P0 Q0 with (1 - e^{-x})/x = 1 - x/2 + x²/6 - x³/24 + x⁴/120 - ...
    return pq0 * h * (1 - x * (1 / 2 - x * (1 / 6 - x * (1 / 24 - x / 120))));
  }
  return (h / x) * (pq0 - Math.exp(lnP1 + lnQ1));
}

/**
 * One segment [t0, t1] of accrualIntegral, from the logs of P and Q at its ends: h/x [a0 (P0Q0 − P1Q1) + Δ ((P0Q0 −
 * P1Q1)/x − P1Q1)], a0 = t0 − origin, Δ = t1 − t0, or its Taylor expansion where |x| < TAYLOR_THRESHOLD.
 */
export function accrualSegment(t0: number, t1: number, origin: number, lnP0: number, lnQ0: number, lnP1: number, lnQ1: number): number {
  const h = lnQ0 - lnQ1;
  const x = lnP0 - lnP1 + h;
  const a0 = t0 - origin;
  const dt = t1 - t0;
  const pq0 = Math.exp(lnP0 + lnQ0);
  if (Math.abs(x) < TAYLOR_THRESHOLD) {
    // (1 - e^{-x})/x and ((1 - e^{-x})/x - e^{-x})/x = 1/2 - x/3 + x²/8 - x³/30 + x⁴/144 - ...
    const e1 = 1 - x * (1 / 2 - x * (1 / 6 - x * (1 / 24 - x / 120)));
    const e2 = 1 / 2 - x * (1 / 3 - x * (1 / 8 - x * (1 / 30 - x / 144)));
    return pq0 * h * (a0 * e1 + dt * e2);
  }
  const pq1 = Math.exp(lnP1 + lnQ1);
  return (h / x) * (a0 * (pq0 - pq1) + dt * ((pq0 - pq1) / x - pq1));
}

/** ∫_{ta}^{tb} P(t) (-dQ(t)): the protection leg per unit loss, exact segment by segment. */
export function protectionIntegral(ta: number, tb: number, curves: PricingCurves): number {
  const { grid } = curves;
  let lnP0 = Math.log(curves.discount(ta));
  let lnQ0 = Math.log(curves.survival(ta));
  let sum = 0;
  for (let k = firstAfter(grid, ta); ; k++) {
    const t1 = k < grid.length && grid[k]! < tb ? grid[k]! : tb;
    const lnP1 = Math.log(curves.discount(t1));
    const lnQ1 = Math.log(curves.survival(t1));
    sum += protectionSegment(lnP0, lnQ0, lnP1, lnQ1);
    if (t1 >= tb) break;
    lnP0 = lnP1;
    lnQ0 = lnQ1;
  }
  return sum;
}

/**
 * ∫_{ta}^{tb} (t - origin) P(t) (-dQ(t)), exact segment by segment: on [t0, t1] with a0 = t0 - origin, Δ = t1 - t0,
 * = h/x [a0 (P0Q0 - P1Q1) + Δ ((P0Q0 - P1Q1)/x - P1Q1)].
 */
export function accrualIntegral(ta: number, tb: number, origin: number, curves: PricingCurves): number {
  if (!(tb > ta)) return 0;
  const { grid } = curves;
  let t0 = ta;
  let lnP0 = Math.log(curves.discount(ta));
  let lnQ0 = Math.log(curves.survival(ta));
  let sum = 0;
  for (let k = firstAfter(grid, ta); ; k++) {
    const t1 = k < grid.length && grid[k]! < tb ? grid[k]! : tb;
    const lnP1 = Math.log(curves.discount(t1));
    const lnQ1 = Math.log(curves.survival(t1));
    sum += accrualSegment(t0, t1, origin, lnP0, lnQ0, lnP1, lnQ1);
    if (t1 >= tb) break;
    t0 = t1;
    lnP0 = lnP1;
    lnQ0 = lnQ1;
  }
  return sum;
}
