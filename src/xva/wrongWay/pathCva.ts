/**
 * CVA with the counterparty's default probabilities taken path by path (wrong-way risk, docs/xva.md):
 *
 *   CVA_WWR = LGD · (1/n) Σ_p Σ_i w_p,i · X_p,i
 *
 * over the exposure intervals i = (t_{i−1}, t_i], with X_p,i the discounted positive exposure (V − C)⁺/N of path p
 * taken as src/xva/weights.ts takes it for the independent CVA ('end': at t_i; 'mid': ½(X(t_{i−1}) + X(t_i))) and the
 * path's default weight w_p,i, the same mode rules as weights.ts `defaultWeights` with the path survival S_p:
 *   unilateral        S_p(t_{i−1}) − S_p(t_i)
 *   bilateral         that · S_B(τ_i), τ_i = t_i ('end') or the interval's mid-time ('mid')
 *   first-to-default  h_p,i/(h_p,i + λ_B,i) · [S_p S_B(t_{i−1}) − S_p S_B(t_i)]   (Brigo, Morini & Pallavicini 2013, §3)
 * With S_p = S on every path this is exactly Σ_k W[k]·EPE(t_k) of compute.ts (the trapezoid spread of the interval
 * weights), so zero wrong-way reproduces the independent CVA on the same paths.
 */
import type { DefaultMode, Discretisation, SurvivalCurve } from '../weights.js';

export interface PathCvaInput {
  /** Exposure times t_0 = 0 < ... < t_m (years). */
  times: Float64Array;
  nPaths: number;
  /** (V − C)⁺/N per exposure date and path, date-major [k · nPaths + p]. */
  exposure: Float64Array;
  /** Path survival S_p(t_k) of the counterparty, date-major. */
  survival: Float64Array;
  /** Path hazard h_p,i on interval i (row i), date-major; read by first-to-default only. */
  hazard: Float64Array;
  /** The bank's survival (bilateral and first-to-default); undefined = the bank survives. */
  own: SurvivalCurve | undefined;
  mode: DefaultMode;
  discretisation: Discretisation;
  lgd: number;
}

/**
 * Adds each path's CVA contribution LGD · Σ_i w_p,i X_p,i to `perPath[p]` (so that a counterparty's contributions
 * add over its netting sets) and returns the CVA of this input, their mean.
 */
export function pathwiseCva(input: PathCvaInput, perPath: Float64Array): number {
  const { times, nPaths, exposure, survival, hazard, own, mode, discretisation, lgd } = input;
  const m = times.length - 1;
  let total = 0;
  for (let i = 1; i <= m; i++) {
    const t0 = times[i - 1]!;
    const t1 = times[i]!;
    const prev = (i - 1) * nPaths;
    const here = i * nPaths;
    const at = discretisation === 'end' ? t1 : 0.5 * (t0 + t1);
    const ownAt = own && mode === 'bilateral' ? own.survival(at) : 1;
    const o0 = own ? own.survival(t0) : 1;
    const o1 = own ? own.survival(t1) : 1;
    const lambdaOwn = own && t1 > t0 && o0 > 0 && o1 > 0 ? Math.log(o0 / o1) / (t1 - t0) : 0;
    const ftd = mode === 'first-to-default' && own !== undefined;
    const half = discretisation === 'mid' ? 0.5 : 0;
    for (let p = 0; p < nPaths; p++) {
      const s0 = survival[prev + p]!;
      const s1 = survival[here + p]!;
      let w: number;
      if (ftd) {
        const h = hazard[here + p]!;
        w = h + lambdaOwn > 0 ? (h / (h + lambdaOwn)) * (s0 * o0 - s1 * o1) : 0;
      } else w = (s0 - s1) * ownAt;
      const x = half > 0 ? half * (exposure[prev + p]! + exposure[here + p]!) : exposure[here + p]!;
      const c = lgd * w * x;
      perPath[p] = perPath[p]! + c;
      total += c;
    }
  }
  return total / nPaths;
}

/**
 * Adds each path's independent-CVA contribution Σ_k W[k]·X_p,k to `perPath[p]` (W: the LGD-scaled default weights of
 * weights.ts over the dates) and returns their mean, the independent CVA on these paths.
 */
export function independentPathCva(weights: Float64Array, exposure: Float64Array, nPaths: number, perPath: Float64Array): number {
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const row = k * nPaths;
    for (let p = 0; p < nPaths; p++) {
      const c = w * exposure[row + p]!;
      perPath[p] = perPath[p]! + c;
      total += c;
    }
  }
  return total / nPaths;
}

/** Standard error of the mean of x[0..n) (sample standard deviation over √n); 0 for one value. */
export function meanStdError(x: Float64Array, n: number): number {
  if (n < 2) return 0;
  let mean = 0;
  for (let p = 0; p < n; p++) mean += x[p]!;
  mean /= n;
  let ss = 0;
  for (let p = 0; p < n; p++) ss += (x[p]! - mean) ** 2;
  return Math.sqrt(ss / (n - 1) / n);
}
