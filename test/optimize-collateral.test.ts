/**
 * Collateral allocation lever (src/optimize/levers/collateral/, docs/optimize-collateral.md) against allocations
 * worked by hand. Costs are funding bp × market value posted per year; haircuts follow CRE22 (C × (1 − Hc − Hfx),
 * Hfx = 8% CRE22.54). Every expected figure is derived in the comment beside it.
 *
 * Tolerances: HiGHS returns a basic optimal solution whose values are exact up to its primal feasibility tolerance
 * (1e-7, relative to the row scale of ~1e8 here, i.e. well under 1 currency unit); figures are compared to 1e-6
 * relative (toBeCloseTo with a scaled precision, see `near`), far tighter than any hand figure's rounding.
 */
import { describe, expect, it } from 'vitest';
import {
  collateralAllocation,
  postingRequirements,
  postingTerms,
  allocationTable,
  ALLOCATION_COLUMNS,
  type CollateralAllocation,
  type CollateralMarket,
  type CollateralRequirement,
} from '../src/optimize/levers/collateral/index.js';
import { variationMargin } from '../src/margin/vm.js';
import type { NettingSetMargin } from '../src/margin/run.js';
import type { CollateralAsset, EligibleCollateral, NettingSet, Portfolio } from '../src/portfolio/types.js';
import type { Currency } from '../src/products/types.js';
import type { FundingSpreads } from '../src/market/types.js';

const USD_PER: Partial<Record<Currency, number>> = { USD: 1, EUR: 1.1, GBP: 1.25 };
const market: CollateralMarket = {
  baseCurrency: 'USD',
  fxSpot: (base: Currency, quote: Currency) => USD_PER[base]! / USD_PER[quote]!,
  funding: (currency: Currency): FundingSpreads => ({ currency, borrowSpreadBp: 65, lendSpreadBp: 10, collateralSpreadBp: 0 }),
};

const asset = (assetId: string, assetType: CollateralAsset['assetType'], currency: Currency, marketValue: number, fundingCostBp: number, eligibility: CollateralAsset['eligibility'] = 'both'): CollateralAsset => ({
  assetId, assetType, currency, marketValue, eligibility, haircutPct: 0, fundingCostBp,
});
const elig = (nettingSetId: string, assetType: EligibleCollateral['assetType'], haircutPct: number, marginType: EligibleCollateral['marginType'], currency?: Currency): EligibleCollateral =>
  currency ? { nettingSetId, assetType, haircutPct, marginType, currency } : { nettingSetId, assetType, haircutPct, marginType };
const req = (nettingSetId: string, marginType: 'vm' | 'im', amount: number, currency: Currency = 'USD'): CollateralRequirement => ({
  requirementId: `${nettingSetId}/${marginType}`, nettingSetId, marginType, currency, amount,
});
const nettingSet = (nettingSetId: string, over: Partial<NettingSet> = {}): NettingSet => ({
  nettingSetId, counterpartyId: `CP-${nettingSetId}`, csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
  independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false, ...over,
});
const book = (collateral: CollateralAsset[], eligibleCollateral: EligibleCollateral[], sets: string[] = ['NS1', 'NS2']): Portfolio => ({
  trades: [], counterparties: [], nettingSets: sets.map((id) => nettingSet(id)), eligibleCollateral, collateral, sources: {},
});

/** |actual − expected| <= 1e-6 × max(1, |expected|). */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
}
const used = (r: CollateralAllocation, requirementId: string, assetId: string) =>
  r.optimal.filter((x) => x.requirementId === requirementId && x.assetId === assetId).reduce((s, x) => s + x.marketValue, 0);

