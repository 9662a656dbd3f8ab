/**
 * Standard normal draws for the exposure simulation: one Philox word → one uniform → one normal by the inverse CDF
 * (not Box-Muller), so that a draw is addressed by (seed, path, factor, step) alone and a low-discrepancy sequence can
 * replace the uniforms one for one.
 *
 * Addressing (docs/model.md, "Random numbers"): the normal of global path g, driver stream f, step k is word k & 3 of
 * the Philox4x32-10 block at counter (g, f, k >> 2, 0) under the seed's key. One block thus feeds four consecutive
 * steps of one path and stream, so all four words of every block are used; fillNormalBlock fills those four steps at
 * once. The mapping depends on (seed, g, f, k) only: never on threads, blocks of paths or shards.
 */
import { philoxBlocks, philoxRoundKeys, seedKey, UINT32_TO_UNIT } from './philox.js';
import { RNG_KERNELS_WASM_BASE64 } from './rngKernelsBinary.js';

// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied Statistics 37(3)
// (1988) 477-484, PPND16: rational approximations accurate to about 1 part in 1e16. Coefficients as published,
// highest degree last (numerator c0..c7, denominator 1, d1..d7, and so on); the central region's a0..a7 and
// b1..b7 are written out in centralQuantile.
const AS241_C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const AS241_D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const AS241_E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const AS241_F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

/** Degree-7 polynomial by Horner's rule, coefficients lowest degree first. */
function poly7(c: readonly number[], r: number): number {
  return ((((((c[7]! * r + c[6]!) * r + c[5]!) * r + c[4]!) * r + c[3]!) * r + c[2]!) * r + c[1]!) * r + c[0]!;
}

/**
 * The central region |p − 1/2| ≤ 0.425 of AS241 at q = p − 1/2, with the PPND16 coefficients written out: the same
 * arithmetic, in the same order, as q·poly7(A, r)/poly7(B, r) by Horner. Small enough for V8 to inline into the
 * loop of inverseNormalOfWords.
 */
function centralQuantile(q: number): number {
  const r = 0.180625 - q * q;
  return (
    (q *
      (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
        13731.693765509461125) *
        r +
        1971.5909503065514427) *
        r +
        133.14166789178437745) *
        r +
        3.387132872796366608)) /
    (((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
      5394.1960214247511077) *
      r +
      687.1870074920579083) *
      r +
      42.313330701600911252) *
      r +
      1)
  );
}

/** The tails of AS241 for 0 < p < 1 outside the central region (q = p − 1/2): r = sqrt(−log(min(p, 1−p))), split at r = 5 (p ≈ 1.4e-11). */
function tailQuantile(p: number, q: number): number {
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = poly7(AS241_C, r) / poly7(AS241_D, r);
  } else {
    r -= 5;
    z = poly7(AS241_E, r) / poly7(AS241_F, r);
  }
  return q < 0 ? -z : z;
}

/**
 * Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (Wichura AS241). Returns -Infinity / +Infinity at 0 / 1 and
 * NaN outside [0, 1].
 */
export function inverseNormalCdf(p: number): number {
  const q = p - 0.5;
  // central region (85% of the draws) first
  if (q >= -0.425 && q <= 0.425) return centralQuantile(q);
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  return tailQuantile(p, q);
}

/**
 * zs[i] = inverseNormalCdf((words[i] + 0.5)·2⁻³²) for i < m, the same bits (tested), in one loop instead of a call
 * per draw, which boxed its argument and result (the simulation's largest source of garbage on the CPU backend).
 */
export function inverseNormalOfWords(words: Uint32Array, zs: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) {
    const p = (words[i]! + 0.5) * UINT32_TO_UNIT;
    const q = p - 0.5;
    // (w + 0.5)·2⁻³² lies strictly inside (0, 1): central region or tails
    zs[i] = q >= -0.425 && q <= 0.425 ? centralQuantile(q) : tailQuantile(p, q);
  }
}

/** Largest index a Philox counter word can hold. */
const MAX_U32 = 4294967295;

