/**
 * Swap legs valued today: each coupon projected from today's curves and discounted at its payment date on the
 * (collateral) discount curve (discounting-swap-engine approach, as QuantLib's DiscountingSwapEngine). Flows paid on or
 * before the as-of date are excluded.
 *
 * Floating coupons: N·τ·(F + spread) with F = (P_p(s)/P_p(e) − 1)/τ the simply compounded forward of the projection
 * curve over the accrual period (s, e) and τ the period's accrual fraction in the leg's day count. An overnight index
 * compounded in arrears without lookback has exactly this expected rate (Π of daily growth telescopes to
 * P_p(s)/P_p(e)), so OIS legs use the same formula. A period that began on or before the as-of date takes its term
 * index's fixing on its start from the market file's `fixings` (the engine fixes term rates at the period's start);
 * without one (and for overnight indices, whose daily fixings are not read) a period that began before the as-of date
 * is valued as if fixed at today's forward for a period of the same length starting today.
 *
 * An overnight leg with a lookback, an observation shift or a lockout (products/overnightCoupon.ts) compounds its daily
 * rates as those terms say: past fixings where the fixing date is before the as-of date, today's overnight forwards
 * after it (runs of days whose rate's own period is the day's accrual telescope, as QuantLib's pricer); its flows carry
 * the observation period and two factors (`LegFlows.observation`) for the path engine.
 */
import type { Market, YieldCurve } from '../market/types.js';
import type { FixedLeg, FloatLeg, SwapLeg } from '../products/types.js';
import { buildSchedule, type Schedule } from '../conventions/schedule.js';
import { periodNotional } from '../products/amortization.js';
import { isTermIndex } from '../products/capFloor.js';
import { rateOn, withFlatRate } from '../products/rateSteps.js';
import { calendarNamed } from '../conventions/holidays.js';
import { yearFraction } from '../conventions/dayCount.js';
import type { DateSerial } from '../conventions/dates.js';
import { overnightCompounding, periodFixings, type DailyFixings, type OvernightCompounding } from '../products/overnightCoupon.js';

/** Projected cash flows of a leg still to be paid: payment times (years from the as-of date) and amounts. */
export interface LegFlows {
  count: number;
  paymentTimes: Float64Array;
  amounts: Float64Array;
  /** For floating legs: accrual start and end times of each flow's period (years); fixed legs repeat the payment time. */
  accrualStartTimes: Float64Array;
  accrualEndTimes: Float64Array;
  /** Accrual fraction of each flow's period in the leg's day count. */
  accrualFractions: Float64Array;
  /** Each flow's period notional (the leg's notional; an amortising leg's outstanding on the period's accrual start). */
  notionals: Float64Array;
  /** Floating legs with a lookback, an observation shift or a lockout only: their coupons' observation terms. */
  observation?: ObservationFlows;
}

/**
 * A compounded overnight coupon with a lookback, shift or lockout as the path engine values it (exposure/valuation/
 * legs.ts): N·τ·(g·rate + spread) = g·N·ρ·(c·G − 1) + N·τ·spread, with G the index's growth over the observation
 * period (startTimes, endTimes], ρ = τ/τ_rate (1 without a shift) and c = today's compounded growth of the coupon's
 * days over today's G (1 for a shift without lockout: the days telescope), so that c·G is today's growth exactly.
 */
export interface ObservationFlows {
  /** The first fixing date of each coupon: on or after the as-of date, the coupon is not fixed yet. */
  firstFixingDates: Int32Array;
  startTimes: Float64Array;
  endTimes: Float64Array;
  /** ρ = τ/τ_rate. */
  rateRatios: Float64Array;
  /** c (1 for a coupon with a fixing before the as-of date: its amount is today's). */
  growthAdjustments: Float64Array;
}

function allocate(count: number): LegFlows {
  return {
    count,
    paymentTimes: new Float64Array(count),
    amounts: new Float64Array(count),
    accrualStartTimes: new Float64Array(count),
    accrualEndTimes: new Float64Array(count),
    accrualFractions: new Float64Array(count),
    notionals: new Float64Array(count),
  };
}

