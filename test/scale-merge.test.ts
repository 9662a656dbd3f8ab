/**
 * Sharding through the built CLI on the demo book (60 netting sets, 50 counterparties, 1,000 trades; 200 paths to
 * keep it short). The reference is the single run `xva simulate` of the same inputs: 4 shard processes (two with
 * --shard K/4, one with --shards 4 under AWS_BATCH_JOB_ARRAY_INDEX, one under JOB_COMPLETION_INDEX, run side by
 * side) merged by `xva merge` must give its files byte for byte (tables and the path cube; the manifest equal but for
 * the wall-clock timings). Then the refusals, with their exact messages (exit 2): a missing shard, a duplicated
 * shard, a renamed copy, a shard of another run (other seed). Then a shard killed while writing its cube leaves no
 * shard folder (only a hidden temporary one the merge ignores), and a re-run completes the set with the same bytes.
 * The options' cases (a float64 cube, --dynamic-im, --rng sobol) run the same commands inside this process
 * (`xvaInProcess`, test/helpers/scaleCli.ts) on a 17-set slice of the demo book (test/helpers/demoSubset.ts) with its
 * five SIMM sets: with --dynamic-im, 3 shards merge into the single run's files too (its DIM sets spread over the
 * shards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSubset } from './helpers/demoSubset.js';
import { closeOutBook } from './helpers/closeOutBook.js';
import { plainNettingSet, sofrSwap } from './helpers/swapBook.js';
import { fromYmd } from '../src/conventions/dates.js';
import { writeAmendedPortfolio } from '../src/optimize/outputs.js';
import { copyTree, ensureBuilt, expectSameOutputs, singleAndTwoShardsMerged, startXva, xva, xvaInProcess, type CliRun } from './helpers/scaleCli.js';

const RUN = ['simulate', '--paths', '200', '--threads', '1', '--cube', '--quiet'];
let tmp: string;
let single: string;
let shards: string;
let other: string;
let merged: string;
/** The 17-set slice of the demo book (test/helpers/demoSubset.ts) of the options' cases, run in this process. */
let book: string;

