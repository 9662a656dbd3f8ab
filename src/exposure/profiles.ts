/**
 * Exposure profile of one netting set from its path values (docs/exposure.md, "Profile figures"). Per exposure date t
 * with E = V − C (value less collateral, base currency, undeflated) over n paths:
 *   EPE(t) = (1/n) Σ_p max(E_p, 0) / N_p(t)           ORE's discounted EPE, E[max(V − C, 0)/N]·N(0), N(0) = 1;
 *   ENE(t) = (1/n) Σ_p max(−(E_p + IM(t)), 0) / N_p(t)  positive number; the segregated IM held creates no liability;
 *   EE(t)  = EPE(t) / P(0, t)                          Basel EE (P the base-currency OIS discount factor);
 *   EEE(t) = max(EEE(t⁻), EE(t))                        Basel effective EE, running maximum from the as-of date;
 *   PFE(t) = q-quantile over paths of max(E_p, 0)      undiscounted, ORE's rank rule (quantile.ts);
 *   collateral(t) = (1/n) Σ_p C_p / N_p(t);  epeStdError(t) = sample standard deviation of max(E,0)/N over √n;
 *   EPE_VM(t) = (1/n) Σ_p max(E_p + IM(t), 0) / N_p(t)  after VM only: the funding exposure (FCA), the segregated IM
 *                                                       held funds nothing (it cannot be rehypothecated);
 *   collateralVm(t) = (1/n) Σ_p (C_p − IM(t)) / N_p(t)  the VM held (ColVA). Both equal EPE and collateral where IM = 0.
 * Basel EPE and effective EPE over the first year (Basel CRE53, the IMM definitions of Effective EE and Effective EPE;
 * Basel II Annex 4 ¶32): time-weighted averages Σ_k X(t_k)·Δt_k / Σ_k Δt_k over the exposure dates 0 < t_k ≤ H with
 * Δt_k = t_k − t_{k−1} (each interval weighted by the figure at its end), H = the as-of date + 1Y + 4 calendar days
 * rolled forward to a business day (ORE's rule: the 1Y grid point is included even when adjusted a few days later),
 * or the netting set's maturity when earlier. Times for these weights are Actual/Actual ISDA by default, as ORE.
 */
import { addYears, type DateSerial } from '../conventions/dates.js';
import { adjust } from '../conventions/calendar.js';
import { yearFraction } from '../conventions/dayCount.js';
import type { TimeGrid } from '../simulation/types.js';
import type { ExposureProfile } from './types.js';
import { quantileInPlace, quantileRank } from './quantile.js';

export interface ProfileInput {
  nettingSetId: string;
  counterpartyId: string;
  grid: TimeGrid;
  nPaths: number;
  /** Netting-set value V per grid date and path, date-major, base currency, undeflated. */
  values: Float64Array;
  /** Numeraire N(t) per grid date and path, date-major, with N(0) = 1. */
  numeraire: Float64Array;
  /** P(0, t_d) of the base-currency OIS curve per grid index. */
  discountFactors: Float64Array;
  /** Collateral C per grid date and path (computeCollateral); absent = uncollateralised, C = 0. */
  collateral?: Float64Array;
  /** IM held included in C per grid index (computeCollateral's return); added back on the negative side. */
  initialMarginHeld?: Float64Array;
  /**
   * IM posted by the bank per grid index (base currency, >= 0, 0 after the close-out end): not in C (the bank's
   * collateral held); it lowers the negative side only (ENE; eneVm leaves it out).
   */
  initialMarginPosted?: Float64Array;
  /** Latest maturity of the netting set's trades; caps the one-year window of EPE/EEPE. */
  maturity?: DateSerial;
  /**
   * The set's last live grid index, when the caller knows that V and C are 0 on every grid date after it (a dead set):
   * the figures of those dates are then set without a pass over the paths (EPE, ENE, EE, PFE, collateral and the
   * standard error are 0 where the IM held is 0 too; EEE carries its running maximum), the same numbers as the pass.
   */
  lastDateIndex?: number;
  /**
   * 1/N per grid date and path (numeraire's layout), needed on the exposure dates only: the engine computes it once
   * per run for all its netting sets (the same 1/N the profile would compute, so the figures are bit-identical).
   */
  inverseNumeraire?: Float64Array;
}

