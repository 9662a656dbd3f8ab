/**
 * The files of `xva simulate` (column by column in docs/simulation.md): exposure tables per netting set, counterparty,
 * book and trade, the netting-set summary, `manifest.json`, and with `--cube` the path values. Column names are
 * stable snake_case; rows are in the book's fixed order, so the same run gives the same bytes whatever the thread
 * count. Every file is written atomically (temporary file, fsync, rename).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  DateDay,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  List,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
} from 'apache-arrow';
import { toIsoDate } from '../conventions/dates.js';
import { XvaUsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { releaseTemp, trackTemp } from '../io/tempFiles.js';
import { outputExtension, writeTable, type OutputColumn, type OutputFormat } from '../io/write.js';
import type { TimeGrid } from '../simulation/types.js';
import { closeOutCount, CUBE_LAYOUT, type CubeIndex, type CubePrecision, type CubeIndexEntry, type CubeSetDetail } from './cube.js';
import type { AggregateProfile, SimulationResult } from './results.js';

export type TableFormat = Extract<OutputFormat, 'arrow' | 'parquet'>;

export const OUTPUT_TABLES = [
  'exposure_netting_set',
  'exposure_counterparty',
  'exposure_book',
  'exposure_trade',
  'netting_set_summary',
] as const;
export type OutputTableName = (typeof OUTPUT_TABLES)[number];

const f64 = (name: string, values: ArrayLike<number>): OutputColumn => ({ name, type: 'float64', values });

/** Date and time columns of the exposure dates, repeated for `groups` consecutive groups of rows. */
function dateColumns(grid: TimeGrid, exposureDates: Int32Array, groups: number): OutputColumn[] {
  const nDates = exposureDates.length;
  const date = new Int32Array(groups * nDates);
  const time = new Float64Array(groups * nDates);
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < nDates; k++) {
      date[g * nDates + k] = grid.dates[exposureDates[k]!]!;
      time[g * nDates + k] = grid.times[exposureDates[k]!]!;
    }
  }
  return [
    { name: 'date', type: 'date', values: date },
    { name: 'time_years', type: 'float64', values: time },
  ];
}

/** Concatenates one field of every group's profile into one column (group-major). */
function stacked<T>(groups: readonly T[], nDates: number, pick: (g: T) => Float64Array): Float64Array {
  const out = new Float64Array(groups.length * nDates);
  for (let i = 0; i < groups.length; i++) out.set(pick(groups[i]!).subarray(0, nDates), i * nDates);
  return out;
}

function repeated(values: readonly string[], times: number): string[] {
  const out = new Array<string>(values.length * times);
  for (let i = 0; i < values.length; i++) for (let k = 0; k < times; k++) out[i * times + k] = values[i]!;
  return out;
}

function metadataOf(result: SimulationResult): Record<string, string> {
  return { 'xva.paths': String(result.nPaths), 'xva.measure': 'base-currency LGM numeraire; discounted = E[X / N(t)] N(0)' };
}

