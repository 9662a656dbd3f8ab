/**
 * Solves a LinearProgram with HiGHS (the npm `highs` package: HiGHS compiled to WebAssembly, MIT). HiGHS's `run()`
 * blocks its thread, so it runs in a worker thread (the CLI's spinner and log lines keep going, and a run past its
 * time limit can be stopped). Every solution is checked against the program before it is returned: bounds, rows and
 * integrality within stated tolerances; a solution that fails the check is an internal error, never used.
 *
 * The worker drives a HiGHS model object (`highs.withModel`), not the package's one-call `solve()`: `solve()` knows
 * HiGHS's model statuses only up to "Unknown" (15), so a MIP stopped by its node limit (status 16, "solution limit")
 * came back as "Unknown" without its incumbent, and the compression's deterministic work limit threw its answers away
 * (the time limit then bound first and the answer depended on the machine's speed: optimize-compression.md).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { XvaInternalError } from '../../errors.js';
import { checkProgram, toLpFormat, type LinearProgram } from './model.js';

/**
 * `node_limit`: a MIP stopped by its branch-and-bound node limit (a work limit: the same answer on any machine);
 * `time_limit`: stopped by its time limit (the answer can depend on the machine's speed and load). Both return the
 * best solution found by then, if any.
 */
export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'node_limit' | 'time_limit' | 'other';

export interface LpSolveOptions {
  /** HiGHS time limit (seconds); the best integer solution found by then is returned with status 'time_limit'. */
  timeLimitSeconds?: number;
  /** Relative MIP gap at which HiGHS stops (HiGHS default 1e-4). */
  mipRelativeGap?: number;
  /**
   * Branch-and-bound node limit: a work limit that, unlike a time limit, gives the same answer on any machine; the
   * best integer solution found by then is returned with status 'node_limit'.
   */
  mipMaxNodes?: number;
}

export interface LpSolution {
  status: LpStatus;
  /** HiGHS's model status in words ("Optimal", "Infeasible", "Time limit reached", "Node limit reached" ...). */
  solverStatus: string;
  /** Objective value of `values` (recomputed here from the costs, not taken from the solver). */
  objective: number;
  /** Primal value per variable (empty unless a solution exists: with a limit it may be empty). */
  values: Float64Array;
  /** Largest violation found by the check (absolute, scaled by max(1, |bound|)). */
  maxViolation: number;
  /** Branch-and-bound nodes HiGHS explored (0 for an LP). */
  nodes: number;
  seconds: number;
}

/** Feasibility tolerance of the check, relative to max(1, |bound|): HiGHS's primal tolerance is 1e-7. */
export const LP_FEASIBILITY_TOLERANCE = 1e-6;

/**
 * The worker: loads HiGHS once, then solves each LP text of `workerData.texts` in turn, each in a model of its own
 * (`withModel` creates a fresh HiGHS instance and frees it), with the same options and, where `workerData.starts` has
 * one, a start (column name → value: a feasible point HiGHS checks and then holds as its first incumbent; a column the
 * model dropped, one that appears nowhere, is skipped), and sends back per program the model
 * status (HiGHS's HighsModelStatus code), the explored nodes, the seconds of its own solve and, when HiGHS holds a
 * feasible primal solution (primal_solution_status 2), the columns' values by name. A program solved here with others
 * gets the answer it gets alone: nothing of one model reaches the next but the loaded code.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const load = require(workerData.highsPath);
(typeof load === 'function' ? load : load.default)().then((highs) => {
  const results = workerData.texts.map((text, k) => {
    const started = performance.now();
    const start = workerData.starts[k];
    const result = highs.withModel({ format: 'lp', data: text }, (model) => {
      model.options.set(workerData.options);
      if (start) {
        const indices = [];
        const values = [];
        for (const [name, value] of start) {
          let j;
          try { j = model.getColByName(name); } catch { continue; }
          indices.push(j);
          values.push(value);
        }
        model.setSolution({ indices, values });
      }
      model.run();
      const code = model.getModelStatus();
      const primal = model.info.get('primal_solution_status');
      const nodes = Number(model.info.get('mip_node_count') ?? 0);
      const columns = {};
      if (primal === 2) {
        const values = model.getSolution().colValue;
        for (let i = 0; i < values.length; i++) columns[model.getColName(i)] = values[i];
      }
      return { code, nodes, feasible: primal === 2, columns };
    });
    return { ...result, seconds: (performance.now() - started) / 1000 };
  });
  parentPort.postMessage({ ok: true, results });
}).catch((e) => parentPort.postMessage({ ok: false, message: String(e && e.message || e) }));
`;

interface RawSolution {
  code: number;
  nodes: number;
  feasible: boolean;
  columns: Record<string, number>;
  seconds: number;
}

/** HiGHS's model statuses (HighsModelStatus, HiGHS 1.x lp_data/HConst.h) in words. */
const MODEL_STATUS_TEXT: Readonly<Record<number, string>> = {
  0: 'Not set', 1: 'Load error', 2: 'Model error', 3: 'Presolve error', 4: 'Solve error', 5: 'Postsolve error', 6: 'Empty',
  7: 'Optimal', 8: 'Infeasible', 9: 'Primal infeasible or unbounded', 10: 'Unbounded', 11: 'Bound on objective reached',
  12: 'Target for objective reached', 13: 'Time limit reached', 14: 'Iteration limit reached', 15: 'Unknown',
  16: 'Node limit reached', 17: 'Interrupted', 18: 'Memory limit reached',
};

