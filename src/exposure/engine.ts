/**
 * The exposure engine (docs/simulation.md): from a checked portfolio and market to exposure profiles.
 *
 * 1. The book's fixed order: counterparties in order of their first netting set in the netting_sets table, each
 *    with its netting sets in table order; sets without (valued) trades are left out. Every output follows it.
 * 2. The factor layout from what the trades need, the cross-asset model, the time grid (default or `--grid`, plus
 *    the close-out dates of every MPoR under a CSA), then the market paths, once, on SharedArrayBuffers.
 * 3. Work units: contiguous runs of whole counterparties of about equal cost (partition.ts), handed to worker
 *    threads as they free up (`threads` = 1: in-process). A unit's figures do not depend on the unit (unit.ts).
 * 4. Merge in the book's order: netting sets and counterparties by index, book totals summed in that order, cube
 *    batches streamed in that order. So the outputs are bit-identical whatever the thread count or the split.
 */
import type { DateSerial } from '../conventions/dates.js';
import path from 'node:path';
import { checkFiniteProfiles } from './finite.js';
import { XvaInputError, XvaInternalError, XvaUsageError, type InputIssue } from '../errors.js';
import type { Market } from '../market/types.js';
import { marketSource } from '../market/load.js';
import { hazardCurveSpec } from '../market/hazard.js';
import type { NettingSet, Portfolio } from '../portfolio/types.js';
import { tradeCurrencies, tradeMaturity, type Currency, type Trade } from '../products/types.js';
import { gridFromSpec, withCloseOutDates, type GridSpec } from '../simulation/grid.js';
import type { FactorLayout, SimulatedPaths, TimeGrid } from '../simulation/types.js';
import { buildCrossAssetModel, type CrossAssetModel } from '../simulation/crossAsset/model.js';
import { simulatePaths } from '../simulation/crossAsset/simulate.js';
import { kernelMemoryOf, pathArrayCount, pathBuffersOn, pathMemory, useKernelMemory } from './valuation/wasm/poolKernels.js';
import type { DevicePayload } from './devicePayload.js';
import type { DeviceCounterpartyFigures, DeviceSetFigures } from './deviceFigures.js';
import { counterpartyFiguresOnDevice, figuresRouteOf, streamUnitsThroughDevice } from './deviceDrive.js';
import type { DeviceFactorIndex, DeviceTables } from './backends/gpu/tables.js';
import { buildFactorLayout, type FactorNeeds } from '../simulation/layout.js';
import { auxStreamsOf } from '../simulation/crossAsset/stepPlan.js';
import { GPU_WORKER_YOUNG_GENERATION_MB, pathBlocks, WorkerPool, type WorkerInit, type WorkerMessage, type WorkerTask } from './pool.js';
import { collectGarbage } from './collect.js';
import { describeModel, valuationModelOf } from './modelView.js';
import { exposureDateIndices } from './profiles.js';
import { contiguousUnits, nettingSetCost } from './partition.js';
import type { AggregateProfile, CounterpartyResult, CoverageVariant, NettingSetResult, SimulationResult, SkippedTrade } from './results.js';
import { initialMarginOnGrid, type InitialMarginProfile } from './collateral.js';
import { closeOutCount, closeOutRows, type CubeSetDetail } from './cube.js';
import { addSetFigures } from './aggregate.js';
import { runUnit, type PrecomputedSet, type UnitContext, type UnitCounterparty, type UnitResult, type UnitTask } from './unit.js';
import type { ExposureProfile } from './types.js';

export type { InitialMarginProfile } from './collateral.js';

export interface SimulationOptions {
  paths: number;
  seed: number;
  /** A parsed `--grid`, or a ready grid (close-out dates are added either way). Default: the default grid. */
  grid?: GridSpec | TimeGrid;
  /**
   * A grid spec runs at least to this date, beyond the last trade's maturity (xva capital: the SA-CCR positions given
   * directly, `saccr_trades`, whose KVA profile needs dates to their maturities). Absent: the last trade's maturity.
   */
  horizon?: DateSerial;
  /** Worker threads; 1 = in-process. */
  threads: number;
  antithetic: boolean;
  /**
   * The draws: 'philox' (default), pseudo-random normals per (seed, path, driver, step); 'sobol', each path's Sobol
   * point (digitally shifted by the seed) through a Brownian bridge per driver (simulate.ts SimulateOptions.sobol).
   * Not with `antithetic`, nor with a pathSimulator that cannot draw Sobol points (PathSimulator.sobol).
   */
  rng?: 'philox' | 'sobol';
  /**
   * Under rng 'sobol': the layout whose drivers fix the Sobol coordinates (a shard passes the whole book's, so that its
   * paths are the single run's); default the run's own layout.
   */
  sobolLayout?: FactorLayout;
  pfeQuantile: number;
  /** Collateral coverage factor, 0 to 1.2 (default 1). */
  coverage?: number;
  /**
   * Other collateral coverages (each 0 to 1.2) to re-aggregate the run's path values at: per netting set the
   * collateral, profile and Euler contributions, and the counterparty and book totals, again per coverage from the
   * values already computed (no second simulation or valuation), in SimulationResult.coverageVariants. Each is bit
   * for bit a run with that `coverage` on the same grid. The grid carries the close-out dates of the MPoRs when any
   * coverage, base or variant, is positive (so a base coverage of 0 with positive variants is valued on that grid).
   */
  coverageVariants?: readonly number[];
  /** Leave out trades the engine cannot value (with a warning) instead of failing. */
  skipUnsupported: boolean;
  /** Hand path values to `onCube` (Float32). */
  cube?: boolean;
  /**
   * With `cube`: value every netting set under a CSA with a margin period of risk at its close-out lag dates too, and
   * hand those rows to `onCube`, even at a coverage that holds no collateral (where the figures do not need them): the
   * dynamic IM's windows of one MPoR read them (margin/dim.ts), whatever the scenario's coverage. Default false.
   */
  closeOutRows?: boolean;
  /**
   * false: leave out the Euler contributions per trade (NettingSetResult's tradeEpe and tradeEne empty; a set whose
   * figures the GPU device computed on its figures route keeps them) for a caller that reads the netting sets'
   * figures or the cube only (SA-CVA's bumped runs, the optimiser's measurements, DIM, `--incremental`); the netting
   * sets', counterparties' and book's figures are the same bits either way. Default true.
   */
  tradeContributions?: boolean;
  /**
   * Initial margin held per netting set as a profile (the expected dynamic IM of src/margin/dim.ts): IM dates (day
   * serials, strictly increasing) and the amounts held from each date on (base currency, >= 0). Put on the grid as a
   * step: the IM at grid date t is the amount of the last IM date on or before t (0 before the first). It replaces
   * the set's initial_margin_held and is the same on every path (E[IM(t)], not a pathwise IM).
   */
  initialMarginProfiles?: ReadonlyMap<string, InitialMarginProfile>;
  /**
   * Initial margin posted by the bank per netting set as a profile (the expected dynamic IM posted, src/margin/dim.ts),
   * on the grid as `initialMarginProfiles`: it replaces the set's initial_margin_posted and lowers its ENE (DVA).
   */
  postedInitialMarginProfiles?: ReadonlyMap<string, InitialMarginProfile>;
  /**
   * Factors to simulate beside those the trades need (their union is the layout). A run over part of a book passes
   * the whole book's needs (and the whole book's grid as `grid`), so that it draws the very same market paths as the
   * run over the whole book: the correlated draws of a factor depend on which factors the layout holds.
   */
  layoutNeeds?: FactorNeeds;
  /**
   * Simulates the run's market paths in place of the CPU simulation (the GPU backend, src/exposure/backends/gpu):
   * global paths 0 .. nPaths−1 of the model on the grid, the same stream as simulatePaths. Valuation, collateral and
   * profiles then run on these paths as usual.
   */
  pathSimulator?: PathSimulator;
}

