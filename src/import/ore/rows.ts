/**
 * The tables an ORE import produces, with exactly the columns of the portfolio folder contract (docs/inputs.md,
 * docs/inputs.md): one row object per table row keyed by column name, turned into column-major tables for the
 * writer. Dates are day serials (conventions/dates.ts); null = not applicable / the loader's default.
 */

export type CellValue = string | number | boolean | null;
export type ColumnType = 'utf8' | 'float64' | 'int32' | 'bool' | 'date';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

function columns<const T extends readonly ColumnSpec[]>(specs: T): T {
  return specs;
}

export const TRADE_COLUMNS = columns([
  { name: 'trade_id', type: 'utf8' },
  { name: 'counterparty_id', type: 'utf8' },
  { name: 'netting_set_id', type: 'utf8' },
  { name: 'product', type: 'utf8' },
  { name: 'direction', type: 'utf8' },
  { name: 'currency', type: 'utf8' },
  { name: 'notional', type: 'float64' },
  { name: 'currency2', type: 'utf8' },
  { name: 'notional2', type: 'float64' },
  { name: 'start_date', type: 'date' },
  { name: 'maturity_date', type: 'date' },
  { name: 'fixed_rate', type: 'float64' },
  { name: 'fixed_frequency', type: 'utf8' },
  { name: 'fixed_day_count', type: 'utf8' },
  { name: 'float_index', type: 'utf8' },
  { name: 'float_frequency', type: 'utf8' },
  { name: 'float_day_count', type: 'utf8' },
  { name: 'float_spread_bp', type: 'float64' },
  { name: 'fixed_rate2', type: 'float64' },
  { name: 'float_index2', type: 'utf8' },
  { name: 'float_spread_bp2', type: 'float64' },
  { name: 'notional_exchange', type: 'utf8' },
  { name: 'strike', type: 'float64' },
  { name: 'near_rate', type: 'float64' },
  { name: 'option_type', type: 'utf8' },
  { name: 'expiry_date', type: 'date' },
  { name: 'settlement', type: 'utf8' },
  { name: 'underlying', type: 'utf8' },
  { name: 'quantity', type: 'float64' },
  { name: 'reference_entity', type: 'utf8' },
  { name: 'cleared', type: 'bool' },
  { name: 'ccp', type: 'utf8' },
  { name: 'business_day_convention', type: 'utf8' },
  { name: 'calendar', type: 'utf8' },
  { name: 'stub', type: 'utf8' },
  { name: 'end_of_month', type: 'bool' },
  // written only when a trade amortises / is geared (index.ts), so that other imports keep the columns they had
  { name: 'amortization', type: 'utf8' },
  { name: 'float_gearing', type: 'float64' },
  // BASIS: leg 2's own frequency and day count; written only when a basis swap is imported (index.ts)
  { name: 'float_frequency2', type: 'utf8' },
  { name: 'float_day_count2', type: 'utf8' },
]);

/**
 * SWAPTION: `bermudan` for a Bermudan swaption (docs/inputs.md; blank = european). Kept out of TRADE_COLUMNS: a row
 * holds the key only when its swaption is Bermudan, and the column is written only when some imported trade is
 * (index.ts), so that other imports keep the columns (and rows) they had.
 */
export const EXERCISE_COLUMN = { name: 'exercise', type: 'utf8' } as const satisfies ColumnSpec;

/**
 * XCCY: `leg1` or `leg2` for a mark-to-market (resetting) cross-currency swap, the leg whose notional resets (docs/
 * inputs.md; blank = none). Kept out of TRADE_COLUMNS like `exercise`: only a resetting swap's row holds the key, and
 * the column is written only when some imported trade resets (index.ts).
 */
export const FX_RESET_COLUMN = { name: 'fx_reset', type: 'utf8' } as const satisfies ColumnSpec;

/**
 * IRS, OIS, BASIS, XCCY: the ORE legs' `PaymentLag` in business days of the row's calendar (docs/inputs.md; blank =
 * 0). Kept out of TRADE_COLUMNS like `exercise`: only a row that pays late holds the key, and the column is written
 * only when some imported trade does (index.ts).
 */
export const PAYMENT_LAG_COLUMN = { name: 'payment_lag_days', type: 'int32' } as const satisfies ColumnSpec;

/**
 * CDS: ORE's `TradeDate` (docs/inputs.md `trade_date`: the accrued rebate at cash settlement belongs to the value while
 * still to come). Kept out of TRADE_COLUMNS like `payment_lag_days`: written only when some imported CDS has one.
 */
export const TRADE_DATE_COLUMN = { name: 'trade_date', type: 'date' } as const satisfies ColumnSpec;

