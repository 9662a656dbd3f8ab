/**
 * WGSL of the pooled rate products' valuation on the device: per netting set, exposure date and path
 *
 *   V(p) = Σ_pools FX(p)·[Σ_k L_k(x(p))·nodes_k + Σ_q T_q(x(p))·Δ_q·(c1 + Δ_q·(c2 + Δ_q·c3))],  Δ_q = x(p) − x_{j_q}(p),
 *
 * the formula of src/exposure/valuation/ratePool.ts addValues: L_k the 6-point Lagrange stencil (nodes c−2 .. c+3 of
 * the pool's uniform state grid, u = (x − x_c)/h), T_q the same stencil over fixing group q's grid function (a class
 * of running coupons, or one Taylor power of a fixing date's power triple) and (c1, c2, c3) its Taylor coefficients,
 * FX = e^{ln X} of the pool's currency (1 for the base currency). The node tables are
 * built on the host in f64 (compile.ts ratePoolNodeTables, on the very paths the device simulated) and uploaded in
 * f32; the states, FX logs and the numeraire are read from the device's own path buffer (kernels.ts), so no path
 * value crosses to the device. Then, per workgroup of 64 paths, the partial sums of max(V,0)/N and max(−V,0)/N
 * (f32, a tree in workgroup memory), which the host adds in f64 over workgroups and blocks (EPE and ENE).
 *
 * Buffers:
 * - `paths` (f32): one path block of the simulation kernel, [(factor·nDates + d)·count + p];
 * - `ints` (u32): header [count, nDates, numeraire factor, nSlots, nWorkgroups, fix0, legs0, terms0, the block's first
 *   global path, the seed's Philox key (2 words), 1 when the paths pair up antithetically]; per slot (date) 5 words [grid index d, first entry, entries, first
 *   leg, legs]; per entry (pool alive at d) 11 words [IR factor, FX factor or 0xffffffff, first real, first fixing
 *   group, groups, mask grid index or 0xffffffff, mask intervals, order k, first node, the mask's next grid index, the
 *   mask's exercise stream]; from fix0 the fixing grid index of every group;
 * - `reals` (f32): per entry x0, h, its main grid function (w reals), then per fixing group its c1, c2, c3 and its grid
 *   function (w reals), then the mask's bridge weight β and deviation s and its open intervals (lo, hi) of the state
 *   at expiry: a physically settled swaption's underlying swap after expiry counts on the paths whose state at
 *   expiry, X = x_d + β·(x_next − x_d) + s·z between the grid states at the mask index d and the next, lies in one,
 *   z the path's exercise draw (word 0 of Philox at counter (global path, stream, 0, EXERCISE_DRAW_DOMAIN): the CPU's
 *   words, exerciseDraws.ts, and its normal in f32; under antithetic paths an odd global path takes −z of the even one
 *   before it); with s = 0 where x_d lies in one (compile.ts ExercisedSwaption;
 *   swaption.ts exerciseMask). Where s > 0 the entry's fixing groups of grid index d fix on X (their forwards' growth
 *   at the exercise's ζ is in the tables: ratePool.ts applyFixingGrowth). A function is given as its 64 node values (k = 0,
 *   w = 64) or as its k Taylor moments about the grid's centre (w = k; ratePool.ts PoolNodeTable.order);
 * - `nodes` (f32): the entries' grid functions as node values, 64 a function from the entry's first node (main, then
 *   its groups'), written by NODES_WGSL from `reals` before the valuation reads them;
 * - `values` (f32, out): V at [slot·count + p] (read back for PFE and the Euler allocation on the host);
 * - `partials` (f32, out): [(slot·nWorkgroups + workgroup)·2 + side], side 0 = Σ max(V,0)/N, 1 = Σ max(−V,0)/N.
 * Dispatch: (nWorkgroups, nSlots) workgroups of 64 invocations. Inner loops: pools × (1 + groups) stencils, far
 * below llvmpipe's 65,535 iterations an invocation.
 */
import { EXERCISE_DRAW_DOMAIN } from '../../../valuation/exerciseDraws.js';
import { PHILOX_WGSL } from './philox.js';


