/**
 * Integration weights of the XVA sums (docs/xva.md, "Discretisation"). Every metric here is a linear functional of a
 * discounted exposure profile on the exposure dates t_0 = 0 < t_1 < ... < t_n:
 *
 *   metric = Σ_k W[k] · X(t_k)
 *
 * so a netting set's figure and the sum of its trades' Euler figures use the same W and agree exactly (linearity).
 * The interval i = (t_{i-1}, t_i] carries an interval weight w_i, and its exposure is taken
 *   'end' (ORE, "advanced"): X(t_i), so W[i] += w_i;
 *   'mid' (default): the trapezoid ½(X(t_{i-1}) + X(t_i)), so W[i-1] += ½ w_i and W[i] += ½ w_i.
 * Survival and funding factors are read at t_i ('end') or at the interval's mid-time ('mid').
 */
export type Discretisation = 'mid' | 'end';

/** How the other party's default enters CVA (and the counterparty's enters DVA). */
export type DefaultMode = 'unilateral' | 'bilateral' | 'first-to-default';

export const DISCRETISATIONS: readonly Discretisation[] = ['mid', 'end'];
export const DEFAULT_MODES: readonly DefaultMode[] = ['unilateral', 'bilateral', 'first-to-default'];

export interface SurvivalCurve {
  survival(t: number): number;
}

/** Spreads interval weights over the dates according to the discretisation. */
function spread(intervalWeights: Float64Array, discretisation: Discretisation): Float64Array {
  const n = intervalWeights.length;
  const w = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const wi = intervalWeights[i]!;
    if (discretisation === 'end') w[i] = w[i]! + wi;
    else {
      w[i - 1] = w[i - 1]! + 0.5 * wi;
      w[i] = w[i]! + 0.5 * wi;
    }
  }
  return w;
}

/**
 * Default weights of the party `defaulter` (times in years ACT/365F, t_0 = 0 first): the probability that it defaults
 * in each interval, conditioned on the `other` party as the mode says.
 *  - unilateral: ΔPD_i = S_D(t_{i-1}) − S_D(t_i) (ORE's CVA and DVA).
 *  - bilateral: ΔPD_i · S_O(τ_i), the other party still alive at the interval's exposure time τ_i (end or mid).
 *  - first-to-default: P(D defaults in the interval before O) with independent defaults and each party's hazard rate
 *    constant over the interval: λ_D/(λ_D + λ_O) · [S_D S_O(t_{i-1}) − S_D S_O(t_i)] (Brigo, Morini and Pallavicini,
 *    "Counterparty Credit Risk, Collateral and Funding", 2013, §3: first-to-default closeout).
 * Returned spread over the dates (sum_k W[k] X(t_k)); LGD is not included.
 */
export function defaultWeights(
  times: Float64Array,
  defaulter: SurvivalCurve,
  other: SurvivalCurve | undefined,
  mode: DefaultMode,
  discretisation: Discretisation,
): Float64Array {
  const n = times.length;
  const interval = new Float64Array(n);
  let sPrev = defaulter.survival(times[0]!);
  let oPrev = other ? other.survival(times[0]!) : 1;
  for (let i = 1; i < n; i++) {
    const t0 = times[i - 1]!;
    const t1 = times[i]!;
    const s = defaulter.survival(t1);
    const o = other ? other.survival(t1) : 1;
    const dPd = sPrev - s;
    if (mode === 'unilateral' || !other) interval[i] = dPd;
    else if (mode === 'bilateral') {
      const at = discretisation === 'end' ? o : other.survival(0.5 * (t0 + t1));
      interval[i] = dPd * at;
    } else {
      // hazards over the interval implied by the two survival curves
      const lambdaD = t1 > t0 && s > 0 && sPrev > 0 ? Math.log(sPrev / s) / (t1 - t0) : 0;
      const lambdaO = t1 > t0 && o > 0 && oPrev > 0 ? Math.log(oPrev / o) / (t1 - t0) : 0;
      const joint = sPrev * oPrev - s * o;
      interval[i] = lambdaD + lambdaO > 0 ? (lambdaD / (lambdaD + lambdaO)) * joint : 0;
    }
    sPrev = s;
    oPrev = o;
  }
  return spread(interval, discretisation);
}

/**
 * Funding weights: τ_i · S_C(τ) · S_B(τ) for each interval (survival of both parties at the exposure time, end or
 * mid), times the spread (decimal per year) by the caller: FCA = s_borrow Σ W[k] EPE(t_k) (Green, "XVA", 2015, ch. 9:
 * the funding cost integral E ∫ s_B(t) S_C(t) S_B(t) EPE(t) dt).
 */
export function fundingWeights(times: Float64Array, counterparty: SurvivalCurve, own: SurvivalCurve | undefined, discretisation: Discretisation): Float64Array {
  const n = times.length;
  const interval = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const t0 = times[i - 1]!;
    const t1 = times[i]!;
    const at = discretisation === 'end' ? t1 : 0.5 * (t0 + t1);
    interval[i] = (t1 - t0) * counterparty.survival(at) * (own ? own.survival(at) : 1);
  }
  return spread(interval, discretisation);
}

/** Σ_k w[k] x[offset + k] over the first w.length entries. */
export function weightedSum(w: Float64Array, x: ArrayLike<number>, offset = 0): number {
  let sum = 0;
  for (let k = 0; k < w.length; k++) sum += w[k]! * x[offset + k]!;
  return sum;
}
