/**
 * Exposure profile figures against closed forms and second methods (src/exposure/profiles.ts, quantile.ts, euler.ts,
 * aggregate.ts; docs/exposure.md).
 *
 * Gaussian case: on each date X = μ + σZ (Z standard normal) and an independent lognormal numeraire
 * N = exp(a + sY), a = −ln P(0,t) + s²/2, so that E[1/N] = P(0,t). Then, with m = μ − c for a constant collateral c,
 *   EPE = P·(mΦ(m/σ) + σφ(m/σ)),  ENE = P·(−mΦ(−m/σ) + σφ(m/σ)),  EE = EPE/P,
 *   sd of max(X − c, 0)/N = sqrt(E[max(X−c,0)²]·P²e^{s²} − EPE²),  E[max(X−c,0)²] = (m² + σ²)Φ(m/σ) + mσφ(m/σ),
 *   PFE_q = max(m + σ·Φ⁻¹(q), 0) (undiscounted).
 * Tolerances: 3 Monte Carlo standard errors of each estimate (closed-form standard error; the draws are Philox with a
 * fixed seed, so the test is deterministic); for a quantile 4 standard errors σ·sqrt(q(1−q)/n)/φ(z_q).
 */
import { describe, it, expect } from 'vitest';
import { fillNormals, inverseNormalCdf } from '../src/simulation/rng/normal.js';
import { normCdf, normPdf } from '../src/pricing/black.js';
import { fromYmd } from '../src/conventions/dates.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeProfile } from '../src/exposure/profiles.js';
import { kthSmallest, quantileInPlace, quantileRank, selectKth } from '../src/exposure/quantile.js';
import { eulerWeights, eulerWeightsBoth, shareEqually } from '../src/exposure/euler.js';
import { accumulatePositiveExposure, createAccumulator, mergeAccumulators, resetAccumulator, totalProfile } from '../src/exposure/aggregate.js';

const AS_OF = fromYmd(2024, 1, 8);
const SEED = 20240108;

function gridOfDays(days: number[]): TimeGrid {
  const dates = Int32Array.from(days, (x) => AS_OF + x);
  return {
    asOf: AS_OF,
    dates,
    times: Float64Array.from(days, (x) => x / 365),
    exposureDate: new Uint8Array(days.length).fill(1),
    lagIndex: new Map(),
  };
}

/** X = μ_d + σ_d Z (factor 1) and N = exp(a_d + sY) (factor 2) on every grid date; date 0 deterministic, N = 1. */
function gaussianCase(n: number, mu: number[], sigma: number[], rate: number, s: number, grid: TimeGrid) {
  const nDates = grid.dates.length;
  const values = new Float64Array(nDates * n);
  const numeraire = new Float64Array(nDates * n);
  const discount = Float64Array.from(grid.times, (t) => Math.exp(-rate * t));
  const z = new Float64Array(n);
  for (let d = 0; d < nDates; d++) {
    fillNormals(SEED, 0, n, 1, d, z);
    for (let p = 0; p < n; p++) values[d * n + p] = mu[d]! + sigma[d]! * z[p]!;
    const a = d === 0 ? 0 : -Math.log(discount[d]!) + 0.5 * s * s;
    fillNormals(SEED, 0, n, 2, d, z);
    for (let p = 0; p < n; p++) numeraire[d * n + p] = d === 0 ? 1 : Math.exp(a + s * z[p]!);
  }
  return { values, numeraire, discount };
}

function positivePartMoments(m: number, sigma: number): { mean: number; second: number } {
  const k = m / sigma;
  return { mean: m * normCdf(k) + sigma * normPdf(k), second: (m * m + sigma * sigma) * normCdf(k) + m * sigma * normPdf(k) };
}

