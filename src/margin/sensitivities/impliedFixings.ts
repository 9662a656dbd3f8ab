/**
 * Implied past fixings for sensitivities by bump and reprice. A coupon that began before the as-of date and whose
 * fixings the market file lacks is priced at today's forward over a period of the same length starting today
 * (pricing/legs.ts plainForward, observedForward), a rate every curve bump would move, putting delta on the short
 * vertices where a coupon already fixing has none. Here each such coupon gets the past fixings that give back that very
 * price on the base market, held across the bumps:
 *
 * - a term index (fixed on the period's start): the fixing is the forward the pricer used, so the coupon's rate stays
 *   put and only its discounting moves;
 * - an overnight index (compounded in arrears): every missing past day takes one rate r such that the past days' growth
 *   times the curve's growth over the days still to run is 1 + F·τ (F the forward the pricer used; τ the fraction the
 *   growth is divided by), so only the part still to run moves with the projection curve, as it would with the real
 *   fixings (ISDA SIMM v2.6 §B: delta is the move of the value under the curve's move; a past fixing does not move).
 *
 * The base value is unchanged (to rounding); the trade's deltas move from the first vertices to the coupon's end.
 */
import type { DateSerial } from '../../conventions/dates.js';
import { yearFraction } from '../../conventions/dayCount.js';
import { calendarNamed } from '../../conventions/holidays.js';
import { buildSchedule } from '../../conventions/schedule.js';
import type { Market } from '../../market/types.js';
import { floatingLegs } from '../../portfolio/summary.js';
import { compoundedGrowth } from '../../pricing/legs.js';
import { projectionFor } from '../../pricing/swaps.js';
import { isTermIndex } from '../../products/capFloor.js';
import { overnightCompounding, periodFixings } from '../../products/overnightCoupon.js';
import type { FloatLeg, Trade } from '../../products/types.js';

/** The implied fixings of one trade's running coupons, by index and date; undefined when it needs none. */
export function impliedFixings(trade: Trade, market: Market): ((index: string, date: DateSerial) => number | undefined) | undefined {
  const implied = new Map<string, Map<DateSerial, number>>();
  for (const leg of floatingLegs(trade)) addLeg(trade.tradeId, leg, market, implied);
  if (implied.size === 0) return undefined;
  return (index, date) => implied.get(index)?.get(date);
}

function addLeg(tradeId: string, leg: FloatLeg, market: Market, implied: Map<string, Map<DateSerial, number>>): void {
  const terms = overnightCompounding(leg);
  // a lookback may fix a coupon starting after today on days before it (as portfolio/summary.ts hasUnfixedCoupon)
  if (leg.startDate >= market.asOf + (terms?.lookbackDays ?? 0) * 3 + 7) return;
  const schedule = buildSchedule(leg);
  let projection: ReturnType<typeof projectionFor> | undefined;
  const index = leg.floatIndex;
  let byDate = implied.get(index);
  const set = (date: DateSerial, rate: number) => {
    if (market.fixing(index, date) !== undefined) return;
    if (byDate === undefined) implied.set(index, (byDate = new Map()));
    // a date two coupons share keeps the first's rate
    if (!byDate.has(date)) byDate.set(date, rate);
  };
  const known = (date: DateSerial) => market.fixing(index, date) ?? byDate?.get(date);
  for (let i = 0; i < schedule.count; i++) {
    if (schedule.paymentDate[i]! <= market.asOf) continue;
    const start = schedule.accrualStart[i]!;
    const end = schedule.accrualEnd[i]!;
    const tau = schedule.accrualFraction[i]!;
    // a coupon starting today fixes today (portfolio/summary.ts hasUnfixedCoupon does not list it)
    if (terms === undefined && start >= market.asOf) break;
    projection ??= projectionFor(tradeId, leg, market);
    // the forward the pricer takes for a coupon without its fixings: today's, over a period of the same length
    const length = market.time(end) - market.time(start);
    const forward = projection.forwardRate(0, length, tau);
    if (terms !== undefined) {
      const days = periodFixings(leg, terms, i, start, end, tau);
      if (days.fixingDates[0]! >= market.asOf) break;
      let missing = false;
      for (let d = 0; d < days.count && days.fixingDates[d]! < market.asOf; d++) if (known(days.fixingDates[d]!) === undefined) missing = true;
      if (!missing) continue;
      // the growth of the days still to run (past days at a zero rate add a factor 1), and the past days' weights
      const future = compoundedGrowth(days, leg, projection, { asOf: market.asOf, time: (d) => market.time(d), fixing: () => 0 })!;
      const target = (1 + forward * days.rateFraction) / future;
      const fixedGrowth: number[] = [];
      const weights: number[] = [];
      const dates: DateSerial[] = [];
      for (let d = 0; d < days.count && days.fixingDates[d]! < market.asOf; d++) {
        const rate = known(days.fixingDates[d]!);
        if (rate !== undefined) fixedGrowth.push(1 + rate * days.weights[d]!);
        else {
          weights.push(days.weights[d]!);
          dates.push(days.fixingDates[d]!);
        }
      }
      const rate = flatRate(target / fixedGrowth.reduce((a, b) => a * b, 1), weights);
      for (const date of dates) set(date, rate);
      continue;
    }
    if (isTermIndex(index)) {
      if (known(start) === undefined) set(start, forward);
      continue;
    }
    // an overnight index without lookback (pricing/legs.ts overnightAccrual): its business days from the start to today,
    // or to the period's end when it ended before today (paid later); the growth after today is the curve's
    const calendar = calendarNamed(leg.calendar);
    const until = end < market.asOf ? end : market.asOf;
    let fixedGrowth = 1;
    const weights: number[] = [];
    const dates: DateSerial[] = [];
    for (let day = start; day < until; ) {
      if (!calendar.isBusinessDay(day)) {
        day++;
        continue;
      }
      let next = day + 1;
      while (next < until && !calendar.isBusinessDay(next)) next++;
      const weight = yearFraction(leg.dayCount, day, next);
      const rate = known(day);
      if (rate !== undefined) fixedGrowth *= 1 + rate * weight;
      else {
        weights.push(weight);
        dates.push(day);
      }
      day = next;
    }
    if (dates.length === 0) continue;
    const target = (1 + forward * tau) * (end > market.asOf ? projection.discount(market.time(end)) : 1);
    const rate = flatRate(target / fixedGrowth, weights);
    for (const date of dates) set(date, rate);
  }
}

/** The one rate r with Π (1 + r·δ_i) = growth, by Newton's method on Σ ln(1 + r·δ_i) (convex in r, so it converges). */
export function flatRate(growth: number, weights: readonly number[]): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(growth > 0) || sum <= 0) throw new Error(`implied fixings: no flat rate gives a growth of ${growth} over ${weights.length} days`);
  const logTarget = Math.log(growth);
  let rate = (growth - 1) / sum;
  for (let iteration = 0; iteration < 50; iteration++) {
    let f = -logTarget;
    let df = 0;
    for (const w of weights) {
      f += Math.log1p(rate * w);
      df += w / (1 + rate * w);
    }
    const step = f / df;
    rate -= step;
    if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(rate))) break;
  }
  return rate;
}
