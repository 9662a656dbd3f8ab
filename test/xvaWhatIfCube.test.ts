/**
 * Pre-deal what-if from the run's cube (src/xva/whatIf/cubeValues.ts), the cube's layout 2 (src/exposure/cube.ts,
 * outputs.ts CubeWriter) and its random-access reader (src/exposure/cubeReader.ts). Book: two netting sets cut from
 * fixtures/demo (NS-CP0029-1 uncollateralised; NS-CP0015-1 under a CSA with a 10-day MPoR) plus an EUR/USD forward
 * in the CSA set maturing on an exposure date after its other trades, so that the set's last live date is that
 * date's close-out date: the margin call of that exposure date, after the set's last live date, reads the set's value
 * at its lag date (the close-out row a new trade outliving the set needs). 600 paths, seed 11, one engine run per
 * cube precision (float32, float64).
 *
 * References and tolerances:
 * - round trip: every stored value equals the engine's Float64 value (the set compiled again and valued on the same
 *   paths: compileNettingSet + simulatePaths, independent of the unit's capture code) rounded to Float32
 *   (Math.fround), exactly, and in a float64 cube equals it exactly; the close-out rows sit at the set's lag dates
 *   (grid.lagIndex), exactly;
 * - the what-if from a float64 cube equals the what-if valuing the sets again bit for bit (the same Float64 values);
 * - random access: opening the cube and reading one set's batch reads the footer and that batch's block only
 *   (bytesRead), and gives the same rows as apache-arrow's full read of the file;
 * - the what-if from the cube against the what-if valuing the sets again (same paths): the trade's own values are the
 *   same, so the standalone figures are equal bit for bit; X(set) and ΔX differ only through the Float32 rounding of
 *   the set's values, bounded by float32Bound below (derivation there);
 * - X(set) + ΔX from the cube against an engine run of the book with the trade added: the same bound plus 1e-9
 *   relative (the engine pools the trade's flows with the set's, the what-if adds values: rounding only, as in
 *   test/xvaWhatIf.test.ts);
 * - a new factor after the run's in its correlation block (EQ:SPX): the engine run of the book with it gives the
 *   other set the run's figures bit for bit (the run's paths are kept), and the what-if reads the float64 cube and
 *   gives the run's X(set) bit for bit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation } from '../src/exposure/engine.js';
import type { CubeIndex, CubePrecision } from '../src/exposure/cube.js';
import { CubeReader, type CubeRecord } from '../src/exposure/cubeReader.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { CubeWriter } from '../src/exposure/outputs.js';
import { exposureDateIndices } from '../src/exposure/profiles.js';
import { loadSimulationInputs, simulateToFiles } from '../src/exposure/simulate.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { EquityForward, FxForward, Trade } from '../src/products/types.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf, setWeights, type XvaFigures, type XvaOptions } from '../src/xva/compute.js';
import { creditInputs, type CreditInputs } from '../src/xva/credit.js';
import { runWhatIf, settingsFromManifest, type WhatIfResult, type WhatIfSettings } from '../src/xva/whatIf/index.js';
import { DEMO, METRICS, PATHS, ROOT, runSettings, SEED, SETS, XVA } from './helpers/whatIfBook.js';

const CSA_SET = 'NS-CP0015-1';
const temps: string[] = [];

let market: Market;
let full: Portfolio;
let book: Portfolio;
let credit: CreditInputs;
let grid: TimeGrid;
let factors: string[];
let cubeFile: string;
let cubeIndex: CubeIndex;
let cube64File: string;
let cube64Index: CubeIndex;
let runFigures: Map<string, XvaFigures>;
let settings: WhatIfSettings;
let cubeSettings: WhatIfSettings;

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-cube-'));
  temps.push(dir);
  return dir;
}

async function engineRun(trades: Trade[], cube?: string, precision: CubePrecision = 'float32'): Promise<{ figures: Map<string, XvaFigures>; grid: TimeGrid; factors: string[]; index?: CubeIndex }> {
  let writer: CubeWriter | undefined;
  const result = await runSimulation({
    portfolio: { ...book, trades },
    market,
    options: { paths: PATHS, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: grid ?? { kind: 'default' }, cube: cube !== undefined },
    ...(cube
      ? {
          onCube: (id: string | null, values: Float32Array, n: number, serials: Int32Array, detail: Parameters<CubeWriter['write']>[2]) => {
            writer ??= new CubeWriter(cube, n, serials, precision);
            writer.write(id, values, detail);
          },
        }
      : {}),
  });
  if (writer) await writer.close();
  const ccy = new Map(book.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const xva = computeXva(exposureSetsOf(result, (id) => ccy.get(id)), credit, XVA, false);
  return { figures: new Map(xva.nettingSets.map((s) => [s.nettingSetId, s])), grid: result.grid, factors: result.model.factors as string[], ...(writer ? { index: writer.index() } : {}) };
}

/**
 * Bound on how far a figure of a set moves when its stored values are Float32 instead of Float64. Rounding to
 * nearest: |δV| ≤ 2^-24·|V| on every stored row. Per path and exposure date the exposure max(V − C, 0) (or its
 * negative part) is 1-Lipschitz in V, and the collateral C is the coverage (≤ 1.2) times a balance set at margin
 * calls from clamped V at earlier rows (thresholds, independent amounts: 1-Lipschitz), so it moves by ≤ 1.2·max_j|δV_j|
 * (an MTA or rounding step could flip only if a shortfall sat within that distance of it: not on these paths, which
 * are fixed by the seed). So a figure Σ_k w_k E[f_k/N_k] moves by ≤ 2.2·2^-24·Σ_k |w_k|·E[M/N_k], M = the path's
 * largest |V| over the set's stored rows; ΔX = X(set + trade) − X(set) holds two such figures: 4.4·(…) ≤ 5·2^-24·(…).
 * The new trade's values are the same on both routes and do not enter.
 */
