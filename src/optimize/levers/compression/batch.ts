/**
 * Several independent compression MILPs solved in few solver workers: each worker start loads HiGHS (about a second),
 * so a book with hundreds of netting sets would spend its time starting solvers. The programs are cut into batches and
 * a batch goes to one worker, which solves its programs one after the other, each as its own HiGHS model with its own
 * node limit, relative gap and time limit (lp/solve.ts `solveLps`). A group's answer is therefore the one it gets
 * alone, whatever else is in its batch.
 *
 * A batch used to be one block-diagonal program: the node limit and the gap then applied to the whole, and a batch
 * that stopped at its 1,000 nodes handed most of its groups the all-zero incumbent (helper 126's optimiser audit: of
 * eight demo groups in one batch one compressed, while NS-CP0026-1, CCP-CME and NS-CP0024-1 alone compress by 195.6m,
 * 168.2m and 21.5m of gross notional, each solved to optimality).
 */
import { availableParallelism } from 'node:os';
import type { LinearProgram } from '../../lp/model.js';
import { solveLps, type LpStatus } from '../../lp/solve.js';

export interface BlockSolution {
  status: LpStatus;
  solverStatus: string;
  /** The program's variables (empty without a solution). */
  values: Float64Array;
  /** The program's objective. */
  objective: number;
  /** Branch-and-bound nodes of this program's own solve. */
  nodes: number;
  /** Seconds of this program's own solve. */
  seconds: number;
  /** Seconds of the batch's worker (its start and every solve of the batch), and how many programs it held. */
  batchSeconds: number;
  batchBlocks: number;
}

/** Programs in order, cut into batches of at most `maxIntegers` integer variables (a larger program alone). */
export function batches(programs: readonly LinearProgram[], maxIntegers: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let count = 0;
  programs.forEach((lp, i) => {
    const n = lp.variables.filter((v) => v.integer).length;
    if (current.length > 0 && count + n > maxIntegers) {
      out.push(current);
      current = [];
      count = 0;
    }
    current.push(i);
    count += n;
  });
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Solves every program, batch by batch, `concurrency` batches at a time (default: one per core; each batch its own
 * worker thread and single-threaded HiGHS); the answers in the programs' order. `starts[i]`, when given, is a feasible
 * point of program i that its search starts from (lp/solve.ts). Every program stops at its own node
 * limit, so the answers depend neither on the batches, nor on the concurrency, nor on which batch finishes first.
 */
export async function solveBlocks(
  programs: readonly LinearProgram[],
  options: { timeLimitSeconds: number; mipRelativeGap: number; maxIntegersPerBatch: number; mipMaxNodes?: number; concurrency?: number },
  starts: readonly (Float64Array | undefined)[] = [],
): Promise<BlockSolution[]> {
  const out: BlockSolution[] = new Array(programs.length);
  const all = batches(programs, options.maxIntegersPerBatch);
  const solveBatch = async (batch: number[]): Promise<void> => {
    const started = performance.now();
    const solutions = await solveLps(
      batch.map((i) => programs[i]!),
      { timeLimitSeconds: options.timeLimitSeconds, mipRelativeGap: options.mipRelativeGap, ...(options.mipMaxNodes !== undefined ? { mipMaxNodes: options.mipMaxNodes } : {}) },
      batch.map((i) => starts[i]),
    );
    const batchSeconds = (performance.now() - started) / 1000;
    batch.forEach((i, b) => {
      const s = solutions[b]!;
      out[i] = { status: s.status, solverStatus: s.solverStatus, values: s.values, objective: s.values.length > 0 ? s.objective : 0, nodes: s.nodes, seconds: s.seconds, batchSeconds, batchBlocks: batch.length };
    });
  };
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < all.length) await solveBatch(all[next++]!);
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), all.length));
  await Promise.all(Array.from({ length: concurrency }, runner));
  return out;
}
