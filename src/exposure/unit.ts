/**
 * One work unit of the exposure engine: a run of whole counterparties (all their netting sets), valued on the shared
 * simulated paths. The same function runs in-process (`--threads 1`) and in every worker thread, and a netting set's
 * figures depend only on the set itself and the paths, never on which unit or thread ran it, so results are
 * bit-identical whatever the split.
 *
 * Per netting set: compile its trades into a kernel; value the set on the dates it needs (its exposure dates up to its
 * last live date, and under a CSA every grid date up to it, lag dates included), date-major into one transient
 * date × path buffer (never a trade × path × date cube); collateral; profile; Euler contributions per trade; its
 * positive exposure into the counterparty's accumulator. Per counterparty: the total profile (PFE over its sets).
 * With coverage variants (ctx.coverageVariants) the collateral, profile, Euler contributions and totals of the sets
 * under a CSA or with IM are computed again per coverage from the same buffer: the values are computed once.
 */
import type { DevicePayload } from './devicePayload.js';
import { counterpartyProfileFromDevice, setResultFromDevice, type DeviceCounterpartyFigures, type DeviceSetFigures } from './deviceFigures.js';
import type { Market } from '../market/types.js';
import type { NettingSet } from '../portfolio/types.js';
import { XvaInternalError } from '../errors.js';
import { tradeMaturity, type Trade } from '../products/types.js';
import type { SimulatedPaths, TimeGrid } from '../simulation/types.js';
import { accumulatePositiveExposure, createAccumulator, resetAccumulator, totalProfile, type PositiveExposureAccumulator } from './aggregate.js';
import { closeOutEndOf, createCollateralTracker, type CollateralOptions, type CollateralTracker } from './collateral.js';
import { closeOutCount, closeOutRows } from './cube.js';
import { eulerWeights, eulerWeightsBoth, shareEqually } from './euler.js';
import { computeProfile } from './profiles.js';
import type { NettingSetResult, SkippedTrade } from './results.js';
import type { ExposureProfile, NettingSetKernel } from './types.js';
import { compileNettingSet, type ValuationModel } from './valuation/index.js';
import { kernelsFor } from './valuation/wasm/poolKernels.js';

/** What every unit of a run shares (built once per thread). */
export interface UnitContext {
  market: Market;
  model: ValuationModel;
  grid: TimeGrid;
  paths: SimulatedPaths;
  /** Grid indices of the exposure dates. */
  exposureDates: Int32Array;
  /** P(0, t_d) of the base-currency OIS curve per grid index. */
  discountFactors: Float64Array;
  pfeQuantile: number;
  coverage: number;
  /**
   * Other collateral coverages (distinct, none equal to `coverage`) at which each netting set's collateral, profile
   * and Euler contributions, and each counterparty's total, are computed again from the same path values
   * (SimulationOptions.coverageVariants). Absent or empty: the base coverage only.
   */
  coverageVariants?: readonly number[];
  cube: boolean;
  /** SimulationOptions.closeOutRows: a CSA set's close-out lag dates valued (for the cube) at any coverage. */
  closeOutRows?: boolean;
  /**
   * false: no Euler contributions per trade (NettingSetResult.tradeEpe/tradeEne empty), for runs whose caller reads
   * the netting sets' figures or the cube only (SimulationOptions.tradeContributions); the netting sets' figures are
   * the same bits either way.
   * Absent: true.
   */
  tradeContributions?: boolean;
  /**
   * Netting sets valued by another backend (the GPU backend's device valuation, backends/gpu/valuation.ts), by book
   * index: their values come from it instead of the kernel (PrecomputedSet: the host's collateral, profile and Euler
   * allocation follow from them).
   */
  precomputed?: ReadonlyMap<number, PrecomputedSet>;
  /**
   * Netting sets whose figures the GPU device computed (the figures route, deviceFigures.ts), with their
   * counterparties' pathwise totals: a counterparty all of whose sets are here takes its results from them.
   */
  deviceFigures?: UnitTask['figures'];
}

/**
 * A netting set valued elsewhere, on the dates the host would value it (datesToValue: the exposure dates up to its
 * last live date and, under a CSA with a margin period of risk, their close-out lag dates). The host computes from
 * `values`, exactly as from its own values, the collateral (margin calls, IM held), PFE, the standard error, the
 * Euler allocation (with `kernel`), the coverage variants and the counterparty totals.
 */
export interface PrecomputedSet {
  /** The set compiled (every trade valued: no skipped trades); absent: compiled here (the same kernel). */
  readonly kernel?: NettingSetKernel;
  /** The same as data (to hand the set to a worker thread), when it came from the device. */
  readonly payload?: DevicePayload;
  /** Grid indices of the rows of `values`, ascending: datesToValue of the set. */
  readonly gridIndex: Int32Array;
  /** V on the dates of `gridIndex`: row j (grid index gridIndex[j]) at [j·nPaths + p]. */
  readonly values: Float32Array;
  /**
   * The base coverage's profile, from the host's pass over `values` and the collateral, with the backend's
   * expectations (EPE, ENE and the figures that follow from them) put in where they are the same figures (the set's
   * collateral is zero at the base coverage); otherwise the host profile unchanged.
   */
  finishProfile(profile: ExposureProfile, maturity: number): ExposureProfile;
}

export interface UnitNettingSet {
  /** Position in the book's order. */
  index: number;
  nettingSet: NettingSet;
  trades: Trade[];
  /**
   * IM held per grid index (base currency, the same on every path: the expected dynamic IM), replacing
   * nettingSet.initialMarginHeld. A plain typed array, so that it reaches the worker threads with the task.
   */
  initialMarginProfile?: Float64Array;
  /**
   * IM posted by the bank per grid index (base currency, the same on every path: the expected dynamic IM posted),
   * replacing nettingSet.initialMarginPosted.
   */
  initialMarginPostedProfile?: Float64Array;
}

