/**
 * The GPU backend (src/exposure/backends/gpu) against the CPU backend, its reference, run through WebGPU on whatever
 * adapter this machine has (CI: Mesa llvmpipe through OpenGL ES, with allowSoftware as `--allow-software` does).
 * Skipped, with the reason printed, where no adapter opens (no `webgpu` package, no Mesa EGL).
 *
 * Tolerances (f32 on the device, unit roundoff u = 2^-24 ≈ 6e-8):
 * - Philox words: u32 arithmetic only, so bit-identical.
 * - Normals: AS241's rational functions of degree 7 by Horner in f32, numerator and denominator each ≤ 14 roundings
 *   with positive coefficients (no cancellation: Horner's bound γ₁₄ ≈ 14u), the quotient and q one more each: ≤ 30u
 *   ≈ 1.8e-6 relative; the tails add log/sqrt (WGSL: a few ulp). Bound tested: |z_gpu − z_cpu| ≤ 2e-6·max(1, |z|).
 * - Paths: each step adds the drift and a row of the factor matrix times ≤ nAux normals, so a state's error grows by at
 *   most (normal error 2e-6 + (nAux + 2)·u) of the step's increment and u of the state, per step; over nDates steps,
 *   relative to the factor's largest magnitude: tol = nDates·(2e-6 + (nAux + 3)·u). The numeraire N = e^{ln N}
 *   inherits ln N's absolute error as a relative error, compared relatively with the same tol.
 * - Exposure outputs: the GPU backend values on the device's paths with the CPU kernels in f64, so figures differ only
 *   through the path error δ ≤ tol above. EPE, ENE, collateral and PFE are 1-Lipschitz in the sup over paths of the
 *   deflated (V − C) (max(·, 0), expectations and quantiles are), and V moves with the states by at most the set's
 *   gross sensitivity, which is of the order of its gross exposure scale S = max_t (EPE + ENE)(t) divided by the states'
 *   standard deviations (≥ 1e-2 over the grid here): |Δ| ≤ 100·tol·S, and 1e-6 absolute for sets with S ≈ 0.
 *   MTA/rounding of the collateral are discontinuous, but a path would have to sit within δ of a rounding step.
 * - Device valuation of pooled rate sets (valuation.ts, wgsl/value.ts): per path |ΔV| ≤ 64·u·G_p, G_p the gross of the
 *   stencil terms; derived at K_VALUE below, checked against the CPU kernels on the same device paths.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { openGpu, type GpuContext } from '../src/exposure/backends/gpu/device.js';
import { selectBackend } from '../src/exposure/backends/gpu/index.js';
import { gpuNormalBlock, gpuSimulatePaths } from '../src/exposure/backends/gpu/kernels.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths, stepPlanOf } from '../src/simulation/crossAsset/simulate.js';
import { parseGrid } from '../src/simulation/grid.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { fillNormalBlock } from '../src/simulation/rng/normal.js';
import { philoxBlocks, philoxRoundKeys, seedKey } from '../src/simulation/rng/philox.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { XvaUsageError } from '../src/errors.js';
import { GpuSetValuation, DEVICE_PRODUCTS } from '../src/exposure/backends/gpu/valuation.js';
import { compileNettingSet, ratePoolNodeTables } from '../src/exposure/valuation/index.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { exposureDateIndices } from '../src/exposure/profiles.js';
import type { SimulatedPaths } from '../src/simulation/types.js';
import type { RatePoolNodeTables } from '../src/exposure/valuation/index.js';
import type { UnitContext, UnitCounterparty } from '../src/exposure/unit.js';

const DEMO = path.resolve('fixtures/demo');
const U = 2 ** -24;
const NORMAL_TOL = 2e-6;
/** Opening the adapter must not hang a CI run: give up (and skip) after this long. */
const OPEN_TIMEOUT_MS = 60_000;

let market: Market;
let portfolio: Portfolio;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);
}

