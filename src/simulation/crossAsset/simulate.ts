/**
 * Path simulation of the cross-asset model (docs/model.md): exact Gaussian steps between grid dates (stepPlan.ts),
 * normals from Philox keyed by (seed, global path, driver stream, step) or, with `sobol`, from the path's Sobol point
 * through a Brownian bridge per driver, correlated per step by the block factors, written date-major into the
 * SimulatedPaths arrays. A path's values depend only on the seed, its global index and the streams of its own
 * factors' blocks (and, for Sobol, their slots): never on the block size, the offset of the block or the thread.
 */
import { XvaInternalError } from '../../errors.js';
import { BrownianBridge } from '../rng/brownianBridge.js';
import { fillNormalBlock, normalsOfWords, stepScratch } from '../rng/normal.js';
import { SOBOL_BITS, SOBOL_DIMENSIONS, sobolCoordinate, sobolDirections, sobolShift } from '../rng/sobol.js';
import type { SimulatedPaths, TimeGrid } from '../types.js';
import type { CrossAssetModel } from './model.js';
import { buildStepPlan, type StepPlan } from './stepPlan.js';

/** Arrays to write the paths into (each of nDates × nPaths values, date-major). */
export interface PathBuffers {
  irState: Float64Array[];
  fxLog: Float64Array[];
  /** e^{fxLog}, written alongside fxLog when present (SimulatedPaths.fxLevel). */
  fxLevel?: Float64Array[];
  eqLog: Float64Array[];
  creditState: Float64Array[];
  numeraire: Float64Array;
}

export interface SimulateOptions {
  /** Antithetic pairs (2k, 2k+1) by global path index: path 2k+1 draws the negated normals of path 2k. */
  antithetic?: boolean;
  /** Preallocated output arrays (e.g. on SharedArrayBuffers); allocated when absent. */
  into?: PathBuffers;
  /**
   * With `into`: values per date row of the `into` arrays (default nPaths) and the first column of this block in a
   * row (default 0), so that a block of paths is written straight into a whole run's arrays (date d, local path i at
   * [d·rowStride + column + i]). The returned SimulatedPaths then describe the whole arrays: use them only when
   * rowStride = nPaths.
   */
  rowStride?: number;
  column?: number;
  /**
   * Quasi-random draws (`--rng sobol`, docs/model.md "Random numbers"): each path's normals from its Sobol point
   * (sobol.ts: point = global path index, digitally shifted by the seed) through a Brownian bridge over the grid's
   * times per driver, instead of Philox draws per step. `streams` are the driver streams (stepPlan.ts auxStreamsOf) in
   * the order of their Sobol coordinates: bridge step k of the driver in slot s takes coordinate k·S + s (S =
   * streams.length), so every driver's coarse shape comes first; coordinates past the table's (SOBOL_DIMENSIONS) are
   * Philox draws of the driver's stream at step k. A shard's drivers keep the slots of the whole book's layout, so its
   * paths are the single run's. Not with `antithetic`. A driver whose stream is not among `streams` is an error, or
   * with `padding: 'philox'` draws the Philox normals of its stream at every step (a simulation that adds drivers to
   * a Sobol run's keeps the run's points for the run's drivers: the wrong-way credit factors, xva/wrongWay/paths.ts).
   */
  sobol?: { streams: Uint32Array; scratch?: SobolScratch; padding?: 'philox' };
}

/** Paths a quasi-random block draws at once (its normals: drivers × steps × paths doubles, 23 MB for utb-20k). */
const SOBOL_BLOCK_PATHS = 128;
const bridgeCache = new WeakMap<TimeGrid, BrownianBridge>();
const shiftCache = new Map<string, Uint32Array>();

/** The Brownian bridge over a grid's times t_1 .. t_{n−1} (cached per grid object). */
function bridgeOf(grid: TimeGrid): BrownianBridge {
  let bridge = bridgeCache.get(grid);
  if (!bridge) bridgeCache.set(grid, (bridge = new BrownianBridge(grid.times.subarray(1))));
  return bridge;
}

function shiftOf(seed: number, dims: number): Uint32Array {
  const key = `${seed}:${dims}`;
  let shift = shiftCache.get(key);
  if (!shift) {
    if (shiftCache.size > 16) shiftCache.clear();
    shiftCache.set(key, (shift = sobolShift(seed, dims)));
  }
  return shift;
}

