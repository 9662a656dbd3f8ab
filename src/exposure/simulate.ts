/**
 * The library entry of `xva simulate`: read and check the inputs, run the exposure engine, write the tables, the
 * optional cube and the manifest. Bad input throws XvaInputError (every problem at once) before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IssueCollector, XvaInputError, formatIssue } from '../errors.js';
import { loadMarket } from '../market/load.js';
import { checkPortfolio } from '../portfolio/checks.js';
import { loadPortfolio } from '../portfolio/load.js';
import { packageRoot } from '../cli/paths.js';
import type { GridSpec } from '../simulation/grid.js';
import { DIM_METHOD, dynamicInitialMargin } from '../margin/dim.js';
import { SCHEDULE_DIM_METHOD } from '../margin/scheduleDim.js';
import type { MporDays } from '../margin/simm/types.js';
import { runSimulation, type InitialMarginProfile, type ProgressFn } from './engine.js';
import { GPU_WORKER_YOUNG_GENERATION_MB, WorkerPool } from './pool.js';
import { buildManifest, CubeWriter, writeExposureTables, writeManifest, type TableFormat } from './outputs.js';
import type { CubePrecision, CubeSetDetail } from './cube.js';
import type { SimulationResult } from './results.js';
import type { ExposureBackend } from './backends/gpu/index.js';

export interface SimulateRunOptions {
  portfolioDir: string;
  marketFile: string;
  outDir: string;
  paths: number;
  seed: number;
  grid: GridSpec;
  threads: number;
  antithetic: boolean;
  /** The draws (`--rng`, engine.ts SimulationOptions.rng); default philox. */
  rng?: 'philox' | 'sobol';
  pfeQuantile: number;
  /** Collateral coverage factor (0 to 1.2); default 1. */
  coverage?: number;
  skipUnsupported: boolean;
  cube: boolean;
  /** Precision of cube.arrow's values (`--cube-precision`, cube.ts); default float32. */
  cubePrecision?: CubePrecision;
  format: TableFormat;
  /**
   * Dynamic IM fed back as collateral (`--dynamic-im`): the expected IM profile (src/margin/dim.ts, same paths, seed
   * and grid) of every netting set whose im_model is simm is held as IM on every path, replacing initial_margin_held,
   * and its expected IM posted is posted on every path (lowering the ENE), replacing initial_margin_posted.
   */
  dynamicIm?: { mporDays: MporDays };
  onProgress?: ProgressFn;
  onWarning?: (text: string) => void;
  /** The backend that simulates the market paths (`--backend`, backends/gpu/index.ts); absent: the CPU engine. */
  backend?: ExposureBackend;
  /**
   * Called once every output is in place (manifest.json last), before the worker threads are closed: the CLI marks
   * its outputs written there (io/tempFiles.ts markOutputsWritten), so that a stop in the close says they are this
   * run's. A program embedding the library into a folder of its own (explain's staging) leaves it out.
   */
  onWritten?: (files: readonly string[]) => void;
}

