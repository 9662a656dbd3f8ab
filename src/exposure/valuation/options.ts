/**
 * FX and equity options and the share-price part of equity forwards on paths, valued per trade and path (their
 * payoffs depend on two or three state variables, so they are not pooled).
 *
 * - FX option (pricing/fx.ts at t = 0): Garman-Kohlhagen conditional on the simulated state, written on the forward
 *   to delivery F(t) = FX(t)·P_f(t,T_d|x_f)/P_d(t,T_d|x_d): value in base = N·FX_d(t)·P_d(t,T_d)·Black76(F, K, σ, τ),
 *   τ = T_e − t, σ²τ the variance the pair's term structure leaves from t to T_e (remainingStdDevs). After expiry (physical
 *   delivery at T_d > T_e) the exchange on the paths where it was exercised, decided at the expiry grid date t_e (last
 *   grid date on or before T_e) by ω·(F(t_e) − K) > 0.
 * - Equity option (pricing/equity.ts): Black-76 on F(t) = S(t)·e^{−q(T−t)}/P(t,T|x) times P(t,T|x), in the equity's
 *   currency times its FX rate, with the variance the equity's term structure leaves to expiry (remainingStdDevs);
 *   cash-settled at expiry, so it leaves there.
 * - Equity forward: quantity·(S(t)·e^{−q(T−t)} − K·P(t,T|x)); the strike part is a pooled flow (compile.ts), the
 *   share part a coefficient of S(t) per date, summed over the forwards on the same share.
 */
import type { Market } from '../../market/types.js';
import type { EquityOption, FxOption } from '../../products/types.js';
import { normCdfInto } from '../../pricing/black.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { lastIndexBefore, lastIndexOnOrBefore, type LgmOnGrid } from './model.js';
import { lagrange6 } from './stateGrid.js';

/** A trade valued path by path: fills out[p] (base currency) and returns true when alive at d. */
export interface PathTrade {
  readonly tradeIndex: number;
  readonly lastIndex: number;
  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean;
}

/** One term of a log-leg: coefficient × the path's state `kind` factor `index` (layout order) at grid index `grid`. */
export interface LegTerm {
  kind: 'ir' | 'fx' | 'eq';
  index: number;
  grid: number;
  coefficient: number;
}

/**
 * A per-path trade at one date as data for the device (GPU backend, wgsl/value.ts), in the base currency:
 * lnA = constA + Σ termsA, lnB = constB + Σ termsB (the legs' logarithms: a forward leg and a strike leg), and
 * - `black`: scale·ω·(e^lnA·Φ(ω·d1) − e^lnB·Φ(ω·d2)), d1 = (lnA − lnB)/sd + sd/2, d2 = d1 − sd (sd > 0);
 * - `exercised`: scale·ω·(e^lnA − e^lnB) where ω·(constE + Σ termsE) > 0 (the exercise decision), else 0;
 * - `linear`: scale·e^lnA (no strike leg);
 * - `lgm`: a European swaption before expiry (swaption.ts deviceLeg), e^lnA·scale·Σ_r Σ_i C_i·e^{−a_i·x}·[Φ((hi_r −
 *   x)/sd + s_i) − Φ((lo_r − x)/sd + s_i)] with x = lnB (the LGM state) and e^lnA the FX level, the bonds and intervals
 *   in `data` (scale·max(Σ_i C_i·e^{−a_i·x}, 0) when sd = 0): the exact conditional value per path, no state grid.
 */
export interface DeviceLegEntry {
  kind: 'black' | 'exercised' | 'linear' | 'lgm';
  scale: number;
  omega: number;
  sd: number;
  constA: number;
  termsA: LegTerm[];
  constB: number;
  termsB: LegTerm[];
  constE: number;
  termsE: LegTerm[];
  /** `lgm` only: [n bonds, n intervals, (C_i, a_i, s_i) per bond, (lo, hi) per interval] (swaption.ts deviceLeg). */
  data?: Float64Array;
}

