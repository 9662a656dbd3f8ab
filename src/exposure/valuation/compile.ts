/**
 * `compileNettingSet`: a netting set's trades compiled into one NettingSetKernel (exposure/types.ts) that values the
 * set on blocks of simulated paths, date by date, in the base currency, undeflated.
 *
 * Structure (engine.md): linear products (IRS, OIS, XCCY, FX forwards and swaps, the strike leg of equity forwards)
 * and swaptions before expiry are pooled per currency into grid functions of that currency's LGM state
 * (ratePool.ts, swaption.ts); CDS are pooled per reference name on the grid of its credit state (cds.ts); the share
 * part of equity forwards is one coefficient of S(t) per share; FX and equity options and exercised physical
 * swaptions are valued per trade and path (options.ts). Nothing loops trades × paths × flows.
 *
 * An unsupported trade or feature throws an Error naming the trade (the engine's --skip-unsupported maps it).
 */
import type { Market } from '../../market/types.js';
import type { Currency, Trade } from '../../products/types.js';
import type { NettingSetKernel } from '../types.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { CdsPool, compileCdsOnce } from './cds.js';
import { addFixedLeg, addFloatLeg, addPayment, addSwapLeg, addXccyLeg, type PoolSink } from './legs.js';
import { fxIndexOf, irIndexOf, lastIndexBefore, lastIndexOnOrBefore, lgmOnCurve, lgmOnGrid, type LgmOnGrid, type ValuationContext, type ValuationModel } from './model.js';
import { discountCurveFor } from '../../pricing/curves.js';
import { EquityLinear, EquityOptionOnPaths, FxOptionOnPaths, type DeviceLegEntry, type LegTerm, type PathTrade } from './options.js';
import { FxLevels } from './fxLevels.js';
import { CurrencyPool, CurrencyPoolBuilder, RUNNING_SLOPES, type ExerciseMask, type PoolNodeTable } from './ratePool.js';
import { GRID_NODES, lagrange6, stateGridFor } from './stateGrid.js';
import { kernelsFor } from './wasm/poolKernels.js';
import { capFloorParts } from '../../pricing/capFloor.js';
import { BermudanOnPaths } from './bermudan.js';
import { addResettingLeg } from './fxReset.js';
import { FixedCapletOnPaths } from './caplet.js';
import { compileSwaptionOnce, exerciseMask, swaptionBandTables, type CompiledSwaption } from './swaption.js';

/**
 * out[p] += row[p] for p < n, four paths a step (the same additions: V8 does not vectorise typed-array loops, and the
 * unrolled loop runs about 1.6× faster on 5,000 paths).
 */
function addRow(out: Float64Array, row: Float64Array, n: number): void {
  let p = 0;
  for (; p + 3 < n; p += 4) {
    out[p] += row[p]!;
    out[p + 1] += row[p + 1]!;
    out[p + 2] += row[p + 2]!;
    out[p + 3] += row[p + 3]!;
  }
  for (; p < n; p++) out[p] += row[p]!;
}

/** out[p] = a[p]·b[p] for p < n, four paths a step (as addRow). */
function multiplyRows(out: Float64Array, a: Float64Array, b: Float64Array, n: number): void {
  let p = 0;
  for (; p + 3 < n; p += 4) {
    out[p] = a[p]! * b[p]!;
    out[p + 1] = a[p + 1]! * b[p + 1]!;
    out[p + 2] = a[p + 2]! * b[p + 2]!;
    out[p + 3] = a[p + 3]! * b[p + 3]!;
  }
  for (; p < n; p++) out[p] = a[p]! * b[p]!;
}

/**
 * A physically settled swaption after expiry: its own pool (the underlying swap) on the paths where it was exercised
 * (swaption.ts exerciseMask: on the state at expiry drawn from the bridge between the grid dates around it, on which
 * the coupons fixing before the next grid date fix too; an in-arrears caplet's alike; a term caplet is caplet.ts's).
 */
class ExercisedSwaption implements PathTrade {
  readonly lastIndex: number;
  private mask = new Float64Array(0);
  /** Per path the state drawn at expiry (an expiry between grid dates): the fixing state of the coupons fixing before the next grid date. */
  private drawn = new Float64Array(0);
  /** Per path the grid index whose coupons fix on `drawn` (the exercise's), −1 where not exercised. */
  private fixOf = new Int32Array(0);
  /** Per path ζ at the expiry less ζ at that grid index (ExerciseMask.gap). */
  private gap = new Float64Array(0);
  // The exercise decision depends on the paths only (the states around the exercise date): computed once per paths object.
  private maskPaths: SimulatedPaths | null = null;
  private readonly fxLevels = new FxLevels();
  /** The exercise decision as a node-table mask (read only). */
  private readonly exerciseMaskTable: ExerciseMask;

  constructor(
    readonly tradeIndex: number,
    private readonly swaption: CompiledSwaption,
    private readonly underlying: CurrencyPool,
    private readonly irIndex: number,
    exercise: ExerciseMask,
  ) {
    this.lastIndex = swaption.lastIndex;
    this.exerciseMaskTable = { ...exercise, intervals: Float64Array.from(exercise.intervals) };
  }

