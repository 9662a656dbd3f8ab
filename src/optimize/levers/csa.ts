/**
 * The CSA amendments lever of `xva optimize` (docs/optimize-csa.md): for each uncollateralised or partly
 * collateralised bilateral netting set a menu of CSA amendments, each measured by re-running the engine on that set
 * (measure/ measureAmendment: ΔCVA, ΔDVA, ΔFVA, ΔMVA, ΔKVA, ΔEAD, ΔRWA), scored for negotiability and ranked by
 * measured benefit × negotiability.
 *
 * Menu (an item is generated only when it changes something):
 *  - no CSA: `csa_zero_threshold` (a two-way VM CSA, zero thresholds and MTAs, `mporDays`, daily calls, base
 *    currency collateral);
 *  - CSA: `threshold_zero` (thresholdCpty > 0 → 0), `lower_mta` (MTAs above `mtaTarget` → `mtaTarget`),
 *    `shorter_mpor` (MPoR above `mporDays` → `mporDays`), `two_way` (the bank's threshold above the counterparty's →
 *    the counterparty's), `collateral_currency` (to the market currency whose collateral spread is cheapest for the
 *    set's ColVA sign, when it is strictly cheaper than the current one);
 *  - any bilateral set with im_model none: `add_im` (im_model simm, and today's SIMM call on its trades as
 *    initial_margin_held, which SA-CCR reads).
 * Sets: bilateral (not cleared) sets with any of the above applicable; at most `maxSets`, those with the largest base
 * CVA + FVA first (ties by netting-set id). Everything is deterministic: same inputs, same actions, ids and order.
 *
 * Benefit (base currency) = −(ΔCVA − ΔDVA + ΔFVA + ΔMVA + ΔKVA): the change of the total valuation adjustment, KVA
 * carrying the capital; net benefit = benefit − cost (`amendmentCost`, legal and operational cost per amendment).
 */
import type { Market } from '../../market/types.js';
import type { Counterparty, NettingSet, Portfolio, Sector } from '../../portfolio/types.js';
import { tradeNotional } from '../../portfolio/summary.js';
import type { Currency } from '../../products/types.js';
import type { MeasureContext } from '../measure/context.js';
import { simmCrifFromPortfolio } from '../../margin/crifFromPortfolio.js';
import { calculateSimm } from '../../margin/simm/calculate.js';
import { measureAmendment, type Measurement } from '../measure/measure.js';
import { EMPTY_AMENDMENT, type Action, type CostDelta, type MeasuredAction } from '../types.js';

export const CSA_ITEMS = ['csa_zero_threshold', 'threshold_zero', 'lower_mta', 'shorter_mpor', 'two_way', 'add_im', 'collateral_currency'] as const;
export type CsaItem = (typeof CSA_ITEMS)[number];

export interface CsaLeverOptions {
  /** Netting sets considered, largest base CVA + FVA first. Default 20. */
  maxSets?: number;
  /** MPoR of a new CSA and the target of `shorter_mpor`, business days. Default 10 (CRE52.50's floor for daily VM). */
  mporDays?: number;
  /** MTA target of `lower_mta`, collateral currency. Default 0. */
  mtaTarget?: number;
  /** Cost of one amendment (legal, operational), base currency. Default 0. */
  amendmentCost?: number;
}

/** The counterparty's burden of each item, the factor of the negotiability score (docs/optimize-csa.md). */
export const ITEM_EASE: Readonly<Record<CsaItem, number>> = {
  csa_zero_threshold: 0.6,
  threshold_zero: 0.8,
  lower_mta: 1,
  shorter_mpor: 0.9,
  two_way: 1,
  add_im: 0.5,
  collateral_currency: 0.9,
};

/** Base negotiability by sector: dealers sign CSAs as a matter of course; sovereigns rarely post collateral. */
export const SECTOR_NEGOTIABILITY: Readonly<Record<Sector, number>> = {
  financial: 0.8,
  sovereign: 0.2,
  local_government: 0.3,
  basic_materials: 0.5,
  consumer: 0.5,
  technology: 0.5,
  health_care: 0.5,
  other: 0.5,
};

