/**
 * ORE `LegData` → one xva swap leg: a notional and a fixed rate (each constant, or a list that steps by coupon
 * period where the trade allows it), a constant spread, a rules-based schedule, an FX reset where the trade allows it
 * (cross-currency swaps), an overnight leg's `Lookback`, `FixingDays` and `RateCutoff` where the trade carries them. What xva's legs cannot express (amortisation rules, caps/floors, explicit schedule dates, FX
 * resets elsewhere) raises `Unmappable`; small convention differences are recorded as approximations on the trade.
 */
import { isEndOfMonth, toIsoDate, toYmd, type DateSerial, type Frequency } from '../../conventions/dates.js';
import { adjust } from '../../conventions/calendar.js';
import type { BusinessDayConvention, Currency, DayCount, ScheduleTerms, Stub } from '../../products/types.js';
import { buildSchedule } from '../../conventions/schedule.js';
import { calendarNamed, calendarYears, HOLIDAY_CENTRES } from '../../conventions/holidays.js';
import {
  oreBool,
  oreConvention,
  isOreUs30360,
  oreCurrency,
  oreDate,
  oreDayCount,
  oreFrequency,
  oreIndex,
  oreNumber,
  oreStub,
  oreCalendar,
  orePaymentLag,
  type MappedIndex,
} from './conventions.js';
import { MAX_LOOKBACK_DAYS } from '../../portfolio/tradeRows.js';
import { Unmappable } from './report.js';
import { attribute, child, children, text, textOf, texts, type XmlNode } from './xml.js';

/** Collects what a trade's mapping only approximated or dropped (becomes report findings). */
export interface TradeNotes {
  approximate(field: string, value: string | undefined, reason: string): void;
  drop(field: string, value: string | undefined, reason: string): void;
  /** The explicit notional steps of an amortising swap (rows of the notional_schedules table). */
  notionalSchedule(steps: { fromDate: DateSerial; notional: number }[]): void;
  /** The steps of a step-up fixed rate or a stepped cap/floor strike (rows of the rate_schedules table). */
  rateSchedule(steps: { fromDate: DateSerial; rate: number }[]): void;
}

/**
 * A list of ORE values that may change by coupon period (`Notionals/Notional`, `FixedLegData/Rates/Rate`,
 * `Caps/Cap`), as ORE's `buildScheduledVector` reads it: either one value per coupon period in schedule order (no
 * `startDate` attributes; the last repeated, extra values unused), or each value but the first with a `startDate`
 * attribute (a period takes the last value whose startDate is on or before its accrual start; the first value holds
 * from the start). `startDates[0]` is always undefined.
 */
export interface ScheduledValues {
  values: number[];
  startDates: (DateSerial | undefined)[];
}

/**
 * Reads the `item` elements of an ORE list as ScheduledValues; `read` parses one value (its path names the element,
 * e.g. `SwapData/LegData[1]/Notionals/Notional[2]`). A list dated on some values but not all is refused (`what`
 * names the values in the message, e.g. `notionals`).
 */
export function scheduledValues(
  nodes: XmlNode[],
  listPath: string,
  item: string,
  what: string,
  read: (valueText: string, field: string, index: number) => number,
): ScheduledValues {
  const values = nodes.map((n, i) => read(textOf(n), `${listPath}/${item}[${i + 1}]`, i));
  const dateTexts = nodes.map((n) => attribute(n, 'startDate'));
  const dated = dateTexts.slice(1).filter((d) => d !== undefined).length;
  if (dated !== 0 && dated !== nodes.length - 1)
    throw new Unmappable(listPath, dateTexts.map((d) => d ?? '-').join(','), `${what} with a startDate on some values but not all`);
  // ORE reads no date for the first value (it holds from the start)
  const startDates = dateTexts.map((d, i) => (i === 0 || d === undefined ? undefined : oreDate(d, `${listPath}/${item}[${i + 1}]/@startDate`)));
  return { values, startDates };
}

export interface OreLeg {
  /** Path for messages, e.g. `SwapData/LegData[2]`. */
  path: string;
  kind: 'fixed' | 'float';
  /** Payer = true: the leg's flows are paid to the counterparty. */
  payer: boolean;
  currency: Currency;
  /** The notional of the first period. */
  notional: number;
  /** Several `Notionals/Notional` values (amortising or accreting; ScheduledValues' rule). Absent: one notional. */
  notionalSteps?: ScheduledValues;
  dayCount: DayCount;
  frequency: Frequency;
  startDate: DateSerial;
  endDate: DateSerial;
  businessDayConvention: BusinessDayConvention;
  /** xva calendar of the schedule (canonical name); undefined = weekends only. */
  calendar: string | undefined;
  stub: Stub;
  endOfMonth: boolean;
  initialExchange: boolean;
  finalExchange: boolean;
  /** `Exchanges/NotionalAmortizingExchange`: each change of an amortising notional exchanged on its date. */
  amortizingExchange: boolean;
  /** Fixed legs: the `FixedLegData/Rates/Rate` value (of several: the first). */
  fixedRate?: number;
  /** Fixed legs with several `Rates/Rate` values (step-up or step-down; ScheduledValues' rule). Absent: one rate. */
  rateSteps?: ScheduledValues;
  index?: MappedIndex;
  spreadBp?: number;
  /** Floating legs: the multiplier of the index (1 unless leveraged). */
  gearing?: number;
  /** Floating legs on a term index with `IsInArrears` true (fixed at the period's end; approximated on IRS/OIS). */
  inArrears?: true;
  /** `Notionals/FXReset`: the leg's notional resets to a foreign amount at each later period's FX rate (read on cross-currency Swaps and CrossCurrencySwaps only). */
  fxReset?: OreFxReset;
  /**
   * `PaymentLag` as written, when given (absent: ORE's 0). Read where the trade maps it (LegOptions.paymentLag: Swaps
   * and CrossCurrencySwaps, rates.ts); on other trades parseLeg reports a non-zero lag as ignored.
   */
  paymentLag?: string;
  /** `NotionalPaymentLag` as written, when given: ORE pays the leg's notional exchanges that many business days after their dates (absent: 0). */
  notionalPaymentLag?: string;
  /** `PaymentCalendar` as written, when given: the calendar ORE counts the payment lags on (absent: the schedule's; an overnight leg's: its index's fixing calendar). */
  paymentCalendar?: string;
  /**
   * Floating legs on an overnight index: `Lookback`, `FixingDays` and `RateCutoff` (zero when absent), read where the
   * trade maps them (LegOptions.overnightTerms: Swaps and CrossCurrencySwaps, rates.ts); absent on other trades, whose
   * non-zero Lookback and RateCutoff parseLeg reports as ignored, and on term-index legs (ORE ignores those two there:
   * reported as dropped; FixingDays is the IBOR fixing lag there, which xva applies its own way).
   */
  overnightTerms?: OreOvernightTerms;
}