export interface UnitCounterparty {
  /** Position among the book's counterparties. */
  index: number;
  counterpartyId: string;
  sets: UnitNettingSet[];
}

export interface UnitTask {
  unitId: number;
  counterparties: UnitCounterparty[];
  /** The unit's expected cost (its sets' partition.ts nettingSetCost, summed), for the order units are handed out in. */
  cost?: number;
  /**
   * The unit's netting sets valued by the GPU backend's device (worker threads): each becomes the UnitContext's
   * PrecomputedSet of its set (devicePayload.ts precomputedOf).
   */
  device?: DevicePayload[];
  /** The unit's netting sets (and counterparty totals) whose figures the GPU device computed (deviceFigures.ts). */
  figures?: { sets: DeviceSetFigures[]; counterparties: DeviceCounterpartyFigures[] };
  /** Only compile the sets and report unsupported trades (the run is failing on them): no valuation, no results. */
  checkOnly?: boolean;
}

export interface UnitResult {
  unitId: number;
  nettingSets: NettingSetResult[];
  counterparties: { index: number; counterpartyId: string; profile: ExposureProfile }[];
  /** Trades the pricers on paths cannot value (left out of their netting set), in book order. */
  skipped: SkippedTrade[];
  /** Trade × path × date valuations done. */
  valuations: number;
  /**
   * Per entry of ctx.coverageVariants (same order): the figures at that coverage of the netting sets and
   * counterparties whose figures depend on the coverage (a CSA or IM held). A set or counterparty not listed has the
   * base figures at every coverage. Absent without coverage variants.
   */
  coverageVariants?: UnitCoverageVariant[];
}

export interface UnitCoverageVariant {
  nettingSets: NettingSetResult[];
  counterparties: { index: number; counterpartyId: string; profile: ExposureProfile }[];
}

/**
 * Reusable per-thread buffers, grown on demand to the largest netting set seen (and so, after the first few sets, at
 * the largest size of the run), so that a netting set allocates only its results: no date × path array per set.
 */
class Scratch {
  values = new Float64Array(0);
  collateral = new Float64Array(0);
  /** The collateral tracker's balances of the set valued now (collateral.ts CollateralTracker's store). */
  balances = new Float64Array(0);
  weights = new Float64Array(0);
  weights2 = new Float64Array(0);
  column = new Float64Array(0);
  tradeSums = new Float64Array(0);
  tradeSums2 = new Float64Array(0);
  readonly residuals = new Float64Array(2);
  private needed = new Uint8Array(0);
  private readonly accumulators: (PositiveExposureAccumulator | undefined)[] = [];

  /**
   * A counterparty accumulator of positive exposures, emptied on the grid rows `rows` (the exposure dates, the only
   * rows it is given and read on), per thread and reused across counterparties: slot 0 for the base coverage, slot
   * 1 + v for coverage variant v.
   */
  emptyAccumulator(nDates: number, nPaths: number, rows: Int32Array, slot = 0): PositiveExposureAccumulator {
    const acc = this.accumulators[slot];
    if (acc && acc.nDates === nDates && acc.nPaths === nPaths) {
      resetAccumulator(acc, rows);
      return acc;
    }
    return (this.accumulators[slot] = createAccumulator(nDates, nPaths));
  }

  /** A zeroed flag per grid date. */
  neededDates(nDates: number): Uint8Array {
    if (this.needed.length < nDates) this.needed = new Uint8Array(nDates);
    const flags = this.needed.subarray(0, nDates);
    flags.fill(0);
    return flags;
  }

  ensure(cells: number, nPaths: number, trades: number): void {
    if (this.values.length < cells) {
      this.values = new Float64Array(cells);
      this.collateral = new Float64Array(cells);
      this.balances = new Float64Array(cells);
    }
    if (this.weights.length < nPaths) {
      this.weights = new Float64Array(nPaths);
      this.weights2 = new Float64Array(nPaths);
      this.column = new Float64Array(nPaths);
    }
    if (this.tradeSums.length < trades) {
      this.tradeSums = new Float64Array(trades);
      this.tradeSums2 = new Float64Array(trades);
    }
  }

  /** Lets go of every array (the next run allocates them again). */
  release(): void {
    const empty = new Float64Array(0);
    this.values = this.collateral = this.balances = empty;
    this.weights = this.weights2 = this.column = empty;
    this.tradeSums = this.tradeSums2 = empty;
    this.needed = new Uint8Array(0);
    this.accumulators.length = 0;
  }

  /** Bytes of the arrays held (tests). */
  get heldBytes(): number {
    let bytes = this.needed.byteLength;
    for (const a of [this.values, this.collateral, this.balances, this.weights, this.weights2, this.column, this.tradeSums, this.tradeSums2]) bytes += a.byteLength;
    for (const acc of this.accumulators) if (acc) bytes += acc.positive.byteLength;
    return bytes;
  }
}

const scratch = new Scratch();

/**
 * This thread's valuation scratch (values, collateral and balances per grid date and path, Euler weights, counterparty
 * accumulators) let go of: a kept worker that has waited without a next run (worker.ts), so that an idle process does
 * not hold a run's working memory. Returns the bytes it held.
 */
export function releaseScratch(): number {
  const bytes = scratch.heldBytes;
  scratch.release();
  return bytes;
}

/** 1/N on the exposure dates of a run's paths (other rows unset), computed once per thread and paths object. */
const inverseNumeraires = new WeakMap<SimulatedPaths, Float64Array>();
function inverseNumeraireOf(paths: SimulatedPaths, exposureDates: Int32Array): Float64Array {
  let inverse = inverseNumeraires.get(paths);
  if (!inverse) {
    const { nPaths, numeraire } = paths;
    inverse = new Float64Array(numeraire.length);
    for (const d of exposureDates) for (let i = d * nPaths; i < (d + 1) * nPaths; i++) inverse[i] = 1 / numeraire[i]!;
    inverseNumeraires.set(paths, inverse);
  }
  return inverse;
}

