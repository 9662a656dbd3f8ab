/**
 * The rate pools' per-path loops as WebAssembly (scripts/pool-kernels.mjs writes and assembles them): CurrencyPool's
 * valuation (addValues) two paths a step in f64x2 lanes, and its Euler node-weight scatter (accumulateTradeWeighted);
 * the same two for the CDS pools (cds.ts CdsPool, on a credit state, no running coupons: the same functions).
 * They do the TypeScript loops' operations in the same order on IEEE doubles, so they give the same bits
 * (test/pool-kernels.test.ts compares every output bit for bit); they are an accelerator only, and a pool without them
 * runs its TypeScript loops. Measured in bench/README.md ("WebAssembly pool kernels").
 *
 * A kernel reads the paths where they are: a run's path arrays live in one shared WebAssembly.Memory (pathMemory),
 * which the worker threads receive with the run (WorkerInit.kernelMemory) and instantiate the module on. Each thread
 * claims a slot of scratch in it (the output row of a valuation, the Euler weights, a pool's node tables and node
 * weights); slots are counted in the memory's header, so a thread beyond the slots, paths outside the memory (a path
 * simulator's own arrays, e.g. the GPU backend's in a run on one thread; a block of paths; a run too large for 4 GiB
 * of 32-bit addresses) or a pool with more than KERNEL_MAX_CLASSES fixing classes at a date simply use the TypeScript
 * loops.
 */
import type { PathBuffers } from '../../../simulation/crossAsset/simulate.js';
import { setRngKernelsEnabled } from '../../../simulation/rng/normal.js';
import { CELL_BLOCK, GRID_NODES } from '../stateGrid.js';
import { POOL_KERNELS_WASM_BASE64 } from './poolKernelsBinary.js';

/** Fixing classes active at one date that a kernel call takes (ratePool.ts prepare); more use the TypeScript loops. */
export const KERNEL_MAX_CLASSES = 384;
/** Doubles of one fixing class's running-coupon table (GRID_NODES, ratePool.ts). */
const GROUP_DOUBLES = GRID_NODES;
const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;
/** Header: [0] slots claimed (Atomics), [1] slots, [2] bytes a slot, [3] paths a row. */
const HEADER_BYTES = 64;

