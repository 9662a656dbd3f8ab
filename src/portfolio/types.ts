/**
 * The book beyond its trades: counterparties, netting sets with their CSAs, and the collateral inventory.
 * Column-by-column documentation of the input files: docs/inputs.md.
 */
import type { Currency, Trade } from '../products/types.js';
import type { ReferenceEntity } from './referenceEntities.js';

/** MAR50 Table 1 / CRE20 sector buckets. */
export const SECTORS = [
  'sovereign',
  'local_government',
  'financial',
  'basic_materials',
  'consumer',
  'technology',
  'health_care',
  'other',
] as const;
export type Sector = (typeof SECTORS)[number];

/** External rating grades (S&P/Fitch style, without notches); NR = not rated. */
export const RATINGS = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'NR'] as const;
export type Rating = (typeof RATINGS)[number];
export function isInvestmentGrade(rating: Rating): boolean {
  return rating === 'AAA' || rating === 'AA' || rating === 'A' || rating === 'BBB';
}

export const REGIONS = ['north_america', 'europe', 'uk', 'japan', 'asia_pacific', 'latin_america', 'middle_east_africa'] as const;
export type Region = (typeof REGIONS)[number];

export interface Counterparty {
  counterpartyId: string;
  name: string;
  sector: Sector;
  rating: Rating;
  region: Region;
  /** Name of a CDS curve in the market file (`credit.names`); absent = use the sector × rating × region proxy. */
  cdsCurve?: string;
  /** Recovery rate override (decimal); absent = the curve's or the proxy's recovery. */
  recovery?: number;
  /** A qualifying central counterparty (CRE54). */
  qccp: boolean;
  /** Counterparty credit risk weight override (decimal, CRE20); absent = standardised by sector and rating. */
  riskWeight?: number;
  /** Wrong-way risk model of `xva cva` (docs/xva.md, "Wrong-way risk"); absent = none (independent defaults). */
  wrongWay?: WrongWaySpec;
  sourceRow?: number;
}

/** `wrong_way_model` values: none, Hull-White exposure-linked hazard, lognormal intensity correlated with the market. */
export const WRONG_WAY_MODELS = ['none', 'exposure', 'intensity'] as const;
export type WrongWayModel = (typeof WRONG_WAY_MODELS)[number];

/**
 * A counterparty's wrong-way risk model (docs/xva.md, "Wrong-way risk"):
 *  - exposure: h(t) = exp(a(t) + b·V(t)), V the counterparty's portfolio value in millions of the base currency and
 *    b = `betaPerMillion` (Hull & White 2012);
 *  - intensity: h(t) = exp(a(t) + σ·ξ(t)), ξ the unit-vol OU state of the counterparty's credit factor CR:<cds_curve>
 *    (correlated with the market factors by the market file) and σ = `logVolatility` per √year.
 */
export type WrongWaySpec = { model: 'exposure'; betaPerMillion: number } | { model: 'intensity'; logVolatility: number };

export const IM_MODELS = ['none', 'simm', 'schedule'] as const;
export type ImModel = (typeof IM_MODELS)[number];

/**
 * A netting set and its CSA. Amounts are in `collateralCurrency`. "cpty" terms bind the counterparty's posting
 * (collateral the bank receives), "bank" terms the bank's posting.
 */
export interface NettingSet {
  nettingSetId: string;
  counterpartyId: string;
  /** Under a VM CSA; false = uncollateralised (the CSA fields are then ignored). */
  csa: boolean;
  thresholdCpty: number;
  thresholdBank: number;
  mtaCpty: number;
  mtaBank: number;
  /** Independent amount posted by the counterparty (>= 0). */
  independentAmountCpty: number;
  /** Independent amount posted by the bank (>= 0). */
  independentAmountBank: number;
  /**
   * Initial margin received and held segregated by the bank (>= 0), an input amount until the margin engine supplies
   * it: it reduces the exposure and is never rehypothecated. Optional for callers building netting sets by hand.
   */
  initialMarginHeld?: number;
  /**
   * Initial margin the bank has posted to the counterparty (>= 0), held segregated by it (bankruptcy-remote): it
   * lowers the counterparty's exposure to the bank (ENE, DVA) and funds nothing back (MVA is its cost). An input amount
   * in the collateral currency until `--dynamic-im` supplies the posted DIM profile. Optional: absent = 0.
   */
  initialMarginPosted?: number;
  /** Delivery and return amounts are rounded up/down to a multiple of this (0 = no rounding). */
  rounding: number;
  marginPeriodOfRiskDays: number;
  marginFrequencyDays: number;
  imModel: ImModel;
  collateralCurrency: Currency;
  cleared: boolean;
  ccp?: string;
  /**
   * SA-CCR, for a margined set without a `collateral_balances` row: true takes the variation margin the CSA calls for
   * at today's value (ORE's CalculateVMAmount; docs/capital.md), false or absent takes none.
   */
  calculateVm?: boolean;
  sourceRow?: number;
}

export const ASSET_TYPES = ['cash', 'government_bond', 'corporate_bond', 'equity'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** What a netting set's CSA accepts as collateral, with the valuation haircut. */
export interface EligibleCollateral {
  nettingSetId: string;
  assetType: AssetType;
  /** Absent = any currency. */
  currency?: Currency;
  haircutPct: number;
  /** Which margin it may cover. */
  marginType: 'vm' | 'im' | 'both';
  sourceRow?: number;
}

/** One holding in the bank's collateral inventory. */
export interface CollateralAsset {
  assetId: string;
  assetType: AssetType;
  currency: Currency;
  marketValue: number;
  /** Which margin it may be used for. */
  eligibility: 'vm' | 'im' | 'both';
  /** The bank's own haircut (e.g. repo) in percent. */
  haircutPct: number;
  /** Funding or opportunity cost of posting it, in bp per year. */
  fundingCostBp: number;
  issuerRating?: Rating;
  sourceRow?: number;
}

export interface Portfolio {
  trades: Trade[];
  counterparties: Counterparty[];
  nettingSets: NettingSet[];
  eligibleCollateral: EligibleCollateral[];
  collateral: CollateralAsset[];
  /** Where each part came from (file paths), for messages and manifests. */
  sources: Record<string, string>;
  /** The reference_entities table, when the book has one (portfolio/referenceEntities.ts): the names' reference data. */
  referenceEntities?: ReadonlyMap<string, ReferenceEntity>;
}
