/**
 * The compression MILP (the literature's "minimise gross notional subject to preserved net positions": D'Errico and
 * Roukny, "Compressing over-the-counter markets", Operations Research 2021; here in the tolerance-band form of the
 * commercial compression cycles, where each participant's risk may move within stated bands). For a group's n
 * compressible trades and m replacement candidates:
 *
 *   variables   t_i ∈ {0,1}              terminate trade i (keep = 1 − t_i)
 *               y⁺_c, y⁻_c ∈ [0, U_c]    replacement c's notional in millions (⁺ pay fixed / buy, ⁻ receive / sell)
 *               z_c ∈ {0,1}              replacement c is traded
 *   minimise    Σ_i N_i·(1 − t_i) + Σ_c X_c·(y⁺_c + y⁻_c) + π·Σ_c z_c    (millions of the base currency)
 *   subject to  |−Σ_i t_i·s_ig + Σ_c (y⁺_c − y⁻_c)·r_cg| ≤ tol_g         for PV and every delta factor g (IR, xccy basis, FX)
 *               y⁺_c ≤ U_c·z_c,  y⁻_c ≤ U_c·z_c                           (big-M on/off)
 *               Σ_c z_c ≤ maxReplacements
 *
 * N_i: trade i's notional in base currency (millions), X_c: the base value of one unit of c's currency, s_ig: trade
 * i's PV or delta, r_cg: replacement c's per million (USD). The objective is the gross notional after compression;
 * the constant Σ N_i is left out of the program (`objectiveOffset`). Each risk row is the change of its factor, so
 * "change nothing" (t = 0, y = 0, z = 0) is the all-zero point, feasible at once, and each row is divided by its
 * tolerance so that every band is [−1, 1] (a band of 100 USD/bp is not lost against a position of millions).
 *
 * π (option replacementPenaltyNotional, default 1m of base-currency notional per new trade) is what booking a new
 * trade is worth in notional: a replacement must save more gross notional than that. It also breaks ties towards
 * fewer new trades (a set with nothing to offset keeps every trade rather than swapping two trades for one of the
 * same gross notional) and stops the churn of replacing a trade by a near copy shaded to the edge of the bands.
 *
 * Big-M: U_c = the group's gross notional of compressible trades in c's currency (millions). It cuts off no optimum:
 * keeping everything is feasible with objective G = that gross notional, and any solution with |y_c| > U_c costs more
 * than G. The same argument makes the program always feasible.
 */
import type { LinearProgram, LpRow, LpVariable } from '../../lp/model.js';
import type { TradeRisk } from './risk.js';
import { riskClassOf } from './risk.js';

export interface MilpTrade {
  /** Notional in the base currency (units, not millions). */
  notionalBase: number;
  risk: TradeRisk;
}

export interface MilpReplacement {
  /** Base-currency value of one unit of the replacement's notional currency. */
  unitToBase: number;
  /** PV and delta per million notional, positive direction. */
  unitRisk: TradeRisk;
}

export interface Tolerances {
  pvUsd: number;
  irUsdPerBp: number;
  fxUsd: number;
  /** Cross-currency basis delta per currency, USD per 1bp (default: `irUsdPerBp`, the IR delta's unit). */
  xccyBasisUsdPerBp?: number;
}

export interface CompressionMilp {
  lp: LinearProgram;
  /** Σ N_i in millions: the program's objective plus this is the gross notional after (plus the penalties). */
  objectiveOffset: number;
  /** Constraint factors in row order: 'pv' first, then the delta factor keys, sorted. */
  factors: string[];
  /** Keep flags and signed replacement notionals (millions) from the solver's values. */
  decode(values: Float64Array): { keep: boolean[]; replacementMillions: number[] };
}

