/**
 * The objective of `xva optimize`: four savings measured by the engine, weighted by the desk's priorities, less the
 * cost of doing the action (docs/optimize.md, "Objective").
 *
 *   CVA saving        = −ΔCVA
 *   FVA saving        = −ΔFVA            (FCA − FBA + ColVA)
 *   capital saving    = −ΔKVA            (the lifetime cost of the CCR and CVA capital; ΔRWA, ΔEAD, ΔCET1 are reported)
 *   collateral saving = −ΔMVA + one year of collateral funding saving (the collateral lever's allocation)
 *
 *   net benefit = Σ_i (4 · w_i / Σ_j w_j) · saving_i − cost
 *
 * so that equal weights (the default 0.25 each) make the objective the plain sum of the savings less the cost, and a
 * weight of 0 leaves an objective out. DVA and FBA changes are reported but DVA is not a saving (own credit).
 */
import { XvaUsageError } from '../errors.js';
import type { CostDelta } from './types.js';

export const OBJECTIVES = ['cva', 'fva', 'capital', 'collateral'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export type ObjectiveWeights = Readonly<Record<Objective, number>>;

export const DEFAULT_WEIGHTS: ObjectiveWeights = { cva: 0.25, fva: 0.25, capital: 0.25, collateral: 0.25 };

/** The four savings of a delta (positive = the book costs less). */
export type Savings = Record<Objective, number>;

export function savingsOf(delta: CostDelta, annualCollateralSaving = 0): Savings {
  return { cva: -delta.cva, fva: -delta.fva, capital: -delta.kva, collateral: -delta.mva + annualCollateralSaving };
}

export function checkWeights(w: ObjectiveWeights): void {
  let sum = 0;
  for (const k of OBJECTIVES) {
    const x = w[k];
    if (!(Number.isFinite(x) && x >= 0)) throw new XvaUsageError(`the weight of ${k} must be a number >= 0, got ${x}`);
    sum += x;
  }
  if (!(sum > 0)) throw new XvaUsageError('at least one objective weight must be > 0');
}

/**
 * Parses `cva=0.4,fva=0.2,capital=0.2,collateral=0.2`: missing keys keep their default (0.25), and an objective named
 * twice is refused as a lever named twice is (an audit found `cva=1,cva=0` taking the last value silently).
 */
export function parseWeights(text: string): ObjectiveWeights {
  const w: Record<Objective, number> = { ...DEFAULT_WEIGHTS };
  const named = new Set<string>();
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([a-z]+)\s*=\s*(.+)$/.exec(part);
    if (!m || !(OBJECTIVES as readonly string[]).includes(m[1]!)) {
      throw new XvaUsageError(`--weights: "${part}" is not <objective>=<number> with objective one of ${OBJECTIVES.join(', ')}`);
    }
    if (named.has(m[1]!)) throw new XvaUsageError(`--weights: ${m[1]} is given twice: give each objective once`);
    named.add(m[1]!);
    // a decimal number as the loaders read one (not 0x10, 1e400 or Infinity)
    const value = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(m[2]!) ? Number(m[2]) : NaN;
    if (!Number.isFinite(value)) throw new XvaUsageError(`--weights: ${m[1]}="${m[2]}" is not a number`);
    w[m[1] as Objective] = value;
  }
  checkWeights(w);
  return w;
}

export function weightedBenefit(s: Savings, w: ObjectiveWeights, cost: number): number {
  let total = 0;
  for (const k of OBJECTIVES) total += w[k];
  let b = 0;
  for (const k of OBJECTIVES) b += ((OBJECTIVES.length * w[k]) / total) * s[k];
  return b - cost;
}
