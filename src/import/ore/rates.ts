/**
 * ORE `Swap`, `CrossCurrencySwap`, `Swaption` and `CapFloor` → xva IRS, OIS, BASIS, XCCY, SWAPTION and CAPFLOOR rows. A
 * single-currency fixed/float swap is an IRS, or an OIS when its index is overnight; a single-currency float/float swap
 * on two indices is a BASIS; two currencies (a `Swap` or a `CrossCurrencySwap`) make an XCCY with the notional
 * exchanges of LegData/Exchanges; a cap or floor
 * on one floating leg of a term index is a CAPFLOOR. Lists that change by coupon period (notionals, fixed rates, cap
 * and floor rates) become notional_schedules and rate_schedules rows where the xva product takes them. A swap's
 * `PaymentLag` becomes `payment_lag_days` (paymentLagDays); a swaption's, cap's or resetting swap's is reported as ignored.
 * An overnight leg's `Lookback` (with the shift), `FixingDays` (without) and `RateCutoff` become `float_lookback_days`,
 * `float_observation_shift` and `float_lockout_days` (overnightCompounding); a swaption's Lookback and RateCutoff are
 * reported as ignored (parseLeg).
 */
import { ignoredPaymentLag, parseLegs, type OreLeg, type OreOvernightTerms, type ScheduledValues, type TradeNotes } from './legs.js';
import { dropPremium, dropPremiumsIn, optionTerms } from './options.js';
import { isTermIndex } from '../../products/capFloor.js';
import { canonicalCalendarName } from '../../conventions/holidays.js';
import { toIsoDate, type DateSerial } from '../../conventions/dates.js';
import { buildSchedule } from '../../conventions/schedule.js';
import { bermudanExerciseDates } from '../../portfolio/tradeRows.js';
import { overnightRateCount } from '../../products/overnightCoupon.js';
import type { BusinessDayConvention, FixedLeg, ScheduleTerms, Stub } from '../../products/types.js';
import { Unmappable } from './report.js';
import type { TradeRow } from './rows.js';
import { attribute, child, children, text, textOf, texts, type XmlNode } from './xml.js';
import { oreBool, oreCalendar, oreNumber, orePaymentLag } from './conventions.js';

export type TradeFields = Partial<TradeRow>;

/** Conventions of the trade row: xva has one roll convention, stub and end-of-month flag per trade. */
function rowConventions(legs: OreLeg[], notes: TradeNotes): TradeFields {
  const first = legs[0]!;
  for (const leg of legs.slice(1)) {
    if (leg.businessDayConvention !== first.businessDayConvention)
      notes.approximate(
        `${leg.path}/ScheduleData/Rules/Convention`,
        leg.businessDayConvention,
        `xva has one roll convention per trade; ${first.businessDayConvention} (of ${first.path}) is used for both legs`,
      );
    if (leg.stub !== first.stub)
      notes.approximate(`${leg.path}/ScheduleData/Rules/Rule`, oreRule(leg.stub), `xva has one stub per trade; ${first.stub} (the ${oreRule(first.stub)} rule of ${first.path}) is used for both legs`);
    if (leg.endOfMonth !== first.endOfMonth)
      notes.approximate(`${leg.path}/ScheduleData/Rules/EndOfMonth`, String(leg.endOfMonth), `xva has one end-of-month flag per trade; ${first.endOfMonth} is used`);
  }
  // one calendar per trade: the legs' calendars joined (a day is a business day of the trade when it is one for every leg)
  const centres = [...new Set(legs.flatMap((leg) => (leg.calendar === undefined ? [] : leg.calendar.split('+'))))];
  const calendar = centres.length > 0 ? (canonicalCalendarName(centres.join('+')) ?? null) : null;
  if (legs.some((leg) => (leg.calendar ?? null) !== calendar))
    notes.approximate(
      `${first.path}/ScheduleData/Rules/Calendar`,
      legs.map((leg) => leg.calendar ?? 'weekends').join(' / '),
      `xva has one calendar per trade; the legs' calendars are joined: ${calendar ?? 'weekends'}`,
    );
  return { business_day_convention: first.businessDayConvention, calendar, stub: first.stub, end_of_month: first.endOfMonth };
}

function sameDates(a: OreLeg, b: OreLeg): void {
  if (a.startDate !== b.startDate || a.endDate !== b.endDate)
    throw new Unmappable(`${b.path}/ScheduleData/Rules`, undefined, `the legs have different start or end dates; xva swaps have one start and one maturity`);
}

function oppositeSides(a: OreLeg, b: OreLeg): void {
  if (a.payer === b.payer)
    throw new Unmappable(`${b.path}/Payer`, String(b.payer), `both legs are ${a.payer ? 'paid' : 'received'}; a swap pays one leg and receives the other`);
}

/** A geared floating leg where xva has none (geared legs: single-currency fixed/float swaps only). */
function refuseGearing(legs: OreLeg[], what: string): void {
  const geared = legs.find((l) => l.gearing !== undefined);
  if (geared) throw new Unmappable(`${geared.path}/FloatingLegData/Gearings`, String(geared.gearing), `a geared floating leg on ${what} is not supported by xva`);
}

/** Fixed against floating in one currency: the common part of IRS, OIS and SWAPTION rows. */
function fixedFloat(legs: OreLeg[], dataName: string, notes: TradeNotes): { fixed: OreLeg; fields: TradeFields } {
  if (legs.length !== 2) throw new Unmappable(`${dataName}/LegData`, `${legs.length} legs`, 'xva swaps have exactly two legs');
  const fixed = legs.find((l) => l.kind === 'fixed');
  const float = legs.find((l) => l.kind === 'float');
  if (!fixed || !float) {
    const kind = legs[0]!.kind === 'fixed' ? 'two fixed legs' : 'two floating legs';
    // (a Swap's two floating legs map to BASIS before this; a swaption's underlying must be fixed/float)
    throw new Unmappable(`${dataName}/LegData`, kind, 'a single-currency swap needs one fixed and one floating leg');
  }
  oppositeSides(fixed, float);
  sameDates(fixed, float);
  if (fixed.notional !== float.notional)
    throw new Unmappable(`${float.path}/Notionals`, String(float.notional), `the legs' notionals differ (${fixed.notional}); xva swaps have one notional`);
  for (const leg of legs) {
    if (leg.initialExchange || leg.finalExchange)
      throw new Unmappable(`${leg.path}/Notionals/Exchanges`, 'true', 'notional exchanges on a single-currency swap are not supported by xva');
  }
  return {
    fixed,
    fields: {
      currency: fixed.currency,
      notional: fixed.notional,
      start_date: fixed.startDate,
      maturity_date: fixed.endDate,
      fixed_rate: fixed.fixedRate!,
      fixed_frequency: fixed.frequency,
      fixed_day_count: fixed.dayCount,
      float_index: float.index!.name,
      float_frequency: float.frequency,
      float_day_count: float.dayCount,
      float_spread_bp: float.spreadBp!,
      ...rowConventions(legs, notes),
    },
  };
}

/**
 * An amortising ORE XCCY as leg 1's notional_schedules rows: both legs' notionals by ORE's rule, leg 2 in the traded
 * proportion (notional2 / notional) at every accrual start of either leg, and, where notionals are exchanged, the
 * changes exchanged too (`NotionalAmortizingExchange` on both legs: xva exchanges each step's change on its date).
 */