/** Buffers of sobolStepNormals, reused by the blocks of one simulatePaths call. */
interface SobolScratch {
  words: Uint32Array;
  /** Per path of the block, the Gray code's direction number to the next point. */
  step: Uint8Array;
  pad: Float64Array;
  w: Float64Array;
  /** Row k·S + s: first the normals of bridge step k of slot s, then (after the bridge) its step normal ξ_k. */
  normals: Float64Array;
}

function sobolScratch(slots: number, nDates: number, n: number): SobolScratch {
  const nSteps = Math.max(1, nDates - 1);
  return { words: new Uint32Array(n), step: new Uint8Array(n), pad: new Float64Array(4 * n), w: new Float64Array(nSteps * n), normals: new Float64Array(nSteps * slots * n) };
}

/**
 * The step normals of paths pathOffset .. pathOffset + n − 1 under `--rng sobol` (see SimulateOptions.sobol), in
 * scratch.normals: ξ of driver a at step d (1 .. nDates − 1), path p, at ((d − 1)·S + slotOf[a])·n + p.
 */
function sobolStepNormals(plan: StepPlan, grid: TimeGrid, seed: number, pathOffset: number, n: number, streams: Uint32Array, slotOf: Int32Array, scratch: SobolScratch): Float64Array {
  const { nAux, auxStreams, nDates } = plan;
  const nSteps = nDates - 1;
  const slots = streams.length;
  const dims = Math.min(SOBOL_DIMENSIONS, slots * nSteps);
  const shift = shiftOf(seed, dims);
  const { words, pad, w, normals } = scratch;
  const used = new Uint8Array(slots);
  for (let a = 0; a < nAux; a++) if (slotOf[a]! >= 0) used[slotOf[a]!] = 1;
  // coordinate c of the block's points, path after path by the Gray code (one XOR each), into row c
  const v = sobolDirections();
  // the Gray code's step from point i to i + 1 flips direction number c = the trailing ones of i, the same for every
  // coordinate: per path of the block once
  const step = scratch.step;
  for (let p = 0; p < n; p++) {
    let trailing = 0;
    for (let i = pathOffset + p; i & 1; i >>>= 1) trailing++;
    step[p] = trailing;
  }
  for (let c = 0; c < dims; c++) {
    if (!used[c % slots]) continue;
    let x = sobolCoordinate(pathOffset, c);
    const vc = c * SOBOL_BITS;
    const sc = shift[c]!;
    for (let p = 0; p < n; p++) {
      words[p] = x ^ sc;
      x ^= v[vc + step[p]!]!;
    }
    normalsOfWords(words, normals.subarray(c * n, (c + 1) * n), n);
  }
  const bridge = bridgeOf(grid);
  for (let a = 0; a < nAux; a++) {
    const slot = slotOf[a]!;
    if (slot < 0) continue; // a padding driver: Philox draws in simulatePaths
    // bridge steps k with k·S + slot ≥ dims (past the table's coordinates): Philox draws of the driver's stream at step k
    const quasiSteps = dims > slot ? Math.ceil((dims - slot) / slots) : 0;
    for (let block = quasiSteps >>> 2; 4 * block < nSteps; block++) {
      fillNormalBlock(seed, pathOffset, n, auxStreams[a]!, block, pad);
      for (let j = 0; j < 4; j++) {
        const k = 4 * block + j;
        if (k >= quasiSteps && k < nSteps) normals.set(pad.subarray(j * n, (j + 1) * n), (k * slots + slot) * n);
      }
    }
    bridge.transformPaths(normals, slot * n, slots * n, n, w);
  }
  return normals;
}

const planCache = new WeakMap<CrossAssetModel, WeakMap<TimeGrid, StepPlan>>();

/** The step plan of a model on a grid, computed once and cached (per model and grid object). */
export function stepPlanOf(model: CrossAssetModel, grid: TimeGrid): StepPlan {
  let byGrid = planCache.get(model);
  if (!byGrid) planCache.set(model, (byGrid = new WeakMap()));
  let plan = byGrid.get(grid);
  if (!plan) byGrid.set(grid, (plan = buildStepPlan(model, grid)));
  return plan;
}

