/**
 * The monotone convex interpolation of Hagan & West, "Interpolation methods for curve construction", Applied
 * Mathematical Finance 13(2), 2006, §6 (also Hagan & West, "Methods for constructing a yield curve", Wilmott, 2008).
 *
 * The method works on the discrete forwards fd_i = (r_i t_i - r_{i-1} t_{i-1}) / (t_i - t_{i-1}) (t_0 = 0): it first
 * estimates the instantaneous forward f_i at each node, then on each interval adds to fd_i a shape g(x) (x in [0,1]
 * across the interval) that takes the node values at both ends, integrates to zero over the interval (so the pillar
 * discount factors are reproduced exactly) and is monotone between them (one of four regions of (g0, g1), §6.2).
 *
 * Positivity amendment (§6.3): node forwards are collared, f_0 in [0, 2 fd_1], f_i in [0, 2 min(fd_i, fd_{i+1})],
 * f_n in [0, 2 fd_n], which keeps the forward positive where the discrete forwards are positive. The paper assumes
 * positive rates; for a node next to a negative discrete forward the collar uses only the positive neighbours (none:
 * no collar), so curves with negative rates (EUR, CHF, JPY in 2015-2021) are interpolated without distortion.
 *
 * A limit case of the method: when two adjacent discrete forwards are equal, the node forward between them equals
 * both, so one end of a neighbouring interval has g = 0 and the monotone, zero-integral shape there is a step at the
 * node. Discount factors stay exact and continuous; the instantaneous forward jumps at that node.
 */

/** Regions of the (g0, g1) plane, Hagan & West (2006) §6.2, figure 4. */
const REGION_ZERO = 0;
const REGION_I = 1;
const REGION_II = 2;
const REGION_III = 3;
const REGION_IV = 4;

/** Per-interval shape coefficients, precomputed once. Interval i (0-based) spans (times[i-1], times[i]], times[-1] = 0. */
export interface MonotoneConvexShape {
  /** Discrete forward of each interval. */
  readonly discreteForwards: Float64Array;
  /** Instantaneous forward at the nodes t_0 = 0, t_1, ..., t_n (length n + 1), after the positivity collar. */
  readonly nodeForwards: Float64Array;
  readonly g0: Float64Array;
  readonly g1: Float64Array;
  readonly eta: Float64Array;
  readonly a: Float64Array;
  readonly region: Uint8Array;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * Builds the shape from pillar times (strictly increasing, > 0) and -ln P at them (`logDiscounts[i] = r_i t_i`).
 */
export function monotoneConvexShape(times: Float64Array, logDiscounts: Float64Array): MonotoneConvexShape {
  const n = times.length;
  const fd = new Float64Array(n);
  let prevT = 0;
  let prevY = 0;
  for (let i = 0; i < n; i++) {
    fd[i] = (logDiscounts[i]! - prevY) / (times[i]! - prevT);
    prevT = times[i]!;
    prevY = logDiscounts[i]!;
  }

  // Node forwards f_0..f_n (f[k] at time t_k, t_0 = 0). Interior nodes: the length-weighted average of the two
  // adjacent discrete forwards (§6.1, eq. for f_i); ends: linear extrapolation so that f'(end) is half-way.
  const f = new Float64Array(n + 1);
  if (n === 1) {
    f[0] = fd[0]!;
    f[1] = fd[0]!;
  } else {
    for (let k = 1; k < n; k++) {
      const tPrev = k === 1 ? 0 : times[k - 2]!;
      const tk = times[k - 1]!;
      const tNext = times[k]!;
      f[k] = ((tk - tPrev) * fd[k]! + (tNext - tk) * fd[k - 1]!) / (tNext - tPrev);
    }
    f[0] = fd[0]! - 0.5 * (f[1]! - fd[0]!);
    f[n] = fd[n - 1]! - 0.5 * (f[n - 1]! - fd[n - 1]!);
  }

  // Positivity collar (§6.3), against the positive adjacent discrete forwards only.
  for (let k = 0; k <= n; k++) {
    const left = k >= 1 ? fd[k - 1]! : Number.NaN;
    const right = k < n ? fd[k]! : Number.NaN;
    let bound = Number.POSITIVE_INFINITY;
    if (left > 0) bound = Math.min(bound, 2 * left);
    if (right > 0) bound = Math.min(bound, 2 * right);
    if (bound !== Number.POSITIVE_INFINITY) f[k] = clamp(f[k]!, 0, bound);
  }

  const g0 = new Float64Array(n);
  const g1 = new Float64Array(n);
  const eta = new Float64Array(n);
  const a = new Float64Array(n);
  const region = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lo = f[i]! - fd[i]!;
    const hi = f[i + 1]! - fd[i]!;
    g0[i] = lo;
    g1[i] = hi;
    if (lo === 0 && hi === 0) {
      region[i] = REGION_ZERO;
    } else if ((lo < 0 && -lo / 2 <= hi && hi <= -2 * lo) || (lo > 0 && -lo / 2 >= hi && hi >= -2 * lo)) {
      region[i] = REGION_I;
    } else if ((lo < 0 && hi > -2 * lo) || (lo > 0 && hi < -2 * lo)) {
      region[i] = REGION_II;
      eta[i] = (hi + 2 * lo) / (hi - lo);
    } else if ((lo > 0 && 0 > hi && hi > -lo / 2) || (lo < 0 && 0 < hi && hi < -lo / 2)) {
      region[i] = REGION_III;
      eta[i] = (3 * hi) / (hi - lo);
    } else {
      // Region (iv): g0 and g1 of the same sign (one of them may be zero).
      region[i] = REGION_IV;
      eta[i] = hi / (hi + lo);
      a[i] = (-lo * hi) / (lo + hi);
    }
  }
  return { discreteForwards: fd, nodeForwards: f, g0, g1, eta, a, region };
}

