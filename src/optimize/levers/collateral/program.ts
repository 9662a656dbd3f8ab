/**
 * The allocation LP (docs/optimize-collateral.md, "Formulation"). One variable per eligible (requirement r, asset a)
 * pair: x_ra = market value of asset a posted to r, in the base currency. With v_ra = 1 − H_ra:
 *
 *   minimise   Σ x_ra · costBp_ra / 10,000                      (funding cost, base currency per year)
 *   subject to Σ_a v_ra x_ra = R_r                for every r    (each requirement met exactly, after haircuts)
 *              Σ_r x_ra ≤ M_a                     for every a    (each asset's market value used at most once)
 *              Σ_{a of type T} v_ra x_ra ≤ s_T R_r  for r, T     (asset-type concentration, when s_T < 100%)
 *              0 ≤ v_ra x_ra ≤ s_1 R_r                          (single non-cash asset concentration: a bound)
 *
 * Meeting a requirement exactly (an equality) rather than at least loses nothing when costs are >= 0 and keeps a
 * free asset from being over-posted. When the program is infeasible, a second LP finds the least total shortfall:
 * the same rows with a slack s_r ∈ [0, R_r] per requirement, minimising Σ s_r.
 */
import { XvaInternalError } from '../../../errors.js';
import type { LinearProgram, LpRow, LpVariable } from '../../lp/model.js';
import { solveLp } from '../../lp/solve.js';
import { ASSET_TYPES } from '../../../portfolio/types.js';
import { singleAssetCapBase, type AllocationProblem } from './terms.js';

function program(problem: AllocationProblem, withShortfall: boolean): LinearProgram {
  const { pairs, assets, requirements, requirementBase, assetBase } = problem;
  const variables: LpVariable[] = pairs.map((p) => ({
    name: `${requirements[p.r]!.requirementId}<-${assets[p.a]!.assetId}`,
    lower: 0,
    upper: Math.min(assetBase[p.a]!, singleAssetCapBase(problem, p) / p.valueFactor),
    cost: withShortfall ? 0 : p.costBp / 10_000,
  }));
  const byReq: [number, number][][] = requirements.map(() => []);
  const byAsset: [number, number][][] = assets.map(() => []);
  pairs.forEach((p, k) => {
    byReq[p.r]!.push([k, p.valueFactor]);
    byAsset[p.a]!.push([k, 1]);
  });
  const rows: LpRow[] = [];
  requirements.forEach((q, r) => {
    const terms = [...byReq[r]!];
    if (withShortfall) {
      terms.push([variables.length, 1]);
      variables.push({ name: `short:${q.requirementId}`, lower: 0, upper: requirementBase[r]!, cost: 1 });
    }
    rows.push({ name: `meet:${q.requirementId}`, terms, lower: requirementBase[r]!, upper: requirementBase[r]! });
  });
  assets.forEach((a, i) => {
    if (byAsset[i]!.length > 1) rows.push({ name: `quantity:${a.assetId}`, terms: byAsset[i]!, lower: -Infinity, upper: assetBase[i]! });
  });
  requirements.forEach((q, r) => {
    for (const type of ASSET_TYPES) {
      const share = problem.typeSharePct[type];
      if (share >= 100) continue;
      const terms = byReq[r]!.filter(([k]) => assets[pairs[k]!.a]!.assetType === type);
      if (terms.length > 0) rows.push({ name: `concentration:${q.requirementId}:${type}`, terms, lower: -Infinity, upper: (share / 100) * requirementBase[r]! });
    }
  });
  return { sense: 'minimize', variables, rows };
}

export interface LpAllocation {
  status: 'optimal' | 'infeasible';
  /** Market value per pair, base currency (optimal only). */
  values: Float64Array;
  /** Least shortfall per requirement, base currency (infeasible only). */
  shortfallBase: Float64Array;
}

/** Solves the allocation LP; when infeasible, the least-shortfall LP. */
export async function solveAllocation(problem: AllocationProblem, timeLimitSeconds?: number): Promise<LpAllocation> {
  const n = problem.requirements.length;
  const opts = timeLimitSeconds === undefined ? {} : { timeLimitSeconds };
  if (problem.pairs.length > 0) {
    const solution = await solveLp(program(problem, false), opts);
    if (solution.status === 'optimal') return { status: 'optimal', values: solution.values, shortfallBase: new Float64Array(n) };
    if (solution.status !== 'infeasible') throw new XvaInternalError(`the collateral allocation LP ended with status ${solution.solverStatus}`);
  }
  // Least total shortfall: always feasible (x = 0, s = R).
  const shortfallLp = program(problem, true);
  const solution = await solveLp(shortfallLp, opts);
  if (solution.status !== 'optimal') throw new XvaInternalError(`the collateral shortfall LP ended with status ${solution.solverStatus}`);
  const m = problem.pairs.length;
  return { status: 'infeasible', values: new Float64Array(0), shortfallBase: solution.values.slice(m, m + n) };
}
