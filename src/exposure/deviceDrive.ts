/**
 * How the engine drives a device that values netting sets (the GPU backend's DeviceSetValuation, engine.ts): which
 * route the run takes (figuresRouteOf), one counterparty at a time on the figures route when there are no worker
 * threads (counterpartyFiguresOnDevice), and the streaming of every unit through the worker pool and the device when
 * there are (streamUnitsThroughDevice). The numbers are the device's and the units' own; this module only orders the
 * work, so a set's figures are the same bits whichever function drove it.
 */
import { XvaInternalError } from '../errors.js';
import type { SimulatedPaths } from '../simulation/types.js';
import { counterpartyDeviceTables } from './backends/gpu/figuresTables.js';
import type { DeviceFactorIndex } from './backends/gpu/tables.js';
import { uploadedTableBuffers } from './backends/gpu/tableMemory.js';
import type { DeviceCounterpartyFigures, DeviceSetFigures } from './deviceFigures.js';
import type { DevicePayload } from './devicePayload.js';
import type { DeviceSetValuation } from './engine.js';
import type { DeviceTablesAnswer, WorkerMessage, WorkerPool, WorkerTask } from './pool.js';
import { quantileRank } from './quantile.js';
import type { UnitContext, UnitCounterparty, UnitTask } from './unit.js';

/**
 * Units whose device tables are asked for ahead of the units handed back, per thread. A unit holds its place from its
 * tables task until its device results are read back, so the window must cover the units waiting on this thread and
 * the device as well as those the workers hold: with 2 (and WORKER_DEPTH 2) the workers held the whole window, and a
 * profile on an H100 machine showed them idle whenever this thread spent 0.1-0.2 s submitting a large unit's sets
 * (2.3 of 27 worker-seconds; twentieth session, bench/README.md). Earlier sessions, with slower tables, measured 2, 4
 * and 8 the same.
 */
const TABLES_AHEAD = 6;
/**
 * Tasks a worker holds at once in the stream (WorkerPool.run depth): with one, a worker that finished its tables
 * waited for this thread, busy submitting other sets, to read them before it got its next task (profiles on an H100
 * machine: the workers idle a quarter of the time while this thread was saturated); three carry a worker through
 * this thread's longest submissions.
 */
const WORKER_DEPTH = 3;
/**
 * A unit costing more than this many times the mean unit is handed out first (the rest in book order). A unit is a
 * contiguous run of whole counterparties of about equal cost (engine.ts), so a counterparty heavier than that is a
 * unit of its own: utb-20k's CCPs, the last three counterparties of the book, 1.1-4.7% of its cost each against a mean
 * unit of 0.3% at 10 threads. Handed out last, the largest kept one worker busy 0.35 s after the others had finished
 * (profiles on an H100 machine, 2.5 s runs). Only the oversized units move: sorting every unit by cost (LPT) made the
 * heavy counterparties' tables run at once and contend (bench/README.md, seventeenth session).
 */
const OVERSIZED_UNIT = 4;

/**
 * The order in which units' tables are asked for: those costing more than OVERSIZED_UNIT times the mean, costliest
 * first (ties by book order), then the others in book order.
 */
export function tablesOrder(units: readonly UnitTask[]): UnitTask[] {
  if (units.length === 0) return [];
  const mean = units.reduce((a, u) => a + (u.cost ?? 0), 0) / units.length;
  const oversized = units.filter((u) => (u.cost ?? 0) > OVERSIZED_UNIT * mean);
  if (oversized.length === 0) return units.slice();
  const first = new Set(oversized);
  return [...oversized.sort((a, b) => (b.cost ?? 0) - (a.cost ?? 0) || a.unitId - b.unitId), ...units.filter((u) => !first.has(u))];
}

/** The run's device route: where the factors sit in the device's paths, whether the figures route is open, the PFE rank. */
export interface DeviceRoute {
  factors: DeviceFactorIndex;
  /**
   * The figures route (the device computes each set's figures and only they come back): without a cube or coverage
   * variants (they re-read the values) and with the paths in one device block.
   */
  figures: boolean;
  /** quantile.ts quantileRank of the run's PFE quantile over its paths. */
  rank: number;
  /**
   * When the paths stayed on the device (the host arrays unwritten until a set needs them): their state ranges
   * (kernels.ts ResidentPaths.stateRanges), from which the workers build the same node tables.
   */
  stateRanges?: Float64Array;
}

