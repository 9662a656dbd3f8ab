/**
 * Grid functions of one Gaussian state variable (an LGM state x_c or a credit state y): a function of the state is
 * tabulated on a uniform grid of GRID_NODES nodes spanning the block's paths at one date and read back per path by
 * 6-point (degree-5) Lagrange interpolation, the stencil centred on the path's cell.
 *
 * Why degree 5 rather than cubic: the pooled functions are sums of exponentials Σ A_k·e^{−a_k x}; the interpolation
 * error of a degree-(q−1) Lagrange stencil is |ω(u)|/q!·h^q·f^{(q)} (the standard remainder, e.g. Atkinson, "An
 * Introduction to Numerical Analysis", §3.2), i.e. about 4.9e-3·(a·h)^6 relative per term for the centred 6-point
 * stencil against 2.3e-2·(a·h)^4 for the cubic one. With 64 nodes over the paths' range (about ±4 standard deviations
 * of x for 5,000 paths) and a·sd(x) ≤ 0.45 (a 30Y flow seen from 10Y under σ = 100bp), a·h ≤ 0.065 and the error is
 * below 1e-10 of the gross flow value, against 4e-7 for the cubic stencil on the same grid, at 6 multiply-adds a path
 * instead of 4. The interpolant on a cell is a polynomial of degree 5 in the path's position u within the cell, so a
 * function's table is turned into six coefficients per cell once per date (nodesToCells) and a path evaluates
 * Σ_m a_m·u^m with the powers of its u, shared by every grid function of that currency: four products a path instead
 * of the six Lagrange products (`stencil`, the direct form, which the tests use as the reference).
 *
 * Building a function on the grid costs two exponentials per exponential term (the value at the first node and the
 * ratio between nodes) and GRID_NODES multiply-adds (e^{−a(x0 + g·h)} = e^{−a·x0}·(e^{−a·h})^g).
 */

/** Nodes of every state grid. */
export const GRID_NODES = 64;
/** Stencil width (degree + 1) of the Lagrange interpolation. */
export const STENCIL = 6;
/**
 * Ranges of states already scanned, per state array (a run's paths: filled once, then only read) and offset + count.
 * An array whose values change after a scan (a caller reusing it for other paths) must not be passed again.
 */
const scannedRanges = new WeakMap<Float64Array, Map<number, Map<number, [number, number]>>>();

/**
 * The scanned ranges of xs for n paths a scan, by offset: maps keyed by small integers (a key combining n and the
 * offset was a double above the small-integer range, a number allocated on the heap at every lookup: 4 million of them
 * a pass over utb-20k's GPU tables).
 */
function rangesOf(xs: Float64Array, n: number): Map<number, [number, number]> {
  let byCount = scannedRanges.get(xs);
  if (!byCount) scannedRanges.set(xs, (byCount = new Map()));
  let byOffset = byCount.get(n);
  if (!byOffset) byCount.set(n, (byOffset = new Map()));
  return byOffset;
}

/**
 * Puts ranges scanned elsewhere into the cache of stateGridFor: for the state array xs of a run's paths (date-major,
 * n paths a date), date d's least and greatest value at ranges[(row·nDates + d)·2] and [+1]. A GPU run whose paths
 * stay on the device (backends/gpu/kernels.ts stateRanges) hands the worker threads these, so that they build the
 * same grids before, or without, the host copy of the paths; the ranges must be those of the values xs will hold.
 */
export function seedStateRanges(xs: Float64Array, n: number, ranges: Float64Array, row: number, nDates: number): void {
  const byOffset = rangesOf(xs, n);
  for (let d = 0; d < nDates; d++) byOffset.set(d * n, [ranges[2 * (row * nDates + d)]!, ranges[2 * (row * nDates + d) + 1]!]);
}

/** Narrowest grid span in state units: all paths at one point (t = 0) still give a well-defined grid. */
const MIN_SPAN = 1e-6;