  /** The underlying's node table at d with the exercise mask (for the device, ratePoolNodeTables); null when not alive. */
  nodeTable(d: number, paths: SimulatedPaths): PoolNodeTable | null {
    if (d <= this.swaption.optionLastIndex || d > this.lastIndex) return null;
    const table = this.underlying.nodeTable(d, paths);
    if (table === null) return null;
    const mask = this.exerciseMaskTable;
    // the coupons fixing on the drawn state, at its ζ: each such group's growth in the table (ratePool.ts
    // applyFixingGrowth, as addFixingShift values them); the device reads the drawn state for them
    if (mask.sd > 0) this.underlying.applyFixingGrowth(mask.index, mask.gap);
    return { ...table, mask };
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d <= this.swaption.optionLastIndex || d > this.lastIndex) return false;
    const n = paths.nPaths;
    const bridged = this.exerciseMaskTable.sd > 0;
    const e = this.exerciseMaskTable.index;
    if (this.maskPaths !== paths || this.mask.length < n) {
      if (this.mask.length < n) {
        this.mask = new Float64Array(n);
        if (bridged) {
          this.drawn = new Float64Array(n);
          this.fixOf = new Int32Array(n);
          this.gap = new Float64Array(n).fill(this.exerciseMaskTable.gap);
        }
      }
      exerciseMask(this.exerciseMaskTable, paths, this.irIndex, this.mask, bridged ? this.drawn : undefined);
      if (bridged) for (let p = 0; p < n; p++) this.fixOf[p] = this.mask[p] === 0 ? -1 : e;
      this.maskPaths = paths;
    }
    // on this thread's kernels the underlying adds into their row, then the masked values are copied out (the same
    // products, so the same bits)
    const kernels = kernelsFor(paths.numeraire, n);
    const row = kernels !== undefined ? kernels.out : out;
    row.fill(0, 0, n);
    this.fxLevels.begin();
    this.underlying.addValues(d, paths, row, this.fxLevels);
    // the coupons fixing between the grid dates around the expiry: on the state drawn for the exercise, not the grid
    // state before it (their covariance with the exercise; the device substitutes it alike, wgsl/value.ts)
    if (bridged && this.underlying.hasFixingAt(d, e)) this.underlying.addFixingShift(d, paths, this.fixOf, this.drawn, this.gap, row, this.fxLevels);
    const mask = this.mask;
    if (row === out) for (let p = 0; p < n; p++) out[p] *= mask[p]!;
    else multiplyRows(out, row, mask, n);
    return true;
  }
}

/**
 * A swaption in its last weeks before expiry (swaption.ts bandTables): where the remaining deviation is below
 * SWAPTION_BAND_SD_STEPS steps of the pool's state grid, the option's nodes leave the pool (term.addNodes declines) and
 * it is valued here on masked node tables: fine tables across the bands around the exercise boundaries and the
 * underlying swap on the pool's grid over the rest of the exercise region; 0 elsewhere. A path reads the one table
 * whose mask holds its state (6-point Lagrange stencil, as every node table). The GPU backend values the option by
 * its exact per-path formula instead, at every date before expiry (deviceEntry).
 */
class SwaptionBands implements PathTrade {
  readonly lastIndex: number;
  private readonly tables = swaptionBandTables();
  private readonly spec = new Float64Array(2);
  private readonly fxLevels = new FxLevels();

  constructor(
    readonly tradeIndex: number,
    private readonly swaption: CompiledSwaption,
    private readonly irIndex: number,
    private readonly fxIndex: number,
  ) {
    this.lastIndex = swaption.optionLastIndex;
  }

  /** The date and paths this.tables were filled for, and whether they hold band tables (fill's answer then). */
  private filledDate = -1;
  private filledPaths: SimulatedPaths | null = null;
  private filledAnswer = false;
  private filledX0 = Number.NaN;
  private filledH = Number.NaN;
  /** The masks' intervals sorted by their lower ends, with their tables (values' per-path search). */
  private segLo = new Float64Array(0);
  private segHi = new Float64Array(0);
  private segTable = new Int32Array(0);
  private segCount = 0;

  /**
   * Fills this.tables for date d on these paths' grid; false when the date is not in the band regime. Kept for the
   * same date and paths (the valuation and the Euler pass of a date ask twice): the tables depend on nothing else.
   */
  private fill(d: number, paths: SimulatedPaths): boolean {
    if (d > this.lastIndex) return false;
    const n = paths.nPaths;
    stateGridFor(paths.irState[this.irIndex]!, d * n, n, this.spec);
    // the grid too: a caller that refills one SimulatedPaths object block after block gets a new range, so new tables
    if (d === this.filledDate && paths === this.filledPaths && this.spec[0] === this.filledX0 && this.spec[1] === this.filledH) return this.filledAnswer;
    this.filledX0 = this.spec[0]!;
    this.filledH = this.spec[1]!;
    const answer = this.swaption.bandTables(d, this.spec[0]!, this.spec[1]!, this.tables);
    if (answer) this.sortSegments();
    this.filledDate = d;
    this.filledPaths = paths;
    this.filledAnswer = answer;
    return answer;
  }

  private sortSegments(): void {
    const { count, masks, masksLength } = this.tables;
    let total = 0;
    for (let k = 0; k < count; k++) total += masksLength[k]! / 2;
    if (this.segLo.length < total) {
      this.segLo = new Float64Array(2 * total);
      this.segHi = new Float64Array(2 * total);
      this.segTable = new Int32Array(2 * total);
    }
    const order: [number, number, number][] = [];
    for (let k = 0; k < count; k++) for (let r = 0; r < masksLength[k]!; r += 2) order.push([masks[k]![r]!, masks[k]![r + 1]!, k]);
    order.sort((a, b) => a[0] - b[0]);
    order.forEach(([lo, hi, k], i) => {
      this.segLo[i] = lo;
      this.segHi[i] = hi;
      this.segTable[i] = k;
    });
    this.segCount = order.length;
  }

