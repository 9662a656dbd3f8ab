/**
 * The standard normals of exercise decisions taken between grid dates: a physically settled swaption's expiry, a
 * Bermudan's exercise dates. The state X at such a date is not simulated; given the grid states around it, it is the
 * Brownian bridge N(m, s²) of the LGM state, and a path draws X = m + s·z from it, so that each path either holds the
 * underlying swap or does not (an average of the two would mix them inside a netting set's max(V, 0):
 * docs/simulation.md, "Exercise between grid dates").
 *
 * Addressing, as the simulation's draws (normal.ts) but apart from them: z of global path g, trade stream f and
 * exercise k is word k & 3 of the Philox4x32-10 block at counter (g, f, k >> 2, EXERCISE_DRAW_DOMAIN) under the seed's
 * key, u = (w + 0.5)·2⁻³², z = Φ⁻¹(u). The simulation's counters have 0 in the last word, so no exercise draw is a
 * market draw; f is the FNV-1a hash of `exercise:<tradeId>`, so a trade's draws depend on its id alone, never on its
 * place in the book, the netting set, the thread, the shard or the backend (the GPU kernel draws the same words:
 * backends/gpu/wgsl/value.ts). Under antithetic paths (SimulatedPaths.antithetic: pairs (2k, 2k+1) by global index, as the
 * market draws pair up, normal.ts) path 2k+1 takes −z of path 2k, so that a pair's exercise decisions are mirrored too.
 */
import { factorStream } from '../../simulation/layout.js';
import { inverseNormalCdf } from '../../simulation/rng/normal.js';
import { philoxBlocks, philoxRoundKeys, seedKey, UINT32_TO_UNIT } from '../../simulation/rng/philox.js';

/** Last counter word of every exercise draw ('EXER'); the simulation's draws have 0 there. */
export const EXERCISE_DRAW_DOMAIN = 0x45584552;

/** The Philox stream of a trade's exercise draws. */
export function exerciseStream(tradeId: string): number {
  return factorStream(`exercise:${tradeId}`);
}

const BATCH = 256;
const words = new Uint32Array(4 * BATCH);
const key = new Uint32Array(2);
const roundKeys = new Uint32Array(20);

/**
 * out[i] = z of global path path0 + i, stream `stream`, exercise `k` (see above), i < n; with `antithetic`, an odd
 * global path's z is −z of the even path before it (its counter).
 */
export function exerciseNormals(seed: number, path0: number, n: number, stream: number, k: number, out: Float64Array, antithetic = false): void {
  if (!(n <= out.length)) throw new RangeError(`out holds ${out.length} values, fewer than ${n}`);
  philoxRoundKeys(seedKey(seed, key), roundKeys);
  const word = k & 3;
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    philoxBlocks(path0 + start, 1, stream, k >>> 2, EXERCISE_DRAW_DOMAIN, count, roundKeys, words);
    for (let j = 0; j < count; j++) out[start + j] = inverseNormalCdf((words[4 * j + word]! + 0.5) * UINT32_TO_UNIT);
  }
  if (!antithetic) return;
  // pairs (2k, 2k+1): the odd path mirrors its even partner's draw (a leading odd path's partner is outside the block)
  if ((path0 & 1) === 1) out[0] = -exerciseNormalAt(seed, path0 - 1, stream, k);
  for (let i = (path0 & 1) === 1 ? 2 : 1; i < n; i += 2) out[i] = -out[i - 1]!;
}

/** z of one global path (no antithetic pairing): exerciseNormals for a single path. */
function exerciseNormalAt(seed: number, path: number, stream: number, k: number): number {
  const one = new Float64Array(1);
  exerciseNormals(seed, path, 1, stream, k, one);
  return one[0]!;
}
