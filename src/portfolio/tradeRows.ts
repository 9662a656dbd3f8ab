/**
 * One row of the trades table → one Trade, per product: the columns each product requires, the defaults of
 * docs/inputs.md, the values allowed, and the order of its dates. Every problem is recorded in the collector with
 * file, row, column and value; a row with any problem yields no trade (the run stops before pricing anyway).
 */
import { FREQUENCIES, toIsoDate, toYmd, type DateSerial, type Frequency } from '../conventions/dates.js';
import type { FieldReader } from '../io/table.js';
import { MAX_AMOUNT, readRate } from './cellBounds.js';
import { scheduleSteps, type NotionalScheduleRows } from './notionalSchedules.js';
import { rateSteps, type RateScheduleRows } from './rateSchedules.js';
import { warnIdleSteps, type SteppedLeg } from './idleSteps.js';
import { proportionalAmortization } from '../products/amortization.js';
import { isTermIndex } from '../products/capFloor.js';
import { overnightRateCount, overnightSwapLegs } from '../products/overnightCoupon.js';
import { buildSchedule } from '../conventions/schedule.js';
import { adjust } from '../conventions/calendar.js';
import { calendarNamed } from '../conventions/holidays.js';
import { CALENDAR_EXPECTED, WEEKENDS_ONLY, calendarYears, canonicalCalendarName } from '../conventions/holidays.js';
import {
  AMORTIZATION_KINDS,
  BUSINESS_DAY_CONVENTIONS,
  CURRENCIES,
  DAY_COUNTS,
  PRODUCTS,
  STUBS,
  type AmortizationTerms,
  type CrossCurrencySwap,
  type Currency,
  type DayCount,
  type FixedLeg,
  type FloatLeg,
  type RateSteps,
  type ScheduleTerms,
  type SwapLeg,
  type Trade,
  type TradeBase,
} from '../products/types.js';

/** Every column the loader reads from the trades table (others are reported as ignored). */
export const TRADE_COLUMNS = [
  'trade_id',
  'counterparty_id',
  'netting_set_id',
  'product',
  'direction',
  'currency',
  'notional',
  'currency2',
  'notional2',
  'start_date',
  'maturity_date',
  'fixed_rate',
  'fixed_frequency',
  'fixed_day_count',
  'float_index',
  'float_frequency',
  'float_day_count',
  'float_spread_bp',
  'fixed_rate2',
  'float_index2',
  'float_spread_bp2',
  'notional_exchange',
  'strike',
  'near_rate',
  'option_type',
  'expiry_date',
  'settlement',
  'underlying',
  'quantity',
  'reference_entity',
  'cleared',
  'ccp',
  'business_day_convention',
  'calendar',
  'stub',
  'end_of_month',
  'amortization',
  'amortization_amount',
  'amortization_frequency',
  'float_gearing',
  'float_frequency2',
  'float_day_count2',
  'exercise',
  'fx_reset',
  'payment_lag_days',
  'float_lookback_days',
  'float_observation_shift',
  'float_lockout_days',
  'trade_date',
] as const;

/** Columns every trades table must have, whatever its products. */
export const REQUIRED_TRADE_COLUMNS = ['trade_id', 'counterparty_id', 'netting_set_id', 'product', 'direction', 'currency'] as const;

/** What a trade row inherits from its netting set when its own `cleared`/`ccp` cells are blank. */
export interface NettingSetClearing {
  cleared: boolean;
  ccp?: string;
}

export interface TradeRowContext {
  nettingSetClearing(nettingSetId: string): NettingSetClearing | undefined;
  /** The rows of the notional_schedules table for a trade (absent: the reader has no such table, e.g. a what-if file). */
  notionalSchedule?(tradeId: string): NotionalScheduleRows | undefined;
  /** The rows of the rate_schedules table for a trade (absent: the reader has no such table). */
  rateSchedule?(tradeId: string): RateScheduleRows | undefined;
}

/**
 * A step-up rate's steps from the rate_schedules rows of the trade (undefined: none, or a row is wrong, recorded on
 * the row); `what` names the column the steps follow from the start (fixed_rate, strike).
 */
function readRateSteps(r: FieldReader, tradeId: string, dates: { start?: DateSerial; end?: DateSerial }, context: TradeRowContext, what: string): RateSteps | undefined {
  const entry = context.rateSchedule?.(tradeId);
  if (entry === undefined || entry.rows.length === 0 || dates.start === undefined || dates.end === undefined) return undefined;
  return rateSteps(r.issues, entry, tradeId, dates.start, dates.end, what);
}

/** What else reads a notional step than the coupons (products/amortization.ts averageNotional, outstandingNotional). */
const NOTIONAL_STEP_READERS = " on a coupon (only SA-CCR's average notional over the remaining life and the notional outstanding on a date read it)";

/**
 * Warnings on the trade's step rows that no coupon period takes (idleSteps.ts): its rate_schedules rows when it has
 * `rateSteps` (on `rateLegs`, stepping `what`), its notional_schedules rows when it amortises by `schedule` (on
 * `notionalLegs`, which all take the notional of their accrual start).
 */
function warnIdleStepRows(
  r: FieldReader,
  tradeId: string,
  context: TradeRowContext,
  rate: { steps: RateSteps | undefined; legs: SteppedLeg[]; what: string },
  notional: { amortization: AmortizationTerms | undefined; legs: SteppedLeg[] },
): void {
  const rateRows = rate.steps !== undefined ? context.rateSchedule?.(tradeId) : undefined;
  if (rateRows !== undefined) warnIdleSteps(r.issues, rateRows, tradeId, rate.legs, rate.what);
  const notionalRows = notional.amortization?.kind === 'schedule' ? context.notionalSchedule?.(tradeId) : undefined;
  if (notionalRows !== undefined) warnIdleSteps(r.issues, notionalRows, tradeId, notional.legs, 'notional', NOTIONAL_STEP_READERS);
}

const REQUIRED = { required: true } as const;
const ENUM = { ignoreCase: true } as const;
const REQUIRED_ENUM = { required: true, ignoreCase: true } as const;
const SWAP_DIRECTIONS = ['pay', 'receive'] as const;
const BUY_SELL = ['buy', 'sell'] as const;

