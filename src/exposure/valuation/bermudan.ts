/**
 * A Bermudan swaption on paths (pricing/bermudan.ts has the product and the backward induction). Compiled once per
 * set: the lattice of the Bermudan's LGM rolled back over the exercise dates to every grid date up to the last
 * exercise, so the value on a path that has not exercised is the lattice's V(t_d, x) = N(t_d, x)·v(t_d, x) read at the
 * path's state (4-point Lagrange on the lattice's nodes); at t = 0 (x = 0, a node) it is today's price. Without a
 * swaption surface that LGM is the engine's own (one lattice); with one it is the deal's, calibrated to its co-terminal
 * Europeans (pricing/bermudanCalibration.ts), re-anchored at each grid date on the engine's state: the variance up to
 * t_d the engine's, the increments after it the deal's (inductions at anchor dates a year apart, interpolated in
 * between; see the constructor), as a European's remaining variance is matched to its price (swaption.ts).
 *
 * Exercise, per path and once per paths object: on exercise date E_k the holder exercises when the swap it enters is
 * worth more than the continuation, u_k(X) > c_k(X) (u exact, c from the lattice), X the state at E_k, the first such
 * k. On a grid date X is the path's state there. Between grid dates t_e < E_k < t_{e+1} X is not simulated: given
 * x_e and x_{e+1} it is the Brownian bridge N(m, s²) of the state, and the path draws X = m + s·z (z its exercise draw
 * for k, exerciseDraws.ts), so that each path holds either swap k or the option, never a blend: a later exercise in the
 * same step bridges from the state drawn for the one before to x_{e+1} (exact for a Brownian motion in ζ). The
 * exercise region (the intervals of X where u_k > c_k) is found once on the lattice's nodes. Before the thirty-ninth
 * session the decision read x_e itself, a stale state (test/bermudan.test.ts shows what that lost); in that session a
 * path held a share q_k = P(X in the region | x_e, x_{e+1}) of swap k and 1 − q_k of the continuation, right in the
 * mean but not inside max(V, 0): a lone Bermudan's ENE between exercises was 12-59% low, a European netted with a swap
 * 7-26% (test/bermudan.test.ts against a grid that holds the exercise dates). A path's value is then V(t, x) while
 * alive, or swap k once exercised at E_k: from its first accrual start S_k on, swap k is every coupon of the underlying
 * still to be paid (the underlying's pool, its floating coupons fixing on the paths as a swap's, those fixing before
 * the grid date after a bridged E_k on the state drawn there: ratePool.ts addFixingShift); between E_k and S_k (the
 * notice) the bonds of swap k, none of them fixed yet. Values in the base currency (× the path's FX level), signed by
 * direction.
 */
import type { Market } from '../../market/types.js';
import type { Swaption } from '../../products/types.js';
import { bermudanLattice, exerciseSwaps, rollBack, stateNodes, type ExerciseSwap, type StateNodes } from '../../pricing/bermudan.js';
import { dealCalibration } from '../../pricing/bermudanCalibration.js';
import type { LgmModel } from '../../simulation/models/lgm/parameters.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { exerciseNormals, exerciseStream } from './exerciseDraws.js';
import { FxLevels } from './fxLevels.js';
import { lastIndexOnOrBefore, type LgmOnGrid } from './model.js';
import type { PathTrade } from './options.js';
import type { CurrencyPool } from './ratePool.js';

/** 4-point Lagrange interpolation of node values at x (uniform nodes; the outer cells use the nearest four nodes). */
function cubicOnNodes(nodes: StateNodes, v: Float64Array, x: number): number {
  const n = v.length;
  const f = x / nodes.h + nodes.half;
  let k = Math.floor(f);
  if (k < 1) k = 1;
  else if (k > n - 3) k = n - 3;
  const t = f - k;
  const a = v[k - 1]!;
  const b = v[k]!;
  const c = v[k + 1]!;
  const d = v[k + 2]!;
  return (-t * (t - 1) * (t - 2) * a) / 6 + ((t + 1) * (t - 1) * (t - 2) * b) / 2 - ((t + 1) * t * (t - 2) * c) / 2 + ((t + 1) * t * (t - 1) * d) / 6;
}