function allocate(model: CrossAssetModel, size: number, make: (n: number) => Float64Array): PathBuffers {
  const { layout } = model;
  return {
    irState: layout.currencies.map(() => make(size)),
    fxLog: layout.fxCurrencies.map(() => make(size)),
    fxLevel: layout.fxCurrencies.map(() => make(size)),
    eqLog: layout.equities.map(() => make(size)),
    creditState: layout.creditNames.map(() => make(size)),
    numeraire: make(size),
  };
}

function checkBuffers(model: CrossAssetModel, buffers: PathBuffers, size: number): void {
  const { layout } = model;
  const counts: [string, Float64Array[], number][] = [
    ['irState', buffers.irState, layout.currencies.length],
    ['fxLog', buffers.fxLog, layout.fxCurrencies.length],
    ['eqLog', buffers.eqLog, layout.equities.length],
    ['creditState', buffers.creditState, layout.creditNames.length],
    ['numeraire', [buffers.numeraire], 1],
  ];
  if (buffers.fxLevel) counts.push(['fxLevel', buffers.fxLevel, layout.fxCurrencies.length]);
  for (const [name, arrays, count] of counts) {
    if (arrays.length !== count) throw new XvaInternalError(`${name}: ${arrays.length} arrays for ${count} factors`);
    for (const a of arrays) if (a.length < size) throw new XvaInternalError(`${name}: an array of ${a.length} values for ${size}`);
  }
}

/**
 * Simulates paths pathOffset .. pathOffset + nPaths − 1 of the model on `grid` (grid.times[0] = 0) with `seed`.
 * Returns the SimulatedPaths (date-major arrays, numeraire N(0) = 1).
 */
