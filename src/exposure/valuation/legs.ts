/**
 * Swap legs, notional exchanges and FX exchanges compiled into currency pools (ratePool.ts): the same flows as
 * today's pricers (pricing/legs.ts, pricing/swaps.ts, pricing/fx.ts), so that the pooled value at t = 0 is today's
 * price. A flow paid on date D is alive at grid date d while dates[d] < D (value at t excludes flows paid at t).
 */
import type { Market, YieldCurve } from '../../market/types.js';
import type { FixedLeg, FloatLeg, SwapLeg } from '../../products/types.js';
import { buildSchedule } from '../../conventions/schedule.js';
import { fixedLegFlows, floatLegFlows, type LegFlows, type ObservationFlows } from '../../pricing/legs.js';
import { projectionFor } from '../../pricing/swaps.js';
import { principalFlows } from '../../products/amortization.js';
import type { TimeGrid } from '../../simulation/types.js';
import { basisRatio } from '../../pricing/curves.js';
import { isTermIndex } from '../../products/capFloor.js';
import { lastIndexBefore, lastIndexOnOrBefore } from './model.js';
import type { CompoundedTerms, CurrencyPoolBuilder } from './ratePool.js';

/** Where legs put their flows: a currency pool's builder, or compile.ts's recorder in front of one. */
export type PoolSink = Pick<CurrencyPoolBuilder, 'lgm' | 'addBond' | 'addRunning' | 'pushBond' | 'pushRunning'> & Partial<Pick<CurrencyPoolBuilder, 'foldAsOfFixings'>>;

/** `sign`·amount paid on `date` (a fixed flow, a notional or an FX exchange); ignored once paid. */
export function addPayment(pool: PoolSink, grid: TimeGrid, market: Market, tradeIndex: number, date: number, amount: number): void {
  if (date <= market.asOf) return;
  pool.addBond(tradeIndex, market.time(date), amount, lastIndexBefore(grid.dates, date));
}

/** Fixed coupons N·K·τ, received with sign +1. */
export function addFixedLeg(pool: PoolSink, grid: TimeGrid, market: Market, tradeIndex: number, leg: FixedLeg, sign: number): void {
  const schedule = buildSchedule(leg);
  const flows = fixedLegFlows(leg, market, schedule);
  const first = schedule.count - flows.count;
  for (let k = 0; k < flows.count; k++) {
    addPayment(pool, grid, market, tradeIndex, schedule.paymentDate[first + k]!, sign * flows.amounts[k]!);
  }
}

/**
 * The grid index whose state fixes a term rate set at time `fixTime` (years), between grid dates j (on or before it)
 * and j + 1: the nearer in the state's variance, j when ζ(s) − ζ(t_j) ≤ ζ(t_{j+1}) − ζ(s), else j + 1 (while the
 * coupon is still unpaid there). The fixing's state x(s) has variance ζ(s): x_j's falls short of it by ζ(s) − ζ(t_j),
 * x_{j+1}'s exceeds it by ζ(t_{j+1}) − ζ(s), so the nearer halves the largest error a fixing between two grid dates
 * makes (a 5y EURIBOR 6M swap fixing mid-quarter: its EPE 1.41% below fixings on their own days on average with x_j,
 * 1.09% above with x_{j+1}: test/term-fixings.test.ts). From j + 1 the coupon's value is its fixing at x_{j+1} (at
 * t_{j+1} the pre-fixing form N·(β·P(t,s) − P(t,e)) with s < t is that value, so the value process stays continuous).
 */
function fixingGridIndex(pool: PoolSink, grid: TimeGrid, fixTime: number, j: number, lastPaid: number): number {
  if (j + 1 > lastPaid || grid.times[j]! >= fixTime) return j;
  const zs = pool.lgm.model.zeta(fixTime);
  return zs - pool.lgm.zeta[j]! <= pool.lgm.zeta[j + 1]! - zs ? j : j + 1;
}

/** A coupon compounded in arrears over the observation period (s, e] in years (ratePool.ts CompoundedTerms). */
function compoundedTerms(pool: PoolSink, grid: TimeGrid, s: number, e: number): CompoundedTerms {
  const model = pool.lgm.model;
  return { hs: model.H(s), he: model.H(e), lastBefore: lastIndexBefore(grid.times, e) };
}

