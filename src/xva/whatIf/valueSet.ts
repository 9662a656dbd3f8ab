/**
 * A netting set's exposure on the what-if's paths, as the engine computes it (src/exposure/unit.ts): values on the
 * dates that are read (exposure dates up to the last live date and, under a CSA with a margin period of risk, their
 * close-out lag dates), collateral (collateral.ts) and the discounted profile (profiles.ts). No Euler contributions:
 * the what-if needs only the set's EPE, ENE and collateral. Values are additive across trades (every kernel is a
 * sum over its trades' pooled flows and per-trade options), so the set with a new trade is valued as the set's
 * values plus the trade's, without valuing the set again.
 */
import { closeOutEndOf, computeCollateral } from '../../exposure/collateral.js';
import { computeProfile } from '../../exposure/profiles.js';
import type { NettingSetKernel } from '../../exposure/types.js';
import type { Market } from '../../market/types.js';
import type { NettingSet } from '../../portfolio/types.js';
import type { DateSerial } from '../../conventions/dates.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';

export interface SetContext {
  market: Market;
  /** The paths' grid: a prefix of the what-if grid holding every date any valued set needs. */
  grid: TimeGrid;
  paths: SimulatedPaths;
  /** Grid indices of the exposure dates on `grid`. */
  exposureDates: Int32Array;
  /** Exposure dates of the whole what-if grid (the profiles are padded to them with zeros: dead sets). */
  exposureCount: number;
  /** P(0, t_d), base-currency OIS, per index of `grid`. */
  discountFactors: Float64Array;
  /** 1/N on the exposure rows of `grid` (the engine's, so that the profiles are bit for bit the engine's). */
  inverseNumeraire: Float64Array;
  coverage: number;
  pfeQuantile: number;
}

/** Discounted profile figures the XVA sums read, on every exposure date of the what-if grid. */
export interface SetExposure {
  epe: Float64Array;
  ene: Float64Array;
  collateral: Float64Array;
  /** After VM only, the funding exposure (ExposureProfile.epeVm, collateralVm): FCA and ColVA read these. */
  epeVm: Float64Array;
  collateralVm: Float64Array;
  /** ENE after VM only (ExposureProfile.eneVm, before the IM the bank posted): FBA reads it, DVA `ene`. */
  eneVm: Float64Array;
  epeStdError: Float64Array;
}

export function inverseNumeraireOn(paths: SimulatedPaths, exposureDates: Int32Array): Float64Array {
  const { nPaths, numeraire } = paths;
  const inverse = new Float64Array(numeraire.length);
  for (const d of exposureDates) for (let i = d * nPaths; i < (d + 1) * nPaths; i++) inverse[i] = 1 / numeraire[i]!;
  return inverse;
}

/** The last grid index a kernel is valued at (its last live date, within the paths' grid). */
export function lastIndexOf(kernel: NettingSetKernel | undefined, ctx: SetContext): number {
  return kernel ? Math.min(kernel.lastDateIndex, ctx.grid.dates.length - 1) : 0;
}

function collateralised(ctx: SetContext, nettingSet: NettingSet): boolean {
  return nettingSet.csa && ctx.coverage > 0;
}

/** The close-out lag map of a set's margin calls at the what-if's coverage, when it has an MPoR. */
function closeOutLag(ctx: SetContext, nettingSet: NettingSet): Int32Array | undefined {
  return collateralised(ctx, nettingSet) && nettingSet.marginPeriodOfRiskDays > 0 ? ctx.grid.lagIndex.get(nettingSet.marginPeriodOfRiskDays) : undefined;
}

/**
 * The last grid index with collateral of a set alive up to `last` (exposure/unit.ts closeOutEndAt, collateral.ts
 * closeOutEndOf): after `last` up to it, the balance called before is still held (the final payment's close-out).
 */
function closeOutEnd(ctx: SetContext, nettingSet: NettingSet, last: number): number {
  const lag = closeOutLag(ctx, nettingSet);
  return lag && last >= 0 ? Math.min(closeOutEndOf(lag, last), ctx.grid.dates.length - 1) : last;
}

/**
 * 1 on the grid dates a set alive up to `last` reads: exposure dates ≤ last and the close-out lag dates of the
 * exposure dates up to its close-out end (all on or before `last`).
 */
export function neededDates(ctx: SetContext, nettingSet: NettingSet, last: number): Uint8Array {
  const { grid } = ctx;
  const needed = new Uint8Array(grid.dates.length);
  for (let d = 0; d <= last; d++) needed[d] = grid.exposureDate[d]!;
  const lag = closeOutLag(ctx, nettingSet);
  const end = closeOutEnd(ctx, nettingSet, last);
  if (lag) for (let d = 0; d <= end; d++) if (grid.exposureDate[d] === 1) needed[lag[d]!] = 1;
  return needed;
}

