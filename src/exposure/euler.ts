/**
 * Euler allocation of a netting set's EPE and ENE to its trades (docs/exposure.md, "Euler contributions").
 *
 * At a grid date, with per path the value V_p = Σ_i V_{i,p}, collateral C_p and numeraire N_p, and E_p = V_p − C_p:
 *   EPE = (1/n) Σ_p max(E_p, 0)/N_p.
 * The contribution of trade i is (1/n) Σ_p w_p·V_{i,p} with
 *   w_p = 1{E_p > 0} · (E_p / V_p) / (N_p·n) = 1{V_p − C_p > 0} · (1 − C_p/V_p) / (N_p·n),
 * i.e. each path's collateralised exposure is shared among the trades pro rata to their values on that path. For an
 * uncollateralised set (C = 0) the weight is 1{V_p > 0}/(N_p·n) and the contribution is the exact Euler derivative
 * ∂EPE(λ)/∂λ_i at λ = 1 of EPE(λ) = E[max(Σ_i λ_i V_i, 0)/N], which is positively homogeneous of degree one, so the
 * contributions add up to EPE (Euler's theorem). With collateral the pro-rata rule keeps the sum identity exactly but is
 * an allocation convention, not a derivative (the collateral is a path-dependent function of V).
 * Paths where C ≠ 0 and |V_p| <= max(smallValueLimit, smallValueRatio·|C_p|) (a ratio E/V that would explode) get
 * weight 0 and their exposure is returned as a residual that the caller shares equally among the set's trades: ORE's
 * marginal allocation limit rule (default limit 1 unit of base currency), with a relative bound on top (default 1%:
 * the pro-rata weight |1 − C/V| stays below 101). Without the relative bound the weight is of order C/V on paths
 * with V near 0, so single trades' contributions have a Monte Carlo variance that grows like C²·f_V(0)/limit (f_V
 * the density of V) and jump from seed to seed (docs/exposure.md), while their sum does not. ENE uses the same rule
 * on the liability L_p = −(E_p + IM + IM_post) > 0 (IM the segregated initial margin held, which creates no
 * liability; IM_post the initial margin the bank posted, segregated with the counterparty's custodian, which covers
 * the counterparty's claim), with C − IM − IM_post as its collateral: w_p = 1{L_p > 0}·(L_p / V_p)/(N_p·n).
 * Hence Σ_i contribution_i + residual = EPE (or ENE) exactly, up to floating-point rounding.
 */
import { kernelsFor } from './valuation/wasm/poolKernels.js';

export type ExposureSide = 'epe' | 'ene';

export interface EulerWeightOptions {
  /** Collateral C per grid date and path (same layout as the values); absent = 0. */
  collateral?: Float64Array;
  /** IM held included in C at this date (base currency), added back on the ENE side. */
  initialMarginHeld?: number;
  /**
   * IM posted by the bank at this date (base currency, not in C): on the ENE side it offsets the liability like
   * collateral the bank has delivered, C − IM held − IM posted (except with vmOnly: the ENE after VM only).
   */
  initialMarginPosted?: number;
  /** |V| at or below which a collateralised path's exposure is shared equally (base currency units, default 1). */
  smallValueLimit?: number;
  /**
   * The same, relative to the path's collateral on the side's terms: |V| <= smallValueRatio·|C| (default
   * DEFAULT_SMALL_VALUE_RATIO); the larger of the two bounds applies.
   */
  smallValueRatio?: number;
  /** Divisor of the path average when `values` is one block of a larger path set (default nPaths). */
  totalPaths?: number;
  /**
   * EPE side after VM only: the IM held is taken out of C on the EPE side too (E + IM, the funding exposure: the
   * segregated IM funds nothing), as the ENE side always does. Default false.
   */
  vmOnly?: boolean;
}

export const DEFAULT_SMALL_VALUE_LIMIT = 1;
/** Relative near-zero bound of the pro-rata allocation: |V| <= 1% of |C| (weights |1 − C/V| <= 101). */
export const DEFAULT_SMALL_VALUE_RATIO = 0.01;

/**
 * Fills weights[0 .. nPaths) for grid index d so that Σ_p weights[p]·V_p(d) + residual = EPE(d) (side 'epe') or
 * ENE(d) (side 'ene', a positive number), and returns the residual to be shared equally among the set's trades
 * (shareEqually). `values` and `numeraire` are date-major over the grid (value at d, p is [d·nPaths + p]).
 */
export function eulerWeights(
  side: ExposureSide,
  d: number,
  nPaths: number,
  values: Float64Array,
  numeraire: Float64Array,
  weights: Float64Array,
  options: EulerWeightOptions = {},
): number {
  const { collateral } = options;
  const limit = options.smallValueLimit ?? DEFAULT_SMALL_VALUE_LIMIT;
  const ratio = options.smallValueRatio ?? DEFAULT_SMALL_VALUE_RATIO;
  const divisor = options.totalPaths ?? nPaths;
  const im = options.initialMarginHeld ?? 0;
  const base = d * nPaths;
  if (weights.length < nPaths || values.length < base + nPaths || numeraire.length < base + nPaths) {
    throw new RangeError(`eulerWeights: arrays too short for grid index ${d} and ${nPaths} paths`);
  }
  const sign = side === 'epe' ? 1 : -1;
  // ENE treats the segregated IM as absent: the collateral that can offset a liability is C − IM.
  // vmOnly: the EPE after VM only, on the same terms (the funding exposure).
  // (vmOnly on the ENE side: the IM posted left out too, the liability after VM only that FBA reads)
  const imOffset = options.vmOnly === true ? im : side === 'epe' ? 0 : im + (options.initialMarginPosted ?? 0);
  let residual = 0;
  for (let p = 0; p < nPaths; p++) {
    const v = values[base + p]!;
    const c = (collateral ? collateral[base + p]! : 0) - imOffset;
    const amount = sign * (v - c); // E_p for EPE, L_p for ENE
    if (!(amount > 0)) {
      weights[p] = 0;
      continue;
    }
    const scale = 1 / (numeraire[base + p]! * divisor);
    if (c === 0) {
      weights[p] = sign * scale; // amount / v = sign exactly
    } else if (Math.abs(v) > Math.max(limit, ratio * Math.abs(c))) {
      weights[p] = (amount / v) * scale;
    } else {
      weights[p] = 0;
      residual += amount * scale;
    }
  }
  return residual;
}

