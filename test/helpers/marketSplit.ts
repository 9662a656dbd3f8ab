import type { LinearProgram, LpRow, LpVariable } from '../../src/optimize/lp/model.js';

/**
 * A market-split program with slacks (Cornuéjols and Dawande 1998, "A class of hard small 0-1 programs"):
 * Σ_j a_ij·x_j + up_i − down_i = b_i with a_ij drawn from 0..99 (an LCG from `seed`), b_i = ⌊Σ_j a_ij / 2⌋, x binary,
 * minimise Σ_i (up_i + down_i). x = 0 is always feasible and the optimum is hard to prove, so a small node limit stops
 * HiGHS with an incumbent. Variables: the `binaries` x_j, then up_i and down_i per row.
 */
export function marketSplitProgram(seed0: number, binaries = 30, rowCount = 4): { lp: LinearProgram; allZeroObjective: number } {
  let seed = seed0;
  const draw = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 100;
  const variables: LpVariable[] = Array.from({ length: binaries }, (_, j) => ({ name: `x${j}`, lower: 0, upper: 1, cost: 0, integer: true }));
  const rows: LpRow[] = [];
  let allZeroObjective = 0;
  for (let i = 0; i < rowCount; i++) {
    const a = Array.from({ length: binaries }, draw);
    const b = Math.floor(a.reduce((s, v) => s + v, 0) / 2);
    allZeroObjective += b;
    const up = variables.push({ name: `up${i}`, lower: 0, upper: Infinity, cost: 1 }) - 1;
    const down = variables.push({ name: `down${i}`, lower: 0, upper: Infinity, cost: 1 }) - 1;
    rows.push({ name: `r${i}`, terms: [...a.map((c, j) => [j, c] as const), [up, 1] as const, [down, -1] as const], lower: b, upper: b });
  }
  return { lp: { sense: 'minimize', variables, rows }, allZeroObjective };
}
