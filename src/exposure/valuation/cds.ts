/**
 * Single-name CDS on paths. The reference name's credit state y gives the conditional survival (engine.md, ORE's
 * "CrLgm" Gaussian intensity model)
 *
 *   S(t,u|y) = S(0,u)/S(0,t)·exp(−(Hc(u)−Hc(t))·y − ½(Hc(u)²−Hc(t)²)·ζc(t)),
 *
 * and RATES ARE DETERMINISTIC INSIDE THE CDS VALUE: discounting at t uses today's forward curve P(0,u)/P(0,t) of the
 * trade currency (the rate–credit covariance inside one CDS is second order; the currency's FX converts the value).
 *
 * The value at grid date D is the position's (pricing/cds.ts): the ISDA CDS Standard Model's dirty value with D as the
 * valuation date (step-in D+1, protection from max(start, D+1) − 1, accrual on default with the half-day adjustment;
 * market/cdsIsda.ts), plus the accrued premium rebated at the trade's own cash settlement while that is after D (a
 * trade with a `trade_date` within three business days of today), written as a linear combination Σ_k w_k·S(t, u_k|y)
 * of survival probabilities at the nodes u_k of the ISDA integration grid (curve nodes and coupon survival dates):
 * - coupons: −c·τ_i·P(t, pay_i) at u = end_i − 1 day;
 * - protection and accrual on default on each segment [u0, u1]: the ISDA segment integral (exact for piecewise
 *   exponential P·S, market/cdsIntegrals.ts) on the conditional curve at y = 0, divided by S(u0) − S(u1), times
 *   (S(t,u0|y) − S(t,u1|y)). The weights are frozen at y = 0: exact at y = 0 (hence at t = 0: today's ISDA price),
 *   and off y = 0 the error is the change of the segment's discount-weighted average under a hazard tilt, second
 *   order in the segment length and linear in y (measured in test/valuation.test.ts: about 1e-6 of the notional at a
 *   3-sd credit state of a 5Y trade, 5e-8 from taking the curved conditional survival as exponential between quarterly
 *   nodes; an audit measured 5e-6 at 3 sd for a 10Y trade at the default σ and 3e-5 at σ = 0.02).
 * So the value is an exponential sum in y, pooled per name and tabulated on a state grid like the rate pools.
 */
import { XvaInternalError } from '../../errors.js';
import type { Market, YieldCurve } from '../../market/types.js';
import type { CreditDefaultSwap } from '../../products/types.js';
import { pendingCdsRebate } from '../../pricing/cds.js';
import { buildCdsSchedule } from '../../conventions/cdsDates.js';
import { FREQUENCY_MONTHS } from '../../conventions/dates.js';
import type { Schedule } from '../../conventions/schedule.js';
import { accrualSegment, protectionSegment } from '../../market/cdsIntegrals.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import type { FxLevels } from './fxLevels.js';
import { deviceMomentSpan, type PoolNodeTable } from './ratePool.js';
import type { CreditStateModel } from './model.js';
import { lastIndexBefore } from './model.js';
import { addExponential, CELL_BLOCK, cellMomentsToNodes, GRID_CENTRE, GRID_NODES, momentOrder, nodesToCells, STENCIL, stateGridFor } from './stateGrid.js';
import { kernelsFor } from './wasm/poolKernels.js';

/** Markit's half-day adjustment to the accrued time on default (ISDA CDS Standard Model v1.8.2), years. */
const HALF_DAY_YEARS = 0.5 / 365;

/** One grid date's exponential terms in y: Σ_k amps[k]·e^{−rates[k]·y}. */
export interface CdsDateTerms {
  readonly rates: Float64Array;
  readonly amps: Float64Array;
}

/**
 * The CDS as exponential terms in y per grid date (none after lastIndex). A date's terms are computed when first
 * asked for and kept: a netting set is valued on its own dates only (its exposure dates and its MPoR's close-out
 * dates, about a fifth to two fifths of a grid with four MPoRs), and the ISDA integrals of the other dates were most of
 * a CDS's compile time. A date's terms do not depend on which dates were asked for before (tested).
 */
