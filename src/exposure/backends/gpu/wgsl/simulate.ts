/**
 * WGSL of the cross-asset path simulation: the same exact Gaussian steps as src/simulation/crossAsset/simulate.ts
 * (the step plan's factor matrices, drifts and LGM functions computed once on the host in f64, uploaded in f32), one
 * invocation per path looping over the dates. Normals: word d & 3 of the Philox block at counter
 * (global path, driver stream, d >> 2, 0), exactly the CPU stream; antithetic pairs (2k, 2k+1) share the even path's
 * counter with the odd path's normals negated.
 *
 * Buffers (three storage bindings, within compatibility mode's limits):
 * - `ints` (u32): header (HEADER words, see SimHeader in ../kernels.ts), then auxStreams[nAux], rows[4·nAux]
 *   (block start in `members`, block size m, row i in the block, block offset in a step's factor slice),
 *   members[nAux], fxCurrencyIndex[nFx], equityFxIndex[nEq] (0xffffffff = base currency);
 * - `reals` (f32): factors[nDates·stepStride], per date K = 3·nC + nFx + 2·nEq constants (driftX, H, g, driftU,
 *   driftW, q·t), then ln FX₀[nFx], w₀[nEq], ln S₀[nEq];
 * - `out` (f32): factor-major, date-major paths: value of factor f at date d, local path p at (f·nDates + d)·nPaths + p,
 *   factors in the order IR (nC), FX (nFx), EQ (nEq), credit (nCr), then the numeraire N.
 *
 * - `state` (f32): the carried state between dispatches, [k·nPaths + p] for x (nC), u (nFx), w (nEq), y (nCr); under
 *   Sobol draws (header word 14 = 1) followed by the bridge's W of each step and driver (sobol.ts), from which the
 *   kernel takes the step normals instead of Philox's, with 1/√(t_k − t_{k−1}) at reals[header word 15 + k].
 *
 * One dispatch covers dates [d0, d1) (header words 12, 13): Mesa's llvmpipe stops a loop after 65,535 iterations in
 * one invocation (its loop limiter), so the host splits the dates into chunks whose inner loops stay well below that,
 * and the state travels between chunks through `state` (the normals of a chunk's first Philox block are drawn again:
 * the same words). Private arrays need sizes known when the shader compiles: the builder inlines the run's counts.
 */
import { PHILOX_WGSL } from './philox.js';

/** Words of the header at the start of `ints`. */
export const HEADER = 16;

export interface SimulateShaderSizes {
  nAux: number;
  nC: number;
  nFx: number;
  nEq: number;
  nCr: number;
}

