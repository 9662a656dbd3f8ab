/**
 * Worker-thread entry of the exposure engine (engine.ts). Builds its UnitContext once: loads the market file, rebuilds
 * the cross-asset model from the same market and layout (deterministic: the same parameters as the main thread's),
 * and reads the simulated paths from the main thread's SharedArrayBuffers (no copy). Then runs each unit posted to it
 * and posts back the results, transferring their arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { XvaInputError, XvaInternalError } from '../errors.js';
import { loadMarket, marketFromTree } from '../market/load.js';
import { buildCrossAssetModel } from '../simulation/crossAsset/model.js';
import { buildFactorLayout } from '../simulation/layout.js';
import { valuationModelOf } from './modelView.js';
import { type WorkerInit, type WorkerMessage, type WorkerStart, type WorkerTask } from './pool.js';
import type { Market } from '../market/types.js';
import type { HazardCurveSpec } from '../market/hazard.js';
import { simulatePathsInto } from '../simulation/crossAsset/simulate.js';
import { useKernelMemory } from './valuation/wasm/poolKernels.js';
import type { CrossAssetModel } from '../simulation/crossAsset/model.js';
import { exposureDateIndices } from './profiles.js';
import { releaseScratch, runUnit, type UnitContext, type UnitCounterparty, type UnitResult, type UnitTask } from './unit.js';
import { precomputedOf } from './devicePayload.js';
import { counterpartyDeviceTables } from './backends/gpu/figuresTables.js';
import type { DeviceTablesAnswer } from './pool.js';
import { seedStateRanges } from './valuation/stateGrid.js';
import { tableMemory } from './backends/gpu/tableMemory.js';
import { collectGarbage } from './collect.js';

/**
 * A kept worker (pool.ts WorkerPool.release) collects its garbage once it has waited this long without a next run
 * (collect.ts): on the demo book's `xva optimize`, whose MILPs leave the engine idle for a minute, the kept workers'
 * garbage had raised the peak RSS by 0.3-0.7 GB; collecting at every run's end instead cost `bench/runs.mjs` a sixth
 * of its time. After a large run (WorkerTask 'park' collect) at once: `xva simulate --paths 5000` on utb-20k peaked
 * 0.18 GB higher while the main thread wrote the tables and the two kept workers held their garbage.
 * Having waited this long it also lets go of its valuation scratch and GPU table buffers (unit.ts releaseScratch,
 * tableMemory.release: ~55 MB a worker at 5,000 paths, and up to 256 MiB of table buffers a worker on the GPU backend,
 * which ten kept workers held until they stopped two minutes later); a next run allocates them again.
 */
const IDLE_COLLECT_MS = 2000;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  post({
    type: 'error',
    name: e.name,
    message: e.message,
    ...(e instanceof XvaInputError ? { issues: e.issues } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  });
}

/** The result's own (non-shared) buffers, handed over without a copy. */
function transferables(result: UnitResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: { buffer: ArrayBufferLike } | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const s of result.nettingSets) {
    add(s.tradeEpe);
    add(s.tradeEne);
    add(s.tradeEpeVm); // (the tradeEpe array itself in a set holding no IM: one buffer)
    add(s.tradeEneVm); // (likewise tradeEne in a set posting no IM)
    add(s.cube);
  }
  for (const variant of result.coverageVariants ?? []) {
    for (const s of variant.nettingSets) {
      add(s.tradeEpe);
      add(s.tradeEne);
      add(s.tradeEpeVm);
      add(s.tradeEneVm);
    }
  }
  return [...out];
}

/**
 * The main thread's bootstrapped CDS curves (WorkerInit.creditCurves), which this thread's markets take instead of
 * bootstrapping the same quotes (MarketLoadOptions.creditSeed); filled when a run's init comes, before any curve is read.
 */
const creditSeed = new Map<string, HazardCurveSpec>();

/**
 * The market a worker built (at its start, or for a run), with the id of the main thread's parse it came from
 * (market/load.ts MarketSource.id; undefined when the worker read the file itself), and whether it was read from the
 * file at a start and no run has taken it yet.
 */
interface LoadedMarket {
  file: string;
  id: number | undefined;
  market: Market;
  readAtStart: boolean;
}

