/**
 * Collateral-coverage stress by re-aggregation (issue 5 item 6: "collateral shocks re-aggregate path values"). One
 * engine run values each netting set once and, with SimulationOptions.coverageVariants, computes the collateral,
 * profile, Euler contributions and totals again per coverage from the same values. The reference is a second method:
 * a separate engine run per coverage (`coverage: c`, same seed, same grid), which simulates and values everything
 * again. The re-aggregation must give the same figures bit for bit (tolerance 0: the same arithmetic on the same
 * path values, in the same order), with 1 and with 2 worker threads.
 *
 * Book: a slice of the demo (fixtures/demo) with CSA sets of every kind the demo has (zero and positive thresholds,
 * MTAs and rounding, independent amounts, MPoR 5, 10 and 14 business days, a counterparty with CSA and
 * uncollateralised sets) and uncollateralised sets, plus an IM profile on one uncollateralised set (IM scales with
 * the coverage too).
 *
 * Stress: `runXva` with the bundled scenarios makes one engine run, and its scenario figures equal those of the old
 * path (runScenarios with `rerun`: a new engine run per coverage) exactly. One caveat the test pins down: the old path
 * re-simulated coverage 0 on a grid without the MPoR close-out dates (no margin calls, so none were added), i.e. on
 * other time steps and so other random paths; the re-aggregation values coverage 0 on the base run's grid, so its
 * reference for coverage 0 is an engine run with `coverage: 0` on that grid.
 *
 * Worker threads run the compiled engine (dist/), built before any test file runs (test/globalSetup.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import type { AggregateProfile, NettingSetResult, SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { loadScenarioDir } from '../src/scenarios/load.js';
import type { Scenario } from '../src/scenarios/types.js';
import type { GridSpec } from '../src/simulation/grid.js';
import { computeXva, exposureSetsOf, type XvaOptions } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';
import { runXva } from '../src/xva/run.js';
import { runScenarios, type ScenarioOutcome } from '../src/xva/stress.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const MARKET_FILE = path.join(DEMO, 'market.yaml');
const WORKER = path.join(ROOT, 'dist/src/exposure/worker.js');
const COVERAGES = [0, 0.5, 1, 1.2];

const GRID: GridSpec = {
  kind: 'list',
  tenors: [
    { count: 1, unit: 'M' },
    { count: 3, unit: 'M' },
    { count: 6, unit: 'M' },
    { count: 1, unit: 'Y' },
    { count: 2, unit: 'Y' },
    { count: 3, unit: 'Y' },
    { count: 5, unit: 'Y' },
    { count: 10, unit: 'Y' },
  ],
};

const OPTIONS: SimulationOptions = { paths: 96, seed: 11, grid: GRID, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false };

/** Counterparties of the slice; see the header for what each brings. */
const COUNTERPARTIES = new Set(['CP0001', 'CP0003', 'CP0005', 'CP0012', 'CP0016', 'CP0019', 'CP0024', 'CP0031', 'CCP_EUREX']);
/** The uncollateralised set given an IM profile. */
const IM_SET = 'NS-CP0003-1';

let market: Market;
let portfolio: Portfolio;
let book: Portfolio;

beforeAll(async () => {
  expect(fs.existsSync(WORKER)).toBe(true);
  ({ market, portfolio } = await loadSimulationInputs(DEMO, MARKET_FILE));
  const sets = portfolio.nettingSets.filter((n) => COUNTERPARTIES.has(n.counterpartyId));
  const ids = new Set(sets.map((n) => n.nettingSetId));
  book = { ...portfolio, nettingSets: sets, trades: portfolio.trades.filter((t) => ids.has(t.nettingSetId)) };
}, 300_000);

/** IM held by the bank on IM_SET: a step profile (base currency), from the as-of date and again after two years. */
function imProfiles(): SimulationOptions['initialMarginProfiles'] {
  return new Map([[IM_SET, { dates: Int32Array.of(market.asOf, market.asOf + 730), amounts: Float64Array.of(2_000_000, 1_000_000) }]]);
}

/** Bit-for-bit equality of two typed arrays. */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const PROFILE_ARRAYS = ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError'] as const;
const AGGREGATE_ARRAYS = ['epe', 'ene', 'ee', 'eee', 'collateral'] as const;

function expectSameSet(a: NettingSetResult, b: NettingSetResult, label: string): void {
  expect(a.nettingSetId).toBe(b.nettingSetId);
  expect(a.tradeIds).toEqual(b.tradeIds);
  for (const key of PROFILE_ARRAYS) expect(sameBits(a.profile[key], b.profile[key]), `${label} ${a.nettingSetId} ${key}`).toBe(true);
  expect(Object.is(a.profile.epe1y, b.profile.epe1y) && Object.is(a.profile.eepe, b.profile.eepe), `${label} ${a.nettingSetId} epe1y/eepe`).toBe(true);
  expect(sameBits(a.tradeEpe, b.tradeEpe), `${label} ${a.nettingSetId} tradeEpe`).toBe(true);
  expect(sameBits(a.tradeEne, b.tradeEne), `${label} ${a.nettingSetId} tradeEne`).toBe(true);
}

