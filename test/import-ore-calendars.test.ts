/**
 * `xva import ore` and calendars (docs/import-ore.md "Conventions"; the ORE import audit of
 * helper 165, fixed by helper 167):
 * - a leg whose dates fall outside the years xva's calendar has rules for (conventions/holidays.ts: DKCO from 2016,
 *   JPTO to 2099, SEST from 2005) leaves that trade out, naming the date and the calendar's years; the rest imports
 *   (exit 0). It used to fail the whole import with "internal error", exit 1.
 * - ORE's calendar spellings: CalendarParser (ORE's ored/utilities/calendarparser.cpp) takes a name it knows, else
 *   splits it on `,()`, drops the tokens JoinHolidays and JoinBusinessDays, and joins the rest (JoinHolidays);
 *   its aliases TGT (TARGET), LNB (UK), NYB (US settlement), ZUB (Switzerland), TKB (Japan), TRB (Canada), SYB
 *   (Australia), SS (Sweden), DEN (Denmark) and the ISO alpha-3 codes are the centres xva has. A token xva has no
 *   rules for is reported on its trade and leg, alone (it used to be one file-wide finding with every raw token).
 * - EndOfMonth: QuantLib's Schedule applies its end-of-month rule when calendar.isEndOfMonth(anchor) (the anchor on
 *   or after its month's last business day) and then takes every date's calendar.endOfMonth; xva's schedule
 *   (conventions/schedule.ts, unchanged) from a month's last calendar day only. An anchor in between is reported as
 *   approximated. Hand figure (the audit's): 2026-02-27 (Fri; the 28th a Saturday) to 2031-02-28, 1Y, TARGET, MF,
 *   Forward: ORE 2028-02-29, 2029-02-28, 2030-02-28; xva 2028-02-28, 2029-02-27, 2030-02-27 (checked below on xva's side).
 * Reference: the years are conventions/holidays.ts FIRST_YEAR/LAST_YEAR (tested in holidays.test.ts); the dates are
 * written in the XML below, so every expected finding is read off the XML by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoDate, toIsoDate } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { importOre } from '../src/import/ore/index.js';
import { portfolio, unmapped } from './helpers/oreXml.js';
import { ensureBuilt, xva } from './helpers/scaleCli.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  type: 'Fixed' | 'Floating';
  payer: boolean;
  ccy?: string;
  index?: string;
  tenor?: string;
  start?: string;
  end?: string;
  calendar?: string;
  /** `Rules/EndOfMonth` (written only when given). */
  eom?: boolean;
  rule?: string;
}

/** One ORE LegData: 10m, A360, MF, 2% fixed or the index flat, 2026-07-02 to 2031-07-02 on TARGET by default. */
function leg(l: Leg): string {
  const ccy = l.ccy ?? 'EUR';
  const data =
    l.type === 'Fixed'
      ? '<FixedLegData><Rates><Rate>0.02</Rate></Rates></FixedLegData>'
      : `<FloatingLegData><Index>${l.index ?? 'EUR-EURIBOR-6M'}</Index><Spreads><Spread>0</Spread></Spreads><FixingDays>2</FixingDays></FloatingLegData>`;
  return `<LegData><LegType>${l.type}</LegType><Payer>${l.payer}</Payer><Currency>${ccy}</Currency><Notionals><Notional>10000000</Notional></Notionals><DayCounter>A360</DayCounter>${data}
<ScheduleData><Rules><StartDate>${l.start ?? '2026-07-02'}</StartDate><EndDate>${l.end ?? '2031-07-02'}</EndDate><Tenor>${l.tenor ?? (l.type === 'Fixed' ? '1Y' : '6M')}</Tenor><Calendar>${l.calendar ?? 'TARGET'}</Calendar><Convention>MF</Convention><Rule>${l.rule ?? 'Forward'}</Rule>${l.eom !== undefined ? `<EndOfMonth>${l.eom}</EndOfMonth>` : ''}</Rules></ScheduleData></LegData>`;
}

