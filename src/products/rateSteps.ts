/**
 * Step-up (and step-down) fixed rates and cap/floor strikes (products/types.ts RateSteps): the rate of a coupon
 * period is the one in force on its accrual start, as a notional step's (products/amortization.ts). The given dates
 * are contractual, so they roll like the schedule's own dates (business-day convention and calendar): a step dated on
 * a coupon date that falls on a holiday applies from the rolled accrual start.
 */
import { adjust } from '../conventions/calendar.js';
import type { DateSerial } from '../conventions/dates.js';
import { calendarNamed } from '../conventions/holidays.js';
import type { RateSteps, ScheduleTerms } from './types.js';

/** Rolled step dates per steps object (the steps are plain data read once; legs are rebuilt often by spreading). */
const rolled = new WeakMap<RateSteps, Int32Array>();

function rolledDates(steps: RateSteps, terms: Pick<ScheduleTerms, 'businessDayConvention' | 'calendar'>): Int32Array {
  let dates = rolled.get(steps);
  if (dates === undefined) {
    const calendar = calendarNamed(terms.calendar);
    dates = Int32Array.from(steps.fromDates, (d) => adjust(d, terms.businessDayConvention, calendar));
    rolled.set(steps, dates);
  }
  return dates;
}

/**
 * The rate of the period accruing from `accrualStart`: `base` (the trade's own rate) before the first step, else the
 * last step's on or before that date.
 */
export function rateOn(base: number, steps: RateSteps | undefined, terms: Pick<ScheduleTerms, 'businessDayConvention' | 'calendar'>, accrualStart: DateSerial): number {
  const i = stepInForce(steps, terms, accrualStart);
  return i < 0 ? base : steps!.rates[i]!;
}

/** Index of the step in force on `accrualStart` (the last whose rolled date is on or before it); −1: the base rate. */
export function stepInForce(steps: RateSteps | undefined, terms: Pick<ScheduleTerms, 'businessDayConvention' | 'calendar'>, accrualStart: DateSerial): number {
  if (steps === undefined) return -1;
  const dates = rolledDates(steps, terms);
  let i = -1;
  while (i + 1 < dates.length && dates[i + 1]! <= accrualStart) i++;
  return i;
}

/** A leg's rate terms replaced by one flat rate (an annuity is the leg at rate 1); every other term kept. */
export function withFlatRate<L extends { fixedRate: number; rateSteps?: RateSteps }>(leg: L, fixedRate: number): L {
  const { rateSteps: _steps, ...rest } = leg;
  return { ...rest, fixedRate } as L;
}
