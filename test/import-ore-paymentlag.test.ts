/**
 * `xva import ore` of ORE's `LegData/PaymentLag` (docs/import-ore.md): on a `Swap` or `CrossCurrencySwap` mapped to an
 * IRS, OIS, BASIS or XCCY row, a lag given in business days (`2`, `2D`; absent = 0) and the same on both legs becomes
 * the row's `payment_lag_days`; legs with different lags, and a lag in weeks, months or years, above 30 days or
 * unreadable, leave the trade out with the field and the reason. A swaption's, cap's or resetting cross-currency
 * swap's lag is reported as ignored (xva pays those on their accrual ends) and writes nothing. The column is written
 * only when some imported trade pays late.
 * References independent of the code: ORE's LegData (OREData/ored/portfolio/legdata.cpp: the coupons are paid
 * `PaymentLagInteger(parsePaymentLag(PaymentLag))` business days of the payment calendar after the accrual end;
 * parsers.cpp parsePaymentLag reads a period or a whole number; the User Guide's legdatanotionals.tex: PaymentCalendar
 * defaults to the schedule's calendar, an OIS leg's to its index's; notional exchanges are paid `NotionalPaymentLag`
 * days late); the dates below read off a calendar by eye (2033-01-27 is a Thursday: two business days later is
 * Monday 2033-01-31).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector } from '../src/errors.js';
import { formatFinding, importOre, type ImportFinding, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Trade } from '../src/products/types.js';
import { columnNames, fixingDaysFor, oreLeg, portfolio, unmapped } from './helpers/oreXml.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  currency: 'USD' | 'EUR';
  payer: boolean;
  /** Default Floating. */
  type?: 'Floating' | 'Fixed';
  /** Floating legs; default the currency's 6M index. */
  index?: string;
  /** Default 6M. */
  tenor?: string;
  /** Default TARGET. */
  calendar?: string;
  /** Default 100m. */
  notional?: string;
  /** `PaymentLag` as written; absent: no element. */
  lag?: string;
  /** `PaymentCalendar`; absent: no element. */
  paymentCalendar?: string;
  /** `NotionalPaymentLag`; absent: no element. */
  notionalLag?: string;
  /** Both exchanges (default false). */
  exchanges?: boolean;
  /** Inner XML of `Notionals/FXReset`; absent: none. */
  fxReset?: string;
}

const INDEX = { USD: 'USD-LIBOR-6M', EUR: 'EUR-EURIBOR-6M' } as const;

/** A leg of every trade below: 2023-01-27 to 2033-01-27, A360, MF, generated forwards (helpers/oreXml.ts's oreLeg). */
function leg(l: Leg): string {
  const index = l.index ?? INDEX[l.currency];
  const exchanges = l.exchanges ?? false;
  return oreLeg({
    ...l,
    index,
    isInArrears: 'false',
    fixingDays: fixingDaysFor(index),
    tenor: l.tenor ?? '6M',
    calendar: l.calendar ?? 'TARGET',
    notionals: l.notional === undefined ? undefined : [l.notional],
    initialExchange: exchanges,
    finalExchange: exchanges,
    paymentLag: l.lag,
    notionalPaymentLag: l.notionalLag,
  });
}

function trade(type: string, id: string, body: string): string {
  return `<Trade id="${id}"><TradeType>${type}</TradeType><Envelope><CounterParty>CPTY</CounterParty><NettingSetId>NS</NettingSetId></Envelope>
  ${body}</Trade>`;
}
const swap = (id: string, leg1: Leg, leg2: Leg) => trade('Swap', id, `<SwapData>${leg(leg1)}${leg(leg2)}</SwapData>`);
const ccs = (id: string, leg1: Leg, leg2: Leg) => trade('CrossCurrencySwap', id, `<CrossCurrencySwapData>${leg(leg1)}${leg(leg2)}</CrossCurrencySwapData>`);

/** Pay EUR fixed 3% annual against EURIBOR 6M (TARGET), each leg with `lag` (or none). */
const irs = (id: string, lag1?: string, lag2?: string, more: Partial<Leg> = {}) =>
  swap(id, { currency: 'EUR', payer: true, type: 'Fixed', tenor: '1Y', lag: lag1 }, { currency: 'EUR', payer: false, lag: lag2, ...more });

