/**
 * What the stress scenarios of the results shock, from their scenario files (docs/scenarios.md), so that the facts
 * hold a stress's size ("every credit spread 100bp wider") and prose may say it in words (an audit found "if all
 * credit spreads widen by 100bp (credit_up_100bp)" failing the fact check, told that 100bp was the run's 100 paths).
 *
 * The tables do not record the shocks, so they come from the files the runs read: those of the runs made now, or with
 * `--results` the folder given with `--scenarios`. Only scenarios the results hold get facts; a file whose collateral
 * coverage differs from the one the margin run recorded (margin_scenarios:coverage) is not the file the runs read,
 * and is refused rather than described.
 */
import path from 'node:path';
import { XvaUsageError } from '../../errors.js';
import type { Scenario } from '../../scenarios/types.js';
import type { ExplainData, ScenarioShockPart } from '../data.js';

/** Relative slack for the coverage read back from a float64 column against the YAML number. */
const COVERAGE_SLACK = 1e-12;

/** The scenario names the results hold: the XVA, capital and margin runs' (coverage and MVA scenarios). */
function scenarioNames(data: ExplainData): Set<string> {
  return new Set([
    ...(data.xva?.scenarios ?? []).map((s) => s.scenario),
    ...(data.capital?.scenarios ?? []).map((s) => s.scenario),
    ...(data.margin?.scenarios ?? []).map((s) => s.scenario),
    ...(data.margin?.mvaScenarios ?? []).map((s) => s.scenario),
  ]);
}

/**
 * The shocks of the scenarios the results hold, from `scenarios` (the files the runs read). `origin` names where the
 * files came from for the error ("--scenarios scenarios/"): a file contradicting the margin run's recorded coverage
 * is a usage error naming the file, the key, both values and the results table.
 */
export function scenarioShocksOf(data: ExplainData, scenarios: readonly Scenario[], origin: string): ScenarioShockPart[] {
  const held = scenarioNames(data);
  const recorded = new Map((data.margin?.scenarios ?? []).map((s) => [s.scenario, s.coverage]));
  const out: ScenarioShockPart[] = [];
  for (const sc of scenarios) {
    if (!held.has(sc.name)) continue;
    const coverage = recorded.get(sc.name);
    const own = sc.shocks.collateralCoverage;
    if (coverage !== undefined && (own === undefined || Math.abs(own - coverage) > COVERAGE_SLACK * Math.max(1, Math.abs(coverage)))) {
      throw new XvaUsageError(
        `${origin}: ${sc.file} column shocks.collateralCoverage: ${own ?? '(none)'}: expected ${coverage}, the coverage the margin run recorded for ${sc.name} ` +
          `(margin_scenarios:coverage, beside ${data.margin!.source}); give --scenarios the folder of the scenario files the runs read`,
      );
    }
    out.push({
      scenario: sc.name,
      ...(sc.shocks.creditSpreadBp !== undefined ? { creditSpreadBp: sc.shocks.creditSpreadBp } : {}),
      ...(sc.shocks.ownCreditSpreadBp !== undefined ? { ownCreditSpreadBp: sc.shocks.ownCreditSpreadBp } : {}),
      ...(sc.shocks.fundingSpreadBp !== undefined ? { fundingSpreadBp: sc.shocks.fundingSpreadBp } : {}),
      ...(own !== undefined ? { collateralCoverage: own } : {}),
      ...(sc.shocks.capitalRatioAdd !== undefined ? { capitalRatioAdd: sc.shocks.capitalRatioAdd } : {}),
      file: path.basename(sc.file),
    });
  }
  return out;
}
