/**
 * A command's optional tables left by an earlier run into the same --out folder (audit of the thirty-fourth session,
 * shards F6): `xva margin` without --dim after a --dim run, `xva capital --no-kva` after a run with KVA, `xva cva`
 * without scenarios after a stressed run each left the earlier run's margin_dim, kva_profile or
 * xva_scenarios_netting_set beside their own tables, which `xva explain --results` then read as this run's. Each
 * writer now removes the tables of its command that the run did not write, and only those.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeUnwrittenTables } from '../src/io/write.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-stale-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('removeUnwrittenTables', () => {
  it("removes the named tables the run did not write (either format), nothing it wrote, nobody else's", () => {
    const dir = path.join(tmp, 'unit');
    fs.mkdirSync(dir);
    for (const f of ['a.arrow', 'b.arrow', 'b.parquet', 'c.arrow', 'other.arrow', 'notes.txt']) fs.writeFileSync(path.join(dir, f), 'x');
    removeUnwrittenTables(dir, ['a', 'b', 'c'], [path.join(dir, 'a.arrow'), path.join(dir, 'c.arrow')]);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.arrow', 'c.arrow', 'notes.txt', 'other.arrow']);
  });
});

describe('xva margin into a folder of an earlier --dim run', () => {
  it('drops the earlier margin_dim; keeps its own tables', async () => {
    const out = path.join(tmp, 'margin');
    const first = await xvaInProcess(['margin', '--dim', '--paths', '50', '--quiet', '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'margin_dim.arrow'))).toBe(true);
    const second = await xvaInProcess(['margin', '--quiet', '--out', out]);
    expect(second.status, second.stderr).toBe(0);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.arrow')).sort()).toEqual(['margin_netting_sets.arrow', 'margin_scenarios.arrow', 'margin_simm.arrow']);
  }, 120_000);
});
