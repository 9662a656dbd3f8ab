/**
 * Pre-deal what-if of a trade maturing after the run's last grid date (src/xva/whatIf, docs/xva.md "A trade maturing
 * after the run's last grid date"). The default grid is then extended to the trade's maturity. Book: the two sets of
 * test/xvaWhatIf.test.ts (NS-CP0029-1 uncollateralised; NS-CP0015-1 under a CSA with a 10-day MPoR) with an EUR/USD
 * forward in the CSA set delivering on the book's last grid date T, so that the CSA set closes out at T: its exposure
 * there (V = 0, the collateral called at the lag date still held) is not 0. Under the `mid` rule the weight of
 * T depends on the next grid date (src/xva/weights.ts spread: ½ of the interval after T), so on the extended grid
 * that set would gain a half-interval after T that the run of the book never counts (an audit: ΔDVA −1,766.73 against
 * −694.86 from two full runs). 600 paths, seed 11, in-process; references are full engine runs
 * (src/exposure/engine.ts) of the book with and without the trade, same seed and paths:
 * - X(set) equals the run's figure bit for bit (same paths, kernel, collateral, profile, and the run's weights);
 * - ΔX equals X(engine, book + trade) − X(engine, book) to 1e-9 of the larger figure: the what-if adds the trade's
 *   path values to the set's instead of pooling its flows, so values differ by rounding only (~1e-15 relative), which
 *   moves an XVA sum by ~1e-13 relative at most;
 * - a row whose trade does not extend the grid is bit for bit the same whether or not the file holds a trade that
 *   does (each is in its own group, on its own grid), on the route valuing the sets again, from a float64 cube (whose
 *   values are the engine's exactly, so its X(set) is the run's too) and on Sobol points (where a longer grid changes
 *   the bridge: grouped so before, checked here as a route).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation } from '../src/exposure/engine.js';
import type { CubeIndex } from '../src/exposure/cube.js';
import { CubeWriter } from '../src/exposure/outputs.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { FxForward, InterestRateSwap, Trade } from '../src/products/types.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf, type XvaFigures } from '../src/xva/compute.js';
import { creditInputs, type CreditInputs } from '../src/xva/credit.js';
import { runWhatIf, type WhatIfResult, type WhatIfSettings } from '../src/xva/whatIf/index.js';
import { DEMO, METRICS, PATHS, runSettings, SEED, SETS, XVA } from './helpers/whatIfBook.js';

const CSA_SET = 'NS-CP0015-1';
const temps: string[] = [];

let market: Market;
let book: Portfolio;
let credit: CreditInputs;
let run: Run;
let settings: WhatIfSettings;

interface Run {
  figures: Map<string, XvaFigures>;
  grid: TimeGrid;
  factors: string[];
  cube?: CubeIndex;
}

/** A full engine run of the book with `trades` (default grid: to the last maturity), Philox or Sobol, with a float64 cube. */
async function engineRun(trades: Trade[], rng: 'philox' | 'sobol' = 'philox', cubeFile?: string): Promise<Run> {
  let writer: CubeWriter | undefined;
  const result = await runSimulation({
    portfolio: { ...book, trades },
    market,
    options: {
      paths: PATHS,
      seed: SEED,
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      grid: { kind: 'default' },
      cube: cubeFile !== undefined,
      ...(rng === 'sobol' ? { rng, sobolLayout: buildFactorLayout(market, factorNeeds(trades)) } : {}),
    },
    ...(cubeFile
      ? {
          onCube: (id: string | null, values: Float32Array, n: number, serials: Int32Array, detail: Parameters<CubeWriter['write']>[2]) => {
            writer ??= new CubeWriter(cubeFile, n, serials, 'float64');
            writer.write(id, values, detail);
          },
        }
      : {}),
  });
  if (writer) await writer.close();
  const ccy = new Map(book.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const xva = computeXva(exposureSetsOf(result, (id) => ccy.get(id)), credit, XVA, false);
  return { figures: new Map(xva.nettingSets.map((s) => [s.nettingSetId, s])), grid: result.grid, factors: result.model.factors as string[], ...(writer ? { cube: writer.index() } : {}) };
}

const whatIf = (trades: Trade[], s: WhatIfSettings = settings): WhatIfResult => runWhatIf({ market, portfolio: book, trades, file: 'new.csv', settings: s, credit, xva: XVA });

/** A copy of swap `t` as trade `id` of `setId`, maturing on `maturity` (both legs), at `scale` times its notional. */
function swapCopy(t: InterestRateSwap, id: string, setId: string, counterpartyId: string, maturity?: number, scale = 1): Trade {
  const leg = <L extends { maturityDate: number; notional: number }>(l: L): L => ({ ...l, notional: scale * l.notional, ...(maturity !== undefined ? { maturityDate: maturity } : {}) });
  return { ...t, tradeId: id, nettingSetId: setId, counterpartyId, fixedLeg: leg(t.fixedLeg), floatLeg: leg(t.floatLeg) };
}

let t434: InterestRateSwap;
let lastDate: number;

beforeAll(async () => {
  const loaded = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml'));
  market = loaded.market;
  const full = loaded.portfolio;
  t434 = full.trades.find((t) => t.tradeId === 'T000434') as InterestRateSwap;
  expect(t434.product).toBe('IRS');
  book = { ...full, trades: full.trades.filter((t) => SETS.includes(t.nettingSetId)) };
  credit = creditInputs(full, market, ['CP0029', 'CP0015']);
  // the book's last grid date T (an exposure date), then an EUR/USD forward in the CSA set delivering on T: the set's
  // last live date is T's close-out (lag) date and its close-out exposure sits at T, the run's last date
  const first = await engineRun(book.trades);
  lastDate = first.grid.dates[first.grid.dates.length - 1]!;
  expect(first.grid.exposureDate[first.grid.dates.length - 1]).toBe(1);
  const template = full.trades.find((t) => t.product === 'FXFWD') as FxForward;
  const forward: FxForward = { ...template, tradeId: 'B1', counterpartyId: 'CP0015', nettingSetId: CSA_SET, direction: 'buy', currency: 'EUR', notional: 20e6, currency2: 'USD', notional2: 22e6, maturityDate: lastDate };
  book = { ...book, trades: [...book.trades, forward] };
  run = await engineRun(book.trades);
  expect(run.grid.dates[run.grid.dates.length - 1]).toBe(lastDate);
  settings = runSettings(run.grid, run.factors);
}, 120_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function near(actual: number, expected: number, scale: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(scale), 1e-6));
}