function xccyNotionalSchedule(legs: OreLeg[], fields: TradeFields): { fromDate: DateSerial; notional: number }[] {
  const [leg1, leg2] = legs as [OreLeg, OreLeg];
  if (leg1.notionalSteps === undefined && leg2.notionalSteps === undefined) return [];
  const exchanged = leg1.initialExchange || leg1.finalExchange;
  for (const leg of legs) {
    if (exchanged && !leg.amortizingExchange)
      throw new Unmappable(`${leg.path}/Notionals/Exchanges/NotionalAmortizingExchange`, 'false', 'amortising notionals whose changes are not exchanged: xva exchanges each step\'s change of an XCCY that exchanges notionals');
  }
  const steps = notionalSchedule(legs, fields, [1, leg1.notional / leg2.notional]);
  return steps;
}

/**
 * XCCY: leg 1 is the first LegData; fixed legs use the fixed_* conventions, floating legs the float_* ones, and a
 * floating leg 2 on other conventions than a floating leg 1 its own float_frequency2 / float_day_count2.
 */
function crossCurrency(legs: OreLeg[], notes: TradeNotes): TradeFields {
  const [leg1, leg2] = legs as [OreLeg, OreLeg];
  oppositeSides(leg1, leg2);
  sameDates(leg1, leg2);
  if (leg1.initialExchange !== leg2.initialExchange || leg1.finalExchange !== leg2.finalExchange)
    throw new Unmappable(`${leg2.path}/Notionals/Exchanges`, undefined, 'the legs exchange notionals differently (ORE requires the same flags on both)');
  if (leg1.initialExchange && !leg1.finalExchange)
    throw new Unmappable(`${leg1.path}/Notionals/Exchanges`, 'initial only', 'an initial exchange without a final one is not supported by xva');
  if (leg1.kind === 'fixed' && leg2.kind === 'fixed' && (leg1.frequency !== leg2.frequency || leg1.dayCount !== leg2.dayCount))
    throw new Unmappable(
      `${leg2.path}`,
      `${leg2.frequency} ${leg2.dayCount}`,
      `both legs are fixed but their frequency or day count differs (${leg1.frequency} ${leg1.dayCount}); xva has one set for fixed legs`,
    );
  const fields: TradeFields = {
    product: 'XCCY',
    direction: leg1.payer ? 'pay' : 'receive',
    currency: leg1.currency,
    notional: leg1.notional,
    currency2: leg2.currency,
    notional2: leg2.notional,
    start_date: leg1.startDate,
    maturity_date: leg1.endDate,
    notional_exchange: leg1.finalExchange ? (leg1.initialExchange ? 'both' : 'final') : 'none',
    ...rowConventions(legs, notes),
  };
  for (const [leg, second] of [
    [leg1, false],
    [leg2, true],
  ] as const) {
    if (leg.kind === 'fixed') {
      fields[second ? 'fixed_rate2' : 'fixed_rate'] = leg.fixedRate!;
      fields.fixed_frequency = leg.frequency;
      fields.fixed_day_count = leg.dayCount;
    } else {
      fields[second ? 'float_index2' : 'float_index'] = leg.index!.name;
      fields[second ? 'float_spread_bp2' : 'float_spread_bp'] = leg.spreadBp!;
      if (second && leg1.kind === 'float' && (leg1.frequency !== leg.frequency || leg1.dayCount !== leg.dayCount)) {
        fields.float_frequency2 = leg.frequency;
        fields.float_day_count2 = leg.dayCount;
      } else {
        fields.float_frequency = leg.frequency;
        fields.float_day_count = leg.dayCount;
      }
    }
  }
  return fields;
}

/** The ORE `Rule` an xva stub comes from (oreStub: Forward → short_back, Backward → short_front). */
const oreRule = (stub: string): string => (stub === 'short_back' ? 'Forward' : 'Backward');

/**
 * A BASIS row's schedule conventions: the row has one business_day_convention, calendar, stub and end_of_month for
 * both legs, so legs that differ in one are refused (an IRS approximates them with leg 1's; a basis swap's value is
 * the small difference of two floating legs, which a different roll on one leg would distort).
 */
function sameRolls(a: OreLeg, b: OreLeg): void {
  const rp = `${b.path}/ScheduleData/Rules`;
  const why = (what: string, value: string) => `the legs differ in ${what} (${value} on ${a.path}); a BASIS row has one ${what} for both legs`;
  if (a.businessDayConvention !== b.businessDayConvention)
    throw new Unmappable(`${rp}/Convention`, b.businessDayConvention, why('business_day_convention', a.businessDayConvention));
  if ((a.calendar ?? null) !== (b.calendar ?? null))
    throw new Unmappable(`${rp}/Calendar`, b.calendar ?? 'weekends', why('calendar', a.calendar ?? 'weekends'));
  if (a.stub !== b.stub) throw new Unmappable(`${rp}/Rule`, oreRule(b.stub), why('stub (schedule rule)', oreRule(a.stub)));
  if (a.endOfMonth !== b.endOfMonth) throw new Unmappable(`${rp}/EndOfMonth`, String(b.endOfMonth), why('end_of_month', String(a.endOfMonth)));
}

/**
 * Two floating legs in one currency on different indices: a BASIS row. Leg 1 is the first LegData (its index,
 * frequency, day count and spread in the float_* columns, leg 2's in the float_*2 ones), `pay` when leg 1 is paid, as
 * for an XCCY. The row holds one constant notional, one start and end date and one set of schedule conventions, and
 * no notional exchange, gearing, in-arrears term fixing or cap/floor (the last refused by parseLeg).
 */
function basisSwap(legs: OreLeg[], notes: TradeNotes): TradeFields {
  const [leg1, leg2] = legs as [OreLeg, OreLeg];
  oppositeSides(leg1, leg2);
  if (leg1.index!.name === leg2.index!.name)
    throw new Unmappable(
      `${leg2.path}/FloatingLegData/Index`,
      leg2.index!.name,
      `both legs are on ${leg1.index!.name}; a basis swap pays one index against another (xva BASIS needs two different indices)`,
    );
  for (const leg of legs) {
    if (leg.initialExchange || leg.finalExchange)
      throw new Unmappable(`${leg.path}/Notionals/Exchanges`, 'true', 'notional exchanges on a single-currency swap are not supported by xva');
  }
  for (const leg of legs) {
    const values = leg.notionalSteps?.values;
    if (values !== undefined && new Set(values).size > 1)
      throw new Unmappable(`${leg.path}/Notionals`, values.join(','), 'amortising or accreting notionals on a basis swap are not supported by xva (BASIS has one constant notional)');
  }
  if (leg1.notional !== leg2.notional)
    throw new Unmappable(`${leg2.path}/Notionals`, String(leg2.notional), `the legs' notionals differ (${leg1.notional}); xva basis swaps have one notional`);
  sameDates(leg1, leg2);
  sameRolls(leg1, leg2);
  refuseGearing(legs, 'a basis swap');
  const arrears = legs.find((l) => l.inArrears);
  if (arrears)
    throw new Unmappable(
      `${arrears.path}/FloatingLegData/IsInArrears`,
      'true',
      `in-arrears fixing of a term index (${arrears.index!.name}) on a basis swap is not supported by xva: its term coupons fix at the period's start`,
    );
  return {
    product: 'BASIS',
    direction: leg1.payer ? 'pay' : 'receive',
    currency: leg1.currency,
    notional: leg1.notional,
    start_date: leg1.startDate,
    maturity_date: leg1.endDate,
    float_index: leg1.index!.name,
    float_frequency: leg1.frequency,
    float_day_count: leg1.dayCount,
    float_spread_bp: leg1.spreadBp!,
    float_index2: leg2.index!.name,
    float_frequency2: leg2.frequency,
    float_day_count2: leg2.dayCount,
    float_spread_bp2: leg2.spreadBp!,
    ...rowConventions(legs, notes),
  };
}

