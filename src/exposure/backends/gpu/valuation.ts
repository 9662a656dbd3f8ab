/**
 * Device valuation (the engine's DeviceSetValuation, engine.ts): for each netting set made of IRS, OIS, XCCY, FX
 * forwards, FX swaps, swaptions, FX options, equity options, equity forwards and CDS (every product), with or without a CSA
 * or initial margin held or posted, the WGSL kernel of wgsl/value.ts values the set on every path and on the dates the host would
 * value it (unit.ts datesToValue: its exposure dates up to its last live date and, under a CSA with a margin period of
 * risk, their close-out lag dates) on the device's own paths (kept there by gpuSimulateResident), and reduces
 * max(V,0)/N and max(−V,0)/N per workgroup; the host adds the partial sums in f64 (EPE, ENE). What the kernel reads
 * comes from the host (tables.ts deviceTablesOf over compile.ts ratePoolNodeTables, f64, rounded once to f32 on
 * upload; built on the worker threads when there are any, else on this thread): the rate pools' node tables
 * (a swaption is pooled before expiry; a physically settled one is after expiry its underlying swap's pool masked by
 * the exercise decision, compile.ts ExercisedSwaption) and the leg entries of the FX and equity options and the equity
 * forwards' share parts (options.ts DeviceLegEntry: Black on log-legs linear in the path's states); a CDS pool is a
 * grid function of its name's credit state like a rate pool of an LGM state. A set with an equity option struck at or
 * below 0 is valued on the host by the CPU kernels. The thread driving the device keeps several sets in flight: it
 * submits a set and goes on with the next while the device works and the values travel back.
 *
 * Two routes back. The figures route (submitFigures, the default: wgsl/figures.ts) keeps the values on the device and
 * computes there the margin calls, the profile's sums, the PFE (select.ts), each trade's Euler sums and, with an
 * accumulator per counterparty of two or more sets, the counterparty's pathwise totals; only those figures come back
 * (deviceFigures.ts turns them into the results). The values route (submit; valueCounterparties) brings back the
 * partial sums and the set's values on its dates (f32, dates × paths, one set at a time, never the book's cube), from
 * which the host computes the same figures as from its own values: for a cube, coverage variants, a counterparty with
 * a set on the host, or paths in several device blocks. There the device's EPE/ENE replace the host's only for a set
 * whose collateral is zero at the base coverage (the same figures then).
 */
import { XvaInternalError } from '../../../errors.js';
import type { CrossAssetModel } from '../../../simulation/crossAsset/model.js';
import type { SimulatedPaths, TimeGrid } from '../../../simulation/types.js';
import type { DeviceSetValuation } from '../../engine.js';
import { precomputedOf, type DevicePayload } from '../../devicePayload.js';
import type { PrecomputedSet, UnitContext, UnitCounterparty } from '../../unit.js';
import { assertDeviceHealthy, type GpuContext } from './device.js';
import { COPY_DST, COPY_SRC, gpuSimulateResident, layoutOf, MAP_MODE_READ, MAP_READ, pipelineOf, STORAGE, UNIFORM, upload, warmPipelines, WORKGROUP, type ResidentPaths } from './kernels.js';
import { SELECT_PARAM_WORDS } from './wgsl/select.js';
import { DeviceBufferPool } from './bufferPool.js';
import { deviceTablesOf, type DeviceFactorIndex, type DeviceTables } from './tables.js';
import { ENTRY_WORDS, NODES_ROW, nodesWgsl, SLOT_WORDS, VALUE_HEADER, valueWgsl } from './wgsl/value.js';
import { GRID_NODES } from '../../valuation/stateGrid.js';
import { RUNNING_SLOPES } from '../../valuation/ratePool.js';
import { encodeRowSelect, rowSelectCode } from './select.js';
import { chunksOf, eulerWgsl, MARGIN_WGSL, REDUCE_HEADER, REDUCE_OUT, REDUCE_WGSL, sumChunks, sumWgsl } from './wgsl/figures.js';
import type { DeviceCounterpartyFigures, DeviceSetFigures } from '../../deviceFigures.js';

export { DEVICE_PRODUCTS, hostReason } from './tables.js';

/** Which sets of the last run went where. */
export interface DeviceRouting {
  device: string[];
  /**
   * Of the device sets, those on the figures route (their collateral, profile, PFE, Euler and totals computed on the
   * device, only the figures read back); the others' values came back for the host's figures. Absent in manifests of
   * earlier versions: none.
   */
  figures?: string[];
  /** Netting set id and the reason it stayed on the host. */
  host: { nettingSetId: string; reason: string }[];
}