function expectSameAggregate(a: AggregateProfile, b: AggregateProfile, label: string): void {
  for (const key of AGGREGATE_ARRAYS) expect(sameBits(a[key], b[key]), `${label} ${key}`).toBe(true);
  if (a.pfe || b.pfe) expect(sameBits(a.pfe!, b.pfe!), `${label} pfe`).toBe(true);
  expect(Object.is(a.epe1y, b.epe1y) && Object.is(a.eepe, b.eepe), `${label} epe1y/eepe`).toBe(true);
}

/** The variant of `run` at coverage c against a separate run `reference` made with `coverage: c`. */
function expectVariantEqualsRun(run: SimulationResult, c: number, reference: SimulationResult, label: string): void {
  const variant = run.coverageVariants!.find((v) => v.coverage === c)!;
  expect(variant, `${label}: variant ${c}`).toBeDefined();
  expect(sameBits(reference.grid.dates, run.grid.dates)).toBe(true);
  expect(variant.nettingSets.length).toBe(reference.nettingSets.length);
  variant.nettingSets.forEach((s, i) => expectSameSet(s, reference.nettingSets[i]!, `${label} coverage ${c}`));
  expect(variant.counterparties.map((x) => x.counterpartyId)).toEqual(reference.counterparties.map((x) => x.counterpartyId));
  variant.counterparties.forEach((x, i) => expectSameAggregate(x, reference.counterparties[i]!, `${label} coverage ${c} ${x.counterpartyId}`));
  expectSameAggregate(variant.book, reference.book, `${label} coverage ${c} book`);
}

describe('coverage variants of one engine run', () => {
  let one: SimulationResult;
  let two: SimulationResult;
  const references = new Map<number, SimulationResult>();

  beforeAll(async () => {
    const options: SimulationOptions = { ...OPTIONS, initialMarginProfiles: imProfiles() };
    one = await runSimulation({ portfolio: book, market, options: { ...options, coverage: 1, coverageVariants: COVERAGES } });
    two = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...options, threads: 2, coverage: 1, coverageVariants: COVERAGES } });
    // the second method: one full engine run per coverage, on the base run's grid (close-out dates included)
    for (const c of COVERAGES) references.set(c, await runSimulation({ portfolio: book, market, options: { ...options, grid: one.grid, coverage: c } }));
  }, 300_000);

  it('the book slice has CSA sets (thresholds, MTAs, MPoR 5/10/14 days) and uncollateralised ones', () => {
    const sets = book.nettingSets.filter((n) => book.trades.some((t) => t.nettingSetId === n.nettingSetId));
    const csa = sets.filter((n) => n.csa);
    expect(csa.some((n) => n.thresholdCpty > 0)).toBe(true);
    expect(csa.some((n) => n.thresholdCpty === 0 && n.mtaCpty > 0)).toBe(true);
    expect(csa.some((n) => n.independentAmountCpty > 0)).toBe(true);
    expect(new Set(csa.map((n) => n.marginPeriodOfRiskDays))).toEqual(new Set([5, 10, 14]));
    expect(sets.filter((n) => !n.csa).length).toBeGreaterThanOrEqual(3);
  });

  it('each coverage, threads 1: bit for bit a separate run with that coverage (sets, Euler, counterparties, book)', () => {
    for (const c of COVERAGES) expectVariantEqualsRun(one, c, references.get(c)!, 'threads 1');
  });

  it('each coverage, threads 2: bit for bit the same separate runs', () => {
    for (const c of COVERAGES) expectVariantEqualsRun(two, c, references.get(c)!, 'threads 2');
  });

  it('the base result is the coverage-1 run and coverage 1 (the base coverage) is the base result itself', () => {
    one.nettingSets.forEach((s, i) => expectSameSet(s, references.get(1)!.nettingSets[i]!, 'base'));
    const v1 = one.coverageVariants!.find((v) => v.coverage === 1)!;
    expect(v1.nettingSets).toBe(one.nettingSets);
    expect(v1.book).toBe(one.book);
    expect(one.coverageVariants!.map((v) => v.coverage)).toEqual(COVERAGES);
  });

  it('sets without CSA or IM are reused at every coverage; the others move with it', () => {
    const byId = new Map(book.nettingSets.map((n) => [n.nettingSetId, n]));
    const v0 = one.coverageVariants!.find((v) => v.coverage === 0)!;
    const v12 = one.coverageVariants!.find((v) => v.coverage === 1.2)!;
    let moved = 0;
    one.nettingSets.forEach((s, i) => {
      const n = byId.get(s.nettingSetId)!;
      if (!n.csa && s.nettingSetId !== IM_SET) {
        expect(v0.nettingSets[i]).toBe(s); // the very object: not recomputed
        expect(two.coverageVariants![0]!.nettingSets[i]).toBe(two.nettingSets[i]);
      } else {
        expect(v0.nettingSets[i]).not.toBe(s);
        // no collateral at coverage 0: EPE at least the collateralised one somewhere, strictly above at some date
        if (v0.nettingSets[i]!.profile.epe.some((x, k) => x > s.profile.epe[k]! * (1 + 1e-12) + 1e-9)) moved++;
      }
    });
    expect(moved).toBeGreaterThanOrEqual(3);
    // the IM set: at coverage 0 no IM, so EPE is higher; at 1.2, 20% more IM, EPE lower or equal
    const i = one.nettingSets.findIndex((s) => s.nettingSetId === IM_SET);
    const epe = (r: NettingSetResult): number => r.profile.epe.reduce((a, b) => a + b, 0);
    expect(epe(v0.nettingSets[i]!)).toBeGreaterThan(epe(one.nettingSets[i]!));
    expect(epe(v12.nettingSets[i]!)).toBeLessThanOrEqual(epe(one.nettingSets[i]!));
  });

  it('refuses a variant outside 0 to 1.2', async () => {
    await expect(runSimulation({ portfolio: book, market, options: { ...OPTIONS, coverageVariants: [1.5] } })).rejects.toThrow(/0 to 1.2, got 1.5/);
  });
});