/** A European physically settled swaption on the IRS above, exercised 2023-01-25, with `lag` on both legs. */
function swaption(id: string, lag: string): string {
  return trade(
    'Swaption',
    id,
    `<SwaptionData><OptionData><LongShort>Long</LongShort><OptionType>Call</OptionType><Style>European</Style><Settlement>Physical</Settlement>
      <PayOffAtExpiry>false</PayOffAtExpiry><ExerciseDates><ExerciseDate>2023-01-25</ExerciseDate></ExerciseDates></OptionData>
      ${leg({ currency: 'EUR', payer: true, type: 'Fixed', tenor: '1Y', lag })}${leg({ currency: 'EUR', payer: false, lag })}</SwaptionData>`,
  );
}

/** A bought EURIBOR 6M cap at 4% with `lag`. */
function cap(id: string, lag: string): string {
  return trade('CapFloor', id, `<CapFloorData><LongShort>Long</LongShort><Caps><Cap>0.04</Cap></Caps>${leg({ currency: 'EUR', payer: false, lag })}</CapFloorData>`);
}

const rowOf = (result: OreImportResult, id: string) => result.rows.trades.find((r) => r.trade_id === id)!;
const findingsOf = (result: OreImportResult, id: string) =>
  result.report.findings.filter((f) => f.tradeId === id).map(({ kind, field, value, reason }) => ({ kind, field, value, reason }));

