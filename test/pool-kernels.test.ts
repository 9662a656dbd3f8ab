// The rate pools' WebAssembly kernels (src/exposure/valuation/wasm/poolKernels.ts) against the TypeScript loops they
// stand in for: the same pools valued and Euler-allocated on the same states, once on plain arrays (the TypeScript
// loops) and once on a path memory with this thread's kernels, must give the same bits (the kernels do the same IEEE
// operations in the same order). Then a whole run with and without kernels, and the checked-in module against a fresh
// assembly of scripts/pool-kernels.mjs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { computeCollateral } from '../src/exposure/collateral.js';
import { eulerWeightsBoth } from '../src/exposure/euler.js';
import type { NettingSet } from '../src/portfolio/types.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { CdsPool, type CdsTerms } from '../src/exposure/valuation/cds.js';
import { FxLevels } from '../src/exposure/valuation/fxLevels.js';
import { CELL_BLOCK, cellMomentsToNodes, GRID_CELLS, GRID_NODES, momentNodes, nodesToCells, stencil } from '../src/exposure/valuation/stateGrid.js';
import { CurrencyPoolBuilder, type CurrencyPool } from '../src/exposure/valuation/ratePool.js';
import { kernelsFor, pathMemory, poolKernelCalls, setPoolKernelsEnabled, useKernelMemory } from '../src/exposure/valuation/wasm/poolKernels.js';
import type { SimulatedPaths } from '../src/simulation/types.js';

const ROOT = join(import.meta.dirname, '..');

// One currency under a one-factor LGM (mean reversion 3%, normal vol 1%, flat 3%) on a quarterly grid to 10Y.
const kappa = 0.03;
const sigma = 0.01;
const nDates = 41;
const times = Float64Array.from({ length: nDates }, (_, d) => d / 4);
const lgm = {
  model: { H: (t: number) => (1 - Math.exp(-kappa * t)) / kappa, zeta: (t: number) => sigma * sigma * t, discount: (t: number) => Math.exp(-0.03 * t) },
  H: times.map((t) => (1 - Math.exp(-kappa * t)) / kappa),
  zeta: times.map((t) => sigma * sigma * t),
  discount: times.map((t) => Math.exp(-0.03 * t)),
};
const gridIndexAt = (t: number): number => Math.min(nDates - 1, Math.floor(t * 4 + 1e-12));

/** States x_t (Brownian in ζ), FX logs and levels for n paths, date-major, from a fixed LCG and Box-Muller. */
function states(n: number): { xs: Float64Array; fxLog: Float64Array; fxLevel: Float64Array } {
  let seed = 12345;
  const uniform = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const xs = new Float64Array(nDates * n);
  const fxLog = new Float64Array(nDates * n);
  for (let d = 1; d < nDates; d++) {
    const sd = Math.sqrt(lgm.zeta[d]! - lgm.zeta[d - 1]!);
    for (let p = 0; p < n; p++) {
      xs[d * n + p] = xs[(d - 1) * n + p]! + sd * normal();
      fxLog[d * n + p] = fxLog[(d - 1) * n + p]! + 0.05 * normal();
    }
  }
  return { xs, fxLog, fxLevel: fxLog.map(Math.exp) };
}

/**
 * Ten-year payer swaps started up to 3 months apart (fixings between grid dates): fixed legs only ('bonds'), with
 * quarterly float legs (one fixing group a date), or half of them semi-annual (two groups); paid in the base currency
 * or in the FX factor's.
 */
function buildPool(kind: 'bonds' | '1 group' | '2 groups' | '1 class' | '2 classes', fxIndex: number, only?: number): CurrencyPool {
  const b = new CurrencyPoolBuilder(0, fxIndex, lgm as never);
  for (let i = 0; i < 7; i++) {
    if (only !== undefined && i !== only) continue;
    // '1 group', '2 groups': seven start dates in one grid interval, so six or seven fixing classes (δ) per fixing
    // index (the form with a function per Taylor power); '1 class': one schedule (one class); '2 classes': two start
    // dates in one grid interval (two classes with their own functions); fixings between grid dates
    const start = kind === '1 class' ? 0.1 : kind === '2 classes' ? 0.05 + 0.1 * (i % 2) : (0.25 * i) / 7;
    const notional = 1e7 * (1 + (i % 5));
    for (let k = 1; k <= 40; k++) {
      const pay = start + 0.25 * k;
      if (pay > 10) break;
      b.addBond(i, pay, -notional * (0.03 + 0.001 * (i % 7)) * 0.25, gridIndexAt(pay - 1e-9));
    }
    if (kind === 'bonds') continue;
    const tenor = kind === '2 groups' && i % 2 === 1 ? 0.5 : 0.25;
    for (let s = start; s + tenor <= 10 + 1e-9; s += tenor) {
      const e = s + tenor;
      b.addBond(i, s, notional, gridIndexAt(s));
      b.addBond(i, e, -notional, gridIndexAt(s));
      b.addRunning(i, s, e, notional, gridIndexAt(s), gridIndexAt(e - 1e-9));
    }
  }
  return b.build(nDates);
}

