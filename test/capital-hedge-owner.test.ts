/**
 * Which counterparty a bought CDS hedges (src/capital/hedges.ts), for BA-CVA (capital/run.ts cdsHedges, MAR50.23)
 * and SA-CVA (sacvaSensitivities.ts hedgeRecords, MAR50.37-50.39). Hand cases: the expected owner is read off the
 * counterparties table (an id first, then the cds_curve rows in table order), the seller excluded.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdsHedges } from '../src/capital/run.js';
import { hedgedCounterparty, hedgeNameMap } from '../src/capital/hedges.js';
import { hedgeRecords } from '../src/capital/sacvaSensitivities.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Counterparty, Portfolio } from '../src/portfolio/types.js';
import type { CreditDefaultSwap } from '../src/products/types.js';
import { REPO_ROOT } from './helpers/paths.js';

const DEMO = path.join(REPO_ROOT, 'fixtures/demo');
let market: Market;
let name: string;
beforeAll(async () => {
  ({ market } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  name = 'SOLACE_TELECOM';
  expect(market.creditCurve(name)).toBeDefined();
});

const counterparty = (id: string, cdsCurve?: string): Counterparty => ({ counterpartyId: id, name: id, sector: 'financial', rating: 'A', region: 'europe', qccp: false, ...(cdsCurve ? { cdsCurve } : {}) });
const boughtCds = (id: string, seller: string, reference: string): CreditDefaultSwap => ({
  tradeId: id, counterpartyId: seller, nettingSetId: `NS-${seller}`, cleared: false, product: 'CDS', direction: 'buy', referenceEntity: reference,
  currency: 'USD', notional: 1e7, fixedRate: 0.01, startDate: market.asOf - 30, maturityDate: market.asOf + 5 * 365, frequency: '3M', dayCount: 'ACT/360',
});

describe('the counterparty a bought CDS hedges', () => {
  it("protection bought from the reference counterparty itself is no hedge (with a note); bought from a dealer it hedges it", () => {
    const cps = [counterparty('CP_A', name), counterparty('DEALER')];
    const byName = hedgeNameMap(cps);
    const notes: string[] = [];
    expect(hedgedCounterparty(boughtCds('H1', 'CP_A', name), byName, notes)).toBeUndefined();
    expect(notes).toEqual([`trade H1: protection on ${name} bought from counterparty CP_A itself is not a hedge of its CVA (it would owe the protection in its own default)`]);
    expect(hedgedCounterparty(boughtCds('H2', 'DEALER', name), byName)).toBe('CP_A');
    // sold protection is no hedge
    expect(hedgedCounterparty({ ...boughtCds('H3', 'DEALER', name), direction: 'sell' }, byName)).toBeUndefined();
  });

  it('a curve two counterparties share hedges the first in the table (a note names both); an id is its own name first', () => {
    const cps = [counterparty('CP_B', name), counterparty('CP_C', name), counterparty('DEALER')];
    const notes: string[] = [];
    const noted = new Set<string>();
    const byName = hedgeNameMap(cps);
    expect(hedgedCounterparty(boughtCds('H1', 'DEALER', name), byName, notes, noted)).toBe('CP_B');
    expect(hedgedCounterparty(boughtCds('H2', 'DEALER', name), byName, notes, noted)).toBe('CP_B');
    expect(notes).toEqual([`CDS on ${name}, the credit curve of counterparties CP_B, CP_C: taken as hedges of CP_B (the first in the counterparties table)`]);
    // bought from CP_B, it hedges CP_C
    expect(hedgedCounterparty(boughtCds('H3', 'CP_B', name), byName)).toBe('CP_C');
    // a counterparty whose id is the reference name comes before those whose curve it is
    expect(hedgeNameMap([counterparty('CP_D', 'CP_E'), counterparty('CP_E')]).get('CP_E')).toEqual(['CP_E', 'CP_D']);
  });

  it("BA-CVA's hedges follow the rule (cdsHedges): the self-bought protection is left out, the dealer's counted", () => {
    const portfolio: Portfolio = {
      trades: [boughtCds('H_SELF', 'CP_A', name), boughtCds('H_DEALER', 'DEALER', name)],
      counterparties: [counterparty('CP_A', name), counterparty('DEALER')],
      nettingSets: [],
      eligibleCollateral: [],
      collateral: [],
      sources: {},
    };
    const notes: string[] = [];
    const hedges = cdsHedges(portfolio, market, notes);
    expect(hedges.map((h) => [h.hedgeId, h.counterpartyId])).toEqual([['H_DEALER', 'CP_A']]);
    expect(notes).toHaveLength(1);
  });
});

describe("SA-CVA's hedge records follow BA-CVA's owner", () => {
  it('a name shared with an out-of-scope counterparty that comes first in the table hedges that one: no record for the in-scope one', () => {
    const portfolio: Portfolio = {
      trades: [boughtCds('H1', 'DEALER', name)],
      counterparties: [counterparty('CP_A', name), counterparty('CP_B', name), counterparty('DEALER')],
      nettingSets: [{ nettingSetId: 'NS-DEALER', counterpartyId: 'DEALER', csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0, independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false }],
      eligibleCollateral: [],
      collateral: [],
      sources: {},
    };
    expect(cdsHedges(portfolio, market).map((h) => h.counterpartyId)).toEqual(['CP_A']);
    expect(hedgeRecords(portfolio, market, new Set(['CP_B']), new Map(), [])).toEqual([]);
    const records = hedgeRecords(portfolio, market, new Set(['CP_A', 'CP_B']), new Map(), []);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.riskFactor.startsWith('CP_A/'))).toBe(true);
  });
});