/** First schedule period paid after the as-of date. */
function firstLivePeriod(schedule: Schedule, asOf: number): number {
  let i = 0;
  while (i < schedule.count && schedule.paymentDate[i]! <= asOf) i++;
  return i;
}

/**
 * Fixed coupons N·K·τ still to be paid (no notional); N is the period's notional (amortising legs:
 * products/amortization.ts), K the period's rate (a step-up leg's in force on the accrual start: products/rateSteps.ts).
 */
export function fixedLegFlows(leg: FixedLeg, market: Pick<Market, 'asOf' | 'time'>, schedule: Schedule = buildSchedule(leg)): LegFlows {
  const first = firstLivePeriod(schedule, market.asOf);
  const flows = allocate(schedule.count - first);
  for (let i = first, k = 0; i < schedule.count; i++, k++) {
    const tau = schedule.accrualFraction[i]!;
    flows.paymentTimes[k] = market.time(schedule.paymentDate[i]!);
    flows.accrualStartTimes[k] = market.time(schedule.accrualStart[i]!);
    flows.accrualEndTimes[k] = market.time(schedule.accrualEnd[i]!);
    flows.accrualFractions[k] = tau;
    flows.notionals[k] = periodNotional(leg, schedule.accrualStart[i]!);
    flows.amounts[k] = flows.notionals[k]! * rateOn(leg.fixedRate, leg.rateSteps, leg, schedule.accrualStart[i]!) * tau;
  }
  return flows;
}

/**
 * Floating coupons N·τ·(g·F + spread) still to be paid (no notional), F from today's projection curve; N the period's,
 * g the leg's gearing (1 unless leveraged).
 */
export function floatLegFlows(
  leg: FloatLeg,
  market: Pick<Market, 'asOf' | 'time'> & Partial<Pick<Market, 'fixing'>>,
  projection: YieldCurve,
  schedule: Schedule = buildSchedule(leg),
): LegFlows {
  const first = firstLivePeriod(schedule, market.asOf);
  const flows = allocate(schedule.count - first);
  const spread = leg.spreadBp / 1e4;
  const gearing = leg.gearing ?? 1;
  const terms = overnightCompounding(leg);
  if (terms !== undefined) {
    const count = schedule.count - first;
    flows.observation = {
      firstFixingDates: new Int32Array(count),
      startTimes: new Float64Array(count),
      endTimes: new Float64Array(count),
      rateRatios: new Float64Array(count),
      growthAdjustments: new Float64Array(count),
    };
  }
  for (let i = first, k = 0; i < schedule.count; i++, k++) {
    const tau = schedule.accrualFraction[i]!;
    const start = market.time(schedule.accrualStart[i]!);
    const end = market.time(schedule.accrualEnd[i]!);
    const forward = terms !== undefined
      ? observedForward(leg, terms, i, schedule, k, flows.observation!, projection, market)
      : plainForward(leg, i, schedule, projection, market);
    flows.paymentTimes[k] = market.time(schedule.paymentDate[i]!);
    flows.accrualStartTimes[k] = start;
    flows.accrualEndTimes[k] = end;
    flows.accrualFractions[k] = tau;
    flows.notionals[k] = periodNotional(leg, schedule.accrualStart[i]!);
    flows.amounts[k] = flows.notionals[k]! * (gearing * forward + spread) * tau;
  }
  return flows;
}

/**
 * The rate of period i compounded in arrears: a period fixed on or before today takes a term index's fixing on its
 * start, or an overnight index's daily fixings compounded from its start to today and the curve's growth from today to
 * its end, where the market has them; else a running period takes today's forward over the same length (module comment).
 */
