/**
 * The LGM of docs/model.md written from a market's given Hull-White parameters, independently of the engine's model
 * code (tests that compare the engine with a closed form or a simulation of their own): H(t) = (1 − e^{−κt})/κ,
 * ζ(t) = ∫₀ᵗ σ(u)²·e^{2κu} du for σ piecewise constant, and the bond P(t,T|x) = P(0,T)/P(0,t)·e^{−(H(T)−H(t))x −
 * ½(H(T)²−H(t)²)ζ(t)}; plus a swap's fixed flows and float periods (today's pricers' amounts and basis ratios β), and
 * the one-swap book these tests value.
 */
import { expect } from 'vitest';
import { fromYmd } from '../../src/conventions/dates.js';
import { buildSchedule } from '../../src/conventions/schedule.js';
import type { Market } from '../../src/market/types.js';
import type { Portfolio } from '../../src/portfolio/types.js';
import { fixedLegFlows, floatLegFlows } from '../../src/pricing/legs.js';
import { projectionFor } from '../../src/pricing/swaps.js';
import type { Currency, InterestRateSwap } from '../../src/products/types.js';

export interface HullWhiteLgm {
  kappa: number;
  H(t: number): number;
  /** H'(t) = e^{−κt}. */
  dH(t: number): number;
  zeta(t: number): number;
  P0(t: number): number;
  bond(t: number, T: number, x: number): number;
}

export function hullWhiteLgm(market: Market, currency: Currency): HullWhiteLgm {
  const hw = market.hullWhite(currency)!;
  expect(hw.source).toBe('given');
  const kappa = hw.meanReversion;
  const H = (t: number) => (1 - Math.exp(-kappa * t)) / kappa;
  const zeta = (t: number) => {
    let z = 0;
    let lo = 0;
    for (let i = 0; i < hw.sigmas.length && lo < t; i++) {
      const hi = Math.min(hw.sigmaTimes[i]!, t);
      z += (hw.sigmas[i]! ** 2 * (Math.exp(2 * kappa * hi) - Math.exp(2 * kappa * lo))) / (2 * kappa);
      lo = hi;
    }
    return z;
  };
  const curve = market.discountCurve(currency);
  const P0 = (t: number) => curve.discount(t);
  return {
    kappa,
    H,
    dH: (t) => Math.exp(-kappa * t),
    zeta,
    P0,
    bond: (t, T, x) => (P0(T) / P0(t)) * Math.exp(-(H(T) - H(t)) * x - 0.5 * (H(T) ** 2 - H(t) ** 2) * zeta(t)),
  };
}

/** A swap's fixed coupons (payment time T, amount c) and float periods (u, e, β), none paid late (checked). */
export function swapFlows(swap: InterestRateSwap, market: Market, P0: (t: number) => number): { fixed: { T: number; c: number }[]; float: { u: number; e: number; beta: number }[] } {
  const fs = buildSchedule(swap.fixedLeg);
  const ff = fixedLegFlows(swap.fixedLeg, market, fs);
  const fixed = Array.from({ length: ff.count }, (_, j) => ({ T: market.time(fs.paymentDate[fs.count - ff.count + j]!), c: ff.amounts[j]! }));
  const projection = projectionFor(swap.tradeId, swap.floatLeg, market);
  const gs = buildSchedule(swap.floatLeg);
  const gf = floatLegFlows(swap.floatLeg, market, projection, gs);
  const float = Array.from({ length: gf.count }, (_, j) => {
    const u = gf.accrualStartTimes[j]!;
    const e = gf.accrualEndTimes[j]!;
    expect(gf.paymentTimes[j]).toBe(e); // no payment lag
    return { u, e, beta: projection.discount(u) / projection.discount(e) / (P0(u) / P0(e)) };
  });
  return { fixed, float };
}

/**
 * A 5y USD swap (2026-07-02 to 2031-07-02, MF, 100m unless given) paying fixed at `fixedRate` annually against
 * USD-SOFR, alone in netting set NS1 of counterparty CP1: with a CSA (MPoR 10, SIMM IM) or without one.
 */
export function oneSwapBook(o: { fixedRate: number; fixedDayCount: '30/360' | 'ACT/360'; floatFrequency: '3M' | '1Y'; csa: boolean; notional?: number }): { swap: InterestRateSwap; portfolio: Portfolio } {
  const leg = { currency: 'USD' as const, notional: o.notional ?? 1e8, startDate: fromYmd(2026, 7, 2), maturityDate: fromYmd(2031, 7, 2), businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  const swap: InterestRateSwap = {
    tradeId: 'S1', counterpartyId: 'CP1', nettingSetId: 'NS1', cleared: false, product: 'IRS', direction: 'pay',
    fixedLeg: { ...leg, kind: 'fixed', fixedRate: o.fixedRate, frequency: '1Y', dayCount: o.fixedDayCount },
    floatLeg: { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 0, frequency: o.floatFrequency, dayCount: 'ACT/360' },
  };
  const portfolio: Portfolio = {
    trades: [swap],
    counterparties: [{ counterpartyId: 'CP1', name: 'One', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
    nettingSets: [{
      nettingSetId: 'NS1', counterpartyId: 'CP1', csa: o.csa, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
      independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: o.csa ? 'simm' : 'none', collateralCurrency: 'USD', cleared: false,
    }],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
  return { swap, portfolio };
}
