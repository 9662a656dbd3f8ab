/**
 * Initial margin posted by the bank (netting_sets.initial_margin_posted; `--dynamic-im`'s expected IM posted). The bank
 * posts it to the counterparty, who holds it segregated (bankruptcy-remote): in the bank's default the counterparty
 * takes it before it claims on the estate, so the counterparty's exposure to the bank is (V − VM + IM_post)⁻ and DVA
 * falls; the liability that funds the bank is still (V − VM)⁻ (the IM posted is funded on its own: MVA), so FBA reads
 * the ENE after VM only (eneVm). Nothing on the bank's side moves: EPE, PFE, collateral, CVA and FCA.
 *
 * References, each independent of the code under test:
 * - the profile and the Euler weights of four paths, written out by hand;
 * - an engine run on two netting sets (one under a CSA holding IM, one without a CSA) against the same book without
 *   the IM posted, on the same paths: EPE, PFE, collateral and the ENE after VM only equal that run's bit for bit;
 *   the ENE of the set without a CSA recomputed from its path values (the engine's f64 values on the exposure dates
 *   and its Float32 numeraire: 1e-6 relative); the trades' shares add up to their set's ENE and eneVm (1e-9: the
 *   kernel's pass sums the same weights in another order);
 * - the closed form of an FX forward (exposure-validation.test.ts, 2c: a Black put on a shifted strike);
 * - a coverage variant against a run at that coverage (bit for bit), a flat posted profile against the equal amount
 *   (bit for bit), DVA against FBA in computeXva by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import { eulerWeights, eulerWeightsBoth } from '../src/exposure/euler.js';
import { computeProfile } from '../src/exposure/profiles.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { IssueCollector } from '../src/errors.js';
import { writeTable } from '../src/io/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf, type ExposureSet } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';
import { IM_BOOK_OPTIONS, usdSwap } from './helpers/imBook.js';
import { REPO_ROOT } from './helpers/paths.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
const WORKER = path.join(REPO_ROOT, 'dist/src/exposure/worker.js');
let market: Market;

beforeAll(() => {
  expect(fs.existsSync(WORKER)).toBe(true);
  market = loadMarket(MARKET_FILE);
}, 300_000);

describe('the profile and the Euler weights of four paths, by hand', () => {
  // one exposure date after today; N = 1 today, N = 2 at t1; V and C per path; IM held 1 (in C), IM posted 3
  const grid: TimeGrid = { asOf: 0, dates: Int32Array.from([0, 365]), times: Float64Array.from([0, 1]), exposureDate: Uint8Array.from([1, 1]), lagIndex: new Map() };
  const values = Float64Array.from([-2, -2, -2, -2, -10, -4, 6, -1]);
  const collateral = Float64Array.from([0, 0, 0, 0, -5, -2, 4, 1]);
  const numeraire = Float64Array.from([1, 1, 1, 1, 2, 2, 2, 2]);
  const discountFactors = Float64Array.from([1, 0.5]);
  const held = Float64Array.from([0, 1]);
  const posted = Float64Array.from([0, 3]);
  // at t1: V − (C − IM held) = V − VM: −10 − (−6) = −4, −4 − (−3) = −1, 6 − 3 = 3, −1 − 0 = −1
  // after VM only the liabilities are 4, 1, 0, 1: eneVm = (4 + 1 + 0 + 1)/2/4 = 0.75
  // less the IM posted (3): 1, 0, 0, 0: ene = 1/2/4 = 0.125
  const input = { nettingSetId: 'NS', counterpartyId: 'CP', grid, nPaths: 4, values, numeraire, discountFactors, collateral, initialMarginHeld: held };

  it('ENE = E[(V − VM + IM posted)⁻/N] = 0.125, eneVm = E[(V − VM)⁻/N] = 0.75; EPE, PFE and collateral as without it', () => {
    const withPosted = computeProfile({ ...input, initialMarginPosted: posted }, { pfeQuantile: 0.5 });
    const without = computeProfile(input, { pfeQuantile: 0.5 });
    expect(withPosted.ene[1]).toBe(0.125);
    expect(withPosted.eneVm[1]).toBe(0.75);
    expect(without.ene[1]).toBe(0.75);
    expect(without.eneVm[1]).toBe(0.75);
    // E = V − C: −5, −2, 2, −2: EPE = 2/2/4 = 0.25 either way
    expect(withPosted.epe[1]).toBe(0.25);
    expect(Array.from(withPosted.epe)).toEqual(Array.from(without.epe));
    expect(Array.from(withPosted.pfe)).toEqual(Array.from(without.pfe));
    expect(Array.from(withPosted.collateral)).toEqual(Array.from(without.collateral));
    // today: V = −2 everywhere, no IM on date 0: ENE = eneVm = 2
    expect(withPosted.ene[0]).toBe(2);
    expect(withPosted.eneVm[0]).toBe(2);
  });

  it('ENE weights on the liability less the IM posted (C − IM held − IM posted as its collateral); eneVm weights on (V − VM)⁻', () => {
    const epeW = new Float64Array(4);
    const eneW = new Float64Array(4);
    const residuals = new Float64Array(2);
    eulerWeightsBoth(1, 4, values, numeraire, epeW, eneW, residuals, { collateral, initialMarginHeld: 1, initialMarginPosted: 3 });
    // path 0: L = −(V − (C − 1 − 3)) = −(−10 − (−9)) = 1 > 0, weight (L/V)/(N·n) = (1/−10)/8 = −0.0125; others L <= 0
    expect(Array.from(eneW)).toEqual([1 / -10 / 8, 0, 0, 0]);
    expect(residuals[1]).toBe(0);
    // Σ w·V = 1/8 = ENE
    expect(eneW.reduce((a, w, p) => a + w * values[4 + p]!, 0)).toBeCloseTo(0.125, 15);
    // the EPE side does not see either IM: path 2, E = 2, weight (2/6)/8
    expect(Array.from(epeW)).toEqual([0, 0, 2 / 6 / 8, 0]);
    const vmW = new Float64Array(4);
    const residual = eulerWeights('ene', 1, 4, values, numeraire, vmW, { collateral, initialMarginHeld: 1, initialMarginPosted: 3, vmOnly: true });
    // after VM only: L = 4, 1, −3, 1 on C − 1 = −6, −3, 3, 0: weights (4/−10)/8, (1/−4)/8, 0, and −1/8 on path 3 (C − IM = 0)
    expect(Array.from(vmW)).toEqual([4 / -10 / 8, 1 / -4 / 8, 0, -1 / 8]);
    expect(residual).toBe(0);
    expect(vmW.reduce((a, w, p) => a + w * values[4 + p]!, 0)).toBeCloseTo(0.75, 15);
  });
});

/**
 * NS1: a CSA (threshold 2m, MTA 0.5m, MPoR 10) holding 4m IM, three swaps; NS2: no CSA, holding 4m IM, two swaps the
 * bank receives fixed on (mostly a liability). Both post `posted` (EUR for NS2, so that the spot converts it).
 */