/** One sentence for the log and the manifest. */
export function routingNote(r: DeviceRouting): string {
  const reasons = new Map<string, number>();
  for (const h of r.host) reasons.set(h.reason, (reasons.get(h.reason) ?? 0) + 1);
  const why = [...reasons].map(([reason, n]) => `${n} with ${reason}`).join(', ');
  const onFigures = r.figures?.length ?? 0;
  const route =
    onFigures === r.device.length
      ? 'collateral, profile, PFE, Euler and counterparty totals on the device too: only figures came back'
      : onFigures > 0
        ? `${onFigures} with their collateral, profile, PFE, Euler and counterparty totals on the device too; the others' values came back for the host's figures`
        : "their values came back for the host's collateral, profile, PFE, Euler and totals";
  return `GPU valuation: ${r.device.length} of ${r.device.length + r.host.length} netting sets valued on the device (rate products, swaptions, FX and equity options, equity forwards, CDS; ${route})${r.host.length > 0 ? `; ${r.host.length} on the host (${why})` : ''}`;
}

/** Sets submitted to the device and not yet read back, at most (valueCounterparties). */
const IN_FLIGHT = 4;

/** Where the device valuation's time went on the thread that drives the device. */
export interface DeviceValuationStats {
  /** Compiling sets and building and packing their node tables (host CPU; 0 when worker threads build them). */
  tablesSeconds: number;
  /** The same on the worker threads, summed over them (0 without workers), and the tables tasks they answered. */
  workerTablesSeconds: number;
  workerTableTasks: number;
  /**
   * The workers' table arrays that were buffers handed back after an upload (tableMemory.ts), and those allocated
   * afresh because none fitted.
   */
  tableBuffersReused: number;
  tableBuffersAllocated: number;
  /**
   * Figures route: seconds during which the device's queue held a set's work (from a set's submission, or the
   * previous set's results, to its results being ready, in submission order): an upper bound on the device's own
   * time, the callbacks' latency on this thread included.
   */
  deviceSeconds: number;
  /** Uploading the tables and submitting the work (on a software adapter, the device's work runs in here too). */
  submitSeconds: number;
  /** Time from asking for a set's results to having them, summed over the sets (overlapping when several are in flight). */
  waitSeconds: number;
  /** Copying the values out of the mapped buffers and adding the partial sums. */
  readSeconds: number;
  /** Bytes read back (values, or figures on the figures route), sets valued, and of them on the figures route. */
  bytesRead: number;
  sets: number;
  figureSets: number;
  /** Of bytesRead, the figures route's. */
  figuresBytes: number;
  /** Bytes of tables and figures inputs written to the device (node tables, margin, reduce and Euler inputs). */
  bytesUploaded: number;
  /**
   * Whether the paths were copied to the host: at the simulation, or later for a set off the figures route; false
   * when the run kept them on the device throughout (deferHostCopy, every set on the figures route).
   */
  pathsCopied: boolean;
}

function emptyStats(): DeviceValuationStats {
  return { tablesSeconds: 0, workerTablesSeconds: 0, workerTableTasks: 0, tableBuffersReused: 0, tableBuffersAllocated: 0, deviceSeconds: 0, submitSeconds: 0, waitSeconds: 0, readSeconds: 0, bytesRead: 0, sets: 0, figureSets: 0, figuresBytes: 0, bytesUploaded: 0, pathsCopied: false };
}

/** A counterparty's accumulator of Σ max(E_s, 0) on the device (figures route, two or more sets). */
export interface DeviceAccumulator {
  readonly buffer: GPUBuffer;
}

/** A set submitted to the device: `finish` waits for its values and sums. */
export interface PendingDeviceSet {
  finish(): Promise<DevicePayload>;
}

/**
 * The GPU backend's path simulator state and device valuation for one run at a time: `simulate` keeps the paths on
 * the device; the sets are valued on them either here from start to end (`valueCounterparties`, node tables built on
 * this thread) or from tables built elsewhere (worker threads: tables.ts deviceTablesOf, then `submit` and `record`);
 * `release` frees the paths and records the routing.
 */
export class GpuSetValuation implements DeviceSetValuation {
  private resident: ResidentPaths | undefined;
  /** The routing of the current (or last) run. */
  routing: DeviceRouting = { device: [], figures: [], host: [] };
  /** Seconds the last run spent on this thread per phase of the device valuation (bench/gpu.mjs prints them). */
  stats: DeviceValuationStats = emptyStats();

  constructor(
    private readonly ctx: GpuContext,
    /** Called with the routing note when a run's valuation ends. */
    private readonly onRouting: (note: string) => void = () => undefined,
  ) {}

