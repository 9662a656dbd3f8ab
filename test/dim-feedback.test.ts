/**
 * Dynamic IM fed back into the exposure engine as collateral held (SimulationOptions.initialMarginProfiles,
 * src/margin/dim.ts dynamicInitialMargin):
 * - engine level: an uncollateralised 5y swap with a hand-made IM profile X(t) (a step: the amount of the last IM date
 *   on or before t, 0 before the first): EPE(t) = E[max(V − X(t), 0)/N] recomputed from the path cube, ENE unchanged
 *   (segregated IM creates no negative exposure); the same figures bit for bit with worker threads (the profile
 *   travels with the work unit);
 * - end to end on a one-swap book with im_model simm: with the DIM held, EPE(t) ≤ EPE without at every date (IM ≥ 0 and
 *   max(V − X, 0) ≤ max(V, 0) path by path), and at t = 0, where V is the same on every path and the DIM equals today's
 *   SIMM by its scaling, EPE(0) falls by exactly today's SIMM (in the money swap: V(0) > SIMM).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { initialMarginOnGrid } from '../src/exposure/collateral.js';
import { runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import os from 'node:os';
import { loadSimulationInputs, simulateToFiles } from '../src/exposure/simulate.js';
import { loadMarket } from '../src/market/load.js';
import { dynamicInitialMargin, simmToday } from '../src/margin/dim.js';
import type { Market } from '../src/market/types.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import type { InterestRateSwap } from '../src/products/types.js';
import type { GridSpec } from '../src/simulation/grid.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { REPO_ROOT } from './helpers/paths.js';
import { runXva } from '../src/xva/run.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
const WORKER = path.join(REPO_ROOT, 'dist/src/exposure/worker.js');
let market: Market;

beforeAll(() => {
  // worker threads run the compiled engine (dist/), built before any test file runs (test/globalSetup.ts)
  expect(fs.existsSync(WORKER)).toBe(true);
  market = loadMarket(MARKET_FILE);
}, 300_000);

const START = fromYmd(2026, 7, 2);
const END = fromYmd(2031, 7, 2);

/** A 5y USD swap, 100m, paying (or receiving) fixed at `fixedRate`. */
function swap(id: string, nettingSetId: string, counterpartyId: string, fixedRate: number, direction: 'pay' | 'receive' = 'pay'): InterestRateSwap {
  const leg = { currency: 'USD' as const, notional: 1e8, startDate: START, maturityDate: END, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    tradeId: id, counterpartyId, nettingSetId, cleared: false, product: 'IRS', direction,
    fixedLeg: { ...leg, kind: 'fixed', fixedRate, frequency: '1Y', dayCount: '30/360' },
    floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
  };
}

function nettingSet(nettingSetId: string, counterpartyId: string, imModel: NettingSet['imModel']): NettingSet {
  return {
    nettingSetId, counterpartyId, csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel, collateralCurrency: 'USD', cleared: false,
  };
}

function book(trades: InterestRateSwap[], imModel: NettingSet['imModel']): Portfolio {
  const cps = [...new Set(trades.map((t) => t.counterpartyId))];
  return {
    trades,
    counterparties: cps.map((c) => ({ counterpartyId: c, name: c, sector: 'financial' as const, rating: 'A' as const, region: 'north_america' as const, qccp: false })),
    nettingSets: [...new Set(trades.map((t) => t.nettingSetId))].map((id) => nettingSet(id, trades.find((t) => t.nettingSetId === id)!.counterpartyId, imModel)),
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

const GRID: GridSpec = { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 3, unit: 'Y' }, { count: 4, unit: 'Y' }, { count: 5, unit: 'Y' }] };

const OPTIONS: SimulationOptions = {
  paths: 256,
  seed: 11,
  grid: GRID,
  threads: 1,
  antithetic: false,
  pfeQuantile: 0.95,
  skipUnsupported: false,
};

