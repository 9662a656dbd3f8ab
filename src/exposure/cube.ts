/**
 * The path-value cube of `xva simulate --cube` (cube.arrow): what a record holds and how its rows are chosen, shared
 * by the unit that captures the values (unit.ts), the engine that streams them (engine.ts), the writer
 * (outputs.ts CubeWriter) and the reader (cubeReader.ts).
 *
 * Layout 2 (this one) adds to layout 1's columns (`netting_set_id`, `date`, `values` on the exposure dates) the grid
 * index of each row and, for a netting set under a CSA with a margin period of risk, the values at each exposure
 * date's close-out lag date (the date the margin call of that exposure date reads, collateral.ts): with those, a
 * what-if recomputes the set's collateral and profile from stored values alone. Layout-1 readers see the same rows
 * and columns and ignore the new columns.
 */

/** Version of the cube's columns (schema metadata `xva.cube.layout`, manifest `cube.layout`). */
export const CUBE_LAYOUT = 2;

/**
 * Precision of the stored values (schema metadata `xva.cube.precision`; `xva simulate --cube-precision`). float32
 * (the default) rounds each value to nearest, relative error ≤ 2^-24; float64 stores the engine's values exactly, at
 * twice the size.
 */
export type CubePrecision = 'float32' | 'float64';
export const CUBE_PRECISIONS: readonly CubePrecision[] = ['float32', 'float64'];

/**
 * What the engine hands `onCube` beside a record's exposure-date values. For the numeraire record (id null) the
 * close-out fields are empty.
 */
export interface CubeSetDetail {
  /** Grid index of each exposure-date row of the values (the run's grid, manifest `grid.dateList`). */
  gridIndex: Int32Array;
  /** The run's grid dates (day serials), to date the close-out rows. */
  gridDates: Int32Array;
  /** The netting set's last live grid index (the engine's NettingSetResult.lastDateIndex); the grid's last index for the numeraire. */
  lastDateIndex: number;
  /**
   * The exposure-date rows as the engine computed them (Float64, [k * nPaths + p]): the writer stores them at its
   * precision. Absent (a cube copied from another file): the writer takes write()'s Float32 values.
   */
  values?: Float32Array | Float64Array;
  /** Per exposure-date row: the grid index of its close-out lag date when the set holds a value there, else −1. */
  closeOutGridIndex: Int32Array;
  /** V at those close-out dates (the engine gives Float64), one row of nPaths per entry of closeOutGridIndex ≥ 0, in row order. */
  closeOutValues: Float32Array | Float64Array;
}

/** One netting set's place in cube.arrow (manifest `cube.nettingSets`). */
export interface CubeIndexEntry {
  nettingSetId: string;
  /** Record batch of the set in the IPC file (0 is the numeraire). */
  batch: number;
  lastDateIndex: number;
}

/** The manifest's `cube` section: where each set's record batch is, so that one set is read without the rest. */
export interface CubeIndex {
  file: string;
  layout: number;
  precision: string;
  paths: number;
  numeraireBatch: number;
  nettingSets: CubeIndexEntry[];
}

/**
 * The close-out rows of a set: for each exposure date d (grid index exposureDates[k]), the lag date lag[d] of the
 * set's margin period of risk when the set is alive there (lag[d] ≤ last), else −1. Every exposure date up to the
 * last live date qualifies (lag[d] ≤ d); so does an exposure date after it whose lag date the set still lives at: a
 * new trade that outlives the set makes the margin call of that date read the set's value at the lag date.
 */
export function closeOutRows(exposureDates: Int32Array, lag: Int32Array | undefined, last: number): Int32Array {
  const rows = new Int32Array(exposureDates.length).fill(-1);
  if (!lag) return rows;
  for (let k = 0; k < exposureDates.length; k++) {
    const g = lag[exposureDates[k]!]!;
    if (g <= last) rows[k] = g;
  }
  return rows;
}

/** Number of rows that hold a close-out value. */
export function closeOutCount(rows: Int32Array): number {
  let m = 0;
  for (let k = 0; k < rows.length; k++) if (rows[k]! >= 0) m++;
  return m;
}
