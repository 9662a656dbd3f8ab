/**
 * European swaptions on paths (physical and cash settlement), in the LGM of the swap currency.
 *
 * Before expiry T_e, the value at t given x_t = x is the conditional LGM price (LSG §11.5 and closedForms.ts, started
 * at t): with X = x + √v·Y the state at expiry, v the remaining variance and U = Σ cᵢ·P(·, Tᵢ) the holder's
 * underlying swap as zero bonds,
 *
 *   V(t, x) = Σ_intervals Σᵢ cᵢ·P(t, Tᵢ, x)·[Φ(y_hi + Hᵢ√v) − Φ(y_lo + Hᵢ√v)],   y = (X* − x)/√v,
 *
 * summed over the intervals of X where U(T_e, X) > 0 (ends X* are the exercise boundaries, the roots of
 * g(X) = Σ cᵢP(0,Tᵢ)e^{−HᵢX − ½Hᵢ²(ζ(t)+v)}). It is tabulated on the grid of x and pooled with the currency's flows.
 *
 * Remaining variance: v(t) = λ·(ζ(T_e) − ζ(t)), with λ solved once so that the value at t = 0 equals today's price
 * (pricing/swaption.ts: the market vol surface, or Hull-White when there is none, where λ = 1 up to the basis
 * convention). When today's price is below the LGM's zero-variance value max(U(0), 0), no λ reproduces it: λ = 0
 * (the smallest feasible variance) is used, the option is its LGM intrinsic value max(U(t, x), 0) before expiry, and
 * the path price at t = 0 exceeds today's by `priceBelowIntrinsic` (utb-20k has two such deep in-the-money trades). For a cash-settled swaption the same physical formula is used with its own λ matched to the cash
 * price: the par-yield annuity's effect is absorbed in the variance (an approximation, exact at t = 0).
 *
 * At and after expiry: physical settlement gives the underlying swap on the paths where it was exercised, by
 * U(T_e, X) > 0 on the state X at expiry. Where T_e falls between grid dates t_e < T_e < t_{e+1}, X is not simulated:
 * given the grid states x_e and x_{e+1} it is Gaussian, the Brownian bridge of the LGM state (variance ζ, independent
 * increments; a foreign currency's deterministic drift taken linear in ζ over the step), with mean
 * m = x_e + β·(x_{e+1} − x_e), β = (ζ(T_e) − ζ(t_e))/(ζ(t_{e+1}) − ζ(t_e)), and variance
 * s² = (ζ(T_e) − ζ(t_e))·(ζ(t_{e+1}) − ζ(T_e))/(ζ(t_{e+1}) − ζ(t_e)). Each path draws X = m + s·z from it (z its
 * exercise draw, exerciseDraws.ts) and holds the underlying where U(T_e, X) > 0 (exerciseMask), so that E[1{exercised}·
 * f(later states)] is exact for any f: a netting set's max(V, 0) sees either the swap or nothing on each path. Deciding
 * on x_e alone lost the variance between t_e and T_e (test/valuation.test.ts: a 2y into 5y payer six weeks after its
 * grid date, a year after expiry: ENE 14% too high, E[V/N] 3.2% and EPE 1.4% too low); counting the underlying with
 * the probability of exercise given the grid states, as the engine did in the thirty-ninth session, was exact for a
 * lone swaption but mixed the swap and no swap inside a netting set's max (docs/simulation.md). The underlying's
 * coupons fixing before t_{e+1} fix on X too, at ζ(T_e) (ratePool.ts addFixingShift, applyFixingGrowth for the
 * device; in the first grid step they are running coupons of fixing index 0 with a group of their own, legs.ts). On the grid state x_e until the fortieth session, which lost their
 * covariance with the exercise: E[V/N] of a 1-year swap's payer 5.9% low until its first coupon was paid, and 49%
 * low with the expiry in a quarterly first grid step, where they were today's forwards (test/valuation.test.ts).
 * On a grid date (s = 0) the decision reads the grid state. An in-arrears caplet (its one-period OIS) is decided so
 * too, its accrual fixing on the same drawn state, so that it pays only where its rate is above the strike (until the
 * fortieth session on the grid date on or before its start); a term caplet is caplet.ts's expected payment.
 * Cash settlement is paid at expiry and the trade leaves.
 */
import type { Market } from '../../market/types.js';
import type { Currency, Swaption } from '../../products/types.js';
import { normCdf, normCdfInto } from '../../pricing/black.js';
import { fixedLegFlows, floatLegFlows } from '../../pricing/legs.js';
import { priceSwaption } from '../../pricing/swaption.js';
import { projectionFor } from '../../pricing/swaps.js';
import { brentRoot } from '../../simulation/models/lgm/brent.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { basisRatio } from '../../pricing/curves.js';
import { lastIndexBefore, lastIndexOnOrBefore, type LgmOnGrid } from './model.js';
import type { ExerciseMask, NodeTerm } from './ratePool.js';
import { GRID_NODES } from './stateGrid.js';
import { exerciseNormals, exerciseStream } from './exerciseDraws.js';

/** Holder's underlying swap as zero bonds: times (years, increasing), coefficients, H and P(0, T) at each. */
export interface UnderlyingBonds {
  times: Float64Array;
  coefficients: Float64Array;
  H: Float64Array;
  discount: Float64Array;
}

