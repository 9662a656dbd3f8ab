/**
 * The optional `rate_schedules` table (docs/inputs.md, "Step-up rates"): the steps of a fixed rate or a cap/floor
 * strike after the start, one row per step (trade_id, from_date, rate); the trade's own `fixed_rate` or `strike` holds
 * from its start to the first step. Rows are read here and handed to the trades' row reader by trade id (tradeRows.ts
 * checks them against the trade's dates); rows of a trade that is not in the trades table, or whose product takes no
 * stepped rate, are errors on their own row.
 */
import type { DateSerial } from '../conventions/dates.js';
import type { IssueCollector } from '../errors.js';
import type { FieldReader } from '../io/table.js';
import type { RateSteps, Trade } from '../products/types.js';
import { readRate } from './cellBounds.js';
import { checkedStepRows } from './notionalSchedules.js';

export const RATE_SCHEDULE_COLUMNS = ['trade_id', 'from_date', 'rate'] as const;
export const REQUIRED_RATE_SCHEDULE_COLUMNS = RATE_SCHEDULE_COLUMNS;

/** What takes a stepped rate (the message of a row whose trade does not). */
export const STEPPED_RATE_PRODUCTS = 'IRS, OIS and physically settled SWAPTION (their fixed_rate) and CAPFLOOR (its strike)';

/** One trade's rows: 1-based row numbers for messages, in file order. */
export interface RateScheduleRows {
  file: string;
  rows: { row: number; fromDate: DateSerial; rate: number }[];
}

/** Every readable row, grouped by trade id (a row with a bad cell is recorded and left out). */
export function readRateSchedules(r: FieldReader): Map<string, RateScheduleRows> {
  const byTrade = new Map<string, RateScheduleRows>();
  for (let row = 0; row < r.table.numRows; row++) {
    const tradeId = r.string('trade_id', row, { required: true });
    const fromDate = r.date('from_date', row, { required: true });
    const rate = readRate(r, row, 'rate', { required: true, what: 'the fixed rate (or strike) from from_date as a decimal (0.035 = 3.5%)' });
    if (tradeId === undefined || fromDate === undefined || rate === undefined) continue;
    let entry = byTrade.get(tradeId);
    if (!entry) {
      entry = { file: r.table.file, rows: [] };
      byTrade.set(tradeId, entry);
    }
    entry.rows.push({ row: row + 1, fromDate, rate });
  }
  return byTrade;
}

/** The trade takes stepped rates: IRS, OIS, a physically settled swaption, a cap or floor. */
export function takesRateSteps(trade: Trade): boolean {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'CAPFLOOR':
      return true;
    case 'SWAPTION':
      return trade.settlement === 'physical';
    default:
      return false;
  }
}

/** Records each row whose trade is not in `trades` or takes no stepped rate. */
export function checkRateScheduleOwners(r: FieldReader, schedules: ReadonlyMap<string, RateScheduleRows>, trades: readonly Trade[], tradeIdsPresent: ReadonlySet<string>): void {
  const byId = new Map(trades.map((t) => [t.tradeId, t]));
  for (const [tradeId, entry] of schedules) {
    const trade = byId.get(tradeId);
    if (trade !== undefined && takesRateSteps(trade)) continue;
    // a trade whose own row has problems is reported there; its schedule rows are not errors of their own
    if (tradeIdsPresent.has(tradeId) && trade === undefined) continue;
    const expected = trade !== undefined
      ? `rows only for ${STEPPED_RATE_PRODUCTS} trades (trade ${tradeId} is ${trade.product === 'SWAPTION' ? 'a cash-settled SWAPTION: its par-yield cash annuity is a flat-rate swap\'s' : `a ${trade.product}`})`
      : 'the trade_id of a trade in the trades table';
    for (const { row } of entry.rows) r.issues.add({ file: entry.file, row, column: 'trade_id', value: tradeId, expected });
  }
}

/** The trade's steps after its start, sorted by date; problems recorded on the schedule's own rows. */
export function rateSteps(issues: IssueCollector, entry: RateScheduleRows, tradeId: string, start: DateSerial, maturity: DateSerial, what: string): RateSteps | undefined {
  const sorted = checkedStepRows(issues, entry, tradeId, start, maturity, `its ${what} column is the rate from the start`);
  return sorted && { fromDates: sorted.map((s) => s.fromDate), rates: sorted.map((s) => s.rate) };
}
