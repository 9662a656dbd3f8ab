/**
 * Past fixings of term indices (market file `fixings`, docs/market.md): a floating coupon whose period began on or
 * before the as-of date takes its index's fixing on the period's start instead of today's forward over the same
 * length. References by hand: the coupon N·τ·(L + s)·P(0, e) of the running period, the rest of the swap unchanged.
 */
import { describe, expect, it } from 'vitest';
import { addMonths, fromYmd, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
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
    const overnight = USD_MARKET.replace('USD-LIBOR-6M:', 'USD-SOFR:') + '\nfixings:\n  USD-SOFR:\n    - { date: 2026-06-12, rate: 0.043 }\n';
    expect(() => parseMarket(overnight, 'on.yaml')).toThrow(/fixings\.USD-SOFR[\s\S]*overnight fixings are not read/);
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

  it('SIMM: a swap whose only period left has fixed has no delta on its index\'s projection curve', () => {
    const trade = payer('ONE', libor(RUNNING_START, 6));
    const libor6m = (m: Market) => tradeSensitivities(trade, { market: m, creditBuckets: new Map() }).rows.filter((r) => r.riskType === 'Risk_IRCurve' && r.label2 === 'Libor6m');
    expect(libor6m(withFixings)).toEqual([]);
    expect(libor6m(without).length).toBeGreaterThan(0);
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

describe('xva validate lists the running term-index coupons without a fixing', () => {
  it('the small test book (as of 2026-06-30): T002 (EURIBOR 6M from 2026-03-20) and T023 (its EURIBOR 6M leg from 2026-03-18), by hand; a fixing removes one', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { validateInputs } = await import('../src/portfolio/validateInputs.js');
    const small = path.resolve('test/data/small');
    // overnight legs (SOFR, €STR, SONIA) are not listed: their fixings are not read; swaptions' underlyings start later
    expect((await validateInputs({ portfolioDir: small })).summary.unfixedCoupons).toEqual({ trades: 2, tradeIds: ['T002', 'T023'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-fixings-validate-'));
    try {
      for (const name of fs.readdirSync(small)) fs.copyFileSync(path.join(small, name), path.join(dir, name));
      fs.appendFileSync(path.join(dir, 'market.yaml'), '\nfixings:\n  EUR-EURIBOR-6M:\n    - { date: 2026-03-20, rate: 0.0251 }\n');
      expect((await validateInputs({ portfolioDir: dir })).summary.unfixedCoupons).toEqual({ trades: 1, tradeIds: ['T023'] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
