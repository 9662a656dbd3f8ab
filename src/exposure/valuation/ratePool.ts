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
 * - before the fixing (t_d ≤ s): N·(β·P(t,s) − P(t,e)) + N·τ·spread·P(t,e), β = [P_proj(0,s)/P_proj(0,e)] /
 *   [P(0,s)/P(0,e)] the deterministic basis ratio (LSG §12.1), i.e. two pooled flows;
 * - running (fixing grid date t_j < t_d < e): the fixing is taken at t_j, the LAST GRID DATE ON OR BEFORE THE
 *   FIXING DATE s, as the forward P(t_j,s)/P(t_j,e) seen in the state x_j; the coupon is then
 *   N·(β·P(t_j,s|x_j)/P(t_j,e|x_j) − 1 + τ·spread)·P(t,e|x_t). Its x_j-dependent part is
 *   W·e^{−(H(s)−H(t))·x_t}·e^{−δ·Δ}, δ = H(e) − H(s), Δ = x_t − x_j, expanded in Δ to third order (Taylor), so that
 *   each fixing index j contributes four pooled grid functions of x_t (coefficients of Δ⁰..Δ³). The remainder
 *   (δΔ)⁴/24 is below 1e-9 of the notional for one standard deviation of Δ over a 6M period at 100bp normal vol.
 * - coupons fixed at the as-of date (j = 0, x = 0 on every path) are the deterministic amounts of today's pricer.
 */
import type { SimulatedPaths } from '../../simulation/types.js';
import type { LgmOnGrid } from './model.js';
import { addExponential, dotExponential, GRID_NODES, stateGridFor, stencil } from './stateGrid.js';

/** Taylor terms (Δ⁰..Δ³) of a running coupon's dependence on its fixing state. */
export const RUNNING_TERMS = 4;

/** An option-like part of a trade evaluated on the grid nodes of its currency (a swaption before expiry). */
export interface NodeTerm {
  readonly tradeIndex: number;
  /** Adds the trade's value at the grid nodes x0 + g·h (currency units, undeflated); false when not alive at d. */
  addNodes(d: number, x0: number, h: number, nodes: Float64Array): boolean;
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
  readonly terms: NodeTerm[] = [];
  lastIndex = -1;

  constructor(
    readonly irIndex: number,
    readonly fxIndex: number,
    readonly lgm: LgmOnGrid,
  ) {}

