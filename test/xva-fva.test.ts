/**
 * FVA and allocation on the ORE swap case (test/data/ore-swap-flat, the 20Y EUR receiver swaps in netting set CPTY_A),
 * simulated by the engine, with funding spreads borrow 50bp / lend 20bp over OIS and a 10bp collateral spread set on
 * the market for the test (the case's market has none):
 * - FCA/FBA of the uncollateralised swap equal the spread-weighted integral of its own EPE/ENE written out here,
 *   s · Σ_i τ_i S_C(t_i) S_B(t_i) X(t_i) (end rule) and the trapezoid with survival at the mid-time (mid rule), from the
 *   same profile: tolerance 1e-9 relative (the same sums in another order).
 * - Euler allocations of the two trades sum to the netting set's CVA, DVA, FCA and FBA (1e-9 relative): the figures
 *   are linear in the per-trade EPE/ENE contributions, which the engine makes add up to the set's profile.
 * - Fully collateralised (VM CSA, zero thresholds and MTAs, daily margining, 1-day MPoR): the exposure left is the
 *   one-day move of a 10m swap, so FCA + FBA must be below 5% of the uncollateralised figure. The bound: EPE scales
 *   with the square root of the horizon, sqrt(1/250) / sqrt(~10y average) ≈ 2%, plus payment-date spikes; 5% leaves
 *   room and is still a clear test that the collateralised profile is used.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { FundingSpreads, Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { computeXva, exposureSetsOf, type ExposureSet, type XvaResult } from '../src/xva/compute.js';
import { creditInputs, type CreditInputs } from '../src/xva/credit.js';

const DATA = path.resolve('test/data/ore-swap-flat');
const FUNDING: FundingSpreads = { currency: 'EUR', borrowSpreadBp: 50, lendSpreadBp: 20, collateralSpreadBp: 10 };

function withFunding(base: Market): Market {
  return new Proxy(base, {
    get(target, prop) {
      if (prop === 'funding') return () => FUNDING;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let market: Market;
let portfolio: Portfolio;
let credit: CreditInputs;

async function simulate(book: Portfolio): Promise<ExposureSet[]> {
  const result = await runSimulation({
    portfolio: book,
    market,
    options: { paths: 1000, seed: 7, grid: parseGridSpec('81,3M'), threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false },
  });
  return exposureSetsOf(result, () => 'EUR');
}

beforeAll(async () => {
  const loaded = await loadSimulationInputs(DATA, path.join(DATA, 'market.yaml'));
  market = withFunding(loaded.market);
  portfolio = loaded.portfolio;
  credit = creditInputs(portfolio, market, ['CPTY_A']);
});

describe('FCA / FBA of an uncollateralised swap = the spread-weighted integral of its own profile', () => {
  let set: ExposureSet;
  let end: XvaResult;
  let mid: XvaResult;
  beforeAll(async () => {
    [set] = (await simulate({ ...portfolio, trades: portfolio.trades.filter((t) => t.tradeId === 'Swap') })) as [ExposureSet];
    end = computeXva([set], credit, { discretisation: 'end', mode: 'unilateral' });
    mid = computeXva([set], credit, { discretisation: 'mid', mode: 'unilateral' });
  }, 120_000);

  it('end rule: FCA = 50bp Σ τ_i S_C(t_i) S_B(t_i) EPE(t_i), FBA = 20bp Σ ... ENE(t_i)', () => {
    const c = market.creditCurve('CPTY_A');
    const b = market.ownCredit!;
    let fca = 0;
    let fba = 0;
    for (let i = 1; i < set.times.length; i++) {
      const t = set.times[i]!;
      const w = (t - set.times[i - 1]!) * c.survival(t) * b.survival(t);
      fca += 0.005 * w * set.epe[i]!;
      fba += 0.002 * w * set.ene[i]!;
    }
    expect(fca).toBeGreaterThan(1000); // a 20Y 10m swap: tens of thousands
    expect(Math.abs(end.book.fca / fca - 1)).toBeLessThan(1e-9);
    expect(Math.abs(end.book.fba / fba - 1)).toBeLessThan(1e-9);
  });

  it('mid rule: trapezoid in the exposure, survival at the mid-time; within 3% of the end rule', () => {
    const c = market.creditCurve('CPTY_A');
    const b = market.ownCredit!;
    let fca = 0;
    for (let i = 1; i < set.times.length; i++) {
      const m = 0.5 * (set.times[i]! + set.times[i - 1]!);
      fca += 0.005 * (set.times[i]! - set.times[i - 1]!) * c.survival(m) * b.survival(m) * 0.5 * (set.epe[i - 1]! + set.epe[i]!);
    }
    expect(Math.abs(mid.book.fca / fca - 1)).toBeLessThan(1e-9);
    expect(Math.abs(mid.book.fca / end.book.fca - 1)).toBeLessThan(0.03);
  });

  it('no collateral, no ColVA', () => {
    expect(end.book.colva).toBe(0);
  });
});

describe('Euler allocation sums to the netting set (two swaps in CPTY_A)', () => {
  it('CVA, DVA, FCA, FBA: Σ trades = netting set to 1e-9 relative, for every mode and rule', async () => {
    const sets = await simulate(portfolio);
    expect(sets[0]!.tradeIds.length).toBe(2);
    for (const discretisation of ['mid', 'end'] as const) {
      for (const mode of ['unilateral', 'bilateral', 'first-to-default'] as const) {
        const x = computeXva(sets, credit, { discretisation, mode });
        for (const m of ['cva', 'dva', 'fca', 'fba'] as const) {
          const total = x.trades.reduce((a, t) => a + t[m], 0);
          expect(Math.abs(total / x.nettingSets[0]![m] - 1), `${m} ${discretisation} ${mode}`).toBeLessThan(1e-9);
        }
      }
    }
  }, 120_000);
});

describe('a fully collateralised netting set has FVA ≈ 0', () => {
  it('zero threshold and MTA, daily margin, 1-day MPoR: FCA + FBA < 5% of the uncollateralised figure', async () => {
    const trades = portfolio.trades.filter((t) => t.tradeId === 'Swap');
    const [open] = await simulate({ ...portfolio, trades });
    const csa = portfolio.nettingSets.map((s) => ({ ...s, csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, marginPeriodOfRiskDays: 1, marginFrequencyDays: 1 }));
    const [covered] = await simulate({ ...portfolio, trades, nettingSets: csa });
    const a = computeXva([open!], credit, { discretisation: 'mid', mode: 'unilateral' }).book;
    const b = computeXva([covered!], credit, { discretisation: 'mid', mode: 'unilateral' }).book;
    expect(a.fca + a.fba).toBeGreaterThan(1000);
    expect(b.fca + b.fba, `collateralised ${b.fca + b.fba} vs ${a.fca + a.fba}`).toBeLessThan(0.05 * (a.fca + a.fba));
    // ColVA: collateral is held or posted on both sides of the swap's life; its sign is the net; |ColVA| is bounded
    // by 10bp × Σ τ |E[C/N]|, and is non-zero now that collateral moves
    expect(b.colva).not.toBe(0);
  }, 120_000);
});
