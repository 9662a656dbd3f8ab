/**
 * Device valuation (the engine's DeviceSetValuation, engine.ts): for each netting set made of IRS, OIS, XCCY, FX
 * forwards, FX swaps, swaptions, FX options, equity options, equity forwards and CDS (every product), with or without a CSA
 * or initial margin held, the WGSL kernel of wgsl/value.ts values the set on every path and on the dates the host would
 * value it (unit.ts datesToValue: its exposure dates up to its last live date and, under a CSA with a margin period of
 * risk, their close-out lag dates) on the device's own paths (kept there by gpuSimulateResident), and reduces
 * max(V,0)/N and max(−V,0)/N per workgroup; the host adds the partial sums in f64 (EPE, ENE). What the kernel reads
 * comes from the host (compile.ts ratePoolNodeTables, f64, rounded once to f32 on upload): the rate pools' node tables
 * (a swaption is pooled before expiry; a physically settled one is after expiry its underlying swap's pool masked by
 * the exercise decision, compile.ts ExercisedSwaption) and the leg entries of the FX and equity options and the equity
 * forwards' share parts (options.ts DeviceLegEntry: Black on log-legs linear in the path's states); a CDS pool is a
 * grid function of its name's credit state like a rate pool of an LGM state. A set with an equity option struck at or
 * below 0 is valued on the host by the CPU kernels.
 *
 * What comes back per device set: the partial sums, and the set's values on those dates (f32, dates × paths, one set
 * at a time, never the book's cube). The host needs those for the collateral (path-dependent margin calls at the
 * call dates, IM held), the PFE quantile, the EPE standard error, the Euler allocation per trade (CPU kernel
 * accumulateTradeWeighted on the host paths, weights from these values), the coverage variants and the counterparty
 * totals over several sets (pathwise sums). The device's EPE/ENE replace the host's only for a set whose collateral
 * is zero at the base coverage (the same figures then); a collateralised set's EPE/ENE are the host's, of V − C from
 * the device values, and the partial sums of its lag-date slots are unused. A device sort/histogram for the quantile,
 * device margin calls and a device Euler scatter would remove the copy, and are not built.
 */
import { XvaInternalError } from '../../../errors.js';
import type { CrossAssetModel } from '../../../simulation/crossAsset/model.js';
import type { SimulatedPaths, TimeGrid } from '../../../simulation/types.js';
import type { DeviceSetValuation } from '../../engine.js';
import type { NettingSetKernel } from '../../types.js';
import { precomputedOf } from '../../devicePayload.js';
import { datesToValue, dependsOnCoverage, type PrecomputedSet, type UnitContext, type UnitCounterparty, type UnitNettingSet } from '../../unit.js';
import { compileNettingSet, ratePoolNodeTables, type RatePoolNodeTables } from '../../valuation/index.js';
import type { GpuContext } from './device.js';
import { gpuSimulateResident, pipelineOf, upload, type ResidentPaths } from './kernels.js';
import { ENTRY_REALS, ENTRY_WORDS, LEG_REALS, LEG_WORDS, SLOT_WORDS, VALUE_HEADER, valueWgsl } from './wgsl/value.js';
import type { LegTerm } from '../../valuation/options.js';

/**
 * Products the device values (compile.ts ratePoolNodeTables): the rate pools with swaptions (an exercised physically
 * settled one a masked pool), and as leg entries FX and equity options and equity forwards' share parts. A set of these
 * alone goes to the device, CDS pools as grid functions of the credit state.
 */
export const DEVICE_PRODUCTS: ReadonlySet<string> = new Set(['IRS', 'OIS', 'XCCY', 'FXFWD', 'FXSWAP', 'SWAPTION', 'FXOPT', 'EQOPT', 'EQFWD', 'CDS']);

const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const MAP_MODE_READ = 0x01;
const WORKGROUP = 64;
const NO_FX = 0xffffffff;
const NO_MASK = 0xffffffff;
const F32_MAX = 3.4028234663852886e38;

