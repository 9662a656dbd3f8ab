/**
 * WGSL of the GPU backend's "figures" route: after wgsl/value.ts has valued a netting set on the device, these kernels
 * turn its values into the set's exposure figures there, so that only the figures come back (valuation.ts
 * submitFigures), never the values.
 *
 * - marginWgsl: one invocation per path walks the set's slots (the dates it was valued on, ascending) and runs the
 *   margin calls of collateral.ts CollateralTracker.advanceTo on that path (thresholds both ways, MTAs, independent
 *   amounts, rounding to the multiple in the secured party's favour, the balance then a whole number of multiples,
 *   the zero-crossing rule, coverage), keeps the
 *   balance of each close-out lag date that is read later, and at every live exposure date writes E = V − C and C,
 *   C = the balance at the close-out lag date + the IM held (the `fill` of the tracker); for a counterparty with two or
 *   more sets it adds max(E, 0) into the counterparty's accumulator (aggregate.ts accumulatePositiveExposure).
 * - reduceWgsl: one workgroup per exposure date (or accumulator row) and chunk of paths sums what computeProfile
 *   (profiles.ts) sums: max(E,0)/N shifted by path 0's value and its square (EPE and its standard error), max(−(E+IM),0)/N
 *   (ENE), C/N (collateral), and the residuals of euler.ts eulerWeightsBoth (paths with collateral and |V| <= the
 *   small-value bound max(limit, ratio·|C|), shared equally between the trades on the host).
 * - eulerWgsl: one workgroup per (exposure date, trade) and chunk of paths values the trade on its own node tables
 *   (slotValue of wgsl/value.ts) on those paths and sums weight × value with the EPE and ENE weights of eulerWeightsBoth, from the
 *   set's V, C and IM held at that date: the trade's Euler contributions (unit.ts eulerAtDate).
 * The PFE quantile is select.ts's row selection over the E rows (values <= 0 count as 0: the quantile of max(E,0)).
 * f32 on the device; every sum is taken over chunks of at most PATH_CHUNK paths (one workgroup per chunk), and the host
 * adds the chunks' partial sums in f64 (sumChunks), so that the f32 rounding of a sum is bounded by the chunk, not by the
 * number of paths (issue #10: "f32 on the device with partial sums reduced in f64 on the host").
 */
import { DEFAULT_SMALL_VALUE_RATIO } from '../../../euler.js';
import { SLOT_WORDS, VALUE_HEADER, slotValueWgsl } from './value.js';

/** euler.ts's relative near-zero bound as a WGSL float literal (exponent form, valid for any positive value). */
const RATIO = DEFAULT_SMALL_VALUE_RATIO.toExponential();

/**
 * Words of the margin kernel's header, and per slot [flags (1 call, 2 source, 4 exposure), exposure index, lag slot,
 * row of the slot's values].
 */
export const MARGIN_HEADER = 4;
export const MARGIN_SLOT_WORDS = 4;
/** Reals of the margin kernel ahead of the per-slot IM held: coverage, thresholds, MTAs, net IA, multiple, the host's slack. */
export const MARGIN_REALS = 8;
/**
 * The margin kernel's relative slack of the rounding to a multiple: 4u (u = 2^-24, f32's unit roundoff) of the number
 * of multiples, as a WGSL float literal (collateral.ts's ε = 1e-9 is for f64: below half an f32 ulp of any count of
 * 1/32 or more, it would change nothing there).
 */
const F32_ROUNDING_SLACK = (4 * 2 ** -24).toExponential();
/** Flags of a margin slot. */
export const CALL = 1;
export const SOURCE = 2;
export const EXPOSURE = 4;

/**
 * Bindings: values (V, [row·count + p]), ints (header [count, nSlots, nExp, mode bits: 1 trivial, 2 exact, 4
 * accumulate], then MARGIN_SLOT_WORDS per slot), reals (MARGIN_REALS, then the IM held per slot), store (balances at
 * the source slots, [slot·count + p]), ec (E rows then C rows, [k·count + p] and [(nExp + k)·count + p]), acc (the
 * counterparty's Σ max(E,0), [k·count + p]).
 */