/** The payer (pay fixed) or receiver swap of a swaption, from the holder's side, with the engine's basis convention. */
export function underlyingBonds(trade: Swaption, market: Market, lgm: LgmOnGrid): UnderlyingBonds {
  const omega = trade.optionType === 'payer' ? 1 : -1;
  const flows = new Map<number, number>();
  const add = (t: number, amount: number): void => {
    flows.set(t, (flows.get(t) ?? 0) + amount);
  };
  const fixed = fixedLegFlows(trade.fixedLeg, market);
  for (let k = 0; k < fixed.count; k++) add(fixed.paymentTimes[k]!, -omega * fixed.amounts[k]!);
  const projection = projectionFor(trade.tradeId, trade.floatLeg, market);
  const float = floatLegFlows(trade.floatLeg, market, projection);
  const model = lgm.model;
  const spread = trade.floatLeg.spreadBp / 1e4;
  for (let k = 0; k < float.count; k++) {
    const s = float.accrualStartTimes[k]!;
    const e = float.accrualEndTimes[k]!;
    const beta = basisRatio(projection, model, s, e);
    // each period at its notional (an amortising underlying: its steps; equal to the leg's notional otherwise)
    add(s, omega * float.notionals[k]! * beta);
    add(e, omega * float.notionals[k]! * (float.accrualFractions[k]! * spread - 1));
  }
  const times = Float64Array.from([...flows.keys()].sort((a, b) => a - b));
  const coefficients = Float64Array.from(times, (t) => flows.get(t)!);
  return { times, coefficients, H: times.map((t) => model.H(t)), discount: times.map((t) => model.discount(t)) };
}

/**
 * g(X) = Σ cᵢP(0,Tᵢ)e^{−HᵢX − ½Hᵢ²ζ}: the deflated underlying at a date whose state variance is ζ (same sign as U),
 * with the products cᵢP(0,Tᵢ) and ½Hᵢ²ζ formed once per date (the same floating-point operations, in the same order,
 * as evaluating the sum term by term from scratch).
 */
class DeflatedUnderlying {
  readonly weight: Float64Array;
  readonly halfVariance: Float64Array;

  constructor(
    readonly u: UnderlyingBonds,
    zeta: number,
  ) {
    const n = u.times.length;
    this.weight = new Float64Array(n);
    this.halfVariance = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = u.H[i]!;
      this.weight[i] = u.coefficients[i]! * u.discount[i]!;
      this.halfVariance[i] = 0.5 * h * h * zeta;
    }
  }

  at(X: number): number {
    const H = this.u.H;
    const weight = this.weight;
    const halfVariance = this.halfVariance;
    let g = 0;
    for (let i = 0; i < weight.length; i++) g += weight[i]! * Math.exp(-H[i]! * X - halfVariance[i]!);
    return g;
  }
}

function signChanges(c: Float64Array): number {
  let changes = 0;
  let last = 0;
  for (let i = 0; i < c.length; i++) {
    const s = Math.sign(c[i]!);
    if (s !== 0) {
      if (last !== 0 && s !== last) changes++;
      last = s;
    }
  }
  return changes;
}

const ROOT_TOLERANCE = 1e-13;

/** The first finite end of a list of interval ends (the exercise boundary of a single root), else 0. */
function finiteEnd(intervals: readonly number[]): number {
  for (const x of intervals) if (Number.isFinite(x)) return x;
  return 0;
}

/** Points of the scan for the roots of g when its coefficients change sign more than once. */
const SCAN_STEPS = 400;
/**
 * Relative size (to Σ|terms|) below which the scan does not trust a value it did not evaluate directly, and the
 * margin of every sign it certifies. A scan value comes from the recurrence e^{−Hᵢ(X + Δ)} = e^{−HᵢX}·e^{−HᵢΔ}:
 * after at most SCAN_STEPS + 2 roundings, and with an exponent that differs from the direct one's by a few roundings
 * of an argument below 709 in size, each term is within (SCAN_STEPS + 3·709 + n)·2⁻⁵² ≈ 6e-13 of the directly
 * evaluated one, and the direct sum of n terms is within n·2⁻⁵² of the exact one: both far inside 1e-9.
 */
const SCAN_SIGN_GUARD = 1e-9;

/**
 * Roots of g on [from, to] from the signs of g at SCAN_STEPS + 1 equally spaced points X_k, each sign change
 * refined by Brent: exactly the roots of a scan that evaluates g directly at every point, for less.
 * - Between direct evaluations, terms advance by the recurrence (one multiply instead of an exponential); its value
 *   is trusted only for a sign beyond SCAN_SIGN_GUARD, else g is evaluated directly, as at both ends of every
 *   bracket handed to Brent (so Brent sees the same numbers).
 * - Points whose sign is certain are skipped: with every Hᵢ ≥ 0 and s ≥ 0, each term tᵢe^{−Hᵢs} moves from tᵢ by
 *   at most the first-order change plus ½Hᵢ²s²|tᵢ| (Taylor with remainder, e^{−ξ} ≤ 1), so
 *   |g(X + s) − g(X) − g′(X)s| ≤ ½s²Σ|tᵢ|Hᵢ²: while |g(X)| − approach·s − ½s²Σ|tᵢ|Hᵢ² stays above the guard, g keeps
 *   its sign (approach = the slope towards zero, plus the guard's share of Σ|tᵢ|Hᵢ for the slope's own error).
 */
