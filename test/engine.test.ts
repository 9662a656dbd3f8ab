/**
 * The exposure engine's orchestration: determinism (issue item 2: the same seed gives bit-identical output arrays with
 * --threads 1 and with worker threads, and when the netting sets are run as two separate halves and merged), the
 * book's fixed order, and the aggregates against sums computed here from the netting-set figures. The model, the
 * pricers on paths and the collateral/profile formulas have their own reference tests (lgm, valuation, exposure).
 *
 * Worker threads run the compiled engine (dist/), built before any test file runs (test/globalSetup.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pathMemoryCollections, runSimulation, setPathMemoryCollectBytes, type SimulationOptions } from '../src/exposure/engine.js';
import { keptWorkerCount, stopKeptWorkers, WorkerPool } from '../src/exposure/pool.js';
import { releaseScratch } from '../src/exposure/unit.js';
import { TableMemory } from '../src/exposure/backends/gpu/tableMemory.js';
import { loadMarket, marketFromTree, marketSource } from '../src/market/load.js';
import os from 'node:os';
import { poolKernelCalls, setPoolKernelsEnabled } from '../src/exposure/valuation/wasm/poolKernels.js';
import { contiguousUnits, partitionWork, shardOf } from '../src/exposure/partition.js';
import type { NettingSetResult, SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { InterestRateSwap } from '../src/products/types.js';
import { XvaInputError } from '../src/errors.js';
import { priceTrade } from '../src/pricing/index.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const MARKET_FILE = path.join(DEMO, 'market.yaml');
const WORKER = path.join(ROOT, 'dist/src/exposure/worker.js');

let market: Market;
let portfolio: Portfolio;
/** A slice of the demo book: the first 12 netting sets with all their trades (every product of the demo appears). */
let book: Portfolio;

const OPTIONS: SimulationOptions = {
  paths: 64,
  seed: 7,
  grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
  threads: 1,
  antithetic: false,
  pfeQuantile: 0.95,
  skipUnsupported: false,
};

function subBook(p: Portfolio, nettingSetIds: Set<string>): Portfolio {
  return {
    ...p,
    nettingSets: p.nettingSets.filter((n) => nettingSetIds.has(n.nettingSetId)),
    trades: p.trades.filter((t) => nettingSetIds.has(t.nettingSetId)),
  };
}

beforeAll(async () => {
  expect(fs.existsSync(WORKER)).toBe(true);
  ({ market, portfolio } = await loadSimulationInputs(DEMO, MARKET_FILE));
  const withTrades = new Set(portfolio.trades.map((t) => t.nettingSetId));
  const ids = portfolio.nettingSets.filter((n) => withTrades.has(n.nettingSetId)).slice(0, 12).map((n) => n.nettingSetId);
  book = subBook(portfolio, new Set(ids));
}, 300_000);

/** Bit-for-bit equality of two typed arrays (NaN payloads and signed zeros included). */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const PROFILE_ARRAYS = ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError'] as const;

function expectSameNettingSet(a: NettingSetResult, b: NettingSetResult): void {
  expect(a.nettingSetId).toBe(b.nettingSetId);
  expect(a.tradeIds).toEqual(b.tradeIds);
  for (const key of PROFILE_ARRAYS) expect(sameBits(a.profile[key], b.profile[key]), `${a.nettingSetId} ${key}`).toBe(true);
  expect(Object.is(a.profile.eepe, b.profile.eepe)).toBe(true);
  expect(Object.is(a.profile.epe1y, b.profile.epe1y)).toBe(true);
  expect(sameBits(a.tradeEpe, b.tradeEpe), `${a.nettingSetId} tradeEpe`).toBe(true);
  expect(sameBits(a.tradeEne, b.tradeEne), `${a.nettingSetId} tradeEne`).toBe(true);
}

