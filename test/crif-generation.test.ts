/**
 * CRIF from the portfolio (src/margin/sensitivities, src/margin/crifFromPortfolio.ts): each generated SIMM
 * sensitivity checked against an independent reference on a hand-built flat market (test/helpers/flatMarket.ts):
 * closed forms where the product has one (FX forward and equity forward deltas, Bachelier and Garman-Kohlhagen
 * vegas, swap DV01 = annuity × 1bp × N), and central finite differences of today's pricers as the second method.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildSchedule } from '../src/conventions/schedule.js';
import { fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { bumpCurve } from '../src/market/curves.js';
import type { Market, SwaptionVolSurface } from '../src/market/types.js';
import { calculateScheduleIm } from '../src/margin/schedule.js';
import { creditBucket, scheduleCrifFromPortfolio, simmCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { bumpedMarket } from '../src/margin/sensitivities/bumpedMarket.js';
import { hatWeight, SIMM_IR_TENOR_YEARS, simmSubCurve } from '../src/margin/sensitivities/tenors.js';
import { rebootstrapCredit, tradeSensitivities, tradeValueUsd, type TradeSensitivity } from '../src/margin/sensitivities/trade.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { normPdf } from '../src/pricing/black.js';
import { cdsUnitValue } from '../src/pricing/cds.js';
import type { CreditDefaultSwap, Currency, EquityForward, FixedLeg, FloatLeg, FxForward, FxOption, InterestRateSwap, Swaption, Trade } from '../src/products/types.js';
import { flatMarket } from './helpers/flatMarket.js';
import { REPO_ROOT } from './helpers/paths.js';
import { loadMarket } from '../src/market/load.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const asOf = fromYmd(2026, 6, 30);
const years = (d: DateSerial): number => (d - asOf) / 365;
const rUsd = 0.035;
const rEur = 0.02;
const eurUsd = 1.1;
const base = { counterpartyId: 'C1', nettingSetId: 'N1', cleared: false } as const;

const surface: SwaptionVolSurface = {
  currency: 'USD',
  type: 'normal',
  shift: 0,
  quotes: [1, 2, 5, 10].flatMap((e) => [1, 5, 10].map((t) => ({ expiryYears: e, tenorYears: t, vol: 0.0095 }))),
};
const market: Market = flatMarket({
  asOf,
  rates: { USD: rUsd, EUR: rEur },
  projection: { 'USD-SOFR': { currency: 'USD', rate: rUsd }, 'USD-LIBOR-3M': { currency: 'USD', rate: 0.038 } },
  spotsInBase: { EUR: eurUsd },
  fxVols: { EURUSD: 0.09 },
  swaptionVols: { USD: surface },
  equities: { SPX: { currency: 'USD', spot: 5000, dividendYield: 0.015, vol: 0.2 } },
  credit: { ACME: { hazard: 0.02, recovery: 0.4 } },
});

const sum = (rows: TradeSensitivity[], riskType: string, filter: (r: TradeSensitivity) => boolean = () => true): number =>
  rows.filter((r) => r.riskType === riskType && filter(r)).reduce((a, r) => a + r.amountUsd, 0);

const fixedLeg = (over: Partial<FixedLeg> = {}): FixedLeg => ({
  kind: 'fixed', currency: 'USD', notional: 1e7, fixedRate: 0.037, startDate: fromYmd(2026, 7, 2), maturityDate: fromYmd(2031, 7, 2),
  frequency: '1Y', dayCount: 'ACT/360', businessDayConvention: 'U', stub: 'short_front', endOfMonth: false, ...over,
});
const floatLeg = (over: Partial<FloatLeg> = {}): FloatLeg => ({
  kind: 'float', currency: 'USD', notional: 1e7, floatIndex: 'USD-LIBOR-3M', spreadBp: 0, startDate: fromYmd(2026, 7, 2), maturityDate: fromYmd(2031, 7, 2),
  frequency: '3M', dayCount: 'ACT/360', businessDayConvention: 'U', stub: 'short_front', endOfMonth: false, ...over,
});
const swap: InterestRateSwap = { ...base, tradeId: 'IRS1', product: 'IRS', direction: 'receive', fixedLeg: fixedLeg(), floatLeg: floatLeg() };

/** Central difference of the pricer under a parallel ±1bp of every USD curve (second method, independent of the hats). */
function centralParallelDv01(trade: Trade): number {
  const shifted = (bp: number) =>
    tradeValueUsd(
      trade,
      bumpedMarket(bumpedMarket(market, { discount: { currency: 'USD', bump: (c) => bumpCurve(c, bp) } }), { projection: { index: 'USD-LIBOR-3M', bump: (c) => bumpCurve(c, bp) } }),
    );
  return (shifted(1) - shifted(-1)) / 2;
}

