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
import { loadMarket } from '../src/market/load.js';
import { simmCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { regressionIm, runDim } from '../src/margin/dim.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { InterestRateSwap } from '../src/products/types.js';
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

describe('DIM of a single 5y swap on the demo market', () => {
  it('DIM(0) = SIMM today, decays to 0 at maturity; MVA from the profile', async () => {
    const market = loadMarket(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'));
    const start = fromYmd(2026, 7, 2);
    const end = fromYmd(2031, 7, 2);
    const leg = { currency: 'USD' as const, notional: 1e8, startDate: start, maturityDate: end, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
    const swap: InterestRateSwap = {
      tradeId: 'S1', counterpartyId: 'CP1', nettingSetId: 'NS1', cleared: false, product: 'IRS', direction: 'pay',
      fixedLeg: { ...leg, kind: 'fixed', fixedRate: 0.035, frequency: '1Y', dayCount: '30/360' },
      floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
    };
    const portfolio: Portfolio = {
      trades: [swap],
      counterparties: [{ counterpartyId: 'CP1', name: 'One', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
      nettingSets: [{
        nettingSetId: 'NS1', counterpartyId: 'CP1', csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
        independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'simm', collateralCurrency: 'USD', cleared: false,
      }],
      eligibleCollateral: [],
      collateral: [],
      sources: {},
    };
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
    const tEnd = market.time(end);
    const k4 = p.times.findIndex((t) => t >= tEnd - 1);
    expect(p.expectedImCollect[k4]!).toBeLessThan(0.25 * collect);
    for (let k = 0; k < p.times.length; k++) if (p.times[k]! >= tEnd + 7 / 365) expect(p.expectedImCollect[k]).toBe(0);
    // MVA (Green-Kenyon) recomputed from the profile: borrow spread, survival of both, OIS discount
    const spread = market.funding('USD').borrowSpreadBp * 1e-4;
    const cpCurve = market.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'north_america' }).curve;
    let mva = 0;
    for (let k = 0; k + 1 < p.times.length; k++) {
      const t = p.times[k]!;
      mva += spread * p.expectedImPost[k]! * cpCurve.survival(t) * (market.ownCredit?.survival(t) ?? 1) * market.discountCurve('USD').discount(t) * (p.times[k + 1]! - t);
    }
    expect(p.mva).toBeCloseTo(mva, 6);
    // order of magnitude: s_f·IM(0)·(life/2) bounds it from above for a linearly decaying profile
    expect(p.mva).toBeLessThan(spread * post * 5);
    expect(p.mva).toBeGreaterThan(spread * post * 0.5);
  });
});