/**
 * Compiles a netting set. The pricers on paths throw an Error naming the trade for a product or feature they do not
 * support; then each trade is compiled alone to find every such trade of the set, and the set is compiled without
 * them (the engine reports them all at the end: an error listing them, or with --skip-unsupported a warning).
 */
function compileSet(ctx: UnitContext, item: UnitNettingSet): { kernel: NettingSetKernel; trades: Trade[]; skipped: SkippedTrade[] } {
  const valuationContext = { market: ctx.market, model: ctx.model, grid: ctx.grid, nettingSetId: item.nettingSet.nettingSetId, collateralCurrency: item.nettingSet.collateralCurrency };
  try {
    return { kernel: compileNettingSet(item.trades, valuationContext), trades: item.trades, skipped: [] };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'Error') throw error; // input and internal errors are not "unsupported"
    const kept: Trade[] = [];
    const skipped: SkippedTrade[] = [];
    for (const trade of item.trades) {
      try {
        compileNettingSet([trade], valuationContext);
        kept.push(trade);
      } catch (tradeError) {
        if (!(tradeError instanceof Error) || tradeError.name !== 'Error') throw tradeError;
        const prefix = `trade ${trade.tradeId}: `;
        const reason = tradeError.message.startsWith(prefix) ? tradeError.message.slice(prefix.length) : tradeError.message;
        skipped.push({ tradeId: trade.tradeId, nettingSetId: item.nettingSet.nettingSetId, product: trade.product, reason });
      }
    }
    if (skipped.length === 0) throw error;
    return { kernel: compileNettingSet(kept, valuationContext), trades: kept, skipped };
  }
}

/**
 * Whether a netting set's figures depend on the collateral coverage: under a CSA (VM), with initial margin held (the
 * set's input amount, or the expected IM profile per grid date that the margin engine supplies, which replaces it) or
 * with initial margin posted (likewise), all scaled by the coverage. Otherwise C = 0 and no IM is posted at every
 * coverage, and the figures are the same.
 */
export function dependsOnCoverage(item: UnitNettingSet): boolean {
  return holdsCollateral(item) || postsInitialMargin(item);
}

/** Whether a netting set can hold collateral (C ≠ 0 at a coverage > 0): under a CSA or with IM held. */
function holdsCollateral(item: UnitNettingSet): boolean {
  const imProfile = item.initialMarginProfile;
  const initialMarginHeld = imProfile ? 0 : (item.nettingSet.initialMarginHeld ?? 0);
  return item.nettingSet.csa || initialMarginHeld > 0 || (imProfile !== undefined && imProfile.some((x) => x > 0));
}

/**
 * Whether the bank posts initial margin on the set (its input amount, or the expected IM posted per grid date that
 * `--dynamic-im` supplies, which replaces it): then its ENE is after that IM, scaled by the coverage like the rest.
 */
export function postsInitialMargin(item: UnitNettingSet): boolean {
  const profile = item.initialMarginPostedProfile;
  return profile ? profile.some((x) => x > 0) : (item.nettingSet.initialMarginPosted ?? 0) > 0;
}

/**
 * The last grid index at which a netting set whose last live grid index is `last` has collateral at `coverage`
 * (collateral.ts closeOutEndOf, CollateralTracker.closeOutEnd): under a CSA with a margin period of risk, collateralised
 * at that coverage, the last grid date whose close-out lag date is on or before `last` (the final payment's close-out:
 * V = 0 there, C the balance called before it); otherwise `last`.
 */
export function closeOutEndAt(ctx: UnitContext, item: UnitNettingSet, last: number, coverage: number): number {
  const { nettingSet } = item;
  if (last < 0 || !(coverage > 0) || !nettingSet.csa || !(nettingSet.marginPeriodOfRiskDays > 0)) return last;
  return Math.min(closeOutEndOf(ctx.grid.lagIndex.get(nettingSet.marginPeriodOfRiskDays), last), ctx.grid.dates.length - 1);
}

/**
 * The IM the bank posts on a netting set per grid index at `coverage` (base currency: the input amount converted at
 * today's spot of the collateral currency, or the posted profile), 0 after the close-out end (closeOutEndAt) of its last
 * live grid index `last`; undefined when it posts none at that coverage.
 */
export function postedMarginOf(ctx: UnitContext, item: UnitNettingSet, last: number, coverage: number): Float64Array | undefined {
  if (!(coverage > 0 && postsInitialMargin(item))) return undefined;
  const nDates = ctx.grid.dates.length;
  const out = new Float64Array(nDates);
  const profile = item.initialMarginPostedProfile;
  const amount = profile ? 0 : (item.nettingSet.initialMarginPosted ?? 0) * ctx.market.fxSpot(item.nettingSet.collateralCurrency, ctx.market.baseCurrency);
  // (up to the close-out end, as the IM held: collateral.ts; after the last live date a profile's amount at the
  // close-out lag date, as the VM balance)
  const end = Math.min(Math.max(closeOutEndAt(ctx, item, last, coverage), 0), nDates - 1);
  const lag = end > last ? ctx.grid.lagIndex.get(item.nettingSet.marginPeriodOfRiskDays) : undefined;
  for (let d = 0; d <= end; d++) out[d] = coverage * (profile ? profile[lag && d > last ? lag[d]! : d]! : amount);
  return out;
}

