/**
 * Holiday calendars of the main financial centres, by rule (no holiday files to ship or keep up to date), named with the
 * ISDA / FpML business-centre codes a confirmation uses:
 *
 * - `TARGET` (alias `EUTA`): the TARGET2/T2 closing days the ECB publishes. From 2000: 1 January, Good Friday, Easter
 *   Monday, 1 May, 25 and 26 December; 31 December also in 1998, 1999 and 2001. Before 2000 (TARGET opened in 1999),
 *   1 January and 25 December only, as QuantLib's TARGET has it, so that a seasoned euro swap's first dates roll.
 * - `GBLO`: London, the bank holidays of England and Wales (Banking and Financial Dealings Act 1971 and the royal
 *   proclamations), from 1978 (the first early-May holiday): New Year's Day, Good Friday, Easter Monday, the first and
 *   last Mondays of May, the last Monday of August, Christmas and Boxing Day, each moved to the next weekday when it falls on a weekend; plus the days
 *   proclaimed for one year only (1999-12-31, the jubilees of 2002, 2012 and 2022 with the spring holiday moved, the
 *   royal weddings of 1981 and 2011, the state funeral of 2022, the coronation of 2023, VE day's anniversaries of 1995
 *   and 2020).
 * - `USNY`: New York, the Federal Reserve's holidays (federalreserve.gov, "Holidays Observed"): New Year's Day, Martin
 *   Luther King Jr. Day (third Monday of January, from 1986), Washington's Birthday (third Monday of February),
 *   Memorial Day (last Monday of May), Juneteenth (19 June, from 2022), Independence Day (4 July), Labor Day (first
 *   Monday of September), Columbus Day (second Monday of October), Veterans Day (11 November; the fourth Monday of
 *   October from 1971 to 1977), Thanksgiving (fourth
 *   Thursday of November) and Christmas (25 December). A holiday on a Sunday is kept on the Monday after; one on a
 *   Saturday is not moved (the Reserve Banks open the Friday before). From 1971 (the Monday holidays act).
 * - `CHZU`: Zurich, the Swiss bank holidays: 1 and 2 January, Good Friday, Easter Monday, Ascension Day, Whit Monday,
 *   1 May, 1 August, 25 and 26 December.
 * - `JPTO`: Tokyo, the national holidays of Japan's Public Holiday Law (as amended; the Olympic moves of 2020 and 2021
 *   and the enthronement holidays of 2019 included) plus the banks' closing days 2 and 3 January and 31 December. A
 *   holiday on a Sunday is kept on the next day that is not a holiday (before 2007: on the Monday, when that is not a
 *   holiday itself); a day between two holidays is a holiday. From 1989 (the Heisei-era holidays). The equinox days
 *   come from the astronomical approximation valid to 2099 (the Cabinet Office announces each year's dates the
 *   February before), so JPTO's rules stop at 2099.
 * - `SEST`: Stockholm, the Riksbank's holidays: 1 and 6 January, Good Friday, Easter Monday, 1 May, Ascension Day,
 *   National Day (6 June), Midsummer Eve (the Friday from 19 to 25 June), 24, 25, 26 and 31 December. From 2005, when
 *   National Day replaced Whit Monday.
 * - `NOOS`: Oslo, the days Norges Bank's settlement system (NBO) is closed: 1 January, Maundy Thursday, Good Friday,
 *   Easter Monday, 1 May, 17 May, Ascension Day, Whit Monday, 24, 25 and 26 December (31 December is open). From 2006,
 *   the oldest list read.
 * - `DKCO`: Copenhagen, Danmarks Nationalbank's closing days ("banklukkedage"): 1 January, Maundy Thursday, Good
 *   Friday, Easter Monday, General Prayer Day (the fourth Friday after Easter, abolished from 2024), Ascension Day and
 *   the Friday after it, Whit Monday, 5 June, 24, 25, 26 and 31 December. From 2016, the oldest list read with the
 *   Friday after Ascension (a list of 2006 has not yet got it).
 * - `CATO`: Toronto, the days Canada's payment system and the Toronto banks close (Payments Canada's Lynx holidays):
 *   New Year's Day, Family Day (third Monday of February, Ontario, from 2008), Good Friday, Victoria Day (the Monday on
 *   or before 24 May), Canada Day, the Civic Holiday (first Monday of August), Labour Day (first Monday of September),
 *   the National Day for Truth and Reconciliation (30 September, from 2021), Thanksgiving (second Monday of October),
 *   Remembrance Day (11 November), Christmas and Boxing Day; a holiday on a weekend is kept on the next weekday it does
 *   not already take (Christmas on a Saturday: 27 and 28 December). From 1990.
 * - `AUSY`: Sydney, the bank holidays of New South Wales: New Year's Day, Australia Day (26 January), Good Friday,
 *   Easter Monday, ANZAC Day (25 April, not moved off a weekend), the King's (Queen's) Birthday (second Monday of June),
 *   the Bank Holiday (first Monday of August), Labour Day (first Monday of October), Christmas and Boxing Day; New
 *   Year's, Australia Day, Christmas and Boxing Day on a weekend are kept on the next weekdays; plus the National Day of
 *   Mourning of 22 September 2022. From 1995 (Australia Day kept on 26 January since 1994).
 * - `NZAU` and `NZWE`: Auckland and Wellington, New Zealand's public holidays (Holidays Act 2003, in force from April
 *   2004) and the region's anniversary day: 1 and 2 January, Waitangi Day (6 February), Good Friday, Easter Monday,
 *   ANZAC Day (25 April), the King's (Queen's) Birthday (first Monday of June), Matariki (the Fridays the Te Kāhui o
 *   Matariki Public Holiday Act 2022 schedules for 2022-2052), Labour Day (fourth Monday of October), Christmas and
 *   Boxing Day; 1-2 January and 25-26 December on a weekend are kept on the next weekdays, Waitangi and ANZAC Day from
 *   2014 on the Monday (Holidays (Full Recognition of Waitangi Day and ANZAC Day) Amendment Act 2013); the anniversary
 *   day is the Monday nearest 29 January in Auckland and 22 January in Wellington. From 2005 to 2052 (Matariki's
 *   schedule ends there).
 * - `weekends`: Saturdays and Sundays only (ISDA's "WeekendsOnly"), the default of every trade.
 *
 * A joint calendar `A+B` (FpML's several business centres) is open on the days every one of its calendars is open.
 * Rules run to 2199 (JPTO 2099, NZAU and NZWE 2052) from the first year each centre states (FIRST_YEAR); a date outside
 * them is an error.
 * Days proclaimed after this file was written are not known to it.
 */
