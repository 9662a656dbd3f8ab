/**
 * Step-up fixed rates and stepped cap/floor strikes (the rate_schedules table, docs/inputs.md "Step-up rates").
 * References independent of the code under test:
 * - today's price by hand: Σ N·K_i·τ·P(0, t_i) on a schedule written out here (annual 30/360, unadjusted: τ = 1);
 * - the decomposition into flat-rate pieces (a swap with the first rate to the step date plus a forward-starting swap
 *   with the next rate, both legs split), today and on the engine's paths (the flat code paths are tested against
 *   closed forms elsewhere);
 * - a step-up swaption under Hull-White against the brute-force integral over the Gaussian state at expiry (Simpson),
 *   and on a normal surface against A·Bachelier(F, K̄) with K̄ = Σ N·K_i·τ·P / Σ N·τ·P computed here;
 * - a bought payer and a sold receiver step-up swaption are the forward step-up payer swap on every path;
 * - a cap with stepped strikes = the sum of flat-strike caps over the sub-periods.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSaccr } from '../src/capital/saccr/compute.js';
import { addMonths, fromYmd, toIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector } from '../src/errors.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import type { HullWhiteParams, Market, SwaptionVolSurface } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { bachelier } from '../src/pricing/black.js';
import { priceTrade } from '../src/pricing/index.js';
import { swaptionVolatility } from '../src/pricing/swaptionVol.js';
import type { CapFloor, FixedLeg, FloatLeg, InterestRateSwap, RateSteps, Swaption, Trade } from '../src/products/types.js';
import { flatMarket } from './helpers/flatMarket.js';
import { simpson, swaptionsByIntegral } from './helpers/quadrature.js';

const DEMO = path.resolve('fixtures/demo');
const SMALL = path.resolve('test/data/small');
const N = 20_000_000;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

let market: Market;
let portfolio: Portfolio;
beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

/** EUR legs on unadjusted dates: the fixed leg annual 30/360 (τ = 1 on whole years), the floating leg 6M on EURIBOR. */
function legs(start: DateSerial, end: DateSerial, fixedRate: number, rateSteps?: RateSteps): { fixedLeg: FixedLeg; floatLeg: FloatLeg } {
  const common = { currency: 'EUR' as const, notional: N, startDate: start, maturityDate: end, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    fixedLeg: { kind: 'fixed', ...common, fixedRate, frequency: '1Y', dayCount: '30/360', ...(rateSteps ? { rateSteps } : {}) },
    floatLeg: { kind: 'float', ...common, floatIndex: 'EUR-EURIBOR-6M', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360' },
  };
}

function irs(tradeId: string, direction: 'pay' | 'receive', start: DateSerial, end: DateSerial, fixedRate: number, rateSteps?: RateSteps, nettingSetId = 'NS', counterpartyId = 'CP'): InterestRateSwap {
  return { tradeId, counterpartyId, nettingSetId, cleared: false, product: 'IRS', direction, ...legs(start, end, fixedRate, rateSteps) };
}

const y = (year: number, month = 9, day = 30) => fromYmd(year, month, day);
/** 3% to 2029-09-30, 4% to 2031-09-30, 4.5% after. */
const STEPS: RateSteps = { fromDates: [y(2029), y(2031)], rates: [0.04, 0.045] };

/** The flat-rate pieces of the step-up swap: [start, 2029-09-30) at 3%, then 4%, then 4.5%. */
function pieces(direction: 'pay' | 'receive', start: DateSerial, end: DateSerial, nettingSetId = 'NS', counterpartyId = 'CP'): InterestRateSwap[] {
  return [
    irs('P1', direction, start, y(2029), 0.03, undefined, nettingSetId, counterpartyId),
    irs('P2', direction, y(2029), y(2031), 0.04, undefined, nettingSetId, counterpartyId),
    irs('P3', direction, y(2031), end, 0.045, undefined, nettingSetId, counterpartyId),
  ];
}

describe('step-up swaps valued today', () => {
  it('the fixed leg = Σ N·K_i·P(0, t_i) by hand, and the swap = its flat pieces (forward-starting and seasoned)', () => {
    const disc = market.discountCurve('EUR');
    for (const start of [y(2026), y(2024)]) {
      const end = y(2033);
      const swap = irs('S', 'receive', start, end, 0.03, STEPS);
      const flat = irs('F', 'receive', start, end, 0.03);
      // receiver − the same swap at a flat 3%: the extra coupons N·(K_i − 3%)·1 paid on each 30 September after the steps
      let extra = 0;
      for (let year = start === y(2026) ? 2027 : 2025; year <= 2033; year++) {
        const pay = y(year);
        if (pay <= market.asOf) continue;
        const k = year > 2031 ? 0.045 : year > 2029 ? 0.04 : 0.03;
        extra += N * (k - 0.03) * disc.discount(market.time(pay));
      }
      expect(priceTrade(swap, market).npv - priceTrade(flat, market).npv).toBeCloseTo(extra, 4);
      expect(extra).toBeGreaterThan(0.01 * N);
      const sum = pieces('receive', start, end).reduce((acc, t) => acc + priceTrade(t, market).npv, 0);
      expect(Math.abs(priceTrade(swap, market).npv - sum)).toBeLessThan(1e-9 * N);
    }
  });

  it('steps and amortisation combine: each coupon N_k·K_k·τ (a notional schedule; by hand)', () => {
    const disc = market.discountCurve('EUR');
    const amortization = { kind: 'schedule' as const, fromDates: [y(2028), y(2030), y(2032)], notionals: [15e6, 10e6, 5e6] };
    const amortise = (t: InterestRateSwap): InterestRateSwap => ({ ...t, fixedLeg: { ...t.fixedLeg, amortization }, floatLeg: { ...t.floatLeg, amortization } });
    const swap = amortise(irs('S', 'receive', y(2026), y(2033), 0.03, STEPS));
    const flat = amortise(irs('F', 'receive', y(2026), y(2033), 0.03));
    let extra = 0;
    for (let year = 2027; year <= 2033; year++) {
      const start = year - 1; // the period accruing from 30 September of the year before
      const notional = start >= 2032 ? 5e6 : start >= 2030 ? 10e6 : start >= 2028 ? 15e6 : N;
      const k = start >= 2031 ? 0.045 : start >= 2029 ? 0.04 : 0.03;
      extra += notional * (k - 0.03) * disc.discount(market.time(y(year)));
    }
    expect(priceTrade(swap, market).npv - priceTrade(flat, market).npv).toBeCloseTo(extra, 4);
    expect(extra).toBeGreaterThan(0.005 * N);
  });

  it('a step dated inside a period applies from the next accrual start; a step on a holiday from the rolled start', () => {
    const mid = irs('M', 'pay', y(2026), y(2033), 0.03, { fromDates: [fromYmd(2029, 12, 15)], rates: [0.05] });
    const next = irs('X', 'pay', y(2026), y(2033), 0.03, { fromDates: [y(2030)], rates: [0.05] });
    expect(priceTrade(mid, market).npv).toBeCloseTo(priceTrade(next, market).npv, 6);
    // modified following: 2028-09-30 is a Saturday, so the period starts on Friday 2028-09-29 and the step dated on the
    // contractual Saturday (rolled the same way) applies to it; a step from the Monday after would not
    const mf = (t: InterestRateSwap): InterestRateSwap => ({ ...t, fixedLeg: { ...t.fixedLeg, businessDayConvention: 'MF' }, floatLeg: { ...t.floatLeg, businessDayConvention: 'MF' } });
    const onSaturday = mf(irs('A', 'pay', y(2026), y(2033), 0.03, { fromDates: [y(2028)], rates: [0.05] }));
    const onFriday = mf(irs('B', 'pay', y(2026), y(2033), 0.03, { fromDates: [fromYmd(2028, 9, 29)], rates: [0.05] }));
    const onMonday = mf(irs('C', 'pay', y(2026), y(2033), 0.03, { fromDates: [fromYmd(2028, 10, 2)], rates: [0.05] }));
    expect(toIsoDate(buildSchedule(onSaturday.fixedLeg).accrualStart[2]!)).toBe('2028-09-29');
    expect(priceTrade(onSaturday, market).npv).toBeCloseTo(priceTrade(onFriday, market).npv, 6);
    expect(Math.abs(priceTrade(onSaturday, market).npv - priceTrade(onMonday, market).npv)).toBeGreaterThan(0.01 * N);
  });
});

describe('step-up swaps on paths: their flat pieces on the same paths', () => {
  it('EPE, ENE, PFE agree date by date (1e-9 of the notional) and the set starts at today\'s price', async () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const swap = irs('S1', 'pay', y(2026), y(2033), 0.03, STEPS, 'NS_STEP', unc.counterpartyId);
    const sets = ['NS_STEP', 'NS_PIECES'].map((id) => ({ ...unc, nettingSetId: id }));
    const book: Portfolio = { ...portfolio, nettingSets: sets, trades: [swap, ...pieces('pay', y(2026), y(2033), 'NS_PIECES', unc.counterpartyId)] };
    const result = await runSimulation({ portfolio: book, market, options: { paths: 400, seed: 11, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    const [x, z] = ['NS_STEP', 'NS_PIECES'].map((id) => result.nettingSets.find((s) => s.nettingSetId === id)!.profile);
    for (let k = 0; k < x!.epe.length; k++) {
      for (const key of ['epe', 'ene', 'pfe'] as const) expect(Math.abs(x![key][k]! - z![key][k]!), `${key}[${k}]`).toBeLessThan(1e-9 * N);
    }
    // today's price on the set's collateral currency's curves (as the engine values the set)
    expect(Math.abs(x!.epe[0]! - x!.ene[0]! - priceTrade(swap, market, { collateralCurrency: unc.collateralCurrency }).npvBase)).toBeLessThan(1e-6 * N);
    expect(Math.max(...x!.epe)).toBeGreaterThan(1e-3 * N);
  }, 60_000);
});

describe('step-up swaptions', () => {
  const asOf = fromYmd(2026, 6, 30);
  const r = 0.035;
  const disc = (t: number): number => Math.exp(-r * t);
  const years = (d: DateSerial): number => (d - asOf) / 365;
  const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3), sigmas: Float64Array.of(0.008, 0.0095, 0.009), source: 'given' };
  const expiry = fromYmd(2028, 6, 30);
  const start = fromYmd(2028, 7, 3);
  const end = fromYmd(2033, 7, 3);
  const steps: RateSteps = { fromDates: [fromYmd(2030, 7, 3)], rates: [0.042] };
  const usdLegs = (rateSteps?: RateSteps): { fixedLeg: FixedLeg; floatLeg: FloatLeg } => {
    const common = { currency: 'USD' as const, notional: N, startDate: start, maturityDate: end, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
    return {
      fixedLeg: { kind: 'fixed', ...common, fixedRate: 0.033, frequency: '1Y', dayCount: '30/360', ...(rateSteps ? { rateSteps } : {}) },
      floatLeg: { kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
    };
  };
  const swaption = (over: Partial<Swaption> = {}): Swaption => ({
    product: 'SWAPTION', tradeId: 'SW', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, direction: 'buy', optionType: 'payer',
    settlement: 'physical', expiryDate: expiry, ...usdLegs(steps), ...over,
  });
  const spec = { asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD' as const, rate: r } } };
  /** K_i by hand: 3.3% for the periods starting before 2030-07-03, 4.2% after. */
  const rateOf = (accrualStart: DateSerial) => (accrualStart >= fromYmd(2030, 7, 3) ? 0.042 : 0.033);

  it('under Hull-White: the brute-force integral over the Gaussian state at expiry (1e-6 relative); payer − receiver = the step-up swap', () => {
    const m = flatMarket({ ...spec, hullWhite: { USD: hw } });
    const tExp = years(expiry);
    const a = hw.meanReversion;
    const v = simpson((u) => 0.008 ** 2 * Math.exp(-2 * a * (tExp - u)), 0, 1, 2000) + simpson((u) => 0.0095 ** 2 * Math.exp(-2 * a * (tExp - u)), 1, tExp, 2000);
    const bond = (t: number, x: number): number => {
      const g = (1 - Math.exp(-a * (t - tExp))) / a;
      return (disc(t) / disc(tExp)) * Math.exp(-g * x - 0.5 * g * g * v);
    };
    const fixed = buildSchedule(usdLegs().fixedLeg);
    const fl = buildSchedule(usdLegs().floatLeg);
    const payerSwap = (x: number): number => {
      let value = N * (bond(years(fl.accrualStart[0]!), x) - bond(years(fl.paymentDate[fl.count - 1]!), x));
      for (let i = 0; i < fixed.count; i++) value -= rateOf(fixed.accrualStart[i]!) * N * fixed.accrualFraction[i]! * bond(years(fixed.paymentDate[i]!), x);
      return value;
    };
    const { payer: payerRef, receiver: receiverRef } = swaptionsByIntegral(payerSwap, Math.sqrt(v), disc(tExp));
    expect(Math.abs(priceTrade(swaption(), m).npv / payerRef - 1)).toBeLessThan(1e-6);
    expect(Math.abs(priceTrade(swaption({ optionType: 'receiver' }), m).npv / receiverRef - 1)).toBeLessThan(1e-6);
    // the steps matter: the flat 3.3% swaption is worth visibly more
    expect(priceTrade(swaption(usdLegs()), m).npv / payerRef - 1).toBeGreaterThan(0.05);
    const swap: InterestRateSwap = { product: 'IRS', tradeId: 'U', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, direction: 'pay', ...usdLegs(steps) };
    expect(Math.abs(priceTrade(swaption(), m).npv - priceTrade(swaption({ optionType: 'receiver' }), m).npv - priceTrade(swap, m).npv)).toBeLessThan(1e-10 * N);
  });

  it('on a normal surface: A·Bachelier(F, K̄) with K̄ the annuity-weighted rate by hand (1e-10 relative)', () => {
    const surface: SwaptionVolSurface = { currency: 'USD', type: 'normal', shift: 0, quotes: [{ expiryYears: 1, tenorYears: 2, vol: 0.009 }, { expiryYears: 5, tenorYears: 10, vol: 0.0075 }] };
    const m = flatMarket({ ...spec, swaptionVols: { USD: surface } });
    const fixed = buildSchedule(usdLegs().fixedLeg);
    const fl = buildSchedule(usdLegs().floatLeg);
    let annuity = 0;
    let fixedPv = 0;
    for (let i = 0; i < fixed.count; i++) {
      const d = fixed.accrualFraction[i]! * disc(years(fixed.paymentDate[i]!));
      annuity += d;
      fixedPv += rateOf(fixed.accrualStart[i]!) * d;
    }
    const strike = fixedPv / annuity;
    expect(strike).toBeGreaterThan(0.0345);
    expect(strike).toBeLessThan(0.042);
    const forward = (disc(years(fl.accrualStart[0]!)) - disc(years(fl.paymentDate[fl.count - 1]!))) / annuity;
    const vol = swaptionVolatility(surface, years(expiry), 5);
    for (const optionType of ['payer', 'receiver'] as const) {
      const expected = N * annuity * bachelier(optionType === 'payer' ? 'call' : 'put', forward, strike, vol, years(expiry));
      expect(Math.abs(priceTrade(swaption({ optionType }), m).npv / expected - 1)).toBeLessThan(1e-10);
    }
    // cash settlement has no step-up form (its par-yield annuity is a flat swap's)
    expect(() => priceTrade(swaption({ settlement: 'cash' }), m)).toThrow(/SW.*cash-settled swaption on a step-up swap/);
  });

  it('on paths: a bought payer and a sold receiver are the forward step-up payer swap on every path (EPE, ENE, PFE)', async () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const start2 = y(2028);
    const eurSteps: RateSteps = { fromDates: [y(2031)], rates: [0.036] };
    const base = { counterpartyId: unc.counterpartyId, cleared: false, settlement: 'physical' as const, expiryDate: start2, ...legs(start2, y(2035), 0.024, eurSteps) };
    const trades = [
      { ...base, tradeId: 'BP', nettingSetId: 'NS_OPT', product: 'SWAPTION' as const, direction: 'buy' as const, optionType: 'payer' as const },
      { ...base, tradeId: 'SR', nettingSetId: 'NS_OPT', product: 'SWAPTION' as const, direction: 'sell' as const, optionType: 'receiver' as const },
      irs('FS', 'pay', start2, y(2035), 0.024, eurSteps, 'NS_SWAP', unc.counterpartyId),
    ];
    const sets = ['NS_OPT', 'NS_SWAP'].map((id) => ({ ...unc, nettingSetId: id }));
    const result = await runSimulation({ portfolio: { ...portfolio, nettingSets: sets, trades }, market, options: { paths: 300, seed: 5, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    const [o, s] = ['NS_OPT', 'NS_SWAP'].map((id) => result.nettingSets.find((x) => x.nettingSetId === id)!.profile);
    for (let k = 0; k < o!.epe.length; k++) {
      // the swaptions' state grid and band tables carry the option values to about 1e-6 of the notional (test/capFloor.test.ts)
      for (const key of ['epe', 'ene', 'pfe'] as const) expect(Math.abs(o![key][k]! - s![key][k]!), `${key}[${k}]`).toBeLessThan(2e-6 * N);
    }
    expect(Math.max(...s!.epe)).toBeGreaterThan(1e-3 * N);
  }, 60_000);
});

describe('caps with stepped strikes', () => {
  it('= the sum of flat-strike caps over the sub-periods (today), and SA-CCR reads the annuity-weighted strike', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const capLeg = (start: DateSerial, end: DateSerial): FloatLeg => ({ ...legs(start, end, 0).floatLeg });
    const cap = (tradeId: string, start: DateSerial, end: DateSerial, strike: number, strikeSteps?: RateSteps): CapFloor => ({
      tradeId, counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId, cleared: false, product: 'CAPFLOOR', direction: 'buy', optionType: 'cap', strike,
      ...(strikeSteps ? { strikeSteps } : {}), floatLeg: capLeg(start, end),
    });
    const stepped = cap('C', y(2026), y(2033), 0.025, { fromDates: [y(2029)], rates: [0.035] });
    const sum = priceTrade(cap('C1', y(2026), y(2029), 0.025), market).npv + priceTrade(cap('C2', y(2029), y(2033), 0.035), market).npv;
    expect(Math.abs(priceTrade(stepped, market).npv - sum)).toBeLessThan(1e-9 * N);
    expect(Math.abs(priceTrade(cap('F', y(2026), y(2033), 0.025), market).npv - sum)).toBeGreaterThan(1e-3 * N);
    // SA-CCR: K̄ = Σ N·K_i·τ·P(0, e) / Σ N·τ·P(0, e) over the caplets still to fix (semi-annual ACT/360 on EURIBOR 6M)
    const disc = market.discountCurve('EUR');
    const schedule = buildSchedule(stepped.floatLeg);
    let annuity = 0;
    let strikePv = 0;
    for (let i = 0; i < schedule.count; i++) {
      if (schedule.accrualStart[i]! <= market.asOf) continue;
      const d = schedule.accrualFraction[i]! * disc.discount(market.time(schedule.paymentDate[i]!));
      annuity += d;
      strikePv += (schedule.accrualStart[i]! >= y(2029) ? 0.035 : 0.025) * d;
    }
    const saccr = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [stepped] }, market);
    const position = saccr.trades.find((t) => t.tradeId === 'C')!;
    const flatCap = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [{ ...stepped, strike: strikePv / annuity, strikeSteps: undefined }] }, market);
    expect(position.supervisoryDelta).toBeCloseTo(flatCap.trades[0]!.supervisoryDelta, 12);
    const flat25 = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [{ ...stepped, strikeSteps: undefined }] }, market);
    expect(Math.abs(position.supervisoryDelta - flat25.trades[0]!.supervisoryDelta)).toBeGreaterThan(0.05);
  });

  it('SA-CCR: a step-up swaption\'s δ reads the annuity-weighted strike; a step-up IRS is the flat swap (CRE52 does not read the rate)', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const over = { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId };
    const eurSteps: RateSteps = { fromDates: [y(2031)], rates: [0.04] };
    const sw: Swaption = { tradeId: 'SW', ...over, cleared: false, product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'physical', expiryDate: y(2028), ...legs(y(2028), y(2035), 0.02, eurSteps) };
    const disc = market.discountCurve('EUR');
    const fixed = buildSchedule(sw.fixedLeg);
    let annuity = 0;
    let fixedPv = 0;
    for (let i = 0; i < fixed.count; i++) {
      const d = fixed.accrualFraction[i]! * disc.discount(market.time(fixed.paymentDate[i]!));
      annuity += d;
      fixedPv += (fixed.accrualStart[i]! >= y(2031) ? 0.04 : 0.02) * d;
    }
    const run = (t: Portfolio['trades'][number]) => computeSaccr({ ...portfolio, nettingSets: [unc], trades: [t] }, market).trades[0]!;
    const flatAtMean: Swaption = { ...sw, fixedLeg: { ...sw.fixedLeg, fixedRate: fixedPv / annuity, rateSteps: undefined } };
    expect(run(sw).supervisoryDelta).toBeCloseTo(run(flatAtMean).supervisoryDelta, 12);
    expect(Math.abs(run(sw).supervisoryDelta - run({ ...sw, fixedLeg: { ...sw.fixedLeg, rateSteps: undefined } }).supervisoryDelta)).toBeGreaterThan(0.05);
    const stepIrs = irs('I', 'pay', y(2026), y(2033), 0.03, STEPS, unc.nettingSetId, unc.counterpartyId);
    const a = run(stepIrs);
    const b = run(irs('I', 'pay', y(2026), y(2033), 0.03, undefined, unc.nettingSetId, unc.counterpartyId));
    expect([a.supervisoryDelta, a.adjustedNotional, a.supervisoryFactor]).toEqual([b.supervisoryDelta, b.adjustedNotional, b.supervisoryFactor]);
  });
});