describe('IR delta (SIMM §B interest rate delta: V(r + 1bp at the vertex) − V(r))', () => {
  const { rows } = tradeSensitivities(swap, { market });

  it('maps indices to SIMM sub-curves and puts the discount curve on OIS', () => {
    expect(simmSubCurve('USD-LIBOR-3M')).toBe('Libor3m');
    expect(simmSubCurve('EUR-EURIBOR-6M')).toBe('Libor6m');
    expect(simmSubCurve('USD-SOFR')).toBe('OIS');
    expect(simmSubCurve('USD-TERM-2M')).toBeUndefined();
    expect(new Set(rows.filter((r) => r.riskType === 'Risk_IRCurve').map((r) => r.label2))).toEqual(new Set(['OIS', 'Libor3m']));
  });

  it('the hat functions add up to a parallel shift at every t', () => {
    for (const t of [0.01, 0.3, 1.7, 4.2, 12, 40]) {
      let total = 0;
      for (let k = 0; k < SIMM_IR_TENOR_YEARS.length; k++) total += hatWeight(SIMM_IR_TENOR_YEARS, k, t);
      expect(total).toBeCloseTo(1, 14);
    }
  });

  it('sum of the buckets = central finite difference of a parallel 1bp (to 1e-3: the one-sided convexity term)', () => {
    // |½·V''·(1bp)²| is ~1 USD against a DV01 of ~4,500 USD: 2e-4 relative
    const total = sum(rows, 'Risk_IRCurve');
    expect(Math.abs(total / centralParallelDv01(swap) - 1)).toBeLessThan(1e-3);
  });

  it('receiver swap: projection (Libor3m) delta ≈ −N·A·1bp with A the fixed-leg annuity Σ τ·P (3%)', () => {
    // d(simple forward)/d(zero) = (Δt/τ)·(1 + τF): ACT/365F over ACT/360 and compounding, together within 3%
    const fixed = buildSchedule(swap.fixedLeg);
    let annuity = 0;
    for (let i = 0; i < fixed.count; i++) annuity += fixed.accrualFraction[i]! * Math.exp(-rUsd * years(fixed.paymentDate[i]!));
    const expected = -swap.fixedLeg.notional * annuity * 1e-4;
    const libor = sum(rows, 'Risk_IRCurve', (r) => r.label2 === 'Libor3m');
    expect(Math.abs(libor / expected - 1)).toBeLessThan(0.03);
  });

  it('the 5y bucket equals a central difference of the same hat bump (to 1e-3)', () => {
    const k = 7; // 5y
    const hat = (bp: number) =>
      tradeValueUsd(swap, bumpedMarket(market, { projection: { index: 'USD-LIBOR-3M', bump: (c) => bumpCurve(c, (t) => bp * hatWeight(SIMM_IR_TENOR_YEARS, k, t)) } }));
    const central = (hat(1) - hat(-1)) / 2;
    const generated = sum(rows, 'Risk_IRCurve', (r) => r.label1 === '5y' && r.label2 === 'Libor3m');
    expect(Math.abs(generated / central - 1)).toBeLessThan(1e-3);
  });

  it('a USD swap has no FX delta (USD is the calculation currency)', () => {
    expect(rows.some((r) => r.riskType === 'Risk_FX')).toBe(false);
  });
});