/** Writes the five exposure tables into `outDir`; returns their paths. */
export function writeExposureTables(result: SimulationResult, outDir: string, format: TableFormat): string[] {
  // A folder holds one run: its manifest.json, written last, lists the run's files. The manifest of a run before goes
  // first, so that a run stopped part way leaves no manifest (readers of the folder refuse it: xva/readResults.ts)
  // rather than one that vouches for a mix of its tables and the new run's.
  fs.rmSync(path.join(outDir, 'manifest.json'), { force: true });
  // a merge's record says the folder's tables are that merge's: no longer true once this run writes into it
  fs.rmSync(path.join(outDir, 'merge.json'), { force: true });
  const { grid, exposureDates } = result;
  const nDates = exposureDates.length;
  const ext = outputExtension(format);
  const metadata = metadataOf(result);
  const written: string[] = [];
  const write = (name: OutputTableName, columns: OutputColumn[]): void => {
    const file = path.join(outDir, name + ext);
    writeTable(file, { columns, metadata }, format);
    written.push(file);
  };

  const sets = result.nettingSets;
  const profiles = sets.map((s) => s.profile);
  write('exposure_netting_set', [
    { name: 'netting_set_id', type: 'utf8', values: repeated(sets.map((s) => s.nettingSetId), nDates) },
    { name: 'counterparty_id', type: 'utf8', values: repeated(sets.map((s) => s.counterpartyId), nDates) },
    ...dateColumns(grid, exposureDates, sets.length),
    f64('epe', stacked(profiles, nDates, (p) => p.epe)),
    f64('ene', stacked(profiles, nDates, (p) => p.ene)),
    f64('ee', stacked(profiles, nDates, (p) => p.ee)),
    f64('eee', stacked(profiles, nDates, (p) => p.eee)),
    f64('pfe', stacked(profiles, nDates, (p) => p.pfe)),
    f64('collateral', stacked(profiles, nDates, (p) => p.collateral)),
    f64('epe_std_error', stacked(profiles, nDates, (p) => p.epeStdError)),
    f64('epe_vm', stacked(profiles, nDates, (p) => p.epeVm)),
    f64('collateral_vm', stacked(profiles, nDates, (p) => p.collateralVm)),
    f64('ene_vm', stacked(profiles, nDates, (p) => p.eneVm)),
  ]);

  const cps = result.counterparties;
  write('exposure_counterparty', [
    { name: 'counterparty_id', type: 'utf8', values: repeated(cps.map((c) => c.counterpartyId), nDates) },
    ...dateColumns(grid, exposureDates, cps.length),
    f64('epe', stacked(cps, nDates, (c) => c.epe)),
    f64('ene', stacked(cps, nDates, (c) => c.ene)),
    f64('ee', stacked(cps, nDates, (c) => c.ee)),
    f64('eee', stacked(cps, nDates, (c) => c.eee)),
    f64('pfe', stacked(cps, nDates, (c) => c.pfe!)),
    f64('collateral', stacked(cps, nDates, (c) => c.collateral)),
    f64('epe_std_error', stacked(cps, nDates, (c) => c.epeStdError!)),
    f64('epe_vm', stacked(cps, nDates, (c) => c.epeVm)),
    f64('collateral_vm', stacked(cps, nDates, (c) => c.collateralVm)),
    f64('ene_vm', stacked(cps, nDates, (c) => c.eneVm)),
  ]);

  const book: AggregateProfile = result.book;
  write('exposure_book', [
    ...dateColumns(grid, exposureDates, 1),
    f64('epe', book.epe),
    f64('ene', book.ene),
    f64('ee', book.ee),
    f64('eee', book.eee),
    f64('collateral', book.collateral),
    f64('epe_vm', book.epeVm),
    f64('collateral_vm', book.collateralVm),
    f64('ene_vm', book.eneVm),
  ]);

  // per trade: the rows of every trade over every exposure date, in the book's order of netting sets and trades
  let tradeRows = 0;
  for (const s of sets) tradeRows += s.tradeIds.length * nDates;
  const tradeId = new Array<string>(tradeRows);
  const tradeSet = new Array<string>(tradeRows);
  const epeContribution = new Float64Array(tradeRows);
  const eneContribution = new Float64Array(tradeRows);
  const epeVmContribution = new Float64Array(tradeRows);
  const eneVmContribution = new Float64Array(tradeRows);
  let row = 0;
  for (const s of sets) {
    for (let i = 0; i < s.tradeIds.length; i++) {
      for (let k = 0; k < nDates; k++) {
        tradeId[row] = s.tradeIds[i]!;
        tradeSet[row] = s.nettingSetId;
        epeContribution[row] = s.tradeEpe[i * nDates + k]!;
        eneContribution[row] = s.tradeEne[i * nDates + k]!;
        epeVmContribution[row] = s.tradeEpeVm[i * nDates + k]!;
        eneVmContribution[row] = s.tradeEneVm[i * nDates + k]!;
        row++;
      }
    }
  }
  write('exposure_trade', [
    { name: 'trade_id', type: 'utf8', values: tradeId },
    { name: 'netting_set_id', type: 'utf8', values: tradeSet },
    ...dateColumns(grid, exposureDates, tradeRows / Math.max(nDates, 1)),
    f64('epe_contribution', epeContribution),
    f64('ene_contribution', eneContribution),
    f64('epe_vm_contribution', epeVmContribution),
    f64('ene_vm_contribution', eneVmContribution),
  ]);

  const n = sets.length;
  const peakEpe = new Float64Array(n);
  const peakPfe = new Float64Array(n);
  const peakPfeDate = new Int32Array(n);
  // null for a set with no live grid date at all (every trade matured): no date of the grid is its last
  const lastDate: (number | null)[] = new Array<number | null>(n).fill(null);
  for (let i = 0; i < n; i++) {
    const p = sets[i]!.profile;
    let best = 0;
    for (let k = 0; k < nDates; k++) {
      peakEpe[i] = Math.max(peakEpe[i]!, p.epe[k]!);
      if (p.pfe[k]! > p.pfe[best]!) best = k;
    }
    peakPfe[i] = p.pfe[best] ?? 0;
    peakPfeDate[i] = grid.dates[exposureDates[best] ?? 0]!;
    const lastIndex = sets[i]!.lastDateIndex;
    lastDate[i] = lastIndex >= 0 ? grid.dates[lastIndex]! : null;
  }
  write('netting_set_summary', [
    { name: 'netting_set_id', type: 'utf8', values: sets.map((s) => s.nettingSetId) },
    { name: 'counterparty_id', type: 'utf8', values: sets.map((s) => s.counterpartyId) },
    { name: 'trades', type: 'int32', values: sets.map((s) => s.tradeIds.length) },
    { name: 'collateralised', type: 'bool', values: sets.map((s) => s.collateralised) },
    { name: 'margin_period_of_risk_days', type: 'int32', values: sets.map((s) => s.marginPeriodOfRiskDays) },
    f64('eepe', sets.map((s) => s.profile.eepe)),
    f64('epe_1y', sets.map((s) => s.profile.epe1y)),
    f64('peak_epe', peakEpe),
    f64('peak_pfe', peakPfe),
    { name: 'peak_pfe_date', type: 'date', values: peakPfeDate },
    { name: 'last_date', type: 'date', values: lastDate },
  ]);
  return written;
}

