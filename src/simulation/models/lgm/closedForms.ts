/**
 * Closed forms of the LGM model at t = 0: European zero-bond options and European options on a zero-bond portfolio
 * (swaptions), by Jamshidian's decomposition written in LGM terms.
 *
 * Under the LGM measure x(T_e) ~ N(0, ζ_e) and the deflated bond is P(T_e, T, x)/N(T_e, x) = P(0,T)·e^{−H(T)x − ½H(T)²ζ_e}.
 * With x = √ζ_e·y and sᵢ = H(Tᵢ)√ζ_e, the deflated underlying of a portfolio Σ cᵢP(T_e, Tᵢ) is
 *
 *   g(y) = Σ aᵢ·e^{−sᵢy − ½sᵢ²},   aᵢ = cᵢ·P(0, Tᵢ),
 *
 * and since e^{−sy − ½s²}φ(y) = φ(y + s), the option price E[(ω·g(y))⁺] is a sum of normal probabilities over the
 * intervals where ω·g > 0, whose ends are the roots y* of g (Jamshidian 1989: the exercise boundary x* = √ζ_e·y*).
 * For a single root this is exactly Σ ωcᵢ·ZBO(Tᵢ, strike P(T_e, Tᵢ, x*)), Jamshidian's sum of zero-bond options.
 */
import { normCdf } from '../../../pricing/black.js';
import { XvaInternalError } from '../../../errors.js';
import { brentRoot } from './brent.js';
import type { LgmModel } from './parameters.js';
import type { ZeroBondPortfolio } from './swaps.js';

/** Φ(hi) − Φ(lo) for lo <= hi, in the tail where it does not cancel; ±Infinity allowed. */
function normalMass(lo: number, hi: number): number {
  if (lo >= 0) return normCdf(-lo) - normCdf(-hi);
  return normCdf(hi) - normCdf(lo);
}

/**
 * Price today of a European option expiring at `expiry` on the zero bond maturing at `maturity` > expiry, strike
 * `strike` (paid at expiry): the Black formula on the forward bond with total standard deviation
 * σ_P = (H(T) − H(t_e))·√ζ(t_e) (LSG §11.5; Brigo & Mercurio eq. 3.41 in LGM form).
 */
export function lgmZeroBondOption(model: LgmModel, expiry: number, maturity: number, strike: number, type: 'call' | 'put'): number {
  if (!(maturity >= expiry) || !(expiry >= 0)) throw new XvaInternalError(`zero-bond option needs 0 <= expiry <= maturity, got ${expiry}, ${maturity}`);
  const bondToday = model.discount(maturity);
  const strikeToday = strike * model.discount(expiry);
  const stdDev = (model.H(maturity) - model.H(expiry)) * Math.sqrt(model.zeta(expiry));
  const sign = type === 'call' ? 1 : -1;
  if (!(stdDev > 0) || !(strike > 0)) return Math.max(sign * (bondToday - strikeToday), 0);
  const dPlus = Math.log(bondToday / strikeToday) / stdDev + 0.5 * stdDev;
  const dMinus = dPlus - stdDev;
  return sign * (bondToday * normCdf(sign * dPlus) - strikeToday * normCdf(sign * dMinus));
}

/** Intermediate quantities of a portfolio option, reusable while only ζ changes (calibration). */
interface PortfolioTerms {
  readonly a: Float64Array;
  readonly h: Float64Array;
  readonly signChanges: number;
}

function portfolioTerms(model: LgmModel, expiry: number, bonds: ZeroBondPortfolio): PortfolioTerms {
  const n = bonds.times.length;
  if (n === 0 || bonds.amounts.length !== n) throw new XvaInternalError(`a zero-bond portfolio needs matching times and amounts, got ${n} and ${bonds.amounts.length}`);
  const a = new Float64Array(n);
  const h = new Float64Array(n);
  // H shifted to 0 at the expiry: the LGM's invariance H → H + c (the factor exp(−H(T_e)x − ½H(T_e)²ζ) common to
  // every term comes out of the payoff as a change of measure), so the price is the same, and the terms exp(−h·x −
  // ½h²ζ) no longer underflow when H(T_e)·√ζ is large (mean reversion 0.5 and a 20Y expiry gave 0)
  const he = model.H(expiry);
  let signChanges = 0;
  let lastSign = 0;
  for (let i = 0; i < n; i++) {
    const t = bonds.times[i]!;
    if (t < expiry) throw new XvaInternalError(`a flow at ${t} years precedes the option expiry ${expiry}`);
    if (i > 0 && !(t > bonds.times[i - 1]!)) throw new XvaInternalError('zero-bond portfolio times must increase strictly');
    a[i] = bonds.amounts[i]! * model.discount(t);
    h[i] = model.H(t) - he;
    const sign = Math.sign(a[i]!);
    if (sign !== 0) {
      if (lastSign !== 0 && sign !== lastSign) signChanges++;
      lastSign = sign;
    }
  }
  return { a, h, signChanges };
}

/** g(y) of the file comment. */
function deflatedUnderlying(terms: PortfolioTerms, sd: number, y: number): number {
  const { a, h } = terms;
  let g = 0;
  for (let i = 0; i < a.length; i++) {
    const s = h[i]! * sd;
    g += a[i]! * Math.exp(-s * y - 0.5 * s * s);
  }
  return g;
}