/**
 * A market-path simulation backend: global paths 0 .. nPaths−1 (date-major arrays, N(0) = 1). With
 * `deviceValuation` (the GPU backend) it also values some netting sets where the paths were simulated: with one
 * thread the engine asks it counterparty by counterparty; with worker threads they build the sets' node tables, this
 * thread submits them to the device and hands the values to the workers for the host part.
 */
/**
 * (`into`: the engine's shared path arrays; a simulator may write there and return `into` itself, which saves the
 * engine its copy; one that returns other arrays is copied. `deferHostCopy`: a simulator with `deviceValuation` may
 * leave `into` unwritten until DeviceSetValuation.copyPathsToHost, when it says so by hostCopyPending.)
 */
export type PathSimulator = ((
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  nPaths: number,
  antithetic: boolean,
  into?: SimulatedPaths,
  deferHostCopy?: boolean,
  sobol?: { streams: Uint32Array },
) => Promise<SimulatedPaths>) & {
  readonly deviceValuation?: DeviceSetValuation;
  /**
   * The simulator draws Sobol points when given `sobol` (the streams of the run's Sobol layout, as simulatePaths takes
   * them): a host simulator such as optimize's path cache, and the GPU backend's (on the device).
   */
  readonly sobol?: boolean;
};

/** Values netting sets on the device that simulated the paths (backends/gpu/valuation.ts). */
export interface DeviceSetValuation {
  /**
   * The sets of one counterparty it values itself, by book index (the others are valued on the host), on ctx.paths,
   * which must be the paths its simulator returned.
   */
  valueCounterparty(ctx: UnitContext, counterparty: UnitCounterparty): Promise<ReadonlyMap<number, PrecomputedSet>>;
  /** valueCounterparty over several counterparties at once (the device may overlap their sets), the same results. */
  valueCounterparties(ctx: UnitContext, counterparties: readonly UnitCounterparty[]): Promise<ReadonlyMap<number, PrecomputedSet>>;
  /**
   * Valuation from tables built on other threads (backends/gpu/tables.ts deviceTablesOf): where the factors sit in
   * the device's paths (undefined unless `paths` are the device's), submitting a set's tables, and recording where a
   * set went (in book order, as valueCounterparties records it).
   */
  factorIndex(paths: SimulatedPaths): DeviceFactorIndex | undefined;
  submit(tables: DeviceTables, nPaths: number): { finish(): Promise<DevicePayload> };
  record(nettingSetId: string, reason: string | undefined, onFigures?: boolean): void;
  /** Adds a worker's seconds building a unit's tables to the run's statistics. */
  noteTablesBuilt(seconds: number, buffers?: { reused: number; allocated: number }): void;
  /** Adds the driving thread's seconds building a counterparty's tables (the figures route on one thread). */
  noteDrivingTablesBuilt(seconds: number): void;
  /**
   * The figures route (backends/gpu/wgsl/figures.ts): whether it can run, a counterparty's accumulator, a set's
   * submission (its figures only come back) and the counterparty's pathwise totals.
   */
  figuresRouteOpen(): boolean;
  beginCounterparty(nExp: number): unknown;
  submitFigures(tables: DeviceTables, rank: number, acc: unknown): { finish(): Promise<DeviceSetFigures> };
  finishCounterparty(acc: unknown, index: number, exposureDates: Int32Array, nDates: number, rank: number): { finish(): Promise<DeviceCounterpartyFigures> };
  /**
   * Paths simulated with `deferHostCopy`: whether the host arrays are still unwritten, their copy (once), and the
   * state ranges that the node tables need meanwhile (kernels.ts ResidentPaths.stateRanges).
   */
  hostCopyPending(): boolean;
  copyPathsToHost(): Promise<void>;
  stateRanges(): Promise<Float64Array>;
  /** Frees what the device holds for the run (the resident paths). */
  release(): void;
}

/** Progress: fraction of the valuation work done (0..1) and the stage's name. */
export type ProgressFn = (fractionDone: number, stage: string) => void;

