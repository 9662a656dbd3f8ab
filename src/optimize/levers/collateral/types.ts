/**
 * Data of the collateral allocation lever (docs/optimize-collateral.md): what the bank must post, the options of the
 * LP, and the allocation rows it returns. Amounts are in the currency each field names; costs are per year in the
 * market's base currency.
 */
import type { Market } from '../../../market/types.js';
import type { AssetType } from '../../../portfolio/types.js';
import type { Currency } from '../../../products/types.js';
import type { Action } from '../../types.js';

/** One margin amount the bank must have posted to a netting set, after the CSA's haircuts. */
export interface CollateralRequirement {
  /** `<nettingSetId>/vm` or `<nettingSetId>/im` (requirements.ts). */
  requirementId: string;
  nettingSetId: string;
  marginType: 'vm' | 'im';
  /** The netting set's collateral currency: the amount's currency and the reference of the FX haircut. */
  currency: Currency;
  /** Collateral value (after haircuts) the bank must have posted, in `currency`, > 0. */
  amount: number;
}

/** What the lever needs of the market: spot FX to the base currency, and unsecured funding for the cash baseline. */
export type CollateralMarket = Pick<Market, 'baseCurrency' | 'fxSpot' | 'funding'>;

/** A posting of the bank's books today, for the "current" baseline when the caller knows it (a custody feed). */
export interface CurrentPosting {
  requirementId: string;
  assetId: string;
  /** Market value posted, in the asset's currency. */
  marketValue: number;
}

export interface CollateralOptions {
  market: CollateralMarket;
  /** Haircut for a currency mismatch, percent (CRE22.54: 8% standard supervisory haircut). */
  fxHaircutPct?: number;
  /**
   * Also add the FX haircut when the eligibility row that admits the asset names its currency explicitly. Default
   * false: such a row states the haircut agreed for that very currency (the BCBS-IOSCO schedule's 8% already in it).
   */
  fxHaircutOnNamedCurrency?: boolean;
  /** Annual cost (bp of market value) of posting an asset in a currency other than the requirement's. Default 0. */
  crossCurrencyCostBp?: number;
  /** Most of one requirement's collateral value from one asset type, percent. Defaults: DEFAULT_ASSET_TYPE_SHARE_PCT. */
  assetTypeSharePct?: Partial<Record<AssetType, number>>;
  /** Most of one requirement's collateral value from any single non-cash asset (issue), percent. Default 100 (off). */
  singleAssetSharePct?: number;
  /** One-off cost of substituting collateral, bp of the market value newly delivered against the current baseline. Default 0. */
  transitionCostBp?: number;
  /** The bank's current postings; absent = the all-cash baseline (docs/optimize-collateral.md). */
  currentAllocation?: readonly CurrentPosting[];
  /** HiGHS time limit, seconds. */
  timeLimitSeconds?: number;
}

/** Concentration defaults: cash and government bonds unlimited, corporate bonds at most half, equities a quarter. */
export const DEFAULT_ASSET_TYPE_SHARE_PCT: Readonly<Record<AssetType, number>> = Object.freeze({
  cash: 100,
  government_bond: 100,
  corporate_bond: 50,
  equity: 25,
});
export const DEFAULT_FX_HAIRCUT_PCT = 8;

/** One asset posted to one requirement. */
export interface AllocationRow {
  requirementId: string;
  nettingSetId: string;
  marginType: 'vm' | 'im';
  requirementCurrency: Currency;
  /** An inventory asset id; `cash:<CCY>` for baseline cash the inventory does not hold (funded unsecured). */
  assetId: string;
  assetType: AssetType;
  assetCurrency: Currency;
  /** Market value posted, asset currency. */
  marketValue: number;
  /** The same in the base currency. */
  marketValueBase: number;
  /** Haircut of the CSA's eligibility row, percent. */
  csaHaircutPct: number;
  /** FX haircut applied, percent (0 when the currencies agree). */
  fxHaircutPct: number;
  /** csaHaircutPct + fxHaircutPct (CRE22: C × (1 − Hc − Hfx)). */
  haircutPct: number;
  /** Value credited to the requirement after haircuts, requirement currency. */
  collateralValue: number;
  /** Asset funding cost plus any cross-currency cost, bp per year. */
  costBp: number;
  /** marketValueBase × costBp / 10,000: base currency per year. */
  annualCost: number;
}

/** Stable column names of the `collateral_allocation` output table, in order, with the row field each one holds. */
export const ALLOCATION_COLUMNS = [
  ['allocation', 'utf8'],
  ['requirement_id', 'utf8'],
  ['netting_set_id', 'utf8'],
  ['margin_type', 'utf8'],
  ['requirement_currency', 'utf8'],
  ['asset_id', 'utf8'],
  ['asset_type', 'utf8'],
  ['asset_currency', 'utf8'],
  ['market_value', 'float64'],
  ['market_value_base', 'float64'],
  ['csa_haircut_pct', 'float64'],
  ['fx_haircut_pct', 'float64'],
  ['haircut_pct', 'float64'],
  ['collateral_value', 'float64'],
  ['cost_bp', 'float64'],
  ['annual_cost_base', 'float64'],
] as const;

/** A requirement the inventory cannot meet, and by how much (requirement currency). */
export interface Shortfall {
  requirementId: string;
  currency: Currency;
  amount: number;
  short: number;
}

export interface AllocationTotals {
  /** Annual funding cost, base currency. */
  optimal: number;
  current: number;
  greedy: number;
  /** Value (base currency) the greedy baseline could not cover; 0 when it met every requirement. */
  greedyShortfallBase: number;
  /** current − optimal, per year. */
  savingVsCurrent: number;
  /** greedy − optimal, per year; undefined when the greedy baseline left a requirement short. */
  savingVsGreedy: number | undefined;
}

export interface CollateralAllocation {
  status: 'optimal' | 'infeasible' | 'empty';
  baseCurrency: Currency;
  requirements: readonly CollateralRequirement[];
  optimal: AllocationRow[];
  current: AllocationRow[];
  greedy: AllocationRow[];
  totals: AllocationTotals;
  /** When infeasible: the requirements the inventory cannot meet (one of possibly several least-shortfall splits). */
  shortfalls: Shortfall[];
  /** A sentence for the log and the summary. */
  message: string;
  notes: string[];
  /** The re-allocation as an action of lever 'collateral'; absent when infeasible or nothing is saved. */
  action?: Action;
}
