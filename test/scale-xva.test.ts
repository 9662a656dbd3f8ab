/**
 * `xva cva --shard K/N` + `xva merge` through the built CLI's commands, run inside this process (`xvaInProcess`,
 * test/helpers/scaleCli.ts), on a 17-set slice of the demo book (test/helpers/demoSubset.ts; 100 paths), with the nine bundled stress
 * scenarios: the merged tables are the single `xva cva --out` run's byte for byte (netting sets, counterparties ranked
 * against the whole book, trades, book, the scenarios' counterparty and book rows re-added from the shards' netting-set
 * rows). The single run's `xva_scenarios_netting_set` is checked against its other tables: base rows = cva_netting_set,
 * each scenario's counterparty and book rows = the sums of its set rows (the same additions in the same order, so
 * exactly), a credit shock raises most sets' CVA and leaves every DVA alone (unilateral), a coverage shock moves only
 * collateralised sets. A shard of other scenarios does not merge. Counterparties with a wrong-way model in several
 * shards merge into the single run's cva_wrong_way. The flags a shard cannot honour are refused before any input is
 * read (exit 2, in a real process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC, type Table } from 'apache-arrow';
import { IssueCollector } from '../src/errors.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { writeDemoSubset } from './helpers/demoSubset.js';
import { copyTree, ensureBuilt, expectSameOutputs, ROOT, xva, xvaInProcess } from './helpers/scaleCli.js';

let book: string;
const RUN = (): string[] => ['cva', '--portfolio', book, '--paths', '100', '--threads', '1', '--quiet', '--scenarios', 'default'];
const arrow = (file: string): Table => tableFromIPC(fs.readFileSync(file));
const column = <T>(t: Table, name: string): T[] => [...(t.getChild(name)!.toArray() as Iterable<T>)];
let tmp: string;

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-xva-'));
  book = await writeDemoSubset(path.join(tmp, 'book'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('xva cva in 3 shards + merge = one run, with the stress scenarios', () => {
  it('writes the single run tables byte for byte', async () => {
    const single = path.join(tmp, 'single');
    const shards = path.join(tmp, 'shards');
    const runs = await Promise.all([
      xvaInProcess([...RUN(), '--out', single]),
      xvaInProcess([...RUN(), '--shard', '1/3', '--out', shards]),
      xvaInProcess([...RUN(), '--shards', '3', '--out', shards], { JOB_COMPLETION_INDEX: '1' }),
      xvaInProcess([...RUN(), '--shards', '3', '--out', shards], { AWS_BATCH_JOB_ARRAY_INDEX: '2' }),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Merged 3 shards of xva cva (17 netting sets, 17 counterparties)');
    expect(expectSameOutputs(single, merged)).toEqual(['cva_counterparty.arrow', 'cva_netting_set.arrow', 'cva_trade.arrow', 'xva_book.arrow', 'xva_scenarios.arrow', 'xva_scenarios_netting_set.arrow']);
  }, 300_000);

  it('xva_scenarios_netting_set: base = cva_netting_set; counterparty and book rows are the sums of its rows', async () => {
    const single = path.join(tmp, 'single');
    const bySet = arrow(path.join(single, 'xva_scenarios_netting_set.arrow'));
    const rows = arrow(path.join(single, 'xva_scenarios.arrow'));
    const base = arrow(path.join(single, 'cva_netting_set.arrow'));
    const figures = ['cva', 'dva', 'fca', 'fba', 'colva'] as const;
    const scen = column<string>(bySet, 'scenario');
    const setIds = column<string>(bySet, 'netting_set_id');
    const cps = column<string>(bySet, 'counterparty_id');
    const values = Object.fromEntries(figures.map((f) => [f, column<number>(bySet, f)]));
    const names = [...new Set(scen)];
    expect(names).toEqual(['base', ...new Set(column<string>(rows, 'scenario').filter((n) => n !== 'base'))]);
    expect(names.length).toBe(10);
    const baseIds = column<string>(base, 'netting_set_id');
    const at = (name: string): number[] => scen.flatMap((s, r) => (s === name ? [r] : []));
    for (const name of names) expect(at(name).map((r) => setIds[r])).toEqual(baseIds);
    for (const f of figures) expect(at('base').map((r) => values[f]![r])).toEqual(column<number>(base, f));
    // each scenario's counterparty and book rows: the set rows added from 0 in the book's order (computeXva's order)
    const rScen = column<string>(rows, 'scenario');
    const rScope = column<string>(rows, 'scope');
    const rCp = column<string | null>(rows, 'counterparty_id');
    for (const name of names) {
      const cpSums = new Map<string, Record<string, number>>();
      const book: Record<string, number> = { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0 };
      for (const r of at(name)) {
        let sum = cpSums.get(cps[r]!);
        if (!sum) cpSums.set(cps[r]!, (sum = { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0 }));
        for (const f of figures) {
          sum[f] += values[f]![r]!;
          book[f] += values[f]![r]!;
        }
      }
      rScen.forEach((s, r) => {
        if (s !== name) return;
        const expected = rScope[r] === 'book' ? book : cpSums.get(rCp[r]!)!;
        for (const f of figures) expect(column<number>(rows, f)[r], `${name} ${rScope[r]} ${rCp[r]} ${f}`).toBe(expected[f]);
      });
    }
    // credit_up_100bp moves only counterparty spreads, on the same profiles: in the default unilateral mode the bank's
    // DVA does not see the counterparty's curve (every set's DVA the base's, bit for bit; FCA/FBA do, through the
    // counterparty's survival in the funding weights), and CVA rises on most sets
    const up = at('credit_up_100bp');
    const b = at('base');
    expect(up.map((r) => values.dva![r])).toEqual(b.map((r) => values.dva![r]));
    expect(up.filter((r, i) => values.cva![r]! > values.cva![b[i]!]!).length).toBeGreaterThan(b.length / 2);
    // collateral_0pct re-aggregates with no collateral held: sets without a CSA or IM keep every figure, and the CVA
    // of sets under a CSA rises (the bank's own posting can make a set's fall, so not every one)
    const { nettingSets } = await loadPortfolio(book, new IssueCollector());
    const collateralised = new Set(nettingSets.filter((n) => n.csa || (n.initialMarginHeld ?? 0) > 0).map((n) => n.nettingSetId));
    const zero = at('collateral_0pct');
    let rose = 0;
    b.forEach((r, i) => {
      const z = zero[i]!;
      if (!collateralised.has(setIds[r]!)) for (const f of figures) expect(values[f]![z], `${setIds[r]} ${f}`).toBe(values[f]![r]);
      else if (values.cva![z]! > values.cva![r]!) rose++;
    });
    expect(collateralised.size).toBeGreaterThan(5);
    expect(rose).toBeGreaterThan(collateralised.size / 2);
  });

  it('a shard of other scenarios does not merge with the others', async () => {
    const odd = path.join(tmp, 'odd');
    const run = await xvaInProcess([...RUN().slice(0, -2), '--scenario', path.join(ROOT, 'scenarios/credit_up_100bp.yaml'), '--shard', '3/3', '--out', odd]);
    expect(run.status, run.stderr).toBe(0);
    const mixed = path.join(tmp, 'mixed');
    copyTree(path.join(tmp, 'shards'), mixed, (name) => name === 'shard-3-of-3');
    copyTree(path.join(odd, 'shard-3-of-3'), path.join(mixed, 'shard-3-of-3'));
    const merged = await xvaInProcess(['merge', mixed, '--out', path.join(tmp, 'mixed-out')]);
    expect(merged.status).toBe(2);
    expect(merged.stderr).toContain('shard-3-of-3 does not belong with shard-1-of-3: different option scenarios');
  }, 120_000);
});

describe('xva fva --rng sobol in 2 shards + merge = one run', () => {
  it("the single run's tables byte for byte (each shard's drivers on the book's Sobol coordinates)", async () => {
    const args = ['fva', '--portfolio', book, '--paths', '60', '--threads', '1', '--quiet', '--grid', '12,1Y', '--rng', 'sobol'];
    const single = path.join(tmp, 'sobol-single');
    const shards = path.join(tmp, 'sobol-shards');
    const runs = await Promise.all([xvaInProcess([...args, '--out', single]), xvaInProcess([...args, '--shard', '1/2', '--out', shards]), xvaInProcess([...args, '--shard', '2/2', '--out', shards])]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'sobol-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toContain('xva_book.arrow');
    const manifest = JSON.parse(fs.readFileSync(path.join(shards, 'shard-1-of-2', 'manifest.json'), 'utf8'));
    expect(manifest.options.rng).toBe('sobol');
  }, 300_000);
});

describe('wrong-way counterparties in 3 shards + merge = one run', () => {
  // under --rng sobol too: each shard's wrong-way rows draw the whole book's Sobol slots (the intensity model's
  // credit driver on Philox draws), as the single run's
  it.each(['philox', 'sobol'] as const)('cva_wrong_way and every other table byte for byte, counterparties in the table order (rng %s)', async (rng) => {
    // the demo slice with an intensity-model counterparty and three exposure-model ones (beta of either sign), in
    // all three shards, CP0039 in shard 1 (listed last in the merged table: the counterparties table's order)
    const wwBook = await writeDemoSubset(path.join(tmp, `ww-book-${rng}`), {
      CP0001: { model: 'intensity', logVolatility: 0.6 },
      CP0004: { model: 'exposure', betaPerMillion: 0.8 },
      CP0008: { model: 'exposure', betaPerMillion: -0.5 },
      CP0039: { model: 'exposure', betaPerMillion: 1.5 },
    });
    const run = ['cva', '--portfolio', wwBook, '--paths', '100', '--threads', '1', '--quiet', '--rng', rng];
    const single = path.join(tmp, `ww-single-${rng}`);
    const shards = path.join(tmp, `ww-shards-${rng}`);
    const runs = await Promise.all([xvaInProcess([...run, '--out', single]), ...[1, 2, 3].map((k) => xvaInProcess([...run, '--shard', `${k}/3`, '--out', shards]))]);
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    // the counterparties are spread over more than one shard
    const owners = [1, 2, 3].filter((k) => fs.existsSync(path.join(shards, `shard-${k}-of-3`, 'cva_wrong_way.arrow')));
    expect(owners).toEqual([1, 2, 3]);
    const merged = path.join(tmp, `ww-merged-${rng}`);
    const m = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(m.status, m.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toContain('cva_wrong_way.arrow');
    const t = arrow(path.join(merged, 'cva_wrong_way.arrow'));
    const cpRows = column<string>(t, 'scope').flatMap((s, r) => (s === 'counterparty' ? [column<string>(t, 'counterparty_id')[r]] : []));
    expect(cpRows).toEqual(['CP0001', 'CP0004', 'CP0008', 'CP0039']);
  }, 300_000);
});

describe('what a cva/fva shard refuses (exit 2)', () => {
  it('--results, and a shard without --out', async () => {
    const results = await xva(['fva', '--shard', '1/2', '--results', tmp, '--out', path.join(tmp, 'r2')]);
    expect(results.status).toBe(2);
    expect(results.stderr).toContain('error: --results is not supported with --shard');
    const noOut = await xva(['cva', '--shard', '1/2']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe('error: --shard needs --out DIR: the shard folder is written under it\n');
  });
});