function checkCounterWord(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RangeError(`${name} must be an integer in [0, 2^32), got ${value}`);
  }
}

function checkRange(path0: number, nPaths: number, factor: number, step: number): void {
  checkCounterWord('path0', path0);
  checkCounterWord('last path', path0 + Math.max(nPaths, 1) - 1);
  checkCounterWord('factor', factor);
  checkCounterWord('step', step);
}

/**
 * This thread's WebAssembly kernel of philoxBlocks + inverseNormalOfWords (rngKernelsBinary.ts, written by
 * scripts/pool-kernels.mjs): four Philox blocks a step in i32x4 lanes (the 32×32-bit products exact in 64-bit lanes)
 * and the central region of AS241 two words a step in f64x2 lanes, the same operations, so the same bits; the words in
 * the tails are listed and finished by tailQuantile here. Its own memory: round keys, words, draws, tail indices, then
 * the arena of the path simulation's step scratch (stepScratch), grown on demand. A growth detaches the memory's old
 * buffer, so the views are made again whenever the buffer changed (`views`).
 */
interface RngKernel {
  keys: Uint32Array;
  words: Uint32Array;
  draws: Float64Array;
  tails: Int32Array;
  /** Blocks of counters (c0 + i·stride, c1, c2, 0), i < count ≤ BATCH, word-major (philoxDraws): the number of tail words. */
  run(count: number, c0: number, stride: number, c1: number, c2: number): number;
  /** The normals of the first m ≤ 4·BATCH words in `words` into `draws` (tails listed, as run): the tail count. */
  normalsOfWords(m: number): number;
  /** The byte offset of an arena of at least `bytes` bytes (the same offset every call: one user at a time). */
  arena(bytes: number): number;
  memory: WebAssembly.Memory;
  combineRows(table: number, n: number, zOffBytes: number, p0: number, p1: number, dst: number): void;
}

let rngKernelsOn = process.env.XVA_POOL_KERNELS !== 'off';
let rngKernelState: RngKernel | null | undefined;
let rngCalls = 0;

/**
 * Turns the WebAssembly kernel of the normal draws on or off on this thread (the numbers are the same; tests compare
 * both; XVA_POOL_KERNELS=off turns it off with the pool kernels).
 */
export function setRngKernelsEnabled(on: boolean): void {
  rngKernelsOn = on;
}

/** Kernel calls made on this thread so far (tests check that the draws came from the kernel). */
export function rngKernelCalls(): number {
  return rngCalls;
}

const PAGE_BYTES = 65536;

function rngKernel(): RngKernel | undefined {
  if (!rngKernelsOn) return undefined;
  if (rngKernelState === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(RNG_KERNELS_WASM_BASE64, 'base64'));
      const instance = new WebAssembly.Instance(module, {});
      const memory = instance.exports.memory as WebAssembly.Memory;
      const philoxNormals = instance.exports.philoxNormals as (...args: number[]) => number;
      const normalsOfWords = instance.exports.normalsOfWords as (...args: number[]) => number;
      const combineRows = instance.exports.combineRows as (...args: number[]) => void;
      // room for BATCH blocks rounded up to 4 (the kernel computes whole groups of four): one 64 KiB page
      const words = 4 * (BATCH + 4);
      const wordsAt = 128;
      const drawsAt = wordsAt + 4 * words + 64;
      const tailsAt = drawsAt + 8 * words;
      const arenaAt = (tailsAt + 4 * words + 63) & ~63;
      if (arenaAt > memory.buffer.byteLength) throw new Error('rng kernel memory too small');
      let buffer = memory.buffer;
      const state: RngKernel = {
        keys: new Uint32Array(buffer, 0, 2 * 10),
        words: new Uint32Array(buffer, wordsAt, words),
        draws: new Float64Array(buffer, drawsAt, words),
        tails: new Int32Array(buffer, tailsAt, words),
        run: (count, c0, stride, c1, c2) => {
          rngCalls++;
          return philoxNormals(count, c0, stride, c1, c2, 0, 0, wordsAt, drawsAt, tailsAt);
        },
        normalsOfWords: (m) => {
          rngCalls++;
          return normalsOfWords(m, wordsAt, drawsAt, tailsAt);
        },
        arena: (bytes) => {
          const need = arenaAt + bytes;
          if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE_BYTES));
          views();
          return arenaAt;
        },
        memory,
        combineRows: (table, n, zOffBytes, p0, p1, dst) => {
          rngCalls++;
          combineRows(table, n, zOffBytes, p0, p1, dst);
        },
      };
      // the views on the memory's current buffer (made again after a growth detached the old one)
      const views = (): void => {
        if (memory.buffer === buffer) return;
        buffer = memory.buffer;
        state.keys = new Uint32Array(buffer, 0, 2 * 10);
        state.words = new Uint32Array(buffer, wordsAt, words);
        state.draws = new Float64Array(buffer, drawsAt, words);
        state.tails = new Int32Array(buffer, tailsAt, words);
      };
      rngKernelState = state;
    } catch {
      rngKernelState = null;
    }
  }
  return rngKernelState ?? undefined;
}

