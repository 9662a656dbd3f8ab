/**
 * The simulation time grid: the default XVA grid, `--grid` specs and the close-out (MPoR lag) grid. Every expected
 * date below is worked out by hand from the rules in docs/simulation.md (calendar: weekends only; 2026-06-30 is a
 * Tuesday), so the tests check the rules, not the code's own arithmetic.
 */
import { describe, it, expect } from 'vitest';
import { parseIsoDate, toIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { XvaUsageError } from '../src/errors.js';
import { defaultGrid, exposureIndices, parseGrid, parseGridSpec, withCloseOutDates } from '../src/simulation/grid.js';

const d = (iso: string): DateSerial => {
  const serial = parseIsoDate(iso);
  if (serial === undefined) throw new Error(`bad test date ${iso}`);
  return serial;
};
const iso = (dates: Int32Array): string[] => [...dates].map(toIsoDate);
const AS_OF = d('2026-06-30');

describe('defaultGrid: weekly to 1M, monthly to 1Y, quarterly to 10Y, semi-annual after', () => {
  it('a 2.5-month book: four weeks (28 days < 1M = 30 days), then 1M, 2M and 3M (first date past the maturity)', () => {
    const grid = defaultGrid(AS_OF, d('2026-09-15'));
    expect(iso(grid.dates)).toEqual([
      '2026-06-30', '2026-07-07', '2026-07-14', '2026-07-21', '2026-07-28', '2026-07-30', '2026-08-30', '2026-09-30',
    ]);
    // ACT/365F times from the as-of date, exact day counts
    expect([...grid.times]).toEqual([0, 7, 14, 21, 28, 30, 61, 92].map((days) => days / 365));
    expect([...grid.exposureDate]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(grid.lagIndex.size).toBe(0);
  });

  it('a maturity on a grid date ends the grid there (one step past = the date itself counts as reached)', () => {
    const grid = defaultGrid(AS_OF, d('2026-08-30'));
    expect(toIsoDate(grid.dates[grid.dates.length - 1]!)).toBe('2026-08-30');
  });

  it('a 10.5-year book: 1 + 4 weekly + 12 monthly + 36 quarterly (15M..120M) + 2 semi-annual (126M, 132M) = 55 dates', () => {
    const grid = defaultGrid(AS_OF, d('2037-01-15'));
    expect(grid.dates.length).toBe(55);
    const dates = iso(grid.dates);
    // month dates are asOf + n months with the day clamped (never drifting): 8M = 2027-02-28, 9M = 2027-03-30
    expect(dates.slice(5, 17)).toEqual([
      '2026-07-30', '2026-08-30', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-30',
      '2027-01-30', '2027-02-28', '2027-03-30', '2027-04-30', '2027-05-30', '2027-06-30',
    ]);
    expect(dates.slice(17, 20)).toEqual(['2027-09-30', '2027-12-30', '2028-03-30']);
    expect(dates.slice(51)).toEqual(['2036-03-30', '2036-06-30', '2036-12-30', '2037-06-30']);
  });

  it('a book that has matured: the as-of date and one week', () => {
    expect(iso(defaultGrid(AS_OF, d('2026-01-01')).dates)).toEqual(['2026-06-30', '2026-07-07']);
  });
});

describe('--grid specs', () => {
  it("'default' is the default grid", () => {
    expect(iso(parseGrid('default', AS_OF, d('2026-09-15')).dates)).toEqual(iso(defaultGrid(AS_OF, d('2026-09-15')).dates));
  });

  it("ORE-style '4,6M': the as-of date and 4 dates 6 months apart", () => {
    expect(iso(parseGrid('4,6M', AS_OF).dates)).toEqual(['2026-06-30', '2026-12-30', '2027-06-30', '2027-12-30', '2028-06-30']);
    expect(parseGrid('81,6M', AS_OF).dates.length).toBe(82);
  });

  it("a list '1W, 2W,1M,1Y' (blanks allowed, lower case units allowed)", () => {
    expect(iso(parseGrid('1W, 2W,1m,1Y', AS_OF).dates)).toEqual(['2026-06-30', '2026-07-07', '2026-07-14', '2026-07-30', '2027-06-30']);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /--grid is empty/],
    ['weekly', /'weekly' is not a tenor/],
    ['0,6M', /count must be 1 to 2000/],
    ['5000,1D', /count must be 1 to 2000/],
    ['5,6X', /'6X' is not a tenor/],
    ['5,6M,1Y', /a count must be followed by exactly one tenor/],
    ['1M,,3M', /an empty item/],
    ['1.5Y', /'1.5Y' is not a tenor/],
    ['0M,1Y', /tenor '0M' must be positive/],
    ['ON,1W', /'ON' is not a tenor/],
  ];
  for (const [spec, message] of bad) {
    it(`refuses '${spec}' with a usage error naming the problem and the accepted forms`, () => {
      expect(() => parseGridSpec(spec)).toThrow(XvaUsageError);
      expect(() => parseGridSpec(spec)).toThrow(message);
      expect(() => parseGridSpec(spec)).toThrow(/'81,6M'/);
    });
  }

  it('refuses a list that does not increase (3M after 6M; 1M = 4W+2D is after 4W, 30D equals 1M here)', () => {
    expect(() => parseGrid('6M,3M', AS_OF)).toThrow(/tenor 3M is not after 6M; the list must increase/);
    expect(() => parseGrid('30D,1M', AS_OF)).toThrow(/tenor 1M is not after 30D/);
    expect(iso(parseGrid('4W,1M', AS_OF).dates)).toEqual(['2026-06-30', '2026-07-28', '2026-07-30']);
  });
});

describe('withCloseOutDates: the close-out grid for margin periods of risk', () => {
  // Base grid: 2026-06-30 (Tue, as-of), 2026-07-07 (Tue), 2026-07-30 (Thu).
  // MPoR 10 business days: 07-07 - 10bd = 06-23 (before the as-of date: lag index 0);
  //   07-30 - 10bd: 29,28,27,24,23,22,21,20,17,16 -> 2026-07-16 (added).
  // MPoR 2 business days: 07-07 - 2bd = 07-06 (Mon), 07-03 (Fri) -> 2026-07-03 (added); 07-30 - 2bd = 2026-07-28.
  const base = parseGrid('1W,1M', AS_OF);
  const grid = withCloseOutDates(base, [10, 2, 10, 0]);

  it('adds the lag dates as non-exposure dates, sorted into the grid', () => {
    expect(iso(grid.dates)).toEqual(['2026-06-30', '2026-07-03', '2026-07-07', '2026-07-16', '2026-07-28', '2026-07-30']);
    expect([...grid.exposureDate]).toEqual([1, 0, 1, 0, 0, 1]);
    expect([...grid.times]).toEqual([0, 3, 7, 16, 28, 30].map((days) => days / 365));
    expect([...exposureIndices(grid)]).toEqual([0, 2, 5]);
  });

  it('lagIndex maps each exposure date to its t - MPoR date (0 when on or before the as-of date); MPoR 0 has none', () => {
    expect([...grid.lagIndex.keys()].sort((a, b) => a - b)).toEqual([2, 10]);
    const lag10 = grid.lagIndex.get(10)!;
    const lag2 = grid.lagIndex.get(2)!;
    expect([lag10[0], lag10[2], lag10[5]]).toEqual([0, 0, 3]);
    expect([lag2[0], lag2[2], lag2[5]]).toEqual([0, 1, 4]);
    expect(toIsoDate(grid.dates[lag10[5]!]!)).toBe('2026-07-16');
  });

  it('a lag date already on the grid is not added twice and keeps its exposure flag', () => {
    // 2026-07-14 (Tue) - 5bd = 2026-07-07, an exposure date of the grid
    const g = withCloseOutDates(parseGrid('1W,2W', AS_OF), [5]);
    expect(iso(g.dates)).toEqual(['2026-06-30', '2026-07-07', '2026-07-14']);
    expect([...g.exposureDate]).toEqual([1, 1, 1]);
    expect([...g.lagIndex.get(5)!]).toEqual([0, 0, 1]);
  });

  it('a weekend exposure date lags from the Friday before (addBusinessDays counts a Saturday as Friday)', () => {
    // 2026-07-04 is a Saturday: - 1bd = Friday 2026-07-03
    const g = withCloseOutDates(parseGrid('4D', AS_OF), [1]);
    expect(iso(g.dates)).toEqual(['2026-06-30', '2026-07-03', '2026-07-04']);
  });

  it('applying it again with another MPoR keeps the earlier lag map valid', () => {
    const again = withCloseOutDates(grid, [1]);
    const lag10 = again.lagIndex.get(10)!;
    const last = again.dates.length - 1;
    expect(toIsoDate(again.dates[last]!)).toBe('2026-07-30');
    expect(toIsoDate(again.dates[lag10[last]!]!)).toBe('2026-07-16');
    // 07-30 - 1bd = 07-29 added; 07-07 - 1bd = 07-06 added
    expect(iso(again.dates)).toContain('2026-07-29');
    expect(iso(again.dates)).toContain('2026-07-06');
    expect(again.exposureDate.reduce((a, b) => a + b, 0)).toBe(3);
  });
});
