/**
 * Collateral balance of a netting set on every simulated path and grid date (docs/exposure.md, "Collateral").
 *
 * Sign: C > 0 is collateral held by the bank, C < 0 collateral posted by the bank. All amounts in the base currency:
 * the CSA amounts (thresholds, MTAs, independent amounts, rounding, IM) are stated in the collateral currency and are
 * converted once at today's spot `fxToBase` (units of base per unit of collateral currency); the collateral is not
 * revalued with simulated FX (no collateral FX risk is modelled).
 *
 * Variation margin (ISDA CSA, 1994 NY law Paragraph 3 / 1995 English law Paragraph 2, both ways): with V the netting
 * set value from the bank's side and x = V + IA_cpty − IA_bank,
 *   the bank's Credit Support Amount     A_bank = max(x − TH_cpty, 0)   (collateral the bank should hold),
 *   the counterparty's Credit Support Amount A_cpty = max(−x − TH_bank, 0) (collateral the bank should post),
 * at most one of which is positive; the required balance is R = coverage · (A_bank − A_cpty). At a margin call with
 * balance B the shortfall S = R − B is transferred by the counterparty (S > 0) or the bank (S < 0) only when |S| is
 * at least that party's minimum transfer amount; a delivery (the secured party's holding grows) is rounded up and a
 * return (it shrinks) rounded down to the rounding multiple, both in the secured party's favour; a transfer that
 * crosses zero returns the whole old balance and rounds the new delivery up.
 *
 * Margin calls are path dependent: they are made on the netting set's own grid dates (the as-of date, its exposure
 * dates and their close-out lag dates), at most one per `marginFrequencyDays` business days and only on business
 * days, each starting from the balance left by the previous call. The as-of date's call starts from a zero balance,
 * as ORE does. Margin period of risk ("lagged" close-out, ORE's symmetric default): the collateral available at an
 * exposure date t is the balance after the last call on or before the lag date t − MPoR (`grid.lagIndex`); calls
 * between t − MPoR and t are not settled by either side. After the netting set's last live date V = 0, but the
 * balance of the last calls is still held until the close-out of its final payment is complete: up to the last grid
 * date whose lag date is on or before the last live date (closeOutEnd), E = −C(t − MPoR), the final flow's MPoR
 * spike, as at every earlier payment date; after that the balance is 0.
 *
 * Initial margin held by the bank (segregated, not rehypothecated) is either a constant input amount (`initialMargin`,
 * collateral currency) or an amount per grid date (`initialMarginProfile`, base currency: the expected dynamic IM of
 * src/margin/dim.ts). Either is the same on every path (a deterministic IM: the regression DIM gives E[IM(t)], not a
 * pathwise IM), scaled by the coverage like VM, added to C up to the close-out end, and it reduces the positive
 * exposure only; the profile adds it back on the negative side (the returned per-date IM array).
 */
import { addBusinessDays, isBusinessDay } from '../conventions/calendar.js';
import { XvaUsageError } from '../errors.js';
import type { NettingSet } from '../portfolio/types.js';
import type { TimeGrid } from '../simulation/types.js';
import { threadKernels } from './valuation/wasm/poolKernels.js';

export interface CollateralOptions {
  /** Multiplies the required VM (independent amounts included) and IM: 0 = no collateral, 1.2 = 120%. */
  coverage: number;
  /** Today's spot of the collateral currency in base currency units; the CSA amounts are converted once with it. */
  fxToBase: number;
  /** IM held by the bank, in the collateral currency, constant until the close-out end (default 0). */
  initialMargin?: number;
  /**
   * IM held by the bank per grid index (base currency, >= 0, one entry per grid date), instead of `initialMargin`:
   * the same on every path. A constant array gives bit for bit the result of the equal scalar.
   */
  initialMarginProfile?: Float64Array;
  /**
   * The netting set's last live grid index (NettingSetKernel.lastDateIndex): V = 0 after it; collateral is 0 after
   * its close-out end (closeOutEndOf: later under a CSA with a margin period of risk). −1: no live date at all (a set
   * whose trades have all matured), treated as 0 without a close-out after it.
   */
  lastDateIndex?: number;
  /**
   * Fill only the rows of the exposure dates (grid.exposureDate) and leave the other rows unspecified: what the
   * engine reads (profile, Euler weights, totals). The margin calls and balances are the same; only the copies of
   * balances into rows nobody reads are skipped. Default false: every row.
   */
  exposureRowsOnly?: boolean;
}