/**
 * An overnight leg's `FloatingLegData/Lookback`, `FixingDays` and `RateCutoff`, which ORE's makeOISLeg hands to
 * QuantExt's OvernightLeg. Its OvernightIndexedCoupon
 * - moves the period's value dates (the observation period) back by `Lookback` on the index's fixing calendar and
 *   weighs each rate by its shifted day (ISDA "Compounding with Observation Period Shift": xva's float_lookback_days
 *   with float_observation_shift true);
 * - fixes each day's rate `FixingDays` business days before its value date, the weights staying on the value dates
 *   (ISDA "Compounding with Lookback": float_lookback_days with float_observation_shift false);
 * - repeats the rate before the last `RateCutoff` ones for them (ISDA "Compounding with Lockout": float_lockout_days).
 * One row holds one lookback, so a leg with both a Lookback and a FixingDays is refused when read (readOvernightTerms).
 */
export interface OreOvernightTerms {
  /** The lookback in business days: the Lookback's, else the FixingDays' (absent or zero: 0). */
  lookbackDays: number;
  /** True when the lookback is the Lookback's (the observation period shifts); false for FixingDays' or none. */
  observationShift: boolean;
  /** The rate cutoff in daily rates (absent: 0). */
  lockoutDays: number;
  /** `Lookback` as written, when given. */
  lookback?: string;
  /** `FixingDays` as written, when given. */
  fixingDays?: string;
  /** `RateCutoff` as written, when given. */
  rateCutoff?: string;
}

/**
 * ORE `Notionals/FXReset` of a rebalancing (mark-to-market) cross-currency leg: from its second coupon period on, the
 * leg's notional is `foreignAmount` of `foreignCurrency` at the FX rate of `fxIndex` fixed before the period's accrual
 * start (ORE's FloatingRateLegBuilder, buildNotionalLeg); the first period runs on the leg's own `Notional`.
 */
export interface OreFxReset {
  foreignCurrency: Currency;
  foreignAmount: number;
  /** As written, e.g. `FX-ECB-EUR-USD` (FX-SOURCE-CCY1-CCY2). */
  fxIndex: string;
  /** `FixingDays` as written, when given (ORE takes the FX fixing lag from its FX conventions instead). */
  fixingDays?: string;
}

/** A list of values that must all be the same (ORE allows one value per coupon). */
function constant(values: string[], field: string, what: string, reason: string): string | undefined {
  if (values.length === 0) return undefined;
  const distinct = new Set(values.map((v) => Number(v)));
  if (distinct.size > 1) throw new Unmappable(field, values.join(','), `${what} (${values.length} values): ${reason}`);
  return values[0];
}

interface LegOptions {
  /** CDS premium legs follow the CDS date rule (CDS2015 etc.); their Rule is not a swap stub. */
  cdsSchedule?: boolean;
  /** Several notionals are read (`notionalSteps`) rather than refused: single-currency fixed/float swaps. */
  notionalSteps?: boolean;
  /**
   * Several fixed rates are read (`rateSteps`) rather than refused: swaps and swaptions, whose mappers refuse them
   * where the xva product takes no rate steps (XCCY, a cash-settled swaption).
   */
  rateSteps?: boolean;
  /** The trade ignores the leg's Payer (CapFloor: LongShort decides), so it may be absent (then false). */
  payerIgnored?: boolean;
  /**
   * `Notionals/FXReset` is read (`fxReset`) rather than refused: Swaps and CrossCurrencySwaps, whose mapper keeps it on
   * a cross-currency swap (an XCCY with `fx_reset`) and refuses it elsewhere.
   */
  fxReset?: boolean;
  /**
   * `PaymentLag` is left to the trade's mapper (Swaps and CrossCurrencySwaps: `payment_lag_days`, rates.ts); otherwise
   * a non-zero lag is reported as ignored (ignoredPaymentLag), `paidOnAccrualEnd` naming the flows xva pays on their
   * accrual end dates instead (default: the trade's coupons).
   */
  paymentLag?: boolean;
  paidOnAccrualEnd?: string;
  /**
   * An overnight leg's `Lookback`, `FixingDays` and `RateCutoff` are read (`overnightTerms`) for the trade's mapper
   * (Swaps and CrossCurrencySwaps: float_lookback_days, float_observation_shift, float_lockout_days; rates.ts);
   * otherwise a non-zero Lookback or RateCutoff is reported as ignored (unreadOvernightTerms) and FixingDays left as
   * it always was.
   */
  overnightTerms?: boolean;
}

