/**
 * The margin the bank must POST, per netting set, from a margin run (src/margin/run.ts `runMargin`):
 *  - VM: the net balance after today's call, B + call (received positive, vm.ts); when negative the bank has posted
 *    −(B + call) of collateral value (after haircuts, as the CSA values it). This is the CSA's credit support amount
 *    up to the minimum transfer amount and rounding (ISDA CSA Paragraph 3), i.e. what is actually on the line.
 *  - IM: SIMM "Post" for `im_model = simm`, the schedule's post amount for `schedule` (BCBS-IOSCO, USD, converted to
 *    the netting set's collateral currency at spot).
 * A netting set's requirements are in its collateral currency; zero amounts are left out.
 */
import type { NettingSetMargin } from '../../../margin/run.js';
import type { NettingSet, Portfolio } from '../../../portfolio/types.js';
import type { CollateralMarket, CollateralRequirement } from './types.js';

export function requirementId(nettingSetId: string, marginType: 'vm' | 'im'): string {
  return `${nettingSetId}/${marginType}`;
}

/** Posting requirements of every netting set of `margins` found in the portfolio, sorted by requirement id. */
export function postingRequirements(portfolio: Portfolio, margins: readonly NettingSetMargin[], market: CollateralMarket): CollateralRequirement[] {
  const sets = new Map<string, NettingSet>(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const out: CollateralRequirement[] = [];
  for (const m of margins) {
    const ns = sets.get(m.nettingSetId);
    if (!ns) continue;
    const currency = ns.collateralCurrency;
    if (ns.csa && m.vm) {
      const postedAfterCall = -(m.vm.balance + m.vm.marginCall);
      if (postedAfterCall > 0) out.push({ requirementId: requirementId(ns.nettingSetId, 'vm'), nettingSetId: ns.nettingSetId, marginType: 'vm', currency, amount: postedAfterCall });
    }
    const imPostUsd = ns.imModel === 'simm' ? (m.simmPost ?? 0) : ns.imModel === 'schedule' ? (m.schedulePost ?? 0) : 0;
    if (imPostUsd > 0) {
      const amount = currency === 'USD' ? imPostUsd : imPostUsd * market.fxSpot('USD', currency);
      out.push({ requirementId: requirementId(ns.nettingSetId, 'im'), nettingSetId: ns.nettingSetId, marginType: 'im', currency, amount });
    }
  }
  return out.sort((a, b) => (a.requirementId < b.requirementId ? -1 : a.requirementId > b.requirementId ? 1 : 0));
}
