/**
 * Payment lags (`payment_lag_days`: coupons and the final exchange paid business days after the accrual end;
 * conventions/schedule.ts, exposure/valuation/legs.ts addLaggedCoupon). References independent of the code under test:
 * - the payment dates by hand on the USNY calendar (around Thanksgiving, Christmas and a weekend);
 * - today's price by hand from flat curves: Σ N·K·τ·P(0, p) and Σ N·(F + spread)·τ·P(0, p), F the projection curve's
 *   forward over the accrual period, p the lagged payment date; a lag of 0 is the swap without one, to the bit;
 * - on the engine's paths: the value starts at today's price; E[V(t)/N(t)] equals today's value of the flows paid after
 *   t (3 standard errors), also between an accrual end and its payment (the coupon known, not paid); and path by path
 *   the value from the LGM bond formula P(t,T|x) = P(0,T)/P(0,t)·e^{−(H(T)−H(t))x − ½(H(T)²−H(t)²)ζ(t)} written here:
 *   before its fixing a coupon is g·N·β·P(t,s)P(t,p)/P(t,e)·e^{−kζ(t)}, after its accrual end g·N·β·P(t_j,s)/P(t_j,e)·
 *   e^{−kζ(t_j)}·P(t,p), k = (H(e) − H(s))(H(e) − H(p)) (the LGM's convexity of paying at p, which keeps the value a
 *   martingale; 1e-7 here), and in its accrual period (SOFR compounded in arrears) the growth accrued to t as the state
 *   x_j at its fixing grid date projects it, g·N·β·P(t_j,s)/P(t_j,t)·P(t,p)/P(t,e), with the convexity split at t:
 *   e^{(H(p) − H(e))·((H(t) − H(s))·ζ(t_j) + (H(e) − H(t))·ζ(t))}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { IssueCollector } from '../src/errors.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import { writeTable } from '../src/io/write.js';
import type { HullWhiteParams } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { priceTrade } from '../src/pricing/index.js';
import { principalFlows } from '../src/products/amortization.js';
import type { CrossCurrencySwap, FixedLeg, FloatLeg, InterestRateSwap } from '../src/products/types.js';
import { deflatedMean } from './helpers/deflated.js';
import { flatMarket } from './helpers/flatMarket.js';
import { simpleModel, simplePaths, timeGrid } from './helpers/simpleModel.js';

const asOf = fromYmd(2026, 6, 30);
const r = 0.035;
const rProj = 0.0372;
const N = 50_000_000;
const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3, Number.POSITIVE_INFINITY), sigmas: Float64Array.of(0.009, 0.011, 0.01), source: 'given' };
const market = flatMarket({ asOf, rates: { USD: r, EUR: 0.025 }, spotsInBase: { EUR: 1.085 }, projection: { 'USD-SOFR': { currency: 'USD', rate: rProj }, 'EUR-ESTR': { currency: 'EUR', rate: 0.025 } }, hullWhite: { USD: hw } });
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** SOFR swap, quarterly both legs, ACT/360, MF on USNY, `lag` business days. */
function sofrSwap(start: DateSerial, end: DateSerial, lag: number, K = 0.036, spreadBp = 0): InterestRateSwap {
  const common = { currency: 'USD' as const, notional: N, startDate: start, maturityDate: end, frequency: '3M' as const, dayCount: 'ACT/360' as const, businessDayConvention: 'MF' as const, calendar: 'USNY', stub: 'short_front' as const, endOfMonth: false, ...(lag ? { paymentLagDays: lag } : {}) };
  const fixedLeg: FixedLeg = { kind: 'fixed', ...common, fixedRate: K };
  const floatLeg: FloatLeg = { kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp };
  return { tradeId: 'S', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'OIS', direction: 'pay', fixedLeg, floatLeg };
}

