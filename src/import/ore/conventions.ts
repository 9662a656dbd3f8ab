/**
 * ORE's spellings of dates, day counters, roll conventions, schedule tenors and indices, and their xva equivalents.
 * Each mapper returns the xva value, plus a note when the mapping is only approximate; a value xva cannot express
 * raises `Unmappable`, which leaves the trade out and names the field in the import report.
 */
import { fromYmd, daysInMonth, parseTenor, type DateSerial, type Frequency } from '../../conventions/dates.js';
import { isCurrency, type BusinessDayConvention, type Currency, type DayCount, type Stub } from '../../products/types.js';
import { canonicalCalendarName } from '../../conventions/holidays.js';
import { Unmappable } from './report.js';

/** A mapped value and, when it is not exact, a sentence saying what was approximated. */
export interface Mapped<T> {
  value: T;
  approximation?: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** ORE writes dates as `2016-02-05` or `20160205`. */
export function oreDate(text: string | undefined, field: string): DateSerial {
  if (text === undefined) throw new Unmappable(field, undefined, 'a date is required here');
  const m = ISO.exec(text) ?? COMPACT.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return fromYmd(year, month, day);
  }
  throw new Unmappable(field, text, 'not a date: expected YYYY-MM-DD or YYYYMMDD');
}

/** A finite decimal number (ORE writes `10000000.000000`, `0.021`, `1e6`). */
export function oreNumber(text: string | undefined, field: string, options?: { positive?: boolean; min?: number }): number {
  if (text === undefined) throw new Unmappable(field, undefined, 'a number is required here');
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new Unmappable(field, text, 'not a number');
  if (options?.positive && !(value > 0)) throw new Unmappable(field, text, 'expected a number greater than 0');
  if (options?.min !== undefined && value < options.min)
    throw new Unmappable(field, text, `expected a number of at least ${options.min}`);
  return value;
}

/** ORE booleans: Y, N, 1, 0, true, false, yes, no (any case). Absent or empty gives `fallback`. */
export function oreBool(text: string | undefined, field: string, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  const t = text.toLowerCase();
  if (['y', 'yes', 'true', '1', 't'].includes(t)) return true;
  if (['n', 'no', 'false', '0', 'f'].includes(t)) return false;
  throw new Unmappable(field, text, 'expected a boolean (true/false, Y/N, 1/0)');
}

export function oreCurrency(text: string | undefined, field: string): Currency {
  if (text === undefined) throw new Unmappable(field, undefined, 'a currency is required here');
  const ccy = text.toUpperCase();
  if (!isCurrency(ccy)) throw new Unmappable(field, text, 'currency not supported by xva (see products/types.ts CURRENCIES)');
  return ccy;
}

/** Normalised key of a day counter spelling: upper case, blanks removed. */
function key(text: string): string {
  return text.toUpperCase().replace(/\s+/g, '');
}

const DAY_COUNTS_EXACT: Record<string, DayCount> = {};
const DAY_COUNTS_APPROX: Record<string, [DayCount, string]> = {};
function exact(dc: DayCount, ...names: string[]): void {
  for (const n of names) DAY_COUNTS_EXACT[key(n)] = dc;
}
function approx(dc: DayCount, why: string, ...names: string[]): void {
  for (const n of names) DAY_COUNTS_APPROX[key(n)] = [dc, why];
}
exact('ACT/360', 'A360', 'ACT/360', 'Actual/360');
// ORE reads ACT/365L as Actual365Fixed (its parseDayCounter)
exact('ACT/365F', 'A365', 'A365F', 'ACT/365', 'ACT/365F', 'Actual/365', 'Actual/365 (Fixed)', 'ACT/365 (Fixed)', 'ACT/365.FIXED', 'ACT/365L', 'Act/365L');
// 30/360 in xva is the Bond Basis (ISDA 2006 4.16(f)); ORE's plain "30/360" and "T360" are Thirty360(USA), the US
// (NASD) convention with its end-of-February rule, as "30/360 US" is
exact('30/360', '30/360', 'T360', '30/360 (Bond Basis)', 'Thirty360');
approx('30/360', 'the US (NASD) end-of-February rule is not applied; xva uses 30/360 Bond Basis', '30/360 US', '30/360 (US)', '30U/360', '30US/360');

