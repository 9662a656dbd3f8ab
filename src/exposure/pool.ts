/**
 * The engine's worker threads (node:worker_threads) and the messages between them and the main thread. A pool runs
 * phases of tasks, each worker taking the next task when it is free: first blocks of market paths (written into the
 * shared path arrays), then work units of netting sets. Each worker builds the run's market and model (deterministic:
 * the same parameters as the main thread's), see worker.ts. Workers start with a process's first run and are kept
 * for its next ones (WorkerPool.release, KeptWorkers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../cli/paths.js';
import { XvaInputError, XvaInternalError, XvaUsageError, type InputIssue } from '../errors.js';
import type { HazardCurveSpec } from '../market/hazard.js';
import type { MarketSource } from '../market/load.js';
import type { FactorNeeds } from '../simulation/layout.js';
import type { SimulatedPaths, TimeGrid } from '../simulation/types.js';
import type { UnitCounterparty, UnitResult, UnitTask } from './unit.js';
import type { DeviceFactorIndex, DeviceTables } from './backends/gpu/tables.js';

/** What a worker thread needs to build its UnitContext (structured-cloneable; the path arrays share memory). */
export interface WorkerInit {
  marketFile: string;
  /**
   * The main thread's market as the YAML tree it was read from (market/load.ts marketSource): the workers read it
   * instead of the file, so that they skip the file's parse and use the very market of the main thread.
   */
  marketTree?: MarketSource;
  /**
   * The main thread's CDS curves of the run's credit names (the layout's), bootstrapped already: a worker takes them
   * instead of bootstrapping the same quotes again (MarketLoadOptions.creditSeed).
   */
  creditCurves?: HazardCurveSpec[];
  layoutNeeds: FactorNeeds;
  grid: TimeGrid;
  /** The whole run's paths on SharedArrayBuffers (filled by the 'paths' phase). */
  paths: SimulatedPaths;
  /**
   * The shared WebAssembly memory the paths live in, when they do (valuation/wasm/poolKernels.ts pathMemory): each
   * worker instantiates the rate pools' kernels on it.
   */
  kernelMemory?: WebAssembly.Memory;
  seed: number;
  antithetic: boolean;
  /** SimulateOptions.sobol of the run, under rng 'sobol'. */
  sobol?: { streams: Uint32Array };
  pfeQuantile: number;
  coverage: number;
  /** UnitContext.coverageVariants. */
  coverageVariants?: readonly number[];
  cube: boolean;
  /** UnitContext.closeOutRows. */
  closeOutRows?: boolean;
  /** UnitContext.tradeContributions. */
  tradeContributions?: boolean;
}

/**
 * What a worker needs before the run's WorkerInit: the market file, which it loads while the main thread still loads
 * the portfolio (WorkerPool.early). A worker's start (its modules and the market: 0.65 s for utb-20k's market on the
 * 2-core machine, YAML and the CDS curves' bootstrap) otherwise delayed a GPU run's valuation, whose paths stage is
 * shorter than that.
 */
export interface WorkerStart {
  marketFile: string;
  /** The market file's parsed YAML (market/load.ts marketSource), when the main thread has read it already. */
  marketTree?: MarketSource;
}

/** A block of global paths [offset, offset + count) to simulate into the shared arrays. */
export interface PathBlock {
  offset: number;
  count: number;
}

/**
 * The young generation of the workers of a GPU run (V8: three times the semi-space, so semi-spaces of 64 MiB against
 * Node's default 16). Building the GPU backend's node tables makes short-lived objects at a high rate (compiles,
 * swaption terms), and with the default semi-space their scavenges copied what was still alive again and again: on the
 * 2-core machine `bench/tables.mjs` (one thread, the figures route's tables of utb-20k) took 5.2-5.5 s with 16 MiB
 * and 4.4-5.0 s with 64 MiB, three runs each, interleaved. The CPU backend's workers loop over typed arrays and
 * gained nothing (`bench/simulate.mjs 1000 2`: the same times within noise, 100-190 MiB more peak RSS), so they keep
 * V8's default.
 */
export const GPU_WORKER_YOUNG_GENERATION_MB = 192;

/** How a pool's workers are started: the young generation's size for a GPU run (undefined: V8's default). */
export interface WorkerPoolOptions {
  youngGenerationMb?: number;
}