/** Records "`column`: value: expected a date after/on or after/on or before `refColumn` ref". */
function checkOrder(
  r: FieldReader,
  row: number,
  column: string,
  date: DateSerial | undefined,
  relation: 'after' | 'on or after' | 'on or before',
  refColumn: string,
  refDate: DateSerial | undefined,
): void {
  if (date === undefined || refDate === undefined) return;
  const ok = relation === 'after' ? date > refDate : relation === 'on or after' ? date >= refDate : date <= refDate;
  if (!ok) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column,
      value: toIsoDate(date),
      expected: `a date ${relation} ${refColumn} ${toIsoDate(refDate)}`,
    });
  }
}

function currency(r: FieldReader, row: number, column: string): Currency | undefined {
  return r.oneOf(column, row, CURRENCIES, REQUIRED_ENUM);
}

function otherCurrency(r: FieldReader, row: number, first: Currency | undefined): Currency | undefined {
  const second = currency(r, row, 'currency2');
  if (second !== undefined && second === first) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column: 'currency2',
      value: second,
      expected: `a currency other than currency ${first}`,
    });
    return undefined;
  }
  return second;
}


function amount(r: FieldReader, row: number, column: string): number | undefined {
  return r.number(column, row, { required: true, positive: true, max: MAX_AMOUNT, what: 'an amount' });
}

function rate(r: FieldReader, row: number, column: string, required: boolean): number | undefined {
  return readRate(r, row, column, { required });
}

/** Above it a gearing is a typo (a leveraged swap pays a few times the index): a warning; above MAX_GEARING an error. */
const PLAUSIBLE_GEARING = 10;
const MAX_GEARING = 1000;

/** `float_gearing` (blank: 1): positive, at most MAX_GEARING, warned above PLAUSIBLE_GEARING. */
function readGearing(r: FieldReader, row: number, what: string): number | undefined {
  const value = r.number('float_gearing', row, { positive: true, max: MAX_GEARING, what });
  if (value !== undefined && value > PLAUSIBLE_GEARING) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'float_gearing', value: String(value), expected: `${what}: ${value} times the index is beyond any leveraged swap (at most ${PLAUSIBLE_GEARING} expected)`, severity: 'warning' });
  }
  return value;
}

function price(r: FieldReader, row: number, column: string): number | undefined {
  return r.number(column, row, { required: true, positive: true, max: MAX_AMOUNT, what: 'a price' });
}

/** Above it (in absolute value) a spread in bp is a typo: a warning; above MAX_SPREAD_BP an error. */
const PLAUSIBLE_SPREAD_BP = 1000;
const MAX_SPREAD_BP = 100_000;

/** A floating leg's spread in basis points (blank: 0), warned above 1,000bp (10%) and refused above 100,000bp. */
function readSpreadBp(r: FieldReader, row: number, column: string): number {
  const value = r.number(column, row, { min: -MAX_SPREAD_BP, max: MAX_SPREAD_BP, what: 'a spread in basis points' });
  if (value !== undefined && Math.abs(value) > PLAUSIBLE_SPREAD_BP) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column,
      value: String(value),
      expected: `a spread in basis points (25 = 0.25%): ${value} is ${(value / 100).toPrecision(4)}%`,
      severity: 'warning',
    });
  }
  return value ?? 0;
}

/** Convention columns of a row, read once (so that a bad value is reported once even when two legs use it). */
interface RowConventions {
  fixedFrequency?: Frequency;
  fixedDayCount?: DayCount;
  floatFrequency?: Frequency;
  floatDayCount?: DayCount;
  businessDayConvention: ScheduleTerms['businessDayConvention'];
  calendar?: string;
  stub: ScheduleTerms['stub'];
  endOfMonth: boolean;
  /** `payment_lag_days` (> 0; IRS, OIS, BASIS and XCCY only: checked in readTradeRow). */
  paymentLagDays?: number;
  /** Overnight legs' compounding (products/overnightCoupon.ts; checked in checkOvernightTerms). */
  lookbackDays?: number;
  observationShift?: boolean;
  lockoutDays?: number;
}

function readConventions(r: FieldReader, row: number): RowConventions {
  return {
    fixedFrequency: r.oneOf('fixed_frequency', row, FREQUENCIES, ENUM),
    fixedDayCount: r.oneOf('fixed_day_count', row, DAY_COUNTS, ENUM),
    floatFrequency: r.oneOf('float_frequency', row, FREQUENCIES, ENUM),
    floatDayCount: r.oneOf('float_day_count', row, DAY_COUNTS, ENUM),
    businessDayConvention: r.oneOf('business_day_convention', row, BUSINESS_DAY_CONVENTIONS, ENUM) ?? 'MF',
    calendar: holidayCalendar(r.parsed('calendar', row, canonicalCalendarName, CALENDAR_EXPECTED)),
    stub: r.oneOf('stub', row, STUBS, ENUM) ?? 'short_front',
    endOfMonth: r.boolean('end_of_month', row) ?? false,
    paymentLagDays: r.number('payment_lag_days', row, { min: 0, max: 30, integer: true, what: 'a whole number of business days from 0 to 30' }),
    lookbackDays: r.number('float_lookback_days', row, { min: 0, max: MAX_LOOKBACK_DAYS, integer: true, what: `a whole number of business days from 0 to ${MAX_LOOKBACK_DAYS}` }),
    observationShift: r.boolean('float_observation_shift', row),
    lockoutDays: r.number('float_lockout_days', row, { min: 0, max: MAX_LOOKBACK_DAYS, integer: true, what: `a whole number of business days from 0 to ${MAX_LOOKBACK_DAYS}` }),
  };
}

/** The most business days `float_lookback_days` and `float_lockout_days` hold (market practice is 2 to 5). */
export const MAX_LOOKBACK_DAYS = 10;

/** A calendar cell's canonical name; weekends only (blank or `weekends`) is no calendar term at all. */
function holidayCalendar(name: string | undefined): string | undefined {
  return name === WEEKENDS_ONLY ? undefined : name;
}

