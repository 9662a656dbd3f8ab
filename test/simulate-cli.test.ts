/**
 * `xva simulate` as a user runs it: the built CLI on fixtures/demo with few paths. The Arrow files are read back with
 * apache-arrow's tableFromIPC (an independent reader of the IPC format) and checked against sums computed here: the
 * book's EPE/ENE/EE/collateral per date equal the sums of the netting sets' rows, a counterparty's EPE the sum of
 * its sets', and the per-trade Euler contributions add up to their netting set's EPE. The manifest's input hashes
 * are recomputed with node:crypto. Bad flags exit 2 with a message naming the flag and write nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const COMPILED = path.join(ROOT, 'dist/commands/simulate.js');
const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-simulate-cli-'));
  temps.push(dir);
  return dir;
}

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, XVA_DEBUG: '' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function readArrow(file: string): Table {
  return tableFromIPC(fs.readFileSync(file));
}

function column(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  return vector.toArray() as unknown[];
}

beforeAll(() => {
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 300_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('xva simulate on fixtures/demo (200 paths, 2 threads)', () => {
  let out: string;
  let doc: {
    out: string;
    book: { nettingSets: number; trades: number; eepeSum: number };
    topNettingSets: { nettingSetId: string; eepe: number }[];
    files: string[];
  };
  beforeAll(() => {
    out = path.join(tempDir(), 'run');
    const run = xva('simulate', '--portfolio', DEMO, '--paths', '200', '--grid', '1M,3M,6M,1Y,2Y,3Y,5Y,7Y,10Y,15Y,20Y,30Y', '--threads', '2', '--cube', '--out', out, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    doc = JSON.parse(run.stdout);
  }, 300_000);

  it('XVA_POOL_KERNELS=off: the TypeScript loops write the very same tables and cube, and the manifest says so', () => {
    const loops = path.join(tempDir(), 'loops');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), 'simulate', '--portfolio', DEMO, '--paths', '200', '--grid', '1M,3M,6M,1Y,2Y,3Y,5Y,7Y,10Y,15Y,20Y,30Y', '--threads', '2', '--cube', '--out', loops, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, XVA_DEBUG: '', XVA_POOL_KERNELS: 'off' },
    });
    expect(run.status).toBe(0);
    for (const file of fs.readdirSync(out).filter((f) => f.endsWith('.arrow'))) {
      expect(fs.readFileSync(path.join(loops, file)).equals(fs.readFileSync(path.join(out, file)))).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(path.join(loops, 'manifest.json'), 'utf8')).valuationKernels).toBe('typescript');
  }, 300_000);

  it('writes the tables, the manifest and nothing else (atomic writes leave no temporary files)', () => {
    expect(fs.readdirSync(out).sort()).toEqual(
      ['cube.arrow', 'exposure_book.arrow', 'exposure_counterparty.arrow', 'exposure_netting_set.arrow', 'exposure_trade.arrow', 'manifest.json', 'netting_set_summary.arrow'].sort(),
    );
    expect(doc.files.map((f) => path.basename(f)).sort()).toEqual(fs.readdirSync(out).sort());
  });

  it('book totals per date equal the sums of the netting-set rows (tableFromIPC)', () => {
    const sets = readArrow(path.join(out, 'exposure_netting_set.arrow'));
    const bookTable = readArrow(path.join(out, 'exposure_book.arrow'));
    const nDates = bookTable.numRows;
    expect(nDates).toBe(13); // the as-of date and the 12 listed tenors
    expect(sets.numRows).toBe(doc.book.nettingSets * nDates);
    for (const name of ['epe', 'ene', 'ee', 'collateral']) {
      const values = column(sets, name) as number[];
      const total = column(bookTable, name) as number[];
      for (let k = 0; k < nDates; k++) {
        let sum = 0;
        for (let s = 0; s < doc.book.nettingSets; s++) sum += values[s * nDates + k]!;
        // same additions in the same order: equal to rounding of the sum (1e-12 relative)
        expect(Math.abs(total[k]! - sum)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(sum)));
      }
    }
    // dates: the first is the as-of date 2026-06-30 (day serial 20634), times ACT/365F
    const dates = column(bookTable, 'date') as number[];
    const times = column(bookTable, 'time_years') as number[];
    const asOfMs = Date.UTC(2026, 5, 30);
    expect(Number(dates[0])).toBe(asOfMs);
    for (let k = 0; k < nDates; k++) expect(times[k]).toBeCloseTo((Number(dates[k]) - asOfMs) / 86_400_000 / 365, 14);
  });

  it("a counterparty's EPE is the sum of its netting sets'; Euler contributions add up to the set's EPE", () => {
    const sets = readArrow(path.join(out, 'exposure_netting_set.arrow'));
    const cps = readArrow(path.join(out, 'exposure_counterparty.arrow'));
    const trades = readArrow(path.join(out, 'exposure_trade.arrow'));
    const setCp = column(sets, 'counterparty_id') as string[];
    const setId = column(sets, 'netting_set_id') as string[];
    const setEpe = column(sets, 'epe') as number[];
    const expected = new Map<string, number>();
    const bySetDate = new Map<string, number>();
    for (let r = 0; r < sets.numRows; r++) {
      const key = `${setCp[r]}|${r % 13}`;
      expected.set(key, (expected.get(key) ?? 0) + setEpe[r]!);
      bySetDate.set(`${setId[r]}|${r % 13}`, setEpe[r]!);
    }
    const cpId = column(cps, 'counterparty_id') as string[];
    const cpEpe = column(cps, 'epe') as number[];
    for (let r = 0; r < cps.numRows; r++) {
      const want = expected.get(`${cpId[r]}|${r % 13}`)!;
      expect(Math.abs(cpEpe[r]! - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, want));
    }
    const tSet = column(trades, 'netting_set_id') as string[];
    const tEpe = column(trades, 'epe_contribution') as number[];
    const sums = new Map<string, number>();
    for (let r = 0; r < trades.numRows; r++) {
      const key = `${tSet[r]}|${r % 13}`;
      sums.set(key, (sums.get(key) ?? 0) + tEpe[r]!);
    }
    expect(trades.numRows).toBe(doc.book.trades * 13);
    for (const [key, epe] of bySetDate) expect(Math.abs(sums.get(key)! - epe)).toBeLessThanOrEqual(1e-8 * Math.max(1, epe));
  });

  it('the summary and the --json top list agree: top netting sets by EEPE, descending', () => {
    const summary = readArrow(path.join(out, 'netting_set_summary.arrow'));
    const ids = column(summary, 'netting_set_id') as string[];
    const eepe = column(summary, 'eepe') as number[];
    const ranked = ids.map((id, i) => ({ id, eepe: eepe[i]! })).sort((a, b) => b.eepe - a.eepe);
    expect(doc.topNettingSets.map((t) => t.nettingSetId)).toEqual(ranked.slice(0, doc.topNettingSets.length).map((r) => r.id));
    expect(doc.book.eepeSum).toBeCloseTo(eepe.reduce((a, b) => a + b, 0), 4);
  });

  it('manifest: input SHA-256 hashes, seed, paths, grid, model parameters, timings, version', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.options.seed).toBe(42);
    expect(manifest.paths).toBe(200);
    expect(manifest.threads).toBe(2);
    expect(manifest.valuationKernels).toBe('webassembly');
    for (const name of ['market', 'trades', 'netting_sets', 'counterparties']) {
      const input = manifest.inputs[name];
      expect(input.sha256).toBe(createHash('sha256').update(fs.readFileSync(input.path)).digest('hex'));
    }
    expect(manifest.grid.exposureDates).toBe(13);
    expect(manifest.grid.dates).toBe(manifest.grid.exposureDates + manifest.grid.closeOutDates);
    expect(manifest.model.rates[0].currency).toBe('USD');
    expect(manifest.model.rates[0].sigmas.length).toBeGreaterThan(0);
    for (const stage of ['model', 'paths', 'valuation', 'write', 'total']) expect(manifest.timingsSeconds[stage]).toBeGreaterThanOrEqual(0);
  });
});

describe('xva simulate --cube', () => {
  it('cube.arrow: numeraire rows first (N(0) = 1), then V per netting set; E[max(V,0)/N] of an uncollateralised set is its EPE', () => {
    const out = path.join(temps[0]!, 'run');
    const cube = readArrow(path.join(out, 'cube.arrow'));
    const summary = readArrow(path.join(out, 'netting_set_summary.arrow'));
    const sets = readArrow(path.join(out, 'exposure_netting_set.arrow'));
    const nDates = 13;
    const ids = column(cube, 'netting_set_id') as (string | null)[];
    expect(cube.numRows).toBe((summary.numRows + 1) * nDates);
    expect(ids.slice(0, nDates).every((id) => id === null)).toBe(true);
    const values = cube.getChild('values')!;
    const row = (r: number): Float32Array => values.get(r)!.toArray() as Float32Array;
    expect(row(0).length).toBe(200);
    expect([...row(0)].every((n) => n === 1)).toBe(true);
    // the first uncollateralised set: recompute its EPE at every date from the Float32 cube. Tolerance: V and N are
    // rounded to float32 (relative 2^-24 = 6e-8 each), so the mean of V+/N is within 1e-6 relative of the Float64 EPE.
    const collateralised = column(summary, 'collateralised') as boolean[];
    const setIds = column(summary, 'netting_set_id') as string[];
    const s = collateralised.findIndex((c) => !c);
    expect(s).toBeGreaterThanOrEqual(0);
    const epe = column(sets, 'epe') as number[];
    for (let k = 0; k < nDates; k++) {
      const v = row((s + 1) * nDates + k);
      const n = row(k);
      expect(ids[(s + 1) * nDates + k]).toBe(setIds[s]);
      let sum = 0;
      for (let p = 0; p < 200; p++) sum += Math.max(v[p]!, 0) / n[p]!;
      const want = epe[s * nDates + k]!;
      expect(Math.abs(sum / 200 - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, want));
    }
    // exposure_counterparty.epe_std_error of each counterparty whose netting sets are all uncollateralised: the sample
    // standard deviation over paths of Σ_s max(V_s, 0)/N, over √n (docs/exposure.md), recomputed from the cube in
    // float64. Tolerance: V and N rounded to float32 move each path's term by 1.2e-7 relative, the standard error by
    // at most 1.2e-7 of E[|y|]/σ(y) relative; 1e-4 relative covers it here (and 1e-9 absolute near zero).
    const cps = readArrow(path.join(out, 'exposure_counterparty.arrow'));
    const cpIds = column(cps, 'counterparty_id') as string[];
    const cpSe = column(cps, 'epe_std_error') as number[];
    const setCp = column(summary, 'counterparty_id') as string[];
    const bySet = new Map<string, number[]>();
    setIds.forEach((id, i) => bySet.set(setCp[i]!, [...(bySet.get(setCp[i]!) ?? []), i]));
    // (the demo's counterparties with two or more sets all have one under a CSA, whose collateral the cube does not
    // hold: the sum over several sets is tested on the accumulator itself, test/profiles.test.ts)
    const candidates = [...bySet].filter(([, members]) => members.every((i) => !collateralised[i]));
    expect(candidates.length).toBeGreaterThan(0);
    let checked = 0;
    for (const [cp, members] of candidates) {
      const r0 = cpIds.indexOf(cp);
      for (let k = 1; k < nDates; k++) {
        const n = row(k);
        const y = new Float64Array(200);
        for (const i of members) {
          const v = row((i + 1) * nDates + k);
          for (let p = 0; p < 200; p++) y[p] += Math.max(v[p]!, 0) / n[p]!;
        }
        const mean = y.reduce((a, b) => a + b, 0) / 200;
        const se = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / 199 / 200);
        expect(Math.abs(cpSe[r0 + k]! - se), `${cp} date ${k}`).toBeLessThanOrEqual(1e-4 * se + 1e-9);
        if (se > 0) checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('xva simulate: bad flags exit 2, name the problem and write nothing', () => {
  const cases: [string[], RegExp][] = [
    [['--paths', '0'], /--paths must be a whole number 1 to 4294967295 \(a path is one 32-bit word of the random numbers' counter\), got '0'/],
    [['--paths', '1.5'], /--paths must be a whole number 1 to 4294967295 .*, got '1.5'/],
    [['--paths', '4294967296'], /--paths must be a whole number 1 to 4294967295 .*, got '4294967296'/],
    [['--seed', '-3'], /--seed must be a whole number 0 to 4294967295, got '-3'/],
    [['--seed', '4294967296'], /--seed must be a whole number 0 to 4294967295, got '4294967296'/],
    [['--threads', '0'], /--threads must be a whole number 1 to \d+ \(at most 4 per core .*\), got '0'/],
    // each worker beyond the cores only costs memory (300 took 5.5 GB on a small book): refused above 4 a core or 16
    [['--threads', '300'], /--threads must be a whole number 1 to \d+ .*, got '300'/],
    [['--pfe-quantile', '1'], /--pfe-quantile must be a number in \(0, 1\), got '1'/],
    [['--grid', '6M,3M'], /tenor 3M is not after 6M/],
    [['--format', 'csv'], /format/i],
    [['--paths', '3', '--antithetic'], /--antithetic needs an even --paths, got 3/],
    [['--mpor-days', '1'], /--mpor-days sets the SIMM horizon of --dynamic-im: give --dynamic-im too/],
    [['--cube-precision', 'float64'], /--cube-precision sets the precision of the path cube: give --cube too, or leave it out/],
    [['--allow-software'], /--allow-software lets --backend gpu or auto take a software adapter: give --backend gpu or auto, or leave it out/],
  ];
  // the first case in a real process (the exit status a shell sees), the others through the same command class
  // inside this process (xvaInProcess: the same parsing, checks and error rendering, without a process start each)
  cases.forEach(([flags, message], i) => {
    it(`${flags.join(' ')}`, async () => {
      const out = path.join(tempDir(), 'never');
      const args = ['simulate', '--portfolio', DEMO, '--out', out, ...flags];
      const run = i === 0 ? xva(...args) : await xvaInProcess(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(run.stdout).toBe('');
      expect(fs.existsSync(out)).toBe(false);
    });
  });

  it('an --out that is a file, or under one, or empty, is refused before any work (exit 2)', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'not a folder\n');
    for (const out of [file, path.join(file, 'sub')]) {
      const run = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '10', '--out', out]);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`error: --out ${out}: ${file} is a file, not a folder: expected a folder (existing, or one that can be made)\n`);
      expect(fs.readFileSync(file, 'utf8')).toBe('not a folder\n');
    }
    // a folder that cannot be made (here under /proc, where Node's recursive mkdir never returns): said at once
    if (fs.existsSync('/proc/self')) {
      const proc = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '10', '--out', '/proc/xva-no-such/out']);
      expect(proc.status).toBe(2);
      expect(proc.stderr).toMatch(/^error: --out \/proc\/xva-no-such\/out: cannot make the folder \/proc\/xva-no-such \((ENOENT|EACCES|EPERM|EROFS)\): expected a folder that exists or can be made\n$/);
    }
    // an existing folder this user cannot write into: said at once (it was found after the whole run, writing the
    // tables); a folder of mode 555, or as root (who writes anywhere) /proc/sys, which refuses even root
    const readOnly = process.getuid?.() === 0 ? '/proc/sys' : path.join(tempDir(), 'read-only');
    if (readOnly !== '/proc/sys') {
      fs.mkdirSync(readOnly);
      fs.chmodSync(readOnly, 0o555);
    }
    let writable = true;
    try {
      fs.accessSync(readOnly, fs.constants.W_OK);
    } catch {
      writable = false;
    }
    if (!writable) {
      const run = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '10', '--out', readOnly]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: --out ${readOnly}: cannot write into the folder ${readOnly} \\((EACCES|EPERM|EROFS)\\): expected a folder this user may write to\n$`));
    }
    // a new folder: checked by making and removing it, nothing left behind (the run itself makes it)
    const fresh = path.join(tempDir(), 'new', 'out');
    const bad = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '0', '--out', fresh]);
    expect(bad.status).toBe(2);
    expect(fs.existsSync(path.dirname(fresh))).toBe(false);
    const empty = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '10', '--out', '']);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe('error: --out: an empty value: expected a folder\n');
    // and a portfolio "folder" that is a file says so
    const notFolder = await xvaInProcess(['simulate', '--portfolio', file, '--market', path.join(DEMO, 'market.yaml'), '--paths', '10']);
    expect(notFolder.status).toBe(2);
    expect(notFolder.stderr).toContain(`${file}: a file, not a folder: expected a portfolio folder`);
  });

  it('a missing portfolio folder is an input error (exit 2) and writes nothing', () => {
    const out = path.join(tempDir(), 'never');
    const run = xva('simulate', '--portfolio', path.join(ROOT, 'no-such-folder'), '--market', path.join(DEMO, 'market.yaml'), '--paths', '10', '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no-such-folder: not found: expected a portfolio folder/);
    expect(fs.existsSync(out)).toBe(false);
    // without --market (its default is inside the folder): the folder is named, and not the market file as well (a
    // knock-on of the same mistake); a market file given elsewhere that is missing too is named beside it
    for (const command of ['simulate', 'cva', 'validate']) {
      const bare = xva(command, '--portfolio', path.join(ROOT, 'no-such-folder'), ...(command === 'validate' ? [] : ['--paths', '10']));
      expect(bare.status).toBe(2);
      expect(bare.stderr).toContain(`${path.join(ROOT, 'no-such-folder')}: not found: expected a portfolio folder (trades, counterparties, netting_sets tables)`);
      expect(bare.stderr).not.toContain('market.yaml');
      expect(bare.stderr).not.toContain('Trades by product');
      expect(bare.stdout).not.toContain('Trades by product');
    }
    const both = xva('simulate', '--portfolio', path.join(ROOT, 'no-such-folder'), '--market', path.join(ROOT, 'no-such-market.yaml'), '--paths', '10');
    expect(both.stderr).toContain(`${path.join(ROOT, 'no-such-market.yaml')}: not found: expected a readable market YAML file`);
    // a folder given as the market file is said as such (was: the system's EISDIR message)
    const folder = xva('validate', '--portfolio', DEMO, '--market', ROOT);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain(`${ROOT}: a folder, not a file: expected a readable market YAML file (docs/market.md)`);
  });
});

describe('xva simulate --antithetic: the EPE standard error of the pairs (second method: the cube)', () => {
  it("exposure_netting_set.epe_std_error of an uncollateralised set equals the pairs' means' standard error from the cube's values and numeraire", async () => {
    // E = V (no CSA, no IM): y_p = max(V_p, 0)/N_p; the pairs (2i, 2i+1) are the independent samples, so the standard
    // error is sd(m_i)/√(n/2), m_i = (y_2i + y_2i+1)/2. The paths' own sd/√n, which the engine reported, is larger.
    const out = tempDir();
    const run = await xvaInProcess(['simulate', '--portfolio', path.join(ROOT, 'test/data/small'), '--paths', '400', '--antithetic', '--grid', '61,3M', '--threads', '1', '--cube', '--cube-precision', 'float64', '--out', out, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const cube = tableFromIPC(fs.readFileSync(path.join(out, 'cube.arrow')));
    const ids = cube.getChild('netting_set_id')!;
    const dates = cube.getChild('date')!;
    const values = cube.getChild('values')!;
    const numeraire = new Map<number, Float64Array>();
    const setRows: { date: number; v: Float64Array }[] = [];
    for (let r = 0; r < cube.numRows; r++) {
      const row = Float64Array.from(values.get(r)!.toArray() as Float64Array);
      const date = Number(dates.get(r));
      if (ids.get(r) === null) numeraire.set(date, row);
      else if (ids.get(r) === 'NS_B') setRows.push({ date, v: row });
    }
    const table = tableFromIPC(fs.readFileSync(path.join(out, 'exposure_netting_set.arrow')));
    const tIds = table.getChild('netting_set_id')!;
    const tDates = table.getChild('date')!;
    const se = table.getChild('epe_std_error')!;
    let compared = 0;
    for (const { date, v } of setRows) {
      const n = v.length;
      const N = numeraire.get(date)!;
      const y = Float64Array.from(v, (x, p) => Math.max(x, 0) / N[p]!);
      const m = Float64Array.from({ length: n / 2 }, (_, i) => 0.5 * (y[2 * i]! + y[2 * i + 1]!));
      const mean = m.reduce((a, x) => a + x, 0) / m.length;
      const pairs = Math.sqrt(m.reduce((a, x) => a + (x - mean) ** 2, 0) / (m.length - 1) / m.length);
      const yMean = y.reduce((a, x) => a + x, 0) / n;
      const paths = Math.sqrt(y.reduce((a, x) => a + (x - yMean) ** 2, 0) / (n - 1) / n);
      const row = [...Array(table.numRows).keys()].find((r) => tIds.get(r) === 'NS_B' && Number(tDates.get(r)) === date)!;
      if (pairs <= 1e-9 * Math.abs(mean)) continue; // a deterministic date (today): 0 reported, the sums' rounding here
      expect(Math.abs(se.get(row)! / pairs - 1), `NS_B ${date}`).toBeLessThan(1e-9);
      expect(paths / pairs).toBeGreaterThan(1.05); // the paths' own figure would not pass the line above
      compared++;
    }
    expect(compared).toBeGreaterThan(5);
  }, 120_000);
});
