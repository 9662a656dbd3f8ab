/**
 * Yield curves from zero-rate pillars (continuously compounded, ACT/365F years from the as-of date).
 *
 * - `logLinear`: ln P(t) linear between pillars, i.e. piecewise-flat instantaneous forwards.
 * - `monotoneConvex`: Hagan & West (2006), monotoneConvex.ts.
 *
 * Extrapolation (both methods): before the first pillar the curve starts at P(0) = 1 (for logLinear this is a flat
 * forward equal to the first zero rate, for monotoneConvex the method's own first interval from t = 0); after the
 * last pillar the instantaneous forward stays flat at its value at the last pillar (the last discrete forward for
 * logLinear, the last node forward f_n for monotoneConvex, which keeps the forward continuous). Times t <= 0 give
 * P = 1: flows on or before the as-of date are not discounted.
 */
import type { Currency } from '../products/types.js';
import type { Interpolation, YieldCurve } from './types.js';
import { monotoneConvexShape, shapeIntegral, shapeValue, type MonotoneConvexShape } from './monotoneConvex.js';

/** A curve built from pillars: the YieldCurve contract plus the instantaneous forward and the method. */
export interface PillarYieldCurve extends YieldCurve {
  readonly interpolation: Interpolation;
  /** Instantaneous forward f(0, t) = -d ln P / dt (right-continuous at the logLinear pillars). */
  instantaneousForward(t: number): number;
}

export interface YieldCurveSpec {
  name: string;
  currency: Currency;
  /** Pillar times, years, strictly increasing, > 0. */
  times: Float64Array;
  /** Continuously compounded zero rates at the pillars. */
  zeroRates: Float64Array;
  interpolation: Interpolation;
}

function simpleForward(curve: YieldCurve, t1: number, t2: number, tau: number): number {
  if (!(tau > 0)) throw new Error(`forward rate of ${curve.name}: accrual fraction must be positive, got ${tau}`);
  return (curve.discount(t1) / curve.discount(t2) - 1) / tau;
}

class InterpolatedCurve implements PillarYieldCurve {
  readonly pillarTimes: Float64Array;
  readonly pillarZeroRates: Float64Array;
  /** -ln P at the pillars. */
  private readonly logDiscounts: Float64Array;
  /** logLinear: forward on interval i (ending at pillar i). */
  private readonly flatForwards: Float64Array;
  private readonly shape: MonotoneConvexShape | undefined;
  private readonly forwardAfterLast: number;

  constructor(
    readonly name: string,
    readonly currency: Currency,
    times: Float64Array,
    zeroRates: Float64Array,
    readonly interpolation: Interpolation,
  ) {
    const n = times.length;
    this.pillarTimes = Float64Array.from(times);
    this.pillarZeroRates = Float64Array.from(zeroRates);
    this.logDiscounts = new Float64Array(n);
    for (let i = 0; i < n; i++) this.logDiscounts[i] = zeroRates[i]! * times[i]!;
    this.flatForwards = new Float64Array(n);
    let prevT = 0;
    let prevY = 0;
    for (let i = 0; i < n; i++) {
      this.flatForwards[i] = (this.logDiscounts[i]! - prevY) / (times[i]! - prevT);
      prevT = times[i]!;
      prevY = this.logDiscounts[i]!;
    }
    if (interpolation === 'monotoneConvex') {
      this.shape = monotoneConvexShape(this.pillarTimes, this.logDiscounts);
      this.forwardAfterLast = this.shape.nodeForwards[n]!;
    } else {
      this.shape = undefined;
      this.forwardAfterLast = this.flatForwards[n - 1]!;
    }
  }

  /** Index of the first pillar with time >= t (n when t is after the last pillar). */
  private intervalOf(t: number): number {
    const times = this.pillarTimes;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** -ln P(t) for t > 0. */
  private logDiscount(t: number): number {
    const n = this.pillarTimes.length;
    const i = this.intervalOf(t);
    if (i === n) return this.logDiscounts[n - 1]! + this.forwardAfterLast * (t - this.pillarTimes[n - 1]!);
    if (this.pillarTimes[i] === t) return this.logDiscounts[i]!;
    const tPrev = i === 0 ? 0 : this.pillarTimes[i - 1]!;
    const yPrev = i === 0 ? 0 : this.logDiscounts[i - 1]!;
    const fd = this.flatForwards[i]!;
    if (this.shape === undefined) return yPrev + fd * (t - tPrev);
    const h = this.pillarTimes[i]! - tPrev;
    const x = (t - tPrev) / h;
    return yPrev + h * (fd * x + shapeIntegral(this.shape, i, x));
  }

  discount(t: number): number {
    if (t <= 0) return 1;
    return Math.exp(-this.logDiscount(t));
  }

  zeroRate(t: number): number {
    if (t <= 0) return this.instantaneousForward(0);
    const i = this.intervalOf(t);
    if (i < this.pillarTimes.length && this.pillarTimes[i] === t) return this.pillarZeroRates[i]!;
    return this.logDiscount(t) / t;
  }

  forwardRate(t1: number, t2: number, tau: number): number {
    return simpleForward(this, t1, t2, tau);
  }

  instantaneousForward(t: number): number {
    const n = this.pillarTimes.length;
    if (t < 0) t = 0;
    if (t >= this.pillarTimes[n - 1]!) return this.forwardAfterLast;
    // Interval containing t, right-continuous: t in [t_{i-1}, t_i).
    let i = this.intervalOf(t);
    if (this.pillarTimes[i] === t) i++;
    if (this.shape === undefined) return this.flatForwards[i]!;
    const tPrev = i === 0 ? 0 : this.pillarTimes[i - 1]!;
    const x = (t - tPrev) / (this.pillarTimes[i]! - tPrev);
    return this.flatForwards[i]! + shapeValue(this.shape, i, x);
  }
}

/**
 * Builds a curve from zero-rate pillars. Throws an Error on malformed pillars (the loader validates user input
 * first and reports it as InputIssues; this guards programmatic use).
 */
export function buildYieldCurve(spec: YieldCurveSpec): PillarYieldCurve {
  const { name, times, zeroRates } = spec;
  if (times.length === 0) throw new Error(`curve ${name}: no pillars`);
  if (times.length !== zeroRates.length) {
    throw new Error(`curve ${name}: ${times.length} pillar times but ${zeroRates.length} zero rates`);
  }
  let prev = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t) || !(t > prev)) {
      throw new Error(`curve ${name}: pillar times must be finite, positive and strictly increasing (pillar ${i}: ${t})`);
    }
    if (!Number.isFinite(zeroRates[i]!)) throw new Error(`curve ${name}: zero rate of pillar ${i} is ${zeroRates[i]}`);
    prev = t;
  }
  if (spec.interpolation !== 'logLinear' && spec.interpolation !== 'monotoneConvex') {
    throw new Error(`curve ${name}: unknown interpolation ${String(spec.interpolation)}`);
  }
  return new InterpolatedCurve(name, spec.currency, times, zeroRates, spec.interpolation);
}

