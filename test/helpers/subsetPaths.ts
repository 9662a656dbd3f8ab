/**
 * The same simulated paths on a coarser grid: the dates of `keep` (the as-of date added) picked out of a finer grid's
 * paths. A trade valued on both sees the same market, so the difference of its values isolates what the coarser grid
 * changes (an exercise between its dates, decided on the simulated state on the finer one), with the standard error of
 * the paired differences.
 */
import type { DateSerial } from '../../src/conventions/dates.js';
import type { SimulatedPaths } from '../../src/simulation/types.js';
import { timeGrid } from './simpleModel.js';

export function subsetPaths(paths: SimulatedPaths, keep: readonly DateSerial[]): SimulatedPaths {
  const fine = paths.grid;
  const n = paths.nPaths;
  const rows = [0, ...keep.map((date) => {
    const d = fine.dates.indexOf(date);
    if (d < 0) throw new Error(`date ${date} is not on the finer grid`);
    return d;
  })];
  const pick = (a: Float64Array): Float64Array => {
    const out = new Float64Array(rows.length * n);
    rows.forEach((d, k) => out.set(a.subarray(d * n, (d + 1) * n), k * n));
    return out;
  };
  return {
    ...paths,
    grid: timeGrid(fine.asOf, keep),
    irState: paths.irState.map(pick),
    fxLog: paths.fxLog.map(pick),
    eqLog: paths.eqLog.map(pick),
    creditState: paths.creditState.map(pick),
    numeraire: pick(paths.numeraire),
    ...(paths.fxLevel ? { fxLevel: paths.fxLevel.map(pick) } : {}),
  };
}