/**
 * Most years between two dates at which the re-anchored deal model's backward induction is run exactly (between them
 * its values after the exercise choice are interpolated in the anchoring shift c).
 */
const ANCHOR_SPACING_YEARS = 1;

export class BermudanOnPaths implements PathTrade {
  readonly lastIndex: number;
  private readonly sign: number;
  private readonly swaps: ExerciseSwap[];
  /** Per exercise: the nodes of the lattice its decision reads (continuation[k] is on them). */
  private readonly continuationNodes: StateNodes[];
  /** Per grid date to the last exercise: the value's nodes (every other one of its lattice's). */
  private readonly valueGrids: StateNodes[];
  /** Undeflated V(t_d, x_j) (holder's side, trade currency) for d = 0..lastExerciseIndex. */
  private readonly valueNodes: Float64Array[];
  /** Per exercise: the continuation c_k(x) (deflated) at its decision date. */
  private readonly continuation: Float64Array[];
  private readonly exerciseIndex: Int32Array;
  private readonly lastExerciseIndex: number;
  /** Per grid date: the exercise it falls on (t_d = E_k: the value there is max(u_k, c_k), exact u, not interpolated across the kink), else −1. */
  private readonly exerciseOnDate: Int32Array;
  /** Per exercise: the swap's deflated bonds at the lattice's ζ(E_k) (weights P(0,T)·c, H, ½H²ζ). */
  private readonly exerciseTerms: { weight: Float64Array; H: Float64Array; half: Float64Array }[];
  /**
   * Per exercise: the bridge from its decision grid index to the next (next = the same index, weight 0, sd 0 on a grid
   * date: the state there decides) and the intervals of the state at E_k where u_k > c_k (ends may be ±Infinity).
   */
  private readonly bridge: { next: number; weight: number; sd: number; intervals: Float64Array; chained: boolean; gap: number }[];
  /** The Philox stream of the trade's exercise draws (exerciseDraws.ts). */
  private readonly stream: number;
  /** Per path: the exercise it takes (the first whose decision pays), or −1 (never). */
  private taken = new Int32Array(0);
  /** Per path: the state drawn for the last exercise decided between grid dates (a chained bridge starts there). */
  private drawnState = new Float64Array(0);
  private normals = new Float64Array(0);
  /** Per exercise: whether its drawn state fixes coupons of the underlying alive at the date being valued. */
  private readonly shifted: Uint8Array;
  /** Per path the grid index whose coupons fix on its drawn state at the date being valued, or −1, and ζ there less ζ at that index. */
  private fixOf = new Int32Array(0);
  private gapOf = new Float64Array(0);
  private decidedPaths: SimulatedPaths | null = null;
  private decidedCount = 0;
  private row = new Float64Array(0);
  private readonly fxLevels = new FxLevels();

