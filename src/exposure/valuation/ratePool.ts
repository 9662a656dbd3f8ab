/**
 * A netting set's (or one trade's) cash flows in one currency, pooled into grid functions of that currency's LGM
 * state x (engine.md). Under one factor per currency the value at t of everything paid in the currency after t is
 *
 *   V_c(t, x) = Σ_k A_k·P(t, T_k, x) + running float coupons + option terms,
 *   P(t, T, x) = P(0,T)/P(0,t)·exp(−(H(T)−H(t))·x − ½(H(T)²−H(t)²)·ζ(t))       (LSG §11.4),
 *
 * an exponential sum in x tabulated on a state grid (stateGrid.ts) at each date and interpolated per path, then
 * converted to the base currency with the path's FX rate.
 *
 * Float coupons over (s, e] paid at e (value at t excludes flows paid at t):
 * - before the fixing (t_d ≤ t_j): N·(β·P(t,s) − P(t,e)) + N·τ·spread·P(t,e), β = [P_proj(0,s)/P_proj(0,e)] /
 *   [P(0,s)/P(0,e)] the deterministic basis ratio (LSG §12.1), i.e. two pooled flows;
 * - running (fixing grid date t_j < t_d < e): the fixing is taken at t_j, THE GRID DATE ON OR BEFORE THE FIXING DATE
 *   s OR THE NEXT ONE, WHICHEVER IS NEARER IN ζ (legs.ts fixingGridIndex; for an overnight coupon the one on or
 *   before its start), as the forward P(t_j,s)/P(t_j,e) seen in the state x_j; the coupon is then
 *   N·(β·P(t_j,s|x_j)/P(t_j,e|x_j) − 1 + τ·spread)·P(t,e|x_t). Its x_j-dependent part is
 *   W·e^{−(H(s)−H(t))·x_t}·e^{−δ·Δ}, δ = H(e) − H(s), Δ = x_t − x_j, expanded in Δ to third order (Taylor):
 *   e^{−δΔ} ≈ 1 + Δ·(c1 + Δ·(c2 + Δ·c3)), c1 = −δ, c2 = δ²/2, c3 = −δ³/6. The Δ⁰ term is added to the main grid
 *   function; the coupons with the same fixing index j and the same δ (a "fixing class": most fixing indices of a pool
 *   have one: 82% of those alive at a date on utb-20k) share one pooled grid function T of x_t, and a path adds
 *   T(x_t)·Δ·(c1 + Δ·(c2 + Δ·c3)) per class: one grid function and a cubic per class and path. A fixing index with
 *   three or more classes alive at a date keeps one grid function per Taylor power instead (Σ_k c_m(δ_k)·T_k, m = 1..3,
 *   taken as three slots with coefficients (1,0,0), (0,1,0), (0,0,1)), so that no fixing index costs a path more than
 *   three grid functions. The remainder (δΔ)⁴/24 is below 1e-9 of the notional for one standard deviation of Δ over a
 *   6M period at 100bp normal vol.
 * The merged flows are tabulated through their Taylor moments about the grid's centre when the truncation bound
 * allows (stateGrid.ts momentOrder, ≤ 1e-15 of the gross value), else by the two-exponential recurrence.
 * One interpolation stencil per path serves the main function and every class's function; the Euler allocation
 * gathers the path weights as moments Σ a·u^m of each grid cell (u the path's position in its cell) for up to two
 * weight vectors (EPE and ENE) in one pass, turned into node weights per cell afterwards (stateGrid.ts
 * cellMomentsToNodes).
 * - coupons fixed at the as-of date (j = 0, x = 0 on every path) are the deterministic amounts of today's pricer.
 * - a coupon compounded in arrears (an overnight index) after its fixing grid date: the growth accrued over (s, t] as
 *   x_j projects it, N·β·P(t_j,s|x_j)/P(t_j,t|x_j), locally riskless as the realised growth is, instead of the term
 *   rate's N·β·P(t_j,s|x_j)/P(t_j,e|x_j)·P(t,e|x_t): the same form with min(t, o_e) for e, so its class's δ and the end
 *   in its constants are set per date (CompoundedTerms; docs/simulation.md "Overnight coupons compounded in arrears").
 */
import { XvaInternalError } from '../../errors.js';
import type { SimulatedPaths } from '../../simulation/types.js';
import type { LgmOnGrid } from './model.js';
import type { FxLevels } from './fxLevels.js';
import { addExponential, CELL_BLOCK, cellMomentsToNodes, GRID_CENTRE, GRID_NODES, lagrange6, MAX_MOMENTS, momentNodes, momentOrder, nodesToCells, STENCIL, stateGridFor } from './stateGrid.js';
import { KERNEL_MAX_CLASSES, kernelsFor, type PoolKernels } from './wasm/poolKernels.js';

/**
 * Taylor terms (Δ¹..Δ³) of a running coupon's dependence on its fixing state; the Δ⁰ term does not depend on the fixing
 * state and is folded into the pool's main grid function. A pool's node table for another backend (nodeTable) has one
 * grid function and these three coefficients per fixing group.
 */
export const RUNNING_SLOPES = 3;

/**
 * A running coupon compounded in arrears (an overnight index; legs.ts): H(o_s) and H(o_e) of its observation period
 * (o_s, o_e] and the last grid index whose date is before o_e. Its index part on a path at grid date t after its fixing
 * grid date t_j is the growth over (o_s, min(t, o_e)] as the state x_j projects it, P(t_j, o_s|x_j)/P(t_j, min(t, o_e)|x_j),
 * then P(t, p|x_t)/P(t, min(t, o_e)|x_t) to its payment p (module comment): a term coupon whose end is min(t, o_e)
 * until o_e, so that its class's δ = H(min(t, o_e)) − H(o_s) and the end in its constants move with the date.
 */
export interface CompoundedTerms {
  hs: number;
  he: number;
  lastBefore: number;
}
/** A term coupon's CompoundedTerms: none. */
const TERM_COUPON: CompoundedTerms = { hs: NaN, he: NaN, lastBefore: -1 };

/**
 * Largest z = max|a|·GRID_CENTRE·h (a the rates of a function's terms e^{−a·x}, h the grid step) at which a pool's
 * device table is given as Taylor moments (CurrencyPool.buildMoments): the device's f32 Horner sum then errs by at
 * most about (4k + 2)·u·Σ_m |M_m|·|y|^m, within a small factor of the node values' own f32 rounding (e^{2z} where the
 * terms alternate).
 */
export const DEVICE_MOMENT_SPAN = 1;

let momentSpan = DEVICE_MOMENT_SPAN;
/** The span in force (DEVICE_MOMENT_SPAN unless set): pools and CDS pools give moments up to it. */
export function deviceMomentSpan(): number {
  return momentSpan;
}
/**
 * Sets the span up to which device tables are given as moments in this thread (tests: 0 gives node values everywhere,
 * so that both forms are checked on the device); the default is DEVICE_MOMENT_SPAN.
 */
export function setDeviceMomentSpan(span: number): void {
  momentSpan = span;
}

/** One pool's grid functions at one date (CurrencyPool.nodeTable). */
export interface PoolNodeTable {
  /** The state the grid function is of: an LGM state (layout.currencies index, default) or a credit state (a CDS pool, layout.creditNames index). */
  irIndex: number;
  state?: 'ir' | 'credit';
  /** FX factor of the pool's currency, −1 for the base currency. */
  fxIndex: number;
  x0: number;
  h: number;
  nodes: Float64Array;
  /** Per fixing group q: its grid function T_q (GRID_NODES values from q·GRID_NODES). */
  runNodes: Float64Array;
  /** Per fixing group: the grid index j of its fixing state (Δ = x_t − x_j). */
  groupFix: Int32Array;
  /** Per fixing group: c1, c2, c3 (from 3q): the group adds T_q(x)·Δ·(c1 + Δ·(c2 + Δ·c3)). */
  groupCoef: Float64Array;
  /**
   * 0: `nodes` and each group's GRID_NODES values of `runNodes` are the grid functions' values at the nodes x0 + g·h.
   * k ≥ 1: they hold, in their first k values, each function's Taylor moments about the grid's centre x_c = x0 +
   * GRID_CENTRE·h, f(x_c + y) = Σ_{m<k} M_m·y^m (stateGrid.ts momentNodes gives the node values), the rest unused: the
   * device expands them (a rate pool whose flows allow the moment form, stateGrid.ts momentOrder).
   */
  order: number;
  /**
   * With moments (order ≥ 1): Σ_k |term_k(x_c)|·e^z over the function's exponential terms (z = max|a|·GRID_CENTRE·h),
   * a bound on Σ_k |term_k(x)| over the grid, to which the moments' truncation (stateGrid.ts momentOrder: 1e-15) and
   * f64 rounding are relative; 0 with node values.
   */
  momentScale: number;
  /**
   * A pool valued only on some paths (a physically settled swaption's underlying after expiry), those where it was
   * exercised (swaption.ts exerciseMask): the state at the exercise time drawn from the Brownian bridge between the grid
   * states at `index` and `next`, X = m + sd·z with m = x_index + weight·(x_next − x_index) and z the path's exercise
   * draw (exerciseDraws.ts, stream `stream`), the pool counts where X lies in one of the open intervals (ends may be
   * ±Infinity); with sd = 0 (the exercise on a grid date, weight 0 and next = index) where x_index does.
   */
  mask?: ExerciseMask;
}

