/**
 * The compression lever (src/optimize/levers/compression, docs/optimize-compression.md) on small books whose answer is
 * known by hand, on a flat market (test/helpers/flatMarket.ts: USD OIS = SOFR = 3.5% continuously compounded):
 *
 * - two offsetting swaps are compressed away, and SA-CCR (src/capital/saccr) gives the hand EAD before (CRE52.1:
 *   1.4·(RC + PFE) with the add-on netting to zero and RC = V from the closed-form annuity) and 0 after;
 * - two of three swaps partially offset: one replacement whose notional is the hand net (100m − 60m);
 * - the tolerances hold on the amended book, recomputed through another route (the CRIF generator and priceTrade);
 * - cleared trades at one CCP across the bank's house accounts compress together, a client's account alone;
 * - a set with nothing to offset gives no action;
 * - the MILP's optimum equals brute-force enumeration of all 2^10 keep/terminate choices (second method).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { computeSaccr } from '../src/capital/saccr/index.js';
import { addMonths, fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { simmCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { buildCompressionMilp, compressBook, compressionActions, DEFAULT_COMPRESSION_OPTIONS, resolveCompressionOptions, tradeRisk, type CompressionResult } from '../src/optimize/levers/compression/index.js';
import { batches, solveBlocks, type BlockSolution } from '../src/optimize/levers/compression/batch.js';
import { solveLp } from '../src/optimize/lp/solve.js';
import { applyAmendment } from '../src/optimize/measure/amend.js';
import type { Action } from '../src/optimize/types.js';
import type { Counterparty, NettingSet, Portfolio } from '../src/portfolio/types.js';
import { priceTrade } from '../src/pricing/index.js';
import type { FxForward, FxOption, InterestRateSwap, Trade } from '../src/products/types.js';
import { flatMarket } from './helpers/flatMarket.js';
import { marketSplitProgram } from './helpers/marketSplit.js';

const asOf = fromYmd(2026, 6, 30);
const r = 0.035;
const market = flatMarket({
  asOf,
  rates: { USD: r, EUR: 0.02 },
  projection: { 'USD-SOFR': { currency: 'USD', rate: r } },
  spotsInBase: { EUR: 1.1 },
  fxVols: { EURUSD: 0.09 },
});
const P = (d: DateSerial): number => Math.exp(-r * ((d - asOf) / 365));
/** EURUSD outright by hand: S·P_EUR(T)/P_USD(T) with S = 1.1 (covered interest parity). */
const outright = (months: number): number => {
  const t = (addMonths(asOf, months) - asOf) / 365;
  return 1.1 * Math.exp((r - 0.02) * t);
};

// 'LCH' is the CCP itself (a qccp: the bank's house accounts there face it); every other id a bilateral counterparty or client
const counterparty = (id: string): Counterparty => ({ counterpartyId: id, name: id, sector: 'financial', rating: 'A', region: 'europe', qccp: id === 'LCH' });
const nettingSet = (id: string, cpty: string, over: Partial<NettingSet> = {}): NettingSet => ({
  nettingSetId: id, counterpartyId: cpty, csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0,
  independentAmountCpty: 0, independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1,
  imModel: 'simm', collateralCurrency: 'USD', cleared: false, ...over,
});
const book = (trades: Trade[], sets: NettingSet[] = [nettingSet('N1', 'C1')]): Portfolio => ({
  trades,
  counterparties: [...new Set(sets.map((s) => s.counterpartyId))].map(counterparty),
  nettingSets: sets,
  eligibleCollateral: [],
  collateral: [],
  sources: {},
});

