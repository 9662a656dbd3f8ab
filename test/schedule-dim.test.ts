/**
 * The schedule IM projected (src/margin/scheduleDim.ts): the IM profile of an `im_model schedule` netting set, which
 * `xva margin --dim` reports with its MVA and `--dynamic-im` (and the optimiser's measure) holds and posts as a SIMM
 * set's DIM.
 *
 * References, each independent of the code under test:
 * - BCBS-IOSCO Appendix A written out in the test: at each exposure date the trades outstanding (end date after it),
 *   each notional times the multiplier of its asset class and residual maturity from that date (ACT/ACT, buckets
 *   [0,2), [2,5), [5,∞) years for rates; an amortising swap's notional outstanding then, products/amortization.ts),
 *   gross = their sum, NGR = max(Σ PV, 0)/Σ max(PV, 0) of today's values of
 *   those trades (negated for the IM posted; 1 where no PV is positive, as ORE), IM = 0.4·gross + 0.6·NGR·gross; 1e-12 relative (the same sums);
 * - today's schedule IM of `xva margin` (ORE's im_schedule case is the calculator's reference, schedule-im.test.ts):
 *   the profile's first date equals it exactly;
 * - the MVA summed in the test from the curves (as static-mva.test.ts);
 * - `xva margin --dim`, `--dynamic-im` (xva cva) and the optimiser's measure carry the same profile and MVA (1e-12),
 *   and the IM it holds lowers the set's CVA against the same paths without it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yearFraction } from '../src/conventions/dayCount.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { outstandingNotional } from '../src/products/amortization.js';
import { fromYmd } from '../src/conventions/dates.js';
import { writeTable } from '../src/io/write.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { scheduleCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { bookUniverse, dynamicInitialMargin } from '../src/margin/dim.js';
import { runMargin } from '../src/margin/run.js';
import { scheduleDimProfiles } from '../src/margin/scheduleDim.js';
import { XvaUsageError } from '../src/errors.js';
import { buildMeasureContext, measureBase } from '../src/optimize/measure/index.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { InterestRateSwap, Swaption } from '../src/products/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { exposureIndices } from '../src/simulation/grid.js';
import { runXva } from '../src/xva/run.js';
import { REPO_ROOT } from './helpers/paths.js';
import { plainNettingSet, sofrSwap } from './helpers/swapBook.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
let market: Market;
let dir: string;

/** A swap amortising linearly, a quarter of its notional a year (both legs). */
function amortising(swap: InterestRateSwap): InterestRateSwap {
  const amortization = { kind: 'linear' as const, frequency: '1Y' as const };
  return { ...swap, fixedLeg: { ...swap.fixedLeg, amortization }, floatLeg: { ...swap.floatLeg, amortization } };
}

/** A cash-settled payer swaption expiring 30 June 2028 into a swap to 2033: outstanding until its expiry only. */
function cashSwaption(): Swaption {
  const under = sofrSwap('SX', 'NS-S', 'CP-A', 6e7, 0.035, 7, 'pay');
  for (const leg of [under.fixedLeg, under.floatLeg]) leg.startDate = fromYmd(2028, 7, 5);
  return { tradeId: 'SX', counterpartyId: 'CP-A', nettingSetId: 'NS-S', cleared: false, product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'cash', expiryDate: fromYmd(2028, 6, 30), fixedLeg: under.fixedLeg, floatLeg: under.floatLeg };
}

/**
 * NS-S (schedule): a 7-year payer (crosses 5 years left after 2), a 3-year receiver, a 1-year payer and a 4-year
 * receiver amortising linearly (its schedule notional falls a quarter a year), a cash-settled swaption (gone at its
 * expiry, in the 5+ years bucket of its underlying until then); NS-N: no IM.
 */
