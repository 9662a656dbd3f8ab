/**
 * Non-negative least squares on the normal equations: minimise ½ wᵀ G w − hᵀ w subject to w ≥ 0, G = AᵀA symmetric
 * positive definite (n small: one variable per hedge). The active-set method of Lawson and Hanson ("Solving Least
 * Squares Problems", 1974, ch. 23), in the normal-equation form of Bro and de Jong (J. Chemometrics 11, 1997): it
 * moves one variable at a time into the free ("passive") set, solves the equality-constrained system on the free set
 * exactly (Cholesky), and steps back to the boundary whenever that solution leaves the feasible region. It stops at a
 * point that satisfies the KKT conditions exactly up to rounding:
 *   w ≥ 0,   g = h − G w ≤ tol where w = 0,   g = 0 where w > 0   (g: the negative half-gradient)
 * and it terminates in finitely many steps (the objective strictly decreases between free sets, and no free set
 * repeats). G and h are dense, row-major.
 */

export interface NnlsResult {
  w: Float64Array;
  /** h − G w at the solution: ≈ 0 on free variables, ≤ 0 (within tolerance) on those held at the bound. */
  gradient: Float64Array;
  /** Variables held at 0 by the bound: the objective would fall if they could go negative (gradient < −tol). */
  atBound: boolean[];
  iterations: number;
}

/**
 * Cholesky solve of G[P,P] x = h[P] for the index set P; returns undefined when G[P,P] is not (numerically) positive
 * definite: a pivot below `pivotTol` means a free variable is a linear combination of the others.
 */
export function choleskySolve(g: Float64Array, n: number, h: Float64Array, free: readonly number[], pivotTol: number): Float64Array | undefined {
  const m = free.length;
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const fi = free[i]!;
    for (let j = 0; j <= i; j++) {
      let s = g[fi * n + free[j]!]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      if (i === j) {
        if (!(s > pivotTol)) return undefined;
        l[i * m + i] = Math.sqrt(s);
      } else l[i * m + j] = s / l[j * m + j]!;
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = h[free[i]!]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * y[k]!;
    y[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * y[k]!;
    y[i] = s / l[i * m + i]!;
  }
  return y;
}

/** Thrown when two hedges are indistinguishable to the capital formula (G singular on the free set). */
export class CollinearHedgesError extends Error {
  constructor(readonly freeSet: readonly number[]) {
    super(`the hedges ${freeSet.join(', ')} are linearly dependent in the capital formula: the optimum is not unique`);
    this.name = 'CollinearHedgesError';
  }
}

function negativeHalfGradient(g: Float64Array, n: number, h: Float64Array, w: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = h[i]!;
    for (let j = 0; j < n; j++) s -= g[i * n + j]! * w[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * `tol` is absolute on the gradient (the caller scales G and h to order one). `pivotTol` guards the Cholesky
 * factorisation, relative to the largest diagonal entry of G.
 */
export function nnls(g: Float64Array, h: Float64Array, n: number, tol = 1e-12, pivotRelTol = 1e-12): NnlsResult {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]!);
  const pivotTol = pivotRelTol * Math.max(maxDiag, 1e-300);
  const w = new Float64Array(n);
  const isFree = new Array<boolean>(n).fill(false);
  let grad = negativeHalfGradient(g, n, h, w);
  let iterations = 0;
  const maxIterations = 3 * n + 10;
  for (;;) {
    // entering variable: the bound variable whose objective falls fastest when it rises from 0
    let enter = -1;
    let best = tol;
    for (let j = 0; j < n; j++) {
      if (!isFree[j] && grad[j]! > best) {
        best = grad[j]!;
        enter = j;
      }
    }
    if (enter < 0) break;
    if (++iterations > maxIterations) throw new Error(`NNLS did not converge in ${maxIterations} iterations (n = ${n})`);
    isFree[enter] = true;
    for (;;) {
      const free = [...Array(n).keys()].filter((j) => isFree[j]);
      const s = choleskySolve(g, n, h, free, pivotTol);
      if (!s) throw new CollinearHedgesError(free);
      let allPositive = true;
      for (let i = 0; i < free.length; i++) if (!(s[i]! > 0)) allPositive = false;
      if (allPositive) {
        w.fill(0);
        free.forEach((j, i) => (w[j] = s[i]!));
        break;
      }
      // step from w towards s as far as feasibility allows; the blocking variables leave the free set
      let alpha = Infinity;
      free.forEach((j, i) => {
        if (!(s[i]! > 0)) alpha = Math.min(alpha, w[j]! / (w[j]! - s[i]!));
      });
      free.forEach((j, i) => {
        w[j] = w[j]! + alpha * (s[i]! - w[j]!);
        if (!(w[j]! > 0) || (!(s[i]! > 0) && Math.abs(w[j]!) <= 1e-15 * (1 + Math.abs(s[i]!)))) {
          w[j] = 0;
          isFree[j] = false;
        }
      });
      if (++iterations > maxIterations) throw new Error(`NNLS did not converge in ${maxIterations} iterations (n = ${n})`);
    }
    grad = negativeHalfGradient(g, n, h, w);
  }
  const atBound = Array.from(w, (x, j) => x === 0 && grad[j]! < -tol);
  return { w, gradient: grad, atBound, iterations };
}
