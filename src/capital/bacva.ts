/**
 * BA-CVA, the basic approach to CVA risk capital (Basel MAR50.13-50.26, July 2020 revision), reduced and full.
 *
 * Inputs are per counterparty (sector and credit quality → Table 1 risk weight; netting sets with EAD, effective
 * maturity M and the supervisory discount factor DF) plus eligible single-name and index CDS hedges. Every
 * supervisory number (α, ρ, DS, β, Table 1, r_hc, the 0.7 index scalar) comes from parameters/bacva.json.
 *
 * Effective maturity (MAR50.16): M_NS is the CRE32 effective maturity of the netting set WITHOUT the 5-year cap.
 * This module takes M as an input; `notionalWeightedMaturityYears` (CRE32.47, the default convention documented in
 * docs/capital-cva.md) and `cashFlowWeightedMaturityYears` (CRE32.46(a), ORE's convention) compute it.
 */
import { XvaInputError, type InputIssue } from '../errors.js';
import parameterFile from './parameters/bacva.json' with { type: 'json' };

export type CreditQuality = 'IG' | 'HY_NR';
export const CREDIT_QUALITIES: readonly CreditQuality[] = ['IG', 'HY_NR'];

/** MAR50.16 Table 1 sectors. */
export type BaCvaSector =
  | 'sovereign'
  | 'local_government'
  | 'financial'
  | 'basic_materials'
  | 'consumer'
  | 'technology'
  | 'health_care'
  | 'other';
export const BA_CVA_SECTORS: readonly BaCvaSector[] = [
  'sovereign',
  'local_government',
  'financial',
  'basic_materials',
  'consumer',
  'technology',
  'health_care',
  'other',
];

/** MAR50.26 Table 2: how a single-name hedge's reference entity relates to the counterparty. */
export type HedgeRelation = 'direct' | 'legally_related' | 'same_sector_and_region';
export const HEDGE_RELATIONS: readonly HedgeRelation[] = ['direct', 'legally_related', 'same_sector_and_region'];

export interface BaCvaParameters {
  alpha: number;
  rho: number;
  discountScalar: number;
  beta: number;
  supervisoryDiscountRate: number;
  indexHedgeScalar: number;
  rwaMultiplier: number;
  riskWeights: Record<BaCvaSector, { description: string; IG: number; HY_NR: number }>;
  hedgeCorrelations: Record<HedgeRelation, { description: string; rhc: number }>;
}

/** The MAR50 BA-CVA parameters as shipped (src/capital/parameters/bacva.json). */
export const BA_CVA_PARAMETERS: BaCvaParameters = parameterFile as BaCvaParameters;

export interface BaCvaNettingSet {
  nettingSetId: string;
  /** EAD of the netting set from the CCR method used for minimum capital (SA-CCR or IMM), reporting currency. */
  eadAmount: number;
  /** CRE32 effective maturity in years, not capped at 5 years (MAR50.16). */
  effectiveMaturityYears: number;
  /** True when EAD comes from IMM: then DF = 1 because IMM EAD is already discounted (MAR50.16). */
  eadFromImm?: boolean;
}

export interface BaCvaCounterparty {
  counterpartyId: string;
  sector: BaCvaSector;
  creditQuality: CreditQuality;
  /** Replaces the Table 1 risk weight (decimal, 0.05 = 5%), e.g. ORE's BaCvaRiskWeight. */
  riskWeightOverride?: number;
  nettingSets: readonly BaCvaNettingSet[];
}

export interface BaCvaSingleNameHedge {
  hedgeId: string;
  /** The counterparty whose CVA the hedge protects. */
  counterpartyId: string;
  /** The CDS reference entity (for reports; the counterparty itself when `relation` is `direct`). */
  referenceName?: string;
  relation: HedgeRelation;
  /** Table 1 sector and quality of the hedge's reference name; default: the counterparty's. */
  referenceSector?: BaCvaSector;
  referenceCreditQuality?: CreditQuality;
  riskWeightOverride?: number;
  /** Notional of protection bought, reporting currency, ≥ 0. */
  notionalAmount: number;
  remainingMaturityYears: number;
}

export interface IndexConstituentGroup {
  sector: BaCvaSector;
  creditQuality: CreditQuality;
  /** Number of index names in this sector and quality (the weights of the name-weighted average). */
  names: number;
}

