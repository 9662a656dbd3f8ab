import { describe, it, expect } from 'vitest';
import { fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import type { CrossCurrencySwap, FixedLeg, FloatLeg, InterestRateSwap } from '../src/products/types.js';
import { fixedLegPv, floatLegPv } from '../src/pricing/legs.js';
import { priceTrade } from '../src/pricing/index.js';
import { flatCurve, flatMarket } from './helpers/flatMarket.js';

const asOf = fromYmd(2026, 6, 30);
const years = (date: DateSerial): number => (date - asOf) / 365;

function fixedLeg(over: Partial<FixedLeg> = {}): FixedLeg {
  return {
    kind: 'fixed',
    currency: 'USD',
    notional: 10_000_000,
    fixedRate: 0.04,
    startDate: fromYmd(2026, 7, 2),
    maturityDate: fromYmd(2031, 7, 2),
    frequency: '1Y',
    dayCount: '30/360',
    businessDayConvention: 'MF',
    stub: 'short_front',
    endOfMonth: false,
    ...over,
  };
}

function floatLeg(over: Partial<FloatLeg> = {}): FloatLeg {
  return {
    kind: 'float',
    currency: 'USD',
    notional: 10_000_000,
    floatIndex: 'USD-SOFR',
    spreadBp: 0,
    startDate: fromYmd(2026, 7, 2),
    maturityDate: fromYmd(2031, 7, 2),
    frequency: '3M',
    dayCount: 'ACT/360',
    businessDayConvention: 'MF',
    stub: 'short_front',
    endOfMonth: false,
    ...over,
  };
}

function irs(over: Partial<InterestRateSwap> = {}): InterestRateSwap {
  return {
    product: 'IRS',
    tradeId: 'T1',
    counterpartyId: 'C1',
    nettingSetId: 'N1',
    cleared: false,
    direction: 'pay',
    fixedLeg: fixedLeg(),
    floatLeg: floatLeg(),
    ...over,
  };
}

const market = flatMarket({
  asOf,
  rates: { USD: 0.04, EUR: 0.02 },
  projection: { 'USD-SOFR': { currency: 'USD', rate: 0.04 }, 'USD-LIBOR-3M': { currency: 'USD', rate: 0.046 }, 'EUR-ESTR': { currency: 'EUR', rate: 0.02 } },
  spotsInBase: { EUR: 1.1 },
  collateralBasis: { 'EUR/USD': -0.0015 },
});
const usd = (t: number): number => Math.exp(-0.04 * t);
const eur = (t: number): number => Math.exp(-0.02 * t);

describe('interest rate swaps', () => {
  it('an at-market single-curve swap (K = (P(s) − P(e))/annuity) prices to 0 within 1e-8 × notional', () => {
    const fixedSchedule = buildSchedule(fixedLeg());
    const floatSchedule = buildSchedule(floatLeg());
    let annuity = 0;
    for (let i = 0; i < fixedSchedule.count; i++) annuity += fixedSchedule.accrualFraction[i]! * usd(years(fixedSchedule.paymentDate[i]!));
    const s = floatSchedule.accrualStart[0]!;
    const e = floatSchedule.paymentDate[floatSchedule.count - 1]!;
    const parRate = (usd(years(s)) - usd(years(e))) / annuity;
    for (const direction of ['pay', 'receive'] as const) {
      const value = priceTrade(irs({ direction, fixedLeg: fixedLeg({ fixedRate: parRate }) }), market);
      expect(Math.abs(value.npv)).toBeLessThan(1e-8 * 10_000_000);
      expect(value.currency).toBe('USD');
    }
  });

  it('pays fixed: NPV = PV(float) − PV(fixed); receive is the negative; OIS is priced the same way', () => {
    const trade = irs({ fixedLeg: fixedLeg({ fixedRate: 0.05 }) });
    // Single curve: floating leg = N·(P(s) − P(e)); fixed leg = K·N·Σ τ P.
    const fixedSchedule = buildSchedule(trade.fixedLeg);
    let annuity = 0;
    for (let i = 0; i < fixedSchedule.count; i++) annuity += fixedSchedule.accrualFraction[i]! * usd(years(fixedSchedule.paymentDate[i]!));
    const s = fixedSchedule.accrualStart[0]!;
    const e = fixedSchedule.paymentDate[fixedSchedule.count - 1]!;
    const expected = 1e7 * (usd(years(s)) - usd(years(e))) - 0.05 * 1e7 * annuity;
    expect(Math.abs(priceTrade(trade, market).npv - expected)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade({ ...trade, direction: 'receive' }, market).npv + expected)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade({ ...trade, product: 'OIS' }, market).npv - expected)).toBeLessThan(1e-6);
  });

  it('floating coupons add the spread on the annuity and project on their own index curve (dual curve)', () => {
    const leg = floatLeg({ floatIndex: 'USD-LIBOR-3M', spreadBp: 25 });
    const schedule = buildSchedule(leg);
    let expected = 0;
    for (let i = 0; i < schedule.count; i++) {
      const ts = years(schedule.accrualStart[i]!);
      const te = years(schedule.accrualEnd[i]!);
      const tau = schedule.accrualFraction[i]!;
      const forward = (Math.exp(0.046 * (te - ts)) - 1) / tau; // (P(s)/P(e) − 1)/τ on the 4.6% curve
      expected += 1e7 * (forward + 0.0025) * tau * usd(years(schedule.paymentDate[i]!));
    }
    const pv = floatLegPv(leg, market, flatCurve('p', 'USD', 0.046), flatCurve('d', 'USD', 0.04));
    expect(Math.abs(pv / expected - 1)).toBeLessThan(1e-13);
  });

  it('a fixed leg by hand: a seasoned 5% annual 30/360 unadjusted leg drops the coupons paid before the as-of date', () => {
    const leg = fixedLeg({ notional: 1e6, fixedRate: 0.05, startDate: fromYmd(2024, 1, 15), maturityDate: fromYmd(2029, 1, 15), businessDayConvention: 'U' });
    // Coupons of 50,000 on 15 Jan 2025 and 2026 are paid; 2027, 2028, 2029 remain (30/360 whole years: τ = 1).
    const expected = [fromYmd(2027, 1, 15), fromYmd(2028, 1, 15), fromYmd(2029, 1, 15)].reduce((pv, d) => pv + 50_000 * usd((d - asOf) / 365), 0);
    expect(Math.abs(fixedLegPv(leg, market, market.discountCurve('USD')) - expected)).toBeLessThan(1e-8);
  });

  it('a running floating period is fixed at today’s forward of the same length (no fixing history)', () => {
    const leg = floatLeg({ notional: 1e6, startDate: fromYmd(2026, 4, 15), maturityDate: fromYmd(2026, 10, 15), frequency: '6M', businessDayConvention: 'U' });
    const tau = (fromYmd(2026, 10, 15) - fromYmd(2026, 4, 15)) / 360;
    const length = (fromYmd(2026, 10, 15) - fromYmd(2026, 4, 15)) / 365;
    const expected = 1e6 * ((Math.exp(0.04 * length) - 1) / tau) * tau * usd(years(fromYmd(2026, 10, 15)));
    expect(Math.abs(floatLegPv(leg, market, market.projectionCurve('USD-SOFR'), market.discountCurve('USD')) - expected)).toBeLessThan(1e-8);
  });

  it('names the trade and the missing index when the projection curve is absent', () => {
    expect(() => priceTrade(irs({ floatLeg: floatLeg({ floatIndex: 'USD-NONE' }) }), market)).toThrow(/T1.*USD-NONE/);
  });
});