/**
 * The close-out lag index (grid.lagIndex) of a netting set's margin period of risk when its margin calls need the lag
 * dates: under a CSA with MPoR > 0, collateralised at the run's coverage or a coverage variant its figures are
 * computed at (all of them when they depend on the coverage); otherwise undefined.
 */
function closeOutLagOf(ctx: UnitContext, item: UnitNettingSet): Int32Array | undefined {
  const { nettingSet } = item;
  const variantCoverages = ctx.coverageVariants && ctx.coverageVariants.length > 0 && dependsOnCoverage(item) ? ctx.coverageVariants : [];
  const collateralised = nettingSet.csa && (ctx.coverage > 0 || variantCoverages.some((c) => c > 0) || ctx.closeOutRows === true);
  return collateralised && nettingSet.marginPeriodOfRiskDays > 0 ? ctx.grid.lagIndex.get(nettingSet.marginPeriodOfRiskDays) : undefined;
}

/**
 * The grid indices, ascending, at which a netting set is valued (the rows its profile, Euler allocation, collateral
 * and totals read): its exposure dates up to its last live date `last` and, when its margin calls need them
 * (closeOutLagOf), the close-out lag dates for its MPoR of its exposure dates up to the close-out end (the lag dates
 * of exposure dates after `last` whose collateral is still held: collateral.ts closeOutEndOf). The one rule for the host's
 * valuation (runNettingSet) and a backend's (backends/gpu/valuation.ts), so that they value the same rows.
 */
export function datesToValue(ctx: UnitContext, item: UnitNettingSet, last: number): Int32Array {
  const { grid } = ctx;
  const nDates = grid.dates.length;
  const needed = scratch.neededDates(nDates);
  const end = Math.min(last, nDates - 1);
  for (let d = 0; d <= end; d++) needed[d] = grid.exposureDate[d]!;
  const lag = closeOutLagOf(ctx, item);
  // the lag dates of the exposure dates up to the close-out end (collateral.ts closeOutEndOf): all on or before `last`
  const closeOutEnd = lag && last >= 0 ? Math.min(closeOutEndOf(lag, last), nDates - 1) : end;
  if (lag) for (let d = 0; d <= closeOutEnd; d++) if (grid.exposureDate[d] === 1) needed[lag[d]!] = 1;
  let count = 0;
  for (let d = 0; d <= end; d++) count += needed[d]!;
  const out = new Int32Array(count);
  for (let d = 0, j = 0; d <= end; d++) if (needed[d] === 1) out[j++] = d;
  return out;
}

/**
 * Values of one netting set on the dates it needs, then collateral, profile and Euler contributions at the base
 * coverage and (when the set's figures depend on the coverage) at each coverage variant, all from the same values;
 * adds its exposure at each coverage to `accumulate` (slot 0 = base, 1 + v = variant v).
 */