/*
 * Leg entries (compile.ts RatePoolNodeTables.legs, options.ts DeviceLegEntry: equity forwards' share parts, FX and
 * equity options, swaptions before expiry) after the pools of a slot: from legs0, 6 words each [kind 0 black | 1
 * exercised | 2 linear | 3 lgm, terms of
 * lnA, of lnB, of the exercise decision E, first term, first real]; from terms0, 2 words a term [device factor, grid
 * index]; in `reals` [scale, ω, sd, constA, constB, constE] then one coefficient a term. lnA = constA + Σ coef·state,
 * likewise lnB and E; black: scale·ω·(e^lnA·Φ(ω·d1) − e^lnB·Φ(ω·d2)) (intrinsic when sd = 0); exercised:
 * scale·ω·(e^lnA − e^lnB) where ω·E > 0; linear: scale·e^lnA; lgm: scale·e^lnA·lgmOption(x = lnB) with its bonds and
 * intervals in `reals` after the coefficients. Φ: Abramowitz & Stegun 26.2.17, |error| < 7.5e-8.
 */

/** Words of the header at the start of `ints`. */
export const VALUE_HEADER = 12;
/** Words per slot (date) and per entry (pool at a date). */
export const SLOT_WORDS = 5;
/** Words per leg entry [kind, terms A, terms B, terms E, first term, first real] and its reals ahead of the terms' coefficients. */
export const LEG_WORDS = 6;
export const LEG_REALS = 6;
export const ENTRY_WORDS = 11;
/** Reals ahead of an entry's nodes (x0, h). */
export const ENTRY_REALS = 2;

/**
 * The node tables' expansion, run over a packed set before any kernel reads its `nodes` (valuation.ts): one workgroup
 * of GRID_NODES invocations per entry (workgroups (x, y): entry y·65535 + x), invocation g writing node g of each of
 * the entry's functions: its node value as given, or Σ_{m<k} M_m·y_g^m by Horner in f32, y_g = (g − (G − 1)/2)·h (the
 * f64 definition: stateGrid.ts momentNodes). Bindings: `ints`, `reals` (read), `nodes` (write).
 */
export function nodesWgsl(gridNodes: number, runningSlopes: number): string {
  if (runningSlopes !== 3) throw new Error(`the WGSL expansion kernel is written for 3 Taylor coefficients per fixing group, got ${runningSlopes}`);
  const key = `${gridNodes}|${runningSlopes}`;
  let code = nodesCode.get(key);
  if (code === undefined) nodesCode.set(key, (code = buildNodesWgsl(gridNodes)));
  return code;
}

const nodesCode = new Map<string, string>();

/** Entries a dispatch row holds (the expansion's workgroups (x, y): entry y·NODES_ROW + x). */
export const NODES_ROW = 65535;

function buildNodesWgsl(gridNodes: number): string {
  return /* wgsl */ `@group(0) @binding(0) var<storage, read> ints: array<u32>;
@group(0) @binding(1) var<storage, read> reals: array<f32>;
@group(0) @binding(2) var<storage, read_write> nodes: array<f32>;

const G: u32 = ${gridNodes}u;

@compute @workgroup_size(${gridNodes})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let nSlots = ints[3];
  let entries0 = ${VALUE_HEADER}u + ${SLOT_WORDS}u * nSlots;
  let nEntries = (ints[5] - entries0) / ${ENTRY_WORDS}u;
  let e = wid.y * ${NODES_ROW}u + wid.x;
  if (e >= nEntries) { return; }
  let at = entries0 + ${ENTRY_WORDS}u * e;
  let r0 = ints[at + 2u];
  let nG = ints[at + 4u];
  let order = ints[at + 7u];
  let n0 = ints[at + 8u];
  let g = lid.x;
  let y = (f32(g) - ${(gridNodes - 1) / 2}) * reals[r0 + 1u];
  var w = G;
  if (order > 0u) { w = order; }
  for (var f = 0u; f <= nG; f++) {
    // function f: the main one, then group f − 1's (after its c1, c2, c3)
    var src = r0 + ${ENTRY_REALS}u;
    if (f > 0u) { src = src + w + (w + 3u) * (f - 1u) + 3u; }
    var v = 0.0;
    if (order == 0u) {
      v = reals[src + g];
    } else {
      v = reals[src + order - 1u];
      for (var m = i32(order) - 2; m >= 0; m--) { v = v * y + reals[src + u32(m)]; }
    }
    nodes[n0 + G * f + g] = v;
  }
}
`;
}