/**
 * Floating coupons N·τ·(g·L + spread) (g the gearing, 1 unless leveraged), received with sign +1 (ratePool.ts explains
 * the three regimes); `exercisedUnderlying`: a physically settled swaption's underlying, whose coupons fixing in a
 * grid step where an exercise is decided (`exerciseIndices`, the grid dates on or before the exercise dates) fix at
 * that step's grid date, as the exercise is decided there (on the state drawn at the exercise: ratePool.ts
 * addFixingShift; so that an exercised caplet pays (L − K) only where L > K); its other term fixings take the nearer
 * grid date, as a swap's (fixingGridIndex; all of them the date on or before without `exerciseIndices`). Coupons whose
 * fixing grid date is the as-of date are today's projected amounts, exactly as the pricer's; those of an overnight index
 * (compounded in arrears) then accrue their index part on the paths from today (addSeasonedCompounded).
 */
export function addFloatLeg(
  pool: PoolSink,
  grid: TimeGrid,
  market: Market,
  tradeId: string,
  tradeIndex: number,
  leg: FloatLeg,
  sign: number,
  periodNotional?: (scheduleIndex: number) => number | undefined,
  exercisedUnderlying = false,
  exerciseIndices?: ReadonlySet<number>,
): void {
  const projection = projectionFor(tradeId, leg, market);
  const schedule = buildSchedule(leg);
  const flows = floatLegFlows(leg, market, projection, schedule);
  const first = schedule.count - flows.count;
  const discount = pool.lgm.model;
  const spread = leg.spreadBp / 1e4;
  const gearing = leg.gearing ?? 1;
  const observation = flows.observation;
  const compounded = !isTermIndex(leg.floatIndex);
  for (let k = 0; k < flows.count; k++) {
    const i = first + k;
    // a mark-to-market leg's periods on their own notionals (fxReset.ts), the others left out
    const scale = periodNotional === undefined ? 1 : (periodNotional(i) ?? 0) / flows.notionals[k]!;
    if (scale === 0) continue;
    const startDate = schedule.accrualStart[i]!;
    const endDate = schedule.accrualEnd[i]!;
    const payDate = schedule.paymentDate[i]!;
    // a lookback moves the coupon's first fixing before its accrual start
    const fixDate = observation === undefined ? startDate : observation.firstFixingDates[k]!;
    let fixIndex = fixDate < market.asOf ? 0 : lastIndexOnOrBefore(grid.dates, fixDate);
    // a term rate fixes on the grid date nearer its fixing in the state's variance ζ, on or before it or the next one
    // (fixingGridIndex); a coupon compounded in arrears accrues from the one on or before its start, and a swaption's
    // underlying (a caplet's too) fixes where its exercise is decided, on or before, in a step where one is decided
    // (swaption.ts, bermudan.ts)
    const decidedStep = exercisedUnderlying && (exerciseIndices === undefined || exerciseIndices.has(fixIndex));
    if (!compounded && !decidedStep && fixIndex > 0) fixIndex = fixingGridIndex(pool, grid, market.time(fixDate), fixIndex, lastIndexBefore(grid.dates, schedule.paymentDate[i]!));
    // Fixed today (x = 0 on every path): the pricer's projected amount. Not an exercised swaption's underlying's coupon
    // fixing after today and before the first grid date: it fixes on the state drawn at an exercise in that step, a
    // running coupon of fixing index 0 with a fixing group of its own (ratePool.ts addFixingShift,
    // CurrencyPoolBuilder.foldAsOfFixings); one fixed on or before today stays folded into the main function
    const drawnFixing = exercisedUnderlying && fixIndex <= 0 && fixDate > market.asOf;
    if (exercisedUnderlying) pool.foldAsOfFixings = !drawnFixing;
    if (fixIndex <= 0 && !drawnFixing) {
      const end = observation === undefined ? flows.accrualEndTimes[k]! : observation.endTimes[k]!;
      if (compounded && end > 0 && payDate > market.asOf) {
        const ratio = observation === undefined ? 1 : observation.rateRatios[k]!;
        const notional = sign * scale * flows.notionals[k]!;
        const fixedPart = notional * (flows.accrualFractions[k]! * spread - gearing * ratio);
        addSeasonedCompounded(pool, grid, tradeIndex, sign * scale * flows.amounts[k]! - fixedPart, fixedPart, end, flows.paymentTimes[k]!, lastIndexBefore(grid.dates, payDate));
      } else addPayment(pool, grid, market, tradeIndex, payDate, sign * scale * flows.amounts[k]!);
      continue;
    }
    if (observation !== undefined) {
      const terms = compoundedTerms(pool, grid, observation.startTimes[k]!, observation.endTimes[k]!);
      addObservedCoupon(pool, tradeIndex, flows, observation, k, projection, gearing, sign * scale * flows.notionals[k]!, spread, fixIndex, lastIndexBefore(grid.dates, payDate), terms);
      continue;
    }
    const s = flows.accrualStartTimes[k]!;
    const e = flows.accrualEndTimes[k]!;
    const tau = flows.accrualFractions[k]!;
    // β = forward growth on the projection curve over that on the discount curve (deterministic basis).
    const beta = basisRatio(projection, discount, s, e);
    const notional = sign * scale * flows.notionals[k]!;
    const lastPaid = lastIndexBefore(grid.dates, payDate);
    const terms = compounded ? compoundedTerms(pool, grid, s, e) : undefined;
    if (payDate !== endDate) {
      addLaggedCoupon(pool, tradeIndex, s, e, flows.paymentTimes[k]!, gearing * notional * beta, notional * (tau * spread - gearing), fixIndex, lastPaid, terms);
      continue;
    }
    // N·τ·(g·L + spread) = g·N·(β/P(s,e) − 1) + N·τ·spread: the index part scaled by the gearing g
    pool.addBond(tradeIndex, s, gearing * notional * beta, fixIndex);
    pool.addBond(tradeIndex, e, notional * (tau * spread - gearing), lastPaid);
    pool.addRunning(tradeIndex, s, e, gearing * notional * beta, fixIndex, lastPaid, terms);
  }
  if (exercisedUnderlying) pool.foldAsOfFixings = true;
}