function scanRoots(g: DeflatedUnderlying, from: number, to: number, roots: number[]): void {
  const f = (X: number): number => g.at(X);
  const H = g.u.H;
  const weight = g.weight;
  const halfVariance = g.halfVariance;
  const n = H.length;
  const term = new Float64Array(n);
  const ratio = new Float64Array(n);
  const step = (to - from) / SCAN_STEPS;
  let canSkip = step > 0;
  for (let i = 0; i < n; i++) {
    if (!(H[i]! >= 0)) canSkip = false;
    ratio[i] = Math.exp(-H[i]! * step);
  }
  const pointAt = (k: number): number => (k === 0 ? from : from + ((to - from) * k) / SCAN_STEPS);
  // The terms at X evaluated directly: their sum in index order is g.at(X), bit for bit.
  const evaluate = (X: number): void => {
    for (let i = 0; i < n; i++) term[i] = weight[i]! * Math.exp(-H[i]! * X - halfVariance[i]!);
  };

  let k = 0;
  let X = from;
  evaluate(X);
  let direct = true;
  let xPrev = from;
  let gPrev = 0;
  let prevDirect = true;
  for (;;) {
    let value = 0;
    let size = 0;
    let slope = 0;
    let size1 = 0;
    let size2 = 0;
    for (let pass = 0; pass < 2; pass++) {
      value = 0;
      size = 0;
      slope = 0;
      size1 = 0;
      size2 = 0;
      for (let i = 0; i < n; i++) {
        const t = term[i]!;
        const h = H[i]!;
        const magnitude = Math.abs(t);
        value += t;
        size += magnitude;
        slope -= t * h;
        size1 += magnitude * h;
        size2 += magnitude * h * h;
      }
      // Not `<=`: NaN or an overflowed size also falls back to the direct value.
      if (direct || Math.abs(value) > SCAN_SIGN_GUARD * size) break;
      evaluate(X);
      direct = true;
    }
    if (k > 0 && value !== 0 && gPrev !== 0 && Math.sign(value) !== Math.sign(gPrev)) {
      if (!prevDirect) gPrev = f(xPrev);
      if (!direct) value = f(X);
      roots.push(brentRoot(f, xPrev, X, gPrev, value, ROOT_TOLERANCE));
      direct = true;
    }
    if (k === SCAN_STEPS) break;
    // Points k+1 .. k+skip keep the sign of g(X_k) (one step of slack below the certified length for rounding).
    let skip = 0;
    const margin = Math.abs(value) - SCAN_SIGN_GUARD * size;
    if (canSkip && margin > 0) {
      const approach = Math.max(0, -Math.sign(value) * slope) + SCAN_SIGN_GUARD * size1;
      const curvature = 0.5 * size2 * (1 + SCAN_SIGN_GUARD);
      // Largest L with approach·L + curvature·L² <= margin.
      const certified = curvature > 0 ? (2 * margin) / (approach + Math.sqrt(approach * approach + 4 * curvature * margin)) : approach > 0 ? margin / approach : Infinity;
      skip = Math.min(Math.floor((0.999 * certified) / step) - 1, SCAN_STEPS - k - 1);
    }
    if (skip >= 1) {
      xPrev = pointAt(k + skip);
      gPrev = value; // its sign only: evaluated directly if it ends a bracket
      prevDirect = false;
      k += skip + 1;
      X = pointAt(k);
      evaluate(X);
      direct = true;
    } else {
      xPrev = X;
      gPrev = value;
      prevDirect = direct;
      k++;
      X = pointAt(k);
      for (let i = 0; i < n; i++) term[i] *= ratio[i]!;
      direct = false;
    }
  }
}

/**
 * Ends of the intervals of X where U > 0, as a flat list [lo0, hi0, lo1, hi1, ...] (±Infinity at the ends), for a
 * date whose state variance is ζ. One sign change of the coefficients (ordered by H) means exactly one root (Descartes'
 * rule for exponential sums), found by bracketing outwards from `guess`; otherwise roots are scanned on
 * [from, to] with SCAN_STEPS steps.
 */
export function exerciseIntervals(u: UnderlyingBonds, zeta: number, guess: number, from: number, to: number, single: boolean): number[] {
  const g = new DeflatedUnderlying(u, zeta);
  const f = (X: number): number => g.at(X);
  const roots: number[] = [];
  if (single) {
    const scale = Math.max(Math.sqrt(zeta), 1e-4);
    let lo = guess - scale;
    let hi = guess + scale;
    let fLo = f(lo);
    let fHi = f(hi);
    for (let k = 0; k < 80 && Math.sign(fLo) === Math.sign(fHi); k++) {
      const width = hi - lo;
      lo -= width;
      hi += width;
      fLo = f(lo);
      fHi = f(hi);
    }
    if (Math.sign(fLo) !== Math.sign(fHi)) roots.push(brentRoot(f, lo, hi, fLo, fHi, ROOT_TOLERANCE));
  } else {
    scanRoots(g, from, to, roots);
  }
  const bounds = [-Infinity, ...roots, Infinity];
  const intervals: number[] = [];
  for (let r = 0; r + 1 < bounds.length; r++) {
    const lo = bounds[r]!;
    const hi = bounds[r + 1]!;
    const probe = !Number.isFinite(lo) ? (Number.isFinite(hi) ? hi - 1 : 0) : !Number.isFinite(hi) ? lo + 1 : 0.5 * (lo + hi);
    if (f(probe) > 0) intervals.push(lo, hi);
  }
  return intervals;
}