describe('IM profile on the grid', () => {
  it('a step: the amount of the last IM date on or before each grid date, 0 before the first', () => {
    const grid = { dates: Int32Array.of(100, 105, 110, 120, 130) } as unknown as TimeGrid;
    const x = initialMarginOnGrid('NS', { dates: Int32Array.of(103, 110, 125), amounts: Float64Array.of(7, 5, 2) }, grid);
    expect([...x]).toEqual([0, 7, 5, 5, 2]);
    expect(() => initialMarginOnGrid('NS', { dates: Int32Array.of(110, 110), amounts: Float64Array.of(1, 1) }, grid)).toThrow(/NS: the IM profile dates must increase/);
    expect(() => initialMarginOnGrid('NS', { dates: Int32Array.of(110), amounts: Float64Array.of(-1) }, grid)).toThrow(/NS: IM amount -1/);
  });
});

describe('engine with an IM profile per netting set', () => {
  it('EPE(t) = E[max(V − X(t), 0)/N] from the path cube, ENE unchanged; threads give the same bits', async () => {
    const p = book([swap('S1', 'NS1', 'CP1', 0.035)], 'none');
    const cubes = new Map<string | null, Float32Array>();
    let serials = new Int32Array(0);
    const run = (options: SimulationOptions) => {
      cubes.clear();
      return runSimulation({
        portfolio: p,
        market,
        marketFile: MARKET_FILE,
        options: { ...options, cube: true },
        onCube: (id, values, _n, dates) => {
          cubes.set(id, values.slice());
          serials = dates.slice();
        },
      });
    };
    const without = await run(OPTIONS);
    const values = cubes.get('NS1')!;
    const numeraire = cubes.get(null)!;
    const base = without.nettingSets[0]!.profile;
    const peak = Math.max(...base.epe);
    // X(t) by hand: none until day 10, then 60%, 40%, 10% of the peak EPE from days 10, 400 and 1100 on
    const asOf = market.asOf;
    const imDates = Int32Array.of(asOf + 10, asOf + 400, asOf + 1100);
    const imAmounts = Float64Array.of(0.6 * peak, 0.4 * peak, 0.1 * peak);
    const profiles = new Map([['NS1', { dates: imDates, amounts: imAmounts }]]);
    const withIm = await run({ ...OPTIONS, initialMarginProfiles: profiles });
    const profile = withIm.nettingSets[0]!.profile;
    const n = without.nPaths;
    let reduced = 0;
    for (let k = 0; k < profile.epe.length; k++) {
      let x = 0;
      for (let i = 0; i < imDates.length; i++) if (imDates[i]! <= serials[k]!) x = imAmounts[i]!;
      let expected = 0;
      for (let q = 0; q < n; q++) expected += Math.max(values[k * n + q]! - x, 0) / numeraire[k * n + q]!;
      expected /= n;
      // the cube is Float32 (relative rounding 6e-8 on V and N): 1e-6 of the scale of the exposure
      expect(Math.abs(profile.epe[k]! - expected), `date ${k}`).toBeLessThanOrEqual(1e-6 * (peak + x));
      // ENE is the set's own: the profile adds the IM back, (V − X) + X, which rounds to V within an ulp of X
      expect(Math.abs(profile.ene[k]! - base.ene[k]!), `ENE date ${k}`).toBeLessThanOrEqual(1e-15 * (peak + x) + 1e-12 * Math.abs(base.ene[k]!));
      if (x === 0) expect(profile.epe[k]).toBe(base.epe[k]);
      else if (profile.epe[k]! < base.epe[k]!) reduced++;
    }
    expect(profile.epe[0]).toBe(base.epe[0]); // today is before the first IM date
    expect(reduced).toBeGreaterThan(3);

    // worker threads (two counterparties, so two units): the profile reaches them with the task, same bits
    const two = book([swap('S1', 'NS1', 'CP1', 0.035), swap('S2', 'NS2', 'CP2', 0.03, 'receive')], 'none');
    const twoProfiles = new Map([...profiles, ['NS2', { dates: Int32Array.of(asOf), amounts: Float64Array.of(0.3 * peak) }]]);
    const options = { ...OPTIONS, initialMarginProfiles: twoProfiles };
    const inProcess = await runSimulation({ portfolio: two, market, options });
    const threaded = await runSimulation({ portfolio: two, market, marketFile: MARKET_FILE, options: { ...options, threads: 2 } });
    expect(threaded.threads).toBe(2);
    for (let s = 0; s < 2; s++) {
      const a = inProcess.nettingSets[s]!.profile;
      const b = threaded.nettingSets[s]!.profile;
      expect(Buffer.from(a.epe.buffer, a.epe.byteOffset, a.epe.byteLength).equals(Buffer.from(b.epe.buffer, b.epe.byteOffset, b.epe.byteLength))).toBe(true);
      expect([...a.collateral]).toEqual([...b.collateral]);
    }
    // and NS1 there is the single-set run's figure (a set's numbers depend only on itself and the paths)
    expect([...inProcess.nettingSets[0]!.profile.epe]).toEqual([...profile.epe]);
  }, 300_000);

  it('an IM profile for a netting set that is not in the portfolio is refused', async () => {
    const p = book([swap('S1', 'NS1', 'CP1', 0.035)], 'none');
    const initialMarginProfiles = new Map([['NOPE', { dates: Int32Array.of(market.asOf), amounts: Float64Array.of(1) }]]);
    await expect(runSimulation({ portfolio: p, market, options: { ...OPTIONS, initialMarginProfiles } })).rejects.toThrow(/netting set NOPE, which is not in the portfolio/);
  });
});