  /**
   * The option at date d as the device's per-path formula (options.ts DeviceLegEntry `lgm`, swaption.ts deviceLeg) in
   * the base currency, whatever the regime (on the pool's nodes or on band tables on the host): no node tables of it
   * go to the device; null after expiry.
   */
  deviceEntry(d: number, paths: SimulatedPaths): DeviceLegEntry | null {
    if (d > this.lastIndex) return null;
    const n = paths.nPaths;
    stateGridFor(paths.irState[this.irIndex]!, d * n, n, this.spec);
    const leg = this.swaption.deviceLeg(d, this.spec[0]!, this.spec[1]!);
    if (!leg) return null;
    const termsA: LegTerm[] = this.fxIndex >= 0 ? [{ kind: 'fx', index: this.fxIndex, grid: d, coefficient: 1 }] : [];
    const termsB: LegTerm[] = [{ kind: 'ir', index: this.irIndex, grid: d, coefficient: 1 }];
    return { kind: 'lgm', scale: leg.sign, omega: 1, sd: leg.sd, constA: 0, termsA, constB: 0, termsB, constE: 0, termsE: [], data: leg.data };
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (!this.fill(d, paths)) return false;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const off = d * n;
    this.fxLevels.begin();
    const fx = this.fxLevels.of(this.fxIndex, d, paths);
    const { x0, h, nodes } = this.tables;
    const { segLo, segHi, segTable, segCount } = this;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      // the last interval whose lower end is below x (the intervals are disjoint), then whether x is below its upper end
      let lo = 0;
      let hi = segCount;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (segLo[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      const j = lo - 1;
      if (j < 0 || !(x < segHi[j]!)) {
        out[p] = 0;
        continue;
      }
      const k = segTable[j]!;
      const s = (x - x0[k]!) / h[k]!;
      // inside its mask a path lies in nodes 2 .. G−3 of the table; clamped for rounding
      let c = Math.floor(s);
      c = c < 2 ? 2 : c > GRID_NODES - 4 ? GRID_NODES - 4 : c;
      const v = lagrange6(nodes, k * GRID_NODES + c - 2, s - c);
      out[p] = fx === null ? v : fx[p]! * v;
    }
    return true;
  }
}


/**
 * What a swap's legs added to the currency pools, as the pools stored it (compile.ts Compiler.recorder), flat:
 * per operation its kind (LEG_POOL: the pool's creation, LEG_BOND, LEG_RUNNING), the index of its currency in
 * `currencies`, then for a bond H(T), amount·P(0,T) and the last index, for a running coupon H(s), H(e), its amplitude,
 * its fixing constant, its fixing index, last index and compounding terms (H(o_s), H(o_e), last index before o_e: NaN,
 * NaN, −1 for a term coupon) (CurrencyPoolBuilder.pushBond, pushRunning). Numbers, not an
 * object an operation: utb-20k records about 300,000 of them a run on the GPU backend's figures route.
 */
export interface LegRecord {
  currencies: Currency[];
  ops: number[];
}
const LEG_POOL = 0;
const LEG_BOND = 1;
const LEG_RUNNING = 2;

/**
 * The leg operations of IRS, OIS and XCCY trades per trade object, for compiles under one context
 * (ValuationContext.legRecords): a trade is compiled again alone after its set on the GPU backend's figures route
 * (figuresTables.ts), and its schedules and projected flows were a fifth of that compile. Replayed with the new trade
 * index, they add the same numbers in the same order (the pools' own H and discount factors, not recomputed), so the
 * pools are the same bits (tested). Not kept beyond the map's owner (a counterparty's tables), so a run does not hold
 * every trade's flows.
 */
export type LegRecords = Map<Trade, LegRecord>;

class Compiler {
  readonly pools = new Map<Currency, CurrencyPoolBuilder>();
  readonly lgms = new Map<Currency, LgmOnGrid>();
  readonly equities = new Map<string, EquityLinear>();
  readonly cdsPools = new Map<string, CdsPool>();
  readonly pathTrades: PathTrade[] = [];
  lastIndex = -1;

  constructor(
    readonly market: Market,
    readonly model: ValuationModel,
    readonly grid: TimeGrid,
    private readonly legRecords?: LegRecords,
    /** The netting set's collateral currency (ValuationContext.collateralCurrency). */
    readonly collateralCurrency?: Currency,
  ) {}

  /** The LGM of `currency` on the set's discount curve for it (today's prices' curve: pricing/curves.ts discountCurveFor). */
  lgm(currency: Currency): LgmOnGrid {
    let l = this.lgms.get(currency);
    if (!l) {
      const model = this.model.lgm(currency);
      const curve = this.collateralCurrency === undefined ? model.curve : discountCurveFor(this.market, currency, this.collateralCurrency);
      l = lgmOnGrid(lgmOnCurve(model, curve), this.grid);
      this.lgms.set(currency, l);
    }
    return l;
  }

  newPool(currency: Currency, tradeId: string): CurrencyPoolBuilder {
    const layout = this.model.layout;
    return new CurrencyPoolBuilder(irIndexOf(layout, currency, tradeId), fxIndexOf(layout, currency, tradeId), this.lgm(currency));
  }

  pool(currency: Currency, tradeId: string): CurrencyPoolBuilder {
    let p = this.pools.get(currency);
    if (!p) {
      p = this.newPool(currency, tradeId);
      this.pools.set(currency, p);
    }
    return p;
  }

  /**
   * The currency's pool, behind a sink that records what the legs add to it (the pool's creation too, so that a
   * replay makes the pools in the same order).
   */
  private recorder(currency: Currency, tradeId: string, record: LegRecord): PoolSink {
    const pool = this.pool(currency, tradeId);
    let c = record.currencies.indexOf(currency);
    if (c < 0) c = record.currencies.push(currency) - 1;
    const ops = record.ops;
    ops.push(LEG_POOL, c);
    return {
      lgm: pool.lgm,
      addBond(tradeIndex, timeYears, amount, lastIndex) {
        const at = pool.flowH.length;
        pool.addBond(tradeIndex, timeYears, amount, lastIndex);
        if (pool.flowH.length > at) ops.push(LEG_BOND, c, pool.flowH[at]!, pool.flowAmp[at]!, lastIndex);
      },
      addRunning(tradeIndex, s, e, notionalBeta, fixIndex, lastIndex, compounded) {
        const at = pool.runHs.length;
        pool.addRunning(tradeIndex, s, e, notionalBeta, fixIndex, lastIndex, compounded);
        if (pool.runHs.length > at) {
          ops.push(LEG_RUNNING, c, pool.runHs[at]!, pool.runHe[at]!, pool.runAmp[at]!, pool.runFixConst[at]!, fixIndex, lastIndex);
          ops.push(pool.runCompHs[at]!, pool.runCompHe[at]!, pool.runCompLast[at]!);
        }
      },
      pushBond(tradeIndex, h, amp, lastIndex) {
        pool.pushBond(tradeIndex, h, amp, lastIndex);
        ops.push(LEG_BOND, c, h, amp, lastIndex);
      },
      pushRunning(tradeIndex, hs, he, amp, fixConst, fixIndex, lastIndex, compHs = NaN, compHe = NaN, compLast = -1) {
        pool.pushRunning(tradeIndex, hs, he, amp, fixConst, fixIndex, lastIndex, compHs, compHe, compLast);
        ops.push(LEG_RUNNING, c, hs, he, amp, fixConst, fixIndex, lastIndex, compHs, compHe, compLast);
      },
    };
  }

