/**
 * `xva import ore` of an overnight leg's `FloatingLegData/Lookback` and `RateCutoff` (docs/import-ore.md "Overnight
 * lookback and rate cutoff"): on a `Swap` or `CrossCurrencySwap` mapped to an OIS, BASIS or XCCY row, a lookback in
 * days (`2D`; absent or `0D` = none) becomes `float_lookback_days` with `float_observation_shift` true and a
 * `RateCutoff` n becomes `float_lockout_days`; overnight legs that differ, a lookback in weeks or above 10 days, a
 * cutoff above 10 or not shorter than a period's daily rates, unreadable values, and either on a resetting
 * cross-currency leg leave the trade out with the field and the reason. A term-index leg's are reported as dropped (ORE
 * ignores them), a swaption's as ignored. The three columns are written only when some imported trade looks back or
 * locks out.
 * References independent of the code: ORE's FloatingLegData::fromXML (OREData/ored/portfolio/legdata.cpp: `Lookback`
 * read with parsePeriod, absent 0D; `RateCutoff` with parseInteger) and makeOISLeg (both handed to QuantExt's
 * OvernightLeg; makeIborLeg reads neither); QuantExt's OvernightIndexedCoupon (qle/cashflows/overnightindexedcoupon.cpp:
 * the value dates moved back by the lookback on the index's fixing calendar, the compounded growth divided by their
 * period's year fraction, the last `rateCutoff` fixings equal to the one before them, `rateCutoff < n` required); the
 * dates below read off a calendar by eye (2024-01-27 is a Saturday: the last full period of a swap from 2023-01-27
 * ends Monday 2024-01-29, and from there to Wednesday 2024-02-07 are 7 daily rates: the 29th, 30th, 31st, 1st, 2nd, 5th
 * and 6th).
 * `FixingDays` on an overnight leg (the last describe block): ORE's makeOISLeg hands `floatData->fixingDays()` to
 * OvernightLeg::withFixingDays (absent: Null, the index's own fixing days, 0 for SOFR and €STR), and QuantExt's
 * OvernightIndexedCoupon fixes each rate `fixingCalendar.advance(valueDate, -fixingDays, Days, Preceding)` while the
 * accrual fractions stay on the value dates: ISDA "Compounding with Lookback", float_lookback_days without the shift.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { importOre, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { FloatLeg, SwapLeg, Trade } from '../src/products/types.js';
import { columnNames, oreLeg, portfolio, unmapped } from './helpers/oreXml.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  currency: 'USD' | 'EUR';
  payer: boolean;
  /** Default Floating. */
  type?: 'Floating' | 'Fixed';
  /** Floating legs; default the currency's overnight index (USD-SOFR, EUR-ESTR). */
  index?: string;
  /** Default 1Y. */
  tenor?: string;
  /** Default the currency's: US-FED (SOFR's fixing calendar, USNY), TARGET (€STR's). */
  calendar?: string;
  /** Default 2033-01-27. */
  end?: string;
  /** Default 100m. */
  notional?: string;
  /** `Lookback` as written; absent: no element. */
  lookback?: string;
  /** `RateCutoff` as written; absent: no element. */
  cutoff?: string;
  /** `FixingDays` as written; absent: no element. */
  fixingDays?: string;
  /** `ObservationShift` as written (newer ORE; absent: no element, ORE's true). */
  shift?: string;
  /** Both exchanges (default false). */
  exchanges?: boolean;
  /** Inner XML of `Notionals/FXReset`; absent: none. */
  fxReset?: string;
}

const OVERNIGHT = { USD: 'USD-SOFR', EUR: 'EUR-ESTR' } as const;
const CALENDAR = { USD: 'US-FED', EUR: 'TARGET' } as const;

/**
 * A leg from 2023-01-27, A360, MF, generated forwards (helpers/oreXml.ts's oreLeg). (No `FixingDays` unless given: on an
 * overnight leg ORE fixes each rate that many business days before its value date, on top of the lookback.)
 */
function leg(l: Leg): string {
  const exchanges = l.exchanges ?? false;
  return oreLeg({
    ...l,
    index: l.index ?? OVERNIGHT[l.currency],
    tenor: l.tenor ?? '1Y',
    calendar: l.calendar ?? CALENDAR[l.currency],
    notionals: l.notional === undefined ? undefined : [l.notional],
    initialExchange: exchanges,
    finalExchange: exchanges,
    observationShift: l.shift,
    rateCutoff: l.cutoff,
  });
}

function trade(type: string, id: string, body: string): string {
  return `<Trade id="${id}"><TradeType>${type}</TradeType><Envelope><CounterParty>CPTY</CounterParty><NettingSetId>NS</NettingSetId></Envelope>
  ${body}</Trade>`;
}
const swap = (id: string, leg1: Leg, leg2: Leg) => trade('Swap', id, `<SwapData>${leg(leg1)}${leg(leg2)}</SwapData>`);