export type WorkerTask =
  | { kind: 'init'; init: WorkerInit }
  /** A kept worker's next start (WorkerPool.early on kept workers): it loads that market now unless it has it. */
  | { kind: 'start'; start: WorkerStart }
  /**
   * The run is over and the worker is kept (WorkerPool.release): it lets go of the run's paths, and collects its
   * garbage at once with `collect` (a large run), else after a while without a next run.
   */
  | { kind: 'park'; collect: boolean }
  | { kind: 'paths'; block: PathBlock }
  /**
   * `held`: the task comes without its counterparties (an empty list), which the worker kept from the tables task of
   * the same unit (WorkerPool.addTo that worker): the book's trades are cloned once per run, not twice.
   */
  | { kind: 'unit'; task: UnitTask; held?: boolean }
  /** The GPU backend's node tables of these counterparties' sets (backends/gpu/tables.ts), for the device thread. */
  | { kind: 'tables'; unitId: number; counterparties: UnitCounterparty[]; factors: DeviceFactorIndex; figures: boolean; stateRanges?: Float64Array }
  /** Table buffers the driving thread uploaded, handed back for the next packing (backends/gpu/tableMemory.ts). */
  | { kind: 'recycle'; buffers: ArrayBuffer[] };

/** One set's answer to a tables task: its device tables, or why it is valued on the host. */
export interface DeviceTablesAnswer {
  nettingSetId: string;
  index: number;
  tables?: DeviceTables;
  reason?: string;
}

/**
 * What a task hands over rather than copies: the values of the sets valued on the GPU device (devicePayload.ts), each
 * in a buffer of its own, which the driving thread no longer reads once the unit is handed out (engine.ts).
 */
function transferOf(task: WorkerTask): ArrayBuffer[] {
  if (task.kind !== 'unit' || !task.task.device) return [];
  const out: ArrayBuffer[] = [];
  for (const p of task.task.device) {
    const buffer = p.values.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength === p.values.byteLength && !out.includes(buffer)) out.push(buffer);
  }
  return out;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; index: number }
  | { type: 'pathsDone'; block: PathBlock }
  | { type: 'result'; result: UnitResult }
  | {
      type: 'tables';
      unitId: number;
      sets: DeviceTablesAnswer[];
      /** The worker's seconds building them. */
      seconds: number;
      /** Its table arrays taken from buffers handed back, and allocated afresh, while it built them (tableMemory.ts). */
      buffers: { reused: number; allocated: number };
      /** The pool's index of the worker that built them (set by the pool; WorkerPool.recycle hands buffers back to it). */
      from?: number;
    }
  | { type: 'error'; name: string; message: string; issues?: InputIssue[]; stack?: string };

/**
 * Splits nPaths into at most `blocks` contiguous blocks; with antithetic pairs every block starts on an even path so
 * that a pair (2k, 2k+1) stays in one block.
 */
export function pathBlocks(nPaths: number, blocks: number, antithetic: boolean): PathBlock[] {
  let size = Math.ceil(nPaths / Math.max(1, blocks));
  if (antithetic && size % 2 === 1) size++;
  const out: PathBlock[] = [];
  for (let offset = 0; offset < nPaths; offset += size) out.push({ offset, count: Math.min(size, nPaths - offset) });
  return out;
}

/**
 * The compiled script of a worker thread: `name` beside the calling module (`metaUrl`) when that runs compiled, else
 * under dist/`distFolder` (the sources run through a TypeScript loader, as in the tests).
 */
export function compiledWorkerScript(metaUrl: string, name: string, distFolder: string): string {
  const here = fileURLToPath(metaUrl);
  const sibling = path.join(path.dirname(here), name);
  if (here.endsWith('.js') && fs.existsSync(sibling)) return sibling;
  const built = path.join(packageRoot(), 'dist', distFolder, name);
  if (!fs.existsSync(built)) throw new XvaInternalError(`worker threads need the compiled library (${built}): run npm run build, or use --threads 1`);
  return built;
}

function workerScript(): string {
  return compiledWorkerScript(import.meta.url, 'worker.js', 'src/exposure');
}

/** Rebuilds a worker's error in the main thread (input errors stay input errors, exit code 2). */
function errorFromWorker(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.issues) return new XvaInputError(message.issues);
  if (message.name === 'XvaUsageError') return new XvaUsageError(message.message);
  const error = new XvaInternalError(`worker thread: ${message.message}`);
  if (message.stack) error.stack = message.stack;
  return error;
}

