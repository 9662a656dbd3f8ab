/**
 * Counterparty and book totals of netting-set profiles (docs/exposure.md, "Totals").
 *
 * Netting sets do not net with each other: in a default the bank's claim on each set is max(V − C, 0) separately.
 * So the total positive exposure on a path is Σ_s max(E_s, 0), never max(Σ_s E_s, 0), and
 *  - EPE, ENE, EE (= EPE/P(0,t), linear in EPE), expected collateral, and EPE, ENE and collateral after VM only, of a
 *    total are the sums of the sets' figures;
 *  - EEE, Basel EPE and EEPE of a total are the sums of the sets' figures, because the Basel IMM measures are defined
 *    per netting set and the exposure amount of a counterparty is the sum over its netting sets (CRE53); the total's
 *    EEE is therefore not the running maximum of its EE;
 *  - PFE and the EPE standard error need the path values: a PositiveExposureAccumulator sums max(E_s, 0) per date and
 *    path over the sets (undiscounted), and the total's PFE is the quantile of that sum (quantile.ts rule), its EPE
 *    standard error the sample standard deviation of sum/N over √n.
 */
import type { ExposureProfile } from './types.js';
import type { AggregateProfile } from './results.js';
import { quantileInPlace } from './quantile.js';
import { DEFAULT_PFE_QUANTILE, emptyProfile, pairStandardError, standardError } from './profiles.js';

/** Σ over netting sets of max(V − C, 0) per grid date and path (date-major, base currency, undeflated). */
export interface PositiveExposureAccumulator {
  readonly nDates: number;
  readonly nPaths: number;
  readonly positive: Float64Array;
  /** Number of netting sets added. */
  count: number;
}

export function createAccumulator(nDates: number, nPaths: number): PositiveExposureAccumulator {
  return { nDates, nPaths, positive: new Float64Array(nDates * nPaths), count: 0 };
}

/**
 * Empties an accumulator for the next counterparty (reuses its memory instead of allocating nDates × nPaths again):
 * every row, or only the grid rows `rows` when given (the rows accumulatePositiveExposure is given: the others are
 * neither written nor read).
 */
export function resetAccumulator(acc: PositiveExposureAccumulator, rows?: Int32Array): void {
  if (rows) for (const d of rows) acc.positive.fill(0, d * acc.nPaths, (d + 1) * acc.nPaths);
  else acc.positive.fill(0);
  acc.count = 0;
}

/**
 * Adds max(V − C, 0) of one netting set (date-major arrays over the same grid and paths) to the accumulator: on every
 * grid row, or only on the grid rows `rows` when given (the exposure dates, the only rows totalProfile reads: the
 * engine's values are not set on the other rows). An accumulator must be given the same rows every time.
 */
export function accumulatePositiveExposure(acc: PositiveExposureAccumulator, values: Float64Array, collateral?: Float64Array, rows?: Int32Array): void {
  const { nDates, nPaths } = acc;
  const cells = nDates * nPaths;
  if (values.length < cells || (collateral && collateral.length < cells)) {
    throw new RangeError(`accumulatePositiveExposure: arrays must hold ${nDates} dates × ${nPaths} paths`);
  }
  if (rows) {
    for (const d of rows) {
      if (!(d >= 0 && d < nDates)) throw new RangeError(`accumulatePositiveExposure: grid row ${d} is outside 0..${nDates - 1}`);
      addPositiveRows(acc.positive, values, collateral, d * nPaths, (d + 1) * nPaths);
    }
  } else addPositiveRows(acc.positive, values, collateral, 0, cells);
  acc.count++;
}

function addPositiveRows(sum: Float64Array, values: Float64Array, collateral: Float64Array | undefined, from: number, to: number): void {
  // (e + |e|)/2 = max(e, 0) exactly, without a branch on the sign (see profiles.ts).
  if (collateral) {
    for (let i = from; i < to; i++) {
      const e = values[i]! - collateral[i]!;
      sum[i] = sum[i]! + 0.5 * (e + Math.abs(e));
    }
  } else {
    for (let i = from; i < to; i++) {
      const e = values[i]!;
      sum[i] = sum[i]! + 0.5 * (e + Math.abs(e));
    }
  }
}

