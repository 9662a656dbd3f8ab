/**
 * `xva explain` as a user runs it (the built CLI) on the bundled demo book, built-in narrator, no network:
 * - without --results it runs what it needs (small: 100 paths, the optimiser at 40 paths with one candidate per
 *   lever, one thread, so the test stays well under a minute on a shared machine; the defaults are 500 and 200) into
 *   OUT/results and writes a complete report: every section, the four charts, facts.json; it says where data goes
 *   (nowhere) before writing; the report's CVA is the xva_book table's;
 * - a second run over the first run's results (--results) with --previous (the first report) recomputes nothing,
 *   gives the same figures, and its what-changed facts are zero;
 * - the same results give byte-identical report.md (determinism of the built-in writer);
 * - usage errors exit 2 (an LLM narrator without its model, an unknown narrator, a missing --results folder).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const COMPILED = path.join(ROOT, 'dist/commands/explain.js');
const SMALL = ['--paths', '100', '--optimize-paths', '40', '--max-candidates', '1', '--threads', '1'];
let tmp = '';

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' }, maxBuffer: 1 << 26 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-cli-'));
  // dist/ is built before any test file runs (test/globalSetup.ts)
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 180_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('xva explain (CLI, demo book, built-in narrator)', () => {
  const first = () => path.join(tmp, 'first');

  it('runs what it needs and writes a complete report', () => {
    const r = xva('explain', '--out', first(), ...SMALL, '--format', 'html');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Narrator: built-in; nothing leaves this machine.');
    const files = fs.readdirSync(first()).sort();
    expect(files).toEqual(['capital-by-counterparty.svg', 'exposure-profiles.svg', 'facts.json', 'report.html', 'report.md', 'results', 'stress-tornado.svg', 'xva-waterfall.svg']);
    expect(fs.readdirSync(path.join(first(), 'results')).sort()).toEqual(['capital', 'margin', 'optimize', 'simulate', 'xva']);
    const md = fs.readFileSync(path.join(first(), 'report.md'), 'utf8');
    for (const h of ['Executive summary', 'Top exposures', 'Capital', 'Margin', 'Stress results', 'Recommendations', 'CVA trader', 'FVA specialist', 'Capital optimiser', 'Collateral manager', 'Head of desk']) expect(md).toContain(`## ${h}`);
    const book = tableFromIPC(fs.readFileSync(path.join(first(), 'results/xva/xva_book.arrow')));
    const cva = book.getChild('cva')!.get(0) as number;
    expect(md).toContain(`| CVA | ${Math.round(cva).toLocaleString('en-US')} |`);
    expect(md).not.toContain('Not available in these results');
    // what each stress shocks, from the bundled scenario files the runs read (scenarios/*.yaml): bp, %, pp
    const shocks = new Map((JSON.parse(fs.readFileSync(path.join(first(), 'facts.json'), 'utf8')) as { facts: { id: string; value: number; unit: string }[] }).facts.filter((f) => /\.(credit_spread_shift_bp|funding_spread_shift_bp|collateral_coverage|capital_ratio_shift_pp)$/.test(f.id)).map((f) => [f.id, [f.value, f.unit]]));
    expect(shocks.get('scenario.credit_up_100bp.credit_spread_shift_bp')).toEqual([100, 'bp']);
    expect(shocks.get('scenario.funding_down_50bp.funding_spread_shift_bp')).toEqual([-50, 'bp']);
    expect(shocks.get('scenario.collateral_50pct.collateral_coverage')).toEqual([50, 'pct']);
    expect(shocks.get('scenario.capital_ratio_plus_1pct.capital_ratio_shift_pp')).toEqual([1, 'pct']);
    expect(shocks.size).toBe(9);
  }, 240_000);

  it('explains the first run\'s results without recomputing, the same figures, nothing changed', () => {
    const second = path.join(tmp, 'second');
    // the scenario files the first run read (the bundled ones), for the stresses' shock facts
    const r = xva('explain', '--results', path.join(first(), 'results'), '--scenarios', 'default', '--previous', first(), '--out', second, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ranNow: boolean; missing: string[] };
    expect(doc.ranNow).toBe(false);
    expect(doc.missing).toEqual([]);
    const facts = (dir: string) => new Map((JSON.parse(fs.readFileSync(path.join(dir, 'facts.json'), 'utf8')) as { facts: { id: string; value: number }[] }).facts.map((f) => [f.id, f.value]));
    const a = facts(first());
    const b = facts(second);
    for (const [id, v] of a) expect(b.get(id), id).toBe(v);
    expect(b.get('change.book.cva')).toBe(0);
    expect(fs.readFileSync(path.join(second, 'report.md'), 'utf8')).toContain('book CVA is unchanged');
    // the same inputs again: the same bytes
    const third = path.join(tmp, 'third');
    expect(xva('explain', '--results', path.join(first(), 'results'), '--scenarios', 'default', '--previous', first(), '--out', third, '--quiet').status).toBe(0);
    expect(fs.readFileSync(path.join(third, 'report.md'), 'utf8').replaceAll(third, second)).toBe(fs.readFileSync(path.join(second, 'report.md'), 'utf8'));
  }, 120_000);

  it('a nightly batch whose XVA run had --results (coverage stresses skipped): the report says which stresses the XVA tables lack', () => {
    const batch = path.join(tmp, 'batch-partial');
    fs.cpSync(path.join(first(), 'results'), batch, { recursive: true });
    fs.rmSync(path.join(batch, 'xva'), { recursive: true });
    const x = xva('fva', '--results', path.join(batch, 'simulate'), '--scenarios', 'default', '--out', path.join(batch, 'xva'), '--quiet');
    expect(x.status, x.stderr).toBe(0);
    const out = path.join(tmp, 'partial-report');
    const r = xva('explain', '--results', batch, '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { missing: string[] };
    // the margin run evaluated every collateral coverage; the XVA run with --results could not
    const said = doc.missing.find((m) => m.startsWith('XVA under '));
    expect(said).toMatch(/^XVA under (collateral_\d+pct, )*collateral_\d+pct \(run by margin or capital, not in the XVA run's tables/);
    for (const name of ['collateral_0pct', 'collateral_50pct', 'collateral_120pct']) expect(said).toContain(name);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain(said!.slice(0, 40));
    // without --scenarios the files the runs read are not known: no shock facts
    expect(fs.readFileSync(path.join(out, 'facts.json'), 'utf8')).not.toContain('_shift_bp');
  }, 120_000);

  it('usage errors exit 2 with one line', async () => {
    // the first in a real process (the exit status a shell sees), the others through the same command class inside
    // this process (xvaInProcess, test/helpers/scaleCli.ts: the same parsing, checks and error rendering)
    // a --previous that is not there and a model that is not pulled fail before any run: nothing is simulated and no
    // results folder is written (the audit of the thirty-fourth session found them caught only after the runs)
    const cases = [['--narrator', 'ollama'], ['--narrator', 'bedrock'], ['--narrator', 'gpt'], ['--results', path.join(tmp, 'missing')], ['--previous', path.join(tmp, 'missing'), ...SMALL]];
    for (const [i, args] of cases.entries()) {
      const argv = ['explain', '--out', path.join(tmp, 'bad'), ...args];
      const r = i === 0 ? xva(...argv) : await xvaInProcess(argv);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.existsSync(path.join(tmp, 'bad', 'results'))).toBe(false);
    // scenario files that are not those the runs read: the margin run recorded collateral_50pct at coverage 0.5
    const other = path.join(tmp, 'other-scenarios');
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, 'collateral_50pct.yaml'), 'name: collateral_50pct\ndescription: Sixty percent.\nshocks:\n  collateralCoverage: 0.6\n');
    const r = await xvaInProcess(['explain', '--results', path.join(first(), 'results'), '--scenarios', other, '--out', path.join(tmp, 'bad-scenarios')]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `error: --scenarios: ${path.join(other, 'collateral_50pct.yaml')} column shocks.collateralCoverage: 0.6: expected 0.5, the coverage the margin run recorded for collateral_50pct ` +
        `(margin_scenarios:coverage, beside margin/margin_netting_sets.arrow); give --scenarios the folder of the scenario files the runs read`,
    );
  }, 60_000);
});
