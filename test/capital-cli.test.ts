/**
 * `xva capital` as a user runs it (the built CLI), against published and hand-computed figures:
 * - the five BCBS 279 worked examples (test/data/saccr/bcbs279_ex1..5, `--no-kva --json`): EAD 569 / 381 / 5,406 /
 *   936 / 1,879, to the paper's rounding (integers, ±1 — the paper rounds every intermediate);
 * - ORE's two-swap case with `--convention ore`: EAD 1,690,482.554914 (ORE saccr.csv, 6 decimals printed: 1e-6);
 *   BA-CVA with ORE's effective maturity passed as `--bacva-maturity CPTY_A=10.907723` gives ORE's 329,943.971686
 *   to 1e-7 relative (ORE prints M to 6 decimals: a 5e-7 error in M moves SCVA by ≈ 3e-8 relative); with the CLI's own
 *   M convention (CRE32.47, notional-weighted, no flag) M is the trades' remaining maturity, 20.07 years, and the
 *   capital follows MAR50.14-16 by hand;
 * - `--explain-trade Swap_EUR` gives ORE's saccr_detail row (d 121,065,366.6480, S 0.5710, E 20.0738, MF 1, bucket 3);
 * - a CDS bought on a counterparty's name is a single-name hedge: BA-CVA full = MAR50.21-25 by hand;
 * - the capital-ratio scenario (scenarios/capital_ratio_plus_1pct.yaml): capital × (r + 0.01)/r, by hand;
 * - `--out` tables read back with apache-arrow equal the JSON figures;
 * - SA-CVA from ORE's XvaRisk sensitivities (`--sacva-sensitivities`, perfect FX hedges as ORE): 610,759.4118 (ORE
 *   sacva.csv, 4 decimals printed: 1e-4), used as the CVA capital (12.5 × K × ratio);
 * - bad flags exit 2 naming the flag.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const COMPILED = path.join(ROOT, 'dist/commands/capital.js');
const SACCR = path.join(ROOT, 'test/data/saccr');
const SWAP = path.join(ROOT, 'test/data/kva_single_swap');
const temps: string[] = [];

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function json(...args: string[]): any {
  const run = xva('capital', ...args, '--json');
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-capital-cli-'));
  temps.push(dir);
  return dir;
}

beforeAll(() => {
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 300_000);

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('BCBS 279 worked examples through the CLI', () => {
  const published: [string, number][] = [
    ['bcbs279_ex1', 569],
    ['bcbs279_ex2', 381],
    ['bcbs279_ex3', 5406],
    ['bcbs279_ex4', 936],
    ['bcbs279_ex5', 1879],
  ];
  for (const [folder, ead] of published) {
    it(`${folder}: EAD ${ead}`, () => {
      const doc = json('--portfolio', path.join(SACCR, folder), '--no-kva');
      expect(doc.nettingSets.length).toBe(1);
      expect(Math.abs(doc.nettingSets[0].ead - ead)).toBeLessThanOrEqual(1);
      expect(doc.book.ead).toBeCloseTo(doc.nettingSets[0].ead, 9);
      expect(doc.kva).toBeNull();
      expect(doc.simulations).toBe(0);
    });
  }
});

describe("ORE's two-swap case (shared/reference/ore/saccr_bacva_two_swaps)", () => {
  const dir = path.join(SACCR, 'ore_two_swaps');
  it('EAD 1,690,482.55 with --convention ore; BA-CVA 329,943.97 with ORE\'s M; explain-trade gives the detail row', () => {
    const doc = json('--portfolio', dir, '--no-kva', '--convention', 'ore', '--bacva-maturity', 'CPTY_A=10.907723', '--explain-trade', 'Swap_EUR');
    const a = doc.nettingSets.find((n: { nettingSetId: string }) => n.nettingSetId === 'CPTY_A');
    expect(Math.abs(a.ead - 1_690_482.554914)).toBeLessThan(1e-6);
    expect(Math.abs(a.addOnIr - 1_150_763.788096)).toBeLessThan(1e-6);
    expect(Math.abs(a.rc - 56_723.751129)).toBeLessThan(1e-6);
    // CPTY_B has no trades: M = 0, so it adds nothing to BA-CVA (ORE's bacva.csv lists CPTY_A only)
    expect(Math.abs(doc.baCva.capital - 329_943.971686)).toBeLessThan(1e-7 * 329_943.971686);
    const scva = doc.baCva.counterparties.find((c: { counterpartyId: string }) => c.counterpartyId === 'CPTY_A').scva;
    expect(Math.abs(scva - 507_606.110287)).toBeLessThan(1e-7 * 507_606.110287);
    const e = doc.explain[0];
    expect(e.adjustedNotional).toBeCloseTo(121_065_366.648, 3);
    expect(e.startYears).toBeCloseTo(0.571, 3);
    expect(e.endYears).toBeCloseTo(20.0738, 4);
    expect(e.maturityFactor).toBe(1);
    expect(e.maturityBucket).toBe(3);
    expect(e.supervisoryDelta).toBe(1);
    expect(e.supervisoryFactor).toBe(0.005);
  });

  it("the CLI's own M (CRE32.47, notional-weighted) gives BA-CVA by the MAR50 formula by hand", () => {
    const doc = json('--portfolio', dir, '--no-kva', '--convention', 'ore');
    const m = doc.baCva.effectiveMaturity.find((x: { nettingSetId: string }) => x.nettingSetId === 'CPTY_A');
    expect(m.source).toBe('notional_weighted');
    expect(m.years).toBeCloseTo(20.0738, 4); // both swaps end 2036-03-01/03 (saccr_detail M)
    const ead = 1_690_482.554914;
    const df = (1 - Math.exp(-0.05 * m.years)) / (0.05 * m.years); // MAR50.16
    const scva = (0.05 / 1.4) * m.years * ead * df; // MAR50.15, RW 5% financial IG
    expect(doc.baCva.capital).toBeCloseTo(0.65 * scva, 4); // MAR50.14: one counterparty, K = SCVA; DS = 0.65
  });

  it('text output prints the derivation table; --out writes Arrow tables equal to the JSON', () => {
    const out = tempDir();
    const text = xva('capital', '--portfolio', dir, '--no-kva', '--convention', 'ore', '--explain-trade', 'Swap_USD', '--out', out);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('Adjusted notional d (CRE52.33-36)');
    expect(text.stdout).toContain('109,087,390.97'); // ORE saccr_detail: d of Swap_USD
    const doc = json('--portfolio', dir, '--no-kva', '--convention', 'ore');
    const t = tableFromIPC(fs.readFileSync(path.join(out, 'capital_netting_set.arrow')));
    const ids = Array.from(t.getChild('netting_set_id')!.toArray() as ArrayLike<string>);
    const ead = Array.from(t.getChild('ead')!.toArray() as ArrayLike<number>);
    for (const row of doc.nettingSets) expect(ead[ids.indexOf(row.nettingSetId)]).toBe(row.ead);
    const book = tableFromIPC(fs.readFileSync(path.join(out, 'capital_book.arrow')));
    expect(book.getChild('ba_cva')!.get(0)).toBe(doc.book.baCva);
    expect(book.getChild('capital')!.get(0)).toBe(doc.book.capital);
  });
});

describe("SA-CVA from ORE's sensitivities through the CLI", () => {
  it('610,759.4118 with perfect FX hedges; it becomes the CVA capital', () => {
    const file = path.join(SHARED_REFERENCE, 'ore/sacva_unit_test/xvarisk_example/sacva_sensitivities.csv');
    const doc = json('--portfolio', path.join(SACCR, 'ore_two_swaps'), '--no-kva', '--sacva-sensitivities', file, '--sacva-perfect-hedges', 'ForeignExchange:Delta', '--sacva-perfect-hedges', 'ForeignExchange:Vega');
    expect(Math.abs(doc.book.saCva - 610_759.4118)).toBeLessThanOrEqual(1e-4);
    expect(doc.book.cvaMethod).toBe('SA-CVA');
    expect(doc.book.capitalCva).toBeCloseTo(12.5 * 0.08 * doc.book.saCva, 6);
  });
});

describe('BA-CVA full with a CDS hedge in the book (MAR50.17-26)', () => {
  it('protection bought on the counterparty is a direct single-name hedge', () => {
    const dir = tempDir();
    for (const f of ['netting_sets.csv', 'counterparties.csv']) fs.copyFileSync(path.join(SWAP, f), path.join(dir, f));
    const market = fs.readFileSync(path.join(SWAP, 'market.yaml'), 'utf8').replace('  names:\n', '  names:\n    DEALER: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 5Y, spreadBp: 50 } ] }\n');
    fs.writeFileSync(path.join(dir, 'market.yaml'), market);
    fs.appendFileSync(path.join(dir, 'counterparties.csv'), 'DEALER,Dealer,financial,AA,europe,DEALER,0.4,false,\n');
    fs.appendFileSync(path.join(dir, 'netting_sets.csv'), 'NS_D,DEALER,false,,,,,,,,,EUR,false\n');
    fs.writeFileSync(
      path.join(dir, 'trades.csv'),
      [
        'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,reference_entity,business_day_convention',
        'SWAP_5Y,CPTY_S,NS_S,IRS,pay,EUR,10000000,2024-01-02,2029-01-02,0.025,1Y,30/360,EUR-EURIBOR-6M,6M,ACT/360,,U',
        'HEDGE,DEALER,NS_D,CDS,buy,EUR,2000000,2023-12-20,2027-01-02,0.01,,,,,,CPTY_S,',
      ].join('\n') + '\n',
    );
    const doc = json('--portfolio', dir, '--no-kva');
    expect(doc.baCva.version).toBe('full');
    const h = doc.baCva.hedges[0];
    expect(h.hedgeId).toBe('HEDGE');
    expect(h.rhc).toBe(1);
    // by hand: MAR50.21-25 with one hedged counterparty (CPTY_S consumer IG 3%) and the dealer (financial IG 5%)
    const s = doc.baCva.counterparties.find((c: { counterpartyId: string }) => c.counterpartyId === 'CPTY_S');
    const d = doc.baCva.counterparties.find((c: { counterpartyId: string }) => c.counterpartyId === 'DEALER');
    const weightedHedge = h.weightedHedge; // RW_h·M_h·B_h·DF_h, checked below from its parts
    const mh = 365 / 366 + 2 + 1 / 365; // 2024-01-02 → 2027-01-02, ACT/ACT ISDA (2024 a leap year), SA-CCR years
    expect(weightedHedge).toBeCloseTo(0.03 * mh * 2_000_000 * ((1 - Math.exp(-0.05 * mh)) / (0.05 * mh)), 6);
    expect(s.snh).toBeCloseTo(weightedHedge, 6);
    expect(s.hma).toBeCloseTo(0, 9); // r_hc = 1
    const rho = 0.5;
    const net = [s.scva - s.snh, d.scva];
    const kHedged = Math.sqrt((rho * (net[0]! + net[1]!)) ** 2 + (1 - rho * rho) * (net[0]! ** 2 + net[1]! ** 2));
    const kReduced = Math.sqrt((rho * (s.scva + d.scva)) ** 2 + (1 - rho * rho) * (s.scva ** 2 + d.scva ** 2));
    expect(doc.baCva.capital).toBeCloseTo(0.65 * (0.25 * kReduced + 0.75 * kHedged), 6);
  });
});

describe('capital-ratio scenario and KVA through the CLI (single swap, 64 paths)', () => {
  it('capital and KVA × (r + 0.01) / r', () => {
    const doc = json('--portfolio', SWAP, '--paths', '64', '--grid', '22,3M', '--no-sacva', '--scenario', path.join(ROOT, 'scenarios/capital_ratio_plus_1pct.yaml'));
    const r = doc.book.capitalRatio;
    expect(r).toBe(0.105);
    const s = doc.scenarios[0];
    expect(s.scenario).toBe('capital_ratio_plus_1pct');
    expect(s.capitalRatio).toBeCloseTo(0.115, 15);
    // by hand: capital = (RWA_CCR + 12.5 × BA-CVA) × ratio
    const rwa = doc.book.rwaCcr + 12.5 * doc.book.baCva;
    expect(doc.book.capital).toBeCloseTo(rwa * 0.105, 6);
    expect(s.capital).toBeCloseTo(rwa * 0.115, 6);
    expect(doc.kva.kva).toBeGreaterThan(0);
    expect(s.kva).toBeCloseTo((doc.kva.kva * 0.115) / 0.105, 6);
    // the profile at t = 0 is today's capital (survival and discount 1)
    expect(Math.abs(doc.kva.profile[0].capital - doc.book.capital)).toBeLessThan(1e-6 * doc.book.capital);
  });
});

describe('a capital-ratio shock that takes the market\'s ratio to 0 or below is refused (an audit: capital −9.7m, KVA −3.1m, no note)', () => {
  it('capitalRatioAdd −0.1 on a market ratio of 0.08: exit 2 naming the scenario file, key, value and the range the market allows; nothing written', async () => {
    const dir = tempDir();
    const market = path.join(dir, 'market.yaml');
    fs.writeFileSync(market, fs.readFileSync(path.join(SWAP, 'market.yaml'), 'utf8').replace('capitalRatio: 0.105', 'capitalRatio: 0.08'));
    const scenario = path.join(dir, 'capneg.yaml');
    fs.writeFileSync(scenario, 'name: capneg\ndescription: below zero\nshocks:\n  capitalRatioAdd: -0.1\n');
    const out = path.join(dir, 'out');
    const run = await xvaInProcess(['capital', '--portfolio', SWAP, '--market', market, '--paths', '64', '--grid', '22,3M', '--no-sacva', '--scenario', scenario, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${scenario} column shocks.capitalRatioAdd: -0.1: expected a shock that keeps the capital ratio in (0, 1]: the market file ${market} gives capital.capitalRatio 0.08, so capitalRatioAdd must be above -0.08 and at most 0.92 (this one gives -0.02)`,
    );
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('bad flags exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--convention', 'basel'], /convention/],
    [['--paths', '0'], /--paths/],
    [['--bacva-maturity', 'CPTY_A'], /--bacva-maturity/],
    [['--bacva-maturity', 'NOPE=3'], /--bacva-maturity: no netting set NOPE/],
    [['--explain-trade', 'NO_SUCH_TRADE'], /--explain-trade/],
    [['--sacva-sensitivities', 'missing.csv'], /--sacva-sensitivities/],
    [['--sacva-perfect-hedges', 'FX:Delta'], /--sacva-perfect-hedges/],
    [['--frobnicate'], /frobnicate/],
    [['--rng', 'sobol'], /--rng sobol draws the Monte Carlo runs of KVA and SA-CVA: --no-kva has none/],
    [['--rng', 'halton'], /--rng/],
  ];
  // the first case in a real process (the exit status a shell sees), the others through the same command class
  // inside this process (xvaInProcess: the same parsing, checks and error rendering, without a process start each)
  cases.forEach(([args, message], i) => {
    it(args.join(' '), async () => {
      const argv = ['capital', '--portfolio', path.join(SACCR, 'ore_two_swaps'), '--no-kva', ...args];
      const run = i === 0 ? xva(...argv) : await xvaInProcess(argv);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    });
  });
});

describe('a position of saccr_trades with the id of a trade of the book', () => {
  it('is an input error naming saccr_trades, trade_id, the id and the trade row (it would share trade_values and capital_trade rows)', () => {
    const dir = tempDir();
    fs.cpSync(path.join(ROOT, 'fixtures/demo'), dir, { recursive: true });
    // T000003 is a swap of the demo book; a commodity position under the same id, with a value for it
    fs.writeFileSync(path.join(dir, 'saccr_trades.csv'), 'trade_id,netting_set_id,asset_class,hedging_set,hedging_set_kind,entity,subclass,notional,direction,maturity_years\nT000003,NS-CP0005-1,Commodity,energy,regular,oil,oil_gas,1000000,long,2\n');
    fs.writeFileSync(path.join(dir, 'trade_values.csv'), 'trade_id,value\nT000003,1000\n');
    const run = xva('capital', '--no-kva', '--portfolio', dir, '--json');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/saccr_trades\.csv row \d+ column trade_id: T000003: expected an id no trade of trades\.parquet has \(row 3 is that trade\)/);
  });
});
