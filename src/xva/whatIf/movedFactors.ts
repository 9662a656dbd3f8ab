/**
 * Which of the run's factors get other paths when a what-if adds factors the run lacked (Philox draws). A driver's
 * increment over a step is its row of its correlation block's factor matrix times the block's normals
 * (simulate.ts correlatedRow, and the wasm kernel's combine: zero coefficients skipped), and each driver's normals are
 * keyed by its own stream (rng/philox), so its path is the run's bit for bit exactly when, at every step, the
 * non-zero coefficients of its row, with the streams they multiply and in the same order, are the run's; the drifts
 * and numeraire terms depend on a factor's own currencies only (stepPlan.ts). A Cholesky factor's row i reads only
 * the covariance of drivers 0..i (Golub & Van Loan §4.2), so a new factor placed after a run factor in its block
 * leaves that factor's row as it was, and one placed before it changes it; a new currency also adds its σ steps to the
 * block's quadrature, and a block that falls back to the eigen factor (factorise.ts) changes every row. Rather than
 * restate these rules, the rows are compared: the step plans of the run's and the what-if's layouts, on the blocks
 * holding a new factor.
 */
import type { Market } from '../../market/types.js';
import { buildCrossAssetModel } from '../../simulation/crossAsset/model.js';
import { stepPlanOf } from '../../simulation/crossAsset/simulate.js';
import type { StepPlan } from '../../simulation/crossAsset/stepPlan.js';
import type { FactorLayout, TimeGrid } from '../../simulation/types.js';
import { closedLayout, factorBlocks, needsOfFactors } from './paths.js';

/** The factor name of each driver of a plan's layout (a currency's two drivers are its IR factor's). */
function driverFactors(layout: FactorLayout): string[] {
  const nC = layout.currencies.length;
  const names: string[] = [];
  for (let c = 0; c < nC; c++) names.push(layout.factorNames[c]!, layout.factorNames[c]!);
  for (let k = nC; k < layout.factorNames.length; k++) names.push(layout.factorNames[k]!);
  return names;
}

/** Driver `a`'s row at step d: the streams and coefficients it sums, zero coefficients skipped, in the block's order. */
function rowOf(plan: StepPlan, blockOf: Int32Array, at: Int32Array, a: number, d: number): { streams: number[]; coefs: number[] } {
  const b = blockOf[a]!;
  const block = plan.blocks[b]!;
  const m = block.length;
  const i = at[a]!;
  const start = d * plan.stepStride + plan.blockOffset[b]! + i * m;
  const count = plan.triangular[d * plan.blocks.length + b] === 1 ? i + 1 : m;
  const streams: number[] = [];
  const coefs: number[] = [];
  for (let j = 0; j < count; j++) {
    const coef = plan.factors[start + j]!;
    if (coef === 0) continue;
    streams.push(plan.auxStreams[block[j]!]!);
    coefs.push(coef);
  }
  return { streams, coefs };
}

function blockIndex(plan: StepPlan): { blockOf: Int32Array; at: Int32Array } {
  const blockOf = new Int32Array(plan.nAux);
  const at = new Int32Array(plan.nAux);
  plan.blocks.forEach((block, b) => block.forEach((a, i) => ((blockOf[a] = b), (at[a] = i))));
  return { blockOf, at };
}

/**
 * The run's factors whose paths on `grid` differ from the run's (bit for bit) once the factors of `universe` that
 * `runLayout` lacks are simulated with them: those whose driver rows differ at some step (above).
 */
export function movedRunFactors(market: Market, runLayout: FactorLayout, universe: FactorLayout, grid: TimeGrid): Set<string> {
  const runNames = new Set(runLayout.factorNames);
  const touched = factorBlocks(market, universe.factorNames).filter((block) => block.some((f) => !runNames.has(f)));
  const runInTouched = touched.flatMap((block) => block.filter((f) => runNames.has(f)));
  const moved = new Set<string>();
  if (runInTouched.length === 0) return moved;
  // the blocks holding a new factor, in each layout (the base currency comes along: buildFactorLayout)
  const after = closedLayout(market, needsOfFactors(touched.flat()), universe);
  const before = closedLayout(market, needsOfFactors(runInTouched), runLayout);
  const planAfter = stepPlanOf(buildCrossAssetModel(market, after), grid);
  const planBefore = stepPlanOf(buildCrossAssetModel(market, before), grid);
  const afterIndex = blockIndex(planAfter);
  const beforeIndex = blockIndex(planBefore);
  const driverAfter = new Map<number, number>();
  planAfter.auxStreams.forEach((s, a) => driverAfter.set(s, a));
  const factorOf = driverFactors(before);
  const check = new Set(runInTouched);
  for (let a = 0; a < planBefore.nAux; a++) {
    const name = factorOf[a]!;
    if (!check.has(name) || moved.has(name)) continue;
    const b = driverAfter.get(planBefore.auxStreams[a]!);
    if (b === undefined) {
      moved.add(name);
      continue;
    }
    for (let d = 1; d < planBefore.nDates; d++) {
      const x = rowOf(planBefore, beforeIndex.blockOf, beforeIndex.at, a, d);
      const y = rowOf(planAfter, afterIndex.blockOf, afterIndex.at, b, d);
      if (x.coefs.length !== y.coefs.length || x.coefs.some((c, k) => !Object.is(c, y.coefs[k]) || x.streams[k] !== y.streams[k])) {
        moved.add(name);
        break;
      }
    }
  }
  return moved;
}