export interface CdsTerms {
  readonly lastIndex: number;
  at(d: number): CdsDateTerms;
}

const NO_RUN_NODES = new Float64Array(0);
const NO_GROUPS = new Int32Array(0);
const NO_TERMS: CdsDateTerms = { rates: new Float64Array(0), amps: new Float64Array(0) };

/** The fee-leg schedule of a CDS trade (ISDA CDS Standard Model dates, conventions/cdsDates.ts). */
export function cdsSchedule(trade: CreditDefaultSwap): Schedule {
  return buildCdsSchedule(trade.startDate, trade.maturityDate, FREQUENCY_MONTHS[trade.frequency], trade.dayCount);
}

/** Index of the first of the sorted `times` strictly after t (times.length if none). */
export function firstBreakAfter(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A CDS's survival-node weights (the file header's w_k) at one grid date after another: per segment of the ISDA
 * grid between the protection's (or a coupon's accrual) ends and the break times inside, the segment integral
 * (market/cdsIntegrals.ts protectionSegment, accrualSegment) divided by the drop of the reference survival, added to
 * the segment's two ends; per coupon its discounted amount at its survival node; the accrued rebate at t. Today's
 * curves and the hazard function are evaluated once per break time and trade, the conditional curves' logs once per
 * break time and date, and the weights are held in slots indexed by break time. The first writing (kept as the
 * reference, test/helpers/cdsNodeWeightsReference.ts, which these terms equal bit for bit) evaluated each node's logs
 * up to four times and looked every curve value and weight up in a Map by its time: 1.8 times slower
 * (1,000 CDS of utb-20k on 121 dates), about a fifth of a GPU worker's table building on utb-20k.
 */
class CdsDateWeights {
  private readonly nB: number;
  /** The maturity's time, and the first break time after it. */
  private readonly maturityTime: number;
  private readonly kEnd: number;
  // per break time: today's discount factor, survival and hazard function H (the trade's, date-independent)
  private readonly bDiscount0: Float64Array;
  private readonly bSurvival0: Float64Array;
  private readonly bH: Float64Array;
  // per break time at the current date: the conditional survival at y = 0, the logs of P(t, u) and of that survival
  private readonly sRef: Float64Array;
  private readonly lnP: Float64Array;
  private readonly lnQ: Float64Array;
  // per coupon: the survival node and its time, the payment time's discount today, the accrual origin and rate
  private readonly endTime: Float64Array;
  private readonly endBreak: Int32Array;
  private readonly payDiscount0: Float64Array;
  private readonly origin: Float64Array;
  private readonly accrualPerYear: Float64Array;
  // weight slots: 0 .. nB − 1 the break times, nB + j the other times of the date (extraTime[j]); per slot its weight
  // and the date it was last used at; `order` the slots of the date in first-use order
  private readonly slotWeight: Float64Array;
  private readonly slotDate: Int32Array;
  private readonly order: Int32Array;
  private count = 0;
  private extraTime: number[] = [];
  private date = -1;
  // the current date's scalars
  private t = 0;
  private Ht = 0;
  private zt = 0;
  private s0t = 0;
  private p0t = 0;
  /** The trade's accrued-premium rebate still to come after today (pricing/cds.ts pendingCdsRebate), or none. */
  private readonly rebate: { amount: number; paymentDate: number } | undefined;

