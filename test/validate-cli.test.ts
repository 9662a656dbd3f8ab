/**
 * `xva validate` as a user runs it: the built CLI (`node bin/run.js validate ...`), its exit codes, stderr lines and
 * the --json document. The built command runs (test/globalSetup.ts builds dist/ before any test file).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { spinnerFits } from '../src/cli/progress.js';

const ROOT = path.resolve('.');
const SMALL = path.join(ROOT, 'test/data/small');
const COMPILED = path.join(ROOT, 'dist/commands/validate.js');
const temps: string[] = [];

beforeAll(() => {
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 300_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, XVA_DEBUG: '' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function badCopy(edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-validate-cli-'));
  temps.push(dir);
  fs.cpSync(SMALL, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Replaces `from` by `to` on the row of trade `tradeId` in trades.csv. */
function editTrade(dir: string, tradeId: string, from: string, to: string): void {
  const file = path.join(dir, 'trades.csv');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${tradeId},`));
  lines[i] = lines[i]!.replace(from, to);
  fs.writeFileSync(file, lines.join('\n'));
}

const STACK_FRAME = /^\s+at /m;

describe('xva validate (built CLI)', () => {
  it('exits 0 on the good portfolio and prints the summary tables', () => {
    const run = xva('validate', '--portfolio', SMALL);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Trades by product');
    expect(run.stdout).toMatch(/│ Total\s+│ 23\s+│/);
    expect(run.stdout).toMatch(/│ USD\s+│ 146,400,000.00 │/);
    expect(run.stdout).toContain('OK: no errors');
  });

  it('--json prints one parseable document with the summary and nothing else on stdout', () => {
    const run = xva('validate', '--portfolio', SMALL, '--json');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.errors).toEqual([]);
    expect(doc.summary.tradeCount).toBe(23);
    expect(doc.summary.tradesByProduct.SWAPTION).toBe(2);
    expect(doc.summary.tradesByProduct.CAPFLOOR).toBe(1);
    expect(doc.summary.grossNotionalByCurrency).toEqual({ USD: 146_400_000, EUR: 161_500_000, GBP: 31_000_000 });
    // 4 IRS + 3 OIS + 1 BASIS + 2 XCCY + 2 SWAPTION + 1 CAPFLOOR, none naming a calendar
    expect(doc.summary.swapsByCalendar).toEqual({ weekends: 13 });
  });

  it('exits 2 on a bad input, prints the problem on stderr, and no stack trace', () => {
    const dir = badCopy((d) => editTrade(d, 'T001', '2035-01-15', '2019-05-01'));
    const run = xva('validate', '--portfolio', dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('trades.csv row 1 column maturity_date: 2019-05-01: expected a date after start_date 2025-01-15\n');
    expect(run.stderr).toContain('error: the input has 1 problem(s)');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).not.toMatch(STACK_FRAME);
  });

  it('exits 2 with --json and lists the errors in the document', () => {
    const dir = badCopy((d) => editTrade(d, 'T003', ',50000000,', ',-50000000,'));
    const run = xva('validate', '--portfolio', dir, '--json');
    expect(run.status).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.errors.map((e: { message: string }) => e.message)).toEqual([
      'trades.csv row 3 column notional: -50000000: expected an amount greater than 0',
    ]);
    expect(doc.errors[0]).toMatchObject({ file: 'trades.csv', row: 3, column: 'notional', value: '-50000000' });
  });

  it('a trade_id of an unreadable type (a UUID as FixedSizeBinary) is one error among the others, and --json prints its document', async () => {
    // before: the column's XvaInputError stopped validation: the bad rating below went unreported and --json printed
    // nothing on stdout
    const dir = badCopy((d) => {
      const file = path.join(d, 'counterparties.csv');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('CP_BANK_A,Bank Alpha plc,financial,A,', 'CP_BANK_A,Bank Alpha plc,financial,ZZZ,'));
    });
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await duck.run(`COPY (SELECT * REPLACE (gen_random_uuid() AS trade_id) FROM read_csv('${path.join(dir, 'trades.csv')}', all_varchar = true)) TO '${path.join(dir, 'trades.parquet')}' (FORMAT parquet)`);
    } finally {
      duck.closeSync();
    }
    fs.rmSync(path.join(dir, 'trades.csv'));
    const run = xva('validate', '--portfolio', dir, '--json');
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    const doc = JSON.parse(run.stdout);
    expect(doc.errors.map((e: { message: string }) => e.message)).toEqual([
      'trades.parquet column trade_id: Arrow type FixedSizeBinary[16]: expected a column of text, numbers, booleans, dates or timestamps (this type is not supported)',
      'counterparties.csv row 1 column rating: ZZZ: expected one of AAA, AA, A, BBB, BB, B, CCC, NR',
    ]);
  });

  it('limits the listed errors with --max-issues', () => {
    const dir = badCopy((d) => {
      editTrade(d, 'T001', ',pay,', ',buy,');
      editTrade(d, 'T002', ',receive,', ',buy,');
      editTrade(d, 'T003', ',pay,', ',buy,');
    });
    const run = xva('validate', '--portfolio', dir, '--max-issues', '1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('trades.csv row 1 column direction: buy: expected one of pay, receive\n');
    expect(run.stderr).toContain('... and 2 more problems');
    expect(run.stderr).toContain('error: the input has 3 problem(s)');
  });

  it('exits 2 for a missing portfolio folder, without a stack trace', () => {
    const missing = path.join(os.tmpdir(), 'xva-no-such-portfolio');
    const run = xva('validate', '--portfolio', missing, '--market', path.join(SMALL, 'market.yaml'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${missing}: not found: expected a portfolio folder (trades, counterparties, netting_sets tables)`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('has help with a description and examples', () => {
    const run = xva('validate', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--max-issues');
    expect(run.stdout).toContain('EXAMPLES');
    expect(run.stdout).toContain('validate --portfolio fixtures/demo');
  });
});

describe('progress on a terminal that reports no width', () => {
  it('spinnerFits: a TTY with a width, or whose width is unknown; never a width of 0 or no TTY', () => {
    expect([spinnerFits({ isTTY: true, columns: 100 }), spinnerFits({ isTTY: true }), spinnerFits({ isTTY: true, columns: 0 }), spinnerFits({ isTTY: false, columns: 80 }), spinnerFits({})]).toEqual([true, true, false, false, false]);
  });

  // `script` runs the command on a pseudo-terminal; with no terminal behind the test its width is 0, where ora wrote
  // cursor-up escapes without end (2.3 GB of stderr in 10 minutes, the README audit): the run must end, its report on
  // stdout, its terminal log small. util-linux's `script` is on every Debian (bsdutils); without it there is nothing to run.
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  it.skipIf(script.status !== 0)('xva validate under `script` (a 0-column pseudo-terminal) ends with its report and a short terminal log', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-pty-'));
    try {
      const out = path.join(dir, 'out.txt');
      const log = path.join(dir, 'tty.log');
      const run = spawnSync('script', ['-q', '-c', `stty cols 0 2>/dev/null; node ${path.join(ROOT, 'bin/run.js')} validate --portfolio ${path.join(ROOT, 'test/data/small')} > ${out}`, log], { stdio: 'ignore', timeout: 60_000 });
      expect(run.status).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toContain('OK: no errors');
      expect(fs.statSync(log).size).toBeLessThan(64 * 1024);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
