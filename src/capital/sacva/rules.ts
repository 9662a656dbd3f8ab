/**
 * Per risk class and margin type: which risk factor a sensitivity record belongs to, its risk weight, and the
 * correlations within (ρ_kl) and across (γ_bc) buckets — MAR50.54-50.73, every number read from the parameters.
 */
import type { CreditQuality } from '../bacva.js';
import { groupCorrelation, type SaCvaParameters } from './parameters.js';
import type { SaCvaCreditName, SaCvaMarginType, SaCvaRiskType } from './types.js';

export interface ResolvedFactor {
  /** Bucket the factor aggregates in (for counterparty credit, 1a and 1b are both bucket 1). */
  bucket: string;
  /** Canonical risk-factor key within the bucket: records with the same key are summed. */
  key: string;
  riskWeight: number;
}

export interface FactorProblem {
  column: 'Bucket' | 'RiskFactor' | 'RiskType';
  value: string;
  expected: string;
}

export interface RiskClassRules {
  resolve(bucket: string, riskFactor: string): ResolvedFactor | FactorProblem;
  /** ρ_kl between two different factor keys of one bucket. */
  rho(bucket: string, a: string, b: string): number;
  /** γ_bc between two different buckets. */
  gamma(b: string, c: string): number;
}

export interface RulesContext {
  parameters: SaCvaParameters;
  reportingCurrency?: string;
  creditNames: Readonly<Record<string, SaCvaCreditName>>;
}

const CURRENCY = /^[A-Z]{3}$/;

function currencyProblem(bucket: string): FactorProblem | undefined {
  return CURRENCY.test(bucket) ? undefined : { column: 'Bucket', value: bucket, expected: 'a three-letter ISO currency code' };
}

/** `1Y`, `10y`, `6M` → canonical tenor text in years (`1Y`, `10Y`, `0.5Y`); undefined when not a tenor. */
function tenorYearsLabel(text: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)([YM])$/i.exec(text.trim());
  if (!m) return undefined;
  const years = m[2]!.toUpperCase() === 'Y' ? Number(m[1]) : Number(m[1]) / 12;
  return `${years}Y`;
}

/** MAR50.54-50.58: interest rate delta — tenors for specified currencies, parallel + inflation otherwise. */
function interestRateDelta(ctx: RulesContext): RiskClassRules {
  const ir = ctx.parameters.interestRate;
  const specified = new Set(ir.specifiedCurrencies);
  // MAR50.55: the bank's reporting currency gets the tenor structure too.
  if (ctx.reportingCurrency) specified.add(ctx.reportingCurrency);
  const tenorIndex = new Map(ir.tenors.map((t, i) => [t, i]));
  return {
    resolve(bucket, riskFactor) {
      const bad = currencyProblem(bucket);
      if (bad) return bad;
      const isInflation = riskFactor.trim().toLowerCase() === 'inflation';
      if (specified.has(bucket)) {
        if (isInflation) return { bucket, key: 'Inflation', riskWeight: ir.deltaRiskWeightsSpecified['Inflation']! };
        const tenor = tenorYearsLabel(riskFactor);
        if (tenor === undefined || !tenorIndex.has(tenor))
          return { column: 'RiskFactor', value: riskFactor, expected: `for ${bucket}, one of ${ir.tenors.join(', ')}, Inflation (MAR50.55)` };
        return { bucket, key: tenor, riskWeight: ir.deltaRiskWeightsSpecified[tenor]! };
      }
      if (isInflation) return { bucket, key: 'Inflation', riskWeight: ir.deltaRiskWeightOther };
      // MAR50.55: one parallel-shift factor for other currencies; tenor (key-rate) sensitivities add up to it.
      if (riskFactor.trim().toLowerCase() === 'parallel' || tenorYearsLabel(riskFactor) !== undefined)
        return { bucket, key: 'Parallel', riskWeight: ir.deltaRiskWeightOther };
      return { column: 'RiskFactor', value: riskFactor, expected: `for ${bucket} (not a specified currency), Parallel, a tenor or Inflation (MAR50.55)` };
    },
    rho(bucket, a, b) {
      if (!specified.has(bucket)) return ir.otherCurrencyYieldInflationCorrelation;
      if (a === 'Inflation' || b === 'Inflation') return ir.inflationCorrelation;
      return ir.tenorCorrelations[tenorIndex.get(a)!]![tenorIndex.get(b)!]!;
    },
    gamma: () => ir.crossBucketCorrelation,
  };
}