/**
 * `cube.arrow` (with `--cube`): one Arrow IPC file, one record batch per netting set plus a first batch for the
 * numeraire. A row is one (netting set, exposure date); columns (layout 2, src/exposure/cube.ts), F = Float32, or
 * Float64 with precision 'float64' (schema metadata `xva.cube.precision`):
 * - `netting_set_id` (utf8; null on the numeraire rows), `date` (date32), `values` (FixedSizeList<F>[nPaths]):
 *   V(t, p), the set's value on path p, base currency, undeflated, before collateral (a what-if can add trades or
 *   change the CSA and recompute collateral and profiles); the numeraire rows hold N(t, p);
 * - `grid_index` (int32): the row's date in the run's grid (manifest `grid.dateList`; null when written without a
 *   detail);
 * - `close_out_grid_index` (int32), `close_out_date` (date32), `close_out_values` (List<F>, nPaths long): for
 *   a set under a CSA with a margin period of risk, the close-out lag date the margin call of the row's date reads and
 *   V there, wherever the set is alive at that date; null otherwise (no CSA or MPoR, the set dead there, numeraire).
 * Rows follow the book's order of netting sets, dates increasing. Streamed to a temporary file batch by batch and
 * renamed when complete (atomic). `index()` gives each set's batch for the manifest (random access: cubeReader.ts).
 */
export class CubeWriter {
  private readonly writer: RecordBatchFileWriter;
  private readonly schema: Schema;
  private readonly tempPath: string;
  private readonly done: Promise<void>;
  private readonly fd: number;
  private failed: Error | undefined;
  private batches = 0;
  private numeraireBatch = -1;
  private readonly entries: CubeIndexEntry[] = [];