function book(posted: number): Portfolio {
  const base = { thresholdBank: 0, mtaBank: 0, independentAmountCpty: 0, independentAmountBank: 0, rounding: 0, marginFrequencyDays: 1, imModel: 'none' as const, cleared: false, initialMarginHeld: 4e6 };
  const nettingSets: NettingSet[] = [
    { ...base, nettingSetId: 'NS1', counterpartyId: 'CP1', csa: true, thresholdCpty: 2e6, mtaCpty: 5e5, marginPeriodOfRiskDays: 10, collateralCurrency: 'USD', ...(posted > 0 ? { initialMarginPosted: posted } : {}) },
    { ...base, nettingSetId: 'NS2', counterpartyId: 'CP2', csa: false, thresholdCpty: 0, mtaCpty: 0, marginPeriodOfRiskDays: 10, collateralCurrency: 'EUR', ...(posted > 0 ? { initialMarginPosted: posted } : {}) },
  ];
  return {
    trades: [
      usdSwap('T1', 'NS1', 'CP1', 1e8, 0.03, 'pay'),
      usdSwap('T2', 'NS1', 'CP1', 6e7, 0.04, 'receive'),
      usdSwap('T3', 'NS1', 'CP1', 4e7, 0.035, 'pay'),
      usdSwap('T4', 'NS2', 'CP2', 1e8, 0.03, 'receive'),
      usdSwap('T5', 'NS2', 'CP2', 3e7, 0.045, 'pay'),
    ],
    counterparties: ['CP1', 'CP2'].map((c) => ({ counterpartyId: c, name: c, sector: 'financial' as const, rating: 'A' as const, region: 'north_america' as const, qccp: false })),
    nettingSets,
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

const OPTIONS = IM_BOOK_OPTIONS;

const POSTED = 3e6;

describe('an engine run posting IM against the same book posting none, on the same paths', () => {
  let withPosted: SimulationResult;
  let without: SimulationResult;
  let values2: Float64Array | undefined;
  let numeraire: Float32Array | undefined;
  beforeAll(async () => {
    withPosted = await runSimulation({
      portfolio: book(POSTED),
      market,
      options: { ...OPTIONS, cube: true },
      onCube: (id, cube, _n, _dates, detail) => {
        if (id === null) numeraire = cube;
        else if (id === 'NS2') values2 = Float64Array.from(detail.values!.subarray(0, cube.length));
      },
    });
    without = await runSimulation({ portfolio: book(0), market, options: OPTIONS });
  }, 300_000);

  it('EPE, PFE, collateral, EPE after VM only and the ENE after VM only are the run without it, bit for bit; ENE lower', () => {
    for (let s = 0; s < 2; s++) {
      const a = withPosted.nettingSets[s]!.profile;
      const b = without.nettingSets[s]!.profile;
      for (const key of ['epe', 'pfe', 'collateral', 'epeVm', 'collateralVm', 'epeStdError'] as const) expect(Array.from(a[key]), `${a.nettingSetId} ${key}`).toEqual(Array.from(b[key]));
      expect(Array.from(a.eneVm)).toEqual(Array.from(b.ene));
      expect(Array.from(b.eneVm)).toEqual(Array.from(b.ene));
      let lower = 0;
      for (let k = 1; k < a.ene.length; k++) {
        expect(a.ene[k]!).toBeLessThanOrEqual(a.eneVm[k]!);
        if (a.ene[k]! < 0.95 * a.eneVm[k]!) lower++;
      }
      expect(lower, a.nettingSetId).toBeGreaterThan(3);
    }
  });

  it('NS2 (no CSA): ENE = mean of (−V − IM posted·EURUSD)⁺/N over its path values (1e-6: the cube numeraire is Float32)', () => {
    const p = withPosted.nettingSets[1]!.profile;
    const n = withPosted.nPaths;
    const postedUsd = POSTED * market.fxSpot('EUR', 'USD');
    expect(postedUsd).toBeGreaterThan(POSTED); // EURUSD > 1: the spot is applied
    for (let k = 0; k < p.ene.length; k++) {
      let sum = 0;
      let sumVm = 0;
      for (let q = 0; q < n; q++) {
        const v = values2![k * n + q]!;
        const N = numeraire![k * n + q]!;
        sum += Math.max(-v - postedUsd, 0) / N;
        sumVm += Math.max(-v, 0) / N;
      }
      const scale = Math.max(1, p.eneVm[k]!);
      expect(Math.abs(p.ene[k]! - sum / n), `ene[${k}]`).toBeLessThanOrEqual(1e-6 * scale);
      expect(Math.abs(p.eneVm[k]! - sumVm / n), `eneVm[${k}]`).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it("the trades' shares add up to the set's ENE and ENE after VM only; the latter are the shares of the run without it", () => {
    for (let s = 0; s < 2; s++) {
      const a = withPosted.nettingSets[s]!;
      const b = without.nettingSets[s]!;
      const m = a.profile.dateIndex.length;
      const nT = a.tradeIds.length;
      expect(a.tradeEneVm).not.toBe(a.tradeEne);
      expect(b.tradeEneVm).toBe(b.tradeEne);
      for (let k = 0; k < m; k++) {
        let ene = 0;
        let eneVm = 0;
        for (let i = 0; i < nT; i++) {
          ene += a.tradeEne[i * m + k]!;
          eneVm += a.tradeEneVm[i * m + k]!;
          expect(Math.abs(a.tradeEneVm[i * m + k]! - b.tradeEne[i * m + k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.profile.ene[k]!));
          // the EPE side's shares are untouched
          expect(a.tradeEpe[i * m + k]).toBe(b.tradeEpe[i * m + k]);
        }
        const scale = Math.max(1, a.profile.eneVm[k]!);
        expect(Math.abs(ene - a.profile.ene[k]!), `${a.nettingSetId} Σ ene[${k}]`).toBeLessThanOrEqual(1e-9 * scale);
        expect(Math.abs(eneVm - a.profile.eneVm[k]!), `${a.nettingSetId} Σ eneVm[${k}]`).toBeLessThanOrEqual(1e-9 * scale);
      }
    }
  });

  it('XVA: DVA falls by the IM posted, FBA and everything on the bank side stay; per trade too', () => {
    const ccy = (id: string) => book(POSTED).nettingSets.find((n) => n.nettingSetId === id)?.collateralCurrency;
    const credit = creditInputs(book(POSTED), market, ['CP1', 'CP2']);
    const opts = { discretisation: 'mid' as const, mode: 'bilateral' as const };
    const a = computeXva(exposureSetsOf(withPosted, ccy), credit, opts);
    const b = computeXva(exposureSetsOf(without, ccy), credit, opts);
    for (let s = 0; s < 2; s++) {
      const x = a.nettingSets[s]!;
      const y = b.nettingSets[s]!;
      expect(x.cva).toBe(y.cva);
      expect(x.fca).toBe(y.fca);
      expect(x.colva).toBe(y.colva);
      expect(Math.abs(x.fba - y.fba)).toBeLessThanOrEqual(1e-12 * Math.abs(y.fba));
      expect(Math.abs(x.dva)).toBeLessThan(0.95 * Math.abs(y.dva));
    }
    for (let t = 0; t < a.trades.length; t++) {
      expect(Math.abs(a.trades[t]!.fba - b.trades[t]!.fba)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b.trades[t]!.fba)));
      expect(a.trades[t]!.cva).toBe(b.trades[t]!.cva);
    }
  });
});

describe('coverage and profiles', () => {
  it('a coverage variant of 0.5 is a run at coverage 0.5 (the IM posted scales with the coverage like VM and IM held), bit for bit', async () => {
    const both = await runSimulation({ portfolio: book(POSTED), market, options: { ...OPTIONS, paths: 200, coverageVariants: [0.5] } });
    const half = await runSimulation({ portfolio: book(POSTED), market, options: { ...OPTIONS, paths: 200, coverage: 0.5 } });
    const variant = both.coverageVariants![0]!;
    for (let s = 0; s < 2; s++) {
      expect(Array.from(variant.nettingSets[s]!.profile.ene)).toEqual(Array.from(half.nettingSets[s]!.profile.ene));
      expect(Array.from(variant.nettingSets[s]!.profile.eneVm)).toEqual(Array.from(half.nettingSets[s]!.profile.eneVm));
      expect(Array.from(variant.nettingSets[s]!.tradeEne)).toEqual(Array.from(half.nettingSets[s]!.tradeEne));
      // and at half the IM posted the ENE is between the full IM's and none
      const full = both.nettingSets[s]!.profile;
      for (let k = 1; k < full.ene.length; k++) expect(half.nettingSets[s]!.profile.ene[k]!).toBeGreaterThanOrEqual(full.ene[k]!);
    }
  }, 300_000);

  it('a flat posted profile (postedInitialMarginProfiles) is the equal input amount, bit for bit; it replaces the input with a warning', async () => {
    const warnings: string[] = [];
    const dates = Int32Array.from([market.asOf]);
    const eurusd = market.fxSpot('EUR', 'USD');
    const profiles = new Map([
      ['NS1', { dates, amounts: Float64Array.from([POSTED]) }],
      ['NS2', { dates, amounts: Float64Array.from([POSTED * eurusd]) }],
    ]);
    const byInput = await runSimulation({ portfolio: book(POSTED), market, options: { ...OPTIONS, paths: 200 } });
    const byProfile = await runSimulation({ portfolio: book(1), market, options: { ...OPTIONS, paths: 200, postedInitialMarginProfiles: profiles }, onWarning: (w) => warnings.push(w) });
    for (let s = 0; s < 2; s++) {
      expect(Array.from(byProfile.nettingSets[s]!.profile.ene)).toEqual(Array.from(byInput.nettingSets[s]!.profile.ene));
      expect(Array.from(byProfile.nettingSets[s]!.tradeEne)).toEqual(Array.from(byInput.nettingSets[s]!.tradeEne));
    }
    expect(warnings.filter((w) => /IM posted profile replaces initial_margin_posted 1$/.test(w))).toHaveLength(2);
  }, 300_000);
});

describe('the input column initial_margin_posted', () => {
  it('round-trips through netting_sets (CSV), is absent from books without it, and a negative amount is an error naming file, row, column and value', async () => {
    const issues = new IssueCollector();
    const demo = await loadPortfolio(path.join(REPO_ROOT, 'fixtures/demo'), issues);
    issues.throwIfAny();
    expect(portfolioTables(demo).netting_sets.columns.map((c) => c.name)).not.toContain('initial_margin_posted');
    const posting: Portfolio = { ...demo, nettingSets: demo.nettingSets.map((n, i) => (i === 1 ? { ...n, initialMarginPosted: 2.5e6 } : n)) };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-posted-im-'));
    try {
      for (const [name, table] of Object.entries(portfolioTables(posting))) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
      const again = new IssueCollector();
      const back = await loadPortfolio(dir, again);
      again.throwIfAny();
      expect(back.nettingSets.map((n) => n.initialMarginPosted ?? 0)).toEqual(posting.nettingSets.map((n) => n.initialMarginPosted ?? 0));
      const file = path.join(dir, 'netting_sets.csv');
      const lines = fs.readFileSync(file, 'utf8').split('\r\n');
      const col = lines[0]!.split(',').indexOf('initial_margin_posted');
      expect(col).toBeGreaterThan(0);
      const cells = lines[2]!.split(',');
      cells[col] = '-5';
      lines[2] = cells.join(',');
      fs.writeFileSync(file, lines.join('\r\n'));
      const bad = new IssueCollector();
      await loadPortfolio(dir, bad);
      expect(bad.issues.map((i) => [i.row, i.column, String(i.value)])).toEqual([[2, 'initial_margin_posted', '-5']]);
      expect(bad.issues[0]!.file).toMatch(/netting_sets\.csv$/);
      expect(bad.issues[0]!.expected).toMatch(/amount/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('computeXva reads ene for DVA and eneVm for FBA', () => {
  it('a set with ENE 1 and eneVm 3 on one period: DVA and FBA weights applied to each', () => {
    const set = (ene: number, eneVm: number): ExposureSet => ({
      nettingSetId: 'NS1',
      counterpartyId: 'CP1',
      times: Float64Array.from([0, 1]),
      epe: new Float64Array(2),
      ene: new Float64Array(2).fill(ene),
      collateral: new Float64Array(2),
      epeVm: new Float64Array(2),
      collateralVm: new Float64Array(2),
      eneVm: new Float64Array(2).fill(eneVm),
      epeStdError: new Float64Array(2),
      tradeIds: [],
      tradeEpe: new Float64Array(0),
      tradeEne: new Float64Array(0),
      tradeEpeVm: new Float64Array(0),
      tradeEneVm: new Float64Array(0),
    });
    const credit = creditInputs(book(0), market, ['CP1']);
    const opts = { discretisation: 'mid' as const, mode: 'bilateral' as const };
    const one = computeXva([set(1, 1)], credit, opts).nettingSets[0]!;
    const split = computeXva([set(1, 3)], credit, opts).nettingSets[0]!;
    expect(one.dva).not.toBe(0);
    expect(one.fba).not.toBe(0);
    expect(split.dva).toBe(one.dva);
    expect(split.fba).toBeCloseTo(3 * one.fba, 9);
  });
});