describe('a trade maturing after the run\'s last grid date (default grid extended)', () => {
  it('X(set) is the run\'s bit for bit, and ΔX the difference of the full runs with and without the trade', async () => {
    const long = swapCopy(t434, 'L1', CSA_SET, 'CP0015', lastDate + 5 * 365);
    const w = whatIf([long]);
    expect(w.samePathsAsRun).toBe(true);
    expect(w.notes.join('\n')).toMatch(/the default grid is extended/);
    const withTrade = await engineRun([...book.trades, long]);
    expect(withTrade.grid.dates.length).toBeGreaterThan(run.grid.dates.length);
    const row = w.rows[0]!;
    const set = run.figures.get(CSA_SET)!;
    const after = withTrade.figures.get(CSA_SET)!;
    // the set's DVA is material (the bank posts collateral), so a trailing half-interval would show
    expect(set.dva).toBeGreaterThan(0);
    for (const m of METRICS) {
      expect(row.base[m], m).toBe(set[m]);
      near(row.delta[m], after[m] - set[m], Math.max(Math.abs(after[m]), Math.abs(set[m])));
    }
  }, 120_000);

  it('a row that does not extend the grid is the same with or without a grid-extending row in the file (the run\'s grid)', async () => {
    const plain = swapCopy(t434, 'P1', CSA_SET, 'CP0015', undefined, 0.5);
    const long = swapCopy(t434, 'L2', 'NS-CP0029-1', 'CP0029', lastDate + 5 * 365);
    const together = whatIf([plain, long]);
    const alone = whatIf([plain]);
    expect(together.rows[0]).toEqual(alone.rows[0]);
    expect(together.rows[1]).toEqual(whatIf([long]).rows[0]);
    expect(together.groups).toBe(2);
    const row = together.rows[0]!;
    expect(row.samePathsAsRun).toBe(true);
    const set = run.figures.get(CSA_SET)!;
    const after = (await engineRun([...book.trades, plain])).figures.get(CSA_SET)!;
    for (const m of METRICS) {
      expect(row.base[m], m).toBe(set[m]);
      near(row.delta[m], after[m] - set[m], Math.max(Math.abs(after[m]), Math.abs(set[m])));
    }
  }, 120_000);

  it('from the run\'s float64 cube: the same rows bit for bit, each group reading the cube', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-longer-'));
    temps.push(dir);
    const cubeFile = path.join(dir, 'cube.arrow');
    const cubeRun = await engineRun(book.trades, 'philox', cubeFile);
    const cubeSettings = { ...settings, cube: { file: cubeFile, index: cubeRun.cube! } };
    const trades = [swapCopy(t434, 'P1', CSA_SET, 'CP0015', undefined, 0.5), swapCopy(t434, 'L1', CSA_SET, 'CP0015', lastDate + 5 * 365)];
    const fromCube = whatIf(trades, cubeSettings);
    const again = whatIf(trades);
    expect(fromCube.rows.map((r) => r.setValues)).toEqual(['cube', 'cube']);
    fromCube.rows.forEach((row, i) => {
      for (const m of METRICS) {
        expect(row.base[m], `${row.tradeId} ${m}`).toBe(run.figures.get(CSA_SET)![m]);
        expect(row.delta[m], `${row.tradeId} Δ${m}`).toBe(again.rows[i]!.delta[m]);
      }
    });
    expect(fromCube.rows[0]).toEqual(whatIf([trades[0]!], cubeSettings).rows[0]);
    expect(fromCube.groups).toBe(2);
  }, 120_000);

  it('on Sobol points: the row that does not extend the grid keeps the Sobol run\'s paths and figure', async () => {
    const sobolRun = await engineRun(book.trades, 'sobol');
    const sobol = runSettings(sobolRun.grid, sobolRun.factors, { rng: 'sobol' });
    const plain = swapCopy(t434, 'P1', CSA_SET, 'CP0015', undefined, 0.5);
    const long = swapCopy(t434, 'L2', 'NS-CP0029-1', 'CP0029', lastDate + 5 * 365);
    const together = whatIf([plain, long], sobol);
    expect(together.rows[0]).toEqual(whatIf([plain], sobol).rows[0]);
    expect(together.rows[0]!.samePathsAsRun).toBe(true);
    expect(together.rows[1]!.samePathsAsRun).toBe(false);
    for (const m of METRICS) expect(together.rows[0]!.base[m], m).toBe(sobolRun.figures.get(CSA_SET)![m]);
  }, 120_000);
});
