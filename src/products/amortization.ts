/**
 * An amortising leg's notional as steps in time (products/types.ts AmortizationTerms): the notional outstanding from
 * each amortisation date, and the three readings the rest of the library needs: the notional of a coupon period (the
 * pricers on today's curves and on paths), the notional outstanding on a date (gross notional, the SIMM schedule's
 * notional) and the time-weighted average over the remaining life (SA-CCR's adjusted notional, CRE52.34, with the
 * rule for variable-notional swaps: the average notional over the remaining life; ../shared/reference/saccr
 * parameters.json `variable_notional_IR_credit`). A bullet leg (no `amortization`) has its `notional` throughout.
 */
import { adjust } from '../conventions/calendar.js';
import { calendarNamed } from '../conventions/holidays.js';
import { buildSchedule } from '../conventions/schedule.js';
import type { DateSerial } from '../conventions/dates.js';
import type { AmortizationTerms, FixedLeg, FloatLeg, Trade } from './types.js';

type Leg = FixedLeg | FloatLeg;

/** Notional `notionals[k]` outstanding from `fromDates[k]` (adjusted amortisation dates, increasing; k = 0: the start). */
export interface NotionalSteps {
  fromDates: Int32Array;
  notionals: Float64Array;
}

const cache = new WeakMap<object, NotionalSteps>();

/** The leg's steps: one step (its start, its notional) for a bullet leg. */
export function notionalSteps(leg: Leg): NotionalSteps {
  const terms = leg.amortization;
  if (terms === undefined) return { fromDates: Int32Array.of(leg.startDate), notionals: Float64Array.of(leg.notional) };
  const hit = cache.get(leg);
  if (hit !== undefined) return hit;
  let fromDates: Int32Array;
  let notionals: Float64Array;
  if (terms.kind === 'schedule') {
    // The given dates are contractual: rolled like the schedule's own dates (business-day convention and calendar),
    // so a step dated on a coupon date that falls on a holiday applies from the rolled accrual start.
    const calendar = calendarNamed(leg.calendar);
    fromDates = Int32Array.from([leg.startDate, ...terms.fromDates], (d) => adjust(d, leg.businessDayConvention, calendar));
    notionals = Float64Array.from([leg.notional, ...terms.notionals]);
  } else {
    // The amortisation dates roll with the leg's own conventions (calendar, business-day convention, stub, end of
    // month), so where the amortisation frequency is a multiple of a leg's frequency they fall on its accrual starts.
    const schedule = buildSchedule({ ...leg, frequency: terms.frequency });
    const n = schedule.count;
    fromDates = new Int32Array(n);
    notionals = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      fromDates[k] = schedule.accrualStart[k]!;
      notionals[k] = terms.kind === 'linear' ? (leg.notional * (n - k)) / n : Math.max(leg.notional - k * terms.amount, 0);
    }
  }
  const steps = { fromDates, notionals };
  cache.set(leg, steps);
  return steps;
}

/**
 * Index of the step in force on `date`: the last whose date is on or before it (the first step before the start). A
 * binary search: a monthly amortiser over 30 years has 360 steps, read once per coupon by every pricing.
 */
function stepOn(steps: NotionalSteps, date: DateSerial): number {
  let lo = 0;
  let hi = steps.fromDates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps.fromDates[mid]! <= date) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The notional of the coupon period accruing from `accrualStart`: the one outstanding on that date. */
export function periodNotional(leg: Leg, accrualStart: DateSerial): number {
  if (leg.amortization === undefined) return leg.notional;
  const steps = notionalSteps(leg);
  return steps.notionals[stepOn(steps, accrualStart)]!;
}

/** The notional outstanding on `date` (the initial notional before the start; the last step's after maturity). */
export function outstandingNotional(leg: Leg, date: DateSerial): number {
  return periodNotional(leg, date);
}

/**
 * The time-weighted average notional over the leg's remaining life, from max(`from`, start) to maturity (SA-CCR's
 * rule for amortising and accreting swaps: the average notional over the remaining life), time measured by `timeOf`
 * (default: calendar days; SA-CCR passes its own year fraction). A leg whose life has ended has its last step's
 * notional.
 */