export function simulateWgsl(s: SimulateShaderSizes): string {
  const cap = (n: number): number => Math.max(1, n);
  return /* wgsl */ `
${PHILOX_WGSL}
const MAX_AUX: u32 = ${cap(s.nAux)}u;
const MAX_C: u32 = ${cap(s.nC)}u;
const MAX_FX: u32 = ${cap(s.nFx)}u;
const MAX_EQ: u32 = ${cap(s.nEq)}u;
const MAX_CR: u32 = ${cap(s.nCr)}u;

@group(0) @binding(0) var<storage, read> ints: array<u32>;
@group(0) @binding(1) var<storage, read> reals: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let nPaths = ints[0];
  let p = id.x;
  if (p >= nPaths) { return; }
  let nDates = ints[1];
  let pathOffset = ints[2];
  let antithetic = ints[3];
  let key0 = ints[4];
  let key1 = ints[5];
  let nAux = ints[6];
  let nC = ints[7];
  let nFx = ints[8];
  let nEq = ints[9];
  let nCr = ints[10];
  let stepStride = ints[11];
  let d0 = ints[12];
  let d1 = ints[13];
  let sobol = ints[14];
  let inverseStep0 = ints[15];
  let w0 = (nC + nFx + nEq + nCr) * nPaths;
  let streams0 = ${HEADER}u;
  let rows0 = streams0 + nAux;
  let members0 = rows0 + 4u * nAux;
  let fxCcy0 = members0 + nAux;
  let eqFx0 = fxCcy0 + nFx;
  let K = 3u * nC + nFx + 2u * nEq;
  let consts0 = nDates * stepStride;
  let init0 = consts0 + nDates * K;
  let fxAux0 = 2u * nC;
  let eqAux0 = fxAux0 + nFx;
  let crAux0 = eqAux0 + nEq;
  let fxOut0 = nC;
  let eqOut0 = fxOut0 + nFx;
  let crOut0 = eqOut0 + nEq;
  let numOut = crOut0 + nCr;

  // Global path and its counter word: antithetic pairs share the even path's counter, the odd one negated.
  let g = pathOffset + p;
  var counterPath = g;
  var sign = 1.0;
  if (antithetic != 0u) {
    counterPath = g - (g & 1u);
    if ((g & 1u) == 1u) { sign = -1.0; }
  }

  var z: array<f32, ${4 * cap(s.nAux)}>;
  var inc: array<f32, ${cap(s.nAux)}>;
  var x: array<f32, ${cap(s.nC)}>;
  var u: array<f32, ${cap(s.nFx)}>;
  var lx: array<f32, ${cap(s.nFx)}>;
  var w: array<f32, ${cap(s.nEq)}>;
  var y: array<f32, ${cap(s.nCr)}>;

  if (d0 == 0u) {
    // Date 0: x = 0, y = 0, N = 1, today's FX and equity spots.
    for (var c = 0u; c < nC; c++) { x[c] = 0.0; out[(c * nDates) * nPaths + p] = 0.0; }
    for (var i = 0u; i < nFx; i++) {
      u[i] = reals[init0 + i];
      out[((fxOut0 + i) * nDates) * nPaths + p] = reals[init0 + i];
    }
    for (var e = 0u; e < nEq; e++) {
      w[e] = reals[init0 + nFx + e];
      out[((eqOut0 + e) * nDates) * nPaths + p] = reals[init0 + nFx + nEq + e];
    }
    for (var n = 0u; n < nCr; n++) { y[n] = 0.0; out[((crOut0 + n) * nDates) * nPaths + p] = 0.0; }
    out[(numOut * nDates) * nPaths + p] = 1.0;
  } else {
    for (var c = 0u; c < nC; c++) { x[c] = state[c * nPaths + p]; }
    for (var i = 0u; i < nFx; i++) { u[i] = state[(nC + i) * nPaths + p]; }
    for (var e = 0u; e < nEq; e++) { w[e] = state[(nC + nFx + e) * nPaths + p]; }
    for (var n = 0u; n < nCr; n++) { y[n] = state[(nC + nFx + nEq + n) * nPaths + p]; }
  }

  let dStart = max(d0, 1u);
  for (var d = dStart; d < d1; d++) {
    // Four steps of normals per driver stream when the step enters a new Philox block (CPU: fillNormalBlock), or
    // the chunk starts inside one.
    if (sobol != 0u) {
      // Sobol points: the step normal ξ_k (k = d − 1) from the bridge's W (sobol.ts), as the host's transform does
      let k = d - 1u;
      let inv = reals[inverseStep0 + k];
      for (var a = 0u; a < nAux; a++) {
        var previous = 0.0;
        if (k > 0u) { previous = state[w0 + ((k - 1u) * nAux + a) * nPaths + p]; }
        z[4u * a + (d & 3u)] = (state[w0 + (k * nAux + a) * nPaths + p] - previous) * inv;
      }
    } else if (d == dStart || (d & 3u) == 0u) {
      for (var a = 0u; a < nAux; a++) {
        let block = philox4x32(vec4<u32>(counterPath, ints[streams0 + a], d >> 2u, 0u), key0, key1);
        for (var k = 0u; k < 4u; k++) { z[4u * a + k] = sign * normal_of_word(block[k]); }
      }
    }
    let zk = d & 3u;
    // Correlated driver increments: inc = M_block · z (the step's factor matrix, zeros above a Cholesky diagonal).
    for (var a = 0u; a < nAux; a++) {
      let r = rows0 + 4u * a;
      let start = ints[r];
      let m = ints[r + 1u];
      let row = ints[r + 2u];
      let base = d * stepStride + ints[r + 3u] + row * m;
      var sum = 0.0;
      for (var j = 0u; j < m; j++) { sum = sum + reals[base + j] * z[4u * ints[members0 + start + j] + zk]; }
      inc[a] = sum;
    }
    let cd = consts0 + d * K;
    // LGM states and the base numeraire: ln N = H₀·x₀ + g₀.
    for (var c = 0u; c < nC; c++) {
      x[c] = x[c] + reals[cd + c] + inc[2u * c];
      out[(c * nDates + d) * nPaths + p] = x[c];
    }
    let lnN = reals[cd + nC] * x[0] + reals[cd + 2u * nC];
    out[(numOut * nDates + d) * nPaths + p] = exp(lnN);
    // FX: u_i = ln(X_i N_i / N) a Gaussian martingale; ln X_i = u_i − ln N_i + ln N.
    for (var i = 0u; i < nFx; i++) {
      let c = ints[fxCcy0 + i];
      let v = u[i] + reals[cd + 3u * nC + i] + inc[fxAux0 + i] + inc[2u * c + 1u] - inc[1];
      u[i] = v;
      lx[i] = v - (reals[cd + nC + c] * x[c] + reals[cd + 2u * nC + c]) + lnN;
      out[((fxOut0 + i) * nDates + d) * nPaths + p] = lx[i];
    }
    // Equities: w_e = ln(S e^{qt} X / N) a Gaussian martingale; ln S = w_e − q·t − ln X + ln N.
    for (var e = 0u; e < nEq; e++) {
      let fx = ints[eqFx0 + e];
      let drift = reals[cd + 3u * nC + nFx + e];
      let carry = reals[cd + 3u * nC + nFx + nEq + e];
      var v = w[e] + drift + inc[eqAux0 + e] - inc[1];
      var lnS: f32;
      if (fx != 0xffffffffu) {
        v = v + inc[fxAux0 + fx];
        lnS = v - carry - lx[fx] + lnN;
      } else {
        lnS = v - carry + lnN;
      }
      w[e] = v;
      out[((eqOut0 + e) * nDates + d) * nPaths + p] = lnS;
    }
    // Credit states: driftless Gaussian martingales.
    for (var n = 0u; n < nCr; n++) {
      y[n] = y[n] + inc[crAux0 + n];
      out[((crOut0 + n) * nDates + d) * nPaths + p] = y[n];
    }
  }
  for (var c = 0u; c < nC; c++) { state[c * nPaths + p] = x[c]; }
  for (var i = 0u; i < nFx; i++) { state[(nC + i) * nPaths + p] = u[i]; }
  for (var e = 0u; e < nEq; e++) { state[(nC + nFx + e) * nPaths + p] = w[e]; }
  for (var n = 0u; n < nCr; n++) { state[(nC + nFx + nEq + n) * nPaths + p] = y[n]; }
}
`;
}