describe('collateral LP: a known optimum by hand (eligibility, haircuts and quantity binding)', () => {
  // NS1/vm 100m, NS2/im 50m (USD). Inventory: CASH 120m @50bp, UST 60m @10bp, CORP 100m @30bp (IM only).
  // NS1 accepts cash USD 0% (vm), government bonds 2%, corporates 5% (but CORP is IM-only: asset eligibility binds).
  // NS2 accepts government bonds 4% (im), corporates 10% (im). Corporate concentration lifted to 100%.
  // Cost per unit of collateral value credited, costBp/(1 − H): NS1 cash 50, UST 10/0.98 = 10.204; NS2 UST 10/0.96 =
  // 10.417, CORP 30/0.9 = 33.33. UST (60m) is scarce: per unit of its market value it saves 0.98×50 − 10 = 39 on NS1
  // and 0.96×33.33 − 10 = 22 on NS2, so all of it goes to NS1: 60m UST (value 58.8m) + 41.2m cash; NS2: CORP
  // 50/0.9 = 55.5556m. Cost 60m×10bp + 41.2m×50bp + 55.5556m×30bp = 60,000 + 206,000 + 166,666.67 = 432,666.67.
  const portfolio = book(
    [asset('CASH-USD', 'cash', 'USD', 120e6, 50), asset('UST', 'government_bond', 'USD', 60e6, 10), asset('CORP', 'corporate_bond', 'USD', 100e6, 30, 'im')],
    [elig('NS1', 'cash', 0, 'vm', 'USD'), elig('NS1', 'government_bond', 2, 'both'), elig('NS1', 'corporate_bond', 5, 'both'), elig('NS2', 'government_bond', 4, 'im'), elig('NS2', 'corporate_bond', 10, 'im')],
  );
  const requirements = [req('NS1', 'vm', 100e6), req('NS2', 'im', 50e6)];

  it('allocation and annual cost equal the hand optimum; current (all cash) 750,000 → saving 317,333.33', async () => {
    const r = await collateralAllocation(portfolio, requirements, { market, assetTypeSharePct: { corporate_bond: 100 } });
    expect(r.status).toBe('optimal');
    near(used(r, 'NS1/vm', 'UST'), 60e6);
    near(used(r, 'NS1/vm', 'CASH-USD'), 41.2e6);
    near(used(r, 'NS2/im', 'CORP'), 50e6 / 0.9);
    expect(used(r, 'NS1/vm', 'CORP')).toBe(0);
    expect(used(r, 'NS2/im', 'UST')).toBe(0);
    near(r.totals.optimal, 432_666.6666667);
    // current: all-cash in USD; NS2 lists no cash, the baseline assumes it at 0% (a note says so):
    // 100m × 50bp + 50m × 50bp = 750,000
    near(r.totals.current, 750_000);
    near(r.totals.savingVsCurrent, 750_000 - 432_666.6666667);
    expect(r.notes.some((n) => n.includes('NS2/im') && n.includes('does not list cash'))).toBe(true);
    // the greedy order (NS1 first) happens to find the same allocation here
    near(r.totals.greedy, 432_666.6666667);
    near(r.totals.savingVsGreedy, 0);
    // each requirement met exactly after haircuts
    for (const q of requirements) near(r.optimal.filter((x) => x.requirementId === q.requirementId).reduce((s, x) => s + x.collateralValue, 0), q.amount);
    const a = r.action!;
    expect(a.lever).toBe('collateral');
    expect(a.cost).toBe(0);
    expect(a.nettingSetIds).toEqual(['NS1', 'NS2']);
    expect(a.counterpartyIds).toEqual(['CP-NS1', 'CP-NS2']);
    near(a.details['savingPerYearVsCurrent'] as number, 317_333.3333333);
    expect(String(a.details['savingBasis'])).toContain('not re-measured');
  });
});