// The adapter is opened while the file is collected, so that `skipIf` knows whether there is one.
let ctx: GpuContext | undefined;
try {
  ctx = await withTimeout(openGpu({ allowSoftware: true }), OPEN_TIMEOUT_MS, 'opening a WebGPU adapter');
} catch (error) {
  console.warn(`gpu-backend tests skipped: no WebGPU adapter (${(error as Error).message})`);
}

beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  return () => ctx?.destroy();
}, 120_000);

const noGpu = (): boolean => ctx === undefined;

describe('GPU random numbers: the CPU stream', () => {
  it.skipIf(noGpu())('Philox4x32-10 words are bit-identical to src/simulation/rng/philox.ts (incl. counters near 2^32)', async () => {
    for (const [seed, path0, stream, block] of [
      [42, 0, 0x12345678, 0],
      [7, 4_294_960_000, 0xdeadbeef, 3],
      [4_000_000_000, 1000, 1, 77],
    ] as const) {
      const n = 4096;
      const { words } = await gpuNormalBlock(ctx!, seed, path0, n, stream, block);
      const expected = new Uint32Array(4 * n);
      philoxBlocks(path0, 1, stream, block, 0, n, philoxRoundKeys(seedKey(seed)), expected);
      expect(Buffer.from(words.buffer).equals(Buffer.from(expected.buffer)), `seed ${seed} path0 ${path0}`).toBe(true);
    }
  }, 60_000);

  it.skipIf(noGpu())(`normals (AS241 in f32) are within ${NORMAL_TOL}·max(1,|z|) of the f64 inverse CDF, tails included`, async () => {
    const n = 32_768;
    const { normals } = await gpuNormalBlock(ctx!, 42, 0, n, 0xabcdef, 5);
    const z = new Float64Array(4 * n);
    fillNormalBlock(42, 0, n, 0xabcdef, 5, z);
    let worst = 0;
    let maxAbsZ = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 4; k++) {
        const ref = z[k * n + i]!;
        maxAbsZ = Math.max(maxAbsZ, Math.abs(ref));
        worst = Math.max(worst, Math.abs(normals[4 * i + k]! - ref) / Math.max(1, Math.abs(ref)));
      }
    }
    expect(maxAbsZ).toBeGreaterThan(3.8); // the tail branch (|p − ½| > 0.425, |z| > 1.44) and beyond 1e-4 were hit
    expect(worst).toBeLessThanOrEqual(NORMAL_TOL);
  }, 60_000);
});

