/**
 * The library entry of `xva cva` and `xva fva`: read and check the inputs, get the exposure (a new engine run, or the
 * tables of a previous `xva simulate --out DIR` with `--results DIR`), resolve the credit curves, compute the XVA
 * figures, the exposure analysis, the optional incremental allocation and the stress scenarios, write the tables.
 */
import { settingsFromManifest, type WhatIfSettings } from './whatIf/settings.js';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { factorNeeds, runSimulation } from '../exposure/engine.js';
import type { InitialMarginProfile } from '../exposure/collateral.js';
import { dynamicInitialMargin } from '../margin/dim.js';
import type { MporDays } from '../margin/simm/types.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { WorkerPool } from '../exposure/pool.js';
import type { GridSpec } from '../simulation/grid.js';
import { buildFactorLayout } from '../simulation/layout.js';
import type { Scenario } from '../scenarios/types.js';
import type { TimeGrid } from '../simulation/types.js';
import { analyseExposure, type AnalysisOptions, type ExposureAnalysis } from './analysis.js';
import { computeXva, coverageSetsOf, exposureSetsOf, type ExposureSet, type XvaOptions, type XvaResult } from './compute.js';
import { creditInputs, missingFundingNote } from './credit.js';
import { xvaCs01, type Cs01Row } from './cs01.js';
import { incrementalXva, type IncrementalRow } from './incremental.js';
import { writeXvaTables } from './outputs.js';
import { readExposureResults, resultsCoverage, resultsInputsDiffering, resultsRng } from './readResults.js';
import { runScenarios, type ScenarioOutcome } from './stress.js';
import { wrongWayCva, wrongWayCounterparties, type WrongWayRow } from './wrongWay/index.js';
import { whatIfForRun, type WhatIfResult } from './whatIf/index.js';
import { loadNewTrades } from './whatIf/newTrades.js';

export interface XvaRunOptions {
  portfolioDir: string;
  marketFile: string;
  /** Folder of a previous `xva simulate`; undefined = simulate now. */
  resultsDir?: string;
  paths: number;
  seed: number;
  /** The draws of the run this command makes (engine.ts SimulationOptions.rng); default philox. */
  rng?: 'philox' | 'sobol';
  grid: GridSpec;
  threads: number;
  xva: XvaOptions;
  analysis: AnalysisOptions;
  scenarios: readonly Scenario[];
  /** Netting set for the incremental (with / without each trade) allocation. */
  incremental?: string;
  /** New trades (trades-table columns) for the pre-deal what-if (docs/xva.md, "Pre-deal what-if"). */
  whatIf?: string;
  /**
   * Hold the expected dynamic IM of every im_model simm netting set as IM (src/margin/dim.ts, on the run's paths, seed
   * and grid), as `xva simulate --dynamic-im` does: the same exposure, so the same figures as `--results` of that run.
   */
  dynamicIm?: { mporDays: MporDays };
  /** Bucketed and parallel CS01 of the counterparties' and the bank's curves on the base exposure (src/xva/cs01.ts). */
  cs01?: boolean;
  outDir?: string;
  onProgress?: (fractionDone: number, stage: string) => void;
  onWarning?: (text: string) => void;
  /** Called once the tables are in --out, before the worker threads are closed (exposure/simulate.ts onWritten). */
  onWritten?: (files: readonly string[]) => void;
}

export interface XvaRun {
  /** The market's base currency: every amount's. */
  currency: string;
  result: XvaResult;
  analysis: ExposureAnalysis;
  scenarios: ScenarioOutcome[];
  incremental: IncrementalRow[];
  /** Wrong-way CVA (with and without) of the counterparties with a `wrong_way_model`; empty when none asks for it. */
  wrongWay: WrongWayRow[];
  /** The pre-deal what-if of --what-if: each new trade's incremental XVA against its netting set. */
  whatIf?: WhatIfResult;
  /** --cs01: per counterparty and tenor (and the own curve) the XVA change for +1bp; empty without it. */
  cs01: Cs01Row[];
  /**
   * Engine runs made: 1 base unless --results (coverage scenarios re-aggregate its path values: no run of their
   * own), plus n + 1 for --incremental.
   */
  simulations: number;
  notes: string[];
  files: string[];
  source: 'simulation' | 'results';
  paths?: number;
}

