/**
 * Accrual schedules of swap legs from their terms (products/types.ts ScheduleTerms).
 *
 * Rule (ISDA 2006 / market practice, as QuantLib's Schedule does it):
 * 1. Unadjusted dates are rolled from one anchor with whole multiples of the period, never period by period, so a
 *    clamped day (31 -> 30) does not drift: `short_front` anchors on the maturity and rolls backwards (the stub, if
 *    any, is the first period); `short_back` anchors on the start and rolls forwards (the stub is the last period).
 * 2. End-of-month rule: with `terms.endOfMonth` and an anchor on the last day of its month, every rolled date is the
 *    last day of its month (addMonths' ISDA end-of-month rule).
 * 3. Stub merge: a stub shorter than MIN_STUB_DAYS (7) calendar days, measured on unadjusted dates, is merged into the
 *    adjacent regular period, which becomes a long period (a 2-day front stub is not a coupon anyone trades).
 * 4. Every date, the start and the maturity included, is then adjusted with `terms.businessDayConvention` on the
 *    leg's calendar (`terms.calendar`, holidays.ts; weekends only when it names none). Payment dates are the accrual
 *    end dates, or `terms.paymentLagDays` business days of that calendar after them; fractions use `terms.dayCount`
 *    on the adjusted dates.
 */
import { addMonths, isEndOfMonth, FREQUENCY_MONTHS, toIsoDate, type DateSerial } from './dates.js';
import { addBusinessDays, adjust } from './calendar.js';
import { calendarNamed } from './holidays.js';
import { yearFraction } from './dayCount.js';
import type { ScheduleTerms } from '../products/types.js';

export interface Schedule {
  /** Number of periods. */
  count: number;
  /** Adjusted accrual start dates (serials). */
  accrualStart: Int32Array;
  /** Adjusted accrual end dates. */
  accrualEnd: Int32Array;
  /** Payment dates: accrualEnd, or `paymentLagDays` business days after it. */
  paymentDate: Int32Array;
  /** yearFraction(dayCount, accrualStart, accrualEnd). */
  accrualFraction: Float64Array;
}

/** Stubs shorter than this many calendar days are merged into the neighbouring period (rule 3 above). */
export const MIN_STUB_DAYS = 7;

export function buildSchedule(terms: ScheduleTerms): Schedule {
  const { startDate, maturityDate } = terms;
  if (!(maturityDate > startDate)) {
    throw new Error(
      `schedule maturity ${toIsoDate(maturityDate)} must be after its start ${toIsoDate(startDate)}`,
    );
  }
  const months = FREQUENCY_MONTHS[terms.frequency];
  if (months === undefined) throw new Error(`unsupported frequency ${String(terms.frequency)}`);
  const unadjusted = terms.stub === 'short_back'
    ? rollForward(startDate, maturityDate, months, terms.endOfMonth)
    : rollBackward(startDate, maturityDate, months, terms.endOfMonth);

  const calendar = calendarNamed(terms.calendar);
  const count = unadjusted.length - 1;
  const accrualStart = new Int32Array(count);
  const accrualEnd = new Int32Array(count);
  const accrualFraction = new Float64Array(count);
  let previous = adjust(unadjusted[0]!, terms.businessDayConvention, calendar);
  for (let i = 0; i < count; i++) {
    const next = adjust(unadjusted[i + 1]!, terms.businessDayConvention, calendar);
    accrualStart[i] = previous;
    accrualEnd[i] = next;
    accrualFraction[i] = yearFraction(terms.dayCount, previous, next);
    previous = next;
  }
  const paymentDate = accrualEnd.slice();
  const lag = terms.paymentLagDays ?? 0;
  if (lag !== 0) for (let i = 0; i < count; i++) paymentDate[i] = addBusinessDays(accrualEnd[i]!, lag, calendar);
  return { count, accrualStart, accrualEnd, paymentDate, accrualFraction };
}

/** short_front: maturity - k * months for k = 0, 1, ... while after start; the front stub merged when too short. */
function rollBackward(start: DateSerial, maturity: DateSerial, months: number, endOfMonth: boolean): DateSerial[] {
  const eom = endOfMonth && isEndOfMonth(maturity);
  const dates: DateSerial[] = [maturity];
  for (let k = 1; ; k++) {
    const d = addMonths(maturity, -k * months, eom);
    if (d <= start) break;
    dates.push(d);
  }
  dates.push(start);
  dates.reverse();
  // dates[1] is the first rolled date; a front stub shorter than MIN_STUB_DAYS joins the first regular period.
  if (dates.length > 2 && dates[1]! - start < MIN_STUB_DAYS) dates.splice(1, 1);
  return dates;
}

/** short_back: start + k * months for k = 0, 1, ... while before maturity; the back stub merged when too short. */
function rollForward(start: DateSerial, maturity: DateSerial, months: number, endOfMonth: boolean): DateSerial[] {
  const eom = endOfMonth && isEndOfMonth(start);
  const dates: DateSerial[] = [start];
  for (let k = 1; ; k++) {
    const d = addMonths(start, k * months, eom);
    if (d >= maturity) break;
    dates.push(d);
  }
  dates.push(maturity);
  const n = dates.length;
  if (n > 2 && maturity - dates[n - 2]! < MIN_STUB_DAYS) dates.splice(n - 2, 1);
  return dates;
}