  constructor(
    readonly tradeIndex: number,
    trade: Swaption,
    market: Market,
    private readonly grid: TimeGrid,
    private readonly lgm: LgmOnGrid,
    private readonly irIndex: number,
    private readonly fxIndex: number,
    private readonly underlying: CurrencyPool,
  ) {
    // the deal's own LGM where the market has a surface (pricing/bermudanCalibration.ts), else the engine's
    const deal = dealCalibration(trade, market, lgm.model)?.model;
    const model = deal ?? lgm.model;
    this.sign = trade.direction === 'buy' ? 1 : -1;
    this.stream = exerciseStream(trade.tradeId);
    this.swaps = exerciseSwaps(trade, market, model);
    this.shifted = new Uint8Array(this.swaps.length);
    this.exerciseIndex = Int32Array.from(this.swaps, (s) => lastIndexOnOrBefore(grid.dates, s.exerciseDate));
    this.lastExerciseIndex = this.exerciseIndex[this.exerciseIndex.length - 1]!;
    const dates = this.lastExerciseIndex + 1;
    const valueTimes = Array.from(grid.times.subarray(0, dates));
    this.valueGrids = new Array<StateNodes>(dates);
    const deflated = new Array<Float64Array>(dates);
    this.continuationNodes = new Array<StateNodes>(this.swaps.length);
    this.continuation = new Array<Float64Array>(this.swaps.length);
    const exerciseZeta = new Float64Array(this.swaps.length);
    if (deal === undefined) {
      // the engine's model: one lattice serves every date
      const lattice = bermudanLattice(model, this.swaps, valueTimes);
      for (let d = 0; d < dates; d++) {
        this.valueGrids[d] = lattice.valueNodes;
        deflated[d] = lattice.values[d]!;
      }
      this.swaps.forEach((_, k) => {
        this.continuationNodes[k] = lattice.nodes;
        this.continuation[k] = lattice.continuation[k]!;
        exerciseZeta[k] = lattice.exerciseZeta[k]!;
      });
    } else {
      // The deal's model re-anchored at each date on the path's state (as ORE reprices a trade on each simulated
      // market with its model's parameters frozen): up to t_d the variance is the engine's, ζ(t_d), so the path's x is
      // a state of it and N(t_d, x) its numeraire; from t_d on the deal's increments: ζ_d(s) = ζ'(s) + c_d for s ≥ t_d,
      // c_d = ζ(t_d) − ζ'(t_d) (0 at t = 0: the deal's model, today's price). The backward induction depends on c_d
      // only through the exercise values' ½H²(ζ'(E_k) + c_d), smoothly; it is run exactly at t = 0, at a grid date
      // every ANCHOR_SPACING_YEARS and at the last exercise's decision date (the anchors), on one state grid, and a
      // date between two anchors rolls back the values after the exercise choice interpolated linearly in c between
      // theirs, as an exercise decided there reads its continuation (against an exact lattice per date,
      // test/bermudan-deal.test.ts: within 1e-4 of the price, 4.2e-5 measured).
      const shiftAt = (d: number): number => lgm.zeta[d]! - deal.zeta(valueTimes[d]!);
      const lastTime = this.swaps[this.swaps.length - 1]!.exerciseTime;
      // anchors: today, a grid date every ANCHOR_SPACING_YEARS, and the last exercise's decision date
      const anchorDates = [0];
      for (let d = 1; d < dates; d++) {
        if (d === dates - 1 || valueTimes[d]! - valueTimes[anchorDates[anchorDates.length - 1]!]! >= ANCHOR_SPACING_YEARS) anchorDates.push(d);
      }
      let widest = 0;
      for (const d of anchorDates) widest = Math.max(widest, deal.zeta(lastTime) + shiftAt(d));
      const nodes = stateNodes(widest);
      // each anchor's induction covers the exercises from the previous anchor's time on, so that two neighbouring
      // anchors both hold every exercise a date between them may come next to or decide
      let from = 0;
      const anchors = anchorDates.map((d) => {
        const t = valueTimes[d]!;
        const shift = shiftAt(d);
        const anchored: LgmModel = { ...deal, zeta: (z) => deal.zeta(z) + shift };
        const anchor = { d, shift, first: from, lattice: bermudanLattice(anchored, this.swaps.slice(from), [t], nodes) };
        from = Math.max(this.swaps.findIndex((sw) => sw.exerciseTime >= t), 0);
        return anchor;
      });
      // the neighbouring anchors of date d (lo.d < d <= hi.d; d = 0 is anchor 0 itself) and the weight of hi
      const between = (d: number): { lo: (typeof anchors)[number]; hi: (typeof anchors)[number]; w: number } => {
        let b = 0;
        while (anchors[b]!.d < d) b++;
        if (anchors[b]!.d === d) return { lo: anchors[b]!, hi: anchors[b]!, w: 0 };
        const lo = anchors[b - 1]!;
        const hi = anchors[b]!;
        const span = hi.shift - lo.shift;
        return { lo, hi, w: Math.abs(span) > 1e-300 ? (shiftAt(d) - lo.shift) / span : (d - lo.d) / (hi.d - lo.d) };
      };
      const mix = (lo: Float64Array, hi: Float64Array, w: number): Float64Array => {
        if (w === 0) return lo;
        const out = new Float64Array(lo.length);
        for (let j = 0; j < out.length; j++) out[j] = lo[j]! + w * (hi[j]! - lo[j]!);
        return out;
      };
      // an exercise is decided at its last grid date on or before it: the continuation there, interpolated in c
      for (let k = 0; k < this.swaps.length; k++) {
        const d = this.exerciseIndex[k]!;
        const { lo, hi, w } = between(d);
        this.continuationNodes[k] = nodes;
        this.continuation[k] = mix(lo.lattice.continuation[k - lo.first]!, hi.lattice.continuation[k - hi.first]!, w);
        exerciseZeta[k] = deal.zeta(this.swaps[k]!.exerciseTime) + shiftAt(d);
      }
      const valueGrid: StateNodes = { half: nodes.half / 2, h: 2 * nodes.h, x: nodes.x.filter((_, j) => j % 2 === 0) };
      for (let d = 0; d < dates; d++) {
        this.valueGrids[d] = valueGrid;
        const { lo, hi, w } = between(d);
        if (lo === hi) {
          deflated[d] = lo.lattice.values[0]!;
          continue;
        }
        const t = valueTimes[d]!;
        const k = this.swaps.findIndex((sw) => sw.exerciseTime >= t);
        const out = new Float64Array(valueGrid.x.length);
        // v(E_k) = max(u_k, c_k) of the interpolated exercise and continuation values (the continuation the exercise
        // is decided on), its kink held exactly by the roll
        const exercise = mix(lo.lattice.exercise[k - lo.first]!, hi.lattice.exercise[k - hi.first]!, w);
        const continuation = mix(lo.lattice.continuation[k - lo.first]!, hi.lattice.continuation[k - hi.first]!, w);
        const after = exercise.map((value, j) => Math.max(value, continuation[j]!));
        rollBack(nodes, after, Math.sqrt(Math.max(deal.zeta(this.swaps[k]!.exerciseTime) - deal.zeta(t), 0)), out, Math.sqrt(lgm.zeta[d]!), 2, { exercise, continuation });
        deflated[d] = out;
      }
    }
    this.valueNodes = deflated.map((v, d) => {
      // V = v·N(t, x), N(t, x) = e^{H·x + ½H²ζ}/P(0, t): the engine's numeraire (the lattice's ζ at t_d is ζ(t_d))
      const H = lgm.H[d]!;
      const halfVar = 0.5 * H * H * lgm.zeta[d]!;
      const p0 = lgm.discount[d]!;
      const x = this.valueGrids[d]!.x;
      return v.map((value, j) => (value * Math.exp(H * x[j]! + halfVar)) / p0);
    });
    this.exerciseTerms = this.swaps.map((s, k) => {
      const zeta = exerciseZeta[k]!;
      const H = Float64Array.from(s.times, (t) => model.H(t));
      return { weight: Float64Array.from(s.times, (t, i) => s.amounts[i]! * model.discount(t)), H, half: H.map((h) => 0.5 * h * h * zeta) };
    });
    // per exercise: the state's ζ at E_k, clamped to its step (the bridge of a chained exercise starts at the one before)
    const bridgeZeta = new Float64Array(this.swaps.length);
    this.bridge = [];
    this.swaps.forEach((sw, k) => {
      const e = this.exerciseIndex[k]!;
      const hard = { next: e, weight: 0, sd: 0, intervals: new Float64Array(0), chained: false, gap: 0 };
      const ze = lgm.zeta[e]!;
      const zn = e + 1 < grid.dates.length ? lgm.zeta[e + 1]! : ze;
      if (grid.dates[e]! >= sw.exerciseDate || e + 1 >= grid.dates.length || !(zn > ze)) {
        this.bridge.push(hard);
        return;
      }
      const z = Math.min(Math.max(lgm.model.zeta(sw.exerciseTime), ze), zn);
      bridgeZeta[k] = z;
      // the exercise before in the same step: the bridge from the state drawn for it
      const before = k > 0 ? this.bridge[k - 1]! : undefined;
      const chained = before !== undefined && this.exerciseIndex[k - 1] === e && before.next === e + 1;
      const z0 = chained ? bridgeZeta[k - 1]! : ze;
      if (!(zn > z0)) {
        this.bridge.push(hard);
        return;
      }
      const sd = Math.sqrt(Math.max(0, ((z - z0) * (zn - z)) / (zn - z0)));
      this.bridge.push({ next: e + 1, weight: (z - z0) / (zn - z0), sd, intervals: this.exerciseRegion(k), chained, gap: z - ze });
    });
    this.exerciseOnDate = new Int32Array(dates).fill(-1);
    this.swaps.forEach((sw, k) => {
      const d = this.exerciseIndex[k]!;
      if (grid.dates[d] === sw.exerciseDate) this.exerciseOnDate[d] = k;
    });
    this.lastIndex = Math.max(this.lastExerciseIndex, underlying.lastIndex);
  }

