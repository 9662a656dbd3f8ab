/**
 * Overnight legs with a lookback, an observation period shift or a lockout (`float_lookback_days`,
 * `float_observation_shift`, `float_lockout_days`; products/overnightCoupon.ts, pricing/legs.ts compoundedGrowth,
 * exposure/valuation/legs.ts addObservedCoupon). References independent of the code under test:
 * - each coupon's days listed by hand on the USNY calendar (a plain week, and the week of Presidents' Day 2026-02-16);
 * - today's price from flat curves with the days enumerated here by a second, day-by-day method: every daily rate
 *   projected over its own overnight period, Π(1 + r_i·δ_i), divided by τ (or by the observation period's fraction with
 *   a shift), and past days on fixings given by the test; with a shift and no lockout, Π = P(O_0)/P(O_n) exactly;
 * - on the engine's paths: the value starts at today's price; E[V(t)/N(t)] equals today's value of the flows paid after
 *   t (3 standard errors); and path by path the LGM bond formula for a coupon over its observation period paid at p:
 *   before its first fixing g·N·ρ·(c·β·P(t,o_s)·P(t,p)/P(t,o_e)·e^{−kζ(t)} − P(t,p)) + N·τ·s·P(t,p), with c = today's
 *   compounded growth over P_p(o_s)/P_p(o_e) computed here, k = (H(o_e) − H(o_s))·(H(o_e) − H(p)); after it (first
 *   fixing grid date t_j) the growth accrued to m = min(t, o_e) as x_j projects it, c·β·P(t_j,o_s)/P(t_j,m), times
 *   P(t,p)/P(t,o_e) while t < o_e (P(t,p) after), with the convexity split at m:
 *   e^{(H(p) − H(o_e))·((H(m) − H(o_s))·ζ(t_j) + (H(o_e) − H(m))·ζ(t))} (exposure/valuation/ratePool.ts CompoundedTerms).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, toIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { calendarNamed } from '../src/conventions/holidays.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector } from '../src/errors.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import { writeTable } from '../src/io/write.js';
import type { HullWhiteParams, Market } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { summarisePortfolio } from '../src/portfolio/summary.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { priceTrade } from '../src/pricing/index.js';
import { floatLegFlows } from '../src/pricing/legs.js';
import { dailyFixings } from '../src/products/overnightCoupon.js';
import type { FixedLeg, FloatLeg, InterestRateSwap } from '../src/products/types.js';
import { deflatedMean } from './helpers/deflated.js';
import { flatMarket } from './helpers/flatMarket.js';
import { simpleModel, simplePaths, timeGrid } from './helpers/simpleModel.js';

const asOf = fromYmd(2026, 6, 30);
const r = 0.035;
const rProj = 0.0372;
const N = 50_000_000;
const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3, Number.POSITIVE_INFINITY), sigmas: Float64Array.of(0.009, 0.011, 0.01), source: 'given' };
const market = flatMarket({ asOf, rates: { USD: r }, projection: { 'USD-SOFR': { currency: 'USD', rate: rProj } }, hullWhite: { USD: hw } });
const USNY = calendarNamed('USNY');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** The LGM bond P(t,T|x) = P(0,T)/P(0,t)·e^{−(H(T)−H(t))x − ½(H(T)²−H(t)²)ζ(t)} of a model (docs/model.md), written here. */
function lgmBond(lgm: { H(t: number): number; zeta(t: number): number; discount(t: number): number }, t: number, T: number, x: number): number {
  const hT = lgm.H(T);
  const ht = lgm.H(t);
  return (lgm.discount(T) / lgm.discount(t)) * Math.exp(-(hT - ht) * x - 0.5 * (hT * hT - ht * ht) * lgm.zeta(t));
}

interface Terms {
  lookbackDays?: number;
  observationShift?: boolean;
  lockoutDays?: number;
  paymentLagDays?: number;
  gearing?: number;
  spreadBp?: number;
}