  /** A trade's recorded leg operations, added again as trade `i` of this set. */
  private replay(record: LegRecord, tradeId: string, i: number): void {
    const { ops, currencies } = record;
    for (let at = 0; at < ops.length; ) {
      const kind = ops[at]!;
      const pool = this.pool(currencies[ops[at + 1]!]!, tradeId);
      if (kind === LEG_BOND) {
        pool.pushBond(i, ops[at + 2]!, ops[at + 3]!, ops[at + 4]!);
        at += 5;
      } else if (kind === LEG_RUNNING) {
        pool.pushRunning(i, ops[at + 2]!, ops[at + 3]!, ops[at + 4]!, ops[at + 5]!, ops[at + 6]!, ops[at + 7]!, ops[at + 8]!, ops[at + 9]!, ops[at + 10]!);
        at += 11;
      } else {
        at += 2;
      }
    }
  }

  alive(lastIndex: number): void {
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  add(trade: Trade, i: number): void {
    const { market, grid } = this;
    const id = trade.tradeId;
    const layout = this.model.layout;
    switch (trade.product) {
      case 'IRS':
      case 'OIS':
      case 'BASIS':
      case 'XCCY': {
        if (trade.product === 'XCCY' && trade.fxReset !== undefined) {
          // a mark-to-market swap (fxReset.ts): the constant leg as any cross-currency leg, the resetting leg partly
          // per path (so never a recorded leg of the GPU backend's figures route, which such a set does not take)
          const sign = trade.direction === 'pay' ? 1 : -1;
          const [resetting, constant, resettingSign] = trade.fxReset === 'leg1' ? [trade.leg1, trade.leg2, -sign] : [trade.leg2, trade.leg1, sign];
          addXccyLeg(this.pool(constant.currency, id), grid, market, id, i, constant, -resettingSign, true, true);
          const onPaths = addResettingLeg(
            this.pool(resetting.currency, id), this.pool(constant.currency, id), grid, market, trade, i, resettingSign,
            this.lgm(resetting.currency), this.lgm(constant.currency),
            {
              irU: irIndexOf(layout, resetting.currency, id), irC: irIndexOf(layout, constant.currency, id),
              fxU: fxIndexOf(layout, resetting.currency, id), fxC: fxIndexOf(layout, constant.currency, id),
            },
          );
          if (onPaths) {
            this.pathTrades.push(onPaths);
            this.alive(onPaths.lastIndex);
          }
          return;
        }
        const held = this.legRecords?.get(trade);
        if (held) {
          this.replay(held, id, i);
          return;
        }
        const record: LegRecord = { currencies: [], ops: [] };
        const legRecords = this.legRecords;
        const sink = (currency: Currency): PoolSink => (legRecords ? this.recorder(currency, id, record) : this.pool(currency, id));
        if (trade.product === 'XCCY') {
          const sign = trade.direction === 'pay' ? 1 : -1;
          addXccyLeg(sink(trade.leg1.currency), grid, market, id, i, trade.leg1, -sign, trade.initialExchange, trade.finalExchange);
          addXccyLeg(sink(trade.leg2.currency), grid, market, id, i, trade.leg2, sign, trade.initialExchange, trade.finalExchange);
        } else if (trade.product === 'BASIS') {
          // both floating legs in one pool: leg 1 paid, leg 2 received (pay), each on its own projection curve
          if (trade.leg2.currency !== trade.leg1.currency) throw new Error(`trade ${id}: a basis swap with legs in two currencies is not supported (use XCCY)`);
          const pool = sink(trade.leg1.currency);
          const sign = trade.direction === 'pay' ? 1 : -1;
          addFloatLeg(pool, grid, market, id, i, trade.leg1, -sign);
          addFloatLeg(pool, grid, market, id, i, trade.leg2, sign);
        } else {
          if (trade.fixedLeg.currency !== trade.floatLeg.currency) throw new Error(`trade ${id}: an ${trade.product} with legs in two currencies is not supported (use XCCY)`);
          const pool = sink(trade.fixedLeg.currency);
          const sign = trade.direction === 'pay' ? 1 : -1;
          addFloatLeg(pool, grid, market, id, i, trade.floatLeg, sign);
          addFixedLeg(pool, grid, market, i, trade.fixedLeg, -sign);
        }
        legRecords?.set(trade, record);
        return;
      }
      case 'FXFWD': {
        const sign = trade.direction === 'buy' ? 1 : -1;
        addPayment(this.pool(trade.currency, id), grid, market, i, trade.maturityDate, sign * trade.notional);
        addPayment(this.pool(trade.currency2, id), grid, market, i, trade.maturityDate, -sign * trade.notional2);
        return;
      }
      case 'FXSWAP': {
        const sign = trade.direction === 'buy' ? 1 : -1;
        const n = trade.notional;
        const p1 = this.pool(trade.currency, id);
        const p2 = this.pool(trade.currency2, id);
        addPayment(p1, grid, market, i, trade.nearDate, sign * n);
        addPayment(p2, grid, market, i, trade.nearDate, -sign * n * trade.nearRate);
        addPayment(p1, grid, market, i, trade.maturityDate, -sign * n);
        addPayment(p2, grid, market, i, trade.maturityDate, sign * n * trade.farRate);
        return;
      }
      case 'FXOPT': {
        if (trade.maturityDate <= market.asOf) return;
        const opt = new FxOptionOnPaths(
          i, trade, market, grid, this.lgm(trade.currency), this.lgm(trade.currency2),
          irIndexOf(layout, trade.currency, id), irIndexOf(layout, trade.currency2, id),
          fxIndexOf(layout, trade.currency, id), fxIndexOf(layout, trade.currency2, id),
        );
        this.pathTrades.push(opt);
        this.alive(opt.lastIndex);
        return;
      }
      case 'SWAPTION': {
        const ccy = trade.fixedLeg.currency;
        if (trade.floatLeg.currency !== ccy) throw new Error(`trade ${id}: a swaption on legs in ${ccy} and ${trade.floatLeg.currency} is not supported`);
        // as today's pricer (pricing/swaption.ts priceSwaption) and the FX options (options.ts): whether it was exercised
        // is not in the trade data. An audit found such a physical swaption valued on the paths, by xva simulate and cva,
        // while xva validate refused it.
        if (trade.exerciseDates === undefined && trade.caplet !== true && trade.expiryDate < market.asOf) {
          throw new Error(`trade ${id}: a swaption that expired before the as-of date is not supported (its exercise is not in the trade data: book the exercised swap instead, or leave it out)`);
        }
        if (trade.exerciseDates !== undefined) {
          // Bermudan (valuation/bermudan.ts): the lattice before exercise, the underlying's pool after
          if (trade.settlement !== 'physical') throw new Error(`trade ${id}: a cash-settled Bermudan swaption is not supported`);
          const underlying = this.newPool(ccy, id);
          const omega = (trade.optionType === 'payer' ? 1 : -1) * (trade.direction === 'buy' ? 1 : -1);
          // its coupons fixing in a step where an exercise is decided fix on that step's grid date (the drawn state)
          const decided = new Set(trade.exerciseDates.map((e) => lastIndexOnOrBefore(grid.dates, e)));
          addFloatLeg(underlying, grid, market, id, i, trade.floatLeg, omega, undefined, true, decided);
          addFixedLeg(underlying, grid, market, i, trade.fixedLeg, -omega);
          const bermudan = new BermudanOnPaths(i, trade, market, grid, this.lgm(ccy), underlying.irIndex, underlying.fxIndex, underlying.build(grid.times.length));
          this.pathTrades.push(bermudan);
          this.alive(bermudan.lastIndex);
          return;
        }
        const pool = this.pool(ccy, id);
        const sw = compileSwaptionOnce(trade, i, market, grid, this.lgm(ccy), this.collateralCurrency);
        pool.addTerm(sw.term, sw.optionLastIndex);
        // its last weeks before expiry on band tables (the term declines those dates)
        if (sw.optionLastIndex >= 0) this.pathTrades.push(new SwaptionBands(i, sw, pool.irIndex, pool.fxIndex));
        if (trade.settlement === 'physical' && sw.lastIndex > sw.optionLastIndex && trade.caplet === true && trade.inArrears !== true) {
          // a term caplet after its fixing: the payment it fixed, given the grid states around the fixing (caplet.ts)
          const caplet = new FixedCapletOnPaths(i, trade, market, grid, this.lgm(ccy), sw.optionLastIndex, sw.lastIndex, pool.irIndex, pool.fxIndex);
          this.pathTrades.push(caplet);
        } else if (trade.settlement === 'physical' && sw.lastIndex > sw.optionLastIndex) {
          const underlying = this.newPool(ccy, id);
          const omega = (trade.optionType === 'payer' ? 1 : -1) * (trade.direction === 'buy' ? 1 : -1);
          addFloatLeg(underlying, grid, market, id, i, trade.floatLeg, omega, undefined, true, new Set([sw.exercise.index]));
          addFixedLeg(underlying, grid, market, i, trade.fixedLeg, -omega);
          // decided on the state drawn at expiry (an in-arrears caplet too: its accrual fixes on that state, ratePool.ts
          // addFixingShift, so it pays only where its rate is above the strike)
          this.pathTrades.push(new ExercisedSwaption(i, sw, underlying.build(grid.times.length), pool.irIndex, sw.exercise));
        }
        this.alive(sw.lastIndex);
        return;
      }
      case 'CAPFLOOR': {
        // its caplets, each the one-period physically settled swaption with its payoff, and the running period's
        // swap when it pays the holder (pricing/capFloor.ts); under the cap's trade index, so Euler sums them
        const parts = capFloorParts(trade, market);
        for (const caplet of parts.options) this.add(caplet, i);
        for (const swap of parts.swaps) this.add(swap, i);
        return;
      }
      case 'EQFWD': {
        const equity = market.equity(trade.underlying);
        if (equity.currency !== trade.currency) throw new Error(`trade ${id}: a ${trade.currency} forward on ${trade.underlying}, which trades in ${equity.currency} (quanto), is not supported`);
        if (trade.maturityDate <= market.asOf) return;
        const sign = trade.direction === 'buy' ? 1 : -1;
        addPayment(this.pool(trade.currency, id), grid, market, i, trade.maturityDate, -sign * trade.quantity * trade.strike);
        const eqIndex = layout.equities.indexOf(trade.underlying);
        if (eqIndex < 0) throw new Error(`trade ${id}: the simulation has no equity factor for ${trade.underlying} (layout.equities)`);
        let lin = this.equities.get(trade.underlying);
        if (!lin) {
          lin = new EquityLinear(eqIndex, fxIndexOf(layout, trade.currency, id), grid.times.length);
          this.equities.set(trade.underlying, lin);
        }
        const last = lastIndexBefore(grid.dates, trade.maturityDate);
        lin.addForward(i, sign * trade.quantity, equity.dividendYield, market.time(trade.maturityDate), last, grid);
        this.alive(last);
        return;
      }
      case 'EQOPT': {
        if (trade.expiryDate <= market.asOf) return;
        const eqIndex = layout.equities.indexOf(trade.underlying);
        if (eqIndex < 0) throw new Error(`trade ${id}: the simulation has no equity factor for ${trade.underlying} (layout.equities)`);
        const opt = new EquityOptionOnPaths(
          i, trade, market, grid, this.lgm(trade.currency), irIndexOf(layout, trade.currency, id), fxIndexOf(layout, trade.currency, id), eqIndex,
        );
        this.pathTrades.push(opt);
        this.alive(opt.lastIndex);
        return;
      }
      case 'CDS': {
        if (trade.maturityDate <= market.asOf) return;
        if (!market.hasCreditCurve(trade.referenceEntity)) throw new Error(`trade ${id}: the market has no credit curve for reference entity ${trade.referenceEntity} (credit.names)`);
        const creditIndex = layout.creditNames.indexOf(trade.referenceEntity);
        if (creditIndex < 0) throw new Error(`trade ${id}: the simulation has no credit factor for ${trade.referenceEntity} (layout.creditNames)`);
        const key = `${trade.referenceEntity}\u0000${trade.currency}`;
        let pool = this.cdsPools.get(key);
        if (!pool) {
          pool = new CdsPool(creditIndex, fxIndexOf(layout, trade.currency, id));
          this.cdsPools.set(key, pool);
        }
        const discount = this.collateralCurrency === undefined ? market.discountCurve(trade.currency) : discountCurveFor(market, trade.currency, this.collateralCurrency);
        const terms = compileCdsOnce(trade, market, grid, this.model.credit(trade.referenceEntity), discount);
        pool.add(i, terms);
        this.alive(terms.lastIndex);
        return;
      }
      default: {
        const unknown = trade as { tradeId?: string; product?: string };
        throw new Error(`trade ${unknown.tradeId}: product ${unknown.product} is not supported on paths`);
      }
    }
  }
}

class NettingSetValuation implements NettingSetKernel {
  private scratch = new Float64Array(0);
  // valueAt(keep = true): each per-path trade's values at that date (row i of keptTrades, keptAlive[i] = 1 when alive)
  // for accumulateTradeWeighted at the same date and paths; keptDate −1 when nothing is kept.
  private keptTrades = new Float64Array(0);
  private keptAlive = new Uint8Array(0);
  private keptDate = -1;
  private keptPaths: SimulatedPaths | null = null;
  // FX levels of the current call's date, shared by the pools and CDS pools in the same currency (fxLevels.ts).
  private readonly fxLevels = new FxLevels();

