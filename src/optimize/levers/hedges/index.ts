/**
 * The CVA hedges lever of `xva optimize` (docs/optimize-hedges.md): CDS protection on the counterparties that drive
 * BA-CVA, at the notionals that minimise full BA-CVA capital (MAR50.20-50.26) jointly, in closed form (solve.ts).
 *
 *   cvaHedgeActions(context: CvaHedgeContext): Action[]
 *
 * One action per hedge of the joint optimum, ordered by the lever's estimate of capital relief per year less the
 * running premium per year (then by id); each adds one CDS trade (protection bought at par, id `HDG-<counterpartyId>`,
 * booked with the hedge dealer of dealer.ts) and upserts the dealer's counterparty and netting set.
 *
 * Which hedges: a counterparty of the book (not a QCCP, not the dealer) whose own CDS curve (`cds_curve`) is in the
 * market gets a single-name CDS on that name, a `direct` hedge (MAR50.26 Table 2, r = 1), which `xva capital`
 * recognises as such (capital/run.ts cdsHedges), so the re-measured capital sees the same hedge. Counterparties
 * without a curve of their own can be covered by an index CDS (`options.indexHedge`, MAR50.24), solved jointly with
 * the single names; `xva capital` recognises an index CDS of the book as an index hedge only through a
 * reference_entities row of kind index with bacva_sector or bacva_risk_weight, which this lever does not write, so
 * its capital relief appears only in this lever's estimate unless the book has that row (the action says so). Sector-proxy single
 * names (r = 0.5) are solved by solve.ts, but not offered as actions for the same reason.
 *
 * Figures of each action (`details`, the lever's own estimates, labelled so; the saving reported by `xva optimize`
 * comes from the re-measurement):
 * - notional: the joint optimum (base currency) and the trade notional (trade currency);
 * - ΔK_full and ΔBA-CVA capital (DS·ΔK) of this hedge alone on the base book, and of the whole plan;
 * - capital relief per year = −ΔBA-CVA capital × 12.5 × capital ratio × cost of capital (market.capital, the
 *   conversion of capital/run.ts: CVA capital = 12.5 × BA-CVA × ratio);
 * - the action's `cost` 0 (bought at par: its premiums, par spread × risky duration × notional, `premiumPv`, are worth
 *   its protection; bid-offer not modelled), and the running premium per year;
 * - CVA CS01 before (bump and reprice, cs01.ts), hedge CS01 (ISDA model, instrument.ts), CS01 after = before − hedge.
 */
import { computeBaCva, type BaCvaIndexHedge, type BaCvaSingleNameHedge, type IndexConstituentGroup } from '../../../capital/bacva.js';
import { bookBaCvaInput } from '../../../capital/run.js';
import { hedgeNameMap } from '../../../capital/hedges.js';
import type { SaccrReferenceEntity, SaccrResult } from '../../../capital/saccr/index.js';
import { toIsoDate } from '../../../conventions/dates.js';
import type { HazardCurve, Market, YieldCurve } from '../../../market/types.js';
import type { Portfolio } from '../../../portfolio/types.js';
import type { Action, Amendment } from '../../types.js';
import { cvaCs01, type BaseExposure } from './cs01.js';
import { hedgeDealer, type HedgeDealer } from './dealer.js';
import { cdsHedgeCost, cdsHedgeCs01, cdsHedgeTerms, cdsHedgeTrade, nearestHedgeTenor, type CdsHedgeTerms } from './instrument.js';
import { optimalHedgeNotionals, withHedges, type BaCvaHedgeSolution } from './solve.js';

export { optimalHedgeNotionals, withHedges, type BaCvaHedgeProblem, type BaCvaHedgeSolution } from './solve.js';
export { cdsHedgeCost, cdsHedgeCs01, cdsHedgeTerms, cdsHedgeTrade, creditCurveCurrency, nearestHedgeTenor, HEDGE_TENORS_YEARS, type CdsHedgeTerms } from './instrument.js';
export { cvaCs01, type BaseExposure } from './cs01.js';
export { hedgeDealer, DEFAULT_DEALER_ID, DEFAULT_DEALER_NETTING_SET_ID, type HedgeDealer } from './dealer.js';
export { nnls, type NnlsResult } from './nnls.js';

