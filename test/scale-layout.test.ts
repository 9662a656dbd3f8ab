/**
 * Each shard simulates only the market factors its netting sets need (docs/scale.md, "Paths"; src/scale/shardFactors.ts):
 * whole correlation blocks of the book's factor layout, closed under what the model ties together.
 *
 * The book: the demo book's trades that need only USD rates (IRS, OIS, swaptions, USD CDS) or the NKY equity, so that
 * the netting sets fall into different blocks under a market whose correlation matrix is the demo's with the JPY
 * factors (IR:JPY, FX:JPYUSD, EQ:NKY) cut loose from the rest: every correlation between one of them and another
 * factor set to 0 (a block-diagonal matrix of two principal submatrices of a PSD matrix, so still PSD). Credit names
 * are in no correlation, so each is a block of its own. The references:
 *   (a) the expected factor list of a shard worked out from its trades and that matrix (not from the code's blocks):
 *       IR:USD, the credit names of its CDS, and the whole JPY block when it holds an NKY trade; every simulated
 *       factor uncorrelated (exactly 0 in the YAML matrix) with every factor left out;
 *   (b) the single run's files, which 4 (simulate, with the cube) and 2 (cva) shards + `xva merge` must give
 *       byte for byte (the built CLI's commands run inside this process: `xvaInProcess`, test/helpers/scaleCli.ts) (the shards' simulated factor lists differ; their manifests' model is the single run's);
 *   (c) the single run's figures and paths: each set's profiles and Euler contributions from its shard, and the
 *       shard's paths of every factor it simulates, equal the single run's bit for bit (tolerance 0: the claim is
 *       identity of the counter-based draws and of each block's factor matrix, not closeness).
 * Controls: with the demo's own correlation the closure pulls the JPY block into every shard (IR:USD is correlated
 * with it); on the demo book a layout that cuts a block draws other paths for the factors after the cut.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { factorNeeds, runSimulation } from '../src/exposure/engine.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import type { Market } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { bookPlan, shardPlan, shardPortfolio, type BookPlan } from '../src/scale/plan.js';
import { shardFactors } from '../src/scale/shardFactors.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { closedLayout } from '../src/xva/whatIf/paths.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import type { SimulatedPaths } from '../src/simulation/types.js';
import { copyTree, ensureBuilt, expectSameOutputs, xvaInProcess } from './helpers/scaleCli.js';

const DEMO = path.resolve(import.meta.dirname, '..', 'fixtures', 'demo');
const JPY_BLOCK = ['IR:JPY', 'FX:JPYUSD', 'EQ:NKY'];
const PATHS = 64;
const SHARDS = 4;

let tmp: string;
let bookDir: string;
/** The demo correlation with the JPY block cut loose (the book's market.yaml), and the demo's own. */
let blocksMarketFile: string;
let demoMarketFile: string;
let blocksMatrix: { factors: string[]; matrix: number[][] };

