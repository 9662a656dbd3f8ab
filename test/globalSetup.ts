/**
 * Runs once before any test file (also for `npx vitest run test/one.test.ts`): builds dist/ (tsc and the oclif manifest,
 * as `npm run build`) when a source file is newer than the compiled commands. The CLI tests and the engine's worker
 * threads run the built code; the test files only check that it is there, so that with two files running at once no
 * file rebuilds dist/ while another runs from it. (npm ci's `prepare` has built it already on CI.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function newestSource(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((m, e) => Math.max(m, e.isDirectory() ? newestSource(path.join(dir, e.name)) : e.name.endsWith('.ts') ? fs.statSync(path.join(dir, e.name)).mtimeMs : 0), 0);
}

function oldestCommand(): number {
  const dir = path.join(ROOT, 'dist/commands');
  if (!fs.existsSync(dir)) return 0;
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  return files.length === 0 ? 0 : Math.min(...files.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
}

/**
 * Written after each check: tsc builds incrementally (dist/.tsbuildinfo) and leaves a compiled file alone when its
 * source was saved unchanged, so the compiled files' times alone would call for a build on every run after that.
 */
const STAMP = path.join(ROOT, 'dist/.tests-built');

/**
 * Every temporary file of a test run (the test files' own folders, the CLI runs they start, the engine's workers) lies
 * under one folder made here and removed when the run ends: the test files' processes and theirs inherit TMPDIR, which
 * os.tmpdir() reads. Without it each run left some twenty folders behind in /tmp (the files that make one in a
 * describe block or beforeAll and never remove it).
 */
function testTempRoot(): () => void {
  const previous = process.env.TMPDIR;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(root, { recursive: true, force: true });
  };
}

/**
 * The reference cases the tests compare with (test/helpers/paths.ts SHARED_REFERENCE): without them a dozen test files
 * would fail on a missing file one by one; said once, with where they are looked for.
 */
function checkSharedReference(): void {
  const dir = process.env.XVA_SHARED_REFERENCE ? path.resolve(process.env.XVA_SHARED_REFERENCE) : path.resolve(ROOT, '..', 'shared', 'reference');
  const expected = ['saccr', 'ba_cva', 'simm', 'ore'].filter((d) => !fs.existsSync(path.join(dir, d)));
  if (expected.length > 0) {
    throw new Error(
      `the reference cases are missing: ${dir} has no ${expected.join(', ')} folder. The tests compare the figures with them ` +
        '(BCBS 279 SA-CCR, BA-CVA, ISDA SIMM and Open Source Risk Engine cases: README, "Test"); put the shared/reference folder ' +
        'beside the checkout, or name its path in XVA_SHARED_REFERENCE',
    );
  }
}

export default function setup(): () => void {
  checkSharedReference();
  const newest = Math.max(newestSource(path.join(ROOT, 'src')), newestSource(path.join(ROOT, 'commands')));
  const stamp = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  const fresh = Math.max(stamp, oldestCommand()) >= newest && fs.existsSync(path.join(ROOT, 'oclif.manifest.json'));
  if (!fresh) {
    const run = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`npm run build failed before the tests:\n${run.stdout}${run.stderr}`);
  }
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return testTempRoot();
}
