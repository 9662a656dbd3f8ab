/**
 * Standard normal draws for the exposure simulation: one Philox word → one uniform → one normal by the inverse CDF
 * (not Box-Muller), so that a draw is addressed by (seed, path, factor, step) alone and a low-discrepancy sequence can
 * replace the uniforms one for one.
 */
import { philox4x32, seedKey, UINT32_TO_UNIT } from './philox.js';

// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied Statistics 37(3)
// (1988) 477-484, PPND16: rational approximations accurate to about 1 part in 1e16. Coefficients as published,
// highest degree last (numerator a0..a7, denominator 1, b1..b7, and so on).
const AS241_A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const AS241_B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
];
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
 * Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (Wichura AS241). Returns -Infinity / +Infinity at 0 / 1 and
 * NaN outside [0, 1].
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    // Central region |p - 1/2| <= 0.425.
    const r = 0.180625 - q * q;
    return (q * poly7(AS241_A, r)) / poly7(AS241_B, r);
  }
  // Tails: r = sqrt(-log(min(p, 1-p))), split at r = 5 (p ≈ 1.4e-11).
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

const scratchCounter = new Uint32Array(4);
const scratchKey = new Uint32Array(2);
const scratchOut = new Uint32Array(4);

/** Largest index a Philox counter word can hold. */
const MAX_U32 = 4294967295;

function checkCounterWord(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RangeError(`${name} must be an integer in [0, 2^32), got ${value}`);
  }
}

/**
 * Fills `out[0 .. nPaths)` with the standard normals of paths path0 .. path0+nPaths-1 for one (factor, step).
 *
 * The draw of path p is word 0 of Philox4x32-10 at counter (p, factor, step, 0) under the key of `seed`, mapped to
 * u = (w + 0.5)·2^-32 and then z = Φ⁻¹(u). It depends on nothing else, so any split of the paths into shards gives
 * the same numbers bit for bit. With `antithetic`, paths pair up as (2k, 2k+1): path 2k+1 takes the negated draw of
 * path 2k (counter path word 2k), again independent of where a shard starts.
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
  checkCounterWord('path0', path0);
  checkCounterWord('last path', path0 + Math.max(nPaths, 1) - 1);
  checkCounterWord('factor', factor);
  checkCounterWord('step', step);
  if (out.length < nPaths) throw new RangeError(`out holds ${out.length} values, fewer than nPaths = ${nPaths}`);
  seedKey(seed, scratchKey);
  scratchCounter[1] = factor;
  scratchCounter[2] = step;
  scratchCounter[3] = 0;
  let lastBase = -1;
  let lastZ = 0;
  for (let i = 0; i < nPaths; i++) {
    const path = path0 + i;
    const base = antithetic ? path - (path & 1) : path;
    if (base !== lastBase) {
      scratchCounter[0] = base;
      philox4x32(scratchCounter, scratchKey, scratchOut);
      lastZ = inverseNormalCdf((scratchOut[0]! + 0.5) * UINT32_TO_UNIT);
      lastBase = base;
    }
    out[i] = antithetic && (path & 1) === 1 ? -lastZ : lastZ;
  }
}

/**
 * The uniforms behind `fillNormals` (no antithetics): out[i] = (w + 0.5)·2^-32 with w word 0 of Philox at counter
 * (path0 + i, factor, step, 0). For tests and for quasi-random replacements that need the same addressing.
 */
export function fillUniforms(
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  step: number,
  out: Float64Array,
): void {
  checkCounterWord('path0', path0);
  checkCounterWord('last path', path0 + Math.max(nPaths, 1) - 1);
  checkCounterWord('factor', factor);
  checkCounterWord('step', step);
  seedKey(seed, scratchKey);
  scratchCounter[1] = factor;
  scratchCounter[2] = step;
  scratchCounter[3] = 0;
  for (let i = 0; i < nPaths; i++) {
    scratchCounter[0] = path0 + i;
    philox4x32(scratchCounter, scratchKey, scratchOut);
    out[i] = (scratchOut[0]! + 0.5) * UINT32_TO_UNIT;
  }
}
