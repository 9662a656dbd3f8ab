/**
 * Amortising swaps (products/amortization.ts, docs/inputs.md `amortization`): the notional steps against hand
 * arithmetic; today's price, the exposure engine's EPE/ENE/PFE and Euler contributions, and SA-CCR against a second
 * method, the swap's decomposition into bullet swaps. An amortising swap whose notional is N_k from amortisation date
 * d_k (k = 0 … n−1, d_n = maturity) pays exactly the coupons of the n bullet swaps of notional N_{j−1} − N_j
 * (N_n = 0) from the start to d_j, on the same schedule rules; so its value equals their sum on every path. The bullet
 * pieces go through the bullet code path (tested against closed forms elsewhere: test/valuation.test.ts,
 * test/exposure-validation.test.ts), and the pieces' dates are rolled here from the start with addMonths, not by the
 * code under test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, toIsoDate, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector, XvaInputError } from '../src/errors.js';
import { runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import type { Market } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { writeAmendedPortfolio } from '../src/optimize/outputs.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { priceTrade } from '../src/pricing/index.js';
import { averageNotional, notionalSteps, outstandingNotional, periodNotional, proportionalAmortization } from '../src/products/amortization.js';
import type { AmortizationTerms, CrossCurrencySwap, FixedLeg, FloatLeg, InterestRateSwap, Swaption, Trade } from '../src/products/types.js';
import type { HullWhiteParams, SwaptionVolSurface } from '../src/market/types.js';
import type { NettingSet } from '../src/portfolio/types.js';
import { loadMarket, parseMarket } from '../src/market/load.js';
import { USD_MARKET, marketView } from './helpers/marketView.js';
import { bachelier } from '../src/pricing/black.js';
import { swaptionVolatility } from '../src/pricing/swaptionVol.js';
import { fixedLegFlows, floatLegFlows } from '../src/pricing/legs.js';
import { computeSaccr } from '../src/capital/saccr/compute.js';
import { bookBaCvaInput } from '../src/capital/run.js';
import { remainingPosition } from '../src/capital/kva.js';
import { explainRows } from '../src/capital/outputs.js';
import { SACCR_PARAMETERS } from '../src/capital/saccr/parameters.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { scheduleCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { replacementCandidates } from '../src/optimize/levers/compression/replacements.js';
import { grossNotional } from '../src/optimize/run.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const SMALL = path.join(ROOT, 'test/data/small');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

const N = 12_000_000;
const base = { counterpartyId: 'C1', nettingSetId: 'NS1', cleared: false };

function legs(start: DateSerial, end: DateSerial, notional: number, amortization?: AmortizationTerms): { fixedLeg: FixedLeg; floatLeg: FloatLeg } {
  const terms = { startDate: start, maturityDate: end, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  const fixedLeg: FixedLeg = { kind: 'fixed', currency: 'USD', notional, fixedRate: 0.0385, frequency: '1Y', dayCount: '30/360', ...terms };
  const floatLeg: FloatLeg = { kind: 'float', currency: 'USD', notional, floatIndex: 'USD-SOFR', spreadBp: 5, frequency: '3M', dayCount: 'ACT/360', ...terms };
  if (amortization) {
    fixedLeg.amortization = amortization;
    floatLeg.amortization = amortization;
  }
  return { fixedLeg, floatLeg };
}

function swap(tradeId: string, direction: 'pay' | 'receive', start: DateSerial, end: DateSerial, notional: number, amortization?: AmortizationTerms, over: Partial<InterestRateSwap> = {}): InterestRateSwap {
  return { ...base, tradeId, product: 'IRS', direction, ...legs(start, end, notional, amortization), ...over };
}

/**
 * The bullet pieces of an amortising swap with `years` annual amortisation dates from `start`: piece j (1-based) has
 * notional N_{j−1} − N_j and matures on the unadjusted anniversary j; `outstanding(k)` is N_k by hand.
 */
function bulletPieces(trade: InterestRateSwap, years: number, outstanding: (k: number) => number, idPrefix: string, nettingSetId: string): InterestRateSwap[] {
  const out: InterestRateSwap[] = [];
  const start = trade.fixedLeg.startDate;
  for (let j = 1; j <= years; j++) {
    const notional = outstanding(j - 1) - (j < years ? outstanding(j) : 0);
    if (notional === 0) continue;
    out.push({ ...swap(`${idPrefix}${j}`, trade.direction, start, addMonths(start, 12 * j), notional), nettingSetId });
  }
  return out;
}

/** A sculpted schedule (accreting, then amortising): 10m from the start, then these steps on anniversaries. */
const SCULPTED = { start: fromYmd(2026, 3, 31), end: fromYmd(2030, 3, 31), initial: 10e6, fromDates: [fromYmd(2027, 3, 31), fromYmd(2028, 3, 31), fromYmd(2029, 3, 31)], notionals: [15e6, 9e6, 4e6] };

/**
 * An explicitly scheduled swap as forward-starting bullet swaps, one per step: notional N_k from d_k to d_{k+1}
 * (d_0 the start, the last to the maturity). Holds for accreting steps too, where the nested pieces of bulletPieces
 * would need negative notionals.
 */
function intervalPieces(trade: InterestRateSwap, dates: DateSerial[], notionals: number[], idPrefix: string, nettingSetId: string): InterestRateSwap[] {
  return notionals.map((n, k) => ({ ...swap(`${idPrefix}${k}`, trade.direction, dates[k]!, dates[k + 1]!, n), counterpartyId: trade.counterpartyId, nettingSetId }));
}

/**
 * An XCCY receiving EUR fixed (leg 1, `notional` EUR) against USD SOFR (leg 2, 1.085 USD per EUR), with exchanges;
 * leg 2 amortises in proportion (the reader's rule, proportionalAmortization).
 */
function xccy(tradeId: string, start: DateSerial, end: DateSerial, notional: number, amortization?: AmortizationTerms, over: Partial<CrossCurrencySwap> = {}): CrossCurrencySwap {
  const { fixedLeg } = legs(start, end, notional);
  const { floatLeg } = legs(start, end, notional * 1.085);
  const leg1: FixedLeg = { ...fixedLeg, currency: 'EUR', fixedRate: 0.022 };
  const leg2: FloatLeg = { ...floatLeg, currency: 'USD', floatIndex: 'USD-SOFR', spreadBp: -12 };
  if (amortization) {
    leg1.amortization = amortization;
    leg2.amortization = proportionalAmortization(amortization, 1.085);
  }
  return { ...base, tradeId, product: 'XCCY', direction: 'receive', leg1, leg2, initialExchange: true, finalExchange: true, ...over };
}

/** bulletPieces for an XCCY: piece j exchanges N_{j−1} − N_j (and 1.085 times it in USD) from the start to anniversary j. */
function xccyPieces(trade: CrossCurrencySwap, years: number, outstanding: (k: number) => number, idPrefix: string, nettingSetId: string): CrossCurrencySwap[] {
  const start = trade.leg1.startDate;
  const out: CrossCurrencySwap[] = [];
  for (let j = 1; j <= years; j++) {
    const n = outstanding(j - 1) - (j < years ? outstanding(j) : 0);
    out.push(xccy(`${idPrefix}${j}`, start, addMonths(start, 12 * j), n, undefined, { counterpartyId: trade.counterpartyId, nettingSetId, initialExchange: trade.initialExchange }));
  }
  return out;
}

