/**
 * `xva margin`'s collateral coverage scenarios hold the stated `initial_margin_held` of a set without an IM model, as
 * `xva simulate` and `xva cva` hold it and scale it by the coverage (docs/margin.md, "Collateral coverage scenarios";
 * docs/scenarios.md): IM held = c·(the IM collected under the set's model: SIMM or schedule; without one, the stated
 * amount in USD), residual = max(E − c·R − c·IM, 0). An audit found the stated amount left out (the residual overstated
 * by c times it) and a set holding IM without a CSA given no row at all.
 *
 * Reference by hand: E of an uncollateralised set is today's value of its one swap, max(npv, 0) (pricing/index.ts
 * priceTrade, the pricer independent of the margin run), R = 0 without a CSA, and the stated amount at today's spot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTable } from '../src/io/write.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { runMargin } from '../src/margin/run.js';
import { priceTrade } from '../src/pricing/index.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import type { Scenario } from '../src/scenarios/types.js';
import { REPO_ROOT } from './helpers/paths.js';
import { plainNettingSet as nettingSet, sofrSwap } from './helpers/swapBook.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
let market: Market;
let dir: string;

// pay 1% fixed against SOFR: worth well above 0 to the bank on the demo market, so E > 0 and the IM held bites
const swap = (id: string, nettingSetId: string, notional: number) => sofrSwap(id, nettingSetId, 'CP-A', notional, 0.01, 5, 'pay');

function book(): Portfolio {
  return {
    trades: [swap('H1', 'NS-H', 5e7), swap('E1', 'NS-E', 5e7), swap('N1', 'NS-N', 5e7)],
    counterparties: [{ counterpartyId: 'CP-A', name: 'A', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
    nettingSets: [
      // no CSA, no IM model, 2m USD of IM held: in the run for it, stressed by the coverage
      nettingSet('NS-H', 'CP-A', { initialMarginHeld: 2e6 }),
      // the same under a CSA whose threshold keeps R at 0, 1m EUR held
      nettingSet('NS-E', 'CP-A', { csa: true, thresholdCpty: 1e9, thresholdBank: 1e9, collateralCurrency: 'EUR', initialMarginHeld: 1e6 }),
      // nothing held, no CSA: not in the run
      nettingSet('NS-N', 'CP-A'),
    ],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

beforeAll(() => {
  market = loadMarket(MARKET_FILE);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-margin-im-held-'));
  for (const [name, table] of Object.entries(portfolioTables(book()))) writeTable(path.join(dir, `${name}.parquet`), table, 'parquet');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('margin coverage scenarios: a stated initial_margin_held is held and scaled', () => {
  it('residual = max(E − c·IM held, 0) with IM held the stated amount in USD, at 0, 50, 100 and 120%', async () => {
    const scenarios = [0, 0.5, 1, 1.2].map((c) => ({ name: `c${c}`, shocks: { collateralCoverage: c } }) as unknown as Scenario);
    const run = await runMargin({ portfolioDir: dir, marketFile: MARKET_FILE, usePortfolio: true, scenarios });
    expect(run.scenarios.map((s) => `${s.scenario} ${s.nettingSetId}`)).toEqual(['c0 NS-E', 'c0 NS-H', 'c0.5 NS-E', 'c0.5 NS-H', 'c1 NS-E', 'c1 NS-H', 'c1.2 NS-E', 'c1.2 NS-H']);
    const p = book();
    const npvUsd = priceTrade(p.trades[0]!, market).npvBase;
    expect(npvUsd).toBeGreaterThan(2.4e6); // above 1.2 × 2m: the residual is positive in every scenario
    const eurUsd = market.fxSpot('EUR', 'USD');
    for (const s of run.scenarios) {
      const c = s.coverage;
      if (s.nettingSetId === 'NS-H') {
        expect(s.exposure).toBeCloseTo(npvUsd, 6);
        expect(s.vmHeld).toBe(0);
        expect(s.imHeld).toBe(c * 2e6);
        expect(s.residualExposureBase).toBeCloseTo(npvUsd - 2e6, 6);
        expect(s.residualExposureStressed).toBeCloseTo(npvUsd - c * 2e6, 6);
      } else {
        expect(s.vmHeld).toBe(0); // threshold 1bn: nothing called
        expect(s.imHeld).toBeCloseTo(c * 1e6 * eurUsd, 6);
        expect(s.residualExposureBase).toBeCloseTo(Math.max(s.exposure - 1e6 * eurUsd, 0), 6);
        expect(s.residualExposureStressed).toBeCloseTo(Math.max(s.exposure - c * 1e6 * eurUsd, 0), 6);
        // the EUR-collateralised swap's E: the same swap discounted on EUR collateral, near the USD value
        expect(Math.abs(s.exposure / npvUsd - 1)).toBeLessThan(0.05);
      }
    }
  });
});
