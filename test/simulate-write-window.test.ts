/**
 * A stopped `xva simulate --cube` run leaves its --out folder either as the run before left it or this run's whole:
 * the tables and manifest.json are written in one synchronous step after the cube's last await (a signal is handled
 * only between event-loop turns), and the library calls `onWritten` once manifest.json is in place, before its worker
 * threads close (tens of milliseconds of turns), where the CLI marks its outputs written (io/tempFiles.ts).
 *
 * An audit found a stop in that close saying "outputs left as they were before this run wrote them" over a folder the
 * run had just replaced. Here every turn of the event loop during a second run into the same folder looks at it
 * (setImmediate runs on every turn): each look must see the first run's manifest with the first run's table bytes, or
 * (only after onWritten) the second run's; the stop line after onWritten says the outputs are this run's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateToFiles } from '../src/exposure/simulate.js';
import { forgetOutputsWritten, markOutputsWritten, stopMessage } from '../src/io/tempFiles.js';
import { REPO_ROOT } from './helpers/paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-write-window-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const common = {
  portfolioDir: path.join(REPO_ROOT, 'fixtures/demo'),
  marketFile: path.join(REPO_ROOT, 'fixtures/demo/market.yaml'),
  paths: 64,
  grid: { kind: 'list' as const, tenors: [{ count: 6, unit: 'M' as const }, { count: 2, unit: 'Y' as const }, { count: 5, unit: 'Y' as const }] },
  threads: 2,
  antithetic: false,
  pfeQuantile: 0.95,
  skipUnsupported: false,
  cube: true,
  format: 'arrow' as const,
};

describe('simulate --cube: no turn of the event loop sees a half-written --out folder', () => {
  it('each look sees the earlier run whole or this run whole, and onWritten comes with the manifest in place', async () => {
    const out = path.join(tmp, 'out');
    await simulateToFiles({ ...common, seed: 1, outDir: out });
    const table = path.join(out, 'exposure_netting_set.arrow');
    const firstTable = fs.readFileSync(table);
    const firstManifest = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');

    type Look = 'before' | 'after' | string;
    const looks: Look[] = [];
    let written = false;
    let stop = false;
    const look = (): void => {
      if (stop) return;
      const manifest = fs.existsSync(path.join(out, 'manifest.json')) ? fs.readFileSync(path.join(out, 'manifest.json'), 'utf8') : undefined;
      const bytes = fs.readFileSync(table);
      if (manifest === firstManifest && bytes.equals(firstTable)) looks.push('before');
      else if (written && manifest !== undefined && manifest !== firstManifest && !bytes.equals(firstTable)) looks.push('after');
      else looks.push(`mixed: manifest ${manifest === undefined ? 'absent' : manifest === firstManifest ? 'first run' : 'second run'}, table ${bytes.equals(firstTable) ? 'first run' : 'second run'}`);
      setImmediate(look);
    };
    setImmediate(look);
    let filesAtWritten: readonly string[] = [];
    forgetOutputsWritten();
    try {
      const second = await simulateToFiles({
        ...common,
        seed: 2,
        outDir: out,
        onWritten: (files) => {
          written = true;
          filesAtWritten = files;
          // what the CLI does here (commands/simulate.ts)
          markOutputsWritten(`${files.length} files in ${out}`);
          // every file the run lists is in place when it is called
          for (const f of files) expect(fs.existsSync(f), f).toBe(true);
        },
      });
      stop = true;
      expect(filesAtWritten).toEqual(second.files);
      expect(second.files.map((f) => path.basename(f))).toContain('cube.arrow');
      expect(stopMessage('SIGTERM')).toBe(`xva: stopped by SIGTERM after this run had written its outputs (${second.files.length} files in ${out}): they are this run's, complete`);
    } finally {
      stop = true;
      forgetOutputsWritten();
    }
    // the run took many turns (the load, the workers, the cube's stream): the looks are a real watch, not one glance
    expect(looks.length).toBeGreaterThan(20);
    expect(looks.filter((l) => l !== 'before' && l !== 'after')).toEqual([]);
    expect(looks[0]).toBe('before');
    // the second run's seed differs: its table differs from the first's
    expect(fs.readFileSync(table).equals(firstTable)).toBe(false);
  }, 120_000);
});