/**
 * An overnight coupon whose first fixing is on or before the as-of date (its rate partly fixed, the pricer's amount):
 * its index part, `indexAmount` paid at p (the days fixed so far compounded, times today's forward growth to the end e
 * of its observation period), accrues on the paths as cash at today's forward rates until e, a running coupon fixed at
 * grid date 0 (x = 0 on every path) over (0, e] (ratePool.ts CompoundedTerms: its value at t < e is
 * indexAmount·P(0,e)/P(0,t)·P(t,p|x_t)/P(t,e|x_t), times the LGM's convexity of paying at p, and indexAmount·P(t,p|x_t)
 * after e; test/overnightLookback.test.ts); `fixedPart` (−g·N·ρ + N·τ·spread) is paid at p.
 */
function addSeasonedCompounded(pool: PoolSink, grid: TimeGrid, tradeIndex: number, indexAmount: number, fixedPart: number, e: number, p: number, lastPaid: number): void {
  const terms = compoundedTerms(pool, grid, 0, e);
  const notionalBeta = indexAmount * pool.lgm.model.discount(e);
  if (p !== e) {
    addLaggedCoupon(pool, tradeIndex, 0, e, p, notionalBeta, fixedPart, 0, lastPaid, terms);
    return;
  }
  pool.addBond(tradeIndex, 0, notionalBeta, 0);
  pool.addBond(tradeIndex, e, fixedPart, lastPaid);
  pool.addRunning(tradeIndex, 0, e, notionalBeta, 0, lastPaid, terms);
}

/**
 * A floating coupon over (s, e) paid at p > e (a payment lag): g·N·(β·P(t,s)·P(t,p)/P(t,e) − P(t,p)) + N·τ·spread·P(t,p)
 * before its fixing grid date t_j, g·N·(β·P(t_j,s|x_j)/P(t_j,e|x_j) − 1 + …)·P(t,p) after it (its rate the forward seen
 * at t_j, as every floating coupon's, ratePool.ts). Both are the pool's own terms with H(p) in place of H(e) where the
 * coupon is discounted: under the LGM, P(t,s)·P(t,p)/P(t,e) = e^{k·ζ(t)}·[a bond of H = H(s) + H(p) − H(e)], k =
 * (H(e) − H(s))·(H(e) − H(p)), so
 * - before the fixing: the bond of that H (a martingale, as every pool bond) with amplitude W = g·N·β·P(0,s)·P(0,p)/P(0,e),
 *   so that at t = 0 it is today's forward coupon discounted to p, as the pricer's;
 * - after it: a running coupon with H(s) + H(p) − H(e) for H(s), H(p) for H(e) (its class's δ stays H(e) − H(s)) and
 *   amplitude W·e^{−k·ζ(t_j)}: at t_j it equals the bond, so the value process is a martingale. The fixed rate on a path
 *   is thus the forward seen at t_j times e^{−k·ζ(t_j)}, the LGM's convexity of paying at p instead of e (k·ζ is about
 *   −1.4e-7 per year of ζ's horizon for a quarterly coupon paid two days late: test/paymentLag.test.ts).
 */
