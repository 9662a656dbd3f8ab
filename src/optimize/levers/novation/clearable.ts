/**
 * Which trades may be novated to a CCP. Clearable here (the products the large CCPs clear and xva can represent):
 *  - IRS and OIS with both legs in one of the clearable currencies (default USD, EUR, GBP, JPY, CHF, CAD, AUD), and
 *    single-currency basis swaps (BASIS: tenor and overnight-against-term basis, which SwapClear and Eurex clear) in
 *    those currencies;
 *  - index CDS: xva has one CDS product (src/products/types.ts, single-name shape); a CDS is an index CDS when its
 *    reference entity is an index in the `reference_entities` table (the same table SA-CCR reads for CRE52.61(2)).
 *    Without that table no CDS is clearable; single-name CDS are not proposed.
 * Never proposed: trades already cleared, trades of a cleared netting set, trades that matured before the as-of date,
 * and every other product (XCCY, FX, swaptions, caps and floors, equity).
 */
import type { DateSerial } from '../../../conventions/dates.js';
import type { Market } from '../../../market/types.js';
import type { NettingSet } from '../../../portfolio/types.js';
import { tradeMaturity, type Trade } from '../../../products/types.js';
import type { ResolvedNovationOptions } from './options.js';
import { outstandingNotional } from '../../../products/amortization.js';

export type NotClearableReason = 'already_cleared' | 'cleared_netting_set' | 'matured' | 'currency' | 'single_name_cds' | 'product';

export type Clearability = { clearable: true } | { clearable: false; reason: NotClearableReason };

/** Whether `trade` (of netting set `nettingSet`) may be novated to the CCP, and why not. */
export function clearability(trade: Trade, nettingSet: NettingSet, asOf: DateSerial, options: ResolvedNovationOptions): Clearability {
  if (trade.cleared) return { clearable: false, reason: 'already_cleared' };
  if (nettingSet.cleared) return { clearable: false, reason: 'cleared_netting_set' };
  if (tradeMaturity(trade) < asOf) return { clearable: false, reason: 'matured' };
  switch (trade.product) {
    case 'IRS':
    case 'OIS': {
      const ccy = trade.fixedLeg.currency;
      if (trade.floatLeg.currency !== ccy || !options.clearableCurrencies.has(ccy)) return { clearable: false, reason: 'currency' };
      return { clearable: true };
    }
    case 'BASIS':
      return options.clearableCurrencies.has(trade.leg1.currency) ? { clearable: true } : { clearable: false, reason: 'currency' };
    case 'CDS':
      return options.referenceEntities.get(trade.referenceEntity)?.isIndex ? { clearable: true } : { clearable: false, reason: 'single_name_cds' };
    default:
      return { clearable: false, reason: 'product' };
  }
}

/** Notional of a clearable trade (an amortising swap's outstanding today) in the base currency at today's spot (the size that ranks candidates). */
export function notionalInBase(trade: Trade, market: Pick<Market, 'asOf' | 'baseCurrency' | 'fxSpot'>): number {
  const [ccy, notional] =
    trade.product === 'IRS' || trade.product === 'OIS'
      ? [trade.fixedLeg.currency, outstandingNotional(trade.fixedLeg, market.asOf)]
      : trade.product === 'BASIS'
        ? [trade.leg1.currency, trade.leg1.notional]
        : trade.product === 'CDS'
          ? [trade.currency, trade.notional]
          : [undefined, 0];
  if (ccy === undefined) return 0;
  return Math.abs(notional) * (ccy === market.baseCurrency ? 1 : market.fxSpot(ccy, market.baseCurrency));
}
