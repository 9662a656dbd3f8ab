/**
 * The compression lever of `xva optimize` (docs/optimize-compression.md): within a netting set and, for cleared
 * trades, across counterparties at the same CCP, terminate trades and add at most a few par replacement trades so that
 * PV, IR delta per currency and SIMM tenor vertex and FX delta per currency stay within stated tolerances while the
 * gross notional falls — a MILP solved by HiGHS, its answer re-checked by recomputing the risk from the trades.
 *
 * Usage:
 * ```ts
 * import { compressionActions } from './levers/compression/index.js';
 * const actions = await compressionActions(portfolio, market, { maxReplacements: 3, irDeltaToleranceUsdPerBp: 100 });
 * // one Action per compressed netting set (id `compression-<nettingSetId>`) or CCP (`compression-CCP-<ccp>`),
 * // sorted by id; amendment = terminated trade ids + replacement trades `CMP-<groupId>-<k>`; details = gross
 * // notional before/after, trades terminated, max risk deviation per constraint class, LP status/objective/seconds.
 * const { actions: same, groups, notes } = await compressBook(portfolio, market);  // with a report per group
 * ```
 * The saving in XVA, EAD and capital is not estimated here: measure/ re-measures each action's amendment.
 * Deterministic: groups, trades, factors and candidates are sorted; HiGHS runs single-threaded with a fixed seed.
 *
 * Files: options.ts (options, defaults), groups.ts (netting-set and CCP groups, notionals), risk.ts (PV and deltas of
 * a trade from src/margin/sensitivities), replacements.ts (par replacement candidates), milp.ts (the program),
 * batch.ts (many groups' programs, each its own HiGHS solve, in few solver workers), compress.ts (one group: prepare;
 * then build, re-check, action).
 */
import type { Market } from '../../../market/types.js';
import type { Portfolio } from '../../../portfolio/types.js';
import type { Action } from '../../types.js';
import { solveBlocks, type BlockSolution } from './batch.js';
import { finishGroup, prepareGroup, type CompressionGroupReport, type PreparedGroup } from './compress.js';
import { compressionGroups } from './groups.js';
import { resolveCompressionOptions, type CompressionOptions, type ResolvedCompressionOptions } from './options.js';

/**
 * HiGHS stops at this relative gap (its default): the objective is the saving (negative), so 1e-4 of a 1bn saving is
 * 0.1m of notional, below the replacement penalty. A group with nothing to compress has objective 0 and is proved
 * to HiGHS's absolute gap (1e-6 million).
 */
const MIP_RELATIVE_GAP = 1e-4;
/**
 * Groups' MILPs go to one solver worker up to this many binaries a worker (batch.ts), each solved there as its own
 * program: few worker starts, and a hard group holds back few others.
 */
const MAX_INTEGERS_PER_BATCH = 150;

export interface CompressionResult {
  /** Sorted by action id (= by group id). */
  actions: Action[];
  /** Every group considered, sorted by id. */
  groups: CompressionGroupReport[];
  /** Trades left out and why (a linear trade whose sensitivities could not be computed), solver trouble. */
  notes: string[];
}

/**
 * Every group's MILP solved, each alone (batch.ts). A group with candidates that carry cross-currency basis delta is
 * solved in two steps: first with those trades held (the program without them, as easy as before they were
 * candidates), then the whole program started from that answer (a MIP start), so that the larger program, which can
 * stop at its node limit, never answers worse than the smaller (helper 126's audit book: NS-CP0014-1's 71 candidates,
 * 37 of them with basis delta, stopped at 1,000 nodes 71.6m of gross notional down, against 264.7m without them). The
 * better of the two answers is used (the same objective: the held program is the whole one with bounds tightened);
 * its status is the whole program's, the one that says whether the answer is proved optimal.
 */
async function solveGroups(groups: readonly PreparedGroup[], o: ResolvedCompressionOptions): Promise<BlockSolution[]> {
  const options = { timeLimitSeconds: o.timeLimitSeconds, mipRelativeGap: MIP_RELATIVE_GAP, maxIntegersPerBatch: MAX_INTEGERS_PER_BATCH, mipMaxNodes: o.maxNodes };
  const first = await solveBlocks(groups.map((p) => p.heldProgram ?? p.milp!.lp), options);
  const staged = groups.flatMap((p, i) => (p.heldProgram ? [i] : []));
  if (staged.length === 0) return first;
  const whole = await solveBlocks(
    staged.map((i) => groups[i]!.milp!.lp),
    options,
    staged.map((i) => (first[i]!.values.length > 0 ? first[i]!.values : undefined)),
  );
  const out = [...first];
  staged.forEach((i, k) => {
    const held = first[i]!;
    const all = whole[k]!;
    const better = all.values.length > 0 && (held.values.length === 0 || all.objective <= held.objective) ? all : held;
    // the batch the group first joined (its size), the seconds of both batches it ran in
    out[i] = { ...all, values: better.values, objective: better.objective, nodes: held.nodes + all.nodes, seconds: held.seconds + all.seconds, batchSeconds: held.batchSeconds + all.batchSeconds, batchBlocks: held.batchBlocks };
  });
  return out;
}

/** Every compression of the book, with a report per group. */
export async function compressBook(portfolio: Portfolio, market: Market, options: CompressionOptions = {}): Promise<CompressionResult> {
  const o = resolveCompressionOptions(options);
  const sets = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const taken = new Set(portfolio.trades.map((t) => t.tradeId));
  const result: CompressionResult = { actions: [], groups: [], notes: [] };
  const prepared = compressionGroups(portfolio, o).map((g) => prepareGroup(g, market, sets, o));
  const toSolve = prepared.filter((p) => p.milp !== undefined);
  const solutions = await solveGroups(toSolve, o);
  const solutionOf = new Map(toSolve.map((p, i) => [p, solutions[i]!]));
  for (const p of prepared) {
    const solution = solutionOf.get(p);
    const { report, action, notes } = solution ? finishGroup(p, solution, market, taken, o) : { report: p.report, action: undefined, notes: p.notes };
    result.groups.push(report);
    result.notes.push(...notes);
    if (action) result.actions.push(action);
  }
  return result;
}

/** The compression lever's candidate actions (see the module comment). */
export async function compressionActions(portfolio: Portfolio, market: Market, options: CompressionOptions = {}): Promise<Action[]> {
  return (await compressBook(portfolio, market, options)).actions;
}

export { DEFAULT_COMPRESSION_OPTIONS, resolveCompressionOptions, type CompressionOptions, type ResolvedCompressionOptions } from './options.js';
export type { CompressionGroupReport, GroupOutcome } from './compress.js';
export { buildCompressionMilp, type CompressionMilp, type Tolerances } from './milp.js';
export { tradeRisk, type TradeRisk } from './risk.js';
