/**
 * SA-CCR time and FX conventions shared by the product mappings.
 *
 * Times: CRE52.31 asks for "years" without a day count; xva uses ACT/ACT ISDA from the as-of date (as ORE does), so
 * whole years from 1 January are exact integers (the BCBS examples' 10, 4 and 11 years).
 *
 * FX pairs: CRE52.59 FAQ1 asks for one ordering per pair used consistently, matching market practice. xva orders a
 * pair by the market's quoting priority EUR > GBP > AUD > NZD > USD > CAD > CHF > NOK > SEK > DKK > HKD > SGD > JPY
 * (EURUSD, GBPUSD, USDJPY, EURGBP): the pair's risk factor is the price of the first currency in the second.
 */
import { yearFraction } from '../../conventions/dayCount.js';
import type { DateSerial } from '../../conventions/dates.js';
import { buildSchedule } from '../../conventions/schedule.js';
import type { Market } from '../../market/types.js';
import type { Currency, SwapLeg } from '../../products/types.js';
import type { SaccrTimeConvention } from './types.js';

/** Years ACT/ACT ISDA from the as-of date to `date` (negative before it). */
export function saccrYears(market: Pick<Market, 'asOf'>, date: DateSerial): number {
  return yearFraction('ACT/ACT', market.asOf, date);
}

const FX_PRIORITY: readonly Currency[] = ['EUR', 'GBP', 'AUD', 'NZD', 'USD', 'CAD', 'CHF', 'NOK', 'SEK', 'DKK', 'HKD', 'SGD', 'JPY'];

/**
 * The pair of two currencies in market order: [first, second], the risk factor being first priced in second; currencies
 * outside the priority list come after those in it, in alphabetical order among themselves, so that a pair has one
 * order whichever way it is given (CRE52.45: one hedging set per pair).
 */
export function fxPairOrder(a: Currency, b: Currency): [Currency, Currency] {
  const rank = (c: Currency) => {
    const i = FX_PRIORITY.indexOf(c);
    return i >= 0 ? i : FX_PRIORITY.length;
  };
  const ra = rank(a);
  const rb = rank(b);
  return ra < rb || (ra === rb && a <= b) ? [a, b] : [b, a];
}

/** Units of the base currency per unit of `currency` today. */
export function toBase(market: Market, currency: Currency): number {
  return currency === market.baseCurrency ? 1 : market.fxSpot(currency, market.baseCurrency);
}

export interface SwapTimes {
  startYears: number;
  endYears: number;
  maturityYears: number;
}

/**
 * S, E and M of swap legs from their schedules (payment = adjusted accrual end):
 * - cre52: S = time to the first accrual start, 0 once begun (CRE52.34); E = M = time to the last payment (CRE52.31).
 * - ore: S = time to the first payment still to come on any leg; E = M = time to the last payment.
 */
export function swapLegTimes(legs: readonly SwapLeg[], market: Pick<Market, 'asOf'>, convention: SaccrTimeConvention): SwapTimes {
  let firstStart = Infinity;
  let firstFuturePayment = Infinity;
  let lastPayment = -Infinity;
  for (const leg of legs) {
    const schedule = buildSchedule(leg);
    firstStart = Math.min(firstStart, schedule.accrualStart[0]!);
    for (let i = 0; i < schedule.count; i++) {
      const pay = schedule.paymentDate[i]!;
      if (pay > market.asOf && pay < firstFuturePayment) firstFuturePayment = pay;
      if (pay > lastPayment) lastPayment = pay;
    }
  }
  const endYears = saccrYears(market, lastPayment);
  const startDate = convention === 'ore' ? firstFuturePayment : firstStart;
  const startYears = Math.max(0, saccrYears(market, startDate));
  return { startYears, endYears, maturityYears: endYears };
}