describe('notional steps', () => {
  it('linear: N·(n − k)/n from each rolled amortisation date; fixed_amount: N − k·A floored at 0', () => {
    const start = fromYmd(2026, 3, 31);
    const { fixedLeg } = legs(start, fromYmd(2031, 3, 31), N, { kind: 'linear', frequency: '1Y' });
    const steps = notionalSteps(fixedLeg);
    // 2027-03-31 is a Wednesday, 2029-03-31 a Saturday (MF: Friday 30th, the month's end), 2030-03-31 a Sunday (→ Friday 29th)
    expect(Array.from(steps.fromDates, toIsoDate)).toEqual(['2026-03-31', '2027-03-31', '2028-03-31', '2029-03-30', '2030-03-29']);
    expect(Array.from(steps.notionals)).toEqual([12e6, 9.6e6, 7.2e6, 4.8e6, 2.4e6]);
    expect(periodNotional(fixedLeg, fromYmd(2029, 3, 29))).toBe(7.2e6); // the day before the step
    expect(periodNotional(fixedLeg, fromYmd(2029, 3, 30))).toBe(4.8e6);
    expect(outstandingNotional(fixedLeg, fromYmd(2025, 1, 1))).toBe(N); // before the start: the initial notional

    const { floatLeg } = legs(start, fromYmd(2031, 3, 31), N, { kind: 'fixed_amount', frequency: '1Y', amount: 5e6 });
    expect(Array.from(notionalSteps(floatLeg).notionals)).toEqual([12e6, 7e6, 2e6, 0, 0]);
    // schedule: the start's step, then the given ones
    const { fixedLeg: sculpted } = legs(SCULPTED.start, SCULPTED.end, SCULPTED.initial, { kind: 'schedule', fromDates: SCULPTED.fromDates, notionals: SCULPTED.notionals });
    expect(Array.from(notionalSteps(sculpted).notionals)).toEqual([10e6, 15e6, 9e6, 4e6]);
    expect(periodNotional(sculpted, fromYmd(2027, 6, 30))).toBe(15e6);
    // a bullet leg is one step
    const bullet = legs(start, fromYmd(2031, 3, 31), N).fixedLeg;
    expect(periodNotional(bullet, fromYmd(2030, 6, 1))).toBe(N);
  });

  it('the average notional over the remaining life weighs each step by its calendar days (SA-CCR variable notional)', () => {
    const start = fromYmd(2026, 6, 30);
    const end = fromYmd(2030, 6, 30);
    const { fixedLeg } = legs(start, end, N, { kind: 'linear', frequency: '1Y' });
    // steps from 2026-06-30 (Tue), 2027-06-30 (Wed), 2028-06-30 (Fri), 2029-06-29 (Fri: 30th is a Saturday, MF)
    const days = [365, 366, 364, 366]; // to the next step, the last to the maturity 2030-06-30 (a Sunday: the leg's unadjusted maturity)
    const notionals = [12e6, 9e6, 6e6, 3e6];
    const byHand = days.reduce((a, d, k) => a + d * notionals[k]!, 0) / days.reduce((a, d) => a + d, 0);
    expect(averageNotional(fixedLeg, start)).toBeCloseTo(byHand, 6);
    // half-way through the third period: the rest of it and the last period only
    const from = fromYmd(2028, 12, 31);
    const rest = [fromYmd(2029, 6, 29) - from, end - fromYmd(2029, 6, 29)];
    expect(averageNotional(fixedLeg, from)).toBeCloseTo((rest[0]! * 6e6 + rest[1]! * 3e6) / (end - from), 6);
  });
});