function trade(id: string, type: string, body: string, nettingSet = 'NS'): string {
  return `<Trade id="${id}"><TradeType>${type}</TradeType><Envelope><CounterParty>CP</CounterParty><NettingSetId>${nettingSet}</NettingSetId></Envelope>${body}</Trade>`;
}

/** A fixed/float swap, both legs with the same terms. */
function swap(id: string, terms: Omit<Leg, 'type' | 'payer'> = {}): string {
  return trade(id, 'Swap', `<SwapData>${leg({ type: 'Fixed', payer: false, ...terms })}${leg({ type: 'Floating', payer: true, ...terms })}</SwapData>`);
}

const DKK = { ccy: 'DKK', index: 'DKK-CIBOR-6M', calendar: 'DK' };

describe("a leg outside its calendar's years leaves that trade out, not the import", () => {
  it('DKK swap from 2015 on DK, cap on DK from 2015, SEK swap from 2000, JPY swap to 2105: each left out naming the date and the years; the plain swap imports', () => {
    const cap = trade(
      'CAP_DK',
      'CapFloor',
      `<CapFloorData><LongShort>Long</LongShort>${leg({ type: 'Floating', payer: false, ...DKK, start: '2015-07-02', end: '2030-07-02' })}<Caps><Cap>0.03</Cap></Caps></CapFloorData>`,
    );
    const r = importOre({
      portfolioXml: portfolio(
        swap('DKK_2015', { ...DKK, start: '2015-07-02', end: '2030-07-02' }),
        cap,
        swap('SEK_2000', { ccy: 'SEK', index: 'SEK-STIBOR-3M', calendar: 'SE', start: '2000-07-03' }),
        swap('JPY_2105', { ccy: 'JPY', index: 'JPY-TONAR', calendar: 'JP', end: '2105-07-02' }),
        swap('PLAIN'),
      ),
    });
    expect(r.rows.trades.map((t) => t.trade_id)).toEqual(['PLAIN']);
    expect(unmapped(r.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason])).toEqual([
      ['DKK_2015', 'SwapData/LegData[1]/ScheduleData/Rules/StartDate', '2015-07-02', "the DKCO calendar (Calendar DK) has holiday rules for 2016 to 2199 only, not 2015: xva cannot roll this leg's dates on it"],
      ['CAP_DK', 'CapFloorData/LegData[1]/ScheduleData/Rules/StartDate', '2015-07-02', "the DKCO calendar (Calendar DK) has holiday rules for 2016 to 2199 only, not 2015: xva cannot roll this leg's dates on it"],
      ['SEK_2000', 'SwapData/LegData[1]/ScheduleData/Rules/StartDate', '2000-07-03', "the SEST calendar (Calendar SE) has holiday rules for 2005 to 2199 only, not 2000: xva cannot roll this leg's dates on it"],
      ['JPY_2105', 'SwapData/LegData[1]/ScheduleData/Rules/EndDate', '2105-07-02', "the JPTO calendar (Calendar JP) has holiday rules for 1989 to 2099 only, not 2105: xva cannot roll this leg's dates on it"],
    ]);
    expect(r.report.counts).toMatchObject({ tradesRead: 5, tradesMapped: 1, tradesUnmapped: 4 });
  });

  it("a date beyond the legs' (a swaption's notice date on JP in 2100, legs on TARGET): the trade is left out naming the calendar", () => {
    const option =
      '<OptionData><LongShort>Long</LongShort><OptionType>Call</OptionType><Style>European</Style><Settlement>Physical</Settlement>' +
      '<NoticePeriod>5D</NoticePeriod><NoticeCalendar>JP</NoticeCalendar><ExerciseDates><ExerciseDate>2100-03-01</ExerciseDate></ExerciseDates></OptionData>';
    const terms = { start: '2100-03-01', end: '2105-03-01' };
    const swaption = trade('SWO_2100', 'Swaption', `<SwaptionData>${option}${leg({ type: 'Fixed', payer: true, ...terms })}${leg({ type: 'Floating', payer: false, ...terms })}</SwaptionData>`);
    const r = importOre({ portfolioXml: portfolio(swaption, swap('PLAIN')) });
    expect(r.rows.trades.map((t) => t.trade_id)).toEqual(['PLAIN']);
    expect(unmapped(r.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason])).toEqual([
      ['SWO_2100', 'Calendar', 'JPTO', "a date of the trade is in 2100, and the JPTO calendar has rules for 1989 to 2099 only, not 2100: xva cannot roll the trade's dates on it"],
    ]);
  });

  it('the CLI: exit 0, the other trade written, the left-out one named on stderr and in import_report.json', async () => {
    ensureBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-ore-calyears-'));
    temps.push(dir);
    const file = path.join(dir, 'portfolio.xml');
    fs.writeFileSync(file, portfolio(swap('DKK_2015', { ...DKK, start: '2015-07-02', end: '2030-07-02' }), swap('PLAIN')));
    const out = path.join(dir, 'out');
    const run = await xva(['import', 'ore', '--portfolio', file, '--out', out, '--format', 'csv']);
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(run.status).toBe(0);
    const rows = fs.readFileSync(path.join(out, 'trades.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((l) => l.split(',')[0])).toEqual(['PLAIN']);
    expect(run.stderr).toContain(
      `unmapped trade: ${file}:3 trade DKK_2015 (Swap) SwapData/LegData[1]/ScheduleData/Rules/StartDate = 2015-07-02: the DKCO calendar (Calendar DK) has holiday rules for 2016 to 2199 only, not 2015`,
    );
    const report = JSON.parse(fs.readFileSync(path.join(out, 'import_report.json'), 'utf8'));
    expect(report.counts).toMatchObject({ tradesRead: 2, tradesMapped: 1, tradesUnmapped: 1 });
  });
});