  constructor(
    private readonly trade: CreditDefaultSwap,
    private readonly market: Market,
    private readonly grid: TimeGrid,
    private readonly credit: CreditStateModel,
    private readonly discount0: (t: number) => number,
    private readonly breaks: Float64Array,
    private readonly schedule: Schedule,
  ) {
    const nB = (this.nB = breaks.length);
    this.rebate = pendingCdsRebate(trade, market.creditCurve(trade.referenceEntity).recovery, market.asOf);
    // the break times up to the maturity only are read (the curves' pillars run decades past a CDS)
    this.maturityTime = market.time(trade.maturityDate);
    const kEnd = (this.kEnd = firstBreakAfter(breaks, this.maturityTime));
    this.bDiscount0 = new Float64Array(nB);
    this.bSurvival0 = new Float64Array(nB);
    this.bH = new Float64Array(nB);
    for (let k = 0; k < kEnd; k++) {
      const u = breaks[k]!;
      this.bDiscount0[k] = discount0(u);
      this.bSurvival0[k] = credit.survival0(u);
      this.bH[k] = credit.H(u);
    }
    this.sRef = new Float64Array(nB);
    this.lnP = new Float64Array(nB);
    this.lnQ = new Float64Array(nB);
    const n = schedule.count;
    const time = (date: number): number => market.time(date);
    this.endTime = new Float64Array(n);
    this.endBreak = new Int32Array(n);
    this.payDiscount0 = new Float64Array(n);
    this.origin = new Float64Array(n);
    this.accrualPerYear = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const start = schedule.accrualStart[i]!;
      const end = schedule.accrualEnd[i]!;
      this.endTime[i] = time(end - 1);
      this.endBreak[i] = this.breakIndex(this.endTime[i]!);
      this.payDiscount0[i] = discount0(time(schedule.paymentDate[i]!));
      this.origin[i] = time(start - 1) - HALF_DAY_YEARS;
      this.accrualPerYear[i] = (schedule.accrualFraction[i]! * 365) / (end - start);
    }
    // at most every break time and a few others a date (the protection's ends, a coupon's start, the date itself)
    this.slotWeight = new Float64Array(nB + 8);
    this.slotDate = new Int32Array(nB + 8).fill(-1);
    this.order = new Int32Array(nB + 8);
  }

  /** The index of break time u, or −1 when u is not one. */
  private breakIndex(u: number): number {
    const k = firstBreakAfter(this.breaks, u) - 1;
    return k >= 0 && this.breaks[k] === u ? k : -1;
  }

  /** The conditional survival at y = 0 of time u (1 up to t), break index `k` or −1. */
  private survivalAt(u: number, k: number): number {
    if (k >= 0) return this.sRef[k]!;
    if (u <= this.t) return 1;
    const Hu = this.credit.H(u);
    return (this.credit.survival0(u) / this.s0t) * Math.exp(-0.5 * (Hu * Hu - this.Ht * this.Ht) * this.zt);
  }

  private discountAt(u: number, k: number): number {
    return (k >= 0 ? this.bDiscount0[k]! : this.discount0(u)) / this.p0t;
  }

  private lnPAt(u: number, k: number): number {
    return k >= 0 ? this.lnP[k]! : Math.log(this.discountAt(u, -1));
  }

  private lnQAt(u: number, k: number): number {
    return k >= 0 ? this.lnQ[k]! : Math.log(this.survivalAt(u, -1));
  }

  /** The weight slot of time u (break index k or −1), taken into the date's order on first use. */
  private slotOf(u: number, k: number): number {
    let slot = k;
    if (slot < 0) {
      let j = this.extraTime.indexOf(u);
      if (j < 0) {
        j = this.extraTime.length;
        this.extraTime.push(u);
        if (this.nB + j >= this.slotWeight.length) throw new XvaInternalError(`CDS ${this.trade.tradeId}: more than 8 nodes off the break times at one date`);
      }
      slot = this.nB + j;
    }
    if (this.slotDate[slot] !== this.date) {
      this.slotDate[slot] = this.date;
      this.slotWeight[slot] = 0;
      this.order[this.count++] = slot;
    }
    return slot;
  }

  private add(u: number, k: number, w: number): void {
    const slot = this.slotOf(u, k);
    this.slotWeight[slot] = this.slotWeight[slot]! + w;
  }

  /** The weight w with w·(S(u0) − S(u1)) = the segment's integral at the reference survival S. */
  private perSurvivalDrop(u0: number, k0: number, u1: number, k1: number, integral: number): number {
    const drop = this.survivalAt(u0, k0) - this.survivalAt(u1, k1);
    return drop !== 0 ? integral / drop : Math.sqrt(this.discountAt(u0, k0) * this.discountAt(u1, k1)) * (integral === 0 ? 1 : 0);
  }

  /** The terms of date d: Σ_k amps[k]·e^{−rates[k]·y}, the weights' nodes in first-use order (compileCds). */
  terms(d: number, scale: number): CdsDateTerms {
    const { trade, market, grid, credit, breaks, schedule, nB } = this;
    const time = (date: number): number => market.time(date);
    const D = grid.dates[d]!;
    const t = (this.t = grid.times[d]!);
    const Ht = (this.Ht = credit.H(t));
    const zt = (this.zt = credit.zeta(t));
    this.s0t = credit.survival0(t);
    const p0t = (this.p0t = this.discount0(t));
    this.date = d;
    this.count = 0;
    this.extraTime = [];
    // the conditional curves at the break times up to the maturity (the survival is 1 up to t)
    const { maturityTime, kEnd } = this;
    for (let k = 0; k < kEnd; k++) {
      const Hu = this.bH[k]!;
      this.sRef[k] = breaks[k]! <= t ? 1 : (this.bSurvival0[k]! / this.s0t) * Math.exp(-0.5 * (Hu * Hu - Ht * Ht) * zt);
      this.lnP[k] = Math.log(this.bDiscount0[k]! / p0t);
      this.lnQ[k] = Math.log(this.sRef[k]!);
    }

    const recovery = market.creditCurve(trade.referenceEntity).recovery;
    const coupon = trade.fixedRate;
    const stepIn = D + 1;
    const protectionFrom = Math.max(trade.startDate, stepIn) - 1;
    if (trade.maturityDate > protectionFrom) {
      // protection on the segments of [a, b] split at the break times strictly inside
      const a = time(protectionFrom);
      let u0 = a;
      let k0 = this.breakIndex(a);
      for (let k = firstBreakAfter(breaks, a); k <= nB; k++) {
        const last = k === nB || breaks[k]! >= maturityTime;
        const u1 = last ? maturityTime : breaks[k]!;
        const k1 = last ? this.breakIndex(maturityTime) : k;
        if (!last && u1 <= u0) continue;
        const integral = protectionSegment(this.lnPAt(u0, k0), this.lnQAt(u0, k0), this.lnPAt(u1, k1), this.lnQAt(u1, k1));
        const w = (1 - recovery) * this.perSurvivalDrop(u0, k0, u1, k1, integral);
        this.add(u0, k0, w);
        this.add(u1, k1, -w);
        if (last) break;
        u0 = u1;
        k0 = k1;
      }
    }
    for (let i = 0; i < schedule.count; i++) {
      const start = schedule.accrualStart[i]!;
      const end = schedule.accrualEnd[i]!;
      if (end <= stepIn) continue;
      const tau = schedule.accrualFraction[i]!;
      const b = this.endTime[i]!;
      const kb = this.endBreak[i]!;
      this.add(b, kb, -coupon * tau * (this.payDiscount0[i]! / p0t));
      const accrualPerYear = this.accrualPerYear[i]!;
      const origin = this.origin[i]!;
      // accrual on default on the segments of [a, b] split at the break times strictly inside
      const a = time(Math.max(start, stepIn) - 1);
      let u0 = a;
      let k0 = this.breakIndex(a);
      for (let k = firstBreakAfter(breaks, a); k <= nB; k++) {
        const last = k === nB || breaks[k]! >= b;
        const u1 = last ? b : breaks[k]!;
        const k1 = last ? kb : k;
        if (!last && u1 <= u0) continue;
        if (u1 > u0) {
          const integral = accrualSegment(u0, u1, origin, this.lnPAt(u0, k0), this.lnQAt(u0, k0), this.lnPAt(u1, k1), this.lnQAt(u1, k1));
          const w = -coupon * accrualPerYear * this.perSurvivalDrop(u0, k0, u1, k1, integral);
          this.add(u0, k0, w);
          this.add(u1, k1, -w);
        }
        if (last) break;
        u0 = u1;
        k0 = k1;
      }
    }
    // The trade's rebate of accrued premium while its cash settlement is still to come (survival-independent:
    // S(t,t|y) = 1): for a trade made on D this is the clean value, the model's quote (pricing/cds.ts).
    if (this.rebate !== undefined && this.rebate.paymentDate > D) {
      this.add(t, this.breakIndex(t), this.rebate.amount * (this.discount0(time(this.rebate.paymentDate)) / p0t));
    }

    const rates: number[] = [];
    const amps: number[] = [];
    for (let j = 0; j < this.count; j++) {
      const slot = this.order[j]!;
      const w = this.slotWeight[slot]!;
      if (w === 0) continue;
      const isBreak = slot < nB;
      const u = isBreak ? breaks[slot]! : this.extraTime[slot - nB]!;
      rates.push(u <= t ? 0 : (isBreak ? this.bH[slot]! : credit.H(u)) - Ht);
      amps.push(scale * w * this.survivalAt(u, isBreak ? slot : -1));
    }
    return { rates: Float64Array.from(rates), amps: Float64Array.from(amps) };
  }
}