export const MARGIN_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read> reals: array<f32>;
@group(0) @binding(3) var<storage, read_write> store: array<f32>;
@group(0) @binding(4) var<storage, read_write> ec: array<f32>;
@group(0) @binding(5) var<storage, read_write> acc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let count = ints[0];
  let nSlots = ints[1];
  let nExp = ints[2];
  let mode = ints[3];
  let p = gid.x;
  if (p >= count) { return; }
  let trivial = (mode & 1u) != 0u;
  let exact = (mode & 2u) != 0u;
  let accumulate = (mode & 4u) != 0u;
  let coverage = reals[0];
  let thresholdCpty = reals[1];
  let thresholdBank = reals[2];
  let mtaCpty = reals[3];
  let mtaBank = reals[4];
  let netIa = reals[5];
  let multiple = reals[6];
  let slack = reals[7];
  // the balance; under a rounding multiple m > 0 it is n·m, n the whole number of multiples held (negative: posted),
  // kept in n (an f32 holds every whole number up to 2^24 exactly, b itself only the even ones above 2^24) and b
  // formed from it when read: a balance of whole multiples stays whole multiples, and returns to exactly 0
  var b = 0.0;
  var n = 0.0;
  for (var s = 0u; s < nSlots; s++) {
    let at = ${MARGIN_HEADER}u + ${MARGIN_SLOT_WORDS}u * s;
    let flags = ints[at];
    let v = values[ints[at + 3u] * count + p];
    if (!trivial && (flags & ${CALL}u) != 0u) {
      // collateral.ts CollateralTracker.advanceTo: the required balance, then a transfer when the shortfall clears
      // the paying party's MTA, rounded in the secured party's favour (ISDA CSA Paragraph 3 / 2)
      let x = v + netIa;
      let held = x - thresholdCpty;
      let posted = -x - thresholdBank;
      let required = coverage * 0.5 * (held + abs(held) - posted - abs(posted));
      if (exact) {
        b = required;
      } else {
        let shortfall = required - b;
        let toBank = shortfall > 0.0 && shortfall >= mtaCpty;
        let toCpty = shortfall < 0.0 && -shortfall >= mtaBank;
        let crosses = (b < 0.0 && required > 0.0) || (b > 0.0 && required < 0.0);
        if (toBank || toCpty) {
          if (multiple == 0.0) {
            if (crosses) { b = required; } else { b = b + shortfall; }
          } else {
            // collateral.ts's b + k·m, k = ⌈sf/m − ε⌉ (a delivery to the secured party) or ⌊sf/m + ε⌋ (a return), with
            // b = n·m and sf = R − n·m, is n + k = ⌈R/m − ε⌉ or ⌊R/m + ε⌋ multiples (n is whole: ⌈x − n⌉ = ⌈x⌉ − n);
            // a zero crossing returns the old balance and rounds the new delivery, R/m, the same way: the new count is
            // R/m rounded, whatever n was, and R = 0 gives exactly 0 multiples
            let up = select((toBank && n >= 0.0) || (toCpty && n > 0.0), toBank, crosses);
            let q = required / multiple;
            // ε relative to f32 (u = 2^-24): an R/m that should be whole lands within about 3u·|R/m| of it from the
            // roundings of m to f32, of R and of the division; 4u of it, and at least the host's ε
            let eps = max(slack, ${F32_ROUNDING_SLACK} * abs(q));
            n = select(floor(q + eps), ceil(q - eps), up);
            b = n * multiple;
          }
        }
      }
    }
    if (!trivial && (flags & ${SOURCE}u) != 0u) { store[s * count + p] = b; }
    if ((flags & ${EXPOSURE}u) != 0u) {
      let k = ints[at + 1u];
      var c = reals[${MARGIN_REALS}u + s];
      if (!trivial) { c = c + store[ints[at + 2u] * count + p]; }
      let e = v - c;
      ec[k * count + p] = e;
      ec[(nExp + k) * count + p] = c;
      if (accumulate) { acc[k * count + p] = acc[k * count + p] + max(e, 0.0); }
    }
  }
}
`;

/**
 * Paths per partial sum of the reduce and Euler kernels: a workgroup sums one chunk of a row's paths in f32 (each of its
 * invocations PATH_CHUNK / 64 paths, then a tree), and the host adds the ⌈count / PATH_CHUNK⌉ partials in f64.
 */
export const PATH_CHUNK = 4096;

/** Partial sums per row for `count` paths. */
export function chunksOf(count: number): number {
  return Math.max(1, Math.ceil(count / PATH_CHUNK));
}

/**
 * Adds in f64 the f32 partial sums `raw` (per row, `chunks` consecutive groups of `width` words) into `width` words per
 * row, in chunk order (the same bits whatever the device).
 */
export function sumChunks(raw: Float32Array, rows: number, chunks: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < chunks; c++) {
      const from = (r * chunks + c) * width;
      for (let q = 0; q < width; q++) out[r * width + q] += raw[from + q]!;
    }
  }
  return out;
}

/**
 * Words of the reduce kernel's header [count, nDates, numeraire factor, nRows, small-value limit (f32 bits), mode bits:
 * 1 = accumulator rows, 2 = antithetic paths (the pairs' sum is formed only then)], and per row [grid index d, value
 * slot].
 */
export const REDUCE_HEADER = 6;
/**
 * Sums per row: shift, Σ(max(E,0)/N − shift), Σ(…)², Σ max(−(E+IM+IM_post),0)/N, Σ C/N, EPE residual, ENE residual,
 * after VM only (the IM held added back: the funding exposure, profiles.ts epeVm) Σ max(E+IM,0)/N, Σ (C−IM)/N and its
 * EPE residual, and the ENE after VM only (the IM posted left out: profiles.ts eneVm) Σ max(−(E+IM),0)/N and its
 * residual, then Σ y(p)·y(p+1) over even p (the antithetic pairs' products, for their standard error:
 * profiles.ts pairStandardError; a chunk holds whole pairs). The kernel writes them per chunk of paths (chunksOf(count)
 * groups per row, the shift divided among them so that the chunks add up to it) and the host adds the chunks
 * (sumChunks).
 */
export const REDUCE_OUT = 13;
/** Sums of REDUCE_OUT a workgroup reduces (all but the shift). */
const REDUCE_SUMS = REDUCE_OUT - 1;
const REDUCE_WG = 64;

/**
 * Bindings: paths (a path block of the simulation kernel, for N), ints, reals (IM held per row, then IM posted per row),
 * values (the set's V),
 * ec (E rows then C rows; or the accumulator's rows in mode 1, E = the row, C = 0, no Euler residuals), out
 * (REDUCE_OUT per row and chunk of paths, [(row·nChunks + chunk)·REDUCE_OUT]). One workgroup per (row, chunk of
 * PATH_CHUNK paths): dispatch (nRows, chunksOf(count)), its invocations striding over the chunk's paths.
 */
export const REDUCE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> paths: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read> reals: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> ec: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, ${REDUCE_WG * REDUCE_SUMS}>;

@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let count = ints[0];
  let nDates = ints[1];
  let numOut = ints[2];
  let nRows = ints[3];
  let limit = bitcast<f32>(ints[4]);
  let accumulator = (ints[5] & 1u) != 0u;
  // the antithetic pairs' products only for antithetic paths (the host reads them only then): two loads a pair saved
  let antithetic = (ints[5] & 2u) != 0u;
  let k = wid.x;
  let chunk = wid.y;
  let nChunks = (count + ${PATH_CHUNK - 1}u) / ${PATH_CHUNK}u;
  let pEnd = min(count, (chunk + 1u) * ${PATH_CHUNK}u);
  let d = ints[${REDUCE_HEADER}u + 2u * k];
  let vSlot = ints[${REDUCE_HEADER}u + 2u * k + 1u];
  let im = reals[k];
  // profiles.ts computeProfile: sums shifted by path 0's max(E,0)/N (exactly zero variance on a deterministic date)
  let e0 = ec[k * count];
  var shift = 0.0;
  if (e0 > 0.0) { shift = e0 / paths[(numOut * nDates + d) * count]; }
  var sPos = 0.0;
  var sPosSq = 0.0;
  var sPair = 0.0;
  var sNeg = 0.0;
  var sColl = 0.0;
  var rEpe = 0.0;
  var rEne = 0.0;
  var sPosVm = 0.0;
  var sCollVm = 0.0;
  var rEpeVm = 0.0;
  var sNegVm = 0.0;
  var rEneVm = 0.0;
  // the IM posted (not in C): it lowers the ENE only (the accumulator's rows have none)
  var post = 0.0;
  if (!accumulator) { post = reals[nRows + k]; }
  for (var p = chunk * ${PATH_CHUNK}u + lid.x; p < pEnd; p += ${REDUCE_WG}u) {
    let invN = 1.0 / paths[(numOut * nDates + d) * count + p];
    let e = ec[k * count + p];
    let y = max(e, 0.0) * invN - shift;
    sPos = sPos + y;
    sPosSq = sPosSq + y * y;
    if (antithetic && (p & 1u) == 0u && p + 1u < pEnd) {
      let y1 = max(ec[k * count + p + 1u], 0.0) * (1.0 / paths[(numOut * nDates + d) * count + p + 1u]) - shift;
      sPair = sPair + y * y1;
    }
    if (!accumulator) {
      let c = ec[(nRows + k) * count + p];
      sNeg = sNeg + max(-(e + im + post), 0.0) * invN;
      sColl = sColl + c * invN;
      // euler.ts eulerWeightsBoth: a path with collateral and |V| <= max(limit, ratio·|C|) (each side's C) adds its
      // amount to the residual
      let v = values[vSlot * count + p];
      let size = abs(v);
      if (e > 0.0 && c != 0.0 && !(size > max(limit, ${RATIO} * abs(c)))) { rEpe = rEpe + e * invN; }
      // (euler.ts eulerWeightsBoth: the ENE side's collateral C less the IM held and the IM posted)
      let cEne = c - (im + post);
      let eneAmount = -(v - cEne);
      if (eneAmount > 0.0 && cEne != 0.0 && !(size > max(limit, ${RATIO} * abs(cEne)))) { rEne = rEne + eneAmount * invN; }
      // after VM only (euler.ts vmOnly): the exposure E + IM with the VM C − IM as its collateral, both sides
      let cVm = c - im;
      let vmAmount = e + im;
      sPosVm = sPosVm + max(vmAmount, 0.0) * invN;
      sCollVm = sCollVm + cVm * invN;
      if (vmAmount > 0.0 && cVm != 0.0 && !(size > max(limit, ${RATIO} * abs(cVm)))) { rEpeVm = rEpeVm + vmAmount * invN; }
      sNegVm = sNegVm + max(-vmAmount, 0.0) * invN;
      let eneVmAmount = -(v - cVm);
      if (eneVmAmount > 0.0 && cVm != 0.0 && !(size > max(limit, ${RATIO} * abs(cVm)))) { rEneVm = rEneVm + eneVmAmount * invN; }
    }
  }
  let at = ${REDUCE_SUMS}u * lid.x;
  part[at] = sPos;
  part[at + 1u] = sPosSq;
  part[at + 2u] = sNeg;
  part[at + 3u] = sColl;
  part[at + 4u] = rEpe;
  part[at + 5u] = rEne;
  part[at + 6u] = sPosVm;
  part[at + 7u] = sCollVm;
  part[at + 8u] = rEpeVm;
  part[at + 9u] = sNegVm;
  part[at + 10u] = rEneVm;
  part[at + 11u] = sPair;
  workgroupBarrier();
  for (var stride = ${REDUCE_WG / 2}u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) {
      for (var q = 0u; q < ${REDUCE_SUMS}u; q++) { part[at + q] = part[at + q] + part[${REDUCE_SUMS}u * (lid.x + stride) + q]; }
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let o = ${REDUCE_OUT}u * (k * nChunks + chunk);
    // the shift once per row: in the first chunk's word, 0 in the others (their f64 sum is the shift)
    out[o] = select(0.0, shift, chunk == 0u);
    for (var q = 0u; q < ${REDUCE_SUMS}u; q++) { out[o + 1u + q] = part[q]; }
  }
}
`;