/** Coverage range allowed for scenarios (0% to 120% of the contractual requirement). */
export const MAX_COLLATERAL_COVERAGE = 1.2;

/** Relative slack when rounding to a multiple, so that e.g. 0.3 / 0.1 = 2.9999999999999996 rounds to 3. */
const ROUNDING_SLACK = 1e-9;

/**
 * Fills out[d * nPaths + p] with the collateral C held at grid index d on path p (base currency, + = held by the bank)
 * for a netting set with values V in `values` (same layout, base currency, undeflated). Returns the initial margin held
 * included in C at each grid index (base currency; the segregated part that must not create negative exposure).
 */
export function computeCollateral(
  nettingSet: NettingSet,
  values: Float64Array,
  grid: TimeGrid,
  nPaths: number,
  options: CollateralOptions,
  out: Float64Array,
): Float64Array {
  const nDates = grid.dates.length;
  checkOptions(nettingSet, options, values.length, out.length, nDates, nPaths);
  // Pass 1 (the tracker) keeps the balances in `out` itself: at the call dates and copied into the source rows.
  const tracker = new CollateralTracker(nettingSet, grid, nPaths, options, out);
  const { imHeld, last } = tracker;
  if (tracker.trivial) {
    // Uncollateralised (or a scenario with no collateral): C is the IM held only.
    for (let d = 0; d < nDates; d++) out.fill(imHeld[d]!, d * nPaths, (d + 1) * nPaths);
    return imHeld;
  }
  tracker.advanceTo(last, values);
  // Pass 2, backwards and in place (lag[d] <= d, so a source row is read before it is overwritten): C(d) is the
  // balance at the close-out lag date, plus the IM held; zero after the close-out end.
  const rowsOnly = options.exposureRowsOnly === true;
  for (let d = nDates - 1; d >= 0; d--) {
    if (rowsOnly && grid.exposureDate[d] !== 1) continue;
    tracker.fill(d, out);
  }
  return imHeld;
}

/**
 * A CollateralTracker for a netting set whose values come date by date (the engine's valuation loop), its balances in
 * `store` (nDates × nPaths, not the output array: rows are filled forwards). Checks the options as computeCollateral.
 */
export function createCollateralTracker(nettingSet: NettingSet, grid: TimeGrid, nPaths: number, options: CollateralOptions, store: Float64Array): CollateralTracker {
  checkOptions(nettingSet, options, store.length, store.length, grid.dates.length, nPaths);
  return new CollateralTracker(nettingSet, grid, nPaths, options, store);
}

/**
 * The margin calls of one netting set advanced date by date (the rules above): computeCollateral runs it over every
 * date at once; the engine runs it alongside the valuation, date by date, so that the collateral of an exposure date
 * is known as soon as its value is (CollateralTracker.fill after advanceTo(d)), with the same operations and bits.
 *
 * Balances are kept in `store` (date-major like the values): at each call date the new balance, and at each source
 * row (a close-out lag date of a row the caller fills) the balance in force. `store` may be the output array itself
 * when the rows are filled backwards (computeCollateral); filled forwards it must be another array.
 */
export class CollateralTracker {
  /** IM held included in C per grid index (base currency, coverage applied). */
  readonly imHeld: Float64Array;
  /** No CSA or coverage 0: C is the IM held only (advanceTo does nothing). */
  readonly trivial: boolean;
  /** The netting set's last live grid index. */
  readonly last: number;
  /**
   * The last grid index with collateral (closeOutEndOf): the last live date, or under a CSA with a margin period of
   * risk the last grid date whose close-out lag date is on or before it (the final payment's close-out).
   */
  readonly closeOutEnd: number;
  private readonly lag: Int32Array;
  private readonly isCall: Uint8Array;
  private readonly isSource: Uint8Array;
  private readonly balance: Float64Array;
  private readonly coverage: number;
  private readonly thresholdCpty: number;
  private readonly thresholdBank: number;
  private readonly mtaCpty: number;
  private readonly mtaBank: number;
  private readonly netIndependentAmount: number;
  private readonly multiple: number;
  private readonly exact: boolean;
  /** Next grid index pass 1 processes. */
  private next = 0;

