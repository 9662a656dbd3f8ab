/**
 * Which asset may meet which requirement, at what haircut and at what cost: the data of the allocation LP and of its
 * baselines (docs/optimize-collateral.md, "Eligibility and haircuts").
 *
 * - Eligible: the asset's own `eligibility` allows the margin type, and a row of `eligible_collateral` for the
 *   netting set admits it (same asset type; row currency blank or the asset's; row margin type `both` or the
 *   requirement's). A netting set without any row accepts cash in its collateral currency at 0% (the minimal CSA
 *   election), and the run says so in its notes.
 * - Haircut (CRE22, comprehensive approach: credited value C × (1 − Hc − Hfx)): Hc = the row's `haircut_pct`;
 *   Hfx = 8% (CRE22.54 standard supervisory haircut for a currency mismatch; the BCBS-IOSCO margin standard's schedule
 *   adds the same 8% when collateral and settlement currency differ) when the asset's currency differs from the
 *   requirement's, unless the row names the asset's currency (its haircut is then the one agreed for that currency).
 *   Of several rows admitting an asset, the lowest total haircut is used. A pair with H >= 100% is not eligible.
 * - Cost: the asset's `funding_cost_bp` plus `crossCurrencyCostBp` when the currencies differ, bp per year of the
 *   market value posted.
 */
import { XvaUsageError } from '../../../errors.js';
import type { AssetType, CollateralAsset, EligibleCollateral, Portfolio } from '../../../portfolio/types.js';
import type { Currency } from '../../../products/types.js';
import { DEFAULT_ASSET_TYPE_SHARE_PCT, DEFAULT_FX_HAIRCUT_PCT, type CollateralOptions, type CollateralRequirement } from './types.js';

/** Asset a may be posted to requirement r. */
export interface PostingPair {
  r: number;
  a: number;
  csaHaircutPct: number;
  fxHaircutPct: number;
  haircutPct: number;
  /** 1 − haircut: collateral value credited per unit of market value (both in the base currency). */
  valueFactor: number;
  costBp: number;
}

export interface AllocationProblem {
  baseCurrency: Currency;
  requirements: readonly CollateralRequirement[];
  /** Requirement amounts in the base currency. */
  requirementBase: Float64Array;
  /** Base-currency units per unit of the requirement's currency. */
  requirementFx: Float64Array;
  /** The inventory, sorted by asset id. */
  assets: readonly CollateralAsset[];
  assetBase: Float64Array;
  assetFx: Float64Array;
  /** Eligible pairs, by requirement then asset. */
  pairs: PostingPair[];
  typeSharePct: Readonly<Record<AssetType, number>>;
  singleAssetSharePct: number;
  fxHaircutPct: number;
  crossCurrencyCostBp: number;
  notes: string[];
}

const byId = <T>(key: (t: T) => string) => (x: T, y: T) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0);

function percentOption(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(v >= 0 && v <= 100)) throw new XvaUsageError(`collateral lever: ${name} must be a percentage between 0 and 100, got ${v}`);
  return v;
}

/** Units of the base currency per unit of `currency`. */
export function toBase(options: CollateralOptions, currency: Currency): number {
  const base = options.market.baseCurrency;
  return currency === base ? 1 : options.market.fxSpot(currency, base);
}

function admits(row: EligibleCollateral, asset: CollateralAsset, marginType: 'vm' | 'im'): boolean {
  return row.assetType === asset.assetType && (row.currency === undefined || row.currency === asset.currency) && (row.marginType === 'both' || row.marginType === marginType);
}

/** The haircut and cost of posting `asset` to `req`, or undefined when the CSA does not accept it. */
export function postingTerms(
  req: CollateralRequirement,
  asset: CollateralAsset,
  rows: readonly EligibleCollateral[],
  options: CollateralOptions,
): Omit<PostingPair, 'r' | 'a'> | undefined {
  if (asset.eligibility !== 'both' && asset.eligibility !== req.marginType) return undefined;
  const fxPct = percentOption('fxHaircutPct', options.fxHaircutPct, DEFAULT_FX_HAIRCUT_PCT);
  const mismatch = asset.currency !== req.currency;
  // no row for the netting set: cash in its collateral currency only, no haircut
  const candidates: readonly EligibleCollateral[] =
    rows.length > 0 ? rows : [{ nettingSetId: req.nettingSetId, assetType: 'cash', currency: req.currency, haircutPct: 0, marginType: 'both' }];
  let best: Omit<PostingPair, 'r' | 'a'> | undefined;
  for (const row of candidates) {
    if (!admits(row, asset, req.marginType)) continue;
    const fxHaircutPct = mismatch && (row.currency === undefined || options.fxHaircutOnNamedCurrency === true) ? fxPct : 0;
    const haircutPct = row.haircutPct + fxHaircutPct;
    if (haircutPct >= 100) continue;
    if (best === undefined || haircutPct < best.haircutPct) {
      const costBp = asset.fundingCostBp + (mismatch ? (options.crossCurrencyCostBp ?? 0) : 0);
      best = { csaHaircutPct: row.haircutPct, fxHaircutPct, haircutPct, valueFactor: 1 - haircutPct / 100, costBp };
    }
  }
  return best;
}

