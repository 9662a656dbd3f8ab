/**
 * KVA of the measurement, as `xva capital` computes it (capital/kva.ts, capital/run.ts), split so that an amendment
 * recomputes only the touched netting sets:
 *   capital(t_k) = [Σ_NS RW_NS·E[EAD_NS(t_k)]·S_c(t_k) + 12.5·K_BA-CVA(t_k; EAD_NS·S_c, remaining M_NS)] × ratio
 *   KVA = costOfCapital × Σ_k capital(t_k)·(t_{k+1} − t_k)·S_own(t_k)·P(0, t_k)          (kvaIntegral)
 * Per netting set (SetKva, from its simulated values along the paths: projectedEad): E[EAD(t_k)], its survival-
 * weighted EAD and remaining effective maturity on each exposure date, and its CCR capital profile. Per book: the
 * CCR profiles summed in the book's order plus BA-CVA on every date over all counterparties (not additive).
 */
import { kvaIntegral, projectedEad, remainingEffectiveMaturity, type KvaNettingSet } from '../../capital/kva.js';
import { cdsHedges, cdsIndexHedges } from '../../capital/run.js';
import { SACCR_PARAMETERS, saccrYears } from '../../capital/saccr/index.js';
import type { Portfolio } from '../../portfolio/types.js';
import type { CreditInputs } from '../../xva/credit.js';
import { baCvaBook, type SetCapital } from './capital.js';
import type { MeasureContext } from './context.js';

/** The clock of the KVA projection: exposure dates as market years and SA-CCR years. */
export interface KvaClock {
  dateSerials: Int32Array;
  /** ACT/365F years (survival, discounting). */
  times: Float64Array;
  /** ACT/ACT years (the SA-CCR positions shrink by it). */
  elapsed: Float64Array;
}

export function kvaClock(ctx: MeasureContext, dateSerials: Int32Array): KvaClock {
  return {
    dateSerials,
    times: Float64Array.from(dateSerials, (d) => ctx.market.time(d)),
    elapsed: Float64Array.from(dateSerials, (d) => saccrYears(ctx.market, d)),
  };
}

export interface SetKva {
  /** E[EAD(t_k)] (not survival-weighted). */
  eadProfile: Float64Array;
  /** E[EAD(t_k)]·S_c(t_k): the BA-CVA input on each date. */
  eadSurvival: Float64Array;
  /** S_c(t_k), the counterparty's survival (a single-name hedge on it is weighted by it, as capital/run.ts does). */
  survival: Float64Array;
  /** Remaining effective maturity on each date (CRE32.47 on the positions alive). */
  remainingMaturity: Float64Array;
  /** RW·E[EAD]·S_c·ratio on each date. */
  ccrCapital: Float64Array;
  /** KVA of the set's CCR capital. */
  kvaCcr: number;
}

/** The KVA pieces of one netting set from its path values V (`values[k * nPaths + p]`, null = no trades: V = 0). */
export function setKva(ctx: MeasureContext, clock: KvaClock, cap: SetCapital, credit: CreditInputs, values: Float32Array | null, nPaths: number): SetKva {
  const s = cap.saccr;
  const input: KvaNettingSet = {
    nettingSetId: s.nettingSetId,
    counterpartyId: s.counterpartyId,
    positions: cap.positions,
    margined: s.margined,
    ...(s.marginPeriodOfRiskDays !== undefined ? { mporDays: s.marginPeriodOfRiskDays } : {}),
    collateral: s.collateral,
    nica: s.nica,
    threshold: s.threshold,
    minimumTransferAmount: s.minimumTransferAmount,
    thresholdBank: cap.thresholdBank,
    capAtUnmargined: ctx.saccrConvention === 'cre52',
  };
  const n = clock.times.length;
  const eadProfile = projectedEad(input, clock.elapsed, values, nPaths, true, SACCR_PARAMETERS);
  const curve = credit.counterparties.get(cap.counterpartyId)?.curve;
  const eadSurvival = new Float64Array(n);
  const survivals = new Float64Array(n);
  const remainingMaturity = new Float64Array(n);
  const ccrCapital = new Float64Array(n);
  const ratio = ctx.capital.capitalRatio;
  for (let k = 0; k < n; k++) {
    const survival = curve ? curve.survival(clock.times[k]!) : 1;
    survivals[k] = survival;
    eadSurvival[k] = eadProfile[k]! * survival;
    ccrCapital[k] = cap.riskWeight * eadProfile[k]! * survival * ratio;
    remainingMaturity[k] = cap.positions.length > 0 ? remainingEffectiveMaturity(cap.positions, clock.elapsed[k]!) : Math.max(cap.effectiveMaturityYears - clock.elapsed[k]!, 0);
  }
  const { survivalOwn, discount } = ownAndDiscount(ctx, clock);
  const kvaCcr = kvaIntegral(clock.times, ccrCapital, survivalOwn, discount, ctx.capital.costOfCapital).kva;
  return { eadProfile, eadSurvival, survival: survivals, remainingMaturity, ccrCapital, kvaCcr };
}

