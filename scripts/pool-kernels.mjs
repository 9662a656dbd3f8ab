// Builds the rate pools' WebAssembly kernels (src/exposure/valuation/wasm/): writes the WebAssembly text of the two
// per-path loops of CurrencyPool (ratePool.ts addValues and the Euler scatter of accumulateTradeWeighted), the
// conversions between node tables and cell polynomials or moments (stateGrid.ts nodesToCells, cellMomentsToNodes) and
// the netting set's margin-call and Euler-weight loops, assembles it with wabt (a pinned devDependency) and writes the
// module, base64, to poolKernelsBinary.ts; the same for the random numbers' kernel (rngKernelsBinary.ts).
// Usage: node scripts/pool-kernels.mjs [--check]   (--check: exit 1 when the checked-in module differs)
//
// The kernels do the operations of the TypeScript loops in the same order on IEEE doubles (WebAssembly has no fused
// multiply-add and rounds to nearest, as JavaScript does), so they give the same bits; the valuation processes two
// paths per step in f64x2 lanes (each lane the scalar loop's operations on its own path: the powers of its position u in
// its cell dotted with the cell's polynomial coefficients), the scatter adds a path's weight times its powers to its
// cell's moments path by path, in path order, as the TypeScript loop does.
// Byte addresses throughout; the grid has GRID_NODES = 64 nodes, a fixing class one running-coupon function T and three
// Taylor coefficients: a path adds T(x)·Δ·(c1 + Δ·(c2 + Δ·c3)) per class, Δ = x − x at the class's fixing date.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'src/exposure/valuation/wasm/poolKernelsBinary.ts');
const G = 64;
// a fixing class's running-coupon function: a table of cell polynomials (below), its Taylor coefficients c1, c2, c3 at
// coef + 24·q
// The Euler scatter's cell moments (stateGrid.ts cellMomentsToNodes): per function GRID_CELLS cells of six moments
// Σ a·u^m, m = 0..5; a cell's six at 48·(c − 2) from the function's start
const CELLS = G - 5;
const MOMENT_FN_BYTES = CELLS * 6 * 8;
// The valuation's cell polynomials (stateGrid.ts nodesToCells): per function GRID_CELLS cells of six coefficients, the
// same layout as the moments
const CELL_FN_BYTES = MOMENT_FN_BYTES;
const CMAX = G - 4;

const get = (name) => `(local.get $${name})`;

/**
 * The powers of the position u in the path's cell (locals of type `t`: f64 or v128 with f64x2 ops) into w1..w5:
 * u, u² = u·u, u³ = u²·u, u⁴ = u²·u², u⁵ = u⁴·u, as ratePool.ts and cds.ts compute them; a table's cell polynomial
 * (stateGrid.ts nodesToCells) is then Σ_m a_m·w_m with w_0 = 1.
 */
function weights(t) {
  const op = (o) => (t === 'f64' ? `f64.${o}` : `f64x2.${o}`);
  const set = (n, e) => `(local.set $${n} ${e})`;
  return [
    set('w1', get('u')),
    set('w2', `(${op('mul')} ${get('u')} ${get('u')})`),
    set('w3', `(${op('mul')} ${get('w2')} ${get('u')})`),
    set('w4', `(${op('mul')} ${get('w2')} ${get('w2')})`),
    set('w5', `(${op('mul')} ${get('w4')} ${get('u')})`),
  ].join('\n      ');
}

const stencilLocals = (t) => ['u', 'w1', 'w2', 'w3', 'w4', 'w5'].map((n) => `(local $${n} ${t})`).join(' ');

/**
 * a_0 + u·a_1 + u²·a_2 + … + u⁵·a_5 (left to right, as the TypeScript sum) of the cell polynomial at the byte address
 * in local `at` (plus off).
 */
function dotScalar(at, off) {
  let e = `(f64.load offset=${off} ${get(at)})`;
  for (let k = 1; k < 6; k++) e = `(f64.add ${e} (f64.mul ${get(`w${k}`)} (f64.load offset=${off + 8 * k} ${get(at)})))`;
  return e;
}

/** The same for two paths in f64x2 lanes: lane 0 reads from local `a0`, lane 1 from `a1`. */
function dotPair(off) {
  const pair = (o) => `(v128.load64_lane offset=${o} 1 ${get('a1')} (v128.load64_zero offset=${o} ${get('a0')}))`;
  let e = pair(off);
  for (let k = 1; k < 6; k++) e = `(f64x2.add ${e} (f64x2.mul ${get(`w${k}`)} ${pair(off + 8 * k)}))`;
  return e;
}

/**
 * One path's stencil (ratePool.ts addValues' first lines): x = the state at p8, its cell c in 2 .. G−4 (truncation
 * is the floor: every path lies above node 2), u = the position in the cell, its powers w1..w5.
 */
function scalarStencil() {
  return `(local.set $x (f64.load (i32.add ${get('xRow')} ${get('p8')})))
      (local.set $s (f64.mul (f64.sub ${get('x')} ${get('x0')}) ${get('invH')}))
      (local.set $c (i32.trunc_sat_f64_s ${get('s')}))
      (if (i32.lt_s ${get('c')} (i32.const 2)) (then (local.set $c (i32.const 2))))
      (if (i32.gt_s ${get('c')} (i32.const ${CMAX})) (then (local.set $c (i32.const ${CMAX}))))
      (local.set $u (f64.sub ${get('s')} (f64.convert_i32_s ${get('c')})))
      ${weights('f64')}`;
}

/**
 * Δ·(c1 + Δ·(c2 + Δ·c3)) with class q's coefficients (ratePool.ts's running-coupon cubic), for f64 or f64x2 (the
 * coefficients splat) locals; the class's coefficients at coef + 24·q.
 */
function classCubic(t) {
  const o = t === 'f64' ? 'f64' : 'f64x2';
  const at = `(i32.add ${get('coef')} (i32.mul ${get('q')} (i32.const 24)))`;
  const k = (off) => (t === 'f64' ? `(f64.load offset=${off} ${at})` : `(f64x2.splat (f64.load offset=${off} ${at}))`);
  return `(${o}.mul ${get('delta')} (${o}.add ${k(0)} (${o}.mul ${get('delta')} (${o}.add ${k(8)} (${o}.mul ${get('delta')} ${k(16)})))))`;
}

/**
 * Slot q's c1 (loaded): 1 marks the first of a fixing date's three power slots (a class's c1 = −δ is negative), whose
 * functions are the Δ¹, Δ², Δ³ coefficients of its classes together (ratePool.ts prepare).
 */
const POWER_MARK = `(f64.load (i32.add ${get('coef')} (i32.mul ${get('q')} (i32.const 24))))`;

/** v += Δ·(c1 + Δ·(c2 + Δ·c3)) with the three power functions' values in c1, c2, c3 (a power triple's term). */
function powerStep(t) {
  const o = t === 'f64' ? 'f64' : 'f64x2';
  return `(local.set $v (${o}.add ${get('v')} (${o}.mul ${get('delta')} (${o}.add ${get('c1')} (${o}.mul ${get('delta')} (${o}.add ${get('c2')} (${o}.mul ${get('delta')} ${get('c3')})))))))`;
}

/** v += t·Δ·(c1 + Δ·(c2 + Δ·c3)): a class's term (ratePool.ts addValues). */
function classStep(t) {
  const o = t === 'f64' ? 'f64' : 'f64x2';
  return `(local.set $v (${o}.add ${get('v')} (${o}.mul ${get('c1')} ${classCubic(t)})))`;
}

/** out[p] += fx[p]·v (or v without FX) at byte p8, then p += step: the end of a valuation step. */
function storeAndStep(t, step) {
  const o = t === 'f64' ? 'f64' : 'f64x2';
  const load = t === 'f64' ? 'f64.load' : 'v128.load';
  const store = t === 'f64' ? 'f64.store' : 'v128.store';
  return `(local.set $at (i32.add ${get('out')} ${get('p8')}))
      (if ${get('fx')}
        (then (${store} ${get('at')} (${o}.add (${load} ${get('at')}) (${o}.mul (${load} (i32.add ${get('fx')} ${get('p8')})) ${get('v')}))))
        (else (${store} ${get('at')} (${o}.add (${load} ${get('at')}) ${get('v')}))))
      (local.set $p (i32.add ${get('p')} (i32.const ${step})))`;
}