export interface ProfileOptions {
  /** PFE quantile, default 0.95 (0.99 for a stricter limit). */
  pfeQuantile?: number;
  /** Day count of the time weights of the one-year Basel averages: ORE's Actual/Actual ISDA by default. */
  eepeDayCount?: 'ACT/ACT' | 'ACT/365F';
  /**
   * The paths are antithetic pairs (2i, 2i + 1): the EPE standard error is then that of the pairs' means, the
   * independent samples (pairStandardError); the paths' own sample variance overstates it.
   */
  antithetic?: boolean;
}

export const DEFAULT_PFE_QUANTILE = 0.95;

/** Grid indices of the exposure dates (exposureDate = 1), ascending. */
export function exposureDateIndices(grid: TimeGrid): Int32Array {
  let count = 0;
  for (let d = 0; d < grid.exposureDate.length; d++) if (grid.exposureDate[d] === 1) count++;
  const out = new Int32Array(count);
  for (let d = 0, k = 0; d < grid.exposureDate.length; d++) if (grid.exposureDate[d] === 1) out[k++] = d;
  return out;
}

/** Computes the profile; `scratch` (>= nPaths values) avoids an allocation when called for many netting sets. */
export function computeProfile(input: ProfileInput, options: ProfileOptions = {}, scratch?: Float64Array): ExposureProfile {
  const { grid, nPaths, values, numeraire, discountFactors, collateral, initialMarginHeld, initialMarginPosted, inverseNumeraire } = input;
  const nDates = grid.dates.length;
  const quantile = options.pfeQuantile ?? DEFAULT_PFE_QUANTILE;
  if (!(quantile > 0 && quantile < 1)) throw new RangeError(`the PFE quantile must be strictly between 0 and 1, got ${quantile}`);
  quantileRank(quantile, nPaths); // validates nPaths
  const cells = nDates * nPaths;
  if (values.length < cells || numeraire.length < cells || (collateral && collateral.length < cells)) {
    throw new RangeError(`netting set ${input.nettingSetId}: path arrays must hold ${nDates} dates × ${nPaths} paths`);
  }
  if (discountFactors.length < nDates) throw new RangeError(`discountFactors must hold ${nDates} grid dates`);
  const positive = scratch && scratch.length >= nPaths ? scratch : new Float64Array(nPaths);

  const dateIndex = exposureDateIndices(grid);
  const m = dateIndex.length;
  if (m === 0 || dateIndex[0] !== 0) throw new RangeError('the as-of date (grid index 0) must be an exposure date');
  const profile = emptyProfile(input.nettingSetId, input.counterpartyId, dateIndex);

  const lastLive = input.lastDateIndex ?? nDates - 1;
  for (let k = 0; k < m; k++) {
    const d = dateIndex[k]!;
    const base = d * nPaths;
    const im = initialMarginHeld ? initialMarginHeld[d]! : 0;
    const posted = initialMarginPosted ? initialMarginPosted[d]! : 0;
    if (d > lastLive && im === 0 && posted === 0 && k > 0) {
      // Dead set: E = 0 on every path, so every sum is 0 (the typed arrays start at 0); EEE keeps its maximum.
      profile.times[k] = grid.times[d]!;
      profile.eee[k] = Math.max(profile.eee[k - 1]!, 0);
      continue;
    }
    // Sums of max(E,0)/N shifted by path 0's value (exact zero variance for a deterministic date, no cancellation).
    const e0 = values[base]! - (collateral ? collateral[base]! : 0);
    const shift = e0 > 0 ? e0 / numeraire[base]! : 0;
    let sumPos = 0;
    let sumPosSq = 0;
    // Σ y(2i)·y(2i+1) over the path pairs, for the standard error of antithetic pairs
    let sumPair = 0;
    let previous = 0;
    let sumNeg = 0;
    let sumColl = 0;
    let sumPosVm = 0;
    let sumVm = 0;
    for (let p = 0; p < nPaths; p++) {
      const c = collateral ? collateral[base + p]! : 0;
      const e = values[base + p]! - c;
      const inverseN = inverseNumeraire !== undefined ? inverseNumeraire[base + p]! : 1 / numeraire[base + p]!;
      // Positive and negative parts without branches (the sign of E is a coin flip on many paths, and V8's Math.max
      // branches): (e + |e|)/2 is exactly max(e, 0) for finite e, (|l| − l)/2 exactly max(−l, 0).
      const pos = 0.5 * (e + Math.abs(e));
      positive[p] = pos;
      const y = pos * inverseN - shift;
      sumPos += y;
      sumPosSq += y * y;
      if ((p & 1) === 1) sumPair += previous * y;
      previous = y;
      // V − VM: the collateral less the IM in it (0 exactly where there is no CSA, so that ENE is the set's own to the bit)
      const l = im === 0 ? e : values[base + p]! - (c - im);
      sumNeg += 0.5 * (Math.abs(l) - l) * inverseN;
      sumColl += c * inverseN;
    }
    if (im !== 0) {
      // after VM only (a second pass, on dates with IM held only): the IM added back
      for (let p = 0; p < nPaths; p++) {
        const c = collateral ? collateral[base + p]! : 0;
        const l = values[base + p]! - (c - im);
        const inverseN = inverseNumeraire !== undefined ? inverseNumeraire[base + p]! : 1 / numeraire[base + p]!;
        sumPosVm += 0.5 * (l + Math.abs(l)) * inverseN;
        sumVm += (c - im) * inverseN;
      }
    }
    let sumNegPosted = 0;
    if (posted !== 0) {
      // the IM the bank posted (a third pass, on dates it posts IM only): the liability V − VM less it
      for (let p = 0; p < nPaths; p++) {
        const c = collateral ? collateral[base + p]! : 0;
        const l = (im === 0 ? values[base + p]! - c : values[base + p]! - (c - im)) + posted;
        const inverseN = inverseNumeraire !== undefined ? inverseNumeraire[base + p]! : 1 / numeraire[base + p]!;
        sumNegPosted += 0.5 * (Math.abs(l) - l) * inverseN;
      }
    }
    const epe = shift + sumPos / nPaths;
    profile.times[k] = grid.times[d]!;
    profile.epe[k] = epe;
    profile.eneVm[k] = sumNeg / nPaths;
    // (no IM posted: the same figure, not a sum that differs in rounding)
    profile.ene[k] = posted === 0 ? profile.eneVm[k]! : sumNegPosted / nPaths;
    profile.collateral[k] = sumColl / nPaths;
    // (IM = 0: the same figures, not sums that differ in rounding)
    profile.epeVm[k] = im === 0 ? epe : sumPosVm / nPaths;
    profile.collateralVm[k] = im === 0 ? profile.collateral[k]! : sumVm / nPaths;
    profile.epeStdError[k] = options.antithetic ? pairStandardError(sumPos, sumPosSq, sumPair, nPaths) : standardError(sumPos, sumPosSq, nPaths);
    profile.ee[k] = epe / discountFactors[d]!;
    profile.eee[k] = k === 0 ? profile.ee[k]! : Math.max(profile.eee[k - 1]!, profile.ee[k]!);
    profile.pfe[k] = quantileInPlace(positive, nPaths, quantile);
  }

  const weightTimes = cachedBasisTimes(grid, dateIndex, options.eepeDayCount ?? 'ACT/ACT');
  const last = oneYearWindowEnd(grid.asOf, weightTimes, input.maturity, options.eepeDayCount ?? 'ACT/ACT');
  profile.epe1y = timeWeightedAverageUpTo(profile.ee, weightTimes, last);
  profile.eepe = timeWeightedAverageUpTo(profile.eee, weightTimes, last);
  return profile;
}