/** A `PaymentLag` of 0 in any of ORE's spellings (`0`, `0D`, `0W`, ...). */
function zeroPaymentLag(text: string | undefined): boolean {
  if (text === undefined) return true;
  const lag = orePaymentLag(text);
  return 'days' in lag && lag.days === 0;
}

/**
 * Reports a leg's non-zero `PaymentLag` that the trade does not carry over (xva pays `what` on their accrual end
 * dates): swaptions, caps/floors, CDS premium legs, resetting cross-currency swaps.
 */
export function ignoredPaymentLag(leg: Pick<OreLeg, 'path' | 'paymentLag'>, notes: TradeNotes, what: string, why: string): void {
  if (zeroPaymentLag(leg.paymentLag)) return;
  notes.approximate(`${leg.path}/PaymentLag`, leg.paymentLag, `payment lag ignored: xva pays ${what} on their accrual end dates (${why})`);
}

/**
 * The `Notionals/FXReset` of a leg (ORE's LegData::fromXML: ForeignCurrency, ForeignAmount, FXIndex; or StartDate,
 * ForeignCurrency, FXIndex, the foreign amount then fixed from the FX rate on StartDate). xva resets a leg to the
 * other leg's notional at each later accrual start's FX rate, its first period on the leg's own notional: so the
 * foreign amount must be given, StartDate must not be, and the leg must give its first period's `Notional` (ORE would
 * otherwise fix that period's notional from the FX rate too). The comparison with the other leg is the trade's (rates.ts).
 */
function parseFxReset(leg: XmlNode, path: string, currency: Currency, options: LegOptions): OreFxReset {
  const rp = `${path}/Notionals/FXReset`;
  if (!options.fxReset)
    throw new Unmappable(rp, undefined, 'resetting (mark-to-market) notionals are supported by xva on cross-currency swaps (TradeType Swap or CrossCurrencySwap) only');
  const node = child(child(leg, 'Notionals'), 'FXReset');
  const startDate = text(node, 'StartDate');
  if (startDate !== undefined)
    throw new Unmappable(
      `${rp}/StartDate`,
      startDate,
      'a reset whose foreign amount is fixed from the FX rate on StartDate is not supported by xva: it resets to the other leg\'s notional, give it as ForeignAmount',
    );
  const foreignCurrency = oreCurrency(text(node, 'ForeignCurrency'), `${rp}/ForeignCurrency`);
  if (foreignCurrency === currency)
    throw new Unmappable(`${rp}/ForeignCurrency`, text(node, 'ForeignCurrency'), `the leg resets to an amount in its own currency (${currency}); a reset converts the other leg's currency`);
  const amountText = text(node, 'ForeignAmount');
  if (amountText === undefined) throw new Unmappable(`${rp}/ForeignAmount`, undefined, 'the foreign amount the leg resets to (the other leg\'s notional) is required');
  const foreignAmount = oreNumber(amountText, `${rp}/ForeignAmount`, { positive: true });
  const fxIndex = text(node, 'FXIndex');
  if (fxIndex === undefined) throw new Unmappable(`${rp}/FXIndex`, undefined, 'the FX index of the resets (FX-SOURCE-CCY1-CCY2) is required');
  // ORE's buildFxIndex: the index must quote the leg's currency against the foreign one, either way round
  const pair = /^FX-.+-([A-Za-z]{3})-([A-Za-z]{3})$/.exec(fxIndex);
  const quoted = pair === null ? [] : [pair[1]!.toUpperCase(), pair[2]!.toUpperCase()].sort();
  const expected = [currency, foreignCurrency].sort();
  if (quoted.length !== 2 || quoted[0] !== expected[0] || quoted[1] !== expected[1])
    throw new Unmappable(`${rp}/FXIndex`, fxIndex, `expected the FX index of the leg's currency against the foreign one: FX-SOURCE-${foreignCurrency}-${currency} or FX-SOURCE-${currency}-${foreignCurrency}`);
  if (texts(child(leg, 'Notionals'), 'Notional').length === 0)
    throw new Unmappable(
      `${path}/Notionals/Notional`,
      undefined,
      `the first period's notional is required on a resetting leg: xva runs the first period on the leg's given notional (in ${currency}) and resets the later ones`,
    );
  const fixingDays = text(node, 'FixingDays');
  return { foreignCurrency, foreignAmount, fxIndex, ...(fixingDays !== undefined ? { fixingDays } : {}) };
}

const PERIOD_UNITS = { W: 'weeks', M: 'months', Y: 'years' } as const;

/**
 * ORE's `Lookback` of an overnight leg (parsePeriod, e.g. `2D`; absent: 0D) in business days. QuantExt's
 * OvernightIndexedCoupon moves the value dates back with `fixingCalendar().advance(d, -lookback, Preceding)`: a
 * lookback in days is that many business days, xva's `float_lookback_days` (0 to MAX_LOOKBACK_DAYS); one in weeks,
 * months or years is calendar time rolled to a business day, which a count of business days cannot hold. A zero period
 * in any unit moves nothing (QuantLib's 0W equals 0D).
 */
