/**
 * A CSA netting set whose swaps all pay their final flows on 3 July 2028 (close-out-end and GPU tests): zero thresholds,
 * no MTA, no rounding, MPoR 10 business days, and a grid of list tenors from the demo market's as-of date (30 June
 * 2026) whose exposure dates are the last live date (30 June 2028), the final payment date, 6 days after it (its lag
 * date before 30 June 2028: the balance called before is still held) and 30 days after it (lag date after it: C = 0).
 */
import { fromYmd, type DateSerial } from '../../src/conventions/dates.js';
import type { Portfolio } from '../../src/portfolio/types.js';
import type { Tenor } from '../../src/conventions/dates.js';
import { plainNettingSet, sofrSwap } from './swapBook.js';

export const FINAL_PAYMENT = fromYmd(2028, 7, 3);
export const LAST_LIVE = fromYmd(2028, 6, 30);

export function closeOutBook(asOf: DateSerial): { portfolio: Portfolio; tenors: Tenor[] } {
  const ns = plainNettingSet('NS_END', 'CP_END', { csa: true, marginPeriodOfRiskDays: 10 });
  // both swaps pay their final flows on 3 July 2028 (2 July 2028 is a Sunday: modified following); the bank owes the
  // net final coupon (it pays 4.5% on 100m, receives 3% on 40m, annual fixed against quarterly SOFR)
  const trades = [sofrSwap('T_PAY', 'NS_END', 'CP_END', 100e6, 0.045, 2, 'pay'), sofrSwap('T_REC', 'NS_END', 'CP_END', 40e6, 0.03, 2, 'receive')];
  const counterparty = { counterpartyId: 'CP_END', name: 'End', sector: 'financial', rating: 'A', region: 'north_america', qccp: false } satisfies Portfolio['counterparties'][number];
  const portfolio: Portfolio = { trades, counterparties: [counterparty], nettingSets: [ns], eligibleCollateral: [], collateral: [], sources: {} };
  const days = (d: number): Tenor => ({ count: d - asOf, unit: 'D' });
  const tenors: Tenor[] = [{ count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, days(LAST_LIVE), days(FINAL_PAYMENT), days(FINAL_PAYMENT + 6), days(FINAL_PAYMENT + 30)];
  return { portfolio, tenors };
}
