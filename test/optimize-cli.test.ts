/**
 * `xva optimize` as cron runs it (the built CLI) on the bundled demo book, CSA lever only (its amendments keep the
 * book's factors, grid and MPoRs, so a fresh run on the amended book draws the same paths), 100 paths, one thread:
 * - the realised Δ of the chosen plan equals fresh `xva cva` runs on the amended portfolio it writes minus the base
 *   (ΔCVA and ΔFVA to 1e-6 relative of the base book's: the same engine values on the same paths, summed over a
 *   different set of netting sets, so only rounding differs), and fresh `xva capital --no-kva` EAD likewise;
 * - recommendations.arrow has the documented columns, the plan's actions are ranked 1..n, and no temp files are left;
 * - the same inputs and seed give the same plan (second run, byte-identical recommendations);
 * - a run on a folder another live run holds exits 3 naming the lock, and writes nothing;
 * - bad flags exit 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDATION_COLUMNS } from '../src/optimize/outputs.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const COMPILED = path.join(ROOT, 'dist/commands/optimize.js');
const RUN = ['--paths', '100', '--seed', '42', '--threads', '1', '--levers', 'csa', '--max-candidates', '3', '--scenarios', 'none'];
const temps: string[] = [];

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' }, maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-optimize-cli-'));
  temps.push(dir);
  return dir;
}

beforeAll(() => {
  // dist/ is built before any test file runs (test/globalSetup.ts)
  expect(fs.existsSync(COMPILED)).toBe(true);
});

afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

describe('xva optimize (CLI, demo book, CSA lever)', () => {
  let out = '';
  let doc: { saving: { source: string; delta: Record<string, number> }; plan: { actionId: string; rank: number }[]; stats: { candidatesMeasured: number; candidatesGenerated: number } };

  it('chooses a plan, writes every file atomically and logs timestamped lines on stderr', () => {
    out = tempDir();
    const r = xva('optimize', ...RUN, '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    doc = JSON.parse(r.stdout);
    expect(doc.stats.candidatesMeasured).toBe(3);
    // generated: all the lever's candidates, before --max-candidates kept 3 of them for measuring
    const generated = Number(/xva optimize: csa: (\d+) candidate action\(s\)/.exec(r.stderr)![1]);
    expect(generated).toBeGreaterThan(3);
    expect(doc.stats.candidatesGenerated).toBe(generated);
    expect(doc.plan.length).toBeGreaterThan(0);
    expect(doc.saving.source).toBe('realised');
    expect(r.stderr.split('\n').filter((l) => l !== '').every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z xva optimize: /.test(l))).toBe(true);
    for (const f of ['recommendations.arrow', 'recommendation_scenarios.arrow', 'pareto.arrow', 'plan.arrow', 'summary.md', 'amended/trades.parquet', 'amended/netting_sets.parquet', 'amended/market.yaml']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(out, '.xva.lock'))).toBe(false);
    // the amended book's folder as readable as any output folder (the umask's), not mkdtemp's owner-only 0700
    expect(fs.statSync(path.join(out, 'amended')).mode & 0o777).toBe(0o777 & ~process.umask());
    // plan.arrow: the realised row measures the whole amended book, the estimate (a sum of single measurements) does not
    const planTable = tableFromIPC(fs.readFileSync(path.join(out, 'plan.arrow')));
    expect(planTable.getChild('figure')!.toArray()).toEqual(['realised', 'estimated_sum_of_actions']);
    expect(Array.from(planTable.getChild('measured')!.toArray() as Iterable<boolean>)).toEqual([true, false]);
    const rec = tableFromIPC(fs.readFileSync(path.join(out, 'recommendations.arrow')));
    expect(rec.schema.fields.map((f) => f.name)).toEqual([...RECOMMENDATION_COLUMNS]);
    const ranks = (rec.getChild('rank')!.toArray() as Int32Array | (number | null)[]);
    const chosen = Array.from({ length: rec.numRows }, (_, i) => rec.get(i)!.toJSON() as Record<string, unknown>).filter((x) => x['chosen']);
    expect(chosen.map((x) => x['rank'])).toEqual(chosen.map((_, i) => i + 1));
    expect(ranks.length).toBe(3);
    // every candidate here is a CSA amendment: its negotiability score (docs/optimize-csa.md: sector base 0.2-0.8, +0.1
    // sub-investment grade, × size factor 0.5-1, × item ease 0.5-1) lies in [0.05, 0.9]
    const negotiability = Array.from({ length: rec.numRows }, (_, i) => rec.getChild('negotiability')!.get(i) as number | null);
    for (const n of negotiability) expect(n !== null && n >= 0.05 && n <= 0.9, String(n)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/% of total XVA/);
    // the Pareto plans are sums of single actions' savings, and say so (optimiser audit, session 31)
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain("Each plan's savings are the sums of its actions' single measured savings (not re-measured together; only the chosen plan above is).");
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain(`from 3 measured candidate(s) (${generated} generated)`);
  });

  it('the realised Δ equals fresh xva cva / capital runs on the amended portfolio minus the base', () => {
    const fresh = (portfolio: string[]) => {
      const r = xva('cva', ...portfolio, '--paths', '100', '--seed', '42', '--threads', '1', '--json');
      expect(r.status, r.stderr).toBe(0);
      const b = JSON.parse(r.stdout).book as Record<string, number>;
      const c = xva('capital', ...portfolio, '--no-kva', '--json');
      expect(c.status, c.stderr).toBe(0);
      return { cva: b['cva']!, fva: b['fca']! - b['fba']! + b['colva']!, ead: JSON.parse(c.stdout).book.ead as number };
    };
    const base = fresh([]);
    const amended = fresh(['--portfolio', path.join(out, 'amended')]);
    const d = doc.saving.delta;
    // realised figures are sums over the touched sets only; the fresh runs sum every set: rounding only
    expect(Math.abs(amended.cva - base.cva - d['cva']!)).toBeLessThan(1e-6 * base.cva);
    expect(Math.abs(amended.fva - base.fva - d['fva']!)).toBeLessThan(1e-6 * Math.abs(base.fva));
    expect(Math.abs(amended.ead - base.ead - d['ead']!)).toBeLessThan(1e-6 * base.ead);
    expect(d['cva']).toBeLessThan(0);
  });

  it('a plan with the collateral allocation and CSAs says the allocation was solved on the base book\'s postings (forty-fourth session\'s audit)', () => {
    const r = xva('optimize', '--paths', '100', '--seed', '42', '--threads', '1', '--levers', 'collateral,csa', '--max-candidates', '3', '--scenarios', 'none', '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { plan: { actionId: string; lever: string }[]; notes: string[] };
    expect(doc.plan.some((a) => a.lever === 'collateral')).toBe(true);
    expect(doc.plan.some((a) => a.lever === 'csa')).toBe(true);
    expect(doc.notes.filter((n) => n.startsWith('collateral: the plan\'s collateral saving is the allocation\'s on the base book\'s posting requirements'))).toHaveLength(1);
  });

  it('same inputs and seed give the same plan', () => {
    const again = tempDir();
    const r = xva('optimize', ...RUN, '--out', again, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(fs.readFileSync(path.join(again, 'recommendations.arrow')).equals(fs.readFileSync(path.join(out, 'recommendations.arrow')))).toBe(true);
    expect(fs.readFileSync(path.join(again, 'amended/trades.parquet')).equals(fs.readFileSync(path.join(out, 'amended/trades.parquet')))).toBe(true);
  });

  it('a second run on a locked folder exits 3 and writes nothing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '.xva.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'now', command: 'xva optimize' }));
    const r = xva('optimize', ...RUN, '--out', dir);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`is locked by xva optimize (pid ${process.pid}`);
    expect(fs.readdirSync(dir)).toEqual(['.xva.lock']);
  });

  it('bad flags exit 2 naming the flag', async () => {
    // the first in a real process (the exit status cron sees), the others through the same command class inside this
    // process (xvaInProcess: the same parsing, checks and error rendering)
    const cases = [['--levers', 'magic', "unknown lever 'magic'"], ['--weights', 'cva=x', 'cva="x" is not a number'], ['--max-seconds', '0', '--max-seconds must be a number > 0'], ['--rng', 'halton', 'Expected --rng=halton to be one of: philox, sobol'], ['--levers', 'csa,csa', "'csa' is named twice"], ['--weights', 'cva=0x10', 'cva="0x10" is not a number'], ['--paths', '99999999999999999999', '--paths must be a whole number 1 to 4294967295']] as const;
    for (const [i, [flag, value, text]] of cases.entries()) {
      const r = i === 0 ? xva('optimize', flag, value) : await xvaInProcess(['optimize', flag, value]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(text);
    }
  });
});
