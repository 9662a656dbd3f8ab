/**
 * The re-measurement core of `xva optimize` (src/optimize/measure/):
 * - incremental = full: measureAmendment's delta equals (full measurement of the amended book) − (full measurement of
 *   the base book) on the same grid, seed and factor layout, for every CostDelta figure. Tolerance 1e-9 relative (in
 *   practice the figures agree to the last bit): a netting set's path values depend only on its own trades and the
 *   paths, which are the same for a run over part of the book (layoutNeeds + the base grid); per-set XVA, SA-CCR,
 *   MVA and KVA pieces are functions of the set alone; book sums are taken in the book's netting-set order in both
 *   routes and the non-additive figures (BA-CVA, KVA's CVA part, CET1) are recomputed from the same per-set inputs.
 *   The only room for a difference is floating-point reassociation, far below 1e-9 of figures of order 1e4-1e8.
 * - an MPoR the base grid lacks: the touched set's base is re-measured on the extended grid (common random numbers);
 *   the additive figures then equal full runs on the extended grid exactly, as they do not depend on the other sets.
 * - the empty amendment gives a zero delta exactly and values nothing; untouched sets are never valued (ctx.stats).
 * - bad amendments: the exact error.
 * - measureBase against the commands it must agree with (independent code paths: `xva capital`'s runCapital for
 *   SA-CCR EAD, RWA, BA-CVA and KVA, `xva cva`'s runXva for CVA/DVA/FCA/FBA/ColVA, `xva margin --dim`'s runMargin for
 *   MVA), reading the same book from files; same seed, paths and grid, so to 1e-9 relative.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCapital } from '../src/capital/run.js';
import { writeTable } from '../src/io/write.js';
import { loadMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { runMargin } from '../src/margin/run.js';
import { applyAmendment, BeyondGridError, buildMeasureContext, measureAmendment, measureBase, type BookFigures, type MeasureContext, type Measurement } from '../src/optimize/measure/index.js';
import { EMPTY_AMENDMENT, type Amendment, type CostDelta } from '../src/optimize/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { Trade } from '../src/products/types.js';
import { fromYmd } from '../src/conventions/dates.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { withCloseOutDates } from '../src/simulation/grid.js';
import { runXva } from '../src/xva/run.js';
import { REPO_ROOT } from './helpers/paths.js';
import { plainNettingSet as nettingSet, sofrSwap as swap } from './helpers/swapBook.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
const PATHS = 500;
const SEED = 7;
let market: Market;



/** Three netting sets, two counterparties: uncollateralised, CSA with a threshold, SIMM IM. */
function book(): Portfolio {
  return {
    trades: [
      swap('A1', 'NS-A', 'CP-A', 1e8, 0.035, 5, 'pay'),
      swap('A2', 'NS-A', 'CP-A', 5e7, 0.03, 7, 'receive'),
      swap('B1', 'NS-B', 'CP-B', 4e7, 0.032, 5, 'pay'),
      swap('C1', 'NS-C', 'CP-B', 6e7, 0.04, 4, 'receive'),
    ],
    counterparties: [
      { counterpartyId: 'CP-A', name: 'A', sector: 'financial', rating: 'A', region: 'north_america', qccp: false },
      { counterpartyId: 'CP-B', name: 'B', sector: 'consumer', rating: 'BBB', region: 'north_america', qccp: false },
    ],
    nettingSets: [
      nettingSet('NS-A', 'CP-A'),
      nettingSet('NS-B', 'CP-B', { csa: true, thresholdCpty: 5e6, thresholdBank: 5e6, mtaCpty: 5e5, mtaBank: 5e5 }),
      nettingSet('NS-C', 'CP-B', { imModel: 'simm' }),
    ],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

const FIGURES: (keyof CostDelta)[] = ['cva', 'dva', 'fca', 'fba', 'colva', 'fva', 'mva', 'kva', 'ead', 'rwa', 'cet1Bp', 'capital'];

function fullDelta(base: BookFigures, amended: BookFigures): CostDelta {
  const bp = (b: BookFigures) => b.cet1ImpactBp ?? 0;
  return {
    cva: amended.cva - base.cva, dva: amended.dva - base.dva, fca: amended.fca - base.fca, fba: amended.fba - base.fba, colva: amended.colva - base.colva,
    fva: amended.fva - base.fva, mva: amended.mva - base.mva, kva: amended.kva - base.kva, ead: amended.ead - base.ead, rwa: amended.rwa - base.rwa,
    cet1Bp: bp(amended) - bp(base), capital: amended.capital - base.capital,
  };
}

/** |a − b| ≤ 1e-9 · max(|a|, |b|, scale) with scale the base book's figure (a delta may be near 0). */
function expectClose(a: number, b: number, scale: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b), Math.abs(scale)));
}