/** Per-bond arguments and values of Φ for optionOnNodes (normCdfInto: no call per bond), n = the bonds. */
interface PhiScratch {
  argA: Float64Array;
  argB: Float64Array;
  outA: Float64Array;
  outB: Float64Array;
}

function phiScratch(n: number): PhiScratch {
  return { argA: new Float64Array(n), argB: new Float64Array(n), outA: new Float64Array(n), outB: new Float64Array(n) };
}

/**
 * Conditional option value at nodes x0 + g·h (g < count) of a date with LGM constants (Ht, ζt, P(0,t)) and remaining
 * variance v, added times `scale` into nodes. An interval end at ±∞ contributes Φ(∓∞) = 0 or 1 exactly, so an
 * interval open on one side needs one Φ per bond instead of two (the same value, bit for bit). Φ(hi) − Φ(lo) is taken
 * from the lower tail, Φ(−lo) − Φ(−hi), when lo ≥ 0 (no cancellation in the upper tail). The Φ of
 * a node's bonds are taken together (normCdfInto, the same bits as normCdf) and summed in the bonds' order, as a call
 * per bond summed them.
 */
function optionOnNodes(
  u: UnderlyingBonds,
  Ht: number,
  zt: number,
  p0t: number,
  v: number,
  x0: number,
  h: number,
  count: number,
  intervals: readonly number[],
  scale: number,
  bondScratch: Float64Array,
  ratioScratch: Float64Array,
  shiftScratch: Float64Array,
  phi: PhiScratch,
  nodes: Float64Array,
): void {
  const n = u.times.length;
  const sd = Math.sqrt(Math.max(v, 0));
  const { argA, argB, outA, outB } = phi;
  for (let i = 0; i < n; i++) {
    const hi = u.H[i]!;
    const a = hi - Ht;
    bondScratch[i] = u.coefficients[i]! * (u.discount[i]! / p0t) * Math.exp(-0.5 * (hi * hi - Ht * Ht) * zt - a * x0);
    ratioScratch[i] = Math.exp(-a * h);
    shiftScratch[i] = hi * sd;
  }
  for (let g = 0; g < count; g++) {
    const x = x0 + g * h;
    let value = 0;
    if (sd > 0) {
      for (let r = 0; r < intervals.length; r += 2) {
        const yLo = (intervals[r]! - x) / sd;
        const yHi = (intervals[r + 1]! - x) / sd;
        if (yLo === -Infinity) {
          // Φ(yHi + Hᵢ√v) − Φ(−∞).
          for (let i = 0; i < n; i++) argA[i] = yHi + shiftScratch[i]!;
          normCdfInto(argA, outA, n);
          for (let i = 0; i < n; i++) value += bondScratch[i]! * outA[i]!;
        } else if (yHi === Infinity) {
          // Φ(∞) − Φ(yLo + Hᵢ√v), from the lower tail when the lower end is at or above 0.
          for (let i = 0; i < n; i++) {
            const lo = yLo + shiftScratch[i]!;
            argA[i] = lo >= 0 ? -lo : lo;
          }
          normCdfInto(argA, outA, n);
          for (let i = 0; i < n; i++) {
            const lo = yLo + shiftScratch[i]!;
            value += bondScratch[i]! * (lo >= 0 ? outA[i]! : 1 - outA[i]!);
          }
        } else {
          // Φ(hi) − Φ(lo) as Φ(−lo) − Φ(−hi) when lo >= 0
          for (let i = 0; i < n; i++) {
            const shift = shiftScratch[i]!;
            const lo = yLo + shift;
            const hi = yHi + shift;
            argA[i] = lo >= 0 ? -lo : hi;
            argB[i] = lo >= 0 ? -hi : lo;
          }
          normCdfInto(argA, outA, n);
          normCdfInto(argB, outB, n);
          for (let i = 0; i < n; i++) value += bondScratch[i]! * (outA[i]! - outB[i]!);
        }
      }
    } else {
      for (let i = 0; i < n; i++) value += bondScratch[i]!;
      if (value < 0) value = 0;
    }
    nodes[g] += scale * value;
    for (let i = 0; i < n; i++) bondScratch[i] *= ratioScratch[i]!;
  }
}