describe('profiles: Gaussian values vs closed forms', () => {
  const n = 200_000;
  const grid = gridOfDays([0, 365, 730, 1095]);
  const mu = [5, 10, -20, 40];
  const sigma = [0, 100, 80, 60];
  const s = 0.2;
  const rate = 0.03;
  const { values, numeraire, discount } = gaussianCase(n, mu, sigma, rate, s, grid);
  const c = 15;
  const collateral = new Float64Array(values.length).fill(c);

  for (const withCollateral of [false, true]) {
    it(`EPE, ENE, EE, collateral and EPE standard error within 3 standard errors (collateral ${withCollateral ? c : 0})`, () => {
      const profile = computeProfile(
        { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: n, values, numeraire, discountFactors: discount, collateral: withCollateral ? collateral : undefined },
        { pfeQuantile: 0.95 },
      );
      const shift = withCollateral ? c : 0;
      // As-of date: deterministic V0 = 5, N = 1: EPE = max(5 − shift, 0), ENE = max(shift − 5, 0).
      expect(profile.epe[0]).toBeCloseTo(Math.max(5 - shift, 0), 12);
      expect(profile.ene[0]).toBeCloseTo(Math.max(shift - 5, 0), 12);
      for (let d = 1; d < grid.dates.length; d++) {
        const P = discount[d]!;
        const m = mu[d]! - shift;
        const pos = positivePartMoments(m, sigma[d]!);
        const neg = positivePartMoments(-m, sigma[d]!);
        const epe = P * pos.mean;
        const ene = P * neg.mean;
        const inverseN2 = P * P * Math.exp(s * s);
        const seEpe = Math.sqrt(pos.second * inverseN2 - epe * epe) / Math.sqrt(n);
        const seEne = Math.sqrt(neg.second * inverseN2 - ene * ene) / Math.sqrt(n);
        expect(Math.abs(profile.epe[d]! - epe)).toBeLessThan(3 * seEpe);
        expect(Math.abs(profile.ene[d]! - ene)).toBeLessThan(3 * seEne);
        expect(Math.abs(profile.ee[d]! - pos.mean)).toBeLessThan((3 * seEpe) / P);
        // The reported standard error estimates the closed-form one (its own relative error is ~0.5% here).
        expect(Math.abs(profile.epeStdError[d]! / seEpe - 1)).toBeLessThan(0.03);
        // E[C/N] = c·P; the sd of 1/N is P·sqrt(e^{s²} − 1).
        const seColl = (c * P * Math.sqrt(Math.exp(s * s) - 1)) / Math.sqrt(n);
        expect(Math.abs(profile.collateral[d]! - (withCollateral ? c * P : 0))).toBeLessThan(3 * seColl + 1e-12);
      }
    });
  }

  for (const q of [0.95, 0.99]) {
    it(`PFE at ${q} = the undiscounted normal quantile max(m + σΦ⁻¹(q), 0) within 4 standard errors`, () => {
      const profile = computeProfile(
        { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: n, values, numeraire, discountFactors: discount, collateral },
        { pfeQuantile: q },
      );
      const zq = inverseNormalCdf(q);
      for (let d = 1; d < grid.dates.length; d++) {
        const exact = Math.max(mu[d]! - c + sigma[d]! * zq, 0);
        const se = (sigma[d]! * Math.sqrt((q * (1 - q)) / n)) / normPdf(zq);
        expect(Math.abs(profile.pfe[d]! - exact)).toBeLessThan(4 * se + 1e-12);
      }
    });
  }
});

