/**
 * Pre-deal what-if on a run drawn with `--rng sobol` (src/xva/whatIf, docs/xva.md "Pre-deal what-if"). A Sobol run
 * draws each driver's coordinates by its slot among the run's drivers, through a Brownian bridge over the whole grid,
 * so the what-if must regenerate those points: the run's slots, the run's whole grid (no prefix). Checked against
 * full engine runs with rng sobol (a second pipeline: src/exposure/engine.ts), on the book of test/xvaWhatIf.test.ts
 * (two sets of fixtures/demo: one uncollateralised, one under a CSA with MPoR), 600 paths, seed 11, in-process:
 * - X(set) equals the Sobol engine run's bit for bit (same paths, kernel, collateral, profile), and differs from the
 *   Philox run's (the what-if really drew Sobol points);
 * - X(set) + ΔX equals the Sobol engine run of the book with the trade, to 1e-9 relative (the what-if adds the trade's
 *   path values to the set's instead of pooling its flows: values differ by rounding, ~1e-15 relative, which moves an
 *   EPE or XVA sum by ~1e-13 relative at most);
 * - a trade needing a factor the run lacked: more drivers move every Sobol coordinate, so every set is valued on the
 *   new points (the note says so), and X(set) + ΔX equals the Sobol engine run of the book with the trade;
 * - a trade maturing after the run's last date: the longer grid changes the bridge, so the paths are new, and again
 *   X(set) + ΔX equals the Sobol engine run with the trade (its grid is the longer one);
 * - the manifest route: a Sobol run's manifest gives rng sobol, an unknown rng is an input error naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation } from '../src/exposure/engine.js';
import type { CubeIndex } from '../src/exposure/cube.js';
import { CubeWriter } from '../src/exposure/outputs.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { XvaInputError } from '../src/errors.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { tradeMaturity, type InterestRateSwap, type Trade } from '../src/products/types.js';
import { buildFactorLayout, type FactorNeeds } from '../src/simulation/layout.js';
import type { FactorLayout, TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf, type XvaFigures } from '../src/xva/compute.js';
import { creditInputs, type CreditInputs } from '../src/xva/credit.js';
import { runWhatIf, settingsFromManifest, type WhatIfResult, type WhatIfSettings } from '../src/xva/whatIf/index.js';
import { DEMO, METRICS, PATHS, runSettings, SEED, SETS, XVA } from './helpers/whatIfBook.js';


let market: Market;
let full: Portfolio;
let book: Portfolio;
let credit: CreditInputs;

type Figures = { figures: Map<string, XvaFigures>; factors: string[]; grid: TimeGrid };

/**
 * A full engine run of the book with `trades`, its Sobol points laid out by its own factors (as `xva simulate` of that
 * book), or as a run of a larger book: `run`'s grid, its layout's Sobol slots, its factors simulated.
 */
async function engineFigures(trades: Trade[], rng: 'philox' | 'sobol' = 'sobol', run?: { grid: TimeGrid; sobolLayout: FactorLayout; needs: FactorNeeds }, cubeFile?: string): Promise<Figures & { cube?: CubeIndex }> {
  const portfolio = { ...book, trades };
  let writer: CubeWriter | undefined;
  const result = await runSimulation({
    portfolio,
    market,
    ...(cubeFile
      ? {
          onCube: (id: string | null, values: Float32Array, n: number, serials: Int32Array, detail: Parameters<CubeWriter['write']>[2]) => {
            writer ??= new CubeWriter(cubeFile, n, serials, 'float64');
            writer.write(id, values, detail);
          },
        }
      : {}),
    options: {
      cube: cubeFile !== undefined,
      paths: PATHS,
      seed: SEED,
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      grid: run?.grid ?? { kind: 'default' },
      ...(rng === 'sobol' ? { rng, sobolLayout: run?.sobolLayout ?? buildFactorLayout(market, factorNeeds(trades)) } : {}),
      ...(run ? { layoutNeeds: run.needs } : {}),
    },
  });
  if (writer) await writer.close();
  const ccy = new Map(book.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const xva = computeXva(exposureSetsOf(result, (id) => ccy.get(id)), credit, XVA, false);
  return { figures: new Map(xva.nettingSets.map((s) => [s.nettingSetId, s])), factors: result.model.factors as string[], grid: result.grid, ...(writer ? { cube: writer.index() } : {}) };
}

function near(actual: number, expected: number, scale: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(scale), 1e-6));
}

let base: Figures;
let philox: Figures;
let settings: WhatIfSettings;
const whatIf = (trades: Trade[]): WhatIfResult => runWhatIf({ market, portfolio: book, trades, file: 'new.csv', settings, credit, xva: XVA });