  /** amount·P(t, T) while the grid date is on or before `lastIndex`; T in years. */
  addBond(tradeIndex: number, timeYears: number, amount: number, lastIndex: number): void {
    if (lastIndex < 0 || amount === 0) return;
    this.flowH.push(this.lgm.model.H(timeYears));
    this.flowAmp.push(amount * this.lgm.model.discount(timeYears));
    this.flowLast.push(lastIndex);
    this.flowTrade.push(tradeIndex);
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  /**
   * The fixing-dependent part of a float coupon after its fixing grid date j: notionalBeta·P(t_j,s|x_j)/P(t_j,e|x_j)
   * paid at e, for grid dates j < d <= lastIndex (s and e in years).
   */
  addRunning(tradeIndex: number, s: number, e: number, notionalBeta: number, fixIndex: number, lastIndex: number): void {
    if (lastIndex <= fixIndex || notionalBeta === 0) return;
    const model = this.lgm.model;
    const hs = model.H(s);
    const he = model.H(e);
    this.runHs.push(hs);
    this.runHe.push(he);
    this.runAmp.push(notionalBeta * model.discount(s));
    this.runFixConst.push(0.5 * (he * he - hs * hs) * this.lgm.zeta[fixIndex]!);
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
  private readonly rNegDelta: Float64Array;
  private readonly rAmp: Float64Array;
  private readonly rFixConst: Float64Array;
  private readonly rFix: Int32Array;
  private readonly rLast: Int32Array;
  private readonly rTrade: Int32Array;
  private readonly terms: readonly NodeTerm[];
  // Scratch, allocated once.
  private readonly spec = new Float64Array(2);
  private readonly w = new Float64Array(6);
  private readonly nodes = new Float64Array(GRID_NODES);
  private readonly termNodes = new Float64Array(GRID_NODES);
  private readonly runNodes: Float64Array;
  private readonly slotOf: Int32Array;
  private readonly groupFix: Int32Array;
  private readonly runSlot: Int32Array;
  private readonly runW: Float64Array;
  private readonly runLogW: Float64Array;
  private readonly runRate: Float64Array;

  constructor(b: CurrencyPoolBuilder, nDates: number) {
    this.irIndex = b.irIndex;
    this.fxIndex = b.fxIndex;
    this.lastIndex = b.lastIndex;
    this.lgm = b.lgm;
    this.fH = Float64Array.from(b.flowH);
    this.fHalfH2 = this.fH.map((h) => 0.5 * h * h);
    this.fAmp = Float64Array.from(b.flowAmp);
    this.fLast = Int32Array.from(b.flowLast);
    this.fTrade = Int32Array.from(b.flowTrade);
    const merged = new Map<string, number>();
    const mH: number[] = [];
    const mAmp: number[] = [];
    const mLast: number[] = [];
    for (let k = 0; k < b.flowH.length; k++) {
      const key = `${b.flowH[k]}|${b.flowLast[k]}`;
      const at = merged.get(key);
      if (at === undefined) {
        merged.set(key, mH.length);
        mH.push(b.flowH[k]!);
        mAmp.push(b.flowAmp[k]!);
        mLast.push(b.flowLast[k]!);
      } else {
        mAmp[at] += b.flowAmp[k]!;
      }
    }
    this.mH = Float64Array.from(mH);
    this.mHalfH2 = this.mH.map((h) => 0.5 * h * h);
    this.mAmp = Float64Array.from(mAmp);
    this.mLast = Int32Array.from(mLast);
    this.rHs = Float64Array.from(b.runHs);
    this.rHalfHe2 = Float64Array.from(b.runHe, (h) => 0.5 * h * h);
    this.rNegDelta = Float64Array.from(b.runHe, (he, k) => -(he - b.runHs[k]!));
    this.rAmp = Float64Array.from(b.runAmp);
    this.rFixConst = Float64Array.from(b.runFixConst);
    this.rFix = Int32Array.from(b.runFix);
    this.rLast = Int32Array.from(b.runLast);
    this.rTrade = Int32Array.from(b.runTrade);
    this.terms = b.terms.slice();
    const maxGroups = new Set(b.runFix).size;
    this.runNodes = new Float64Array(Math.max(maxGroups, 1) * RUNNING_TERMS * GRID_NODES);
    this.slotOf = new Int32Array(nDates).fill(-1);
    this.groupFix = new Int32Array(Math.max(maxGroups, 1));
    this.runSlot = new Int32Array(this.rHs.length);
    this.runW = new Float64Array(this.rHs.length);
    this.runLogW = new Float64Array(this.rHs.length);
    this.runRate = new Float64Array(this.rHs.length);
  }

  /**
   * The grid of date d and the per-coupon amplitudes of running coupons; returns the number of fixing groups.
   * Running coupon k active at d gets runSlot[k] >= 0, runW[k] (amplitude of e^{−runRate[k]·x}) and runRate[k].
   */
  private prepare(d: number, xs: Float64Array, n: number): number {
    stateGridFor(xs, d * n, n, this.spec);
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const { rFix, rLast, slotOf, groupFix, runSlot, runW, runLogW, runRate } = this;
    let groups = 0;
    for (let k = 0; k < rFix.length; k++) {
      const j = rFix[k]!;
      if (j >= d || rLast[k]! < d) {
        runSlot[k] = -1;
        continue;
      }
      let slot = slotOf[j]!;
      if (slot < 0) {
        slot = groups++;
        slotOf[j] = slot;
        groupFix[slot] = j;
      }
      runSlot[k] = slot;
      runW[k] = this.rAmp[k]! * invP;
      runLogW[k] = this.rFixConst[k]! - this.rHalfHe2[k]! * zt + halfHt2z;
      runRate[k] = this.rHs[k]! - Ht;
    }
    for (let q = 0; q < groups; q++) slotOf[groupFix[q]!] = -1;
    return groups;
  }

  /** Tabulates the pooled flows, running-coupon Taylor functions and option terms of date d on the grid. */
  private buildNodes(d: number, groups: number): void {
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    const nodes = this.nodes;
    nodes.fill(0);
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    const { mH, mHalfH2, mAmp, mLast } = this;
    for (let k = 0; k < mH.length; k++) {
      if (mLast[k]! < d) continue;
      // P(t,T,x0)·amount in one exponential: P(0,T)/P(0,t)·e^{−½(H_T²−H_t²)ζ_t − (H_T−H_t)·x0}.
      const rate = mH[k]! - Ht;
      addExponential(mAmp[k]! * invP, rate, x0, h, nodes, 0, halfHt2z - mHalfH2[k]! * zt);
    }
    const runNodes = this.runNodes;
    runNodes.fill(0, 0, groups * RUNNING_TERMS * GRID_NODES);
    for (let k = 0; k < this.runSlot.length; k++) {
      const slot = this.runSlot[k]!;
      if (slot < 0) continue;
      // e^{−δΔ} = Σ_m (−δ)^m/m!·Δ^m, m = 0..3.
      const c1 = this.rNegDelta[k]!;
      const c2 = (c1 * c1) / 2;
      const c3 = (c2 * c1) / 3;
      let v = this.runW[k]! * Math.exp(this.runLogW[k]! - this.runRate[k]! * x0);
      const ratio = Math.exp(-this.runRate[k]! * h);
      const base = slot * RUNNING_TERMS * GRID_NODES;
      for (let g = 0; g < GRID_NODES; g++) {
        runNodes[base + g] += v;
        runNodes[base + GRID_NODES + g] += c1 * v;
        runNodes[base + 2 * GRID_NODES + g] += c2 * v;
        runNodes[base + 3 * GRID_NODES + g] += c3 * v;
        v *= ratio;
      }
    }
    for (const term of this.terms) term.addNodes(d, x0, h, nodes);
  }

  /** out[p] += the pool's value at date d on path p, in the base currency. */
  addValues(d: number, paths: SimulatedPaths, out: Float64Array): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const groups = this.prepare(d, xs, n);
    this.buildNodes(d, groups);
    const x0 = this.spec[0]!;
    const invH = 1 / this.spec[1]!;
    const { nodes, runNodes, groupFix } = this;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const off = d * n;
    const cMax = GRID_NODES - 4;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      // The 6-point Lagrange stencil of stateGrid.ts `stencil`, inlined.
      const sPos = (x - x0) * invH;
      let c = Math.floor(sPos);
      c = c < 2 ? 2 : c > cMax ? cMax : c;
      const u = sPos - c;
      const ua = u + 2, ub = u + 1, ud = u - 1, ue = u - 2, uf = u - 3;
      const uab = ua * ub, uef = ue * uf;
      const w0 = (ub * u * ud * uef) / -120;
      const w1 = (ua * u * ud * uef) / 24;
      const w2 = (uab * ud * uef) / -12;
      const w3 = (uab * u * uef) / 12;
      const w4 = (uab * u * ud * uf) / -24;
      const w5 = (uab * u * ud * ue) / 120;
      const b = c - 2;
      let v = w0 * nodes[b]! + w1 * nodes[b + 1]! + w2 * nodes[b + 2]! + w3 * nodes[b + 3]! + w4 * nodes[b + 4]! + w5 * nodes[b + 5]!;
      for (let q = 0; q < groups; q++) {
        const delta = x - xs[groupFix[q]! * n + p]!;
        const i0 = q * RUNNING_TERMS * GRID_NODES + b;
        const i1 = i0 + GRID_NODES;
        const i2 = i1 + GRID_NODES;
        const i3 = i2 + GRID_NODES;
        const c0 = w0 * runNodes[i0]! + w1 * runNodes[i0 + 1]! + w2 * runNodes[i0 + 2]! + w3 * runNodes[i0 + 3]! + w4 * runNodes[i0 + 4]! + w5 * runNodes[i0 + 5]!;
        const c1 = w0 * runNodes[i1]! + w1 * runNodes[i1 + 1]! + w2 * runNodes[i1 + 2]! + w3 * runNodes[i1 + 3]! + w4 * runNodes[i1 + 4]! + w5 * runNodes[i1 + 5]!;
        const c2 = w0 * runNodes[i2]! + w1 * runNodes[i2 + 1]! + w2 * runNodes[i2 + 2]! + w3 * runNodes[i2 + 3]! + w4 * runNodes[i2 + 4]! + w5 * runNodes[i2 + 5]!;
        const c3 = w0 * runNodes[i3]! + w1 * runNodes[i3 + 1]! + w2 * runNodes[i3 + 2]! + w3 * runNodes[i3 + 3]! + w4 * runNodes[i3 + 4]! + w5 * runNodes[i3 + 5]!;
        v += c0 + delta * (c1 + delta * (c2 + delta * c3));
      }
      out[p] += fx === null ? v : Math.exp(fx[off + p]!) * v;
    }
  }