/** The same float64 bits. */
function same(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Correlation of two factors as the YAML matrix gives it (0 for a factor it does not list, such as a credit name). */
function yamlCorrelation(a: string, b: string): number {
  if (a === b) return 1;
  const i = blocksMatrix.factors.indexOf(a);
  const j = blocksMatrix.factors.indexOf(b);
  return i < 0 || j < 0 ? 0 : blocksMatrix.matrix[i]![j]!;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-layout-'));
  bookDir = path.join(tmp, 'book');
  fs.mkdirSync(bookDir);
  const issues = new IssueCollector();
  const demo = await loadPortfolio(DEMO, issues);
  issues.throwIfAny();
  const keep = demo.trades.filter((t) => {
    const needs = factorNeeds([t]);
    return needs.equities.length === 0 ? needs.currencies.every((c) => c === 'USD') : needs.equities.every((e) => e === 'NKY');
  });
  for (const [name, table] of Object.entries(portfolioTables({ ...demo, trades: keep }))) writeTable(path.join(bookDir, `${name}.parquet`), table, 'parquet');

  const marketText = fs.readFileSync(path.join(DEMO, 'market.yaml'), 'utf8');
  demoMarketFile = path.join(tmp, 'demo-market.yaml');
  fs.writeFileSync(demoMarketFile, marketText);
  const doc = parseYaml(marketText) as { correlation: { factors: string[]; matrix: number[][] } };
  const { factors, matrix } = doc.correlation;
  const cut = new Set(JPY_BLOCK);
  for (let i = 0; i < factors.length; i++) {
    for (let j = 0; j < factors.length; j++) if (cut.has(factors[i]!) !== cut.has(factors[j]!)) matrix[i]![j] = 0;
  }
  blocksMatrix = { factors, matrix };
  blocksMarketFile = path.join(bookDir, 'market.yaml');
  fs.writeFileSync(blocksMarketFile, stringifyYaml(doc));
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the factors a shard simulates', () => {
  let portfolio: Portfolio;
  let market: Market;
  let book: BookPlan;
  beforeAll(async () => {
    ({ portfolio, market } = await loadSimulationInputs(bookDir, blocksMarketFile));
    book = bookPlan(portfolio, market, { grid: { kind: 'default' }, coverage: 1, paths: PATHS });
  });

  it('(a) whole correlation blocks of the book, a strict subset when its sets need fewer blocks', () => {
    const bookFactors = shardFactors(market, book, shardPlan(book, { index: 1, count: 1, source: 'flag' })).bookLayout.factorNames;
    const credit = [...book.layoutNeeds.creditNames].sort().map((n) => `CR:${n}`);
    // the book: IR:USD, the JPY block, one factor per CDS reference name; blocks: {IR:USD}, the JPY block, each name
    expect([...bookFactors]).toEqual(['IR:USD', 'IR:JPY', 'FX:JPYUSD', 'EQ:NKY', ...credit]);
    const simulated: string[][] = [];
    for (let k = 1; k <= SHARDS; k++) {
      const plan = shardPlan(book, { index: k, count: SHARDS, source: 'flag' });
      const trades = plan.counterparties.flatMap((cp) => cp.sets.flatMap((s) => s.trades));
      const f = shardFactors(market, book, plan);
      const names = f.record.simulated;
      simulated.push(names);
      // the expected list, from the trades and the YAML matrix
      const hasNky = trades.some((t) => (t.product === 'EQFWD' || t.product === 'EQOPT') && t.underlying === 'NKY');
      const cdsNames = [...new Set(trades.flatMap((t) => (t.product === 'CDS' ? [t.referenceEntity] : [])))].sort();
      expect(names).toEqual(['IR:USD', ...(hasNky ? JPY_BLOCK : []), ...cdsNames.map((n) => `CR:${n}`)]);
      // closed under correlation: nothing simulated is correlated with anything left out
      const left = bookFactors.filter((n) => !names.includes(n));
      for (const a of names) for (const b of left) expect(yamlCorrelation(a, b), `${a} ~ ${b}`).toBe(0);
      expect(f.record.bookFactors).toBe(bookFactors.length);
      expect(f.record.bookBlocks).toBe(2 + credit.length);
      expect(f.record.blocks).toBe(1 + (hasNky ? 1 : 0) + cdsNames.length);
      expect(f.needs!.currencies).toEqual(hasNky ? ['USD', 'JPY'] : ['USD']);
    }
    // some shard leaves out the JPY block, some holds it; every shard a strict subset; together the whole book
    expect(simulated.some((s) => !s.includes('EQ:NKY'))).toBe(true);
    expect(simulated.some((s) => s.includes('EQ:NKY'))).toBe(true);
    for (const s of simulated) expect(s.length).toBeLessThan(bookFactors.length);
    expect(new Set(simulated.flat()).size).toBe(bookFactors.length);
  });

  it('control: with the demo correlation IR:USD ties the JPY block into every shard', async () => {
    const demo = await loadSimulationInputs(bookDir, demoMarketFile);
    const demoBook = bookPlan(demo.portfolio, demo.market, { grid: { kind: 'default' }, coverage: 1, paths: PATHS });
    for (let k = 1; k <= SHARDS; k++) {
      const names = shardFactors(demo.market, demoBook, shardPlan(demoBook, { index: k, count: SHARDS, source: 'flag' })).record.simulated;
      for (const n of ['IR:USD', ...JPY_BLOCK]) expect(names).toContain(n);
    }
  });

  describe('(c) bit for bit the single run', () => {
    let whole: SimulationResult;
    beforeAll(async () => {
      whole = await runSimulation({ portfolio, market, options: { paths: PATHS, seed: 42, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    }, 120_000);

    it("each set's profiles and Euler contributions from its shard are the single run's", async () => {
      const bySet = new Map(whole.nettingSets.map((s) => [s.nettingSetId, s]));
      const byCp = new Map(whole.counterparties.map((c) => [c.counterpartyId, c]));
      let compared = 0;
      for (let k = 1; k <= SHARDS; k++) {
        const plan = shardPlan(book, { index: k, count: SHARDS, source: 'flag' });
        const f = shardFactors(market, book, plan);
        const part = await runSimulation({
          portfolio: shardPortfolio(portfolio, new Set(plan.nettingSetIds)),
          market,
          options: { paths: PATHS, seed: 42, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: book.grid, layoutNeeds: f.needs! },
        });
        expect(part.model.factors).toEqual(f.record.simulated);
        expect(part.nettingSets.map((s) => s.nettingSetId)).toEqual(plan.nettingSetIds);
        for (const s of part.nettingSets) {
          const w = bySet.get(s.nettingSetId)!;
          for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError'] as const) expect(same(s.profile[key], w.profile[key]), `${s.nettingSetId} ${key}`).toBe(true);
          expect(same(s.tradeEpe, w.tradeEpe) && same(s.tradeEne, w.tradeEne), s.nettingSetId).toBe(true);
          compared++;
        }
        for (const c of part.counterparties) {
          const w = byCp.get(c.counterpartyId)!;
          expect(same(c.epe, w.epe) && same(c.pfe!, w.pfe!), c.counterpartyId).toBe(true);
        }
      }
      expect(compared).toBe(whole.nettingSets.length);
    }, 240_000);

    it("a shard's paths of each factor it simulates are the book's paths of that factor", () => {
      const bookModel = buildCrossAssetModel(market, shardFactors(market, book, shardPlan(book, { index: 1, count: 1, source: 'flag' })).bookLayout);
      const full = simulatePaths(bookModel, book.grid, 42, 0, PATHS);
      const seriesOf = (p: SimulatedPaths, name: string): Float64Array => {
        const id = name.slice(name.indexOf(':') + 1);
        if (name.startsWith('IR:')) return p.irState[p.layout.currencies.indexOf(id as never)]!;
        if (name.startsWith('FX:')) return p.fxLog[p.layout.fxCurrencies.indexOf(id.slice(0, 3) as never)]!;
        if (name.startsWith('EQ:')) return p.eqLog[p.layout.equities.indexOf(id)]!;
        return p.creditState[p.layout.creditNames.indexOf(id)]!;
      };
      for (let k = 1; k <= SHARDS; k++) {
        const f = shardFactors(market, book, shardPlan(book, { index: k, count: SHARDS, source: 'flag' }));
        const part = simulatePaths(buildCrossAssetModel(market, f.layout!), book.grid, 42, 0, PATHS);
        expect(same(part.numeraire, full.numeraire)).toBe(true);
        for (const name of f.record.simulated) expect(same(seriesOf(part, name), seriesOf(full, name)), `shard ${k} ${name}`).toBe(true);
      }
    });

    it('control (demo book): a layout that cuts a block draws other paths for the factors after the cut', async () => {
      // The engine's per-block factor is a Cholesky factor in layout order (base currency first), so a factor's
      // increments depend on the factors before it in its block. Needs {EUR} alone give IR:USD, IR:EUR, FX:EURUSD:
      // a cut of the demo's 15-factor block that drops IR:CHF, which comes before IR:EUR. The closed layout (the
      // whole block) gives the book's IR:EUR paths; the cut one other IR:EUR paths (IR:USD, first, is unchanged).
      const demo = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml'));
      const demoBook = bookPlan(demo.portfolio, demo.market, { grid: { kind: 'default' }, coverage: 1, paths: PATHS });
      const bookLayout = buildFactorLayout(demo.market, demoBook.layoutNeeds);
      const eurOnly = { currencies: ['EUR' as const], equities: [], creditNames: [] };
      const closed = closedLayout(demo.market, eurOnly, bookLayout);
      const cut = buildFactorLayout(demo.market, eurOnly);
      expect([...cut.factorNames]).toEqual(['IR:USD', 'IR:EUR', 'FX:EURUSD']);
      expect(closed.factorNames.length).toBe(15);
      const run = (layout: typeof cut): SimulatedPaths => simulatePaths(buildCrossAssetModel(demo.market, layout), demoBook.grid, 42, 0, PATHS);
      const [full, closedPaths, cutPaths] = [run(bookLayout), run(closed), run(cut)];
      const eur = (p: SimulatedPaths): Float64Array => p.irState[p.layout.currencies.indexOf('EUR')]!;
      expect(same(eur(closedPaths), eur(full))).toBe(true);
      expect(same(eur(cutPaths), eur(full))).toBe(false);
      expect(same(cutPaths.irState[0]!, full.irState[0]!)).toBe(true);
    }, 240_000);
  });
});

describe("(b) shards + xva merge (the CLI's commands in this process) = one run, byte for byte, with different factors per shard", () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('simulate --cube in 4 shards: the single run files; each manifest the book model and its own factors', async () => {
    const RUN = ['simulate', '--portfolio', bookDir, '--paths', '100', '--cube', '--quiet'];
    const single = path.join(tmp, 'sim-single');
    const shards = path.join(tmp, 'sim-shards');
    // shard 3 on 2 worker threads: the workers build the shard's layout from the same needs
    const runs = await Promise.all([
      xvaInProcess([...RUN, '--threads', '1', '--out', single]),
      ...[1, 2, 3, 4].map((k) => xvaInProcess([...RUN, '--threads', k === 3 ? '2' : '1', '--shard', `${k}/4`, '--out', shards])),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'sim-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toEqual(['cube.arrow', 'exposure_book.arrow', 'exposure_counterparty.arrow', 'exposure_netting_set.arrow', 'exposure_trade.arrow', 'manifest.json', 'netting_set_summary.arrow']);

    const singleManifest = JSON.parse(fs.readFileSync(path.join(single, 'manifest.json'), 'utf8'));
    const lists: string[][] = [];
    for (let k = 1; k <= 4; k++) {
      const m = JSON.parse(fs.readFileSync(path.join(shards, `shard-${k}-of-4`, 'manifest.json'), 'utf8'));
      expect(JSON.stringify(m.model)).toBe(JSON.stringify(singleManifest.model));
      expect(m.shard.factors.bookFactors).toBe(singleManifest.model.factors.length);
      lists.push(m.shard.factors.simulated);
    }
    expect(lists.some((l) => l.length < singleManifest.model.factors.length)).toBe(true);
    expect(new Set(lists.map((l) => l.join(','))).size).toBeGreaterThan(1);
    const record = JSON.parse(fs.readFileSync(path.join(merged, 'merge.json'), 'utf8'));
    expect(record.shards.map((s: { simulatedFactors: number }) => s.simulatedFactors)).toEqual(lists.map((l) => l.length));
  }, 300_000);

  it('cva in 2 shards: the single run tables; a shard of a run on another market is refused', async () => {
    const RUN = ['cva', '--portfolio', bookDir, '--paths', '100', '--threads', '1', '--quiet'];
    const single = path.join(tmp, 'cva-single');
    const shards = path.join(tmp, 'cva-shards');
    const other = path.join(tmp, 'cva-other-market');
    const runs = await Promise.all([
      xvaInProcess([...RUN, '--out', single]),
      xvaInProcess([...RUN, '--shard', '1/2', '--out', shards]),
      xvaInProcess([...RUN, '--shard', '2/2', '--out', shards]),
      xvaInProcess([...RUN, '--market', demoMarketFile, '--shard', '2/2', '--out', other]),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const lists = [1, 2].map((k) => JSON.parse(fs.readFileSync(path.join(shards, `shard-${k}-of-2`, 'manifest.json'), 'utf8')).shard.factors.simulated as string[]);
    expect(lists[0]).not.toEqual(lists[1]);
    const merged = path.join(tmp, 'cva-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toEqual(['cva_counterparty.arrow', 'cva_netting_set.arrow', 'cva_trade.arrow', 'xva_book.arrow', 'xva_scenarios.arrow']);

    // the run key still ties the shards to one market file: shard 2 of a run on the demo correlation does not merge
    const mixed = path.join(tmp, 'cva-mixed');
    copyTree(shards, mixed, (name) => name === 'shard-2-of-2');
    copyTree(path.join(other, 'shard-2-of-2'), path.join(mixed, 'shard-2-of-2'));
    const refused = await xvaInProcess(['merge', mixed, '--out', path.join(tmp, 'cva-x')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('shard-2-of-2 does not belong with shard-1-of-2: different input market (sha256');
  }, 300_000);
});
