/**
 * WGSL of the random numbers: Philox4x32-10 (Salmon et al., SC'11; Random123) with u32 arithmetic only, the same
 * operations as src/simulation/rng/philox.ts (high word of the 32×32 product from 16-bit partial products), so the
 * words are bit-identical; and the inverse normal CDF of Wichura's AS241 (PPND16, as src/simulation/rng/normal.ts) in
 * f32.
 *
 * The uniform of a word w is (w + 0.5)·2^-32. In f32 that sum is not exact, and 1 − p loses every digit near 1, so the
 * f32 port never forms p: the central branch takes q = p − ½ = (w − 2^31 + 0.5)·2^-32 from the signed word, and the
 * tails take the smaller tail mass min(p, 1 − p) = (min(w, ~w) + 0.5)·2^-32 (~w = 2^32 − 1 − w exactly in u32), whose
 * only rounding is the 24-bit mantissa (relative 6e-8). AS241's coefficients are rounded to f32; its rational forms
 * are evaluated by Horner in f32 (≈ 16 roundings each), so normals agree with the f64 reference to a few 1e-7
 * relative (the test states the bound).
 */
export const PHILOX_WGSL = /* wgsl */ `
const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// High 32 bits of a·b from 16-bit partial products (src/simulation/rng/philox.ts mulhi32).
fn mulhi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let lolo = al * bl;
  let hilo = ah * bl;
  let lohi = al * bh;
  let hihi = ah * bh;
  let middle = (lolo >> 16u) + (hilo & 0xffffu) + (lohi & 0xffffu);
  return hihi + (hilo >> 16u) + (lohi >> 16u) + (middle >> 16u);
}

// Philox4x32-10 block of counter c under key (k0, k1).
fn philox4x32(c: vec4<u32>, key0: u32, key1: u32) -> vec4<u32> {
  var x0 = c.x;
  var x1 = c.y;
  var x2 = c.z;
  var x3 = c.w;
  var k0 = key0;
  var k1 = key1;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k0 = k0 + PHILOX_W0;
      k1 = k1 + PHILOX_W1;
    }
    let hi0 = mulhi32(PHILOX_M0, x0);
    let lo0 = PHILOX_M0 * x0;
    let hi1 = mulhi32(PHILOX_M1, x2);
    let lo1 = PHILOX_M1 * x2;
    x0 = hi1 ^ x1 ^ k0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ k1;
    x3 = lo0;
  }
  return vec4<u32>(x0, x1, x2, x3);
}

// Φ⁻¹((w + 0.5)·2^-32), Wichura AS241 (PPND16) in f32.
fn normal_of_word(w: u32) -> f32 {
  let q = (f32(bitcast<i32>(w ^ 0x80000000u)) + 0.5) * 2.3283064365386963e-10;
  if (abs(q) <= 0.425) {
    let r = 0.180625 - q * q;
    let num = ((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r
      + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608;
    let den = ((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r
      + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0;
    return q * num / den;
  }
  let tail = (f32(min(w, ~w)) + 0.5) * 2.3283064365386963e-10;
  var r = sqrt(-log(tail));
  var z: f32;
  if (r <= 5.0) {
    r = r - 1.6;
    let num = ((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r
      + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734;
    let den = ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
      + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1.0;
    z = num / den;
  } else {
    r = r - 5.0;
    let num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
      + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772;
    let den = ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
      + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1.0;
    z = num / den;
  }
  return select(z, -z, q < 0.0);
}
`;

/**
 * Test and benchmark kernel: for paths path0 + i (i < nPaths), stream `factor`, step block `stepBlock`, the four Philox
 * words (words[4i..4i+4)) and their normals (normals[4i..4i+4)). params: nPaths, path0, factor, stepBlock, key0, key1.
 */
export const NORMALS_WGSL = /* wgsl */ `
${PHILOX_WGSL}
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> words: array<u32>;
@group(0) @binding(2) var<storage, read_write> normals: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= params[0]) { return; }
  let block = philox4x32(vec4<u32>(params[1] + i, params[2], params[3], 0u), params[4], params[5]);
  for (var k = 0u; k < 4u; k++) {
    words[4u * i + k] = block[k];
    normals[4u * i + k] = normal_of_word(block[k]);
  }
}
`;