export interface SimulateRunResult {
  result: SimulationResult;
  /** Every file written, tables first, manifest last. */
  files: string[];
  manifest: Record<string, unknown>;
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Input warnings a run writes before pointing to `xva validate` for the rest. */
const RUN_WARNINGS_SHOWN = 20;

/**
 * Loads and checks the market and the portfolio; throws XvaInputError listing every problem. The checks' warnings
 * (a vol typed in percent, a cell the product does not read: `xva validate` lists them all) go to `onWarning` when
 * given, the first RUN_WARNINGS_SHOWN of them, so that a run on doubtful inputs says so.
 */
export async function loadSimulationInputs(portfolioDir: string, marketFile: string, onWarning?: (text: string) => void) {
  const issues = new IssueCollector(200);
  // a portfolio folder that is not there is said first (the market file, by default inside it, would else be the
  // only thing named), with the market's own problems beside it when it is given elsewhere (its default, inside the
  // missing folder, would only be a knock-on of the same mistake: xva validate says the same)
  if (!fs.existsSync(portfolioDir) || !fs.statSync(portfolioDir).isDirectory()) {
    issues.add({ file: portfolioDir, value: fs.existsSync(portfolioDir) ? 'a file, not a folder' : 'not found', expected: 'a portfolio folder (trades, counterparties, netting_sets tables)' });
    if (path.dirname(path.resolve(marketFile)) !== path.resolve(portfolioDir)) {
      try {
        loadMarket(marketFile);
      } catch (error) {
        if (!(error instanceof XvaInputError)) throw error;
        for (const issue of error.issues) issues.add(issue);
      }
    }
    issues.throwIfAny();
  }
  const market = loadMarket(marketFile);
  const portfolio = await loadPortfolio(portfolioDir, issues, { baseCurrency: market.baseCurrency });
  checkPortfolio(portfolio, market, issues, { marketFile: path.basename(marketFile) });
  issues.throwIfAny();
  if (onWarning !== undefined) {
    for (const warning of issues.warnings.slice(0, RUN_WARNINGS_SHOWN)) onWarning(formatIssue(warning));
    const more = issues.warnings.length + issues.warningsTruncated - RUN_WARNINGS_SHOWN;
    if (more > 0) onWarning(`... and ${more} more input warnings (xva validate lists them)`);
  }
  return { market, portfolio };
}

/**
 * The manifest's `options` record of `xva simulate` (the sharded run writes the same record, so that `xva merge` gives
 * a single run's manifest): the key order is part of the file's bytes.
 */
export function simulateOptionsRecord(options: Pick<SimulateRunOptions, 'portfolioDir' | 'paths' | 'seed' | 'grid' | 'threads' | 'antithetic' | 'rng' | 'pfeQuantile' | 'coverage' | 'skipUnsupported' | 'cube' | 'cubePrecision' | 'format' | 'dynamicIm' | 'backend'>): Record<string, unknown> {
  return {
    portfolio: path.resolve(options.portfolioDir),
    paths: options.paths,
    seed: options.seed,
    grid: options.grid,
    threads: options.threads,
    antithetic: options.antithetic,
    rng: options.rng ?? 'philox',
    pfeQuantile: options.pfeQuantile,
    coverage: options.coverage ?? 1,
    skipUnsupported: options.skipUnsupported,
    cube: options.cube,
    ...(options.cube ? { cubePrecision: options.cubePrecision ?? 'float32' } : {}),
    format: options.format,
    dynamicIm: options.dynamicIm !== undefined,
    backend: options.backend?.name ?? 'cpu',
    // the adapter of a GPU run; its notes, and those of --backend auto falling back to the CPU (they say why)
    ...(options.backend?.adapter ? { gpuAdapter: options.backend.adapter } : {}),
    ...(options.backend?.adapter || options.backend?.fellBack ? { backendNotes: options.backend.notes } : {}),
    ...(options.dynamicIm ? { dynamicImMporDays: options.dynamicIm.mporDays } : {}),
  };
}

export async function simulateToFiles(options: SimulateRunOptions): Promise<SimulateRunResult> {
  // worker threads load the market while this thread loads the portfolio (engine.ts SimulationInput.workerPool)
  const gpu = options.backend?.name === 'gpu';
  const workerPool = options.threads > 1 && !options.dynamicIm ? WorkerPool.early(options.marketFile, options.threads, gpu ? { youngGenerationMb: GPU_WORKER_YOUNG_GENERATION_MB } : {}) : undefined;
  try {
    return await simulateWith(options, workerPool);
  } finally {
    await workerPool?.close();
  }
}

async function simulateWith(options: SimulateRunOptions, workerPool: WorkerPool | undefined): Promise<SimulateRunResult> {
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile, options.onWarning);
  const loadSeconds = (performance.now() - started) / 1000;

