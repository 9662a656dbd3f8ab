/**
 * Dates of standard single-name CDS contracts after the 2009 "Big Bang" (ISDA CDS Standard Model; Markit, "Standard
 * CDS Examples: supporting document for the implementation of the ISDA CDS Standard Model"):
 * - roll (IMM) dates are the 20th of March, June, September and December; maturities are unadjusted roll dates;
 * - coupon payment dates are roll dates adjusted Following on the weekends-only calendar;
 * - an accrual period runs from the previous (adjusted) payment date to the day before this payment date, inclusive,
 *   except the last, which runs to and includes the unadjusted maturity date (its end is stored as maturity + 1);
 * - the step-in date is T+1 (calendar); the cash settlement date is T+3 business days;
 * - a trade accrues from the last adjusted roll date on or before its step-in date.
 */
import { addMonths, addTenor, fromYmd, toYmd, toIsoDate, type DateSerial, type Tenor } from './dates.js';
import { adjust } from './calendar.js';
import { yearFraction } from './dayCount.js';
import type { Schedule } from './schedule.js';
import type { DayCount } from '../products/types.js';

/** Day of month of CDS roll dates. */
export const CDS_ROLL_DAY = 20;

/** First unadjusted roll date (20 Mar/Jun/Sep/Dec) strictly after `date`. */
export function nextCdsRollDate(date: DateSerial): DateSerial {
  const { year, month } = toYmd(date);
  // Candidate in the current quarter-end month, then step by quarters until strictly after `date`.
  let y = year;
  let m = Math.ceil(month / 3) * 3;
  let candidate = fromYmd(y, m, CDS_ROLL_DAY);
  while (candidate <= date) {
    m += 3;
    if (m > 12) {
      m -= 12;
      y += 1;
    }
    candidate = fromYmd(y, m, CDS_ROLL_DAY);
  }
  return candidate;
}

/** Last unadjusted roll date on or before `date`. */
export function previousCdsRollDate(date: DateSerial): DateSerial {
  return addMonths(nextCdsRollDate(date), -3);
}

/**
 * How a tenor maps to a standard maturity. `CDS2009` (the 2009 "Big Bang", quarterly roll, the default): the first
 * roll date strictly after tradeDate + tenor, e.g. traded 21 May 2009, 5Y -> 20 Jun 2014; traded 19 Mar 2009, 5Y ->
 * 20 Mar 2014; traded 20 Mar 2009, 5Y -> 20 Jun 2014. `CDS2015` (ISDA, December 2015, semi-annual roll): the tenor is
 * counted from the last 20 Mar or 20 Sep on or before the trade date, plus 3 months, e.g. traded 26 Jul 2021, 5Y ->
 * 20 Jun 2026; traded 19 Mar 2021, 5Y -> 20 Dec 2025.
 */
export type CdsMaturityRule = 'CDS2009' | 'CDS2015';

/** Standard maturity (an unadjusted roll date) of a contract of `tenor` traded on `tradeDate`; see CdsMaturityRule. */
export function cdsStandardMaturity(tradeDate: DateSerial, tenor: Tenor, rule: CdsMaturityRule = 'CDS2009'): DateSerial {
  if (rule === 'CDS2009') return nextCdsRollDate(addTenor(tradeDate, tenor));
  if (tenor.unit !== 'M' && tenor.unit !== 'Y') {
    throw new Error(`CDS tenor ${tenor.count}${tenor.unit}: the CDS2015 maturity rule needs a tenor in months or years`);
  }
  const { year, month, day } = toYmd(tradeDate);
  // Last semi-annual roll (20 Mar or 20 Sep) on or before the trade date.
  const onOrAfter = (m: number): boolean => month > m || (month === m && day >= CDS_ROLL_DAY);
  const anchor = onOrAfter(9)
    ? fromYmd(year, 9, CDS_ROLL_DAY)
    : onOrAfter(3)
      ? fromYmd(year, 3, CDS_ROLL_DAY)
      : fromYmd(year - 1, 9, CDS_ROLL_DAY);
  const tenorMonths = tenor.unit === 'Y' ? 12 * tenor.count : tenor.count;
  return addMonths(anchor, tenorMonths + 3);
}

/**
 * Accrual start of a standard contract traded on `tradeDate`: the last roll date, adjusted Following, on or before
 * the step-in date T+1. (Traded Thu 19 Mar 2009 -> Fri 20 Mar 2009; traded Sat 20 Jun 2009 -> Fri 20 Mar 2009, since
 * the June roll adjusts to Mon 22 Jun, after the step-in date Sun 21 Jun.) With `maturityDate`, a roll date on or
 * after the maturity is not a coupon date of the contract, so the previous one is taken (a contract maturing Fri 20 Jun
 * 2014 traded on 19 Jun 2014 still accrues from 20 Mar 2014: its last period includes the maturity date).
 */
export function cdsStandardAccrualStart(tradeDate: DateSerial, maturityDate?: DateSerial): DateSerial {
  const stepIn = tradeDate + 1;
  let roll = previousCdsRollDate(stepIn);
  while (adjust(roll, 'F') > stepIn || (maturityDate !== undefined && adjust(roll, 'F') >= maturityDate)) {
    roll = addMonths(roll, -3);
  }
  return adjust(roll, 'F');
}

/**
 * The fee-leg schedule of a CDS (ISDA CDS Standard Model): unadjusted dates rolled backwards from `maturityDate` by
 * `frequencyMonths` while after `startDate` (a front stub, kept however short, as the ISDA code does); accrual starts
 * and ends are those dates adjusted Following, the first start is `startDate` adjusted Following; the last accrual end is
 * maturity + 1 (the maturity date accrues) and the last payment is on the maturity adjusted Following.
 */
export function buildCdsSchedule(
  startDate: DateSerial,
  maturityDate: DateSerial,
  frequencyMonths: number,
  dayCount: DayCount,
): Schedule {
  if (!(maturityDate > startDate)) {
    throw new Error(`CDS maturity ${toIsoDate(maturityDate)} must be after its accrual start ${toIsoDate(startDate)}`);
  }
  if (!(Number.isInteger(frequencyMonths) && frequencyMonths > 0 && frequencyMonths <= 12)) {
    throw new Error(`CDS premium frequency ${frequencyMonths} months: expected a whole number of months from 1 to 12`);
  }
  const firstStart = adjust(startDate, 'F');
  const rolled: DateSerial[] = [];
  for (let k = 1; ; k++) {
    const d = addMonths(maturityDate, -k * frequencyMonths);
    // A rolled date that adjusts onto (or before) the adjusted start would make an empty period: drop it.
    if (d <= startDate || adjust(d, 'F') <= firstStart) break;
    rolled.push(d);
  }
  rolled.reverse();
  const count = rolled.length + 1;
  const accrualStart = new Int32Array(count);
  const accrualEnd = new Int32Array(count);
  const paymentDate = new Int32Array(count);
  const accrualFraction = new Float64Array(count);
  let start = firstStart;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const end = last ? maturityDate + 1 : adjust(rolled[i]!, 'F');
    accrualStart[i] = start;
    accrualEnd[i] = end;
    paymentDate[i] = last ? adjust(maturityDate, 'F') : end;
    accrualFraction[i] = yearFraction(dayCount, start, end);
    start = end;
  }
  return { count, accrualStart, accrualEnd, paymentDate, accrualFraction };
}