/** buildPool's trade i alone in its own pool (the same flows and coupons). */
function buildTradePool(kind: 'bonds' | '1 group' | '2 groups' | '1 class' | '2 classes', fxIndex: number, trade: number): CurrencyPool {
  return buildPool(kind, fxIndex, trade);
}

function pathsOf(n: number, s: { xs: Float64Array; fxLog: Float64Array; fxLevel: Float64Array }, make: (length: number) => Float64Array): SimulatedPaths {
  const copy = (a: Float64Array): Float64Array => {
    const out = make(a.length);
    out.set(a);
    return out;
  };
  return { nPaths: n, pathOffset: 0, irState: [copy(s.xs)], fxLog: [copy(s.fxLog)], fxLevel: [copy(s.fxLevel)], eqLog: [], creditState: [], numeraire: copy(new Float64Array(nDates * n).fill(1)) } as unknown as SimulatedPaths;
}

/** What outputs() asks of a pool: CurrencyPool's and CdsPool's valuation and Euler allocation. */
interface PoolLike {
  addValues(d: number, paths: SimulatedPaths, out: Float64Array, fxLevels: FxLevels, keep?: boolean): void;
  accumulateTradeWeighted(d: number, paths: SimulatedPaths, weights: Float64Array, out: Float64Array, weights2: Float64Array | undefined, out2: Float64Array | undefined, fxLevels: FxLevels): void;
}

/**
 * Every pool output at every date: values (with keep off and on, for a rate pool) and Euler allocations to `nTrades`
 * trades (EPE and ENE weights together, EPE alone).
 */
function outputs(pool: PoolLike, paths: SimulatedPaths, row: Float64Array, wa: Float64Array, wb: Float64Array, nTrades = 7, keeps = [false, true]): Float64Array[] {
  const n = paths.nPaths;
  const fxLevels = new FxLevels();
  const results: Float64Array[] = [];
  for (let d = 0; d < nDates; d++) {
    for (const keep of keeps) {
      row.fill(0, 0, n);
      fxLevels.begin();
      pool.addValues(d, paths, row, fxLevels, keep);
      results.push(row.slice(0, n));
    }
    for (let p = 0; p < n; p++) {
      wa[p] = row[p]! > 0 ? 1 / n : 0;
      wb[p] = row[p]! < 0 ? -1 / n : 0;
    }
    const epe = new Float64Array(nTrades);
    const ene = new Float64Array(nTrades);
    fxLevels.begin();
    pool.accumulateTradeWeighted(d, paths, wa, epe, wb, ene, fxLevels);
    const alone = new Float64Array(nTrades);
    fxLevels.begin();
    pool.accumulateTradeWeighted(d, paths, wa, alone, undefined, undefined, fxLevels);
    results.push(epe, ene, alone);
  }
  return results;
}

afterEach(() => {
  useKernelMemory(undefined);
  setPoolKernelsEnabled(true);
});