/** Schedule terms of a leg; defaults of docs/inputs.md: fixed legs annual 30/360, floating legs quarterly ACT/360. */
function scheduleTerms(c: RowConventions, kind: 'fixed' | 'float', startDate: DateSerial, maturityDate: DateSerial): ScheduleTerms {
  const fixed = kind === 'fixed';
  return {
    startDate,
    maturityDate,
    frequency: (fixed ? c.fixedFrequency : c.floatFrequency) ?? (fixed ? '1Y' : '3M'),
    dayCount: (fixed ? c.fixedDayCount : c.floatDayCount) ?? (fixed ? '30/360' : 'ACT/360'),
    businessDayConvention: c.businessDayConvention,
    ...(c.calendar !== undefined ? { calendar: c.calendar } : {}),
    stub: c.stub,
    endOfMonth: c.endOfMonth,
    ...(c.paymentLagDays ? { paymentLagDays: c.paymentLagDays } : {}),
  };
}

function fixedLeg(c: RowConventions, ccy: Currency, notional: number, fixedRate: number, start: DateSerial, end: DateSerial): FixedLeg {
  return { kind: 'fixed', currency: ccy, notional, fixedRate, ...scheduleTerms(c, 'fixed', start, end) };
}

function floatLeg(
  c: RowConventions,
  ccy: Currency,
  notional: number,
  floatIndex: string,
  spreadBp: number,
  start: DateSerial,
  end: DateSerial,
): FloatLeg {
  return { kind: 'float', currency: ccy, notional, floatIndex, spreadBp, ...scheduleTerms(c, 'float', start, end), ...(isTermIndex(floatIndex) ? {} : overnightTerms(c)) };
}

/** An overnight leg's lookback, shift and lockout from the row (none of them: plain compounding in arrears). */
function overnightTerms(c: RowConventions): Pick<FloatLeg, 'lookbackDays' | 'observationShift' | 'lockoutDays'> {
  return {
    ...(c.lookbackDays ? { lookbackDays: c.lookbackDays } : {}),
    ...(c.lookbackDays && c.observationShift ? { observationShift: true } : {}),
    ...(c.lockoutDays ? { lockoutDays: c.lockoutDays } : {}),
  };
}

/** start_date and maturity_date, both required, maturity strictly after start. */
function swapDates(r: FieldReader, row: number): { start?: DateSerial; end?: DateSerial } {
  const start = r.date('start_date', row, REQUIRED);
  const end = r.date('maturity_date', row, REQUIRED);
  checkOrder(r, row, 'maturity_date', end, 'after', 'start_date', start);
  return { start, end };
}

const AMORTIZATION_VALUES = ['none', ...AMORTIZATION_KINDS] as const;
const AMORTIZATION_COLUMNS = ['amortization', 'amortization_amount', 'amortization_frequency'] as const;

/**
 * An IRS/OIS/XCCY row's amortisation (docs/inputs.md): `amortization` none (blank), linear, fixed_amount or schedule;
 * the amount (fixed_amount only, > 0 and at most the notional); the frequency (linear and fixed_amount; default
 * `defaultFrequency`: the fixed leg's, an XCCY's leg 1's); the steps of a schedule from the notional_schedules rows of
 * the trade. Undefined for a bullet swap or when a cell is wrong (recorded).
 */
function readAmortization(
  r: FieldReader,
  row: number,
  defaultFrequency: Frequency,
  tradeId: string,
  notional: number | undefined,
  dates: { start?: DateSerial; end?: DateSerial },
  context: TradeRowContext,
): AmortizationTerms | undefined {
  const kind = r.oneOf('amortization', row, AMORTIZATION_VALUES, ENUM) ?? 'none';
  const frequencyCell = r.oneOf('amortization_frequency', row, FREQUENCIES, ENUM);
  if (kind === 'none') {
    refuseAmortizationCells(r, row, 'a bullet swap (amortization none or blank)', ['amortization_amount', 'amortization_frequency']);
    return undefined;
  }
  if (kind === 'schedule') {
    refuseAmortizationCells(r, row, 'amortization schedule (the steps are the rows of notional_schedules)', ['amortization_amount', 'amortization_frequency']);
    const entry = context.notionalSchedule?.(tradeId);
    if (entry === undefined || entry.rows.length === 0) {
      r.issues.add({
        file: r.table.file,
        row: row + 1,
        column: 'amortization',
        value: 'schedule',
        expected: context.notionalSchedule
          ? `rows for trade ${tradeId} in the notional_schedules table beside the trades table (trade_id, from_date, notional)`
          : 'linear or fixed_amount here (a single trades file has no notional_schedules table: give a folder holding both)',
      });
      return undefined;
    }
    if (dates.start === undefined || dates.end === undefined) return undefined;
    const steps = scheduleSteps(r.issues, entry, tradeId, dates.start, dates.end);
    return steps && { kind, ...steps };
  }
  const frequency = frequencyCell ?? defaultFrequency;
  if (kind === 'linear') {
    refuseAmortizationCells(r, row, 'amortization linear (equal repayments: no amount)', ['amortization_amount']);
    return { kind, frequency };
  }
  const amount = r.number('amortization_amount', row, { required: true, positive: true, what: 'the notional repaid on each amortisation date, in the currency' });
  if (amount === undefined) return undefined;
  if (notional !== undefined && amount > notional) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'amortization_amount', value: String(amount), expected: `at most the notional ${notional}` });
    return undefined;
  }
  return { kind, frequency, amount };
}

/** A gearing other than 1 on a product without a geared floating leg (IRS and OIS have one). */
function refuseGearing(r: FieldReader, row: number, product: string): void {
  if (!r.has('float_gearing')) return;
  const cell = r.cell('float_gearing', row);
  if (cell === null || (typeof cell === 'string' && cell.trim() === '') || Number(cell) === 1) return;
  r.issues.add({ file: r.table.file, row: row + 1, column: 'float_gearing', value: String(cell).trim(), expected: `blank or 1 for ${product}: geared floating legs are supported for IRS, OIS and CAPFLOOR only` });
}

/** Records each of `columns` that has a value on a row whose product or amortisation takes none. */
function refuseAmortizationCells(r: FieldReader, row: number, context: string, columns: readonly string[]): void {
  for (const column of columns) {
    if (!r.has(column)) continue;
    const cell = r.cell(column, row);
    if (cell === null || (typeof cell === 'string' && cell.trim() === '')) continue;
    if (column === 'amortization' && String(cell).trim().toLowerCase() === 'none') continue;
    r.issues.add({ file: r.table.file, row: row + 1, column, value: String(cell).trim(), expected: `blank${column === 'amortization' ? ' or none' : ''} for ${context}` });
  }
}

