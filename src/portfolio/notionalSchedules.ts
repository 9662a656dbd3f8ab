/**
 * The optional `notional_schedules` table (docs/inputs.md): the explicit notional steps of swaps whose `amortization`
 * is `schedule`, one row per step after the start (trade_id, from_date, notional). Rows are read here and handed to
 * the trades' row reader by trade id (tradeRows.ts checks them against the trade's dates); rows of a trade that is
 * not in the trades table, or that does not say `schedule`, are errors on their own row.
 */
import { MAX_AMOUNT } from './cellBounds.js';
import { toIsoDate, type DateSerial } from '../conventions/dates.js';
import type { IssueCollector } from '../errors.js';
import type { FieldReader } from '../io/table.js';
import type { Trade } from '../products/types.js';
import { amortisingLeg } from '../products/amortization.js';

export const NOTIONAL_SCHEDULE_COLUMNS = ['trade_id', 'from_date', 'notional'] as const;
export const REQUIRED_NOTIONAL_SCHEDULE_COLUMNS = NOTIONAL_SCHEDULE_COLUMNS;

/** One trade's rows: 1-based row numbers for messages, in file order. */
export interface NotionalScheduleRows {
  file: string;
  rows: { row: number; fromDate: DateSerial; notional: number }[];
}

/** Every readable row, grouped by trade id (a row with a bad cell is recorded and left out). */
export function readNotionalSchedules(r: FieldReader): Map<string, NotionalScheduleRows> {
  const byTrade = new Map<string, NotionalScheduleRows>();
  for (let row = 0; row < r.table.numRows; row++) {
    const tradeId = r.string('trade_id', row, { required: true });
    const fromDate = r.date('from_date', row, { required: true });
    const notional = r.number('notional', row, { required: true, min: 0, max: MAX_AMOUNT, what: 'the notional outstanding from from_date (in the trade currency)' });
    if (tradeId === undefined || fromDate === undefined || notional === undefined) continue;
    let entry = byTrade.get(tradeId);
    if (!entry) {
      entry = { file: r.table.file, rows: [] };
      byTrade.set(tradeId, entry);
    }
    entry.rows.push({ row: row + 1, fromDate, notional });
  }
  return byTrade;
}

/** Records each row whose trade is not in `trades` or does not amortise by `schedule`. */
export function checkScheduleOwners(r: FieldReader, schedules: ReadonlyMap<string, NotionalScheduleRows>, trades: readonly Trade[], tradeIdsPresent: ReadonlySet<string>): void {
  const scheduled = new Set(trades.filter((t) => amortisingLeg(t)?.amortization?.kind === 'schedule').map((t) => t.tradeId));
  const read = new Set(trades.map((t) => t.tradeId));
  for (const [tradeId, entry] of schedules) {
    if (scheduled.has(tradeId)) continue;
    // a trade whose own row has problems is reported there; its schedule rows are not errors of their own
    if (tradeIdsPresent.has(tradeId) && !read.has(tradeId)) continue;
    const expected = tradeIdsPresent.has(tradeId)
      ? `rows only for trades whose amortization is schedule (trade ${tradeId} says otherwise)`
      : 'the trade_id of a trade in the trades table';
    for (const { row } of entry.rows) r.issues.add({ file: entry.file, row, column: 'trade_id', value: tradeId, expected });
  }
}

/** The trade's steps after its start, sorted by date; problems recorded on the schedule's own rows. */
export function scheduleSteps(
  issues: IssueCollector,
  entry: NotionalScheduleRows,
  tradeId: string,
  start: DateSerial,
  maturity: DateSerial,
): { fromDates: DateSerial[]; notionals: number[] } | undefined {
  const sorted = checkedStepRows(issues, entry, tradeId, start, maturity, 'its notional column is the notional from the start');
  return sorted && { fromDates: sorted.map((s) => s.fromDate), notionals: sorted.map((s) => s.notional) };
}

/**
 * A step table's rows of one trade sorted by date, each dated after the trade's start and before its maturity, one
 * per date; undefined when a row is wrong (recorded on the row). `fromStart` says what holds before the first step.
 */
export function checkedStepRows<R extends { row: number; fromDate: DateSerial }>(
  issues: IssueCollector,
  entry: { file: string; rows: R[] },
  tradeId: string,
  start: DateSerial,
  maturity: DateSerial,
  fromStart: string,
): R[] | undefined {
  const sorted = [...entry.rows].sort((a, b) => a.fromDate - b.fromDate || a.row - b.row);
  let ok = true;
  for (let i = 0; i < sorted.length; i++) {
    const { row, fromDate } = sorted[i]!;
    if (!(fromDate > start && fromDate < maturity)) {
      issues.add({
        file: entry.file,
        row,
        column: 'from_date',
        value: toIsoDate(fromDate),
        expected: `a date after the start_date ${toIsoDate(start)} and before the maturity_date ${toIsoDate(maturity)} of trade ${tradeId} (${fromStart})`,
      });
      ok = false;
    }
    if (i > 0 && sorted[i - 1]!.fromDate === fromDate) {
      issues.add({ file: entry.file, row, column: 'from_date', value: toIsoDate(fromDate), expected: `one row per date of trade ${tradeId} (also row ${sorted[i - 1]!.row})` });
      ok = false;
    }
  }
  return ok ? sorted : undefined;
}
