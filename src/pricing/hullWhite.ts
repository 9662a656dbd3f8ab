/**
 * Closed forms of the one-factor Hull-White model with constant mean reversion a and piecewise-constant short-rate
 * volatility σ(t) (market/types.ts HullWhiteParams), in the Andersen-Piterbarg parameterisation
 * (Interest Rate Modeling vol. II, §10.1.2): r(t) = f(0,t) + x(t), x(0) = 0, and
 *   P(t,T) = P(0,T)/P(0,t) · exp(−G(t,T)·x(t) − ½·G(t,T)²·y(t)),  G(t,T) = (1 − e^{−a(T−t)})/a,
 *   y(t) = ∫₀ᵗ e^{−2a(t−u)} σ(u)² du   (the variance of x(t)).
 * Under the T-forward measure x(T) is normal with mean 0 and variance y(T) (E^T[P(T,S)] = P(0,S)/P(0,T) for all S
 * forces it). The exposure engine simulates the same x and must agree with these formulas at t = 0.
 */
import type { HullWhiteParams } from '../market/types.js';
import { normCdf, type CallPut } from './black.js';
import type { LegFlows } from './legs.js';

/** (1 − e^{−k·dt})/k, with the k → 0 limit dt; accurate for tiny k through expm1. */
function decayIntegral(k: number, dt: number): number {
  if (Math.abs(k * dt) < 1e-15) return dt;
  return -Math.expm1(-k * dt) / k;
}

/** G(t,T) = (1 − e^{−a(T−t)})/a: the sensitivity of ln P(t,T) to the state x(t). */
export function hullWhiteG(meanReversion: number, t: number, maturity: number): number {
  return decayIntegral(meanReversion, maturity - t);
}

/**
 * y(t) = ∫₀ᵗ e^{−2a(t−u)} σ(u)² du, integrated exactly over each constant-σ step:
 * ∫_{lo}^{hi} e^{−2a(t−u)} du = e^{−2a(t−hi)}·(1 − e^{−2a(hi−lo)})/(2a).
 */
export function hullWhiteStateVariance(params: HullWhiteParams, t: number): number {
  const a = params.meanReversion;
  const { sigmaTimes, sigmas } = params;
  const steps = sigmas.length;
  if (steps === 0) throw new Error(`Hull-White parameters of ${params.currency} have no volatility`);
  let variance = 0;
  let lo = 0;
  for (let i = 0; i < steps && lo < t; i++) {
    const isLast = i === steps - 1 || i >= sigmaTimes.length;
    const hi = isLast ? t : Math.min(sigmaTimes[i]!, t);
    if (hi > lo) {
      const sigma = sigmas[i]!;
      variance += sigma * sigma * Math.exp(-2 * a * (t - hi)) * decayIntegral(2 * a, hi - lo);
    }
    lo = hi;
  }
  return variance;
}

/**
 * European option expiring at T on the zero-coupon bond maturing at S >= T, strike X (price of the bond at T), per
 * unit bond notional (Brigo-Mercurio, Interest Rate Models, eq. 3.40-3.41 with σ_p² = G(T,S)²·y(T), which extends the
 * constant-σ result to any deterministic σ(t)):
 *   call = P(0,S)·N(h) − X·P(0,T)·N(h − σ_p),  put = X·P(0,T)·N(−h + σ_p) − P(0,S)·N(−h),
 *   h = ln(P(0,S)/(X·P(0,T)))/σ_p + σ_p/2.
 */
export function hullWhiteZcbOption(
  optionType: CallPut,
  params: HullWhiteParams,
  expiryYears: number,
  bondMaturityYears: number,
  strike: number,
  discountToExpiry: number,
  discountToMaturity: number,
): number {
  const sigmaP =
    expiryYears > 0 ? hullWhiteG(params.meanReversion, expiryYears, bondMaturityYears) * Math.sqrt(hullWhiteStateVariance(params, expiryYears)) : 0;
  const forwardValue = discountToMaturity - strike * discountToExpiry;
  if (!(sigmaP > 0) || !(strike > 0)) return Math.max(optionType === 'call' ? forwardValue : -forwardValue, 0);
  const h = Math.log(discountToMaturity / (strike * discountToExpiry)) / sigmaP + 0.5 * sigmaP;
  if (optionType === 'call') return discountToMaturity * normCdf(h) - strike * discountToExpiry * normCdf(h - sigmaP);
  return strike * discountToExpiry * normCdf(sigmaP - h) - discountToMaturity * normCdf(-h);
}

/** P(T, t | x) / [P(0,t)/P(0,T)] = exp(−G x − ½ G² y): the state-dependent factor of a bond price. */
function bondFactor(g: number, x: number, variance: number): number {
  return Math.exp(-g * x - 0.5 * g * g * variance);
}

