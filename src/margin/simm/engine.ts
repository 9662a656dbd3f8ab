/**
 * SIMM for one set of sensitivities (one netting set, one side, one regulation): risk-class margins by margin
 * type, product-class margins across risk classes with ψ (SIMM v2.6 §D.1), the total over product classes (§D.2)
 * and the additional IM of §J (product-class multipliers, notional factors, fixed amounts). The result is a flat
 * breakdown in ORE's simm.csv shape (product class / risk class / margin type / bucket).
 */
import type { AggregatedMargin } from './aggregate.js';
import type { SimmContext } from './context.js';
import { baseCorrelationMargin, creditCurvatureMargin, creditDeltaMargin, creditVegaMargin } from './credit.js';
import { qualifiedCurvatureMargin, qualifiedDeltaMargin, qualifiedVegaMargin } from './equityCommodity.js';
import { fxCurvatureMargin, fxDeltaMargin, fxVegaMargin } from './fx.js';
import { irCurvatureMargin, irDeltaMargin, irVegaMargin } from './interestRate.js';
import {
  SIMM_MARGIN_TYPES,
  SIMM_PRODUCT_CLASSES,
  SIMM_RISK_CLASSES,
  type SimmAddOns,
  type SimmBreakdown,
  type SimmMarginLine,
  type SimmMarginType,
  type SimmProductClass,
  type SimmRiskClass,
  type SimmSensitivity,
  type SimmSensitivityRiskType,
} from './types.js';

type Calculator = (s: readonly SimmSensitivity[], ctx: SimmContext) => AggregatedMargin | undefined;

interface Component {
  riskClass: SimmRiskClass;
  marginType: SimmMarginType;
  riskTypes: readonly SimmSensitivityRiskType[];
  compute: Calculator;
}

/** Which risk types feed which (risk class, margin type), and the formula for each (SIMM v2.6 §B, §C). */
const COMPONENTS: readonly Component[] = [
  { riskClass: 'InterestRate', marginType: 'Delta', riskTypes: ['Risk_IRCurve', 'Risk_Inflation', 'Risk_XCcyBasis'], compute: irDeltaMargin },
  { riskClass: 'InterestRate', marginType: 'Vega', riskTypes: ['Risk_IRVol', 'Risk_InflationVol'], compute: irVegaMargin },
  { riskClass: 'InterestRate', marginType: 'Curvature', riskTypes: ['Risk_IRVol', 'Risk_InflationVol'], compute: irCurvatureMargin },
  { riskClass: 'CreditQualifying', marginType: 'Delta', riskTypes: ['Risk_CreditQ'], compute: (s, c) => creditDeltaMargin('qualifying', s, c) },
  { riskClass: 'CreditQualifying', marginType: 'Vega', riskTypes: ['Risk_CreditVol'], compute: (s, c) => creditVegaMargin('qualifying', s, c) },
  { riskClass: 'CreditQualifying', marginType: 'Curvature', riskTypes: ['Risk_CreditVol'], compute: (s, c) => creditCurvatureMargin('qualifying', s, c) },
  { riskClass: 'CreditQualifying', marginType: 'BaseCorr', riskTypes: ['Risk_BaseCorr'], compute: baseCorrelationMargin },
  { riskClass: 'CreditNonQualifying', marginType: 'Delta', riskTypes: ['Risk_CreditNonQ'], compute: (s, c) => creditDeltaMargin('nonQualifying', s, c) },
  { riskClass: 'CreditNonQualifying', marginType: 'Vega', riskTypes: ['Risk_CreditVolNonQ'], compute: (s, c) => creditVegaMargin('nonQualifying', s, c) },
  { riskClass: 'CreditNonQualifying', marginType: 'Curvature', riskTypes: ['Risk_CreditVolNonQ'], compute: (s, c) => creditCurvatureMargin('nonQualifying', s, c) },
  { riskClass: 'Equity', marginType: 'Delta', riskTypes: ['Risk_Equity'], compute: (s, c) => qualifiedDeltaMargin('equity', s, c) },
  { riskClass: 'Equity', marginType: 'Vega', riskTypes: ['Risk_EquityVol'], compute: (s, c) => qualifiedVegaMargin('equity', s, c) },
  { riskClass: 'Equity', marginType: 'Curvature', riskTypes: ['Risk_EquityVol'], compute: (s, c) => qualifiedCurvatureMargin('equity', s, c) },
  { riskClass: 'Commodity', marginType: 'Delta', riskTypes: ['Risk_Commodity'], compute: (s, c) => qualifiedDeltaMargin('commodity', s, c) },
  { riskClass: 'Commodity', marginType: 'Vega', riskTypes: ['Risk_CommodityVol'], compute: (s, c) => qualifiedVegaMargin('commodity', s, c) },
  { riskClass: 'Commodity', marginType: 'Curvature', riskTypes: ['Risk_CommodityVol'], compute: (s, c) => qualifiedCurvatureMargin('commodity', s, c) },
  { riskClass: 'FX', marginType: 'Delta', riskTypes: ['Risk_FX'], compute: fxDeltaMargin },
  { riskClass: 'FX', marginType: 'Vega', riskTypes: ['Risk_FXVol'], compute: fxVegaMargin },
  { riskClass: 'FX', marginType: 'Curvature', riskTypes: ['Risk_FXVol'], compute: fxCurvatureMargin },
];

export const NO_ADDONS: SimmAddOns = { productMultipliers: [], notionalFactors: [], notionals: [], fixedAmounts: [] };

type Key = string;
const k = (pc: string, rc: string, mt: string, bucket = 'All'): Key => `${pc}|${rc}|${mt}|${bucket}`;