  constructor(
    nettingSet: NettingSet,
    grid: TimeGrid,
    private readonly nPaths: number,
    options: CollateralOptions,
    private readonly store: Float64Array,
  ) {
    const nDates = grid.dates.length;
    const { coverage, fxToBase } = options;
    this.coverage = coverage;
    const given = options.lastDateIndex ?? nDates - 1;
    const last = Math.min(Math.max(given, 0), nDates - 1);
    this.last = last;

    // IM in base currency first (the scalar converted once), then scaled by the coverage: one formula for both forms.
    this.trivial = !nettingSet.csa || coverage === 0;
    this.lag = this.trivial ? new Int32Array(0) : closeOutLags(nettingSet, grid);
    const end = this.trivial || given < 0 ? last : closeOutEndOf(this.lag, last);
    this.closeOutEnd = end;
    // the IM held stays until the close-out end, as the VM balance (it covers the final payment's close-out too); after
    // the last live date an IM profile's amount is that of the close-out lag date, as the VM balance is (a dynamic IM
    // is 0 once the set has paid out, but the IM called before the final payment is still held)
    const imHeld = new Float64Array(nDates);
    const profile = options.initialMarginProfile;
    const imBase = (options.initialMargin ?? 0) * fxToBase;
    for (let d = 0; d <= end; d++) imHeld[d] = coverage * (profile ? profile[d > last ? this.lag[d]! : d]! : imBase);
    this.imHeld = imHeld;
    this.isCall = this.trivial ? new Uint8Array(0) : marginCallDates(nettingSet, grid, this.lag, last, end);

    // CSA amounts in base currency.
    this.thresholdCpty = nettingSet.thresholdCpty * fxToBase;
    this.thresholdBank = nettingSet.thresholdBank * fxToBase;
    this.mtaCpty = nettingSet.mtaCpty * fxToBase;
    this.mtaBank = nettingSet.mtaBank * fxToBase;
    this.netIndependentAmount = (nettingSet.independentAmountCpty - nettingSet.independentAmountBank) * fxToBase;
    this.multiple = nettingSet.rounding * fxToBase;
    // Without MTAs and rounding every call brings the balance exactly to the requirement: no path dependence.
    this.exact = this.mtaCpty === 0 && this.mtaBank === 0 && this.multiple === 0;
    // Rows fill reads: the close-out lag rows of the rows it fills (all of them, or those of the exposure dates).
    const rowsOnly = options.exposureRowsOnly === true;
    this.isSource = new Uint8Array(nDates);
    if (!this.trivial) for (let d = 0; d <= end; d++) if (!rowsOnly || grid.exposureDate[d] === 1) this.isSource[this.lag[d]!] = 1;
    this.balance = new Float64Array(this.trivial ? 0 : nPaths);
  }