export interface BaCvaIndexHedge {
  hedgeId: string;
  /** Constituents by Table 1 cell; RW_i = 0.7 × name-weighted average Table 1 RW (MAR50.24). */
  constituents?: readonly IndexConstituentGroup[];
  /** Replaces the index risk weight (already including the 0.7 scalar). */
  riskWeightOverride?: number;
  notionalAmount: number;
  remainingMaturityYears: number;
}

export interface BaCvaInput {
  counterparties: readonly BaCvaCounterparty[];
  singleNameHedges?: readonly BaCvaSingleNameHedge[];
  indexHedges?: readonly BaCvaIndexHedge[];
}

export interface BaCvaOptions {
  /** 'auto' (default): full when any hedge is given, reduced otherwise (MAR50.14 / MAR50.20). */
  version?: 'auto' | 'reduced' | 'full';
  parameters?: BaCvaParameters;
  /** How the input is named in error messages (a file name, or 'BA-CVA input'). */
  source?: string;
}

export interface BaCvaNettingSetResult {
  nettingSetId: string;
  eadAmount: number;
  effectiveMaturityYears: number;
  discountFactor: number;
  /** M_NS × EAD_NS × DF_NS. */
  weightedExposure: number;
}

export interface BaCvaSingleNameHedgeResult {
  hedgeId: string;
  counterpartyId: string;
  referenceName: string;
  rhc: number;
  riskWeight: number;
  discountFactor: number;
  /** RW_h × M_h × B_h × DF_h. */
  weightedHedge: number;
}

export interface BaCvaIndexHedgeResult {
  hedgeId: string;
  riskWeight: number;
  discountFactor: number;
  /** RW_i × M_i × B_i × DF_i. */
  weightedHedge: number;
}

export interface BaCvaCounterpartyResult {
  counterpartyId: string;
  riskWeight: number;
  /** Stand-alone CVA capital (MAR50.15). */
  scva: number;
  /** Single-name hedge recognition (MAR50.23). */
  snh: number;
  /** Hedge mismatch term (MAR50.25). */
  hma: number;
  nettingSets: BaCvaNettingSetResult[];
  singleNameHedges: BaCvaSingleNameHedgeResult[];
}

export interface BaCvaResult {
  version: 'reduced' | 'full';
  counterparties: BaCvaCounterpartyResult[];
  indexHedges: BaCvaIndexHedgeResult[];
  /** Index hedge recognition IH (MAR50.24). */
  ih: number;
  kReduced: number;
  kHedged: number;
  kFull: number;
  /** DS × K_reduced. */
  capitalReduced: number;
  /** DS × K_full. */
  capitalFull: number;
  /** The capital of `version`: DS × K_reduced or DS × K_full. */
  capital: number;
  /** 12.5 × capital. */
  rwa: number;
}

/** MAR50.16: DF = (1 − e^{−0.05·M}) / (0.05·M); the limit 1 at M = 0. */
export function supervisoryDiscountFactor(maturityYears: number, rate = BA_CVA_PARAMETERS.supervisoryDiscountRate): number {
  const x = rate * maturityYears;
  if (x === 0) return 1;
  return -Math.expm1(-x) / x;
}

/** MAR50.16 Table 1 risk weight. */
export function baCvaRiskWeight(sector: BaCvaSector, quality: CreditQuality, parameters = BA_CVA_PARAMETERS): number {
  return parameters.riskWeights[sector][quality];
}

/** MAR50.24: 0.7 × the name-weighted average of the constituents' Table 1 risk weights. */
export function indexHedgeRiskWeight(constituents: readonly IndexConstituentGroup[], parameters = BA_CVA_PARAMETERS): number {
  let names = 0;
  let weighted = 0;
  for (const group of constituents) {
    names += group.names;
    weighted += group.names * baCvaRiskWeight(group.sector, group.creditQuality, parameters);
  }
  return (parameters.indexHedgeScalar * weighted) / names;
}

/**
 * CRE32.47 (as referenced by MAR50.16 for banks without IMM): the notional-weighted average remaining maturity of
 * the trades in a netting set, Σ|N_i|·M_i / Σ|N_i|, in years, with no floor and no 5-year cap.
 */