describe('FX delta (SIMM §B FX delta: V(S·1.01) − V(S) against USD)', () => {
  it('FX forward buying EUR: N·P_EUR(T)·S·1% in USD, exactly (the value is linear in spot)', () => {
    const maturity = fromYmd(2027, 6, 30);
    const fwd: FxForward = { ...base, tradeId: 'F1', product: 'FXFWD', direction: 'buy', currency: 'EUR', notional: 5e6, currency2: 'USD', notional2: 5.6e6, maturityDate: maturity };
    const { rows } = tradeSensitivities(fwd, { market });
    const expected = 5e6 * Math.exp(-rEur * years(maturity)) * eurUsd * 0.01;
    expect(sum(rows, 'Risk_FX', (r) => r.qualifier === 'EUR')).toBeCloseTo(expected, 6);
    // IR delta of the EUR leg: d/dr of N·S·e^{−rT} = −T·N·S·e^{−rT} per 1bp (one-sided: within 1e-4 relative)
    const eurIr = sum(rows, 'Risk_IRCurve', (r) => r.qualifier === 'EUR');
    const analytic = -years(maturity) * 5e6 * eurUsd * Math.exp(-rEur * years(maturity)) * 1e-4;
    expect(Math.abs(eurIr / analytic - 1)).toBeLessThan(1e-4);
  });
});

describe('vega (SIMM §B: IR σ·∂V/∂σ; FX and equity ∂V/∂σ per vol point)', () => {
  it('ATM physical payer swaption: σ·∂V/∂σ = V for Bachelier at the money, all on the 1y expiry vertex (1e-8)', () => {
    const expiry = fromYmd(2027, 6, 30); // exactly 1.0 years
    const start = expiry;
    const legs = { startDate: start, maturityDate: fromYmd(2032, 6, 30) };
    // at-the-money strike: the forward swap rate from the flat curves (projection = discount = SOFR here)
    const probe: Swaption = {
      ...base, tradeId: 'SW', product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'physical', expiryDate: expiry,
      fixedLeg: fixedLeg({ ...legs, fixedRate: 0.03 }), floatLeg: floatLeg({ ...legs, floatIndex: 'USD-SOFR' }),
    };
    const fixed = buildSchedule(probe.fixedLeg);
    let annuity = 0;
    for (let i = 0; i < fixed.count; i++) annuity += fixed.accrualFraction[i]! * Math.exp(-rUsd * years(fixed.paymentDate[i]!));
    const fl = buildSchedule(probe.floatLeg);
    const forward = (Math.exp(-rUsd * years(fl.accrualStart[0]!)) - Math.exp(-rUsd * years(fl.paymentDate[fl.count - 1]!))) / annuity;
    const atm: Swaption = { ...probe, fixedLeg: { ...probe.fixedLeg, fixedRate: forward } };
    const { rows } = tradeSensitivities(atm, { market });
    const vegaRows = rows.filter((r) => r.riskType === 'Risk_IRVol');
    expect(vegaRows.map((r) => r.label1)).toEqual(['1y']);
    // Bachelier ATM: V = N·A·σ√T·φ(0), linear in σ
    const expected = 1e7 * annuity * 0.0095 * Math.sqrt(1) * normPdf(0);
    expect(Math.abs(vegaRows[0]!.amountUsd / expected - 1)).toBeLessThan(1e-6);
  });

  it('FX call: Garman-Kohlhagen vega N·P_d·F·φ(d1)·√T × 0.01, split 1y/2y by expiry (1e-5)', () => {
    const expiry = fromYmd(2028, 3, 30);
    const opt: FxOption = {
      ...base, tradeId: 'O1', product: 'FXOPT', direction: 'buy', optionType: 'call', currency: 'EUR', notional: 1e7, currency2: 'USD', strike: 1.12,
      expiryDate: expiry, maturityDate: expiry,
    };
    const T = years(expiry);
    const pd = Math.exp(-rUsd * T);
    const F = (eurUsd * Math.exp(-rEur * T)) / pd;
    const d1 = (Math.log(F / 1.12) + 0.5 * 0.09 * 0.09 * T) / (0.09 * Math.sqrt(T));
    const expected = 1e7 * pd * F * normPdf(d1) * Math.sqrt(T) * 0.01;
    const { rows } = tradeSensitivities(opt, { market });
    const vega = rows.filter((r) => r.riskType === 'Risk_FXVol');
    expect(vega.every((r) => r.qualifier === 'EURUSD')).toBe(true);
    expect(Math.abs(sum(rows, 'Risk_FXVol') / expected - 1)).toBeLessThan(1e-5);
    // linear split between the 1y and 2y vertices: weight of 2y = T − 1
    expect(sum(rows, 'Risk_FXVol', (r) => r.label1 === '2y') / sum(rows, 'Risk_FXVol')).toBeCloseTo(T - 1, 10);
  });
});