  /**
   * Pass 1 up to grid index d (inclusive, at most the last live date): the balance after the latest call on or before
   * each grid date, per path, written into the store at the call dates and copied into the source rows between calls.
   * Reads the value rows of the call dates up to d, which must be final; called with increasing d.
   */
  advanceTo(d: number, values: Float64Array): void {
    if (this.trivial) return;
    const { nPaths, isCall, isSource, balance, store, coverage, thresholdCpty, thresholdBank, mtaCpty, mtaBank, netIndependentAmount, multiple, exact } = this;
    const end = Math.min(d, this.last);
    for (let k = this.next; k <= end; k++) {
      const base = k * nPaths;
      if (isCall[k] === 1) {
        const kernels = threadKernels(nPaths);
        if (kernels !== undefined) {
          // the WebAssembly loop (wasm/poolKernels.ts marginCall2): the same operations per path, a choice between
          // branches a lane select, so the same bits; it reads a copy of the values and balances in its memory
          const balances = kernels.in2.subarray(0, nPaths);
          kernels.in1.set(values.subarray(base, base + nPaths));
          if (!exact) balances.set(balance);
          kernels.marginCall(nPaths, netIndependentAmount, thresholdCpty, thresholdBank, coverage * 0.5, mtaCpty, mtaBank, multiple, exact);
          balance.set(balances);
          store.set(balances, base);
          continue;
        }
        for (let p = 0; p < nPaths; p++) {
          const x = values[base + p]! + netIndependentAmount;
          const held = x - thresholdCpty;
          const posted = -x - thresholdBank;
          // max(held, 0) − max(posted, 0), branch-free ((a + |a|)/2 = max(a, 0) exactly); at most one is positive.
          const required = coverage * 0.5 * (held + Math.abs(held) - posted - Math.abs(posted));
          if (exact) {
            balance[p] = required;
            store[base + p] = required;
            continue;
          }
          const b = balance[p]!;
          const shortfall = required - b;
          // A call is made when the shortfall clears the paying party's MTA. Written with few branches on the path's
          // values (which side calls is a coin flip per path; mispredicted branches cost more than the arithmetic):
          // the rules of roundUp/roundDown above, folded with -ceil(-x) = floor(x), are
          //   no zero crossing: b + k·m, k = ⌈sf/m − ε⌉ when the secured party's holding grows (delivery: the bank's
          //     when it calls with b >= 0, the counterparty's when it calls with b > 0), else ⌊sf/m + ε⌋ (a return);
          //   crossing zero: the old balance is returned and the new delivery rounded up: ⌈req/m − ε⌉·m to the bank,
          //     ⌊req/m + ε⌋·m = −⌈−req/m − ε⌉·m to the counterparty.
          const toBank = +(shortfall > 0) & +(shortfall >= mtaCpty);
          const toCpty = +(shortfall < 0) & +(-shortfall >= mtaBank);
          const crosses = (+(b < 0) & +(required > 0)) | (+(b > 0) & +(required < 0));
          let next: number;
          if ((toBank | toCpty) === 0) next = b;
          else if (multiple === 0) next = crosses === 1 ? required : b + shortfall;
          else {
            // k = up ? ⌈x − ε⌉ : ⌊x + ε⌋ as kf + up·(kc − kf): both are whole numbers, so the blend is exact.
            const up = crosses === 1 ? toBank : (toBank & +(b >= 0)) | (toCpty & +(b > 0));
            const x = (crosses === 1 ? required : shortfall) / multiple;
            const kf = Math.floor(x + ROUNDING_SLACK);
            const units = (kf + up * (Math.ceil(x - ROUNDING_SLACK) - kf)) * multiple;
            next = crosses === 1 ? units : b + units;
          }
          balance[p] = next;
          store[base + p] = next;
        }
      } else if (isSource[k] === 1) {
        store.set(balance, base);
      }
    }
    if (end + 1 > this.next) this.next = end + 1;
  }

  /**
   * Row d of C into `out` (date-major): the balance at d's close-out lag date plus the IM held, 0 after the close-out
   * end (the IM held only when trivial). Needs advanceTo(min(d, last)) first, and d's lag date among the rows it keeps.
   */
  fill(d: number, out: Float64Array): void {
    const nPaths = this.nPaths;
    const base = d * nPaths;
    if (this.trivial) {
      out.fill(this.imHeld[d]!, base, base + nPaths);
      return;
    }
    if (d > this.closeOutEnd) {
      out.fill(0, base, base + nPaths);
      return;
    }
    const source = this.lag[d]! * nPaths;
    const im = this.imHeld[d]!;
    const store = this.store;
    for (let p = 0; p < nPaths; p++) out[base + p] = store[source + p]! + im;
  }

  /**
   * The margin-call rules of this tracker as data, for a kernel that runs them elsewhere (the GPU backend's margin
   * kernel, wgsl/figures.ts): per grid index the call dates, the rows whose balance is read later (sources) and
   * the close-out lag index, the IM held, and the CSA amounts in base currency.
   */
  plan(): CollateralPlan {
    return {
      trivial: this.trivial,
      last: this.last,
      closeOutEnd: this.closeOutEnd,
      lag: this.lag,
      isCall: this.isCall,
      isSource: this.isSource,
      imHeld: this.imHeld,
      coverage: this.coverage,
      thresholdCpty: this.thresholdCpty,
      thresholdBank: this.thresholdBank,
      mtaCpty: this.mtaCpty,
      mtaBank: this.mtaBank,
      netIndependentAmount: this.netIndependentAmount,
      multiple: this.multiple,
      exact: this.exact,
    };
  }
}

/** CollateralTracker.plan: its rules as plain data (per grid index arrays; the amounts in base currency). */
export interface CollateralPlan {
  readonly trivial: boolean;
  readonly last: number;
  readonly closeOutEnd: number;
  readonly lag: Int32Array;
  readonly isCall: Uint8Array;
  readonly isSource: Uint8Array;
  readonly imHeld: Float64Array;
  readonly coverage: number;
  readonly thresholdCpty: number;
  readonly thresholdBank: number;
  readonly mtaCpty: number;
  readonly mtaBank: number;
  readonly netIndependentAmount: number;
  readonly multiple: number;
  readonly exact: boolean;
}