export async function runXva(options: XvaRunOptions): Promise<XvaRun> {
  // the base run's worker threads load the market while this thread loads the portfolio (engine.ts workerPool)
  const early = !options.resultsDir && options.threads > 1 ? WorkerPool.early(options.marketFile, options.threads) : undefined;
  try {
    return await runXvaWith(options, early);
  } finally {
    await early?.close();
  }
}

async function runXvaWith(options: XvaRunOptions, early: WorkerPool | undefined): Promise<XvaRun> {
  if (options.rng === 'sobol' && options.resultsDir) throw new XvaUsageError('rng sobol with --results: the exposure read was drawn by the run that wrote it');
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile, options.onWarning);
  // the what-if file is an input like the others: checked before any run, so that a bad row costs no simulation and
  // leaves no table behind
  const whatIfTrades = options.whatIf ? await loadNewTrades(options.whatIf, portfolio, market, options.marketFile, options.onWarning) : undefined;
  const collateralCcy = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const ccyOf = (id: string) => collateralCcy.get(id);
  // under rng sobol, every run here (the base run, the incremental runs of one set) draws each driver's Sobol
  // coordinates by its slot in the whole book's layout, so the runs share their paths as Philox runs do
  const sobolLayout = options.rng === 'sobol' ? buildFactorLayout(market, factorNeeds(portfolio.trades)) : undefined;
  const simulation = {
    paths: options.paths,
    seed: options.seed,
    ...(sobolLayout ? { rng: 'sobol' as const, sobolLayout } : {}),
    threads: options.threads,
    antithetic: false,
    pfeQuantile: 0.95,
    skipUnsupported: false,
  };
  let simulations = 0;
  const notes: string[] = [];
  // dynamic IM first (its own run of the simm sets; the schedule sets' projected), then held as IM by the base run, as
  // `xva simulate --dynamic-im`
  let initialMarginProfiles: Map<string, InitialMarginProfile> | undefined;
  let postedInitialMarginProfiles: Map<string, InitialMarginProfile> | undefined;
  if (options.dynamicIm && !options.resultsDir) {
    options.onProgress?.(0, 'dynamic initial margin');
    const dimNotes: string[] = [];
    const dim = await dynamicInitialMargin(portfolio, market, { paths: options.paths, seed: options.seed, ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}), mporDays: options.dynamicIm.mporDays, grid: options.grid }, dimNotes);
    initialMarginProfiles = dim.initialMarginProfiles;
    postedInitialMarginProfiles = dim.postedInitialMarginProfiles;
    notes.push(
      ...dimNotes,
      `dynamic IM held by ${initialMarginProfiles.size} bilateral im_model simm or schedule netting sets (SIMM ${options.dynamicIm.mporDays}-day horizon, regression DIM on ${options.paths} paths of seed ${options.seed}, on the book's grid and paths; schedule IM projected on the same dates; a CCP posts no IM, so cleared sets hold none) and posted on ${postedInitialMarginProfiles.size} (their ENE, DVA and its shares after it; FBA before it)`,
    );
  }
  /** One engine run at `coverage`; the exposure sets at each of `coverageVariants` re-aggregated from its paths. */
  const simulate = async (
    coverage: number,
    coverageVariants: readonly number[] = [],
  ): Promise<{ sets: ExposureSet[]; grid: TimeGrid; coverageSets: Map<number, ExposureSet[]> }> => {
    simulations++;
    // the pool started early serves the first run (the engine closes it at its end)
    const workerPool = simulations === 1 ? early : undefined;
    const result = await runSimulation({
      portfolio,
      market,
      marketFile: options.marketFile,
      ...(workerPool ? { workerPool } : {}),
      options: { ...simulation, grid: options.grid, coverage, ...(coverageVariants.length > 0 ? { coverageVariants } : {}), ...(initialMarginProfiles ? { initialMarginProfiles } : {}), ...(postedInitialMarginProfiles && postedInitialMarginProfiles.size > 0 ? { postedInitialMarginProfiles } : {}) },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    const sets = exposureSetsOf(result, ccyOf);
    return { sets, grid: result.grid, coverageSets: coverageSetsOf(result, coverage, sets, ccyOf) };
  };

  let sets: ExposureSet[];
  let grid: TimeGrid | undefined;
  let coverageSets: Map<number, ExposureSet[]> | undefined;
  if (options.resultsDir) {
    sets = readExposureResults(options.resultsDir, ccyOf);
    // the run's exposure with the inputs read now: say where they are not the run's own (helper audit 67 F2)
    const current: Record<string, string> = { market: path.resolve(options.marketFile) };
    for (const [name, file] of Object.entries(portfolio.sources)) if (file) current[name] = path.resolve(file);
    // a note of the run (the command prints its notes as warnings once, and --json carries them)
    const warn = (text: string): void => {
      notes.push(text);
    };
    const differing = resultsInputsDiffering(options.resultsDir, current);
    if (differing.length > 0) {
      const [first] = differing;
      warn(
        `--results: ${differing.map((d) => d.name).join(', ')} read now ${differing.length === 1 ? 'is not the file' : 'are not the files'} the run in ${options.resultsDir} read (${first!.name}: ${first!.file}, the run's ${first!.runFile}): ` +
          "the figures combine that run's exposure with the inputs read now (give the run's own --portfolio and --market to read its inputs)",
      );
    }
    const known = new Set(portfolio.trades.map((t) => t.tradeId));
    const strangers = sets.flatMap((s) => s.tradeIds.filter((id) => !known.has(id)));
    if (strangers.length > 0) warn(`--results: ${strangers.length} trades of the run's exposure are not in the portfolio read now (${strangers.slice(0, 3).join(', ')}${strangers.length > 3 ? ', ...' : ''}): their rows come from the run's exposure alone`);
  } else {
    // the collateral coverages the scenarios shock to, re-aggregated from the base run's path values
    const coverages = [...new Set(options.scenarios.flatMap((s) => (s.shocks.collateralCoverage !== undefined ? [s.shocks.collateralCoverage] : [])))];
    ({ sets, grid, coverageSets } = await simulate(1, coverages));
  }
  // the exposure's draws: this command's run, or with --results the run that wrote the tables
  const drawn = options.resultsDir ? resultsRng(options.resultsDir) : (options.rng ?? 'philox');
  if (drawn === 'sobol') notes.push('the exposure drew Sobol points: the standard errors (cva_std_error) use the Monte Carlo formula, which over-states the error of Sobol points (the spread of a few seeds measures it; docs/model.md)');
  const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
  if (!market.ownCredit) notes.push('the market has no own credit curve (credit.own): DVA is 0 and the bank is taken to survive in FVA');
  const noFunding = missingFundingNote(market);
  if (noFunding) notes.push(noFunding);
  const result = computeXva(sets, credit, options.xva);
  const analysis = analyseExposure(result, options.analysis);

  // with --results, the engine runs below (wrong-way, incremental) re-draw the paths of the run that wrote the
  // exposure: its paths, seed, grid (every date of its manifest, so the steps and the draws are its own) and draws;
  // this command's defaults would put those rows on other paths than the tables beside them
  const wrongWayCount = wrongWayCounterparties(portfolio, credit).length;
  let rerun: WhatIfSettings | undefined;
  let rerunRefused: string | undefined;
  if (options.resultsDir && options.incremental) rerun = settingsFromManifest(options.resultsDir, { flag: '--incremental with --results', what: 'the incremental runs cannot hold again' });
  else if (options.resultsDir && wrongWayCount > 0) {
    try {
      rerun = settingsFromManifest(options.resultsDir, { flag: 'wrong-way risk', what: 'its re-valuation cannot hold again' });
    } catch (error) {
      if (!(error instanceof XvaUsageError)) throw error;
      rerunRefused = error.message;
    }
  }
  const runPaths = rerun ? rerun.paths : options.paths;
  const runSeed = rerun ? rerun.seed : options.seed;
  const runGrid = rerun ? rerun.grid : grid;

  let wrongWay: WrongWayRow[] = [];
  if (wrongWayCount > 0 && rerunRefused) {
    notes.push(`${rerunRefused} (cva_wrong_way not written; run xva cva without --results)`);
  } else if (wrongWayCount > 0 && rerun && (rerun.antithetic || rerun.coverage !== 1)) {
    notes.push(`wrong-way risk: not valued (cva_wrong_way not written): the run of --results drew ${rerun.antithetic ? 'antithetic paths' : `its collateral at coverage ${rerun.coverage}`}, which the wrong-way re-valuation does not reproduce; run xva cva without --results`);
  } else if (wrongWayCount > 0) {
    options.onProgress?.(0, 'wrong-way risk');
    // in-process, on the base run's grid and seed: the independent CVA of these rows is the base run's
    wrongWay = wrongWayCva({ portfolio, market, credit, xva: options.xva, grid: runGrid ?? options.grid, paths: runPaths, seed: runSeed, ...(initialMarginProfiles ? { initialMarginProfiles } : {}), ...(drawn === 'sobol' ? { rng: drawn } : {}) }).rows;
    notes.push(`wrong-way risk: ${wrongWayCount} counterparties re-valued in-process on ${runPaths} paths of seed ${runSeed}${rerun ? ', those of the run of --results' : ''} (cva_wrong_way)${drawn === 'sobol' ? ', on the run\'s Sobol points (the intensity models\' credit drivers on Philox draws)' : ''}`);
  }

  let incremental: IncrementalRow[] = [];
  if (options.incremental) {
    const runSimulationOptions = rerun
      ? {
          ...simulation,
          paths: rerun.paths,
          seed: rerun.seed,
          antithetic: rerun.antithetic,
          coverage: rerun.coverage,
          pfeQuantile: rerun.pfeQuantile,
          ...(rerun.rng === 'sobol' ? { rng: 'sobol' as const, sobolLayout: buildFactorLayout(market, factorNeeds(portfolio.trades)) } : {}),
        }
      : simulation;
    const inc = await incrementalXva({
      portfolio,
      market,
      marketFile: options.marketFile,
      nettingSetId: options.incremental,
      simulation: { ...runSimulationOptions, grid: options.grid },
      ...(runGrid ? { grid: runGrid } : {}),
      credit,
      xva: options.xva,
    });
    simulations += inc.runs;
    incremental = inc.rows;
    notes.push(`incremental allocation of ${options.incremental}: ${inc.runs} engine runs of that netting set alone (${rerun ? `the run of --results' ${rerun.paths} paths, seed ${rerun.seed} and grid` : 'same seed and grid'})`);
  }

  // with --results the exposure is another run's, at the collateral coverage that run simulated (its manifest): a
  // scenario at that very level is the base exposure with its other shocks; another level needs the exposure again at
  // that level, so such a scenario is not evaluated (said in the notes) rather than written with the base figures
  const runCoverage = options.resultsDir ? resultsCoverage(options.resultsDir) : 1;
  if (runCoverage !== 1) notes.push(`--results: the run in ${options.resultsDir} simulated its collateral at coverage ${runCoverage} (xva simulate --coverage): the base figures are at that coverage, not at the collateral as agreed`);
  const atRunCoverage = (sc: Scenario): boolean => sc.shocks.collateralCoverage === runCoverage;
  const notEvaluated = coverageSets ? [] : options.scenarios.filter((sc) => sc.shocks.collateralCoverage !== undefined && !atRunCoverage(sc));
  for (const sc of notEvaluated) {
    notes.push(`scenario ${sc.name} not evaluated: its collateralCoverage ${sc.shocks.collateralCoverage} needs the exposure simulated at that level, and the exposure of --results was simulated at coverage ${runCoverage} (run without --results to stress collateral coverage)`);
  }
  const evaluated = options.scenarios.filter((sc) => !notEvaluated.includes(sc));
  const scenarios = await runScenarios(
    {
      base: result,
      sets,
      credit,
      market,
      options: options.xva,
      ...(coverageSets
        ? { coverageSets }
        : {
            // a scenario at the run's own coverage is its exposure as read
            coverageSets: new Map([[runCoverage, sets]]),
            noRerunReason: 'with --results the base exposure comes from another run; simulate (without --results) to stress collateral coverage',
          }),
    },
    evaluated,
  );
  for (const s of scenarios) {
    if (s.skipped) notes.push(`scenario ${s.scenario}: ${s.skipped}`);
    for (const n of s.curveNotes ?? []) notes.push(`scenario ${s.scenario}: ${n}`);
  }
  // the spread shocks move default probabilities, not the exposure: a CDS trade's value (its reference name's
  // spread) stays the base run's (docs/xva.md, "Stress")
  const cdsTrades = portfolio.trades.filter((t) => t.product === 'CDS').length;
  const skipped = new Set(scenarios.filter((s) => s.skipped).map((s) => s.scenario));
  const spreadScenarios = evaluated.filter((s) => (s.shocks.creditSpreadBp ?? 0) !== 0 && !skipped.has(s.name)).map((s) => s.name);
  if (cdsTrades > 0 && spreadScenarios.length > 0)
    notes.push(`${spreadScenarios.join(', ')}: the credit spread shock moves the counterparties' default probabilities; the exposure of the book's ${cdsTrades} CDS trade(s) is the base run's (not re-valued at the shocked reference-name spreads)`);

  const cs01 = options.cs01 ? xvaCs01(sets, credit, market, options.xva, notes).rows : [];
  let whatIf: WhatIfResult | undefined;
  const whatIfFiles: string[] = [];
  if (options.whatIf) {
    options.onProgress?.(0, 'pre-deal what-if');
    const w = await whatIfForRun({
      file: options.whatIf,
      portfolio,
      portfolioDir: options.portfolioDir,
      market,
      marketFile: options.marketFile,
      ...(options.resultsDir ? { resultsDir: options.resultsDir } : { run: { paths: options.paths, seed: options.seed, grid: grid!, gridSpec: options.grid, ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}) } }),
      credit,
      xva: options.xva,
      ...(options.outDir ? { outDir: options.outDir } : {}),
      ...(whatIfTrades ? { trades: whatIfTrades } : {}),
    });
    whatIf = w.result;
    whatIfFiles.push(...w.files);
    notes.push(...w.result.notes.map((n) => `what-if: ${n}`));
  }
  // the tables once every part of the command has succeeded (a what-if that fails leaves none of them)
  const files = [...(options.outDir ? writeXvaTables(options.outDir, market.baseCurrency, result, scenarios, incremental, wrongWay, cs01) : []), ...whatIfFiles];
  if (files.length > 0) options.onWritten?.(files);
  return { currency: market.baseCurrency, result, analysis, scenarios, incremental, wrongWay, cs01, ...(whatIf ? { whatIf } : {}), simulations, notes, files, source: options.resultsDir ? 'results' : 'simulation', ...(options.resultsDir ? {} : { paths: options.paths }) };
}