export interface CompiledSwaption {
  /** Before expiry: the conditional option on the grid of x. */
  readonly term: NodeTerm;
  /** Last grid index of the option regime (dates before expiry), −1 if none. */
  readonly optionLastIndex: number;
  /**
   * Physical settlement after expiry: the exercise on the state at expiry, drawn from the bridge between the grid
   * dates around it, or the grid state where expiry is a grid date (ExerciseMask in ratePool.ts).
   */
  readonly exercise: ExerciseMask;
  /** Last grid index at which the trade is alive. */
  readonly lastIndex: number;
  /** λ: remaining-variance scale matched to today's price. */
  readonly varianceScale: number;
  /**
   * How far today's (vol surface) price is below the LGM's zero-variance value, in the trade's currency (0 when
   * matched); when positive, λ = 0 and the path price at t = 0 is today's price plus this amount.
   */
  readonly priceBelowIntrinsic: number;
  /**
   * Close to expiry (remaining deviation √v below SWAPTION_BAND_SD_STEPS steps h of the pool's state grid at d, whose
   * first node is x0): the option as masked node tables (SwaptionBandTables), and true; else false, and the option is
   * on the pool's nodes (term.addNodes adds it there exactly when this returns false).
   */
  bandTables(d: number, x0: number, h: number, out: SwaptionBandTables): boolean;
  /**
   * The option at date d (before expiry) as the GPU backend's per-path formula (options.ts DeviceLegEntry `lgm`), on a
   * pool grid (x0, h) at d (the exercise boundaries are searched over it, as addNodes and bandTables search them):
   * the remaining deviation √v and the leg's data [n bonds, n intervals, then per bond C_i, a_i = H_i − H_t,
   * s_i = H_i·√v, then per interval lo, hi (an infinite end as ±SWAPTION_LEG_INFINITY)], so that the value in the
   * trade's currency at state x is sign·Σ_r Σ_i C_i·e^{−a_i·x}·[Φ((hi_r − x)/√v + s_i) − Φ((lo_r − x)/√v + s_i)]
   * (sign·max(Σ_i C_i·e^{−a_i·x}, 0) when v = 0); null after expiry.
   */
  deviceLeg(d: number, x0: number, h: number): { sd: number; sign: number; data: Float64Array } | null;
}

/** An infinite end of an exercise interval in a device leg's data (finite in f32 after a division by √v ≥ 1e-8). */
export const SWAPTION_LEG_INFINITY = 1e30;

/**
 * Below this many grid steps of remaining deviation √v the option's nodes on the pool's state grid (60 nodes over the
 * paths' range) no longer resolve its bend at the exercise boundary: the worst path's interpolation error is about
 * 1.4e-6 of the notional at 5 steps and grows like (h/√v)⁶ towards expiry (3.6e-4 the day before, docs/simulation.md).
 * Below it the option is valued on band tables (bandTables).
 */
export const SWAPTION_BAND_SD_STEPS = 5;
/**
 * Half-width of the band around an exercise boundary r, in √v beyond the bonds' largest shift |H_i|·√v: outside
 * |x − r| ≤ √v·(Z + max|H_i|·√v) every Φ of the option is within Φ(−Z) = 7.8e-11 of 0 or 1, so the option is its
 * underlying swap on the exercise side and 0 on the other, to 7.8e-11 of the bonds' sum of sizes.
 */
export const SWAPTION_BAND_Z = 6.4;
/**
 * Largest node step of a band table in √v: three tables of 60 nodes across a band. The 6-point remainder scales as
 * step⁶; measured against the conditional LGM price at 1 to 60 days before expiry (test/valuation.test.ts): within
 * 7e-13 of the notional at 0.05, 1.7e-10 at 0.2.
 */
export const SWAPTION_BAND_STEP = 0.1;

/**
 * A swaption close to expiry at one date as node tables of GRID_NODES nodes each, with masks: table k has first node
 * x0[k], step h[k], node values nodes[k·GRID_NODES ..) (currency units, the holder's sign) and counts where the state
 * at the date lies in one of its open intervals masks[k] = [lo0, hi0, lo1, hi1, ...] (masksLength[k] numbers). Table 0
 * is the underlying swap on the pool's grid, masked to the exercise region outside the bands; tables 1 .. count−1
 * cover the bands around the exercise boundaries, one interval each. Each path lies in at most one mask. Reused from
 * call to call (valid until the next bandTables call of the same swaption).
 */
export interface SwaptionBandTables {
  count: number;
  x0: Float64Array;
  h: Float64Array;
  nodes: Float64Array;
  masks: Float64Array[];
  masksLength: Int32Array;
}

/** An empty SwaptionBandTables for bandTables to fill (grown as needed). */
export function swaptionBandTables(): SwaptionBandTables {
  return { count: 0, x0: new Float64Array(0), h: new Float64Array(0), nodes: new Float64Array(0), masks: [], masksLength: new Int32Array(0) };
}

function ensureTables(out: SwaptionBandTables, count: number): void {
  if (out.x0.length < count) {
    const size = Math.max(count, 2 * out.x0.length);
    out.x0 = new Float64Array(size);
    out.h = new Float64Array(size);
    out.nodes = new Float64Array(size * GRID_NODES);
    const masksLength = new Int32Array(size);
    masksLength.set(out.masksLength);
    out.masksLength = masksLength;
    while (out.masks.length < size) out.masks.push(new Float64Array(2));
  }
}

function setMask(out: SwaptionBandTables, k: number, values: readonly number[]): void {
  if (out.masks[k]!.length < values.length) out.masks[k] = new Float64Array(Math.max(values.length, 2 * out.masks[k]!.length));
  out.masks[k]!.set(values);
  out.masksLength[k] = values.length;
}

