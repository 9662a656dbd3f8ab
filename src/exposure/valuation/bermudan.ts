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
 * Exercise, per path and once per paths object: on exercise date E_k, read at the last grid date on or before it (as a
 * European swaption's exercise and a swap's fixing), the holder exercises when the swap it enters is worth more than
 * the continuation, u_k(x) > c_k(x) (u exact, c from the lattice), the first such k. After that grid date the path
 * holds swap k: from its first accrual start S_k on, that is every coupon of the underlying still to be paid (the
 * underlying's pool, its floating coupons fixing on the paths as a swap's); between E_k and S_k (the notice) the bonds
 * of swap k, none of them fixed yet. Values in the base currency (× the path's FX level), signed by direction.
 */
import type { Market } from '../../market/types.js';
import type { Swaption } from '../../products/types.js';
import { bermudanLattice, exerciseSwaps, rollBack, stateNodes, type ExerciseSwap, type StateNodes } from '../../pricing/bermudan.js';
import { dealCalibration } from '../../pricing/bermudanCalibration.js';
import type { LgmModel } from '../../simulation/models/lgm/parameters.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
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
  private exercisedAt = new Int32Array(0);
  private exercisedSwap = new Int32Array(0);
  private decidedPaths: SimulatedPaths | null = null;
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
    this.swaps = exerciseSwaps(trade, market, model);
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
        const after = mix(lo.lattice.after[k - lo.first]!, hi.lattice.after[k - hi.first]!, w);
        rollBack(nodes, after, Math.sqrt(Math.max(deal.zeta(this.swaps[k]!.exerciseTime) - deal.zeta(t), 0)), out, Math.sqrt(lgm.zeta[d]!), 2);
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
    this.exerciseOnDate = new Int32Array(dates).fill(-1);
    this.swaps.forEach((sw, k) => {
      const d = this.exerciseIndex[k]!;
      if (grid.dates[d] === sw.exerciseDate) this.exerciseOnDate[d] = k;
    });
    this.lastIndex = Math.max(this.lastExerciseIndex, underlying.lastIndex);
  }

  /** Each path's exercise (grid index of the decision and the swap entered; −1 and 2³¹−1 when never), once per paths object. */
  private decide(paths: SimulatedPaths): void {
    const n = paths.nPaths;
    if (this.decidedPaths === paths && this.exercisedAt.length >= n) return;
    if (this.exercisedAt.length < n) {
      this.exercisedAt = new Int32Array(n);
      this.exercisedSwap = new Int32Array(n);
    }
    this.exercisedAt.fill(0x7fffffff, 0, n);
    this.exercisedSwap.fill(-1, 0, n);
    const xs = paths.irState[this.irIndex]!;
    for (let k = 0; k < this.swaps.length; k++) {
      const d = this.exerciseIndex[k]!;
      const off = d * n;
      const { weight, H, half } = this.exerciseTerms[k]!;
      const c = this.continuation[k]!;
      for (let p = 0; p < n; p++) {
        if (this.exercisedSwap[p]! >= 0) continue;
        const x = xs[off + p]!;
        let u = 0;
        for (let i = 0; i < weight.length; i++) u += weight[i]! * Math.exp(-H[i]! * x - half[i]!);
        if (u > cubicOnNodes(this.continuationNodes[k]!, c, x)) {
          this.exercisedAt[p] = d;
          this.exercisedSwap[p] = k;
        }
      }
    }
    this.decidedPaths = paths;
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d > this.lastIndex) return false;
    this.decide(paths);
    const n = paths.nPaths;
    const off = d * n;
    const xs = paths.irState[this.irIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const t = this.grid.times[d]!;
    const at = this.exercisedAt;
    // the underlying's pool, for the paths that hold a swap from its first accrual start on
    let pooled = false;
    for (let p = 0; p < n; p++) {
      if (at[p]! < d && this.swaps[this.exercisedSwap[p]!]!.startTime <= t) {
        pooled = true;
        break;
      }
    }
    if (pooled) {
      if (this.row.length < n) this.row = new Float64Array(n);
      this.row.fill(0, 0, n);
      this.fxLevels.begin();
      this.underlying.addValues(d, paths, this.row, this.fxLevels);
    }
    const values = d <= this.lastExerciseIndex ? this.valueNodes[d]! : null;
    const H = this.lgm.H[d]!;
    const zeta = this.lgm.zeta[d]!;
    const p0 = this.lgm.discount[d]!;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      if (at[p]! < d) {
        const swap = this.swaps[this.exercisedSwap[p]!]!;
        if (swap.startTime <= t) {
          out[p] = this.row[p]!; // the pool carries the direction's sign and the FX level
          continue;
        }
        // in the notice: swap k's bonds, none fixed yet: Σ c·P(0,T)/P(0,t)·e^{−(H_T − H_t)·x − ½(H_T² − H_t²)·ζ_t}
        const terms = this.exerciseTerms[this.exercisedSwap[p]!]!;
        let v = 0;
        for (let i = 0; i < terms.weight.length; i++) {
          const HT = terms.H[i]!;
          v += (terms.weight[i]! * Math.exp(-(HT - H) * x - 0.5 * (HT * HT - H * H) * zeta)) / p0;
        }
        out[p] = this.sign * v * (fx === null ? 1 : Math.exp(fx[off + p]!));
        continue;
      }
      if (values === null) {
        out[p] = 0;
        continue;
      }
      const k = this.exerciseOnDate[d]!;
      let v: number;
      if (k >= 0) {
        // on the exercise date: max(u_k, c_k) deflated, u exact, c interpolated, then × N(t, x)
        const { weight, H: Hk, half } = this.exerciseTerms[k]!;
        let u = 0;
        for (let i = 0; i < weight.length; i++) u += weight[i]! * Math.exp(-Hk[i]! * x - half[i]!);
        const c = cubicOnNodes(this.continuationNodes[k]!, this.continuation[k]!, x);
        v = ((u > c ? u : c) * Math.exp(H * x + 0.5 * H * H * zeta)) / p0;
      } else v = cubicOnNodes(this.valueGrids[d]!, values, x);
      out[p] = this.sign * v * (fx === null ? 1 : Math.exp(fx[off + p]!));
    }
    return true;
  }
}