describe('equity delta (SIMM §B: V(S·1.01) − V(S))', () => {
  it('equity forward: quantity·S·e^{−qT}·1%, exactly', () => {
    const maturity = fromYmd(2027, 12, 30);
    const fwd: EquityForward = { ...base, tradeId: 'E1', product: 'EQFWD', direction: 'buy', underlying: 'SPX', currency: 'USD', quantity: 1000, strike: 5100, maturityDate: maturity };
    const { rows } = tradeSensitivities(fwd, { market, equityBuckets: new Map([['SPX', '11']]) });
    const eq = rows.filter((r) => r.riskType === 'Risk_Equity');
    expect(eq).toHaveLength(1);
    expect(eq[0]!.bucket).toBe('11');
    expect(eq[0]!.amountUsd).toBeCloseTo(1000 * 5000 * Math.exp(-0.015 * years(maturity)) * 0.01, 6);
  });
});

describe('credit delta (SIMM §B: V(cs + 1bp) − V(cs), re-bootstrapped)', () => {
  const cds: CreditDefaultSwap = {
    ...base, tradeId: 'C1', product: 'CDS', direction: 'buy', referenceEntity: 'ACME', currency: 'USD', notional: 1e7, fixedRate: 0.01,
    startDate: fromYmd(2026, 6, 22), maturityDate: fromYmd(2031, 6, 20), frequency: '3M', dayCount: 'ACT/360',
  };
  const { rows } = tradeSensitivities(cds, { market, creditBuckets: new Map([['ACME', '3']]) });

  it('the single 5y quote carries all the delta, ≈ N·RPV01·1bp for protection bought (2%)', () => {
    const credit = rows.filter((r) => r.riskType === 'Risk_CreditQ');
    expect(credit.map((r) => r.label1)).toEqual(['5y']);
    expect(credit[0]!.bucket).toBe('3');
    // a 1bp higher par spread raises the protection value by about the risky annuity per bp
    const rpv01 = cdsUnitValue(cds, market).cleanRiskyAnnuity;
    expect(Math.abs(credit[0]!.amountUsd / (1e7 * rpv01 * 1e-4) - 1)).toBeLessThan(0.02);
  });

  it('equals the central difference of ±1bp re-bootstraps (1e-3)', () => {
    const curve = market.creditCurve('ACME');
    const v = (bp: number) => tradeValueUsd(cds, bumpedMarket(market, { credit: { name: 'ACME', curve: rebootstrapCredit(market, curve, () => bp) } }));
    expect(Math.abs(sum(rows, 'Risk_CreditQ') / ((v(1) - v(-1)) / 2) - 1)).toBeLessThan(1e-3);
  });

  it('credit buckets by sector and grade (SIMM v2.6 §C.3)', () => {
    expect(creditBucket({ sector: 'sovereign', rating: 'AA' })).toBe('1');
    expect(creditBucket({ sector: 'financial', rating: 'BB' })).toBe('8');
    expect(creditBucket({ sector: 'technology', rating: 'NR' })).toBe('11');
    expect(creditBucket({ sector: 'other', rating: 'A' })).toBe('Residual');
  });
});

