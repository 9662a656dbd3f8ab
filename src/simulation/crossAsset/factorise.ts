/**
 * Square-root factors of covariance and correlation blocks: a Cholesky factor (Golub & Van Loan, "Matrix
 * Computations", §4.2) that tolerates exactly singular directions (a zero pivot leaves its column zero), and, when a
 * pivot comes out clearly negative, the symmetric eigen-decomposition with the negative rounding noise clipped:
 * M = V·diag(√max(λ, 0)). Either way M·Mᵀ reproduces the matrix (up to the clipped noise).
 */
import { PSD_TOLERANCE, symmetricEigen } from '../../market/correlation.js';
import { XvaInternalError } from '../../errors.js';

/** A pivot below this fraction of its diagonal entry is a singular direction (its column is set to zero). */
const ZERO_PIVOT = 1e-12;
/** A pivot below −NEGATIVE_PIVOT × its diagonal entry means the matrix is not PSD to rounding: fall back to eigen. */
const NEGATIVE_PIVOT = 1e-10;

export interface Factor {
  /** Row-major m × m; out = M·z. */
  matrix: Float64Array;
  /** True when M is lower triangular (Cholesky), so rows need only j ≤ i. */
  lowerTriangular: boolean;
  /** Smallest eigenvalue relative to the largest diagonal entry (eigen fallback only; 0 for Cholesky). */
  minRelativeEigenvalue: number;
}

function cholesky(a: Float64Array, m: number): Float64Array | undefined {
  const l = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    const diagonal = a[j * m + j]!;
    let d = diagonal;
    for (let k = 0; k < j; k++) d -= l[j * m + k]! * l[j * m + k]!;
    if (d < -NEGATIVE_PIVOT * Math.max(diagonal, 1e-300)) return undefined;
    if (!(d > ZERO_PIVOT * diagonal)) continue; // singular direction (or rounding below zero): column j stays zero
    const ljj = Math.sqrt(d);
    l[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      l[i * m + j] = s / ljj;
    }
  }
  return l;
}

/**
 * A factor M with M·Mᵀ = a (symmetric PSD, row-major m × m). `label` names the block in the error thrown when the
 * matrix is clearly not positive semi-definite (smallest eigenvalue below PSD_TOLERANCE relative to the diagonal).
 */
export function factorise(a: Float64Array, m: number, label: string): Factor {
  const l = cholesky(a, m);
  if (l) return { matrix: l, lowerTriangular: true, minRelativeEigenvalue: 0 };
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, a[i * m + i]!);
  const { values, vectors } = symmetricEigen(a, m);
  const relativeMin = scale > 0 ? values[0]! / scale : 0;
  if (relativeMin < PSD_TOLERANCE) {
    throw new XvaInternalError(`${label}: the matrix is not positive semi-definite (smallest eigenvalue ${values[0]} of scale ${scale})`);
  }
  const out = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    const root = Math.sqrt(Math.max(values[k]!, 0));
    if (root === 0) continue;
    for (let i = 0; i < m; i++) out[i * m + k] = vectors[i * m + k]! * root;
  }
  return { matrix: out, lowerTriangular: false, minRelativeEigenvalue: relativeMin };
}