beforeAll(async () => {
  ({ market, portfolio: full } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  book = { ...full, trades: full.trades.filter((t) => SETS.includes(t.nettingSetId)) };
  credit = creditInputs(full, market, ['CP0029', 'CP0015', 'CP0003']);
  base = await engineFigures(book.trades);
  philox = await engineFigures(book.trades, 'philox');
  settings = runSettings(base.grid, base.factors, { rng: 'sobol' });
}, 120_000);

describe('what-if on a Sobol run against full Sobol engine runs', () => {
  it('X(set) is the Sobol run\'s bit for bit (not the Philox run\'s); X(set) + ΔX = X(Sobol engine, book + trade)', async () => {
    const t434 = book.trades.find((t) => t.tradeId === 'T000434')!;
    const added = { ...t434, tradeId: 'W1', notional: 0.5 * (t434 as { notional: number }).notional } as Trade;
    const t178 = book.trades.find((t) => t.tradeId === 'T000178')!; // the CSA set's swap, a second trade of it
    const addedCsa = { ...t178, tradeId: 'W2', notional: 0.3 * (t178 as { notional: number }).notional } as Trade;
    const w = whatIf([added, addedCsa]);
    expect(w.samePathsAsRun).toBe(true);
    expect(w.rng).toBe('sobol');
    const withTrades = await engineFigures([...book.trades, added, addedCsa]);
    for (const [row, id] of [[w.rows[0]!, 'NS-CP0029-1'], [w.rows[1]!, 'NS-CP0015-1']] as const) {
      const set = base.figures.get(id)!;
      for (const m of METRICS) expect(row.base[m], `${id} ${m}`).toBe(set[m]);
      expect(row.base.cva).not.toBe(philox.figures.get(id)!.cva);
      const withTrade = withTrades.figures.get(id)!;
      for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], withTrade[m]);
      expect(Math.abs(row.delta.cva)).toBeGreaterThan(1e-6 * set.cva);
    }
  }, 120_000);

  it('a run of the whole book: the what-if draws the run\'s slots on the run\'s whole grid though it simulates fewer factors and needs fewer dates', async () => {
    // the run: the whole demo book's factors and grid (a single run of it, or any of its shards, draws these points);
    // valued here on the two sets alone, as a shard holding them would
    const whole = await runSimulation({ portfolio: full, market, options: { paths: 4, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: true, grid: { kind: 'default' } } });
    const wholeLayout = buildFactorLayout(market, factorNeeds(full.trades));
    expect(whole.model.factors).toEqual(wholeLayout.factorNames);
    // every factor of the book simulated, as the single run does, so that these are the single run's paths
    const run = (trades: Trade[]) => engineFigures(trades, 'sobol', { grid: whole.grid, sobolLayout: wholeLayout, needs: factorNeeds(full.trades) });
    const runBase = await run(book.trades);
    const onWhole: WhatIfSettings = { ...settings, grid: whole.grid, runFactors: wholeLayout.factorNames };
    const t178 = book.trades.find((t) => t.tradeId === 'T000178')!;
    const addedCsa = { ...t178, tradeId: 'W5', notional: 0.3 * (t178 as { notional: number }).notional } as Trade;
    const w = runWhatIf({ market, portfolio: book, trades: [addedCsa], file: 'new.csv', settings: onWhole, credit, xva: XVA });
    expect(w.samePathsAsRun).toBe(true);
    // what makes this case: the set's factors are fewer than the run's, and its trades end before the run's last date
    expect(w.factors.length).toBeLessThan(wholeLayout.factorNames.length);
    const lastLive = Math.max(...book.trades.filter((t) => t.nettingSetId === 'NS-CP0015-1').map(tradeMaturity), tradeMaturity(addedCsa));
    expect(lastLive).toBeLessThan(whole.grid.dates[whole.grid.dates.length - 1]!);
    const row = w.rows[0]!;
    const set = runBase.figures.get('NS-CP0015-1')!;
    for (const m of METRICS) expect(row.base[m], m).toBe(set[m]);
    const withTrade = (await run([...book.trades, addedCsa])).figures.get('NS-CP0015-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], withTrade[m]);
  }, 120_000);

  it('a factor the run lacked moves every Sobol coordinate: the sets are valued on the new points, and say so', async () => {
    const chf = full.trades.find((t) => t.tradeId === 'T000011')!; // CHF IRS of another counterparty
    const moved = { ...chf, tradeId: 'W3', counterpartyId: 'CP0029', nettingSetId: 'NS-CP0029-1' } as Trade;
    const w = whatIf([moved]);
    expect(w.samePathsAsRun).toBe(false);
    expect(w.factors).toContain('IR:CHF');
    expect(w.notes.join('\n')).toMatch(/IR:CHF, FX:CHFUSD that the run did not simulate; the run drew Sobol points .* every set is valued on the new paths/);
    const row = w.rows[0]!;
    expect(row.base.cva).not.toBe(base.figures.get('NS-CP0029-1')!.cva);
    const withTrade = (await engineFigures([...book.trades, moved])).figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], withTrade[m]);
  }, 120_000);

  it('a trade maturing after the run\'s last date: the longer grid changes the bridge, and the figures are the longer run\'s', async () => {
    const last = base.grid.dates[base.grid.dates.length - 1]!;
    const t434 = book.trades.find((t) => t.tradeId === 'T000434')! as InterestRateSwap;
    expect(t434.product).toBe('IRS');
    const longer = { ...t434, tradeId: 'W4', fixedLeg: { ...t434.fixedLeg, maturityDate: last + 730 }, floatLeg: { ...t434.floatLeg, maturityDate: last + 730 } } as Trade;
    const w = whatIf([longer]);
    expect(w.samePathsAsRun).toBe(false);
    expect(w.notes.join('\n')).toMatch(/Brownian bridge over its whole grid, which a longer grid changes/);
    const withTrade = await engineFigures([...book.trades, longer]);
    expect(withTrade.grid.dates.length).toBeGreaterThan(base.grid.dates.length);
    const row = w.rows[0]!;
    const set = withTrade.figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], set[m], set[m]);
  }, 120_000);
});

