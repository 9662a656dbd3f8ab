/**
 * The compression lever on the demo book (helper 126's optimiser audit of `xva optimize`):
 *
 * - each group's MILP is solved alone, whatever else is in its solver batch: a batch used to be one block-diagonal
 *   program whose 1,000-node limit applied to the whole, so a batch stopping at it handed most groups the all-zero
 *   incumbent, reported as `nothing_to_compress` (eight demo groups in one batch: one compressed, while NS-CP0026-1,
 *   CCP-CME and NS-CP0024-1 alone compress by 195.6m, 168.2m and 21.5m, each proved optimal). Reference: the same
 *   programs solved one at a time (`solveLp`, and `compressBook` on one netting set);
 * - a group whose solve stops at a limit before finding a compression that pays says so (`stopped_at_limit`), never
 *   `nothing_to_compress`;
 * - a trade with cross-currency basis delta is a candidate, its basis delta one more preserved factor: NS-CP0017-1
 *   (USD collateral, a EUR OIS, a EUR/USD XCCY and a EUR/USD FX swap) compresses, and the basis delta of the set moves
 *   within its tolerance by an independent route (the set re-priced on a market file whose basis quotes are 1bp higher).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { tradeValueUsd } from '../src/margin/sensitivities/trade.js';
import { batches, solveBlocks } from '../src/optimize/levers/compression/batch.js';
import { finishGroup, prepareGroup } from '../src/optimize/levers/compression/compress.js';
import { compressionGroups } from '../src/optimize/levers/compression/groups.js';
import { compressBook, resolveCompressionOptions, tradeRisk, type CompressionResult } from '../src/optimize/levers/compression/index.js';
import type { LinearProgram } from '../src/optimize/lp/model.js';
import { solveLp } from '../src/optimize/lp/solve.js';
import { applyAmendment } from '../src/optimize/measure/amend.js';
import { compressionLimitNotes } from '../src/optimize/run.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { marketSplitProgram } from './helpers/marketSplit.js';
import { REPO_ROOT } from './helpers/paths.js';

const DEMO = path.join(REPO_ROOT, 'fixtures/demo');
const MARKET_FILE = path.join(DEMO, 'market.yaml');
let market: Market;
let portfolio: Portfolio;

beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, MARKET_FILE));
}, 60_000);

/** A 0/1 knapsack (optimum 60 by enumeration of its 2^8 subsets, below) as a minimisation of −value. */
function knapsack(): { lp: LinearProgram; optimum: number } {
  const values = [12, 7, 19, 4, 9, 15, 3, 11];
  const weights = [5, 3, 8, 2, 4, 7, 1, 5];
  let best = 0;
  for (let mask = 0; mask < 1 << values.length; mask++) {
    let v = 0;
    let w = 0;
    for (let i = 0; i < values.length; i++) if (mask & (1 << i)) (v += values[i]!), (w += weights[i]!);
    if (w <= 17 && v > best) best = v;
  }
  return {
    lp: {
      sense: 'minimize',
      variables: values.map((v, i) => ({ name: `item${i}`, lower: 0, upper: 1, cost: -v, integer: true })),
      rows: [{ name: 'capacity', terms: weights.map((w, i) => [i, w] as const), lower: -Infinity, upper: 17 }],
    },
    optimum: -best,
  };
}