/** Adds another accumulator (e.g. a worker's or a shard's share of the sets) into `into`. */
export function mergeAccumulators(into: PositiveExposureAccumulator, from: PositiveExposureAccumulator): void {
  if (into.nDates !== from.nDates || into.nPaths !== from.nPaths) throw new RangeError('mergeAccumulators: grids or path counts differ');
  const a = into.positive;
  const b = from.positive;
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
  into.count += from.count;
}

export interface TotalOptions {
  /** Id of the total (a counterparty id, or e.g. 'BOOK'); reported as nettingSetId. */
  id: string;
  counterpartyId: string;
  /** Numeraire per grid date and path (date-major), for the EPE standard error of the total. */
  numeraire: Float64Array;
  pfeQuantile?: number;
  /** Antithetic path pairs: the standard error of the pairs' means (profiles.ts pairStandardError). */
  antithetic?: boolean;
}

/**
 * The total profile of a group of netting sets (a counterparty's, or the whole book) from their profiles and the
 * accumulator of their positive exposures. All profiles must share the grid's exposure dates.
 */
export function totalProfile(
  profiles: readonly ExposureProfile[],
  acc: PositiveExposureAccumulator,
  options: TotalOptions,
  scratch?: Float64Array,
): ExposureProfile {
  if (acc.count !== profiles.length) {
    throw new RangeError(`total ${options.id}: ${profiles.length} profiles but ${acc.count} netting sets accumulated`);
  }
  const total = sumSetProfiles(profiles, options);
  const m = total.dateIndex.length;
  const { nPaths } = acc;
  const quantile = options.pfeQuantile ?? DEFAULT_PFE_QUANTILE;
  const column = scratch && scratch.length >= nPaths ? scratch : new Float64Array(nPaths);
  for (let k = 0; k < m; k++) {
    const base = total.dateIndex[k]! * nPaths;
    const shift = acc.positive[base]! / options.numeraire[base]!;
    let sum = 0;
    let sumSq = 0;
    let sumPair = 0;
    let previous = 0;
    for (let p = 0; p < nPaths; p++) {
      const e = acc.positive[base + p]!;
      column[p] = e;
      const y = e / options.numeraire[base + p]! - shift;
      sum += y;
      sumSq += y * y;
      if ((p & 1) === 1) sumPair += previous * y;
      previous = y;
    }
    total.epeStdError[k] = options.antithetic ? pairStandardError(sum, sumSq, sumPair, nPaths) : standardError(sum, sumSq, nPaths);
    total.pfe[k] = quantileInPlace(column, nPaths, quantile);
  }
  return total;
}

/**
 * The figures of a total that are sums of its sets' figures (EPE, ENE, EE, EEE, collateral, Basel EPE and EEPE; see
 * the header), with PFE and the EPE standard error left at 0 for the caller (they need the path values).
 */
export function sumSetProfiles(profiles: readonly ExposureProfile[], options: { id: string; counterpartyId: string }): ExposureProfile {
  if (profiles.length === 0) throw new RangeError(`total ${options.id}: no netting-set profiles`);
  const first = profiles[0]!;
  const m = first.dateIndex.length;
  for (const p of profiles) {
    if (p.dateIndex.length !== m || p.dateIndex.some((d, k) => d !== first.dateIndex[k])) {
      throw new RangeError(`total ${options.id}: netting set ${p.nettingSetId} has other exposure dates than ${first.nettingSetId}`);
    }
  }
  const total = emptyProfile(options.id, options.counterpartyId, Int32Array.from(first.dateIndex), Float64Array.from(first.times));
  for (const p of profiles) addSetFigures(total, p, m);
  return total;
}

/** Adds a set's additive figures (EPE, ENE, EE, EEE, collateral on m dates; Basel EPE and EEPE) into a total. */
export function addSetFigures(total: AggregateProfile, p: ExposureProfile, m: number): void {
  for (let k = 0; k < m; k++) {
    total.epe[k] = total.epe[k]! + p.epe[k]!;
    total.ene[k] = total.ene[k]! + p.ene[k]!;
    total.ee[k] = total.ee[k]! + p.ee[k]!;
    total.eee[k] = total.eee[k]! + p.eee[k]!;
    total.collateral[k] = total.collateral[k]! + p.collateral[k]!;
    total.epeVm[k] = total.epeVm[k]! + p.epeVm[k]!;
    total.eneVm[k] = total.eneVm[k]! + p.eneVm[k]!;
    total.collateralVm[k] = total.collateralVm[k]! + p.collateralVm[k]!;
  }
  total.epe1y += p.epe1y;
  total.eepe += p.eepe;
}