describe('today\'s price equals the bullet decomposition', () => {
  let market: Market;
  beforeAll(async () => {
    ({ market } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  });

  it('linear, seasoned (a coupon running today), fixed annual and float quarterly: Σ of 5 bullet swaps (1e-10 of N)', () => {
    const start = fromYmd(2026, 3, 31); // before the as-of date 2026-06-30
    const amort = swap('A', 'pay', start, fromYmd(2031, 3, 31), N, { kind: 'linear', frequency: '1Y' });
    const pieces = bulletPieces(amort, 5, (k) => (N * (5 - k)) / 5, 'P', 'NS1');
    const sum = pieces.reduce((a, t) => a + priceTrade(t, market).npv, 0);
    const npv = priceTrade(amort, market).npv;
    expect(Math.abs(npv - sum)).toBeLessThan(1e-10 * N);
    // and it is not the bullet swap's price (the amortisation matters: about 40% of the annuity is gone)
    expect(Math.abs(npv - priceTrade(swap('B', 'pay', start, fromYmd(2031, 3, 31), N), market).npv)).toBeGreaterThan(1e-3 * N);
  });

  it('an explicit schedule, accreting then amortising, seasoned: Σ of forward-starting bullet swaps, one per step (1e-10 of N)', () => {
    const amort = swap('S', 'pay', SCULPTED.start, SCULPTED.end, SCULPTED.initial, { kind: 'schedule', fromDates: SCULPTED.fromDates, notionals: SCULPTED.notionals });
    const pieces = intervalPieces(amort, [SCULPTED.start, ...SCULPTED.fromDates, SCULPTED.end], [SCULPTED.initial, ...SCULPTED.notionals], 'P', 'NS1');
    const sum = pieces.reduce((a, t) => a + priceTrade(t, market).npv, 0);
    expect(Math.abs(priceTrade(amort, market).npv - sum)).toBeLessThan(1e-10 * N);
  });

  it('XCCY, linear, both exchanges: Σ of bullet XCCYs (coupons on both legs and the repayments exchanged on each step)', () => {
    for (const start of [fromYmd(2026, 9, 30), fromYmd(2025, 9, 30)]) { // forward-starting, and seasoned (the initial exchange past)
      const amort = xccy('X', start, addMonths(start, 48), N, { kind: 'linear', frequency: '1Y' });
      const pieces = xccyPieces(amort, 4, (k) => (N * (4 - k)) / 4, 'P', 'NS1');
      const sum = pieces.reduce((a, t) => a + priceTrade(t, market).npv, 0);
      expect(Math.abs(priceTrade(amort, market).npv - sum)).toBeLessThan(1e-10 * N);
      // not the bullet XCCY's price (the repayments move principal forward in time)
      expect(Math.abs(priceTrade(amort, market).npv - priceTrade(xccy("B", start, addMonths(start, 48), N), market).npv)).toBeGreaterThan(1e-4 * N);
    }
  });

  it('fixed_amount, forward-starting, receiver: Σ of the pieces (the last piece the remainder)', () => {
    const start = fromYmd(2027, 1, 15);
    const amort = swap('A', 'receive', start, fromYmd(2033, 1, 15), N, { kind: 'fixed_amount', frequency: '1Y', amount: 1.5e6 });
    const pieces = bulletPieces(amort, 6, (k) => N - 1.5e6 * k, 'P', 'NS1');
    expect(pieces.map((p) => p.fixedLeg.notional)).toEqual([1.5e6, 1.5e6, 1.5e6, 1.5e6, 1.5e6, 4.5e6]);
    const sum = pieces.reduce((a, t) => a + priceTrade(t, market).npv, 0);
    expect(Math.abs(priceTrade(amort, market).npv - sum)).toBeLessThan(1e-10 * N);
  });
});

describe('the exposure engine: an amortising swap\'s set equals the set of its bullet pieces on the same paths', () => {
  let market: Market;
  let portfolio: Portfolio;
  let amortTrades: (InterestRateSwap | CrossCurrencySwap)[];
  let pieceTrades: (InterestRateSwap | CrossCurrencySwap)[][];
  let result: Awaited<ReturnType<typeof runSimulation>>;
  let collateralCurrency: NettingSet['collateralCurrency'];
  const OPTIONS: SimulationOptions = { paths: 500, seed: 11, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false };

  beforeAll(async () => {
    ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    collateralCurrency = unc.collateralCurrency;
    const sets = ['NS_AMORT', 'NS_PIECES'].map((id) => ({ ...unc, nettingSetId: id }));
    const linear = swap('A_LIN', 'pay', fromYmd(2026, 3, 31), fromYmd(2031, 3, 31), N, { kind: 'linear', frequency: '1Y' }, { counterpartyId: unc.counterpartyId, nettingSetId: 'NS_AMORT' });
    const fixedAmount = swap('A_FIX', 'receive', fromYmd(2027, 1, 15), fromYmd(2033, 1, 15), 8e6, { kind: 'fixed_amount', frequency: '1Y', amount: 1e6 }, { counterpartyId: unc.counterpartyId, nettingSetId: 'NS_AMORT' });
    const sculpted = swap('A_SCH', 'receive', SCULPTED.start, SCULPTED.end, SCULPTED.initial, { kind: 'schedule', fromDates: SCULPTED.fromDates, notionals: SCULPTED.notionals }, { counterpartyId: unc.counterpartyId, nettingSetId: 'NS_AMORT' });
    const cross = xccy('A_XCCY', fromYmd(2026, 9, 30), fromYmd(2030, 9, 30), 6e6, { kind: 'linear', frequency: '1Y' }, { counterpartyId: unc.counterpartyId, nettingSetId: 'NS_AMORT' });
    amortTrades = [linear, fixedAmount, sculpted, cross];
    pieceTrades = [
      bulletPieces(linear, 5, (k) => (N * (5 - k)) / 5, 'L', 'NS_PIECES'),
      bulletPieces(fixedAmount, 6, (k) => 8e6 - 1e6 * k, 'F', 'NS_PIECES'),
      intervalPieces(sculpted, [SCULPTED.start, ...SCULPTED.fromDates, SCULPTED.end], [SCULPTED.initial, ...SCULPTED.notionals], 'S', 'NS_PIECES'),
      xccyPieces(cross, 4, (k) => (6e6 * (4 - k)) / 4, 'X', 'NS_PIECES'),
    ].map((list) => list.map((t) => ({ ...t, counterpartyId: unc.counterpartyId })));
    // the same two sets under a CSA with a 10-day margin period of risk (no threshold, MTA or rounding, so that the
    // collateral is continuous in the value): their values at the close-out lag dates go through the pools too
    const csa = { ...unc, csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1 };
    const csaSets = ['NS_AMORT_CSA', 'NS_PIECES_CSA'].map((id) => ({ ...csa, nettingSetId: id }));
    const underCsa = (t: InterestRateSwap | CrossCurrencySwap, id: string) => ({ ...t, tradeId: `${t.tradeId}_C`, nettingSetId: id });
    const csaTrades = [...amortTrades.map((t) => underCsa(t, 'NS_AMORT_CSA')), ...pieceTrades.flat().map((t) => underCsa(t, 'NS_PIECES_CSA'))];
    const book: Portfolio = { ...portfolio, nettingSets: [...sets, ...csaSets], trades: [...amortTrades, ...pieceTrades.flat(), ...csaTrades] };
    result = await runSimulation({ portfolio: book, market, options: OPTIONS });
  }, 120_000);

  it('EPE, ENE, PFE and EEPE agree date by date (1e-9 of the notional: the same flows pooled in another order)', () => {
    const [a, b] = ['NS_AMORT', 'NS_PIECES'].map((id) => result.nettingSets.find((s) => s.nettingSetId === id)!.profile);
    const tol = 1e-9 * N;
    let largest = 0;
    for (let k = 0; k < a!.epe.length; k++) {
      expect(Math.abs(a!.epe[k]! - b!.epe[k]!)).toBeLessThan(tol);
      expect(Math.abs(a!.ene[k]! - b!.ene[k]!)).toBeLessThan(tol);
      expect(Math.abs(a!.pfe[k]! - b!.pfe[k]!)).toBeLessThan(tol);
      largest = Math.max(largest, a!.epe[k]!);
    }
    expect(largest).toBeGreaterThan(1e-3 * N); // a real exposure, not two zeros
    expect(Math.abs(a!.eepe - b!.eepe)).toBeLessThan(tol);
  });

  it('under a CSA with a margin period of risk: EPE, ENE, PFE and collateral agree date by date too', () => {
    const [a, b] = ['NS_AMORT_CSA', 'NS_PIECES_CSA'].map((id) => result.nettingSets.find((s) => s.nettingSetId === id)!.profile);
    const tol = 1e-9 * N;
    let largest = 0;
    for (let k = 0; k < a!.epe.length; k++) {
      for (const key of ['epe', 'ene', 'pfe', 'collateral'] as const) expect(Math.abs(a![key][k]! - b![key][k]!), `${key}[${k}]`).toBeLessThan(tol);
      largest = Math.max(largest, a!.epe[k]!);
    }
    expect(largest).toBeGreaterThan(1e-5 * N); // the MPoR exposure, not zero
    const unc = result.nettingSets.find((s) => s.nettingSetId === 'NS_AMORT')!.profile;
    expect(largest).toBeLessThan(Math.max(...unc.epe)); // and below the uncollateralised one
  });

  it('today (the first exposure date) the set is worth the sum of today\'s prices of its amortising trades (EPE − ENE = V₀)', () => {
    const p = result.nettingSets.find((s) => s.nettingSetId === 'NS_AMORT')!.profile;
    // today's prices on the set's collateral currency's curves (the XCCY's EUR leg on EUR collateralised in it)
    const v0 = amortTrades.reduce((acc, t) => acc + priceTrade(t, market, { collateralCurrency }).npvBase, 0);
    expect(Math.abs(p.epe[0]! - p.ene[0]! - v0)).toBeLessThan(1e-6 * N);
    expect(Math.abs(v0)).toBeGreaterThan(1e-4 * N);
  });

  it('each amortising trade\'s Euler contribution is the sum of its pieces\' (Euler allocation is linear in trade values)', () => {
    const setA = result.nettingSets.find((s) => s.nettingSetId === 'NS_AMORT')!;
    const setB = result.nettingSets.find((s) => s.nettingSetId === 'NS_PIECES')!;
    const nExp = setA.profile.epe.length;
    amortTrades.forEach((trade, i) => {
      const ia = setA.tradeIds.indexOf(trade.tradeId);
      const ids = pieceTrades[i]!.map((t) => setB.tradeIds.indexOf(t.tradeId));
      for (let k = 0; k < nExp; k++) {
        const sumEpe = ids.reduce((acc, j) => acc + setB.tradeEpe[j * nExp + k]!, 0);
        const sumEne = ids.reduce((acc, j) => acc + setB.tradeEne[j * nExp + k]!, 0);
        expect(Math.abs(setA.tradeEpe[ia * nExp + k]! - sumEpe)).toBeLessThan(1e-8 * N);
        expect(Math.abs(setA.tradeEne[ia * nExp + k]! - sumEne)).toBeLessThan(1e-8 * N);
      }
    });
  });
});

describe('SA-CCR, SIMM schedule and the book\'s gross notional read the amortised notional', () => {
  let market: Market;
  let portfolio: Portfolio;
  beforeAll(async () => {
    ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  });

  it('SA-CCR: the adjusted notional is the average notional over the remaining life × SD (by hand), the bullet\'s × that ratio', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const start = fromYmd(2026, 6, 30); // the as-of date: the remaining life is the whole life
    const end = fromYmd(2030, 6, 30);
    const over = { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId };
    const amort = swap('A', 'pay', start, end, N, { kind: 'linear', frequency: '1Y' }, over);
    const bullet = swap('B', 'pay', start, end, N, undefined, over);
    const book = (t: Trade): Portfolio => ({ ...portfolio, nettingSets: [unc], trades: [t] });
    const dA = computeSaccr(book(amort), market).trades.find((p) => p.tradeId === 'A')!;
    const dB = computeSaccr(book(bullet), market).trades.find((p) => p.tradeId === 'B')!;
    // steps from 2026-06-30, 2027-06-30, 2028-06-30 and 2029-06-29 (30th a Saturday, MF), notionals 12, 9, 6 and 3
    // million, weighted by SA-CCR's year fraction (ACT/ACT) of each step's span, to the maturity 2030-06-30
    const dates = [fromYmd(2026, 6, 30), fromYmd(2027, 6, 30), fromYmd(2028, 6, 30), fromYmd(2029, 6, 29), end];
    const spans = dates.slice(1).map((d, k) => yearFraction('ACT/ACT', dates[k]!, d));
    const average = (spans[0]! * 12e6 + spans[1]! * 9e6 + spans[2]! * 6e6 + spans[3]! * 3e6) / spans.reduce((a, b) => a + b, 0);
    expect(dA.notionalBase).toBeCloseTo(average, 4);
    // KVA's projection: at 2028-12-31 the average over the life left then (6m to 2029-06-29, then 3m)
    const mid = fromYmd(2028, 12, 31);
    const left = [yearFraction('ACT/ACT', mid, fromYmd(2029, 6, 29)), yearFraction('ACT/ACT', fromYmd(2029, 6, 29), end)];
    const projected = remainingPosition(dA, yearFraction('ACT/ACT', market.asOf, mid), SACCR_PARAMETERS)!;
    expect(projected.notionalBase).toBeCloseTo((left[0]! * 6e6 + left[1]! * 3e6) / (left[0]! + left[1]!), 4);
    expect(remainingPosition(dB, yearFraction('ACT/ACT', market.asOf, mid), SACCR_PARAMETERS)!.notionalBase).toBe(N); // a bullet's stays
    // --explain-trade says which notional it shows
    expect(explainRows(dA).find(([label]) => label.startsWith('Notional'))).toEqual(['Notional (base currency; amortising: the average over the remaining life)', dA.notionalBase]);
    expect(explainRows(dB).find(([label]) => label.startsWith('Notional'))).toEqual(['Notional (base currency)', N]);
    expect(dB.notionalBase).toBe(N);
    expect(dA.adjustedNotional / dB.adjustedNotional).toBeCloseTo(average / N, 12); // the same SD
  });

  it('SA-CCR, SWAPTION on an amortising swap: the option position\'s notional is its underlying\'s average over the remaining life', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const under = swap('U', 'pay', fromYmd(2027, 6, 30), fromYmd(2032, 6, 30), N, { kind: 'linear', frequency: '1Y' });
    const swpt: Swaption = { ...base, counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId, tradeId: 'SW', product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'physical', expiryDate: fromYmd(2027, 6, 28), fixedLeg: under.fixedLeg, floatLeg: under.floatLeg };
    const p = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [swpt] }, market).trades.find((x) => x.tradeId === 'SW')!;
    expect(p.notionalBase).toBeCloseTo(averageNotional(swpt.fixedLeg, market.asOf, (d) => yearFraction('ACT/ACT', market.asOf, d)), 4);
    expect(p.notionalBase).toBeLessThan(0.65 * N); // 12, 9.6, 7.2, 4.8, 2.4 million over five years: 7.2 million on average
  });

  it('SA-CCR, XCCY: average notionals per leg, and an FX position for each repayment exchanged on a step (ΔN at spot)', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const start = fromYmd(2026, 9, 30);
    const amort = xccy('X', start, fromYmd(2030, 9, 30), N, { kind: 'linear', frequency: '1Y' }, { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId });
    const positions = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [amort] }, market).trades.filter((p) => p.tradeId === 'X');
    const spot = market.fxSpot('EUR', 'USD');
    const fx = positions.filter((p) => p.assetClass === 'FX').map((p) => [p.component, p.notionalBase / spot]);
    // the bank receives EUR (leg 1): it pays EUR at the start, and receives 3m EUR back on each of three steps and at the end
    expect(fx.map(([c]) => c)).toEqual(['fx_initial', 'fx_amortisation_2027-09-30', 'fx_amortisation_2028-09-29', 'fx_amortisation_2029-09-28', 'fx_final']); // MF: Sunday 30 September 2029 rolls back to Friday 28th
    for (const [, eur] of fx.slice(1)) expect(eur as number).toBeCloseTo(N / 4, 4);
    expect(fx[0]![1] as number).toBeCloseTo(N, 4);
    const leg1 = positions.find((p) => p.component === 'leg1')!;
    expect(leg1.notionalBase / spot).toBeCloseTo(averageNotional(amort.leg1, market.asOf, (d) => yearFraction('ACT/ACT', market.asOf, d)), 4);
    expect(averageNotional(amort.leg1, market.asOf)).toBeLessThan(0.7 * N); // about 5/8 of N
  });

  it('a set holding only a swap repaid for the rest of its life: no SA-CCR notional, BA-CVA effective maturity 0 (no error)', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    // 10m from 2024-06-28, 5m repaid on 2025-06-30 and on 2026-06-29: nothing outstanding from before the as-of date
    const repaid = swap('R', 'pay', fromYmd(2024, 6, 28), fromYmd(2029, 6, 28), 10e6, { kind: 'fixed_amount', frequency: '1Y', amount: 5e6 }, { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId });
    expect(averageNotional(repaid.fixedLeg, market.asOf)).toBe(0);
    const book: Portfolio = { ...portfolio, nettingSets: [unc], trades: [repaid] };
    const saccr = computeSaccr(book, market);
    expect(saccr.trades.find((p) => p.tradeId === 'R')!.notionalBase).toBe(0);
    expect(bookBaCvaInput(book, market, saccr).effectiveMaturity).toEqual([{ nettingSetId: unc.nettingSetId, years: 0, source: 'notional_weighted' }]);
    expect(priceTrade(repaid, market).npv).toBe(0); // no coupon left on a zero notional
  });

  it('SIMM schedule notional: the notional outstanding today', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    // seasoned: 2025-03-31 start, quarterly amortisation of 1m: four steps taken by 2026-06-30 (30 Jun 2025 is a Monday,
    // 30 Sep, 31 Dec, 31 Mar 2026 and 30 Jun 2026 business days), so 12 − 5 = 7 million outstanding
    const amort = swap('A', 'pay', fromYmd(2025, 3, 31), fromYmd(2030, 3, 31), N, { kind: 'fixed_amount', frequency: '3M', amount: 1e6 }, { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId });
    const dates = Array.from(buildSchedule({ ...amort.fixedLeg, frequency: '3M' }).accrualStart, toIsoDate).slice(0, 6);
    expect(dates).toEqual(['2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31', '2026-03-31', '2026-06-30']);
    const records = scheduleCrifFromPortfolio({ ...portfolio, nettingSets: [unc], trades: [amort] }, market, [unc.nettingSetId]);
    const notional = records.find((r) => r.riskType === 'Notional' && r.tradeId === 'A');
    expect(notional?.amount).toBeCloseTo(7e6, 6); // USD: no conversion
  });
});