describe('dynamic IM fed back end to end (im_model simm)', () => {
  it('EPE with DIM ≤ EPE without at every date, and EPE(0) falls by today’s SIMM', async () => {
    // paying fixed at 1% with SOFR swap rates near 3.5%: V(0) ≈ 2.5%·100m·4.5y ≈ 11m, well above the SIMM (~2m)
    const p = book([swap('S1', 'NS1', 'CP1', 0.01)], 'simm');
    const notes: string[] = [];
    const dim = await dynamicInitialMargin(p, market, { paths: OPTIONS.paths, seed: OPTIONS.seed, mporDays: 10, grid: GRID }, notes);
    const simm = simmToday(p, market, { mporDays: 10 }).get('NS1')!;
    expect(dim.profiles.map((d) => d.nettingSetId)).toEqual(['NS1']);
    const without = await runSimulation({ portfolio: p, market, options: OPTIONS });
    const withDim = await runSimulation({ portfolio: p, market, options: { ...OPTIONS, initialMarginProfiles: dim.initialMarginProfiles } });
    const a = without.nettingSets[0]!.profile;
    const b = withDim.nettingSets[0]!.profile;
    for (let k = 0; k < a.epe.length; k++) {
      expect(b.epe[k]!, `date ${k}`).toBeLessThanOrEqual(a.epe[k]!);
      expect(Math.abs(b.ene[k]! - a.ene[k]!)).toBeLessThanOrEqual(1e-12 * (Math.abs(a.ene[k]!) + a.epe[0]!)); // (V − X) + X rounding
    }
    // t = 0: V(0) and N(0) = 1 are the same on every path and V(0) > SIMM, so EPE(0) − EPE_DIM(0) = DIM(0) = SIMM
    // today (base USD: no FX), to the rounding of the scaling α·IM_model(0) and of the sums over paths (1e-9 relative)
    expect(a.epe[0]!).toBeGreaterThan(simm.collect);
    expect(Math.abs(a.epe[0]! - b.epe[0]! - simm.collect)).toBeLessThanOrEqual(1e-9 * a.epe[0]!);
    // the profile falls with the swap's life: the reduction late is smaller than at t = 0 but still there before maturity
    const k2y = withDim.exposureDates.findIndex((d) => withDim.grid.dates[d]! >= market.asOf + 730);
    const cut = a.epe[k2y]! - b.epe[k2y]!;
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(simm.collect);
  }, 300_000);
});