describe('profiles: Basel EE, EEE and the one-year averages by hand', () => {
  // As-of Monday 2023-01-02. One year + 4 days = Saturday 2024-01-06, rolled Following to Monday 2024-01-08.
  // Dates: 2023-07-02 (181 days; ACT/ACT t1 = 181/365), 2024-01-08 (t2 = 364/365 + 7/366, on the boundary, included),
  // 2024-07-02 (outside). Deterministic values with N = 1 and P = 1 make EE = V: EE = [10, 30, 40, 50] → EEE = the same.
  // Put a dip: EE = [10, 30, 20, 50] → EEE = [10, 30, 30, 50].
  const asOf = fromYmd(2023, 1, 2);
  const dates = [asOf, fromYmd(2023, 7, 2), fromYmd(2024, 1, 8), fromYmd(2024, 7, 2)];
  const grid: TimeGrid = {
    asOf,
    dates: Int32Array.from(dates),
    times: Float64Array.from(dates, (d) => (d - asOf) / 365),
    exposureDate: new Uint8Array(4).fill(1),
    lagIndex: new Map(),
  };
  const t1 = 181 / 365;
  const t2 = 364 / 365 + 7 / 366;
  const nPaths = 3;
  const run = (ee: number[], maturity?: number, dayCount?: 'ACT/ACT' | 'ACT/365F') => {
    const values = new Float64Array(4 * nPaths);
    ee.forEach((x, d) => values.fill(x, d * nPaths, (d + 1) * nPaths));
    return computeProfile(
      { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths, values, numeraire: new Float64Array(values.length).fill(1), discountFactors: new Float64Array(4).fill(1), maturity },
      { eepeDayCount: dayCount },
    );
  };

  it('EEE is the running maximum of EE; EPE(1Y) and EEPE weight each interval by its end point', () => {
    const profile = run([10, 30, 20, 50]);
    expect([...profile.eee]).toEqual([10, 30, 30, 50]);
    // EPE(1Y) = (30·t1 + 20·(t2 − t1)) / t2; EEPE = (30·t1 + 30·(t2 − t1)) / t2 = 30.
    expect(profile.epe1y).toBeCloseTo((30 * t1 + 20 * (t2 - t1)) / t2, 12);
    expect(profile.eepe).toBeCloseTo(30, 12);
  });

  it('the date one year + 4 days (rolled to a business day) is inside the window; the next one is not', () => {
    const profile = run([10, 30, 40, 50]);
    // EEE = [10, 30, 40, 50]: EEPE = (30·t1 + 40·(t2 − t1)) / t2 (the 2024-07-02 value 50 is not used).
    expect(profile.eepe).toBeCloseTo((30 * t1 + 40 * (t2 - t1)) / t2, 12);
    // With ACT/365F weights t2 = 371/365.
    const act365 = run([10, 30, 40, 50], undefined, 'ACT/365F');
    expect(act365.eepe).toBeCloseTo((30 * t1 + 40 * (371 / 365 - t1)) / (371 / 365), 12);
  });

  it('a netting set maturing before one year averages up to its maturity only', () => {
    // Maturity 2023-09-01: only the 2023-07-02 date is in the window: EPE(1Y) = EEPE = 30.
    const profile = run([10, 30, 40, 50], fromYmd(2023, 9, 1));
    expect(profile.epe1y).toBeCloseTo(30, 12);
    expect(profile.eepe).toBeCloseTo(30, 12);
  });

  it('ENE adds back the segregated IM held: it creates no liability', () => {
    // V = −50 on every path, C = IM = 100 (an uncollateralised set holding IM 100): (V − C)+ = 0;
    // ENE = max(−(V − C + IM), 0) = 50, not 150. EPE = 0.
    const values = new Float64Array(4 * nPaths).fill(-50);
    const profile = computeProfile({
      nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths, values,
      numeraire: new Float64Array(values.length).fill(1),
      discountFactors: new Float64Array(4).fill(1),
      collateral: new Float64Array(values.length).fill(100),
      initialMarginHeld: new Float64Array(4).fill(100),
    });
    expect([...profile.ene]).toEqual([50, 50, 50, 50]);
    expect([...profile.epe]).toEqual([0, 0, 0, 0]);
  });

  it('lastDateIndex and inverseNumeraire: the dates after a dead set\'s last live date (and 1/N given) equal the full pass, bit for bit', () => {
    // Values [10, 30 + path noise, 0, 0] (the set dies after grid index 1), and the same with IM 7 held to the end
    // (then ENE after the last date is 7 and the dates are not skipped).
    const values = new Float64Array(4 * nPaths);
    values.fill(10, 0, nPaths);
    for (let p = 0; p < nPaths; p++) values[nPaths + p] = 30 + 5 * p - 6;
    const base = { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths, values, numeraire: new Float64Array(values.length).fill(1.25), discountFactors: Float64Array.from([1, 0.99, 0.98, 0.97]) };
    for (const im of [undefined, Float64Array.from([7, 7, 7, 7])]) {
      const extra = im ? { collateral: new Float64Array(values.length).fill(7), initialMarginHeld: im } : {};
      const full = computeProfile({ ...base, ...extra });
      // the engine's form: dead dates skipped and 1/N given (computed once per run)
      const skipped = computeProfile({ ...base, ...extra, lastDateIndex: 1, inverseNumeraire: base.numeraire.map((x) => 1 / x) });
      for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError', 'times'] as const) {
        full[key].forEach((x, k) => expect(Object.is(skipped[key][k], x), `${key}[${k}]`).toBe(true));
      }
      expect(Object.is(skipped.eepe, full.eepe) && Object.is(skipped.epe1y, full.epe1y)).toBe(true);
      expect(full.eee[3]).toBe(full.eee[1]); // hand check: EE after death is 0, so EEE keeps the max reached at index 1
    }
  });
});

