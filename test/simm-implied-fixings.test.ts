/**
 * SIMM sensitivities of a coupon running today whose fixings the market file lacks (the forty-third session's SIMM
 * audit: priced at today's forward over a period of the same length starting today, every curve bump re-priced it and
 * put delta on the short vertices, an OIS's 6m delta −2,450 against +97 with its fixings). Now its rate is held at the
 * one it is priced at (src/margin/sensitivities/impliedFixings.ts). References, independent of that code:
 * - a term-index coupon: every row equals the rows of the same trade on a market file that gives the fixing, written as
 *   today's forward over the period's length (by hand from the projection curve's discount factors);
 * - an overnight coupon: its projection delta is the move of the part still to run only, by hand:
 *   N·(1 + F·τ)·(e^{1bp·t_e} − 1)·P_d(t_pay) for a 1bp parallel move of the projection curve's zero rates (the hats add
 *   up to it), F the forward over the period's length from today; the discount delta V·(e^{−1bp·t_pay} − 1).
 */
import { describe, expect, it } from 'vitest';
import { addMonths, fromYmd, toIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { bumpedMarket } from '../src/margin/sensitivities/bumpedMarket.js';
import { flatRate, impliedFixings } from '../src/margin/sensitivities/impliedFixings.js';
import { tradeSensitivities, type TradeSensitivity } from '../src/margin/sensitivities/trade.js';
import { priceTrade } from '../src/pricing/index.js';
import type { FloatLeg, InterestRateSwap } from '../src/products/types.js';
import { USD_MARKET } from './helpers/marketView.js';

const AS_OF = fromYmd(2026, 6, 15);
const N = 10_000_000;
const HW = '\nrates:\n  USD:\n    hullWhite: { meanReversion: 0.03, sigma: 0.01 }\n';

function leg(floatIndex: string, start: DateSerial, months: number, frequency: string): FloatLeg {
  return {
    kind: 'float', currency: 'USD', notional: N, floatIndex, spreadBp: 5, frequency, dayCount: 'ACT/360',
    startDate: start, maturityDate: addMonths(start, months), businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false,
  } as FloatLeg;
}

function payer(tradeId: string, floatLeg: FloatLeg, product: 'IRS' | 'OIS' = 'IRS'): InterestRateSwap {
  return {
    tradeId, counterpartyId: 'CP', nettingSetId: 'NS', cleared: false, product, direction: 'pay',
    fixedLeg: { ...floatLeg, kind: 'fixed', fixedRate: 0.04, spreadBp: undefined } as unknown as InterestRateSwap['fixedLeg'],
    floatLeg,
  };
}

const sensitivities = (trade: InterestRateSwap, market: Market) => tradeSensitivities(trade, { market, creditBuckets: new Map() }).rows;
const key = (r: TradeSensitivity) => `${r.riskType}/${r.qualifier}/${r.label1}/${r.label2}`;

describe('a term-index coupon running without its fixing', () => {
  const without = parseMarket(USD_MARKET + HW, 'no-fixings.yaml');
  const start = fromYmd(2026, 3, 16);
  const trade = payer('L', leg('USD-LIBOR-6M', start, 24, '6M'));
  const end = buildSchedule(trade.floatLeg).accrualEnd[0]!;
  // today's forward over the running period's length, by hand from the projection curve
  const proj = without.projectionCurve('USD-LIBOR-6M');
  const forward = (1 / proj.discount(without.time(end) - without.time(start)) - 1) / yearFraction('ACT/360', start, end);
  const given = parseMarket(`${USD_MARKET}${HW}fixings:\n  USD-LIBOR-6M:\n    - { date: ${toIsoDate(start)}, rate: ${forward} }\n`, 'fixing.yaml');

  it('prices at that forward: the same value as with the fixing given at it', () => {
    expect(priceTrade(trade, given).npv).toBeCloseTo(priceTrade(trade, without).npv, 6);
  });

  it('every SIMM row equals the row with the fixing given (the running coupon\'s rate held across the bumps)', () => {
    const a = new Map(sensitivities(trade, without).map((r) => [key(r), r.amountUsd]));
    const b = new Map(sensitivities(trade, given).map((r) => [key(r), r.amountUsd]));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of b) expect(Math.abs(a.get(k)! - v), k).toBeLessThan(1e-6 * Math.abs(v) + 1e-6);
    // the Libor6m sub-curve's 6m vertex carries only the next coupon's fixing (2026-09-16, 0.25y away): the running
    // coupon's forward (a 6-month period from today, 0.5y) no longer lands there
    expect(a.get('Risk_IRCurve/USD/6m/Libor6m') ?? 0).toBeCloseTo(b.get('Risk_IRCurve/USD/6m/Libor6m') ?? 0, 6);
  });
});

