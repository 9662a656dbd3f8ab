/**
 * Parquet → TabularFile. parquet-wasm (the Rust `parquet` crate compiled to WebAssembly) decodes the file, whatever
 * wrote it (pyarrow, Spark, DuckDB, Polars): SNAPPY/ZSTD/GZIP/uncompressed pages, dictionary encoding, V1 and V2 data
 * pages, several row groups. Its Arrow IPC output is read by apache-arrow, and every column is materialised once
 * (io/arrowColumn.ts). Any failure becomes a file-level InputIssue "not a readable Parquet file: <reason>".
 */
import { DataType, tableFromIPC, type Table } from 'apache-arrow';
import { ParquetFile, readParquet } from 'parquet-wasm';
import { XvaInputError, type InputIssue } from '../errors.js';
import { arrowColumn, UnsupportedColumnError } from './arrowColumn.js';
import { MaterialisedTable } from './columns.js';
import type { TabularColumn, TabularFile } from './table.js';

/** Rows per Arrow record batch handed back by parquet-wasm: large batches keep the per-chunk overhead negligible. */
const BATCH_ROWS = 65_536;

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1", at both ends of every Parquet file (Parquet format spec)

function hasMagic(bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < 4; k++) if (bytes[at + k] !== MAGIC[k]) return false;
  return true;
}

function unreadable(file: string, reason: string): XvaInputError {
  return new XvaInputError([
    { file, value: `not a readable Parquet file: ${reason}`, expected: 'a complete Parquet file (as written by pyarrow, Spark, DuckDB or Polars)' },
  ]);
}

/** Checks the frame of the file before decoding, so that the common failures get a plain reason. */
function frameProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  if (bytes.length < 12) return `the file is only ${bytes.length} bytes long, too short to be Parquet`;
  if (!hasMagic(bytes, 0)) return 'the file does not start with the Parquet signature PAR1 (is it really Parquet?)';
  if (!hasMagic(bytes, bytes.length - 4)) {
    return 'the file does not end with the Parquet signature PAR1 (it looks truncated: was it copied completely?)';
  }
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
  if (footerLength + 12 > bytes.length) return 'the footer length points outside the file (truncated or corrupt)';
  return undefined;
}

/** A decoder error as a short sentence, without wasm stack frames. */
function decoderReason(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const line = (raw.split('\n')[0] ?? '').trim();
  if (/error strings stripped|unreachable|out of bounds|RuntimeError/i.test(line) || line === '') {
    return 'its data pages could not be decoded (corrupt or damaged file)';
  }
  if (/corrupt footer|too small|EOF/i.test(line)) return `the file is truncated or corrupt (${line})`;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** The end-of-stream marker of the Arrow IPC stream format (continuation word, then a zero length). */
const IPC_END = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * The time zones of the timestamp columns in the Arrow schema a writer embedded in the file (pyarrow's and pandas'
 * `ARROW:schema` key), by column name. Parquet keeps only "adjusted to UTC" for a zoned timestamp: the zone itself
 * lives in that schema, which the decoder reads back only when its unit matches the file's (a pandas `datetime64[s,
 * Europe/Berlin]` column is stored in milliseconds and decoded as UTC: local midnight became the day before). Empty
 * when the file has no such schema or it cannot be read (the decoded types stand).
 */
export async function embeddedTimeZones(bytes: Uint8Array): Promise<Map<string, string>> {
  const zones = new Map<string, string>();
  try {
    // the footer alone (PAR1, the metadata, its length, PAR1): the metadata is all that is read, and a copy of a large
    // file would cost its size again
    const n = bytes.length;
    const footer = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
    const tail = new Uint8Array(4 + footer + 8);
    tail.set(bytes.subarray(0, 4), 0);
    tail.set(bytes.subarray(n - 8 - footer, n), 4);
    const parquet = await ParquetFile.fromFile(new Blob([tail]));
    try {
      const encoded = parquet.metadata().fileMetadata().keyValueMetadata().get('ARROW:schema') as unknown;
      if (typeof encoded !== 'string') return zones;
      const message = Buffer.from(encoded, 'base64');
      const stream = new Uint8Array(message.length + IPC_END.length);
      stream.set(message, 0);
      stream.set(IPC_END, message.length);
      for (const field of tableFromIPC(stream).schema.fields) {
        const type = field.type as DataType & { timezone?: string | null };
        if (DataType.isTimestamp(type) && type.timezone) zones.set(field.name, type.timezone);
      }
    } finally {
      parquet.free();
    }
  } catch {
    // no readable embedded schema: the decoded types stand
  }
  return zones;
}

/**
 * Decodes Parquet bytes. `file` is the name used in messages; `zones` the embedded schema's time zones
 * (embeddedTimeZones), which a timestamp column decoded as UTC takes. Throws XvaInputError for anything unreadable.
 */
export function parseParquet(bytes: Uint8Array, file: string, zones?: ReadonlyMap<string, string>): TabularFile {
  const problem = frameProblem(bytes);
  if (problem !== undefined) throw unreadable(file, problem);

  let table: Table;
  try {
    const wasmTable = readParquet(bytes, { batchSize: BATCH_ROWS });
    table = tableFromIPC(wasmTable.intoIPCStream());
  } catch (error) {
    throw unreadable(file, decoderReason(error));
  }

  return tabularFromArrow(table, file, 'parquet', zones);
}

/**
 * An Arrow table (decoded from Parquet or read from an Arrow IPC file) as a TabularFile: every column materialised
 * once; duplicate names and column types the loaders cannot read are InputIssues naming the file and column.
 */
export function tabularFromArrow(table: Table, file: string, format: TabularFile['format'], zones?: ReadonlyMap<string, string>): TabularFile {
  const issues: InputIssue[] = [];
  const names = table.schema.fields.map((f) => f.name);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) issues.push({ file, column: name, value: name, expected: 'unique column names (this name appears more than once)' });
    seen.add(name);
  }
  const columns: TabularColumn[] = [];
  const unreadable = new Map<string, InputIssue>();
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    const vector = table.getChildAt(index);
    if (!vector) {
      issues.push({ file, column: name, value: 'no data', expected: 'a column with data' });
      continue;
    }
    if (vector.length !== table.numRows) {
      issues.push({ file, column: name, value: `${vector.length} values`, expected: `${table.numRows} values, one per row` });
      continue;
    }
    try {
      columns.push(arrowColumn(name, vector, zones?.get(name)));
    } catch (error) {
      if (!(error instanceof UnsupportedColumnError)) throw error;
      // an error only when a reader asks for the column (MaterialisedTable.column)
      unreadable.set(name, { file, column: name, value: error.found, expected: error.message });
    }
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  return new MaterialisedTable(format, file, table.numRows, names, columns, unreadable);
}
