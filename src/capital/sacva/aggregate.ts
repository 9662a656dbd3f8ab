/**
 * SA-CVA capital from given sensitivities (Basel MAR50.41-50.53):
 *   WS_k = RW_k · (s_k^CVA − s_k^hdg),  WS_k^hdg = RW_k · s_k^hdg
 *   K_b = sqrt( Σ_k WS_k² + Σ_k Σ_{l≠k} ρ_kl WS_k WS_l + R · Σ_k (WS_k^hdg)² )          (MAR50.53)
 *   K   = m_CVA · sqrt( Σ_b K_b² + Σ_b Σ_{c≠b} γ_bc S_b S_c ),  S_b = max(min(Σ_k WS_k, K_b), −K_b)
 *   capital = Σ over risk classes and margin types of K                                 (MAR50.42)
 * Radicands are floored at 0: the supervisory correlation matrices need not be positive semi-definite.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import { SA_CVA_PARAMETERS } from './parameters.js';
import { rulesFor, type RiskClassRules } from './rules.js';
import {
  SA_CVA_MARGIN_TYPES,
  SA_CVA_RISK_TYPES,
  type SaCvaBucketResult,
  type SaCvaMarginType,
  type SaCvaOptions,
  type SaCvaResult,
  type SaCvaRiskClassResult,
  type SaCvaRiskType,
  type SaCvaSensitivity,
} from './types.js';

interface FactorSums {
  key: string;
  riskWeight: number;
  cva: number;
  hedge: number;
}

interface ClassAccumulator {
  riskType: SaCvaRiskType;
  marginType: SaCvaMarginType;
  rules: RiskClassRules;
  /** bucket → factor key → sums, in first-seen order. */
  buckets: Map<string, Map<string, FactorSums>>;
}

/** Rows for one netting set, and the portfolio-level rows (empty NettingSet), as ORE writes them side by side. */
export function splitSensitivitiesByNettingSet(records: readonly SaCvaSensitivity[]): {
  portfolio: SaCvaSensitivity[];
  nettingSets: Map<string, SaCvaSensitivity[]>;
} {
  const portfolio: SaCvaSensitivity[] = [];
  const nettingSets = new Map<string, SaCvaSensitivity[]>();
  for (const r of records) {
    if (r.nettingSetId === null) {
      portfolio.push(r);
      continue;
    }
    let list = nettingSets.get(r.nettingSetId);
    if (!list) nettingSets.set(r.nettingSetId, (list = []));
    list.push(r);
  }
  return { portfolio, nettingSets };
}

function bucketCapital(rules: RiskClassRules, bucket: string, factors: FactorSums[], r: number): SaCvaBucketResult {
  const n = factors.length;
  const ws = new Float64Array(n);
  let sumWeighted = 0;
  let hedgeSquares = 0;
  const out = factors.map((f, k) => {
    const weighted = f.riskWeight * (f.cva - f.hedge);
    const weightedHedge = f.riskWeight * f.hedge;
    ws[k] = weighted;
    sumWeighted += weighted;
    hedgeSquares += weightedHedge * weightedHedge;
    return { riskFactor: f.key, sensitivityCva: f.cva, sensitivityHedge: f.hedge, riskWeight: f.riskWeight, weighted, weightedHedge };
  });
  let quadratic = 0;
  for (let k = 0; k < n; k++) {
    quadratic += ws[k]! * ws[k]!;
    for (let l = k + 1; l < n; l++) quadratic += 2 * rules.rho(bucket, factors[k]!.key, factors[l]!.key) * ws[k]! * ws[l]!;
  }
  const kb = Math.sqrt(Math.max(0, quadratic) + r * hedgeSquares);
  const sb = Math.max(Math.min(sumWeighted, kb), -kb);
  return { bucket, kb, sumWeighted, sb, factors: out };
}

function classCapital(acc: ClassAccumulator, r: number, multiplier: number): SaCvaRiskClassResult {
  const buckets = [...acc.buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([bucket, factors]) => bucketCapital(acc.rules, bucket, [...factors.values()], r));
  let total = 0;
  for (let b = 0; b < buckets.length; b++) {
    total += buckets[b]!.kb * buckets[b]!.kb;
    for (let c = b + 1; c < buckets.length; c++)
      total += 2 * acc.rules.gamma(buckets[b]!.bucket, buckets[c]!.bucket) * buckets[b]!.sb * buckets[c]!.sb;
  }
  return { riskType: acc.riskType, marginType: acc.marginType, capital: multiplier * Math.sqrt(Math.max(0, total)), buckets };
}