describe('xva optimize: gross notional and compression replacements', () => {
  it('the book\'s gross notional counts the notional outstanding today; a replacement built on an amortising template is a bullet at par', async () => {
    const { market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml'));
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    // 2024-06-28 start, annual linear amortisation over 5 years: two steps taken by 2026-06-30 (2025-06-30, 2026-06-29)
    const amort = swap('A', 'pay', fromYmd(2024, 6, 28), fromYmd(2029, 6, 28), 10e6, { kind: 'linear', frequency: '1Y' }, { counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId });
    expect(grossNotional({ ...portfolio, nettingSets: [unc], trades: [amort] }, market)).toBeCloseTo(6e6, 6);
    const candidates = replacementCandidates([amort], market, unc, undefined, false);
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) {
      const built = c.build('R', 5e6) as InterestRateSwap;
      expect(built.fixedLeg.amortization).toBeUndefined();
      expect(built.floatLeg.amortization).toBeUndefined();
      expect(Math.abs(priceTrade(built, market).npv)).toBeLessThan(1e-6 * 5e6); // at par: the par rate was solved on a bullet
    }
  });
});

/**
 * test/data/small with the three amortization columns (cells by trade id, blank for the others) and, when given, a
 * notional_schedules.csv of these rows.
 */
function smallWith(cells: Record<string, [string, string, string]>, schedules?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-amort-'));
  temps.push(dir);
  fs.cpSync(SMALL, dir, { recursive: true });
  if (schedules !== undefined) fs.writeFileSync(path.join(dir, 'notional_schedules.csv'), `trade_id,from_date,notional\n${schedules}`);
  const file = path.join(dir, 'trades.csv');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out = lines.map((line, i) => `${line},${i === 0 ? 'amortization,amortization_amount,amortization_frequency' : (cells[line.split(',')[0]!] ?? ['', '', '']).join(',')}`);
  fs.writeFileSync(file, out.join('\n') + '\n');
  return dir;
}