/** Receive USD fixed 3% annual against SOFR (US-FED), the SOFR leg with `more` (its Lookback, RateCutoff, ...). */
const ois = (id: string, more: Partial<Leg> = {}) =>
  swap(id, { currency: 'USD', payer: false, type: 'Fixed' }, { currency: 'USD', payer: true, ...more });

/** A European physically settled swaption on the OIS above, exercised 2023-01-25, the SOFR leg with `more`. */
function swaption(id: string, more: Partial<Leg>): string {
  return trade(
    'Swaption',
    id,
    `<SwaptionData><OptionData><LongShort>Long</LongShort><OptionType>Call</OptionType><Style>European</Style><Settlement>Physical</Settlement>
      <PayOffAtExpiry>false</PayOffAtExpiry><ExerciseDates><ExerciseDate>2023-01-25</ExerciseDate></ExerciseDates></OptionData>
      ${leg({ currency: 'USD', payer: false, type: 'Fixed' })}${leg({ currency: 'USD', payer: true, ...more })}</SwaptionData>`,
  );
}

/** The compounding keys of a row, in the order the columns are written. */
const termsOfRow = (result: OreImportResult, id: string) => {
  const r = result.rows.trades.find((x) => x.trade_id === id)!;
  return [r.float_lookback_days, r.float_observation_shift, r.float_lockout_days];
};
const findingsOf = (result: OreImportResult, id: string) =>
  result.report.findings.filter((f) => f.tradeId === id).map(({ kind, field, value, reason }) => ({ kind, field, value, reason }));
const compoundingFindings = (result: OreImportResult, id: string) =>
  findingsOf(result, id).filter((f) => f.field?.endsWith('Lookback') || f.field?.endsWith('RateCutoff'));

