/**
 * The novation-to-a-CCP lever (src/optimize/levers/novation, docs/optimize-novation.md).
 *
 * References:
 *  - SA-CCR by hand from the Basel text (CRE52): for an unmargined IR netting set SD = (1 − e^{−0.05·E})/0.05
 *    (CRE52.34), d = N·SD, MF = √min(M, 1) (CRE52.48), δ = ±1 (CRE52.39), D = d·MF·δ, the maturity buckets and
 *    EN = √(D1² + D2² + D3² + 1.4·D1·D2 + 1.4·D2·D3 + 0.6·D1·D3) (CRE52.57), AddOn = 0.5%·EN (CRE52.72),
 *    multiplier = min(1, 0.05 + 0.95·exp(V/(2·0.95·AddOn))) (CRE52.23), RC = max(V, 0) (CRE52.10),
 *    EAD = 1.4·(RC + multiplier·AddOn) (CRE52.1). For the CCP netting set: margined, MPoR = max(5, the 10-day floor
 *    of cleared trade exposures, CRE54), MF = 1.5·√(10/250) (CRE52.52), RC = max(V − C, TH + MTA − NICA, 0)
 *    (CRE52.18) with C = VM = V: the new account has no balance on file and calculates its VM, the CCP's daily call
 *    at today's value with zero thresholds (docs/capital.md), so RC = 0 and the multiplier is 1; the CRE52.2 cap
 *    checked by hand. The bilateral set holds no balance: C = 0 there.
 *  - RWA = EAD × RW: 75% for a BBB corporate (CRE20.42), 2% for trade exposures to a QCCP (CRE54.14).
 *  - Times: ACT/ACT ISDA from the as-of date (src/capital/saccr convention), computed here from calendar days.
 * Trade values V are today's prices (priceTrade, tested in pricing-swaps.test.ts): they are inputs of CRE52, not what
 * is checked. Tolerance 1e-9 relative: the hand formulas and the library are the same arithmetic in another order.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeRwa } from '../src/capital/rwa.js';
import { computeSaccr } from '../src/capital/saccr/index.js';
import { fromYmd } from '../src/conventions/dates.js';
import { XvaInputError, XvaUsageError } from '../src/errors.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { applyAmendment, buildMeasureContext, measureAmendment, measureBase } from '../src/optimize/measure/index.js';
import { capitalOfSets } from '../src/optimize/measure/capital.js';
import { novationActions, novatedTradeId, novationExtraMporDays, withNovationNet } from '../src/optimize/levers/novation/index.js';
import { priceTrade } from '../src/pricing/index.js';
import type { Counterparty, NettingSet, Portfolio } from '../src/portfolio/types.js';
import type { CreditDefaultSwap, FloatLeg, InterestRateSwap, Trade } from '../src/products/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MARKET_FILE = path.join(here, 'data/small/market.yaml');

// ---------------------------------------------------------------------------------------------------- the test book

const counterparty = (over: Partial<Counterparty> & { counterpartyId: string }): Counterparty => ({
  name: over.counterpartyId,
  sector: 'consumer',
  rating: 'BBB',
  region: 'north_america',
  qccp: false,
  ...over,
});

const unmargined = (nettingSetId: string, counterpartyId: string, over: Partial<NettingSet> = {}): NettingSet => ({
  nettingSetId,
  counterpartyId,
  csa: false,
  thresholdCpty: 0,
  thresholdBank: 0,
  mtaCpty: 0,
  mtaBank: 0,
  independentAmountCpty: 0,
  independentAmountBank: 0,
  rounding: 0,
  marginPeriodOfRiskDays: 0,
  marginFrequencyDays: 0,
  imModel: 'none',
  collateralCurrency: 'USD',
  cleared: false,
  ...over,
});

function irs(tradeId: string, nettingSetId: string, counterpartyId: string, t: { direction: 'pay' | 'receive'; currency?: 'USD' | 'EUR' | 'NZD'; notional: number; start: number; end: number; rate: number; cleared?: boolean }): InterestRateSwap {
  const currency = t.currency ?? 'USD';
  const schedule = { startDate: t.start, maturityDate: t.end, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    tradeId,
    counterpartyId,
    nettingSetId,
    cleared: t.cleared ?? false,
    product: 'IRS',
    direction: t.direction,
    fixedLeg: { ...schedule, kind: 'fixed', currency, notional: t.notional, fixedRate: t.rate, frequency: '6M', dayCount: '30/360' },
    floatLeg: { ...schedule, kind: 'float', currency, notional: t.notional, floatIndex: currency === 'USD' ? 'USD-SOFR' : `${currency}-X`, spreadBp: 0, frequency: '3M', dayCount: 'ACT/360' },
  };
}

function cds(tradeId: string, nettingSetId: string, counterpartyId: string, referenceEntity: string, notional: number): CreditDefaultSwap {
  return {
    tradeId,
    counterpartyId,
    nettingSetId,
    cleared: false,
    product: 'CDS',
    direction: 'buy',
    referenceEntity,
    currency: 'USD',
    notional,
    fixedRate: 0.01,
    startDate: fromYmd(2026, 6, 22),
    maturityDate: fromYmd(2031, 6, 20),
    frequency: '3M',
    dayCount: 'ACT/360',
  };
}

/** S1 (10y payer, 100m) and S2 (3y receiver, 50m) with a BBB corporate, uncollateralised. */
function swapBook(): Portfolio {
  return {
    trades: [
      irs('S1', 'NS_BIL', 'CP_CORP', { direction: 'pay', notional: 100e6, start: fromYmd(2026, 1, 7), end: fromYmd(2036, 1, 7), rate: 0.036 }),
      irs('S2', 'NS_BIL', 'CP_CORP', { direction: 'receive', notional: 50e6, start: fromYmd(2025, 7, 16), end: fromYmd(2029, 7, 16), rate: 0.034 }),
    ],
    counterparties: [counterparty({ counterpartyId: 'CP_CORP' })],
    nettingSets: [unmargined('NS_BIL', 'CP_CORP')],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

/** The swap book plus trades that must not be proposed, and a second bilateral set. */
function mixedBook(): Portfolio {
  const book = swapBook();
  const fx: Trade = { tradeId: 'F1', counterpartyId: 'CP_BANK', nettingSetId: 'NS_MIX', cleared: false, product: 'FXFWD', direction: 'buy', currency: 'EUR', notional: 5e6, currency2: 'USD', notional2: 5.45e6, maturityDate: fromYmd(2027, 3, 31) };
  return {
    ...book,
    trades: [
      ...book.trades,
      fx,
      irs('N1', 'NS_MIX', 'CP_BANK', { direction: 'pay', currency: 'NZD', notional: 80e6, start: fromYmd(2026, 1, 7), end: fromYmd(2031, 1, 7), rate: 0.04 }),
      irs('E1', 'NS_MIX', 'CP_BANK', { direction: 'receive', currency: 'EUR', notional: 20e6, start: fromYmd(2026, 1, 7), end: fromYmd(2033, 1, 7), rate: 0.025 }),
      irs('K1', 'NS_MIX', 'CP_BANK', { direction: 'pay', notional: 300e6, start: fromYmd(2026, 1, 7), end: fromYmd(2031, 1, 7), rate: 0.04, cleared: true }),
      irs('OLD', 'NS_MIX', 'CP_BANK', { direction: 'pay', notional: 70e6, start: fromYmd(2021, 1, 7), end: fromYmd(2026, 1, 7), rate: 0.01 }),
      cds('C1', 'NS_MIX', 'CP_BANK', 'ACME_CORP', 10e6),
      cds('C2', 'NS_MIX', 'CP_BANK', 'CDX_IG', 25e6),
    ],
    counterparties: [...book.counterparties, counterparty({ counterpartyId: 'CP_BANK', sector: 'financial', rating: 'A', region: 'europe', cdsCurve: 'BANK_ALPHA' })],
    nettingSets: [...book.nettingSets, unmargined('NS_MIX', 'CP_BANK')],
  };
}

let market: Market;
beforeAll(() => {
  market = loadMarket(MARKET_FILE);
});

// ------------------------------------------------------------------------------------------------------ candidates

describe('novation candidates', () => {
  it('proposes IRS/OIS in the clearable currencies only: not FX, not NZD (outside the default list), not cleared, not matured, not single-name CDS', () => {
    const actions = novationActions(mixedBook(), market);
    const proposed = new Set(actions.flatMap((a) => a.tradeIds));
    expect([...proposed].sort()).toEqual(['E1', 'S1', 'S2']);
    const mix = actions.find((a) => a.actionId === 'novation:set:NS_MIX')!;
    expect(mix.tradeIds).toEqual(['E1']);
    expect(mix.details.notClearableInSet).toBe('already_cleared 1, currency 1, matured 1, product 1, single_name_cds 2');
  });

  it('proposes a single-currency basis swap in a clearable currency (not in NZD), ranked by its notional in the base currency', () => {
    const estrLeg = (currency: 'EUR' | 'NZD', index: string): FloatLeg => ({
      kind: 'float', currency, notional: 30e6, floatIndex: index, spreadBp: 9, frequency: '3M', dayCount: 'ACT/360', startDate: fromYmd(2026, 1, 7), maturityDate: fromYmd(2031, 1, 7),
      businessDayConvention: 'MF', stub: 'short_front', endOfMonth: false,
    });
    const basis = (tradeId: string, currency: 'EUR' | 'NZD', a: string, b: string): Trade => ({
      tradeId, counterpartyId: 'CP_BANK', nettingSetId: 'NS_MIX', cleared: false, product: 'BASIS', direction: 'pay', leg1: estrLeg(currency, a), leg2: { ...estrLeg(currency, b), spreadBp: 0, frequency: '6M' },
    });
    const book = mixedBook();
    const withBasis: Portfolio = { ...book, trades: [...book.trades, basis('B1', 'EUR', 'EUR-ESTR', 'EUR-EURIBOR-6M'), basis('B2', 'NZD', 'NZD-OCR', 'NZD-BKBM-3M')] };
    const mix = novationActions(withBasis, market).find((a) => a.actionId === 'novation:set:NS_MIX')!;
    // B1 30m EUR (32.55m USD at 1.085) before E1 20m EUR; B2 stays (NZD is not in the default list)
    expect(mix.tradeIds).toEqual(['B1', 'E1']);
    expect(mix.details.novatedNotionalBase).toBeCloseTo((30e6 + 20e6) * 1.085, 3);
    expect(mix.details.notClearableInSet).toBe('already_cleared 1, currency 2, matured 1, product 1, single_name_cds 2');
    expect(mix.amendment.addTrades.find((t) => t.tradeId === 'B1-NOV-LCH')).toMatchObject({ product: 'BASIS', cleared: true, leg1: { floatIndex: 'EUR-ESTR' } });
  });

  it('proposes an index CDS when reference_entities marks its name an index; the currency list is an option', () => {
    const referenceEntities = new Map([['CDX_IG', { name: 'CDX_IG', isIndex: true, grade: 'IG' as const }]]);
    const actions = novationActions(mixedBook(), market, { referenceEntities });
    const mix = actions.find((a) => a.actionId === 'novation:set:NS_MIX')!;
    // largest notional first, in the base currency (EUR at 1.085): C2 25m, E1 21.7m
    expect(mix.tradeIds).toEqual(['C2', 'E1']);
    expect(mix.details.novatedNotionalBase).toBeCloseTo(25e6 + 20e6 * 1.085, 3);
    // without EUR in the list E1 stays bilateral
    const usdOnly = novationActions(mixedBook(), market, { referenceEntities, clearableCurrencies: ['USD'] });
    expect(usdOnly.find((a) => a.actionId === 'novation:set:NS_MIX')!.tradeIds).toEqual(['C2']);
  });

  it('skips every trade of a netting set already cleared, and proposes nothing for a book without clearable trades', () => {
    const book = swapBook();
    const ccpBook: Portfolio = {
      ...book,
      counterparties: [...book.counterparties, counterparty({ counterpartyId: 'CP_CCP', sector: 'financial', rating: 'AA', region: 'europe', qccp: true })],
      nettingSets: [unmargined('NS_BIL', 'CP_CCP', { cleared: true, ccp: 'LCH', csa: true, marginPeriodOfRiskDays: 5, marginFrequencyDays: 1 })],
      trades: book.trades.map((t) => ({ ...t, counterpartyId: 'CP_CCP' })),
    };
    expect(novationActions(ccpBook, market)).toEqual([]);
  });

  it('one action per bilateral netting set, then the largest trades alone; ids and copies as documented', () => {
    const actions = novationActions(mixedBook(), market, { largestTrades: 2 });
    // sets by clearable notional (NS_BIL 150m, NS_MIX 21.7m), then trades of sets with more than one clearable trade
    expect(actions.map((a) => a.actionId)).toEqual(['novation:set:NS_BIL', 'novation:set:NS_MIX', 'novation:trade:S1', 'novation:trade:S2']);
    const single = actions[2]!;
    expect(single.amendment.removeTradeIds).toEqual(['S1']);
    const copy = single.amendment.addTrades[0]!;
    expect(copy.tradeId).toBe('S1-NOV-LCH');
    expect(novatedTradeId('S1', 'LCH')).toBe('S1-NOV-LCH');
    expect(copy).toMatchObject({ counterpartyId: 'CCP-LCH', nettingSetId: 'NS-CCP-LCH', cleared: true, ccp: 'LCH', product: 'IRS', direction: 'pay' });
    const original = mixedBook().trades.find((t) => t.tradeId === 'S1') as InterestRateSwap;
    expect((copy as InterestRateSwap).fixedLeg).toEqual(original.fixedLeg);
    expect((copy as InterestRateSwap).floatLeg).toEqual(original.floatLeg);
    expect(single.nettingSetIds).toEqual(['NS_BIL', 'NS-CCP-LCH']);
    expect(single.counterpartyIds).toEqual(['CP_CORP', 'CCP-LCH']);
    expect(single.cost).toBe(0);
    // the CCP the lever adds: a QCCP (financial AA, LCH in the uk region) and a house account under daily VM
    expect(single.amendment.upsertCounterparties).toEqual([{ counterpartyId: 'CCP-LCH', name: 'LCH (qualifying CCP, added by the novation lever)', sector: 'financial', rating: 'AA', region: 'uk', qccp: true }]);
    expect(single.amendment.upsertNettingSets).toEqual([
      {
        nettingSetId: 'NS-CCP-LCH', counterpartyId: 'CCP-LCH', csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0,
        independentAmountCpty: 0, independentAmountBank: 0, initialMarginHeld: 0, rounding: 0, marginPeriodOfRiskDays: 5,
        marginFrequencyDays: 1, imModel: 'simm', collateralCurrency: 'USD', cleared: true, ccp: 'LCH', calculateVm: true,
      },
    ]);
    // the small market's financial-AA proxy (no region) is the CCP's credit curve
    expect(single.details.ccpCreditCurve).toMatch(/^proxy:financial-AA/);
  });

  it('bounds the candidates: maxNettingSetActions and largestTrades', () => {
    expect(novationActions(mixedBook(), market, { maxNettingSetActions: 1, largestTrades: 0 }).map((a) => a.actionId)).toEqual(['novation:set:NS_BIL']);
    expect(novationActions(mixedBook(), market, { maxNettingSetActions: 0, largestTrades: 1 }).map((a) => a.actionId)).toEqual(['novation:trade:S1']);
  });

  it('is deterministic: the same actions for the same inputs and for the book in another order', () => {
    const a = novationActions(mixedBook(), market);
    const b = novationActions(mixedBook(), market);
    expect(b).toEqual(a);
    const book = mixedBook();
    const shuffled: Portfolio = { ...book, trades: [...book.trades].reverse(), nettingSets: [...book.nettingSets].reverse(), counterparties: [...book.counterparties].reverse() };
    expect(novationActions(shuffled, market)).toEqual(a);
  });

  it('uses the book own account at the CCP when it models IM by SIMM; otherwise a new SIMM account of the same QCCP (option ccpAccount)', () => {
    const book = mixedBook();
    const withCcp = (imModel: 'simm' | 'none'): Portfolio => ({
      ...book,
      counterparties: [...book.counterparties, counterparty({ counterpartyId: 'CP_DELTA', sector: 'financial', rating: 'AA', region: 'europe', qccp: true })],
      nettingSets: [...book.nettingSets, unmargined('NS_DELTA', 'CP_DELTA', { csa: true, cleared: true, ccp: 'DELTA', marginPeriodOfRiskDays: 5, marginFrequencyDays: 1, imModel })],
    });
    const [first] = novationActions(withCcp('simm'), market, { ccp: 'DELTA', feePerTrade: 250 });
    expect(first!.amendment.upsertNettingSets).toEqual([]);
    expect(first!.amendment.upsertCounterparties).toEqual([]);
    expect(first!.amendment.addTrades.map((t) => [t.tradeId, t.nettingSetId, t.counterpartyId, t.ccp])).toEqual([
      ['S1-NOV-DELTA', 'NS_DELTA', 'CP_DELTA', 'DELTA'],
      ['S2-NOV-DELTA', 'NS_DELTA', 'CP_DELTA', 'DELTA'],
    ]);
    expect(first!.cost).toBe(500);
    expect(first!.details.ccpAccount).toBe('existing');

    // the book's account models no IM: a new account NS-CCP-DELTA of CP_DELTA with SIMM (the CCP's IM is not left out)
    const [auto] = novationActions(withCcp('none'), market, { ccp: 'DELTA' });
    expect(auto!.amendment.upsertCounterparties).toEqual([]);
    expect(auto!.amendment.upsertNettingSets.map((n) => [n.nettingSetId, n.counterpartyId, n.imModel, n.cleared, n.ccp])).toEqual([['NS-CCP-DELTA', 'CP_DELTA', 'simm', true, 'DELTA']]);
    expect(auto!.amendment.addTrades.map((t) => [t.nettingSetId, t.counterpartyId])).toEqual([['NS-CCP-DELTA', 'CP_DELTA'], ['NS-CCP-DELTA', 'CP_DELTA']]);
    expect(auto!.details).toMatchObject({ ccpAccount: 'new', ccpCounterpartyAdded: 'no', ccpImModel: 'simm' });
    // forced: the existing account as it is, or always a new one
    expect(novationActions(withCcp('none'), market, { ccp: 'DELTA', ccpAccount: 'existing' })[0]!.amendment.addTrades[0]!.nettingSetId).toBe('NS_DELTA');
    expect(novationActions(withCcp('simm'), market, { ccp: 'DELTA', ccpAccount: 'new' })[0]!.amendment.addTrades[0]!.nettingSetId).toBe('NS-CCP-DELTA');
    // after applying a 'new' amendment, the lever's own account is reused (nothing upserted again)
    const once = applyAmendment(withCcp('none'), auto!.amendment);
    const again = novationActions(once, market, { ccp: 'DELTA' });
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((a) => a.amendment.upsertNettingSets.length === 0 && a.amendment.addTrades.every((t) => t.nettingSetId === 'NS-CCP-DELTA'))).toBe(true);
  });

  it('refuses a non-qualifying CCP, an unknown CCP without region, and a novated id already in the book', () => {
    const book = swapBook();
    const nonQualifying: Portfolio = {
      ...book,
      counterparties: [...book.counterparties, counterparty({ counterpartyId: 'CP_X', sector: 'financial', rating: 'A', qccp: false, sourceRow: 3 })],
      nettingSets: [...book.nettingSets, unmargined('NS_X', 'CP_X', { csa: true, cleared: true, ccp: 'LCH' })],
    };
    expect(() => novationActions(nonQualifying, market)).toThrow(XvaInputError);
    expect(() => novationActions(nonQualifying, market)).toThrow(/row 3 column qccp: CP_X: expected a qualifying CCP/);
    expect(() => novationActions(book, market, { ccp: 'KDPW' })).toThrow(XvaUsageError);
    expect(() => novationActions(book, market, { ccp: 'KDPW', ccpRegion: 'europe' })).not.toThrow();
    const clash: Portfolio = { ...book, trades: [...book.trades, { ...book.trades[1]!, tradeId: 'S1-NOV-LCH' }] };
    expect(() => novationActions(clash, market)).toThrow(/S1-NOV-LCH: expected an id not in the book/);
    expect(() => novationActions(book, market, { clearableCurrencies: ['USD', 'XXX' as 'USD'] })).toThrow(/clearableCurrencies: 'XXX'/);
  });
});

// ------------------------------------------------------------------------------------------------ SA-CCR by hand

/** ACT/ACT ISDA years between two calendar dates: days in each calendar year over that year's length. */
function actActIsda(from: [number, number, number], to: [number, number, number]): number {
  const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
  const yearLength = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365);
  let years = 0;
  for (let y = from[0]; y <= to[0]; y++) {
    const start = y === from[0] ? day(...from) : day(y, 1, 1);
    const end = y === to[0] ? day(...to) : day(y + 1, 1, 1);
    years += (end - start) / yearLength(y);
  }
  return years;
}

