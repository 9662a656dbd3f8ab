/**
 * The hand-built USD swap books of the optimiser and MVA tests (optimize-measure, optimize-csa, static-mva): SOFR swaps
 * from 2 July 2026 (annual 30/360 fixed against quarterly SOFR, modified following) of a given length, and netting sets
 * with no CSA, no IM model and USD collateral unless `terms` say otherwise.
 */
import { fromYmd } from '../../src/conventions/dates.js';
import type { NettingSet } from '../../src/portfolio/types.js';
import type { InterestRateSwap } from '../../src/products/types.js';

/** A USD IRS of `years` from 2 July 2026 paying or receiving `fixedRate` on `notional` against SOFR. */
export function sofrSwap(id: string, nettingSetId: string, counterpartyId: string, notional: number, fixedRate: number, years: number, direction: 'pay' | 'receive'): InterestRateSwap {
  const leg = { currency: 'USD' as const, notional, startDate: fromYmd(2026, 7, 2), maturityDate: fromYmd(2026 + years, 7, 2), businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    tradeId: id, counterpartyId, nettingSetId, cleared: false, product: 'IRS', direction,
    fixedLeg: { ...leg, kind: 'fixed', fixedRate, frequency: '1Y', dayCount: '30/360' },
    floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
  };
}

/** A netting set without CSA or IM model, in USD, with `terms` on top. */
export function plainNettingSet(nettingSetId: string, counterpartyId: string, terms: Partial<NettingSet> = {}): NettingSet {
  return {
    nettingSetId, counterpartyId, csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false, ...terms,
  };
}