/**
 * Whether `loaded` is the market of a run or start that names `file` and, when the main thread sent its parse, `tree`:
 * the same file, and the same parse, or a read of the file at this worker's start (the first run after an early start,
 * whose main thread read the same file meanwhile). A worker kept between runs (pool.ts) builds the market again for a
 * run on another parse of the file (its numbers may have changed). Without a parse (a start of `xva simulate`, whose
 * workers read the file while the main thread reads it too) the file's market as read is the one.
 */
function isLoaded(loaded: LoadedMarket | undefined, file: string, tree: WorkerInit['marketTree']): loaded is LoadedMarket {
  if (loaded === undefined || loaded.file !== file) return false;
  return tree === undefined || loaded.id === tree.id || (loaded.id === undefined && loaded.readAtStart);
}

function loadFor(file: string, tree: WorkerInit['marketTree'], readAtStart: boolean): LoadedMarket {
  const market = tree ? marketFromTree(tree.tree, tree.fileName, { deferCredit: true, creditSeed }) : loadMarket(file, { deferCredit: true, creditSeed });
  return { file, id: tree?.id, market, readAtStart: readAtStart && !tree };
}

function buildContext(init: WorkerInit, loaded: LoadedMarket | undefined): { ctx: UnitContext; model: CrossAssetModel; loaded: LoadedMarket } {
  for (const curve of init.creditCurves ?? []) creditSeed.set(curve.name, curve);
  // credit curves bootstrapped on first use (or taken from the seed): a worker values the CDS of a few reference
  // names, not every counterparty's
  const used = isLoaded(loaded, init.marketFile, init.marketTree) ? { ...loaded, id: loaded.id ?? init.marketTree?.id, readAtStart: false } : loadFor(init.marketFile, init.marketTree, false);
  const market = used.market;
  const layout = buildFactorLayout(market, init.layoutNeeds);
  const model = buildCrossAssetModel(market, layout);
  const grid = init.grid;
  const discountFactors = new Float64Array(grid.dates.length);
  const discount = market.discountCurve(market.baseCurrency);
  for (let d = 0; d < grid.dates.length; d++) discountFactors[d] = discount.discount(grid.times[d]!);
  // this thread's rate-pool kernels on the run's path memory (none when the paths are plain SharedArrayBuffers)
  useKernelMemory(init.kernelMemory);
  const ctx: UnitContext = {
    market,
    model: valuationModelOf(model),
    grid,
    paths: init.paths,
    exposureDates: exposureDateIndices(grid),
    discountFactors,
    pfeQuantile: init.pfeQuantile,
    coverage: init.coverage,
    ...(init.coverageVariants ? { coverageVariants: init.coverageVariants } : {}),
    cube: init.cube,
    ...(init.closeOutRows ? { closeOutRows: true } : {}),
    ...(init.tradeContributions === false ? { tradeContributions: false } : {}),
  };
  return { ctx, model, loaded: used };
}