let ctx: MeasureContext;
let base: Measurement;

beforeAll(async () => {
  market = loadMarket(MARKET_FILE);
  ctx = buildMeasureContext({ portfolio: book(), market, paths: PATHS, seed: SEED });
  base = await measureBase(ctx);
}, 60_000);

/** Full measurement of a book on the context's grid (or `grid`) and layout. */
async function full(portfolio: Portfolio, grid = ctx.grid): Promise<Measurement> {
  const c = buildMeasureContext({ portfolio, market, paths: PATHS, seed: SEED, grid, layoutNeeds: ctx.layoutNeeds });
  return measureBase(c);
}

describe('measureAmendment equals a full re-run of the amended book', () => {
  it('replacing a trade in the uncollateralised set: every figure, and only that set valued', async () => {
    const amendment: Amendment = { ...EMPTY_AMENDMENT, removeTradeIds: ['A2'], addTrades: [swap('A3', 'NS-A', 'CP-A', 3e7, 0.04, 6, 'receive')] };
    const before = ctx.stats.setsValued;
    const m = await measureAmendment(ctx, base, amendment);
    expect(ctx.stats.setsValued - before).toBe(1); // NS-A alone (no SIMM: one pass)
    expect(m.touchedNettingSetIds).toEqual(['NS-A']);
    expect(m.baseRemeasured).toBe(false);
    const fullBase = await full(ctx.portfolio);
    const fullAmended = await full(applyAmendment(ctx.portfolio, amendment));
    const reference = fullDelta(fullBase.book, fullAmended.book);
    for (const f of FIGURES) expectClose(m.delta[f], reference[f], f === 'cet1Bp' ? 1 : (fullBase.book[f as keyof BookFigures] as number), f);
    // the delta is material, not a vacuous zero
    expect(Math.abs(m.delta.cva)).toBeGreaterThan(1e3);
    expect(Math.abs(m.delta.ead)).toBeGreaterThan(1e5);
    expect(Math.abs(m.delta.kva)).toBeGreaterThan(1e2);
  }, 60_000);

  it('a trade added to the SIMM set: MVA and dynamic IM re-measured (two passes of that set only)', async () => {
    const amendment: Amendment = { ...EMPTY_AMENDMENT, addTrades: [swap('C2', 'NS-C', 'CP-B', 8e7, 0.03, 6, 'receive')] };
    const before = ctx.stats.setsValued;
    const m = await measureAmendment(ctx, base, amendment);
    expect(ctx.stats.setsValued - before).toBe(2); // NS-C in pass 1 (values, DIM) and pass 2 (IM held)
    const fullAmended = await full(applyAmendment(ctx.portfolio, amendment));
    const reference = fullDelta(base.book, fullAmended.book);
    for (const f of FIGURES) expectClose(m.delta[f], reference[f], f === 'cet1Bp' ? 1 : (base.book[f as keyof BookFigures] as number), f);
    expect(m.delta.mva).toBeGreaterThan(0); // more IM posted to fund
  }, 60_000);

  it('an MPoR the base grid lacks: the touched base is re-measured on the extended grid', async () => {
    const ns = ctx.portfolio.nettingSets.find((n) => n.nettingSetId === 'NS-B')!;
    const amendment: Amendment = { ...EMPTY_AMENDMENT, upsertNettingSets: [{ ...ns, marginPeriodOfRiskDays: 5, thresholdCpty: 0 }] };
    const m = await measureAmendment(ctx, base, amendment);
    expect(m.baseRemeasured).toBe(true);
    expect(m.notes.join(' ')).toContain('MPoR of 5 business days is not on the base grid');
    const grid = withCloseOutDates(ctx.grid, [5]);
    const fullBase = await full(ctx.portfolio, grid);
    const fullAmended = await full(applyAmendment(ctx.portfolio, amendment), grid);
    const reference = fullDelta(fullBase.book, fullAmended.book);
    // additive and today's (path-independent) figures: exact
    for (const f of ['cva', 'dva', 'fca', 'fba', 'colva', 'fva', 'mva', 'ead', 'rwa', 'capital', 'cet1Bp'] as const) {
      expectClose(m.delta[f], reference[f], f === 'cet1Bp' ? 1 : (fullBase.book[f] as number), f);
    }
    expect(m.delta.cva).toBeLessThan(0); // zero threshold, shorter MPoR: less exposure
  }, 60_000);
});

