/**
 * Candidate novations: per bilateral netting set one action moving all its clearable trades to the CCP (the largest
 * clearable notional first, at most `maxNettingSetActions`), then one action per trade for the `largestTrades`
 * largest clearable trades of sets with more than one clearable trade (a set with one is already its set action).
 * Same book, market and options: same actions, ids and order (ties broken by id).
 *
 * The amendment of an action removes each trade from its bilateral netting set and adds a copy with the same
 * economics and direction (the bank keeps its side; the CCP steps in as the counterparty) under the id
 * `<tradeId>-NOV-<ccp>`, cleared at the CCP, in the CCP netting set of ccp.ts (added by the amendment when the book
 * has none).
 */
import { XvaInputError } from '../../../errors.js';
import type { Market } from '../../../market/types.js';
import type { NettingSet, Portfolio } from '../../../portfolio/types.js';
import type { Trade } from '../../../products/types.js';
import type { Action, Amendment } from '../../types.js';
import { ccpTarget, type CcpTarget } from './ccp.js';
import { clearability, notionalInBase, type NotClearableReason } from './clearable.js';
import type { ResolvedNovationOptions } from './options.js';

/** Id of the novated copy of a trade. */
export const novatedTradeId = (tradeId: string, ccp: string): string => `${tradeId}-NOV-${ccp}`;