/**
 * ORE's plain "30/360" and "T360" are Thirty360(USA) (its parseDayCounter). They differ from xva's Bond Basis only
 * where a period starts or ends on the last day of February (the US rule counts it as the 30th), so parseLeg reports
 * them as approximated on a leg whose dates can fall there.
 */
export function isOreUs30360(text: string | undefined): boolean {
  return text !== undefined && (key(text) === key('30/360') || key(text) === key('T360'));
}
approx(
  '30/360',
  '30E/360 (Eurobond) differs from xva\'s 30/360 Bond Basis only when a period ends on the 31st and starts before the 30th',
  '30E/360',
  '30E/360 (Eurobond Basis)',
  '30/360 (Eurobond Basis)',
  '30E/360.ICMA',
  '30E/360 ICMA',
  '30/360 AIBD (Euro)',
);
approx('30/360', '30E/360 ISDA (German) is mapped to xva\'s 30/360 Bond Basis', '30E/360.ISDA', '30E/360 ISDA', '30/360 German', '30/360 (German)');
exact('ACT/ACT', 'ACT/ACT', 'ActActISDA', 'ACT/ACT.ISDA', 'ACT/ACT (ISDA)', 'Actual/Actual (ISDA)', 'ActualActual (ISDA)', 'Actual/Actual', 'ACT');
approx(
  'ACT/ACT',
  'ACT/ACT ICMA/ISMA/AFB accrue per coupon period; xva accrues ACT/ACT ISDA (per calendar year)',
  'ActActISMA',
  'ACT/ACT.ISMA',
  'Actual/Actual (ISMA)',
  'ActualActual (ISMA)',
  'ActActICMA',
  'ACT/ACT.ICMA',
  'Actual/Actual (ICMA)',
  'ActualActual (ICMA)',
  'ActActAFB',
  'ACT/ACT.AFB',
  'Actual/Actual (AFB)',
);

/** ORE DayCounter → xva day count (ACT/360, ACT/365F, 30/360 Bond Basis, ACT/ACT ISDA). */
export function oreDayCount(text: string | undefined, field: string): Mapped<DayCount> {
  if (text === undefined) throw new Unmappable(field, undefined, 'a day counter is required here');
  const k = key(text);
  const e = DAY_COUNTS_EXACT[k];
  if (e !== undefined) return { value: e };
  const a = DAY_COUNTS_APPROX[k];
  if (a !== undefined) return { value: a[0], approximation: `${text} → ${a[0]}: ${a[1]}` };
  throw new Unmappable(field, text, 'day counter not supported by xva (ACT/360, ACT/365F, 30/360, ACT/ACT)');
}

const CONVENTIONS: Record<string, BusinessDayConvention> = {
  F: 'F',
  FOLLOWING: 'F',
  MF: 'MF',
  MODIFIEDFOLLOWING: 'MF',
  P: 'P',
  PRECEDING: 'P',
  MP: 'MP',
  MODIFIEDPRECEDING: 'MP',
  U: 'U',
  UNADJUSTED: 'U',
  NONE: 'U',
};

/** ORE roll convention → F | MF | P | MP | U. */
export function oreConvention(text: string | undefined, field: string): BusinessDayConvention | undefined {
  if (text === undefined) return undefined;
  const c = CONVENTIONS[key(text)];
  if (c === undefined)
    throw new Unmappable(field, text, 'roll convention not supported by xva (F/Following, MF/ModifiedFollowing, P/Preceding, MP/ModifiedPreceding, U/Unadjusted)');
  return c;
}

/** ScheduleData Tenor → a payment frequency (1M, 3M, 6M, 12M, 1Y). */
export function oreFrequency(text: string | undefined, field: string): Frequency {
  if (text === undefined) throw new Unmappable(field, undefined, 'a schedule tenor is required here');
  const t = parseTenor(text);
  if (t !== undefined) {
    const s = `${t.count}${t.unit}`;
    if (s === '1M' || s === '3M' || s === '6M' || s === '12M' || s === '1Y') return s;
  }
  throw new Unmappable(field, text, 'payment frequency not supported by xva (1M, 3M, 6M, 12M/1Y)');
}

/** ScheduleData Rule → stub: Forward generates from the start (short back stub), Backward from the end. */
export function oreStub(text: string | undefined, field: string): Stub {
  // ORE: "Rule [Optional] ... Defaults to Forward if omitted."
  if (text === undefined || key(text) === 'FORWARD') return 'short_back';
  if (key(text) === 'BACKWARD') return 'short_front';
  throw new Unmappable(field, text, 'schedule rule not supported by xva for this trade (Forward or Backward)');
}