/**
 * Negotiability in [0, 1] (docs/optimize-csa.md): sector base, +0.1 for a sub-investment-grade or unrated
 * counterparty (weaker bargaining position), times a size factor 1 − 0.5·min(1, share / 0.2) with `share` the
 * counterparty's share of the book's gross notional (a client with a fifth of the book or more has twice the
 * bargaining power), times the item's ease.
 */
export function negotiabilityScore(counterparty: Pick<Counterparty, 'sector' | 'rating'>, bookShare: number, item: CsaItem): number {
  const ig = ['AAA', 'AA', 'A', 'BBB'].includes(counterparty.rating);
  const base = Math.min(1, SECTOR_NEGOTIABILITY[counterparty.sector] + (ig ? 0 : 0.1));
  const size = 1 - 0.5 * Math.min(1, Math.max(0, bookShare) / 0.2);
  return Math.min(1, Math.max(0, base * size * ITEM_EASE[item]));
}

/** The measured benefit of a delta: −(ΔCVA − ΔDVA + ΔFVA + ΔMVA + ΔKVA). */
export function csaBenefit(delta: CostDelta): number {
  return -(delta.cva - delta.dva + delta.fva + delta.mva + delta.kva);
}

/** Gross notional per netting set and per counterparty, base currency at today's spot. */
function grossNotionals(portfolio: Portfolio, market: Market): { bySet: Map<string, number>; byCounterparty: Map<string, number>; book: number } {
  const bySet = new Map<string, number>();
  const cpOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.counterpartyId]));
  const byCounterparty = new Map<string, number>();
  let book = 0;
  for (const t of portfolio.trades) {
    const { currency, notional } = tradeNotional(t, market.asOf);
    const amount = Math.abs(notional) * (currency === market.baseCurrency ? 1 : market.fxSpot(currency, market.baseCurrency));
    bySet.set(t.nettingSetId, (bySet.get(t.nettingSetId) ?? 0) + amount);
    const cp = cpOf.get(t.nettingSetId) ?? t.counterpartyId;
    byCounterparty.set(cp, (byCounterparty.get(cp) ?? 0) + amount);
    book += amount;
  }
  return { bySet, byCounterparty, book };
}

/** The currency whose collateral is cheapest for the set (lowest spread when the bank holds, highest when it posts). */
function cheaperCollateralCurrency(ns: NettingSet, market: Market, colva: number): Currency | undefined {
  const spread = (c: Currency) => market.funding(c).collateralSpreadBp;
  const current = spread(ns.collateralCurrency);
  const sign = colva >= 0 ? 1 : -1; // ColVA > 0: the bank holds collateral and pays its spread
  let best: Currency | undefined;
  let bestSpread = current;
  // base currency first, then alphabetical: ties keep the earlier
  const order = [market.baseCurrency, ...[...market.currencies].filter((c) => c !== market.baseCurrency).sort()];
  for (const c of order) {
    if (c === ns.collateralCurrency) continue;
    const s = spread(c);
    if (sign * s < sign * bestSpread) {
      best = c;
      bestSpread = s;
    }
  }
  return best;
}