function expectSameResult(a: SimulationResult, b: SimulationResult): void {
  expect(a.nettingSets.length).toBe(b.nettingSets.length);
  a.nettingSets.forEach((s, i) => expectSameNettingSet(s, b.nettingSets[i]!));
  expect(a.counterparties.map((c) => c.counterpartyId)).toEqual(b.counterparties.map((c) => c.counterpartyId));
  a.counterparties.forEach((c, i) => {
    for (const key of ['epe', 'ene', 'ee', 'eee', 'collateral', 'pfe'] as const) expect(sameBits(c[key]!, b.counterparties[i]![key]!)).toBe(true);
  });
  for (const key of ['epe', 'ene', 'ee', 'eee', 'collateral'] as const) expect(sameBits(a.book[key], b.book[key])).toBe(true);
}

describe('runSimulation: bit-identical whatever the threads or the split', () => {
  let single: SimulationResult;
  beforeAll(async () => {
    single = await runSimulation({ portfolio: book, market, options: OPTIONS });
  }, 120_000);

  it('runs every netting set of the slice, in the book order (counterparties by first netting set, sets in table order)', () => {
    expect(single.nettingSets.length).toBe(12);
    const order = book.nettingSets.map((n) => n.nettingSetId);
    const cpOrder: string[] = [];
    for (const n of book.nettingSets) if (!cpOrder.includes(n.counterpartyId)) cpOrder.push(n.counterpartyId);
    const expected = cpOrder.flatMap((cp) => order.filter((id) => book.nettingSets.find((n) => n.nettingSetId === id)!.counterpartyId === cp));
    expect(single.nettingSets.map((s) => s.nettingSetId)).toEqual(expected);
    expect(single.nettingSets.map((s) => s.index)).toEqual(expected.map((_, i) => i));
    expect(single.threads).toBe(1);
  });

  it("the rate pools' WebAssembly kernels change no bit: the TypeScript loops alone give the same result, in-process and on 2 workers", async () => {
    // `single` ran on the kernels (its paths on a path memory); the same run with them turned off runs the loops
    const before = poolKernelCalls();
    expectSameResult(single, await runSimulation({ portfolio: book, market, options: OPTIONS }));
    expect(poolKernelCalls()).toBeGreaterThan(before);
    const afterKernels = poolKernelCalls();
    setPoolKernelsEnabled(false);
    try {
      const loops = await runSimulation({ portfolio: book, market, options: OPTIONS });
      expect(poolKernelCalls()).toBe(afterKernels); // no kernel call in the loops' run
      expectSameResult(single, loops);
      expectSameResult(single, await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } }));
    } finally {
      setPoolKernelsEnabled(true);
    }
  }, 120_000);

  it('without trade contributions (SA-CVA bumped runs) every netting-set, counterparty and book figure keeps its bits, in-process and on 2 workers', async () => {
    const blank = (r: SimulationResult): SimulationResult => ({ ...r, nettingSets: r.nettingSets.map((s) => ({ ...s, tradeEpe: new Float64Array(0), tradeEne: new Float64Array(0) })) });
    // the slice holds collateralised sets with an MPoR (lag dates valued, margin calls) and multi-trade sets (the
    // Euler scatter's per-path work that valueAt keeps on exposure dates with contributions on)
    expect(single.nettingSets.some((s) => s.collateralised && s.marginPeriodOfRiskDays > 0)).toBe(true);
    expect(single.nettingSets.some((s) => s.tradeIds.length > 1 && s.tradeEpe.length === s.tradeIds.length * single.exposureDates.length)).toBe(true);
    for (const run of [
      await runSimulation({ portfolio: book, market, options: { ...OPTIONS, tradeContributions: false } }),
      await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, tradeContributions: false } }),
    ]) {
      for (const s of run.nettingSets) expect([s.tradeEpe.length, s.tradeEne.length]).toEqual([0, 0]);
      expectSameResult(blank(single), run);
      expect(run.valuations).toBe(single.valuations);
    }
  }, 120_000);

  it('2 worker threads give the same bits as 1 thread in-process', async () => {
    const two = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
    expect(two.threads).toBe(2);
    expectSameResult(single, two);
  }, 120_000);

  it('worker threads started before the inputs (WorkerPool.early) give the same bits, and are closed after the run', async () => {
    // the workers load the market while the caller still loads the portfolio; the run hands them its init
    const pool = WorkerPool.early(MARKET_FILE, 2);
    expect(pool.size).toBe(2);
    expect(pool.waitingForRun).toBe(true);
    const early = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, workerPool: pool, options: { ...OPTIONS, threads: 2 } });
    expect(pool.waitingForRun).toBe(false);
    expect(pool.closed).toBe(true);
    // the CPU backend's phases hand a worker one task at a time (the GPU stream two: gpu-backend.test.ts)
    expect(pool.peakInFlight).toBe(1);
    expectSameResult(single, early);
    // a run that turns out to be in-process closes the pool it was given, unused
    const unused = WorkerPool.early(MARKET_FILE, 2);
    expectSameResult(single, await runSimulation({ portfolio: book, market, workerPool: unused, options: OPTIONS }));
    expect(unused.closed).toBe(true);
    expect(unused.waitingForRun).toBe(true);
    // a pool may begin once only
    const twice = WorkerPool.early(MARKET_FILE, 1);
    try {
      twice.begin({ marketFile: MARKET_FILE } as never);
      expect(() => twice.begin({ marketFile: MARKET_FILE } as never)).toThrow(/already has its run/);
    } finally {
      await twice.close();
    }
  }, 120_000);

  it('workers kept between runs (WorkerPool.release) give the same bits as new ones; a failed run stops them', async () => {
    stopKeptWorkers();
    const first = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
    expectSameResult(single, first);
    expect(keptWorkerCount()).toBe(2);
    // the next run takes them over at its start (none kept while it runs) and gives them back at its end
    const running = runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, seed: 8 } });
    expect(keptWorkerCount()).toBe(0);
    const onKept = await running;
    expect(keptWorkerCount()).toBe(2);
    // a run of one thread in-process leaves them kept; a run of fewer threads than kept takes them all (never more
    // than an earlier run of the process had)
    const inProcess = await runSimulation({ portfolio: book, market, options: { ...OPTIONS, seed: 8 } });
    expect(keptWorkerCount()).toBe(2);
    expectSameResult(inProcess, onKept);
    stopKeptWorkers();
    expect(keptWorkerCount()).toBe(0);
    expectSameResult(onKept, await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, seed: 8 } }));
    expect(keptWorkerCount()).toBe(2);
    // XVA_KEEP_WORKERS=off: a run's workers stop at its end, as before workers were kept
    stopKeptWorkers();
    process.env.XVA_KEEP_WORKERS = 'off';
    try {
      expectSameResult(onKept, await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, seed: 8 } }));
      expect(keptWorkerCount()).toBe(0);
    } finally {
      delete process.env.XVA_KEEP_WORKERS;
    }
    await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
    expect(keptWorkerCount()).toBe(2);
    // workers that failed are not kept: an init without a grid fails their context (the run's error), and the pool
    // they were in stops them when it is released
    const bad = WorkerPool.early(MARKET_FILE, 2);
    expect(bad.reused).toBe(true);
    expect(keptWorkerCount()).toBe(0);
    bad.begin({ marketFile: MARKET_FILE } as never);
    await expect(bad.run([], () => undefined)).rejects.toThrow(/worker thread/);
    bad.release();
    expect(bad.closed).toBe(true);
    expect(keptWorkerCount()).toBe(0);
  }, 120_000);

  it('a kept worker that waited lets go of its scratch and GPU table buffers; the next run allocates them again, same bits', async () => {
    // in-process: this thread's scratch holds the run's values, collateral, balances and weights until released
    const before = await runSimulation({ portfolio: book, market, options: { ...OPTIONS, seed: 9 } });
    expect(releaseScratch()).toBeGreaterThanOrEqual(3 * 8 * OPTIONS.paths); // at least one date of values, collateral, balances
    expect(releaseScratch()).toBe(0);
    expectSameResult(before, await runSimulation({ portfolio: book, market, options: { ...OPTIONS, seed: 9 } }));
    const memory = new TableMemory();
    memory.give([new ArrayBuffer(1 << 16), new ArrayBuffer(1 << 17)]);
    expect(memory.heldBytes).toBe(3 << 16);
    memory.release();
    expect(memory.heldBytes).toBe(0);
    // kept workers past their idle wait (worker.ts IDLE_COLLECT_MS, 2 s) have released theirs: the next run on them
    stopKeptWorkers();
    const first = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, seed: 9 } });
    expect(keptWorkerCount()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const afterWait = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, seed: 9 } });
    expectSameResult(first, afterWait);
    expectSameResult(before, afterWait);
  }, 120_000);

  it('kept workers build the market again for another parse of the same file (its numbers changed), not the one they had', async () => {
    // a copy of the demo market under a path of its own, read, run on two workers (kept), then rewritten with other FX
    // spots and read again: the kept workers must value on the new parse, as new workers and the in-process run do
    stopKeptWorkers();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-kept-'));
    const file = path.join(dir, 'market.yaml');
    const text = fs.readFileSync(MARKET_FILE, 'utf8');
    expect(text).toContain('EURUSD: 1.085, GBPUSD: 1.27');
    fs.writeFileSync(file, text);
    const before = loadMarket(file);
    const onBefore = await runSimulation({ portfolio: book, market: before, marketFile: file, options: { ...OPTIONS, threads: 2 } });
    expect(keptWorkerCount()).toBe(2);
    fs.writeFileSync(file, text.replace('EURUSD: 1.085, GBPUSD: 1.27', 'EURUSD: 1.185, GBPUSD: 1.37'));
    const after = loadMarket(file);
    const onKept = await runSimulation({ portfolio: book, market: after, marketFile: file, options: { ...OPTIONS, threads: 2 } });
    const inProcess = await runSimulation({ portfolio: book, market: after, options: OPTIONS });
    expectSameResult(inProcess, onKept);
    // the spots reach the figures: the first parse's run differs
    expect(onBefore.book.epe.some((v, k) => v !== onKept.book.epe[k])).toBe(true);
    // a market that is no parse of a file (built from a tree here) cannot go to worker threads, which would value on
    // the file's market: refused, and in-process it gives the parse's figures
    const unparsed = marketFromTree(marketSource(after)!.tree, 'market.yaml');
    expect(marketSource(unparsed)).toBeUndefined();
    await expect(runSimulation({ portfolio: book, market: unparsed, marketFile: file, options: { ...OPTIONS, threads: 2 } })).rejects.toThrow(/market as read from its file/);
    expectSameResult(inProcess, await runSimulation({ portfolio: book, market: unparsed, marketFile: file, options: OPTIONS }));
    // the file back as it was, read again: the kept workers build the first market again
    fs.writeFileSync(file, text);
    const again = loadMarket(file);
    expectSameResult(onBefore, await runSimulation({ portfolio: book, market: again, marketFile: file, options: { ...OPTIONS, threads: 2 } }));
    stopKeptWorkers();
  }, 120_000);

  it('runs collect the path memory of earlier runs once they took PATH_MEMORY_COLLECT_BYTES of it (the same bits)', async () => {
    // a run's paths are outside the JavaScript heap, so V8 does not count them towards a collection (collect.ts): a
    // process that runs again and again collects when the runs since the last collection took the threshold
    const previous = setPathMemoryCollectBytes(1);
    try {
      await runSimulation({ portfolio: book, market, options: OPTIONS });
      const before = pathMemoryCollections();
      for (let r = 0; r < 3; r++) expectSameResult(single, await runSimulation({ portfolio: book, market, options: OPTIONS }));
      expect(pathMemoryCollections()).toBe(before + 3);
      // on worker threads too (the run's shared path memory); under a threshold not reached, never
      expectSameResult(single, await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } }));
      expect(pathMemoryCollections()).toBe(before + 4);
      setPathMemoryCollectBytes(Number.MAX_SAFE_INTEGER);
      await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
      await runSimulation({ portfolio: book, market, options: OPTIONS });
      expect(pathMemoryCollections()).toBe(before + 4);
    } finally {
      setPathMemoryCollectBytes(previous);
    }
  }, 120_000);

  it('two halves of the book run separately and merged give the same bits as the whole', async () => {
    const cps: string[] = [];
    for (const s of single.nettingSets) if (!cps.includes(s.counterpartyId)) cps.push(s.counterpartyId);
    const firstCps = new Set(cps.slice(0, Math.ceil(cps.length / 2)));
    const firstIds = new Set(single.nettingSets.filter((s) => firstCps.has(s.counterpartyId)).map((s) => s.nettingSetId));
    const secondIds = new Set(single.nettingSets.filter((s) => !firstCps.has(s.counterpartyId)).map((s) => s.nettingSetId));
    // the halves must use the whole book's grid (the default grid would end at each half's own last maturity)
    const grid = single.grid;
    const a = await runSimulation({ portfolio: subBook(book, firstIds), market, options: { ...OPTIONS, grid } });
    const b = await runSimulation({ portfolio: subBook(book, secondIds), market, marketFile: MARKET_FILE, options: { ...OPTIONS, grid, threads: 2 } });
    const merged = [...a.nettingSets, ...b.nettingSets];
    expect(merged.length).toBe(single.nettingSets.length);
    merged.forEach((s, i) => expectSameNettingSet(s, single.nettingSets[i]!));
    // the book totals of the merge, summed in book order, are the whole run's bits
    for (const key of ['epe', 'ene', 'ee', 'eee', 'collateral'] as const) {
      const sum = new Float64Array(single.exposureDates.length);
      for (const s of merged) for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + s.profile[key][k]!;
      expect(sameBits(sum, single.book[key]), key).toBe(true);
    }
  }, 120_000);

  it('another seed moves the figures (the seed reaches the paths)', async () => {
    const other = await runSimulation({ portfolio: book, market, options: { ...OPTIONS, seed: 8 } });
    const k = single.exposureDates.length - 2;
    expect(other.book.epe[k]).not.toBe(single.book.epe[k]);
  }, 120_000);

  it('aggregates: book and counterparty figures are the sums of their netting sets; Euler contributions add up', () => {
    const nExp = single.exposureDates.length;
    for (let k = 0; k < nExp; k++) {
      let epe = 0;
      let ene = 0;
      for (const s of single.nettingSets) {
        epe += s.profile.epe[k]!;
        ene += s.profile.ene[k]!;
        // Euler: Σ_i contribution_i = the set's EPE / ENE (euler.ts identity; rounding of n-term sums: 1e-9 relative)
        let sumEpe = 0;
        let sumEne = 0;
        for (let i = 0; i < s.tradeIds.length; i++) {
          sumEpe += s.tradeEpe[i * nExp + k]!;
          sumEne += s.tradeEne[i * nExp + k]!;
        }
        expect(Math.abs(sumEpe - s.profile.epe[k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, s.profile.epe[k]!));
        expect(Math.abs(sumEne - s.profile.ene[k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, s.profile.ene[k]!));
        // EEE is the running maximum of EE (Basel effective EE)
        if (k > 0) expect(s.profile.eee[k]).toBe(Math.max(s.profile.eee[k - 1]!, s.profile.ee[k]!));
      }
      expect(single.book.epe[k]).toBeCloseTo(epe, 6);
      expect(single.book.ene[k]).toBeCloseTo(ene, 6);
    }
    for (const cp of single.counterparties) {
      const sets = single.nettingSets.filter((s) => s.counterpartyId === cp.counterpartyId);
      expect(sets.map((s) => s.nettingSetId)).toEqual(cp.nettingSetIds);
      for (let k = 0; k < nExp; k++) {
        expect(cp.epe[k]).toBeCloseTo(sets.reduce((a, s) => a + s.profile.epe[k]!, 0), 6);
        // the counterparty's PFE over the sum of its sets' exposures lies between the largest and the sum of theirs
        expect(cp.pfe![k]!).toBeGreaterThanOrEqual(Math.max(...sets.map((s) => s.profile.pfe[k]!)) * (1 - 1e-12));
        expect(cp.pfe![k]!).toBeLessThanOrEqual(sets.reduce((a, s) => a + s.profile.pfe[k]!, 0) * (1 + 1e-12) + 1e-9);
      }
    }
  });
});

