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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import { priceTrade } from '../src/pricing/index.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { Trade } from '../src/products/types.js';
import { loadMarket } from '../src/market/load.js';
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

describe('a CDS under a CSA in another currency, with a basis pillar that is not a discount pillar', () => {
  it("its value at t = 0 on every path is today's price on the basis curve (1e-12 of the notional; was 6e-6: the ISDA integration broke only at the trade currency's pillars)", async () => {
    // the demo market with a 4Y pillar of −150bp in the EUR/USD basis (EUR's OIS curve has no 4Y pillar)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-cds-basis-'));
    try {
      const text = fs.readFileSync(path.join(DEMO, 'market.yaml'), 'utf8');
      const basisAt = text.indexOf('  xccyBasis:');
      const eur = text.indexOf('        - { tenor: 5Y, spreadBp: -12 }', basisAt);
      expect(eur).toBeGreaterThan(basisAt);
      fs.writeFileSync(path.join(dir, 'market.yaml'), text.slice(0, eur) + '        - { tenor: 4Y, spreadBp: -150 }\n' + text.slice(eur));
      const m = loadMarket(path.join(dir, 'market.yaml'));
      expect(Array.from(m.discountCurve('EUR').pillarTimes).some((t) => Math.abs(t - 4) < 0.02)).toBe(false);
      const ns = book.nettingSets.find((n) => n.collateralCurrency === 'USD')!;
      const name = book.trades.find((t) => t.product === 'CDS')!;
      if (name.product !== 'CDS') throw new Error('no CDS');
      const notional = 1e8;
      const cds: Trade = { ...name, tradeId: 'T_CDS_EUR', nettingSetId: ns.nettingSetId, counterpartyId: ns.counterpartyId, currency: 'EUR', notional, maturityDate: m.asOf + 7 * 365 };
      const p: Portfolio = { ...book, nettingSets: [ns], trades: [cds], counterparties: book.counterparties.filter((c) => c.counterpartyId === ns.counterpartyId) };
      let values: Float64Array | undefined;
      await runSimulation({ portfolio: p, market: m, options: { ...OPTIONS, paths: 8 }, onCube: (id, _f32, _n, _s, detail) => void (id !== null && (values = Float64Array.from(detail.values!))) });
      const today = priceTrade(cds, m, { collateralCurrency: 'USD' }).npvBase;
      // and the basis matters: the price on EUR's own curve is another
      expect(Math.abs(priceTrade(cds, m).npvBase - today)).toBeGreaterThan(1e-5 * notional);
      for (let q = 0; q < 8; q++) expect(Math.abs(values![q]! - today), `path ${q}`).toBeLessThanOrEqual(1e-12 * notional);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