describe('the rate_schedules table', () => {
  /** A copy of the small test book with extra trades rows and a rate_schedules.csv. */
  function bookWith(label: string, extraTrades: Record<string, string>[], rateRows: string[]): { dir: string; tradesLines: number } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-step-${label}-`));
    temps.push(dir);
    for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    for (const cells of extraTrades) lines.push(header.map((h) => cells[h] ?? '').join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'rate_schedules.csv'), ['trade_id,from_date,rate', ...rateRows].join('\n') + '\n');
    return { dir, tradesLines: lines.length };
  }
  const irsRow = { counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'IRS', direction: 'pay', currency: 'EUR', notional: '10000000', start_date: '2026-09-30', maturity_date: '2033-09-30', fixed_rate: '0.03', fixed_frequency: '1Y', fixed_day_count: '30/360', float_index: 'EUR-EURIBOR-6M', float_frequency: '6M', float_day_count: 'ACT/360' };

  it('steps read in date order (rows in any order), written back and read again the same', async () => {
    const { dir } = bookWith('ok', [{ ...irsRow, trade_id: 'SU1' }], ['SU1,2031-09-30,0.045', 'SU1,2029-09-30,0.04']);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    const t = book.trades.find((x) => x.tradeId === 'SU1');
    if (t?.product !== 'IRS') throw new Error('test: SU1 is an IRS');
    expect(t.fixedLeg.fixedRate).toBe(0.03);
    expect(t.fixedLeg.rateSteps).toEqual({ fromDates: [y(2029), y(2031)], rates: [0.04, 0.045] });
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-step-again-'));
    temps.push(again);
    const tables = portfolioTables(book);
    expect(Object.keys(tables)).toContain('rate_schedules');
    for (const [name, table] of Object.entries(tables)) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    expect(reread.trades.find((x) => x.tradeId === 'SU1')).toEqual({ ...t, sourceRow: reread.trades.find((x) => x.tradeId === 'SU1')!.sourceRow });
    // a book without steps writes no such table
    expect(Object.keys(portfolioTables({ ...book, trades: book.trades.filter((x) => x.tradeId !== 'SU1') }))).not.toContain('rate_schedules');
  });

  it('a row no coupon takes (inside the last period, or replaced before the next accrual start) is a warning on its from_date, and changes no price', async () => {
    // SU1's fixed periods start each 30 September, rolled modified following (2029-09-28 for the Sunday; 2032-09-30,
    // a Thursday, the last); CAP1's quarterly caplets end on 2029-09-28, the last starting on 2029-06-29 (for the
    // Saturday 30 June)
    const capRow = { ...irsRow, product: 'CAPFLOOR', direction: 'buy', maturity_date: '2029-09-30', fixed_rate: '', fixed_frequency: '', fixed_day_count: '', float_index: 'EUR-EURIBOR-3M', float_frequency: '3M', strike: '0.03', option_type: 'cap' };
    const swaptionRow = { ...irsRow, product: 'SWAPTION', direction: 'buy', option_type: 'payer', settlement: 'physical', expiry_date: '2026-09-28' };
    const { dir } = bookWith('idle', [{ ...irsRow, trade_id: 'SU1' }, { ...capRow, trade_id: 'CAP1' }, { ...swaptionRow, trade_id: 'SWP' }], [
      'SU1,2029-09-30,0.04', // row 1: from the period starting 2029-09-28 (both rolled the same way)
      'SU1,2030-03-31,0.041', // row 2: replaced by row 3 before the next accrual start 2030-09-30
      'SU1,2030-06-30,0.042', // row 3: from 2030-09-30
      'SU1,2033-03-15,0.05', // row 4: inside the last period
      'CAP1,2029-08-01,0.05', // row 5: inside the last caplet's period
      'SWP,2033-06-30,0.05', // row 6: inside the underlying's last period
    ]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    expect(issues.warnings.filter((i) => i.file === 'rate_schedules.csv')).toEqual([
      { file: 'rate_schedules.csv', row: 2, column: 'from_date', value: '2030-03-31', severity: 'warning', expected: "a date with an accrual start of trade SU1 before the next step: this step (rolled to 2030-03-29) is replaced by row 3's (from_date 2030-06-30) before the next accrual start 2030-09-30, so this fixed rate never takes effect" },
      { file: 'rate_schedules.csv', row: 4, column: 'from_date', value: '2033-03-15', severity: 'warning', expected: "a date on or before 2032-09-30, the last accrual start of trade SU1's fixed leg: this step falls inside its last period 2032-09-30 to 2033-09-30, and a step applies from the next accrual start, so this fixed rate never takes effect" },
      { file: 'rate_schedules.csv', row: 5, column: 'from_date', value: '2029-08-01', severity: 'warning', expected: "a date on or before 2029-06-29, the last accrual start of trade CAP1's capped floating leg: this step falls inside its last period 2029-06-29 to 2029-09-28, and a step applies from the next accrual start, so this strike never takes effect" },
      { file: 'rate_schedules.csv', row: 6, column: 'from_date', value: '2033-06-30', severity: 'warning', expected: "a date on or before 2032-09-30, the last accrual start of trade SWP's underlying fixed leg: this step falls inside its last period 2032-09-30 to 2033-09-30, and a step applies from the next accrual start, so this fixed rate never takes effect" },
    ]);
    // the warnings are true: each trade prices as it does without the warned rows (the second method: the same
    // trade booked without them)
    const byId = (id: string) => book.trades.find((t) => t.tradeId === id)!;
    const su1 = byId('SU1') as InterestRateSwap;
    const cap = byId('CAP1') as CapFloor;
    const swaption = byId('SWP') as Swaption;
    const taken: RateSteps = { fromDates: [y(2029), fromYmd(2030, 6, 30)], rates: [0.04, 0.042] };
    const withoutIdle: [Trade, Trade][] = [
      [su1, { ...su1, fixedLeg: { ...su1.fixedLeg, rateSteps: taken } }],
      [cap, { ...cap, strikeSteps: undefined }],
      [swaption, { ...swaption, fixedLeg: { ...swaption.fixedLeg, rateSteps: undefined } }],
    ];
    for (const [booked, without] of withoutIdle) expect(Math.abs(priceTrade(booked, market).npv - priceTrade(without, market).npv)).toBeLessThan(1e-9 * 1e7);
    // and a step they would take moves the price (the comparison can fail)
    const moved = { ...su1, fixedLeg: { ...su1.fixedLeg, rateSteps: { fromDates: [...taken.fromDates, y(2032)], rates: [...taken.rates, 0.05] } } };
    expect(Math.abs(priceTrade(moved, market).npv - priceTrade(su1, market).npv)).toBeGreaterThan(1e-3 * 1e7);
  });

  it('wrong rows: errors naming the file, row, column, value and what was expected', async () => {
    const { dir } = bookWith(
      'bad',
      [
        { ...irsRow, trade_id: 'SU1' },
        { ...irsRow, trade_id: 'CASH', product: 'SWAPTION', direction: 'buy', option_type: 'payer', settlement: 'cash', expiry_date: '2026-09-28' },
      ],
      ['SU1,2026-09-30,0.04', 'SU1,2030-09-30,0.04', 'SU1,2030-09-30,0.05', 'NOPE,2030-09-30,0.04', 'T008,2027-01-15,0.04', 'CASH,2029-09-30,0.04', 'SU1,2031-09-30,abc'],
    );
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    const found = issues.issues.filter((i) => i.file === 'rate_schedules.csv');
    expect(found).toContainEqual(expect.objectContaining({ row: 1, column: 'from_date', value: '2026-09-30', expected: expect.stringMatching(/after the start_date 2026-09-30 .* of trade SU1 \(its fixed_rate column is the rate from the start\)/) }));
    expect(found).toContainEqual(expect.objectContaining({ row: 3, column: 'from_date', value: '2030-09-30', expected: 'one row per date of trade SU1 (also row 2)' }));
    expect(found).toContainEqual(expect.objectContaining({ row: 4, column: 'trade_id', value: 'NOPE', expected: 'the trade_id of a trade in the trades table' }));
    expect(found).toContainEqual(expect.objectContaining({ row: 5, column: 'trade_id', value: 'T008', expected: expect.stringMatching(/rows only for IRS, OIS .* trades \(trade T008 is a FXFWD\)/) }));
    expect(found).toContainEqual(expect.objectContaining({ row: 6, column: 'trade_id', value: 'CASH', expected: expect.stringMatching(/cash-settled SWAPTION/) }));
    expect(found).toContainEqual(expect.objectContaining({ row: 7, column: 'rate', value: 'abc' }));
    // the trade with wrong steps is left out, not priced flat
    expect(book.trades.find((x) => x.tradeId === 'SU1')).toBeUndefined();
  });
});