/** g(x) on interval i: the instantaneous forward is fd_i + g(x). */
export function shapeValue(s: MonotoneConvexShape, i: number, x: number): number {
  const g0 = s.g0[i]!;
  const g1 = s.g1[i]!;
  const eta = s.eta[i]!;
  switch (s.region[i]) {
    case REGION_I:
      return g0 * (1 - 4 * x + 3 * x * x) + g1 * (-2 * x + 3 * x * x);
    case REGION_II: {
      if (x <= eta) return g0;
      const u = (x - eta) / (1 - eta);
      return g0 + (g1 - g0) * u * u;
    }
    case REGION_III: {
      if (x >= eta) return g1;
      const u = (eta - x) / eta;
      return g1 + (g0 - g1) * u * u;
    }
    case REGION_IV: {
      const a = s.a[i]!;
      if (x <= eta && eta > 0) {
        const u = (eta - x) / eta;
        return a + (g0 - a) * u * u;
      }
      const u = (x - eta) / (1 - eta);
      return a + (g1 - a) * u * u;
    }
    default:
      return 0;
  }
}

/** G(x) = integral of g from 0 to x on interval i (zero at x = 0 and x = 1 by construction). */
export function shapeIntegral(s: MonotoneConvexShape, i: number, x: number): number {
  const g0 = s.g0[i]!;
  const g1 = s.g1[i]!;
  const eta = s.eta[i]!;
  switch (s.region[i]) {
    case REGION_I:
      return g0 * (x - 2 * x * x + x * x * x) + g1 * (-x * x + x * x * x);
    case REGION_II: {
      if (x <= eta) return g0 * x;
      const d = x - eta;
      return g0 * x + ((g1 - g0) * d * d * d) / (3 * (1 - eta) * (1 - eta));
    }
    case REGION_III: {
      if (x >= eta) return g1 * x + ((g0 - g1) * eta) / 3;
      const d = eta - x;
      return g1 * x + ((g0 - g1) * (eta * eta * eta - d * d * d)) / (3 * eta * eta);
    }
    case REGION_IV: {
      const a = s.a[i]!;
      if (x <= eta && eta > 0) {
        const d = eta - x;
        return a * x + ((g0 - a) * (eta * eta * eta - d * d * d)) / (3 * eta * eta);
      }
      const d = x - eta;
      return a * x + ((g0 - a) * eta) / 3 + ((g1 - a) * d * d * d) / (3 * (1 - eta) * (1 - eta));
    }
    default:
      return 0;
  }
}