describe('GPU path simulation: the CPU model on the device', () => {
  // The second grid has 241 dates: several dispatches of date chunks (llvmpipe's loop limit, kernels.ts), the state
  // carried between them and the Philox block redrawn at a chunk start inside it.
  it.skipIf(noGpu()).each([
    ['1W,1M,3M,6M,9M,1Y,18M,2Y,3Y,5Y,7Y,10Y,15Y,20Y,30Y', 256],
    ['240,1M', 64],
  ] as const)('every factor of the demo book (5 IR, 4 FX, 6 equities, 27 credit names), antithetic, grid %s', async (spec, nPaths) => {
    const layout = buildFactorLayout(market, factorNeeds(portfolio.trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid(spec, market.asOf);
    const gpu = await gpuSimulatePaths(ctx!, model, grid, 11, nPaths, true);
    const cpu = simulatePaths(model, grid, 11, 0, nPaths, { antithetic: true });
    const nDates = grid.times.length;
    const tol = nDates * (NORMAL_TOL + (stepPlanOf(model, grid).nAux + 3) * U);
    const check = (name: string, a: readonly Float64Array[], b: readonly Float64Array[], relative: boolean): void => {
      a.forEach((values, f) => {
        const ref = b[f]!;
        let scale = 0;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        let worst = 0;
        for (let i = 0; i < ref.length; i++) {
          const err = Math.abs(values[i]! - ref[i]!) / (relative ? Math.abs(ref[i]!) : Math.max(scale, 1e-12));
          worst = Math.max(worst, err);
        }
        expect(worst, `${name}[${f}] worst error ${worst} vs tol ${tol}`).toBeLessThanOrEqual(tol);
      });
    };
    check('irState', gpu.irState, cpu.irState, false);
    check('fxLog', gpu.fxLog, cpu.fxLog, false);
    check('eqLog', gpu.eqLog, cpu.eqLog, false);
    check('creditState', gpu.creditState, cpu.creditState, false);
    check('numeraire', [gpu.numeraire], [cpu.numeraire], true);
    // the antithetic partner of path 2k is its mirror in the driftless credit state: y(2k+1) = −y(2k)
    const y = gpu.creditState[0]!;
    for (let p = 0; p < nPaths; p += 2) expect(y[nDates * 0 + (nDates - 1) * nPaths + p + 1]).toBeCloseTo(-y[(nDates - 1) * nPaths + p]!, 6);
  }, 120_000);
});

describe('GPU backend through the engine: every output against the CPU backend', () => {
  it.skipIf(noGpu())('a demo slice with every product type and a CSA: EPE, ENE, EE, EEE, PFE, collateral, EEPE, Euler', async () => {
    // netting sets picked until every product of the demo book and a CSA set are in
    const products = new Set(portfolio.trades.map((t) => t.product));
    const chosen = new Set<string>();
    const seen = new Set<string>();
    let csa = false;
    for (const ns of portfolio.nettingSets) {
      const trades = portfolio.trades.filter((t) => t.nettingSetId === ns.nettingSetId);
      if (trades.length === 0 || trades.length > 40) continue;
      const adds = trades.some((t) => !seen.has(t.product)) || (ns.csa && !csa);
      if (!adds) continue;
      chosen.add(ns.nettingSetId);
      for (const t of trades) seen.add(t.product);
      csa ||= ns.csa;
      if (seen.size === products.size && csa) break;
    }
    expect([...seen].sort()).toEqual([...products].sort());
    const book: Portfolio = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)), trades: portfolio.trades.filter((t) => chosen.has(t.nettingSetId)) };
    const options: SimulationOptions = {
      paths: 200,
      seed: 3,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
    };
    const cpu = await runSimulation({ portfolio: book, market, options });
    const gpu = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: (m, g, seed, n, anti) => gpuSimulatePaths(ctx!, m, g, seed, n, anti) } });
    const nDates = cpu.grid.times.length;
    const tol = nDates * (NORMAL_TOL + 60 * U);
    const discount = market.discountCurve(market.baseCurrency);
    let worstShare = 0; // largest |Δ| / bound seen, printed so the margin is visible
    expect(gpu.nettingSets.map((s) => s.nettingSetId)).toEqual(cpu.nettingSets.map((s) => s.nettingSetId));
    cpu.nettingSets.forEach((c, i) => {
      const g = gpu.nettingSets[i]!;
      let scale = 0;
      for (let k = 0; k < c.profile.epe.length; k++) scale = Math.max(scale, c.profile.epe[k]! + c.profile.ene[k]!);
      const bound = 100 * tol * scale + 1e-6;
      // EE = EPE / P(0,t) and EEE its running maximum: the bound divided by the smallest discount factor so far
      let minDf = 1;
      const dfUpTo = c.profile.times.map((t) => (minDf = Math.min(minDf, discount.discount(t))));
      for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral'] as const) {
        c.profile[key].forEach((v, k) => {
          const boundK = key === 'ee' || key === 'eee' ? bound / dfUpTo[k]! : key === 'pfe' ? bound / dfUpTo[k]! : bound;
          const diff = Math.abs(g.profile[key][k]! - v);
          worstShare = Math.max(worstShare, diff / boundK);
          expect(diff, `${c.nettingSetId} ${key}[${k}]`).toBeLessThanOrEqual(boundK);
        });
      }
      expect(Math.abs(g.profile.eepe - c.profile.eepe)).toBeLessThanOrEqual(2 * bound);
      c.tradeEpe.forEach((v, t) => expect(Math.abs(g.tradeEpe[t]! - v), `${c.nettingSetId} tradeEpe[${t}]`).toBeLessThanOrEqual(bound * c.profile.epe.length));
    });
    console.log(`GPU vs CPU exposure: worst |Δ| is ${(100 * worstShare).toFixed(3)}% of the stated bound (${cpu.nettingSets.length} netting sets)`);
    expect(worstShare).toBeGreaterThan(0); // the device's f32 paths do differ from the CPU's: the comparison is not vacuous
  }, 120_000);
});

