/**
 * The market paths of a what-if, regenerated instead of stored: the draws are counter-based (Philox keyed by seed,
 * global path, driver stream and step; src/simulation/rng), and a driver's increments depend only on the drivers of
 * its correlation block (stepPlan.ts factorises each block's covariance on its own, breaking its quadrature only at
 * its own currencies' σ steps). So the paths of a union of whole blocks of the run's layout, simulated on a prefix of
 * the run's grid with the run's seed, are bit for bit the run's paths of those factors on those dates: the what-if
 * simulates only the blocks its netting sets need (closed under what the model ties together: the base currency, a
 * currency's FX factor, an equity's currency), up to the last date they need.
 *
 * A new trade may need a factor the run did not simulate. When that factor is correlated with factors of the run,
 * their block grows; the run factors whose rows of the block's factor matrix change (a new factor placed before them,
 * a new currency's σ steps: movedFactors.ts) get other paths, and the what-if then values the netting set on the new
 * paths (with and without the trade alike, so the increment still comes from common random numbers) and says which
 * factors moved. A new factor placed after them leaves their paths as the run's.
 */
import type { Market } from '../../market/types.js';
import { correlationOf } from '../../market/correlation.js';
import type { Currency } from '../../products/types.js';
import { connectedBlocks } from '../../simulation/crossAsset/model.js';
import { buildFactorLayout, type FactorNeeds } from '../../simulation/layout.js';
import type { FactorLayout, TimeGrid } from '../../simulation/types.js';

/** The currencies, equities and credit names behind a list of factor names (FX factors follow their currency). */
export function needsOfFactors(names: Iterable<string>): { currencies: Currency[]; equities: string[]; creditNames: string[] } {
  const needs = { currencies: [] as Currency[], equities: [] as string[], creditNames: [] as string[] };
  for (const name of names) {
    const colon = name.indexOf(':');
    const kind = name.slice(0, colon);
    const id = name.slice(colon + 1);
    if (kind === 'IR') needs.currencies.push(id as Currency);
    else if (kind === 'EQ') needs.equities.push(id);
    else if (kind === 'CR') needs.creditNames.push(id);
  }
  return needs;
}

function union(a: FactorNeeds, b: FactorNeeds): FactorNeeds {
  return {
    currencies: [...new Set([...a.currencies, ...b.currencies])],
    equities: [...new Set([...a.equities, ...b.equities])],
    creditNames: [...new Set([...a.creditNames, ...b.creditNames])],
  };
}

/** Blocks of factor names connected by non-zero correlations in the market (as the model's correlationBlocks). */
export function factorBlocks(market: Market, names: readonly string[]): string[][] {
  const n = names.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    matrix[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) matrix[i * n + j] = matrix[j * n + i] = correlationOf(market, names[i]!, names[j]!);
  }
  return connectedBlocks(matrix, n).map((block) => Array.from(block, (k) => names[k]!));
}

/**
 * The smallest layout that holds `required` and every factor correlated (directly or through others) with what it
 * holds, within `universe`'s factors: a union of whole blocks, closed under the layout's own additions.
 */
export function closedLayout(market: Market, required: FactorNeeds, universe: FactorLayout): FactorLayout {
  const blocks = factorBlocks(market, universe.factorNames);
  const blockOf = new Map<string, string[]>();
  for (const b of blocks) for (const name of b) blockOf.set(name, b);
  let layout = buildFactorLayout(market, required);
  for (;;) {
    const names = new Set(layout.factorNames);
    for (const name of layout.factorNames) for (const other of blockOf.get(name) ?? []) names.add(other);
    if (names.size === layout.factorNames.length) return layout;
    layout = buildFactorLayout(market, union(required, needsOfFactors(names)));
  }
}

/** The first `count` dates of a grid (steps, flags and close-out maps unchanged). */
export function gridPrefix(grid: TimeGrid, count: number): TimeGrid {
  if (count >= grid.dates.length) return grid;
  const lagIndex = new Map<number, Int32Array>();
  for (const [m, lags] of grid.lagIndex) lagIndex.set(m, lags.subarray(0, count));
  return {
    asOf: grid.asOf,
    dates: grid.dates.subarray(0, count),
    times: grid.times.subarray(0, count),
    exposureDate: grid.exposureDate.subarray(0, count),
    lagIndex,
  };
}
