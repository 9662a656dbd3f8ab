/**
 * The days of a compounded overnight coupon with a lookback, an observation period shift or a lockout (the 2021 ISDA
 * Interest Rate Derivatives Definitions' "Compounding with Lookback", "Compounding with Observation Period Shift" and
 * "Compounding with Lockout"; QuantLib's OvernightIndexedCoupon lookbackDays / applyObservationShift / lockoutDays, ORE's
 * `Lookback` and `RateCutoff`). Dates only: pricing/legs.ts values the coupon from these days and a curve.
 *
 * For a period (s, e] with accrual fraction τ, lookback L, lockout K, on the leg's calendar and day count:
 * - the value days V_0 = s < V_1 < … < V_n = e are s, every business day strictly between, and e;
 * - without a shift, day i accrues over (V_i, V_{i+1}] at the rate fixed on F_i = V_i − L business days: weight
 *   δ_i = yf(V_i, V_{i+1}); the coupon's rate is (Π(1 + r_i·δ_i) − 1)/τ;
 * - with a shift, the observation days O_i = V_i − L business days replace the value days: the rate fixed on O_i weighs
 *   δ_i = yf(O_i, O_{i+1}), and the rate is (Π(1 + r_i·δ_i) − 1)/yf(O_0, O_n), the observation period's fraction (the
 *   ISDA definition's d, the calendar days of the observation period; ORE divides by it too);
 * - a lockout K < n makes the last K days take the rate of day n − 1 − K (their own weights kept).
 * Either way the coupon pays N·τ·(g·rate + spread) on its payment date.
 */
import { yearFraction } from '../conventions/dayCount.js';
import { calendarNamed, type Calendar } from '../conventions/holidays.js';
import type { DateSerial } from '../conventions/dates.js';
import { isTermIndex } from './capFloor.js';
import type { FloatLeg, SwapLeg, Trade } from './types.js';

/**
 * The floating legs on an overnight index of a swap (IRS and OIS, either leg of BASIS and XCCY): the legs a row's
 * `float_lookback_days`, `float_observation_shift` and `float_lockout_days` apply to.
 */
export function overnightSwapLegs(trade: Trade): FloatLeg[] {
  const legs: SwapLeg[] = trade.product === 'IRS' || trade.product === 'OIS' ? [trade.floatLeg] : trade.product === 'BASIS' || trade.product === 'XCCY' ? [trade.leg1, trade.leg2] : [];
  return legs.filter((leg): leg is FloatLeg => leg.kind === 'float' && !isTermIndex(leg.floatIndex));
}

/** A leg's compounding terms; undefined for plain compounding in arrears (no lookback, no lockout). */
export interface OvernightCompounding {
  lookbackDays: number;
  observationShift: boolean;
  lockoutDays: number;
}

export function overnightCompounding(leg: Pick<FloatLeg, 'lookbackDays' | 'observationShift' | 'lockoutDays'>): OvernightCompounding | undefined {
  const lookbackDays = leg.lookbackDays ?? 0;
  const lockoutDays = leg.lockoutDays ?? 0;
  // an observation shift by a lookback of 0 days moves nothing
  if (lookbackDays === 0 && lockoutDays === 0) return undefined;
  return { lookbackDays, observationShift: leg.observationShift === true && lookbackDays > 0, lockoutDays };
}

/** The daily rates of one coupon period. */
export interface DailyFixings {
  /** n: the rates compounded. */
  count: number;
  /** The date whose published rate day i takes (a lockout repeats one). */
  fixingDates: Int32Array;
  /** The business day after each fixing date: the end of that rate's own overnight period (its projection). */
  rateEnds: Int32Array;
  /** δ_i: the year fraction day i's rate accrues for. */
  weights: Float64Array;
  /** The first fixing date, and the business day after the last one before any lockout: the observation period. */
  observationStart: DateSerial;
  observationEnd: DateSerial;
  /** The fraction the compounded growth is divided by: τ, or the observation period's with a shift. */
  rateFraction: number;
}

/**
 * The business days from `lookbackDays` business days before `start` to the first business day after `end`, in order,
 * walked once (a coupon's days are read from it by position rather than by stepping a calendar day at a time per day).
 */