  /**
   * Simulates the run's paths and keeps them on the device. With `deferHostCopy` (and `into`) the host arrays stay
   * unwritten until copyPathsToHost: a run whose sets all take the figures route never needs them. With `sobol` (the
   * run's Sobol streams) on Sobol points through the Brownian bridge (wgsl/sobol.ts) instead of Philox draws.
   */
  async simulate(model: CrossAssetModel, grid: TimeGrid, seed: number, nPaths: number, antithetic: boolean, into?: SimulatedPaths, deferHostCopy = false, sobol?: { streams: Uint32Array }): Promise<SimulatedPaths> {
    this.resident?.release();
    this.resident = undefined;
    // the simulation is submitted before the first await; the valuation kernels compile meanwhile
    const simulated = gpuSimulateResident(this.ctx, model, grid, seed, nPaths, antithetic, true, into, !(deferHostCopy && into), sobol);
    const warm = warmPipelines(this.ctx, [nodesWgsl(GRID_NODES, RUNNING_SLOPES), valueWgsl(GRID_NODES, RUNNING_SLOPES), sumWgsl(GRID_NODES, RUNNING_SLOPES), eulerWgsl(GRID_NODES, RUNNING_SLOPES), MARGIN_WGSL, REDUCE_WGSL, rowSelectCode(this.ctx)]);
    warm.catch(() => undefined); // awaited below; a rejection while the simulation runs is not unhandled
    this.resident = await simulated;
    await warm;
    this.routing = { device: [], figures: [], host: [] };
    this.stats = emptyStats();
    this.stats.pathsCopied = this.resident.copied();
    return this.resident.paths;
  }

  release(): void {
    this.resident?.release();
    this.resident = undefined;
    for (const b of this.dummies) b.destroy();
    this.dummies = [];
    for (const b of this.scratchBuffers) b?.buffer.destroy();
    this.scratchBuffers = [];
    this.buffers?.destroy();
    this.buffers = undefined;
    this.onRouting(routingNote(this.routing));
  }

  /** Whether the host arrays of the resident paths are still unwritten (a simulation that deferred their copy). */
  hostCopyPending(): boolean {
    return this.resident !== undefined && !this.resident.copied();
  }

  /** Writes the resident paths into the host arrays the simulation deferred (once). */
  copyPathsToHost(): Promise<void> {
    if (!this.resident) throw new XvaInternalError('the GPU device holds no paths to copy to the host');
    this.stats.pathsCopied = true;
    return this.resident.copyToHost();
  }

  /** The resident paths' state ranges (kernels.ts ResidentPaths.stateRanges). */
  stateRanges(): Promise<Float64Array> {
    if (!this.resident) throw new XvaInternalError('the GPU device holds no paths to scan');
    return this.resident.stateRanges();
  }

  /** Where the factors sit in the device's path blocks (for tables built on other threads), when paths are resident. */
  factorIndex(paths: SimulatedPaths): DeviceFactorIndex | undefined {
    const r = this.resident;
    return r && r.paths === paths
      ? { fxFactor0: r.fxFactor0, eqFactor0: r.eqFactor0, creditFactor0: r.creditFactor0, numeraireFactor: r.numeraireFactor, maxBindingBytes: this.ctx.maxStorageBufferBindingSize }
      : undefined;
  }

  noteDrivingTablesBuilt(seconds: number): void {
    this.stats.tablesSeconds += seconds;
  }

  noteTablesBuilt(seconds: number, buffers?: { reused: number; allocated: number }): void {
    this.stats.workerTablesSeconds += seconds;
    this.stats.workerTableTasks++;
    this.stats.tableBuffersReused += buffers?.reused ?? 0;
    this.stats.tableBuffersAllocated += buffers?.allocated ?? 0;
  }

  /** When the device finished the last set's work (figures route), for stats.deviceSeconds. */
  private lastReady = 0;

  /** Records where a set went: on the device (on the figures route or not), or on the host for `reason`. */
  record(nettingSetId: string, reason: string | undefined, onFigures = false): void {
    if (reason !== undefined) this.routing.host.push({ nettingSetId, reason });
    else {
      this.routing.device.push(nettingSetId);
      if (onFigures) (this.routing.figures ??= []).push(nettingSetId);
    }
  }

  async valueCounterparty(uctx: UnitContext, cp: UnitCounterparty): Promise<ReadonlyMap<number, PrecomputedSet>> {
    return this.valueCounterparties(uctx, [cp]);
  }