export function simulatePaths(
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  pathOffset: number,
  nPaths: number,
  options: SimulateOptions = {},
): SimulatedPaths {
  if (!Number.isInteger(nPaths) || nPaths < 1) throw new XvaInternalError(`nPaths must be a positive integer, got ${nPaths}`);
  if (!Number.isInteger(pathOffset) || pathOffset < 0) throw new XvaInternalError(`pathOffset must be a non-negative integer, got ${pathOffset}`);
  const plan = stepPlanOf(model, grid);
  const { layout } = model;
  const nDates = plan.nDates;
  const stride = options.into ? (options.rowStride ?? nPaths) : nPaths;
  const column = options.into ? (options.column ?? 0) : 0;
  if (!Number.isInteger(stride) || !Number.isInteger(column) || column < 0 || column + nPaths > stride) {
    throw new XvaInternalError(`a block of ${nPaths} paths at column ${column} does not fit rows of ${stride} values`);
  }
  const size = nDates * stride;
  const out = options.into ?? allocate(model, size, (n) => new Float64Array(n));
  checkBuffers(model, out, size);
  const antithetic = options.antithetic ?? false;
  const sobol = options.sobol;
  if (sobol && antithetic) throw new XvaInternalError('quasi-random (Sobol) draws have no antithetic pairs');
  if (sobol && nPaths > SOBOL_BLOCK_PATHS) {
    // blocks of paths, each with its normals drawn at once (a path's draws depend on its index alone), on one scratch
    const scratch = sobolScratch(sobol.streams.length, nDates, SOBOL_BLOCK_PATHS);
    for (let first = 0; first < nPaths; first += SOBOL_BLOCK_PATHS) {
      const count = Math.min(SOBOL_BLOCK_PATHS, nPaths - first);
      simulatePaths(model, grid, seed, pathOffset + first, count, { sobol: { ...sobol, scratch }, into: out, rowStride: stride, column: column + first });
    }
    return pathsOf(grid, layout, nPaths, pathOffset, seed, out, false);
  }
  const slotOf = new Int32Array(plan.nAux);
  if (sobol) {
    for (let a = 0; a < plan.nAux; a++) {
      slotOf[a] = sobol.streams.indexOf(plan.auxStreams[a]!);
      if (slotOf[a]! < 0 && sobol.padding !== 'philox') throw new XvaInternalError(`driver stream ${plan.auxStreams[a]} has no Sobol coordinates among the ${sobol.streams.length} given`);
    }
  }
  const quasi = sobol ? sobolStepNormals(plan, grid, seed, pathOffset, nPaths, sobol.streams, slotOf, sobol.scratch ?? sobolScratch(sobol.streams.length, nDates, nPaths)) : undefined;
  const slots = sobol ? sobol.streams.length : 0;

  const nC = layout.currencies.length;
  const nFx = layout.fxCurrencies.length;
  const nEq = layout.equities.length;
  const nCr = layout.creditNames.length;
  const fxAux0 = 2 * nC;
  const eqAux0 = fxAux0 + nFx;
  const crAux0 = eqAux0 + nEq;
  const { blocks, blockOffset, stepStride, factors, triangular, auxStreams } = plan;
  const nBlocks = blocks.length;

  // Scratch, allocated once per call: four steps of normals per driver stream (fillNormalBlock: one Philox block
  // feeds steps 4k .. 4k+3), every driver's increment, the martingale logs u and w.
  // (on the draws' kernel memory where there is a kernel, which then forms the correlated increments: stepScratch)
  const nAux = plan.nAux;
  let maxBlock = 1;
  for (const block of blocks) maxBlock = Math.max(maxBlock, block.length);
  const { normals, inc, combine } = stepScratch(nAux, nPaths, maxBlock);
  const u: Float64Array[] = Array.from({ length: nFx }, () => new Float64Array(nPaths));
  const w: Float64Array[] = Array.from({ length: nEq }, () => new Float64Array(nPaths));
  const lnN = new Float64Array(nPaths);
  // Date 0: x = 0, y = 0, N = 1, today's FX and equity spots.
  const lnFx0 = Float64Array.from(model.fxSpot, Math.log);
  const end0 = column + nPaths;
  for (let c = 0; c < nC; c++) out.irState[c]!.fill(0, column, end0);
  for (let n = 0; n < nCr; n++) out.creditState[n]!.fill(0, column, end0);
  out.numeraire.fill(1, column, end0);
  for (let i = 0; i < nFx; i++) {
    out.fxLog[i]!.fill(lnFx0[i]!, column, end0);
    out.fxLevel?.[i]!.fill(Math.exp(lnFx0[i]!), column, end0);
    u[i]!.fill(lnFx0[i]!);
  }
  for (let e = 0; e < nEq; e++) {
    const lnS0 = Math.log(model.equities[e]!.spot);
    const fx = model.equityFxIndex[e]!;
    out.eqLog[e]!.fill(lnS0, column, end0);
    w[e]!.fill(lnS0 + (fx >= 0 ? lnFx0[fx]! : 0));
  }

  for (let d = 1; d < nDates; d++) {
    const t = grid.times[d]!;
    const here = d * stride + column;
    const prev = here - stride;

    // Normals of steps 4k .. 4k+3 for every driver stream, drawn when the step enters a new Philox block.
    if (d === 1 || (d & 3) === 0) {
      if (quasi) {
        for (let a = 0; a < nAux; a++) {
          if (slotOf[a]! < 0) {
            fillNormalBlock(seed, pathOffset, nPaths, auxStreams[a]!, d >>> 2, normals[a]!, false);
            continue;
          }
          for (let j = 0; j < 4; j++) {
            const step = 4 * (d >>> 2) + j;
            const row = (step - 1) * slots + slotOf[a]!;
            if (step >= 1 && step < nDates) normals[a]!.set(quasi.subarray(row * nPaths, (row + 1) * nPaths), j * nPaths);
          }
        }
      } else for (let a = 0; a < nAux; a++) fillNormalBlock(seed, pathOffset, nPaths, auxStreams[a]!, d >>> 2, normals[a]!, antithetic);
    }
    const zOff = (d & 3) * nPaths;

    // Correlated driver increments, block by block: inc = M_block · z (the step's precomputed factor matrix).
    for (let b = 0; b < nBlocks; b++) {
      const block = blocks[b]!;
      const m = block.length;
      const base = d * stepStride + blockOffset[b]!;
      const lower = triangular[d * nBlocks + b] === 1;
      for (let i = 0; i < m; i++) {
        if (combine) combine(block[i]!, block, factors, base + i * m, lower ? i + 1 : m, zOff);
        else correlatedRow(inc[block[i]!]!, normals, block, factors, base + i * m, lower ? i + 1 : m, zOff, nPaths);
      }
    }

    // LGM states and the base numeraire.
    for (let c = 0; c < nC; c++) {
      const x = out.irState[c]!;
      const a = inc[2 * c]!;
      const drift = plan.driftX[d * nC + c]!;
      for (let p = 0; p < nPaths; p++) x[here + p] = x[prev + p]! + drift + a[p]!;
    }
    const x0 = out.irState[0]!;
    const h0 = plan.hAt[d * nC]!;
    const g0 = plan.gAt[d * nC]!;
    const numeraire = out.numeraire;
    for (let p = 0; p < nPaths; p++) {
      const l = h0 * x0[here + p]! + g0;
      lnN[p] = l;
      numeraire[here + p] = Math.exp(l);
    }

    // FX: u_i = ln(X_i N_i / N) is a Gaussian martingale; ln X_i = u_i − ln N_i + ln N.
    const bBase = inc[1]!;
    for (let i = 0; i < nFx; i++) {
      const c = model.fxCurrencyIndex[i]!;
      const ui = u[i]!;
      const cInc = inc[fxAux0 + i]!;
      const bInc = inc[2 * c + 1]!;
      const drift = plan.driftU[d * nFx + i]!;
      const hc = plan.hAt[d * nC + c]!;
      const gc = plan.gAt[d * nC + c]!;
      const xc = out.irState[c]!;
      const lnX = out.fxLog[i]!;
      for (let p = 0; p < nPaths; p++) {
        const v = ui[p]! + drift + cInc[p]! + bInc[p]! - bBase[p]!;
        ui[p] = v;
        lnX[here + p] = v - (hc * xc[here + p]! + gc) + lnN[p]!;
      }
      const level = out.fxLevel?.[i];
      if (level) for (let p = here; p < here + nPaths; p++) level[p] = Math.exp(lnX[p]!);
    }

    // Equities: w_e = ln(S e^{qt} X / N) is a Gaussian martingale; ln S = w_e − q·t − ln X + ln N.
    for (let e = 0; e < nEq; e++) {
      const we = w[e]!;
      const dInc = inc[eqAux0 + e]!;
      const fx = model.equityFxIndex[e]!;
      const drift = plan.driftW[d * nEq + e]!;
      const carry = model.equities[e]!.dividendYield * t;
      const lnS = out.eqLog[e]!;
      if (fx >= 0) {
        const cInc = inc[fxAux0 + fx]!;
        const lnX = out.fxLog[fx]!;
        for (let p = 0; p < nPaths; p++) {
          const v = we[p]! + drift + dInc[p]! + cInc[p]! - bBase[p]!;
          we[p] = v;
          lnS[here + p] = v - carry - lnX[here + p]! + lnN[p]!;
        }
      } else {
        for (let p = 0; p < nPaths; p++) {
          const v = we[p]! + drift + dInc[p]! - bBase[p]!;
          we[p] = v;
          lnS[here + p] = v - carry + lnN[p]!;
        }
      }
    }

    // Credit states: driftless Gaussian martingales.
    for (let n = 0; n < nCr; n++) {
      const y = out.creditState[n]!;
      const e = inc[crAux0 + n]!;
      for (let p = 0; p < nPaths; p++) y[here + p] = y[prev + p]! + e[p]!;
    }
  }

  return pathsOf(grid, layout, nPaths, pathOffset, seed, out, antithetic);
}

