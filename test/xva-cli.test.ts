/**
 * `xva cva` and `xva fva` as a user runs them (the built CLI) on the ORE swap case (test/data/ore-swap-flat, two
 * swaps in netting set CPTY_A), 200 paths on ORE's 81×6M grid. Checked against independent figures:
 * - the Arrow tables read back with apache-arrow: book CVA = Σ netting-set CVA = Σ trade Euler CVA (1e-9 relative);
 * - `xva cva --results DIR` on the tables of `xva simulate --out DIR` with the same paths, seed, grid gives the same
 *   CVA and DVA as simulating inside `xva cva` (1e-9 relative: the same engine run, read back from Arrow);
 * - credit_up_100bp raises CVA and leaves DVA unchanged (only counterparty spreads move, exposure reused); the set
 *   under it in xva_scenarios_netting_set and --json (one set: the book's figures);
 * - `xva cva --rng sobol` gives the CVA and DVA of `xva simulate --rng sobol` read back with --results (1e-9);
 * - a bad flag exits 2 naming the flag; --dynamic-im and --rng with a flag they cannot serve exit 2 saying what to run
 *   instead;
 * - `xva fva --dynamic-im --rng sobol` gives the CVA and FCA of `xva simulate --dynamic-im --rng sobol` read back (1e-9),
 *   on the 17-set slice of the demo book with its SIMM sets (test/helpers/demoSubset.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeDemoSubset } from './helpers/demoSubset.js';
import { xvaInProcess } from './helpers/scaleCli.js';
import { writeMirrorSwapFile } from './helpers/whatIfBook.js';

const ROOT = path.resolve('.');
const DATA = path.join(ROOT, 'test/data/ore-swap-flat');
const COMPILED = path.join(ROOT, 'dist/commands/cva.js');
const RUN = ['--portfolio', DATA, '--paths', '200', '--seed', '42', '--grid', '81,6M', '--threads', '1'];
const temps: string[] = [];

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-cva-cli-'));
  temps.push(dir);
  return dir;
}

const arrow = (file: string): Table => tableFromIPC(fs.readFileSync(file));
const col = (t: Table, name: string): number[] => Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);

beforeAll(() => {
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 300_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('xva cva on the ORE swap case', () => {
  let out: string;
  let doc: { book: { cva: number; dva: number; fca: number; fba: number; colva: number; totalAdjustment: number }; scenarios: { scenario: string; book: { cva: number; dva: number }; nettingSets: { nettingSetId: string; cva: number; dva: number }[] }[]; counterparties: { curveSource: string; creditCurve: string }[] };
  beforeAll(() => {
    out = path.join(tempDir(), 'cva');
    const run = xva('cva', ...RUN, '--scenario', path.join(ROOT, 'scenarios/credit_up_100bp.yaml'), '--out', out, '--json');
    expect(run.status, run.stderr).toBe(0);
    doc = JSON.parse(run.stdout);
  }, 120_000);

  it('writes the five tables; book = Σ netting sets = Σ trade Euler allocations', () => {
    for (const t of ['cva_netting_set', 'cva_counterparty', 'cva_trade', 'xva_book', 'xva_scenarios']) expect(fs.existsSync(path.join(out, `${t}.arrow`))).toBe(true);
    const book = col(arrow(path.join(out, 'xva_book.arrow')), 'cva')[0]!;
    const sets = col(arrow(path.join(out, 'cva_netting_set.arrow')), 'cva');
    const trades = col(arrow(path.join(out, 'cva_trade.arrow')), 'cva_euler');
    expect(trades.length).toBe(2);
    expect(book).toBeGreaterThan(0);
    expect(Math.abs(sets.reduce((a, b) => a + b, 0) / book - 1)).toBeLessThan(1e-9);
    expect(Math.abs(trades.reduce((a, b) => a + b, 0) / book - 1)).toBeLessThan(1e-9);
    expect(Math.abs(doc.book.cva / book - 1)).toBeLessThan(1e-12);
    // the JSON carries the table's total adjustment, −CVA + DVA − FCA + FBA − ColVA
    const total = col(arrow(path.join(out, 'xva_book.arrow')), 'total_adjustment')[0]!;
    expect(doc.book.totalAdjustment).toBe(total);
    expect(Math.abs(total - (-doc.book.cva + doc.book.dva - doc.book.fca + doc.book.fba - doc.book.colva))).toBeLessThan(1e-9 * doc.book.cva);
    expect(doc.counterparties[0]).toMatchObject({ curveSource: 'cds', creditCurve: 'CPTY_A' });
    // every amount's currency, named in the JSON and in each table's metadata (the market's base currency)
    expect((doc as unknown as { currency: string }).currency).toBe('EUR');
    for (const t of ['cva_netting_set', 'cva_counterparty', 'cva_trade', 'xva_book', 'xva_scenarios']) expect(arrow(path.join(out, `${t}.arrow`)).schema.metadata.get('xva.currency')).toBe('EUR');
  });

  it('credit_up_100bp: CVA up (60bp → 160bp: between 2x and 3.5x), DVA unchanged', () => {
    const s = doc.scenarios.find((x) => x.scenario === 'credit_up_100bp')!;
    expect(s.book.cva / doc.book.cva).toBeGreaterThan(2);
    expect(s.book.cva / doc.book.cva).toBeLessThan(3.5);
    expect(s.book.dva).toBe(doc.book.dva);
  });

  it('xva_scenarios_netting_set and --json give each netting set under the stress; one set here, so the book\'s figures', () => {
    const t = arrow(path.join(out, 'xva_scenarios_netting_set.arrow'));
    const scen = t.getChild('scenario')!.toArray() as string[];
    const ids = t.getChild('netting_set_id')!.toArray() as string[];
    expect([...scen]).toEqual(['base', 'credit_up_100bp']);
    expect([...ids]).toEqual(['CPTY_A', 'CPTY_A']);
    const s = doc.scenarios.find((x) => x.scenario === 'credit_up_100bp')!;
    expect(s.nettingSets).toHaveLength(1);
    expect(s.nettingSets[0]!.nettingSetId).toBe('CPTY_A');
    expect(s.nettingSets[0]!.cva).toBe(s.book.cva);
    expect(col(t, 'cva')).toEqual([col(arrow(path.join(out, 'cva_netting_set.arrow')), 'cva')[0], s.book.cva]);
  });

  it('--results on `xva simulate` tables gives the same CVA and DVA as simulating in `xva cva`', () => {
    const sim = path.join(tempDir(), 'sim');
    const s = xva('simulate', ...RUN, '--out', sim, '--json');
    expect(s.status, s.stderr).toBe(0);
    const r = xva('cva', '--portfolio', DATA, '--results', sim, '--json');
    expect(r.status, r.stderr).toBe(0);
    const again = JSON.parse(r.stdout) as typeof doc;
    expect(Math.abs(again.book.cva / doc.book.cva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(again.book.dva / doc.book.dva - 1)).toBeLessThan(1e-9);
    // a collateral-coverage scenario needs the exposure simulated at its level: with --results it is not evaluated
    // (a note says so), never written with the base figures; the credit scenario beside it is, and so is one at the
    // run's own coverage (1 here: collateral_100pct is the base exposure, as without --results)
    const out = path.join(tempDir(), 'out');
    const scenarioFiles = ['collateral_50pct', 'credit_up_100bp', 'collateral_100pct'].flatMap((n) => ['--scenario', path.join(ROOT, `scenarios/${n}.yaml`)]);
    const scen = xva('cva', '--portfolio', DATA, '--results', sim, ...scenarioFiles, '--out', out, '--json');
    expect(scen.status, scen.stderr).toBe(0);
    type Stressed = { book: { cva: number; dva: number }; scenarios: { scenario: string; book: { cva: number; dva: number } }[]; notes: string[] };
    const stressed = JSON.parse(scen.stdout) as Stressed;
    expect(stressed.scenarios.map((x) => x.scenario)).toEqual(['credit_up_100bp', 'collateral_100pct']);
    expect(stressed.scenarios[1]!.book).toMatchObject({ cva: stressed.book.cva, dva: stressed.book.dva });
    expect(stressed.notes).toContain('scenario collateral_50pct not evaluated: its collateralCoverage 0.5 needs the exposure simulated at that level, and the exposure of --results was simulated at coverage 1 (run without --results to stress collateral coverage)');
    expect(stressed.notes.join('\n')).not.toMatch(/collateral_100pct/);
    const rows = arrow(path.join(out, 'xva_scenarios.arrow'));
    expect([...new Set(Array.from(rows.getChild('scenario')!.toArray() as ArrayLike<string>))]).toEqual(['base', 'credit_up_100bp', 'collateral_100pct']);

    // a run simulated at coverage 0.5: its base figures are said to be at that coverage, and collateral_50pct on it is
    // that exposure, equal to the same scenario re-aggregated by xva cva from its own coverage-1 run (an audit found it
    // skipped as "needs the exposure simulated at that level"); the CDS-free book has no spread-shock note either way
    const sim05 = path.join(tempDir(), 'sim05');
    expect(xva('simulate', ...RUN, '--coverage', '0.5', '--out', sim05, '--quiet').status).toBe(0);
    const half = JSON.parse(xva('cva', '--portfolio', DATA, '--results', sim05, '--scenario', path.join(ROOT, 'scenarios/collateral_50pct.yaml'), '--json').stdout) as Stressed;
    expect(half.notes).toContain(`--results: the run in ${sim05} simulated its collateral at coverage 0.5 (xva simulate --coverage): the base figures are at that coverage, not at the collateral as agreed`);
    expect(half.scenarios.map((x) => x.scenario)).toEqual(['collateral_50pct']);
    const own = JSON.parse(xva('cva', ...RUN, '--scenario', path.join(ROOT, 'scenarios/collateral_50pct.yaml'), '--json').stdout) as Stressed;
    expect(Math.abs(half.scenarios[0]!.book.cva / own.scenarios[0]!.book.cva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(half.book.cva / own.scenarios[0]!.book.cva - 1)).toBeLessThan(1e-9);
  }, 180_000);

  it('--results: the CDS note names only the spread scenarios evaluated (a credit + coverage scenario skipped is not among them)', () => {
    const demo = path.join(ROOT, 'fixtures/demo');
    const sim = path.join(tempDir(), 'sim');
    expect(xva('simulate', '--portfolio', demo, '--paths', '20', '--grid', '81,1Y', '--threads', '1', '--out', sim, '--quiet').status).toBe(0);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'combo.yaml'), 'name: combo\ndescription: credit and coverage\nshocks:\n  creditSpreadBp: 100\n  collateralCoverage: 0.5\n');
    const run = xva('cva', '--portfolio', demo, '--results', sim, '--scenario', path.join(dir, 'combo.yaml'), '--scenario', path.join(ROOT, 'scenarios/credit_up_100bp.yaml'), '--json');
    expect(run.status, run.stderr).toBe(0);
    const notes = (JSON.parse(run.stdout) as { notes: string[] }).notes;
    expect(notes).toContain('scenario combo not evaluated: its collateralCoverage 0.5 needs the exposure simulated at that level, and the exposure of --results was simulated at coverage 1 (run without --results to stress collateral coverage)');
    const cds = notes.filter((n) => n.includes('the credit spread shock moves'));
    expect(cds).toHaveLength(1);
    expect(cds[0]).toMatch(/^credit_up_100bp: the credit spread shock moves the counterparties' default probabilities; the exposure of the book's \d+ CDS trade\(s\) is the base run's/);
  }, 120_000);

  it('--results reads one whole run: the files its manifest lists (not a run before it in another --format), and no folder of a run stopped part way', () => {
    const sim = path.join(tempDir(), 'sim');
    expect(xva('simulate', ...RUN, '--out', sim, '--quiet').status).toBe(0);
    // the same folder again, 100 paths, Parquet: the Arrow tables of the 200-path run stay beside the new ones
    const rerun = ['--portfolio', DATA, '--paths', '100', '--seed', '42', '--grid', '81,6M', '--threads', '1'];
    expect(xva('simulate', ...rerun, '--format', 'parquet', '--out', sim, '--quiet').status).toBe(0);
    expect(fs.existsSync(path.join(sim, 'exposure_trade.arrow'))).toBe(true);
    const read = xva('cva', '--portfolio', DATA, '--results', sim, '--json');
    expect(read.status, read.stderr).toBe(0);
    const own = JSON.parse(xva('cva', ...rerun, '--json').stdout) as typeof doc;
    const fromFolder = JSON.parse(read.stdout) as typeof doc;
    expect(Math.abs(fromFolder.book.cva / own.book.cva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(fromFolder.book.cva / doc.book.cva - 1)).toBeGreaterThan(1e-6); // not the 200-path run's
    // a run that stops part way (here: its third table cannot be written) leaves its first tables beside the run
    // before's others, and no manifest, so the folder is refused rather than read as a mix of two runs
    fs.rmSync(path.join(sim, 'exposure_book.parquet'));
    fs.mkdirSync(path.join(sim, 'exposure_book.parquet', 'in-the-way'), { recursive: true });
    const stopped = xva('simulate', ...RUN, '--format', 'parquet', '--out', sim, '--quiet');
    expect(stopped.status).not.toBe(0);
    expect(stopped.stderr).toContain('cannot write');
    expect(fs.existsSync(path.join(sim, 'manifest.json'))).toBe(false);
    const refused = xva('cva', '--portfolio', DATA, '--results', sim, '--json');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('manifest.json: not found in');
    expect(refused.stderr).toContain('a run stopped part way has none');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 120_000);

  it('xva fva runs and reports FCA = FBA = 0 where the market has no funding spreads (ORE: FBA = FCA = 0)', () => {
    const r = xva('fva', ...RUN, '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { book: { fca: number; fba: number; cva: number }; notes: string[] };
    expect(d.book.fca).toBe(0);
    expect(d.book.fba).toBe(0);
    expect(Math.abs(d.book.cva / doc.book.cva - 1)).toBeLessThan(1e-12);
    // and says why, rather than leave a table of zeros (the bad-input audit)
    expect(d.notes).toContain('the market has no funding spreads for the base currency (funding.EUR): FCA, FBA and ColVA are 0');
    // the funding stresses move the spreads the market gives (docs/scenarios.md): none here, so FCA and FBA stay 0
    // (an audit found ±50bp giving FCA and FBA of 64k on a market without funding spreads)
    const stressed = xva('fva', ...RUN, '--scenario', path.join(ROOT, 'scenarios/funding_up_50bp.yaml'), '--json');
    expect(stressed.status, stressed.stderr).toBe(0);
    const sd = JSON.parse(stressed.stdout) as { scenarios: { scenario: string; skipped: string | null; book: { fca: number; fba: number } }[] };
    const up = sd.scenarios.find((x) => x.scenario === 'funding_up_50bp')!;
    expect(up.book.fca).toBe(0);
    expect(up.book.fba).toBe(0);
    expect(up.skipped).toBe('fundingSpreadBp 50 moves nothing: the market has no funding spreads for the base currency (funding.EUR), so FCA, FBA and ColVA stay 0');
  }, 120_000);

  it('--json lists every counterparty (ranked as the cva_counterparty table), not the --top of the printout', () => {
    const dir = tempDir();
    const r = xva('cva', '--portfolio', path.join(ROOT, 'fixtures/demo'), '--paths', '16', '--grid', '41,6M', '--threads', '1', '--top', '1', '--json', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { counterparties: { counterpartyId: string; rank: number }[] };
    const table = tableFromIPC(fs.readFileSync(path.join(dir, 'cva_counterparty.arrow')));
    expect(table.numRows).toBeGreaterThan(1);
    expect(d.counterparties.map((c) => c.counterpartyId)).toEqual([...(table.getChild('counterparty_id')!.toArray() as Iterable<string>)]);
    expect(d.counterparties.map((c) => c.rank)).toEqual(d.counterparties.map((_, i) => i + 1));
  }, 120_000);

  it('a bad flag exits 2 naming it', () => {
    const r = xva('cva', ...RUN.slice(0, 2), '--paths', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--paths');
  });

  it('--rng sobol: the same CVA and DVA as `xva simulate --rng sobol` read back with --results, and not Philox\'s', () => {
    const sim = path.join(tempDir(), 'sim-sobol');
    const s = xva('simulate', ...RUN, '--rng', 'sobol', '--out', sim, '--quiet');
    expect(s.status, s.stderr).toBe(0);
    const fromResults = JSON.parse(xva('cva', '--portfolio', DATA, '--results', sim, '--json').stdout) as typeof doc;
    const r = xva('cva', ...RUN, '--rng', 'sobol', '--json');
    expect(r.status, r.stderr).toBe(0);
    const own = JSON.parse(r.stdout) as typeof doc;
    expect(Math.abs(own.book.cva / fromResults.book.cva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(own.book.dva / fromResults.book.dva - 1)).toBeLessThan(1e-9);
    expect(own.book.cva).not.toBe(doc.book.cva); // the Philox run's
  }, 120_000);

  it('--what-if on Sobol points: `cva --rng sobol --what-if` equals the what-if on `simulate --rng sobol --cube` read back with --results', () => {
    // a pay swap mirroring one of the set's two receivers (as test/xvaWhatIf.test.ts's CLI case)
    const dir = tempDir();
    const file = writeMirrorSwapFile(DATA, dir);
    type WhatIfDoc = { nettingSets: { nettingSetId: string; cva: number }[]; whatIf: { rng: string; samePathsAsRun: boolean; trades: { setValues: string; delta: { cva: number; dva: number }; base: { cva: number; dva: number } }[] } };
    const own = xva('cva', ...RUN, '--rng', 'sobol', '--what-if', file, '--json');
    expect(own.status, own.stderr).toBe(0);
    const a = JSON.parse(own.stdout) as WhatIfDoc;
    const sim = path.join(dir, 'sim');
    const s = xva('simulate', ...RUN, '--rng', 'sobol', '--cube', '--cube-precision', 'float64', '--out', sim, '--quiet');
    expect(s.status, s.stderr).toBe(0);
    const read = xva('cva', '--portfolio', DATA, '--results', sim, '--what-if', file, '--json');
    expect(read.status, read.stderr).toBe(0);
    const b = JSON.parse(read.stdout) as WhatIfDoc;
    expect(a.whatIf.samePathsAsRun).toBe(true);
    expect(b.whatIf.samePathsAsRun).toBe(true);
    expect([a.whatIf.rng, b.whatIf.rng]).toEqual(['sobol', 'sobol']);
    expect(a.whatIf.trades[0]!.setValues).toBe('revalued');
    expect(b.whatIf.trades[0]!.setValues).toBe('cube');
    // the float64 cube holds the run's values exactly: the same figures as valuing the set again
    expect(b.whatIf.trades[0]!.base).toEqual(a.whatIf.trades[0]!.base);
    expect(b.whatIf.trades[0]!.delta).toEqual(a.whatIf.trades[0]!.delta);
    // X(set) is the Sobol run's (its own command's figure), and the mirror halves the set (two near-equal swaps)
    const set = a.nettingSets.find((n) => n.nettingSetId === 'CPTY_A')!;
    expect(Math.abs(a.whatIf.trades[0]!.base.cva / set.cva - 1)).toBeLessThan(1e-12);
    const ratio = (a.whatIf.trades[0]!.base.cva + a.whatIf.trades[0]!.delta.cva) / set.cva;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
  }, 120_000);

  it('--results with inputs other than the run\'s: a warning naming them and the run\'s files; none with the run\'s own', async () => {
    // helper audit 67 F2: `cva --results DIR` without --market read the bundled demo market silently; here the run
    // read a copy of it (a comment line added: another file, another SHA-256)
    const dir = tempDir();
    const demo = path.join(ROOT, 'fixtures/demo');
    const market = path.join(dir, 'market.yaml');
    fs.writeFileSync(market, fs.readFileSync(path.join(demo, 'market.yaml'), 'utf8') + '# a copy\n');
    const sim = path.join(dir, 'sim');
    const s = await xvaInProcess(['simulate', '--portfolio', demo, '--market', market, '--paths', '16', '--grid', '41,6M', '--threads', '1', '--out', sim, '--quiet']);
    expect(s.status, s.stderr).toBe(0);
    const other = await xvaInProcess(['cva', '--results', sim, '--json']);
    expect(other.status, other.stderr).toBe(0);
    const expected = /--results: market read now is not the file the run in .* read \(market: .*fixtures\/demo\/market\.yaml, the run's .*market\.yaml\)/;
    expect(other.stderr).toMatch(expected);
    // once (it was printed twice: as it was found and again among the run's notes)
    expect(other.stderr.match(new RegExp(expected.source, 'g'))).toHaveLength(1);
    expect((JSON.parse(other.stdout) as { notes: string[] }).notes.some((n) => expected.test(n))).toBe(true);
    const own = await xvaInProcess(['cva', '--market', market, '--results', sim, '--json']);
    expect(own.status, own.stderr).toBe(0);
    expect(own.stderr).not.toMatch(/--results:/);
  }, 120_000);

  it('a bad --what-if row is an input error before any run: exit 2, nothing written in --out, an earlier run\'s tables left as they were', async () => {
    // helper audit 67 F1: the file was read after the base run, whose tables were then already in --out
    const dir = tempDir();
    const good = writeMirrorSwapFile(DATA, dir);
    const bad = path.join(dir, 'bad.csv');
    const [head, row] = fs.readFileSync(good, 'utf8').trim().split('\n') as [string, string];
    const cells = row.split(',');
    cells[head.split(',').indexOf('netting_set_id')] = 'NS-NOPE';
    fs.writeFileSync(bad, `${head}\n${cells.join(',')}\n`);
    const out = path.join(dir, 'out');
    const r = await xvaInProcess(['cva', ...RUN, '--what-if', bad, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv row 1 column netting_set_id: NS-NOPE/);
    expect(fs.existsSync(out)).toBe(false);
    // a folder holding a good run: the failed run (another seed) changes none of its files
    const okRun = await xvaInProcess(['cva', ...RUN, '--what-if', good, '--out', out, '--quiet']);
    expect(okRun.status, okRun.stderr).toBe(0);
    const before = new Map(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f))]));
    expect([...before.keys()]).toContain('what_if.arrow');
    const again = await xvaInProcess(['cva', ...RUN.map((a, i) => (RUN[i - 1] === '--seed' ? '43' : a)), '--what-if', bad, '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/bad\.csv row 1 column netting_set_id: NS-NOPE/);
    for (const [f, bytes] of before) expect(fs.readFileSync(path.join(out, f)).equals(bytes), f).toBe(true);
  }, 120_000);

  it('--rng is refused where the draws would not be the run\'s: exit 2 naming the flags', () => {
    const whatIf = path.join(tempDir(), 'new.csv');
    fs.writeFileSync(whatIf, 'trade_id\n');
    const cases: [string[], RegExp][] = [
      [['--rng', 'sobol', '--results', DATA], /--rng with --results: .*give --rng to that `xva simulate`/],
      [['--rng', 'philox', '--results', DATA], /--rng with --results/],
    ];
    for (const [args, message] of cases) {
      const r = xva('cva', ...RUN.slice(0, 2), ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--dynamic-im --rng sobol: the CVA and FCA of `xva simulate --dynamic-im --rng sobol` read back with --results', async () => {
    // the demo slice has the demo's five im_model simm sets: the DIM run and the exposure run both draw Sobol points
    const book = await writeDemoSubset(path.join(tempDir(), 'book'));
    const demo = ['--portfolio', book, '--paths', '32', '--grid', '10,1Y', '--threads', '1', '--rng', 'sobol'];
    const sim = path.join(tempDir(), 'sim-dim-sobol');
    const s = xva('simulate', ...demo, '--dynamic-im', '--out', sim, '--quiet');
    expect(s.status, s.stderr).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(sim, 'manifest.json'), 'utf8')) as { options: { rng: string }; dynamicInitialMargin: { nettingSets: unknown[] } };
    expect(manifest.options.rng).toBe('sobol');
    expect(manifest.dynamicInitialMargin.nettingSets.length).toBeGreaterThan(3);
    const fromResults = JSON.parse(xva('fva', '--portfolio', book, '--results', sim, '--json').stdout) as { book: { cva: number; fca: number } };
    const r = xva('fva', ...demo, '--dynamic-im', '--json');
    expect(r.status, r.stderr).toBe(0);
    const own = JSON.parse(r.stdout) as { book: { cva: number; fca: number } };
    expect(Math.abs(own.book.cva / fromResults.book.cva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(own.book.fca / fromResults.book.fca - 1)).toBeLessThan(1e-9);
    const philox = JSON.parse(xva('fva', ...demo.slice(0, -2), '--dynamic-im', '--json').stdout) as { book: { cva: number } };
    expect(own.book.cva).not.toBe(philox.book.cva);
  }, 180_000);

  it('--dynamic-im is refused where the IM would not be the run\'s: exit 2 naming the flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--mpor-days', '1'], /--mpor-days sets the SIMM horizon of --dynamic-im/],
      [['--dynamic-im', '--results', DATA], /--dynamic-im with --results: .*give --dynamic-im to that `xva simulate`/],
      [['--dynamic-im', '--incremental', 'CPTY_A'], /--dynamic-im with --incremental/],
      [['--dynamic-im', '--shard', '1/2', '--out', tempDir()], /--dynamic-im is not supported with `xva cva\|fva --shard`: run `xva simulate --dynamic-im --shard K\/N`/],
    ];
    // the first in a real process (--rng's refusals above are too), the others through the same command class inside
    // this process (xvaInProcess: the same parsing, checks and error rendering)
    for (const [i, [args, message]] of cases.entries()) {
      const r = i === 0 ? xva('cva', ...RUN.slice(0, 2), ...args) : await xvaInProcess(['cva', ...RUN.slice(0, 2), ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
