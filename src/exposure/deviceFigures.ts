/**
 * The GPU backend's figures route on the host side: what the device sends back for a netting set whose exposure
 * figures it computed itself (backends/gpu/wgsl/figures.ts: margin calls, the sums of the profile, the PFE quantile
 * and each trade's Euler sums), and how the worker thread turns that into the set's result and its counterparty's
 * total, with the formulas of profiles.ts computeProfile, euler.ts and aggregate.ts totalProfile. The values never
 * reach the host.
 */
import { basisTimes, emptyProfile, oneYearWindowEnd, pairStandardError, standardError, timeWeightedAverageUpTo } from './profiles.js';
import { sumSetProfiles } from './aggregate.js';
import type { NettingSetResult } from './results.js';
import type { ExposureProfile } from './types.js';
import type { UnitContext, UnitCounterparty, UnitNettingSet } from './unit.js';

/**
 * Sums per exposure date, as wgsl/figures.ts REDUCE_OUT: shift, Σy, Σy², Σ ENE terms (after the IM posted), Σ C/N, EPE
 * and ENE residuals, then after VM only Σ max(E + IM, 0)/N, Σ (C − IM)/N and its EPE residual, Σ max(−(E + IM), 0)/N
 * (the ENE after VM only) and its residual, then Σ y(p)·y(p+1) over even p (antithetic pairs).
 */
export const FIGURE_SUMS = 13;

/** A netting set's figures from the device (structured-clonable). */
export interface DeviceSetFigures {
  index: number;
  /** Exposure dates with figures (the grid's first nExp): the live ones, then those up to the close-out end. */
  nExp: number;
  /** FIGURE_SUMS per exposure date with figures (f64 of the device's f32 workgroup sums). */
  sums: Float64Array;
  /** PFE per exposure date with figures: the quantile of max(E, 0) over the paths. */
  pfe: Float64Array;
  /** Per trade (kernel order) and exposure date with figures, [i·nExp + k]: Σ_p w·v_trade with eulerWeightsBoth's weights, before 1/n. */
  tradeEpe: Float64Array;
  tradeEne: Float64Array;
  /**
   * A set holding IM: the same for the EPE after VM only (the weights of euler.ts vmOnly), and the IM held per live
   * exposure date; absent when the set holds none.
   */
  tradeEpeVm?: Float64Array;
  imHeld?: Float64Array;
  /**
   * A set posting IM: the same for the ENE after VM only (euler.ts vmOnly on the ENE side), and the IM posted per live
   * exposure date; absent when the set posts none.
   */
  tradeEneVm?: Float64Array;
  imPosted?: Float64Array;
  tradeIds: string[];
  last: number;
  maturity: number;
  valuations: number;
}

/** A counterparty's pathwise totals from the device (two or more sets): FIGURE_SUMS and the PFE per exposure date. */
export interface DeviceCounterpartyFigures {
  index: number;
  sums: Float64Array;
  pfe: Float64Array;
}

