/**
 * `xva import ore` of fixed rates and cap/floor rates that change by coupon period (docs/import-ore.md): several
 * `FixedLegData/Rates/Rate` values on a swap or physically settled swaption, several `Caps/Cap` on a cap → the
 * trade's fixed_rate / strike (the first period's rate) plus rate_schedules rows (docs/inputs.md "Step-up rates").
 * References independent of the code under test:
 * - the expected rows, written out by hand from ORE's rule (buildScheduledVector, as for notionals: one value per
 *   coupon period in order, the last repeated; or the value whose startDate is on or before the period's accrual
 *   start) on schedules rolled here by eye: TARGET, modified following, 1 March and 1 September (never TARGET
 *   holidays), of which 1 Sep 2029 is a Saturday → Monday 3 Sep 2029 and 1 Sep 2030 a Sunday → Monday 2 Sep 2030;
 * - the loaded step-up swap's price against its decomposition into two flat-rate IRS split at the step date (both
 *   legs split; built here term by term and priced by the flat-rate code path), and the stepped cap's against two
 *   flat-strike caps split likewise (each caplet is priced on its own period);
 * - a physical step-up payer swaption is worth between the flat payers at its lowest and highest rate (its payoff
 *   falls as any coupon rate rises).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { formatFinding, importOre, type ImportFinding, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadMarket } from '../src/market/load.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { priceTrade } from '../src/pricing/index.js';
import type { CapFloor, FixedLeg, FloatLeg, InterestRateSwap, Swaption, Trade } from '../src/products/types.js';
import { fixingDaysFor } from './helpers/oreXml.js';

const market = loadMarket(path.resolve('fixtures/demo/market.yaml')); // as of 2026-06-30: every trade below starts later
const N = 10_000_000;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-rates-${label}-`));
  temps.push(dir);
  return dir;
}

/** A portfolio XML with the given trades (each `<Trade>` element text). */
function portfolio(...trades: string[]): string {
  return `<?xml version="1.0"?>\n<Portfolio>\n${trades.join('\n')}\n</Portfolio>\n`;
}

function envelope(cpty = 'CPTY_X', ns = 'NS_X'): string {
  return `<Envelope><CounterParty>${cpty}</CounterParty><NettingSetId>${ns}</NettingSetId></Envelope>`;
}

/** `value@date`: a value with its startDate attribute. */
function list(item: string, values: string[]): string {
  return values.map((v) => (v.includes('@') ? `<${item} startDate="${v.split('@')[1]}">${v.split('@')[0]}</${item}>` : `<${item}>${v}</${item}>`)).join('');
}

interface LegSpec {
  type: 'Fixed' | 'Floating';
  payer: boolean;
  ccy?: string;
  notional?: string;
  rates?: string[];
  index?: string;
  tenor: string;
  dc?: string;
  start: string;
  end: string;
  /** Notionals/Exchanges: initial and final. */
  exchanges?: boolean;
}

function leg(s: LegSpec): string {
  const exchanges = s.exchanges ? '<Exchanges><NotionalInitialExchange>true</NotionalInitialExchange><NotionalFinalExchange>true</NotionalFinalExchange></Exchanges>' : '';
  const data =
    s.type === 'Fixed'
      ? `<FixedLegData><Rates>${list('Rate', s.rates ?? ['0.02'])}</Rates></FixedLegData>`
      : `<FloatingLegData><Index>${s.index ?? 'EUR-EURIBOR-6M'}</Index><Spreads><Spread>0.0</Spread></Spreads><IsInArrears>false</IsInArrears><FixingDays>${fixingDaysFor(s.index ?? 'EUR-EURIBOR-6M')}</FixingDays></FloatingLegData>`;
  return `<LegData><LegType>${s.type}</LegType><Payer>${s.payer}</Payer><Currency>${s.ccy ?? 'EUR'}</Currency>
    <Notionals><Notional>${s.notional ?? N}</Notional>${exchanges}</Notionals><DayCounter>${s.dc ?? 'A360'}</DayCounter><PaymentConvention>MF</PaymentConvention>${data}
    <ScheduleData><Rules><StartDate>${s.start}</StartDate><EndDate>${s.end}</EndDate><Tenor>${s.tenor}</Tenor><Calendar>TARGET</Calendar>
    <Convention>MF</Convention><TermConvention>MF</TermConvention><Rule>Forward</Rule><EndOfMonth/></Rules></ScheduleData></LegData>`;
}