describe('greedy cheapest-to-deliver is strictly worse than the LP', () => {
  // NS1/vm 100m, NS2/im 100m. GOV 100m @5bp (0% haircut on both sets); CASH 200m @20bp (NS1 only); EQ 200m @80bp
  // (NS2 only, 20% haircut; equity concentration lifted). Greedy takes NS1 first and its cheapest asset GOV (5 < 20),
  // leaving NS2 to EQ: 100/0.8 = 125m × 80bp = 1,000,000, plus 100m × 5bp = 50,000 → 1,050,000.
  // LP: GOV to NS2 (saves 100 − 5 = 95 per unit there, 20 − 5 = 15 on NS1), CASH to NS1:
  // 100m × 20bp + 100m × 5bp = 250,000. Saving vs greedy 800,000. Current all-cash: 100m×20bp + 100m×20bp = 400,000.
  const portfolio = book(
    [asset('GOV', 'government_bond', 'USD', 100e6, 5), asset('CASH', 'cash', 'USD', 200e6, 20), asset('EQ', 'equity', 'USD', 200e6, 80, 'im')],
    [elig('NS1', 'government_bond', 0, 'both'), elig('NS1', 'cash', 0, 'vm', 'USD'), elig('NS2', 'government_bond', 0, 'both'), elig('NS2', 'equity', 20, 'im')],
  );
  const requirements = [req('NS1', 'vm', 100e6), req('NS2', 'im', 100e6)];
  const options = { market, assetTypeSharePct: { equity: 100 } };

  it('LP 250,000, greedy 1,050,000, saving 800,000 per year; current 400,000, saving 150,000', async () => {
    const r = await collateralAllocation(portfolio, requirements, options);
    near(r.totals.optimal, 250_000);
    near(r.totals.greedy, 1_050_000);
    near(r.totals.savingVsGreedy, 800_000);
    near(r.totals.current, 400_000);
    near(r.totals.savingVsCurrent, 150_000);
    near(used(r, 'NS2/im', 'GOV'), 100e6);
    near(used(r, 'NS1/vm', 'CASH'), 100e6);
    near(r.greedy.find((x) => x.requirementId === 'NS2/im' && x.assetId === 'EQ')!.marketValue, 125e6);
    near(r.action!.details['greedyAnnualCost'] as number, 1_050_000);
    near(r.action!.details['savingPerYearVsGreedy'] as number, 800_000);
  });

  it('a given current allocation (the greedy one) is costed as given, and the transition cost is bp × value newly delivered', async () => {
    // current = greedy's postings: cost 1,050,000. Newly delivered by the optimum: CASH 100m to NS1 and GOV 100m to
    // NS2 (neither pair is in the current postings) = 200m × 1bp = 20,000 one-off.
    const currentAllocation = [
      { requirementId: 'NS1/vm', assetId: 'GOV', marketValue: 100e6 },
      { requirementId: 'NS2/im', assetId: 'EQ', marketValue: 125e6 },
    ];
    const r = await collateralAllocation(portfolio, requirements, { ...options, currentAllocation, transitionCostBp: 1 });
    near(r.totals.current, 1_050_000);
    near(r.totals.savingVsCurrent, 800_000);
    near(r.action!.cost, 20_000);
    await expect(
      collateralAllocation(portfolio, requirements, { ...options, currentAllocation: [{ requirementId: 'NS1/vm', assetId: 'EQ', marketValue: 1 }] }),
    ).rejects.toThrow('asset EQ is not eligible for NS1/vm');
  });
});

describe('concentration limits', () => {
  // NS1/im 100m USD. CORP1 200m @10bp, CORP2 200m @12bp, CASH 200m @50bp, all 0% haircut.
  const portfolio = book(
    [asset('CORP1', 'corporate_bond', 'USD', 200e6, 10), asset('CORP2', 'corporate_bond', 'USD', 200e6, 12), asset('CASH', 'cash', 'USD', 200e6, 50)],
    [elig('NS1', 'corporate_bond', 0, 'im'), elig('NS1', 'cash', 0, 'both', 'USD')],
    ['NS1'],
  );
  const requirements = [req('NS1', 'im', 100e6)];

  it('default corporate limit 50%: CORP1 50m + cash 50m = 50,000 + 250,000 = 300,000', async () => {
    const r = await collateralAllocation(portfolio, requirements, { market });
    near(used(r, 'NS1/im', 'CORP1'), 50e6);
    near(used(r, 'NS1/im', 'CASH'), 50e6);
    near(r.totals.optimal, 300_000);
  });

  it('type limit 40% and single-asset limit 30% both bind: CORP1 30m, CORP2 10m, cash 60m = 342,000', async () => {
    // 30m × 10bp + 10m × 12bp + 60m × 50bp = 30,000 + 12,000 + 300,000
    const r = await collateralAllocation(portfolio, requirements, { market, assetTypeSharePct: { corporate_bond: 40 }, singleAssetSharePct: 30 });
    near(used(r, 'NS1/im', 'CORP1'), 30e6);
    near(used(r, 'NS1/im', 'CORP2'), 10e6);
    near(used(r, 'NS1/im', 'CASH'), 60e6);
    near(r.totals.optimal, 342_000);
    // the greedy respects the same limits and here reaches the same allocation
    near(r.totals.greedy, 342_000);
  });

  it('limits off (100%): all CORP1, 100,000', async () => {
    const r = await collateralAllocation(portfolio, requirements, { market, assetTypeSharePct: { corporate_bond: 100 } });
    near(r.totals.optimal, 100_000);
  });
});

