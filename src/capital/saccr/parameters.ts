/**
 * SA-CCR supervisory parameters as data (src/capital/parameters/saccr.json): CRE52.72 Table 2 (supervisory factors,
 * correlations, option volatilities), α (CRE52.1), the multiplier floor (CRE52.23), the supervisory-duration rate
 * (CRE52.34), the IR bucket correlations (CRE52.57(5)), the MPOR floors (CRE52.50-51, CRE54.8) and the QCCP risk
 * weight (CRE54.14). Callers may pass their own object of the same shape (a national variant, a what-if).
 */
import rawParameters from '../parameters/saccr.json' with { type: 'json' };
import type { Rating } from '../../portfolio/types.js';

export interface SupervisoryEntry {
  supervisoryFactor: number;
  /** ρ of the single-factor model (credit, equity, commodity; CRE52.54). */
  correlation?: number;
  /** σ of the supervisory delta of options (CRE52.40(2)). */
  optionVolatility: number;
}

export type CreditRating = Exclude<Rating, 'NR'>;
export const COMMODITY_SUBCLASSES = ['electricity', 'oil_gas', 'metals', 'agricultural', 'other'] as const;
export type CommoditySubclass = (typeof COMMODITY_SUBCLASSES)[number];
export const COMMODITY_HEDGING_SETS = ['energy', 'metals', 'agricultural', 'other'] as const;
export type CommodityHedgingSet = (typeof COMMODITY_HEDGING_SETS)[number];

export interface SaccrParameters {
  source: string;
  alpha: number;
  multiplierFloor: number;
  businessDaysPerYear: number;
  /** Floor of M and SD, and smallest MPOR used anywhere: 10 business days (CRE52.34, CRE52.48-49). */
  minimumTimeBusinessDays: number;
  supervisoryDurationRate: number;
  /** E < bounds[0]: bucket 1; E <= bounds[1]: bucket 2; else bucket 3 (CRE52.57(3)). */
  irMaturityBucketBoundsYears: [number, number];
  /** Correlations between IR maturity buckets: the offset formula's cross terms are 2ρ (1.4, 1.4, 0.6). */
  irBucketCorrelations: { b1b2: number; b2b3: number; b1b3: number };
  mporFloorsBusinessDays: {
    dailyMargin: number;
    nonDailyMarginBase: number;
    largeNettingSet: number;
    largeNettingSetTrades: number;
    illiquid: number;
    disputeMultiplier: number;
    clearedTradeExposure: number;
  };
  qccpRiskWeight: number;
  basisSupervisoryFactorScale: number;
  volatilitySupervisoryFactorScale: number;
  cdoDelta: { numerator: number; slope: number };
  supervisoryParameters: {
    IR: SupervisoryEntry;
    FX: SupervisoryEntry;
    CreditSingleName: Record<CreditRating, SupervisoryEntry>;
    CreditIndex: Record<'IG' | 'SG', SupervisoryEntry>;
    EquitySingleName: SupervisoryEntry;
    EquityIndex: SupervisoryEntry;
    Commodity: Record<CommoditySubclass, SupervisoryEntry>;
  };
  commodityHedgingSets: CommodityHedgingSet[];
}

function checkEntry(entry: unknown, where: string, needsCorrelation: boolean): void {
  const e = entry as Partial<SupervisoryEntry> | undefined;
  const ok =
    e !== undefined &&
    typeof e.supervisoryFactor === 'number' &&
    e.supervisoryFactor > 0 &&
    typeof e.optionVolatility === 'number' &&
    e.optionVolatility > 0 &&
    (!needsCorrelation || (typeof e.correlation === 'number' && e.correlation >= 0 && e.correlation <= 1));
  if (!ok) throw new Error(`SA-CCR parameters: ${where} needs a positive supervisoryFactor and optionVolatility${needsCorrelation ? ' and a correlation in [0, 1]' : ''}`);
}

/** Checks that a parameter object has every entry the rules read (a program error otherwise, not a user input). */
export function checkSaccrParameters(p: SaccrParameters): SaccrParameters {
  for (const key of ['alpha', 'multiplierFloor', 'businessDaysPerYear', 'minimumTimeBusinessDays', 'supervisoryDurationRate', 'qccpRiskWeight'] as const) {
    if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) throw new Error(`SA-CCR parameters: ${key} must be a number`);
  }
  const sp = p.supervisoryParameters;
  checkEntry(sp.IR, 'IR', false);
  checkEntry(sp.FX, 'FX', false);
  for (const r of ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC'] as const) checkEntry(sp.CreditSingleName[r], `CreditSingleName.${r}`, true);
  checkEntry(sp.CreditIndex.IG, 'CreditIndex.IG', true);
  checkEntry(sp.CreditIndex.SG, 'CreditIndex.SG', true);
  checkEntry(sp.EquitySingleName, 'EquitySingleName', true);
  checkEntry(sp.EquityIndex, 'EquityIndex', true);
  for (const c of COMMODITY_SUBCLASSES) checkEntry(sp.Commodity[c], `Commodity.${c}`, true);
  return p;
}

/** The CRE52 parameters shipped with xva. */
export const SACCR_PARAMETERS: SaccrParameters = checkSaccrParameters(rawParameters as unknown as SaccrParameters);

/** 10 business days in years (10/250 = 0.04): the floor of M (CRE52.48-49) and of SD (CRE52.34). */
export function minimumTimeYears(p: SaccrParameters): number {
  return p.minimumTimeBusinessDays / p.businessDaysPerYear;
}
