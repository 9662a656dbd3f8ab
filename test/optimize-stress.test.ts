/**
 * The stress step of `xva optimize` (src/optimize/run.ts, docs/optimize.md §4), on the bundled demo book through the
 * library (runOptimize), the faults the thirty-fourth session's audit found:
 * - a stressed candidate that adds a counterparty (a CVA hedge's dealer) is stressed with that counterparty's credit:
 *   the run used to stop with "no credit curve resolved for counterparty HDG-DEALER";
 * - a scenario that shocks neither credit, funding nor collateral coverage leaves an action's CVA and FVA deltas as
 *   measured, bit for bit (they were recomputed against the wrong base sets for actions whose base was re-measured);
 * - a scenario that combines a coverage level with a credit shock applies both: its KVA delta is the base's (neither
 *   moves KVA), its CVA and MVA deltas differ from the coverage-only scenario's and the CVA delta from the credit-only
 *   scenario's too (the credit part was dropped); a coverage c scales the MVA delta by c (the bank posts c
 *   times the IM), a funding shock scales it by the spread's ratio (MVA is linear in the funding spread);
 * - every action the plan chooses has been stressed (with and without --robust), so the summary never says "not
 *   stressed" of a chosen action.
 * - the amended book written beside the plan carries the collateral balances its capital was measured with (the VM a
 *   plan's lower threshold calls for), so fresh `xva capital` runs on it give the realised ΔEAD (it copied the base
 *   book's balances, and gave 12% less saving on the audit's book).
 * Small runs (100 paths, one thread, few candidates a lever): what is checked is exact, not statistical.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapital } from '../src/capital/run.js';
import { writeOptimizeOutputs } from '../src/optimize/write.js';
import { DEFAULT_WEIGHTS } from '../src/optimize/objective.js';
import { DEFAULT_LIMITS } from '../src/optimize/plan.js';
import { runOptimize, type OptimizeOptions } from '../src/optimize/run.js';
import type { Scenario } from '../src/scenarios/types.js';
import { REPO_ROOT } from './helpers/paths.js';

const DEMO = path.join(REPO_ROOT, 'fixtures/demo');
const scenario = (name: string, shocks: Scenario['shocks']): Scenario => ({ name, description: name, shocks, file: `${name}.yaml` });
const SCENARIOS = [
  scenario('credit_up_100bp', { creditSpreadBp: 100 }),
  scenario('funding_up_50bp', { fundingSpreadBp: 50 }),
  scenario('capital_ratio_plus_1pct', { capitalRatioAdd: 0.01 }),
  scenario('cov50', { collateralCoverage: 0.5 }),
  scenario('credit500', { creditSpreadBp: 500 }),
  scenario('cov50_credit500', { collateralCoverage: 0.5, creditSpreadBp: 500 }),
];

function options(levers: OptimizeOptions['levers'], more: Partial<OptimizeOptions> = {}): OptimizeOptions {
  return {
    portfolioDir: DEMO,
    marketFile: path.join(DEMO, 'market.yaml'),
    paths: 100,
    seed: 42,
    threads: 1,
    xva: { discretisation: 'mid', mode: 'unilateral' },
    levers,
    weights: DEFAULT_WEIGHTS,
    limits: DEFAULT_LIMITS,
    maxCandidatesPerLever: 2,
    scenarios: SCENARIOS,
    stressCandidates: 1,
    robust: false,
    log: () => {},
    ...more,
  };
}

describe('xva optimize: the stress step', () => {
  it('stresses CSA amendments and CVA hedges (a new dealer counterparty) under every scenario; shocks apply as stated', async () => {
    const run = await runOptimize(options(['csa', 'cva_hedge'], { stressCandidates: 4 }));
    const stressed = [...new Set(run.scenarioRows.map((r) => r.actionId))];
    expect(stressed.some((id) => id.startsWith('cva_hedge:'))).toBe(true);
    expect(stressed.some((id) => id.startsWith('csa:'))).toBe(true);
    for (const id of stressed) expect(run.scenarioRows.filter((r) => r.actionId === id).map((r) => r.scenario)).toEqual(SCENARIOS.map((s) => s.name));
    const row = (id: string, s: string) => run.scenarioRows.find((r) => r.actionId === id && r.scenario === s)!;
    // an action that posts IM (add_im: a SIMM to post) is among them, so the MVA checks below are not vacuous
    expect(run.candidates.filter((c) => stressed.includes(c.actionId)).some((c) => c.delta.mva > 1e3)).toBe(true);
    for (const a of run.candidates.filter((c) => stressed.includes(c.actionId))) {
      // nothing that moves CVA or FVA: the measured deltas, bit for bit; KVA scaled by the capital ratio
      const ratio = row(a.actionId, 'capital_ratio_plus_1pct');
      expect([ratio.dCva, ratio.dFva, ratio.dMva]).toEqual([a.delta.cva, a.delta.fva, a.delta.mva]);
      // a credit or funding shock moves CVA, FVA and MVA, not KVA; MVA is linear in the funding spread (the demo's USD
      // borrow spread 65bp, no remuneration of posted IM): +50bp scales the action's MVA delta by 115/65 exactly (to
      // rounding), and wider credit spreads shorten the survival that weighs it
      expect(row(a.actionId, 'credit_up_100bp').dKva).toBe(a.delta.kva);
      expect(Math.abs(row(a.actionId, 'funding_up_50bp').dMva - (a.delta.mva * 115) / 65)).toBeLessThanOrEqual(1e-9 * Math.abs(a.delta.mva) + 1e-9);
      if (a.delta.mva === 0) expect(row(a.actionId, 'credit_up_100bp').dMva).toBe(0);
      else expect(Math.abs(row(a.actionId, 'credit_up_100bp').dMva)).toBeLessThan(Math.abs(a.delta.mva));
      // (recomputed from the same exposure profiles: the same figure to summation order)
      expect(Math.abs(row(a.actionId, 'funding_up_50bp').dCva - a.delta.cva)).toBeLessThanOrEqual(1e-12 * Math.abs(a.delta.cva) + 1e-9);
      // IM the bank holds is segregated and funds nothing (FCA on the exposure after VM only): adding it moves no FVA,
      // under any funding spread; every other action's FVA moves with the spread
      // (to rounding: the exposure after VM only is summed apart from the EPE where IM is held)
      if (a.actionId.endsWith(':add_im')) for (const dFva of [a.delta.fva, row(a.actionId, 'funding_up_50bp').dFva]) expect(Math.abs(dFva)).toBeLessThan(1e-6);
      else expect(row(a.actionId, 'funding_up_50bp').dFva).not.toBe(a.delta.fva);
      expect(row(a.actionId, 'credit500').dCva).not.toBe(a.delta.cva);
    }
    // the coverage and credit parts of one scenario both apply
    for (const id of stressed.filter((x) => x.startsWith('csa:'))) {
      const combo = row(id, 'cov50_credit500');
      // half the IM posted at coverage 0.5 (the DIM does not depend on collateral): half the MVA delta; credit 500bp
      // on top shortens the survival that weighs it
      const measured = run.candidates.find((c) => c.actionId === id)!.delta.mva;
      expect(Math.abs(row(id, 'cov50').dMva - 0.5 * measured)).toBeLessThanOrEqual(1e-9 * Math.abs(measured));
      if (measured === 0) expect(combo.dMva).toBe(0);
      else expect(Math.abs(combo.dMva)).toBeLessThan(Math.abs(row(id, 'cov50').dMva));
      expect(combo.dKva).toBe(row(id, 'credit500').dKva);
      expect(combo.dCva).not.toBe(row(id, 'cov50').dCva);
      expect(combo.dCva).not.toBe(row(id, 'credit500').dCva);
    }
  }, 180_000);

  it('every chosen action is stressed, with and without --robust, even beyond --stress-candidates', async () => {
    for (const robust of [false, true]) {
      const run = await runOptimize(options(['csa'], { maxCandidatesPerLever: 8, stressCandidates: 1, robust, scenarios: SCENARIOS.slice(0, 3) }));
      const stressed = new Set(run.scenarioRows.map((r) => r.actionId));
      expect(run.plan.actions.length, `robust ${robust}`).toBeGreaterThan(1);
      for (const a of run.plan.actions) expect(stressed.has(a.actionId), `${a.actionId} (robust ${robust})`).toBe(true);
      if (robust) for (const r of run.recommendations.filter((x) => x.rank !== null)) expect(r.worstScenarioBenefit).not.toBeNull();
    }
  }, 180_000);
});

describe('xva optimize: a downward credit shock that floors a hazard says so', () => {
  it('an inverted proxy curve (1Y 150bp, 3Y 88.2bp) under credit −100bp: the plan notes the floored interval once, naming the scenario', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-optimize-floor-'));
    try {
      fs.cpSync(DEMO, dir, { recursive: true });
      const file = path.join(dir, 'market.yaml');
      const text = fs.readFileSync(file, 'utf8');
      // other-BBB, two demo counterparties' proxy: 1Y 60.6bp made 150bp (still a positive 1Y-3Y hazard, ~0.95%)
      const proxy = '    - sector: other\n      rating: BBB\n      recovery: 0.4\n      pillars:\n        - { tenor: 1Y, spreadBp: 60.6 }';
      expect(text).toContain(proxy);
      fs.writeFileSync(file, text.replace(proxy, proxy.replace('spreadBp: 60.6', 'spreadBp: 150')));
      const run = await runOptimize({ ...options(['csa']), portfolioDir: dir, marketFile: file, scenarios: [scenario('credit_down_100bp', { creditSpreadBp: -100 })] });
      expect(run.scenarioRows.length).toBeGreaterThan(0);
      // shifted: 1Y 50bp, 3Y floored at 1e-6bp: the 1Y-3Y hazard would be negative, floored at 0 (the base and the
      // amended book's credit both shocked, for every stressed action: one note)
      const floored = run.notes.filter((n) => n.includes('credit curve other-BBB'));
      expect(floored).toHaveLength(1);
      expect(floored[0]).toMatch(/^scenario credit_down_100bp: credit curve other-BBB shifted -100bp: the shifted spreads? of 3Y \(to \d{4}-\d\d-\d\d\).* floored at 0 there/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('xva optimize: the amended book carries the balances its capital was measured with', () => {
  it('a demo book with VM balances on file: fresh xva capital on amended/ minus the base gives the realised ΔEAD and CCR ΔRWA', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-optimize-balances-'));
    try {
      const book = path.join(dir, 'book');
      fs.cpSync(DEMO, book, { recursive: true });
      fs.writeFileSync(
        path.join(book, 'collateral_balances.csv'),
        'netting_set_id,currency,variation_margin,independent_collateral_received,independent_collateral_posted,posted_segregated\n' +
          'NS-CP0030-1,USD,2000000,0,0,false\nNS-CP0011-1,USD,1000000,0,0,false\nNS-CP0014-1,USD,500000,0,0,false\n',
      );
      const run = await runOptimize(options(['csa'], { portfolioDir: book, marketFile: path.join(book, 'market.yaml'), maxCandidatesPerLever: 20, scenarios: [] }));
      expect(run.realised).toBeDefined();
      // the plan moves the VM of a set with a balance on file (a lower threshold is called for)
      expect(run.amendedCollateralBalances).toBeDefined();
      const out = path.join(dir, 'out');
      // an earlier run's collateral allocation (the collateral lever): this run has none, so it must not stay
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'collateral_allocation.arrow'), 'an earlier run');
      writeOptimizeOutputs(out, run, { asOf: '2026-11-25', paths: 100, seed: 42, portfolioDir: book, marketFile: path.join(book, 'market.yaml') });
      expect(fs.existsSync(path.join(out, 'amended', 'collateral_balances.parquet'))).toBe(true);
      expect(fs.existsSync(path.join(out, 'amended', 'collateral_balances.csv'))).toBe(false);
      expect(fs.existsSync(path.join(out, 'collateral_allocation.arrow'))).toBe(false);
      const capital = (p: string) => runCapital({ portfolioDir: p, marketFile: path.join(book, 'market.yaml'), convention: 'cre52', sacva: false, kva: false, paths: 100, seed: 42, grid: { kind: 'default' }, scenarios: [] });
      const [before, after] = [await capital(book), await capital(path.join(out, 'amended'))];
      const ead = (c: Awaited<ReturnType<typeof capital>>) => c.saccr.nettingSets.reduce((a, n) => a + n.ead, 0);
      const dEad = ead(after) - ead(before);
      expect(Math.abs(dEad - run.realised!.delta.ead)).toBeLessThanOrEqual(1e-9 * Math.abs(ead(before)));
      // the CCR RWA (xva capital's rwa.totalRwa; the plan's delta.rwa adds 12.5 × BA-CVA)
      const dRwaCcr = run.realised!.book.rwaCcr - run.realised!.baseBook.rwaCcr;
      expect(Math.abs(after.rwa.totalRwa - before.rwa.totalRwa - dRwaCcr)).toBeLessThanOrEqual(1e-9 * before.rwa.totalRwa);
      expect(Math.abs(dEad)).toBeGreaterThan(1e6);
      // a second write that fails part way (a folder where plan.arrow goes) leaves no summary.md: the folder says it is
      // not one run's
      fs.rmSync(path.join(out, 'plan.arrow'));
      fs.mkdirSync(path.join(out, 'plan.arrow', 'x'), { recursive: true });
      expect(() => writeOptimizeOutputs(out, run, { asOf: '2026-11-25', paths: 100, seed: 7, portfolioDir: book, marketFile: path.join(book, 'market.yaml') })).toThrow(/cannot write .*plan\.arrow/);
      expect(fs.existsSync(path.join(out, 'summary.md'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('xva optimize: a candidate beyond the grid is left out, the run goes on', () => {
  it("a CVA hedge at the standard CDS tenor past the book's only swap (4.5 years): noted, not measured; the run ends", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-optimize-beyond-'));
    try {
      fs.copyFileSync(path.join(DEMO, 'market.yaml'), path.join(dir, 'market.yaml'));
      fs.writeFileSync(path.join(dir, 'counterparties.csv'), 'counterparty_id,name,sector,rating,region,cds_curve,recovery,qccp,risk_weight\nCP0001,Republic of Oakgateia,sovereign,AA,asia_pacific,CP0001,,false,\n');
      fs.writeFileSync(
        path.join(dir, 'netting_sets.csv'),
        'netting_set_id,counterparty_id,csa,threshold_cpty,threshold_bank,mta_cpty,mta_bank,independent_amount_cpty,independent_amount_bank,rounding,margin_period_of_risk_days,margin_frequency_days,im_model,collateral_currency,cleared,ccp,calculate_vm\n' +
          'NS-B,CP0001,false,,,,,,,,,,none,USD,false,,\n',
      );
      fs.writeFileSync(
        path.join(dir, 'trades.csv'),
        'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,float_spread_bp,business_day_convention\n' +
          'S1,CP0001,NS-B,IRS,pay,USD,100000000,2026-06-30,2030-12-30,0.03,6M,30/360,USD-SOFR,3M,ACT/360,0,MF\n',
      );
      const run = await runOptimize(options(['cva_hedge'], { portfolioDir: dir, marketFile: path.join(dir, 'market.yaml'), scenarios: [] }));
      const note = run.notes.find((n) => n.startsWith('cva_hedge:HDG-CP0001: not measured: added trade HDG-CP0001 matures on '));
      expect(note, run.notes.join('\n')).toMatch(/matures on 2031-\d\d-\d\d, after the book's last grid date 203\d-\d\d-\d\d/);
      expect(run.candidates.some((c) => c.actionId === 'cva_hedge:HDG-CP0001')).toBe(false);
      expect(run.plan.actions).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