/**
 * Fills spec[0] = x0 (first node) and spec[1] = h (node spacing) for the states xs[offset .. offset+n): the paths'
 * range [lo, hi] is covered by nodes 2 .. GRID_NODES−3, so that every path's 6-point stencil lies inside the grid.
 */
export function stateGridFor(xs: Float64Array, offset: number, n: number, spec: Float64Array): void {
  // The range of a date's states is the same for every pool and trade of the run on those paths: scanned once per
  // array, date and path count (5,000 paths × every pool, trade and date of a book otherwise), then reused.
  const byOffset = rangesOf(xs, n);
  let range = byOffset.get(offset);
  if (!range) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < n; p++) {
      const x = xs[offset + p]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    byOffset.set(offset, (range = [lo, hi]));
  }
  let lo = range[0];
  let hi = range[1];
  if (!(hi - lo >= MIN_SPAN)) {
    const mid = n > 0 && Number.isFinite(lo) ? 0.5 * (lo + hi) : 0;
    lo = mid - 0.5 * MIN_SPAN;
    hi = mid + 0.5 * MIN_SPAN;
  }
  const h = (hi - lo) / (GRID_NODES - 5);
  spec[0] = lo - 2 * h;
  spec[1] = h;
}

/**
 * nodes[g] += amp·e^{logScale − rate·(x0 + g·h)} for g < GRID_NODES (two exponentials, GRID_NODES multiply-adds);
 * `logScale` folds a constant factor into the first exponential.
 */
export function addExponential(amp: number, rate: number, x0: number, h: number, nodes: Float64Array, nodeOffset: number, logScale = 0): void {
  let v = amp * Math.exp(logScale - rate * x0);
  const ratio = Math.exp(-rate * h);
  const end = nodeOffset + GRID_NODES;
  for (let g = nodeOffset; g < end; g++) {
    nodes[g] += v;
    v *= ratio;
  }
}

/** Σ_g weights[g]·amp·e^{logScale − rate·(x0 + g·h)}: the node-weighted sum of one exponential term (Euler allocation). */
export function dotExponential(amp: number, rate: number, x0: number, h: number, weights: Float64Array, weightOffset: number, logScale = 0): number {
  let v = amp * Math.exp(logScale - rate * x0);
  const ratio = Math.exp(-rate * h);
  let sum = 0;
  const end = weightOffset + GRID_NODES;
  for (let g = weightOffset; g < end; g++) {
    sum += weights[g]! * v;
    v *= ratio;
  }
  return sum;
}

/**
 * Stencil of the state x on the grid (x0, h): returns the index of the stencil's first node and writes the six
 * Lagrange weights into w[0..6). Positions are relative to the cell start c: nodes c−2 .. c+3, u = (x − x_c)/h in
 * [0, 1]; the weight of node i is Π_{j≠i}(u − j)/(i − j) (the products, then times the reciprocal of the
 * denominator). The engine evaluates the same interpolant through cell polynomials (nodesToCells) and gathers Euler
 * weights through cell moments (cellMomentsToNodes); this direct form is their reference in the tests.
 */
export function stencil(x: number, x0: number, invH: number, w: Float64Array): number {
  const s = (x - x0) * invH;
  let c = Math.floor(s);
  if (c < 2) c = 2;
  else if (c > GRID_NODES - 4) c = GRID_NODES - 4;
  const u = s - c;
  const ua = u + 2, ub = u + 1, ud = u - 1, ue = u - 2, uf = u - 3;
  const uab = ua * ub, uef = ue * uf, uud = u * ud;
  w[0] = ub * uud * uef * (-1 / 120);
  w[1] = ua * uud * uef * (1 / 24);
  w[2] = uab * ud * uef * (-1 / 12);
  w[3] = uab * u * uef * (1 / 12);
  w[4] = uab * uud * uf * (-1 / 24);
  w[5] = uab * uud * ue * (1 / 120);
  return c - 2;
}

/** Cells of a state grid: a path's stencil starts at node b = c − 2 for its cell c in 2 .. GRID_NODES − 4. */
export const GRID_CELLS = GRID_NODES - 5;
/** Doubles of one function's cell moments (cellMomentsToNodes): STENCIL per cell. */
export const CELL_BLOCK = GRID_CELLS * STENCIL;

