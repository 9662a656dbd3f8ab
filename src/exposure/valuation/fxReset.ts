/**
 * Mark-to-market (resetting) cross-currency swaps on paths (pricing/mtmXccy.ts gives the product and today's formulas).
 * The resetting leg in U against the constant leg in C (N_C), from the bank's side with `sign` = +1 when it receives
 * the resetting leg:
 * - periods whose notional is known today (the first, resets on or before the as-of date): ordinary floating periods on
 *   that notional in U's pool, with their outlay (if still to come) and repayment;
 * - a period that resets after today, while it has not reset (grid dates t_d ≤ t_j, t_j the last grid date on or
 *   before its reset s, where the engine fixes it as it fixes term rates): in C's pool N_C·(β·P_C(t, s) − P_C(t, s))
 *   (the bond as a floating coupon's forward part, valued at t_j too; the outlay a payment on s), exact, and where the
 *   leg has a spread the per-path term N_C·τ·spread·P_C(t, s)·P_U(t, e)/P_U(t, s)·X_C(t) (FxResetOnPaths);
 * - once reset (t_j < t_d < e): per path N_C·F_j·(β·P_U(t_j, s)/P_U(t_j, e) + τ·spread)·P_U(t_d, e)·X_U(t_d), where the
 *   notional's FX rate is the forward to s seen at t_j, F_j = X_{C→U}(t_j)·P_C(t_j, s)/P_U(t_j, s) (X(s) itself when
 *   t_j = s), as a floating coupon's rate is the forward seen at t_j (the outlay, N_C of C on s, stays in C's pool
 *   until s): so at t_j the reset period's value equals its forward value in C's pool, and the value process stays a
 *   martingale (test/mtmXccy.test.ts).
 * Everything is in the base currency (X_C, X_U: base per unit of C, U; 1 for the base currency).
 */
import type { Market } from '../../market/types.js';
import type { CrossCurrencySwap } from '../../products/types.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { basisRatio } from '../../pricing/curves.js';
import { mtmResetTerms } from '../../pricing/mtmXccy.js';
import { projectionFor } from '../../pricing/swaps.js';
import { addFloatLeg, addPayment, type PoolSink } from './legs.js';
import { lastIndexBefore, lastIndexOnOrBefore, type LgmOnGrid } from './model.js';
import { bondLogCoefficients, type PathTrade } from './options.js';

/** The state indices FxResetOnPaths reads: LGM states and FX factors (−1: the base currency) of U and C. */
export interface ResetFactors {
  irU: number;
  irC: number;
  fxU: number;
  fxC: number;
}

/** One period that resets after today, as the paths read it. */
interface ResetTerm {
  /** sign·N_C. */
  scale: number;
  /** τ·spread of the period (0: no per-path term before the reset). */
  tauSpread: number;
  beta: number;
  /** Grid index of the reset (t_j) and the last grid index before the payment. */
  fixIndex: number;
  lastIndex: number;
  /** ln P(t_d, T) = lnA[d] − B[d]·x: C's bond to s, U's bonds to s and to e. */
  cs: { lnA: Float64Array; B: Float64Array };
  us: { lnA: Float64Array; B: Float64Array };
  ue: { lnA: Float64Array; B: Float64Array };
}

/**
 * The reset periods' per-path parts (module comment): before its reset a period's spread term where the leg has a
 * spread, after it the whole period. The factor of a reset period fixed at t_j (F_j and the bracket) depends on the
 * paths at t_j only: computed once per paths object and period.
 */
export class FxResetOnPaths implements PathTrade {
  readonly lastIndex: number;
  private cachePaths: SimulatedPaths | null = null;
  private cacheTerm = -1;
  private cache = new Float64Array(0);

  constructor(
    readonly tradeIndex: number,
    private readonly terms: readonly ResetTerm[],
    private readonly f: ResetFactors,
  ) {
    this.lastIndex = terms.reduce((m, t) => Math.max(m, t.lastIndex), -1);
  }

