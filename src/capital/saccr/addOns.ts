/**
 * From positions to add-ons: the trade-level derivation (d, δ, MF, SF; CRE52.30-53) and the asset-class
 * aggregation (IR CRE52.57, FX CRE52.59, credit CRE52.61, equity CRE52.66, commodity CRE52.70), then the PFE
 * (CRE52.20-25).
 */
import { XvaInputError } from '../../errors.js';
import {
  cdoTrancheDelta,
  irHedgingSetEffectiveNotional,
  irMaturityBucket,
  marginedMaturityFactor,
  optionSupervisoryDelta,
  pfeMultiplier,
  singleFactorAddOn,
  supervisoryDuration,
  unmarginedMaturityFactor,
} from './formulas.js';
import type { SaccrParameters, SupervisoryEntry } from './parameters.js';
import type {
  AddOnsByClass,
  SaccrEntityAddOn,
  SaccrHedgingSetResult,
  SaccrPfe,
  SaccrPosition,
  SaccrPositionResult,
} from './types.js';

/** The MF basis of a netting set: unmargined (per trade, from M) or margined (one MPOR for all trades). */
export type MaturityBasis = { margined: false } | { margined: true; mporDays: number };

/** The Table 2 row of a position (CRE52.72). */
export function supervisoryEntry(position: SaccrPosition, p: SaccrParameters): SupervisoryEntry {
  const sp = p.supervisoryParameters;
  const s = position.subclass;
  switch (s.kind) {
    case 'IR':
      return sp.IR;
    case 'FX':
      return sp.FX;
    case 'CreditSingleName':
      return sp.CreditSingleName[s.rating];
    case 'CreditIndex':
      return sp.CreditIndex[s.grade];
    case 'EquitySingleName':
      return sp.EquitySingleName;
    case 'EquityIndex':
      return sp.EquityIndex;
    case 'Commodity':
      return sp.Commodity[s.subclass];
    default: {
      const unknown: never = s;
      throw new Error(`unknown SA-CCR subclass ${JSON.stringify(unknown)}`);
    }
  }
}

/** CRE52.73: SF × ½ for basis hedging sets, × 5 for volatility hedging sets. */
function scaledSupervisoryFactor(position: SaccrPosition, entry: SupervisoryEntry, p: SaccrParameters): number {
  if (position.hedgingSetKind === 'basis') return entry.supervisoryFactor * p.basisSupervisoryFactorScale;
  if (position.hedgingSetKind === 'volatility') return entry.supervisoryFactor * p.volatilitySupervisoryFactorScale;
  return entry.supervisoryFactor;
}