/** ln P(t_d, T | x) = lnA[d] − B[d]·x for a bond maturing at T (years), on every grid date (0 after T). */
export function bondLogCoefficients(lgm: LgmOnGrid, grid: TimeGrid, maturity: number): { lnA: Float64Array; B: Float64Array } {
  const n = grid.times.length;
  const lnA = new Float64Array(n);
  const B = new Float64Array(n);
  const hT = lgm.model.H(maturity);
  const pT = lgm.model.discount(maturity);
  for (let d = 0; d < n; d++) {
    const Ht = lgm.H[d]!;
    lnA[d] = Math.log(pT / lgm.discount[d]!) - 0.5 * (hT * hT - Ht * Ht) * lgm.zeta[d]!;
    B[d] = hT - Ht;
  }
  return { lnA, B };
}

/**
 * Per-path legs of one date (`legs`), filled by a trade's `values` before blackLegsOfLogs: lnAoverB = ln(a/b), and the
 * legs' logarithms in `a` and `b` (exponentiated in place where the paths are valued one by one); grown as needed.
 */
const legs = {
  lnAoverB: new Float64Array(0),
  a: new Float64Array(0),
  b: new Float64Array(0),
  x1: new Float64Array(0),
  x2: new Float64Array(0),
  n1: new Float64Array(0),
  n2: new Float64Array(0),
};

export function legScratch(n: number): typeof legs {
  if (legs.a.length < n) {
    for (const key of Object.keys(legs) as (keyof typeof legs)[]) legs[key] = new Float64Array(n);
  }
  return legs;
}

/**
 * out[p] = scale · Black-76 call (omega = 1) or put (−1) on undiscounted legs a[p] = forward leg, b[p] = strike leg
 * (both positive), ln(a/b) = lnAoverB[p], for the paths p < n of one date (total deviation `stdDev`):
 * ω·(a·Φ(ω·d1) − b·Φ(ω·d2)), d1 = ln(a/b)/sd + sd/2, d2 = d1 − sd; the intrinsic value when sd = 0. The Φ of all
 * paths in two calls of normCdfInto (the same bits as normCdf, without boxing a number per call).
 */
function blackLegsInto(omega: number, stdDev: number, scale: number, l: typeof legs, out: Float64Array, n: number): void {
  const { lnAoverB, a, b, x1, x2, n1, n2 } = l;
  if (!(stdDev > 0)) {
    for (let p = 0; p < n; p++) {
      const intrinsic = omega * (a[p]! - b[p]!);
      out[p] = scale * (intrinsic > 0 ? intrinsic : 0);
    }
    return;
  }
  for (let p = 0; p < n; p++) {
    const d1 = lnAoverB[p]! / stdDev + 0.5 * stdDev;
    const d2 = d1 - stdDev;
    x1[p] = omega * d1;
    x2[p] = omega * d2;
  }
  normCdfInto(x1, n1, n);
  normCdfInto(x2, n2, n);
  for (let p = 0; p < n; p++) out[p] = scale * (omega * (a[p]! * n1[p]! - b[p]! * n2[p]!));
}

/** Nodes of blackOnGrid's log-moneyness grid over the paths' whole range of m. */
export const BLACK_GRID_NODES = 256;
/**
 * Largest node step of the log-moneyness grid, in units of min(sd, 1), at which blackOnGrid interpolates: the 6-point
 * Lagrange remainder |ω(u)|/6!·h⁶·|g⁽⁶⁾| with |ω(u)| ≤ 3.52 on a cell and |g⁽⁶⁾| ≤ 1.2·e^m/sd⁵ (the φ⁽⁴⁾ term, which
 * dominates for sd ≤ 1) is at most 0.0059·(h/sd)⁶·sd of the forward leg: ≤ 1.2e-10 of the larger leg at h = 0.05·sd;
 * for sd > 1 the step is bounded by 0.05 itself (test/black-grid.test.ts checks the bound per path against Black).
 */
export const BLACK_GRID_MAX_STEP = 0.05;
/**
 * Half-width of the band of m, in units of sd beyond the drift sd/2, outside which blackOnGrid takes the intrinsic
 * value: for ω·m ≥ sd·(Z + sd/2) the option is ω·(e^m − 1) less the opposite option, which is at most Φ(−d2) ≤ Φ(−Z)
 * per unit strike leg (d2 ≥ Z); for ω·m ≤ −sd·(Z + sd/2) it is at most e^m·Φ(d1) ≤ e^m·Φ(−Z) (d1 ≤ −Z), and the
 * intrinsic value is 0. Φ(−6.4) = 7.8e-11: below the interpolation's own 1.2e-10 of the larger leg.
 */
