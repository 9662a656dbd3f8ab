/**
 * Equity (SIMM v2.6 §C.7 delta, §C.8 vega/curvature) and commodity (§C.9, §C.10) risk classes. One risk factor per
 * qualifier (issuer / commodity) in its CRIF bucket; vega and curvature turn the CRIF vega into a volatility-
 * weighted risk with σ = RW·√(365/(1.4·MPoR))/Φ⁻¹(0.99) (§B.10(b)).
 */
import {
  RESIDUAL,
  aggregateCurvature,
  aggregateLinear,
  concentrationFactor,
  concentrationRatio,
  type AggregatedMargin,
  type WeightedFactor,
} from './aggregate.js';
import type { SimmContext } from './context.js';
import type { SimmParameters } from './parameters.js';
import type { SimmSensitivity } from './types.js';

export type QualifiedKind = 'equity' | 'commodity';

interface Spec {
  deltaRw: Record<string, number>;
  vegaRw: (bucket: string) => number;
  hvr: number;
  intra: Record<string, number>;
  interBuckets: Map<string, number>;
  interMatrix: number[][];
  deltaThreshold: Record<string, number>;
  vegaThreshold: Record<string, number>;
}

function spec(kind: QualifiedKind, p: SimmParameters): Spec {
  const h = p.horizon;
  if (kind === 'equity') {
    const e = p.file.equity;
    return {
      deltaRw: e.delta_risk_weights[h],
      vegaRw: (b) => e.vega_risk_weight[h][b]!,
      hvr: e.historical_volatility_ratio[h],
      intra: e.correlations.intra_bucket,
      interBuckets: new Map(e.correlations.inter_bucket.buckets!.map((b, i) => [b, i])),
      interMatrix: e.correlations.inter_bucket.matrix,
      deltaThreshold: e.concentration_thresholds.delta_usd_mm_per_pct,
      vegaThreshold: e.concentration_thresholds.vega_usd_mm,
    };
  }
  const c = p.file.commodity;
  return {
    deltaRw: c.delta_risk_weights[h],
    vegaRw: () => c.vega_risk_weight[h],
    hvr: c.historical_volatility_ratio[h],
    intra: c.correlations.intra_bucket,
    interBuckets: new Map(c.correlations.inter_bucket.buckets!.map((b, i) => [b, i])),
    interMatrix: c.correlations.inter_bucket.matrix,
    deltaThreshold: c.concentration_thresholds.delta_usd_mm_per_pct,
    vegaThreshold: c.concentration_thresholds.vega_usd_mm,
  };
}

/** ρ_kl: 1 for the same qualifier, the bucket's ρ otherwise, 0 in the residual bucket (SIMM v2.6 §C.7.3, §C.9.3). */
function intraCorrelation(s: Spec): (a: WeightedFactor, b: WeightedFactor) => number {
  return (a, b) => {
    if (a.qualifier === b.qualifier) return 1;
    if (a.bucket === RESIDUAL) return 0;
    return s.intra[a.bucket]!;
  };
}

function interCorrelation(s: Spec): (b: string, c: string) => number {
  return (b, c) => s.interMatrix[s.interBuckets.get(b)!]![s.interBuckets.get(c)!]!;
}

/** Sums per (bucket, qualifier) of `value(s)`, keeping first-seen order. */
function perQualifier(
  sensitivities: readonly SimmSensitivity[],
  value: (s: SimmSensitivity) => number,
): { bucket: string; qualifier: string; amount: number }[] {
  const out = new Map<string, { bucket: string; qualifier: string; amount: number }>();
  for (const s of sensitivities) {
    const key = `${s.bucket}|${s.qualifier}`;
    const prior = out.get(key);
    if (prior) prior.amount += value(s);
    else out.set(key, { bucket: s.bucket, qualifier: s.qualifier, amount: value(s) });
  }
  return [...out.values()];
}

/** SIMM v2.6 §C.7.2 / §C.9.2: WS_k = RW_b · s_k · CR_k, CR_k from the net sensitivity of the qualifier. */
export function qualifiedDeltaMargin(
  kind: QualifiedKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const s = spec(kind, p);
  const items = perQualifier(sensitivities, (x) => x.amount);
  if (items.length === 0) return undefined;
  const factors = items.map((q): WeightedFactor => {
    const cr = concentrationFactor(q.amount, ctx.thresholdAmount(s.deltaThreshold[q.bucket]!), p.concentrationApplies);
    return { bucket: q.bucket, qualifier: q.qualifier, label1: '', label2: '', ws: s.deltaRw[q.bucket]! * q.amount * cr, concentration: cr };
  });
  const intra = intraCorrelation(s);
  return aggregateLinear(
    factors,
    (a, b) => intra(a, b) * concentrationRatio(a.concentration, b.concentration),
    interCorrelation(s),
  );
}

/** σ_k of SIMM v2.6 §B.10(b): the delta RW of the bucket times √(365/(1.4·MPoR))/Φ⁻¹(0.99). */
function sigma(s: Spec, p: SimmParameters, bucket: string): number {
  return s.deltaRw[bucket]! * p.sigmaMultiplier;
}

/**
 * SIMM v2.6 §B.10: VR_k = HVR · Σ_j σ_k · ∂V/∂σ_kj; WS_k = VRW_b · VR_k · VCR_k with VCR_k = max(1, √(|VR_k|/VT_b)).
 */
export function qualifiedVegaMargin(
  kind: QualifiedKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const s = spec(kind, p);
  const items = perQualifier(sensitivities, (x) => s.hvr * sigma(s, p, x.bucket) * x.amount);
  if (items.length === 0) return undefined;
  const factors = items.map((q): WeightedFactor => {
    const vcr = concentrationFactor(q.amount, ctx.thresholdAmount(s.vegaThreshold[q.bucket]!), p.concentrationApplies);
    return { bucket: q.bucket, qualifier: q.qualifier, label1: '', label2: '', ws: s.vegaRw(q.bucket) * q.amount * vcr, concentration: vcr };
  });
  const intra = intraCorrelation(s);
  return aggregateLinear(
    factors,
    (a, b) => intra(a, b) * concentrationRatio(a.concentration, b.concentration),
    interCorrelation(s),
  );
}

/** Equity bucket 12 (volatility indices) carries no curvature risk from SIMM v2.2 on (SIMM v2.6 §C.8). */
const EQUITY_NO_CURVATURE_BUCKET = '12';

/** SIMM v2.6 §B.11(b): CVR_k = Σ_j SF(t_kj) · σ_k · ∂V/∂σ_kj (no HVR). */
export function qualifiedCurvatureMargin(
  kind: QualifiedKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const s = spec(kind, p);
  const items = perQualifier(sensitivities, (x) =>
    kind === 'equity' && x.bucket === EQUITY_NO_CURVATURE_BUCKET
      ? 0
      : p.curvatureScale(x.label1) * sigma(s, p, x.bucket) * x.amount,
  );
  if (items.length === 0) return undefined;
  const factors = items.map(
    (q): WeightedFactor => ({ bucket: q.bucket, qualifier: q.qualifier, label1: '', label2: '', ws: q.amount, concentration: 1 }),
  );
  return aggregateCurvature(factors, intraCorrelation(s), interCorrelation(s));
}
