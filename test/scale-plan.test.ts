/**
 * Sharding, library level (docs/scale.md): choosing the shard from flags or the scheduler's index variables, the
 * book plan (its grid must be the single run's grid), the partition (every netting set in exactly one shard, whole
 * counterparties, cost balanced within the list-scheduling bound), and the core claim: a shard valued on the book's
 * grid and factor layout gives each of its netting sets bit for bit the figures of the single run over the book.
 */
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { bookPlan, shardPlan, shardPortfolio, type BookPlan } from '../src/scale/plan.js';
import { parseShard, parseShardFolderName, resolveShard, shardFolderName } from '../src/scale/shardSpec.js';

const demo = path.resolve(import.meta.dirname, '..', 'fixtures', 'demo');
const PATHS = 16;

describe('choosing the shard', () => {
  it('--shard K/N is 1-based; bad forms are usage errors naming the flag', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8, source: 'flag' });
    expect(() => parseShard('0/4')).toThrow('--shard 0/4: K must be 1 to 4');
    expect(() => parseShard('5/4')).toThrow('--shard 5/4: K must be 1 to 4');
    expect(() => parseShard('2-4')).toThrow("--shard must be K/N like 2/8 (shard K of N, 1-based), got '2-4'");
  });

  it('--shards N takes the 0-based index of a Kubernetes Indexed Job or an AWS Batch array job', () => {
    expect(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4, source: 'JOB_COMPLETION_INDEX' });
    expect(resolveShard({ shards: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toEqual({ index: 4, count: 4, source: 'AWS_BATCH_JOB_ARRAY_INDEX' });
    expect(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '2' })!.index).toBe(3);
    expect(() => resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '2' })).toThrow(
      'JOB_COMPLETION_INDEX=1 and AWS_BATCH_JOB_ARRAY_INDEX=2 disagree: unset one',
    );
    expect(() => resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '4' })).toThrow('JOB_COMPLETION_INDEX=4 is not a shard index 0 to 3 (0-based) for --shards 4');
    expect(() => resolveShard({ shards: '4' }, {})).toThrow(
      '--shards 4 takes the shard index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, and neither is set: give --shard K/4 to run one shard by hand',
    );
    // --shard wins and the environment is not read; no flag = the whole book even under a scheduler
    expect(resolveShard({ shard: '2/3' }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 2, count: 3, source: 'flag' });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '0' })).toBeUndefined();
    expect(() => resolveShard({ shard: '1/2', shards: '2' }, {})).toThrow('give either --shard K/N or --shards N');
  });

  it('folder names sort in shard order and parse back', () => {
    expect(shardFolderName({ index: 3, count: 12 })).toBe('shard-03-of-12');
    expect(parseShardFolderName('shard-03-of-12')).toEqual({ index: 3, count: 12 });
    expect(parseShardFolderName('.shard-3-of-12.tmp-1-ab')).toBeUndefined();
  });
});

describe('plan and partition of the demo book', () => {
  let portfolio: Portfolio;
  let market: Market;
  let plan: BookPlan;
  let whole: SimulationResult;
  beforeAll(async () => {
    ({ portfolio, market } = await loadSimulationInputs(demo, path.join(demo, 'market.yaml')));
    plan = bookPlan(portfolio, market, { grid: { kind: 'default' }, coverage: 1, paths: PATHS });
    whole = await runSimulation({ portfolio, market, options: { paths: PATHS, seed: 42, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
  }, 120_000);

  it("the plan's grid and book order are the single run's", () => {
    expect([...plan.grid.dates]).toEqual([...whole.grid.dates]);
    expect([...plan.grid.exposureDate]).toEqual([...whole.grid.exposureDate]);
    expect(plan.nettingSetIds).toEqual(whole.nettingSets.map((s) => s.nettingSetId));
  });

  it('for N = 1..8: every netting set in exactly one shard, counterparties whole, cost within the list-scheduling bound', () => {
    const total = plan.counterparties.reduce((a, c) => a + c.cost, 0);
    const largest = Math.max(...plan.counterparties.map((c) => c.cost));
    const cpOfSet = new Map(plan.counterparties.flatMap((c) => c.sets.map((s) => [s.nettingSet.nettingSetId, c.counterpartyId] as const)));
    for (let n = 1; n <= 8; n++) {
      const seen = new Map<string, number>();
      const cpShard = new Map<string, number>();
      for (let k = 1; k <= n; k++) {
        const shard = shardPlan(plan, { index: k, count: n, source: 'flag' });
        for (const id of shard.nettingSetIds) {
          expect(seen.has(id)).toBe(false);
          seen.set(id, k);
          const cp = cpOfSet.get(id)!;
          expect(cpShard.get(cp) ?? k).toBe(k);
          cpShard.set(cp, k);
        }
        // Graham (1966): greedy list scheduling puts at most average + largest item on a machine
        expect(shard.cost).toBeLessThanOrEqual(total / n + largest);
        // deterministic: the same inputs give the same shard
        expect(shardPlan(plan, { index: k, count: n, source: 'flag' }).nettingSetIds).toEqual(shard.nettingSetIds);
      }
      expect(seen.size).toBe(plan.nettingSetIds.length);
    }
  });

  it("a shard on the book's grid and layout gives its netting sets the single run's figures bit for bit", async () => {
    const shard = shardPlan(plan, { index: 2, count: 4, source: 'flag' });
    const sub = shardPortfolio(portfolio, new Set(shard.nettingSetIds));
    const options = { paths: PATHS, seed: 42, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: plan.grid };
    const part = await runSimulation({ portfolio: sub, market, options: { ...options, layoutNeeds: plan.layoutNeeds } });
    const byId = new Map(whole.nettingSets.map((s) => [s.nettingSetId, s]));
    expect(part.nettingSets.map((s) => s.nettingSetId)).toEqual(shard.nettingSetIds);
    for (const s of part.nettingSets) {
      const w = byId.get(s.nettingSetId)!;
      for (const key of ['epe', 'ene', 'ee', 'eee', 'pfe', 'collateral', 'epeStdError'] as const) {
        expect(Buffer.from(s.profile[key].buffer).equals(Buffer.from(w.profile[key].buffer))).toBe(true);
      }
      expect(Buffer.from(s.tradeEpe.buffer).equals(Buffer.from(w.tradeEpe.buffer))).toBe(true);
    }
    // control: without the book's layout the shard correlates fewer factors and draws other paths
    const own = await runSimulation({ portfolio: sub, market, options });
    expect(own.model).not.toEqual(whole.model);
    const differs = own.nettingSets.some((s) => !Buffer.from(s.profile.epe.buffer).equals(Buffer.from(byId.get(s.nettingSetId)!.profile.epe.buffer)));
    expect(differs).toBe(true);
  }, 120_000);
});
