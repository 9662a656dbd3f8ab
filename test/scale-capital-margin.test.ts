/**
 * `xva margin --shard K/N` + `xva merge` through the built CLI's commands, run inside this process (`xvaInProcess`,
 * test/helpers/scaleCli.ts), on a 17-set slice of the demo book (test/helpers/demoSubset.ts): the merged tables are the single
 * `xva margin --out` run's byte for byte (the reference is the unsharded run, a second computation of the same
 * figures; tolerance zero: every float64 is read back and written bit for bit). SIMM rows in order of the netting
 * sets' first trades, IM/VM per netting set sorted by id, coverage scenarios per netting set. What does not merge is
 * refused with a usage error (exit 2, in a real process) before any input is read: margin --crif, --write-crif and repeated scenario
 * names. With --dim, 3 shards (the DIM sets in two of them) merge into the single run's margin_dim and MVA bytes. `xva capital --shard` is tested in scale-capital.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSubset } from './helpers/demoSubset.js';
import { copyTree, ensureBuilt, expectSameOutputs, xva, xvaInProcess } from './helpers/scaleCli.js';

let book: string;
const RUN = (): string[] => ['margin', '--portfolio', book, '--scenarios', 'default', '--quiet'];
const TABLES = ['margin_netting_sets.arrow', 'margin_scenarios.arrow', 'margin_simm.arrow'];
let tmp: string;

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-margin-'));
  book = await writeDemoSubset(path.join(tmp, 'book'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const column = (file: string, name: string): unknown[] => [...(tableFromIPC(fs.readFileSync(file)).getChild(name)!.toArray() as Iterable<unknown>)];

describe('xva margin in 3 shards + merge = one run', () => {
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
    // the single run has SIMM, schedule and VM rows to reorder, and scenario rows: the comparison is not vacuous
    const models = column(path.join(single, 'margin_netting_sets.arrow'), 'im_model');
    expect(models).toContain('simm');
    expect(models).toContain('schedule');
    expect(column(path.join(single, 'margin_scenarios.arrow'), 'scenario').length).toBeGreaterThan(0);
    // every shard holds a part: no shard's tables are the whole book's
    for (const k of [1, 2, 3]) {
      const rows = column(path.join(shards, `shard-${k}-of-3`, 'margin_netting_sets.arrow'), 'netting_set_id');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThan(models.length);
    }
    const merged = path.join(tmp, 'merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Merged 3 shards of xva margin (${models.length} netting sets, 17 counterparties)`);
    expect(expectSameOutputs(single, merged)).toEqual(TABLES);
  }, 120_000);

  it('every netting set under SIMM, 1-day MPOR, a VM balance on file for one CSA set, 5 shards: the same bytes', async () => {
    const balances = path.join(tmp, 'balances.csv');
    fs.writeFileSync(balances, 'netting_set_id,balance\nNS-CP0005-1,2500000\n');
    const args = ['margin', '--portfolio', book, '--all-netting-sets', '--mpor', '1', '--collateral-balances', balances, '--quiet'];
    const single = path.join(tmp, 'all-single');
    const shards = path.join(tmp, 'all-shards');
    const runs = await Promise.all([xvaInProcess([...args, '--out', single]), ...[1, 2, 3, 4, 5].map((k) => xvaInProcess([...args, '--shard', `${k}/5`, '--out', shards]))]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'all-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toEqual(TABLES);
    // the balance's flag survives the merge: true for that set only
    const ids = column(path.join(merged, 'margin_netting_sets.arrow'), 'netting_set_id');
    const onFile = column(path.join(merged, 'margin_netting_sets.arrow'), 'balance_on_file');
    expect(ids.filter((_, i) => onFile[i] === true)).toEqual(['NS-CP0005-1']);
  }, 120_000);

  it('--dim: the DIM profiles and MVA of 3 shards are the single run\'s, in its DIM run\'s order', async () => {
    // each shard simulates its own SIMM sets on the whole book's DIM grid and the blocks of its layout they need
    // with the bundled scenarios: the MVA of the DIM and schedule sets under each (margin_mva_scenarios) merges too
    const args = ['margin', '--portfolio', book, '--dim', '--paths', '100', '--scenarios', 'default', '--quiet'];
    const single = path.join(tmp, 'dim-single');
    const shards = path.join(tmp, 'dim-shards');
    const runs = await Promise.all([xvaInProcess([...args, '--out', single]), ...[1, 2, 3].map((k) => xvaInProcess([...args, '--shard', `${k}/3`, '--out', shards]))]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const holders = [1, 2, 3].filter((k) => fs.existsSync(path.join(shards, `shard-${k}-of-3`, 'margin_dim.arrow')));
    expect(holders.length).toBeGreaterThan(1);
    const merged = path.join(tmp, 'dim-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toEqual(['margin_dim.arrow', 'margin_mva_scenarios.arrow', ...TABLES]);
    expect(column(path.join(merged, 'margin_netting_sets.arrow'), 'mva_usd').filter((x) => x !== null && (x as number) > 0).length).toBeGreaterThan(2);
    expect(new Set(column(path.join(merged, 'margin_mva_scenarios.arrow'), 'mva_source'))).toEqual(new Set(['dim', 'schedule']));
  }, 120_000);

  it('--dim --rng sobol: 3 shards give the single Sobol run\'s DIM; its first date is the Philox run\'s (no randomness at t = 0)', async () => {
    // each driver on its Sobol coordinates by its slot in the whole book's DIM layout, in the single run and the shards
    const args = ['margin', '--portfolio', book, '--dim', '--rng', 'sobol', '--paths', '128', '--quiet'];
    const single = path.join(tmp, 'dim-sobol-single');
    const shards = path.join(tmp, 'dim-sobol-shards');
    const philox = path.join(tmp, 'dim-sobol-philox');
    const runs = await Promise.all([
      xvaInProcess([...args, '--out', single]),
      ...[1, 2, 3].map((k) => xvaInProcess([...args, '--shard', `${k}/3`, '--out', shards])),
      xvaInProcess(['margin', '--portfolio', book, '--dim', '--paths', '128', '--quiet', '--out', philox]),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'dim-sobol-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(expectSameOutputs(single, merged)).toEqual(['margin_dim.arrow', ...TABLES]);
    // the draws differ after today; today's expected IM is each set's model IM at the common starting point
    const sobolIm = column(path.join(single, 'margin_dim.arrow'), 'expected_im_collect_usd') as number[];
    const philoxIm = column(path.join(philox, 'margin_dim.arrow'), 'expected_im_collect_usd') as number[];
    const times = column(path.join(single, 'margin_dim.arrow'), 'time_years') as number[];
    expect(sobolIm.length).toBe(philoxIm.length);
    const today = times.flatMap((t, i) => (t === 0 ? [i] : []));
    expect(today.length).toBeGreaterThan(2);
    for (const i of today) expect(sobolIm[i]).toBeCloseTo(philoxIm[i]!, 6);
    expect(sobolIm.some((x, i) => times[i]! > 0 && x !== philoxIm[i])).toBe(true);
    // a Philox DIM shard does not merge with the Sobol ones
    const mixed = path.join(tmp, 'dim-sobol-mixed');
    copyTree(shards, mixed, (name) => name === 'shard-2-of-3');
    const other = await xvaInProcess(['margin', '--portfolio', book, '--dim', '--paths', '128', '--quiet', '--shard', '2/3', '--out', mixed]);
    expect(other.status, other.stderr).toBe(0);
    const refused = await xvaInProcess(['merge', mixed, '--out', path.join(tmp, 'dim-sobol-mixed-out')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/option dim/);
  }, 180_000);

  it('a shard of another run (other --mpor) is named', async () => {
    const mixed = path.join(tmp, 'mixed');
    copyTree(path.join(tmp, 'shards'), mixed, (name) => name === 'shard-2-of-3');
    const other = await xvaInProcess([...RUN(), '--mpor', '1', '--shard', '2/3', '--out', mixed]);
    expect(other.status, other.stderr).toBe(0);
    const run = await xvaInProcess(['merge', mixed, '--out', path.join(tmp, 'mixed-out')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('shard-2-of-3 does not belong with shard-1-of-3: different option mporDays (10 vs 1)');
  }, 60_000);
});

describe('what does not shard (exit 2, before any input is read)', () => {
  it('margin --crif, --write-crif, repeated scenario names, no --out', async () => {
    const out = path.join(tmp, 'refused');
    const crifFile = path.join(tmp, 'crif.csv');
    fs.writeFileSync(crifFile, 'x\n');
    const crif = await xva(['margin', '--shard', '1/2', '--crif', crifFile, '--out', out]);
    expect(crif.status).toBe(2);
    expect(crif.stderr).toBe('error: --crif is not supported with xva margin --shard: the CRIF is read whole, there is no simulation or repricing to split; run it unsharded\n');
    const write = await xva(['margin', '--shard', '1/2', '--write-crif', crifFile, '--out', out]);
    expect(write.status).toBe(2);
    expect(write.stderr).toBe('error: --write-crif is not supported with xva margin --shard: each shard would write its part of the CRIF over the same file; run it unsharded\n');
    const twice = await xva(['margin', '--shard', '1/2', '--scenario', 'scenarios/collateral_50pct.yaml', '--scenario', 'scenarios/collateral_50pct.yaml', '--out', out]);
    expect(twice.status).toBe(2);
    // a name given twice is refused by every run now (scenarios/load.ts uniqueScenarios), before the shard's own check
    expect(twice.stderr).toContain('collateral_50pct.yaml column name: collateral_50pct: expected a name not already used (also in the same file, given twice)');
    const noOut = await xva(['margin', '--shard', '1/2']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe('error: --shard needs --out DIR: the shard folder is written under it\n');
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);
});