describe('the trades file\'s amortization columns', () => {

  async function load(dir: string): Promise<{ book?: Portfolio; issues: IssueCollector }> {
    const issues = new IssueCollector();
    try {
      const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
      return { book, issues };
    } catch (e) {
      if (e instanceof XvaInputError) return { issues };
      throw e;
    }
  }

  it('are read into both legs (frequency defaulting to the fixed leg\'s), written back and read again', async () => {
    const { book, issues } = await load(smallWith(
      { T001: ['linear', '', ''], T003: ['FIXED_AMOUNT', '5000000', '6M'], T002: ['none', '', ''], T005: ['schedule', '', ''], T006: ['fixed_amount', '4000000', '1Y'], T013: ['linear', '', '1Y'] },
      // T005 (30m from 2026-03-18 to 2036-03-18): rows in any order; 2028-03-18 is a Saturday (rolled MF to Monday 20th)
      'T005,2030-03-18,10000000\nT005,2028-03-18,20000000\n',
    ));
    expect(issues.issues).toEqual([]);
    const t005 = book!.trades.find((t) => t.tradeId === 'T005') as InterestRateSwap;
    expect(t005.fixedLeg.amortization).toEqual({ kind: 'schedule', fromDates: [fromYmd(2028, 3, 18), fromYmd(2030, 3, 18)], notionals: [20e6, 10e6] });
    expect(t005.floatLeg.amortization).toEqual(t005.fixedLeg.amortization);
    expect(Array.from(notionalSteps(t005.floatLeg).fromDates, toIsoDate)).toEqual(['2026-03-18', '2028-03-20', '2030-03-18']);
    // T006, an XCCY of 20m EUR against 21.7m USD: leg 2 repays in proportion (4m EUR against 4.34m USD)
    const t006 = book!.trades.find((t) => t.tradeId === 'T006') as CrossCurrencySwap;
    expect(t006.leg1.amortization).toEqual({ kind: 'fixed_amount', frequency: '1Y', amount: 4e6 });
    expect(t006.leg2.amortization).toEqual({ kind: 'fixed_amount', frequency: '1Y', amount: 4e6 * (21.7e6 / 20e6) });
    const t001 = book!.trades.find((t) => t.tradeId === 'T001') as InterestRateSwap;
    const t003 = book!.trades.find((t) => t.tradeId === 'T003') as InterestRateSwap;
    expect(t001.fixedLeg.amortization).toEqual({ kind: 'linear', frequency: '6M' }); // T001's fixed leg is 6M
    expect(t001.floatLeg.amortization).toEqual(t001.fixedLeg.amortization);
    expect(t003.floatLeg.amortization).toEqual({ kind: 'fixed_amount', frequency: '6M', amount: 5e6 });
    expect((book!.trades.find((t) => t.tradeId === 'T002') as InterestRateSwap).fixedLeg.amortization).toBeUndefined();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-amort-written-'));
    temps.push(dir);
    for (const [name, table] of Object.entries(portfolioTables(book!))) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    const again = await load(dir);
    expect(again.issues.issues).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'notional_schedules.csv'))).toBe(true);
    for (const id of ['T001', 'T002', 'T003', 'T005']) {
      const a = again.book!.trades.find((t) => t.tradeId === id) as InterestRateSwap;
      const b = book!.trades.find((t) => t.tradeId === id) as InterestRateSwap;
      expect(a.fixedLeg.amortization).toEqual(b.fixedLeg.amortization);
      expect(a.floatLeg.amortization).toEqual(b.floatLeg.amortization);
    }
    const x = again.book!.trades.find((t) => t.tradeId === 'T006') as CrossCurrencySwap;
    expect(x.leg2.amortization).toEqual(t006.leg2.amortization);
    // T013, a physically settled swaption on an amortising swap
    const swpt = again.book!.trades.find((t) => t.tradeId === 'T013') as Swaption;
    expect(swpt.floatLeg.amortization).toEqual({ kind: 'linear', frequency: '1Y' });
  });

  it('wrong cells are errors naming the row, column, value and what was expected', async () => {
    const { issues } = await load(smallWith({
      T001: ['fixed_amount', '', ''], // amount missing
      T002: ['fixed_amount', '30000000', ''], // more than the notional (25m)
      T003: ['linear', '1000000', ''], // an amount with linear
      T004: ['straight', '', ''], // not a kind
      T008: ['linear', '', ''], // an FX forward
      T014: ['linear', '', ''], // a cash-settled swaption
      T013: ['none', '', '1Y'], // a frequency on a bullet swaption row
    }));
    const byColumn = (row: number, column: string) => issues.issues.find((i) => i.row === row && i.column === column);
    // rows are counted from the first data row (T001 is row 1)
    const rowOf = (id: string) => fs.readFileSync(path.join(SMALL, 'trades.csv'), 'utf8').split('\n').findIndex((l) => l.startsWith(`${id},`));
    expect(byColumn(rowOf('T001'), 'amortization_amount')?.expected).toMatch(/notional repaid on each amortisation date/);
    expect(byColumn(rowOf('T002'), 'amortization_amount')).toMatchObject({ value: '30000000', expected: 'at most the notional 25000000' });
    expect(byColumn(rowOf('T003'), 'amortization_amount')).toMatchObject({ value: '1000000', expected: 'blank for amortization linear (equal repayments: no amount)' });
    expect(byColumn(rowOf('T004'), 'amortization')).toMatchObject({ value: 'straight', expected: 'one of none, linear, fixed_amount, schedule' });
    expect(byColumn(rowOf('T008'), 'amortization')?.expected).toBe('blank or none for FXFWD: amortising notionals are supported for IRS, OIS, XCCY, SWAPTION and CAPFLOOR only');
    expect(byColumn(rowOf('T014'), 'amortization')).toMatchObject({ value: 'linear', expected: "blank or none for a cash-settled swaption (its par-yield cash annuity is a bullet swap's)" });
    expect(byColumn(rowOf('T013'), 'amortization_frequency')?.value).toBe('1Y');
    expect(issues.issues.every((i) => i.file !== undefined && i.file.endsWith('trades.csv'))).toBe(true);
  });
});