describe('dynamic IM posted fed back end to end (im_model simm)', () => {
  it('ENE with the DIM posted ≤ ENE without at every date, ENE(0) falls by today’s SIMM posted, eneVm and EPE unchanged', async () => {
    // paying fixed at 6% with SOFR swap rates near 3.5%: V(0) ≈ −2.5%·100m·4.5y ≈ −11m, a liability well above the
    // SIMM the bank posts (~2m)
    const p = book([swap('S1', 'NS1', 'CP1', 0.06)], 'simm');
    const dim = await dynamicInitialMargin(p, market, { paths: OPTIONS.paths, seed: OPTIONS.seed, mporDays: 10, grid: GRID }, []);
    const simm = simmToday(p, market, { mporDays: 10 }).get('NS1')!;
    expect([...dim.postedInitialMarginProfiles.keys()]).toEqual(['NS1']);
    // the posted profile is the DIM profile's expected IM posted (USD base: no conversion)
    expect(Array.from(dim.postedInitialMarginProfiles.get('NS1')!.amounts)).toEqual(Array.from(dim.profiles[0]!.expectedImPost));
    const without = await runSimulation({ portfolio: p, market, options: OPTIONS });
    const withDim = await runSimulation({ portfolio: p, market, options: { ...OPTIONS, postedInitialMarginProfiles: dim.postedInitialMarginProfiles } });
    const a = without.nettingSets[0]!.profile;
    const b = withDim.nettingSets[0]!.profile;
    expect(Array.from(b.epe)).toEqual(Array.from(a.epe));
    expect(Array.from(b.eneVm)).toEqual(Array.from(a.ene));
    for (let k = 0; k < a.ene.length; k++) expect(b.ene[k]!, `date ${k}`).toBeLessThanOrEqual(a.ene[k]!);
    // t = 0: −V(0) > SIMM posted on every path, N(0) = 1: ENE(0) − ENE_DIM(0) = DIM posted (0) = today's SIMM posted
    expect(a.ene[0]!).toBeGreaterThan(simm.post);
    expect(Math.abs(a.ene[0]! - b.ene[0]! - simm.post)).toBeLessThanOrEqual(1e-9 * a.ene[0]!);
  }, 300_000);
});