function readIrs(r: FieldReader, row: number, c: RowConventions, base: TradeBase, product: 'IRS' | 'OIS', context: TradeRowContext): Trade | undefined {
  const direction = r.oneOf('direction', row, SWAP_DIRECTIONS, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const { start, end } = swapDates(r, row);
  const fixedRate = rate(r, row, 'fixed_rate', true);
  const floatIndex = r.string('float_index', row, REQUIRED);
  const spreadBp = readSpreadBp(r, row, 'float_spread_bp');
  const gearing = readGearing(r, row, 'the multiplier of the index in the floating coupon (1 = unleveraged)');
  const errorsBefore = r.issues.errorCount;
  const amortization = readAmortization(r, row, c.fixedFrequency ?? '1Y', base.tradeId, notional, { start, end }, context);
  const steps = readRateSteps(r, base.tradeId, { start, end }, context, 'fixed_rate');
  if (r.issues.errorCount > errorsBefore) return undefined;
  if (!direction || !ccy || notional === undefined || start === undefined || end === undefined) return undefined;
  if (fixedRate === undefined || floatIndex === undefined) return undefined;
  const fixed = fixedLeg(c, ccy, notional, fixedRate, start, end);
  if (steps !== undefined) fixed.rateSteps = steps;
  const float = floatLeg(c, ccy, notional, floatIndex, spreadBp, start, end);
  // both legs carry the same terms, so their notional steps are the same (products/amortization.ts)
  if (amortization !== undefined) {
    fixed.amortization = amortization;
    float.amortization = amortization;
  }
  if (gearing !== undefined && gearing !== 1) float.gearing = gearing;
  const swapLegs = [{ name: 'fixed leg', terms: fixed }, { name: 'floating leg', terms: float }];
  warnIdleStepRows(r, base.tradeId, context, { steps, legs: [swapLegs[0]!], what: 'fixed rate' }, { amortization, legs: swapLegs });
  return { ...base, product, direction, fixedLeg: fixed, floatLeg: float };
}

/** One XCCY leg: fixed when its fixed-rate column is set, else floating on its index (then required). */
function xccyLeg(
  r: FieldReader,
  row: number,
  c: RowConventions,
  columns: { rate: string; index: string; spread: string },
  ccy: Currency,
  notional: number,
  start: DateSerial,
  end: DateSerial,
): SwapLeg | undefined {
  const fixedRate = rate(r, row, columns.rate, false);
  if (fixedRate !== undefined) return fixedLeg(c, ccy, notional, fixedRate, start, end);
  if (r.string(columns.rate, row) !== undefined) return undefined; // a bad rate, already reported
  const floatIndex = r.string(columns.index, row);
  if (floatIndex === undefined) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column: columns.index,
      expected: `a float index, or a fixed rate in ${columns.rate}, for an XCCY leg`,
    });
    return undefined;
  }
  const spreadBp = readSpreadBp(r, row, columns.spread);
  return floatLeg(c, ccy, notional, floatIndex, spreadBp, start, end);
}

/**
 * A single-currency basis swap (docs/inputs.md): leg 1 on `float_index` (+ `float_spread_bp`, `float_frequency`,
 * `float_day_count`), leg 2 on `float_index2` (+ `float_spread_bp2`, `float_frequency2`, `float_day_count2`, default
 * leg 1's), both on `notional` and the row's dates and schedule conventions; the indices must differ.
 */
function readBasis(r: FieldReader, row: number, c: RowConventions, base: TradeBase): Trade | undefined {
  const direction = r.oneOf('direction', row, SWAP_DIRECTIONS, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const { start, end } = swapDates(r, row);
  const index1 = r.string('float_index', row, REQUIRED);
  const index2 = r.string('float_index2', row, REQUIRED);
  if (index1 !== undefined && index2 !== undefined && index1 === index2) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'float_index2', value: index2, expected: `an index other than float_index ${index1} (a basis swap pays one index against another)` });
  }
  const spread1 = readSpreadBp(r, row, 'float_spread_bp');
  const spread2 = readSpreadBp(r, row, 'float_spread_bp2');
  const frequency2 = r.oneOf('float_frequency2', row, FREQUENCIES, ENUM);
  const dayCount2 = r.oneOf('float_day_count2', row, DAY_COUNTS, ENUM);
  if (!direction || !ccy || notional === undefined || start === undefined || end === undefined || index1 === undefined || index2 === undefined) return undefined;
  const leg1 = floatLeg(c, ccy, notional, index1, spread1, start, end);
  const leg2 = floatLeg(c, ccy, notional, index2, spread2, start, end);
  if (frequency2 !== undefined) leg2.frequency = frequency2;
  if (dayCount2 !== undefined) leg2.dayCount = dayCount2;
  return { ...base, product: 'BASIS', direction, leg1, leg2 };
}

/** Records float_frequency2 / float_day_count2 given on a row whose product has no second floating leg of its own. */
function refuseLeg2Conventions(r: FieldReader, row: number, product: string): void {
  for (const column of ['float_frequency2', 'float_day_count2']) {
    if (!r.has(column)) continue;
    const cell = r.cell(column, row);
    if (cell === null || (typeof cell === 'string' && cell.trim() === '')) continue;
    r.issues.add({ file: r.table.file, row: row + 1, column, value: String(cell).trim(), expected: `blank for ${product}: a second floating leg's own frequency and day count (BASIS, and XCCY with a floating leg 2)` });
  }
}