export const BLACK_GRID_TAIL_Z = 6.4;
/** Most nodes of a band table (blackOnGrid near expiry): sd·(2Z + sd) / (0.05·min(sd, 1)) + 5 is 262 at sd = 0.1, 274 at sd = 0.5. */
export const BLACK_BAND_MAX_NODES = 512;
/** Fewest paths per node for which tabulating (2 Φ per node) beats valuing each path (2 Φ and 2 exponentials a path). */
const BLACK_GRID_MIN_PATHS_PER_NODE = 2;

const grid = {
  m: new Float64Array(BLACK_BAND_MAX_NODES),
  x1: new Float64Array(BLACK_BAND_MAX_NODES),
  x2: new Float64Array(BLACK_BAND_MAX_NODES),
  n1: new Float64Array(BLACK_BAND_MAX_NODES),
  n2: new Float64Array(BLACK_BAND_MAX_NODES),
  g: new Float64Array(BLACK_BAND_MAX_NODES),
};

/**
 * The Black-76 value per unit of strike leg as a function of the log-moneyness m = ln(a/b),
 * g(m) = ω·(e^m·Φ(ω·d1) − Φ(ω·d2)), d1 = m/sd + sd/2, d2 = d1 − sd, tabulated on nodes spanning the paths' m
 * (nodes 2 .. N−3, as stateGrid.ts `stateGridFor`) and read back per path by the 6-point Lagrange stencil of
 * the state grids: out[p] = g(m_p). Under one factor per currency an FX or equity option's value at a date is
 * b·g(m) with b the strike leg, so a path costs one exponential (its strike leg) and a stencil instead of two
 * exponentials and two Φ.
 * - Over the paths' whole range on BLACK_GRID_NODES nodes where the step is at most BLACK_GRID_MAX_STEP·min(sd, 1).
 * - Else (the paths' spread of m is wide against sd: close to expiry) over the band |m| ≤ sd·(Z + sd/2) alone
 *   (BLACK_GRID_TAIL_Z) on as many nodes as that step needs, at most BLACK_BAND_MAX_NODES; a path outside the band
 *   takes the intrinsic value max(ω·(e^m − 1), 0), within Φ(−Z) of the larger leg.
 * Returns false, leaving out untouched, where the band would need more nodes, where the paths are too few to pay for
 * the table (fewer than two a node), or where they all have the same m (t = 0): the caller then values each path.
 */
export function blackOnGrid(omega: number, stdDev: number, lnAoverB: Float64Array, n: number, out: Float64Array): boolean {
  if (!(stdDev > 0)) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < n; p++) {
    const m = lnAoverB[p]!;
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  if (!(hi > lo)) return false;
  const maxStep = BLACK_GRID_MAX_STEP * Math.min(stdDev, 1);
  let N = BLACK_GRID_NODES;
  let h = (hi - lo) / (N - 5);
  if (!(h <= maxStep)) {
    // The band: paths beyond it take the intrinsic value (BLACK_GRID_TAIL_Z).
    const edge = stdDev * (BLACK_GRID_TAIL_Z + 0.5 * stdDev);
    lo = Math.max(lo, -edge);
    hi = Math.min(hi, edge);
    if (hi > lo) {
      N = Math.max(6, Math.ceil((hi - lo) / maxStep) + 5);
      if (N > BLACK_BAND_MAX_NODES) return false;
      h = (hi - lo) / (N - 5);
    } else {
      // no path inside the band: every path takes the intrinsic value
      N = 0;
      lo = Infinity;
      hi = -Infinity;
    }
  }
  if (n < BLACK_GRID_MIN_PATHS_PER_NODE * Math.max(N, BLACK_GRID_NODES)) return false;
  const x0 = lo - 2 * h;
  const { m, x1, x2, n1, n2, g } = grid;
  if (N > 0) {
    for (let i = 0; i < N; i++) {
      const mi = x0 + i * h;
      const d1 = mi / stdDev + 0.5 * stdDev;
      m[i] = mi;
      x1[i] = omega * d1;
      x2[i] = omega * (d1 - stdDev);
    }
    normCdfInto(x1, n1, N);
    normCdfInto(x2, n2, N);
    for (let i = 0; i < N; i++) g[i] = omega * (Math.exp(m[i]!) * n1[i]! - n2[i]!);
  }
  gridUses++;
  const invH = 1 / h;
  const cMax = N - 4;
  for (let p = 0; p < n; p++) {
    const mp = lnAoverB[p]!;
    if (mp < lo || mp > hi) {
      // beyond the band: the intrinsic value (never on the whole-range table, where every path lies in [lo, hi])
      out[p] = omega * mp > 0 ? omega * Math.expm1(mp) : 0;
      continue;
    }
    const s = (mp - x0) * invH;
    // every path here lies in nodes 2 .. N−3, so s > 0 and truncation is the floor; clamped for rounding
    let c = s | 0;
    c = c < 2 ? 2 : c > cMax ? cMax : c;
    out[p] = lagrange6(g, c - 2, s - c);
  }
  return true;
}

