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
 *   stencil terms; derived at K_VALUE below, checked against the CPU kernels on the same device paths, on every date
 *   the set is valued at (exposure and close-out lag dates). Collateralised device sets (CSA, IM): their collateral
 *   and profile are the host's computeCollateral/computeProfile of the device values (checked with tolerance 0), and
 *   the bounds against the CPU kernels and the CPU backend carry over through C (derivation at the test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { factorNeeds, runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { keptWorkerCount, stopKeptWorkers, WorkerPool } from '../src/exposure/pool.js';
import { loadSimulationInputs, simulateToFiles } from '../src/exposure/simulate.js';
import { simulateShardToFiles } from '../src/scale/simulateShard.js';
import { mergeShards } from '../src/scale/merge.js';
import { expectSameOutputs } from './helpers/scaleCli.js';
import type { GpuContext } from '../src/exposure/backends/gpu/device.js';
import { openTestGpu } from './helpers/gpu.js';
import { defaultThreads, GPU_HOST_THREADS, selectBackend } from '../src/exposure/backends/gpu/index.js';
import { gpuNormalBlock, gpuSimulatePaths, gpuSimulateResident } from '../src/exposure/backends/gpu/kernels.js';
import { GRID_CENTRE, MOMENT_TOLERANCE, momentNodes, stateGridFor, seedStateRanges } from '../src/exposure/valuation/stateGrid.js';
import { DEVICE_MOMENT_SPAN, setDeviceMomentSpan } from '../src/exposure/valuation/ratePool.js';
import { SWAPTION_BAND_SD_STEPS } from '../src/exposure/valuation/swaption.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths, stepPlanOf } from '../src/simulation/crossAsset/simulate.js';
import { auxStreamsOf } from '../src/simulation/crossAsset/stepPlan.js';
import { parseGrid } from '../src/simulation/grid.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { fillNormalBlock, inverseNormalCdf } from '../src/simulation/rng/normal.js';
import { philoxBlocks, philoxRoundKeys, seedKey } from '../src/simulation/rng/philox.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { XvaUsageError } from '../src/errors.js';
import { GpuSetValuation, DEVICE_PRODUCTS } from '../src/exposure/backends/gpu/valuation.js';
import { chunksOf, PATH_CHUNK, sumChunks } from '../src/exposure/backends/gpu/wgsl/figures.js';
import { DeviceBufferPool, sizeClass } from '../src/exposure/backends/gpu/bufferPool.js';
import { NO_NODE_TABLES, packKernelTables } from '../src/exposure/backends/gpu/tables.js';
import { bermudanExerciseDates } from '../src/portfolio/tradeRows.js';
import { tableMemory } from '../src/exposure/backends/gpu/tableMemory.js';
import { packSetReference } from './helpers/packSetReference.js';
import { compileNettingSet, ratePoolNodeTables } from '../src/exposure/valuation/index.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { exposureDateIndices } from '../src/exposure/profiles.js';
import type { SimulatedPaths } from '../src/simulation/types.js';
import type { RatePoolNodeTables } from '../src/exposure/valuation/index.js';
import type { UnitContext, UnitCounterparty, UnitTask } from '../src/exposure/unit.js';
import { tablesOrder } from '../src/exposure/deviceDrive.js';
import { computeCollateral } from '../src/exposure/collateral.js';
import { computeProfile } from '../src/exposure/profiles.js';
import { addMonths } from '../src/conventions/dates.js';
import { tradeMaturity, type BasisSwap, type CapFloor, type EquityOption, type FloatLeg, type FxOption, type Swaption, type Trade } from '../src/products/types.js';
import { normCdf } from '../src/pricing/black.js';
import type { NettingSet } from '../src/portfolio/types.js';
import type { NettingSetResult } from '../src/exposure/results.js';
import { FINAL_PAYMENT, closeOutBook } from './helpers/closeOutBook.js';
import { plainNettingSet } from './helpers/swapBook.js';
import { fromYmd } from '../src/conventions/dates.js';

const DEMO = path.resolve('fixtures/demo');
const U = 2 ** -24;
const NORMAL_TOL = 2e-6;
/** The Philox block of a masked pool's exercise draw (fromTables). */
const maskWords = new Uint32Array(4);

let market: Market;
let portfolio: Portfolio;


// The adapter is opened while the file is collected, so that `skipIf` knows whether there is one.
const ctx: GpuContext | undefined = await openTestGpu('gpu-backend');

beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  // caps and floors (the demo book has none): a sold seasoned EURIBOR cap and a bought amortising floor in the book's
  // first two netting sets; their caplets are swaptions on the device (an LGM leg before the fixing, a masked pool after)
  const [first, second] = portfolio.nettingSets;
  const euribor = (start: number, years: number): FloatLeg => ({
    kind: 'float', currency: 'EUR', notional: 20e6, floatIndex: 'EUR-EURIBOR-6M', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360',
    startDate: start, maturityDate: addMonths(start, 12 * years), businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false,
  });
  const caps: CapFloor[] = [
    { tradeId: 'DEMO_CAP', counterpartyId: first!.counterpartyId, nettingSetId: first!.nettingSetId, cleared: false, product: 'CAPFLOOR', direction: 'sell', optionType: 'cap', strike: 0.025, floatLeg: euribor(addMonths(market.asOf, -4), 5) },
    { tradeId: 'DEMO_FLOOR', counterpartyId: second!.counterpartyId, nettingSetId: second!.nettingSetId, cleared: false, product: 'CAPFLOOR', direction: 'buy', optionType: 'floor', strike: 0.022, strikeSteps: { fromDates: [addMonths(market.asOf, 39)], rates: [0.026] }, floatLeg: { ...euribor(addMonths(market.asOf, 3), 7), amortization: { kind: 'linear', frequency: '1Y' } } },
  ];
  // and a basis swap (the demo book has none either): €STR + 9bp against EURIBOR 6M, two float legs in one pool
  const estr: FloatLeg = { ...euribor(addMonths(market.asOf, -2), 6), floatIndex: 'EUR-ESTR', frequency: '3M', spreadBp: 9 };
  // paying two business days late (payment_lag_days: lagged coupons are pool bonds and running coupons of other H's),
  // its €STR rates looked back 5 days without a shift and locked out 1 (coupons over their observation periods, scaled)
  const basis: BasisSwap = {
    tradeId: 'DEMO_BASIS', counterpartyId: first!.counterpartyId, nettingSetId: first!.nettingSetId, cleared: false, product: 'BASIS', direction: 'pay',
    leg1: { ...estr, paymentLagDays: 2, lookbackDays: 5, lockoutDays: 1 }, leg2: { ...euribor(addMonths(market.asOf, -2), 6), paymentLagDays: 2 },
  };
  expect(first!.cleared || second!.cleared).toBe(false);
  // step-up rates (the demo book has none): the first IRS and the first physical swaption step 1% up half-way through
  const stepUp = (leg: { startDate: number; maturityDate: number; fixedRate: number }) => ({ fromDates: [Math.round((leg.startDate + leg.maturityDate) / 2)], rates: [leg.fixedRate + 0.01] });
  const firstIrs = portfolio.trades.find((t) => t.product === 'IRS')!.tradeId;
  const firstSwaption = portfolio.trades.find((t) => t.product === 'SWAPTION' && t.settlement === 'physical')!.tradeId;
  const stepped = portfolio.trades.map((t): Trade =>
    (t.product === 'IRS' && t.tradeId === firstIrs) || (t.product === 'SWAPTION' && t.tradeId === firstSwaption) ? { ...t, fixedLeg: { ...t.fixedLeg, rateSteps: stepUp(t.fixedLeg) } } : t,
  );
  portfolio = { ...portfolio, trades: [...stepped, ...caps, basis] };
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

  // --rng sobol on the device (wgsl/sobol.ts): the grids give 14, 479 and 999 bridge steps for the demo book's 47
  // drivers; at 479 and 999 steps the slots × steps pass the table's 21,201 coordinates, so the last bridge steps are
  // Philox draws of the drivers' streams, and 999 steps take two dispatches of the bridge (kernels.ts packSobol). The
  // last case simulates five of the book's 42 factors with the whole book's slots, as a shard does.
  it.skipIf(noGpu()).each([
    ['1W,1M,3M,6M,9M,1Y,18M,2Y,3Y,5Y,7Y,10Y,15Y,20Y,30Y', 256, false],
    ['480,1M', 64, false],
    ['1000,1W', 32, false],
    ['1W,1M,3M,6M,9M,1Y,18M,2Y,3Y,5Y,7Y,10Y,15Y,20Y,30Y', 128, true],
  ] as const)('Sobol points through the bridge: the CPU\'s paths, grid %s, %i paths, a subset of the factors: %s', async (spec, nPaths, subset) => {
    const whole = buildFactorLayout(market, factorNeeds(portfolio.trades));
    // the subset's drivers sit at other slots than their own order (the whole book's order: USD, CHF, …, SPX, …)
    const layout = subset ? buildFactorLayout(market, { currencies: ['USD', 'JPY'], equities: ['SPX'], creditNames: ['ZENITH_ELECTRONICS'] }) : whole;
    if (subset) {
      expect(layout.factorNames).toEqual(['IR:USD', 'IR:JPY', 'FX:JPYUSD', 'EQ:SPX', 'CR:ZENITH_ELECTRONICS']);
      const slots = Array.from(auxStreamsOf(layout), (stream) => auxStreamsOf(whole).indexOf(stream));
      expect(slots.some((slot, a) => slot !== a)).toBe(true);
    }
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid(spec, market.asOf);
    const sobol = { streams: auxStreamsOf(whole) };
    const gpu = await gpuSimulatePaths(ctx!, model, grid, 11, nPaths, false, sobol);
    const cpu = simulatePaths(model, grid, 11, 0, nPaths, { sobol });
    const philox = simulatePaths(model, grid, 11, 0, nPaths, {});
    const nDates = grid.times.length;
    // The Philox bound above (each step's normals within NORMAL_TOL, the rows' sums) plus the bridge in f32: each
    // W_k carries at most (2·depth + 2)·u of max|W| (depth = ⌈log2 n⌉ + 1 levels, two products and a sum each), so
    // ξ_k = (W_k − W_{k−1})/√Δt_k errs by 2·(2·depth + 2)·u·max|W|/√Δt_k; a state adds M_k·ξ_k with M_k of the
    // order of σ·√Δt_k, so per step at most 2·(2·depth + 2)·u of the factor's scale (max|W|·σ): over nDates steps
    // tol + nDates·4·(depth + 1)·u.
    const depth = Math.ceil(Math.log2(nDates)) + 1;
    const tol = nDates * (NORMAL_TOL + (stepPlanOf(model, grid).nAux + 3) * U) + nDates * 4 * (depth + 1) * U;
    let worst = 0;
    let apart = 0; // the Philox paths, to show the comparison tells the two draws apart
    const check = (name: string, a: readonly Float64Array[], b: readonly Float64Array[], c: readonly Float64Array[], relative: boolean): void => {
      a.forEach((values, f) => {
        const ref = b[f]!;
        let scale = 0;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        let err = 0;
        let other = 0;
        for (let i = 0; i < ref.length; i++) {
          const by = relative ? Math.abs(ref[i]!) : Math.max(scale, 1e-12);
          err = Math.max(err, Math.abs(values[i]! - ref[i]!) / by);
          other = Math.max(other, Math.abs(c[f]![i]! - ref[i]!) / by);
        }
        worst = Math.max(worst, err);
        apart = Math.max(apart, other);
        expect(err, `${name}[${f}] worst error ${err} vs tol ${tol}`).toBeLessThanOrEqual(tol);
      });
    };
    check('irState', gpu.irState, cpu.irState, philox.irState, false);
    check('fxLog', gpu.fxLog, cpu.fxLog, philox.fxLog, false);
    check('eqLog', gpu.eqLog, cpu.eqLog, philox.eqLog, false);
    check('creditState', gpu.creditState, cpu.creditState, philox.creditState, false);
    check('numeraire', [gpu.numeraire], [cpu.numeraire], [philox.numeraire], true);
    expect(apart).toBeGreaterThan(1000 * tol);
    console.log(`GPU Sobol paths, grid ${spec.slice(0, 12)}…: worst error ${worst.toExponential(2)} of the factors' scale (tol ${tol.toExponential(2)})`);
  }, 120_000);

  it.skipIf(noGpu())('Sobol points in several path blocks (a small storage binding): each block draws its own points, the same paths as in one block', async () => {
    const layout = buildFactorLayout(market, factorNeeds(portfolio.trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid('1M,6M,1Y,5Y,10Y', market.asOf);
    const nPaths = 200;
    const sobol = { streams: auxStreamsOf(layout) };
    const nAux = stepPlanOf(model, grid).nAux;
    // the bridge's W (steps × drivers a path) sizes the blocks here: 64 paths a block, 4 blocks, the last one short
    const small: GpuContext = { ...ctx!, maxStorageBufferBindingSize: 64 * 4 * (grid.times.length - 1) * nAux + 64 * 4 * 60 };
    const blocks = await gpuSimulateResident(small, model, grid, 7, nPaths, false, true, undefined, true, sobol);
    const whole = await gpuSimulatePaths(ctx!, model, grid, 7, nPaths, false, sobol);
    try {
      expect(blocks.blocks.length).toBeGreaterThanOrEqual(3);
      for (const key of ['irState', 'fxLog', 'eqLog', 'creditState'] as const) blocks.paths[key].forEach((a, f) => expect(a, `${key}[${f}]`).toEqual(whole[key][f]));
      expect(blocks.paths.numeraire).toEqual(whole.numeraire);
    } finally {
      blocks.release();
    }
  }, 120_000);

  it.skipIf(noGpu())('paths kept on the device: their state ranges equal a scan of the host copy, which comes on demand and equals a copy at the simulation', async () => {
    const layout = buildFactorLayout(market, factorNeeds(portfolio.trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid('1M,6M,1Y,5Y,10Y', market.asOf);
    const nDates = grid.times.length;
    const nPaths = 250;
    const nOut = layout.currencies.length + layout.fxCurrencies.length + layout.equities.length + layout.creditNames.length + 1;
    // a storage binding of 64 paths: 4 blocks, the last one short (each block's ranges, then the least and greatest)
    const small: GpuContext = { ...ctx!, maxStorageBufferBindingSize: 64 * 4 * nOut * nDates };
    const emptyPaths = (): SimulatedPaths => {
      const arrays = (n: number): Float64Array[] => Array.from({ length: n }, () => new Float64Array(nDates * nPaths));
      return { grid, layout, nPaths, pathOffset: 0, seed: 3, irState: arrays(layout.currencies.length), fxLog: arrays(layout.fxCurrencies.length), eqLog: arrays(layout.equities.length), creditState: arrays(layout.creditNames.length), numeraire: new Float64Array(nDates * nPaths) };
    };
    const copied = await gpuSimulateResident(small, model, grid, 3, nPaths, false, true, emptyPaths());
    const kept = await gpuSimulateResident(small, model, grid, 3, nPaths, false, true, emptyPaths(), false);
    try {
      expect(copied.blocks.length).toBe(4);
      expect(copied.copied()).toBe(true);
      expect(kept.copied()).toBe(false);
      // nothing written to the host yet
      expect(kept.paths.irState[0]!.every((v) => v === 0)).toBe(true);
      const ranges = await kept.stateRanges();
      const states = [...copied.paths.irState, ...copied.paths.creditState];
      expect(ranges.length).toBe(2 * states.length * nDates);
      states.forEach((xs, row) => {
        for (let d = 0; d < nDates; d++) {
          let lo = Infinity;
          let hi = -Infinity;
          for (let p = 0; p < nPaths; p++) {
            lo = Math.min(lo, xs[d * nPaths + p]!);
            hi = Math.max(hi, xs[d * nPaths + p]!);
          }
          expect([ranges[2 * (row * nDates + d)], ranges[2 * (row * nDates + d) + 1]], `row ${row} date ${d}`).toEqual([lo, hi]);
        }
      });
      // the grid stateGridFor builds from seeded ranges is the one it builds by scanning the values
      const seededSpec = new Float64Array(2);
      const scannedSpec = new Float64Array(2);
      const d = nDates - 1;
      seedStateRanges(kept.paths.irState[1]!, nPaths, ranges, 1, nDates);
      stateGridFor(kept.paths.irState[1]!, d * nPaths, nPaths, seededSpec);
      stateGridFor(copied.paths.irState[1]!, d * nPaths, nPaths, scannedSpec);
      expect(Array.from(seededSpec)).toEqual(Array.from(scannedSpec));
      expect(scannedSpec[1]).toBeGreaterThan(0);
      // the copy on demand: every factor, the same bits as the copy at the simulation
      await kept.copyToHost();
      expect(kept.copied()).toBe(true);
      for (const key of ['irState', 'fxLog', 'eqLog', 'creditState'] as const) kept.paths[key].forEach((a, f) => expect(a, `${key}[${f}]`).toEqual(copied.paths[key][f]));
      expect(kept.paths.numeraire).toEqual(copied.paths.numeraire);
    } finally {
      copied.release();
      kept.release();
    }
  }, 120_000);
});

describe('GPU backend through the engine: every output against the CPU backend', () => {
  // under rng sobol both backends draw the Sobol points (the device's through wgsl/sobol.ts), within the path bound of
  // 'Sobol points through the bridge' above, carried to the figures as for Philox
  it.skipIf(noGpu()).each(['philox', 'sobol'] as const)('a demo slice with every product type and a CSA (rng %s): EPE, ENE, EE, EEE, PFE, collateral, EEPE, Euler', async (rng) => {
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
    // the first IRS and the first XCCY of the slice amortise (linear, yearly): their steps and repayments are pool flows too
    const amortised = new Set<string>();
    const linear = { kind: 'linear', frequency: '1Y' } as const;
    const trades = portfolio.trades.filter((t) => chosen.has(t.nettingSetId)).map((t): Trade => {
      if (amortised.has(t.product)) return t;
      if (t.product === 'IRS') {
        amortised.add(t.product);
        return { ...t, fixedLeg: { ...t.fixedLeg, amortization: linear }, floatLeg: { ...t.floatLeg, amortization: linear } };
      }
      if (t.product === 'XCCY') {
        amortised.add(t.product);
        return { ...t, leg1: { ...t.leg1, amortization: linear }, leg2: { ...t.leg2, amortization: linear } };
      }
      // and the first physical swaption is Bermudan (exercisable on every fixed accrual start, with its notice)
      if (t.product === 'SWAPTION' && t.settlement === 'physical' && !amortised.has('BERMUDAN')) {
        amortised.add('BERMUDAN');
        return { ...t, exerciseDates: bermudanExerciseDates(t.fixedLeg, t.expiryDate) };
      }
      return t;
    });
    expect([...amortised].sort()).toEqual(['BERMUDAN', 'IRS', 'XCCY']);
    const book: Portfolio = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)), trades };
    const options: SimulationOptions = {
      paths: 200,
      seed: 3,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      ...(rng === 'sobol' ? { rng } : {}),
    };
    const cpu = await runSimulation({ portfolio: book, market, options });
    const pathSimulator = Object.assign((m: Parameters<typeof gpuSimulatePaths>[1], g: Parameters<typeof gpuSimulatePaths>[2], seed: number, n: number, anti: boolean, _into?: SimulatedPaths, _defer?: boolean, sobol?: { streams: Uint32Array }) => gpuSimulatePaths(ctx!, m, g, seed, n, anti, sobol), { sobol: true });
    const gpu = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator } });
    const nDates = cpu.grid.times.length;
    const tol = nDates * (NORMAL_TOL + 60 * U) + (rng === 'sobol' ? nDates * 4 * (Math.ceil(Math.log2(nDates)) + 2) * U : 0);
    if (rng === 'sobol') {
      // the Sobol run is not the Philox one (so the comparison below is of Sobol paths)
      const philox = await runSimulation({ portfolio: book, market, options: { ...options, rng: 'philox' } });
      expect(philox.nettingSets[0]!.profile.epe).not.toEqual(cpu.nettingSets[0]!.profile.epe);
    }
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

/**
 * Per-trade Euler contributions of the figures route (g) against the host's f64 ones from the device's values (h):
 * within 4e-3 of the set's scale per trade and date, and the trades adding up to the set's EPE (ENE) on the device.
 * Returns the worst difference as a share of the bound.
 */
function expectEulerMatches(g: NettingSetResult, h: NettingSetResult, scale: number): number {
  const bound = 4e-3 * scale + 1e-6;
  const m = h.profile.epe.length;
  let worst = 0;
  expect(g.tradeIds).toEqual(h.tradeIds);
  // tradeEpeVm: the shares of the EPE after VM only (the tradeEpe array itself in a set holding no IM)
  for (const side of ['tradeEpe', 'tradeEne', 'tradeEpeVm'] as const) {
    h[side].forEach((v, t) => {
      const diff = Math.abs(g[side][t]! - v);
      worst = Math.max(worst, diff / bound);
      expect(diff, `${h.nettingSetId} ${side}[${t}]`).toBeLessThanOrEqual(bound);
    });
    for (let k = 0; k < m; k++) {
      let sum = 0;
      for (let t = 0; t < g.tradeIds.length; t++) sum += g[side][t * m + k]!;
      const total = side === 'tradeEpe' ? g.profile.epe[k]! : side === 'tradeEne' ? g.profile.ene[k]! : g.profile.epeVm[k]!;
      expect(Math.abs(sum - total), `${h.nettingSetId} Σ ${side}[${k}]`).toBeLessThanOrEqual(bound);
    }
  }
  return worst;
}

describe('GPU device valuation with worker threads', () => {
  // a slice of the demo book with every product, CSA and uncollateralised sets, a counterparty with two sets, a set
  // with IM held, and one set with an equity option struck at 0 (it stays on the host: its reason comes from a
  // worker's tables task)
  // `mixed`: also CP0025, whose third set gets an equity option struck at 0 too: its other two sets are valued on the
  // device but take the values route (a counterparty's totals need all its sets on one route)
  const sliceOf = (mixed = false): { book: Portfolio; zeroStrikeSet: string; pairCounterparty: string } => {
    const chosen = new Set(portfolio.nettingSets.slice(0, 14).map((n) => n.nettingSetId));
    if (mixed) for (const n of portfolio.nettingSets) if (n.counterpartyId === 'CP0025') chosen.add(n.nettingSetId);
    const setsOf = new Map<string, string[]>();
    for (const n of portfolio.nettingSets) setsOf.set(n.counterpartyId, [...(setsOf.get(n.counterpartyId) ?? []), n.nettingSetId]);
    // a counterparty with an uncollateralised and a collateralised set, both with exposure (CP0024 of the demo book)
    const pairCounterparty = 'CP0024';
    expect(setsOf.get(pairCounterparty)!.length).toBeGreaterThanOrEqual(2);
    for (const id of setsOf.get(pairCounterparty)!) chosen.add(id);
    // IM held (the demo book has none): 2m on a CSA set and on an uncollateralised one, so that C = VM + IM and the
    // ENE's and Euler's IM terms are exercised
    const imHeld = new Map([['NS-CP0005-1', 2e6], ['NS-CP0001-1', 2e6]]);
    const zeroStrikeSet = portfolio.trades.find((t) => t.product === 'EQOPT' && chosen.has(t.nettingSetId))!.nettingSetId;
    const book: Portfolio = {
      ...portfolio,
      nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)).map((n) => (imHeld.has(n.nettingSetId) ? { ...n, initialMarginHeld: imHeld.get(n.nettingSetId)! } : n)),
      trades: portfolio.trades
        .filter((t) => chosen.has(t.nettingSetId))
        .map((t) => (t.product === 'EQOPT' && (t.nettingSetId === zeroStrikeSet || (mixed && t.nettingSetId === 'NS-CP0025-3')) ? { ...t, strike: 0 } : t)),
    };
    return { book, zeroStrikeSet, pairCounterparty };
  };
  const options: SimulationOptions = {
    paths: 96,
    seed: 5,
    grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 3, unit: 'Y' }, { count: 7, unit: 'Y' }] },
    threads: 1,
    antithetic: false,
    pfeQuantile: 0.95,
    skipUnsupported: false,
  };
  const run = async (book: Portfolio, threads: number, extra: Partial<SimulationOptions> = {}, workerPool?: WorkerPool) => {
    const valuation = new GpuSetValuation(ctx!);
    const simulate = Object.assign((...a: Parameters<typeof valuation.simulate>) => valuation.simulate(...a), { deviceValuation: valuation });
    const result = await runSimulation({ portfolio: book, market, marketFile: path.join(DEMO, 'market.yaml'), ...(workerPool ? { workerPool } : {}), options: { ...options, ...extra, threads, pathSimulator: simulate } });
    return { result, routing: valuation.routing, stats: valuation.stats };
  };

  it.skipIf(noGpu())('values route: the host part (collateral, PFE, Euler, totals) on 2 worker threads gives the in-process run\'s bits', async () => {
    const { book, zeroStrikeSet } = sliceOf();
    // with a cube the values come back (the figures route is off): the workers' host part must match this thread's
    const one = await run(book, 1, { cube: true });
    const two = await run(book, 2, { cube: true });
    expect(two.result.threads).toBe(2);
    expect(two.stats.figureSets).toBe(0);
    expect(one.routing.device.length).toBeGreaterThan(5);
    // the same routing in the same order, whether the node tables were built here or on the workers
    expect(two.routing).toEqual(one.routing);
    expect(one.routing.host).toEqual([{ nettingSetId: zeroStrikeSet, reason: NO_NODE_TABLES }]);
    expect(new Set(book.trades.filter((t) => one.routing.device.includes(t.nettingSetId)).map((t) => t.product)).size).toBeGreaterThan(5);
    two.result.nettingSets.forEach((g, i) => {
      const h = one.result.nettingSets[i]!;
      expect(g.nettingSetId).toBe(h.nettingSetId);
      for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError'] as const) expect(Array.from(g.profile[key]), `${g.nettingSetId} ${key}`).toEqual(Array.from(h.profile[key]));
      expect(g.profile.eepe).toBe(h.profile.eepe);
      expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
      expect(Array.from(g.tradeEne)).toEqual(Array.from(h.tradeEne));
      expect(Array.from(g.cube ?? [])).toEqual(Array.from(h.cube ?? []));
      // a set holding no IM: its figures after VM only are its figures, bit for bit, also where the device's
      // expectations replaced the host's (devicePayload.ts, a set without collateral)
      if (g.nettingSetId !== 'NS-CP0005-1' && g.nettingSetId !== 'NS-CP0001-1') {
        expect(Array.from(g.profile.epeVm), `${g.nettingSetId} epeVm`).toEqual(Array.from(g.profile.epe));
        expect(Array.from(g.profile.collateralVm)).toEqual(Array.from(g.profile.collateral));
      }
    });
    two.result.counterparties.forEach((c, i) => expect(Array.from(c.pfe ?? [])).toEqual(Array.from(one.result.counterparties[i]!.pfe ?? [])));
    expect(Array.from(two.result.book.epe)).toEqual(Array.from(one.result.book.epe));
  }, 120_000);

  it.skipIf(noGpu())('figures route on workers kept between runs: each run seeds its own state ranges (the paths never on the host)', async () => {
    // every set on the figures route (the zero-strike set left out), so the device keeps its paths and the workers'
    // grids come from its state ranges alone; the second run, on other paths, takes over the first run's workers
    const { book, zeroStrikeSet } = sliceOf();
    const onDevice: Portfolio = { ...book, nettingSets: book.nettingSets.filter((n) => n.nettingSetId !== zeroStrikeSet), trades: book.trades.filter((t) => t.nettingSetId !== zeroStrikeSet) };
    stopKeptWorkers();
    const first = await run(onDevice, 2);
    expect(first.stats.pathsCopied).toBe(false);
    expect(first.stats.figureSets).toBe(onDevice.nettingSets.length);
    expect(keptWorkerCount()).toBe(2);
    const second = await run(onDevice, 2, { seed: 6 });
    expect(second.stats.pathsCopied).toBe(false);
    const reference = await run(onDevice, 1, { seed: 6 });
    second.result.nettingSets.forEach((g, i) => {
      const h = reference.result.nettingSets[i]!;
      for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeStdError'] as const) expect(Array.from(g.profile[key]), `${g.nettingSetId} ${key}`).toEqual(Array.from(h.profile[key]));
      expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
    });
    // the seed reaches the figures (the comparison is not of the first run's numbers)
    expect(Array.from(second.result.book.epe)).not.toEqual(Array.from(first.result.book.epe));
  }, 120_000);

  it.skipIf(noGpu())('figures route with IM held per date (as --dynamic-im holds it): the host\'s figures from the device values, C = IM(t) where there is no CSA', async () => {
    // every set on the device (the zero-strike one left out); a stepped IM profile (1m, then 3m from 6 months, 0.5m
    // from 2 years) on a CSA set and an uncollateralised one, in place of their constant IM held
    const { book, zeroStrikeSet } = sliceOf();
    const onDevice: Portfolio = { ...book, nettingSets: book.nettingSets.filter((n) => n.nettingSetId !== zeroStrikeSet), trades: book.trades.filter((t) => t.nettingSetId !== zeroStrikeSet) };
    const profile = { dates: Int32Array.of(market.asOf, market.asOf + 182, market.asOf + 730), amounts: Float64Array.of(1e6, 3e6, 0.5e6) };
    const initialMarginProfiles = new Map([['NS-CP0005-1', profile], ['NS-CP0001-1', profile]]);
    const host = await run(onDevice, 1, { cube: true, initialMarginProfiles });
    const device = await run(onDevice, 1, { initialMarginProfiles });
    expect(host.stats.figureSets).toBe(0);
    expect(device.stats.figureSets).toBe(onDevice.nettingSets.length);
    // the sets holding IM figured their EPE after VM only on the device too (a third Euler sum per trade slot): it
    // differs from their EPE where the IM held cuts it, and their trades have shares of it of their own
    for (const id of ['NS-CP0005-1', 'NS-CP0001-1']) {
      const g = device.result.nettingSets.find((n) => n.nettingSetId === id)!;
      expect(device.routing.figures).toContain(id);
      expect(g.tradeEpeVm).not.toBe(g.tradeEpe);
      // (NS-CP0001-1 is mostly a liability: its EPE after VM only is 101k and 51k on its last two dates, 61k and 17k
      // after its IM)
      expect(Array.from(g.profile.epeVm).some((x, k) => x > g.profile.epe[k]! + 2e4), id).toBe(true);
    }
    // where there is no CSA the collateral column, E[C/N], is the IM held times E[1/N(t)], an estimate of P(0,t): the
    // steps of the profile show as jumps of the column (×3, ×1/6) but not of column / IM(t), which stays within 3% of
    // P(0,t) (96 paths, 10 years: the sample mean of 1/N errs by far less; a step on the wrong date is off by ×3 or ×6)
    const imAt = (t: number): number => (t < 182 / 365.25 - 1e-9 ? 1e6 : t < 730 / 365.25 - 1e-9 ? 3e6 : 0.5e6);
    const discount = market.discountCurve(market.baseCurrency);
    for (const r of [host, device]) {
      const set = r.result.nettingSets.find((n) => n.nettingSetId === 'NS-CP0001-1')!;
      const seen = new Set<number>();
      set.profile.collateral.forEach((c, k) => {
        const t = set.profile.times[k]!;
        if (Math.abs(t - 182 / 365.25) < 0.01 || Math.abs(t - 730 / 365.25) < 0.01) return; // day counts at the steps
        expect(Math.abs(c / imAt(t) - discount.discount(t)), `collateral[${k}] at ${t}`).toBeLessThanOrEqual(0.03);
        seen.add(imAt(t));
      });
      expect(seen.size).toBe(3);
    }
    // the figures against the host's f64 figures from the device values: the tolerance of the test below (2e-5 of the
    // set's scale, undiscounted figures divided by P(0,t)), the IM held entering as the constant one does
    host.result.nettingSets.forEach((h, i) => {
      const g = device.result.nettingSets[i]!;
      let scale = 0;
      for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
      const bound = 2e-5 * scale + 1e-6;
      for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeVm', 'collateralVm'] as const) {
        h.profile[key].forEach((v, k) => {
          const b = key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
          expect(Math.abs(g.profile[key][k]! - v), `${h.nettingSetId} ${key}[${k}]`).toBeLessThanOrEqual(b);
        });
      }
      expectEulerMatches(g, h, scale);
    });
  }, 120_000);

  it.skipIf(noGpu())('figures route with IM posted: the ENE after it and after VM only and their trade shares on the device match the host\'s figures from the device values', async () => {
    // every set on the device (the zero-strike one left out); IM posted on a CSA set holding IM (NS-CP0005-1), on an
    // uncollateralised one holding IM (NS-CP0001-1) and on one holding none (a set of the pair counterparty)
    const { book, zeroStrikeSet, pairCounterparty } = sliceOf();
    const posting = new Set(['NS-CP0005-1', 'NS-CP0001-1', book.nettingSets.find((n) => n.counterpartyId === pairCounterparty && (n.initialMarginHeld ?? 0) === 0)!.nettingSetId]);
    const onDevice: Portfolio = {
      ...book,
      nettingSets: book.nettingSets.filter((n) => n.nettingSetId !== zeroStrikeSet).map((n) => (posting.has(n.nettingSetId) ? { ...n, initialMarginPosted: 1.5e6 } : n)),
      trades: book.trades.filter((t) => t.nettingSetId !== zeroStrikeSet),
    };
    const host = await run(onDevice, 1, { cube: true }); // the values route: the host's f64 figures from the device values
    const device = await run(onDevice, 1);
    expect(host.stats.figureSets).toBe(0);
    expect(device.stats.figureSets).toBe(onDevice.nettingSets.length);
    // one thread: every set's node tables are built on the driving thread, on either route, and bench/gpu.mjs reports
    // their time (an audit found the figures route's "tables 0.000 s": deviceDrive.ts did not count them)
    expect(host.stats.workerTableTasks).toBe(0);
    expect(device.stats.workerTableTasks).toBe(0);
    expect(host.stats.tablesSeconds).toBeGreaterThan(0);
    expect(device.stats.tablesSeconds).toBeGreaterThan(0);
    for (const id of posting) {
      const g = device.result.nettingSets.find((n) => n.nettingSetId === id)!;
      expect(device.routing.figures).toContain(id);
      expect(g.tradeEneVm).not.toBe(g.tradeEne); // the fourth Euler sum per trade slot
      expect(Array.from(g.profile.ene).some((x, k) => x < g.profile.eneVm[k]! - 1e4), id).toBe(true);
    }
    // the figures against the host's f64 figures from the device values (the bounds of the IM-held test above)
    const discount = market.discountCurve(market.baseCurrency);
    host.result.nettingSets.forEach((h, i) => {
      const g = device.result.nettingSets[i]!;
      let scale = 0;
      for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.eneVm[k]! + Math.abs(h.profile.collateral[k]!));
      const bound = 2e-5 * scale + 1e-6;
      for (const key of ['epe', 'ene', 'eneVm', 'pfe', 'collateral', 'epeVm', 'collateralVm'] as const) {
        h.profile[key].forEach((v, k) => {
          const b = key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
          expect(Math.abs(g.profile[key][k]! - v), `${h.nettingSetId} ${key}[${k}]`).toBeLessThanOrEqual(b);
        });
      }
      expectEulerMatches(g, h, scale);
      // the trades' shares of the ENE after VM only: the host's, and adding up to it
      const m = h.profile.eneVm.length;
      const eulerBound = 4e-3 * scale + 1e-6;
      h.tradeEneVm.forEach((v, t) => expect(Math.abs(g.tradeEneVm[t]! - v), `${h.nettingSetId} tradeEneVm[${t}]`).toBeLessThanOrEqual(eulerBound));
      for (let k = 0; k < m; k++) {
        let sum = 0;
        for (let t = 0; t < g.tradeIds.length; t++) sum += g.tradeEneVm[t * m + k]!;
        expect(Math.abs(sum - g.profile.eneVm[k]!), `${h.nettingSetId} Σ tradeEneVm[${k}]`).toBeLessThanOrEqual(eulerBound);
      }
    });
    // the counterparties' totals carry the ENE after VM only (the sums of their sets')
    for (const c of device.result.counterparties) {
      const own = device.result.nettingSets.filter((n) => n.counterpartyId === c.counterpartyId);
      c.eneVm.forEach((v, k) => expect(Math.abs(v - own.reduce((a, n) => a + n.profile.eneVm[k]!, 0))).toBeLessThanOrEqual(1e-9 * Math.max(1, v)));
    }
  }, 120_000);

  it.skipIf(noGpu())('figures route: margin calls, profile, PFE, Euler and counterparty totals on the device match the host\'s figures from the device values', async () => {
    const { book, zeroStrikeSet, pairCounterparty } = sliceOf(true);
    // reference: the values route (with a cube: the host computes every figure in f64 from the device's f32 values);
    // under test: the figures route (the device computes them in f32 and sends back only those)
    const host = await run(book, 1, { cube: true });
    const device = await run(book, 2);
    // the figures route gives the same bits whatever the threads (its tables on this thread, or on 2 or 3 workers),
    // also when each worker holds its next task while it builds one (deviceDrive.ts WORKER_DEPTH: the stream hands
    // out three tables tasks a worker at once; a CPU run's phases one) and a unit's host part goes to the worker that
    // built its tables, without its counterparties (kept there: WorkerTask 'unit' held)
    const pool = WorkerPool.early(path.join(DEMO, 'market.yaml'), 3);
    const deep = await run(book, 3, {}, pool);
    expect(pool.peakInFlight).toBeGreaterThanOrEqual(2);
    expect(deep.stats.workerTableTasks).toBeGreaterThan(3);
    expect(pool.pinnedTasks).toBe(deep.stats.workerTableTasks);
    expect(pool.closed).toBe(true);
    // the same run again on the three workers kept from `deep` (pool.ts WorkerPool.release): each seeds the new run's
    // state ranges again (the tables of the run before are on other paths)
    expect(keptWorkerCount()).toBe(3);
    const again = await run(book, 3);
    expect(keptWorkerCount()).toBe(3);
    for (const other of [await run(book, 1), deep, again]) {
      expect(other.routing).toEqual(device.routing);
      other.result.nettingSets.forEach((g, i) => {
        const h = device.result.nettingSets[i]!;
        for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeStdError'] as const) expect(Array.from(g.profile[key]), `${g.nettingSetId} ${key}`).toEqual(Array.from(h.profile[key]));
        expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
        expect(Array.from(g.tradeEne)).toEqual(Array.from(h.tradeEne));
      });
      other.result.counterparties.forEach((c, i) => expect(Array.from(c.pfe ?? [])).toEqual(Array.from(device.result.counterparties[i]!.pfe ?? [])));
    }
    expect(host.stats.figureSets).toBe(0);
    expect(device.routing.device).toEqual(host.routing.device);
    expect(device.routing.host).toEqual(host.routing.host);
    // every device set took the figures route but CP0025's: one of its sets is on the host, so its other two sets'
    // values came back (the other zero-strike set is alone in its counterparty)
    expect(host.routing.figures).toEqual([]);
    expect(device.routing.figures).toEqual(device.routing.device.filter((id) => id !== 'NS-CP0025-1' && id !== 'NS-CP0025-2'));
    expect(device.routing.device).toEqual(expect.arrayContaining(['NS-CP0025-1', 'NS-CP0025-2']));
    expect(device.stats.figureSets).toBe(device.routing.figures!.length);
    // the host sets and CP0025's values route need the paths on the host: the device copied them when asked (the
    // workers' node tables before that came from its state ranges, and give the same bits as above)
    expect(device.stats.pathsCopied).toBe(true);
    expect(device.routing.host.map((h) => h.nettingSetId)).toEqual([zeroStrikeSet, 'NS-CP0025-3']);
    // what came back: the figures route's sets read back 13 sums and a PFE per exposure date and 2 sums per trade and
    // date, 3 in a set holding IM (f32, in 256-byte aligned parts); the values route reads every path of every date
    const nExp = host.result.nettingSets[0]!.profile.dateIndex.length;
    const onFigures = new Set(device.routing.figures);
    const figureTrades = book.trades.filter((t) => onFigures.has(t.nettingSetId)).length;
    const imTrades = book.trades.filter((t) => onFigures.has(t.nettingSetId) && (book.nettingSets.find((n) => n.nettingSetId === t.nettingSetId)!.initialMarginHeld ?? 0) > 0).length;
    expect(imTrades).toBeGreaterThan(0);
    expect(device.stats.figuresBytes).toBeLessThanOrEqual(4 * (14 * nExp * onFigures.size + 2 * nExp * figureTrades + nExp * imTrades) + 3 * 256 * onFigures.size);
    // independent of the paths, and already here (96 paths) below the values of the exposure dates alone
    expect(device.stats.figuresBytes).toBeLessThan(4 * options.paths * nExp * onFigures.size);
    // the IM held shows in the collateral of the uncollateralised set (C = IM there)
    expect(host.result.nettingSets.find((n) => n.nettingSetId === 'NS-CP0001-1')!.profile.collateral[0]).toBeGreaterThan(1e6);
    const collateralised = book.nettingSets.filter((n) => n.csa && n.nettingSetId !== zeroStrikeSet);
    expect(collateralised.some((n) => n.mtaCpty > 0 && n.rounding > 0)).toBe(true);
    // Tolerance. On the figures route the set's value at an exposure date is the sum of its trades' f32 values (each
    // on its own node tables), against the pooled f32 value the host reads: they differ by f32 roundings of the
    // trades' gross values, a few u of gross, i.e. ~1e-6 of the scale for trades up to ~10× the set's exposure. The
    // device then adds f32 roundings (u = 2^-24): the margin call (about
    // ten operations on amounts the size of V and the thresholds), E = V − C, and the sums (each term rounded about
    // n/64 + 6 times). With amounts up to ~10× the set's exposure scale that is < 10·(10 + 8)·u ≈ 1e-5 of the scale;
    // a rounding or MTA decision that f32 puts on the other side of its boundary moves one path by one multiple, which
    // the bound of 2e-5 of the scale also covers for this book (a handful of such paths in 96 would move EPE by
    // about multiple/96 ≈ 1e3, below 2e-5 of the scales here, ~1e8). PFE and EE are undiscounted: divided by P(0,t).
    // Euler: each trade is valued on its own node tables in f32, so its error scales with the trade's gross value,
    // which in an offsetting set can be ~100× the set's net exposure: 1e-3 of the scale for node values rounded once.
    // Most trades' tables reach the device as Taylor moments (ratePool.ts buildMoments), whose f32 sum errs by
    // u·Σ_m (m + 1)·|M_m·y^m| at most to first order, up to about 4× the rounding of the node value where the constant
    // and linear terms cancel (a swap near the money: where the paths are) : 4e-3 of the scale. Measured: NS-CP0014-1
    // at its third exposure date, where a path's pro-rata ENE weight sits near its bound (euler.ts), moves every
    // trade's contribution by ~0.55% of it, 1.05e-3 of the scale (0.25e-3 with node values).
    const discount = market.discountCurve(market.baseCurrency);
    let worst = 0;
    let worstEuler = 0;
    host.result.nettingSets.forEach((h, i) => {
      const g = device.result.nettingSets[i]!;
      expect(g.nettingSetId).toBe(h.nettingSetId);
      let scale = 0;
      for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
      const bound = 2e-5 * scale + 1e-6;
      for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError', 'epeVm', 'collateralVm'] as const) {
        h.profile[key].forEach((v, k) => {
          const b = key === 'ee' || key === 'eee' || key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
          const diff = Math.abs(g.profile[key][k]! - v);
          worst = Math.max(worst, diff / b);
          expect(diff, `${h.nettingSetId} ${key}[${k}]`).toBeLessThanOrEqual(b);
        });
      }
      expect(Math.abs(g.profile.eepe - h.profile.eepe), `${h.nettingSetId} eepe`).toBeLessThanOrEqual(2 * bound);
      worstEuler = Math.max(worstEuler, expectEulerMatches(g, h, scale));
    });
    // the counterparty with two sets: its PFE and standard error are of the pathwise sum, from the device's accumulator
    const at = host.result.counterparties.findIndex((c) => c.counterpartyId === pairCounterparty);
    const hc = host.result.counterparties[at]!;
    const gc = device.result.counterparties[at]!;
    let cpScale = 0;
    for (let k = 0; k < hc.epe.length; k++) cpScale = Math.max(cpScale, hc.epe[k]! + hc.ene[k]! + Math.abs(hc.collateral[k]!));
    const times = host.result.nettingSets[0]!.profile.times;
    for (const key of ['epe', 'ene', 'pfe', 'collateral'] as const) {
      Array.from(hc[key]!).forEach((v, k) => expect(Math.abs(gc[key]![k]! - v), `${pairCounterparty} ${key}[${k}]`).toBeLessThanOrEqual((2e-5 * cpScale + 1e-6) / discount.discount(times[k]!)));
    }
    // the pathwise total is not the sum of the sets' PFEs (the test would be vacuous otherwise)
    const setPfes = device.result.nettingSets.filter((s) => s.counterpartyId === pairCounterparty).map((s) => s.profile.pfe);
    expect(Array.from(gc.pfe!).some((v, k) => Math.abs(v - setPfes.reduce((a, p) => a + p[k]!, 0)) > 1e-3 * cpScale)).toBe(true);
    console.log(`GPU figures route vs the host's figures: worst |Δ| is ${(100 * worst).toFixed(1)}% of the profile bound, ${(100 * worstEuler).toFixed(1)}% of the Euler bound`);
    expect(worst).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(noGpu())("figures route at the final payment's close-out (collateral held after the last live date): the host's figures from the device values", async () => {
    // test/close-out-end.test.ts's set: after its last live date V = 0 and, up to its close-out end, C is the balance
    // called before (E = −C); on the figures route those exposure dates are margin slots without trade slots
    const { portfolio: book, tenors } = closeOutBook(market.asOf);
    const grid = { kind: 'list' as const, tenors };
    const host = await run(book, 1, { cube: true, grid });
    const device = await run(book, 1, { grid });
    expect(device.routing.figures).toEqual(['NS_END']);
    expect(host.routing.figures).toEqual([]);
    const h = host.result.nettingSets[0]!;
    const g = device.result.nettingSets[0]!;
    const kPay = h.profile.dateIndex.findIndex((d) => host.result.grid.dates[d] === FINAL_PAYMENT);
    const kAfter = h.profile.dateIndex.findIndex((d) => host.result.grid.dates[d] === FINAL_PAYMENT + 6);
    expect(kPay).toBeGreaterThan(0);
    // the spike on both routes (0 before this rule)
    expect(h.profile.epe[kPay]!).toBeGreaterThan(1e5);
    expect(g.profile.epe[kAfter]!).toBeGreaterThan(1e5);
    let scale = 0;
    for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
    // the tolerance of the figures route's test above (f32 sums of f32 values: 2e-5 of the scale)
    const bound = 2e-5 * scale + 1e-6;
    const discount = market.discountCurve(market.baseCurrency);
    for (const key of ['epe', 'ene', 'ee', 'pfe', 'collateral', 'epeVm', 'collateralVm'] as const) {
      h.profile[key].forEach((v, k) => {
        const b = key === 'ee' || key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
        expect(Math.abs(g.profile[key][k]! - v), `${key}[${k}]`).toBeLessThanOrEqual(b);
      });
    }
    expectEulerMatches(g, h, scale);
    // the residual shared equally at the final payment: each trade half of the EPE
    const nExp = h.profile.dateIndex.length;
    expect(Math.abs(g.tradeEpe[kPay]! - g.profile.epe[kPay]! / 2)).toBeLessThanOrEqual(bound);
    expect(Math.abs(g.tradeEpe[nExp + kPay]! - g.profile.epe[kPay]! / 2)).toBeLessThanOrEqual(bound);
  }, 120_000);

  it.skipIf(noGpu())('figures route with a rounded balance above 2^24 returned to exactly 0 (unexercised swaptions): the host\'s figures from the device values', async () => {
    // An audit (helper 170) found the margin kernel keeping the balance in f32 (b = b + k·m): above 2^24 f32 holds
    // only even numbers (multiples of 4 above 2^25), so a balance n·m of whole multiples was stored a unit or two
    // off, and when the requirement later fell to exactly 0 the return ⌈−b/m − ε⌉ came out one multiple short
    // (−129.9998 → −129): one multiple stayed held for good (MTA 0: the next call saw 0.9998 → 0 again).
    // A bought physical payer swaption on 1bn (values ~1e7 to 1e8 before its expiry, above 2^24 ≈ 1.68e7): after
    // the expiry its value is exactly 0 on the paths that did not exercise, the requirement exactly 0 and the
    // balance must go back to exactly 0 (collateral.ts CollateralTracker.advanceTo: ⌈sf/m − ε⌉ with sf = −n·m).
    // CSA: zero thresholds and MTAs, rounding 10m JPY (m = 1e7 / 152.3 ≈ 65,659.88 USD, not a whole number of
    // dollars: n·m above 2^24 is seldom an f32), MPoR 10 days, daily calls.
    const expiry = fromYmd(2027, 6, 28);
    const leg = { currency: 'USD' as const, notional: 1e9, startDate: fromYmd(2027, 6, 30), maturityDate: fromYmd(2037, 6, 30), businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
    const swaption: Swaption = {
      tradeId: 'SW_BIG', counterpartyId: 'CP_BIG', nettingSetId: 'NS_BIG', cleared: false, product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'physical', expiryDate: expiry,
      fixedLeg: { ...leg, kind: 'fixed', fixedRate: 0.035, frequency: '1Y', dayCount: '30/360' },
      floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
    };
    const ns = plainNettingSet('NS_BIG', 'CP_BIG', { csa: true, collateralCurrency: 'JPY', rounding: 10e6, marginPeriodOfRiskDays: 10 });
    const counterparty = { counterpartyId: 'CP_BIG', name: 'Big', sector: 'financial', rating: 'A', region: 'north_america', qccp: false } satisfies Portfolio['counterparties'][number];
    const book: Portfolio = { trades: [swaption], counterparties: [counterparty], nettingSets: [ns], eligibleCollateral: [], collateral: [], sources: {} };
    const host = await run(book, 1, { cube: true }); // the values route: the host's f64 figures from the device values
    const device = await run(book, 1);
    expect(device.routing.figures).toEqual(['NS_BIG']);
    expect(host.routing.figures).toEqual([]);
    const h = host.result.nettingSets[0]!;
    const g = device.result.nettingSets[0]!;
    // the case is there: on the last exposure date before the expiry most paths are worth above 2^24, and on the
    // first one whose close-out lag date is after it too (its call starts from that balance) a good share is worth 0
    const nPaths = options.paths;
    const dates = host.result.grid.dates;
    const kBefore = h.profile.dateIndex.findLastIndex((d) => dates[d]! < expiry);
    const kAfter = h.profile.dateIndex.findIndex((d) => dates[d]! > expiry + 14);
    expect(kBefore).toBeGreaterThan(0);
    expect(kAfter).toBeGreaterThan(kBefore);
    const valueAt = (k: number, p: number): number => h.cube![k * nPaths + p]!;
    let large = 0;
    let zero = 0;
    for (let p = 0; p < nPaths; p++) {
      if (valueAt(kBefore, p) > 2 ** 24) large++;
      if (valueAt(kAfter, p) === 0) zero++;
    }
    expect(large).toBeGreaterThan(nPaths / 2);
    expect(zero).toBeGreaterThan(nPaths / 5);
    let scale = 0;
    for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
    // the tolerance of the figures route's test above (2e-5 of the scale, 1.3e3 here): a path whose return came out
    // one multiple short moved the collateral and the ENE by m/96 ≈ 684, and a quarter of the paths did (before the
    // fix: 15.8e3 off at the 2-year date, 1.4e3 at the 1-year one; after it a few dollars, f32's rounding of n·m)
    const bound = 2e-5 * scale + 1e-6;
    const discount = market.discountCurve(market.baseCurrency);
    let worst = 0;
    for (const key of ['epe', 'ene', 'ee', 'pfe', 'collateral', 'epeVm', 'collateralVm'] as const) {
      h.profile[key].forEach((v, k) => {
        const b = key === 'ee' || key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
        const diff = Math.abs(g.profile[key][k]! - v);
        worst = Math.max(worst, diff / b);
        expect(diff, `${key}[${k}]`).toBeLessThanOrEqual(b);
      });
    }
    console.log(`GPU figures route, balances above 2^24 returned to 0: worst |Δ| is ${(100 * worst).toFixed(1)}% of the profile bound`);
    expectEulerMatches(g, h, scale);
  }, 120_000);

  it.skipIf(noGpu())("figures route with antithetic paths: the EPE standard error of the pairs' means, as the host's from the device values", async () => {
    // profiles.ts pairStandardError: the device sends Σ y(2i)·y(2i+1) beside Σy and Σy² (wgsl/figures.ts REDUCE_OUT);
    // without it the standard error would be the paths' own, a fraction of itself away (far beyond the f32 bound)
    const { book, zeroStrikeSet, pairCounterparty } = sliceOf();
    const onDevice: Portfolio = { ...book, nettingSets: book.nettingSets.filter((n) => n.nettingSetId !== zeroStrikeSet), trades: book.trades.filter((t) => t.nettingSetId !== zeroStrikeSet) };
    const host = await run(onDevice, 1, { cube: true, antithetic: true });
    const device = await run(onDevice, 1, { antithetic: true });
    expect(device.stats.figureSets).toBe(onDevice.nettingSets.length);
    let checked = 0;
    host.result.nettingSets.forEach((h, i) => {
      const g = device.result.nettingSets[i]!;
      let scale = 0;
      for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
      h.profile.epeStdError.forEach((v, k) => {
        expect(Math.abs(g.profile.epeStdError[k]! - v), `${h.nettingSetId} epeStdError[${k}]`).toBeLessThanOrEqual(2e-5 * scale + 1e-6);
        if (v > 1e-3 * scale) checked++;
      });
    });
    expect(checked).toBeGreaterThan(10);
    const at = host.result.counterparties.findIndex((c) => c.counterpartyId === pairCounterparty);
    const [hc, gc] = [host.result.counterparties[at]!, device.result.counterparties[at]!];
    let cpScale = 0;
    for (let k = 0; k < hc.epe.length; k++) cpScale = Math.max(cpScale, hc.epe[k]! + hc.ene[k]! + Math.abs(hc.collateral[k]!));
    Array.from(hc.epeStdError!).forEach((v, k) => expect(Math.abs(gc.epeStdError![k]! - v), `${pairCounterparty} epeStdError[${k}]`).toBeLessThanOrEqual(2e-5 * cpScale + 1e-6));
  }, 120_000);
});