function readXccy(r: FieldReader, row: number, c: RowConventions, base: TradeBase, context: TradeRowContext): Trade | undefined {
  const direction = r.oneOf('direction', row, SWAP_DIRECTIONS, REQUIRED_ENUM);
  const ccy1 = currency(r, row, 'currency');
  const notional1 = amount(r, row, 'notional');
  const ccy2 = otherCurrency(r, row, ccy1);
  const notional2 = amount(r, row, 'notional2');
  const { start, end } = swapDates(r, row);
  const exchange = r.oneOf('notional_exchange', row, ['both', 'final', 'none'] as const, ENUM) ?? 'both';
  if (!direction || !ccy1 || !ccy2 || notional1 === undefined || notional2 === undefined) return undefined;
  if (start === undefined || end === undefined) return undefined;
  const leg1 = xccyLeg(r, row, c, { rate: 'fixed_rate', index: 'float_index', spread: 'float_spread_bp' }, ccy1, notional1, start, end);
  const leg2 = xccyLeg(r, row, c, { rate: 'fixed_rate2', index: 'float_index2', spread: 'float_spread_bp2' }, ccy2, notional2, start, end);
  if (!leg1 || !leg2) return undefined;
  // a floating leg 2 may have its own frequency and day count (a GBP SONIA leg ACT/365F against USD SOFR ACT/360)
  if (leg2.kind === 'float') {
    const frequency2 = r.oneOf('float_frequency2', row, FREQUENCIES, ENUM);
    const dayCount2 = r.oneOf('float_day_count2', row, DAY_COUNTS, ENUM);
    if (frequency2 !== undefined) leg2.frequency = frequency2;
    if (dayCount2 !== undefined) leg2.dayCount = dayCount2;
  } else refuseLeg2Conventions(r, row, 'an XCCY whose leg 2 is fixed');
  // leg 1's amortisation (default frequency: leg 1's); leg 2 steps in proportion, keeping the traded exchange rate
  const errorsBefore = r.issues.errorCount;
  const amortization = readAmortization(r, row, leg1.frequency, base.tradeId, notional1, { start, end }, context);
  if (r.issues.errorCount > errorsBefore) return undefined;
  if (amortization !== undefined) {
    leg1.amortization = amortization;
    leg2.amortization = proportionalAmortization(amortization, notional2 / notional1);
  }
  const trade: CrossCurrencySwap = { ...base, product: 'XCCY', direction, leg1, leg2, initialExchange: exchange === 'both', finalExchange: exchange !== 'none' };
  // with notional exchanges each step's change is exchanged on its date (products/amortization.ts principalFlows), so
  // a step no coupon takes still moves cash: only without them is it idle
  if (!trade.finalExchange) warnIdleStepRows(r, base.tradeId, context, { steps: undefined, legs: [], what: '' }, { amortization, legs: [{ name: 'leg 1', terms: leg1 }, { name: 'leg 2', terms: leg2 }] });
  // a mark-to-market swap (pricing/mtmXccy.ts): a floating bullet leg resetting against the other, both exchanges
  const reset = r.oneOf('fx_reset', row, ['none', 'leg1', 'leg2'] as const, ENUM);
  if (reset === 'leg1' || reset === 'leg2') {
    const resetting = reset === 'leg1' ? leg1 : leg2;
    const problem = resetting.paymentLagDays
      ? 'none: a resetting swap pays on its accrual ends (payment_lag_days 0)'
      : resetting.kind !== 'float'
        ? `none: the resetting ${reset} is fixed (xva resets floating legs only)`
        : exchange !== 'both'
          ? `none: a resetting swap exchanges notionals at the start and at maturity (notional_exchange both, not ${exchange})`
          : amortization !== undefined
            ? 'none: an amortising swap does not reset (amortization none)'
            : undefined;
    if (problem !== undefined) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'fx_reset', value: reset, expected: problem });
      return undefined;
    }
    trade.fxReset = reset;
  }
  return trade;
}

function readFxForward(r: FieldReader, row: number, base: TradeBase): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const ccy2 = otherCurrency(r, row, ccy);
  const notional2 = amount(r, row, 'notional2');
  const maturityDate = r.date('maturity_date', row, REQUIRED);
  if (!direction || !ccy || !ccy2 || notional === undefined || notional2 === undefined || maturityDate === undefined) return undefined;
  return { ...base, product: 'FXFWD', direction, currency: ccy, notional, currency2: ccy2, notional2, maturityDate };
}

function readFxSwap(r: FieldReader, row: number, base: TradeBase): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const ccy2 = otherCurrency(r, row, ccy);
  const nearDate = r.date('start_date', row, REQUIRED);
  const nearRate = price(r, row, 'near_rate');
  const maturityDate = r.date('maturity_date', row, REQUIRED);
  const farRate = price(r, row, 'strike');
  checkOrder(r, row, 'maturity_date', maturityDate, 'on or after', 'start_date', nearDate);
  if (!direction || !ccy || !ccy2 || notional === undefined || nearDate === undefined || maturityDate === undefined) return undefined;
  if (nearRate === undefined || farRate === undefined) return undefined;
  return { ...base, product: 'FXSWAP', direction, currency: ccy, notional, currency2: ccy2, nearDate, nearRate, maturityDate, farRate };
}

function readFxOption(r: FieldReader, row: number, base: TradeBase): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const optionType = r.oneOf('option_type', row, ['call', 'put'] as const, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const ccy2 = otherCurrency(r, row, ccy);
  const strike = price(r, row, 'strike');
  const expiryDate = r.date('expiry_date', row, REQUIRED);
  const maturityDate = r.date('maturity_date', row) ?? expiryDate;
  checkOrder(r, row, 'expiry_date', expiryDate, 'on or before', 'maturity_date', maturityDate);
  if (!direction || !optionType || !ccy || !ccy2 || notional === undefined || strike === undefined) return undefined;
  if (expiryDate === undefined || maturityDate === undefined) return undefined;
  return { ...base, product: 'FXOPT', direction, optionType, currency: ccy, notional, currency2: ccy2, strike, expiryDate, maturityDate };
}