/** ψ-aggregation over risk classes: √(Σ IM_r² + Σ_{r≠s} ψ_rs IM_r IM_s) (SIMM v2.6 §D.1). */
function acrossRiskClasses(ctx: SimmContext, margins: Map<SimmRiskClass, number>): number {
  const classes = [...margins.keys()];
  let variance = 0;
  for (let i = 0; i < classes.length; i++) {
    const a = margins.get(classes[i]!)!;
    variance += a * a;
    for (let j = 0; j < i; j++) {
      variance += 2 * ctx.params.riskClassCorrelation(classes[i]!, classes[j]!) * a * margins.get(classes[j]!)!;
    }
  }
  return Math.sqrt(Math.max(variance, 0));
}

/** SIMM of one netting set / side / regulation, with add-ons. */
export function simmBreakdown(
  sensitivities: readonly SimmSensitivity[],
  ctx: SimmContext,
  addOns: SimmAddOns = NO_ADDONS,
): SimmBreakdown {
  const values = new Map<Key, number>();
  const order: Key[] = [];
  const set = (key: Key, value: number): void => {
    if (!values.has(key)) order.push(key);
    values.set(key, value);
  };
  const add = (key: Key, value: number): void => set(key, (values.get(key) ?? 0) + value);

  const productMargins = new Map<SimmProductClass, number>();
  for (const pc of SIMM_PRODUCT_CLASSES) {
    const ofClass = sensitivities.filter((s) => s.productClass === pc);
    if (ofClass.length === 0) continue;
    const riskClassMargins = new Map<SimmRiskClass, number>();
    const byMarginType = new Map<SimmMarginType, Map<SimmRiskClass, number>>();
    for (const c of COMPONENTS) {
      const input = ofClass.filter((s) => c.riskTypes.includes(s.riskType));
      if (input.length === 0) continue;
      const result = c.compute(input, ctx);
      if (!result) continue;
      set(k(pc, c.riskClass, c.marginType), result.margin);
      for (const [bucket, value] of result.byBucket) set(k(pc, c.riskClass, c.marginType, bucket), value);
      // SIMM v2.6 §B.12: IM_r = DeltaMargin_r + VegaMargin_r + CurvatureMargin_r + BaseCorrMargin_r.
      riskClassMargins.set(c.riskClass, (riskClassMargins.get(c.riskClass) ?? 0) + result.margin);
      let m = byMarginType.get(c.marginType);
      if (!m) byMarginType.set(c.marginType, (m = new Map()));
      m.set(c.riskClass, result.margin);
    }
    if (riskClassMargins.size === 0) continue;
    for (const rc of SIMM_RISK_CLASSES) {
      const m = riskClassMargins.get(rc);
      if (m !== undefined) set(k(pc, rc, 'All'), m);
    }
    for (const mt of SIMM_MARGIN_TYPES) {
      const m = byMarginType.get(mt);
      if (m) set(k(pc, 'All', mt), acrossRiskClasses(ctx, m));
    }
    const productMargin = acrossRiskClasses(ctx, riskClassMargins);
    set(k(pc, 'All', 'All'), productMargin);
    productMargins.set(pc, productMargin);
  }

  // SIMM v2.6 §D.2: SIMM = Σ over product classes; the 'All' product-class lines sum the product classes.
  let simm = 0;
  for (const m of productMargins.values()) simm += m;
  for (const pc of productMargins.keys()) {
    for (const rc of [...SIMM_RISK_CLASSES, 'All'] as const) {
      for (const mt of [...SIMM_MARGIN_TYPES, 'All'] as const) {
        if (rc === 'All' && mt === 'All') continue;
        const v = values.get(k(pc, rc, mt));
        if (v !== undefined) add(k('All', rc, mt), v);
      }
    }
  }

  // SIMM v2.6 §J: additional IM.
  let addOn = 0;
  for (const { productClass, multiplier } of addOns.productMultipliers) {
    const m = productMargins.get(productClass);
    if (m === undefined) continue;
    const extra = (multiplier - 1) * m;
    add(k(productClass, 'All', 'AdditionalIM'), extra);
    add(k(productClass, 'All', 'All'), extra);
    addOn += extra;
  }
  const notionalByProduct = new Map<string, number>();
  for (const n of addOns.notionals) notionalByProduct.set(n.product, (notionalByProduct.get(n.product) ?? 0) + n.notional);
  for (const f of addOns.notionalFactors) addOn += ((notionalByProduct.get(f.product) ?? 0) * f.factorPercent) / 100;
  for (const amount of addOns.fixedAmounts) addOn += amount;
  if (addOns.productMultipliers.length + addOns.notionalFactors.length + addOns.fixedAmounts.length > 0) {
    set(k('All', 'All', 'AdditionalIM'), addOn);
  }
  const total = simm + addOn;
  set(k('All', 'All', 'All'), total);

  const lines: SimmMarginLine[] = order.map((key) => {
    const [productClass, riskClass, marginType, bucket] = key.split('|') as [string, string, string, string];
    return {
      productClass: productClass as SimmMarginLine['productClass'],
      riskClass: riskClass as SimmMarginLine['riskClass'],
      marginType: marginType as SimmMarginLine['marginType'],
      bucket,
      margin: values.get(key)!,
    };
  });
  return { total, simmBeforeAddOn: simm, addOn, lines };
}

/** The margin of one breakdown line, or undefined when the breakdown has no such line. */
export function marginOf(
  breakdown: SimmBreakdown,
  productClass: SimmMarginLine['productClass'],
  riskClass: SimmMarginLine['riskClass'],
  marginType: SimmMarginLine['marginType'],
  bucket = 'All',
): number | undefined {
  return breakdown.lines.find(
    (l) => l.productClass === productClass && l.riskClass === riskClass && l.marginType === marginType && l.bucket === bucket,
  )?.margin;
}
