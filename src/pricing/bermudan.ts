/**
 * Bermudan swaptions (products/types.ts Swaption with `exerciseDates`): the right, on each exercise date E_k, to enter
 * the remaining swap of the periods accruing from the first fixed-leg accrual start on or after E_k (physical
 * settlement; the co-terminal swaps of a callable swap). Valued under a one-factor LGM of the currency: with a swaption
 * vol surface, the deal's own, calibrated to its co-terminal Europeans (bermudanCalibration.ts); with Hull-White
 * parameters in the market file, those (the model the exposure engine simulates). By backward induction of the deflated value v = V/N on a grid of the state x
 * (ORE's and QuantLib's Gaussian1d convolution engines take the same route):
 *
 * - between two dates t < T, v(t, x) = E[v(T, X_T) | X_t = x] with X_T − X_t ~ N(0, ζ(T) − ζ(t)) under the LGM measure;
 *   v(T, ·) is taken piecewise linear between the nodes (extended linearly beyond the outer nodes) and integrated
 *   against the Gaussian density exactly, cell by cell (Φ and φ of (x_k − x_j)/s, one table per step on the uniform grid),
 *   with its second-order error removed: each smooth cell's line lowered by the mean error of linear interpolation
 *   (h²·v''/12), the exercise kink held exactly in its cell (rollBack), fourth order in the node spacing;
 * - on an exercise date v = max(u_k, v), u_k(x) = Σ_i c_i·P(0, T_i)·e^{−H_i·x − ½·H_i²·ζ(E_k)} the deflated value of
 *   the holder's swap k (each floating coupon N·τ·(L + spread) as +N·β·P(s) − N·(1 − τ·spread)·P(e) with β the index's
 *   deterministic basis to the discount curve, each fixed coupon −N·K·τ·P(pay); amortising and step-up legs period by
 *   period, as pricing/legs.ts);
 * - today v(0, 0) is the price (N(0, 0) = 1).
 *
 * Exercise dates before today are gone (the trade data says the option was not exercised); a Bermudan whose every
 * exercise date has passed is refused, as a European one.
 */
import type { DateSerial } from '../conventions/dates.js';
import type { Market } from '../market/types.js';
import type { Currency, Swaption } from '../products/types.js';
import { lgmModel, type LgmModel } from '../simulation/models/lgm/parameters.js';
import { currencyLgmParams } from '../simulation/crossAsset/calibration.js';
import { dealCalibration } from './bermudanCalibration.js';
import type { HullWhiteParams } from '../market/types.js';
import { normCdf, normPdf } from './black.js';
import { basisRatio, discountCurveFor, unsupported } from './curves.js';
import { fixedLegFlows, floatLegFlows } from './legs.js';
import { buildSchedule } from '../conventions/schedule.js';
import { projectionFor } from './swaps.js';

/** Half the number of intervals of the state grid (nodes −J..J), and its half-width in standard deviations of x at the last exercise. */
export const BERMUDAN_GRID_HALF_NODES = 400;
export const BERMUDAN_GRID_WIDTH_SD = 8;

/** The swap a holder enters on one exercise date, as zero bonds of the LGM's curve (holder's side). */
export interface ExerciseSwap {
  /** Exercise date and time (years). */
  exerciseDate: DateSerial;
  exerciseTime: number;
  /** The first accrual start of the swap entered (the fixed leg's first on or after the exercise date). */
  startDate: DateSerial;
  startTime: number;
  /** Bond maturities (years, increasing, distinct) and amounts: V(t) = Σ amount·P(t, T) while every T > t. */
  times: Float64Array;
  amounts: Float64Array;
}

/** The accrual starts of the fixed leg from its start (its exercise rhythm). */
function fixedAccrualStarts(trade: Swaption): Int32Array {
  return buildSchedule(trade.fixedLeg).accrualStart;
}

/**
 * The exercise dates still to come (on or after today) with the swap each one enters, holder's side (a payer receives
 * the floating leg), its bonds on `model`'s curve; undefined-free: throws when every date has passed.
 */
