/**
 * WGSL of the exact row selection behind PFE on the device: one workgroup per row r of a row-major f32 matrix,
 *
 *   out[outOffset + r] = the rank-th smallest (0-based) of in[inOffset + r·n .. inOffset + r·n + n),
 *
 * by radix select (the MSD radix sort's partition step, kept for the one bucket that holds the rank): the values are
 * exposures max(E, 0), so every value is +0 or positive, and for non-negative IEEE-754 binary32 values the u32 bit
 * pattern orders exactly like the value (IEEE 754-2019 §3.4: biased exponent above the significand, sign bit 0).
 * Four passes of 8 bits, most significant first; pass j builds a 256-bin histogram (workgroup memory, atomicAdd) of
 * bits 31−8j .. 24−8j over the row's values whose higher bits equal the prefix chosen so far, then an exclusive scan
 * of the histogram finds the bin holding the remaining rank; that bin's digit extends the prefix and the counts below
 * it leave the rank. After the fourth pass the prefix is the answer's bit pattern: exact, no rounding anywhere.
 *
 * The kernel never does float arithmetic: the input is read as u32 and a pattern with the sign bit set (−0.0, any
 * negative value) counts as +0 (pattern 0), which is what max(E, 0) gives, so −0.0 and +0 are one key and the
 * result is +0 for them. Denormals keep their pattern (a GPU that flushes denormals in float compares cannot touch
 * them here). A positive NaN would sort above +inf (the callers pass finite exposures).
 *
 * Bindings: 0 `params` (uniform, u32 [inOffset, outOffset, rows, n, rank, 0, 0, 0], offsets in elements);
 * 1 `values` (read-only storage, the whole input buffer); 2 `out` (read_write storage, the whole output buffer).
 * Dispatch: (min(rows, 65535), ceil(rows / 65535)) workgroups, row r = wid.x + 65535·wid.y; workgroups past the last
 * row return at once (a workgroup-uniform branch, before any barrier).
 *
 * Workgroup size WG (host's choice, 256 where the device allows it, else 128; WebGPU's compatibility mode guarantees
 * 128 invocations, core 256): invocation i owns bins i·256/WG .. (i+1)·256/WG − 1, so at WG = 256 clearing and
 * summing the histogram is one bin an invocation, and the row's reads spread over 8 warps; on an NVIDIA H200 (Vulkan)
 * 300 rows × 20,000 paths take 0.47 ms at 256 against 0.79 ms at 128 and 1.4 ms at 64 (submit to completion). Loops
 * an invocation runs, per pass: ⌈n/WG⌉ strided reads of the row, 256/WG bins, log2(WG) scan steps: with n = 20,000
 * paths at most 157 iterations, far below the ~65,535 loop iterations Mesa llvmpipe allows a shader loop. Workgroup memory: 256 + WG + 2 words (2 KiB + 8 bytes at WG = 256),
 * well inside compatibility mode's 16 KiB.
 */

/** Bins of a pass (8 bits) and passes (32-bit keys). */
export const SELECT_BINS = 256;
export const SELECT_PASSES = 4;
/** u32 words of the params uniform: [inOffset, outOffset, rows, n, rank] and padding to a 16-byte multiple. */
export const SELECT_PARAM_WORDS = 8;
/** Largest workgroup count along one dispatch dimension (WebGPU's maxComputeWorkgroupsPerDimension default). */
export const SELECT_ROWS_PER_DIMENSION = 65_535;

/** The selection kernel for workgroups of `workgroupSize` invocations (64, 128 or 256: a power of two dividing 256). */
export function selectWgsl(workgroupSize: number): string {
  if (![64, 128, 256].includes(workgroupSize)) throw new RangeError(`the row selection kernel runs with 64, 128 or 256 invocations a workgroup, got ${workgroupSize}`);
  const binsPerInvocation = SELECT_BINS / workgroupSize;
  return /* wgsl */ `
const WG: u32 = ${workgroupSize}u;
const BINS: u32 = ${SELECT_BINS}u;
const PER: u32 = ${binsPerInvocation}u;
const ROWS_PER_DIM: u32 = ${SELECT_ROWS_PER_DIMENSION}u;

struct Params {
  inOffset: u32,
  outOffset: u32,
  rows: u32,
  n: u32,
  rank: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

var<workgroup> hist: array<atomic<u32>, BINS>;
var<workgroup> sums: array<u32, WG>;
// the chosen prefix and the rank left within it, written by the one invocation owning the bin that holds the rank
var<workgroup> chosen: vec2<u32>;

// max(x, 0) as an order-preserving key: sign bit set (-0.0, negatives) -> +0's pattern
fn keyOf(bits: u32) -> u32 {
  return select(bits, 0u, bits >= 0x80000000u);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = wid.x + wid.y * ROWS_PER_DIM;
  if (r >= params.rows) {
    return;
  }
  let n = params.n;
  let base = params.inOffset + r * n;
  let b0 = lid * PER;
  var prefix = 0u;
  var mask = 0u;
  var rank = params.rank;
  for (var digit = 0u; digit < ${SELECT_PASSES}u; digit++) {
    let shift = 24u - 8u * digit;
    for (var j = 0u; j < PER; j++) {
      atomicStore(&hist[b0 + j], 0u);
    }
    workgroupBarrier();
    for (var p = lid; p < n; p += WG) {
      let key = keyOf(values[base + p]);
      if ((key & mask) == prefix) {
        atomicAdd(&hist[(key >> shift) & 0xffu], 1u);
      }
    }
    workgroupBarrier();
    var own = 0u;
    for (var j = 0u; j < PER; j++) {
      own += atomicLoad(&hist[b0 + j]);
    }
    sums[lid] = own;
    workgroupBarrier();
    // Hillis-Steele inclusive scan of the invocations' bin counts
    for (var stride = 1u; stride < WG; stride <<= 1u) {
      var s = sums[lid];
      if (lid >= stride) {
        s += sums[lid - stride];
      }
      workgroupBarrier();
      sums[lid] = s;
      workgroupBarrier();
    }
    let inclusive = sums[lid];
    let exclusive = inclusive - own;
    // exactly one invocation holds the rank: the matching values number sums[WG-1] > rank
    if (exclusive <= rank && rank < inclusive) {
      var below = exclusive;
      for (var j = 0u; j < PER; j++) {
        let c = atomicLoad(&hist[b0 + j]);
        if (rank < below + c) {
          chosen = vec2<u32>(prefix | ((b0 + j) << shift), rank - below);
          break;
        }
        below += c;
      }
    }
    workgroupBarrier();
    prefix = chosen.x;
    rank = chosen.y;
    mask = mask | (0xffu << shift);
  }
  if (lid == 0u) {
    out[params.outOffset + r] = prefix;
  }
}
`;
}
