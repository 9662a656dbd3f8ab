/**
 * A shard's folder (src/scale/shardFolder.ts): a previous run of the same shard that this user could not remove is
 * refused when the shard starts (exit 2 as a usage error, naming the entry), before any work and with no temporary
 * folder left, instead of failing at the commit after the whole run (an audit found optimize's amended/ failing that
 * way, exit 1, and the shard folder's commit had the same unguarded removal). The permission check is given here as a
 * refusing function (the tests may run as root, whom the file system lets remove anything); a shard without an
 * earlier run, or with one that can go, is replaced as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XvaUsageError } from '../src/errors.js';
import { ShardFolder } from '../src/scale/shardFolder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-shard-folder-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ShardFolder', () => {
  it('an earlier run of the shard it cannot remove is refused before any work, naming the entry; one it can remove is replaced', () => {
    const out = path.join(tmp, 'run');
    const earlier = path.join(out, 'shard-2-of-3');
    fs.mkdirSync(path.join(earlier, 'inner'), { recursive: true });
    fs.writeFileSync(path.join(earlier, 'inner', 'exposure_book.arrow'), 'old');
    const inner = path.join(earlier, 'inner');
    // the file system as another user's folder would be: no write permission on `inner`
    const refusing = (file: string, mode: number) => {
      if (file === inner && (mode & fs.constants.W_OK) !== 0) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    let error: unknown;
    try {
      new ShardFolder(out, { index: 2, count: 3, source: 'flag' }, refusing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XvaUsageError);
    expect((error as Error).message).toBe(
      `--out ${out}: the earlier run of this shard, ${earlier}, cannot be replaced: ${inner} is a folder this user cannot remove entries from (no write permission) (EACCES); remove it, or choose another --out`,
    );
    // nothing made: no temporary folder beside the earlier run, which is as it was
    expect(fs.readdirSync(out)).toEqual(['shard-2-of-3']);
    expect(fs.readFileSync(path.join(inner, 'exposure_book.arrow'), 'utf8')).toBe('old');
    // with the file system's own check (this user can remove it) the shard runs and replaces it at the commit
    const folder = new ShardFolder(out, { index: 2, count: 3, source: 'flag' });
    fs.writeFileSync(path.join(folder.tempDir, 'manifest.json'), '{}');
    expect(folder.commit()).toBe(earlier);
    expect(fs.readdirSync(out)).toEqual(['shard-2-of-3']);
    expect(fs.readdirSync(earlier)).toEqual(['manifest.json']);
  });
});