export function notionalWeightedMaturityYears(trades: readonly { notionalAmount: number; remainingMaturityYears: number }[]): number {
  let weight = 0;
  let sum = 0;
  for (const trade of trades) {
    const n = Math.abs(trade.notionalAmount);
    weight += n;
    sum += n * trade.remainingMaturityYears;
  }
  if (!(weight > 0)) throw new XvaInputError([{ file: 'BA-CVA effective maturity', value: 'no notional', expected: 'at least one trade with a non-zero notional' }]);
  return sum / weight;
}

/**
 * CRE32.47 on a netting set's SA-CCR positions: one weight per transaction, not per position (a cross-currency swap
 * is three positions, two rate legs and the final exchange, an FX swap two, whose near leg would pull M down). A
 * trade's notional is its largest position's |notionalBase| (a leg of the cross-currency swap, the far leg of the FX
 * swap, the option's), its remaining maturity its last position's. Trades with no notional left (an amortising swap
 * repaid for the rest of its life) weigh nothing; 0 when none has any (a set with no add-on either).
 */
export function tradeWeightedMaturityYears(positions: readonly { tradeId: string; notionalBase: number; maturityYears: number }[]): number {
  const trades = new Map<string, { notionalAmount: number; remainingMaturityYears: number }>();
  for (const p of positions) {
    const t = trades.get(p.tradeId);
    if (!t) trades.set(p.tradeId, { notionalAmount: Math.abs(p.notionalBase), remainingMaturityYears: p.maturityYears });
    else {
      t.notionalAmount = Math.max(t.notionalAmount, Math.abs(p.notionalBase));
      t.remainingMaturityYears = Math.max(t.remainingMaturityYears, p.maturityYears);
    }
  }
  const weighed = [...trades.values()].filter((t) => t.notionalAmount !== 0);
  return weighed.length === 0 ? 0 : notionalWeightedMaturityYears(weighed);
}

/**
 * CRE32.46(a), ORE's choice for swaps: the cash-flow weighted average payment time Σ t_k·CF_k / Σ CF_k over the
 * cash flows the bank receives (positive amounts, undiscounted, in one currency); paid flows are ignored.
 */
export function cashFlowWeightedMaturityYears(flows: readonly { timeYears: number; amount: number }[]): number {
  let weight = 0;
  let sum = 0;
  for (const flow of flows) {
    if (!(flow.amount > 0) || !(flow.timeYears >= 0)) continue;
    weight += flow.amount;
    sum += flow.amount * flow.timeYears;
  }
  if (!(weight > 0)) throw new XvaInputError([{ file: 'BA-CVA effective maturity', value: 'no received cash flow', expected: 'at least one future cash flow received by the bank' }]);
  return sum / weight;
}

function check(issues: InputIssue[], source: string, column: string, value: number, expected: string, ok: (v: number) => boolean): void {
  if (!Number.isFinite(value) || !ok(value)) issues.push({ file: source, column, value: String(value), expected });
}

