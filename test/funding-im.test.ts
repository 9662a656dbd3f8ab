/**
 * The funding exposure of a netting set that holds initial margin (ExposureProfile.epeVm, collateralVm;
 * NettingSetResult.tradeEpeVm; FCA and ColVA in xva/compute.ts). The IM the bank holds is segregated and cannot be
 * rehypothecated, so it funds nothing: FCA runs on the exposure after VM only, E[(V − VM)+/N], and ColVA on the VM held.
 *
 * Second method: the same book run again with its IM held set to 0. The margin calls do not depend on the IM held
 * (collateral.ts: C = VM + IM, the VM from the values alone), so on the same paths
 *   - EPE after VM only with IM = EPE of the run without IM, VM held with IM = collateral of the run without IM,
 *     each trade's share of it = its EPE contribution without IM (the same pro-rata weights, euler.ts vmOnly);
 *   - hence FCA, FBA and ColVA with IM = those without, trade by trade, while CVA falls (EPE after IM is lower).
 * Tolerance: the two runs form the same numbers by other sums (the VM-only pass adds max(E + IM, 0) where the run
 * without IM adds max(E, 0); E + IM − IM rounds within an ulp of IM), so 1e-12 of the set's scale on the profiles and
 * 1e-9 on trade shares (the second kernel pass gathers the same weights in another order), not Monte Carlo error: the
 * paths are the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { computeXva, exposureSetsOf } from '../src/xva/compute.js';
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

/** NS1: a CSA (threshold 2m, MTA 0.5m, MPoR 10) and three swaps; NS2: no CSA, one swap. Each holds `im` (USD). */
function book(im: number): Portfolio {
  const base = { thresholdBank: 0, mtaBank: 0, independentAmountCpty: 0, independentAmountBank: 0, rounding: 0, marginFrequencyDays: 1, imModel: 'none' as const, collateralCurrency: 'USD' as const, cleared: false };
  const nettingSets: NettingSet[] = [
    { ...base, nettingSetId: 'NS1', counterpartyId: 'CP1', csa: true, thresholdCpty: 2e6, mtaCpty: 5e5, marginPeriodOfRiskDays: 10, initialMarginHeld: im },
    { ...base, nettingSetId: 'NS2', counterpartyId: 'CP2', csa: false, thresholdCpty: 0, mtaCpty: 0, marginPeriodOfRiskDays: 10, initialMarginHeld: im },
  ];
  return {
    trades: [
      usdSwap('T1', 'NS1', 'CP1', 1e8, 0.03, 'pay'),
      usdSwap('T2', 'NS1', 'CP1', 6e7, 0.04, 'receive'),
      usdSwap('T3', 'NS1', 'CP1', 4e7, 0.035, 'pay'),
      usdSwap('T4', 'NS2', 'CP2', 1e8, 0.03, 'pay'),
    ],
    counterparties: ['CP1', 'CP2'].map((c) => ({ counterpartyId: c, name: c, sector: 'financial' as const, rating: 'A' as const, region: 'north_america' as const, qccp: false })),
    nettingSets,
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

const OPTIONS = IM_BOOK_OPTIONS;

const IM = 4e6;

function scaleOf(r: SimulationResult, s: number): number {
  const p = r.nettingSets[s]!.profile;
  let scale = 0;
  for (let k = 0; k < p.epe.length; k++) scale = Math.max(scale, p.epe[k]!, p.ene[k]!, Math.abs(p.collateral[k]!));
  return scale;
}

describe('the funding exposure of a set holding IM: after VM only', () => {
  let withIm: SimulationResult;
  let without: SimulationResult;
  beforeAll(async () => {
    withIm = await runSimulation({ portfolio: book(IM), market, options: OPTIONS });
    without = await runSimulation({ portfolio: book(0), market, options: OPTIONS });
  }, 300_000);

  it('EPE and collateral after VM only with IM held = EPE and collateral of the run without IM; ENE unchanged; EPE after IM lower', () => {
    for (let s = 0; s < 2; s++) {
      const a = withIm.nettingSets[s]!.profile;
      const b = without.nettingSets[s]!.profile;
      const scale = scaleOf(without, s) + IM;
      let lower = 0;
      for (let k = 0; k < a.epe.length; k++) {
        expect(Math.abs(a.epeVm[k]! - b.epe[k]!), `${a.nettingSetId} epeVm[${k}]`).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(a.collateralVm[k]! - b.collateral[k]!), `${a.nettingSetId} collateralVm[${k}]`).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(a.ene[k]! - b.ene[k]!), `${a.nettingSetId} ene[${k}]`).toBeLessThanOrEqual(1e-12 * scale);
        // the run without IM holds none: its figures after VM only are its figures, the same bits
        expect(b.epeVm[k]).toBe(b.epe[k]);
        expect(b.collateralVm[k]).toBe(b.collateral[k]);
        // with IM the collateral column holds the IM too: E[(VM + IM)/N] = E[VM/N] + IM·E[1/N] > E[VM/N]
        if (k < a.epe.length - 1) expect(a.collateral[k]! - a.collateralVm[k]!).toBeGreaterThan(0.5 * IM);
        expect(a.epe[k]!).toBeLessThanOrEqual(a.epeVm[k]! * (1 + 1e-12));
        if (a.epe[k]! < a.epeVm[k]! * 0.99) lower++;
      }
      expect(lower, `${a.nettingSetId}: dates where the IM held cuts the EPE`).toBeGreaterThan(3);
    }
    // NS2 has no CSA: no VM, so the VM held is 0 on every date (exactly: C − IM = IM − IM path by path)
    expect([...withIm.nettingSets[1]!.profile.collateralVm].every((x) => x === 0)).toBe(true);
  });

  it("each trade's share of the EPE after VM only = its EPE contribution without IM; the shares add up to the set's", () => {
    for (let s = 0; s < 2; s++) {
      const a = withIm.nettingSets[s]!;
      const b = without.nettingSets[s]!;
      const m = a.profile.epe.length;
      const scale = scaleOf(without, s) + IM;
      expect(a.tradeEpeVm).not.toBe(a.tradeEpe); // a set holding IM has shares of its own
      expect(b.tradeEpeVm).toBe(b.tradeEpe); // one holding none shares the array
      for (let i = 0; i < a.tradeIds.length; i++) {
        for (let k = 0; k < m; k++) {
          expect(Math.abs(a.tradeEpeVm[i * m + k]! - b.tradeEpe[i * m + k]!), `${a.tradeIds[i]} [${k}]`).toBeLessThanOrEqual(1e-9 * scale);
        }
      }
      for (let k = 0; k < m; k++) {
        let sum = 0;
        for (let i = 0; i < a.tradeIds.length; i++) sum += a.tradeEpeVm[i * m + k]!;
        expect(Math.abs(sum - a.profile.epeVm[k]!), `${a.nettingSetId} Σ shares [${k}]`).toBeLessThanOrEqual(1e-9 * scale);
      }
    }
  });

  it('FCA, FBA and ColVA with IM held = without, set by set and trade by trade; CVA falls', () => {
    const portfolio = book(IM);
    // a 10bp collateral spread (the demo market's is 0), so that ColVA has a figure to compare
    const credit = { ...creditInputs(portfolio, market, ['CP1', 'CP2']), collateralSpreadBp: () => 10 };
    const xva = { discretisation: 'mid' as const, mode: 'bilateral' as const };
    const ccy = (): 'USD' => 'USD';
    const a = computeXva(exposureSetsOf(withIm, ccy), credit, xva);
    const b = computeXva(exposureSetsOf(without, ccy), credit, xva);
    expect(b.book.fca).toBeGreaterThan(0); // the demo market funds at a spread: a figure to compare
    expect(Math.abs(b.nettingSets[0]!.colva)).toBeGreaterThan(0);
    // with IM held the IM would add IM·Σ w·E[1/N] to a ColVA read off the collateral column: ColVA after VM only does not
    expect(Math.abs(a.nettingSets[1]!.colva)).toBe(0);
    for (let s = 0; s < 2; s++) {
      const x = a.nettingSets[s]!;
      const y = b.nettingSets[s]!;
      for (const key of ['fca', 'fba', 'colva'] as const) expect(Math.abs(x[key] - y[key]), `${x.nettingSetId} ${key}`).toBeLessThanOrEqual(1e-9 * Math.abs(y[key]) + 1e-6);
      expect(x.cva).toBeLessThan(0.9 * y.cva);
    }
    a.trades.forEach((t, i) => {
      const u = b.trades[i]!;
      expect(t.tradeId).toBe(u.tradeId);
      expect(Math.abs(t.fca - u.fca), `${t.tradeId} fca`).toBeLessThanOrEqual(1e-8 * Math.abs(b.nettingSets.find((n) => n.nettingSetId === t.nettingSetId)!.fca) + 1e-6);
    });
    // the trades' FCA adds up to the set's (Euler shares of the EPE after VM only)
    for (const set of a.nettingSets) {
      const sum = a.trades.filter((t) => t.nettingSetId === set.nettingSetId).reduce((acc, t) => acc + t.fca, 0);
      expect(Math.abs(sum - set.fca)).toBeLessThanOrEqual(1e-9 * Math.abs(set.fca) + 1e-6);
    }
  });

  it('worker threads give the same bits, figures after VM only included', async () => {
    const threaded = await runSimulation({ portfolio: book(IM), market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
    expect(threaded.threads).toBe(2);
    for (let s = 0; s < 2; s++) {
      const a = withIm.nettingSets[s]!;
      const b = threaded.nettingSets[s]!;
      for (const key of ['epe', 'epeVm', 'collateralVm'] as const) expect([...b.profile[key]], `${a.nettingSetId} ${key}`).toEqual([...a.profile[key]]);
      expect([...b.tradeEpeVm]).toEqual([...a.tradeEpeVm]);
    }
    expect([...threaded.book.epeVm]).toEqual([...withIm.book.epeVm]);
    // the totals add the sets' figures after VM only
    const m = withIm.book.epeVm.length;
    for (let k = 0; k < m; k++) {
      expect(withIm.book.epeVm[k]).toBe(withIm.nettingSets[0]!.profile.epeVm[k]! + withIm.nettingSets[1]!.profile.epeVm[k]!);
      expect(withIm.counterparties[0]!.epeVm[k]).toBe(withIm.nettingSets[0]!.profile.epeVm[k]);
    }
  }, 300_000);
});

describe('--results of a run without the columns after VM only', () => {
  it('an input error naming the file and column, and that the run must be made again', async () => {
    const { simulateToFiles } = await import('../src/exposure/simulate.js');
    const { readExposureResults } = await import('../src/xva/readResults.js');
    const { tableFromIPC, tableToIPC } = await import('apache-arrow');
    const os = await import('node:os');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-fund-'));
    try {
      await simulateToFiles({
        portfolioDir: path.join(REPO_ROOT, 'fixtures/demo'), marketFile: MARKET_FILE, outDir: tmp, paths: 16, seed: 1,
        grid: { kind: 'list', tenors: [{ count: 1, unit: 'Y' }, { count: 5, unit: 'Y' }] }, threads: 1, antithetic: false,
        pfeQuantile: 0.95, skipUnsupported: false, cube: false, format: 'arrow',
      });
      expect(readExposureResults(tmp).length).toBeGreaterThan(10);
      // the table as an earlier version wrote it: without epe_vm and collateral_vm
      const file = path.join(tmp, 'exposure_netting_set.arrow');
      const table = tableFromIPC(fs.readFileSync(file));
      const names = table.schema.fields.map((f) => f.name).filter((n) => n !== 'epe_vm' && n !== 'collateral_vm');
      fs.writeFileSync(file, tableToIPC(table.select(names), 'file'));
      expect(() => readExposureResults(tmp)).toThrow(/exposure_netting_set\.arrow[\s\S]*epe_vm[\s\S]*run xva simulate again/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
