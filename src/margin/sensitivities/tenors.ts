/**
 * SIMM risk-factor grids and how a sensitivity is spread over them: the IR and credit tenor vertices, the IR
 * sub-curve of a projection index, triangular (hat) bump functions whose sum is a parallel shift, and the linear
 * split of an option expiry between the two neighbouring vertices.
 */

/** SIMM v2.6 §C.1 (Interest Rate Risk delta): the twelve tenor vertices, with their times in years. */
export const SIMM_IR_TENORS = ['2w', '1m', '3m', '6m', '1y', '2y', '3y', '5y', '10y', '15y', '20y', '30y'] as const;
export const SIMM_IR_TENOR_YEARS = Float64Array.of(14 / 365, 1 / 12, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 20, 30);

/** SIMM v2.6 §C.3 (Credit Qualifying Risk delta): the five tenor vertices. */
export const SIMM_CREDIT_TENORS = ['1y', '2y', '3y', '5y', '10y'] as const;
export const SIMM_CREDIT_TENOR_YEARS = Float64Array.of(1, 2, 3, 5, 10);

export { hatWeight } from '../../math/hat.js';
import { hatWeight } from '../../math/hat.js';

/** The vertices an option expiry of `t` years falls between, with linear weights that sum to 1. */
export function expiryWeights(vertices: Float64Array, t: number): { index: number; weight: number }[] {
  const out: { index: number; weight: number }[] = [];
  for (let k = 0; k < vertices.length; k++) {
    const w = hatWeight(vertices, k, t);
    if (w > 0) out.push({ index: k, weight: w });
  }
  return out;
}

/**
 * SIMM v2.6 §C.1 sub-curves: an overnight index (SOFR, €STR, SONIA, TONA, SARON) is `OIS`; a term index is
 * `Libor1m`/`Libor3m`/`Libor6m`/`Libor12m` by its tenor suffix (`EUR-EURIBOR-6M` → Libor6m). Any other tenor has
 * no SIMM sub-curve: undefined.
 */
export function simmSubCurve(floatIndex: string): string | undefined {
  const m = /-(\d+)([MY])$/i.exec(floatIndex);
  if (!m) return 'OIS';
  const months = Number(m[1]) * (m[2]!.toUpperCase() === 'Y' ? 12 : 1);
  switch (months) {
    case 1:
      return 'Libor1m';
    case 3:
      return 'Libor3m';
    case 6:
      return 'Libor6m';
    case 12:
      return 'Libor12m';
    default:
      return undefined;
  }
}