/** Open intervals of `region` (flat lo/hi pairs, sorted) outside the sorted disjoint `bands` (flat pairs). */
function outsideBands(region: readonly number[], bands: readonly number[]): number[] {
  const result: number[] = [];
  for (let r = 0; r < region.length; r += 2) {
    let lo = region[r]!;
    const hi = region[r + 1]!;
    for (let b = 0; b < bands.length && lo < hi; b += 2) {
      const bl = bands[b]!;
      const bh = bands[b + 1]!;
      if (bh <= lo || bl >= hi) continue;
      if (bl > lo) result.push(lo, bl);
      lo = bh;
    }
    if (lo < hi) result.push(lo, hi);
  }
  return result;
}

/** Compiled swaptions per trade object, with what they were compiled against (compileSwaptionOnce). */
const compiledSwaptions = new WeakMap<Swaption, { market: Market; grid: TimeGrid; lgm: LgmOnGrid; compiled: CompiledSwaption }>();

/**
 * compileSwaption, calibrated once per trade object, market, grid and LGM: the GPU backend's figures route compiles
 * each trade of a set on its own after the set, and the variance calibration (root finding on the option value) ran
 * twice. The term is the same function with the caller's trade index (its scratch is shared: one thread, one call at
 * a time).
 */
export function compileSwaptionOnce(trade: Swaption, tradeIndex: number, market: Market, grid: TimeGrid, lgm: LgmOnGrid, collateralCurrency?: Currency): CompiledSwaption {
  const held = compiledSwaptions.get(trade);
  let compiled: CompiledSwaption;
  if (held && held.market === market && held.grid === grid && held.lgm === lgm) compiled = held.compiled;
  else compiledSwaptions.set(trade, { market, grid, lgm, compiled: (compiled = compileSwaption(trade, tradeIndex, market, grid, lgm, collateralCurrency)) });
  if (compiled.term.tradeIndex === tradeIndex) return compiled;
  const { addNodes, lastIndex } = compiled.term;
  return { ...compiled, term: { tradeIndex, lastIndex, addNodes } };
}