/** Validates everything up front so a user fixes all problems in one pass. */
function validate(input: BaCvaInput, parameters: BaCvaParameters, source: string): void {
  const issues: InputIssue[] = [];
  const ids = new Set<string>();
  for (const c of input.counterparties) {
    const at = `counterparty ${c.counterpartyId}`;
    if (ids.has(c.counterpartyId)) issues.push({ file: source, column: at, value: c.counterpartyId, expected: 'each counterparty once' });
    ids.add(c.counterpartyId);
    if (!(c.sector in parameters.riskWeights))
      issues.push({ file: source, column: `${at} sector`, value: String(c.sector), expected: `one of ${BA_CVA_SECTORS.join(', ')}` });
    if (!CREDIT_QUALITIES.includes(c.creditQuality))
      issues.push({ file: source, column: `${at} creditQuality`, value: String(c.creditQuality), expected: 'IG or HY_NR' });
    if (c.riskWeightOverride !== undefined)
      check(issues, source, `${at} riskWeightOverride`, c.riskWeightOverride, 'a risk weight between 0 and 1', (v) => v >= 0 && v <= 1);
    for (const ns of c.nettingSets) {
      const nsAt = `${at} netting set ${ns.nettingSetId}`;
      check(issues, source, `${nsAt} eadAmount`, ns.eadAmount, 'an EAD of at least 0', (v) => v >= 0);
      check(issues, source, `${nsAt} effectiveMaturityYears`, ns.effectiveMaturityYears, 'an effective maturity of at least 0 years', (v) => v >= 0);
    }
  }
  for (const h of input.singleNameHedges ?? []) {
    const at = `single-name hedge ${h.hedgeId}`;
    if (!ids.has(h.counterpartyId))
      issues.push({ file: source, column: `${at} counterpartyId`, value: h.counterpartyId, expected: 'a counterparty listed in the input' });
    if (!HEDGE_RELATIONS.includes(h.relation))
      issues.push({ file: source, column: `${at} relation`, value: String(h.relation), expected: `one of ${HEDGE_RELATIONS.join(', ')}` });
    if (h.referenceSector !== undefined && !(h.referenceSector in parameters.riskWeights))
      issues.push({ file: source, column: `${at} referenceSector`, value: String(h.referenceSector), expected: `one of ${BA_CVA_SECTORS.join(', ')}` });
    if (h.referenceCreditQuality !== undefined && !CREDIT_QUALITIES.includes(h.referenceCreditQuality))
      issues.push({ file: source, column: `${at} referenceCreditQuality`, value: String(h.referenceCreditQuality), expected: 'IG or HY_NR' });
    check(issues, source, `${at} notionalAmount`, h.notionalAmount, 'a protection notional of at least 0', (v) => v >= 0);
    check(issues, source, `${at} remainingMaturityYears`, h.remainingMaturityYears, 'a remaining maturity of at least 0 years', (v) => v >= 0);
  }
  for (const h of input.indexHedges ?? []) {
    const at = `index hedge ${h.hedgeId}`;
    if (h.riskWeightOverride === undefined && (h.constituents === undefined || h.constituents.length === 0))
      issues.push({ file: source, column: `${at} constituents`, expected: 'index constituents by sector and credit quality, or riskWeightOverride' });
    for (const g of h.constituents ?? []) {
      if (!(g.sector in parameters.riskWeights))
        issues.push({ file: source, column: `${at} constituents sector`, value: String(g.sector), expected: `one of ${BA_CVA_SECTORS.join(', ')}` });
      if (!CREDIT_QUALITIES.includes(g.creditQuality))
        issues.push({ file: source, column: `${at} constituents creditQuality`, value: String(g.creditQuality), expected: 'IG or HY_NR' });
      check(issues, source, `${at} constituents names`, g.names, 'a number of names greater than 0', (v) => v > 0);
    }
    if (h.riskWeightOverride !== undefined)
      check(issues, source, `${at} riskWeightOverride`, h.riskWeightOverride, 'a risk weight between 0 and 1', (v) => v >= 0 && v <= 1);
    check(issues, source, `${at} notionalAmount`, h.notionalAmount, 'a protection notional of at least 0', (v) => v >= 0);
    check(issues, source, `${at} remainingMaturityYears`, h.remainingMaturityYears, 'a remaining maturity of at least 0 years', (v) => v >= 0);
  }
  if (issues.length > 0) throw new XvaInputError(issues);
}