const SF_IR = 0.005; // CRE52.72 Table 2
const ALPHA = 1.4; // CRE52.1
const FLOOR = 0.05; // CRE52.23
const supervisoryDuration = (endYears: number) => (1 - Math.exp(-0.05 * endYears)) / 0.05; // CRE52.34, S = 0
const bucketOf = (endYears: number) => (endYears < 1 ? 0 : endYears <= 5 ? 1 : 2); // CRE52.57(3)

/**
 * EAD of one USD IR netting set (CRE52.1, 10, 18, 23, 57); positions: notional, δ, E; MF per position; C the
 * collateral held (VM, with TH = MTA = NICA = 0).
 */
function irEad(positions: { notional: number; delta: number; endYears: number; mf: number }[], value: number, collateral = 0): number {
  const d = [0, 0, 0];
  for (const p of positions) d[bucketOf(p.endYears)] += p.notional * supervisoryDuration(p.endYears) * p.mf * p.delta;
  const [d1, d2, d3] = d as [number, number, number];
  const en = Math.sqrt(d1 * d1 + d2 * d2 + d3 * d3 + 1.4 * d1 * d2 + 1.4 * d2 * d3 + 0.6 * d1 * d3);
  const addOn = SF_IR * en;
  const multiplier = Math.min(1, FLOOR + (1 - FLOOR) * Math.exp((value - collateral) / (2 * (1 - FLOOR) * addOn)));
  // margined with TH = MTA = NICA = 0: RC = max(V − C, 0, 0); unmargined RC = max(V − C, 0): the same
  const rc = Math.max(value - collateral, 0);
  return ALPHA * (rc + multiplier * addOn);
}

