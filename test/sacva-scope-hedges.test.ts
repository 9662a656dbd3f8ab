/**
 * The computed SA-CVA's scope and hedges, from the forty-fourth session's SA-CVA audit (helper 101, its own MAR50
 * aggregation in Python):
 *
 * (a) MAR50.5: transactions with a qualifying CCP are out of the scope of CVA capital. The computed SA-CVA summed
 *     every simulated set's CVA: the small book with NS_CCP's independent amount set to 0 gave 227,495 against 216,249
 *     without the CCP's CVA. Reference: the same paths and grid simulated here, computeXva per netting set, the sum
 *     over every set but NS_CCP (base CVA, and the EUR FX delta re-simulated on the bumped market).
 * (b) MAR50.37-50.39, 50.53: a bought CDS on a counterparty's name is an eligible hedge of its credit spread (BA-CVA
 *     already took it), and was ignored (SA-CVA rose 216,249 → 217,194 with a 400k bought CDS on BANK_ALPHA). Its
 *     CvaHedge records are checked against the CDS re-priced by hand on a market file whose quote is 1bp higher (the
 *     loader's own bootstrap), and the capital against the audit's figure: 171,625 (its Python, MAR50.52-53, on the
 *     tool's records with the hedge's sensitivities entered by hand), at 1,000 paths, seed 7.
 * (c) MAR50.49: a collateral currency no trade uses had no FX delta, though the CSA's amounts convert to the base
 *     currency at its spot (the audit's book: USD swaps under a GBP CSA with 3m thresholds, GBPUSD +1% moved the CVA by
 *     13.8 per 1%). Reference: the CVA on a market file whose GBPUSD spot is 1% higher, same paths and grid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapital, type CapitalRun, type CapitalRunOptions } from '../src/capital/run.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { parseMarket } from '../src/market/load.js';
import { priceTrade } from '../src/pricing/index.js';
import { runSimulation } from '../src/exposure/engine.js';
import { fxBumpedMarket } from '../src/market/bumps.js';
import type { Market } from '../src/market/types.js';
import { computeXva, exposureSetsOf } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';
import { parseGridSpec } from '../src/simulation/grid.js';

const SMALL = path.resolve('test/data/small');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const ENTITIES = 'name,kind,rating,grade\nACME_CORP,single_name,BBB,\nGLOBEX_SA,single_name,BB,\nSPX,index,,\nSX5E,index,,\n';
const GRID = '44,3M';
const HEDGE = 'T024,CP_CORP_B,NS_B,CDS,buy,USD,400000,,,2026-06-22,2031-06-20,0.01,3M,ACT/360,,,,,,,,,,,,,,,,BANK_ALPHA,,,,,,,';

/** A copy of the small book with reference_entities (the CDS names' ratings SA-CCR needs), edited by `edit`. */
function book(edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-sacva-scope-'));
  temps.push(dir);
  for (const f of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'reference_entities.csv'), ENTITIES);
  edit(dir);
  return dir;
}
const rewrite = (file: string, f: (text: string) => string) => fs.writeFileSync(file, f(fs.readFileSync(file, 'utf8')));
// NS_CCP without its independent amount: the CCP set has a CVA
const ccpWithCva = (dir: string) => rewrite(path.join(dir, 'netting_sets.csv'), (t) => t.replace('NS_CCP,CP_CCP,true,0,0,0,0,2000000,', 'NS_CCP,CP_CCP,true,0,0,0,0,0,'));

function options(dir: string, paths: number, grid = 'default'): CapitalRunOptions {
  // as `xva capital --paths N --seed 7` (the audit's runs): convention cre52, the default grid
  return { portfolioDir: dir, marketFile: path.join(dir, 'market.yaml'), convention: 'cre52', kva: true, sacva: true, paths, seed: 7, threads: 1, grid: parseGridSpec(grid), scenarios: [] };
}

