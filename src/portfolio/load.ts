/**
 * Loads a portfolio folder (docs/inputs.md): finds each table as `.parquet`/`.pq`/`.csv`, reads it, checks its
 * columns and converts every row, collecting ALL problems in the IssueCollector rather than stopping at the first.
 * Cross-references between tables and against the market are checked separately (checks.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaInputError, type IssueCollector } from '../errors.js';
import { findTableFile, readTable } from '../io/read.js';
import { FieldReader, reportUnknownColumns, type TabularFile } from '../io/table.js';
import type { Currency, Trade } from '../products/types.js';
import {
  COLLATERAL_COLUMNS,
  COUNTERPARTY_COLUMNS,
  ELIGIBLE_COLLATERAL_COLUMNS,
  NETTING_SET_COLUMNS,
  REQUIRED_COLLATERAL_COLUMNS,
  REQUIRED_COUNTERPARTY_COLUMNS,
  REQUIRED_ELIGIBLE_COLLATERAL_COLUMNS,
  REQUIRED_NETTING_SET_COLUMNS,
  readCollateralRow,
  readCounterpartyRow,
  readEligibleCollateralRow,
  readNettingSetRow,
} from './bookRows.js';
import { NOTIONAL_SCHEDULE_COLUMNS, REQUIRED_NOTIONAL_SCHEDULE_COLUMNS, checkScheduleOwners, readNotionalSchedules } from './notionalSchedules.js';
import { RATE_SCHEDULE_COLUMNS, REQUIRED_RATE_SCHEDULE_COLUMNS, checkRateScheduleOwners, readRateSchedules } from './rateSchedules.js';
import { REQUIRED_TRADE_COLUMNS, TRADE_COLUMNS, readTradeRow, type NettingSetClearing } from './tradeRows.js';
import type { Portfolio } from './types.js';
import { readReferenceEntities, REFERENCE_ENTITY_COLUMNS } from './referenceEntities.js';

export type PortfolioTableName = 'trades' | 'counterparties' | 'netting_sets' | 'eligible_collateral' | 'collateral' | 'notional_schedules' | 'rate_schedules';

interface TableSpec {
  required: boolean;
  known: readonly string[];
  requiredColumns: readonly string[];
}

export const PORTFOLIO_TABLES: Record<PortfolioTableName, TableSpec> = {
  trades: { required: true, known: TRADE_COLUMNS, requiredColumns: REQUIRED_TRADE_COLUMNS },
  counterparties: { required: true, known: COUNTERPARTY_COLUMNS, requiredColumns: REQUIRED_COUNTERPARTY_COLUMNS },
  netting_sets: { required: true, known: NETTING_SET_COLUMNS, requiredColumns: REQUIRED_NETTING_SET_COLUMNS },
  eligible_collateral: { required: false, known: ELIGIBLE_COLLATERAL_COLUMNS, requiredColumns: REQUIRED_ELIGIBLE_COLLATERAL_COLUMNS },
  collateral: { required: false, known: COLLATERAL_COLUMNS, requiredColumns: REQUIRED_COLLATERAL_COLUMNS },
  notional_schedules: { required: false, known: NOTIONAL_SCHEDULE_COLUMNS, requiredColumns: REQUIRED_NOTIONAL_SCHEDULE_COLUMNS },
  rate_schedules: { required: false, known: RATE_SCHEDULE_COLUMNS, requiredColumns: REQUIRED_RATE_SCHEDULE_COLUMNS },
};

/**
 * A portfolio as loaded, with what the cross-reference checks need to avoid follow-on errors: which tables could be
 * read at all, and every id present in a table, including those of rows left out for their own problems.
 */
export interface LoadedPortfolio extends Portfolio {
  loadedTables: Set<PortfolioTableName>;
  idsPresent: {
    counterparties: Set<string>;
    nettingSets: Set<string>;
    /** counterparty_id of every trades row. */
    tradeCounterparties: Set<string>;
    /** netting_set_id of every trades row. */
    tradeNettingSets?: Set<string>;
  };
}

export interface LoadPortfolioOptions {
  /** The market's base currency: the default `collateral_currency` of netting sets. */
  baseCurrency?: Currency;
}

/** File name of a table as messages show it (relative to the portfolio folder). */
export function tableDisplayName(portfolio: Portfolio, table: PortfolioTableName): string {
  const source = portfolio.sources[table];
  return source ? path.basename(source) : `${table}.csv`;
}

/**
 * Finds and reads one table; records an issue when a required table is missing or the file is unreadable. Returns
 * undefined then, or when the table cannot be used because required columns are missing.
 */
/**
 * The reference data of the book's names (portfolio/referenceEntities.ts): read with the portfolio, but not one of
 * its tables (an amended book copies it as it is).
 */
const REFERENCE_ENTITIES: TableSpec = { required: false, known: REFERENCE_ENTITY_COLUMNS, requiredColumns: ['name', 'kind'] };