function readSwaption(r: FieldReader, row: number, c: RowConventions, base: TradeBase, context: TradeRowContext): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const optionType = r.oneOf('option_type', row, ['payer', 'receiver'] as const, REQUIRED_ENUM);
  const settlement = r.oneOf('settlement', row, ['physical', 'cash'] as const, ENUM) ?? 'physical';
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const expiryDate = r.date('expiry_date', row, REQUIRED);
  const { start, end } = swapDates(r, row);
  // the underlying swap starts on or after the exercise date
  checkOrder(r, row, 'expiry_date', expiryDate, 'on or before', 'start_date', start);
  const fixedRate = rate(r, row, 'fixed_rate', true);
  const floatIndex = r.string('float_index', row, REQUIRED);
  const spreadBp = readSpreadBp(r, row, 'float_spread_bp');
  // an amortising underlying (physical settlement only: the cash settlement's par-yield annuity is a bullet swap's)
  const errorsBefore = r.issues.errorCount;
  const amortization = settlement === 'cash'
    ? (refuseAmortizationCells(r, row, 'a cash-settled swaption (its par-yield cash annuity is a bullet swap\'s)', AMORTIZATION_COLUMNS), undefined)
    : readAmortization(r, row, c.fixedFrequency ?? '1Y', base.tradeId, notional, { start, end }, context);
  // a step-up underlying (physical settlement only; a cash-settled swaption's rows are refused on their own rows)
  const steps = settlement === 'physical' ? readRateSteps(r, base.tradeId, { start, end }, context, 'fixed_rate') : undefined;
  if (r.issues.errorCount > errorsBefore) return undefined;
  if (!direction || !optionType || !ccy || notional === undefined || expiryDate === undefined) return undefined;
  if (start === undefined || end === undefined || fixedRate === undefined || floatIndex === undefined) return undefined;
  const fixed = fixedLeg(c, ccy, notional, fixedRate, start, end);
  if (steps !== undefined) fixed.rateSteps = steps;
  const float = floatLeg(c, ccy, notional, floatIndex, spreadBp, start, end);
  if (amortization !== undefined) {
    fixed.amortization = amortization;
    float.amortization = amortization;
  }
  const swapLegs = [{ name: 'underlying fixed leg', terms: fixed }, { name: 'underlying floating leg', terms: float }];
  warnIdleStepRows(r, base.tradeId, context, { steps, legs: [swapLegs[0]!], what: 'fixed rate' }, { amortization, legs: swapLegs });
  const exercise = r.oneOf('exercise', row, ['european', 'bermudan'] as const, ENUM) ?? 'european';
  if (exercise === 'bermudan') {
    if (settlement === 'cash') {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'exercise', value: 'bermudan', expected: 'european for a cash-settled swaption (Bermudan swaptions are physically settled)' });
      return undefined;
    }
    return { ...base, product: 'SWAPTION', direction, optionType, settlement, expiryDate, fixedLeg: fixed, floatLeg: float, exerciseDates: bermudanExerciseDates(fixed, expiryDate) };
  }
  return { ...base, product: 'SWAPTION', direction, optionType, settlement, expiryDate, fixedLeg: fixed, floatLeg: float };
}

/**
 * A Bermudan's exercise dates (docs/inputs.md, "Bermudan swaptions"): `expiry_date`, then each later accrual start of
 * the fixed leg less the same notice (start_date − expiry_date calendar days), rolled to the preceding business day of
 * the leg's calendar; on E_k the holder enters the periods accruing from the k-th fixed accrual start.
 */
export function bermudanExerciseDates(fixed: FixedLeg, expiryDate: DateSerial): DateSerial[] {
  const starts = buildSchedule(fixed).accrualStart;
  const notice = fixed.startDate - expiryDate;
  const calendar = calendarNamed(fixed.calendar);
  const dates = [expiryDate];
  for (let k = 1; k < starts.length; k++) {
    const d = adjust(starts[k]! - notice, 'P', calendar);
    if (d > dates[dates.length - 1]!) dates.push(d);
  }
  return dates;
}

/**
 * A cap or floor (docs/inputs.md): option_type cap|floor, strike the cap/floor rate, the float_* columns the capped
 * index leg (a term index fixed at each period's start, or an overnight index compounded in arrears), the cap rate on the index times `float_gearing` plus
 * `float_spread_bp` when given, optionally amortising (each caplet on
 * its period's notional; default frequency the floating leg's).
 */
function readCapFloor(r: FieldReader, row: number, c: RowConventions, base: TradeBase, context: TradeRowContext): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const optionType = r.oneOf('option_type', row, ['cap', 'floor'] as const, REQUIRED_ENUM);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const { start, end } = swapDates(r, row);
  const strike = rate(r, row, 'strike', true);
  const floatIndex = r.string('float_index', row, REQUIRED);
  // the cap rate applies to the coupon's rate g·L + s (products/capFloor.ts: each caplet on L at (K − s)/g)
  const spreadBp = readSpreadBp(r, row, 'float_spread_bp');
  const gearing = readGearing(r, row, 'the multiplier of the index in the capped rate (1 = the index itself)');
  const errorsBefore = r.issues.errorCount;
  const amortization = readAmortization(r, row, c.floatFrequency ?? '3M', base.tradeId, notional, { start, end }, context);
  const strikeSteps = readRateSteps(r, base.tradeId, { start, end }, context, 'strike');
  if (r.issues.errorCount > errorsBefore) return undefined;
  if (!direction || !optionType || !ccy || notional === undefined || start === undefined || end === undefined) return undefined;
  if (strike === undefined || floatIndex === undefined) return undefined;
  const float = floatLeg(c, ccy, notional, floatIndex, spreadBp, start, end);
  if (amortization !== undefined) float.amortization = amortization;
  if (gearing !== undefined && gearing !== 1) float.gearing = gearing;
  const capped = [{ name: 'capped floating leg', terms: float }];
  warnIdleStepRows(r, base.tradeId, context, { steps: strikeSteps, legs: capped, what: 'strike' }, { amortization, legs: capped });
  return { ...base, product: 'CAPFLOOR', direction, optionType, strike, ...(strikeSteps !== undefined ? { strikeSteps } : {}), floatLeg: float };
}

function readEquity(r: FieldReader, row: number, base: TradeBase, product: 'EQFWD' | 'EQOPT'): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const optionType = product === 'EQOPT' ? r.oneOf('option_type', row, ['call', 'put'] as const, REQUIRED_ENUM) : undefined;
  const underlying = r.string('underlying', row, REQUIRED);
  const ccy = currency(r, row, 'currency');
  const quantity = r.number('quantity', row, { required: true, positive: true, max: MAX_AMOUNT, what: 'a number of shares' });
  const strike = price(r, row, 'strike');
  const date = r.date(product === 'EQFWD' ? 'maturity_date' : 'expiry_date', row, REQUIRED);
  if (!direction || !underlying || !ccy || quantity === undefined || strike === undefined || date === undefined) return undefined;
  const common = { ...base, direction, underlying, currency: ccy, quantity, strike };
  if (product === 'EQFWD') return { ...common, product, maturityDate: date };
  if (!optionType) return undefined;
  return { ...common, product, optionType, expiryDate: date };
}