/** The exercise of a physically settled swaption, per path (PoolNodeTable.mask). */
export interface ExerciseMask {
  readonly index: number;
  readonly next: number;
  readonly weight: number;
  readonly sd: number;
  readonly intervals: Float64Array;
  /** The Philox stream of the trade's exercise draw (exerciseDraws.ts; read only where sd > 0). */
  readonly stream: number;
  /** ζ at the exercise less ζ at `index` (0 on a grid date): the coupons fixing on the drawn state fix at that ζ. */
  readonly gap: number;
}

/** An option-like part of a trade evaluated on the grid nodes of its currency (a swaption before expiry). */
export interface NodeTerm {
  readonly tradeIndex: number;
  /** Adds the trade's value at the grid nodes x0 + g·h (currency units, undeflated); false when not alive at d. */
  addNodes(d: number, x0: number, h: number, nodes: Float64Array): boolean;
  /** The last grid index at which addNodes may add anything (a swaption's option regime ends before its expiry). */
  readonly lastIndex: number;
}

/**
 * The Euler pass's node weights, power sums and cell moments of a pool (one buffer, zeroed), by the pool's
 * fixing-slot capacity (runSize = capacity × GRID_NODES).
 */
interface EulerScratch {
  powerSums: Float64Array;
  powerSums2: Float64Array;
  nodeWeights: Float64Array;
  nodeWeights2: Float64Array;
  runWeights: Float64Array;
  runWeights2: Float64Array;
  moments: Float64Array;
  moments2: Float64Array;
  runMoments: Float64Array;
  runMoments2: Float64Array;
}

function eulerScratch(runSize: number): EulerScratch {
  const runMomentSize = (runSize / GRID_NODES) * CELL_BLOCK;
  const all = new Float64Array(2 * MAX_MOMENTS + 2 * GRID_NODES + 2 * runSize + 2 * CELL_BLOCK + 2 * runMomentSize);
  let at = 0;
  const take = (n: number): Float64Array => all.subarray(at, (at += n));
  return {
    powerSums: take(MAX_MOMENTS),
    powerSums2: take(MAX_MOMENTS),
    nodeWeights: take(GRID_NODES),
    nodeWeights2: take(GRID_NODES),
    runWeights: take(runSize),
    runWeights2: take(runSize),
    moments: take(CELL_BLOCK),
    moments2: take(CELL_BLOCK),
    runMoments: take(runMomentSize),
    runMoments2: take(runMomentSize),
  };
}

export class CurrencyPoolBuilder {
  readonly flowH: number[] = [];
  readonly flowAmp: number[] = [];
  readonly flowLast: number[] = [];
  readonly flowTrade: number[] = [];
  readonly runHs: number[] = [];
  readonly runHe: number[] = [];
  readonly runAmp: number[] = [];
  readonly runFixConst: number[] = [];
  readonly runFix: number[] = [];
  readonly runLast: number[] = [];
  readonly runTrade: number[] = [];
  /**
   * Per running coupon compounded in arrears (an overnight index): H of its observation period's start and end, and the
   * last grid index before that end (CompoundedTerms); NaN, NaN, −1 for a term coupon.
   */
  readonly runCompHs: number[] = [];
  readonly runCompHe: number[] = [];
  readonly runCompLast: number[] = [];
  readonly terms: NodeTerm[] = [];
  lastIndex = -1;
  /**
   * Whether the running coupons pushed next, when they fix on grid index 0 (x = 0 on every path), join the main
   * function exactly (FOLDED), as a swap's do; false (legs.ts) for an exercised swaption's underlying's coupons fixing
   * after today and before the first grid date, which fix on the state drawn at an exercise in that step: a fixing
   * group of index 0 of their own (addFixingShift). Recorded per coupon (runUnfolded).
   */
  foldAsOfFixings = true;
  readonly runUnfolded: number[] = [];

  constructor(
    readonly irIndex: number,
    readonly fxIndex: number,
    readonly lgm: LgmOnGrid,
  ) {}

  /** amount·P(t, T) while the grid date is on or before `lastIndex`; T in years. */
  addBond(tradeIndex: number, timeYears: number, amount: number, lastIndex: number): void {
    if (lastIndex < 0 || amount === 0) return;
    this.pushBond(tradeIndex, this.lgm.model.H(timeYears), amount * this.lgm.model.discount(timeYears), lastIndex);
  }