export function exerciseSwaps(trade: Swaption, market: Market, model: Pick<LgmModel, 'discount'>): ExerciseSwap[] {
  const dates = trade.exerciseDates ?? [trade.expiryDate];
  const omega = trade.optionType === 'payer' ? 1 : -1;
  const fixed = fixedLegFlows(trade.fixedLeg, market);
  const projection = projectionFor(trade.tradeId, trade.floatLeg, market);
  const float = floatLegFlows(trade.floatLeg, market, projection);
  const starts = fixedAccrualStarts(trade);
  const spread = trade.floatLeg.spreadBp / 1e4;
  const out: ExerciseSwap[] = [];
  for (const exerciseDate of dates) {
    if (exerciseDate < market.asOf) continue;
    let startDate = -1;
    for (const s of starts) {
      if (s >= exerciseDate) {
        startDate = s;
        break;
      }
    }
    if (startDate < 0) continue; // no period left to enter
    const startTime = market.time(startDate);
    const flows = new Map<number, number>();
    const add = (t: number, amount: number): void => {
      flows.set(t, (flows.get(t) ?? 0) + amount);
    };
    // a period belongs to the swap when it accrues from its start on (times compared with a day's tolerance)
    const from = startTime - 0.5 / 365;
    for (let k = 0; k < fixed.count; k++) if (fixed.accrualStartTimes[k]! >= from) add(fixed.paymentTimes[k]!, -omega * fixed.amounts[k]!);
    for (let k = 0; k < float.count; k++) {
      const s = float.accrualStartTimes[k]!;
      if (s < from) continue;
      const e = float.accrualEndTimes[k]!;
      const beta = basisRatio(projection, model, s, e);
      add(s, omega * float.notionals[k]! * beta);
      add(e, omega * float.notionals[k]! * (float.accrualFractions[k]! * spread - 1));
    }
    const times = Float64Array.from([...flows.keys()].sort((a, b) => a - b));
    out.push({ exerciseDate, exerciseTime: market.time(exerciseDate), startDate, startTime, times, amounts: Float64Array.from(times, (t) => flows.get(t)!) });
  }
  if (out.length === 0) throw unsupported(trade.tradeId, 'a Bermudan swaption whose exercise dates have all passed (its exercise is not in the trade data: an exercised swaption is an IRS)');
  return out;
}

/** The uniform state grid: x_j = (j − J)·h, j = 0..2J. */
export interface StateNodes {
  half: number;
  h: number;
  x: Float64Array;
}

export function stateNodes(zetaLast: number, half = BERMUDAN_GRID_HALF_NODES, widthSd = BERMUDAN_GRID_WIDTH_SD): StateNodes {
  const sd = Math.sqrt(Math.max(zetaLast, 0));
  // a model without variance still needs a grid (the values are then those at x = 0)
  const h = (widthSd * (sd > 0 ? sd : 1e-4)) / half;
  const x = new Float64Array(2 * half + 1);
  for (let j = 0; j < x.length; j++) x[j] = (j - half) * h;
  return { half, h, x };
}

/** The cells' lines of rollBack, reused from call to call (one lattice at a time per thread). */
let lineScratch = new Float64Array(0);

/** Standard deviations beyond which a cell's Gaussian weight is dropped (Φ(−8.5) ≈ 1e-17: below a double's rounding). */
const KERNEL_REACH_SD = 8.5;

/** The two smooth functions whose maximum is v on an exercise date: the exercise value u_k and the continuation c_k. */
export interface ExercisePieces {
  exercise: Float64Array;
  continuation: Float64Array;
}

/**
 * The factor of the h²·f''/12 correction that makes the roll exact for a quadratic f at the nodes: the linear
 * interpolant's error ½·f''·(y − a)(b − y) is, per cell, the periodic function f''·h²·(1/12 − Σ_n cos(2πny/h)/(2π²n²))
 * (Fourier series of the parabola), whose oscillating terms the Gaussian of standard deviation s damps by
 * e^{−2π²n²(s/h)²}; at a node (y = 0) the convolved error is f''·h²/12·κ with κ = 1 − (6/π²)·Σ_n e^{−2π²n²σ²}/n², σ = s/h
 * (κ = 0 for s = 0: the interpolant is exact at its nodes; κ = 1 − 2e-9 from σ = 1 on).
 */