export function toleranceOf(factor: string, tol: Tolerances): number {
  if (factor === 'pv') return tol.pvUsd;
  const riskClass = riskClassOf(factor);
  return riskClass === 'ir' ? tol.irUsdPerBp : riskClass === 'xccy' ? (tol.xccyBasisUsdPerBp ?? tol.irUsdPerBp) : tol.fxUsd;
}

const valueOf = (risk: TradeRisk, factor: string): number => (factor === 'pv' ? risk.pvUsd : (risk.factors.get(factor) ?? 0));

/** `replacementPenaltyNotional`: π in base-currency units (not millions). */
export function buildCompressionMilp(
  trades: readonly MilpTrade[],
  replacements: readonly MilpReplacement[],
  tol: Tolerances,
  maxReplacements: number,
  replacementPenaltyNotional = 1e6,
): CompressionMilp {
  const reps = maxReplacements > 0 ? replacements : [];
  const variables: LpVariable[] = [];
  const rows: LpRow[] = [];
  trades.forEach((t, i) => variables.push({ name: `terminate_${i}`, lower: 0, upper: 1, cost: -t.notionalBase / 1e6, integer: true }));
  const grossMillions = trades.reduce((a, t) => a + t.notionalBase, 0) / 1e6;
  const yPlus: number[] = [];
  const yMinus: number[] = [];
  const on: number[] = [];
  reps.forEach((r, c) => {
    const bound = grossMillions / r.unitToBase;
    yPlus.push(variables.push({ name: `rep_${c}_pos`, lower: 0, upper: bound, cost: r.unitToBase }) - 1);
    yMinus.push(variables.push({ name: `rep_${c}_neg`, lower: 0, upper: bound, cost: r.unitToBase }) - 1);
    on.push(variables.push({ name: `rep_${c}_on`, lower: 0, upper: 1, cost: replacementPenaltyNotional / 1e6, integer: true }) - 1);
  });

  const keys = new Set<string>();
  for (const t of trades) for (const k of t.risk.factors.keys()) keys.add(k);
  for (const r of reps) for (const k of r.unitRisk.factors.keys()) keys.add(k);
  const factors = ['pv', ...[...keys].sort()];
  for (const g of factors) {
    const raw: [number, number][] = [];
    trades.forEach((t, i) => {
      const s = valueOf(t.risk, g);
      if (s !== 0) raw.push([i, -s]);
    });
    reps.forEach((r, c) => {
      const s = valueOf(r.unitRisk, g);
      if (s !== 0) raw.push([yPlus[c]!, s], [yMinus[c]!, -s]);
    });
    if (raw.length === 0) continue;
    const t = toleranceOf(g, tol);
    // in tolerance units; a zero tolerance (an equality) in units of the row's largest coefficient
    const scale = t > 0 ? t : Math.max(...raw.map(([, c]) => Math.abs(c)));
    const band = t / scale;
    rows.push({ name: `risk_${g}`, terms: raw.map(([i, c]) => [i, c / scale] as const), lower: -band, upper: band });
  }
  reps.forEach((r, c) => {
    const bound = grossMillions / r.unitToBase;
    rows.push({ name: `rep_${c}_pos_on`, terms: [[yPlus[c]!, 1], [on[c]!, -bound]], lower: -Infinity, upper: 0 });
    rows.push({ name: `rep_${c}_neg_on`, terms: [[yMinus[c]!, 1], [on[c]!, -bound]], lower: -Infinity, upper: 0 });
  });
  if (reps.length > 0) rows.push({ name: 'max_replacements', terms: on.map((i) => [i, 1] as const), lower: -Infinity, upper: maxReplacements });

  return {
    lp: { sense: 'minimize', variables, rows },
    objectiveOffset: grossMillions,
    factors,
    decode(values) {
      const keep = trades.map((_, i) => values[i]! < 0.5);
      const replacementMillions = replacements.map((_, c) => (c < reps.length && values[on[c]!]! > 0.5 ? values[yPlus[c]!]! - values[yMinus[c]!]! : 0));
      return { keep, replacementMillions };
    },
  };
}