  /**
   * The sets of these counterparties the device values, pipelined: while the device values one set and its values
   * travel back, this thread builds the next sets' node tables (up to IN_FLIGHT sets submitted and not yet read).
   * The results, the routing and every number are those of valuing the sets one by one, in order.
   */
  async valueCounterparties(uctx: UnitContext, cps: readonly UnitCounterparty[]): Promise<ReadonlyMap<number, PrecomputedSet>> {
    const out = new Map<number, PrecomputedSet>();
    const pending: { id: string; reason: string | undefined; job: PendingDeviceSet | undefined; kernel: Parameters<typeof precomputedOf>[2] }[] = [];
    const settle = async (): Promise<void> => {
      const { id, reason, job, kernel } = pending.shift()!;
      if (job) {
        const payload = await job.finish();
        out.set(payload.index, precomputedOf(payload, uctx, kernel));
      }
      this.record(id, reason);
    };
    const factors = this.factorIndex(uctx.paths);
    for (const cp of cps) {
      for (const item of cp.sets) {
        const t0 = performance.now();
        const id = item.nettingSet.nettingSetId;
        const r = factors ? deviceTablesOf(uctx, item, factors) : { reason: 'paths not simulated on this device', kernel: undefined, tables: undefined };
        const t1 = performance.now();
        const job = r.tables ? this.submit(r.tables, uctx.paths.nPaths) : undefined;
        this.stats.tablesSeconds += (t1 - t0) / 1000;
        pending.push({ id, reason: r.reason, job, kernel: r.kernel });
        if (pending.length > IN_FLIGHT) await settle();
      }
    }
    while (pending.length > 0) await settle();
    return out;
  }

