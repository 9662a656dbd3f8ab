/**
 * `xva import ore` of Bermudan swaptions (docs/import-ore.md): an ORE `Swaption` with `Style` Bermudan → a SWAPTION row
 * with `exercise` = bermudan and `expiry_date` = its first exercise date, when its exercise dates are those xva
 * derives from the row (docs/inputs.md "Bermudan swaptions": the first, then each later fixed accrual start less the
 * same notice, rolled to the preceding business day); any other list, cash settlement and American exercise are left
 * out and reported. References independent of the code under test: the exercise dates, written out by hand as a
 * dealer would, 2 TARGET business days before each fixed accrual start of an annual leg from 2029-02-28 to
 * 2033-02-28, rolled modified following by eye (no TARGET holiday in late February):
 *   accrual starts 2029-02-28 (Wed), 2030-02-28 (Thu), 2031-02-28 (Fri), 2032-02-28 (Sat → Monday 1 March is in the
 *   next month → Friday 2032-02-27);
 *   two business days before: 2029-02-26 (Mon), 2030-02-26 (Tue), 2031-02-26 (Wed), 2032-02-25 (Wed);
 * so the notice is 2 calendar days each time, and the loaded trade's exercise dates must be exactly these.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { formatFinding, importOre, type ImportFinding, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Swaption, Trade } from '../src/products/types.js';
import { columnNames, portfolio, unmapped } from './helpers/oreXml.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A portfolio XML with the given trades (each `<Trade>` element text). */
/** `value@date`: a value with its startDate attribute. */
function list(item: string, values: string[]): string {
  return values.map((v) => (v.includes('@') ? `<${item} startDate="${v.split('@')[1]}">${v.split('@')[0]}</${item}>` : `<${item}>${v}</${item}>`)).join('');
}

interface Underlying {
  /** Pay the fixed leg (a payer swaption). Default true. */
  payFixed?: boolean;
  rates?: string[];
  notionals?: string[];
}

/**
 * The underlying of every swaption below: fixed annually on 30/360 against EURIBOR 6M on ACT/360, EUR, 2029-02-28 to
 * 2033-02-28, TARGET, modified following, generated forwards (10m unless `notionals`).
 */
function legs(u: Underlying = {}): string {
  const payFixed = u.payFixed ?? true;
  const leg = (type: 'Fixed' | 'Floating', payer: boolean, tenor: string, dc: string, data: string) =>
    `<LegData><LegType>${type}</LegType><Payer>${payer}</Payer><Currency>EUR</Currency>
    <Notionals>${list('Notional', u.notionals ?? ['10000000'])}</Notionals><DayCounter>${dc}</DayCounter><PaymentConvention>MF</PaymentConvention>${data}
    <ScheduleData><Rules><StartDate>2029-02-28</StartDate><EndDate>2033-02-28</EndDate><Tenor>${tenor}</Tenor><Calendar>TARGET</Calendar>
    <Convention>MF</Convention><TermConvention>MF</TermConvention><Rule>Forward</Rule><EndOfMonth/></Rules></ScheduleData></LegData>`;
  return (
    leg('Fixed', payFixed, '1Y', '30/360', `<FixedLegData><Rates>${list('Rate', u.rates ?? ['0.025'])}</Rates></FixedLegData>`) +
    leg(
      'Floating',
      !payFixed,
      '6M',
      'A360',
      '<FloatingLegData><Index>EUR-EURIBOR-6M</Index><Spreads><Spread>0.0</Spread></Spreads><IsInArrears>false</IsInArrears><FixingDays>2</FixingDays></FloatingLegData>',
    )
  );
}

/** The exercise dates of the header: 2 TARGET business days before each fixed accrual start. */
const ORE_DATES = ['2029-02-26', '2030-02-26', '2031-02-26', '2032-02-25'];

