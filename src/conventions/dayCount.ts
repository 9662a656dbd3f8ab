/**
 * Day-count fractions (ISDA 2006 Definitions, section 4.16). Dates are day serials (dates.ts); the fraction is the
 * accrual of one unit of an annual rate from `start` (inclusive) to `end` (exclusive).
 *
 * - `ACT/360`  (4.16(e)): actual days / 360.
 * - `ACT/365F` (4.16(d)): actual days / 365.
 * - `30/360`   (4.16(f), "30/360 Bond Basis"): D1 = 31 becomes 30; D2 = 31 becomes 30 only when D1 is (now) 30 or 31;
 *   February month ends are NOT adjusted (that is 30E/360 ISDA, 4.16(h), which is not offered here).
 * - `ACT/ACT`  (4.16(b), "Actual/Actual ISDA"): days falling in a leap year / 366 + days in a non-leap year / 365.
 */
import { isLeapYear, toYmd, fromYmd, type DateSerial } from './dates.js';
import type { DayCount } from '../products/types.js';

export function yearFraction(dayCount: DayCount, start: DateSerial, end: DateSerial): number {
  switch (dayCount) {
    case 'ACT/360':
      return (end - start) / 360;
    case 'ACT/365F':
      return (end - start) / 365;
    case '30/360':
      return thirty360BondBasis(start, end);
    case 'ACT/ACT':
      return end >= start ? actActIsda(start, end) : -actActIsda(end, start);
    default: {
      const unknown: never = dayCount;
      throw new Error(`unsupported day count ${String(unknown)}: expected one of ACT/360, ACT/365F, 30/360, ACT/ACT`);
    }
  }
}

/** ISDA 2006 4.16(f): [360 (Y2 - Y1) + 30 (M2 - M1) + (D2 - D1)] / 360 with the Bond Basis day rules. */
function thirty360BondBasis(start: DateSerial, end: DateSerial): number {
  const a = toYmd(start);
  const b = toYmd(end);
  const d1 = a.day === 31 ? 30 : a.day;
  const d2 = b.day === 31 && d1 === 30 ? 30 : b.day;
  return (360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1)) / 360;
}

/** ISDA 2006 4.16(b): each calendar year's share of the days counted on its own basis (365 or 366). */
function actActIsda(start: DateSerial, end: DateSerial): number {
  const y1 = toYmd(start).year;
  const y2 = toYmd(end).year;
  if (y1 === y2) return (end - start) / (isLeapYear(y1) ? 366 : 365);
  // Days from start to 1 January of the following year, whole years between, then 1 January of y2 to end.
  let fraction = (fromYmd(y1 + 1, 1, 1) - start) / (isLeapYear(y1) ? 366 : 365);
  fraction += y2 - y1 - 1;
  fraction += (end - fromYmd(y2, 1, 1)) / (isLeapYear(y2) ? 366 : 365);
  return fraction;
}