/**
 * Why a netting set is valued on the host, or undefined when it can go to the device: a CSA or IM held does not keep
 * it there (its collateral is applied on the host, from the device values).
 */
export function hostReason(item: UnitNettingSet): string | undefined {
  const other = item.trades.find((t) => !DEVICE_PRODUCTS.has(t.product));
  if (other) return `${other.product} trade`;
  return undefined;
}

/** Which sets of the last run went where. */
export interface DeviceRouting {
  device: string[];
  /** Netting set id and the reason it stayed on the host. */
  host: { nettingSetId: string; reason: string }[];
}

/** One sentence for the log and the manifest. */
export function routingNote(r: DeviceRouting): string {
  const reasons = new Map<string, number>();
  for (const h of r.host) reasons.set(h.reason, (reasons.get(h.reason) ?? 0) + 1);
  const why = [...reasons].map(([reason, n]) => `${n} with ${reason}`).join(', ');
  return `GPU valuation: ${r.device.length} of ${r.device.length + r.host.length} netting sets valued on the device (rate products, swaptions, FX and equity options, equity forwards, CDS; collateral applied on the host)${r.host.length > 0 ? `; ${r.host.length} on the host (${why})` : ''}`;
}

/** The set's node tables packed for the kernel: ints without the per-block header words 0 and 4, reals. */
interface PackedSet {
  ints: Uint32Array;
  reals: Float32Array;
  nSlots: number;
}

function packSet(tables: readonly RatePoolNodeTables[], dates: Int32Array, nDates: number, resident: ResidentPaths): PackedSet {
  const nSlots = tables.length;
  let nEntries = 0;
  let nGroups = 0;
  let nReals = 0;
  let nLegs = 0;
  let nTerms = 0;
  for (const t of tables) {
    for (const leg of t.legs) {
      nLegs++;
      const terms = leg.termsA.length + leg.termsB.length + leg.termsE.length;
      nTerms += terms;
      nReals += LEG_REALS + terms;
    }
    const pools = t.irIndex.length;
    nEntries += pools;
    nGroups += t.groupFix.length;
    nReals += pools * (ENTRY_REALS + t.gridNodes) + t.runNodes.length + t.maskIntervals.length;
  }
  const entries0 = VALUE_HEADER + SLOT_WORDS * nSlots;
  const fix0 = entries0 + ENTRY_WORDS * nEntries;
  const legs0 = fix0 + nGroups;
  const terms0 = legs0 + LEG_WORDS * nLegs;
  const ints = new Uint32Array(terms0 + 2 * nTerms);
  const reals = new Float32Array(nReals);
  ints[1] = nDates;
  ints[2] = resident.numeraireFactor;
  ints[3] = nSlots;
  ints[5] = fix0;
  ints[6] = legs0;
  ints[7] = terms0;
  let entry = 0;
  let group = 0;
  let real = 0;
  let leg = 0;
  let term = 0;
  const factorOf = (t: LegTerm): number => (t.kind === 'ir' ? t.index : t.kind === 'fx' ? resident.fxFactor0 + t.index : resident.eqFactor0 + t.index);
  tables.forEach((t, slot) => {
    const G = t.gridNodes;
    const runSize = t.runningSlopes * G;
    const pools = t.irIndex.length;
    ints.set([dates[slot]!, entry, pools, leg, t.legs.length], VALUE_HEADER + SLOT_WORDS * slot);
    for (let i = 0; i < pools; i++) {
      const g0 = t.groupStart[i]!;
      const groups = t.groupStart[i + 1]! - g0;
      const fx = t.fxIndex[i]!;
      const intervals = t.maskIntervals.subarray(2 * t.maskStart[i]!, 2 * t.maskStart[i + 1]!);
      const stateFactor = t.creditState[i] === 1 ? resident.creditFactor0 + t.irIndex[i]! : t.irIndex[i]!;
      ints.set([stateFactor, fx < 0 ? NO_FX : resident.fxFactor0 + fx, real, group, groups, t.maskIndex[i]! < 0 ? NO_MASK : t.maskIndex[i]!, intervals.length / 2], entries0 + ENTRY_WORDS * entry);
      for (let q = 0; q < groups; q++) ints[fix0 + group + q] = t.groupFix[g0 + q]!;
      reals[real] = t.x0[i]!;
      reals[real + 1] = t.h[i]!;
      reals.set(t.nodes.subarray(i * G, (i + 1) * G), real + ENTRY_REALS);
      reals.set(t.runNodes.subarray(g0 * runSize, (g0 + groups) * runSize), real + ENTRY_REALS + G);
      // the exercise intervals after the running nodes; an infinite end as the largest f32 (a state never reaches it)
      const iv0 = real + ENTRY_REALS + G + groups * runSize;
      for (let r = 0; r < intervals.length; r++) reals[iv0 + r] = Math.max(-F32_MAX, Math.min(F32_MAX, intervals[r]!));
      real = iv0 + intervals.length;
      group += groups;
      entry++;
    }
    for (const l of t.legs) {
      const kind = l.kind === 'black' ? 0 : l.kind === 'exercised' ? 1 : 2;
      ints.set([kind, l.termsA.length, l.termsB.length, l.termsE.length, term, real], legs0 + LEG_WORDS * leg);
      reals.set([l.scale, l.omega, l.sd, l.constA, l.constB, l.constE], real);
      let r = real + LEG_REALS;
      for (const x of [...l.termsA, ...l.termsB, ...l.termsE]) {
        ints[terms0 + 2 * term] = factorOf(x);
        ints[terms0 + 2 * term + 1] = x.grid;
        reals[r++] = x.coefficient;
        term++;
      }
      real = r;
      leg++;
    }
  });
  return { ints, reals, nSlots };
}