describe('backend selection', () => {
  it.skipIf(noGpu())('a software adapter is refused without allowSoftware (gpu: an error; auto: the CPU backend, said why)', async () => {
    if (!ctx!.adapter.software) return; // a hardware adapter here: nothing to refuse
    await expect(selectBackend('gpu', { allowSoftware: false })).rejects.toThrow(XvaUsageError);
    await expect(selectBackend('gpu', { allowSoftware: false })).rejects.toThrow(/--allow-software/);
    const auto = await selectBackend('auto', { allowSoftware: false });
    expect(auto.name).toBe('cpu');
    expect(auto.notes.join(' ')).toMatch(/--backend auto: CPU backend, because/);
  }, 60_000);

  it('cpu needs no adapter and no webgpu package', async () => {
    const cpu = await selectBackend('cpu', { allowSoftware: false });
    expect(cpu.name).toBe('cpu');
    expect(cpu.pathSimulator).toBeUndefined();
  });
});

/**
 * The 6-point stencil of ratePool.ts: first node and weights of x on the grid (x0, h) (a second implementation, from
 * the Lagrange formula Π_{j≠i}(u − j)/(i − j), so the test does not reuse the code it checks).
 */
function lagrange(x: number, x0: number, h: number, w: Float64Array): number {
  const s = (x - x0) / h;
  const c = Math.min(Math.max(Math.floor(s), 2), 64 - 4);
  const u = s - c;
  for (let i = 0; i < 6; i++) {
    let num = 1;
    let den = 1;
    for (let j = 0; j < 6; j++) {
      if (j === i) continue;
      num *= u - (j - 2);
      den *= i - j;
    }
    w[i] = num / den;
  }
  return c - 2;
}

/**
 * V(p) from the exported tables in f64 and the gross magnitude Σ_pools FX·(Σ_k |w_k·n_k| + Σ_q Σ_m |Δ|^m·Σ_k |w_k·r_k|)
 * the f32 error bound is relative to.
 */
function fromTables(t: RatePoolNodeTables, d: number, paths: SimulatedPaths, p: number): { value: number; gross: number } {
  const n = paths.nPaths;
  const G = t.gridNodes;
  const w = new Float64Array(6);
  let value = 0;
  let gross = 0;
  for (let i = 0; i < t.irIndex.length; i++) {
    const xs = paths.irState[t.irIndex[i]!]!;
    const x = xs[d * n + p]!;
    const b = lagrange(x, t.x0[i]!, t.h[i]!, w);
    const fx = t.fxIndex[i]! < 0 ? 1 : Math.exp(paths.fxLog[t.fxIndex[i]!]![d * n + p]!);
    let v = 0;
    let g = 0;
    for (let k = 0; k < 6; k++) {
      v += w[k]! * t.nodes[i * G + b + k]!;
      g += Math.abs(w[k]! * t.nodes[i * G + b + k]!);
    }
    for (let q = t.groupStart[i]!; q < t.groupStart[i + 1]!; q++) {
      const delta = x - xs[t.groupFix[q]! * n + p]!;
      let dm = 1;
      for (let m = 0; m < t.runningSlopes; m++) {
        dm *= delta;
        let c = 0;
        for (let k = 0; k < 6; k++) {
          const r = w[k]! * t.runNodes[(q * t.runningSlopes + m) * G + b + k]!;
          c += r;
          g += Math.abs(dm * r);
        }
        v += dm * c;
      }
    }
    value += fx * v;
    gross += fx * g;
  }
  return { value, gross };
}