describe('quantile: selection vs a full sort', () => {
  it('ORE rank rule floor(q(n−1) + 1/2): 48th of 50 and 950th of 1000 at 95%; halves round up', () => {
    expect(quantileRank(0.95, 50)).toBe(47);
    expect(quantileRank(0.95, 1000)).toBe(949);
    expect(quantileRank(0.99, 50)).toBe(49);
    expect(quantileRank(0.5, 4)).toBe(2);
    expect(quantileRank(0.95, 1)).toBe(0);
  });

  it('selectKth equals the sorted order statistic for every rank, with and without ties', () => {
    const z = new Float64Array(400);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + trial * 9;
      fillNormals(SEED, 0, n, 7, trial, z);
      const ties = trial % 2 === 0;
      const data = Float64Array.from(z.subarray(0, n), (x) => (ties ? Math.max(0, Math.round(3 * x)) : x));
      const sorted = Float64Array.from(data).sort();
      let mismatches = 0;
      for (let k = 0; k < n; k++) {
        const copy = Float64Array.from(data);
        if (selectKth(copy, n, k) !== sorted[k]) mismatches++;
        // Partitioned around rank k.
        for (let i = 0; i < n; i++) if ((i < k && copy[i]! > sorted[k]!) || (i > k && copy[i]! < sorted[k]!)) mismatches++;
      }
      expect(mismatches).toBe(0);
    }
  });

  it('band search (n >= 1024) equals the sorted order statistic, including inputs that defeat its sample', () => {
    const n = 6_000;
    const z = new Float64Array(n);
    fillNormals(SEED, 0, n, 10, 0, z);
    // Values at the strided sample positions floor((i + 0.5)·n/256) of the band search.
    const sampled = new Uint8Array(n);
    for (let i = 0; i < 256; i++) sampled[Math.floor(((i + 0.5) * n) / 256)] = 1;
    const inputs: [string, Float64Array][] = [
      ['normal', Float64Array.from(z)],
      ['60% zeros', Float64Array.from(z, (x) => Math.max(x - 0.25, 0))],
      ['ascending', Float64Array.from({ length: n }, (_, i) => i)],
      ['descending', Float64Array.from({ length: n }, (_, i) => n - i)],
      ['two values', Float64Array.from(z, (x) => (x > 1 ? 5 : 0))],
      ['sample all zero, rest positive', Float64Array.from(z, (x, i) => (sampled[i] ? 0 : 1 + Math.abs(x)))],
      ['sample all large, rest small', Float64Array.from(z, (x, i) => (sampled[i] ? 1e6 : x))],
    ];
    let mismatches = 0;
    for (const [, data] of inputs) {
      const sorted = Float64Array.from(data).sort();
      for (const k of [0, 1, 100, 2999, 3000, 5699, 5700, 5940, 5999]) {
        const copy = Float64Array.from(data);
        if (kthSmallest(copy, n, k) !== sorted[k]) mismatches++;
        if (copy.some((x, i) => x !== data[i])) mismatches++; // left untouched
      }
    }
    expect(mismatches).toBe(0);
  });

  it('large arrays: sorted input, all-equal input and 60% zeros', () => {
    const n = 100_001;
    const ascending = Float64Array.from({ length: n }, (_, i) => i);
    expect(quantileInPlace(Float64Array.from(ascending).reverse(), n, 0.95)).toBe(95_000);
    expect(quantileInPlace(new Float64Array(n).fill(7), n, 0.99)).toBe(7);
    const z = new Float64Array(n);
    fillNormals(SEED, 0, n, 9, 0, z);
    const exposure = Float64Array.from(z, (x) => Math.max(x - 0.25, 0));
    const sorted = Float64Array.from(exposure).sort();
    expect(quantileInPlace(Float64Array.from(exposure), n, 0.95)).toBe(sorted[quantileRank(0.95, n)]);
  });
});

/** Three trades on n paths at one date (grid index 1): V_i = a_i + b_i Z1 + c_i Z2, and a random numeraire. */
function tradeCase(n: number) {
  const z1 = new Float64Array(n);
  const z2 = new Float64Array(n);
  const y = new Float64Array(n);
  fillNormals(SEED, 0, n, 11, 1, z1);
  fillNormals(SEED, 0, n, 12, 1, z2);
  fillNormals(SEED, 0, n, 13, 1, y);
  const coefficients = [
    [20, 60, 10],
    [-10, -30, 40],
    [5, 10, -25],
  ];
  const trades = coefficients.map(([a, b, c]) => {
    const v = new Float64Array(2 * n); // grid index 0 and 1, date-major
    v.fill(a!, 0, n);
    for (let p = 0; p < n; p++) v[n + p] = a! + b! * z1[p]! + c! * z2[p]!;
    return v;
  });
  const numeraire = new Float64Array(2 * n).fill(1);
  for (let p = 0; p < n; p++) numeraire[n + p] = Math.exp(0.03 + 0.1 * y[p]!);
  return { trades, numeraire };
}

function sumOf(trades: Float64Array[], scale: number[] = trades.map(() => 1)): Float64Array {
  const out = new Float64Array(trades[0]!.length);
  trades.forEach((t, i) => {
    for (let j = 0; j < out.length; j++) out[j] = out[j]! + scale[i]! * t[j]!;
  });
  return out;
}

