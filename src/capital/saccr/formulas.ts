/**
 * The trade- and netting-set-level rules of SA-CCR (Basel Framework CRE52), each a small pure function of numbers.
 * Times are in years, MPOR in business days, amounts in one currency.
 */
import { normCdf } from '../../pricing/black.js';
import { minimumTimeYears, type SaccrParameters } from './parameters.js';
import type { SaccrOptionality } from './types.js';

/** CRE52.34: SD = (e^{−0.05·S} − e^{−0.05·E}) / 0.05, S = 0 once started, floored at ten business days. */
export function supervisoryDuration(startYears: number, endYears: number, p: SaccrParameters): number {
  const r = p.supervisoryDurationRate;
  const s = Math.max(0, startYears);
  const sd = (Math.exp(-r * s) - Math.exp(-r * endYears)) / r;
  return Math.max(sd, minimumTimeYears(p));
}

/** CRE52.48-49: MF = sqrt(min(M, 1)) with M floored at ten business days (10/250 years). */
export function unmarginedMaturityFactor(maturityYears: number, p: SaccrParameters): number {
  const m = Math.max(maturityYears, minimumTimeYears(p));
  return Math.sqrt(Math.min(m, 1));
}

/** CRE52.52-53: MF = 1.5·sqrt(MPOR / 250) with MPOR in business days. */
export function marginedMaturityFactor(mporDays: number, p: SaccrParameters): number {
  return 1.5 * Math.sqrt(mporDays / p.businessDaysPerYear);
}

export interface MporContext {
  marginFrequencyDays: number;
  /** A CCP netting set: a minimum of 10 days (CRE54.8(2)) and no 5000-trade floor unless illiquid or disputed (CRE54.8(1)). */
  cleared: boolean;
  tradeCount: number;
  illiquid: boolean;
  disputed: boolean;
}

/** The supervisory MPOR floor (business days) of CRE52.50-51 and CRE54.8. */
export function mporFloorDays(ctx: MporContext, p: SaccrParameters): number {
  const f = p.mporFloorsBusinessDays;
  let floor: number;
  // CRE52.50(1)-(2): 10 days with daily margining, 9 + N with remargining every N days
  floor = ctx.marginFrequencyDays <= 1 ? f.dailyMargin : f.nonDailyMarginBase + ctx.marginFrequencyDays;
  if (ctx.cleared) {
    // CRE54.8: a CCP trade exposure follows CRE52 with a minimum of 10 days in all cases (so 9 + N for a CCP account
    // remargined every N days: an audit found the 10 days taken whatever N); the 5000-trade floor of CRE52.51(1) is
    // dropped unless the set holds illiquid collateral or has disputes (CRE54.8(1))
    floor = Math.max(floor, f.clearedTradeExposure);
    if (ctx.tradeCount > f.largeNettingSetTrades && (ctx.illiquid || ctx.disputed)) floor = Math.max(floor, f.largeNettingSet);
  } else if (ctx.tradeCount > f.largeNettingSetTrades) floor = Math.max(floor, f.largeNettingSet); // CRE52.51(1)
  if (ctx.illiquid) floor = Math.max(floor, f.illiquid); // CRE52.51(2)
  if (ctx.disputed) floor *= f.disputeMultiplier; // CRE52.51(3)
  return floor;
}

/** CRE52.50: the higher of the bank's estimated MPOR and the floor. */
export function effectiveMporDays(estimatedDays: number, ctx: MporContext, p: SaccrParameters): number {
  return Math.max(estimatedDays, mporFloorDays(ctx, p));
}

/** CRE52.57(3): bucket 1 for E < 1 year, 2 for 1 to 5 years, 3 beyond. */
export function irMaturityBucket(endYears: number, p: SaccrParameters): 1 | 2 | 3 {
  const [b1, b2] = p.irMaturityBucketBoundsYears;
  if (endYears < b1) return 1;
  if (endYears <= b2) return 2;
  return 3;
}

export interface OptionDelta {
  delta: number;
  /** (ln(P/K) + ½σ²T) / (σ√T), P and K shifted by λ. */
  d: number;
}

/**
 * CRE52.40: bought call +Φ(d), sold call −Φ(d), bought put −Φ(−d), sold put +Φ(−d), with
 * d = (ln(P/K) + ½σ²T)/(σ√T) on P + λ and K + λ (FAQ2). T is floored at ten business days (an option expiring
 * today would otherwise divide by zero; its delta is then that of the nearest admissible horizon).
 */