if (parentPort) {
  const start = workerData as WorkerInit | WorkerStart;
  let init: WorkerInit | undefined = 'grid' in start ? start : undefined;
  let built: { ctx: UnitContext; model: CrossAssetModel } | undefined;
  /** The device's state ranges of this run's paths are in stateGridFor's cache (tables tasks of a GPU run that kept its paths there). */
  let rangesSeeded = false;
  /** Counterparties of the units whose tables this worker built, until their host part comes (held). */
  const heldCounterparties = new Map<number, UnitCounterparty[]>();
  // a pool started early (WorkerPool.early): the market now, the run's context when its init comes; a worker kept
  // between runs (pool.ts WorkerPool.release) gets each next run's start and init by message
  let loaded: LoadedMarket | undefined;
  const begin = (runInit: WorkerInit): void => {
    init = runInit;
    rangesSeeded = false;
    heldCounterparties.clear();
    try {
      const next = buildContext(runInit, loaded);
      built = next;
      loaded = next.loaded;
      post({ type: 'ready' });
    } catch (error) {
      built = undefined;
      postError(error);
    }
  };
  const preload = (next: WorkerStart): void => {
    if (isLoaded(loaded, next.marketFile, next.marketTree)) return;
    try {
      loaded = loadFor(next.marketFile, next.marketTree, true);
    } catch {
      // reported when the run's init asks for it (the main thread reports a bad market file first, as without workers)
      loaded = undefined;
    }
  };
  if ('grid' in start) begin(start);
  else preload(start);
  let idleTimers: ReturnType<typeof setTimeout>[] = [];
  let released = false;
  parentPort.on('message', (message: WorkerTask) => {
    if (message.kind === 'init' || message.kind === 'start') {
      for (const timer of idleTimers) clearTimeout(timer);
      idleTimers = [];
      released = false;
    }
    if (message.kind === 'init') return begin(message.init);
    if (message.kind === 'start') return preload(message.start);
    if (message.kind === 'park') {
      // kept between runs (pool.ts WorkerPool.release): the run's paths and kernel memory are let go (they are the
      // run's largest arrays); the market stays, the scratch arrays and the table memory for a next run that comes
      // within IDLE_COLLECT_MS
      built = undefined;
      init = undefined;
      heldCounterparties.clear();
      useKernelMemory(undefined);
      // collected at once after a large run (its heap's garbage is large, and the main thread has the run's outputs to
      // write meanwhile), else once the worker has waited a while (a next run that comes at once finds it as it was)
      if (message.collect) idleTimers.push(setTimeout(collectGarbage, 0));
      idleTimers.push(
        setTimeout(() => {
          released = true;
          releaseScratch();
          tableMemory.release();
          collectGarbage();
        }, IDLE_COLLECT_MS),
      );
      for (const timer of idleTimers) timer.unref();
      return;
    }
    // table buffers handed back after the idle release are not kept (the worker holds nothing while it waits)
    if (message.kind === 'recycle') return released ? undefined : tableMemory.give(message.buffers);
    if (!built || !init) return;
    const run = init;
    try {
      if (message.kind === 'paths') {
        // a block of global paths, simulated straight into its own columns of the shared arrays (no copy)
        const { offset, count } = message.block;
        simulatePathsInto(built.model, run.grid, run.seed, offset, count, built.ctx.paths, { antithetic: run.antithetic, ...(run.sobol ? { sobol: run.sobol } : {}) });
        post({ type: 'pathsDone', block: message.block });
        return;
      }
      if (message.kind === 'tables') {
        // kept for the unit's host part, which comes to this worker without them (WorkerTask 'unit' held)
        heldCounterparties.set(message.unitId, message.counterparties);
        // the GPU device's inputs for these sets, built here so that the thread driving the device only submits them;
        // paths kept on the device: their state ranges stand in for the scans of the (unwritten) shared arrays
        if (message.stateRanges && !rangesSeeded) {
          const { paths } = built.ctx;
          const nDates = run.grid.dates.length;
          [...paths.irState, ...paths.creditState].forEach((xs, row) => seedStateRanges(xs, paths.nPaths, message.stateRanges!, row, nDates));
          rangesSeeded = true;
        }
        const t0 = performance.now();
        const reused0 = tableMemory.reused;
        const allocated0 = tableMemory.allocated;
        const sets: DeviceTablesAnswer[] = [];
        const transfer: ArrayBuffer[] = [];
        for (const cp of message.counterparties) {
          for (const answer of counterpartyDeviceTables(built.ctx, cp, message.factors, message.figures)) {
            sets.push(answer);
            const t = answer.tables;
            // the tables' own buffers (reals may be a view of a larger one: tables.ts packKernelTables), moved not copied
            for (const a of [t?.ints, t?.reals, t?.figures?.trades.ints, t?.figures?.trades.reals]) {
              if (a && a.buffer instanceof ArrayBuffer && !transfer.includes(a.buffer)) transfer.push(a.buffer);
            }
          }
        }
        const buffers = { reused: tableMemory.reused - reused0, allocated: tableMemory.allocated - allocated0 };
        post({ type: 'tables', unitId: message.unitId, sets, seconds: (performance.now() - t0) / 1000, buffers }, transfer);
        return;
      }
      let task = message.task;
      if (message.held) {
        const counterparties = heldCounterparties.get(task.unitId);
        if (!counterparties) throw new XvaInternalError(`unit ${task.unitId} came without its counterparties to a worker that did not build its tables`);
        heldCounterparties.delete(task.unitId);
        task = { ...task, counterparties };
      }
      // sets the main thread had valued on the GPU device: their values come with the task
      const device = task.device;
      const figures = task.figures;
      const ctx: UnitContext = {
        ...built.ctx,
        ...(device && device.length > 0 ? { precomputed: new Map(device.map((p) => [p.index, precomputedOf(p, built!.ctx)])) } : {}),
        ...(figures ? { deviceFigures: figures } : {}),
      };
      const result = runUnit(ctx, task, (index) => post({ type: 'progress', index }));
      post({ type: 'result', result }, transferables(result));
    } catch (error) {
      postError(error);
    }
  });
}