describe('cell moments to node weights (stateGrid.ts cellMomentsToNodes)', () => {
  it('equals the Lagrange stencil weights scattered path by path, node by node', () => {
    // 5,000 positions on a grid with random weights of both signs: Σ_p a_p·L_k(u_p) per node gathered directly (the
    // stencil's six weights per path, stateGrid.ts `stencil`) against the cell moments Σ_p a_p·u_p^m turned into node
    // weights. Each node weight is a sum of ~500 terms of size |a| ≤ 1 times weights ≤ 1.2; tolerance 1e-12.
    let seed = 99;
    const uniform = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
    const x0 = -0.3;
    const h = 0.011;
    const direct = new Float64Array(GRID_NODES);
    const moments = new Float64Array(CELL_BLOCK);
    const w = new Float64Array(6);
    for (let p = 0; p < 5000; p++) {
      const x = x0 + h * (2 + (GRID_NODES - 5) * uniform());
      const a = 2 * uniform() - 1;
      const b = stencil(x, x0, 1 / h, w);
      for (let k = 0; k < 6; k++) direct[b + k] += a * w[k]!;
      const s = (x - x0) / h;
      const u = s - (b + 2);
      for (let m = 0, um = 1; m < 6; m++, um *= u) moments[6 * b + m] += a * um;
    }
    const nodes = new Float64Array(GRID_NODES);
    cellMomentsToNodes(moments, 0, nodes, 0);
    for (let g = 0; g < GRID_NODES; g++) expect(Math.abs(nodes[g]! - direct[g]!)).toBeLessThan(1e-12);
    expect(nodes.some((v) => Math.abs(v) > 1)).toBe(true);
  });
});

describe('cell polynomials of a node table (stateGrid.ts nodesToCells)', () => {
  it('equal the Lagrange stencil\'s interpolant at any position in every cell', () => {
    // A rough table (random node values of both signs, so that every coefficient matters: a smooth table hides the
    // higher powers), evaluated at 20 positions per cell as Σ_m a_m·u^m and as the stencil's Σ_k w_k·n_{b+k}
    // (stateGrid.ts `stencil`, the direct form). Both are sums of six terms of order 1 times weights ≤ 1.6:
    // tolerance 1e-13.
    let seed = 7;
    const uniform = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
    const nodes = Float64Array.from({ length: GRID_NODES }, () => 2 * uniform() - 1);
    const cells = new Float64Array(CELL_BLOCK);
    nodesToCells(nodes, 0, cells, 0);
    const w = new Float64Array(6);
    const x0 = 0.25;
    const h = 0.02;
    let worst = 0;
    for (let b = 0; b < GRID_CELLS; b++) {
      for (let i = 0; i < 20; i++) {
        const u = (i + uniform()) / 20;
        const x = x0 + (b + 2 + u) * h;
        const first = stencil(x, x0, 1 / h, w);
        const uu = (x - x0) / h - (first + 2);
        let direct = 0;
        for (let k = 0; k < 6; k++) direct += w[k]! * nodes[first + k]!;
        let poly = 0;
        for (let m = 5; m >= 0; m--) poly = poly * uu + cells[6 * first + m]!;
        worst = Math.max(worst, Math.abs(poly - direct));
      }
    }
    expect(worst).toBeLessThan(1e-13);
  });
});

describe('Euler allocation of a rate pool (cell moments turned into node weights) against the trades\' own path values', () => {
  // A second method: each trade alone in its own pool, valued path by path (addValues on the same grid, which depends
  // on the states only), and Σ_p w_p·V_{i,p} summed here, against the pool's allocation of all seven trades
  // (accumulateTradeWeighted: the path weights gathered as cell moments Σ a·u^m, converted to node weights by the
  // Lagrange polynomials' coefficients). Linear in the weights and the trades, the two agree up to rounding:
  // 1e-11 of the trade's Σ_p |w_p·V_{i,p}| (both sides sum thousands of terms of that size).
  for (const kind of ['1 class', '2 classes', '1 group'] as const) {
    for (const kernels of [false, true]) {
      it(`${kind}, ${kernels ? 'WebAssembly kernels' : 'TypeScript loops'}`, () => {
        const n = 1000;
        const s = states(n);
        let make = (length: number): Float64Array => new Float64Array(length);
        if (kernels) {
          const memory = pathMemory(5, nDates * n, n, 1)!;
          useKernelMemory(memory.memory);
          make = (length) => memory.make().subarray(0, length);
        }
        const paths = pathsOf(n, s, make);
        const k = kernels ? kernelsFor(paths.irState[0]!, n)! : undefined;
        const row = k ? k.out : new Float64Array(n);
        const wa = k ? k.wa : new Float64Array(n);
        const wb = k ? k.wb : new Float64Array(n);
        const pool = buildPool(kind, 0);
        const fxLevels = new FxLevels();
        // each trade's own pool: the same flows (buildPool's), filtered by trade
        const single = Array.from({ length: 7 }, (_, i) => buildTradePool(kind, 0, i));
        const tradeRow = new Float64Array(n);
        let checked = 0;
        for (const d of [1, 6, 13, 22, 35]) {
          row.fill(0, 0, n);
          fxLevels.begin();
          pool.addValues(d, paths, row, fxLevels);
          // the two sides split at the paths' mean value (these swaps are in the money on most paths), as the engine's
          // EPE and ENE weights split at zero: each path in one side
          let mean = 0;
          for (let p = 0; p < n; p++) mean += row[p]! / n;
          for (let p = 0; p < n; p++) {
            wa[p] = row[p]! > mean ? 1 / n : 0;
            wb[p] = row[p]! <= mean ? -1 / n : 0;
          }
          const epe = new Float64Array(7);
          const ene = new Float64Array(7);
          fxLevels.begin();
          pool.accumulateTradeWeighted(d, paths, wa, epe, wb, ene, fxLevels);
          for (let i = 0; i < 7; i++) {
            tradeRow.fill(0);
            const fx = new FxLevels();
            fx.begin();
            single[i]!.addValues(d, pathsOf(n, s, (length) => new Float64Array(length)), tradeRow, fx);
            let sumA = 0;
            let sumB = 0;
            let scale = 0;
            for (let p = 0; p < n; p++) {
              sumA += wa[p]! * tradeRow[p]!;
              sumB += wb[p]! * tradeRow[p]!;
              scale += Math.abs(tradeRow[p]! / n);
            }
            expect(Math.abs(epe[i]! - sumA)).toBeLessThanOrEqual(1e-11 * scale);
            expect(Math.abs(ene[i]! - sumB)).toBeLessThanOrEqual(1e-11 * scale);
            if (sumA !== 0 && sumB !== 0) checked++;
          }
        }
        expect(checked).toBeGreaterThan(20);
      });
    }
  }
});