describe('under rng sobol (xva optimize --rng sobol)', () => {
  it('measureAmendment equals full Sobol re-runs of the base and amended books (trade replaced; trade added to the SIMM set)', async () => {
    // every run of the measurement draws each driver by its slot in the measurement's layout (the path cache keyed by
    // the Sobol streams): the touched sets' delta is the full books' difference, as under Philox
    const sobolCtx = buildMeasureContext({ portfolio: book(), market, paths: PATHS, seed: SEED, rng: 'sobol' });
    const sobolBase = await measureBase(sobolCtx);
    expect(sobolBase.book.cva).not.toBe(base.book.cva); // not the Philox paths
    const fullSobol = async (portfolio: Portfolio): Promise<Measurement> =>
      measureBase(buildMeasureContext({ portfolio, market, paths: PATHS, seed: SEED, rng: 'sobol', grid: sobolCtx.grid, layoutNeeds: sobolCtx.layoutNeeds }));
    for (const amendment of [
      { ...EMPTY_AMENDMENT, removeTradeIds: ['A2'], addTrades: [swap('A3', 'NS-A', 'CP-A', 3e7, 0.04, 6, 'receive')] },
      { ...EMPTY_AMENDMENT, addTrades: [swap('C2', 'NS-C', 'CP-B', 8e7, 0.03, 6, 'receive')] },
    ] as Amendment[]) {
      const m = await measureAmendment(sobolCtx, sobolBase, amendment);
      const reference = fullDelta((await fullSobol(sobolCtx.portfolio)).book, (await fullSobol(applyAmendment(sobolCtx.portfolio, amendment))).book);
      for (const f of FIGURES) expectClose(m.delta[f], reference[f], f === 'cet1Bp' ? 1 : (sobolBase.book[f as keyof BookFigures] as number), f);
      expect(Math.abs(m.delta.cva)).toBeGreaterThan(1e2);
    }
    expect((sobolCtx.pathSimulator as unknown as { hits: () => number }).hits()).toBeGreaterThan(0);
  }, 120_000);

  it('an amendment that adds a factor: a note says the delta is on common points, exactly under Sobol (helper 126\'s audit)', async () => {
    // A EUR/USD forward added to NS-A: the book (USD only) gains IR/FX EUR. Under Sobol a run of the amended book alone
    // gives each factor the dimensions of its slot in the amended layout, so even NS-B, which the amendment does not
    // touch, moves in such a run; under Philox each factor draws its own stream (keyed by its name) and USD comes
    // first in the Cholesky order, so NS-B does not move. The optimiser measures the touched sets on common points
    // either way; the note is due exactly when Sobol and a change of factors meet.
    const forward = {
      tradeId: 'F1', counterpartyId: 'CP-A', nettingSetId: 'NS-A', cleared: false, product: 'FXFWD', direction: 'buy',
      currency: 'EUR', notional: 2e7, currency2: 'USD', notional2: 2.3e7, maturityDate: fromYmd(2028, 7, 3),
    } as Trade;
    const addsEur: Amendment = { ...EMPTY_AMENDMENT, addTrades: [forward] };
    const replaces: Amendment = { ...EMPTY_AMENDMENT, removeTradeIds: ['A2'], addTrades: [swap('A3', 'NS-A', 'CP-A', 3e7, 0.04, 6, 'receive')] };
    const sobolNotes = (m: { notes: string[] }) => m.notes.filter((n) => n.startsWith('under --rng sobol'));
    const sobolCtx = buildMeasureContext({ portfolio: book(), market, paths: PATHS, seed: SEED, rng: 'sobol' });
    const sobolBase = await measureBase(sobolCtx);
    const m = await measureAmendment(sobolCtx, sobolBase, addsEur);
    expect(sobolNotes(m)).toEqual([
      "under --rng sobol the amended book adds IR/FX EUR: a run of the amended book alone (xva cva --rng sobol) draws every factor from other Sobol dimensions, so these figures are common-points deltas of the touched netting sets (base and amended on the same points), and the difference of such a run and the base run also holds the whole book's quasi-Monte Carlo error (helper 126's optimiser audit: a CVA hedge's ΔCVA +107.6 here, −4,283.9 between two separate xva cva --rng sobol --paths 256 runs)",
    ]);
    expect(m.touchedNettingSetIds).toEqual(['NS-A']);
    expect(sobolNotes(await measureAmendment(sobolCtx, sobolBase, replaces))).toEqual([]);
    expect(sobolNotes(await measureAmendment(ctx, base, addsEur))).toEqual([]);
    // what the note says: the amended book run alone (its own layout) moves the untouched NS-B under Sobol only
    const alone = async (rng: 'sobol' | 'philox', grid = rng === 'sobol' ? sobolCtx.grid : ctx.grid) =>
      (await measureBase(buildMeasureContext({ portfolio: applyAmendment(book(), addsEur), market, paths: PATHS, seed: SEED, rng, grid }))).sets.get('NS-B')!.cva;
    expect(await alone('philox')).toBe(base.sets.get('NS-B')!.cva);
    const sobolAlone = await alone('sobol');
    expect(Math.abs(sobolAlone - sobolBase.sets.get('NS-B')!.cva)).toBeGreaterThan(1e-6 * sobolBase.sets.get('NS-B')!.cva);
  }, 120_000);
});