export function buildProblem(portfolio: Portfolio, requirements: readonly CollateralRequirement[], options: CollateralOptions): AllocationProblem {
  const notes: string[] = [];
  const typeSharePct = { ...DEFAULT_ASSET_TYPE_SHARE_PCT };
  for (const [type, pct] of Object.entries(options.assetTypeSharePct ?? {}) as [AssetType, number | undefined][]) {
    typeSharePct[type] = percentOption(`assetTypeSharePct.${type}`, pct, DEFAULT_ASSET_TYPE_SHARE_PCT[type]);
  }
  const singleAssetSharePct = percentOption('singleAssetSharePct', options.singleAssetSharePct, 100);
  const fxHaircutPct = percentOption('fxHaircutPct', options.fxHaircutPct, DEFAULT_FX_HAIRCUT_PCT);
  const crossCurrencyCostBp = options.crossCurrencyCostBp ?? 0;
  if (!Number.isFinite(crossCurrencyCostBp)) throw new XvaUsageError(`collateral lever: crossCurrencyCostBp must be a number of bp, got ${crossCurrencyCostBp}`);

  const reqs = [...requirements].sort(byId((q: CollateralRequirement) => q.requirementId));
  for (let i = 1; i < reqs.length; i++) {
    if (reqs[i]!.requirementId === reqs[i - 1]!.requirementId) throw new RangeError(`collateral lever: requirement ${reqs[i]!.requirementId} given twice`);
  }
  for (const q of reqs) if (!(Number.isFinite(q.amount) && q.amount > 0)) throw new RangeError(`collateral lever: requirement ${q.requirementId} amount ${q.amount} (must be > 0)`);
  const assets = portfolio.collateral.filter((a) => a.marketValue > 0).sort(byId((a: CollateralAsset) => a.assetId));

  const requirementFx = Float64Array.from(reqs, (q) => toBase(options, q.currency));
  const requirementBase = Float64Array.from(reqs, (q, i) => q.amount * requirementFx[i]!);
  const assetFx = Float64Array.from(assets, (a) => toBase(options, a.currency));
  const assetBase = Float64Array.from(assets, (a, i) => a.marketValue * assetFx[i]!);

  const rowsBySet = new Map<string, EligibleCollateral[]>();
  for (const e of portfolio.eligibleCollateral) {
    const list = rowsBySet.get(e.nettingSetId) ?? [];
    list.push(e);
    rowsBySet.set(e.nettingSetId, list);
  }
  const defaulted = new Set<string>();
  const pairs: PostingPair[] = [];
  reqs.forEach((q, r) => {
    const rows = rowsBySet.get(q.nettingSetId) ?? [];
    if (rows.length === 0) defaulted.add(q.nettingSetId);
    assets.forEach((asset, a) => {
      const t = postingTerms(q, asset, rows, options);
      if (t) pairs.push({ r, a, ...t });
    });
  });
  if (defaulted.size > 0) {
    notes.push(`no eligible_collateral rows for ${[...defaulted].sort().join(', ')}: cash in the collateral currency only, at 0% haircut, is assumed eligible`);
  }
  return {
    baseCurrency: options.market.baseCurrency,
    requirements: reqs,
    requirementBase,
    requirementFx,
    assets,
    assetBase,
    assetFx,
    pairs,
    typeSharePct,
    singleAssetSharePct,
    fxHaircutPct,
    crossCurrencyCostBp,
    notes,
  };
}

/** Largest collateral value (base currency) a pair may contribute under the single-asset limit (cash is exempt). */
export function singleAssetCapBase(problem: AllocationProblem, pair: PostingPair): number {
  const asset = problem.assets[pair.a]!;
  if (asset.assetType === 'cash' || problem.singleAssetSharePct >= 100) return Infinity;
  return (problem.singleAssetSharePct / 100) * problem.requirementBase[pair.r]!;
}