describe('SA-CVA leaves out a qualifying CCP (MAR50.5)', () => {
  let run: CapitalRun;
  let dir: string;
  beforeAll(async () => {
    dir = book(ccpWithCva);
    expect(fs.readFileSync(path.join(dir, 'netting_sets.csv'), 'utf8')).toContain('NS_CCP,CP_CCP,true,0,0,0,0,0,');
    run = await runCapital(options(dir, 200, GRID));
  }, 120_000);

  it('the base CVA and the EUR FX delta are the other sets\' (the same paths and grid, computeXva by set, NS_CCP left out)', async () => {
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const ccyOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
    const credit = creditInputs(portfolio, market, portfolio.counterparties.map((c) => c.counterpartyId));
    const simulation = { paths: 200, seed: 7, grid: parseGridSpec(GRID), antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, threads: 1 };
    const bySet = async (m: Market) => {
      const sets = exposureSetsOf(await runSimulation({ portfolio, market: m, options: simulation }), (id) => ccyOf.get(id));
      return computeXva(sets, credit, { discretisation: 'mid', mode: 'unilateral' }, false).nettingSets;
    };
    const without = (sets: Awaited<ReturnType<typeof bySet>>) => sets.filter((n) => n.nettingSetId !== 'NS_CCP').reduce((a, n) => a + n.cva, 0);
    const base = await bySet(market);
    const ccp = base.find((n) => n.nettingSetId === 'NS_CCP')!.cva;
    const sens = run.saCva!.sensitivities!;
    // the CCP set's CVA is material: counted, the test would see it
    expect(ccp).toBeGreaterThan(0.01 * sens.baseCva);
    expect(Math.abs(sens.baseCva - without(base))).toBeLessThan(1e-9 * sens.baseCva);
    const fx = ((without(await bySet(fxBumpedMarket(market, 'EUR', 0.01))) - without(base)) / 0.01);
    const record = sens.records.find((r) => r.riskType === 'ForeignExchange' && r.marginType === 'Delta' && r.bucket === 'EUR')!;
    expect(Math.abs(record.value - fx)).toBeLessThan(1e-6 * Math.abs(fx) + 1e-6);
  });

  it('no credit factor of the CCP, and a note', () => {
    expect(run.saCva!.sensitivities!.records.some((r) => r.riskFactor.startsWith('CP_CCP/'))).toBe(false);
    expect(run.notes.join('\n')).toMatch(/1 qualifying CCP are out of scope \(MAR50\.5\)/);
  });
});

describe('SA-CVA recognises bought CDS on a counterparty\'s name as hedges (MAR50.37-50.39, 50.53)', () => {
  let hedged: CapitalRun;
  let dir: string;
  beforeAll(async () => {
    dir = book((d) => rewrite(path.join(d, 'trades.csv'), (t) => t.trimEnd() + '\n' + HEDGE + '\n'));
    hedged = await runCapital(options(dir, 1000));
  }, 120_000);

  it('CvaHedge records: the CDS re-priced on a market file with one BANK_ALPHA quote 1bp higher, per tenor (1e-6)', async () => {
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const cds = portfolio.trades.find((t) => t.tradeId === 'T024')!;
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    const quotes = 'pillars: [ { tenor: 1Y, spreadBp: 55 }, { tenor: 5Y, spreadBp: 90 }, { tenor: 10Y, spreadBp: 105 } ]';
    expect(text).toContain(quotes);
    const v0 = priceTrade(cds, market).npv;
    const hedges = hedged.saCva!.sensitivities!.records.filter((r) => r.cvaType === 'CvaHedge');
    const bumps: [string, string][] = [
      ['1Y', quotes.replace('spreadBp: 55', 'spreadBp: 56')],
      ['5Y', quotes.replace('spreadBp: 90', 'spreadBp: 91')],
      ['10Y', quotes.replace('spreadBp: 105', 'spreadBp: 106')],
    ];
    for (const [tenor, bumped] of bumps) {
      const expected = (priceTrade(cds, parseMarket(text.replace(quotes, bumped), 'bumped.yaml')).npv - v0) / 1e-4;
      const record = hedges.find((r) => r.riskFactor === `CP_BANK_A/${tenor}`);
      if (Math.abs(expected) < 1e-6) {
        expect(record?.value ?? 0, tenor).toBeCloseTo(0, 6);
        continue;
      }
      expect(record!.bucket).toBe('2'); // financials, MAR50.63
      expect(Math.abs(record!.value - expected), tenor).toBeLessThan(1e-6 * Math.abs(expected));
    }
    // the audit's figures for the hedge (bought protection gains as the spread widens: the CVA's sign)
    expect(hedges.find((r) => r.riskFactor === 'CP_BANK_A/5Y')!.value).toBeCloseTo(1_759_095, -1);
    expect(hedged.notes.join('\n')).toMatch(/1 single-name CDS hedge on counterparty names/);
  });

  it('SA-CVA 172,557.62 with the hedge: the audit\'s MAR50.52-53 aggregation (171,625 on the records of then; 216,249 without the hedge)', () => {
    // The audit's Python aggregated the tool's records of the forty-fourth session to 171,625. The aggregation has not
    // changed since; the records have: the forty-seventh session prices the book's four FX and equity options on the
    // paths with the term structure's forward variance (docs/simulation.md), which moves their CVA and its deltas
    // (172,597.65); helper 146's IR bumps bootstrap the credit curves quoted in the bumped currency again (BANK_ALPHA
    // and GLOBEX_SA in EUR, the proxies in USD: test/sacva-ir-credit.test.ts), which moves the EUR and USD IR deltas
    expect(Math.abs(hedged.saCva!.capital - 172_557.62)).toBeLessThan(1);
  });
});