describe('Euler contribution of a one-trade netting set', () => {
  it('Σ_p w_p·V_p of the set (no scatter) equals the pools\' node-weight allocation of the same trade split in two halves', async () => {
    // A swap with running coupons, alone in its set (unit.ts eulerAtDate: the set's own path values), against the same
    // swap as two trades of half the notional in the same set (the rate pool's scatter and dot products): halving is
    // exact, so the pooled flows and the set's values agree to the rounding of their sums, and the two halves'
    // contributions add up to the single trade's within the rounding of the two routes (1e-9 relative).
    const irs = portfolio.trades.find((t): t is InterestRateSwap => t.product === 'IRS')!;
    expect(irs).toBeDefined();
    for (const csa of [false, true]) {
      // the swap's own set's terms, or those of a set under a CSA with a margin period of risk (collateral weights)
      const terms = csa ? portfolio.nettingSets.find((n) => n.csa && n.marginPeriodOfRiskDays > 0) : portfolio.nettingSets.find((n) => !n.csa);
      expect(terms).toBeDefined();
      const nettingSet = { ...terms!, nettingSetId: 'NS-ONE' };
      const half = (id: string) => ({ ...irs, tradeId: id, nettingSetId: 'NS-ONE', fixedLeg: { ...irs.fixedLeg, notional: irs.fixedLeg.notional / 2 }, floatLeg: { ...irs.floatLeg, notional: irs.floatLeg.notional / 2 } });
      const one: Portfolio = { ...portfolio, nettingSets: [nettingSet], trades: [{ ...irs, nettingSetId: 'NS-ONE' }] };
      const two: Portfolio = { ...one, trades: [half('A'), half('B')] };
      const [r1, r2] = [await runSimulation({ portfolio: one, market, options: OPTIONS }), await runSimulation({ portfolio: two, market, options: OPTIONS })];
      const s1 = r1.nettingSets[0]!;
      const s2 = r2.nettingSets[0]!;
      const nExp = r1.exposureDates.length;
      let checked = 0;
      for (let k = 0; k < nExp; k++) {
        expect(Math.abs(s1.profile.epe[k]! - s2.profile.epe[k]!)).toBeLessThanOrEqual(1e-12 * s1.profile.epe[k]!);
        for (const [c1, c2] of [[s1.tradeEpe, s2.tradeEpe], [s1.tradeEne, s2.tradeEne]] as const) {
          const split = c2[k]! + c2[nExp + k]!;
          expect(Math.abs(c1[k]! - split)).toBeLessThanOrEqual(1e-9 * Math.abs(c1[k]!) + 1e-9);
          if (c1[k] !== 0) checked++;
        }
      }
      expect(checked).toBeGreaterThan(nExp);
    }
  }, 120_000);
});