  constructor(
    readonly nettingSetId: string,
    readonly tradeIds: readonly string[],
    readonly lastDateIndex: number,
    private readonly pools: readonly CurrencyPool[],
    private readonly equities: readonly EquityLinear[],
    private readonly cdsPools: readonly CdsPool[],
    private readonly pathTrades: readonly PathTrade[],
  ) {}

  private scratchFor(n: number): Float64Array {
    if (this.scratch.length < n) this.scratch = new Float64Array(n);
    return this.scratch;
  }

  valueAt(d: number, paths: SimulatedPaths, out: Float64Array, keep = false): void {
    const n = paths.nPaths;
    this.keptDate = -1;
    if (d > this.lastDateIndex) {
      out.fill(0, 0, n);
      return;
    }
    const fxLevels = this.fxLevels;
    fxLevels.begin();
    // With this thread's WebAssembly kernels (wasm/poolKernels.ts) the rate pools, the equity forwards and the CDS
    // pools add into the kernels' row, in their memory, then the row is copied out: the same sums from 0 in the same
    // order, so the same bits.
    const kernels = this.pools.length + this.cdsPools.length > 0 ? kernelsFor(paths.numeraire, n) : undefined;
    const row = kernels !== undefined ? kernels.out : out;
    row.fill(0, 0, n); // with the kernels' row, out is then overwritten by it
    for (const pool of this.pools) pool.addValues(d, paths, row, fxLevels, keep);
    for (const eq of this.equities) eq.addValues(d, paths, row);
    for (const cds of this.cdsPools) cds.addValues(d, paths, row, fxLevels);
    if (row !== out) out.set(row.length === n ? row : row.subarray(0, n));
    const nTrades = this.pathTrades.length;
    if (keep && nTrades > 0) {
      if (this.keptTrades.length < nTrades * n) {
        this.keptTrades = new Float64Array(nTrades * n);
        this.keptAlive = new Uint8Array(nTrades);
      }
      for (let i = 0; i < nTrades; i++) {
        const row = this.keptTrades.subarray(i * n, (i + 1) * n);
        const alive = this.pathTrades[i]!.values(d, paths, row);
        this.keptAlive[i] = alive ? 1 : 0;
        if (alive) addRow(out, row, n);
      }
    } else {
      const scratch = this.scratchFor(n);
      for (const trade of this.pathTrades) {
        if (!trade.values(d, paths, scratch)) continue;
        addRow(out, scratch, n);
      }
    }
    if (keep) {
      this.keptDate = d;
      this.keptPaths = paths;
    }
  }