describe('Euler allocation', () => {
  const n = 20_000;
  const grid = gridOfDays([0, 365]);
  const { trades, numeraire } = tradeCase(n);
  const discountFactors = Float64Array.from([1, 0.97]);
  const profileOf = (values: Float64Array, collateral?: Float64Array, im?: Float64Array) =>
    computeProfile({ nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: n, values, numeraire, discountFactors, collateral, initialMarginHeld: im });
  /** Σ_p w_p V_{i,p} per trade (the valuation kernel's accumulateTradeWeighted, written out), plus equal shares. */
  const contributions = (side: 'epe' | 'ene', book: Float64Array[], collateral?: Float64Array, im = 0) => {
    const values = sumOf(book);
    const w = new Float64Array(n);
    const residual = eulerWeights(side, 1, n, values, numeraire, w, { collateral, initialMarginHeld: im });
    const out = new Float64Array(book.length);
    book.forEach((t, i) => {
      let sum = 0;
      for (let p = 0; p < n; p++) sum += w[p]! * t[n + p]!;
      out[i] = sum;
    });
    shareEqually(residual, out, book.length);
    return { out, residual };
  };
  const total = (x: Float64Array): number => x.reduce((a, b) => a + b, 0);

  it('uncollateralised: each contribution is the derivative ∂EPE/∂λ_i (central finite difference)', () => {
    // EPE(λ) is piecewise linear in λ_i, with kinks where a path value V_p crosses 0 as λ_i moves. On the first 2,000
    // paths with h = 1e-5 no path crosses (checked below), so the central difference equals the derivative up to
    // summation rounding ~ √n·1e-16·EPE/h ≈ 1e-8.
    const m = 2_000;
    const h = 1e-5;
    const small = trades.map((t) => Float64Array.from([...t.subarray(0, m), ...t.subarray(n, n + m)]));
    const smallN = Float64Array.from([...numeraire.subarray(0, m), ...numeraire.subarray(n, n + m)]);
    const values = sumOf(small);
    const profile = (v: Float64Array) =>
      computeProfile({ nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: m, values: v, numeraire: smallN, discountFactors });
    const w = new Float64Array(m);
    for (const side of ['epe', 'ene'] as const) {
      eulerWeights(side, 1, m, values, smallN, w);
      for (let i = 0; i < small.length; i++) {
        let contribution = 0;
        for (let p = 0; p < m; p++) {
          contribution += w[p]! * small[i]![m + p]!;
          expect(Math.abs(values[m + p]!)).toBeGreaterThan(h * Math.abs(small[i]![m + p]!));
        }
        const up = profile(sumOf(small, small.map((_, j) => (j === i ? 1 + h : 1))));
        const down = profile(sumOf(small, small.map((_, j) => (j === i ? 1 - h : 1))));
        const slope = side === 'epe' ? (up.epe[1]! - down.epe[1]!) / (2 * h) : (up.ene[1]! - down.ene[1]!) / (2 * h);
        expect(Math.abs(contribution - slope)).toBeLessThan(1e-6 * Math.max(1, Math.abs(slope)));
      }
    }
  });

  it('uncollateralised: contributions add up to EPE/ENE and scale with the set (homogeneity of degree one)', () => {
    const profile = profileOf(sumOf(trades));
    const epe = contributions('epe', trades).out;
    const ene = contributions('ene', trades).out;
    expect(Math.abs(total(epe) - profile.epe[1]!)).toBeLessThan(1e-10 * profile.epe[1]!);
    expect(Math.abs(total(ene) - profile.ene[1]!)).toBeLessThan(1e-10 * profile.ene[1]!);
    // Scaling every trade by 2.5 scales EPE and each contribution by 2.5 (the weights do not change).
    const scaledBook = trades.map((t) => Float64Array.from(t, (x) => 2.5 * x));
    const scaled = contributions('epe', scaledBook).out;
    expect(profileOf(sumOf(scaledBook)).epe[1]! / profile.epe[1]!).toBeCloseTo(2.5, 12);
    scaled.forEach((x, i) => expect(x / epe[i]!).toBeCloseTo(2.5, 12));
  });

  it('collateralised (pro rata) with IM and near-zero paths: Σ contributions + equal shares = EPE and ENE exactly', () => {
    // A copy of the book with 40 paths moved to V = 0.5 (trade 0 absorbs the move).
    const book = trades.map((t) => Float64Array.from(t));
    const before = sumOf(book);
    for (let p = 0; p < 40; p++) book[0]![n + p] = book[0]![n + p]! - (before[n + p]! - 0.5);
    const values = sumOf(book);
    // Collateral: 70% of the value rounded to 10, plus IM 5 held. On 20 of the V = 0.5 paths C = −20 + 5 (EPE side:
    // E = 15.5 > 0 with |V| <= 1 → equal shares), on the other 20 C = 30 + 5 (ENE side: L = 29.5 → equal shares).
    const collateral = new Float64Array(values.length);
    for (let j = 0; j < values.length; j++) collateral[j] = 10 * Math.round((0.7 * values[j]!) / 10) + 5;
    for (let p = 0; p < 40; p++) collateral[n + p] = (p < 20 ? -20 : 30) + 5;
    const profile = profileOf(values, collateral, Float64Array.from([5, 5]));
    const epe = contributions('epe', book, collateral, 5);
    const ene = contributions('ene', book, collateral, 5);
    expect(epe.residual).toBeGreaterThan(0);
    expect(ene.residual).toBeGreaterThan(0);
    expect(Math.abs(total(epe.out) - profile.epe[1]!)).toBeLessThan(1e-10 * profile.epe[1]!);
    expect(Math.abs(total(ene.out) - profile.ene[1]!)).toBeLessThan(1e-10 * profile.ene[1]!);
    // The residual is exactly the near-zero paths' exposure: Σ_{p<20} 15.5/(N_p·n) and Σ_{20<=p<40} 29.5/(N_p·n).
    let epeResidual = 0;
    let eneResidual = 0;
    for (let p = 0; p < 40; p++) {
      if (p < 20) epeResidual += 15.5 / (numeraire[n + p]! * n);
      else eneResidual += 29.5 / (numeraire[n + p]! * n);
    }
    expect(epe.residual).toBeCloseTo(epeResidual, 14);
    expect(ene.residual).toBeCloseTo(eneResidual, 14);

    // The engine's one-pass form gives both sides' weights and residuals bit for bit (here and uncollateralised).
    const w = new Float64Array(n);
    const w2 = new Float64Array(n);
    const single = new Float64Array(n);
    const residuals = new Float64Array(2);
    for (const [c, im] of [[collateral, 5], [undefined, 0], [collateral, 0]] as const) {
      eulerWeightsBoth(1, n, values, numeraire, w, w2, residuals, { collateral: c, initialMarginHeld: im });
      ['epe', 'ene'].forEach((side, s) => {
        const r = eulerWeights(side as 'epe' | 'ene', 1, n, values, numeraire, single, { collateral: c, initialMarginHeld: im });
        expect(Object.is(residuals[s], r)).toBe(true);
        const both = s === 0 ? w : w2;
        for (let p = 0; p < n; p++) if (!Object.is(both[p], single[p])) expect.fail(`${side} weight ${p}: ${both[p]} != ${single[p]}`);
      });
    }
  });
});