/** Continuously compounded zero rate equivalent to a discount factor: r = -ln(P) / t. */
export function zeroRateFromDiscountFactor(discountFactor: number, t: number): number {
  return -Math.log(discountFactor) / t;
}

/** A curve shifted on zero rates: z'(t) = z(t) + bump(t) / 1e4, so P'(t) = P(t) exp(-bump(t)/1e4 * t). */
class BumpedCurve implements YieldCurve {
  readonly name: string;
  readonly currency: Currency;
  readonly pillarTimes: Float64Array;
  readonly pillarZeroRates: Float64Array;

  constructor(
    private readonly base: YieldCurve,
    private readonly bumpBp: (t: number) => number,
  ) {
    this.name = base.name;
    this.currency = base.currency;
    this.pillarTimes = Float64Array.from(base.pillarTimes);
    this.pillarZeroRates = new Float64Array(base.pillarTimes.length);
    for (let i = 0; i < this.pillarTimes.length; i++) {
      this.pillarZeroRates[i] = base.pillarZeroRates[i]! + bumpBp(this.pillarTimes[i]!) / 1e4;
    }
  }

  discount(t: number): number {
    if (t <= 0) return 1;
    return this.base.discount(t) * Math.exp((-this.bumpBp(t) / 1e4) * t);
  }

  zeroRate(t: number): number {
    return this.base.zeroRate(t) + this.bumpBp(Math.max(t, 0)) / 1e4;
  }

  forwardRate(t1: number, t2: number, tau: number): number {
    return simpleForward(this, t1, t2, tau);
  }
}

/**
 * The curve with its zero rates shifted by `bumpBp` basis points: a number for a parallel shift, or a function of
 * the time t (years) for a shaped shift (a triangle around one pillar gives a bucketed sensitivity). Every
 * point moves, z'(t) = z(t) + bump(t)/1e4, and the pillar zero rates report the shifted values.
 */
export function bumpCurve(curve: YieldCurve, bumpBp: number | ((t: number) => number)): YieldCurve {
  if (typeof bumpBp === 'number') {
    if (!Number.isFinite(bumpBp)) throw new Error(`bump of ${curve.name} must be finite, got ${bumpBp}`);
    const shift = bumpBp;
    return new BumpedCurve(curve, () => shift);
  }
  return new BumpedCurve(curve, bumpBp);
}

/**
 * A curve whose discount factors are the product of two curves: P(t) = P_base(t) * P_spread(t), e.g. an OIS curve
 * times a cross-currency basis spread curve (zero rates add). Pillars are the union of both curves' pillars.
 */
class ProductCurve implements YieldCurve {
  readonly pillarTimes: Float64Array;
  readonly pillarZeroRates: Float64Array;

  constructor(
    readonly name: string,
    private readonly base: YieldCurve,
    private readonly spread: YieldCurve,
  ) {
    const union = Array.from(new Set([...base.pillarTimes, ...spread.pillarTimes])).sort((a, b) => a - b);
    this.pillarTimes = Float64Array.from(union);
    this.pillarZeroRates = Float64Array.from(union, (t) => this.zeroRate(t));
  }

  get currency(): Currency {
    return this.base.currency;
  }

  discount(t: number): number {
    if (t <= 0) return 1;
    return this.base.discount(t) * this.spread.discount(t);
  }

  zeroRate(t: number): number {
    return this.base.zeroRate(t) + this.spread.zeroRate(t);
  }

  forwardRate(t1: number, t2: number, tau: number): number {
    return simpleForward(this, t1, t2, tau);
  }
}

export function multiplyCurves(name: string, base: YieldCurve, spread: YieldCurve): YieldCurve {
  return new ProductCurve(name, base, spread);
}
