/**
 * Correlation matrices of the simulated factors: eigenvalues by the cyclic Jacobi method (Golub & Van Loan,
 * "Matrix Computations", §8.5), the positive semi-definiteness check of the market loader and, when it fails, the
 * factors that break it.
 */
import type { CorrelationMatrix, Market } from './types.js';

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns of a row-major n x n matrix, in the order of `values`. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix (row-major, n x n) by cyclic Jacobi rotations, to off-diagonal mass
 * below 1e-15 of the Frobenius norm. The input is not modified.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let k = 0; k < n * n; k++) norm += a[k]! * a[k]!;
  const tolerance = 1e-30 * Math.max(norm, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q]! * a[p * n + q]!;
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // Rotation angle that zeroes a[p][q]: t = tan(theta), the smaller root of t^2 + 2 tau t - 1 = 0.
        const tau = (aqq - app) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((col, newCol) => {
    for (let k = 0; k < n; k++) vectors[k * n + newCol] = v[k * n + col]!;
  });
  return { values, vectors };
}

/** Eigenvalues at or above this count as non-negative (rounding of the Jacobi sweeps). */
export const PSD_TOLERANCE = -1e-10;

export interface PsdViolation {
  /** Smallest eigenvalue of the whole matrix. */
  minEigenvalue: number;
  /** Factors named as the cause: the smallest inconsistent block when one of 3 or 4 factors exists, else the
   * factors with the largest weight in the eigenvector of the negative eigenvalue. */
  factors: string[];
  /** Smallest eigenvalue of the block of `factors` (the whole matrix's when they come from the eigenvector). */
  blockEigenvalue: number;
  /** How `factors` were found. */
  reason: 'block' | 'eigenvector';
}

function subMatrix(matrix: Float64Array, n: number, idx: number[]): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = matrix[idx[i]! * n + idx[j]!]!;
  return out;
}

/** The smallest block (3 or 4 factors) that is not PSD, searched while the number of blocks stays modest. */
function smallestBadBlock(matrix: Float64Array, n: number): { idx: number[]; eigenvalue: number } | undefined {
  const maxBlocks = 200_000;
  for (const size of [3, 4]) {
    if (n < size) return undefined;
    let blocks = 1;
    for (let k = 0; k < size; k++) blocks = (blocks * (n - k)) / (k + 1);
    if (blocks > maxBlocks) return undefined;
    let worst: { idx: number[]; eigenvalue: number } | undefined;
    const idx = Array.from({ length: size }, (_, k) => k);
    for (;;) {
      const eigenvalue = symmetricEigen(subMatrix(matrix, n, idx), size).values[0]!;
      if (eigenvalue < PSD_TOLERANCE && (worst === undefined || eigenvalue < worst.eigenvalue)) {
        worst = { idx: [...idx], eigenvalue };
      }
      // Next combination in lexicographic order.
      let k = size - 1;
      while (k >= 0 && idx[k] === n - size + k) k--;
      if (k < 0) break;
      idx[k]!++;
      for (let j = k + 1; j < size; j++) idx[j] = idx[j - 1]! + 1;
    }
    if (worst) return worst;
  }
  return undefined;
}

/** Undefined when the matrix is positive semi-definite; otherwise what breaks it. */
export function findPsdViolation(factors: readonly string[], matrix: Float64Array): PsdViolation | undefined {
  const n = factors.length;
  if (n === 0) return undefined;
  const { values, vectors } = symmetricEigen(matrix, n);
  const minEigenvalue = values[0]!;
  if (minEigenvalue >= PSD_TOLERANCE) return undefined;
  const block = smallestBadBlock(matrix, n);
  if (block) {
    return {
      minEigenvalue,
      factors: block.idx.map((i) => factors[i]!),
      blockEigenvalue: block.eigenvalue,
      reason: 'block',
    };
  }
  // Factors carrying most of the eigenvector of the negative eigenvalue (weights >= 30% of the largest).
  const weights = Array.from({ length: n }, (_, k) => ({ k, w: Math.abs(vectors[k * n]!) }));
  weights.sort((x, y) => y.w - x.w);
  const cut = 0.3 * weights[0]!.w;
  const named = weights.filter((x) => x.w >= cut).slice(0, 6);
  return {
    minEigenvalue,
    factors: named.map((x) => factors[x.k]!),
    blockEigenvalue: minEigenvalue,
    reason: 'eigenvector',
  };
}

const indexCache = new WeakMap<CorrelationMatrix, Map<string, number>>();

function factorIndex(correlation: CorrelationMatrix): Map<string, number> {
  let index = indexCache.get(correlation);
  if (!index) {
    index = new Map(correlation.factors.map((f, i) => [f, i]));
    indexCache.set(correlation, index);
  }
  return index;
}

/** Correlation of two factors of the market: 1 on the diagonal, 0 when either factor is not in the matrix. */
export function correlationOf(market: Market, a: string, b: string): number {
  if (a === b) return 1;
  const correlation = market.correlation;
  const index = factorIndex(correlation);
  const i = index.get(a);
  const j = index.get(b);
  if (i === undefined || j === undefined) return 0;
  return correlation.matrix[i * correlation.factors.length + j]!;
}
