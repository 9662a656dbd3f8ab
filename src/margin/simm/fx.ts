/**
 * FX risk class (SIMM v2.6 §C.6 delta, §C.11 vega/curvature): a single bucket. Delta has one factor per currency
 * (the calculation currency itself carries no FX risk and is skipped); vega and curvature one per currency pair.
 * The breakdown is by currency / pair (|WS_k| for delta and vega, CVR_k for curvature), as ORE reports it.
 */
import { aggregateCurvature, aggregateLinear, concentrationFactor, concentrationRatio, type AggregatedMargin, type WeightedFactor } from './aggregate.js';
import type { SimmContext } from './context.js';
import type { SimmSensitivity } from './types.js';

const BUCKET = 'FX';

function netByQualifier(
  items: readonly SimmSensitivity[],
  value: (s: SimmSensitivity) => number,
  key: (qualifier: string) => string = (q) => q,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of items) out.set(key(s.qualifier), (out.get(key(s.qualifier)) ?? 0) + value(s));
  return out;
}

/** The two currencies of an FX vol qualifier such as `USDJPY` (also `USD/JPY`). */
export function currencyPair(qualifier: string): [string, string] {
  const letters = qualifier.replace(/[^A-Za-z]/g, '').toUpperCase();
  return [letters.slice(0, 3), letters.slice(3, 6)];
}

/**
 * The risk factor of an FX vol qualifier: the volatility of USDGBP is that of GBPUSD, so the pair is keyed with its
 * currencies in alphabetical order (ISDA unit test C350, "FXV aggregate (swapped currencies)").
 */
function pairKey(qualifier: string): string {
  const [a, b] = currencyPair(qualifier);
  return a <= b ? `${a}${b}` : `${b}${a}`;
}

function breakdown(factors: readonly WeightedFactor[], margin: number, abs: boolean): AggregatedMargin {
  const byBucket = new Map<string, number>();
  for (const f of factors) byBucket.set(f.qualifier, abs ? Math.abs(f.ws) : f.ws);
  return { margin, byBucket };
}

/** SIMM v2.6 §C.6: WS_k = RW_k · s_k · CR_k, ρ by volatility groups and the calculation currency's group, × f_kl. */
export function fxDeltaMargin(sensitivities: readonly SimmSensitivity[], ctx: SimmContext): AggregatedMargin | undefined {
  const p = ctx.params;
  const calc = ctx.calculationCurrency;
  // SIMM v2.6 §C.6.1: sensitivities to the calculation currency itself are not FX risk.
  const net = netByQualifier(
    sensitivities.filter((s) => s.qualifier !== calc),
    (s) => s.amount,
  );
  if (net.size === 0) return undefined;
  const factors: WeightedFactor[] = [];
  for (const [ccy, amount] of net) {
    const cr = concentrationFactor(amount, ctx.thresholdAmount(p.fxDeltaThresholdUsdMm(ccy)), p.concentrationApplies);
    factors.push({ bucket: BUCKET, qualifier: ccy, label1: '', label2: '', ws: p.fxDeltaRiskWeight(ccy, calc) * amount * cr, concentration: cr });
  }
  const result = aggregateLinear(
    factors,
    (a, b) => p.fxDeltaCorrelation(a.qualifier, b.qualifier, calc) * concentrationRatio(a.concentration, b.concentration),
    () => 0,
  );
  return breakdown(factors, result.margin, true);
}

/** σ of a currency pair: the FX delta RW of (first currency's group, second currency's group) (SIMM v2.6 §B.10(b)). */
function pairSigma(ctx: SimmContext, qualifier: string): number {
  const [a, b] = currencyPair(qualifier);
  return ctx.params.fxDeltaRiskWeight(a, b) * ctx.params.sigmaMultiplier;
}

/** SIMM v2.6 §C.11: VR_k = HVR_FX · σ_k · Σ_j vega_kj; WS_k = VRW · VR_k · VCR_k; ρ = the FX vega correlation × f_kl. */
export function fxVegaMargin(sensitivities: readonly SimmSensitivity[], ctx: SimmContext): AggregatedMargin | undefined {
  const p = ctx.params;
  if (sensitivities.length === 0) return undefined;
  const hvr = p.file.fx.historical_volatility_ratio[p.horizon];
  const vrw = p.file.fx.vega_risk_weight[p.horizon];
  const rho = p.file.fx.correlations.vega_and_curvature;
  const net = netByQualifier(sensitivities, (s) => hvr * pairSigma(ctx, s.qualifier) * s.amount, pairKey);
  const factors: WeightedFactor[] = [];
  for (const [pair, vr] of net) {
    const [a, b] = currencyPair(pair);
    const vcr = concentrationFactor(vr, ctx.thresholdAmount(p.fxVegaThresholdUsdMm(a, b)), p.concentrationApplies);
    factors.push({ bucket: BUCKET, qualifier: pair, label1: '', label2: '', ws: vrw * vr * vcr, concentration: vcr });
  }
  const result = aggregateLinear(factors, (a, b) => rho * concentrationRatio(a.concentration, b.concentration), () => 0);
  return breakdown(factors, result.margin, true);
}

/** SIMM v2.6 §C.11 / §B.11: CVR_k = Σ_j SF(t_kj) · σ_k · vega_kj; ρ² within the single bucket. */
export function fxCurvatureMargin(sensitivities: readonly SimmSensitivity[], ctx: SimmContext): AggregatedMargin | undefined {
  const p = ctx.params;
  if (sensitivities.length === 0) return undefined;
  const rho = p.file.fx.correlations.vega_and_curvature;
  const net = netByQualifier(
    sensitivities,
    (s) => p.curvatureScale(s.label1) * pairSigma(ctx, s.qualifier) * s.amount,
    pairKey,
  );
  const factors: WeightedFactor[] = [];
  for (const [pair, cvr] of net) factors.push({ bucket: BUCKET, qualifier: pair, label1: '', label2: '', ws: cvr, concentration: 1 });
  const result = aggregateCurvature(factors, () => rho, () => 0);
  return breakdown(factors, result.margin, true);
}