/**
 * The WGSL functions that value slot `slot` on path p (slotValue, with normCdf, legSum and dot6), over the bindings
 * `paths`, `ints`, `reals` and `nodes` (NODES_WGSL's output) that every kernel using them declares: the valuation
 * kernel below and the Euler kernel of wgsl/figures.ts, which values each trade of a set on its own tables.
 */
export function slotValueWgsl(gridNodes: number, runningSlopes: number): string {
  if (runningSlopes !== 3) throw new Error(`the WGSL valuation kernel is written for 3 Taylor coefficients per fixing group, got ${runningSlopes}`);
  return /* wgsl */ `
const G: u32 = ${gridNodes}u;
const C_MAX: i32 = ${gridNodes - 4};
${PHILOX_WGSL}

// Standard normal CDF, Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8).
fn normCdf(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.2316419 * z);
  let poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  let tail = 0.3989422804 * exp(-0.5 * z * z) * poly;
  if (x >= 0.0) { return 1.0 - tail; }
  return tail;
}

// coefficient-weighted sum of n leg terms from term t0 with their coefficients from reals[c0]
fn legSum(t0: u32, c0: u32, n: u32, terms0: u32, nDates: u32, count: u32, p: u32) -> f32 {
  var s = 0.0;
  for (var k = 0u; k < n; k++) {
    let at = terms0 + 2u * (t0 + k);
    s = s + reals[c0 + k] * paths[(ints[at] * nDates + ints[at + 1u]) * count + p];
  }
  return s;
}

fn dot6(at: u32, w0: f32, w1: f32, w2: f32, w3: f32, w4: f32, w5: f32) -> f32 {
  return w0 * nodes[at] + w1 * nodes[at + 1u] + w2 * nodes[at + 2u] + w3 * nodes[at + 3u] + w4 * nodes[at + 4u] + w5 * nodes[at + 5u];
}

// A European swaption's conditional LGM value at state x (options.ts DeviceLegEntry lgm, swaption.ts deviceLeg) from
// reals[d0 ..]: n bonds, n intervals, (C, a, s) per bond, (lo, hi) per interval: Σ_r Σ_i C·e^{−a·x}·[Φ(yHi + s) −
// Φ(yLo + s)], y = (end − x)/sd clamped to ±40 (Φ is 0 or 1 there in f32; an infinite end is ±1e30), the difference
// from the lower tail where the lower argument is ≥ 0; max(Σ_i C·e^{−a·x}, 0) at sd = 0.
fn lgmOption(d0: u32, x: f32, sd: f32) -> f32 {
  let nBonds = u32(reals[d0]);
  let nIv = u32(reals[d0 + 1u]);
  let b0 = d0 + 2u;
  let iv0 = b0 + 3u * nBonds;
  var v = 0.0;
  if (sd > 0.0) {
    for (var r = 0u; r < nIv; r++) {
      let yLo = clamp((reals[iv0 + 2u * r] - x) / sd, -40.0, 40.0);
      let yHi = clamp((reals[iv0 + 2u * r + 1u] - x) / sd, -40.0, 40.0);
      for (var i = 0u; i < nBonds; i++) {
        let at = b0 + 3u * i;
        let bond = reals[at] * exp(-reals[at + 1u] * x);
        let lo = yLo + reals[at + 2u];
        let hi = yHi + reals[at + 2u];
        var pr = 0.0;
        if (lo >= 0.0) { pr = normCdf(-lo) - normCdf(-hi); } else { pr = normCdf(hi) - normCdf(lo); }
        v = v + bond * pr;
      }
    }
  } else {
    for (var i = 0u; i < nBonds; i++) {
      let at = b0 + 3u * i;
      v = v + reals[at] * exp(-reals[at + 1u] * x);
    }
    v = max(v, 0.0);
  }
  return v;
}

// V of the set (or trade) of a slot on path p of a block of count paths: the pools, then the leg entries.
fn slotValue(slot: u32, p: u32, count: u32) -> f32 {
  let nDates = ints[1];
  let nSlots = ints[3];
  let fix0 = ints[5];
  let s0 = ${VALUE_HEADER}u + ${SLOT_WORDS}u * slot;
  let d = ints[s0];
  let e0 = ints[s0 + 1u];
  let nE = ints[s0 + 2u];
  let entries0 = ${VALUE_HEADER}u + ${SLOT_WORDS}u * nSlots;
  var v = 0.0;
  for (var e = 0u; e < nE; e++) {
    let at = entries0 + ${ENTRY_WORDS}u * (e0 + e);
    let irF = ints[at];
    let fxF = ints[at + 1u];
    let r0 = ints[at + 2u];
    let g0 = ints[at + 3u];
    let nG = ints[at + 4u];
    let n0 = ints[at + 8u];
    var w = G;
    if (ints[at + 7u] > 0u) { w = ints[at + 7u]; }
    let x = paths[(irF * nDates + d) * count + p];
    let x0 = reals[r0];
    let h = reals[r0 + 1u];
    // Cell c of the path (every path lies in nodes 2 .. G−3 of its grid; clamped for rounding), u in [0, 1].
    let s = (x - x0) / h;
    let c = clamp(i32(floor(s)), 2, C_MAX);
    let u = s - f32(c);
    let ua = u + 2.0;
    let ub = u + 1.0;
    let ud = u - 1.0;
    let ue = u - 2.0;
    let uf = u - 3.0;
    let uab = ua * ub;
    let uef = ue * uf;
    let uud = u * ud;
    // Lagrange weights of nodes c−2 .. c+3: Π_{j≠i}(u − j)/(i − j).
    let w0 = ub * uud * uef * (-1.0 / 120.0);
    let w1 = ua * uud * uef * (1.0 / 24.0);
    let w2 = uab * ud * uef * (-1.0 / 12.0);
    let w3 = uab * u * uef * (1.0 / 12.0);
    let w4 = uab * uud * uf * (-1.0 / 24.0);
    let w5 = uab * uud * ue * (1.0 / 120.0);
    let b = u32(c - 2);
    // a masked pool (an exercised swaption's underlying): the state at expiry, drawn from the bridge between the grid
    // states at maskAt and the next mask index where the expiry falls between them, on which the coupons fixing at
    // maskAt's grid index fix too (compile.ts ExercisedSwaption, ratePool.ts addFixingShift)
    let maskAt = ints[at + 5u];
    var xE = 0.0;
    var bridged = false;
    var b0 = 0u;
    if (maskAt != 0xffffffffu) {
      let xe = paths[(irF * nDates + maskAt) * count + p];
      b0 = r0 + ${ENTRY_REALS}u + w + (w + 3u) * nG;
      let beta = reals[b0];
      let sdE = reals[b0 + 1u];
      xE = xe;
      if (sdE > 0.0) {
        bridged = true;
        let m = xe + beta * (paths[(irF * nDates + ints[at + 9u]) * count + p] - xe);
        // (antithetic pairs (2k, 2k+1): the odd path mirrors the even one's draw, exerciseDraws.ts)
        let g = ints[8] + p;
        let paired = ints[11] == 1u && (g & 1u) == 1u;
        let draw = philox4x32(vec4<u32>(select(g, g - 1u, paired), ints[at + 10u], 0u, ${EXERCISE_DRAW_DOMAIN}u), ints[9], ints[10]);
        let z = normal_of_word(draw.x);
        xE = m + sdE * select(z, -z, paired);
      }
    }
    var pv = dot6(n0 + b, w0, w1, w2, w3, w4, w5);
    for (var q = 0u; q < nG; q++) {
      let j = ints[fix0 + g0 + q];
      // group q: its c1, c2, c3 in reals, its grid function T_q in nodes; a group fixing on the drawn state reads it
      // (its growth at the exercise's ζ is in its table: ratePool.ts applyFixingGrowth)
      var xFix = paths[(irF * nDates + j) * count + p];
      if (bridged && j == maskAt) { xFix = xE; }
      let delta = x - xFix;
      let i1 = r0 + ${ENTRY_REALS}u + w + (w + 3u) * q;
      let t = dot6(n0 + G * (q + 1u) + b, w0, w1, w2, w3, w4, w5);
      pv = pv + t * (delta * (reals[i1] + delta * (reals[i1 + 1u] + delta * reals[i1 + 2u])));
    }
    if (maskAt != 0xffffffffu) {
      let iv0 = b0 + 2u;
      var inside = 0.0;
      for (var r = 0u; r < ints[at + 6u]; r++) {
        if (xE > reals[iv0 + 2u * r] && xE < reals[iv0 + 2u * r + 1u]) { inside = 1.0; }
      }
      pv = pv * inside;
    }
    if (fxF != 0xffffffffu) { pv = pv * exp(paths[(fxF * nDates + d) * count + p]); }
    v = v + pv;
  }
  let legs0 = ints[6];
  let terms0 = ints[7];
  let l0 = ints[s0 + 3u];
  let nL = ints[s0 + 4u];
  for (var l = 0u; l < nL; l++) {
    let la = legs0 + ${LEG_WORDS}u * (l0 + l);
    let kind = ints[la];
    let nA = ints[la + 1u];
    let nB = ints[la + 2u];
    let nE = ints[la + 3u];
    let t0 = ints[la + 4u];
    let rl = ints[la + 5u];
    let scale = reals[rl];
    let omega = reals[rl + 1u];
    let sd = reals[rl + 2u];
    let c0 = rl + ${LEG_REALS}u;
    let lnA = reals[rl + 3u] + legSum(t0, c0, nA, terms0, nDates, count, p);
    let a = exp(lnA);
    var lv = 0.0;
    if (kind == 2u) {
      lv = scale * a;
    } else if (kind == 3u) {
      // a swaption before expiry: x = lnB (the LGM state), the bonds and intervals after the coefficients
      let x = reals[rl + 4u] + legSum(t0 + nA, c0 + nA, nB, terms0, nDates, count, p);
      lv = scale * a * lgmOption(c0 + nA + nB + nE, x, sd);
    } else {
      let lnB = reals[rl + 4u] + legSum(t0 + nA, c0 + nA, nB, terms0, nDates, count, p);
      let b = exp(lnB);
      if (kind == 1u) {
        let e = reals[rl + 5u] + legSum(t0 + nA + nB, c0 + nA + nB, nE, terms0, nDates, count, p);
        if (omega * e > 0.0) { lv = scale * omega * (a - b); }
      } else if (sd > 0.0) {
        let d1 = (lnA - lnB) / sd + 0.5 * sd;
        let d2 = d1 - sd;
        lv = scale * omega * (a * normCdf(omega * d1) - b * normCdf(omega * d2));
      } else {
        lv = scale * max(omega * (a - b), 0.0);
      }
    }
    v = v + lv;
  }
  return v;
}
`;
}