/** The slack of the rounding to a multiple (CollateralTracker.advanceTo), for kernels that apply the same rule. */
export const COLLATERAL_ROUNDING_SLACK = ROUNDING_SLACK;

/** An IM profile of a netting set: the amount held from each date on (day serials, base currency). */
export interface InitialMarginProfile {
  dates: Int32Array;
  amounts: Float64Array;
}

/**
 * A netting set's IM profile on the grid (step: the amount of the last IM date on or before each grid date, 0 before
 * the first). Refuses unsorted dates, mismatched lengths and amounts that are negative or not finite.
 */
export function initialMarginOnGrid(nettingSetId: string, profile: InitialMarginProfile, grid: TimeGrid): Float64Array {
  const { dates, amounts } = profile;
  if (dates.length !== amounts.length) {
    throw new XvaUsageError(`netting set ${nettingSetId}: the IM profile has ${dates.length} dates and ${amounts.length} amounts`);
  }
  for (let i = 0; i < dates.length; i++) {
    if (i > 0 && !(dates[i]! > dates[i - 1]!)) throw new XvaUsageError(`netting set ${nettingSetId}: the IM profile dates must increase (entry ${i})`);
    if (!(amounts[i]! >= 0 && Number.isFinite(amounts[i]!))) {
      throw new XvaUsageError(`netting set ${nettingSetId}: IM amount ${amounts[i]} (entry ${i}) must be a finite amount >= 0`);
    }
  }
  const out = new Float64Array(grid.dates.length);
  let j = -1; // last IM date on or before the grid date (both ascending)
  for (let d = 0; d < grid.dates.length; d++) {
    while (j + 1 < dates.length && dates[j + 1]! <= grid.dates[d]!) j++;
    out[d] = j >= 0 ? amounts[j]! : 0;
  }
  return out;
}

function roundUp(amount: number, multiple: number): number {
  return multiple > 0 ? Math.ceil(amount / multiple - ROUNDING_SLACK) * multiple : amount;
}

function roundDown(amount: number, multiple: number): number {
  return multiple > 0 ? Math.floor(amount / multiple + ROUNDING_SLACK) * multiple : amount;
}

/** Close-out lag index per grid index: identity for MPoR 0, else the grid's lag map for the set's MPoR. */
function closeOutLags(nettingSet: NettingSet, grid: TimeGrid): Int32Array {
  const mpor = nettingSet.marginPeriodOfRiskDays;
  const nDates = grid.dates.length;
  if (mpor === 0) {
    const identity = new Int32Array(nDates);
    for (let d = 0; d < nDates; d++) identity[d] = d;
    return identity;
  }
  const lag = grid.lagIndex.get(mpor);
  if (!lag || lag.length !== nDates) {
    throw new Error(
      `netting set ${nettingSet.nettingSetId}: the time grid has no close-out dates for a margin period of risk of ` +
        `${mpor} business days; build the grid with withCloseOutDates including ${mpor}`,
    );
  }
  for (let d = 0; d < nDates; d++) {
    if (!(lag[d]! >= 0 && lag[d]! <= d)) throw new Error(`close-out lag index ${lag[d]} at grid index ${d} is not in 0..${d}`);
  }
  return lag;
}

/**
 * The last grid index at which a netting set whose last live grid index is `last` still has collateral: the last grid
 * date whose close-out lag date (lag, collateral.ts closeOutLags) is on or before `last`, so that the balance called
 * while its trades lived is still held there (E = −C(t − MPoR): the final payment's MPoR spike); `last` itself
 * without a margin period of risk (lag = identity) or without a lag map. Lag indices never decrease with the date.
 */
export function closeOutEndOf(lag: Int32Array | undefined, last: number): number {
  if (!lag || last < 0) return last;
  let end = last;
  while (end + 1 < lag.length && lag[end + 1]! <= last) end++;
  return end;
}

/**
 * The grid indices at which margin is called (1) for this netting set: candidates are the as-of date (always a call),
 * the exposure dates up to the last live date and the lag dates of the exposure dates up to the close-out end `end`;
 * after the as-of date a candidate is a call when it is a business day (any day under MPoR 0) at least
 * `marginFrequencyDays` business days after the previous call. No call after the last live date (V = 0 there).
 */