/** An index CDS offered as a hedge (MAR50.24): a `credit.names` curve for its spread, constituents for its RW. */
export interface IndexHedgeSpec {
  /** The `credit.names` curve the index trades on (the CDS trade's reference entity). */
  referenceEntity: string;
  /** Constituents by Table 1 cell (RW_i = 0.7 × name-weighted average RW), or `riskWeightOverride`. */
  constituents?: readonly IndexConstituentGroup[];
  riskWeightOverride?: number;
  /** Default 5 (the on-the-run index tenor). */
  tenorYears?: number;
}

export interface CvaHedgeOptions {
  /** Tenor of every single-name hedge (years, a standard tenor); default: nearest to the counterparty's M. */
  tenorYears?: number;
  /** The dealer the hedges are bought from; default dealer.ts's. */
  dealer?: HedgeDealer;
  indexHedge?: IndexHedgeSpec;
  /** Smallest notional worth an action, base currency (default 0: every positive optimum). */
  minNotional?: number;
}

export interface CvaHedgeContext {
  portfolio: Portfolio;
  market: Market;
  /** SA-CCR of the base book (EAD per netting set, positions for M), as `xva capital` computes it. */
  saccr: SaccrResult;
  /** BA-CVA effective maturity overrides (`xva capital --bacva-maturity`). */
  effectiveMaturityYears?: ReadonlyMap<string, number>;
  /** The `reference_entities` table (capital/saccr/inputs.ts): the book's index CDS with BA-CVA columns are index hedges. */
  referenceEntities?: ReadonlyMap<string, SaccrReferenceEntity>;
  /** The base run's exposure, credit inputs and XVA options (for the CVA CS01). */
  exposure: BaseExposure;
  options?: CvaHedgeOptions;
}

interface Candidate {
  counterpartyIds: string[];
  tradeId: string;
  terms: CdsHedgeTerms;
  relation: 'direct' | 'index';
}

function freeTradeId(wanted: string, taken: Set<string>): string {
  let id = wanted;
  for (let k = 2; taken.has(id); k++) id = `${wanted}-${k}`;
  taken.add(id);
  return id;
}