export interface SimulationInput {
  portfolio: Portfolio;
  market: Market;
  /** The market file the market came from: worker threads load it themselves. Needed when threads > 1. */
  marketFile?: string;
  /**
   * Worker threads started before the inputs were loaded (WorkerPool.early on marketFile), so that they load the market
   * meanwhile: the run takes them over (its worker threads, whatever options.threads) and closes them at its end,
   * also when it runs in-process.
   */
  workerPool?: WorkerPool;
  options: SimulationOptions;
  onProgress?: ProgressFn;
  onWarning?: (text: string) => void;
  /**
   * With options.cube: the numeraire (id null) first, then each netting set's values V on the exposure dates
   * (`[k * nPaths + p]`, Float32), in the book's order. `detail`: the same values in Float64, the rows' grid
   * indices, the set's last live grid index and, under a CSA with a margin period of risk, its values at the
   * close-out lag dates (cube.ts).
   */
  onCube?: (nettingSetId: string | null, values: Float32Array, nPaths: number, exposureDateSerials: Int32Array, detail: CubeSetDetail) => void;
}

/**
 * Work units of an in-process run (threads = 1): a unit runs to its end without a turn of the event loop, so a run
 * of one unit would handle a signal (Ctrl-C, a pod's SIGTERM) only after its last netting set. A set's figures do not
 * depend on its unit (the same bits whatever the thread count), so the split changes no number.
 */
const IN_PROCESS_UNITS = 32;

/** Work units per thread: enough to even out unequal units, few enough to keep the hand-over cheap. */
const UNITS_PER_THREAD = 32;

