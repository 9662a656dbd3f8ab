/**
 * `xva cva --shard K/N` + `xva merge` through the built CLI on the demo book (100 paths): the merged tables are the
 * single `xva cva --out` run's byte for byte (netting sets, counterparties ranked against the whole book, trades,
 * book, base scenario rows). The flags a shard cannot honour are refused before any input is read (exit 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectSameOutputs, xva } from './helpers/scaleCli.js';

const RUN = ['cva', '--paths', '100', '--threads', '1', '--quiet'];
let tmp: string;

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-xva-'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('xva cva in 3 shards + merge = one run', () => {
  it('writes the single run tables byte for byte', async () => {
    const single = path.join(tmp, 'single');
    const shards = path.join(tmp, 'shards');
    const runs = await Promise.all([
      xva([...RUN, '--out', single]),
      xva([...RUN, '--shard', '1/3', '--out', shards]),
      xva([...RUN, '--shards', '3', '--out', shards], { JOB_COMPLETION_INDEX: '1' }),
      xva([...RUN, '--shards', '3', '--out', shards], { AWS_BATCH_JOB_ARRAY_INDEX: '2' }),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const merged = path.join(tmp, 'merged');
    const run = await xva(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Merged 3 shards of xva cva (60 netting sets, 50 counterparties)');
    expect(expectSameOutputs(single, merged)).toEqual(['cva_counterparty.arrow', 'cva_netting_set.arrow', 'cva_trade.arrow', 'xva_book.arrow', 'xva_scenarios.arrow']);
  }, 300_000);
});

describe('what a cva/fva shard refuses (exit 2)', () => {
  it('stress scenarios, --results, and a shard without --out', async () => {
    const scen = await xva(['cva', '--shard', '1/2', '--scenarios', 'default', '--out', path.join(tmp, 'r1')]);
    expect(scen.status).toBe(2);
    expect(scen.stderr).toBe('error: --scenario/--scenarios is not supported with --shard: stress scenarios re-aggregate the whole book; run it unsharded (or on the merged exposure with --results)\n');
    const results = await xva(['fva', '--shard', '1/2', '--results', tmp, '--out', path.join(tmp, 'r2')]);
    expect(results.status).toBe(2);
    expect(results.stderr).toContain('error: --results is not supported with --shard');
    const noOut = await xva(['cva', '--shard', '1/2']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe('error: --shard needs --out DIR: the shard folder is written under it\n');
  });
});