describe("ORE's calendar spellings: tokens split on ,() as CalendarParser does, its aliases, the unknown tokens named on the trade", () => {
  it('JoinHolidays(TARGET,UK), JoinBusinessDays(TARGET, UK), TGT, LNB and the other aliases map to the centres; only US-SOFR and HK are unknown', () => {
    const cases: [string, string, string | null][] = [
      ['JH', 'JoinHolidays(TARGET,UK)', 'GBLO+TARGET'],
      ['JB', 'JoinBusinessDays(TARGET, UK)', 'GBLO+TARGET'], // ORE drops the token and joins holidays
      ['TGT', 'TGT', 'TARGET'],
      ['LNB', 'LNB', 'GBLO'],
      ['NYB', 'NYB', 'USNY'],
      ['ZUB', 'ZUB', 'CHZU'],
      ['TKB', 'TKB', 'JPTO'],
      ['TRB', 'TRB', 'CATO'],
      ['SYB', 'SYB', 'AUSY'],
      ['SS', 'SS', 'SEST'],
      ['DEN', 'DEN', 'DKCO'],
      ['A3', 'JoinHolidays(GBR,CHE)', 'CHZU+GBLO'],
      ['SOFR', 'US-SOFR', null],
      ['MIX', 'JoinHolidays(TGT,HK)', 'TARGET'],
    ];
    const r = importOre({ portfolioXml: portfolio(...cases.map(([id, calendar]) => swap(id, { calendar }))) });
    expect(r.rows.trades.map((t) => [t.trade_id, t.calendar])).toEqual(cases.map(([id, , centre]) => [id, centre]));
    const unknown = r.report.findings.filter((f) => /no holiday rules/.test(f.reason));
    const centres = 'TARGET, GBLO, USNY, CHZU, JPTO, SEST, NOOS, DKCO, CATO, AUSY, NZAU, NZWE';
    expect(unknown.map((f) => [f.kind, f.tradeId, f.field, f.value, f.reason])).toEqual([
      ...[1, 2].map((i) => ['approximated', 'SOFR', `SwapData/LegData[${i}]/ScheduleData/Rules/Calendar`, 'US-SOFR', `xva has no holiday rules for US-SOFR (it has ${centres}): their holidays are not applied, the leg's dates roll on weekends only`]),
      ...[1, 2].map((i) => ['approximated', 'MIX', `SwapData/LegData[${i}]/ScheduleData/Rules/Calendar`, 'HK', `xva has no holiday rules for HK (it has ${centres}): their holidays are not applied, the leg's dates roll on TARGET's holidays and weekends only`]),
    ]);
    // the file-wide finding (no trade) is gone
    expect(r.report.findings.filter((f) => f.field === 'ScheduleData/Rules/Calendar')).toEqual([]);
    // NYB is QuantLib's US settlement calendar, SS and DEN the Nordic public holidays: approximated as US, SE, DK are
    expect(r.report.findings.filter((f) => f.kind === 'approximated' && f.field === 'SwapData/LegData[1]/ScheduleData/Rules/Calendar' && !/no holiday rules/.test(f.reason)).map((f) => [f.tradeId, f.value])).toEqual([
      ['NYB', 'NYB'],
      ['SS', 'SS'],
      ['DEN', 'DEN'],
    ]);
  });
});

