/**
 * Dynamic IM and MVA (src/margin/dim.ts):
 * - the regression against synthetic paths whose conditional variance is known in closed form (ΔV = σ(x)·z with
 *   z = ±1, so E[ΔV² | x] = σ(x)² exactly and OLS on (1, x, x²) recovers it when σ is affine in x);
 * - on a single 5y USD payer swap simulated with the demo market (200 paths, one thread): DIM(0) equals today's
 *   SIMM on both sides (by the scaling), the profile falls with the swap's remaining life and is 0 after maturity;
 *   MVA = s_f·Σ E[IM_post]·S_C·S_B·P·Δt recomputed from the profile and the market curves.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { loadMarket, parseMarket } from '../src/market/load.js';
import fs from 'node:fs';
import { simmCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { IssueCollector } from '../src/errors.js';
import type { CubeSetDetail } from '../src/exposure/cube.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { closeOutOf, dimProfile, regressionIm, runDim, windowedRegressionIm } from '../src/margin/dim.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { oneSwapBook } from './helpers/hullWhiteLgm.js';
import { REPO_ROOT } from './helpers/paths.js';

const Z99 = 2.3263478740408408;

describe('regression IM on synthetic paths', () => {
  const nPaths = 1000;
  const times = Float64Array.of(0, 0.25, 0.5);
  const mporYears = 14 / 365;
  const paths = (sigma: (x: number) => number) => {
    const v = new Float32Array(3 * nPaths);
    for (let p = 0; p < nPaths; p++) {
      const x = -1 + (2 * p) / (nPaths - 1);
      const z = p % 2 === 0 ? 1 : -1;
      v[p] = x;
      v[nPaths + p] = x + sigma(x) * z;
      v[2 * nPaths + p] = v[nPaths + p]!;
    }
    return v;
  };

  it('constant σ: IM = Φ⁻¹(0.99)·σ·√(MPoR/Δt) (Float32 inputs: 1e-5)', () => {
    const im = regressionIm(paths(() => 0.1), nPaths, times, mporYears);
    expect(Math.abs(im[0]! / (Z99 * 0.1 * Math.sqrt(mporYears / 0.25)) - 1)).toBeLessThan(1e-5);
    // no change over the second step: 0; the last date has no next date: 0
    expect(im[1]).toBeCloseTo(0, 10);
    expect(im[2]).toBe(0);
  });

  it('state-dependent σ(x) = 0.1 + 0.05x: mean IM = Φ⁻¹(0.99)·√(MPoR/Δt)·mean|σ(x)| (1e-4)', () => {
    const sigma = (x: number) => 0.1 + 0.05 * x;
    const im = regressionIm(paths(sigma), nPaths, times, mporYears);
    let mean = 0;
    for (let p = 0; p < nPaths; p++) mean += Math.abs(sigma(Math.fround(-1 + (2 * p) / (nPaths - 1))));
    mean /= nPaths;
    expect(Math.abs(im[0]! / (Z99 * Math.sqrt(mporYears / 0.25) * mean) - 1)).toBeLessThan(1e-4);
  });
});

describe('regression IM over windows of one MPoR (windowedRegressionIm)', () => {
  // exposure dates 0, 0.25, 0.5, 0.75; close-out lag dates 0 (for 0 itself: no window), 0.25 − h, 0.5 − h, 0.75 − h
  const nPaths = 1000;
  const h = 14 / 365;
  const times = Float64Array.of(0, 0.25, 0.5, 0.75);
  const sigmas = [0.1, 0.3, 0]; // σ of the window ending at 0.25, 0.5, 0.75 (the last: no change, the set pays out)
  const build = () => {
    const values = new Float32Array(4 * nPaths);
    const lag = new Float32Array(4 * nPaths); // rows of the dates 0, 0.25 − h, 0.5 − h, 0.75 − h
    for (let p = 0; p < nPaths; p++) {
      const x = -1 + (2 * p) / (nPaths - 1);
      const z = p % 2 === 0 ? 1 : -1;
      values[p] = 0.5;
      lag[p] = 0.5;
      for (let k = 1; k < 4; k++) {
        lag[k * nPaths + p] = x;
        values[k * nPaths + p] = k === 3 ? 0 : x + sigmas[k - 1]! * z;
      }
    }
    return { values, lag };
  };

  it('IM at each window start = Φ⁻¹(0.99)·σ·√(MPoR/h), interpolated between the starts, flat after the last window that ends alive; 0 where the set has paid out', () => {
    const { values, lag } = build();
    const mporYears = 14 / 365;
    const closeOut = { times: Float64Array.of(0, 0.25 - h, 0.5 - h, 0.75 - h), values: lag };
    const im = windowedRegressionIm(values, nPaths, times, closeOut, mporYears);
    // no window starts at 0 (the as-of date's own lag date is the as-of date): the first step (0, 0.25] gives it, whose
    // ΔV = x + σz − 0.5 has the variance of x too (V(0) is the same on every path, nothing to regress on)
    const v0 = values.subarray(nPaths, 2 * nPaths);
    let mean = 0;
    for (const v of v0) mean += v - 0.5;
    mean /= nPaths;
    let variance = 0;
    for (const v of v0) variance += (v - 0.5 - mean) ** 2;
    variance /= nPaths;
    const im0 = Z99 * Math.sqrt((variance * mporYears) / 0.25);
    expect(Math.abs(im[0]! / im0 - 1)).toBeLessThan(1e-9);
    // the window (0.25 − h, 0.25] at its start, then linear to the next start: at 0.25 a share h/(0.25) of the way
    const a = Z99 * 0.1; // scale = MPoR / h = 1
    const b = Z99 * 0.3;
    const atStart1 = im0 + ((0.25 - h - 0) / (0.25 - h - 0)) * (a - im0); // = a (start of window 1 is 0.25 − h)
    expect(atStart1).toBeCloseTo(a, 12);
    const u = h / 0.25; // 0.25 lies h past the start 0.25 − h; the next start is 0.5 − h
    expect(Math.abs(im[1]! - (a + u * (b - a)))).toBeLessThan(1e-5 * b);
    // the window (0.75 − h, 0.75] ends where the set has paid out (V = 0 on every path): ΔV = −V(s) misses the final
    // flow, so it starts no window and 0.5 holds the IM of the window before (flat after the last start)
    expect(Math.abs(im[2]! - b)).toBeLessThan(1e-5 * b);
    expect(im[3]).toBe(0); // V = 0 on every path: paid out
  });
});

describe('DIM over MPoR windows does not depend on the grid; the old grid steps did', () => {
  // An EUR/USD forward of 100m EUR maturing 2028-09-15 under a CSA (MPoR 10: close-out values 14 days before each
  // exposure date), its DIM on a monthly grid and on a semi-annual one (both with a first date at 2W, whose window
  // (0, 2W] scales both to today's SIMM: the same first step, so the same α). An FX forward's value on a path is exact
  // on any grid (no fixing read at an earlier grid date, docs/simulation.md), so the expected IM of the same windows
  // must agree but for Monte Carlo error and the interpolation between window starts. Without a CSA the set has no
  // close-out values and takes the grid's steps (regressionIm): the step holding the maturity holds the step before's IM.
  const grid = (months: number, count: number) => ({ kind: 'list' as const, tenors: [{ count: 2, unit: 'W' as const }, ...Array.from({ length: count }, (_, i) => ({ count: months * (i + 1), unit: 'M' as const }))] });
  const monthly = grid(1, 36);
  const semiAnnual = grid(6, 6);
  const book = (csa: boolean, maturityDate = fromYmd(2028, 9, 15)): Portfolio => ({
    trades: [{ tradeId: 'F1', counterpartyId: 'CP1', nettingSetId: 'NS1', cleared: false, product: 'FXFWD', direction: 'buy', currency: 'EUR', notional: 1e8, currency2: 'USD', notional2: 1.1e8, maturityDate }],
    counterparties: [{ counterpartyId: 'CP1', name: 'One', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
    nettingSets: [{
      nettingSetId: 'NS1', counterpartyId: 'CP1', csa, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
      independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'simm', collateralCurrency: 'USD', cleared: false,
    }],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  });
  const simm = new Map([['NS1', { collect: 1e6, post: 1e6 }]]);

  it('monthly and semi-annual grids give the same expected IM (6 seeds × 4,000 paths); the date before maturity keeps its IM on both', async () => {
    const market = loadMarket(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'));
    // the mean profile over 6 seeds (each run scales to today's SIMM: 1m)
    const mean = async (csa: boolean, g: typeof monthly) => {
      let dates: Int32Array = new Int32Array(0);
      let sum = new Float64Array(0);
      for (let seed = 1; seed <= 6; seed++) {
        const [p] = await runDim(book(csa), market, { paths: 4000, seed, mporDays: 10, simm, grid: g });
        if (seed === 1) {
          dates = p!.dates;
          sum = new Float64Array(dates.length);
        }
        p!.expectedImCollect.forEach((x, k) => (sum[k]! += x / 6));
      }
      return { dates, im: sum };
    };
    const fine = await mean(true, monthly);
    const coarse = await mean(true, semiAnnual);
    const steps = await mean(false, semiAnnual);
    const maturity = fromYmd(2028, 9, 15);
    let compared = 0;
    coarse.dates.forEach((date, k) => {
      if (k === 0 || date >= maturity) return;
      const f = fine.im[fine.dates.indexOf(date)]!;
      // Tolerance: a second set of 6 seeds on the monthly grid agreed within 1% (Monte Carlo error of the mean of the
      // regressions); the IM between two window starts is interpolated linearly, and the FX vol steps up by 12% at 1Y
      // (the windows' IM before and after it: 3.78m and 4.24m unscaled), which moves the monthly grid's IM at 1Y,
      // 0.46 of the way to the next start, 5% above the semi-annual's at 0.08 of the way: 6% in all
      expect(Math.abs(coarse.im[k]! / f - 1), `${date}`).toBeLessThanOrEqual(0.06);
      compared++;
    });
    expect(compared).toBe(5); // 2W, 6M, 1Y, 18M, 2Y
    // the last semi-annual date before maturity (2Y): its window (2Y − 14d, 2Y] is inside the trade's life, so it holds
    // the IM of the date before
    const k2 = coarse.dates.findIndex((d, k) => k > 0 && coarse.dates[k + 1]! > maturity);
    expect(coarse.im[k2]!).toBeGreaterThan(0.9 * coarse.im[k2 - 1]!);
    // without a CSA the grid's step (2Y, 2.5Y] holding the maturity ends where V = 0 on every path: its ΔV = −V(2Y)
    // is fitted exactly (0), so 2Y holds the step before's IM (it gave 0 before the forty-seventh session)
    expect(steps.im[k2]!).toBe(steps.im[k2 - 1]!);
    expect(steps.im[k2 - 1]!).toBeGreaterThan(0.5 * coarse.im[k2 - 1]!);
    // The same forward maturing on 2028-09-25 on the monthly grid: the window (09-16, 09-30] of the first date after it
    // spans the maturity, where V = 0 misses the final delivery (ΔV = −V(s), fitted exactly): it starts no window, so
    // the last date before maturity (08-30, 26 days before it) holds the IM of the window before it instead of falling
    // 14/31 of the way to 0 (the old interpolation: 55% of it). Tolerance 10%: one seed's regression noise between
    // neighbouring windows (the 6-seed means above agree within 1%), well below the 45% fall it rules out.
    const late = fromYmd(2028, 9, 25);
    const [lateProfile] = await runDim(book(true, late), market, { paths: 4000, seed: 1, mporDays: 10, simm, grid: monthly });
    const m2 = lateProfile!.dates.findIndex((d, k) => k > 0 && lateProfile!.dates[k + 1]! > late);
    expect(lateProfile!.dates[m2]).toBe(fromYmd(2028, 8, 30));
    expect(lateProfile!.expectedImCollect[m2]!).toBeGreaterThan(0.9 * lateProfile!.expectedImCollect[m2 - 1]!);
    expect(lateProfile!.expectedImCollect[m2 + 1]).toBe(0); // paid out

    // A forward paying out 3 days after today, before any window of one MPoR ends: no window to scale today's SIMM by
    // (each ends where the set is dead; the first step's ΔV = −V(0) is fitted exactly). Today's SIMM is held while the
    // set lives (an audit found the IM 0 today, MVA 0), then 0; the MVA funds it over those 3 days.
    const soon = fromYmd(2026, 7, 3);
    const [short] = await runDim(book(true, soon), market, { paths: 400, seed: 1, mporDays: 10, simm, grid: monthly });
    expect(short!.expectedImCollect[0]).toBe(1e6);
    expect(short!.expectedImPost[0]).toBe(1e6);
    short!.dates.forEach((d, k) => {
      if (k > 0) expect(short!.expectedImCollect[k], `${d}`).toBe(0); // the first date after today (2W) is after its payment
    });
    // MVA = the IM posted × (USD borrow spread 65bp − remuneration 0) × the 3 days to the payment (the left-point sum;
    // discounting and survival over 3 days within 1e-3)
    expect(Math.abs(short!.mva / ((1e6 * 0.0065 * 3) / 365) - 1)).toBeLessThan(1e-3);
  }, 300_000);
});

describe('the DIM windows do not depend on the coverage (a scenario holding no collateral)', () => {
  it('closeOutRows: a CSA set keeps its close-out values at coverage 0, the same as at coverage 1, so the same DIM', async () => {
    const demo = await loadPortfolio(path.join(REPO_ROOT, 'fixtures/demo'), new IssueCollector());
    const market = loadMarket(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'));
    const id = 'NS-CP0010-1'; // a CSA with MPoR 10 and im_model simm
    expect(demo.nettingSets.find((n) => n.nettingSetId === id)).toMatchObject({ csa: true, marginPeriodOfRiskDays: 10, imModel: 'simm' });
    const book = { ...demo, trades: demo.trades.filter((t) => t.nettingSetId === id), nettingSets: demo.nettingSets.filter((n) => n.nettingSetId === id) };
    const run = async (coverage: number, closeOutRows: boolean) => {
      let out: { values: Float32Array; dates: Int32Array; detail: CubeSetDetail } | undefined;
      await runSimulation({
        portfolio: book,
        market,
        options: { paths: 64, seed: 1, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true, closeOutRows, coverage, tradeContributions: false },
        onCube: (setId, values, _n, dates, detail) => {
          if (setId === id) out = { values: values.slice(), dates: dates.slice(), detail };
        },
      });
      return out!;
    };
    const full = await run(1, true);
    const none = await run(0, true);
    const plain = await run(0, false);
    expect(closeOutOf(full.detail, market)).toBeDefined();
    // without closeOutRows a coverage of 0 values no close-out date (the figures do not need them): grid steps then
    expect(closeOutOf(plain.detail, market)).toBeUndefined();
    expect(Array.from(none.detail.closeOutGridIndex)).toEqual(Array.from(full.detail.closeOutGridIndex));
    expect(Array.from(none.detail.closeOutValues)).toEqual(Array.from(full.detail.closeOutValues));
    const dim = (r: typeof full) => dimProfile({ nettingSetId: id, values: r.values, nPaths: 64, dates: r.dates, market, simmCollect: 1e6, simmPost: 1e6, marginPeriodOfRiskDays: 10, ...(closeOutOf(r.detail, market) ? { closeOut: closeOutOf(r.detail, market)! } : {}) });
    expect(Array.from(dim(none).expectedImCollect)).toEqual(Array.from(dim(full).expectedImCollect));
  }, 120_000);
});

describe('DIM of a single 5y swap on the demo market', () => {
  it('DIM(0) = SIMM today, decays to 0 at maturity; MVA from the profile', async () => {
    const market = loadMarket(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'));
    const { swap, portfolio } = oneSwapBook({ fixedRate: 0.035, fixedDayCount: '30/360', floatFrequency: '3M', csa: true });
    const simm = calculateSimm(simmCrifFromPortfolio(portfolio, market).records, { version: '2.6', mporDays: 10 });
    const collect = simm.find((r) => r.side === 'Call')!.total;
    const post = simm.find((r) => r.side === 'Post')!.total;
    const [profile] = await runDim(portfolio, market, { paths: 200, seed: 7, mporDays: 10, simm: new Map([['NS1', { collect, post }]]) });
    expect(profile).toBeDefined();
    const p = profile!;
    expect(p.dates[0]).toBe(market.asOf);
    expect(Math.abs(p.expectedImCollect[0]! / collect - 1)).toBeLessThan(1e-12);
    expect(Math.abs(p.expectedImPost[0]! / post - 1)).toBeLessThan(1e-12);
    // a 5y swap's IM scales with its remaining duration: under a quarter of today's with 1y left, 0 after the end
    const tEnd = market.time(swap.fixedLeg.maturityDate);
    const k4 = p.times.findIndex((t) => t >= tEnd - 1);
    expect(p.expectedImCollect[k4]!).toBeLessThan(0.25 * collect);
    for (let k = 0; k < p.times.length; k++) if (p.times[k]! >= tEnd + 7 / 365) expect(p.expectedImCollect[k]).toBe(0);
    // MVA (Green-Kenyon) recomputed from the profile: borrow spread, survival of both, OIS discount
    const spread = market.funding('USD').borrowSpreadBp * 1e-4;
    const cpCurve = market.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'north_america' }).curve;
    // the last interval ends at the swap's last payment (its adjusted end), where the IM stops
    const end = market.time(swap.fixedLeg.maturityDate);
    let mva = 0;
    for (let k = 0; k + 1 < p.times.length && p.times[k]! < end; k++) {
      const t = p.times[k]!;
      mva += spread * p.expectedImPost[k]! * cpCurve.survival(t) * (market.ownCredit?.survival(t) ?? 1) * market.discountCurve('USD').discount(t) * (Math.min(p.times[k + 1]!, end) - t);
    }
    expect(p.mva).toBeCloseTo(mva, 6);
    // order of magnitude: s_f·IM(0)·(life/2) bounds it from above for a linearly decaying profile
    expect(p.mva).toBeLessThan(spread * post * 5);
    expect(p.mva).toBeGreaterThan(spread * post * 0.5);
    // the posted IM earning −10bp at its custodian (a fee): funded at 65 + 10bp, the same profile (same paths)
    const text = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'), 'utf8');
    const withFee = text.replace('USD: { borrowSpreadBp: 65, lendSpreadBp: 15, collateralSpreadBp: 0 }', 'USD: { borrowSpreadBp: 65, lendSpreadBp: 15, collateralSpreadBp: 0, initialMarginSpreadBp: -10 }');
    expect(withFee).not.toBe(text);
    const [fee] = await runDim(portfolio, parseMarket(withFee, 'market.yaml'), { paths: 200, seed: 7, mporDays: 10, simm: new Map([['NS1', { collect, post }]]) });
    expect(Array.from(fee!.expectedImPost)).toEqual(Array.from(p.expectedImPost));
    expect(fee!.mva / p.mva).toBeCloseTo(75 / 65, 12);
  });
});