/** The derivation of one position: SD and d (CRE52.34-36), δ (CRE52.39-41), MF (CRE52.48/52), bucket, SF, D. */
export function derivePosition(position: SaccrPosition, counterpartyId: string, basis: MaturityBasis, p: SaccrParameters): SaccrPositionResult {
  const entry = supervisoryEntry(position, p);
  const out: SaccrPositionResult = {
    ...position,
    counterpartyId,
    adjustedNotional: position.notionalBase,
    supervisoryDelta: position.direction,
    maturityFactor: basis.margined ? marginedMaturityFactor(basis.mporDays, p) : unmarginedMaturityFactor(position.maturityYears, p),
    supervisoryFactor: scaledSupervisoryFactor(position, entry, p),
    effectiveNotional: 0,
  };
  if (entry.correlation !== undefined) out.correlation = entry.correlation;
  if (position.assetClass === 'IR' || position.assetClass === 'Credit') {
    if (position.endYears === undefined) throw new Error(`trade ${position.tradeId}: an ${position.assetClass} position needs its end date E`);
    // CRE52.34: d = notional × SD
    const sd = supervisoryDuration(position.startYears ?? 0, position.endYears, p);
    out.supervisoryDuration = sd;
    out.adjustedNotional = position.notionalBase * sd;
  }
  if (position.assetClass === 'IR') out.maturityBucket = irMaturityBucket(position.endYears!, p);
  const opt = position.optionality;
  if (opt?.kind === 'option') {
    if (position.exerciseYears === undefined) throw new Error(`trade ${position.tradeId}: an option position needs its exercise time T`);
    const vol = entry.optionVolatility;
    const { delta, d } = optionSupervisoryDelta(opt, position.exerciseYears, vol, p);
    out.supervisoryDelta = delta;
    out.optionD = d;
    out.supervisoryVolatility = vol;
  } else if (opt?.kind === 'cdoTranche') {
    out.supervisoryDelta = cdoTrancheDelta(opt.attachment, opt.detachment, opt.purchasedProtection, p);
  }
  // CRE52.30(1): D = d × MF × δ
  out.effectiveNotional = out.adjustedNotional * out.maturityFactor * out.supervisoryDelta;
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const hedgingSetKey = (r: SaccrPositionResult): string => `${r.hedgingSet}|${r.hedgingSetKind}`;

/** CRE52.57: buckets, the offset formula, SF × EN per currency, summed. */
function irHedgingSets(rows: readonly SaccrPositionResult[], offset: boolean, p: SaccrParameters): SaccrHedgingSetResult[] {
  const out: SaccrHedgingSetResult[] = [];
  for (const group of groupBy(rows, hedgingSetKey).values()) {
    const buckets: [number, number, number] = [0, 0, 0];
    for (const r of group) buckets[r.maturityBucket! - 1] += r.effectiveNotional;
    const en = irHedgingSetEffectiveNotional(buckets[0], buckets[1], buckets[2], offset, p);
    const first = group[0]!;
    out.push({ assetClass: 'IR', hedgingSet: first.hedgingSet, kind: first.hedgingSetKind, bucketEffectiveNotionals: buckets, effectiveNotional: en, addOn: first.supervisoryFactor * en });
  }
  return out;
}

/** CRE52.59: per currency pair, SF × |Σ D|. */
function fxHedgingSets(rows: readonly SaccrPositionResult[]): SaccrHedgingSetResult[] {
  const out: SaccrHedgingSetResult[] = [];
  for (const group of groupBy(rows, hedgingSetKey).values()) {
    let en = 0;
    for (const r of group) en += r.effectiveNotional;
    const first = group[0]!;
    out.push({ assetClass: 'FX', hedgingSet: first.hedgingSet, kind: first.hedgingSetKind, effectiveNotional: en, addOn: first.supervisoryFactor * Math.abs(en) });
  }
  return out;
}

/** Entity (or commodity type) add-ons SF × Σ D, then the single-factor formula. */
function singleFactorHedgingSet(rows: readonly SaccrPositionResult[], assetClass: SaccrHedgingSetResult['assetClass']): SaccrHedgingSetResult {
  const entities: SaccrEntityAddOn[] = [];
  for (const [entity, group] of groupBy(rows, (r) => r.entity ?? r.tradeId)) {
    let en = 0;
    for (const r of group) en += r.effectiveNotional;
    const first = group[0]!;
    const sf = first.supervisoryFactor;
    const rho = first.correlation ?? 0;
    for (const r of group) {
      if (r.supervisoryFactor !== sf || (r.correlation ?? 0) !== rho) {
        throw new XvaInputError([{ file: 'SA-CCR positions', column: 'entity', value: entity, expected: `one rating or kind per ${assetClass} entity: trades ${first.tradeId} and ${r.tradeId} give it different supervisory parameters (reference_entities, saccr_trades subclass)` }]);
      }
    }
    entities.push({ entity, effectiveNotional: en, supervisoryFactor: sf, correlation: rho, addOn: sf * en });
  }
  const { addOn, systematic, idiosyncratic } = singleFactorAddOn(
    entities.map((e) => e.addOn),
    entities.map((e) => e.correlation),
  );
  const first = rows[0]!;
  return { assetClass, hedgingSet: first.hedgingSet, kind: first.hedgingSetKind, entities, systematicComponent: systematic, idiosyncraticComponent: idiosyncratic, addOn };
}

/**
 * Every hedging set of a netting set's derived positions and the PFE: add-ons summed per asset class and across
 * classes without diversification (CRE52.25), times the multiplier of CRE52.23.
 */
export function computePfe(rows: readonly SaccrPositionResult[], valueLessCollateral: number, offsetIr: boolean, p: SaccrParameters): SaccrPfe {
  const hedgingSets: SaccrHedgingSetResult[] = [];
  const byClass = groupBy(rows, (r) => r.assetClass);
  hedgingSets.push(...irHedgingSets(byClass.get('IR') ?? [], offsetIr, p));
  hedgingSets.push(...fxHedgingSets(byClass.get('FX') ?? []));
  // CRE52.45(3)-(4): one credit and one equity hedging set (per kind: basis/volatility sets stand apart)
  for (const cls of ['Credit', 'Equity'] as const) {
    for (const group of groupBy(byClass.get(cls) ?? [], hedgingSetKey).values()) hedgingSets.push(singleFactorHedgingSet(group, cls));
  }
  // CRE52.70: the four commodity hedging sets, commodity types inside each
  for (const group of groupBy(byClass.get('Commodity') ?? [], hedgingSetKey).values()) hedgingSets.push(singleFactorHedgingSet(group, 'Commodity'));

  const addOns: AddOnsByClass = { IR: 0, FX: 0, Credit: 0, Equity: 0, Commodity: 0 };
  for (const hs of hedgingSets) addOns[hs.assetClass] += hs.addOn;
  const aggregateAddOn = addOns.IR + addOns.FX + addOns.Credit + addOns.Equity + addOns.Commodity;
  const multiplier = pfeMultiplier(valueLessCollateral, aggregateAddOn, p);
  return { addOns, aggregateAddOn, multiplier, pfe: multiplier * aggregateAddOn, hedgingSets };
}
