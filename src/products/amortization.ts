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
import type { FixedLeg, FloatLeg } from './types.js';

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

/** Index of the step in force on `date`: the last whose date is on or before it (the first step before the start). */
function stepOn(steps: NotionalSteps, date: DateSerial): number {
  let k = 0;
  while (k + 1 < steps.fromDates.length && steps.fromDates[k + 1]! <= date) k++;
  return k;
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
 * The time-weighted average notional over the leg's remaining life, from max(`from`, start) to maturity in calendar
 * days (SA-CCR's rule for amortising and accreting swaps: the average notional over the remaining life).
 * A leg whose life has ended has its last step's notional.
 */
export function averageNotional(leg: Leg, from: DateSerial): number {
  if (leg.amortization === undefined) return leg.notional;
  const steps = notionalSteps(leg);
  const begin = Math.max(from, leg.startDate);
  const end = leg.maturityDate;
  if (!(end > begin)) return steps.notionals[steps.notionals.length - 1]!;
  let weighted = 0;
  for (let k = 0; k < steps.fromDates.length; k++) {
    const a = Math.max(steps.fromDates[k]!, begin);
    const b = Math.min(k + 1 < steps.fromDates.length ? steps.fromDates[k + 1]! : end, end);
    if (b > a) weighted += steps.notionals[k]! * (b - a);
  }
  return weighted / (end - begin);
}
