import { describe, it, expect } from 'vitest';
import { fromYmd, MAX_DATE, MIN_DATE, parseIsoDate, toIsoDate, toYmd, type DateSerial } from '../src/conventions/dates.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { addBusinessDays, adjust, isBusinessDay } from '../src/conventions/calendar.js';
import { buildSchedule, MIN_STUB_DAYS } from '../src/conventions/schedule.js';
import type { ScheduleTerms } from '../src/products/types.js';

const d = (iso: string): DateSerial => {
  const serial = parseIsoDate(iso);
  if (serial === undefined) throw new Error(`bad test date ${iso}`);
  return serial;
};

describe('yearFraction: ACT/ACT ISDA (ISDA 2006 4.16(b))', () => {
  // Source: ISDA, "EMU and market conventions: recent developments" (mktc1198), Actual/Actual (ISDA) examples, as
  // QuantLib's test-suite/daycounters.cpp (testActualActual) prints them to 12 decimals. The exact fraction (days in
  // each calendar year over that year's length) is checked to 1e-14 and the printed figure to 5e-12 (its rounding:
  // 12 decimals, except 1.001377348600, whose exact value 1.0013773486040 was cut at the 10th decimal).
  const cases: Array<[string, string, number, number]> = [
    ['2003-11-01', '2004-05-01', 61 / 365 + 121 / 366, 0.497724380567],
    ['1999-02-01', '1999-07-01', 150 / 365, 0.41095890411],
    ['1999-07-01', '2000-07-01', 184 / 365 + 182 / 366, 1.0013773486],
    ['2002-08-15', '2003-07-15', 334 / 365, 0.915068493151],
    ['2003-07-15', '2004-01-15', 170 / 365 + 14 / 366, 0.504004790778],
    ['1999-07-30', '2000-01-30', 155 / 365 + 29 / 366, 0.503892506924],
    ['2000-01-30', '2000-06-30', 152 / 366, 0.415300546448],
  ];
  for (const [start, end, exact, printed] of cases) {
    it(`${start} -> ${end}`, () => {
      const yf = yearFraction('ACT/ACT', d(start), d(end));
      expect(Math.abs(yf - exact)).toBeLessThan(1e-14);
      expect(Math.abs(yf - printed)).toBeLessThan(5e-12);
    });
  }

  it('spans whole years: 2003-11-01 -> 2006-05-01 = 61/365 + 2 + 120/365', () => {
    // 2004 and 2005 are whole years (1 each); 2006 contributes Jan-Apr = 120 days of a 365-day year.
    expect(yearFraction('ACT/ACT', d('2003-11-01'), d('2006-05-01'))).toBeCloseTo(61 / 365 + 2 + 120 / 365, 14);
  });
});

describe('yearFraction: 30/360 Bond Basis (ISDA 2006 4.16(f))', () => {
  // Hand-computed from 4.16(f): [360 (Y2-Y1) + 30 (M2-M1) + (D2-D1)] / 360, D1 = 31 -> 30, D2 = 31 -> 30 only when D1
  // is 30 or 31; the end of February is not adjusted. Exact rationals, tolerance 1e-15.
  const cases: Array<[string, string, number, string]> = [
    ['2007-01-15', '2007-07-15', 180, 'plain half year'],
    ['2007-01-31', '2007-02-28', 28, 'D1 = 31 -> 30; Feb end not adjusted'],
    ['2007-01-31', '2007-03-31', 60, 'D1 = 31 -> 30, then D2 = 31 -> 30'],
    ['2007-01-30', '2007-03-31', 60, 'D1 = 30, so D2 = 31 -> 30'],
    ['2007-02-28', '2007-03-31', 33, 'D1 = 28 (Feb end), so D2 = 31 stays'],
    ['2008-02-29', '2008-08-31', 182, 'leap Feb end, D2 = 31 stays'],
    ['2006-12-31', '2007-12-31', 360, 'both 31st: a full year'],
  ];
  for (const [start, end, days, why] of cases) {
    it(`${start} -> ${end} = ${days}/360 (${why})`, () => {
      expect(yearFraction('30/360', d(start), d(end))).toBeCloseTo(days / 360, 15);
    });
  }
});

describe('yearFraction: ACT/360 and ACT/365F', () => {
  it('counts actual days (2007-01-15 -> 2007-07-15 is 181 days; 2008 has 366)', () => {
    // Days counted by hand: Jan 16 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 15 = 181.
    expect(yearFraction('ACT/360', d('2007-01-15'), d('2007-07-15'))).toBeCloseTo(181 / 360, 15);
    expect(yearFraction('ACT/365F', d('2007-01-15'), d('2007-07-15'))).toBeCloseTo(181 / 365, 15);
    expect(yearFraction('ACT/365F', d('2008-01-01'), d('2009-01-01'))).toBeCloseTo(366 / 365, 15);
    expect(yearFraction('ACT/360', d('2008-01-01'), d('2009-01-01'))).toBeCloseTo(366 / 360, 15);
  });
});