const valueCode = new Map<string, string>();

/** The valuation kernel's WGSL (built once per grid size: the device thread asks for it per netting set). */
export function valueWgsl(gridNodes: number, runningSlopes: number): string {
  const key = `${gridNodes}|${runningSlopes}`;
  let code = valueCode.get(key);
  if (code === undefined) valueCode.set(key, (code = buildValueWgsl(gridNodes, runningSlopes)));
  return code;
}

function buildValueWgsl(gridNodes: number, runningSlopes: number): string {
  return /* wgsl */ `@group(0) @binding(0) var<storage, read> paths: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<u32>;
@group(0) @binding(2) var<storage, read> reals: array<f32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
@group(0) @binding(5) var<storage, read> nodes: array<f32>;

var<workgroup> sumPos: array<f32, 64>;
var<workgroup> sumNeg: array<f32, 64>;

${slotValueWgsl(gridNodes, runningSlopes)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let count = ints[0];
  let nDates = ints[1];
  let numOut = ints[2];
  let nWg = ints[4];
  let p = gid.x;
  let slot = wid.y;
  var pos = 0.0;
  var neg = 0.0;
  if (p < count) {
    let v = slotValue(slot, p, count);
    values[slot * count + p] = v;
    let d = ints[${VALUE_HEADER}u + ${SLOT_WORDS}u * slot];
    let invN = 1.0 / paths[(numOut * nDates + d) * count + p];
    pos = max(v, 0.0) * invN;
    neg = max(-v, 0.0) * invN;
  }
  sumPos[lid.x] = pos;
  sumNeg[lid.x] = neg;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) {
      sumPos[lid.x] = sumPos[lid.x] + sumPos[lid.x + stride];
      sumNeg[lid.x] = sumNeg[lid.x] + sumNeg[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let out = 2u * (slot * nWg + wid.x);
    partials[out] = sumPos[0];
    partials[out + 1u] = sumNeg[0];
  }
}
`;
}