describe('unsupported trades', () => {
  /** The slice with two of its IRS given a float leg in another currency (an IRS must be single-currency). */
  function withBadTrades(): { bad: Portfolio; ids: string[] } {
    const irs = book.trades.filter((t) => t.product === 'IRS').slice(0, 2);
    const ids = irs.map((t) => t.tradeId);
    const trades = book.trades.map((t) => {
      if (!ids.includes(t.tradeId) || t.product !== 'IRS') return t;
      const other = t.fixedLeg.currency === 'USD' ? 'EUR' : 'USD';
      return { ...t, floatLeg: { ...t.floatLeg, currency: other as typeof t.floatLeg.currency } };
    });
    return { bad: { ...book, trades }, ids };
  }

  it('are an input error listing every one of them (file, row, trade id, reason)', async () => {
    const { bad, ids } = withBadTrades();
    const error = await runSimulation({ portfolio: bad, market, options: OPTIONS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    const issues = (error as XvaInputError).issues;
    expect(issues.map((i) => i.value)).toEqual(ids.map(() => 'IRS'));
    expect(issues.map((i) => /trade (\S+):/.exec(i.expected!)![1])).toEqual(ids);
    for (const issue of issues) {
      expect(issue.file).toBe('trades.parquet');
      expect(issue.row).toBe(bad.trades.find((t) => issue.expected!.includes(`trade ${t.tradeId}:`))!.sourceRow);
      expect(issue.expected).toMatch(/legs in two currencies is not supported/);
      expect(issue.expected).toMatch(/--skip-unsupported/);
    }
  }, 120_000);

  it('with skipUnsupported: a warning naming them, and the rest of each netting set is valued', async () => {
    const { bad, ids } = withBadTrades();
    const warnings: string[] = [];
    const result = await runSimulation({ portfolio: bad, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2, skipUnsupported: true }, onWarning: (w) => warnings.push(w) });
    expect(result.skipped.map((s) => s.tradeId)).toEqual(ids);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`skipped 2 unsupported trade\\(s\\): ${ids[0]} \\(IRS: `));
    const valued = result.nettingSets.flatMap((s) => s.tradeIds);
    expect(valued.length).toBe(book.trades.length - 2);
    for (const id of ids) expect(valued).not.toContain(id);
  }, 120_000);

  it('a European swaption that expired before the as-of date is one, as for today\'s pricer (whether it was exercised is not in the trade data)', async () => {
    // a demo physical swaption moved to have expired four days ago, its swap starting after the as-of date: an audit
    // found it valued on the paths by xva simulate and cva while xva validate refused it
    const swaption = portfolio.trades.find((t) => t.product === 'SWAPTION' && t.exerciseDates === undefined && t.settlement === 'physical')!;
    expect(swaption).toBeDefined();
    const asOf = market.asOf;
    const expired = { ...swaption, expiryDate: asOf - 4 } as typeof swaption;
    if (expired.product !== 'SWAPTION') throw new Error('not a swaption');
    expect(Math.min(expired.fixedLeg.startDate, expired.floatLeg.startDate)).toBeGreaterThan(asOf);
    // second source: today's pricer refuses it
    expect(() => priceTrade(expired, market)).toThrow('a swaption that expired before the as-of date (its exercise is not in the trade data)');
    const set = portfolio.nettingSets.find((n) => n.nettingSetId === swaption.nettingSetId)!;
    const one: Portfolio = { ...portfolio, nettingSets: [set], trades: [expired] };
    const error = await runSimulation({ portfolio: one, market, options: OPTIONS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues).toEqual([
      expect.objectContaining({
        row: swaption.sourceRow,
        column: 'product',
        value: 'SWAPTION',
        expected: `a trade the exposure engine can value: trade ${swaption.tradeId}: a swaption that expired before the as-of date is not supported (its exercise is not in the trade data: book the exercised swap instead, or leave it out) (or run with --skip-unsupported to leave it out)`,
      }),
    ]);
    const skipped = await runSimulation({ portfolio: one, market, options: { ...OPTIONS, skipUnsupported: true } });
    expect(skipped.skipped.map((s) => s.tradeId)).toEqual([swaption.tradeId]);
  }, 120_000);
});

