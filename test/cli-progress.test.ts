/**
 * The spinner of src/cli/progress.ts leaves stdin alone (audit 141): ora's default `discardStdin: true` puts a
 * terminal's stdin in raw mode, which stops a command started as a background job of an interactive shell
 * (`xva simulate … &`: SIGTTOU) until it is brought to the foreground. The options ora is started with, then the real
 * thing where `script` and bash are there: `xva simulate &` from an interactive shell on a pseudo-terminal runs to its
 * end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spinnerFits, spinnerOptions } from '../src/cli/progress.js';
import { writeDemoSlice } from './helpers/demoSubset.js';
import { ROOT } from './helpers/scaleCli.js';

describe('Progress on a terminal', () => {
  // the options ora is started with (src/cli/progress.ts spinnerOptions; the test files share their processes, so ora
  // itself is not mocked here: the module may already be loaded by another file)
  it('ora on stderr with discardStdin: false', () => {
    expect(spinnerOptions('Simulating')).toEqual({ text: 'Simulating', stream: process.stderr, discardStdin: false });
  });
  it('a spinner only on a terminal that reports a width (--json and --quiet pass enabled = false)', () => {
    expect(spinnerFits({ isTTY: true, columns: 80 })).toBe(true);
    expect(spinnerFits({ isTTY: true })).toBe(true);
    expect(spinnerFits({ isTTY: true, columns: 0 })).toBe(false);
    expect(spinnerFits({ isTTY: false, columns: 80 })).toBe(false);
    expect(spinnerFits({})).toBe(false);
  });
});

const hasPty = spawnSync('script', ['--version']).status === 0 && spawnSync('bash', ['--version']).status === 0;

describe('a background job of an interactive shell (a pseudo-terminal)', () => {
  it.skipIf(!hasPty)('runs to its end instead of being stopped by SIGTTOU', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-progress-'));
    try {
      const book = await writeDemoSlice(path.join(tmp, 'book'), ['NS-CP0001-1', 'NS-CP0005-1']);
      const out = path.join(tmp, 'out');
      const run = `node ${path.join(ROOT, 'bin/run.js')} simulate --portfolio ${book} --paths 50 --threads 1 --out ${out}`;
      // job control on (set -m); wait up to 60 s for the manifest simulate writes last, then list the job
      const shell = `set -m; ${run} >/dev/null & for i in $(seq 120); do [ -e ${out}/manifest.json ] && break; sleep 0.5; done; sleep 0.5; jobs -l; kill -9 %1 2>/dev/null; true`;
      const pty = spawnSync('script', ['-qec', `stty cols 100; bash --norc -i -c '${shell}'`, '/dev/null'], { encoding: 'utf8', timeout: 120_000, input: '' });
      expect(pty.stdout).not.toMatch(/Stopped/);
      expect(fs.existsSync(path.join(out, 'manifest.json')), pty.stdout).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 150_000);
});
