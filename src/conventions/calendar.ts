/**
 * Business-day rolls. The default calendar is weekends only (Saturday and Sunday are holidays), as the ISDA CDS
 * Standard Model and Markit's converter use ("WeekendsOnly"); swap schedules may name a holiday calendar
 * (holidays.ts: TARGET, GBLO, USNY, CHZU, JPTO, SEST, NOOS, DKCO, CATO, AUSY, NZAU, NZWE and joint ones) through their `calendar` term.
 */
import { toYmd, type DateSerial } from './dates.js';
import { calendarNamed, type Calendar } from './holidays.js';
import type { BusinessDayConvention } from '../products/types.js';

const WEEKENDS = calendarNamed(undefined);

export function isBusinessDay(date: DateSerial, calendar: Calendar = WEEKENDS): boolean {
  return calendar.isBusinessDay(date);
}

/** Following: the first business day on or after `date`. */
function following(date: DateSerial, calendar: Calendar): DateSerial {
  let d = date;
  while (!calendar.isBusinessDay(d)) d++;
  return d;
}

/** Preceding: the last business day on or before `date`. */
function preceding(date: DateSerial, calendar: Calendar): DateSerial {
  let d = date;
  while (!calendar.isBusinessDay(d)) d--;
  return d;
}

/**
 * ISDA 2006 4.12 business day conventions: F = Following; MF = Modified Following (following, unless that crosses into
 * the next calendar month, then preceding); P = Preceding; MP = Modified Preceding (preceding, unless that crosses into
 * the previous calendar month, then following: QuantLib's ModifiedPreceding); U = unadjusted.
 */
export function adjust(date: DateSerial, convention: BusinessDayConvention, calendar: Calendar = WEEKENDS): DateSerial {
  switch (convention) {
    case 'U':
      return date;
    case 'F':
      return following(date, calendar);
    case 'MF': {
      const next = following(date, calendar);
      return toYmd(next).month === toYmd(date).month ? next : preceding(date, calendar);
    }
    case 'P':
      return preceding(date, calendar);
    case 'MP': {
      const previous = preceding(date, calendar);
      return toYmd(previous).month === toYmd(date).month ? previous : following(date, calendar);
    }
    default: {
      const unknown: never = convention;
      throw new Error(`unsupported business day convention ${String(unknown)}: expected one of F, MF, P, MP, U`);
    }
  }
}

/**
 * Moves `days` business days forward (backward when negative). A start on a holiday first counts from it as if it
 * were the previous business day, so `addBusinessDays(Saturday, 1)` is Monday. `days = 0` returns `date` unchanged.
 */
export function addBusinessDays(date: DateSerial, days: number, calendar: Calendar = WEEKENDS): DateSerial {
  if (!Number.isInteger(days)) throw new Error(`business days must be a whole number, got ${days}`);
  let d = date;
  let left = Math.abs(days);
  const step = days >= 0 ? 1 : -1;
  while (left > 0) {
    d += step;
    if (calendar.isBusinessDay(d)) left--;
  }
  return d;
}