/** The route of a run on `paths`, or undefined when the device does not hold them. */
export function figuresRouteOf(device: DeviceSetValuation, paths: SimulatedPaths, options: { cube?: boolean; pfeQuantile: number }, coverageVariants: number): DeviceRoute | undefined {
  const factors = device.factorIndex(paths);
  if (!factors) return undefined;
  return { factors, figures: !options.cube && coverageVariants === 0 && device.figuresRouteOpen(), rank: quantileRank(options.pfeQuantile, paths.nPaths) };
}

/**
 * One counterparty on the figures route, its tables built on this thread: the device figures of its sets and its
 * pathwise totals, or undefined when the route is closed or one of its sets cannot take it (the caller then values
 * it on the values route).
 */
export async function counterpartyFiguresOnDevice(device: DeviceSetValuation, route: DeviceRoute, ctx: UnitContext, cp: UnitCounterparty): Promise<UnitTask['figures'] | undefined> {
  if (!route.figures) return undefined;
  const t0 = performance.now();
  const answers = counterpartyDeviceTables(ctx, cp, route.factors, true);
  // the node tables' time on this thread, as the values route counts it (backends/gpu/valuation.ts)
  device.noteDrivingTablesBuilt((performance.now() - t0) / 1000);
  if (!answers.every((a) => a.tables?.figures)) return undefined;
  const acc = cp.sets.length > 1 ? device.beginCounterparty(ctx.exposureDates.length) : undefined;
  const jobs = answers.map((a) => device.submitFigures(a.tables!, route.rank, acc));
  const cpJob = acc ? device.finishCounterparty(acc, cp.index, ctx.exposureDates, ctx.grid.dates.length, route.rank) : undefined;
  const sets: DeviceSetFigures[] = [];
  for (const job of jobs) sets.push(await job.finish());
  const counterparties = cpJob ? [await cpJob.finish()] : [];
  for (const a of answers) device.record(a.nettingSetId, undefined, true);
  return { sets, counterparties };
}

type SetJob = { job?: { finish(): Promise<DevicePayload> }; figures?: { finish(): Promise<DeviceSetFigures> } };

/**
 * One pool phase streams every unit through three steps: a worker builds its sets' device tables; this thread submits
 * them to the device as they arrive (the device works while the workers go on); once the unit's device results are
 * read back, its unit task (the host part) joins the phase. Tables are asked for at most TABLES_AHEAD units per thread
 * ahead of the units handed back, which bounds the values held on the values route. The routing is recorded at the
 * end, in the book's order of units, counterparties and sets (as valueCounterparties records it).
 */