  /** u_k(x) − c_k(x), deflated: exercise pays where it is positive. */
  private exerciseGain(k: number, x: number): number {
    const { weight, H, half } = this.exerciseTerms[k]!;
    let u = 0;
    for (let i = 0; i < weight.length; i++) u += weight[i]! * Math.exp(-H[i]! * x - half[i]!);
    return u - cubicOnNodes(this.continuationNodes[k]!, this.continuation[k]!, x);
  }

  /**
   * The open intervals of the state at E_k where exercising pays (u_k > c_k): the sign of the gain on the lattice's
   * nodes, each change refined by bisection on the interpolated continuation; beyond the nodes the end nodes' sign.
   */
  private exerciseRegion(k: number): Float64Array {
    const x = this.continuationNodes[k]!.x;
    const ends: number[] = [];
    let inside = this.exerciseGain(k, x[0]!) > 0;
    if (inside) ends.push(-Infinity);
    for (let j = 1; j < x.length; j++) {
      const now = this.exerciseGain(k, x[j]!) > 0;
      if (now === inside) continue;
      let lo = x[j - 1]!;
      let hi = x[j]!;
      for (let it = 0; it < 80 && hi - lo > 1e-15 * (1 + Math.abs(lo)); it++) {
        const mid = 0.5 * (lo + hi);
        if (this.exerciseGain(k, mid) > 0 === inside) lo = mid;
        else hi = mid;
      }
      ends.push(0.5 * (lo + hi));
      inside = now;
    }
    if (inside) ends.push(Infinity);
    return Float64Array.from(ends);
  }