import { dayOfWeek, fromYmd, toYmd, type DateSerial } from './dates.js';

/** The calendars by rule, each with its ISDA code. */
export const HOLIDAY_CENTRES = ['TARGET', 'GBLO', 'USNY', 'CHZU', 'JPTO', 'SEST', 'NOOS', 'DKCO', 'CATO', 'AUSY', 'NZAU', 'NZWE'] as const;
export type HolidayCentre = (typeof HOLIDAY_CENTRES)[number];

/** The default calendar: Saturdays and Sundays only. */
export const WEEKENDS_ONLY = 'weekends';

/** Other names accepted for a centre (FpML's business-centre code of TARGET). */
const ALIASES: Readonly<Record<string, HolidayCentre>> = { EUTA: 'TARGET' };

/** The years each centre's rules are written for. */
const FIRST_YEAR: Readonly<Record<HolidayCentre, number>> = {
  TARGET: 1971, GBLO: 1978, USNY: 1971, CHZU: 1971, JPTO: 1989, SEST: 2005, NOOS: 2006, DKCO: 2016, CATO: 1990, AUSY: 1995, NZAU: 2005, NZWE: 2005,
};
const LAST_YEAR: Readonly<Record<HolidayCentre, number>> = {
  TARGET: 2199, GBLO: 2199, USNY: 2199, CHZU: 2199, JPTO: 2099, SEST: 2199, NOOS: 2199, DKCO: 2199, CATO: 2199, AUSY: 2199, NZAU: 2052, NZWE: 2052,
};

