import { describe, it, expect } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import type { EquityForward, EquityOption, FxForward, FxOption, FxSwap } from '../src/products/types.js';
import { normCdf } from '../src/pricing/black.js';
import { priceTrade } from '../src/pricing/index.js';
import { flatMarket } from './helpers/flatMarket.js';

const asOf = fromYmd(2026, 6, 30);
const rUsd = 0.04;
const rEur = 0.02;
const spot = 1.1; // USD per EUR
const market = flatMarket({
  asOf,
  rates: { USD: rUsd, EUR: rEur },
  spotsInBase: { EUR: spot },
  fxVols: { EURUSD: 0.09 },
  equities: { SPX: { currency: 'USD', spot: 5200, dividendYield: 0.014, vol: 0.18 } },
});
const base = { tradeId: 'F1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false };
const maturity = fromYmd(2027, 12, 30);
const tMat = (maturity - asOf) / 365;

describe('FX forwards and swaps', () => {
  it('FX forward = N·(F − K)·P_USD(T) with F = S·P_EUR/P_USD, in currency2 (1e-10 relative)', () => {
    const trade: FxForward = { ...base, product: 'FXFWD', direction: 'buy', currency: 'EUR', notional: 5e6, currency2: 'USD', notional2: 5.6e6, maturityDate: maturity };
    const forward = spot * Math.exp((rUsd - rEur) * tMat);
    const expected = 5e6 * (forward - 5.6e6 / 5e6) * Math.exp(-rUsd * tMat);
    const value = priceTrade(trade, market);
    expect(value.currency).toBe('USD');
    expect(Math.abs(value.npv / expected - 1)).toBeLessThan(1e-10);
    expect(Math.abs(priceTrade({ ...trade, direction: 'sell' }, market).npv / expected + 1)).toBeLessThan(1e-10);
    // Base USD: npvBase = npv. A forward paid today or earlier is worth nothing.
    expect(value.npvBase).toBe(value.npv);
    expect(priceTrade({ ...trade, maturityDate: asOf }, market).npv).toBe(0);
  });

  it('FX swap = near forward + reversed far forward; the near leg drops out once past', () => {
    const near = fromYmd(2026, 8, 31);
    const tNear = (near - asOf) / 365;
    const trade: FxSwap = { ...base, product: 'FXSWAP', direction: 'buy', currency: 'EUR', notional: 2e6, currency2: 'USD', nearDate: near, nearRate: 1.102, maturityDate: maturity, farRate: 1.125 };
    const leg = (t: number, k: number): number => 2e6 * (spot * Math.exp((rUsd - rEur) * t) - k) * Math.exp(-rUsd * t);
    expect(Math.abs(priceTrade(trade, market).npv - (leg(tNear, 1.102) - leg(tMat, 1.125)))).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade({ ...trade, nearDate: fromYmd(2026, 6, 1) }, market).npv + leg(tMat, 1.125))).toBeLessThan(1e-6);
  });
});

describe('FX options (Garman-Kohlhagen)', () => {
  const expiry = fromYmd(2027, 6, 30);
  const tExp = (expiry - asOf) / 365;
  const option = (over: Partial<FxOption> = {}): FxOption => ({
    ...base,
    product: 'FXOPT',
    direction: 'buy',
    optionType: 'call',
    currency: 'EUR',
    notional: 1e6,
    currency2: 'USD',
    strike: 1.12,
    expiryDate: expiry,
    maturityDate: expiry,
    ...over,
  });

  it('delivery at expiry: N·[S e^{−r_f T} N(d1) − K e^{−r_d T} N(d2)] (Garman-Kohlhagen 1983, 1e-10 relative)', () => {
    const sd = 0.09 * Math.sqrt(tExp);
    const d1 = (Math.log(spot / 1.12) + (rUsd - rEur) * tExp) / sd + 0.5 * sd;
    const expected = 1e6 * (spot * Math.exp(-rEur * tExp) * normCdf(d1) - 1.12 * Math.exp(-rUsd * tExp) * normCdf(d1 - sd));
    expect(Math.abs(priceTrade(option(), market).npv / expected - 1)).toBeLessThan(1e-10);
    expect(Math.abs(priceTrade(option({ direction: 'sell' }), market).npv / expected + 1)).toBeLessThan(1e-10);
  });

  it('put-call parity with delivery after expiry: C − P = N·(S·P_f(T_d) − K·P_d(T_d)) (1e-10 relative)', () => {
    const delivery = fromYmd(2027, 7, 2);
    const tDel = (delivery - asOf) / 365;
    const call = priceTrade(option({ maturityDate: delivery }), market).npv;
    const put = priceTrade(option({ optionType: 'put', maturityDate: delivery }), market).npv;
    const forwardValue = 1e6 * (spot * Math.exp(-rEur * tDel) - 1.12 * Math.exp(-rUsd * tDel));
    expect(Math.abs((call - put) / forwardValue - 1)).toBeLessThan(1e-10);
  });

  it('an option on the quote currency’s side converts to base at spot (EUR-denominated strike pair)', () => {
    const trade = option({ currency: 'USD', currency2: 'EUR', strike: 0.9 });
    const value = priceTrade(trade, market);
    expect(value.currency).toBe('EUR');
    expect(Math.abs(value.npvBase - value.npv * spot)).toBeLessThan(1e-9);
  });
});

describe('equity forwards and options', () => {
  const q = 0.014;
  const s = 5200;
  it('forward: quantity·(S e^{−qT} − K e^{−rT}) (cost of carry, Hull ch. 5)', () => {
    const trade: EquityForward = { ...base, product: 'EQFWD', direction: 'buy', underlying: 'SPX', currency: 'USD', quantity: 100, strike: 5300, maturityDate: maturity };
    const expected = 100 * (s * Math.exp(-q * tMat) - 5300 * Math.exp(-rUsd * tMat));
    expect(Math.abs(priceTrade(trade, market).npv / expected - 1)).toBeLessThan(1e-12);
  });

  it('option: Merton formula S e^{−qT} N(d1) − K e^{−rT} N(d2) and put-call parity (1e-10 relative)', () => {
    const trade: EquityOption = { ...base, product: 'EQOPT', direction: 'buy', optionType: 'call', underlying: 'SPX', currency: 'USD', quantity: 10, strike: 5000, expiryDate: maturity };
    const sd = 0.18 * Math.sqrt(tMat);
    const d1 = (Math.log(s / 5000) + (rUsd - q) * tMat) / sd + 0.5 * sd;
    const expected = 10 * (s * Math.exp(-q * tMat) * normCdf(d1) - 5000 * Math.exp(-rUsd * tMat) * normCdf(d1 - sd));
    const call = priceTrade(trade, market).npv;
    expect(Math.abs(call / expected - 1)).toBeLessThan(1e-10);
    const put = priceTrade({ ...trade, optionType: 'put' }, market).npv;
    const parity = 10 * (s * Math.exp(-q * tMat) - 5000 * Math.exp(-rUsd * tMat));
    expect(Math.abs((call - put) / parity - 1)).toBeLessThan(1e-10);
  });

  it('refuses a quanto (trade currency differs from the equity’s) with the trade id', () => {
    const trade: EquityOption = { ...base, tradeId: 'Q9', product: 'EQOPT', direction: 'buy', optionType: 'call', underlying: 'SPX', currency: 'EUR', quantity: 1, strike: 5000, expiryDate: maturity };
    expect(() => priceTrade(trade, market)).toThrow(/Q9.*quanto/);
  });
});