function swaption(id: string, style: string, dates: string[], settlement = 'Physical', u: Underlying = {}, notice = ''): string {
  return `<Trade id="${id}"><TradeType>Swaption</TradeType><Envelope><CounterParty>CPTY_X</CounterParty><NettingSetId>NS_X</NettingSetId></Envelope>
  <SwaptionData><OptionData><LongShort>Long</LongShort><OptionType>Call</OptionType><Style>${style}</Style>${notice}<Settlement>${settlement}</Settlement>
    <PayOffAtExpiry>false</PayOffAtExpiry><ExerciseDates>${list('ExerciseDate', dates)}</ExerciseDates></OptionData>
  ${legs(u)}</SwaptionData></Trade>`;
}


/** The import written as CSV and loaded back through the portfolio loader, with no issue. */
async function writtenAndLoaded(result: OreImportResult, label: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-bermudan-${label}-`));
  temps.push(dir);
  writeOreImport(dir, result, 'csv');
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'EUR' });
  expect(issues.issues).toEqual([]);
  return { book, dir };
}

function loadedSwaption(trades: Trade[], id: string): Swaption {
  const t = trades.find((x) => x.tradeId === id);
  if (t?.product !== 'SWAPTION') throw new Error(`test: ${id} is not a loaded SWAPTION`);
  return t;
}

describe('ORE Bermudan Swaption (annual fixed leg, 2 business-day notice) → SWAPTION exercise=bermudan', () => {
  const result = importOre({
    portfolioXml: portfolio(swaption('BERM_PAY', 'Bermudan', ORE_DATES), swaption('EURO_PAY', 'European', ['2029-02-26'])),
  });

  it('maps it: payer, buy, physical, expiry_date the first exercise date, start_date the first fixed accrual start', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades).toHaveLength(2);
    const row = result.rows.trades[0]!;
    expect(row).toMatchObject({
      trade_id: 'BERM_PAY',
      product: 'SWAPTION',
      direction: 'buy', // <LongShort>Long</LongShort>
      option_type: 'payer', // the fixed leg is paid
      settlement: 'physical', // <Settlement>Physical</Settlement>
      expiry_date: fromYmd(2029, 2, 26), // the first <ExerciseDate>
      start_date: fromYmd(2029, 2, 28),
      maturity_date: fromYmd(2033, 2, 28),
      fixed_rate: 0.025,
      fixed_frequency: '1Y',
      calendar: 'TARGET',
      exercise: 'bermudan', // <Style>Bermudan</Style>
    });
    // the European beside it keeps no exercise key
    expect('exercise' in result.rows.trades[1]!).toBe(false);
  });

  it('writes the exercise column: bermudan for the Bermudan, blank (European) for the European', () => {
    const exercise = result.tables.trades.columns.find((c) => c.name === 'exercise');
    expect(exercise).toEqual({ name: 'exercise', type: 'utf8', values: ['bermudan', null] });
  });

  it('written and loaded: a Swaption whose exerciseDates are the ORE dates; the European has none', async () => {
    const { book, dir } = await writtenAndLoaded(result, 'pay');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).toContain('exercise');
    const berm = loadedSwaption(book.trades, 'BERM_PAY');
    expect(berm.exerciseDates).toEqual([fromYmd(2029, 2, 26), fromYmd(2030, 2, 26), fromYmd(2031, 2, 26), fromYmd(2032, 2, 25)]);
    expect([berm.expiryDate, berm.settlement, berm.optionType, berm.fixedLeg.startDate]).toEqual([fromYmd(2029, 2, 26), 'physical', 'payer', fromYmd(2029, 2, 28)]);
    expect(loadedSwaption(book.trades, 'EURO_PAY').exerciseDates).toBeUndefined();
  });
});

describe('ORE Bermudan Swaption on an amortising step-up swap → the same notional_schedules and rate_schedules rows as a European', () => {
  // 10m, 7.5m from 2030-02-28, 5m from 2031-02-28 on both legs; 2.5% then 3% from 2031-02-28
  const u: Underlying = { notionals: ['10000000', '7500000@2030-02-28', '5000000@2031-02-28'], rates: ['0.025', '0.03@2031-02-28'] };
  const result = importOre({ portfolioXml: portfolio(swaption('BERM_AMORT', 'Bermudan', ORE_DATES, 'Physical', u)) });

  it('maps it with amortization schedule, its notional and rate steps', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades[0]).toMatchObject({ trade_id: 'BERM_AMORT', exercise: 'bermudan', amortization: 'schedule', fixed_rate: 0.025, notional: 10_000_000 });
    expect(result.rows.notionalSchedules).toEqual([
      { trade_id: 'BERM_AMORT', from_date: fromYmd(2030, 2, 28), notional: 7_500_000 },
      { trade_id: 'BERM_AMORT', from_date: fromYmd(2031, 2, 28), notional: 5_000_000 },
    ]);
    expect(result.rows.rateSchedules).toEqual([{ trade_id: 'BERM_AMORT', from_date: fromYmd(2031, 2, 28), rate: 0.03 }]);
  });

  it('written and loaded: amortising, stepping, and exercisable on the ORE dates', async () => {
    const { book } = await writtenAndLoaded(result, 'amort');
    const berm = loadedSwaption(book.trades, 'BERM_AMORT');
    expect(berm.exerciseDates).toEqual(ORE_DATES.map((d) => fromYmd(Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10)))));
    expect(berm.fixedLeg.amortization).toBeDefined();
    expect(berm.fixedLeg.rateSteps).toEqual({ fromDates: [fromYmd(2031, 2, 28)], rates: [0.03] });
  });
});

describe('Bermudan swaptions xva cannot hold are left out with the field, the value and the reason', () => {
  const derived = "xva holds exercise dates on every fixed-leg accrual start after the first, with the first exercise's notice (2 calendar days before the accrual start, rolled to the preceding business day): 2029-02-26, 2030-02-26, 2031-02-26, 2032-02-25";
  const result = importOre({
    portfolioXml: portfolio(
      // off the rhythm: the third exercise date is not there
      swaption('BERM_MISSING', 'Bermudan', ['2029-02-26', '2030-02-26', '2032-02-25']),
      // another notice on one date: 3 business days before 2030-02-28
      swaption('BERM_NOTICE', 'Bermudan', ['2029-02-26', '2030-02-25', '2031-02-26', '2032-02-25']),
      // an extra date between two fixed accrual starts (the floating leg's)
      swaption('BERM_EXTRA', 'Bermudan', ['2029-02-26', '2029-08-24', '2030-02-26', '2031-02-26', '2032-02-25']),
      swaption('BERM_CASH', 'Bermudan', ORE_DATES, 'Cash'),
      swaption('AMER', 'American', ['2029-02-26', '2032-02-25']),
    ),
  });
  const finding = (id: string) => result.report.findings.find((f) => f.tradeId === id)!;

  it('maps none of them and lists each once, with field and value', () => {
    expect(result.rows.trades).toEqual([]);
    expect(result.tables.trades.columns.map((c) => c.name)).not.toContain('exercise');
    expect(unmapped(result.report.findings).map((f) => [f.tradeId, f.oreTradeType, f.field, f.value])).toEqual([
      ['BERM_MISSING', 'Swaption', 'SwaptionData/OptionData/ExerciseDates', '2029-02-26,2030-02-26,2032-02-25'],
      ['BERM_NOTICE', 'Swaption', 'SwaptionData/OptionData/ExerciseDates', '2029-02-26,2030-02-25,2031-02-26,2032-02-25'],
      ['BERM_EXTRA', 'Swaption', 'SwaptionData/OptionData/ExerciseDates', '2029-02-26,2029-08-24,2030-02-26,2031-02-26,2032-02-25'],
      ['BERM_CASH', 'Swaption', 'SwaptionData/OptionData/Settlement', 'Cash'],
      ['AMER', 'Swaption', 'SwaptionData/OptionData/Style', 'American'],
    ]);
    expect(result.report.counts).toMatchObject({ tradesRead: 5, tradesMapped: 0, tradesUnmapped: 5 });
  });

  it('says which dates xva would hold and which differ', () => {
    expect(formatFinding(finding('BERM_MISSING'))).toBe(
      `unmapped trade: portfolio.xml:3 trade BERM_MISSING (Swaption) SwaptionData/OptionData/ExerciseDates = 2029-02-26,2030-02-26,2032-02-25: ${derived}; missing: 2031-02-26`,
    );
    expect(finding('BERM_NOTICE').reason).toBe(`${derived}; not among them: 2030-02-25; missing: 2030-02-26`);
    expect(finding('BERM_EXTRA').reason).toBe(`${derived}; not among them: 2029-08-24`);
  });

  it('refuses cash settlement and American exercise with their reasons', () => {
    expect(finding('BERM_CASH').reason).toBe('a cash-settled Bermudan swaption is not supported by xva (Bermudan swaptions are physically settled)');
    expect(finding('AMER').reason).toBe('only European and Bermudan exercise are supported by xva for a Swaption');
  });
});

describe('a European swaption still maps without an exercise column', () => {
  const result = importOre({ portfolioXml: portfolio(swaption('EURO', 'European', ['2029-02-26'], 'Physical', { payFixed: false })) });

  it('maps it as before: receiver, expiry 2029-02-26, no exercise key or column', async () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    const row = result.rows.trades[0]!;
    expect(row).toMatchObject({ trade_id: 'EURO', product: 'SWAPTION', option_type: 'receiver', expiry_date: fromYmd(2029, 2, 26) });
    expect('exercise' in row).toBe(false);
    expect(columnNames(result)).not.toContain('exercise');
    const { book, dir } = await writtenAndLoaded(result, 'european');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('exercise');
    expect(loadedSwaption(book.trades, 'EURO').exerciseDates).toBeUndefined();
  });
});

/** `NoticePeriod`, `NoticeCalendar` and `NoticeConvention` elements of an OptionData. */
function notice(period?: string, calendar?: string, convention?: string): string {
  return (
    (period !== undefined ? `<NoticePeriod>${period}</NoticePeriod>` : '') +
    (calendar !== undefined ? `<NoticeCalendar>${calendar}</NoticeCalendar>` : '') +
    (convention !== undefined ? `<NoticeConvention>${convention}</NoticeConvention>` : '')
  );
}

describe("ORE's NoticePeriod: the holder decides on the notice date, xva's expiry_date (ORE's ExerciseBuilder)", () => {
  // Notice dates worked out by hand from a 2029 calendar (no TARGET holiday in January or February):
  //  - 5D on TARGET before Monday 2029-02-26: Fri 23, Thu 22, Wed 21, Tue 20, Mon 19 → 2029-02-19;
  //  - 5D without a calendar (QuantLib's NullCalendar: every day counts) → 2029-02-21;
  //  - 1M before Wednesday 2029-02-28 is Sunday 2029-01-28: Following → Monday 2029-01-29, Preceding → Friday
  //    2029-01-26, no convention (Unadjusted) → the Sunday itself;
  //  - 1W before each of the Bermudan's dates: 2029-02-19, 2030-02-19, 2031-02-19, 2032-02-18, which are the
  //    accrual starts 2029-02-28, 2030-02-28, 2031-02-28, 2032-02-27 less 9 calendar days: xva's rule holds;
  //  - 2D on TARGET: Thu 2029-02-22 (6 days before the first accrual start), but 2031-02-26 (Wed) → Mon 2031-02-24,
  //    where xva's 6 days before Friday 2031-02-28 is Saturday 2031-02-22 → Friday 2031-02-21 (and before Friday
  //    2032-02-27 Saturday 2032-02-21 → Friday 2032-02-20): not xva's dates.
  const result = importOre({
    portfolioXml: portfolio(
      swaption('N_5D_TARGET', 'European', ['2029-02-26'], 'Physical', {}, notice('5D', 'TARGET')),
      swaption('N_5D_NULL', 'European', ['2029-02-26'], 'Physical', {}, notice('5D')),
      swaption('N_1M_F', 'European', ['2029-02-28'], 'Physical', {}, notice('1M', 'TARGET', 'Following')),
      swaption('N_1M_P', 'European', ['2029-02-28'], 'Physical', {}, notice('1M', 'TARGET', 'Preceding')),
      swaption('N_1M_U', 'European', ['2029-02-28'], 'Physical', {}, notice('1M', 'TARGET')),
      swaption('N_0D', 'European', ['2029-02-26'], 'Physical', {}, notice('0D')),
      swaption('B_1W', 'Bermudan', ORE_DATES, 'Physical', {}, notice('1W')),
      swaption('B_2D', 'Bermudan', ORE_DATES, 'Physical', {}, notice('2D', 'TARGET')),
      swaption('N_BAD_CAL', 'European', ['2029-02-26'], 'Physical', {}, notice('2D', 'Mars')),
      swaption('N_BAD_PERIOD', 'European', ['2029-02-26'], 'Physical', {}, notice('two days')),
    ),
  });
  const expiry = (id: string) => result.rows.trades.find((r) => r.trade_id === id)?.expiry_date;

  it('moves each exercise date back by the period on the calendar, rolled by the convention', () => {
    expect(expiry('N_5D_TARGET')).toBe(fromYmd(2029, 2, 19));
    expect(expiry('N_5D_NULL')).toBe(fromYmd(2029, 2, 21));
    expect(expiry('N_1M_F')).toBe(fromYmd(2029, 1, 29));
    expect(expiry('N_1M_P')).toBe(fromYmd(2029, 1, 26));
    expect(expiry('N_1M_U')).toBe(fromYmd(2029, 1, 28));
    expect(expiry('N_0D')).toBe(fromYmd(2029, 2, 26));
    expect(expiry('B_1W')).toBe(fromYmd(2029, 2, 19));
    // the underlying still starts on its own start date
    expect(result.rows.trades.find((r) => r.trade_id === 'N_5D_TARGET')?.start_date).toBe(fromYmd(2029, 2, 28));
  });

  it('a Bermudan holds the notice dates where they are the dates xva derives, and is left out naming them where not', async () => {
    const findings = unmapped(result.report.findings);
    expect(findings.map((f) => f.tradeId).sort()).toEqual(['B_2D', 'N_BAD_CAL', 'N_BAD_PERIOD']);
    const b2d = findings.find((f) => f.tradeId === 'B_2D')!;
    expect([b2d.field, b2d.reason]).toEqual([
      'SwaptionData/OptionData/ExerciseDates',
      'xva holds exercise dates on every fixed-leg accrual start after the first, with the first exercise\'s notice (6 calendar days before the accrual start, rolled to the preceding business day): 2029-02-22, 2030-02-22, 2031-02-21, 2032-02-20; not among them: 2031-02-24, 2032-02-23; missing: 2031-02-21, 2032-02-20',
    ]);
    const bad = findings.find((f) => f.tradeId === 'N_BAD_CAL')!;
    expect([bad.field, bad.value]).toEqual(['SwaptionData/OptionData/NoticeCalendar', 'Mars']);
    expect(bad.reason).toMatch(/^a calendar xva has the holiday rules of, to move the exercise dates back by NoticePeriod \(Mars: unknown\)$/);
    const period = findings.find((f) => f.tradeId === 'N_BAD_PERIOD')!;
    expect([period.field, period.value, period.reason]).toEqual(['SwaptionData/OptionData/NoticePeriod', 'two days', "expected a period such as 2D, 1W or 1M (ORE's parsePeriod)"]);
    // and the kept Bermudan loads with the notice dates as its exercise dates
    const kept = importOre({ portfolioXml: portfolio(swaption('B_1W', 'Bermudan', ORE_DATES, 'Physical', {}, notice('1W'))) });
    const { book } = await writtenAndLoaded(kept, 'notice');
    expect(loadedSwaption(book.trades, 'B_1W').exerciseDates).toEqual([fromYmd(2029, 2, 19), fromYmd(2030, 2, 19), fromYmd(2031, 2, 19), fromYmd(2032, 2, 18)]);
  });
});