/** USD SOFR OIS from today, annual ACT/360 on both legs, unadjusted: payment = accrual end (schedule.ts). */
function ois(tradeId: string, direction: 'pay' | 'receive', notional: number, years: number, fixedRate: number, where: Partial<Trade> = {}): InterestRateSwap {
  const terms = { startDate: asOf, maturityDate: addMonths(asOf, 12 * years), frequency: '1Y', dayCount: 'ACT/360', businessDayConvention: 'U', stub: 'short_front', endOfMonth: false } as const;
  return {
    tradeId, counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, ...where,
    product: 'OIS', direction,
    fixedLeg: { kind: 'fixed', currency: 'USD', notional, fixedRate, ...terms },
    floatLeg: { kind: 'float', currency: 'USD', notional, floatIndex: 'USD-SOFR', spreadBp: 0, ...terms },
  } as InterestRateSwap;
}

/** Hand annuity Σ τ_i·P(t_i) (ACT/360 accruals, flat continuously compounded discounting) of a swap's fixed leg. */
function annuity(years: number): number {
  const s = buildSchedule({ startDate: asOf, maturityDate: addMonths(asOf, 12 * years), frequency: '1Y', dayCount: 'ACT/360', businessDayConvention: 'U', stub: 'short_front', endOfMonth: false });
  let a = 0;
  for (let i = 0; i < s.count; i++) a += ((s.accrualEnd[i]! - s.accrualStart[i]!) / 360) * P(s.paymentDate[i]!);
  return a;
}
/** Par rate by hand: the float leg on the discount curve telescopes to 1 − P(T) (payment = accrual end). */
const parRate = (years: number): number => (1 - P(addMonths(asOf, 12 * years))) / annuity(years);

const details = (a: Action, key: string): number => a.details[key] as number;

