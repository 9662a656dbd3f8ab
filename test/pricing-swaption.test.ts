import { describe, it, expect } from 'vitest';
import { fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import type { HullWhiteParams, SwaptionVolSurface } from '../src/market/types.js';
import type { FixedLeg, FloatLeg, InterestRateSwap, Swaption } from '../src/products/types.js';
import { bachelier, black76 } from '../src/pricing/black.js';
import { priceTrade } from '../src/pricing/index.js';
import { swaptionVolatility } from '../src/pricing/swaptionVol.js';
import { flatMarket, type FlatMarketSpec } from './helpers/flatMarket.js';
import { simpson, swaptionsByIntegral } from './helpers/quadrature.js';

const asOf = fromYmd(2026, 6, 30);
const years = (d: DateSerial): number => (d - asOf) / 365;
const r = 0.035;
const disc = (t: number): number => Math.exp(-r * t);
const expiry = fromYmd(2028, 6, 30);
const start = fromYmd(2028, 7, 3);
const end = fromYmd(2033, 7, 3);
const notional = 1e7;

const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3), sigmas: Float64Array.of(0.008, 0.0095, 0.009), source: 'given' };

const fixedLeg = (over: Partial<FixedLeg> = {}): FixedLeg => ({
  kind: 'fixed', currency: 'USD', notional, fixedRate: 0.036, startDate: start, maturityDate: end, frequency: '1Y', dayCount: '30/360',
  businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false, ...over,
});
const floatLeg = (over: Partial<FloatLeg> = {}): FloatLeg => ({
  kind: 'float', currency: 'USD', notional, floatIndex: 'USD-SOFR', spreadBp: 0, startDate: start, maturityDate: end, frequency: '3M',
  dayCount: 'ACT/360', businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false, ...over,
});
const swaption = (over: Partial<Swaption> = {}): Swaption => ({
  product: 'SWAPTION', tradeId: 'S1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, direction: 'buy', optionType: 'payer',
  settlement: 'physical', expiryDate: expiry, fixedLeg: fixedLeg(), floatLeg: floatLeg(), ...over,
});
const underlyingSwap = (s: Swaption): InterestRateSwap => ({
  product: 'IRS', tradeId: 'U', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, direction: 'pay', fixedLeg: s.fixedLeg, floatLeg: s.floatLeg,
});
const spec = (over: Partial<FlatMarketSpec> = {}): FlatMarketSpec => ({
  asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: r }, 'USD-TERM-3M': { currency: 'USD', rate: 0.039 } }, ...over,
});

/** Fixed annuity Σ τ·P(t_pay) and single-curve forward swap rate (P(s) − P(e))/annuity, from the schedules. */
function annuityAndForward(s: Swaption): { annuity: number; forward: number } {
  const fixed = buildSchedule(s.fixedLeg);
  let annuity = 0;
  for (let i = 0; i < fixed.count; i++) annuity += fixed.accrualFraction[i]! * disc(years(fixed.paymentDate[i]!));
  const fl = buildSchedule(s.floatLeg);
  const forward = (disc(years(fl.accrualStart[0]!)) - disc(years(fl.paymentDate[fl.count - 1]!))) / annuity;
  return { annuity, forward };
}

describe('swaptions under Hull-White (Jamshidian)', () => {
  const market = flatMarket(spec({ hullWhite: { USD: hw } }));

  it('match the brute-force integral over the Gaussian state at expiry (Simpson, 1e-6 relative)', () => {
    const trade = swaption();
    const tExp = years(expiry);
    const a = hw.meanReversion;
    // y(T) = ∫ σ(u)² e^{−2a(T−u)} du by Simpson on each σ step; x(T) ~ N(0, y) under the T-forward measure.
    const y = simpson((u) => 0.008 ** 2 * Math.exp(-2 * a * (tExp - u)), 0, 1, 2000) +
      simpson((u) => 0.0095 ** 2 * Math.exp(-2 * a * (tExp - u)), 1, tExp, 2000);
    const bond = (t: number, x: number): number => {
      const g = (1 - Math.exp(-a * (t - tExp))) / a;
      return (disc(t) / disc(tExp)) * Math.exp(-g * x - 0.5 * g * g * y);
    };
    const fixed = buildSchedule(trade.fixedLeg);
    const fl = buildSchedule(trade.floatLeg);
    // Payer swap at expiry, single curve: N·(P(T,s) − P(T,e)) − K·N·Σ τ P(T,t_i).
    const payerSwap = (x: number): number => {
      let v = notional * (bond(years(fl.accrualStart[0]!), x) - bond(years(fl.paymentDate[fl.count - 1]!), x));
      for (let i = 0; i < fixed.count; i++) v -= 0.036 * notional * fixed.accrualFraction[i]! * bond(years(fixed.paymentDate[i]!), x);
      return v;
    };
    const { payer: payerRef, receiver: receiverRef } = swaptionsByIntegral(payerSwap, Math.sqrt(y), disc(tExp));
    expect(Math.abs(priceTrade(trade, market).npv / payerRef - 1)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade(swaption({ optionType: 'receiver' }), market).npv / receiverRef - 1)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade(swaption({ direction: 'sell' }), market).npv / payerRef + 1)).toBeLessThan(1e-6);
  });

  it('payer − receiver = the forward payer swap, also dual-curve with a spread (parity, 1e-10 × notional)', () => {
    for (const over of [{}, { floatLeg: floatLeg({ floatIndex: 'USD-TERM-3M', spreadBp: 15 }) }]) {
      const payer = priceTrade(swaption(over), market).npv;
      const receiver = priceTrade(swaption({ ...over, optionType: 'receiver' }), market).npv;
      const forwardSwap = priceTrade(underlyingSwap(swaption(over)), market).npv;
      expect(Math.abs(payer - receiver - forwardSwap)).toBeLessThan(1e-10 * notional);
    }
  });

  it('cash settlement under Hull-White is refused with the trade id and currency', () => {
    expect(() => priceTrade(swaption({ settlement: 'cash' }), market)).toThrow(/S1.*cash-settled.*USD/);
  });
});