  /**
   * The set is its rate pools alone, swaptions included (before expiry pooled option values; physically settled
   * ones after expiry their underlying pool times the exercise mask): no equity share parts, CDS pools or other
   * per-path trades. Then ratePoolNodeTables describes it.
   */
  get ratePoolsOnly(): boolean {
    // asked once per table slot (about a million per run for utb-20k): decided once, the path trades being fixed
    return (this.onlyRatePools ??= this.pathTrades.every((t) => t instanceof ExercisedSwaption || t instanceof SwaptionBands || t instanceof FxOptionOnPaths || t instanceof EquityOptionOnPaths || t instanceof FixedCapletOnPaths));
  }

  private onlyRatePools: boolean | undefined;

  /**
   * The equity forwards' share parts, the FX/equity options and the swaptions before expiry at date d as device
   * entries (options.ts DeviceLegEntry), in the kernel's order; undefined when one cannot be written so (an equity
   * option with a strike ≤ 0). The kernel's own list, refilled by each call.
   */
  legEntries(d: number, paths: SimulatedPaths): DeviceLegEntry[] | undefined {
    const out = this.legList;
    out.length = 0;
    if (d > this.lastDateIndex) return out;
    for (const eq of this.equities) {
      const e = eq.deviceEntry(d);
      if (e) out.push(e);
    }
    for (const trade of this.pathTrades) {
      if (trade instanceof ExercisedSwaption) continue;
      if (trade instanceof SwaptionBands) {
        const e = trade.deviceEntry(d, paths);
        if (e) out.push(e);
        continue;
      }
      const e = trade instanceof FxOptionOnPaths || trade instanceof EquityOptionOnPaths || trade instanceof FixedCapletOnPaths ? trade.deviceEntry(d) : undefined;
      if (e === undefined) return undefined;
      if (e) out.push(e);
    }
    return out;
  }

  private readonly tableList: PoolNodeTable[] = [];
  private readonly legList: DeviceLegEntry[] = [];
  /** deviceTableSources' answer for this kernel, refilled by each call. */
  readonly sources: { pools: PoolNodeTable[]; legs: DeviceLegEntry[] } = { pools: this.tableList, legs: this.legList };