  /** F_j·(β·P_U(t_j, s)/P_U(t_j, e) + τ·spread)·X_U(t_j)⁻¹·… per path: the reset period's factor, X_U(t_d) and P_U(t_d, e) aside. */
  private factor(k: number, paths: SimulatedPaths): Float64Array {
    if (this.cachePaths === paths && this.cacheTerm === k) return this.cache;
    const n = paths.nPaths;
    if (this.cache.length < n) this.cache = new Float64Array(n);
    const t = this.terms[k]!;
    const j = t.fixIndex;
    const off = j * n;
    const xU = paths.irState[this.f.irU]!;
    const xC = paths.irState[this.f.irC]!;
    const fxU = this.f.fxU >= 0 ? paths.fxLog[this.f.fxU]! : null;
    const fxC = this.f.fxC >= 0 ? paths.fxLog[this.f.fxC]! : null;
    const aCs = t.cs.lnA[j]!;
    const bCs = t.cs.B[j]!;
    const aUs = t.us.lnA[j]!;
    const bUs = t.us.B[j]!;
    const aUe = t.ue.lnA[j]!;
    const bUe = t.ue.B[j]!;
    for (let p = 0; p < n; p++) {
      const u = xU[off + p]!;
      // ln(X_C/X_U · P_C(t_j, s)) at t_j, then the bracket β/P_U(t_j, e) + τ·spread/P_U(t_j, s)
      const lnF = (fxC === null ? 0 : fxC[off + p]!) - (fxU === null ? 0 : fxU[off + p]!) + aCs - bCs * xC[off + p]!;
      const bracket = t.beta * Math.exp(bUe * u - aUe) + (t.tauSpread === 0 ? 0 : t.tauSpread * Math.exp(bUs * u - aUs));
      this.cache[p] = Math.exp(lnF) * bracket;
    }
    this.cachePaths = paths;
    this.cacheTerm = k;
    return this.cache;
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d > this.lastIndex) return false;
    const n = paths.nPaths;
    out.fill(0, 0, n);
    const off = d * n;
    const xU = paths.irState[this.f.irU]!;
    const xC = paths.irState[this.f.irC]!;
    const fxU = this.f.fxU >= 0 ? paths.fxLog[this.f.fxU]! : null;
    const fxC = this.f.fxC >= 0 ? paths.fxLog[this.f.fxC]! : null;
    for (let k = 0; k < this.terms.length; k++) {
      const t = this.terms[k]!;
      if (d > t.lastIndex) continue;
      const aUe = t.ue.lnA[d]!;
      const bUe = t.ue.B[d]!;
      if (d > t.fixIndex) {
        // reset: scale·factor·P_U(t_d, e)·X_U(t_d)
        const factor = this.factor(k, paths);
        for (let p = 0; p < n; p++) {
          out[p] += t.scale * factor[p]! * Math.exp(aUe - bUe * xU[off + p]! + (fxU === null ? 0 : fxU[off + p]!));
        }
      } else if (t.tauSpread !== 0) {
        // before the reset: scale·τ·spread·X_C(t)·P_C(t, s)·P_U(t, e)/P_U(t, s)
        const c = t.scale * t.tauSpread;
        const aCs = t.cs.lnA[d]!;
        const bCs = t.cs.B[d]!;
        const aUs = t.us.lnA[d]!;
        const bUs = t.us.B[d]!;
        for (let p = 0; p < n; p++) {
          const u = xU[off + p]!;
          out[p] += c * Math.exp((fxC === null ? 0 : fxC[off + p]!) + aCs - bCs * xC[off + p]! + aUe - bUe * u - aUs + bUs * u);
        }
      }
    }
    return true;
  }
}

/**
 * Adds a resetting swap's resetting leg (received with `sign` = +1) to U's pool (`poolU`, its known periods) and C's
 * pool (`poolC`, the resets after today before they reset), and returns the per-path part, or null when nothing of it
 * is per path. The constant leg is an ordinary cross-currency leg (legs.ts addXccyLeg), added by the caller.
 */
export function addResettingLeg(
  poolU: PoolSink,
  poolC: PoolSink,
  grid: TimeGrid,
  market: Market,
  trade: CrossCurrencySwap,
  tradeIndex: number,
  sign: number,
  lgmU: LgmOnGrid,
  lgmC: LgmOnGrid,
  factors: ResetFactors,
): FxResetOnPaths | null {
  const terms = mtmResetTerms(trade, market);
  const { resetting, flows } = terms;
  const known = new Map<number, number>();
  for (const p of terms.periods) if (p.notional !== undefined) known.set(p.index, p.notional);
  // the known periods: coupons on their notionals, outlays still to come and repayments
  addFloatLeg(poolU, grid, market, trade.tradeId, tradeIndex, resetting, sign, (i) => known.get(i));
  for (const p of terms.periods) {
    if (p.notional === undefined) continue;
    addPayment(poolU, grid, market, tradeIndex, p.start, -sign * p.notional);
    addPayment(poolU, grid, market, tradeIndex, p.pay, sign * p.notional);
  }
  const projection = projectionFor(trade.tradeId, resetting, market);
  const spread = resetting.spreadBp / 1e4;
  const out: ResetTerm[] = [];
  const scale = sign * terms.constantNotional;
  for (const p of terms.periods) {
    if (p.notional !== undefined) continue;
    const k = p.flow;
    const s = flows.accrualStartTimes[k]!;
    const e = flows.paymentTimes[k]!;
    const beta = basisRatio(projection, lgmU.model, s, flows.accrualEndTimes[k]!);
    const fixIndex = lastIndexOnOrBefore(grid.dates, p.start);
    // before the reset, in C: the forward part as a floating coupon's (valued at t_j), the outlay paid on s
    poolC.addBond(tradeIndex, s, scale * beta, fixIndex);
    addPayment(poolC, grid, market, tradeIndex, p.start, -scale);
    out.push({
      scale,
      tauSpread: flows.accrualFractions[k]! * spread,
      beta,
      fixIndex,
      lastIndex: lastIndexBefore(grid.dates, p.pay),
      cs: bondLogCoefficients(lgmC, grid, s),
      us: bondLogCoefficients(lgmU, grid, s),
      ue: bondLogCoefficients(lgmU, grid, e),
    });
  }
  return out.length > 0 ? new FxResetOnPaths(tradeIndex, out, factors) : null;
}