const VALUE_PARAMS = '(param $p0 i32) (param $p1 i32) (param $xRow i32) (param $groupRows i32) (param $groups i32) (param $nodes i32) (param $run i32) (param $fx i32) (param $out i32) (param $x0 f64) (param $invH f64) (param $coef i32)';

// values1: out[p] += V(x_p) for p in [p0, p1), one path a step (ratePool.ts addValues' loop body).
const values1 = (name) => `
  (func (export "${name}") ${VALUE_PARAMS}
    (local $p i32) (local $p8 i32) (local $x f64) (local $s f64) (local $c i32) (local $b i32) (local $at i32) (local $v f64)
    (local $q i32) (local $delta f64) (local $c1 f64) (local $c2 f64) (local $c3 f64) ${stencilLocals('f64')}
    (local.set $p ${get('p0')})
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p')} ${get('p1')}))
      (local.set $p8 (i32.shl ${get('p')} (i32.const 3)))
      ${scalarStencil()}
      (local.set $b (i32.mul (i32.sub ${get('c')} (i32.const 2)) (i32.const 48)))
      (local.set $at (i32.add ${get('nodes')} ${get('b')}))
      (local.set $v ${dotScalar('at', 0)})
      (local.set $at (i32.add ${get('run')} ${get('b')}))
      (local.set $q (i32.const 0))
      (block $groupsDone (loop $group
        (br_if $groupsDone (i32.ge_u ${get('q')} ${get('groups')}))
        (local.set $delta (f64.sub ${get('x')} (f64.load (i32.add (i32.add ${get('xRow')} ${get('p8')}) (i32.load (i32.add ${get('groupRows')} (i32.shl ${get('q')} (i32.const 2))))))))
        (if (f64.eq ${POWER_MARK} (f64.const 1))
          (then
            (local.set $c1 ${dotScalar('at', 0)})
            (local.set $c2 ${dotScalar('at', CELL_FN_BYTES)})
            (local.set $c3 ${dotScalar('at', 2 * CELL_FN_BYTES)})
            ${powerStep('f64')}
            (local.set $at (i32.add ${get('at')} (i32.const ${3 * CELL_FN_BYTES})))
            (local.set $q (i32.add ${get('q')} (i32.const 3))))
          (else
            (local.set $c1 ${dotScalar('at', 0)})
            ${classStep('f64')}
            (local.set $at (i32.add ${get('at')} (i32.const ${CELL_FN_BYTES})))
            (local.set $q (i32.add ${get('q')} (i32.const 1)))))
        (br $group)))
      ${storeAndStep('f64', 1)}
      (br $paths)))
  )`;

// values2: the same two paths a step in f64x2 lanes; p1 − p0 even.
const values2 = (name) => `
  (func (export "${name}") ${VALUE_PARAMS}
    (local $p i32) (local $p8 i32) (local $x v128) (local $s v128) (local $c v128) (local $a0 i32) (local $a1 i32) (local $v v128)
    (local $q i32) (local $delta v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $x0v v128) (local $invHv v128) (local $at i32)
    ${stencilLocals('v128')}
    (local.set $x0v (f64x2.splat ${get('x0')}))
    (local.set $invHv (f64x2.splat ${get('invH')}))
    (local.set $p ${get('p0')})
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p')} ${get('p1')}))
      (local.set $p8 (i32.shl ${get('p')} (i32.const 3)))
      (local.set $x (v128.load (i32.add ${get('xRow')} ${get('p8')})))
      (local.set $s (f64x2.mul (f64x2.sub ${get('x')} ${get('x0v')}) ${get('invHv')}))
      (local.set $c (i32x4.min_s (i32x4.max_s (i32x4.trunc_sat_f64x2_s_zero ${get('s')}) (i32x4.splat (i32.const 2))) (i32x4.splat (i32.const ${CMAX}))))
      (local.set $u (f64x2.sub ${get('s')} (f64x2.convert_low_i32x4_s ${get('c')})))
      ${weights('v128')}
      (local.set $a0 (i32.add ${get('nodes')} (i32.mul (i32.sub (i32x4.extract_lane 0 ${get('c')}) (i32.const 2)) (i32.const 48))))
      (local.set $a1 (i32.add ${get('nodes')} (i32.mul (i32.sub (i32x4.extract_lane 1 ${get('c')}) (i32.const 2)) (i32.const 48))))
      (local.set $v ${dotPair(0)})
      (local.set $a0 (i32.add (i32.sub ${get('a0')} ${get('nodes')}) ${get('run')}))
      (local.set $a1 (i32.add (i32.sub ${get('a1')} ${get('nodes')}) ${get('run')}))
      (local.set $q (i32.const 0))
      (block $groupsDone (loop $group
        (br_if $groupsDone (i32.ge_u ${get('q')} ${get('groups')}))
        (local.set $delta (f64x2.sub ${get('x')} (v128.load (i32.add (i32.add ${get('xRow')} ${get('p8')}) (i32.load (i32.add ${get('groupRows')} (i32.shl ${get('q')} (i32.const 2))))))))
        (if (f64.eq ${POWER_MARK} (f64.const 1))
          (then
            (local.set $c1 ${dotPair(0)})
            (local.set $c2 ${dotPair(CELL_FN_BYTES)})
            (local.set $c3 ${dotPair(2 * CELL_FN_BYTES)})
            ${powerStep('v128')}
            (local.set $a0 (i32.add ${get('a0')} (i32.const ${3 * CELL_FN_BYTES})))
            (local.set $a1 (i32.add ${get('a1')} (i32.const ${3 * CELL_FN_BYTES})))
            (local.set $q (i32.add ${get('q')} (i32.const 3))))
          (else
            (local.set $c1 ${dotPair(0)})
            ${classStep('v128')}
            (local.set $a0 (i32.add ${get('a0')} (i32.const ${CELL_FN_BYTES})))
            (local.set $a1 (i32.add ${get('a1')} (i32.const ${CELL_FN_BYTES})))
            (local.set $q (i32.add ${get('q')} (i32.const 1)))))
        (br $group)))
      ${storeAndStep('v128', 2)}
      (br $paths)))
  )`;

// values2one: values2 for a pool with exactly one fixing-class slot, a class (not a power triple): the class's row offset
// and Taylor coefficients read once per call instead of once per pair of paths (the same operations on the same values,
// so the same bits as values2).
const values2one = (name) => `
  (func (export "${name}") ${VALUE_PARAMS}
    (local $p i32) (local $p8 i32) (local $x v128) (local $s v128) (local $c v128) (local $a0 i32) (local $a1 i32) (local $v v128)
    (local $delta v128) (local $c1 v128) (local $x0v v128) (local $invHv v128) (local $at i32)
    (local $row i32) (local $k0 v128) (local $k8 v128) (local $k16 v128)
    ${stencilLocals('v128')}
    (local.set $x0v (f64x2.splat ${get('x0')}))
    (local.set $invHv (f64x2.splat ${get('invH')}))
    (local.set $row (i32.add ${get('xRow')} (i32.load ${get('groupRows')})))
    (local.set $k0 (f64x2.splat (f64.load offset=0 ${get('coef')})))
    (local.set $k8 (f64x2.splat (f64.load offset=8 ${get('coef')})))
    (local.set $k16 (f64x2.splat (f64.load offset=16 ${get('coef')})))
    (local.set $p ${get('p0')})
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p')} ${get('p1')}))
      (local.set $p8 (i32.shl ${get('p')} (i32.const 3)))
      (local.set $x (v128.load (i32.add ${get('xRow')} ${get('p8')})))
      (local.set $s (f64x2.mul (f64x2.sub ${get('x')} ${get('x0v')}) ${get('invHv')}))
      (local.set $c (i32x4.min_s (i32x4.max_s (i32x4.trunc_sat_f64x2_s_zero ${get('s')}) (i32x4.splat (i32.const 2))) (i32x4.splat (i32.const ${CMAX}))))
      (local.set $u (f64x2.sub ${get('s')} (f64x2.convert_low_i32x4_s ${get('c')})))
      ${weights('v128')}
      (local.set $a0 (i32.add ${get('nodes')} (i32.mul (i32.sub (i32x4.extract_lane 0 ${get('c')}) (i32.const 2)) (i32.const 48))))
      (local.set $a1 (i32.add ${get('nodes')} (i32.mul (i32.sub (i32x4.extract_lane 1 ${get('c')}) (i32.const 2)) (i32.const 48))))
      (local.set $v ${dotPair(0)})
      (local.set $a0 (i32.add (i32.sub ${get('a0')} ${get('nodes')}) ${get('run')}))
      (local.set $a1 (i32.add (i32.sub ${get('a1')} ${get('nodes')}) ${get('run')}))
      (local.set $delta (f64x2.sub ${get('x')} (v128.load (i32.add ${get('row')} ${get('p8')}))))
      (local.set $c1 ${dotPair(0)})
      (local.set $v (f64x2.add ${get('v')} (f64x2.mul ${get('c1')} (f64x2.mul ${get('delta')} (f64x2.add ${get('k0')} (f64x2.mul ${get('delta')} (f64x2.add ${get('k8')} (f64x2.mul ${get('delta')} ${get('k16')}))))))))
      ${storeAndStep('v128', 2)}
      (br $paths)))
  )`;

