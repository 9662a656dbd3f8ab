/**
 * Output and input folders as the built CLI handles them (audit 141):
 * - a flag naming a file or folder given an empty value (`--portfolio=`) is refused like `--out ""`, not resolved to
 *   the working folder;
 * - a SIGTERM'd `simulate --cube` or `simulate --shard K/N` run removes the --out folder it made (and the parents
 *   made with it) when it wrote nothing there, as the locked commands do;
 * - `xva optimize --out DIR` whose earlier DIR/amended this user cannot remove is refused before any work (exit 2,
 *   naming the folder), not after the run with exit 1 and an `amended.old-<pid>/` left behind. A root process passes
 *   every permission check: as root the run is made as the user `nobody` (runuser), else as this user on a folder
 *   made read-only; skipped where neither can be arranged. test/out-folder-checks.test.ts checks the function itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSlice } from './helpers/demoSubset.js';
import { ensureBuilt, ROOT, startXva, xvaInProcess } from './helpers/scaleCli.js';

const DEMO = path.join(ROOT, 'fixtures/demo');
let tmp = '';
let book = '';

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-out-folders-'));
  book = await writeDemoSlice(path.join(tmp, 'book'), ['NS-CP0001-1', 'NS-CP0004-1', 'NS-CP0005-1', 'NS-CCP_LCH']);
}, 60_000);

afterAll(() => {
  if (!tmp) return;
  // the read-only folders of the optimize case made removable again
  const open = (at: string) => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      fs.chmodSync(path.join(at, e.name), 0o755);
      open(path.join(at, e.name));
    }
  };
  open(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('an empty path flag is refused (exit 2), not read as the working folder', () => {
  it.each([
    [['validate', '--portfolio='], 'error: --portfolio: an empty value: expected a folder\n'],
    [['cva', `--portfolio=`, '--paths', '10'], 'error: --portfolio: an empty value: expected a folder\n'],
    [['validate', '--portfolio', DEMO, '--market='], 'error: --market: an empty value: expected a file\n'],
    [['explain', '--results='], 'error: --results: an empty value: expected a folder\n'],
    [['optimize', '--portfolio', DEMO, '--scenarios', ''], 'error: --scenarios: an empty value: expected a folder\n'],
    // FILE|DIR, and a flag given more than once (each value): an audit found `--what-if=` running the what-if on the
    // working folder's trades table (exit 0) and `--scenario=` stopping on EISDIR naming the working folder
    [['cva', '--portfolio', DEMO, '--what-if='], 'error: --what-if: an empty value: expected a file or folder\n'],
    [['cva', '--portfolio', DEMO, '--scenario='], 'error: --scenario: an empty value: expected a file\n'],
    [['margin', '--portfolio', DEMO, '--scenario', path.join(ROOT, 'scenarios/collateral_50pct.yaml'), '--scenario='], 'error: --scenario: an empty value: expected a file\n'],
  ])('%j', async (args, message) => {
    const run = await xvaInProcess(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(message);
  });
});

/** Resolves true once `find` returns true for an entry under `dir` (polled every 10 ms, at most 2 minutes). */
async function appears(dir: string, find: (name: string, folder: string) => boolean): Promise<boolean> {
  const seen = (): boolean => {
    const visit = (at: string): boolean => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(at, { withFileTypes: true });
      } catch {
        return false;
      }
      return entries.some((e) => find(e.name, at) || (e.isDirectory() && visit(path.join(at, e.name))));
    };
    return visit(dir);
  };
  const deadline = Date.now() + 120_000;
  while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return seen();
}