function book(): Portfolio {
  return {
    trades: [
      sofrSwap('S7', 'NS-S', 'CP-A', 1e8, 0.03, 7, 'pay'),
      sofrSwap('S3', 'NS-S', 'CP-A', 6e7, 0.045, 3, 'receive'),
      sofrSwap('S1', 'NS-S', 'CP-A', 4e7, 0.05, 1, 'pay'),
      amortising(sofrSwap('SA', 'NS-S', 'CP-A', 8e7, 0.04, 4, 'receive')),
      cashSwaption(),
      sofrSwap('N5', 'NS-N', 'CP-B', 5e7, 0.035, 5, 'pay'),
    ],
    counterparties: [
      { counterpartyId: 'CP-A', name: 'A', sector: 'financial', rating: 'A', region: 'north_america', qccp: false },
      { counterpartyId: 'CP-B', name: 'B', sector: 'consumer', rating: 'BBB', region: 'north_america', qccp: false },
    ],
    nettingSets: [plainNettingSet('NS-S', 'CP-A', { imModel: 'schedule' }), plainNettingSet('NS-N', 'CP-B')],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

/** Appendix A by hand on `dates`: [collect, post] per date, from today's PVs and notionals of the trades (input rows). */
function byHand(portfolio: Portfolio, dates: ArrayLike<number>): [Float64Array, Float64Array] {
  const rows = scheduleCrifFromPortfolio(portfolio, market, ['NS-S']);
  const trades = [...new Set(rows.map((r) => r.tradeId))].map((id) => ({
    end: rows.find((r) => r.tradeId === id)!.endDate!,
    pv: rows.find((r) => r.tradeId === id && r.riskType === 'PV')!.amount,
    // the notional outstanding on a date (products/amortization.ts; USD trades): an amortising leg's falls; a
    // swaption's is its underlying's notional
    notional: (date: number) => {
      const trade = portfolio.trades.find((t) => t.tradeId === id)!;
      return trade.product === 'SWAPTION' ? trade.fixedLeg.notional : outstandingNotional((trade as InterestRateSwap).fixedLeg, date);
    },
    // outstanding until: a cash-settled swaption settles at its expiry
    until: (() => {
      const trade = portfolio.trades.find((t) => t.tradeId === id)!;
      return trade.product === 'SWAPTION' && trade.settlement === 'cash' ? trade.expiryDate : rows.find((r) => r.tradeId === id)!.endDate!;
    })(),
  }));
  expect(trades.find((x) => x.notional(fromYmd(2029, 8, 1)) < 8e7 * 0.3)).toBeDefined(); // SA: a quarter left
  const collect = new Float64Array(dates.length);
  const post = new Float64Array(dates.length);
  for (let k = 0; k < dates.length; k++) {
    const t = dates[k]!;
    const alive = trades.filter((x) => (k === 0 ? x.end >= t : x.until > t));
    let gross = 0;
    for (const x of alive) {
      const years = yearFraction('ACT/ACT', t, x.end);
      gross += x.notional(t) * (years < 2 ? 0.01 : years < 5 ? 0.02 : 0.04);
    }
    const ngr = (sign: number) => {
      const grossRc = alive.reduce((a, x) => a + Math.max(sign * x.pv, 0), 0);
      // no positive PV on the side: 0/0, taken as 1 (ORE's IMScheduleCalculator)
      return grossRc > 0 ? Math.max(alive.reduce((a, x) => a + sign * x.pv, 0), 0) / grossRc : 1;
    };
    collect[k] = alive.length === 0 ? 0 : 0.4 * gross + 0.6 * ngr(1) * gross;
    post[k] = alive.length === 0 ? 0 : 0.4 * gross + 0.6 * ngr(-1) * gross;
  }
  return [collect, post];
}

beforeAll(() => {
  market = loadMarket(MARKET_FILE);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-schedule-dim-'));
  for (const [name, table] of Object.entries(portfolioTables(book()))) writeTable(path.join(dir, `${name}.parquet`), table, 'parquet');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('xva margin --dim: the schedule IM projected, by hand', () => {
  it("Appendix A on every exposure date: today's schedule IM first, the 7-year swap's step down at 5 years left, the maturities; MVA from the posted side", async () => {
    const run = await runMargin({ portfolioDir: dir, marketFile: MARKET_FILE, usePortfolio: true, dim: { paths: 16, seed: 3 } });
    const profile = run.dim.find((d) => d.nettingSetId === 'NS-S')!;
    expect(profile.method).toBe('schedule');
    expect(run.dim.map((d) => d.nettingSetId)).toEqual(['NS-S']); // NS-N has no IM model
    const [collect, post] = byHand(book(), profile.dates);
    for (let k = 0; k < profile.dates.length; k++) {
      expect(Math.abs(profile.expectedImCollect[k]! - collect[k]!)).toBeLessThanOrEqual(1e-12 * collect[0]!);
      expect(Math.abs(profile.expectedImPost[k]! - post[k]!)).toBeLessThanOrEqual(1e-12 * post[0]!);
    }
    const entry = run.nettingSets.find((n) => n.nettingSetId === 'NS-S')!;
    expect(profile.expectedImCollect[0]).toBe(entry.scheduleCall);
    expect(profile.expectedImPost[0]).toBe(entry.schedulePost);
    // the shape: the 1-year swap leaves after a year, the 7-year one steps from 4% to 2% two years in, 0 after the end
    const at = (years: number) => profile.times.findIndex((t) => t >= years);
    expect(profile.expectedImCollect[at(1.5)]).toBeLessThan(profile.expectedImCollect[0]!);
    expect(profile.expectedImCollect[at(2.25)]!).toBeLessThan(profile.expectedImCollect[at(1.75)]!);
    expect(profile.expectedImCollect[profile.dates.length - 1]).toBe(0);
    expect(new Set(Array.from(profile.expectedImCollect)).size).toBeGreaterThan(5);
    // MVA of the posted side, summed here from the curves
    const curve = market.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'north_america' }).curve;
    const spread = (market.funding('USD').borrowSpreadBp - (market.funding('USD').initialMarginSpreadBp ?? 0)) * 1e-4;
    // the last interval ends at the 7-year swap's last payment (its schedule's: 2 July 2033 is a Saturday, adjusted)
    const schedule = buildSchedule((book().trades[0] as InterestRateSwap).fixedLeg);
    const end = market.time(schedule.paymentDate[schedule.count - 1]!);
    expect(end).toBeGreaterThan(market.time(fromYmd(2033, 7, 2)) - 3 / 365);
    let mva = 0;
    for (let k = 0; k + 1 < profile.times.length && profile.times[k]! < end; k++) {
      const t = profile.times[k]!;
      mva += spread * post[k]! * curve.survival(t) * (market.ownCredit?.survival(t) ?? 1) * market.discountCurve('USD').discount(t) * (Math.min(profile.times[k + 1]!, end) - t);
    }
    expect(Math.abs(profile.mva / mva - 1)).toBeLessThan(1e-12);
    expect(entry.mva).toBe(profile.mva);
    expect(entry.mvaSource).toBe('schedule');
    // the dates are the exposure dates of the book's grid (those xva margin --dim integrates the SIMM sets' DIM on)
    const grid = bookUniverse(book(), market, undefined, 16).grid;
    expect(Array.from(profile.dates)).toEqual(Array.from(exposureIndices(grid), (d) => grid.dates[d]!));
    expect(fromYmd(2033, 7, 2)).toBeLessThanOrEqual(profile.dates[profile.dates.length - 1]!);
  }, 60_000);
});

describe('the schedule IM held and posted: --dynamic-im and the optimiser measure it alike', () => {
  it('dynamicInitialMargin holds and posts the projected profile; xva cva --dynamic-im and measureBase agree on the CVA, and the MVA is margin --dim\'s', async () => {
    const options = { paths: 200, seed: 11, mporDays: 10 as const };
    const dim = await dynamicInitialMargin(book(), market, options);
    const margin = await runMargin({ portfolioDir: dir, marketFile: MARKET_FILE, usePortfolio: true, dim: { paths: 200, seed: 11 } });
    const profile = margin.dim.find((d) => d.nettingSetId === 'NS-S')!;
    const held = dim.initialMarginProfiles.get('NS-S')!;
    const posted = dim.postedInitialMarginProfiles.get('NS-S')!;
    expect(Array.from(held.dates)).toEqual(Array.from(profile.dates));
    expect(Array.from(held.amounts)).toEqual(Array.from(profile.expectedImCollect)); // base currency USD
    expect(Array.from(posted.amounts)).toEqual(Array.from(profile.expectedImPost));
    expect([...dim.initialMarginProfiles.keys()]).toEqual(['NS-S']);

    const xvaOptions = { portfolioDir: dir, marketFile: MARKET_FILE, paths: 200, seed: 11, grid: { kind: 'default' } as const, threads: 1, xva: { discretisation: 'mid' as const, mode: 'bilateral' as const }, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [] };
    const withIm = await runXva({ ...xvaOptions, dynamicIm: { mporDays: 10 } });
    const without = await runXva(xvaOptions);
    const set = (r: typeof withIm, id: string) => r.result.nettingSets.find((n) => n.nettingSetId === id)!;
    expect(set(withIm, 'NS-S').cva).toBeLessThan(0.9 * set(without, 'NS-S').cva); // the IM held lowers the CVA
    expect(set(withIm, 'NS-S').dva).toBeLessThan(set(without, 'NS-S').dva); // the IM posted lowers the DVA
    // IM held funds nothing: the same FCA (to rounding: the EPE after VM only comes from another kernel pass with IM)
    expect(Math.abs(set(withIm, 'NS-S').fca / set(without, 'NS-S').fca - 1)).toBeLessThan(1e-12);
    expect(set(withIm, 'NS-N').cva).toBe(set(without, 'NS-N').cva); // no IM model: untouched

    const ctx = buildMeasureContext({ portfolio: book(), market, paths: 200, seed: 11, dynamicIm: { mporDays: 10 }, xva: xvaOptions.xva });
    const m = await measureBase(ctx);
    for (const f of ['cva', 'dva', 'fca', 'fba'] as const) expect(Math.abs(m.sets.get('NS-S')![f] - set(withIm, 'NS-S')[f])).toBeLessThanOrEqual(1e-9 * Math.abs(set(without, 'NS-S')[f]));
    expect(Math.abs(m.sets.get('NS-S')!.mva / profile.mva - 1)).toBeLessThan(1e-12);
  }, 120_000);
});

describe('outstanding until the last payment', () => {
  it("a swap whose end date is a Sunday holds its schedule IM on that date (its last payment is the Monday after, where the engine still values it), 0 from the payment on", () => {
    // sofrSwap's 2-year swap ends on Sunday 2 July 2028 (modified following: paid Monday 3 July)
    const single: Portfolio = { ...book(), trades: [sofrSwap('W2', 'NS-S', 'CP-A', 1e8, 0.03, 2, 'pay')], nettingSets: [plainNettingSet('NS-S', 'CP-A', { imModel: 'schedule' })] };
    const dates = [market.asOf, fromYmd(2028, 6, 30), fromYmd(2028, 7, 2), fromYmd(2028, 7, 3)];
    const [profile] = scheduleDimProfiles(single, market, ['NS-S'], dates, () => undefined);
    const im = (k: number) => profile!.expectedImCollect[k]! + profile!.expectedImPost[k]!;
    expect(im(1)).toBeGreaterThan(0);
    // the same trade outstanding, in the same residual-maturity bucket, with today's PV: the same IM (it was 0)
    expect(im(2)).toBe(im(1));
    expect(im(3)).toBe(0);
  });
});

describe('a market without a USD rate', () => {
  it('the schedule, computed in USD, is refused as a usage error naming the set, not an internal error', () => {
    // the demo market with its USD rates taken away (a proxy: every other figure as it is)
    const noUsd = new Proxy(market, {
      get(target, key) {
        if (key === 'fxSpot') {
          return (a: string, b: string) => {
            if (a === 'USD' || b === 'USD') throw new Error('market has no FX rate for USD');
            return target.fxSpot(a as never, b as never);
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const error = (() => {
      try {
        scheduleDimProfiles(book(), noUsd, ['NS-S'], [market.asOf, market.asOf + 30], () => undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(XvaUsageError);
    expect((error as Error).message).toContain('the schedule IM of netting set NS-S is computed in USD, and the market has no FX rate between USD and its base currency USD');
  });
});