/**
 * The Lagrange weights of the 6-point stencil as polynomials in the position u within the cell:
 * L_k(u) = Π_{j≠k}(u − (j − 2))/Π_{j≠k}(k − j) = Σ_m LAGRANGE_POWERS[6k + m]·u^m (k, m = 0..5), the products expanded
 * here once (the coefficients are multiples of 1/120; each is the double nearest the sum the expansion makes).
 */
export const LAGRANGE_POWERS: Float64Array = (() => {
  const c = new Float64Array(STENCIL * STENCIL);
  for (let k = 0; k < STENCIL; k++) {
    let poly = [1];
    let denominator = 1;
    for (let j = 0; j < STENCIL; j++) {
      if (j === k) continue;
      // times (u − (j − 2))
      const root = j - 2;
      const next = new Array<number>(poly.length + 1).fill(0);
      for (let i = 0; i < poly.length; i++) {
        next[i + 1]! += poly[i]!;
        next[i]! -= root * poly[i]!;
      }
      poly = next;
      denominator *= k - j;
    }
    for (let m = 0; m < STENCIL; m++) c[STENCIL * k + m] = poly[m]! / denominator;
  }
  return c;
})();

/**
 * The Euler scatter's cell moments to node weights: nodes[nodeOffset + b + k] += Σ_m L_k's u^m coefficient ·
 * moments[momentOffset + 6b + m] for every cell b, i.e. Σ_p a_p·L_k(u_p) over the paths of each cell from the moments
 * Σ_p a_p·u_p^m that the scatter gathered (ratePool.ts, cds.ts accumulateTradeWeighted): the node weights the
 * Lagrange stencil would have scattered, to rounding, at a sixth of the per-path work (powers of u instead of the six
 * Lagrange products). Cells whose moments are all zero are skipped.
 */
export function cellMomentsToNodes(moments: Float64Array, momentOffset: number, nodes: Float64Array, nodeOffset: number): void {
  const C = LAGRANGE_POWERS;
  for (let b = 0; b < GRID_CELLS; b++) {
    const o = momentOffset + STENCIL * b;
    const m0 = moments[o]!;
    const m1 = moments[o + 1]!;
    const m2 = moments[o + 2]!;
    const m3 = moments[o + 3]!;
    const m4 = moments[o + 4]!;
    const m5 = moments[o + 5]!;
    if (m0 === 0 && m1 === 0 && m2 === 0 && m3 === 0 && m4 === 0 && m5 === 0) continue;
    const at = nodeOffset + b;
    for (let k = 0; k < STENCIL; k++) {
      const r = STENCIL * k;
      nodes[at + k] += C[r]! * m0 + C[r + 1]! * m1 + C[r + 2]! * m2 + C[r + 3]! * m3 + C[r + 4]! * m4 + C[r + 5]! * m5;
    }
  }
}

/**
 * A grid function's cell polynomials: cells[cellOffset + 6b + m] = Σ_k L_k's u^m coefficient · nodes[nodeOffset + b + k]
 * (k = 0..5 left to right), so that the 6-point Lagrange interpolant on cell b is Σ_m cells[6b + m]·u^m (cellValue).
 * The valuation then costs a path the powers of u (four products) instead of the six Lagrange products; the same
 * interpolant, to rounding.
 */
export function nodesToCells(nodes: Float64Array, nodeOffset: number, cells: Float64Array, cellOffset: number): void {
  const C = LAGRANGE_POWERS;
  for (let b = 0; b < GRID_CELLS; b++) {
    const at = nodeOffset + b;
    const n0 = nodes[at]!;
    const n1 = nodes[at + 1]!;
    const n2 = nodes[at + 2]!;
    const n3 = nodes[at + 3]!;
    const n4 = nodes[at + 4]!;
    const n5 = nodes[at + 5]!;
    const o = cellOffset + STENCIL * b;
    for (let m = 0; m < STENCIL; m++) {
      cells[o + m] = C[m]! * n0 + C[STENCIL + m]! * n1 + C[2 * STENCIL + m]! * n2 + C[3 * STENCIL + m]! * n3 + C[4 * STENCIL + m]! * n4 + C[5 * STENCIL + m]! * n5;
    }
  }
}