const ROOT_TOLERANCE = 1e-14;
/** Grid step (in standard deviations of x) of the scan for several exercise boundaries. */
const SCAN_STEP = 0.02;
const SCAN_WIDTH = 12;

/**
 * Roots of g in increasing order. By the rule of signs for exponential sums (Laguerre's extension of Descartes), g
 * has at most as many real roots as its coefficients aᵢ (ordered by H) have sign changes. With at most one change
 * the single root is bracketed from the limits and refined by Brent; otherwise (multi-curve swaps, whose float
 * legs add small negative bonds) a grid of step 0.02 standard deviations over the range where the terms have mass
 * is scanned and each sign change refined.
 */
function exerciseBoundaries(terms: PortfolioTerms, sd: number): number[] {
  const { a, h } = terms;
  const n = a.length;
  const f = (y: number): number => deflatedUnderlying(terms, sd, y);
  if (terms.signChanges <= 1) {
    // g(−∞) has the sign of the last (largest H) term, g(+∞) that of the first.
    let first = 0;
    while (first < n && a[first] === 0) first++;
    let last = n - 1;
    while (last >= 0 && a[last] === 0) last--;
    if (first > last || Math.sign(a[first]!) === Math.sign(a[last]!) || h[first] === h[last]) return [];
    let lo = -1;
    let hi = 1;
    let fLo = f(lo);
    let fHi = f(hi);
    for (let k = 0; k < 60 && Math.sign(fLo) === Math.sign(fHi); k++) {
      lo *= 2;
      hi *= 2;
      fLo = f(lo);
      fHi = f(hi);
    }
    if (Math.sign(fLo) === Math.sign(fHi)) return [];
    return [brentRoot(f, lo, hi, fLo, fHi, ROOT_TOLERANCE)];
  }
  let sMin = Infinity;
  let sMax = -Infinity;
  for (let i = 0; i < n; i++) {
    sMin = Math.min(sMin, h[i]! * sd);
    sMax = Math.max(sMax, h[i]! * sd);
  }
  // Term i has the density φ(y + sᵢ), centred at −sᵢ.
  const from = -sMax - SCAN_WIDTH;
  const to = -sMin + SCAN_WIDTH;
  const steps = Math.ceil((to - from) / SCAN_STEP);
  const roots: number[] = [];
  let yPrev = from;
  let gPrev = f(yPrev);
  for (let k = 1; k <= steps; k++) {
    const y = from + k * SCAN_STEP;
    const g = f(y);
    if (g === 0) roots.push(y);
    else if (gPrev !== 0 && Math.sign(g) !== Math.sign(gPrev)) roots.push(brentRoot(f, yPrev, y, gPrev, g, ROOT_TOLERANCE));
    yPrev = y;
    gPrev = g;
  }
  return roots;
}

function optionFromTerms(terms: PortfolioTerms, sd: number, omega: number): number {
  const { a, h } = terms;
  const n = a.length;
  if (!(sd > 0)) {
    let intrinsic = 0;
    for (let i = 0; i < n; i++) intrinsic += a[i]!;
    return Math.max(omega * intrinsic, 0);
  }
  const roots = exerciseBoundaries(terms, sd);
  const bounds = [-Infinity, ...roots, Infinity];
  let price = 0;
  for (let r = 0; r + 1 < bounds.length; r++) {
    const lo = bounds[r]!;
    const hi = bounds[r + 1]!;
    // Sign of g inside the interval, from a point safely inside it.
    const probe = !Number.isFinite(lo) ? (Number.isFinite(hi) ? hi - 1 : 0) : !Number.isFinite(hi) ? lo + 1 : 0.5 * (lo + hi);
    if (omega * deflatedUnderlying(terms, sd, probe) <= 0) continue;
    for (let i = 0; i < n; i++) {
      const s = h[i]! * sd;
      price += omega * a[i]! * normalMass(lo + s, hi + s);
    }
  }
  return Math.max(price, 0);
}

/**
 * Price today of a European option expiring at `expiry` on the zero-bond portfolio `bonds` (value Σ cᵢP(t, Tᵢ),
 * all Tᵢ >= expiry): 'receiver' pays max(V, 0) at expiry, 'payer' max(−V, 0). For `receiverSwapBonds` this is the
 * receiver / payer swaption per unit notional.
 */
export function lgmSwaption(model: LgmModel, expiry: number, bonds: ZeroBondPortfolio, type: 'payer' | 'receiver'): number {
  const terms = portfolioTerms(model, expiry, bonds);
  return optionFromTerms(terms, Math.sqrt(model.zeta(expiry)), type === 'receiver' ? 1 : -1);
}

/**
 * The same price as a function of ζ(expiry) alone (H and the curve fixed): what the bootstrap calibration solves
 * on. Returns a pricer that allocates nothing per call.
 */
export function lgmSwaptionByZeta(
  model: LgmModel,
  expiry: number,
  bonds: ZeroBondPortfolio,
  type: 'payer' | 'receiver',
): (zetaAtExpiry: number) => number {
  const terms = portfolioTerms(model, expiry, bonds);
  const omega = type === 'receiver' ? 1 : -1;
  return (zeta) => optionFromTerms(terms, Math.sqrt(Math.max(zeta, 0)), omega);
}