describe('FX haircut (CRE22.54: 8%) and cross-currency cost', () => {
  // NS-EUR (EUR collateral) must post IM of EUR 100m = USD 110m (EURUSD 1.1). UST USD 50m @30bp, admitted by
  // "government_bond, any currency, 2%" → H = 2% + 8% = 10%; EUR cash 80m @60bp at 0%.
  // Per unit of value: UST 30/0.9 = 33.3 < cash 60 → all UST: value 45m USD = 40.909091m EUR; cash EUR
  // 100 − 40.909091 = 59.090909m = USD 65m. Cost 50m × 30bp + 65m × 60bp = 150,000 + 390,000 = 540,000 USD.
  const portfolio: Portfolio = {
    ...book([asset('UST', 'government_bond', 'USD', 50e6, 30), asset('CASH-EUR', 'cash', 'EUR', 80e6, 60)], [elig('NS-EUR', 'government_bond', 2, 'both'), elig('NS-EUR', 'cash', 0, 'both', 'EUR')], []),
    nettingSets: [nettingSet('NS-EUR', { collateralCurrency: 'EUR', imModel: 'simm' })],
  };
  const requirements = [req('NS-EUR', 'im', 100e6, 'EUR')];

  it('the 8% add-on applies to a USD bond against a EUR requirement: 540,000 USD per year', async () => {
    const r = await collateralAllocation(portfolio, requirements, { market });
    const ust = r.optimal.find((x) => x.assetId === 'UST')!;
    expect(ust.csaHaircutPct).toBe(2);
    expect(ust.fxHaircutPct).toBe(8);
    expect(ust.haircutPct).toBe(10);
    near(ust.marketValue, 50e6);
    near(ust.collateralValue, 45e6 / 1.1);
    near(used(r, 'NS-EUR/im', 'CASH-EUR'), 100e6 - 45e6 / 1.1);
    near(r.totals.optimal, 540_000);
  });

  it('a cross-currency cost of 10bp raises the UST cost to 40bp: 200,000 + 390,000 = 590,000', async () => {
    // 40/0.9 = 44.4 < 60: still all UST
    const r = await collateralAllocation(portfolio, requirements, { market, crossCurrencyCostBp: 10 });
    near(r.totals.optimal, 590_000);
  });

  it('a row naming the currency states the all-in haircut; the add-on only when asked', () => {
    const ust = asset('UST', 'government_bond', 'USD', 50e6, 30);
    const q = requirements[0]!;
    const named = [elig('NS-EUR', 'government_bond', 5, 'both', 'USD')];
    expect(postingTerms(q, ust, named, { market })!.haircutPct).toBe(5);
    expect(postingTerms(q, ust, named, { market, fxHaircutOnNamedCurrency: true })!.haircutPct).toBe(13);
    // same currency: no add-on whatever the row
    expect(postingTerms(req('NS-USD', 'im', 1), ust, [elig('NS-USD', 'government_bond', 2, 'both')], { market })!.fxHaircutPct).toBe(0);
    // margin type and asset eligibility
    expect(postingTerms(req('NS-EUR', 'vm', 1, 'EUR'), ust, [elig('NS-EUR', 'government_bond', 2, 'im')], { market })).toBeUndefined();
    expect(postingTerms(req('NS-EUR', 'vm', 1, 'EUR'), { ...ust, eligibility: 'im' }, [elig('NS-EUR', 'government_bond', 2, 'both')], { market })).toBeUndefined();
  });
});