/** The hand SA-CCR of the swap book before and after novating S1 alone (module comment). */
function handEads(book: Portfolio): { eadBefore: number; eadBilateralAfter: number; eadCcp: number; v2: number } {
    const s1 = book.trades[0]!;
    const s2 = book.trades[1]!;
    const v1 = priceTrade(s1, market, { collateralCurrency: 'USD' }).npvBase;
    const v2 = priceTrade(s2, market, { collateralCurrency: 'USD' }).npvBase;
    const e1 = actActIsda([2026, 6, 30], [2036, 1, 7]);
    const e2 = actActIsda([2026, 6, 30], [2029, 7, 16]);
    expect(e1).toBeCloseTo(9 + 185 / 365 + 6 / 366, 12);
    const p1 = { notional: 100e6, delta: +1, endYears: e1, mf: 1 }; // payer: long the rate (CRE52.39); M > 1y: MF 1
    const p2 = { notional: 50e6, delta: -1, endYears: e2, mf: 1 };

    const eadBefore = irEad([p1, p2], v1 + v2);
    const eadBilateralAfter = irEad([p2], v2);
    // CCP set: MPoR max(5, 10) = 10 business days (cleared floor), MF = 1.5·√(10/250) = 0.3 (CRE52.52)
    const mfMargined = 1.5 * Math.sqrt(10 / 250);
    expect(mfMargined).toBeCloseTo(0.3, 15);
    // the CCP calls VM = V (zero thresholds): RC = 0, multiplier 1, EAD = 1.4 × AddOn
    const eadCcpMargined = irEad([{ ...p1, mf: mfMargined }], v1, v1);
    const eadCcpUnmargined = irEad([p1], v1, v1);
    expect(eadCcpMargined).toBeCloseTo(ALPHA * SF_IR * 100e6 * supervisoryDuration(e1) * mfMargined, 6);
    const eadCcp = Math.min(eadCcpMargined, eadCcpUnmargined); // CRE52.2 cap
    expect(eadCcp).toBe(eadCcpMargined);
    return { eadBefore, eadBilateralAfter, eadCcp, v2 };
}