/**
 * The path simulation's scratch for one call of simulatePaths: four steps of normals (4·nPaths) and an increment
 * (nPaths) per driver stream, and `combine`, which forms a driver's correlated increment from the others' normals
 * (crossAsset/simulate.ts correlatedRow). On this thread's kernel memory where there is a kernel (combine then runs
 * there, two paths a step in f64x2 lanes, the same bits), else plain arrays and no combine. Valid until the next call
 * on this thread (the arena is reused).
 */
export interface StepScratch {
  normals: Float64Array[];
  inc: Float64Array[];
  /**
   * inc[dst][p] = Σ_{j < count, row[j] ≠ 0} row[j]·normals[block[j]][zOff + p] for every path, row[j] =
   * factors[rowStart + j], the terms in correlatedRow's groups (undefined: no kernel; use correlatedRow).
   */
  combine?: (dst: number, block: Int32Array, factors: Float64Array, rowStart: number, count: number, zOff: number) => void;
}

export function stepScratch(nAux: number, nPaths: number, maxTerms: number): StepScratch {
  const kernel = rngKernel();
  if (kernel === undefined) {
    return {
      normals: Array.from({ length: nAux }, () => new Float64Array(4 * nPaths)),
      inc: Array.from({ length: nAux }, () => new Float64Array(nPaths)),
    };
  }
  // normals, increments (each array 64-byte aligned), then the table of terms (16 bytes a term)
  const rowBytes = (n: number): number => (8 * n + 63) & ~63;
  const normalBytes = rowBytes(4 * nPaths);
  const incBytes = rowBytes(nPaths);
  const tableBytes = 16 * Math.max(1, maxTerms);
  const at = kernel.arena(nAux * (normalBytes + incBytes) + tableBytes);
  const buffer = kernel.memory.buffer;
  const normalAt = (a: number): number => at + a * normalBytes;
  const incAt = (a: number): number => at + nAux * normalBytes + a * incBytes;
  const tableAt = at + nAux * (normalBytes + incBytes);
  const normals = Array.from({ length: nAux }, (_, a) => new Float64Array(buffer, normalAt(a), 4 * nPaths));
  const inc = Array.from({ length: nAux }, (_, a) => new Float64Array(buffer, incAt(a), nPaths));
  const tableInts = new Int32Array(buffer, tableAt, 4 * Math.max(1, maxTerms));
  const tableCoefs = new Float64Array(buffer, tableAt, 2 * Math.max(1, maxTerms));
  return {
    normals,
    inc,
    combine: (dst, block, factors, rowStart, count, zOff) => {
      let n = 0;
      for (let j = 0; j < count; j++) {
        const coef = factors[rowStart + j]!;
        if (coef === 0) continue;
        tableInts[4 * n] = normalAt(block[j]!);
        tableCoefs[2 * n + 1] = coef;
        n++;
      }
      if (n === 0) inc[dst]!.fill(0);
      else kernel.combineRows(tableAt, n, 8 * zOff, 0, nPaths, incAt(dst));
    },
  };
}

