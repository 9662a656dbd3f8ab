/**
 * Bermudan swaptions (pricing/bermudan.ts, exposure/valuation/bermudan.ts). References independent of the code under
 * test:
 * - one exercise date: Jamshidian's closed form of the European swaption (pricing/hullWhite.ts, tested against the
 *   brute-force integral over the state elsewhere), to the lattice's error: measured 6.3e-8 relative with 801 nodes
 *   (the roll's curvature and kink corrections; 3.8e-5 with the linear roll before them), so 1e-6;
 * - three exercise dates: the nested integral over the states at the exercise dates by Simpson's rule, written here
 *   (no state grid, no interpolation: the exact exercise values and the recursion evaluated at every quadrature point);
 *   its own error (Simpson's rule across the exercise kinks) is 9.3e-5, measured against the induction below;
 * - 24 exercise dates: the backward induction with the linear roll (second order, so converging) on 16 times the nodes,
 *   written here;
 * - the co-terminal European swaptions are lower bounds, and every added exercise date adds value;
 * - on paths: the deflated value is a martingale (E[V(t)/N(t)] = today's price up to the first coupon paid, within
 *   3 standard errors of the mean over the paths), the bought option is never negative before exercise, and a
 *   Bermudan with one exercise date is the engine's European swaption path by path;
 * - exercise dates between grid dates (each path's state there drawn from the bridge between the grid states): EPE and
 *   ENE equal those on a grid that holds the exercise dates, where each decision reads a simulated state (independent
 *   paths, 3.5 standard errors of the difference).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector } from '../src/errors.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import { NO_NODE_TABLES } from '../src/exposure/backends/gpu/tables.js';
import { writeTable } from '../src/io/write.js';
import type { HullWhiteParams } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { normCdf, normPdf } from '../src/pricing/black.js';
import { BERMUDAN_GRID_HALF_NODES, deflatedSwapOnNodes, exerciseSwaps, stateNodes } from '../src/pricing/bermudan.js';
import { discountCurveFor } from '../src/pricing/curves.js';
import { priceTrade } from '../src/pricing/index.js';
import type { FixedLeg, FloatLeg, Swaption } from '../src/products/types.js';
import type { SimulatedPaths, TimeGrid } from '../src/simulation/types.js';
import type { ValuationModel } from '../src/exposure/valuation/model.js';
import { lgmH, lgmModel, lgmZeta } from '../src/simulation/models/lgm/parameters.js';
import { deflatedExposures, deflatedMean } from './helpers/deflated.js';
import { factorNeeds } from '../src/exposure/engine.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { flatMarket } from './helpers/flatMarket.js';
import { simpleModel, simplePaths, timeGrid } from './helpers/simpleModel.js';

const asOf = fromYmd(2026, 6, 30);
const r = 0.035;
const N = 10_000_000;
const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3, Number.POSITIVE_INFINITY), sigmas: Float64Array.of(0.008, 0.0095, 0.009), source: 'given' };
const market = flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r } }, hullWhite: { USD: hw } });
const disc = (t: number): number => Math.exp(-r * t);
const years = (d: DateSerial): number => market.time(d);
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** Annual 30/360 fixed against semi-annual SOFR, unadjusted dates (so the schedules are addMonths from the start). */
const legs = (s: DateSerial, e: DateSerial, K: number): { fixedLeg: FixedLeg; floatLeg: FloatLeg } => {
  const common = { currency: 'USD' as const, notional: N, startDate: s, maturityDate: e, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    fixedLeg: { kind: 'fixed', ...common, fixedRate: K, frequency: '1Y', dayCount: '30/360' },
    floatLeg: { kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360' },
  };
};
const expiry = fromYmd(2028, 6, 30);
const start = fromYmd(2028, 7, 3);
const end = fromYmd(2036, 7, 3);
const swaption = (over: Partial<Swaption> = {}): Swaption => ({
  product: 'SWAPTION', tradeId: 'B', counterpartyId: 'C', nettingSetId: 'N', cleared: false, direction: 'buy', optionType: 'receiver', settlement: 'physical',
  expiryDate: expiry, ...legs(start, end, 0.037), ...over,
});
/** Exercise k: three days before the k-th anniversary of the start (the first is the expiry). */
const exerciseDates = (count: number): DateSerial[] => Array.from({ length: count }, (_, k) => addMonths(start, 12 * k) - 3);

describe('Bermudan swaptions today', () => {
  it('with one exercise date: the European swaption by Jamshidian (1e-6 relative, the lattice\'s error), bought and sold, payer and receiver', () => {
    for (const optionType of ['payer', 'receiver'] as const) {
      for (const direction of ['buy', 'sell'] as const) {
        const european = priceTrade(swaption({ optionType, direction }), market).npv;
        const bermudan = priceTrade(swaption({ optionType, direction, exerciseDates: [expiry] }), market).npv;
        expect(Math.abs(bermudan / european - 1), `${direction} ${optionType}`).toBeLessThan(1e-6);
      }
    }
  });

  it('with three exercise dates: the nested integral over the states by Simpson\'s rule (2e-4 relative: the reference\'s own error is 9.3e-5)', () => {
    const shortEnd = addMonths(start, 36);
    const trade = swaption({ ...legs(start, shortEnd, 0.036), exerciseDates: exerciseDates(3) });
    const E = trade.exerciseDates!.map(years);
    const zeta = E.map((t) => lgmZeta(hw, t));
    const a = hw.meanReversion;
    // the receiver swap entered on E_k: fixed 3.6% on the years from S_k, against SOFR semi-annual (single curve:
    // N·(P(S_k) − P(end))), as zero bonds; deflated u_k(x) = Σ c·P(0,T)·e^{−H(T)·x − ½H(T)²ζ(E_k)}
    const fixed = buildSchedule(trade.fixedLeg);
    const bonds = (k: number): { T: number; c: number }[] => {
      const out = [{ T: years(fixed.accrualStart[k]!), c: -N }, { T: years(shortEnd), c: N }];
      for (let i = k; i < fixed.count; i++) out.push({ T: years(fixed.paymentDate[i]!), c: 0.036 * N * fixed.accrualFraction[i]! });
      return out;
    };
    const u = (k: number, x: number): number => bonds(k).reduce((acc, { T, c }) => acc + c * disc(T) * Math.exp(-lgmH(a, T) * x - 0.5 * lgmH(a, T) ** 2 * zeta[k]!), 0);
    const STEPS = 240;
    const WIDTH = 8;
    /** v_k(x) = E[max(u_{k+1}, v_{k+1})(x + s·Z)] by Simpson over z in ±WIDTH (v after the last exercise: 0). */
    const cont = (k: number, x: number): number => {
      if (k === E.length - 1) return 0;
      const s = Math.sqrt(zeta[k + 1]! - zeta[k]!);
      const h = (2 * WIDTH) / STEPS;
      let sum = 0;
      for (let i = 0; i <= STEPS; i++) {
        const z = -WIDTH + i * h;
        const y = x + s * z;
        const w = i === 0 || i === STEPS ? 1 : i % 2 === 1 ? 4 : 2;
        sum += w * Math.max(u(k + 1, y), cont(k + 1, y)) * normPdf(z);
      }
      return (sum * h) / 3;
    };
    // today: E[max(u_0, v_0)(X_{E_0})], X_{E_0} ~ N(0, ζ(E_0))
    const s0 = Math.sqrt(zeta[0]!);
    const h = (2 * WIDTH) / STEPS;
    let sum = 0;
    for (let i = 0; i <= STEPS; i++) {
      const z = -WIDTH + i * h;
      const w = i === 0 || i === STEPS ? 1 : i % 2 === 1 ? 4 : 2;
      sum += w * Math.max(u(0, s0 * z), cont(0, s0 * z)) * normPdf(z);
    }
    const reference = (sum * h) / 3;
    expect(Math.abs(priceTrade(trade, market).npv / reference - 1)).toBeLessThan(2e-4);
    // the co-terminal Europeans are lower bounds, and the Bermudan is worth more than the best of them
    const europeans = trade.exerciseDates!.map((d, k) => priceTrade(swaption({ ...legs(addMonths(start, 12 * k), shortEnd, 0.036), expiryDate: d }), market).npv);
    expect(reference).toBeGreaterThan(Math.max(...europeans) * 1.01);
  }, 60_000);

  it('with 24 semi-annual exercise dates: the induction with the linear roll on 16 times the nodes (5e-5 relative, 6.8e-6 measured; 1.1e-3 with the linear roll on 801)', () => {
    // an audit found the linear roll's second-order bias accumulating over the exercise dates (2.9e-3 of a 40-date
    // price on 801 nodes); the reference is that method, which converges to the truth as h², on 12,801 nodes (16x:
    // the audit measured its error at 1.3e-5 on a 40-date deal), written here by the hat functions' Gaussian weights
    const first = fromYmd(2027, 7, 3);
    const last = fromYmd(2040, 7, 3);
    const common = { currency: 'USD' as const, notional: N, startDate: first, maturityDate: last, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false };
    const trade = swaption({
      expiryDate: first - 3,
      fixedLeg: { kind: 'fixed', ...common, fixedRate: 0.0355, frequency: '6M', dayCount: '30/360' },
      floatLeg: { kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360' },
      exerciseDates: Array.from({ length: 24 }, (_, k) => addMonths(first, 6 * k) - 3),
    });
    const model = lgmModel(hw, discountCurveFor(market, 'USD'));
    const swaps = exerciseSwaps(trade, market, model);
    const zeta = swaps.map((sw) => model.zeta(sw.exerciseTime));
    const nodes = stateNodes(zeta[zeta.length - 1]!, 16 * BERMUDAN_GRID_HALF_NODES);
    const n = nodes.x.length;
    const h = nodes.h;
    /** out_j = Σ_k v_k·E[hat_k(x_j + s·Z)], the hat's weight the second difference of G(y) = y·Φ(y/s) + s·φ(y/s), /h. */
    const linearRoll = (v: Float64Array, s: number, sdAt: number): Float64Array => {
      const reach = Math.ceil((9 * s) / h) + 1;
      const G = (y: number): number => y * normCdf(y / s) + s * normPdf(y / s);
      const w = Float64Array.from({ length: reach + 1 }, (_, m) => (G((m + 1) * h) - 2 * G(m * h) + G((m - 1) * h)) / h);
      const out = new Float64Array(n);
      const span = Math.min(nodes.half, Math.ceil((9.5 * sdAt) / h) + reach);
      for (let j = nodes.half - span; j <= nodes.half + span; j++) {
        let sum = 0;
        for (let k = Math.max(0, j - reach); k <= Math.min(n - 1, j + reach); k++) sum += v[k]! * w[Math.abs(k - j)]!;
        out[j] = sum;
      }
      return out;
    };
    let after = new Float64Array(n);
    for (let k = swaps.length - 1; k >= 0; k--) {
      const continuation = k === swaps.length - 1 ? new Float64Array(n) : linearRoll(after, Math.sqrt(zeta[k + 1]! - zeta[k]!), Math.sqrt(zeta[k]!));
      const exercise = new Float64Array(n);
      deflatedSwapOnNodes(model, swaps[k]!, zeta[k]!, nodes, exercise);
      after = exercise.map((u, j) => Math.max(u, continuation[j]!));
    }
    const reference = linearRoll(after, Math.sqrt(zeta[0]!), 0)[nodes.half]!;
    const price = priceTrade(trade, market).npv;
    expect(Math.abs(price / reference - 1)).toBeLessThan(5e-5);
    // the Bermudan is worth more than its first European
    expect(reference).toBeGreaterThan(priceTrade(swaption({ ...trade, exerciseDates: undefined }), market).npv * 1.01);
  }, 120_000);

  it('every added exercise date adds value; all dates passed is an error, past dates are dropped', () => {
    let previous = 0;
    for (const count of [1, 2, 4, 8]) {
      const value = priceTrade(swaption({ exerciseDates: exerciseDates(count) }), market).npv;
      expect(value, `${count} dates`).toBeGreaterThan(previous);
      previous = value;
    }
    const seasoned = swaption({ expiryDate: fromYmd(2026, 3, 30), ...legs(fromYmd(2026, 4, 2), end, 0.037), exerciseDates: [fromYmd(2026, 3, 30), fromYmd(2027, 3, 30)] });
    const futureOnly = { ...seasoned, exerciseDates: [fromYmd(2027, 3, 30)] };
    expect(priceTrade(seasoned, market).npv).toBe(priceTrade(futureOnly, market).npv);
    expect(() => priceTrade({ ...seasoned, exerciseDates: [fromYmd(2026, 3, 30)] }, market)).toThrow(/B.*Bermudan swaption whose exercise dates have all passed/);
  });
});

/** A Bermudan with one exercise date (the expiry) against the engine's European swaption on the same paths: 1e-5 of its price at each date (2.8e-6 measured). */
function expectEuropean(g: TimeGrid, model: ValuationModel, paths: SimulatedPaths, dates: readonly number[]): void {
  const euro = swaption();
  const kb = compileNettingSet([swaption({ exerciseDates: [expiry] })], { market, model, grid: g, nettingSetId: 'N' });
  const ke = compileNettingSet([euro], { market, model, grid: g, nettingSetId: 'N' });
  const pe = priceTrade(euro, market).npv;
  const a = new Float64Array(paths.nPaths);
  const b = new Float64Array(paths.nPaths);
  for (const d of dates) {
    kb.valueAt(d, paths, a);
    ke.valueAt(d, paths, b);
    let worst = 0;
    for (let p = 0; p < paths.nPaths; p++) worst = Math.max(worst, Math.abs(a[p]! - b[p]!));
    expect(worst, `date ${d}`).toBeLessThan(1e-5 * pe);
  }
}

describe('Bermudan swaptions on paths', () => {
  const trade = swaption({ exerciseDates: exerciseDates(8) });
  // the exercise dates themselves and dates between them, out to the end
  // (a day after each exercise date: in its three days' notice, before the swap it enters starts)
  const extra = [...trade.exerciseDates!, ...trade.exerciseDates!.map((d) => d + 1), ...trade.exerciseDates!.map((d) => d + 45), fromYmd(2027, 6, 30), addMonths(end, -1)];
  const g = timeGrid(asOf, [...new Set(extra)].sort((a, b) => a - b));
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 4000;
  const paths = simplePaths(model, market, g, { nPaths, seed: 11 });
  const kernel = compileNettingSet([trade], { market, model, grid: g, nettingSetId: 'N' });
  const price = priceTrade(trade, market).npv;
  const valueAt = (d: number): Float64Array => {
    const out = new Float64Array(nPaths);
    kernel.valueAt(d, paths, out);
    return out;
  };

  it('starts at today\'s price; E[V(t)/N(t)] is today\'s price up to the first coupon (3 standard errors), V ≥ 0 before the first exercise', () => {
    for (const v of valueAt(0)) expect(Math.abs(v - price)).toBeLessThan(1e-9 * price);
    const firstCoupon = addMonths(start, 6);
    let checked = 0;
    for (let d = 1; d < g.dates.length && g.dates[d]! < firstCoupon; d++) {
      const { mean, se, values: v } = deflatedMean(kernel, paths, d);
      if (g.dates[d]! < expiry) for (let p = 0; p < nPaths; p++) expect(v[p]!).toBeGreaterThanOrEqual(0);
      expect(Math.abs(mean - price), `date ${d}`).toBeLessThan(3 * se);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('is worth nothing after the swap\'s end; exercised paths hold the swap (some exercise early, some later, some never)', () => {
    const last = g.dates.length - 1;
    expect(kernel.lastDateIndex).toBeLessThan(last + 1);
    // the day after the second exercise date's decision: some paths hold swaps (negative values appear), others options
    const d = g.dates.findIndex((x) => x === trade.exerciseDates![1]! + 45);
    const v = valueAt(d);
    const negative = v.filter((x) => x < 0).length;
    expect(negative).toBeGreaterThan(10);
    expect(negative).toBeLessThan(nPaths);
  });

  it('has no device form: the GPU backend values its set on the host (legEntries undefined, NO_NODE_TABLES)', () => {
    const device = kernel as unknown as { legEntries(d: number, p: typeof paths): unknown };
    expect(device.legEntries(1, paths)).toBeUndefined();
    expect(NO_NODE_TABLES).toMatch(/Bermudan swaption/);
  });

  it('with one exercise date it is the engine\'s European swaption, path by path (1e-5 of its price)', () => {
    expectEuropean(g, model, paths, [1, 2, g.dates.indexOf(expiry), g.dates.indexOf(expiry + 45), g.dates.length - 3]);
  });
});

describe('Bermudan exercise dates between grid dates: each decision on the state bridged between them', () => {
  const trade = swaption({ exerciseDates: exerciseDates(8) });
  // no exercise date on the grid: the first (2028-06-30) between 2028-05-15 and 2028-08-15, its swap started at the
  // latter (2028-07-03), its first coupon 2029-01-03; the later ones between the half-yearly dates
  const g = timeGrid(asOf, [fromYmd(2027, 6, 30), fromYmd(2028, 5, 15), fromYmd(2028, 8, 15), fromYmd(2028, 11, 15), fromYmd(2029, 5, 15), fromYmd(2029, 8, 15), fromYmd(2031, 8, 15)]);
  for (const e of trade.exerciseDates!) expect(g.dates.indexOf(e)).toBe(-1);
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });

  it('one exercise date: the engine\'s European swaption (its exercise bridged alike), path by path (1e-5 of its price)', () => {
    const nPaths = 2000;
    const paths = simplePaths(model, market, g, { nPaths, seed: 5 });
    expectEuropean(g, model, paths, Array.from(g.dates, (_, d) => d));
    const kb = compileNettingSet([swaption({ exerciseDates: [expiry] })], { market, model, grid: g, nettingSetId: 'N' });
    const a = new Float64Array(nPaths);
    const b = new Float64Array(nPaths);
    // after the first coupon is paid (its fixing, between the grid dates around the exercise, reads the state drawn
    // there, the swap's the grid state before: test/valuation.test.ts)
    const after = g.dates.indexOf(fromYmd(2029, 5, 15));
    kb.valueAt(after, paths, a);
    // the swap it enters on the same paths: the bought receiver's swap receives fixed
    const swapOnly = compileNettingSet([{ product: 'IRS', tradeId: 'S', counterpartyId: 'C', nettingSetId: 'N', cleared: false, direction: 'receive', ...legs(start, end, 0.037) }], { market, model, grid: g, nettingSetId: 'N' });
    swapOnly.valueAt(after, paths, b);
    // each path holds the whole swap or nothing (its exercise drawn, not a share of the swap), both on many paths
    let holding = 0;
    let none = 0;
    for (let p = 0; p < nPaths; p++) {
      if (a[p] === 0) none++;
      else {
        expect(Math.abs(a[p]! - b[p]!), `path ${p}`).toBeLessThan(1e-9 * N);
        holding++;
      }
    }
    expect(holding).toBeGreaterThan(nPaths / 10);
    expect(none).toBeGreaterThan(nPaths / 10);
  });

  it('E[V(t)/N(t)] after the first exercise date and before the first coupon is today\'s price (20,000 paths, 3 se)', () => {
    // measured 0.25% and 0.13% below (0.35 and 0.17 se; with the first coupon fixed on the grid state before the
    // exercise, the thirty-ninth session, 0.31% and 0.35%); deciding on the grid state before the
    // exercise (the engine before the thirty-ninth session) 0.87% and 0.75% below on the same paths (1.3 and 1.0 se): a
    // Bermudan's value is mostly its continuation, so a stale decision costs it less than a European's
    const nPaths = 20_000;
    const paths = simplePaths(model, market, g, { nPaths, seed: 13 });
    const kernel = compileNettingSet([trade], { market, model, grid: g, nettingSetId: 'N' });
    const price = priceTrade(trade, market).npv;
    for (const date of [fromYmd(2028, 8, 15), fromYmd(2028, 11, 15)]) {
      const { mean, se } = deflatedMean(kernel, paths, g.dates.indexOf(date));
      expect(Math.abs(mean - price), `${date}`).toBeLessThan(3 * se);
    }
  });
});

describe('EPE and ENE after an exercise between grid dates: against a grid that holds the exercise dates (decisions on simulated states)', () => {
  // The coarse grid holds no exercise date; the fine one adds them. Compared at dates whose running coupons start after
  // the same grid date on both grids (the coupon accruing reads the grid state on or before its start: not what is
  // tested here), after one, two and three exercise dates. Independent paths per grid: the tolerance is 3.5 standard
  // errors of the difference.
  const coarse = [fromYmd(2027, 6, 30), fromYmd(2028, 5, 15), fromYmd(2028, 8, 15), fromYmd(2028, 11, 15), fromYmd(2029, 5, 15), fromYmd(2029, 11, 15), fromYmd(2030, 5, 15), fromYmd(2030, 11, 15), fromYmd(2031, 5, 15)];
  const compared = [fromYmd(2029, 5, 15), fromYmd(2030, 5, 15), fromYmd(2031, 5, 15)];
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 20_000;
  const exposures = (trades: Parameters<typeof compileNettingSet>[0], extra: readonly DateSerial[], seed: number) => {
    const g = timeGrid(asOf, [...new Set([...coarse, ...extra])].sort((a, b) => a - b));
    const paths = simplePaths(model, market, g, { nPaths, seed });
    const kernel = compileNettingSet(trades, { market, model, grid: g, nettingSetId: 'N' });
    return compared.map((date) => deflatedExposures(kernel, paths, g.dates.indexOf(date)));
  };
  const expectSame = (bridged: ReturnType<typeof exposures>, exact: ReturnType<typeof exposures>): void => {
    compared.forEach((date, i) => {
      const a = bridged[i]!;
      const b = exact[i]!;
      expect(Math.abs(a.epe - b.epe), `EPE ${date}`).toBeLessThan(3.5 * Math.hypot(a.seEpe, b.seEpe));
      expect(Math.abs(a.ene - b.ene), `ENE ${date}`).toBeLessThan(3.5 * Math.hypot(a.seEne, b.seEne));
      expect(b.ene).toBeGreaterThan(5 * b.seEne); // an exposure the test can see
    });
  };

  // Measured (bridged vs exact, 20,000 paths each): the Bermudan's ENE 845 vs 1,062 (1.2 se), 4,929 vs 4,769, 10,067 vs
  // 9,909, EPE within 1 se; the set's EPE 288,553 vs 285,789 (0.8 se), ENE 41,378 vs 42,151 (0.8 se). The thirty-ninth
  // session's engine on the same paths, which counted the swap with the probability of exercise given the grid states
  // (q·swap + (1 − q)·continuation, or q·swap beside the other trades), inside max(V, 0): the Bermudan's ENE 59%, 22% and
  // 12% low (4.2 se at the first date), the set's ENE 26%, 16% and 7.4% low (13 se) and its EPE 3.1%, 3.8%, 2.1% low.
  it('a Bermudan with eight exercise dates', () => {
    const trade = swaption({ exerciseDates: exerciseDates(8) });
    expectSame(exposures([trade], [], 21), exposures([trade], trade.exerciseDates!, 22));
  });

  it('a European swaption netted with a payer swap', () => {
    const payerSwap = { product: 'IRS' as const, tradeId: 'P', counterpartyId: 'C', nettingSetId: 'N', cleared: false, direction: 'pay' as const, ...legs(asOf, fromYmd(2031, 6, 30), 0.035) };
    const pair = [swaption(), payerSwap];
    expectSame(exposures(pair, [], 23), exposures(pair, [expiry], 24));
  });
});

describe('a Bermudan swaption in a currency other than the base', () => {
  const hwEur: HullWhiteParams = { ...hw, currency: 'EUR' };
  const m = flatMarket({
    asOf, rates: { USD: r, EUR: 0.025 }, projection: { 'USD-SOFR': { currency: 'USD', rate: r }, 'EUR-ESTR': { currency: 'EUR', rate: 0.025 } },
    spotsInBase: { EUR: 1.09 }, fxVols: { EURUSD: 0.08 }, hullWhite: { USD: hw, EUR: hwEur },
    // for the cross-asset simulation: the rates correlated, the FX rate with both (its drift and the EUR state's under
    // the USD measure carry them)
    correlation: { factors: ['IR:USD', 'IR:EUR', 'FX:EURUSD'], matrix: Float64Array.of(1, 0.6, 0.2, 0.6, 1, -0.3, 0.2, -0.3, 1) },
  });
  const eurLegs = (): { fixedLeg: FixedLeg; floatLeg: FloatLeg } => {
    const l = legs(start, end, 0.027);
    return { fixedLeg: { ...l.fixedLeg, currency: 'EUR' }, floatLeg: { ...l.floatLeg, currency: 'EUR', floatIndex: 'EUR-ESTR' } };
  };
  const one = swaption({ ...eurLegs(), exerciseDates: [expiry] });
  const euro = swaption({ ...eurLegs() });

  it('exercised between grid dates, before its first coupon is paid: E[V(t)/N(t)] in the base currency is today\'s price in it, European and one-date Bermudan (the engine\'s cross-asset paths, 20,000, 3 se)', () => {
    // the exercise drawn on the EUR state's bridge (its drift under the USD measure taken linear in ζ over the step),
    // the first coupons fixing on it, the values × the path's FX level: measured +0.06%, +0.35%, +1.08% and +0.93% of
    // the price (0.1 to 1.0 se) at the four dates, the European and the Bermudan alike (the test helper's simplePaths
    // would not do: its FX forward takes the rates as deterministic, and a EUR swap drifts 3 se from its price there)
    const g = timeGrid(asOf, [fromYmd(2027, 6, 30), fromYmd(2028, 5, 15), fromYmd(2028, 8, 15), fromYmd(2028, 11, 15)]);
    const crossAsset = buildCrossAssetModel(m, buildFactorLayout(m, factorNeeds([euro])));
    const paths = simulatePaths(crossAsset, g, 31, 0, 20_000, {});
    const model = valuationModelOf(crossAsset);
    const price = priceTrade(euro, m).npvBase;
    for (const trade of [euro, one]) {
      const kernel = compileNettingSet([trade], { market: m, model, grid: g, nettingSetId: 'N' });
      for (const date of g.dates.slice(1)) {
        const { mean, se } = deflatedMean(kernel, paths, g.dates.indexOf(date));
        expect(Math.abs(mean - price), `${trade.exerciseDates ? 'Bermudan' : 'European'} ${date}`).toBeLessThan(3 * se);
      }
    }
  });

  it('is valued in the base currency at the path\'s FX level: one exercise date = the engine\'s European, path by path', () => {
    const g = timeGrid(asOf, [fromYmd(2027, 6, 30), expiry, expiry + 45, fromYmd(2031, 6, 30)]);
    const model = simpleModel(m, { currencies: ['USD', 'EUR'], hullWhite: { USD: hw, EUR: hwEur } });
    const paths = simplePaths(model, m, g, { nPaths: 1000, seed: 3, fxVols: { EUR: 0.08 } });
    const kb = compileNettingSet([one], { market: m, model, grid: g, nettingSetId: 'N' });
    const ke = compileNettingSet([euro], { market: m, model, grid: g, nettingSetId: 'N' });
    const pe = priceTrade(euro, m).npvBase;
    const a = new Float64Array(1000);
    const b = new Float64Array(1000);
    let largest = 0; // the comparison is not vacuous: the values are of the size of the price
    for (let d = 0; d < g.dates.length; d++) {
      kb.valueAt(d, paths, a);
      ke.valueAt(d, paths, b);
      let worst = 0;
      for (let p = 0; p < 1000; p++) {
        worst = Math.max(worst, Math.abs(a[p]! - b[p]!));
        largest = Math.max(largest, Math.abs(b[p]!));
      }
      expect(worst, `date ${d}`).toBeLessThan(1e-5 * pe);
    }
    expect(largest).toBeGreaterThan(pe);
  });
});

describe('Bermudan swaptions in the trades table', () => {
  it('exercise=bermudan derives the exercise dates from the fixed leg and the notice; written back; wrong cells are errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-bermudan-'));
    temps.push(dir);
    const SMALL = path.resolve('test/data/small');
    for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = [...lines[0]!.split(','), 'exercise'];
    lines[0] = header.join(',');
    for (let i = 1; i < lines.length; i++) lines[i] += ',';
    const row = (cells: Record<string, string>) => header.map((h) => cells[h] ?? '').join(',');
    const common = { counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'SWAPTION', direction: 'buy', option_type: 'receiver', currency: 'USD', notional: '10000000', expiry_date: '2027-06-28', start_date: '2027-06-30', maturity_date: '2032-06-30', fixed_rate: '0.04', fixed_frequency: '1Y', fixed_day_count: '30/360', float_index: 'USD-SOFR', float_frequency: '3M', float_day_count: 'ACT/360', business_day_convention: 'MF' };
    lines.push(row({ ...common, trade_id: 'BER1', exercise: 'bermudan' }));
    lines.push(row({ ...common, trade_id: 'BER2', exercise: 'bermudan', settlement: 'cash' }));
    lines.push(row({ ...common, trade_id: 'FX9', product: 'FXFWD', currency2: 'EUR', notional2: '9000000', maturity_date: '2027-06-30', exercise: 'bermudan' }));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toContainEqual(expect.objectContaining({ row: lines.length - 2, column: 'exercise', value: 'bermudan', expected: expect.stringMatching(/european for a cash-settled swaption/) }));
    expect(issues.issues).toContainEqual(expect.objectContaining({ row: lines.length - 1, column: 'exercise', value: 'bermudan', expected: expect.stringMatching(/blank for FXFWD/) }));
    const t = book.trades.find((x) => x.tradeId === 'BER1');
    if (t?.product !== 'SWAPTION') throw new Error('test: BER1 is a swaption');
    // 2027-06-28 (two days' notice before 2027-06-30), then two days before each later accrual start (30 June rolled
    // modified following), rolled back off weekends: 2028-06-30 Fri → 06-28; 2029-06-30 Sat → 06-29 → 06-27;
    // 2030-06-30 Sun → 07-01 leaves June → 06-28 → 06-26; 2031-06-30 Mon → 06-28 Sat → 06-27 Fri
    expect(t.exerciseDates).toEqual([fromYmd(2027, 6, 28), fromYmd(2028, 6, 28), fromYmd(2029, 6, 27), fromYmd(2030, 6, 26), fromYmd(2031, 6, 27)]);
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-bermudan-again-'));
    temps.push(again);
    const tables = portfolioTables({ ...book, trades: book.trades.filter((x) => x.tradeId === 'BER1' || !x.tradeId.startsWith('BER')) });
    for (const [name, table] of Object.entries(tables)) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    expect(reread.trades.find((x) => x.tradeId === 'BER1')).toEqual({ ...t, sourceRow: reread.trades.find((x) => x.tradeId === 'BER1')!.sourceRow });
  });
});

