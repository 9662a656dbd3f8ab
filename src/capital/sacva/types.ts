/**
 * SA-CVA data model (Basel MAR50.41 ff). Sensitivity records follow ORE's CSV layout
 * (NettingSet, RiskType, CvaType, MarginType, RiskFactor, Bucket, Value) so that ORE output reads in unchanged.
 */
import type { CreditQuality } from '../bacva.js';
import type { SaCvaParameters } from './parameters.js';

/** ORE's risk-type names. Commodity is recognised but not supported yet (computeSaCva says so). */
export type SaCvaRiskType = 'InterestRate' | 'ForeignExchange' | 'CreditCounterparty' | 'CreditReference' | 'Equity' | 'Commodity';
export const SA_CVA_RISK_TYPES: readonly SaCvaRiskType[] = [
  'InterestRate',
  'ForeignExchange',
  'CreditCounterparty',
  'CreditReference',
  'Equity',
  'Commodity',
];

export type SaCvaMarginType = 'Delta' | 'Vega';
export const SA_CVA_MARGIN_TYPES: readonly SaCvaMarginType[] = ['Delta', 'Vega'];

/** `CvaAggregate`: sensitivity of the aggregate regulatory CVA; `CvaHedge`: of the eligible hedges. */
export type SaCvaCvaType = 'CvaAggregate' | 'CvaHedge';
export const SA_CVA_CVA_TYPES: readonly SaCvaCvaType[] = ['CvaAggregate', 'CvaHedge'];

export interface SaCvaSensitivity {
  /** Netting set; null for a portfolio-level row (ORE writes those with an empty NettingSet). */
  nettingSetId: string | null;
  riskType: SaCvaRiskType;
  cvaType: SaCvaCvaType;
  marginType: SaCvaMarginType;
  /**
   * InterestRate delta: 1Y, 2Y, 5Y, 10Y, 30Y, Inflation (other currencies: Parallel or a tenor, and Inflation);
   * InterestRate vega: IRVolatility, InflationVolatility; ForeignExchange: FXSpot / FXVolatility;
   * CreditCounterparty: NAME/TENOR (tenors 0.5Y or 6M, 1Y, 3Y, 5Y, 10Y); CreditReference and Equity: any label
   * (a bucket has one risk factor).
   */
  riskFactor: string;
  /** Currency (InterestRate, ForeignExchange) or MAR50 bucket number (credit: 1a, 1b, 2..8; reference 1..17; equity 1..13). */
  bucket: string;
  /**
   * Regulatory sensitivity in reporting-currency units. Hedge sign convention (ORE's): the net sensitivity is
   * CvaAggregate − CvaHedge, so a hedge that offsets CVA risk has the same sign as the CVA sensitivity.
   */
  value: number;
  /** Where the record came from, for error messages. */
  source?: { file: string; row: number };
}

/** What MAR50.65 needs to know about a counterparty credit-spread name (or, in bucket 8, a qualified index). */
export interface SaCvaCreditName {
  creditQuality: CreditQuality;
  /** Names with the same group are legally related (buckets 1-7) or the same index in another series (bucket 8). */
  legalGroup?: string;
  /**
   * The MAR50.63 bucket of the name (1a … 7 by its sector, 8 a qualified index), when known: a record of the name in
   * another bucket is refused (one name, one sector bucket; the bucket sets the risk weight). `xva capital` gives it
   * from the counterparties table's `sector`.
   */
  bucket?: string;
  /** Where `bucket` comes from, for the message (e.g. "its sector financial in counterparties.csv row 1"). */
  bucketSource?: string;
}

export interface SaCvaOptions {
  /** Reporting (calculation) currency: a specified IR currency (MAR50.55) and not an FX bucket (MAR50.59). */
  reportingCurrency?: string;
  /** m_CVA; default from the parameters (1, MAR50 as revised in 2020). */
  multiplier?: number;
  /** Counterparty credit names (the NAME in NAME/TENOR): credit quality and legal group. */
  creditNames?: Readonly<Record<string, SaCvaCreditName>>;
  /**
   * ORE's `perfectHedges`: for these risk type / margin type pairs the hedge sensitivity equals the CVA
   * sensitivity (given CvaHedge rows are replaced), so only the hedge-disallowance term remains.
   */
  perfectlyHedged?: readonly { riskType: SaCvaRiskType; marginType: SaCvaMarginType }[];
  parameters?: SaCvaParameters;
  /** How the input is named in messages when records carry no source. */
  source?: string;
}

export interface SaCvaWeightedSensitivity {
  riskFactor: string;
  sensitivityCva: number;
  sensitivityHedge: number;
  riskWeight: number;
  /** WS_k = RW_k · (s_k^CVA − s_k^hdg). */
  weighted: number;
  /** WS_k^hdg = RW_k · s_k^hdg. */
  weightedHedge: number;
}

export interface SaCvaBucketResult {
  bucket: string;
  /** K_b (MAR50.53). */
  kb: number;
  /** Σ_k WS_k. */
  sumWeighted: number;
  /** S_b = max(min(Σ WS_k, K_b), −K_b). */
  sb: number;
  factors: SaCvaWeightedSensitivity[];
}

export interface SaCvaRiskClassResult {
  riskType: SaCvaRiskType;
  marginType: SaCvaMarginType;
  /** m_CVA · sqrt(Σ K_b² + Σ_{b≠c} γ_bc S_b S_c). */
  capital: number;
  buckets: SaCvaBucketResult[];
}

export interface SaCvaResult {
  multiplier: number;
  riskClasses: SaCvaRiskClassResult[];
  /** Σ of delta risk-class capitals. */
  deltaCapital: number;
  /** Σ of vega risk-class capitals. */
  vegaCapital: number;
  /** SA-CVA capital = delta + vega. */
  capital: number;
}