async function openTable(
  dir: string,
  name: PortfolioTableName | 'reference_entities',
  issues: IssueCollector,
  sources: Record<string, string>,
): Promise<FieldReader | undefined> {
  const spec = name === 'reference_entities' ? REFERENCE_ENTITIES : PORTFOLIO_TABLES[name];
  let filePath: string | undefined;
  let table: TabularFile | undefined;
  try {
    filePath = findTableFile(dir, name);
    if (filePath !== undefined) {
      table = await readTable(filePath, { displayName: path.basename(filePath) });
    }
  } catch (err) {
    if (err instanceof XvaInputError) {
      for (const issue of err.issues) issues.add(issue);
      return undefined;
    }
    throw err;
  }
  if (filePath === undefined) {
    if (spec.required) {
      issues.add({
        file: dir,
        value: `no ${name} table`,
        expected: `${name}.parquet, ${name}.pq or ${name}.csv in the portfolio folder`,
      });
    }
    return undefined;
  }
  if (table === undefined) return undefined;
  const reader = new FieldReader(table, issues);
  // a known column's name in another case: one error, and its cells read under the name (no knock-on problems)
  reader.readAs(reportUnknownColumns(table, spec.known, issues, { value: 'unknown column(s), ignored', expected: `columns of the ${name} table (docs/inputs.md)`, severity: 'warning' }));
  if (!reader.requireColumns(spec.requiredColumns)) return undefined;
  sources[name] = filePath;
  return reader;
}

/** The non-empty text of `column` in every row (no issues recorded: the row readers report bad cells). */
function idsIn(reader: FieldReader | undefined, column: string): Set<string> {
  const ids = new Set<string>();
  if (!reader) return ids;
  for (let row = 0; row < reader.table.numRows; row++) {
    const id = reader.string(column, row);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

function readRows<T>(reader: FieldReader | undefined, convert: (r: FieldReader, row: number) => T | undefined): T[] {
  const out: T[] = [];
  if (!reader) return out;
  for (let row = 0; row < reader.table.numRows; row++) {
    const value = convert(reader, row);
    if (value !== undefined) out.push(value);
  }
  return out;
}

/**
 * Reads the portfolio folder `dir`. Never throws for bad input: every problem is recorded in `issues`, and rows
 * with problems are left out of the result (call `issues.throwIfAny()` before using it).
 */
export async function loadPortfolio(dir: string, issues: IssueCollector, options: LoadPortfolioOptions = {}): Promise<LoadedPortfolio> {
  const sources: Record<string, string> = {};
  const portfolio: LoadedPortfolio = {
    trades: [],
    counterparties: [],
    nettingSets: [],
    eligibleCollateral: [],
    collateral: [],
    sources,
    loadedTables: new Set(),
    idsPresent: { counterparties: new Set(), nettingSets: new Set(), tradeCounterparties: new Set() },
  };
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    issues.add({ file: dir, value: fs.existsSync(dir) ? 'a file, not a folder' : 'not found', expected: 'a portfolio folder (trades, counterparties, netting_sets tables)' });
    return portfolio;
  }
  const counterparties = await openTable(dir, 'counterparties', issues, sources);
  const nettingSets = await openTable(dir, 'netting_sets', issues, sources);
  const trades = await openTable(dir, 'trades', issues, sources);
  // a trades table with a header and no rows is a mistaken export (a filter that matched nothing), not a book; unless
  // the folder's positions are all in saccr_trades (xva capital's SA-CCR positions, as BCBS 279's commodity example)
  if (trades && trades.table.numRows === 0 && findTableFile(dir, 'saccr_trades') === undefined) {
    issues.add({ file: trades.table.file, value: 'no rows', expected: 'at least one trade (the table has its header only: nothing to value; SA-CCR positions alone go in a saccr_trades table)' });
  }
  const eligible = await openTable(dir, 'eligible_collateral', issues, sources);
  const collateral = await openTable(dir, 'collateral', issues, sources);
  const schedulesTable = await openTable(dir, 'notional_schedules', issues, sources);
  const rateTable = await openTable(dir, 'rate_schedules', issues, sources);

  for (const name of Object.keys(PORTFOLIO_TABLES) as PortfolioTableName[]) if (sources[name]) portfolio.loadedTables.add(name);
  portfolio.idsPresent = {
    counterparties: idsIn(counterparties, 'counterparty_id'),
    nettingSets: idsIn(nettingSets, 'netting_set_id'),
    tradeCounterparties: idsIn(trades, 'counterparty_id'),
    tradeNettingSets: idsIn(trades, 'netting_set_id'),
  };
  portfolio.counterparties = readRows(counterparties, readCounterpartyRow);
  portfolio.nettingSets = readRows(nettingSets, (r, row) => readNettingSetRow(r, row, options.baseCurrency));
  // first occurrence wins for the clearing default; duplicates are reported by checks.ts
  const clearing = new Map<string, NettingSetClearing>();
  for (const ns of portfolio.nettingSets) {
    if (!clearing.has(ns.nettingSetId)) clearing.set(ns.nettingSetId, ns.ccp === undefined ? { cleared: ns.cleared } : { cleared: ns.cleared, ccp: ns.ccp });
  }
  const schedules = schedulesTable ? readNotionalSchedules(schedulesTable) : new Map();
  const rates = rateTable ? readRateSchedules(rateTable) : new Map();
  portfolio.trades = readRows<Trade>(trades, (r, row) =>
    readTradeRow(r, row, { nettingSetClearing: (id) => clearing.get(id), notionalSchedule: (id) => schedules.get(id), rateSchedule: (id) => rates.get(id) }),
  );
  if (schedulesTable) checkScheduleOwners(schedulesTable, schedules, portfolio.trades, idsIn(trades, 'trade_id'));
  if (rateTable) checkRateScheduleOwners(rateTable, rates, portfolio.trades, idsIn(trades, 'trade_id'));
  portfolio.eligibleCollateral = readRows(eligible, readEligibleCollateralRow);
  portfolio.collateral = readRows(collateral, readCollateralRow);
  const entitiesTable = await openTable(dir, 'reference_entities', issues, sources);
  const entities = entitiesTable ? readReferenceEntities(entitiesTable) : undefined;
  if (entities) portfolio.referenceEntities = entities;
  return portfolio;
}