interface KernelExports {
  values1(p0: number, p1: number, xRow: number, groupRows: number, groups: number, nodes: number, run: number, fx: number, out: number, x0: number, invH: number, coef: number): void;
  values2(p0: number, p1: number, xRow: number, groupRows: number, groups: number, nodes: number, run: number, fx: number, out: number, x0: number, invH: number, coef: number): void;
  values2one(p0: number, p1: number, xRow: number, groupRows: number, groups: number, nodes: number, run: number, fx: number, out: number, x0: number, invH: number, coef: number): void;
  scatter1one(p0: number, p1: number, xRow: number, groupRows: number, groups: number, fx: number, wa: number, wb: number, nw: number, nw2: number, rw: number, rw2: number, x0: number, invH: number, coef: number): void;
  momentsToNodes(fns: number, m: number, nodes: number, mStride: number, nStride: number): void;
  nodesToCells(fns: number, nodes: number, cells: number, nStride: number, cStride: number): void;
  scatter1(p0: number, p1: number, xRow: number, groupRows: number, groups: number, fx: number, wa: number, wb: number, nw: number, nw2: number, rw: number, rw2: number, x0: number, invH: number, coef: number): void;
  marginCall2(n: number, vals: number, bal: number, ia: number, thC: number, thB: number, cov05: number, mtaC: number, mtaB: number, mult: number, exact: number): void;
  eulerBoth2(n: number, vals: number, coll: number, num: number, wa: number, wb: number, res: number, divisor: number, im: number, limit: number, ratio: number): void;
  eulerPlain2(n: number, vals: number, num: number, wa: number, wb: number, divisor: number): void;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Byte offsets of a slot's regions for n paths a row. */
function slotLayout(n: number): {
  out: number; wa: number; wb: number; in1: number; in2: number; res: number; nodes: number; run: number; groupRows: number; coef: number; cells: number; runCells: number; nw: number; nw2: number; rw: number; rw2: number; nwOut: number; nw2Out: number; rwOut: number; rw2Out: number; bytes: number;
} {
  const row = align16(8 * n);
  const run = 8 * KERNEL_MAX_CLASSES * GROUP_DOUBLES;
  const nodes = 8 * GRID_NODES;
  // the Euler scatter's cell moments (stateGrid.ts cellMomentsToNodes): CELL_BLOCK doubles a function
  const moments = 8 * CELL_BLOCK;
  const runMoments = 8 * KERNEL_MAX_CLASSES * CELL_BLOCK;
  let at = 0;
  const take = (bytes: number): number => {
    const start = at;
    at += align16(bytes);
    return start;
  };
  return {
    out: take(row), wa: take(row), wb: take(row), in1: take(row), in2: take(row), res: take(16), nodes: take(nodes), run: take(run), groupRows: take(4 * KERNEL_MAX_CLASSES), coef: take(24 * KERNEL_MAX_CLASSES),
    // the valuation's cell polynomials of the node tables (stateGrid.ts nodesToCells), CELL_BLOCK doubles a function
    cells: take(moments), runCells: take(runMoments),
    nw: take(moments), nw2: take(moments), rw: take(runMoments), rw2: take(runMoments),
    nwOut: take(nodes), nw2Out: take(nodes), rwOut: take(run), rw2Out: take(run), bytes: at,
  };
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * Whether runs put their paths on a path memory for the kernels: yes unless XVA_POOL_KERNELS=off (the TypeScript loops
 * alone, e.g. to rule the kernels out when diagnosing; the numbers are the same) or setPoolKernelsEnabled(false).
 */
let enabled = process.env.XVA_POOL_KERNELS !== 'off';

/** Turns the kernels on or off for the runs that start after the call on this thread (tests compare both). */
export function setPoolKernelsEnabled(on: boolean): void {
  enabled = on;
  setRngKernelsEnabled(on); // and the normal draws' kernel (simulation/rng/normal.ts), as XVA_POOL_KERNELS does
}

/** The kernels' module, compiled once per thread; null where this Node has no WebAssembly SIMD or threads. */
function kernelModule(): WebAssembly.Module | null {
  if (!enabled) return null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(POOL_KERNELS_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A run's path arrays (as simulate.ts allocates them: `arrays` of `length` doubles) on one shared WebAssembly.Memory,
 * with `threads` scratch slots of n paths each before them; undefined when they do not fit 4 GiB or this Node cannot
 * compile the kernels (the caller then allocates SharedArrayBuffers as before).
 */
export function pathMemory(arrays: number, length: number, n: number, threads: number): { memory: WebAssembly.Memory; make: () => Float64Array } | undefined {
  if (kernelModule() === null) return undefined;
  const slot = slotLayout(n).bytes;
  // 16 bytes at the end: the f64x2 kernels read a row's lane past an odd n (eulerBoth2's numeraire row)
  const bytes = HEADER_BYTES + threads * slot + arrays * align16(8 * length) + 16;
  const pages = Math.ceil(bytes / PAGE_BYTES);
  if (pages > MAX_PAGES) return undefined;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined;
  }
  memoryOfBuffer.set(memory.buffer, memory);
  const header = new Int32Array(memory.buffer, 0, 4);
  header[1] = threads;
  header[2] = slot;
  header[3] = n;
  let at = HEADER_BYTES + threads * slot;
  const make = (): Float64Array => {
    const array = new Float64Array(memory.buffer, at, length);
    at += align16(8 * length);
    return array;
  };
  return { memory, make };
}

/** The path memories this thread made, by their buffer (kernelMemoryOf). */
const memoryOfBuffer = new WeakMap<object, WebAssembly.Memory>();

/** The path memory an array lives in, when this thread made it with pathMemory (e.g. paths a path simulator kept). */
export function kernelMemoryOf(array: Float64Array): WebAssembly.Memory | undefined {
  return memoryOfBuffer.get(array.buffer);
}

/**
 * Path arrays for a run valued on this thread alone (one scratch slot), to pass to simulatePaths as `into`; undefined
 * where no path memory can be made (the arrays are then allocated as before). useKernelMemory(kernelMemoryOf(...))
 * then gives the thread its kernels on them.
 */
export function pathBuffersForKernels(layout: { currencies: readonly unknown[]; fxCurrencies: readonly unknown[]; equities: readonly unknown[]; creditNames: readonly unknown[] }, length: number, n: number): PathBuffers | undefined {
  const onMemory = pathMemory(pathArrayCount(layout), length, n, 1);
  return onMemory ? pathBuffersOn(onMemory.make, layout) : undefined;
}

/** PathBuffers of a run on a path memory (the arrays of simulate.ts `allocate`, in its order). */
export function pathBuffersOn(make: () => Float64Array, layout: { currencies: readonly unknown[]; fxCurrencies: readonly unknown[]; equities: readonly unknown[]; creditNames: readonly unknown[] }): PathBuffers {
  return {
    irState: layout.currencies.map(make),
    fxLog: layout.fxCurrencies.map(make),
    fxLevel: layout.fxCurrencies.map(make),
    eqLog: layout.equities.map(make),
    creditState: layout.creditNames.map(make),
    numeraire: make(),
  };
}

/** Number of path arrays pathBuffersOn makes for a layout. */
export function pathArrayCount(layout: { currencies: readonly unknown[]; fxCurrencies: readonly unknown[]; equities: readonly unknown[]; creditNames: readonly unknown[] }): number {
  return layout.currencies.length + 2 * layout.fxCurrencies.length + layout.equities.length + layout.creditNames.length + 1;
}

/** One thread's kernels on a path memory, with its scratch slot's regions as byte addresses and views. */
export class PoolKernels {
  readonly buffer: ArrayBufferLike;
  /** Paths a row the slot holds. */
  readonly nPaths: number;
  readonly outAt: number;
  readonly waAt: number;
  readonly wbAt: number;
  readonly nodesAt: number;
  readonly runAt: number;
  readonly groupRowsAt: number;
  readonly coefAt: number;
  readonly cellsAt: number;
  readonly runCellsAt: number;
  readonly nwAt: number;
  readonly nw2At: number;
  readonly rwAt: number;
  readonly rw2At: number;
  readonly nwOutAt: number;
  readonly nw2OutAt: number;
  readonly rwOutAt: number;
  readonly rw2OutAt: number;
  readonly in1At: number;
  readonly in2At: number;
  readonly resAt: number;
  readonly out: Float64Array;
  readonly wa: Float64Array;
  readonly wb: Float64Array;
  readonly nodes: Float64Array;
  readonly run: Float64Array;
  readonly groupRows: Int32Array;
  /** Per fixing class its Taylor coefficients c1, c2, c3 (ratePool.ts prepare's groupCoef). */
  readonly coef: Float64Array;
  /** The Euler scatter's cell moments (EPE side nw, rw; ENE side nw2, rw2): the main function's, then per slot. */
  readonly nw: Float64Array;
  readonly nw2: Float64Array;
  readonly rw: Float64Array;
  readonly rw2: Float64Array;
  /** The node weights momentsToNodes makes of nw, nw2 (GRID_NODES each) and of rw, rw2 (GRID_NODES a slot). */
  readonly nwOut: Float64Array;
  readonly nw2Out: Float64Array;
  readonly rwOut: Float64Array;
  readonly rw2Out: Float64Array;
  /** Input rows of the margin-call and Euler-weight kernels (a row of values, of balances or of collateral). */
  readonly in1: Float64Array;
  readonly in2: Float64Array;
  /** The Euler-weight kernel's residuals (EPE, ENE). */
  readonly res: Float64Array;
  private readonly k: KernelExports;

  constructor(memory: WebAssembly.Memory, module: WebAssembly.Module, slot: number, slotBytes: number, n: number) {
    this.buffer = memory.buffer;
    this.nPaths = n;
    this.k = new WebAssembly.Instance(module, { xva: { memory } }).exports as unknown as KernelExports;
    const base = HEADER_BYTES + slot * slotBytes;
    const l = slotLayout(n);
    const f64 = (at: number, length: number): Float64Array => new Float64Array(memory.buffer, base + at, length);
    this.outAt = base + l.out;
    this.waAt = base + l.wa;
    this.wbAt = base + l.wb;
    this.nodesAt = base + l.nodes;
    this.runAt = base + l.run;
    this.groupRowsAt = base + l.groupRows;
    this.coefAt = base + l.coef;
    this.cellsAt = base + l.cells;
    this.runCellsAt = base + l.runCells;
    this.nwAt = base + l.nw;
    this.nw2At = base + l.nw2;
    this.rwAt = base + l.rw;
    this.rw2At = base + l.rw2;
    this.nwOutAt = base + l.nwOut;
    this.nw2OutAt = base + l.nw2Out;
    this.rwOutAt = base + l.rwOut;
    this.rw2OutAt = base + l.rw2Out;
    this.in1At = base + l.in1;
    this.in2At = base + l.in2;
    this.resAt = base + l.res;
    this.out = f64(l.out, n);
    this.wa = f64(l.wa, n);
    this.wb = f64(l.wb, n);
    this.nodes = f64(l.nodes, GRID_NODES);
    this.run = f64(l.run, KERNEL_MAX_CLASSES * GROUP_DOUBLES);
    this.groupRows = new Int32Array(memory.buffer, base + l.groupRows, KERNEL_MAX_CLASSES);
    this.coef = f64(l.coef, 3 * KERNEL_MAX_CLASSES);
    this.nw = f64(l.nw, CELL_BLOCK);
    this.nw2 = f64(l.nw2, CELL_BLOCK);
    this.rw = f64(l.rw, KERNEL_MAX_CLASSES * CELL_BLOCK);
    this.rw2 = f64(l.rw2, KERNEL_MAX_CLASSES * CELL_BLOCK);
    this.nwOut = f64(l.nwOut, GRID_NODES);
    this.nw2Out = f64(l.nw2Out, GRID_NODES);
    this.rwOut = f64(l.rwOut, KERNEL_MAX_CLASSES * GROUP_DOUBLES);
    this.rw2Out = f64(l.rw2Out, KERNEL_MAX_CLASSES * GROUP_DOUBLES);
    this.in1 = f64(l.in1, n);
    this.in2 = f64(l.in2, n);
    this.res = f64(l.res, 2);
  }

  /**
   * One margin call on paths 0 .. n−1 (collateral.ts CollateralTracker.advanceTo at a call date): from the values in
   * in1 and the balances in in2, the new balances into in2. Amounts in base currency; cov05 = coverage·0.5; exact: no
   * MTAs and no rounding.
   */
  marginCall(
    n: number,
    netIndependentAmount: number,
    thresholdCpty: number,
    thresholdBank: number,
    cov05: number,
    mtaCpty: number,
    mtaBank: number,
    multiple: number,
    exact: boolean,
  ): void {
    kernelCalls++;
    this.k.marginCall2(n, this.in1At, this.in2At, netIndependentAmount, thresholdCpty, thresholdBank, cov05, mtaCpty, mtaBank, multiple, exact ? 1 : 0);
  }

  /**
   * euler.ts eulerWeightsBoth on paths 0 .. n−1 into wa (EPE) and wb (ENE): the values in in1, the collateral in in2
   * (`collateral`; else none), the numeraire row at byte numAt (in this memory); with neither collateral nor IM the
   * plain ±1/(N·divisor) weights. Returns the residuals in res[0], res[1] (0 without collateral and IM).
   */
  eulerWeights(n: number, collateral: boolean, numAt: number, divisor: number, im: number, limit: number, ratio: number): void {
    kernelCalls++;
    if (!collateral && im === 0) {
      this.k.eulerPlain2(n, this.in1At, numAt, this.waAt, this.wbAt, divisor);
      this.res[0] = 0;
      this.res[1] = 0;
    } else this.k.eulerBoth2(n, this.in1At, collateral ? this.in2At : 0, numAt, this.waAt, this.wbAt, this.resAt, divisor, im, limit, ratio);
  }

  /**
   * out[p] += V(x_p) on paths 0 .. n−1 (ratePool.ts addValues' loop): the state row at byte xRowAt, the fixing
   * groups' rows at xRowAt + groupRows[q], the slot's nodes and run tables, FX levels at fxAt (0: none), out at outAt.
   */
  values(n: number, xRowAt: number, groups: number, fxAt: number, outAt: number, x0: number, invH: number): void {
    kernelCalls++;
    // the node tables' cell polynomials (stateGrid.ts nodesToCells: the same operations), which the loops read
    this.k.nodesToCells(1, this.nodesAt, this.cellsAt, 0, 0);
    if (groups > 0) this.k.nodesToCells(groups, this.runAt, this.runCellsAt, 8 * GROUP_DOUBLES, 8 * CELL_BLOCK);
    const even = n & ~1;
    if (even > 0) {
      const values2 = groups === 1 && this.coef[0] !== 1 ? this.k.values2one : this.k.values2;
      values2(0, even, xRowAt, this.groupRowsAt, groups, this.cellsAt, this.runCellsAt, fxAt, outAt, x0, invH, this.coefAt);
    }
    if (even < n) this.k.values1(even, n, xRowAt, this.groupRowsAt, groups, this.cellsAt, this.runCellsAt, fxAt, outAt, x0, invH, this.coefAt);
  }

  /**
   * The CDS pools' valuation (cds.ts CdsPool.addValues: stateGrid.ts `stencil`, the rate pools' operations, no running
   * coupons): out[p] += V(y_p) from the slot's nodes.
   */
  cdsValues(n: number, yRowAt: number, fxAt: number, outAt: number, x0: number, invH: number): void {
    kernelCalls++;
    this.k.nodesToCells(1, this.nodesAt, this.cellsAt, 0, 0);
    const even = n & ~1;
    if (even > 0) this.k.values2(0, even, yRowAt, this.groupRowsAt, 0, this.cellsAt, this.runCellsAt, fxAt, outAt, x0, invH, this.coefAt);
    if (even < n) this.k.values1(even, n, yRowAt, this.groupRowsAt, 0, this.cellsAt, this.runCellsAt, fxAt, outAt, x0, invH, this.coefAt);
  }

  /**
   * stateGrid.ts cellMomentsToNodes on the scatter's moments: nwOut (and nw2Out with `two`) zeroed and made from nw
   * (nw2), and the `groups` slots' rwOut (rw2Out) from rw (rw2); the same operations, so the same bits.
   */
  nodeWeights(groups: number, two: boolean): void {
    kernelCalls++;
    const m = 8 * CELL_BLOCK;
    const g = 8 * GRID_NODES;
    this.nwOut.fill(0);
    this.rwOut.fill(0, 0, groups * GRID_NODES);
    this.k.momentsToNodes(1, this.nwAt, this.nwOutAt, m, g);
    if (groups > 0) this.k.momentsToNodes(groups, this.rwAt, this.rwOutAt, m, g);
    if (!two) return;
    this.nw2Out.fill(0);
    this.rw2Out.fill(0, 0, groups * GRID_NODES);
    this.k.momentsToNodes(1, this.nw2At, this.nw2OutAt, m, g);
    if (groups > 0) this.k.momentsToNodes(groups, this.rw2At, this.rw2OutAt, m, g);
  }

  /** The CDS pools' Euler scatter (CdsPool.accumulateTradeWeighted) into the cell moments nw (and nw2 with `two`). */
  cdsScatter(n: number, yRowAt: number, fxAt: number, two: boolean, x0: number, invH: number): void {
    kernelCalls++;
    this.k.scatter1(0, n, yRowAt, this.groupRowsAt, 0, fxAt, this.waAt, two ? this.wbAt : 0, this.nwAt, this.nw2At, this.rwAt, this.rw2At, x0, invH, this.coefAt);
  }

  /**
   * The Euler scatter of accumulateTradeWeighted on paths 0 .. n−1 into the cell moments (stateGrid.ts
   * cellMomentsToNodes) nw, rw (and nw2, rw2 with `two`): CELL_BLOCK doubles per function, a slot's at q·CELL_BLOCK.
   */
  scatter(n: number, xRowAt: number, groups: number, fxAt: number, two: boolean, x0: number, invH: number): void {
    kernelCalls++;
    const scatter1 = groups === 1 && this.coef[0] !== 1 ? this.k.scatter1one : this.k.scatter1;
    scatter1(0, n, xRowAt, this.groupRowsAt, groups, fxAt, this.waAt, two ? this.wbAt : 0, this.nwAt, this.nw2At, this.rwAt, this.rw2At, x0, invH, this.coefAt);
  }
}

let registered: PoolKernels | undefined;
let kernelCalls = 0;

/** Kernel calls (valuations and scatters) made on this thread so far: tests check that a run used the kernels. */
export function poolKernelCalls(): number {
  return kernelCalls;
}

/**
 * Makes this thread's kernels on a run's path memory (claims a scratch slot): the worker threads on their run's
 * WorkerInit, the main thread when it values on its own. Replaces the thread's kernels of an earlier run; leaves none
 * when the slots are taken.
 */
export function useKernelMemory(memory: WebAssembly.Memory | undefined): void {
  registered = undefined;
  const module = kernelModule();
  if (!memory || module === null) return;
  // a thread claims one slot per memory (a path cache's paths serve many runs of this thread)
  let kernels = claimed.get(memory);
  if (kernels === undefined) {
    const header = new Int32Array(memory.buffer, 0, 4);
    const slot = Atomics.add(header, 0, 1);
    kernels = slot < header[1]! ? new PoolKernels(memory, module, slot, header[2]!, header[3]!) : null;
    claimed.set(memory, kernels);
  }
  registered = kernels ?? undefined;
}

/** This thread's claims, by memory (null: the slots were taken). */
const claimed = new WeakMap<WebAssembly.Memory, PoolKernels | null>();

/**
 * This thread's kernels when rows of n paths fit their slot, for the kernels that read only their slot (the margin
 * calls): whatever memory the paths are on.
 */
export function threadKernels(n: number): PoolKernels | undefined {
  const k = registered;
  return k !== undefined && n <= k.nPaths ? k : undefined;
}

/** This thread's kernels when the state array lives in their memory and rows of n paths fit their slot. */
export function kernelsFor(xs: Float64Array, n: number): PoolKernels | undefined {
  const k = registered;
  return k !== undefined && xs.buffer === k.buffer && n <= k.nPaths ? k : undefined;
}
