import { describe, expect, it } from 'vitest';
import { toLpFormat, type LinearProgram } from '../src/optimize/lp/model.js';
import { solveLp, solveLps, violation } from '../src/optimize/lp/solve.js';
import { marketSplitProgram } from './helpers/marketSplit.js';

describe('LP solver wrapper (HiGHS in a worker)', () => {
  it('solves a small MILP to the optimum found by hand: max x + 2y, x + y <= 4, x - y >= -2, x <= 3, y integer', async () => {
    // By hand: y <= (4 - x) and y <= x + 2; the best is x = 1, y = 3 (objective 7).
    const lp: LinearProgram = {
      sense: 'maximize',
      variables: [
        { name: 'x', lower: 0, upper: 3, cost: 1 },
        { name: 'y', lower: 0, upper: Infinity, cost: 2, integer: true },
      ],
      rows: [
        { name: 'c1', terms: [[0, 1], [1, 1]], lower: -Infinity, upper: 4 },
        { name: 'c2', terms: [[0, 1], [1, -1]], lower: -2, upper: Infinity },
      ],
    };
    const r = await solveLp(lp);
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(7, 9);
    expect(r.values[0]).toBeCloseTo(1, 9);
    expect(r.values[1]).toBe(3);
    expect(r.maxViolation).toBeLessThan(1e-9);
  });

  it('a 0/1 knapsack matches exhaustive enumeration (second method)', async () => {
    const values = [12, 7, 19, 4, 9, 15, 3, 11, 8, 14, 6, 10];
    const weights = [5, 3, 8, 2, 4, 7, 1, 5, 4, 6, 3, 5];
    const capacity = 23;
    let best = 0;
    for (let mask = 0; mask < 1 << values.length; mask++) {
      let v = 0;
      let w = 0;
      for (let i = 0; i < values.length; i++) if (mask & (1 << i)) (v += values[i]!), (w += weights[i]!);
      if (w <= capacity && v > best) best = v;
    }
    const r = await solveLp({
      sense: 'maximize',
      variables: values.map((v, i) => ({ name: `item${i}`, lower: 0, upper: 1, cost: v, integer: true })),
      rows: [{ name: 'capacity', terms: weights.map((w, i) => [i, w] as const), lower: -Infinity, upper: capacity }],
    });
    expect(r.status).toBe('optimal');
    expect(r.objective).toBe(best);
  });

  it('a MILP stopped by its node limit returns its incumbent, checked and the same on every solve (a work limit, not a time limit)', async () => {
    // A market-split program with slacks (helpers/marketSplit.ts): x = 0 is always feasible and the optimum is hard to
    // prove, so 10 nodes stop HiGHS with an incumbent. The package's one-call solve() reported this status (16) as
    // "Unknown" and dropped the incumbent.
    const binaries = 30;
    const { lp, allZeroObjective: allZero } = marketSplitProgram(12345, binaries);
    const variables = lp.variables;
    const first = await solveLp(lp, { mipMaxNodes: 10, timeLimitSeconds: 600 });
    expect(first.status).toBe('node_limit');
    expect(first.solverStatus).toBe('Node limit reached');
    expect(first.nodes).toBe(10);
    expect(first.values.length).toBe(variables.length);
    expect(violation(lp, first.values)).toBeLessThan(1e-9);
    // the incumbent's objective is its slack, recomputed here from the values
    let slack = 0;
    for (let i = binaries; i < variables.length; i++) slack += first.values[i]!;
    expect(first.objective).toBeCloseTo(slack, 9);
    expect(first.objective).toBeGreaterThanOrEqual(0);
    expect(first.objective).toBeLessThan(allZero);
    const again = await solveLp(lp, { mipMaxNodes: 10, timeLimitSeconds: 600 });
    expect(again.status).toBe('node_limit');
    expect(Array.from(again.values)).toEqual(Array.from(first.values));
    // the same search continued further can only keep or improve its incumbent
    const further = await solveLp(lp, { mipMaxNodes: 40, timeLimitSeconds: 600 });
    expect(further.status).toBe('node_limit');
    expect(further.objective).toBeLessThanOrEqual(first.objective + 1e-9);
  });

  it('a start (a feasible point) is the search\'s first incumbent: 10 nodes from a 200-node answer never answer worse than it', async () => {
    // The compression's two-step solve of a group with basis-delta candidates (compression/index.ts) starts the whole
    // program from the held program's answer. Market split, seed 22: 10 nodes alone stop at slack 24, 200 nodes at 16.
    const { lp } = marketSplitProgram(22);
    const options = { mipMaxNodes: 10, timeLimitSeconds: 600 };
    const [alone, longer] = await Promise.all([solveLp(lp, options), solveLp(lp, { ...options, mipMaxNodes: 200 })]);
    expect(longer.objective).toBeLessThan(alone.objective - 1);
    const [started, oneNode, none] = await solveLps([lp, lp, lp], options, [longer.values, longer.values, undefined]);
    expect(started!.status).toBe('node_limit');
    expect(started!.objective).toBeLessThanOrEqual(longer.objective + 1e-9);
    expect(violation(lp, started!.values)).toBeLessThan(1e-9);
    expect(oneNode!.objective).toBeLessThanOrEqual(longer.objective + 1e-9);
    // a program of the same worker without a start gets its answer alone, bit for bit
    expect(Array.from(none!.values)).toEqual(Array.from(alone.values));
    await expect(solveLps([lp], options, [new Float64Array(3)])).rejects.toThrow(`an LP start has 3 values for ${lp.variables.length} variables`);
  });

  it('reports infeasibility as a status, not a solution', async () => {
    const r = await solveLp({ sense: 'minimize', variables: [{ name: 'x', lower: 0, upper: 1, cost: 1 }], rows: [{ name: 'c', terms: [[0, 1]], lower: 2, upper: Infinity }] });
    expect(r.status).toBe('infeasible');
    expect(r.values.length).toBe(0);
  });

  it('writes equalities, ranges and free variables, and measures violations', () => {
    const lp: LinearProgram = {
      sense: 'minimize',
      variables: [
        { name: 'a', lower: -Infinity, upper: Infinity, cost: 1 },
        { name: 'b', lower: 2, upper: 2, cost: -1.5e-7 },
      ],
      rows: [
        { name: 'eq', terms: [[0, 1], [1, -2]], lower: 3, upper: 3 },
        { name: 'range', terms: [[0, 1]], lower: -1, upper: 10 },
      ],
    };
    const text = toLpFormat(lp);
    expect(text).toContain(' r0: + 1 x0 - 2 x1 = 3');
    expect(text).toContain(' r1l: + 1 x0 >= -1');
    expect(text).toContain(' r1u: + 1 x0 <= 10');
    expect(text).toContain(' -inf <= x0 <= +inf');
    expect(text).toContain(' x1 = 2');
    // a = 8 violates the equality 8 - 4 = 3 by 1 (scaled by |3|: 1/3)
    expect(violation(lp, Float64Array.from([8, 2]))).toBeCloseTo(1 / 3, 12);
    expect(violation(lp, Float64Array.from([7, 2]))).toBe(0);
  });
});
