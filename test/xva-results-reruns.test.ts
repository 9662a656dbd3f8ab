/**
 * `xva cva --results DIR`: the rows that run the engine again (the incremental allocation of `--incremental`, the
 * wrong-way re-valuation) draw the paths of the run that wrote DIR: its paths, seed and grid from its manifest.json.
 * Reference (second method): the same command without --results, on the same paths, seed and grid, whose base run is
 * the simulate run itself: the rows are equal to the bit. Helper audit 110 found them on this command's defaults
 * (2,000 paths of seed 42, the default grid): TA1's increment 9.1% and its DVA 25% off the exact figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSubset } from './helpers/demoSubset.js';
import { IssueCollector } from '../src/errors.js';
import { writeAmendedPortfolio } from '../src/optimize/outputs.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { xvaInProcess } from './helpers/scaleCli.js';

const arrow = (file: string): Table => tableFromIPC(fs.readFileSync(file));
const column = <T>(t: Table, name: string): T[] => [...(t.getChild(name)!.toArray() as Iterable<T>)];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-results-reruns-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let book: string;
beforeAll(async () => {
  book = await writeDemoSubset(path.join(tmp, 'book'), { CP0004: { model: 'exposure', betaPerMillion: 0.8 } });
}, 120_000);

const RUN = ['--paths', '64', '--seed', '7', '--grid', '61,1M', '--threads', '1', '--quiet'];

describe('--results: the incremental and wrong-way rows on the paths of the run read', () => {
  it('cva_incremental and cva_wrong_way equal those of the run made in the command (64 paths, seed 7, grid 61,1M)', async () => {
    const sim = path.join(tmp, 'sim');
    const s = await xvaInProcess(['simulate', '--portfolio', book, ...RUN, '--out', sim]);
    expect(s.status, s.stderr).toBe(0);
    const fromResults = path.join(tmp, 'from-results');
    const r = await xvaInProcess(['cva', '--portfolio', book, '--results', sim, '--incremental', 'NS-CP0004-1', '--out', fromResults, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const direct = path.join(tmp, 'direct');
    const d = await xvaInProcess(['cva', '--portfolio', book, ...RUN, '--incremental', 'NS-CP0004-1', '--out', direct]);
    expect(d.status, d.stderr).toBe(0);
    // the whole tables: cva_trade's Euler columns come from the same exposure, its *_incremental columns from the
    // incremental runs; cva_wrong_way from the wrong-way re-valuation
    for (const table of ['cva_trade', 'cva_wrong_way']) {
      const [a, b] = [arrow(path.join(fromResults, `${table}.arrow`)), arrow(path.join(direct, `${table}.arrow`))];
      expect(a.numRows).toBeGreaterThan(0);
      for (const field of b.schema.fields) {
        expect(column(a, field.name), `${table}.${field.name}`).toEqual(column(b, field.name));
      }
    }
    const increments = column<number | null>(arrow(path.join(fromResults, 'cva_trade.arrow')), 'cva_incremental').filter((x): x is number => x !== null);
    expect(increments.length).toBeGreaterThan(1);
    expect(increments.some((x) => Math.abs(x) > 0)).toBe(true);
  }, 300_000);

  it('a run of antithetic paths: --incremental re-draws them antithetic; the wrong-way rows are left out with a note', async () => {
    const sim = path.join(tmp, 'sim-anti');
    const s = await xvaInProcess(['simulate', '--portfolio', book, ...RUN, '--antithetic', '--out', sim]);
    expect(s.status, s.stderr).toBe(0);
    const out = path.join(tmp, 'anti');
    const r = await xvaInProcess(['cva', '--portfolio', book, '--results', sim, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const notes = (JSON.parse(r.stdout) as { notes: string[] }).notes;
    expect(notes.some((n) => n.startsWith('wrong-way risk: not valued (cva_wrong_way not written): the run of --results drew antithetic paths'))).toBe(true);
    const inc = await xvaInProcess(['cva', '--portfolio', book, '--results', sim, '--incremental', 'NS-CP0004-1', '--out', out, '--quiet']);
    expect(inc.status, inc.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'cva_wrong_way.arrow'))).toBe(false);
    // reference: the same antithetic run of the book without the trade, read back the same way: the set's CVA
    // difference is the trade's increment (the incremental runs draw the book's antithetic paths; drawn plain, they
    // would not)
    const trade = column<string>(arrow(path.join(out, 'cva_trade.arrow')), 'trade_id');
    const incCva = column<number | null>(arrow(path.join(out, 'cva_trade.arrow')), 'cva_incremental');
    const nsOf = column<string>(arrow(path.join(out, 'cva_trade.arrow')), 'netting_set_id');
    const at = nsOf.findIndex((id) => id === 'NS-CP0004-1');
    const tradeId = trade[at]!;
    const portfolio = await loadPortfolio(book, new IssueCollector());
    const without = path.join(tmp, 'book-without');
    writeAmendedPortfolio(without, { ...portfolio, trades: portfolio.trades.filter((t) => t.tradeId !== tradeId) }, book, path.join(book, 'market.yaml'));
    const simWithout = path.join(tmp, 'sim-anti-without');
    const w = await xvaInProcess(['simulate', '--portfolio', without, ...RUN, '--antithetic', '--out', simWithout]);
    expect(w.status, w.stderr).toBe(0);
    const setCva = async (dir: string, sims: string): Promise<number> => {
      const run = await xvaInProcess(['cva', '--portfolio', dir, '--results', sims, '--json']);
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { nettingSets: { nettingSetId: string; cva: number }[] }).nettingSets.find((n) => n.nettingSetId === 'NS-CP0004-1')!.cva;
    };
    const difference = (await setCva(book, sim)) - (await setCva(without, simWithout));
    expect(Math.abs(difference)).toBeGreaterThan(0);
    expect(Math.abs(incCva[at]! - difference)).toBeLessThan(1e-9 * Math.max(1, Math.abs(difference)));
  }, 300_000);
});
