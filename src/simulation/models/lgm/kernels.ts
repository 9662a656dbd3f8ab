/**
 * Path kernels of the LGM model (LSG ch. 11-12), CPU reference versions: each loops over a Float64Array of states
 * with every constant hoisted, one exp per path, nothing allocated in the loop. Under the LGM measure
 *
 *   numeraire      N(t, x)    = exp(H(t)·x + ½H(t)²ζ(t)) / P(0, t)
 *   zero bond      P(t, T, x) = P(0,T)/P(0,t) · exp(−(H(T)−H(t))·x − ½(H(T)² − H(t)²)·ζ(t))
 *   deflated bond  P(t, T, x)/N(t, x) = P(0,T) · exp(−H(T)·x − ½H(T)²ζ(t))
 *
 * The bond follows from the other two (P = N·E_t[1/N(T)], LSG eq. 11.8); note the ½(H(T)² − H(t)²)ζ(t) term: with
 * ½(H(T) − H(t))²ζ(t) instead, E[P(t,T)/N(t)] would miss P(0,T) by e^{−H(t)(H(T)−H(t))ζ(t)}.
 *
 * States are read with an offset and a stride, so a column of a paths × dates state matrix (x[p·nDates + i]) is used
 * in place.
 */
import type { HullWhiteParams } from '../../../market/types.js';
import { XvaInternalError } from '../../../errors.js';
import { fillNormals } from '../../rng/normal.js';
import type { LgmModel } from './parameters.js';
import { lgmZeta } from './parameters.js';

/** Where the states of a date sit in a larger array: x of path p is states[offset + p·stride]. */
export interface StateView {
  readonly states: Float64Array;
  readonly offset: number;
  readonly stride: number;
}

/** The states of date `dateIndex` in a paths × dates matrix (path-major, as lgmEvolveStates writes it). */
export function dateColumn(states: Float64Array, nDates: number, dateIndex: number): StateView {
  return { states, offset: dateIndex, stride: nDates };
}

function viewOf(x: Float64Array | StateView): StateView {
  return x instanceof Float64Array ? { states: x, offset: 0, stride: 1 } : x;
}

/** out[p] = P(t, T, x_p) for p < nPaths: the zero bond from t to maturity T on every path. */
export function lgmZeroBonds(
  model: LgmModel,
  t: number,
  maturity: number,
  x: Float64Array | StateView,
  out: Float64Array,
  nPaths: number = out.length,
): void {
  const { states, offset, stride } = viewOf(x);
  const hT = model.H(maturity);
  const ht = model.H(t);
  const hSpread = hT - ht;
  const scale = (model.discount(maturity) / model.discount(t)) * Math.exp(-0.5 * (hT * hT - ht * ht) * model.zeta(t));
  for (let p = 0, j = offset; p < nPaths; p++, j += stride) out[p] = scale * Math.exp(-hSpread * states[j]!);
}

/** out[p] = N(t, x_p), the LGM numeraire on every path (N(0, 0) = 1). */
export function lgmNumeraires(model: LgmModel, t: number, x: Float64Array | StateView, out: Float64Array, nPaths: number = out.length): void {
  const { states, offset, stride } = viewOf(x);
  const h = model.H(t);
  const scale = Math.exp(0.5 * h * h * model.zeta(t)) / model.discount(t);
  for (let p = 0, j = offset; p < nPaths; p++, j += stride) out[p] = scale * Math.exp(h * states[j]!);
}

/** out[p] = P(t, T, x_p) / N(t, x_p), the numeraire-deflated zero bond (a martingale with E = P(0, T)). */
export function lgmDeflatedZeroBonds(
  model: LgmModel,
  t: number,
  maturity: number,
  x: Float64Array | StateView,
  out: Float64Array,
  nPaths: number = out.length,
): void {
  const { states, offset, stride } = viewOf(x);
  const h = model.H(maturity);
  const scale = model.discount(maturity) * Math.exp(-0.5 * h * h * model.zeta(t));
  for (let p = 0, j = offset; p < nPaths; p++, j += stride) out[p] = scale * Math.exp(-h * states[j]!);
}

/**
 * Exact LGM state simulation (LSG §11.4): x(t_i) = x(t_{i−1}) + sqrt(ζ(t_i) − ζ(t_{i−1}))·Z_i, with x(0) = 0 and
 * t_{−1} = 0. `zetaAtDates[i]` = ζ(t_i) (non-decreasing); `normals` is dates × paths, step-major
 * (normals[i·nPaths + p], as fillNormals fills one step at a time); `out` is paths × dates, path-major
 * (out[p·nDates + i]).
 */
export function lgmEvolveStates(zetaAtDates: Float64Array, normals: Float64Array, nPaths: number, out: Float64Array): void {
  const nDates = zetaAtDates.length;
  if (normals.length < nDates * nPaths || out.length < nDates * nPaths) {
    throw new XvaInternalError(`LGM evolution needs ${nDates * nPaths} normals and outputs, got ${normals.length} and ${out.length}`);
  }
  let previousZeta = 0;
  for (let i = 0; i < nDates; i++) {
    const variance = zetaAtDates[i]! - previousZeta;
    if (!(variance >= 0)) throw new XvaInternalError(`LGM variance ζ decreases at date ${i}: ${previousZeta} → ${zetaAtDates[i]}`);
    const stdDev = Math.sqrt(variance);
    previousZeta = zetaAtDates[i]!;
    const zBase = i * nPaths;
    if (i === 0) {
      for (let p = 0, j = 0; p < nPaths; p++, j += nDates) out[j] = stdDev * normals[zBase + p]!;
    } else {
      for (let p = 0, j = i; p < nPaths; p++, j += nDates) out[j] = out[j - 1]! + stdDev * normals[zBase + p]!;
    }
  }
}

/**
 * Simulates the LGM state of paths path0 .. path0+nPaths−1 at `times` (years, increasing, > 0 or = 0) into `out`
 * (paths × dates), drawing the normal of date i from Philox at counter (path, factor, i, 0) (fillNormals). The
 * result for a path is the same however the paths are sharded.
 */
export function lgmSimulateStates(
  params: HullWhiteParams,
  times: Float64Array,
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  out: Float64Array,
  antithetic = false,
): void {
  const nDates = times.length;
  const zetas = new Float64Array(nDates);
  for (let i = 0; i < nDates; i++) {
    if (i > 0 && !(times[i]! > times[i - 1]!)) throw new XvaInternalError(`simulation times must increase, got ${times[i - 1]} then ${times[i]}`);
    zetas[i] = lgmZeta(params, times[i]!);
  }
  const normals = new Float64Array(nDates * nPaths);
  const step = new Float64Array(nPaths);
  for (let i = 0; i < nDates; i++) {
    fillNormals(seed, path0, nPaths, factor, i, step, antithetic);
    normals.set(step, i * nPaths);
  }
  lgmEvolveStates(zetas, normals, nPaths, out);
}
