/**
 * Today's capital figures of the measurement, kept per netting set so that an amendment recomputes only the sets it
 * touches, and the book figures that do not add up across netting sets recomputed from the per-set maps:
 *
 * - per netting set: SA-CCR EAD (CRE52.1, capital/saccr), its CRE20 / CRE54.14 risk weight and CCR RWA = EAD × RW
 *   (capital/rwa.ts), the BA-CVA effective maturity (option, else CRE32.47 notional-weighted, as `xva capital`), and
 *   the SA-CCR positions and collateral terms KVA's projection needs;
 * - per book: BA-CVA (MAR50, reduced, or full with the CDS protection bought on counterparties: capital/run.ts
 *   cdsHedges, and the bought index CDS that reference_entities marks with its BA-CVA columns: cdsIndexHedges)
 *   from every counterparty's sets, CVA RWA = 12.5 × K_BA-CVA, RWA = CCR RWA + CVA RWA, capital =
 *   RWA × capital ratio, and the CET1 ratio change when the book's RWA is added to the bank's (rwa.ts cet1Impact;
 *   here over CCR + CVA RWA, the RWA the optimiser moves).
 * SA-CCR of a netting set depends only on its own trades, terms and counterparty, so computing it over a
 * sub-portfolio gives the same figures as over the whole book.
 */
import { computeBaCva, tradeWeightedMaturityYears, type BaCvaIndexHedge, type BaCvaResult, type BaCvaSingleNameHedge } from '../../capital/bacva.js';
import { baCvaInput, cdsHedges, cdsIndexHedges } from '../../capital/run.js';
import { cet1Impact, computeRwa } from '../../capital/rwa.js';
import { thresholdBankBase } from '../../capital/kva.js';
import { computeSaccr, type SaccrInputs, type SaccrNettingSetResult, type SaccrPosition, type SaccrResult } from '../../capital/saccr/index.js';
import { calculatedVariationMargin } from '../../capital/saccr/collateral.js';
import type { SaccrCollateralBalance } from '../../capital/saccr/types.js';
import { toBase } from '../../capital/saccr/conventions.js';
import type { Currency } from '../../products/types.js';
import type { Portfolio } from '../../portfolio/types.js';
import type { MeasureContext } from './context.js';

export interface SetCapital {
  nettingSetId: string;
  counterpartyId: string;
  /** SA-CCR EAD, base currency. */
  ead: number;
  riskWeight: number;
  /** CCR RWA = EAD × RW. */
  rwaCcr: number;
  /** BA-CVA effective maturity M_NS, years. */
  effectiveMaturityYears: number;
  saccr: SaccrNettingSetResult;
  positions: SaccrPosition[];
  /** The bank's threshold as `xva capital`'s KVA projection reads it (capital/kva.ts thresholdBankBase: base currency). */
  thresholdBank: number;
}

/** The portfolio restricted to some netting sets (their trades; every counterparty kept). */
export function subPortfolio(portfolio: Portfolio, nettingSetIds: ReadonlySet<string>): Portfolio {
  return {
    ...portfolio,
    trades: portfolio.trades.filter((t) => nettingSetIds.has(t.nettingSetId)),
    nettingSets: portfolio.nettingSets.filter((n) => nettingSetIds.has(n.nettingSetId)),
  };
}

function saccrOfSets(ctx: MeasureContext, portfolio: Portfolio, nettingSetIds: ReadonlySet<string>, collateralBalances: SaccrInputs['collateralBalances']): SaccrResult {
  const inputs = ctx.saccrInputs;
  return computeSaccr(subPortfolio(portfolio, nettingSetIds), ctx.market, {
    ...inputs,
    ...(inputs.externalPositions ? { externalPositions: inputs.externalPositions.filter((p) => nettingSetIds.has(p.nettingSetId)) } : {}),
    ...(collateralBalances ? { collateralBalances } : {}),
    convention: ctx.saccrConvention,
  });
}