describe('Euler allocation: the relative near-zero bound', () => {
  it('collateralised paths with |V| <= 1% of |C| join the residual: weights |1 − C/V| <= 101, the identity holds', () => {
    // One date, 4,000 paths: V evenly spread over [−50, 50] (many paths near 0), C = ±c (held on even paths, posted on
    // odd ones), IM 0, N = 1. With c = 40 the relative bound (0.4) is below the absolute limit (1): the residual is
    // ORE's. With c = 4,000 the bound is 40: paths with 1 < |V| <= 40 join the residual, and the weights, which reach
    // |1 − C/V| ≈ 4,000 under the absolute limit alone, stay at or below 101.
    const n = 4_000;
    for (const cSize of [40, 4_000]) {
      const values = new Float64Array(2 * n);
      const collateral = new Float64Array(2 * n);
      const numeraire = new Float64Array(2 * n).fill(1);
      for (let p = 0; p < n; p++) {
        values[n + p] = -50 + (100 * (p + 0.5)) / n;
        collateral[n + p] = p % 2 === 0 ? cSize : -cSize;
      }
      const w = new Float64Array(n);
      const w0 = new Float64Array(n);
      for (const side of ['epe', 'ene'] as const) {
        const residual = eulerWeights(side, 1, n, values, numeraire, w, { collateral });
        const residualOre = eulerWeights(side, 1, n, values, numeraire, w0, { collateral, smallValueRatio: 0 });
        let maxWeight = 0;
        let maxOre = 0;
        let expectedResidual = 0;
        let sum = 0;
        let exposure = 0;
        for (let p = 0; p < n; p++) {
          const v = values[n + p]!;
          const c = collateral[n + p]!;
          const amount = side === 'epe' ? v - c : c - v;
          if (amount > 0) exposure += amount / n;
          if (amount > 0 && Math.abs(v) <= Math.max(1, 0.01 * Math.abs(c))) expectedResidual += amount / n;
          maxWeight = Math.max(maxWeight, Math.abs(w[p]!) * n);
          maxOre = Math.max(maxOre, Math.abs(w0[p]!) * n);
          sum += w[p]! * v;
        }
        expect(residual, `${side} C=±${cSize}`).toBeCloseTo(expectedResidual, 10);
        expect(maxWeight).toBeLessThanOrEqual(101 + 1e-9);
        // Σ_p w_p·V_p + residual = EPE (ENE): the trades' contributions and the equal shares still add up
        expect(Math.abs(sum + residual - exposure)).toBeLessThan(1e-9 * exposure);
        if (cSize === 4_000) {
          expect(residual).toBeGreaterThan(residualOre); // paths with 1 < |V| <= 40 moved to the residual
          expect(maxOre).toBeGreaterThan(1_000); // without the bound the weights reach C/V
        } else expect(residual).toBe(residualOre); // the absolute limit (1) is the larger bound everywhere
      }
    }
  });
});