/** A profile of zeros on the exposure dates `dateIndex` (times zero too), for the caller to fill. */
export function emptyProfile(nettingSetId: string, counterpartyId: string, dateIndex: Int32Array, times?: Float64Array): ExposureProfile {
  const m = dateIndex.length;
  return {
    nettingSetId,
    counterpartyId,
    dateIndex,
    times: times ?? new Float64Array(m),
    epe: new Float64Array(m),
    ene: new Float64Array(m),
    ee: new Float64Array(m),
    eee: new Float64Array(m),
    pfe: new Float64Array(m),
    collateral: new Float64Array(m),
    epeVm: new Float64Array(m),
    eneVm: new Float64Array(m),
    collateralVm: new Float64Array(m),
    epeStdError: new Float64Array(m),
    epe1y: 0,
    eepe: 0,
  };
}

/** Standard error of a mean from the sums of n shifted samples: sqrt(sample variance / n); 0 for one sample. */
export function standardError(sum: number, sumSq: number, n: number): number {
  if (n < 2) return 0;
  return Math.sqrt(Math.max(0, (sumSq - (sum * sum) / n) / (n - 1)) / n);
}

/**
 * Standard error of a mean over n antithetic paths, pairs (2i, 2i + 1), from the sums of the n shifted samples y,
 * of their squares and of the pairs' products Σ y(2i)·y(2i+1): the n/2 pair means m_i = (y(2i) + y(2i+1))/2 are the
 * independent samples, Σ m = Σ y / 2 and Σ m² = (Σ y² + 2 Σ y(2i)·y(2i+1)) / 4; 0 for fewer than two pairs.
 */
