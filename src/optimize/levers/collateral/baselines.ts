/**
 * The two allocations the LP is compared with (docs/optimize-collateral.md, "Baselines").
 *
 * - Current: the postings the caller gives (`currentAllocation`), else the all-cash baseline: the portfolio inputs
 *   carry per netting set only a net collateral balance (`collateral_balances`), not which assets make it up, so each
 *   requirement is taken as met in cash of its collateral currency, grossed up by the CSA's cash haircut, at the
 *   funding cost of the inventory's cash in that currency (the cheapest such holding), or, when the inventory holds
 *   none, the bank's unsecured borrowing spread for that currency (market `funding.borrowSpreadBp`). Quantities are
 *   not imposed on this baseline: cash beyond the holding is borrowed at the same cost.
 * - Greedy cheapest-to-deliver: requirements in requirement-id order; for each, eligible assets in increasing cost
 *   per unit of collateral value credited (costBp / (1 − H)), then haircut, then asset id; each takes as much as
 *   the requirement, the asset's remaining value and the concentration limits allow. It may leave a requirement
 *   short that the LP can meet (it never looks ahead), which is then reported.
 */
import { XvaUsageError } from '../../../errors.js';
import type { CollateralAsset, Portfolio } from '../../../portfolio/types.js';
import type { AllocationRow, CollateralOptions, CurrentPosting } from './types.js';
import { postingTerms, singleAssetCapBase, type AllocationProblem, type PostingPair } from './terms.js';

/** One row from a pair's terms and the market value (base currency) posted. */
export function allocationRow(problem: AllocationProblem, r: number, asset: CollateralAsset, assetFx: number, terms: Omit<PostingPair, 'r' | 'a'>, marketValueBase: number): AllocationRow {
  const q = problem.requirements[r]!;
  return {
    requirementId: q.requirementId,
    nettingSetId: q.nettingSetId,
    marginType: q.marginType,
    requirementCurrency: q.currency,
    assetId: asset.assetId,
    assetType: asset.assetType,
    assetCurrency: asset.currency,
    marketValue: marketValueBase / assetFx,
    marketValueBase,
    csaHaircutPct: terms.csaHaircutPct,
    fxHaircutPct: terms.fxHaircutPct,
    haircutPct: terms.haircutPct,
    collateralValue: (marketValueBase * terms.valueFactor) / problem.requirementFx[r]!,
    costBp: terms.costBp,
    annualCost: (marketValueBase * terms.costBp) / 10_000,
  };
}

function cashBaseline(problem: AllocationProblem, portfolio: Portfolio, options: CollateralOptions, notes: string[]): AllocationRow[] {
  const rowsOf = (nettingSetId: string) => portfolio.eligibleCollateral.filter((e) => e.nettingSetId === nettingSetId);
  return problem.requirements.map((q, r) => {
    const held = problem.assets
      .filter((a) => a.assetType === 'cash' && a.currency === q.currency)
      .sort((x, y) => x.fundingCostBp - y.fundingCostBp || (x.assetId < y.assetId ? -1 : 1))[0];
    const asset: CollateralAsset = held
      ? { ...held, eligibility: 'both' }
      : { assetId: `cash:${q.currency}`, assetType: 'cash', currency: q.currency, marketValue: Infinity, eligibility: 'both', haircutPct: 0, fundingCostBp: options.market.funding(q.currency).borrowSpreadBp };
    let terms = postingTerms(q, asset, rowsOf(q.nettingSetId), options);
    if (!terms) {
      notes.push(`current baseline: ${q.requirementId}'s CSA does not list cash in ${q.currency}; the all-cash baseline still assumes it, at 0% haircut`);
      terms = { csaHaircutPct: 0, fxHaircutPct: 0, haircutPct: 0, valueFactor: 1, costBp: asset.fundingCostBp };
    }
    return allocationRow(problem, r, asset, problem.requirementFx[r]!, terms, problem.requirementBase[r]! / terms.valueFactor);
  });
}

function givenPostings(problem: AllocationProblem, postings: readonly CurrentPosting[]): AllocationRow[] {
  const reqIndex = new Map(problem.requirements.map((q, r) => [q.requirementId, r]));
  const assetIndex = new Map(problem.assets.map((a, i) => [a.assetId, i]));
  return postings.map((p) => {
    const r = reqIndex.get(p.requirementId);
    const a = assetIndex.get(p.assetId);
    if (r === undefined) throw new XvaUsageError(`current collateral allocation: requirement ${p.requirementId} is not among the posting requirements`);
    if (a === undefined) throw new XvaUsageError(`current collateral allocation: asset ${p.assetId} is not in the collateral inventory`);
    const pair = problem.pairs.find((x) => x.r === r && x.a === a);
    if (!pair) throw new XvaUsageError(`current collateral allocation: asset ${p.assetId} is not eligible for ${p.requirementId}`);
    return allocationRow(problem, r, problem.assets[a]!, problem.assetFx[a]!, pair, p.marketValue * problem.assetFx[a]!);
  });
}

export function currentAllocation(problem: AllocationProblem, portfolio: Portfolio, options: CollateralOptions, notes: string[]): AllocationRow[] {
  return options.currentAllocation ? givenPostings(problem, options.currentAllocation) : cashBaseline(problem, portfolio, options, notes);
}

/** Greedy cheapest-to-deliver; returns its rows and the value (base currency) left uncovered per requirement. */
export function greedyAllocation(problem: AllocationProblem): { rows: AllocationRow[]; shortBase: Float64Array } {
  const remaining = Float64Array.from(problem.assetBase);
  const shortBase = new Float64Array(problem.requirements.length);
  const rows: AllocationRow[] = [];
  const byReq: PostingPair[][] = problem.requirements.map(() => []);
  for (const p of problem.pairs) byReq[p.r]!.push(p);
  problem.requirements.forEach((q, r) => {
    const need = problem.requirementBase[r]!;
    let covered = 0;
    const typeUsed = new Map<string, number>();
    const order = byReq[r]!.sort(
      (x, y) =>
        x.costBp / x.valueFactor - y.costBp / y.valueFactor ||
        x.haircutPct - y.haircutPct ||
        (problem.assets[x.a]!.assetId < problem.assets[y.a]!.assetId ? -1 : 1),
    );
    for (const p of order) {
      const left = need - covered;
      if (left <= need * 1e-12) break;
      const asset = problem.assets[p.a]!;
      const typeRoom = (problem.typeSharePct[asset.assetType] / 100) * need - (typeUsed.get(asset.assetType) ?? 0);
      const value = Math.min(left, remaining[p.a]! * p.valueFactor, typeRoom, singleAssetCapBase(problem, p));
      if (!(value > 0)) continue;
      const marketValueBase = value / p.valueFactor;
      remaining[p.a] = Math.max(0, remaining[p.a]! - marketValueBase);
      typeUsed.set(asset.assetType, (typeUsed.get(asset.assetType) ?? 0) + value);
      covered += value;
      rows.push(allocationRow(problem, r, asset, problem.assetFx[p.a]!, p, marketValueBase));
    }
    shortBase[r] = Math.max(0, need - covered);
    if (shortBase[r]! <= need * 1e-9) shortBase[r] = 0;
  });
  return { rows, shortBase };
}
