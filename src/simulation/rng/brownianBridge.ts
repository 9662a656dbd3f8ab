/**
 * The Brownian bridge construction of a path's normals (P. Glasserman, Monte Carlo Methods in Financial Engineering,
 * 2004, §3.1.2; Moskowitz and Caflisch 1996): n standard normals z_0 … z_{n−1} in order of importance build a
 * Brownian motion W at the times t_1 < … < t_n: z_0 its end W(t_n) = √t_n·z_0, then each further z a point between
 * two built ones, from the bridge's conditional law
 *   W(t_m) = [(t_r − t_m)·W(t_l) + (t_m − t_l)·W(t_r)] / (t_r − t_l) + √[(t_m − t_l)(t_r − t_m)/(t_r − t_l)]·z,
 * the points taken by halving the index ranges left to right, level by level (W(t_0 = 0) = 0). The increments
 * ξ_k = (W(t_k) − W(t_{k−1})) / √(t_k − t_{k−1}) are again independent standard normals (the map z → ξ is orthogonal:
 * test/sobol.test.ts), so they replace a step's draws one for one, while the first z's fix the paths' coarse shape:
 * with quasi-random z's, the leading coordinates of the low-discrepancy points go where most of the variance is.
 */
import { XvaInternalError } from '../../errors.js';

export class BrownianBridge {
  /** Steps n. */
  readonly size: number;
  /** Per construction step i: the index built, its left and right neighbours (left −1: W(0) = 0), and the weights. */
  private readonly built: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly leftWeight: Float64Array;
  private readonly rightWeight: Float64Array;
  private readonly stdDev: Float64Array;
  /** 1/√(t_k − t_{k−1}). */
  private readonly inverseStep: Float64Array;
  private readonly w: Float64Array;

  /** times: t_1 < … < t_n, all > 0 (the steps' end times; t_0 = 0). */
  constructor(times: ArrayLike<number>) {
    const n = times.length;
    this.size = n;
    for (let k = 0; k < n; k++) {
      const previous = k === 0 ? 0 : times[k - 1]!;
      if (!(times[k]! > previous)) throw new XvaInternalError(`a Brownian bridge needs increasing times after 0; time ${k + 1} is ${times[k]} after ${previous}`);
    }
    this.built = new Int32Array(n);
    this.left = new Int32Array(n);
    this.right = new Int32Array(n);
    this.leftWeight = new Float64Array(n);
    this.rightWeight = new Float64Array(n);
    this.stdDev = new Float64Array(n);
    this.inverseStep = new Float64Array(n);
    this.w = new Float64Array(n);
    for (let k = 0; k < n; k++) this.inverseStep[k] = 1 / Math.sqrt(times[k]! - (k === 0 ? 0 : times[k - 1]!));
    if (n === 0) return;
    const done = new Uint8Array(n);
    this.built[0] = n - 1;
    this.left[0] = -1;
    this.right[0] = -1;
    this.stdDev[0] = Math.sqrt(times[n - 1]!);
    done[n - 1] = 1;
    // Sweep left to right over the gaps between built points, building each gap's middle index; a sweep builds one
    // level of the halving, and the next sweep starts again from the left.
    let j = 0;
    for (let i = 1; i < n; i++) {
      while (done[j]) j++;
      let k = j;
      while (!done[k]) k++; // the gap is j .. k − 1; k is built (the last index always is)
      const m = j + ((k - 1 - j) >> 1);
      done[m] = 1;
      const tl = j === 0 ? 0 : times[j - 1]!;
      const tm = times[m]!;
      const tr = times[k]!;
      this.built[i] = m;
      this.left[i] = j - 1;
      this.right[i] = k;
      this.leftWeight[i] = (tr - tm) / (tr - tl);
      this.rightWeight[i] = (tm - tl) / (tr - tl);
      this.stdDev[i] = Math.sqrt(((tm - tl) * (tr - tm)) / (tr - tl));
      j = k + 1;
      if (j >= n) j = 0;
    }
  }

  /**
   * The step normals ξ_0 … ξ_{n−1} from the normals z in order of importance: z[zAt + zStride·i] for construction step
   * i, ξ_k to out[outAt + outStride·k].
   */
  transform(z: ArrayLike<number>, zAt: number, zStride: number, out: Float64Array, outAt: number, outStride: number): void {
    const n = this.size;
    if (n === 0) return;
    const { built, left, right, leftWeight, rightWeight, stdDev, w } = this;
    w[built[0]!] = stdDev[0]! * z[zAt]!;
    for (let i = 1; i < n; i++) {
      const l = left[i]!;
      const wl = l < 0 ? 0 : leftWeight[i]! * w[l]!;
      w[built[i]!] = wl + rightWeight[i]! * w[right[i]!]! + stdDev[i]! * z[zAt + zStride * i]!;
    }
    const inverseStep = this.inverseStep;
    out[outAt] = w[0]! * inverseStep[0]!;
    for (let k = 1; k < n; k++) out[outAt + outStride * k] = (w[k]! - w[k - 1]!) * inverseStep[k]!;
  }

  /**
   * transform for n paths at once: z[zAt + i·stride + p] the normal of construction step i and path p, written over by
   * the step normals ξ_k at zAt + k·stride + p (the same operations per path as transform, so the same values; every
   * z is read before any ξ is written); w: n·size doubles of scratch.
   */
  transformPaths(z: Float64Array, zAt: number, stride: number, n: number, w: Float64Array): void {
    const size = this.size;
    if (size === 0) return;
    const { built, left, right, leftWeight, rightWeight, stdDev, inverseStep } = this;
    const last = built[0]! * n;
    const sd0 = stdDev[0]!;
    for (let p = 0; p < n; p++) w[last + p] = sd0 * z[zAt + p]!;
    for (let i = 1; i < size; i++) {
      const at = built[i]! * n;
      const r = right[i]! * n;
      const rw = rightWeight[i]!;
      const sd = stdDev[i]!;
      const zi = zAt + i * stride;
      const l = left[i]!;
      if (l < 0) {
        for (let p = 0; p < n; p++) w[at + p] = 0 + rw * w[r + p]! + sd * z[zi + p]!;
      } else {
        const lw = leftWeight[i]!;
        const la = l * n;
        for (let p = 0; p < n; p++) w[at + p] = lw * w[la + p]! + rw * w[r + p]! + sd * z[zi + p]!;
      }
    }
    const s0 = inverseStep[0]!;
    for (let p = 0; p < n; p++) z[zAt + p] = w[p]! * s0;
    for (let k = 1; k < size; k++) {
      const sk = inverseStep[k]!;
      const a = k * n;
      const b = a - n;
      const o = zAt + k * stride;
      for (let p = 0; p < n; p++) z[o + p] = (w[a + p]! - w[b + p]!) * sk;
    }
  }

  /**
   * The construction's tables, per construction step i (left −1: W(0) = 0), and 1/√(t_k − t_{k−1}) per step k: for
   * a port of transform (the GPU backend's WGSL, backends/gpu/wgsl/sobol.ts). Read-only views.
   */
  tables(): { built: Int32Array; left: Int32Array; right: Int32Array; leftWeight: Float64Array; rightWeight: Float64Array; stdDev: Float64Array; inverseStep: Float64Array } {
    const { built, left, right, leftWeight, rightWeight, stdDev, inverseStep } = this;
    return { built, left, right, leftWeight, rightWeight, stdDev, inverseStep };
  }

  /** The construction order: the index (0-based step) built by construction step i. */
  builtAt(i: number): number {
    return this.built[i]!;
  }
}