/**
 * SA-CVA capital of exactly the records given (sum them first across netting sets if they are per netting set; do
 * not mix portfolio-level rows with netting-set rows — use `splitSensitivitiesByNettingSet`).
 */
export function computeSaCva(records: readonly SaCvaSensitivity[], options: SaCvaOptions = {}): SaCvaResult {
  const parameters = options.parameters ?? SA_CVA_PARAMETERS;
  const multiplier = options.multiplier ?? parameters.multiplier;
  const r = parameters.hedgingDisallowance;
  const ctx = { parameters, reportingCurrency: options.reportingCurrency, creditNames: options.creditNames ?? {} };
  const defaultFile = options.source ?? 'SA-CVA sensitivities';
  const issues: InputIssue[] = [];
  const where = (rec: SaCvaSensitivity) => ({ file: rec.source?.file ?? defaultFile, row: rec.source?.row });

  const hasPortfolioRows = records.some((rec) => rec.nettingSetId === null);
  const hasNettingSetRows = records.some((rec) => rec.nettingSetId !== null);
  if (hasPortfolioRows && hasNettingSetRows)
    issues.push({
      file: defaultFile,
      column: 'NettingSet',
      value: 'portfolio-level rows (empty NettingSet) together with netting-set rows',
      expected: 'one or the other: summing both would count every sensitivity twice (split them with splitSensitivitiesByNettingSet)',
    });
  if (!(multiplier >= 1)) issues.push({ file: defaultFile, column: 'multiplier', value: String(multiplier), expected: 'm_CVA of at least 1 (MAR50.42)' });

  const perfect = new Set((options.perfectlyHedged ?? []).map((p) => `${p.riskType}|${p.marginType}`));
  const classes = new Map<string, ClassAccumulator>();
  const problems = new Set<string>();
  for (const rec of records) {
    const classKey = `${rec.riskType}|${rec.marginType}`;
    let acc = classes.get(classKey);
    if (!acc) {
      const rules = rulesFor(rec.riskType, rec.marginType, ctx);
      if ('expected' in rules) {
        if (!problems.has(classKey)) issues.push({ ...where(rec), column: rules.column, value: rules.value, expected: rules.expected });
        problems.add(classKey);
        continue;
      }
      acc = { riskType: rec.riskType, marginType: rec.marginType, rules, buckets: new Map() };
      classes.set(classKey, acc);
    }
    if (!Number.isFinite(rec.value)) {
      issues.push({ ...where(rec), column: 'Value', value: String(rec.value), expected: 'a finite sensitivity' });
      continue;
    }
    const factor = acc.rules.resolve(rec.bucket, rec.riskFactor);
    if ('expected' in factor) {
      issues.push({ ...where(rec), column: factor.column, value: factor.value, expected: factor.expected });
      continue;
    }
    let bucket = acc.buckets.get(factor.bucket);
    if (!bucket) acc.buckets.set(factor.bucket, (bucket = new Map()));
    let sums = bucket.get(factor.key);
    if (!sums) bucket.set(factor.key, (sums = { key: factor.key, riskWeight: factor.riskWeight, cva: 0, hedge: 0 }));
    else if (sums.riskWeight !== factor.riskWeight) {
      issues.push({
        ...where(rec),
        column: 'Bucket',
        value: rec.bucket,
        expected: `the same bucket as the other rows of risk factor ${factor.key} (one name, one risk weight)`,
      });
      continue;
    }
    if (rec.cvaType === 'CvaAggregate') sums.cva += rec.value;
    else if (!perfect.has(classKey)) sums.hedge += rec.value;
  }
  if (issues.length > 0) throw new XvaInputError(issues);

  // ORE's perfect hedges: the hedge sensitivity equals the CVA sensitivity factor by factor.
  for (const [classKey, acc] of classes) {
    if (!perfect.has(classKey)) continue;
    for (const bucket of acc.buckets.values()) for (const sums of bucket.values()) sums.hedge = sums.cva;
  }

  const riskClasses: SaCvaRiskClassResult[] = [];
  for (const riskType of SA_CVA_RISK_TYPES)
    for (const marginType of SA_CVA_MARGIN_TYPES) {
      const acc = classes.get(`${riskType}|${marginType}`);
      if (acc) riskClasses.push(classCapital(acc, r, multiplier));
    }
  let deltaCapital = 0;
  let vegaCapital = 0;
  for (const rc of riskClasses) {
    if (rc.marginType === 'Delta') deltaCapital += rc.capital;
    else vegaCapital += rc.capital;
  }
  return { multiplier, riskClasses, deltaCapital, vegaCapital, capital: deltaCapital + vegaCapital };
}