async function writtenAndLoaded(result: OreImportResult, label: string, format: 'csv' | 'parquet' = 'csv') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-paymentlag-${label}-`));
  temps.push(dir);
  writeOreImport(dir, result, format);
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'EUR' });
  expect(issues.issues).toEqual([]);
  return { book, dir };
}

/** Both legs of a loaded swap, in the row's order. */
function legsOf(trades: Trade[], id: string) {
  const t = trades.find((x) => x.tradeId === id);
  if (t === undefined) throw new Error(`test: ${id} not loaded`);
  if (t.product === 'IRS' || t.product === 'OIS') return [t.fixedLeg, t.floatLeg] as const;
  if (t.product === 'BASIS' || t.product === 'XCCY') return [t.leg1, t.leg2] as const;
  throw new Error(`test: ${id} is a ${t.product}`);
}

describe('ORE PaymentLag on swaps → payment_lag_days', () => {
  const result = importOre({
    portfolioXml: portfolio(
      irs('IRS_2', '2', '2'),
      // an OIS on SOFR, USD calendar (USNY): `2D` is 2 business days, as `2`
      swap(
        'OIS_2D',
        { currency: 'USD', payer: false, type: 'Fixed', tenor: '1Y', calendar: 'US-FED', lag: '2D' },
        { currency: 'USD', payer: true, index: 'USD-SOFR', tenor: '1Y', calendar: 'US-FED', lag: '2D' },
      ),
      // EURIBOR 3M against 6M
      swap('BASIS_2', { currency: 'EUR', payer: true, index: 'EUR-EURIBOR-3M', tenor: '3M', lag: '2' }, { currency: 'EUR', payer: false, lag: '2' }),
      // pay EUR 90m EURIBOR 6M against USD 100m LIBOR 6M, both on TARGET, notionals exchanged
      ccs('XCCY_2', { currency: 'EUR', payer: true, notional: '90000000', lag: '2', exchanges: true }, { currency: 'USD', payer: false, lag: '2', exchanges: true }),
      // no lag, and a zero lag in two spellings: no key
      irs('IRS_NONE'),
      irs('IRS_ZERO', '0', '0D'),
    ),
  });

  it('maps all six, the lagged ones with payment_lag_days 2, the others without the key', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, r.payment_lag_days])).toEqual([
      ['IRS_2', 'IRS', 2],
      ['OIS_2D', 'OIS', 2],
      ['BASIS_2', 'BASIS', 2],
      ['XCCY_2', 'XCCY', 2],
      ['IRS_NONE', 'IRS', undefined],
      ['IRS_ZERO', 'IRS', undefined],
    ]);
    expect('payment_lag_days' in rowOf(result, 'IRS_NONE')).toBe(false);
    expect('payment_lag_days' in rowOf(result, 'IRS_ZERO')).toBe(false);
  });

  it('writes the int32 column: 2 on the lagged rows, blank on the others', () => {
    expect(result.tables.trades.columns.find((c) => c.name === 'payment_lag_days')).toEqual({
      name: 'payment_lag_days',
      type: 'int32',
      values: [2, 2, 2, 2, null, null],
    });
  });

  it('reports nothing about the lag where each leg pays on the calendar of the row', () => {
    for (const id of ['IRS_2', 'OIS_2D', 'BASIS_2', 'IRS_NONE', 'IRS_ZERO'])
      expect(findingsOf(result, id).filter((f) => f.field?.includes('Payment'))).toEqual([]);
  });

  it("the XCCY's exchanges: ORE pays them NotionalPaymentLag (absent: 0) days late, xva on their dates whatever the coupons' lag: a lag of 0 is nothing to note, another is approximated", () => {
    expect(findingsOf(result, 'XCCY_2').filter((f) => f.field?.includes('Payment'))).toEqual([]);
    const late = importOre({
      portfolioXml: portfolio(
        ccs('XCCY_NL', { currency: 'EUR', payer: true, notional: '90000000', lag: '2', exchanges: true, notionalLag: '2' }, { currency: 'USD', payer: false, lag: '2', exchanges: true }),
      ),
    });
    expect(unmapped(late.report.findings)).toEqual([]);
    const notes = findingsOf(late, 'XCCY_NL').filter((f) => f.field?.includes('Payment'));
    expect(notes.map((f) => [f.kind, f.field, f.value])).toEqual([['approximated', 'CrossCurrencySwapData/LegData[1]/NotionalPaymentLag', '2']]);
    expect(notes[0]!.reason).toMatch(/^xva pays the initial exchange on the start date and the final exchange on the maturity; ORE pays the leg's notional exchanges 2 business days after their dates/);
  });

  it('written and loaded: paymentLagDays 2 on both legs of each lagged swap, none on the others; coupons paid 2 business days after the accrual end', async () => {
    const { book, dir } = await writtenAndLoaded(result, 'mapped');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).toContain('payment_lag_days');
    for (const id of ['IRS_2', 'OIS_2D', 'BASIS_2', 'XCCY_2']) expect(legsOf(book.trades, id).map((l) => l.paymentLagDays)).toEqual([2, 2]);
    for (const id of ['IRS_NONE', 'IRS_ZERO']) expect(legsOf(book.trades, id).map((l) => l.paymentLagDays)).toEqual([undefined, undefined]);
    // the same book through Parquet (an int32 column with blanks)
    const parquet = await writtenAndLoaded(result, 'parquet', 'parquet');
    expect(parquet.book.trades.map((t) => legsOf([t], t.tradeId)[0].paymentLagDays)).toEqual([2, 2, 2, 2, undefined, undefined]);
    // the last fixed coupon of IRS_2 accrues to Thursday 2033-01-27 and is paid on Monday 2033-01-31
    const schedule = buildSchedule(legsOf(book.trades, 'IRS_2')[0]);
    expect([schedule.accrualEnd[schedule.count - 1], schedule.paymentDate[schedule.count - 1]]).toEqual([fromYmd(2033, 1, 27), fromYmd(2033, 1, 31)]);
  });
});

describe('a lag counted on another calendar than the row: approximated', () => {
  const result = importOre({
    portfolioXml: portfolio(
      // the floating leg's lag on the UK calendar (PaymentCalendar), the row's calendar TARGET
      irs('IRS_PAYCAL', '2', '2', { paymentCalendar: 'UK' }),
      // an OIS on SOFR whose schedule is on TARGET: ORE counts the SOFR leg's lag on the index's calendar (US)
      swap(
        'OIS_INDEXCAL',
        { currency: 'USD', payer: false, type: 'Fixed', tenor: '1Y', lag: '2' },
        { currency: 'USD', payer: true, index: 'USD-SOFR', tenor: '1Y', lag: '2' },
      ),
    ),
  });

  it('maps both with the lag and names the calendar ORE counts on', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.payment_lag_days, r.calendar])).toEqual([
      ['IRS_PAYCAL', 2, 'TARGET'],
      ['OIS_INDEXCAL', 2, 'TARGET'],
    ]);
    expect(findingsOf(result, 'IRS_PAYCAL').filter((f) => f.field?.includes('Payment'))).toEqual([
      {
        kind: 'approximated',
        field: 'SwapData/LegData[2]/PaymentCalendar',
        value: 'UK',
        reason: "xva counts the payment lag (2 business days) on the trade's calendar, TARGET; ORE counts SwapData/LegData[2]'s on its payment calendar, GBLO",
      },
    ]);
    expect(findingsOf(result, 'OIS_INDEXCAL').filter((f) => f.field === 'SwapData/LegData[2]/FloatingLegData/Index')).toEqual([
      {
        kind: 'approximated',
        field: 'SwapData/LegData[2]/FloatingLegData/Index',
        value: 'USD-SOFR (fixing calendar USNY)',
        reason: "xva counts the payment lag (2 business days) on the trade's calendar, TARGET; ORE counts SwapData/LegData[2]'s on its payment calendar, USNY",
      },
    ]);
  });
});

describe('lags xva cannot hold leave the trade out, with the field and the reason', () => {
  const cases: [id: string, trade: string, field: string, value: string | undefined, reason: string][] = [
    [
      'DIFFERENT',
      irs('DIFFERENT', '2', '1'),
      'SwapData/LegData[2]/PaymentLag',
      '1',
      "the legs' payment lags differ (SwapData/LegData[1]: 2 business days, SwapData/LegData[2]: 1 business day; a missing PaymentLag is 0); xva has one payment_lag_days per trade, for both legs",
    ],
    [
      'ONE_LEG',
      irs('ONE_LEG', '2', undefined),
      'SwapData/LegData[2]/PaymentLag',
      undefined,
      "the legs' payment lags differ (SwapData/LegData[1]: 2 business days, SwapData/LegData[2]: 0 business days; a missing PaymentLag is 0); xva has one payment_lag_days per trade, for both legs",
    ],
    [
      'XCCY_DIFFERENT',
      ccs('XCCY_DIFFERENT', { currency: 'EUR', payer: true, notional: '90000000', lag: '0', exchanges: true }, { currency: 'USD', payer: false, lag: '2D', exchanges: true }),
      'CrossCurrencySwapData/LegData[2]/PaymentLag',
      '2D',
      "the legs' payment lags differ (CrossCurrencySwapData/LegData[1]: 0 business days, CrossCurrencySwapData/LegData[2]: 2 business days; a missing PaymentLag is 0); xva has one payment_lag_days per trade, for both legs",
    ],
    [
      'WEEK',
      irs('WEEK', '1W', '1W'),
      'SwapData/LegData[1]/PaymentLag',
      '1W',
      "a payment lag in weeks is not supported by xva: payment_lag_days counts business days; give it in days (ORE's coupon legs pay 1W as 7 business days: 7D)",
    ],
    [
      'MONTH',
      irs('MONTH', '1M', '1M'),
      'SwapData/LegData[1]/PaymentLag',
      '1M',
      'a payment lag in months is not supported by xva: payment_lag_days counts business days (ORE cannot convert months to days either)',
    ],
    [
      'TOO_LONG',
      irs('TOO_LONG', '31', '31'),
      'SwapData/LegData[1]/PaymentLag',
      '31',
      "a payment lag of 31 business days is more than xva's payment_lag_days holds (0 to 30)",
    ],
    [
      'UNREADABLE',
      irs('UNREADABLE', 'two', 'two'),
      'SwapData/LegData[1]/PaymentLag',
      'two',
      'not a payment lag xva reads: expected a whole number of business days, e.g. 2 or 2D (ORE would read it as 0)',
    ],
  ];
  const result = importOre({ portfolioXml: portfolio(...cases.map((c) => c[1])) });

  it('maps none of them, lists each once, and writes no payment_lag_days column', () => {
    expect(result.rows.trades).toEqual([]);
    expect(columnNames(result)).not.toContain('payment_lag_days');
    expect(unmapped(result.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason])).toEqual(
      cases.map(([id, , field, value, reason]) => [id, field, value, reason]),
    );
    expect(result.report.counts).toMatchObject({ tradesRead: cases.length, tradesMapped: 0, tradesUnmapped: cases.length });
  });

  it('formats a finding with the trade, the field and the value', () => {
    const f = unmapped(result.report.findings).find((x) => x.tradeId === 'WEEK')!;
    expect(formatFinding(f)).toMatch(/^unmapped trade: portfolio\.xml:\d+ trade WEEK \(Swap\) SwapData\/LegData\[1\]\/PaymentLag = 1W: a payment lag in weeks/);
  });

  it('30 business days is the most a row holds', () => {
    const longest = importOre({ portfolioXml: portfolio(irs('LAG_30', '30D', '30')) });
    expect(unmapped(longest.report.findings)).toEqual([]);
    expect(longest.rows.trades[0]!.payment_lag_days).toBe(30);
  });
});

describe('lags xva does not carry over: reported as ignored, no column', () => {
  const EUR_TO_USD = '<ForeignCurrency>USD</ForeignCurrency><ForeignAmount>100000000</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>';
  const result = importOre({
    portfolioXml: portfolio(
      swaption('SWAPTION_2', '2'),
      cap('CAP_2D', '2D'),
      // ORE's rebalancing example with a lag on both legs: fx_reset, payment_lag_days refused with it
      swap('RESET_2', { currency: 'USD', payer: false, lag: '2', exchanges: true }, { currency: 'EUR', payer: true, notional: '88312931.57', fxReset: EUR_TO_USD, lag: '2', exchanges: true }),
    ),
  });

  it('maps all three, without payment_lag_days', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, 'payment_lag_days' in r])).toEqual([
      ['SWAPTION_2', 'SWAPTION', false],
      ['CAP_2D', 'CAPFLOOR', false],
      ['RESET_2', 'XCCY', false],
    ]);
    expect(rowOf(result, 'RESET_2').fx_reset).toBe('leg2');
    expect(columnNames(result)).not.toContain('payment_lag_days');
  });

  it("a swaption's legs: 'payment lag ignored' on each, approximated", () => {
    expect(findingsOf(result, 'SWAPTION_2').filter((f) => f.field?.endsWith('PaymentLag'))).toEqual(
      [1, 2].map((i) => ({
        kind: 'approximated',
        field: `SwaptionData/LegData[${i}]/PaymentLag`,
        value: '2',
        reason: "payment lag ignored: xva pays a swaption's underlying coupons on their accrual end dates (payment_lag_days is for IRS, OIS, BASIS and XCCY rows)",
      })),
    );
  });

  it("a cap's leg, and a resetting swap's legs", () => {
    expect(findingsOf(result, 'CAP_2D').filter((f) => f.field?.endsWith('PaymentLag'))).toEqual([
      {
        kind: 'approximated',
        field: 'CapFloorData/LegData[1]/PaymentLag',
        value: '2D',
        reason: 'payment lag ignored: xva pays caplets and floorlets on their accrual end dates (payment_lag_days is for IRS, OIS, BASIS and XCCY rows)',
      },
    ]);
    expect(findingsOf(result, 'RESET_2').filter((f) => f.field?.endsWith('PaymentLag'))).toEqual(
      [1, 2].map((i) => ({
        kind: 'approximated',
        field: `SwapData/LegData[${i}]/PaymentLag`,
        value: '2',
        reason: "payment lag ignored: xva pays a resetting cross-currency swap's coupons on their accrual end dates (xva has no payment lag on a swap with fx_reset)",
      })),
    );
  });

  it('written and loaded without errors', async () => {
    const { book, dir } = await writtenAndLoaded(result, 'ignored');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('payment_lag_days');
    expect(book.trades.map((t) => t.tradeId)).toEqual(['SWAPTION_2', 'CAP_2D', 'RESET_2']);
  });
});

describe('no lag anywhere: no column', () => {
  it('an import of swaps without PaymentLag (or with 0) writes no payment_lag_days column and reports nothing about it', async () => {
    const result = importOre({ portfolioXml: portfolio(irs('A'), irs('B', '0', '0'), swaption('C', '0D')) });
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(columnNames(result)).not.toContain('payment_lag_days');
    expect(result.rows.trades.some((r) => 'payment_lag_days' in r)).toBe(false);
    expect(result.report.findings.filter((f) => f.field?.includes('Payment'))).toEqual([]);
    const { dir } = await writtenAndLoaded(result, 'none');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('payment_lag_days');
  });
});