export interface Calendar {
  /** Canonical name: `weekends`, a centre, or centres joined by `+` in alphabetical order. */
  readonly name: string;
  isBusinessDay(date: DateSerial): boolean;
}

/**
 * The canonical name of a calendar written as text (`TARGET`, `usny`, `USNY+GBLO`, `weekends`; case and blanks around
 * `+` ignored, a centre named twice kept once, the centres of a joint calendar in alphabetical order, so that one
 * calendar has one name: `usny+gblo` is `GBLO+USNY`), or undefined when a part is not a known calendar.
 */
export function canonicalCalendarName(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === WEEKENDS_ONLY) return WEEKENDS_ONLY;
  const parts = trimmed.split('+').map((p) => p.trim().toUpperCase());
  const centres: HolidayCentre[] = [];
  for (const part of parts) {
    const centre = ALIASES[part] ?? HOLIDAY_CENTRES.find((c) => c === part);
    if (centre === undefined) return undefined;
    if (!centres.includes(centre)) centres.push(centre);
  }
  return centres.sort().join('+');
}

/** What a calendar cell may hold, for error messages. */
export const CALENDAR_EXPECTED = `${WEEKENDS_ONLY}, one of ${HOLIDAY_CENTRES.join(', ')} (EUTA = TARGET), or several joined by + (e.g. USNY+GBLO)`;

const weekendsOnly: Calendar = {
  name: WEEKENDS_ONLY,
  isBusinessDay(date: DateSerial): boolean {
    const dow = dayOfWeek(date);
    return dow !== 0 && dow !== 6;
  },
};

const built = new Map<string, Calendar>([[WEEKENDS_ONLY, weekendsOnly]]);

/** The calendar of a name (see canonicalCalendarName); undefined (a blank cell) is weekends only. Built once per name. */
export function calendarNamed(name: string | undefined): Calendar {
  if (name === undefined) return weekendsOnly;
  const cached = built.get(name);
  if (cached) return cached;
  const canonical = canonicalCalendarName(name);
  if (canonical === undefined) throw new Error(`unknown calendar ${JSON.stringify(name)}: expected ${CALENDAR_EXPECTED}`);
  const calendar = built.get(canonical) ?? holidayCalendar(canonical);
  built.set(canonical, calendar);
  built.set(name, calendar);
  return calendar;
}

/**
 * The years a calendar (a canonical name, joint ones with `+`) has rules for: from the latest first year of its
 * centres to the earliest last one. A date outside them is an error when the calendar is asked about it.
 */
export function calendarYears(name: string): { first: number; last: number } {
  const centres = name.split('+') as HolidayCentre[];
  for (const c of centres) if (FIRST_YEAR[c] === undefined) throw new Error(`unknown calendar centre ${JSON.stringify(c)}: expected ${CALENDAR_EXPECTED}`);
  return { first: Math.max(...centres.map((c) => FIRST_YEAR[c])), last: Math.min(...centres.map((c) => LAST_YEAR[c])) };
}

/** A date outside the years a calendar has rules for (calendarYears), asked of that calendar. */
export class CalendarYearsError extends Error {
  constructor(
    readonly calendar: string,
    readonly first: number,
    readonly last: number,
    readonly year: number,
  ) {
    super(`the ${calendar} calendar has rules for ${first} to ${last} only, not ${year}`);
    this.name = 'CalendarYearsError';
  }
}

/** A weekends-and-holidays calendar; each year's holidays are worked out on first use and kept. */
function holidayCalendar(name: string): Calendar {
  const centres = name.split('+') as HolidayCentre[];
  const years = new Map<number, Set<DateSerial>>();
  const { first, last } = calendarYears(name);
  const holidaysOf = (year: number): Set<DateSerial> => {
    let set = years.get(year);
    if (set === undefined) {
      if (year < first || year > last) throw new CalendarYearsError(name, first, last, year);
      set = new Set();
      for (const centre of centres) for (const day of CENTRE_RULES[centre](year)) set.add(day);
      years.set(year, set);
    }
    return set;
  };
  return {
    name,
    isBusinessDay(date: DateSerial): boolean {
      const dow = dayOfWeek(date);
      if (dow === 0 || dow === 6) return false;
      return !holidaysOf(toYmd(date).year).has(date);
    },
  };
}