/**
 * The GPU backend's path simulator state and device valuation for one run at a time: `simulate` keeps the paths on
 * the device, `valueCounterparty` values the eligible sets on them, `release` frees them and records the routing.
 */
export class GpuSetValuation implements DeviceSetValuation {
  private resident: ResidentPaths | undefined;
  /** The routing of the current (or last) run. */
  routing: DeviceRouting = { device: [], host: [] };

  constructor(
    private readonly ctx: GpuContext,
    /** Called with the routing note when a run's valuation ends. */
    private readonly onRouting: (note: string) => void = () => undefined,
  ) {}

  async simulate(model: CrossAssetModel, grid: TimeGrid, seed: number, nPaths: number, antithetic: boolean): Promise<SimulatedPaths> {
    this.resident?.release();
    this.resident = await gpuSimulateResident(this.ctx, model, grid, seed, nPaths, antithetic, true);
    this.routing = { device: [], host: [] };
    return this.resident.paths;
  }

  release(): void {
    this.resident?.release();
    this.resident = undefined;
    this.onRouting(routingNote(this.routing));
  }

  async valueCounterparty(uctx: UnitContext, cp: UnitCounterparty): Promise<ReadonlyMap<number, PrecomputedSet>> {
    const out = new Map<number, PrecomputedSet>();
    for (const item of cp.sets) {
      const id = item.nettingSet.nettingSetId;
      let reason = this.resident && this.resident.paths === uctx.paths ? hostReason(item) : 'paths not simulated on this device';
      let kernel: NettingSetKernel | undefined;
      if (reason === undefined) {
        try {
          kernel = compileNettingSet(item.trades, { market: uctx.market, model: uctx.model, grid: uctx.grid, nettingSetId: id });
        } catch (error) {
          if (!(error instanceof Error) || error.name !== 'Error') throw error;
          reason = 'a trade the pricers on paths do not support'; // the host reports it (unit.ts compileSet)
        }
      }
      if (reason === undefined && kernel && kernel.lastDateIndex < 0) reason = 'no live date';
      const pre = reason === undefined && kernel ? await this.valueSet(uctx, item, kernel) : undefined;
      if (reason === undefined && !pre) reason = 'an equity option with a strike <= 0';
      if (pre) {
        out.set(item.index, pre);
        this.routing.device.push(id);
      } else this.routing.host.push({ nettingSetId: id, reason: reason! });
    }
    return out;
  }

