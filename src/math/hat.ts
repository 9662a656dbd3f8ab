/**
 * Triangular (hat) weights on a grid of vertices: how a bump at one vertex spreads over times between vertices.
 */

/**
 * Weight of vertex k at time t: 1 at the vertex, linear to 0 at its neighbours, flat beyond the first and last
 * vertex. Σ_k w_k(t) = 1 for every t, so the bucketed bumps add up to the parallel bump.
 */
export function hatWeight(vertices: ArrayLike<number>, k: number, t: number): number {
  const n = vertices.length;
  const tk = vertices[k]!;
  if (t <= tk) {
    if (k === 0) return 1;
    const prev = vertices[k - 1]!;
    return t <= prev ? 0 : (t - prev) / (tk - prev);
  }
  if (k === n - 1) return 1;
  const next = vertices[k + 1]!;
  return t >= next ? 0 : (next - t) / (next - tk);
}
