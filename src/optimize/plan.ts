/**
 * The integrated plan: from the measured candidate actions of every lever, choose a set that maximises the weighted
 * net benefit (objective.ts) within the action limits, never two actions that change the same trade or write
 * different terms for the same netting set, never two that change one netting set of the book (remove its trades or
 * replace its terms: each was measured on the rest of the set as it is, so together they would count the same exposure
 * twice), never a CVA hedge together with another action that changes a netting set of the hedged counterparty (the
 * hedge is sized on the base book's SCVA of that counterparty and capped at it, docs/optimize-hedges.md: a CSA
 * amendment, novation or compression chosen with it changes the SCVA and can leave the counterparty over-hedged;
 * helper 126's optimiser audit: CP0021 hedged on its base SCVA of 29,588 while the CSA chosen with it cut the SCVA to
 * 9,554, 3.1 times over-hedged in `xva capital`), and only actions that pay (net benefit > 0). Greedy by net benefit
 * with a deterministic tie break (action id): the actions' benefits are measured one by one, and the plan's realised saving is measured again
 * on the whole amended book afterwards (run.ts), because actions interact.
 *
 * The Pareto front: one plan per weight vector of a fixed family (each objective alone, pairs, equal weights), each
 * plan's four estimated savings, and which plans no other plan beats on all four (non-dominated).
 */
import { XvaUsageError } from '../errors.js';
import { OBJECTIVES, savingsOf, weightedBenefit, type Objective, type ObjectiveWeights, type Savings } from './objective.js';
import type { Action, CostDelta, Lever, MeasuredAction } from './types.js';

/** Limits on a plan (issue defaults; all flags). */
export interface PlanLimits {
  /** Trades added: replacements, hedges, novated copies. */
  maxNewTrades: number;
  /** Trades removed: compressed or novated away. */
  maxUnwinds: number;
  /** Compression actions. */
  maxCompressions: number;
  /** CSA amendment actions. */
  maxCsaAmendments: number;
}

export const DEFAULT_LIMITS: PlanLimits = { maxNewTrades: 50, maxUnwinds: 30, maxCompressions: 10, maxCsaAmendments: 20 };

export function checkLimits(l: PlanLimits): void {
  for (const [k, v] of Object.entries(l)) if (!(Number.isSafeInteger(v) && v >= 0)) throw new XvaUsageError(`${k} must be a whole number >= 0, got ${v}`);
}

/**
 * What an action uses of the limits and which trades / netting-set terms it claims: each netting set it writes, with
 * the terms it writes (two actions that write the same terms, such as two novations into the same new CCP account,
 * do not conflict; two that write different terms for one set do).
 */
function footprint(
  a: Action,
  book?: PlanBook,
): { newTrades: number; unwinds: number; trades: string[]; setTerms: { id: string; terms: string }[]; touched: string[]; counterparties: string[]; hedged: string[] } {
  // the book's netting sets whose trades it removes or whose terms it replaces: its measured benefit assumes the rest of
  // the set as it is, so a second action on the same set would count the same exposure twice
  const touched = new Set<string>();
  if (book) {
    for (const id of a.amendment.removeTradeIds) {
      const set = book.setOfTrade.get(id);
      if (set !== undefined) touched.add(set);
    }
    for (const s of a.amendment.upsertNettingSets) if (book.nettingSets.has(s.nettingSetId)) touched.add(s.nettingSetId);
  }
  return {
    newTrades: a.amendment.addTrades.length,
    unwinds: a.amendment.removeTradeIds.length,
    trades: [...a.amendment.removeTradeIds],
    setTerms: a.amendment.upsertNettingSets.map((s) => ({ id: s.nettingSetId, terms: termsKey(s) })),
    touched: [...touched].sort(),
    counterparties: changedCounterparties(a, book),
    hedged: hedgedCounterparties(a),
  };
}

/**
 * The counterparties whose netting sets an action changes: the sets it removes trades from (their counterparty from the
 * book; without a book, the action's own `counterpartyIds`), adds trades to, or writes terms for. A CVA hedge changes
 * only its dealer's set.
 */
function changedCounterparties(a: Action, book?: PlanBook): string[] {
  const out = new Set<string>();
  for (const t of a.amendment.addTrades) out.add(t.counterpartyId);
  for (const s of a.amendment.upsertNettingSets) out.add(s.counterpartyId);
  if (a.amendment.removeTradeIds.length > 0) {
    if (book?.counterpartyOfSet) {
      for (const id of a.amendment.removeTradeIds) {
        const cp = book.counterpartyOfSet.get(book.setOfTrade.get(id) ?? '');
        if (cp !== undefined) out.add(cp);
      }
    } else for (const cp of a.counterpartyIds) out.add(cp);
  }
  return [...out].sort();
}