function runNettingSet(
  ctx: UnitContext,
  item: UnitNettingSet,
  accumulate: (slot: number, values: Float64Array, collateral: Float64Array | undefined) => void,
  onCube: ((values: Float64Array) => void) | undefined,
): { result: NettingSetResult; variants: NettingSetResult[] | undefined; valuations: number; skipped: SkippedTrade[] } {
  const { grid, paths, exposureDates } = ctx;
  const { nettingSet } = item;
  const pre = ctx.precomputed?.get(item.index);
  const { kernel, trades, skipped } = pre?.kernel ? { kernel: pre.kernel, trades: item.trades, skipped: [] } : compileSet(ctx, item);
  const nPaths = paths.nPaths;
  const nDates = grid.dates.length;
  const cells = nDates * nPaths;
  scratch.ensure(cells, nPaths, trades.length);
  const values = scratch.values.subarray(0, cells);
  const last = Math.min(kernel.lastDateIndex, nDates - 1);
  // The variants this set is figured at: all of them when its figures depend on the coverage, else none (the base
  // figures hold at every coverage). Margin calls need the lag dates when any of its coverages is positive.
  const variantCoverages = ctx.coverageVariants && ctx.coverageVariants.length > 0 && dependsOnCoverage(item) ? ctx.coverageVariants : [];

  // Valuation, date-major, on the dates that are read (datesToValue): the exposure dates up to the last live date
  // (profile) and, under a CSA with a margin period of risk, their close-out lag dates for this set's MPoR (margin calls).
  const toValue = datesToValue(ctx, item, last);
  const needed = scratch.neededDates(nDates);
  for (const d of toValue) needed[d] = 1;
  const lag = closeOutLagOf(ctx, item);
  const maturities = Float64Array.from(trades, tradeMaturity).sort();
  const maturity = maturities.length > 0 ? maturities[maturities.length - 1]! : grid.asOf;
  const nTrades = trades.length;
  const nExp = exposureDates.length;

  // The base coverage's collateral and Euler allocation run alongside the valuation, date by date (a set valued by
  // another backend: after it, from its values): the collateral of an exposure date is known once its value is
  // (CollateralTracker), so its Euler allocation follows at once, reusing the per-path work the kernel kept from
  // valueAt (stencils, per-path trade values). The same operations as figuresAtCoverage, so the same bits.
  const fused = pre === undefined;
  const allocate = ctx.tradeContributions !== false;
  const tradeEpe = new Float64Array(allocate ? nTrades * nExp : 0);
  const tradeEne = new Float64Array(allocate ? nTrades * nExp : 0);
  // the last date with collateral at the base coverage: after `last` (V = 0) up to it, C is the balance called before
  // (the final payment's close-out), with its exposure, profile figures and Euler shares (all residual: V = 0)
  const end = closeOutEndAt(ctx, item, last, ctx.coverage);
  const baseCollateral = fused ? collateralTracker(ctx, item, last, ctx.coverage) : undefined;
  const tradeEpeVm = allocate && marginOnLiveDate(ctx, baseCollateral?.imHeld, end) ? new Float64Array(nTrades * nExp) : tradeEpe;
  const basePosted = fused ? postedMarginOf(ctx, item, last, ctx.coverage) : undefined;
  const tradeEneVm = allocate && marginOnLiveDate(ctx, basePosted, end) ? new Float64Array(nTrades * nExp) : tradeEne;
  const tracker = baseCollateral?.tracker;
  const collateral = tracker ? scratch.collateral.subarray(0, cells) : undefined;

  let valuations = 0;
  let gone = 0; // trades maturing before the date (maturities ascending)
  let preRow = 0; // row of `pre.values` (grid index pre.gridIndex[preRow]): the rows are ascending, as d
  let k = 0; // exposure dates passed
  for (let d = 0; d < nDates; d++) {
    const row = values.subarray(d * nPaths, (d + 1) * nPaths);
    const exposure = grid.exposureDate[d] === 1;
    if (d > last || needed[d] !== 1) {
      // Not valued. An exposure date after the last live date is read by the profile: V = 0 there. Any other row
      // (another MPoR's lag date) is read by nothing (the counterparty accumulator takes the exposure-date rows only):
      // left as it is (zeroing it would cost a memset of most of the grid per set).
      if (exposure) {
        row.fill(0);
        if (collateral) {
          tracker!.advanceTo(d, values);
          tracker!.fill(d, collateral);
        }
        // the final payment's close-out (d in (last, end]): V = 0, C held, so the exposure is all residual
        if (fused && allocate && d > last && d <= end) eulerAtDate(ctx, kernel, nTrades, k, d, values, collateral, baseCollateral?.imHeld, basePosted, { tradeEpe, tradeEne, tradeEpeVm, tradeEneVm });
        k++;
      }
      continue;
    }
    if (pre) {
      const rows = pre.gridIndex;
      while (preRow < rows.length && rows[preRow]! < d) preRow++;
      if (rows[preRow] !== d) throw new XvaInternalError(`netting set ${nettingSet.nettingSetId}: the backend did not value grid date ${d}, which the host reads`);
      const from = pre.values.subarray(preRow * nPaths, (preRow + 1) * nPaths);
      for (let p = 0; p < nPaths; p++) row[p] = from[p]!;
    } else kernel.valueAt(d, paths, row, fused && exposure && allocate);
    while (gone < maturities.length && maturities[gone]! < grid.dates[d]!) gone++;
    valuations += (maturities.length - gone) * nPaths;
    if (!fused) continue;
    tracker?.advanceTo(d, values);
    if (exposure) {
      if (collateral) tracker!.fill(d, collateral);
      if (allocate) eulerAtDate(ctx, kernel, nTrades, k, d, values, collateral, baseCollateral?.imHeld, basePosted, { tradeEpe, tradeEne, tradeEpeVm, tradeEneVm });
      k++;
    }
  }

  const base: CoverageFigures = fused
    ? { profile: profileOf(ctx, item, values, end, maturity, collateral, baseCollateral?.imHeld, basePosted), tradeEpe, tradeEne, tradeEpeVm, tradeEneVm, collateral }
    : figuresAtCoverage(ctx, item, kernel, nTrades, values, last, maturity, ctx.coverage, pre);
  accumulate(0, values, base.collateral);

  if (onCube) {
    // Exposure-date rows, then (CSA with MPoR) the values at the close-out lag dates the set lives at (cube.ts
    // closeOutRows; the engine splits them off). Each of those lag dates is on or before the last live date and is
    // that of an exposure date up to the close-out end, so it was valued above (datesToValue): the very values the
    // figures read, also those a backend valued (a GPU's f32 values, not the host's f64 ones).
    const closeOut = closeOutRows(exposureDates, lag, last);
    const cube = new Float64Array((nExp + closeOutCount(closeOut)) * nPaths);
    let extra = nExp;
    for (let k = 0; k < nExp; k++) {
      const d = exposureDates[k]!;
      cube.set(values.subarray(d * nPaths, (d + 1) * nPaths), k * nPaths);
      const g = closeOut[k]!;
      if (g < 0) continue;
      if (needed[g] !== 1) throw new XvaInternalError(`netting set ${nettingSet.nettingSetId}: the close-out lag date ${g} of exposure date ${d} was not valued`);
      cube.set(values.subarray(g * nPaths, (g + 1) * nPaths), extra * nPaths);
      extra++;
    }
    onCube(cube);
  }

  const resultOf = (figures: CoverageFigures): NettingSetResult => ({
    index: item.index,
    nettingSetId: nettingSet.nettingSetId,
    counterpartyId: nettingSet.counterpartyId,
    collateralised: nettingSet.csa,
    marginPeriodOfRiskDays: nettingSet.csa ? nettingSet.marginPeriodOfRiskDays : 0,
    profile: figures.profile,
    tradeIds: kernel.tradeIds,
    tradeEpe: figures.tradeEpe,
    tradeEne: figures.tradeEne,
    tradeEpeVm: figures.tradeEpeVm,
    tradeEneVm: figures.tradeEneVm,
    lastDateIndex: last,
  });
  const result = resultOf(base);
  // The coverage variants re-aggregate the same values (still in the buffer): collateral, profile, Euler, totals.
  const variants =
    variantCoverages.length > 0
      ? variantCoverages.map((coverage, v) => {
          const figures = figuresAtCoverage(ctx, item, kernel, trades.length, values, last, maturity, coverage);
          accumulate(1 + v, values, figures.collateral);
          return resultOf(figures);
        })
      : undefined;
  return { result, variants, valuations, skipped };
}

