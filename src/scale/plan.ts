/**
 * The whole book's plan, the same in every shard process (docs/scale.md, "Partition"): the book's fixed order of
 * counterparties and netting sets, the run's time grid, the factor layout's needs and the expected cost of each
 * counterparty; then shard K of N as a deterministic cost-balanced partition of whole counterparties.
 *
 * Bit-identical shards need the very paths of a single run. Every shard uses the whole book's grid (its default grid
 * ends at the book's last maturity and carries every CSA's close-out dates) and the whole book's factor layout
 * (`layoutNeeds`) as the universe of its paths: it simulates the correlation blocks of that layout its netting sets
 * need (shardFactors.ts), whose paths are the single run's bit for bit; what a shard mainly saves is the valuation,
 * which is where the time goes. Counterparties are never split: a counterparty's PFE is a quantile over paths of the
 * sum of its netting sets' positive exposures, not a function of the sets' profiles.
 *
 * The order, grid and cost rules are those of the engine (src/exposure/engine.ts bookOrder, runGrid, setCost);
 * test/scale-plan.test.ts checks the grid against a single run's.
 */
import type { DateSerial } from '../conventions/dates.js';
import type { Market } from '../market/types.js';
import type { NettingSet, Portfolio } from '../portfolio/types.js';
import { tradeMaturity, type Trade } from '../products/types.js';
import { factorNeeds } from '../exposure/engine.js';
import { nettingSetCost, shardOf } from '../exposure/partition.js';
import { gridFromSpec, withCloseOutDates, type GridSpec } from '../simulation/grid.js';
import type { FactorNeeds } from '../simulation/layout.js';
import type { TimeGrid } from '../simulation/types.js';
import type { ShardSpec } from './shardSpec.js';

export interface PlannedSet {
  /** Position in the book's order (0-based). */
  index: number;
  nettingSet: NettingSet;
  trades: Trade[];
}

export interface PlannedCounterparty {
  index: number;
  counterpartyId: string;
  sets: PlannedSet[];
  /** Expected valuation cost: Σ over its sets of trades × dates alive × paths (× 1.1 under a CSA). */
  cost: number;
}

export interface BookPlan {
  counterparties: PlannedCounterparty[];
  /** Netting-set ids in the book's order. */
  nettingSetIds: string[];
  grid: TimeGrid;
  layoutNeeds: FactorNeeds;
}

export interface PlanOptions {
  grid: GridSpec;
  /** The grid runs at least to this date (SimulationOptions.horizon: the single run's). */
  horizon?: DateSerial;
  /** Collateral coverage of the run (close-out dates are added when positive). */
  coverage: number;
  paths: number;
}

/** Counterparties in order of their first netting set in the netting_sets table, sets in table order; sets without trades left out. */
function bookGroups(portfolio: Portfolio): PlannedCounterparty[] {
  const tradesBySet = new Map<string, Trade[]>();
  for (const trade of portfolio.trades) {
    let list = tradesBySet.get(trade.nettingSetId);
    if (!list) tradesBySet.set(trade.nettingSetId, (list = []));
    list.push(trade);
  }
  const byCounterparty = new Map<string, PlannedCounterparty>();
  const groups: PlannedCounterparty[] = [];
  const seen = new Set<string>();
  for (const nettingSet of portfolio.nettingSets) {
    const trades = tradesBySet.get(nettingSet.nettingSetId);
    if (!trades || trades.length === 0 || seen.has(nettingSet.nettingSetId)) continue;
    seen.add(nettingSet.nettingSetId);
    let cp = byCounterparty.get(nettingSet.counterpartyId);
    if (!cp) {
      cp = { index: groups.length, counterpartyId: nettingSet.counterpartyId, sets: [], cost: 0 };
      byCounterparty.set(nettingSet.counterpartyId, cp);
      groups.push(cp);
    }
    cp.sets.push({ index: 0, nettingSet, trades });
  }
  let index = 0;
  for (const cp of groups) for (const s of cp.sets) s.index = index++;
  return groups;
}