function oreLookbackDays(value: string, field: string): number {
  const m = /^(\d+)([DWMY])$/i.exec(value);
  if (m === null) throw new Unmappable(field, value, 'not a lookback period: expected a whole number of business days, e.g. 2D');
  const count = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  if (count === 0) return 0;
  if (unit !== 'D') {
    const what = PERIOD_UNITS[unit as keyof typeof PERIOD_UNITS];
    throw new Unmappable(
      field,
      value,
      `a lookback in ${what} is not supported by xva: float_lookback_days counts business days (0 to ${MAX_LOOKBACK_DAYS}); ` +
        `ORE moves the observation period back ${count} calendar ${what.slice(0, -1)}${count === 1 ? '' : 's'}, rolled to the preceding business day of the index's fixing calendar: give the lookback in days`,
    );
  }
  if (count > MAX_LOOKBACK_DAYS)
    throw new Unmappable(field, value, `a lookback of ${count} business days is more than xva's float_lookback_days holds (0 to ${MAX_LOOKBACK_DAYS})`);
  return count;
}

/**
 * ORE's `RateCutoff` of an overnight leg (parseInteger; absent: 0): the last n daily rates of each period are the one
 * before them, xva's `float_lockout_days` (0 to MAX_LOOKBACK_DAYS).
 */
function oreRateCutoff(value: string, field: string): number {
  const count = oreNumber(value, field, { min: 0 });
  if (!/^\+?\d+$/.test(value)) throw new Unmappable(field, value, 'expected a whole number of daily rates (ORE reads RateCutoff as an integer)');
  if (count > MAX_LOOKBACK_DAYS)
    throw new Unmappable(field, value, `a rate cutoff of ${count} daily rates is more than xva's float_lockout_days holds (0 to ${MAX_LOOKBACK_DAYS})`);
  return count;
}

/**
 * ORE's `FixingDays` of an overnight leg (FloatingLegData::fromXML: parseInteger; absent: the index's own fixing days,
 * 0 for SOFR, €STR, SONIA and the other overnight indices xva knows). QuantExt's OvernightIndexedCoupon fixes each
 * daily rate `fixingCalendar().advance(valueDate, -fixingDays, Days, Preceding)`, n business days before the day it
 * accrues, while the accrual fractions stay on the value dates: xva's `float_lookback_days` n without observation
 * shift (0 to MAX_LOOKBACK_DAYS).
 */
function oreFixingDays(value: string, field: string): number {
  const count = oreNumber(value, field, { min: 0 });
  if (!/^\+?\d+$/.test(value)) throw new Unmappable(field, value, 'expected a whole number of business days (ORE reads FixingDays as an integer)');
  if (count > MAX_LOOKBACK_DAYS)
    throw new Unmappable(
      field,
      value,
      `a fixing lag of ${count} business days on an overnight leg (a lookback without observation shift) is more than xva's float_lookback_days holds (0 to ${MAX_LOOKBACK_DAYS})`,
    );
  return count;
}

/** A `Lookback` or `RateCutoff` that changes nothing: `0`, `0D`, `0W`, ... (checked before the value is parsed). */
const zeroTerm = (value: string | undefined): boolean => value === undefined || /^0+[DWMY]?$/i.test(value);

/**
 * A floating leg's `Lookback`, `RateCutoff` and (overnight) `FixingDays` that the trade does not carry over, reported: on an overnight index of
 * a trade other than a Swap or CrossCurrencySwap (a swaption's underlying; caps and floors on overnight indices are
 * refused anyway) a non-zero one is approximated, xva compounding the trade's overnight rates in arrears (the trades
 * reader refuses the columns on other rows than IRS, OIS, BASIS and XCCY); on a term index ORE reads neither (its
 * makeIborLeg builds IBOR coupons that fix `FixingDays` before their period), so a non-zero one is dropped.
 */
function unreadOvernightTerms(fl: XmlNode | undefined, fp: string, index: MappedIndex, notes: TradeNotes): void {
  for (const name of ['Lookback', 'RateCutoff'] as const) {
    const value = text(fl, name);
    if (zeroTerm(value)) continue;
    if (index.overnight)
      notes.approximate(
        `${fp}/${name}`,
        value,
        `${name} ignored: xva compounds this trade's overnight rates in arrears, without lookback or rate cutoff (float_lookback_days and float_lockout_days are for IRS, OIS, BASIS and XCCY rows)`,
      );
    else notes.drop(`${fp}/${name}`, value, `not carried over: ORE ignores ${name} on a term-index leg (${index.name}), whose coupons fix FixingDays before their period`);
  }
  // On an overnight leg QuantExt fixes each daily rate FixingDays business days before its value date (a lookback
  // without a shift), which such a trade cannot carry either; on a term index FixingDays is the IBOR fixing lag.
  const fixingDays = text(fl, 'FixingDays');
  if (index.overnight && !zeroTerm(fixingDays))
    notes.approximate(
      `${fp}/FixingDays`,
      fixingDays,
      'FixingDays ignored: on an overnight leg ORE fixes each daily rate that many business days early (a lookback); xva compounds this trade\'s overnight rates in arrears (float_lookback_days is for IRS, OIS, BASIS and XCCY rows)',
    );
}

