/**
 * The host half of the GPU backend's set valuation, with no device in it (so worker threads run it): which sets the
 * device can value (hostReason), and for one that it can, the node tables of every date the host would value it on
 * (unit.ts datesToValue), built in f64 by the CPU kernels' code (compile.ts deviceTableSources) on the grids of the
 * paths' state ranges (the device's, kernels.ts stateRanges, or a scan of the host copy) and packed for the WGSL kernel
 * of wgsl/value.ts (packKernelTables). The device then values the set from these tables on its own paths
 * (valuation.ts).
 */
import type { NettingSetKernel } from '../../types.js';
import { datesToValue, dependsOnCoverage, type UnitContext, type UnitNettingSet } from '../../unit.js';
import { compileNettingSet } from '../../valuation/index.js';
import { deviceTableSources, type LegRecords } from '../../valuation/compile.js';
import type { SimulatedPaths } from '../../../simulation/types.js';
import { GRID_NODES } from '../../valuation/stateGrid.js';
import { RUNNING_SLOPES } from '../../valuation/ratePool.js';
import type { DeviceFiguresTables } from './figuresTables.js';
import { tableMemory } from './tableMemory.js';
import { seedKey } from '../../../simulation/rng/philox.js';
import { ENTRY_REALS, ENTRY_WORDS, LEG_REALS, LEG_WORDS, SLOT_WORDS, VALUE_HEADER } from './wgsl/value.js';

/**
 * Products the device values (compile.ts ratePoolNodeTables): the rate pools with swaptions (an exercised physically
 * settled one a masked pool), and as leg entries FX and equity options and equity forwards' share parts. A set of these
 * alone goes to the device, CDS pools as grid functions of the credit state.
 */
export const DEVICE_PRODUCTS: ReadonlySet<string> = new Set(['IRS', 'OIS', 'BASIS', 'XCCY', 'FXFWD', 'FXSWAP', 'SWAPTION', 'CAPFLOOR', 'FXOPT', 'EQOPT', 'EQFWD', 'CDS']);

const NO_FX = 0xffffffff;
/** The WGSL kernel's code of each leg kind (wgsl/value.ts). */
export const LEG_KIND_CODE = { black: 0, exercised: 1, linear: 2, lgm: 3 } as const;
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

/**
 * Where the factors sit in a device path block (kernels.ts ResidentPaths): IR (nC), FX (nFx), EQ (nEq), credit
 * (nCr), then the numeraire.
 */
export interface DeviceFactorIndex {
  readonly fxFactor0: number;
  readonly eqFactor0: number;
  readonly creditFactor0: number;
  readonly numeraireFactor: number;
  /** The device's largest storage binding (bytes): tables that need a larger one stay off the device. */
  readonly maxBindingBytes?: number;
}

/**
 * Why tables whose largest binding is `bytes` cannot go to the device (a binding over the device's limit is refused
 * with the whole submission), or undefined when they fit: `what` names them in the routing note.
 */
export function overBindingLimit(what: string, bytes: number, factors: DeviceFactorIndex): string | undefined {
  const max = factors.maxBindingBytes;
  if (max === undefined || bytes <= max) return undefined;
  const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
  return `${what} (${mib(bytes)}) exceed the device's largest storage binding (${mib(max)})`;
}

/** One set's inputs to the device valuation (structured-clonable: a worker thread builds it, the device thread submits it). */
export interface DeviceTables {
  /** The set's book index (UnitNettingSet.index). */
  index: number;
  /** Grid indices of the dates it is valued on (unit.ts datesToValue), ascending. */
  gridIndex: Int32Array;
  /**
   * The dates the tables below cover, when not all of gridIndex: on the figures route, the dates that are not
   * exposure dates (close-out lag dates), the exposure dates being valued as the sum of the trades' own tables.
   */
  tableDates?: Int32Array;
  /** The kernel's ints (header words 0 and 4, paths and workgroups of a block, set at dispatch) and reals. */
  ints: Uint32Array;
  reals: Float32Array;
  /** Node values the device expands the tables to (PackedSet.nodeCount). */
  nodeCount: number;
  /** State-grid nodes and running-coupon slopes of the tables (the kernel's constants). */
  gridNodes: number;
  runningSlopes: number;
  /**
   * The set holds collateral, or posts IM, at the base coverage (a CSA, IM held or IM posted): its EPE/ENE are the
   * host's, of V − C (and the IM posted).
   */
  collateralAtBase: boolean;
  /**
   * The figures route's inputs (figuresTables.ts), when the set's figures are computed on the device and only they
   * come back; absent: its values come back.
   */
  figures?: DeviceFiguresTables;
}