/**
 * Fills the rows of `out` flagged in `needed`: the kernel's values up to its last live date `last`, 0 after it (and
 * 0 for every row when there is no kernel: an empty set). Other rows are left as they are.
 */
export function valueRows(ctx: SetContext, kernel: NettingSetKernel | undefined, last: number, needed: Uint8Array, out: Float64Array): void {
  const n = ctx.paths.nPaths;
  for (let d = 0; d < needed.length; d++) {
    if (needed[d] !== 1) continue;
    const row = out.subarray(d * n, (d + 1) * n);
    if (kernel && d <= last) kernel.valueAt(d, ctx.paths, row);
    else row.fill(0);
  }
}

/** Reusable buffers of one what-if (one netting set at a time). */
export class SetScratch {
  readonly collateral: Float64Array;
  readonly column: Float64Array;
  constructor(cells: number, nPaths: number) {
    this.collateral = new Float64Array(cells);
    this.column = new Float64Array(nPaths);
  }
}

/**
 * Collateral and profile of a set valued in `values` (the rows of `neededDates(last)` filled; every other exposure
 * row is set to 0 here: after the last live date V = 0), padded to the what-if grid's exposure dates.
 */
export function setExposure(ctx: SetContext, nettingSet: NettingSet, values: Float64Array, last: number, maturity: DateSerial, scratch: SetScratch): SetExposure {
  const { grid, paths, market } = ctx;
  const nPaths = paths.nPaths;
  for (let d = last + 1; d < grid.dates.length; d++) if (grid.exposureDate[d] === 1) values.fill(0, d * nPaths, (d + 1) * nPaths);
  const initialMargin = nettingSet.initialMarginHeld ?? 0;
  const withCollateral = ctx.coverage > 0 && (collateralised(ctx, nettingSet) || initialMargin > 0);
  let collateral: Float64Array | undefined;
  let imHeld: Float64Array | undefined;
  if (withCollateral) {
    collateral = scratch.collateral;
    imHeld = computeCollateral(
      nettingSet,
      values,
      grid,
      nPaths,
      {
        coverage: ctx.coverage,
        fxToBase: market.fxSpot(nettingSet.collateralCurrency, market.baseCurrency),
        initialMargin,
        lastDateIndex: Math.max(last, -1),
        exposureRowsOnly: true,
      },
      collateral,
    );
  }
  // V = 0 after `last`; C (the balance called before) up to the close-out end
  const end = closeOutEnd(ctx, nettingSet, last);
  // the IM the bank posted (its input amount, at the coverage, up to the close-out end): lowers the ENE only
  // (coverage · (amount · spot), the engine's order: exposure/unit.ts postedMarginOf, so the same bits)
  const postedInput = nettingSet.initialMarginPosted ?? 0;
  let imPosted: Float64Array | undefined;
  if (ctx.coverage > 0 && postedInput > 0) {
    imPosted = new Float64Array(grid.dates.length);
    imPosted.fill(ctx.coverage * (postedInput * market.fxSpot(nettingSet.collateralCurrency, market.baseCurrency)), 0, Math.max(end, 0) + 1);
  }
  const profile = computeProfile(
    {
      nettingSetId: nettingSet.nettingSetId,
      counterpartyId: nettingSet.counterpartyId,
      grid,
      nPaths,
      values,
      numeraire: paths.numeraire,
      discountFactors: ctx.discountFactors,
      ...(collateral ? { collateral } : {}),
      ...(imHeld ? { initialMarginHeld: imHeld } : {}),
      ...(imPosted ? { initialMarginPosted: imPosted } : {}),
      maturity,
      lastDateIndex: end,
      inverseNumeraire: ctx.inverseNumeraire,
    },
    { pfeQuantile: ctx.pfeQuantile, antithetic: paths.antithetic === true },
    scratch.column,
  );
  // After the paths' last date the set is dead (V = 0, C = 0): zeros, as the engine's profile gives there.
  const pad = (x: Float64Array): Float64Array => {
    const out = new Float64Array(ctx.exposureCount);
    out.set(x);
    return out;
  };
  return { epe: pad(profile.epe), ene: pad(profile.ene), collateral: pad(profile.collateral), epeVm: pad(profile.epeVm), collateralVm: pad(profile.collateralVm), eneVm: pad(profile.eneVm), epeStdError: pad(profile.epeStdError) };
}
