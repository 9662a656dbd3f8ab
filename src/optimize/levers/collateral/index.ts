/**
 * Collateral allocation lever of `xva optimize` (docs/optimize-collateral.md): assigns the bank's collateral
 * inventory to every VM and IM requirement it must post, at least funding cost, by an LP (program.ts, solved by
 * HiGHS through lp/solve.ts), and compares it with the current allocation and a greedy cheapest-to-deliver one.
 *
 *   const requirements = postingRequirements(portfolio, marginRun.nettingSets, market);
 *   const result = await collateralAllocation(portfolio, requirements, { market });
 *
 * Output table `collateral_allocation` (one file, columns ALLOCATION_COLUMNS of types.ts, `allocationTable`):
 *   allocation (optimal | current | greedy), requirement_id, netting_set_id, margin_type (vm | im),
 *   requirement_currency, asset_id, asset_type, asset_currency, market_value (asset currency),
 *   market_value_base, csa_haircut_pct, fx_haircut_pct, haircut_pct, collateral_value (requirement currency, after
 *   haircuts), cost_bp (bp per year), annual_cost_base (base currency per year).
 *
 * The saving is a funding-cost difference, the lever's own figure: the allocation changes which assets are posted,
 * not any netting set's CSA (collateral currency, thresholds, amounts), so the engine's XVA of the book is unchanged
 * by it and there is nothing to re-measure; the action's amendment is empty and its details say so.
 */
import { createHash } from 'node:crypto';
import type { Portfolio } from '../../../portfolio/types.js';
import { EMPTY_AMENDMENT, type Action } from '../../types.js';
import { allocationRow, currentAllocation, greedyAllocation } from './baselines.js';
import { solveAllocation } from './program.js';
import { buildProblem, type AllocationProblem } from './terms.js';
import { ALLOCATION_COLUMNS, type AllocationRow, type CollateralAllocation, type CollateralOptions, type CollateralRequirement, type Shortfall } from './types.js';

export * from './types.js';
export { postingRequirements, requirementId } from './requirements.js';
export { postingTerms } from './terms.js';

const sum = (rows: readonly AllocationRow[]) => rows.reduce((s, x) => s + x.annualCost, 0);

/** An amount for a message: whole units with thousands separators (en-US, the same on every machine). */
function money(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function inputHash(problem: AllocationProblem, options: CollateralOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({
    requirements: problem.requirements.map((q) => [q.requirementId, q.currency, q.amount]),
    assets: problem.assets.map((a) => [a.assetId, a.currency, a.marketValue, a.fundingCostBp]),
    pairs: problem.pairs.map((p) => [p.r, p.a, p.haircutPct, p.costBp]),
    limits: [problem.typeSharePct, problem.singleAssetSharePct, options.transitionCostBp ?? 0],
  }));
  return h.digest('hex').slice(0, 12);
}

/** One-off cost of moving from `current` to `optimal`: market value newly delivered (base) × transitionCostBp. */
function transitionCost(current: readonly AllocationRow[], optimal: readonly AllocationRow[], transitionCostBp: number): number {
  if (transitionCostBp === 0) return 0;
  const key = (x: AllocationRow) => `${x.requirementId}\u0000${x.assetId}`;
  const before = new Map<string, number>();
  for (const x of current) before.set(key(x), (before.get(key(x)) ?? 0) + x.marketValueBase);
  let delivered = 0;
  for (const x of optimal) delivered += Math.max(0, x.marketValueBase - (before.get(key(x)) ?? 0));
  return (delivered * transitionCostBp) / 10_000;
}

function shortfallMessage(shortfalls: readonly Shortfall[], baseCurrency: string): string {
  const list = shortfalls.map((s) => `${s.requirementId} short ${money(s.short)} ${s.currency} of ${money(s.amount)} ${s.currency}`).join('; ');
  return (
    `the collateral inventory cannot meet ${shortfalls.length} posting requirement${shortfalls.length === 1 ? '' : 's'} ` +
    `under their CSAs' eligibility, haircuts and concentration limits: ${list} (a least-shortfall split; base currency ${baseCurrency})`
  );
}