describe('payment dates and today\'s price', () => {
  it('pays two USNY business days after each accrual end (Thanksgiving, Christmas, a weekend)', () => {
    const swap = sofrSwap(fromYmd(2026, 8, 25), fromYmd(2027, 11, 24), 2);
    const s = buildSchedule(swap.fixedLeg);
    // accrual ends 2026-11-24 (Tue), 2027-02-24, 2027-05-24, 2027-08-24, 2027-11-24 (Wed, the day before Thanksgiving)
    expect(Array.from(s.accrualEnd)).toEqual([fromYmd(2026, 11, 24), fromYmd(2027, 2, 24), fromYmd(2027, 5, 24), fromYmd(2027, 8, 24), fromYmd(2027, 11, 24)]);
    // +2 business days: Thanksgiving 2026-11-26 skipped; 2027-11-25 Thanksgiving skipped
    expect(Array.from(s.paymentDate)).toEqual([fromYmd(2026, 11, 27), fromYmd(2027, 2, 26), fromYmd(2027, 5, 26), fromYmd(2027, 8, 26), fromYmd(2027, 11, 29)]);
    const christmas = buildSchedule({ ...swap.fixedLeg, startDate: fromYmd(2026, 9, 23), maturityDate: fromYmd(2026, 12, 23) });
    expect(christmas.paymentDate[0]).toBe(fromYmd(2026, 12, 28)); // 24 (Thu), 25 Christmas, 26-27 weekend, 28 (Mon)
  });

  it('= Σ N·K·τ·P(0, p) and Σ N·(F + spread)·τ·P(0, p) by hand; a lag of 0 is the swap without one, bit for bit', () => {
    const start = fromYmd(2026, 9, 30);
    const end = addMonths(start, 36);
    const P = (d: DateSerial) => Math.exp(-r * market.time(d));
    const Pp = (d: DateSerial) => Math.exp(-rProj * market.time(d));
    for (const spreadBp of [0, 12]) {
      const swap = sofrSwap(start, end, 2, 0.036, spreadBp);
      const s = buildSchedule(swap.fixedLeg);
      let fixed = 0;
      let float = 0;
      for (let i = 0; i < s.count; i++) {
        const tau = (s.accrualEnd[i]! - s.accrualStart[i]!) / 360;
        const F = (Pp(s.accrualStart[i]!) / Pp(s.accrualEnd[i]!) - 1) / tau;
        fixed += N * 0.036 * tau * P(s.paymentDate[i]!);
        float += N * (F + spreadBp / 1e4) * tau * P(s.paymentDate[i]!);
      }
      expect(Math.abs(priceTrade(swap, market).npv - (float - fixed))).toBeLessThan(1e-9 * N);
      // the lag matters: two days of discounting on every flow
      expect(Math.abs(priceTrade(swap, market).npv - priceTrade(sofrSwap(start, end, 0, 0.036, spreadBp), market).npv)).toBeGreaterThan(1e-7 * N);
    }
    const zero = sofrSwap(start, end, 0);
    const { paymentLagDays: _, ...withoutKey } = zero.fixedLeg;
    expect(priceTrade(zero, market).npv).toBe(priceTrade({ ...zero, fixedLeg: withoutKey as FixedLeg }, market).npv);
  });
});