/** Trades × grid dates up to the set's last maturity × paths, 10% more under a CSA (the collateral pass). */
function setCost(grid: TimeGrid, trades: readonly Trade[], nettingSet: NettingSet, nPaths: number): number {
  let last = 0;
  for (const t of trades) last = Math.max(last, tradeMaturity(t));
  let dates = 0;
  for (let d = 0; d < grid.dates.length && grid.dates[d]! <= last; d++) dates++;
  const cost = nettingSetCost(trades.length, Math.max(0, dates - 1), nPaths);
  return nettingSet.csa ? cost * 1.1 : cost;
}

export function bookPlan(portfolio: Portfolio, market: Market, options: PlanOptions): BookPlan {
  const counterparties = bookGroups(portfolio);
  let lastMaturity = Math.max(market.asOf, options.horizon ?? market.asOf);
  const mpors: number[] = [];
  for (const cp of counterparties) {
    for (const { nettingSet, trades } of cp.sets) {
      for (const t of trades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
      if (nettingSet.csa && options.coverage > 0 && nettingSet.marginPeriodOfRiskDays > 0) mpors.push(nettingSet.marginPeriodOfRiskDays);
    }
  }
  const grid = withCloseOutDates(gridFromSpec(options.grid, market.asOf, lastMaturity), mpors);
  for (const cp of counterparties) for (const s of cp.sets) cp.cost += setCost(grid, s.trades, s.nettingSet, options.paths);
  const allTrades = counterparties.flatMap((cp) => cp.sets.flatMap((s) => s.trades));
  return {
    counterparties,
    nettingSetIds: counterparties.flatMap((cp) => cp.sets.map((s) => s.nettingSet.nettingSetId)),
    grid,
    layoutNeeds: factorNeeds(allTrades),
  };
}

export interface ShardPlan {
  shard: ShardSpec;
  /** Counterparties of the shard, in the book's order. */
  counterparties: PlannedCounterparty[];
  /** Book positions and ids of its netting sets, increasing. */
  nettingSetIndices: number[];
  nettingSetIds: string[];
  cost: number;
  /** The whole book's cost (the shard's share is cost / bookCost). */
  bookCost: number;
}

/**
 * Shard K of N: whole counterparties, balanced by cost with "longest processing time first" (partition.ts shardOf;
 * deterministic, ties by book position). With fewer counterparties than shards the last shards are empty.
 */
export function shardPlan(plan: BookPlan, shard: ShardSpec): ShardPlan {
  const items = plan.counterparties.map((cp) => ({ index: cp.index, cost: cp.cost }));
  const chosen = shardOf(items, shard.index, shard.count).map((i) => plan.counterparties[i]!);
  const sets = chosen.flatMap((cp) => cp.sets);
  return {
    shard,
    counterparties: chosen,
    nettingSetIndices: sets.map((s) => s.index),
    nettingSetIds: sets.map((s) => s.nettingSet.nettingSetId),
    cost: chosen.reduce((a, cp) => a + cp.cost, 0),
    bookCost: plan.counterparties.reduce((a, cp) => a + cp.cost, 0),
  };
}

/**
 * The part of the book a shard values: its netting sets (table order) and their trades (trades-table order), the
 * counterparties and collateral tables unchanged. Its book order is the whole book's restricted to the shard.
 */
export function shardPortfolio(portfolio: Portfolio, nettingSetIds: ReadonlySet<string>): Portfolio {
  return {
    ...portfolio,
    trades: portfolio.trades.filter((t) => nettingSetIds.has(t.nettingSetId)),
    nettingSets: portfolio.nettingSets.filter((n) => nettingSetIds.has(n.nettingSetId)),
    eligibleCollateral: portfolio.eligibleCollateral.filter((e) => nettingSetIds.has(e.nettingSetId)),
  };
}
