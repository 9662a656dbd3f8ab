/**
 * Mark-to-market (resetting) cross-currency swaps (`fx_reset`: pricing/mtmXccy.ts, exposure/valuation/fxReset.ts).
 * References independent of the code under test:
 * - today's price by hand from the demo market's curves as deposits: each period of the resetting leg pays N_i at its
 *   start and receives N_i·(1 + (L_i + spread)·τ_i) at its end, N_i the FX forward N_C·X₀·P_C(s_i)/P_U(s_i) for a
 *   reset after today (an FX rate fixed at s_i is worth its forward), the trade's notional for the first period and
 *   N_C times the market's FX fixing for a reset on or before today; the schedule is written out here (quarterly,
 *   unadjusted, ACT/360);
 * - on the engine's cross-asset paths of the demo model: the value starts at today's price on every path, and the
 *   deflated value E[V(t)/N(t)] equals today's value of the flows paid after t (by hand as above: an outlay counts
 *   while its start is after t, a repayment and coupon while its end is), within 3 standard errors of the mean, at
 *   dates on, between and just after the resets;
 * - path by path, for a GBP fixed leg against a resetting EUR leg with a spread (neither the base currency): the value
 *   written here from the LGM bond formula P(t,T|x) = P(0,T)/P(0,t)·e^{−(H(T)−H(t))x − ½(H(T)²−H(t)²)ζ(t)} and the
 *   paths' FX levels, before the reset (the forward part in GBP), on it and after it (the notional N_C·X(s) fixed on the
 *   path; and, where no grid date falls on the reset, the forward to s seen at the grid date before it);
 * - the day after a reset the swap's values spread a tenth of the non-resetting swap's, or less (one day of FX risk
 *   against the whole time since the start).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { factorNeeds } from '../src/exposure/engine.js';
import { valuationModelOf } from '../src/exposure/modelView.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import { deviceTableSources } from '../src/exposure/valuation/compile.js';
import { writeTable } from '../src/io/write.js';
import type { Market } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { priceTrade } from '../src/pricing/index.js';
import { resetsWithoutFixing } from '../src/pricing/mtmXccy.js';
import type { CrossCurrencySwap, FloatLeg } from '../src/products/types.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { deflatedMean } from './helpers/deflated.js';
import { timeGrid } from './helpers/simpleModel.js';

const DEMO = path.resolve('fixtures/demo');
const NC = 20_000_000; // EUR, the constant leg
const NU0 = 21_500_000; // USD, the resetting leg's first period
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

let market: Market;
beforeAll(async () => {
  ({ market } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

const asOf = fromYmd(2026, 6, 30);
const common = (start: DateSerial, end: DateSerial) => ({ startDate: start, maturityDate: end, frequency: '3M' as const, dayCount: 'ACT/360' as const, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false });
/** EUR 3M EURIBOR + 10bp against USD SOFR (+ `spreadBp`) resetting; pay = pay EUR, receive USD. */
function mtm(start: DateSerial, end: DateSerial, over: { spreadBp?: number; direction?: 'pay' | 'receive'; tradeId?: string } = {}): CrossCurrencySwap {
  const eur: FloatLeg = { kind: 'float', currency: 'EUR', notional: NC, floatIndex: 'EUR-EURIBOR-3M', spreadBp: 10, ...common(start, end) };
  const usd: FloatLeg = { kind: 'float', currency: 'USD', notional: NU0, floatIndex: 'USD-SOFR', spreadBp: over.spreadBp ?? 0, ...common(start, end) };
  return {
    tradeId: over.tradeId ?? 'M', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'XCCY', direction: over.direction ?? 'pay',
    leg1: eur, leg2: usd, initialExchange: true, finalExchange: true, fxReset: 'leg2',
  };
}