describe('a SIGTERM\'d simulate removes the --out folder it made and wrote nothing in', () => {
  // 4,000 paths: the valuation, while the cube streams, lasts seconds, so that the SIGTERM sent when the temporary file
  // appears lands while the run is still at it on a busy machine (at 400 paths the run once ended first: exit 0)
  const RUN = ['simulate', '--paths', '4000', '--threads', '1', '--cube', '--quiet'];
  it.each([
    ['--cube', [] as string[], (name: string) => /^\.cube\.arrow\..*\.tmp$/.test(name)],
    ['--shard 1/2', ['--shard', '1/2'], (name: string) => name.startsWith('.shard-1-of-2.tmp-')],
  ])('%s', async (_label, extra, streaming) => {
    const top = path.join(tmp, `made-${extra.length}`);
    const out = path.join(top, 'run', 'out');
    const { child, done } = startXva([...RUN, '--portfolio', book, ...extra, '--out', out]);
    // the run has made its folder and is writing into it (a hidden temporary file or folder)
    expect(await appears(tmp, (name) => streaming(name))).toBe(true);
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.status, stopped.stderr).toBe(143);
    expect(stopped.stderr).toContain('xva: stopped by SIGTERM; temporary files removed');
    expect(fs.existsSync(top)).toBe(false);
  }, 180_000);

  it('a folder that was there before the run stays (only what the run made goes)', async () => {
    const out = path.join(tmp, 'existing-out');
    fs.mkdirSync(out);
    const { child, done } = startXva([...RUN, '--portfolio', book, '--out', out]);
    expect(await appears(out, (name) => /^\.cube\.arrow\..*\.tmp$/.test(name))).toBe(true);
    child.kill('SIGTERM');
    expect((await done).status).toBe(143);
    expect(fs.readdirSync(out)).toEqual([]);
  }, 180_000);
});

/**
 * How to run xva as a user who cannot remove a folder made here, and a folder that user can reach (as root: the user
 * nobody, in a folder of /tmp, the test runner's own temporary folder being root's only); undefined where it cannot
 * be arranged.
 */
function otherUser(): { prefix: string[]; base: string } | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  if (process.getuid() !== 0) return { prefix: [], base: fs.mkdtempSync(path.join(tmp, 'optimize-')) };
  const base = fs.mkdtempSync(path.join(path.parse(os.tmpdir()).root, 'tmp', 'xva-optimize-nobody-'));
  fs.chmodSync(base, 0o755);
  const reach = `for (const f of ${JSON.stringify([path.join(ROOT, 'bin/run.js'), base])}) require('fs').accessSync(f, require('fs').constants.R_OK)`;
  if (spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', reach]).status === 0) return { prefix: ['runuser', '-u', 'nobody', '--'], base };
  fs.rmSync(base, { recursive: true, force: true });
  return undefined;
}

describe('xva optimize --out DIR whose earlier amended/ this user cannot remove', () => {
  let user: ReturnType<typeof otherUser>;
  beforeAll(() => {
    user = otherUser();
  });
  afterAll(() => {
    if (user && !user.base.startsWith(tmp)) fs.rmSync(user.base, { recursive: true, force: true });
  });
  it('is refused before any work: exit 2 naming the folder, nothing written, nothing left', (ctx) => {
    if (user === undefined) ctx.skip();
    const portfolio = path.join(user!.base, 'book');
    fs.cpSync(book, portfolio, { recursive: true });
    const out = path.join(user!.base, 'plan');
    const amended = path.join(out, 'amended');
    fs.mkdirSync(amended, { recursive: true });
    fs.writeFileSync(path.join(amended, 'trades.parquet'), 'an earlier book\n');
    fs.chmodSync(out, 0o777);
    fs.chmodSync(amended, 0o555); // its entries cannot be removed (by its owner either, when not root)
    const [cmd, ...pre] = [...user!.prefix, process.execPath];
    const run = spawnSync(cmd!, [...pre, path.join(ROOT, 'bin/run.js'), 'optimize', '--portfolio', portfolio, '--paths', '32', '--threads', '1', '--max-candidates', '1', '--scenarios', 'none', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' } });
    fs.chmodSync(amended, 0o755);
    expect(run.status, run.stderr).toBe(2);
    // refused before the run: the message alone, no stage of the optimiser logged
    expect(run.stderr).toBe(
      `error: --out ${out}: the earlier run's amended portfolio ${amended} cannot be replaced: ${amended} is a folder this user cannot remove entries from (no write permission) (EACCES); remove it, or choose another --out\n`,
    );
    expect(fs.readdirSync(out).sort()).toEqual(['amended']);
    expect(fs.readdirSync(amended)).toEqual(['trades.parquet']);
  }, 120_000);
});