export function curvatureFactor(sigmaCells: number): number {
  const a = 2 * Math.PI * Math.PI * sigmaCells * sigmaCells;
  let sum = 0;
  for (let k = 1; k <= 100000; k++) {
    const term = Math.exp(-a * k * k) / (k * k);
    sum += term;
    if (term < 1e-18) break;
  }
  return Math.max(0, 1 - (6 / (Math.PI * Math.PI)) * sum);
}

/**
 * v(t, x_j) = E[v(T, x_j + s·Z)] for v(T, ·) piecewise linear on the nodes (extended linearly beyond them): the exact
 * Gaussian integral of each cell, (α + β·x_j)·(Φ(u_b) − Φ(u_a)) + β·s·(φ(u_a) − φ(u_b)) with u = (y − x_j)/s, whose Φ and
 * φ depend on k − j only. Cells farther than KERNEL_REACH_SD·s from x_j weigh nothing a double can hold and are skipped;
 * so are the target nodes beyond KERNEL_REACH_SD standard deviations of the state at t (`sdAt`), which no path reaches:
 * they take the nearest computed node's value (finite, never read in practice). Writes `out` (distinct from `v`).
 *
 * The linear interpolant alone overstates E[v] of a convex v by h²/12·E[v''] (second order in the spacing h; an audit
 * found it accumulating over a 40-date Bermudan to 2.9e-3 of the price on 801 nodes), so two corrections make the roll
 * fourth order at the cost of the linear one:
 * - each smooth cell's line is lowered by κ·h²·v''/12 (curvatureFactor), v'' from the cell-centred second difference
 *   (v_{k−1} − v_k − v_{k+1} + v_{k+2})/(2h²): the mean error of linear interpolation of a quadratic (Simpson's rule's
 *   correction of the trapezoid rule);
 * - with `pieces` (v = max(u, c) on an exercise date) the second difference is that of the side holding the cell (u or
 *   c, both smooth: one across the kink would be a delta), and the cell where u − c changes sign holds the kink
 *   exactly: max(u, c) there is two lines meeting at the crossing p of the interpolated u and c, i.e. the chord plus a
 *   tent of height e at p, integrated in closed form (Φ and φ at p once per target node).
 */