let gridUses = 0;

/** Dates of options valued on the log-moneyness grid on this thread so far (tests check that a run used it). */
export function blackGridUses(): number {
  return gridUses;
}

/**
 * The standard deviation of the log forward left from each grid date t_d (d ≤ last) to the expiry T, as the paths
 * simulate it: the spot's total variance w(t) = σ(t)²·t from today's Black vols σ (crossAsset/stepPlan.ts stepVol
 * draws each step with the forward variance w(t₁) − w(t₀)), so the variance left at t is w(T) − w(t), floored at 0.
 * Today's vol for the remaining τ = T − t, σ(τ)²·τ, is that only for a flat term structure: with an upward-sloping
 * one it left too little variance and a bought option's discounted value drifted below today's price (an audit: 8%
 * at 6M on a 6M 8% / 2Y 12% EURUSD term structure, deterministic rates). At t = 0 both are σ(T)²·T.
 */
export function remainingStdDevs(vol: (t: number) => number, times: Float64Array, expiry: number, last: number): Float64Array {
  const out = new Float64Array(times.length);
  const vT = vol(expiry);
  const wT = vT * vT * expiry;
  for (let d = 0; d <= last; d++) {
    const t = times[d]!;
    if (!(expiry > t)) continue;
    const vt = t > 0 ? vol(t) : 0;
    out[d] = Math.sqrt(Math.max(wT - vt * vt * t, 0));
  }
  return out;
}

/**
 * The option's values from the legs' logarithms (l.a = ln a, l.b = ln(b / bFactor), l.lnAoverB = ln(a/b)): on the
 * log-moneyness grid where blackOnGrid takes them (out[p] = scale·b_p·g(m_p)), else path by path (blackLegsInto).
 */
export function blackLegsOfLogs(omega: number, stdDev: number, scale: number, bFactor: number, l: typeof legs, out: Float64Array, n: number): void {
  const { a, b } = l;
  if (blackOnGrid(omega, stdDev, l.lnAoverB, n, l.n1)) {
    const g = l.n1;
    for (let p = 0; p < n; p++) out[p] = scale * (bFactor * Math.exp(b[p]!) * g[p]!);
    return;
  }
  for (let p = 0; p < n; p++) {
    a[p] = Math.exp(a[p]!);
    b[p] = bFactor * Math.exp(b[p]!);
  }
  blackLegsInto(omega, stdDev, scale, l, out, n);
}

export class FxOptionOnPaths implements PathTrade {
  readonly lastIndex: number;
  private readonly optionLast: number;
  private readonly exerciseIndex: number;
  private readonly omega: number;
  private readonly scale: number;
  private readonly lnStrike: number;
  private readonly stdDev: Float64Array;
  private readonly foreign: { lnA: Float64Array; B: Float64Array };
  private readonly domestic: { lnA: Float64Array; B: Float64Array };

