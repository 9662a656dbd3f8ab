/**
 * The new trades of a pre-deal what-if (`--what-if FILE`): a table with the columns of the portfolio's trades table
 * (docs/inputs.md), read by the portfolio's own row reader, then checked against the book: each trade's
 * netting_set_id must be a netting set of the portfolio, of the trade's counterparty; its trade_id must be new (not in
 * the portfolio, not twice in the file); and its terms must be priceable with the market (the portfolio's checks).
 * Every problem is an InputIssue naming the what-if file, the row, the column and the value, all reported at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatIssue, IssueCollector, XvaInputError, type InputIssue } from '../../errors.js';
import { findTableFile, readTable } from '../../io/read.js';
import { checkScheduleOwners, readNotionalSchedules } from '../../portfolio/notionalSchedules.js';
import { checkRateScheduleOwners, readRateSchedules } from '../../portfolio/rateSchedules.js';
import { FieldReader, reportUnknownColumns } from '../../io/table.js';
import type { Market } from '../../market/types.js';
import { checkPortfolio } from '../../portfolio/checks.js';
import { PORTFOLIO_TABLES } from '../../portfolio/load.js';
import { readTradeRow } from '../../portfolio/tradeRows.js';
import type { Portfolio } from '../../portfolio/types.js';
import type { Trade } from '../../products/types.js';
import { toIsoDate } from '../../conventions/dates.js';
import { expiredBeforeDelivery } from '../../exposure/valuation/support.js';

/**
 * Reads and checks the what-if trades; throws XvaInputError (every problem, naming the file) when anything is wrong.
 * `source` is a trades table, or a folder holding one (`trades.csv`, `.parquet`) and, for swaps amortising by
 * schedule, a `notional_schedules` table, and for step-up rates a `rate_schedules` table (docs/inputs.md).
 */
