/**
 * The host half of the GPU backend's figures route (wgsl/figures.ts), with no device in it (worker threads run it):
 * for a netting set whose valuation tables tables.ts built, the inputs of the margin, reduce and Euler kernels.
 *
 * - Margin: per slot of the valuation (unit.ts datesToValue, ascending) whether it is a margin-call date, a close-out
 *   lag date whose balance is read later (source), a live exposure date (its exposure index and the slot of its lag
 *   date), and the IM held there; the CSA amounts in base currency. All from collateral.ts CollateralTracker.plan at
 *   the run's base coverage, so the device applies the host's rules on the same dates.
 * - Reduce: per live exposure date its grid index and value slot, and the IM held.
 * - Euler: every trade compiled on its own (compileNettingSet of the one trade) and its node tables at each live
 *   exposure date on which it lives (compile.ts ratePoolNodeTables), packed as one set of slots (tables.ts packKernelTables),
 *   one slot per (exposure date, trade); the device values each trade there and sums it against the set's Euler
 *   weights. A pooled set's value is linear in its trades' node tables, so the trades' values add up to the set's.
 */
import { XvaInternalError } from '../../../errors.js';
import { tradeMaturity } from '../../../products/types.js';
import { COLLATERAL_ROUNDING_SLACK, CollateralTracker } from '../../collateral.js';
import { DEFAULT_SMALL_VALUE_LIMIT } from '../../euler.js';
import type { NettingSetKernel } from '../../types.js';
import { closeOutEndAt, collateralOptionsOf, postedMarginOf, type UnitContext, type UnitNettingSet } from '../../unit.js';
import { compileNettingSet } from '../../valuation/index.js';
import type { LegRecords } from '../../valuation/compile.js';
import { NO_NODE_TABLES, overBindingLimit, packDeviceTables, packKernelTables, prepareDeviceSet, type DeviceFactorIndex } from './tables.js';
import type { DeviceTablesAnswer } from '../../pool.js';
import type { UnitCounterparty } from '../../unit.js';
import { GRID_NODES } from '../../valuation/stateGrid.js';
import { RUNNING_SLOPES } from '../../valuation/ratePool.js';
import { CALL, EULER_INFO_HEADER, EULER_INFO_WORDS, EXPOSURE, MARGIN_HEADER, MARGIN_REALS, MARGIN_SLOT_WORDS, REDUCE_HEADER, SOURCE } from './wgsl/figures.js';

/** The figures route's inputs of one set (structured-clonable, from a worker thread to the device thread). */
export interface DeviceFiguresTables {
  /** Live exposure dates: the grid's first nExp exposure dates (those on or before the set's last live date). */
  nExp: number;
  margin: { ints: Uint32Array; reals: Float32Array; trivial: boolean };
  /** The dates valued on the set's own tables (not exposure dates): rows 0 .. tableDates.length − 1 of its values. */
  tableDates: Int32Array;
  reduce: { ints: Uint32Array; reals: Float32Array };
  /** Per-trade node tables, one slot per (exposure date, trade); slotTrade and slotExposure say which. */
  trades: { ints: Uint32Array; reals: Float32Array; nodeCount: number; info: Uint32Array; sumIndex: Uint32Array; gridNodes: number; runningSlopes: number; slotTrade: Int32Array; slotExposure: Int32Array };
  /** Trades of the set, in its kernel's order. */
  tradeIds: string[];
  /** The set's last live grid index, latest trade maturity (day serial) and trade × path × date valuations. */
  last: number;
  maturity: number;
  valuations: number;
}

const f32Scratch = new Float32Array(1);
const f32Words = new Uint32Array(f32Scratch.buffer);
/** The bits of x rounded to f32 (one scratch word: no arrays per call). */
const f32Bits = (x: number): number => {
  f32Scratch[0] = x;
  return f32Words[0]!;
};

/**
 * The figures route's inputs for a set whose device tables are `tables` and kernel `kernel`, or a reason it cannot
 * take that route (then its values come back and the host computes its figures).
 */