/** The row stride of philoxDraws' word-major draws for `count` blocks: count rounded up to a multiple of 4. */
const rowsOf = (count: number): number => (count + 3) & ~3;

/**
 * The normals of the 4·count words of the Philox blocks at counters (c0 + i·stride, c1, c2, 0), i < count ≤ BATCH,
 * under `roundKeys`, word-major: draws[w·S + i] = Φ⁻¹((word w of block i + 0.5)·2⁻³²), S = rowsOf(count), from the
 * kernel when there is one, else philoxBlocks and inverseNormalOfWords (the same bits). The array is scratch, valid
 * until the next call.
 */
function philoxDraws(c0: number, stride: number, c1: number, c2: number, count: number): Float64Array {
  const kernel = rngKernel();
  if (kernel === undefined) {
    philoxBlocks(c0, stride, c1, c2, 0, count, roundKeys, words);
    inverseNormalOfWords(words, draws, 4 * count);
    const rows = rowsOf(count);
    for (let i = 0; i < count; i++) for (let w = 0; w < 4; w++) byWord[w * rows + i] = draws[4 * i + w]!;
    return byWord;
  }
  kernel.keys.set(roundKeys);
  const nTails = kernel.run(count, c0, stride, c1, c2);
  const { tails, words: w, draws: z } = kernel;
  for (let t = 0; t < nTails; t++) {
    const i = tails[t]!;
    const p = (w[i]! + 0.5) * UINT32_TO_UNIT;
    z[i] = tailQuantile(p, p - 0.5);
  }
  return z;
}

/**
 * out[i] = Φ⁻¹((words[i] + 0.5)·2⁻³²) for i < m: inverseNormalOfWords's values, bit for bit, from the draws' kernel
 * (the central region two words a step in f64x2 lanes) in chunks of up to 4·BATCH words where there is one. For words
 * that do not come from Philox (the Sobol points of `--rng sobol`).
 */
export function normalsOfWords(words: Uint32Array, out: Float64Array, m: number): void {
  const kernel = rngKernel();
  if (kernel === undefined) {
    inverseNormalOfWords(words, out, m);
    return;
  }
  const chunk = 4 * BATCH;
  for (let start = 0; start < m; start += chunk) {
    const count = Math.min(chunk, m - start);
    kernel.words.set(words.subarray(start, start + count));
    const nTails = kernel.normalsOfWords(count);
    const { tails, words: w, draws: z } = kernel;
    for (let t = 0; t < nTails; t++) {
      const i = tails[t]!;
      const p = (w[i]! + 0.5) * UINT32_TO_UNIT;
      z[i] = tailQuantile(p, p - 0.5);
    }
    out.set(z.subarray(0, count), start);
  }
}

// Per-module scratch, grown on demand (no allocation per call once warm).
const scratchKey = new Uint32Array(2);
const roundKeys = new Uint32Array(20);
const words = new Uint32Array(4 * 256);
const draws = new Float64Array(4 * 256);
const byWord = new Float64Array(4 * 256);

/** Path blocks per Philox batch: bounds the scratch of words (4 per path). */
const BATCH = 256;

/**
 * Fills the normals of paths path0 .. path0+nPaths−1, driver stream `factor`, for the four steps 4·stepBlock ..
 * 4·stepBlock+3: out[w·nPaths + i] is the draw of path path0+i at step 4·stepBlock + w (word w of the Philox block at
 * counter (path, factor, stepBlock, 0)). With `antithetic`, paths pair up as (2k, 2k+1) by global index: path 2k+1
 * takes the negated draws of path 2k (counter path word 2k), independent of where a block of paths starts.
 */