/**
 * Easter Sunday of the Gregorian calendar (the anonymous algorithm published in Nature, 1876, as given by Meeus,
 * "Astronomical Algorithms", ch. 8): valid for every Gregorian year.
 */
export function easterSunday(year: number): DateSerial {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return fromYmd(year, month, day);
}

/** The n-th (1-based) given weekday (0 = Sunday) of a month; n = -1 for the last. */
function nthWeekday(year: number, month: number, weekday: number, n: number): DateSerial {
  if (n > 0) {
    const first = fromYmd(year, month, 1);
    return first + ((weekday - dayOfWeek(first) + 7) % 7) + 7 * (n - 1);
  }
  const nextFirst = month === 12 ? fromYmd(year + 1, 1, 1) : fromYmd(year, month + 1, 1);
  const last = nextFirst - 1;
  return last - ((dayOfWeek(last) - weekday + 7) % 7);
}

const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;
const SUNDAY = 0;

/** The next weekday on or after `date` (a weekend holiday's substitute day). */
function nextWeekday(date: DateSerial): DateSerial {
  const dow = dayOfWeek(date);
  return dow === SATURDAY ? date + 2 : dow === SUNDAY ? date + 1 : date;
}

function target(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const days = [fromYmd(year, 1, 1), fromYmd(year, 12, 25)];
  if (year >= 2000) days.push(easter - 2, easter + 1, fromYmd(year, 5, 1), fromYmd(year, 12, 26));
  if (year === 1998 || year === 1999 || year === 2001) days.push(fromYmd(year, 12, 31));
  return days;
}

/** Days proclaimed as bank holidays in England and Wales for one year only, and the spring holidays they moved. */
const GBLO_PROCLAIMED: Readonly<Record<number, readonly string[]>> = {
  1981: ['1981-07-29'],
  1999: ['1999-12-31'],
  2002: ['2002-06-03', '2002-06-04'],
  2011: ['2011-04-29'],
  2012: ['2012-06-04', '2012-06-05'],
  2022: ['2022-06-02', '2022-06-03', '2022-09-19'],
  2023: ['2023-05-08'],
};
/** Years whose early-May holiday moved to 8 May (VE day's 50th and 75th anniversaries) and whose spring holiday moved. */
const GBLO_EARLY_MAY_8 = new Set([1995, 2020]);
const GBLO_SPRING_MOVED = new Set([2002, 2012, 2022]);

function gblo(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const days = [nextWeekday(fromYmd(year, 1, 1)), easter - 2, easter + 1, nthWeekday(year, 8, MONDAY, -1)];
  days.push(GBLO_EARLY_MAY_8.has(year) ? fromYmd(year, 5, 8) : nthWeekday(year, 5, MONDAY, 1));
  if (!GBLO_SPRING_MOVED.has(year)) days.push(nthWeekday(year, 5, MONDAY, -1));
  days.push(...weekdayPair(fromYmd(year, 12, 25)));
  for (const iso of GBLO_PROCLAIMED[year] ?? []) {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    days.push(fromYmd(y, m, d));
  }
  return days;
}

/** A Federal Reserve holiday on a fixed date: a Sunday one is kept on Monday, a Saturday one is not moved. */
function fedObserved(date: DateSerial): DateSerial {
  return dayOfWeek(date) === SUNDAY ? date + 1 : date;
}

function usny(year: number): DateSerial[] {
  const days = [
    fedObserved(fromYmd(year, 1, 1)),
    nthWeekday(year, 2, MONDAY, 3),
    nthWeekday(year, 5, MONDAY, -1),
    fedObserved(fromYmd(year, 7, 4)),
    nthWeekday(year, 9, MONDAY, 1),
    nthWeekday(year, 10, MONDAY, 2),
    year >= 1978 ? fedObserved(fromYmd(year, 11, 11)) : nthWeekday(year, 10, MONDAY, 4),
    nthWeekday(year, 11, THURSDAY, 4),
    fedObserved(fromYmd(year, 12, 25)),
  ];
  if (year >= 1986) days.push(nthWeekday(year, 1, MONDAY, 3));
  if (year >= 2022) days.push(fedObserved(fromYmd(year, 6, 19)));
  return days;
}