  /**
   * Values one set on the device, one slot per date of datesToValue (exposure and close-out lag dates alike: each
   * slot carries its own grid index); undefined when its kernel has parts outside the rate pools.
   */
  private async valueSet(uctx: UnitContext, item: UnitNettingSet, kernel: NettingSetKernel): Promise<PrecomputedSet | undefined> {
    const resident = this.resident!;
    const { grid, paths, discountFactors } = uctx;
    const nPaths = paths.nPaths;
    const nDates = grid.dates.length;
    const last = Math.min(kernel.lastDateIndex, nDates - 1);
    const gridIndex = datesToValue(uctx, item, last);
    const nSlots = gridIndex.length;
    const tables: RatePoolNodeTables[] = [];
    for (let k = 0; k < nSlots; k++) {
      const t = ratePoolNodeTables(kernel, gridIndex[k]!, paths);
      if (!t) return undefined;
      tables.push(t);
    }
    const packed = packSet(tables, gridIndex, nDates, resident);
    const G = tables[0]?.gridNodes ?? 64;
    const code = valueWgsl(G, tables[0]?.runningSlopes ?? 3);
    const values = new Float32Array(nSlots * nPaths);
    const sums = new Float64Array(2 * nSlots);
    if (nSlots > 0) {
      const { device } = this.ctx;
      const pipeline = pipelineOf(this.ctx, code);
      const realsBuffer = upload(this.ctx, packed.reals);
      try {
        for (const block of resident.blocks) {
          const nWg = Math.ceil(block.count / WORKGROUP);
          packed.ints[0] = block.count;
          packed.ints[4] = nWg;
          const valueBytes = 4 * nSlots * block.count;
          const partialBytes = 4 * 2 * nSlots * nWg;
          const intsBuffer = upload(this.ctx, packed.ints);
          const valuesBuffer = device.createBuffer({ size: valueBytes, usage: STORAGE | COPY_SRC });
          const partialsBuffer = device.createBuffer({ size: partialBytes, usage: STORAGE | COPY_SRC });
          const readBuffer = device.createBuffer({ size: valueBytes + partialBytes, usage: MAP_READ | COPY_DST });
          try {
            const entries = [block.buffer, intsBuffer, realsBuffer, valuesBuffer, partialsBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
            const encoder = device.createCommandEncoder();
            const pass = encoder.beginComputePass();
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
            pass.dispatchWorkgroups(nWg, nSlots);
            pass.end();
            encoder.copyBufferToBuffer(valuesBuffer, 0, readBuffer, 0, valueBytes);
            encoder.copyBufferToBuffer(partialsBuffer, 0, readBuffer, valueBytes, partialBytes);
            device.queue.submit([encoder.finish()]);
            await readBuffer.mapAsync(MAP_MODE_READ);
            const mapped = readBuffer.getMappedRange();
            const blockValues = new Float32Array(mapped, 0, nSlots * block.count);
            const partials = new Float32Array(mapped, valueBytes, 2 * nSlots * nWg);
            for (let k = 0; k < nSlots; k++) {
              values.set(blockValues.subarray(k * block.count, (k + 1) * block.count), k * nPaths + block.start);
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
          } finally {
            for (const b of [intsBuffer, valuesBuffer, partialsBuffer, readBuffer]) b.destroy();
          }
        }
      } finally {
        realsBuffer.destroy();
      }
    }
    if (resident.blocks.reduce((a, b) => a + b.count, 0) !== nPaths) throw new XvaInternalError(`the device holds ${resident.blocks.length} path blocks that do not cover ${nPaths} paths`);
    // The device's sums are E[max(±V,0)/N]; with collateral (C ≠ 0 at the base coverage: a CSA or IM held) the
    // profile's are E[max(±(V − C),0)/N], the host's from these values: left as the host computed them.
    const collateralAtBase = uctx.coverage > 0 && dependsOnCoverage(item);
    return precomputedOf({ index: item.index, gridIndex, values, sums: collateralAtBase ? null : sums }, uctx, kernel);
  }
}
