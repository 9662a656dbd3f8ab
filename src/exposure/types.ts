/**
 * Contracts of the exposure stage: a netting set compiled into a kernel that values it on simulated paths, and the
 * profiles computed from those values. Values are in the base currency, undeflated, from the bank's side; profiles
 * are discounted with the numeraire as ORE does: EPE(t) = E[max(V(t) - C(t), 0) / N(t)] * N(0).
 */
import type { SimulatedPaths } from '../simulation/types.js';

export interface NettingSetKernel {
  readonly nettingSetId: string;
  readonly tradeIds: readonly string[];
  /** The last grid index at which any trade of the set is alive; values after it are 0. */
  readonly lastDateIndex: number;
  /**
   * Fills out[p] for p < paths.nPaths with the netting set's value at grid index d (base currency, undeflated). With
   * `keep` (optional to implement) the kernel may keep per-path work of this date for an accumulateTradeWeighted call
   * at the same date and paths that follows with no other valueAt in between (the engine's Euler allocation of an
   * exposure date right after its valuation); the results are the same either way, bit for bit.
   */
  valueAt(d: number, paths: SimulatedPaths, out: Float64Array, keep?: boolean): void;
  /**
   * Adds sum_p weights[p] * V_i(d, p) to out[i] for every trade i of the set (Euler allocation). Consistent with
   * valueAt: sum_i of the added amounts equals sum_p weights[p] * V(d, p) up to rounding.
   */
  accumulateTradeWeighted(
    d: number,
    paths: SimulatedPaths,
    weights: Float64Array,
    out: Float64Array,
    /** Optional second weight vector and output (e.g. ENE beside EPE), gathered in the same pass over the paths. */
    weights2?: Float64Array,
    out2?: Float64Array,
  ): void;
}

/** Exposure profile of one netting set on the exposure dates of the grid (all in base currency). */
export interface ExposureProfile {
  nettingSetId: string;
  counterpartyId: string;
  /** Grid indices of the exposure dates, and their times in years. */
  dateIndex: Int32Array;
  times: Float64Array;
  /** Discounted expected positive exposure E[(V-C)+ / N] (ORE's EPE). */
  epe: Float64Array;
  /**
   * Discounted expected negative exposure, reported as a positive number: E[(V − VM + IM posted)⁻ / N], the
   * counterparty's exposure to the bank after the VM (C less the IM held, which is segregated and goes back to the
   * counterparty) and after the IM the bank posted (segregated with the counterparty's custodian); DVA reads this.
   */
  ene: Float64Array;
  /** Basel EE(t) = EPE(t) / P(0, t) (base-currency OIS discount). */
  ee: Float64Array;
  /** Basel effective EE: running maximum of EE. */
  eee: Float64Array;
  /** Potential future exposure at the run's quantile, undiscounted, of (V - C)+. */
  pfe: Float64Array;
  /** Expected collateral held E[C / N] (positive = held by the bank), the initial margin held included. */
  collateral: Float64Array;
  /**
   * EPE after the variation margin only, E[(V − VM)+ / N] with VM = C − IM held: the exposure the bank funds (the
   * segregated IM it holds cannot be rehypothecated, so it funds nothing; FCA reads this). Equal to `epe` on a date
   * where the set holds no IM.
   */
  epeVm: Float64Array;
  /**
   * ENE after the variation margin only, E[(V − VM)⁻ / N]: the liability the bank is funded by (the IM it posted is
   * funded separately, its cost is MVA; FBA reads this). Equal to `ene` on a date where the set posts no IM.
   */
  eneVm: Float64Array;
  /** Expected variation margin held E[(C − IM held) / N] (ColVA reads this); equal to `collateral` where no IM is held. */
  collateralVm: Float64Array;
  /** Monte Carlo standard error of each EPE figure. */
  epeStdError: Float64Array;
  /** Basel EPE and effective EPE over the first year (time-weighted averages of EE and EEE, CRE53). */
  epe1y: number;
  eepe: number;
}