function plainForward(leg: FloatLeg, i: number, schedule: Schedule, projection: YieldCurve, market: Pick<Market, 'asOf' | 'time'> & Partial<Pick<Market, 'fixing'>>): number {
  const tau = schedule.accrualFraction[i]!;
  const start = market.time(schedule.accrualStart[i]!);
  const end = market.time(schedule.accrualEnd[i]!);
  const started = schedule.accrualStart[i]!;
  let fixed: number | undefined;
  if (started <= market.asOf && market.fixing !== undefined) {
    if (isTermIndex(leg.floatIndex)) fixed = market.fixing(leg.floatIndex, started);
    else if (started < market.asOf) {
      const ended = schedule.accrualEnd[i]!;
      const accrued = overnightAccrual(leg, started, market as Pick<Market, 'asOf' | 'fixing'>, ended);
      // a period that ended before today (paid later: a payment lag) has all of its fixings
      if (accrued !== undefined) fixed = (accrued / (ended > market.asOf ? projection.discount(end) : 1) - 1) / tau;
    }
  }
  return fixed ?? (start >= 0 ? projection.forwardRate(start, end, tau) : projection.forwardRate(0, end - start, tau));
}

/**
 * The rate of period i with a lookback, shift or lockout: its own days (products/overnightCoupon.ts) compounded
 * (compoundedGrowth) over τ_rate; without a past fixing, today's forward over a period of the same length starting
 * today (module comment). Fills flow k's observation terms.
 */
function observedForward(
  leg: FloatLeg,
  terms: OvernightCompounding,
  i: number,
  schedule: Schedule,
  k: number,
  obs: ObservationFlows,
  projection: YieldCurve,
  market: Pick<Market, 'asOf' | 'time'> & Partial<Pick<Market, 'fixing'>>,
): number {
  const tau = schedule.accrualFraction[i]!;
  const days = periodFixings(leg, terms, i, schedule.accrualStart[i]!, schedule.accrualEnd[i]!, tau);
  const growth = compoundedGrowth(days, leg, projection, market);
  const os = market.time(days.observationStart);
  const oe = market.time(days.observationEnd);
  obs.firstFixingDates[k] = days.fixingDates[0]!;
  obs.startTimes[k] = os;
  obs.endTimes[k] = oe;
  obs.rateRatios[k] = tau / days.rateFraction;
  obs.growthAdjustments[k] = growth !== undefined && days.fixingDates[0]! >= market.asOf ? growth / (projection.discount(os) / projection.discount(oe)) : 1;
  if (growth !== undefined) return (growth - 1) / days.rateFraction;
  const length = market.time(schedule.accrualEnd[i]!) - market.time(schedule.accrualStart[i]!);
  return projection.forwardRate(0, length, tau);
}

/**
 * Growth Π (1 + r_d·δ_d) of an overnight index from `start` to the as-of date (or to `end`, a period's end before it)
 * on its daily fixings: each business day d of the leg's calendar before then, its fixing r_d (the market's `fixings`)
 * for δ_d, the leg's day-count fraction to the next business day (capped there); compounded in arrears without lookback, as the engine's
 * overnight legs. Undefined when a fixing is missing (the coupon then stays on today's forward).
 */
export function overnightAccrual(leg: FloatLeg, start: DateSerial, market: Pick<Market, 'asOf' | 'fixing'>, end?: DateSerial): number | undefined {
  const calendar = calendarNamed(leg.calendar);
  // to today, or to the period's end when it ended before today
  const until = end !== undefined && end < market.asOf ? end : market.asOf;
  let growth = 1;
  let day = start;
  while (day < until) {
    if (!calendar.isBusinessDay(day)) {
      day++;
      continue;
    }
    const rate = market.fixing(leg.floatIndex, day);
    if (rate === undefined) return undefined;
    let next = day + 1;
    while (next < until && !calendar.isBusinessDay(next)) next++;
    growth *= 1 + rate * yearFraction(leg.dayCount, day, next);
    day = next;
  }
  return growth;
}

/**
 * Growth Π (1 + r_i·δ_i) of a coupon's daily rates (products/overnightCoupon.ts): each fixing date before the as-of date
 * takes its published fixing (the market's `fixings`), the others today's overnight forward on `projection` over the
 * rate's own period (fixing date to the next business day, in the leg's day count). A run of days whose rate period is
 * the day's accrual, each starting where the one before ended, telescopes to one ratio of discount factors. Undefined
 * when a past fixing is missing.
 */