/**
 * The least and greatest value of factors over the paths of one block, per date (kernels.ts deviceStateRanges): a
 * workgroup per (date d = x, listed factor r = y) strides over the block's paths, then a tree in workgroup memory.
 * `ints`: [count, nDates, factors listed, 0, the listed factors' block indices]; `out`: [(r·nDates + d)·2] the least,
 * [+1] the greatest. The paths' layout is the simulation kernel's, [(factor·nDates + d)·count + p]. A block of up to
 * 2^21 paths loops 32,768 times an invocation, under llvmpipe's 65,535.
 */
export const RANGES_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> paths: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> lo: array<f32, 64>;
var<workgroup> hi: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let count = ints[0];
  let nDates = ints[1];
  let d = wid.x;
  let r = wid.y;
  let base = (ints[4u + r] * nDates + d) * count;
  var a = 3.4028234663852886e38;
  var b = -3.4028234663852886e38;
  for (var p = lid.x; p < count; p = p + 64u) {
    let v = paths[base + p];
    a = min(a, v);
    b = max(b, v);
  }
  lo[lid.x] = a;
  hi[lid.x] = b;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) {
      lo[lid.x] = min(lo[lid.x], lo[lid.x + stride]);
      hi[lid.x] = max(hi[lid.x], hi[lid.x + stride]);
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[2u * (r * nDates + d)] = lo[0];
    out[2u * (r * nDates + d) + 1u] = hi[0];
  }
}
`;