interface CoverageFigures {
  profile: ExposureProfile;
  tradeEpe: Float64Array;
  tradeEne: Float64Array;
  /** Contributions to the EPE after VM only: tradeEpe itself when the set holds no IM (marginOnLiveDate). */
  tradeEpeVm: Float64Array;
  /** Contributions to the ENE after VM only: tradeEne itself when the set posts no IM. */
  tradeEneVm: Float64Array;
  /** C per grid date and path (scratch memory: valid until the next call), undefined when C = 0. */
  collateral: Float64Array | undefined;
}

/**
 * Collateral at `coverage`, then the profile and the Euler contributions per trade, of a netting set whose values
 * (date-major, the rows the set reads) are in `values`, which it does not change. The figures depend only on the set,
 * the values and the coverage, so re-aggregating at another coverage gives bit for bit a run made with that coverage.
 */
function figuresAtCoverage(
  ctx: UnitContext,
  item: UnitNettingSet,
  kernel: NettingSetKernel,
  nTrades: number,
  values: Float64Array,
  last: number,
  maturity: number,
  coverage: number,
  pre?: PrecomputedSet,
): CoverageFigures {
  const { grid, paths, exposureDates } = ctx;
  const nPaths = paths.nPaths;
  const cells = grid.dates.length * nPaths;
  const held = collateralTracker(ctx, item, last, coverage);
  let collateral: Float64Array | undefined;
  if (held) {
    collateral = scratch.collateral.subarray(0, cells);
    const { tracker } = held;
    tracker.advanceTo(last, values);
    for (const d of exposureDates) tracker.fill(d, collateral);
  }
  const posted = postedMarginOf(ctx, item, last, coverage);
  // V = 0 after `last`; C (and so the exposure) up to the close-out end
  const end = closeOutEndAt(ctx, item, last, coverage);
  const profile = profileOf(ctx, item, values, end, maturity, collateral, held?.imHeld, posted, pre);
  // Euler contributions on the exposure dates (zero after the close-out end: every value and C there is 0)
  const nExp = exposureDates.length;
  const allocate = ctx.tradeContributions !== false;
  const tradeEpe = new Float64Array(allocate ? nTrades * nExp : 0);
  const tradeEne = new Float64Array(allocate ? nTrades * nExp : 0);
  const tradeEpeVm = allocate && marginOnLiveDate(ctx, held?.imHeld, end) ? new Float64Array(nTrades * nExp) : tradeEpe;
  const tradeEneVm = allocate && marginOnLiveDate(ctx, posted, end) ? new Float64Array(nTrades * nExp) : tradeEne;
  for (let k = 0; allocate && k < nExp; k++) {
    const d = exposureDates[k]!;
    if (d > end) break;
    eulerAtDate(ctx, kernel, nTrades, k, d, values, collateral, held?.imHeld, posted, { tradeEpe, tradeEne, tradeEpeVm, tradeEneVm });
  }
  return { profile, tradeEpe, tradeEne, tradeEpeVm, tradeEneVm, collateral };
}

/**
 * Whether an IM per grid index (held or posted) is positive on a live exposure date (the set's EPE, or ENE, after VM
 * only then differs from its EPE, or ENE).
 */
function marginOnLiveDate(ctx: UnitContext, im: Float64Array | undefined, last: number): boolean {
  if (!im) return false;
  for (const d of ctx.exposureDates) if (d <= last && im[d]! > 0) return true;
  return false;
}

/**
 * The margin-call tracker of a netting set at `coverage` (collateral.ts; its balances in this thread's scratch), or
 * undefined when C = 0 at that coverage. Initial margin held reduces the exposure of CSA and non-CSA sets alike and is
 * scaled by the coverage like VM.
 */
function collateralTracker(ctx: UnitContext, item: UnitNettingSet, last: number, coverage: number): { tracker: CollateralTracker; imHeld: Float64Array } | undefined {
  const options = collateralOptionsOf(ctx, item, last, coverage);
  if (!options) return undefined;
  const cells = ctx.grid.dates.length * ctx.paths.nPaths;
  const tracker = createCollateralTracker(item.nettingSet, ctx.grid, ctx.paths.nPaths, options, scratch.balances.subarray(0, cells));
  return { tracker, imHeld: tracker.imHeld };
}

/**
 * The collateral options of a netting set at `coverage` (collateral.ts), or undefined when C = 0 at that coverage.
 * Initial margin held reduces the exposure of CSA and non-CSA sets alike and is scaled by the coverage like VM.
 */
export function collateralOptionsOf(ctx: UnitContext, item: UnitNettingSet, last: number, coverage: number): CollateralOptions | undefined {
  if (!(coverage > 0 && holdsCollateral(item))) return undefined;
  const { nettingSet } = item;
  const imProfile = item.initialMarginProfile;
  const initialMarginHeld = imProfile ? 0 : (nettingSet.initialMarginHeld ?? 0);
  const fxToBase = ctx.market.fxSpot(nettingSet.collateralCurrency, ctx.market.baseCurrency);
  return {
    coverage,
    fxToBase,
    ...(imProfile ? { initialMarginProfile: imProfile } : { initialMargin: initialMarginHeld }),
    lastDateIndex: Math.max(last, -1), // −1: no live date (no close-out after the as-of date)
    exposureRowsOnly: true,
  };
}