/**
 * Break times of the ISDA integration grid (years from the as-of date): discount pillars, hazard nodes, coupon survival
 * dates. The discount pillars are those of the trade currency's curve and of the curve the trade is discounted on
 * (`discount`: under a CSA in another currency the cross-currency basis curve, whose pillars today's price breaks at
 * too, so that the value on paths at t = 0 is that price to rounding).
 */
export function cdsBreakTimes(trade: CreditDefaultSwap, market: Market, schedule: Schedule = cdsSchedule(trade), discount?: YieldCurve): Float64Array {
  const all: number[] = [];
  for (const t of market.discountCurve(trade.currency).pillarTimes) all.push(t);
  if (discount) for (const t of discount.pillarTimes) all.push(t);
  for (const t of market.creditCurve(trade.referenceEntity).times) all.push(t);
  for (let i = 0; i < schedule.count; i++) all.push(market.time(schedule.accrualEnd[i]! - 1));
  all.sort((a, b) => a - b);
  return Float64Array.from(all.filter((t, i) => i === 0 || t > all[i - 1]!));
}

/** Compiled terms per trade object, with what they were compiled against (compileCdsOnce). */
const compiledTerms = new WeakMap<CreditDefaultSwap, { market: Market; grid: TimeGrid; credit: CreditStateModel; discount: YieldCurve; terms: CdsTerms }>();