/**
 * One path's cell and powers for the scatter (ratePool.ts accumulateTradeWeighted): x = the state at p8, its cell c in
 * 2 .. G−4 as in the valuation, u = the position in the cell, b = 48·(c − 2) its moments' byte offset, and the powers
 * (1, u), (u², u³), (u⁴, u⁵) with u² = u·u, u³ = u²·u, u⁴ = u²·u², u⁵ = u⁴·u.
 */
function scalarPowers() {
  return `(local.set $x (f64.load (i32.add ${get('xRow')} ${get('p8')})))
      (local.set $s (f64.mul (f64.sub ${get('x')} ${get('x0')}) ${get('invH')}))
      (local.set $c (i32.trunc_sat_f64_s ${get('s')}))
      (if (i32.lt_s ${get('c')} (i32.const 2)) (then (local.set $c (i32.const 2))))
      (if (i32.gt_s ${get('c')} (i32.const ${CMAX})) (then (local.set $c (i32.const ${CMAX}))))
      (local.set $u (f64.sub ${get('s')} (f64.convert_i32_s ${get('c')})))
      (local.set $u2 (f64.mul ${get('u')} ${get('u')}))
      (local.set $u4 (f64.mul ${get('u2')} ${get('u2')}))
      (local.set $p01 (f64x2.replace_lane 1 (f64x2.splat (f64.const 1)) ${get('u')}))
      (local.set $p23 (f64x2.replace_lane 1 (f64x2.splat ${get('u2')}) (f64.mul ${get('u2')} ${get('u')})))
      (local.set $p45 (f64x2.replace_lane 1 (f64x2.splat ${get('u4')}) (f64.mul ${get('u4')} ${get('u')})))
      (local.set $b (i32.mul (i32.sub ${get('c')} (i32.const 2)) (i32.const 48)))`;
}
const powerLocals = '(local $u f64) (local $u2 f64) (local $u4 f64) (local $p01 v128) (local $p23 v128) (local $p45 v128)';

/**
 * One side's scatter of one path (ratePool.ts accumulateTradeWeighted) into the cell moments of the path's cell (byte
 * offset b = 48·(c − 2)): mws[b+m] += coef·u^m, then per fixing class dm = coef·Δ·(c1 + Δ·(c2 + Δ·c3)), mrws[i+m] +=
 * dm·u^m, or per power triple dm = coef·Δ, mrws[i+m] += dm·u^m and dm *= Δ for its three functions. The powers
 * (1, u), (u², u³), (u⁴, u⁵) in locals p01, p23, p45.
 */
function scatterSide(coef, nws, rws) {
  // Each moment gets its own product and sum, so the six of a path go two at a time in f64x2 lanes (moments m and
  // m+1 of the same path: the same operations as the scalar loop's, element by element, in the same path order).
  const add = (ptr, off, factor, k) =>
    `(v128.store offset=${off + 8 * k} ${get(ptr)} (f64x2.add (v128.load offset=${off + 8 * k} ${get(ptr)}) (f64x2.mul (f64x2.splat ${get(factor)}) ${get(`p${k}${k + 1}`)})))`;
  const six = (ptr, off, factor) => [0, 2, 4].map((k) => add(ptr, off, factor, k)).join('\n          ');
  return `(local.set $at (i32.add ${get(nws)} ${get('b')}))
        ${six('at', 0, coef)}
        (local.set $at (i32.add ${get(rws)} ${get('b')}))
        (local.set $q (i32.const 0))
        (block $groupsDone (loop $group
          (br_if $groupsDone (i32.ge_u ${get('q')} ${get('groups')}))
          (local.set $delta (f64.sub ${get('x')} (f64.load (i32.add (i32.add ${get('xRow')} ${get('p8')}) (i32.load (i32.add ${get('groupRows')} (i32.shl ${get('q')} (i32.const 2))))))))
          (if (f64.eq ${POWER_MARK} (f64.const 1))
            (then
              (local.set $dm (f64.mul ${get(coef)} ${get('delta')}))
              ${six('at', 0, 'dm')}
              (local.set $dm (f64.mul ${get('dm')} ${get('delta')}))
              ${six('at', MOMENT_FN_BYTES, 'dm')}
              (local.set $dm (f64.mul ${get('dm')} ${get('delta')}))
              ${six('at', 2 * MOMENT_FN_BYTES, 'dm')}
              (local.set $at (i32.add ${get('at')} (i32.const ${3 * MOMENT_FN_BYTES})))
              (local.set $q (i32.add ${get('q')} (i32.const 3))))
            (else
              (local.set $dm (f64.mul ${get(coef)} ${classCubic('f64')}))
              ${six('at', 0, 'dm')}
              (local.set $at (i32.add ${get('at')} (i32.const ${MOMENT_FN_BYTES})))
              (local.set $q (i32.add ${get('q')} (i32.const 1)))))
          (br $group)))`;
}

/**
 * A path's scatter on the side(s) whose weight is non-zero: both sides when both are (IM held), else the one side,
 * chosen by selects rather than a branch (the side is the sign of V, a coin flip from path to path); with both
 * weights zero it adds zeros (0·w, which leaves every sum as it is: a sum that starts at +0 is never −0), so it gives
 * the bits of the TypeScript loop, which skips zero weights.
 */
function scatterSides(side = scatterSide) {
  return `(if (i32.and (f64.ne ${get('a')} (f64.const 0)) (f64.ne ${get('a2')} (f64.const 0)))
        (then
          ${side('a', 'nw', 'rw')}
          ${side('a2', 'nw2', 'rw2')})
        (else
          (local.set $side (f64.ne ${get('a')} (f64.const 0)))
          (local.set $cf (select ${get('a')} ${get('a2')} ${get('side')}))
          (local.set $nwS (select ${get('nw')} ${get('nw2')} ${get('side')}))
          (local.set $rwS (select ${get('rw')} ${get('rw2')} ${get('side')}))
          ${side('cf', 'nwS', 'rwS')}))`;
}
const sideLocals = '(local $side i32) (local $cf f64) (local $nwS i32) (local $rwS i32)';

