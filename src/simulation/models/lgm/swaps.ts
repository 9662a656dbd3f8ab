/**
 * Swaps as portfolios of zero bonds, the form in which the LGM prices options on them. With a deterministic
 * (multiplicative) spread between the projection and the discount curve, a float coupon over (S, E] paid at E is
 *
 *   τ·L(t; S, E)·P(t, E) = D·P(t, S) − P(t, E),   D = [P_proj(0,S)/P_proj(0,E)] / [P_disc(0,S)/P_disc(0,E)],
 *
 * exactly at every t and state (the usual deterministic-basis assumption of one-factor multi-curve models, LSG
 * §12.1). A fixed coupon K·τ at T is K·τ·P(t, T). So the swap in which one receives the fixed leg is Σ cᵢ·P(t, Tᵢ).
 *
 * Schedules here are in year fractions from the as-of date (ACT/365F), accruals equal to period lengths: the idealised
 * instruments of a calibration basket, not the date-rolled legs of a booked trade.
 */
import type { YieldCurve } from '../../../market/types.js';
import { XvaInternalError } from '../../../errors.js';

type Curve = Pick<YieldCurve, 'discount'>;

/** Value at t of the instrument = Σ amounts[i]·P(t, times[i]); times increasing, no duplicates. */
export interface ZeroBondPortfolio {
  readonly times: Float64Array;
  readonly amounts: Float64Array;
}

/** Accrual periods (starts[i], ends[i]] with year fractions `accruals[i]`; payment at the period end. */
export interface PeriodSchedule {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly accruals: Float64Array;
}

/** A swap's two legs in year fractions. */
export interface SwapSchedule {
  readonly fixed: PeriodSchedule;
  readonly float: PeriodSchedule;
}

/**
 * Periods of length 1/periodsPerYear rolled back from `endYears` to `startYears`, a short first stub when the
 * length does not divide (the market-standard backward roll). A stub shorter than one day is merged into the next period.
 */
export function rollBackSchedule(startYears: number, endYears: number, periodsPerYear: number): PeriodSchedule {
  if (!(endYears > startYears) || !(periodsPerYear > 0)) {
    throw new XvaInternalError(`cannot build a schedule from ${startYears} to ${endYears} with ${periodsPerYear} periods a year`);
  }
  const length = 1 / periodsPerYear;
  const minStub = 1 / 365;
  const bounds: number[] = [endYears];
  let k = 1;
  for (;;) {
    const t = endYears - k * length;
    if (t - startYears < minStub) break;
    bounds.push(t);
    k++;
  }
  bounds.push(startYears);
  bounds.reverse();
  const n = bounds.length - 1;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const accruals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = bounds[i]!;
    ends[i] = bounds[i + 1]!;
    accruals[i] = ends[i]! - starts[i]!;
  }
  return { starts, ends, accruals };
}

/** A swap from `startYears` for `tenorYears` with fixed and float periods rolled back from its maturity. */
export function swapSchedule(startYears: number, tenorYears: number, fixedPeriodsPerYear = 1, floatPeriodsPerYear = 2): SwapSchedule {
  const end = startYears + tenorYears;
  return { fixed: rollBackSchedule(startYears, end, fixedPeriodsPerYear), float: rollBackSchedule(startYears, end, floatPeriodsPerYear) };
}

/** Fixed-leg annuity Σ τᵢ·P(0, Tᵢ). */
export function swapAnnuity(discount: Curve, schedule: SwapSchedule): number {
  const { ends, accruals } = schedule.fixed;
  let annuity = 0;
  for (let i = 0; i < ends.length; i++) annuity += accruals[i]! * discount.discount(ends[i]!);
  return annuity;
}

/** Today's value of the float leg, Σ P_disc(0, E)·(P_proj(0,S)/P_proj(0,E) − 1); projection defaults to discount. */
export function floatLegValue(discount: Curve, schedule: SwapSchedule, projection: Curve = discount): number {
  const { starts, ends } = schedule.float;
  let value = 0;
  for (let j = 0; j < starts.length; j++) {
    value += discount.discount(ends[j]!) * (projection.discount(starts[j]!) / projection.discount(ends[j]!) - 1);
  }
  return value;
}

/** Forward (par) swap rate: float leg value over the fixed annuity. */
export function forwardSwapRate(discount: Curve, schedule: SwapSchedule, projection: Curve = discount): number {
  return floatLegValue(discount, schedule, projection) / swapAnnuity(discount, schedule);
}

/**
 * The swap receiving `fixedRate` and paying float, per unit notional, as zero bonds: +K·τᵢ at each fixed payment,
 * −D_j at each float start and +1 at each float end (see the file comment). Equal times are merged.
 */
export function receiverSwapBonds(
  discount: Curve,
  schedule: SwapSchedule,
  fixedRate: number,
  projection: Curve = discount,
): ZeroBondPortfolio {
  const flows = new Map<number, number>();
  const add = (t: number, amount: number): void => {
    flows.set(t, (flows.get(t) ?? 0) + amount);
  };
  const { ends: fixedEnds, accruals } = schedule.fixed;
  for (let i = 0; i < fixedEnds.length; i++) add(fixedEnds[i]!, fixedRate * accruals[i]!);
  const { starts, ends } = schedule.float;
  for (let j = 0; j < starts.length; j++) {
    const s = starts[j]!;
    const e = ends[j]!;
    // Deterministic basis factor D = forward growth on the projection curve over that on the discount curve.
    const basis = projection === discount ? 1 : (projection.discount(s) / projection.discount(e)) / (discount.discount(s) / discount.discount(e));
    add(s, -basis);
    add(e, 1);
  }
  const times = Float64Array.from([...flows.keys()].sort((x, y) => x - y));
  const amounts = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) amounts[i] = flows.get(times[i]!)!;
  return { times, amounts };
}