const header = (dir: string) => `error: merge: the shard set in ${dir} cannot be merged:\n`;

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-'));
  single = path.join(tmp, 'single');
  shards = path.join(tmp, 'shards');
  other = path.join(tmp, 'other-seed');
  merged = path.join(tmp, 'merged');
  const runs: Promise<CliRun>[] = [
    xva([...RUN, '--out', single]),
    xva([...RUN, '--shard', '1/4', '--out', shards]),
    xva([...RUN, '--shard', '2/4', '--out', shards]),
    xva([...RUN, '--shards', '4', '--out', shards], { AWS_BATCH_JOB_ARRAY_INDEX: '2' }),
    xva([...RUN, '--shards', '4', '--out', shards], { JOB_COMPLETION_INDEX: '3' }),
    xva([...RUN, '--shard', '3/4', '--seed', '7', '--out', other]),
  ];
  for (const run of await Promise.all(runs)) expect(run.status, run.stderr).toBe(0);
  book = await writeDemoSubset(path.join(tmp, 'book'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('4 shard processes + merge = one run', () => {
  it('writes the single run files byte for byte (tables, cube; manifest but for timings)', async () => {
    const run = await xva(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Merged 4 shards of xva simulate (60 netting sets, 50 counterparties)');
    const names = expectSameOutputs(single, merged);
    expect(names).toEqual(['cube.arrow', 'exposure_book.arrow', 'exposure_counterparty.arrow', 'exposure_netting_set.arrow', 'exposure_trade.arrow', 'manifest.json', 'netting_set_summary.arrow']);
    const record = JSON.parse(fs.readFileSync(path.join(merged, 'merge.json'), 'utf8'));
    expect(record.shards.map((s: { source: string }) => s.source)).toEqual(['flag', 'flag', 'AWS_BATCH_JOB_ARRAY_INDEX', 'JOB_COMPLETION_INDEX']);
    expect(record.shards.reduce((a: number, s: { nettingSets: number }) => a + s.nettingSets, 0)).toBe(60);
  });

  it('each shard manifest names its shard, netting sets, inputs and grid', () => {
    const m = JSON.parse(fs.readFileSync(path.join(shards, 'shard-3-of-4', 'manifest.json'), 'utf8'));
    expect(m.shard.index).toBe(3);
    expect(m.shard.count).toBe(4);
    expect(m.shard.source).toBe('AWS_BATCH_JOB_ARRAY_INDEX');
    expect(m.shard.nettingSetIds.length).toBe(m.counts.nettingSets);
    expect(Object.keys(m.shard.consistency.inputs)).toContain('trades');
    expect(m.options.seed).toBe(42);
    expect(m.grid.dateList.length).toBe(m.grid.dates);
  });
});

describe('a float64 cube in shards', () => {
  it('2 shards with --cube-precision float64 + merge: the single run\'s float64 cube and tables byte for byte', async () => {
    const args = ['simulate', '--portfolio', book, '--paths', '48', '--threads', '1', '--grid', '12,1Y', '--cube', '--cube-precision', 'float64', '--quiet'];
    const { merged: out, names } = await singleAndTwoShardsMerged(args, tmp, 'f64');
    expect(names).toContain('cube.arrow');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.cube.precision).toBe('float64');
  }, 120_000);
});

describe('--cube with more shards than counterparties', () => {
  it("6 shards of test/data/small (4 counterparties; the last shards write a manifest only, no cube) + merge: the single run's cube and tables byte for byte (an audit found the merge refusing the empty shards' missing cube.arrow)", async () => {
    const args = ['simulate', '--portfolio', path.resolve('test/data/small'), '--paths', '16', '--threads', '1', '--grid', '8,1Y', '--cube', '--quiet'];
    const single = path.join(tmp, 'small-single');
    const shardDir = path.join(tmp, 'small-shards');
    const runs = await Promise.all([xvaInProcess([...args, '--out', single]), ...[1, 2, 3, 4, 5, 6].map((k) => xvaInProcess([...args, '--shard', `${k}/6`, '--out', shardDir]))]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    // the book's 4 counterparties fill 4 shards at most: the others hold no netting set and write no cube
    const empty = [1, 2, 3, 4, 5, 6].filter((k) => !fs.existsSync(path.join(shardDir, `shard-${k}-of-6`, 'cube.arrow')));
    expect(empty.length).toBeGreaterThanOrEqual(2);
    for (const k of empty) expect(JSON.parse(fs.readFileSync(path.join(shardDir, `shard-${k}-of-6`, 'manifest.json'), 'utf8')).shard.nettingSetIds).toEqual([]);
    const out = path.join(tmp, 'small-merged');
    const run = await xvaInProcess(['merge', shardDir, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, out)).toContain('cube.arrow');
  }, 120_000);
});

describe("a set with no live date and a CSA set's final-payment close-out in shards", () => {
  it("2 shards + merge: the single run's files byte for byte; the matured set's last_date is null (was 1970-01-01, which the merge refused)", async () => {
    // test/helpers/closeOutBook.ts's CSA set (collateral held after its last live date, up to its close-out end) and a
    // set whose only swap matured in 2025
    const dir = path.join(tmp, 'close-out-book');
    const { portfolio, tenors } = closeOutBook(fromYmd(2026, 6, 30));
    const matured = sofrSwap('T_OLD', 'NS_OLD', 'CP_OLD', 10e6, 0.03, 1, 'pay');
    const old = { ...matured, fixedLeg: { ...matured.fixedLeg, startDate: fromYmd(2024, 7, 2), maturityDate: fromYmd(2025, 7, 2) }, floatLeg: { ...matured.floatLeg, startDate: fromYmd(2024, 7, 2), maturityDate: fromYmd(2025, 7, 2) } };
    writeAmendedPortfolio(
      dir,
      {
        ...portfolio,
        trades: [...portfolio.trades, old],
        nettingSets: [...portfolio.nettingSets, plainNettingSet('NS_OLD', 'CP_OLD', { csa: true })],
        counterparties: [...portfolio.counterparties, { ...portfolio.counterparties[0]!, counterpartyId: 'CP_OLD', name: 'Old' }],
      },
      path.resolve('fixtures/demo'),
      path.resolve('fixtures/demo/market.yaml'),
    );
    const grid = tenors.map((t) => `${t.count}${t.unit}`).join(',');
    const args = ['simulate', '--portfolio', dir, '--paths', '64', '--threads', '1', '--grid', grid, '--cube', '--quiet'];
    const { single: one, names } = await singleAndTwoShardsMerged(args, tmp, 'close-out');
    expect(names).toContain('netting_set_summary.arrow');
    const summary = tableFromIPC(fs.readFileSync(path.join(one, 'netting_set_summary.arrow')));
    const ids = summary.getChild('netting_set_id')!.toArray() as string[];
    const lastDate = summary.getChild('last_date')!;
    expect(lastDate.get(ids.indexOf('NS_OLD'))).toBeNull();
    expect(lastDate.isValid(ids.indexOf('NS_END'))).toBe(true);
  }, 120_000);
});

describe('--dynamic-im in shards', () => {
  it('3 shards + merge: the single run\'s tables byte for byte and its manifest\'s dynamicInitialMargin section', async () => {
    // each shard computes today's SIMM of the book and the DIM of its own simm sets on the single DIM run's grid and
    // paths, then holds it as IM: a shard that held none, or another profile, would change the sets' EPE bytes
    const args = ['simulate', '--portfolio', book, '--paths', '100', '--threads', '1', '--dynamic-im', '--quiet'];
    const one = path.join(tmp, 'dim-single');
    const parts = path.join(tmp, 'dim-shards');
    const runs = await Promise.all([xvaInProcess([...args, '--out', one]), ...[1, 2, 3].map((k) => xvaInProcess([...args, '--shard', `${k}/3`, '--out', parts]))]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const out = path.join(tmp, 'dim-merged');
    const run = await xvaInProcess(['merge', parts, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(one, out)).toContain('manifest.json');
    const section = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).dynamicInitialMargin;
    expect(section.nettingSets.length).toBeGreaterThan(3);
    // the DIM sets were spread over the shards
    const holders = [1, 2, 3].filter((k) => JSON.parse(fs.readFileSync(path.join(parts, `shard-${k}-of-3`, 'manifest.json'), 'utf8')).dynamicInitialMargin.nettingSets.length > 0);
    expect(holders.length).toBeGreaterThan(1);
  }, 120_000);
});

describe('--dynamic-im --antithetic in shards', () => {
  it("the DIM run draws the antithetic paths too (its MVA moves), and 2 shards + merge give the single run's files", async () => {
    // before, the DIM run was never antithetic: --antithetic left every MVA as the plain run's (audit 77)
    const args = ['simulate', '--portfolio', book, '--paths', '100', '--threads', '1', '--dynamic-im', '--quiet'];
    const plain = path.join(tmp, 'dim-anti-plain');
    const one = path.join(tmp, 'dim-anti-single');
    const parts = path.join(tmp, 'dim-anti-shards');
    const runs = await Promise.all([
      xvaInProcess([...args, '--out', plain]),
      xvaInProcess([...args, '--antithetic', '--out', one]),
      ...[1, 2].map((k) => xvaInProcess([...args, '--antithetic', '--shard', `${k}/2`, '--out', parts])),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const mva = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).dynamicInitialMargin.nettingSets as { nettingSetId: string; mva: number }[]).map((n) => n.mva);
    const a = mva(plain);
    const b = mva(one);
    expect(a.length).toBe(b.length);
    expect(b.some((x, i) => x !== a[i])).toBe(true);
    const out = path.join(tmp, 'dim-anti-merged');
    const run = await xvaInProcess(['merge', parts, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expectSameOutputs(one, out);
  }, 120_000);
});

describe('--dynamic-im --rng sobol', () => {
  it("3 shards + merge: the single run's files; its DIM is `xva margin --dim --rng sobol`'s (MVA per set)", async () => {
    // the DIM run draws Sobol points by the slots of the DIM run's layout, in the single run and in each shard
    const args = ['simulate', '--portfolio', book, '--paths', '64', '--threads', '1', '--dynamic-im', '--rng', 'sobol', '--quiet'];
    const one = path.join(tmp, 'dim-sobol-single');
    const parts = path.join(tmp, 'dim-sobol-shards');
    const margin = path.join(tmp, 'dim-sobol-margin');
    const marginPhilox = path.join(tmp, 'dim-sobol-margin-philox');
    const runs = await Promise.all([
      xvaInProcess([...args, '--out', one]),
      ...[1, 2, 3].map((k) => xvaInProcess([...args, '--shard', `${k}/3`, '--out', parts])),
      xvaInProcess(['margin', '--portfolio', book, '--dim', '--rng', 'sobol', '--paths', '64', '--quiet', '--out', margin]),
      xvaInProcess(['margin', '--portfolio', book, '--dim', '--paths', '64', '--quiet', '--out', marginPhilox]),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const out = path.join(tmp, 'dim-sobol-merged');
    const run = await xvaInProcess(['merge', parts, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(one, out)).toContain('manifest.json');
    // a second command on the same draws: the MVA of each DIM set equals margin --dim's, and differs from Philox's
    const section = JSON.parse(fs.readFileSync(path.join(one, 'manifest.json'), 'utf8')).dynamicInitialMargin as { nettingSets: { nettingSetId: string; mva: number }[] };
    expect(section.nettingSets.length).toBeGreaterThan(3);
    const mvaOf = (dir: string): Map<string, number> => {
      const out = new Map<string, number>();
      const table = tableFromIPC(fs.readFileSync(path.join(dir, 'margin_netting_sets.arrow')));
      for (let i = 0; i < table.numRows; i++) {
        const mva = table.getChild('mva_usd')!.get(i) as number | null;
        if (mva !== null) out.set(table.getChild('netting_set_id')!.get(i) as string, mva);
      }
      return out;
    };
    const sobolMva = mvaOf(margin);
    const philoxMva = mvaOf(marginPhilox);
    for (const s of section.nettingSets) expect(s.mva, s.nettingSetId).toBeCloseTo(sobolMva.get(s.nettingSetId)!, 6);
    expect(section.nettingSets.some((s) => s.mva !== philoxMva.get(s.nettingSetId))).toBe(true);
  }, 180_000);
});

describe('--rng sobol in shards', () => {
  it("3 shards + merge: the single run's files byte for byte (each shard's drivers on the book's Sobol coordinates); a Philox shard does not belong", async () => {
    // a shard simulates only its sets' factors; its paths are the single run's only if each driver keeps the Sobol
    // coordinates of the book's layout (simulateShard.ts passes it as sobolLayout)
    const args = ['simulate', '--portfolio', book, '--paths', '100', '--threads', '1', '--grid', '12,1Y', '--rng', 'sobol', '--quiet'];
    const one = path.join(tmp, 'sobol-single');
    const parts = path.join(tmp, 'sobol-shards');
    const philox = path.join(tmp, 'sobol-philox');
    const runs = await Promise.all([
      xvaInProcess([...args, '--out', one]),
      ...[1, 2, 3].map((k) => xvaInProcess([...args, '--shard', `${k}/3`, '--out', parts])),
      xvaInProcess(['simulate', '--portfolio', book, '--paths', '100', '--threads', '1', '--grid', '12,1Y', '--quiet', '--shard', '2/3', '--out', philox]),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const simulated = [1, 2, 3].map((k) => JSON.parse(fs.readFileSync(path.join(parts, `shard-${k}-of-3`, 'manifest.json'), 'utf8')).shard.factors);
    expect(simulated.some((f: { simulated: string[]; bookFactors: number }) => f.simulated.length < f.bookFactors)).toBe(true);
    const out = path.join(tmp, 'sobol-merged');
    const run = await xvaInProcess(['merge', parts, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(one, out)).toContain('exposure_trade.arrow');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).options.rng).toBe('sobol');
    const mixed = path.join(tmp, 'sobol-mixed');
    copyTree(parts, mixed, (name) => name === 'shard-2-of-3');
    copyTree(path.join(philox, 'shard-2-of-3'), path.join(mixed, 'shard-2-of-3'));
    const refused = await xvaInProcess(['merge', mixed, '--out', path.join(tmp, 'sobol-x')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`${header(mixed)}  shard-2-of-3 does not belong with shard-1-of-3: different option rng ("sobol" vs "philox")\n`);
  }, 120_000);

  it('refuses --rng sobol with --antithetic before reading any input (exit 2)', async () => {
    for (const [extra, message] of [
      [['--antithetic'], '--antithetic pairs pseudo-random draws: leave it out with --rng sobol'],
    ] as const) {
      const run = await xva(['simulate', '--paths', '10', '--rng', 'sobol', ...extra, '--out', path.join(tmp, 'never')]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
    }
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('merge refuses an incomplete, duplicated or mismatched set (exit 2, naming the shard)', () => {
  it('a missing shard', async () => {
    const dir = path.join(tmp, 'missing');
    copyTree(shards, dir, (name) => name === 'shard-3-of-4');
    const run = await xva(['merge', dir, '--out', path.join(tmp, 'x1')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${header(dir)}  shard 3/4 is missing: no folder shard-3-of-4 in ${dir} (run xva simulate --shard 3/4 with the same inputs and options)\n`);
    expect(fs.existsSync(path.join(tmp, 'x1'))).toBe(false);
  });

  it('a duplicated shard, and a shard folder renamed to another K', async () => {
    const dup = path.join(tmp, 'duplicated');
    copyTree(shards, dup);
    copyTree(path.join(shards, 'shard-2-of-4'), path.join(dup, 'shard-02-of-4'));
    const run = await xva(['merge', dup, '--out', path.join(tmp, 'x2')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${header(dup)}  shard 2/4 appears twice: shard-02-of-4 and shard-2-of-4\n`);

    const renamed = path.join(tmp, 'renamed');
    copyTree(shards, renamed, (name) => name === 'shard-3-of-4');
    copyTree(path.join(shards, 'shard-2-of-4'), path.join(renamed, 'shard-3-of-4'));
    const run2 = await xva(['merge', renamed, '--out', path.join(tmp, 'x3')]);
    expect(run2.status).toBe(2);
    // the folder shard-3-of-4 is there: its own line says what is wrong with it, no "missing" line beside it
    expect(run2.stderr).toBe(`${header(renamed)}  shard-3-of-4: its manifest says shard 2/4 (folder renamed or copied?)\n`);
  });

  it("a table that is not the file its shard's manifest lists (copied in from another run's shard): refused up front", async () => {
    const dir = path.join(tmp, 'swapped-table');
    copyTree(shards, dir);
    // the same shard of the other-seed run: the same netting sets, rows and columns, other figures
    fs.copyFileSync(path.join(other, 'shard-3-of-4', 'exposure_netting_set.arrow'), path.join(dir, 'shard-3-of-4', 'exposure_netting_set.arrow'));
    const out = path.join(tmp, 'x8');
    const run = await xva(['merge', dir, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${header(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  shard-3-of-4/exposure_netting_set\\.arrow is not the file its manifest lists \\(sha256 [0-9a-f]{12}… vs [0-9a-f]{12}…\\): re-run the shard\n$`));
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a shard written by another version of xva', async () => {
    const dir = path.join(tmp, 'other-version');
    copyTree(shards, dir);
    const file = path.join(dir, 'shard-2-of-4', 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    const version = m.version as string;
    m.version = '9.9.9';
    fs.writeFileSync(file, JSON.stringify(m));
    const run = await xva(['merge', dir, '--out', path.join(tmp, 'x6')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${header(dir)}  shard-2-of-4 does not belong with shard-1-of-4: different xva version (${version} vs 9.9.9); re-run the shards with one version of xva\n`);
  });

  it('a truncated or missing cube.arrow: named with the other problems before anything is written, exit 2 (an audit found the merged tables written first)', async () => {
    const dir = path.join(tmp, 'truncated-cube');
    copyTree(shards, dir);
    const cube = path.join(dir, 'shard-2-of-4', 'cube.arrow');
    const size = fs.statSync(cube).size;
    fs.truncateSync(cube, size - 1000);
    fs.rmSync(path.join(dir, 'shard-3-of-4', 'cube.arrow'));
    const out = path.join(tmp, 'x7');
    const run = await xva(['merge', dir, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `${header(dir)}  shard-2-of-4/cube.arrow is not a whole Arrow IPC file (${size - 1000} bytes; it does not end with ARROW1: cut short?): re-run the shard\n` +
        '  shard-3-of-4/cube.arrow is missing (the shard ran with --cube): re-run the shard\n',
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a merge that fails half-way over an earlier merge leaves no merge.json (the folder is not taken for a finished merge)', async () => {
    const out = path.join(tmp, 'remerge');
    const first = await xva(['merge', shards, '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'merge.json'))).toBe(true);
    // the same shards with one table unreadable: the set checks pass, the merge stops while reading the tables
    const broken = path.join(tmp, 'broken');
    copyTree(shards, broken);
    fs.writeFileSync(path.join(broken, 'shard-2-of-4', 'exposure_netting_set.arrow'), 'not arrow');
    // as a shard of an earlier version wrote it, without its tables' SHA-256 (which would refuse the file up front,
    // below), so that the merge gets as far as reading the table
    const manifestFile = path.join(broken, 'shard-2-of-4', 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    delete m.shard.files;
    fs.writeFileSync(manifestFile, JSON.stringify(m));
    const run = await xva(['merge', broken, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('shard-2-of-4/exposure_netting_set.arrow');
    expect(fs.existsSync(path.join(out, 'merge.json'))).toBe(false);
  });

  it("a single run into a merge's folder removes merge.json (the record of a merge that no longer made the tables)", async () => {
    const out = path.join(tmp, 'merge-then-run');
    const first = await xva(['merge', shards, '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'merge.json'))).toBe(true);
    const run = await xva(['simulate', '--paths', '50', '--threads', '1', '--quiet', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'merge.json'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true);
  });

  it('cva, margin and capital runs into a merge\'s folder remove its merge.json too (only simulate did)', async () => {
    for (const [name, args] of [
      ['cva', ['cva', '--paths', '16', '--grid', '41,6M', '--threads', '1', '--quiet']],
      ['margin', ['margin', '--quiet']],
      ['capital', ['capital', '--no-kva', '--quiet']],
    ] as const) {
      const out = path.join(tmp, `merge-record-${name}`);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'merge.json'), '{"command":"merge record of an earlier run"}\n');
      const run = await xva([...args, '--out', out]);
      expect(run.status, run.stderr).toBe(0);
      expect(fs.existsSync(path.join(out, 'merge.json')), name).toBe(false);
    }
  }, 120_000);

  it('shard folders gathered by symbolic links merge as the folders themselves (they were "missing")', async () => {
    const dir = path.join(tmp, 'linked');
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(shards).filter((n) => /^shard-\d+-of-4$/.test(n))) fs.symlinkSync(path.join(shards, name), path.join(dir, name));
    const out = path.join(tmp, 'linked-merged');
    const run = await xva(['merge', dir, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const direct = path.join(tmp, 'linked-reference');
    const ref = await xva(['merge', shards, '--out', direct]);
    expect(ref.status, ref.stderr).toBe(0);
    expectSameOutputs(direct, out, ['merge.json']);
  });

  it('--backend auto falling back to the CPU: the shards record its note and the merge writes the single run\'s manifest', async () => {
    const args = ['simulate', '--portfolio', book, '--paths', '32', '--grid', '41,6M', '--threads', '1', '--quiet', '--backend', 'auto'];
    const one = path.join(tmp, 'auto-single');
    const parts = path.join(tmp, 'auto-shards');
    const runs = await Promise.all([xva([...args, '--out', one]), xva([...args, '--shard', '1/2', '--out', parts]), xva([...args, '--shard', '2/2', '--out', parts])]);
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const notes = (JSON.parse(fs.readFileSync(path.join(one, 'manifest.json'), 'utf8')) as { options: { backendNotes?: string[] } }).options.backendNotes;
    // where a hardware adapter opens, auto takes the GPU (its own merge test covers that route)
    if (!notes?.[0]?.startsWith('--backend auto: CPU backend')) return;
    const out = path.join(tmp, 'auto-merged');
    const m = await xva(['merge', parts, '--out', out]);
    expect(m.status, m.stderr).toBe(0);
    expectSameOutputs(one, out, ['merge.json']);
  }, 120_000);

  it('a shard of another run (other seed)', async () => {
    const dir = path.join(tmp, 'mismatched');
    copyTree(shards, dir, (name) => name === 'shard-3-of-4');
    copyTree(path.join(other, 'shard-3-of-4'), path.join(dir, 'shard-3-of-4'));
    const run = await xva(['merge', dir, '--out', path.join(tmp, 'x4')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${header(dir)}  shard-3-of-4 does not belong with shard-1-of-4: different option seed (42 vs 7)\n`);
  });

  it('shards of runs with another N', async () => {
    const dir = path.join(tmp, 'other-n');
    copyTree(shards, dir);
    copyTree(path.join(shards, 'shard-1-of-4'), path.join(dir, 'shard-1-of-2'));
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'shard-1-of-2', 'manifest.json'), 'utf8'));
    m.shard.count = 2;
    fs.writeFileSync(path.join(dir, 'shard-1-of-2', 'manifest.json'), JSON.stringify(m));
    const run = await xva(['merge', dir, '--out', path.join(tmp, 'x5')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`  shards of runs with different shard counts N (2, 4): shard-1-of-2, shard-1-of-4; keep one run's shards in ${dir}\n`);
  });
});

/** Waits (up to 2 minutes) until the shard's temporary folder in `dir` holds a cube being streamed; whether it did. */
async function cubeStreaming(dir: string, folder: string): Promise<boolean> {
  const inProgress = (): boolean =>
    fs.readdirSync(dir).some((n) => n.startsWith(`.${folder}.tmp-`) && fs.readdirSync(path.join(dir, n)).some((f) => /^\.cube\.arrow\..*\.tmp$/.test(f)));
  const deadline = Date.now() + 120_000;
  while (!inProgress() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return inProgress();
}

describe('a shard killed mid-write leaves nothing; a re-run completes the set', () => {
  it('no shard-2-of-4 after SIGKILL during the cube write; the re-run gives the same bytes and the merge the single run', async () => {
    const dir = path.join(tmp, 'killed');
    copyTree(shards, dir, (name) => name === 'shard-2-of-4');
    const { child, done } = startXva([...RUN, '--shard', '2/4', '--out', dir]);
    // wait until the shard's temporary folder holds a cube being streamed, then kill it
    expect(await cubeStreaming(dir, 'shard-2-of-4')).toBe(true);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.status).toBeNull();
    expect(fs.existsSync(path.join(dir, 'shard-2-of-4'))).toBe(false);
    const refused = await xva(['merge', dir, '--out', path.join(tmp, 'x6')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('shard 2/4 is missing: no folder shard-2-of-4');

    const rerun = await xva([...RUN, '--shard', '2/4', '--out', dir]);
    expect(rerun.status, rerun.stderr).toBe(0);
    // idempotent: the re-run's folder is the first run's, byte for byte (manifest but for timings)
    expectSameOutputs(path.join(shards, 'shard-2-of-4'), path.join(dir, 'shard-2-of-4'));
    const out = path.join(tmp, 'merged-after-kill');
    const run = await xva(['merge', dir, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: ignored \.shard-2-of-4\.tmp-\d+-[0-9a-f]+: a shard run that did not finish/);
    expectSameOutputs(single, out);
  }, 300_000);
});

describe('a run stopped by SIGTERM or SIGINT removes its temporary files (a pod stopped, Ctrl-C)', () => {
  it('a shard stopped while streaming its cube: exit 128 + signal, no hidden folder left, the earlier shard folder untouched', async () => {
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const dir = path.join(tmp, `stopped-${signal}`);
      copyTree(shards, dir);
      const { child, done } = startXva([...RUN, '--shard', '2/4', '--out', dir]);
      expect(await cubeStreaming(dir, 'shard-2-of-4')).toBe(true);
      child.kill(signal);
      const stopped = await done;
      expect(stopped.status, signal).toBe(code);
      expect(stopped.stderr).toContain(`xva: stopped by ${signal}; temporary files removed`);
      expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
      expectSameOutputs(path.join(shards, 'shard-2-of-4'), path.join(dir, 'shard-2-of-4'));
    }
  }, 300_000);
});

describe('a run inside the test process is a fresh process run', () => {
  it("after the in-process runs above, the demo run writes the bytes of the single run's process (tables, cube, manifest)", async () => {
    // what lets the option cases above stand in for processes: the library keeps nothing from one run to the next
    const inProcess = path.join(tmp, 'single-in-process');
    const run = await xvaInProcess([...RUN, '--out', inProcess]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, inProcess)).toContain('cube.arrow');
  }, 120_000);
});