/** The menu of one netting set: [item, amended netting set] pairs, in CSA_ITEMS order. */
export function csaMenu(ns: NettingSet, market: Market, colva: number, options: Required<Pick<CsaLeverOptions, 'mporDays' | 'mtaTarget'>>): [CsaItem, NettingSet][] {
  const out: [CsaItem, NettingSet][] = [];
  if (ns.cleared) return out;
  if (!ns.csa) {
    out.push([
      'csa_zero_threshold',
      // a new CSA has no VM balance on file: SA-CCR takes its first call, the VM at today's value (calculate_vm)
      { ...ns, csa: true, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, marginPeriodOfRiskDays: options.mporDays, marginFrequencyDays: 1, collateralCurrency: market.baseCurrency, calculateVm: true },
    ]);
  } else {
    if (ns.thresholdCpty > 0) out.push(['threshold_zero', { ...ns, thresholdCpty: 0 }]);
    if (ns.mtaCpty > options.mtaTarget || ns.mtaBank > options.mtaTarget) {
      out.push(['lower_mta', { ...ns, mtaCpty: Math.min(ns.mtaCpty, options.mtaTarget), mtaBank: Math.min(ns.mtaBank, options.mtaTarget) }]);
    }
    if (ns.marginPeriodOfRiskDays > options.mporDays) out.push(['shorter_mpor', { ...ns, marginPeriodOfRiskDays: options.mporDays }]);
    if (ns.thresholdBank > ns.thresholdCpty) out.push(['two_way', { ...ns, thresholdBank: ns.thresholdCpty }]);
  }
  if (ns.imModel === 'none') out.push(['add_im', { ...ns, imModel: 'simm' }]);
  if (ns.csa) {
    const ccy = cheaperCollateralCurrency(ns, market, colva);
    if (ccy) out.push(['collateral_currency', { ...ns, collateralCurrency: ccy }]);
  }
  return out;
}

/** SIMM v2.6 (10-day MPoR) IM the bank would collect today on a netting set's trades, in its collateral currency. */
function simmCallToday(portfolio: Portfolio, market: Market, ns: NettingSet): number {
  const crif = simmCrifFromPortfolio(portfolio, market, { nettingSetIds: [ns.nettingSetId] });
  const call = calculateSimm(crif.records, { version: '2.6', mporDays: 10 }).find((r) => r.portfolioId === ns.nettingSetId && r.side === 'Call');
  const usd = call?.total ?? 0;
  return ns.collateralCurrency === 'USD' ? usd : usd * market.fxSpot('USD', ns.collateralCurrency);
}

const DESCRIBE: Record<CsaItem, (ns: NettingSet, to: NettingSet) => string> = {
  csa_zero_threshold: (ns, to) => `Sign a two-way VM CSA in ${ns.nettingSetId}: zero thresholds and MTAs, MPoR ${to.marginPeriodOfRiskDays}d, ${to.collateralCurrency} collateral`,
  threshold_zero: (ns) => `Cut the counterparty threshold of ${ns.nettingSetId} from ${ns.thresholdCpty} to 0 ${ns.collateralCurrency}`,
  lower_mta: (ns, to) => `Lower the MTAs of ${ns.nettingSetId} from ${ns.mtaCpty}/${ns.mtaBank} to ${to.mtaCpty}/${to.mtaBank} ${ns.collateralCurrency}`,
  shorter_mpor: (ns, to) => `Shorten the MPoR of ${ns.nettingSetId} from ${ns.marginPeriodOfRiskDays}d to ${to.marginPeriodOfRiskDays}d`,
  two_way: (ns, to) => `Make the CSA of ${ns.nettingSetId} two-way: bank threshold ${ns.thresholdBank} to ${to.thresholdBank} ${ns.collateralCurrency}`,
  add_im: (ns) => `Exchange SIMM initial margin in ${ns.nettingSetId}`,
  collateral_currency: (ns, to) => `Change the collateral currency of ${ns.nettingSetId} from ${ns.collateralCurrency} to ${to.collateralCurrency}`,
};

export interface CsaAction extends MeasuredAction {
  item: CsaItem;
  /** Measured benefit (csaBenefit of the delta). */
  benefit: number;
  negotiability: number;
  /** benefit × negotiability: the ranking key. */
  rankScore: number;
  /** 1 = first. */
  rank: number;
}

