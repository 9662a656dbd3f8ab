/**
 * The linear Gauss-Markov (LGM) model of Hagan, in the notation of Lichters, Stamm & Gallagher, "Modern Derivatives
 * Pricing and Credit Exposure Analysis" (2015), ch. 11-12: a Gaussian state x(t), x(0) = 0, with variance ζ(t) under
 * the LGM measure, and a deterministic function H(t). It is Hull-White one-factor re-parametrised:
 *
 *   H(t) = (1 − e^{−κt}) / κ,   α(s) = σ(s)·e^{κs},   ζ(t) = ∫₀ᵗ α(s)² ds,
 *
 * with κ the Hull-White mean reversion and σ the piecewise-constant Hull-White short-rate volatility (LSG §11.2,
 * "Hull-White parametrisation"). Everything here is exact: ζ is the closed-form integral per volatility step.
 */
import type { HullWhiteParams, YieldCurve } from '../../../market/types.js';
import { XvaInternalError } from '../../../errors.js';

/** H(t) = (1 − e^{−κt})/κ, written with expm1 so that small κ keeps full precision; κ = 0 gives H(t) = t. */
export function lgmH(meanReversion: number, t: number): number {
  if (meanReversion === 0) return t;
  return -Math.expm1(-meanReversion * t) / meanReversion;
}

/** H'(t) = e^{−κt}, the LGM α-to-Hull-White-σ scaling. */
export function lgmHPrime(meanReversion: number, t: number): number {
  return Math.exp(-meanReversion * t);
}

/**
 * ∫ₐᵇ e^{2κs} ds = e^{2κa}·(e^{2κ(b−a)} − 1)/(2κ), with expm1 for small κ(b − a); b − a when κ = 0. This is the
 * variance one unit of Hull-White σ adds to ζ over (a, b].
 */
export function lgmVarianceUnit(meanReversion: number, a: number, b: number): number {
  if (meanReversion === 0) return b - a;
  const twoKappa = 2 * meanReversion;
  return (Math.exp(twoKappa * a) * Math.expm1(twoKappa * (b - a))) / twoKappa;
}

/**
 * ζ(t) = Σ over volatility steps σᵢ²·∫ e^{2κs} ds, exact. σ[i] applies on (sigmaTimes[i−1], sigmaTimes[i]] and the
 * last σ extends flat beyond the last time (market/types.ts HullWhiteParams).
 */
export function lgmZeta(params: HullWhiteParams, t: number): number {
  const kappa = params.meanReversion;
  const times = params.sigmaTimes;
  const sigmas = params.sigmas;
  const nSteps = sigmas.length;
  let zeta = 0;
  let left = 0;
  for (let i = 0; i < nSteps && left < t; i++) {
    const right = i === nSteps - 1 ? t : Math.min(times[i]!, t);
    if (right > left) {
      const sigma = sigmas[i]!;
      zeta += sigma * sigma * lgmVarianceUnit(kappa, left, right);
    }
    left = Math.max(left, right);
  }
  return zeta;
}

/** H at each time of `times` into `out`. */
export function lgmHArray(meanReversion: number, times: Float64Array, out: Float64Array): void {
  for (let i = 0; i < times.length; i++) out[i] = lgmH(meanReversion, times[i]!);
}

/** ζ at each time of `times` into `out`. */
export function lgmZetaArray(params: HullWhiteParams, times: Float64Array, out: Float64Array): void {
  for (let i = 0; i < times.length; i++) out[i] = lgmZeta(params, times[i]!);
}

/**
 * Checks the shape of Hull-White parameters: as many sigmas as times (at least one), strictly increasing positive
 * times, finite non-negative sigmas and a finite mean reversion. These come from the market loader or the
 * calibration, so a failure is a program error.
 */
export function checkHullWhiteParams(params: HullWhiteParams): void {
  const { sigmaTimes, sigmas, meanReversion } = params;
  if (!Number.isFinite(meanReversion)) throw new XvaInternalError(`Hull-White mean reversion ${meanReversion} is not finite`);
  if (sigmas.length === 0 || sigmas.length !== sigmaTimes.length) {
    throw new XvaInternalError(`Hull-White parameters need one sigma per time, got ${sigmas.length} sigmas and ${sigmaTimes.length} times`);
  }
  for (let i = 0; i < sigmas.length; i++) {
    const t = sigmaTimes[i]!;
    if (!(t > (i === 0 ? 0 : sigmaTimes[i - 1]!))) throw new XvaInternalError(`Hull-White sigma times must increase from 0, got ${Array.from(sigmaTimes).join(', ')}`);
    if (!(sigmas[i]! >= 0) || !Number.isFinite(sigmas[i]!)) throw new XvaInternalError(`Hull-White sigma ${sigmas[i]} is not a finite non-negative number`);
  }
}

/** The LGM model of one currency: parameters plus today's discount curve, with H, ζ and P(0, t) at hand. */
export interface LgmModel {
  readonly params: HullWhiteParams;
  readonly curve: Pick<YieldCurve, 'discount'>;
  H(t: number): number;
  zeta(t: number): number;
  discount(t: number): number;
}

export function lgmModel(params: HullWhiteParams, curve: Pick<YieldCurve, 'discount'>): LgmModel {
  checkHullWhiteParams(params);
  const kappa = params.meanReversion;
  return {
    params,
    curve,
    H: (t) => lgmH(kappa, t),
    zeta: (t) => lgmZeta(params, t),
    discount: (t) => curve.discount(t),
  };
}
