/**
 * MVA under the stress scenarios of `xva margin` (margin_mva_scenarios): the same IM posted (the set's profile: its
 * DIM or projected schedule IM with --dim, else its `initial_margin_posted`), funded at the scenario's spread and
 * weighed by its survivals. A scenario's shocks (docs/scenarios.md), as `xva cva|fva` and the optimiser's stress apply
 * them: `fundingSpreadBp` moves the base currency's borrow spread (MVA is linear in it), `creditSpreadBp` and
 * `ownCreditSpreadBp` re-bootstrap the counterparty's and the bank's survival curves (xva/credit.ts
 * shockCreditInputs), `collateralCoverage` c has the bank post c times the IM, so fund c times it; a capital-ratio
 * shock leaves the MVA as it is. Every scenario gets a row per netting set with an MVA, so a table of the base and
 * stressed figures needs no other file.
 */
import type { HazardCurve, Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import type { Scenario } from '../scenarios/types.js';
import { missingFundingNote, shockCreditInputs, type CounterpartyCredit, type CreditInputs } from '../xva/credit.js';
import type { DimProfile } from './dim.js';
import { endTimeOf, mvaCounterpartyCurve, mvaSum, staticPostedProfileUsd, tradesByNettingSet, type PostedProfile } from './mva.js';
import type { NettingSetMargin } from './run.js';

export interface MvaScenarioOutcome {
  scenario: string;
  nettingSetId: string;
  /** Which IM posted the MVA funds (NettingSetMargin.mvaSource). */
  mvaSource: NonNullable<NettingSetMargin['mvaSource']>;
  /** The set's MVA (USD), as margin_netting_sets.mva_usd. */
  mva: number;
  /** Its MVA under the scenario (USD). */
  mvaStressed: number;
}

/**
 * The MVA of every netting set in `nettingSets` that has one, under each scenario, scenarios in the order given and the
 * sets in theirs. `dim` holds the profiles the DIM and schedule MVAs came from; `notes` gets the shocked curves' notes.
 */
export function mvaScenarios(portfolio: Portfolio, market: Market, nettingSets: readonly NettingSetMargin[], dim: readonly DimProfile[], scenarios: readonly Scenario[], notes?: string[]): MvaScenarioOutcome[] {
  const withMva = nettingSets.filter((n) => n.mva !== undefined && n.mvaSource !== undefined);
  if (withMva.length === 0 || scenarios.length === 0) return [];
  const byId = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const cps = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const tradesOf = tradesByNettingSet(portfolio.trades);
  const dimOf = new Map(dim.map((d) => [d.nettingSetId, d]));
  // each set's posted profile (USD) and counterparty; the base credit inputs of those counterparties (their curve as
  // the MVA read it: none, survival 1, where the market has none: a shock cannot move it)
  const sets: { entry: NettingSetMargin; profile: PostedProfile; counterpartyId: string }[] = [];
  const counterparties = new Map<string, CounterpartyCredit>();
  for (const entry of withMva) {
    const ns = byId.get(entry.nettingSetId);
    if (!ns) continue;
    const trades = tradesOf.get(ns.nettingSetId) ?? [];
    const d = dimOf.get(ns.nettingSetId);
    const profile: PostedProfile | undefined = entry.mvaSource === 'initial_margin_posted' ? staticPostedProfileUsd(ns, trades, market) : d ? { post: d.expectedImPost, times: d.times, ...endTimeOf(trades, market) } : undefined;
    if (!profile) continue;
    sets.push({ entry, profile, counterpartyId: ns.counterpartyId });
    if (!counterparties.has(ns.counterpartyId)) {
      const cp = cps.get(ns.counterpartyId);
      const curve: HazardCurve | undefined = mvaCounterpartyCurve(cp, market, () => undefined);
      const own = cp?.cdsCurve !== undefined && market.hasCreditCurve(cp.cdsCurve);
      if (curve) counterparties.set(ns.counterpartyId, { counterpartyId: ns.counterpartyId, curve, curveSource: own ? 'cds' : 'proxy', curveName: curve.name, recovery: cp?.recovery ?? curve.recovery, recoverySource: cp?.recovery !== undefined ? 'counterparty' : 'curve' });
    }
  }
  const base: CreditInputs = { counterparties, own: market.ownCredit, funding: market.funding(market.baseCurrency), collateralSpreadBp: (ccy) => market.funding(ccy).collateralSpreadBp };
  const discount = market.discountCurve(market.baseCurrency);
  const out: MvaScenarioOutcome[] = [];
  for (const scenario of scenarios) {
    const { creditSpreadBp, ownCreditSpreadBp, fundingSpreadBp, collateralCoverage } = scenario.shocks;
    const shocks = {
      ...(creditSpreadBp ? { creditSpreadBp } : {}),
      ...(ownCreditSpreadBp ? { ownCreditSpreadBp } : {}),
      ...(fundingSpreadBp ? { fundingSpreadBp } : {}),
    };
    // (a curve floored by the shock is said, as xva cva|fva say it)
    const credit = Object.keys(shocks).length > 0 ? shockCreditInputs(base, market, shocks, notes) : base;
    if (fundingSpreadBp && missingFundingNote(market) !== undefined) notes?.push(`scenario ${scenario.name}: fundingSpreadBp ${fundingSpreadBp} moves nothing: the market has no funding spreads for the base currency (funding.${market.baseCurrency}), so the MVA's spread stays as it is`);
    const coverage = collateralCoverage ?? 1;
    for (const { entry, profile, counterpartyId } of sets) {
      const stressed = mvaSum(profile.post, profile.times, credit.funding, discount, credit.counterparties.get(counterpartyId)?.curve, credit.own, profile.endTime);
      out.push({ scenario: scenario.name, nettingSetId: entry.nettingSetId, mvaSource: entry.mvaSource!, mva: entry.mva!, mvaStressed: coverage * stressed });
    }
  }
  return out;
}