/** Candidate actions (not yet measured), deterministic: sets by base CVA + FVA descending, items in menu order. */
export function csaCandidates(ctx: MeasureContext, base: Measurement, options: CsaLeverOptions = {}): (Action & { item: CsaItem })[] {
  const maxSets = options.maxSets ?? 20;
  const menuOptions = { mporDays: options.mporDays ?? 10, mtaTarget: options.mtaTarget ?? 0 };
  const portfolio = base.portfolio;
  const gross = grossNotionals(portfolio, ctx.market);
  const cps = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const tradesBySet = new Map<string, string[]>();
  for (const t of portfolio.trades) tradesBySet.set(t.nettingSetId, [...(tradesBySet.get(t.nettingSetId) ?? []), t.tradeId]);
  const eligible = portfolio.nettingSets
    .filter((ns) => (tradesBySet.get(ns.nettingSetId)?.length ?? 0) > 0)
    .map((ns) => ({ ns, colva: base.sets.get(ns.nettingSetId)?.colva ?? 0, menu: [] as [CsaItem, NettingSet][], key: 0 }))
    .map((e) => {
      const s = base.sets.get(e.ns.nettingSetId);
      e.menu = csaMenu(e.ns, ctx.market, e.colva, menuOptions);
      e.key = s ? s.cva + s.fca - s.fba + s.colva : 0;
      return e;
    })
    .filter((e) => e.menu.length > 0)
    .sort((a, b) => b.key - a.key || (a.ns.nettingSetId < b.ns.nettingSetId ? -1 : 1))
    .slice(0, maxSets);
  const out: (Action & { item: CsaItem })[] = [];
  for (const { ns, menu } of eligible) {
    const cp = cps.get(ns.counterpartyId)!;
    const share = gross.book > 0 ? (gross.byCounterparty.get(ns.counterpartyId) ?? 0) / gross.book : 0;
    for (const [item, menuSet] of menu) {
      // add_im: the IM it would hold today, SIMM's call on the set's trades in its collateral currency, as
      // initial_margin_held: SA-CCR counts it in NICA (CRE52.17; it read none, so the item had no capital relief), and
      // a run with dynamic IM replaces it by the set's DIM profile as for any SIMM set
      const amended = item === 'add_im' ? { ...menuSet, initialMarginHeld: simmCallToday(portfolio, ctx.market, ns) } : menuSet;
      const negotiability = negotiabilityScore(cp, share, item);
      out.push({
        actionId: `csa:${ns.nettingSetId}:${item}`,
        lever: 'csa',
        item,
        description: DESCRIBE[item](ns, amended),
        amendment: { ...EMPTY_AMENDMENT, upsertNettingSets: [amended] },
        tradeIds: tradesBySet.get(ns.nettingSetId) ?? [],
        counterpartyIds: [ns.counterpartyId],
        nettingSetIds: [ns.nettingSetId],
        cost: options.amendmentCost ?? 0,
        details: {
          item,
          negotiability,
          sector: cp.sector,
          rating: cp.rating,
          counterpartyBookShare: share,
          setGrossNotional: gross.bySet.get(ns.nettingSetId) ?? 0,
          csaBefore: String(ns.csa),
          csaAfter: String(amended.csa),
          thresholdCptyAfter: amended.thresholdCpty,
          mtaCptyAfter: amended.mtaCpty,
          mporDaysAfter: amended.marginPeriodOfRiskDays,
          imModelAfter: amended.imModel,
          collateralCurrencyAfter: amended.collateralCurrency,
        },
      });
    }
  }
  return out;
}

/** Ranking: rankScore descending, ties by actionId. Assigns `rank` (1 = first) and returns a new sorted array. */
export function rankCsaActions(actions: readonly Omit<CsaAction, 'rank'>[]): CsaAction[] {
  return [...actions]
    .sort((a, b) => b.rankScore - a.rankScore || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0))
    .map((a, i) => ({ ...a, rank: i + 1 }));
}

/** Generates, measures (one measureAmendment each) and ranks the CSA amendments. */
export async function runCsaLever(ctx: MeasureContext, base: Measurement, options: CsaLeverOptions = {}): Promise<CsaAction[]> {
  const measured: Omit<CsaAction, 'rank'>[] = [];
  for (const candidate of csaCandidates(ctx, base, options)) {
    const m = await measureAmendment(ctx, base, candidate.amendment);
    const benefit = csaBenefit(m.delta);
    const negotiability = candidate.details.negotiability as number;
    measured.push({ ...candidate, delta: m.delta, netBenefit: benefit - candidate.cost, benefit, negotiability, rankScore: benefit * negotiability });
  }
  return rankCsaActions(measured);
}
