/** ORE `OptionData`: long/short, call/put, exercise style and date, settlement, premiums. */
import { adjust, addBusinessDays } from '../../conventions/calendar.js';
import { addMonths, parseTenor, type DateSerial } from '../../conventions/dates.js';
import { calendarNamed, type Calendar } from '../../conventions/holidays.js';
import { oreCalendar, oreConvention, oreDate } from './conventions.js';
import type { TradeNotes } from './legs.js';
import { Unmappable } from './report.js';
import { child, children, text, texts, type XmlNode } from './xml.js';

export interface OptionTerms {
  long: boolean;
  /** Lower-cased OptionType (call | put); undefined when absent. */
  optionType?: 'call' | 'put';
  /**
   * The (first) exercise date; for a swaption with a `NoticePeriod`, its notice date (the day the holder decides,
   * which xva's `expiry_date` is: noticeDates).
   */
  expiryDate: DateSerial;
  settlement?: 'physical' | 'cash';
  /**
   * Bermudan exercise (only where the caller allows it: swaptions): every `ExerciseDates/ExerciseDate`, as written
   * (`texts`, for messages) and as date serials, the first `expiryDate`. Absent: European.
   */
  bermudan?: { texts: string[]; dates: DateSerial[] };
}

/**
 * Reads `<OptionData>` of a trade data node; European options with one exercise date map to xva, and Bermudan ones
 * (several exercise dates, kept in the order written) where `bermudan` is true (a swaption: the caller checks the
 * dates against those xva derives).
 */
export function optionTerms(data: XmlNode | undefined, dataName: string, notes: TradeNotes, bermudan = false): OptionTerms {
  const od = child(data, 'OptionData');
  const p = `${dataName}/OptionData`;
  if (od === undefined) throw new Unmappable(p, undefined, 'OptionData is required');
  const longShort = text(od, 'LongShort');
  const ls = longShort?.toLowerCase();
  if (ls !== 'long' && ls !== 'l' && ls !== 'short' && ls !== 's')
    throw new Unmappable(`${p}/LongShort`, longShort, 'expected Long or Short');
  const style = text(od, 'Style') ?? 'European';
  const isBermudan = bermudan && style.toLowerCase() === 'bermudan';
  if (style.toLowerCase() !== 'european' && !isBermudan)
    throw new Unmappable(
      `${p}/Style`,
      style,
      bermudan ? 'only European and Bermudan exercise are supported by xva for a Swaption' : 'only European exercise is supported by xva',
    );
  const dates = texts(child(od, 'ExerciseDates'), 'ExerciseDate');
  if (!isBermudan && dates.length !== 1)
    throw new Unmappable(`${p}/ExerciseDates`, dates.join(',') || undefined, 'a European option needs exactly one exercise date');
  // (a Bermudan's dates given as an ExerciseSchedule instead are not read: the dates must be written out)
  if (isBermudan && dates.length === 0)
    throw new Unmappable(`${p}/ExerciseDates`, undefined, 'a Bermudan option needs its exercise dates written out (ExerciseDates/ExerciseDate)');
  const exerciseDates = dates.map((d, i) => oreDate(d, isBermudan ? `${p}/ExerciseDates/ExerciseDate[${i + 1}]` : `${p}/ExerciseDates/ExerciseDate`));
  // a swaption is decided on its notice dates (the caller that allows Bermudans is the swaption's); other options
  // are exercised on their exercise date in xva
  const serials = bermudan ? noticeDates(od, p, exerciseDates) : (ignoredNotice(od, p, notes), exerciseDates);
  const expiryDate = serials[0]!;
  const typeText = text(od, 'OptionType');
  const type = typeText?.toLowerCase();
  const settlementText = text(od, 'Settlement');
  const settlement = settlementText?.toLowerCase();
  if (settlement !== undefined && settlement !== 'physical' && settlement !== 'cash')
    throw new Unmappable(`${p}/Settlement`, settlementText, 'expected Physical or Cash');
  // ORE's SettlementMethod (QuantLib's Settlement::Method): a cash swaption's value by the collateralised cash price
  // is the physical annuity's; xva values cash settlement on the par-yield annuity (the ParYieldCurve method)
  const method = text(od, 'SettlementMethod');
  if (method !== undefined && settlement === 'cash' && method.toLowerCase() !== 'parYieldCurve'.toLowerCase())
    notes.approximate(`${p}/SettlementMethod`, method, 'xva values cash settlement by the par-yield annuity (ParYieldCurve); a collateralised cash price is the physical annuity\'s, some 0.5-1% apart');
  if (method !== undefined && settlement !== 'cash' && !/^physical(otc|cleared)$/i.test(method))
    throw new Unmappable(`${p}/SettlementMethod`, method, 'expected PhysicalOTC or PhysicalCleared with Physical settlement');
  if (child(od, 'ExerciseFees') !== undefined)
    notes.drop(`${p}/ExerciseFees`, undefined, 'exercise fees are not carried over');
  const terms: OptionTerms = { long: ls === 'long' || ls === 'l', expiryDate };
  if (isBermudan) terms.bermudan = { texts: dates, dates: serials };
  if (type === 'call' || type === 'put') terms.optionType = type;
  if (settlement === 'physical' || settlement === 'cash') terms.settlement = settlement;
  return terms;
}