describe('compression: a group solved in a batch gets its answer alone', () => {
  it('programs in one batch at a node limit of 10: each answer (status, values, objective) equals its own solve', async () => {
    // three market-split programs (helpers/marketSplit.ts: 10 nodes stop each with an incumbent) and a knapsack that
    // HiGHS proves optimal: in one block-diagonal program the 10 nodes were the batch's, shared by all four
    const programs = [marketSplitProgram(11).lp, marketSplitProgram(22).lp, knapsack().lp, marketSplitProgram(33).lp];
    expect(batches(programs, 200)).toEqual([[0, 1, 2, 3]]);
    const options = { timeLimitSeconds: 600, mipRelativeGap: 1e-4, mipMaxNodes: 10 };
    const [together, ...alone] = await Promise.all([
      solveBlocks(programs, { ...options, maxIntegersPerBatch: 200, concurrency: 1 }),
      ...programs.map((lp) => solveLp(lp, options)),
    ]);
    expect(together.every((s) => s.batchBlocks === 4)).toBe(true);
    together.forEach((s, i) => {
      const a = alone[i]!;
      expect({ status: s.status, values: Array.from(s.values), objective: s.objective, nodes: s.nodes }).toEqual({ status: a.status, values: Array.from(a.values), objective: a.objective, nodes: a.nodes });
    });
    expect(together[2]!.status).toBe('optimal');
    expect(together[2]!.objective).toBe(knapsack().optimum);
    expect(together.filter((s) => s.status === 'node_limit')).toHaveLength(3);
  }, 60_000);

  it('the demo: each group of a batch of five has the outcome and gross notional it has alone, the audit\'s optima', async () => {
    // CCP-CME (the CCP's house accounts) and four bilateral sets: 226 binaries, two solver batches of at most 150
    // (CCP-CME, NS-CP0011-1 and NS-CP0024-1; NS-CP0026-1 and NS-CP0028-1)
    const ids = ['NS-CCP_CME', 'NS-CP0011-1', 'NS-CP0024-1', 'NS-CP0026-1', 'NS-CP0028-1'];
    const runs = await Promise.all([compressBook(portfolio, market, { nettingSetIds: ids }), ...ids.map((id) => compressBook(portfolio, market, { nettingSetIds: [id] }))]);
    const batch = runs[0]!;
    const alone = runs.slice(1).flatMap((r: CompressionResult) => r.groups);
    const view = (g: CompressionResult['groups'][number]) => ({ groupId: g.groupId, outcome: g.outcome, lpStatus: g.lpStatus, after: g.grossNotionalAfter });
    expect(batch.groups.map(view)).toEqual(alone.map(view));
    expect(batch.actions.map((a) => [a.actionId, a.details['lpBatchGroups']])).toEqual([
      ['compression-CCP-CME', 3],
      ['compression-NS-CP0024-1', 3],
      ['compression-NS-CP0026-1', 2],
      ['compression-NS-CP0028-1', 2],
    ]);
    // the audit's reductions of each set alone (millions of USD, to the 0.1m it printed)
    const reduction = new Map(batch.groups.map((g) => [g.groupId, Math.round((g.grossNotionalBefore - g.grossNotionalAfter) / 1e5) / 10]));
    expect(Object.fromEntries(reduction)).toEqual({ 'CCP-CME': 168.2, 'NS-CP0011-1': 0, 'NS-CP0024-1': 21.5, 'NS-CP0026-1': 195.6, 'NS-CP0028-1': 56 });
    expect(batch.groups.every((g) => g.lpStatus === 'optimal')).toBe(true);
  }, 240_000);
});

describe('compression: a solve stopped at a limit is never "nothing to compress"', () => {
  it('the all-zero answer is nothing_to_compress when proved optimal, stopped_at_limit (with a note) at a node or time limit', () => {
    const o = resolveCompressionOptions({ nettingSetIds: ['NS-CP0026-1'] });
    const sets = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
    const group = compressionGroups(portfolio, o).find((g) => g.groupId === 'NS-CP0026-1')!;
    const answer = (status: 'optimal' | 'node_limit' | 'time_limit') => {
      const p = prepareGroup(group, market, sets, o);
      // "change nothing": every variable 0, objective 0 (milp.ts: always feasible)
      const zero = new Float64Array(p.milp!.lp.variables.length);
      return finishGroup(p, { status, solverStatus: status, values: zero, objective: 0, nodes: 1000, seconds: 1, batchSeconds: 1, batchBlocks: 1 }, market, new Set(), o);
    };
    const proved = answer('optimal');
    expect(proved.report.outcome).toBe('nothing_to_compress');
    expect(proved.notes.filter((n) => n.includes('stopped'))).toEqual([]);
    const stopped = answer('node_limit');
    expect(stopped.action).toBeUndefined();
    expect(stopped.report).toMatchObject({ outcome: 'stopped_at_limit', lpStatus: 'node_limit', incumbentGrossNotionalAfter: stopped.report.grossNotionalBefore });
    expect(stopped.notes).toContain(
      'compression of NS-CP0026-1: its solve stopped at the node limit (1,000 nodes) before finding a compression that pays (its best solution by then terminates nothing): not proved to have nothing to compress; a larger maxNodes searches further',
    );
    expect(answer('time_limit').report.outcome).toBe('stopped_at_limit');
  });

  it("the plan's notes name the groups stopped before finding a compression", () => {
    const notes = compressionLimitNotes([
      { groupId: 'NS-1', outcome: 'compressed', lpStatus: 'node_limit' },
      { groupId: 'NS-2', outcome: 'stopped_at_limit', lpStatus: 'node_limit' },
      { groupId: 'NS-3', outcome: 'nothing_to_compress', lpStatus: 'optimal' },
    ]);
    expect(notes).toEqual([
      'compression: 2 group(s) stopped at the node limit (1,000 nodes of its own solve): 1 with the best compression found by then, the same on any machine; 1 before finding one that pays (NS-2: not proved to have nothing to compress; compression option maxNodes searches further)',
    ]);
  });
});