describe('what-if on a Sobol run from its float64 cube (xva simulate --rng sobol --cube --cube-precision float64)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-sobol-cube-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let cubeSettings: WhatIfSettings;
  beforeAll(async () => {
    const file = path.join(dir, 'cube.arrow');
    const run = await engineFigures(book.trades, 'sobol', undefined, file);
    for (const [id, f] of run.figures) for (const m of METRICS) expect(f[m]).toBe(base.figures.get(id)![m]);
    cubeSettings = { ...settings, cube: { file, index: run.cube! } };
  }, 120_000);

  it('the sets\' values read from the cube give the figures of valuing them again, bit for bit, and the run\'s X(set)', () => {
    const t178 = book.trades.find((t) => t.tradeId === 'T000178')!;
    const trades = [{ ...t178, tradeId: 'W6', notional: 0.3 * (t178 as { notional: number }).notional } as Trade];
    const fromCube = runWhatIf({ market, portfolio: book, trades, file: 'new.csv', settings: cubeSettings, credit, xva: XVA });
    const again = whatIf(trades);
    expect(fromCube.rows[0]!.setValues).toBe('cube');
    expect(again.rows[0]!.setValues).toBe('revalued');
    for (const m of METRICS) {
      expect(fromCube.rows[0]!.base[m], m).toBe(again.rows[0]!.base[m]);
      expect(fromCube.rows[0]!.delta[m], m).toBe(again.rows[0]!.delta[m]);
      expect(fromCube.rows[0]!.base[m], m).toBe(base.figures.get('NS-CP0015-1')![m]);
    }
  });

  it('a factor the run lacked: the cube (the run\'s points) is not used, and the figures are the Sobol run\'s with the trade', async () => {
    const chf = full.trades.find((t) => t.tradeId === 'T000011')!;
    const moved = { ...chf, tradeId: 'W7', counterpartyId: 'CP0029', nettingSetId: 'NS-CP0029-1' } as Trade;
    const w = runWhatIf({ market, portfolio: book, trades: [moved], file: 'new.csv', settings: cubeSettings, credit, xva: XVA });
    expect(w.rows[0]!.setValues).toBe('revalued');
    expect(w.notes.join('\n')).toMatch(/the run's cube is not used \(the paths differ from the run's\)/);
    const withTrade = (await engineFigures([...book.trades, moved])).figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(w.rows[0]!.base[m] + w.rows[0]!.delta[m], withTrade[m], withTrade[m]);
  }, 120_000);
});

describe('the manifest of a Sobol run', () => {
  const manifest = (options: Record<string, unknown>): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-sobol-'));
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ command: 'simulate', paths: 100, options: { seed: 1, ...options }, grid: { asOf: '2026-06-30', dateList: ['2026-06-30', '2026-12-30'], exposureDateFlags: [1, 1] }, model: { factors: ['IR:USD'] } }),
    );
    return dir;
  };
  it('gives rng sobol; philox or none gives Philox draws; another value is an input error naming options.rng', () => {
    for (const [options, rng] of [[{ rng: 'sobol' }, 'sobol'], [{ rng: 'philox' }, undefined], [{}, undefined]] as const) {
      const dir = manifest(options);
      try {
        expect(settingsFromManifest(dir).rng).toBe(rng);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const dir = manifest({ rng: 'halton' });
    try {
      const error = (() => {
        try {
          settingsFromManifest(dir);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(XvaInputError);
      expect((error as XvaInputError).issues).toContainEqual(expect.objectContaining({ file: 'manifest.json', column: 'options.rng', value: '"halton"' }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