  constructor(
    readonly tradeIndex: number,
    trade: FxOption,
    market: Market,
    grid: TimeGrid,
    lgmForeign: LgmOnGrid,
    lgmDomestic: LgmOnGrid,
    private readonly irForeign: number,
    private readonly irDomestic: number,
    private readonly fxForeign: number,
    private readonly fxDomestic: number,
  ) {
    if (trade.expiryDate < market.asOf) {
      throw new Error(`trade ${trade.tradeId}: an FX option that expired before the as-of date is not supported (its exercise is not in the trade data)`);
    }
    if (trade.maturityDate < trade.expiryDate) throw new Error(`trade ${trade.tradeId}: an FX option delivering before its expiry is not supported`);
    if (!(trade.strike > 0)) throw new Error(`trade ${trade.tradeId}: an FX option strike ${trade.strike} must be positive`);
    this.omega = trade.optionType === 'call' ? 1 : -1;
    this.scale = (trade.direction === 'buy' ? 1 : -1) * trade.notional;
    this.lnStrike = Math.log(trade.strike);
    this.optionLast = lastIndexBefore(grid.dates, trade.expiryDate);
    this.exerciseIndex = lastIndexOnOrBefore(grid.dates, trade.expiryDate);
    this.lastIndex = lastIndexBefore(grid.dates, trade.maturityDate);
    const delivery = market.time(trade.maturityDate);
    const expiry = market.time(trade.expiryDate);
    this.foreign = bondLogCoefficients(lgmForeign, grid, delivery);
    this.domestic = bondLogCoefficients(lgmDomestic, grid, delivery);
    this.stdDev = remainingStdDevs((t) => market.fxVol(trade.currency, trade.currency2, t), grid.times, expiry, this.optionLast);
  }

  /** The trade at date d as a device entry (the formulas of `values`); null when not alive at d. */
  deviceEntry(d: number): DeviceLegEntry | null {
    if (d > this.lastIndex) return null;
    const legs = (k: number) => {
      const termsA: LegTerm[] = [{ kind: 'ir', index: this.irForeign, grid: k, coefficient: -this.foreign.B[k]! }];
      const termsB: LegTerm[] = [{ kind: 'ir', index: this.irDomestic, grid: k, coefficient: -this.domestic.B[k]! }];
      if (this.fxForeign >= 0) termsA.push({ kind: 'fx', index: this.fxForeign, grid: k, coefficient: 1 });
      if (this.fxDomestic >= 0) termsB.push({ kind: 'fx', index: this.fxDomestic, grid: k, coefficient: 1 });
      return { constA: this.foreign.lnA[k]!, termsA, constB: this.domestic.lnA[k]! + this.lnStrike, termsB };
    };
    const base = { scale: this.scale, omega: this.omega, ...legs(d) };
    if (d <= this.optionLast) return { kind: 'black', sd: this.stdDev[d]!, constE: 0, termsE: [], ...base };
    // ω·(ln F(t_e) − ln K) > 0 with ln F(t_e) = (ln X_f − ln X_d)(t_e) + lnA_f − B_f·x_f − lnA_d + B_d·x_d at t_e
    const e = this.exerciseIndex;
    const at = legs(e);
    const termsE: LegTerm[] = [...at.termsA, ...at.termsB.map((t) => ({ ...t, coefficient: -t.coefficient }))];
    return { kind: 'exercised', sd: 0, constE: at.constA - (at.constB - this.lnStrike) - this.lnStrike, termsE, ...base };
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d > this.lastIndex) return false;
    const n = paths.nPaths;
    const off = d * n;
    const xf = paths.irState[this.irForeign]!;
    const xd = paths.irState[this.irDomestic]!;
    const ff = this.fxForeign >= 0 ? paths.fxLog[this.fxForeign]! : null;
    const fd = this.fxDomestic >= 0 ? paths.fxLog[this.fxDomestic]! : null;
    const lnAf = this.foreign.lnA[d]!;
    const bf = this.foreign.B[d]!;
    const lnAd = this.domestic.lnA[d]!;
    const bd = this.domestic.B[d]!;
    const omega = this.omega;
    const scale = this.scale;
    const lnK = this.lnStrike;
    if (d <= this.optionLast) {
      const l = legScratch(n);
      for (let p = 0; p < n; p++) {
        // Legs in base currency: FX_f·P_f(t,T_d) (one unit of foreign) and K·FX_d·P_d(t,T_d).
        const lnLegF = (ff === null ? 0 : ff[off + p]!) + lnAf - bf * xf[off + p]!;
        const lnLegD = (fd === null ? 0 : fd[off + p]!) + lnAd - bd * xd[off + p]! + lnK;
        l.lnAoverB[p] = lnLegF - lnLegD;
        l.a[p] = lnLegF;
        l.b[p] = lnLegD;
      }
      blackLegsOfLogs(omega, this.stdDev[d]!, scale, 1, l, out, n);
      return true;
    }
    // Exercised at t_e iff ω·(ln F(t_e) − ln K) > 0, F(t_e) the forward to delivery in the state at t_e.
    const e = this.exerciseIndex;
    const offE = e * n;
    const lnAfE = this.foreign.lnA[e]!;
    const bfE = this.foreign.B[e]!;
    const lnAdE = this.domestic.lnA[e]!;
    const bdE = this.domestic.B[e]!;
    for (let p = 0; p < n; p++) {
      const lnFe =
        (ff === null ? 0 : ff[offE + p]!) - (fd === null ? 0 : fd[offE + p]!) + lnAfE - bfE * xf[offE + p]! - lnAdE + bdE * xd[offE + p]!;
      if (omega * (lnFe - lnK) > 0) {
        const legF = Math.exp((ff === null ? 0 : ff[off + p]!) + lnAf - bf * xf[off + p]!);
        const legD = Math.exp((fd === null ? 0 : fd[off + p]!) + lnAd - bd * xd[off + p]! + lnK);
        out[p] = scale * omega * (legF - legD);
      } else {
        out[p] = 0;
      }
    }
    return true;
  }
}