/** Our status of a HiGHS model status code (16: kSolutionLimit, which mip_max_nodes gives). */
export function statusOfCode(code: number): LpStatus {
  if (code === 7) return 'optimal';
  if (code === 8 || code === 9) return 'infeasible';
  if (code === 10) return 'unbounded';
  if (code === 13) return 'time_limit';
  if (code === 16) return 'node_limit';
  return 'other';
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
  return (await solveLps([lp], options))[0]!;
}

/**
 * Solves several programs in one worker, one after the other, each as its own HiGHS model with the same options (its
 * own node limit, gap and time limit): the worker and HiGHS's code are loaded once (about a second), and each
 * program's answer is the one `solveLp` gives it alone. `starts[k]`, when given, is a feasible point of program k (its
 * variables' values) that HiGHS starts from as its first incumbent (a MIP start).
 */
export async function solveLps(lps: readonly LinearProgram[], options: LpSolveOptions = {}, starts: readonly (Float64Array | undefined)[] = []): Promise<LpSolution[]> {
  if (lps.length === 0) return [];
  for (const lp of lps) checkProgram(lp);
  const texts = lps.map((lp) => toLpFormat(lp));
  // toLpFormat names variable i `x<i>`
  const startColumns = lps.map((lp, k) => {
    const start = starts[k];
    if (start === undefined) return null;
    if (start.length !== lp.variables.length) throw new XvaInternalError(`an LP start has ${start.length} values for ${lp.variables.length} variables`);
    return Array.from(start, (value, i) => [`x${i}`, value] as const);
  });
  const highsOptions: Record<string, number | string | boolean> = { output_flag: false, random_seed: 0 };
  if (options.timeLimitSeconds !== undefined) highsOptions['time_limit'] = Math.max(0.01, options.timeLimitSeconds);
  if (options.mipRelativeGap !== undefined) highsOptions['mip_rel_gap'] = options.mipRelativeGap;
  if (options.mipMaxNodes !== undefined) highsOptions['mip_max_nodes'] = options.mipMaxNodes;
  const highsPath = createRequire(import.meta.url).resolve('highs');
  const raw = await new Promise<RawSolution[]>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { highsPath, texts, starts: startColumns, options: highsOptions } });
    // A watchdog beyond HiGHS's own limit (each program's): a solver that does not come back is stopped, not waited for forever.
    const watchdogMs = ((options.timeLimitSeconds ?? 600) * lps.length + 30) * 1000;
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new XvaInternalError(`the LP solver did not return within ${Math.round(watchdogMs / 1000)} s`));
    }, watchdogMs);
    worker.once('message', (m: { ok: boolean; results?: RawSolution[]; message?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok && m.results) resolve(m.results);
      else reject(new XvaInternalError(`the LP solver failed: ${m.message ?? 'no result'}`));
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(new XvaInternalError(`the LP solver's worker failed: ${e.message}`));
    });
  });
  return lps.map((lp, k) => solutionOf(lp, raw[k]!));
}

/** One program's answer from the worker's: the values by column, checked against the program. */
function solutionOf(lp: LinearProgram, raw: RawSolution): LpSolution {
  const seconds = raw.seconds;
  const status = statusOfCode(raw.code);
  const solverStatus = MODEL_STATUS_TEXT[raw.code] ?? `HiGHS model status ${raw.code}`;
  const n = lp.variables.length;
  const limited = status === 'time_limit' || status === 'node_limit';
  const values = new Float64Array(raw.feasible && (status === 'optimal' || limited) ? n : 0);
  if (values.length > 0) {
    // HiGHS leaves out columns that appear nowhere (no cost, no row): they sit at a bound within it.
    lp.variables.forEach((v, i) => {
      const x = raw.columns[`x${i}`];
      if (x === undefined) values[i] = Number.isFinite(v.lower) ? v.lower : Number.isFinite(v.upper) ? v.upper : 0;
      else values[i] = v.integer ? Math.round(x) : x;
    });
  }
  const maxViolation = values.length > 0 ? violation(lp, values) : 0;
  if (limited && maxViolation > LP_FEASIBILITY_TOLERANCE) {
    // stopped before HiGHS found a feasible (integer) solution: what it holds then is not one
    return { status, solverStatus, objective: Number.NaN, values: new Float64Array(0), maxViolation: 0, nodes: raw.nodes, seconds };
  }
  let objective = 0;
  for (let i = 0; i < values.length; i++) objective += lp.variables[i]!.cost * values[i]!;
  if (values.length > 0 && maxViolation > LP_FEASIBILITY_TOLERANCE) {
    throw new XvaInternalError(`the LP solver returned a solution that violates its program by ${maxViolation.toExponential(2)} (status ${solverStatus}); it is not used`);
  }
  return { status, solverStatus, objective, values, maxViolation, nodes: raw.nodes, seconds };
}
