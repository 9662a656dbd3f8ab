/**
 * The CSA amendments lever (src/optimize/levers/csa.ts):
 * - a zero-threshold, zero-MTA CSA on an uncollateralised swap set brings its CVA to the CVA of the same trade under
 *   a CSA with only the MPoR (reference: a separate engine measurement of a book built that way, with another seed so
 *   that the two are independent Monte Carlo estimates). Tolerance 4 × sqrt(se1² + se2²), se the conservative CVA
 *   standard errors of xva/compute.ts (a 4-sigma band: a false failure has probability < 1e-4); and far below the
 *   uncollateralised CVA (< 30% of it: a 10-day MPoR leaves the exposure of ~10 days of moves over 5 years);
 * - menu items that cannot apply are not generated (exact menus of hand-made sets);
 * - negotiability by hand (sector base, rating, size factor, item ease), and the ranking order of a 3-set book
 *   checked by hand from the measured deltas; maxSets keeps the sets with the largest CVA + FVA.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { csaBenefit, csaCandidates, csaMenu, negotiabilityScore, runCsaLever } from '../src/optimize/levers/csa.js';
import { buildMeasureContext, measureAmendment, measureBase } from '../src/optimize/measure/index.js';
import { capitalOfSets } from '../src/optimize/measure/capital.js';
import { priceTrade } from '../src/pricing/index.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { REPO_ROOT } from './helpers/paths.js';
import { computeSaccr } from '../src/capital/saccr/index.js';
import { simmCrifFromPortfolio } from '../src/margin/crifFromPortfolio.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import { plainNettingSet as nettingSet, sofrSwap as swap } from './helpers/swapBook.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
let market: Market;
beforeAll(() => {
  market = loadMarket(MARKET_FILE);
});



function oneSwapBook(terms: Partial<NettingSet>): Portfolio {
  return {
    trades: [swap('S1', 'NS-1', 'CP-1', 1e8, 0.03, 5, 'receive')],
    counterparties: [{ counterpartyId: 'CP-1', name: 'One', sector: 'consumer', rating: 'BBB', region: 'north_america', qccp: false }],
    nettingSets: [nettingSet('NS-1', 'CP-1', terms)],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

describe('add_im holds today\'s SIMM, which SA-CCR counts (forty-fourth session\'s optimiser audit)', () => {
  // the audit: add_im lowered CVA (its DIM) and raised MVA, but ΔEAD, ΔKVA and Δcapital were exactly 0: SA-CCR reads
  // IM only from initial_margin_held, which the amendment left unset. Now it writes today's SIMM call on the set.
  it('initial_margin_held = SIMM call of the set; SA-CCR EAD by hand (CRE52.3, 52.10, 52.23) with C = that IM', async () => {
    const portfolio = oneSwapBook({ csa: false });
    const ctx = buildMeasureContext({ portfolio, market, paths: 200, seed: 11, dynamicIm: false });
    const base = await measureBase(ctx);
    const addIm = csaCandidates(ctx, base).find((c) => c.item === 'add_im')!;
    const set = addIm.amendment.upsertNettingSets[0]!;
    expect(set.imModel).toBe('simm');
    const crif = simmCrifFromPortfolio({ ...portfolio, nettingSets: [{ ...portfolio.nettingSets[0]!, imModel: 'simm' }] }, market, { nettingSetIds: ['NS-1'] });
    const simm = calculateSimm(crif.records, { version: '2.6', mporDays: 10 }).find((r) => r.side === 'Call')!.total;
    expect(simm).toBeGreaterThan(1e5);
    expect(set.initialMarginHeld).toBeCloseTo(simm * (set.collateralCurrency === 'USD' ? 1 : market.fxSpot('USD', set.collateralCurrency)), 6);
    // SA-CCR of the amended set by hand: unmargined, C = IM held; RC = max(V − C, 0), multiplier from V − C, EAD = α(RC + m·AddOn)
    const before = computeSaccr(portfolio, market).nettingSets[0]!;
    const after = computeSaccr({ ...portfolio, nettingSets: [set] }, market).nettingSets[0]!;
    const im = set.initialMarginHeld! * (set.collateralCurrency === market.baseCurrency ? 1 : market.fxSpot(set.collateralCurrency, market.baseCurrency));
    const v = before.value;
    const addOn = before.pfe.aggregateAddOn;
    const floor = 0.05;
    const multiplier = Math.min(1, floor + (1 - floor) * Math.exp((v - im) / (2 * (1 - floor) * addOn)));
    expect(after.ead).toBeCloseTo(1.4 * (Math.max(v - im, 0) + multiplier * addOn), 4);
    expect(after.ead).toBeLessThan(before.ead);
    // and the measured action now has capital relief
    const m = await measureAmendment(ctx, base, addIm.amendment);
    expect(m.delta.ead).toBeLessThan(0);
    expect(m.delta.capital).toBeLessThan(0);
  }, 60_000);
});

describe('zero-threshold CSA amendment', () => {
  it('brings CVA to the MPoR-only CSA CVA, far below the uncollateralised CVA', async () => {
    const ctx = buildMeasureContext({ portfolio: oneSwapBook({ csa: false }), market, paths: 2000, seed: 11, dynamicIm: false });
    const base = await measureBase(ctx);
    const candidates = csaCandidates(ctx, base);
    const zero = candidates.find((c) => c.item === 'csa_zero_threshold')!;
    expect(zero.actionId).toBe('csa:NS-1:csa_zero_threshold');
    const m = await measureAmendment(ctx, base, zero.amendment);
    const amended = m.sets.get('NS-1')!;
    // reference: the same trade booked under a CSA with zero thresholds and MTAs and a 10-day MPoR, another seed
    const refCtx = buildMeasureContext({ portfolio: oneSwapBook({ csa: true, marginPeriodOfRiskDays: 10 }), market, paths: 2000, seed: 12345, dynamicIm: false });
    const ref = (await measureBase(refCtx)).sets.get('NS-1')!;
    const tolerance = 4 * Math.hypot(amended.cvaStdError, ref.cvaStdError);
    expect(Math.abs(amended.cva - ref.cva)).toBeLessThanOrEqual(tolerance);
    const uncollateralised = base.sets.get('NS-1')!.cva;
    expect(amended.cva).toBeLessThan(0.3 * uncollateralised);
    expect(m.delta.cva).toBeCloseTo(amended.cva - m.baseSets.get('NS-1')!.cva, 6);
    expect(m.delta.cva).toBeLessThan(0);
  }, 40_000);
});

describe('SA-CCR of the CSA amendments (the re-measurement core)', () => {
  // References by hand: CRE52.18 RC = max(V − C, TH + MTA − NICA, 0), CRE52.23 multiplier; C = VM as docs/capital.md
  // "Variation margin without a balance" and src/optimize/measure/capital.ts amendedBalances define it.
  it('a new zero-threshold CSA calls the value: C = V, RC 0, multiplier 1; a balance on file moves by V', async () => {
    const book = oneSwapBook({ csa: false });
    const v = priceTrade(book.trades[0]!, market, { collateralCurrency: 'USD' }).npvBase;
    expect(Math.abs(v)).toBeGreaterThan(1e5);
    for (const onFile of [undefined, 3e5]) {
      const balances = onFile === undefined ? undefined : new Map([['NS-1', { nettingSetId: 'NS-1', variationMargin: onFile, postedSegregated: false }]]);
      const ctx = buildMeasureContext({ portfolio: book, market, paths: 16, seed: 1, dynamicIm: false, ...(balances ? { saccrInputs: { collateralBalances: balances } } : {}) });
      const [item, amendedSet] = csaMenu(book.nettingSets[0]!, market, 0, { mporDays: 10, mtaTarget: 0 })[0]!;
      expect(item).toBe('csa_zero_threshold');
      const amended: Portfolio = { ...book, nettingSets: [amendedSet] };
      expect(amended.nettingSets[0]!.calculateVm).toBe(true);
      const base = capitalOfSets(ctx, book, new Set(['NS-1'])).get('NS-1')!.saccr;
      const after = capitalOfSets(ctx, amended, new Set(['NS-1'])).get('NS-1')!.saccr;
      expect(base.margined).toBe(false);
      expect(base.collateral).toBe(onFile ?? 0);
      expect(after.margined).toBe(true);
      // no balance: the first call, C = V; a balance VM on file: VM + call(V) − 0 (nothing was called before)
      expect(Math.abs(after.collateral - ((onFile ?? 0) + v))).toBeLessThanOrEqual(1e-6);
      expect(after.replacementCost).toBe(Math.max(-(onFile ?? 0), 0));
      if (onFile === undefined) {
        expect(after.pfe.multiplier).toBe(1);
        expect(Math.abs(after.ead - 1.4 * after.pfe.aggregateAddOn)).toBeLessThanOrEqual(1e-9 * after.ead);
      }
      expect(after.ead).toBeLessThan(base.ead);
    }
  });
});

describe('the menu', () => {
  const options = { mporDays: 10, mtaTarget: 0 };
  it('a full two-way zero-threshold CSA with SIMM in the base currency: nothing to offer', () => {
    expect(csaMenu(nettingSet('N', 'C', { csa: true, imModel: 'simm' }), loadMarket(MARKET_FILE), 0, options)).toEqual([]);
  });
  it('threshold already 0, MTA 1m, MPoR 20, no IM: lower MTA, shorter MPoR, add IM only', () => {
    const ns = nettingSet('N', 'C', { csa: true, mtaCpty: 1e6, mtaBank: 1e6, marginPeriodOfRiskDays: 20 });
    const menu = csaMenu(ns, loadMarket(MARKET_FILE), 0, options);
    expect(menu.map(([item]) => item)).toEqual(['lower_mta', 'shorter_mpor', 'add_im']);
    expect(menu[0]![1]).toMatchObject({ mtaCpty: 0, mtaBank: 0, thresholdCpty: 0 });
    expect(menu[1]![1].marginPeriodOfRiskDays).toBe(10);
  });
  it('one-way CSA (bank threshold 10m, counterparty 2m): threshold to zero and two-way', () => {
    const ns = nettingSet('N', 'C', { csa: true, thresholdCpty: 2e6, thresholdBank: 1e7, imModel: 'simm' });
    const menu = csaMenu(ns, loadMarket(MARKET_FILE), 0, options);
    expect(menu.map(([item]) => item)).toEqual(['threshold_zero', 'two_way']);
    expect(menu[1]![1].thresholdBank).toBe(2e6);
  });
  it('cleared sets get nothing; no CSA gets the zero-threshold CSA and IM', () => {
    expect(csaMenu(nettingSet('N', 'C', { cleared: true }), loadMarket(MARKET_FILE), 0, options)).toEqual([]);
    expect(csaMenu(nettingSet('N', 'C'), loadMarket(MARKET_FILE), 0, options).map(([i]) => i)).toEqual(['csa_zero_threshold', 'add_im']);
  });
});

describe('negotiability and ranking', () => {
  it('negotiability by hand', () => {
    // financial 0.8, IG, share 0.1 → size 1 − 0.5·0.5 = 0.75, csa_zero_threshold ease 0.6: 0.8·0.75·0.6 = 0.36
    expect(negotiabilityScore({ sector: 'financial', rating: 'A' }, 0.1, 'csa_zero_threshold')).toBeCloseTo(0.36, 12);
    // consumer 0.5 + 0.1 (BB), share 0.5 → size 0.5, lower_mta 1: 0.3
    expect(negotiabilityScore({ sector: 'consumer', rating: 'BB' }, 0.5, 'lower_mta')).toBeCloseTo(0.3, 12);
    // sovereign 0.2, share 0, add_im 0.5: 0.1
    expect(negotiabilityScore({ sector: 'sovereign', rating: 'AA' }, 0, 'add_im')).toBeCloseTo(0.1, 12);
  });

  it('a 3-set book: order by measured benefit × negotiability; maxSets keeps the largest CVA + FVA', async () => {
    const portfolio: Portfolio = {
      trades: [swap('T1', 'NS-1', 'CP-1', 1e8, 0.03, 5, 'receive'), swap('T2', 'NS-2', 'CP-2', 5e7, 0.03, 5, 'receive'), swap('T3', 'NS-3', 'CP-3', 2e7, 0.03, 5, 'receive')],
      counterparties: [
        { counterpartyId: 'CP-1', name: 'City', sector: 'local_government', rating: 'AA', region: 'north_america', qccp: false },
        { counterpartyId: 'CP-2', name: 'Bank', sector: 'financial', rating: 'A', region: 'north_america', qccp: false },
        { counterpartyId: 'CP-3', name: 'Corp', sector: 'consumer', rating: 'BB', region: 'north_america', qccp: false },
      ],
      nettingSets: [nettingSet('NS-1', 'CP-1', { imModel: 'simm' }), nettingSet('NS-2', 'CP-2', { imModel: 'simm' }), nettingSet('NS-3', 'CP-3', { imModel: 'simm' })],
      eligibleCollateral: [],
      collateral: [],
      sources: {},
    };
    const ctx = buildMeasureContext({ portfolio, market, paths: 500, seed: 3, dynamicIm: false, extraMporDays: [10] });
    const base = await measureBase(ctx);
    const ranked = await runCsaLever(ctx, base);
    expect(ranked.map((a) => a.item)).toEqual(['csa_zero_threshold', 'csa_zero_threshold', 'csa_zero_threshold']);
    // by hand: shares of gross notional 100/170, 50/170, 20/170; size factors 0.5, 0.5, 1 − 0.5·(20/170)/0.2
    const share3 = 20 / 170;
    const hand: Record<string, number> = { 'NS-1': 0.3 * 0.5 * 0.6, 'NS-2': 0.8 * 0.5 * 0.6, 'NS-3': 0.6 * (1 - 0.5 * (share3 / 0.2)) * 0.6 };
    for (const a of ranked) expect(a.negotiability).toBeCloseTo(hand[a.nettingSetIds[0]!]!, 12);
    const expected = ranked
      .map((a) => ({ id: a.nettingSetIds[0]!, score: csaBenefit(a.delta) * hand[a.nettingSetIds[0]!]! }))
      .sort((x, y) => y.score - x.score)
      .map((x) => x.id);
    expect(ranked.map((a) => a.nettingSetIds[0])).toEqual(expected);
    expect(ranked.map((a) => a.rank)).toEqual([1, 2, 3]);
    // the ranking key is the product, not the benefit alone: the scores are those of the measured deltas
    for (const a of ranked) expect(a.rankScore).toBeCloseTo(csaBenefit(a.delta) * hand[a.nettingSetIds[0]!]!, 6);
    // CVA + FVA largest for the 100m local-government trade (hazard aside, notional dominates); maxSets 1 keeps it alone
    const byKey = [...base.sets.values()].sort((x, y) => y.cva + y.fca - y.fba + y.colva - (x.cva + x.fca - x.fba + x.colva))[0]!.nettingSetId;
    const one = csaCandidates(ctx, base, { maxSets: 1 });
    expect(new Set(one.map((c) => c.nettingSetIds[0]))).toEqual(new Set([byKey]));
  }, 40_000);
});
