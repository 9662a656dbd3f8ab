/**
 * The engine's fused valuation and Euler allocation (src/exposure/unit.ts): the base coverage's collateral is tracked
 * date by date alongside the valuation (CollateralTracker) and each exposure date's Euler allocation runs right after
 * its valuation, reading what the kernel kept from valueAt(d, paths, out, keep = true) (the pools' interpolation
 * stencils, the per-path trades' values) instead of computing it again. Both must give the very numbers of the
 * unfused route, so every comparison here has tolerance 0 (same operations on the same inputs, in the same order):
 * - CollateralTracker filled forwards into its own store equals computeCollateral (balances kept in the output array,
 *   filled backwards), on a weekly grid where an exposure date is also the close-out lag date of the next one (the
 *   aliasing the separate store exists for), with thresholds, MTAs, rounding, independent amounts and IM;
 * - on every netting set of a demo slice holding every product type the pricers on paths support, at every exposure
 *   date: valueAt(keep) + accumulateTradeWeighted equals a fresh kernel's valueAt + accumulateTradeWeighted, and a
 *   valueAt of another date in between drops what was kept (the allocation is then computed afresh, same bits).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCollateral, createCollateralTracker } from '../src/exposure/collateral.js';
import { factorNeeds } from '../src/exposure/engine.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { exposureDateIndices } from '../src/exposure/profiles.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { compileNettingSet, unsupportedReason } from '../src/exposure/valuation/index.js';
import { fromYmd } from '../src/conventions/dates.js';
import type { NettingSet } from '../src/portfolio/types.js';
import { tradeMaturity, type Trade } from '../src/products/types.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import { gridFromSpec, withCloseOutDates } from '../src/simulation/grid.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import type { TimeGrid } from '../src/simulation/types.js';

const DEMO = path.resolve('fixtures/demo');

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG: the test needs variety, not quality). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('CollateralTracker forwards = computeCollateral', () => {
  // Mondays one week apart; MPoR 5 business days: the lag date of week k is week k − 1, itself an exposure date.
  const monday = fromYmd(2024, 1, 8);
  const nDates = 30;
  const dates = Int32Array.from({ length: nDates }, (_, i) => monday + 7 * i);
  const grid: TimeGrid = {
    asOf: monday,
    dates,
    times: Float64Array.from(dates, (d) => (d - monday) / 365),
    exposureDate: new Uint8Array(nDates).fill(1),
    lagIndex: new Map([[5, Int32Array.from({ length: nDates }, (_, i) => Math.max(i - 1, 0))]]),
  };
  const base: NettingSet = {
    nettingSetId: 'NS_FUSED',
    counterpartyId: 'CP_FUSED',
    csa: true,
    thresholdCpty: 0,
    thresholdBank: 0,
    mtaCpty: 0,
    mtaBank: 0,
    independentAmountCpty: 0,
    independentAmountBank: 0,
    rounding: 0,
    marginPeriodOfRiskDays: 5,
    marginFrequencyDays: 1,
    imModel: 'none',
    collateralCurrency: 'EUR',
    cleared: false,
  };
  const cases: [string, Partial<NettingSet>, { coverage: number; initialMargin?: number; lastDateIndex?: number }][] = [
    ['exact calls', {}, { coverage: 1 }],
    ['thresholds, MTAs, rounding, IA', { thresholdCpty: 2e5, thresholdBank: 1e5, mtaCpty: 5e4, mtaBank: 2.5e4, rounding: 1e4, independentAmountCpty: 3e4 }, { coverage: 1 }],
    ['120% with IM, dies at 20', { mtaCpty: 1e4, mtaBank: 1e4, rounding: 5e3 }, { coverage: 1.2, initialMargin: 7.5e4, lastDateIndex: 20 }],
    ['weekly calls every 10 business days', { marginFrequencyDays: 10, mtaCpty: 1e4 }, { coverage: 0.5 }],
  ];
  for (const [name, overrides, options] of cases) {
    it(name, () => {
      const nPaths = 64;
      const random = lcg(name.length * 7919);
      const values = new Float64Array(nDates * nPaths);
      for (let p = 0; p < nPaths; p++) {
        let v = 0;
        for (let d = 0; d < nDates; d++) {
          v += (random() - 0.5) * 4e5;
          values[d * nPaths + p] = v;
        }
      }
      const ns = { ...base, ...overrides };
      const full = { fxToBase: 1.1, exposureRowsOnly: true, ...options };
      const reference = new Float64Array(values.length);
      const imReference = computeCollateral(ns, values, grid, nPaths, full, reference);

      const store = new Float64Array(values.length);
      const forward = new Float64Array(values.length);
      const tracker = createCollateralTracker(ns, grid, nPaths, full, store);
      for (let d = 0; d < nDates; d++) {
        tracker.advanceTo(d, values);
        tracker.fill(d, forward);
      }
      expect([...tracker.imHeld]).toEqual([...imReference]);
      expect(forward).toEqual(reference);
      // the case exercises margin calls: collateral is held on some paths and dates
      expect(reference.some((c) => c > 0)).toBe(true);
    });
  }
});

describe('kernels keep their per-path work for the Euler allocation of the same date', async () => {
  const { market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml'));
  const bySet = new Map<string, Trade[]>();
  for (const t of portfolio.trades) {
    if (unsupportedReason(t, market) !== undefined) continue;
    if (!bySet.has(t.nettingSetId)) bySet.set(t.nettingSetId, []);
    bySet.get(t.nettingSetId)!.push(t);
  }
  // Every product type at least once, in as few sets as possible (then a few more sets).
  const chosen = new Map<string, Trade[]>();
  const seen = new Set<string>();
  for (const [id, trades] of bySet) {
    if (trades.some((t) => !seen.has(t.product)) || chosen.size < 6) {
      chosen.set(id, trades);
      for (const t of trades) seen.add(t.product);
    }
  }
  const all = [...chosen.values()].flat();
  const layout = buildFactorLayout(market, factorNeeds(all));
  let lastMaturity = market.asOf;
  for (const t of all) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
  const grid = withCloseOutDates(gridFromSpec({ kind: 'default' }, market.asOf, lastMaturity), [10]);
  const model = buildCrossAssetModel(market, layout);
  const paths = simulatePaths(model, grid, 7, 0, 200, {});
  const view = valuationModelOf(model);
  const exposureDates = exposureDateIndices(grid);
  const n = paths.nPaths;

  it('covers every product type of the demo book', () => {
    expect([...seen].sort()).toEqual([...new Set(all.map((t) => t.product))].sort());
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });

  it('valueAt(keep) then accumulateTradeWeighted = the same without keep, bit for bit', () => {
    for (const [id, trades] of chosen) {
      const ctx = { market, model: view, grid, nettingSetId: id };
      const fused = compileNettingSet(trades, ctx);
      const plain = compileNettingSet(trades, ctx);
      const vFused = new Float64Array(n);
      const vPlain = new Float64Array(n);
      const wPos = new Float64Array(n);
      const wNeg = new Float64Array(n);
      for (const d of exposureDates) {
        if (d > fused.lastDateIndex) break;
        fused.valueAt(d, paths, vFused, true);
        plain.valueAt(d, paths, vPlain);
        expect(vFused).toEqual(vPlain);
        for (let p = 0; p < n; p++) {
          wPos[p] = vPlain[p]! > 0 ? 1 / n : 0;
          wNeg[p] = vPlain[p]! < 0 ? -1 / n : 0;
        }
        const epeFused = new Float64Array(trades.length);
        const eneFused = new Float64Array(trades.length);
        const epePlain = new Float64Array(trades.length);
        const enePlain = new Float64Array(trades.length);
        fused.accumulateTradeWeighted(d, paths, wPos, epeFused, wNeg, eneFused);
        plain.accumulateTradeWeighted(d, paths, wPos, epePlain, wNeg, enePlain);
        expect(epeFused).toEqual(epePlain);
        expect(eneFused).toEqual(enePlain);
      }
    }
  });

  it('a valueAt of another date in between drops what was kept', () => {
    for (const [id, trades] of chosen) {
      const ctx = { market, model: view, grid, nettingSetId: id };
      const kernel = compileNettingSet(trades, ctx);
      const fresh = compileNettingSet(trades, ctx);
      const live = exposureDates.filter((d) => d > 0 && d <= kernel.lastDateIndex);
      if (live.length < 2) continue;
      const [d1, d2] = [live[Math.floor(live.length / 2)]!, live[live.length - 1]!];
      const v = new Float64Array(n);
      const w = Float64Array.from({ length: n }, (_, p) => ((p % 3) - 1) / n);
      kernel.valueAt(d1, paths, v, true);
      kernel.valueAt(d2, paths, v);
      const after = new Float64Array(trades.length);
      kernel.accumulateTradeWeighted(d1, paths, w, after);
      const reference = new Float64Array(trades.length);
      fresh.accumulateTradeWeighted(d1, paths, w, reference);
      expect(after).toEqual(reference);
      // and the allocation is not trivially zero
      expect(reference.some((x) => x !== 0)).toBe(true);
    }
  });
});
