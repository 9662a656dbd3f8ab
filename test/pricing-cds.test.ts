import { describe, it, expect } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { cdsParSpread } from '../src/market/cdsIsda.js';
import type { CreditDefaultSwap } from '../src/products/types.js';
import { cdsUnitValue } from '../src/pricing/cds.js';
import { priceTrade } from '../src/pricing/index.js';
import { flatMarket } from './helpers/flatMarket.js';

const asOf = fromYmd(2026, 6, 30);
const hazard = 0.02;
const recovery = 0.4;
const market = flatMarket({ asOf, rates: { USD: 0.04, EUR: 0.02 }, spotsInBase: { EUR: 1.1 }, credit: { ACME: { hazard, recovery } } });

const cds = (over: Partial<CreditDefaultSwap> = {}): CreditDefaultSwap => ({
  product: 'CDS', tradeId: 'D1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, direction: 'buy', referenceEntity: 'ACME',
  currency: 'USD', notional: 1e7, fixedRate: 0.01, startDate: fromYmd(2026, 6, 20), maturityDate: fromYmd(2031, 6, 20),
  frequency: '3M', dayCount: 'ACT/360', ...over,
});
const contractOf = (t: CreditDefaultSwap) => ({ startDate: t.startDate, maturityDate: t.maturityDate, recovery, frequencyMonths: 3, dayCount: t.dayCount });

describe('CDS (ISDA standard model legs)', () => {
  it('traded today: protection buyer NPV is 0 when the coupon equals the par spread (1e-10 × notional)', () => {
    const par = cdsParSpread(contractOf(cds()), asOf, market.discountCurve('USD'), market.creditCurve('ACME'));
    expect(Math.abs(priceTrade(cds({ fixedRate: par, tradeDate: asOf }), market).npv)).toBeLessThan(1e-10 * 1e7);
    // Credit triangle sanity: with flat hazard λ the par spread is close to λ(1 − R) = 120bp. ACT/360 coupons lower it
    // by about 365/360 (1.6bp) and discrete quarterly payment with accrual on default moves it by a fraction of a bp:
    // within 2bp.
    expect(Math.abs(par - hazard * (1 - recovery))).toBeLessThan(2e-4);
  });

  it('traded today: NPV = N·(par − coupon)·clean RPV01, sold protection is the negative, in the trade currency', () => {
    const trade = cds({ fixedRate: 0.01, tradeDate: asOf });
    const par = cdsParSpread(contractOf(trade), asOf, market.discountCurve('USD'), market.creditCurve('ACME'));
    const rpv01 = cdsUnitValue(trade, market).cleanRiskyAnnuity;
    const value = priceTrade(trade, market);
    expect(Math.abs(value.npv - 1e7 * (par - 0.01) * rpv01)).toBeLessThan(1e-6);
    expect(priceTrade(cds({ direction: 'sell', tradeDate: asOf }), market).npv).toBeCloseTo(-value.npv, 8);
    const eur = priceTrade(cds({ currency: 'EUR', tradeDate: asOf }), market);
    expect(eur.currency).toBe('EUR');
    expect(Math.abs(eur.npvBase - 1.1 * eur.npv)).toBeLessThan(1e-8);
  });

  it('a position settled before today is worth its dirty value; one traded in the last three business days keeps its rebate to come', () => {
    const p = (date: number) => market.discountCurve('USD').discount(market.time(date));
    const clean = priceTrade(cds({ tradeDate: asOf }), market).npv;
    // accrued from the period's start (the roll date Sat 2026-06-20 adjusted to Mon 06-22) to the step-in date 2026-07-01
    // (9 days ACT/360), rebated on Fri 2026-07-03
    // (Tue 2026-06-30 + 3 business days): the dirty value is that much lower for the buyer (ORE's and QuantLib's NPV)
    const rebate = (n: number, date: number) => 1e7 * 0.01 * (n / 360) * p(date);
    expect(priceTrade(cds(), market).npv).toBeCloseTo(clean - rebate(9, fromYmd(2026, 7, 3)), 6);
    // the legs: protection − coupon × the (dirty) risky annuity
    const legs = cdsUnitValue(cds(), market);
    expect(priceTrade(cds(), market).npv).toBeCloseTo(1e7 * (legs.protectionLegPv - 0.01 * legs.riskyAnnuity), 6);
    // traded Fri 2026-06-26: step-in Sat 06-27 (5 days accrued), settled Wed 07-01, after today: its rebate is still to come
    expect(priceTrade(cds({ tradeDate: fromYmd(2026, 6, 26) }), market).npv).toBeCloseTo(clean - rebate(9, fromYmd(2026, 7, 3)) + rebate(5, fromYmd(2026, 7, 1)), 6);
    // traded Thu 2026-06-25: settled Tue 06-30, today: no longer to come, the dirty value; sold: the negative
    expect(priceTrade(cds({ tradeDate: fromYmd(2026, 6, 25) }), market).npv).toBe(priceTrade(cds(), market).npv);
    expect(priceTrade(cds({ direction: 'sell' }), market).npv).toBe(-priceTrade(cds(), market).npv);
  });

  it('names the trade and the entity when the credit curve is missing', () => {
    expect(() => priceTrade(cds({ referenceEntity: 'NOBODY' }), market)).toThrow(/D1.*NOBODY/);
  });
});