describe('an overnight coupon running without its daily fixings', () => {
  const text = USD_MARKET.replace('  projection:\n', '  projection:\n    USD-SOFR:\n      pillars:\n        - { tenor: 1Y, zeroRate: 0.0420 }\n        - { tenor: 10Y, zeroRate: 0.0380 }\n') + HW;
  const market = parseMarket(text, 'sofr.yaml');
  // one quarterly period from 2026-06-01 (running since two weeks), paid at its end
  const ois = payer('O', leg('USD-SOFR', fromYmd(2026, 6, 1), 3, '3M'), 'OIS');
  const schedule = buildSchedule(ois.floatLeg);
  const start = schedule.accrualStart[0]!;
  const end = schedule.accrualEnd[0]!;
  const pay = schedule.paymentDate[0]!;
  const tau = schedule.accrualFraction[0]!;
  const proj = market.projectionCurve('USD-SOFR');
  const forward = (1 / proj.discount(market.time(end) - market.time(start)) - 1) / tau;

  it('the implied fixings give back the price on today\'s forward (to rounding)', () => {
    const fixings = impliedFixings(ois, market)!;
    expect(fixings('USD-SOFR', fromYmd(2026, 6, 12))).toBeDefined();
    expect(fixings('USD-SOFR', fromYmd(2026, 6, 13))).toBeUndefined(); // a Saturday: no fixing
    expect(fixings('USD-SOFR', AS_OF)).toBeUndefined(); // today's rate is projected
    const v = priceTrade(ois, market).npv;
    expect(Math.abs(priceTrade(ois, bumpedMarket(market, { fixings })).npv - v)).toBeLessThan(1e-7);
  });

  it('the projection delta is the part still to run (by hand), on the vertices around the period\'s end, none at 6m', () => {
    const rows = sensitivities(ois, market).filter((r) => r.riskType === 'Risk_IRCurve' && r.qualifier === 'USD');
    // SOFR and the discount curve are both SIMM's OIS sub-curve: their rows add; split them by hand
    const tEnd = market.time(end);
    const tPay = market.time(pay);
    const pd = market.discountCurve('USD').discount(tPay);
    const projection = N * (1 + forward * tau) * (Math.exp(1e-4 * tEnd) - 1) * pd;
    const discount = priceTrade(ois, market).npv * (Math.exp(-1e-4 * tPay) - 1);
    const total = rows.reduce((a, r) => a + r.amountUsd, 0);
    // the hats add up to the parallel 1bp to second order: (1bp·t)² ≈ 4e-10 of the move
    expect(Math.abs(total - (projection + discount))).toBeLessThan(1e-4 * Math.abs(projection));
    // the old figure (the whole period's length from today re-priced) would differ by N·(e^{1bp·L} − e^{1bp·t_e})·P_d ≈ 1.0e5·(L − t_e)
    const length = tEnd - market.time(start);
    expect(N * (Math.exp(1e-4 * length) - Math.exp(1e-4 * tEnd)) * pd).toBeGreaterThan(30);
    // t_e = 0.21y lies between the 1m and 3m vertices: no 6m row
    expect(tEnd).toBeLessThan(0.25);
    expect(rows.find((r) => r.label1 === '6m')).toBeUndefined();
  });

  it('with some of the days fixed, only the missing ones are implied, at one rate', () => {
    const given = parseMarket(`${text}fixings:\n  USD-SOFR:\n    - { date: 2026-06-01, rate: 0.0431 }\n    - { date: 2026-06-02, rate: 0.0433 }\n`, 'some.yaml');
    const fixings = impliedFixings(ois, given)!;
    expect(fixings('USD-SOFR', fromYmd(2026, 6, 1))).toBeUndefined();
    const r = fixings('USD-SOFR', fromYmd(2026, 6, 3))!;
    expect(fixings('USD-SOFR', fromYmd(2026, 6, 12))).toBe(r);
    expect(Math.abs(priceTrade(ois, bumpedMarket(given, { fixings })).npv - priceTrade(ois, given).npv)).toBeLessThan(1e-7);
  });
});

describe('an overnight coupon with a lookback, running without its fixings', () => {
  const text = USD_MARKET.replace('  projection:\n', '  projection:\n    USD-SOFR:\n      pillars:\n        - { tenor: 1Y, zeroRate: 0.0420 }\n        - { tenor: 10Y, zeroRate: 0.0380 }\n') + HW;
  const market = parseMarket(text, 'sofr.yaml');
  const ois = payer('LB', { ...leg('USD-SOFR', fromYmd(2026, 6, 1), 3, '3M'), lookbackDays: 5, observationShift: true } as FloatLeg, 'OIS');

  it('the implied fixings (the days looked back to, before today) give back the price; the delta leaves the 6m vertex', () => {
    const fixings = impliedFixings(ois, market)!;
    // five business days before 2026-06-01 (a Monday): 2026-05-25
    expect(fixings('USD-SOFR', fromYmd(2026, 5, 25))).toBeDefined();
    expect(fixings('USD-SOFR', fromYmd(2026, 5, 22))).toBeUndefined();
    expect(Math.abs(priceTrade(ois, bumpedMarket(market, { fixings })).npv - priceTrade(ois, market).npv)).toBeLessThan(1e-7);
    const rows = sensitivities(ois, market).filter((r) => r.riskType === 'Risk_IRCurve');
    expect(rows.find((r) => r.label1 === '6m')).toBeUndefined();
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('flatRate', () => {
  it('solves Π(1 + r·δ_i) = G to machine precision (a weekend weight of 3/360 among daily ones)', () => {
    const weights = [1, 1, 1, 1, 3, 1, 1].map((d) => d / 360);
    for (const g of [1.0008, 0.9995, 1]) {
      const r = flatRate(g, weights);
      expect(Math.abs(weights.reduce((a, w) => a * (1 + r * w), 1) - g)).toBeLessThan(1e-15);
    }
    expect(() => flatRate(-1, weights)).toThrow(/no flat rate/);
  });
});