/** Position of the grid's centre in node steps: the moment form's expansion point x_c = x0 + GRID_CENTRE·h. */
export const GRID_CENTRE = (GRID_NODES - 1) / 2;

/**
 * A grid function's node values from its Taylor moments about the grid's centre (PoolNodeTable.order ≥ 1):
 * out[outOffset + g] = Σ_{m<order} moments[momentOffset + m]·y_g^m, y_g = (g − GRID_CENTRE)·h, by Horner in f64 (as
 * the device does in f32, wgsl/value.ts).
 */
export function momentNodes(moments: Float64Array, momentOffset: number, order: number, h: number, out: Float64Array, outOffset: number): void {
  for (let g = 0; g < GRID_NODES; g++) {
    const y = (g - GRID_CENTRE) * h;
    let v = moments[momentOffset + order - 1]!;
    for (let m = order - 2; m >= 0; m--) v = v * y + moments[momentOffset + m]!;
    out[outOffset + g] = v;
  }
}

/** Most Taylor terms used by the moment form; beyond it the grid functions are built by recurrence. */
export const MAX_MOMENTS = 40;
/** Truncation target of the moment form, relative to the gross value of the terms at the grid's centre. */
export const MOMENT_TOLERANCE = 1e-15;

/**
 * Number of Taylor terms M for exponential terms e^{−a·y} with |a·y| ≤ z on the grid: the remainder of
 * Σ_{m<M} (−a·y)^m/m! is at most z^M/M!·e^z (Lagrange form of the remainder), kept below MOMENT_TOLERANCE; returns
 * MAX_MOMENTS + 1 when more terms would be needed.
 *
 * Why moments: a pool's merged flows Σ_k A_k·e^{−a_k·x} at the nodes x = x_c + y_g (x_c the grid's centre) equal
 * Σ_m M_m·y_g^m with M_m = Σ_k A_k·e^{−a_k·x_c}·(−a_k)^m/m!: one exponential and M multiply-adds a flow instead of two
 * exponentials and GRID_NODES multiply-adds, then GRID_NODES·M for all the nodes. The same moments dotted with the
 * node weights' power sums μ_m = Σ_g W_g·y_g^m give a flow's Euler allocation in M multiply-adds.
 */
export function momentOrder(z: number): number {
  const bound = MOMENT_TOLERANCE * Math.exp(-z);
  let term = 1;
  for (let m = 1; m <= MAX_MOMENTS; m++) {
    term *= z / m;
    if (term <= bound) return m;
  }
  return MAX_MOMENTS + 1;
}

/**
 * The 6-point Lagrange interpolant of table[b .. b+5] (the nodes at −2 .. 3 steps from the cell's left node) at the
 * position u in the cell: Σ_i L_i(u)·table[b + i], L_i(u) = Π_{j≠i}(u − j)/(i − j), summed in node order. For the
 * per-path tables read one path at a time (options.ts blackOnGrid, compile.ts SwaptionBands).
 */
export function lagrange6(table: Float64Array, b: number, u: number): number {
  const ua = u + 2, ub = u + 1, ud = u - 1, ue = u - 2, uf = u - 3;
  const uab = ua * ub, uef = ue * uf, uud = u * ud;
  return (
    ub * uud * uef * (-1 / 120) * table[b]! +
    ua * uud * uef * (1 / 24) * table[b + 1]! +
    uab * ud * uef * (-1 / 12) * table[b + 2]! +
    uab * u * uef * (1 / 12) * table[b + 3]! +
    uab * uud * uf * (-1 / 24) * table[b + 4]! +
    uab * uud * ue * (1 / 120) * table[b + 5]!
  );
}