/**
 * compileCds, once per trade object, market, grid, credit model and discount curve (the trade currency's, or under a
 * CSA in another currency the basis curve: the same trade in a set of another collateral currency is compiled again):
 * the GPU backend's figures route compiles each trade of a set on its own after the set (its Euler tables), and the
 * ISDA integrals of a CDS were then computed twice (about a fifth of a worker's table building on utb-20k). The terms
 * are read only.
 */
export function compileCdsOnce(trade: CreditDefaultSwap, market: Market, grid: TimeGrid, credit: CreditStateModel, discount: YieldCurve): CdsTerms {
  const held = compiledTerms.get(trade);
  if (held && held.market === market && held.grid === grid && held.credit === credit && held.discount === discount) return held.terms;
  const terms = compileCds(trade, market, grid, credit, (t) => discount.discount(t), discount);
  compiledTerms.set(trade, { market, grid, credit, discount, terms });
  return terms;
}

/**
 * The CDS's exponential terms in the credit state for every grid date it is alive (D < maturity); `discountCurve` is
 * the curve `discount0` reads, whose pillars join the break times (cdsBreakTimes).
 */
export function compileCds(trade: CreditDefaultSwap, market: Market, grid: TimeGrid, credit: CreditStateModel, discount0: (t: number) => number, discountCurve?: YieldCurve): CdsTerms {
  const lastIndex = lastIndexBefore(grid.dates, trade.maturityDate);
  const nDates = grid.times.length;
  const scale = (trade.direction === 'buy' ? 1 : -1) * trade.notional;
  // The fee schedule depends on the trade alone: built once, not once per grid date. Today's curves are evaluated
  // once per break time, the conditional curves once per break time and date (CdsDateWeights: the same values
  // whatever the order of the dates).
  const schedule = cdsSchedule(trade);
  const breaks = cdsBreakTimes(trade, market, schedule, discountCurve);
  const weights = new CdsDateWeights(trade, market, grid, credit, discount0, breaks, schedule);
  const byDate: (CdsDateTerms | undefined)[] = new Array(nDates);
  const termsOf = (d: number): CdsDateTerms => weights.terms(d, scale);
  return {
    lastIndex,
    at(d: number): CdsDateTerms {
      if (d < 0 || d > lastIndex || d >= nDates) return NO_TERMS;
      return (byDate[d] ??= termsOf(d));
    },
  };
}

