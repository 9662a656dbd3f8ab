/**
 * Dates as integer day serials: days since 1970-01-01 (UTC). Integers keep date arithmetic exact and fast, and
 * a serial fits in a typed array. Year fractions come from day counts (dayCount.ts), never from the serial alone.
 */

export type DateSerial = number;

const MS_PER_DAY = 86_400_000;

/**
 * Day counts of the proleptic Gregorian calendar in closed form (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", days_from_civil / civil_from_days): the 400-year era has 146,097 days, and a year counted from 1 March
 * puts the leap day last, so the day of the year maps to the month by ⌊(153·m' + 2)/5⌋. Integer arithmetic only, and
 * the same results as the Date object's UTC fields where both are defined (fromYmd: years 1..200,000, anything else
 * through Date.UTC; toYmd: every safe integer).
 */
const DAYS_PER_ERA = 146_097;
/** Days from 0000-03-01 to 1970-01-01. */
const EPOCH_SHIFT = 719_468;

export function fromYmd(year: number, month: number, day: number): DateSerial {
  // The closed form takes every year from 1 (so that 0001-01-01, the first date a CSV can hold, is that date); the
  // Date object rolls the rest over (below).
  if (Number.isInteger(year) && year >= 1 && year <= 200_000 && Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 1 && day <= 31) {
    const y = month <= 2 ? year - 1 : year; // >= 0: `| 0` is the floor below
    const era = (y / 400) | 0;
    const yearOfEra = y - era * 400;
    const dayOfYear = (((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) | 0) + day - 1;
    const dayOfEra = yearOfEra * 365 + (yearOfEra >> 2) - ((yearOfEra / 100) | 0) + dayOfYear;
    return era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT;
  }
  // rolled-over months and days (and far years) by the Date object, its years taken as given (setUTCFullYear, not
  // Date.UTC, whose years 0..99 are 1900..1999: the closed form above takes them literally)
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  return Math.round(at.getTime() / MS_PER_DAY);
}

export interface Ymd {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/**
 * The calendar date of a serial (a fraction of a day is dropped: the date of that instant). Closed form for every safe
 * integer, far beyond the years a date column may hold (MIN_DATE..MAX_DATE), so that a message can name the year of
 * an out-of-range value; anything else (NaN, ±Infinity) is no date and has NaN fields.
 */
export function toYmd(serial: DateSerial): Ymd {
  const whole = Math.floor(serial);
  // NaN or ±Infinity is no date: NaN fields, as the Date object gives (a message naming such a value prints it
  // rather than stopping the run with an internal error)
  if (!Number.isSafeInteger(whole)) return { year: NaN, month: NaN, day: NaN };
  const z = whole + EPOCH_SHIFT;
  // floor(z / 146097) exactly: `%` of doubles is exact, a quotient of that size is not (z up to 2^53)
  const rem = z % DAYS_PER_ERA;
  const era = (z - rem) / DAYS_PER_ERA - (rem < 0 ? 1 : 0);
  // Everything below is a non-negative integer under 2³¹: `| 0` is the floor.
  const dayOfEra = rem < 0 ? rem + DAYS_PER_ERA : rem; // [0, 146096]
  const yearOfEra = ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36_524) | 0) - ((dayOfEra / 146_096) | 0)) / 365) | 0; // [0, 399]
  const dayOfYear = dayOfEra - (365 * yearOfEra + (yearOfEra >> 2) - ((yearOfEra / 100) | 0)); // [0, 365], from 1 March
  const monthFromMarch = ((5 * dayOfYear + 2) / 153) | 0; // [0, 11]
  const day = dayOfYear - (((153 * monthFromMarch + 2) / 5) | 0) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The first and last dates a date column may hold, 0001-01-01 and 9999-12-31: those a CSV date YYYY-MM-DD can write. */