function pathsOf(grid: TimeGrid, layout: CrossAssetModel['layout'], nPaths: number, pathOffset: number, seed: number, out: PathBuffers, antithetic: boolean): SimulatedPaths {
  return Object.freeze({
    grid,
    layout,
    nPaths,
    pathOffset,
    seed,
    ...(antithetic ? { antithetic } : {}),
    irState: Object.freeze(out.irState),
    fxLog: Object.freeze(out.fxLog),
    ...(out.fxLevel ? { fxLevel: Object.freeze(out.fxLevel) } : {}),
    eqLog: Object.freeze(out.eqLog),
    creditState: Object.freeze(out.creditState),
    numeraire: out.numeraire,
  });
}

/**
 * dst[p] = Σ_{j < count} row[j]·z_j[p] with z_j = normals[block[j]] at offset zOff, four terms per pass over the
 * paths (zero coefficients skipped), so dst is written count/4 times instead of count times.
 */
function correlatedRow(
  dst: Float64Array,
  normals: readonly Float64Array[],
  block: Int32Array,
  factors: Float64Array,
  rowStart: number,
  count: number,
  zOff: number,
  nPaths: number,
): void {
  const cols: number[] = rowCols;
  const coefs: number[] = rowCoefs;
  let n = 0;
  for (let j = 0; j < count; j++) {
    const coef = factors[rowStart + j]!;
    if (coef === 0) continue;
    cols[n] = block[j]!;
    coefs[n] = coef;
    n++;
  }
  if (n === 0) {
    dst.fill(0);
    return;
  }
  let k = 0;
  let first = true;
  while (k < n) {
    const left = n - k;
    if (left >= 4) {
      const a0 = normals[cols[k]!]!, a1 = normals[cols[k + 1]!]!, a2 = normals[cols[k + 2]!]!, a3 = normals[cols[k + 3]!]!;
      const c0 = coefs[k]!, c1 = coefs[k + 1]!, c2 = coefs[k + 2]!, c3 = coefs[k + 3]!;
      if (first) for (let p = 0; p < nPaths; p++) dst[p] = c0 * a0[zOff + p]! + c1 * a1[zOff + p]! + c2 * a2[zOff + p]! + c3 * a3[zOff + p]!;
      else for (let p = 0; p < nPaths; p++) dst[p] = dst[p]! + (c0 * a0[zOff + p]! + c1 * a1[zOff + p]! + c2 * a2[zOff + p]! + c3 * a3[zOff + p]!);
      k += 4;
    } else if (left >= 2) {
      const a0 = normals[cols[k]!]!, a1 = normals[cols[k + 1]!]!;
      const c0 = coefs[k]!, c1 = coefs[k + 1]!;
      if (first) for (let p = 0; p < nPaths; p++) dst[p] = c0 * a0[zOff + p]! + c1 * a1[zOff + p]!;
      else for (let p = 0; p < nPaths; p++) dst[p] = dst[p]! + (c0 * a0[zOff + p]! + c1 * a1[zOff + p]!);
      k += 2;
    } else {
      const a0 = normals[cols[k]!]!;
      const c0 = coefs[k]!;
      if (first) for (let p = 0; p < nPaths; p++) dst[p] = c0 * a0[zOff + p]!;
      else for (let p = 0; p < nPaths; p++) dst[p] = dst[p]! + c0 * a0[zOff + p]!;
      k += 1;
    }
    first = false;
  }
}
const rowCols: number[] = [];
const rowCoefs: number[] = [];