// scatter1: for p in [p0, p1), one path a step, with weight wa_p (and wb_p when wb ≠ 0) not both zero: the powers of the
// path's position in its cell, scaled by the weight × FX level, added to its cell's moments in nw (nw2) and in the
// running-coupon functions' moments rw (rw2) (stateGrid.ts cellMomentsToNodes turns them into node weights).
const scatter1 = (name) => `
  (func (export "${name}") (param $p0 i32) (param $p1 i32) (param $xRow i32) (param $groupRows i32) (param $groups i32) (param $fx i32) (param $wa i32) (param $wb i32) (param $nw i32) (param $nw2 i32) (param $rw i32) (param $rw2 i32) (param $x0 f64) (param $invH f64) (param $coef i32)
    (local $p i32) (local $p8 i32) (local $x f64) (local $s f64) (local $c i32) (local $b i32) (local $at i32)
    (local $q i32) (local $delta f64) (local $dm f64) (local $a f64) (local $a2 f64) (local $fxp f64) (local $va f64) (local $vb f64)
    ${powerLocals} ${sideLocals}
    (local.set $p ${get('p0')})
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p')} ${get('p1')}))
      (local.set $p8 (i32.shl ${get('p')} (i32.const 3)))
      (local.set $va (f64.load (i32.add ${get('wa')} ${get('p8')})))
      (local.set $vb (if (result f64) ${get('wb')} (then (f64.load (i32.add ${get('wb')} ${get('p8')}))) (else (f64.const 0))))
      (if (i32.eqz (i32.and (f64.eq ${get('va')} (f64.const 0)) (f64.eq ${get('vb')} (f64.const 0)))) (then
      (local.set $fxp (if (result f64) ${get('fx')} (then (f64.load (i32.add ${get('fx')} ${get('p8')}))) (else (f64.const 1))))
      (local.set $a (f64.mul ${get('va')} ${get('fxp')}))
      (local.set $a2 (f64.mul ${get('vb')} ${get('fxp')}))
      ${scalarPowers()}
      ${scatterSides()}))
      (local.set $p (i32.add ${get('p')} (i32.const 1)))
      (br $paths)))
  )`;

/** scatterSide for a pool with one fixing-class slot, a class: its fixing row and coefficients in locals row, k0, k8, k16. */
function scatterSideOne(coef, nws, rws, always = false) {
  const add = (ptr, off, factor, k) =>
    `(v128.store offset=${off + 8 * k} ${get(ptr)} (f64x2.add (v128.load offset=${off + 8 * k} ${get(ptr)}) (f64x2.mul (f64x2.splat ${get(factor)}) ${get(`p${k}${k + 1}`)})))`;
  const six = (ptr, off, factor) => [0, 2, 4].map((k) => add(ptr, off, factor, k)).join('\n          ');
  const body = `(local.set $at (i32.add ${get(nws)} ${get('b')}))
        ${six('at', 0, coef)}
        (local.set $at (i32.add ${get(rws)} ${get('b')}))
        (local.set $delta (f64.sub ${get('x')} (f64.load (i32.add ${get('row')} ${get('p8')}))))
        (local.set $dm (f64.mul ${get(coef)} (f64.mul ${get('delta')} (f64.add ${get('k0')} (f64.mul ${get('delta')} (f64.add ${get('k8')} (f64.mul ${get('delta')} ${get('k16')})))))))
        ${six('at', 0, 'dm')}`;
  return always ? body : `(if (f64.ne ${get(coef)} (f64.const 0)) (then
        ${body}))`;
}

// scatter1one: scatter1 for a pool with exactly one fixing-class slot, a class (as values2one).
const scatter1one = (name) => `
  (func (export "${name}") (param $p0 i32) (param $p1 i32) (param $xRow i32) (param $groupRows i32) (param $groups i32) (param $fx i32) (param $wa i32) (param $wb i32) (param $nw i32) (param $nw2 i32) (param $rw i32) (param $rw2 i32) (param $x0 f64) (param $invH f64) (param $coef i32)
    (local $p i32) (local $p8 i32) (local $x f64) (local $s f64) (local $c i32) (local $b i32) (local $at i32)
    (local $delta f64) (local $dm f64) (local $a f64) (local $a2 f64) (local $fxp f64) (local $va f64) (local $vb f64)
    ${powerLocals} (local $row i32) (local $k0 f64) (local $k8 f64) (local $k16 f64)
    (local $side i32) (local $cf f64) (local $nwS i32) (local $rwS i32)
    
    (local.set $row (i32.add ${get('xRow')} (i32.load ${get('groupRows')})))
    (local.set $k0 (f64.load offset=0 ${get('coef')}))
    (local.set $k8 (f64.load offset=8 ${get('coef')}))
    (local.set $k16 (f64.load offset=16 ${get('coef')}))
    (local.set $p ${get('p0')})
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p')} ${get('p1')}))
      (local.set $p8 (i32.shl ${get('p')} (i32.const 3)))
      (local.set $va (f64.load (i32.add ${get('wa')} ${get('p8')})))
      (local.set $vb (if (result f64) ${get('wb')} (then (f64.load (i32.add ${get('wb')} ${get('p8')}))) (else (f64.const 0))))
      (if (i32.eqz (i32.and (f64.eq ${get('va')} (f64.const 0)) (f64.eq ${get('vb')} (f64.const 0)))) (then
      (local.set $fxp (if (result f64) ${get('fx')} (then (f64.load (i32.add ${get('fx')} ${get('p8')}))) (else (f64.const 1))))
      (local.set $a (f64.mul ${get('va')} ${get('fxp')}))
      (local.set $a2 (f64.mul ${get('vb')} ${get('fxp')}))
      ${scalarPowers()}
      (if (i32.and (f64.ne ${get('a')} (f64.const 0)) (f64.ne ${get('a2')} (f64.const 0)))
        (then
          ${scatterSideOne('a', 'nw', 'rw')}
          ${scatterSideOne('a2', 'nw2', 'rw2')})
        (else
          (local.set $side (f64.ne ${get('a')} (f64.const 0)))
          (local.set $cf (select ${get('a')} ${get('a2')} ${get('side')}))
          (local.set $nwS (select ${get('nw')} ${get('nw2')} ${get('side')}))
          (local.set $rwS (select ${get('rw')} ${get('rw2')} ${get('side')}))
          ${scatterSideOne('cf', 'nwS', 'rwS', true)}))))
      (local.set $p (i32.add ${get('p')} (i32.const 1)))
      (br $paths)))
  )`;

/**
 * stateGrid.ts LAGRANGE_POWERS, computed the same way (the same doubles): L_k(u) = Σ_m C[6k + m]·u^m for the 6-point
 * stencil's node k (positions −2 .. 3 from the cell start).
 */
function lagrangePowers() {
  const c = new Float64Array(36);
  for (let k = 0; k < 6; k++) {
    let poly = [1];
    let denominator = 1;
    for (let j = 0; j < 6; j++) {
      if (j === k) continue;
      const root = j - 2;
      const next = new Array(poly.length + 1).fill(0);
      for (let i = 0; i < poly.length; i++) {
        next[i + 1] += poly[i];
        next[i] -= root * poly[i];
      }
      poly = next;
      denominator *= k - j;
    }
    for (let m = 0; m < 6; m++) c[6 * k + m] = poly[m] / denominator;
  }
  return c;
}