describe('swaptions on a vol surface', () => {
  const normal: SwaptionVolSurface = {
    currency: 'USD', type: 'normal', shift: 0,
    quotes: [
      { expiryYears: 1, tenorYears: 2, vol: 0.0090 }, { expiryYears: 1, tenorYears: 10, vol: 0.0080 },
      { expiryYears: 5, tenorYears: 2, vol: 0.0085 }, { expiryYears: 5, tenorYears: 10, vol: 0.0075 },
    ],
  };

  it('interpolates bilinearly in expiry × tenor, flat beyond, filling a missing node along its expiry row', () => {
    // At (2y, 5y): weights 1/4 in expiry, 3/8 in tenor.
    const v1 = 0.009 + (3 / 8) * (0.008 - 0.009);
    const v5 = 0.0085 + (3 / 8) * (0.0075 - 0.0085);
    expect(swaptionVolatility(normal, 2, 5)).toBeCloseTo(v1 + 0.25 * (v5 - v1), 15);
    expect(swaptionVolatility(normal, 0.1, 30)).toBeCloseTo(0.008, 15);
    expect(swaptionVolatility(normal, 10, 1)).toBeCloseTo(0.0085, 15);
    // (1y, 9y) and (5y, 5y) only: row 1y is flat 0.0080, row 5y flat 0.0078.
    const sparse: SwaptionVolSurface = { ...normal, quotes: [{ expiryYears: 1, tenorYears: 9, vol: 0.008 }, { expiryYears: 5, tenorYears: 5, vol: 0.0078 }] };
    expect(swaptionVolatility(sparse, 3, 7)).toBeCloseTo(0.5 * 0.008 + 0.5 * 0.0078, 15);
  });

  it('physical, normal vols: A·Bachelier(F, K, σ(T, tenor)) with A and F from the curve (1e-10 relative)', () => {
    const market = flatMarket(spec({ swaptionVols: { USD: normal } }));
    const trade = swaption();
    const { annuity, forward } = annuityAndForward(trade);
    const vol = swaptionVolatility(normal, years(expiry), 5);
    const expected = notional * annuity * bachelier('call', forward, 0.036, vol, years(expiry));
    expect(Math.abs(priceTrade(trade, market).npv / expected - 1)).toBeLessThan(1e-10);
    const receiver = priceTrade(swaption({ optionType: 'receiver' }), market).npv;
    const forwardSwap = priceTrade(underlyingSwap(trade), market).npv;
    expect(Math.abs(priceTrade(trade, market).npv - receiver - forwardSwap)).toBeLessThan(1e-10 * notional);
  });

  it('physical, shifted Black: A·Black76(F + shift, K + shift)', () => {
    const black: SwaptionVolSurface = { currency: 'USD', type: 'black', shift: 0.01, quotes: [{ expiryYears: 2, tenorYears: 5, vol: 0.2 }] };
    const market = flatMarket(spec({ swaptionVols: { USD: black } }));
    const trade = swaption({ optionType: 'receiver' });
    const { annuity, forward } = annuityAndForward(trade);
    const expected = notional * annuity * black76('put', forward + 0.01, 0.046, 0.2, years(expiry));
    expect(Math.abs(priceTrade(trade, market).npv / expected - 1)).toBeLessThan(1e-10);
  });

  it('cash-settled: N·P(t_s)·A_cash(F)·Bachelier with A_cash(S) = (1 − (1 + S)^{−n})/S for annual payments', () => {
    const market = flatMarket(spec({ swaptionVols: { USD: normal } }));
    const trade = swaption({ settlement: 'cash' });
    const { forward } = annuityAndForward(trade);
    const cashAnnuity = (1 - Math.pow(1 + forward, -5)) / forward;
    const settle = buildSchedule(trade.fixedLeg).accrualStart[0]!;
    const vol = swaptionVolatility(normal, years(expiry), 5);
    const expected = notional * disc(years(settle)) * cashAnnuity * bachelier('call', forward, 0.036, vol, years(expiry));
    expect(Math.abs(priceTrade(trade, market).npv / expected - 1)).toBeLessThan(1e-10);
  });

  it('without vols or Hull-White parameters: an error naming the trade and currency', () => {
    expect(() => priceTrade(swaption(), flatMarket(spec()))).toThrow(/S1.*USD.*neither/);
  });
});