/** `collateralCurrency`: the set's, whose curve `lgm` is on (today's price, the variance's target, on the same curve). */
export function compileSwaption(trade: Swaption, tradeIndex: number, market: Market, grid: TimeGrid, lgm: LgmOnGrid, collateralCurrency?: Currency): CompiledSwaption {
  const u = underlyingBonds(trade, market, lgm);
  const sign = trade.direction === 'buy' ? 1 : -1;
  const expiry = market.time(trade.expiryDate);
  const zetaE = lgm.model.zeta(expiry);
  const single = signChanges(u.coefficients) <= 1;
  const n = u.times.length;
  const bondScratch = new Float64Array(n);
  const ratioScratch = new Float64Array(n);
  const shiftScratch = new Float64Array(n);
  const phi = phiScratch(n);
  const one = new Float64Array(1);

  // Option value at t = 0, x = 0 as a function of the variance to expiry.
  const valueToday = (v: number): number => {
    const sdE = Math.sqrt(Math.max(v, 0));
    const intervals = exerciseIntervals(u, v, 0, -12 * sdE - 1e-3, 12 * sdE + 1e-3, single);
    one[0] = 0;
    optionOnNodes(u, lgm.model.H(0), 0, 1, v, 0, 0, 1, intervals, 1, bondScratch, ratioScratch, shiftScratch, phi, one);
    return one[0]!;
  };
  let varianceToday = zetaE;
  let belowIntrinsic = 0;
  if (expiry > 0) {
    const target = sign * priceSwaption(trade, market, collateralCurrency);
    const f = (v: number): number => valueToday(v) - target;
    const f0 = f(0);
    if (f0 > 1e-12 * Math.max(Math.abs(target), 1)) {
      // The vol surface's price is below the LGM's zero-variance value max(U(0), 0) (possible for deep in-the-money
      // quotes under another annuity/basis convention, or a sold option's sign): no variance reproduces it. Take the
      // smallest feasible variance, λ = 0: before expiry the option is then its LGM intrinsic value max(U(t, x), 0),
      // and at t = 0 the path price exceeds today's price by f0 (reported as priceBelowIntrinsic).
      belowIntrinsic = f0;
    }
    let hi = Math.max(zetaE, 1e-6);
    let fHi = f(hi);
    for (let k = 0; k < 60 && fHi < 0; k++) {
      hi *= 4;
      fHi = f(hi);
    }
    if (fHi < 0) {
      const params = lgm.model.params;
      throw new Error(
        `trade ${trade.tradeId}: no LGM variance reproduces the swaption's price ${target} under the ${params.currency} Hull-White mean reversion ${params.meanReversion} ` +
          `(rates.${params.currency}.hullWhite and rates.${params.currency}.swaptionVols of the market file: are the mean reversion and the vols right?)`,
      );
    }
    varianceToday = f0 >= 0 ? 0 : brentRoot(f, 0, hi, f0, fHi, 1e-18 + 1e-14 * hi);
  }
  const lambda = zetaE > 0 ? varianceToday / zetaE : 1;
  const remaining = (d: number): number =>
    zetaE > 0 ? lambda * (zetaE - lgm.zeta[d]!) : expiry > 0 ? (varianceToday * (expiry - grid.times[d]!)) / expiry : 0;

  const optionLastIndex = lastIndexBefore(grid.dates, trade.expiryDate);
  // The bracket's starting guess for a single exercise boundary: today's boundary, computed once, so that the root
  // found at a date depends on that date alone and not on which dates were valued before it (a netting set valued
  // with or without its MPoR lag dates, e.g. at collateral coverages 0 and 1, has the same bits on its exposure dates).
  const rootGuess = single ? finiteEnd(exerciseIntervals(u, lgm.zeta[0]! + remaining(0), 0, 0, 0, true)) : 0;
  // The exercise intervals at date d (remaining variance v), searched over a pool grid (x0, h) widened by 12√v: the same
  // for the option's nodes (addNodes), its band tables and its device leg.
  const intervalsAt = (d: number, v: number, x0: number, h: number): number[] => {
    const span = 12 * Math.sqrt(Math.max(v, 0)) + 1e-3;
    return exerciseIntervals(u, lgm.zeta[d]! + v, rootGuess, x0 - span, x0 + (GRID_NODES - 1) * h + span, single);
  };
  const term: NodeTerm = {
    tradeIndex,
    lastIndex: optionLastIndex,
    addNodes(d: number, x0: number, h: number, nodes: Float64Array): boolean {
      if (d > optionLastIndex) return false;
      const v = remaining(d);
      if (inBandRegime(v, h)) return false; // bandTables values it
      const zt = lgm.zeta[d]!;
      const intervals = intervalsAt(d, v, x0, h);
      optionOnNodes(u, lgm.H[d]!, zt, lgm.discount[d]!, v, x0, h, GRID_NODES, intervals, sign, bondScratch, ratioScratch, shiftScratch, phi, nodes);
      return true;
    },
  };

  const maturity = Math.max(trade.fixedLeg.maturityDate, trade.floatLeg.maturityDate);
  const exerciseIndex = lastIndexOnOrBefore(grid.dates, trade.expiryDate);
  const stream = exerciseStream(trade.tradeId);
  let exercise: ExerciseMask = { index: exerciseIndex, next: exerciseIndex, weight: 0, sd: 0, intervals: new Float64Array(0), stream, gap: 0 };
  let lastIndex = optionLastIndex;
  if (trade.settlement === 'physical') {
    lastIndex = lastIndexBefore(grid.dates, maturity);
    if (exerciseIndex >= 0 && lastIndex > optionLastIndex) {
      const intervalsAt = (zeta: number): Float64Array => {
        const sdE = Math.sqrt(zeta);
        return Float64Array.from(exerciseIntervals(u, zeta, 0, -12 * sdE - 1e-3, 12 * sdE + 1e-3, single));
      };
      const ze = lgm.zeta[exerciseIndex]!;
      exercise = { index: exerciseIndex, next: exerciseIndex, weight: 0, sd: 0, intervals: intervalsAt(ze), stream, gap: 0 };
      const next = exerciseIndex + 1;
      // expiry between two grid dates: the state at expiry as the bridge between them
      if (grid.dates[exerciseIndex]! < trade.expiryDate && next < grid.dates.length) {
        const zn = lgm.zeta[next]!;
        const zT = Math.min(Math.max(zetaE, ze), zn);
        if (zn > ze) {
          const weight = (zT - ze) / (zn - ze);
          const sd = Math.sqrt(Math.max(0, ((zT - ze) * (zn - zT)) / (zn - ze)));
          exercise = { index: exerciseIndex, next, weight, sd, intervals: intervalsAt(zT), stream, gap: zT - ze };
        }
      }
    }
  } else if (trade.expiryDate === market.asOf) {
    throw new Error(`trade ${trade.tradeId}: a cash-settled swaption expiring on the as-of date is not supported on paths (it settles today)`);
  }
  let maxAbsH = 0;
  for (let i = 0; i < n; i++) maxAbsH = Math.max(maxAbsH, Math.abs(u.H[i]!));
  const bandTables = (d: number, x0: number, h: number, out: SwaptionBandTables): boolean => {
    if (d > optionLastIndex) return false;
    const v = remaining(d);
    if (!inBandRegime(v, h)) return false;
    const sd = Math.sqrt(Math.max(v, 0));
    const zt = lgm.zeta[d]!;
    const Ht = lgm.H[d]!;
    const p0t = lgm.discount[d]!;
    const intervals = intervalsAt(d, v, x0, h);
    // the bands around the exercise boundaries (the intervals' finite ends), merged where they overlap
    const halfWidth = sd * (SWAPTION_BAND_Z + maxAbsH * sd);
    const bands: number[] = [];
    if (halfWidth > 0) {
      for (const r of intervals) {
        if (!Number.isFinite(r)) continue;
        const lo = r - halfWidth;
        const hi = r + halfWidth;
        if (bands.length > 0 && lo <= bands[bands.length - 1]!) bands[bands.length - 1] = hi;
        else bands.push(lo, hi);
      }
    }
    // tables: the underlying swap on the pool's grid, then each band in pieces of GRID_NODES − 5 steps of at most
    // SWAPTION_BAND_STEP·√v (nodes 2 .. GRID_NODES−3 cover a piece, so a path's stencil stays inside its table)
    const cells = GRID_NODES - 5;
    let count = 1;
    const pieces: number[] = [];
    for (let b = 0; b < bands.length; b += 2) {
      const m = Math.max(1, Math.ceil((bands[b + 1]! - bands[b]!) / (SWAPTION_BAND_STEP * sd * cells)));
      pieces.push(m);
      count += m;
    }
    ensureTables(out, count);
    out.count = count;
    out.nodes.fill(0, 0, count * GRID_NODES);
    out.x0[0] = x0;
    out.h[0] = h;
    underlyingOnNodes(u, Ht, zt, p0t, x0, h, sign, out.nodes.subarray(0, GRID_NODES));
    setMask(out, 0, outsideBands(intervals, bands));
    let k = 1;
    for (let b = 0; b < bands.length; b += 2) {
      const m = pieces[b / 2]!;
      const width = (bands[b + 1]! - bands[b]!) / m;
      for (let j = 0; j < m; j++, k++) {
        const lo = bands[b]! + j * width;
        const hi = j === m - 1 ? bands[b + 1]! : lo + width;
        const hk = (hi - lo) / cells;
        out.x0[k] = lo - 2 * hk;
        out.h[k] = hk;
        optionOnNodes(u, Ht, zt, p0t, v, lo - 2 * hk, hk, GRID_NODES, intervals, sign, bondScratch, ratioScratch, shiftScratch, phi, out.nodes.subarray(k * GRID_NODES, (k + 1) * GRID_NODES));
        setMask(out, k, [lo, hi]);
      }
    }
    return true;
  };
  const deviceLeg = (d: number, x0: number, h: number): { sd: number; sign: number; data: Float64Array } | null => {
    if (d > optionLastIndex) return null;
    const v = remaining(d);
    const sd = Math.sqrt(Math.max(v, 0));
    const zt = lgm.zeta[d]!;
    const Ht = lgm.H[d]!;
    const p0t = lgm.discount[d]!;
    const intervals = intervalsAt(d, v, x0, h);
    const data = new Float64Array(2 + 3 * n + intervals.length);
    data[0] = n;
    data[1] = intervals.length / 2;
    for (let i = 0; i < n; i++) {
      const hi = u.H[i]!;
      // optionOnNodes' bond term at x = 0: P(t, T_i | x) = C_i·e^{−a_i·x}
      data[2 + 3 * i] = u.coefficients[i]! * (u.discount[i]! / p0t) * Math.exp(-0.5 * (hi * hi - Ht * Ht) * zt);
      data[3 + 3 * i] = hi - Ht;
      data[4 + 3 * i] = hi * sd;
    }
    const iv0 = 2 + 3 * n;
    for (let r = 0; r < intervals.length; r++) data[iv0 + r] = Math.max(-SWAPTION_LEG_INFINITY, Math.min(SWAPTION_LEG_INFINITY, intervals[r]!));
    return { sd, sign, data };
  };
  return { term, optionLastIndex, exercise, lastIndex, varianceScale: lambda, priceBelowIntrinsic: belowIntrinsic, bandTables, deviceLeg };
}