function marginCallDates(nettingSet: NettingSet, grid: TimeGrid, lag: Int32Array, last: number, end: number): Uint8Array {
  const nDates = grid.dates.length;
  const candidate = new Uint8Array(nDates);
  candidate[0] = 1;
  for (let d = 1; d <= end; d++) {
    if (grid.exposureDate[d] !== 1) continue;
    if (d <= last) candidate[d] = 1;
    candidate[lag[d]!] = 1;
  }
  const isCall = new Uint8Array(nDates);
  isCall[0] = 1;
  const frequency = Math.max(1, nettingSet.marginFrequencyDays);
  // under MPoR 0 the collateral at t is the call at t itself, whatever the day (docs/exposure.md): carrying the previous
  // grid call to a weekend exposure date would leave it a balance up to a grid step old
  const anyDay = nettingSet.marginPeriodOfRiskDays === 0;
  let nextAllowed = addBusinessDays(grid.dates[0]!, frequency);
  for (let d = 1; d <= last; d++) {
    const date = grid.dates[d]!;
    if (candidate[d] !== 1 || date < nextAllowed || (!anyDay && !isBusinessDay(date))) continue;
    isCall[d] = 1;
    nextAllowed = addBusinessDays(date, frequency);
  }
  return isCall;
}

function checkOptions(
  nettingSet: NettingSet,
  options: CollateralOptions,
  valuesLength: number,
  outLength: number,
  nDates: number,
  nPaths: number,
): void {
  const id = nettingSet.nettingSetId;
  if (!(options.coverage >= 0 && options.coverage <= MAX_COLLATERAL_COVERAGE)) {
    throw new XvaUsageError(`netting set ${id}: collateral coverage ${options.coverage} is outside 0 to ${MAX_COLLATERAL_COVERAGE} (0% to 120%)`);
  }
  if (!(options.fxToBase > 0 && Number.isFinite(options.fxToBase))) {
    throw new XvaUsageError(`netting set ${id}: FX spot of ${nettingSet.collateralCurrency} in base ${options.fxToBase} must be positive`);
  }
  const im = options.initialMargin ?? 0;
  if (!(im >= 0 && Number.isFinite(im))) throw new XvaUsageError(`netting set ${id}: initial margin held ${im} must be a finite amount >= 0`);
  const profile = options.initialMarginProfile;
  if (profile) {
    if (im !== 0) throw new XvaUsageError(`netting set ${id}: give the initial margin held as an amount or as a profile per date, not both`);
    if (profile.length !== nDates) throw new RangeError(`netting set ${id}: the IM profile has ${profile.length} entries for ${nDates} grid dates`);
    for (let d = 0; d < nDates; d++) {
      if (!(profile[d]! >= 0 && Number.isFinite(profile[d]!))) {
        throw new XvaUsageError(`netting set ${id}: initial margin held ${profile[d]} at grid date ${d} must be a finite amount >= 0`);
      }
    }
  }
  if (!Number.isInteger(nPaths) || nPaths < 1) throw new RangeError(`nPaths must be a positive integer, got ${nPaths}`);
  if (valuesLength < nDates * nPaths || outLength < nDates * nPaths) {
    throw new RangeError(`values (${valuesLength}) and out (${outLength}) must hold ${nDates} dates × ${nPaths} paths`);
  }
  if (options.lastDateIndex !== undefined && !(Number.isInteger(options.lastDateIndex) && options.lastDateIndex >= -1)) {
    throw new RangeError(`lastDateIndex must be a grid index >= 0 (or -1: no live date), got ${options.lastDateIndex}`);
  }
  if (nettingSet.csa) {
    const amounts: [string, number][] = [
      ['threshold_cpty', nettingSet.thresholdCpty],
      ['threshold_bank', nettingSet.thresholdBank],
      ['mta_cpty', nettingSet.mtaCpty],
      ['mta_bank', nettingSet.mtaBank],
      ['independent_amount_cpty', nettingSet.independentAmountCpty],
      ['independent_amount_bank', nettingSet.independentAmountBank],
      ['rounding', nettingSet.rounding],
    ];
    for (const [column, amount] of amounts) {
      if (!(amount >= 0 && Number.isFinite(amount))) {
        throw new XvaUsageError(`netting set ${id}: ${column} ${amount} must be a finite amount >= 0`);
      }
    }
    if (!(Number.isInteger(nettingSet.marginPeriodOfRiskDays) && nettingSet.marginPeriodOfRiskDays >= 0)) {
      throw new XvaUsageError(`netting set ${id}: margin_period_of_risk_days ${nettingSet.marginPeriodOfRiskDays} must be whole business days >= 0`);
    }
  }
}
