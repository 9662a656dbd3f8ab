/**
 * RWA, capital and CET1 impact by hand: the CRE20 risk-weight tables (Basel III standardised approach: sovereigns
 * CRE20.7, PSEs CRE20.11 option 2, banks CRE20.17 ECRA and CRE20.18-21 SCRA, corporates CRE20.42), the
 * counterparty-file override, the QCCP 2% (CRE54.14), and ORE's two-swap case whose capital charge is EAD × RW
 * (shared/reference/ore/saccr_bacva_two_swaps/expected/saccr.csv: CC 1,690,482.554914 and 8,690,482.554914 in all).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeRwa, cet1Impact, nettingSetRiskWeight, standardisedRiskWeight } from '../src/capital/rwa.js';
import { computeSaccr, loadSaccrInputs, type SaccrResult } from '../src/capital/saccr/index.js';
import { IssueCollector } from '../src/errors.js';
import type { Counterparty } from '../src/portfolio/types.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const cp = (over: Partial<Counterparty>): Counterparty => ({
  counterpartyId: 'C',
  name: 'C',
  sector: 'consumer',
  rating: 'BBB',
  region: 'europe',
  qccp: false,
  ...over,
});

describe('CRE20 standardised risk weights', () => {
  it('sovereigns (CRE20.7): 0 / 0 / 20 / 50 / 100 / 100 / 150%, unrated 100%', () => {
    const rw = (['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'NR'] as const).map((r) => standardisedRiskWeight('sovereign', r).riskWeight);
    expect(rw).toEqual([0, 0, 0.2, 0.5, 1, 1, 1.5, 1]);
  });
  it('public sector entities (CRE20.11 option 2): 20 / 20 / 50 / 50 / 100 / 100 / 150%, unrated 50%', () => {
    const rw = (['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'NR'] as const).map((r) => standardisedRiskWeight('local_government', r).riskWeight);
    expect(rw).toEqual([0.2, 0.2, 0.5, 0.5, 1, 1, 1.5, 0.5]);
  });
  it('banks (CRE20.17 ECRA): 20 / 20 / 30 / 50 / 100 / 100 / 150%; unrated by SCRA grade (CRE20.21)', () => {
    const rw = (['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC'] as const).map((r) => standardisedRiskWeight('financial', r).riskWeight);
    expect(rw).toEqual([0.2, 0.2, 0.3, 0.5, 1, 1, 1.5]);
    expect(standardisedRiskWeight('financial', 'NR')).toEqual({ riskWeight: 0.75, source: 'bank_scra' });
    expect(standardisedRiskWeight('financial', 'NR', { unratedBankGrade: 'A' }).riskWeight).toBe(0.4);
    expect(standardisedRiskWeight('financial', 'NR', { unratedBankGrade: 'C' }).riskWeight).toBe(1.5);
  });
  it('corporates (CRE20.42): 20 / 20 / 50 / 75 / 100 / 150 / 150%, unrated 100%, for every non-financial sector', () => {
    for (const sector of ['basic_materials', 'consumer', 'technology', 'health_care', 'other'] as const) {
      const rw = (['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'NR'] as const).map((r) => standardisedRiskWeight(sector, r).riskWeight);
      expect(rw).toEqual([0.2, 0.2, 0.5, 0.75, 1, 1.5, 1.5, 1]);
    }
  });
  it('takes the override first, then 2% for QCCP trade exposures (CRE54.14), else CRE20', () => {
    expect(nettingSetRiskWeight(cp({ riskWeight: 0.35 }), true)).toEqual({ riskWeight: 0.35, source: 'override' });
    expect(nettingSetRiskWeight(cp({ sector: 'financial', rating: 'AA', qccp: true }), true)).toEqual({ riskWeight: 0.02, source: 'qccp' });
    // a bilateral netting set with a QCCP counterparty, or a non-qualifying CCP: the bilateral weight (CRE54.41)
    expect(nettingSetRiskWeight(cp({ sector: 'financial', rating: 'AA', qccp: true }), false)).toEqual({ riskWeight: 0.2, source: 'bank' });
  });
});

describe('CET1 impact by hand', () => {
  it('is CET1/(RWA + ΔRWA) − CET1/RWA in bp', () => {
    // 30bn CET1 over 250bn RWA = 12%; adding 5bn RWA: 30/255 = 11.7647...%, a change of −23.529... bp
    const impact = cet1Impact(250e9, 30e9, 5e9);
    expect(impact.ratioBefore).toBeCloseTo(0.12, 15);
    expect(impact.ratioAfter).toBeCloseTo(30 / 255, 15);
    expect(impact.impactBp).toBeCloseTo((30 / 255 - 0.12) * 1e4, 10);
    expect(impact.impactBp).toBeCloseTo(-23.529411764705884, 9);
  });
});

describe("RWA of ORE's two-swap case", () => {
  async function oreSaccr(): Promise<{ saccr: SaccrResult; counterparties: Counterparty[] }> {
    const dir = path.join(here, 'data', 'saccr', 'ore_two_swaps');
    const validation = await validateInputs({ portfolioDir: dir });
    expect(validation.issues).toEqual([]);
    const inputs = await loadSaccrInputs(dir, new IssueCollector());
    return { saccr: computeSaccr(validation.portfolio, validation.market!, { ...inputs, convention: 'ore' }), counterparties: validation.portfolio.counterparties };
  }
  it("gives ORE's capital charge EAD × RW (RW 1 from the counterparty file) and capital at the capital ratio", async () => {
    const { saccr, counterparties } = await oreSaccr();
    const capital = { costOfCapital: 0.1, capitalRatio: 0.08, bankRwa: 100e6, bankCet1: 12e6 };
    const rwa = computeRwa(saccr, counterparties, { capital });
    const a = rwa.nettingSets.find((n) => n.nettingSetId === 'CPTY_A')!;
    expect(a.riskWeightSource).toBe('override');
    expect(Math.abs(a.rwa - 1690482.554914)).toBeLessThan(1e-6);
    expect(Math.abs(rwa.totalRwa - 8690482.554914)).toBeLessThan(1e-6);
    expect(rwa.totalCapital).toBeCloseTo(rwa.totalRwa * 0.08, 8);
    expect(a.capital).toBeCloseTo(a.rwa * 0.08, 8);
    // CET1: 12m / 100m = 12% before, 12m / 108,690,482.55 after
    expect(rwa.cet1!.ratioAfter).toBeCloseTo(12e6 / (100e6 + 8690482.554914), 12);
    expect(rwa.cet1!.impactBp).toBeCloseTo((12e6 / (100e6 + 8690482.554914) - 0.12) * 1e4, 8);
  });
  it('leaves the CET1 impact out without a bank RWA and CET1, and the CRE20 weight applies without the override', async () => {
    const { saccr, counterparties } = await oreSaccr();
    const noOverride = counterparties.map(({ riskWeight: _drop, ...c }) => c);
    const rwa = computeRwa(saccr, noOverride, { capital: { costOfCapital: 0.1, capitalRatio: 0.08 } });
    expect(rwa.cet1).toBeUndefined();
    const a = rwa.nettingSets.find((n) => n.nettingSetId === 'CPTY_A')!;
    // CPTY_A is a bank rated A: 30% (CRE20.17)
    expect([a.riskWeight, a.riskWeightSource]).toEqual([0.3, 'bank']);
    expect(a.rwa).toBeCloseTo(0.3 * 1690482.554914, 6);
  });
});
