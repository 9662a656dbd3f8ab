/**
 * Interest-rate risk class (SIMM v2.6 §C.1 delta, §C.2 vega/curvature): one bucket per currency. Delta nets
 * Risk_IRCurve by (currency, tenor, sub-curve), with one inflation and one cross-currency-basis factor per
 * currency; vega and curvature use Risk_IRVol by (currency, expiry) and Risk_InflationVol per currency.
 */
import {
  aggregateCurvature,
  aggregateLinear,
  concentrationFactor,
  concentrationRatio,
  netBy,
  type AggregatedMargin,
  type WeightedFactor,
} from './aggregate.js';
import type { SimmContext } from './context.js';
import type { SimmSensitivity } from './types.js';

const CURVE = 'Risk_IRCurve';
const INFLATION = 'Risk_Inflation';
const XCCY = 'Risk_XCcyBasis';
const IR_VOL = 'Risk_IRVol';
const INFLATION_VOL = 'Risk_InflationVol';

/** Factor kinds stored in label2 of a WeightedFactor for the IR correlation rules. */
const KIND_INFLATION = '#inflation';
const KIND_XCCY = '#xccy';

function sumByCurrency(items: readonly SimmSensitivity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of items) out.set(s.qualifier, (out.get(s.qualifier) ?? 0) + s.amount);
  return out;
}

/** SIMM v2.6 §C.1: IR delta margin. */
export function irDeltaMargin(sensitivities: readonly SimmSensitivity[], ctx: SimmContext): AggregatedMargin | undefined {
  const p = ctx.params;
  const curve = netBy(
    sensitivities.filter((s) => s.riskType === CURVE),
    (s) => `${s.qualifier}|${s.label1}|${s.label2}`,
  );
  const inflation = sumByCurrency(sensitivities.filter((s) => s.riskType === INFLATION));
  const xccy = sumByCurrency(sensitivities.filter((s) => s.riskType === XCCY));
  if (curve.length === 0 && inflation.size === 0 && xccy.size === 0) return undefined;

  // SIMM v2.6 §C.1.3: CR_b over Risk_IRCurve and Risk_Inflation of the currency (cross-currency basis excluded).
  const net = new Map<string, number>();
  for (const s of curve) net.set(s.qualifier, (net.get(s.qualifier) ?? 0) + s.amount);
  for (const [ccy, amount] of inflation) net.set(ccy, (net.get(ccy) ?? 0) + amount);
  for (const ccy of xccy.keys()) if (!net.has(ccy)) net.set(ccy, 0);
  const cr = new Map<string, number>();
  for (const [ccy, amount] of net) {
    cr.set(ccy, concentrationFactor(amount, ctx.thresholdAmount(p.irDeltaThresholdUsdMm(ccy)), p.concentrationApplies));
  }

  const factors: WeightedFactor[] = [];
  // SIMM v2.6 §C.1.2: WS_{k,i} = RW_k · s_{k,i} · CR_b.
  for (const s of curve) {
    const c = cr.get(s.qualifier)!;
    factors.push({ ...key(s), ws: p.irDeltaRiskWeight(s.qualifier, s.label1) * s.amount * c, concentration: c });
  }
  for (const [ccy, amount] of inflation) {
    const c = cr.get(ccy)!;
    factors.push(irFactor(ccy, KIND_INFLATION, p.irInflationRiskWeight() * amount * c, c));
  }
  // SIMM v2.6 §C.1.2: the cross-currency basis sensitivity is not scaled by CR_b.
  for (const [ccy, amount] of xccy) factors.push(irFactor(ccy, KIND_XCCY, p.irXccyBasisRiskWeight() * amount, cr.get(ccy)!));

  const rho = p.irCorrelations;
  // SIMM v2.6 §C.1.4: tenor ρ_kl × sub-curve φ_ij; inflation vs curve; cross-currency basis vs anything.
  const intra = (a: WeightedFactor, b: WeightedFactor): number => {
    const ax = a.label2 === KIND_XCCY;
    const bx = b.label2 === KIND_XCCY;
    if (ax || bx) return ax && bx ? 1 : rho.xccy_basis_vs_yield_curve_or_inflation_correlation;
    const ai = a.label2 === KIND_INFLATION;
    const bi = b.label2 === KIND_INFLATION;
    if (ai || bi) return ai && bi ? 1 : rho.inflation_vs_yield_curve_correlation;
    const phi = a.label2 === b.label2 ? 1 : rho.sub_curve_correlation;
    return p.irTenorCorrelation(a.label1, b.label1) * phi;
  };
  // SIMM v2.6 §C.1.5: γ_bc · g_bc with g_bc = min(CR_b, CR_c) / max(CR_b, CR_c).
  const inter = (b: string, c: string): number => rho.inter_currency_gamma * concentrationRatio(cr.get(b)!, cr.get(c)!);
  return aggregateLinear(factors, intra, inter);
}

