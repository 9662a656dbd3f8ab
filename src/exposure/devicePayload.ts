/**
 * A netting set valued by the GPU backend's device, as data (DevicePayload: structured-clonable, so the engine can hand
 * it to a worker thread with the unit that holds the set) and as the unit's PrecomputedSet (precomputedOf). The host
 * computes from the values, as from its own, the collateral, PFE, standard error, Euler allocation, coverage
 * variants and totals; the device's EPE/ENE sums replace the host's for a set without collateral at the base coverage.
 */
import { basisTimes, oneYearWindowEnd, timeWeightedAverageUpTo } from './profiles.js';
import type { ExposureProfile, NettingSetKernel } from './types.js';
import type { PrecomputedSet } from './unit.js';
import type { TimeGrid } from '../simulation/types.js';

export interface DevicePayload {
  /** The set's book index (UnitNettingSet.index). */
  index: number;
  /** Grid indices of the rows of `values`, ascending (unit.ts datesToValue). */
  gridIndex: Int32Array;
  /** V on those dates, row j at [j·nPaths + p] (f32 from the device). */
  values: Float32Array;
  /** Per row the device's Σ max(V,0)/N and Σ max(−V,0)/N ([2j], [2j+1], f64 over the f32 partials); null when the set
   * holds collateral at the base coverage (its EPE/ENE are the host's, of V − C). */
  sums: Float64Array | null;
}

/** The unit's PrecomputedSet of a payload (`kernel`: the set compiled already, else the unit compiles it). */
export function precomputedOf(payload: DevicePayload, ctx: { grid: TimeGrid; paths: { nPaths: number }; discountFactors: Float64Array }, kernel?: NettingSetKernel): PrecomputedSet {
  const { gridIndex, values, sums } = payload;
  const nPaths = ctx.paths.nPaths;
  return {
    ...(kernel ? { kernel } : {}),
    payload,
    gridIndex,
    values,
    finishProfile: (profile: ExposureProfile, maturity: number) => (sums === null ? profile : withDeviceExpectations(profile, sums, gridIndex, nPaths, ctx.grid, ctx.discountFactors, maturity)),
  };
}

/**
 * The profile of a set with no collateral at the base coverage, with the device's EPE and ENE on the set's live
 * exposure dates (the slots whose grid index is an exposure date; a lag-date slot's sums are not read) and the
 * figures that follow from them recomputed as computeProfile does (profiles.ts): EE = EPE/P(0,t), EEE its running
 * maximum, Basel EPE and effective EPE over the first year (ACT/ACT time weights, the engine's default). PFE, the
 * standard error and the collateral (0) stay the host's, from the same device values.
 */
function withDeviceExpectations(
  profile: ExposureProfile,
  sums: Float64Array,
  gridIndex: Int32Array,
  nPaths: number,
  grid: TimeGrid,
  discountFactors: Float64Array,
  maturity: number,
): ExposureProfile {
  const m = profile.dateIndex.length;
  const epe = Float64Array.from(profile.epe);
  const ene = Float64Array.from(profile.ene);
  // both ascending: walk the slots along the profile's exposure dates
  for (let k = 0, slot = 0; k < m && slot < gridIndex.length; k++) {
    const d = profile.dateIndex[k]!;
    while (slot < gridIndex.length && gridIndex[slot]! < d) slot++;
    if (gridIndex[slot] !== d) continue; // after the last live date: the host's 0
    epe[k] = sums[2 * slot]! / nPaths;
    ene[k] = sums[2 * slot + 1]! / nPaths;
  }
  const ee = new Float64Array(m);
  const eee = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    ee[k] = epe[k]! / discountFactors[profile.dateIndex[k]!]!;
    eee[k] = k === 0 ? ee[k]! : Math.max(eee[k - 1]!, ee[k]!);
  }
  const times = basisTimes(grid, profile.dateIndex, 'ACT/ACT');
  const last = oneYearWindowEnd(grid.asOf, times, maturity, 'ACT/ACT');
  // no collateral and no IM posted (unit.ts dependsOnCoverage), so no IM held or posted: the figures after VM only are
  // these (profiles.ts computeProfile)
  return { ...profile, epe, ene, ee, eee, epeVm: epe, eneVm: ene, collateralVm: profile.collateral, epe1y: timeWeightedAverageUpTo(ee, times, last), eepe: timeWeightedAverageUpTo(eee, times, last) };
}