/** Whether a date with remaining variance v is valued on band tables for a pool grid of step h. */
function inBandRegime(v: number, h: number): boolean {
  return Math.sqrt(Math.max(v, 0)) < SWAPTION_BAND_SD_STEPS * h;
}

/**
 * nodes[g] = scale·U(t, x0 + g·h), the underlying swap Σ_i c_i·P(t, T_i | x) at the nodes (the option's value where
 * every Φ is 1: optionOnNodes' bond terms, formed the same way).
 */
function underlyingOnNodes(u: UnderlyingBonds, Ht: number, zt: number, p0t: number, x0: number, h: number, scale: number, nodes: Float64Array): void {
  const n = u.times.length;
  for (let g = 0; g < GRID_NODES; g++) nodes[g] = 0;
  for (let i = 0; i < n; i++) {
    const hi = u.H[i]!;
    const a = hi - Ht;
    let bond = u.coefficients[i]! * (u.discount[i]! / p0t) * Math.exp(-0.5 * (hi * hi - Ht * Ht) * zt - a * x0);
    const ratio = Math.exp(-a * h);
    for (let g = 0; g < GRID_NODES; g++) {
      nodes[g] += scale * bond;
      bond *= ratio;
    }
  }
}

/**
 * Per path whether an exercised swaption's underlying counts (ExerciseMask), 1 or 0: whether the state at expiry lies
 * in an exercise interval, on a grid date (sd = 0) the grid state itself, else drawn from the bridge N(m, sd²) between
 * the grid states at `index` and `next` with the path's exercise draw (exerciseDraws.ts); that state into `drawn`.
 */
export function exerciseMask(exercise: ExerciseMask, paths: SimulatedPaths, irIndex: number, mask: Float64Array, drawn?: Float64Array): void {
  const n = paths.nPaths;
  const xs = paths.irState[irIndex]!;
  const off = exercise.index * n;
  const offNext = exercise.next * n;
  const { weight, sd, intervals: iv } = exercise;
  if (sd > 0) exerciseNormals(paths.seed, paths.pathOffset, n, exercise.stream, 0, mask, paths.antithetic === true);
  for (let p = 0; p < n; p++) {
    const xe = xs[off + p]!;
    const x = sd > 0 ? xe + weight * (xs[offNext + p]! - xe) + sd * mask[p]! : xe;
    if (drawn !== undefined) drawn[p] = x;
    let inside = 0;
    for (let r = 0; r < iv.length; r += 2) {
      if (x > iv[r]! && x < iv[r + 1]!) inside = 1;
    }
    mask[p] = inside;
  }
}
