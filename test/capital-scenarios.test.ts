/**
 * `xva capital` under stress scenarios (docs/capital.md, "Scenarios"), from the forty-fourth session's MVA/KVA audit
 * (helper 102): under credit ±100bp the KVA was held at its base figure and `xva explain` stated a KVA change of 0,
 * while the KVA's survival terms move (its MVA moved −4%); a collateral-coverage scenario was written with today's
 * capital as its figure.
 *
 * Reference, on the single-swap book (one counterparty, no hedge: BA-CVA's K = SCVA, so each date's capital is linear in
 * the counterparty's survival S_c(t_k), as the CCR part is): the base run's KVA contributions reweighted by hand by
 * S_c'(t)/S_c(t) and S_own'(t)/S_own(t), the shocked survivals read from a market file whose CDS quotes are 100bp wider
 * (the loader's own bootstrap). Tolerance 1e-9 relative (two bootstraps of the same quotes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCapital, type CapitalRun, type CapitalRunOptions } from '../src/capital/run.js';
import { loadSaccrInputs } from '../src/capital/saccr/index.js';
import { IssueCollector } from '../src/errors.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { buildMeasureContext, measureBase } from '../src/optimize/measure/index.js';
import { parseMarket } from '../src/market/load.js';
import { loadScenario } from '../src/scenarios/load.js';
import type { Scenario } from '../src/scenarios/types.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { smallCapitalRun } from './helpers/capitalRun.js';

const DIR = path.resolve('test/data/kva_single_swap');
const scenario = (name: string, shocks: Scenario['shocks']): Scenario => ({ name, description: name, shocks, file: `${name}.yaml` });

/** `xva capital` on a book folder: KVA on 64 paths, seed 7, a quarterly grid, no SA-CVA. */
const capitalOptions = (dir: string, scenarios: Scenario[]): CapitalRunOptions => smallCapitalRun(dir, { scenarios });

let run: CapitalRun;
beforeAll(async () => {
  const options = capitalOptions(DIR, [
      loadScenario(path.resolve('scenarios/credit_up_100bp.yaml')),
      scenario('own_up_100bp', { ownCreditSpreadBp: 100 }),
      scenario('credit_up_ratio', { creditSpreadBp: 100, capitalRatioAdd: 0.01 }),
      loadScenario(path.resolve('scenarios/funding_up_50bp.yaml')),
      loadScenario(path.resolve('scenarios/collateral_50pct.yaml')),
      loadScenario(path.resolve('scenarios/collateral_100pct.yaml')),
  ]);
  run = await runCapital(options);
}, 120_000);

/** The base run's KVA with each date's contribution reweighted by the shocked survivals of a market file. */
function reweighted(counterpartyBp: number, ownBp: number): number {
  const text = fs.readFileSync(path.join(DIR, 'market.yaml'), 'utf8');
  const cpty = '{ tenor: 1Y, spreadBp: 100 }, { tenor: 5Y, spreadBp: 100 }';
  const own = '{ tenor: 1Y, spreadBp: 60 }, { tenor: 5Y, spreadBp: 60 }';
  expect(text).toContain(cpty);
  expect(text).toContain(own);
  const base = parseMarket(text, 'market.yaml');
  const shocked = parseMarket(
    text.replace(cpty, `{ tenor: 1Y, spreadBp: ${100 + counterpartyBp} }, { tenor: 5Y, spreadBp: ${100 + counterpartyBp} }`).replace(own, `{ tenor: 1Y, spreadBp: ${60 + ownBp} }, { tenor: 5Y, spreadBp: ${60 + ownBp} }`),
    'shocked.yaml',
  );
  let kva = 0;
  for (const row of run.kva!.profile) {
    const t = row.timeYears;
    const c = shocked.creditCurve('CPTY_S').survival(t) / base.creditCurve('CPTY_S').survival(t);
    const o = shocked.ownCredit!.survival(t) / base.ownCredit!.survival(t);
    kva += row.kvaContribution * c * o;
  }
  return kva;
}