describe('compression of a mixed book (every group in one solver batch)', () => {
  // N1: two offsetting swaps, same notional, dates and index; the receiver was dealt 1bp above the payer, so the pair is
  //     worth V = N·(K_rec − K_pay)·A to the bank and its delta nets to N·1bp·∂A/∂r, a few cents per bp.
  // N2: two payer swaps, nothing to offset.
  // NS-A / NS-B: two house accounts at LCH (counterparty the CCP), a payer and a receiver of the same terms at par.
  // NS-C: a client's account cleared at LCH (the bank faces client CC): a receiver of the same terms, which must not
  //       compress against the house's payer (the forty-fourth session's optimiser audit: it moved the client's risk).
  // N3: a payer and a smaller receiver 5y near par plus a 10y receiver.
  // N4: like N1 but 5bp apart: V ≈ 22.6k exceeds the default PV tolerance (10k), so the pair stays.
  const N = 10e6;
  const kPay = 0.037;
  const kRec = 0.0371;
  const k5 = parRate(5);
  const at = (nettingSetId: string, counterpartyId: string, cleared = false) => ({ nettingSetId, counterpartyId, cleared, ...(cleared ? { ccp: 'LCH' } : {}) });
  const trades: Trade[] = [
    ois('S1', 'pay', N, 5, kPay),
    ois('S2', 'receive', N, 5, kRec),
    ois('P1', 'pay', 40e6, 5, parRate(5), at('N2', 'C2')),
    ois('P2', 'pay', 60e6, 10, parRate(10), at('N2', 'C2')),
    ois('X1', 'pay', 50e6, 5, k5, at('NS-A', 'LCH', true)),
    ois('X2', 'receive', 50e6, 5, k5, at('NS-B', 'LCH', true)),
    ois('X3', 'receive', 50e6, 5, k5, at('NS-C', 'CC', true)),
    ois('A', 'pay', 100e6, 5, k5 + 1e-5, at('N3', 'C3')),
    ois('B', 'receive', 70e6, 5, k5 + 2e-5, at('N3', 'C3')),
    ois('C', 'receive', 25e6, 10, parRate(10), at('N3', 'C3')),
    ois('Q1', 'pay', N, 5, kPay, at('N4', 'C4')),
    ois('Q2', 'receive', N, 5, kPay + 5e-4, at('N4', 'C4')),
  ];
  const sets = [
    nettingSet('N1', 'C1'),
    nettingSet('N2', 'C2'),
    nettingSet('N3', 'C3'),
    nettingSet('N4', 'C4'),
    nettingSet('NS-A', 'LCH', { cleared: true, ccp: 'LCH', csa: true }),
    nettingSet('NS-B', 'LCH', { cleared: true, ccp: 'LCH', csa: true }),
    nettingSet('NS-C', 'CC', { cleared: true, ccp: 'LCH', csa: true }),
  ];
  const portfolio = book(trades, sets);
  // started when the file is collected, so that the solver workers of every describe run side by side
  const runs = Promise.all([compressBook(portfolio, market), compressBook(portfolio, market)]);
  let first: CompressionResult;
  let second: CompressionResult;
  beforeAll(async () => {
    [first, second] = await runs;
  });
  const action = (id: string): Action => {
    const a = first.actions.find((x) => x.actionId === id);
    if (!a) throw new Error(`no action ${id}`);
    return a;
  };

  it('two offsetting swaps are both terminated with no replacement; SA-CCR EAD falls from 1.4·V to 0 (CRE52)', () => {
    const a = action('compression-N1');
    expect(a.amendment.removeTradeIds).toEqual(['S1', 'S2']);
    expect(a.amendment.addTrades).toEqual([]);
    expect(details(a, 'grossNotionalBefore')).toBe(2 * N);
    expect(details(a, 'grossNotionalAfter')).toBe(0);

    // The value given up is settled in cash: −V by hand (closed-form annuity), to 1e-4 USD (floating point).
    const vHand = N * (kRec - kPay) * annuity(5);
    expect(vHand).toBeGreaterThan(4000);
    expect(vHand).toBeLessThan(DEFAULT_COMPRESSION_OPTIONS.pvToleranceUsd);
    expect(details(a, 'pvChangeUsd')).toBeCloseTo(-vHand, 4);

    // SA-CCR by hand, CRE52.1: EAD = α·(RC + PFE), α = 1.4. Unmargined, no collateral: RC = max(V − C, 0) = V
    // (CRE52.10). Both swaps have the same supervisory duration and maturity factor and opposite δ (CRE52.38-40),
    // so the hedging set's effective notional and the IR add-on are 0 and PFE = multiplier × 0 = 0.
    const eadBefore = 1.4 * (Math.max(vHand - 0, 0) + 0);
    const before = computeSaccr(portfolio, market).nettingSets.find((n) => n.nettingSetId === 'N1')!;
    expect(before.ead).toBeCloseTo(eadBefore, 4);
    // After: the set holds no trade. V = 0, C = 0 → RC = 0; no position → add-on 0 → EAD = 1.4·(0 + 0) = 0.
    const after = computeSaccr(applyAmendment(portfolio, a.amendment), market).nettingSets.find((n) => n.nettingSetId === 'N1')!;
    expect(after.tradeCount).toBe(0);
    expect(after.ead).toBe(0);
  });

  it('cleared trades at one CCP compress together across the house accounts (one action for the CCP), never with a client\'s', () => {
    const a = action('compression-CCP-LCH');
    expect(a).toMatchObject({ nettingSetIds: ['NS-A', 'NS-B'], counterpartyIds: ['LCH'], tradeIds: ['X1', 'X2'] });
    // the client's account is its own group: one trade, nothing to compress
    expect(first.groups.find((g) => g.groupId === 'NS-C')).toMatchObject({ nettingSetIds: ['NS-C'], tradeCount: 1 });
    expect(first.groups.find((g) => g.groupId === 'CCP-LCH')!.nettingSetIds).toEqual(['NS-A', 'NS-B']);
    expect(a.amendment).toMatchObject({ removeTradeIds: ['X1', 'X2'], addTrades: [] });
    expect(details(a, 'grossNotionalReduction')).toBe(100e6);
    expect(details(a, 'ccp')).toBe('LCH');
  });

  it('two payer swaps give no action (swapping them for one of the same gross notional is no saving)', () => {
    expect(first.actions.map((a) => a.actionId)).toEqual(['compression-CCP-LCH', 'compression-N1', 'compression-N3']);
    expect(first.groups.find((g) => g.groupId === 'N2')).toEqual({
      groupId: 'N2', nettingSetIds: ['N2'], tradeCount: 2, candidateCount: 2, outcome: 'nothing_to_compress', lpStatus: 'optimal', grossNotionalBefore: 100e6, grossNotionalAfter: 100e6,
    });
  });

  it('two offsetting swaps stay when their cash settlement V exceeds the PV tolerance', () => {
    const vHand = N * 5e-4 * annuity(5);
    expect(vHand).toBeGreaterThan(DEFAULT_COMPRESSION_OPTIONS.pvToleranceUsd);
    expect(first.groups.find((g) => g.groupId === 'N4')).toMatchObject({ outcome: 'nothing_to_compress', candidateCount: 2 });
  });

  it('the 5y pair of N3 is replaced by one 5y payer of the net 30m (within the default 100 USD/bp per vertex)', () => {
    const a = action('compression-N3');
    expect(a.amendment.removeTradeIds).toEqual(['A', 'B']);
    const rep = a.amendment.addTrades[0] as InterestRateSwap;
    expect(a.amendment.addTrades).toHaveLength(1);
    expect(rep).toMatchObject({ tradeId: 'CMP-N3-1', direction: 'pay', nettingSetId: 'N3', counterpartyId: 'C3' });
    // 100 USD/bp on a 5y vertex delta of ~440 USD/bp per million lets the notional shade by up to ~0.23m; C is kept
    // (replacing it by a 10y receiver shaded by ~0.1m saves less than the 1m a new trade costs in the objective)
    expect(Math.abs(rep.fixedLeg.notional - 30e6)).toBeLessThan(0.25e6);
    expect(details(a, 'grossNotionalAfter')).toBeCloseTo(25e6 + rep.fixedLeg.notional, 2);
  });

  it('is deterministic: the same book gives the same groups, actions, ids and order; all groups in one solver batch', () => {
    const strip = (r: CompressionResult) => ({ ...r, actions: r.actions.map((x) => ({ ...x, details: { ...x.details, lpBatchSeconds: 0 } })) });
    expect(strip(second)).toEqual(strip(first));
    expect(first.actions.every((a) => a.details['lpBatchGroups'] === 5)).toBe(true);
  });
});