describe('cross-currency swaps', () => {
  // Leg 1: EUR 9,000,000 fixed 3% annual 30/360; leg 2: USD 10,000,000 on SOFR quarterly; unadjusted whole-year dates.
  const start = fromYmd(2026, 9, 15);
  const end = fromYmd(2029, 9, 15);
  const xccy = (over: Partial<CrossCurrencySwap> = {}): CrossCurrencySwap => ({
    product: 'XCCY',
    tradeId: 'X1',
    counterpartyId: 'C1',
    nettingSetId: 'N1',
    cleared: false,
    direction: 'pay',
    leg1: fixedLeg({ currency: 'EUR', notional: 9e6, fixedRate: 0.03, startDate: start, maturityDate: end, businessDayConvention: 'U' }),
    leg2: floatLeg({ notional: 1e7, startDate: start, maturityDate: end, businessDayConvention: 'U' }),
    initialExchange: true,
    finalExchange: true,
    ...over,
  });
  const eurLegByHand = (disc: (t: number) => number, initial: boolean): number =>
    (initial ? -9e6 * disc(years(start)) : 0) +
    [2027, 2028, 2029].reduce((pv, y) => pv + 270_000 * disc(years(fromYmd(y, 9, 15))), 0) +
    9e6 * disc(years(end));

  it('pay leg 1 / receive leg 2 with both exchanges: USD float leg with notionals is worth 0 single-curve; NPV = −S·PV(EUR leg)', () => {
    const value = priceTrade(xccy(), market);
    expect(value.currency).toBe('USD');
    const expected = -1.1 * eurLegByHand(eur, true);
    expect(Math.abs(value.npv - expected)).toBeLessThan(1e-6);
    expect(Math.abs(value.npvBase - expected)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade(xccy({ direction: 'receive' }), market).npv + expected)).toBeLessThan(1e-6);
  });

  it('excludes an initial exchange already past, and discounts EUR flows on the USD-collateral curve when asked', () => {
    const seasonedStart = fromYmd(2025, 9, 15);
    const trade = xccy({
      leg1: { ...xccy().leg1, startDate: seasonedStart },
      leg2: { ...xccy().leg2, startDate: seasonedStart, kind: 'fixed', fixedRate: 0.045, frequency: '1Y', dayCount: '30/360' } as FixedLeg,
    });
    const usdLeg = [2026, 2027, 2028, 2029].reduce((pv, y) => pv + 450_000 * usd(years(fromYmd(y, 9, 15))), 0) + 1e7 * usd(years(end));
    const eurCollUsd = (t: number): number => Math.exp(-(0.02 - 0.0015) * t);
    const eurLeg = 270_000 * eurCollUsd(years(fromYmd(2026, 9, 15))) + eurLegByHand(eurCollUsd, false);
    const value = priceTrade(trade, market, { collateralCurrency: 'USD' });
    expect(Math.abs(value.npv - (usdLeg - 1.1 * eurLeg))).toBeLessThan(1e-6);
  });

  it('final-only exchange: the initial notional is not exchanged', () => {
    const both = priceTrade(xccy(), market).npv;
    const finalOnly = priceTrade(xccy({ initialExchange: false }), market).npv;
    // Removing the exchange at start: the bank no longer pays N2·P_USD(s) nor receives S·N1·P_EUR(s).
    const initialLegs = -1e7 * usd(years(start)) + 1.1 * 9e6 * eur(years(start));
    expect(Math.abs(both - finalOnly - initialLegs)).toBeLessThan(1e-6);
  });
});