const total_ = (x: Float64Array): number => x.reduce((a, b) => a + b, 0);

describe('counterparty and book totals', () => {
  const n = 5_000;
  const grid = gridOfDays([0, 182, 365]);
  const a = gaussianCase(n, [1, 10, 5], [0, 50, 70], 0.02, 0.1, grid);
  // A second netting set anti-correlated with the first (same draws, opposite sign) plus a shift, with collateral 8.
  const values2 = Float64Array.from(a.values, (v) => 12 - v);
  const collateral2 = new Float64Array(values2.length).fill(8);
  const input = (id: string, values: Float64Array, collateral?: Float64Array) => ({
    nettingSetId: id, counterpartyId: 'CP', grid, nPaths: n, values, numeraire: a.numeraire, discountFactors: a.discount, collateral,
  });

  it('EPE/ENE/EE/EEE/EEPE add up; PFE and standard error come from the per-path sum of positive parts', () => {
    const p1 = computeProfile(input('NS1', a.values));
    const p2 = computeProfile(input('NS2', values2, collateral2));
    const acc = createAccumulator(grid.dates.length, n);
    accumulatePositiveExposure(acc, a.values);
    accumulatePositiveExposure(acc, values2, collateral2);
    const total = totalProfile([p1, p2], acc, { id: 'CP', counterpartyId: 'CP', numeraire: a.numeraire, pfeQuantile: 0.95 });
    for (let k = 0; k < 3; k++) {
      expect(total.epe[k]).toBeCloseTo(p1.epe[k]! + p2.epe[k]!, 9);
      expect(total.ene[k]).toBeCloseTo(p1.ene[k]! + p2.ene[k]!, 9);
      expect(total.eee[k]).toBeCloseTo(p1.eee[k]! + p2.eee[k]!, 9);
      // Second method: the per-path sums, fully sorted, and their discounted mean and standard error.
      const sums = new Float64Array(n);
      const discounted = new Float64Array(n);
      for (let p = 0; p < n; p++) {
        const j = k * n + p;
        sums[p] = Math.max(a.values[j]!, 0) + Math.max(values2[j]! - 8, 0);
        discounted[p] = sums[p]! / a.numeraire[j]!;
      }
      const mean = total_(discounted) / n;
      const variance = total_(discounted.map((x) => (x - mean) ** 2)) / (n - 1);
      expect(mean).toBeCloseTo(total.epe[k]!, 9);
      expect(total.epeStdError[k]).toBeCloseTo(Math.sqrt(variance / n), 9);
      const sorted = Float64Array.from(sums).sort();
      expect(total.pfe[k]).toBe(sorted[quantileRank(0.95, n)]);
      // Netting sets do not net: the total EPE exceeds that of the summed values whenever they offset.
      let netted = 0;
      for (let p = 0; p < n; p++) netted += Math.max(a.values[k * n + p]! + values2[k * n + p]! - 8, 0) / a.numeraire[k * n + p]! / n;
      if (k > 0) expect(total.epe[k]!).toBeGreaterThan(netted);
    }
    expect(total.eepe).toBeCloseTo(p1.eepe + p2.eepe, 9);
    expect(total.epe1y).toBeCloseTo(p1.epe1y + p2.epe1y, 9);

    // Two shards merged equal one accumulator.
    const left = createAccumulator(grid.dates.length, n);
    const right = createAccumulator(grid.dates.length, n);
    accumulatePositiveExposure(left, a.values);
    accumulatePositiveExposure(right, values2, collateral2);
    mergeAccumulators(left, right);
    expect(left.count).toBe(2);
    expect([...left.positive]).toEqual([...acc.positive]);
    resetAccumulator(left);
    expect(left.count).toBe(0);
    expect(left.positive.every((x) => x === 0)).toBe(true);

    // Only some rows (the engine's exposure dates): those rows bit for bit as the full accumulator, the others untouched
    // (NaN left in them stays), and a reset on those rows empties them only.
    const rows = Int32Array.of(0, 2);
    const some = createAccumulator(grid.dates.length, n);
    some.positive.fill(Number.NaN);
    resetAccumulator(some, rows);
    accumulatePositiveExposure(some, a.values, undefined, rows);
    accumulatePositiveExposure(some, values2, collateral2, rows);
    expect(some.count).toBe(2);
    for (let d = 0; d < grid.dates.length; d++) {
      const row = [...some.positive.subarray(d * n, (d + 1) * n)];
      if (d === 0 || d === 2) expect(row).toEqual([...acc.positive.subarray(d * n, (d + 1) * n)]);
      else expect(row.every(Number.isNaN)).toBe(true);
    }
    expect(() => accumulatePositiveExposure(some, a.values, undefined, Int32Array.of(grid.dates.length))).toThrow(/grid row/);
  });
});