/** BA-CVA capital, reduced (MAR50.14-50.16) and full (MAR50.17-50.26). */
export function computeBaCva(input: BaCvaInput, options: BaCvaOptions = {}): BaCvaResult {
  const p = options.parameters ?? BA_CVA_PARAMETERS;
  const source = options.source ?? 'BA-CVA input';
  validate(input, p, source);
  const rate = p.supervisoryDiscountRate;

  const byId = new Map<string, BaCvaCounterpartyResult>();
  const counterparties: BaCvaCounterpartyResult[] = input.counterparties.map((c) => {
    const riskWeight = c.riskWeightOverride ?? baCvaRiskWeight(c.sector, c.creditQuality, p);
    let weighted = 0;
    const nettingSets = c.nettingSets.map((ns) => {
      // MAR50.16: DF = 1 for IMM EAD (already discounted), else the supervisory formula at M_NS.
      const discountFactor = ns.eadFromImm ? 1 : supervisoryDiscountFactor(ns.effectiveMaturityYears, rate);
      const weightedExposure = ns.effectiveMaturityYears * ns.eadAmount * discountFactor;
      weighted += weightedExposure;
      return { nettingSetId: ns.nettingSetId, eadAmount: ns.eadAmount, effectiveMaturityYears: ns.effectiveMaturityYears, discountFactor, weightedExposure };
    });
    // MAR50.15: SCVA_c = (1/α) · RW_c · Σ_NS M_NS · EAD_NS · DF_NS.
    const result: BaCvaCounterpartyResult = { counterpartyId: c.counterpartyId, riskWeight, scva: (riskWeight * weighted) / p.alpha, snh: 0, hma: 0, nettingSets, singleNameHedges: [] };
    byId.set(c.counterpartyId, result);
    return result;
  });
  const counterpartyInput = new Map(input.counterparties.map((c) => [c.counterpartyId, c]));

  for (const h of input.singleNameHedges ?? []) {
    const c = counterpartyInput.get(h.counterpartyId)!;
    const out = byId.get(h.counterpartyId)!;
    const rhc = p.hedgeCorrelations[h.relation].rhc; // MAR50.26 Table 2
    const riskWeight = h.riskWeightOverride ?? baCvaRiskWeight(h.referenceSector ?? c.sector, h.referenceCreditQuality ?? c.creditQuality, p);
    const discountFactor = supervisoryDiscountFactor(h.remainingMaturityYears, rate);
    const weightedHedge = riskWeight * h.remainingMaturityYears * h.notionalAmount * discountFactor;
    out.snh += rhc * weightedHedge; // MAR50.23: SNH_c = Σ r_hc · RW_h · M_h · B_h · DF_h
    out.hma += (1 - rhc * rhc) * weightedHedge * weightedHedge; // MAR50.25: HMA_c = Σ (1 − r_hc²) · (RW_h·M_h·B_h·DF_h)²
    out.singleNameHedges.push({ hedgeId: h.hedgeId, counterpartyId: h.counterpartyId, referenceName: h.referenceName ?? h.counterpartyId, rhc, riskWeight, discountFactor, weightedHedge });
  }

  let ih = 0;
  const indexHedges = (input.indexHedges ?? []).map((h) => {
    const riskWeight = h.riskWeightOverride ?? indexHedgeRiskWeight(h.constituents ?? [], p);
    const discountFactor = supervisoryDiscountFactor(h.remainingMaturityYears, rate);
    const weightedHedge = riskWeight * h.remainingMaturityYears * h.notionalAmount * discountFactor;
    ih += weightedHedge; // MAR50.24: IH = Σ RW_i · M_i · B_i · DF_i
    return { hedgeId: h.hedgeId, riskWeight, discountFactor, weightedHedge };
  });

  // MAR50.14: K_reduced = sqrt((ρ Σ SCVA_c)² + (1 − ρ²) Σ SCVA_c²).
  const rho = p.rho;
  let sumScva = 0;
  let sumScva2 = 0;
  let sumNet = 0;
  let sumNet2 = 0;
  let sumHma = 0;
  for (const c of counterparties) {
    sumScva += c.scva;
    sumScva2 += c.scva * c.scva;
    const net = c.scva - c.snh;
    sumNet += net;
    sumNet2 += net * net;
    sumHma += c.hma;
  }
  const kReduced = Math.sqrt((rho * sumScva) ** 2 + (1 - rho * rho) * sumScva2);
  // MAR50.22: K_hedged = sqrt((ρ Σ (SCVA_c − SNH_c) − IH)² + (1 − ρ²) Σ (SCVA_c − SNH_c)² + Σ HMA_c).
  const kHedged = Math.sqrt((rho * sumNet - ih) ** 2 + (1 - rho * rho) * sumNet2 + sumHma);
  // MAR50.21: K_full = β · K_reduced + (1 − β) · K_hedged.
  const kFull = p.beta * kReduced + (1 - p.beta) * kHedged;

  const hasHedges = (input.singleNameHedges?.length ?? 0) + (input.indexHedges?.length ?? 0) > 0;
  const requested = options.version ?? 'auto';
  const version = requested === 'auto' ? (hasHedges ? 'full' : 'reduced') : requested;
  const capitalReduced = p.discountScalar * kReduced;
  const capitalFull = p.discountScalar * kFull;
  const capital = version === 'full' ? capitalFull : capitalReduced;
  return { version, counterparties, indexHedges, ih, kReduced, kHedged, kFull, capitalReduced, capitalFull, capital, rwa: p.rwaMultiplier * capital };
}
