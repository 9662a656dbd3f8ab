/**
 * Several independent compression MILPs solved as one block-diagonal program: each call of `solveLp` starts a worker
 * and loads HiGHS (about a second), so a book with hundreds of netting sets would spend its time starting solvers.
 * The blocks share no variable and no row, so the optimum of the whole is the optimum of every block (the objective
 * is their sum); HiGHS's relative gap then applies to the sum, and a time limit to the batch as a whole.
 */
import { availableParallelism } from 'node:os';
import type { LinearProgram, LpRow, LpVariable } from '../../lp/model.js';
import { solveLp, type LpStatus } from '../../lp/solve.js';

export interface BlockSolution {
  status: LpStatus;
  solverStatus: string;
  /** The block's own variables (empty without a solution). */
  values: Float64Array;
  /** The block's own objective. */
  objective: number;
  /** Seconds of the whole batch's solve, and how many blocks it held. */
  batchSeconds: number;
  batchBlocks: number;
}

/** Blocks in order, cut into batches of at most `maxIntegers` integer variables (a larger block alone). */
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

/** One block-diagonal program of minimisations; `offsets[b]` is block b's first variable. */
export function combine(programs: readonly LinearProgram[]): { lp: LinearProgram; offsets: number[] } {
  const variables: LpVariable[] = [];
  const rows: LpRow[] = [];
  const offsets: number[] = [];
  programs.forEach((p, b) => {
    if (p.sense !== 'minimize') throw new RangeError('combine: only minimisations are combined');
    const offset = variables.length;
    offsets.push(offset);
    for (const v of p.variables) variables.push({ ...v, name: `b${b}_${v.name}` });
    for (const r of p.rows) rows.push({ ...r, name: `b${b}_${r.name}`, terms: r.terms.map(([i, c]) => [i + offset, c] as const) });
  });
  return { lp: { sense: 'minimize', variables, rows }, offsets };
}

/**
 * Solves every program, batch by batch, `concurrency` batches at a time (default: one per core; each solve is its own
 * worker thread and single-threaded HiGHS); the answers in the programs' order. The batches are fixed before any is
 * solved and each stops at its node limit, so the answers do not depend on the concurrency or on which finishes first.
 */
export async function solveBlocks(
  programs: readonly LinearProgram[],
  options: { timeLimitSeconds: number; mipRelativeGap: number; maxIntegersPerBatch: number; mipMaxNodes?: number; concurrency?: number },
): Promise<BlockSolution[]> {
  const out: BlockSolution[] = new Array(programs.length);
  const all = batches(programs, options.maxIntegersPerBatch);
  const solveBatch = async (batch: number[]): Promise<void> => {
    const { lp, offsets } = combine(batch.map((i) => programs[i]!));
    const s = await solveLp(lp, { timeLimitSeconds: options.timeLimitSeconds, mipRelativeGap: options.mipRelativeGap, ...(options.mipMaxNodes !== undefined ? { mipMaxNodes: options.mipMaxNodes } : {}) });
    batch.forEach((i, b) => {
      const p = programs[i]!;
      const values = s.values.length > 0 ? s.values.slice(offsets[b]!, offsets[b]! + p.variables.length) : new Float64Array(0);
      let objective = 0;
      for (let k = 0; k < values.length; k++) objective += p.variables[k]!.cost * values[k]!;
      out[i] = { status: s.status, solverStatus: s.solverStatus, values, objective, batchSeconds: s.seconds, batchBlocks: batch.length };
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