describe('compression: two of three swaps partially offset', () => {
  const k5 = parRate(5);
  const k10 = parRate(10);
  const trades = [ois('A', 'pay', 100e6, 5, k5), ois('B', 'receive', 60e6, 5, k5), ois('C', 'pay', 50e6, 10, k10)];
  const tolIr = 0.01;
  const run = compressionActions(book(trades), market, { irDeltaToleranceUsdPerBp: tolIr, maxReplacements: 2 });

  it('gives one replacement of the hand net notional (100m pay − 60m receive = 40m pay, 5y at par)', async () => {
    const [a] = await run;
    expect(a!.amendment.removeTradeIds).toEqual(['A', 'B']);
    expect(a!.amendment.addTrades).toHaveLength(1);
    const rep = a!.amendment.addTrades[0] as InterestRateSwap;
    expect(rep).toMatchObject({ tradeId: 'CMP-N1-1', product: 'OIS', direction: 'pay', nettingSetId: 'N1', counterpartyId: 'C1', cleared: false });
    expect(rep.fixedLeg.maturityDate).toBe(addMonths(asOf, 60));
    // at par: the fixed rate is the hand par rate (1 − P(T))/A, so the replacement is worth ~0
    expect(rep.fixedLeg.fixedRate).toBeCloseTo(k5, 12);
    expect(Math.abs(priceTrade(rep, market).npv)).toBeLessThan(1e-6 * rep.fixedLeg.notional);
    // The MILP minimises notional, so it may shade the replacement within the tightest bucket tolerance:
    // |N − 40m| ≤ tol / (largest bucket delta per unit of notional) + the cent rounding of the notional.
    const unit = tradeRisk({ ...rep, fixedLeg: { ...rep.fixedLeg, notional: 1 }, floatLeg: { ...rep.floatLeg, notional: 1 } }, market, 'USD', false);
    if (!unit.ok) throw new Error(unit.reason);
    const maxPerUnit = Math.max(...[...unit.risk.factors.values()].map(Math.abs));
    expect(Math.abs(rep.fixedLeg.notional - 40e6)).toBeLessThanOrEqual(tolIr / maxPerUnit + 0.01);
    expect(tolIr / maxPerUnit).toBeLessThan(100); // i.e. the net to better than 0.00025%
    expect(details(a!, 'grossNotionalAfter')).toBeCloseTo(50e6 + rep.fixedLeg.notional, 2);
    expect(details(a!, 'tradesTerminated')).toBe(2);
  });
});