/**
 * An overnight leg's `Lookback`, `FixingDays` and `RateCutoff` for the trade's mapper (OreOvernightTerms; zero when
 * absent). A leg with both a non-zero Lookback and a non-zero FixingDays is refused: ORE then shifts the observation
 * period back by the Lookback and fixes each rate FixingDays before its shifted value date (QuantExt's
 * OvernightIndexedCoupon: the fixing dates are FixingDays before the looked-back ones), two lags that one
 * float_lookback_days cannot hold.
 */
function readOvernightTerms(fl: XmlNode | undefined, fp: string): OreOvernightTerms {
  const lookback = text(fl, 'Lookback');
  const fixingDays = text(fl, 'FixingDays');
  const rateCutoff = text(fl, 'RateCutoff');
  const shiftDays = lookback === undefined ? 0 : oreLookbackDays(lookback, `${fp}/Lookback`);
  const lagDays = fixingDays === undefined ? 0 : oreFixingDays(fixingDays, `${fp}/FixingDays`);
  if (shiftDays > 0 && lagDays > 0)
    throw new Unmappable(
      `${fp}/FixingDays`,
      fixingDays,
      `a FixingDays of ${lagDays} beside a Lookback of ${lookback} is not supported by xva: ORE then shifts the observation period back ${shiftDays} business days ` +
        `and fixes each rate ${lagDays} more before its shifted day, two lags where xva's row has one float_lookback_days (expected FixingDays 0 or absent with a Lookback, or no Lookback)`,
    );
  // newer ORE reads `ObservationShift` (default true): false keeps the accrual days' weights under a Lookback, the
  // ISDA "Compounding with Lookback" that a FixingDays lag also gives
  const shiftText = text(fl, 'ObservationShift');
  const shifted = oreBool(shiftText, `${fp}/ObservationShift`, true);
  return {
    lookbackDays: shiftDays > 0 ? shiftDays : lagDays,
    observationShift: shiftDays > 0 && shifted,
    lockoutDays: rateCutoff === undefined ? 0 : oreRateCutoff(rateCutoff, `${fp}/RateCutoff`),
    ...(lookback !== undefined ? { lookback } : {}),
    ...(fixingDays !== undefined ? { fixingDays } : {}),
    ...(rateCutoff !== undefined ? { rateCutoff } : {}),
  };
}

/** The last day of February (28th, or 29th in a leap year). */
function lastOfFebruary(date: DateSerial): boolean {
  const d = toYmd(date);
  return d.month === 2 && toYmd(date + 1).month === 3;
}

/**
 * Whether an accrual date of the schedule xva builds for the leg (its start, its end or any date between: a start on
 * the 30th rolls through the 28th of February, a backward roll from the 31st through the 29th) is the last day of
 * February, where 30/360 US and Bond Basis differ. The start and end alone when the terms build no schedule.
 */
function scheduleTouchesEndOfFebruary(terms: ScheduleTerms): boolean {
  if (lastOfFebruary(terms.startDate) || lastOfFebruary(terms.maturityDate)) return true;
  let schedule;
  try {
    schedule = buildSchedule(terms);
  } catch {
    return false; // the leg's own checks say why it builds no schedule
  }
  for (let i = 0; i < schedule.count; i++) if (lastOfFebruary(schedule.accrualStart[i]!) || lastOfFebruary(schedule.accrualEnd[i]!)) return true;
  return false;
}