const cache = new WeakMap<KvaClock, { survivalOwn: Float64Array; discount: Float64Array }>();

function ownAndDiscount(ctx: MeasureContext, clock: KvaClock): { survivalOwn: Float64Array; discount: Float64Array } {
  let c = cache.get(clock);
  if (!c) {
    const own = ctx.market.ownCredit;
    const curve = ctx.market.discountCurve(ctx.market.baseCurrency);
    c = { survivalOwn: Float64Array.from(clock.times, (t) => (own ? own.survival(t) : 1)), discount: Float64Array.from(clock.times, (t) => curve.discount(t)) };
    cache.set(clock, c);
  }
  return c;
}

/** Book KVA: CCR capital profiles summed in the book's order plus BA-CVA capital on every date (capital/run.ts). */
export function bookKva(ctx: MeasureContext, clock: KvaClock, portfolio: Portfolio, sets: ReadonlyMap<string, { kva: SetKva }>): number {
  const n = clock.times.length;
  const capital = new Float64Array(n);
  for (const ns of portfolio.nettingSets) {
    const s = sets.get(ns.nettingSetId);
    if (!s) continue;
    for (let k = 0; k < n; k++) capital[k] = capital[k]! + s.kva.ccrCapital[k]!;
  }
  const hedges = cdsHedges(portfolio, ctx.market);
  // index CDS with BA-CVA columns (MAR50.24), as capital/run.ts's KVA projection
  const indexHedges = cdsIndexHedges(portfolio, ctx.market, ctx.saccrInputs.referenceEntities);
  // a counterparty's survival, from any of its sets (they share its curve)
  const survivalOf = new Map<string, Float64Array>();
  for (const ns of portfolio.nettingSets) {
    const s = sets.get(ns.nettingSetId);
    if (s && !survivalOf.has(ns.counterpartyId)) survivalOf.set(ns.counterpartyId, s.kva.survival);
  }
  for (let k = 0; k < n; k++) {
    // a single-name hedge's notional weighted by its name's survival, as the EAD is (capital/run.ts computeKva)
    const shifted = hedges.map((h) => ({ ...h, notionalAmount: h.notionalAmount * (survivalOf.get(h.counterpartyId)?.[k] ?? 1), remainingMaturityYears: Math.max(h.remainingMaturityYears - clock.elapsed[k]!, 0) }));
    const shiftedIndex = indexHedges.map((h) => ({ ...h, remainingMaturityYears: Math.max(h.remainingMaturityYears - clock.elapsed[k]!, 0) }));
    const ba = baCvaBook(portfolio, (id) => sets.get(id)?.kva.eadSurvival[k] ?? 0, (id) => sets.get(id)?.kva.remainingMaturity[k] ?? 0, shifted, 'KVA projection', shiftedIndex);
    capital[k] = capital[k]! + ba.rwa * ctx.capital.capitalRatio;
  }
  const { survivalOwn, discount } = ownAndDiscount(ctx, clock);
  return kvaIntegral(clock.times, capital, survivalOwn, discount, ctx.capital.costOfCapital).kva;
}