/**
 * A rebalancing (mark-to-market) cross-currency swap: the leg with `Notionals/FXReset` as the XCCY row's `fx_reset`
 * (`leg1` or `leg2`, in ORE's LegData order as the row's legs). xva resets a floating bullet leg of a swap that
 * exchanges notionals at the start and at maturity to the other leg's notional at the FX rate of each later accrual
 * start (docs/inputs.md), so the reset must convert exactly the other leg: ForeignCurrency its currency, ForeignAmount
 * its notional. ORE fixes the FX rate on the FX index's fixing date, its spot days (from ORE's FX conventions, 2
 * business days when none is set; an `FXReset/FixingDays` is ignored) before the accrual start: reported as
 * approximated. Undefined when no leg resets.
 */
function fxResetLeg(legs: OreLeg[], notes: TradeNotes): 'leg1' | 'leg2' | undefined {
  const i = legs.findIndex((l) => l.fxReset !== undefined);
  if (i < 0) return undefined;
  const leg = legs[i]!;
  const other = legs[1 - i]!;
  const reset = leg.fxReset!;
  const rp = `${leg.path}/Notionals/FXReset`;
  if (other.fxReset !== undefined)
    throw new Unmappable(`${other.path}/Notionals/FXReset`, undefined, 'both legs reset their notionals; xva resets one leg of a cross-currency swap against the other');
  if (leg.kind !== 'float')
    throw new Unmappable(`${leg.path}/LegType`, 'Fixed', 'a resetting fixed leg is not supported by xva (it resets floating legs only)');
  if (reset.foreignCurrency !== other.currency)
    throw new Unmappable(
      `${rp}/ForeignCurrency`,
      reset.foreignCurrency,
      `the leg resets to an amount in ${reset.foreignCurrency}, not in the other leg's currency ${other.currency}; xva resets a leg to the other leg's notional`,
    );
  for (const l of [leg, other]) {
    const values = l.notionalSteps?.values;
    if (values !== undefined && new Set(values).size > 1)
      throw new Unmappable(
        `${l.path}/Notionals`,
        values.join(','),
        'amortising or accreting notionals on a resetting cross-currency swap are not supported by xva (a resetting swap is bullet)',
      );
  }
  if (reset.foreignAmount !== other.notional)
    throw new Unmappable(
      `${rp}/ForeignAmount`,
      String(reset.foreignAmount),
      `the leg resets to ${reset.foreignAmount} ${reset.foreignCurrency}, not the other leg's notional ${other.notional}; xva resets a leg to the other leg's notional`,
    );
  for (const l of [leg, other]) {
    if (!l.initialExchange || !l.finalExchange)
      throw new Unmappable(
        `${l.path}/Notionals/Exchanges`,
        `initial ${l.initialExchange}, final ${l.finalExchange}`,
        'a resetting cross-currency swap exchanges notionals at the start and at maturity: NotionalInitialExchange and NotionalFinalExchange must be true on both legs',
      );
  }
  const pair = `FX-${other.currency}-${leg.currency}`;
  notes.approximate(
    reset.fixingDays !== undefined ? `${rp}/FixingDays` : `${rp}/FXIndex`,
    reset.fixingDays ?? reset.fxIndex,
    `xva fixes each reset at the FX rate of the period's accrual start itself (market fixings ${pair} or its inverse); ORE fixes it on ${reset.fxIndex}'s fixing date, ` +
      `its spot days before the accrual start (from ORE's FX conventions, 2 business days when none is set${reset.fixingDays !== undefined ? '; FXReset/FixingDays is ignored by ORE' : ''})`,
  );
  return i === 0 ? 'leg1' : 'leg2';
}

/**
 * The calendar ORE counts a leg's payment lags on, as an xva calendar (undefined: weekends only), with the field it
 * comes from: `PaymentCalendar` when given (one naming a calendar xva has no rules for stays as written, so that it
 * differs from the row's), else an overnight leg's index fixing calendar (ORE's makeOISLeg), else the schedule's (its
 * fixed and Ibor legs; ORE's User Guide, LegData PaymentCalendar).
 */
function lagCalendar(leg: OreLeg): { calendar: string | undefined; field: string; value: string } {
  if (leg.paymentCalendar !== undefined) {
    const mapped = oreCalendar(leg.paymentCalendar);
    const calendar = mapped.unknown.length > 0 ? leg.paymentCalendar : mapped.calendar;
    return { calendar, field: `${leg.path}/PaymentCalendar`, value: leg.paymentCalendar };
  }
  if (leg.index?.overnight)
    return { calendar: leg.index.fixingCalendar, field: `${leg.path}/FloatingLegData/Index`, value: `${leg.index.name} (fixing calendar ${leg.index.fixingCalendar ?? 'weekends'})` };
  return { calendar: leg.calendar, field: `${leg.path}/ScheduleData/Rules/Calendar`, value: leg.calendar ?? 'weekends' };
}

const businessDays = (n: number): string => `${n} business day${n === 1 ? '' : 's'}`;

/**
 * An IRS, OIS, BASIS or XCCY row's `payment_lag_days` from its legs' ORE `PaymentLag` (orePaymentLag: business days of
 * the leg's payment calendar after each accrual end; absent: 0). xva has one lag per row, for both legs, so legs with
 * different lags are left out, as is a lag xva cannot hold (weeks, months, years, more than 30 days, unreadable).
 * With a lag, a leg whose payment calendar (lagCalendar) is not the row's `calendar`, on which xva counts it, is
 * reported as approximated. Returns 0 for no lag.
 */
function paymentLagDays(legs: OreLeg[], fields: TradeFields, notes: TradeNotes): number {
  const days = legs.map((leg) => {
    if (leg.paymentLag === undefined) return 0;
    const lag = orePaymentLag(leg.paymentLag);
    if ('problem' in lag) throw new Unmappable(`${leg.path}/PaymentLag`, leg.paymentLag, lag.problem);
    return lag.days;
  });
  const first = days[0]!;
  const other = days.findIndex((d) => d !== first);
  if (other > 0) {
    const leg = legs[other]!;
    throw new Unmappable(
      `${leg.path}/PaymentLag`,
      leg.paymentLag,
      `the legs' payment lags differ (${legs.map((l, i) => `${l.path}: ${businessDays(days[i]!)}`).join(', ')}; a missing PaymentLag is 0); ` +
        'xva has one payment_lag_days per trade, for both legs',
    );
  }
  if (first === 0) return 0;
  const row = (fields.calendar as string | null | undefined) ?? undefined;
  for (const leg of legs) {
    const ore = lagCalendar(leg);
    if ((ore.calendar ?? undefined) === row) continue;
    notes.approximate(
      ore.field,
      ore.value,
      `xva counts the payment lag (${businessDays(first)}) on the trade's calendar, ${row ?? 'weekends'}; ORE counts ${leg.path}'s on its payment calendar, ${ore.calendar ?? 'weekends'}`,
    );
  }
  return first;
}

