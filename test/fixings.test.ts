/**
 * Past fixings of term indices (market file `fixings`, docs/market.md): a floating coupon whose period began on or
 * before the as-of date takes its index's fixing on the period's start instead of today's forward over the same
 * length. References by hand: the coupon N·τ·(L + s)·P(0, e) of the running period, the rest of the swap unchanged.
 */
import { describe, expect, it } from 'vitest';
import { addMonths, fromYmd, toIsoDate, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { runSimulation } from '../src/exposure/engine.js';
import { parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { tradeSensitivities } from '../src/margin/sensitivities/trade.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { priceTrade } from '../src/pricing/index.js';
import type { CapFloor, FloatLeg, InterestRateSwap } from '../src/products/types.js';
import { USD_MARKET, marketLoadError } from './helpers/marketView.js';

const AS_OF = fromYmd(2026, 6, 15);
const N = 10_000_000;
const RUNNING_START = fromYmd(2026, 3, 16);
const FIXINGS = `
rates:
  USD:
    hullWhite: { meanReversion: 0.03, sigma: 0.01 }
fixings:
  USD-LIBOR-6M:
    - { date: 2025-12-15, rate: 0.0480 }
    - { date: 2026-03-16, rate: 0.0466 }
    - { date: 2026-06-15, rate: 0.0451 }
`;
const withFixings = parseMarket(USD_MARKET + FIXINGS, 'fixings.yaml');
const without = parseMarket(USD_MARKET + FIXINGS.slice(0, FIXINGS.indexOf('fixings:')), 'no-fixings.yaml');

function libor(start: DateSerial, months: number, spreadBp = 0): FloatLeg {
  return {
    kind: 'float', currency: 'USD', notional: N, floatIndex: 'USD-LIBOR-6M', spreadBp, frequency: '6M', dayCount: 'ACT/360',
    startDate: start, maturityDate: addMonths(start, months), businessDayConvention: 'U', stub: 'short_front', endOfMonth: false,
  };
}

function payer(tradeId: string, floatLeg: FloatLeg): InterestRateSwap {
  return {
    tradeId, counterpartyId: 'CP', nettingSetId: 'NS', cleared: false, product: 'IRS', direction: 'pay',
    fixedLeg: { ...floatLeg, kind: 'fixed', fixedRate: 0.04, frequency: '6M', dayCount: 'ACT/360' } as unknown as InterestRateSwap['fixedLeg'],
    floatLeg,
  };
}

/** Today's forward over a period of the running period's length from today (what the pricer takes without a fixing). */
function forwardFromToday(m: Market, s: DateSerial, e: DateSerial): number {
  const proj = m.projectionCurve('USD-LIBOR-6M');
  const tau = yearFraction('ACT/360', s, e);
  return (1 / proj.discount(m.time(e) - m.time(s)) - 1) / tau;
}

describe('the fixings section of the market file', () => {
  it('reads term-index fixings by date; an unknown or overnight index, a future date or a date twice is an error naming the entry', () => {
    expect(withFixings.fixing('USD-LIBOR-6M', RUNNING_START)).toBe(0.0466);
    expect(withFixings.fixing('USD-LIBOR-6M', fromYmd(2026, 3, 17))).toBeUndefined();
    const bad = `
fixings:
  USD-LIBOR-3M:
    - { date: 2026-03-16, rate: 0.0466 }
  USD-LIBOR-6M:
    - { date: 2026-03-16, rate: 0.0466 }
    - { date: 2026-03-16, rate: 0.0470 }
    - { date: 2026-07-01, rate: 0.0470 }
`;
    const text = marketLoadError(USD_MARKET + bad);
    expect(text).toMatch(/fixings\.USD-LIBOR-3M[\s\S]*projection curve/);
    expect(text).toMatch(/fixings\.USD-LIBOR-6M\[1\]\.date[\s\S]*given twice/);
    expect(text).toMatch(/fixings\.USD-LIBOR-6M\[2\]\.date[\s\S]*on or before the as-of date 2026-06-15/);

  });
});

describe('a running coupon on its fixing', () => {
  it('a seasoned swap: price with the fixing − price without = N·τ·(L_fix − F_today)·P(0, e) by hand, nothing else moves', () => {
    // 6M periods from 2025-09-16: 2025-09-16, 2026-03-16 (running today), 2026-09-16, 2027-03-16 to 2027-09-16
    const trade = payer('S', libor(fromYmd(2025, 9, 16), 24, 10));
    const e = fromYmd(2026, 9, 16);
    const tau = yearFraction('ACT/360', RUNNING_START, e);
    const p = without.discountCurve('USD').discount(without.time(e));
    const byHand = N * tau * (0.0466 - forwardFromToday(without, RUNNING_START, e)) * p;
    expect(priceTrade(trade, withFixings).npv - priceTrade(trade, without).npv).toBeCloseTo(byHand, 6);
    expect(Math.abs(byHand)).toBeGreaterThan(100);
  });

  it('a period starting today takes today\'s fixing, not the curve\'s forward', () => {
    const trade = payer('T', libor(AS_OF, 12));
    const e = addMonths(AS_OF, 6);
    const tau = yearFraction('ACT/360', AS_OF, e);
    const proj = without.projectionCurve('USD-LIBOR-6M');
    const forward = (1 / proj.discount(without.time(e)) - 1) / tau;
    const byHand = N * tau * (0.0451 - forward) * without.discountCurve('USD').discount(without.time(e));
    expect(priceTrade(trade, withFixings).npv - priceTrade(trade, without).npv).toBeCloseTo(byHand, 6);
  });

  it('SIMM: a swap whose only period left has fixed has no delta on its index\'s projection curve, with its fixing or without (held at the rate it is priced at: test/simm-implied-fixings.test.ts)', () => {
    const trade = payer('ONE', libor(RUNNING_START, 6));
    const libor6m = (m: Market) => tradeSensitivities(trade, { market: m, creditBuckets: new Map() }).rows.filter((r) => r.riskType === 'Risk_IRCurve' && r.label2 === 'Libor6m');
    expect(libor6m(withFixings)).toEqual([]);
    expect(libor6m(without)).toEqual([]);
  });

  it('a cap\'s fixed period pays its intrinsic value on the fixing: in the money on it, out of the money on the curve', () => {
    const cap: CapFloor = { tradeId: 'C', counterpartyId: 'CP', nettingSetId: 'NS', cleared: false, product: 'CAPFLOOR', direction: 'buy', optionType: 'cap', strike: 0.0460, floatLeg: libor(RUNNING_START, 6) };
    const e = fromYmd(2026, 9, 16);
    expect(forwardFromToday(without, RUNNING_START, e)).toBeLessThan(0.046); // the curve's rate is below the strike
    const tau = yearFraction('ACT/360', RUNNING_START, e);
    expect(priceTrade(cap, without).npv).toBe(0);
    expect(priceTrade(cap, withFixings).npv).toBeCloseTo(N * tau * (0.0466 - 0.046) * withFixings.discountCurve('USD').discount(withFixings.time(e)), 6);
    // a period starting today: fixed today (0.0451), not an option on the curve's forward
    const today: CapFloor = { ...cap, tradeId: 'C0', strike: 0.0445, floatLeg: libor(AS_OF, 6) };
    const e0 = addMonths(AS_OF, 6);
    const tau0 = yearFraction('ACT/360', AS_OF, e0);
    expect(priceTrade(today, withFixings).npv).toBeCloseTo(N * tau0 * (0.0451 - 0.0445) * withFixings.discountCurve('USD').discount(withFixings.time(e0)), 6);
  });

  it('the engine starts at the price with the fixing and keeps the fixed coupon on every path (EPE − ENE, 3 standard errors)', async () => {
    const trade = payer('E', libor(fromYmd(2025, 9, 16), 24, 10));
    const set: NettingSet = {
      nettingSetId: 'NS', counterpartyId: 'CP', csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
      independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 0, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false,
    };
    const dates = [AS_OF, addMonths(AS_OF, 1)];
    const grid = { asOf: AS_OF, dates: Int32Array.from(dates), times: Float64Array.from(dates, (d) => yearsBetween(AS_OF, d)), exposureDate: new Uint8Array(2).fill(1), lagIndex: new Map() };
    const portfolio: Portfolio = { trades: [trade], counterparties: [], nettingSets: [set], eligibleCollateral: [], collateral: [], sources: {} };
    const run = async (m: Market) => (await runSimulation({ portfolio, market: m, options: { paths: 4000, seed: 9, grid, threads: 1, antithetic: true, pfeQuantile: 0.95, skipUnsupported: false } })).nettingSets[0]!.profile;
    const [a, b] = [await run(withFixings), await run(without)];
    const price = priceTrade(trade, withFixings).npv;
    expect(Math.abs(a.epe[0]! - a.ene[0]! - price)).toBeLessThan(1e-9 * N);
    // no flow is paid in the first month: the discounted mean value is today's price (a martingale). Antithetic pairs
    // cancel its first-order noise, so 3 standard errors of the EPE (the value's positive part) bound it loosely
    expect(Math.abs(a.epe[1]! - a.ene[1]! - price)).toBeLessThan(3 * a.epeStdError[1]!);
    // the same paths: the two runs differ by the fixed coupon's change, the same amount on every path (discounted)
    const delta = price - priceTrade(trade, without).npv;
    expect(Math.abs(a.epe[1]! - a.ene[1]! - (b.epe[1]! - b.ene[1]!) - delta)).toBeLessThan(1e-6 * N);
  }, 60_000);
});

describe('xva validate lists the running coupons without their fixings', () => {
  it('the small test book (as of 2026-06-30): the nine trades with a running coupon, by hand; T002\'s fixing removes it', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { validateInputs } = await import('../src/portfolio/validateInputs.js');
    const small = path.resolve('test/data/small');
    // by hand from test/data/small/trades.csv, as of 2026-06-30 (weekends only, MF): running coupons begun before today
    // and paid after it: T001 SOFR 3M (2026-04-15), T002 EURIBOR 6M (2026-03-20), T003 SOFR 1Y (2026-01-05), T004 €STR 1Y
    // (2026-06-16), T005 SOFR 3M (2026-06-18), T007 its SONIA leg (2026-05-27), T020 SONIA 1Y (2026-03-20), T021 SONIA 1Y
    // (2026-05-01), T023 both legs (2026-03-18, 2026-06-18). T006's period ends today (paid) and its next starts today;
    // swaptions' underlyings and T022's cap start later
    const all = ['T001', 'T002', 'T003', 'T004', 'T005', 'T007', 'T020', 'T021', 'T023'];
    expect((await validateInputs({ portfolioDir: small })).summary.unfixedCoupons).toEqual({ trades: all.length, tradeIds: all });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-fixings-validate-'));
    try {
      for (const name of fs.readdirSync(small)) fs.copyFileSync(path.join(small, name), path.join(dir, name));
      fs.appendFileSync(path.join(dir, 'market.yaml'), '\nfixings:\n  EUR-EURIBOR-6M:\n    - { date: 2026-03-20, rate: 0.0251 }\n');
      expect((await validateInputs({ portfolioDir: dir })).summary.unfixedCoupons).toEqual({ trades: all.length - 1, tradeIds: all.filter((id) => id !== 'T002') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a running overnight coupon on its daily fixings', () => {
  // a USD-SOFR projection curve beside the LIBOR one, and daily SOFR fixings from 2026-06-01 (a Monday) to 2026-06-12
  const text = USD_MARKET.replace('  projection:\n', '  projection:\n    USD-SOFR:\n      pillars:\n        - { tenor: 1Y, zeroRate: 0.0420 }\n        - { tenor: 10Y, zeroRate: 0.0380 }\n');
  const days = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12].map((d) => fromYmd(2026, 6, d));
  const rates = [0.0430, 0.0431, 0.0429, 0.0432, 0.0433, 0.0428, 0.0430, 0.0431, 0.0434, 0.0435];
  const fixings = '\nfixings:\n  USD-SOFR:\n' + days.map((d, i) => `    - { date: ${toIsoDate(d)}, rate: ${rates[i]} }`).join('\n') + '\n';
  const on = parseMarket(text + fixings, 'sofr.yaml');
  const plain = parseMarket(text, 'sofr-plain.yaml');
  const leg: FloatLeg = {
    kind: 'float', currency: 'USD', notional: N, floatIndex: 'USD-SOFR', spreadBp: 5, frequency: '3M', dayCount: 'ACT/360',
    startDate: fromYmd(2026, 6, 1), maturityDate: fromYmd(2027, 6, 1), businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false,
  };
  const ois: InterestRateSwap = { ...payer('OIS', leg), product: 'OIS' };

  it('N·(Π(1 + r_d·δ_d)/P_p(0, e) − 1) + N·τ·s for the running period, by hand: each business day to the next (Friday for three days)', () => {
    let growth = 1;
    days.forEach((d, i) => {
      const next = i + 1 < days.length ? days[i + 1]! : AS_OF; // 2026-06-12 (Friday) runs to 2026-06-15, the as-of date
      growth *= 1 + (rates[i]! * (next - d)) / 360;
    });
    const e = fromYmd(2026, 9, 1);
    const tau = yearFraction('ACT/360', fromYmd(2026, 6, 1), e);
    const p = on.discountCurve('USD').discount(on.time(e));
    const coupon = (g: number, forward: number) => N * (g / forward - 1) + N * tau * 0.0005;
    const proj = on.projectionCurve('USD-SOFR');
    const withFix = coupon(growth, proj.discount(on.time(e)));
    // without the fixings: today's forward over the same length (92 days from today)
    const withoutFix = coupon(1, proj.discount(on.time(e) - on.time(fromYmd(2026, 6, 1))));
    expect(priceTrade(ois, on).npv - priceTrade(ois, plain).npv).toBeCloseTo((withFix - withoutFix) * p, 6);
    expect(Math.abs(withFix - withoutFix)).toBeGreaterThan(10);
    // one day missing: the coupon stays on today's forward
    const gap = parseMarket(text + fixings.split('\n').filter((l) => !l.includes('2026-06-09')).join('\n'), 'gap.yaml');
    expect(priceTrade(ois, gap).npv).toBe(priceTrade(ois, plain).npv);
  });
});