  constructor(
    readonly filePath: string,
    private readonly nPaths: number,
    private readonly exposureDateSerials: Int32Array,
    readonly precision: CubePrecision = 'float32',
  ) {
    const dir = path.dirname(filePath);
    fs.mkdirSync(dir, { recursive: true });
    this.tempPath = path.join(dir, `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    this.fd = fs.openSync(this.tempPath, 'wx', 0o644);
    trackTemp(this.tempPath);
    const fd = this.fd;
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        // after a failed write (ENOSPC, EIO) nothing more is written; the run stops at its next write() (below)
        if (this.failed) {
          callback(this.failed);
          return;
        }
        try {
          let written = 0;
          while (written < chunk.length) written += fs.writeSync(fd, chunk, written, chunk.length - written);
          callback();
        } catch (error) {
          this.failed = error as Error;
          callback(error as Error);
        }
      },
    });
    this.done = new Promise((resolve, reject) => {
      sink.on('finish', resolve);
      sink.on('error', reject);
    });
    // awaited by close(); until then a failed write must not surface as an unhandled rejection (a crash with a stack)
    this.done.catch(() => {});
    const metadata = new Map([
      ['xva.cube.layout', String(CUBE_LAYOUT)],
      ['xva.cube.precision', precision],
      ['xva.paths', String(nPaths)],
    ]);
    this.schema = new Schema(
      [
        new Field('netting_set_id', new Utf8(), true),
        new Field('date', new DateDay(), false),
        new Field('values', new FixedSizeList(nPaths, new Field('path', this.valueType(), false)), false),
        new Field('grid_index', new Int32(), true),
        new Field('close_out_grid_index', new Int32(), true),
        new Field('close_out_date', new DateDay(), true),
        new Field('close_out_values', new List(new Field('path', this.valueType(), false)), true),
      ],
      metadata,
    );
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(sink, this.schema);
  }

  private valueType(): Float32 | Float64 {
    return this.precision === 'float64' ? new Float64() : new Float32();
  }

  /** Values at the file's precision (Float32: rounded to nearest). */
  private stored(values: Float32Array | Float64Array): Float32Array | Float64Array {
    if (this.precision === 'float64') return values instanceof Float64Array ? values : Float64Array.from(values);
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }

  /**
   * Appends the rows of one netting set (`nettingSetId`) or of the numeraire (null): `values[k * nPaths + p]` on the
   * exposure dates, and `detail` (engine onCube): the same values in Float64 (stored at the file's precision), grid
   * indices, last live index and close-out rows. Without a detail the new columns are null (layout-1 content; such a
   * set's index entry has lastDateIndex −1) and the precision must be float32.
   */
  write(nettingSetId: string | null, values: Float32Array, detail?: CubeSetDetail): void {
    // a write of the file failed (a full disk): stop here, named; the caller aborts (temporary file removed)
    if (this.failed) throw new XvaUsageError(`cannot write ${this.filePath}: ${this.failed.message}`);
    const nDates = this.exposureDateSerials.length;
    const nPaths = this.nPaths;
    if (values.length !== nDates * nPaths) throw new Error(`CubeWriter: ${values.length} values, expected ${nDates} x ${nPaths}`);
    const closeOut = detail ? detail.closeOutGridIndex : new Int32Array(nDates).fill(-1);
    const nCloseOut = closeOutCount(closeOut);
    if (!detail?.values && this.precision !== 'float32') throw new Error('CubeWriter: a float64 cube needs the Float64 values of onCube\'s detail');
    if (detail && ((detail.values && detail.values.length !== nDates * nPaths) || detail.gridIndex.length !== nDates || closeOut.length !== nDates || detail.closeOutValues.length !== nCloseOut * nPaths)) {
      throw new Error(`CubeWriter: detail of ${nettingSetId ?? 'the numeraire'} does not match ${nDates} dates x ${nPaths} paths`);
    }
    const fields = this.schema.fields;
    let ids: ReturnType<typeof makeData>;
    if (nettingSetId === null) {
      ids = makeData({ type: new Utf8(), length: nDates, nullCount: nDates, nullBitmap: new Uint8Array((nDates + 7) >> 3), valueOffsets: new Int32Array(nDates + 1), data: new Uint8Array(0) });
    } else {
      const bytes = Buffer.from(nettingSetId, 'utf8');
      const offsets = new Int32Array(nDates + 1);
      const data = new Uint8Array(bytes.length * nDates);
      for (let k = 0; k < nDates; k++) {
        data.set(bytes, k * bytes.length);
        offsets[k + 1] = (k + 1) * bytes.length;
      }
      ids = makeData({ type: new Utf8(), length: nDates, nullCount: 0, valueOffsets: offsets, data });
    }
    const dates = makeData({ type: new DateDay(), length: nDates, nullCount: 0, data: this.exposureDateSerials });
    const child = makeData({ type: this.valueType(), length: nDates * nPaths, nullCount: 0, data: this.stored(detail?.values ?? values) });
    const list = makeData({ type: fields[2]!.type as FixedSizeList, length: nDates, nullCount: 0, child });
    const gridIndex = detail
      ? makeData({ type: new Int32(), length: nDates, nullCount: 0, data: detail.gridIndex })
      : makeData({ type: new Int32(), length: nDates, nullCount: nDates, nullBitmap: new Uint8Array((nDates + 7) >> 3), data: new Int32Array(nDates) });
    // close-out columns: valid where closeOut[k] >= 0 (validity bitmap, LSB first); list offsets step by nPaths there
    const valid = new Uint8Array((nDates + 7) >> 3);
    const closeOutDate = new Int32Array(nDates);
    const offsets = new Int32Array(nDates + 1);
    for (let k = 0; k < nDates; k++) {
      const g = closeOut[k]!;
      if (g >= 0) {
        valid[k >> 3]! |= 1 << (k & 7);
        closeOutDate[k] = detail!.gridDates[g]!;
      }
      offsets[k + 1] = offsets[k]! + (g >= 0 ? nPaths : 0);
    }
    const nulls = nDates - nCloseOut;
    const closeOutIndex = makeData({ type: new Int32(), length: nDates, nullCount: nulls, nullBitmap: valid, data: Int32Array.from(closeOut, (g) => Math.max(g, 0)) });
    const closeOutDates = makeData({ type: new DateDay(), length: nDates, nullCount: nulls, nullBitmap: valid, data: closeOutDate });
    const closeOutChild = makeData({ type: this.valueType(), length: nCloseOut * nPaths, nullCount: 0, data: detail ? this.stored(detail.closeOutValues) : new Float32Array(0) });
    const closeOutList = makeData({ type: fields[6]!.type as List, length: nDates, nullCount: nulls, nullBitmap: valid, valueOffsets: offsets, child: closeOutChild });
    const struct = makeData({ type: new Struct(fields), length: nDates, nullCount: 0, children: [ids, dates, list, gridIndex, closeOutIndex, closeOutDates, closeOutList] });
    this.writer.write(new RecordBatch(this.schema, struct));
    if (nettingSetId === null) this.numeraireBatch = this.batches;
    else this.entries.push({ nettingSetId, batch: this.batches, lastDateIndex: detail ? detail.lastDateIndex : -1 });
    this.batches++;
  }

  /** Where each record batch is (the manifest's `cube`), file named relative to the manifest's folder. */
  index(): CubeIndex {
    return { file: path.basename(this.filePath), layout: CUBE_LAYOUT, precision: this.precision, paths: this.nPaths, numeraireBatch: this.numeraireBatch, nettingSets: this.entries };
  }

  /** Finishes the file and moves it into place. */
  async close(): Promise<void> {
    this.writer.finish();
    this.writer.close();
    try {
      await this.done;
      if (this.failed) throw this.failed;
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      fs.renameSync(this.tempPath, this.filePath);
      releaseTemp(this.tempPath);
    } catch (error) {
      this.abort();
      throw new XvaUsageError(`cannot write ${this.filePath}: ${(error as Error).message}`);
    }
  }

  /** Drops the temporary file (the target is left untouched). */
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.tempPath, { force: true });
    releaseTemp(this.tempPath);
  }
}

/** SHA-256 of a file, hex. */
export function sha256File(filePath: string): string {
  return createHash('sha256').update(fs.readFileSync(filePath)).digest('hex');
}

export interface ManifestInput {
  version: string;
  command: string;
  inputs: Record<string, string>;
  options: Record<string, unknown>;
  files: string[];
  /** With `--cube`: where each netting set's record batch is (CubeWriter.index()). */
  cube?: CubeIndex;
}

/** manifest.json: what ran on what, with which settings and model, how long each stage took (docs/simulation.md). */
export function buildManifest(result: SimulationResult, input: ManifestInput): Record<string, unknown> {
  const { grid, exposureDates } = result;
  const inputs: Record<string, { path: string; sha256: string }> = {};
  for (const [name, file] of Object.entries(input.inputs)) inputs[name] = { path: file, sha256: sha256File(file) };
  return {
    tool: 'xva',
    version: input.version,
    command: input.command,
    inputs,
    options: input.options,
    threads: result.threads,
    ...(result.poolKernels !== undefined ? { valuationKernels: result.poolKernels ? 'webassembly' : 'typescript' } : {}),
    paths: result.nPaths,
    grid: {
      asOf: toIsoDate(grid.asOf),
      dates: grid.dates.length,
      exposureDates: exposureDates.length,
      closeOutDates: grid.dates.length - exposureDates.length,
      marginPeriodsOfRiskDays: [...grid.lagIndex.keys()].sort((a, b) => a - b),
      lastDate: toIsoDate(grid.dates[grid.dates.length - 1]!),
      dateList: [...grid.dates].map(toIsoDate),
      exposureDateFlags: [...grid.exposureDate],
    },
    model: result.model,
    counts: {
      nettingSets: result.nettingSets.length,
      counterparties: result.counterparties.length,
      trades: result.nettingSets.reduce((a, s) => a + s.tradeIds.length, 0),
      skippedTrades: result.skipped.length,
      tradePathDateValuations: result.valuations,
    },
    skipped: result.skipped,
    timingsSeconds: result.timings,
    files: input.files.map((f) => path.basename(f)),
    ...(input.cube ? { cube: input.cube } : {}),
  };
}

export function writeManifest(outDir: string, manifest: Record<string, unknown>): string {
  const file = path.join(outDir, 'manifest.json');
  writeFileAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
  return file;
}