/**
 * A period such as `2W` or `10D` (MarginPeriodOfRisk, MarginingFrequency) in business days, the unit of xva's
 * `margin_period_of_risk_days` and `margin_frequency_days` (portfolio/bookRows.ts; CRE52.50 counts the margin
 * period of risk in business days). ORE adds the period to calendar dates, so a week is exactly 5 business days;
 * calendar days, months and years are converted at 5 business days per 7 calendar days and flagged as approximate
 * (1D stays 1: daily margining).
 */
export function orePeriodBusinessDays(text: string | undefined, field: string): Mapped<number> | undefined {
  if (text === undefined) return undefined;
  const t = parseTenor(text);
  if (t === undefined) throw new Unmappable(field, text, 'not a period: expected a period such as 1D, 2W or 1M');
  if (t.unit === 'W') return { value: 5 * t.count };
  if (t.unit === 'D' && t.count <= 1) return { value: t.count };
  const calendarDays = t.unit === 'D' ? t.count : t.unit === 'M' ? (t.count * 365.25) / 12 : t.count * 365.25;
  const businessDays = Math.round((calendarDays * 5) / 7);
  return {
    value: businessDays,
    approximation: `${text} taken as ${businessDays} business days (5 business days per 7 calendar days)`,
  };
}

/**
 * xva index names of ORE overnight indices (ORE name part, upper case → xva name part), and the xva calendar nearest
 * the index's fixing calendar in ORE/QuantLib (SOFR and Fed Funds: UnitedStates; €STR and EONIA: TARGET; SONIA: UK;
 * TONAR: Japan; SARON: Switzerland; CORRA: Canada; AONIA: Australia), on which ORE counts an overnight leg's payment
 * lag when it names no PaymentCalendar (makeOISLeg).
 */
const OVERNIGHT: Record<string, { name: string; calendar: string; note?: string }> = {
  SOFR: { name: 'SOFR', calendar: 'USNY' },
  FEDFUNDS: { name: 'FEDFUNDS', calendar: 'USNY' },
  ESTR: { name: 'ESTR', calendar: 'TARGET' },
  ESTER: { name: 'ESTR', calendar: 'TARGET' },
  EONIA: {
    name: 'ESTR',
    calendar: 'TARGET',
    note: 'EONIA is mapped to the €STR curve; since October 2019 EONIA = €STR + 8.5bp, and the 8.5bp is not added',
  },
  SONIA: { name: 'SONIA', calendar: 'GBLO' },
  TONAR: { name: 'TONA', calendar: 'JPTO' },
  TONA: { name: 'TONA', calendar: 'JPTO' },
  SARON: { name: 'SARON', calendar: 'CHZU' },
  CORRA: { name: 'CORRA', calendar: 'CATO' },
  AONIA: { name: 'AONIA', calendar: 'AUSY' },
};

/** The most business days `payment_lag_days` holds (portfolio/tradeRows.ts). */
export const MAX_PAYMENT_LAG_DAYS = 30;

/**
 * ORE's `PaymentLag` (or `NotionalPaymentLag`) in business days: ORE's parsePaymentLag reads a period (`2D`, `1W`) or
 * a whole number (`2`), anything else as 0, and its coupon legs pay `PaymentLagInteger` of it (`2D` and `2`: 2; `1W`:
 * 7; months and years fail in QuantLib's `days`) business days of the leg's payment calendar after each accrual end.
 * Returns the days, or why xva cannot take the value: a lag in weeks, months or years (xva counts days only; ORE's
 * coupon legs pay `1W` 7 business days late, its non-standard legs a calendar week late), a value that is not a whole
 * number of days (ORE silently reads it as 0), or more than MAX_PAYMENT_LAG_DAYS. A zero period in any unit (`0W`,
 * `0M`) is 0.
 */