function float32Bound(set: CubeRecord, numeraire: CubeRecord, weights: Float64Array): number {
  const n = set.nPaths;
  const largest = new Float64Array(n);
  const rows = set.values.length / n;
  for (let k = 0; k < rows; k++) for (let p = 0; p < n; p++) largest[p] = Math.max(largest[p]!, Math.abs(set.values[k * n + p]!));
  const extra = set.closeOutValues.length / n;
  for (let r = 0; r < extra; r++) for (let p = 0; p < n; p++) largest[p] = Math.max(largest[p]!, Math.abs(set.closeOutValues[r * n + p]!));
  let sum = 0;
  for (let k = 0; k < weights.length; k++) {
    let mean = 0;
    for (let p = 0; p < n; p++) mean += largest[p]! / numeraire.values[k * n + p]!;
    sum += Math.abs(weights[k]!) * (mean / n);
  }
  return 5 * 2 ** -24 * sum;
}

/** Per metric, the Float32 bound of a set of the book (weights of its counterparty, exposure dates of the run). */
function boundsOf(setId: string): Record<keyof XvaFigures, number> {
  const reader = CubeReader.open(cubeFile);
  try {
    const entry = cubeIndex.nettingSets.find((e) => e.nettingSetId === setId)!;
    const set = reader.readBatch(entry.batch);
    const numeraire = reader.readBatch(cubeIndex.numeraireBatch);
    const ns = book.nettingSets.find((s) => s.nettingSetId === setId)!;
    const times = Float64Array.from(exposureDateIndices(grid), (d) => grid.times[d]!);
    const w = setWeights(times, credit.counterparties.get(ns.counterpartyId)!, credit, XVA, ns.collateralCurrency);
    return { cva: float32Bound(set, numeraire, w.cva), dva: float32Bound(set, numeraire, w.dva), fca: float32Bound(set, numeraire, w.fca), fba: float32Bound(set, numeraire, w.fba), colva: float32Bound(set, numeraire, w.colva) };
  } finally {
    reader.close();
  }
}