export function optionSupervisoryDelta(
  option: Extract<SaccrOptionality, { kind: 'option' }>,
  exerciseYears: number,
  vol: number,
  p: SaccrParameters,
): OptionDelta {
  const price = option.underlyingPrice + option.shift;
  const strike = option.strike + option.shift;
  if (!(price > 0) || !(strike > 0)) {
    throw new Error(`supervisory delta needs P + λ > 0 and K + λ > 0 (P ${option.underlyingPrice}, K ${option.strike}, λ ${option.shift}): give a shift λ for the currency (CRE52.40 FAQ2)`);
  }
  const t = Math.max(exerciseYears, minimumTimeYears(p));
  const d = (Math.log(price / strike) + 0.5 * vol * vol * t) / (vol * Math.sqrt(t));
  const sign = option.bought ? 1 : -1;
  const delta = option.optionType === 'call' ? sign * normCdf(d) : -sign * normCdf(-d);
  return { delta, d };
}

/** CRE52.41: ±15 / ((1 + 14·A)(1 + 14·D)), + for purchased protection. */
export function cdoTrancheDelta(attachment: number, detachment: number, purchasedProtection: boolean, p: SaccrParameters): number {
  const { numerator, slope } = p.cdoDelta;
  const value = numerator / ((1 + slope * attachment) * (1 + slope * detachment));
  return purchasedProtection ? value : -value;
}

/** CRE52.10 (unmargined) RC = max(V − C, 0); CRE52.18 (margined) RC = max(V − C, TH + MTA − NICA, 0). */
export function replacementCost(terms: { value: number; collateral: number; margined: boolean; threshold: number; minimumTransferAmount: number; nica: number }): number {
  const exposure = terms.value - terms.collateral;
  if (!terms.margined) return Math.max(exposure, 0);
  return Math.max(exposure, terms.threshold + terms.minimumTransferAmount - terms.nica, 0);
}

/**
 * CRE52.23: multiplier = min(1, floor + (1 − floor)·exp((V − C) / (2·(1 − floor)·AddOn))). Without add-on the PFE is
 * zero whatever the multiplier; 1 is reported then.
 */
export function pfeMultiplier(valueLessCollateral: number, aggregateAddOn: number, p: SaccrParameters): number {
  if (!(aggregateAddOn > 0)) return 1;
  const floor = p.multiplierFloor;
  const m = floor + (1 - floor) * Math.exp(valueLessCollateral / (2 * (1 - floor) * aggregateAddOn));
  return Math.min(1, m);
}

/** CRE52.57(5): EN = sqrt(D1² + D2² + D3² + 1.4·D1·D2 + 1.4·D2·D3 + 0.6·D1·D3), or |D1| + |D2| + |D3| without offset. */
export function irHedgingSetEffectiveNotional(d1: number, d2: number, d3: number, offset: boolean, p: SaccrParameters): number {
  if (!offset) return Math.abs(d1) + Math.abs(d2) + Math.abs(d3);
  const c = p.irBucketCorrelations;
  const sq = d1 * d1 + d2 * d2 + d3 * d3 + 2 * c.b1b2 * d1 * d2 + 2 * c.b2b3 * d2 * d3 + 2 * c.b1b3 * d1 * d3;
  return Math.sqrt(Math.max(sq, 0));
}

/**
 * The single-factor aggregation of CRE52.61(4) / CRE52.66(4) / CRE52.70(5):
 * sqrt((Σ ρ_k·A_k)² + Σ (1 − ρ_k²)·A_k²); returns both components too.
 */
export function singleFactorAddOn(addOns: readonly number[], correlations: readonly number[]): { addOn: number; systematic: number; idiosyncratic: number } {
  let weighted = 0;
  let idiosyncratic = 0;
  for (let k = 0; k < addOns.length; k++) {
    const a = addOns[k]!;
    const rho = correlations[k]!;
    weighted += rho * a;
    idiosyncratic += (1 - rho * rho) * a * a;
  }
  const systematic = weighted * weighted;
  return { addOn: Math.sqrt(systematic + idiosyncratic), systematic, idiosyncratic };
}