  /**
   * out[trade] += Σ_p weights[p]·V_trade(d, p) for every trade of the pool (Euler allocation): the path weights are
   * first gathered on the grid nodes (W_g = Σ_p weights_p·FX_p·L_g(x_p), and Δ^m-weighted for running coupons), then
   * each flow's grid values are dotted with them. Exact with respect to addValues up to rounding.
   */
  accumulateTradeWeighted(d: number, paths: SimulatedPaths, weights: Float64Array, out: Float64Array, nodeWeights: Float64Array, runWeights: Float64Array): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const groups = this.prepare(d, xs, n);
    const x0 = this.spec[0]!;
    const h = this.spec[1]!;
    const invH = 1 / h;
    const { w, groupFix } = this;
    nodeWeights.fill(0, 0, GRID_NODES);
    runWeights.fill(0, 0, groups * RUNNING_TERMS * GRID_NODES);
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const off = d * n;
    for (let p = 0; p < n; p++) {
      const x = xs[off + p]!;
      const b = stencil(x, x0, invH, w);
      const wp = fx === null ? weights[p]! : weights[p]! * Math.exp(fx[off + p]!);
      const w0 = w[0]!, w1 = w[1]!, w2 = w[2]!, w3 = w[3]!, w4 = w[4]!, w5 = w[5]!;
      nodeWeights[b] += wp * w0;
      nodeWeights[b + 1] += wp * w1;
      nodeWeights[b + 2] += wp * w2;
      nodeWeights[b + 3] += wp * w3;
      nodeWeights[b + 4] += wp * w4;
      nodeWeights[b + 5] += wp * w5;
      for (let q = 0; q < groups; q++) {
        const delta = x - xs[groupFix[q]! * n + p]!;
        let dm = wp;
        let i = q * RUNNING_TERMS * GRID_NODES + b;
        for (let m = 0; m < RUNNING_TERMS; m++, i += GRID_NODES) {
          runWeights[i] += dm * w0;
          runWeights[i + 1] += dm * w1;
          runWeights[i + 2] += dm * w2;
          runWeights[i + 3] += dm * w3;
          runWeights[i + 4] += dm * w4;
          runWeights[i + 5] += dm * w5;
          dm *= delta;
        }
      }
    }
    const Ht = this.lgm.H[d]!;
    const zt = this.lgm.zeta[d]!;
    const invP = 1 / this.lgm.discount[d]!;
    const halfHt2z = 0.5 * Ht * Ht * zt;
    for (let k = 0; k < this.fH.length; k++) {
      if (this.fLast[k]! < d) continue;
      out[this.fTrade[k]!] += dotExponential(this.fAmp[k]! * invP, this.fH[k]! - Ht, x0, h, nodeWeights, 0, halfHt2z - this.fHalfH2[k]! * zt);
    }
    for (let k = 0; k < this.runSlot.length; k++) {
      const slot = this.runSlot[k]!;
      if (slot < 0) continue;
      const c1 = this.rNegDelta[k]!;
      const c2 = (c1 * c1) / 2;
      const c3 = (c2 * c1) / 3;
      const base = slot * RUNNING_TERMS * GRID_NODES;
      let v = this.runW[k]! * Math.exp(this.runLogW[k]! - this.runRate[k]! * x0);
      const ratio = Math.exp(-this.runRate[k]! * h);
      let sum = 0;
      for (let g = base; g < base + GRID_NODES; g++) {
        sum += v * (runWeights[g]! + c1 * runWeights[g + GRID_NODES]! + c2 * runWeights[g + 2 * GRID_NODES]! + c3 * runWeights[g + 3 * GRID_NODES]!);
        v *= ratio;
      }
      out[this.rTrade[k]!] += sum;
    }
    const termNodes = this.termNodes;
    for (const term of this.terms) {
      termNodes.fill(0);
      if (!term.addNodes(d, x0, h, termNodes)) continue;
      let sum = 0;
      for (let g = 0; g < GRID_NODES; g++) sum += nodeWeights[g]! * termNodes[g]!;
      out[term.tradeIndex] += sum;
    }
  }
}