describe('quantities and feasibility on a mixed book', () => {
  // A deterministic mixed book: 6 requirements in USD/EUR/GBP, 8 assets. Checked against independent bounds: every
  // asset used at most its value, every requirement met exactly, limits held, LP cost ≤ greedy (a feasible point)
  // and ≥ Σ_r R_r × (cheapest cost per unit of value credited for r) (the LP without quantities or limits).
  const assets = [
    asset('CASH-USD', 'cash', 'USD', 60e6, 40), asset('CASH-EUR', 'cash', 'EUR', 50e6, 35), asset('CASH-GBP', 'cash', 'GBP', 30e6, 45),
    asset('UST-2Y', 'government_bond', 'USD', 25e6, 5), asset('DBR-10Y', 'government_bond', 'EUR', 20e6, 8), asset('UKT-2Y', 'government_bond', 'GBP', 15e6, 6),
    asset('CORP-A', 'corporate_bond', 'USD', 40e6, 25, 'im'), asset('EQ', 'equity', 'EUR', 30e6, 70, 'im'),
  ];
  const sets = ['NSA', 'NSB', 'NSC'];
  const ccy: Record<string, Currency> = { NSA: 'USD', NSB: 'EUR', NSC: 'GBP' };
  const eligible: EligibleCollateral[] = sets.flatMap((s) => [
    elig(s, 'cash', 0, 'both', ccy[s]), elig(s, 'cash', 8, 'vm', 'USD'), elig(s, 'government_bond', 2, 'both'), elig(s, 'corporate_bond', 6, 'im'), elig(s, 'equity', 15, 'im'),
  ]);
  const portfolio: Portfolio = { ...book(assets, eligible, []), nettingSets: sets.map((s) => nettingSet(s, { collateralCurrency: ccy[s]! })) };
  const requirements = [req('NSA', 'vm', 40e6, 'USD'), req('NSA', 'im', 30e6, 'USD'), req('NSB', 'vm', 25e6, 'EUR'), req('NSB', 'im', 35e6, 'EUR'), req('NSC', 'vm', 12e6, 'GBP'), req('NSC', 'im', 20e6, 'GBP')];

  it('each asset used at most once, each requirement met, limits held, greedy ≥ LP ≥ the no-quantity bound', async () => {
    const r = await collateralAllocation(portfolio, requirements, { market });
    expect(r.status).toBe('optimal');
    for (const a of assets) {
      const total = r.optimal.filter((x) => x.assetId === a.assetId).reduce((s, x) => s + x.marketValue, 0);
      expect(total).toBeLessThanOrEqual(a.marketValue * (1 + 1e-9));
    }
    let bound = 0;
    for (const q of requirements) {
      const rows = r.optimal.filter((x) => x.requirementId === q.requirementId);
      near(rows.reduce((s, x) => s + x.collateralValue, 0), q.amount);
      const corp = rows.filter((x) => x.assetType === 'corporate_bond').reduce((s, x) => s + x.collateralValue, 0);
      const eq = rows.filter((x) => x.assetType === 'equity').reduce((s, x) => s + x.collateralValue, 0);
      expect(corp).toBeLessThanOrEqual(0.5 * q.amount * (1 + 1e-9));
      expect(eq).toBeLessThanOrEqual(0.25 * q.amount * (1 + 1e-9));
      let cheapest = Infinity;
      for (const a of assets) {
        const t = postingTerms(q, a, eligible.filter((e) => e.nettingSetId === q.nettingSetId), { market });
        if (t) cheapest = Math.min(cheapest, t.costBp / t.valueFactor);
      }
      bound += (q.amount * USD_PER[q.currency]! * cheapest) / 10_000;
    }
    expect(r.totals.optimal).toBeGreaterThanOrEqual(bound * (1 - 1e-9));
    expect(r.totals.optimal).toBeLessThanOrEqual(r.totals.greedy * (1 + 1e-9));
    expect(r.totals.optimal).toBeLessThanOrEqual(r.totals.current * (1 + 1e-9));
    // current all-cash by hand: NSA 70m USD × 40bp = 280,000; NSB EUR 60m = USD 66m × 35bp = 231,000;
    // NSC GBP 32m = USD 40m × 45bp = 180,000 → 691,000
    near(r.totals.current, 691_000);
    // the table has the documented columns, in order, for the three allocations
    const table = allocationTable(r);
    expect(Object.keys(table[0]!)).toEqual(ALLOCATION_COLUMNS.map(([c]) => c));
    expect(table.length).toBe(r.optimal.length + r.current.length + r.greedy.length);
  });
});