export function deviceFiguresTablesOf(ctx: UnitContext, item: UnitNettingSet, kernel: NettingSetKernel, gridIndex: Int32Array, factors: DeviceFactorIndex, legRecords?: LegRecords): DeviceFiguresTables | string {
  const { grid, exposureDates, paths } = ctx;
  const nDates = grid.dates.length;
  const last = Math.min(kernel.lastDateIndex, nDates - 1);
  const nSlots = gridIndex.length;
  // rows of the set's values on the device: the close-out lag dates that are not exposure dates first (valued on
  // the set's tables), then the live exposure dates (each the sum of its trades' values)
  const tableDates = Int32Array.from(Array.from(gridIndex).filter((d) => grid.exposureDate[d] !== 1));
  const lagRows = tableDates.length;
  const slotOf = new Int32Array(nDates).fill(-1);
  for (let j = 0; j < nSlots; j++) slotOf[gridIndex[j]!] = j;
  // the exposure dates with figures: up to the close-out end (unit.ts closeOutEndAt), after the last live date those
  // of the final payment's close-out (V = 0: no trade slot, a row the sum kernel sets to 0; C the balance held)
  const end = closeOutEndAt(ctx, item, last, ctx.coverage);
  let nLive = 0;
  while (nLive < exposureDates.length && exposureDates[nLive]! <= last) nLive++;
  let nExp = nLive;
  while (nExp < exposureDates.length && exposureDates[nExp]! <= end) nExp++;
  // margin slots: the valued dates, then those close-out exposure dates (not valued: after every valued date)
  const nMarginSlots = nSlots + (nExp - nLive);

  // margin calls at the base coverage (none when C = 0 there: the IM held only, 0)
  const options = collateralOptionsOf(ctx, item, last, ctx.coverage);
  const plan = options ? new CollateralTracker(item.nettingSet, grid, paths.nPaths, options, new Float64Array(0)).plan() : undefined;
  const trivial = !plan || plan.trivial;
  const marginInts = new Uint32Array(MARGIN_HEADER + MARGIN_SLOT_WORDS * nMarginSlots);
  const marginReals = new Float32Array(MARGIN_REALS + nMarginSlots);
  marginInts[1] = nMarginSlots;
  marginInts[2] = nExp;
  marginInts[3] = (trivial ? 1 : 0) | (plan?.exact ? 2 : 0);
  if (plan) {
    marginReals.set([plan.coverage, plan.thresholdCpty, plan.thresholdBank, plan.mtaCpty, plan.mtaBank, plan.netIndependentAmount, plan.multiple, COLLATERAL_ROUNDING_SLACK], 0);
    if (!plan.trivial) {
      // every call date and every source row must be a slot: the host reads V there too (unit.ts datesToValue)
      for (let d = 0; d <= last; d++) {
        if ((plan.isCall[d] === 1 || plan.isSource[d] === 1) && slotOf[d]! < 0) {
          throw new XvaInternalError(`netting set ${item.nettingSet.nettingSetId}: margin date ${d} is not among the dates it is valued on`);
        }
      }
    }
  }
  const im = (d: number): number => (plan ? plan.imHeld[d]! : 0);
  // the IM the bank posts at the base coverage (unit.ts postedMarginOf): it lowers the ENE only (the kernels' posted terms)
  const postedOnGrid = postedMarginOf(ctx, item, last, ctx.coverage);
  const posted = (d: number): number => (postedOnGrid ? postedOnGrid[d]! : 0);
  let postsIm = false;
  for (let d = 0; d <= end; d++) if (grid.exposureDate[d] === 1 && posted(d) > 0) postsIm = true;
  // A set holding IM also needs its trades' shares of the EPE after VM only (the funding exposure, unit.ts
  // eulerAtDate): a third sum per trade slot (wgsl/figures.ts eulerWgsl, width 3)
  let holdsIm = false;
  for (let d = 0; d <= end; d++) if (grid.exposureDate[d] === 1 && im(d) > 0) holdsIm = true;
  let k = 0;
  let lagRow = 0;
  for (let j = 0; j < nMarginSlots; j++) {
    const d = j < nSlots ? gridIndex[j]! : exposureDates[nLive + (j - nSlots)]!;
    const at = MARGIN_HEADER + MARGIN_SLOT_WORDS * j;
    marginInts[at + 3] = grid.exposureDate[d] === 1 ? lagRows + k : lagRow++;
    let flags = 0;
    if (plan && !plan.trivial && plan.isCall[d] === 1) flags |= CALL;
    if (plan && !plan.trivial && plan.isSource[d] === 1) flags |= SOURCE;
    if (grid.exposureDate[d] === 1) {
      if (exposureDates[k] !== d) throw new XvaInternalError(`netting set ${item.nettingSet.nettingSetId}: exposure date ${d} out of order`);
      flags |= EXPOSURE;
      marginInts[at + 1] = k;
      if (plan && !plan.trivial) {
        const lagSlot = slotOf[plan.lag[d]!]!;
        if (lagSlot < 0) throw new XvaInternalError(`netting set ${item.nettingSet.nettingSetId}: close-out lag date of ${d} is not valued`);
        marginInts[at + 2] = lagSlot;
      }
      k++;
    }
    marginInts[at] = flags;
    marginReals[MARGIN_REALS + j] = im(d);
  }
  if (k !== nExp) throw new XvaInternalError(`netting set ${item.nettingSet.nettingSetId}: ${k} exposure slots for ${nExp} exposure dates with figures`);

  const reduceInts = new Uint32Array(REDUCE_HEADER + 2 * nExp);
  // IM held per row, then IM posted per row (wgsl/figures.ts REDUCE_WGSL)
  const reduceReals = new Float32Array(Math.max(1, 2 * nExp));
  reduceInts[1] = nDates;
  reduceInts[2] = factors.numeraireFactor;
  reduceInts[3] = nExp;
  reduceInts[4] = f32Bits(DEFAULT_SMALL_VALUE_LIMIT);
  for (let e = 0; e < nExp; e++) {
    const d = exposureDates[e]!;
    reduceInts[REDUCE_HEADER + 2 * e] = d;
    reduceInts[REDUCE_HEADER + 2 * e + 1] = lagRows + e;
    reduceReals[e] = im(d);
    reduceReals[nExp + e] = posted(d);
  }

  // per-trade tables on the live exposure dates
  const trades = item.trades;
  if (kernel.tradeIds.length !== trades.length || kernel.tradeIds.some((id, i) => id !== trades[i]!.tradeId)) {
    return 'its kernel does not hold its trades in book order';
  }
  // one slot per (trade, live exposure date), trade by trade: typed arrays, no object per slot (about a million for
  // utb-20k)
  const singles: NettingSetKernel[] = [];
  const liveExposures = new Int32Array(trades.length);
  let nTradeSlots = 0;
  for (let i = 0; i < trades.length; i++) {
    const single = compileNettingSet([trades[i]!], { market: ctx.market, model: ctx.model, grid, nettingSetId: item.nettingSet.nettingSetId, collateralCurrency: item.nettingSet.collateralCurrency, ...(legRecords ? { legRecords } : {}) });
    singles.push(single);
    const tradeLast = Math.min(single.lastDateIndex, last);
    let e = 0;
    while (e < nExp && exposureDates[e]! <= tradeLast) e++;
    liveExposures[i] = e;
    nTradeSlots += e;
  }
  const slotTrade = new Int32Array(nTradeSlots);
  const slotExposure = new Int32Array(nTradeSlots);
  const slotDates = new Int32Array(nTradeSlots);
  // exposure date e's slots, counted for the sum kernel's index below
  const perExposure = new Int32Array(nExp + 1);
  for (let i = 0, s = 0; i < trades.length; i++) {
    for (let e = 0; e < liveExposures[i]!; e++, s++) {
      slotTrade[s] = i;
      slotExposure[s] = e;
      slotDates[s] = exposureDates[e]!;
      perExposure[e + 1]!++;
    }
  }
  const packed = packKernelTables(singles, slotTrade, slotDates, paths, nDates, factors);
  if (!packed) return NO_NODE_TABLES;
  // a set of many trades: one slot per (trade, exposure date) in one binding each (then its values come back)
  const tooLarge = overBindingLimit("its trades' node tables", Math.max(4 * packed.nodeCount, packed.ints.byteLength, packed.reals.byteLength, 4 * (EULER_INFO_HEADER + EULER_INFO_WORDS * nTradeSlots)), factors);
  if (tooLarge !== undefined) return tooLarge;
  const info = new Uint32Array(EULER_INFO_HEADER + EULER_INFO_WORDS * nTradeSlots);
  info[0] = nExp;
  info[1] = f32Bits(DEFAULT_SMALL_VALUE_LIMIT);
  info[2] = postsIm ? 4 : holdsIm ? 3 : 2; // sums per trade slot
  for (let s = 0; s < nTradeSlots; s++) {
    const d = slotDates[s]!;
    const at = EULER_INFO_HEADER + EULER_INFO_WORDS * s;
    info[at] = slotExposure[s]!;
    info[at + 1] = lagRows + slotExposure[s]!;
    info[at + 2] = f32Bits(im(d));
    info[at + 3] = f32Bits(posted(d));
  }
  // the sum kernel's index: [nExp, lag rows, first slot of each exposure date (nExp + 1), the trade slots by date]
  // (by exposure date, then slot: a counting sort of the trade-major slots)
  const sumIndex = new Uint32Array(2 + nExp + 1 + nTradeSlots);
  sumIndex[0] = nExp;
  sumIndex[1] = lagRows;
  for (let e = 0; e < nExp; e++) perExposure[e + 1]! += perExposure[e]!;
  sumIndex.set(perExposure, 2);
  const byDate = 2 + nExp + 1;
  for (let s = 0; s < nTradeSlots; s++) sumIndex[byDate + perExposure[slotExposure[s]!]!++] = s;

  // the host's count of trade × path × date valuations (unit.ts runNettingSet): the trades alive at each valued date
  const maturities = Float64Array.from(trades, tradeMaturity).sort();
  let valuations = 0;
  for (let j = 0, gone = 0; j < nSlots; j++) {
    const d = gridIndex[j]!;
    while (gone < maturities.length && maturities[gone]! < grid.dates[d]!) gone++;
    valuations += (maturities.length - gone) * paths.nPaths;
  }
  return {
    nExp,
    margin: { ints: marginInts, reals: marginReals, trivial },
    reduce: { ints: reduceInts, reals: reduceReals },
    tableDates,
    trades: {
      ints: packed.ints,
      reals: packed.reals,
      nodeCount: packed.nodeCount,
      info,
      sumIndex,
      gridNodes: GRID_NODES,
      runningSlopes: RUNNING_SLOPES,
      slotTrade,
      slotExposure,
    },
    tradeIds: kernel.tradeIds.slice(),
    last,
    maturity: maturities.length > 0 ? maturities[maturities.length - 1]! : grid.asOf,
    valuations,
  };
}