describe('Bermudan swaptions in SA-CCR and SIMM', () => {
  it('SA-CCR: an IR option with T the latest exercise date (CRE52.40), S and E those of the longest swap it enters', async () => {
    const { computeSaccr } = await import('../src/capital/saccr/compute.js');
    const set = { nettingSetId: 'N', counterpartyId: 'C', csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0, independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 0, marginFrequencyDays: 1, imModel: 'none' as const, collateralCurrency: 'USD' as const, cleared: false };
    const book = (t: Swaption) => ({ trades: [t], counterparties: [{ counterpartyId: 'C', name: 'C', sector: 'other' as const, rating: 'A' as const, region: 'north_america' as const, qccp: false }], nettingSets: [set], eligibleCollateral: [], collateral: [], sources: {} });
    const dates = exerciseDates(8);
    const bermudan = computeSaccr(book(swaption({ exerciseDates: dates })), market).trades[0]!;
    const european = computeSaccr(book(swaption()), market).trades[0]!;
    const { saccrYears } = await import('../src/capital/saccr/conventions.js');
    expect(bermudan.exerciseYears).toBe(saccrYears(market, dates[7]!));
    expect(bermudan.exerciseYears!).toBeGreaterThan(european.exerciseYears! + 6.9);
    expect([bermudan.startYears, bermudan.endYears, bermudan.adjustedNotional]).toEqual([european.startYears, european.endYears, european.adjustedNotional]);
  });

  it('SIMM: IR vega from the swaption surface through the recalibrated deal LGM, with or without given Hull-White parameters', async () => {
    const { tradeSensitivities } = await import('../src/margin/sensitivities/trade.js');
    const surface = { currency: 'USD' as const, type: 'normal' as const, shift: 0, quotes: [1, 2, 3, 4, 5, 7, 10].flatMap((e) => [1, 5, 10].map((t) => ({ expiryYears: e, tenorYears: t, vol: 0.0085 + 0.0002 * t }))) };
    const calibrated = flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r } }, swaptionVols: { USD: surface } });
    const trade = swaption({ exerciseDates: exerciseDates(4) });
    const { rows } = tradeSensitivities(trade, { market: calibrated, creditBuckets: new Map() });
    const vega = rows.filter((x) => x.riskType === 'Risk_IRVol').reduce((acc, x) => acc + x.amountUsd, 0);
    const scaled = (f: number) => flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r } }, swaptionVols: { USD: { ...surface, quotes: surface.quotes.map((q) => ({ ...q, vol: q.vol * f })) } } });
    const byHand = (priceTrade(trade, scaled(1.01)).npv - priceTrade(trade, scaled(0.99)).npv) / 0.02;
    expect(byHand).toBeGreaterThan(0.1 * priceTrade(trade, calibrated).npv);
    // by SIMM vertex: the vertices' buckets of the surface add up to the whole surface, so their vegas add up to the
    // parallel one (to first order: the recalibration is not linear in the vols; 0.5%)
    expect(Math.abs(vega / byHand - 1)).toBeLessThan(5e-3);
    // spread over the exercise dates' expiries (2Y to 5Y: four exercise dates from 2 years), not all at the first
    const vertices = rows.filter((x) => x.riskType === 'Risk_IRVol' && Math.abs(x.amountUsd) > 0.01 * Math.abs(byHand)).map((x) => x.label1);
    expect(vertices.length).toBeGreaterThanOrEqual(3);
    // one vertex's bucket alone, by hand: the 3Y hat (2Y to 5Y) on the surface's expiries
    const hat3 = (e: number) => (e <= 2 || e >= 5 ? 0 : e <= 3 ? e - 2 : (5 - e) / 2);
    const bucket = (f: number) => flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r } }, swaptionVols: { USD: { ...surface, quotes: surface.quotes.map((q) => ({ ...q, vol: q.vol * (1 + (f - 1) * hat3(q.expiryYears)) })) } } });
    const at3 = (priceTrade(trade, bucket(1.01)).npv - priceTrade(trade, bucket(0.99)).npv) / 0.02;
    expect(rows.find((x) => x.riskType === 'Risk_IRVol' && x.label1 === '3y')!.amountUsd).toBeCloseTo(at3, 2);
    // given Hull-White parameters beside the surface: the deal's LGM is calibrated to the surface all the same (its
    // mean reversion the given one), so the surface moves it: a vega, close to the calibrated market's
    const givenMarket = flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r } }, hullWhite: { USD: hw }, swaptionVols: { USD: surface } });
    const given = tradeSensitivities(trade, { market: givenMarket, creditBuckets: new Map() });
    const givenVega = given.rows.filter((x) => x.riskType === 'Risk_IRVol').reduce((acc, x) => acc + x.amountUsd, 0);
    expect(givenVega).toBeGreaterThan(0.1 * priceTrade(trade, givenMarket).npv);
    expect(given.notes.join('\n')).not.toMatch(/no IR vega/);
  });
});