describe('payment lags on paths', () => {
  const start = fromYmd(2026, 9, 30);
  const end = addMonths(start, 24);
  const swap = sofrSwap(start, end, 2, 0.036, 7);
  const sched = buildSchedule(swap.fixedLeg);
  // before, on and after each fixing (the accrual start), and between each accrual end and its payment
  const dates: DateSerial[] = [fromYmd(2026, 8, 14)];
  for (let i = 0; i < sched.count; i++) dates.push(sched.accrualStart[i]!, sched.accrualStart[i]! + 40, sched.accrualEnd[i]!, sched.paymentDate[i]! - 1);
  const grid = timeGrid(asOf, [...new Set(dates)].sort((a, b) => a - b));
  const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 4000;
  const paths = simplePaths(model, market, grid, { nPaths, seed: 5 });
  const kernel = compileNettingSet([swap], { market, model, grid, nettingSetId: 'N' });
  const valueAt = (d: number): Float64Array => {
    const out = new Float64Array(nPaths);
    kernel.valueAt(d, paths, out);
    return out;
  };
  const P = (d: DateSerial) => Math.exp(-r * market.time(d));
  const Pp = (d: DateSerial) => Math.exp(-rProj * market.time(d));

  it('starts at today\'s price; E[V(t)/N(t)] = today\'s value of the flows paid after t (3 standard errors)', () => {
    const price = priceTrade(swap, market).npv;
    for (const v of valueAt(0)) expect(Math.abs(v - price)).toBeLessThan(1e-9 * N);
    let checked = 0;
    for (let d = 1; d < grid.dates.length; d++) {
      const { mean, se } = deflatedMean(kernel, paths, d);
      let expected = 0;
      for (let i = 0; i < sched.count; i++) {
        if (sched.paymentDate[i]! <= grid.dates[d]!) continue;
        const tau = (sched.accrualEnd[i]! - sched.accrualStart[i]!) / 360;
        const F = (Pp(sched.accrualStart[i]!) / Pp(sched.accrualEnd[i]!) - 1) / tau;
        expected += N * (F + 0.0007 - 0.036) * tau * P(sched.paymentDate[i]!);
      }
      expect(Math.abs(mean - expected), `date ${d}`).toBeLessThan(3 * se + 1e-9 * N);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(25);
  });

  it('path by path = the LGM bond formula: before the fixing, after it, and between the accrual end and the payment (1e-8 of N)', () => {
    const lgm = model.lgm('USD');
    const T = (d: DateSerial) => market.time(d);
    const bond = (t: number, m: number, x: number) => {
      const hT = lgm.H(m);
      const ht = lgm.H(t);
      return (lgm.discount(m) / lgm.discount(t)) * Math.exp(-(hT - ht) * x - 0.5 * (hT * hT - ht * ht) * lgm.zeta(t));
    };
    let checked = 0;
    for (let d = 1; d < grid.dates.length; d++) {
      const v = valueAt(d);
      const t = grid.times[d]!;
      for (let p = 0; p < nPaths; p += 97) {
        const x = paths.irState[0]![d * nPaths + p]!;
        let expected = 0;
        for (let i = 0; i < sched.count; i++) {
          const pay = sched.paymentDate[i]!;
          if (pay <= grid.dates[d]!) continue;
          const s = T(sched.accrualStart[i]!);
          const e = T(sched.accrualEnd[i]!);
          const pt = T(pay);
          const tau = (sched.accrualEnd[i]! - sched.accrualStart[i]!) / 360;
          const beta = (Pp(sched.accrualStart[i]!) / Pp(sched.accrualEnd[i]!)) * (P(sched.accrualEnd[i]!) / P(sched.accrualStart[i]!));
          const k = (lgm.H(e) - lgm.H(s)) * (lgm.H(e) - lgm.H(pt));
          // the fixing grid date: the accrual start is a grid date here
          const j = grid.dates.indexOf(sched.accrualStart[i]!);
          let index: number;
          if (d <= j) index = beta * bond(t, s, x) * bond(t, pt, x) / bond(t, e, x) * Math.exp(-k * lgm.zeta(t));
          else if (t < e) {
            // SOFR compounded in arrears, running: the growth accrued to t as x_j projects it, times the remaining
            // period's P(t,p)/P(t,e); the convexity k splits at t into the accrued part's (at ζ(t_j)) and the rest's (at ζ(t))
            const xj = paths.irState[0]![j * nPaths + p]!;
            const tj = grid.times[j]!;
            const hp = lgm.H(pt) - lgm.H(e);
            const convexity = Math.exp(hp * ((lgm.H(t) - lgm.H(s)) * lgm.zeta(tj) + (lgm.H(e) - lgm.H(t)) * lgm.zeta(t)));
            index = beta * (bond(tj, s, xj) / bond(tj, t, xj)) * (bond(t, pt, x) / bond(t, e, x)) * convexity;
          } else {
            const xj = paths.irState[0]![j * nPaths + p]!;
            const tj = grid.times[j]!;
            index = beta * (bond(tj, s, xj) / bond(tj, e, xj)) * Math.exp(-k * lgm.zeta(tj)) * bond(t, pt, x);
          }
          // pay fixed, receive SOFR + 7bp
          expected += N * (index - bond(t, pt, x) + (0.0007 - 0.036) * tau * bond(t, pt, x));
        }
        expect(Math.abs(v[p]! - expected), `date ${d} path ${p}`).toBeLessThan(1e-8 * N);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('a cross-currency swap paying late starts at today\'s price on every path', () => {
    const legs = { startDate: start, maturityDate: end, frequency: '3M' as const, dayCount: 'ACT/360' as const, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false, paymentLagDays: 2 };
    const xccy: CrossCurrencySwap = {
      tradeId: 'X', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'XCCY', direction: 'pay', initialExchange: true, finalExchange: true,
      leg1: { kind: 'float', currency: 'EUR', notional: N, floatIndex: 'EUR-ESTR', spreadBp: -10, ...legs },
      leg2: { kind: 'float', currency: 'USD', notional: N * 1.085, floatIndex: 'USD-SOFR', spreadBp: 0, ...legs },
    };
    const m2 = simpleModel(market, { currencies: ['USD', 'EUR'], hullWhite: { USD: hw, EUR: { ...hw, currency: 'EUR' } } });
    const paths2 = simplePaths(m2, market, grid, { nPaths: 50, seed: 2 });
    const k2 = compileNettingSet([xccy], { market, model: m2, grid, nettingSetId: 'N' });
    const out = new Float64Array(50);
    k2.valueAt(0, paths2, out);
    const price = priceTrade(xccy, market).npvBase;
    for (const x of out) expect(Math.abs(x - price)).toBeLessThan(1e-9 * N);
    // the last coupons are paid two business days after the last accrual end; the final exchange stays on it (ORE's
    // NotionalPaymentLag 0)
    const last = buildSchedule(xccy.leg1);
    expect(last.accrualEnd[last.count - 1]).toBe(fromYmd(2028, 9, 29)); // 2028-09-30 is a Saturday: modified following to Friday
    expect(last.paymentDate[last.count - 1]).toBe(fromYmd(2028, 10, 3)); // Monday, Tuesday
    expect(principalFlows(xccy.leg1, true, true).map((f) => f.date)).toEqual([start, fromYmd(2028, 9, 29)]);
  });
});

describe('payment_lag_days in the trades table', () => {
  const SMALL = path.resolve('test/data/small');
  function bookWith(label: string, extraTrades: Record<string, string>[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-lag-${label}-`));
    temps.push(dir);
    for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = [...lines[0]!.split(','), 'payment_lag_days', 'fx_reset'];
    lines[0] = header.join(',');
    for (let i = 1; i < lines.length; i++) lines[i] += ',,';
    for (const cells of extraTrades) lines.push(header.map((h) => cells[h] ?? '').join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return dir;
  }
  const oisRow = { counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'OIS', direction: 'pay', currency: 'USD', notional: '10000000', start_date: '2026-09-30', maturity_date: '2031-09-30', fixed_rate: '0.036', fixed_frequency: '1Y', fixed_day_count: 'ACT/360', float_index: 'USD-SOFR', float_frequency: '1Y', float_day_count: 'ACT/360', calendar: 'USNY', payment_lag_days: '2' };

  it('read onto both legs, written back only when a swap pays late and read again the same', async () => {
    const dir = bookWith('ok', [{ ...oisRow, trade_id: 'L2' }, { ...oisRow, trade_id: 'L0', payment_lag_days: '0' }]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    const l2 = book.trades.find((x) => x.tradeId === 'L2') as InterestRateSwap;
    expect([l2.fixedLeg.paymentLagDays, l2.floatLeg.paymentLagDays]).toEqual([2, 2]);
    expect((book.trades.find((x) => x.tradeId === 'L0') as InterestRateSwap).fixedLeg.paymentLagDays).toBeUndefined();
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-lag-again-'));
    temps.push(again);
    for (const [name, table] of Object.entries(portfolioTables(book))) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    expect(reread.trades.find((x) => x.tradeId === 'L2')).toEqual({ ...l2, sourceRow: reread.trades.find((x) => x.tradeId === 'L2')!.sourceRow });
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-lag-bare-'));
    temps.push(bare);
    writeTable(path.join(bare, 'trades.csv'), portfolioTables({ ...book, trades: book.trades.filter((x) => x.tradeId !== 'L2') }).trades!, 'csv');
    expect(fs.readFileSync(path.join(bare, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('payment_lag_days');
  });

  it('wrong cells: a fraction, a negative or too long lag, a swaption, a resetting leg: errors on the cell', async () => {
    const dir = bookWith('bad', [
      { ...oisRow, trade_id: 'B1', payment_lag_days: '1.5' },
      { ...oisRow, trade_id: 'B2', payment_lag_days: '-1' },
      { ...oisRow, trade_id: 'B3', payment_lag_days: '31' },
      { ...oisRow, trade_id: 'B4', product: 'SWAPTION', direction: 'buy', option_type: 'payer', expiry_date: '2026-09-28' },
      {
        trade_id: 'B5', counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'XCCY', direction: 'pay', currency: 'EUR', notional: '20000000', currency2: 'USD', notional2: '21500000',
        start_date: '2026-09-30', maturity_date: '2028-09-30', float_index: 'EUR-EURIBOR-3M', float_index2: 'USD-SOFR', float_frequency: '3M', float_day_count: 'ACT/360', fx_reset: 'leg2', payment_lag_days: '2',
      },
    ]);
    const issues = new IssueCollector();
    await loadPortfolio(dir, issues, { baseCurrency: 'USD' }).catch(() => undefined);
    const found = issues.issues.filter((i) => i.column === 'payment_lag_days' || i.column === 'fx_reset');
    for (const value of ['1.5', '-1', '31']) expect(found).toContainEqual(expect.objectContaining({ column: 'payment_lag_days', value, expected: expect.stringMatching(/whole number of business days from 0 to 30/) }));
    expect(found).toContainEqual(expect.objectContaining({ column: 'payment_lag_days', value: '2', expected: expect.stringMatching(/0 or blank for SWAPTION/) }));
    expect(found).toContainEqual(expect.objectContaining({ column: 'fx_reset', value: 'leg2', expected: expect.stringMatching(/payment_lag_days 0/) }));
  });
});
