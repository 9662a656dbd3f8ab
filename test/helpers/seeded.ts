/**
 * Small seeded generators for tests' own reference simulations, independent of the engine's Philox and Sobol streams:
 * mulberry32 (uniforms in [0, 1), 2^32 states) and Box-Muller normals on it (the pair's second value kept for the
 * next call). Statistical quality is ample for the tests' Monte Carlo references; they are not for production use.
 */

/** mulberry32: uniforms in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals by Box-Muller on mulberry32(seed): cos then sin of each pair of uniforms. */
export function boxMullerNormals(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * uniform();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}