function chzu(year: number): DateSerial[] {
  const easter = easterSunday(year);
  return [
    fromYmd(year, 1, 1),
    fromYmd(year, 1, 2),
    easter - 2,
    easter + 1,
    easter + 39,
    easter + 50,
    fromYmd(year, 5, 1),
    fromYmd(year, 8, 1),
    fromYmd(year, 12, 25),
    fromYmd(year, 12, 26),
  ];
}

function sest(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const june19 = fromYmd(year, 6, 19);
  const midsummerEve = june19 + ((5 - dayOfWeek(june19) + 7) % 7); // the Friday of 19-25 June
  return [
    fromYmd(year, 1, 1),
    fromYmd(year, 1, 6),
    easter - 2,
    easter + 1,
    fromYmd(year, 5, 1),
    easter + 39,
    fromYmd(year, 6, 6),
    midsummerEve,
    fromYmd(year, 12, 24),
    fromYmd(year, 12, 25),
    fromYmd(year, 12, 26),
    fromYmd(year, 12, 31),
  ];
}

function noos(year: number): DateSerial[] {
  const easter = easterSunday(year);
  return [
    fromYmd(year, 1, 1),
    easter - 3,
    easter - 2,
    easter + 1,
    fromYmd(year, 5, 1),
    fromYmd(year, 5, 17),
    easter + 39,
    easter + 50,
    fromYmd(year, 12, 24),
    fromYmd(year, 12, 25),
    fromYmd(year, 12, 26),
  ];
}

function dkco(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const days = [
    fromYmd(year, 1, 1),
    easter - 3,
    easter - 2,
    easter + 1,
    easter + 39,
    easter + 40,
    easter + 50,
    fromYmd(year, 6, 5),
    fromYmd(year, 12, 24),
    fromYmd(year, 12, 25),
    fromYmd(year, 12, 26),
    fromYmd(year, 12, 31),
  ];
  if (year <= 2023) days.push(easter + 26); // General Prayer Day (store bededag), abolished from 2024
  return days;
}

/**
 * Equinox days of Japan (day of March / September): the approximation of the National Astronomical Observatory used
 * for 1980-2099, ⌊c + 0.242194·(y − 1980) − ⌊(y − 1980)/4⌋⌋ with c = 20.8431 (vernal) and 23.2488 (autumnal).
 */