async function writtenAndLoaded(result: OreImportResult, label: string, format: 'csv' | 'parquet' = 'csv') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-lookback-${label}-`));
  temps.push(dir);
  writeOreImport(dir, result, format);
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
  expect(issues.issues).toEqual([]);
  return { book, dir };
}

/** The floating legs of a loaded swap, in the row's order, with their compounding terms. */
function floatTerms(trades: Trade[], id: string) {
  const t = trades.find((x) => x.tradeId === id);
  if (t === undefined) throw new Error(`test: ${id} not loaded`);
  const legs: SwapLeg[] = t.product === 'IRS' || t.product === 'OIS' ? [t.floatLeg] : t.product === 'BASIS' || t.product === 'XCCY' ? [t.leg1, t.leg2] : [];
  return legs
    .filter((l): l is FloatLeg => l.kind === 'float')
    .map((l) => ({ index: l.floatIndex, lookbackDays: l.lookbackDays, observationShift: l.observationShift, lockoutDays: l.lockoutDays }));
}

const EUR_TO_USD = '<ForeignCurrency>USD</ForeignCurrency><ForeignAmount>100000000</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>';

describe('ORE Lookback and RateCutoff on overnight legs → float_lookback_days, float_observation_shift, float_lockout_days', () => {
  const result = importOre({
    portfolioXml: portfolio(
      ois('OIS_LB', { lookback: '2D', cutoff: '1' }),
      // SOFR (3M, 2D lookback, leg 2) against USD LIBOR 3M (leg 1), both on US-FED
      swap('BASIS_SOFR', { currency: 'USD', payer: true, index: 'USD-LIBOR-3M', tenor: '3M' }, { currency: 'USD', payer: false, tenor: '3M', lookback: '2D' }),
      // pay €STR against SOFR, both legs 5D with a rate cutoff of 2, notionals exchanged, on TARGET + US-FED
      swap(
        'XCCY_ON',
        { currency: 'EUR', payer: true, notional: '90000000', calendar: 'TARGET,US-FED', lookback: '5D', cutoff: '2', exchanges: true },
        { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', lookback: '5D', cutoff: '2', exchanges: true },
      ),
      // a rate cutoff alone: float_lockout_days, no lookback or shift
      ois('OIS_CUTOFF', { cutoff: '3' }),
      // ORE's rebalancing swap: the USD leg resets against EURIBOR; the constant €STR leg looks back 2 days
      swap(
        'RESET_LB',
        { currency: 'EUR', payer: true, notional: '88312931.57', lookback: '2D', calendar: 'TARGET', exchanges: true },
        { currency: 'USD', payer: false, index: 'USD-LIBOR-3M', tenor: '3M', calendar: 'TARGET', notional: '100000000', exchanges: true, fxReset: '<ForeignCurrency>EUR</ForeignCurrency><ForeignAmount>88312931.57</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>' },
      ),
      // none, and zero in two spellings: no keys
      ois('OIS_NONE'),
      ois('OIS_ZERO', { lookback: '0D', cutoff: '0' }),
    ),
  });

  it('maps all of them: the lookback with the shift, the cutoff as the lockout, nothing where there is none', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, ...termsOfRow(result, r.trade_id as string)])).toEqual([
      ['OIS_LB', 'OIS', 2, true, 1],
      ['BASIS_SOFR', 'BASIS', 2, true, undefined],
      ['XCCY_ON', 'XCCY', 5, true, 2],
      ['OIS_CUTOFF', 'OIS', undefined, undefined, 3],
      ['RESET_LB', 'XCCY', 2, true, undefined],
      ['OIS_NONE', 'OIS', undefined, undefined, undefined],
      ['OIS_ZERO', 'OIS', undefined, undefined, undefined],
    ]);
    expect(result.rows.trades.find((r) => r.trade_id === 'RESET_LB')!.fx_reset).toBe('leg2');
    for (const id of ['OIS_NONE', 'OIS_ZERO']) {
      const row = result.rows.trades.find((r) => r.trade_id === id)!;
      expect(['float_lookback_days', 'float_observation_shift', 'float_lockout_days'].some((k) => k in row)).toBe(false);
    }
  });

  it('writes the three columns (int32, bool, int32), blank where a row has none', () => {
    const column = (name: string) => result.tables.trades.columns.find((c) => c.name === name);
    expect(column('float_lookback_days')).toEqual({ name: 'float_lookback_days', type: 'int32', values: [2, 2, 5, null, 2, null, null] });
    expect(column('float_observation_shift')).toEqual({ name: 'float_observation_shift', type: 'bool', values: [true, true, true, null, true, null, null] });
    expect(column('float_lockout_days')).toEqual({ name: 'float_lockout_days', type: 'int32', values: [1, null, 2, 3, null, null, null] });
    // after payment_lag_days would be, before fx_reset, as portfolio/writeRows.ts orders them
    expect(columnNames(result).slice(-4)).toEqual(['float_lookback_days', 'float_observation_shift', 'float_lockout_days', 'fx_reset']);
  });

  it("reports nothing about them where the row's calendar is the index's fixing calendar", () => {
    for (const id of ['OIS_LB', 'BASIS_SOFR', 'OIS_CUTOFF', 'OIS_NONE', 'OIS_ZERO']) expect(compoundingFindings(result, id)).toEqual([]);
  });

  it("a lookback counted on another calendar than the index's fixing calendar: approximated, naming both", () => {
    expect(compoundingFindings(result, 'XCCY_ON')).toEqual([
      {
        kind: 'approximated',
        field: 'SwapData/LegData[1]/FloatingLegData/Lookback',
        value: '5D',
        reason: "xva moves the observation period back 5 business days of the trade's calendar, TARGET+USNY; ORE moves it on EUR-ESTR's fixing calendar, TARGET",
      },
      {
        kind: 'approximated',
        field: 'SwapData/LegData[2]/FloatingLegData/Lookback',
        value: '5D',
        reason: "xva moves the observation period back 5 business days of the trade's calendar, TARGET+USNY; ORE moves it on USD-SOFR's fixing calendar, USNY",
      },
    ]);
  });

  it('written and loaded: the overnight legs look back with the shift and lock out, the term legs do not', async () => {
    const { book, dir } = await writtenAndLoaded(result, 'mapped');
    const header = fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]!;
    for (const name of ['float_lookback_days', 'float_observation_shift', 'float_lockout_days']) expect(header).toContain(name);
    expect(floatTerms(book.trades, 'OIS_LB')).toEqual([{ index: 'USD-SOFR', lookbackDays: 2, observationShift: true, lockoutDays: 1 }]);
    expect(floatTerms(book.trades, 'BASIS_SOFR')).toEqual([
      { index: 'USD-LIBOR-3M', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined },
      { index: 'USD-SOFR', lookbackDays: 2, observationShift: true, lockoutDays: undefined },
    ]);
    expect(floatTerms(book.trades, 'XCCY_ON')).toEqual([
      { index: 'EUR-ESTR', lookbackDays: 5, observationShift: true, lockoutDays: 2 },
      { index: 'USD-SOFR', lookbackDays: 5, observationShift: true, lockoutDays: 2 },
    ]);
    expect(floatTerms(book.trades, 'OIS_CUTOFF')).toEqual([{ index: 'USD-SOFR', lookbackDays: undefined, observationShift: undefined, lockoutDays: 3 }]);
    expect(floatTerms(book.trades, 'RESET_LB')).toEqual([
      { index: 'EUR-ESTR', lookbackDays: 2, observationShift: true, lockoutDays: undefined },
      { index: 'USD-LIBOR-3M', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined },
    ]);
    for (const id of ['OIS_NONE', 'OIS_ZERO'])
      expect(floatTerms(book.trades, id)).toEqual([{ index: 'USD-SOFR', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined }]);
    // the same book through Parquet (int32 and bool columns with blanks)
    const parquet = await writtenAndLoaded(result, 'parquet', 'parquet');
    expect(floatTerms(parquet.book.trades, 'OIS_LB')).toEqual([{ index: 'USD-SOFR', lookbackDays: 2, observationShift: true, lockoutDays: 1 }]);
    expect(floatTerms(parquet.book.trades, 'OIS_NONE')).toEqual([{ index: 'USD-SOFR', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined }]);
  });
});

describe('lookbacks and cutoffs xva cannot hold leave the trade out, with the field and the reason', () => {
  const cases: [id: string, trade: string, field: string, value: string | undefined, reason: string][] = [
    [
      'WEEK',
      ois('WEEK', { lookback: '1W' }),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '1W',
      "a lookback in weeks is not supported by xva: float_lookback_days counts business days (0 to 10); ORE moves the observation period back 1 calendar week, rolled to the preceding business day of the index's fixing calendar: give the lookback in days",
    ],
    [
      'MONTH',
      ois('MONTH', { lookback: '2M' }),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '2M',
      "a lookback in months is not supported by xva: float_lookback_days counts business days (0 to 10); ORE moves the observation period back 2 calendar months, rolled to the preceding business day of the index's fixing calendar: give the lookback in days",
    ],
    [
      'ELEVEN',
      ois('ELEVEN', { lookback: '11D' }),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '11D',
      "a lookback of 11 business days is more than xva's float_lookback_days holds (0 to 10)",
    ],
    ['NO_UNIT', ois('NO_UNIT', { lookback: '2' }), 'SwapData/LegData[2]/FloatingLegData/Lookback', '2', 'not a lookback period: expected a whole number of business days, e.g. 2D'],
    ['CUTOFF_WORD', ois('CUTOFF_WORD', { cutoff: 'one' }), 'SwapData/LegData[2]/FloatingLegData/RateCutoff', 'one', 'not a number'],
    [
      'CUTOFF_FRACTION',
      ois('CUTOFF_FRACTION', { cutoff: '1.5' }),
      'SwapData/LegData[2]/FloatingLegData/RateCutoff',
      '1.5',
      'expected a whole number of daily rates (ORE reads RateCutoff as an integer)',
    ],
    [
      'CUTOFF_ELEVEN',
      ois('CUTOFF_ELEVEN', { cutoff: '11' }),
      'SwapData/LegData[2]/FloatingLegData/RateCutoff',
      '11',
      "a rate cutoff of 11 daily rates is more than xva's float_lockout_days holds (0 to 10)",
    ],
    [
      // the last period, 2024-01-29 to 2024-02-07, compounds 7 daily rates
      'CUTOFF_STUB',
      swap('CUTOFF_STUB', { currency: 'USD', payer: false, type: 'Fixed', end: '2024-02-07' }, { currency: 'USD', payer: true, end: '2024-02-07', cutoff: '7' }),
      'SwapData/LegData[2]/FloatingLegData/RateCutoff',
      '7',
      'a rate cutoff needs fewer days than every period has daily rates: the period 2024-01-29 to 2024-02-07 compounds 7 (ORE refuses it too)',
    ],
    [
      'BASIS_DIFFERENT',
      swap('BASIS_DIFFERENT', { currency: 'USD', payer: true, lookback: '2D' }, { currency: 'USD', payer: false, index: 'USD-FedFunds', lookback: '3D' }),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '3D',
      "the overnight legs' lookbacks differ (SwapData/LegData[1]: 2 business days, SwapData/LegData[2]: 3 business days; a missing Lookback is 0); xva has one float_lookback_days per trade, for all its overnight legs",
    ],
    [
      'XCCY_ONE_LEG',
      swap(
        'XCCY_ONE_LEG',
        { currency: 'EUR', payer: true, notional: '90000000', calendar: 'TARGET,US-FED', exchanges: true },
        { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', lookback: '2D', exchanges: true },
      ),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '2D',
      "the overnight legs' lookbacks differ (SwapData/LegData[1]: 0 business days, SwapData/LegData[2]: 2 business days; a missing Lookback is 0); xva has one float_lookback_days per trade, for all its overnight legs",
    ],
    [
      'XCCY_CUTOFFS',
      swap(
        'XCCY_CUTOFFS',
        { currency: 'EUR', payer: true, notional: '90000000', calendar: 'TARGET,US-FED', lookback: '2D', cutoff: '1', exchanges: true },
        { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', lookback: '2D', cutoff: '2', exchanges: true },
      ),
      'SwapData/LegData[2]/FloatingLegData/RateCutoff',
      '2',
      "the overnight legs' rate cutoffs differ (SwapData/LegData[1]: 1 daily rate, SwapData/LegData[2]: 2 daily rates; a missing RateCutoff is 0); xva has one float_lockout_days per trade, for all its overnight legs",
    ],
    [
      'RESET_ON',
      swap(
        'RESET_ON',
        { currency: 'USD', payer: false, index: 'USD-LIBOR-3M', tenor: '3M', calendar: 'TARGET', exchanges: true },
        { currency: 'EUR', payer: true, notional: '88312931.57', calendar: 'TARGET', fxReset: EUR_TO_USD, lookback: '2D', exchanges: true },
      ),
      'SwapData/LegData[2]/FloatingLegData/Lookback',
      '2D',
      "a lookback or rate cutoff on the resetting leg (fx_reset) is not supported by xva: it compounds a resetting leg's overnight rates in arrears",
    ],
    [
      'RESET_OTHER',
      swap(
        'RESET_OTHER',
        { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', cutoff: '1', exchanges: true },
        { currency: 'EUR', payer: true, notional: '88312931.57', calendar: 'TARGET,US-FED', fxReset: EUR_TO_USD, exchanges: true },
      ),
      'SwapData/LegData[1]/FloatingLegData/RateCutoff',
      '1',
      'xva applies float_lookback_days and float_lockout_days to every overnight leg of the row, and the resetting leg (SwapData/LegData[2], on EUR-ESTR) compounds in arrears without them',
    ],
  ];
  const result = importOre({ portfolioXml: portfolio(...cases.map((c) => c[1])) });

  it('maps none of them, lists each once, and writes none of the columns', () => {
    expect(result.rows.trades).toEqual([]);
    expect(unmapped(result.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason])).toEqual(
      cases.map(([id, , field, value, reason]) => [id, field, value, reason]),
    );
    for (const name of ['float_lookback_days', 'float_observation_shift', 'float_lockout_days']) expect(columnNames(result)).not.toContain(name);
  });

  it('10 business days is the most either holds, and a cutoff one below the shortest period is mapped', () => {
    const longest = importOre({
      portfolioXml: portfolio(
        ois('TEN', { lookback: '10d', cutoff: '10' }),
        swap('STUB_6', { currency: 'USD', payer: false, type: 'Fixed', end: '2024-02-07' }, { currency: 'USD', payer: true, end: '2024-02-07', cutoff: '6' }),
      ),
    });
    expect(unmapped(longest.report.findings)).toEqual([]);
    expect(termsOfRow(longest, 'TEN')).toEqual([10, true, 10]);
    expect(termsOfRow(longest, 'STUB_6')).toEqual([undefined, undefined, 6]);
  });
});

describe('lookbacks xva does not carry over: reported, no columns', () => {
  const result = importOre({
    portfolioXml: portfolio(
      // a term index: ORE's IBOR coupons ignore both
      swap(
        'IRS_TERM',
        { currency: 'EUR', payer: true, type: 'Fixed' },
        { currency: 'EUR', payer: false, index: 'EUR-EURIBOR-6M', tenor: '6M', lookback: '2D', cutoff: '1' },
      ),
      // a swaption's underlying compounds in arrears (the trades reader refuses the columns on a SWAPTION row)
      swaption('SWAPTION_LB', { lookback: '2D', cutoff: '1' }),
    ),
  });

  it('maps both, without the keys', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, ...termsOfRow(result, r.trade_id as string)])).toEqual([
      ['IRS_TERM', 'IRS', undefined, undefined, undefined],
      ['SWAPTION_LB', 'SWAPTION', undefined, undefined, undefined],
    ]);
    for (const name of ['float_lookback_days', 'float_observation_shift', 'float_lockout_days']) expect(columnNames(result)).not.toContain(name);
  });

  it("a term-index leg's: dropped, as ORE ignores them", () => {
    expect(compoundingFindings(result, 'IRS_TERM')).toEqual(
      (['Lookback', 'RateCutoff'] as const).map((name) => ({
        kind: 'unmapped_field',
        field: `SwapData/LegData[2]/FloatingLegData/${name}`,
        value: name === 'Lookback' ? '2D' : '1',
        reason: `not carried over: ORE ignores ${name} on a term-index leg (EUR-EURIBOR-6M), whose coupons fix FixingDays before their period`,
      })),
    );
  });

  it("a swaption's overnight leg: ignored, approximated", () => {
    expect(compoundingFindings(result, 'SWAPTION_LB')).toEqual(
      (['Lookback', 'RateCutoff'] as const).map((name) => ({
        kind: 'approximated',
        field: `SwaptionData/LegData[2]/FloatingLegData/${name}`,
        value: name === 'Lookback' ? '2D' : '1',
        reason: `${name} ignored: xva compounds this trade's overnight rates in arrears, without lookback or rate cutoff (float_lookback_days and float_lockout_days are for IRS, OIS, BASIS and XCCY rows)`,
      })),
    );
  });

  it('written and loaded without errors', async () => {
    const { book } = await writtenAndLoaded(result, 'ignored');
    expect(book.trades.map((t) => t.tradeId)).toEqual(['IRS_TERM', 'SWAPTION_LB']);
  });
});