export class EquityOptionOnPaths implements PathTrade {
  readonly lastIndex: number;
  private readonly omega: number;
  private readonly scale: number;
  private readonly strike: number;
  private readonly lnStrike: number;
  private readonly stdDev: Float64Array;
  private readonly lnDividendFactor: Float64Array;
  private readonly bond: { lnA: Float64Array; B: Float64Array };

  constructor(
    readonly tradeIndex: number,
    trade: EquityOption,
    market: Market,
    grid: TimeGrid,
    lgm: LgmOnGrid,
    private readonly irIndex: number,
    private readonly fxIndex: number,
    private readonly eqIndex: number,
  ) {
    const equity = market.equity(trade.underlying);
    if (equity.currency !== trade.currency) {
      throw new Error(`trade ${trade.tradeId}: a ${trade.currency} option on ${trade.underlying}, which trades in ${equity.currency} (quanto), is not supported`);
    }
    this.omega = trade.optionType === 'call' ? 1 : -1;
    this.scale = (trade.direction === 'buy' ? 1 : -1) * trade.quantity;
    this.strike = trade.strike;
    this.lnStrike = trade.strike > 0 ? Math.log(trade.strike) : -Infinity;
    this.lastIndex = lastIndexBefore(grid.dates, trade.expiryDate);
    const expiry = market.time(trade.expiryDate);
    this.bond = bondLogCoefficients(lgm, grid, expiry);
    const n = grid.times.length;
    this.stdDev = remainingStdDevs((t) => market.equityVol(trade.underlying, t), grid.times, expiry, this.lastIndex);
    this.lnDividendFactor = new Float64Array(n);
    for (let d = 0; d <= this.lastIndex; d++) this.lnDividendFactor[d] = -equity.dividendYield * (expiry - grid.times[d]!);
  }

  /** The trade at date d as a device entry; null when not alive; undefined for a strike ≤ 0 (host only). */
  deviceEntry(d: number): DeviceLegEntry | null | undefined {
    if (d > this.lastIndex) return null;
    if (!(this.strike > 0)) return undefined;
    // legs in base currency: S·e^{−qτ}·FX and K·P(t,T)·FX
    const termsA: LegTerm[] = [{ kind: 'eq', index: this.eqIndex, grid: d, coefficient: 1 }];
    const termsB: LegTerm[] = [{ kind: 'ir', index: this.irIndex, grid: d, coefficient: -this.bond.B[d]! }];
    if (this.fxIndex >= 0) {
      termsA.push({ kind: 'fx', index: this.fxIndex, grid: d, coefficient: 1 });
      termsB.push({ kind: 'fx', index: this.fxIndex, grid: d, coefficient: 1 });
    }
    return { kind: 'black', scale: this.scale, omega: this.omega, sd: this.stdDev[d]!, constA: this.lnDividendFactor[d]!, termsA, constB: this.bond.lnA[d]! + this.lnStrike, termsB, constE: 0, termsE: [] };
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d > this.lastIndex) return false;
    const n = paths.nPaths;
    const off = d * n;
    const xs = paths.irState[this.irIndex]!;
    const eq = paths.eqLog[this.eqIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const lnA = this.bond.lnA[d]!;
    const B = this.bond.B[d]!;
    const lnQ = this.lnDividendFactor[d]!;
    const sd = this.stdDev[d]!;
    const { omega, scale, strike, lnStrike } = this;
    if (strike > 0) {
      const l = legScratch(n);
      for (let p = 0; p < n; p++) {
        const lnFx = fx === null ? 0 : fx[off + p]!;
        // Legs in base currency: S·e^{−qτ}·FX and K·P(t,T)·FX.
        const lnLegS = eq[off + p]! + lnQ + lnFx;
        const lnBond = lnA - B * xs[off + p]! + lnFx;
        l.lnAoverB[p] = lnLegS - lnBond - lnStrike;
        l.a[p] = lnLegS;
        l.b[p] = lnBond;
      }
      blackLegsOfLogs(omega, sd, scale, strike, l, out, n);
      return true;
    }
    for (let p = 0; p < n; p++) {
      const lnFx = fx === null ? 0 : fx[off + p]!;
      const lnLegS = eq[off + p]! + lnQ + lnFx;
      const lnBond = lnA - B * xs[off + p]! + lnFx;
      // A non-positive strike: the call is always exercised, the put never (pricing/black.ts black76).
      out[p] = scale * (omega > 0 ? Math.exp(lnLegS) - strike * Math.exp(lnBond) : 0);
    }
    return true;
  }
}