/**
 * IRS, OIS, BASIS, XCCY: the overnight legs' ORE `Lookback` (business days, with ORE's observation period shift),
 * `FixingDays` (business days, without) and `RateCutoff` (docs/inputs.md "Overnight lookback, observation shift and
 * lockout"; blank = 0, no shift). Kept out of TRADE_COLUMNS like `payment_lag_days`: only a row that looks back or
 * locks out holds the keys, and the columns are written only when some imported trade does (index.ts), in the order
 * portfolio/writeRows.ts writes them.
 */
export const OVERNIGHT_COMPOUNDING_COLUMNS = columns([
  { name: 'float_lookback_days', type: 'int32' },
  { name: 'float_observation_shift', type: 'bool' },
  { name: 'float_lockout_days', type: 'int32' },
]);

export const NOTIONAL_SCHEDULE_COLUMNS = columns([
  { name: 'trade_id', type: 'utf8' },
  { name: 'from_date', type: 'date' },
  { name: 'notional', type: 'float64' },
]);

export const RATE_SCHEDULE_COLUMNS = columns([
  { name: 'trade_id', type: 'utf8' },
  { name: 'from_date', type: 'date' },
  { name: 'rate', type: 'float64' },
]);

export const COUNTERPARTY_COLUMNS = columns([
  { name: 'counterparty_id', type: 'utf8' },
  { name: 'name', type: 'utf8' },
  { name: 'sector', type: 'utf8' },
  { name: 'rating', type: 'utf8' },
  { name: 'region', type: 'utf8' },
  { name: 'cds_curve', type: 'utf8' },
  { name: 'recovery', type: 'float64' },
  { name: 'qccp', type: 'bool' },
  { name: 'risk_weight', type: 'float64' },
]);

export const NETTING_SET_COLUMNS = columns([
  { name: 'netting_set_id', type: 'utf8' },
  { name: 'counterparty_id', type: 'utf8' },
  { name: 'csa', type: 'bool' },
  { name: 'threshold_cpty', type: 'float64' },
  { name: 'threshold_bank', type: 'float64' },
  { name: 'mta_cpty', type: 'float64' },
  { name: 'mta_bank', type: 'float64' },
  { name: 'independent_amount_cpty', type: 'float64' },
  { name: 'independent_amount_bank', type: 'float64' },
  { name: 'rounding', type: 'float64' },
  { name: 'margin_period_of_risk_days', type: 'int32' },
  { name: 'margin_frequency_days', type: 'int32' },
  { name: 'im_model', type: 'utf8' },
  { name: 'collateral_currency', type: 'utf8' },
  { name: 'cleared', type: 'bool' },
  { name: 'ccp', type: 'utf8' },
  { name: 'calculate_vm', type: 'bool' },
]);

export const ELIGIBLE_COLLATERAL_COLUMNS = columns([
  { name: 'netting_set_id', type: 'utf8' },
  { name: 'asset_type', type: 'utf8' },
  { name: 'currency', type: 'utf8' },
  { name: 'haircut_pct', type: 'float64' },
  { name: 'margin_type', type: 'utf8' },
]);

type RowOf<T extends readonly ColumnSpec[]> = { [K in T[number]['name']]: CellValue };
export type TradeRow = RowOf<typeof TRADE_COLUMNS> & {
  exercise?: 'bermudan';
  payment_lag_days?: number;
  trade_date?: number;
  fx_reset?: 'leg1' | 'leg2';
  float_lookback_days?: number;
  float_observation_shift?: boolean;
  float_lockout_days?: number;
};
export type CounterpartyRow = RowOf<typeof COUNTERPARTY_COLUMNS>;
export type NettingSetRow = RowOf<typeof NETTING_SET_COLUMNS>;
export type EligibleCollateralRow = RowOf<typeof ELIGIBLE_COLLATERAL_COLUMNS>;
export type NotionalScheduleRow = RowOf<typeof NOTIONAL_SCHEDULE_COLUMNS>;
export type RateScheduleRow = RowOf<typeof RATE_SCHEDULE_COLUMNS>;

/** A row with every column null. */
export function emptyRow<T extends readonly ColumnSpec[]>(specs: T): RowOf<T> {
  const row: Record<string, CellValue> = {};
  for (const s of specs) row[s.name] = null;
  return row as RowOf<T>;
}

/** Column-major form of a table, shaped like io/write.ts's OutputTable. */
export interface ColumnTable {
  columns: { name: string; type: ColumnType; values: CellValue[] }[];
  metadata?: Record<string, string>;
}

export function toColumnTable<T extends readonly ColumnSpec[]>(
  specs: T,
  // (a key a row leaves out is null: a trade row's `exercise`, `payment_lag_days`, `fx_reset` or overnight compounding)
  rows: readonly Partial<RowOf<T>>[],
  metadata?: Record<string, string>,
): ColumnTable {
  return {
    columns: specs.map((s) => ({
      name: s.name,
      type: s.type,
      values: rows.map((r) => (r as Record<string, CellValue>)[s.name] ?? null),
    })),
    ...(metadata ? { metadata } : {}),
  };
}
