/**
 * KVA: the cost of holding capital against the book over its life (docs/capital.md, "KVA").
 *
 * Expected capital profile: on each exposure date t_k, per netting set and per simulated path p,
 *   SA-CCR EAD(t_k, p) = α·(RC(t_k, p) + multiplier(V − C)·AddOn(t_k))            (CRE52.1, CRE52.23)
 * with V the simulated netting-set value on the path and AddOn(t_k) the add-on of the positions still alive at t_k
 * (S, E, M, T shortened by t_k, SD and MF recomputed, option deltas at the shortened expiry floored at 10 business
 * days, notionals and FX/equity prices as today, but an amortising swap leg's notional the average over the life left
 * at t_k). Collateral on the path (module `pathCollateral`):
 * - unmargined: C = today's SA-CCR collateral (NICA and any balance), held constant;
 * - margined: VM follows V beyond the thresholds, so V − C = clamp(V, −TH_bank, TH_cpty) − NICA; RC adds the
 *   TH + MTA − NICA floor (CRE52.18) and the CRE52.2 cap at the unmargined EAD applies path by path.
 * E[EAD(t_k)] is the average over paths. BA-CVA (reduced or full, MAR50) at t_k is computed on the projected EADs
 * with the remaining effective maturities. Capital, survival-weighted by the counterparty:
 *   capital(t) = [Σ_NS RW_NS·E[EAD_NS(t)]·S_c(t) + 12.5·K_BA-CVA(t; EAD_NS·S_c)] × capitalRatio
 * (a counterparty that has defaulted holds no capital; its SCVA enters BA-CVA weighted by its survival), and
 *   KVA = costOfCapital × Σ_k capital(t_k)·(t_{k+1} − t_k)·S_own(t_k)·P(0, t_k)
 * (capital set at t_k is held over [t_k, t_{k+1}); S_own the bank's survival, 1 without an own curve; P the
 * base-currency OIS discount factor).
 */
import { derivePosition, computePfe, type MaturityBasis } from './saccr/addOns.js';
import { tradeWeightedMaturityYears } from './bacva.js';
import { pfeMultiplier } from './saccr/formulas.js';
import { minimumTimeYears, type SaccrParameters } from './saccr/parameters.js';
import type { SaccrPosition } from './saccr/types.js';
import { toBase } from './saccr/conventions.js';
import type { Market } from '../market/types.js';
import type { NettingSet } from '../portfolio/types.js';
import { averageOfSteps } from '../products/amortization.js';

/** What the projection needs of one netting set (from today's SA-CCR result and the netting-set terms). */
export interface KvaNettingSet {
  nettingSetId: string;
  counterpartyId: string;
  positions: readonly SaccrPosition[];
  margined: boolean;
  /** MPOR after the floors (margined sets). */
  mporDays?: number;
  /** Today's C of SA-CCR (held constant for unmargined sets). */
  collateral: number;
  nica: number;
  threshold: number;
  minimumTransferAmount: number;
  /** The bank's threshold in the base currency (VM it posts only beyond it): thresholdBankBase. */
  thresholdBank: number;
  /** Apply the CRE52.2 cap at the unmargined EAD. */
  capAtUnmargined: boolean;
}

/**
 * The bank's threshold of a netting set in the base currency, as the projection reads it (KvaNettingSet.thresholdBank):
 * the CSA amount is stated in the collateral currency and converted at today's spot, as SA-CCR converts the
 * counterparty's threshold and MTA (saccr/collateral.ts collateralTerms); 0 without a CSA.
 */
export function thresholdBankBase(ns: NettingSet, market: Market): number {
  return ns.csa ? ns.thresholdBank * toBase(market, ns.collateralCurrency) : 0;
}

/**
 * A position's notional `elapsedYears` from today: an amortising swap leg's average over the life left then (the
 * variable-notional rule, as today's is over the life left today); any other position's today's.
 */
export function remainingNotionalBase(position: SaccrPosition, elapsedYears: number): number {
  const steps = position.notionalSteps;
  if (steps === undefined || !(elapsedYears > 0)) return position.notionalBase;
  return averageOfSteps(steps.fromYears, steps.notionalsBase, Math.max(elapsedYears, steps.startYears), steps.endYears);
}

/** A position with S, E, M and T shortened by `elapsedYears`; undefined once it has matured (M ≤ 0). */
export function remainingPosition(position: SaccrPosition, elapsedYears: number, p: SaccrParameters): SaccrPosition | undefined {
  const maturityYears = position.maturityYears - elapsedYears;
  if (!(maturityYears > 0)) return undefined;
  const out: SaccrPosition = { ...position, maturityYears };
  out.notionalBase = remainingNotionalBase(position, elapsedYears);
  if (position.startYears !== undefined) out.startYears = Math.max(position.startYears - elapsedYears, 0);
  if (position.endYears !== undefined) {
    out.endYears = position.endYears - elapsedYears;
    if (!(out.endYears > 0)) return undefined;
  }
  // CRE52.40 needs T > 0: an option past its expiry keeps the 10-business-day minimum (as one expiring today)
  if (position.exerciseYears !== undefined) out.exerciseYears = Math.max(position.exerciseYears - elapsedYears, minimumTimeYears(p));
  return out;
}

