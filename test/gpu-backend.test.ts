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
