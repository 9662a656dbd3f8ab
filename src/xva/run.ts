/**
 * The library entry of `xva cva` and `xva fva`: read and check the inputs, get the exposure (a new engine run, or the
 * tables of a previous `xva simulate --out DIR` with `--results DIR`), resolve the credit curves, compute the XVA
 * figures, the exposure analysis, the optional incremental allocation and the stress scenarios, write the tables.
 */
import { runSimulation } from '../exposure/engine.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import type { GridSpec } from '../simulation/grid.js';
import type { Scenario } from '../scenarios/types.js';
import type { TimeGrid } from '../simulation/types.js';
import { analyseExposure, type AnalysisOptions, type ExposureAnalysis } from './analysis.js';
import { computeXva, exposureSetsOf, type ExposureSet, type XvaOptions, type XvaResult } from './compute.js';
import { creditInputs } from './credit.js';
import { incrementalXva, type IncrementalRow } from './incremental.js';
import { writeXvaTables } from './outputs.js';
import { readExposureResults } from './readResults.js';
import { runScenarios, type ScenarioOutcome } from './stress.js';

export interface XvaRunOptions {
  portfolioDir: string;
  marketFile: string;
  /** Folder of a previous `xva simulate`; undefined = simulate now. */
  resultsDir?: string;
  paths: number;
  seed: number;
  grid: GridSpec;
  threads: number;
  xva: XvaOptions;
  analysis: AnalysisOptions;
  scenarios: readonly Scenario[];
  /** Netting set for the incremental (with / without each trade) allocation. */
  incremental?: string;
  outDir?: string;
  onProgress?: (fractionDone: number, stage: string) => void;
  onWarning?: (text: string) => void;
}

export interface XvaRun {
  result: XvaResult;
  analysis: ExposureAnalysis;
  scenarios: ScenarioOutcome[];
  incremental: IncrementalRow[];
  /** Engine runs made (1 base unless --results, plus one per coverage scenario and n + 1 for --incremental). */
  simulations: number;
  notes: string[];
  files: string[];
  source: 'simulation' | 'results';
  paths?: number;
}

export async function runXva(options: XvaRunOptions): Promise<XvaRun> {
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile);
  const collateralCcy = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const ccyOf = (id: string) => collateralCcy.get(id);
  const simulation = {
    paths: options.paths,
    seed: options.seed,
    threads: options.threads,
    antithetic: false,
    pfeQuantile: 0.95,
    skipUnsupported: false,
  };
  let simulations = 0;
  const simulate = async (coverage: number): Promise<{ sets: ExposureSet[]; grid: TimeGrid }> => {
    simulations++;
    const result = await runSimulation({
      portfolio,
      market,
      marketFile: options.marketFile,
      options: { ...simulation, grid: options.grid, coverage },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    return { sets: exposureSetsOf(result, ccyOf), grid: result.grid };
  };

  const notes: string[] = [];
  let sets: ExposureSet[];
  let grid: TimeGrid | undefined;
  if (options.resultsDir) {
    sets = readExposureResults(options.resultsDir, ccyOf);
  } else {
    ({ sets, grid } = await simulate(1));
  }
  const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
  if (!market.ownCredit) notes.push('the market has no own credit curve (credit.own): DVA is 0 and the bank is taken to survive in FVA');
  const result = computeXva(sets, credit, options.xva);
  const analysis = analyseExposure(result, options.analysis);

  let incremental: IncrementalRow[] = [];
  if (options.incremental) {
    const inc = await incrementalXva({
      portfolio,
      market,
      marketFile: options.marketFile,
      nettingSetId: options.incremental,
      simulation: { ...simulation, grid: options.grid },
      ...(grid ? { grid } : {}),
      credit,
      xva: options.xva,
    });
    simulations += inc.runs;
    incremental = inc.rows;
    notes.push(`incremental allocation of ${options.incremental}: ${inc.runs} engine runs of that netting set alone (same seed and grid)`);
  }

  const scenarios = await runScenarios(
    {
      base: result,
      sets,
      credit,
      market,
      options: options.xva,
      ...(options.resultsDir
        ? { noRerunReason: 'with --results the base exposure comes from another run; simulate (without --results) to stress collateral coverage' }
        : { rerun: async (coverage: number) => (await simulate(coverage)).sets }),
    },
    options.scenarios,
  );
  for (const s of scenarios) if (s.skipped) notes.push(`scenario ${s.scenario}: ${s.skipped}`);

  const files = options.outDir ? writeXvaTables(options.outDir, result, scenarios, incremental) : [];
  return { result, analysis, scenarios, incremental, simulations, notes, files, source: options.resultsDir ? 'results' : 'simulation', ...(options.resultsDir ? {} : { paths: options.paths }) };
}