/** Float64Arrays of n values on a SharedArrayBuffer each. */
function sharedArray(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
}

/**
 * simulatePaths with every output array on its own SharedArrayBuffer, so the engine can hand the paths to worker
 * threads without copying (post the arrays; a worker wraps them in a SimulatedPaths with the same grid and layout).
 */
export function simulatePathsShared(
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  pathOffset: number,
  nPaths: number,
  options: Omit<SimulateOptions, 'into'> = {},
): SimulatedPaths {
  const into = allocate(model, grid.times.length * nPaths, sharedArray);
  return simulatePaths(model, grid, seed, pathOffset, nPaths, { ...options, into });
}

/**
 * Simulates the block of global paths [pathOffset, pathOffset + nPaths) straight into the arrays of a whole run
 * (`run`, e.g. on SharedArrayBuffers, run.nPaths values per date): its columns only, no copy, so worker threads fill
 * disjoint regions of the same arrays. The values are those of simulatePaths for the same paths, bit for bit.
 */
export function simulatePathsInto(
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  pathOffset: number,
  nPaths: number,
  run: SimulatedPaths,
  options: Omit<SimulateOptions, 'into' | 'rowStride' | 'column'> = {},
): void {
  const into: PathBuffers = {
    irState: [...run.irState],
    fxLog: [...run.fxLog],
    ...(run.fxLevel ? { fxLevel: [...run.fxLevel] } : {}),
    eqLog: [...run.eqLog],
    creditState: [...run.creditState],
    numeraire: run.numeraire,
  };
  simulatePaths(model, grid, seed, pathOffset, nPaths, { ...options, into, rowStride: run.nPaths, column: pathOffset - run.pathOffset });
}