export function averageNotional(leg: Leg, from: DateSerial, timeOf: (date: DateSerial) => number = (date) => date): number {
  if (leg.amortization === undefined) return leg.notional;
  const steps = notionalSteps(leg);
  return averageOfSteps(Array.from(steps.fromDates, timeOf), steps.notionals, timeOf(Math.max(from, leg.startDate)), timeOf(leg.maturityDate));
}

/**
 * The time-weighted average over [begin, end] of the step function worth `values[k]` from `times[k]` (increasing; the
 * first value before times[0]); the last value when end ≤ begin.
 */
export function averageOfSteps(times: ArrayLike<number>, values: ArrayLike<number>, begin: number, end: number): number {
  if (!(end > begin)) return values[values.length - 1]!;
  let weighted = 0;
  for (let k = 0; k < times.length; k++) {
    const a = k === 0 ? begin : Math.max(times[k]!, begin);
    const b = Math.min(k + 1 < times.length ? times[k + 1]! : end, end);
    if (b > a) weighted += values[k]! * (b - a);
  }
  return weighted / (end - begin);
}

/**
 * A cross-currency leg's terms from leg 1's: the same steps in proportion (`ratio` = notional2 / notional), so that
 * the two legs' notionals keep the traded exchange rate on every step.
 */
export function proportionalAmortization(terms: AmortizationTerms, ratio: number): AmortizationTerms {
  switch (terms.kind) {
    case 'linear':
      return terms;
    case 'fixed_amount':
      return { ...terms, amount: terms.amount * ratio };
    case 'schedule':
      return { ...terms, notionals: terms.notionals.map((n) => n * ratio) };
  }
}

/** One principal exchange of a cross-currency leg, as received by the holder of the leg (the initial one is paid). */
export interface PrincipalFlow {
  date: DateSerial;
  amount: number;
  kind: 'initial' | 'amortisation' | 'final';
}

/**
 * The principal exchanges of a cross-currency leg: the initial notional paid on the (adjusted) start date when
 * `initial`; with `final`, each step's change of notional received on its date (an amortising leg repays
 * N_{k−1} − N_k on step k; an accreting one pays the increase) and the last notional received on the last payment
 * date. A bullet leg: −N at the start, +N at the end.
 */
export function principalFlows(leg: Leg, initial: boolean, final: boolean): PrincipalFlow[] {
  const schedule = buildSchedule(leg);
  if (schedule.count === 0) return [];
  const start = schedule.accrualStart[0]!;
  // the final exchange on the last accrual end: a payment lag moves the coupons only (ORE's NotionalPaymentLag 0)
  const end = schedule.accrualEnd[schedule.count - 1]!;
  const out: PrincipalFlow[] = [];
  if (initial) out.push({ date: start, amount: -leg.notional, kind: 'initial' });
  if (!final) return out;
  const steps = notionalSteps(leg);
  for (let k = 1; k < steps.fromDates.length; k++) {
    const change = steps.notionals[k - 1]! - steps.notionals[k]!;
    if (change !== 0 && steps.fromDates[k]! < end) out.push({ date: steps.fromDates[k]!, amount: change, kind: 'amortisation' });
  }
  out.push({ date: end, amount: steps.notionals[steps.notionals.length - 1]!, kind: 'final' });
  return out;
}

/**
 * The leg that holds a trade's amortisation as booked (an IRS/OIS's or a swaption's underlying fixed leg, an XCCY's
 * leg 1); undefined for a bullet trade.
 */
export function amortisingLeg(trade: Trade): FixedLeg | FloatLeg | undefined {
  if (trade.product === 'IRS' || trade.product === 'OIS' || trade.product === 'SWAPTION') return trade.fixedLeg.amortization !== undefined ? trade.fixedLeg : undefined;
  if (trade.product === 'XCCY') return trade.leg1.amortization !== undefined ? trade.leg1 : undefined;
  if (trade.product === 'CAPFLOOR') return trade.floatLeg.amortization !== undefined ? trade.floatLeg : undefined;
  return undefined;
}