/** The set's result from its device figures (the base coverage; no coverage variants, no cube on this route). */
export function setResultFromDevice(ctx: UnitContext, item: UnitNettingSet, f: DeviceSetFigures): NettingSetResult {
  const { grid, exposureDates, discountFactors } = ctx;
  const n = ctx.paths.nPaths;
  const m = exposureDates.length;
  const profile = emptyProfile(item.nettingSet.nettingSetId, item.nettingSet.counterpartyId, Int32Array.from(exposureDates));
  // profiles.ts computeProfile, from the device's sums; after the close-out end every figure is 0 (EEE carries)
  for (let k = 0; k < m; k++) {
    const d = exposureDates[k]!;
    profile.times[k] = grid.times[d]!;
    if (k < f.nExp) {
      const s = k * FIGURE_SUMS;
      const epe = f.sums[s]! + f.sums[s + 1]! / n;
      profile.epe[k] = epe;
      profile.ene[k] = f.sums[s + 3]! / n;
      // after VM only: the ENE itself where the set posts no IM (as profiles.ts computeProfile)
      const posts = f.imPosted !== undefined && f.imPosted[k]! > 0;
      profile.eneVm[k] = posts ? f.sums[s + 10]! / n : profile.ene[k]!;
      profile.collateral[k] = f.sums[s + 4]! / n;
      // after VM only: the figures themselves where the set holds no IM (as profiles.ts computeProfile)
      const held = f.imHeld !== undefined && f.imHeld[k]! > 0;
      profile.epeVm[k] = held ? f.sums[s + 7]! / n : epe;
      profile.collateralVm[k] = held ? f.sums[s + 8]! / n : profile.collateral[k]!;
      profile.epeStdError[k] = ctx.paths.antithetic === true ? pairStandardError(f.sums[s + 1]!, f.sums[s + 2]!, f.sums[s + 12]!, n) : standardError(f.sums[s + 1]!, f.sums[s + 2]!, n);
      profile.ee[k] = epe / discountFactors[d]!;
      profile.pfe[k] = f.pfe[k]!;
    }
    profile.eee[k] = k === 0 ? profile.ee[k]! : Math.max(profile.eee[k - 1]!, profile.ee[k]!);
  }
  const times = basisTimes(grid, profile.dateIndex, 'ACT/ACT');
  const end = oneYearWindowEnd(grid.asOf, times, f.maturity, 'ACT/ACT');
  profile.epe1y = timeWeightedAverageUpTo(profile.ee, times, end);
  profile.eepe = timeWeightedAverageUpTo(profile.eee, times, end);

  // unit.ts eulerAtDate: Σ w·v over n, and the residuals of the small-|V| paths shared equally (euler.ts shareEqually)
  const nTrades = f.tradeIds.length;
  const tradeEpe = new Float64Array(nTrades * m);
  const tradeEne = new Float64Array(nTrades * m);
  const vm = f.tradeEpeVm;
  const tradeEpeVm = vm ? new Float64Array(nTrades * m) : tradeEpe;
  const eneVm = f.tradeEneVm;
  const tradeEneVm = eneVm ? new Float64Array(nTrades * m) : tradeEne;
  for (let k = 0; k < f.nExp; k++) {
    const s = k * FIGURE_SUMS;
    const shareEpe = nTrades > 0 ? f.sums[s + 5]! / n / nTrades : 0;
    const shareEne = nTrades > 0 ? f.sums[s + 6]! / n / nTrades : 0;
    const held = f.imHeld !== undefined && f.imHeld[k]! > 0;
    const shareVm = nTrades > 0 ? f.sums[s + 9]! / n / nTrades : 0;
    const posts = f.imPosted !== undefined && f.imPosted[k]! > 0;
    const shareEneVm = nTrades > 0 ? f.sums[s + 11]! / n / nTrades : 0;
    for (let i = 0; i < nTrades; i++) {
      tradeEpe[i * m + k] = f.tradeEpe[i * f.nExp + k]! / n + shareEpe;
      tradeEne[i * m + k] = f.tradeEne[i * f.nExp + k]! / n + shareEne;
      // (unit.ts eulerAtDate: the EPE's shares themselves on a date without IM held)
      if (vm) tradeEpeVm[i * m + k] = held ? vm[i * f.nExp + k]! / n + shareVm : tradeEpe[i * m + k]!;
      // (and the ENE's on a date without IM posted)
      if (eneVm) tradeEneVm[i * m + k] = posts ? eneVm[i * f.nExp + k]! / n + shareEneVm : tradeEne[i * m + k]!;
    }
  }
  const { nettingSet } = item;
  return {
    index: item.index,
    nettingSetId: nettingSet.nettingSetId,
    counterpartyId: nettingSet.counterpartyId,
    collateralised: nettingSet.csa,
    marginPeriodOfRiskDays: nettingSet.csa ? nettingSet.marginPeriodOfRiskDays : 0,
    profile,
    tradeIds: f.tradeIds,
    tradeEpe,
    tradeEne,
    tradeEpeVm,
    tradeEneVm,
    lastDateIndex: f.last,
  };
}

/**
 * The counterparty's total from its sets' profiles and, with two or more sets, the device's pathwise figures of
 * Σ_s max(E_s, 0) (aggregate.ts totalProfile: PFE and EPE standard error of the sum); with one set, the set's figures.
 */
export function counterpartyProfileFromDevice(ctx: UnitContext, cp: UnitCounterparty, profiles: readonly ExposureProfile[], f: DeviceCounterpartyFigures | undefined): ExposureProfile {
  if (profiles.length === 1) return { ...profiles[0]!, nettingSetId: cp.counterpartyId };
  if (!f) throw new Error(`counterparty ${cp.counterpartyId}: the device sent no totals for its ${profiles.length} netting sets`);
  const total = sumSetProfiles(profiles, { id: cp.counterpartyId, counterpartyId: cp.counterpartyId });
  const n = ctx.paths.nPaths;
  for (let k = 0; k < total.dateIndex.length; k++) {
    const s = k * FIGURE_SUMS;
    total.epeStdError[k] = ctx.paths.antithetic === true ? pairStandardError(f.sums[s + 1]!, f.sums[s + 2]!, f.sums[s + 12]!, n) : standardError(f.sums[s + 1]!, f.sums[s + 2]!, n);
    total.pfe[k] = f.pfe[k]!;
  }
  return total;
}