describe('novating one swap to a QCCP: EAD and RWA by hand (CRE52, CRE54.14)', () => {
  it('src/capital on the amended book gives the hand EAD of both netting sets and RWA = EAD × 75% / 2%', () => {
    const book = swapBook();
    const action = novationActions(book, market).find((a) => a.actionId === 'novation:trade:S1')!;
    const amended = applyAmendment(book, action.amendment);
    const { eadBefore, eadBilateralAfter, eadCcp, v2 } = handEads(book);
    expect(v2).toBeLessThan(0); // S2 alone is out of the money: the CRE52.23 multiplier is below 1 after the novation

    const base = computeSaccr(book, market);
    const after = computeSaccr(amended, market);
    const ead = (r: typeof base, id: string) => r.nettingSets.find((n) => n.nettingSetId === id)!.ead;
    expect(ead(base, 'NS_BIL')).toBeCloseTo(eadBefore, -Math.log10(eadBefore * 1e-9));
    expect(ead(after, 'NS_BIL')).toBeCloseTo(eadBilateralAfter, -Math.log10(eadBilateralAfter * 1e-9));
    expect(ead(after, 'NS-CCP-LCH')).toBeCloseTo(eadCcp, -Math.log10(eadCcp * 1e-9));
    expect(after.nettingSets.find((n) => n.nettingSetId === 'NS-CCP-LCH')).toMatchObject({ margined: true, cleared: true, qccpTradeExposure: true, marginPeriodOfRiskDays: 10 });

    const capitalMarket = { capital: { capitalRatio: 0.105 } } as Pick<Market, 'capital'>;
    const rwaBase = computeRwa(base, book.counterparties, capitalMarket);
    const rwaAfter = computeRwa(after, amended.counterparties, capitalMarket);
    const rwaHandBefore = 0.75 * eadBefore; // CRE20.42: BBB corporate
    const rwaHandAfter = 0.75 * eadBilateralAfter + 0.02 * eadCcp; // CRE54.14: 2% QCCP trade exposure
    expect(rwaBase.totalRwa).toBeCloseTo(rwaHandBefore, -Math.log10(rwaHandBefore * 1e-9));
    expect(rwaAfter.totalRwa).toBeCloseTo(rwaHandAfter, -Math.log10(rwaHandAfter * 1e-9));
    expect(rwaAfter.nettingSets.find((n) => n.nettingSetId === 'NS-CCP-LCH')).toMatchObject({ riskWeight: 0.02, riskWeightSource: 'qccp' });

    // the change the lever is about: EAD and RWA both fall
    const dEad = eadBilateralAfter + eadCcp - eadBefore;
    const dRwa = rwaHandAfter - rwaHandBefore;
    expect(dEad).toBeLessThan(0);
    expect(dRwa).toBeLessThan(0);
    expect(after.nettingSets.reduce((s, n) => s + n.ead, 0) - base.nettingSets.reduce((s, n) => s + n.ead, 0)).toBeCloseTo(dEad, -Math.log10(Math.abs(dEad) * 1e-8));
  });
});