export function parseLeg(leg: XmlNode, path: string, notes: TradeNotes, options: LegOptions = {}): OreLeg {
  const legType = text(leg, 'LegType');
  if (legType !== 'Fixed' && legType !== 'Floating')
    throw new Unmappable(`${path}/LegType`, legType, 'leg type not supported by xva (Fixed or Floating)');
  const payerText = text(leg, 'Payer');
  if (payerText === undefined && !options.payerIgnored) throw new Unmappable(`${path}/Payer`, undefined, 'Payer (true/false) is required');
  const payer = oreBool(payerText, `${path}/Payer`, false);
  const currency = oreCurrency(text(leg, 'Currency'), `${path}/Currency`);

  // an FX-indexed leg (ORE scales each coupon by Quantity × an FX fixing: FX-linked and non-deliverable legs): no
  // column of xva holds it, and as a plain leg its notional would be wrong by the whole indexation
  if (child(leg, 'Indexings') !== undefined)
    throw new Unmappable(`${path}/Indexings`, undefined, 'an FX-indexed leg (Indexings: each coupon scaled by an FX fixing) is not mapped by xva');
  const notionals = child(leg, 'Notionals');
  const fxReset = child(notionals, 'FXReset') === undefined ? undefined : parseFxReset(leg, path, currency, options);
  if (child(leg, 'Amortizations') !== undefined)
    throw new Unmappable(`${path}/Amortizations`, undefined, 'amortisation rules are not mapped: give the leg\'s notionals explicitly (Notionals/Notional, one per period or with startDate)');
  const notionalNodes = children(notionals, 'Notional');
  let notionalText: string | undefined;
  let notionalSteps: OreLeg['notionalSteps'];
  if (options.notionalSteps && notionalNodes.length > 1) {
    notionalSteps = scheduledValues(notionalNodes, `${path}/Notionals`, 'Notional', 'notionals', (v, field, i) =>
      oreNumber(v, field, i === 0 ? { positive: true } : { min: 0 }),
    );
    notionalText = textOf(notionalNodes[0]);
  } else {
    notionalText = constant(
      texts(notionals, 'Notional'),
      `${path}/Notionals`,
      'amortising or accreting notional',
      'xva maps several notionals on single-currency fixed/float swaps only',
    );
  }
  const notional = oreNumber(notionalText, `${path}/Notionals/Notional`, { positive: true });
  const exchanges = child(notionals, 'Exchanges');
  const initialExchange = oreBool(text(exchanges, 'NotionalInitialExchange'), `${path}/Notionals/Exchanges/NotionalInitialExchange`, false);
  const finalExchange = oreBool(text(exchanges, 'NotionalFinalExchange'), `${path}/Notionals/Exchanges/NotionalFinalExchange`, false);
  const amortizingExchange = oreBool(text(exchanges, 'NotionalAmortizingExchange'), `${path}/Notionals/Exchanges/NotionalAmortizingExchange`, false);

  const dc = oreDayCount(text(leg, 'DayCounter'), `${path}/DayCounter`);
  if (dc.approximation) notes.approximate(`${path}/DayCounter`, text(leg, 'DayCounter'), dc.approximation);
  const paymentLag = text(leg, 'PaymentLag');
  const notionalPaymentLag = text(leg, 'NotionalPaymentLag');
  const paymentCalendar = text(leg, 'PaymentCalendar');
  if (!options.paymentLag)
    ignoredPaymentLag({ path, paymentLag }, notes, options.paidOnAccrualEnd ?? "the trade's coupons", 'payment_lag_days is for IRS, OIS, BASIS and XCCY rows');

  // schedule: exactly one rules-based section
  const schedule = child(leg, 'ScheduleData');
  const rulesList = children(schedule, 'Rules');
  if (children(schedule, 'Dates').length > 0 || children(schedule, 'Derived').length > 0)
    throw new Unmappable(`${path}/ScheduleData/Dates`, undefined, 'explicit or derived schedule dates are not supported by xva (rules only)');
  if (rulesList.length !== 1)
    throw new Unmappable(`${path}/ScheduleData/Rules`, String(rulesList.length), 'exactly one rules-based schedule is supported');
  const rules = rulesList[0]!;
  const rp = `${path}/ScheduleData/Rules`;
  const startDate = oreDate(text(rules, 'StartDate'), `${rp}/StartDate`);
  const endDate = oreDate(text(rules, 'EndDate'), `${rp}/EndDate`);
  if (!(endDate > startDate)) throw new Unmappable(`${rp}/EndDate`, text(rules, 'EndDate'), 'the end date must be after the start date');
  const frequency = oreFrequency(text(rules, 'Tenor'), `${rp}/Tenor`);
  const oreCalendarName = text(rules, 'Calendar');
  let calendar: string | undefined;
  // QuantLib's NullCalendar (ORE's reading of an empty or absent Calendar too): every day a business day, so no date is
  // adjusted, whatever the convention says
  const nullCalendar = !options.cdsSchedule && (oreCalendarName === undefined || oreCalendarName.trim() === '' || oreCalendarName.replace(/[\s_-]/g, '').toLowerCase() === 'nullcalendar');
  if (nullCalendar) {
    notes.approximate(`${rp}/Calendar`, oreCalendarName ?? '', "ORE reads it as QuantLib's NullCalendar (every day a business day: no date is adjusted); xva imports the leg unadjusted (business_day_convention U), its overnight fixings on weekdays");
  } else if (oreCalendarName !== undefined) {
    if (options.cdsSchedule) {
      // CDS dates roll on weekends only (the ISDA CDS Standard Model): any other calendar is reported as not applied
      const mapped = oreCalendar(oreCalendarName);
      if (mapped.calendar !== undefined || mapped.unknown.length > 0)
        notes.approximate(`${rp}/Calendar`, oreCalendarName, "xva rolls a CDS's coupon dates on weekends only (the ISDA CDS Standard Model): this calendar's holidays are not applied");
    } else {
      const mapped = oreCalendar(oreCalendarName);
      calendar = mapped.calendar;
      for (const a of mapped.approximations) notes.approximate(`${rp}/Calendar`, a.name, a.reason);
      if (mapped.unknown.length > 0)
        notes.approximate(
          `${rp}/Calendar`,
          mapped.unknown.join(', '),
          `xva has no holiday rules for ${mapped.unknown.join(', ')} (it has ${HOLIDAY_CENTRES.join(', ')}): their holidays are not applied, the leg's dates roll on ${calendar === undefined ? 'weekends only' : `${calendar}'s holidays and weekends only`}`,
        );
    }
  }
  // xva's calendars have rules for some years only (conventions/holidays.ts calendarYears), and `xva validate` refuses
  // a trade whose start or maturity is outside them (portfolio/tradeRows.ts checkCalendarYears): such a leg leaves the
  // trade out here, naming the date, rather than failing the import when a date of it is rolled
  if (calendar !== undefined) {
    const { first, last } = calendarYears(calendar);
    for (const [field, date] of [['StartDate', startDate], ['EndDate', endDate]] as const) {
      const year = toYmd(date).year;
      if (year < first || year > last)
        throw new Unmappable(
          `${rp}/${field}`,
          text(rules, field),
          `the ${calendar} calendar (Calendar ${oreCalendarName}) has holiday rules for ${first} to ${last} only, not ${year}: xva cannot roll this leg's dates on it`,
        );
    }
  }
  // ORE rolls a schedule without Convention Modified Following (makeSchedule), whatever the PaymentConvention
  const convention = nullCalendar ? 'U' : (oreConvention(text(rules, 'Convention'), `${rp}/Convention`) ?? 'MF');
  const termConvention = oreConvention(text(rules, 'TermConvention'), `${rp}/TermConvention`);
  if (options.cdsSchedule) {
    // xva's CDS premium leg is the ISDA CDS Standard Model's (conventions/cdsDates.ts): coupon dates the 20th of March,
    // June, September and December rolled backward from the maturity, moved Following on weekdays, the maturity itself
    // unadjusted (accrual to maturity + 1); ORE's standard leg (Rule CDS2015, Convention F, TermConvention Unadjusted)
    // is that, and any other field is said
    const conventionText = text(rules, 'Convention');
    if (conventionText !== undefined && conventionText.trim() !== '' && convention !== 'F')
      notes.approximate(`${rp}/Convention`, conventionText, "xva rolls a CDS's coupon dates Following (the ISDA CDS Standard Model)");
    if (termConvention !== undefined && termConvention !== 'U')
      notes.approximate(`${rp}/TermConvention`, text(rules, 'TermConvention'), "xva keeps a CDS's maturity unadjusted (the ISDA CDS Standard Model)");
    const rule = text(rules, 'Rule');
    if (rule !== undefined && rule.trim() !== '' && !['CDS', 'CDS2015'].includes(rule.trim()))
      notes.approximate(`${rp}/Rule`, rule, "xva builds a CDS's coupon dates backward from its maturity on the 20th of March, June, September and December (the ISDA CDS Standard Model): this rule's dates and stub differ");
  } else if (termConvention !== undefined && termConvention !== convention && !nullCalendar)
    notes.approximate(`${rp}/TermConvention`, text(rules, 'TermConvention'), `xva rolls the end date like the others (${convention})`);
  const stub: Stub = options.cdsSchedule ? 'short_front' : oreStub(text(rules, 'Rule'), `${rp}/Rule`);
  const endOfMonth = oreBool(text(rules, 'EndOfMonth'), `${rp}/EndOfMonth`, false);
  if (endOfMonth && !options.cdsSchedule && !nullCalendar) {
    // QuantLib's Schedule (ORE's makeSchedule) applies the end-of-month rule when calendar.isEndOfMonth(anchor), i.e.
    // the anchor is on or after its month's last business day (the next day, rolled Following, is in another month),
    // and then rolls every date to calendar.endOfMonth; xva's (conventions/schedule.ts) only from the month's last
    // calendar day: an anchor in between gives other dates (2026-02-27, TARGET, 1Y: ORE 2028-02-29, xva 2028-02-28)
    const anchorField = stub === 'short_back' ? 'StartDate' : 'EndDate';
    const anchor = stub === 'short_back' ? startDate : endDate;
    const cal = calendarNamed(calendar);
    if (!isEndOfMonth(anchor) && toYmd(adjust(anchor + 1, 'F', cal)).month !== toYmd(anchor).month)
      notes.approximate(
        `${rp}/EndOfMonth`,
        text(rules, 'EndOfMonth'),
        `the schedule's anchor, its ${anchorField} ${toIsoDate(anchor)}, is on or after its month's last business day (${calendar ?? 'weekends'}) but not the month's last day: ORE (QuantLib's Schedule) then rolls every date to its month's last business day, xva's end-of-month rule only from a month's last calendar day (it takes the calendar month end), so the dates differ from ORE's`,
      );
  }
  // fields that move the leg's dates, which no xva column holds: left out, not imported on other dates
  for (const stubDate of ['FirstDate', 'LastDate']) {
    const d = text(rules, stubDate);
    if (d !== undefined && d.trim() !== '') throw new Unmappable(`${rp}/${stubDate}`, d, 'an explicit stub date is not mapped: xva generates the stub from the rule, on other payment dates');
  }
  for (const flag of ['AdjustEndDateToPreviousMonthEnd', 'RemoveFirstDate', 'RemoveLastDate']) {
    if (oreBool(text(rules, flag), `${rp}/${flag}`, false)) throw new Unmappable(`${rp}/${flag}`, text(rules, flag), 'this schedule rule is not mapped by xva (it moves or removes schedule dates)');
  }
  for (const field of ['PaymentDates', 'PaymentSchedule', 'LastPeriodDayCounter']) {
    if (child(leg, field) !== undefined) throw new Unmappable(`${path}/${field}`, undefined, 'not mapped by xva (it changes the payment dates or accruals of the leg)');
  }
  if (oreBool(text(leg, 'StrictNotionalDates'), `${path}/StrictNotionalDates`, false)) throw new Unmappable(`${path}/StrictNotionalDates`, text(leg, 'StrictNotionalDates'), 'strict notional dates are not mapped by xva');
  const paymentConvention = oreConvention(text(leg, 'PaymentConvention'), `${path}/PaymentConvention`);
  if (paymentConvention !== undefined && paymentConvention !== convention && !nullCalendar)
    notes.approximate(`${path}/PaymentConvention`, text(leg, 'PaymentConvention'), `xva pays on the accrual dates rolled by the schedule's convention (${convention})`);
  if (isOreUs30360(text(leg, 'DayCounter')) && ((endOfMonth && toYmd(startDate).day >= 28) || scheduleTouchesEndOfFebruary({ startDate, maturityDate: endDate, frequency, dayCount: dc.value, businessDayConvention: convention, ...(calendar !== undefined ? { calendar } : {}), stub, endOfMonth })))
    notes.approximate(`${path}/DayCounter`, text(leg, 'DayCounter'), "ORE reads it as 30/360 US, whose end-of-February rule (a period from the last day of February counts from the 30th) xva's 30/360 Bond Basis does not apply; this leg's dates can fall on it");

  const base = {
    path,
    payer,
    currency,
    notional,
    ...(fxReset ? { fxReset } : {}),
    ...(notionalSteps ? { notionalSteps } : {}),
    dayCount: dc.value,
    frequency,
    startDate,
    endDate,
    businessDayConvention: convention,
    calendar,
    stub,
    endOfMonth,
    initialExchange,
    finalExchange,
    amortizingExchange,
    ...(paymentLag !== undefined ? { paymentLag } : {}),
    ...(notionalPaymentLag !== undefined ? { notionalPaymentLag } : {}),
    ...(paymentCalendar !== undefined ? { paymentCalendar } : {}),
  };

  if (legType === 'Fixed') {
    const rates = child(child(leg, 'FixedLegData'), 'Rates');
    // (empty <Rate/> elements are skipped, as `texts` does for one rate)
    const rateNodes = children(rates, 'Rate').filter((n) => textOf(n) !== '');
    if (options.rateSteps && rateNodes.length > 1) {
      // ORE's makeFixedLeg: buildScheduledVector(rates, rateDates, schedule), as the notionals
      const rateSteps = scheduledValues(rateNodes, `${path}/FixedLegData/Rates`, 'Rate', 'fixed rates', (v, field) => oreNumber(v, field));
      return { ...base, kind: 'fixed', fixedRate: rateSteps.values[0]!, rateSteps };
    }
    const rateText = constant(
      texts(rates, 'Rate'),
      `${path}/FixedLegData/Rates`,
      'step-up fixed rates',
      'xva steps the fixed rate of single-currency fixed/float swaps and swaptions only (rate_schedules)',
    );
    return { ...base, kind: 'fixed', fixedRate: oreNumber(rateText, `${path}/FixedLegData/Rates/Rate`) };
  }

  const fl = child(leg, 'FloatingLegData');
  const fp = `${path}/FloatingLegData`;
  if (oreBool(text(fl, 'HasSubPeriods'), `${fp}/HasSubPeriods`, false)) throw new Unmappable(`${fp}/HasSubPeriods`, text(fl, 'HasSubPeriods'), 'sub-period (averaged or compounded) term-index coupons are not mapped by xva');
  if (child(fl, 'FixingSchedule') !== undefined) throw new Unmappable(`${fp}/FixingSchedule`, undefined, 'an explicit fixing schedule is not mapped by xva (it fixes each coupon from the index convention)');
  const index = oreIndex(text(fl, 'Index'), currency, `${fp}/Index`);
  if (index.approximation) notes.approximate(`${fp}/Index`, text(fl, 'Index'), index.approximation);
  const spreadText = constant(texts(child(fl, 'Spreads'), 'Spread'), `${fp}/Spreads`, 'varying spreads', 'xva floating legs have one spread');
  const spread = spreadText === undefined ? 0 : oreNumber(spreadText, `${fp}/Spreads/Spread`);
  for (const [list, item] of [['Caps', 'Cap'], ['Floors', 'Floor']] as const) {
    const values = texts(child(fl, list), item);
    if (values.length > 0) throw new Unmappable(`${fp}/${list}`, values.join(','), 'capped or floored floating legs are not supported by xva');
  }
  const gearingText = constant(texts(child(fl, 'Gearings'), 'Gearing'), `${fp}/Gearings`, 'varying gearings', 'xva floating legs have one gearing');
  const gearing = gearingText === undefined ? 1 : oreNumber(gearingText, `${fp}/Gearings/Gearing`, { positive: true });
  const inArrears = oreBool(text(fl, 'IsInArrears'), `${fp}/IsInArrears`, false) && !index.overnight;
  if (inArrears)
    notes.approximate(`${fp}/IsInArrears`, 'true', 'xva fixes term indices in advance (no convexity adjustment for in-arrears fixing)');
  if (oreBool(text(fl, 'IsAveraged'), `${fp}/IsAveraged`, false))
    notes.approximate(`${fp}/IsAveraged`, 'true', 'xva compounds overnight rates; ORE averages them on this leg');
  const overnightTerms = index.overnight && options.overnightTerms ? readOvernightTerms(fl, fp) : undefined;
  if (overnightTerms === undefined) unreadOvernightTerms(fl, fp, index, notes);
  // ORE spreads are decimals (0.001 = 10bp); rounded to 1e-6 bp so that 0.0010 gives 10, not 10.000000000000002
  return {
    ...base,
    kind: 'float',
    index,
    spreadBp: Math.round(spread * 1e10) / 1e6,
    ...(gearing !== 1 ? { gearing } : {}),
    ...(inArrears ? { inArrears: true as const } : {}),
    ...(overnightTerms !== undefined ? { overnightTerms } : {}),
  };
}

/** The LegData children of a trade data node, parsed. */
export function parseLegs(data: XmlNode | undefined, dataName: string, notes: TradeNotes, options?: LegOptions): OreLeg[] {
  return children(data, 'LegData').map((leg, i) => parseLeg(leg, `${dataName}/LegData[${i + 1}]`, notes, options));
}
