/**
 * `fx.spotDays` (docs/market.md, "FX"): FX quotes for settlement on their spot date, moved to today's rate on the
 * curves that today's forwards read. References independent of the loader: the spot dates counted by hand from the
 * centres' published holidays, and forwards written from the quote and discount factors read off the curves.
 */
import { describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { parseMarket } from '../src/market/load.js';
import { fxSpotDate } from '../src/market/fxSpotDate.js';
import { priceFxForward } from '../src/pricing/fx.js';
import type { FxForward } from '../src/products/types.js';
import { marketIssues } from './helpers/marketView.js';

const MARKET = (spotDays: string, asOf = '2026-06-30', extraCurves = ''): string => `asOf: ${asOf}
baseCurrency: USD
curves:
  discount:
    USD: { pillars: [ { tenor: 1M, zeroRate: 0.043 }, { tenor: 1Y, zeroRate: 0.041 }, { tenor: 5Y, zeroRate: 0.038 } ] }
    EUR: { pillars: [ { tenor: 1M, zeroRate: 0.021 }, { tenor: 1Y, zeroRate: 0.02 }, { tenor: 5Y, zeroRate: 0.022 } ] }
    JPY: { pillars: [ { tenor: 1M, zeroRate: 0.004 }, { tenor: 1Y, zeroRate: 0.005 }, { tenor: 5Y, zeroRate: 0.008 } ] }
${extraCurves}fx:
  spots: { EURUSD: 1.085, USDJPY: 152.3, EURJPY: 165.2455 }
${spotDays}`;

const issuesOf = marketIssues;

function forward(maturity: number, notional2: number): FxForward {
  return {
    tradeId: 'F1', counterpartyId: 'C', nettingSetId: 'N', cleared: false, product: 'FXFWD', direction: 'buy',
    currency: 'EUR', notional: 1e8, currency2: 'USD', notional2, maturityDate: maturity,
  } as FxForward;
}

describe('FX spot dates', () => {
  it('T+2 on the joint calendar of both centres (dates counted by hand)', () => {
    // Tue 2026-06-30: Wed 1 July, Thu 2 July
    expect(fxSpotDate(fromYmd(2026, 6, 30), { base: 'EUR', quote: 'USD' }, 2)).toEqual({ date: fromYmd(2026, 7, 2) });
    // Wed 2026-12-23: Thu 24 Dec (TARGET and New York open), Fri 25 Dec closed in both, Mon 28 Dec
    expect(fxSpotDate(fromYmd(2026, 12, 23), { base: 'EUR', quote: 'USD' }, 2)).toEqual({ date: fromYmd(2026, 12, 28) });
    // Thu 2026-04-02: Good Friday 3 April and Easter Monday 6 April close TARGET (New York closes on neither)
    expect(fxSpotDate(fromYmd(2026, 4, 2), { base: 'EUR', quote: 'USD' }, 2)).toEqual({ date: fromYmd(2026, 4, 8) });
    // Thu 2026-04-30 USDJPY: Fri 1 May open in Tokyo and New York; Mon 4 to Wed 6 May Golden Week (Tokyo closed): Thu 7 May
    expect(fxSpotDate(fromYmd(2026, 4, 30), { base: 'USD', quote: 'JPY' }, 2)).toEqual({ date: fromYmd(2026, 5, 7) });
    // HKD has no calendar in xva (weekends only): USDHKD counts New York's holidays alone; Thanksgiving, Thu 2026-11-26
    expect(fxSpotDate(fromYmd(2026, 11, 24), { base: 'USD', quote: 'HKD' }, 2)).toEqual({ date: fromYmd(2026, 11, 27) });
  });

  it('a quote becomes today\'s rate S·P_2(T_s)/P_1(T_s): a forward to the spot date at the quote is worth 0, a later one is priced on the quote', () => {
    const lagged = parseMarket(MARKET('  spotDays: 2\n'), 'market.yaml');
    const plain = parseMarket(MARKET(''), 'market.yaml');
    const spotDate = fromYmd(2026, 7, 2);
    const ts = lagged.time(spotDate);
    const pUsd = (t: number) => lagged.discountCurve('USD').discount(t);
    const pEur = (t: number) => lagged.discountCurve('EUR').discount(t);
    // today's rate from the quote, written out
    expect(lagged.fxSpot('EUR', 'USD')).toBeCloseTo((1.085 * pUsd(ts)) / pEur(ts), 14);
    expect(plain.fxSpot('EUR', 'USD')).toBe(1.085);
    // about (r_USD − r_EUR)·2/365 below the quote
    expect(lagged.fxSpot('EUR', 'USD') / 1.085 - 1).toBeCloseTo(-(0.043 - 0.021) * (2 / 365), 6);
    // buying 100m EUR for 108.5m USD on the spot date: worth nothing (to rounding of 1e8-sized amounts)
    expect(Math.abs(priceFxForward(forward(spotDate, 1.085e8), lagged))).toBeLessThan(1e-6);
    // a 1y forward: F(T) = S·[P_EUR(T)/P_EUR(T_s)]/[P_USD(T)/P_USD(T_s)], its value P_USD(T)·N·(F − K)
    const maturity = fromYmd(2027, 7, 2);
    const t = lagged.time(maturity);
    const outright = (1.085 * (pEur(t) / pEur(ts))) / (pUsd(t) / pUsd(ts));
    expect(priceFxForward(forward(maturity, 1.09e8), lagged)).toBeCloseTo(pUsd(t) * 1e8 * (outright - 1.09), 6);
    // the crosses stay consistent (one spot date for all three pairs here), and the inverse reads the same rate
    expect(lagged.fxSpot('USD', 'EUR')).toBeCloseTo(1 / lagged.fxSpot('EUR', 'USD'), 15);
    expect(lagged.fxSpot('EUR', 'JPY') / (lagged.fxSpot('EUR', 'USD') * lagged.fxSpot('USD', 'JPY')) - 1).toBeLessThan(1e-6);
  });

  it('per pair with a default; a pair at 0 keeps its quote; an xccy-basis curve against the base is the one read', () => {
    const text = MARKET('  spotDays: { default: 2, USDJPY: 1, EURJPY: 0 }\n', '2026-06-30', '  xccyBasis:\n    EUR: { against: USD, pillars: [ { tenor: 5Y, spreadBp: -40 } ] }\n');
    // EURJPY at 0 beside lagged EURUSD and USDJPY no longer closes the triangle: the check names it
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.column).toBe('fx.spots.EURJPY');
    const m = parseMarket(text.replace(', EURJPY: 165.2455', '').replace(', EURJPY: 0', ''), 'market.yaml');
    const basis = m.collateralDiscountCurve('EUR', 'USD');
    const t2 = m.time(fromYmd(2026, 7, 2));
    const t1 = m.time(fromYmd(2026, 7, 1));
    expect(m.fxSpot('EUR', 'USD')).toBeCloseTo((1.085 * m.discountCurve('USD').discount(t2)) / basis.discount(t2), 14);
    expect(basis.discount(t2)).not.toBe(m.discountCurve('EUR').discount(t2));
    expect(m.fxSpot('USD', 'JPY')).toBeCloseTo((152.3 * m.discountCurve('JPY').discount(t1)) / m.discountCurve('USD').discount(t1), 12);
  });

  it('bad values are errors naming the key, the value and what is expected', () => {
    const frac = issuesOf(MARKET('  spotDays: 2.5\n'));
    expect(frac.map((i) => [i.column, i.value])).toEqual([['fx.spotDays', '2.5']]);
    expect(frac[0]!.expected).toMatch(/whole number of business days from 0 to 3/);
    const text = issuesOf(MARKET('  spotDays: { default: two, USDCAD: 1, JPYUSD: 9 }\n'));
    expect(text.map((i) => i.column).sort()).toEqual(['fx.spotDays.JPYUSD', 'fx.spotDays.USDCAD', 'fx.spotDays.default']);
    expect(text.find((i) => i.column === 'fx.spotDays.USDCAD')!.expected).toMatch(/a pair quoted in fx.spots \(or its inverse\): EURUSD, USDJPY, EURJPY/);
    // a quoted currency without a discount curve cannot be moved to today
    const noCurve = issuesOf(MARKET('  spotDays: 2\n').replace('EURJPY: 165.2455', 'GBPUSD: 1.27'));
    expect(noCurve.map((i) => i.column)).toContain('fx.spots.GBPUSD');
    expect(noCurve.find((i) => i.column === 'fx.spots.GBPUSD')!.expected).toMatch(/a discount curve for GBP \(curves.discount\)/);
    // outside the calendars' years (JPTO has rules to 2099)
    const late = issuesOf(MARKET('  spotDays: { USDJPY: 2 }\n', '2099-12-20'));
    expect(late.map((i) => i.column)).toContain('fx.spots.USDJPY');
  });
});
