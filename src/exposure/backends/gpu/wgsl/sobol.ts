/**
 * WGSL of `--rng sobol` on the device: each path's Sobol point, digitally shifted by the seed, through a Brownian
 * bridge per driver, as src/simulation/crossAsset/simulate.ts sobolStepNormals does on the host (docs/model.md
 * "Random numbers"). One invocation per (path p = id.x, driver a = id.y) builds the driver's Brownian motion W at the
 * grid's step times, construction step by construction step:
 *   z_i = Φ⁻¹ of coordinate c = i·S + slot(a) of point (global path) when c < dims (the word: the XOR of the direction
 *         numbers of the set bits of the path's Gray code, XOR the coordinate's shift), else the Philox normal of the
 *         driver's stream at step i (word i & 3 of the block at counter (global path, stream, i >> 2, 0)), the CPU's
 *         fallback past the table's coordinates;
 *   W[built_i] = lw_i·W[left_i] + rw_i·W[right_i] + sd_i·z_i (W[−1] = 0),
 * all in f32 (the tables are the host's f64 ones rounded). W goes to `out` at wOffset + (k·nAux + a)·count + p for
 * step k; the simulation kernel (simulate.ts) takes the step normal ξ_k = (W_k − W_{k−1})/√(t_k − t_{k−1}) from it.
 * Φ⁻¹ of a word is the Philox port's normal_of_word (the same f32 AS241).
 *
 * `ints` (u32): [0] paths in the block, [1] steps n, [2] the block's first global path, [3] nAux, [4..5] the Philox key,
 * [6] slots S, [7] dims (coordinates from the table), [8..9] construction steps [i0, i1) of this dispatch, [10]
 * wOffset; from SOBOL_HEADER: streams[nAux], slot[nAux], built[n], left[n] (0xffffffff for −1), right[n], shift[dims],
 * directions[dims·32]. `reals` (f32): leftWeight[n], rightWeight[n], stdDev[n].
 *
 * One dispatch covers construction steps [i0, i1) (Mesa llvmpipe's loop limiter, as the simulation's date chunks):
 * W of earlier steps is read back from `out`.
 */
import { PHILOX_WGSL } from './philox.js';

/** Words of the header at the start of the Sobol kernel's `ints`. */
export const SOBOL_HEADER = 16;

export const SOBOL_BRIDGE_WGSL = /* wgsl */ `
${PHILOX_WGSL}
@group(0) @binding(0) var<storage, read> ints: array<u32>;
@group(0) @binding(1) var<storage, read> reals: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let count = ints[0];
  let p = id.x;
  let a = id.y;
  let nAux = ints[3];
  if (p >= count || a >= nAux) { return; }
  let n = ints[1];
  let g = ints[2] + p;
  let key0 = ints[4];
  let key1 = ints[5];
  let slots = ints[6];
  let dims = ints[7];
  let i0 = ints[8];
  let i1 = ints[9];
  let wOffset = ints[10];
  let streams0 = ${SOBOL_HEADER}u;
  let slot0 = streams0 + nAux;
  let built0 = slot0 + nAux;
  let left0 = built0 + n;
  let right0 = left0 + n;
  let shift0 = right0 + n;
  let dir0 = shift0 + dims;
  let stream = ints[streams0 + a];
  let slot = ints[slot0 + a];
  let gray = g ^ (g >> 1u);
  for (var i = i0; i < i1; i++) {
    let c = i * slots + slot;
    var z: f32;
    if (c < dims) {
      var x = ints[shift0 + c];
      var bits = gray;
      var k = 0u;
      loop {
        if (bits == 0u) { break; }
        if ((bits & 1u) == 1u) { x = x ^ ints[dir0 + c * 32u + k]; }
        bits = bits >> 1u;
        k = k + 1u;
      }
      z = normal_of_word(x);
    } else {
      let block = philox4x32(vec4<u32>(g, stream, i >> 2u, 0u), key0, key1);
      z = normal_of_word(block[i & 3u]);
    }
    let b = ints[built0 + i];
    let l = ints[left0 + i];
    let r = ints[right0 + i];
    // as BrownianBridge.transform: (lw·W_l + rw·W_r) + sd·z
    var w = 0.0;
    if (l != 0xffffffffu) { w = reals[i] * out[wOffset + (l * nAux + a) * count + p]; }
    if (r != 0xffffffffu) { w = w + reals[n + i] * out[wOffset + (r * nAux + a) * count + p]; }
    w = w + reals[2u * n + i] * z;
    out[wOffset + (b * nAux + a) * count + p] = w;
  }
}
`;