/** All CDS of a netting set on one reference name and currency, tabulated on the grid of the name's credit state. */
export class CdsPool {
  private readonly trades: { tradeIndex: number; terms: CdsTerms }[] = [];
  private readonly spec = new Float64Array(2);
  private readonly nodes = new Float64Array(GRID_NODES);
  private readonly nodeWeights = new Float64Array(GRID_NODES);
  private readonly nodeWeights2 = new Float64Array(GRID_NODES);
  private readonly moments = new Float64Array(CELL_BLOCK);
  private readonly cells = new Float64Array(CELL_BLOCK);
  private readonly moments2 = new Float64Array(CELL_BLOCK);
  lastIndex = -1;

  constructor(
    readonly creditIndex: number,
    readonly fxIndex: number,
  ) {}

  add(tradeIndex: number, terms: CdsTerms): void {
    this.trades.push({ tradeIndex, terms });
    if (terms.lastIndex > this.lastIndex) this.lastIndex = terms.lastIndex;
  }

  /** The pool's node table at date d on the credit state (for the device, compile.ts ratePoolNodeTables); null when not alive. */
  nodeTable(d: number, paths: SimulatedPaths): PoolNodeTable | null {
    if (d > this.lastIndex) return null;
    // the pool's scratch, valid until its next call (as CurrencyPool.nodeTable's)
    const nodes = this.nodes;
    // as Taylor moments about the grid's centre where the terms allow (the device expands them, as CurrencyPool's)
    const order = this.gridMoments(d, paths, nodes);
    if (order === 0) this.gridNodes(d, paths, nodes);
    // one answer object per pool, rewritten by each call (CurrencyPool.nodeTable's rule)
    const table = (this.table ??= { irIndex: this.creditIndex, state: 'credit', fxIndex: this.fxIndex, x0: Number.NaN, h: Number.NaN, nodes, runNodes: NO_RUN_NODES, groupFix: NO_GROUPS, groupCoef: NO_RUN_NODES, order: 0, momentScale: 0 });
    table.order = order;
    table.momentScale = order > 0 ? this.momentScale : 0;
    table.x0 = this.spec[0]!;
    table.h = this.spec[1]!;
    return table;
  }

  private table: PoolNodeTable | undefined;

