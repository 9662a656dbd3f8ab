import { describe, it, expect } from 'vitest';
import type { HullWhiteParams } from '../src/market/types.js';
import { bachelier, normPdf } from '../src/pricing/black.js';
import { hullWhiteStateVariance, hullWhiteZcbOption, jamshidianSwaption } from '../src/pricing/hullWhite.js';

const rate = 0.03;
const discount = (t: number): number => Math.exp(-rate * t);

const stepped: HullWhiteParams = {
  currency: 'USD',
  meanReversion: 0.03,
  sigmaTimes: Float64Array.of(1, 3),
  sigmas: Float64Array.of(0.008, 0.0095, 0.009),
  source: 'given',
};

/** σ(u) of `stepped`, written out independently. */
function sigmaAt(u: number): number {
  return u <= 1 ? 0.008 : u <= 3 ? 0.0095 : 0.009;
}

/** Composite Simpson of f on [a, b] with an even number of steps. */
function simpson(f: (x: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let sum = f(a) + f(b);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/** y(T) = ∫₀ᵀ σ(u)² e^{−2a(T−u)} du by Simpson on each constant-σ piece (independent of the closed form). */
function varianceByQuadrature(a: number, expiry: number): number {
  const knots = [0, ...[1, 3].filter((k) => k < expiry), expiry];
  let total = 0;
  for (let i = 0; i + 1 < knots.length; i++) {
    const lo = knots[i]!;
    const hi = knots[i + 1]!;
    const s = sigmaAt(0.5 * (lo + hi));
    total += simpson((u) => s * s * Math.exp(-2 * a * (expiry - u)), lo, hi, 2000);
  }
  return total;
}

/** P(T,t | x) in the Andersen-Piterbarg form, written out in the test. */
function bondAt(a: number, expiry: number, t: number, x: number, y: number): number {
  const g = (1 - Math.exp(-a * (t - expiry))) / a;
  return (discount(t) / discount(expiry)) * Math.exp(-g * x - 0.5 * g * g * y);
}

describe('Hull-White state variance with piecewise-constant sigma', () => {
  it('equals the quadrature of σ(u)² e^{−2a(T−u)} (Simpson, relative error < 1e-12)', () => {
    for (const t of [0.5, 1, 2.2, 3, 7.5]) {
      const ref = varianceByQuadrature(0.03, t);
      expect(Math.abs(hullWhiteStateVariance(stepped, t) / ref - 1)).toBeLessThan(1e-12);
    }
  });

  it('reduces to σ²T when a → 0 and to σ²(1 − e^{−2aT})/(2a) for constant σ', () => {
    const flat = { ...stepped, meanReversion: 0, sigmaTimes: new Float64Array(0), sigmas: Float64Array.of(0.01) };
    expect(hullWhiteStateVariance(flat, 4)).toBeCloseTo(0.0004, 18);
    const flatA = { ...flat, meanReversion: 0.05 };
    expect(Math.abs(hullWhiteStateVariance(flatA, 4) / ((1e-4 * (1 - Math.exp(-0.4))) / 0.1) - 1)).toBeLessThan(1e-14);
  });
});

describe('Hull-White zero-coupon bond option', () => {
  it('matches the constant-sigma closed form of Brigo-Mercurio eq. 3.40 and put-call parity', () => {
    const a = 0.05;
    const sigma = 0.01;
    const params: HullWhiteParams = { currency: 'USD', meanReversion: a, sigmaTimes: new Float64Array(0), sigmas: Float64Array.of(sigma), source: 'given' };
    const expiry = 2;
    const maturity = 7;
    const strike = 0.85;
    const sigmaP = sigma * Math.sqrt((1 - Math.exp(-2 * a * expiry)) / (2 * a)) * ((1 - Math.exp(-a * (maturity - expiry))) / a);
    const pT = discount(expiry);
    const pS = discount(maturity);
    const h = Math.log(pS / (pT * strike)) / sigmaP + sigmaP / 2;
    // N via a 1e-13-accurate Simpson of the density, independent of black.ts's erfc.
    const cdf = (x: number): number => 0.5 + Math.sign(x) * simpson(normPdf, 0, Math.abs(x), 20000);
    const callRef = pS * cdf(h) - strike * pT * cdf(h - sigmaP);
    const call = hullWhiteZcbOption('call', params, expiry, maturity, strike, pT, pS);
    const put = hullWhiteZcbOption('put', params, expiry, maturity, strike, pT, pS);
    expect(Math.abs(call - callRef)).toBeLessThan(1e-12);
    expect(Math.abs(call - put - (pS - strike * pT))).toBeLessThan(1e-15);
  });

  it('equals P(0,T)·E^T[(P(T,S) − X)^+] over the Gaussian state (Simpson, relative error < 1e-8)', () => {
    const expiry = 2.5;
    const maturity = 6;
    const strike = 0.9;
    const y = varianceByQuadrature(stepped.meanReversion, expiry);
    const payoff = (z: number): number => Math.max(bondAt(stepped.meanReversion, expiry, maturity, Math.sqrt(y) * z, y) - strike, 0) * normPdf(z);
    // The payoff is smooth on each side of its kink z*: find it by bisection and integrate from there.
    let lo = -10;
    let hi = 10;
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (bondAt(stepped.meanReversion, expiry, maturity, Math.sqrt(y) * mid, y) > strike) lo = mid;
      else hi = mid;
    }
    const ref = discount(expiry) * simpson(payoff, -12, lo, 20000);
    const call = hullWhiteZcbOption('call', stepped, expiry, maturity, strike, discount(expiry), discount(maturity));
    expect(Math.abs(call / ref - 1)).toBeLessThan(1e-8);
  });
});

describe('Jamshidian swaption under Hull-White', () => {
  // A 3y-into-5y swap, annual fixed 3.2% on notional 1e6 against a floating leg on the same curve:
  // payer value at expiry V = N·P(T,T) − Σ K·τ·N·P(T,t_i) − N·P(T,t_n).
  const notional = 1e6;
  const expiry = 3;
  const strikeRate = 0.032;
  const times: number[] = [expiry];
  const amounts: number[] = [notional];
  for (let i = 1; i <= 5; i++) {
    times.push(expiry + i);
    amounts.push(-notional * strikeRate * 1 - (i === 5 ? notional : 0));
  }
  const flowTimes = Float64Array.from(times);
  const flowAmounts = Float64Array.from(amounts);
  const swapValueAt = (x: number, y: number): number =>
    times.reduce((v, t, j) => v + amounts[j]! * bondAt(stepped.meanReversion, expiry, t, x, y), 0);

  it('payer and receiver match the brute-force integral over the state at expiry (Simpson, 1e-6 relative)', () => {
    const y = varianceByQuadrature(stepped.meanReversion, expiry);
    const sd = Math.sqrt(y);
    let lo = -12;
    let hi = 12;
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (swapValueAt(sd * mid, y) < 0) lo = mid;
      else hi = mid;
    }
    const payerRef = discount(expiry) * simpson((z) => Math.max(swapValueAt(sd * z, y), 0) * normPdf(z), hi, 12, 20000);
    const receiverRef = discount(expiry) * simpson((z) => Math.max(-swapValueAt(sd * z, y), 0) * normPdf(z), -12, lo, 20000);
    const payer = jamshidianSwaption('payer', stepped, discount, expiry, flowTimes, flowAmounts);
    const receiver = jamshidianSwaption('receiver', stepped, discount, expiry, flowTimes, flowAmounts);
    expect(Math.abs(payer / payerRef - 1)).toBeLessThan(1e-6);
    expect(Math.abs(receiver / receiverRef - 1)).toBeLessThan(1e-6);
  });

  it('payer − receiver = the forward swap value Σ amount·P(0,t) (parity, 1e-10 of notional)', () => {
    const payer = jamshidianSwaption('payer', stepped, discount, expiry, flowTimes, flowAmounts);
    const receiver = jamshidianSwaption('receiver', stepped, discount, expiry, flowTimes, flowAmounts);
    const forward = times.reduce((v, t, j) => v + amounts[j]! * discount(t), 0);
    expect(Math.abs(payer - receiver - forward)).toBeLessThan(1e-10 * notional);
  });

  it('at a one-day expiry equals Bachelier with the swap-rate normal vol σ·|dS/dx| (0.1% relative)', () => {
    const shortExpiry = 1 / 365;
    const shortTimes = Float64Array.from(times.map((t) => t - expiry + shortExpiry));
    const annuity = (x: number, y: number): number =>
      [1, 2, 3, 4, 5].reduce((s, i) => s + bondAt(stepped.meanReversion, shortExpiry, shortExpiry + i, x, y), 0);
    const swapRate = (x: number, y: number): number =>
      (1 - bondAt(stepped.meanReversion, shortExpiry, shortExpiry + 5, x, y)) / annuity(x, y);
    const forwardRate = swapRate(0, 0);
    const atmAmounts = Float64Array.from(amounts.map((v, j) => (j === 0 ? v : j === 5 ? -notional * forwardRate - notional : -notional * forwardRate)));
    const dx = 1e-6;
    const normalVol = 0.008 * Math.abs(swapRate(dx, 0) - swapRate(-dx, 0)) / (2 * dx);
    const ref = notional * bachelier('call', forwardRate, forwardRate, normalVol, shortExpiry, annuity(0, 0) * discount(shortExpiry));
    const price = jamshidianSwaption('payer', stepped, discount, shortExpiry, shortTimes, atmAmounts);
    expect(Math.abs(price / ref - 1)).toBeLessThan(1e-3);
  });
});