describe('xva stress scenarios: one engine run, the old re-run figures', () => {
  const XVA: XvaOptions = { discretisation: 'mid', mode: 'bilateral' };
  const PATHS = 48;
  const SEED = 5;
  let scenarios: Scenario[];
  let run: Awaited<ReturnType<typeof runXva>>;
  let reference: ScenarioOutcome[];
  let oldZeroGridDates = 0;
  let baseGridDates = 0;

  beforeAll(async () => {
    scenarios = loadScenarioDir(path.join(ROOT, 'scenarios'));
    run = await runXva({
      portfolioDir: DEMO,
      marketFile: MARKET_FILE,
      paths: PATHS,
      seed: SEED,
      grid: GRID,
      threads: 1,
      xva: XVA,
      analysis: { top: 20, concentration: 0.05, materiality: 1e6 },
      scenarios,
    });
    // The old path: the base run, then runScenarios with `rerun` = a full engine run per coverage.
    const simulation = { paths: PATHS, seed: SEED, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false };
    const ccy = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
    const ccyOf = (id: string) => ccy.get(id);
    const base = await runSimulation({ portfolio, market, options: { ...simulation, grid: GRID, coverage: 1 } });
    baseGridDates = base.grid.dates.length;
    const sets = exposureSetsOf(base, ccyOf);
    const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
    const result = computeXva(sets, credit, XVA);
    const oldZero = await runSimulation({ portfolio, market, options: { ...simulation, grid: GRID, coverage: 0 } });
    oldZeroGridDates = oldZero.grid.dates.length;
    reference = await runScenarios(
      {
        base: result,
        sets,
        credit,
        market,
        options: XVA,
        rerun: async (coverage) => {
          // as the old path did (the spec grid), except coverage 0 on the base grid: see the header
          const grid = coverage === 0 ? base.grid : GRID;
          const again = await runSimulation({ portfolio, market, options: { ...simulation, grid, coverage } });
          if (coverage > 0) expect(sameBits(again.grid.dates, base.grid.dates)).toBe(true);
          return exposureSetsOf(again, ccyOf);
        },
      },
      scenarios,
    );
  }, 600_000);

  it('counts one engine run', () => {
    expect(run.simulations).toBe(1);
    expect(run.source).toBe('simulation');
  });

  it('the coverage scenarios are re-aggregated, not re-simulated', () => {
    const coverage = run.scenarios.filter((s) => s.applied.some((a) => a.startsWith('collateralCoverage')));
    expect(coverage.map((s) => s.scenario).sort()).toEqual(['collateral_0pct', 'collateral_100pct', 'collateral_120pct', 'collateral_50pct']);
    for (const s of coverage) {
      expect(s.reaggregated).toBe(true);
      expect(s.resimulated).toBe(false);
    }
  });

  it('every scenario: book and counterparty CVA, DVA, FCA, FBA, ColVA equal the re-run figures exactly', () => {
    expect(run.scenarios.map((s) => s.scenario)).toEqual(reference.map((s) => s.scenario));
    run.scenarios.forEach((s, j) => {
      const r = reference[j]!;
      expect(s.applied).toEqual(r.applied);
      expect(s.book, s.scenario).toEqual(r.book);
      expect([...s.counterparties.keys()]).toEqual([...r.counterparties.keys()]);
      for (const [id, x] of s.counterparties) expect(x, `${s.scenario} ${id}`).toEqual(r.counterparties.get(id));
    });
    // and the shocks did something: coverage 0 raises book CVA above coverage 1.2's
    const cva = (name: string): number => run.scenarios.find((s) => s.scenario === name)!.book.cva;
    expect(cva('collateral_0pct')).toBeGreaterThan(cva('collateral_120pct'));
    expect(run.scenarios.find((s) => s.scenario === 'collateral_100pct')!.book).toEqual({ cva: run.result.book.cva, dva: run.result.book.dva, fca: run.result.book.fca, fba: run.result.book.fba, colva: run.result.book.colva });
  });

  it('the old coverage-0 re-run used a grid without close-out dates (why its reference is on the base grid)', () => {
    expect(oldZeroGridDates).toBeLessThan(baseGridDates);
  });
});