describe('capital scenarios', () => {
  it('credit spreads move the KVA through its survival terms, by hand; today\'s capital unchanged', () => {
    const row = (name: string) => run.scenarios.find((r) => r.scenario === name)!;
    const base = run.kva!.kva;
    const credit = row('credit_up_100bp');
    const expected = reweighted(100, 0);
    expect(expected).toBeLessThan(0.99 * base); // the counterparty's survival at 100bp more (a hazard 1.7% a year higher) over the swap's decaying capital: −2.6%
    expect(Math.abs(credit.kva! - expected)).toBeLessThan(1e-9 * expected);
    expect(credit.capital).toBe(run.capital);
    const own = row('own_up_100bp');
    expect(Math.abs(own.kva! - reweighted(0, 100))).toBeLessThan(1e-9 * base);
    // with the capital ratio as well: both, the ratio's scale on top
    const both = row('credit_up_ratio');
    expect(Math.abs(both.kva! - (expected * 0.115) / 0.105)).toBeLessThan(1e-9 * expected);
    expect(both.capital).toBeCloseTo((run.capital * 0.115) / 0.105, 6);
  });

  it('funding moves neither (a note); a collateral coverage is not evaluated (no row, a note), a coverage of 1 is', () => {
    const funding = run.scenarios.find((r) => r.scenario === 'funding_up_50bp')!;
    expect(funding.kva).toBe(run.kva!.kva);
    expect(run.notes).toContain('scenario funding_up_50bp: fundingSpreadBp moves neither capital nor KVA');
    expect(run.scenarios.some((r) => r.scenario === 'collateral_50pct')).toBe(false);
    expect(run.notes.join('\n')).toMatch(/scenario collateral_50pct: not evaluated for capital \(its collateral coverage of 0\.5/);
    expect(run.scenarios.find((r) => r.scenario === 'collateral_100pct')!.kva).toBe(run.kva!.kva);
  });
});

describe('a single-name hedge in the KVA projection lives as long as its name', () => {
  it('with a CDS on the counterparty bought from a dealer, each date\'s capital still scales with its survival (the credit scenario by hand)', async () => {
    // the hedge's notional is weighted by S_c(t) as the EAD is (until the forty-fourth session it was not: the audit's
    // small book with a hedge, KVA 228,916 on that rule). The dealer that sold it is priced on the counterparty's
    // curve too (its cds_curve), so every capital term at t_k (SCVA, SNH and HMA of BA-CVA, both sets' CCR capital) is
    // proportional to the same S(t_k), and BA-CVA's K is homogeneous of degree 1 in them. (Protection bought from the
    // counterparty itself is no hedge: src/capital/hedges.ts.)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-kva-hedge-'));
    try {
      for (const f of fs.readdirSync(DIR)) fs.copyFileSync(path.join(DIR, f), path.join(dir, f));
      fs.appendFileSync(path.join(dir, 'counterparties.csv'), 'DEALER,Dealer,financial,A,europe,CPTY_S,0.4,false,\n');
      fs.appendFileSync(path.join(dir, 'netting_sets.csv'), 'NS_D,DEALER,false,,,,,,,,,EUR,false\n');
      fs.writeFileSync(
        path.join(dir, 'trades.csv'),
        'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,reference_entity,business_day_convention\n' +
          'SWAP_5Y,CPTY_S,NS_S,IRS,pay,EUR,10000000,2024-01-02,2029-01-02,0.025,1Y,30/360,EUR-EURIBOR-6M,6M,ACT/360,,U\n' +
          'HEDGE,DEALER,NS_D,CDS,buy,EUR,5000000,2023-12-20,2028-12-20,0.01,,,,,,CPTY_S,\n',
      );
      const hedged = await runCapital(capitalOptions(dir, [loadScenario(path.resolve('scenarios/credit_up_100bp.yaml'))]));
      expect(hedged.hedges.map((h) => h.hedgeId)).toEqual(['HEDGE']);
      const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
      const cpty = '{ tenor: 1Y, spreadBp: 100 }, { tenor: 5Y, spreadBp: 100 }';
      const base = parseMarket(text, 'market.yaml').creditCurve('CPTY_S');
      const shocked = parseMarket(text.replace(cpty, '{ tenor: 1Y, spreadBp: 200 }, { tenor: 5Y, spreadBp: 200 }'), 'shocked.yaml').creditCurve('CPTY_S');
      let expected = 0;
      for (const row of hedged.kva!.profile) expected += (row.kvaContribution * shocked.survival(row.timeYears)) / base.survival(row.timeYears);
      const stressed = hedged.scenarios[0]!.kva!;
      expect(Math.abs(stressed - expected)).toBeLessThan(1e-9 * expected);
      // the optimiser's measured KVA (optimize/measure, its own projection) weighs the hedge the same way
      const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
      const issues = new IssueCollector();
      const saccrInputs = await loadSaccrInputs(dir, issues);
      issues.throwIfAny();
      const ctx = buildMeasureContext({ portfolio, market, paths: 64, seed: 7, grid: parseGridSpec('22,3M'), saccrInputs, dynamicIm: false });
      const measured = await measureBase(ctx);
      expect(Math.abs(measured.book.kva - hedged.kva!.kva)).toBeLessThan(1e-12 * hedged.kva!.kva);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("credit spread scenarios on a book holding CDS: today's capital moves with the CDS values (helper 112)", () => {
  // SA-CCR's RC and PFE read each CDS's value, which moves with its reference name's spread; the scenario's capital
  // was today's, unchanged. Reference: xva capital on a market file whose reference names' CDS quotes are 100bp
  // wider (the loader's own bootstrap): its capital equals the scenario row's (1e-9 relative: two bootstraps).
  it.each([100, -50])('test/data/small (two CDS: ACME_CORP, GLOBEX_SA), creditSpreadBp %i', async (shiftBp) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-capital-cds-'));
    fs.cpSync(path.resolve('test/data/small'), dir, { recursive: true });
    // SA-CCR's credit positions need their names' ratings (CRE52.60)
    fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade\nACME_CORP,single_name,A,\nGLOBEX_SA,single_name,BBB,\n');
    const base = await runCapital({ ...capitalOptions(dir, [scenario('credit', { creditSpreadBp: shiftBp })]), kva: false });
    // the same book on a market file with the two reference names' quotes shifted
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    const lines = text.split('\n');
    let name = '';
    const shifted = lines.map((line) => {
      const m = /^ {4}([A-Z_]+):\s*$/.exec(line);
      if (m) name = m[1]!;
      if (/^ {2}\S/.test(line)) name = '';
      if ((name === 'ACME_CORP' || name === 'GLOBEX_SA') && line.includes('pillars:')) return line.replace(/spreadBp: (\d+(?:\.\d+)?)/g, (_, x: string) => `spreadBp: ${Number(x) + shiftBp}`);
      return line;
    });
    expect(shifted.join('\n')).not.toBe(text);
    const market = path.join(dir, 'market_shifted.yaml');
    fs.writeFileSync(market, shifted.join('\n'));
    const full = await runCapital({ ...capitalOptions(dir, []), marketFile: market, kva: false });
    const row = base.scenarios[0]!;
    expect(Math.abs(row.capitalCcr / full.capitalCcr - 1)).toBeLessThan(1e-9);
    expect(Math.abs(row.capitalCva / full.capitalCva - 1)).toBeLessThan(1e-9);
    expect(Math.abs(row.capital / full.capital - 1)).toBeLessThan(1e-9);
    // and it moved: the CDS values are in today's capital
    expect(Math.abs(row.capital / base.capital - 1)).toBeGreaterThan(1e-6);
    expect(base.notes.some((n) => n.includes('creditSpreadBp') && n.includes('does not move capital'))).toBe(false);
  }, 60_000);
});

describe('xva capital says its inputs\' warnings (helper 112: they were dropped)', () => {
  it('a misspelt collateral_balances column and a CSA amount on a set without a CSA are among the run\'s notes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-capital-warn-'));
    fs.cpSync(DIR, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'collateral_balances.csv'), 'netting_set_id,variation_margin,independent_collateral_recieved\nNS_S,0,150\n');
    const ns = fs.readFileSync(path.join(dir, 'netting_sets.csv'), 'utf8').split('\n');
    const header = ns[0]!.split(',');
    const row = ns[1]!.split(',');
    row[header.indexOf('threshold_cpty')] = '100000';
    ns[1] = row.join(',');
    fs.writeFileSync(path.join(dir, 'netting_sets.csv'), ns.join('\n'));
    const run = await runCapital({ ...capitalOptions(dir, []), kva: false });
    expect(run.notes).toContain('collateral_balances.csv column independent_collateral_recieved: unknown column(s), ignored: expected columns of the collateral_balances table (docs/capital.md)');
    expect(run.notes.some((n) => n.startsWith('netting_sets.csv row 1 column threshold_cpty: 100000: expected blank or 0 on a netting set without a CSA'))).toBe(true);
  }, 60_000);
});