/** The counterparties a CVA hedge is sized on: the single name's, or those an index hedge covers. */
function hedgedCounterparties(a: Action): string[] {
  if (a.lever !== 'cva_hedge') return [];
  const single = a.details['hedgedCounterpartyId'];
  if (typeof single === 'string') return [single];
  const covers = a.details['indexCovers'];
  return typeof covers === 'string' ? covers.split(' ').filter((id) => id !== '') : [];
}

/** The base book as the plan needs it: each trade's netting set, the sets that exist before any action, and their counterparties. */
export interface PlanBook {
  setOfTrade: ReadonlyMap<string, string>;
  nettingSets: ReadonlySet<string>;
  counterpartyOfSet?: ReadonlyMap<string, string>;
}

export function planBook(portfolio: { trades: readonly { tradeId: string; nettingSetId: string }[]; nettingSets: readonly { nettingSetId: string; counterpartyId?: string }[] }): PlanBook {
  return {
    setOfTrade: new Map(portfolio.trades.map((t) => [t.tradeId, t.nettingSetId])),
    nettingSets: new Set(portfolio.nettingSets.map((n) => n.nettingSetId)),
    counterpartyOfSet: new Map(portfolio.nettingSets.flatMap((n) => (n.counterpartyId !== undefined ? [[n.nettingSetId, n.counterpartyId] as const] : []))),
  };
}

