/**
 * The netting sets' values of a what-if read from the run's cube (`xva simulate --cube`, cube.arrow) instead of
 * valued again: each set's record batch (found through the manifest's `cube` index, read alone: cubeReader.ts) holds
 * V on its exposure dates and, under a CSA with a margin period of risk, at the close-out lag dates its margin calls
 * read, which are exactly the rows a what-if reads (valueSet.ts neededDates): only the new trade is valued.
 *
 * The stored values are the run's values on the run's paths, so they are used only when the what-if's paths are the
 * run's bit for bit and the inputs are unchanged; otherwise (a note says why) every set is valued again as before.
 * A float64 cube (`xva simulate --cube --cube-precision float64`) holds the engine's values exactly, so the figures
 * equal those of valuing the sets again bit for bit; a float32 cube holds them rounded to nearest (relative error
 * ≤ 2^-24), which moves X(set) and ΔX by a bounded amount, except that under a CSA with a minimum transfer amount or
 * rounding a margin call on a path can flip (docs/xva.md "Pre-deal what-if").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CubeIndex, CubeIndexEntry } from '../../exposure/cube.js';
import { CubeReader } from '../../exposure/cubeReader.js';
import { XvaInternalError } from '../../errors.js';

/** Where the set values of a what-if come from (what_if.arrow `set_values`). */
export type SetValuesSource = 'cube' | 'revalued';

export interface CubeSource {
  /** cube.arrow (absolute path). */
  file: string;
  index: CubeIndex;
}

/** Why the cube cannot serve this what-if, or undefined when it can. */
export interface CubeChecks {
  /** Inputs whose SHA-256 differs from the run's. */
  changedInputs: readonly string[];
  /** The what-if's grid starts with the run's dates (same exposure flags). */
  prefixOfRun: boolean;
  /** Factors of the run whose paths change (a new correlated factor). */
  movedFactors: readonly string[];
  /** The market gives the run's factor layout. */
  sameLayout: boolean;
}

/** An open cube with its index, or undefined (and a note) when the what-if must value the sets again. */
export class CubeValues {
  private readonly entries: Map<string, CubeIndexEntry>;
  private constructor(
    private readonly reader: CubeReader,
    index: CubeIndex,
  ) {
    this.entries = new Map(index.nettingSets.map((e) => [e.nettingSetId, e]));
  }

  static open(source: CubeSource | undefined, checks: CubeChecks, nPaths: number, notes: string[]): CubeValues | undefined {
    const refuse = (why: string): undefined => {
      notes.push(`the run's cube is not used (${why}): the netting sets are valued again on the regenerated paths`);
      return undefined;
    };
    if (!source) {
      notes.push('no cube with the run (xva simulate --cube): the netting sets are valued again on the regenerated paths');
      return undefined;
    }
    if (!fs.existsSync(source.file)) return refuse(`${path.basename(source.file)} not found next to the manifest`);
    if (source.index.layout < 2) return refuse(`written before the close-out columns (layout ${source.index.layout})`);
    if (source.index.paths !== nPaths) return refuse(`${source.index.paths} paths, the run ${nPaths}`);
    if (checks.changedInputs.length > 0) return refuse(`${checks.changedInputs.join(', ')} changed since the run`);
    if (!checks.prefixOfRun) return refuse('the grid differs from the run\'s');
    if (!checks.sameLayout || checks.movedFactors.length > 0) return refuse('the paths differ from the run\'s');
    const reader = CubeReader.open(source.file);
    if (reader.layout < 2 || reader.nPaths !== nPaths) {
      reader.close();
      return refuse(`the file says layout ${reader.layout} with ${reader.nPaths} paths`);
    }
    notes.push(`the netting sets' values are read from the run's cube (${path.basename(source.file)}, ${reader.precision}); only the new trades are valued`);
    return new CubeValues(reader, source.index);
  }

  /** The set's index entry when the cube holds it with its last live date (a set the run valued). */
  entry(nettingSetId: string): CubeIndexEntry | undefined {
    const e = this.entries.get(nettingSetId);
    return e && e.lastDateIndex >= 0 ? e : undefined;
  }

  /** Bytes read from the cube file so far. */
  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  /**
   * Fills the rows of `out` flagged in `needed` (date-major, nPaths per row) with the set's stored values: exposure
   * rows from `values`, close-out rows from `close_out_values`, 0 on rows after the set's last live index `last`
   * (as valueRows does). Throws when a needed row on or before `last` is not in the record (a cube of another grid).
   */
  fill(entry: CubeIndexEntry, needed: Uint8Array, last: number, nPaths: number, out: Float64Array, filled: Uint8Array): void {
    const record = this.reader.readBatch(entry.batch);
    if (record.nettingSetId !== entry.nettingSetId) throw new XvaInternalError(`cube: batch ${entry.batch} holds ${record.nettingSetId}, the index says ${entry.nettingSetId}`);
    filled.fill(0);
    const copyRow = (g: number, from: Float32Array | Float64Array, row: number): void => {
      if (g >= needed.length || needed[g] !== 1 || filled[g] === 1) return;
      out.set(from.subarray(row * nPaths, (row + 1) * nPaths), g * nPaths); // (Float32 →) Float64: exact
      filled[g] = 1;
    };
    let closeOutRow = 0;
    for (let k = 0; k < record.gridIndex.length; k++) {
      copyRow(record.gridIndex[k]!, record.values, k);
      const g = record.closeOutGridIndex[k]!;
      if (g >= 0) copyRow(g, record.closeOutValues, closeOutRow++);
    }
    for (let g = 0; g < needed.length; g++) {
      if (needed[g] !== 1 || filled[g] === 1) continue;
      if (g > last) out.fill(0, g * nPaths, (g + 1) * nPaths);
      else throw new XvaInternalError(`cube: netting set ${entry.nettingSetId} has no stored value at grid index ${g}, which its collateral reads`);
    }
  }

  close(): void {
    this.reader.close();
  }
}
