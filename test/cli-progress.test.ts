/**
 * The spinner of src/cli/progress.ts leaves stdin alone (audit 141): ora's default `discardStdin: true` puts a
 * terminal's stdin in raw mode, which stops a command started as a background job of an interactive shell
 * (`xva simulate … &`: SIGTTOU) until it is brought to the foreground. ora is replaced by a recorder of its options;
 * stderr is made to look like a terminal of 80 columns so that the spinner starts. Then the real thing where `script`
 * and bash are there: `xva simulate &` from an interactive shell on a pseudo-terminal runs to its end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeDemoSlice } from './helpers/demoSubset.js';
import { ROOT } from './helpers/scaleCli.js';

const created: Record<string, unknown>[] = [];
vi.mock('ora', () => ({
  default: (options: Record<string, unknown>) => {
    created.push(options);
    const spinner = { text: '', start: () => spinner, stop: () => spinner, succeed: () => spinner, fail: () => spinner };
    return spinner;
  },
}));

const { Progress } = await import('../src/cli/progress.js');

const saved = { isTTY: process.stderr.isTTY, columns: process.stderr.columns };
afterEach(() => {
  Object.assign(process.stderr, saved);
  created.length = 0;
});

describe('Progress on a terminal', () => {
  it('starts ora on stderr with discardStdin: false', () => {
    Object.assign(process.stderr, { isTTY: true, columns: 80 });
    new Progress('Simulating', true).stop();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ text: 'Simulating', stream: process.stderr, discardStdin: false });
  });
  it('no spinner (so no ora) when disabled (--json, --quiet)', () => {
    Object.assign(process.stderr, { isTTY: true, columns: 80 });
    new Progress('Simulating', false).stop();
    expect(created).toHaveLength(0);
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