function checkOptions(options: SimulationOptions): void {
  const { paths, seed, threads, pfeQuantile } = options;
  if (!Number.isSafeInteger(paths) || paths < 1) throw new XvaUsageError(`paths must be a whole number >= 1, got ${paths}`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new XvaUsageError(`seed must be a whole number 0 to ${0xffffffff}, got ${seed}`);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new XvaUsageError(`threads must be a whole number >= 1, got ${threads}`);
  if (!(pfeQuantile > 0 && pfeQuantile < 1)) throw new XvaUsageError(`the PFE quantile must be in (0, 1), got ${pfeQuantile}`);
  const coverage = options.coverage ?? 1;
  if (!(coverage >= 0 && coverage <= 1.2)) throw new XvaUsageError(`collateral coverage must be 0 to 1.2, got ${coverage}`);
  for (const c of options.coverageVariants ?? []) {
    if (!(c >= 0 && c <= 1.2)) throw new XvaUsageError(`a collateral coverage variant must be 0 to 1.2, got ${c}`);
  }
  if (options.antithetic && paths % 2 !== 0) throw new XvaUsageError(`antithetic paths need an even path count, got ${paths}`);
  if (options.rng !== undefined && options.rng !== 'philox' && options.rng !== 'sobol') throw new XvaUsageError(`rng must be philox or sobol, got ${String(options.rng)}`);
  if (options.rng === 'sobol' && options.antithetic) throw new XvaUsageError('antithetic paths are for pseudo-random draws: not with rng sobol (a Sobol point set is balanced already)');
  if (options.rng === 'sobol' && options.pathSimulator && !options.pathSimulator.sobol) throw new XvaUsageError('this path simulator draws Philox normals only: rng sobol needs one that draws Sobol points (the CPU or GPU backend)');
}

interface BookOrder {
  counterparties: UnitCounterparty[];
  skipped: SkippedTrade[];
}

/** Groups trades by netting set and netting sets by counterparty in the book's fixed order. */
function bookOrder(portfolio: Portfolio): UnitCounterparty[] {
  const tradesBySet = new Map<string, Trade[]>();
  for (const trade of portfolio.trades) {
    let list = tradesBySet.get(trade.nettingSetId);
    if (!list) tradesBySet.set(trade.nettingSetId, (list = []));
    list.push(trade);
  }
  const byCounterparty = new Map<string, UnitCounterparty>();
  const counterparties: UnitCounterparty[] = [];
  const seenSets = new Set<string>();
  for (const nettingSet of portfolio.nettingSets) {
    const trades = tradesBySet.get(nettingSet.nettingSetId);
    if (!trades || trades.length === 0 || seenSets.has(nettingSet.nettingSetId)) continue;
    seenSets.add(nettingSet.nettingSetId);
    let cp = byCounterparty.get(nettingSet.counterpartyId);
    if (!cp) {
      cp = { index: counterparties.length, counterpartyId: nettingSet.counterpartyId, sets: [] };
      byCounterparty.set(nettingSet.counterpartyId, cp);
      counterparties.push(cp);
    }
    cp.sets.push({ index: 0, nettingSet, trades });
  }
  // book order = counterparty groups in order; number the sets in it
  let index = 0;
  for (const cp of counterparties) for (const s of cp.sets) s.index = index++;
  return counterparties;
}

/** Unsupported trades: an XvaInputError listing every one (file, row, trade, why), unless they may be skipped. */
function unsupportedError(portfolio: Portfolio, skipped: readonly SkippedTrade[]): XvaInputError {
  const tradesFile = portfolio.sources.trades ? path.basename(portfolio.sources.trades) : 'trades';
  const rows = new Map(portfolio.trades.map((t) => [t.tradeId, t.sourceRow]));
  const issues: InputIssue[] = skipped.map((s) => {
    const row = rows.get(s.tradeId);
    return {
      file: tradesFile,
      ...(row !== undefined ? { row } : {}),
      column: 'product',
      // the reason in `expected`, which is never cut (a value over 200 characters is)
      value: s.product,
      expected: `a trade the exposure engine can value: trade ${s.tradeId}: ${s.reason} (or run with --skip-unsupported to leave it out)`,
    };
  });
  return new XvaInputError(issues.slice(0, 200), Math.max(0, issues.length - 200));
}

/** The factors the trades need: their currencies, equity underlyings and CDS reference names (sorted, unique). */
export function factorNeeds(trades: readonly Trade[]): { currencies: Currency[]; equities: string[]; creditNames: string[] } {
  const currencies = new Set<Currency>();
  const equities = new Set<string>();
  const creditNames = new Set<string>();
  for (const t of trades) {
    for (const c of tradeCurrencies(t)) currencies.add(c);
    if (t.product === 'EQFWD' || t.product === 'EQOPT') equities.add(t.underlying);
    if (t.product === 'CDS') creditNames.add(t.referenceEntity);
  }
  return { currencies: [...currencies].sort(), equities: [...equities].sort(), creditNames: [...creditNames].sort() };
}

function isTimeGrid(grid: GridSpec | TimeGrid | undefined): grid is TimeGrid {
  return grid !== undefined && 'dates' in grid;
}

/** The grid of the run: default or spec, then the close-out dates of every MPoR of a collateralised set. */
function runGrid(market: Market, spec: GridSpec | TimeGrid | undefined, counterparties: UnitCounterparty[], coverage: number, horizon?: DateSerial): TimeGrid {
  let lastMaturity = Math.max(market.asOf, horizon ?? market.asOf);
  const mpors: number[] = [];
  for (const cp of counterparties) {
    for (const { nettingSet, trades } of cp.sets) {
      for (const t of trades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
      if (nettingSet.csa && coverage > 0 && nettingSet.marginPeriodOfRiskDays > 0) mpors.push(nettingSet.marginPeriodOfRiskDays);
    }
  }
  const base = isTimeGrid(spec) ? spec : gridFromSpec(spec ?? { kind: 'default' }, market.asOf, lastMaturity);
  return withCloseOutDates(base, mpors);
}

/** Book totals: sums of the netting sets' figures, added in the book's order (so independent of the split). */
export function bookTotal(sets: readonly NettingSetResult[], nExp: number): AggregateProfile {
  const total: AggregateProfile = {
    epe: new Float64Array(nExp),
    ene: new Float64Array(nExp),
    ee: new Float64Array(nExp),
    eee: new Float64Array(nExp),
    collateral: new Float64Array(nExp),
    epeVm: new Float64Array(nExp),
    eneVm: new Float64Array(nExp),
    collateralVm: new Float64Array(nExp),
    epe1y: 0,
    eepe: 0,
  };
  for (const s of sets) addSetFigures(total, s.profile, nExp);
  return total;
}

/** Bytes of path memory this thread's runs took since its last collection (collectPathMemory), and the collections. */
let pathBytesSinceCollection = 0;
let pathCollections = 0;

/** How many collections collectPathMemory made in this thread (tests). */
export function pathMemoryCollections(): number {
  return pathCollections;
}

/**
 * The path memory runs may leave to V8 before a collection: a run's paths are outside the JavaScript heap and V8 does
 * not count them towards its next collection (collect.ts), so a process that runs the engine again and again held the
 * paths of many finished runs. `xva optimize` on utb-20k at 1,000 paths (111 runs of 0.18 GB of paths at most): 4.7
 * GB of peak RSS; 2.0 GB with a collection before every run (66 ms each, 4% of the optimiser's time); 3.2 GB with one
 * every 1 GiB; 2.2 GB with one every 256 MiB (bench/README.md "Workers kept between runs").
 */
export const PATH_MEMORY_COLLECT_BYTES = 256 * 1024 * 1024;
let pathMemoryCollectBytes = PATH_MEMORY_COLLECT_BYTES;

/** Sets the bytes of path memory between collections (tests); returns the previous setting. */
export function setPathMemoryCollectBytes(bytes: number): number {
  const previous = pathMemoryCollectBytes;
  pathMemoryCollectBytes = bytes;
  return previous;
}

/**
 * Before a run takes `bytes` of path memory: a full collection of this thread's heap when the runs since the last one
 * took PATH_MEMORY_COLLECT_BYTES (their paths are garbage by now, unless a caller still holds them); never in a process
 * that runs the engine once.
 */
function collectPathMemory(bytes: number): void {
  if (pathBytesSinceCollection >= pathMemoryCollectBytes) {
    collectGarbage();
    pathCollections++;
    pathBytesSinceCollection = 0;
  }
  pathBytesSinceCollection += bytes;
}

/**
 * Path arrays for the whole run (filled by the workers' path blocks, or by this thread): on one shared WebAssembly
 * memory with a scratch slot for each of `threads` threads, so that the rate pools' kernels read them in place
 * (valuation/wasm/poolKernels.ts); each on its own SharedArrayBuffer where that memory cannot be made (over 4 GiB).
 */
function sharedPaths(layout: FactorLayout, grid: TimeGrid, nPaths: number, seed: number, threads: number, antithetic: boolean): { paths: SimulatedPaths; kernelMemory?: WebAssembly.Memory } {
  const size = grid.dates.length * nPaths;
  collectPathMemory(pathArrayCount(layout) * size * Float64Array.BYTES_PER_ELEMENT);
  const onMemory = pathMemory(pathArrayCount(layout), size, nPaths, threads);
  const make = onMemory?.make ?? ((): Float64Array => new Float64Array(new SharedArrayBuffer(size * Float64Array.BYTES_PER_ELEMENT)));
  const paths: SimulatedPaths = { grid, layout, nPaths, pathOffset: 0, seed, ...(antithetic ? { antithetic } : {}), ...pathBuffersOn(make, layout) };
  return onMemory ? { paths, kernelMemory: onMemory.memory } : { paths };
}

function counterpartyResult(cp: UnitCounterparty, profile: ExposureProfile): CounterpartyResult {
  return {
    counterpartyId: cp.counterpartyId,
    nettingSetIds: cp.sets.map((s) => s.nettingSet.nettingSetId),
    epe: profile.epe,
    ene: profile.ene,
    ee: profile.ee,
    eee: profile.eee,
    collateral: profile.collateral,
    epeVm: profile.epeVm,
    eneVm: profile.eneVm,
    collateralVm: profile.collateralVm,
    pfe: profile.pfe,
    epeStdError: profile.epeStdError,
    epe1y: profile.epe1y,
    eepe: profile.eepe,
  };
}

/** Expected cost of a netting set: trades × dates valued up to its last maturity × paths. */
function setCost(grid: TimeGrid, trades: readonly Trade[], nettingSet: NettingSet, nPaths: number): number {
  let last = 0;
  for (const t of trades) last = Math.max(last, tradeMaturity(t));
  let dates = 0;
  for (let d = 0; d < grid.dates.length && grid.dates[d]! <= last; d++) dates++;
  const lastIndex = Math.max(0, dates - 1);
  const cost = nettingSetCost(trades.length, lastIndex, nPaths);
  return nettingSet.csa ? cost * 1.1 : cost;
}

/**
 * Puts each IM profile (held, or posted by the bank) on the grid and onto its netting set's work item (it travels to
 * the workers with the task).
 */
function attachInitialMargin(
  portfolio: Portfolio,
  counterparties: UnitCounterparty[],
  profiles: ReadonlyMap<string, InitialMarginProfile>,
  grid: TimeGrid,
  onWarning: ((text: string) => void) | undefined,
  side: 'held' | 'posted' = 'held',
): void {
  const known = new Set(portfolio.nettingSets.map((n) => n.nettingSetId));
  for (const id of profiles.keys()) {
    if (!known.has(id)) throw new XvaUsageError(`an IM ${side} profile is given for netting set ${id}, which is not in the portfolio`);
  }
  for (const cp of counterparties) {
    for (const item of cp.sets) {
      const profile = profiles.get(item.nettingSet.nettingSetId);
      if (!profile) continue;
      const onGrid = initialMarginOnGrid(item.nettingSet.nettingSetId, profile, grid);
      const input = side === 'held' ? (item.nettingSet.initialMarginHeld ?? 0) : (item.nettingSet.initialMarginPosted ?? 0);
      if (side === 'held') item.initialMarginProfile = onGrid;
      else item.initialMarginPostedProfile = onGrid;
      if (input > 0) onWarning?.(`netting set ${item.nettingSet.nettingSetId}: the IM ${side} profile replaces initial_margin_${side} ${input}`);
    }
  }
}

export async function runSimulation(input: SimulationInput): Promise<SimulationResult> {
  // Worker threads started at once when none were handed in (as xva simulate starts them while it loads its inputs,
  // WorkerPool.early): they load their modules and build the market from this thread's parsed YAML while this thread
  // prepares the run (book order, grid, model, units: 0.1 s for utb-20k on an H100 machine, bench/README.md), instead
  // of after it. Only for a market read from its file as it stands (marketSource), the one the workers would get.
  // As many as the run can use: its threads, at most one a counterparty (bookOrder's count, or more where some have
  // no trades: a pool may hold more workers than the run's threads).
  const threads = Math.min(input.options.threads, new Set(input.portfolio.nettingSets.map((ns) => ns.counterpartyId)).size);
  const source = !input.workerPool && input.marketFile && threads > 1 ? marketSource(input.market) : undefined;
  if (!source) return runSimulationOn(input);
  const gpu = input.options.pathSimulator?.deviceValuation !== undefined;
  const workerPool = WorkerPool.early(input.marketFile!, threads, gpu ? { youngGenerationMb: GPU_WORKER_YOUNG_GENERATION_MB } : {}, source);
  try {
    return await runSimulationOn({ ...input, workerPool });
  } finally {
    // closed by the run once it took them over; not when it failed before that
    await workerPool.close({ wait: false });
  }
}

async function runSimulationOn(input: SimulationInput): Promise<SimulationResult> {
  const { portfolio, market, options } = input;
  checkOptions(options);
  const coverage = options.coverage ?? 1;
  // distinct coverage variants in the order asked; one equal to the base coverage is the base result itself
  const askedVariants = [...new Set(options.coverageVariants ?? [])];
  const variantCoverages = askedVariants.filter((c) => c !== coverage);
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (stage: string): void => {
    const now = performance.now();
    timings[stage] = (now - mark) / 1000;
    mark = now;
  };
  const progress = input.onProgress ?? (() => undefined);

  const counterparties = bookOrder(portfolio);
  const allTrades = counterparties.flatMap((cp) => cp.sets.flatMap((s) => s.trades));
  const tradeNeeds = factorNeeds(allTrades);
  const needs = options.layoutNeeds
    ? {
        currencies: [...new Set([...tradeNeeds.currencies, ...options.layoutNeeds.currencies])].sort(),
        equities: [...new Set([...tradeNeeds.equities, ...options.layoutNeeds.equities])].sort(),
        creditNames: [...new Set([...tradeNeeds.creditNames, ...options.layoutNeeds.creditNames])].sort(),
      }
    : tradeNeeds;
  const layout = buildFactorLayout(market, needs);
  const keepCloseOut = Boolean(options.cube && options.closeOutRows);
  const grid = runGrid(market, options.grid, counterparties, Math.max(coverage, ...variantCoverages, keepCloseOut ? 1 : 0), options.horizon);
  const exposureDates = exposureDateIndices(grid);
  if (options.initialMarginProfiles) attachInitialMargin(portfolio, counterparties, options.initialMarginProfiles, grid, input.onWarning);
  if (options.postedInitialMarginProfiles) attachInitialMargin(portfolio, counterparties, options.postedInitialMarginProfiles, grid, input.onWarning, 'posted');
  lap('setup');

  progress(0, 'calibrating the model');
  const model = buildCrossAssetModel(market, layout, input.marketFile !== undefined ? { marketFile: path.basename(input.marketFile) } : {});
  const sobol = options.rng === 'sobol' ? { streams: auxStreamsOf(options.sobolLayout ?? layout) } : undefined;
  lap('model');
  const nPaths = options.paths;
  const discountFactors = new Float64Array(grid.dates.length);
  const discount = market.discountCurve(market.baseCurrency);
  for (let d = 0; d < grid.dates.length; d++) discountFactors[d] = discount.discount(grid.times[d]!);

  // units: contiguous runs of counterparties of about equal cost
  const setCosts = new Map<number, number>();
  const groupCosts = counterparties.map((cp) => {
    let c = 0;
    for (const s of cp.sets) {
      const cost = setCost(grid, s.trades, s.nettingSet, nPaths);
      setCosts.set(s.index, cost);
      c += cost;
    }
    return c;
  });
  const totalCost = groupCosts.reduce((a, b) => a + b, 0) || 1;
  // device valuation (GPU backend): the device is driven from this thread; with threads, the workers take each unit
  // with its device sets' values (DevicePayload) and do the host's part (collateral, PFE, Euler, totals)
  const deviceValuation = options.pathSimulator?.deviceValuation;
  const threads = Math.max(1, Math.min(options.threads, counterparties.length));
  // in-process (threads = 1) several units too, so that the loop below turns the event loop between them
  const ranges = contiguousUnits(groupCosts, threads === 1 ? IN_PROCESS_UNITS : threads * UNITS_PER_THREAD);
  const tasks: UnitTask[] = ranges.map((r, unitId) => {
    let cost = 0;
    for (let i = r.start; i < r.end; i++) cost += groupCosts[i]!;
    return { unitId, counterparties: counterparties.slice(r.start, r.end), cost };
  });

  const nSets = counterparties.reduce((a, cp) => a + cp.sets.length, 0);
  const setResults = new Array<NettingSetResult | undefined>(nSets);
  const cpProfiles = new Array<ExposureProfile | undefined>(counterparties.length);
  // per coverage variant: the sets and counterparties whose figures depend on the coverage (the others: the base's)
  const variantSets = variantCoverages.map(() => new Array<NettingSetResult | undefined>(nSets));
  const variantCpProfiles = variantCoverages.map(() => new Array<ExposureProfile | undefined>(counterparties.length));
  let valuations = 0;
  let doneCost = 0;
  const onSetDone = (index: number): void => {
    doneCost += setCosts.get(index) ?? 0;
    progress(Math.min(1, doneCost / totalCost), 'valuing netting sets');
  };

  // cube: streamed in book order as soon as the next set in order is in
  const exposureDateSerials = Int32Array.from(exposureDates, (d) => grid.dates[d]!);
  let nextCube = 0;
  const emitCubes = (): void => {
    if (!options.cube || !input.onCube) return;
    while (nextCube < nSets && setResults[nextCube]) {
      const r = setResults[nextCube]!;
      // the unit's record: the exposure-date rows, then the close-out rows (cube.ts closeOutRows)
      const exposureCells = exposureDates.length * nPaths;
      const lag = r.cube!.length > exposureCells ? grid.lagIndex.get(r.marginPeriodOfRiskDays) : undefined;
      const closeOutGridIndex = closeOutRows(exposureDates, lag, r.lastDateIndex);
      const closeOutValues = r.cube!.subarray(exposureCells);
      if (closeOutValues.length !== closeOutCount(closeOutGridIndex) * nPaths) throw new XvaInternalError(`cube of ${r.nettingSetId}: ${closeOutValues.length / nPaths} close-out rows, expected ${closeOutCount(closeOutGridIndex)}`);
      const values = r.cube!.subarray(0, exposureCells);
      input.onCube(r.nettingSetId, Float32Array.from(values), nPaths, exposureDateSerials, { gridIndex: exposureDates, gridDates: grid.dates, lastDateIndex: r.lastDateIndex, values, closeOutGridIndex, closeOutValues });
      delete r.cube; // written: drop it, the cube never sits whole in memory
      nextCube++;
    }
  };
  /** The cube's first batch: the numeraire on the exposure dates. */
  const emitNumeraire = (p: SimulatedPaths): void => {
    if (!options.cube || !input.onCube) return;
    const numeraire = new Float64Array(exposureDates.length * nPaths);
    for (let k = 0; k < exposureDates.length; k++) {
      const d = exposureDates[k]!;
      numeraire.set(p.numeraire.subarray(d * nPaths, (d + 1) * nPaths), k * nPaths);
    }
    input.onCube(null, Float32Array.from(numeraire), nPaths, exposureDateSerials, { gridIndex: exposureDates, gridDates: grid.dates, lastDateIndex: grid.dates.length - 1, values: numeraire, closeOutGridIndex: new Int32Array(exposureDates.length).fill(-1), closeOutValues: new Float64Array(0) });
  };
  const unitResults: UnitResult[] = [];
  const onResult = (result: UnitResult): void => {
    unitResults.push(result);
    for (const r of result.nettingSets) setResults[r.index] = r;
    for (const c of result.counterparties) cpProfiles[c.index] = c.profile;
    result.coverageVariants?.forEach((variant, v) => {
      for (const r of variant.nettingSets) variantSets[v]![r.index] = r;
      for (const c of variant.counterparties) variantCpProfiles[v]![c.index] = c.profile;
    });
    valuations += result.valuations;
    emitCubes();
  };

  // Unsupported trades show up when a unit compiles its sets; unless they may be skipped, the units not yet started
  // then only compile (checkOnly), so that the error lists every unsupported trade of the book without valuing it.
  const watchUnsupported = (result: UnitResult): void => {
    if (result.skipped.length > 0 && !options.skipUnsupported) for (const t of tasks) t.checkOnly = true;
  };
  let paths: SimulatedPaths;
  /** The paths lie on a path memory: the threads value on the pool kernels (SimulationResult.poolKernels). */
  let poolKernels = false;
  /** The bytes of the run's path arrays on the host. */
  const pathBytes = pathArrayCount(layout) * grid.dates.length * nPaths * Float64Array.BYTES_PER_ELEMENT;
  if (threads === 1) {
    input.workerPool?.release(); // started early for a run that turned out to be in-process: kept for the next run
    progress(0, 'simulating market paths');
    // on a path memory with one scratch slot, so that this thread's rate-pool kernels read the paths in place
    if (!options.pathSimulator) collectPathMemory(pathBytes);
    const onMemory = options.pathSimulator ? undefined : pathMemory(pathArrayCount(layout), grid.dates.length * nPaths, nPaths, 1);
    paths = options.pathSimulator
      ? await options.pathSimulator(model, grid, options.seed, nPaths, options.antithetic, undefined, undefined, sobol)
      : simulatePaths(model, grid, options.seed, 0, nPaths, { antithetic: options.antithetic, ...(sobol ? { sobol } : {}), ...(onMemory ? { into: pathBuffersOn(onMemory.make, layout) } : {}) });
    lap('paths');
    emitNumeraire(paths);
    progress(0, 'valuing netting sets');
    const ctx: UnitContext = { market, model: valuationModelOf(model), grid, paths, exposureDates, discountFactors, pfeQuantile: options.pfeQuantile, coverage, coverageVariants: variantCoverages, cube: Boolean(options.cube), ...(keepCloseOut ? { closeOutRows: true } : {}), ...(options.tradeContributions === false ? { tradeContributions: false } : {}) };
    // the figures route (as with worker threads, below), its tables built on this thread
    const figuresRoute = deviceValuation ? figuresRouteOf(deviceValuation, paths, options, variantCoverages.length) : undefined;
    // this thread's kernels on the run's path memory, or on the memory of paths a path simulator kept (optimize)
    const kernelMemory = onMemory?.memory ?? kernelMemoryOf(paths.numeraire);
    poolKernels = kernelMemory !== undefined;
    useKernelMemory(kernelMemory);
    try {
      // a turn of the event loop every ~50 ms: a signal (SIGTERM: a pod stopped; SIGINT) is handled during the run, not
      // after it (bin/run.js removes the run's temporary files then), and a streamed cube's writes drain as they come
      let turn = performance.now();
      for (const task of tasks) {
        if (performance.now() - turn > 50) {
          await new Promise((resolve) => setImmediate(resolve));
          turn = performance.now();
        }
        if (!deviceValuation) {
          const result = runUnit(ctx, task, onSetDone);
          onResult(result);
          watchUnsupported(result);
          continue;
        }
        // one counterparty at a time: the device values the sets it can, the host the rest and every total (a set's
        // figures do not depend on the unit, so splitting the task changes no number)
        for (const cp of task.counterparties) {
          const deviceFigures = figuresRoute && !task.checkOnly ? await counterpartyFiguresOnDevice(deviceValuation, figuresRoute, ctx, cp) : undefined;
          if (deviceFigures) {
            const result = runUnit({ ...ctx, deviceFigures }, { unitId: task.unitId, counterparties: [cp] }, onSetDone);
            onResult(result);
            watchUnsupported(result);
            continue;
          }
          const precomputed = task.checkOnly ? undefined : await deviceValuation.valueCounterparty(ctx, cp);
          const result = runUnit({ ...ctx, ...(precomputed ? { precomputed } : {}) }, { unitId: task.unitId, counterparties: [cp], ...(task.checkOnly ? { checkOnly: true } : {}) }, onSetDone);
          onResult(result);
          watchUnsupported(result);
        }
      }
    } finally {
      deviceValuation?.release();
      useKernelMemory(undefined); // the thread's kernels let the run's path memory go
    }
  } else {
    if (!input.marketFile) throw new XvaInternalError('runSimulation: worker threads need input.marketFile (or threads = 1)');
    // the workers build the market from the main thread's parse of the file (market/load.ts marketSource): a market
    // built otherwise (bumped, hand-made) would be valued by the workers as the file says, not as the caller built it
    if (!marketSource(input.market)) {
      throw new XvaUsageError('runSimulation: worker threads value on the market as read from its file (loadMarket); a market built otherwise (bumped, hand-made) runs with threads = 1');
    }
    // the run's path arrays on SharedArrayBuffers; the workers fill them block by block (a path's values depend on
    // its global index only), then value the netting sets on them
    // a kernel slot per worker (an early-started pool may hold more workers than this run's threads) and this thread
    // the workers: an early pool, else those kept from an earlier run of this process, else new ones (pool.ts)
    const workerOptions = deviceValuation ? { youngGenerationMb: GPU_WORKER_YOUNG_GENERATION_MB } : {};
    const early = input.workerPool?.waitingForRun ? input.workerPool : undefined;
    const poolSize = early ? early.size : WorkerPool.sizeForRun(threads, workerOptions);
    const shared = sharedPaths(layout, grid, nPaths, options.seed, Math.max(threads, poolSize) + 1, options.antithetic);
    paths = shared.paths;
    poolKernels = shared.kernelMemory !== undefined;
    const source = marketSource(input.market);
    // the credit names' curves of the main thread's market, when that market is the file's as read (its tree goes to
    // the workers): bootstrapped from the very quotes the workers read; none for a market built otherwise (bumped)
    const creditCurves = source ? layout.creditNames.filter((name) => input.market.hasCreditCurve(name)).map((name) => hazardCurveSpec(input.market.creditCurve(name))) : [];
    const init: WorkerInit = {
      marketFile: input.marketFile,
      ...(source ? { marketTree: source } : {}),
      ...(creditCurves.length > 0 ? { creditCurves } : {}),
      layoutNeeds: needs,
      grid,
      paths,
      ...(shared.kernelMemory ? { kernelMemory: shared.kernelMemory } : {}),
      seed: options.seed,
      antithetic: options.antithetic,
      ...(sobol ? { sobol } : {}),
      pfeQuantile: options.pfeQuantile,
      coverage,
      coverageVariants: variantCoverages,
      cube: Boolean(options.cube),
      ...(keepCloseOut ? { closeOutRows: true } : {}),
      ...(options.tradeContributions === false ? { tradeContributions: false } : {}),
    };
    if (input.workerPool && !early) await input.workerPool.close();
    const pool = early ?? WorkerPool.forRun(init, threads, workerOptions, poolSize);
    if (early) early.begin(init);
    let deviceCtx: UnitContext | undefined;
    /** The host copy of paths the device kept (undefined: the shared arrays hold the paths already). */
    let hostPaths: (() => Promise<void>) | undefined;
    try {
      progress(0, 'simulating market paths');
      if (options.pathSimulator) {
        // paths from the backend, copied into the shared arrays the workers read; a device that values the sets may
        // keep them there until a set needs them on the host (never on the figures route: no cube, no coverage variants)
        const defer = deviceValuation !== undefined && !options.cube && variantCoverages.length === 0;
        const simulated = await options.pathSimulator(model, grid, options.seed, nPaths, options.antithetic, paths, defer, sobol);
        // the device values sets on its own paths (the same values): a context on them for this thread
        if (deviceValuation) deviceCtx = { market, model: valuationModelOf(model), grid, paths: simulated, exposureDates, discountFactors, pfeQuantile: options.pfeQuantile, coverage, coverageVariants: variantCoverages, cube: Boolean(options.cube), ...(keepCloseOut ? { closeOutRows: true } : {}), ...(options.tradeContributions === false ? { tradeContributions: false } : {}) };
        const finishHostPaths = (): void => {
          if (simulated !== paths) {
            const pairs: [readonly Float64Array[], readonly Float64Array[]][] = [
              [simulated.irState, paths.irState], [simulated.fxLog, paths.fxLog], [simulated.eqLog, paths.eqLog], [simulated.creditState, paths.creditState], [[simulated.numeraire], [paths.numeraire]],
            ];
            for (const [from, to] of pairs) from.forEach((a, i) => to[i]!.set(a));
          }
          // FX levels (SimulatedPaths.fxLevel) of the copied logs, as the CPU simulation writes them
          paths.fxLog.forEach((logs, i) => {
            const level = paths.fxLevel![i]!;
            for (let k = 0; k < logs.length; k++) level[k] = Math.exp(logs[k]!);
          });
        };
        if (deviceValuation?.hostCopyPending()) {
          if (simulated !== paths) throw new XvaInternalError('a simulator that defers its host copy must write into the engine\'s arrays');
          let copy: Promise<void> | undefined;
          hostPaths = () => (copy ??= deviceValuation.copyPathsToHost().then(finishHostPaths));
        } else finishHostPaths();
      } else {
        const blocks: WorkerTask[] = pathBlocks(nPaths, threads, options.antithetic).map((block) => ({ kind: 'paths', block }));
        await pool.run(blocks, () => undefined);
      }
      lap('paths');
      emitNumeraire(paths);
      progress(0, 'valuing netting sets');
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'progress') onSetDone(message.index);
        else if (message.type === 'result') {
          onResult(message.result);
          watchUnsupported(message.result);
        }
      };
      if (!deviceCtx) {
        await pool.run(tasks.map((task): WorkerTask => ({ kind: 'unit', task })), onMessage);
      } else {
        const figuresRoute = figuresRouteOf(deviceValuation!, deviceCtx.paths, options, variantCoverages.length);
        if (!figuresRoute) throw new XvaInternalError('the GPU device does not hold the paths it simulated');
        // the figures route needs only the state ranges; the values route, and sets on the host, the paths themselves
        if (hostPaths && !figuresRoute.figures) await hostPaths();
        else if (hostPaths) figuresRoute.stateRanges = await deviceValuation!.stateRanges();
        await streamUnitsThroughDevice({ pool, tasks, threads, deviceValuation: deviceValuation!, deviceCtx, route: figuresRoute, onMessage, hostPaths: hostPaths ?? (() => Promise.resolve()) });
      }
    } finally {
      deviceValuation?.release();
      // every result is in: the workers are kept for the next run of this process (pool.ts WorkerPool.release), and
      // collect their garbage at once after a run as large as a collection's worth of path memory; a run that failed
      // stops them, their exits not waited for
      pool.release(pathBytes >= pathMemoryCollectBytes);
    }
  }
  lap('valuation');

  const skipped = unitResults.sort((a, b) => a.unitId - b.unitId).flatMap((r) => r.skipped);
  if (skipped.length > 0) {
    if (!options.skipUnsupported) throw unsupportedError(portfolio, skipped);
    const names = skipped.slice(0, 20).map((s) => `${s.tradeId} (${s.product}: ${s.reason})`);
    input.onWarning?.(
      `skipped ${skipped.length} unsupported trade(s): ${names.join(', ')}${skipped.length > 20 ? `, and ${skipped.length - 20} more (manifest.json lists all)` : ''}`,
    );
  }
  const nettingSets = setResults.map((r, i) => {
    if (!r) throw new XvaInternalError(`netting set #${i} has no result`);
    return r;
  });
  checkFiniteProfiles(nettingSets.map((s) => s.profile), portfolio, input.marketFile, input.market.asOf);
  const cps = counterparties.map((cp, i) => counterpartyResult(cp, cpProfiles[i]!));
  const book = bookTotal(nettingSets, exposureDates.length);
  const coverageVariants = askedVariants.map((c): CoverageVariant => {
    const v = variantCoverages.indexOf(c);
    if (v < 0) return { coverage: c, nettingSets, counterparties: cps, book };
    const sets = nettingSets.map((base, i) => variantSets[v]![i] ?? base);
    const variantCps = counterparties.map((cp, i) => {
      const profile = variantCpProfiles[v]![i];
      return profile ? counterpartyResult(cp, profile) : cps[i]!;
    });
    return { coverage: c, nettingSets: sets, counterparties: variantCps, book: bookTotal(sets, exposureDates.length) };
  });
  lap('aggregation');
  progress(1, 'done');

  return {
    grid,
    exposureDates,
    nPaths,
    nettingSets,
    counterparties: cps,
    book,
    skipped,
    model: describeModel(model, market),
    threads,
    poolKernels,
    timings,
    valuations,
    ...(askedVariants.length > 0 ? { coverageVariants } : {}),
  };
}
