/**
 * The Gaussian (LGM-type) intensity model of a credit name, the credit analogue of the LGM rates model (ORE's
 * "CrLgm", Lichters, Stamm & Gallagher 2015, §12.5). A Gaussian state y(t), y(0) = 0, a martingale under the
 * simulation measure with variance ζ(t) = σ²∫₀ᵗ e^{2κs} ds, and H(t) = (1 − e^{−κt})/κ give
 *
 *   conditional survival   S(t,T|y) = S(0,T)/S(0,t) · exp(−(H(T)−H(t))·y − ½(H(T)² − H(t)²)·ζ(t))
 *   path survival weight   Ŝ(t|y)  = S(0,t) · exp(−H(t)·y − ½H(t)²·ζ(t))
 *   intensity              λ(t|y)  = h(0,t) + H'(t)·(y + H(t)·ζ(t))      (= −∂_T ln S(t,T|y) at T = t)
 *
 * the exact analogues of the LGM zero bond, deflator 1/N and short rate. Today's hazard curve is matched exactly:
 * E[Ŝ(t|y)] = S(0,t) and E[Ŝ(t|y)·S(t,T|y)] = S(0,T) for every t ≤ T (Ŝ(t)·S(t,T) = S(0,T)·e^{−H(T)y − ½H(T)²ζ(t)}
 * and y ~ N(0, ζ(t))), whatever the correlations with the other factors. The intensity is Gaussian and may go
 * negative, as in any Gaussian short-rate model (docs/model.md).
 */
import type { CreditModelParams, HazardCurve } from '../../market/types.js';
import { lgmH, lgmHPrime, lgmVarianceUnit } from '../models/lgm/parameters.js';

export interface CreditLgm {
  readonly name: string;
  readonly curve: HazardCurve;
  readonly meanReversion: number;
  /** Absolute intensity volatility σ. */
  readonly volatility: number;
  readonly source: CreditModelParams['source'];
  H(t: number): number;
  zeta(t: number): number;
  /** Today's survival S(0, t). */
  survival(t: number): number;
}

export function creditLgm(name: string, curve: HazardCurve, params: Pick<CreditModelParams, 'meanReversion' | 'volatility' | 'source'>): CreditLgm {
  const kappa = params.meanReversion;
  const sigma = params.volatility;
  return Object.freeze({
    name,
    curve,
    meanReversion: kappa,
    volatility: sigma,
    source: params.source,
    H: (t: number) => lgmH(kappa, t),
    zeta: (t: number) => (t > 0 ? sigma * sigma * lgmVarianceUnit(kappa, 0, t) : 0),
    survival: (t: number) => curve.survival(t),
  });
}

/** Today's instantaneous hazard rate h(0, t) of a piecewise-flat hazard curve (right-continuous at the nodes). */
export function hazardAt(curve: HazardCurve, t: number): number {
  const times = curve.times;
  const n = times.length;
  for (let i = 0; i < n; i++) if (t < times[i]!) return curve.hazards[i]!;
  return curve.hazards[n - 1]!;
}

/**
 * out[p] = S(t, T | y_p) for p < n, y of path p at states[offset + p] (a date slice of SimulatedPaths.creditState).
 * One exp per path, constants hoisted.
 */
export function creditConditionalSurvivals(
  model: CreditLgm,
  t: number,
  maturity: number,
  states: Float64Array,
  offset: number,
  n: number,
  out: Float64Array,
): void {
  const hT = model.H(maturity);
  const ht = model.H(t);
  const slope = hT - ht;
  const scale = (model.survival(maturity) / model.survival(t)) * Math.exp(-0.5 * (hT * hT - ht * ht) * model.zeta(t));
  for (let p = 0; p < n; p++) out[p] = scale * Math.exp(-slope * states[offset + p]!);
}

/** out[p] = Ŝ(t | y_p) = S(0,t)·exp(−H(t)y − ½H(t)²ζ(t)), the path survival weight (E = S(0, t)). */
export function creditPathSurvivals(model: CreditLgm, t: number, states: Float64Array, offset: number, n: number, out: Float64Array): void {
  const h = model.H(t);
  const scale = model.survival(t) * Math.exp(-0.5 * h * h * model.zeta(t));
  for (let p = 0; p < n; p++) out[p] = scale * Math.exp(-h * states[offset + p]!);
}

/** out[p] = λ(t | y_p) = h(0,t) + H'(t)·(y + H(t)ζ(t)), the intensity on each path (may be negative). */
export function creditIntensities(model: CreditLgm, t: number, states: Float64Array, offset: number, n: number, out: Float64Array): void {
  const hPrime = lgmHPrime(model.meanReversion, t);
  const level = hazardAt(model.curve, t) + hPrime * model.H(t) * model.zeta(t);
  for (let p = 0; p < n; p++) out[p] = level + hPrime * states[offset + p]!;
}