/** The LP allocation of `portfolio.collateral` to `requirements`, with the current and greedy baselines. */
export async function collateralAllocation(
  portfolio: Portfolio,
  requirements: readonly CollateralRequirement[],
  options: CollateralOptions,
): Promise<CollateralAllocation> {
  const problem = buildProblem(portfolio, requirements, options);
  const notes = [...problem.notes];
  const baseCurrency = problem.baseCurrency;
  const empty = { optimal: [], current: [], greedy: [], shortfalls: [] };
  const zero = { optimal: 0, current: 0, greedy: 0, greedyShortfallBase: 0, savingVsCurrent: 0, savingVsGreedy: 0 };
  if (problem.requirements.length === 0) {
    return { status: 'empty', baseCurrency, requirements: [], ...empty, totals: zero, message: 'the bank posts no VM or IM: nothing to allocate', notes };
  }

  const solved = await solveAllocation(problem, options.timeLimitSeconds);
  if (solved.status === 'infeasible') {
    const shortfalls: Shortfall[] = [];
    problem.requirements.forEach((q, r) => {
      const shortBase = solved.shortfallBase[r]!;
      if (shortBase > 1e-7 * problem.requirementBase[r]!) shortfalls.push({ requirementId: q.requirementId, currency: q.currency, amount: q.amount, short: shortBase / problem.requirementFx[r]! });
    });
    return { status: 'infeasible', baseCurrency, requirements: problem.requirements, ...empty, shortfalls, totals: zero, message: shortfallMessage(shortfalls, baseCurrency), notes };
  }

  const optimal: AllocationRow[] = [];
  problem.pairs.forEach((p, k) => {
    const x = solved.values[k]!;
    if (x > 1e-9 * problem.requirementBase[p.r]!) optimal.push(allocationRow(problem, p.r, problem.assets[p.a]!, problem.assetFx[p.a]!, p, x));
  });
  const current = currentAllocation(problem, portfolio, options, notes);
  const greedy = greedyAllocation(problem);
  const greedyShortfallBase = greedy.shortBase.reduce((s, x) => s + x, 0);
  const totals = {
    optimal: sum(optimal),
    current: sum(current),
    greedy: sum(greedy.rows),
    greedyShortfallBase,
    savingVsCurrent: sum(current) - sum(optimal),
    savingVsGreedy: greedyShortfallBase > 0 ? undefined : sum(greedy.rows) - sum(optimal),
  };
  if (greedyShortfallBase > 0) {
    const short = problem.requirements.filter((_, r) => greedy.shortBase[r]! > 0).map((q) => q.requirementId);
    notes.push(`the greedy baseline leaves ${short.join(', ')} short (${money(greedyShortfallBase)} ${baseCurrency} in all) where the LP meets every requirement`);
  }
  const result: CollateralAllocation = {
    status: 'optimal',
    baseCurrency,
    requirements: problem.requirements,
    optimal,
    current: current,
    greedy: greedy.rows,
    totals,
    shortfalls: [],
    message: `collateral allocation: ${money(totals.optimal)} ${baseCurrency}/yr funding cost against ${money(totals.current)} current (saving ${money(totals.savingVsCurrent)}/yr)`,
    notes,
  };
  const saves = totals.savingVsCurrent > 1e-9 * Math.max(1, totals.current) || (totals.savingVsGreedy ?? 0) > 1e-9 * Math.max(1, totals.greedy);
  if (saves) result.action = collateralAction(portfolio, problem, result, options);
  return result;
}

function collateralAction(portfolio: Portfolio, problem: AllocationProblem, result: CollateralAllocation, options: CollateralOptions): Action {
  const { totals, baseCurrency } = result;
  const nettingSetIds = [...new Set(problem.requirements.map((q) => q.nettingSetId))].sort();
  const cptyOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.counterpartyId]));
  const counterpartyIds = [...new Set(nettingSetIds.map((id) => cptyOf.get(id)).filter((c): c is string => c !== undefined))].sort();
  const cost = transitionCost(result.current, result.optimal, options.transitionCostBp ?? 0);
  const assetsUsed = new Set(result.optimal.map((x) => x.assetId)).size;
  return {
    actionId: `collateral-${inputHash(problem, options)}`,
    lever: 'collateral',
    description:
      `Re-allocate posted collateral across ${problem.requirements.length} VM/IM requirements (${assetsUsed} assets): funding cost ` +
      `${money(totals.current)} -> ${money(totals.optimal)} ${baseCurrency}/yr`,
    amendment: EMPTY_AMENDMENT,
    tradeIds: [],
    counterpartyIds,
    nettingSetIds,
    cost,
    details: {
      currency: baseCurrency,
      optimalAnnualCost: totals.optimal,
      currentAnnualCost: totals.current,
      greedyAnnualCost: totals.greedy,
      savingPerYearVsCurrent: totals.savingVsCurrent,
      savingPerYearVsGreedy:
        totals.savingVsGreedy ?? `n/a: the greedy baseline leaves ${money(totals.greedyShortfallBase)} ${baseCurrency} of requirements uncovered`,
      currentBaseline: options.currentAllocation ? 'postings given by the caller' : 'all-cash: each requirement in cash of its collateral currency',
      savingBasis:
        'lever estimate: funding-cost difference per year; not re-measured by the engine (no netting set changes its CSA or collateral currency, so XVA is unchanged)',
      transitionCostBasis: `one-off: ${options.transitionCostBp ?? 0} bp of the market value newly delivered`,
      requirements: problem.requirements.length,
      assetsUsed,
    },
  };
}

/** The three allocations as rows of the `collateral_allocation` table (columns ALLOCATION_COLUMNS, in order). */
export function allocationTable(result: CollateralAllocation): Record<(typeof ALLOCATION_COLUMNS)[number][0], string | number>[] {
  const out: Record<(typeof ALLOCATION_COLUMNS)[number][0], string | number>[] = [];
  for (const [allocation, rows] of [['optimal', result.optimal], ['current', result.current], ['greedy', result.greedy]] as const) {
    for (const x of rows) {
      out.push({
        allocation,
        requirement_id: x.requirementId,
        netting_set_id: x.nettingSetId,
        margin_type: x.marginType,
        requirement_currency: x.requirementCurrency,
        asset_id: x.assetId,
        asset_type: x.assetType,
        asset_currency: x.assetCurrency,
        market_value: x.marketValue,
        market_value_base: x.marketValueBase,
        csa_haircut_pct: x.csaHaircutPct,
        fx_haircut_pct: x.fxHaircutPct,
        haircut_pct: x.haircutPct,
        collateral_value: x.collateralValue,
        cost_bp: x.costBp,
        annual_cost_base: x.annualCost,
      });
    }
  }
  return out;
}
