/**
 * The wrong-way drivers z_p,i of the pathwise hazard h_p,i = exp(a_i + z_p,i) on each exposure interval
 * i = (t_{i−1}, t_i], read at the interval's exposure time as the CVA sum reads the exposure (weights.ts):
 * 'end' at t_i, 'mid' the average of the two ends.
 *
 *  - exposure (Hull & White 2012): z = b·V/1e6, V the counterparty's portfolio value (all its netting sets, before
 *    collateral; base currency, undeflated) and b the beta per million of the base currency.
 *  - intensity (Black-Karasinski-type lognormal intensity): z = σ·ξ(t), ξ(t) = e^{−κt}·y(t)/σ_cr the unit-volatility
 *    Ornstein-Uhlenbeck state, ξ(t) = ∫₀ᵗ e^{−κ(t−s)} dW(s), behind the simulated Gaussian credit state y of
 *    CR:<name> (simulation/crossAsset/credit.ts: y(t) = ∫₀ᵗ σ_cr e^{κs} dW(s), κ and σ_cr the market's credit model
 *    of the name), so that ln h − a is an OU process with mean reversion κ and volatility σ per √year whose Brownian
 *    driver W is correlated with the other factors by the market file's correlation section.
 */
import type { Discretisation } from '../weights.js';

/** Rows i = 1..m of z (row 0 unused) from values per exposure date: z_i = scale·x(t_i) or scale·½(x(t_{i−1}) + x(t_i)). */
function intervalDrivers(x: (k: number, p: number) => number, m: number, nPaths: number, scale: number, discretisation: Discretisation): Float64Array {
  const z = new Float64Array((m + 1) * nPaths);
  for (let i = 1; i <= m; i++) {
    const row = i * nPaths;
    if (discretisation === 'end') for (let p = 0; p < nPaths; p++) z[row + p] = scale * x(i, p);
    else for (let p = 0; p < nPaths; p++) z[row + p] = scale * 0.5 * (x(i - 1, p) + x(i, p));
  }
  return z;
}

/** Hull-White drivers b·V/1e6 from the counterparty's values per exposure date (date-major, nPaths a row). */
export function exposureDrivers(value: Float64Array, m: number, nPaths: number, betaPerMillion: number, discretisation: Discretisation): Float64Array {
  return intervalDrivers((k, p) => value[k * nPaths + p]!, m, nPaths, betaPerMillion * 1e-6, discretisation);
}

/**
 * Lognormal-intensity drivers σ·ξ from the credit state y of the name (a SimulatedPaths.creditState array, grid-date
 * major) on the exposure dates (grid indices) with times t_k; κ and σ_cr of the simulated Gaussian model.
 */
export function intensityDrivers(
  creditState: Float64Array,
  exposureDates: Int32Array,
  times: Float64Array,
  nPaths: number,
  meanReversion: number,
  creditVolatility: number,
  logVolatility: number,
  discretisation: Discretisation,
): Float64Array {
  const m = times.length - 1;
  const factor = Float64Array.from(times, (t) => Math.exp(-meanReversion * t) / creditVolatility);
  return intervalDrivers((k, p) => factor[k]! * creditState[exposureDates[k]! * nPaths + p]!, m, nPaths, logVolatility, discretisation);
}