describe('calendar (weekends only)', () => {
  it('knows weekends (2009-06-20 was a Saturday, 2009-05-21 a Thursday)', () => {
    expect(isBusinessDay(d('2009-06-20'))).toBe(false);
    expect(isBusinessDay(d('2009-06-21'))).toBe(false);
    expect(isBusinessDay(d('2009-05-21'))).toBe(true);
  });

  it('Following moves a weekend to Monday (Sat 20 Jun 2009 -> Mon 22 Jun 2009, the 2Q09 CDS payment date)', () => {
    expect(adjust(d('2009-06-20'), 'F')).toBe(d('2009-06-22'));
    expect(adjust(d('2009-06-19'), 'F')).toBe(d('2009-06-19'));
    expect(adjust(d('2009-06-20'), 'U')).toBe(d('2009-06-20'));
  });

  it('Modified Following rolls back at month end (Sun 31 Jan 2010 -> Fri 29 Jan 2010; F gives Mon 1 Feb)', () => {
    expect(adjust(d('2010-01-31'), 'F')).toBe(d('2010-02-01'));
    expect(adjust(d('2010-01-31'), 'MF')).toBe(d('2010-01-29'));
    // Mid-month MF is plain Following: Sat 15 May 2021 -> Mon 17 May 2021.
    expect(adjust(d('2021-05-15'), 'MF')).toBe(d('2021-05-17'));
  });

  it('adds business days across weekends', () => {
    expect(addBusinessDays(d('2009-05-21'), 2)).toBe(d('2009-05-25')); // Thu + 2 = Mon (spot)
    expect(addBusinessDays(d('2009-05-21'), 3)).toBe(d('2009-05-26')); // Thu + 3 = Tue (CDS cash settlement)
    expect(addBusinessDays(d('2009-05-25'), -1)).toBe(d('2009-05-22')); // Mon - 1 = Fri
    expect(addBusinessDays(d('2009-06-20'), 1)).toBe(d('2009-06-22')); // Sat + 1 = Mon
    expect(addBusinessDays(d('2009-06-20'), 0)).toBe(d('2009-06-20'));
  });
});

function terms(overrides: Partial<ScheduleTerms>): ScheduleTerms {
  return {
    startDate: d('2020-03-10'),
    maturityDate: d('2025-05-15'),
    frequency: '6M',
    dayCount: '30/360',
    businessDayConvention: 'MF',
    stub: 'short_front',
    endOfMonth: false,
    ...overrides,
  };
}