describe('compression: risk tolerances on the amended book', () => {
  const fwd = (tradeId: string, direction: 'buy' | 'sell', notional: number, months: number, rate: number): FxForward => ({
    tradeId, counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, product: 'FXFWD', direction, currency: 'EUR', notional, currency2: 'USD', notional2: notional * rate, maturityDate: addMonths(asOf, months),
  });
  const option: FxOption = {
    tradeId: 'O1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, product: 'FXOPT', direction: 'buy', optionType: 'call', currency: 'EUR', notional: 5e6, currency2: 'USD', strike: 1.12, expiryDate: addMonths(asOf, 6), maturityDate: addMonths(asOf, 6),
  };
  // near par (PV of each a few thousand USD): a compression must keep the PV within 25k
  const bp = 1e-4;
  const trades: Trade[] = [
    ois('S1', 'pay', 80e6, 5, parRate(5) + 0.3 * bp),
    ois('S2', 'receive', 50e6, 5, parRate(5) - 0.2 * bp),
    ois('S3', 'receive', 20e6, 7, parRate(7) + 0.4 * bp),
    ois('S4', 'pay', 30e6, 10, parRate(10) - 0.1 * bp),
    fwd('F1', 'buy', 20e6, 3, outright(3) + 0.0004),
    fwd('F2', 'sell', 15e6, 3, outright(3) - 0.0002),
    fwd('F3', 'sell', 4e6, 12, outright(12) + 0.0003),
    option,
  ];
  const tol = { pvToleranceUsd: 25_000, irDeltaToleranceUsdPerBp: 150, fxDeltaToleranceUsd: 2_000 };
  const portfolio = book(trades);
  const run = compressionActions(portfolio, market, { ...tol, maxReplacements: 3 });

  it('PV, IR delta per currency × vertex and FX delta per currency stay within tolerance (CRIF generator + priceTrade)', async () => {
    const [a] = await run;
    expect(a).toBeDefined();
    expect(a!.amendment.removeTradeIds).not.toContain('O1'); // an option is never a compression candidate
    expect(details(a!, 'tradesTerminated')).toBeGreaterThanOrEqual(4);
    const amended = applyAmendment(portfolio, a!.amendment);

    // Independent route: the SIMM CRIF of both books, summed per currency × vertex (IR, every sub-curve) and currency (FX).
    const crif = (p: Portfolio) => {
      const m = new Map<string, number>();
      for (const rec of simmCrifFromPortfolio(p, market).records) {
        if (rec.riskType !== 'Risk_IRCurve' && rec.riskType !== 'Risk_FX') continue;
        const key = rec.riskType === 'Risk_FX' ? `FX ${rec.qualifier}` : `IR ${rec.qualifier} ${rec.label1}`;
        m.set(key, (m.get(key) ?? 0) + rec.amount);
      }
      return m;
    };
    const pvUsd = (p: Portfolio) => p.trades.reduce((s, t) => s + priceTrade(t, market, { collateralCurrency: 'USD' }).npvBase, 0);
    const cb = crif(portfolio);
    const ca = crif(amended);
    let maxIr = 0;
    let maxFx = 0;
    for (const key of new Set([...cb.keys(), ...ca.keys()])) {
      const d = Math.abs((ca.get(key) ?? 0) - (cb.get(key) ?? 0));
      if (key.startsWith('FX')) maxFx = Math.max(maxFx, d);
      else maxIr = Math.max(maxIr, d);
    }
    const dPv = Math.abs(pvUsd(amended) - pvUsd(portfolio));
    // tolerance + the LP check's slack (1e-6 relative) — nothing more
    expect(maxIr).toBeLessThanOrEqual(tol.irDeltaToleranceUsdPerBp * (1 + 1e-6) + 0.01);
    expect(maxFx).toBeLessThanOrEqual(tol.fxDeltaToleranceUsd * (1 + 1e-6) + 0.01);
    expect(dPv).toBeLessThanOrEqual(tol.pvToleranceUsd * (1 + 1e-6) + 0.01);
    // the lever's own re-check reports the same deviations (the same risk, recomputed from the trades) to 1e-6 USD
    expect(details(a!, 'maxDeviationIrDeltaUsdPerBp')).toBeCloseTo(maxIr, 6);
    expect(details(a!, 'maxDeviationFxDeltaUsd')).toBeCloseTo(maxFx, 6);
    expect(details(a!, 'maxDeviationPvUsd')).toBeCloseTo(dPv, 6);

    // gross notional by hand: EUR forwards at spot 1.1, the option counted at its notional
    const grossBefore = (80 + 50 + 20 + 30) * 1e6 + (20 + 15 + 4 + 5) * 1e6 * 1.1;
    expect(details(a!, 'grossNotionalBefore')).toBeCloseTo(grossBefore, 4);
    const notionalBase = (t: Trade) => (t.product === 'OIS' ? t.fixedLeg.notional : t.product === 'FXFWD' || t.product === 'FXOPT' ? t.notional * 1.1 : NaN);
    expect(details(a!, 'grossNotionalAfter')).toBeCloseTo(amended.trades.reduce((s, t) => s + notionalBase(t), 0), 4);
    expect(details(a!, 'grossNotionalAfter')).toBeLessThan(grossBefore * 0.6);
  });
});