describe('a CDS\'s interest rate delta holds its par spreads (SIMM §B: the credit spreads are another risk factor)', () => {
  // Reference: the market file itself with every pillar of one OIS curve 1bp higher, loaded again (the loader
  // bootstraps the hazards from the same quoted spreads on the moved curve), the trade repriced: the parallel 1bp that
  // the twelve hat bumps add up to.
  const demo = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
  const dir = mkdtempSync(path.join(tmpdir(), 'xva-cds-ir-delta-'));
  const market = loadMarket(demo);
  /** The demo market with every discount pillar of `ccy` moved by 1bp. */
  const movedMarket = (ccy: string) => {
    const doc = parse(readFileSync(demo, 'utf8')) as { curves: { discount: Record<string, { pillars: { zeroRate: number }[] }> } };
    for (const p of doc.curves.discount[ccy]!.pillars) p.zeroRate += 1e-4;
    const file = path.join(dir, `moved-${ccy}.yaml`);
    writeFileSync(file, stringify(doc));
    return loadMarket(file);
  };
  // the demo's T000702 (80m of ORCHID_HOTELS protection sold at 500bp to 2028-06-20, spreads 377-444bp: an audit
  // measured its hazard-held delta 37% off) and a USD CDS on a EUR-quoted curve (its hazards move with EUR rates)
  const cases: { name: string; curveCurrency: Currency; trade: CreditDefaultSwap }[] = [
    { name: 'ORCHID_HOTELS', curveCurrency: 'USD', trade: { ...base, tradeId: 'T000702', product: 'CDS', direction: 'sell', referenceEntity: 'ORCHID_HOTELS', currency: 'USD', notional: 8e7, fixedRate: 0.05, startDate: fromYmd(2021, 3, 22), maturityDate: fromYmd(2028, 6, 20), frequency: '3M', dayCount: 'ACT/360' } },
    { name: 'ATLAS_TELECOM', curveCurrency: 'EUR', trade: { ...base, tradeId: 'C-ATLAS', product: 'CDS', direction: 'buy', referenceEntity: 'ATLAS_TELECOM', currency: 'USD', notional: 1e7, fixedRate: 0.01, startDate: fromYmd(2026, 6, 22), maturityDate: fromYmd(2031, 6, 20), frequency: '3M', dayCount: 'ACT/360' } },
  ];

  for (const { name, curveCurrency, trade } of cases) {
    it(`${trade.tradeId} on ${name} (curve in ${curveCurrency}): Σ Risk_IRCurve ${curveCurrency} = the repriced parallel 1bp of the market file (1%)`, () => {
      const { rows } = tradeSensitivities(trade, { market });
      const delta = sum(rows, 'Risk_IRCurve', (r) => r.qualifier === curveCurrency);
      const repriced = tradeValueUsd(trade, movedMarket(curveCurrency)) - tradeValueUsd(trade, market);
      // second-order terms (the hats' cross terms, the bootstrap's own) are O(1bp) relative
      expect(Math.abs(delta / repriced - 1)).toBeLessThan(0.01);
      // the hazards held instead: 37% off for T000702, nothing at all for the EUR curve's rates
      const hazardsHeld = tradeValueUsd(trade, bumpedMarket(market, { discount: { currency: curveCurrency, bump: (c) => bumpCurve(c, () => 1) } })) - tradeValueUsd(trade, market);
      expect(Math.abs(hazardsHeld / repriced - 1)).toBeGreaterThan(0.3);
    });
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

describe('CRIF records from a portfolio', () => {
  const ns = (id: string, imModel: NettingSet['imModel']): NettingSet => ({
    nettingSetId: id, counterpartyId: 'C1', csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel, collateralCurrency: 'USD', cleared: false,
  });
  const portfolio: Portfolio = {
    trades: [swap, { ...swap, tradeId: 'IRS2', nettingSetId: 'N2' }],
    counterparties: [],
    nettingSets: [ns('N1', 'simm'), ns('N2', 'schedule')],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };

  it('SIMM rows only for im_model = simm, portfolio id = netting set, product class RatesFX', () => {
    const { records } = simmCrifFromPortfolio(portfolio, market);
    expect(new Set(records.map((r) => r.portfolioId))).toEqual(new Set(['N1']));
    expect(records.every((r) => r.productClass === 'RatesFX' && r.imModel === 'SIMM')).toBe(true);
  });

  it('schedule rows: a 5y receiver swap of 10m → 4% gross; a lone trade nets nothing: NGR 1 on both sides', () => {
    const records = scheduleCrifFromPortfolio(portfolio, market);
    expect(records.map((r) => r.riskType)).toEqual(['PV', 'Notional']);
    const pv = records[0]!.amount;
    expect(pv).toBeCloseTo(tradeValueUsd(swap, market), 6);
    const result = calculateScheduleIm(records, { asOf });
    const call = result.nettingSets.find((n) => n.side === 'Call')!;
    const post = result.nettingSets.find((n) => n.side === 'Post')!;
    // BCBS-IOSCO Appendix A: residual maturity 5.0y is in the 5y+ band (4%); one trade has NGR 1 on the side where its
    // PV is positive (net = gross) and 0/0 on the other, taken as 1 as ORE's IMScheduleCalculator does
    expect(result.trades[0]!.grossIm).toBeCloseTo(0.04 * 1e7, 6);
    expect(call.scheduleIm).toBeCloseTo(4e5, 6);
    expect(post.scheduleIm).toBeCloseTo(4e5, 6);
  });
});
