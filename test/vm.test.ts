/**
 * Today's VM and margin call (src/margin/vm.ts) against hand-computed CSA cases: ISDA CSA Paragraph 3 (credit
 * support amount = exposure − threshold + independent amounts), the minimum transfer amount, and the Paragraph 13
 * rounding election "Delivery Amount rounded up, Return Amount rounded down". Every expected figure is worked by
 * hand in the comment beside it; amounts are exact multiples, so the tolerance is 1e-9.
 */
import { describe, expect, it } from 'vitest';
import { roundedTransfer, variationMargin, vmRequirement } from '../src/margin/vm.js';
import type { NettingSet } from '../src/portfolio/types.js';

const csa = (over: Partial<NettingSet> = {}): NettingSet => ({
  nettingSetId: 'NS1', counterpartyId: 'C1', csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
  independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false,
  ...over,
});

describe('VM requirement and thresholds', () => {
  it('threshold binding: exposure 12m, counterparty threshold 5m → 7m required; inside the band → 0', () => {
    expect(vmRequirement(12e6, 5e6, 2e6)).toBe(7e6);
    expect(vmRequirement(4e6, 5e6, 2e6)).toBe(0);
    // bank owes 3m, bank threshold 2m → the bank posts 1m
    expect(vmRequirement(-3e6, 5e6, 2e6)).toBe(-1e6);
    const r = variationMargin(csa({ thresholdCpty: 5e6 }), 12e6, 0);
    expect(r.vmRequired).toBe(7e6);
    expect(r.marginCall).toBe(7e6);
  });

  it('uncollateralised netting set: no requirement, no call', () => {
    const r = variationMargin(csa({ csa: false }), 12e6, 0);
    expect(r.marginCall).toBe(0);
    expect(r.limitedBy).toBe('uncollateralised');
  });
});

describe('minimum transfer amount', () => {
  it('MTA binding: required 7m, held 6.8m → difference 0.2m < MTA 0.25m → no call', () => {
    const r = variationMargin(csa({ thresholdCpty: 5e6, mtaCpty: 250_000 }), 12e6, 6.8e6);
    expect(r.difference).toBeCloseTo(200_000, 9);
    expect(r.marginCall).toBe(0);
    expect(r.limitedBy).toBe('mta');
  });

  it('MTA not binding: held 6.5m → call 0.5m', () => {
    expect(variationMargin(csa({ thresholdCpty: 5e6, mtaCpty: 250_000 }), 12e6, 6.5e6).marginCall).toBeCloseTo(500_000, 9);
  });

  it("the transferor's MTA applies: the bank returns 0.3m with MTA_bank 0.5m → no call; MTA_cpty is irrelevant", () => {
    const r = variationMargin(csa({ mtaCpty: 100_000, mtaBank: 500_000 }), 1.7e6, 2e6);
    expect(r.difference).toBeCloseTo(-300_000, 9);
    expect(r.marginCall).toBe(0);
  });
});

describe('rounding (delivery up, return down)', () => {
  it('delivery rounded up: difference 1,234,567 with rounding 10,000 → 1,240,000', () => {
    expect(variationMargin(csa({ rounding: 10_000 }), 1_234_567, 0).marginCall).toBeCloseTo(1_240_000, 9);
  });

  it('return rounded down: the bank holds 2m and owes back 765,433 → returns 760,000', () => {
    // exposure 1,234,567 < balance 2,000,000: D = −765,433, all of it a return of collateral the bank holds
    expect(variationMargin(csa({ rounding: 10_000 }), 1_234_567, 2e6).marginCall).toBeCloseTo(-760_000, 9);
  });

  it('crossing zero: bank holds 0.5m, exposure −1,234,567 → D = −1,734,567: return 500,000 (exact) + bank delivery 1,234,567 up to 1,240,000', () => {
    expect(roundedTransfer(-1_734_567, 500_000, 10_000)).toBeCloseTo(-1_740_000, 9);
    expect(variationMargin(csa({ rounding: 10_000 }), -1_234_567, 500_000).marginCall).toBeCloseTo(-1_740_000, 9);
  });

  it('an exact multiple is not moved by rounding', () => {
    expect(roundedTransfer(1_250_000, 0, 10_000)).toBeCloseTo(1_250_000, 9);
    expect(roundedTransfer(0.3 * 3, 0, 0.1)).toBeCloseTo(0.9, 12);
  });
});

describe('independent amounts', () => {
  it('IA: exposure 3m, threshold 1m, IA_cpty 2m, IA_bank 0.5m → credit support 3.5m; held 1m → call 2.5m', () => {
    const r = variationMargin(csa({ thresholdCpty: 1e6, independentAmountCpty: 2e6, independentAmountBank: 0.5e6 }), 3e6, 1e6);
    expect(r.vmRequired).toBe(2e6);
    expect(r.creditSupportAmount).toBe(3.5e6);
    expect(r.marginCall).toBeCloseTo(2.5e6, 9);
  });

  it('IA with the exposure inside the threshold: only the IA is called', () => {
    const r = variationMargin(csa({ thresholdCpty: 5e6, independentAmountCpty: 1e6, mtaCpty: 100_000, rounding: 50_000 }), 4e6, 0);
    expect(r.vmRequired).toBe(0);
    expect(r.marginCall).toBeCloseTo(1e6, 9);
  });
});