describe('collateral balances on file move with the amendment (SA-CCR of the re-measurement)', () => {
  it("a margined bilateral set's VM follows its CSA's call: VM' = VM + call(V') − call(V); the new CCP account calls V", () => {
    // NS_BIL under a CSA with 1m thresholds both ways and a VM balance of 2.5m received on file
    const csaTerms = { csa: true, thresholdCpty: 1e6, thresholdBank: 1e6, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1 };
    const plain = swapBook();
    const book: Portfolio = { ...plain, nettingSets: [unmargined('NS_BIL', 'CP_CORP', csaTerms)] };
    const vm0 = 2.5e6;
    const balances = new Map([['NS_BIL', { nettingSetId: 'NS_BIL', variationMargin: vm0, postedSegregated: false }]]);
    const ctx = buildMeasureContext({ portfolio: book, market, paths: 16, seed: 7, extraMporDays: novationExtraMporDays(), saccrInputs: { collateralBalances: balances } });
    const amended = applyAmendment(book, novationActions(book, market).find((a) => a.actionId === 'novation:trade:S1')!.amendment);

    const v1 = priceTrade(plain.trades[0]!, market, { collateralCurrency: 'USD' }).npvBase;
    const v2 = priceTrade(plain.trades[1]!, market, { collateralCurrency: 'USD' }).npvBase;
    const call = (v: number) => v - Math.min(Math.max(v, -1e6), 1e6); // beyond the thresholds
    const vmAfter = vm0 + call(v2) - call(v1 + v2);
    expect(Math.abs(call(v1 + v2) - call(v2))).toBeGreaterThan(1e5); // the novation moves VM

    const base = capitalOfSets(ctx, book, new Set(['NS_BIL'])).get('NS_BIL')!.saccr;
    expect(base.variationMargin).toBe(vm0); // the base book: the balance as given
    const after = capitalOfSets(ctx, amended, new Set(['NS_BIL', 'NS-CCP-LCH']));
    const bil = after.get('NS_BIL')!.saccr;
    expect(Math.abs(bil.variationMargin - vmAfter)).toBeLessThanOrEqual(1e-6);
    // a second method: SA-CCR of the amended book with that balance written on file gives the same EAD
    const byHand = computeSaccr(amended, market, { collateralBalances: new Map([['NS_BIL', { nettingSetId: 'NS_BIL', variationMargin: vmAfter, postedSegregated: false }]]) });
    const bilHand = byHand.nettingSets.find((n) => n.nettingSetId === 'NS_BIL')!;
    expect(Math.abs(bil.ead - bilHand.ead)).toBeLessThanOrEqual(1e-9 * bilHand.ead);
    expect(Math.abs(bil.replacementCost - Math.max(v2 - vmAfter, 1e6, 0))).toBeLessThanOrEqual(1e-6); // CRE52.18, NICA 0
    // the CCP account has no balance: it calculates its VM, C = V1
    const ccp = after.get('NS-CCP-LCH')!.saccr;
    expect(ccp.variationMarginCalculated).toBe(true);
    expect(Math.abs(ccp.collateral - v1)).toBeLessThanOrEqual(1e-6);
    expect(ccp.replacementCost).toBe(0);
  });
});