  /**
   * Submits one set's valuation on the device, one slot per date of its tables (exposure and close-out lag dates
   * alike: each slot carries its own grid index), block by block of the resident paths; `finish` waits for the
   * device and reads the values (f32, slot-major) and the f64 sums of the workgroups' partial sums back.
   */
  submit(tables: DeviceTables, nPaths: number): PendingDeviceSet {
    const resident = this.resident;
    if (!resident) throw new XvaInternalError('the GPU device values a netting set with no resident paths');
    if (resident.blocks.reduce((a, b) => a + b.count, 0) !== nPaths) throw new XvaInternalError(`the device holds ${resident.blocks.length} path blocks that do not cover ${nPaths} paths`);
    const { index, gridIndex, ints, reals } = tables;
    const nSlots = gridIndex.length;
    const values = new Float32Array(nSlots * nPaths);
    const sums = new Float64Array(2 * nSlots);
    const payload = (): DevicePayload => ({ index, gridIndex, values, sums: tables.collateralAtBase ? null : sums });
    if (nSlots === 0) return { finish: async () => payload() };
    const t0 = performance.now();
    const { device } = this.ctx;
    const pipeline = pipelineOf(this.ctx, valueWgsl(tables.gridNodes, tables.runningSlopes));
    const realsBuffer = upload(this.ctx, reals);
    // the tables' node values, expanded on the device in the first block's submission (the queue runs it before the rest)
    const nodesBuffer = device.createBuffer({ size: Math.max(16, 4 * tables.nodeCount), usage: STORAGE });
    // header word 8: the first global path of the block (the exercise draws', wgsl/value.ts), from the run's first
    const firstPath = ints[8]!;
    const blocks = resident.blocks.map((block, blockIndex) => {
      const nWg = Math.ceil(block.count / WORKGROUP);
      ints[0] = block.count;
      ints[4] = nWg;
      ints[8] = firstPath + block.start;
      const valueBytes = 4 * nSlots * block.count;
      const partialBytes = 4 * 2 * nSlots * nWg;
      const intsBuffer = upload(this.ctx, ints);
      const valuesBuffer = device.createBuffer({ size: valueBytes, usage: STORAGE | COPY_SRC });
      const partialsBuffer = device.createBuffer({ size: partialBytes, usage: STORAGE | COPY_SRC });
      const readBuffer = device.createBuffer({ size: valueBytes + partialBytes, usage: MAP_READ | COPY_DST });
      const entries = [block.buffer, intsBuffer, realsBuffer, valuesBuffer, partialsBuffer, nodesBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
      const encoder = device.createCommandEncoder();
      if (blockIndex === 0) this.expandNodes(encoder, tables.gridNodes, tables.runningSlopes, intsBuffer, realsBuffer, nodesBuffer, ints);
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: layoutOf(pipeline), entries }));
      pass.dispatchWorkgroups(nWg, nSlots);
      pass.end();
      encoder.copyBufferToBuffer(valuesBuffer, 0, readBuffer, 0, valueBytes);
      encoder.copyBufferToBuffer(partialsBuffer, 0, readBuffer, valueBytes, partialBytes);
      device.queue.submit([encoder.finish()]);
      // asked for at once: it resolves when the device is done, while this thread goes on with the next set
      const mapped = readBuffer.mapAsync(MAP_MODE_READ);
      mapped.catch(() => undefined); // awaited in finish; a rejection before then is not unhandled
      return { block, nWg, valueBytes, readBuffer, mapped, buffers: [intsBuffer, valuesBuffer, partialsBuffer, readBuffer] };
    });
    ints[8] = firstPath;
    const finish = async (): Promise<DevicePayload> => {
      try {
        for (const { block, nWg, valueBytes, readBuffer, mapped } of blocks) {
          const t0 = performance.now();
          await mapped;
          assertDeviceHealthy(this.ctx.device);
          const t1 = performance.now();
          const bytes = readBuffer.getMappedRange();
          const blockValues = new Float32Array(bytes, 0, nSlots * block.count);
          const partials = new Float32Array(bytes, valueBytes, 2 * nSlots * nWg);
          if (block.count === nPaths) values.set(blockValues);
          else for (let k = 0; k < nSlots; k++) values.set(blockValues.subarray(k * block.count, (k + 1) * block.count), k * nPaths + block.start);
          for (let k = 0; k < nSlots; k++) {
            // f64 over the workgroups' f32 partial sums
            let pos = 0;
            let neg = 0;
            for (let w = 0; w < nWg; w++) {
              pos += partials[2 * (k * nWg + w)]!;
              neg += partials[2 * (k * nWg + w) + 1]!;
            }
            sums[2 * k] += pos;
            sums[2 * k + 1] += neg;
          }
          readBuffer.unmap();
          this.stats.waitSeconds += (t1 - t0) / 1000;
          this.stats.readSeconds += (performance.now() - t1) / 1000;
          this.stats.bytesRead += valueBytes;
        }
      } finally {
        for (const b of blocks) for (const buffer of b.buffers) buffer.destroy();
        realsBuffer.destroy();
        nodesBuffer.destroy();
      }
      this.stats.sets++;
      return payload();
    };
    this.stats.submitSeconds += (performance.now() - t0) / 1000;
    return { finish };
  }

  /** Whether the figures route can run on the resident paths: they must sit in one device block. */
  figuresRouteOpen(): boolean {
    return this.resident !== undefined && this.resident.blocks.length === 1;
  }

  /** A zeroed accumulator for a counterparty's sets (nExp exposure dates × the paths). */
  beginCounterparty(nExp: number): DeviceAccumulator {
    const block = this.singleBlock();
    // WebGPU buffers start zeroed (spec §5.1 createBuffer)
    return { buffer: this.ctx.device.createBuffer({ size: Math.max(16, 4 * nExp * block.count), usage: STORAGE }) };
  }

  /**
   * The counterparty's pathwise figures from its accumulator once its sets were submitted with it: per exposure date
   * of `exposureDates`, the sums of aggregate.ts totalProfile (EPE standard error) and the PFE at `rank`.
   */
  finishCounterparty(acc: DeviceAccumulator, index: number, exposureDates: Int32Array, nDates: number, rank: number): { finish(): Promise<DeviceCounterpartyFigures> } {
    const block = this.singleBlock();
    const resident = this.resident!;
    const { device } = this.ctx;
    const nExp = exposureDates.length;
    const ints = new Uint32Array(REDUCE_HEADER + 2 * nExp);
    // mode: accumulator rows (1), antithetic paths (2: the pairs' sum for the standard error)
    ints.set([block.count, nDates, resident.numeraireFactor, nExp, 0, 1 | (resident.paths.antithetic === true ? 2 : 0)]);
    for (let k = 0; k < nExp; k++) ints[REDUCE_HEADER + 2 * k] = exposureDates[k]!;
    const chunks = chunksOf(block.count);
    const outBytes = 4 * REDUCE_OUT * nExp * chunks;
    const inputs = this.arena([ints, new Float32Array(nExp)], STORAGE | COPY_DST);
    const [intsBinding, realsBinding] = inputs.bindings;
    const outputs = this.arena([new Float32Array(REDUCE_OUT * nExp * chunks), new Float32Array(nExp)], STORAGE | COPY_SRC, false);
    const [outBinding, pfeBinding] = outputs.bindings;
    const readBuffer = this.pool().acquire(outputs.size, MAP_READ | COPY_DST);
    const encoder = device.createCommandEncoder();
    this.pass(encoder, REDUCE_WGSL, [block.buffer, intsBinding!, realsBinding!, acc.buffer, acc.buffer, outBinding!], nExp, chunks);
    const params = this.pool().acquire(4 * SELECT_PARAM_WORDS, UNIFORM | COPY_DST);
    encodeRowSelect(this.ctx, encoder, { input: acc.buffer, inputOffset: 0, rows: nExp, n: block.count, rank, output: outputs.buffer, outputOffset: pfeBinding!.offset / 4, params });
    encoder.copyBufferToBuffer(outputs.buffer, 0, readBuffer, 0, outputs.size);
    device.queue.submit([encoder.finish()]);
    const mapped = readBuffer.mapAsync(MAP_MODE_READ, 0, outputs.size);
    mapped.catch(() => undefined);
    let readBack = false;
    return {
      finish: async () => {
        try {
          await mapped;
          assertDeviceHealthy(this.ctx.device);
          const bytes = readBuffer.getMappedRange(0, outputs.size);
          const sums = sumChunks(new Float32Array(bytes, outBinding!.offset, REDUCE_OUT * nExp * chunks), nExp, chunks, REDUCE_OUT);
          const pfe = Float64Array.from(new Float32Array(bytes, pfeBinding!.offset, nExp));
          readBuffer.unmap();
          readBack = true;
          return { index, sums, pfe };
        } finally {
          acc.buffer.destroy();
          if (readBack) for (const b of [inputs.buffer, outputs.buffer, readBuffer, params]) this.pool().release(b);
        }
      },
    };
  }

  /**
   * Submits a set on the figures route (tables.figures): its valuation, margin calls, profile sums, PFE and the
   * trades' Euler sums all on the device, adding max(E, 0) into `acc` when given; `finish` reads back the figures
   * only. PFE at `rank` (quantile.ts quantileRank of the run's quantile).
   */
  submitFigures(tables: DeviceTables, rank: number, acc: DeviceAccumulator | undefined): { finish(): Promise<DeviceSetFigures> } {
    const figures = tables.figures;
    if (!figures) throw new XvaInternalError(`netting set #${tables.index} has no figures tables`);
    const block = this.singleBlock();
    const t0 = performance.now();
    const { device } = this.ctx;
    const count = block.count;
    const nSlots = tables.gridIndex.length;
    const nExp = figures.nExp;
    const nWg = Math.ceil(count / WORKGROUP);
    const t = figures.trades;
    const m = figures.margin;
    const r = figures.reduce;
    const lagRows = figures.tableDates.length;
    const nTradeSlots = t.slotTrade.length;
    const chunks = chunksOf(count);
    // every input in one buffer (a binding each), every figure in one output buffer: few device objects per set
    t.ints[0] = count;
    tables.ints[0] = count;
    tables.ints[4] = nWg;
    m.ints[0] = count;
    m.ints[3] = (m.ints[3]! & 3) | (acc ? 4 : 0);
    r.ints[0] = count;
    r.ints[5] = this.resident!.paths.antithetic === true ? 2 : 0; // mode: antithetic paths (the pairs' sum), not accumulator rows
    const inputs = this.arena([t.ints, t.reals, t.sumIndex, m.ints, m.reals, r.ints, r.reals, t.info, tables.ints, tables.reals], STORAGE | COPY_DST);
    const [tradeInts, tradeReals, sumIndex, marginInts, marginReals, reduceInts, reduceReals, info, setInts, setReals] = inputs.bindings;
    // the trades' Euler sums: 2 per slot and chunk, 3 for a set holding IM (the EPE after VM only), 4 for one posting
    // IM (the ENE after VM only too): eulerWgsl's width
    const width = t.info[2]!;
    const outputs = this.arena([new Float32Array(REDUCE_OUT * nExp * chunks), new Float32Array(nExp), new Float32Array(width * nTradeSlots * chunks)], STORAGE | COPY_SRC, false);
    const [sumsOut, pfeOut, tradeOut] = outputs.bindings;
    // work buffers shared by every set (the queue runs the sets' passes one after the other)
    const values = this.scratch(0, 4 * (lagRows + nExp) * count);
    // the set's and the trades' tables as node values (expanded on the device first)
    const setNodes = this.scratch(4, 4 * tables.nodeCount);
    const tradeNodes = this.scratch(5, 4 * t.nodeCount);
    const ec = this.scratch(1, 4 * 2 * nExp * count);
    const store = m.trivial ? undefined : this.scratch(2, 4 * nSlots * count);
    const partials = lagRows > 0 ? this.scratch(3, 4 * 2 * lagRows * nWg) : undefined;
    const readBuffer = this.pool().acquire(outputs.size, MAP_READ | COPY_DST);
    // the PFE selection's parameters, pooled too (a buffer made per set cost 85 µs of this thread)
    const selectParams = this.pool().acquire(4 * SELECT_PARAM_WORDS, UNIFORM | COPY_DST);
    const pooled: GPUBuffer[] = [inputs.buffer, outputs.buffer, readBuffer, selectParams];
    const buffers: GPUBuffer[] = [];
    const encoder = device.createCommandEncoder();
    // 1. the set's values, kept on the device: its close-out lag dates on its own tables (wgsl/value.ts), then its
    // live exposure dates as the sums of its trades' values on their own tables (sumWgsl)
    if (lagRows > 0) {
      this.expandNodes(encoder, tables.gridNodes, tables.runningSlopes, setInts!, setReals!, setNodes, tables.ints);
      this.pass(encoder, valueWgsl(tables.gridNodes, tables.runningSlopes), [block.buffer, setInts!, setReals!, values, partials!, setNodes], nWg, lagRows);
    }
    this.expandNodes(encoder, t.gridNodes, t.runningSlopes, tradeInts!, tradeReals!, tradeNodes, t.ints);
    this.pass(encoder, sumWgsl(t.gridNodes, t.runningSlopes), [block.buffer, tradeInts!, tradeReals!, values, sumIndex!, tradeNodes], nWg, nExp);
    // 2. margin calls and E, C on the live exposure dates (and the counterparty's accumulator)
    this.pass(encoder, MARGIN_WGSL, [values, marginInts!, marginReals!, store ?? this.dummy(0), ec, acc ? acc.buffer : this.dummy(1)], nWg, 1);
    // 3. the profile's sums per exposure date
    this.pass(encoder, REDUCE_WGSL, [block.buffer, reduceInts!, reduceReals!, values, ec, sumsOut!], nExp, chunks);
    // 4. PFE: the quantile of max(E, 0) (values <= 0 select as 0)
    buffers.push(...encodeRowSelect(this.ctx, encoder, { input: ec.buffer, inputOffset: 0, rows: nExp, n: count, rank, output: outputs.buffer, outputOffset: pfeOut!.offset / 4, params: selectParams }));
    // 5. each trade's Euler sums on its own tables
    if (nTradeSlots > 0) {
      this.pass(encoder, eulerWgsl(t.gridNodes, t.runningSlopes), [block.buffer, tradeInts!, tradeReals!, values, ec, info!, tradeOut!, tradeNodes], Math.min(nTradeSlots, 65535), Math.ceil(nTradeSlots / 65535), chunks);
    }
    encoder.copyBufferToBuffer(outputs.buffer, 0, readBuffer, 0, outputs.size);
    device.queue.submit([encoder.finish()]);
    const mapped = readBuffer.mapAsync(MAP_MODE_READ, 0, outputs.size);
    mapped.catch(() => undefined);
    const submitted = performance.now();
    // the device's queue runs the sets in submission order: busy from max(submission, previous ready) to this ready
    mapped.then(() => {
      const ready = performance.now();
      this.stats.deviceSeconds += Math.max(0, ready - Math.max(submitted, this.lastReady)) / 1000;
      this.lastReady = ready;
    }, () => undefined);
    this.stats.submitSeconds += (submitted - t0) / 1000;
    let readBack = false;
    const nTrades = figures.tradeIds.length;
    return {
      finish: async () => {
        try {
          const w0 = performance.now();
          await mapped;
          assertDeviceHealthy(this.ctx.device);
          const w1 = performance.now();
          const bytes = readBuffer.getMappedRange(0, outputs.size);
          const sums = sumChunks(new Float32Array(bytes, sumsOut!.offset, REDUCE_OUT * nExp * chunks), nExp, chunks, REDUCE_OUT);
          const pfe = Float64Array.from(new Float32Array(bytes, pfeOut!.offset, nExp));
          const raw = sumChunks(new Float32Array(bytes, tradeOut!.offset, width * nTradeSlots * chunks), nTradeSlots, chunks, width);
          const tradeEpe = new Float64Array(nTrades * nExp);
          const tradeEne = new Float64Array(nTrades * nExp);
          // (a set posting IM but holding none reads its EPE's shares after VM only from the EPE's: deviceFigures.ts)
          const heldIm = r.reals.subarray(0, nExp).some((x) => x > 0);
          const tradeEpeVm = width >= 3 && heldIm ? new Float64Array(nTrades * nExp) : undefined;
          const tradeEneVm = width === 4 ? new Float64Array(nTrades * nExp) : undefined;
          for (let s = 0; s < nTradeSlots; s++) {
            const at = t.slotTrade[s]! * nExp + t.slotExposure[s]!;
            tradeEpe[at] = raw[width * s]!;
            tradeEne[at] = raw[width * s + 1]!;
            if (tradeEpeVm) tradeEpeVm[at] = raw[width * s + 2]!;
            if (tradeEneVm) tradeEneVm[at] = raw[width * s + 3]!;
          }
          readBuffer.unmap();
          readBack = true;
          this.stats.waitSeconds += (w1 - w0) / 1000;
          this.stats.readSeconds += (performance.now() - w1) / 1000;
          this.stats.bytesRead += outputs.size;
          this.stats.figuresBytes += outputs.size;
          this.stats.sets++;
          this.stats.figureSets++;
          return {
            index: tables.index, nExp, sums, pfe, tradeEpe, tradeEne, tradeIds: figures.tradeIds, last: figures.last, maturity: figures.maturity, valuations: figures.valuations,
            // a set holding IM: its trades' shares of the EPE after VM only, and the IM held per live exposure date
            // (the reduce kernel's reals)
            ...(tradeEpeVm ? { tradeEpeVm, imHeld: Float64Array.from(r.reals.subarray(0, nExp)) } : {}),
            // a set posting IM: its trades' shares of the ENE after VM only, and the IM posted per live exposure date
            ...(tradeEneVm ? { tradeEneVm, imPosted: Float64Array.from(r.reals.subarray(nExp, 2 * nExp)) } : {}),
          };
        } finally {
          for (const b of buffers) b.destroy();
          // done with once read: the read-back was the submission's last command (after a failure they stay out of
          // reuse, destroyed with the pool)
          if (readBack) for (const b of pooled) this.pool().release(b);
        }
      },
    };
  }

  /**
   * Arrays in one buffer, each at an offset aligned for a storage binding (minStorageBufferOffsetAlignment), written
   * there when `write`; the bindings in the arrays' order.
   */
  private arena(parts: readonly (Uint32Array | Float32Array)[], usage: number, write = true): { buffer: GPUBuffer; size: number; bindings: { buffer: GPUBuffer; offset: number; size: number }[] } {
    const align = this.ctx.device.limits.minStorageBufferOffsetAlignment;
    const offsets: number[] = [];
    let size = 0;
    for (const a of parts) {
      offsets.push(size);
      size += Math.ceil(Math.max(16, a.byteLength) / align) * align;
    }
    const buffer = this.pool().acquire(size, usage);
    if (write) this.stats.bytesUploaded += size;
    // each part written at its offset (the queue copies it once; no staging copy here)
    if (write) parts.forEach((a, i) => a.byteLength > 0 && this.ctx.device.queue.writeBuffer(buffer, offsets[i]!, a.buffer, a.byteOffset, a.byteLength));
    return { buffer, size, bindings: parts.map((a, i) => ({ buffer, offset: offsets[i]!, size: Math.max(16, Math.ceil(a.byteLength / 4) * 4) })) };
  }

  /** The run's reusable buffers (bufferPool.ts). */
  private buffers: DeviceBufferPool | undefined;
  private pool(): DeviceBufferPool {
    return (this.buffers ??= new DeviceBufferPool(this.ctx.device));
  }

  /**
   * Work buffer `i` of at least `bytes` (grown by half again when too small; a buffer still used by submitted work is
   * freed by Dawn once that work is done), whole-buffer bindings: the kernels index from 0.
   */
  private scratchBuffers: { buffer: GPUBuffer; size: number }[] = [];
  private scratch(i: number, bytes: number): { buffer: GPUBuffer; offset: number; size: number } {
    const size = Math.max(16, bytes);
    let held = this.scratchBuffers[i];
    if (!held || held.size < size) {
      held?.buffer.destroy();
      const grown = Math.max(size, Math.ceil((held?.size ?? 0) * 1.5 / 4) * 4);
      held = { buffer: this.ctx.device.createBuffer({ size: grown, usage: STORAGE }), size: grown };
      this.scratchBuffers[i] = held;
    }
    return { buffer: held.buffer, offset: 0, size };
  }

  /** Two small buffers bound where a kernel's binding is not used (no IM store, no accumulator); kept for the run. */
  private dummies: GPUBuffer[] = [];
  private dummy(i: number): GPUBuffer {
    while (this.dummies.length <= i) this.dummies.push(this.ctx.device.createBuffer({ size: 16, usage: STORAGE }));
    return this.dummies[i]!;
  }

  private singleBlock(): { buffer: GPUBuffer; count: number } {
    const blocks = this.resident?.blocks;
    if (!blocks || blocks.length !== 1) throw new XvaInternalError('the figures route needs the paths in one device block');
    return blocks[0]!;
  }

  /**
   * Records the expansion of a packed set's tables into node values (wgsl/value.ts nodesWgsl) into `encoder`: one
   * workgroup per entry (pool at a slot), their count read from the packed ints' header.
   */
  private expandNodes(
    encoder: GPUCommandEncoder,
    gridNodes: number,
    runningSlopes: number,
    ints: GPUBuffer | { buffer: GPUBuffer; offset: number; size: number },
    reals: GPUBuffer | { buffer: GPUBuffer; offset: number; size: number },
    nodes: GPUBuffer | { buffer: GPUBuffer; offset: number; size: number },
    packed: Uint32Array,
  ): void {
    // the entries lie between the slots and the fixing groups (header word 5: fix0)
    const entries0 = VALUE_HEADER + SLOT_WORDS * packed[3]!;
    const nEntries = (packed[5]! - entries0) / ENTRY_WORDS;
    if (!(nEntries > 0)) return;
    this.pass(encoder, nodesWgsl(gridNodes, runningSlopes), [ints, reals, nodes], Math.min(nEntries, NODES_ROW), Math.ceil(nEntries / NODES_ROW));
  }

  /** Records one compute pass of `code` over `buffers` (bindings 0, 1, ...; a whole buffer or a range) into `encoder`. */
  private pass(encoder: GPUCommandEncoder, code: string, buffers: (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[], x: number, y: number, z = 1): void {
    const pipeline = pipelineOf(this.ctx, code);
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    const entries = buffers.map((b, binding) => ({ binding, resource: 'offset' in b ? b : { buffer: b } }));
    pass.setBindGroup(0, this.ctx.device.createBindGroup({ layout: layoutOf(pipeline), entries }));
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }
}