describe('profiles: the EPE standard error of antithetic pairs', () => {
  // X(2i) = μ + σZ_i and X(2i+1) = μ − σZ_i, N = 1: the pairs' means m_i = (max(X(2i),0) + max(X(2i+1),0))/2 are the
  // independent samples. At μ = 0, m_i = σ|Z_i|/2, so Var(m) = σ²(1 − 2/π)/4 and the standard error of the EPE is
  // sqrt(Var(m)/(n/2)); the paths' own sample variance, σ²(1/2 − 1/(2π)) over n, is 1.7 times larger here.
  const n = 100_000;
  const grid = gridOfDays([0, 365]);
  const sigma = 100;
  const z = new Float64Array(n / 2);
  fillNormals(SEED, 0, n / 2, 1, 1, z);
  const values = new Float64Array(2 * n);
  for (let i = 0; i < n / 2; i++) {
    values[n + 2 * i] = sigma * z[i]!;
    values[n + 2 * i + 1] = -sigma * z[i]!;
  }
  const numeraire = new Float64Array(2 * n).fill(1);
  const discountFactors = Float64Array.of(1, 1);
  const input = { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: n, values, numeraire, discountFactors };

  it('equals the standard error of the explicit pair means (1e-12) and the closed form σ·sqrt((1 − 2/π)/(2n)) within 3%', () => {
    const profile = computeProfile(input, { antithetic: true });
    const means = Float64Array.from({ length: n / 2 }, (_, i) => 0.5 * (Math.max(values[n + 2 * i]!, 0) + Math.max(values[n + 2 * i + 1]!, 0)));
    const mean = means.reduce((a, x) => a + x, 0) / means.length;
    const variance = means.reduce((a, x) => a + (x - mean) ** 2, 0) / (means.length - 1);
    const explicit = Math.sqrt(variance / means.length);
    expect(profile.epeStdError[1]! / explicit - 1).toBeCloseTo(0, 12);
    // the estimate's own relative error is about 1/sqrt(n) ≈ 0.3%
    expect(Math.abs(explicit / (sigma * Math.sqrt((1 - 2 / Math.PI) / (2 * n))) - 1)).toBeLessThan(0.03);
    // without the flag, the paths' variance: σ·sqrt((1/2 − 1/(2π))/n), 1.7 times the pairs' here
    const naive = computeProfile(input).epeStdError[1]!;
    expect(Math.abs(naive / (sigma * Math.sqrt((0.5 - 0.5 / Math.PI) / n)) - 1)).toBeLessThan(0.03);
    expect(profile.epe[1]).toBe(computeProfile(input).epe[1]);
  });

  it("a counterparty's total: the pairs' standard error of Σ max(E, 0) (the same sums as one set's)", () => {
    const one = computeProfile(input, { antithetic: true });
    const acc = createAccumulator(grid.dates.length, n);
    accumulatePositiveExposure(acc, values);
    const total = totalProfile([one], acc, { id: 'CP', counterpartyId: 'CP', numeraire, antithetic: true });
    expect(total.epeStdError[1]! / one.epeStdError[1]! - 1).toBeCloseTo(0, 12);
  });
});
