/**
 * The Monte Carlo mean of a value deflated by the numeraire, E[V(t)/N(t)], and its standard error, over the paths of
 * one date (the martingale tests: a traded value's deflated mean is today's value of what it still pays).
 */
import type { NettingSetKernel } from '../../src/exposure/types.js';
import type { SimulatedPaths } from '../../src/simulation/types.js';

export function deflatedMean(kernel: NettingSetKernel, paths: SimulatedPaths, d: number): { mean: number; se: number; values: Float64Array } {
  const n = paths.nPaths;
  const values = new Float64Array(n);
  kernel.valueAt(d, paths, values);
  let mean = 0;
  let square = 0;
  for (let p = 0; p < n; p++) {
    const deflated = values[p]! / paths.numeraire[d * n + p]!;
    mean += deflated;
    square += deflated * deflated;
  }
  mean /= n;
  return { mean, se: Math.sqrt((square / n - mean * mean) / (n - 1)), values };
}

/**
 * The discounted EPE and ENE of a kernel at one date, E[max(±V(t), 0)/N(t)] (ORE's convention before the factor N(0) =
 * 1), with their standard errors over the paths.
 */
export function deflatedExposures(kernel: NettingSetKernel, paths: SimulatedPaths, d: number): { epe: number; ene: number; seEpe: number; seEne: number } {
  const n = paths.nPaths;
  const values = new Float64Array(n);
  kernel.valueAt(d, paths, values);
  let pos = 0;
  let pos2 = 0;
  let neg = 0;
  let neg2 = 0;
  for (let p = 0; p < n; p++) {
    const deflated = values[p]! / paths.numeraire[d * n + p]!;
    if (deflated > 0) {
      pos += deflated;
      pos2 += deflated * deflated;
    } else {
      neg -= deflated;
      neg2 += deflated * deflated;
    }
  }
  const epe = pos / n;
  const ene = neg / n;
  return { epe, ene, seEpe: Math.sqrt((pos2 / n - epe * epe) / (n - 1)), seEne: Math.sqrt((neg2 / n - ene * ene) / (n - 1)) };
}