describe('compression: trades with cross-currency basis delta are candidates', () => {
  it('NS-CP0017-1 (USD collateral) compresses; its EUR basis delta moves within 100 USD/bp by a re-price on a market file 1bp wider', async () => {
    const id = 'NS-CP0017-1';
    const ns = portfolio.nettingSets.find((n) => n.nettingSetId === id)!;
    expect(ns.collateralCurrency).toBe('USD');
    // the EUR OIS, the EUR/USD XCCY and the EUR/USD FX swap carry a EUR basis delta and are candidates now
    for (const tradeId of ['T000187', 'T000189', 'T000190']) {
      const risk = tradeRisk(portfolio.trades.find((t) => t.tradeId === tradeId)!, market, 'USD', false);
      expect(risk.ok && Math.abs(risk.risk.factors.get('xccy:EUR') ?? 0) > 1, tradeId).toBe(true);
    }
    const result = await compressBook(portfolio, market, { nettingSetIds: [id] });
    expect(result.groups[0]).toMatchObject({ groupId: id, candidateCount: 9, outcome: 'compressed', lpStatus: 'optimal' });
    const a = result.actions[0]!;
    const amended = applyAmendment(portfolio, a.amendment);

    // Independent route: every basis quote of the market file 1bp higher (the quotes are zero spreads interpolated
    // linearly, so +1bp at every pillar is +1bp everywhere, as test/simm-xccy-basis.test.ts checks per trade)
    const text = fs.readFileSync(MARKET_FILE, 'utf8');
    const [head, tail] = text.split('  xccyBasis:\n');
    const block = tail!.split(/\n(?=  \S)/)[0]!;
    const wider = parseMarket(head + '  xccyBasis:\n' + tail!.replace(block, block.replace(/spreadBp: (-?\d+)/g, (_, bp: string) => `spreadBp: ${Number(bp) + 1}`)), MARKET_FILE);
    const setValue = (p: Portfolio, m: Market) => p.trades.filter((t) => t.nettingSetId === id).reduce((s, t) => s + tradeValueUsd(t, m, 'USD'), 0);
    const basisDelta = (p: Portfolio) => setValue(p, wider) - setValue(p, market);
    const before = basisDelta(portfolio);
    const after = basisDelta(amended);
    expect(Math.abs(before)).toBeGreaterThan(100); // material: the constraint can bind
    // the options and the single FX option are not candidates but are in both books and cancel
    expect(Math.abs(after - before)).toBeLessThanOrEqual(100 * (1 + 1e-6) + 0.01);
    // the lever's own re-check (the bump of the sensitivities) gives the same move to 1e-6 of the set's basis delta
    expect(Math.abs((a.details['maxDeviationXccyBasisUsdPerBp'] as number) - Math.abs(after - before))).toBeLessThan(1e-6 * Math.abs(before) + 1e-3);
    expect(a.details['maxDeviationXccyBasisFactor']).toBe('EUR xccy basis');
    // a basis-risk trade is among those terminated, and the saving is the audit's 32.6m
    expect(a.amendment.removeTradeIds.some((t) => ['T000187', 'T000189', 'T000190'].includes(t))).toBe(true);
    expect(Math.round((a.details['grossNotionalReduction'] as number) / 1e5) / 10).toBe(32.6);
  }, 60_000);
});