describe('compression: cleared trades with acrossCcp off', () => {
  it('are left alone: each netting set alone has nothing to offset (no solve at all)', async () => {
    const sets = [nettingSet('NS-A', 'CA', { cleared: true, ccp: 'LCH', csa: true }), nettingSet('NS-B', 'CB', { cleared: true, ccp: 'LCH', csa: true })];
    const k5 = parRate(5);
    const trades = [
      ois('X1', 'pay', 50e6, 5, k5, { counterpartyId: 'CA', nettingSetId: 'NS-A', cleared: true, ccp: 'LCH' }),
      ois('X2', 'receive', 50e6, 5, k5, { counterpartyId: 'CB', nettingSetId: 'NS-B', cleared: true, ccp: 'LCH' }),
    ];
    const result = await compressBook(book(trades, sets), market, { acrossCcp: false });
    expect(result.actions).toEqual([]);
    expect(result.groups.map((g) => [g.groupId, g.outcome])).toEqual([
      ['NS-A', 'too_few_candidates'],
      ['NS-B', 'too_few_candidates'],
    ]);
  });
});

describe('compression MILP against brute force (second method)', () => {
  // Ten par swaps in two tenors (each tenor's risk vectors proportional): a subset may be terminated when its signed
  // notionals per tenor net to within the tolerance — a subset-sum problem with several feasible answers.
  const spec: [string, 'pay' | 'receive', number, number][] = [
    ['T01', 'pay', 30, 5], ['T02', 'receive', 20, 5], ['T03', 'receive', 10, 5], ['T04', 'pay', 15, 5], ['T05', 'receive', 25, 5],
    ['T06', 'pay', 40, 10], ['T07', 'receive', 40, 10], ['T08', 'pay', 25, 10], ['T09', 'receive', 10, 10], ['T10', 'receive', 17, 10],
  ];
  const trades = spec.map(([id, dir, n, y]) => ois(id, dir, n * 1e6, y, parRate(y)));
  const tol = { pvUsd: 10_000, irUsdPerBp: 50, fxUsd: 1_000 };
  const leverRun = compressionActions(book(trades), market, { maxReplacements: 0, pvToleranceUsd: tol.pvUsd, irDeltaToleranceUsdPerBp: tol.irUsdPerBp });

  it('the optimum over 2^10 keep/terminate choices equals the MILP optimum', async () => {
    const risks = trades.map((t) => {
      const x = tradeRisk(t, market, 'USD', false);
      if (!x.ok) throw new Error(x.reason);
      return x.risk;
    });
    const factors = [...new Set(risks.flatMap((x) => [...x.factors.keys()]))];

    let best = Infinity;
    let feasibleCount = 0;
    for (let mask = 0; mask < 1 << trades.length; mask++) {
      // bit set = terminated; the change of each factor is −Σ over terminated trades
      let ok = true;
      let pv = 0;
      for (let i = 0; i < trades.length; i++) if (mask & (1 << i)) pv += risks[i]!.pvUsd;
      if (Math.abs(pv) > tol.pvUsd) ok = false;
      for (const f of factors) {
        if (!ok) break;
        let s = 0;
        for (let i = 0; i < trades.length; i++) if (mask & (1 << i)) s += risks[i]!.factors.get(f) ?? 0;
        if (Math.abs(s) > tol.irUsdPerBp) ok = false;
      }
      if (!ok) continue;
      feasibleCount++;
      let kept = 0;
      for (let i = 0; i < trades.length; i++) if (!(mask & (1 << i))) kept += spec[i]![2] * 1e6;
      best = Math.min(best, kept);
    }
    // By hand: a terminated subset must net to zero per tenor (a 1m residual moves a vertex by hundreds of USD/bp).
    // 5y (+30 +15 −20 −10 −25): {} or {+30 −20 −10} or {+30 +15 −20 −25}; the best keeps −10.
    // 10y (+40 −40 +25 −10 −17): {} or {+40 −40} (25 ≠ 10 + 17); the best keeps 25 + 10 + 17 = 52.
    // So 3 × 2 = 6 feasible choices and the least kept gross notional is 10 + 52 = 62m.
    expect(feasibleCount).toBe(6);
    expect(best).toBe(62e6);

    const milp = buildCompressionMilp(trades.map((t, i) => ({ notionalBase: spec[i]![2] * 1e6, risk: risks[i]! })), [], tol, 0);
    const solution = await solveLp(milp.lp, { mipRelativeGap: 1e-9 });
    expect(solution.status).toBe('optimal');
    expect((solution.objective + milp.objectiveOffset) * 1e6).toBeCloseTo(best, 2);

    // and the lever end to end (no replacements allowed) reaches the same gross notional
    const [a] = await leverRun;
    expect(details(a!, 'grossNotionalAfter')).toBeCloseTo(best, 2);
  });
});