/**
 * A European swaption by Jamshidian's decomposition (Jamshidian 1989; Brigo-Mercurio §3.11.1). The underlying at
 * expiry T is given as bond cash flows: the payer swap's value at T is V(x) = Σ_j amount_j·P(T, t_j | x), t_j >= T
 * (positive amounts are received by the fixed-rate payer: the floating leg's N·P(T,s); negative ones paid: fixed
 * coupons and N·P(T,e)). With x* the root of V, X_j = P(T, t_j | x*), the payer (right to enter V) is worth
 * −Σ_j amount_j·ZBP(T, t_j, X_j) and the receiver −Σ_j amount_j·ZBC(T, t_j, X_j). This is exact whenever V crosses
 * zero once, which holds for a swap whose fixed side dominates; the decomposition itself allows any signs.
 * Returns the value today per the flows' units; `discount(t)` gives P(0,t).
 */
export function jamshidianSwaption(
  optionType: 'payer' | 'receiver',
  params: HullWhiteParams,
  discount: (t: number) => number,
  expiryYears: number,
  flowTimes: Float64Array,
  flowAmounts: Float64Array,
): number {
  const n = flowTimes.length;
  const a = params.meanReversion;
  const discountToExpiry = discount(expiryYears);
  const forwardDiscounts = new Float64Array(n); // P(0,t_j)
  const g = new Float64Array(n);
  let forwardSwapValue = 0;
  for (let j = 0; j < n; j++) {
    if (flowTimes[j]! < expiryYears) throw new Error(`Jamshidian swaption: flow at ${flowTimes[j]} years precedes expiry ${expiryYears}`);
    forwardDiscounts[j] = discount(flowTimes[j]!);
    g[j] = hullWhiteG(a, expiryYears, flowTimes[j]!);
    forwardSwapValue += flowAmounts[j]! * forwardDiscounts[j]!;
  }
  const variance = expiryYears > 0 ? hullWhiteStateVariance(params, expiryYears) : 0;
  if (!(variance > 0)) return Math.max(optionType === 'payer' ? forwardSwapValue : -forwardSwapValue, 0);

  // V(x) = Σ c_j·exp(−G_j x − ½G_j² y) with c_j = amount_j·P(0,t_j)/P(0,T); find its root x* by safeguarded Newton.
  const swapValueAt = (x: number): number => {
    let v = 0;
    for (let j = 0; j < n; j++) v += flowAmounts[j]! * (forwardDiscounts[j]! / discountToExpiry) * bondFactor(g[j]!, x, variance);
    return v;
  };
  const root = solveMonotoneRoot(swapValueAt, (x) => {
    let dv = 0;
    for (let j = 0; j < n; j++) dv -= g[j]! * flowAmounts[j]! * (forwardDiscounts[j]! / discountToExpiry) * bondFactor(g[j]!, x, variance);
    return dv;
  });
  if (root === undefined) {
    // V never changes sign: the option is either worthless or certain to be exercised.
    const sign = swapValueAt(0) > 0 ? 1 : -1;
    const alwaysExercised = (optionType === 'payer') === sign > 0;
    return alwaysExercised ? Math.abs(forwardSwapValue) : 0;
  }
  let value = 0;
  const zcbType: CallPut = optionType === 'payer' ? 'put' : 'call';
  for (let j = 0; j < n; j++) {
    const strike = (forwardDiscounts[j]! / discountToExpiry) * bondFactor(g[j]!, root, variance);
    value -= flowAmounts[j]! * hullWhiteZcbOption(zcbType, params, expiryYears, flowTimes[j]!, strike, discountToExpiry, forwardDiscounts[j]!);
  }
  return value;
}

/**
 * ∫ G(u,e)² du over u ∈ (lo, hi] (hi ≤ e), G(u,e) = (1 − e^{−a(e−u)})/a: with w = e − u from w1 = e − hi to w2 = e − lo,
 * [Δw − 2(e^{−a·w1} − e^{−a·w2})/a + (e^{−2a·w1} − e^{−2a·w2})/(2a)]/a². Where a·w2 < 1e-3 that difference cancels
 * to O(a²w²) of its terms, and the Taylor series of G² = w² − a·w³ + (7/12)a²w⁴ − (1/4)a³w⁵ (remainder O(a⁴w⁶),
 * below 1e-12 relative there) is integrated instead.
 */
function decaySquaredIntegral(a: number, w1: number, w2: number): number {
  if (Math.abs(a) * w2 < 1e-3) {
    const primitive = (w: number): number => w ** 3 / 3 - (a * w ** 4) / 4 + (7 * a * a * w ** 5) / 60 - (a ** 3 * w ** 6) / 24;
    return primitive(w2) - primitive(w1);
  }
  const e1 = Math.exp(-a * w1);
  const e2 = Math.exp(-a * w2);
  return (w2 - w1 - (2 * (e1 - e2)) / a + (e1 * e1 - e2 * e2) / (2 * a)) / (a * a);
}