describe("EndOfMonth from the month's last business day, not its last day: approximated (ORE's dates differ)", () => {
  it('Forward from Fri 2026-02-27 and from Sat 2027-02-27, Backward from Fri 2031-05-30: reported on each leg; a last-day anchor, a mid-month one or EndOfMonth false: nothing', () => {
    const r = importOre({
      portfolioXml: portfolio(
        swap('FWD', { start: '2026-02-27', end: '2031-02-28', eom: true }),
        swap('SAT', { start: '2027-02-27', end: '2032-02-27', eom: true }),
        swap('BWD', { start: '2026-05-29', end: '2031-05-30', eom: true, rule: 'Backward' }),
        swap('LAST', { start: '2026-02-28', end: '2031-02-28', eom: true }),
        swap('MID', { start: '2026-02-26', end: '2031-02-26', eom: true }),
        swap('NOEOM', { start: '2026-02-27', end: '2031-02-28', eom: false }),
      ),
    });
    expect(r.rows.trades.map((t) => t.trade_id)).toEqual(['FWD', 'SAT', 'BWD', 'LAST', 'MID', 'NOEOM']);
    const why = (field: string, date: string) =>
      `the schedule's anchor, its ${field} ${date}, is on or after its month's last business day (TARGET) but not the month's last day: ORE (QuantLib's Schedule) then rolls every date to its month's last business day, xva's end-of-month rule only from a month's last calendar day (it takes the calendar month end), so the dates differ from ORE's`;
    expect(r.report.findings.filter((f) => f.field?.endsWith('EndOfMonth')).map((f) => [f.kind, f.tradeId, f.field, f.value, f.reason])).toEqual(
      [
        ['FWD', 'StartDate', '2026-02-27'],
        ['SAT', 'StartDate', '2027-02-27'],
        ['BWD', 'EndDate', '2031-05-30'],
      ].flatMap(([id, field, date]) => [1, 2].map((i) => ['approximated', id, `SwapData/LegData[${i}]/ScheduleData/Rules/EndOfMonth`, 'true', why(field!, date!)])),
    );
    // xva's side of the hand figure: its rule does not apply from the 27th, so the dates stay on the 27th/28th
    const fwd = r.rows.trades[0]!;
    expect(fwd.end_of_month).toBe(true);
    const schedule = buildSchedule({
      startDate: parseIsoDate('2026-02-27')!,
      maturityDate: parseIsoDate('2031-02-28')!,
      frequency: '1Y',
      dayCount: 'ACT/360',
      businessDayConvention: 'MF',
      calendar: 'TARGET',
      stub: 'short_back',
      endOfMonth: fwd.end_of_month as boolean,
    });
    expect(Array.from(schedule.accrualStart).slice(2).map(toIsoDate)).toEqual(['2028-02-28', '2029-02-27', '2030-02-27']);
  });
});
