/**
 * Pathwise hazard rates h_p,i = exp(a_i + z_p,i), constant on each exposure interval i = (t_{i−1}, t_i], with the
 * deterministic drift a_i fitted interval by interval (a bootstrap) so that the survival averaged over the paths equals
 * the counterparty's survival curve at every exposure date (Hull & White, "CVA and Wrong-Way Risk", Financial Analysts
 * Journal 68(5), 2012, §"The model": a(t) chosen so that the expected default probabilities match the CDS curve):
 *
 *   S_p(t_i) = S_p(t_{i−1}) · exp(−exp(a_i + z_p,i)·Δt_i),     (1/n) Σ_p S_p(t_i) = S(t_i)   for i = 1..m.
 *
 * The left side is strictly decreasing in a_i, so each a_i is the single root of a 1-D equation, found with Brent
 * (math/brent.ts) on a bracket around the deterministic hazard's log. z is the wrong-way driver: b·V (exposure
 * model) or σ·ξ (intensity model); z ≡ 0 gives a_i = ln(ln(S(t_{i−1})/S(t_i))/Δt_i), today's deterministic hazard.
 */
import { XvaInputError } from '../../errors.js';
import { brentRoot } from '../../math/brent.js';

export interface HazardFit {
  /** a_i per interval (index i = 1..m; a[0] unused, NaN); −Infinity where the curve has no default in the interval. */
  drift: Float64Array;
  /** Path survival S_p(t_i), date-major [(i · nPaths) + p], S_p(t_0) = 1. */
  survival: Float64Array;
  /** Path hazard h_p,i on interval i, date-major (row 0 unused, 0). */
  hazard: Float64Array;
  /** max_i |(1/n) Σ_p S_p(t_i) − S(t_i)|. */
  maxFitError: number;
}

/**
 * Largest driver above its mean the fit takes: e^700 times the mean path's hazard, the most a double holds (e^709.8
 * overflows, and the fit's sums turned NaN). Far past any calibration (Hull and White's b moves the hazard by a few
 * times over the exposure's range), so a driver beyond it is a parameter typed in the wrong unit.
 */
export const MAX_DRIVER_SPREAD = 700;

/** Bracket half-width (in a) of the first try; doubled until the equation changes sign. */
const FIRST_STEP = 4;

/**
 * Fits a_1..a_m. `times`: t_0 = 0 < t_1 < ... < t_m (years); `target`: S(t_i) of the curve (target[0] = 1);
 * `drivers`: z_p,i date-major [(i · nPaths) + p] (row 0 unused). `who` names the counterparty in errors.
 */
export function fitHazardDrift(times: Float64Array, target: Float64Array, drivers: Float64Array, nPaths: number, who: string, parameter?: { column: string; value: number }): HazardFit {
  const m = times.length - 1;
  const survival = new Float64Array((m + 1) * nPaths);
  const hazard = new Float64Array((m + 1) * nPaths);
  const drift = new Float64Array(m + 1);
  drift[0] = Number.NaN;
  survival.fill(1, 0, nPaths);
  const weight = new Float64Array(nPaths); // exp(z_p,i) Δt_i
  let maxFitError = Math.abs(target[0]! - 1);
  for (let i = 1; i <= m; i++) {
    const dt = times[i]! - times[i - 1]!;
    const prev = (i - 1) * nPaths;
    const here = i * nPaths;
    let mean = 0;
    for (let p = 0; p < nPaths; p++) mean += survival[prev + p]!;
    mean /= nPaths;
    const goal = target[i]!;
    if (!(goal <= target[i - 1]! + 1e-15) || !(goal >= 0)) {
      throw new XvaInputError([
        { file: 'market', column: 'credit', value: `${who}: S(${times[i - 1]!.toFixed(4)}) = ${target[i - 1]}, S(${times[i]!.toFixed(4)}) = ${goal}`, expected: 'a survival curve that does not rise (a non-negative hazard): the wrong-way hazard exp(a + z) is positive' },
      ]);
    }
    if (goal >= mean || dt <= 0) {
      // no default in the interval: h = 0 on every path (a = −∞)
      drift[i] = Number.NEGATIVE_INFINITY;
      for (let p = 0; p < nPaths; p++) survival[here + p] = survival[prev + p]!;
      maxFitError = Math.max(maxFitError, Math.abs(mean - goal));
      continue;
    }
    // Shift the drivers by their mean (numerically kinder exponents); a_i is then reported with the shift added back.
    let zMean = 0;
    for (let p = 0; p < nPaths; p++) zMean += drivers[here + p]!;
    zMean /= nPaths;
    let zMax = -Infinity;
    for (let p = 0; p < nPaths; p++) {
      weight[p] = Math.exp(drivers[here + p]! - zMean) * dt;
      zMax = Math.max(zMax, drivers[here + p]! - zMean);
    }
    // a driver this far above its mean puts a path's hazard e^z times the mean path's, beyond a double: the parameter
    // that scales the driver is a typo or far too large
    if (!(zMax <= MAX_DRIVER_SPREAD)) {
      throw new XvaInputError([
        {
          file: 'counterparties',
          ...(parameter ? { column: parameter.column } : {}),
          value: `${who}${parameter ? `: ${parameter.value}` : ''}`,
          expected: `a wrong-way driver whose paths stay within e^${MAX_DRIVER_SPREAD} of the mean path's hazard: at ${times[i]!.toFixed(4)} years one path's driver is ${Number.isFinite(zMax) ? zMax.toPrecision(4) : zMax} above the mean (a smaller ${parameter?.column ?? 'wrong-way parameter'})`,
        },
      ]);
    }
    // f(c) = (1/n) Σ_p S_p(t_{i−1}) exp(−e^c · w_p) − S(t_i), strictly decreasing in c
    const f = (c: number): number => {
      const scale = Math.exp(c);
      let sum = 0;
      for (let p = 0; p < nPaths; p++) sum += survival[prev + p]! * Math.exp(-scale * weight[p]!);
      return sum / nPaths - goal;
    };
    // start from the deterministic hazard's log (exact when the drivers are all equal)
    const guess = goal > 0 ? Math.log(Math.log(mean / goal) / dt) : 0;
    let lo = guess - FIRST_STEP;
    let hi = guess + FIRST_STEP;
    let flo = f(lo);
    let fhi = f(hi);
    for (let k = 0; flo < 0 && k < 60; k++) flo = f((lo -= FIRST_STEP * 2 ** k));
    for (let k = 0; fhi > 0 && k < 60; k++) fhi = f((hi += FIRST_STEP * 2 ** k));
    const fGuess = f(guess);
    if (fGuess === 0) [lo, flo] = [guess, 0];
    else if (fGuess > 0) [lo, flo] = [guess, fGuess];
    else [hi, fhi] = [guess, fGuess];
    const c = brentRoot(f, lo, hi, flo, fhi, 1e-15);
    const scale = Math.exp(c);
    let sum = 0;
    for (let p = 0; p < nPaths; p++) {
      const h = scale * (weight[p]! / dt);
      hazard[here + p] = h;
      const s = survival[prev + p]! * Math.exp(-h * dt);
      survival[here + p] = s;
      sum += s;
    }
    drift[i] = c - zMean;
    maxFitError = Math.max(maxFitError, Math.abs(sum / nPaths - goal));
  }
  return { drift, survival, hazard, maxFitError };
}
