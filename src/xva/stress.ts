/**
 * Stress scenarios for the XVA figures (docs/xva.md, "Stress"). Credit (counterparty and proxy spreads), own-credit
 * and funding shocks change only the curves and spreads of the sums: the exposure profiles are reused, nothing is
 * simulated again. A collateral-coverage shock changes the exposure itself: the collateral, profiles and Euler
 * contributions at that coverage, re-aggregated from the base run's own path values (the caller supplies them in
 * `coverageSets`, from SimulationOptions.coverageVariants: no second simulation). `rerun` (a new engine run per
 * distinct coverage) is only the fallback for a coverage not in `coverageSets`.
 */
import type { Market } from '../market/types.js';
import type { Scenario } from '../scenarios/types.js';
import { computeXva, type ExposureSet, type XvaFigures, type XvaOptions, type XvaResult } from './compute.js';
import { missingFundingNote, shockCreditInputs, type CreditInputs } from './credit.js';

export interface ScenarioOutcome {
  scenario: string;
  description: string;
  /**
   * Which shocks were applied; `skipped` says why a scenario (or its coverage shock) was not run, and which of its
   * shocks moved nothing (the `note` column).
   */
  applied: string[];
  skipped?: string;
  /** Notes on the shifted credit curves of the run's counterparties (a hazard floored at 0): the run's notes. */
  curveNotes?: string[];
  /** True when the exposure was simulated again (collateral coverage through `rerun`). */
  resimulated: boolean;
  /** True when the exposure was re-aggregated at another collateral coverage from the base run's path values. */
  reaggregated?: boolean;
  book: XvaFigures;
  counterparties: Map<string, XvaFigures>;
  /** Every netting set's figures under the scenario, in the order of the exposure sets (the book's). */
  nettingSets: ScenarioSetFigures[];
}

/** One netting set's figures under a scenario (the rows of `xva_scenarios_netting_set`). */
export interface ScenarioSetFigures extends XvaFigures {
  nettingSetId: string;
  counterpartyId: string;
}

export interface StressContext {
  base: XvaResult;
  sets: readonly ExposureSet[];
  credit: CreditInputs;
  market: Market;
  options: XvaOptions;
  /**
   * Exposure sets per collateral coverage re-aggregated from the base run's path values (the base coverage's entry
   * may be `sets` itself). Looked up first.
   */
  coverageSets?: ReadonlyMap<number, readonly ExposureSet[]>;
  /** Exposure sets of a new run with the given collateral coverage, for a coverage not in `coverageSets`. */
  rerun?: (coverage: number) => Promise<ExposureSet[]>;
  /** Why coverage shocks are skipped when neither `coverageSets` nor `rerun` has the coverage. */
  noRerunReason?: string;
}

function figuresOf(x: XvaFigures): XvaFigures {
  return { cva: x.cva, dva: x.dva, fca: x.fca, fba: x.fba, colva: x.colva };
}

function setFiguresOf(sets: XvaResult['nettingSets']): ScenarioSetFigures[] {
  return sets.map((s) => ({ nettingSetId: s.nettingSetId, counterpartyId: s.counterpartyId, ...figuresOf(s) }));
}

export async function runScenarios(ctx: StressContext, scenarios: readonly Scenario[]): Promise<ScenarioOutcome[]> {
  const coverageRuns = new Map<number, ExposureSet[]>();
  const out: ScenarioOutcome[] = [];
  for (const s of scenarios) {
    const { creditSpreadBp, ownCreditSpreadBp, fundingSpreadBp, collateralCoverage } = s.shocks;
    const applied: string[] = [];
    if (creditSpreadBp !== undefined) applied.push(`creditSpreadBp ${creditSpreadBp}`);
    if (ownCreditSpreadBp !== undefined) applied.push(`ownCreditSpreadBp ${ownCreditSpreadBp}`);
    if (fundingSpreadBp !== undefined) applied.push(`fundingSpreadBp ${fundingSpreadBp}`);
    let sets = ctx.sets;
    let skipped: string | undefined;
    let resimulated = false;
    let reaggregated = false;
    if (collateralCoverage !== undefined) {
      const reaggregatedSets = ctx.coverageSets?.get(collateralCoverage);
      if (reaggregatedSets) {
        sets = reaggregatedSets;
        reaggregated = true;
        applied.push(`collateralCoverage ${collateralCoverage}`);
      } else if (ctx.rerun) {
        let again = coverageRuns.get(collateralCoverage);
        if (!again) coverageRuns.set(collateralCoverage, (again = await ctx.rerun(collateralCoverage)));
        sets = again;
        resimulated = true;
        applied.push(`collateralCoverage ${collateralCoverage}`);
      } else {
        skipped = `collateralCoverage ${collateralCoverage} not applied: ${ctx.noRerunReason ?? 'it needs a new simulation'}`;
      }
    }
    const other = Object.keys(s.shocks).filter((k) => !['creditSpreadBp', 'ownCreditSpreadBp', 'fundingSpreadBp', 'collateralCoverage'].includes(k));
    if (other.length > 0 && applied.length === 0 && !skipped) skipped = `no XVA shock (${other.join(', ')} does not move CVA/DVA/FVA)`;
    if (applied.length === 0) {
      out.push({ scenario: s.name, description: s.description, applied, skipped: skipped ?? 'no shock', resimulated: false, book: figuresOf(ctx.base.book), counterparties: new Map(ctx.base.counterparties.map((c) => [c.counterpartyId, figuresOf(c)])), nettingSets: setFiguresOf(ctx.base.nettingSets) });
      continue;
    }
    const said: string[] = skipped ? [skipped] : [];
    if (ownCreditSpreadBp !== undefined && ownCreditSpreadBp !== 0 && !ctx.credit.own) said.push(`ownCreditSpreadBp ${ownCreditSpreadBp} moves nothing: the market has no own credit curve (credit.own), so there is no DVA to shock`);
    if (fundingSpreadBp !== undefined && fundingSpreadBp !== 0 && missingFundingNote(ctx.market) !== undefined) said.push(`fundingSpreadBp ${fundingSpreadBp} moves nothing: the market has no funding spreads for the base currency (funding.${ctx.market.baseCurrency}), so FCA, FBA and ColVA stay 0`);
    if (other.length > 0) said.push(`${other.join(', ')} does not move CVA/DVA/FVA`);
    // the shifted curves' notes (a hazard floored at 0) name the curves of this run's counterparties: the run's
    // notes, not the per-set note column (a shard holds some of the book's curves only, and the merge compares it)
    const curveNotes: string[] = [];
    const credit = shockCreditInputs(
      ctx.credit,
      ctx.market,
      {
        ...(creditSpreadBp !== undefined ? { creditSpreadBp } : {}),
        ...(ownCreditSpreadBp !== undefined ? { ownCreditSpreadBp } : {}),
        ...(fundingSpreadBp !== undefined ? { fundingSpreadBp } : {}),
      },
      curveNotes,
    );
    const result = computeXva(sets, credit, ctx.options, false);
    out.push({
      scenario: s.name,
      description: s.description,
      applied,
      ...(said.length > 0 ? { skipped: said.join('; ') } : {}),
      ...(curveNotes.length > 0 ? { curveNotes } : {}),
      resimulated,
      ...(reaggregated ? { reaggregated } : {}),
      book: figuresOf(result.book),
      counterparties: new Map(result.counterparties.map((c) => [c.counterpartyId, figuresOf(c)])),
      nettingSets: setFiguresOf(result.nettingSets),
    });
  }
  return out;
}