function equinoxDay(year: number, c: number): number {
  return Math.floor(c + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

/** Days moved or added for one year only by amendments of Japan's holiday law. */
const JPTO_ONE_OFF: Readonly<Record<number, readonly [number, number][]>> = {
  // the abdication and enthronement: 30 April to 2 May, and the enthronement ceremony
  2019: [[4, 30], [5, 1], [5, 2], [10, 22]],
  // the Olympic Games: Marine Day, Sports Day and Mountain Day moved
  2020: [[7, 23], [7, 24], [8, 10]],
  2021: [[7, 22], [7, 23], [8, 8]],
};

/** The national holidays of Japan in one year, before substitutes and in-between days. */
function japanNationalHolidays(year: number): DateSerial[] {
  const days = [
    fromYmd(year, 1, 1),
    year >= 2000 ? nthWeekday(year, 1, MONDAY, 2) : fromYmd(year, 1, 15), // Coming of Age Day
    fromYmd(year, 2, 11), // National Foundation Day
    fromYmd(year, 3, equinoxDay(year, 20.8431)), // Vernal Equinox Day
    fromYmd(year, 4, 29), // Showa Day (Greenery Day before 2007)
    fromYmd(year, 5, 3), // Constitution Memorial Day
    fromYmd(year, 5, 5), // Children's Day
    fromYmd(year, 9, equinoxDay(year, 23.2488)), // Autumnal Equinox Day
    fromYmd(year, 11, 3), // Culture Day
    fromYmd(year, 11, 23), // Labour Thanksgiving Day
  ];
  if (year >= 2007) days.push(fromYmd(year, 5, 4)); // Greenery Day (before 2007 a day between two holidays)
  if (year >= 2020) days.push(fromYmd(year, 2, 23)); // the Emperor's Birthday (Naruhito)
  if (year <= 2018) days.push(fromYmd(year, 12, 23)); // the Emperor's Birthday (Akihito)
  if (year <= 2002) {
    days.push(fromYmd(year, 9, 15)); // Respect for the Aged Day
    if (year >= 1996) days.push(fromYmd(year, 7, 20)); // Marine Day
  } else {
    if (year !== 2020 && year !== 2021) days.push(nthWeekday(year, 7, MONDAY, 3)); // Marine Day
    days.push(nthWeekday(year, 9, MONDAY, 3)); // Respect for the Aged Day
  }
  if (year < 2000) days.push(fromYmd(year, 10, 10)); // Sports Day
  else if (year !== 2020 && year !== 2021) days.push(nthWeekday(year, 10, MONDAY, 2));
  if (year >= 2016 && year !== 2020 && year !== 2021) days.push(fromYmd(year, 8, 11)); // Mountain Day
  for (const [m, d] of JPTO_ONE_OFF[year] ?? []) days.push(fromYmd(year, m, d));
  return days;
}

function jpto(year: number): DateSerial[] {
  const national = new Set(japanNationalHolidays(year));
  // substitute holidays: a national holiday on a Sunday moves to the next day that is not a national holiday (from
  // 2007; before, to the Monday only, and to no day when that Monday is a holiday itself)
  const substitutes: DateSerial[] = [];
  for (const day of national) {
    if (dayOfWeek(day) !== SUNDAY) continue;
    let next = day + 1;
    if (year >= 2007) while (national.has(next)) next++;
    if (!national.has(next)) substitutes.push(next);
  }
  // a day (other than a Sunday) between two national holidays is a holiday ("citizens' holiday")
  const between: DateSerial[] = [];
  for (const day of national) {
    if (national.has(day + 2) && !national.has(day + 1) && dayOfWeek(day + 1) !== SUNDAY) between.push(day + 1);
  }
  // the banks close on 2 and 3 January and 31 December
  return [...national, ...substitutes, ...between, fromYmd(year, 1, 2), fromYmd(year, 1, 3), fromYmd(year, 12, 31)];
}

/**
 * A pair of holidays on consecutive days (Christmas and Boxing Day; 1 and 2 January in New Zealand), each kept on a
 * weekday: one on a weekend moves to the next weekday that the other does not already take.
 */
function weekdayPair(first: DateSerial): DateSerial[] {
  const dow = dayOfWeek(first);
  if (dow === SATURDAY) return [first + 2, first + 3];
  if (dow === SUNDAY) return [first + 1, first + 2];
  if (dow === 5) return [first, first + 3];
  return [first, first + 1];
}

function cato(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const may24 = fromYmd(year, 5, 24);
  const days = [
    nextWeekday(fromYmd(year, 1, 1)),
    easter - 2,
    may24 - ((dayOfWeek(may24) - MONDAY + 7) % 7), // Victoria Day: the Monday on or before 24 May
    nextWeekday(fromYmd(year, 7, 1)),
    nthWeekday(year, 8, MONDAY, 1),
    nthWeekday(year, 9, MONDAY, 1),
    nthWeekday(year, 10, MONDAY, 2),
    nextWeekday(fromYmd(year, 11, 11)),
    ...weekdayPair(fromYmd(year, 12, 25)),
  ];
  if (year >= 2008) days.push(nthWeekday(year, 2, MONDAY, 3)); // Family Day (Ontario)
  if (year >= 2021) days.push(nextWeekday(fromYmd(year, 9, 30))); // National Day for Truth and Reconciliation
  return days;
}

function ausy(year: number): DateSerial[] {
  const easter = easterSunday(year);
  const days = [
    nextWeekday(fromYmd(year, 1, 1)),
    nextWeekday(fromYmd(year, 1, 26)),
    easter - 2,
    easter + 1,
    fromYmd(year, 4, 25),
    nthWeekday(year, 6, MONDAY, 2),
    nthWeekday(year, 8, MONDAY, 1),
    nthWeekday(year, 10, MONDAY, 1),
    ...weekdayPair(fromYmd(year, 12, 25)),
  ];
  if (year === 2022) days.push(fromYmd(2022, 9, 22)); // National Day of Mourning for Queen Elizabeth II
  return days;
}

/** Matariki (Te Kāhui o Matariki Public Holiday Act 2022, Schedule 1): the Friday of each year, June/July, 2022-2052. */
const MATARIKI: Readonly<Record<number, readonly [number, number]>> = {
  2022: [6, 24], 2023: [7, 14], 2024: [6, 28], 2025: [6, 20], 2026: [7, 10], 2027: [6, 25], 2028: [7, 14], 2029: [7, 6],
  2030: [6, 21], 2031: [7, 11], 2032: [7, 2], 2033: [6, 24], 2034: [7, 7], 2035: [6, 29], 2036: [7, 18], 2037: [7, 10],
  2038: [6, 25], 2039: [7, 15], 2040: [7, 6], 2041: [7, 19], 2042: [7, 11], 2043: [7, 3], 2044: [6, 24], 2045: [7, 7],
  2046: [6, 29], 2047: [7, 19], 2048: [7, 3], 2049: [6, 25], 2050: [7, 15], 2051: [6, 30], 2052: [6, 21],
};

/** The Monday nearest a date (a Friday's is the Monday after, a Tuesday's the Monday before). */
function nearestMonday(date: DateSerial): DateSerial {
  const after = (MONDAY - dayOfWeek(date) + 7) % 7;
  return after <= 3 ? date + after : date + after - 7;
}

/** New Zealand's national public holidays (Holidays Act 2003 ss 44-45A, and Matariki from 2022). */
function newZealand(year: number): DateSerial[] {
  const easter = easterSunday(year);
  // Waitangi and ANZAC Day on a weekend are kept on the Monday from 2014 (s 45A)
  const mondayised = (date: DateSerial) => (year >= 2014 ? nextWeekday(date) : date);
  const days = [
    ...weekdayPair(fromYmd(year, 1, 1)),
    mondayised(fromYmd(year, 2, 6)),
    easter - 2,
    easter + 1,
    mondayised(fromYmd(year, 4, 25)),
    nthWeekday(year, 6, MONDAY, 1),
    nthWeekday(year, 10, MONDAY, 4),
    ...weekdayPair(fromYmd(year, 12, 25)),
  ];
  const matariki = MATARIKI[year];
  if (matariki) days.push(fromYmd(year, matariki[0], matariki[1]));
  return days;
}

/** Auckland: the national holidays and Auckland Anniversary Day, the Monday nearest 29 January. */
function nzau(year: number): DateSerial[] {
  return [...newZealand(year), nearestMonday(fromYmd(year, 1, 29))];
}

/** Wellington: the national holidays and Wellington Anniversary Day, the Monday nearest 22 January. */
function nzwe(year: number): DateSerial[] {
  return [...newZealand(year), nearestMonday(fromYmd(year, 1, 22))];
}

const CENTRE_RULES: Readonly<Record<HolidayCentre, (year: number) => DateSerial[]>> = {
  TARGET: target,
  GBLO: gblo,
  USNY: usny,
  CHZU: chzu,
  JPTO: jpto,
  SEST: sest,
  NOOS: noos,
  DKCO: dkco,
  CATO: cato,
  AUSY: ausy,
  NZAU: nzau,
  NZWE: nzwe,
};

/** The holidays of a calendar in one year that fall on weekdays, ascending (for reports and tests). */
export function weekdayHolidays(calendar: Calendar, year: number): DateSerial[] {
  const out: DateSerial[] = [];
  for (let d = fromYmd(year, 1, 1), end = fromYmd(year + 1, 1, 1); d < end; d++) {
    const dow = dayOfWeek(d);
    if (dow !== 0 && dow !== 6 && !calendar.isBusinessDay(d)) out.push(d);
  }
  return out;
}