/** Pay (or receive) fixed annually on 30/360 against EURIBOR 6M on ACT/360, 10m EUR. */
function swapLegs(rates: string[], payFixed: boolean, start: string, end: string): LegSpec[] {
  return [
    { type: 'Fixed', payer: payFixed, rates, tenor: '1Y', dc: '30/360', start, end },
    { type: 'Floating', payer: !payFixed, tenor: '6M', start, end },
  ];
}

function swapTrade(id: string, legs: LegSpec[], cpty?: string, ns?: string): string {
  return `<Trade id="${id}"><TradeType>Swap</TradeType>${envelope(cpty, ns)}<SwapData>${legs.map(leg).join('')}</SwapData></Trade>`;
}

function swaptionTrade(id: string, settlement: 'Physical' | 'Cash', expiry: string, legs: LegSpec[]): string {
  return `<Trade id="${id}"><TradeType>Swaption</TradeType>${envelope()}<SwaptionData><OptionData><LongShort>Long</LongShort><OptionType>Call</OptionType>
    <Style>European</Style><Settlement>${settlement}</Settlement><ExerciseDates><ExerciseDate>${expiry}</ExerciseDate></ExerciseDates></OptionData>
    ${legs.map(leg).join('')}</SwaptionData></Trade>`;
}

function capTrade(id: string, caps: string[], start: string, end: string): string {
  return `<Trade id="${id}"><TradeType>CapFloor</TradeType>${envelope()}<CapFloorData><LongShort>Long</LongShort>
    ${leg({ type: 'Floating', payer: false, tenor: '6M', start, end })}<Caps>${list('Cap', caps)}</Caps></CapFloorData></Trade>`;
}

const unmapped = (findings: ImportFinding[]) => findings.filter((f) => f.kind === 'unmapped_trade');

/** The import written as CSV (or Parquet) and loaded back through the portfolio loader, with no issue. */
async function writtenAndLoaded(result: OreImportResult, dir: string, format: 'csv' | 'parquet' = 'csv') {
  const written = writeOreImport(dir, result, format).map((f) => path.basename(f));
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'EUR' });
  expect(issues.issues).toEqual([]);
  return { book, written };
}

function loaded<P extends Trade['product']>(trades: Trade[], id: string, product: P): Trade & { product: P } {
  const t = trades.find((x) => x.tradeId === id);
  if (t?.product !== product) throw new Error(`test: ${id} is not a loaded ${product}`);
  return t as Trade & { product: P };
}

/** The schedule terms of every leg below: TARGET, modified following, generated forwards from the start. */
const TERMS = { businessDayConvention: 'MF' as const, calendar: 'TARGET', stub: 'short_back' as const, endOfMonth: false };

function fixedLeg(start: DateSerial, end: DateSerial, fixedRate: number): FixedLeg {
  return { kind: 'fixed', currency: 'EUR', notional: N, fixedRate, startDate: start, maturityDate: end, frequency: '1Y', dayCount: '30/360', ...TERMS };
}

function floatLeg(start: DateSerial, end: DateSerial): FloatLeg {
  return { kind: 'float', currency: 'EUR', notional: N, floatIndex: 'EUR-EURIBOR-6M', spreadBp: 0, startDate: start, maturityDate: end, frequency: '6M', dayCount: 'ACT/360', ...TERMS };
}

const BOOK = { counterpartyId: 'CPTY_X', nettingSetId: 'NS_X', cleared: false };