describe('the notional_schedules table', () => {
  /** smallWith, the amortization kind only. */
  const smallWithSchedule = (kinds: Record<string, string>, schedules: string | undefined): string =>
    smallWith(Object.fromEntries(Object.entries(kinds).map(([id, kind]) => [id, [kind, '', ''] as [string, string, string]])), schedules);
  const issuesOf = async (dir: string) => {
    const issues = new IssueCollector();
    await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    return issues.issues;
  };

  it('a schedule trade without rows, or without the table, is an error on its amortization cell', async () => {
    for (const schedules of [undefined, 'T001,2027-01-15,5000000\n']) {
      const issues = await issuesOf(smallWithSchedule({ T001: 'schedule', T005: 'schedule' }, schedules));
      expect(issues).toContainEqual({ file: 'trades.csv', row: 5, column: 'amortization', value: 'schedule', expected: 'rows for trade T005 in the notional_schedules table beside the trades table (trade_id, from_date, notional)' });
    }
  });

  it('a step after the last accrual start of both legs is a warning on its from_date (no coupon takes it); an XCCY exchanging it is not warned', async () => {
    // T005 (USD, 2026-03-18 to 2036-03-18, fixed 6M, float 3M, modified following): the fixed leg's last period starts
    // on 2035-09-18, the floating leg's on 2035-12-18; T006 (XCCY, notional_exchange both) exchanges each change
    const dir = smallWithSchedule({ T005: 'schedule', T006: 'schedule' }, [
      'T005,2028-03-18,20000000', // row 1: from the periods starting 2028-03-20
      'T005,2035-10-15,10000000', // row 2: inside the fixed leg's last period, but the floating leg's 2035-12-18 takes it
      'T005,2036-01-15,5000000', // row 3: inside both legs' last periods
      'T006,2030-02-15,10000000', // row 4: inside T006's last periods, exchanged on its date
    ].join('\n') + '\n');
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    expect(issues.warnings.filter((i) => i.file === 'notional_schedules.csv')).toEqual([{
      file: 'notional_schedules.csv',
      row: 3,
      column: 'from_date',
      value: '2036-01-15',
      severity: 'warning',
      expected: "a date on or before 2035-12-18, the last accrual start of trade T005's floating leg: this step falls inside its last period 2035-12-18 to 2036-03-18, and a step applies from the next accrual start, so this notional never takes effect on a coupon (only SA-CCR's average notional over the remaining life and the notional outstanding on a date read it)",
    }]);
    // the warning is true and the others' silence too (the second method: the trades booked without the row): T005
    // prices the same without row 3 (1e-9 of the notional: the same coupons), but not without row 2; T006 does not
    const market = loadMarket(path.join(SMALL, 'market.yaml'));
    const t005 = book.trades.find((t) => t.tradeId === 'T005') as InterestRateSwap;
    const t006 = book.trades.find((t) => t.tradeId === 'T006') as CrossCurrencySwap;
    const dropStep = <L extends FixedLeg | FloatLeg>(leg: L, k: number): L => {
      const a = leg.amortization as Extract<AmortizationTerms, { kind: 'schedule' }>;
      return { ...leg, amortization: { ...a, fromDates: a.fromDates.filter((_, j) => j !== k), notionals: a.notionals.filter((_, j) => j !== k) } };
    };
    const t005Without = (k: number): InterestRateSwap => ({ ...t005, fixedLeg: dropStep(t005.fixedLeg, k), floatLeg: dropStep(t005.floatLeg, k) });
    const value = (t: Trade) => priceTrade(t, market).npv;
    expect(Math.abs(value(t005) - value(t005Without(2)))).toBeLessThan(1e-9 * 30e6);
    expect(Math.abs(value(t005) - value(t005Without(1)))).toBeGreaterThan(1e-4 * 30e6);
    // what the message says still reads it: SA-CCR's average notional over the remaining life
    expect(averageNotional(t005.fixedLeg, market.asOf)).toBeLessThan(averageNotional(t005Without(2).fixedLeg, market.asOf));
    const t006Without: CrossCurrencySwap = { ...t006, leg1: { ...t006.leg1, amortization: undefined }, leg2: { ...t006.leg2, amortization: undefined } };
    expect(Math.abs(value(t006) - value(t006Without))).toBeGreaterThan(1e-4 * 20e6);
  });

  it('bad rows: outside the trade\'s life, a date twice, a negative notional, an unknown trade, a trade that does not say schedule', async () => {
    const issues = await issuesOf(smallWithSchedule({ T001: 'schedule', T002: 'linear' }, [
      'T001,2025-01-15,5000000', // row 1: on the start date
      'T001,2027-01-15,4000000', // row 2
      'T001,2027-01-15,3000000', // row 3: the same date again
      'T001,2029-01-15,-1', // row 4: negative
      'T999,2029-01-15,1000000', // row 5: no such trade
      'T002,2028-09-20,1000000', // row 6: T002 amortises linearly
    ].join('\n') + '\n'));
    const at = (row: number) => issues.filter((i) => i.file === 'notional_schedules.csv' && i.row === row);
    expect(at(1)).toEqual([{ file: 'notional_schedules.csv', row: 1, column: 'from_date', value: '2025-01-15', expected: 'a date after the start_date 2025-01-15 and before the maturity_date 2035-01-15 of trade T001 (its notional column is the notional from the start)' }]);
    expect(at(3)).toEqual([{ file: 'notional_schedules.csv', row: 3, column: 'from_date', value: '2027-01-15', expected: 'one row per date of trade T001 (also row 2)' }]);
    expect(at(4)[0]).toMatchObject({ column: 'notional', value: '-1' });
    expect(at(5)).toEqual([{ file: 'notional_schedules.csv', row: 5, column: 'trade_id', value: 'T999', expected: 'the trade_id of a trade in the trades table' }]);
    expect(at(6)).toEqual([{ file: 'notional_schedules.csv', row: 6, column: 'trade_id', value: 'T002', expected: 'rows only for trades whose amortization is schedule (trade T002 says otherwise)' }]);
  });
});

