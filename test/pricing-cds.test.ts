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
  it('protection buyer NPV is 0 when the coupon equals the par spread (1e-10 × notional)', () => {
    const par = cdsParSpread(contractOf(cds()), asOf, market.discountCurve('USD'), market.creditCurve('ACME'));
    expect(Math.abs(priceTrade(cds({ fixedRate: par }), market).npv)).toBeLessThan(1e-10 * 1e7);
    // Credit triangle sanity: with flat hazard λ the par spread is close to λ(1 − R) = 120bp. ACT/360 coupons lower it
    // by about 365/360 (1.6bp) and discrete quarterly payment with accrual on default moves it by a fraction of a bp:
    // within 2bp.
    expect(Math.abs(par - hazard * (1 - recovery))).toBeLessThan(2e-4);
  });

  it('NPV = N·(par − coupon)·clean RPV01, sold protection is the negative, in the trade currency', () => {
    const trade = cds({ fixedRate: 0.01 });
    const par = cdsParSpread(contractOf(trade), asOf, market.discountCurve('USD'), market.creditCurve('ACME'));
    const rpv01 = cdsUnitValue(trade, market).cleanRiskyAnnuity;
    const value = priceTrade(trade, market);
    expect(Math.abs(value.npv - 1e7 * (par - 0.01) * rpv01)).toBeLessThan(1e-6);
    expect(priceTrade(cds({ direction: 'sell' }), market).npv).toBeCloseTo(-value.npv, 8);
    const eur = priceTrade(cds({ currency: 'EUR' }), market);
    expect(eur.currency).toBe('EUR');
    expect(Math.abs(eur.npvBase - 1.1 * eur.npv)).toBeLessThan(1e-8);
  });

  it('names the trade and the entity when the credit curve is missing', () => {
    expect(() => priceTrade(cds({ referenceEntity: 'NOBODY' }), market)).toThrow(/D1.*NOBODY/);
  });
});
