/**
 * Pre-deal what-if (src/xva/whatIf): each new trade's ΔX = X(set + trade) − X(set) on the run's paths, checked against
 * full engine runs (src/exposure/engine.ts) of a small book cut from fixtures/demo (an uncollateralised set of four
 * trades and a CSA set with threshold 0, MTA and a 10-day MPoR), 600 paths, seed 11, in-process:
 * - the set's figures equal the engine run's of the book (bit for bit: same paths, kernel, collateral and profile);
 * - X(set) + ΔX equals the engine run of the book with the trade added, to 1e-9 relative. Justification: the
 *   what-if adds the trade's path values to the set's instead of pooling its flows with them, so values differ by
 *   rounding only (~1e-15 relative), which moves an EPE or XVA sum by ~1e-13 relative at most;
 * - an exact mirror of a trade gives X(set) + ΔX = X(set without that trade) (engine run), so ΔCVA < 0 for the
 *   trade with the largest CVA; a mirror of a one-trade set's trade gives X(set + mirror) = 0;
 * - a trade needing a factor the run lacked (CHF, correlated with USD and EUR): the set is valued on the new
 *   block's paths, the note says so, and X(set) + ΔX still equals the engine run of the book with the trade;
 * - the new-trades file: an unknown netting set and a bad date are InputIssues naming the file, row, column, value;
 *   an FX option expired before the as-of date but delivering after it is one on its expiry_date, found by
 *   loadNewTrades (which the command calls before its run), exact text;
 * - the CLI (`xva cva --what-if`, ORE swap case) writes what_if.arrow atomically and its --json matches the table.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { XvaInputError } from '../src/errors.js';
import { fromYmd } from '../src/conventions/dates.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { Trade } from '../src/products/types.js';
import { computeXva, exposureSetsOf, type XvaFigures } from '../src/xva/compute.js';
import { creditInputs, type CreditInputs } from '../src/xva/credit.js';
import { loadNewTrades, runWhatIf, type WhatIfResult, type WhatIfSettings } from '../src/xva/whatIf/index.js';
import { DEMO, METRICS, PATHS, ROOT, runSettings, SEED, SETS, writeMirrorSwapFile, XVA } from './helpers/whatIfBook.js';

const temps: string[] = [];

let market: Market;
let full: Portfolio;
let book: Portfolio;
let credit: CreditInputs;

async function engineFigures(trades: Trade[], grid?: import('../src/simulation/types.js').TimeGrid): Promise<{ figures: Map<string, XvaFigures>; factors: string[]; grid: import('../src/simulation/types.js').TimeGrid }> {
  const result = await runSimulation({
    portfolio: { ...book, trades },
    market,
    options: { paths: PATHS, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: grid ?? { kind: 'default' } },
  });
  const ccy = new Map(book.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const xva = computeXva(exposureSetsOf(result, (id) => ccy.get(id)), credit, XVA, false);
  return { figures: new Map(xva.nettingSets.map((s) => [s.nettingSetId, s])), factors: result.model.factors as string[], grid: result.grid };
}

function near(actual: number, expected: number, scale: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(scale), 1e-6));
}

const mirror = (t: Trade, id: string): Trade => ({ ...t, tradeId: id, direction: (t as { direction: string }).direction === 'pay' ? 'receive' : (t as { direction: string }).direction === 'receive' ? 'pay' : (t as { direction: string }).direction === 'buy' ? 'sell' : 'buy' }) as Trade;

let base: Awaited<ReturnType<typeof engineFigures>>;
let settings: WhatIfSettings;

beforeAll(async () => {
  ({ market, portfolio: full } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  book = { ...full, trades: full.trades.filter((t) => SETS.includes(t.nettingSetId)) };
  credit = creditInputs(full, market, ['CP0029', 'CP0015', 'CP0003']);
  base = await engineFigures(book.trades);
  settings = runSettings(base.grid, base.factors);
}, 120_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

const whatIf = (trades: Trade[]): WhatIfResult => runWhatIf({ market, portfolio: book, trades, file: 'new.csv', settings, credit, xva: XVA });

describe('what-if against full engine runs', () => {
  it('ΔX of a new trade = X(engine, book + trade) − X(engine, book); X(set) is the run\'s bit for bit', async () => {
    const t434 = book.trades.find((t) => t.tradeId === 'T000434')!;
    const added = { ...t434, tradeId: 'W1', notional: 0.5 * (t434 as { notional: number }).notional } as Trade;
    const w = whatIf([added]);
    expect(w.samePathsAsRun).toBe(true);
    const row = w.rows[0]!;
    const set = base.figures.get('NS-CP0029-1')!;
    for (const m of METRICS) expect(row.base[m]).toBe(set[m]);
    const withTrade = (await engineFigures([...book.trades, added])).figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], withTrade[m]);
    expect(Math.abs(row.delta.cva)).toBeGreaterThan(1e-6 * set.cva);
    // standalone: the engine run of the book with the new trade alone in that netting set, on the run's grid
    const others = book.trades.filter((t) => t.nettingSetId !== 'NS-CP0029-1');
    const alone = (await engineFigures([...others, added], base.grid)).figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.standalone[m], alone[m], alone[m]);
  }, 60_000);

  it('a set posting IM (CHF, coverage 0.7): X(set) is the run\'s bit for bit, and ΔX the engine\'s with the trade', async () => {
    // CHF: the amount converts at a spot ≠ 1; 0.7: the coverage scales it; the engine's order of the two products
    const posting: Portfolio = { ...book, nettingSets: book.nettingSets.map((n) => (n.nettingSetId === 'NS-CP0029-1' ? { ...n, collateralCurrency: 'CHF', initialMarginPosted: 5e6 } : n)) };
    const run = async (trades: Trade[]) => {
      const result = await runSimulation({
        portfolio: { ...posting, trades },
        market,
        options: { paths: PATHS, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: base.grid, coverage: 0.7 },
      });
      const ccy = new Map(posting.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
      return new Map(computeXva(exposureSetsOf(result, (id) => ccy.get(id)), credit, XVA, false).nettingSets.map((x) => [x.nettingSetId, x]));
    };
    const before = (await run(book.trades)).get('NS-CP0029-1')!;
    const t434 = book.trades.find((t) => t.tradeId === 'T000434')!;
    const added = { ...t434, tradeId: 'W1', notional: 0.5 * (t434 as { notional: number }).notional } as Trade;
    const w = runWhatIf({ market, portfolio: posting, trades: [added], file: 'new.csv', settings: { ...settings, coverage: 0.7 }, credit, xva: XVA });
    const row = w.rows[0]!;
    for (const m of METRICS) expect(row.base[m], m).toBe(before[m]);
    const after = (await run([...book.trades, added])).get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], after[m], after[m]);
  }, 60_000);

  it('a mirror of the trade with the largest CVA lowers CVA to the engine\'s X(set without it)', async () => {
    // the trade whose removal lowers the set's CVA most (engine runs without each trade)
    const setTrades = book.trades.filter((t) => t.nettingSetId === 'NS-CP0029-1');
    let best: { trade: Trade; cva: XvaFigures } | undefined;
    for (const t of setTrades) {
      const without = (await engineFigures(book.trades.filter((x) => x.tradeId !== t.tradeId))).figures.get('NS-CP0029-1')!;
      if (!best || without.cva < best.cva.cva) best = { trade: t, cva: without };
    }
    const w = whatIf([mirror(best!.trade, 'M1')]);
    const row = w.rows[0]!;
    expect(row.delta.cva).toBeLessThan(0);
    for (const m of METRICS) near(row.base[m] + row.delta[m], best!.cva[m], row.base[m]);
  }, 60_000);

  it('under a CSA with MPoR: the mirror of a one-trade set leaves nothing (X(set + mirror) = 0)', async () => {
    const t178 = book.trades.find((t) => t.tradeId === 'T000178')!;
    const row = whatIf([mirror(t178, 'M2')]).rows[0]!;
    const set = base.figures.get('NS-CP0015-1')!;
    expect(set.cva).toBeGreaterThan(0);
    for (const m of METRICS) {
      expect(row.base[m]).toBe(set[m]);
      near(row.delta[m], -set[m], set[m]);
    }
    // and against the engine with the mirror in the book
    const withTrade = (await engineFigures([...book.trades, mirror(t178, 'M2')])).figures.get('NS-CP0015-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], set[m]);
  }, 60_000);

  it('a factor the run lacked: the set is valued on the new block\'s paths, and says so', async () => {
    const chf = full.trades.find((t) => t.tradeId === 'T000011')!; // CHF IRS of another counterparty
    const moved = { ...chf, tradeId: 'W3', counterpartyId: 'CP0029', nettingSetId: 'NS-CP0029-1' } as Trade;
    const w = whatIf([moved]);
    expect(w.samePathsAsRun).toBe(false);
    expect(w.notes.join('\n')).toMatch(/IR:CHF/);
    expect(w.factors).toContain('IR:CHF');
    const row = w.rows[0]!;
    const withTrade = (await engineFigures([...book.trades, moved])).figures.get('NS-CP0029-1')!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade[m], withTrade[m]);
  }, 60_000);
});

describe('each row as if alone in the file', () => {
  it("a trade needing a correlated factor the run lacked no longer moves the other rows: each row is its what-if alone (bit for bit), in groups of paths", () => {
    const chf = full.trades.find((t) => t.tradeId === 'T000011')!; // CHF IRS of another counterparty: IR:CHF is new
    const moved = { ...chf, tradeId: 'W5', counterpartyId: 'CP0029', nettingSetId: 'NS-CP0029-1' } as Trade;
    const plain = mirror(book.trades[0]!, 'W6'); // a trade of a set of the book on the run's own factors
    const together = whatIf([plain, moved]);
    const alonePlain = whatIf([plain]);
    const aloneMoved = whatIf([moved]);
    expect(together.groups).toBe(2);
    expect(together.rows.map((r) => r.tradeId)).toEqual(['W6', 'W5']);
    expect(together.rows[0]).toEqual(alonePlain.rows[0]);
    expect(together.rows[1]).toEqual(aloneMoved.rows[0]);
    // the plain row is on the run's paths (its set's figure the run's); the other is not
    expect(together.rows[0]!.samePathsAsRun).toBe(true);
    expect(together.rows[1]!.samePathsAsRun).toBe(false);
    expect(together.samePathsAsRun).toBe(false);
    expect(together.notes.join('\n')).toMatch(/evaluated in 2 groups/);
    // one group when no trade adds anything
    expect(whatIf([plain, mirror(book.trades[1]!, 'W7')]).groups).toBe(1);
  }, 60_000);
});

describe('the new-trades file', () => {
  const header = 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count';
  const row = (id: string, ns: string, maturity = '2031-07-02') => `${id},CP0029,${ns},IRS,receive,USD,10000000,2026-07-02,${maturity},0.04,6M,30/360,USD-SOFR,3M,ACT/360`;
  const write = (lines: string[]): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-'));
    temps.push(dir);
    const file = path.join(dir, 'new_trades.csv');
    fs.writeFileSync(file, [header, ...lines].join('\n') + '\n');
    return file;
  };

  it('reads good rows into trades of the named netting set', async () => {
    const trades = await loadNewTrades(write([row('N1', 'NS-CP0029-1')]), book, market, 'market.yaml');
    expect(trades).toHaveLength(1);
    expect(trades[0]!.nettingSetId).toBe('NS-CP0029-1');
    expect(trades[0]!.product).toBe('IRS');
  });

  it('a row\'s warnings (a rate in percent, a maturity centuries out) reach the caller, as a book row\'s do (they were dropped)', async () => {
    const file = write([row('N1', 'NS-CP0029-1').replace(',0.04,', ',4,'), row('N2', 'NS-CP0029-1', '2335-01-15')]);
    const warnings: string[] = [];
    const trades = await loadNewTrades(file, book, market, 'market.yaml', (w) => warnings.push(w));
    expect(trades).toHaveLength(2);
    expect(warnings).toEqual([
      'new_trades.csv row 1 column fixed_rate: 4: expected a rate as a decimal (0.025 = 2.5%): 4 is 400.0%; if 4% was meant, write 0.04',
      expect.stringMatching(/^new_trades\.csv row 2 column maturity_date: 2335-01-15: expected a date within 100 years of the as-of date/),
    ]);
  });

  it('an unknown netting set, a bad date and a reused trade id are InputIssues naming file, row, column, value', async () => {
    const file = write([row('N1', 'NS-NOPE'), row('N2', 'NS-CP0029-1', '2031-13-45'), row('T000434', 'NS-CP0029-1')]);
    const error = await loadNewTrades(file, book, market, 'market.yaml').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XvaInputError);
    const issues = (error as XvaInputError).issues;
    expect(issues).toContainEqual(expect.objectContaining({ file: 'new_trades.csv', row: 1, column: 'netting_set_id', value: 'NS-NOPE' }));
    expect(issues).toContainEqual(expect.objectContaining({ file: 'new_trades.csv', row: 2, column: 'maturity_date', value: '2031-13-45' }));
    expect(issues).toContainEqual(expect.objectContaining({ file: 'new_trades.csv', row: 3, column: 'trade_id', value: 'T000434' }));
  });

  it('an unknown column (a desk comment) is a warning and ignored, as in every other table (it was an error)', async () => {
    const file = path.join(path.dirname(write([])), 'commented.csv');
    fs.writeFileSync(file, [`${header},desk_comment`, `${row('N1', 'NS-CP0029-1')},hedge`].join('\n') + '\n');
    const warnings: string[] = [];
    const trades = await loadNewTrades(file, book, market, 'market.yaml', (w) => warnings.push(w));
    expect(trades.map((t) => t.tradeId)).toEqual(['N1']);
    expect(warnings).toEqual(['commented.csv column desk_comment: unknown column(s), ignored: expected the columns of the portfolio trades table (docs/inputs.md)']);
  });

  it('an FX option that expired before the as-of date but delivers after it: an issue on its expiry_date, from the rows alone (before any run)', async () => {
    // the path pricer refuses it (options.ts); it was reported on column product only when the what-if compiled it,
    // after the command's full run. A live option and one expired and delivered (nothing left) are read.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-opt-'));
    temps.push(dir);
    const file = path.join(dir, 'options.csv');
    const opt = (id: string, maturity: string, expiry: string) => `${id},CP0029,NS-CP0029-1,FXOPT,buy,EUR,10000000,USD,${maturity},call,${expiry},1.12`;
    const head = 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,currency2,maturity_date,option_type,expiry_date,strike';
    fs.writeFileSync(file, [head, opt('O1', '2027-07-02', '2027-06-30'), opt('O2', '2027-07-02', '2026-03-30'), opt('O3', '2026-04-01', '2026-03-30')].join('\n') + '\n');
    const error = await loadNewTrades(file, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues).toEqual([
      {
        file: 'options.csv',
        row: 2,
        column: 'expiry_date',
        value: '2026-03-30',
        expected: 'a date on or after the as-of date 2026-06-30: an FX option that expired before it but delivers after it (maturity_date 2027-07-02) cannot be valued, its exercise is not in the trade data (book the exercised forward instead, or leave the option out)',
      },
    ]);
    expect((error as XvaInputError).message).toContain('options.csv row 2 column expiry_date: 2026-03-30: expected a date on or after the as-of date 2026-06-30');
  });

  it('a trade id used twice in the file is one issue, on its second row', async () => {
    const file = write([row('N1', 'NS-CP0029-1'), row('N1', 'NS-CP0029-1')]);
    const error = await loadNewTrades(file, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues).toEqual([{ file: 'new_trades.csv', row: 2, column: 'trade_id', value: 'N1', expected: 'a unique trade id (already used on row 1)' }]);
  });

  it('an amortising new trade: linear is read; schedule, which needs a notional_schedules table, is an error on its cell', async () => {
    const file = path.join(path.dirname(write([])), 'amortising.csv');
    fs.writeFileSync(file, [`${header},amortization`, `${row('N1', 'NS-CP0029-1')},linear`, `${row('N2', 'NS-CP0029-1')},schedule`].join('\n') + '\n');
    const error = await loadNewTrades(file, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues).toEqual([
      { file: 'amortising.csv', row: 2, column: 'amortization', value: 'schedule', expected: 'linear or fixed_amount here (a single trades file has no notional_schedules table: give a folder holding both)' },
    ]);
    fs.writeFileSync(file, [`${header},amortization`, `${row('N1', 'NS-CP0029-1')},linear`].join('\n') + '\n');
    const [trade] = await loadNewTrades(file, book, market, 'market.yaml');
    expect(trade?.product === 'IRS' ? trade.floatLeg.amortization : undefined).toEqual({ kind: 'linear', frequency: '6M' });
  });

  it('a folder: its trades table and, for swaps amortising by schedule, its notional_schedules table (rows checked as the portfolio\'s)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-folder-'));
    temps.push(dir);
    fs.writeFileSync(path.join(dir, 'trades.csv'), [`${header},amortization`, `${row('N1', 'NS-CP0029-1')},schedule`, `${row('N2', 'NS-CP0029-1')},`].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'notional_schedules.csv'), 'trade_id,from_date,notional\nN1,2028-07-03,6000000\nN1,2027-07-02,12000000\n');
    const trades = await loadNewTrades(dir, book, market, 'market.yaml');
    expect(trades.map((t) => t.tradeId)).toEqual(['N1', 'N2']);
    const n1 = trades[0]!;
    expect(n1.product === 'IRS' ? n1.fixedLeg.amortization : undefined).toEqual({ kind: 'schedule', fromDates: [fromYmd(2027, 7, 2), fromYmd(2028, 7, 3)], notionals: [12e6, 6e6] });
    // a row for a trade of the file that does not amortise by schedule, and one for no trade of the file
    fs.appendFileSync(path.join(dir, 'notional_schedules.csv'), 'N2,2028-07-03,1000000\nT000434,2028-07-03,1000000\n');
    const error = await loadNewTrades(dir, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues).toEqual([
      { file: 'notional_schedules.csv', row: 3, column: 'trade_id', value: 'N2', expected: 'rows only for trades whose amortization is schedule (trade N2 says otherwise)' },
      { file: 'notional_schedules.csv', row: 4, column: 'trade_id', value: 'T000434', expected: 'the trade_id of a trade in the trades table' },
    ]);
    // a rate_schedules table beside them: N2 steps up (rows in any order), a row of a trade outside the file is an error
    fs.writeFileSync(path.join(dir, 'notional_schedules.csv'), 'trade_id,from_date,notional\nN1,2028-07-03,6000000\n');
    fs.writeFileSync(path.join(dir, 'rate_schedules.csv'), 'trade_id,from_date,rate\nN2,2029-07-02,0.05\nN2,2027-07-02,0.045\n');
    const stepped = (await loadNewTrades(dir, book, market, 'market.yaml'))[1]!;
    expect(stepped.product === 'IRS' ? stepped.fixedLeg.rateSteps : undefined).toEqual({ fromDates: [fromYmd(2027, 7, 2), fromYmd(2029, 7, 2)], rates: [0.045, 0.05] });
    fs.appendFileSync(path.join(dir, 'rate_schedules.csv'), 'T000434,2028-07-03,0.05\n');
    const rateError = await loadNewTrades(dir, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect((rateError as XvaInputError).issues).toEqual([{ file: 'rate_schedules.csv', row: 3, column: 'trade_id', value: 'T000434', expected: 'the trade_id of a trade in the trades table' }]);
    // a folder without a trades table
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-empty-'));
    temps.push(empty);
    const none = await loadNewTrades(empty, book, market, 'market.yaml').then(() => undefined, (e: unknown) => e);
    expect((none as XvaInputError).issues[0]).toMatchObject({ value: 'no trades table', expected: 'trades.csv or trades.parquet in the --what-if folder' });
  });
});

describe('xva cva --what-if (CLI, ORE swap case)', () => {
  const DATA = path.join(ROOT, 'test/data/ore-swap-flat');
  beforeAll(() => {
    const compiled = path.join(ROOT, 'dist/src/xva/whatIf/index.js');
    if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(path.join(ROOT, 'src/xva/whatIf/whatIf.ts')).mtimeMs) {
      spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, encoding: 'utf8' });
    }
  }, 300_000);

  it('writes what_if.arrow (no temporary file left) whose rows are the --json rows; the mirror removes the swap', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-whatif-cli-'));
    temps.push(dir);
    const file = writeMirrorSwapFile(DATA, dir);
    const out = path.join(dir, 'out');
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/run.js'), 'cva', '--portfolio', DATA, '--paths', '200', '--seed', '42', '--grid', '81,6M', '--threads', '1', '--what-if', file, '--out', out, '--json'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' } },
    );
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { nettingSets: { nettingSetId: string; cva: number; dva: number }[]; whatIf: { samePathsAsRun: boolean; trades: { tradeId: string; delta: XvaFigures; base: XvaFigures }[] } };
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    const table = tableFromIPC(fs.readFileSync(path.join(out, 'what_if.arrow')));
    expect(table.numRows).toBe(1);
    expect(table.getChild('trade_id')!.get(0)).toBe('NEW_PAY');
    const w = doc.whatIf.trades[0]!;
    expect(doc.whatIf.samePathsAsRun).toBe(true);
    expect(table.getChild('d_cva')!.get(0)).toBe(w.delta.cva);
    expect(table.getChild('set_cva')!.get(0)).toBe(w.base.cva);
    // the keys every table of xva cva --out carries (docs/xva.md: an audit found the what-if's without the currency and
    // signs), with the same values as cva_netting_set's
    const setTable = tableFromIPC(fs.readFileSync(path.join(out, 'cva_netting_set.arrow')));
    for (const key of ['xva.currency', 'xva.discretisation', 'xva.mode']) expect(table.schema.metadata.get(key), key).toBe(setTable.schema.metadata.get(key));
    expect(table.schema.metadata.get('xva.signs')).toContain(setTable.schema.metadata.get('xva.signs')!);
    // the set's figure is the run's (same paths), and a pay swap mirroring one of two equal receivers halves the
    // set: X(set + mirror) = X(set without Swap), i.e. close to half the set's CVA (the two swaps differ by 3 weeks)
    const set = doc.nettingSets.find((s) => s.nettingSetId === 'CPTY_A')!;
    near(w.base.cva, set.cva, set.cva, 1e-12);
    expect(w.delta.cva).toBeLessThan(0);
    expect((w.base.cva + w.delta.cva) / set.cva).toBeGreaterThan(0.45);
    expect((w.base.cva + w.delta.cva) / set.cva).toBeLessThan(0.55);
  }, 120_000);
});

describe('the bundled example, fixtures/what-if/new_trades.csv (README: `xva cva --what-if`)', () => {
  it('every row reads against fixtures/demo, and the 10y IRS ΔX equals the engine run of its set with the trade', async () => {
    const file = path.join(ROOT, 'fixtures/what-if/new_trades.csv');
    const trades = await loadNewTrades(file, full, market, 'market.yaml');
    expect(trades.map((t) => [t.tradeId, t.nettingSetId, t.product])).toEqual([
      ['NEW-IRS-CP0024', 'NS-CP0024-1', 'IRS'],
      ['NEW-IRS-CP0024-5Y', 'NS-CP0024-1', 'IRS'],
      ['NEW-FXFWD-CP0005', 'NS-CP0005-1', 'FXFWD'],
      ['NEW-FXOPT-CP0040', 'NS-CP0040-2', 'FXOPT'],
    ]);
    // a second method on the set of the first trade alone (200 paths): engine runs with and without it
    const cut: Portfolio = { ...full, trades: full.trades.filter((t) => t.nettingSetId === 'NS-CP0024-1') };
    const cutCredit = creditInputs(full, market, ['CP0024']);
    const run = async (tr: Trade[]) => {
      const result = await runSimulation({ portfolio: { ...cut, trades: tr }, market, options: { paths: 200, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: { kind: 'default' } } });
      return { result, set: computeXva(exposureSetsOf(result, () => 'USD'), cutCredit, XVA, false).nettingSets.find((n) => n.nettingSetId === 'NS-CP0024-1')! };
    };
    const without = await run(cut.trades);
    const withTrade = await run([...cut.trades, trades[0]!]);
    const w = runWhatIf({
      market,
      portfolio: cut,
      trades: [trades[0]!],
      file,
      settings: { ...settings, paths: 200, grid: without.result.grid, runFactors: without.result.model.factors as string[] },
      credit: cutCredit,
      xva: XVA,
    });
    expect(w.samePathsAsRun).toBe(true);
    const row = w.rows[0]!;
    for (const m of METRICS) near(row.base[m] + row.delta[m], withTrade.set[m], withTrade.set[m]);
    expect(row.delta.cva).toBeGreaterThan(0.1 * without.set.cva); // a 50m payer swap adds materially to this set's CVA
  }, 120_000);
});
