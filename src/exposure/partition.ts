/**
 * Deterministic partition of netting sets into work units of about equal expected cost, for worker threads now and
 * for `--shard K/N` runs later. Cost of a netting set = trades × dates it is alive × paths (the valuation work; paths
 * are the same for all sets of a run, so they only scale). Greedy "longest processing time first" (Graham 1969):
 * sets sorted by cost (descending, ties by their position in the book), each into the currently lightest unit (ties:
 * the lowest unit index). Within a unit the sets keep the book's order. The result depends only on the costs, never
 * on timing, so a shard or a thread always gets the same sets.
 */

export interface PartitionItem {
  /** Position of the netting set in the book's fixed order (the merge order of results). */
  index: number;
  /** Expected cost (any unit, >= 0), e.g. trades × alive dates × paths. */
  cost: number;
}

export interface WorkUnit {
  /** Book positions of the unit's netting sets, increasing. */
  indices: number[];
  cost: number;
}

/** Expected valuation cost of a netting set: trades × grid dates up to its last live date (inclusive) × paths. */
export function nettingSetCost(tradeCount: number, lastDateIndex: number, nPaths: number): number {
  return tradeCount * (lastDateIndex + 1) * nPaths;
}

/**
 * Splits `items` into `unitCount` units (fewer when there are fewer items; never an empty unit). Units are returned
 * by the book position of their first netting set.
 */
export function partitionWork(items: readonly PartitionItem[], unitCount: number): WorkUnit[] {
  if (!Number.isInteger(unitCount) || unitCount < 1) throw new Error(`partitionWork: unitCount must be a positive integer, got ${unitCount}`);
  const n = Math.min(unitCount, items.length);
  if (n === 0) return [];
  const order = [...items].sort((a, b) => b.cost - a.cost || a.index - b.index);
  const units: WorkUnit[] = Array.from({ length: n }, () => ({ indices: [], cost: 0 }));
  for (const item of order) {
    let lightest = 0;
    for (let u = 1; u < n; u++) if (units[u]!.cost < units[lightest]!.cost) lightest = u;
    units[lightest]!.indices.push(item.index);
    units[lightest]!.cost += item.cost;
  }
  for (const unit of units) unit.indices.sort((a, b) => a - b);
  return units.filter((u) => u.indices.length > 0).sort((a, b) => a.indices[0]! - b.indices[0]!);
}

/** `--shard K/N` (1-based K): the K-th of N deterministic units. */
export function shardOf(items: readonly PartitionItem[], shard: number, shardCount: number): number[] {
  if (!Number.isInteger(shardCount) || shardCount < 1 || !Number.isInteger(shard) || shard < 1 || shard > shardCount) {
    throw new Error(`shardOf: shard ${shard}/${shardCount} is not K/N with 1 <= K <= N`);
  }
  // Units sorted by first netting set; with fewer sets than shards the last shards are empty.
  const units = partitionWork(items, shardCount);
  return units[shard - 1]?.indices ?? [];
}

export interface UnitRange {
  /** First item (inclusive) and end (exclusive) in the book's order. */
  start: number;
  end: number;
  cost: number;
}

/**
 * Splits items, kept in the book's order, into at most `unitCount` contiguous runs of about equal cost: a run closes
 * once its cost reaches its share of what is left (left / units still to make), so one very costly item never
 * starves the units after it. Contiguous units let a consumer stream results in the book's order with a short
 * reorder buffer (worker threads handing back units as they finish).
 */
export function contiguousUnits(costs: readonly number[], unitCount: number): UnitRange[] {
  if (!Number.isInteger(unitCount) || unitCount < 1) throw new Error(`contiguousUnits: unitCount must be a positive integer, got ${unitCount}`);
  const units: UnitRange[] = [];
  let left = 0;
  for (const c of costs) left += c;
  let start = 0;
  let cost = 0;
  for (let i = 0; i < costs.length; i++) {
    cost += costs[i]!;
    const unitsLeft = unitCount - units.length;
    const last = i === costs.length - 1;
    if (last || (unitsLeft > 1 && cost >= left / unitsLeft)) {
      units.push({ start, end: i + 1, cost });
      left -= cost;
      start = i + 1;
      cost = 0;
    }
  }
  return units;
}