describe('an amended book (xva optimize) keeps its notional schedules and only them', () => {
  it('writes notional_schedules for the schedule trades it holds, and never copies the base folder\'s stale one', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-amort-base-'));
    temps.push(base);
    fs.cpSync(SMALL, base, { recursive: true });
    const trades = fs.readFileSync(path.join(base, 'trades.csv'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(base, 'trades.csv'), trades.map((l, i) => `${l},${i === 0 ? 'amortization' : l.startsWith('T005,') ? 'schedule' : ''}`).join('\n') + '\n');
    fs.writeFileSync(path.join(base, 'notional_schedules.csv'), 'trade_id,from_date,notional\nT005,2030-03-18,10000000\n');
    // a side table the optimiser does not write, as Parquet under the .pq extension the loader also reads: copied as is
    writeTable(path.join(base, 'collateral_balances.pq'), { columns: [{ name: 'netting_set_id', type: 'utf8', values: ['NS_A'] }, { name: 'variation_margin', type: 'float64', values: [1e6] }] }, 'parquet');
    const issues = new IssueCollector();
    const book = await loadPortfolio(base, issues, { baseCurrency: 'USD' });
    issues.throwIfAny();
    const readBack = async (dir: string) => {
      const again = new IssueCollector();
      const p = await loadPortfolio(dir, again, { baseCurrency: 'USD' });
      return { p, issues: again.issues };
    };
    // with T005: its schedule is written as a table of the amended book
    const kept = path.join(base, '..', `${path.basename(base)}-kept`);
    temps.push(kept);
    writeAmendedPortfolio(kept, book, base, path.join(base, 'market.yaml'));
    const a = await readBack(kept);
    expect(a.issues).toEqual([]);
    expect(fs.readFileSync(path.join(kept, 'collateral_balances.pq'))).toEqual(fs.readFileSync(path.join(base, 'collateral_balances.pq')));
    expect((a.p.trades.find((t) => t.tradeId === 'T005') as InterestRateSwap).fixedLeg.amortization).toEqual({ kind: 'schedule', fromDates: [fromYmd(2030, 3, 18)], notionals: [10e6] });
    // T005 compressed away: no schedule table, and the base's is not copied (its row would name a trade not in the book)
    const gone = path.join(base, '..', `${path.basename(base)}-gone`);
    temps.push(gone);
    writeAmendedPortfolio(gone, { ...book, trades: book.trades.filter((t) => t.tradeId !== 'T005') }, base, path.join(base, 'market.yaml'));
    expect(fs.readdirSync(gone).filter((f) => f.startsWith('notional_schedules'))).toEqual([]);
    expect((await readBack(gone)).issues).toEqual([]);
  });
});

describe('xva simulate on a CSV book with an amortising swap (the command end to end)', () => {
  it('the amortising swap\'s netting set has the EPE and ENE of the set of its bullet pieces, date by date', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-amort-cli-'));
    temps.push(dir);
    for (const f of ['counterparties.csv', 'market.yaml']) fs.copyFileSync(path.join(SMALL, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'netting_sets.csv'), 'netting_set_id,counterparty_id,csa\nNS_AMORT,CP_CORP_B,false\nNS_PIECES,CP_CORP_B,false\n');
    const head = 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,float_index,float_frequency,amortization,amortization_frequency';
    const row = (id: string, set: string, notional: number, end: string, amort: string) =>
      `${id},CP_CORP_B,${set},IRS,pay,USD,${notional},2026-03-31,${end},0.039,1Y,USD-SOFR,3M,${amort},${amort === 'linear' ? '1Y' : ''}`;
    const lines = [head, row('A', 'NS_AMORT', 20e6, '2030-03-31', 'linear')];
    for (let j = 1; j <= 4; j++) lines.push(row(`P${j}`, 'NS_PIECES', 5e6, `${2026 + j}-03-31`, ''));
    fs.writeFileSync(path.join(dir, 'trades.csv'), lines.join('\n') + '\n');
    const out = path.join(dir, 'out');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), 'simulate', '--portfolio', dir, '--paths', '300', '--threads', '2', '--out', out, '--quiet'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const sets = tableFromIPC(fs.readFileSync(path.join(out, 'exposure_netting_set.arrow')));
    const ids = sets.getChild('netting_set_id')!.toArray() as string[];
    const epe = sets.getChild('epe')!.toArray() as Float64Array;
    const ene = sets.getChild('ene')!.toArray() as Float64Array;
    const a = ids.map((id, i) => (id === 'NS_AMORT' ? i : -1)).filter((i) => i >= 0);
    const b = ids.map((id, i) => (id === 'NS_PIECES' ? i : -1)).filter((i) => i >= 0);
    expect(a.length).toBe(b.length);
    expect(a.length).toBeGreaterThan(10);
    a.forEach((ia, k) => {
      expect(Math.abs(epe[ia]! - epe[b[k]!]!)).toBeLessThan(1e-9 * 20e6);
      expect(Math.abs(ene[ia]! - ene[b[k]!]!)).toBeLessThan(1e-9 * 20e6);
    });
    expect(Math.max(...a.map((i) => epe[i]!))).toBeGreaterThan(1e-3 * 20e6);
  }, 120_000);
});

