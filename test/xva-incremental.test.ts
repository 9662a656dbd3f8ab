/**
 * Incremental allocation (src/xva/incremental.ts): X(set) − X(set without the trade), each an engine run of the set
 * alone. Reference (second method): engine runs of the whole demo book, with and without the trade. The set's runs
 * draw the book's paths (the book's grid, the blocks of the book's layout its trades need), so X(set) is the set's
 * figure in the book's run and X(set without t) the set's figure in the book's run without t, bit for bit: the
 * comparisons are exact. Helper audit 67 found the runs on other paths (a one-trade set's increment 4.6% off its CVA).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';
import { incrementalXva } from '../src/xva/incremental.js';

const DEMO = path.resolve('fixtures/demo');
const XVA = { discretisation: 'mid', mode: 'bilateral' } as const;

let market: Market;
let portfolio: Portfolio;

beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
}, 120_000);

function simulationOf(rng: 'philox' | 'sobol') {
  return {
    paths: 48,
    seed: 11,
    ...(rng === 'sobol' ? { rng: 'sobol' as const, sobolLayout: buildFactorLayout(market, factorNeeds(portfolio.trades)) } : {}),
    antithetic: false,
    pfeQuantile: 0.95,
    skipUnsupported: false,
    grid: parseGridSpec('61,1M'),
  };
}

/** Per netting set, its CVA and DVA in an engine run of `book` (the demo's credit), and the run's grid. */
async function setFigures(book: Portfolio, rng: 'philox' | 'sobol'): Promise<{ grid: TimeGrid; figures: Map<string, { cva: number; dva: number }> }> {
  const result = await runSimulation({ portfolio: book, market, options: { ...simulationOf(rng), threads: 1 } });
  const ccyOf = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const credit = creditInputs(portfolio, market, new Set(portfolio.nettingSets.map((s) => s.counterpartyId)));
  const xva = computeXva(exposureSetsOf(result, (id) => ccyOf.get(id)), credit, XVA, false);
  return { grid: result.grid, figures: new Map(xva.nettingSets.map((n) => [n.nettingSetId, { cva: n.cva, dva: n.dva }])) };
}

async function increments(nettingSetId: string, rng: 'philox' | 'sobol', grid?: TimeGrid) {
  const credit = creditInputs(portfolio, market, new Set(portfolio.nettingSets.map((s) => s.counterpartyId)));
  return incrementalXva({ portfolio, market, nettingSetId, simulation: { ...simulationOf(rng), threads: 1 }, ...(grid ? { grid } : {}), credit, xva: XVA });
}

describe('incremental allocation on the book\'s paths', () => {
  it('a one-trade set (an FX forward, GBP/USD): the trade\'s increment is the set\'s CVA and DVA in the book\'s run, with Philox and Sobol draws', async () => {
    for (const rng of ['philox', 'sobol'] as const) {
      const base = await setFigures(portfolio, rng);
      const inc = await increments('NS-CP0002-1', rng, base.grid);
      expect(inc.rows.map((r) => r.tradeId)).toEqual(['T000010']);
      const own = base.figures.get('NS-CP0002-1')!;
      expect(own.cva).toBeGreaterThan(0);
      expect(inc.rows[0]!.cva).toBe(own.cva);
      expect(inc.rows[0]!.dva).toBe(own.dva);
    }
  }, 120_000);

  it('a three-currency set (CHF IRS, USD OIS, a GBP/USD option): each increment is the set\'s figure in the book\'s run less that in the book\'s run without the trade', async () => {
    const base = await setFigures(portfolio, 'philox');
    // without the base run's grid too (the --results route): the grid a run of the whole book takes
    for (const grid of [base.grid, undefined]) {
      const inc = await increments('NS-CP0003-1', 'philox', grid);
      expect(inc.rows.map((r) => r.tradeId)).toEqual(['T000011', 'T000012', 'T000013']);
      expect(inc.setFigures.cva).toBe(base.figures.get('NS-CP0003-1')!.cva);
      for (const tradeId of ['T000012', 'T000011']) {
        const without = await setFigures({ ...portfolio, trades: portfolio.trades.filter((t) => t.tradeId !== tradeId) }, 'philox');
        const row = inc.rows.find((r) => r.tradeId === tradeId)!;
        expect(row.cva).toBe(base.figures.get('NS-CP0003-1')!.cva - without.figures.get('NS-CP0003-1')!.cva);
        expect(row.dva).toBe(base.figures.get('NS-CP0003-1')!.dva - without.figures.get('NS-CP0003-1')!.dva);
        expect(Math.abs(row.cva)).toBeGreaterThan(0);
      }
    }
  }, 240_000);
});
