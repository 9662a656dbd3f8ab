/**
 * Which trades are compressed together, and their gross notional.
 *
 * A compression group is a netting set (its bilateral trades) or, with `acrossCcp`, every cleared trade at one CCP
 * (trade.cleared with trade.ccp) in the netting sets that face the CCP itself (their counterparty a `qccp`: the bank's
 * house accounts there), across those netting sets: the bank's positions at a CCP net there, so offsetting trades can
 * be terminated together (the CCP multilateral compression runs of LCH SwapClear and CME). A cleared trade in a set
 * whose counterparty is a client (client clearing: the bank faces the client) stays in its netting set's group, so
 * that compression keeps each client's risk (the forty-fourth session's optimiser audit: a client's four trades were
 * terminated and replaced in the CCP's house account, moving 9,226 USD/bp of DV01 off the client). Groups are sorted
 * by id; trades in a group by trade id.
 */
import type { Market } from '../../../market/types.js';
import type { NettingSet, Portfolio } from '../../../portfolio/types.js';
import type { Currency, Trade } from '../../../products/types.js';
import type { ResolvedCompressionOptions } from './options.js';
import { outstandingNotional } from '../../../products/amortization.js';

export interface CompressionGroup {
  /** The netting set id, or `CCP-<ccp>` for the cleared trades at a CCP. */
  groupId: string;
  ccp: string | undefined;
  /** Netting sets the group's trades are in, sorted. */
  nettingSetIds: string[];
  trades: Trade[];
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function ccpGroupId(ccp: string): string {
  return `CCP-${ccp}`;
}

/** Every group with at least one trade, sorted by id. */
export function compressionGroups(portfolio: Portfolio, o: ResolvedCompressionOptions): CompressionGroup[] {
  const groups = new Map<string, CompressionGroup>();
  const known = new Set(portfolio.nettingSets.map((n) => n.nettingSetId));
  const qccps = new Set(portfolio.counterparties.filter((c) => c.qccp).map((c) => c.counterpartyId));
  const facesCcp = new Set(portfolio.nettingSets.filter((n) => qccps.has(n.counterpartyId)).map((n) => n.nettingSetId));
  for (const trade of portfolio.trades) {
    if (!known.has(trade.nettingSetId)) continue; // a trade of an unknown netting set: the portfolio checks report it
    const ccp = o.acrossCcp && trade.cleared && trade.ccp && facesCcp.has(trade.nettingSetId) ? trade.ccp : undefined;
    const groupId = ccp === undefined ? trade.nettingSetId : ccpGroupId(ccp);
    let g = groups.get(groupId);
    if (!g) {
      g = { groupId, ccp, nettingSetIds: [], trades: [] };
      groups.set(groupId, g);
    }
    g.trades.push(trade);
    if (!g.nettingSetIds.includes(trade.nettingSetId)) g.nettingSetIds.push(trade.nettingSetId);
  }
  const out = [...groups.values()].filter((g) => o.nettingSetIds === undefined || g.nettingSetIds.some((id) => o.nettingSetIds!.has(id)));
  for (const g of out) {
    g.nettingSetIds.sort(byId);
    g.trades.sort((a, b) => byId(a.tradeId, b.tradeId));
  }
  return out.sort((a, b) => byId(a.groupId, b.groupId));
}

/**
 * A trade's notional in its own currency: the traded amount (leg 1 of a cross-currency swap; an amortising swap's
 * outstanding today), quantity × spot for equity.
 */
export function tradeNotional(trade: Trade, market: Market): { amount: number; currency: Currency } {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return { amount: Math.abs(outstandingNotional(trade.fixedLeg, market.asOf)), currency: trade.fixedLeg.currency };
    case 'SWAPTION':
      return { amount: Math.abs(trade.fixedLeg.notional), currency: trade.fixedLeg.currency };
    case 'CAPFLOOR':
      return { amount: Math.abs(outstandingNotional(trade.floatLeg, market.asOf)), currency: trade.floatLeg.currency };
    case 'XCCY':
    case 'BASIS':
      return { amount: Math.abs(outstandingNotional(trade.leg1, market.asOf)), currency: trade.leg1.currency };
    case 'EQFWD':
    case 'EQOPT':
      return { amount: Math.abs(trade.quantity * market.equity(trade.underlying).spot), currency: trade.currency };
    default:
      return { amount: Math.abs(trade.notional), currency: trade.currency };
  }
}

/** Base-currency value of one unit of `currency` at today's spot. */
export function toBase(market: Market, currency: Currency): number {
  return currency === market.baseCurrency ? 1 : market.fxSpot(currency, market.baseCurrency);
}

/** Notional in the market's base currency at today's spot. */
export function notionalInBase(trade: Trade, market: Market): number {
  const n = tradeNotional(trade, market);
  return n.amount * toBase(market, n.currency);
}

/**
 * The netting set that receives a group's replacement trades: the group's set with the largest gross notional of
 * compression candidates (ties: the smallest id). For a bilateral group it is the group's own netting set.
 */
export function homeNettingSet(group: CompressionGroup, candidates: readonly { trade: Trade; notionalBase: number }[], sets: ReadonlyMap<string, NettingSet>): NettingSet {
  const totals = new Map<string, number>();
  for (const c of candidates) totals.set(c.trade.nettingSetId, (totals.get(c.trade.nettingSetId) ?? 0) + c.notionalBase);
  let best: string | undefined;
  for (const id of group.nettingSetIds) {
    const t = totals.get(id) ?? 0;
    if (best === undefined || t > (totals.get(best) ?? 0)) best = id;
  }
  return sets.get(best!)!;
}