export async function streamUnitsThroughDevice(run: {
  pool: WorkerPool;
  tasks: UnitTask[];
  threads: number;
  deviceValuation: DeviceSetValuation;
  deviceCtx: UnitContext;
  route: DeviceRoute;
  onMessage: (message: WorkerMessage) => void;
  /** Makes the shared arrays hold the paths (the device's deferred copy; resolved at once when they do). */
  hostPaths: () => Promise<void>;
}): Promise<void> {
  const { pool, tasks, threads, deviceValuation: device, deviceCtx, route, onMessage, hostPaths } = run;
  const nPaths = deviceCtx.paths.nPaths;
  const valued = tasks.filter((task) => !task.checkOnly);
  const answers = new Map<number, DeviceTablesAnswer>();
  // the state ranges on a SharedArrayBuffer: every tables task carries them without a copy
  if (route.stateRanges && !(route.stateRanges.buffer instanceof SharedArrayBuffer)) {
    const shared = new Float64Array(new SharedArrayBuffer(route.stateRanges.byteLength));
    shared.set(route.stateRanges);
    route.stateRanges = shared;
  }
  const tablesTask = (task: UnitTask): WorkerTask => ({ kind: 'tables', unitId: task.unitId, counterparties: task.counterparties, factors: route.factors, figures: route.figures, ...(route.stateRanges ? { stateRanges: route.stateRanges } : {}) });
  const unitById = new Map(valued.map((task) => [task.unitId, task]));
  // oversized units first (tablesOrder); every unit's results are its own, whatever the order
  const dispatch = tablesOrder(valued);
  let nextTables = Math.min(dispatch.length, TABLES_AHEAD * threads);
  // the device's results of one unit, read back in the unit's order, then the unit's host part handed out
  const finishUnit = async (task: UnitTask, jobs: Map<number, SetJob>, cpJobs: Map<number, { finish(): Promise<DeviceCounterpartyFigures> }>, from: number | undefined): Promise<void> => {
    const values: DevicePayload[] = [];
    const figures: NonNullable<UnitTask['figures']> = { sets: [], counterparties: [] };
    for (const cp of task.counterparties) {
      for (const item of cp.sets) {
        const got = jobs.get(item.index);
        if (got?.figures) figures.sets.push(await got.figures.finish());
        else if (got?.job) values.push(await got.job.finish());
      }
      const cpJob = cpJobs.get(cp.index);
      if (cpJob) figures.counterparties.push(await cpJob.finish());
    }
    task.device = values;
    if (figures.sets.length > 0) task.figures = figures;
    // a set off the figures route (its values came back, or it is valued on the host) reads the paths on the host
    if (task.counterparties.some((cp) => cp.sets.some((item) => !jobs.get(item.index)?.figures))) await hostPaths();
    // to the worker that built the unit's tables, which kept its counterparties (not cloned a second time)
    if (from === undefined) pool.add({ kind: 'unit', task });
    else pool.addTo(from, { kind: 'unit', task: { ...task, counterparties: [] }, held: true });
    if (nextTables < dispatch.length) pool.add(tablesTask(dispatch[nextTables++]!));
  };
  const submitUnit = (unitId: number, sets: DeviceTablesAnswer[], from: number | undefined): void => {
    const task = unitById.get(unitId);
    if (!task) throw new XvaInternalError(`device tables came back for unit ${unitId}, which is not valued`);
    for (const answer of sets) answers.set(answer.index, answer);
    const jobs = new Map<number, SetJob>();
    const cpJobs = new Map<number, { finish(): Promise<DeviceCounterpartyFigures> }>();
    // the unit's counterparties in order, each one's sets together (its accumulator is used in queue order)
    for (const cp of task.counterparties) {
      const got = cp.sets.map((item) => answers.get(item.index));
      if (got.some((g) => !g)) throw new XvaInternalError(`no device tables came back for a netting set of counterparty ${cp.counterpartyId}`);
      if (route.figures && got.every((g) => g!.tables?.figures)) {
        const acc = cp.sets.length > 1 ? device.beginCounterparty(deviceCtx.exposureDates.length) : undefined;
        for (const g of got) jobs.set(g!.index, { figures: device.submitFigures(g!.tables!, route.rank, acc) });
        if (acc) cpJobs.set(cp.index, device.finishCounterparty(acc, cp.index, deviceCtx.exposureDates, deviceCtx.grid.dates.length, route.rank));
      } else {
        for (const g of got) if (g!.tables) jobs.set(g!.index, { job: device.submit(g!.tables, nPaths) });
      }
    }
    // uploaded (the queue copied them at the submissions): the worker packs its next tables into them; the answers
    // kept for the routing record only say whether there were tables
    pool.recycle(from, sets.flatMap((answer) => uploadedTableBuffers(answer.tables)));
    finishUnit(task, jobs, cpJobs, from).catch((error: unknown) => pool.abort(error instanceof Error ? error : new Error(String(error))));
  };
  const initial: WorkerTask[] = [...tasks.filter((task) => task.checkOnly).map((task): WorkerTask => ({ kind: 'unit', task })), ...dispatch.slice(0, nextTables).map(tablesTask)];
  await pool.run(
    initial,
    (message) => {
      if (message.type !== 'tables') return onMessage(message);
      device.noteTablesBuilt(message.seconds, message.buffers);
      submitUnit(message.unitId, message.sets, message.from);
    },
    tasks.length + valued.length,
    WORKER_DEPTH,
  );
  for (const task of valued) {
    delete task.device;
    delete task.figures;
    for (const cp of task.counterparties) {
      for (const item of cp.sets) {
        const answer = answers.get(item.index);
        if (!answer) throw new XvaInternalError(`no device tables came back for netting set ${item.nettingSet.nettingSetId}`);
        device.record(answer.nettingSetId, answer.tables ? undefined : answer.reason, route.figures && answer.tables?.figures !== undefined);
      }
    }
  }
}