describe('partition', () => {
  it('partitionWork: greedy longest-first into the lightest unit; deterministic; every item once', () => {
    // costs 7,5,4,3,3,2 into 2 units by hand: 7->A, 5->B, 4->B(9), 3->A(10), 3->B(12), 2->A(12)
    const items = [3, 7, 2, 5, 3, 4].map((cost, index) => ({ index, cost }));
    const units = partitionWork(items, 2);
    expect(units).toEqual([
      { indices: [0, 1, 2], cost: 12 },
      { indices: [3, 4, 5], cost: 12 },
    ]);
    expect(shardOf(items, 2, 2)).toEqual([3, 4, 5]);
    expect(partitionWork(items, 10).length).toBe(6);
  });

  it('contiguousUnits: contiguous runs closing at their share of the cost left', () => {
    // total 24, 3 units: first closes at >= 8 (3+7=10), then 14 left / 2 -> >= 7 (2+5=7), the rest 3+4
    expect(contiguousUnits([3, 7, 2, 5, 3, 4], 3)).toEqual([
      { start: 0, end: 2, cost: 10 },
      { start: 2, end: 4, cost: 7 },
      { start: 4, end: 6, cost: 7 },
    ]);
    expect(contiguousUnits([1, 1], 5)).toEqual([
      { start: 0, end: 1, cost: 1 },
      { start: 1, end: 2, cost: 1 },
    ]);
  });
});