beforeAll(async () => {
  ({ market, portfolio: full } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  book = { ...full, trades: full.trades.filter((t) => SETS.includes(t.nettingSetId)) };
  credit = creditInputs(full, market, ['CP0029', 'CP0015']);
  // the book's grid, then an EUR/USD forward in the CSA set maturing on the first exposure date after index 40 (past
  // its other trades): the set's last live index is then that date's close-out date, which precedes it
  const first = await engineRun(book.trades);
  grid = first.grid;
  const exposure = exposureDateIndices(grid);
  const d = exposure.find((i) => i > 40)!;
  const template = full.trades.find((t) => t.product === 'FXFWD') as FxForward;
  const forward: FxForward = { ...template, tradeId: 'X1', counterpartyId: 'CP0015', nettingSetId: CSA_SET, direction: 'buy', currency: 'EUR', notional: 4e6, currency2: 'USD', notional2: 4.4e6, maturityDate: grid.dates[d]! };
  book = { ...book, trades: [...book.trades, forward] };
  cubeFile = path.join(tempDir(), 'cube.arrow');
  const run = await engineRun(book.trades, cubeFile);
  cubeIndex = run.index!;
  runFigures = run.figures;
  cube64File = path.join(tempDir(), 'cube.arrow');
  cube64Index = (await engineRun(book.trades, cube64File, 'float64')).index!;
  factors = run.factors;
  settings = runSettings(grid, factors);
  cubeSettings = { ...settings, cube: { file: cubeFile, index: cubeIndex } };
}, 180_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('cube.arrow, layout 2', () => {
  it('round trip: each stored value is the engine value rounded to Float32 (float64 cube: exactly); close-out rows at the lag dates of the CSA set', () => {
    const layout = buildFactorLayout(market, factorNeeds(book.trades));
    expect(layout.factorNames).toEqual(factors);
    const model = buildCrossAssetModel(market, layout);
    const paths = simulatePaths(model, grid, SEED, 0, PATHS, { antithetic: false });
    const exposure = exposureDateIndices(grid);
    const lag = grid.lagIndex.get(10)!;
    const reader = CubeReader.open(cubeFile);
    const reader64 = CubeReader.open(cube64File);
    const row = new Float64Array(PATHS);
    const expectRow = (stored: Float32Array | Float64Array, at: number, d: number, kernel: ReturnType<typeof compileNettingSet>, last: number): void => {
      if (d <= last) kernel.valueAt(d, paths, row);
      else row.fill(0);
      const round = stored instanceof Float64Array ? (x: number) => x : Math.fround;
      for (let p = 0; p < PATHS; p++) if (stored[at * PATHS + p] !== round(row[p]!)) expect.fail(`row at grid ${d}, path ${p}: ${stored[at * PATHS + p]} vs ${round(row[p]!)}`);
    };
    try {
      expect(cubeIndex.layout).toBe(2);
      expect(reader.layout).toBe(2);
      const numeraire = reader.readBatch(cubeIndex.numeraireBatch);
      expect(numeraire.nettingSetId).toBeNull();
      for (let k = 0; k < exposure.length; k++) for (let p = 0; p < PATHS; p++) expect(numeraire.values[k * PATHS + p]).toBe(Math.fround(paths.numeraire[exposure[k]! * PATHS + p]!));
      let afterLast = 0;
      for (const entry of cubeIndex.nettingSets) {
        const trades = book.trades.filter((t) => t.nettingSetId === entry.nettingSetId);
        const kernel = compileNettingSet(trades, { market, model: valuationModelOf(model), grid, nettingSetId: entry.nettingSetId });
        const last = Math.min(kernel.lastDateIndex, grid.dates.length - 1);
        expect(entry.lastDateIndex).toBe(last);
        const record = reader.readBatch(entry.batch);
        const record64 = reader64.readBatch(entry.batch);
        expect(record.nettingSetId).toBe(entry.nettingSetId);
        expect([...record.gridIndex]).toEqual([...exposure]);
        let extra = 0;
        for (let k = 0; k < exposure.length; k++) {
          const d = exposure[k]!;
          expectRow(record.values, k, d, kernel, last);
          expectRow(record64.values, k, d, kernel, last);
          const want = entry.nettingSetId === CSA_SET && lag[d]! <= last ? lag[d]! : -1;
          expect(record.closeOutGridIndex[k]).toBe(want);
          if (want < 0) continue;
          expectRow(record64.closeOutValues, extra, want, kernel, last);
          expectRow(record.closeOutValues, extra++, want, kernel, last);
          if (d > last) afterLast++;
        }
        expect(record.closeOutValues.length).toBe(extra * PATHS);
        if (entry.nettingSetId === CSA_SET) expect(extra).toBeGreaterThan(10);
      }
      // the forward makes the CSA set's last live date a close-out date: the next exposure date's lag row is stored
      expect(afterLast).toBe(1);
    } finally {
      reader.close();
      reader64.close();
    }
  });

  it('random access: one set costs the footer and its own block, and equals the full read', () => {
    const reader = CubeReader.open(cubeFile);
    try {
      const opened = reader.bytesRead;
      expect(opened).toBeLessThan(2_000); // the 10-byte tail and the footer (schema and 3 blocks)
      const entry = cubeIndex.nettingSets.find((e) => e.nettingSetId === CSA_SET)!;
      const record = reader.readBatch(entry.batch);
      expect(reader.bytesRead - opened).toBe(reader.batchBytes(entry.batch));
      expect(reader.bytesRead).toBeLessThan(0.5 * reader.fileBytes);
      expect(reader.numBatches).toBe(1 + SETS.length);

      const bytes = fs.readFileSync(cubeFile);
      const fileReader = RecordBatchReader.from(bytes);
      fileReader.open();
      expect((fileReader as unknown as { numRecordBatches: number }).numRecordBatches).toBe(reader.numBatches);
      const table = tableFromIPC(bytes);
      const ids = table.getChild('netting_set_id')!;
      const rows = [...Array(table.numRows).keys()].filter((r) => ids.get(r) === CSA_SET);
      expect(rows.length).toBe(record.gridIndex.length);
      let extra = 0;
      rows.forEach((r, k) => {
        expect(table.getChild('grid_index')!.get(r)).toBe(record.gridIndex[k]);
        expect(table.getChild('date')!.get(r)).toBe(grid.dates[record.gridIndex[k]!]! * 86_400_000);
        expect([...(table.getChild('values')!.get(r)!.toArray() as Float32Array)]).toEqual([...record.values.subarray(k * PATHS, (k + 1) * PATHS)]);
        const g = table.getChild('close_out_grid_index')!.get(r) as number | null;
        expect(g ?? -1).toBe(record.closeOutGridIndex[k]);
        const list = table.getChild('close_out_values')!.get(r);
        if (g === null) expect(list).toBeNull();
        else {
          expect(table.getChild('close_out_date')!.get(r)).toBe(grid.dates[g]! * 86_400_000);
          expect([...(list!.toArray() as Float32Array)]).toEqual([...record.closeOutValues.subarray(extra * PATHS, (extra + 1) * PATHS)]);
          extra++;
        }
      });
      // layout-1 readers: one row per (set, exposure date) after the numeraire's, the same first three columns
      const nExp = exposureDateIndices(grid).length;
      expect(table.numRows).toBe((SETS.length + 1) * nExp);
      expect(table.schema.fields.slice(0, 3).map((f) => f.name)).toEqual(['netting_set_id', 'date', 'values']);
    } finally {
      reader.close();
    }
  });
});

const whatIf = (trades: Trade[], s: WhatIfSettings, inputFiles?: Record<string, string>): WhatIfResult =>
  runWhatIf({ market, portfolio: book, trades, file: 'new.csv', settings: s, credit, xva: XVA, ...(inputFiles ? { inputFiles } : {}) });

const mirror = (t: Trade, id: string): Trade => {
  const flip: Record<string, string> = { pay: 'receive', receive: 'pay', buy: 'sell', sell: 'buy' };
  return { ...t, tradeId: id, direction: flip[(t as { direction: string }).direction] } as Trade;
};

describe('float64 cube (--cube-precision float64)', () => {
  it('stores the engine\'s values exactly; the what-if from it equals valuing the sets again bit for bit', () => {
    expect(cube64Index.precision).toBe('float64');
    const f32 = CubeReader.open(cubeFile);
    const f64 = CubeReader.open(cube64File);
    try {
      expect(f64.precision).toBe('float64');
      expect(f64.fileBytes).toBeGreaterThan(1.9 * f32.fileBytes);
      // every Float64 value rounds to the float32 cube's value (both from the same engine values)
      for (const e of cube64Index.nettingSets) {
        const a = f32.readBatch(e.batch);
        const b = f64.readBatch(e.batch);
        expect(b.values).toBeInstanceOf(Float64Array);
        expect([...b.closeOutGridIndex]).toEqual([...a.closeOutGridIndex]);
        expect(Float32Array.from(b.values)).toEqual(a.values);
        expect(Float32Array.from(b.closeOutValues)).toEqual(a.closeOutValues);
      }
    } finally {
      f32.close();
      f64.close();
    }
    const trades = newTradesOf();
    const fromCube = whatIf(trades, { ...settings, cube: { file: cube64File, index: cube64Index } });
    const again = whatIf(trades, settings);
    expect(fromCube.setValues).toEqual({ cube: 2, revalued: 0 });
    fromCube.rows.forEach((row, i) => {
      for (const m of METRICS) {
        expect(row.base[m]).toBe(again.rows[i]!.base[m]);
        expect(row.delta[m]).toBe(again.rows[i]!.delta[m]);
        expect(row.standalone[m]).toBe(again.rows[i]!.standalone[m]);
      }
    });
    // and X(set) is the run's bit for bit (test/xvaWhatIf.test.ts checks the same of the route valuing again)
    for (const row of fromCube.rows) for (const m of METRICS) expect(row.base[m]).toBe(runFigures.get(row.nettingSetId)![m]);
  }, 120_000);
});

/**
 * New trades, several per set, in both sets; W3 (a long swap of the other set moved into the CSA set) outlives the
 * CSA set, so its margin calls read the set's close-out row after the set's last exposure date.
 */
function newTradesOf(): Trade[] {
  const t434 = book.trades.find((t) => t.tradeId === 'T000434')!;
  const t178 = book.trades.find((t) => t.tradeId === 'T000178')!;
  const longest = book.trades.filter((t) => t.nettingSetId === 'NS-CP0029-1' && t.product === 'IRS').sort((a, b) => (b as { maturityDate: number }).maturityDate - (a as { maturityDate: number }).maturityDate)[0]!;
  return [
    { ...t434, tradeId: 'W1', notional: 0.5 * (t434 as { notional: number }).notional } as Trade,
    mirror(t434, 'W2'),
    mirror(t178, 'M1'),
    { ...longest, tradeId: 'W3', counterpartyId: 'CP0015', nettingSetId: CSA_SET } as Trade,
    { ...t178, tradeId: 'W4', notional: 2 * (t178 as { notional: number }).notional } as Trade,
  ];
}

describe('what-if from the cube', () => {
  let newTrades: Trade[];
  beforeAll(() => {
    newTrades = newTradesOf();
  });

  it('equals the what-if valuing the sets again within the Float32 bound; the trade alone bit for bit', () => {
    const fromCube = whatIf(newTrades, cubeSettings);
    const again = whatIf(newTrades, settings);
    expect(fromCube.setValues).toEqual({ cube: 2, revalued: 0 });
    expect(again.setValues).toEqual({ cube: 0, revalued: 2 });
    expect(fromCube.notes.join('\n')).toMatch(/read from the run's cube/);
    expect(again.notes.join('\n')).toMatch(/no cube with the run/);
    expect(fromCube.samePathsAsRun).toBe(true);
    // only the sets' batches and the footer were read
    expect(fromCube.cubeBytesRead).toBeLessThan(fs.statSync(cubeFile).size);
    const bounds = new Map(SETS.map((id) => [id, boundsOf(id)]));
    let largestRatio = 0;
    fromCube.rows.forEach((row, i) => {
      const other = again.rows[i]!;
      expect(row.tradeId).toBe(other.tradeId);
      expect(row.setValues).toBe('cube');
      expect(other.setValues).toBe('revalued');
      const bound = bounds.get(row.nettingSetId)!;
      for (const m of METRICS) {
        expect(row.standalone[m]).toBe(other.standalone[m]);
        const db = Math.abs(row.base[m] - other.base[m]);
        const dd = Math.abs(row.delta[m] - other.delta[m]);
        expect(db, `${row.tradeId} set ${m}`).toBeLessThanOrEqual(bound[m]);
        expect(dd, `${row.tradeId} Δ${m}`).toBeLessThanOrEqual(bound[m]);
        if (Math.abs(other.delta[m]) > 0) largestRatio = Math.max(largestRatio, dd / Math.abs(other.delta[m]));
      }
    });
    // and the bound is far below the increments themselves: the Float32 cube does not make them noisy
    expect(largestRatio).toBeLessThan(1e-5);
  }, 120_000);

  it('CSA set with MPoR: X(set) is the run\'s and X(set) + ΔX the engine run with the trade, within the bound', async () => {
    const bound = boundsOf(CSA_SET);
    const set = runFigures.get(CSA_SET)!;
    for (const id of ['M1', 'W3']) {
      const trade = newTrades.find((t) => t.tradeId === id)!;
      const row = whatIf([trade], cubeSettings).rows[0]!;
      expect(row.setValues).toBe('cube');
      const withTrade = (await engineRun([...book.trades, trade])).figures.get(CSA_SET)!;
      for (const m of METRICS) {
        expect(Math.abs(row.base[m] - set[m]), `${id} set ${m}`).toBeLessThanOrEqual(bound[m]);
        expect(Math.abs(row.base[m] + row.delta[m] - withTrade[m]), `${id} ${m}`).toBeLessThanOrEqual(bound[m] + 1e-9 * Math.max(Math.abs(withTrade[m]), Math.abs(set[m])));
      }
      expect(set.cva).toBeGreaterThan(0);
    }
  }, 120_000);

  it('a factor the run lacked placed after the run\'s in its block (EQ:SPX, correlated with IR:USD): the run\'s paths are kept, so the cube is read and X(set) is the run\'s', async () => {
    // an SPX forward in the uncollateralised set: EQ:SPX joins the block of the run's factors, after them (equities
    // follow the currencies and FX in the layout), so their Cholesky rows, and paths, are the run's (movedFactors.ts)
    const spx: EquityForward = { tradeId: 'Q1', counterpartyId: 'CP0029', nettingSetId: 'NS-CP0029-1', cleared: false, product: 'EQFWD', direction: 'buy', underlying: 'SPX', currency: 'USD', quantity: 2000, strike: 5600, maturityDate: grid.dates[40]! };
    const cube64 = { ...settings, cube: { file: cube64File, index: cube64Index } };
    const w = whatIf([spx], cube64);
    const row = w.rows[0]!;
    expect(row.samePathsAsRun).toBe(true);
    expect(row.setValues).toBe('cube');
    expect(w.factors).toContain('EQ:SPX');
    expect(w.notes.join('\n')).toMatch(/EQ:SPX that the run did not simulate \(uncorrelated with the run's factors, or after them/);
    for (const m of METRICS) expect(row.base[m], m).toBe(runFigures.get('NS-CP0029-1')![m]);
    // the second method, bit for bit: the engine run of the book with the forward (its layout has EQ:SPX) gives the
    // other set the run's figures exactly (its paths are the run's), and X(set) + ΔX is that run's figure to rounding
    const withTrade = await engineRun([...book.trades, spx]);
    expect(withTrade.factors).toContain('EQ:SPX');
    for (const m of METRICS) expect(withTrade.figures.get(CSA_SET)![m], m).toBe(runFigures.get(CSA_SET)![m]);
    const after = withTrade.figures.get('NS-CP0029-1')!;
    for (const m of METRICS) expect(Math.abs(row.base[m] + row.delta[m] - after[m]), m).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(after[m]), 1e-6));
    expect(Math.abs(row.delta.cva)).toBeGreaterThan(0);
  }, 120_000);

  it('values the sets again, saying why, when the market changed since the run', () => {
    const dir = tempDir();
    const copy = path.join(dir, 'market.yaml');
    fs.copyFileSync(path.join(DEMO, 'market.yaml'), copy);
    const changed = { ...cubeSettings, inputHashes: new Map([['market', { path: copy, sha256: '0'.repeat(64) }]]) };
    const w = whatIf(newTrades.slice(0, 1), changed, { market: copy });
    expect(w.setValues).toEqual({ cube: 0, revalued: 1 });
    expect(w.rows[0]!.setValues).toBe('revalued');
    expect(w.notes.join('\n')).toMatch(/cube is not used \(market changed since the run\)/);
  }, 60_000);
});

describe('xva simulate --cube: the manifest indexes the cube and the what-if reads it (ORE swap book under a CSA)', () => {
  it('simulateToFiles writes cube.arrow and manifest.cube; settingsFromManifest finds it; the what-if uses it', async () => {
    const dir = tempDir();
    const data = path.join(ROOT, 'test/data/ore-swap-flat');
    const portfolioDir = path.join(dir, 'book');
    fs.mkdirSync(portfolioDir);
    for (const f of fs.readdirSync(data)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(data, f), path.join(portfolioDir, f));
    // the netting set under a CSA: zero thresholds, MTA 50,000, 10-day MPoR
    const nsFile = path.join(portfolioDir, 'netting_sets.csv');
    const [head, line] = fs.readFileSync(nsFile, 'utf8').trim().split('\n');
    const cells = line!.split(',');
    const col = (name: string): number => head!.split(',').indexOf(name);
    cells[col('csa')] = 'true';
    cells[col('threshold_cpty')] = cells[col('threshold_bank')] = '0';
    cells[col('mta_cpty')] = cells[col('mta_bank')] = '50000';
    cells[col('margin_period_of_risk_days')] = '10';
    fs.writeFileSync(nsFile, `${head}\n${cells.join(',')}\n`);
    const marketFile = path.join(data, 'market.yaml');
    const outDir = path.join(dir, 'out');
    await simulateToFiles({ portfolioDir, marketFile, outDir, paths: 200, seed: 42, grid: { kind: 'default' }, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true, format: 'arrow' });
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { cube: CubeIndex };
    expect(manifest.cube).toMatchObject({ file: 'cube.arrow', layout: 2, precision: 'float32', paths: 200, numeraireBatch: 0 });
    expect(manifest.cube.nettingSets.map((e) => [e.nettingSetId, e.batch])).toEqual([['CPTY_A', 1]]);
    const s = settingsFromManifest(outDir);
    expect(s.cube?.file).toBe(path.join(outDir, 'cube.arrow'));

    const inputs = await loadSimulationInputs(portfolioDir, marketFile);
    const swap = inputs.portfolio.trades.find((t) => t.tradeId === 'Swap')!;
    const trades = [mirror(swap, 'NEW_PAY')];
    const c = creditInputs(inputs.portfolio, inputs.market, ['CPTY_A']);
    const files = { market: marketFile, trades: path.join(portfolioDir, 'trades.csv') };
    const run = (x: WhatIfSettings): WhatIfResult => runWhatIf({ market: inputs.market, portfolio: inputs.portfolio, trades, file: 'new.csv', settings: x, credit: c, xva: XVA, inputFiles: files });
    const fromCube = run(s);
    const again = run({ ...s, cube: undefined });
    expect(fromCube.rows[0]!.setValues).toBe('cube');
    expect(again.rows[0]!.setValues).toBe('revalued');
    // the cube route against valuing the set again: Float32 rounding only (bound as above, from the manifest's cube)
    const reader = CubeReader.open(s.cube!.file);
    const set = reader.readBatch(1);
    const numeraire = reader.readBatch(0);
    reader.close();
    const times = Float64Array.from(exposureDateIndices(s.grid), (d) => s.grid.times[d]!);
    const w = setWeights(times, c.counterparties.get('CPTY_A')!, c, XVA, 'EUR');
    expect(set.closeOutValues.length).toBeGreaterThan(0);
    for (const m of METRICS) {
      const bound = float32Bound(set, numeraire, w[m]);
      expect(Math.abs(fromCube.rows[0]!.base[m] - again.rows[0]!.base[m]), m).toBeLessThanOrEqual(bound);
      expect(Math.abs(fromCube.rows[0]!.delta[m] - again.rows[0]!.delta[m]), m).toBeLessThanOrEqual(bound);
    }
    expect(fromCube.rows[0]!.delta.cva).toBeLessThan(0);
  }, 180_000);
});