export function pairStandardError(sum: number, sumSq: number, sumPair: number, n: number): number {
  return standardError(sum / 2, (sumSq + 2 * sumPair) / 4, n / 2);
}

const basisCache = new WeakMap<TimeGrid, Map<string, { dateIndex: Int32Array; times: Float64Array }>>();

/**
 * basisTimes of the grid's exposure dates, computed once per grid and day count (every netting set of a run shares
 * them; the day counts cost calendar conversions). Read only.
 */
function cachedBasisTimes(grid: TimeGrid, dateIndex: Int32Array, dayCount: 'ACT/ACT' | 'ACT/365F'): Float64Array {
  let byCount = basisCache.get(grid);
  if (!byCount) basisCache.set(grid, (byCount = new Map()));
  const hit = byCount.get(dayCount);
  if (hit && hit.dateIndex.length === dateIndex.length && hit.dateIndex.every((d, k) => d === dateIndex[k])) return hit.times;
  const times = basisTimes(grid, dateIndex, dayCount);
  byCount.set(dayCount, { dateIndex: Int32Array.from(dateIndex), times });
  return times;
}

/** Years from the as-of date of each exposure date in the day count of the Basel time weights. */
export function basisTimes(grid: TimeGrid, dateIndex: Int32Array, dayCount: 'ACT/ACT' | 'ACT/365F'): Float64Array {
  const out = new Float64Array(dateIndex.length);
  for (let k = 0; k < dateIndex.length; k++) out[k] = yearFraction(dayCount, grid.asOf, grid.dates[dateIndex[k]!]!);
  return out;
}

/**
 * Position (in `times`, ascending from the as-of date at position 0) of the last exposure date inside the one-year
 * Basel window: times ≤ time of min(asOf + 1Y + 4D rolled Following, maturity). At least the first date after the
 * as-of date is taken, so that a grid whose first step is beyond the window still gives its one-interval average;
 * 0 when the grid has the as-of date only (the averages are then the as-of figure).
 */
export function oneYearWindowEnd(asOf: DateSerial, times: Float64Array, maturity: DateSerial | undefined, dayCount: 'ACT/ACT' | 'ACT/365F'): number {
  let horizon = adjust(addYears(asOf, 1) + 4, 'F');
  if (maturity !== undefined && maturity < horizon) horizon = maturity;
  const horizonTime = yearFraction(dayCount, asOf, horizon);
  let last = 0;
  while (last + 1 < times.length && times[last + 1]! <= horizonTime) last++;
  if (last === 0 && times.length > 1) last = 1;
  return last;
}

/**
 * Σ_{k=1..last} x_k·(t_k − t_{k−1}) / t_last (t_0 = 0 the as-of date; the figure at the end of each interval), or x_0
 * when last = 0. CRE53 Effective EPE when x is EEE, Basel EPE when x is EE.
 */
export function timeWeightedAverageUpTo(x: Float64Array, times: Float64Array, last: number): number {
  if (last === 0) return x[0]!;
  let sum = 0;
  for (let k = 1; k <= last; k++) sum += x[k]! * (times[k]! - times[k - 1]!);
  return sum / (times[last]! - times[0]!);
}

/**
 * The running time-weighted averages of a profile (ORE's TimeWeightedBaselEPE / TimeWeightedBaselEEPE columns):
 * out[k] = timeWeightedAverageUpTo(x, times, k) for every k, in one pass.
 */
export function runningTimeWeightedAverage(x: Float64Array, times: Float64Array, out: Float64Array): void {
  let sum = 0;
  out[0] = x[0]!;
  for (let k = 1; k < x.length; k++) {
    sum += x[k]! * (times[k]! - times[k - 1]!);
    out[k] = sum / (times[k]! - times[0]!);
  }
}