export function fillNormalBlock(
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  stepBlock: number,
  out: Float64Array,
  antithetic = false,
): void {
  checkRange(path0, nPaths, factor, stepBlock);
  if (out.length < 4 * nPaths) throw new RangeError(`out holds ${out.length} values, fewer than 4 × nPaths = ${4 * nPaths}`);
  philoxRoundKeys(seedKey(seed, scratchKey), roundKeys);
  const o1 = nPaths;
  const o2 = 2 * nPaths;
  const o3 = 3 * nPaths;
  if (!antithetic) {
    for (let start = 0; start < nPaths; start += BATCH) {
      const count = Math.min(BATCH, nPaths - start);
      const draws = philoxDraws(path0 + start, 1, factor, stepBlock, count);
      // each word's row is a run of paths: copied whole
      const rows = rowsOf(count);
      out.set(draws.subarray(0, count), start);
      out.set(draws.subarray(rows, rows + count), o1 + start);
      out.set(draws.subarray(2 * rows, 2 * rows + count), o2 + start);
      out.set(draws.subarray(3 * rows, 3 * rows + count), o3 + start);
    }
    return;
  }
  // Antithetic: one block per pair (2k, 2k+1); a leading odd path or a trailing even path is its pair's half.
  const firstBase = path0 - (path0 & 1);
  const lastPath = path0 + nPaths - 1;
  const nPairs = ((lastPath - (lastPath & 1) - firstBase) >> 1) + 1;
  for (let start = 0; start < nPairs; start += BATCH) {
    const count = Math.min(BATCH, nPairs - start);
    const base0 = firstBase + 2 * start;
    const draws = philoxDraws(base0, 2, factor, stepBlock, count);
    const rows = rowsOf(count);
    for (let j = 0; j < count; j++) {
      const even = base0 + 2 * j - path0; // local index of the pair's even path (may be −1)
      const z0 = draws[j]!;
      const z1 = draws[rows + j]!;
      const z2 = draws[2 * rows + j]!;
      const z3 = draws[3 * rows + j]!;
      if (even >= 0) {
        out[even] = z0;
        out[o1 + even] = z1;
        out[o2 + even] = z2;
        out[o3 + even] = z3;
      }
      const odd = even + 1;
      if (odd < nPaths) {
        out[odd] = -z0;
        out[o1 + odd] = -z1;
        out[o2 + odd] = -z2;
        out[o3 + odd] = -z3;
      }
    }
  }
}

let oneStepScratch = new Float64Array(0);

/**
 * Fills `out[0 .. nPaths)` with the standard normals of paths path0 .. path0+nPaths-1 for one (factor, step): the
 * draws of fillNormalBlock at stepBlock = step >> 2, word step & 3 (u = (w + 0.5)·2^-32, z = Φ⁻¹(u)). For callers
 * that take one step at a time; the simulation fills four steps at once with fillNormalBlock.
 */
export function fillNormals(
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  step: number,
  out: Float64Array,
  antithetic = false,
): void {
  checkRange(path0, nPaths, factor, step);
  if (out.length < nPaths) throw new RangeError(`out holds ${out.length} values, fewer than nPaths = ${nPaths}`);
  if (oneStepScratch.length < 4 * nPaths) oneStepScratch = new Float64Array(4 * nPaths);
  fillNormalBlock(seed, path0, nPaths, factor, step >>> 2, oneStepScratch, antithetic);
  const word = step & 3;
  out.set(oneStepScratch.subarray(word * nPaths, (word + 1) * nPaths));
}

/**
 * The uniforms behind `fillNormals` (no antithetics): out[i] = (w + 0.5)·2^-32 with w word step & 3 of Philox at
 * counter (path0 + i, factor, step >> 2, 0). For tests and for quasi-random replacements that need the same addressing.
 */
export function fillUniforms(
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  step: number,
  out: Float64Array,
): void {
  checkRange(path0, nPaths, factor, step);
  philoxRoundKeys(seedKey(seed, scratchKey), roundKeys);
  const word = step & 3;
  for (let start = 0; start < nPaths; start += BATCH) {
    const count = Math.min(BATCH, nPaths - start);
    philoxBlocks(path0 + start, 1, factor, step >>> 2, 0, count, roundKeys, words);
    for (let j = 0; j < count; j++) out[start + j] = (words[4 * j + word]! + 0.5) * UINT32_TO_UNIT;
  }
}