function key(s: SimmSensitivity): Pick<WeightedFactor, 'bucket' | 'qualifier' | 'label1' | 'label2'> {
  return { bucket: s.qualifier, qualifier: s.qualifier, label1: s.label1, label2: s.label2 };
}

function irFactor(ccy: string, kind: string, ws: number, concentration: number): WeightedFactor {
  return { bucket: ccy, qualifier: ccy, label1: '', label2: kind, ws, concentration };
}

/** Vol factors: Risk_IRVol per (currency, expiry); Risk_InflationVol summed per currency (SIMM v2.6 §C.2). */
function volFactors(sensitivities: readonly SimmSensitivity[]): { ir: SimmSensitivity[]; inflation: SimmSensitivity[] } {
  return {
    ir: netBy(
      sensitivities.filter((s) => s.riskType === IR_VOL),
      (s) => `${s.qualifier}|${s.label1}`,
    ),
    inflation: netBy(
      sensitivities.filter((s) => s.riskType === INFLATION_VOL),
      (s) => `${s.qualifier}|${s.label1}`,
    ),
  };
}

function volIntra(ctx: SimmContext): (a: WeightedFactor, b: WeightedFactor) => number {
  const p = ctx.params;
  return (a, b) => {
    const ai = a.label2 === KIND_INFLATION;
    const bi = b.label2 === KIND_INFLATION;
    // SIMM v2.6 §C.2: inflation vol against inflation vol is fully correlated; against IR vol as inflation delta.
    if (ai || bi) return ai && bi ? 1 : p.irCorrelations.inflation_vs_yield_curve_correlation;
    return p.irTenorCorrelation(a.label1, b.label1);
  };
}

/** SIMM v2.6 §C.2 (vega): VR_k = Σ CRIF vega, WS = VRW · VR_k · VCR_b; currencies with γ · g_bc(VCR). */
export function irVegaMargin(sensitivities: readonly SimmSensitivity[], ctx: SimmContext): AggregatedMargin | undefined {
  const p = ctx.params;
  const { ir, inflation } = volFactors(sensitivities);
  if (ir.length === 0 && inflation.length === 0) return undefined;
  const net = new Map<string, number>();
  for (const s of [...ir, ...inflation]) net.set(s.qualifier, (net.get(s.qualifier) ?? 0) + s.amount);
  const vcr = new Map<string, number>();
  for (const [ccy, amount] of net) {
    vcr.set(ccy, concentrationFactor(amount, ctx.thresholdAmount(p.irVegaThresholdUsdMm(ccy)), p.concentrationApplies));
  }
  const vrw = p.irVegaRiskWeight();
  const factors: WeightedFactor[] = [];
  for (const s of ir) {
    const c = vcr.get(s.qualifier)!;
    factors.push({ ...key(s), label2: '', ws: vrw * s.amount * c, concentration: c });
  }
  for (const s of inflation) {
    const c = vcr.get(s.qualifier)!;
    factors.push({ ...key(s), label2: KIND_INFLATION, ws: vrw * s.amount * c, concentration: c });
  }
  const gamma = p.irCorrelations.inter_currency_gamma;
  return aggregateLinear(factors, volIntra(ctx), (b, c) => gamma * concentrationRatio(vcr.get(b)!, vcr.get(c)!));
}

/**
 * SIMM v2.6 §C.2 / §B.11 (curvature): CVR = SF(t) · CRIF vega; inflation vol summed per currency into one CVR;
 * K_b with ρ², currencies with γ²; the IR curvature margin is scaled by 1/HVR_IR² (SIMM v2.6 §B.11(g)).
 */
export function irCurvatureMargin(
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
): AggregatedMargin | undefined {
  const p = ctx.params;
  const { ir, inflation } = volFactors(sensitivities);
  if (ir.length === 0 && inflation.length === 0) return undefined;
  const factors: WeightedFactor[] = [];
  for (const s of ir) factors.push({ ...key(s), label2: '', ws: p.curvatureScale(s.label1) * s.amount, concentration: 1 });
  const inflationCvr = new Map<string, number>();
  for (const s of inflation) {
    inflationCvr.set(s.qualifier, (inflationCvr.get(s.qualifier) ?? 0) + p.curvatureScale(s.label1) * s.amount);
  }
  for (const [ccy, cvr] of inflationCvr) factors.push(irFactor(ccy, KIND_INFLATION, cvr, 1));
  const gamma = p.irCorrelations.inter_currency_gamma;
  const result = aggregateCurvature(factors, volIntra(ctx), () => gamma);
  const hvr = p.irHvr();
  return { margin: result.margin / (hvr * hvr), byBucket: result.byBucket };
}