/** Aggregate add-on (CRE52.25) of the positions alive at `elapsedYears`, on a margined or unmargined basis. */
export function remainingAddOn(ns: KvaNettingSet, elapsedYears: number, basis: MaturityBasis, offsetIr: boolean, p: SaccrParameters): number {
  const rows = [];
  for (const pos of ns.positions) {
    const r = remainingPosition(pos, elapsedYears, p);
    if (r) rows.push(derivePosition(r, ns.counterpartyId, basis, p));
  }
  return rows.length === 0 ? 0 : computePfe(rows, 0, offsetIr, p).aggregateAddOn;
}

/**
 * E[EAD(t_k)] of one netting set: `values[k * nPaths + q]` the simulated V (base currency) on exposure date k
 * (null: a set without trades, V = 0), `elapsedYears[k]` the SA-CCR years from the as-of date.
 */
export function projectedEad(ns: KvaNettingSet, elapsedYears: Float64Array, values: Float32Array | null, nPaths: number, offsetIr: boolean, p: SaccrParameters): Float64Array {
  const n = elapsedYears.length;
  const out = new Float64Array(n);
  const alpha = p.alpha;
  const floorRc = ns.threshold + ns.minimumTransferAmount - ns.nica; // CRE52.18
  for (let k = 0; k < n; k++) {
    const t = elapsedYears[k]!;
    const addOnU = remainingAddOn(ns, t, { margined: false }, offsetIr, p);
    const addOnM = ns.margined ? remainingAddOn(ns, t, { margined: true, mporDays: ns.mporDays! }, offsetIr, p) : addOnU;
    let sum = 0;
    const base = k * nPaths;
    const paths = values ? nPaths : 1;
    for (let q = 0; q < paths; q++) {
      const v = values ? values[base + q]! : 0;
      let ead: number;
      if (!ns.margined) {
        const vlc = v - ns.collateral;
        ead = alpha * (Math.max(vlc, 0) + pfeMultiplier(vlc, addOnU, p) * addOnU); // CRE52.10, CRE52.20
      } else {
        // VM called beyond the thresholds: V − C = clamp(V, −TH_bank, TH_cpty) − NICA
        const vlc = Math.min(Math.max(v, -ns.thresholdBank), ns.threshold) - ns.nica;
        ead = alpha * (Math.max(vlc, floorRc, 0) + pfeMultiplier(vlc, addOnM, p) * addOnM);
        if (ns.capAtUnmargined) {
          const eadU = alpha * (Math.max(vlc, 0) + pfeMultiplier(vlc, addOnU, p) * addOnU); // CRE52.2
          if (eadU < ead) ead = eadU;
        }
      }
      sum += ead;
    }
    out[k] = sum / paths;
  }
  return out;
}

/**
 * Σ|N|·M / Σ|N| over the trades alive at `elapsedYears`, one term per transaction as today's (CRE32.47 on remaining
 * maturities, bacva.ts tradeWeightedMaturityYears; an amortising leg's N the average over its remaining life, as
 * remainingPosition); 0 when none.
 */
export function remainingEffectiveMaturity(positions: readonly SaccrPosition[], elapsedYears: number): number {
  const alive: { tradeId: string; notionalBase: number; maturityYears: number }[] = [];
  for (const pos of positions) {
    const m = pos.maturityYears - elapsedYears;
    if (m > 0) alive.push({ tradeId: pos.tradeId, notionalBase: remainingNotionalBase(pos, elapsedYears), maturityYears: m });
  }
  return tradeWeightedMaturityYears(alive);
}

/**
 * KVA = costOfCapital × Σ_k capital[k]·(t_{k+1} − t_k)·survivalOwn[k]·discount[k], k < n − 1 (the last date closes
 * the last interval). Returns the sum and the contribution of every date.
 */
export function kvaIntegral(timesYears: Float64Array, capital: Float64Array, survivalOwn: Float64Array, discount: Float64Array, costOfCapital: number): { kva: number; contributions: Float64Array } {
  const n = timesYears.length;
  const contributions = new Float64Array(n);
  let kva = 0;
  for (let k = 0; k + 1 < n; k++) {
    const c = costOfCapital * capital[k]! * (timesYears[k + 1]! - timesYears[k]!) * survivalOwn[k]! * discount[k]!;
    contributions[k] = c;
    kva += c;
  }
  return { kva, contributions };
}