/**
 * The collateral balances of an amended book: a margined set whose balance is on file and whose value or CSA the
 * amendment changed holds VM' = VM + call(V', CSA') − call(V, CSA), the call being the VM the CSA calls for at a value
 * (collateral.ts calculatedVariationMargin: beyond the thresholds; V itself with ORE's convention; 0 for a set that was
 * not margined). So novated trades take their VM with them, a set receiving trades is called for theirs, a lower
 * threshold is called for, and a new CSA calls the set's value. The base book's balances are as given. Undefined when
 * nothing moves.
 */
function amendedBalances(ctx: MeasureContext, portfolio: Portfolio, nettingSetIds: ReadonlySet<string>, amended: SaccrResult): SaccrInputs['collateralBalances'] {
  const balances = ctx.saccrInputs.collateralBalances;
  if (!balances || portfolio === ctx.portfolio) return undefined;
  const baseSets = new Map(ctx.portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const ids = new Set([...nettingSetIds].filter((id) => balances.has(id) && baseSets.has(id)));
  if (ids.size === 0) return undefined;
  const base = new Map(saccrOfSets(ctx, ctx.portfolio, ids, balances).nettingSets.map((n) => [n.nettingSetId, n]));
  const terms = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const ore = ctx.saccrConvention === 'ore';
  let out: Map<string, SaccrCollateralBalance> | undefined;
  for (const after of amended.nettingSets) {
    const before = base.get(after.nettingSetId);
    const ns = terms.get(after.nettingSetId);
    if (!before || !ns || !ns.csa) continue;
    const nsBefore = baseSets.get(after.nettingSetId)!;
    const fx = (ccy: Currency) => toBase(ctx.market, ccy);
    const callAfter = calculatedVariationMargin(after.value, ns.thresholdCpty * fx(ns.collateralCurrency), ns.thresholdBank * fx(ns.collateralCurrency), ore);
    // a set the amendment puts under a CSA had no VM called before
    const callBefore = before.margined ? calculatedVariationMargin(before.value, nsBefore.thresholdCpty * fx(nsBefore.collateralCurrency), nsBefore.thresholdBank * fx(nsBefore.collateralCurrency), ore) : 0;
    const moveBase = callAfter - callBefore;
    if (moveBase === 0) continue;
    const balance = balances.get(after.nettingSetId)!;
    out ??= new Map(balances);
    out.set(after.nettingSetId, { ...balance, variationMargin: balance.variationMargin + moveBase / fx(balance.currency ?? ns.collateralCurrency) });
  }
  return out;
}

/**
 * The collateral balances of a whole amended book as its capital was measured (`amendedBalances` over every netting
 * set: the sets the amendment leaves alone keep theirs), for the amended book `xva optimize` writes; undefined when
 * the book has no balances on file or none moves.
 */
export function amendedCollateralBalances(ctx: MeasureContext, portfolio: Portfolio): ReadonlyMap<string, SaccrCollateralBalance> | undefined {
  const balances = ctx.saccrInputs.collateralBalances;
  if (!balances || portfolio === ctx.portfolio) return undefined;
  const ids = new Set(portfolio.nettingSets.map((n) => n.nettingSetId).filter((id) => balances.has(id)));
  if (ids.size === 0) return undefined;
  return amendedBalances(ctx, portfolio, ids, saccrOfSets(ctx, portfolio, ids, undefined));
}

/**
 * SA-CCR, RWA and M of the given netting sets of `portfolio`. On an amended book the balances on file move with the
 * amendment (`amendedBalances`).
 */
export function capitalOfSets(ctx: MeasureContext, portfolio: Portfolio, nettingSetIds: ReadonlySet<string>): Map<string, SetCapital> {
  const out = new Map<string, SetCapital>();
  if (nettingSetIds.size === 0) return out;
  const sub = subPortfolio(portfolio, nettingSetIds);
  let saccr = saccrOfSets(ctx, portfolio, nettingSetIds, undefined);
  const moved = amendedBalances(ctx, portfolio, nettingSetIds, saccr);
  if (moved) saccr = saccrOfSets(ctx, portfolio, nettingSetIds, moved);
  const rwa = computeRwa(saccr, portfolio.counterparties, { capital: ctx.capital });
  const positions = new Map<string, SaccrPosition[]>();
  for (const t of saccr.trades) {
    const list = positions.get(t.nettingSetId);
    if (list) list.push(t);
    else positions.set(t.nettingSetId, [t]);
  }
  const rwaById = new Map(rwa.nettingSets.map((r) => [r.nettingSetId, r]));
  const terms = new Map(sub.nettingSets.map((n) => [n.nettingSetId, n]));
  for (const ns of saccr.nettingSets) {
    const list = positions.get(ns.nettingSetId) ?? [];
    const given = ctx.effectiveMaturityYears.get(ns.nettingSetId);
    // CRE32.47 as `xva capital`: notional-weighted remaining maturity of the set's trades (0 without any)
    const m = given ?? tradeWeightedMaturityYears(list);
    const r = rwaById.get(ns.nettingSetId)!;
    out.set(ns.nettingSetId, { nettingSetId: ns.nettingSetId, counterpartyId: ns.counterpartyId, ead: ns.ead, riskWeight: r.riskWeight, rwaCcr: r.rwa, effectiveMaturityYears: m, saccr: ns, positions: list, thresholdBank: thresholdBankBase(terms.get(ns.nettingSetId)!, ctx.market) });
  }
  return out;
}

/**
 * BA-CVA of a book with capital/run.ts's own input builder (`baCvaInput`): per counterparty its netting sets' EAD and
 * M (from `eadOf` / `maturityOf`), QCCPs out of scope, and the hedges (single-name and index) still alive.
 */
export function baCvaBook(
  portfolio: Portfolio,
  eadOf: (nettingSetId: string) => number,
  maturityOf: (nettingSetId: string) => number,
  hedges: readonly BaCvaSingleNameHedge[],
  source: string,
  indexHedges: readonly BaCvaIndexHedge[] = [],
): BaCvaResult {
  return computeBaCva(baCvaInput(portfolio, eadOf, maturityOf, hedges, indexHedges), { source });
}

export interface BookCapital {
  ead: number;
  rwaCcr: number;
  /** K_BA-CVA (MAR50.14 / MAR50.20). */
  baCva: number;
  baCvaVersion: 'reduced' | 'full';
  /** 12.5 × K_BA-CVA. */
  rwaCva: number;
  rwa: number;
  /** RWA × capital ratio. */
  capital: number;
  /** CET1 ratio change when the book's RWA is added to the bank's, bp; undefined without bank RWA and CET1. */
  cet1ImpactBp: number | undefined;
}

/** Book capital from per-set figures; sums in the portfolio's netting-set order (so the same book sums the same). */
export function bookCapital(ctx: MeasureContext, portfolio: Portfolio, sets: ReadonlyMap<string, Pick<SetCapital, 'ead' | 'rwaCcr' | 'effectiveMaturityYears'>>): BookCapital {
  let ead = 0;
  let rwaCcr = 0;
  for (const ns of portfolio.nettingSets) {
    const s = sets.get(ns.nettingSetId);
    if (!s) continue;
    ead += s.ead;
    rwaCcr += s.rwaCcr;
  }
  const hedges = cdsHedges(portfolio, ctx.market);
  const indexHedges = cdsIndexHedges(portfolio, ctx.market, ctx.saccrInputs.referenceEntities);
  const ba = baCvaBook(portfolio, (id) => sets.get(id)?.ead ?? 0, (id) => sets.get(id)?.effectiveMaturityYears ?? 0, hedges, 'optimiser BA-CVA', indexHedges);
  const rwa = rwaCcr + ba.rwa;
  const { bankRwa, bankCet1, capitalRatio } = ctx.capital;
  return {
    ead,
    rwaCcr,
    baCva: ba.capital,
    baCvaVersion: ba.version,
    rwaCva: ba.rwa,
    rwa,
    capital: rwa * capitalRatio,
    cet1ImpactBp: bankRwa !== undefined && bankCet1 !== undefined ? cet1Impact(bankRwa, bankCet1, rwa).impactBp : undefined,
  };
}
