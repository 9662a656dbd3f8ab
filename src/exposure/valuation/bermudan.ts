/**
 * A Bermudan swaption on paths (pricing/bermudan.ts has the product and the backward induction). Compiled once per
 * set: the lattice of the engine's own LGM of the currency rolled back over the exercise dates and every grid date up
 * to the last exercise, so the value on a path that has not exercised is the lattice's V(t_d, x) = N(t_d, x)·v(t_d, x)
 * read at the path's state (4-point Lagrange on the lattice's nodes); at t = 0 (x = 0, a node) it is today's price.
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
import { bermudanLattice, exerciseSwaps, type ExerciseSwap, type StateNodes } from '../../pricing/bermudan.js';
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

export class BermudanOnPaths implements PathTrade {
  readonly lastIndex: number;
  private readonly sign: number;
  private readonly swaps: ExerciseSwap[];
  private readonly nodes: StateNodes;
  /** The value times' nodes (every other one of `nodes`). */
  private readonly valueGrid: StateNodes;
  /** Undeflated V(t_d, x_j) (holder's side, trade currency) for d = 0..lastExerciseIndex. */
  private readonly valueNodes: Float64Array[];
  private readonly continuation: Float64Array[];
  private readonly exerciseIndex: Int32Array;
  private readonly lastExerciseIndex: number;
  /** Per grid date: the exercise it falls on (t_d = E_k: the value there is max(u_k, c_k), exact u, not interpolated across the kink), else −1. */
  private readonly exerciseOnDate: Int32Array;
  /** Per exercise: the swap's deflated bonds at ζ(E_k) (weights P(0,T)·c, H, ½H²ζ). */
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
    const model = lgm.model;
    this.sign = trade.direction === 'buy' ? 1 : -1;
    this.swaps = exerciseSwaps(trade, market, model);
    this.exerciseIndex = Int32Array.from(this.swaps, (s) => lastIndexOnOrBefore(grid.dates, s.exerciseDate));
    this.lastExerciseIndex = this.exerciseIndex[this.exerciseIndex.length - 1]!;
    const valueTimes = Array.from(grid.times.subarray(0, this.lastExerciseIndex + 1));
    const lattice = bermudanLattice(model, this.swaps, valueTimes);
    this.nodes = lattice.nodes;
    this.valueGrid = lattice.valueNodes;
    this.continuation = lattice.continuation;
    this.valueNodes = lattice.values.map((v, d) => {
      // V = v·N(t, x), N(t, x) = e^{H·x + ½H²ζ}/P(0, t)
      const H = lgm.H[d]!;
      const halfVar = 0.5 * H * H * lgm.zeta[d]!;
      const p0 = lgm.discount[d]!;
      return v.map((value, j) => (value * Math.exp(H * this.valueGrid.x[j]! + halfVar)) / p0);
    });
    this.exerciseTerms = this.swaps.map((s, k) => {
      const zeta = lattice.exerciseZeta[k]!;
      const H = Float64Array.from(s.times, (t) => model.H(t));
      return { weight: Float64Array.from(s.times, (t, i) => s.amounts[i]! * model.discount(t)), H, half: H.map((h) => 0.5 * h * h * zeta) };
    });
    this.exerciseOnDate = new Int32Array(this.lastExerciseIndex + 1).fill(-1);
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
        if (u > cubicOnNodes(this.nodes, c, x)) {
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
        const c = cubicOnNodes(this.nodes, this.continuation[k]!, x);
        v = ((u > c ? u : c) * Math.exp(H * x + 0.5 * H * H * zeta)) / p0;
      } else v = cubicOnNodes(this.valueGrid, values, x);
      out[p] = this.sign * v * (fx === null ? 1 : Math.exp(fx[off + p]!));
    }
    return true;
  }
}