/** A netting set's terms as one comparable text (keys in order, so equal records give equal keys). */
function termsKey(set: object): string {
  return JSON.stringify(set, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** The annual collateral funding saving a collateral action carries in its details (0 for other levers). */
export function annualCollateralSaving(a: Action): number {
  const v = a.details['savingPerYearVsCurrent'];
  return a.lever === 'collateral' && typeof v === 'number' ? v : 0;
}

export function measured(action: Action, delta: CostDelta, weights: ObjectiveWeights): MeasuredAction {
  return { ...action, delta, netBenefit: weightedBenefit(savingsOf(delta, annualCollateralSaving(action)), weights, action.cost) };
}

export interface Plan {
  weights: ObjectiveWeights;
  actions: MeasuredAction[];
  /** Sums of the chosen actions' single-action savings (estimates: actions interact). */
  estimatedSavings: Savings;
  estimatedNetBenefit: number;
  /** Actions left out and why ("limit maxCompressions", "conflicts with A12", "does not pay"). */
  skipped: { actionId: string; reason: string }[];
}

/** Orders by a key, best first, ties by action id (so the plan does not depend on the order levers ran in). */
function rank(actions: readonly MeasuredAction[], key: (a: MeasuredAction) => number): MeasuredAction[] {
  return [...actions].sort((a, b) => key(b) - key(a) || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0));
}

/**
 * Chooses the plan. `score` ranks the candidates (default: net benefit under `weights`; --robust passes the
 * worst-scenario benefit); an action joins when its score is > 0 and it fits the limits and claims.
 */
export function choosePlan(actions: readonly MeasuredAction[], weights: ObjectiveWeights, limits: PlanLimits, score?: (a: MeasuredAction) => number, book?: PlanBook): Plan {
  const value = (a: MeasuredAction) => weightedBenefit(savingsOf(a.delta, annualCollateralSaving(a)), weights, a.cost);
  const key = score ?? value;
  const used = { newTrades: 0, unwinds: 0, compression: 0, csa: 0 };
  const claimedTrades = new Map<string, string>();
  const claimedSets = new Map<string, { actionId: string; terms: string }>();
  const touchedSets = new Map<string, string>();
  // counterparty → the chosen action that changes its netting sets, and → the chosen CVA hedge sized on its SCVA
  const changedBy = new Map<string, string>();
  const hedgedBy = new Map<string, string>();
  const chosen: MeasuredAction[] = [];
  const skipped: Plan['skipped'] = [];
  for (const a of rank(actions, key)) {
    if (!(key(a) > 0)) {
      skipped.push({ actionId: a.actionId, reason: 'does not pay' });
      continue;
    }
    const f = footprint(a, book);
    const clash =
      f.trades.map((t) => claimedTrades.get(t)).find((x) => x !== undefined) ??
      f.setTerms.map((s) => claimedSets.get(s.id)).find((x, i) => x !== undefined && x.terms !== f.setTerms[i]!.terms)?.actionId;
    if (clash !== undefined) {
      skipped.push({ actionId: a.actionId, reason: `conflicts with ${clash}` });
      continue;
    }
    const shared = f.touched.find((id) => touchedSets.has(id));
    if (shared !== undefined) {
      skipped.push({ actionId: a.actionId, reason: `conflicts with ${touchedSets.get(shared)!} (both change netting set ${shared})` });
      continue;
    }
    const hedgeClash = hedgeConflict(f, changedBy, hedgedBy);
    if (hedgeClash !== undefined) {
      skipped.push({ actionId: a.actionId, reason: hedgeClash });
      continue;
    }
    const over =
      used.newTrades + f.newTrades > limits.maxNewTrades
        ? 'maxNewTrades'
        : used.unwinds + f.unwinds > limits.maxUnwinds
          ? 'maxUnwinds'
          : a.lever === 'compression' && used.compression + 1 > limits.maxCompressions
            ? 'maxCompressions'
            : a.lever === 'csa' && used.csa + 1 > limits.maxCsaAmendments
              ? 'maxCsaAmendments'
              : undefined;
    if (over) {
      skipped.push({ actionId: a.actionId, reason: `limit ${over}` });
      continue;
    }
    used.newTrades += f.newTrades;
    used.unwinds += f.unwinds;
    if (a.lever === 'compression') used.compression++;
    if (a.lever === 'csa') used.csa++;
    for (const t of f.trades) claimedTrades.set(t, a.actionId);
    for (const s of f.setTerms) if (!claimedSets.has(s.id)) claimedSets.set(s.id, { actionId: a.actionId, terms: s.terms });
    for (const id of f.touched) touchedSets.set(id, a.actionId);
    for (const cp of f.counterparties) if (!changedBy.has(cp)) changedBy.set(cp, a.actionId);
    for (const cp of f.hedged) hedgedBy.set(cp, a.actionId);
    chosen.push({ ...a, netBenefit: value(a) });
  }
  const estimatedSavings = { cva: 0, fva: 0, capital: 0, collateral: 0 };
  let estimatedNetBenefit = 0;
  for (const a of chosen) {
    const s = savingsOf(a.delta, annualCollateralSaving(a));
    for (const k of OBJECTIVES) estimatedSavings[k] += s[k];
    estimatedNetBenefit += a.netBenefit;
  }
  return { weights, actions: chosen, estimatedSavings, estimatedNetBenefit, skipped };
}

/**
 * Why a CVA hedge and an action that changes the hedged counterparty's netting sets cannot both be chosen (undefined
 * when they can): the hedge's notional is capped at the counterparty's SCVA on the base book (docs/optimize-hedges.md,
 * MAR50.37: protection beyond it is a credit position, not a hedge), and the other action changes that SCVA.
 */
function hedgeConflict(
  f: { counterparties: readonly string[]; hedged: readonly string[] },
  changedBy: ReadonlyMap<string, string>,
  hedgedBy: ReadonlyMap<string, string>,
): string | undefined {
  const why = (other: string, cp: string) => `conflicts with ${other} (a CVA hedge of ${cp} is sized on its base SCVA, which the other action changes: together they can leave ${cp} over-hedged)`;
  for (const cp of f.hedged) {
    const other = changedBy.get(cp);
    if (other !== undefined) return why(other, cp);
  }
  for (const cp of f.counterparties) {
    const other = hedgedBy.get(cp);
    if (other !== undefined) return why(other, cp);
  }
  return undefined;
}

/** The weight family of the Pareto front: each objective alone, each pair, and equal weights. */
export function paretoWeightFamily(): ObjectiveWeights[] {
  const out: ObjectiveWeights[] = [];
  const unit = (ks: Objective[]) => Object.fromEntries(OBJECTIVES.map((k) => [k, ks.includes(k) ? 1 / ks.length : 0])) as ObjectiveWeights;
  for (const k of OBJECTIVES) out.push(unit([k]));
  for (let i = 0; i < OBJECTIVES.length; i++) for (let j = i + 1; j < OBJECTIVES.length; j++) out.push(unit([OBJECTIVES[i]!, OBJECTIVES[j]!]));
  out.push(unit([...OBJECTIVES]));
  return out;
}

export interface ParetoPoint {
  weights: ObjectiveWeights;
  savings: Savings;
  actions: number;
  /** Net of the chosen actions' costs. */
  totalSaving: number;
  dominated: boolean;
}

/** a dominates b: at least as good on every objective and better on one. */
function dominates(a: Savings, b: Savings): boolean {
  let better = false;
  for (const k of OBJECTIVES) {
    if (a[k] < b[k]) return false;
    if (a[k] > b[k]) better = true;
  }
  return better;
}

export function paretoFront(actions: readonly MeasuredAction[], limits: PlanLimits, book?: PlanBook): ParetoPoint[] {
  const points = paretoWeightFamily().map((weights) => {
    const plan = choosePlan(actions, weights, limits, undefined, book);
    const cost = plan.actions.reduce((s, a) => s + a.cost, 0);
    const total = OBJECTIVES.reduce((s, k) => s + plan.estimatedSavings[k], 0) - cost;
    return { weights, savings: plan.estimatedSavings, actions: plan.actions.length, totalSaving: total, dominated: false };
  });
  for (const p of points) p.dominated = points.some((q) => q !== p && dominates(q.savings, p.savings));
  return points;
}

export type { Lever };