export function rollBack(nodes: StateNodes, v: Float64Array, s: number, out: Float64Array, sdAt = Number.POSITIVE_INFINITY, stride: 1 | 2 = 1, pieces?: ExercisePieces): void {
  const n = v.length;
  if (!(s > 0)) {
    for (let q = 0; q < out.length; q++) out[q] = v[q * stride]!;
    return;
  }
  const h = nodes.h;
  const x = nodes.x;
  const reach = Math.min(n, Math.ceil((KERNEL_REACH_SD * s) / h) + 1);
  // Φ((k − j)·h/s) and φ(...) for m = k − j in −(reach + 1)..(reach + 1) (beyond: 0 or 1)
  const size = 2 * reach + 3;
  const Phi = new Float64Array(size);
  const phi = new Float64Array(size);
  for (let m = -(reach + 1); m <= reach + 1; m++) {
    const u = (m * h) / s;
    Phi[m + reach + 1] = normCdf(u);
    phi[m + reach + 1] = normPdf(u);
  }
  const at = (m: number): number => m + reach + 1;
  const half = nodes.half;
  let span = Number.isFinite(sdAt) ? Math.ceil(((KERNEL_REACH_SD + 0.5) * sdAt) / h) + 4 : half;
  if (stride === 2) span += span & 1; // jLo and jHi on even nodes (half is even)
  const jLo = Math.max(0, half - span);
  const jHi = Math.min(n - 1, half + span);
  // each cell's line α + β·y, for the cells the target nodes reach (scratch reused across calls)
  if (lineScratch.length < 2 * n) lineScratch = new Float64Array(2 * n);
  const alpha = lineScratch;
  const beta = lineScratch.subarray(n);
  const cLo = Math.max(0, jLo - reach);
  const cHi = Math.min(n - 2, jHi + reach);
  for (let k = cLo; k <= cHi; k++) {
    beta[k] = (v[k + 1]! - v[k]!) / h;
    alpha[k] = v[k]! - beta[k]! * x[k]!;
  }
  if (cLo > 0) {
    beta[0] = (v[1]! - v[0]!) / h;
    alpha[0] = v[0]! - beta[0]! * x[0]!;
  }
  if (cHi < n - 2) {
    beta[n - 2] = (v[n - 1]! - v[n - 2]!) / h;
    alpha[n - 2] = v[n - 2]! - beta[n - 2]! * x[n - 2]!;
  }
  const tents = correctCells(v, pieces, Math.max(cLo, 1), Math.min(cHi, n - 3), curvatureFactor(s / h), x, h, alpha);
  for (let j = jLo; j <= jHi; j += stride) {
    const xj = x[j]!;
    let sum = 0;
    const kLo = Math.max(0, j - reach);
    const kHi = Math.min(n - 2, j + reach);
    // left tail (−∞, x_0] on cell 0's line, when x_0 is within reach
    if (kLo === 0) {
      const ib = at(-j);
      sum += (alpha[0]! + beta[0]! * xj) * Phi[ib]! - beta[0]! * s * phi[ib]!;
    }
    for (let k = kLo; k <= kHi; k++) {
      const ia = at(k - j);
      const ib = ia + 1;
      const a = alpha[k]!;
      const b = beta[k]!;
      sum += (a + b * xj) * (Phi[ib]! - Phi[ia]!) + b * s * (phi[ia]! - phi[ib]!);
    }
    // right tail [x_{n−1}, ∞) on the last cell's line, when within reach
    if (kHi === n - 2) {
      const ia = at(n - 1 - j);
      const a = alpha[n - 2]!;
      const b = beta[n - 2]!;
      sum += (a + b * xj) * (1 - Phi[ia]!) + b * s * phi[ia]!;
    }
    for (const tent of tents) if (Math.abs(tent.cell - j) <= reach) sum += tentIntegral(tent, xj, s, Phi[at(tent.cell - j)]!, phi[at(tent.cell - j)]!, Phi[at(tent.cell + 1 - j)]!, phi[at(tent.cell + 1 - j)]!);
    out[j / stride] = sum;
  }
  const qLo = jLo / stride;
  const qHi = jHi / stride;
  for (let q = 0; q < qLo; q++) out[q] = out[qLo]!;
  for (let q = qHi + 1; q < out.length; q++) out[q] = out[qHi]!;
}

/** A kink cell's tent: zero at the cell's ends x_a = x_cell, x_b = x_a + h, height `height` at `p` (x_a < p < x_b). */
interface Tent {
  cell: number;
  a: number;
  b: number;
  p: number;
  height: number;
}

/**
 * Lowers each smooth cell's line constant α_k (cells kLo..kHi) by κ·h²·f''/12 and gives the kink cells' tents (see
 * rollBack); f is v, or with pieces the side (u or c) that holds the cell.
 */
function correctCells(v: Float64Array, pieces: ExercisePieces | undefined, kLo: number, kHi: number, kappa: number, x: Float64Array, h: number, alpha: Float64Array): Tent[] {
  const tents: Tent[] = [];
  const u = pieces?.exercise;
  const c = pieces?.continuation;
  for (let k = kLo; k <= kHi; k++) {
    let f = v;
    if (u && c) {
      const da = u[k]! - c[k]!;
      const db = u[k + 1]! - c[k + 1]!;
      if (da * db < 0) {
        // the interpolated u and c cross at p = x_k + θ·h; max(u, c) there exceeds the chord of v by the tent's height
        const theta = da / (da - db);
        const onU = u[k]! + theta * (u[k + 1]! - u[k]!);
        const chord = v[k]! + theta * (v[k + 1]! - v[k]!);
        const height = onU - chord;
        if (theta > 0 && theta < 1 && height !== 0) tents.push({ cell: k, a: x[k]!, b: x[k + 1]!, p: x[k]! + theta * h, height });
        continue; // no curvature correction across the kink (second order in one cell only)
      }
      f = da + db >= 0 ? u : c;
    }
    // h²·f'' at the cell's middle from the centred second difference (error O(h⁴))
    const h2f2 = 0.5 * (f[k - 1]! - f[k]! - f[k + 1]! + f[k + 2]!);
    alpha[k] -= (kappa * h2f2) / 12;
  }
  return tents;
}