  /**
   * The pools' node tables at date d (pools alive at d, in the kernel's order, then the exercised swaptions'): the
   * kernel's list of the pools' answers, valid until its next poolTables call. The pools' tables leave out their
   * swaptions before expiry, which go to the device as leg entries (legEntries).
   */
  poolTables(d: number, paths: SimulatedPaths): PoolNodeTable[] {
    // the kernel's own list, refilled by each call (its tables are the pools' scratch anyway)
    const tables = this.tableList;
    tables.length = 0;
    if (d > this.lastDateIndex) return tables;
    for (const pool of this.pools) {
      const table = pool.nodeTable(d, paths);
      if (table) tables.push(table);
    }
    for (const cds of this.cdsPools) {
      const table = cds.nodeTable(d, paths);
      if (table) tables.push(table);
    }
    for (const trade of this.pathTrades) {
      const table = trade instanceof ExercisedSwaption ? trade.nodeTable(d, paths) : null;
      if (table) tables.push(table);
    }
    return tables;
  }

  accumulateTradeWeighted(d: number, paths: SimulatedPaths, weights: Float64Array, out: Float64Array, weights2?: Float64Array, out2?: Float64Array): void {
    if (d > this.lastDateIndex) return;
    const n = paths.nPaths;
    const w2 = weights2 !== undefined && out2 !== undefined ? weights2 : undefined;
    const o2 = w2 !== undefined ? out2 : undefined;
    const fxLevels = this.fxLevels;
    fxLevels.begin();
    // the rate and CDS pools read the path weights from the kernels' memory when there are kernels (copied once)
    const kernels = this.pools.length + this.cdsPools.length > 0 ? kernelsFor(paths.numeraire, n) : undefined;
    let wa = weights;
    let wb = w2;
    if (kernels !== undefined) {
      // (the engine passes the slot's own rows: eulerWeightsBoth wrote them there)
      if (weights !== kernels.wa) kernels.wa.set(weights.length === n ? weights : weights.subarray(0, n));
      wa = kernels.wa;
      if (w2 !== undefined) {
        if (w2 !== kernels.wb) kernels.wb.set(w2.length === n ? w2 : w2.subarray(0, n));
        wb = kernels.wb;
      }
    }
    for (const pool of this.pools) pool.accumulateTradeWeighted(d, paths, wa, out, wb, o2, fxLevels);
    for (const eq of this.equities) eq.accumulateTradeWeighted(d, paths, weights, out, w2, o2);
    for (const cds of this.cdsPools) cds.accumulateTradeWeighted(d, paths, wa, out, wb, o2, fxLevels);
    const kept = this.keptDate === d && this.keptPaths === paths && this.keptTrades.length >= this.pathTrades.length * n;
    const scratch = this.scratchFor(n);
    for (let t = 0; t < this.pathTrades.length; t++) {
      const trade = this.pathTrades[t]!;
      let values: Float64Array;
      if (kept) {
        if (this.keptAlive[t] === 0) continue;
        values = this.keptTrades.subarray(t * n, (t + 1) * n);
      } else {
        if (!trade.values(d, paths, scratch)) continue;
        values = scratch;
      }
      let sum = 0;
      let sum2 = 0;
      if (w2 !== undefined) {
        for (let p = 0; p < n; p++) {
          sum += weights[p]! * values[p]!;
          sum2 += w2[p]! * values[p]!;
        }
        o2![trade.tradeIndex] += sum2;
      } else {
        for (let p = 0; p < n; p++) sum += weights[p]! * values[p]!;
      }
      out[trade.tradeIndex] += sum;
    }
  }
}

/**
 * Compiles a netting set's trades into a kernel. Discounting is on each currency's OIS curve (the LGM's curve), as
 * `priceTrade` without a collateral currency; valueAt(0) equals today's prices on every path (x = 0, FX = spot).
 */
export function compileNettingSet(trades: Trade[], ctx: ValuationContext): NettingSetKernel {
  const compiler = new Compiler(ctx.market, ctx.model, ctx.grid, ctx.legRecords, ctx.collateralCurrency);
  trades.forEach((trade, i) => compiler.add(trade, i));
  const nDates = ctx.grid.times.length;
  const pools = [...compiler.pools.values()].map((b) => b.build(nDates));
  for (const p of pools) compiler.alive(p.lastIndex);
  for (const e of compiler.equities.values()) compiler.alive(e.lastIndex);
  return new NettingSetValuation(
    ctx.nettingSetId,
    trades.map((t) => t.tradeId),
    compiler.lastIndex,
    pools,
    [...compiler.equities.values()],
    [...compiler.cdsPools.values()],
    compiler.pathTrades,
  );
}

/**
 * What ratePoolNodeTables flattens, as the kernel gives it: the pools' node tables at date d (each valid until that
 * pool's next nodeTable call: copy before asking again) and the leg entries, in lists the kernel refills at its next
 * call; undefined when the kernel is not a
 * compileNettingSet kernel or has an equity option with a strike ≤ 0. The GPU backend packs these straight into its
 * buffers (backends/gpu/tables.ts packKernelTables).
 */
export function deviceTableSources(kernel: NettingSetKernel, d: number, paths: SimulatedPaths): { pools: PoolNodeTable[]; legs: DeviceLegEntry[] } | undefined {
  if (!(kernel instanceof NettingSetValuation) || !kernel.ratePoolsOnly) return undefined;
  if (!kernel.legEntries(d, paths)) return undefined;
  kernel.poolTables(d, paths);
  // the kernel's own answer (its lists were just refilled), valid until its next call: no object per slot
  return kernel.sources;
}

/**
 * A netting set's rate pools at one grid date as flat typed arrays (for the GPU valuation kernel): what valueAt
 * interpolates on these paths, up to rounding (a pool given as moments, order[i] ≥ 1, has node values Σ_m M_m·y_g^m
 * that equal buildNodes' to rounding). V(p) = Σ_i FX_i(p)·[Σ_k L_k(x_i(p))·nodes[i·G + b + k] + Σ_q T_q(x_i(p))·Δ_q·(c1 +
 * Δ_q·(c2 + Δ_q·c3))], Δ_q = x_i(p) − x_i at grid date groupFix[q], T_q = the stencil over runNodes[q·G ...], (c1, c2,
 * c3) = groupCoef[3q ..], L_k the 6-point Lagrange stencil of ratePool.ts on the grid (x0[i], h[i]), q over
 * groupStart[i] .. groupStart[i+1], with node values (from the moments where order[i] ≥ 1).
 */
export interface RatePoolNodeTables {
  /** Nodes per grid function (GRID_NODES) and Taylor coefficients per fixing group (RUNNING_SLOPES). */
  readonly gridNodes: number;
  readonly runningSlopes: number;
  /**
   * Per pool alive at the date: the state of its grid function, an LGM state (layout.currencies index) or, where
   * creditState[i] = 1, a credit state (a CDS pool, layout.creditNames index), and its FX factor (−1: base currency).
   */
  readonly irIndex: Int32Array;
  readonly creditState: Uint8Array;
  readonly fxIndex: Int32Array;
  /** Per pool: first node and node spacing of its state grid. */
  readonly x0: Float64Array;
  readonly h: Float64Array;
  /**
   * Per pool: how its grid functions are given (PoolNodeTable.order): 0, node values; k ≥ 1, Taylor moments about the
   * grid's centre in the first k values of each function's gridNodes (the rest 0; stateGrid.ts momentNodes).
   */
  readonly order: Int32Array;
  /** Per pool: PoolNodeTable.momentScale (0 with node values). */
  readonly momentScale: Float64Array;
  /** Per pool: the main grid function, gridNodes values from pool·gridNodes. */
  readonly nodes: Float64Array;
  /** Pool i's fixing groups are groupStart[i] .. groupStart[i+1]−1 (length pools + 1). */
  readonly groupStart: Int32Array;
  /** Per group: the grid index of its fixing state. */
  readonly groupFix: Int32Array;
  /** Per group: its grid function T_q, gridNodes values from group·G. */
  readonly runNodes: Float64Array;
  /** Per group: its Taylor coefficients c1, c2, c3 (runningSlopes values from group·S). */
  readonly groupCoef: Float64Array;
  /**
   * Per pool: −1, or the grid index of the state that decides on which paths the pool counts (PoolNodeTable.mask: a
   * physically settled swaption's underlying after expiry), with the bridge's next grid index, weight β, deviation and
   * draw stream (maskNext, maskWeight, maskSd, maskStream); its open intervals are maskIntervals[2r], [2r+1] for r in
   * maskStart[i] .. maskStart[i+1]−1 (length pools + 1).
   */
  readonly maskIndex: Int32Array;
  readonly maskNext: Int32Array;
  readonly maskWeight: Float64Array;
  readonly maskSd: Float64Array;
  /** Per pool: the mask's exercise stream (exerciseDraws.ts; 0 without a mask). */
  readonly maskStream: Uint32Array;
  readonly maskStart: Int32Array;
  readonly maskIntervals: Float64Array;
  /** The equity forwards' share parts and the FX and equity options alive at the date (options.ts DeviceLegEntry). */
  readonly legs: readonly DeviceLegEntry[];
}

/**
 * The rate pools of a compiled netting set at grid date d on these paths as flat arrays, with its equity forwards'
 * share parts and FX/equity options as leg entries; undefined when the kernel is not a compileNettingSet kernel or
 * has an equity option with a strike ≤ 0. Swaptions are pools (an exercised physically settled one a masked pool),
 * CDS pools are grid functions of their name's credit state. Nothing alive at d gives empty tables (V = 0).
 */
export function ratePoolNodeTables(kernel: NettingSetKernel, d: number, paths: SimulatedPaths): RatePoolNodeTables | undefined {
  const sources = deviceTableSources(kernel, d, paths);
  if (!sources) return undefined;
  const { legs, pools: tables } = sources;
  const nPools = tables.length;
  const G = GRID_NODES;
  const S = RUNNING_SLOPES;
  const groupStart = new Int32Array(nPools + 1);
  for (let i = 0; i < nPools; i++) groupStart[i + 1] = groupStart[i]! + tables[i]!.groupFix.length;
  const nGroups = groupStart[nPools]!;
  const maskStart = new Int32Array(nPools + 1);
  for (let i = 0; i < nPools; i++) maskStart[i + 1] = maskStart[i]! + (tables[i]!.mask ? tables[i]!.mask!.intervals.length / 2 : 0);
  const out = {
    gridNodes: G,
    runningSlopes: S,
    irIndex: Int32Array.from(tables, (t) => t.irIndex),
    creditState: Uint8Array.from(tables, (t) => (t.state === 'credit' ? 1 : 0)),
    fxIndex: Int32Array.from(tables, (t) => t.fxIndex),
    x0: Float64Array.from(tables, (t) => t.x0),
    h: Float64Array.from(tables, (t) => t.h),
    order: Int32Array.from(tables, (t) => t.order),
    momentScale: Float64Array.from(tables, (t) => t.momentScale),
    nodes: new Float64Array(nPools * G),
    groupStart,
    groupFix: new Int32Array(nGroups),
    runNodes: new Float64Array(nGroups * G),
    groupCoef: new Float64Array(nGroups * S),
    maskIndex: Int32Array.from(tables, (t) => (t.mask ? t.mask.index : -1)),
    maskNext: Int32Array.from(tables, (t) => (t.mask ? t.mask.next : -1)),
    maskWeight: Float64Array.from(tables, (t) => (t.mask ? t.mask.weight : 0)),
    maskSd: Float64Array.from(tables, (t) => (t.mask ? t.mask.sd : 0)),
    maskStream: Uint32Array.from(tables, (t) => (t.mask ? t.mask.stream : 0)),
    maskStart,
    maskIntervals: new Float64Array(2 * maskStart[nPools]!),
    legs: legs.slice(), // the kernel refills its list at its next call
  };
  tables.forEach((t, i) => {
    if (t.mask) out.maskIntervals.set(t.mask.intervals, 2 * maskStart[i]!);
    // a function's moments only (the pool's scratch beyond them is stale)
    const width = t.order > 0 ? t.order : G;
    out.nodes.set(t.nodes.subarray(0, width), i * G);
    out.groupFix.set(t.groupFix, groupStart[i]!);
    for (let q = 0; q < t.groupFix.length; q++) out.runNodes.set(t.runNodes.subarray(q * G, q * G + width), (groupStart[i]! + q) * G);
    out.groupCoef.set(t.groupCoef, groupStart[i]! * S);
  });
  return out;
}