/** Netting sets of the demo book: `device` pooled-rate-only sets without CSA or IM, `host` others (a CSA, an option). */
function pickSets(max: number): { device: string[]; host: string[] } {
  const device: string[] = [];
  const host: string[] = [];
  const seenProducts = new Set<string>();
  let csa = false;
  let option = false;
  for (const ns of portfolio.nettingSets) {
    const trades = portfolio.trades.filter((t) => t.nettingSetId === ns.nettingSetId);
    if (trades.length === 0 || trades.length > 25) continue;
    const pooled = trades.every((t) => DEVICE_PRODUCTS.has(t.product));
    if (pooled && !ns.csa && !(ns.initialMarginHeld ?? 0)) {
      if (device.length < max && trades.some((t) => !seenProducts.has(t.product))) {
        device.push(ns.nettingSetId);
        for (const t of trades) seenProducts.add(t.product);
      }
    } else if (ns.csa && !csa) {
      host.push(ns.nettingSetId);
      csa = true;
    } else if (!pooled && !ns.csa && !option) {
      host.push(ns.nettingSetId);
      option = true;
    }
  }
  return { device, host };
}

describe('rate pools exported for the device (compile.ts ratePoolNodeTables)', () => {
  it('the flat node tables, interpolated in f64 by a second stencil, give the kernel valueAt within 1e-12 of the gross', () => {
    const { device } = pickSets(4);
    const trades = portfolio.trades.filter((t) => device.includes(t.nettingSetId));
    const layout = buildFactorLayout(market, factorNeeds(trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid('1M,6M,1Y,2Y,5Y,10Y', market.asOf);
    const paths = simulatePaths(model, grid, 5, 0, 64, { antithetic: false });
    const ctx = { market, model: valuationModelOf(model), grid, nettingSetId: '' };
    const out = new Float64Array(paths.nPaths);
    let checked = 0;
    for (const id of device) {
      const kernel = compileNettingSet(trades.filter((t) => t.nettingSetId === id), { ...ctx, nettingSetId: id });
      for (let d = 0; d < grid.dates.length; d++) {
        const tables = ratePoolNodeTables(kernel, d, paths)!;
        expect(tables).toBeDefined();
        kernel.valueAt(d, paths, out);
        for (let p = 0; p < paths.nPaths; p++) {
          const { value, gross } = fromTables(tables, d, paths, p);
          // same f64 formula, other summation order: rounding only (a few ulp of the gross)
          expect(Math.abs(value - out[p]!), `${id} d=${d} p=${p}`).toBeLessThanOrEqual(1e-12 * gross + 1e-9);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    // a set with an option is not made of rate pools alone: no tables
    const optionTrade = portfolio.trades.find((t) => t.product === 'FXOPT' && t.maturityDate > market.asOf);
    if (optionTrade) {
      const l2 = buildFactorLayout(market, factorNeeds([optionTrade]));
      const m2 = buildCrossAssetModel(market, l2);
      const k2 = compileNettingSet([optionTrade], { market, model: valuationModelOf(m2), grid, nettingSetId: 'x' });
      expect(ratePoolNodeTables(k2, 1, simulatePaths(m2, grid, 5, 0, 8, { antithetic: false }))).toBeUndefined();
    }
  });
});

/**
 * Device valuation's f32 bound, per path, relative to the gross magnitude G_p (fromTables): node values rounded once
 * (u); Lagrange weights ≤ 6 roundings each and the 6-term dot products ≤ 6 (12u of Σ|w·n|); the running coupons'
 * Horner in Δ 6u; the cell position s = (x − x0)/h off by ≤ (|x|+|x0|)/h·2u + 2u·s ≤ 256u on a 64-node grid, which
 * moves the interpolant by ≤ a·h·256u ≤ 17u of the gross (a·h ≤ 0.065, stateGrid.ts); e^{ln X} in WGSL f32 within
 * 3 + 2|ln X| ulp ≤ 13u (|ln X| ≤ 5); the FX product and the sum over pools 3u. Total 52u: K = 64.
 * EPE/ENE: each path's term max(±V,0)/N adds 2u (1/N and the product) of |V|/N ≤ G/N, the 64-path workgroup tree 6u
 * and the f32 partial u: |ΔEPE| ≤ (1/n)·Σ_p (K + 9)·u·G_p/N_p. PFE (host quantile of the device values): |ΔPFE| ≤
 * K·u·max_p G_p (a quantile is 1-Lipschitz in the sup norm). EEPE: ≤ max_k |ΔEPE_k|/P(0,t_k) (time averages and
 * running maxima are 1-Lipschitz).
 */
const K_VALUE = 64;

describe('GPU valuation of pooled rate products: device values and reductions', () => {
  it.skipIf(noGpu())('routing, per-path values, EPE, ENE, PFE, EEPE and Euler against the CPU kernels on the same device paths', async () => {
    const { device, host } = pickSets(4);
    expect(device.length).toBeGreaterThanOrEqual(2);
    expect(host.length).toBeGreaterThanOrEqual(1);
    const chosen = new Set([...device, ...host]);
    const book: Portfolio = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)), trades: portfolio.trades.filter((t) => chosen.has(t.nettingSetId)) };
    const options: SimulationOptions = {
      paths: 256,
      seed: 9,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
    };
    // host valuation on the device's paths (the CPU kernels: the reference) ...
    let hostPaths: SimulatedPaths | undefined;
    const hostRun = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: async (m, g, seed, n, anti) => (hostPaths = await gpuSimulatePaths(ctx!, m, g, seed, n, anti)) } });
    // ... and the device valuation; its paths are the same bits (the same kernel, deterministic)
    const notes: string[] = [];
    // a storage binding of 100 paths: the device keeps 3 path blocks (100, 100, 56), valued block by block
    const nOut = hostPaths!.irState.length + hostPaths!.fxLog.length + hostPaths!.eqLog.length + hostPaths!.creditState.length + 1;
    const smallBinding: GpuContext = { ...ctx!, maxStorageBufferBindingSize: 100 * 4 * nOut * hostRun.grid.times.length };
    const valuation = new GpuSetValuation(smallBinding, (note) => notes.push(note));
    const captured: { values: Map<string, Float32Array> } = { values: new Map() };
    const valueCounterparty = valuation.valueCounterparty.bind(valuation);
    valuation.valueCounterparty = async (uctx: UnitContext, cp: UnitCounterparty) => {
      const result = await valueCounterparty(uctx, cp);
      for (const s of cp.sets) {
        const pre = result.get(s.index);
        if (pre) captured.values.set(s.nettingSet.nettingSetId, pre.values);
      }
      return result;
    };
    const simulate = Object.assign((m: Parameters<typeof valuation.simulate>[0], g: Parameters<typeof valuation.simulate>[1], seed: number, n: number, anti: boolean) => valuation.simulate(m, g, seed, n, anti), { deviceValuation: valuation });
    const devRun = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: simulate } });
    const cpuRun = await runSimulation({ portfolio: book, market, options });

    // routing: exactly the pooled, uncollateralised sets ran on the device
    expect([...valuation.routing.device].sort()).toEqual([...device].sort());
    expect(valuation.routing.host.map((h) => h.nettingSetId).sort()).toEqual([...host].sort());
    expect(notes.join(' ')).toContain(`${device.length} of ${chosen.size} netting sets valued on the device`);

    const paths = hostPaths!;
    const n = paths.nPaths;
    const grid = hostRun.grid;
    const exposureDates = exposureDateIndices(grid);
    const model = buildCrossAssetModel(market, buildFactorLayout(market, factorNeeds(book.trades)));
    const discount = market.discountCurve(market.baseCurrency);
    let worstShare = 0;
    const row = new Float64Array(n);
    devRun.nettingSets.forEach((g, i) => {
      const h = hostRun.nettingSets[i]!;
      expect(g.nettingSetId).toBe(h.nettingSetId);
      if (!device.includes(g.nettingSetId)) {
        // host-routed sets: the same CPU kernels on the same paths, bit for bit
        for (const key of ['epe', 'ene', 'pfe', 'collateral'] as const) expect(Array.from(g.profile[key])).toEqual(Array.from(h.profile[key]));
        expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
        return;
      }
      const kernel = compileNettingSet(book.trades.filter((t) => t.nettingSetId === g.nettingSetId), { market, model: valuationModelOf(model), grid, nettingSetId: g.nettingSetId });
      const values = captured.values.get(g.nettingSetId)!;
      let flips = 0;
      let eeBound = 0; // max_k of the EPE bound / P(0, t_k): the EEPE and EPE-1Y bound
      exposureDates.forEach((d, k) => {
        if (d > h.lastDateIndex) return;
        const tables = ratePoolNodeTables(kernel, d, paths)!;
        kernel.valueAt(d, paths, row);
        let boundEpe = 0;
        let maxGross = 0;
        for (let p = 0; p < n; p++) {
          const { gross } = fromTables(tables, d, paths, p);
          const dv = Math.abs(values[k * n + p]! - row[p]!);
          const bound = K_VALUE * U * gross + 1e-30;
          worstShare = Math.max(worstShare, dv / bound);
          expect(dv, `${g.nettingSetId} V d=${d} p=${p}`).toBeLessThanOrEqual(bound);
          if (values[k * n + p]! > 0 !== row[p]! > 0) flips++;
          boundEpe += ((K_VALUE + 9) * U * gross) / paths.numeraire[d * n + p]! / n;
          maxGross = Math.max(maxGross, gross);
        }
        expect(Math.abs(g.profile.epe[k]! - h.profile.epe[k]!), `${g.nettingSetId} EPE[${k}]`).toBeLessThanOrEqual(boundEpe);
        expect(Math.abs(g.profile.ene[k]! - h.profile.ene[k]!), `${g.nettingSetId} ENE[${k}]`).toBeLessThanOrEqual(boundEpe);
        expect(Math.abs(g.profile.pfe[k]! - h.profile.pfe[k]!), `${g.nettingSetId} PFE[${k}]`).toBeLessThanOrEqual(K_VALUE * U * maxGross);
        worstShare = Math.max(worstShare, Math.abs(g.profile.epe[k]! - h.profile.epe[k]!) / Math.max(boundEpe, 1e-300));
        eeBound = Math.max(eeBound, boundEpe / discount.discount(g.profile.times[k]!));
        // against the CPU backend (f64 paths): the path bound of the engine test above plus this f32 valuation bound
        const cpuSet = cpuRun.nettingSets[i]!;
        let scale = 0;
        for (let j = 0; j < cpuSet.profile.epe.length; j++) scale = Math.max(scale, cpuSet.profile.epe[j]! + cpuSet.profile.ene[j]!);
        const pathBound = 100 * grid.times.length * (NORMAL_TOL + 60 * U) * scale + 1e-6;
        expect(Math.abs(g.profile.epe[k]! - cpuSet.profile.epe[k]!), `${g.nettingSetId} EPE[${k}] vs CPU backend`).toBeLessThanOrEqual(pathBound + boundEpe);
        expect(Math.abs(g.profile.ene[k]! - cpuSet.profile.ene[k]!), `${g.nettingSetId} ENE[${k}] vs CPU backend`).toBeLessThanOrEqual(pathBound + boundEpe);
      });
      expect(Math.abs(g.profile.eepe - h.profile.eepe), `${g.nettingSetId} EEPE`).toBeLessThanOrEqual(eeBound);
      expect(Math.abs(g.profile.epe1y - h.profile.epe1y), `${g.nettingSetId} EPE 1Y`).toBeLessThanOrEqual(eeBound);
      // Euler: weights 1{V>0}/(N·n) from the device values, trade values from the CPU kernel; with no path whose sign
      // differs between device and host values the weights are the same numbers, so the contributions are bit-identical
      if (flips === 0) expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
    });
    const products = [...new Set(book.trades.filter((t) => device.includes(t.nettingSetId)).map((t) => t.product))].sort();
    console.log(`GPU valuation vs CPU kernels on the same paths: worst |Δ| is ${(100 * worstShare).toFixed(2)}% of the stated f32 bound (${device.length} device sets: ${products.join(', ')})`);
    expect(worstShare).toBeGreaterThan(0); // f32 on the device does differ: the comparison is not vacuous
  }, 120_000);
});