describe('compression: the solves stop at a node limit, not at a time limit', () => {
  it('defaults to 1,000 branch-and-bound nodes a solve with a 120 s time limit as a safety net, and checks maxNodes', () => {
    // The node limit is a work limit (optimize-lp.test.ts: a MILP stopped by it returns the same incumbent every time);
    // the old default time limit of 10 s bound first on the demo book, so its plan depended on the machine's load.
    const o = resolveCompressionOptions({});
    expect(o.maxNodes).toBe(1_000);
    expect(o.timeLimitSeconds).toBe(120);
    expect(resolveCompressionOptions({ maxNodes: 50 }).maxNodes).toBe(50);
    for (const bad of [0, 2.5, -1, Number.NaN]) expect(() => resolveCompressionOptions({ maxNodes: bad })).toThrow(/compression option maxNodes/);
  });
});

describe('compression: batches solved side by side', () => {
  it('give the same answers, bit for bit, with one solve at a time and with four (each stops at its node limit)', async () => {
    // Four market-split programs with slacks (helpers/marketSplit.ts): 10 nodes stop each with an incumbent.
    const programs = [11, 22, 33, 44].map((seed) => marketSplitProgram(seed).lp);
    // 30 binaries a program: a batch of at most 30 integers holds one program, so four batches
    expect(batches(programs, 30)).toEqual([[0], [1], [2], [3]]);
    const options = { timeLimitSeconds: 600, mipRelativeGap: 1e-4, maxIntegersPerBatch: 30, mipMaxNodes: 10 };
    const [one, four] = await Promise.all([solveBlocks(programs, { ...options, concurrency: 1 }), solveBlocks(programs, { ...options, concurrency: 4 })]);
    const strip = (r: BlockSolution[]) => r.map((s) => ({ status: s.status, values: Array.from(s.values), objective: s.objective, blocks: s.batchBlocks }));
    expect(strip(four)).toEqual(strip(one));
    expect(one.every((s) => s.status === 'node_limit' && s.values.length === 38)).toBe(true);
  });
});