describe('ORE Swap with several fixed rates → IRS fixed_rate + rate_schedules rows', () => {
  // pay 2%, 2%, then 3% (the last repeated) annually from 2026-09-01 to 2031-09-01: the fixed periods start 2026-09-01,
  // 2027-09-01, 2028-09-01, 2029-09-03 (1 Sep a Saturday) and 2030-09-02 (1 Sep a Sunday); 2% on the first two
  const perPeriod = swapTrade('SWAP_STEP', swapLegs(['0.02', '0.02', '0.03'], true, '2026-09-01', '2031-09-01'));
  // receive 2.5%, 2.75% from 2028-06-15 (the first period starting on or after it: 2028-09-01) and 2.2% from
  // 2029-09-01 (the period starting 2029-09-03, 1 Sep being a Saturday: the row is the rolled accrual start)
  const dated = swapTrade('SWAP_DATED', swapLegs(['0.025', '0.0275@2028-06-15', '0.022@2029-09-01'], false, '2026-09-01', '2031-09-01'));
  // ORE's own case for the rule (its LegData unit test, on notionals there): 1%, 2% from 2015-01-01, 3% from 2016-01-01
  // on a 6M schedule from 2014-06-01 (a Sunday: periods from 2014-06-02, 2014-12-01, 2015-06-01, 2015-12-01 and
  // 2016-06-01, modified following) gives 1%, 1%, 2%, 2%, 3%
  const oreCase = swapTrade('ORE_CASE', [
    { type: 'Fixed', payer: true, rates: ['0.01', '0.02@2015-01-01', '0.03@2016-01-01'], tenor: '6M', start: '2014-06-01', end: '2016-12-01' },
    { type: 'Floating', payer: false, tenor: '6M', start: '2014-06-01', end: '2016-12-01' },
  ]);
  const result = importOre({ portfolioXml: portfolio(perPeriod, dated, oreCase) });

  it('maps all three as IRS with the first rate in fixed_rate and no finding on them', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.report.findings.filter((f) => f.tradeId !== undefined)).toEqual([]);
    expect(result.rows.trades.map((r) => [r.trade_id, r.product, r.direction, r.fixed_rate, r.amortization])).toEqual([
      ['SWAP_STEP', 'IRS', 'pay', 0.02, null], // <Rate>0.02</Rate> first; amortization stays blank (one notional)
      ['SWAP_DATED', 'IRS', 'receive', 0.025, null],
      ['ORE_CASE', 'IRS', 'pay', 0.01, null],
    ]);
  });

  it('per period: one row at the accrual start where the rate changes (3% from 2028-09-01), none where it repeats', () => {
    expect(result.rows.rateSchedules.filter((r) => r.trade_id === 'SWAP_STEP')).toEqual([{ trade_id: 'SWAP_STEP', from_date: fromYmd(2028, 9, 1), rate: 0.03 }]);
  });

  it('with startDate: from the first period starting on or after it, dated on that period\'s (rolled) accrual start', () => {
    expect(result.rows.rateSchedules.filter((r) => r.trade_id === 'SWAP_DATED')).toEqual([
      { trade_id: 'SWAP_DATED', from_date: fromYmd(2028, 9, 1), rate: 0.0275 },
      { trade_id: 'SWAP_DATED', from_date: fromYmd(2029, 9, 3), rate: 0.022 },
    ]);
    expect(result.rows.rateSchedules.filter((r) => r.trade_id === 'ORE_CASE')).toEqual([
      { trade_id: 'ORE_CASE', from_date: fromYmd(2015, 6, 1), rate: 0.02 },
      { trade_id: 'ORE_CASE', from_date: fromYmd(2016, 6, 1), rate: 0.03 },
    ]);
    expect(result.tables.rate_schedules?.columns.map((c) => [c.name, c.type])).toEqual([
      ['trade_id', 'utf8'],
      ['from_date', 'date'],
      ['rate', 'float64'],
    ]);
  });

  it('written and loaded: fixedLeg.rateSteps as the rows; the price is the two flat-rate swaps split at 2028-09-01 (1e-9 of N)', async () => {
    const { book, written } = await writtenAndLoaded(result, tempDir('swap'));
    expect(written).toContain('rate_schedules.csv');
    expect(written).not.toContain('notional_schedules.csv');
    const step = loaded(book.trades, 'SWAP_STEP', 'IRS');
    expect(step.fixedLeg.fixedRate).toBe(0.02);
    expect(step.fixedLeg.rateSteps).toEqual({ fromDates: [fromYmd(2028, 9, 1)], rates: [0.03] });
    expect(step.floatLeg.amortization).toBeUndefined();
    expect(loaded(book.trades, 'SWAP_DATED', 'IRS').fixedLeg.rateSteps).toEqual({ fromDates: [fromYmd(2028, 9, 1), fromYmd(2029, 9, 3)], rates: [0.0275, 0.022] });

    const start = fromYmd(2026, 9, 1);
    const split = fromYmd(2028, 9, 1);
    const end = fromYmd(2031, 9, 1);
    const piece = (id: string, from: DateSerial, to: DateSerial, rate: number): InterestRateSwap => ({
      ...BOOK,
      tradeId: id,
      product: 'IRS',
      direction: 'pay',
      fixedLeg: fixedLeg(from, to, rate),
      floatLeg: floatLeg(from, to),
    });
    const npv = priceTrade(step, market).npv;
    const pieces = priceTrade(piece('A', start, split, 0.02), market).npv + priceTrade(piece('B', split, end, 0.03), market).npv;
    expect(Math.abs(npv - pieces)).toBeLessThan(1e-9 * N);
    // and the step matters: paying 3% for three years instead of 2% is about 1% × 3 years × N
    expect(Math.abs(npv - priceTrade(piece('FLAT', start, end, 0.02), market).npv)).toBeGreaterThan(0.02 * N);
  });
});

