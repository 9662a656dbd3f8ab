/**
 * Writing result tables: Arrow IPC file, Parquet (ZSTD) or CSV, always atomically (io/atomic.ts). The caller
 * describes columns with a small set of types; the writer checks the shape (a programming error otherwise) and
 * builds the Arrow buffers directly from the values, in one pass per column. Synchronous.
 */
import {
  Bool,
  DateDay,
  Field,
  Float32,
  Float64,
  Int32,
  makeData,
  AsyncByteQueue,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { ArrayBufferViewInput } from 'apache-arrow/util/buffer';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { toIsoDate } from '../conventions/dates.js';
import { XvaInternalError } from '../errors.js';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export type OutputColumnType = 'utf8' | 'float64' | 'float32' | 'int32' | 'bool' | 'date';

export interface OutputColumn {
  name: string;
  type: OutputColumnType;
  /** One value per row; `date` values are day serials (days since 1970-01-01); null in any column. */
  values: ArrayLike<string | number | boolean | null>;
}

export interface OutputTable {
  columns: OutputColumn[];
  /** Carried as Arrow schema metadata (Arrow, Parquet) and as Parquet key-value metadata. */
  metadata?: Record<string, string>;
}

export type OutputFormat = 'arrow' | 'parquet' | 'csv';

/** File extension, with the dot, for a format. */
export function outputExtension(format: OutputFormat): string {
  switch (format) {
    case 'arrow':
      return '.arrow';
    case 'parquet':
      return '.parquet';
    case 'csv':
      return '.csv';
  }
}

type Value = string | number | boolean | null;

function badValue(column: OutputColumn, row: number, value: unknown, what: string): XvaInternalError {
  return new XvaInternalError(`writeTable: column ${column.name} row ${row}: ${String(value)} is not ${what}`);
}

/** Checks the table's shape and every value against its column type; returns the row count. */
function checkTable(table: OutputTable): number {
  if (table.columns.length === 0) throw new XvaInternalError('writeTable: a table needs at least one column');
  const names = new Set<string>();
  const numRows = table.columns[0]!.values.length;
  for (const column of table.columns) {
    if (column.name === '') throw new XvaInternalError('writeTable: a column has an empty name');
    if (names.has(column.name)) throw new XvaInternalError(`writeTable: column name ${column.name} appears twice`);
    names.add(column.name);
    if (column.values.length !== numRows) {
      throw new XvaInternalError(
        `writeTable: column ${column.name} has ${column.values.length} values but column ${table.columns[0]!.name} has ${numRows}`,
      );
    }
    const values = column.values;
    // a typed array of the column's kind holds numbers only (no null): nothing to check row by row
    if (typedFor(column.type, values)) continue;
    for (let row = 0; row < numRows; row++) {
      const v: unknown = values[row];
      if (v === null) continue;
      switch (column.type) {
        case 'utf8':
          if (typeof v !== 'string') throw badValue(column, row, v, 'a string');
          break;
        case 'float64':
        case 'float32':
          if (typeof v !== 'number') throw badValue(column, row, v, 'a number');
          break;
        case 'int32':
          if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
            throw badValue(column, row, v, 'a 32-bit integer');
          }
          break;
        case 'date':
          if (typeof v !== 'number' || !Number.isInteger(v)) throw badValue(column, row, v, 'a day serial (integer)');
          break;
        case 'bool':
          if (typeof v !== 'boolean') throw badValue(column, row, v, 'a boolean');
          break;
      }
    }
  }
  return numRows;
}

/**
 * Whether `values` is a typed array that holds exactly what the column type takes (no null, no other type): Float64Array
 * or Float32Array for float64, Float32Array for float32 (already rounded), Int32Array for int32 and date. The writer
 * then skips the per-row checks and copies (the exposure tables' number columns are such arrays: exposure_trade has
 * 1.9 million rows for utb-20k).
 */
function typedFor(type: OutputColumnType, values: ArrayLike<Value>): boolean {
  switch (type) {
    case 'float64':
      return values instanceof Float64Array || values instanceof Float32Array;
    case 'float32':
      return values instanceof Float32Array;
    case 'int32':
    case 'date':
      return values instanceof Int32Array;
    default:
      return false;
  }
}

/** Validity bitmap (LSB first, Arrow spec) and null count. */
function validity(values: ArrayLike<Value>, n: number): { nullBitmap: Uint8Array; nullCount: number } {
  if (ArrayBuffer.isView(values)) {
    // no null in a typed array: every bit of the n rows set, the bits past them clear (as the loop below leaves them)
    const nullBitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
    if (n % 8 !== 0) nullBitmap[nullBitmap.length - 1] = (1 << (n % 8)) - 1;
    return { nullBitmap, nullCount: 0 };
  }
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

function arrowType(type: OutputColumnType): DataType {
  switch (type) {
    case 'utf8':
      return new Utf8();
    case 'float64':
      return new Float64();
    case 'float32':
      return new Float32();
    case 'int32':
      return new Int32();
    case 'bool':
      return new Bool();
    case 'date':
      return new DateDay();
  }
}

function columnData(column: OutputColumn, n: number): Data {
  const values = column.values;
  const { nullBitmap, nullCount } = validity(values, n);
  switch (column.type) {
    case 'utf8': {
      // Plain Utf8 (offsets + bytes), not dictionary-encoded.
      // A value equal to the row before's is copied from its bytes (ids repeat down a column: a trade's id on every
      // date of exposure_trade), not encoded again.
      const valueOffsets = new Int32Array(n + 1);
      let bytes = 0;
      let previous: Value | undefined;
      let previousBytes = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null) {
          if (v !== previous) {
            previous = v;
            previousBytes = Buffer.byteLength(v as string, 'utf8');
          }
          bytes += previousBytes;
        }
        valueOffsets[i + 1] = bytes;
      }
      const data = Buffer.alloc(bytes);
      let last = -1;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null) continue;
        const at = valueOffsets[i]!;
        if (last >= 0 && v === values[last]) data.copyWithin(at, valueOffsets[last]!, valueOffsets[last + 1]!);
        else data.write(v as string, at, 'utf8');
        last = i;
      }
      return makeData({ type: new Utf8(), length: n, nullCount, nullBitmap, valueOffsets, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    }
    case 'float64':
    case 'float32':
    case 'int32':
    case 'date': {
      const data =
        column.type === 'float64' ? new Float64Array(n) : column.type === 'float32' ? new Float32Array(n) : new Int32Array(n);
      if (typedFor(column.type, values)) data.set((values as Float64Array).subarray(0, n));
      else {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v !== null) data[i] = v as number;
        }
      }
      const type = arrowType(column.type) as Float64;
      return makeData({ type, length: n, nullCount, nullBitmap, data: data as Float64Array });
    }
    case 'bool': {
      const data = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7);
      return makeData({ type: new Bool(), length: n, nullCount, nullBitmap, data });
    }
  }
}

