/**
 * Credit risk classes: qualifying (SIMM v2.6 §C.3 delta incl. base correlation, §C.4 vega/curvature) and
 * non-qualifying (§C.5). A risk factor is (issuer/seniority qualifier, tenor, Label2); buckets come from the CRIF;
 * the residual bucket is aggregated on its own and added outside the root.
 */
import {
  RESIDUAL,
  aggregateCurvature,
  aggregateLinear,
  concentrationFactor,
  concentrationRatio,
  netBy,
  type AggregatedMargin,
  type WeightedFactor,
} from './aggregate.js';
import type { SimmContext } from './context.js';
import type { SimmParameters } from './parameters.js';
import type { SimmSensitivity } from './types.js';

export type CreditKind = 'qualifying' | 'nonQualifying';

const factorKey = (s: SimmSensitivity): string => `${s.bucket}|${s.qualifier}|${s.label1}|${s.label2}`;

/** ρ_kl within a bucket (SIMM v2.6 §C.3.4 qualifying, §C.5.3 non-qualifying); γ between buckets. */
function creditCorrelations(
  kind: CreditKind,
  p: SimmParameters,
): { intra: (a: WeightedFactor, b: WeightedFactor) => number; inter: (b: string, c: string) => number } {
  if (kind === 'qualifying') {
    const c = p.file.credit_qualifying.correlations;
    const index = new Map(c.inter_bucket.buckets!.map((b, i) => [b, i]));
    return {
      intra: (a, b) => {
        if (a.bucket === RESIDUAL)
          return a.qualifier === b.qualifier ? c.residual_bucket_same_qualifier : c.residual_bucket_different_qualifier;
        return a.qualifier === b.qualifier ? c.intra_bucket_same_qualifier : c.intra_bucket_different_qualifier;
      },
      inter: (b, d) => c.inter_bucket.matrix[index.get(b)!]![index.get(d)!]!,
    };
  }
  const c = p.file.credit_non_qualifying.correlations;
  return {
    // SIMM v2.6 §C.5.3: 'same' means the same group of underlying names, which the CRIF carries in Label2
    // (e.g. CMBX, ABX); ORE reads it the same way.
    intra: (a, b) => {
      if (a.bucket === RESIDUAL)
        return a.qualifier === b.qualifier ? c.residual_bucket_same_qualifier : c.residual_bucket_different_qualifier;
      return a.label2 === b.label2 ? c.intra_bucket_same_qualifier : c.intra_bucket_different_qualifier;
    },
    inter: () => c.inter_bucket_non_residual,
  };
}

function withConcentration(
  intra: (a: WeightedFactor, b: WeightedFactor) => number,
): (a: WeightedFactor, b: WeightedFactor) => number {
  return (a, b) => intra(a, b) * concentrationRatio(a.concentration, b.concentration);
}

function section(kind: CreditKind, p: SimmParameters) {
  return kind === 'qualifying' ? p.file.credit_qualifying : p.file.credit_non_qualifying;
}

/** Σ s per (bucket, qualifier): the net sensitivity behind CR_k / VCR_k (SIMM v2.6 §B.8(a), §B.10(c)). */
function netByQualifier(items: readonly SimmSensitivity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of items) out.set(`${s.bucket}|${s.qualifier}`, (out.get(`${s.bucket}|${s.qualifier}`) ?? 0) + s.amount);
  return out;
}

/** SIMM v2.6 §C.3 / §C.5: credit delta, WS_k = RW_b · s_k · CR_k. */
export function creditDeltaMargin(
  kind: CreditKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const items = netBy(sensitivities, factorKey);
  if (items.length === 0) return undefined;
  const sec = section(kind, p);
  const rw = sec.delta_risk_weights[p.horizon];
  const thresholds = sec.concentration_thresholds.delta_usd_mm_per_bp;
  const net = netByQualifier(items);
  const factors = items.map((s): WeightedFactor => {
    const cr = concentrationFactor(
      net.get(`${s.bucket}|${s.qualifier}`)!,
      ctx.thresholdAmount(thresholds[s.bucket]!),
      p.concentrationApplies,
    );
    return { bucket: s.bucket, qualifier: s.qualifier, label1: s.label1, label2: s.label2, ws: rw[s.bucket]! * s.amount * cr, concentration: cr };
  });
  const { intra, inter } = creditCorrelations(kind, p);
  return aggregateLinear(factors, withConcentration(intra), inter);
}

/** SIMM v2.6 §C.4 / §C.5: credit vega, VR_k = Σ CRIF vega, WS_k = VRW · VR_k · VCR_k. */
export function creditVegaMargin(
  kind: CreditKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const items = netBy(sensitivities, factorKey);
  if (items.length === 0) return undefined;
  const sec = section(kind, p);
  const vrw = sec.vega_risk_weight[p.horizon];
  const threshold = ctx.thresholdAmount(sec.concentration_thresholds.vega_usd_mm);
  const net = netByQualifier(items);
  const factors = items.map((s): WeightedFactor => {
    const vcr = concentrationFactor(net.get(`${s.bucket}|${s.qualifier}`)!, threshold, p.concentrationApplies);
    return { bucket: s.bucket, qualifier: s.qualifier, label1: s.label1, label2: s.label2, ws: vrw * s.amount * vcr, concentration: vcr };
  });
  const { intra, inter } = creditCorrelations(kind, p);
  return aggregateLinear(factors, withConcentration(intra), inter);
}

/** SIMM v2.6 §C.4 / §B.11: credit curvature, CVR_k = SF(t_k) · CRIF vega; ρ² within, γ² across buckets. */
export function creditCurvatureMargin(
  kind: CreditKind,
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const items = netBy(sensitivities, factorKey);
  if (items.length === 0) return undefined;
  const factors = items.map(
    (s): WeightedFactor => ({
      bucket: s.bucket,
      qualifier: s.qualifier,
      label1: s.label1,
      label2: s.label2,
      ws: p.curvatureScale(s.label1) * s.amount,
      concentration: 1,
    }),
  );
  const { intra, inter } = creditCorrelations(kind, p);
  return aggregateCurvature(factors, intra, inter);
}

/**
 * SIMM v2.6 §C.3.5: base-correlation margin (credit qualifying). One factor per index family (qualifier),
 * WS_k = RW_BC · s_k, ρ between different families from the parameters; no concentration threshold.
 */
export function baseCorrelationMargin(
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const items = netBy(sensitivities, (s) => s.qualifier);
  if (items.length === 0) return undefined;
  const rw = p.file.credit_qualifying.base_correlation_risk_weight[p.horizon];
  const rho = p.file.credit_qualifying.correlations.base_correlation_between_qualifiers;
  const factors = items.map(
    (s): WeightedFactor => ({ bucket: 'All', qualifier: s.qualifier, label1: '', label2: '', ws: rw * s.amount, concentration: 1 }),
  );
  const result = aggregateLinear(factors, () => rho, () => 0);
  return { margin: result.margin, byBucket: new Map() };
}