/**
 * The variance of ∫ₛᵉ r(u) du seen from today: with r = f(0,·) + x and x(u) = e^{−a(u−s)}x(s) + ∫ₛᵘ e^{−a(u−v)}σ dW,
 * ∫ₛᵉ x du = G(s,e)·x(s) + ∫ₛᵉ G(v,e)·σ(v) dW(v), two independent terms:
 *   Var = G(s,e)²·y(s) + ∫ₛᵉ σ(v)²·G(v,e)² dv,
 * the first the variance of ln P(s,e) at s (a term caplet's), the second what the period's own rates add
 * (Andersen-Piterbarg vol. II §10.1.2 notation; the split is the one Lyashenko & Mercurio 2019 §4 use for the
 * backward-looking rate under Hull-White).
 */
export function inArrearsVariance(params: HullWhiteParams, startYears: number, endYears: number): number {
  const a = params.meanReversion;
  const { sigmaTimes, sigmas } = params;
  const g = hullWhiteG(a, startYears, endYears);
  let variance = startYears > 0 ? g * g * hullWhiteStateVariance(params, startYears) : 0;
  let lo = 0;
  for (let i = 0; i < sigmas.length && lo < endYears; i++) {
    const isLast = i === sigmas.length - 1 || i >= sigmaTimes.length;
    const hi = isLast ? endYears : Math.min(sigmaTimes[i]!, endYears);
    const from = Math.max(lo, startYears);
    if (hi > from) {
      const sigma = sigmas[i]!;
      variance += sigma * sigma * decaySquaredIntegral(a, endYears - hi, endYears - from);
    }
    lo = Math.max(lo, hi);
  }
  return variance;
}

/**
 * A caplet (payer) or floorlet (receiver) on an overnight index compounded in arrears over [s, e], paid at e, under
 * Hull-White: the holder of the payer receives N·(Y − 1) + d and pays the fixed F at e, Y = e^{∫ₛᵉ r du} the
 * compounded growth and d the deterministic index basis that makes today's forward the projected coupon C
 * (d = C − N·(P(0,s)/P(0,e) − 1), 0 on a single curve), i.e. (N·Y − X)⁺ with X = N + F − d. Under the e-forward
 * measure E[Y] = P(0,s)/P(0,e) (Y·P(0,e)-deflated is the bank account from s) and ln Y is normal with the variance
 * of ∫ₛᵉ r du (inArrearsVariance), so the caplet is P(0,e)·Black(N·E[Y], X, that variance) — Black-76 on the
 * compounded factor. `floatFlows` and `fixedFlows` hold the one period (pricing/legs.ts); paid at its accrual end.
 */
export function inArrearsCapletHullWhite(
  optionType: 'payer' | 'receiver',
  params: HullWhiteParams,
  discount: (t: number) => number,
  floatFlows: LegFlows,
  fixedFlows: LegFlows,
): number {
  if (floatFlows.count !== 1 || fixedFlows.count !== 1 || floatFlows.paymentTimes[0] !== floatFlows.accrualEndTimes[0]) {
    throw new Error('in-arrears caplet: expected one period paid at its accrual end (a defect: please report it)');
  }
  const s = floatFlows.accrualStartTimes[0]!;
  const e = floatFlows.accrualEndTimes[0]!;
  const notional = floatFlows.notionals[0]!;
  const pS = discount(s);
  const pE = discount(e);
  const growth = pS / pE; // E^e[Y]
  const basis = floatFlows.amounts[0]! - notional * (growth - 1);
  const strike = notional + fixedFlows.amounts[0]! - basis;
  const forward = notional * growth;
  const variance = inArrearsVariance(params, s, e);
  const intrinsic = optionType === 'payer' ? forward - strike : strike - forward;
  if (!(strike > 0) || !(variance > 0)) return pE * Math.max(intrinsic, 0);
  const sd = Math.sqrt(variance);
  const d1 = Math.log(forward / strike) / sd + 0.5 * sd;
  const d2 = d1 - sd;
  if (optionType === 'payer') return pE * (forward * normCdf(d1) - strike * normCdf(d2));
  return pE * (strike * normCdf(-d2) - forward * normCdf(-d1));
}

/**
 * Root of a function of the Hull-White state by Newton steps kept inside a bracket (bisection when a step leaves it).
 * The bracket grows from ±0.05 up to ±5 (a 500% move of the short rate); undefined when f keeps its sign throughout.
 */
function solveMonotoneRoot(f: (x: number) => number, df: (x: number) => number): number | undefined {
  let lo = -0.05;
  let hi = 0.05;
  let fLo = f(lo);
  let fHi = f(hi);
  while (fLo * fHi > 0) {
    if (hi >= 5) return undefined;
    lo *= 2;
    hi *= 2;
    fLo = f(lo);
    fHi = f(hi);
  }
  let x = 0.5 * (lo + hi);
  for (let iter = 0; iter < 200; iter++) {
    const fx = f(x);
    if (fx === 0) return x;
    if (fx * fLo < 0) {
      hi = x;
      fHi = fx;
    } else {
      lo = x;
      fLo = fx;
    }
    const slope = df(x);
    let next = slope !== 0 ? x - fx / slope : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-16 * Math.max(1, Math.abs(x)) || hi - lo <= 1e-16) return next;
    x = next;
  }
  return x;
}