// ------------------------------------------------------------------------------------ through the measure core

describe('novation measured by the re-measurement core (same paths and seed)', () => {
  it('ΔEAD and ΔCCR RWA of novating S1 are the hand amounts; novating the whole set leaves it with CVA 0 and gives the CCP set an MVA', async () => {
    const book = swapBook();
    const ctx = buildMeasureContext({ portfolio: book, market, paths: 400, seed: 7, extraMporDays: novationExtraMporDays() });
    const base = await measureBase(ctx);
    const actions = novationActions(book, market);

    const { eadBefore, eadBilateralAfter, eadCcp } = handEads(book);
    const one = await measureAmendment(ctx, base, actions.find((a) => a.actionId === 'novation:trade:S1')!.amendment);
    const dEad = eadBilateralAfter + eadCcp - eadBefore;
    const dRwaCcr = 0.75 * eadBilateralAfter + 0.02 * eadCcp - 0.75 * eadBefore; // CRE20.42, CRE54.14
    expect(one.baseRemeasured).toBe(false); // the CCP's 5-day MPoR is on the base grid (novationExtraMporDays)
    expect(one.delta.ead).toBeCloseTo(dEad, -Math.log10(Math.abs(dEad) * 1e-9));
    expect(one.book.rwaCcr - one.baseBook.rwaCcr).toBeCloseTo(dRwaCcr, -Math.log10(Math.abs(dRwaCcr) * 1e-9));
    // RWA = CCR RWA + 12.5 × BA-CVA (types.ts): the CVA part is the measure core's, the CCR part the hand one
    expect(one.delta.rwa).toBeCloseTo(dRwaCcr + (one.book.rwaCva - one.baseBook.rwaCva), -Math.log10(Math.abs(dRwaCcr) * 1e-9));

    const all = actions.find((a) => a.actionId === 'novation:set:NS_BIL')!;
    const m = await measureAmendment(ctx, base, all.amendment);
    const bilateralBefore = base.sets.get('NS_BIL')!;
    const bilateralAfter = m.sets.get('NS_BIL')!;
    const ccp = m.sets.get('NS-CCP-LCH')!;
    expect(bilateralBefore.cva).toBeGreaterThan(0);
    expect(bilateralAfter.cva).toBe(0); // no trade left: no exposure
    expect(bilateralAfter.ead).toBe(0);
    // the CCP set: IM posted by the bank (SIMM proxy) is funded, MVA > 0; the bilateral set had no IM, so ΔMVA is it
    expect(ccp.mva).toBeGreaterThan(0);
    expect(m.delta.mva).toBeCloseTo(ccp.mva, 6);
    // daily VM with zero threshold: the CCP's CVA (MPoR gap only, AA proxy curve) is far below the bilateral CVA
    expect(ccp.cva).toBeLessThan(0.2 * bilateralBefore.cva);
    expect(m.delta.cva).toBeLessThan(0);
    expect(ccp.riskWeight).toBe(0.02);

    const annotated = withNovationNet(all, m.delta);
    expect(annotated.details.measuredXvaNet).toBeCloseTo(m.delta.cva + m.delta.fva + m.delta.mva, 9);
    expect(annotated.details.measuredEadChange).toBe(m.delta.ead);
  }, 60_000);
});
