/**
 * The vocabulary of ISDA SIMM and of the CRIF (ISDA Common Risk Interchange Format): risk types, product classes,
 * risk classes, margin types, one CRIF record, and the shape of a SIMM result. Plain data, no behaviour.
 */
import type { DateSerial } from '../../conventions/dates.js';

/** SIMM sensitivity risk types (CRIF `RiskType`), SIMM v2.6 §B.1 and the CRIF specification. */
export const SIMM_SENSITIVITY_RISK_TYPES = [
  'Risk_IRCurve',
  'Risk_Inflation',
  'Risk_XCcyBasis',
  'Risk_IRVol',
  'Risk_InflationVol',
  'Risk_FX',
  'Risk_FXVol',
  'Risk_CreditQ',
  'Risk_CreditVol',
  'Risk_BaseCorr',
  'Risk_CreditNonQ',
  'Risk_CreditVolNonQ',
  'Risk_Equity',
  'Risk_EquityVol',
  'Risk_Commodity',
  'Risk_CommodityVol',
] as const;
export type SimmSensitivityRiskType = (typeof SIMM_SENSITIVITY_RISK_TYPES)[number];

/** Add-on parameter rows (SIMM v2.6 §J "additional initial margin"; CRIF `Param_*` and `Notional` rows). */
export const SIMM_ADDON_RISK_TYPES = [
  'Param_ProductClassMultiplier',
  'Param_AddOnNotionalFactor',
  'Param_AddOnFixedAmount',
  'Notional',
] as const;
export type SimmAddOnRiskType = (typeof SIMM_ADDON_RISK_TYPES)[number];

/** Rows used only by the standardised schedule (BCBS-IOSCO): the trade's PV and its notional. */
export type ScheduleRiskType = 'PV' | 'Notional';

export type CrifRiskType = SimmSensitivityRiskType | SimmAddOnRiskType | 'PV';
export const CRIF_RISK_TYPES: readonly CrifRiskType[] = [...SIMM_SENSITIVITY_RISK_TYPES, ...SIMM_ADDON_RISK_TYPES, 'PV'];

/** SIMM product classes (SIMM v2.6 §B.2). */
export const SIMM_PRODUCT_CLASSES = ['RatesFX', 'Credit', 'Equity', 'Commodity'] as const;
export type SimmProductClass = (typeof SIMM_PRODUCT_CLASSES)[number];

/** Schedule product classes (BCBS-IOSCO margin requirements, Appendix A). */
export const SCHEDULE_PRODUCT_CLASSES = ['Rates', 'FX', 'Credit', 'Equity', 'Commodity', 'Other'] as const;
export type ScheduleProductClass = (typeof SCHEDULE_PRODUCT_CLASSES)[number];

/** SIMM risk classes in the order of the ψ matrix (SIMM v2.6 §D.1). */
export const SIMM_RISK_CLASSES = [
  'InterestRate',
  'CreditQualifying',
  'CreditNonQualifying',
  'Equity',
  'Commodity',
  'FX',
] as const;
export type SimmRiskClass = (typeof SIMM_RISK_CLASSES)[number];

export const SIMM_MARGIN_TYPES = ['Delta', 'Vega', 'Curvature', 'BaseCorr'] as const;
export type SimmMarginType = (typeof SIMM_MARGIN_TYPES)[number];

export type SimmSide = 'Call' | 'Post';
export type MporDays = 10 | 1;

/** One CRIF row as read (amount already in the calculation/result currency). */
export interface CrifRecord {
  tradeId: string;
  /** Netting set / portfolio (CRIF `PortfolioID`). */
  portfolioId: string;
  /** CRIF `ProductClass` as given ('' for parameter rows that have none). */
  productClass: string;
  riskType: CrifRiskType;
  qualifier: string;
  bucket: string;
  label1: string;
  label2: string;
  /** Amount in the result currency (AmountUSD when the result currency is USD, else Amount × FX). */
  amount: number;
  /** Currency the row was given in (AmountCurrency), for messages and schedule outputs. */
  amountCurrency: string;
  /** `SIMM` or `Schedule` (CRIF `IMModel`/`im_model`); '' when the column is absent. */
  imModel: '' | 'SIMM' | 'Schedule';
  /** Regulations under which we collect (CRIF `collect_regulations`/`CollectRegulations`), empty when none given. */
  collectRegulations: string[];
  /** Regulations under which we post (CRIF `post_regulations`/`PostRegulations`). */
  postRegulations: string[];
  /** Trade end date (schedule rows). */
  endDate?: DateSerial;
  /** 1-based data row in the source file (for messages). */
  row?: number;
}

/** A sensitivity as the SIMM aggregation sees it (one side, one netting set, amounts signed for that side). */
export interface SimmSensitivity {
  productClass: SimmProductClass;
  riskType: SimmSensitivityRiskType;
  qualifier: string;
  bucket: string;
  label1: string;
  label2: string;
  amount: number;
}

/** Add-on inputs of one netting set (SIMM v2.6 §J). */
export interface SimmAddOns {
  /** Product-class multipliers: 1.045 adds 4.5 % of that product class's SIMM. */
  productMultipliers: { productClass: SimmProductClass; multiplier: number }[];
  /** Notional factors in percent, per product name (CRIF qualifier). */
  notionalFactors: { product: string; factorPercent: number }[];
  /** Notionals per product name (result currency). */
  notionals: { product: string; notional: number }[];
  /** Fixed add-on amounts (result currency). */
  fixedAmounts: number[];
}

/** One line of the SIMM breakdown, like ORE's simm.csv: 'All' marks an aggregate level. */
export interface SimmMarginLine {
  productClass: SimmProductClass | 'All';
  riskClass: SimmRiskClass | 'All';
  marginType: SimmMarginType | 'AdditionalIM' | 'All';
  /** Bucket (currency for IR/FX, SIMM bucket otherwise, 'Residual'), or 'All'. */
  bucket: string;
  margin: number;
}

export interface SimmBreakdown {
  /** Total SIMM including add-ons. */
  total: number;
  /** SIMM before add-ons: the sum of the product-class margins (SIMM v2.6 §D.2). */
  simmBeforeAddOn: number;
  /** Additional IM (product multipliers, notional factors, fixed amounts). */
  addOn: number;
  lines: SimmMarginLine[];
}

/** Result of one netting set on one side. */
export interface SimmNettingSetResult extends SimmBreakdown {
  portfolioId: string;
  side: SimmSide;
  /** Winning regulation on this side ('Unspecified' when the CRIF names none). */
  regulation: string;
  /** Every regulation considered on this side with its total (the winner is the highest). */
  regulationTotals: { regulation: string; total: number }[];
}