/** SOFR swap, quarterly both legs, ACT/360, MF on USNY, paying fixed K. */
function sofrSwap(start: DateSerial, end: DateSerial, t: Terms, K = 0.036): InterestRateSwap {
  const common = { currency: 'USD' as const, notional: N, startDate: start, maturityDate: end, frequency: '3M' as const, dayCount: 'ACT/360' as const, businessDayConvention: 'MF' as const, calendar: 'USNY', stub: 'short_front' as const, endOfMonth: false, ...(t.paymentLagDays ? { paymentLagDays: t.paymentLagDays } : {}) };
  const fixedLeg: FixedLeg = { kind: 'fixed', ...common, fixedRate: K };
  const floatLeg: FloatLeg = {
    kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp: t.spreadBp ?? 0,
    ...(t.gearing !== undefined ? { gearing: t.gearing } : {}),
    ...(t.lookbackDays ? { lookbackDays: t.lookbackDays } : {}),
    ...(t.observationShift ? { observationShift: true } : {}),
    ...(t.lockoutDays ? { lockoutDays: t.lockoutDays } : {}),
  };
  return { tradeId: 'S', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'OIS', direction: 'pay', fixedLeg, floatLeg };
}

/** `n` USNY business days before `d` (a second writing: step back one calendar day at a time). */
function businessDaysBefore(d: DateSerial, n: number): DateSerial {
  let out = d;
  for (let k = 0; k < n; k++) {
    out--;
    while (!USNY.isBusinessDay(out)) out--;
  }
  return out;
}

function nextBusinessDay(d: DateSerial): DateSerial {
  let out = d + 1;
  while (!USNY.isBusinessDay(out)) out++;
  return out;
}

/**
 * One coupon's compounded growth and divisor, day by day: the accrual's business days (start, the days between, end),
 * each day's rate fixed `lookback` days before it (or the shifted days' own), the last `lockout` days on the rate of
 * the day before them; a rate fixed before today from `fixings`, else projected over its own overnight period.
 */
function handCoupon(s: DateSerial, e: DateSerial, t: Terms, m: Market, fixings?: Map<DateSerial, number>): { growth: number; divisor: number; os: DateSerial; oe: DateSerial } {
  const L = t.lookbackDays ?? 0;
  const days: DateSerial[] = [s];
  for (let d = s + 1; d < e; d++) if (USNY.isBusinessDay(d)) days.push(d);
  days.push(e);
  const interest = t.observationShift ? days.map((d) => businessDaysBefore(d, L)) : days;
  const n = days.length - 1;
  const fixing = days.slice(0, n).map((d, i) => (t.observationShift ? interest[i]! : businessDaysBefore(d, L)));
  const os = fixing[0]!;
  const oe = nextBusinessDay(fixing[n - 1]!);
  const K = t.lockoutDays ?? 0;
  for (let i = n - K; i < n; i++) fixing[i] = fixing[n - 1 - K]!;
  const Pp = (d: DateSerial): number => Math.exp(-rProj * m.time(d));
  let growth = 1;
  for (let i = 0; i < n; i++) {
    const f = fixing[i]!;
    const weight = (interest[i + 1]! - interest[i]!) / 360;
    let rate: number;
    if (f < m.asOf) rate = fixings!.get(f)!;
    else {
      const next = nextBusinessDay(f);
      rate = (Pp(f) / Pp(next) - 1) / ((next - f) / 360);
    }
    growth *= 1 + rate * weight;
  }
  const divisor = t.observationShift ? (interest[n]! - interest[0]!) / 360 : (e - s) / 360;
  return { growth, divisor, os, oe };
}

/** Today's price of the swap from handCoupon: Σ N·τ·(g·(G − 1)/divisor + spread)·P(p) − Σ N·K·τ·P(p). */
function handPrice(swap: InterestRateSwap, t: Terms, m: Market, fixings?: Map<DateSerial, number>): number {
  const sched = buildSchedule(swap.floatLeg);
  const P = (d: DateSerial): number => Math.exp(-r * m.time(d));
  let pv = 0;
  for (let i = 0; i < sched.count; i++) {
    const pay = sched.paymentDate[i]!;
    if (pay <= m.asOf) continue;
    const s = sched.accrualStart[i]!;
    const e = sched.accrualEnd[i]!;
    const tau = (e - s) / 360;
    const { growth, divisor } = handCoupon(s, e, t, m, fixings);
    pv += N * tau * ((t.gearing ?? 1) * (growth - 1) / divisor + (t.spreadBp ?? 0) / 1e4 - swap.fixedLeg.fixedRate) * P(pay);
  }
  return pv;
}