/**
 * A worker's answer to a tables task for one counterparty: each set's device tables, or why it stays on the host.
 * With `figures`, when every set of the counterparty can take the figures route, each set's tables cover only its
 * close-out lag dates and carry the figures route's inputs; otherwise (or without `figures`) the tables cover every
 * date the set is valued on and its values come back (a counterparty's totals need all its sets on one route).
 */
export function counterpartyDeviceTables(ctx: UnitContext, cp: UnitCounterparty, factors: DeviceFactorIndex, figures: boolean): DeviceTablesAnswer[] {
  // the sets' swap legs, recorded as they compile and replayed when the figures route compiles each trade alone
  const legRecords: LegRecords | undefined = figures ? new Map() : undefined;
  const prepared = cp.sets.map((item) => prepareDeviceSet(ctx, item, legRecords));
  let routes: (DeviceFiguresTables | string | undefined)[] = prepared.map(() => undefined);
  if (figures && prepared.every((p) => p.reason === undefined)) {
    routes = cp.sets.map((item, i) => deviceFiguresTablesOf(ctx, item, prepared[i]!.kernel!, prepared[i]!.gridIndex!, factors, legRecords));
    if (routes.some((r) => typeof r === 'string')) routes = prepared.map(() => undefined);
  }
  const answers = (onRoute: boolean): DeviceTablesAnswer[] =>
    cp.sets.map((item, i): DeviceTablesAnswer => {
      const nettingSetId = item.nettingSet.nettingSetId;
      const p = prepared[i]!;
      if (p.reason !== undefined) return { nettingSetId, index: item.index, reason: p.reason };
      const route = onRoute ? (routes[i] as DeviceFiguresTables) : undefined;
      const tables = packDeviceTables(ctx, item, p.kernel, p.gridIndex, factors, route ? route.tableDates : p.gridIndex);
      if (typeof tables === 'string') return { nettingSetId, index: item.index, reason: tables };
      if (route) tables.figures = route;
      return { nettingSetId, index: item.index, tables };
    });
  const onRoute = routes.every((r) => r !== undefined && typeof r !== 'string');
  const first = answers(onRoute);
  // a set without tables after all: the counterparty's sets go on the values route, tables on every date
  return onRoute && first.some((a) => !a.tables) ? answers(false) : first;
}