/** The set's profile from its values and collateral (the device's expectations put in for a set valued there). */
function profileOf(
  ctx: UnitContext,
  item: UnitNettingSet,
  values: Float64Array,
  closeOutEnd: number,
  maturity: number,
  collateral: Float64Array | undefined,
  imHeld: Float64Array | undefined,
  imPosted: Float64Array | undefined,
  pre?: PrecomputedSet,
): ExposureProfile {
  const { grid, paths, exposureDates } = ctx;
  const { nettingSet } = item;
  const hostProfile = computeProfile(
    {
      nettingSetId: nettingSet.nettingSetId,
      counterpartyId: nettingSet.counterpartyId,
      grid,
      nPaths: paths.nPaths,
      values,
      numeraire: paths.numeraire,
      discountFactors: ctx.discountFactors,
      ...(collateral ? { collateral } : {}),
      ...(imHeld ? { initialMarginHeld: imHeld } : {}),
      ...(imPosted ? { initialMarginPosted: imPosted } : {}),
      maturity,
      lastDateIndex: closeOutEnd, // V = 0 (rows zeroed above) and C = 0 after it
      inverseNumeraire: inverseNumeraireOf(paths, exposureDates),
    },
    { pfeQuantile: ctx.pfeQuantile, antithetic: paths.antithetic === true },
    scratch.column,
  );
  return pre ? pre.finishProfile(hostProfile, maturity) : hostProfile;
}

/** The Euler contributions of a set's trades, trade-major [i·nExp + k] (CoverageFigures). */
interface TradeFigures {
  tradeEpe: Float64Array;
  tradeEne: Float64Array;
  /** tradeEpe itself when the set holds no IM, tradeEne itself when it posts none: then nothing more is written. */
  tradeEpeVm: Float64Array;
  tradeEneVm: Float64Array;
}

/**
 * Euler contributions of every trade to EPE and ENE at exposure date d (the k-th), into column k of tradeEpe and
 * tradeEne (trade i at [i·nExp + k]): EPE and ENE weights in one pass over the paths, both trade sums in one pass of
 * the kernel, eulerWeightsBoth's residuals shared equally. A set holding IM, or posting it, gets the EPE, or ENE,
 * after VM only in another pass (tradeEpeVm, tradeEneVm).
 */
function eulerAtDate(
  ctx: UnitContext,
  kernel: NettingSetKernel,
  nTrades: number,
  k: number,
  d: number,
  values: Float64Array,
  collateral: Float64Array | undefined,
  imHeld: Float64Array | undefined,
  imPosted: Float64Array | undefined,
  out: TradeFigures,
): void {
  const { paths } = ctx;
  const nPaths = paths.nPaths;
  const nExp = ctx.exposureDates.length;
  const { tradeEpe, tradeEne, tradeEpeVm, tradeEneVm } = out;
  const epeSums = scratch.tradeSums.subarray(0, nTrades);
  const eneSums = scratch.tradeSums2.subarray(0, nTrades);
  // the path weights straight into the WebAssembly kernels' slot when there are kernels on these paths (where
  // eulerWeightsBoth's kernel writes them and the pools' scatter reads them): no copies
  const kernels = kernelsFor(paths.numeraire, nPaths);
  const weights = kernels ? kernels.wa : scratch.weights;
  const weights2 = kernels ? kernels.wb : scratch.weights2;
  const { residuals } = scratch;
  const im = imHeld ? imHeld[d]! : 0;
  const posted = imPosted ? imPosted[d]! : 0;
  eulerWeightsBoth(d, nPaths, values, paths.numeraire, weights, weights2, residuals, {
    ...(collateral ? { collateral } : {}),
    initialMarginHeld: im,
    ...(posted !== 0 ? { initialMarginPosted: posted } : {}),
  });
  if (nTrades === 1) {
    // One trade: its value is the set's on every path, so its contribution is Σ_p w_p·V_p itself (what the pools'
    // node-weight scatter and dot products give up to rounding), with no scatter.
    const base = d * nPaths;
    let epe = 0;
    let ene = 0;
    for (let p = 0; p < nPaths; p++) {
      const v = values[base + p]!;
      epe += weights[p]! * v;
      ene += weights2[p]! * v;
    }
    epeSums[0] = epe;
    eneSums[0] = ene;
  } else {
    epeSums.fill(0);
    eneSums.fill(0);
    kernel.accumulateTradeWeighted(d, paths, weights, epeSums, weights2, eneSums);
  }
  shareEqually(residuals[0]!, epeSums, nTrades);
  shareEqually(residuals[1]!, eneSums, nTrades);
  for (let i = 0; i < nTrades; i++) {
    tradeEpe[i * nExp + k] = epeSums[i]!;
    tradeEne[i * nExp + k] = eneSums[i]!;
  }
  // The EPE after VM only (the funding exposure): the same pro-rata rule on E + IM, the exposure before the segregated
  // IM held (euler.ts, vmOnly); the ENE after VM only: on the liability before the IM posted. Each gathered in another
  // pass of the kernel at this date, on dates with that IM only.
  if (tradeEpeVm !== tradeEpe) vmOnlyAtDate(ctx, kernel, nTrades, k, d, values, collateral, im, 'epe', im === 0 ? epeSums : undefined, tradeEpeVm);
  if (tradeEneVm !== tradeEne) vmOnlyAtDate(ctx, kernel, nTrades, k, d, values, collateral, im, 'ene', posted === 0 ? eneSums : undefined, tradeEneVm);
}

/**
 * Column k of one side's contributions after VM only (eulerAtDate): the side's own sums when that IM is 0 at the date
 * (`same`), else the pro-rata weights on that side with vmOnly and another pass of the kernel.
 */
function vmOnlyAtDate(
  ctx: UnitContext,
  kernel: NettingSetKernel,
  nTrades: number,
  k: number,
  d: number,
  values: Float64Array,
  collateral: Float64Array | undefined,
  im: number,
  side: 'epe' | 'ene',
  same: Float64Array | undefined,
  out: Float64Array,
): void {
  const nExp = ctx.exposureDates.length;
  if (same) {
    for (let i = 0; i < nTrades; i++) out[i * nExp + k] = same[i]!;
    return;
  }
  const { paths } = ctx;
  const nPaths = paths.nPaths;
  const sums = scratch.tradeSums.subarray(0, nTrades);
  const vmWeights = scratch.weights;
  const residual = eulerWeights(side, d, nPaths, values, paths.numeraire, vmWeights, { ...(collateral ? { collateral } : {}), initialMarginHeld: im, vmOnly: true });
  if (nTrades === 1) {
    const base = d * nPaths;
    let sum = 0;
    for (let p = 0; p < nPaths; p++) sum += vmWeights[p]! * values[base + p]!;
    sums[0] = sum;
  } else {
    sums.fill(0);
    kernel.accumulateTradeWeighted(d, paths, vmWeights, sums);
  }
  shareEqually(residual, sums, nTrades);
  for (let i = 0; i < nTrades; i++) out[i * nExp + k] = sums[i]!;
}