describe('the days of a coupon (products/overnightCoupon.ts), by hand on USNY', () => {
  const leg = { calendar: 'USNY', dayCount: 'ACT/360' as const };
  const iso = (a: Int32Array): string[] => Array.from(a, toIsoDate);
  const days360 = (a: Float64Array): number[] => Array.from(a, (x) => Math.round(x * 360 * 1e9) / 1e9);
  const week = [fromYmd(2026, 3, 2), fromYmd(2026, 3, 9)] as const; // Monday to Monday, no holiday

  it('a lookback of 2 without a shift: Monday takes Thursday\'s rate, Friday Wednesday\'s for its three days', () => {
    const d = dailyFixings(leg, { lookbackDays: 2, observationShift: false, lockoutDays: 0 }, week[0], week[1], 7 / 360);
    expect(iso(d.fixingDates)).toEqual(['2026-02-26', '2026-02-27', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(days360(d.weights)).toEqual([1, 1, 1, 1, 3]);
    expect(iso(d.rateEnds)).toEqual(['2026-02-27', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    expect([toIsoDate(d.observationStart), toIsoDate(d.observationEnd), d.rateFraction * 360]).toEqual(['2026-02-26', '2026-03-05', 7]);
  });

  it('with the shift: the same rates weighed as observed (Friday 2026-02-27 for three days), over the observation period', () => {
    const d = dailyFixings(leg, { lookbackDays: 2, observationShift: true, lockoutDays: 0 }, week[0], week[1], 7 / 360);
    expect(iso(d.fixingDates)).toEqual(['2026-02-26', '2026-02-27', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(days360(d.weights)).toEqual([1, 3, 1, 1, 1]);
    expect(d.rateFraction * 360).toBeCloseTo(7, 12); // 2026-02-26 to 2026-03-05
  });

  it('a lockout of 2: the last two days take Wednesday\'s rate', () => {
    const d = dailyFixings(leg, { lookbackDays: 0, observationShift: false, lockoutDays: 2 }, week[0], week[1], 7 / 360);
    expect(iso(d.fixingDates)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-04', '2026-03-04']);
    expect(days360(d.weights)).toEqual([1, 1, 1, 1, 3]);
    expect(toIsoDate(d.observationEnd)).toBe('2026-03-09');
  });

  it('Presidents\' Day (Monday 2026-02-16): Friday 13th accrues four days on Wednesday 11th\'s rate; shifted, Friday\'s rate weighs four', () => {
    const plain = dailyFixings(leg, { lookbackDays: 2, observationShift: false, lockoutDays: 0 }, fromYmd(2026, 2, 13), fromYmd(2026, 2, 20), 7 / 360);
    expect(iso(plain.fixingDates)).toEqual(['2026-02-11', '2026-02-12', '2026-02-13', '2026-02-17']);
    expect(days360(plain.weights)).toEqual([4, 1, 1, 1]);
    const shifted = dailyFixings(leg, { lookbackDays: 2, observationShift: true, lockoutDays: 1 }, fromYmd(2026, 2, 13), fromYmd(2026, 2, 20), 7 / 360);
    expect(iso(shifted.fixingDates)).toEqual(['2026-02-11', '2026-02-12', '2026-02-13', '2026-02-13']);
    expect(days360(shifted.weights)).toEqual([1, 1, 4, 1]);
    expect([toIsoDate(shifted.observationStart), toIsoDate(shifted.observationEnd)]).toEqual(['2026-02-11', '2026-02-18']);
  });

  it('a lockout as long as the period\'s rates is refused', () => {
    expect(() => dailyFixings(leg, { lookbackDays: 0, observationShift: false, lockoutDays: 5 }, week[0], week[1], 7 / 360)).toThrow(/lockout of 5/);
  });
});

describe('today\'s price', () => {
  const start = fromYmd(2026, 9, 30);
  const end = addMonths(start, 24);
  const cases: [string, Terms][] = [
    ['lookback 2', { lookbackDays: 2 }],
    ['lookback 2 with shift', { lookbackDays: 2, observationShift: true }],
    ['lockout 2', { lockoutDays: 2 }],
    ['lookback 5, shift, lockout 1, paid 2 days late, 1.5 × SOFR + 10bp', { lookbackDays: 5, observationShift: true, lockoutDays: 1, paymentLagDays: 2, gearing: 1.5, spreadBp: 10 }],
    ['lookback 3 and lockout 2 without shift, +25bp', { lookbackDays: 3, lockoutDays: 2, spreadBp: 25 }],
  ];
  for (const [label, t] of cases) {
    it(`${label}: Σ of the coupons compounded day by day (1e-9 of N)`, () => {
      const swap = sofrSwap(start, end, t);
      expect(Math.abs(priceTrade(swap, market).npv - handPrice(swap, t, market))).toBeLessThan(1e-9 * N);
    });
  }

  it('a shift without lockout telescopes: each coupon is N·(P(O_0)/P(O_n) − 1)·τ/τ_obs; no lookback is the plain swap', () => {
    const t: Terms = { lookbackDays: 2, observationShift: true };
    const swap = sofrSwap(start, end, t);
    const sched = buildSchedule(swap.floatLeg);
    const Pp = (d: DateSerial): number => Math.exp(-rProj * market.time(d));
    for (let i = 0; i < sched.count; i++) {
      const s = sched.accrualStart[i]!;
      const e = sched.accrualEnd[i]!;
      const hand = handCoupon(s, e, t, market);
      expect(hand.os).toBe(businessDaysBefore(s, 2));
      expect(hand.oe).toBe(businessDaysBefore(e, 2));
      expect(Math.abs(hand.growth - Pp(hand.os) / Pp(hand.oe))).toBeLessThan(1e-14);
    }
    // the plain swap by the same hand method; on flat curves the lookback moves the price only through the days
    const plain = sofrSwap(start, end, {});
    expect(Math.abs(priceTrade(plain, market).npv - handPrice(plain, {}, market))).toBeLessThan(1e-9 * N);
    expect(Math.abs(priceTrade(swap, market).npv - priceTrade(plain, market).npv)).toBeGreaterThan(0.1);
  });

  it('a running coupon: past days on their fixings (a shifted observation starting before the accrual), the rest projected', () => {
    // a swap from 2026-06-01: its first observation day 2026-05-28 (Memorial Day, 2026-05-25, is no business day)
    const fixings = new Map<DateSerial, number>();
    for (let d = fromYmd(2026, 5, 1), k = 0; d < asOf; d++) if (USNY.isBusinessDay(d)) fixings.set(d, 0.043 + 0.0001 * (k++ % 7));
    // the flat market with SOFR fixings (its prototype: a spread would read its getters)
    const m = Object.create(market, { fixing: { value: (index: string, d: DateSerial) => (index === 'USD-SOFR' ? fixings.get(d) : undefined) } }) as Market;
    for (const t of [{ lookbackDays: 2, observationShift: true }, { lookbackDays: 2, lockoutDays: 1, spreadBp: 5 }] as Terms[]) {
      const swap = sofrSwap(fromYmd(2026, 6, 1), fromYmd(2027, 6, 1), t);
      expect(handCoupon(fromYmd(2026, 6, 1), fromYmd(2026, 9, 1), t, m, fixings).os).toBe(fromYmd(2026, 5, 28));
      expect(Math.abs(priceTrade(swap, m).npv - handPrice(swap, t, m, fixings))).toBeLessThan(1e-9 * N);
      // without the fixings: listed by the book's summary (xva validate's unfixedCoupons), and valued on today's forward
      const book = { trades: [swap], counterparties: [], nettingSets: [], eligibleCollateral: [], collateral: [], sources: {} };
      expect(summarisePortfolio(book, market, new IssueCollector()).unfixedCoupons).toEqual({ trades: 1, tradeIds: ['S'] });
      expect(summarisePortfolio(book, m, new IssueCollector()).unfixedCoupons).toEqual({ trades: 0, tradeIds: [] });
    }
    // a coupon starting tomorrow with a lookback of 2 already fixed on a day before today
    const tomorrow = sofrSwap(fromYmd(2026, 7, 1), fromYmd(2027, 7, 1), { lookbackDays: 2 });
    const book = { trades: [tomorrow], counterparties: [], nettingSets: [], eligibleCollateral: [], collateral: [], sources: {} };
    expect(summarisePortfolio(book, market, new IssueCollector()).unfixedCoupons?.trades).toBe(1);
    expect(Math.abs(priceTrade(tomorrow, m).npv - handPrice(tomorrow, { lookbackDays: 2 }, m, fixings))).toBeLessThan(1e-9 * N);
  });
});

describe('on paths', () => {
  const start = fromYmd(2026, 9, 30);
  const end = addMonths(start, 24);
  const t: Terms = { lookbackDays: 5, observationShift: true, lockoutDays: 1, paymentLagDays: 2, gearing: 1.5, spreadBp: 10 };
  const swap = sofrSwap(start, end, t);
  const sched = buildSchedule(swap.floatLeg);
  const hand = Array.from({ length: sched.count }, (_, i) => handCoupon(sched.accrualStart[i]!, sched.accrualEnd[i]!, t, market));
  // before, on and after each first fixing, inside each period, and between each accrual end and its payment
  const dates: DateSerial[] = [fromYmd(2026, 8, 14)];
  for (let i = 0; i < sched.count; i++) dates.push(hand[i]!.os - 1, hand[i]!.os, hand[i]!.os + 40, sched.accrualEnd[i]!, sched.paymentDate[i]! - 1);
  const grid = timeGrid(asOf, [...new Set(dates)].sort((a, b) => a - b));
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 4000;
  const paths = simplePaths(model, market, grid, { nPaths, seed: 11 });
  const kernel = compileNettingSet([swap], { market, model, grid, nettingSetId: 'N' });
  const P = (d: DateSerial): number => Math.exp(-r * market.time(d));
  const Pp = (d: DateSerial): number => Math.exp(-rProj * market.time(d));

  it('starts at today\'s price; E[V(t)/N(t)] = today\'s value of the flows paid after t (3 standard errors)', () => {
    const price = priceTrade(swap, market).npv;
    const v0 = new Float64Array(nPaths);
    kernel.valueAt(0, paths, v0);
    for (const v of v0) expect(Math.abs(v - price)).toBeLessThan(1e-9 * N);
    let checked = 0;
    for (let d = 1; d < grid.dates.length; d++) {
      const { mean, se } = deflatedMean(kernel, paths, d);
      let expected = 0;
      for (let i = 0; i < sched.count; i++) {
        if (sched.paymentDate[i]! <= grid.dates[d]!) continue;
        const tau = (sched.accrualEnd[i]! - sched.accrualStart[i]!) / 360;
        expected += N * tau * (1.5 * (hand[i]!.growth - 1) / hand[i]!.divisor + 0.001 - 0.036) * P(sched.paymentDate[i]!);
      }
      expect(Math.abs(mean - expected), `date ${d}`).toBeLessThan(3 * se + 1e-9 * N);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(30);
  });

  it('path by path: the coupon over its observation period paid at p, before its first fixing, within it and after it, by the LGM bond formula (1e-8 of N)', () => {
    const lgm = model.lgm('USD');
    const T = (d: DateSerial): number => market.time(d);
    const bond = (tt: number, m: number, x: number): number => lgmBond(lgm, tt, m, x);
    let checked = 0;
    const out = new Float64Array(nPaths);
    let within = 0;
    for (let d = 1; d < grid.dates.length; d++) {
      kernel.valueAt(d, paths, out);
      const tt = grid.times[d]!;
      for (let p = 0; p < nPaths; p += 53) {
        const x = paths.irState[0]![d * nPaths + p]!;
        let expected = 0;
        for (let i = 0; i < sched.count; i++) {
          if (sched.paymentDate[i]! <= grid.dates[d]!) continue;
          const { growth, divisor, os, oe } = hand[i]!;
          const s = T(os);
          const e = T(oe);
          const pt = T(sched.paymentDate[i]!);
          const tau = (sched.accrualEnd[i]! - sched.accrualStart[i]!) / 360;
          const c = growth / (Pp(os) / Pp(oe));
          const beta = (Pp(os) / Pp(oe)) * (P(oe) / P(os));
          const k = (lgm.H(e) - lgm.H(s)) * (lgm.H(e) - lgm.H(pt));
          // the first fixing os is a grid date j here
          const j = grid.dates.indexOf(os);
          let index: number;
          if (d <= j) index = c * beta * ((bond(tt, s, x) * bond(tt, pt, x)) / bond(tt, e, x)) * Math.exp(-k * lgm.zeta(tt));
          else {
            // the growth over (o_s, min(t, o_e)] as the state x_j projects it, then P(t,p)/P(t,o_e) while t < o_e;
            // the convexity of paying at p split at t: e^{(H(p) − H(o_e))·((H(m) − H(o_s))·ζ(t_j) + (H(o_e) − H(m))·ζ(t))}
            const xj = paths.irState[0]![j * nPaths + p]!;
            const tj = grid.times[j]!;
            const m = Math.min(tt, e);
            if (tt < e && p === 0) within++;
            const convexity = Math.exp((lgm.H(pt) - lgm.H(e)) * ((lgm.H(m) - lgm.H(s)) * lgm.zeta(tj) + (lgm.H(e) - lgm.H(m)) * lgm.zeta(tt)));
            index = c * beta * (bond(tj, s, xj) / bond(tj, m, xj)) * (tt < e ? bond(tt, pt, x) / bond(tt, e, x) : bond(tt, pt, x)) * convexity;
          }
          expected += 1.5 * N * (tau / divisor) * (index - bond(tt, pt, x)) + N * tau * (0.001 - 0.036) * bond(tt, pt, x);
        }
        expect(Math.abs(out[p]! - expected), `date ${d} path ${p}`).toBeLessThan(1e-8 * N);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(within).toBeGreaterThanOrEqual(8);
  });
});

describe('on paths, started before today', () => {
  // one quarterly period started two months ago, a lookback of 5 with the shift and a payment lag of 2: its amount is
  // the pricer's (no fixings given: today's forward over the period's length), and on the paths its index part accrues
  // from today as cash at today's forward rates, carried to its payment by P(t,p)/P(t,o_e) (legs.ts
  // addSeasonedCompounded); the fixed leg at 0%, so that the coupon is the whole value
  const t: Terms = { lookbackDays: 5, observationShift: true, paymentLagDays: 2, spreadBp: 10 };
  const swap = sofrSwap(addMonths(asOf, -2), addMonths(asOf, 1), t, 0);
  const sched = buildSchedule(swap.floatLeg);
  const flows = floatLegFlows(swap.floatLeg, market, market.projectionCurve('USD-SOFR'), sched);
  // the observation period's end as a date (times are ACT/365F years from the as-of date)
  const oe = asOf + Math.round(flows.observation!.endTimes[0]! * 365);
  const pay = sched.paymentDate[0]!;
  const grid = timeGrid(asOf, [asOf + 7, asOf + 20, oe - 1, oe, pay - 1]);
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 1000;
  const paths = simplePaths(model, market, grid, { nPaths, seed: 3 });
  const kernel = compileNettingSet([swap], { market, model, grid, nettingSetId: 'N' });

  it('path by path: the pricer\'s index amount accrued at today\'s forward to min(t, o_e), carried to p, plus its fixed part at p (1e-8 of N)', () => {
    expect(sched.count).toBe(1);
    const lgm = model.lgm('USD');
    const T = (d: DateSerial): number => market.time(d);
    const bond = (tt: number, m: number, x: number): number => lgmBond(lgm, tt, m, x);
    expect(market.time(oe)).toBe(flows.observation!.endTimes[0]);
    const fixedPart = N * (flows.accrualFractions[0]! * 0.001 - flows.observation!.rateRatios[0]!); // −g·N·ρ + N·τ·s
    const index = flows.amounts[0]! - fixedPart; // the index part's amount at p
    const e = T(oe);
    const p = T(pay);
    const out = new Float64Array(nPaths);
    kernel.valueAt(0, paths, out);
    expect(Math.abs(out[0]! - priceTrade(swap, market).npv)).toBeLessThan(1e-9 * N);
    let within = 0;
    for (let d = 1; d < grid.dates.length; d++) {
      out.fill(0);
      kernel.valueAt(d, paths, out);
      const tt = grid.times[d]!;
      if (tt < e) within++;
      for (let path = 0; path < nPaths; path += 37) {
        const x = paths.irState[0]![d * nPaths + path]!;
        // before o_e: index·P(0,o_e)/P(0,t)·P(t,p|x)/P(t,o_e|x)·e^{(H(p) − H(o_e))(H(o_e) − H(t))ζ(t)}; after it index·P(t,p|x)
        const coupon = tt < e
          ? ((index * lgm.discount(e)) / lgm.discount(tt)) * (bond(tt, p, x) / bond(tt, e, x)) * Math.exp((lgm.H(p) - lgm.H(e)) * (lgm.H(e) - lgm.H(tt)) * lgm.zeta(tt))
          : index * bond(tt, p, x);
        const expected = coupon + fixedPart * bond(tt, p, x);
        expect(Math.abs(out[path]! - expected), `date ${d} path ${path}`).toBeLessThan(1e-8 * N);
      }
    }
    expect(within).toBeGreaterThanOrEqual(3);
  });
});

describe('the trades table', () => {
  const SMALL = path.resolve('test/data/small');
  const extra = ['payment_lag_days', 'fx_reset', 'float_lookback_days', 'float_observation_shift', 'float_lockout_days'];
  function bookWith(label: string, rows: Record<string, string>[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-lookback-${label}-`));
    temps.push(dir);
    for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = [...lines[0]!.split(','), ...extra];
    lines[0] = header.join(',');
    for (let i = 1; i < lines.length; i++) lines[i] += ','.repeat(extra.length);
    for (const cells of rows) lines.push(header.map((h) => cells[h] ?? '').join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return dir;
  }
  const oisRow = { counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'OIS', direction: 'pay', currency: 'USD', notional: '10000000', start_date: '2026-09-30', maturity_date: '2031-09-30', fixed_rate: '0.036', fixed_frequency: '1Y', fixed_day_count: 'ACT/360', float_index: 'USD-SOFR', float_frequency: '3M', float_day_count: 'ACT/360', calendar: 'USNY' };

  it('read onto the overnight legs, written back only when a swap looks back or locks out, and read again the same', async () => {
    const dir = bookWith('ok', [
      { ...oisRow, trade_id: 'L1', float_lookback_days: '2', float_observation_shift: 'true', float_lockout_days: '1' },
      { ...oisRow, trade_id: 'L2', float_lookback_days: '5' },
      // a basis swap of SOFR against a term index: only the SOFR leg looks back
      { ...oisRow, trade_id: 'L3', product: 'BASIS', direction: 'receive', float_index: 'USD-LIBOR-3M', float_index2: 'USD-SOFR', fixed_rate: '', fixed_frequency: '', fixed_day_count: '', float_lookback_days: '2' },
      { ...oisRow, trade_id: 'L4', float_lookback_days: '0' },
    ]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect([issues.issues, issues.warnings]).toEqual([[], []]);
    const byId = (id: string) => book.trades.find((x) => x.tradeId === id)!;
    const l1 = (byId('L1') as InterestRateSwap).floatLeg;
    expect([l1.lookbackDays, l1.observationShift, l1.lockoutDays]).toEqual([2, true, 1]);
    const l2 = (byId('L2') as InterestRateSwap).floatLeg;
    expect([l2.lookbackDays, l2.observationShift, l2.lockoutDays]).toEqual([5, undefined, undefined]);
    const l3 = byId('L3');
    if (l3.product !== 'BASIS') throw new Error('L3 is a basis swap');
    expect([(l3.leg1 as FloatLeg).lookbackDays, (l3.leg2 as FloatLeg).lookbackDays]).toEqual([undefined, 2]);
    expect((byId('L4') as InterestRateSwap).floatLeg.lookbackDays).toBeUndefined();
    const summary = summarisePortfolio(book, undefined, new IssueCollector());
    expect(summary.lookbackSwaps).toBe(3);

    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-lookback-again-'));
    temps.push(again);
    for (const [name, table] of Object.entries(portfolioTables(book))) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    for (const id of ['L1', 'L2', 'L3', 'L4']) {
      const x = reread.trades.find((y) => y.tradeId === id)!;
      expect(x).toEqual({ ...byId(id), sourceRow: x.sourceRow });
    }
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-lookback-bare-'));
    temps.push(bare);
    writeTable(path.join(bare, 'trades.csv'), portfolioTables({ ...book, trades: book.trades.filter((x) => !['L1', 'L2', 'L3'].includes(x.tradeId)) }).trades!, 'csv');
    expect(fs.readFileSync(path.join(bare, 'trades.csv'), 'utf8').split('\n')[0]).not.toMatch(/lookback|lockout|observation/);
  });

  it('wrong cells are errors on the cell: a fraction, too long, a term index, a swaption, a lockout as long as a period, a resetting leg', async () => {
    const dir = bookWith('bad', [
      { ...oisRow, trade_id: 'B1', float_lookback_days: '1.5' },
      { ...oisRow, trade_id: 'B2', float_lockout_days: '11' },
      { ...oisRow, trade_id: 'B3', product: 'IRS', float_index: 'USD-LIBOR-3M', float_lookback_days: '2' },
      { ...oisRow, trade_id: 'B4', product: 'SWAPTION', direction: 'buy', option_type: 'payer', expiry_date: '2026-09-28', float_lockout_days: '2' },
      // a monthly leg with a short front stub, 2026-09-30 to 2026-10-12 (the 10th a Saturday): 8 rates
      { ...oisRow, trade_id: 'B5', float_frequency: '1M', float_lockout_days: '8', maturity_date: '2026-12-10' },
      {
        trade_id: 'B6', counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'XCCY', direction: 'pay', currency: 'EUR', notional: '20000000', currency2: 'USD', notional2: '21500000',
        start_date: '2026-09-30', maturity_date: '2028-09-30', float_index: 'EUR-EURIBOR-3M', float_index2: 'USD-SOFR', float_frequency: '3M', float_day_count: 'ACT/360', fx_reset: 'leg2', float_lookback_days: '2',
      },
      { ...oisRow, trade_id: 'B7', float_observation_shift: 'maybe' },
    ]);
    const issues = new IssueCollector();
    await loadPortfolio(dir, issues, { baseCurrency: 'USD' }).catch(() => undefined);
    const at = (column: string, value: string, expected: RegExp) => expect(issues.issues).toContainEqual(expect.objectContaining({ column, value, expected: expect.stringMatching(expected) }));
    at('float_lookback_days', '1.5', /whole number of business days from 0 to 10/);
    at('float_lockout_days', '11', /whole number of business days from 0 to 10/);
    at('float_lookback_days', '2', /B3 has no floating leg on an overnight index/);
    at('float_lockout_days', '2', /0 or blank for SWAPTION/);
    at('float_lockout_days', '8', /fewer business days than every period has daily rates: the USD-SOFR period 2026-09-30 to 2026-10-12 compounds 8$/);
    at('float_lookback_days', '2', /resetting cross-currency swap \(fx_reset leg2\)/);
    expect(issues.issues).toContainEqual(expect.objectContaining({ column: 'float_observation_shift', value: 'maybe' }));
  });

  it('a shift without a lookback is a warning (nothing is shifted), and the swap is the plain one', async () => {
    const dir = bookWith('warn', [{ ...oisRow, trade_id: 'W1', float_observation_shift: 'true' }]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    expect(issues.warnings).toEqual([expect.objectContaining({ column: 'float_observation_shift', severity: 'warning', expected: expect.stringMatching(/nothing is shifted/) })]);
    expect((book.trades.find((x) => x.tradeId === 'W1') as InterestRateSwap).floatLeg.observationShift).toBeUndefined();
  });
});