/** The market with FX fixings `FX-EUR-USD` on the given dates. */
function withFxFixings(m: Market, fixings: Map<DateSerial, number>): Market {
  return new Proxy(m, {
    get(target, key, receiver) {
      if (key === 'fxFixing') {
        return (b: string, q: string, d: DateSerial) => (b === 'EUR' && q === 'USD' ? fixings.get(d) : b === 'USD' && q === 'EUR' && fixings.has(d) ? 1 / fixings.get(d)! : target.fxFixing(b as never, q as never, d));
      }
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/**
 * Today's value in USD of the swap's flows paid after `afterTime` (years; −1: all), by hand: the periods (quarterly from
 * `start`, unadjusted) as deposits, the EUR leg's coupons and exchanges at the forward, converted at spot.
 */
function byHand(m: Market, trade: CrossCurrencySwap, start: DateSerial, periods: number, fixings: Map<DateSerial, number> = new Map(), afterTime = -1, collateral?: 'USD'): number {
  const pU = m.discountCurve('USD');
  // under USD collateral (the engine's base: its EUR curve) EUR flows discount on EUR collateralised in USD
  const pC = collateral ? m.collateralDiscountCurve('EUR', collateral) : m.discountCurve('EUR');
  const sofr = m.projectionCurve('USD-SOFR');
  const euribor = m.projectionCurve('EUR-EURIBOR-3M');
  const x0 = m.fxSpot('EUR', 'USD');
  const t = (d: DateSerial) => m.time(d);
  const sign = trade.direction === 'pay' ? 1 : -1; // +1: USD received, EUR paid
  const spreadU = trade.leg2.kind === 'float' ? trade.leg2.spreadBp / 1e4 : 0;
  let usd = 0;
  let eur = 0;
  for (let i = 0; i < periods; i++) {
    const s = addMonths(start, 3 * i);
    const e = addMonths(start, 3 * (i + 1));
    if (e <= asOf) continue;
    const tau = (e - s) / 360;
    const ts = t(s);
    const te = t(e);
    // USD: the notional and the forward SOFR (a period started today or later)
    const lU = ts >= 0 ? (sofr.discount(ts) / sofr.discount(te) - 1) / tau : (sofr.discount(0) / sofr.discount(te - ts) - 1) / tau;
    const outlayCounts = s > asOf && ts > afterTime;
    const restCounts = te > afterTime;
    if (i === 0 || s <= asOf) {
      const n = i === 0 ? NU0 : NC * (fixings.get(s) ?? x0);
      if (outlayCounts) usd -= n * pU.discount(ts);
      if (restCounts) usd += n * (1 + (lU + spreadU) * tau) * pU.discount(te);
    } else {
      // N_C·F(0, s) U at s is N_C EUR at s; the rest N_C·F(0, s)·(1 + (L + sp)τ)·P_U(e)
      const forward = (x0 * pC.discount(ts)) / pU.discount(ts);
      if (outlayCounts) eur -= NC * pC.discount(ts);
      if (restCounts) usd += NC * forward * (1 + (lU + spreadU) * tau) * pU.discount(te);
    }
    // EUR: EURIBOR 3M + 10bp on N_C, the exchanges
    const lC = ts >= 0 ? (euribor.discount(ts) / euribor.discount(te) - 1) / tau : (euribor.discount(0) / euribor.discount(te - ts) - 1) / tau;
    if (restCounts) eur -= NC * (lC + 0.001) * tau * pC.discount(te);
    if (i === 0 && outlayCounts) eur += NC * pC.discount(ts);
    if (i === periods - 1 && restCounts) eur -= NC * pC.discount(te);
  }
  return sign * (usd + eur * x0);
}

describe('resetting cross-currency swaps today', () => {
  it('forward-starting: the periods as deposits on FX-forward notionals, by hand (1e-9 of the notional), either side', () => {
    const start = fromYmd(2026, 12, 31);
    const end = addMonths(start, 36);
    for (const direction of ['pay', 'receive'] as const) {
      for (const spreadBp of [0, -12]) {
        const trade = mtm(start, end, { direction, spreadBp });
        expect(Math.abs(priceTrade(trade, market).npv - byHand(market, trade, start, 12)), `${direction} ${spreadBp}`).toBeLessThan(1e-9 * NU0);
      }
    }
  });

  it('seasoned: a reset today takes today\'s FX fixing (else the spot); one before today its fixing, else the spot, listed', () => {
    // started three months ago: the second period resets today
    const start = addMonths(asOf, -3);
    const end = addMonths(start, 24);
    const trade = mtm(start, end);
    const fixings = new Map([[asOf, 1.0912]]);
    const m = withFxFixings(market, fixings);
    expect(Math.abs(priceTrade(trade, m).npv - byHand(m, trade, start, 8, fixings))).toBeLessThan(1e-9 * NU0);
    expect(Math.abs(priceTrade(trade, market).npv - byHand(market, trade, start, 8))).toBeLessThan(1e-9 * NU0);
    expect(Math.abs(priceTrade(trade, m).npv - priceTrade(trade, market).npv)).toBeGreaterThan(1e-3 * NU0 * 0.006);
    expect(resetsWithoutFixing(trade, market)).toEqual([]); // today's reset at the spot is no approximation
    // started seven months ago: the third period reset a month ago
    const older = addMonths(asOf, -7);
    const seasoned = mtm(older, addMonths(older, 24), { tradeId: 'S' });
    const lastReset = addMonths(older, 6);
    expect(resetsWithoutFixing(seasoned, market)).toEqual([addMonths(older, 3), lastReset].filter((d) => d > addMonths(older, 3) - 1).slice(-1));
    expect(resetsWithoutFixing(seasoned, withFxFixings(market, new Map([[lastReset, 1.07]])))).toEqual([]);
  });
});

describe('resetting cross-currency swaps on the engine\'s paths', () => {
  const start = fromYmd(2026, 9, 30);
  const periods = 8;
  const end = addMonths(start, 3 * periods);
  const trade = mtm(start, end);
  const spread = mtm(start, end, { spreadBp: 25, tradeId: 'SP' });
  // on resets, a day after, between (45 days in), and a week before each payment
  const dates: DateSerial[] = [fromYmd(2026, 8, 14)];
  for (let i = 0; i < periods; i++) {
    const s = addMonths(start, 3 * i);
    dates.push(s, s + 1, s + 45, addMonths(start, 3 * (i + 1)) - 7);
  }
  const nPaths = 4000;
  let paths: ReturnType<typeof simulatePaths>;
  let kernels: ReturnType<typeof compileNettingSet>[];
  const grid = timeGrid(asOf, [...new Set(dates)].sort((a, b) => a - b));
  beforeAll(() => {
    const layout = buildFactorLayout(market, factorNeeds([trade]));
    const model = buildCrossAssetModel(market, layout);
    paths = simulatePaths(model, grid, 17, 0, nPaths, {});
    const view = valuationModelOf(model);
    kernels = [trade, spread].map((t) => compileNettingSet([t], { market, model: view, grid, nettingSetId: 'N' }));
  });

  it('starts at today\'s price on every path and has no device form (the GPU backend values its set on the host)', () => {
    [trade, spread].forEach((t, k) => {
      const v = new Float64Array(nPaths);
      kernels[k]!.valueAt(0, paths, v);
      // the kernels are compiled without a collateral currency: the model's curves, collateralised in USD (the base)
      const price = priceTrade(t, market, { collateralCurrency: 'USD' }).npvBase;
      for (const x of v) expect(Math.abs(x - price)).toBeLessThan(1e-9 * NU0);
      expect(deviceTableSources(kernels[k]!, 1, paths)).toBeUndefined();
    });
  });

  it('E[V(t)/N(t)] = today\'s value of the flows paid after t (3 standard errors), on, between and after the resets', () => {
    let checked = 0;
    for (const [k, t] of [trade, spread].entries()) {
      for (let d = 1; d < grid.dates.length; d++) {
        const { mean, se } = deflatedMean(kernels[k]!, paths, d);
        const expected = byHand(market, t, start, periods, new Map(), grid.times[d]!, 'USD') * market.fxSpot('USD', market.baseCurrency);
        // with a spread on the resetting leg the notional and U's rates are taken as independent (pricing/mtmXccy.ts):
        // a quanto term of about τ·spread·σ_X·σ_r·ρ·t² of N, well inside the error here
        expect(Math.abs(mean - expected), `${t.tradeId} date ${d}`).toBeLessThan(3 * se + 1e-9 * NU0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('carries the FX risk of one period: the day after a reset its values spread a tenth of the non-resetting swap\'s, or less', () => {
    const plain: CrossCurrencySwap = { ...trade, tradeId: 'P' };
    delete plain.fxReset;
    const kPlain = compileNettingSet([plain], { market, model: valuationModelOf(buildCrossAssetModel(market, buildFactorLayout(market, factorNeeds([plain])))), grid, nettingSetId: 'N' });
    const spreadOf = (k: ReturnType<typeof compileNettingSet>, d: number): number => {
      const v = new Float64Array(nPaths);
      k.valueAt(d, paths, v);
      const mean = v.reduce((a, b) => a + b, 0) / nPaths;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / nPaths);
    };
    let checked = 0;
    for (let i = 2; i < periods; i++) {
      // by hand: N_C·X·σ_X·√(1/365) for one day of FX against N_C·X·σ_X·√t since the start: below a tenth from t = 0.5y
      const d = grid.dates.indexOf(addMonths(start, 3 * i) + 1);
      expect(spreadOf(kernels[0]!, d), `day after reset ${i}`).toBeLessThan(0.1 * spreadOf(kPlain, d));
      checked++;
    }
    expect(checked).toBe(periods - 2);
  });
});

describe('fx_reset in the trades table', () => {
  const SMALL = path.resolve('test/data/small');
  /** A copy of the small test book with extra trades rows. */
  function bookWith(label: string, extraTrades: Record<string, string>[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-mtm-${label}-`));
    temps.push(dir);
    for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = [...lines[0]!.split(','), 'fx_reset'];
    lines[0] = header.join(',');
    for (let i = 1; i < lines.length; i++) lines[i] += ',';
    for (const cells of extraTrades) lines.push(header.map((h) => cells[h] ?? '').join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return dir;
  }
  const xccyRow = {
    counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'XCCY', direction: 'pay', currency: 'EUR', notional: '20000000', currency2: 'USD', notional2: '21500000',
    start_date: '2026-09-30', maturity_date: '2028-09-30', float_index: 'EUR-EURIBOR-3M', float_spread_bp: '10', float_index2: 'USD-SOFR', float_frequency: '3M', float_day_count: 'ACT/360',
    notional_exchange: 'both', fx_reset: 'leg2',
  };

  it('reads leg1/leg2, written back only when a swap resets and read again the same', async () => {
    const dir = bookWith('ok', [{ ...xccyRow, trade_id: 'M2' }, { ...xccyRow, trade_id: 'M1', fx_reset: 'leg1' }, { ...xccyRow, trade_id: 'M0', fx_reset: '' }]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    const find = (id: string) => book.trades.find((x) => x.tradeId === id) as CrossCurrencySwap;
    expect(['M2', 'M1', 'M0'].map((id) => find(id).fxReset)).toEqual(['leg2', 'leg1', undefined]);
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-mtm-again-'));
    temps.push(again);
    for (const [name, table] of Object.entries(portfolioTables(book))) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    expect(fs.readFileSync(path.join(again, 'trades.csv'), 'utf8').split('\n')[0]).toContain('fx_reset');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    for (const id of ['M2', 'M1', 'M0']) expect(reread.trades.find((x) => x.tradeId === id)).toEqual({ ...find(id), sourceRow: reread.trades.find((x) => x.tradeId === id)!.sourceRow });
    // a book without a resetting swap writes no such column
    const plain = portfolioTables({ ...book, trades: book.trades.filter((x) => x.tradeId !== 'M2' && x.tradeId !== 'M1') });
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-mtm-bare-'));
    temps.push(bare);
    writeTable(path.join(bare, 'trades.csv'), plain.trades!, 'csv');
    expect(fs.readFileSync(path.join(bare, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('fx_reset');
  });

  it('wrong cells: errors naming the row, column, value and what was expected; the trade is left out', async () => {
    const dir = bookWith('bad', [
      { ...xccyRow, trade_id: 'B1', fx_reset: 'leg3' },
      { ...xccyRow, trade_id: 'B2', float_index2: '', fixed_rate2: '0.04' },
      { ...xccyRow, trade_id: 'B3', notional_exchange: 'final' },
      { ...xccyRow, trade_id: 'B4', product: 'IRS', fixed_rate: '0.03', fixed_frequency: '1Y', fixed_day_count: '30/360', float_index: 'EUR-EURIBOR-6M', fx_reset: 'leg1' },
    ]);
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' }).catch(() => undefined);
    const found = issues.issues.filter((i) => i.column === 'fx_reset');
    expect(found).toContainEqual(expect.objectContaining({ column: 'fx_reset', value: 'leg3' }));
    expect(found).toContainEqual(expect.objectContaining({ value: 'leg2', expected: expect.stringMatching(/is fixed/) }));
    expect(found).toContainEqual(expect.objectContaining({ value: 'leg2', expected: expect.stringMatching(/notional_exchange both, not final/) }));
    expect(found).toContainEqual(expect.objectContaining({ value: 'leg1', expected: expect.stringMatching(/blank for IRS: notional resets are supported for XCCY only/) }));
    if (book) for (const id of ['B1', 'B2', 'B3']) expect(book.trades.find((x) => x.tradeId === id)).toBeUndefined();
  });
});

describe('resetting cross-currency swaps path by path (GBP fixed against EUR resetting, neither the base currency)', () => {
  const s0 = fromYmd(2026, 9, 30);
  const s1 = fromYmd(2026, 12, 31);
  const e1 = fromYmd(2027, 3, 31);
  const K = 0.041;
  const spreadBp = 15;
  const gbp = { kind: 'fixed' as const, currency: 'GBP' as const, notional: NC, fixedRate: K, ...common(s0, e1), dayCount: 'ACT/365F' as const };
  const eur: FloatLeg = { kind: 'float', currency: 'EUR', notional: 23_400_000, floatIndex: 'EUR-EURIBOR-3M', spreadBp, ...common(s0, e1) };
  const trade: CrossCurrencySwap = { tradeId: 'G', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'XCCY', direction: 'pay', leg1: gbp, leg2: eur, initialExchange: true, finalExchange: true, fxReset: 'leg2' };
  const nPaths = 500;

  for (const onReset of [true, false]) {
    it(onReset ? 'with a grid date on the reset: = the formulas before, on and after it (1e-7 of the notional)' : 'without one: the notional is the FX forward to the reset seen at the grid date before it', () => {
      const before = s1 - 20;
      const later = onReset ? [s0, before, s1, s1 + 1, s1 + 45] : [s0, before, s1 + 1, s1 + 45];
      const grid = timeGrid(asOf, later);
      const layout = buildFactorLayout(market, factorNeeds([trade]));
      const model = buildCrossAssetModel(market, layout);
      const paths = simulatePaths(model, grid, 3, 0, nPaths, {});
      const view = valuationModelOf(model);
      const kernel = compileNettingSet([trade], { market, model: view, grid, nettingSetId: 'N' });
      const lgmC = view.lgm('GBP');
      const lgmU = view.lgm('EUR');
      const iC = layout.currencies.indexOf('GBP');
      const iU = layout.currencies.indexOf('EUR');
      const fC = layout.fxCurrencies.indexOf('GBP');
      const fU = layout.fxCurrencies.indexOf('EUR');
      const bond = (m: typeof lgmC, t: number, T: number, x: number) => {
        const hT = m.H(T);
        const ht = m.H(t);
        return (m.discount(T) / m.discount(t)) * Math.exp(-(hT - ht) * x - 0.5 * (hT * hT - ht * ht) * m.zeta(t));
      };
      const proj = market.projectionCurve('EUR-EURIBOR-3M');
      const T = (d: DateSerial) => market.time(d);
      const beta = (a: number, b: number) => (proj.discount(a) / proj.discount(b)) * (lgmU.discount(b) / lgmU.discount(a));
      const tau0 = (s1 - s0) / 360;
      const tau1 = (e1 - s1) / 360;
      const sp = spreadBp / 1e4;
      const j0 = grid.dates.indexOf(s0);
      const j1 = onReset ? grid.dates.indexOf(s1) : grid.dates.indexOf(before);
      const v = new Float64Array(nPaths);
      for (let d = 2; d < grid.dates.length; d++) {
        kernel.valueAt(d, paths, v);
        const t = grid.times[d]!;
        for (let p = 0; p < nPaths; p++) {
          const at = (k: number) => k * nPaths + p;
          const xC = paths.irState[iC]![at(d)]!;
          const xU = paths.irState[iU]![at(d)]!;
          const XC = Math.exp(paths.fxLog[fC]![at(d)]!);
          const XU = Math.exp(paths.fxLog[fU]![at(d)]!);
          // the GBP leg paid: the coupons and the final exchange still to come
          let gbpLeg = NC * (K * (e1 - s1) / 365 + 1) * bond(lgmC, t, T(e1), xC);
          if (grid.dates[d]! < s1) gbpLeg += NC * K * ((s1 - s0) / 365) * bond(lgmC, t, T(s1), xC);
          let eurLeg = 0;
          if (grid.dates[d]! < s1) {
            // period 0 fixed at s0 on its own notional, paid at s1
            const x0 = paths.irState[iU]![at(j0)]!;
            eurLeg += eur.notional * (beta(T(s0), T(s1)) / bond(lgmU, T(s0), T(s1), x0) + tau0 * sp) * bond(lgmU, t, T(s1), xU) * XU;
          }
          if (d <= j1) {
            // period 1 before its reset, in GBP: N_C·P_C(t, s1)·(β − 1 + τ·sp·P_U(t, e1)/P_U(t, s1)), the outlay only while t < s1
            const outlay = grid.dates[d]! < s1 ? NC * bond(lgmC, t, T(s1), xC) : 0;
            eurLeg += (NC * bond(lgmC, t, T(s1), xC) * (beta(T(s1), T(e1)) + tau1 * sp * bond(lgmU, t, T(e1), xU) / bond(lgmU, t, T(s1), xU)) - outlay) * XC;
          } else {
            // reset at t_j: the notional N_C·X_{GBP→EUR}(t_j)·P_C(t_j, s1)/P_U(t_j, s1) (X(s1) itself on the reset)
            const tj = grid.times[j1]!;
            const xCj = paths.irState[iC]![at(j1)]!;
            const xUj = paths.irState[iU]![at(j1)]!;
            const Xj = Math.exp(paths.fxLog[fC]![at(j1)]! - paths.fxLog[fU]![at(j1)]!);
            const F = (Xj * bond(lgmC, tj, T(s1), xCj)) / bond(lgmU, tj, T(s1), xUj);
            const fixedRate = beta(T(s1), T(e1)) * bond(lgmU, tj, T(s1), xUj) / bond(lgmU, tj, T(e1), xUj);
            eurLeg += NC * F * (fixedRate + tau1 * sp) * bond(lgmU, t, T(e1), xU) * XU;
            if (grid.dates[d]! < s1) eurLeg -= NC * bond(lgmC, t, T(s1), xC) * XC; // the outlay of N_C·X(s1), still to come
          }
          const expected = eurLeg - gbpLeg * XC;
          expect(Math.abs(v[p]! - expected), `date ${d} path ${p}`).toBeLessThan(1e-7 * NC);
        }
      }
    });
  }
});

describe('SA-CCR of a resetting swap (xva\'s reading, docs/capital.md)', () => {
  it('an IR position per leg on the current notional, and one FX exchange: the current period\'s end, not the maturity', async () => {
    const { tradePositions, mappingContext } = await import('../src/capital/saccr/mapping.js');
    const ctx = mappingContext(market, [], {}, 'trades.csv');
    // seasoned: the second period reset today at the fixing 1.0912; the first was 21.5m USD
    const start = addMonths(asOf, -3);
    const trade = mtm(start, addMonths(start, 24));
    const m = withFxFixings(market, new Map([[asOf, 1.0912]]));
    const positions = tradePositions(trade, { ...ctx, market: m });
    const fx = positions.filter((p) => p.assetClass === 'FX');
    expect(fx.map((p) => p.component)).toEqual(['fx_reset']);
    // the exchange that ends the current period (2026-09-30): N_C EUR against N_C·1.0912 USD; CRE52.35: the foreign
    // (EUR) leg at today's spot in the base currency USD
    expect(fx[0]!.maturityYears).toBeCloseTo((addMonths(asOf, 3) - asOf) / 365, 10);
    expect(fx[0]!.notionalBase).toBeCloseTo(NC * m.fxSpot('EUR', 'USD'), 4);
    const usdLeg = positions.find((p) => p.assetClass === 'IR' && p.component === 'leg2')!;
    const plain = { ...trade, leg2: { ...trade.leg2, notional: NC * 1.0912 } };
    delete plain.fxReset;
    const plainLeg = tradePositions(plain, { ...ctx, market: m }).find((p) => p.assetClass === 'IR' && p.component === 'leg2')!;
    expect(usdLeg.notionalBase).toBeCloseTo(plainLeg.notionalBase, 6);
    expect(usdLeg.notionalBase).toBeCloseTo(NC * 1.0912, 4);
    // the non-resetting swap's FX exchange is at the maturity on the booked notionals
    const plainFx = tradePositions({ ...trade, fxReset: undefined }, ctx).filter((p) => p.assetClass === 'FX');
    expect(plainFx.map((p) => p.component)).toEqual(['fx_final']);
    expect(plainFx[0]!.maturityYears).toBeGreaterThan(1.7);
  });
});

describe('FX fixings in the market file (fixings FX-<CCY>-<CCY>)', () => {
  it('reads a pair and its inverse by date; an unknown or repeated currency or a rate ≤ 0 is an error naming the entry', async () => {
    const { parseMarket } = await import('../src/market/load.js');
    const { marketLoadError } = await import('./helpers/marketView.js');
    const text = fs.readFileSync(path.join(DEMO, 'market.yaml'), 'utf8');
    const m = parseMarket(`${text}\nfixings:\n  FX-EUR-USD:\n    - { date: 2026-03-31, rate: 1.0832 }\n  FX-JPY-GBP:\n    - { date: 2026-03-31, rate: 0.0052 }\n`, 'fx.yaml');
    expect(m.fxFixing('EUR', 'USD', fromYmd(2026, 3, 31))).toBe(1.0832);
    expect(m.fxFixing('USD', 'EUR', fromYmd(2026, 3, 31))).toBe(1 / 1.0832);
    expect(m.fxFixing('GBP', 'JPY', fromYmd(2026, 3, 31))).toBe(1 / 0.0052);
    expect(m.fxFixing('EUR', 'USD', fromYmd(2026, 4, 1))).toBeUndefined();
    const bad = marketLoadError(`${text}\nfixings:\n  FX-EUR-EUR:\n    - { date: 2026-03-31, rate: 1 }\n  FX-EUR-SEK:\n    - { date: 2026-03-31, rate: 11.2 }\n  FX-GBP-USD:\n    - { date: 2026-03-31, rate: -1.27 }\n`);
    expect(bad).toMatch(/fixings\.FX-EUR-EUR[\s\S]*two different currencies/);
    expect(bad).toMatch(/fixings\.FX-EUR-SEK[\s\S]*SEK is not/);
    expect(bad).toMatch(/fixings\.FX-GBP-USD\[0\]\.rate[\s\S]*positive FX rate \(units of USD per GBP\)/);
  });
});