describe('ORE physically settled Swaption with two fixed rates → SWAPTION fixed_rate + rate_schedules rows', () => {
  // exercise 2027-02-25 into paying 2.5% then 3% (one per period, the last repeated) from 2027-03-01 to 2032-03-01:
  // the fixed periods start 2027-03-01, 2028-03-01, ...: 3% from 2028-03-01
  const swaption = swaptionTrade('SWPT_STEP', 'Physical', '2027-02-25', swapLegs(['0.025', '0.03'], true, '2027-03-01', '2032-03-01'));
  const result = importOre({ portfolioXml: portfolio(swaption) });

  it('maps it: payer (the fixed leg is paid), physical, fixed_rate 2.5%, one row from 2028-03-01', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades).toHaveLength(1);
    expect(result.rows.trades[0]).toMatchObject({
      trade_id: 'SWPT_STEP',
      product: 'SWAPTION',
      direction: 'buy',
      option_type: 'payer',
      settlement: 'physical',
      expiry_date: fromYmd(2027, 2, 25),
      fixed_rate: 0.025,
      amortization: null,
    });
    expect(result.rows.rateSchedules).toEqual([{ trade_id: 'SWPT_STEP', from_date: fromYmd(2028, 3, 1), rate: 0.03 }]);
  });

  it('written and loaded: fixedLeg.rateSteps as the row; worth between the flat payers at 3% and at 2.5%', async () => {
    const { book } = await writtenAndLoaded(result, tempDir('swaption'));
    const sw = loaded(book.trades, 'SWPT_STEP', 'SWAPTION');
    expect([sw.settlement, sw.fixedLeg.fixedRate]).toEqual(['physical', 0.025]);
    expect(sw.fixedLeg.rateSteps).toEqual({ fromDates: [fromYmd(2028, 3, 1)], rates: [0.03] });
    const { rateSteps: _steps, ...terms } = sw.fixedLeg;
    const flat = (rate: number): Swaption => ({ ...sw, fixedLeg: { ...terms, fixedRate: rate } });
    const npv = priceTrade(sw, market).npv;
    const low = priceTrade(flat(0.03), market).npv;
    const high = priceTrade(flat(0.025), market).npv;
    expect(low).toBeLessThan(npv);
    expect(npv).toBeLessThan(high);
  });
});