/** deviceTablesOf's answer: the tables, or why the set is valued on the host; the compiled kernel when there is one. */
export type DeviceTablesResult = { tables: DeviceTables; kernel: NettingSetKernel; reason?: undefined } | { tables?: undefined; kernel?: NettingSetKernel; reason: string };

/** A set compiled for the device, and the grid dates it is valued on (unit.ts datesToValue); or why it is not. */
export type PreparedSet = { kernel: NettingSetKernel; gridIndex: Int32Array; reason?: undefined } | { kernel?: NettingSetKernel; gridIndex?: undefined; reason: string };

/**
 * Compiles the set and lists its valuation dates, or says why it stays on the host: a product the device does not
 * value, a trade the pricers on paths do not support (the host reports it), or no live date.
 */
export function prepareDeviceSet(ctx: UnitContext, item: UnitNettingSet, legRecords?: LegRecords): PreparedSet {
  const other = hostReason(item);
  if (other !== undefined) return { reason: other };
  let kernel: NettingSetKernel;
  try {
    kernel = compileNettingSet(item.trades, { market: ctx.market, model: ctx.model, grid: ctx.grid, nettingSetId: item.nettingSet.nettingSetId, collateralCurrency: item.nettingSet.collateralCurrency, ...(legRecords ? { legRecords } : {}) });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'Error') throw error;
    return { reason: 'a trade the pricers on paths do not support' }; // the host reports it (unit.ts compileSet)
  }
  if (kernel.lastDateIndex < 0) return { kernel, reason: 'no live date' };
  const last = Math.min(kernel.lastDateIndex, ctx.grid.dates.length - 1);
  return { kernel, gridIndex: datesToValue(ctx, item, last) };
}

/**
 * Why no node tables exist at some date (compile.ts legEntries): a trade valued per path on the host only, an equity
 * option struck at or below 0 or a Bermudan swaption.
 */
export const NO_NODE_TABLES = 'a trade valued per path on the host (a resetting cross-currency swap, an equity option with a strike <= 0, a Bermudan swaption)';

/**
 * A prepared set's device tables on the grids of ctx.paths' state ranges (stateGridFor: seeded from the device, or a
 * scan of the host copy), on `tableDates` (default: every date it is valued on), or NO_NODE_TABLES.
 */
export function packDeviceTables(ctx: UnitContext, item: UnitNettingSet, kernel: NettingSetKernel, gridIndex: Int32Array, factors: DeviceFactorIndex, tableDates: Int32Array = gridIndex): DeviceTables | string {
  const packed = packKernelTables([kernel], undefined, tableDates, ctx.paths, ctx.grid.dates.length, factors);
  if (!packed) return NO_NODE_TABLES;
  const tooLarge = overBindingLimit('its node tables', Math.max(4 * packed.nodeCount, packed.ints.byteLength, packed.reals.byteLength), factors);
  if (tooLarge !== undefined) return tooLarge;
  return {
    index: item.index,
    gridIndex,
    ...(tableDates !== gridIndex ? { tableDates } : {}),
    ints: packed.ints,
    reals: packed.reals,
    nodeCount: packed.nodeCount,
    gridNodes: GRID_NODES,
    runningSlopes: RUNNING_SLOPES,
    collateralAtBase: ctx.coverage > 0 && dependsOnCoverage(item),
  };
}

/** The set's device tables on every date it is valued on, or the reason it stays on the host. */
export function deviceTablesOf(ctx: UnitContext, item: UnitNettingSet, factors: DeviceFactorIndex): DeviceTablesResult {
  const prepared = prepareDeviceSet(ctx, item);
  if (prepared.reason !== undefined) return prepared.kernel ? { kernel: prepared.kernel, reason: prepared.reason } : { reason: prepared.reason };
  const tables = packDeviceTables(ctx, item, prepared.kernel, prepared.gridIndex, factors);
  return typeof tables === 'string' ? { kernel: prepared.kernel, reason: tables } : { kernel: prepared.kernel, tables };
}

/** The set's node tables packed for the kernel: ints without the per-block header words 0 and 4, reals. */
export interface PackedSet {
  ints: Uint32Array;
  reals: Float32Array;
  nSlots: number;
  /** Node values the device expands the tables to (wgsl/value.ts NODES_WGSL): GRID_NODES per grid function. */
  nodeCount: number;
}