describe('not enough eligible collateral', () => {
  // NS1/vm 100m accepts cash only (80m held); NS2/im 50m accepts government bonds only (30m held): short 20m each,
  // and the split is unique because no asset serves both.
  const portfolio = book(
    [asset('CASH', 'cash', 'USD', 80e6, 20), asset('GOV', 'government_bond', 'USD', 30e6, 5)],
    [elig('NS1', 'cash', 0, 'vm', 'USD'), elig('NS2', 'government_bond', 0, 'im')],
  );

  it('returns status infeasible and a message naming each requirement short and by how much (no exception)', async () => {
    const r = await collateralAllocation(portfolio, [req('NS1', 'vm', 100e6), req('NS2', 'im', 50e6)], { market });
    expect(r.status).toBe('infeasible');
    expect(r.action).toBeUndefined();
    expect(r.shortfalls.map((s) => s.requirementId)).toEqual(['NS1/vm', 'NS2/im']);
    near(r.shortfalls[0]!.short, 20e6);
    near(r.shortfalls[1]!.short, 20e6);
    expect(r.message).toContain('NS1/vm short 20,000,000 USD of 100,000,000 USD');
    expect(r.message).toContain('NS2/im short 20,000,000 USD of 50,000,000 USD');
  });

  it('a requirement no asset is eligible for is short by its whole amount', async () => {
    const r = await collateralAllocation(portfolio, [req('NS2', 'vm', 10e6)], { market });
    expect(r.status).toBe('infeasible');
    near(r.shortfalls[0]!.short, 10e6);
  });
});

describe('posting requirements from a margin run', () => {
  it('VM posted after the call and IM post converted from USD to the collateral currency', () => {
    // NS1 (USD CSA, bank threshold 2m): exposure −12m → required −10m; balance −6m → call −4m → posted after 10m.
    // NS2 (EUR, SIMM): IM post USD 5.5m → EUR 5m at EURUSD 1.1; its exposure +3m → the bank posts no VM.
    const ns1 = nettingSet('NS1', { thresholdBank: 2e6 });
    const ns2 = nettingSet('NS2', { collateralCurrency: 'EUR', imModel: 'simm' });
    const portfolio: Portfolio = { ...book([], [], []), nettingSets: [ns1, ns2] };
    const margins: NettingSetMargin[] = [
      { nettingSetId: 'NS1', imModel: 'none', imCollect: 0, collateralCurrency: 'USD', vm: variationMargin(ns1, -12e6, -6e6) },
      { nettingSetId: 'NS2', imModel: 'simm', imCollect: 1e6, simmPost: 5.5e6, simmCollect: 1e6, collateralCurrency: 'EUR', vm: variationMargin(ns2, 3e6, 0) },
    ];
    const reqs = postingRequirements(portfolio, margins, market);
    expect(reqs.map((q) => q.requirementId)).toEqual(['NS1/vm', 'NS2/im']);
    near(reqs[0]!.amount, 10e6);
    expect(reqs[1]!.currency).toBe('EUR');
    near(reqs[1]!.amount, 5e6);
  });
});

describe('determinism', () => {
  it('the same inputs in any order give the same rows, totals and action id', async () => {
    const assets = [asset('GOV', 'government_bond', 'USD', 100e6, 5), asset('CASH', 'cash', 'USD', 200e6, 20), asset('CASH2', 'cash', 'USD', 200e6, 20)];
    const eligible = [elig('NS1', 'government_bond', 0, 'both'), elig('NS1', 'cash', 0, 'vm', 'USD'), elig('NS2', 'government_bond', 0, 'both'), elig('NS2', 'cash', 0, 'both')];
    const requirements = [req('NS1', 'vm', 150e6), req('NS2', 'im', 120e6)];
    const a = await collateralAllocation(book(assets, eligible), requirements, { market });
    const b = await collateralAllocation(book([...assets].reverse(), eligible), [...requirements].reverse(), { market });
    expect(b.optimal).toEqual(a.optimal);
    expect(b.greedy).toEqual(a.greedy);
    expect(b.totals).toEqual(a.totals);
    expect(b.action!.actionId).toBe(a.action!.actionId);
    // tie between CASH and CASH2 (same cost): whichever split, the cost is GOV 100m × 5bp + 170m × 20bp = 390,000
    near(a.totals.optimal, 390_000);
  });
});