/** MAR50.58: interest rate vega — rate volatility and inflation volatility per currency. */
function interestRateVega(ctx: RulesContext): RiskClassRules {
  const ir = ctx.parameters.interestRate;
  return {
    resolve(bucket, riskFactor) {
      const bad = currencyProblem(bucket);
      if (bad) return bad;
      const f = riskFactor.trim().toLowerCase();
      if (f === 'irvolatility') return { bucket, key: 'IRVolatility', riskWeight: ir.vegaRiskWeight };
      // ORE spells it InflationVolatilty in places; accept both.
      if (f === 'inflationvolatility' || f === 'inflationvolatilty') return { bucket, key: 'InflationVolatility', riskWeight: ir.vegaRiskWeight };
      return { column: 'RiskFactor', value: riskFactor, expected: 'IRVolatility or InflationVolatility (MAR50.58)' };
    },
    rho: () => ir.vegaInflationCorrelation,
    gamma: () => ir.crossBucketCorrelation,
  };
}

/** MAR50.59-50.62: FX — one factor per currency other than the reporting currency. */
function foreignExchange(ctx: RulesContext, margin: SaCvaMarginType): RiskClassRules {
  const fx = ctx.parameters.foreignExchange;
  const label = margin === 'Delta' ? 'FXSpot' : 'FXVolatility';
  const riskWeight = margin === 'Delta' ? fx.deltaRiskWeight : fx.vegaRiskWeight;
  return {
    resolve(bucket, riskFactor) {
      const bad = currencyProblem(bucket);
      if (bad) return bad;
      if (ctx.reportingCurrency !== undefined && bucket === ctx.reportingCurrency)
        return { column: 'Bucket', value: bucket, expected: `a currency other than the reporting currency ${ctx.reportingCurrency} (MAR50.59)` };
      if (riskFactor.trim().toLowerCase() !== label.toLowerCase())
        return { column: 'RiskFactor', value: riskFactor, expected: `${label} (one FX ${margin.toLowerCase()} factor per currency)` };
      return { bucket, key: label, riskWeight };
    },
    rho: () => 1,
    gamma: () => fx.crossBucketCorrelation,
  };
}

/** MAR50.63-50.65: counterparty credit spread delta — NAME/TENOR factors, ρ = ρ_tenor · ρ_name · ρ_quality. */
function creditCounterparty(ctx: RulesContext): RiskClassRules {
  const cc = ctx.parameters.creditCounterparty;
  const split = (key: string): [string, string] => {
    const at = key.lastIndexOf('/');
    return [key.slice(0, at), key.slice(at + 1)];
  };
  const quality = (name: string): CreditQuality => ctx.creditNames[name]!.creditQuality;
  return {
    resolve(bucketLabel, riskFactor) {
      const label = bucketLabel.trim().toLowerCase();
      const bucket = cc.buckets[label];
      if (!bucket) {
        const hint = label === '1' ? ' (bucket 1 needs its sub-bucket for the risk weight: 1a sovereigns, 1b local government)' : '';
        return { column: 'Bucket', value: bucketLabel, expected: `one of ${Object.keys(cc.buckets).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ')}${hint}` };
      }
      const at = riskFactor.lastIndexOf('/');
      const name = at > 0 ? riskFactor.slice(0, at).trim() : '';
      const tenor = at > 0 ? tenorYearsLabel(riskFactor.slice(at + 1)) : undefined;
      if (name === '' || tenor === undefined || !cc.tenors.includes(tenor))
        return { column: 'RiskFactor', value: riskFactor, expected: `NAME/TENOR with a tenor of ${cc.tenors.join(', ')} (MAR50.64)` };
      const info = ctx.creditNames[name];
      if (!info)
        return { column: 'RiskFactor', value: riskFactor, expected: `a counterparty id of the book's counterparties table (from the xva capital command) or a name listed in the library's creditNames option: its credit quality sets the MAR50.65 risk weight` };
      // MAR50.63: each name in one sector bucket, the bank's classification of the name (the counterparties table)
      if (info.bucket !== undefined && info.bucket.toLowerCase() !== label)
        return { column: 'Bucket', value: bucketLabel, expected: `bucket ${info.bucket} for ${name}${info.bucketSource ? ` (${info.bucketSource})` : ''}: MAR50.63 puts each name in the one bucket of its sector, and the bucket sets the MAR50.65 risk weight` };
      return { bucket: bucket.group, key: `${name}/${tenor}`, riskWeight: bucket[info.creditQuality] };
    },
    rho(bucket, a, b) {
      const [nameA, tenorA] = split(a);
      const [nameB, tenorB] = split(b);
      const rhoTenor = tenorA === tenorB ? 1 : cc.differentTenorCorrelation;
      let rhoName = 1;
      if (nameA !== nameB) {
        const groupA = ctx.creditNames[nameA]!.legalGroup;
        const related = groupA !== undefined && groupA === ctx.creditNames[nameB]!.legalGroup;
        if (bucket === cc.indexBucketGroup) rhoName = related ? cc.indexSameFamilyCorrelation : cc.indexOtherCorrelation;
        else rhoName = related ? cc.legallyRelatedCorrelation : cc.unrelatedNameCorrelation;
      }
      const rhoQuality = quality(nameA) === quality(nameB) ? 1 : cc.differentQualityCorrelation;
      return rhoTenor * rhoName * rhoQuality;
    },
    gamma: (b, c) => groupCorrelation(cc.crossBucketGroups, cc.crossBucketCorrelations, b, c),
  };
}

