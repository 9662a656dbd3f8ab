/**
 * Whom the CVA hedges are bought from. A CDS hedge is itself a bilateral trade with a dealer: it has CCR (SA-CCR EAD
 * of the dealer netting set), CVA on the dealer and, being protection bought, wrong-way exposure to the dealer if the
 * reference name and the dealer default together. The re-measurement core values the hedges in that netting set like
 * any other trade, so all of this is in the measured figures; the lever's own estimate (capital relief on the hedged
 * counterparties) leaves it out and says so.
 *
 * Default: a counterparty `HDG-DEALER` (financial, the first of A, AA, AAA, BBB that has a proxy curve in the market,
 * region of the base currency) with one netting set `HDG-DEALER-CSA` under a two-way daily VM CSA with zero
 * thresholds and MTAs, 10-day margin period of risk (CRE52.50 for a set without disputes or illiquid collateral),
 * collateral in the base currency, no IM: the ISDA/CSA terms of inter-dealer CDS. The caller may name its own dealer
 * (an existing counterparty and netting set of the book, or new ones).
 */
import { XvaInputError } from '../../../errors.js';
import type { Market } from '../../../market/types.js';
import type { Counterparty, NettingSet, Portfolio, Rating, Region } from '../../../portfolio/types.js';
import type { Currency } from '../../../products/types.js';

export interface HedgeDealer {
  counterparty: Counterparty;
  nettingSet: NettingSet;
}

export const DEFAULT_DEALER_ID = 'HDG-DEALER';
export const DEFAULT_DEALER_NETTING_SET_ID = 'HDG-DEALER-CSA';

const REGION_OF: Partial<Record<Currency, Region>> = {
  USD: 'north_america',
  CAD: 'north_america',
  EUR: 'europe',
  CHF: 'europe',
  SEK: 'europe',
  NOK: 'europe',
  DKK: 'europe',
  GBP: 'uk',
  JPY: 'japan',
  AUD: 'asia_pacific',
  NZD: 'asia_pacific',
  HKD: 'asia_pacific',
  SGD: 'asia_pacific',
};

const DEALER_RATINGS: readonly Rating[] = ['A', 'AA', 'AAA', 'BBB'];

/** The dealer the hedges are booked with: the caller's, or the default above (reused when the book already has it). */
export function hedgeDealer(portfolio: Portfolio, market: Market, given?: HedgeDealer): HedgeDealer {
  if (given) {
    if (given.nettingSet.counterpartyId !== given.counterparty.counterpartyId) {
      throw new Error(`CVA hedge dealer: netting set ${given.nettingSet.nettingSetId} belongs to ${given.nettingSet.counterpartyId}, not to ${given.counterparty.counterpartyId}`);
    }
    return given;
  }
  const existing = portfolio.counterparties.find((c) => c.counterpartyId === DEFAULT_DEALER_ID);
  const existingSet = portfolio.nettingSets.find((n) => n.nettingSetId === DEFAULT_DEALER_NETTING_SET_ID);
  const region = REGION_OF[market.baseCurrency] ?? 'north_america';
  let counterparty = existing;
  if (!counterparty) {
    const rating = DEALER_RATINGS.find((r) => {
      try {
        market.proxyCreditCurve({ sector: 'financial', rating: r, region });
        return true;
      } catch {
        return false;
      }
    });
    if (!rating) {
      // the market's content, not a fault of the tool (an audit found it reported as an internal error, exit 1): a
      // market whose counterparties all have curves of their own may hold no proxies
      throw new XvaInputError([
        {
          file: 'market file',
          column: 'credit.proxies',
          value: DEALER_RATINGS.map((r) => `financial-${r}-${region}`).join(', '),
          expected: `a proxy curve of one of these for the dealer ${DEFAULT_DEALER_ID} that the cva_hedge lever buys CDS hedges from (docs/optimize-hedges.md); or leave the lever out (--levers without cva_hedge), or name the dealer through the library (options.dealer)`,
        },
      ]);
    }
    counterparty = { counterpartyId: DEFAULT_DEALER_ID, name: 'CDS hedge dealer (xva optimize default)', sector: 'financial', rating, region, qccp: false };
  }
  if (existingSet && existingSet.counterpartyId !== counterparty.counterpartyId) {
    throw new XvaInputError([
      {
        file: portfolio.sources.netting_sets ?? 'netting_sets',
        column: 'counterparty_id',
        value: `${existingSet.nettingSetId}: ${existingSet.counterpartyId}`,
        expected: `${counterparty.counterpartyId}: the cva_hedge lever books its hedges in netting set ${DEFAULT_DEALER_NETTING_SET_ID} with its dealer ${DEFAULT_DEALER_ID}; rename that netting set, or leave the lever out (--levers without cva_hedge)`,
      },
    ]);
  }
  const nettingSet: NettingSet = existingSet ?? {
    nettingSetId: DEFAULT_DEALER_NETTING_SET_ID,
    counterpartyId: counterparty.counterpartyId,
    csa: true,
    thresholdCpty: 0,
    thresholdBank: 0,
    mtaCpty: 0,
    mtaBank: 0,
    independentAmountCpty: 0,
    independentAmountBank: 0,
    initialMarginHeld: 0,
    rounding: 0,
    marginPeriodOfRiskDays: 10,
    marginFrequencyDays: 1,
    imModel: 'none',
    collateralCurrency: market.baseCurrency,
    cleared: false,
  };
  return { counterparty, nettingSet };
}