function readCds(r: FieldReader, row: number, c: RowConventions, base: TradeBase): Trade | undefined {
  const direction = r.oneOf('direction', row, BUY_SELL, REQUIRED_ENUM);
  const referenceEntity = r.string('reference_entity', row, REQUIRED);
  const ccy = currency(r, row, 'currency');
  const notional = amount(r, row, 'notional');
  const fixedRate = readRate(r, row, 'fixed_rate', { required: true, min: 0, what: 'a running coupon as a decimal (0.01 = 100bp)' });
  const { start, end } = swapDates(r, row);
  // the trade date: its accrued-premium rebate is paid at its cash settlement (pricing/cds.ts); blank: settled
  const tradeDate = r.date('trade_date', row);
  checkOrder(r, row, 'trade_date', tradeDate, 'on or before', 'maturity_date', end);
  // ISDA standard CDS: quarterly premium, ACT/360 accrual
  const frequency = c.fixedFrequency ?? '3M';
  const dayCount = c.fixedDayCount ?? 'ACT/360';
  if (!direction || !referenceEntity || !ccy || notional === undefined || fixedRate === undefined) return undefined;
  if (start === undefined || end === undefined) return undefined;
  return {
    ...base,
    product: 'CDS',
    direction,
    referenceEntity,
    currency: ccy,
    notional,
    fixedRate,
    startDate: start,
    maturityDate: end,
    frequency,
    dayCount,
    ...(tradeDate !== undefined ? { tradeDate } : {}),
  };
}

/**
 * Converts row `row` (0-based) of the trades table; undefined when the row has any problem (all recorded). A cell the
 * row's product does not read (an FX forward's `fixed_rate`, a swap's `strike`) is a warning naming it: its value
 * would otherwise be dropped unseen.
 */
export function readTradeRow(r: FieldReader, row: number, context: TradeRowContext): Trade | undefined {
  const reads = r.recordReads();
  try {
    const trade = readTradeCells(r, row, context);
    if (trade !== undefined) warnUnreadCells(r, row, reads, trade.product);
    return trade;
  } finally {
    r.stopRecording();
  }
}

const KNOWN_TRADE_COLUMNS: ReadonlySet<string> = new Set(TRADE_COLUMNS);

function warnUnreadCells(r: FieldReader, row: number, reads: ReadonlySet<string>, product: string): void {
  // (a header in another case by the name it is read under: its cells are checked too)
  for (const column of r.readNames()) {
    if (reads.has(column) || !KNOWN_TRADE_COLUMNS.has(column)) continue; // unknown columns get their own warning
    const cell = r.cell(column, row);
    if (cell === null || (typeof cell === 'string' && cell.trim() === '')) continue;
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column,
      value: typeof cell === 'string' ? cell.trim() : String(cell),
      expected: `blank for ${product}: ${product} does not read ${column}, so this value is ignored`,
      severity: 'warning',
    });
  }
}

function readTradeCells(r: FieldReader, row: number, context: TradeRowContext): Trade | undefined {
  const errorsBefore = r.issues.errorCount;
  const tradeId = r.string('trade_id', row, REQUIRED);
  const counterpartyId = r.string('counterparty_id', row, REQUIRED);
  const nettingSetId = r.string('netting_set_id', row, REQUIRED);
  const product = r.oneOf('product', row, PRODUCTS, REQUIRED_ENUM);

  // cleared/ccp default to the netting set's (a CCP netting set holds only cleared trades)
  const inherited = nettingSetId !== undefined ? context.nettingSetClearing(nettingSetId) : undefined;
  const explicitCleared = r.boolean('cleared', row);
  const cleared = explicitCleared ?? inherited?.cleared ?? false;
  const givenCcp = r.string('ccp', row);
  const ccp = cleared ? (givenCcp ?? inherited?.ccp) : undefined;
  if (cleared && ccp === undefined && explicitCleared !== undefined) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'ccp', expected: 'the name of the CCP for a cleared trade' });
  }
  if (!cleared && givenCcp !== undefined) {
    // a CCP on a bilateral trade would go unseen (nothing reads it): most likely cleared was left out
    r.issues.add({ file: r.table.file, row: row + 1, column: 'ccp', value: givenCcp, expected: 'blank for a bilateral trade (cleared false, or its netting set\'s): the CCP is ignored; set cleared true if the trade is cleared', severity: 'warning' });
  }
  if (tradeId === undefined || counterpartyId === undefined || nettingSetId === undefined || product === undefined) return undefined;

  const c = readConventions(r, row);
  if (c.paymentLagDays && product !== 'IRS' && product !== 'OIS' && product !== 'BASIS' && product !== 'XCCY') {
    // a swaption's underlying and a cap's periods pay on their accrual ends (pricing/swaption.ts, capFloor.ts)
    r.issues.add({ file: r.table.file, row: row + 1, column: 'payment_lag_days', value: String(c.paymentLagDays), expected: `0 or blank for ${product}: payment lags are supported for IRS, OIS, BASIS and XCCY` });
    delete c.paymentLagDays;
  }
  if (product !== 'IRS' && product !== 'OIS' && product !== 'BASIS' && product !== 'XCCY') {
    // a swaption's underlying and a cap's periods fix on their accrual starts (pricing/swaption.ts, capFloor.ts)
    for (const [column, value] of [['float_lookback_days', c.lookbackDays], ['float_lockout_days', c.lockoutDays]] as const) {
      if (value) r.issues.add({ file: r.table.file, row: row + 1, column, value: String(value), expected: `0 or blank for ${product}: lookbacks and lockouts are supported on the overnight legs of IRS, OIS, BASIS and XCCY` });
    }
    if (c.observationShift) r.issues.add({ file: r.table.file, row: row + 1, column: 'float_observation_shift', value: 'true', expected: `false or blank for ${product}: observation shifts are supported on the overnight legs of IRS, OIS, BASIS and XCCY` });
    delete c.lookbackDays;
    delete c.lockoutDays;
    delete c.observationShift;
  }
  if (product !== 'IRS' && product !== 'OIS' && product !== 'XCCY' && product !== 'SWAPTION' && product !== 'CAPFLOOR') {
    refuseAmortizationCells(r, row, `${product}: amortising notionals are supported for IRS, OIS, XCCY, SWAPTION and CAPFLOOR only`, AMORTIZATION_COLUMNS);
  }
  if (product !== 'IRS' && product !== 'OIS' && product !== 'CAPFLOOR') refuseGearing(r, row, product);
  if (product !== 'BASIS' && product !== 'XCCY') refuseLeg2Conventions(r, row, product);
  if (product !== 'XCCY' && r.has('fx_reset')) {
    const cell = r.cell('fx_reset', row);
    const text = cell === null ? '' : String(cell).trim();
    if (text !== '' && text.toLowerCase() !== 'none') r.issues.add({ file: r.table.file, row: row + 1, column: 'fx_reset', value: text, expected: `blank for ${product}: notional resets are supported for XCCY only` });
  }
  if (product !== 'SWAPTION' && r.has('exercise')) {
    const cell = r.cell('exercise', row);
    const text = cell === null ? '' : String(cell).trim();
    if (text !== '' && text.toLowerCase() !== 'european') r.issues.add({ file: r.table.file, row: row + 1, column: 'exercise', value: text, expected: `blank for ${product}: Bermudan exercise is supported for SWAPTION only` });
  }
  const base: TradeBase = { tradeId, counterpartyId, nettingSetId, cleared, sourceRow: row + 1 };
  if (ccp !== undefined) base.ccp = ccp;
  let trade: Trade | undefined;
  switch (product) {
    case 'IRS':
    case 'OIS':
      trade = readIrs(r, row, c, base, product, context);
      break;
    case 'XCCY':
      trade = readXccy(r, row, c, base, context);
      break;
    case 'BASIS':
      trade = readBasis(r, row, c, base);
      break;
    case 'FXFWD':
      trade = readFxForward(r, row, base);
      break;
    case 'FXSWAP':
      trade = readFxSwap(r, row, base);
      break;
    case 'FXOPT':
      trade = readFxOption(r, row, base);
      break;
    case 'SWAPTION':
      trade = readSwaption(r, row, c, base, context);
      break;
    case 'CAPFLOOR':
      trade = readCapFloor(r, row, c, base, context);
      break;
    case 'EQFWD':
    case 'EQOPT':
      trade = readEquity(r, row, base, product);
      break;
    case 'CDS':
      trade = readCds(r, row, c, base);
      break;
  }
  if (trade !== undefined && r.issues.errorCount === errorsBefore) checkOvernightTerms(r, row, c, trade);
  const scheduled = product === 'IRS' || product === 'OIS' || product === 'BASIS' || product === 'XCCY' || product === 'SWAPTION' || product === 'CAPFLOOR';
  if (trade !== undefined && scheduled && c.calendar !== undefined && r.issues.errorCount === errorsBefore) checkCalendarYears(r, row, c.calendar);
  return r.issues.errorCount > errorsBefore ? undefined : trade;
}

