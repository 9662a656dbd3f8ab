/**
 * The settlement (spot) date of an FX quote: `days` business days after the as-of date on the joint holiday calendar of
 * the pair's two currencies' main centres (the market's T+2, T+1 for USDCAD). A quote settling on that date is the
 * outright forward to it, S = X(0)·P_1(T_s)/P_2(T_s), so today's rate is X(0) = S·P_2(T_s)/P_1(T_s) (the curves of
 * each currency collateralised in the base currency, as the forwards of today's prices read them).
 *
 * Simplification, stated in docs/market.md: the spot date is counted on the joint calendar of the two centres; the
 * market's finer rule for pairs against USD (an intermediate day need only be a business day of the non-USD centre,
 * and a USD holiday on the spot date itself moves it) is not applied. HKD and SGD have no holiday calendar in xva:
 * their side of a pair counts weekends only.
 */
import { toYmd, type DateSerial } from '../conventions/dates.js';
import { addBusinessDays } from '../conventions/calendar.js';
import { calendarNamed, calendarYears, WEEKENDS_ONLY, type HolidayCentre } from '../conventions/holidays.js';
import type { Currency } from '../products/types.js';
import type { FxPair } from './fx.js';

/** Each currency's settlement centre (ISDA business-centre codes as docs/inputs.md's `calendar`); none: weekends only. */
export const FX_SETTLEMENT_CENTRE: Readonly<Record<Currency, HolidayCentre | undefined>> = {
  USD: 'USNY', EUR: 'TARGET', GBP: 'GBLO', JPY: 'JPTO', CHF: 'CHZU', CAD: 'CATO', AUD: 'AUSY', NZD: 'NZWE',
  SEK: 'SEST', NOK: 'NOOS', DKK: 'DKCO', HKD: undefined, SGD: undefined,
};

/** The joint calendar name of a pair's settlement centres (`weekends` when neither has one). */
export function fxSettlementCalendarName(pair: FxPair): string {
  const centres = [FX_SETTLEMENT_CENTRE[pair.base], FX_SETTLEMENT_CENTRE[pair.quote]].filter((c): c is HolidayCentre => c !== undefined);
  return centres.length === 0 ? WEEKENDS_ONLY : [...new Set(centres)].sort().join('+');
}

/**
 * The pair's spot date `days` business days after `asOf`, or a reason why it cannot be counted (the as-of year outside
 * the years the calendar has rules for).
 */
export function fxSpotDate(asOf: DateSerial, pair: FxPair, days: number): { date: DateSerial } | { reason: string } {
  const name = fxSettlementCalendarName(pair);
  if (name !== WEEKENDS_ONLY) {
    const { first, last } = calendarYears(name);
    const year = toYmd(asOf).year;
    // the spot date lies at most a few weeks after the as-of date: the as-of year and the next must have rules
    if (year < first || year + 1 > last) return { reason: `the ${name} calendar has rules for ${first} to ${last} only` };
  }
  return { date: addBusinessDays(asOf, days, calendarNamed(name)) };
}