/** No lookback and no rate cutoff: ORE's defaults (`Lookback` 0D, `FixingDays` 0 on an overnight index, `RateCutoff` absent). */
const PLAIN: OreOvernightTerms = { lookbackDays: 0, observationShift: false, lockoutDays: 0 };

/** A leg's Lookback, FixingDays and RateCutoff as read (overnight legs of Swaps and CrossCurrencySwaps), else none. */
const termsOf = (leg: OreLeg): OreOvernightTerms => leg.overnightTerms ?? PLAIN;
const compounds = (leg: OreLeg): boolean => termsOf(leg).lookbackDays > 0 || termsOf(leg).lockoutDays > 0;
/** A lookback without observation shift, from the leg's `FixingDays` (readOvernightTerms). */
const lagsFixings = (leg: OreLeg): boolean => termsOf(leg).lookbackDays > 0 && !termsOf(leg).observationShift;

/**
 * The field that gives a leg its lookback, for messages: `FixingDays` for a lookback without shift, else `Lookback`
 * (also for a leg without one, or `FixingDays` when `like` takes its lookback from it: the field it would need).
 */
function lookbackField(leg: OreLeg, like: OreLeg = leg): { field: string; value: string | undefined } {
  return lagsFixings(leg) || (termsOf(leg).lookbackDays === 0 && lagsFixings(like))
    ? { field: `${leg.path}/FloatingLegData/FixingDays`, value: termsOf(leg).fixingDays }
    : { field: `${leg.path}/FloatingLegData/Lookback`, value: termsOf(leg).lookback };
}