/**
 * E[tent(x_j + s·Z)]: height·[∫_a^p (y − a)/(p − a) + ∫_p^b (b − y)/(b − p)] against the density of N(x_j, s²), each a
 * first moment of the Gaussian on an interval (∫ (x_j − a + s·z)·φ(z) dz = (x_j − a)·ΔΦ − s·Δφ).
 */
function tentIntegral(tent: Tent, xj: number, s: number, PhiA: number, phiA: number, PhiB: number, phiB: number): number {
  const up = (tent.p - xj) / s;
  const PhiP = normCdf(up);
  const phiP = normPdf(up);
  const left = ((xj - tent.a) * (PhiP - PhiA) + s * (phiA - phiP)) / (tent.p - tent.a);
  const right = ((tent.b - xj) * (PhiB - PhiP) + s * (phiB - phiP)) / (tent.b - tent.p);
  return tent.height * (left + right);
}

/** u(x_j) = Σ_i c_i·P(0, T_i)·e^{−H_i·x_j − ½·H_i²·ζ}: a swap's deflated value on the nodes at a date of variance ζ. */
export function deflatedSwapOnNodes(model: LgmModel, swap: ExerciseSwap, zeta: number, nodes: StateNodes, out: Float64Array): void {
  const m = swap.times.length;
  const weight = new Float64Array(m);
  const H = new Float64Array(m);
  const half = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const t = swap.times[i]!;
    H[i] = model.H(t);
    weight[i] = swap.amounts[i]! * model.discount(t);
    half[i] = 0.5 * H[i]! * H[i]! * zeta;
  }
  // on the uniform nodes e^{−H·x_j} = e^{−H·x_0}·(e^{−H·h})^j: one exponential per bond and a product per node
  // (the running product drifts by about j ulps: 1e-13 relative at the last of 801 nodes), bonds summed in order
  const n = nodes.x.length;
  out.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const step = Math.exp(-H[i]! * nodes.h);
    let term = weight[i]! * Math.exp(-H[i]! * nodes.x[0]! - half[i]!);
    for (let j = 0; j < n; j++) {
      out[j] += term;
      term *= step;
    }
  }
}

/** The backward induction's answer: the holder's deflated value on the nodes at each value time, and per exercise the continuation. */
export interface BermudanLattice {
  nodes: StateNodes;
  /** Every other node (spacing 2h; x = 0 kept): the value times' nodes, read by fourth-order interpolation. */
  valueNodes: StateNodes;
  swaps: ExerciseSwap[];
  /** v(t, x) on valueNodes at each requested value time (deflated, holder's side), in the order asked; after the last exercise: zeros. */
  values: Float64Array[];
  /** Per exercise (swaps' order): the continuation value c_k(x_j) (deflated) and u_k(x_j), the exercise value. */
  continuation: Float64Array[];
  exercise: Float64Array[];
  /** ζ at each exercise time. */
  exerciseZeta: Float64Array;
  /** Per exercise: the deflated value after the holder's choice, max(u_k, c_k), on every node. */
  after: Float64Array[];
}

/**
 * Rolls the Bermudan back over its exercise dates, from the last to the first, and gives its deflated value at each of
 * `valueTimes` (years, ≥ 0, any order): a value time in (E_{k−1}, E_k] is one convolution of v(E_k) = max(u_k, c_k)
 * (before E_0: of v(E_0)), so every value time, today's included, carries one step's error whatever the others.
 * After the last exercise: zeros. `givenNodes`: the state grid (default: ±8 standard deviations at the last exercise).
 */