/** A bilateral netting set's clearable trades, the largest first, and the count of the others by reason. */
export interface SetCandidates {
  nettingSet: NettingSet;
  trades: { trade: Trade; notionalBase: number }[];
  notionalBase: number;
  notClearable: Partial<Record<NotClearableReason, number>>;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Clearable trades grouped by bilateral netting set (sets without any are left out), in the book's set order. */
export function clearableBySet(portfolio: Portfolio, market: Market, o: ResolvedNovationOptions): SetCandidates[] {
  const sets = new Map<string, SetCandidates>();
  for (const ns of portfolio.nettingSets) sets.set(ns.nettingSetId, { nettingSet: ns, trades: [], notionalBase: 0, notClearable: {} });
  for (const trade of portfolio.trades) {
    const entry = sets.get(trade.nettingSetId);
    if (!entry) continue; // a trade of an unknown netting set: the portfolio checks report it
    const c = clearability(trade, entry.nettingSet, market.asOf, o);
    if (!c.clearable) {
      entry.notClearable[c.reason] = (entry.notClearable[c.reason] ?? 0) + 1;
      continue;
    }
    const notionalBase = notionalInBase(trade, market);
    entry.trades.push({ trade, notionalBase });
    entry.notionalBase += notionalBase;
  }
  const out = [...sets.values()].filter((s) => s.trades.length > 0);
  for (const s of out) s.trades.sort((a, b) => b.notionalBase - a.notionalBase || byId(a.trade.tradeId, b.trade.tradeId));
  return out;
}

function tradesFile(portfolio: Portfolio): string {
  return portfolio.sources.trades ? portfolio.sources.trades.split(/[\\/]/).pop()! : 'trades';
}

/** The novated copy: same terms and direction, the CCP as counterparty, cleared in the CCP netting set. */
export function novatedCopy(trade: Trade, target: CcpTarget): Trade {
  const { sourceRow: _row, ...terms } = trade;
  return {
    ...terms,
    tradeId: novatedTradeId(trade.tradeId, target.nettingSet.ccp!),
    counterpartyId: target.counterparty.counterpartyId,
    nettingSetId: target.nettingSet.nettingSetId,
    cleared: true,
    ccp: target.nettingSet.ccp!,
  } as Trade;
}

function amendmentFor(trades: readonly Trade[], target: CcpTarget): Amendment {
  return {
    removeTradeIds: trades.map((t) => t.tradeId),
    addTrades: trades.map((t) => novatedCopy(t, target)),
    upsertNettingSets: target.createdNettingSet ? [target.nettingSet] : [],
    upsertCounterparties: target.createdCounterparty ? [target.counterparty] : [],
  };
}

function money(amount: number, currency: string): string {
  const abs = Math.abs(amount);
  if (abs >= 1e9) return `${currency} ${(amount / 1e9).toFixed(2)}bn`;
  if (abs >= 1e6) return `${currency} ${(amount / 1e6).toFixed(1)}m`;
  return `${currency} ${Math.round(amount).toLocaleString('en-US')}`;
}

function action(kind: 'set' | 'trade', key: string, set: SetCandidates, picked: { trade: Trade; notionalBase: number }[], target: CcpTarget, market: Market, o: ResolvedNovationOptions): Action {
  const trades = picked.map((p) => p.trade);
  const notionalBase = picked.reduce((sum, p) => sum + p.notionalBase, 0);
  const ns = set.nettingSet;
  const ccpNs = target.nettingSet;
  const what = kind === 'set' ? `all ${trades.length} clearable trade${trades.length === 1 ? '' : 's'}` : `trade ${trades[0]!.tradeId}`;
  const notClearable = Object.entries(set.notClearable)
    .sort(([a], [b]) => byId(a, b))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return {
    actionId: `novation:${kind}:${key}`,
    lever: 'novation',
    description: `Novate ${what} of ${ns.nettingSetId} (${ns.counterpartyId}) to ${o.ccp} netting set ${ccpNs.nettingSetId}: notional ${money(notionalBase, market.baseCurrency)}`,
    amendment: amendmentFor(trades, target),
    tradeIds: trades.map((t) => t.tradeId),
    counterpartyIds: [ns.counterpartyId, target.counterparty.counterpartyId],
    nettingSetIds: [ns.nettingSetId, ccpNs.nettingSetId],
    cost: o.feePerTrade * trades.length,
    details: {
      ccp: o.ccp,
      fromNettingSet: ns.nettingSetId,
      ccpCounterpartyId: target.counterparty.counterpartyId,
      ccpNettingSetId: ccpNs.nettingSetId,
      ccpAccount: target.createdNettingSet ? 'new' : 'existing',
      ccpCounterpartyAdded: target.createdCounterparty ? 'yes' : 'no',
      ccpImModel: ccpNs.imModel,
      ccpCreditCurve: target.creditCurve,
      novatedTrades: trades.length,
      novatedNotionalBase: notionalBase,
      clearableTradesInSet: set.trades.length,
      notClearableInSet: notClearable === '' ? 'none' : notClearable,
      feePerTrade: o.feePerTrade,
    },
  };
}

/** The candidate actions (module comment); [] when no bilateral trade is clearable. */
export function buildNovationActions(portfolio: Portfolio, market: Market, o: ResolvedNovationOptions): Action[] {
  const sets = clearableBySet(portfolio, market, o);
  if (sets.length === 0) return [];
  const target = ccpTarget(portfolio, market, o);

  const existingIds = new Set(portfolio.trades.map((t) => t.tradeId));
  for (const s of sets) {
    for (const { trade } of s.trades) {
      const id = novatedTradeId(trade.tradeId, o.ccp);
      if (existingIds.has(id)) {
        throw new XvaInputError([
          { file: tradesFile(portfolio), ...(trade.sourceRow !== undefined ? { row: trade.sourceRow } : {}), column: 'trade_id', value: id, expected: `an id not in the book: the novation lever names the novated copy of ${trade.tradeId} so` },
        ]);
      }
    }
  }

  const actions: Action[] = [];
  const rankedSets = [...sets].sort((a, b) => b.notionalBase - a.notionalBase || byId(a.nettingSet.nettingSetId, b.nettingSet.nettingSetId));
  for (const s of rankedSets.slice(0, o.maxNettingSetActions)) actions.push(action('set', s.nettingSet.nettingSetId, s, s.trades, target, market, o));

  const singles = sets
    .filter((s) => s.trades.length > 1)
    .flatMap((s) => s.trades.map((t) => ({ set: s, t })))
    .sort((a, b) => b.t.notionalBase - a.t.notionalBase || byId(a.t.trade.tradeId, b.t.trade.tradeId))
    .slice(0, o.largestTrades);
  for (const { set, t } of singles) actions.push(action('trade', t.trade.tradeId, set, [t], target, market, o));
  return actions;
}