interface Phase {
  tasks: WorkerTask[];
  /** Tasks the phase runs in all (more than tasks.length while `add` is still to bring some). */
  total: number;
  next: number;
  running: number;
  /** Tasks handed to a chosen worker (addTo), outside `tasks`. */
  pinned: number;
  /** Tasks a worker may hold at once. */
  depth: number;
  onMessage: (message: WorkerMessage) => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads kept between the runs of this process (WorkerPool.release), for the next run to take over instead of
 * starting its own: a worker's start (its modules, the market) and its first pass over the valuation code before V8 has
 * optimised it cost more than a small run's work (a run of 20 of utb-20k's netting sets at 1,000 paths: 1.1-1.6 s on two
 * new workers, bench/README.md "Workers kept between runs"). `xva optimize` runs the engine on every candidate it
 * measures, `--dynamic-im` for the IM and then for the exposure. Unreferenced while kept (they do not hold the process
 * open), and stopped after IDLE_KEEP_MS unused. One set is kept, the last released.
 */
interface KeptWorkers {
  workers: Worker[];
  youngGenerationMb: number | undefined;
  timer: ReturnType<typeof setTimeout>;
}
const kept: KeptWorkers[] = [];
/** How long released workers wait for a next run before they stop. */
export const IDLE_KEEP_MS = 120_000;
/** The events the pool listens to on a worker (removed when it hands the worker on). */
const WORKER_EVENTS = ['message', 'error', 'exit'] as const;

function stopKept(set: KeptWorkers): void {
  const i = kept.indexOf(set);
  if (i >= 0) kept.splice(i, 1);
  clearTimeout(set.timer);
  for (const w of set.workers) {
    for (const event of WORKER_EVENTS) w.removeAllListeners(event);
    void w.terminate().catch(() => undefined);
  }
}

/**
 * Takes the kept workers for a run of `threads` threads when they are at least that many and started with the same
 * options (the smallest such set), else undefined. A run never gets more workers than an earlier run of this process
 * had, so never more than the user's --threads.
 */
function takeKept(threads: number, options: WorkerPoolOptions, maxSize = Infinity): Worker[] | undefined {
  let best: KeptWorkers | undefined;
  for (const set of kept) {
    if (set.youngGenerationMb !== options.youngGenerationMb || set.workers.length < threads || set.workers.length > maxSize) continue;
    if (!best || set.workers.length < best.workers.length) best = set;
  }
  if (!best) return undefined;
  kept.splice(kept.indexOf(best), 1);
  clearTimeout(best.timer);
  for (const w of best.workers) {
    for (const event of WORKER_EVENTS) w.removeAllListeners(event);
    w.ref();
  }
  return best.workers;
}

/** Whether workers are kept between runs: unless the environment says `XVA_KEEP_WORKERS=off` (README, "Environment"). */
function keepWorkers(): boolean {
  return process.env.XVA_KEEP_WORKERS !== 'off';
}

/** Stops the workers kept between runs now (tests; a process that wants its threads back at once). */
export function stopKeptWorkers(): void {
  for (const set of [...kept]) stopKept(set);
}