/**
 * `float_lookback_days`, `float_observation_shift` and `float_lockout_days` (products/overnightCoupon.ts) apply to every
 * overnight-index floating leg of the row: a row with none is an error (a term index fixes on its period's start), as
 * is a lockout of as many days as a period has rates, or the terms on a resetting cross-currency leg; a shift without a
 * lookback shifts nothing (a warning).
 */
function checkOvernightTerms(r: FieldReader, row: number, c: RowConventions, trade: Trade): void {
  const given = (['float_lookback_days', 'float_lockout_days'] as const).filter((column) => (column === 'float_lookback_days' ? c.lookbackDays : c.lockoutDays));
  if (c.observationShift && !c.lookbackDays) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'float_observation_shift', value: 'true', expected: 'a float_lookback_days above 0 to shift the observation period by (without one nothing is shifted)', severity: 'warning' });
  }
  if (given.length === 0) return;
  const legs = overnightSwapLegs(trade);
  const value = (column: (typeof given)[number]): string => String(column === 'float_lookback_days' ? c.lookbackDays : c.lockoutDays);
  if (legs.length === 0) {
    for (const column of given) {
      r.issues.add({ file: r.table.file, row: row + 1, column, value: value(column), expected: `0 or blank: ${trade.tradeId} has no floating leg on an overnight index (a term index fixes on its period's start, with no daily rates to look back on)` });
    }
    return;
  }
  if (trade.product === 'XCCY' && trade.fxReset !== undefined && legs.includes(trade.fxReset === 'leg1' ? trade.leg1 as FloatLeg : trade.leg2 as FloatLeg)) {
    r.issues.add({ file: r.table.file, row: row + 1, column: given[0]!, value: value(given[0]!), expected: `0 or blank for a resetting cross-currency swap (fx_reset ${trade.fxReset}): its resetting leg compounds in arrears` });
    return;
  }
  if (!c.lockoutDays) return;
  for (const leg of legs) {
    const schedule = buildSchedule(leg);
    for (let i = 0; i < schedule.count; i++) {
      const rates = overnightRateCount(leg, schedule.accrualStart[i]!, schedule.accrualEnd[i]!);
      if (c.lockoutDays < rates) continue;
      r.issues.add({
        file: r.table.file,
        row: row + 1,
        column: 'float_lockout_days',
        value: String(c.lockoutDays),
        expected: `fewer business days than every period has daily rates: the ${leg.floatIndex} period ${toIsoDate(schedule.accrualStart[i]!)} to ${toIsoDate(schedule.accrualEnd[i]!)} compounds ${rates}`,
      });
      return;
    }
  }
}

/**
 * A trade's calendar has rules for every year from its start_date to its maturity_date (holidays.ts: each centre's
 * rules start where they could be checked against the centre's own lists); otherwise the calendar cell is the one to
 * change, and saying so here beats a pricing failure named on the trade later.
 */
function checkCalendarYears(r: FieldReader, row: number, calendar: string): void {
  const { first, last } = calendarYears(calendar);
  const dates = (['start_date', 'maturity_date'] as const).map((column) => ({ column, date: r.has(column) ? r.date(column, row) : undefined }));
  for (const { column, date } of dates) {
    if (date === undefined) continue;
    const year = toYmd(date).year;
    if (year >= first && year <= last) continue;
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column: 'calendar',
      value: r.string('calendar', row),
      expected: `a calendar with rules for the trade's dates: ${calendar} has them for ${first} to ${last}, and the ${column} ${toIsoDate(date)} is in ${year} (weekends only, or another calendar)`,
    });
    return;
  }
}