describe('simulateToFiles with dynamic IM (xva simulate --dynamic-im) on fixtures/demo', () => {
  it('the manifest names the im_model simm sets that got DIM; their EPE is at most the run without', async () => {
    const common = {
      portfolioDir: path.join(REPO_ROOT, 'fixtures/demo'),
      marketFile: MARKET_FILE,
      paths: 64,
      seed: 3,
      grid: { kind: 'list' as const, tenors: [{ count: 6, unit: 'M' as const }, { count: 2, unit: 'Y' as const }, { count: 5, unit: 'Y' as const }] },
      threads: 2,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      cube: false,
      format: 'arrow' as const,
    };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-dim-'));
    try {
      const without = await simulateToFiles({ ...common, outDir: path.join(tmp, 'a') });
      const withDim = await simulateToFiles({ ...common, outDir: path.join(tmp, 'b'), dynamicIm: { mporDays: 10 } });
      const section = withDim.manifest.dynamicInitialMargin as { nettingSets: { nettingSetId: string; imToday: number }[] };
      // second source for "which sets": the portfolio's im_model simm sets that have trades (each has a SIMM today),
      // then its schedule sets with trades (their schedule IM projected), in that order
      const { portfolio } = await loadSimulationInputs(common.portfolioDir, MARKET_FILE);
      const withTrades = new Set(portfolio.trades.map((t) => t.nettingSetId));
      const simmSets = portfolio.nettingSets.filter((n) => n.imModel === 'simm' && withTrades.has(n.nettingSetId)).map((n) => n.nettingSetId);
      const scheduleSets = portfolio.nettingSets.filter((n) => n.imModel === 'schedule' && withTrades.has(n.nettingSetId)).map((n) => n.nettingSetId);
      expect(scheduleSets.length).toBeGreaterThan(0);
      const ids = section.nettingSets.map((s) => s.nettingSetId);
      const methods = (section as unknown as { nettingSets: { method: string }[] }).nettingSets.map((s) => s.method);
      expect([...ids.slice(0, simmSets.length)].sort()).toEqual([...simmSets].sort());
      expect(ids.slice(simmSets.length)).toEqual(scheduleSets);
      expect(methods).toEqual([...simmSets.map(() => 'regression'), ...scheduleSets.map(() => 'schedule')]);
      // the demo holds no initial_margin_held, so the DIM only adds collateral (it would replace such an amount)
      expect(portfolio.nettingSets.every((n) => (n.initialMarginHeld ?? 0) === 0)).toBe(true);
      expect((withDim.manifest.options as Record<string, unknown>).dynamicIm).toBe(true);
      expect(without.manifest.dynamicInitialMargin).toBeUndefined();
      // xva cva --dynamic-im: the same exposure as --results of that simulate run, so the same figures to the bit
      const xvaCommon = { portfolioDir: common.portfolioDir, marketFile: MARKET_FILE, paths: common.paths, seed: common.seed, grid: common.grid, xva: { discretisation: 'mid' as const, mode: 'unilateral' as const }, analysis: { top: 5, concentration: 0.05, materiality: 1e6 }, scenarios: [] };
      const direct = await runXva({ ...xvaCommon, threads: 1, dynamicIm: { mporDays: 10 } });
      const viaResults = await runXva({ ...xvaCommon, threads: 1, resultsDir: path.join(tmp, 'b') });
      const plain = await runXva({ ...xvaCommon, threads: 1, resultsDir: path.join(tmp, 'a') });
      expect(direct.result.book).toEqual(viaResults.result.book);
      expect(direct.result.nettingSets.map((n) => [n.nettingSetId, n.cva, n.fca])).toEqual(viaResults.result.nettingSets.map((n) => [n.nettingSetId, n.cva, n.fca]));
      expect(direct.result.book.cva).toBeLessThan(plain.result.book.cva); // the IM held matters on this book
      // a CCP posts no IM: cleared sets hold none (none in the demo book: every simm and schedule set is bilateral)
      const cleared = new Set(portfolio.nettingSets.filter((n) => n.cleared).map((n) => n.nettingSetId));
      const held = ids.filter((id) => !cleared.has(id));
      expect(direct.notes.some((n) => n.startsWith(`dynamic IM held by ${held.length} bilateral im_model simm or schedule netting sets`))).toBe(true);
      // IM ≥ 0 only adds collateral held: EPE with DIM ≤ EPE without, set by set and date by date (same paths)
      for (let s = 0; s < without.result.nettingSets.length; s++) {
        const a = without.result.nettingSets[s]!;
        const b = withDim.result.nettingSets[s]!;
        expect(b.nettingSetId).toBe(a.nettingSetId);
        for (let k = 0; k < a.profile.epe.length; k++) expect(b.profile.epe[k]!).toBeLessThanOrEqual(a.profile.epe[k]! * (1 + 1e-12));
        if (!held.includes(a.nettingSetId)) expect([...b.profile.epe]).toEqual([...a.profile.epe]);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);

  it("a set's DIM is drawn on the book's paths: the same bits whatever other sets have a SIMM; a cleared set's IM is not held", async () => {
    const { portfolio, market } = await loadSimulationInputs(path.join(REPO_ROOT, 'fixtures/demo'), MARKET_FILE);
    const options = { paths: 48, seed: 5, mporDays: 10 as const, grid: { kind: 'list' as const, tenors: [{ count: 1, unit: 'Y' as const }, { count: 3, unit: 'Y' as const }] } };
    const all = await dynamicInitialMargin(portfolio, market, options);
    const ids = all.profiles.map((p) => p.nettingSetId);
    expect(ids.length).toBeGreaterThan(2);
    // the first simm set taken out of SIMM (im_model none), the second cleared: the grid is the book's either way
    const [dropped, clearedId] = [ids[0]!, ids[1]!];
    const edited: Portfolio = {
      ...portfolio,
      nettingSets: portfolio.nettingSets.map((n) =>
        n.nettingSetId === dropped ? { ...n, imModel: 'none' as const } : n.nettingSetId === clearedId ? { ...n, cleared: true } : n,
      ),
    };
    const fewer = await dynamicInitialMargin(edited, market, options);
    expect(fewer.profiles.map((p) => p.nettingSetId)).toEqual(ids.slice(1));
    // the DIM run used to simulate the simm sets alone, on their own grid and layout: taking one out moved the others
    for (const p of fewer.profiles) {
      const before = all.profiles.find((q) => q.nettingSetId === p.nettingSetId)!;
      expect([...p.expectedImCollect]).toEqual([...before.expectedImCollect]);
      expect(p.mva).toBe(before.mva);
    }
    // IM held: every bilateral simm set's expected IM collected; the cleared one's (the bank posts to a CCP, which posts none) not
    expect([...all.initialMarginProfiles.keys()]).toEqual(ids);
    expect([...fewer.initialMarginProfiles.keys()]).toEqual(ids.slice(2));
  }, 300_000);
});