export function orePaymentLag(text: string): { days: number } | { problem: string } {
  const t = text.trim();
  const m = /^(\d+)([DWMY]?)$/i.exec(t);
  if (m === null)
    return { problem: 'not a payment lag xva reads: expected a whole number of business days, e.g. 2 or 2D (ORE would read it as 0)' };
  const count = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  if (count === 0) return { days: 0 };
  if (unit === 'W' || unit === 'M' || unit === 'Y') {
    const what = unit === 'W' ? 'weeks' : unit === 'M' ? 'months' : 'years';
    return {
      problem:
        unit === 'W'
          ? `a payment lag in weeks is not supported by xva: payment_lag_days counts business days; give it in days (ORE's coupon legs pay ${count}W as ${7 * count} business days: ${7 * count}D)`
          : `a payment lag in ${what} is not supported by xva: payment_lag_days counts business days (ORE cannot convert ${what} to days either)`,
    };
  }
  if (count > MAX_PAYMENT_LAG_DAYS)
    return { problem: `a payment lag of ${count} business days is more than xva's payment_lag_days holds (0 to ${MAX_PAYMENT_LAG_DAYS})` };
  return { days: count };
}

/**
 * ORE/QuantLib calendar names (compared without case, blanks, dashes or underscores) and the xva calendar they are
 * (conventions/holidays.ts). ORE's `US` is QuantLib's US settlement calendar, which also closes the Friday before a
 * Saturday holiday; xva's USNY follows the Federal Reserve, open that Friday, so the mapping is approximate.
 */
const US_SETTLEMENT =
  "xva rolls on USNY, the Federal Reserve's holidays; the US settlement calendar also closes the Friday before a holiday that falls on a Saturday";
const NORDIC = "xva rolls on the central bank's list of closing days (Riksbank, Norges Bank, Danmarks Nationalbank), whose eves and bank closing days QuantLib's public-holiday calendar may not have";
// ORE's CalendarParser also has ISO 3166 alpha-3 codes (GBR, USA, ...) and legacy names for these calendars: TGT
// (TARGET), LNB (UK), NYB (US settlement), ZUB (Switzerland), TKB (Japan), TRB (Canada), SYB (Australia), SS (Sweden),
// DEN (Denmark); they are listed with their centre below
const ORE_CALENDARS = new Map<string, { centre: string; approximation?: string }>([
  ...['target', 'tgt', 'eur', 'euta'].map((n) => [n, { centre: 'TARGET' }] as const),
  ...['uk', 'gb', 'gbr', 'gbp', 'gblo', 'lnb', 'london', 'uksettlement', 'unitedkingdom'].map((n) => [n, { centre: 'GBLO' }] as const),
  ...['ch', 'che', 'chf', 'chzu', 'zub', 'zurich', 'switzerland'].map((n) => [n, { centre: 'CHZU' }] as const),
  ...['usfed', 'federalreserve'].map((n) => [n, { centre: 'USNY' }] as const),
  ...['jp', 'jpn', 'jpy', 'jpto', 'tkb', 'japan', 'tokyo'].map((n) => [n, { centre: 'JPTO' }] as const),
  ...['us', 'usa', 'usd', 'usny', 'nyb', 'usset', 'ussettlement', 'unitedstates', 'newyork'].map(
    (n) => [n, { centre: 'USNY', approximation: US_SETTLEMENT }] as const,
  ),
  // QuantLib's Sweden, Norway and Denmark calendars are their public holidays; xva's follow the central banks' lists
  // (docs/import-ore.md), which may differ on the eves (Midsummer, Christmas, New Year) and the bank closing days
  ...['se', 'swe', 'sek', 'sest', 'ss', 'sweden', 'stockholm'].map((n) => [n, { centre: 'SEST', approximation: NORDIC }] as const),
  ...['no', 'nor', 'nok', 'noos', 'norway', 'oslo'].map((n) => [n, { centre: 'NOOS', approximation: NORDIC }] as const),
  ...['dk', 'dnk', 'dkk', 'dkco', 'den', 'denmark', 'copenhagen'].map((n) => [n, { centre: 'DKCO', approximation: NORDIC }] as const),
  // QuantLib's Canada (settlement), Australia (settlement) and NewZealand calendars name the same holidays as CATO,
  // AUSY and NZWE (NewZealand's anniversary day is Wellington's; Matariki from 2022 where QuantLib has it)
  ...['ca', 'can', 'cad', 'cato', 'trb', 'canada', 'toronto'].map((n) => [n, { centre: 'CATO' }] as const),
  ...['au', 'aus', 'aud', 'ausy', 'syb', 'australia', 'sydney'].map((n) => [n, { centre: 'AUSY' }] as const),
  ...['nz', 'nzl', 'nzd', 'nzwe', 'newzealand', 'wellington'].map((n) => [n, { centre: 'NZWE' }] as const),
  ...['nzau', 'auckland'].map((n) => [n, { centre: 'NZAU' }] as const),
  ['weekendsonly', { centre: 'weekends' }],
]);

