/**
 * The cross-currency basis on paths (docs/model.md, "Rates: LGM per currency"): each currency's LGM is on its curve
 * collateralised in the base currency (`curves.xccyBasis` against USD on the demo market), and a netting set
 * collateralised in another currency values its flows in c on c's curve collateralised in it (valuation/model.ts
 * lgmOnCurve), as today's prices do (pricing/curves.ts discountCurveFor). The numbers audit of session 31 found the
 * simulated values at t = 0 off today's for the 11 demo sets holding FX forwards, FX swaps, FX options or
 * cross-currency swaps (NS-CP0002-1's one GBP forward: −210,895 simulated against −216,753 today; NS-CP0044-1: 10.08m
 * against 11.08m), because every currency was simulated on its OIS curve.
 *
 * References independent of the engine: today's prices of each trade (pricing/index.ts priceTrade with the set's
 * collateral currency, the pricer `xva validate` and SA-CCR use), and for the base-collateralised set the martingale
 * E[V(t)/N(t)]·N(0) = V(0) of a trade that pays nothing before t (3 Monte Carlo standard errors).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import { priceTrade } from '../src/pricing/index.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { REPO_ROOT } from './helpers/paths.js';

const DEMO = path.join(REPO_ROOT, 'fixtures/demo');
const OPTIONS: SimulationOptions = { paths: 1000, seed: 11, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true };

let market: Market;
let book: Portfolio;
beforeAll(async () => {
  ({ market, portfolio: book } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

/** The sets `ids` of the demo book; `collateral` re-states a set's collateral currency (a copy under a new id). */
function slice(ids: string[], collateral: Record<string, 'EUR' | 'GBP'> = {}): Portfolio {
  const keep = new Set(ids);
  const sets = book.nettingSets.filter((n) => keep.has(n.nettingSetId));
  const copies = sets.filter((n) => collateral[n.nettingSetId]).map((n) => ({ ...n, nettingSetId: `${n.nettingSetId}-${collateral[n.nettingSetId]}`, collateralCurrency: collateral[n.nettingSetId]! }));
  const trades = book.trades.filter((t) => keep.has(t.nettingSetId));
  const copiedTrades = trades.filter((t) => collateral[t.nettingSetId]).map((t) => ({ ...t, tradeId: `${t.tradeId}-C`, nettingSetId: `${t.nettingSetId}-${collateral[t.nettingSetId]}` }));
  const cps = new Set(sets.map((n) => n.counterpartyId));
  return { ...book, nettingSets: [...sets, ...copies], trades: [...trades, ...copiedTrades], counterparties: book.counterparties.filter((c) => cps.has(c.counterpartyId)) };
}

describe('cross-currency basis on paths', () => {
  it("the value at t = 0 of every set is today's price on its collateral currency's curves, whatever that currency", async () => {
    // NS-CP0002-1: one GBP/USD forward; NS-CP0044-1: cross-currency swaps; both USD-collateralised, and copied under
    // EUR and GBP collateral (where today's price discounts EUR, resp. GBP, flows on their own OIS curves)
    const p = slice(['NS-CP0002-1', 'NS-CP0044-1'], { 'NS-CP0002-1': 'GBP', 'NS-CP0044-1': 'EUR' });
    expect(p.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency])).toEqual([
      ['NS-CP0002-1', 'USD'], ['NS-CP0044-1', 'USD'], ['NS-CP0002-1-GBP', 'GBP'], ['NS-CP0044-1-EUR', 'EUR'],
    ]);
    const t0 = new Map<string, number>();
    await runSimulation({ portfolio: p, market, options: { ...OPTIONS, paths: 8 }, onCube: (id, values) => void (id !== null && t0.set(id, values[0]!)) });
    for (const ns of p.nettingSets) {
      const today = p.trades.filter((t) => t.nettingSetId === ns.nettingSetId).reduce((a, t) => a + priceTrade(t, market, { collateralCurrency: ns.collateralCurrency }).npvBase, 0);
      // the cube is Float32: 6e-8 relative
      expect(Math.abs(t0.get(ns.nettingSetId)! - today), `${ns.nettingSetId}: ${t0.get(ns.nettingSetId)} vs ${today}`).toBeLessThanOrEqual(2e-7 * Math.abs(today) + 1e-6);
    }
    // the basis matters here: the same trades are worth other amounts under the other collateral
    const usd = t0.get('NS-CP0044-1')!;
    const eur = t0.get('NS-CP0044-1-EUR')!;
    expect(Math.abs(usd - eur)).toBeGreaterThan(1e-3 * Math.abs(usd));
  }, 120_000);

  it('under base-currency collateral the deflated value of a GBP forward is a martingale (the FX forward is the basis-adjusted one)', async () => {
    const p = slice(['NS-CP0002-1']);
    expect(p.trades.map((t) => t.product)).toEqual(['FXFWD']);
    const maturity = market.time((p.trades[0] as { maturityDate: number }).maturityDate);
    let values: Float32Array | undefined;
    let numeraire: Float32Array | undefined;
    const result = await runSimulation({ portfolio: p, market, options: OPTIONS, onCube: (id, v) => void (id === null ? (numeraire = v.slice()) : (values = v.slice())) });
    const n = result.nPaths;
    const today = priceTrade(p.trades[0]!, market, { collateralCurrency: 'USD' }).npvBase;
    let checked = 0;
    result.exposureDates.forEach((d, k) => {
      if (result.grid.times[d]! >= maturity) return;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const y = values![k * n + i]! / numeraire![k * n + i]!;
        sum += y;
        sumSq += y * y;
      }
      const mean = sum / n;
      const se = Math.sqrt(Math.max(sumSq / n - mean * mean, 0) / (n - 1));
      expect(Math.abs(mean - today), `date ${k}: ${mean} vs ${today} (se ${se})`).toBeLessThanOrEqual(3 * se + 1e-6 * Math.abs(today));
      checked++;
    });
    expect(checked).toBeGreaterThan(5);
  }, 120_000);
});