  /** A flow as addBond stores it: H(T) and amount·P(0, T) (the replay of a recorded leg, compile.ts LegRecord). */
  pushBond(tradeIndex: number, h: number, amp: number, lastIndex: number): void {
    this.flowH.push(h);
    this.flowAmp.push(amp);
    this.flowLast.push(lastIndex);
    this.flowTrade.push(tradeIndex);
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  /**
   * The fixing-dependent part of a float coupon after its fixing grid date j: notionalBeta·P(t_j,s|x_j)/P(t_j,e|x_j)
   * paid at e, for grid dates j < d <= lastIndex (s and e in years).
   */
  addRunning(tradeIndex: number, s: number, e: number, notionalBeta: number, fixIndex: number, lastIndex: number, compounded?: CompoundedTerms): void {
    if (lastIndex <= fixIndex || notionalBeta === 0) return;
    const model = this.lgm.model;
    const hs = model.H(s);
    const he = model.H(e);
    const c = compounded ?? TERM_COUPON;
    this.pushRunning(tradeIndex, hs, he, notionalBeta * model.discount(s), 0.5 * (he * he - hs * hs) * this.lgm.zeta[fixIndex]!, fixIndex, lastIndex, c.hs, c.he, c.lastBefore);
  }

  /**
   * A running coupon as addRunning stores it: H(s), H(e), its amplitude and fixing constant, and for a coupon compounded
   * in arrears its CompoundedTerms (a recorded leg's replay).
   */
  pushRunning(tradeIndex: number, hs: number, he: number, amp: number, fixConst: number, fixIndex: number, lastIndex: number, compHs = NaN, compHe = NaN, compLast = -1): void {
    this.runUnfolded.push(this.foldAsOfFixings ? 0 : 1);
    this.runCompHs.push(compHs);
    this.runCompHe.push(compHe);
    this.runCompLast.push(compLast);
    this.runHs.push(hs);
    this.runHe.push(he);
    this.runAmp.push(amp);
    this.runFixConst.push(fixConst);
    this.runFix.push(fixIndex);
    this.runLast.push(lastIndex);
    this.runTrade.push(tradeIndex);
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  addTerm(term: NodeTerm, lastIndex: number): void {
    this.terms.push(term);
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  build(nDates: number): CurrencyPool {
    return new CurrencyPool(this, nDates);
  }
}


/**
 * CurrencyPool.prepare's scratch per fixing grid index (classes alive there; the first of its three power slots, −1:
 * none), zeros and −1 between calls. One per thread, shared by its pools, grown to the grid: a pool's own pair was 40%
 * of a pool's bytes, and the GPU backend's figures route builds about 28,000 pools for utb-20k.
 */
interface FixingScratch {
  count: Int32Array;
  slot: Int32Array;
}
function newFixingScratch(nDates: number): FixingScratch {
  return { count: new Int32Array(nDates), slot: new Int32Array(nDates).fill(-1) };
}
let fixingScratch = newFixingScratch(0);

/** A running coupon's slot when it is fixed at grid index 0: its function is the main function's (assignSlots). */
const FOLDED = -2;

/** A class's Taylor coefficients of e^{−δΔ} = 1 + Δ·(c1 + Δ·(c2 + Δ·c3)) + O(Δ⁴): c1 = −δ, c2 = c1²/2, c3 = c2·c1/3. */
function setTaylor(coef: Float64Array, c: number, negDelta: number): void {
  const c2 = (negDelta * negDelta) / 2;
  coef[3 * c] = negDelta;
  coef[3 * c + 1] = c2;
  coef[3 * c + 2] = (c2 * negDelta) / 3;
}

/** Consecutive views of one typed array of a known total length (CurrencyPool's arrays). */
class Carve<T extends Float64Array | Int32Array> {
  private at = 0;
  constructor(private readonly all: T) {}
  /** The next n elements (zeros). */
  take(n: number): T {
    const view = this.all.subarray(this.at, this.at + n) as T;
    this.at += n;
    return view;
  }
  /** The next values.length elements, holding values. */
  of(values: readonly number[]): T {
    const view = this.take(values.length);
    for (let i = 0; i < values.length; i++) view[i] = values[i]!;
    return view;
  }
  /** Checks that every element was taken (the total was right). */
  done(): void {
    if (this.at !== this.all.length) throw new XvaInternalError(`a rate pool carved ${this.at} of ${this.all.length} elements`);
  }
}

export class CurrencyPool {
  readonly irIndex: number;
  readonly fxIndex: number;
  readonly lastIndex: number;
  private readonly lgm: LgmOnGrid;
  private readonly fH: Float64Array;
  private readonly fHalfH2: Float64Array;
  private readonly fAmp: Float64Array;
  private readonly fLast: Int32Array;
  private readonly fTrade: Int32Array;
  // The same flows merged by (time, last alive index) across trades: what valueAt tabulates.
  private readonly mH: Float64Array;
  private readonly mHalfH2: Float64Array;
  private readonly mAmp: Float64Array;
  private readonly mLast: Int32Array;
  private readonly rHs: Float64Array;
  private readonly rHalfHe2: Float64Array;
  private readonly rAmp: Float64Array;
  private readonly rFixConst: Float64Array;
  private readonly rFix: Int32Array;
  private readonly rLast: Int32Array;
  private readonly rTrade: Int32Array;
  /** Per coupon compounded in arrears its CompoundedTerms (rCompLast −1: a term coupon). */
  private readonly rCompHs: Float64Array;
  private readonly rCompHe: Float64Array;
  private readonly rCompLast: Int32Array;
  private readonly terms: readonly NodeTerm[];
  /**
   * terms.length, read by the hot paths instead of the array: an empty list and a list of terms are arrays of two
   * maps, and buildNodes' optimized code bailed out on the one it had not seen hundreds of times per run.
   */
  private readonly termCount: number;
  // Scratch, allocated once.
  private readonly spec: Float64Array;
  private readonly nodes: Float64Array;
  private readonly moments: Float64Array;
  /** One running coupon's node values or moments, before spreadCoupon adds them to its functions. */
  private readonly couponSeries: Float64Array;
  private readonly runNodes: Float64Array;
  /**
   * Per coupon its fixing class (its fixing index and δ, or for coupons compounded in arrears its fixing index and
   * observation period); per class its Taylor coefficients (c1, c2, c3), those of a compounded class set at each date by
   * prepare (their δ moves with the date: CompoundedTerms), with its CompoundedTerms (classCompLast −1: a term class).
   */
  private readonly rClass: Int32Array;
  private readonly classCoef: Float64Array;
  private readonly classCompHs: Float64Array;
  private readonly classCompHe: Float64Array;
  private readonly classCompLast: Int32Array;
  /**
   * Per fixing class its slot at the current date (−1: none); per slot its fixing index, state offset and
   * coefficients; per coupon whether its fixing index is in the power form (1) or its class has its own slot (0).
   * (Per fixing index its classes alive and the first of its three power slots: the thread's fixingScratch.)
   */
  private readonly slotOf: Int32Array;
  private readonly groupFix: Int32Array;
  private readonly groupOff: Int32Array;
  private readonly groupCoef: Float64Array;
  private readonly runSlope: Int32Array;
  private readonly runSlot: Int32Array;
  /**
   * The running coupons in runs (k from runStart[r] to runStart[r + 1]) along which both the fixing index and the last
   * index never decrease (a leg's coupons in schedule order): the coupons alive at d (rFix < d ≤ rLast) are then one
   * range of each run, found by two binary searches, instead of a pass over every coupon of the pool per date (a
   * quarterly leg has one or two of its forty coupons running at a date). Empty when the runs are too short to pay.
   */
  private readonly runStart: Int32Array;
  /** The coupons alive at the date of the last prepare, ascending (aliveCount of them); their runSlot is theirs, every other −1. */
  private readonly alive: Int32Array;
  private aliveCount = 0;
  private readonly runW: Float64Array;
  private readonly runLogW: Float64Array;
  private readonly runRate: Float64Array;
  /**
   * Euler: node weights of the first and second weight vectors (main function, then one function per fixing class) and
   * their moments, made on the pass's first use (accumulateTradeWeighted): the GPU backend's pools, one per trade of
   * the figures route, never use them, and zeroing them was two thirds of each pool's memory.
   */
  private euler: EulerScratch | undefined;
  /** Fixing classes' capacity (at one date) × GRID_NODES. */
  private readonly runSize: number;
  // Option terms' node values of each date, kept from valueAt for the Euler pass at the same date and paths (the
  // same numbers recomputed would be the same bits; keeping them halves the option work). Allocated on first use.
  private termCache = new Float64Array(0);
  private termAlive = new Uint8Array(0);
  private termX0 = new Float64Array(0);
  private termStep = new Float64Array(0);
  private termPaths: SimulatedPaths | null = null;
  /** Grid dates the option terms' cache covers: 0 .. the latest term's last index. */
  private readonly termDates: number;
  private readonly nDates: number;
  // Kept by addValues(keep = true) for accumulateTradeWeighted at the same date and paths: the state of prepare() at
  // that date (keptDate −1: nothing kept).
  private keptDate = -1;
  private keptPaths: SimulatedPaths | null = null;
  private keptGroups = 0;
  /** Per fixing class: 1 when its coupons fixing on grid index 0 keep a slot (CurrencyPoolBuilder.foldAsOfFixings false). */
  private readonly classUnfolded: Uint8Array;

  constructor(b: CurrencyPoolBuilder, nDates: number) {
    this.irIndex = b.irIndex;
    this.fxIndex = b.fxIndex;
    this.lastIndex = b.lastIndex;
    this.lgm = b.lgm;
    this.nDates = nDates;
    // merged by (H, last index), in order of first appearance: one map of H to its first merged flow, the merged flows
    // of one H chained (sameH). Not a map per H: pools are built per trade too (about 28,000 for utb-20k on the GPU
    // backend's figures route), and a map per flow time was an eighth of the bytes a worker allocated for its tables.
    const firstOfH = new Map<number, number>();
    const sameH: number[] = [];
    const mH: number[] = [];
    const mAmp: number[] = [];
    const mLast: number[] = [];
    for (let k = 0; k < b.flowH.length; k++) {
      const hk = b.flowH[k]!;
      const lastK = b.flowLast[k]!;
      let at = firstOfH.get(hk) ?? -1;
      let prev = -1;
      while (at >= 0 && mLast[at] !== lastK) {
        prev = at;
        at = sameH[at]!;
      }
      if (at >= 0) {
        mAmp[at] += b.flowAmp[k]!;
      } else {
        const added = mH.length;
        mH.push(hk);
        mAmp.push(b.flowAmp[k]!);
        mLast.push(lastK);
        sameH.push(-1);
        if (prev >= 0) sameH[prev] = added;
        else firstOfH.set(hk, added);
      }
    }
    const nF = b.flowH.length;
    const nM = mH.length;
    const nR = b.runHs.length;
    // fixing classes: the coupons' distinct (fixing index, δ) pairs, and (fixing index, observation period) of the
    // coupons compounded in arrears (key 2 the period's H(o_e), +∞ for a term coupon), numbered in order of first appearance
    const classOf = new Int32Array(b.runFix.length);
    const classFix: number[] = [];
    const classNegDelta: number[] = [];
    const classKey2: number[] = [];
    const classCompLast: number[] = [];
    const classLast: number[] = [];
    const classUnfolded: number[] = [];
    {
      // one map of fixing index to its first class, the classes of one fixing index chained (as the flows above)
      const firstOfFix = new Map<number, number>();
      const sameFix: number[] = [];
      for (let k = 0; k < b.runFix.length; k++) {
        const j = b.runFix[k]!;
        const compounded = b.runCompLast[k]! >= 0;
        const negDelta = compounded ? b.runCompHs[k]! : -(b.runHe[k]! - b.runHs[k]!);
        const key2 = compounded ? b.runCompHe[k]! : Infinity;
        const unfolded = b.runUnfolded[k]!;
        let c = firstOfFix.get(j) ?? -1;
        let prev = -1;
        while (c >= 0 && (classNegDelta[c] !== negDelta || classKey2[c] !== key2 || classUnfolded[c] !== unfolded)) {
          prev = c;
          c = sameFix[c]!;
        }
        if (c < 0) {
          c = classFix.length;
          classFix.push(j);
          classNegDelta.push(negDelta);
          classKey2.push(key2);
          classCompLast.push(compounded ? b.runCompLast[k]! : -1);
          classLast.push(b.runLast[k]!);
          classUnfolded.push(unfolded);
          sameFix.push(-1);
          if (prev >= 0) sameFix[prev] = c;
          else firstOfFix.set(j, c);
        } else if (b.runLast[k]! > classLast[c]!) classLast[c] = b.runLast[k]!;
        classOf[k] = c;
      }
    }
    const nC = classFix.length;
    const maxGroups = Math.max(maxActiveIntervals(classFix, classLast, nDates), 1);
    const runSize = maxGroups * GRID_NODES;
    // Every array of the pool is a view of one ArrayBuffer (doubles, then ints): a typed array of more than 64 bytes is
    // allocated outside V8's heap, about 2-4 µs each on the 2-core machine against 50 ns for a view, and the GPU
    // backend's figures route builds a pool per trade (about 27,000 for utb-20k), each with some 35 arrays.
    const nReals = 3 * nF + 3 * nM + 9 * nR + 2 + 2 * GRID_NODES + MAX_MOMENTS + runSize + 5 * nC + 3 * maxGroups;
    // runs of coupons with non-decreasing fixing and last indices (see runStart), used when they are at least 4 long
    let nRuns = nR > 0 ? 1 : 0;
    for (let k = 1; k < nR; k++) if (b.runFix[k]! < b.runFix[k - 1]! || b.runLast[k]! < b.runLast[k - 1]!) nRuns++;
    const runStarts = nRuns > 0 && nR >= 4 * nRuns ? nRuns + 1 : 0;
    const nInts = 2 * nF + nM + 8 * nR + 2 * nC + 2 * maxGroups + runStarts;
    const memory = new ArrayBuffer(8 * nReals + 4 * nInts);
    const reals = new Carve(new Float64Array(memory, 0, nReals));
    const ints = new Carve(new Int32Array(memory, 8 * nReals, nInts));
    this.fH = reals.of(b.flowH);
    this.fHalfH2 = reals.take(nF);
    for (let k = 0; k < nF; k++) this.fHalfH2[k] = 0.5 * this.fH[k]! * this.fH[k]!;
    this.fAmp = reals.of(b.flowAmp);
    this.fLast = ints.of(b.flowLast);
    this.fTrade = ints.of(b.flowTrade);
    this.mH = reals.of(mH);
    this.mHalfH2 = reals.take(nM);
    for (let k = 0; k < nM; k++) this.mHalfH2[k] = 0.5 * this.mH[k]! * this.mH[k]!;
    this.mAmp = reals.of(mAmp);
    this.mLast = ints.of(mLast);
    this.rHs = reals.of(b.runHs);
    this.rHalfHe2 = reals.take(nR);
    for (let k = 0; k < nR; k++) {
      const he = b.runHe[k]!;
      this.rHalfHe2[k] = 0.5 * he * he;
    }
    this.rAmp = reals.of(b.runAmp);
    this.rFixConst = reals.of(b.runFixConst);
    this.rFix = ints.of(b.runFix);
    this.rLast = ints.of(b.runLast);
    this.rTrade = ints.of(b.runTrade);
    this.rCompHs = reals.of(b.runCompHs);
    this.rCompHe = reals.of(b.runCompHe);
    this.rCompLast = ints.of(b.runCompLast);
    this.rClass = ints.take(nR);
    this.rClass.set(classOf);
    this.classCoef = reals.take(3 * nC);
    this.classCompHs = reals.take(nC);
    this.classCompHe = reals.take(nC);
    this.classCompLast = ints.of(classCompLast);
    this.classUnfolded = Uint8Array.from(classUnfolded);
    for (let c = 0; c < nC; c++) {
      if (classCompLast[c]! >= 0) {
        // a compounded class: its coefficients at its period's end until prepare sets those of a date
        this.classCompHs[c] = classNegDelta[c]!;
        this.classCompHe[c] = classKey2[c]!;
        setTaylor(this.classCoef, c, -(classKey2[c]! - classNegDelta[c]!));
      } else setTaylor(this.classCoef, c, classNegDelta[c]!);
    }
    this.terms = b.terms.slice();
    this.termCount = this.terms.length;
    this.termDates = Math.min(nDates, this.terms.reduce((m, t) => Math.max(m, t.lastIndex + 1), 0));
    this.spec = reals.take(2);
    this.nodes = reals.take(GRID_NODES);
    this.moments = reals.take(MAX_MOMENTS);
    this.couponSeries = reals.take(GRID_NODES);
    this.runNodes = reals.take(runSize);
    this.runSize = runSize;
    this.runW = reals.take(nR);
    this.runLogW = reals.take(nR);
    this.runRate = reals.take(nR);
    this.slotOf = ints.take(nC).fill(-1);
    this.groupFix = ints.take(maxGroups);
    this.groupOff = ints.take(maxGroups);
    this.groupCoef = reals.take(3 * maxGroups);
    this.runSlope = ints.take(nR);
    this.runSlot = ints.take(nR).fill(-1);
    this.alive = ints.take(nR);
    this.runStart = ints.take(runStarts);
    if (runStarts > 0) {
      let r = 0;
      for (let k = 0; k < nR; k++) if (k === 0 || b.runFix[k]! < b.runFix[k - 1]! || b.runLast[k]! < b.runLast[k - 1]!) this.runStart[r++] = k;
      this.runStart[r] = nR;
    }
    reals.done();
    ints.done();
  }

  /**
   * The grid of date d and the per-coupon amplitudes of running coupons; returns the number of fixing classes alive
   * at d (their slots, in order of first appearance). Running coupon k active at d gets runSlot[k] >= 0 (its class's
   * slot; FOLDED when fixed at grid index 0), runW[k] (amplitude of e^{−runRate[k]·x}) and runRate[k]; slot q has groupFix[q] = the class's fixing index,
   * groupOff[q] = the offset of its fixing-date states (groupFix[q]·n) and groupCoef[3q..3q+3) its Taylor coefficients.
   */
  private prepare(d: number, xs: Float64Array, n: number): number {
    stateGridFor(xs, d * n, n, this.spec);
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const { rFix, rClass, slotOf, alive, runSlot } = this;
    if (fixingScratch.count.length < this.nDates) fixingScratch = newFixingScratch(this.nDates);
    const fixCount = fixingScratch.count;
    const fixSlot = fixingScratch.slot;
    // the last date's coupons back to no slot (every other has none), then this date's
    for (let i = 0; i < this.aliveCount; i++) runSlot[alive[i]!] = -1;
    const count = (this.aliveCount = this.aliveAt(d));
    try {
      return this.assignSlots(d, n, fixCount, fixSlot, invP, zt, halfHt2z, Ht);
    } finally {
      // the scratch back to zeros and −1 for the next call, of any pool (also after an internal error)
      for (let i = 0; i < count; i++) {
        const k = alive[i]!;
        slotOf[rClass[k]!] = -1;
        fixCount[rFix[k]!] = 0;
        fixSlot[rFix[k]!] = -1;
      }
    }
  }

  /** Writes the coupons alive at d (rFix < d ≤ rLast) into `alive`, ascending; returns their count. */
  private aliveAt(d: number): number {
    const { rFix, rLast, alive, runStart } = this;
    let count = 0;
    if (runStart.length === 0) {
      for (let k = 0; k < rFix.length; k++) if (rFix[k]! < d && rLast[k]! >= d) alive[count++] = k;
      return count;
    }
    for (let r = 0; r + 1 < runStart.length; r++) {
      const end = runStart[r + 1]!;
      // the first coupon of the run with rLast ≥ d, then the first from there with rFix ≥ d: the alive ones lie between
      let lo = runStart[r]!;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rLast[mid]! < d) lo = mid + 1;
        else hi = mid;
      }
      const first = lo;
      hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rFix[mid]! < d) lo = mid + 1;
        else hi = mid;
      }
      for (let k = first; k < lo; k++) alive[count++] = k;
    }
    return count;
  }

  /** prepare's slots, with the thread's fixing scratch (zeros and −1 on entry; the caller restores them). */
  private assignSlots(d: number, n: number, fixCount: Int32Array, fixSlot: Int32Array, invP: number, zt: number, halfHt2z: number, Ht: number): number {
    const { rFix, rClass, classCoef, slotOf, groupFix, groupOff, groupCoef, runSlot, runSlope, runW, runLogW, runRate, alive } = this;
    const { classCompLast, classCompHs, classCompHe } = this;
    const count = this.aliveCount;
    // The classes alive at d, counted per fixing index (slotOf −2: seen); a compounded class's coefficients for date d:
    // δ = H(min(t, o_e)) − H(o_s) (CompoundedTerms).
    for (let i = 0; i < count; i++) {
      const k = alive[i]!;
      const j = rFix[k]!;
      const c = rClass[k]!;
      if (slotOf[c] === -1) {
        slotOf[c] = -2;
        if (j > 0 || this.classUnfolded[c] === 1) fixCount[j]!++;
        const compLast = classCompLast[c]!;
        if (compLast >= 0) setTaylor(classCoef, c, -((d <= compLast ? Ht : classCompHe[c]!) - classCompHs[c]!));
      }
    }
    // Slots: a fixing index with one or two classes alive gets a slot per class (its function T and coefficients); one
    // with three or more gets three consecutive slots for the Taylor powers Δ¹, Δ², Δ³ (coefficients (1,0,0), (0,1,0),
    // (0,0,1)), whose functions are Σ_k c_m(δ_k)·T_k, valued together as Δ·(c1 + Δ·(c2 + Δ·c3)) of the three (the loops
    // know a triple by its first c1 = 1: a class's c1 = −δ is negative), whatever the number of classes.
    let groups = 0;
    const capacity = groupFix.length;
    for (let i = 0; i < count; i++) {
      const k = alive[i]!;
      const j = rFix[k]!;
      const c = rClass[k]!;
      let slot: number;
      if (j === 0 && this.classUnfolded[c] === 0) {
        // fixed at the as-of date, where x = 0 on every path: Δ = x_t, and e^{−δΔ} joins the coupon's own function
        // exactly (below), which the main function takes (an overnight coupon fixed on or before today, legs.ts)
        slot = FOLDED;
        runSlope[k] = 0;
      } else if (fixCount[j]! >= RUNNING_SLOPES) {
        slot = fixSlot[j]!;
        if (slot < 0) {
          slot = groups;
          groups += RUNNING_SLOPES;
          if (groups > capacity) throw new XvaInternalError(`a rate pool has more than ${capacity} fixing-class slots active at grid date ${d}`);
          fixSlot[j] = slot;
          for (let m = 0; m < RUNNING_SLOPES; m++) {
            groupFix[slot + m] = j;
            groupOff[slot + m] = j * n;
            for (let i = 0; i < 3; i++) groupCoef[3 * (slot + m) + i] = i === m ? 1 : 0;
          }
        }
        runSlope[k] = 1;
      } else {
        slot = slotOf[c]!;
        if (slot < 0) {
          slot = groups++;
          if (groups > capacity) throw new XvaInternalError(`a rate pool has more than ${capacity} fixing-class slots active at grid date ${d}`);
          slotOf[c] = slot;
          groupFix[slot] = j;
          groupOff[slot] = j * n;
          groupCoef[3 * slot] = classCoef[3 * c]!;
          groupCoef[3 * slot + 1] = classCoef[3 * c + 1]!;
          groupCoef[3 * slot + 2] = classCoef[3 * c + 2]!;
        }
        runSlope[k] = 0;
      }
      runSlot[k] = slot;
      runW[k] = this.rAmp[k]! * invP;
      if (this.rCompLast[k]! < 0) runLogW[k] = this.rFixConst[k]! - this.rHalfHe2[k]! * zt + halfHt2z;
      else {
        // compounded in arrears: the end H(e) of its constants is he = H(s) + δ of date d (the class's −c1), so that
        // amp·e^{fixConst} = w·e^{½(he² − H(s)²)·ζ_j} stays its fixing bond's (CompoundedTerms, legs.ts)
        const he = this.rHs[k]! - classCoef[3 * rClass[k]!]!;
        const zj = this.lgm.zeta[rFix[k]!]!;
        runLogW[k] = this.rFixConst[k]! - this.rHalfHe2[k]! * zj + 0.5 * he * he * (zj - zt) + halfHt2z;
      }
      runRate[k] = this.rHs[k]! - Ht;
      if (slot === FOLDED) runRate[k] -= classCoef[3 * c]!;
    }
    return groups;
  }

  /** Moment order for the flows alive at d on a grid of step h (MAX_MOMENTS + 1: use the recurrence). */
  private flowOrder(d: number, fH: Float64Array, fLast: Int32Array, h: number): number {
    const Ht = this.lgm.H[d]!;
    let aMax = 0;
    for (let k = 0; k < fH.length; k++) {
      if (fLast[k]! < d) continue;
      const a = Math.abs(fH[k]! - Ht);
      if (a > aMax) aMax = a;
    }
    return momentOrder(aMax * GRID_CENTRE * h);
  }

  /**
   * Option terms' node values at date d on the grid (x0, h), from the cache when valueAt already made them; false when
   * d is past every term's last date (no row for it: none is alive).
   */
  private termValues(d: number, paths: SimulatedPaths, x0: number, h: number): boolean {
    const nTerms = this.termCount;
    if (this.termCache.length === 0) {
      // dates up to the terms' last live one only (a 1-year swaption on a 30-year grid: a 30th of nDates; the cache
      // was most of what a pool allocated)
      const cached = this.termDates;
      this.termCache = new Float64Array(cached * nTerms * GRID_NODES);
      this.termAlive = new Uint8Array(cached * nTerms);
      this.termX0 = new Float64Array(cached);
      this.termStep = new Float64Array(cached);
    }
    if (d >= this.termDates) return false;
    if (this.termPaths !== paths) {
      this.termStep.fill(0);
      this.termPaths = paths;
    }
    if (this.termStep[d] === h && this.termX0[d] === x0 && h > 0) return true;
    const cache = this.termCache;
    for (let i = 0; i < nTerms; i++) {
      const at = (d * nTerms + i) * GRID_NODES;
      cache.fill(0, at, at + GRID_NODES);
      this.termAlive[d * nTerms + i] = this.terms[i]!.addNodes(d, x0, h, cache.subarray(at, at + GRID_NODES)) ? 1 : 0;
    }
    this.termX0[d] = x0;
    this.termStep[d] = h;
    return true;
  }

  /**
   * Tabulates the pooled flows, running-coupon Taylor functions and (withTerms) option terms of date d on the grid.
   */
  private buildNodes(d: number, groups: number, paths: SimulatedPaths, withTerms = true): void {
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    const nodes = this.nodes;
    nodes.fill(0);
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const { mH, mHalfH2, mAmp, mLast } = this;
    const order = this.flowOrder(d, mH, mLast, h);
    if (order > MAX_MOMENTS) {
      for (let k = 0; k < mH.length; k++) {
        if (mLast[k]! < d) continue;
        // P(t,T,x0)·amount in one exponential: P(0,T)/P(0,t)·e^{−½(H_T²−H_t²)ζ_t − (H_T−H_t)·x0}.
        const rate = mH[k]! - Ht;
        addExponential(mAmp[k]! * invP, rate, x0, h, nodes, 0, halfHt2z - mHalfH2[k]! * zt);
      }
    } else {
      // Moment form (stateGrid.ts momentOrder): M_m = Σ_k A_k·P-part at the centre·(−a_k)^m/m!, nodes by Horner.
      const moments = this.moments;
      moments.fill(0, 0, order);
      const xc = x0 + GRID_CENTRE * h;
      for (let k = 0; k < mH.length; k++) {
        if (mLast[k]! < d) continue;
        const rate = mH[k]! - Ht;
        let term = mAmp[k]! * invP * Math.exp(halfHt2z - mHalfH2[k]! * zt - rate * xc);
        moments[0] += term;
        for (let m = 1; m < order; m++) {
          term *= -rate / m;
          moments[m] += term;
        }
      }
      for (let g = 0; g < GRID_NODES; g++) {
        const y = (g - GRID_CENTRE) * h;
        let v = moments[order - 1]!;
        for (let m = order - 2; m >= 0; m--) v = v * y + moments[m]!;
        nodes[g] += v;
      }
    }
    const runNodes = this.runNodes;
    runNodes.fill(0, 0, groups * GRID_NODES);
    const { runW, runLogW, runRate, couponSeries, alive } = this;
    // the coupons alive at d (prepare's list, ascending: the order of a pass over every coupon)
    for (let i = 0; i < this.aliveCount; i++) {
      const k = alive[i]!;
      // the coupon's function at the nodes, by the ratio e^{−a·h}
      let v = runW[k]! * Math.exp(runLogW[k]! - runRate[k]! * x0);
      const ratio = Math.exp(-runRate[k]! * h);
      for (let g = 0; g < GRID_NODES; g++) {
        couponSeries[g] = v;
        v *= ratio;
      }
      this.spreadCoupon(k, GRID_NODES);
    }
    if (withTerms && this.termCount > 0 && this.termValues(d, paths, x0, h)) {
      const nTerms = this.termCount;
      const cache = this.termCache;
      for (let i = 0; i < nTerms; i++) {
        if (this.termAlive[d * nTerms + i] === 0) continue;
        const at = (d * nTerms + i) * GRID_NODES;
        for (let g = 0; g < GRID_NODES; g++) nodes[g] += cache[at + g]!;
      }
    }
  }

  /**
   * The grid functions of buildNodes(withTerms = false) at date d as Taylor moments about the grid's centre x_c (the
   * first k values of `nodes` and of each group's slot of `runNodes`), when every flow and running coupon alive allows
   * the moment form on this grid (stateGrid.ts momentOrder over the largest |a| of its terms e^{−a·x}); returns k, or
   * 0 when it does not (then nothing is written). prepare(d) must have run. The main function's moments are those of
   * buildNodes' moment form plus the running coupons' Δ⁰ parts; a group's are its coupons' (× c1, c2, c3 for a power
   * triple), each term A·e^{−a·(x_c + y)} = A·e^{−a·x_c}·Σ_m (−a)^m/m!·y^m.
   * Why: a device evaluates the k-term polynomial at the 64 nodes itself, so the host does k multiply-adds a term
   * instead of 64 and packs k values a function instead of 64 (GPU backend, bench/README.md). Only where z = max|a|·
   * GRID_CENTRE·h ≤ DEVICE_MOMENT_SPAN: the device sums the polynomial in f32, whose rounding is relative to
   * Σ_m |M_m|·|y|^m, and that exceeds the function's own size by up to e^{2z} where the terms alternate (large z).
   */
  private buildMoments(d: number, groups: number): number {
    const h = this.spec[1]!;
    const Ht = this.lgm.H[d]!;
    const { mH, mHalfH2, mAmp, mLast, runRate, runW, runLogW, alive } = this;
    const aliveCount = this.aliveCount;
    let aMax = 0;
    for (let k = 0; k < mH.length; k++) {
      if (mLast[k]! < d) continue;
      const a = Math.abs(mH[k]! - Ht);
      if (a > aMax) aMax = a;
    }
    for (let i = 0; i < aliveCount; i++) {
      const a = Math.abs(runRate[alive[i]!]!);
      if (a > aMax) aMax = a;
    }
    const z = aMax * GRID_CENTRE * h;
    // span 0: node values everywhere, also for a pool whose terms all sit at z = 0 (e.g. nothing alive but a payment at t)
    if (momentSpan <= 0 || z > momentSpan) return 0;
    const order = momentOrder(z);
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const xc = this.spec[0]! + GRID_CENTRE * h;
    const nodes = this.nodes;
    nodes.fill(0, 0, order);
    let size = 0;
    for (let k = 0; k < mH.length; k++) {
      if (mLast[k]! < d) continue;
      const rate = mH[k]! - Ht;
      let term = mAmp[k]! * invP * Math.exp(halfHt2z - mHalfH2[k]! * zt - rate * xc);
      size += Math.abs(term);
      nodes[0] += term;
      for (let m = 1; m < order; m++) {
        term *= -rate / m;
        nodes[m] += term;
      }
    }
    const runNodes = this.runNodes;
    for (let q = 0; q < groups; q++) runNodes.fill(0, q * GRID_NODES, q * GRID_NODES + order);
    const couponSeries = this.couponSeries;
    for (let i = 0; i < aliveCount; i++) {
      const k = alive[i]!;
      // the coupon's function as moments about the centre
      const rate = runRate[k]!;
      let term = runW[k]! * Math.exp(runLogW[k]! - rate * xc);
      size += Math.abs(term);
      couponSeries[0] = term;
      for (let m = 1; m < order; m++) {
        term *= -rate / m;
        couponSeries[m] = term;
      }
      this.spreadCoupon(k, order);
    }
    this.momentScale = size * Math.exp(z);
    return order;
  }

  /**
   * Adds running coupon k's function, couponSeries[0 .. count) (its node values or its moments: the rule is linear),
   * to the main function and to its slots: e^{−δΔ} = 1 + Δ·(c1 + Δ·(c2 + Δ·c3)), the 1 to the main function, the
   * coupon's function to its class's slot, or times c1, c2, c3 to its fixing index's three power slots.
   */
  private spreadCoupon(k: number, count: number): void {
    const { nodes, runNodes, couponSeries } = this;
    if (this.runSlot[k] === FOLDED) {
      for (let i = 0; i < count; i++) nodes[i] += couponSeries[i]!;
      return;
    }
    const base = this.runSlot[k]! * GRID_NODES;
    if (this.runSlope[k] === 1) {
      const c = this.rClass[k]!;
      const c1 = this.classCoef[3 * c]!;
      const c2 = this.classCoef[3 * c + 1]!;
      const c3 = this.classCoef[3 * c + 2]!;
      for (let i = 0; i < count; i++) {
        const v = couponSeries[i]!;
        nodes[i] += v;
        runNodes[base + i] += c1 * v;
        runNodes[base + GRID_NODES + i] += c2 * v;
        runNodes[base + 2 * GRID_NODES + i] += c3 * v;
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      const v = couponSeries[i]!;
      nodes[i] += v;
      runNodes[base + i] += v;
    }
  }

  /** buildMoments' Σ_k |term_k(x_c)|·e^z of its last call (PoolNodeTable.momentScale). */
  private momentScale = 0;

  /**
   * The pool's grid functions at date d for another backend (the GPU valuation kernel): the grid (x0, h) and node
   * tables addValues would interpolate on these paths, less its option terms (`nodes`: the main function without the
   * swaptions before expiry, which the device values per path from compile.ts legEntries;
   * `runNodes`: per fixing group q its grid function T_q, GRID_NODES values each; `groupFix`: its fixing grid index j,
   * whose state x_j gives Δ = x_t − x_j; `groupCoef`: its Taylor coefficients (c1, c2, c3), so that the group adds
   * T_q(x)·Δ·(c1 + Δ·(c2 + Δ·c3)): a fixing class's own coefficients, or a power triple's unit vectors). The pool's
   * own object with views of its scratch, valid until its next nodeTable or valuation call (callers copy what they
   * keep); null when the pool is dead at d.
   * Read only with respect to the pool's results: addValues gives the same numbers before and after.
   */
  nodeTable(d: number, paths: SimulatedPaths): PoolNodeTable | null {
    if (d > this.lastIndex) return null;
    this.keptDate = -1;
    const groups = this.prepare(d, paths.irState[this.irIndex]!, paths.nPaths);
    // without the option terms (swaptions before expiry): the device values them per path (compile.ts legEntries); as
    // moments where the flows allow (the device expands them: wgsl/value.ts), else as node values
    const order = this.buildMoments(d, groups);
    if (order === 0) this.buildNodes(d, groups, paths, false);
    // The groups as the pool values them (one function a group, its coefficients beside it): views per group count,
    // made once (a set's trades ask for their tables at every exposure date), no copies.
    let views = this.tableViews[groups];
    if (!views) {
      this.tableViews[groups] = views = {
        runNodes: this.runNodes.subarray(0, groups * GRID_NODES),
        groupFix: this.groupFix.subarray(0, groups),
        groupCoef: this.groupCoef.subarray(0, RUNNING_SLOPES * groups),
      };
    }
    // one answer object per pool, rewritten by each call (as its arrays are): no object and boxed x0, h per table
    const table = (this.table ??= { irIndex: this.irIndex, fxIndex: this.fxIndex, x0: Number.NaN, h: Number.NaN, nodes: this.nodes, ...views, order: 0, momentScale: 0 });
    table.order = order;
    table.momentScale = order > 0 ? this.momentScale : 0;
    table.x0 = this.spec[0]!;
    table.h = this.spec[1]!;
    table.runNodes = views.runNodes;
    table.groupFix = views.groupFix;
    table.groupCoef = views.groupCoef;
    return table;
  }

  /** Whether a running coupon fixing on the state of grid index `fixIndex` is alive at d (fixed before d, not yet paid). */
  hasFixingAt(d: number, fixIndex: number): boolean {
    if (d > this.lastIndex || fixIndex >= d) return false;
    const { rFix, rLast } = this;
    for (let k = 0; k < rFix.length; k++) if (rFix[k] === fixIndex && rLast[k]! >= d) return true;
    return false;
  }

  /**
   * The log-growth per unit of ζ of fixing group `slot`'s coupons when their fixing state is read at a later ζ, after
   * prepare(d): a coupon's forward P(ζ; s)/P(ζ; e) in the state carries ½(H(e)² − H(s)²)·ζ (addRunning's fixing
   * constant, with ζ of its fixing grid date), so read at ζ_j + gap it is e^{a·gap} times more, a = ½(H(e)² − H(s)²) =
   * δ·(H(s) + δ/2), δ = −c1 its class's (an overnight coupon's end moving with the date: CompoundedTerms). 0 for a slot
   * of a fixing index's power triple (several classes: not given a growth).
   */
  private slotGrowth(slot: number): number {
    const { alive, runSlot, runSlope, rClass, classCoef, rHs } = this;
    for (let i = 0; i < this.aliveCount; i++) {
      const k = alive[i]!;
      if (runSlot[k] !== slot || runSlope[k] !== 0) continue;
      const c1 = classCoef[3 * rClass[k]!]!;
      return -c1 * rHs[k]! + 0.5 * c1 * c1;
    }
    return 0;
  }

  /**
   * After a nodeTable(d) call: each fixing group of index `fixIndex` read at ζ_j + gap instead of ζ_j, in the table
   * itself: its Taylor coefficients times κ = e^{a·gap} (slotGrowth) and (κ − 1)·T_q added to the main function, so
   * that a reader taking those groups' fixing state from the drawn state values T_q(x)·κ·(1 + g(x − X)), as
   * addFixingShift does, each group with its own κ (compile.ts ExercisedSwaption.nodeTable, for the device).
   */
  applyFixingGrowth(fixIndex: number, gap: number): void {
    const table = this.table;
    if (table === undefined || gap === 0) return;
    const { groupFix, groupCoef, runNodes, nodes, order } = table;
    const width = order > 0 ? order : GRID_NODES;
    for (let q = 0; q < groupFix.length; q++) {
      if (groupFix[q] !== fixIndex) continue;
      const kappa = Math.exp(this.slotGrowth(q) * gap);
      if (kappa === 1) continue;
      for (let i = 0; i < width; i++) nodes[i] += (kappa - 1) * runNodes[q * GRID_NODES + i]!;
      for (let m = 0; m < RUNNING_SLOPES; m++) groupCoef[RUNNING_SLOPES * q + m] *= kappa;
    }
  }

  /**
   * out[p] += the change in the pool's value at date d on path p (base currency) when its fixing groups whose state is
   * grid index fixOf[p] read instead the state xFix[p] at ζ_j + gap[p] (fixOf[p] = −1: none): each such group's
   * T_q(x)·[e^{a_q·gap}·(1 + g_q(x − xFix)) − (1 + g_q(x − x_j))]·FX, g_q(Δ) = Δ·(c1 + Δ·(c2 + Δ·c3)), a_q its
   * slotGrowth, T_q on the pool's node table as the device reads it (moments expanded to node values, the 6-point
   * stencil). For an exercised swaption's underlying whose first coupons fix between the grid dates around its exercise:
   * on the state drawn for the exercise (compile.ts ExercisedSwaption, bermudan.ts), as the device substitutes it
   * (wgsl/value.ts).
   */
  addFixingShift(d: number, paths: SimulatedPaths, fixOf: Int32Array, xFix: Float64Array, gap: Float64Array, out: Float64Array, fxLevels: FxLevels): void {
    const table = this.nodeTable(d, paths);
    if (table === null) return;
    const { groupFix, groupCoef, runNodes, order, x0, h } = table;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const off = d * n;
    const fx = fxLevels.of(this.fxIndex, d, paths);
    const fn = (this.shiftNodes ??= new Float64Array(GRID_NODES));
    const invH = 1 / h;
    for (let q = 0; q < groupFix.length; q++) {
      const j = groupFix[q]!;
      let any = false;
      for (let p = 0; p < n && !any; p++) any = fixOf[p] === j;
      if (!any) continue;
      if (order > 0) momentNodes(runNodes, q * GRID_NODES, order, h, fn, 0);
      else fn.set(runNodes.subarray(q * GRID_NODES, (q + 1) * GRID_NODES));
      const c1 = groupCoef[RUNNING_SLOPES * q]!;
      const c2 = groupCoef[RUNNING_SLOPES * q + 1]!;
      const c3 = groupCoef[RUNNING_SLOPES * q + 2]!;
      const growth = this.slotGrowth(q);
      const offFix = j * n;
      for (let p = 0; p < n; p++) {
        if (fixOf[p] !== j) continue;
        const x = xs[off + p]!;
        const s = (x - x0) * invH;
        let c = Math.floor(s);
        if (c < 2) c = 2;
        else if (c > GRID_NODES - 4) c = GRID_NODES - 4;
        const t = lagrange6(fn, c - 2, s - c);
        const a = x - xFix[p]!;
        const b = x - xs[offFix + p]!;
        const shifted = Math.exp(growth * gap[p]!) * (1 + a * (c1 + a * (c2 + a * c3)));
        out[p] += t * (shifted - 1 - b * (c1 + b * (c2 + b * c3))) * (fx === null ? 1 : fx[p]!);
      }
    }
  }

  private shiftNodes: Float64Array | undefined;

  /** The TypeScript valuation's cell polynomials of the main table and of the fixing slots' (nodesToCells). */
  private cellTable: Float64Array | undefined;
  private runCellTable: Float64Array | undefined;
  private readonly tableViews: ({ runNodes: Float64Array; groupFix: Int32Array; groupCoef: Float64Array } | undefined)[] = [];
  private table: PoolNodeTable | undefined;

  /**
   * This thread's WebAssembly kernels when they can run this call: the states, the FX levels and the output (when
   * given) in their memory and at most KERNEL_MAX_CLASSES fixing classes; else undefined (the TypeScript loops).
   */
  private kernelsOn(xs: Float64Array, n: number, groups: number, fx: Float64Array | null, out: Float64Array | undefined): PoolKernels | undefined {
    const kernels = kernelsFor(xs, n);
    if (kernels === undefined || groups > KERNEL_MAX_CLASSES) return undefined;
    if ((fx !== null && fx.buffer !== kernels.buffer) || (out !== undefined && out.buffer !== kernels.buffer)) return undefined;
    return kernels;
  }

  /**
   * out[p] += the pool's value at date d on path p, in the base currency (FX levels of the call's `fxLevels`). With
   * `keep` (the TypeScript loops), the date's fixing-class slots are kept for accumulateTradeWeighted at the same date
   * and paths (the engine's Euler allocation right after the valuation of an exposure date), which then need not
   * prepare them again.
   */
  addValues(d: number, paths: SimulatedPaths, out: Float64Array, fxLevels: FxLevels, keep = false): void {
    this.keptDate = -1;
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const groups = this.prepare(d, xs, n);
    this.buildNodes(d, groups, paths);
    const x0 = this.spec[0]!;
    const invH = 1 / this.spec[1]!;
    const { nodes, runNodes, groupOff, groupCoef } = this;
    const fx = fxLevels.of(this.fxIndex, d, paths);
    const off = d * n;
    const kernels = this.kernelsOn(xs, n, groups, fx, out);
    if (kernels !== undefined) {
      // the WebAssembly loop (wasm/poolKernels.ts): the same operations, so the same bits
      kernels.nodes.set(nodes);
      kernels.run.set(runNodes.subarray(0, groups * GRID_NODES));
      kernels.coef.set(this.groupCoef.subarray(0, 3 * groups));
      for (let q = 0; q < groups; q++) kernels.groupRows[q] = 8 * (groupOff[q]! - off);
      kernels.values(n, xs.byteOffset + 8 * off, groups, fx === null ? 0 : fx.byteOffset, out.byteOffset, x0, invH);
      return;
    }
    // The node tables' cell polynomials (stateGrid.ts nodesToCells): a path's value on its cell is Σ_m a_m·u^m.
    const cells = (this.cellTable ??= new Float64Array(CELL_BLOCK));
    const runCells = (this.runCellTable ??= new Float64Array((this.runSize / GRID_NODES) * CELL_BLOCK));
    nodesToCells(nodes, 0, cells, 0);
    for (let q = 0; q < groups; q++) nodesToCells(runNodes, q * GRID_NODES, runCells, q * CELL_BLOCK);
    const cMax = GRID_NODES - 4;
    const F = CELL_BLOCK;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      const sPos = (x - x0) * invH;
      // Every path lies in nodes 2 .. G−3 (stateGridFor), so sPos > 0 and truncation is the floor; clamped for rounding.
      let c = sPos | 0;
      c = c < 2 ? 2 : c > cMax ? cMax : c;
      const u = sPos - c;
      const u2 = u * u;
      const u3 = u2 * u;
      const u4 = u2 * u2;
      const u5 = u4 * u;
      const b = STENCIL * (c - 2);
      let v = cells[b]! + u * cells[b + 1]! + u2 * cells[b + 2]! + u3 * cells[b + 3]! + u4 * cells[b + 4]! + u5 * cells[b + 5]!;
      for (let q = 0, i = b; q < groups; ) {
        const delta = x - xs[groupOff[q]! + p]!;
        if (groupCoef[3 * q] === 1) {
          // a power triple (c1 = 1 marks it: a class's c1 = −δ < 0): Δ·(c1 + Δ·(c2 + Δ·c3)) of its three functions
          const i2 = i + F;
          const i3 = i2 + F;
          const c1 = runCells[i]! + u * runCells[i + 1]! + u2 * runCells[i + 2]! + u3 * runCells[i + 3]! + u4 * runCells[i + 4]! + u5 * runCells[i + 5]!;
          const c2 = runCells[i2]! + u * runCells[i2 + 1]! + u2 * runCells[i2 + 2]! + u3 * runCells[i2 + 3]! + u4 * runCells[i2 + 4]! + u5 * runCells[i2 + 5]!;
          const c3 = runCells[i3]! + u * runCells[i3 + 1]! + u2 * runCells[i3 + 2]! + u3 * runCells[i3 + 3]! + u4 * runCells[i3 + 4]! + u5 * runCells[i3 + 5]!;
          v += delta * (c1 + delta * (c2 + delta * c3));
          q += RUNNING_SLOPES;
          i += RUNNING_SLOPES * F;
          continue;
        }
        // a class: its function T at x times Δ·(c1 + Δ·(c2 + Δ·c3))
        const t = runCells[i]! + u * runCells[i + 1]! + u2 * runCells[i + 2]! + u3 * runCells[i + 3]! + u4 * runCells[i + 4]! + u5 * runCells[i + 5]!;
        v += t * (delta * (groupCoef[3 * q]! + delta * (groupCoef[3 * q + 1]! + delta * groupCoef[3 * q + 2]!)));
        q++;
        i += F;
      }
      out[p] += fx === null ? v : fx[p]! * v;
    }
    if (keep) {
      this.keptDate = d;
      this.keptPaths = paths;
      this.keptGroups = groups;
    }
  }

  /**
   * out[trade] += Σ_p weights[p]·V_trade(d, p) for every trade of the pool (Euler allocation), and the same with
   * weights2 into out2 when given, in one pass over the paths: the path weights are first gathered on the grid nodes
   * (W_g = Σ_p weights_p·FX_p·L_g(x_p), and per fixing class weighted by the class's Δ·(c1 + Δ·(c2 + Δ·c3)) for its
   * running coupons), then each flow's grid values are dotted with them. Exact with respect to addValues up to rounding.
   */
  accumulateTradeWeighted(
    d: number,
    paths: SimulatedPaths,
    weights: Float64Array,
    out: Float64Array,
    weights2: Float64Array | undefined,
    out2: Float64Array | undefined,
    fxLevels: FxLevels,
  ): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    // What addValues(keep) kept at this date and paths (prepare's state is still that date's: nothing ran between).
    const kept = this.keptDate === d && this.keptPaths === paths;
    if (!kept) this.keptDate = -1; // prepare() below moves the state to date d
    const groups = kept ? this.keptGroups : this.prepare(d, xs, n);
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    const invH = 1 / h;
    const two = weights2 !== undefined && out2 !== undefined;
    const euler = (this.euler ??= eulerScratch(this.runSize));
    const { groupOff, groupCoef } = this;
    let { nodeWeights: nw, nodeWeights2: nw2, runWeights: rw, runWeights2: rw2 } = euler;
    let { moments: mw, moments2: mw2, runMoments: mrw, runMoments2: mrw2 } = euler;
    const momentSize = groups * CELL_BLOCK;
    const fx = fxLevels.of(this.fxIndex, d, paths);
    const off = d * n;
    const G = GRID_NODES;
    // The path weights gathered as cell moments Σ_p a_p·u_p^m (m = 0..5, u_p the path's position in its cell), then
    // turned into node weights W_g = Σ_p a_p·L_g(x_p) (stateGrid.ts cellMomentsToNodes): powers of u per path instead
    // of the six Lagrange products. The WebAssembly scatter (wasm/poolKernels.ts) when the path weights are in its
    // memory (the netting set's kernel copies them there once per call): the same operations in the same path order,
    // so the same moments.
    const kernels = this.kernelsOn(xs, n, groups, fx, undefined);
    const onKernels = kernels !== undefined && weights.buffer === kernels.buffer && (!two || weights2.buffer === kernels.buffer);
    if (onKernels) ({ nw: mw, nw2: mw2, rw: mrw, rw2: mrw2 } = kernels);
    mw.fill(0);
    mrw.fill(0, 0, momentSize);
    if (two || onKernels) {
      mw2.fill(0);
      mrw2.fill(0, 0, momentSize);
    }
    if (onKernels) {
      kernels.coef.set(groupCoef.subarray(0, 3 * groups));
      for (let q = 0; q < groups; q++) kernels.groupRows[q] = 8 * (groupOff[q]! - off);
      kernels.scatter(n, xs.byteOffset + 8 * off, groups, fx === null ? 0 : fx.byteOffset, two, x0, invH);
    }
    const cMax = GRID_NODES - 4;
    for (let p = 0; p < n && !onKernels; p++) {
      const wa = weights[p]!;
      const wb = two ? weights2[p]! : 0;
      if (wa === 0 && wb === 0) continue;
      const fxp = fx === null ? 1 : fx[p]!;
      const a = wa * fxp;
      const a2 = wb * fxp;
      const x = xs[off + p]!;
      const sPos = (x - x0) * invH;
      // Every path lies in nodes 2 .. G−3 (stateGridFor), so sPos > 0 and truncation is the floor; clamped for rounding.
      let c = sPos | 0;
      c = c < 2 ? 2 : c > cMax ? cMax : c;
      const u = sPos - c;
      const u2 = u * u;
      const u3 = u2 * u;
      const u4 = u2 * u2;
      const u5 = u4 * u;
      const b = STENCIL * (c - 2);
      // The EPE and ENE weights of a path are rarely both non-zero (V > 0 or V < 0): gather each side's moments only
      // when its weight is non-zero (adding 0 would change nothing), halving the scatter work.
      for (let side = 0; side < 2; side++) {
        const coef = side === 0 ? a : a2;
        if (coef === 0) continue;
        const ms = side === 0 ? mw : mw2;
        const rms = side === 0 ? mrw : mrw2;
        ms[b] += coef;
        ms[b + 1] += coef * u;
        ms[b + 2] += coef * u2;
        ms[b + 3] += coef * u3;
        ms[b + 4] += coef * u4;
        ms[b + 5] += coef * u5;
        for (let q = 0, i = b; q < groups; ) {
          const delta = x - xs[groupOff[q]! + p]!;
          // a power triple: Δ, Δ², Δ³ onto its three functions' moments; a class: Δ·(c1 + Δ·(c2 + Δ·c3)) onto its one
          const power = groupCoef[3 * q] === 1;
          const slots = power ? RUNNING_SLOPES : 1;
          let dm = power ? coef * delta : coef * (delta * (groupCoef[3 * q]! + delta * (groupCoef[3 * q + 1]! + delta * groupCoef[3 * q + 2]!)));
          for (let m = 0; m < slots; m++, i += CELL_BLOCK) {
            rms[i] += dm;
            rms[i + 1] += dm * u;
            rms[i + 2] += dm * u2;
            rms[i + 3] += dm * u3;
            rms[i + 4] += dm * u4;
            rms[i + 5] += dm * u5;
            dm *= delta;
          }
          q += slots;
        }
      }
    }
    if (onKernels) {
      // the node weights made of the moments in the kernels' memory (the same operations as cellMomentsToNodes)
      kernels.nodeWeights(groups, two);
      ({ nwOut: nw, nw2Out: nw2, rwOut: rw, rw2Out: rw2 } = kernels);
    } else {
      nw.fill(0);
      cellMomentsToNodes(mw, 0, nw, 0);
      rw.fill(0, 0, groups * G);
      for (let q = 0; q < groups; q++) cellMomentsToNodes(mrw, q * CELL_BLOCK, rw, q * G);
    }
    if (two && !onKernels) {
      nw2.fill(0);
      cellMomentsToNodes(mw2, 0, nw2, 0);
      rw2.fill(0, 0, groups * G);
      for (let q = 0; q < groups; q++) cellMomentsToNodes(mrw2, q * CELL_BLOCK, rw2, q * G);
    }
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const { fH, fHalfH2, fAmp, fLast, fTrade } = this;
    const order = this.flowOrder(d, fH, fLast, h);
    if (order <= MAX_MOMENTS) {
      // Moment form: Σ_g W_g·A·e^{−a(x_c + y_g)} = A·e^{−a·x_c}·Σ_m (−a)^m/m!·μ_m, μ_m = Σ_g W_g·y_g^m.
      const { powerSums: mu, powerSums2: mu2 } = euler;
      mu.fill(0, 0, order);
      mu2.fill(0, 0, order);
      for (let g = 0; g < G; g++) {
        const y = (g - GRID_CENTRE) * h;
        let pw = nw[g]!;
        let pw2 = nw2[g]!;
        for (let m = 0; m < order; m++) {
          mu[m] += pw;
          mu2[m] += pw2;
          pw *= y;
          pw2 *= y;
        }
      }
      const xc = x0 + GRID_CENTRE * h;
      for (let k = 0; k < fH.length; k++) {
        if (fLast[k]! < d) continue;
        const rate = fH[k]! - Ht;
        let term = fAmp[k]! * invP * Math.exp(halfHt2z - fHalfH2[k]! * zt - rate * xc);
        let s1 = term * mu[0]!;
        let s2 = term * mu2[0]!;
        for (let m = 1; m < order; m++) {
          term *= -rate / m;
          s1 += term * mu[m]!;
          s2 += term * mu2[m]!;
        }
        out[fTrade[k]!] += s1;
        if (two) out2[fTrade[k]!] += s2;
      }
    }
    for (let k = 0; k < fH.length && order > MAX_MOMENTS; k++) {
      if (fLast[k]! < d) continue;
      const rate = fH[k]! - Ht;
      let v = fAmp[k]! * invP * Math.exp(halfHt2z - fHalfH2[k]! * zt - rate * x0);
      const ratio = Math.exp(-rate * h);
      let s1 = 0;
      let s2 = 0;
      if (two) {
        for (let g = 0; g < G; g++) {
          s1 += nw[g]! * v;
          s2 += nw2[g]! * v;
          v *= ratio;
        }
        out2[fTrade[k]!] += s2;
      } else {
        for (let g = 0; g < G; g++) {
          s1 += nw[g]! * v;
          v *= ratio;
        }
      }
      out[fTrade[k]!] += s1;
    }
    const { runSlot, runSlope, rClass, classCoef, runW, runLogW, runRate, rTrade } = this;
    for (let k = 0; k < runSlot.length; k++) {
      const slot = runSlot[k]!;
      if (slot === -1) continue;
      // the coupon's grid function against the main node weights (its Δ⁰ term) plus its class's (the Δ-terms), or
      // c1, c2, c3 times its fixing index's three power weights; a coupon fixed at grid index 0 against the main ones alone
      const base = slot * G;
      let v = runW[k]! * Math.exp(runLogW[k]! - runRate[k]! * x0);
      const ratio = Math.exp(-runRate[k]! * h);
      let s1 = 0;
      let s2 = 0;
      if (slot === FOLDED) {
        for (let g = 0; g < G; g++) {
          s1 += v * nw[g]!;
          if (two) s2 += v * nw2[g]!;
          v *= ratio;
        }
      } else if (runSlope[k] === 1) {
        const c = rClass[k]!;
        const c1 = classCoef[3 * c]!;
        const c2 = classCoef[3 * c + 1]!;
        const c3 = classCoef[3 * c + 2]!;
        for (let g = 0, i = base; g < G; g++, i++) {
          s1 += v * (nw[g]! + c1 * rw[i]! + c2 * rw[i + G]! + c3 * rw[i + 2 * G]!);
          if (two) s2 += v * (nw2[g]! + c1 * rw2[i]! + c2 * rw2[i + G]! + c3 * rw2[i + 2 * G]!);
          v *= ratio;
        }
      } else {
        for (let g = 0, i = base; g < G; g++, i++) {
          s1 += v * (nw[g]! + rw[i]!);
          if (two) s2 += v * (nw2[g]! + rw2[i]!);
          v *= ratio;
        }
      }
      out[rTrade[k]!] += s1;
      if (two) out2[rTrade[k]!] += s2;
    }
    const nTerms = this.termCount;
    if (nTerms > 0 && this.termValues(d, paths, x0, h)) {
      const cache = this.termCache;
      for (let i = 0; i < nTerms; i++) {
        if (this.termAlive[d * nTerms + i] === 0) continue;
        const at = (d * nTerms + i) * G;
        let s1 = 0;
        let s2 = 0;
        for (let g = 0; g < G; g++) {
          s1 += nw[g]! * cache[at + g]!;
          if (two) s2 += nw2[g]! * cache[at + g]!;
        }
        const t = this.terms[i]!.tradeIndex;
        out[t] += s1;
        if (two) out2[t] += s2;
      }
    }
  }
}

let activeScratch = new Int32Array(0);

/**
 * The most intervals (fix[i], last[i]] (grid indices) that contain one grid date: a rate pool's fixing classes alive
 * at one date (CurrencyPool.prepare), each class an interval from its fixing index to its latest coupon's last index.
 * The pool's running-coupon scratch is sized by it.
 */
export function maxActiveIntervals(fix: readonly number[], last: readonly number[], nDates: number): number {
  if (activeScratch.length < nDates + 1) activeScratch = new Int32Array(nDates + 1);
  const diff = activeScratch;
  diff.fill(0, 0, nDates + 1);
  let any = false;
  for (let i = 0; i < fix.length; i++) {
    const j = fix[i]!;
    const end = Math.min(last[i]!, nDates - 1);
    if (end <= j) continue;
    diff[Math.max(j + 1, 0)]!++;
    diff[end + 1]!--;
    any = true;
  }
  if (!any) return 0;
  let active = 0;
  let most = 0;
  for (let d = 0; d < nDates; d++) {
    active += diff[d]!;
    if (active > most) most = active;
  }
  return most;
}