describe('no lookback or cutoff anywhere: no columns', () => {
  it('an import of swaps without them (or with zeros) writes none of the three columns and reports nothing about them', async () => {
    const result = importOre({
      portfolioXml: portfolio(
        ois('A'),
        ois('B', { lookback: '0D', cutoff: '0' }),
        swap('C', { currency: 'USD', payer: true, index: 'USD-LIBOR-3M', tenor: '3M' }, { currency: 'USD', payer: false, tenor: '3M', lookback: '0W' }),
        swaption('D', { lookback: '0D' }),
      ),
    });
    expect(unmapped(result.report.findings)).toEqual([]);
    for (const name of ['float_lookback_days', 'float_observation_shift', 'float_lockout_days']) expect(columnNames(result)).not.toContain(name);
    expect(result.rows.trades.some((r) => 'float_lookback_days' in r || 'float_observation_shift' in r || 'float_lockout_days' in r)).toBe(false);
    expect(result.report.findings.filter((f) => f.field?.endsWith('Lookback') || f.field?.endsWith('RateCutoff'))).toEqual([]);
    const { dir } = await writtenAndLoaded(result, 'none');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('float_lookback_days');
  });
});

describe('ORE FixingDays on overnight legs → float_lookback_days without observation shift', () => {
  const result = importOre({
    portfolioXml: portfolio(
      // each SOFR rate fixed 2 business days before its accrual day (US-FED: the row's calendar is SOFR's)
      ois('OIS_FD2', { fixingDays: '2' }),
      // 0 is ORE's own OIS examples' value, and an absent one the index's (0): plain compounding in arrears
      ois('OIS_FD0', { fixingDays: '0' }),
      // with a rate cutoff: both carried over
      ois('OIS_FD_CUTOFF', { fixingDays: '3', cutoff: '1' }),
      // a Lookback beside FixingDays 0: the shift, as without FixingDays
      ois('OIS_LB_FD0', { lookback: '2D', fixingDays: '0' }),
      // the SOFR leg fixes 2 days early; the LIBOR leg's FixingDays (absent, 0, or ORE's IBOR lag 2) is no lookback
      swap('BASIS_FD', { currency: 'USD', payer: true, index: 'USD-LIBOR-3M', tenor: '3M' }, { currency: 'USD', payer: false, tenor: '3M', fixingDays: '2' }),
      swap('BASIS_FD_TERM0', { currency: 'USD', payer: true, index: 'USD-LIBOR-3M', tenor: '3M', fixingDays: '0' }, { currency: 'USD', payer: false, tenor: '3M', fixingDays: '2' }),
      swap('BASIS_FD_TERM2', { currency: 'USD', payer: true, index: 'USD-LIBOR-3M', tenor: '3M', fixingDays: '2' }, { currency: 'USD', payer: false, tenor: '3M', fixingDays: '2' }),
      // €STR against SOFR, both fixing 2 days early, on TARGET + US-FED
      swap(
        'XCCY_FD',
        { currency: 'EUR', payer: true, notional: '90000000', calendar: 'TARGET,US-FED', fixingDays: '2', exchanges: true },
        { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', fixingDays: '2', exchanges: true },
      ),
    ),
  });

  it('maps them: FixingDays n → float_lookback_days n with float_observation_shift false; 0 changes nothing', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, ...termsOfRow(result, r.trade_id as string)])).toEqual([
      ['OIS_FD2', 'OIS', 2, false, undefined],
      ['OIS_FD0', 'OIS', undefined, undefined, undefined],
      ['OIS_FD_CUTOFF', 'OIS', 3, false, 1],
      ['OIS_LB_FD0', 'OIS', 2, true, undefined],
      ['BASIS_FD', 'BASIS', 2, false, undefined],
      ['BASIS_FD_TERM0', 'BASIS', 2, false, undefined],
      ['BASIS_FD_TERM2', 'BASIS', 2, false, undefined],
      ['XCCY_FD', 'XCCY', 2, false, undefined],
    ]);
    const row = result.rows.trades.find((r) => r.trade_id === 'OIS_FD0')!;
    expect(['float_lookback_days', 'float_observation_shift', 'float_lockout_days'].some((k) => k in row)).toBe(false);
    const column = (name: string) => result.tables.trades.columns.find((c) => c.name === name);
    expect(column('float_observation_shift')).toEqual({ name: 'float_observation_shift', type: 'bool', values: [false, null, false, true, false, false, false, false] });
  });

  it("reports nothing where the row's calendar is the index's fixing calendar; otherwise approximated on FixingDays, naming both", () => {
    for (const id of ['OIS_FD2', 'OIS_FD0', 'OIS_FD_CUTOFF', 'BASIS_FD', 'BASIS_FD_TERM0', 'BASIS_FD_TERM2'])
      expect(findingsOf(result, id).filter((f) => f.field?.endsWith('FixingDays'))).toEqual([]);
    expect(findingsOf(result, 'XCCY_FD').filter((f) => f.field?.endsWith('FixingDays'))).toEqual([
      {
        kind: 'approximated',
        field: 'SwapData/LegData[1]/FloatingLegData/FixingDays',
        value: '2',
        reason: "xva fixes each day's rate 2 business days before it on the trade's calendar, TARGET+USNY; ORE counts FixingDays on EUR-ESTR's fixing calendar, TARGET",
      },
      {
        kind: 'approximated',
        field: 'SwapData/LegData[2]/FloatingLegData/FixingDays',
        value: '2',
        reason: "xva fixes each day's rate 2 business days before it on the trade's calendar, TARGET+USNY; ORE counts FixingDays on USD-SOFR's fixing calendar, USNY",
      },
    ]);
  });

  it('written and loaded: the overnight legs look back without the shift, the term legs not at all', async () => {
    const { book } = await writtenAndLoaded(result, 'fixingdays');
    expect(floatTerms(book.trades, 'OIS_FD2')).toEqual([{ index: 'USD-SOFR', lookbackDays: 2, observationShift: undefined, lockoutDays: undefined }]);
    expect(floatTerms(book.trades, 'OIS_FD0')).toEqual([{ index: 'USD-SOFR', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined }]);
    expect(floatTerms(book.trades, 'OIS_FD_CUTOFF')).toEqual([{ index: 'USD-SOFR', lookbackDays: 3, observationShift: undefined, lockoutDays: 1 }]);
    expect(floatTerms(book.trades, 'OIS_LB_FD0')).toEqual([{ index: 'USD-SOFR', lookbackDays: 2, observationShift: true, lockoutDays: undefined }]);
    for (const id of ['BASIS_FD', 'BASIS_FD_TERM0', 'BASIS_FD_TERM2'])
      expect(floatTerms(book.trades, id)).toEqual([
        { index: 'USD-LIBOR-3M', lookbackDays: undefined, observationShift: undefined, lockoutDays: undefined },
        { index: 'USD-SOFR', lookbackDays: 2, observationShift: undefined, lockoutDays: undefined },
      ]);
    expect(floatTerms(book.trades, 'XCCY_FD')).toEqual([
      { index: 'EUR-ESTR', lookbackDays: 2, observationShift: undefined, lockoutDays: undefined },
      { index: 'USD-SOFR', lookbackDays: 2, observationShift: undefined, lockoutDays: undefined },
    ]);
  });

  it('FixingDays xva cannot hold leaves the trade out, with the field and the reason', () => {
    const cases: [id: string, trade: string, field: string, value: string | undefined, reason: string][] = [
      [
        'LB_AND_FD',
        ois('LB_AND_FD', { lookback: '2D', fixingDays: '1' }),
        'SwapData/LegData[2]/FloatingLegData/FixingDays',
        '1',
        "a FixingDays of 1 beside a Lookback of 2D is not supported by xva: ORE then shifts the observation period back 2 business days and fixes each rate 1 more before its shifted day, two lags where xva's row has one float_lookback_days (expected FixingDays 0 or absent with a Lookback, or no Lookback)",
      ],
      [
        // SOFR with the shift (Lookback) against Fed Funds without (FixingDays): 2 days each, two kinds
        'SHIFT_AND_LAG',
        swap('SHIFT_AND_LAG', { currency: 'USD', payer: true, lookback: '2D' }, { currency: 'USD', payer: false, index: 'USD-FedFunds', fixingDays: '2' }),
        'SwapData/LegData[2]/FloatingLegData/FixingDays',
        '2',
        "the overnight legs look back 2 business days in different ways (SwapData/LegData[1]: Lookback, the observation period shifted; SwapData/LegData[2]: FixingDays, each rate fixed before its accrual day); xva has one float_observation_shift per trade, for all its overnight legs",
      ],
      [
        'XCCY_FD_ONE_LEG',
        swap(
          'XCCY_FD_ONE_LEG',
          { currency: 'EUR', payer: true, notional: '90000000', calendar: 'TARGET,US-FED', fixingDays: '2', exchanges: true },
          { currency: 'USD', payer: false, calendar: 'TARGET,US-FED', exchanges: true },
        ),
        'SwapData/LegData[2]/FloatingLegData/FixingDays',
        undefined,
        "the overnight legs' lookbacks differ (SwapData/LegData[1]: 2 business days (FixingDays: each rate fixed before its day, no observation shift), SwapData/LegData[2]: 0 business days; a missing Lookback or FixingDays is 0); xva has one float_lookback_days per trade, for all its overnight legs",
      ],
      [
        'FD_ELEVEN',
        ois('FD_ELEVEN', { fixingDays: '11' }),
        'SwapData/LegData[2]/FloatingLegData/FixingDays',
        '11',
        "a fixing lag of 11 business days on an overnight leg (a lookback without observation shift) is more than xva's float_lookback_days holds (0 to 10)",
      ],
      ['FD_FRACTION', ois('FD_FRACTION', { fixingDays: '1.5' }), 'SwapData/LegData[2]/FloatingLegData/FixingDays', '1.5', 'expected a whole number of business days (ORE reads FixingDays as an integer)'],
      ['FD_NEGATIVE', ois('FD_NEGATIVE', { fixingDays: '-1' }), 'SwapData/LegData[2]/FloatingLegData/FixingDays', '-1', 'expected a number of at least 0'],
      [
        'RESET_FD',
        swap(
          'RESET_FD',
          { currency: 'USD', payer: false, index: 'USD-LIBOR-3M', tenor: '3M', calendar: 'TARGET', exchanges: true },
          { currency: 'EUR', payer: true, notional: '88312931.57', calendar: 'TARGET', fxReset: EUR_TO_USD, fixingDays: '2', exchanges: true },
        ),
        'SwapData/LegData[2]/FloatingLegData/FixingDays',
        '2',
        "a lookback or rate cutoff on the resetting leg (fx_reset) is not supported by xva: it compounds a resetting leg's overnight rates in arrears",
      ],
    ];
    const refused = importOre({ portfolioXml: portfolio(...cases.map((c) => c[1])) });
    expect(refused.rows.trades).toEqual([]);
    expect(unmapped(refused.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason])).toEqual(cases.map(([id, , field, value, reason]) => [id, field, value, reason]));
    for (const name of ['float_lookback_days', 'float_observation_shift', 'float_lockout_days']) expect(columnNames(refused)).not.toContain(name);
  });

  it("10 business days is the most FixingDays holds; a swaption's overnight FixingDays is reported as ignored, a term-index leg's left as before", () => {
    const kept = importOre({
      portfolioXml: portfolio(
        ois('FD_TEN', { fixingDays: '10' }),
        swaption('SWAPTION_FD', { fixingDays: '2' }),
        swap('IRS_TERM_FD', { currency: 'EUR', payer: true, type: 'Fixed' }, { currency: 'EUR', payer: false, index: 'EUR-EURIBOR-6M', tenor: '6M', fixingDays: '2' }),
      ),
    });
    expect(unmapped(kept.report.findings)).toEqual([]);
    expect(kept.rows.trades.map((r) => [r.trade_id, r.product, ...termsOfRow(kept, r.trade_id as string)])).toEqual([
      ['FD_TEN', 'OIS', 10, false, undefined],
      ['SWAPTION_FD', 'SWAPTION', undefined, undefined, undefined],
      ['IRS_TERM_FD', 'IRS', undefined, undefined, undefined],
    ]);
    // QuantExt fixes each of the swaption's daily rates 2 business days early; xva compounds them in arrears: said
    expect(kept.report.findings.filter((f) => f.field?.endsWith('FixingDays')).map((f) => [f.tradeId, f.kind, f.field, f.value, f.reason])).toEqual([
      [
        'SWAPTION_FD',
        'approximated',
        'SwaptionData/LegData[2]/FloatingLegData/FixingDays',
        '2',
        "FixingDays ignored: on an overnight leg ORE fixes each daily rate that many business days early (a lookback); xva compounds this trade's overnight rates in arrears (float_lookback_days is for IRS, OIS, BASIS and XCCY rows)",
      ],
    ]);
  });
});

describe("newer ORE's ObservationShift beside a Lookback", () => {
  it('false keeps the accrual days\' weights (float_observation_shift false); true or absent shifts; unreadable is refused', () => {
    const result = importOre({
      portfolioXml: portfolio(
        ois('OIS_NO_SHIFT', { lookback: '2D', shift: 'false' }),
        ois('OIS_SHIFT', { lookback: '2D', shift: 'true' }),
        ois('OIS_DEFAULT', { lookback: '2D' }),
        ois('OIS_SHIFT_ONLY', { shift: 'false' }),
        ois('OIS_BAD', { lookback: '2D', shift: 'maybe' }),
      ),
    });
    expect(result.rows.trades.map((r) => [r.trade_id, ...termsOfRow(result, r.trade_id as string)])).toEqual([
      ['OIS_NO_SHIFT', 2, false, undefined],
      ['OIS_SHIFT', 2, true, undefined],
      ['OIS_DEFAULT', 2, true, undefined],
      ['OIS_SHIFT_ONLY', undefined, undefined, undefined],
    ]);
    expect(unmapped(result.report.findings)).toEqual([expect.objectContaining({ tradeId: 'OIS_BAD', field: expect.stringMatching(/FloatingLegData\/ObservationShift$/) })]);
  });
});
