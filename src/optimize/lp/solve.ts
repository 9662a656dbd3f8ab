/**
 * Solves a LinearProgram with HiGHS (the npm `highs` package: HiGHS compiled to WebAssembly, MIT). HiGHS's `solve()`
 * blocks its thread, so it runs in a worker thread (the CLI's spinner and log lines keep going, and a run past its
 * time limit can be stopped). Every solution is checked against the program before it is returned: bounds, rows and
 * integrality within stated tolerances; a solution that fails the check is an internal error, never used.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { XvaInternalError } from '../../errors.js';
import { checkProgram, toLpFormat, type LinearProgram } from './model.js';

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time_limit' | 'other';

export interface LpSolveOptions {
  /** HiGHS time limit (seconds); the best integer solution found by then is returned with status 'time_limit'. */
  timeLimitSeconds?: number;
  /** Relative MIP gap at which HiGHS stops (HiGHS default 1e-4). */
  mipRelativeGap?: number;
  /** Branch-and-bound node limit: a work limit that, unlike a time limit, gives the same answer on any machine. */
  mipMaxNodes?: number;
}

export interface LpSolution {
  status: LpStatus;
  /** HiGHS's own status text ("Optimal", "Infeasible", "Time limit reached" ...). */
  solverStatus: string;
  /** Objective value of `values` (recomputed here from the costs, not taken from the solver). */
  objective: number;
  /** Primal value per variable (empty unless a solution exists: with 'time_limit' it may be empty). */
  values: Float64Array;
  /** Largest violation found by the check (absolute, scaled by max(1, |bound|)). */
  maxViolation: number;
  seconds: number;
}

/** Feasibility tolerance of the check, relative to max(1, |bound|): HiGHS's primal tolerance is 1e-7. */
export const LP_FEASIBILITY_TOLERANCE = 1e-6;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const load = require(workerData.highsPath);
(typeof load === 'function' ? load : load.default)().then((highs) => {
  parentPort.postMessage({ ok: true, result: highs.solve(workerData.text, workerData.options) });
}).catch((e) => parentPort.postMessage({ ok: false, message: String(e && e.message || e) }));
`;

function statusOf(text: string): LpStatus {
  const t = text.toLowerCase();
  if (t === 'optimal') return 'optimal';
  if (t.includes('infeasible')) return 'infeasible';
  if (t.includes('unbounded')) return 'unbounded';
  // a time or node (work) limit: the best solution found by then, if any
  if (t.includes('limit')) return 'time_limit';
  return 'other';
}

interface HighsColumn {
  Index: number;
  Primal: number;
}

/** Bounds, rows and integrality of `values`; returns the largest scaled violation. */
export function violation(lp: LinearProgram, values: Float64Array): number {
  let worst = 0;
  const scaled = (excess: number, bound: number) => excess / Math.max(1, Math.abs(bound));
  lp.variables.forEach((v, i) => {
    const x = values[i]!;
    if (x < v.lower) worst = Math.max(worst, scaled(v.lower - x, v.lower));
    if (x > v.upper) worst = Math.max(worst, scaled(x - v.upper, v.upper));
    if (v.integer) worst = Math.max(worst, Math.abs(x - Math.round(x)));
  });
  for (const r of lp.rows) {
    let s = 0;
    for (const [i, c] of r.terms) s += c * values[i]!;
    if (s < r.lower) worst = Math.max(worst, scaled(r.lower - s, r.lower));
    if (s > r.upper) worst = Math.max(worst, scaled(s - r.upper, r.upper));
  }
  return worst;
}

export async function solveLp(lp: LinearProgram, options: LpSolveOptions = {}): Promise<LpSolution> {
  checkProgram(lp);
  const text = toLpFormat(lp);
  const highsOptions: Record<string, number | string | boolean> = { output_flag: false, random_seed: 0, threads: 1 };
  if (options.timeLimitSeconds !== undefined) highsOptions['time_limit'] = Math.max(0.01, options.timeLimitSeconds);
  if (options.mipRelativeGap !== undefined) highsOptions['mip_rel_gap'] = options.mipRelativeGap;
  if (options.mipMaxNodes !== undefined) highsOptions['mip_max_nodes'] = options.mipMaxNodes;
  const highsPath = createRequire(import.meta.url).resolve('highs');
  const started = performance.now();
  const raw = await new Promise<{ Status: string; Columns: Record<string, HighsColumn> }>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { highsPath, text, options: highsOptions } });
    // A watchdog beyond HiGHS's own limit: a solver that does not come back is stopped, not waited for forever.
    const watchdogMs = ((options.timeLimitSeconds ?? 600) + 30) * 1000;
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new XvaInternalError(`the LP solver did not return within ${Math.round(watchdogMs / 1000)} s`));
    }, watchdogMs);
    worker.once('message', (m: { ok: boolean; result?: { Status: string; Columns: Record<string, HighsColumn> }; message?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok && m.result) resolve(m.result);
      else reject(new XvaInternalError(`the LP solver failed: ${m.message ?? 'no result'}`));
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(new XvaInternalError(`the LP solver's worker failed: ${e.message}`));
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const status = statusOf(raw.Status);
  const n = lp.variables.length;
  const values = new Float64Array(status === 'optimal' || status === 'time_limit' ? n : 0);
  let found = 0;
  if (values.length > 0) {
    for (const [name, col] of Object.entries(raw.Columns ?? {})) {
      const i = Number(name.slice(1));
      if (name[0] !== 'x' || !Number.isInteger(i) || i < 0 || i >= n) continue;
      values[i] = lp.variables[i]!.integer ? Math.round(col.Primal) : col.Primal;
      found++;
    }
    // HiGHS leaves out columns that appear nowhere (no cost, no row): they sit at a bound within it.
    if (found < n) {
      const seen = new Set(Object.keys(raw.Columns ?? {}));
      lp.variables.forEach((v, i) => {
        if (!seen.has(`x${i}`)) values[i] = Number.isFinite(v.lower) ? v.lower : Number.isFinite(v.upper) ? v.upper : 0;
      });
    }
  }
  const maxViolation = values.length > 0 ? violation(lp, values) : 0;
  if (status === 'time_limit' && maxViolation > LP_FEASIBILITY_TOLERANCE) {
    // stopped before HiGHS found a feasible (integer) solution: what it returns then is not one
    return { status, solverStatus: raw.Status, objective: Number.NaN, values: new Float64Array(0), maxViolation: 0, seconds };
  }
  let objective = 0;
  for (let i = 0; i < values.length; i++) objective += lp.variables[i]!.cost * values[i]!;
  if (values.length > 0 && maxViolation > LP_FEASIBILITY_TOLERANCE) {
    throw new XvaInternalError(`the LP solver returned a solution that violates its program by ${maxViolation.toExponential(2)} (status ${raw.Status}); it is not used`);
  }
  return { status, solverStatus: raw.Status, objective, values: values.length > 0 ? values : new Float64Array(0), maxViolation, seconds };
}