describe('SA-CVA FX delta of a collateral currency no trade uses (MAR50.49)', () => {
  it('USD swaps under a GBP CSA: the GBP FXSpot record is the CVA re-computed on a market file with GBPUSD 1% higher', async () => {
    const dir = book((d) => {
      rewrite(path.join(d, 'netting_sets.csv'), (t) => [t.split('\n')[0], 'NS_A_CSA,CP_BANK_A,true,3000000,3000000,100000,100000,0,0,10000,10,1,simm,GBP,false,'].join('\n') + '\n');
      rewrite(path.join(d, 'trades.csv'), (t) => t.split('\n').filter((l, i) => i === 0 || /^(T001|T003|T013),/.test(l)).join('\n') + '\n');
      for (const f of ['collateral.csv', 'eligible_collateral.csv']) if (fs.existsSync(path.join(d, f))) rewrite(path.join(d, f), (t) => t.split('\n').filter((l, i) => i === 0 || l.includes('NS_A_CSA') || !/NS_/.test(l)).join('\n'));
    });
    const run = await runCapital(options(dir, 200, GRID));
    const record = run.saCva!.sensitivities!.records.find((r) => r.riskType === 'ForeignExchange' && r.marginType === 'Delta' && r.bucket === 'GBP');
    expect(record).toBeDefined();
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    expect(text).toContain('GBPUSD: 1.2700');
    const cvaOn = async (marketText: string) => {
      const market = parseMarket(marketText, 'market.yaml');
      const { portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
      const credit = creditInputs(portfolio, market, portfolio.counterparties.map((c) => c.counterpartyId));
      const simulation = { paths: 200, seed: 7, grid: parseGridSpec(GRID), antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, threads: 1 };
      const sets = exposureSetsOf(await runSimulation({ portfolio, market, options: simulation }), () => 'GBP');
      return computeXva(sets, credit, { discretisation: 'mid', mode: 'unilateral' }, false).book.cva;
    };
    const expected = ((await cvaOn(text.replace('GBPUSD: 1.2700', `GBPUSD: ${1.27 * 1.01}`))) - (await cvaOn(text))) / 0.01;
    expect(Math.abs(expected)).toBeGreaterThan(1);
    expect(Math.abs(record!.value - expected)).toBeLessThan(1e-6 * Math.abs(expected));
  }, 120_000);
});

describe('sacva_bucket in reference_entities', () => {
  it('a value outside 1 … 17 is an error naming the file, row, column and value', async () => {
    const dir = book((d) => fs.writeFileSync(path.join(d, 'reference_entities.csv'), 'name,kind,rating,sacva_bucket\nACME_CORP,single_name,BBB,4\nGLOBEX_SA,single_name,BB,18\n'));
    await expect(loadSimulationInputs(dir, path.join(dir, 'market.yaml'))).rejects.toThrow(/reference_entities\.csv row 2 column sacva_bucket: 18: expected one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17/);
  });

  it('sets the reference credit bucket of a CDS name in the computed SA-CVA (ACME_CORP: 4 instead of 15)', async () => {
    const dir = book((d) => fs.writeFileSync(path.join(d, 'reference_entities.csv'), 'name,kind,rating,grade,sacva_bucket\nACME_CORP,single_name,BBB,,4\nGLOBEX_SA,single_name,BB,,\nSPX,index,,,\nSX5E,index,,,\n'));
    const run = await runCapital(options(dir, 64, GRID));
    const buckets = run.saCva!.sensitivities!.records.filter((r) => r.riskType === 'CreditReference').map((r) => r.bucket);
    expect(buckets).toContain('4');
  }, 120_000);
});

describe('counterparty credit delta at the MAR50.65 tenors by hat weights', () => {
  it('a 7Y quote moves 0.6bp in the 5Y bump and 0.4bp in the 10Y one: each record is the CVA on a market file so shifted', async () => {
    const quotes = 'pillars: [ { tenor: 1Y, spreadBp: 55 }, { tenor: 5Y, spreadBp: 90 }, { tenor: 10Y, spreadBp: 105 } ]';
    const with7y = (s1: number, s5: number, s7: number, s10: number) => `pillars: [ { tenor: 1Y, spreadBp: ${55 + s1} }, { tenor: 5Y, spreadBp: ${90 + s5} }, { tenor: 7Y, spreadBp: ${98 + s7} }, { tenor: 10Y, spreadBp: ${105 + s10} } ]`;
    const dir = book((d) => rewrite(path.join(d, 'market.yaml'), (t) => {
      expect(t).toContain(quotes);
      return t.replace(quotes, with7y(0, 0, 0, 0));
    }));
    const run = await runCapital(options(dir, 200, GRID));
    const records = run.saCva!.sensitivities!.records.filter((r) => r.riskType === 'CreditCounterparty' && r.riskFactor.startsWith('CP_BANK_A/'));
    // no quote between 1Y and 5Y: the 3Y bump moves none and has no record
    expect(records.map((r) => r.riskFactor).sort()).toEqual(['CP_BANK_A/10Y', 'CP_BANK_A/1Y', 'CP_BANK_A/5Y']);
    // the reference: the base run's exposure (credit bumps re-use it), the CVA on each market file's curves
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const ccyOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
    const simulation = { paths: 200, seed: 7, grid: parseGridSpec(GRID), antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, threads: 1 };
    const sets = exposureSetsOf(await runSimulation({ portfolio, market, options: simulation }), (id) => ccyOf.get(id)).filter((s) => s.counterpartyId === 'CP_BANK_A');
    const cva = (m: typeof market) => computeXva(sets, creditInputs(portfolio, m, ['CP_BANK_A']), { discretisation: 'mid', mode: 'unilateral' }, false).book.cva;
    const base = cva(market);
    // hat weights of the quotes 1Y, 5Y, 7Y, 10Y at the tenors 1Y, 5Y, 10Y
    const shifts: Record<string, [number, number, number, number]> = { '1Y': [1, 0, 0, 0], '5Y': [0, 1, 0.6, 0], '10Y': [0, 0, 0.4, 1] };
    for (const [tenor, [a, b, c, d]] of Object.entries(shifts)) {
      const record = records.find((r) => r.riskFactor === `CP_BANK_A/${tenor}`)!;
      const bumped = parseMarket(text.replace(with7y(0, 0, 0, 0), with7y(a, b, c, d)), 'bumped.yaml');
      const expected = (cva(bumped) - base) / 1e-4;
      expect(Math.abs(record.value - expected), tenor).toBeLessThan(1e-6 * Math.abs(expected) + 1e-6);
    }
  }, 120_000);
});