  /**
   * Each path's exercise, once per paths object: the first k whose state at E_k lies in the exercise region, or −1.
   * On a grid date the state is the path's; between grid dates it is drawn from the bridge (exerciseDraws.ts), the
   * first exercise of a step from the grid states around it, a later one of the same step from the state drawn for
   * the one before and the grid state after (the bridge of a Brownian motion in ζ: exact, not an approximation).
   */
  private decide(paths: SimulatedPaths): void {
    const n = paths.nPaths;
    if (this.decidedPaths === paths && this.decidedCount === n) return;
    if (this.taken.length < n) {
      this.taken = new Int32Array(n);
      this.drawnState = new Float64Array(n);
      this.normals = new Float64Array(n);
    }
    const taken = this.taken;
    const drawn = this.drawnState;
    const z = this.normals;
    taken.fill(-1, 0, n);
    const xs = paths.irState[this.irIndex]!;
    for (let k = 0; k < this.swaps.length; k++) {
      const off = this.exerciseIndex[k]! * n;
      const { next, weight, sd, intervals, chained } = this.bridge[k]!;
      if (sd === 0 && !chained) {
        for (let p = 0; p < n; p++) if (taken[p] === -1 && this.exerciseGain(k, xs[off + p]!) > 0) taken[p] = k;
        continue;
      }
      const offNext = next * n;
      if (sd > 0) exerciseNormals(paths.seed, paths.pathOffset, n, this.stream, k, z, paths.antithetic === true);
      for (let p = 0; p < n; p++) {
        if (taken[p] !== -1) continue;
        // from the grid state before, or (chained) from the state drawn for the exercise before in this step
        const from = chained ? drawn[p]! : xs[off + p]!;
        const x = from + weight * (xs[offNext + p]! - from) + (sd > 0 ? sd * z[p]! : 0);
        drawn[p] = x;
        for (let r = 0; r < intervals.length; r += 2) {
          if (x > intervals[r]! && x < intervals[r + 1]!) {
            taken[p] = k;
            break;
          }
        }
      }
    }
    this.decidedPaths = paths;
    this.decidedCount = n;
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d > this.lastIndex) return false;
    this.decide(paths);
    const n = paths.nPaths;
    const off = d * n;
    const xs = paths.irState[this.irIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const t = this.grid.times[d]!;
    // the exercises decided before d (their decision grid index below d), and whether any has started its swap
    let decided = 0;
    while (decided < this.swaps.length && this.exerciseIndex[decided]! < d) decided++;
    let started = 0; // of those, the ones whose swap has started (a prefix: the swaps start in order)
    while (started < decided && this.swaps[started]!.startTime <= t) started++;
    if (started > 0) {
      if (this.row.length < n) this.row = new Float64Array(n);
      this.row.fill(0, 0, n);
      this.fxLevels.begin();
      this.underlying.addValues(d, paths, this.row, this.fxLevels);
      // the coupons fixing between the grid dates around an exercise decided there: on the state drawn for it, on the
      // paths that took it (as a European's, compile.ts ExercisedSwaption)
      let shift = false;
      for (let k = 0; k < started; k++) {
        const b = this.bridge[k]!;
        this.shifted[k] = (b.sd > 0 || b.chained) && this.underlying.hasFixingAt(d, this.exerciseIndex[k]!) ? 1 : 0;
        if (this.shifted[k] === 1) shift = true;
      }
      if (shift) {
        if (this.fixOf.length < n) {
          this.fixOf = new Int32Array(n);
          this.gapOf = new Float64Array(n);
        }
        const fixOf = this.fixOf;
        for (let p = 0; p < n; p++) {
          const k = this.taken[p]!;
          const shifted = k >= 0 && k < started && this.shifted[k] === 1;
          fixOf[p] = shifted ? this.exerciseIndex[k]! : -1;
          this.gapOf[p] = shifted ? this.bridge[k]!.gap : 0;
        }
        this.underlying.addFixingShift(d, paths, fixOf, this.drawnState, this.gapOf, this.row, this.fxLevels);
      }
    }
    const values = d <= this.lastExerciseIndex ? this.valueNodes[d]! : null;
    const H = this.lgm.H[d]!;
    const zeta = this.lgm.zeta[d]!;
    const p0 = this.lgm.discount[d]!;
    const taken = this.taken;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      const level = fx === null ? 1 : Math.exp(fx[off + p]!);
      const k = taken[p]!;
      let v = 0;
      if (k >= 0 && k < started) v = this.row[p]!; // a swap that has started: the underlying's pool (sign and FX level in it)
      else if (k >= 0 && k < decided) {
        // in the notice: swap k's bonds, none fixed yet: Σ c·P(0,T)/P(0,t)·e^{−(H_T − H_t)·x − ½(H_T² − H_t²)·ζ_t}
        const terms = this.exerciseTerms[k]!;
        let b = 0;
        for (let i = 0; i < terms.weight.length; i++) {
          const HT = terms.H[i]!;
          b += (terms.weight[i]! * Math.exp(-(HT - H) * x - 0.5 * (HT * HT - H * H) * zeta)) / p0;
        }
        v = this.sign * b * level;
      }
      const alive = k === -1 || k >= decided;
      if (alive && values !== null) {
        const e = this.exerciseOnDate[d]!;
        let lv: number;
        if (e >= 0) {
          // on the exercise date: max(u_e, c_e) deflated, u exact, c interpolated, then × N(t, x)
          const { weight, H: Hk, half } = this.exerciseTerms[e]!;
          let u = 0;
          for (let i = 0; i < weight.length; i++) u += weight[i]! * Math.exp(-Hk[i]! * x - half[i]!);
          const c = cubicOnNodes(this.continuationNodes[e]!, this.continuation[e]!, x);
          lv = ((u > c ? u : c) * Math.exp(H * x + 0.5 * H * H * zeta)) / p0;
        } else lv = cubicOnNodes(this.valueGrids[d]!, values, x);
        v += this.sign * lv * level;
      }
      out[p] = v;
    }
    return true;
  }
}

