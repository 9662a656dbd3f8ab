/**
 * The MAR50 SA-CVA supervisory parameters as data (src/capital/parameters/sacva.json): risk weights,
 * correlations within and across buckets, the hedging-disallowance R and m_CVA. Typed here; nothing is hard-coded
 * in the formulas.
 */
import type { CreditQuality } from '../bacva.js';
import parameterFile from '../parameters/sacva.json' with { type: 'json' };

export interface SaCvaParameters {
  /** m_CVA (MAR50.42). */
  multiplier: number;
  /** R, the hedging-disallowance parameter (MAR50.53). */
  hedgingDisallowance: number;
  interestRate: {
    specifiedCurrencies: string[];
    tenors: string[];
    deltaRiskWeightsSpecified: Record<string, number>;
    deltaRiskWeightOther: number;
    /** Square matrix over `tenors`. */
    tenorCorrelations: number[][];
    inflationCorrelation: number;
    otherCurrencyYieldInflationCorrelation: number;
    vegaRiskWeight: number;
    vegaInflationCorrelation: number;
    crossBucketCorrelation: number;
  };
  foreignExchange: { deltaRiskWeight: number; vegaRiskWeight: number; crossBucketCorrelation: number };
  creditCounterparty: {
    tenors: string[];
    buckets: Record<string, { group: string; description: string; IG: number; HY_NR: number }>;
    crossBucketGroups: string[];
    crossBucketCorrelations: number[][];
    differentTenorCorrelation: number;
    legallyRelatedCorrelation: number;
    unrelatedNameCorrelation: number;
    differentQualityCorrelation: number;
    indexBucketGroup: string;
    indexSameFamilyCorrelation: number;
    indexOtherCorrelation: number;
  };
  creditReference: {
    buckets: Record<string, { group: string; quality: CreditQuality | null; description: string; deltaRiskWeight: number }>;
    crossBucketGroups: string[];
    crossBucketCorrelations: number[][];
    crossQualityFactor: number;
    crossQualityBuckets: string[];
    vegaRiskWeight: number;
  };
  equity: {
    buckets: Record<string, { group: string; description: string; deltaRiskWeight: number; vegaRiskWeight: number }>;
    crossBucketGroups: string[];
    crossBucketCorrelations: number[][];
  };
}

/** The MAR50 SA-CVA parameters as shipped. */
export const SA_CVA_PARAMETERS: SaCvaParameters = parameterFile as unknown as SaCvaParameters;

/** Looks up a symmetric group matrix: `groups[i]` labels row and column i. */
export function groupCorrelation(groups: readonly string[], matrix: readonly (readonly number[])[], a: string, b: string): number {
  const i = groups.indexOf(a);
  const j = groups.indexOf(b);
  if (i < 0 || j < 0) throw new Error(`no correlation between groups ${a} and ${b}`);
  return matrix[i]![j]!;
}