/** How many workers are kept between runs (tests). */
export function keptWorkerCount(): number {
  return kept.reduce((n, set) => n + set.workers.length, 0);
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  /** Per worker: whether it reported ready, and the tasks handed to it and not yet answered. */
  private readonly isReady: boolean[] = [];
  private readonly inFlight: number[] = [];
  private peak = 0;
  private pinnedTotal = 0;
  private phase: Phase | undefined;
  private failure: Error | undefined;
  private readonly ready: Promise<void>;
  /** The market file the workers loaded (a pool started early) or undefined (started with a run's init). */
  private readonly startedWith: string | undefined;
  private initialised: boolean;
  private readonly youngGenerationMb: number | undefined;
  /** Whether the workers came from an earlier run of this process (kept between runs). */
  readonly reused: boolean;

  /**
   * Workers for a run's init, or, with a WorkerStart (WorkerPool.early), workers that load the market now and wait
   * for `begin(init)`. With `adopted`: those workers (kept from an earlier run, takeKept) instead of new ones, told the
   * start or the init by message.
   */
  constructor(init: WorkerInit | WorkerStart, threads: number, options: WorkerPoolOptions = {}, adopted?: Worker[]) {
    let waiting = adopted ? adopted.length : threads;
    let markReady: () => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => undefined); // awaited by run; a failure before then is not unhandled
    this.initialised = 'grid' in init;
    this.startedWith = this.initialised ? undefined : init.marketFile;
    this.youngGenerationMb = options.youngGenerationMb;
    this.reused = adopted !== undefined;
    const script = adopted ? '' : workerScript();
    for (let w = 0; w < waiting; w++) {
      const young = options.youngGenerationMb;
      const worker = adopted ? adopted[w]! : new Worker(script, { workerData: init, ...(young !== undefined ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}) });
      if (adopted) worker.postMessage(this.initialised ? ({ kind: 'init', init: init as WorkerInit } satisfies WorkerTask) : ({ kind: 'start', start: init as WorkerStart } satisfies WorkerTask));
      this.workers.push(worker);
      this.isReady.push(false);
      this.inFlight.push(0);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'tables') message.from = w;
        if (message.type === 'ready') {
          this.isReady[w] = true;
          if (--waiting === 0) markReady();
          return;
        }
        if (message.type === 'error') {
          this.fail(errorFromWorker(message));
          failReady(this.failure!);
          return;
        }
        const phase = this.phase;
        if (!phase) return;
        try {
          phase.onMessage(message);
        } catch (error) {
          this.fail(error as Error);
          return;
        }
        if (message.type === 'pathsDone' || message.type === 'result' || message.type === 'tables') {
          phase.running--;
          this.inFlight[w]!--;
          this.dispatch();
        }
      });
      worker.on('error', (error) => {
        this.fail(error);
        failReady(error);
      });
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) {
          const error = new XvaInternalError(`a worker thread stopped with exit code ${code}`);
          this.fail(error);
          failReady(error);
        }
      });
    }
  }

  /**
   * Workers for a run's init: the workers kept from an earlier run of this process when there are enough, and at most
   * `maxSize` (WorkerPool.release), else `threads` new ones. `size` of the result may exceed `threads` (kept workers
   * of a larger run).
   */
  static forRun(init: WorkerInit, threads: number, options: WorkerPoolOptions = {}, maxSize = Infinity): WorkerPool {
    return new WorkerPool(init, threads, options, takeKept(threads, options, maxSize));
  }

  /**
   * How many workers WorkerPool.forRun would give a run of `threads` threads now (the run's path memory has a kernel
   * slot per worker).
   */
  static sizeForRun(threads: number, options: WorkerPoolOptions = {}): number {
    let size = threads;
    let best = Infinity;
    for (const set of kept) {
      if (set.youngGenerationMb === options.youngGenerationMb && set.workers.length >= threads && set.workers.length < best) best = set.workers.length;
    }
    if (best < Infinity) size = best;
    return size;
  }

  /**
   * Hands the workers back for the next run of this process once this pool's run is over (kept IDLE_KEEP_MS, see
   * KeptWorkers); this pool is closed. A pool that failed, or is still running a phase, is closed instead (its workers
   * stop). `collectNow`: the workers collect their garbage at once (after a large run), not after a while idle.
   */
  release(collectNow = false): void {
    if (this.closing) return;
    if (this.failure || this.phase || this.workers.length === 0 || !keepWorkers()) {
      void this.close({ wait: false });
      return;
    }
    this.closing = true;
    const workers = this.workers.splice(0);
    for (const w of workers) {
      for (const event of WORKER_EVENTS) w.removeAllListeners(event);
      w.postMessage({ kind: 'park', collect: collectNow } satisfies WorkerTask);
      w.unref();
    }
    const set: KeptWorkers = { workers, youngGenerationMb: this.youngGenerationMb, timer: setTimeout(() => stopKept(set), IDLE_KEEP_MS) };
    set.timer.unref();
    // a kept worker that stops or fails takes its set out (the others stop)
    for (const w of workers) {
      w.on('exit', () => stopKept(set));
      w.on('error', () => stopKept(set));
    }
    for (const other of [...kept]) stopKept(other);
    kept.push(set);
  }

  private closing = false;

  /**
   * Workers started before the run is known: each loads `marketFile` at once (or builds it from `marketTree`, its
   * parsed YAML), then waits for begin(init).
   */
  static early(marketFile: string, threads: number, options: WorkerPoolOptions = {}, marketTree?: WorkerStart['marketTree']): WorkerPool {
    return new WorkerPool({ marketFile, ...(marketTree ? { marketTree } : {}) }, threads, options, takeKept(threads, options));
  }

  /** The most tasks one worker has held at once (a run's depth at work). */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Tasks handed to a chosen worker (addTo) over the pool's life. */
  get pinnedTasks(): number {
    return this.pinnedTotal;
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Hands a pool started with WorkerPool.early its run: each worker builds its context (a worker whose market file
   * differs loads the run's) and reports ready; `run` waits for that.
   */
  begin(init: WorkerInit): void {
    if (this.initialised) throw new XvaInternalError('the worker pool already has its run');
    this.initialised = true;
    for (const worker of this.workers) worker.postMessage({ kind: 'init', init } satisfies WorkerTask);
  }

  /** Whether begin(init) is still to come. */
  get waitingForRun(): boolean {
    return !this.initialised;
  }

  /** The market file an early pool's workers loaded. */
  get marketFile(): string | undefined {
    return this.startedWith;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.phase?.reject(error);
  }

  private dispatch(): void {
    const phase = this.phase;
    if (!phase || this.failure) return;
    while (phase.next < phase.tasks.length) {
      // the ready worker with the fewest tasks in hand, below the phase's depth
      let w = -1;
      for (let i = 0; i < this.workers.length; i++) {
        if (this.isReady[i] && this.inFlight[i]! < phase.depth && (w < 0 || this.inFlight[i]! < this.inFlight[w]!)) w = i;
      }
      if (w < 0) break;
      phase.running++;
      this.inFlight[w]!++;
      this.peak = Math.max(this.peak, this.inFlight[w]!);
      const task = phase.tasks[phase.next++]!;
      this.workers[w]!.postMessage(task, transferOf(task));
    }
    if (phase.next >= phase.tasks.length && phase.running === 0 && phase.tasks.length + phase.pinned >= phase.total) {
      this.phase = undefined;
      phase.resolve();
    }
  }

  /** Adds a task to the running phase (one of the `total` that `run` was told of), handed out as a worker frees. */
  add(task: WorkerTask): void {
    const phase = this.phase;
    if (!phase) throw new XvaInternalError('a task was added to a worker pool with no phase running');
    if (phase.tasks.length + phase.pinned >= phase.total) throw new XvaInternalError(`the phase already holds its ${phase.total} tasks`);
    phase.tasks.push(task);
    this.dispatch();
  }

  /**
   * Adds a task to the running phase and hands it to worker `w` at once, whatever that worker holds (it runs it after
   * them): for a task that refers to what only that worker keeps (a unit's counterparties from its tables task).
   */
  addTo(w: number, task: WorkerTask): void {
    const phase = this.phase;
    if (!phase) throw new XvaInternalError('a task was added to a worker pool with no phase running');
    if (phase.tasks.length + phase.pinned >= phase.total) throw new XvaInternalError(`the phase already holds its ${phase.total} tasks`);
    const worker = this.workers[w];
    if (!worker || !this.isReady[w]) throw new XvaInternalError(`a task was pinned to worker ${w}, which the pool has not ready`);
    if (this.failure) return;
    phase.pinned++;
    this.pinnedTotal++;
    phase.running++;
    this.inFlight[w]!++;
    this.peak = Math.max(this.peak, this.inFlight[w]!);
    worker.postMessage(task, transferOf(task));
  }

  /**
   * Hands `buffers` (moved, not copied) back to worker `from` for its next tables (backends/gpu/tableMemory.ts); not a
   * task: the worker takes them between its tasks. Nothing after close() or a failure.
   */
  recycle(from: number | undefined, buffers: ArrayBuffer[]): void {
    const worker = from === undefined ? undefined : this.workers[from];
    if (!worker || buffers.length === 0 || this.closing || this.failure) return;
    worker.postMessage({ kind: 'recycle', buffers } satisfies WorkerTask, buffers);
  }

  /** Ends the running phase (and the pool) with `error`, raised by `run`. */
  abort(error: Error): void {
    this.fail(error);
  }

  /**
   * Runs `tasks`, each on the next free worker; `onMessage` sees every progress, pathsDone, result and tables message.
   * A task is cloned when it is handed out, so `onMessage` may still change the tasks not yet handed out. With `total`
   * above tasks.length the phase waits for `add` to bring the rest (from onMessage or later). `depth`: the tasks a
   * worker may hold at once (queued in its port, run one after the other), so that it starts its next task without
   * waiting for this thread to read its answer (the GPU stream, whose driving thread is busy submitting).
   */
  async run(tasks: WorkerTask[], onMessage: (message: WorkerMessage) => void, total = tasks.length, depth = 1): Promise<void> {
    if (!this.initialised) throw new XvaInternalError('a worker pool started early runs tasks only after begin(init)');
    await this.ready;
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.phase = { tasks, total, next: 0, running: 0, pinned: 0, depth: Math.max(1, Math.floor(depth)), onMessage, resolve, reject };
      this.dispatch();
    });
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * Stops the workers (again: nothing more). With `wait: false` it only asks them to stop and returns at once: a worker
   * takes a while to exit once told (its heap and kernel memory freed: the driving thread of a GPU run sat idle about
   * 0.1 s for its ten workers in a profile on an H100 machine; 35-39 ms for two workers on the 2-core machine), and a
   * run that has all its results need not wait for that (engine.ts). The process still waits for the exits before it
   * ends.
   */
  async close(options: { wait?: boolean } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const exits = Promise.all(this.workers.map((w) => w.terminate()));
    if (options.wait === false) {
      exits.catch(() => undefined); // nothing to report: the run is over
      return;
    }
    await exits;
  }
}