  /**
   * The pool's state grid at date d on these paths (into `spec`) and, when its terms allow the moment form on it
   * (z = max|rate|·GRID_CENTRE·h ≤ ratePool.ts deviceMomentSpan()), its Taylor moments about the grid's centre into nodes[0 .. k):
   * returns k, else 0 (nothing written to `nodes`).
   */
  private gridMoments(d: number, paths: SimulatedPaths, nodes: Float64Array): number {
    const n = paths.nPaths;
    stateGridFor(paths.creditState[this.creditIndex]!, d * n, n, this.spec);
    const h = this.spec[1]!;
    let aMax = 0;
    for (const { terms } of this.trades) {
      const { rates } = terms.at(d);
      for (let k = 0; k < rates.length; k++) aMax = Math.max(aMax, Math.abs(rates[k]!));
    }
    const z = aMax * GRID_CENTRE * h;
    if (deviceMomentSpan() <= 0 || z > deviceMomentSpan()) return 0; // span 0: node values everywhere
    const order = momentOrder(z);
    const xc = this.spec[0]! + GRID_CENTRE * h;
    nodes.fill(0, 0, order);
    let size = 0;
    for (const { terms } of this.trades) {
      const { amps, rates } = terms.at(d);
      for (let k = 0; k < rates.length; k++) {
        const rate = rates[k]!;
        let term = amps[k]! * Math.exp(-rate * xc);
        size += Math.abs(term);
        nodes[0] += term;
        for (let m = 1; m < order; m++) {
          term *= -rate / m;
          nodes[m] += term;
        }
      }
    }
    this.momentScale = size * Math.exp(z);
    return order;
  }

  /** gridMoments' Σ_k |term_k(x_c)|·e^z of its last call (PoolNodeTable.momentScale). */
  private momentScale = 0;

  /** The pool's state grid at date d on these paths (into `spec`) and its value at the grid's nodes (into `nodes`, zeroed). */
  private gridNodes(d: number, paths: SimulatedPaths, nodes: Float64Array): void {
    const n = paths.nPaths;
    stateGridFor(paths.creditState[this.creditIndex]!, d * n, n, this.spec);
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    nodes.fill(0);
    for (const { terms } of this.trades) {
      const { amps, rates } = terms.at(d);
      for (let k = 0; k < rates.length; k++) addExponential(amps[k]!, rates[k]!, x0, h, nodes, 0);
    }
  }