function addLaggedCoupon(pool: PoolSink, tradeIndex: number, s: number, e: number, p: number, notionalBeta: number, fixedPart: number, fixIndex: number, lastPaid: number, terms?: CompoundedTerms): void {
  const model = pool.lgm.model;
  const hs = model.H(s);
  const he = model.H(e);
  const hp = model.H(p);
  const h = hs + hp - he;
  const w = (notionalBeta * model.discount(s) * model.discount(p)) / model.discount(e);
  const zetaFix = pool.lgm.zeta[fixIndex]!;
  if (fixIndex >= 0 && w !== 0) pool.pushBond(tradeIndex, h, w, fixIndex);
  pool.addBond(tradeIndex, p, fixedPart, lastPaid);
  if (lastPaid > fixIndex && w !== 0) {
    pool.pushRunning(tradeIndex, h, hp, w * Math.exp(-(he - hs) * (he - hp) * zetaFix), 0.5 * (he * he - hs * hs) * zetaFix, fixIndex, lastPaid, terms?.hs, terms?.he, terms?.lastBefore);
  }
}

/**
 * A compounded overnight coupon with a lookback, shift or lockout (pricing/legs.ts ObservationFlows): g·N·ρ·(c·G − 1) +
 * N·τ·spread paid at p, G the growth over its observation period (o_s, o_e], fixed on the grid date of its first
 * fixing o_s. The index part is a floating coupon over (o_s, o_e] with amplitude g·N·ρ·c·β (β the deterministic basis
 * over that period), paid at p: a lagged coupon when p is after o_e (any lookback), else the pool's own coupon; so at
 * t = 0 it is today's amount discounted, and c, set from today's curve, stays on every path (the days' weights against
 * the observation period: a deterministic factor within a few 1e-4 of 1).
 */
function addObservedCoupon(
  pool: PoolSink,
  tradeIndex: number,
  flows: LegFlows,
  observation: ObservationFlows,
  k: number,
  projection: YieldCurve,
  gearing: number,
  notional: number,
  spread: number,
  fixIndex: number,
  lastPaid: number,
  terms: CompoundedTerms,
): void {
  const s = observation.startTimes[k]!;
  const e = observation.endTimes[k]!;
  const p = flows.paymentTimes[k]!;
  const ratio = observation.rateRatios[k]!;
  const amplitude = gearing * notional * ratio * observation.growthAdjustments[k]! * basisRatio(projection, pool.lgm.model, s, e);
  const fixedPart = notional * (flows.accrualFractions[k]! * spread - gearing * ratio);
  if (p !== e) {
    addLaggedCoupon(pool, tradeIndex, s, e, p, amplitude, fixedPart, fixIndex, lastPaid, terms);
    return;
  }
  pool.addBond(tradeIndex, s, amplitude, fixIndex);
  pool.addBond(tradeIndex, e, fixedPart, lastPaid);
  pool.addRunning(tradeIndex, s, e, amplitude, fixIndex, lastPaid, terms);
}

export function addSwapLeg(pool: PoolSink, grid: TimeGrid, market: Market, tradeId: string, tradeIndex: number, leg: SwapLeg, sign: number): void {
  if (leg.kind === 'fixed') addFixedLeg(pool, grid, market, tradeIndex, leg, sign);
  else addFloatLeg(pool, grid, market, tradeId, tradeIndex, leg, sign);
}

/** Cross-currency leg: coupons plus the initial (paid), amortising and final (received) notional exchanges, as xccyLegPv. */
export function addXccyLeg(
  pool: PoolSink,
  grid: TimeGrid,
  market: Market,
  tradeId: string,
  tradeIndex: number,
  leg: SwapLeg,
  sign: number,
  initialExchange: boolean,
  finalExchange: boolean,
): void {
  addSwapLeg(pool, grid, market, tradeId, tradeIndex, leg, sign);
  for (const flow of principalFlows(leg, initialExchange, finalExchange)) addPayment(pool, grid, market, tradeIndex, flow.date, sign * flow.amount);
}