describe('buildSchedule', () => {
  it('5Y semi-annual 30/360 MF swap with a short front stub: dates and fractions by hand', () => {
    // Rolled back from Thu 15 May 2025 every 6 months; weekend dates move to Monday (MF, none crosses a month end):
    // 15 May 2022 Sun -> 16 May, 15 May 2021 Sat -> 17 May, 15 Nov 2020 Sun -> 16 Nov. Front stub 10 Mar -> 15 May 2020.
    const s = buildSchedule(terms({}));
    const dates = ['2020-03-10', '2020-05-15', '2020-11-16', '2021-05-17', '2021-11-15', '2022-05-16', '2022-11-15',
      '2023-05-15', '2023-11-15', '2024-05-15', '2024-11-15', '2025-05-15'].map(d);
    expect(s.count).toBe(11);
    expect(Array.from(s.accrualStart)).toEqual(dates.slice(0, -1));
    expect(Array.from(s.accrualEnd)).toEqual(dates.slice(1));
    expect(Array.from(s.paymentDate)).toEqual(dates.slice(1));
    // 30/360 day counts by hand: 65 (stub), 181, 181, 178, 181, 179, then 180 five times. Exact rationals, 1e-15.
    const days = [65, 181, 181, 178, 181, 179, 180, 180, 180, 180, 180];
    days.forEach((n, i) => expect(s.accrualFraction[i]).toBeCloseTo(n / 360, 15));
  });

  it(`merges a front stub shorter than ${MIN_STUB_DAYS} days into the first period`, () => {
    // Start Tue 12 May 2020, three days before the first rolled date 15 May 2020: one long first period to 16 Nov 2020.
    const s = buildSchedule(terms({ startDate: d('2020-05-12') }));
    expect(s.count).toBe(10);
    expect(s.accrualStart[0]).toBe(d('2020-05-12'));
    expect(s.accrualEnd[0]).toBe(d('2020-11-16'));
    expect(s.accrualFraction[0]).toBeCloseTo(184 / 360, 15); // 6 x 30 + (16 - 12)
  });

  it('short_back rolls forward from the start, the stub last (ACT/360, Following)', () => {
    const s = buildSchedule(terms({ startDate: d('2020-01-15'), maturityDate: d('2021-03-01'), dayCount: 'ACT/360', businessDayConvention: 'F', stub: 'short_back' }));
    expect(Array.from(s.accrualEnd)).toEqual(['2020-07-15', '2021-01-15', '2021-03-01'].map(d));
    // Actual days by hand: 182 (leap February), 184, 45.
    [182, 184, 45].forEach((n, i) => expect(s.accrualFraction[i]).toBeCloseTo(n / 360, 15));
  });

  it('end-of-month rule keeps month ends (ACT/ACT ISDA fractions by hand)', () => {
    const base = { startDate: d('2023-08-31'), maturityDate: d('2025-02-28'), dayCount: 'ACT/ACT' as const, businessDayConvention: 'U' as const };
    const eom = buildSchedule(terms({ ...base, endOfMonth: true }));
    expect(Array.from(eom.accrualEnd)).toEqual(['2024-02-29', '2024-08-31', '2025-02-28'].map(d));
    expect(eom.accrualFraction[0]).toBeCloseTo(123 / 365 + 59 / 366, 14);
    expect(eom.accrualFraction[1]).toBeCloseTo(184 / 366, 14);
    expect(eom.accrualFraction[2]).toBeCloseTo(123 / 366 + 58 / 365, 14);
    // Without the rule the 28th is kept.
    const plain = buildSchedule(terms({ ...base, endOfMonth: false }));
    expect(Array.from(plain.accrualEnd)).toEqual(['2024-02-28', '2024-08-28', '2025-02-28'].map(d));
    // With MF, Sat 31 Aug 2024 rolls back to Fri 30 Aug 2024 (Following would cross into September).
    const mf = buildSchedule(terms({ ...base, endOfMonth: true, businessDayConvention: 'MF' }));
    expect(mf.accrualEnd[1]).toBe(d('2024-08-30'));
  });

  it('rolls from the anchor, not period by period: a 31st stays the 31st where the month has one', () => {
    const s = buildSchedule(terms({ startDate: d('2024-01-31'), maturityDate: d('2024-07-31'), frequency: '1M', businessDayConvention: 'U', stub: 'short_back' }));
    expect(Array.from(s.accrualEnd)).toEqual(['2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30', '2024-07-31'].map(d));
  });

  it('rejects a maturity on or before the start with the dates in the message', () => {
    expect(() => buildSchedule(terms({ maturityDate: d('2020-03-10') }))).toThrow(/2020-03-10 must be after its start 2020-03-10/);
  });

  it('uses fromYmd serials consistently', () => {
    expect(fromYmd(2020, 3, 10)).toBe(d('2020-03-10'));
  });
});

describe('dates at the ends of 0001-01-01..9999-12-31 and beyond (the range a date column may hold)', () => {
  // Reference: Python's datetime.date(y, m, d).toordinal() - date(1970, 1, 1).toordinal(), an independent proleptic
  // Gregorian calendar; exact integers, no tolerance.
  it('years 1..99 are those years (Date.UTC read them as 1900..1999), year 0000 is no date', () => {
    expect(parseIsoDate('0001-01-01')).toBe(-719_162);
    expect(parseIsoDate('0050-06-01')).toBe(-701_114);
    expect(fromYmd(99, 2, 28)).toBe(-683_310);
    expect(parseIsoDate('9999-12-31')).toBe(2_932_896);
    expect([MIN_DATE, MAX_DATE]).toEqual([-719_162, 2_932_896]);
    expect(toIsoDate(MIN_DATE)).toBe('0001-01-01');
    expect(parseIsoDate('0000-01-01')).toBeUndefined();
  });

  it('toYmd names the date of any safe-integer serial (DuckDB\'s infinity, date32 2147483647, is 5881580-07-11) and NaN fields for NaN', () => {
    // 2147483647 = 3844 + 14699 · 146097: the Gregorian calendar repeats every 400 years (146,097 days), and day 3844
    // is 1980-07-11 (Python), so the date is 1980 + 400 · 14699 = 5881580-07-11
    expect(toYmd(2_147_483_647)).toEqual({ year: 5_881_580, month: 7, day: 11 });
    expect(toYmd(3844 - 146_097 * 14_699)).toEqual({ year: 1980 - 400 * 14_699, month: 7, day: 11 });
    expect(toYmd(NaN)).toEqual({ year: NaN, month: NaN, day: NaN });
    expect(toYmd(Infinity)).toEqual({ year: NaN, month: NaN, day: NaN });
  });
});