/**
 * Runs one unit. `onNettingSetDone` reports progress (the set's book index) as sets finish; with `ctx.cube` each
 * set's path values come back in `result.cube` (Float64: the exposure-date rows, then the close-out rows of cube.ts).
 */
export function runUnit(ctx: UnitContext, task: UnitTask, onNettingSetDone?: (index: number) => void): UnitResult {
  const nPaths = ctx.paths.nPaths;
  const nDates = ctx.grid.dates.length;
  const out: UnitResult = { unitId: task.unitId, nettingSets: [], counterparties: [], skipped: [], valuations: 0 };
  if (task.checkOnly) {
    for (const cp of task.counterparties) for (const item of cp.sets) out.skipped.push(...compileSet(ctx, item).skipped);
    return out;
  }
  const variantCoverages = ctx.coverageVariants ?? [];
  const variantsOut: UnitCoverageVariant[] = variantCoverages.map(() => ({ nettingSets: [], counterparties: [] }));
  if (variantCoverages.length > 0) out.coverageVariants = variantsOut;
  const figureSets = new Map((ctx.deviceFigures?.sets ?? []).map((f) => [f.index, f]));
  const figureCps = new Map((ctx.deviceFigures?.counterparties ?? []).map((f) => [f.index, f]));
  for (const cp of task.counterparties) {
    if (figureSets.size > 0 && cp.sets.every((item) => figureSets.has(item.index))) {
      // the figures route: every figure of the counterparty's sets came from the device
      const profiles: ExposureProfile[] = [];
      for (const item of cp.sets) {
        const f = figureSets.get(item.index)!;
        const result = setResultFromDevice(ctx, item, f);
        out.nettingSets.push(result);
        out.valuations += f.valuations;
        profiles.push(result.profile);
        onNettingSetDone?.(item.index);
      }
      out.counterparties.push({ index: cp.index, counterpartyId: cp.counterpartyId, profile: counterpartyProfileFromDevice(ctx, cp, profiles, figureCps.get(cp.index)) });
      continue;
    }
    // A counterparty with one netting set: its totals are the set's own figures (the same definitions), so the
    // path accumulator over its sets is needed only for two or more.
    // Only the exposure-date rows are added and read (totalProfile): the values of the other rows are not all set.
    const rows = ctx.exposureDates;
    const acc = cp.sets.length > 1 ? scratch.emptyAccumulator(nDates, nPaths, rows) : undefined;
    const profiles: ExposureProfile[] = [];
    // Coverage variants: a counterparty has other totals only when one of its sets depends on the coverage; then each
    // variant's accumulator takes every set in order (a set that does not depend on it with its base exposure), as a
    // run at that coverage would.
    const varies = variantCoverages.length > 0 && cp.sets.some(dependsOnCoverage);
    const variantAccs = varies && acc ? variantCoverages.map((_, v) => scratch.emptyAccumulator(nDates, nPaths, rows, 1 + v)) : [];
    const variantProfiles: ExposureProfile[][] = varies ? variantCoverages.map(() => []) : [];
    for (const item of cp.sets) {
      let cube: Float64Array | undefined;
      const sameAtEveryCoverage = !dependsOnCoverage(item);
      const { result, variants, valuations, skipped } = runNettingSet(
        ctx,
        item,
        acc
          ? (slot, values, collateral) => {
              accumulatePositiveExposure(slot === 0 ? acc : variantAccs[slot - 1]!, values, collateral, rows);
              if (slot === 0 && sameAtEveryCoverage) for (const a of variantAccs) accumulatePositiveExposure(a, values, collateral, rows);
            }
          : () => undefined,
        ctx.cube ? (values) => (cube = values) : undefined,
      );
      if (cube) result.cube = cube;
      out.nettingSets.push(result);
      out.valuations += valuations;
      out.skipped.push(...skipped);
      profiles.push(result.profile);
      for (let v = 0; v < variantProfiles.length; v++) variantProfiles[v]!.push(variants ? variants[v]!.profile : result.profile);
      if (variants) for (let v = 0; v < variants.length; v++) variantsOut[v]!.nettingSets.push(variants[v]!);
      onNettingSetDone?.(item.index);
    }
    const totalOf = (setProfiles: ExposureProfile[], accumulator: PositiveExposureAccumulator | undefined): ExposureProfile =>
      accumulator
        ? totalProfile(
            setProfiles,
            accumulator,
            { id: cp.counterpartyId, counterpartyId: cp.counterpartyId, numeraire: ctx.paths.numeraire, pfeQuantile: ctx.pfeQuantile, antithetic: ctx.paths.antithetic === true },
            scratch.column,
          )
        : { ...setProfiles[0]!, nettingSetId: cp.counterpartyId };
    out.counterparties.push({ index: cp.index, counterpartyId: cp.counterpartyId, profile: totalOf(profiles, acc) });
    for (let v = 0; v < variantProfiles.length; v++) {
      variantsOut[v]!.counterparties.push({ index: cp.index, counterpartyId: cp.counterpartyId, profile: totalOf(variantProfiles[v]!, variantAccs[v]) });
    }
  }
  return out;
}