// momentsToNodes: stateGrid.ts cellMomentsToNodes for `fns` functions (moments at m + f·mStride, node weights added at
// nodes + f·nStride, bytes): per cell b ascending, nodes b+k and b+k+1 in f64x2 lanes, each lane the TypeScript sum
// C[k][0]·m0 + C[k][1]·m1 + … + C[k][5]·m5 left to right, added to the node weight; all-zero cells skipped, as there.
const momentsToNodes = (name) => {
  const C = lagrangePowers();
  const pairConst = (k, m) => {
    const lane = (v) => (v === 0 ? '0' : hexFloat(v));
    return `(v128.const f64x2 ${lane(C[6 * k + m])} ${lane(C[6 * (k + 1) + m])})`;
  };
  const pairSum = (k) => {
    let e = `(f64x2.mul ${pairConst(k, 0)} ${get('s0')})`;
    for (let m = 1; m < 6; m++) e = `(f64x2.add ${e} (f64x2.mul ${pairConst(k, m)} ${get(`s${m}`)}))`;
    return `(v128.store offset=${8 * k} ${get('nb')} (f64x2.add (v128.load offset=${8 * k} ${get('nb')}) ${e}))`;
  };
  const loads = [0, 1, 2, 3, 4, 5].map((m) => `(local.set $m${m} (f64.load offset=${8 * m} ${get('mb')}))`).join('\n        ');
  const splats = [0, 1, 2, 3, 4, 5].map((m) => `(local.set $s${m} (f64x2.splat ${get(`m${m}`)}))`).join('\n          ');
  const zero = [0, 1, 2, 3, 4, 5].map((m) => `(f64.eq ${get(`m${m}`)} (f64.const 0))`).reduce((a, b) => `(i32.and ${a} ${b})`);
  return `
  (func (export "${name}") (param $fns i32) (param $m i32) (param $nodes i32) (param $mStride i32) (param $nStride i32)
    (local $f i32) (local $b i32) (local $mb i32) (local $nb i32)
    (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $m3 f64) (local $m4 f64) (local $m5 f64)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128)
    (local.set $f (i32.const 0))
    (block $fnsDone (loop $fn
      (br_if $fnsDone (i32.ge_u ${get('f')} ${get('fns')}))
      (local.set $b (i32.const 0))
      (block $cellsDone (loop $cell
        (br_if $cellsDone (i32.ge_u ${get('b')} (i32.const ${CELLS})))
        (local.set $mb (i32.add (i32.add ${get('m')} (i32.mul ${get('f')} ${get('mStride')})) (i32.mul ${get('b')} (i32.const 48))))
        (local.set $nb (i32.add (i32.add ${get('nodes')} (i32.mul ${get('f')} ${get('nStride')})) (i32.shl ${get('b')} (i32.const 3))))
        ${loads}
        (if (i32.eqz ${zero}) (then
          ${splats}
          ${pairSum(0)}
          ${pairSum(2)}
          ${pairSum(4)}))
        (local.set $b (i32.add ${get('b')} (i32.const 1)))
        (br $cell)))
      (local.set $f (i32.add ${get('f')} (i32.const 1)))
      (br $fn)))
  )`;
};

// nodesToCells: stateGrid.ts nodesToCells for `fns` functions (node tables at nodes + f·nStride, cell polynomials written
// at cells + f·cStride, bytes): per cell b, the coefficients m and m+1 in f64x2 lanes, each lane the TypeScript sum
// C[0][m]·n0 + C[1][m]·n1 + … + C[5][m]·n5 left to right.
const nodesToCells = (name) => {
  const C = lagrangePowers();
  const lane = (v) => (v === 0 ? '0' : hexFloat(v));
  const pairSum = (m) => {
    let e = `(f64x2.mul (v128.const f64x2 ${lane(C[m])} ${lane(C[m + 1])}) ${get('s0')})`;
    for (let k = 1; k < 6; k++) e = `(f64x2.add ${e} (f64x2.mul (v128.const f64x2 ${lane(C[6 * k + m])} ${lane(C[6 * k + m + 1])}) ${get(`s${k}`)}))`;
    return `(v128.store offset=${8 * m} ${get('cb')} ${e})`;
  };
  const splats = [0, 1, 2, 3, 4, 5].map((k) => `(local.set $s${k} (f64x2.splat (f64.load offset=${8 * k} ${get('nb')})))`).join('\n        ');
  return `
  (func (export "${name}") (param $fns i32) (param $nodes i32) (param $cells i32) (param $nStride i32) (param $cStride i32)
    (local $f i32) (local $b i32) (local $nb i32) (local $cb i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128)
    (local.set $f (i32.const 0))
    (block $fnsDone (loop $fn
      (br_if $fnsDone (i32.ge_u ${get('f')} ${get('fns')}))
      (local.set $b (i32.const 0))
      (block $cellsDone (loop $cell
        (br_if $cellsDone (i32.ge_u ${get('b')} (i32.const ${CELLS})))
        (local.set $nb (i32.add (i32.add ${get('nodes')} (i32.mul ${get('f')} ${get('nStride')})) (i32.shl ${get('b')} (i32.const 3))))
        (local.set $cb (i32.add (i32.add ${get('cells')} (i32.mul ${get('f')} ${get('cStride')})) (i32.mul ${get('b')} (i32.const 48))))
        ${splats}
        ${pairSum(0)}
        ${pairSum(2)}
        ${pairSum(4)}
        (local.set $b (i32.add ${get('b')} (i32.const 1)))
        (br $cell)))
      (local.set $f (i32.add ${get('f')} (i32.const 1)))
      (br $fn)))
  )`;
};

// The netting set's per-path loops after the valuation (two paths a step in f64x2 lanes, each lane the scalar loop's
// operations; a choice between the branches of the TypeScript loop is a lane select, which gives the value the branch
// taken would have given). Rows are padded to 16 bytes, so the lane past an odd n reads and writes padding.
const V = (n) => `(v128.load (i32.add ${get(n)} ${get('p8')}))`;
const S = (n) => `(f64x2.splat ${get(n)})`;
const ZERO2 = '(f64x2.splat (f64.const 0))';
const sel = (ifTrue, ifFalse, mask) => `(v128.bitselect ${ifTrue} ${ifFalse} ${mask})`;
const pairLoop = (body) => `(local.set $end (i32.shl (i32.and (i32.add ${get('n')} (i32.const 1)) (i32.const -2)) (i32.const 3)))
    (local.set $p8 (i32.const 0))
    (block $done (loop $paths
      (br_if $done (i32.ge_u ${get('p8')} ${get('end')}))
      ${body}
      (local.set $p8 (i32.add ${get('p8')} (i32.const 16)))
      (br $paths)))`;

// marginCall2: one margin call on every path (collateral.ts CollateralTracker.advanceTo at a call date): from the values
// at `vals` and the balances at `bal`, the new balances into `bal`. cov05 = coverage·0.5 (the TypeScript product's first
// factor); exact ≠ 0: no MTAs and no rounding (the balance is the requirement).
const marginCall2 = `
  (func (export "marginCall2") (param $n i32) (param $vals i32) (param $bal i32) (param $ia f64) (param $thC f64) (param $thB f64) (param $cov05 f64) (param $mtaC f64) (param $mtaB f64) (param $mult f64) (param $exact i32)
    (local $p8 i32) (local $end i32) (local $x v128) (local $held v128) (local $posted v128) (local $req v128) (local $b v128) (local $sf v128)
    (local $toBank v128) (local $toCpty v128) (local $crosses v128) (local $moved v128) (local $up v128) (local $xq v128) (local $kf v128) (local $units v128)
    ${pairLoop(`(local.set $x (f64x2.add ${V('vals')} ${S('ia')}))
      (local.set $held (f64x2.sub ${get('x')} ${S('thC')}))
      (local.set $posted (f64x2.sub (f64x2.neg ${get('x')}) ${S('thB')}))
      (local.set $req (f64x2.mul ${S('cov05')} (f64x2.sub (f64x2.sub (f64x2.add ${get('held')} (f64x2.abs ${get('held')})) ${get('posted')}) (f64x2.abs ${get('posted')}))))
      (if ${get('exact')} (then (v128.store (i32.add ${get('bal')} ${get('p8')}) ${get('req')})) (else
      (local.set $b ${V('bal')})
      (local.set $sf (f64x2.sub ${get('req')} ${get('b')}))
      (local.set $toBank (v128.and (f64x2.gt ${get('sf')} ${ZERO2}) (f64x2.ge ${get('sf')} ${S('mtaC')})))
      (local.set $toCpty (v128.and (f64x2.lt ${get('sf')} ${ZERO2}) (f64x2.ge (f64x2.neg ${get('sf')}) ${S('mtaB')})))
      (local.set $crosses (v128.or (v128.and (f64x2.lt ${get('b')} ${ZERO2}) (f64x2.gt ${get('req')} ${ZERO2})) (v128.and (f64x2.gt ${get('b')} ${ZERO2}) (f64x2.lt ${get('req')} ${ZERO2}))))
      (if (f64.eq ${get('mult')} (f64.const 0))
        (then (local.set $moved ${sel(get('req'), `(f64x2.add ${get('b')} ${get('sf')})`, get('crosses'))}))
        (else
          (local.set $up ${sel(get('toBank'), `(v128.or (v128.and ${get('toBank')} (f64x2.ge ${get('b')} ${ZERO2})) (v128.and ${get('toCpty')} (f64x2.gt ${get('b')} ${ZERO2})))`, get('crosses'))})
          (local.set $xq (f64x2.div ${sel(get('req'), get('sf'), get('crosses'))} ${S('mult')}))
          (local.set $kf (f64x2.floor (f64x2.add ${get('xq')} (f64x2.splat (f64.const 1e-9)))))
          (local.set $units (f64x2.mul (f64x2.add ${get('kf')} (f64x2.mul ${sel('(f64x2.splat (f64.const 1))', ZERO2, get('up'))} (f64x2.sub (f64x2.ceil (f64x2.sub ${get('xq')} (f64x2.splat (f64.const 1e-9)))) ${get('kf')}))) ${S('mult')}))
          (local.set $moved ${sel(get('units'), `(f64x2.add ${get('b')} ${get('units')})`, get('crosses'))})))
      (v128.store (i32.add ${get('bal')} ${get('p8')}) ${sel(get('moved'), get('b'), `(v128.or ${get('toBank')} ${get('toCpty')})`)})))`)}
  )`;