  addValues(d: number, paths: SimulatedPaths, out: Float64Array, fxLevels: FxLevels): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const ys = paths.creditState[this.creditIndex]!;
    const nodes = this.nodes;
    this.gridNodes(d, paths, nodes);
    const x0 = this.spec[0]!;
    const invH = 1 / this.spec[1]!;
    const fx = fxLevels.of(this.fxIndex, d, paths);
    const off = d * n;
    const kernels = kernelsFor(ys, n);
    if (kernels !== undefined && out.buffer === kernels.buffer && (fx === null || fx.buffer === kernels.buffer)) {
      // the WebAssembly loop (wasm/poolKernels.ts), the same operations as below: the same bits
      kernels.nodes.set(nodes);
      kernels.cdsValues(n, ys.byteOffset + 8 * off, fx === null ? 0 : fx.byteOffset, out.byteOffset, x0, invH);
      return;
    }
    // the table's cell polynomials (stateGrid.ts nodesToCells), as the rate pools value theirs
    const cells = this.cells;
    nodesToCells(nodes, 0, cells, 0);
    const cMax = GRID_NODES - 4;
    for (let p = 0; p < n; p++) {
      const sPos = (ys[off + p]! - x0) * invH;
      // every path lies in nodes 2 .. G−3 (stateGridFor), so sPos > 0 and truncation is the floor; clamped for rounding
      let c = sPos | 0;
      c = c < 2 ? 2 : c > cMax ? cMax : c;
      const u = sPos - c;
      const u2 = u * u;
      const u3 = u2 * u;
      const u4 = u2 * u2;
      const u5 = u4 * u;
      const b = STENCIL * (c - 2);
      const v = cells[b]! + u * cells[b + 1]! + u2 * cells[b + 2]! + u3 * cells[b + 3]! + u4 * cells[b + 4]! + u5 * cells[b + 5]!;
      out[p] += fx === null ? v : fx[p]! * v;
    }
  }

  /** Euler allocation for one or two weight vectors in one pass over the paths (see CurrencyPool). */
  accumulateTradeWeighted(d: number, paths: SimulatedPaths, weights: Float64Array, out: Float64Array, weights2: Float64Array | undefined, out2: Float64Array | undefined, fxLevels: FxLevels): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const ys = paths.creditState[this.creditIndex]!;
    stateGridFor(ys, d * n, n, this.spec);
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    const invH = 1 / h;
    const two = weights2 !== undefined && out2 !== undefined;
    const fx = fxLevels.of(this.fxIndex, d, paths);
    const off = d * n;
    // The path weights gathered as cell moments Σ_p a_p·u_p^m, then node weights (stateGrid.ts cellMomentsToNodes), as
    // the rate pools do; the WebAssembly scatter when the path weights are in the kernels' memory (compile.ts copies
    // them there): the same operations in the same path order, so the same moments.
    const kernels = kernelsFor(ys, n);
    const onKernels = kernels !== undefined && weights.buffer === kernels.buffer && (!two || weights2.buffer === kernels.buffer) && (fx === null || fx.buffer === kernels.buffer);
    const mw = onKernels ? kernels.nw : this.moments;
    const mw2 = onKernels ? kernels.nw2 : this.moments2;
    mw.fill(0);
    mw2.fill(0);
    if (onKernels) kernels.cdsScatter(n, ys.byteOffset + 8 * off, fx === null ? 0 : fx.byteOffset, two, x0, invH);
    const cMax = GRID_NODES - 4;
    for (let p = 0; p < n && !onKernels; p++) {
      const wa = weights[p]!;
      const wb = two ? weights2[p]! : 0;
      if (wa === 0 && wb === 0) continue;
      const fxp = fx === null ? 1 : fx[p]!;
      const a = wa * fxp;
      const a2 = wb * fxp;
      const sPos = (ys[off + p]! - x0) * invH;
      // every path lies in nodes 2 .. G−3 (stateGridFor), so sPos > 0 and truncation is the floor; clamped for rounding
      let c = sPos | 0;
      c = c < 2 ? 2 : c > cMax ? cMax : c;
      const u = sPos - c;
      const u2 = u * u;
      const u3 = u2 * u;
      const u4 = u2 * u2;
      const u5 = u4 * u;
      const b = STENCIL * (c - 2);
      // A side whose weight is 0 on this path (EPE where V < 0, ENE where V > 0) would only add zeros.
      for (let side = 0; side < 2; side++) {
        const coef = side === 0 ? a : a2;
        if (coef === 0) continue;
        const ms = side === 0 ? mw : mw2;
        ms[b] += coef;
        ms[b + 1] += coef * u;
        ms[b + 2] += coef * u2;
        ms[b + 3] += coef * u3;
        ms[b + 4] += coef * u4;
        ms[b + 5] += coef * u5;
      }
    }
    let nw: Float64Array = this.nodeWeights;
    let nw2: Float64Array = this.nodeWeights2;
    if (onKernels) {
      // the node weights made of the moments in the kernels' memory (the same operations as cellMomentsToNodes)
      kernels.nodeWeights(0, two);
      ({ nwOut: nw, nw2Out: nw2 } = kernels);
    } else {
      nw.fill(0);
      cellMomentsToNodes(mw, 0, nw, 0);
      if (two) {
        nw2.fill(0);
        cellMomentsToNodes(mw2, 0, nw2, 0);
      }
    }
    for (const { tradeIndex, terms } of this.trades) {
      let sum = 0;
      let sum2 = 0;
      const { amps, rates } = terms.at(d);
      for (let k = 0; k < rates.length; k++) {
        const rate = rates[k]!;
        let v = amps[k]! * Math.exp(-rate * x0);
        const ratio = Math.exp(-rate * h);
        for (let g = 0; g < GRID_NODES; g++) {
          sum += nw[g]! * v;
          sum2 += nw2[g]! * v;
          v *= ratio;
        }
      }
      out[tradeIndex] += sum;
      if (two) out2[tradeIndex] += sum2;
    }
  }
}