describe('the order units are handed out in (deviceDrive.ts tablesOrder)', () => {
  it('units over 4× the mean cost first, costliest first (ties by book order), then the rest in book order; nothing lost or repeated', () => {
    const unit = (unitId: number, cost: number): UnitTask => ({ unitId, counterparties: [], cost });
    // 20 units of mean cost 10: the two of 41 and 45 exceed 40, the one of 40 does not
    const costs = [4, 4, 40, 4, 4, 41, 4, 45, ...Array.from({ length: 11 }, () => 4), 10];
    const units = costs.map((c, i) => unit(i, c));
    expect(costs.reduce((a, b) => a + b, 0) / costs.length).toBe(10);
    expect(tablesOrder(units).map((u) => u.unitId)).toEqual([7, 5, 0, 1, 2, 3, 4, 6, ...Array.from({ length: 12 }, (_, i) => 8 + i)]);
    // ties among the oversized: book order
    const tied = [unit(0, 1), unit(1, 50), unit(2, 1), unit(3, 50), ...Array.from({ length: 8 }, (_, i) => unit(4 + i, 1))];
    expect(tablesOrder(tied).map((u) => u.unitId)).toEqual([1, 3, 0, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
    // no oversized unit (or no cost known): the book's order, as a copy
    const even = [unit(0, 5), unit(1, 6), unit(2, 4)];
    expect(tablesOrder(even)).toEqual(even);
    expect(tablesOrder(even)).not.toBe(even);
    expect(tablesOrder([{ unitId: 0, counterparties: [] }, { unitId: 1, counterparties: [] }]).map((u) => u.unitId)).toEqual([0, 1]);
    expect(tablesOrder([])).toEqual([]);
  });
});

describe('device buffers reused across sets (bufferPool.ts)', () => {
  it('hands back a released buffer of the same usage and size class, makes a new one otherwise, destroys all at the end', () => {
    const made: { size: number; usage: number; destroyed: boolean }[] = [];
    const device = {
      createBuffer: (d: { size: number; usage: number }) => {
        const b = { size: d.size, usage: d.usage, destroyed: false, destroy: () => void (b.destroyed = true) };
        made.push(b);
        return b;
      },
    } as unknown as GPUDevice;
    expect([1, 4096, 4097, 10_000, 70_000].map(sizeClass)).toEqual([4096, 4096, 8192, 16384, 131072]);
    const pool = new DeviceBufferPool(device);
    const a = pool.acquire(5000, 0x88);
    expect(made).toHaveLength(1);
    expect(made[0]!.size).toBe(8192);
    // in use: a second request makes a second buffer
    const b = pool.acquire(6000, 0x88);
    expect(b).not.toBe(a);
    pool.release(a);
    // the same class and usage: the released one; another usage or class: a new one
    expect(pool.acquire(8000, 0x88)).toBe(a);
    expect(pool.acquire(100, 0x88)).not.toBe(b);
    expect(pool.acquire(6000, 0x09)).not.toBe(b);
    expect(made).toHaveLength(4);
    pool.destroy();
    expect(made.every((m) => m.destroyed)).toBe(true);
  });
});

describe('GPU figures route over several chunks of paths', () => {
  // The reduce and Euler kernels sum each chunk of PATH_CHUNK paths in f32 and the host adds the chunks in f64
  // (wgsl/figures.ts sumChunks). 2·PATH_CHUNK + 37 paths: two full chunks and a short one.
  it('the host adds each row\'s chunks in f64, in chunk order', () => {
    // two rows of 2 words, 3 chunks each: f32 partials whose f32 sum would lose the small terms
    const raw = Float32Array.from([1e8, 1, 1, 2, 1, 3, /* row 1 */ -1, 0.5, 2 ** -20, 0, 2 ** -20, 0.25]);
    expect(Array.from(sumChunks(raw, 2, 3, 2))).toEqual([1e8 + 2, 6, -1 + 2 ** -19, 0.75]);
    expect(chunksOf(1)).toBe(1);
    expect(chunksOf(PATH_CHUNK)).toBe(1);
    expect(chunksOf(PATH_CHUNK + 1)).toBe(2);
  });

  it.skipIf(noGpu())('with 2 full chunks and a partial one: the profile, Euler and counterparty figures match the host\'s f64 figures from the device values', async () => {
    expect(chunksOf(2 * PATH_CHUNK + 37)).toBe(3);
    // CP0024: an uncollateralised and a collateralised set (the counterparty accumulator); NS-CP0005-1: a CSA set,
    // given 2m of IM held
    const chosen = new Set(portfolio.nettingSets.filter((n) => n.counterpartyId === 'CP0024' || n.nettingSetId === 'NS-CP0005-1').map((n) => n.nettingSetId));
    const book: Portfolio = {
      ...portfolio,
      nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)).map((n) => (n.nettingSetId === 'NS-CP0005-1' ? { ...n, initialMarginHeld: 2e6 } : n)),
      trades: portfolio.trades.filter((t) => chosen.has(t.nettingSetId)),
    };
    const options: SimulationOptions = {
      paths: 2 * PATH_CHUNK + 37,
      seed: 9,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 4, unit: 'Y' }] },
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
    };
    const run = async (threads: number, extra: Partial<SimulationOptions> = {}) => {
      const valuation = new GpuSetValuation(ctx!);
      const simulate = Object.assign((...a: Parameters<typeof valuation.simulate>) => valuation.simulate(...a), { deviceValuation: valuation });
      const result = await runSimulation({ portfolio: book, market, marketFile: path.join(DEMO, 'market.yaml'), options: { ...options, ...extra, threads, pathSimulator: simulate } });
      return { result, routing: valuation.routing, stats: valuation.stats };
    };
    const host = await run(1, { cube: true }); // the values route: the host's f64 figures from the device's values
    const device = await run(1);
    expect(device.routing.figures!.length).toBe(chosen.size);
    // 3 chunks: 12 sums per exposure date and chunk, a PFE per date, 2 sums per trade, date and chunk, 3 in the set
    // holding IM (256-byte parts)
    const nExp = host.result.nettingSets[0]!.profile.dateIndex.length;
    const imTrades = book.trades.filter((t) => t.nettingSetId === 'NS-CP0005-1').length;
    expect(device.stats.figuresBytes).toBeLessThanOrEqual(4 * (12 * 3 * nExp * chosen.size + nExp * chosen.size + 2 * 3 * nExp * book.trades.length + 3 * nExp * imTrades) + 3 * 256 * chosen.size);
    // the same bits with the tables built on 2 worker threads; there every set takes the figures route, so the paths
    // never come to the host: the workers build the node tables on the device's state ranges (kernels.ts stateRanges)
    const two = await run(2);
    expect(device.stats.pathsCopied).toBe(true); // one thread: the host copy at the simulation
    expect(two.stats.pathsCopied).toBe(false);
    // and later sets' tables were packed into buffers this thread had uploaded and handed back (tableMemory.ts), with
    // the same bits
    expect(two.stats.tableBuffersReused).toBeGreaterThan(0);
    two.result.nettingSets.forEach((g, i) => {
      for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeStdError'] as const) expect(Array.from(g.profile[key])).toEqual(Array.from(device.result.nettingSets[i]!.profile[key]));
      expect(Array.from(g.tradeEpe)).toEqual(Array.from(device.result.nettingSets[i]!.tradeEpe));
    });
    // Tolerance: as the figures route test above (2e-5 of the set's scale for the profile, 1e-3 for Euler); the f32
    // sums now run over 4096 paths at most (64 per invocation, then a tree of 6), not over all 8,229.
    const discount = market.discountCurve(market.baseCurrency);
    let worst = 0;
    let worstEuler = 0;
    let checkedCollateralised = 0;
    host.result.nettingSets.forEach((h, i) => {
      const g = device.result.nettingSets[i]!;
      let scale = 0;
      for (let k = 0; k < h.profile.epe.length; k++) scale = Math.max(scale, h.profile.epe[k]! + h.profile.ene[k]! + Math.abs(h.profile.collateral[k]!));
      expect(scale).toBeGreaterThan(1e4);
      const bound = 2e-5 * scale + 1e-6;
      for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeStdError', 'epeVm', 'collateralVm'] as const) {
        h.profile[key].forEach((v, k) => {
          const b = key === 'pfe' ? bound / discount.discount(h.profile.times[k]!) : bound;
          const diff = Math.abs(g.profile[key][k]! - v);
          worst = Math.max(worst, diff / b);
          expect(diff, `${h.nettingSetId} ${key}[${k}]`).toBeLessThanOrEqual(b);
        });
      }
      // Euler, per trade (4e-3 of the scale, as above) and the sum identity. Collateralised sets: the pro-rata weight
      // 1 − C/V is bounded by 101 (euler.ts, |V| > 1% of |C|), so f32's rounding of V (a few u of the set's gross)
      // moves a weight by at most ~101·that. Before that bound, with ORE's absolute limit (1 unit) alone, single
      // trades' contributions of NS-CP0024-2 here were off by up to 3.7% of the set's scale (weights of order C/V on
      // paths with |V| just above 1), their sum exact.
      worstEuler = Math.max(worstEuler, expectEulerMatches(g, h, scale));
      const set = book.nettingSets.find((n) => n.nettingSetId === h.nettingSetId)!;
      if (set.csa || (set.initialMarginHeld ?? 0) > 0) checkedCollateralised++;
    });
    expect(checkedCollateralised).toBeGreaterThan(1);
    const at = host.result.counterparties.findIndex((c) => c.counterpartyId === 'CP0024');
    const hc = host.result.counterparties[at]!;
    const gc = device.result.counterparties[at]!;
    let cpScale = 0;
    for (let k = 0; k < hc.epe.length; k++) cpScale = Math.max(cpScale, hc.epe[k]! + hc.ene[k]!);
    for (const key of ['epe', 'ene', 'pfe'] as const) {
      Array.from(hc[key]!).forEach((v, k) => expect(Math.abs(gc[key]![k]! - v), `CP0024 ${key}[${k}]`).toBeLessThanOrEqual((2e-5 * cpScale + 1e-6) / discount.discount(host.result.nettingSets[0]!.profile.times[k]!)));
    }
    console.log(`GPU figures route, 3 chunks of paths: worst |Δ| is ${(100 * worst).toFixed(1)}% of the profile bound, ${(100 * worstEuler).toFixed(1)}% of the Euler bound`);
    expect(worst).toBeGreaterThan(0);
  }, 120_000);
});