/** A Float32Array or Uint32Array that grows by doubling (packKernelTables), in tableMemory.ts's reused memory. */
class Grow<T extends Float32Array | Uint32Array> {
  length = 0;
  data: T;
  constructor(
    capacity: number,
    private readonly make: (n: number) => T,
  ) {
    this.data = make(capacity);
  }
  reserve(n: number): T {
    if (this.length + n > this.data.length) {
      const next = this.make(Math.max(2 * this.data.length, this.length + n));
      next.set(this.data.subarray(0, this.length));
      tableMemory.give([this.data.buffer]);
      this.data = next;
    }
    return this.data;
  }
  push(x: number): void {
    this.reserve(1)[this.length++] = x;
  }
}

/**
 * The kernels' node tables of each slot s (kernel kernels[slotKernel[s]], or kernels[0] for every slot when slotKernel is
 * undefined, at grid date slotDate[s]) packed for the WGSL kernels (wgsl/value.ts layout), written
 * straight from the kernels' node tables into the packed arrays: the same ints and reals, bit for bit, as a packing of
 * compile.ts ratePoolNodeTables (tested against one written from the layout's definition,
 * test/helpers/packSetReference.ts), without a RatePoolNodeTables object and its copies per slot. On the figures
 * route a set has a slot per trade and live exposure date (about a million for utb-20k), and building and packing
 * those objects was a third of the workers' table time. Undefined when a kernel has no tables at a date
 * (compile.ts deviceTableSources: an equity option with a strike ≤ 0).
 */