/**
 * Words of the Euler kernel's per-slot info [exposure index k, the set's value slot at that date, IM held (f32 bits),
 * IM posted (f32 bits)].
 */
export const EULER_INFO_WORDS = 4;
/**
 * Words of the Euler kernel's info header [nExp, small-value limit (f32 bits), sums per slot: 2, 3 with the EPE after
 * VM only (a set holding IM), 4 with the ENE after VM only too (a set posting IM)].
 */
export const EULER_INFO_HEADER = 3;
const EULER_WG = 64;

/**
 * Bindings: paths, ints and reals (a packed set of per-trade node tables, tables.ts packKernelTables: one slot per (exposure
 * date, trade)), values (the set's V), ec (E rows then C rows), info (EULER_INFO_HEADER words [nExp, small-value limit
 * (f32 bits), w = 2, 3 or 4], then EULER_INFO_WORDS per slot), out (w per slot and chunk of paths, [w·(slot·nChunks +
 * chunk)]: Σ wEpe·v, Σ wEne·v, with w >= 3 (a set holding IM) Σ wVm·v, the EPE after VM only's weight (euler.ts
 * vmOnly), and with w = 4 (a set posting IM) Σ wEneVm·v, the ENE after VM only's; the weights without the 1/n of a
 * mean; the host adds the chunks, sumChunks), nodes (the tables expanded, value.ts
 * nodesWgsl). One workgroup per (slot, chunk of
 * PATH_CHUNK paths): dispatch (x, y, chunksOf(count)) with slot = x + 65,535·y (2-D past 65,535 slots).
 */