describe('GPU backend in shards', () => {
  // under rng sobol every shard draws the whole book's Sobol slots on the device (as the CPU's shards do)
  it.skipIf(noGpu()).each(['philox', 'sobol'] as const)('3 shards on the device + merge (rng %s): the single GPU run\'s tables, cube and manifest (routing note included)', async (rng) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-gpu-shards-'));
    try {
      const common = {
        ...(rng === 'sobol' ? { rng } : {}),
        portfolioDir: DEMO,
        marketFile: path.join(DEMO, 'market.yaml'),
        paths: 64,
        seed: 12,
        grid: { kind: 'list' as const, tenors: [{ count: 3, unit: 'M' as const }, { count: 1, unit: 'Y' as const }, { count: 3, unit: 'Y' as const }, { count: 10, unit: 'Y' as const }] },
        threads: 1,
        antithetic: false,
        pfeQuantile: 0.95,
        skipUnsupported: false,
        cube: true,
        format: 'arrow' as const,
      };
      // a fresh backend per run: its notes end with that run's routing
      const gpu = () => selectBackend('gpu', { allowSoftware: true });
      const single = path.join(tmp, 'single');
      const one = await gpu();
      try {
        await simulateToFiles({ ...common, outDir: single, backend: one });
      } finally {
        one.close();
      }
      const shards = path.join(tmp, 'shards');
      for (const k of [1, 2, 3]) {
        const backend = await gpu();
        try {
          const run = await simulateShardToFiles({ ...common, outDir: shards, backend, shard: { index: k, count: 3, source: 'flag' } });
          expect(run.plan.nettingSetIds.length).toBeGreaterThan(0);
          expect(run.plan.nettingSetIds.length).toBeLessThan(portfolio.nettingSets.length);
        } finally {
          backend.close();
        }
      }
      const merged = path.join(tmp, 'merged');
      await mergeShards(shards, merged);
      const manifest = JSON.parse(fs.readFileSync(path.join(merged, 'manifest.json'), 'utf8')) as { options: { backend: string; backendNotes: string[] } };
      expect(manifest.options.backend).toBe('gpu');
      expect(manifest.options.backendNotes.at(-1)).toMatch(/^GPU valuation: \d+ of 60 netting sets valued on the device/);
      expect(expectSameOutputs(single, merged)).toEqual(['cube.arrow', 'exposure_book.arrow', 'exposure_counterparty.arrow', 'exposure_netting_set.arrow', 'exposure_trade.arrow', 'manifest.json', 'netting_set_summary.arrow']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
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

  it('default threads: every core on the CPU backend, at most GPU_HOST_THREADS on the GPU backend', () => {
    expect(defaultThreads('cpu', 16)).toBe(16);
    expect(defaultThreads('gpu', 16)).toBe(GPU_HOST_THREADS);
    expect(GPU_HOST_THREADS).toBe(10);
    expect(defaultThreads('gpu', 2)).toBe(2);
    expect(defaultThreads('gpu', 0)).toBe(1);
  });

  it('cpu needs no adapter and no webgpu package', async () => {
    const cpu = await selectBackend('cpu', { allowSoftware: false });
    expect(cpu.name).toBe('cpu');
    expect(cpu.pathSimulator).toBeUndefined();
  });
});

/**
 * The 6-point stencil of ratePool.ts: first node and weights of x on the grid (x0, h) (a second implementation, from
 * the Lagrange formula Π_{j≠i}(u − j)/(i − j), so the test does not reuse the code it checks), and into `dw` the
 * weights' derivatives in u (= in s = (x − x0)/h): Σ_{m≠i} Π_{j≠i,m}(u − j)/(i − j).
 */
function lagrange(x: number, x0: number, h: number, w: Float64Array, dw?: Float64Array): number {
  const s = (x - x0) / h;
  const c = Math.min(Math.max(Math.floor(s), 2), 64 - 4);
  const u = s - c;
  for (let i = 0; i < 6; i++) {
    let num = 1;
    let den = 1;
    let dnum = 0;
    for (let j = 0; j < 6; j++) {
      if (j === i) continue;
      dnum = dnum * (u - (j - 2)) + num; // product rule, term by term
      num *= u - (j - 2);
      den *= i - j;
    }
    w[i] = num / den;
    if (dw) dw[i] = dnum / den;
  }
  return c - 2;
}

/**
 * V(p) from the exported tables in f64, the gross magnitude Σ_pools FX·(Σ_k |w_k·n_k| + Σ_q Σ_m |c_qm|·|Δ|^m·Σ_k
 * |w_k·r_qk|) the f32 error bound is relative to (r_q: group q's function, c_qm its Taylor coefficients), and the
 * device's per-path f32 bound (K_VALUE below): K_VALUE·u·gross plus the cell-position term δs·Σ_pools FX·(Σ_k
 * |w'_k·n_k| + Σ_q Σ_m |c_qm|·|Δ|^m·Σ_k |w'_k·r_qk|) (w' = ∂w/∂s), δs = u·((|x0| +
 * |x − x0|)/h + 3|s|) the f32 error of s = (x − x0)/h (x0 and h rounded once, the subtraction, the division).
 * A pool given as moments (t.order[i] = k ≥ 1) has node values Σ_m M_m·y_g^m (stateGrid.ts momentNodes, in f64 here);
 * the device's node g, from the moments rounded to f32 (u each), y_g = (g − 31.5)·h (2u) and Horner's k − 1 products
 * and sums, is off by at most (4k + 2)·u·Σ_m |M_m|·|y_g|^m (the m-th power's 2m·u included), which the stencil
 * carries into V as Σ_k |w_k|·that (for a group, times |c_m·Δ^m|): the `expansion` term of the bound, beside the
 * node values' own rounding in K_VALUE. `momentF64`: how far the f64 node values from moments may lie from the CPU
 * kernel's (its recurrence or its own moments): the truncation (MOMENT_TOLERANCE) and the f64 rounding of the moments
 * and of Horner ((2k + 2)·2^-53) of the terms' size on the grid, momentScale, through the stencil (Σ|w_k|, for a
 * group times |c_m·Δ^m|).
 */
function fromTables(t: RatePoolNodeTables, d: number, paths: SimulatedPaths, p: number): { value: number; gross: number; bound: number; momentF64: number; swaptionGrid: number } {
  const n = paths.nPaths;
  const G = t.gridNodes;
  const w = new Float64Array(6);
  const dw = new Float64Array(6);
  let value = 0;
  let gross = 0;
  let position = 0;
  let expansion = 0;
  let momentF64 = 0;
  let maskBound = 0; // Σ_pools |FX·v| where the device's f32 exercise may differ, and its drawn fixing state's error
  let swaptionGrid = 0; // the CPU kernel's state-grid error on swaptions before expiry (lgm legs: exact here)
  // a function's node values (expanded from its moments where it has them) and each node's expansion error bound
  const fnNodes = new Float64Array(G);
  const fnError = new Float64Array(G);
  const functionAt = (source: Float64Array, offset: number, order: number, h: number): void => {
    if (order === 0) {
      fnNodes.set(source.subarray(offset, offset + G));
      fnError.fill(0);
      return;
    }
    momentNodes(source, offset, order, h, fnNodes, 0);
    for (let g = 0; g < G; g++) {
      const y = Math.abs((g - GRID_CENTRE) * h);
      let size = 0;
      for (let m = order - 1; m >= 0; m--) size = size * y + Math.abs(source[offset + m]!);
      fnError[g] = (4 * order + 2) * U * size;
    }
  };
  for (let i = 0; i < t.irIndex.length; i++) {
    const xs = (t.creditState[i] === 1 ? paths.creditState : paths.irState)[t.irIndex[i]!]!;
    const x = xs[d * n + p]!;
    const x0 = t.x0[i]!;
    const h = t.h[i]!;
    const order = t.order[i]!;
    const b = lagrange(x, x0, h, w, dw);
    const fx = t.fxIndex[i]! < 0 ? 1 : Math.exp(paths.fxLog[t.fxIndex[i]!]![d * n + p]!);
    const ds = U * ((Math.abs(x0) + Math.abs(x - x0)) / h + 3 * Math.abs((x - x0) / h));
    let v = 0;
    let g = 0;
    let slope = 0;
    let ex = 0;
    let reach = 1; // 1 + Σ_q Σ_m |c_qm·Δ^m|: how much of the functions' errors reach V
    functionAt(t.nodes, i * G, order, h);
    for (let k = 0; k < 6; k++) {
      v += w[k]! * fnNodes[b + k]!;
      g += Math.abs(w[k]! * fnNodes[b + k]!);
      slope += Math.abs(dw[k]! * fnNodes[b + k]!);
      ex += Math.abs(w[k]!) * fnError[b + k]!;
    }
    // a masked pool (a physically settled swaption's underlying after expiry) counts where the state at expiry lies in
    // an open exercise interval: on a grid date (s = 0) x_e, else X = x_e + β·(x_next − x_e) + s·z drawn from the bridge
    // with z the path's exercise draw, written out here from its definition (word 0 of Philox at counter (global path,
    // stream, 0, "EXER") through Φ⁻¹; not swaption.ts exerciseMask nor exerciseDraws.ts)
    let counts = 1;
    let countsError = 0; // 1 where the device's f32 X may fall on the other side of an end (it may count or not)
    let bridged = false;
    let xDrawn = 0; // X where bridged, and the device's f32 error of it
    let dxDrawn = 0;
    if (t.maskIndex[i]! >= 0) {
      const xe = xs[t.maskIndex[i]! * n + p]!;
      const sdE = t.maskSd[i]!;
      counts = 0;
      xDrawn = xe;
      if (sdE > 0) {
        bridged = true;
        const step = t.maskWeight[i]! * (xs[t.maskNext[i]! * n + p]! - xe);
        // the word of the path's own counter, or under antithetic paths an odd path's −z of its even partner's
        const global = paths.pathOffset + p;
        const mirrored = paths.antithetic === true && global % 2 === 1;
        philoxBlocks(mirrored ? global - 1 : global, 1, t.maskStream[i]!, 0, 0x45584552, 1, philoxRoundKeys(seedKey(paths.seed)), maskWords);
        const z = (mirrored ? -1 : 1) * inverseNormalCdf((maskWords[0]! + 0.5) / 4294967296);
        xDrawn = xe + step + sdE * z;
        // f32: m = x_e + β·Δx off by 4u·(|x_e| + |β·Δx|) (β rounded, the difference, product and sum); s·z by the
        // device's normal (NORMAL_TOL·max(1, |z|)) and 2u of s and the product; the sum by u·|X|
        dxDrawn = 4 * U * (Math.abs(xe) + Math.abs(step)) + sdE * (NORMAL_TOL * Math.max(1, Math.abs(z)) + 2 * U * Math.abs(z)) + U * Math.abs(xDrawn);
      }
      for (let r = t.maskStart[i]!; r < t.maskStart[i + 1]!; r++) {
        const lo = t.maskIntervals[2 * r]!;
        const hi = t.maskIntervals[2 * r + 1]!;
        if (xDrawn > lo && xDrawn < hi) counts = 1;
        // an end rounded to f32 (u·|end|) within the device's error of X
        for (const end of [lo, hi]) if (Number.isFinite(end) && Math.abs(xDrawn - end) <= dxDrawn + U * Math.abs(end)) countsError = 1;
      }
    }
    let drawnBound = 0; // Σ over the groups fixing on X: |T_q|·|g_q'(Δ)|·(the device's error of X)
    for (let q = t.groupStart[i]!; q < t.groupStart[i + 1]!; q++) {
      // group q: its function T_q at x times Δ·(c1 + Δ·(c2 + Δ·c3)), written as Σ_m c_m·Δ^m·T_q
      // the coupons fixing at the mask's grid index fix on the state drawn at expiry (ratePool.ts addFixingShift; their
      // growth at its ζ is in the tables, applyFixingGrowth)
      const drawnFix = bridged && t.groupFix[q] === t.maskIndex[i];
      const delta = x - (drawnFix ? xDrawn : xs[t.groupFix[q]! * n + p]!);
      let tv = 0;
      let tg = 0;
      let ts = 0;
      let te = 0;
      functionAt(t.runNodes, q * G, order, h);
      for (let k = 0; k < 6; k++) {
        const node = fnNodes[b + k]!;
        tv += w[k]! * node;
        tg += Math.abs(w[k]! * node);
        ts += Math.abs(dw[k]! * node);
        te += Math.abs(w[k]!) * fnError[b + k]!;
      }
      let dm = 1;
      for (let m = 0; m < t.runningSlopes; m++) {
        dm *= delta;
        const c = t.groupCoef[q * t.runningSlopes + m]!;
        v += c * dm * tv;
        g += Math.abs(c * dm) * tg;
        slope += Math.abs(c * dm) * ts;
        ex += Math.abs(c * dm) * te;
        reach += Math.abs(c * dm);
      }
      if (drawnFix) {
        const c = t.groupCoef.subarray(q * t.runningSlopes, (q + 1) * t.runningSlopes);
        drawnBound += tg * Math.abs(c[0]! + delta * (2 * c[1]! + 3 * delta * c[2]!)) * dxDrawn;
      }
    }
    maskBound += countsError * Math.abs(fx * v) + counts * Math.abs(fx) * drawnBound;
    value += counts * fx * v;
    gross += counts * fx * g;
    position += counts * fx * ds * slope;
    expansion += counts * fx * ex;
    const wSum = Math.abs(w[0]!) + Math.abs(w[1]!) + Math.abs(w[2]!) + Math.abs(w[3]!) + Math.abs(w[4]!) + Math.abs(w[5]!);
    momentF64 += counts * fx * wSum * reach * t.momentScale[i]! * (MOMENT_TOLERANCE + (2 * order + 2) * 2 ** -53);
  }
  // leg entries (equity forwards' share parts, FX and equity options), from the DeviceLegEntry definition
  let legBound = 0;
  const stateOf = (t: RatePoolNodeTables['legs'][number]['termsA'][number]): number =>
    (t.kind === 'ir' ? paths.irState : t.kind === 'fx' ? paths.fxLog : paths.eqLog)[t.index]![t.grid * n + p]!;
  for (const leg of t.legs) {
    // ln-leg in f64, and its f32 error on the device: terms rounded and summed ((terms + 2)·u of Σ|terms|), then
    // e^x in WGSL within (3 + 2|x|) ulp: a relative error of the leg
    const logLeg = (c: number, terms: typeof leg.termsA) => {
      let x = c;
      let size = Math.abs(c);
      for (const term of terms) {
        x += term.coefficient * stateOf(term);
        size += Math.abs(term.coefficient * stateOf(term));
      }
      return { x, rel: (terms.length + 2) * U * size + (3 + 2 * Math.abs(x)) * U };
    };
    const A = logLeg(leg.constA, leg.termsA);
    const a = Math.exp(A.x);
    if (leg.kind === 'lgm') {
      // a swaption before expiry (swaption.ts deviceLeg), from the definition: Σ_r Σ_i C_i·e^{−a_i·x}·[Φ(y_hi + s_i) −
      // Φ(y_lo + s_i)], y = (end − x)/sd clamped to ±40, x = lnB (the state, coefficient 1), e^lnA the FX level
      const x = logLeg(leg.constB, leg.termsB).x;
      const data = leg.data!;
      const nBonds = data[0]!;
      const nIv = data[1]!;
      const iv0 = 2 + 3 * nBonds;
      let sum = 0;
      let size = 0; // Σ_i |C_i·e^{−a_i·x}|
      let bondErr = 0; // Σ_i |bond_i|·(its f32 relative error: C, a, x rounded, a·x, e^{·} within (3 + 2|a·x|) ulp, the product)
      for (let i = 0; i < nBonds; i++) {
        const bond = Math.abs(data[2 + 3 * i]! * Math.exp(-data[3 + 3 * i]! * x));
        size += bond;
        bondErr += bond * (6 + 2 * Math.abs(data[3 + 3 * i]! * x)) * U;
      }
      let ends = 0; // Σ_r of the intervals' finite ends' position errors in y: u·(|end| + |end − x|)/sd + u·|y| each
      if (leg.sd > 0) {
        for (let r = 0; r < nIv; r++) {
          const yLo = Math.max(-40, Math.min(40, (data[iv0 + 2 * r]! - x) / leg.sd));
          const yHi = Math.max(-40, Math.min(40, (data[iv0 + 2 * r + 1]! - x) / leg.sd));
          for (const [end, y] of [[data[iv0 + 2 * r]!, yLo], [data[iv0 + 2 * r + 1]!, yHi]] as const) {
            if (Math.abs(y) < 40) ends += U * ((Math.abs(end) + Math.abs(end - x)) / leg.sd + Math.abs(y));
          }
          for (let i = 0; i < nBonds; i++) {
            const bond = data[2 + 3 * i]! * Math.exp(-data[3 + 3 * i]! * x);
            const lo = yLo + data[4 + 3 * i]!;
            const hi = yHi + data[4 + 3 * i]!;
            sum += bond * (lo >= 0 ? normCdf(-lo) - normCdf(-hi) : normCdf(hi) - normCdf(lo));
          }
        }
      } else {
        for (let i = 0; i < nBonds; i++) sum += data[2 + 3 * i]! * Math.exp(-data[3 + 3 * i]! * x);
        sum = Math.max(sum, 0);
      }
      value += leg.scale * a * sum;
      gross += Math.abs(leg.scale) * a * size;
      // f32 on the device, per interval and bond: the bond's error, two Φ within 7.5e-8 (A&S 26.2.17) and their
      // rounding, the arguments' position error times Φ' ≤ 0.4 (both ends), and the sums' (nIv·nBonds + 2)·u; the FX
      // level's. Plus the CPU kernel's own state-grid error on the comparison's other side: it values a swaption on
      // its nodes (or band tables), within 2e-6 of the notional of the exact value (test/valuation.test.ts), and the
      // bonds' sizes sum to more than the notional (the notional's bond at the start and at the end).
      legBound +=
        Math.abs(leg.scale) * a * (Math.max(nIv, 1) * (bondErr + size * (2 * (7.5e-8 + 2 * U) + 0.4 * ends + (nIv * nBonds + 2) * U)) + Math.abs(sum) * A.rel) +
        SWAPTION_GRID_TOLERANCE * Math.abs(leg.scale) * a * size;
      swaptionGrid += SWAPTION_GRID_TOLERANCE * Math.abs(leg.scale) * a * size;
      continue;
    }
    let v: number;
    let b = 0;
    let relB = 0;
    if (leg.kind === 'linear') v = leg.scale * a;
    else {
      const B = logLeg(leg.constB, leg.termsB);
      b = Math.exp(B.x);
      relB = B.rel;
      if (leg.kind === 'exercised') {
        const E = logLeg(leg.constE, leg.termsE);
        v = leg.omega * E.x > 0 ? leg.scale * leg.omega * (a - b) : 0;
      } else if (leg.sd > 0) {
        const d1 = (A.x - B.x) / leg.sd + 0.5 * leg.sd;
        v = leg.scale * leg.omega * (a * normCdf(leg.omega * d1) - b * normCdf(leg.omega * (d1 - leg.sd)));
      } else v = leg.scale * Math.max(leg.omega * (a - b), 0);
    }
    value += v;
    gross += Math.abs(leg.scale) * (a + b);
    // legs' relative errors, Φ within 7.5e-8 (A&S 26.2.17) plus its f32 rounding, the products and the sum: 16u
    legBound += Math.abs(leg.scale) * (a * A.rel + b * relB + (a + b) * (7.5e-8 + 16 * U));
  }
  return { value, gross, bound: K_VALUE * U * gross + 1.01 * position + 1.01 * expansion + legBound + 1.01 * maskBound, momentF64, swaptionGrid };
}

/**
 * Netting sets of the demo book: `device` pooled-rate-only sets without CSA or IM; `csaExact` a pooled set under a CSA
 * with an MPoR and no MTA or rounding (its margin calls are continuous in V); `csaRounded` one with an MPoR, zero
 * thresholds and an MTA or rounding; `imOnly` a further pooled set without CSA, to be given IM held; `host` sets with
 * a product outside the rate pools (one under a CSA, one without).
 */
function pickSets(max: number): { device: string[]; csaExact?: string; csaRounded?: string; imOnly?: string; host: string[] } {
  const device: string[] = [];
  const host: string[] = [];
  const seenProducts = new Set<string>();
  let csaExact: string | undefined;
  let csaRounded: string | undefined;
  let imOnly: string | undefined;
  let csaHost = false;
  let option = false;
  for (const ns of portfolio.nettingSets) {
    const trades = portfolio.trades.filter((t) => t.nettingSetId === ns.nettingSetId);
    if (trades.length === 0 || trades.length > 25) continue;
    const pooled = trades.every((t) => DEVICE_PRODUCTS.has(t.product));
    const exact = ns.mtaCpty === 0 && ns.mtaBank === 0 && ns.rounding === 0;
    if (pooled && !ns.csa && !(ns.initialMarginHeld ?? 0)) {
      if (device.length < max && trades.some((t) => !seenProducts.has(t.product))) {
        device.push(ns.nettingSetId);
        for (const t of trades) seenProducts.add(t.product);
      } else imOnly ??= ns.nettingSetId;
    } else if (pooled && ns.csa && ns.marginPeriodOfRiskDays > 0) {
      if (exact) csaExact ??= ns.nettingSetId;
      else if (ns.thresholdCpty === 0 && ns.thresholdBank === 0) csaRounded ??= ns.nettingSetId;
    } else if (!pooled && ns.csa && !csaHost) {
      host.push(ns.nettingSetId);
      csaHost = true;
    } else if (!pooled && !ns.csa && !option) {
      host.push(ns.nettingSetId);
      option = true;
    }
  }
  return { device, ...(csaExact ? { csaExact } : {}), ...(csaRounded ? { csaRounded } : {}), ...(imOnly ? { imOnly } : {}), host };
}

/** IM held given to the `imOnly` set (collateral currency): a constant C that cuts its positive exposure. */
const IM_HELD = 2_000_000;

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
    let momentDates = 0;
    let nodeDates = 0;
    // both forms of the tables: moments where the span allows (every pool here), then node values everywhere
    for (const [id, span] of [...device.map((id) => [id, DEVICE_MOMENT_SPAN] as const), ...device.map((id) => [id, 0] as const)]) {
      setDeviceMomentSpan(span);
      onTestFinished(() => setDeviceMomentSpan(DEVICE_MOMENT_SPAN));
      const kernel = compileNettingSet(trades.filter((t) => t.nettingSetId === id), { ...ctx, nettingSetId: id });
      for (let d = 0; d < grid.dates.length; d++) {
        const tables = ratePoolNodeTables(kernel, d, paths)!;
        expect(tables).toBeDefined();
        kernel.valueAt(d, paths, out);
        if (tables.order.some((k) => k === 0)) nodeDates++;
        for (let p = 0; p < paths.nPaths; p++) {
          const { value, gross, momentF64, swaptionGrid } = fromTables(tables, d, paths, p);
          // same f64 formula, other summation order: rounding only (a few ulp of the gross), and where a pool is given
          // as moments their truncation and rounding (fromTables); a swaption (a cap's caplet) before expiry is its exact
          // LGM value in the tables and on the CPU's nodes or band tables: their state-grid error
          expect(Math.abs(value - out[p]!), `${id} d=${d} p=${p}`).toBeLessThanOrEqual(1e-12 * gross + 1e-9 + momentF64 + swaptionGrid);
          if (tables.order.some((k) => k > 0)) momentDates++;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    setDeviceMomentSpan(DEVICE_MOMENT_SPAN);
    // both forms were checked: pools given as moments and as node values
    expect(momentDates).toBeGreaterThan(0);
    expect(nodeDates).toBeGreaterThan(0);
    // an equity option struck at 0 is not exported (no log of its strike): no tables
    const eqOption = portfolio.trades.find((t): t is EquityOption => t.product === 'EQOPT' && t.expiryDate > market.asOf + 40)!;
    expect(eqOption).toBeDefined();
    const l2 = buildFactorLayout(market, factorNeeds([eqOption]));
    const m2 = buildCrossAssetModel(market, l2);
    const k2 = compileNettingSet([{ ...eqOption, strike: 0 }], { market, model: valuationModelOf(m2), grid, nettingSetId: 'x' });
    expect(ratePoolNodeTables(k2, 1, simulatePaths(m2, grid, 5, 0, 8, { antithetic: false }))).toBeUndefined();
  });

  it('packKernelTables writes what a packing from the layout\'s definition makes of ratePoolNodeTables, bit for bit, for sets and single trades of every product', () => {
    // every set of the demo book with a device product only (swaptions, options, CDS, exercised swaptions included)
    const ids = portfolio.nettingSets.map((n) => n.nettingSetId).filter((id) => portfolio.trades.some((t) => t.nettingSetId === id) && portfolio.trades.every((t) => t.nettingSetId !== id || (DEVICE_PRODUCTS.has(t.product) && !(t.product === 'EQOPT' && t.strike <= 0))));
    const trades = portfolio.trades.filter((t) => ids.includes(t.nettingSetId));
    expect(new Set(trades.map((t) => t.product)).size).toBe(DEVICE_PRODUCTS.size);
    const layout = buildFactorLayout(market, factorNeeds(trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid('1M,6M,1Y,2Y,5Y,10Y,20Y', market.asOf);
    const paths = simulatePaths(model, grid, 5, 0, 32, { antithetic: false });
    const ctx = { market, model: valuationModelOf(model), grid, nettingSetId: '' };
    const factors = { fxFactor0: 5, eqFactor0: 9, creditFactor0: 15, numeraireFactor: 42 };
    const nDates = grid.dates.length;
    let slots = 0;
    let replayedTrades = 0;
    for (const id of ids) {
      const setTrades = trades.filter((t) => t.nettingSetId === id);
      // the set on every date, then each trade on its own (the figures route's Euler tables), in one packing
      const kernels = [compileNettingSet(setTrades, { ...ctx, nettingSetId: id }), ...setTrades.map((t) => compileNettingSet([t], { ...ctx, nettingSetId: id }))];
      const list = kernels.flatMap((kernel) => Array.from({ length: nDates }, (_, d) => ({ kernel, d })));
      const slotKernel = Int32Array.from(list, (s) => kernels.indexOf(s.kernel));
      const slotDate = Int32Array.from(list, (s) => s.d);
      const fused = packKernelTables(kernels, slotKernel, slotDate, paths, nDates, factors)!;
      const reference = packSetReference(list.map(({ kernel, d }) => ratePoolNodeTables(kernel, d, paths)!), Int32Array.from(list, (s) => s.d), nDates, factors, paths);
      expect(fused.nSlots).toBe(reference.nSlots);
      expect(fused.ints, id).toEqual(reference.ints);
      expect(fused.reals, id).toEqual(reference.reals);
      // one kernel for every slot (slotKernel undefined, as a set's own tables are packed): the set's slots of the above
      const setOnly = packKernelTables([kernels[0]!], undefined, slotDate.subarray(0, nDates), paths, nDates, factors)!;
      const setReference = packSetReference(list.slice(0, nDates).map(({ kernel, d }) => ratePoolNodeTables(kernel, d, paths)!), slotDate.subarray(0, nDates), nDates, factors, paths);
      expect(setOnly.ints, id).toEqual(setReference.ints);
      expect(setOnly.reals, id).toEqual(setReference.reals);
      // again in memory handed back dirty (tableMemory.ts: a worker packs into buffers the driving thread uploaded):
      // the same bits
      const dirty = [fused.ints.buffer, fused.reals.buffer, new ArrayBuffer(1 << 22)].map((b) => {
        const copy = new ArrayBuffer(b.byteLength);
        new Uint32Array(copy).fill(0x7fc00001);
        return copy;
      });
      const reused0 = tableMemory.reused;
      tableMemory.give(dirty);
      const again = packKernelTables(kernels, slotKernel, slotDate, paths, nDates, factors)!;
      expect(tableMemory.reused).toBeGreaterThan(reused0);
      expect(again.ints, id).toEqual(reference.ints);
      expect(again.reals, id).toEqual(reference.reals);
      // the trades compiled alone on the swap legs the set's compile recorded (compile.ts LegRecords, as the figures
      // route compiles them): the same bits
      const legRecords = new Map();
      const recorded = [compileNettingSet(setTrades, { ...ctx, nettingSetId: id, legRecords }), ...setTrades.map((t) => compileNettingSet([t], { ...ctx, nettingSetId: id, legRecords }))];
      replayedTrades += legRecords.size;
      const replayed = packKernelTables(recorded, slotKernel, slotDate, paths, nDates, factors)!;
      expect(replayed.ints, id).toEqual(reference.ints);
      expect(replayed.reals, id).toEqual(reference.reals);
      slots += list.length;
    }
    expect(slots).toBeGreaterThan(1000);
    expect(replayedTrades).toBeGreaterThan(20);
    // an equity option struck at 0: no tables either way
    const eqOption = portfolio.trades.find((t): t is EquityOption => t.product === 'EQOPT' && t.expiryDate > market.asOf + 40)!;
    const k2 = compileNettingSet([{ ...eqOption, strike: 0 }], { ...ctx, nettingSetId: 'x' });
    expect(packKernelTables([k2], undefined, Int32Array.of(1), paths, nDates, factors)).toBeUndefined();
  });
});

/**
 * Device valuation's f32 bound B_p per path (fromTables), relative to the gross magnitude G_p: node values rounded
 * once (u); Lagrange weights ≤ 6 roundings each and the 6-term dot products ≤ 6 (12u of Σ|w·n|); the running coupons'
 * Horner in Δ 6u; e^{ln X} in WGSL f32 within 3 + 2|ln X| ulp ≤ 13u (|ln X| ≤ 5); the FX product and the sum over
 * pools 3u: 35u, and the 17u the cell position was once given here kept as margin: K = 64. The cell position
 * s = (x − x0)/h is off by δs = u·((|x0| + |x − x0|)/h + 3|s|), which moves V by δs·|∂V/∂s| ≤ δs·Σ|w'·nodes| (to first
 * order; ×1.01 for the second): a term of its own, because |∂V/∂s| is not small against G_p where the net node
 * values cancel (a near-par swap a few days in: its legs' flows are large, their difference small), as a close-out
 * lag date two weeks in showed. B_p = K·u·G_p + 1.01·δs·D_p.
 * EPE/ENE: each path's term max(±V,0)/N adds 2u (1/N and the product) of |V|/N ≤ G/N, the 64-path workgroup tree 6u
 * and the f32 partial u: |ΔEPE| ≤ (1/n)·Σ_p (B_p + 9u·G_p)/N_p. PFE (host quantile of the device values): |ΔPFE| ≤
 * max_p B_p (a quantile is 1-Lipschitz in the sup norm). EEPE: ≤ max_k |ΔEPE_k|/P(0,t_k) (time averages and running
 * maxima are 1-Lipschitz).
 */
const K_VALUE = 64;
/**
 * The CPU kernels value a swaption before expiry on its pool's state grid (or band tables), within 2e-6 of the notional
 * of the exact conditional value (test/valuation.test.ts); the device values it exactly, so a comparison of the two
 * allows this much of the swaption's bonds' summed sizes.
 */
const SWAPTION_GRID_TOLERANCE = 2e-6;

describe('GPU valuation of every product: device values and reductions', () => {
  // both forms of the device's tables: moments where the span allows (the default: every pool here), node values
  // everywhere (span 0); the second on antithetic paths, where an odd path's exercise draw mirrors its partner's
  // (exerciseDraws.ts; wgsl/value.ts header word 11)
  it.skipIf(noGpu()).each([
    ['moments', DEVICE_MOMENT_SPAN, false],
    ['node values', 0, true],
  ] as const)('routing, per-path values on every valued date, EPE, ENE, PFE, collateral, EEPE and Euler against the CPU kernels on the same device paths (tables as %s, moment span %s, antithetic paths %s)', async (form, span, antithetic) => {
    setDeviceMomentSpan(span);
    onTestFinished(() => setDeviceMomentSpan(DEVICE_MOMENT_SPAN));
    const { device: plain, csaExact, csaRounded, imOnly } = pickSets(4);
    expect(plain.length).toBeGreaterThanOrEqual(2);
    // every product goes to the device now; an equity option struck at 0 keeps its set on the host (the kernel has no
    // log of its strike): the second demo set with an equity option, its strikes set to 0 below
    const withProduct = (product: string) =>
      portfolio.nettingSets.filter((ns) => {
        const trades = portfolio.trades.filter((t) => t.nettingSetId === ns.nettingSetId);
        return trades.length > 0 && trades.length <= 25 && trades.some((t) => t.product === product);
      });
    const host = [withProduct('EQOPT')[1]!.nettingSetId];
    expect([csaExact, csaRounded, imOnly].every((id) => id !== undefined)).toBe(true);
    // pooled sets with collateral go to the device too: a CSA without MTA/rounding, one with, and one with IM held only;
    // and the demo's sets with an equity forward and with an equity option (all under a CSA) for the leg entries
    // and a set with a CDS (its pool on the credit state)
    const equitySet = (product: string) => withProduct(product)[0]!.nettingSetId;
    const equities = [...new Set([equitySet('EQFWD'), equitySet('EQOPT'), equitySet('CDS')])].filter((id) => ![csaExact, csaRounded, imOnly, ...plain].includes(id));
    const underCsa = (id: string) => portfolio.nettingSets.find((ns) => ns.nettingSetId === id)!.csa;
    const collateralised = [csaExact!, csaRounded!, imOnly!, ...equities.filter(underCsa)];
    const device = [...plain, ...equities.filter((id) => !underCsa(id)), ...collateralised];
    const chosen = new Set([...device, ...host]);
    const firstFxOption = portfolio.trades.find((t): t is FxOption => t.product === 'FXOPT' && device.includes(t.nettingSetId) && t.expiryDate > market.asOf + 40);
    const book: Portfolio = {
      ...portfolio,
      nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)).map((n) => (n.nettingSetId === imOnly ? { ...n, initialMarginHeld: IM_HELD } : n)),
      // the first FX option of a device set delivers 400 days after its expiry, so that grid dates fall between:
      // there it is the exchange on the paths where it was exercised (an `exercised` leg entry)
      trades: portfolio.trades
        .filter((t) => chosen.has(t.nettingSetId))
        .map((t) => (t === firstFxOption ? { ...t, maturityDate: t.expiryDate + 400 } : t.product === 'EQOPT' && host.includes(t.nettingSetId) ? { ...t, strike: 0 } : t)),
    };
    const options: SimulationOptions = {
      paths: 256,
      seed: 9,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
      threads: 1,
      antithetic,
      pfeQuantile: 0.95,
      skipUnsupported: false,
    };
    const coverage = 1; // the engine's default, at which every run below is made
    // host valuation on the device's paths (the CPU kernels: the reference) ...
    let hostPaths: SimulatedPaths | undefined;
    const hostRun = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: async (m, g, seed, n, anti) => (hostPaths = await gpuSimulatePaths(ctx!, m, g, seed, n, anti)) } });
    // ... and the device valuation; its paths are the same bits (the same kernel, deterministic)
    const notes: string[] = [];
    // a storage binding of 100 paths: the device keeps 3 path blocks (100, 100, 56), valued block by block
    const nOut = hostPaths!.irState.length + hostPaths!.fxLog.length + hostPaths!.eqLog.length + hostPaths!.creditState.length + 1;
    const smallBinding: GpuContext = { ...ctx!, maxStorageBufferBindingSize: 100 * 4 * nOut * hostRun.grid.times.length };
    const valuation = new GpuSetValuation(smallBinding, (note) => notes.push(note));
    const captured = new Map<string, { values: Float32Array; gridIndex: Int32Array }>();
    const valueCounterparties = valuation.valueCounterparties.bind(valuation);
    valuation.valueCounterparties = async (uctx: UnitContext, cps: readonly UnitCounterparty[]) => {
      const result = await valueCounterparties(uctx, cps);
      for (const s of cps.flatMap((cp) => cp.sets)) {
        const pre = result.get(s.index);
        // copied: a worker thread may be handed the values' buffer
        if (pre) captured.set(s.nettingSet.nettingSetId, { values: pre.values.slice(), gridIndex: pre.gridIndex });
      }
      return result;
    };
    const simulate = Object.assign((...a: Parameters<typeof valuation.simulate>) => valuation.simulate(...a), { deviceValuation: valuation });
    const devRun = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: simulate } });
    const cpuRun = await runSimulation({ portfolio: book, market, options });

    // routing: exactly the pooled sets ran on the device, collateralised or not
    expect([...valuation.routing.device].sort()).toEqual([...device].sort());
    expect(valuation.routing.host.map((h) => h.nettingSetId).sort()).toEqual([...host].sort());
    expect(notes.join(' ')).toContain(`${device.length} of ${chosen.size} netting sets valued on the device (rate products, swaptions, FX and equity options, equity forwards, CDS; their values came back for the host's collateral, profile, PFE, Euler and totals)`);

    const paths = hostPaths!;
    const n = paths.nPaths;
    const grid = hostRun.grid;
    const nDates = grid.dates.length;
    const exposureDates = exposureDateIndices(grid);
    const model = buildCrossAssetModel(market, buildFactorLayout(market, factorNeeds(book.trades)));
    const discount = market.discountCurve(market.baseCurrency);
    const discountFactors = Float64Array.from(grid.times, (t) => discount.discount(t));
    const pathTol = nDates * (NORMAL_TOL + 60 * U); // the engine test's path bound (file header)
    let worstShare = 0; // device vs CPU kernels on the same paths
    let worstValueShare = 0; // per-path values only
    let beyondGross = 0; // values off by more than K·u·G_p (where the cell-position term is needed)
    let worstCpuShare = 0; // collateralised sets: device run vs the CPU backend
    let lagSlots = 0;
    let maskedSlots = 0; // slots with a physically settled swaption's underlying after expiry (a masked pool)
    let bridgedSlots = 0; // of those, with the expiry between grid dates (the exercise drawn on the device)
    let drawnFixings = 0; // of those, with coupons fixing on the drawn state (a fixing group at the mask's grid index)
    let nearExpiry = 0; // a swaption leg where the CPU kernels use band tables (√v below SWAPTION_BAND_SD_STEPS grid steps)
    let foreignSwaptionLegs = 0; // a swaption leg in another currency than the base (its FX level in lnA)
    let exercisedPaths = 0;
    let unexercisedPaths = 0;
    const legKinds = new Map<string, number>(); // leg entries valued on the device, by kind and by product
    const tableForms = new Map<string, number>(); // pools' tables given as moments or node values, rate or credit
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
      const ns: NettingSet = book.nettingSets.find((x) => x.nettingSetId === g.nettingSetId)!;
      const setTrades = book.trades.filter((t) => t.nettingSetId === g.nettingSetId);
      // the set on its collateral currency's curves, as the engine compiles it (unit.ts compileSet)
      const kernel = compileNettingSet(setTrades, { market, model: valuationModelOf(model), grid, nettingSetId: g.nettingSetId, collateralCurrency: ns.collateralCurrency });
      const { values, gridIndex } = captured.get(g.nettingSetId)!;
      const last = h.lastDateIndex;
      const withCsa = ns.csa && coverage > 0;
      const hasCollateral = withCsa || (ns.initialMarginHeld ?? 0) > 0;
      expect(hasCollateral).toBe(collateralised.includes(g.nettingSetId));

      // The valued dates: the exposure dates up to the last live date and, under a CSA with an MPoR, their close-out
      // lag dates (grid.lagIndex), built here from the grid independently of unit.ts datesToValue.
      const expected = new Set<number>();
      const lag = withCsa && ns.marginPeriodOfRiskDays > 0 ? grid.lagIndex.get(ns.marginPeriodOfRiskDays)! : undefined;
      for (const d of exposureDates) {
        if (d > last) continue;
        expected.add(d);
        if (lag) expected.add(lag[d]!);
      }
      expect(Array.from(gridIndex), `${g.nettingSetId} valued dates`).toEqual([...expected].sort((a, b) => a - b));
      if (lag) {
        const lagOnly = [...gridIndex].filter((d) => grid.exposureDate[d] !== 1).length;
        expect(lagOnly, `${g.nettingSetId}: close-out lag dates off the exposure dates are valued`).toBeGreaterThan(0);
        lagSlots += lagOnly;
      }

      // (a) V on every valued date within B_p of the CPU kernel on the same paths; G_p and B_p kept per slot and path
      const gross = new Float64Array(gridIndex.length * n);
      const valueBound = new Float64Array(gridIndex.length * n);
      gridIndex.forEach((d, j) => {
        const tables = ratePoolNodeTables(kernel, d, paths)!;
        tables.order.forEach((k, i) => tableForms.set(`${k > 0 ? 'moments' : 'nodes'} ${tables.creditState[i] === 1 ? 'credit' : 'ir'}`, (tableForms.get(`${k > 0 ? 'moments' : 'nodes'} ${tables.creditState[i] === 1 ? 'credit' : 'ir'}`) ?? 0) + 1));
        tables.maskIndex.forEach((m, i) => {
          if (m < 0) return;
          maskedSlots++;
          if (tables.maskSd[i]! > 0) bridgedSlots++;
          for (let q = tables.groupStart[i]!; q < tables.groupStart[i + 1]!; q++) if (tables.maskSd[i]! > 0 && tables.groupFix[q] === m) drawnFixings++;
          // paths in and out of the exercise region: the mask is not trivially 0 or 1 on these paths
          const xs = paths.irState[tables.irIndex[i]!]!;
          for (let p = 0; p < n; p++) {
            let inside = false;
            for (let r = tables.maskStart[i]!; r < tables.maskStart[i + 1]!; r++) inside ||= xs[m * n + p]! > tables.maskIntervals[2 * r]! && xs[m * n + p]! < tables.maskIntervals[2 * r + 1]!;
            if (inside) exercisedPaths++;
            else unexercisedPaths++;
          }
        });
        for (const leg of tables.legs) {
          legKinds.set(leg.kind, (legKinds.get(leg.kind) ?? 0) + 1);
          if (leg.kind === 'lgm') {
            const spec = new Float64Array(2);
            stateGridFor(paths.irState[leg.termsB[0]!.index]!, d * n, n, spec);
            if (leg.sd < SWAPTION_BAND_SD_STEPS * spec[1]!) nearExpiry++;
            if (leg.termsA.length > 0) foreignSwaptionLegs++;
          }
        }
        kernel.valueAt(d, paths, row);
        for (let p = 0; p < n; p++) {
          const f = fromTables(tables, d, paths, p);
          gross[j * n + p] = f.gross;
          valueBound[j * n + p] = f.bound;
          const dv = Math.abs(values[j * n + p]! - row[p]!);
          const bound = f.bound + 1e-30;
          worstShare = Math.max(worstShare, dv / bound);
          worstValueShare = Math.max(worstValueShare, dv / bound);
          if (dv > K_VALUE * U * f.gross) beyondGross++;
          expect(dv, `${g.nettingSetId} V d=${d} p=${p}`).toBeLessThanOrEqual(bound);
        }
      });

      if (hasCollateral) {
        // (b) the profile is the host's computeCollateral + computeProfile of the device values: the same operations
        // on the same f32-valued inputs (the engine's tracker and profile pass), so tolerance 0.
        const values64 = new Float64Array(nDates * n);
        gridIndex.forEach((d, j) => {
          for (let p = 0; p < n; p++) values64[d * n + p] = values[j * n + p]!;
        });
        const collateral = new Float64Array(nDates * n);
        const imHeld = computeCollateral(
          ns,
          values64,
          grid,
          n,
          { coverage, fxToBase: market.fxSpot(ns.collateralCurrency, market.baseCurrency), initialMargin: ns.initialMarginHeld ?? 0, lastDateIndex: Math.max(last, 0), exposureRowsOnly: true },
          collateral,
        );
        const maturity = Math.max(...setTrades.map(tradeMaturity));
        const reference = computeProfile(
          { nettingSetId: ns.nettingSetId, counterpartyId: ns.counterpartyId, grid, nPaths: n, values: values64, numeraire: paths.numeraire, discountFactors, collateral, initialMarginHeld: imHeld, maturity, lastDateIndex: last },
          { pfeQuantile: options.pfeQuantile, antithetic: paths.antithetic === true },
        );
        for (const key of ['epe', 'ene', 'collateral', 'pfe', 'ee', 'eee', 'epeStdError'] as const) {
          expect(Array.from(g.profile[key]), `${g.nettingSetId} ${key} = host figures of the device values`).toEqual(Array.from(reference[key]));
        }
        expect(g.profile.eepe).toBe(reference.eepe);
        expect(g.profile.epe1y).toBe(reference.epe1y);
        let maxCollateral = 0;
        for (const c of g.profile.collateral) maxCollateral = Math.max(maxCollateral, Math.abs(c));
        expect(maxCollateral, `${g.nettingSetId} holds collateral`).toBeGreaterThan(0);
        if (ns.csa && !(ns.mtaCpty === 0 && ns.mtaBank === 0 && ns.rounding === 0)) {
          // MTA/rounding: C jumps by a rounding multiple or an MTA when V crosses a step, so a |ΔV| of K·u·G can move C
          // by a step on a path that sits within it: no bound in |ΔV| against the CPU kernels; (a) and (b) check it.
          return;
        }
      }

      // Against the CPU kernels on the same paths (hostRun). E = V − C with, for the exact CSA (no MTA, no rounding,
      // daily calls), C(t) = cov·(max(x − TH_c, 0) − max(−x − TH_b, 0)), x = V(τ) + IA, τ the last call date on or
      // before t's close-out lag date (the same calendar dates in both runs): 1-Lipschitz in V(τ) times cov, so per path
      // |ΔE(t)| ≤ B_p(t) + cov·max_{s ≤ t valued} B_p(s), and |ΔC(t)| the second term. IM held is the same
      // constant in both runs (ΔC = 0). EPE, ENE, collateral (means of ±E/N, C/N) and PFE (a quantile of max(E, 0)) are
      // 1-Lipschitz in these per-path bounds. The uncollateralised sets' device sums add 9u (the EPE bound at K_VALUE).
      const csaFactor = withCsa ? coverage : 0;
      const extra = hasCollateral ? 0 : 9;
      let flips = 0;
      let eeBound = 0; // max_k of the EPE bound / P(0, t_k): the EEPE and EPE-1Y bound
      const boundEpe = new Float64Array(exposureDates.length);
      const boundColl = new Float64Array(exposureDates.length);
      const boundSoFar = new Float64Array(n); // max over the valued dates up to t of B_p
      let scaleV = 0; // S_V = max_t E[|V|/N], the gross scale of the set's value (not of V − C, which C shrinks)
      let deflatorRatio = 1; // max over paths and dates of N_p(lag(t))/N_p(t)
      let j = 0;
      exposureDates.forEach((d, k) => {
        if (d > last) return;
        for (; j < gridIndex.length && gridIndex[j]! <= d; j++) for (let p = 0; p < n; p++) boundSoFar[p] = Math.max(boundSoFar[p]!, valueBound[j * n + p]!);
        const slot = gridIndex.indexOf(d);
        kernel.valueAt(d, paths, row);
        let maxBound = 0;
        let meanAbs = 0;
        for (let p = 0; p < n; p++) {
          const invN = 1 / paths.numeraire[d * n + p]!;
          const bp = valueBound[slot * n + p]!;
          if (values[slot * n + p]! > 0 !== row[p]! > 0) flips++;
          boundEpe[k] += ((bp + extra * U * gross[slot * n + p]! + csaFactor * boundSoFar[p]!) * invN) / n;
          boundColl[k] += (csaFactor * boundSoFar[p]! * invN) / n;
          maxBound = Math.max(maxBound, bp + csaFactor * boundSoFar[p]!);
          meanAbs += (Math.abs(values[slot * n + p]!) * invN) / n;
          if (lag) deflatorRatio = Math.max(deflatorRatio, paths.numeraire[lag[d]! * n + p]! * invN);
        }
        scaleV = Math.max(scaleV, meanAbs);
        expect(Math.abs(g.profile.epe[k]! - h.profile.epe[k]!), `${g.nettingSetId} EPE[${k}]`).toBeLessThanOrEqual(boundEpe[k]!);
        expect(Math.abs(g.profile.ene[k]! - h.profile.ene[k]!), `${g.nettingSetId} ENE[${k}]`).toBeLessThanOrEqual(boundEpe[k]!);
        expect(Math.abs(g.profile.collateral[k]! - h.profile.collateral[k]!), `${g.nettingSetId} collateral[${k}]`).toBeLessThanOrEqual(boundColl[k]!);
        expect(Math.abs(g.profile.pfe[k]! - h.profile.pfe[k]!), `${g.nettingSetId} PFE[${k}]`).toBeLessThanOrEqual(maxBound);
        worstShare = Math.max(worstShare, Math.abs(g.profile.epe[k]! - h.profile.epe[k]!) / Math.max(boundEpe[k]!, 1e-300));
        eeBound = Math.max(eeBound, boundEpe[k]! / discount.discount(g.profile.times[k]!));
      });
      expect(Math.abs(g.profile.eepe - h.profile.eepe), `${g.nettingSetId} EEPE`).toBeLessThanOrEqual(eeBound);
      expect(Math.abs(g.profile.epe1y - h.profile.epe1y), `${g.nettingSetId} EPE 1Y`).toBeLessThanOrEqual(eeBound);

      // Against the CPU backend (f64 paths): the engine test's path bound 100·tol·S + 1e-6 on the deflated V (file
      // header), with S = S_V; through C it enters again, times cov and the deflator ratio N(τ)/N(t) (C(t)/N(t) reads
      // V(τ), τ = the lag date for these daily calls), plus the f32 bound on the same paths above. IM held is the same
      // amount in both runs, deflated by numeraires within the relative path tolerance: |Δ(IM/N)| ≤ tol·IM·E[1/N].
      const cpuSet = cpuRun.nettingSets[i]!;
      const pathBound = 100 * pathTol * scaleV + 1e-6;
      const imBase = coverage * (ns.initialMarginHeld ?? 0) * market.fxSpot(ns.collateralCurrency, market.baseCurrency);
      exposureDates.forEach((d, k) => {
        if (d > last) return;
        let meanInvN = 0;
        for (let p = 0; p < n; p++) meanInvN += 1 / paths.numeraire[d * n + p]! / n;
        const imTerm = 1.01 * pathTol * imBase * meanInvN; // 1.01: the device numeraire vs the CPU one, to first order
        const bound = (1 + deflatorRatio * csaFactor) * pathBound + boundEpe[k]! + imTerm;
        for (const key of ['epe', 'ene'] as const) {
          const diff = Math.abs(g.profile[key][k]! - cpuSet.profile[key][k]!);
          expect(diff, `${g.nettingSetId} ${key}[${k}] vs CPU backend`).toBeLessThanOrEqual(bound);
          if (hasCollateral) worstCpuShare = Math.max(worstCpuShare, diff / bound);
        }
        const boundC = deflatorRatio * csaFactor * pathBound + boundColl[k]! + imTerm;
        const diffC = Math.abs(g.profile.collateral[k]! - cpuSet.profile.collateral[k]!);
        expect(diffC, `${g.nettingSetId} collateral[${k}] vs CPU backend`).toBeLessThanOrEqual(boundC);
        if (withCsa) worstCpuShare = Math.max(worstCpuShare, diffC / boundC);
      });
      // Euler: weights 1{E>0}/(N·n) from the device values, trade values from the CPU kernel; with no path whose sign
      // differs between device and host values the weights are the same numbers, so the contributions are bit-identical
      if (!hasCollateral && flips === 0) expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
    });
    expect(lagSlots).toBeGreaterThan(0);
    expect(maskedSlots, 'an exercised physically settled swaption is valued on the device').toBeGreaterThan(0);
    expect(bridgedSlots, 'one expiring between grid dates: its exercise drawn on the device').toBeGreaterThan(0);
    expect(drawnFixings, 'its first coupons fixing on the drawn state').toBeGreaterThan(0);
    expect(nearExpiry, 'a swaption close to expiry (band tables on the CPU) is valued on the device by its per-path formula').toBeGreaterThan(0);
    expect(foreignSwaptionLegs, 'a swaption in a currency other than the base is valued on the device').toBeGreaterThan(0);
    expect(exercisedPaths).toBeGreaterThan(0);
    expect(unexercisedPaths).toBeGreaterThan(0);
    // every product the device values is in a device set
    const deviceProducts = new Set(book.trades.filter((t) => device.includes(t.nettingSetId)).map((t) => t.product));
    expect([...deviceProducts].sort()).toEqual([...DEVICE_PRODUCTS].sort());
    // FX/equity options before expiry (black), an FX option after expiry (exercised), equity forwards' share parts (linear)
    // and swaptions before expiry (lgm)
    for (const kind of ['black', 'exercised', 'linear', 'lgm']) expect(legKinds.get(kind) ?? 0, `${kind} leg entries on the device`).toBeGreaterThan(0);
    // the pools' tables reached the device in the form under test, rate and credit pools alike
    for (const state of ['ir', 'credit']) {
      expect(tableForms.get(`${form === 'moments' ? 'moments' : 'nodes'} ${state}`) ?? 0, `${state} pools as ${form}`).toBeGreaterThan(0);
      expect(tableForms.get(`${form === 'moments' ? 'nodes' : 'moments'} ${state}`) ?? 0, `${state} pools in the other form`).toBe(0);
    }

    // Coverage 0 with a variant at 1: the CSA sets are collateralised only in the variant, so their lag dates must still
    // be valued on the device (datesToValue reads the variants as the host does), and the variant's figures are bit for
    // bit the coverage-1 run's (SimulationOptions.coverageVariants: the same values re-aggregated). At coverage 0 their
    // base collateral is zero.
    const valuation0 = new GpuSetValuation(smallBinding);
    const simulate0 = Object.assign((m: Parameters<typeof valuation.simulate>[0], g: Parameters<typeof valuation.simulate>[1], seed: number, n: number, anti: boolean) => valuation0.simulate(m, g, seed, n, anti), { deviceValuation: valuation0 });
    const devRun0 = await runSimulation({ portfolio: book, market, options: { ...options, coverage: 0, coverageVariants: [coverage], pathSimulator: simulate0 } });
    expect([...valuation0.routing.device].sort()).toEqual([...device].sort());
    const variant = devRun0.coverageVariants![0]!;
    expect(variant.coverage).toBe(coverage);
    for (const id of collateralised) {
      const at1 = devRun.nettingSets.find((x) => x.nettingSetId === id)!;
      const fromVariant = variant.nettingSets.find((x) => x.nettingSetId === id)!;
      for (const key of ['epe', 'ene', 'collateral', 'pfe', 'epeStdError'] as const) expect(Array.from(fromVariant.profile[key]), `${id} ${key} at the coverage-1 variant`).toEqual(Array.from(at1.profile[key]));
      expect(Array.from(fromVariant.tradeEpe)).toEqual(Array.from(at1.tradeEpe));
      expect(Array.from(devRun0.nettingSets.find((x) => x.nettingSetId === id)!.profile.collateral).every((c) => c === 0)).toBe(true);
    }
    const products = [...new Set(book.trades.filter((t) => device.includes(t.nettingSetId)).map((t) => t.product))].sort();
    console.log(
      `GPU valuation vs CPU kernels on the same paths: worst |Δ| is ${(100 * worstShare).toFixed(2)}% of the stated f32 bound ` +
        `(values: ${(100 * worstValueShare).toFixed(2)}%, ${beyondGross} path-dates beyond K·u·G alone) ` +
        `(${device.length} device sets, ${lagSlots} lag-date slots: ${products.join(', ')}; collateralised: ${collateralised.join(', ')}); ` +
        `collateralised sets vs the CPU backend: worst ${(100 * worstCpuShare).toFixed(3)}% of the bound`,
    );
    expect(worstShare).toBeGreaterThan(0); // f32 on the device does differ: the comparison is not vacuous
  }, 120_000);
});