/**
 * An ORE calendar as xva calendars. ORE's CalendarParser takes a name it knows whole, else splits it on `,`, `(` and
 * `)`, drops the tokens `JoinHolidays` and `JoinBusinessDays` and empty ones, and joins the calendars of the rest
 * (QuantLib's JointCalendar, JoinHolidays: so `JoinBusinessDays(TARGET,UK)` is the TARGET+UK holidays as well);
 * each token is trimmed. This splits the same way: `EUR,GBP`, `JoinHolidays(TARGET,UK)` and `TARGET, UK` are GBLO+TARGET.
 */
export interface MappedCalendar {
  /** Canonical xva calendar (conventions/holidays.ts); undefined = weekends only. */
  calendar: string | undefined;
  /** Parts mapped only approximately, with why. */
  approximations: { name: string; reason: string }[];
  /** Parts xva has no rules for: their holidays are not applied. */
  unknown: string[];
}

export function oreCalendar(text: string): MappedCalendar {
  const centres: string[] = [];
  const approximations: { name: string; reason: string }[] = [];
  const unknown: string[] = [];
  for (const raw of text.split(/[,()]/)) {
    const part = raw.trim();
    if (part === '' || /^join(holidays|businessdays)$/i.test(part)) continue;
    const found = ORE_CALENDARS.get(part.toLowerCase().replace(/[\s_-]/g, ''));
    if (found === undefined) {
      unknown.push(part);
      continue;
    }
    if (found.approximation !== undefined) approximations.push({ name: part, reason: found.approximation });
    if (found.centre !== 'weekends' && !centres.includes(found.centre)) centres.push(found.centre);
  }
  return { calendar: centres.length > 0 ? canonicalCalendarName(centres.join('+')) : undefined, approximations, unknown };
}

export interface MappedIndex {
  /** xva projection curve name, e.g. `USD-SOFR`, `EUR-EURIBOR-6M`. */
  name: string;
  /** Overnight (OIS) index: a fixed/float swap on it is an OIS. */
  overnight: boolean;
  /** Overnight indices: the xva calendar nearest ORE's fixing calendar of the index (OVERNIGHT). */
  fixingCalendar?: string;
  approximation?: string;
}

/**
 * ORE index name → xva float index. `CCY-NAME-TENOR` term indices keep their name (`USD-LIBOR-3M`); overnight
 * indices `CCY-NAME` are renamed to xva's spelling (`EUR-EONIA`/`EUR-ESTER` → `EUR-ESTR`, `JPY-TONAR` → `JPY-TONA`).
 * The index currency must be the leg's.
 */
export function oreIndex(text: string | undefined, legCurrency: Currency, field: string): MappedIndex {
  if (text === undefined) throw new Unmappable(field, undefined, 'a floating index is required here');
  const parts = text.trim().toUpperCase().split('-');
  const ccy = parts[0]!;
  if (ccy !== legCurrency) throw new Unmappable(field, text, `index currency differs from the leg currency ${legCurrency}`);
  if (parts.length === 2) {
    const on = OVERNIGHT[parts[1]!];
    if (on === undefined) throw new Unmappable(field, text, 'not an overnight index xva knows (SOFR, FEDFUNDS, ESTR/ESTER/EONIA, SONIA, TONA/TONAR, SARON, CORRA, AONIA)');
    return { name: `${ccy}-${on.name}`, overnight: true, fixingCalendar: on.calendar, ...(on.note ? { approximation: on.note } : {}) };
  }
  if (parts.length === 3 && /^[A-Z][A-Z0-9]*$/.test(parts[1]!) && parseTenor(parts[2]!) !== undefined) {
    const tenor = parseTenor(parts[2]!)!;
    if (OVERNIGHT[parts[1]!] !== undefined)
      throw new Unmappable(field, text, 'term overnight-rate indices are not supported by xva');
    return { name: `${ccy}-${parts[1]}-${tenor.count}${tenor.unit}`, overnight: false };
  }
  throw new Unmappable(field, text, 'index name not understood: expected CCY-NAME-TENOR (e.g. EUR-EURIBOR-6M) or an overnight CCY-NAME');
}