export async function loadNewTrades(source: string, portfolio: Portfolio, market: Market, marketFile: string, onWarning?: (text: string) => void): Promise<Trade[]> {
  const folder = fs.statSync(source).isDirectory() ? source : undefined;
  const filePath = folder === undefined ? source : findTableFile(folder, 'trades');
  if (filePath === undefined) throw new XvaInputError([{ file: source, value: 'no trades table', expected: 'trades.csv or trades.parquet in the --what-if folder' }]);
  const file = path.basename(filePath);
  const table = await readTable(filePath, { displayName: file });
  const issues = new IssueCollector(200);
  const reader = new FieldReader(table, issues);
  // a folder's notional_schedules table: the steps of its swaps that amortise by schedule
  const schedulesFile = folder === undefined ? undefined : findTableFile(folder, 'notional_schedules');
  const sideTable = async (tableFile: string, name: 'notional_schedules' | 'rate_schedules'): Promise<FieldReader> => {
    const side = await readTable(tableFile, { displayName: path.basename(tableFile) });
    // a known column in another case: one error, read under its name; unknown columns a warning (as the portfolio's)
    return new FieldReader(side, issues).readAs(reportUnknownColumns(side, PORTFOLIO_TABLES[name].known, issues, { value: 'unknown column(s), ignored', expected: `columns of the ${name} table (docs/inputs.md)`, severity: 'warning' }));
  };
  const schedulesReader = schedulesFile === undefined ? undefined : await sideTable(schedulesFile, 'notional_schedules');
  if (schedulesReader && !schedulesReader.requireColumns(PORTFOLIO_TABLES.notional_schedules.requiredColumns)) issues.throwIfAny();
  const schedules = schedulesReader ? readNotionalSchedules(schedulesReader) : undefined;
  // a folder's rate_schedules table: the steps of its step-up fixed rates and strikes
  const ratesFile = folder === undefined ? undefined : findTableFile(folder, 'rate_schedules');
  const ratesReader = ratesFile === undefined ? undefined : await sideTable(ratesFile, 'rate_schedules');
  if (ratesReader && !ratesReader.requireColumns(PORTFOLIO_TABLES.rate_schedules.requiredColumns)) issues.throwIfAny();
  const rates = ratesReader ? readRateSchedules(ratesReader) : undefined;
  const spec = PORTFOLIO_TABLES.trades;
  // unknown columns a warning, ignored, as in every other table (a known column in another case: one error, read under its name)
  reader.readAs(reportUnknownColumns(table, spec.known, issues, { value: 'unknown column(s), ignored', expected: 'the columns of the portfolio trades table (docs/inputs.md)', severity: 'warning' }));
  if (!reader.requireColumns(spec.requiredColumns) || !issues.ok) issues.throwIfAny();
  if (table.numRows === 0) throw new XvaInputError([{ file, value: 'no rows', expected: 'at least one new trade' }]);

  const clearing = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.ccp === undefined ? { cleared: n.cleared } : { cleared: n.cleared, ccp: n.ccp }]));
  const trades: Trade[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const trade = readTradeRow(reader, row, {
      nettingSetClearing: (id) => clearing.get(id),
      ...(folder !== undefined ? { notionalSchedule: (id: string) => schedules?.get(id), rateSchedule: (id: string) => rates?.get(id) } : {}),
    });
    if (trade) trades.push(trade);
  }
  if ((schedulesReader && schedules) || (ratesReader && rates)) {
    const ids = new Set<string>();
    for (let row = 0; row < table.numRows; row++) {
      const id = reader.string('trade_id', row);
      if (id !== undefined) ids.add(id);
    }
    if (schedulesReader && schedules) checkScheduleOwners(schedulesReader, schedules, trades, ids);
    if (ratesReader && rates) checkRateScheduleOwners(ratesReader, rates, trades, ids);
  }

  // Against the book: an existing netting set, of the trade's counterparty; a new, unique trade id.
  const sets = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const existing = new Set(portfolio.trades.map((t) => t.tradeId));
  const own: InputIssue[] = [];
  // every row's netting set, parsed or not (a row with other problems still says where it was meant to go)
  for (let row = 0; row < table.numRows; row++) {
    const id = reader.string('netting_set_id', row);
    if (id !== undefined && !sets.has(id)) own.push({ file, row: row + 1, column: 'netting_set_id', value: id, expected: 'a netting set of the portfolio (a what-if trade joins an existing netting set)' });
  }
  for (const t of trades) {
    const row = t.sourceRow !== undefined ? { row: t.sourceRow } : {};
    const ns = sets.get(t.nettingSetId);
    if (ns && ns.counterpartyId !== t.counterpartyId) {
      own.push({ file, ...row, column: 'counterparty_id', value: t.counterpartyId, expected: `${ns.counterpartyId}, the counterparty of netting set ${ns.nettingSetId}` });
    }
    if (existing.has(t.tradeId)) own.push({ file, ...row, column: 'trade_id', value: t.tradeId, expected: 'a trade id not already in the portfolio' });
  }
  for (const issue of own) issues.add(issue);

  // The portfolio's trade checks (a trade id used twice in the file, clearing like the netting set, currencies, indices, curves of the market), run on
  // a book holding only the new trades so that every issue names the what-if file; issues about other tables dropped.
  const check = new IssueCollector(200);
  const probe: Portfolio = { ...portfolio, trades, sources: { ...portfolio.sources, trades: filePath } };
  checkPortfolio(probe, market, check, { marketFile: path.basename(marketFile) });
  for (const issue of check.issues) {
    if (issue.file !== file) continue;
    if (issue.column === 'netting_set_id' && own.some((o) => o.row === issue.row && o.column === 'netting_set_id')) continue;
    issues.add(issue);
  }
  // What the pricers on paths refuse and the row alone shows, before the run rather than when the what-if compiles the
  // trade after it. (The book's rows are not refused so at load: the engine lists its unsupported trades when it
  // compiles the sets, where --skip-unsupported can leave them out.)
  for (const t of trades) {
    if (!expiredBeforeDelivery(t, market)) continue;
    issues.add({
      file,
      ...(t.sourceRow !== undefined ? { row: t.sourceRow } : {}),
      column: 'expiry_date',
      value: toIsoDate(t.expiryDate),
      expected: `a date on or after the as-of date ${toIsoDate(market.asOf)}: an FX option that expired before it but delivers after it (maturity_date ${toIsoDate(t.maturityDate)}) cannot be valued, its exercise is not in the trade data (book the exercised forward instead, or leave the option out)`,
    });
  }
  issues.throwIfAny();
  // the rows' own warnings (a rate in percent, a date centuries out) and the market checks' on the what-if file, as a
  // run on the book writes them for its trades
  if (onWarning) for (const w of [...issues.warnings, ...check.warnings.filter((x) => x.file === file)]) onWarning(formatIssue(w));
  return trades;
}