export function packKernelTables(
  kernels: readonly NettingSetKernel[],
  slotKernel: Int32Array | undefined,
  slotDate: Int32Array,
  paths: SimulatedPaths,
  nDates: number,
  resident: DeviceFactorIndex,
): PackedSet | undefined {
  const G = GRID_NODES;
  const S = RUNNING_SLOPES;
  const nSlots = slotDate.length;
  // every word of these below their length is written before it is read (so the memory may be reused unzeroed),
  // except the packed ints' header words 0 and 4 (set at dispatch): those come zeroed
  const u32 = (n: number): Uint32Array => tableMemory.u32Unzeroed(n);
  const slotWords = u32(SLOT_WORDS * nSlots);
  // first capacities of about what utb-20k's slots hold (1.5 pools, one fixing group a pool; they double as needed)
  const entries = new Grow(ENTRY_WORDS * (2 * nSlots + 4), u32);
  const fix = new Grow(2 * nSlots + 4, u32);
  const legs = new Grow(LEG_WORDS * 4, u32);
  const terms = new Grow(16, u32);
  const reals = new Grow(REALS_PER_SLOT * (nSlots + 1), (n) => tableMemory.f32Unzeroed(n));
  const scratch = (): void => tableMemory.give([slotWords.buffer, entries.data.buffer, fix.data.buffer, legs.data.buffer, terms.data.buffer]);
  let nEntries = 0;
  let nNodes = 0;
  let nLegs = 0;
  let nTerms = 0;
  for (let slot = 0; slot < nSlots; slot++) {
    const kernel = kernels[slotKernel === undefined ? 0 : slotKernel[slot]!]!;
    const d = slotDate[slot]!;
    const sources = deviceTableSources(kernel, d, paths);
    if (!sources) {
      scratch();
      tableMemory.give([reals.data.buffer]);
      return undefined;
    }
    const at = SLOT_WORDS * slot;
    slotWords[at] = d;
    slotWords[at + 1] = nEntries;
    slotWords[at + 2] = sources.pools.length;
    slotWords[at + 3] = nLegs;
    slotWords[at + 4] = sources.legs.length;
    for (const t of sources.pools) {
      const groups = t.groupFix.length;
      const intervals = t.mask ? t.mask.intervals : undefined;
      const nIntervals = intervals ? intervals.length : 0;
      const stateFactor = t.state === 'credit' ? resident.creditFactor0 + t.irIndex : t.irIndex;
      const r0 = reals.length;
      // a function's width in reals: its moments, or its node values (wgsl/value.ts expands both to the nodes buffer)
      const width = t.order > 0 ? t.order : G;
      const e = entries.reserve(ENTRY_WORDS);
      const ea = entries.length;
      e[ea] = stateFactor;
      e[ea + 1] = t.fxIndex < 0 ? NO_FX : resident.fxFactor0 + t.fxIndex;
      e[ea + 2] = r0;
      e[ea + 3] = fix.length;
      e[ea + 4] = groups;
      e[ea + 5] = t.mask ? t.mask.index : NO_MASK;
      e[ea + 6] = nIntervals / 2;
      e[ea + 7] = t.order;
      e[ea + 8] = nNodes;
      e[ea + 9] = t.mask ? t.mask.next : NO_MASK;
      e[ea + 10] = t.mask ? t.mask.stream : 0;
      entries.length += ENTRY_WORDS;
      nEntries++;
      nNodes += (1 + groups) * G;
      for (let q = 0; q < groups; q++) fix.push(t.groupFix[q]!);
      const runSize = groups * (S + width);
      const maskReals = t.mask ? 2 + nIntervals : 0;
      const r = reals.reserve(ENTRY_REALS + width + runSize + maskReals);
      r[r0] = t.x0;
      r[r0 + 1] = t.h;
      const nodes = t.nodes;
      for (let g = 0; g < width; g++) r[r0 + ENTRY_REALS + g] = nodes[g]!;
      // per fixing group its coefficients c1..c3, then its grid function
      const run = t.runNodes;
      const coef = t.groupCoef;
      let ri = r0 + ENTRY_REALS + width;
      for (let q = 0; q < groups; q++) {
        for (let m = 0; m < S; m++) r[ri++] = coef[q * S + m]!;
        const from = q * G;
        for (let g = 0; g < width; g++) r[ri++] = run[from + g]!;
      }
      // the exercise bridge's weight and deviation, then its intervals, after the running nodes; an infinite end as the
      // largest f32 (a state never reaches it)
      if (t.mask) {
        r[ri++] = t.mask.weight;
        r[ri++] = t.mask.sd;
      }
      const iv0 = ri;
      for (let i = 0; i < nIntervals; i++) r[iv0 + i] = Math.max(-F32_MAX, Math.min(F32_MAX, intervals![i]!));
      reals.length = iv0 + nIntervals;
    }
    for (const l of sources.legs) {
      const nA = l.termsA.length;
      const nB = l.termsB.length;
      const nE = l.termsE.length;
      const la = legs.reserve(LEG_WORDS);
      const at0 = legs.length;
      la[at0] = LEG_KIND_CODE[l.kind];
      la[at0 + 1] = nA;
      la[at0 + 2] = nB;
      la[at0 + 3] = nE;
      la[at0 + 4] = nTerms;
      la[at0 + 5] = reals.length;
      legs.length += LEG_WORDS;
      nLegs++;
      const data = l.data;
      const nData = data ? data.length : 0;
      const r = reals.reserve(LEG_REALS + nA + nB + nE + nData);
      let ri = reals.length;
      r[ri++] = l.scale;
      r[ri++] = l.omega;
      r[ri++] = l.sd;
      r[ri++] = l.constA;
      r[ri++] = l.constB;
      r[ri++] = l.constE;
      for (const list of [l.termsA, l.termsB, l.termsE]) {
        for (const x of list) {
          const tw = terms.reserve(2);
          tw[terms.length] = x.kind === 'ir' ? x.index : x.kind === 'fx' ? resident.fxFactor0 + x.index : resident.eqFactor0 + x.index;
          tw[terms.length + 1] = x.grid;
          terms.length += 2;
          r[ri++] = x.coefficient;
          nTerms++;
        }
      }
      // an `lgm` leg's bonds and intervals after its coefficients (wgsl/value.ts)
      for (let k = 0; k < nData; k++) r[ri++] = data![k]!;
      reals.length = ri;
    }
  }
  const entries0 = VALUE_HEADER + SLOT_WORDS * nSlots;
  const fix0 = entries0 + entries.length;
  const legs0 = fix0 + fix.length;
  const terms0 = legs0 + legs.length;
  const ints = tableMemory.u32(terms0 + terms.length);
  ints[1] = nDates;
  ints[2] = resident.numeraireFactor;
  ints[3] = nSlots;
  ints[5] = fix0;
  ints[6] = legs0;
  ints[7] = terms0;
  // the exercise draws' key (wgsl/value.ts; word 8, the block's first global path, is set at dispatch)
  const key = seedKey(paths.seed);
  ints[8] = paths.pathOffset;
  ints[9] = key[0]!;
  ints[10] = key[1]!;
  ints[11] = paths.antithetic === true ? 1 : 0;
  ints.set(slotWords, VALUE_HEADER);
  ints.set(entries.data.subarray(0, entries.length), entries0);
  ints.set(fix.data.subarray(0, fix.length), fix0);
  ints.set(legs.data.subarray(0, legs.length), legs0);
  ints.set(terms.data.subarray(0, terms.length), terms0);
  scratch();
  // views of reused buffers, not copies: the worker transfers the whole buffers (worker.ts), and the driving thread
  // hands them back once uploaded (tableMemory.ts)
  return { ints, reals: reals.data.subarray(0, reals.length), nSlots, nodeCount: nNodes };
}

/**
 * packKernelTables' first reals capacity per slot: 1.5 pools of the grid function and one fixing group (function and
 * coefficients), at about 20 moments a function (it doubles as needed).
 */
const REALS_PER_SLOT = Math.ceil(1.5 * (2 + 2 * 20 + RUNNING_SLOPES));
