/**
 * Applying an amendment (types.ts Amendment) to a portfolio: a new Portfolio with trades removed and added and
 * netting sets, counterparties and collateral assets upserted by id. The base portfolio and its arrays are never
 * mutated (the amended one shares the unchanged trade and netting-set objects, which are immutable by convention).
 *
 * Order: upserted netting sets, counterparties and collateral replace the base's in place (same position, so the
 * engine's book order is unchanged) or are appended in the amendment's order; added trades are appended after the
 * remaining base trades. Checks (all reported at once, as an XvaInputError on the pseudo-file `amendment`):
 * a removed trade id not in the book or given twice, an added trade id already in the amended book or given twice,
 * an added trade naming a netting set the amended book lacks, a netting set (upserted, or the set of an added trade)
 * whose counterparty the amended book lacks, the same netting set / counterparty / asset upserted twice.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import type { Portfolio } from '../../portfolio/types.js';
import type { Amendment } from '../types.js';

const FILE = 'amendment';

/** Replace-by-id or append, keeping the base order; `idOf` gives the key. */
function upsert<T>(base: readonly T[], changes: readonly T[], idOf: (x: T) => string): T[] {
  const byId = new Map(changes.map((c) => [idOf(c), c]));
  const out = base.map((x) => {
    const c = byId.get(idOf(x));
    if (c === undefined) return x;
    byId.delete(idOf(x));
    return c;
  });
  for (const c of changes) if (byId.get(idOf(c)) === c) out.push(c);
  return out;
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** The amended portfolio (a new object); throws XvaInputError listing every problem of the amendment. */
export function applyAmendment(portfolio: Portfolio, amendment: Amendment): Portfolio {
  const issues: InputIssue[] = [];
  const baseTradeIds = new Set(portfolio.trades.map((t) => t.tradeId));
  for (const id of duplicates(amendment.removeTradeIds)) issues.push({ file: FILE, column: 'remove_trade_ids', value: id, expected: 'each trade removed once' });
  for (const id of amendment.removeTradeIds) {
    if (!baseTradeIds.has(id)) issues.push({ file: FILE, column: 'remove_trade_ids', value: id, expected: 'the id of a trade in the book' });
  }
  const removed = new Set(amendment.removeTradeIds);
  for (const id of duplicates(amendment.addTrades.map((t) => t.tradeId))) issues.push({ file: FILE, column: 'add_trades', value: id, expected: 'each added trade id once' });
  for (const t of amendment.addTrades) {
    if (baseTradeIds.has(t.tradeId) && !removed.has(t.tradeId)) {
      issues.push({ file: FILE, column: 'add_trades', value: t.tradeId, expected: 'a trade id not already in the book (remove the old trade first to replace it)' });
    }
  }
  for (const id of duplicates(amendment.upsertNettingSets.map((n) => n.nettingSetId))) issues.push({ file: FILE, column: 'upsert_netting_sets', value: id, expected: 'each netting set once' });
  for (const id of duplicates(amendment.upsertCounterparties.map((c) => c.counterpartyId))) issues.push({ file: FILE, column: 'upsert_counterparties', value: id, expected: 'each counterparty once' });
  for (const id of duplicates((amendment.upsertCollateral ?? []).map((a) => a.assetId))) issues.push({ file: FILE, column: 'upsert_collateral', value: id, expected: 'each collateral asset once' });

  const nettingSets = upsert(portfolio.nettingSets, amendment.upsertNettingSets, (n) => n.nettingSetId);
  const counterparties = upsert(portfolio.counterparties, amendment.upsertCounterparties, (c) => c.counterpartyId);
  const collateral = upsert(portfolio.collateral, amendment.upsertCollateral ?? [], (a) => a.assetId);
  const setIds = new Map(nettingSets.map((n) => [n.nettingSetId, n]));
  const cpIds = new Set(counterparties.map((c) => c.counterpartyId));
  for (const t of amendment.addTrades) {
    if (!setIds.has(t.nettingSetId)) {
      issues.push({ file: FILE, column: 'add_trades', value: `trade ${t.tradeId} in netting set ${t.nettingSetId}`, expected: 'a netting set of the book or of upsert_netting_sets' });
    }
  }
  for (const n of amendment.upsertNettingSets) {
    if (!cpIds.has(n.counterpartyId)) {
      issues.push({ file: FILE, column: 'upsert_netting_sets', value: `netting set ${n.nettingSetId} of counterparty ${n.counterpartyId}`, expected: 'a counterparty of the book or of upsert_counterparties' });
    }
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  return {
    ...portfolio,
    trades: [...portfolio.trades.filter((t) => !removed.has(t.tradeId)), ...amendment.addTrades],
    nettingSets,
    counterparties,
    collateral,
    eligibleCollateral: portfolio.eligibleCollateral,
  };
}

export interface TouchedSets {
  /** Netting sets whose figures may change, in the amended book's netting-set order. */
  nettingSetIds: string[];
  /** Counterparties whose terms change (upserted). */
  counterpartyIds: string[];
}

/**
 * The netting sets an amendment touches: those of removed trades (in the base book), of added trades, the upserted
 * sets, and every set of an upserted counterparty (in the amended book). Collateral inventory changes touch none (the
 * engine's exposure does not read the inventory).
 */
export function touchedNettingSets(base: Portfolio, amended: Portfolio, amendment: Amendment): TouchedSets {
  const ids = new Set<string>();
  const removed = new Set(amendment.removeTradeIds);
  for (const t of base.trades) if (removed.has(t.tradeId)) ids.add(t.nettingSetId);
  for (const t of amendment.addTrades) ids.add(t.nettingSetId);
  for (const n of amendment.upsertNettingSets) ids.add(n.nettingSetId);
  const cps = new Set(amendment.upsertCounterparties.map((c) => c.counterpartyId));
  for (const n of amended.nettingSets) if (cps.has(n.counterpartyId)) ids.add(n.nettingSetId);
  // a set that moves to another counterparty: its old counterparty's book figures change too (BA-CVA recomputed)
  const order = [...amended.nettingSets.map((n) => n.nettingSetId), ...base.nettingSets.map((n) => n.nettingSetId)];
  const seen = new Set<string>();
  const nettingSetIds = order.filter((id) => ids.has(id) && !seen.has(id) && (seen.add(id), true));
  return { nettingSetIds, counterpartyIds: [...cps] };
}