describe('ORE CapFloor with several cap rates → CAPFLOOR strike + rate_schedules rows', () => {
  // a bought EURIBOR-6M cap from 2026-09-01 to 2029-09-01 at 2.5%, 2.5%, then 3% (the last repeated): the caplet
  // periods start 2026-09-01, 2027-03-01, 2027-09-01, 2028-03-01, 2028-09-01, 2029-03-01: 3% from 2027-09-01
  const cap = capTrade('CAP_STEP', ['0.025', '0.025', '0.03'], '2026-09-01', '2029-09-01');
  const result = importOre({ portfolioXml: portfolio(cap) });

  it('maps it: strike 2.5% (the first period\'s), one row from 2027-09-01', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades[0]).toMatchObject({ trade_id: 'CAP_STEP', product: 'CAPFLOOR', direction: 'buy', option_type: 'cap', strike: 0.025, amortization: null });
    expect(result.rows.rateSchedules).toEqual([{ trade_id: 'CAP_STEP', from_date: fromYmd(2027, 9, 1), rate: 0.03 }]);
  });

  it('written and loaded: strikeSteps as the row; the price is the two flat-strike caps split at 2027-09-01 (1e-9 of N)', async () => {
    const { book } = await writtenAndLoaded(result, tempDir('cap'));
    const c = loaded(book.trades, 'CAP_STEP', 'CAPFLOOR');
    expect(c.strike).toBe(0.025);
    expect(c.strikeSteps).toEqual({ fromDates: [fromYmd(2027, 9, 1)], rates: [0.03] });
    const piece = (id: string, from: DateSerial, to: DateSerial, strike: number): CapFloor => ({
      ...BOOK,
      tradeId: id,
      product: 'CAPFLOOR',
      direction: 'buy',
      optionType: 'cap',
      strike,
      floatLeg: floatLeg(from, to),
    });
    const split = fromYmd(2027, 9, 1);
    const npv = priceTrade(c, market).npv;
    const pieces = priceTrade(piece('A', fromYmd(2026, 9, 1), split, 0.025), market).npv + priceTrade(piece('B', split, fromYmd(2029, 9, 1), 0.03), market).npv;
    expect(npv).toBeGreaterThan(0);
    expect(Math.abs(npv - pieces)).toBeLessThan(1e-9 * N);
  });
});

describe('several fixed rates where xva takes no rate steps are refused, each with its reason', () => {
  const cash = swaptionTrade('SWPT_CASH', 'Cash', '2027-02-25', swapLegs(['0.025', '0.03'], true, '2027-03-01', '2032-03-01'));
  const xccy = swapTrade('XCCY_STEP', [
    { type: 'Fixed', payer: true, rates: ['0.02', '0.03'], tenor: '1Y', start: '2026-09-01', end: '2031-09-01', exchanges: true },
    { type: 'Floating', payer: false, ccy: 'USD', notional: '11000000', index: 'USD-SOFR', tenor: '3M', start: '2026-09-01', end: '2031-09-01', exchanges: true },
  ]);
  const cds = `<Trade id="CDS_STEP"><TradeType>CreditDefaultSwap</TradeType>${envelope()}<CreditDefaultSwapData><CreditCurveId>ACME</CreditCurveId>
    ${leg({ type: 'Fixed', payer: true, rates: ['0.01', '0.02'], tenor: '3M', start: '2026-09-20', end: '2031-12-20' })}</CreditDefaultSwapData></Trade>`;
  const mixed = swapTrade('MIXED_DATES', swapLegs(['0.02', '0.025@2028-09-01', '0.03'], true, '2026-09-01', '2031-09-01'));
  // a stepped swap that maps but is then left out (its netting set belongs to CPTY_X): no rows for it
  const dropped = swapTrade('DROPPED', swapLegs(['0.02', '0.03'], true, '2026-09-01', '2031-09-01'), 'CPTY_Y', 'NS_X');
  // equal rates (given once per period) are one rate: mapped, no row
  const equal = swapTrade('EQUAL', swapLegs(['0.02', '0.02', '0.02'], true, '2026-09-01', '2031-09-01'));
  const r = importOre({ portfolioXml: portfolio(cash, xccy, cds, mixed, equal, dropped) });

  it('lists each with field, value and reason; maps the flat one; writes no rate_schedules rows', () => {
    expect(unmapped(r.report.findings).map((f) => [f.tradeId, f.oreTradeType, f.field, f.value, f.reason])).toEqual([
      [
        'SWPT_CASH',
        'Swaption',
        'SwaptionData/LegData[1]/FixedLegData/Rates',
        '0.025,0.03',
        "a cash-settled swaption on a step-up swap is not supported by xva (its par-yield cash annuity is a flat-rate swap's): rate_schedules step the fixed rate of physically settled swaptions only",
      ],
      [
        'XCCY_STEP',
        'Swap',
        'SwapData/LegData[1]/FixedLegData/Rates',
        '0.02,0.03',
        'step-up fixed rates on a cross-currency swap are not supported by xva (rate_schedules step the fixed rate of IRS, OIS and physically settled SWAPTION only)',
      ],
      [
        'CDS_STEP',
        'CreditDefaultSwap',
        'CreditDefaultSwapData/LegData[1]/FixedLegData/Rates',
        '0.01,0.02',
        'step-up fixed rates (2 values): xva steps the fixed rate of single-currency fixed/float swaps and swaptions only (rate_schedules)',
      ],
      ['MIXED_DATES', 'Swap', 'SwapData/LegData[1]/FixedLegData/Rates', '-,2028-09-01,-', 'fixed rates with a startDate on some values but not all'],
      [
        'DROPPED',
        undefined, // (the netting-set check names no trade type)
        'Envelope/NettingSetId',
        'NS_X',
        'netting set NS_X belongs to counterparty CPTY_X (trade EQUAL), not CPTY_Y; an xva netting set has one counterparty',
      ],
    ]);
    // the left-out trade's finding has its line, as every other trade finding (an audit found it without)
    const left = unmapped(r.report.findings).find((f) => f.tradeId === 'DROPPED')!;
    expect(left.line).toBeGreaterThan(unmapped(r.report.findings).find((f) => f.tradeId === 'MIXED_DATES')!.line!);
    expect(r.rows.trades.map((t) => [t.trade_id, t.fixed_rate])).toEqual([['EQUAL', 0.02]]);
    expect(r.rows.rateSchedules).toEqual([]);
    expect(r.tables.rate_schedules).toBeUndefined();
    expect(formatFinding(unmapped(r.report.findings)[0]!)).toMatch(
      /^unmapped trade: portfolio\.xml:\d+ trade SWPT_CASH \(Swaption\) SwaptionData\/LegData\[1\]\/FixedLegData\/Rates = 0\.025,0\.03: a cash-settled swaption on a step-up swap/,
    );
  });
});