/**
 * The notice dates of a swaption's exercise dates, as ORE's ExerciseBuilder takes them: each exercise date moved back
 * by `NoticePeriod` on `NoticeCalendar` (absent: QuantLib's NullCalendar, every day a business day) with
 * `NoticeConvention` (absent: Unadjusted), i.e. QuantLib's Calendar::advance(date, −period, convention): a period in
 * days counts business days of the calendar (calendar days without one), weeks, months and years move the date (a
 * month's day clamped to its length) and then roll it. The holder decides on the notice date, so that is xva's
 * `expiry_date` (the swap still starts on its start date). A calendar xva has no rules for leaves the trade out.
 */
function noticeDates(od: XmlNode | undefined, p: string, exerciseDates: DateSerial[]): DateSerial[] {
  const periodText = text(od, 'NoticePeriod');
  const calendarText = text(od, 'NoticeCalendar');
  const conventionText = text(od, 'NoticeConvention');
  if (periodText === undefined && calendarText === undefined && conventionText === undefined) return exerciseDates;
  const period = periodText === undefined ? { count: 0, unit: 'D' as const } : parseTenor(periodText.trim());
  if (period === undefined) throw new Unmappable(`${p}/NoticePeriod`, periodText, 'expected a period such as 2D, 1W or 1M (ORE\'s parsePeriod)');
  const convention = oreConvention(conventionText, `${p}/NoticeConvention`) ?? 'U';
  let calendarName: string | undefined;
  if (calendarText !== undefined && !/^\s*null(calendar)?\s*$/i.test(calendarText)) {
    const mapped = oreCalendar(calendarText);
    if (mapped.unknown.length > 0 || mapped.approximations.length > 0)
      throw new Unmappable(
        `${p}/NoticeCalendar`,
        calendarText,
        `a calendar xva has the holiday rules of, to move the exercise dates back by NoticePeriod (${[
          ...mapped.unknown.map((u) => `${u}: unknown`),
          ...mapped.approximations.map((a) => `${a.name}: ${a.reason}`),
        ].join('; ')})`,
      );
    calendarName = mapped.calendar ?? 'weekends';
  }
  // QuantLib's NullCalendar: no holiday, no weekend
  const calendar: Calendar = calendarName === undefined ? NULL_CALENDAR : calendarNamed(calendarName === 'weekends' ? undefined : calendarName);
  return exerciseDates.map((date) => {
    if (period.count === 0) return adjust(date, convention, calendar);
    if (period.unit === 'D') return addBusinessDays(date, -period.count, calendar);
    const moved = period.unit === 'W' ? date - 7 * period.count : addMonths(date, -(period.unit === 'M' ? period.count : 12 * period.count));
    return adjust(moved, convention, calendar);
  });
}

const NULL_CALENDAR: Calendar = { name: 'null', isBusinessDay: () => true };

/** A notice period on an FX or equity option, which xva exercises on its exercise date: reported when not zero. */
function ignoredNotice(od: XmlNode | undefined, p: string, notes: TradeNotes): void {
  const period = text(od, 'NoticePeriod');
  if (period === undefined || /^0+[DWMY]?$/i.test(period.trim())) return;
  notes.approximate(`${p}/NoticePeriod`, period, 'notice period ignored: xva exercises this option on its exercise date');
}

/** The option's call/put, required for FX and equity options. */
export function requireCallPut(terms: OptionTerms, dataName: string): 'call' | 'put' {
  if (terms.optionType === undefined) throw new Unmappable(`${dataName}/OptionData/OptionType`, undefined, 'expected Call or Put');
  return terms.optionType;
}

/** An option premium (Premiums node, or the older PremiumAmount) is a cash flow xva does not carry. */
export function dropPremium(data: XmlNode | undefined, dataName: string, notes: TradeNotes): void {
  dropPremiumsIn(child(data, 'OptionData'), `${dataName}/OptionData`, notes);
}

/**
 * The premiums held directly by `node` (`Premiums/Premium/Amount`, or the older `PremiumAmount`), dropped as
 * `<path>/Premiums`: OptionData for swaptions and FX/equity options, CapFloorData itself for caps and floors.
 */
export function dropPremiumsIn(node: XmlNode | undefined, path: string, notes: TradeNotes): void {
  const premiums = children(child(node, 'Premiums'), 'Premium');
  const amounts = [...premiums.flatMap((p) => texts(p, 'Amount')), ...texts(node, 'PremiumAmount')];
  const nonZero = amounts.filter((a) => Number(a) !== 0);
  if (nonZero.length > 0)
    notes.drop(`${path}/Premiums`, nonZero.join(','), 'the option premium payment is not carried over (xva options have no premium flow)');
}
