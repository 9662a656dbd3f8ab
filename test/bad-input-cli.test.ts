/**
 * Bad input across the commands (the guide's standard 3: a clear error naming file, row, column, value and what was
 * expected; a non-zero exit; nothing half-written; no stack trace for a user's mistake): the cases an audit of the
 * CLI found reported as internal errors, reported once per row where once per table says it, or leaving an empty
 * output folder behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outOfMemory } from '../src/cli/base.js';
import { lockFolder } from '../src/cli/lock.js';
import { MAX_PATHS, pathsFlag } from '../src/cli/threads.js';
import { IssueCollector, XvaInputError, XvaUsageError, formatIssue } from '../src/errors.js';
import { parseXml } from '../src/import/ore/xml.js';
import { decodeArrowIpc, parseArrowIpc } from '../src/io/arrowIpc.js';
import { parseCsv } from '../src/io/csv.js';
import { FieldReader, reportUnknownColumns } from '../src/io/table.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { ensureBuilt, xvaInProcess } from './helpers/scaleCli.js';

const DEMO = path.resolve('fixtures/demo');
let tmp: string;
let results: string; // an `xva simulate --out` of the demo book, 16 paths

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-bad-input-'));
  results = path.join(tmp, 'sim');
  const run = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '16', '--threads', '1', '--out', results, '-q']);
  expect(run.status).toBe(0);
}, 120_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .*:\d+:\d+/);
  expect(text).not.toContain('internal error');
}

describe('path counts and memory', () => {
  it('--paths is a whole number 1 .. 2^32 − 1 (a path is one 32-bit word of the Philox counter)', () => {
    expect(MAX_PATHS).toBe(4294967295);
    expect(pathsFlag('paths', '4294967295')).toBe(4294967295);
    expect(() => pathsFlag('paths', '4294967296')).toThrow(XvaUsageError);
    expect(() => pathsFlag('paths', '99999999999')).toThrow("--paths must be a whole number 1 to 4294967295 (a path is one 32-bit word of the random numbers' counter), got '99999999999'");
    expect(() => pathsFlag('optimize-paths', '0')).toThrow("--optimize-paths must be a whole number 1 to 4294967295");
  });

  it('an allocation the engine refuses is a run too big for the process (exit 2, advice), not an internal error', () => {
    // the errors V8 raises, produced here without allocating anything
    let tooLong: unknown;
    try {
      new Float64Array(2 ** 33);
    } catch (error) {
      tooLong = error;
    }
    expect(outOfMemory(tooLong)).toBe(true);
    expect(outOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    // a worker thread's, rebuilt in the main thread as an internal error carrying its message (exposure/pool.ts)
    expect(outOfMemory(new Error('worker thread: Array buffer allocation failed'))).toBe(true);
    expect(outOfMemory(Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }))).toBe(true);
    // a negative or fractional length is a defect, and stays one
    let negative: unknown;
    try {
      new Float64Array(-1);
    } catch (error) {
      negative = error;
    }
    expect(outOfMemory(negative)).toBe(false);
    expect(outOfMemory(new TypeError('Cannot read properties of undefined'))).toBe(false);
  });

  it('simulate --paths past the counter: exit 2 naming the bound, nothing written', async () => {
    const out = path.join(tmp, 'never-paths');
    const run = await xvaInProcess(['simulate', '--portfolio', DEMO, '--paths', '99999999999', '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("error: --paths must be a whole number 1 to 4294967295 (a path is one 32-bit word of the random numbers' counter), got '99999999999'\n");
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('output folders: a run refused before writing leaves none behind', () => {
  it('lockFolder removes the folders it made when nothing was written, keeps them otherwise', () => {
    const made = path.join(tmp, 'lock', 'a', 'b');
    const lock = lockFolder(made, 'test');
    expect(fs.existsSync(path.join(made, '.xva.lock'))).toBe(true);
    lock.release();
    expect(fs.existsSync(path.join(tmp, 'lock'))).toBe(false); // every folder it made, up to the first
    const kept = path.join(tmp, 'kept');
    const second = lockFolder(kept, 'test');
    fs.writeFileSync(path.join(kept, 'report.md'), '# a report\n');
    second.release();
    expect(fs.readdirSync(kept)).toEqual(['report.md']);
    // a folder that was there before stays, empty or not
    const existing = path.join(tmp, 'existing');
    fs.mkdirSync(existing);
    lockFolder(existing, 'test').release();
    expect(fs.existsSync(existing)).toBe(true);
  });

  it('explain --narrator bedrock with an --endpoint that is not a URL: exit 2 before any run, no --out left', async () => {
    const out = path.join(tmp, 'never-bedrock');
    const run = await xvaInProcess(['explain', '--portfolio', DEMO, '--narrator', 'bedrock', '--model-id', 'anthropic.claude-3-5-sonnet', '--region', 'us-east-1', '--endpoint', 'not a url', '--out', out, '-q']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error: --endpoint "not a url" is not an endpoint URL: expected an absolute http(s) URL such as https://bedrock-runtime.us-east-1.amazonaws.com\n');
    noStack(run.stderr);
    expect(fs.existsSync(out)).toBe(false);
    const ftp = await xvaInProcess(['explain', '--portfolio', DEMO, '--narrator', 'bedrock', '--model-id', 'm', '--region', 'us-east-1', '--endpoint', 'ftp://example.com', '--out', out, '-q']);
    expect(ftp.status).toBe(2);
    expect(ftp.stderr).toContain('--endpoint "ftp://example.com" is not an endpoint URL');
  });

  it('explain --results of a folder with no results: exit 2 saying what it expected, no report', async () => {
    const empty = path.join(tmp, 'empty-results');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'sub', 'notes.txt'), 'not a table\n');
    const out = path.join(tmp, 'never-report');
    const run = await xvaInProcess(['explain', '--results', empty, '--out', out, '-q']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`error: --results ${empty}: no results of an xva run in it or its subfolders (none of exposure_netting_set, xva_book, capital_book, margin_netting_sets or recommendations as .arrow or .parquet): expected a folder written by xva simulate, cva, fva, capital, margin or optimize with --out\n`);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('cva/fva --results: flags the exposure read cannot honour are refused, not ignored', () => {
  it('--paths, --seed, --grid with --results name themselves (exit 2); without them the run reads the results', async () => {
    const both = await xvaInProcess(['cva', '--portfolio', DEMO, '--results', results, '--paths', '300', '--seed', '4', '-q']);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('error: --paths, --seed with --results: the exposure read has the paths, seed and grid of the `xva simulate` that wrote it (its manifest.json); give --paths, --seed to that run, or leave them out\n');
    const grid = await xvaInProcess(['fva', '--portfolio', DEMO, '--results', results, '--grid', '3M', '-q']);
    expect(grid.status).toBe(2);
    expect(grid.stderr).toBe('error: --grid with --results: the exposure read has the paths, seed and grid of the `xva simulate` that wrote it (its manifest.json); give --grid to that run, or leave it out\n');
    // the same value as the default, given explicitly, is still a flag the run would not use
    const same = await xvaInProcess(['cva', '--portfolio', DEMO, '--results', results, '--seed', '42', '-q']);
    expect(same.status).toBe(2);
    const ok = await xvaInProcess(['cva', '--portfolio', DEMO, '--results', results, '--json', '-q']);
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { source: string }).source).toBe('results');
  }, 60_000);
});

describe('tables: one issue per absent column, a case hint, an empty trades table', () => {
  it('a required column absent from the table is reported once, naming the first row that needs it and a near name', () => {
    const table = parseCsv('trade_id,Notional\nT1,100\nT2,200\nT3,300\n', 'trades.csv');
    const issues = new IssueCollector();
    const reader = new FieldReader(table, issues);
    for (let row = 0; row < 3; row++) expect(reader.number('notional', row, { required: true, what: 'an amount' })).toBeUndefined();
    expect(issues.issues.map(formatIssue)).toEqual([
      'trades.csv row 1 column notional: no such column: expected a column notional with an amount (this row is the first that needs it; the other rows like it are not listed); the table\'s column "Notional" differs only in case or blanks: column names are lower case, as written',
    ]);
    // a present column with empty cells is still reported row by row
    const gaps = parseCsv('trade_id,notional\nT1,\nT2,\n', 'trades.csv');
    const gapIssues = new IssueCollector();
    const gapReader = new FieldReader(gaps, gapIssues);
    for (let row = 0; row < 2; row++) gapReader.number('notional', row, { required: true, what: 'an amount' });
    expect(gapIssues.issues.map(formatIssue)).toEqual(['trades.csv row 1 column notional: missing value: expected an amount', 'trades.csv row 2 column notional: missing value: expected an amount']);
  });

  it("a header in another case gets one error, not a second 'no such column' for the rows that need it", () => {
    const table = parseCsv('trade_id,Notional\nT1,100\nT2,200\n', 'trades.csv');
    const issues = new IssueCollector();
    reportUnknownColumns(table, ['trade_id', 'notional'], issues, { value: 'unknown columns', expected: 'the columns of docs/inputs.md', severity: 'warning' });
    const reader = new FieldReader(table, issues);
    for (let row = 0; row < 2; row++) expect(reader.number('notional', row, { required: true, what: 'an amount' })).toBeUndefined();
    expect(issues.issues.map(formatIssue)).toEqual([
      'trades.csv column Notional: a column name in another case or with blanks: expected the column name notional (names are lower case, as written: read as it is, the column would be ignored)',
    ]);
    // the loaders read such a header under its name (readAs): a required column checked by requireColumns (Trade_id)
    // and the cells' own problems come in the same pass, with no knock-on problem of the rows that need it
    const variant = parseCsv('Trade_id,Notional\nT1,100\nT2,-5\n', 'trades.csv');
    const read = new IssueCollector();
    const r = new FieldReader(variant, read).readAs(reportUnknownColumns(variant, ['trade_id', 'notional'], read, { value: 'unknown columns', expected: 'the columns of docs/inputs.md', severity: 'warning' }));
    expect(r.requireColumns(['trade_id', 'notional'])).toBe(true);
    expect(r.string('trade_id', 0, { required: true })).toBe('T1');
    expect(r.number('notional', 0, { required: true, min: 0, what: 'an amount >= 0' })).toBe(100);
    expect(r.number('notional', 1, { required: true, min: 0, what: 'an amount >= 0' })).toBeUndefined();
    expect(read.issues.map(formatIssue)).toEqual([
      'trades.csv column Trade_id: a column name in another case or with blanks: expected the column name trade_id (names are lower case, as written: read as it is, the column would be ignored)',
      'trades.csv column Notional: a column name in another case or with blanks: expected the column name notional (names are lower case, as written: read as it is, the column would be ignored)',
      'trades.csv row 2 column notional: -5: expected an amount >= 0',
    ]);
  });

  it('a bound the description states is not said twice', () => {
    const table = parseCsv('amount\n-5\n', 'positions.csv');
    const issues = new IssueCollector();
    const reader = new FieldReader(table, issues);
    reader.number('amount', 0, { min: 0, what: 'an amount >= 0' });
    reader.number('amount', 0, { min: 0, what: 'an amount' });
    expect(issues.issues.map(formatIssue)).toEqual(['positions.csv row 1 column amount: -5: expected an amount >= 0', 'positions.csv row 1 column amount: -5: expected an amount of at least 0']);
  });

  it('a trades table with its header only is an input error (nothing to value)', async () => {
    const dir = path.join(tmp, 'empty-book');
    fs.mkdirSync(dir);
    for (const f of fs.readdirSync(DEMO)) if (f !== 'trades.parquet') fs.copyFileSync(path.join(DEMO, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'trades.csv'), 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date\n');
    const issues = new IssueCollector();
    await loadPortfolio(dir, issues);
    expect(issues.issues.map(formatIssue)).toEqual(['trades.csv: no rows: expected at least one trade (the table has its header only: nothing to value; SA-CCR positions alone go in a saccr_trades table)']);
    const out = path.join(tmp, 'never-empty');
    const run = await xvaInProcess(['simulate', '--portfolio', dir, '--paths', '10', '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('trades.csv: no rows: expected at least one trade');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('damaged files name what is wrong, not the decoder\'s internals', () => {
  const ipc = tableToIPC(tableFromArrays({ netting_set_id: ['NS1', 'NS2', 'NS3'], epe: Float64Array.of(1, 2, 3) }), 'file');

  it('an Arrow file cut short, or damaged inside its frame', () => {
    expect(decodeArrowIpc(ipc).numRows).toBe(3);
    const cut = ipc.slice(0, Math.floor(ipc.length / 2));
    expect(() => decodeArrowIpc(cut)).toThrow('the file does not end with the Arrow signature ARROW1 (it looks truncated: was it copied completely?)');
    // the frame intact (ARROW1 at both ends), the footer and batches zeroed: the decoder trips (a TypeError inside
    // apache-arrow), said as damage
    const damaged = Uint8Array.from(ipc);
    damaged.fill(0, 8, damaged.length - 6);
    for (const [from, to] of [[8, damaged.length - 6], [ipc.length - 40, ipc.length - 6], [100, 200]] as const) {
      const bytes = Uint8Array.from(ipc);
      bytes.fill(0, from, to);
      expect(() => decodeArrowIpc(bytes)).toThrow(/^its record batches could not be decoded \(a damaged or partly written file\)$/);
    }
    expect(() => parseArrowIpc(cut, 'crif.arrow')).toThrow(XvaInputError);
  });

  it('xva cva --results on a truncated exposure table: exit 2 naming the file and the truncation', async () => {
    const copy = path.join(tmp, 'sim-truncated');
    fs.cpSync(results, copy, { recursive: true });
    const file = path.join(copy, 'exposure_netting_set.arrow');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const run = await xvaInProcess(['cva', '--portfolio', DEMO, '--results', copy, '-q']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('exposure_netting_set.arrow: unreadable (the file does not end with the Arrow signature ARROW1 (it looks truncated: was it copied completely?)): expected a table written by xva simulate');
    noStack(run.stderr);
  }, 60_000);

  it('an ORE XML file cut short names the last line and the elements left open', () => {
    const xml = '<?xml version="1.0"?>\n<Portfolio>\n  <Trade id="Swap_1">\n    <TradeType>Swap</TradeType>\n    <SwapData>\n      <LegData>\n        <Payer>false';
    let issue: string | undefined;
    try {
      parseXml(xml, 'portfolio.xml', 'Portfolio');
    } catch (error) {
      issue = formatIssue((error as XvaInputError).issues[0]!);
    }
    expect(issue).toBe('portfolio.xml row 7: the text ends inside <Portfolio> › <Trade> › <SwapData> › <LegData> › <Payer>: expected well-formed XML with every element closed (the file looks truncated: was it copied or written completely?)');
    // a mismatched tag keeps the parser's own line and column
    expect(() => parseXml('<Portfolio>\n<Trade></Trades>\n</Portfolio>', 'p.xml', 'Portfolio')).toThrow(XvaInputError);
  });
});