describe('initial margin held (netting_sets.initial_margin_held): an input amount that reduces the exposure', () => {
  it('EPE with IM X equals E[max(V − X, 0)/N] recomputed from the path cube (Float32 rounding), ENE unchanged', async () => {
    // One uncollateralised netting set of the demo slice, run with and without IM held; the cube gives V per path.
    const target = book.nettingSets.find((n) => !n.csa)!;
    const single = subBook(book, new Set([target.nettingSetId]));
    const cubes = new Map<string | null, Float32Array>();
    const run = async (p: Portfolio) => {
      cubes.clear();
      return runSimulation({
        portfolio: p,
        market,
        options: { ...OPTIONS, cube: true },
        onCube: (id, values) => void cubes.set(id, values.slice()),
      });
    };
    const without = await run(single);
    const valuesCube = cubes.get(target.nettingSetId)!;
    const numeraireCube = cubes.get(null)!;
    const base = without.nettingSets[0]!.profile;
    const peak = Math.max(...base.epe);
    const imAmount = 0.5 * peak; // in the collateral currency
    const fxToBase = market.fxSpot(target.collateralCurrency, market.baseCurrency);
    const withIm = await run({ ...single, nettingSets: single.nettingSets.map((n) => ({ ...n, initialMarginHeld: imAmount })) });
    const profile = withIm.nettingSets[0]!.profile;
    const n = without.nPaths;
    for (let k = 0; k < profile.epe.length; k++) {
      let expected = 0;
      for (let p = 0; p < n; p++) expected += Math.max(valuesCube[k * n + p]! - imAmount * fxToBase, 0) / numeraireCube[k * n + p]!;
      expected /= n;
      // the cube is Float32 (relative rounding 6e-8 on V and N): tolerance 1e-6 of the scale of the exposure
      expect(Math.abs(profile.epe[k]! - expected), `date ${k}`).toBeLessThanOrEqual(1e-6 * (peak + imAmount * fxToBase));
      // segregated IM never creates negative exposure: ENE is the set's own
      expect(profile.ene[k]).toBe(base.ene[k]);
      expect(profile.epe[k]!).toBeLessThanOrEqual(base.epe[k]! + 1e-9);
    }
    expect(Math.max(...profile.epe)).toBeLessThan(peak);
  }, 120_000);
});