function businessDays(start: DateSerial, end: DateSerial, lookbackDays: number, calendar: Calendar): DateSerial[] {
  const before: DateSerial[] = [];
  for (let d = start - 1; before.length < lookbackDays; d--) if (calendar.isBusinessDay(d)) before.push(d);
  const days = before.reverse();
  let d = start;
  for (; d <= end; d++) if (calendar.isBusinessDay(d)) days.push(d);
  while (!calendar.isBusinessDay(d)) d++;
  days.push(d);
  return days;
}

/** Number of rates compounded over (start, end]: the business days strictly between, plus one. */
export function overnightRateCount(leg: Pick<FloatLeg, 'calendar'>, start: DateSerial, end: DateSerial): number {
  const calendar = calendarNamed(leg.calendar);
  let n = 1;
  for (let d = start + 1; d < end; d++) if (calendar.isBusinessDay(d)) n++;
  return n;
}

/**
 * The daily rates of the period (start, end] of `leg` under `terms` (module comment). `accrualFraction` is the
 * schedule's τ of the period. Throws when the lockout is not shorter than the period's rates (the trades reader
 * refuses such a row first, naming the period).
 */
export function dailyFixings(
  leg: Pick<FloatLeg, 'calendar' | 'dayCount'>,
  terms: OvernightCompounding,
  start: DateSerial,
  end: DateSerial,
  accrualFraction: number,
): DailyFixings {
  const L = terms.lookbackDays;
  const B = businessDays(start, end, L, calendarNamed(leg.calendar));
  // the value days: start, the business days strictly between, end
  const values: DateSerial[] = [start];
  for (const d of B) if (d > start && d < end) values.push(d);
  values.push(end);
  const n = values.length - 1;
  if (terms.lockoutDays >= n) throw new Error(`a lockout of ${terms.lockoutDays} business days needs a period of more rates than ${n}`);
  // d − L business days (addBusinessDays(d, −L)): the L-th business day before d, B[q − L] with q the business days
  // of B before d (a holiday counts from the business day before it); value days increase, so q only moves forward
  const back: DateSerial[] = new Array<DateSerial>(n + 1);
  let q = 0;
  for (let i = 0; i <= n; i++) {
    while (q < B.length && B[q]! < values[i]!) q++;
    back[i] = L === 0 ? values[i]! : B[q - L]!;
  }
  const interest = terms.observationShift ? back : values;
  const fixingDates = new Int32Array(n);
  const rateEnds = new Int32Array(n);
  const weights = new Float64Array(n);
  let b = 0;
  for (let i = 0; i < n; i++) {
    const fixing = back[i]!;
    fixingDates[i] = fixing;
    // the business day after the fixing date (fixing dates increase; B runs past the end)
    while (B[b]! <= fixing) b++;
    rateEnds[i] = B[b]!;
    weights[i] = yearFraction(leg.dayCount, interest[i]!, interest[i + 1]!);
  }
  const observationStart = fixingDates[0]!;
  const observationEnd = rateEnds[n - 1]!;
  if (terms.lockoutDays > 0) {
    const locked = n - 1 - terms.lockoutDays;
    for (let i = locked + 1; i < n; i++) {
      fixingDates[i] = fixingDates[locked]!;
      rateEnds[i] = rateEnds[locked]!;
    }
  }
  const rateFraction = terms.observationShift ? yearFraction(leg.dayCount, interest[0]!, interest[n]!) : accrualFraction;
  return { count: n, fixingDates, rateEnds, weights, observationStart, observationEnd, rateFraction };
}

const cache = new WeakMap<object, { start: DateSerial; end: DateSerial; days: DailyFixings }[]>();

/**
 * `dailyFixings` of period `index` of a leg's schedule, kept per leg object and period (a leg is plain data, priced
 * again under every bumped market of a sensitivity run, and its days do not depend on the market).
 */
export function periodFixings(
  leg: FloatLeg,
  terms: OvernightCompounding,
  index: number,
  start: DateSerial,
  end: DateSerial,
  accrualFraction: number,
): DailyFixings {
  let periods = cache.get(leg);
  if (periods === undefined) {
    periods = [];
    cache.set(leg, periods);
  }
  const kept = periods[index];
  if (kept !== undefined && kept.start === start && kept.end === end) return kept.days;
  const days = dailyFixings(leg, terms, start, end, accrualFraction);
  periods[index] = { start, end, days };
  return days;
}