// eulerBoth2: euler.ts eulerWeightsBoth at one date: the EPE and ENE path weights into wa and wb from the values at
// `vals`, the collateral at `coll` (0: none), the numeraire row at `num`; the residuals (the paths whose exposure is
// shared equally), summed path by path in path order as the TypeScript loop does, into res[0] and res[1].
const eulerBoth2 = `
  (func (export "eulerBoth2") (param $n i32) (param $vals i32) (param $coll i32) (param $num i32) (param $wa i32) (param $wb i32) (param $res i32) (param $divisor f64) (param $im f64) (param $limit f64) (param $ratio f64)
    (local $p8 i32) (local $end i32) (local $v v128) (local $cE v128) (local $cN v128) (local $scale v128) (local $size v128) (local $ea v128) (local $na v128)
    (local $eaPos v128) (local $naPos v128) (local $bigE v128) (local $bigN v128) (local $zE v128) (local $zN v128) (local $resE v128) (local $resN v128)
    (local $sumE f64) (local $sumN f64)
    ${pairLoop(`(local.set $v ${V('vals')})
      (local.set $cE (if (result v128) ${get('coll')} (then ${V('coll')}) (else ${ZERO2})))
      (local.set $cN (f64x2.sub ${get('cE')} ${S('im')}))
      (local.set $scale (f64x2.div (f64x2.splat (f64.const 1)) (f64x2.mul ${V('num')} ${S('divisor')})))
      (local.set $size (f64x2.abs ${get('v')}))
      (local.set $ea (f64x2.sub ${get('v')} ${get('cE')}))
      (local.set $eaPos (f64x2.gt ${get('ea')} ${ZERO2}))
      (local.set $zE (f64x2.eq ${get('cE')} ${ZERO2}))
      (local.set $bigE (f64x2.gt ${get('size')} (f64x2.max ${S('limit')} (f64x2.mul ${S('ratio')} (f64x2.abs ${get('cE')})))))
      (v128.store (i32.add ${get('wa')} ${get('p8')}) ${sel(sel(get('scale'), sel(`(f64x2.mul (f64x2.div ${get('ea')} ${get('v')}) ${get('scale')})`, ZERO2, get('bigE')), get('zE')), ZERO2, get('eaPos'))})
      (local.set $resE (v128.andnot (v128.andnot ${get('eaPos')} ${get('zE')}) ${get('bigE')}))
      (local.set $na (f64x2.neg (f64x2.sub ${get('v')} ${get('cN')})))
      (local.set $naPos (f64x2.gt ${get('na')} ${ZERO2}))
      (local.set $zN (f64x2.eq ${get('cN')} ${ZERO2}))
      (local.set $bigN (f64x2.gt ${get('size')} (f64x2.max ${S('limit')} (f64x2.mul ${S('ratio')} (f64x2.abs ${get('cN')})))))
      (v128.store (i32.add ${get('wb')} ${get('p8')}) ${sel(sel(`(f64x2.neg ${get('scale')})`, sel(`(f64x2.mul (f64x2.div ${get('na')} ${get('v')}) ${get('scale')})`, ZERO2, get('bigN')), get('zN')), ZERO2, get('naPos'))})
      (local.set $resN (v128.andnot (v128.andnot ${get('naPos')} ${get('zN')}) ${get('bigN')}))
      (if (v128.any_true (v128.or ${get('resE')} ${get('resN')})) (then
        (local.set $ea (f64x2.mul ${get('ea')} ${get('scale')}))
        (local.set $na (f64x2.mul ${get('na')} ${get('scale')}))
        (if (i32x4.extract_lane 0 ${get('resE')}) (then (local.set $sumE (f64.add ${get('sumE')} (f64x2.extract_lane 0 ${get('ea')})))))
        (if (i32x4.extract_lane 0 ${get('resN')}) (then (local.set $sumN (f64.add ${get('sumN')} (f64x2.extract_lane 0 ${get('na')})))))
        (if (i32.lt_u (i32.add (i32.shr_u ${get('p8')} (i32.const 3)) (i32.const 1)) ${get('n')}) (then
          (if (i32x4.extract_lane 2 ${get('resE')}) (then (local.set $sumE (f64.add ${get('sumE')} (f64x2.extract_lane 1 ${get('ea')})))))
          (if (i32x4.extract_lane 2 ${get('resN')}) (then (local.set $sumN (f64.add ${get('sumN')} (f64x2.extract_lane 1 ${get('na')})))))))))`)}
    (f64.store ${get('res')} ${get('sumE')})
    (f64.store offset=8 ${get('res')} ${get('sumN')})
  )`;

// eulerPlain2: eulerWeightsBoth without collateral and IM: ±1/(N·divisor) on the side of V's sign.
const eulerPlain2 = `
  (func (export "eulerPlain2") (param $n i32) (param $vals i32) (param $num i32) (param $wa i32) (param $wb i32) (param $divisor f64)
    (local $p8 i32) (local $end i32) (local $v v128) (local $scale v128)
    ${pairLoop(`(local.set $v ${V('vals')})
      (local.set $scale (f64x2.div (f64x2.splat (f64.const 1)) (f64x2.mul ${V('num')} ${S('divisor')})))
      (v128.store (i32.add ${get('wa')} ${get('p8')}) ${sel(get('scale'), ZERO2, `(f64x2.gt ${get('v')} ${ZERO2})`)})
      (v128.store (i32.add ${get('wb')} ${get('p8')}) ${sel(`(f64x2.neg ${get('scale')})`, ZERO2, `(f64x2.gt (f64x2.neg ${get('v')}) ${ZERO2})`)})`)}
  )`;

export function poolKernelsWat() {
  return `;; Generated by scripts/pool-kernels.mjs: the rate pools' per-path loops (src/exposure/valuation/ratePool.ts).
(module
  (import "xva" "memory" (memory 1 65536 shared))
${values1('values1')}
${values2('values2')}
${values2one('values2one')}
${scatter1('scatter1')}
${scatter1one('scatter1one')}
${momentsToNodes('momentsToNodes')}
${nodesToCells('nodesToCells')}
${marginCall2}
${eulerBoth2}
${eulerPlain2}
)
`;
}

// ---- The random numbers' kernel (src/simulation/rng/): philoxBlocks and inverseNormalOfWords of
// src/simulation/rng/philox.ts and normal.ts, four Philox blocks a step in i32x4 lanes, the central region of the
// inverse normal two words a step in f64x2 lanes. Its own module with its own memory (no paths). The constants are read
// from the TypeScript sources, the doubles written as hexadecimal floats, so they are the very numbers of the loops.

const PHILOX = join(ROOT, 'src/simulation/rng/philox.ts');
const NORMAL = join(ROOT, 'src/simulation/rng/normal.ts');
const RNG_OUT = join(ROOT, 'src/simulation/rng/rngKernelsBinary.ts');