describe('measureAmendment: no work where nothing changes', () => {
  it('the empty amendment gives a zero delta exactly and values nothing', async () => {
    const before = { ...ctx.stats };
    const m = await measureAmendment(ctx, base, EMPTY_AMENDMENT);
    for (const f of FIGURES) expect(m.delta[f]).toBe(0);
    expect(ctx.stats).toEqual(before);
  });
});

describe('measureAmendment: a trade beyond the grid', () => {
  it("is refused as BeyondGridError, naming the trade's maturity and the grid's last date (runOptimize then leaves that candidate out)", async () => {
    const amendment: Amendment = { ...EMPTY_AMENDMENT, addTrades: [swap('A9', 'NS-A', 'CP-A', 1e7, 0.03, 15, 'pay')] };
    const error = await measureAmendment(ctx, base, amendment).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BeyondGridError);
    expect((error as Error).message).toMatch(/^added trade A9 matures on 2041-07-02, after the book's last grid date 2033-\d\d-\d\d/);
  });
});

describe('applyAmendment: bad amendments', () => {
  const p = book();
  it('removing a trade that is not in the book', () => {
    expect(() => applyAmendment(p, { ...EMPTY_AMENDMENT, removeTradeIds: ['NOPE'] })).toThrow('amendment column remove_trade_ids: NOPE: expected the id of a trade in the book');
  });
  it('a trade in a missing netting set', () => {
    expect(() => applyAmendment(p, { ...EMPTY_AMENDMENT, addTrades: [swap('X1', 'NS-X', 'CP-A', 1e6, 0.03, 2, 'pay')] })).toThrow(
      'amendment column add_trades: trade X1 in netting set NS-X: expected a netting set of the book or of upsert_netting_sets',
    );
  });
  it('a netting set whose counterparty is missing', () => {
    expect(() => applyAmendment(p, { ...EMPTY_AMENDMENT, upsertNettingSets: [nettingSet('NS-Z', 'CP-Z')] })).toThrow(
      'amendment column upsert_netting_sets: netting set NS-Z of counterparty CP-Z: expected a counterparty of the book or of upsert_counterparties',
    );
  });
  it('an added trade id already in the book', () => {
    expect(() => applyAmendment(p, { ...EMPTY_AMENDMENT, addTrades: [swap('A1', 'NS-A', 'CP-A', 1e6, 0.03, 2, 'pay')] })).toThrow(
      'amendment column add_trades: A1: expected a trade id not already in the book (remove the old trade first to replace it)',
    );
  });
  it('never mutates the base portfolio', () => {
    const before = JSON.stringify(p);
    applyAmendment(p, { ...EMPTY_AMENDMENT, removeTradeIds: ['A1'], upsertNettingSets: [{ ...p.nettingSets[0]!, csa: true }] });
    expect(JSON.stringify(p)).toBe(before);
  });
});