/** The field that gives a leg its terms, for messages: its lookback's when it looks back, else `RateCutoff`. */
function termsField(leg: OreLeg): { field: string; value: string | undefined } {
  return termsOf(leg).lookbackDays > 0 ? lookbackField(leg) : { field: `${leg.path}/FloatingLegData/RateCutoff`, value: termsOf(leg).rateCutoff };
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A leg's lookback for messages: `SwapData/LegData[2]: 2 business days`, naming FixingDays for one without shift. */
function describeLookback(leg: OreLeg): string {
  const days = plural(termsOf(leg).lookbackDays, 'business day');
  return lagsFixings(leg) ? `${leg.path}: ${days} (FixingDays: each rate fixed before its day, no observation shift)` : `${leg.path}: ${days}`;
}

/**
 * The overnight legs' lookbacks must be one: the same days and the same kind, ORE's `Lookback` (the observation
 * period shifts) or `FixingDays` (each rate fixed before its day, the weights on the accrual days). Refused otherwise,
 * naming `leg`'s field.
 */
function sameLookback(first: OreLeg, leg: OreLeg): void {
  const a = termsOf(first);
  const b = termsOf(leg);
  const { field, value } = lookbackField(leg, first);
  if (a.lookbackDays !== b.lookbackDays) {
    const missing = lagsFixings(first) || lagsFixings(leg) ? 'a missing Lookback or FixingDays is 0' : 'a missing Lookback is 0';
    throw new Unmappable(
      field,
      value,
      `the overnight legs' lookbacks differ (${describeLookback(first)}, ${describeLookback(leg)}; ${missing}); xva has one float_lookback_days per trade, for all its overnight legs`,
    );
  }
  if (a.observationShift === b.observationShift) return;
  const kind = (l: OreLeg) =>
    lagsFixings(l) ? `${l.path}: FixingDays, each rate fixed before its accrual day` : `${l.path}: Lookback, the observation period shifted`;
  throw new Unmappable(
    field,
    value,
    `the overnight legs look back ${plural(a.lookbackDays, 'business day')} in different ways (${kind(first)}; ${kind(leg)}); ` +
      'xva has one float_observation_shift per trade, for all its overnight legs',
  );
}

/**
 * xva has one float_lookback_days, float_observation_shift and float_lockout_days per row, applied to every overnight
 * leg of it (docs/inputs.md), so overnight legs with different lookbacks (sameLookback: `Lookback` or `FixingDays`) or
 * `RateCutoff` (a missing one is 0) are refused, naming the first later leg that differs from the first.
 */
function sameOvernightTerms(overnight: OreLeg[]): void {
  const first = overnight[0]!;
  for (const leg of overnight.slice(1)) {
    sameLookback(first, leg);
    if (termsOf(leg).lockoutDays === termsOf(first).lockoutDays) continue;
    const count = (l: OreLeg) => `${l.path}: ${plural(termsOf(l).lockoutDays, 'daily rate')}`;
    throw new Unmappable(
      `${leg.path}/FloatingLegData/RateCutoff`,
      termsOf(leg).rateCutoff,
      `the overnight legs' rate cutoffs differ (${count(first)}, ${count(leg)}; a missing RateCutoff is 0); xva has one float_lockout_days per trade, for all its overnight legs`,
    );
  }
}

/**
 * A resetting cross-currency leg (fx_reset) compounds its overnight rates in arrears: the trades reader refuses
 * lookback and lockout columns on a row whose resetting leg is overnight, since they would apply to it too. So a
 * Lookback, FixingDays or RateCutoff on that leg, or on the other leg when the resetting one is overnight, is refused.
 */
function refuseOnResettingLeg(overnight: OreLeg[], resetting: OreLeg): void {
  if (!overnight.includes(resetting)) return;
  if (compounds(resetting)) {
    const { field, value } = termsField(resetting);
    throw new Unmappable(field, value, "a lookback or rate cutoff on the resetting leg (fx_reset) is not supported by xva: it compounds a resetting leg's overnight rates in arrears");
  }
  const other = overnight.find(compounds)!;
  const { field, value } = termsField(other);
  throw new Unmappable(
    field,
    value,
    `xva applies float_lookback_days and float_lockout_days to every overnight leg of the row, and the resetting leg (${resetting.path}, on ${resetting.index!.name}) compounds in arrears without them`,
  );
}

/**
 * A lockout must be shorter than every period's daily rates (ORE's OvernightIndexedCoupon requires `rateCutoff < n`,
 * the trades reader likewise, counted on the row's calendar): refused otherwise, naming the period of the schedule
 * xva builds for the leg.
 */
function checkLockout(leg: OreLeg, lockoutDays: number, fields: TradeFields): void {
  const terms = scheduleTerms(leg, fields);
  const schedule = buildSchedule(terms);
  for (let i = 0; i < schedule.count; i++) {
    const rates = overnightRateCount(terms, schedule.accrualStart[i]!, schedule.accrualEnd[i]!);
    if (lockoutDays < rates) continue;
    throw new Unmappable(
      `${leg.path}/FloatingLegData/RateCutoff`,
      termsOf(leg).rateCutoff,
      `a rate cutoff needs fewer days than every period has daily rates: the period ${toIsoDate(schedule.accrualStart[i]!)} to ` +
        `${toIsoDate(schedule.accrualEnd[i]!)} compounds ${rates} (ORE refuses it too)`,
    );
  }
}

/**
 * ORE counts an overnight leg's lookback on its index's fixing calendar (QuantExt's OvernightIndexedCoupon: the
 * observation period moved back by `Lookback`, each fixing date `FixingDays` before its value date), xva on the row's
 * `calendar`: a leg whose fixing calendar is another is reported as approximated, on the field that gives the lookback.
 */
function lookbackCalendar(leg: OreLeg, lookbackDays: number, fields: TradeFields, notes: TradeNotes): void {
  const row = (fields.calendar as string | null | undefined) ?? undefined;
  const fixing = leg.index!.fixingCalendar;
  if (fixing === row) return;
  const { field, value } = lookbackField(leg);
  const days = businessDays(lookbackDays);
  const xva = `the trade's calendar, ${row ?? 'weekends'}`;
  const ore = `${leg.index!.name}'s fixing calendar, ${fixing ?? 'weekends'}`;
  notes.approximate(
    field,
    value,
    lagsFixings(leg)
      ? `xva fixes each day's rate ${days} before it on ${xva}; ORE counts FixingDays on ${ore}`
      : `xva moves the observation period back ${days} of ${xva}; ORE moves it on ${ore}`,
  );
}

/**
 * An IRS, OIS, BASIS or XCCY row's `float_lookback_days`, `float_observation_shift` and `float_lockout_days` from its
 * overnight legs' ORE `Lookback` (in business days, with the observation period shift ORE applies), `FixingDays` (in
 * business days, without: ORE fixes each rate that long before its accrual day) and `RateCutoff` (docs/inputs.md
 * "Overnight lookback, observation shift and lockout"), written as portfolio/writeRows.ts writes them: the shift (true
 * or false) with a lookback, each count only when above 0. The overnight legs must agree (sameOvernightTerms), a
 * resetting leg takes none (refuseOnResettingLeg) and a lockout must fit every period (checkLockout). Empty when no
 * overnight leg looks back or locks out.
 */
function overnightCompounding(legs: OreLeg[], fields: TradeFields, notes: TradeNotes, resetting?: OreLeg): TradeFields {
  const overnight = legs.filter((l) => l.index?.overnight === true);
  if (!overnight.some(compounds)) return {};
  if (resetting !== undefined) refuseOnResettingLeg(overnight, resetting);
  sameOvernightTerms(overnight);
  const { lookbackDays, observationShift, lockoutDays } = termsOf(overnight[0]!);
  for (const leg of overnight) {
    if (lockoutDays > 0) checkLockout(leg, lockoutDays, fields);
    if (lookbackDays > 0) lookbackCalendar(leg, lookbackDays, fields, notes);
  }
  return {
    ...(lookbackDays > 0 ? { float_lookback_days: lookbackDays, float_observation_shift: observationShift } : {}),
    ...(lockoutDays > 0 ? { float_lockout_days: lockoutDays } : {}),
  };
}

/**
 * ORE pays a leg's notional exchanges `NotionalPaymentLag` business days after their dates (0 when absent; ORE's
 * makeNotionalLeg and, for a resetting leg, buildNotionalLeg), not `PaymentLag` ones; xva pays every exchange of an
 * XCCY on its date (the start, an amortising step, the maturity), whatever the coupons' lag. A leg whose exchanges ORE
 * pays on other dates (a NotionalPaymentLag other than 0) is reported as approximated.
 */
function notionalPaymentLag(legs: OreLeg[], lag: number, resetting: boolean, notes: TradeNotes): void {
  for (const leg of legs) {
    if (!leg.initialExchange && !leg.finalExchange && !leg.amortizingExchange) continue;
    const parsed = leg.notionalPaymentLag === undefined ? { days: 0 } : orePaymentLag(leg.notionalPaymentLag);
    const ore = 'days' in parsed ? parsed.days : undefined;
    const amortising = leg.amortizingExchange && leg.notionalSteps !== undefined && new Set(leg.notionalSteps.values).size > 1;
    const xva: string[] = [];
    if (resetting) {
      if (ore !== 0) xva.push('every exchange of a resetting swap on its accrual date');
    } else {
      if (leg.initialExchange && ore !== 0) xva.push('the initial exchange on the start date');
      if (amortising && ore !== 0) xva.push('each amortising exchange on its date');
      if (leg.finalExchange && ore !== 0) xva.push('the final exchange on the maturity');
    }
    if (xva.length === 0) continue;
    const given = leg.notionalPaymentLag !== undefined;
    notes.approximate(
      given ? `${leg.path}/NotionalPaymentLag` : `${leg.path}/PaymentLag`,
      given ? leg.notionalPaymentLag : leg.paymentLag,
      `xva pays ${xva.join(' and ')}; ORE pays the leg's notional exchanges ` +
        (ore === undefined
          ? `NotionalPaymentLag ${leg.notionalPaymentLag} after their dates`
          : `${ore === 0 ? 'on their dates' : `${businessDays(ore)} after their dates`} (NotionalPaymentLag ${given ? leg.notionalPaymentLag : 'absent: 0'}; its PaymentLag moves the coupons only)`),
    );
  }
}

/**
 * ORE's swap trade types: `Swap` (its `SwapData`) and `CrossCurrencySwap` (its `CrossCurrencySwapData`, or a
 * `SwapData`, which ORE's Swap::fromXML also reads for it). ORE's CrossCurrencySwap is a Swap with the same LegData
 * children; it only checks on building that the legs are in two currencies (checkCrossCurrencySwap).
 */
export type OreSwapType = 'Swap' | 'CrossCurrencySwap';

/**
 * An ORE swap: `dataName` is the data element read (findings name their fields under it). A `CrossCurrencySwap` maps
 * exactly as a `Swap` in two currencies (XCCY, with `fx_reset` for a resetting leg); one in a single currency is
 * refused, as ORE refuses it.
 */
export function mapSwap(data: XmlNode | undefined, notes: TradeNotes, dataName = 'SwapData', tradeType: OreSwapType = 'Swap'): TradeFields {
  const legs = parseLegs(data, dataName, notes, { notionalSteps: true, rateSteps: true, fxReset: true, paymentLag: true, overnightTerms: true });
  if (legs.length !== 2) throw new Unmappable(`${dataName}/LegData`, `${legs.length} legs`, 'xva swaps have exactly two legs');
  if (tradeType === 'CrossCurrencySwap' && legs[0]!.currency === legs[1]!.currency)
    throw new Unmappable(
      `${legs[1]!.path}/Currency`,
      legs[1]!.currency,
      `both legs are in ${legs[0]!.currency}; a CrossCurrencySwap has legs in two currencies (ORE refuses one currency unless a leg is ` +
        'non-deliverable, with Indexings or an index in another currency, which xva does not map): give a single-currency swap as TradeType Swap',
    );
  if (legs[0]!.currency !== legs[1]!.currency) {
    refuseGearing(legs, 'a cross-currency swap');
    const fields = crossCurrency(legs, notes);
    const fxReset = fxResetLeg(legs, notes);
    if (fxReset !== undefined) fields.fx_reset = fxReset;
    // a resetting swap pays on its accrual dates (xva refuses payment_lag_days with fx_reset): its lags are ignored
    if (fxReset !== undefined)
      for (const leg of legs) ignoredPaymentLag(leg, notes, "a resetting cross-currency swap's coupons", 'xva has no payment lag on a swap with fx_reset');
    const lag = fxReset !== undefined ? 0 : paymentLagDays(legs, fields, notes);
    if (lag > 0) fields.payment_lag_days = lag;
    Object.assign(fields, overnightCompounding(legs, fields, notes, fxReset === undefined ? undefined : legs[fxReset === 'leg1' ? 0 : 1]));
    // an XCCY takes no rate steps (rate_schedules: IRS, OIS, physical SWAPTION, CAPFLOOR): a fixed rate that steps is refused
    legs.forEach((leg, i) => {
      if (leg.rateSteps === undefined) return;
      const rate = fixedRateSchedule(leg, fields);
      if (rate.steps.length > 0)
        throw new Unmappable(
          `${leg.path}/FixedLegData/Rates`,
          leg.rateSteps.values.join(','),
          'step-up fixed rates on a cross-currency swap are not supported by xva (rate_schedules step the fixed rate of IRS, OIS and physically settled SWAPTION only)',
        );
      fields[i === 0 ? 'fixed_rate' : 'fixed_rate2'] = rate.first;
    });
    const steps = xccyNotionalSchedule(legs, fields);
    if (steps.length > 0) notes.notionalSchedule(steps);
    notionalPaymentLag(legs, lag, fxReset !== undefined, notes);
    return { ...fields, ...(steps.length > 0 ? { amortization: 'schedule' } : {}) };
  }
  const resetting = legs.find((l) => l.fxReset !== undefined);
  if (resetting)
    throw new Unmappable(`${resetting.path}/Notionals/FXReset`, undefined, 'an FX reset on a single-currency swap is not supported by xva (resetting notionals: cross-currency swaps only)');
  if (legs.every((l) => l.kind === 'float')) {
    const fields = basisSwap(legs, notes);
    const lag = paymentLagDays(legs, fields, notes);
    return { ...fields, ...(lag > 0 ? { payment_lag_days: lag } : {}), ...overnightCompounding(legs, fields, notes) };
  }
  const { fixed, fields } = fixedFloat(legs, dataName, notes);
  const lag = paymentLagDays(legs, fields, notes);
  if (lag > 0) fields.payment_lag_days = lag;
  // an OIS's overnight leg compounds in arrears, with its Lookback and RateCutoff (an IRS's term leg has none)
  Object.assign(fields, overnightCompounding(legs, fields, notes));
  // an OIS is a fixed/float swap on an overnight index (compounded in arrears)
  const floating = legs.find((l) => l.kind === 'float')!;
  const overnight = floating.index!.overnight;
  if (floating.gearing !== undefined) fields.float_gearing = floating.gearing;
  const steps = notionalSchedule(legs, fields);
  if (steps.length > 0) notes.notionalSchedule(steps);
  // a step-up (or step-down) fixed rate: fixed_rate from the start, rate_schedules rows for its steps
  const rate = fixedRateSchedule(fixed, fields);
  fields.fixed_rate = rate.first;
  if (rate.steps.length > 0) notes.rateSchedule(rate.steps);
  return { ...fields, ...(steps.length > 0 ? { amortization: 'schedule' } : {}), product: overnight ? 'OIS' : 'IRS', direction: fixed.payer ? 'pay' : 'receive' };
}

/** ORE `CrossCurrencySwap`: `mapSwap` on its `CrossCurrencySwapData` (or the `SwapData` ORE also reads for it). */
export function mapCrossCurrencySwap(data: XmlNode | undefined, notes: TradeNotes, dataName = 'CrossCurrencySwapData'): TradeFields {
  return mapSwap(data, notes, dataName, 'CrossCurrencySwap');
}

/** The schedule terms xva gives a leg from the row's conventions (roll, calendar, stub, end of month), as the trades reader does. */
function scheduleTerms(leg: OreLeg, fields: TradeFields): ScheduleTerms {
  return {
    startDate: leg.startDate,
    maturityDate: leg.endDate,
    frequency: leg.frequency,
    dayCount: leg.dayCount,
    businessDayConvention: fields.business_day_convention as BusinessDayConvention,
    ...(fields.calendar ? { calendar: fields.calendar as string } : {}),
    stub: fields.stub as Stub,
    endOfMonth: fields.end_of_month as boolean,
  };
}

/** The accrual starts of the schedule xva builds for a leg from the row's conventions. */
function accrualStarts(leg: OreLeg, fields: TradeFields): DateSerial[] {
  return Array.from(buildSchedule(scheduleTerms(leg, fields)).accrualStart);
}

/**
 * The value of each coupon period (accruing from `starts[i]`) of an ORE list, by ORE's rule (buildScheduledVector): a
 * dated list gives a period the last value whose startDate is on or before its accrual start (the first value has
 * none: from the start); an undated list one value per period in schedule order, the last repeated.
 */
function valuesPerPeriod(list: ScheduledValues, starts: readonly DateSerial[]): number[] {
  const { values, startDates } = list;
  const dated = startDates.some((d) => d !== undefined);
  return starts.map((start, i) => {
    if (!dated) return values[Math.min(i, values.length - 1)]!;
    let k = 0;
    while (k + 1 < values.length && startDates[k + 1]! <= start) k++;
    return values[k]!;
  });
}

/**
 * The notional steps of an amortising or accreting ORE swap, as xva's notional_schedules rows: each leg's notional
 * per coupon period by ORE's rule (valuesPerPeriod), on the schedule xva builds for the leg from the row's
 * conventions; the steps are the accrual starts where the notional changes. Both legs must give the same notional at
 * every accrual start of either (xva swaps have one notional schedule). Empty for a constant notional. A cap's single
 * leg gives its own steps.
 */
function notionalSchedule(legs: OreLeg[], fields: TradeFields, ratios: readonly number[] = [1, 1]): { fromDate: DateSerial; notional: number }[] {
  if (legs.every((l) => l.notionalSteps === undefined)) return [];
  const perLeg = legs.map((leg) => {
    const starts = accrualStarts(leg, fields);
    const notionals = leg.notionalSteps === undefined ? starts.map(() => leg.notional) : valuesPerPeriod(leg.notionalSteps, starts);
    return { leg, starts, notionals };
  });
  const valueOn = (p: (typeof perLeg)[number], date: DateSerial): number => {
    let i = 0;
    while (i + 1 < p.starts.length && p.starts[i + 1]! <= date) i++;
    return p.notionals[i]!;
  };
  const dates = [...new Set(perLeg.flatMap((p) => p.starts))].sort((a, b) => a - b);
  const out: { fromDate: DateSerial; notional: number }[] = [];
  let previous = valueOn(perLeg[0]!, dates[0]!);
  for (const date of dates) {
    // each leg's notional in leg 1's units (an XCCY's leg 2 divided by its ratio to leg 1)
    const values = perLeg.map((p, i) => valueOn(p, date) * ratios[i]!);
    if (values.length > 1 && Math.abs(values[1]! - values[0]!) > 1e-9 * Math.max(Math.abs(values[0]!), 1)) {
      const other = perLeg[1]!.leg;
      throw new Unmappable(
        `${other.path}/Notionals`,
        (other.notionalSteps?.values ?? [other.notional]).join(','),
        ratios[1] === 1
          ? `the legs' notionals differ on ${toIsoDate(date)} (${values[0]} and ${values[1]}); xva swaps have one notional schedule`
          : `the legs' notionals are not in the traded proportion on ${toIsoDate(date)}; xva amortises an XCCY's leg 2 in proportion to leg 1`,
      );
    }
    if (values[0] !== previous) out.push({ fromDate: date, notional: values[0]! });
    previous = values[0]!;
  }
  return out;
}

/**
 * A stepped ORE rate (a fixed leg's `Rates/Rate` list, a cap's or floor's rates) on `leg`: the rate of each coupon
 * period by ORE's rule (valuesPerPeriod) on the schedule xva builds for the leg from the row's conventions; `first` is
 * the first period's (the trade's fixed_rate or strike: the first value, unless a startDate is on or before the start)
 * and `steps` the rate_schedules rows, one at each accrual start where the rate changes. xva applies a row's rate
 * from the period accruing on its date (products/rateSteps.ts); an accrual start is a rolled date, so rolling it
 * again keeps it.
 */
function rateSchedule(leg: OreLeg, list: ScheduledValues, fields: TradeFields): { first: number; steps: { fromDate: DateSerial; rate: number }[] } {
  const starts = accrualStarts(leg, fields);
  const rates = valuesPerPeriod(list, starts);
  const steps: { fromDate: DateSerial; rate: number }[] = [];
  for (let i = 1; i < starts.length; i++) if (rates[i] !== rates[i - 1]) steps.push({ fromDate: starts[i]!, rate: rates[i]! });
  return { first: rates[0]!, steps };
}

/** A fixed leg's rate from the start and its steps (none for one `Rate`). */
function fixedRateSchedule(fixed: OreLeg, fields: TradeFields): { first: number; steps: { fromDate: DateSerial; rate: number }[] } {
  return fixed.rateSteps === undefined ? { first: fixed.fixedRate!, steps: [] } : rateSchedule(fixed, fixed.rateSteps, fields);
}

/**
 * A Bermudan swaption's exercise dates must be those xva derives from its row (docs/inputs.md "Bermudan swaptions":
 * `expiry_date`, then each later accrual start of the fixed leg less the same notice, start_date − expiry_date
 * calendar days, rolled to the preceding business day of the leg's calendar; portfolio/tradeRows.ts
 * bermudanExerciseDates), computed on the fixed leg the trades reader will build from the mapped row and compared as
 * date serials: the row holds no dates of its own, so any other list (another notice on some date, a date missing or
 * extra, dates off the fixed leg's rhythm) is refused rather than priced on other dates than ORE's.
 */
function checkBermudanDates(exercise: { texts: string[]; dates: DateSerial[] }, fixed: OreLeg, fields: TradeFields): void {
  const leg: FixedLeg = { kind: 'fixed', currency: fixed.currency, notional: fixed.notional, fixedRate: fixed.fixedRate!, ...scheduleTerms(fixed, fields) };
  const derived = bermudanExerciseDates(leg, exercise.dates[0]!);
  if (derived.length === exercise.dates.length && derived.every((d, i) => d === exercise.dates[i])) return;
  const given = new Set(exercise.dates);
  const xva = new Set(derived);
  const missing = derived.filter((d) => !given.has(d)).map(toIsoDate);
  const extra = exercise.dates.filter((d) => !xva.has(d)).map(toIsoDate);
  const differences = [
    ...(extra.length > 0 ? [`not among them: ${extra.join(', ')}`] : []),
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    // (the same dates in another order, or one repeated)
    ...(extra.length === 0 && missing.length === 0 ? ['the dates are not in increasing order, each once'] : []),
  ];
  throw new Unmappable(
    'SwaptionData/OptionData/ExerciseDates',
    exercise.texts.join(','),
    `xva holds exercise dates on every fixed-leg accrual start after the first, with the first exercise's notice ` +
      `(${fixed.startDate - exercise.dates[0]!} calendar days before the accrual start, rolled to the preceding business day): ` +
      `${derived.map(toIsoDate).join(', ')}; ${differences.join('; ')}`,
  );
}

/**
 * European or Bermudan swaption; payer/receiver from the fixed leg's Payer flag (ORE's OptionType is not used for
 * swaptions). A Bermudan (`Style` Bermudan) is physically settled, its first exercise date is `expiry_date` and the
 * others must be those xva derives (checkBermudanDates); it maps to `exercise` = bermudan. American exercise is left
 * out (optionTerms).
 */
export function mapSwaption(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const option = optionTerms(data, 'SwaptionData', notes, true);
  // a Bermudan is exercised into the swap itself (docs/inputs.md: physical settlement only)
  if (option.bermudan !== undefined && option.settlement === 'cash')
    throw new Unmappable(
      'SwaptionData/OptionData/Settlement',
      text(child(data, 'OptionData'), 'Settlement'),
      'a cash-settled Bermudan swaption is not supported by xva (Bermudan swaptions are physically settled)',
    );
  dropPremium(data, 'SwaptionData', notes);
  const legs = parseLegs(data, 'SwaptionData', notes, { notionalSteps: true, rateSteps: true, paidOnAccrualEnd: "a swaption's underlying coupons" });
  refuseGearing(legs, 'a swaption');
  const { fixed, fields } = fixedFloat(legs, 'SwaptionData', notes);
  // the underlying starts on or after the (first) exercise date: its start_date is then the first fixed accrual
  // start on or after it, the swap the holder enters on that date
  if (option.expiryDate > fixed.startDate)
    throw new Unmappable(
      'SwaptionData/OptionData/ExerciseDates',
      option.bermudan?.texts.join(','),
      option.bermudan !== undefined
        ? `the first exercise date is after the underlying swap starts (${toIsoDate(fixed.startDate)}); xva's underlying starts on or after the first exercise date`
        : 'the exercise date is after the underlying swap starts',
    );
  if (option.bermudan !== undefined) checkBermudanDates(option.bermudan, fixed, fields);
  // an amortising underlying, as a swap's (physical settlement only: the cash annuity is a bullet swap's)
  const steps = notionalSchedule(legs, fields);
  if (steps.length > 0 && (option.settlement ?? 'physical') === 'cash') {
    const stepped = legs.find((l) => l.notionalSteps !== undefined)!;
    throw new Unmappable(`${stepped.path}/Notionals`, stepped.notionalSteps!.values.join(','), 'a cash-settled swaption on an amortising swap is not supported by xva');
  }
  // a step-up underlying likewise (physical only: the cash annuity at the par yield is a flat-rate swap's)
  const rate = fixedRateSchedule(fixed, fields);
  if (rate.steps.length > 0 && (option.settlement ?? 'physical') === 'cash')
    throw new Unmappable(
      `${fixed.path}/FixedLegData/Rates`,
      fixed.rateSteps!.values.join(','),
      'a cash-settled swaption on a step-up swap is not supported by xva (its par-yield cash annuity is a flat-rate swap\'s): rate_schedules step the fixed rate of physically settled swaptions only',
    );
  if (steps.length > 0) notes.notionalSchedule(steps);
  // the cash price: xva's annuity is ISDA's par yield, 1/m a period (2006 Definitions §18.2(a)); ORE's ParYieldCurve
  // (QuantLib's Black engine) takes the fixed leg's day count with annual compounding. They agree on a 30/360 leg
  if ((option.settlement ?? 'physical') === 'cash' && fixed.dayCount !== '30/360')
    notes.approximate(
      `${fixed.path}/DayCounter`,
      fixed.dayCount,
      `xva's cash-settled annuity is ISDA's par yield (1/m a period); ORE/QuantLib's ParYieldCurve uses the ${fixed.dayCount} accrual fractions compounded annually (1.2-2.1% higher on ORE's swap_flat_xva swaptions)`,
    );
  fields.fixed_rate = rate.first;
  if (rate.steps.length > 0) notes.rateSchedule(rate.steps);
  return {
    ...fields,
    ...(steps.length > 0 ? { amortization: 'schedule' } : {}),
    product: 'SWAPTION',
    direction: option.long ? 'buy' : 'sell',
    option_type: fixed.payer ? 'payer' : 'receiver',
    settlement: option.settlement ?? 'physical',
    expiry_date: option.expiryDate,
    ...(option.bermudan !== undefined ? { exercise: 'bermudan' } : {}),
  };
}

/**
 * The rates of `Caps/Cap` or `Floors/Floor`: one rate, or one per coupon period in schedule order, the last repeated
 * (ORE's CapFloor reads them without dates and hands them to the leg as its caps or floors: buildScheduledVector with
 * no dates). ORE ignores a `startDate` attribute here, so a dated list (which would mean other periods than ORE
 * values) is refused rather than read either way.
 */
function capFloorRates(data: XmlNode | undefined, list: 'Caps' | 'Floors', item: 'Cap' | 'Floor'): ScheduledValues | undefined {
  // (empty elements are skipped: `<Floors><Floor/></Floors>` gives no floor)
  const nodes = children(child(data, list), item).filter((n) => textOf(n) !== '');
  if (nodes.length === 0) return undefined;
  const field = `CapFloorData/${list}`;
  const values = nodes.map((n, i) => oreNumber(textOf(n), `${field}/${item}[${i + 1}]`));
  const dated = nodes.findIndex((n) => attribute(n, 'startDate') !== undefined);
  if (nodes.length > 1 && dated >= 0)
    throw new Unmappable(
      `${field}/${item}[${dated + 1}]/@startDate`,
      attribute(nodes[dated], 'startDate'),
      `ORE reads a CapFloor's ${item.toLowerCase()} rates one per coupon period (the last repeated) and ignores startDate attributes: give the rates undated, one per period`,
    );
  return { values, startDates: values.map(() => undefined) };
}

/**
 * Cap or floor on one floating leg of a term or overnight index (ORE's LegType Floating); `buy` when `Long`. ORE ignores the
 * leg's Payer for CapFloor (LongShort decides), so it is not read. Only Caps (a cap) or only Floors (a floor): one
 * rate, or one per coupon period (a stepped strike: `strike` from the start and rate_schedules rows on the leg's
 * schedule); one spread and one gearing cap the coupon's rate; on an overnight index the compounded period rate is
 * capped (a lookback or rate cutoff is reported as approximated, as for a swaption's underlying); a collar, caps on
 * each daily rate (LocalCapFloor), spreads or gearings varying by period, in-arrears fixing of a term index and other
 * leg types are left out.
 * Several notionals amortise as a swap's do (notional_schedules on the leg's schedule). Premiums
 * (`CapFloorData/Premiums`) are dropped like other options' premiums.
 */
export function mapCapFloor(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const p = 'CapFloorData';
  if (data === undefined) throw new Unmappable(p, undefined, 'CapFloorData is required');
  const longShort = text(data, 'LongShort');
  const ls = longShort?.toLowerCase();
  if (ls !== 'long' && ls !== 'l' && ls !== 'short' && ls !== 's') throw new Unmappable(`${p}/LongShort`, longShort, 'expected Long or Short');

  const legNodes = children(data, 'LegData');
  if (legNodes.length !== 1) throw new Unmappable(`${p}/LegData`, `${legNodes.length} legs`, 'a CapFloor has exactly one LegData');
  const legType = text(legNodes[0], 'LegType');
  if (legType !== 'Floating')
    throw new Unmappable(
      `${p}/LegData[1]/LegType`,
      legType,
      legType === 'Fixed'
        ? 'a cap or floor on a fixed leg is not an option on a rate (ORE needs a Floating leg)'
        : 'caps and floors on this leg type are not supported by xva (Floating legs on a term index only)',
    );

  const cap = capFloorRates(data, 'Caps', 'Cap');
  const floor = capFloorRates(data, 'Floors', 'Floor');
  if (cap !== undefined && floor !== undefined)
    throw new Unmappable(
      `${p}/Floors`,
      texts(child(data, 'Floors'), 'Floor').join(','),
      'a collar (both Caps and Floors) is not supported by xva as one trade: give it as two CAPFLOOR rows, the cap and the floor (a long collar is a bought cap and a sold floor)',
    );
  if (cap === undefined && floor === undefined) throw new Unmappable(`${p}/Caps`, undefined, 'a CapFloor needs a cap rate (Caps/Cap) or a floor rate (Floors/Floor)');

  const legs = parseLegs(data, p, notes, { notionalSteps: true, payerIgnored: true, paidOnAccrualEnd: 'caplets and floorlets' });
  const leg = legs[0]!;
  const fp = `${leg.path}/FloatingLegData`;
  const index = leg.index!;
  if (index.overnight) {
    // ORE caps an overnight leg's compounded period rate unless LocalCapFloor caps each daily rate (QuantExt's
    // CappedFlooredOvernightIndexedCoupon); xva's overnight caplet is the former (products/capFloor.ts)
    const local = text(child(legNodes[0], 'FloatingLegData'), 'LocalCapFloor');
    if (local !== undefined && oreBool(local, `${fp}/LocalCapFloor`, false))
      throw new Unmappable(`${fp}/LocalCapFloor`, local, 'a cap on each daily overnight rate is not supported by xva: its overnight caplets cap the period\'s compounded rate (LocalCapFloor false)');
  } else if (!isTermIndex(index.name))
    throw new Unmappable(`${fp}/Index`, index.name, 'caps and floors need a term index whose tenor is months or years (e.g. EUR-EURIBOR-6M) or an overnight index');
  const inArrears = text(child(legNodes[0], 'FloatingLegData'), 'IsInArrears');
  // an overnight index compounds in arrears anyway (ORE's makeOISLeg does not read IsInArrears)
  if (!index.overnight && inArrears !== undefined && oreBool(inArrears, `${fp}/IsInArrears`, false))
    throw new Unmappable(`${fp}/IsInArrears`, inArrears, 'in-arrears caplets are not supported by xva: its caplets fix at the period\'s start');
  if (leg.initialExchange || leg.finalExchange)
    throw new Unmappable(`${leg.path}/Notionals/Exchanges`, 'true', 'notional exchanges on a cap or floor leg are not supported by xva');

  dropPremiumsIn(data, p, notes);
  const fields: TradeFields = {
    product: 'CAPFLOOR',
    direction: ls === 'long' || ls === 'l' ? 'buy' : 'sell',
    option_type: cap !== undefined ? 'cap' : 'floor',
    currency: leg.currency,
    notional: leg.notional,
    start_date: leg.startDate,
    maturity_date: leg.endDate,
    float_index: index.name,
    float_frequency: leg.frequency,
    float_day_count: leg.dayCount,
    // ORE (QuantLib's CapFloor) caps the coupon's rate gearing·L + spread, as xva's CAPFLOOR does (products/capFloor.ts)
    float_spread_bp: leg.spreadBp!,
    ...(leg.gearing !== undefined ? { float_gearing: leg.gearing } : {}),
    ...rowConventions(legs, notes),
  };
  // a stepped strike: the first period's rate as strike, a rate_schedules row where it changes (on the leg's own schedule)
  const strike = rateSchedule(leg, (cap ?? floor)!, fields);
  fields.strike = strike.first;
  if (strike.steps.length > 0) notes.rateSchedule(strike.steps);
  const steps = notionalSchedule(legs, fields);
  if (steps.length > 0) notes.notionalSchedule(steps);
  return { ...fields, ...(steps.length > 0 ? { amortization: 'schedule' } : {}) };
}