/** An Arrow byte queue that keeps the chunks a writer gives it, in order, instead of queueing them for a reader. */
class ChunkQueue extends AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  override write(value: ArrayBufferViewInput): void {
    const bytes = value instanceof Uint8Array ? value : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : undefined;
    if (!bytes) throw new XvaInternalError('an Arrow writer gave the file sink something other than bytes');
    if (bytes.byteLength > 0) this.chunks.push(bytes);
  }
}

/**
 * The Arrow IPC file of `table` as the writer's chunks, for writing one after the other: the bytes of
 * tableToIPC(table, 'file') without joining them into one buffer first (a copy of the whole file: 0.55 s of the
 * 2-core machine's 2.4 s of writing utb-20k's tables, exposure_trade being 101 MB). Tested byte for byte.
 */
export function arrowFileChunks(table: Table): Uint8Array[] {
  const sink = new ChunkQueue();
  const writer = new RecordBatchFileWriter();
  writer.reset(sink);
  writer.writeAll(table);
  return sink.chunks;
}

function arrowTable(table: OutputTable, n: number): Table {
  const fields = table.columns.map((c) => new Field(c.name, arrowType(c.type), true));
  const metadata = new Map(Object.entries(table.metadata ?? {}));
  const schema = new Schema(fields, metadata);
  const children = table.columns.map((c) => columnData(c, n));
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** Shortest decimal text that reads back to the same float32 (at most 9 significant digits, IEEE 754). */
function float32Text(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return String(f);
  for (let digits = 1; digits <= 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return String(Number(text));
  }
  return String(f);
}

/** RFC 4180: quote a field holding a comma, quote or line break, or blanks a reader would trim. */
function csvField(text: string): string {
  if (/[",\r\n]/.test(text) || text !== text.trim()) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

function csvText(table: OutputTable, n: number): string {
  const columns = table.columns;
  const lines: string[] = [columns.map((c) => csvField(c.name)).join(',')];
  const cells: string[] = new Array<string>(columns.length);
  for (let row = 0; row < n; row++) {
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      const v = column.values[row];
      if (v === null || v === undefined) cells[c] = '';
      else if (column.type === 'date') cells[c] = toIsoDate(v as number);
      else if (column.type === 'utf8') cells[c] = csvField(v as string);
      else if (column.type === 'float32') cells[c] = float32Text(v as number);
      else cells[c] = String(v); // shortest text that round-trips the double (ECMAScript Number::toString)
    }
    lines.push(cells.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Writes `table` to `filePath` in `format`, atomically. Synchronous. */
export function writeTable(filePath: string, table: OutputTable, format: OutputFormat): void {
  const n = checkTable(table);
  if (format === 'csv') {
    writeFileAtomic(filePath, csvText(table, n));
    return;
  }
  const arrow = arrowTable(table, n);
  if (format === 'arrow') {
    writeFileAtomic(filePath, arrowFileChunks(arrow));
    return;
  }
  const builder = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  const metadata = new Map(Object.entries(table.metadata ?? {}));
  const properties = (metadata.size > 0 ? builder.setKeyValueMetadata(metadata) : builder).build();
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'));
  writeFileAtomic(filePath, writeParquet(wasmTable, properties));
}

/**
 * Before a run writes its tables into `outDir`: an earlier merge's record (merge.json, docs/scale.md) goes, since it
 * would vouch for tables this run replaces (xva merge writes its own after the tables).
 */
export function forgetEarlierMerge(outDir: string): void {
  fs.rmSync(path.join(outDir, 'merge.json'), { force: true });
}

/**
 * Removes the tables of `names` (Arrow or Parquet) in `outDir` that this run did not write (`written`: the paths it
 * wrote): a command's optional tables (stress, KVA, DIM) left by an earlier run into the same folder would otherwise
 * sit beside this run's as if they were its own. Other files of the folder are left alone.
 */
export function removeUnwrittenTables(outDir: string, names: readonly string[], written: readonly string[]): void {
  const kept = new Set(written.map((f) => path.basename(f)));
  for (const name of names) {
    for (const ext of ['.arrow', '.parquet']) {
      const file = `${name}${ext}`;
      if (!kept.has(file)) fs.rmSync(path.join(outDir, file), { force: true });
    }
  }
}
