/**
 * Holiday calendars (src/conventions/holidays.ts) against the lists their authorities publish, typed in here from those
 * lists (not from the rules): the ECB's TARGET closing days, GOV.UK's bank holidays of England and Wales, the Federal
 * Reserve's "Holidays Observed" page, the Swiss bank holidays and the Cabinet Office's national holidays of Japan (with
 * the banks' year-end closing days), the Riksbank's holidays, Norges Bank's settlement-system closing days and Danmarks
 * Nationalbank's "banklukkedage". Each case is a whole year's weekday holidays, so a
 * missing or an extra holiday both fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { summarisePortfolio } from '../src/portfolio/summary.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { writeTable } from '../src/io/write.js';
import { parseIsoDate, toIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { addBusinessDays, adjust, isBusinessDay } from '../src/conventions/calendar.js';
import { CALENDAR_EXPECTED, calendarNamed, canonicalCalendarName, easterSunday, weekdayHolidays } from '../src/conventions/holidays.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import type { ScheduleTerms } from '../src/products/types.js';

const d = (iso: string): DateSerial => {
  const serial = parseIsoDate(iso);
  if (serial === undefined) throw new Error(`bad test date ${iso}`);
  return serial;
};
const listed = (calendar: string, year: number): string[] => weekdayHolidays(calendarNamed(calendar), year).map(toIsoDate);

describe('Easter Sunday (Meeus)', () => {
  it('gives the published dates, the earliest (22 March) and latest (25 April) possible included', () => {
    const known: Array<[number, string]> = [
      [1818, '1818-03-22'], [1943, '1943-04-25'], [2000, '2000-04-23'], [2008, '2008-03-23'], [2011, '2011-04-24'],
      [2019, '2019-04-21'], [2024, '2024-03-31'], [2025, '2025-04-20'], [2026, '2026-04-05'], [2027, '2027-03-28'],
      [2038, '2038-04-25'], [2285, '2285-03-22'],
    ];
    for (const [year, iso] of known) expect(toIsoDate(easterSunday(year)), String(year)).toBe(iso);
  });
});

describe('TARGET (ECB: TARGET2/T2 closing days)', () => {
  it('2026 and 2027: New Year, Good Friday, Easter Monday, 1 May, 25 and 26 December, where they fall on weekdays', () => {
    expect(listed('TARGET', 2026)).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-12-25']);
    expect(listed('TARGET', 2027)).toEqual(['2027-01-01', '2027-03-26', '2027-03-29']);
    expect(listed('EUTA', 2026)).toEqual(listed('TARGET', 2026));
  });
  it('2001 also closed on 31 December', () => {
    expect(listed('TARGET', 2001)).toEqual(['2001-01-01', '2001-04-13', '2001-04-16', '2001-05-01', '2001-12-25', '2001-12-26', '2001-12-31']);
  });
});

describe('GBLO (GOV.UK: bank holidays in England and Wales)', () => {
  it('2026: Boxing Day on a Saturday is kept on Monday 28 December', () => {
    expect(listed('GBLO', 2026)).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
    ]);
  });
  it('2027: Christmas on a Saturday, so 27 and 28 December are the substitute days', () => {
    expect(listed('GBLO', 2027)).toEqual([
      '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
    ]);
  });
  it('2022: the Platinum Jubilee (spring holiday moved to 2 June) and the state funeral', () => {
    expect(listed('GBLO', 2022)).toEqual([
      '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19',
      '2022-12-26', '2022-12-27',
    ]);
  });
  it('2020 (early May holiday on VE day, 8 May) and 2023 (the coronation, 8 May)', () => {
    expect(listed('GBLO', 2020)).toEqual([
      '2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28',
    ]);
    expect(listed('GBLO', 2023)).toEqual([
      '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25',
      '2023-12-26',
    ]);
  });
});

describe('SEST (Riksbank: holidays in Sweden)', () => {
  it('2026: Epiphany, Ascension, Midsummer Eve (19 June), Christmas Eve and New Year\'s Eve; National Day and Boxing Day on Saturdays', () => {
    expect(listed('SEST', 2026)).toEqual([
      '2026-01-01', '2026-01-06', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-14', '2026-06-19', '2026-12-24',
      '2026-12-25', '2026-12-31',
    ]);
  });
  it('Midsummer Eve is the Friday from 19 to 25 June; Whit Monday is not a holiday; rules from 2005', () => {
    expect(listed('SEST', 2027).filter((x) => x.startsWith('2027-06'))).toEqual(['2027-06-25']);
    expect(isBusinessDay(d('2026-05-25'), calendarNamed('SEST'))).toBe(true); // Whit Monday 2026
    expect(() => isBusinessDay(d('2004-05-31'), calendarNamed('SEST'))).toThrow('the SEST calendar has rules for 2005 to 2199 only, not 2004');
  });
});

describe('NOOS (Norges Bank: days the settlement system NBO is closed)', () => {
  it('2017 and 2019 as Norges Bank lists them: Maundy Thursday, 17 May, Whit Monday, Christmas Eve; 31 December open', () => {
    expect(listed('NOOS', 2017)).toEqual([
      '2017-04-13', '2017-04-14', '2017-04-17', '2017-05-01', '2017-05-17', '2017-05-25', '2017-06-05', '2017-12-25',
      '2017-12-26',
    ]);
    expect(listed('NOOS', 2019)).toEqual([
      '2019-01-01', '2019-04-18', '2019-04-19', '2019-04-22', '2019-05-01', '2019-05-17', '2019-05-30', '2019-06-10',
      '2019-12-24', '2019-12-25', '2019-12-26',
    ]);
    expect(isBusinessDay(d('2019-12-31'), calendarNamed('NOOS'))).toBe(true);
  });
});

describe('DKCO (Danmarks Nationalbank: banklukkedage)', () => {
  it('2026 and 2027 as the Nationalbank lists them: the Friday after Ascension, 5 June, 24 and 31 December; no prayer day', () => {
    expect(listed('DKCO', 2026)).toEqual([
      '2026-01-01', '2026-04-02', '2026-04-03', '2026-04-06', '2026-05-14', '2026-05-15', '2026-05-25', '2026-06-05',
      '2026-12-24', '2026-12-25', '2026-12-31',
    ]);
    expect(listed('DKCO', 2027)).toEqual([
      '2027-01-01', '2027-03-25', '2027-03-26', '2027-03-29', '2027-05-06', '2027-05-07', '2027-05-17', '2027-12-24',
      '2027-12-31',
    ]);
  });
  it('2016: General Prayer Day (22 April) before its abolition in 2024; rules from 2016', () => {
    expect(listed('DKCO', 2016)).toEqual(['2016-01-01', '2016-03-24', '2016-03-25', '2016-03-28', '2016-04-22', '2016-05-05', '2016-05-06', '2016-05-16', '2016-12-26']);
    expect(isBusinessDay(d('2024-04-26'), calendarNamed('DKCO'))).toBe(true); // the fourth Friday after Easter 2024
    expect(() => isBusinessDay(d('2015-05-15'), calendarNamed('DKCO'))).toThrow('the DKCO calendar has rules for 2016 to 2199 only, not 2015');
  });
});

describe('USNY (Federal Reserve holidays)', () => {
  it('2026: Independence Day on a Saturday is not moved (the Reserve Banks open on Friday 3 July)', () => {
    expect(listed('USNY', 2026)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-09-07', '2026-10-12', '2026-11-11',
      '2026-11-26', '2026-12-25',
    ]);
  });
  it('2027: Independence Day on a Sunday is kept on Monday 5 July; Juneteenth and Christmas fall on Saturdays', () => {
    expect(listed('USNY', 2027)).toEqual([
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11',
      '2027-11-25',
    ]);
  });
  it('2021: no Juneteenth yet (observed from 2022)', () => {
    expect(listed('USNY', 2021)).not.toContain('2021-06-18');
    expect(listed('USNY', 2022)).toContain('2022-06-20');
  });
});

describe('CHZU (Swiss bank holidays)', () => {
  it('2026: Berchtoldstag, Ascension Day and Whit Monday besides the Easter and Christmas holidays', () => {
    expect(listed('CHZU', 2026)).toEqual([
      '2026-01-01', '2026-01-02', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-14', '2026-05-25', '2026-12-25',
    ]);
  });
});

describe('JPTO (Cabinet Office: national holidays of Japan, and the banks\' 2-3 January and 31 December)', () => {
  it('2026: the substitute for Constitution Day (a Sunday) is 6 May, and 22 September lies between two holidays', () => {
    expect(listed('JPTO', 2026)).toEqual([
      '2026-01-01', '2026-01-02', '2026-01-12', '2026-02-11', '2026-02-23', '2026-03-20', '2026-04-29', '2026-05-04',
      '2026-05-05', '2026-05-06', '2026-07-20', '2026-08-11', '2026-09-21', '2026-09-22', '2026-09-23', '2026-10-12',
      '2026-11-03', '2026-11-23', '2026-12-31',
    ]);
  });
  it('2027: the vernal equinox on Sunday 21 March gives Monday 22 March', () => {
    expect(listed('JPTO', 2027)).toEqual([
      '2027-01-01', '2027-01-11', '2027-02-11', '2027-02-23', '2027-03-22', '2027-04-29', '2027-05-03', '2027-05-04',
      '2027-05-05', '2027-07-19', '2027-08-11', '2027-09-20', '2027-09-23', '2027-10-11', '2027-11-03', '2027-11-23',
      '2027-12-31',
    ]);
  });
  it('2019 (the enthronement: 30 April to 2 May and 22 October) and the Olympic moves of 2020 and 2021', () => {
    expect(listed('JPTO', 2019)).toEqual([
      '2019-01-01', '2019-01-02', '2019-01-03', '2019-01-14', '2019-02-11', '2019-03-21', '2019-04-29', '2019-04-30',
      '2019-05-01', '2019-05-02', '2019-05-03', '2019-05-06', '2019-07-15', '2019-08-12', '2019-09-16', '2019-09-23',
      '2019-10-14', '2019-10-22', '2019-11-04', '2019-12-31',
    ]);
    expect(listed('JPTO', 2020)).toEqual([
      '2020-01-01', '2020-01-02', '2020-01-03', '2020-01-13', '2020-02-11', '2020-02-24', '2020-03-20', '2020-04-29',
      '2020-05-04', '2020-05-05', '2020-05-06', '2020-07-23', '2020-07-24', '2020-08-10', '2020-09-21', '2020-09-22',
      '2020-11-03', '2020-11-23', '2020-12-31',
    ]);
    // Mountain Day 2021 moved to Sunday 8 August, so Monday 9 August is its substitute
    expect(listed('JPTO', 2021)).toEqual([
      '2021-01-01', '2021-01-11', '2021-02-11', '2021-02-23', '2021-04-29', '2021-05-03', '2021-05-04', '2021-05-05',
      '2021-07-22', '2021-07-23', '2021-08-09', '2021-09-20', '2021-09-23', '2021-11-03', '2021-11-23', '2021-12-31',
    ]);
  });
  it('stops at 2099, where the equinox approximation ends', () => {
    expect(() => isBusinessDay(d('2100-03-22'), calendarNamed('JPTO'))).toThrow('the JPTO calendar has rules for 1989 to 2099 only, not 2100');
    expect(() => isBusinessDay(d('2100-03-22'), calendarNamed('TARGET'))).not.toThrow();
  });
});

describe('CATO (Payments Canada: days Lynx and the Toronto banks close)', () => {
  it('2025: Family Day, Victoria Day (19 May), the Civic Holiday, Truth and Reconciliation Day and Remembrance Day', () => {
    expect(listed('CATO', 2025)).toEqual([
      '2025-01-01', '2025-02-17', '2025-04-18', '2025-05-19', '2025-07-01', '2025-08-04', '2025-09-01', '2025-09-30',
      '2025-10-13', '2025-11-11', '2025-12-25', '2025-12-26',
    ]);
  });
  it('2023: New Year, Canada Day, 30 September and 11 November on weekends are kept on the Mondays after', () => {
    expect(listed('CATO', 2023)).toEqual([
      '2023-01-02', '2023-02-20', '2023-04-07', '2023-05-22', '2023-07-03', '2023-08-07', '2023-09-04', '2023-10-02',
      '2023-10-09', '2023-11-13', '2023-12-25', '2023-12-26',
    ]);
  });
  it('2022: Christmas on a Sunday gives Monday 26 and Tuesday 27 December; no Family Day before 2008', () => {
    expect(listed('CATO', 2022).slice(-2)).toEqual(['2022-12-26', '2022-12-27']);
    expect(listed('CATO', 2007)).not.toContain('2007-02-19');
    expect(listed('CATO', 2020)).not.toContain('2020-09-30');
  });
});

describe('AUSY (bank holidays of New South Wales)', () => {
  it('2025: Australia Day on a Sunday kept on Monday 27 January; the Bank Holiday (4 August) and Labour Day (6 October)', () => {
    expect(listed('AUSY', 2025)).toEqual([
      '2025-01-01', '2025-01-27', '2025-04-18', '2025-04-21', '2025-04-25', '2025-06-09', '2025-08-04', '2025-10-06',
      '2025-12-25', '2025-12-26',
    ]);
  });
  it('2022: New Year on a Saturday (3 January), the National Day of Mourning (22 September), Christmas on a Sunday', () => {
    expect(listed('AUSY', 2022)).toEqual([
      '2022-01-03', '2022-01-26', '2022-04-15', '2022-04-18', '2022-04-25', '2022-06-13', '2022-08-01', '2022-09-22',
      '2022-10-03', '2022-12-26', '2022-12-27',
    ]);
  });
  it('ANZAC Day on a weekend is not moved in New South Wales (25 April 2026 is a Saturday)', () => {
    expect(listed('AUSY', 2026)).not.toContain('2026-04-27');
  });
});

describe('NZAU and NZWE (New Zealand public holidays and the anniversary days)', () => {
  it('2025 in Wellington (anniversary 20 January) and Auckland (27 January); Matariki on 20 June', () => {
    const national = ['2025-01-01', '2025-01-02', '2025-02-06', '2025-04-18', '2025-04-21', '2025-04-25', '2025-06-02', '2025-06-20', '2025-10-27', '2025-12-25', '2025-12-26'];
    expect(listed('NZWE', 2025)).toEqual([...national, '2025-01-20'].sort());
    expect(listed('NZAU', 2025)).toEqual([...national, '2025-01-27'].sort());
    expect(listed('NZAU+NZWE', 2025)).toEqual([...national, '2025-01-20', '2025-01-27'].sort());
  });
  it('2021 in Auckland: 2 January, Waitangi Day and ANZAC Day on weekends moved to Mondays, Christmas on a Saturday', () => {
    expect(listed('NZAU', 2021)).toEqual([
      '2021-01-01', '2021-01-04', '2021-02-01', '2021-02-08', '2021-04-02', '2021-04-05', '2021-04-26', '2021-06-07',
      '2021-10-25', '2021-12-27', '2021-12-28',
    ]);
  });
  it('before 2014 Waitangi Day on a weekend was not moved (6 February 2010, a Saturday); Matariki only from 2022', () => {
    expect(listed('NZWE', 2010)).not.toContain('2010-02-08');
    expect(listed('NZWE', 2021).some((iso) => iso.slice(5, 7) === '07' || (iso.slice(5, 7) === '06' && iso > '2021-06-07'))).toBe(false);
  });
  it('every scheduled Matariki day is a Friday in June or July; the schedule, and so the calendars, end in 2052', () => {
    for (let year = 2022; year <= 2052; year++) {
      const winter = listed('NZWE', year).filter((iso) => iso.slice(5, 7) === '07' || (iso.slice(5, 7) === '06' && iso.slice(8) > '07'));
      expect(winter, String(year)).toHaveLength(1);
      expect(new Date(`${winter[0]}T00:00:00Z`).getUTCDay(), winter[0]).toBe(5);
    }
    expect(() => isBusinessDay(d('2053-03-04'), calendarNamed('NZAU'))).toThrow('the NZAU calendar has rules for 2005 to 2052 only, not 2053');
  });
});

describe('the years before 2000 (seasoned trades: the first dates of a 30-year swap of 1996)', () => {
  it('TARGET before it opened: 1 January and 25 December, and 31 December 1998', () => {
    expect(listed('TARGET', 1998)).toEqual(['1998-01-01', '1998-12-25', '1998-12-31']);
  });
  it('USNY: Veterans Day on the fourth Monday of October until 1977 (27 October 1975), no MLK Day before 1986', () => {
    expect(listed('USNY', 1975)).toEqual([
      '1975-01-01', '1975-02-17', '1975-05-26', '1975-07-04', '1975-09-01', '1975-10-13', '1975-10-27', '1975-11-27', '1975-12-25',
    ]);
  });
  it('GBLO 1981: the royal wedding of 29 July', () => {
    expect(listed('GBLO', 1981)).toEqual([
      '1981-01-01', '1981-04-17', '1981-04-20', '1981-05-04', '1981-05-25', '1981-07-29', '1981-08-31', '1981-12-25', '1981-12-28',
    ]);
  });
  it('JPTO before the 2000-2003 Monday moves, and the substitute rule before 2007', () => {
    // 1999: Coming of Age Day on 15 January, the vernal equinox on Sunday 21 March (Monday 22 off), Sports Day on
    // Sunday 10 October (Monday 11 off), Marine Day on 20 July, Respect for the Aged Day on 15 September
    expect(listed('JPTO', 1999)).toEqual([
      '1999-01-01', '1999-01-15', '1999-02-11', '1999-03-22', '1999-04-29', '1999-05-03', '1999-05-04', '1999-05-05',
      '1999-07-20', '1999-09-15', '1999-09-23', '1999-10-11', '1999-11-03', '1999-11-23', '1999-12-23', '1999-12-31',
    ]);
    // 1998: Constitution Day on Sunday 3 May; the Monday is its substitute and 6 May is a working day (from 2007 it
    // would be the substitute of a Sunday 3 May, as in 2026)
    expect(listed('JPTO', 1998).filter((x) => x.startsWith('1998-05'))).toEqual(['1998-05-04', '1998-05-05']);
  });
});

describe('joint calendars and names', () => {
  it('USNY+GBLO is closed when either centre is', () => {
    const joint = listed('USNY+GBLO', 2026);
    const union = [...new Set([...listed('USNY', 2026), ...listed('GBLO', 2026)])].sort();
    expect(joint).toEqual(union);
    expect(joint).toHaveLength(15); // 10 + 8, less 1 January, 25 May (Memorial Day and the spring holiday) and 25 December
  });
  it('names are canonical: case and blanks ignored, EUTA is TARGET, a centre named twice counts once', () => {
    expect(canonicalCalendarName(' usny + gblo ')).toBe('GBLO+USNY'); // one name per calendar: centres in alphabetical order
    expect(canonicalCalendarName('euta+TARGET')).toBe('TARGET');
    expect(canonicalCalendarName('Weekends')).toBe('weekends');
    expect(calendarNamed('gblo+usny')).toBe(calendarNamed('USNY+GBLO'));
    expect(canonicalCalendarName('HKHK')).toBeUndefined(); // Hong Kong: not written (its lunar holidays need tables)
    expect(canonicalCalendarName('nzwe + nzau')).toBe('NZAU+NZWE');
    expect(canonicalCalendarName('jpto+usny')).toBe('JPTO+USNY');
    expect(canonicalCalendarName('USNY+')).toBeUndefined();
    expect(() => calendarNamed('NYSE')).toThrow(`unknown calendar "NYSE": expected ${CALENDAR_EXPECTED}`);
  });
  it('a year outside the rules is an error, not a silent weekends-only day', () => {
    expect(() => isBusinessDay(d('2250-03-04'), calendarNamed('TARGET'))).toThrow('the TARGET calendar has rules for 1971 to 2199 only, not 2250');
    // a joint calendar runs where all its centres do: GBLO from 1978, JPTO from 1989
    expect(() => isBusinessDay(d('1985-03-04'), calendarNamed('USNY+JPTO'))).toThrow('the JPTO+USNY calendar has rules for 1989 to 2099 only, not 1985');
  });
});

describe('rolls on a holiday calendar', () => {
  const target = calendarNamed('TARGET');
  it('Following and Modified Following skip holidays as well as weekends', () => {
    // Friday 25 December 2026: weekends only it is a business day; on TARGET the next one is Monday 28 December
    expect(toIsoDate(adjust(d('2026-12-25'), 'F'))).toBe('2026-12-25');
    expect(toIsoDate(adjust(d('2026-12-25'), 'F', target))).toBe('2026-12-28');
    // Friday 1 May 2026 (TARGET closed): Following is Monday 4 May, in the same month, so MF agrees
    expect(toIsoDate(adjust(d('2026-05-01'), 'MF', target))).toBe('2026-05-04');
    // Thursday 31 December 2026 is open on TARGET (not in 2001's list any more)
    expect(toIsoDate(adjust(d('2026-12-31'), 'MF', target))).toBe('2026-12-31');
    // GBLO, Monday 31 August 2026 (summer bank holiday): Following is in September, so MF goes back to Friday 28 August
    expect(toIsoDate(adjust(d('2026-08-31'), 'MF', calendarNamed('GBLO')))).toBe('2026-08-28');
  });
  it('Preceding and Modified Preceding go back, MP forward when going back leaves the month', () => {
    // Monday 6 April 2026 (Easter Monday): Preceding skips Good Friday to Thursday 2 April
    expect(toIsoDate(adjust(d('2026-04-06'), 'P', target))).toBe('2026-04-02');
    expect(toIsoDate(adjust(d('2026-04-06'), 'MP', target))).toBe('2026-04-02');
    // Thursday 1 January 2026: Preceding is Wednesday 31 December 2025; MP stays in January: Friday 2 January
    expect(toIsoDate(adjust(d('2026-01-01'), 'P', target))).toBe('2025-12-31');
    expect(toIsoDate(adjust(d('2026-01-01'), 'MP', target))).toBe('2026-01-02');
    // weekends only: Sunday 1 March 2026 -> Friday 27 February (P), Monday 2 March (MP)
    expect(toIsoDate(adjust(d('2026-03-01'), 'P'))).toBe('2026-02-27');
    expect(toIsoDate(adjust(d('2026-03-01'), 'MP'))).toBe('2026-03-02');
  });
  it('addBusinessDays counts only open days', () => {
    // Thursday 2 April 2026 + 2 TARGET business days: Good Friday and Easter Monday are closed, so Wednesday 8 April
    expect(toIsoDate(addBusinessDays(d('2026-04-02'), 2, target))).toBe('2026-04-08');
    expect(toIsoDate(addBusinessDays(d('2026-04-02'), 2))).toBe('2026-04-06');
  });
});

describe('buildSchedule on a calendar', () => {
  const terms = (calendar: string | undefined): ScheduleTerms => ({
    startDate: d('2026-09-25'),
    maturityDate: d('2028-12-25'),
    frequency: '3M',
    dayCount: 'ACT/360',
    businessDayConvention: 'MF',
    stub: 'short_front',
    endOfMonth: false,
    ...(calendar !== undefined ? { calendar } : {}),
  });
  it('rolls coupon dates off TARGET holidays and accrues to the rolled dates', () => {
    const weekends = buildSchedule(terms(undefined));
    const onTarget = buildSchedule(terms('TARGET'));
    expect(onTarget.count).toBe(weekends.count);
    // 25 December 2026 is a Friday (open weekends-only, closed on TARGET) -> Monday 28 December;
    // 25 December 2028 is a Monday and 26 December a Tuesday, both closed -> Wednesday 27 December
    expect(toIsoDate(weekends.accrualEnd[0]!)).toBe('2026-12-25');
    expect(toIsoDate(onTarget.accrualEnd[0]!)).toBe('2026-12-28');
    expect(toIsoDate(weekends.accrualEnd[weekends.count - 1]!)).toBe('2028-12-25');
    expect(toIsoDate(onTarget.accrualEnd[onTarget.count - 1]!)).toBe('2028-12-27');
    // 91 + 3 days in the first period (25 Sep -> 28 Dec), 3 days fewer in the second (28 Dec -> 25 Mar 2027: Thursday)
    expect(onTarget.accrualFraction[0]).toBeCloseTo(94 / 360, 15);
    expect(onTarget.accrualFraction[1]).toBeCloseTo(87 / 360, 15);
    expect(weekends.accrualFraction[0]).toBeCloseTo(91 / 360, 15);
    for (let i = 0; i < onTarget.count; i++) {
      expect(target(onTarget.accrualEnd[i]!), toIsoDate(onTarget.accrualEnd[i]!)).toBe(true);
    }
  });
  const target = (date: DateSerial): boolean => isBusinessDay(date, calendarNamed('TARGET'));
});

describe('the trades file\'s calendar column', () => {
  const temps: string[] = [];
  afterAll(() => {
    for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
  });
  const SMALL = path.resolve(__dirname, 'data/small');

  /** test/data/small with a calendar column: `calendars` by trade id, blank for the others. */
  function smallWith(calendars: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-calendar-'));
    temps.push(dir);
    fs.cpSync(SMALL, dir, { recursive: true });
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const out = lines.map((line, i) => `${line},${i === 0 ? 'calendar' : calendars[line.split(',')[0]!] ?? ''}`);
    fs.writeFileSync(file, out.join('\n') + '\n');
    return dir;
  }

  it('is read into both legs\' schedules: T001 on "usny + gblo" rolls off Martin Luther King Day and Good Friday', async () => {
    const issues = new IssueCollector();
    const book = await loadPortfolio(smallWith({ T001: 'usny + gblo', T002: 'weekends' }), issues, { baseCurrency: 'USD' });
    issues.throwIfAny();
    const t001 = book.trades.find((t) => t.tradeId === 'T001');
    const t002 = book.trades.find((t) => t.tradeId === 'T002');
    if (t001?.product !== 'IRS' || t002?.product !== 'IRS') throw new Error('test: T001 and T002 are IRS');
    expect(t001.fixedLeg.calendar).toBe('GBLO+USNY');
    expect(t001.floatLeg.calendar).toBe('GBLO+USNY');
    expect(t002.fixedLeg.calendar).toBeUndefined(); // weekends is no calendar term
    // xva validate's count of the 13 scheduled trades (4 IRS, 3 OIS, 1 BASIS, 2 XCCY, 2 SWAPTION, 1 CAPFLOOR) by calendar
    expect(summarisePortfolio(book, undefined, issues).swapsByCalendar).toEqual({ 'GBLO+USNY': 1, weekends: 12 });
    // T001 runs 2025-01-15 to 2035-01-15 (fixed 6M, float 3M, MF). Monday 15 January 2029 is MLK Day (USNY) and
    // Friday 15 April 2033 Good Friday (GBLO): both roll to the next open day; weekends only they stay.
    const floatEnds = Array.from(buildSchedule(t001.floatLeg).accrualEnd, toIsoDate);
    const fixedEnds = Array.from(buildSchedule(t001.fixedLeg).accrualEnd, toIsoDate);
    const weekendsOnly = Array.from(buildSchedule({ ...t001.floatLeg, calendar: undefined }).accrualEnd, toIsoDate);
    expect(weekendsOnly).toContain('2029-01-15');
    expect(weekendsOnly).toContain('2033-04-15');
    expect(floatEnds).toContain('2029-01-16');
    // MF from Good Friday: Saturday, Sunday, then Easter Monday 18 April (open in New York, a London holiday): Tuesday
    expect(floatEnds).toContain('2033-04-19');
    expect(floatEnds).not.toContain('2033-04-18');
    expect(fixedEnds).toContain('2029-01-16');
  });

  it('survives a write and a read (the amended books of xva optimize)', async () => {
    const issues = new IssueCollector();
    const book = await loadPortfolio(smallWith({ T001: 'TARGET+GBLO' }), issues, { baseCurrency: 'USD' });
    issues.throwIfAny();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-calendar-written-'));
    temps.push(dir);
    for (const [name, table] of Object.entries(portfolioTables(book))) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    const again = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    issues.throwIfAny();
    const t001 = again.trades.find((t) => t.tradeId === 'T001');
    expect(t001?.product === 'IRS' ? t001.fixedLeg.calendar : undefined).toBe('GBLO+TARGET');
  });
});