/** Share-price part of the equity forwards on one share: value = coefficient[d]·S(t)·FX(t). */
export class EquityLinear {
  readonly coefficient: Float64Array;
  readonly tradeIndices: number[] = [];
  readonly tradeCoefficients: Float64Array[] = [];
  lastIndex = -1;

  constructor(
    readonly eqIndex: number,
    readonly fxIndex: number,
    nDates: number,
  ) {
    this.coefficient = new Float64Array(nDates);
  }

  /** quantity·e^{−q(T−t)} per date while alive (dates before maturity). */
  addForward(tradeIndex: number, signedQuantity: number, dividendYield: number, maturityYears: number, lastIndex: number, grid: TimeGrid): void {
    const c = new Float64Array(this.coefficient.length);
    for (let d = 0; d <= lastIndex; d++) {
      c[d] = signedQuantity * Math.exp(-dividendYield * (maturityYears - grid.times[d]!));
      this.coefficient[d] += c[d]!;
    }
    this.tradeIndices.push(tradeIndex);
    this.tradeCoefficients.push(c);
    if (lastIndex > this.lastIndex) this.lastIndex = lastIndex;
  }

  /** The share part at date d as a device entry (coefficient·S·FX); null when nothing is alive at d. */
  deviceEntry(d: number): DeviceLegEntry | null {
    const c = this.coefficient[d]!;
    if (d > this.lastIndex || c === 0) return null;
    const termsA: LegTerm[] = [{ kind: 'eq', index: this.eqIndex, grid: d, coefficient: 1 }];
    if (this.fxIndex >= 0) termsA.push({ kind: 'fx', index: this.fxIndex, grid: d, coefficient: 1 });
    return { kind: 'linear', scale: c, omega: 1, sd: 0, constA: 0, termsA, constB: 0, termsB: [], constE: 0, termsE: [] };
  }

  addValues(d: number, paths: SimulatedPaths, out: Float64Array): void {
    const c = this.coefficient[d]!;
    if (d > this.lastIndex || c === 0) return;
    const n = paths.nPaths;
    const off = d * n;
    const eq = paths.eqLog[this.eqIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    for (let p = 0; p < n; p++) out[p] += c * Math.exp(eq[off + p]! + (fx === null ? 0 : fx[off + p]!));
  }

  accumulateTradeWeighted(d: number, paths: SimulatedPaths, weights: Float64Array, out: Float64Array, weights2?: Float64Array, out2?: Float64Array): void {
    if (d > this.lastIndex) return;
    const n = paths.nPaths;
    const off = d * n;
    const eq = paths.eqLog[this.eqIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const two = weights2 !== undefined && out2 !== undefined;
    let weighted = 0;
    let weighted2 = 0;
    for (let p = 0; p < n; p++) {
      const s = Math.exp(eq[off + p]! + (fx === null ? 0 : fx[off + p]!));
      weighted += weights[p]! * s;
      if (two) weighted2 += weights2[p]! * s;
    }
    for (let i = 0; i < this.tradeIndices.length; i++) {
      const c = this.tradeCoefficients[i]![d]!;
      out[this.tradeIndices[i]!] += c * weighted;
      if (two) out2[this.tradeIndices[i]!] += c * weighted2;
    }
  }
}