describe('compression: a first exchange of notionals still to settle keeps a trade out', () => {
  // A EUR/USD fixed/fixed XCCY starting in 3 months: its initial exchange offsets the final one in today's FX delta
  // (receive EUR 10m at the start, pay it back at the end: a delta of 10m·1.1·(P_EUR(T) − P_EUR(s)) per unit of spot),
  // and once it settles the delta is the whole final exchange's (about 10m·1.1·P_EUR(T)). Matching today's deltas would
  // take that later risk out of the book unseen (the optimiser audit's forward-starting XCCY: 2,120 USD per 1% today,
  // 295,039 after). The same swap started today (its initial exchange paid) stays a candidate.
  const terms = (start: DateSerial) => ({ startDate: start, maturityDate: addMonths(asOf, 60), frequency: '1Y', dayCount: 'ACT/360', businessDayConvention: 'U', stub: 'short_front', endOfMonth: false }) as const;
  const xccy = (start: DateSerial): Trade =>
    ({
      tradeId: 'X1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, product: 'XCCY', direction: 'receive', initialExchange: true, finalExchange: true,
      leg1: { kind: 'fixed', currency: 'EUR', notional: 1e7, fixedRate: 0.02, ...terms(start) },
      leg2: { kind: 'fixed', currency: 'USD', notional: 1.1e7, fixedRate: 0.035, ...terms(start) },
    }) as Trade;

  it('an XCCY whose initial exchange is after the as-of date, and an FX swap before its near date, are not candidates', () => {
    const forward = tradeRisk(xccy(addMonths(asOf, 3)), market, 'USD', false);
    expect(forward).toEqual({
      ok: false,
      reason: "its first exchange of notionals (2026-09-30) is still to settle: after it the trade's FX delta is its whole notional's, which today's deltas compression matches do not show",
    });
    expect(tradeRisk(xccy(asOf), market, 'USD', false).ok).toBe(true);
    const fxSwap = { tradeId: 'S1', counterpartyId: 'C1', nettingSetId: 'N1', cleared: false, product: 'FXSWAP', direction: 'buy', currency: 'EUR', currency2: 'USD', notional: 1e7, nearRate: 1.1, farRate: 1.11, nearDate: addMonths(asOf, 1), maturityDate: addMonths(asOf, 7) } as unknown as Trade;
    const swapOut = tradeRisk(fxSwap, market, 'USD', false);
    expect(swapOut.ok).toBe(false);
    expect(!swapOut.ok && swapOut.reason).toMatch(/^its first exchange of notionals \(2026-07-30\) is still to settle/);
  });
});
