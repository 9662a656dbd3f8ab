/**
 * The small USD swap books of the initial-margin tests (funding-im.test.ts: IM held; posted-im.test.ts: IM posted):
 * 5-year SOFR swaps from 2 July 2026 (annual 30/360 fixed against quarterly SOFR, modified following) and the
 * engine options they run with (400 paths, seed 17, a grid from one month to five years, one thread).
 */
import { fromYmd } from '../../src/conventions/dates.js';
import type { SimulationOptions } from '../../src/exposure/engine.js';
import type { InterestRateSwap } from '../../src/products/types.js';

const START = fromYmd(2026, 7, 2);
const END = fromYmd(2031, 7, 2);

/** A 5-year USD IRS paying or receiving `fixedRate` on `notional` against SOFR. */
export function usdSwap(id: string, nettingSetId: string, counterpartyId: string, notional: number, fixedRate: number, direction: 'pay' | 'receive'): InterestRateSwap {
  const leg = { currency: 'USD' as const, notional, startDate: START, maturityDate: END, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    tradeId: id, counterpartyId, nettingSetId, cleared: false, product: 'IRS', direction,
    fixedLeg: { ...leg, kind: 'fixed', fixedRate, frequency: '1Y', dayCount: '30/360' },
    floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
  };
}

export const IM_BOOK_OPTIONS: SimulationOptions = {
  paths: 400,
  seed: 17,
  grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 3, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 3, unit: 'Y' }, { count: 4, unit: 'Y' }, { count: 5, unit: 'Y' }] },
  threads: 1,
  antithetic: false,
  pfeQuantile: 0.95,
  skipUnsupported: false,
};
