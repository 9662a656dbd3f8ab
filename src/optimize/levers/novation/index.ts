/**
 * The novation-to-a-CCP lever of `xva optimize` (docs/optimize-novation.md): clearable bilateral trades (IRS and OIS
 * in the clearable currencies, index CDS) moved to a qualifying CCP's netting set. What it changes:
 *  - CVA/DVA/FVA: the bilateral netting set loses the trades (its CVA falls, to 0 when all its trades go); the CCP
 *    netting set gains them under daily VM with zero threshold, so its exposure is the MPoR gap only;
 *  - MVA: the CCP netting set has `im_model simm` (SIMM as the proxy of the CCP's IM model): the bank posts IM;
 *  - EAD and RWA: SA-CCR of both sets, the CCP set margined with the cleared MPoR floor, at the 2% QCCP risk weight
 *    (CRE54.14) instead of the bilateral counterparty's CRE20 weight.
 * Every one of these figures comes from the re-measurement core (../../measure/), never from this lever.
 *
 * API:
 *  - `novationActions(portfolio, market, options?): Action[]`: the candidates, deterministic (same inputs, same
 *    actions, ids and order): per bilateral netting set `novation:set:<nettingSetId>` (all its clearable trades),
 *    then `novation:trade:<tradeId>` for the largest clearable trades. The novated copy of trade T is `T-NOV-<ccp>`,
 *    in the CCP netting set (the book's at that CCP, else `NS-CCP-<ccp>` of counterparty `CCP-<ccp>`, added).
 *  - `novationExtraMporDays(options?)`: the MPoR of the CCP netting set, to pass as `extraMporDays` of the measure
 *    context so that amendments keep the base grid.
 *  - `withNovationNet(action, delta)`: the action with the measured deltas and their net in `details`.
 */
import type { Market } from '../../../market/types.js';
import type { Portfolio } from '../../../portfolio/types.js';
import type { Action, CostDelta } from '../../types.js';
import { buildNovationActions } from './actions.js';
import { resolveNovationOptions, type NovationOptions } from './options.js';

export { clearableBySet, novatedCopy, novatedTradeId, type SetCandidates } from './actions.js';
export { ccpCounterpartyId, ccpNettingSetId, ccpTarget, type CcpTarget } from './ccp.js';
export { clearability, notionalInBase, type Clearability, type NotClearableReason } from './clearable.js';
export { CCP_REGIONS, DEFAULT_CCP, DEFAULT_CLEARABLE_CURRENCIES, resolveNovationOptions, type NovationOptions, type ResolvedNovationOptions } from './options.js';

/** The candidate novations of the book (module comment). */
export function novationActions(portfolio: Portfolio, market: Market, options: NovationOptions = {}): Action[] {
  return buildNovationActions(portfolio, market, resolveNovationOptions(options));
}

/** The CCP netting set's margin period of risk (business days) as the measure context's `extraMporDays`. */
export function novationExtraMporDays(options: NovationOptions = {}): number[] {
  return [resolveNovationOptions(options).ccpMarginPeriodOfRiskDays];
}

/**
 * The net of a measured novation, base currency, amended − base: the XVA cost change ΔCVA + ΔFVA + ΔMVA (MVA up
 * is the price of clearing) and the capital change ΔRWA and Δcapital; DVA is reported but left out of the net (a
 * benefit from the bank's own default is not a saving a desk can realise).
 */
export function novationNet(delta: CostDelta): { xvaNet: number; capitalNet: number } {
  return { xvaNet: delta.cva + delta.fva + delta.mva, capitalNet: delta.capital };
}

/** The action with the measured figures and their net added to its details (labelled `measured*`). */
export function withNovationNet(action: Action, delta: CostDelta): Action {
  const net = novationNet(delta);
  return {
    ...action,
    details: {
      ...action.details,
      measuredCvaChange: delta.cva,
      measuredDvaChange: delta.dva,
      measuredFvaChange: delta.fva,
      measuredMvaChange: delta.mva,
      measuredKvaChange: delta.kva,
      measuredEadChange: delta.ead,
      measuredRwaChange: delta.rwa,
      measuredCapitalChange: delta.capital,
      measuredXvaNet: net.xvaNet,
      measuredCapitalNet: net.capitalNet,
    },
  };
}