/** MAR50.66-50.69: reference credit spread — one delta and one vega factor per bucket. */
function creditReference(ctx: RulesContext, margin: SaCvaMarginType): RiskClassRules {
  const rc = ctx.parameters.creditReference;
  const key = margin === 'Delta' ? 'ReferenceCreditSpread' : 'ReferenceCreditSpreadVolatility';
  const halving = new Set(rc.crossQualityBuckets);
  return {
    resolve(bucketLabel) {
      const bucket = bucketLabel.trim();
      const def = rc.buckets[bucket];
      if (!def) return { column: 'Bucket', value: bucketLabel, expected: `a reference credit bucket 1 to 17 (MAR50.66)` };
      return { bucket, key, riskWeight: margin === 'Delta' ? def.deltaRiskWeight : rc.vegaRiskWeight };
    },
    rho: () => 1,
    gamma(b, c) {
      const db = rc.buckets[b]!;
      const dc = rc.buckets[c]!;
      const sector = groupCorrelation(rc.crossBucketGroups, rc.crossBucketCorrelations, db.group, dc.group);
      // MAR50.67: across IG and HY/NR buckets (1-14) the sector correlation is halved.
      const crossQuality = halving.has(b) && halving.has(c) && db.quality !== dc.quality;
      return crossQuality ? sector * rc.crossQualityFactor : sector;
    },
  };
}

/** MAR50.70-50.73: equity — one delta and one vega factor per bucket. */
function equity(ctx: RulesContext, margin: SaCvaMarginType): RiskClassRules {
  const eq = ctx.parameters.equity;
  const key = margin === 'Delta' ? 'EquitySpot' : 'EquityVolatility';
  return {
    resolve(bucketLabel) {
      const bucket = bucketLabel.trim();
      const def = eq.buckets[bucket];
      if (!def) return { column: 'Bucket', value: bucketLabel, expected: 'an equity bucket 1 to 13 (MAR50.70)' };
      return { bucket, key, riskWeight: margin === 'Delta' ? def.deltaRiskWeight : def.vegaRiskWeight };
    },
    rho: () => 1,
    gamma: (b, c) => groupCorrelation(eq.crossBucketGroups, eq.crossBucketCorrelations, eq.buckets[b]!.group, eq.buckets[c]!.group),
  };
}

/** The rules for one risk type and margin type, or a problem saying why the pair cannot be computed. */
export function rulesFor(riskType: SaCvaRiskType, margin: SaCvaMarginType, ctx: RulesContext): RiskClassRules | FactorProblem {
  switch (riskType) {
    case 'InterestRate':
      return margin === 'Delta' ? interestRateDelta(ctx) : interestRateVega(ctx);
    case 'ForeignExchange':
      return foreignExchange(ctx, margin);
    case 'CreditCounterparty':
      if (margin === 'Vega') return { column: 'RiskType', value: 'CreditCounterparty Vega', expected: 'Delta only: counterparty credit spread has no vega risk (MAR50.63)' };
      return creditCounterparty(ctx);
    case 'CreditReference':
      return creditReference(ctx, margin);
    case 'Equity':
      return equity(ctx, margin);
    case 'Commodity':
      return { column: 'RiskType', value: 'Commodity', expected: 'InterestRate, ForeignExchange, CreditCounterparty, CreditReference or Equity: commodity SA-CVA is not supported yet' };
  }
}