export function eulerWgsl(gridNodes: number, runningSlopes: number): string {
  const key = `${gridNodes}|${runningSlopes}`;
  let code = eulerCode.get(key);
  if (code === undefined) eulerCode.set(key, (code = buildEulerWgsl(gridNodes, runningSlopes)));
  return code;
}

const eulerCode = new Map<string, string>();

function buildEulerWgsl(gridNodes: number, runningSlopes: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> paths: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read> reals: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> ec: array<f32>;
@group(0) @binding(5) var<storage, read> info: array<u32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read> nodes: array<f32>;

var<workgroup> sumEpe: array<f32, ${EULER_WG}>;
var<workgroup> sumEne: array<f32, ${EULER_WG}>;
var<workgroup> sumVm: array<f32, ${EULER_WG}>;
var<workgroup> sumEneVm: array<f32, ${EULER_WG}>;

${slotValueWgsl(gridNodes, runningSlopes)}
@compute @workgroup_size(${EULER_WG})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let count = ints[0];
  let nDates = ints[1];
  let numOut = ints[2];
  let slot = wid.x + wid.y * 65535u;
  let chunk = wid.z;
  let nChunks = (count + ${PATH_CHUNK - 1}u) / ${PATH_CHUNK}u;
  let pEnd = min(count, (chunk + 1u) * ${PATH_CHUNK}u);
  let nSlots = ints[3];
  var aEpe = 0.0;
  var aEne = 0.0;
  var aVm = 0.0;
  var aEneVm = 0.0;
  let width = info[2];
  if (slot < nSlots) {
    let nExp = info[0];
    let limit = bitcast<f32>(info[1]);
    let i0 = ${EULER_INFO_HEADER}u + ${EULER_INFO_WORDS}u * slot;
    let k = info[i0];
    let vSlot = info[i0 + 1u];
    let im = bitcast<f32>(info[i0 + 2u]);
    let post = bitcast<f32>(info[i0 + 3u]);
    let d = ints[${VALUE_HEADER}u + ${SLOT_WORDS}u * slot];
    for (var p = chunk * ${PATH_CHUNK}u + lid.x; p < pEnd; p += ${EULER_WG}u) {
      // euler.ts eulerWeightsBoth on this path: the weight of the set's E (EPE) and L (ENE) per unit of V
      let v = values[vSlot * count + p];
      let e = ec[k * count + p];
      let c = ec[(nExp + k) * count + p];
      let scale = 1.0 / paths[(numOut * nDates + d) * count + p];
      let size = abs(v);
      var wEpe = 0.0;
      if (e > 0.0) {
        if (c == 0.0) { wEpe = scale; } else if (size > max(limit, ${RATIO} * abs(c))) { wEpe = (e / v) * scale; }
      }
      // the ENE side's collateral: C less the IM held and the IM posted (euler.ts eulerWeightsBoth)
      let cEne = c - (im + post);
      let eneAmount = -(v - cEne);
      var wEne = 0.0;
      if (eneAmount > 0.0) {
        if (cEne == 0.0) { wEne = -scale; } else if (size > max(limit, ${RATIO} * abs(cEne))) { wEne = (eneAmount / v) * scale; }
      }
      // after VM only (a set holding IM): the exposure E + IM with the VM C − IM as its collateral
      let cVm = c - im;
      var wVm = 0.0;
      let vmAmount = e + im;
      if (width >= 3u && vmAmount > 0.0) {
        if (cVm == 0.0) { wVm = scale; } else if (size > max(limit, ${RATIO} * abs(cVm))) { wVm = (vmAmount / v) * scale; }
      }
      // the ENE after VM only (a set posting IM): the liability −(E + IM) on the same collateral
      var wEneVm = 0.0;
      let eneVmAmount = -(v - cVm);
      if (width == 4u && eneVmAmount > 0.0) {
        if (cVm == 0.0) { wEneVm = -scale; } else if (size > max(limit, ${RATIO} * abs(cVm))) { wEneVm = (eneVmAmount / v) * scale; }
      }
      if (wEpe != 0.0 || wEne != 0.0 || wVm != 0.0 || wEneVm != 0.0) {
        let t = slotValue(slot, p, count);
        aEpe = aEpe + wEpe * t;
        aEne = aEne + wEne * t;
        aVm = aVm + wVm * t;
        aEneVm = aEneVm + wEneVm * t;
      }
    }
  }
  sumEpe[lid.x] = aEpe;
  sumEne[lid.x] = aEne;
  sumVm[lid.x] = aVm;
  sumEneVm[lid.x] = aEneVm;
  workgroupBarrier();
  for (var stride = ${EULER_WG / 2}u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) {
      sumEpe[lid.x] = sumEpe[lid.x] + sumEpe[lid.x + stride];
      sumEne[lid.x] = sumEne[lid.x] + sumEne[lid.x + stride];
      sumVm[lid.x] = sumVm[lid.x] + sumVm[lid.x + stride];
      sumEneVm[lid.x] = sumEneVm[lid.x] + sumEneVm[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u && slot < nSlots) {
    out[width * (slot * nChunks + chunk)] = sumEpe[0];
    out[width * (slot * nChunks + chunk) + 1u] = sumEne[0];
    if (width >= 3u) { out[width * (slot * nChunks + chunk) + 2u] = sumVm[0]; }
    if (width == 4u) { out[4u * (slot * nChunks + chunk) + 3u] = sumEneVm[0]; }
  }
}
`;
}

const SUM_WG = 64;

/**
 * The set's values on its live exposure dates as the sums of its trades' values (each on its own node tables, the
 * slots of the Euler kernel): values[(lagRows + k)·count + p] = Σ over the trade slots of exposure date k. Bindings:
 * paths, ints and reals (the trades' packed tables), values (the set's rows), index ([nExp, lagRows, first slot of
 * each date (nExp + 1 words), then the slots by date]), nodes (the trades' tables expanded, value.ts nodesWgsl).
 * Dispatch (⌈count/64⌉, nExp).
 */
export function sumWgsl(gridNodes: number, runningSlopes: number): string {
  const key = `${gridNodes}|${runningSlopes}`;
  let code = sumCode.get(key);
  if (code === undefined) {
    code = /* wgsl */ `
@group(0) @binding(0) var<storage, read> paths: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read> reals: array<f32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read> index: array<u32>;
@group(0) @binding(5) var<storage, read> nodes: array<f32>;

${slotValueWgsl(gridNodes, runningSlopes)}
@compute @workgroup_size(${SUM_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let count = ints[0];
  let p = gid.x;
  let k = wid.y;
  if (p >= count) { return; }
  let nExp = index[0];
  let lagRows = index[1];
  let first = 2u + nExp + 1u;
  var v = 0.0;
  for (var j = index[2u + k]; j < index[3u + k]; j++) {
    v = v + slotValue(index[first + j], p, count);
  }
  values[(lagRows + k) * count + p] = v;
}
`;
    sumCode.set(key, code);
  }
  return code;
}

const sumCode = new Map<string, string>();