/** Adds residual / nTrades to each of out[0 .. nTrades): the equal share of eulerWeights' residual. */
export function shareEqually(residual: number, out: Float64Array, nTrades: number): void {
  if (residual === 0 || nTrades === 0) return;
  const share = residual / nTrades;
  for (let i = 0; i < nTrades; i++) out[i] = out[i]! + share;
}

/**
 * Both sides of eulerWeights in one pass over the paths: epeWeights and eneWeights as eulerWeights('epe') and
 * eulerWeights('ene') would fill them (bit for bit: the same operations per path), the residuals in
 * residuals[0] (EPE) and residuals[1] (ENE). A path has at most one side with a positive amount when the IM held is 0.
 * With this thread's WebAssembly kernels on the numeraire's memory, their loop (the same bits).
 */
export function eulerWeightsBoth(
  d: number,
  nPaths: number,
  values: Float64Array,
  numeraire: Float64Array,
  epeWeights: Float64Array,
  eneWeights: Float64Array,
  residuals: Float64Array,
  options: EulerWeightOptions = {},
): void {
  const { collateral } = options;
  const limit = options.smallValueLimit ?? DEFAULT_SMALL_VALUE_LIMIT;
  const ratio = options.smallValueRatio ?? DEFAULT_SMALL_VALUE_RATIO;
  const divisor = options.totalPaths ?? nPaths;
  // the ENE side's offset from C: the IM held (in C, segregated) and the IM posted (C − IM held − IM posted)
  const im = (options.initialMarginHeld ?? 0) + (options.initialMarginPosted ?? 0);
  const base = d * nPaths;
  if (epeWeights.length < nPaths || eneWeights.length < nPaths || values.length < base + nPaths || numeraire.length < base + nPaths) {
    throw new RangeError(`eulerWeightsBoth: arrays too short for grid index ${d} and ${nPaths} paths`);
  }
  const kernels = kernelsFor(numeraire, nPaths);
  if (kernels !== undefined) {
    // The WebAssembly loop (valuation/wasm/poolKernels.ts eulerBoth2, eulerPlain2) when the numeraire is in its
    // memory: the same operations per path (a branch a lane select) and the residuals summed in path order, so the
    // same bits. It reads copies of the date's values and collateral and writes the weights into its slot (wa, wb),
    // which a caller may pass as epeWeights and eneWeights to save the copies out.
    kernels.in1.set(values.subarray(base, base + nPaths));
    if (collateral) kernels.in2.set(collateral.subarray(base, base + nPaths));
    kernels.eulerWeights(nPaths, collateral !== undefined, numeraire.byteOffset + 8 * base, divisor, im, limit, ratio);
    if (epeWeights !== kernels.wa) epeWeights.set(kernels.wa.subarray(0, nPaths));
    if (eneWeights !== kernels.wb) eneWeights.set(kernels.wb.subarray(0, nPaths));
    residuals[0] = kernels.res[0]!;
    residuals[1] = kernels.res[1]!;
    return;
  }
  let epeResidual = 0;
  let eneResidual = 0;
  if (!collateral && im === 0) {
    // Uncollateralised: the weight is ±1/(N·n) on the side of V's sign (amount / v = ±1 exactly).
    for (let p = 0; p < nPaths; p++) {
      const v = values[base + p]!;
      const scale = 1 / (numeraire[base + p]! * divisor);
      epeWeights[p] = v > 0 ? scale : 0;
      eneWeights[p] = -v > 0 ? -scale : 0;
    }
    residuals[0] = 0;
    residuals[1] = 0;
    return;
  }
  for (let p = 0; p < nPaths; p++) {
    const v = values[base + p]!;
    const cEpe = collateral ? collateral[base + p]! : 0;
    const cEne = cEpe - im;
    const scale = 1 / (numeraire[base + p]! * divisor);
    const size = Math.abs(v);
    const epeAmount = v - cEpe;
    if (!(epeAmount > 0)) epeWeights[p] = 0;
    else if (cEpe === 0) epeWeights[p] = scale;
    else if (size > Math.max(limit, ratio * Math.abs(cEpe))) epeWeights[p] = (epeAmount / v) * scale;
    else {
      epeWeights[p] = 0;
      epeResidual += epeAmount * scale;
    }
    const eneAmount = -(v - cEne);
    if (!(eneAmount > 0)) eneWeights[p] = 0;
    else if (cEne === 0) eneWeights[p] = -scale;
    else if (size > Math.max(limit, ratio * Math.abs(cEne))) eneWeights[p] = (eneAmount / v) * scale;
    else {
      eneWeights[p] = 0;
      eneResidual += eneAmount * scale;
    }
  }
  residuals[0] = epeResidual;
  residuals[1] = eneResidual;
}