describe('a re-import without step-ups leaves no stale rate_schedules rows', () => {
  it('the older rate_schedules file is replaced by an empty table: the same trade id, now flat, loads without steps', async () => {
    for (const format of ['csv', 'parquet'] as const) {
      const dir = tempDir(`reimport-${format}`);
      const first = await writtenAndLoaded(importOre({ portfolioXml: portfolio(swapTrade('SWAP_1', swapLegs(['0.02', '0.03'], true, '2026-09-01', '2031-09-01'))) }), dir, format);
      expect(first.written).toContain(`rate_schedules.${format}`);
      expect(loaded(first.book.trades, 'SWAP_1', 'IRS').fixedLeg.rateSteps).toEqual({ fromDates: [fromYmd(2027, 9, 1)], rates: [0.03] });

      const again = importOre({ portfolioXml: portfolio(swapTrade('SWAP_1', swapLegs(['0.02'], true, '2026-09-01', '2031-09-01'))) });
      expect(again.tables.rate_schedules).toBeUndefined();
      const second = await writtenAndLoaded(again, dir, format);
      expect(second.written).toContain(`rate_schedules.${format}`);
      expect(loaded(second.book.trades, 'SWAP_1', 'IRS').fixedLeg.rateSteps).toBeUndefined();
      if (format === 'csv') expect(fs.readFileSync(path.join(dir, 'rate_schedules.csv'), 'utf8').trim()).toBe('trade_id,from_date,rate');
    }
  });

  it('a fresh folder gets no rate_schedules file when nothing steps', async () => {
    const { written } = await writtenAndLoaded(importOre({ portfolioXml: portfolio(swapTrade('SWAP_1', swapLegs(['0.02'], true, '2026-09-01', '2031-09-01'))) }), tempDir('fresh'));
    expect(written.some((f) => f.startsWith('rate_schedules'))).toBe(false);
  });
});