describe('swaptions on amortising swaps (physical settlement)', () => {
  const AS_OF = fromYmd(2026, 6, 15);
  const expiry = addMonths(AS_OF, 12);
  const maturity = addMonths(expiry, 60);
  const market = parseMarket(USD_MARKET, 'amortising-swaption.yaml');
  const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(2, Number.POSITIVE_INFINITY), sigmas: Float64Array.of(0.011, 0.009), source: 'given' };
  const hwMarket = marketView(market, { hullWhite: { USD: hw } });
  const linear = { kind: 'linear', frequency: '1Y' } as const;
  /** The underlying: a payer swap from the expiry, 1Y fixed against 6M LIBOR, unadjusted dates, amortising linearly over 5 years. */
  function underlying(fixedRate: number, nettingSetId: string, tradeId: string): InterestRateSwap {
    const terms = { startDate: expiry, maturityDate: maturity, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false, amortization: linear };
    return {
      tradeId, counterpartyId: `CP_${nettingSetId}`, nettingSetId, cleared: false, product: 'IRS', direction: 'pay',
      fixedLeg: { ...terms, kind: 'fixed', currency: 'USD', notional: N, fixedRate, frequency: '1Y', dayCount: '30/360' },
      floatLeg: { ...terms, kind: 'float', currency: 'USD', notional: N, floatIndex: 'USD-LIBOR-6M', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360' },
    };
  }
  const set = (id: string): NettingSet => ({
    nettingSetId: id, counterpartyId: `CP_${id}`, csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 0, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false,
  });
  // at the amortising swap's par rate (its NPV is linear in the fixed rate), so the option is at the money
  const draft = underlying(0, 'NS_SWAP', 'U0');
  const at = (k: number) => priceTrade({ ...draft, fixedLeg: { ...draft.fixedLeg, fixedRate: k } }, hwMarket).npv;
  const par = at(0) / (at(0) - at(1));
  const swap_ = underlying(par, 'NS_SWAP', 'U1');
  const swaption: Swaption = {
    tradeId: 'SWPT', counterpartyId: 'CP_NS_OPT', nettingSetId: 'NS_OPT', cleared: false, product: 'SWAPTION', direction: 'buy', optionType: 'payer',
    settlement: 'physical', expiryDate: expiry, fixedLeg: swap_.fixedLeg, floatLeg: swap_.floatLeg,
  };

  it('under Hull-White (Jamshidian on the amortised flows) it is the discounted EPE at expiry of its underlying (within 3 MC standard errors), and the engine starts at it', async () => {
    const price = priceTrade(swaption, hwMarket).npv;
    const dates = [addMonths(AS_OF, 6), expiry, addMonths(expiry, 24)];
    const grid = { asOf: AS_OF, dates: Int32Array.from([AS_OF, ...dates]), times: Float64Array.from([AS_OF, ...dates], (d) => yearsBetween(AS_OF, d)), exposureDate: new Uint8Array(4).fill(1), lagIndex: new Map() };
    const portfolio: Portfolio = { trades: [swap_, { ...swaption }], counterparties: [], nettingSets: [set('NS_SWAP'), set('NS_OPT')], eligibleCollateral: [], collateral: [], sources: {} };
    const result = await runSimulation({ portfolio, market: hwMarket, options: { paths: 8000, seed: 5, grid, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    const swapSet = result.nettingSets.find((s) => s.nettingSetId === 'NS_SWAP')!.profile;
    const optSet = result.nettingSets.find((s) => s.nettingSetId === 'NS_OPT')!.profile;
    // exercised at expiry into the swap: the swap's positive part then, discounted
    console.log(`amortising payer swaption ${price.toFixed(2)}, EPE at expiry ${swapSet.epe[2]!.toFixed(2)} ± ${swapSet.epeStdError[2]!.toFixed(2)}`);
    expect(Math.abs(swapSet.epe[2]! - price)).toBeLessThan(3 * swapSet.epeStdError[2]!);
    expect(swapSet.epeStdError[2]!).toBeLessThan(0.03 * price);
    // the option's own set today: its price (the engine's remaining variance is matched to today's price)
    expect(Math.abs(optSet.epe[0]! - price)).toBeLessThan(1e-6 * price);
    // at expiry, on the same paths, the option is the exercised underlying where it is in the money: the swap set's EPE
    expect(Math.abs(optSet.epe[2]! - swapSet.epe[2]!)).toBeLessThan(1e-6 * price);
    // and the bullet swaption at the same strike is worth more (a longer underlying)
    const bullet: Swaption = { ...swaption, fixedLeg: { ...swaption.fixedLeg, amortization: undefined }, floatLeg: { ...swaption.floatLeg, amortization: undefined } };
    delete bullet.fixedLeg.amortization;
    delete bullet.floatLeg.amortization;
    expect(priceTrade(bullet, hwMarket).npv).toBeGreaterThan(1.3 * price);
  }, 120_000);

  it('with a normal vol surface: the annuity and forward of the amortised legs (each period at its notional, by hand) into Bachelier', () => {
    const surface: SwaptionVolSurface = { currency: 'USD', type: 'normal', shift: 0, quotes: [1, 2].flatMap((e) => [2, 5, 10].map((t) => ({ expiryYears: e, tenorYears: t, vol: 0.0095 + 0.0003 * t }))) };
    const volMarket = marketView(market, { swaptionVols: { USD: surface } });
    const disc = volMarket.discountCurve('USD');
    // the bullet legs' flows (tested elsewhere), each period scaled to its notional by hand: year k of 5 holds N(5 − k)/5
    const fixedBullet = fixedLegFlows({ ...swaption.fixedLeg, amortization: undefined, fixedRate: 1 }, volMarket);
    const floatBullet = floatLegFlows({ ...swaption.floatLeg, amortization: undefined }, volMarket, volMarket.projectionCurve('USD-LIBOR-6M'));
    const yearOf = (t: number) => Math.floor(t - volMarket.time(expiry) + 1e-9);
    let annuity = 0;
    for (let j = 0; j < fixedBullet.count; j++) annuity += ((5 - yearOf(fixedBullet.accrualStartTimes[j]!)) / 5) * fixedBullet.amounts[j]! * disc.discount(fixedBullet.paymentTimes[j]!);
    let floating = 0;
    for (let j = 0; j < floatBullet.count; j++) floating += ((5 - yearOf(floatBullet.accrualStartTimes[j]!)) / 5) * floatBullet.amounts[j]! * disc.discount(floatBullet.paymentTimes[j]!);
    const forward = floating / annuity;
    const T = volMarket.time(expiry);
    // the surface read at the underlying's weighted average life: (5 + 4 + 3 + 2 + 1)/5 = 3 years of a linear 5-year
    // repayment (not the 5-year tenor of its final maturity, whose vol differs by 0.0006 on this surface)
    const byHand = annuity * bachelier('call', forward, par, swaptionVolatility(surface, T, 3), T);
    expect(priceTrade(swaption, volMarket).npv).toBeCloseTo(byHand, 4);
    expect(Math.abs(priceTrade(swaption, volMarket).npv - annuity * bachelier('call', forward, par, swaptionVolatility(surface, T, 5), T))).toBeGreaterThan(1e-4 * N);
    // an accreting underlying (1, 1.5, 2, 2, 2 × N by year) reads (1 + 1.5 + 2 + 2 + 2)/2 = 4.25 years (normalised by its peak)
    const accreting = { kind: 'schedule' as const, fromDates: [1, 2].map((k) => addMonths(expiry, 12 * k)), notionals: [1.5 * N, 2 * N] };
    const up: Swaption = { ...swaption, fixedLeg: { ...swaption.fixedLeg, amortization: accreting }, floatLeg: { ...swaption.floatLeg, amortization: accreting } };
    const upFixed = fixedLegFlows({ ...up.fixedLeg, fixedRate: 1 }, volMarket);
    const upFloat = floatLegFlows(up.floatLeg, volMarket, volMarket.projectionCurve('USD-LIBOR-6M'));
    let upAnnuity = 0;
    for (let j = 0; j < upFixed.count; j++) upAnnuity += upFixed.amounts[j]! * disc.discount(upFixed.paymentTimes[j]!);
    let upFloating = 0;
    for (let j = 0; j < upFloat.count; j++) upFloating += upFloat.amounts[j]! * disc.discount(upFloat.paymentTimes[j]!);
    const upByHand = upAnnuity * bachelier('call', upFloating / upAnnuity, par, swaptionVolatility(surface, T, 4.25), T);
    expect(priceTrade(up, volMarket).npv).toBeCloseTo(upByHand, 4);
    // a cash-settled one is refused (the par-yield annuity is a bullet swap's)
    expect(() => priceTrade({ ...swaption, settlement: 'cash' }, volMarket)).toThrow(/cash-settled swaption on an amortising swap/);
  });
});