export function compoundedGrowth(
  days: DailyFixings,
  leg: Pick<FloatLeg, 'floatIndex' | 'dayCount'>,
  projection: YieldCurve,
  market: Pick<Market, 'asOf' | 'time'> & Partial<Pick<Market, 'fixing'>>,
): number | undefined {
  const { count, fixingDates, rateEnds, weights } = days;
  let growth = 1;
  let i = 0;
  while (i < count) {
    const fixing = fixingDates[i]!;
    if (fixing < market.asOf) {
      const rate = market.fixing?.(leg.floatIndex, fixing);
      if (rate === undefined) return undefined;
      growth *= 1 + rate * weights[i]!;
      i++;
      continue;
    }
    const own = yearFraction(leg.dayCount, fixing, rateEnds[i]!);
    if (weights[i] !== own) {
      // a rate weighed over other days than its own (a lookback without shift across a weekend, a locked-out day)
      const rate = (projection.discount(market.time(fixing)) / projection.discount(market.time(rateEnds[i]!)) - 1) / own;
      growth *= 1 + rate * weights[i]!;
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < count && fixingDates[j + 1] === rateEnds[j] && weights[j + 1] === yearFraction(leg.dayCount, fixingDates[j + 1]!, rateEnds[j + 1]!)) j++;
    growth *= projection.discount(market.time(fixing)) / projection.discount(market.time(rateEnds[j]!));
    i = j + 1;
  }
  return growth;
}

/** Σ amount·P(t_pay): the present value of projected flows. */
export function flowsPv(flows: LegFlows, discount: Pick<YieldCurve, 'discount'>): number {
  let pv = 0;
  for (let k = 0; k < flows.count; k++) pv += flows.amounts[k]! * discount.discount(flows.paymentTimes[k]!);
  return pv;
}

/** PV today of the fixed coupons still to be paid, as received (no notional). */
export function fixedLegPv(leg: FixedLeg, market: Pick<Market, 'asOf' | 'time'>, discount: YieldCurve): number {
  return flowsPv(fixedLegFlows(leg, market), discount);
}

/** PV today of the floating coupons still to be paid, as received (no notional). */
export function floatLegPv(leg: FloatLeg, market: Pick<Market, 'asOf' | 'time'>, projection: YieldCurve, discount: YieldCurve): number {
  return flowsPv(floatLegFlows(leg, market, projection), discount);
}

/** Fixed-leg annuity Σ N·τ·P(t_pay) over the periods still to be paid: the PV of one unit of fixed rate. */
export function fixedLegAnnuity(leg: FixedLeg, market: Pick<Market, 'asOf' | 'time'>, discount: YieldCurve): number {
  const flows = fixedLegFlows(withFlatRate(leg, 1), market);
  return flowsPv(flows, discount);
}

/**
 * The one rate a leg's coupons amount to today: a flat leg's own rate; a step-up leg's annuity-weighted average
 * Σ N·K·τ·P(t_pay) / Σ N·τ·P(t_pay) over the periods still to be paid (the strike a swaption quote or a supervisory
 * delta reads for a step-up underlying; the leg's first rate when nothing is left to pay).
 */
export function effectiveFixedRate(leg: FixedLeg, market: Pick<Market, 'asOf' | 'time'>, discount: YieldCurve): number {
  if (leg.rateSteps === undefined) return leg.fixedRate;
  const annuity = fixedLegAnnuity(leg, market, discount);
  return annuity > 0 ? fixedLegPv(leg, market, discount) / annuity : leg.fixedRate;
}

/** Coupons of either kind of leg; floating legs take their projection curve from the market. */
export function legFlows(leg: SwapLeg, market: Market): LegFlows {
  return leg.kind === 'fixed' ? fixedLegFlows(leg, market) : floatLegFlows(leg, market, market.projectionCurve(leg.floatIndex));
}