/** The hedges of the joint optimum with the figures above; the solution is returned for reports and tests. */
export function planCvaHedges(context: CvaHedgeContext): { solution: BaCvaHedgeSolution; actions: Action[] } {
  const { portfolio, market, saccr } = context;
  const options = context.options ?? {};
  const { input: book } = bookBaCvaInput(portfolio, market, saccr, context.effectiveMaturityYears, context.referenceEntities);
  const dealer = hedgeDealer(portfolio, market, options.dealer);
  const collateralCcy = dealer.nettingSet.collateralCurrency;
  const base = computeBaCva(book, { version: 'full', source: 'CVA hedge optimisation' });
  const byCp = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  // the rule of cdsHedges (capital/hedges.ts): a CDS on a name shared by several counterparties hedges the first of
  // them in the table that did not sell it; the lever proposes a hedge only for that counterparty
  const byName = hedgeNameMap(portfolio.counterparties);
  const ownerOf = (name: string): string | undefined => byName.get(name)?.find((id) => id !== dealer.counterparty.counterpartyId);
  const taken = new Set(portfolio.trades.map((t) => t.tradeId));

  const singles: BaCvaSingleNameHedge[] = [];
  const candidates: Candidate[] = [];
  for (const result of [...base.counterparties].sort((a, b) => (a.counterpartyId < b.counterpartyId ? -1 : a.counterpartyId > b.counterpartyId ? 1 : 0))) {
    const cp = byCp.get(result.counterpartyId)!;
    if (cp.qccp || cp.counterpartyId === dealer.counterparty.counterpartyId) continue;
    if (!cp.cdsCurve || !market.hasCreditCurve(cp.cdsCurve) || ownerOf(cp.cdsCurve) !== cp.counterpartyId) continue;
    let exposure = 0;
    let weighted = 0;
    for (const ns of result.nettingSets) {
      exposure += ns.eadAmount * ns.discountFactor;
      weighted += ns.weightedExposure;
    }
    if (!(exposure > 0)) continue;
    // hedge tenor: the standard tenor nearest to the counterparty's EAD·DF-weighted effective maturity
    const tenor = options.tenorYears ?? nearestHedgeTenor(weighted / exposure);
    const terms = cdsHedgeTerms(market, cp.cdsCurve, tenor, collateralCcy);
    const tradeId = freeTradeId(`HDG-${cp.counterpartyId}`, taken);
    singles.push({ hedgeId: tradeId, counterpartyId: cp.counterpartyId, referenceName: cp.cdsCurve, relation: 'direct', notionalAmount: 0, remainingMaturityYears: terms.remainingMaturityYears });
    candidates.push({ counterpartyIds: [cp.counterpartyId], tradeId, terms, relation: 'direct' });
  }
  const indices: BaCvaIndexHedge[] = [];
  if (options.indexHedge) {
    const spec = options.indexHedge;
    const terms = cdsHedgeTerms(market, spec.referenceEntity, spec.tenorYears ?? 5, collateralCcy);
    const tradeId = freeTradeId(`HDG-IDX-${spec.referenceEntity}`, taken);
    indices.push({
      hedgeId: tradeId,
      ...(spec.constituents ? { constituents: spec.constituents } : {}),
      ...(spec.riskWeightOverride !== undefined ? { riskWeightOverride: spec.riskWeightOverride } : {}),
      notionalAmount: 0,
      remainingMaturityYears: terms.remainingMaturityYears,
    });
    candidates.push({ counterpartyIds: [], tradeId, terms, relation: 'index' });
  }

  const solution = optimalHedgeNotionals({ book, singleNameHedges: singles, indexHedges: indices });
  const notionals = [...solution.singleNameNotionals, ...solution.indexNotionals];
  const minNotional = options.minNotional ?? 0;
  const chosen = new Set(candidates.filter((c, j) => c.relation === 'direct' && notionals[j]! > minNotional).flatMap((c) => c.counterpartyIds));
  // the index covers the counterparties no single name of the plan hedges (its CS01 is theirs)
  const indexCovers = base.counterparties
    .map((c) => c.counterpartyId)
    .filter((id) => !chosen.has(id) && !byCp.get(id)!.qccp && id !== dealer.counterparty.counterpartyId)
    .sort();
  const { costOfCapital, capitalRatio } = market.capital;
  const discountCache = new Map<HazardCurve, YieldCurve>();
  const actions: (Action & { sortKey: number })[] = [];
  candidates.forEach((c, j) => {
    const notional = notionals[j]!;
    if (!(notional > minNotional) || !(notional > 0)) return;
    const isIndex = c.relation === 'index';
    const alone = isIndex
      ? computeBaCva(withHedges(book, [], [], [indices[0]!], [notional]), { version: 'full' })
      : computeBaCva(withHedges(book, [singles[j]!], [notional], [], []), { version: 'full' });
    const deltaCapitalAlone = alone.capitalFull - base.capitalFull;
    const reliefPerYear = -deltaCapitalAlone * 12.5 * capitalRatio * costOfCapital;
    // bought at par the CDS is worth 0: its premiums are worth its protection (ISDA model), so entering it costs
    // nothing but its bid-offer (not modelled); what it does cost (its CCR and CVA on the dealer, its funding, the KVA of
    // that CCR) is in the measured figures of its re-measurement
    const premiumPv = cdsHedgeCost(c.terms, notional);
    const cost = 0;
    const premiumPerYear = c.terms.parSpread * notional;
    const covered = isIndex ? indexCovers : c.counterpartyIds;
    const cvaSide = cvaCs01(context.exposure, market, covered);
    const hedgeCs01 = cdsHedgeCs01(market, c.terms, notional, 1, discountCache);
    const trade = cdsHedgeTrade(c.terms, c.tradeId, notional, { counterpartyId: dealer.counterparty.counterpartyId, nettingSetId: dealer.nettingSet.nettingSetId });
    const amendment: Amendment = { removeTradeIds: [], addTrades: [trade], upsertNettingSets: [dealer.nettingSet], upsertCounterparties: [dealer.counterparty] };
    const what = isIndex ? `index CDS ${c.terms.referenceEntity}` : `CDS on ${c.terms.referenceEntity}`;
    const money = (x: number) => (Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}m` : Math.abs(x) >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
    actions.push({
      actionId: `cva_hedge:${c.tradeId}`,
      lever: 'cva_hedge',
      description:
        `Buy ${c.terms.tenorYears}Y protection ${what} ${money(trade.notional)} ${c.terms.currency}${c.terms.currency === market.baseCurrency ? '' : ` (${money(notional)} ${market.baseCurrency})`} from ${dealer.counterparty.counterpartyId}` +
        `${isIndex ? '' : ` hedging ${c.counterpartyIds[0]}`}: BA-CVA capital ${money(deltaCapitalAlone)} (estimate), premium ${(c.terms.parSpread * 1e4).toFixed(1)}bp running`,
      amendment,
      tradeIds: [c.tradeId],
      counterpartyIds: [...c.counterpartyIds, dealer.counterparty.counterpartyId],
      nettingSetIds: [dealer.nettingSet.nettingSetId],
      cost,
      details: {
        estimate: 'lever estimate (closed-form BA-CVA on the base book); the measured saving comes from the re-measurement, which also values the hedge\'s own CCR and CVA on the dealer',
        hedgeKind: isIndex ? 'index' : 'single_name_direct',
        referenceEntity: c.terms.referenceEntity,
        ...(isIndex ? { indexCovers: indexCovers.join(' '), capitalRecognition: 'xva capital recognises an index CDS as a MAR50.24 index hedge only through a reference_entities row of kind index with bacva_sector or bacva_risk_weight, which this action does not add' } : { hedgedCounterpartyId: c.counterpartyIds[0]! }),
        dealerCounterpartyId: dealer.counterparty.counterpartyId,
        dealerNettingSetId: dealer.nettingSet.nettingSetId,
        tenorYears: c.terms.tenorYears,
        maturityDate: toIsoDate(c.terms.maturityDate),
        currency: c.terms.currency,
        optimalNotional: notional,
        tradeNotional: trade.notional,
        parSpreadBp: c.terms.parSpread * 1e4,
        riskyDurationYears: c.terms.riskyDuration,
        premiumPv,
        premiumPerYear,
        baCvaWeightPerNotional: isIndex ? solution.indexWeights[j - singles.length]! : solution.singleNameWeights[j]!,
        deltaKFullAlone: alone.kFull - base.kFull,
        deltaBaCvaCapitalAlone: deltaCapitalAlone,
        deltaKFullPlan: solution.deltaKFull,
        deltaBaCvaCapitalPlan: solution.deltaCapital,
        capitalReliefPerYear: reliefPerYear,
        cvaBefore: cvaSide.cva,
        cvaCs01Before: cvaSide.cs01,
        hedgeCs01,
        cvaCs01After: cvaSide.cs01 - hedgeCs01,
      },
      sortKey: reliefPerYear,
    });
  });
  actions.sort((a, b) => b.sortKey - a.sortKey || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0));
  return { solution, actions: actions.map(({ sortKey: _, ...a }) => a) };
}

/** The lever's candidate actions (see the module comment). */
export function cvaHedgeActions(context: CvaHedgeContext): Action[] {
  return planCvaHedges(context).actions;
}
