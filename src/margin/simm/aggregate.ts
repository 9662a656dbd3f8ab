/**
 * The aggregation algebra shared by every SIMM risk class: weighted sensitivities → bucket aggregates K_b →
 * margin across buckets, and the curvature variant with θ and λ. Risk-class modules supply the weighted
 * sensitivities and the correlations; nothing here knows a risk weight.
 */
import { curvatureLambda } from './parameters.js';

export const RESIDUAL = 'Residual';

/** One risk factor after netting, with its weighted sensitivity (or CVR for curvature). */
export interface WeightedFactor {
  bucket: string;
  qualifier: string;
  label1: string;
  label2: string;
  /** Weighted sensitivity WS_k (delta/vega) or curvature risk CVR_k. */
  ws: number;
  /** Concentration factor CR_k (VCR_k for vega); 1 where none applies. */
  concentration: number;
}

export interface AggregatedMargin {
  /** Margin of the risk class for this margin type. */
  margin: number;
  /** K_b per bucket (IR and FX: per currency/qualifier); the residual entry is its own contribution. */
  byBucket: Map<string, number>;
}

/** Groups factors by bucket, keeping first-seen order of buckets. */
function byBucket(factors: readonly WeightedFactor[]): Map<string, WeightedFactor[]> {
  const groups = new Map<string, WeightedFactor[]>();
  for (const f of factors) {
    const list = groups.get(f.bucket);
    if (list) list.push(f);
    else groups.set(f.bucket, [f]);
  }
  return groups;
}

/** SIMM v2.6 §B.8(b): K_b = √(Σ_k WS_k² + Σ_{k≠l} ρ_kl f_kl WS_k WS_l), floored at 0 under the root. */
function bucketAggregate(
  factors: readonly WeightedFactor[],
  correlation: (a: WeightedFactor, b: WeightedFactor) => number,
  square: boolean,
): { k: number; sum: number } {
  let variance = 0;
  let sum = 0;
  for (let i = 0; i < factors.length; i++) {
    const a = factors[i]!;
    sum += a.ws;
    variance += a.ws * a.ws;
    for (let j = 0; j < i; j++) {
      const b = factors[j]!;
      const rho = correlation(a, b);
      variance += 2 * (square ? rho * rho : rho) * a.ws * b.ws;
    }
  }
  return { k: Math.sqrt(Math.max(variance, 0)), sum };
}

/** S_b = max(min(Σ_k WS_k, K_b), −K_b) (SIMM v2.6 §B.8(c)). */
function clampedSum(sum: number, k: number): number {
  return Math.max(Math.min(sum, k), -k);
}

/**
 * SIMM v2.6 §B.8(c) (delta) and §B.10(e) (vega): margin = √(Σ_b K_b² + Σ_{b≠c} γ_bc S_b S_c) over non-residual
 * buckets, plus K_residual outside the root. `intra` returns ρ_kl·f_kl for two factors of one bucket; `inter`
 * returns γ_bc (times g_bc where the class has one) for two buckets.
 */
export function aggregateLinear(
  factors: readonly WeightedFactor[],
  intra: (a: WeightedFactor, b: WeightedFactor) => number,
  inter: (bucketA: string, bucketB: string) => number,
): AggregatedMargin {
  const groups = byBucket(factors);
  const buckets: string[] = [];
  const ks: number[] = [];
  const sums: number[] = [];
  const result = new Map<string, number>();
  let residual = 0;
  for (const [bucket, list] of groups) {
    const { k, sum } = bucketAggregate(list, intra, false);
    result.set(bucket, k);
    if (bucket === RESIDUAL) residual = k;
    else {
      buckets.push(bucket);
      ks.push(k);
      sums.push(clampedSum(sum, k));
    }
  }
  let variance = 0;
  for (let b = 0; b < buckets.length; b++) {
    variance += ks[b]! * ks[b]!;
    for (let c = 0; c < b; c++) variance += 2 * inter(buckets[b]!, buckets[c]!) * sums[b]! * sums[c]!;
  }
  return { margin: Math.sqrt(Math.max(variance, 0)) + residual, byBucket: result };
}

/**
 * SIMM v2.6 §B.11(c)-(f): curvature. K_b uses ρ² (and no concentration factor), buckets combine with γ², and
 * margin = max(Σ CVR + λ(θ)·√(Σ K_b² + Σ γ² S_b S_c), 0) with θ = min(Σ CVR / Σ |CVR|, 0). The residual bucket
 * is computed the same way on its own (own θ, λ) and added. `byBucket` holds K_b, and for the residual its margin.
 */
export function aggregateCurvature(
  factors: readonly WeightedFactor[],
  intra: (a: WeightedFactor, b: WeightedFactor) => number,
  inter: (bucketA: string, bucketB: string) => number,
): AggregatedMargin {
  const groups = byBucket(factors);
  const buckets: string[] = [];
  const ks: number[] = [];
  const sums: number[] = [];
  const result = new Map<string, number>();
  let sumCvr = 0;
  let sumAbsCvr = 0;
  let residualK = 0;
  let residualSum = 0;
  let residualAbs = 0;
  let hasResidual = false;
  for (const [bucket, list] of groups) {
    const { k, sum } = bucketAggregate(list, intra, true);
    let abs = 0;
    for (const f of list) abs += Math.abs(f.ws);
    result.set(bucket, k);
    if (bucket === RESIDUAL) {
      hasResidual = true;
      residualK = k;
      residualSum = sum;
      residualAbs = abs;
    } else {
      buckets.push(bucket);
      ks.push(k);
      sums.push(clampedSum(sum, k));
      sumCvr += sum;
      sumAbsCvr += abs;
    }
  }
  let margin = 0;
  if (sumAbsCvr > 0) {
    let variance = 0;
    for (let b = 0; b < buckets.length; b++) {
      variance += ks[b]! * ks[b]!;
      for (let c = 0; c < b; c++) {
        const gamma = inter(buckets[b]!, buckets[c]!);
        variance += 2 * gamma * gamma * sums[b]! * sums[c]!;
      }
    }
    const theta = Math.min(sumCvr / sumAbsCvr, 0);
    margin = Math.max(sumCvr + curvatureLambda(theta) * Math.sqrt(Math.max(variance, 0)), 0);
  }
  if (hasResidual) {
    let residualMargin = 0;
    if (residualAbs > 0) {
      const theta = Math.min(residualSum / residualAbs, 0);
      residualMargin = Math.max(residualSum + curvatureLambda(theta) * residualK, 0);
    }
    result.set(RESIDUAL, residualMargin);
    margin += residualMargin;
  }
  return { margin, byBucket: result };
}

/** SIMM v2.6 §B.8(a): CR = max(1, √(|Σ s| / T)); T ≤ 0 or off (1-day) gives 1. */
export function concentrationFactor(netSensitivity: number, threshold: number, applies: boolean): number {
  if (!applies || !(threshold > 0) || !Number.isFinite(threshold)) return 1;
  return Math.max(1, Math.sqrt(Math.abs(netSensitivity) / threshold));
}

/** f_kl = min(CR_k, CR_l) / max(CR_k, CR_l) (SIMM v2.6 §B.8(b)); also g_bc for IR. */
export function concentrationRatio(a: number, b: number): number {
  return Math.min(a, b) / Math.max(a, b);
}

/** Nets sensitivities with the same key (summing amounts), keeping first-seen order. */
export function netBy<T extends { amount: number }>(items: readonly T[], key: (item: T) => string): T[] {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const prior = out.get(k);
    if (prior) prior.amount += item.amount;
    else out.set(k, { ...item });
  }
  return [...out.values()];
}