export function bermudanLattice(model: LgmModel, swaps: ExerciseSwap[], valueTimes: readonly number[], givenNodes?: StateNodes): BermudanLattice {
  const m = swaps.length;
  const last = swaps[m - 1]!.exerciseTime;
  const nodes = givenNodes ?? stateNodes(model.zeta(last));
  const n = nodes.x.length;
  const continuation: Float64Array[] = swaps.map(() => new Float64Array(n));
  const exercise: Float64Array[] = swaps.map(() => new Float64Array(n));
  const exerciseZeta = Float64Array.from(swaps, (s) => model.zeta(s.exerciseTime));
  // v at each exercise date after the holder's choice, max(u_k, c_k), on every node (the next roll reads them all; a
  // value time's nodes beyond the reach of its paths are left as the nearest computed one, and never read)
  const after: Float64Array[] = swaps.map(() => new Float64Array(n));
  for (let k = m - 1; k >= 0; k--) {
    if (k < m - 1) rollBack(nodes, after[k + 1]!, Math.sqrt(Math.max(exerciseZeta[k + 1]! - exerciseZeta[k]!, 0)), continuation[k]!, Number.POSITIVE_INFINITY, 1, { exercise: exercise[k + 1]!, continuation: continuation[k + 1]! });
    deflatedSwapOnNodes(model, swaps[k]!, exerciseZeta[k]!, nodes, exercise[k]!);
    const c = continuation[k]!;
    const u = exercise[k]!;
    const v = after[k]!;
    for (let j = 0; j < n; j++) v[j] = u[j]! > c[j]! ? u[j]! : c[j]!;
  }
  // the value times on every other node: their integrals still read every cell of v(E_k), so halving the targets halves
  // their cost and keeps the integration's accuracy; a path interpolates them to fourth order on spacing 2h
  const valueNodes: StateNodes = { half: nodes.half / 2, h: 2 * nodes.h, x: nodes.x.filter((_, j) => j % 2 === 0) };
  const values = valueTimes.map((t) => {
    const out = new Float64Array(valueNodes.x.length);
    if (t > last) return out;
    let k = 0;
    while (swaps[k]!.exerciseTime < t) k++;
    const zetaT = model.zeta(t);
    rollBack(nodes, after[k]!, Math.sqrt(Math.max(exerciseZeta[k]! - zetaT, 0)), out, Math.sqrt(zetaT), 2, { exercise: exercise[k]!, continuation: continuation[k]! });
    return out;
  });
  return { nodes, valueNodes, swaps, values, continuation, exercise, exerciseZeta, after };
}

/** Deflated value at x by linear interpolation on the nodes (the lattice's own representation), linear beyond them. */
export function onNodes(nodes: StateNodes, v: Float64Array, x: number): number {
  const n = v.length;
  let f = x / nodes.h + nodes.half;
  let k = Math.floor(f);
  if (k < 0) k = 0;
  else if (k > n - 2) k = n - 2;
  f -= k;
  return v[k]! + f * (v[k + 1]! - v[k]!);
}

const paramsCache = new WeakMap<Market, Map<Currency, HullWhiteParams>>();

/** The currency's LGM parameters as the exposure engine builds them (given, or calibrated once per market object). */
export function engineLgmParams(market: Market, currency: Currency): HullWhiteParams {
  let byCurrency = paramsCache.get(market);
  if (!byCurrency) paramsCache.set(market, (byCurrency = new Map()));
  let params = byCurrency.get(currency);
  if (!params) byCurrency.set(currency, (params = currencyLgmParams(market, currency).params));
  return params;
}

/** Today's value of a Bermudan swaption in its currency (sign by direction). */
export function priceBermudanSwaption(trade: Swaption, market: Market, collateralCurrency?: Currency): number {
  const ccy = trade.fixedLeg.currency;
  if (trade.floatLeg.currency !== ccy) throw unsupported(trade.tradeId, `a swaption on legs in ${ccy} and ${trade.floatLeg.currency}`);
  if (trade.settlement !== 'physical') throw unsupported(trade.tradeId, 'a cash-settled Bermudan swaption');
  const engine = lgmModel(engineLgmParams(market, ccy), discountCurveFor(market, ccy, collateralCurrency));
  const model = dealCalibration(trade, market, engine)?.model ?? engine;
  const swaps = exerciseSwaps(trade, market, model);
  const lattice = bermudanLattice(model, swaps, [0]);
  const value = lattice.values[0]![lattice.valueNodes.half]!;
  return (trade.direction === 'buy' ? 1 : -1) * value;
}