describe('rate pool kernels (WebAssembly) against the TypeScript loops', () => {
  for (const n of [1000, 1001]) {
    for (const kind of ['bonds', '1 group', '2 groups', '1 class', '2 classes'] as const) {
      for (const fxIndex of [-1, 0]) {
        it(`${kind}, ${fxIndex < 0 ? 'base currency' : 'foreign currency'}, ${n} paths: the same bits`, () => {
          const s = states(n);
          const plain = pathsOf(n, s, (length) => new Float64Array(length));
          const expected = outputs(buildPool(kind, fxIndex), plain, new Float64Array(n), new Float64Array(n), new Float64Array(n));

          const memory = pathMemory(6, nDates * n, n, 1);
          expect(memory).toBeDefined();
          const onMemory = pathsOf(n, s, () => memory!.make());
          useKernelMemory(memory!.memory);
          const kernels = kernelsFor(onMemory.irState[0]!, n);
          expect(kernels).toBeDefined();
          const before = poolKernelCalls();
          const got = outputs(buildPool(kind, fxIndex), onMemory, kernels!.out, kernels!.wa, kernels!.wb);
          expect(poolKernelCalls() - before).toBe(6 * nDates - 6); // per live date: 2 valuations, 2 scatters and their node weights

          expect(got.length).toBe(expected.length);
          let nonZero = 0;
          for (let i = 0; i < got.length; i++) {
            expect(Buffer.from(got[i]!.buffer, got[i]!.byteOffset, got[i]!.byteLength).equals(Buffer.from(expected[i]!.buffer, expected[i]!.byteOffset, expected[i]!.byteLength))).toBe(true);
            if (expected[i]!.some((v) => v !== 0)) nonZero++;
          }
          // the comparison covers live values and allocations, not zeros
          expect(nonZero).toBeGreaterThan(got.length / 2);
        });
      }
    }
  }

  for (const n of [1000, 1001]) {
    for (const fxIndex of [-1, 0]) {
      it(`CDS pool (the stencil of stateGrid.ts), ${fxIndex < 0 ? 'base currency' : 'foreign currency'}, ${n} paths: the same bits`, () => {
        // three CDS-like trades: exponential terms in the credit state (here the states of the rate test, as y)
        const termsOf = (i: number, lastIndex: number): CdsTerms => ({
          lastIndex,
          at: (d: number) =>
            d > lastIndex
              ? { rates: new Float64Array(0), amps: new Float64Array(0) }
              : { rates: Float64Array.from([0, 0.5 + 0.1 * i, 2 + 0.3 * i + 0.01 * d]), amps: Float64Array.from([1e6 * (i + 1), -2e6, 7e5 * (i - 1)]) },
        });
        const build = (): CdsPool => {
          const pool = new CdsPool(0, fxIndex);
          [30, 40, 20].forEach((last, i) => pool.add(i, termsOf(i, last)));
          return pool;
        };
        const run = (pool: CdsPool, paths: SimulatedPaths, row: Float64Array, wa: Float64Array, wb: Float64Array): Float64Array[] => outputs(pool, paths, row, wa, wb, 3, [false]);
        const s = states(n);
        const withCredit = (paths: SimulatedPaths): SimulatedPaths => ({ ...paths, creditState: [paths.irState[0]!] }) as SimulatedPaths;
        const expected = run(build(), withCredit(pathsOf(n, s, (length) => new Float64Array(length))), new Float64Array(n), new Float64Array(n), new Float64Array(n));
        const memory = pathMemory(6, nDates * n, n, 1)!;
        const onMemory = withCredit(pathsOf(n, s, () => memory.make()));
        useKernelMemory(memory.memory);
        const kernels = kernelsFor(onMemory.irState[0]!, n)!;
        const before = poolKernelCalls();
        const got = run(build(), onMemory, kernels.out, kernels.wa, kernels.wb);
        expect(poolKernelCalls()).toBeGreaterThan(before);
        let nonZero = 0;
        for (let i = 0; i < got.length; i++) {
          expect(Buffer.from(got[i]!.buffer, got[i]!.byteOffset, got[i]!.byteLength).equals(Buffer.from(expected[i]!.buffer, expected[i]!.byteOffset, expected[i]!.byteLength))).toBe(true);
          if (expected[i]!.some((v) => v !== 0)) nonZero++;
        }
        expect(nonZero).toBeGreaterThan(got.length / 2);
      });
    }
  }

  it('running coupons: per fixing class or per Taylor power, the same values; the device tables a function and three coefficients per group', () => {
    // grid date 2 lies inside the second coupon periods, fixed at grid date 1: one, two and six classes there (the
    // last in three power slots). The device's node table has per fixing group its function T_q and coefficients
    // (c1, c2, c3) (a class's own, or a power slot's unit vector), and valuing from it (Σ_q (L·T_q)·Δ·(c1 + Δ·(c2 +
    // Δ·c3))) gives the pool's values to rounding.
    const n = 64;
    const paths = pathsOf(n, states(n), (length) => new Float64Array(length));
    const expectedGroups = { '1 class': 1, '2 classes': 2, '1 group': 3 };
    for (const kind of ['1 class', '2 classes', '1 group'] as const) {
      const pool = buildPool(kind, -1);
      const fx = new FxLevels();
      const values = new Float64Array(n);
      fx.begin();
      pool.addValues(2, paths, values, fx);
      const table = pool.nodeTable(2, paths)!;
      const groups = expectedGroups[kind];
      expect(Array.from(table.groupFix)).toEqual(Array.from({ length: groups }, () => 1));
      expect(table.groupCoef.length).toBe(3 * groups);
      if (kind === '1 group') expect(Array.from(table.groupCoef)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      else for (let q = 0; q < groups; q++) expect(table.groupCoef[3 * q]!).toBeLessThan(0); // c1 = −δ
      const xs = paths.irState[0]!;
      const w = new Float64Array(6);
      const G = table.nodes.length;
      expect(table.runNodes.length).toBe(groups * G);
      // the functions as Taylor moments about the grid's centre (these flows allow it), expanded to node values
      expect(table.order).toBeGreaterThan(0);
      const nodes = new Float64Array(G);
      const runNodes = new Float64Array(groups * G);
      momentNodes(table.nodes, 0, table.order, table.h, nodes, 0);
      for (let q = 0; q < groups; q++) momentNodes(table.runNodes, q * G, table.order, table.h, runNodes, q * G);
      for (let p = 0; p < n; p++) {
        const x = xs[2 * n + p]!;
        const b = stencil(x, table.x0, 1 / table.h, w);
        const at = (f: Float64Array, o: number): number => w.reduce((sum, wk, k) => sum + wk * f[o + b + k]!, 0);
        const delta = x - xs[1 * n + p]!;
        let v = at(nodes, 0);
        for (let q = 0; q < groups; q++) {
          const [c1, c2, c3] = [table.groupCoef[3 * q]!, table.groupCoef[3 * q + 1]!, table.groupCoef[3 * q + 2]!];
          v += at(runNodes, q * G) * delta * (c1 + delta * (c2 + delta * c3));
        }
        expect(Math.abs(v - values[p]!)).toBeLessThan(1e-9 * Math.abs(values[p]!) + 1e-3);
      }
    }
  });

  it('no kernels for paths outside the memory, for rows wider than its slot, or once turned off', () => {
    const memory = pathMemory(1, 10 * 8, 8, 1)!;
    const xs = memory.make();
    useKernelMemory(memory.memory);
    expect(kernelsFor(xs, 8)).toBeDefined();
    expect(kernelsFor(new Float64Array(80), 8)).toBeUndefined();
    expect(kernelsFor(xs, 9)).toBeUndefined();
    setPoolKernelsEnabled(false);
    expect(pathMemory(1, 80, 8, 1)).toBeUndefined();
  });

  it('a thread claims one slot per memory, and gets no kernels when other threads took the slots', () => {
    const memory = pathMemory(1, 80, 8, 1)!;
    const xs = memory.make();
    const claims = new Int32Array(memory.memory.buffer, 0, 1);
    useKernelMemory(memory.memory); // claims the only slot
    const first = kernelsFor(xs, 8);
    expect(first).toBeDefined();
    useKernelMemory(undefined);
    useKernelMemory(memory.memory); // the same thread again (a path cache's next run): the same kernels, no new claim
    expect(kernelsFor(xs, 8)).toBe(first);
    expect(claims[0]).toBe(1);
    const taken = pathMemory(1, 80, 8, 1)!;
    new Int32Array(taken.memory.buffer, 0, 1)[0] = 1; // another thread holds its only slot
    useKernelMemory(taken.memory);
    expect(kernelsFor(taken.make(), 8)).toBeUndefined();
  });

  it('the checked-in modules are what scripts/pool-kernels.mjs assembles', async () => {
    const script = (await import(join(ROOT, 'scripts/pool-kernels.mjs'))) as { poolKernelsWat: () => string; rngKernelsWat: () => string };
    const require = createRequire(join(ROOT, 'package.json'));
    const wabt = await (require('wabt') as () => Promise<{ parseWat: (name: string, text: string, features: object) => { validate: (f: object) => void; toBinary: (o: object) => { buffer: Uint8Array } } }>)();
    const features = { simd: true, threads: true };
    for (const [wat, file] of [
      [script.poolKernelsWat(), 'src/exposure/valuation/wasm/poolKernelsBinary.ts'],
      [script.rngKernelsWat(), 'src/simulation/rng/rngKernelsBinary.ts'],
    ] as const) {
      const module = wabt.parseWat('kernels.wat', wat, features);
      module.validate(features);
      const fresh = Buffer.from(module.toBinary({}).buffer).toString('base64');
      const source = readFileSync(join(ROOT, file), 'utf8');
      const checkedIn = [...source.matchAll(/'([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]).join('');
      expect(checkedIn).toBe(fresh);
    }
  });
});

describe('margin-call and Euler-weight kernels (WebAssembly) against the TypeScript loops', () => {
  // Netting-set values as random walks of ±1.5M a week around 0, so that thresholds, MTAs, rounding, zero crossings
  // and both parties' calls all happen; a few exact zeros and values within the Euler rule's small-value bounds.
  function walks(n: number, dates: number): Float64Array {
    let seed = 777;
    const uniform = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
    const values = new Float64Array(dates * n);
    for (let d = 1; d < dates; d++) for (let p = 0; p < n; p++) values[d * n + p] = values[(d - 1) * n + p]! + 3e6 * (uniform() - 0.5);
    for (let i = n; i < values.length; i += 97) values[i] = 0;
    for (let i = n + 5; i < values.length; i += 89) values[i] = 0.5 - uniform();
    return values;
  }
  const MONDAY = fromYmd(2024, 1, 8);
  const weeks = 30;
  const grid: TimeGrid = {
    asOf: MONDAY,
    dates: Int32Array.from({ length: weeks }, (_, i) => MONDAY + 7 * i),
    times: Float64Array.from({ length: weeks }, (_, i) => (7 * i) / 365),
    exposureDate: new Uint8Array(weeks).fill(1),
    lagIndex: new Map([[10, Int32Array.from({ length: weeks }, (_, i) => Math.max(0, i - 2))]]),
  };
  const csa = (o: Partial<NettingSet>): NettingSet => ({
    nettingSetId: 'NS', counterpartyId: 'CP', csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false, ...o,
  });
  const cases: [string, NettingSet, number][] = [
    ['no MTA, no rounding (exact)', csa({}), 1],
    ['MTAs, no rounding', csa({ mtaCpty: 250_000, mtaBank: 500_000 }), 1],
    ['thresholds, MTAs and rounding', csa({ thresholdCpty: 1e6, thresholdBank: 2e6, mtaCpty: 250_000, mtaBank: 250_000, rounding: 10_000 }), 1],
    ['one-way, independent amounts, rounding 0.1M, 120% coverage', csa({ thresholdCpty: 5e5, mtaCpty: 1e5, mtaBank: 1e5, independentAmountCpty: 2e6, independentAmountBank: 5e5, rounding: 1e5 }), 1.2],
    ['weekly calls, 50% coverage', csa({ mtaCpty: 1e5, mtaBank: 1e5, rounding: 1e4, marginFrequencyDays: 10 }), 0.5],
  ];
  const bits = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

  for (const n of [1000, 1001]) {
    for (const [name, ns, coverage] of cases) {
      it(`margin calls, ${name}, ${n} paths: the same bits`, () => {
        const values = walks(n, weeks);
        const options = { coverage, fxToBase: 1.1, initialMargin: 1e6 };
        const expected = new Float64Array(values.length);
        computeCollateral(ns, values, grid, n, options, expected);
        const memory = pathMemory(1, weeks * n, n, 1)!;
        useKernelMemory(memory.memory);
        const before = poolKernelCalls();
        const got = new Float64Array(values.length);
        computeCollateral(ns, values, grid, n, options, got);
        expect(poolKernelCalls() - before).toBeGreaterThan(weeks / 3); // the calls ran on the kernel
        expect(bits(got).equals(bits(expected))).toBe(true);
        // the case exercises the rules: balances of both signs, and paths where no call was made
        expect(expected.some((c) => c < 0) && expected.some((c) => c > 2e6)).toBe(true);
      });
    }

    it(`Euler path weights, ${n} paths: the same bits and residuals with and without collateral and IM`, () => {
      const values = walks(n, weeks);
      const collateral = new Float64Array(values.length);
      computeCollateral(cases[2]![1], values, grid, n, { coverage: 1, fxToBase: 1 }, collateral);
      const numeraire = Float64Array.from(values, (_, i) => 1 + 0.001 * (i % 37));
      const memory = pathMemory(1, weeks * n, n, 1)!;
      const onMemory = memory.make();
      onMemory.set(numeraire);
      let residualsSeen = 0;
      for (const [c, im] of [[undefined, 0], [collateral, 0], [collateral, 3e5], [undefined, 3e5]] as const) {
        for (const d of [0, 1, 7, weeks - 1]) {
          const options = { ...(c ? { collateral: c } : {}), initialMarginHeld: im };
          const want = [new Float64Array(n), new Float64Array(n), new Float64Array(2)] as const;
          useKernelMemory(undefined);
          eulerWeightsBoth(d, n, values, onMemory, want[0], want[1], want[2], options);
          useKernelMemory(memory.memory);
          const kernels = kernelsFor(onMemory, n)!;
          const got = [new Float64Array(n), new Float64Array(n), new Float64Array(2)] as const;
          const before = poolKernelCalls();
          eulerWeightsBoth(d, n, values, onMemory, got[0], got[1], got[2], options);
          expect(poolKernelCalls()).toBe(before + 1);
          for (let i = 0; i < 3; i++) expect(bits(got[i]).equals(bits(want[i]))).toBe(true);
          // and written into the slot's own rows, as the engine passes them
          const residuals = new Float64Array(2);
          eulerWeightsBoth(d, n, values, onMemory, kernels.wa, kernels.wb, residuals, options);
          expect(bits(kernels.wa.subarray(0, n)).equals(bits(want[0]))).toBe(true);
          expect(bits(kernels.wb.subarray(0, n)).equals(bits(want[1]))).toBe(true);
          expect(bits(residuals).equals(bits(want[2]))).toBe(true);
          if (want[2][0] !== 0 && want[2][1] !== 0) residualsSeen++;
        }
      }
      expect(residualsSeen).toBeGreaterThan(2); // the small-value rule's residuals are compared, not only zeros
    });
  }
});