export const MIN_DATE: DateSerial = -719_162;
export const MAX_DATE: DateSerial = 2_932_896;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` (years 0001..9999); returns undefined for anything else, including impossible dates like 2021-02-30. */
export function parseIsoDate(text: string): DateSerial | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return fromYmd(year, month, day);
}

export function toIsoDate(serial: DateSerial): string {
  const { year, month, day } = toYmd(serial);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Milliseconds since the epoch (as Arrow DATE/TIMESTAMP values come) to a day serial, dropping the time of day. */
export function fromEpochMs(ms: number): DateSerial {
  return Math.floor(ms / MS_PER_DAY);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days of each month in a common year (January first). */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  // a constant table, not an array literal per call: schedules call this for every period of every leg
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

export function isEndOfMonth(serial: DateSerial): boolean {
  const { year, month, day } = toYmd(serial);
  return day === daysInMonth(year, month);
}

/** Day of week, 0 = Sunday ... 6 = Saturday. 1970-01-01 was a Thursday. */
export function dayOfWeek(serial: DateSerial): number {
  return (((serial + 4) % 7) + 7) % 7;
}

export function isWeekend(serial: DateSerial): boolean {
  const dow = dayOfWeek(serial);
  return dow === 0 || dow === 6;
}

/**
 * Adds calendar months. The day is clamped to the month's length; with `endOfMonth` a date on the last day of its
 * month stays on the last day (the ISDA end-of-month rule).
 */
export function addMonths(serial: DateSerial, months: number, endOfMonth = false): DateSerial {
  const { year, month, day } = toYmd(serial);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const dim = daysInMonth(y, m);
  const eom = endOfMonth && day === daysInMonth(year, month);
  return fromYmd(y, m, eom ? dim : Math.min(day, dim));
}

export function addYears(serial: DateSerial, years: number, endOfMonth = false): DateSerial {
  return addMonths(serial, 12 * years, endOfMonth);
}

/** A tenor such as `1D`, `2W`, `3M`, `10Y` (also `ON`/`O/N` = 1D). */
export interface Tenor {
  count: number;
  unit: 'D' | 'W' | 'M' | 'Y';
}

const TENOR = /^(\d+)\s*([DWMY])$/i;

export function parseTenor(text: string): Tenor | undefined {
  const t = text.trim().toUpperCase();
  if (t === 'ON' || t === 'O/N') return { count: 1, unit: 'D' };
  const m = TENOR.exec(t);
  if (!m) return undefined;
  return { count: Number(m[1]), unit: m[2]!.toUpperCase() as Tenor['unit'] };
}

export function addTenor(serial: DateSerial, tenor: Tenor, endOfMonth = false): DateSerial {
  switch (tenor.unit) {
    case 'D':
      return serial + tenor.count;
    case 'W':
      return serial + 7 * tenor.count;
    case 'M':
      return addMonths(serial, tenor.count, endOfMonth);
    case 'Y':
      return addMonths(serial, 12 * tenor.count, endOfMonth);
  }
}

/** Approximate length of a tenor in years (for sorting and bucketing only, never for accruals). */
export function tenorYears(tenor: Tenor): number {
  switch (tenor.unit) {
    case 'D':
      return tenor.count / 365;
    case 'W':
      return (7 * tenor.count) / 365;
    case 'M':
      return tenor.count / 12;
    case 'Y':
      return tenor.count;
  }
}

export function tenorToString(tenor: Tenor): string {
  return `${tenor.count}${tenor.unit}`;
}

/** Payment frequencies as columns spell them, with months per period. */
export const FREQUENCY_MONTHS = {
  '1M': 1,
  '3M': 3,
  '6M': 6,
  '12M': 12,
  '1Y': 12,
} as const;
export type Frequency = keyof typeof FREQUENCY_MONTHS;
export const FREQUENCIES = Object.keys(FREQUENCY_MONTHS) as Frequency[];

/** Exact time in years ACT/365F between two serials: the simulation's clock. */
export function yearsBetween(from: DateSerial, to: DateSerial): number {
  return (to - from) / 365;
}