  // Dynamic IM: simulated first (its own run of the simm sets, cube on), then held as IM in the exposure run.
  const dimNotes: string[] = [];
  let dim: Awaited<ReturnType<typeof dynamicInitialMargin>> | undefined;
  let initialMarginProfiles: Map<string, InitialMarginProfile> | undefined;
  let postedInitialMarginProfiles: Map<string, InitialMarginProfile> | undefined;
  if (options.dynamicIm) {
    options.onProgress?.(0, 'dynamic initial margin');
    dim = await dynamicInitialMargin(portfolio, market, { paths: options.paths, seed: options.seed, ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}), ...(options.antithetic ? { antithetic: true } : {}), mporDays: options.dynamicIm.mporDays, grid: options.grid }, dimNotes);
    initialMarginProfiles = dim.initialMarginProfiles;
    postedInitialMarginProfiles = dim.postedInitialMarginProfiles;
    for (const note of dimNotes) options.onWarning?.(note);
  }

  const cubeFile = path.join(options.outDir, 'cube.arrow');
  let cube: CubeWriter | undefined;
  let result: SimulationResult;
  try {
    result = await runSimulation({
      portfolio,
      market,
      marketFile: options.marketFile,
      ...(workerPool ? { workerPool } : {}),
      options: {
        paths: options.paths,
        seed: options.seed,
        grid: options.grid,
        threads: options.threads,
        antithetic: options.antithetic,
        ...(options.rng ? { rng: options.rng } : {}),
        pfeQuantile: options.pfeQuantile,
        coverage: options.coverage ?? 1,
        skipUnsupported: options.skipUnsupported,
        cube: options.cube,
        ...(initialMarginProfiles ? { initialMarginProfiles } : {}),
        ...(postedInitialMarginProfiles && postedInitialMarginProfiles.size > 0 ? { postedInitialMarginProfiles } : {}),
        ...(options.backend?.pathSimulator ? { pathSimulator: options.backend.pathSimulator } : {}),
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.cube
        ? {
            onCube: (nettingSetId: string | null, values: Float32Array, nPaths: number, exposureDateSerials: Int32Array, detail: CubeSetDetail) => {
              cube ??= new CubeWriter(cubeFile, nPaths, exposureDateSerials, options.cubePrecision ?? 'float32');
              cube.write(nettingSetId, values, detail);
            },
          }
        : {}),
    });
  } catch (error) {
    cube?.abort();
    throw error;
  }

  const writeStart = performance.now();
  // The cube first: its close awaits the stream's 'finish' (a next-tick event today, but an await all the same). From
  // its rename on, the tables and manifest.json are written in one synchronous step, so a signal (handled between
  // event-loop turns) finds the folder as the run before left it, or this run's whole.
  if (cube) await cube.close();
  const files = writeExposureTables(result, options.outDir, options.format);
  if (cube) files.push(cubeFile);
  result.timings.load = loadSeconds;
  result.timings.write = (performance.now() - writeStart) / 1000;
  result.timings.total = (performance.now() - started) / 1000;
  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  const manifest = buildManifest(result, {
    version: packageVersion(),
    command: 'simulate',
    inputs,
    options: simulateOptionsRecord(options),
    files,
    ...(cube ? { cube: cube.index() } : {}),
  });
  if (dim) {
    // which sets got an IM profile held: E[IM](t) of the first date (today's SIMM by the scaling, or today's schedule
    // IM) and the MVA, USD
    manifest.dynamicInitialMargin = {
      method: DIM_METHOD,
      scheduleMethod: SCHEDULE_DIM_METHOD,
      currency: 'USD',
      nettingSets: dim.profiles.map((p) => ({ nettingSetId: p.nettingSetId, method: p.method ?? 'regression', imToday: p.expectedImCollect[0] ?? 0, dates: p.dates.length, mva: p.mva })),
      notes: dimNotes,
    };
  }
  files.push(writeManifest(options.outDir, manifest));
  options.onWritten?.(files);
  return { result, files, manifest };
}