/** The exact double as a WebAssembly hexadecimal float literal. */
function hexFloat(v) {
  if (v === 0) return Object.is(v, -0) ? '-0x0p+0' : '0x0p+0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exponent = (hi >>> 20) & 0x7ff;
  if (exponent === 0 || exponent === 0x7ff) throw new Error(`hexFloat: ${v} is not a normal double`);
  const mantissa = (hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0');
  return `${hi >>> 31 ? '-' : ''}0x1.${mantissa}p${exponent - 1023}`;
}

/** philox.ts's multipliers and round count, and normal.ts's central-region constants (r's offset, then numerator, denominator). */
function rngConstants() {
  const philox = readFileSync(PHILOX, 'utf8');
  const int = (name) => {
    const m = philox.match(new RegExp(`const ${name} = (0x[0-9a-f]+|[0-9]+);`));
    if (!m) throw new Error(`philox.ts: no ${name}`);
    return Number(m[1]);
  };
  const normal = readFileSync(NORMAL, 'utf8');
  const start = normal.indexOf('function centralQuantile(q: number): number {');
  const body = normal.slice(start, normal.indexOf('\n}\n', start));
  const numbers = [...body.matchAll(/[0-9]+\.[0-9]+/g)].map((m) => Number(m[0]));
  if (numbers.length !== 16) throw new Error(`normal.ts centralQuantile: expected 16 constants, found ${numbers.length}`);
  return { M0: int('PHILOX_M0'), M1: int('PHILOX_M1'), ROUNDS: int('PHILOX_ROUNDS'), R: numbers[0], NUM: numbers.slice(1, 9), DEN: numbers.slice(9, 16) };
}

/** i8x16.shuffle of two i32x4 vectors by i32 lane indices (0..7). */
const shuffle32 = (lanes, a, b) => `(i8x16.shuffle ${lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ')} ${a} ${b})`;

/**
 * philoxNormals(count, c0, stride, c1, c2, c3, keys, words, draws, tails) → the number of tails: the Philox4x32-10
 * blocks of counters (c0 + i·stride, c1, c2, c3), i < S with S = count rounded up to a multiple of 4 (the buffers
 * have room), under the round keys at `keys` (philoxRoundKeys' k0 then k1), word w of block i to words[w·S + i] (u32,
 * word-major: each word's row a copy away from the caller's arrays), and for every word the central-region normal of
 * AS241 into draws (f64, the same index); the indices of the words in the tails (|p − ½| > 0.425), in order, into
 * tails (i32), for the caller to finish with normal.ts tailQuantile (the rows' last S − count words included).
 */
function philoxNormals() {
  const K = rngConstants();
  const set = (n, e) => `(local.set $${n} ${e})`;
  const x = (w) => get(`x${w}`);
  const mulhi = (a, m) => shuffle32([1, 3, 5, 7], `(i64x2.extmul_low_i32x4_u ${a} ${m})`, `(i64x2.extmul_high_i32x4_u ${a} ${m})`);
  const key = (offset) => `(i32x4.splat (i32.load offset=${offset} (i32.add ${get('keys')} (i32.shl ${get('r')} (i32.const 2)))))`;
  const round = [
    set('h0', mulhi(x(0), get('m0'))),
    set('l0', `(i32x4.mul ${x(0)} ${get('m0')})`),
    set('h1', mulhi(x(2), get('m1'))),
    set('x0', `(v128.xor (v128.xor ${get('h1')} ${x(1)}) ${key(0)})`),
    set('x1', `(i32x4.mul ${x(2)} ${get('m1')})`),
    set('x2', `(v128.xor (v128.xor ${get('h0')} ${x(3)}) ${key(4 * K.ROUNDS)})`),
    set('x3', get('l0')),
  ].join('\n          ');
  // word-major: word w of blocks i .. i+3 (x_w's lanes) to words[w·S + i .. i+3], S = count rounded up to 4 (the
  // rows of the four words, each a copy away from the caller's arrays)
  const at = (w) => `(i32.add ${get('words')} (i32.shl (i32.add (i32.mul ${get('s')} (i32.const ${w})) ${get('i')}) (i32.const 2)))`;
  const transpose = [0, 1, 2, 3].map((w) => `(v128.store ${at(w)} ${x(w)})`).join('\n        ');
  // numerator ((2509.08·r + 33430.57)·r + …)·r + 3.387 and denominator ((5226.49·r + …)·r + 42.31)·r + 1 by Horner,
  // as written in normal.ts (a constant times r first: the same product); two pairs of words a step (a at j, b at
  // j + 2), their four Horner chains interleaved step by step so that the processor runs them side by side (each chain
  // waits on its multiply-add's latency), every lane the scalar loop's operations in its order
  const pairs = ['a', 'b'];
  const steps = [];
  for (const h of pairs) {
    const at = h === 'a' ? get('j') : `(i32.add ${get('j')} (i32.const 2))`;
    steps.push(set(`p${h}`, op2('mul', op2('add', `(f64x2.convert_low_i32x4_u (v128.load64_zero (i32.add ${get('words')} (i32.shl ${at} (i32.const 2)))))`, k2(0.5)), k2(1 / 4294967296))));
  }
  for (const h of pairs) steps.push(set(`q${h}`, op2('sub', get(`p${h}`), k2(0.5))));
  for (const h of pairs) steps.push(set(`r${h}`, op2('sub', k2(K.R), op2('mul', get(`q${h}`), get(`q${h}`)))));
  for (const h of pairs) steps.push(set(`n${h}`, k2(K.NUM[0])), set(`d${h}`, k2(K.DEN[0])));
  // NUM has 8 coefficients (7 steps), DEN 7 and the final ·r + 1 (7 steps)
  const denTail = [...K.DEN.slice(1), 1];
  for (let k = 1; k < K.NUM.length; k++) {
    for (const h of pairs) {
      steps.push(set(`n${h}`, op2('add', op2('mul', get(`n${h}`), get(`r${h}`)), k2(K.NUM[k]))));
      steps.push(set(`d${h}`, op2('add', op2('mul', get(`d${h}`), get(`r${h}`)), k2(denTail[k - 1]))));
    }
  }
  if (denTail.length !== K.NUM.length - 1) throw new Error('rng kernel: the numerator and denominator chains differ in length');
  // branch-free tails: the word's index is written at the list's end either way and the count moves on only for a
  // tail (a tail is a coin flip with p = 0.15 a word: a branch on it mispredicts, and the Horner chains of the next
  // pairs then wait); the list has room for the indices past its end this writes
  const tailLane = (h, lane) => {
    const index = `(i32.add ${get('j')} (i32.const ${(h === 'a' ? 0 : 2) + lane}))`;
    return `(i32.store (i32.add ${get('tails')} (i32.shl ${get('nt')} (i32.const 2))) ${index})
      (local.set $nt (i32.add ${get('nt')} (i32.and (i32x4.extract_lane ${2 * lane} ${get(`t${h}`)}) (i32.lt_u ${index} ${get('limit')}))))`;
  };
  for (const h of pairs) {
    const at = h === 'a' ? get('j') : `(i32.add ${get('j')} (i32.const 2))`;
    steps.push(`(v128.store (i32.add ${get('draws')} (i32.shl ${at} (i32.const 3))) ${op2('div', op2('mul', get(`q${h}`), get(`n${h}`)), get(`d${h}`))})`);
    steps.push(set(`t${h}`, `(v128.not (v128.and (f64x2.ge ${get(`q${h}`)} ${k2(-0.425)}) (f64x2.le ${get(`q${h}`)} ${k2(0.425)})))`));
    steps.push(tailLane(h, 0), tailLane(h, 1));
  }
  // the words at `words` (limit of them, four a step; the count rounded up to a multiple of 4 reads up to three words
  // past, whose normals are written past `limit` and never listed) to normals at `draws`, the central region in f64x2
  // lanes and the indices of the tail words listed at `tails` for the TypeScript
  const wordsLoop = `(block $wordsDone (loop $pairs
      (br_if $wordsDone (i32.ge_u ${get('j')} ${get('limit')}))
      ${steps.join('\n      ')}
      (local.set $j (i32.add ${get('j')} (i32.const 4)))
      (br $pairs)))`;
  const wordsLocals = pairs.map((h) => ['p', 'q', 'r', 'n', 'd', 't'].map((v) => `(local $${v}${h} v128)`).join(' ')).join(' ');
  return `
  (func (export "philoxNormals") (param $count i32) (param $c0 i32) (param $stride i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $keys i32) (param $words i32) (param $draws i32) (param $tails i32) (result i32)
    (local $i i32) (local $r i32) (local $j i32) (local $nt i32) (local $limit i32) (local $s i32)
    (local $m0 v128) (local $m1 v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $h0 v128) (local $l0 v128) (local $h1 v128)
    ${wordsLocals}
    (local.set $s (i32.and (i32.add ${get('count')} (i32.const 3)) (i32.const -4)))
    (local.set $m0 (i32x4.splat (i32.const ${K.M0 | 0})))
    (local.set $m1 (i32x4.splat (i32.const ${K.M1 | 0})))
    (block $blocksDone (loop $blocks
      (br_if $blocksDone (i32.ge_u ${get('i')} ${get('count')}))
      (local.set $x0 (i32x4.add (i32x4.splat (i32.add ${get('c0')} (i32.mul ${get('i')} ${get('stride')}))) (i32x4.mul (i32x4.splat ${get('stride')}) (v128.const i32x4 0 1 2 3))))
      (local.set $x1 (i32x4.splat ${get('c1')}))
      (local.set $x2 (i32x4.splat ${get('c2')}))
      (local.set $x3 (i32x4.splat ${get('c3')}))
      (local.set $r (i32.const 0))
      (block $roundsDone (loop $rounds
        (br_if $roundsDone (i32.ge_u ${get('r')} (i32.const ${K.ROUNDS})))
        ${round}
        (local.set $r (i32.add ${get('r')} (i32.const 1)))
        (br $rounds)))
      ${transpose}
      (local.set $i (i32.add ${get('i')} (i32.const 4)))
      (br $blocks)))
    (local.set $limit (i32.shl ${get('s')} (i32.const 2)))
    ${wordsLoop}
    ${get('nt')}
  )
  (func (export "normalsOfWords") (param $limit i32) (param $words i32) (param $draws i32) (param $tails i32) (result i32)
    (local $j i32) (local $nt i32) ${wordsLocals}
    ${wordsLoop}
    ${get('nt')}
  )`;
}

/**
 * combineRows(table, n, zOff, p0, p1, dst): the correlated increments of crossAsset/simulate.ts correlatedRow,
 * dst[p] = Σ_k c_k·z_k[p] for p0 ≤ p < p1, over the n terms of the table (16 bytes a term: the byte address of z_k's
 * array, then c_k as f64 at +8; zOff the byte offset of the step's row in every z array), the terms taken as that loop
 * takes them: groups of four while four are left, then a pair, then one, the first group assigning
 * ((c0·z0 + c1·z1) + c2·z2) + c3·z3 and each later one adding its group's sum to dst. Two paths a step in f64x2 lanes
 * (each lane the scalar loop's operations on its own path, so the same bits), an odd last path alone.
 */
function combineRows() {
  const set = (n, e) => `(local.set $${n} ${e})`;
  const coef = (k) => `(f64.load offset=8 (i32.add ${get('table')} (i32.shl (i32.add ${get('k')} (i32.const ${k})) (i32.const 4))))`;
  const base = (k) => `(i32.add (i32.load (i32.add ${get('table')} (i32.shl (i32.add ${get('k')} (i32.const ${k})) (i32.const 4)))) ${get('zOff')})`;
  // one group of `size` terms over the paths: lanes (two paths) then the odd last path
  const group = (size) => {
    const terms = [...Array(size).keys()];
    const lanes = (load, mul, add) => terms.map((t) => mul(`c${t}`, load(`a${t}`))).reduce((acc, term) => add(acc, term));
    const v2 = lanes((a) => `(v128.load (i32.add ${get(a)} ${get('off')}))`, (c, z) => op2('mul', get(`${c}v`), z), (x, y) => op2('add', x, y));
    const v1 = lanes((a) => `(f64.load (i32.add ${get(a)} ${get('off')}))`, (c, z) => `(f64.mul ${get(c)} ${z})`, (x, y) => `(f64.add ${x} ${y})`);
    const at = `(i32.add ${get('dst')} ${get('off')})`;
    return `
      ${terms.map((t) => [set(`a${t}`, base(t)), set(`c${t}`, coef(t)), set(`c${t}v`, `(f64x2.splat ${get(`c${t}`)})`)].join('\n      ')).join('\n      ')}
      ${set('off', `(i32.shl ${get('p0')} (i32.const 3))`)}
      ${set('end', `(i32.shl ${get('p1')} (i32.const 3))`)}
      (block $pairsDone (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add ${get('off')} (i32.const 16)) ${get('end')}))
        (if ${get('first')} (then (v128.store ${at} ${v2})) (else (v128.store ${at} ${op2('add', `(v128.load ${at})`, v2)})))
        ${set('off', `(i32.add ${get('off')} (i32.const 16))`)}
        (br $pairs)))
      (if (i32.lt_u ${get('off')} ${get('end')}) (then
        (if ${get('first')} (then (f64.store ${at} ${v1})) (else (f64.store ${at} (f64.add (f64.load ${at}) ${v1}))))))
      ${set('k', `(i32.add ${get('k')} (i32.const ${size}))`)}`;
  };
  const locals = [0, 1, 2, 3].map((t) => `(local $a${t} i32) (local $c${t} f64) (local $c${t}v v128)`).join(' ');
  return `
  (func (export "combineRows") (param $table i32) (param $n i32) (param $zOff i32) (param $p0 i32) (param $p1 i32) (param $dst i32)
    (local $k i32) (local $first i32) (local $off i32) (local $end i32) ${locals}
    (local.set $first (i32.const 1))
    (block $done (loop $groups
      (br_if $done (i32.ge_u ${get('k')} ${get('n')}))
      (if (i32.ge_u (i32.sub ${get('n')} ${get('k')}) (i32.const 4)) (then ${group(4)})
        (else (if (i32.ge_u (i32.sub ${get('n')} ${get('k')}) (i32.const 2)) (then ${group(2)}) (else ${group(1)}))))
      (local.set $first (i32.const 0))
      (br $groups)))
  )`;
}

export function rngKernelsWat() {
  return `;; Generated by scripts/pool-kernels.mjs: Philox4x32-10 and the inverse normal of src/simulation/rng/, and the
;; correlated increments of src/simulation/crossAsset/simulate.ts.
(module
  (memory (export "memory") 1)
${philoxNormals()}
${combineRows()}
)
`;
}

const k2 = (v) => `(f64x2.splat (f64.const ${hexFloat(v)}))`;
const op2 = (o, a, b) => `(f64x2.${o} ${a} ${b})`;

async function main() {
  const require = createRequire(import.meta.url);
  const wabt = await require('wabt')();
  const version = require('wabt/package.json').version;
  const features = { simd: true, threads: true };
  const modules = [
    { out: OUT, wat: poolKernelsWat(), name: 'POOL_KERNELS_WASM_BASE64', what: "The rate pools' per-path kernels (see poolKernels.ts)" },
    { out: RNG_OUT, wat: rngKernelsWat(), name: 'RNG_KERNELS_WASM_BASE64', what: 'The Philox and inverse-normal kernel (see normal.ts)' },
  ];
  let stale = false;
  for (const m of modules) {
    const module = wabt.parseWat('kernels.wat', m.wat, features);
    module.validate(features);
    const { buffer } = module.toBinary({});
    const base64 = Buffer.from(buffer).toString('base64');
    const lines = base64.match(/.{1,100}/g) ?? [];
    const text = `// Generated by scripts/pool-kernels.mjs (wabt ${version}) from the WebAssembly text it writes; do not edit.
// ${m.what}, ${buffer.length} bytes.
export const ${m.name} =
${lines.map((l) => `  '${l}'`).join(' +\n')};
`;
    if (process.argv.includes('--check')) {
      const current = readFileSync(m.out, 'utf8');
      if (current !== text) {
        console.error(`${m.out} is stale: run node scripts/pool-kernels.mjs`);
        stale = true;
      } else console.log(`${m.out} is current`);
      continue;
    }
    writeFileSync(m.out, text);
    console.log(`wrote ${m.out} (${buffer.length} bytes)`);
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