describe('measureBase agrees with xva capital, xva cva and xva margin --dim on the same book', () => {
  it('EAD, RWA, BA-CVA, KVA, CVA/DVA/FCA/FBA/ColVA and MVA', async () => {
    // no CSA set (so the default grid of `xva margin --dim`'s run of the SIMM set alone is the book's) and the SIMM
    // set holding the longest trade
    const p: Portfolio = {
      ...book(),
      trades: [swap('A1', 'NS-A', 'CP-A', 1e8, 0.035, 5, 'pay'), swap('C1', 'NS-C', 'CP-B', 6e7, 0.04, 8, 'receive')],
      nettingSets: [nettingSet('NS-A', 'CP-A'), nettingSet('NS-C', 'CP-B', { imModel: 'simm' })],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-measure-'));
    for (const [name, table] of Object.entries(portfolioTables(p))) writeTable(path.join(dir, `${name}.parquet`), table, 'parquet');
    const c = buildMeasureContext({ portfolio: p, market, paths: PATHS, seed: SEED, dynamicIm: false });
    const m = await measureBase(c);
    const grid = { kind: 'default' } as const;
    const cap = await runCapital({ portfolioDir: dir, marketFile: MARKET_FILE, convention: 'cre52', sacva: false, kva: true, paths: PATHS, seed: SEED, grid, scenarios: [] });
    expectClose(m.book.ead, cap.saccr.nettingSets.reduce((a, n) => a + n.ead, 0), 0, 'EAD');
    expectClose(m.book.rwaCcr, cap.rwa.totalRwa, 0, 'RWA');
    expectClose(m.book.baCva, cap.baCva.capital, 0, 'BA-CVA');
    expectClose(m.book.capital, cap.capital, 0, 'capital');
    expectClose(m.book.kva, cap.kva!.kva, 0, 'KVA');
    const xva = await runXva({ portfolioDir: dir, marketFile: MARKET_FILE, paths: PATHS, seed: SEED, grid, threads: 1, xva: c.xva, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [] });
    for (const f of ['cva', 'dva', 'fca', 'fba', 'colva'] as const) expectClose(m.book[f], xva.result.book[f], 0, f);
    const margin = await runMargin({ portfolioDir: dir, marketFile: MARKET_FILE, usePortfolio: true, dim: { paths: PATHS, seed: SEED } });
    const mvaUsd = margin.nettingSets.find((n) => n.nettingSetId === 'NS-C')!.mva!;
    expect(mvaUsd).toBeGreaterThan(0);
    expectClose(m.sets.get('NS-C')!.mva, mvaUsd, 0, 'MVA'); // base currency USD
    expect(m.book.cet1ImpactBp).toBeCloseTo((30e9 / (250e9 + m.book.rwa) - 30e9 / 250e9) * 1e4, 9);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('with dynamic IM: the SIMM sets\' CVA and FCA as `xva cva --dynamic-im`, their MVA as `xva margin --dim`, whatever set holds the longest trade', async () => {
    // the SIMM sets hold the shorter trades and a CSA set adds close-out dates: the DIM run used to simulate the SIMM
    // sets alone on their own grid (to 6Y, no close-out dates), so its paths were not the book's (optimiser audit, F1/F2)
    const p: Portfolio = {
      ...book(),
      trades: [
        swap('A1', 'NS-A', 'CP-A', 1e8, 0.035, 10, 'pay'),
        swap('C1', 'NS-C', 'CP-B', 6e7, 0.04, 6, 'receive'),
        swap('D1', 'NS-D', 'CP-B', 4e7, 0.03, 4, 'pay'),
      ],
      nettingSets: [
        nettingSet('NS-A', 'CP-A', { csa: true, marginPeriodOfRiskDays: 10 }),
        nettingSet('NS-C', 'CP-B', { imModel: 'simm' }),
        nettingSet('NS-D', 'CP-B', { imModel: 'simm' }),
      ],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-measure-dim-'));
    for (const [name, table] of Object.entries(portfolioTables(p))) writeTable(path.join(dir, `${name}.parquet`), table, 'parquet');
    const c = buildMeasureContext({ portfolio: p, market, paths: PATHS, seed: SEED, dynamicIm: { mporDays: 10 } });
    const m = await measureBase(c);
    const grid = { kind: 'default' } as const;
    const xva = await runXva({ portfolioDir: dir, marketFile: MARKET_FILE, paths: PATHS, seed: SEED, grid, threads: 1, xva: c.xva, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [], dynamicIm: { mporDays: 10 } });
    const plain = await runXva({ portfolioDir: dir, marketFile: MARKET_FILE, paths: PATHS, seed: SEED, grid, threads: 1, xva: c.xva, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [] });
    for (const id of ['NS-A', 'NS-C', 'NS-D']) {
      const cli = xva.result.nettingSets.find((n) => n.nettingSetId === id)!;
      for (const f of ['cva', 'fca'] as const) expectClose(m.sets.get(id)![f], cli[f], 0, `${id} ${f}`);
    }
    // the IM held matters: the SIMM sets' CVA is below the run without it
    expect(xva.result.nettingSets.find((n) => n.nettingSetId === 'NS-C')!.cva).toBeLessThan(plain.result.nettingSets.find((n) => n.nettingSetId === 'NS-C')!.cva);
    const margin = await runMargin({ portfolioDir: dir, marketFile: MARKET_FILE, usePortfolio: true, dim: { paths: PATHS, seed: SEED } });
    for (const id of ['NS-C', 'NS-D']) expectClose(m.sets.get(id)!.mva, margin.nettingSets.find((n) => n.nettingSetId === id)!.mva!, 0, `${id} MVA`);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
