/**
 * Reading a shard's tables back (Arrow IPC or Parquet, as written by io/write.ts): whole columns as typed arrays.
 * Float64 columns come back bit for bit, which is what makes a merge equal a single run. A missing file or column
 * is an XvaUsageError naming the shard folder, the file and the column.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeArrowIpc } from '../io/arrowIpc.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { XvaUsageError } from '../errors.js';

export class ShardTable {
  private constructor(
    readonly table: Table,
    readonly where: string,
  ) {}

  /** `dir/base.ext` (ext '.arrow' or '.parquet'). */
  static read(dir: string, base: string, ext: string): ShardTable {
    const file = path.join(dir, base + ext);
    const where = `${path.basename(dir)}/${base + ext}`;
    if (!fs.existsSync(file)) throw new XvaUsageError(`${where} is missing: the shard folder is not what xva wrote (re-run the shard)`);
    try {
      const bytes = fs.readFileSync(file);
      const table = ext === '.parquet' ? tableFromIPC(readParquet(bytes).intoIPCStream()) : decodeArrowIpc(bytes);
      return new ShardTable(table, where);
    } catch (error) {
      throw new XvaUsageError(`${where} is unreadable (${(error as Error).message}): re-run the shard`);
    }
  }

  get numRows(): number {
    return this.table.numRows;
  }

  /** The table's schema metadata `key`, or undefined. */
  metadata(key: string): string | undefined {
    return this.table.schema.metadata.get(key);
  }

  private column(name: string): { toArray(): unknown } {
    const vector = this.table.getChild(name);
    if (!vector) throw new XvaUsageError(`${this.where} has no column ${name}: written by another version of xva?`);
    return vector;
  }

  f64(name: string): Float64Array {
    const values = this.column(name).toArray();
    return values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
  }

  /** Nullable float64 (null kept). */
  nullableF64(name: string): (number | null)[] {
    const vector = this.table.getChild(name);
    if (!vector) throw new XvaUsageError(`${this.where} has no column ${name}: written by another version of xva?`);
    const out = new Array<number | null>(vector.length);
    for (let i = 0; i < vector.length; i++) out[i] = vector.get(i) as number | null;
    return out;
  }

  i32(name: string): Int32Array {
    const values = this.column(name).toArray();
    return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  }

  strings(name: string): string[] {
    return [...(this.column(name).toArray() as Iterable<string>)];
  }

  bools(name: string): boolean[] {
    return [...(this.column(name).toArray() as Iterable<boolean>)].map(Boolean);
  }

  /** A date column whose nulls (a netting set with no live date) come back as −1 (day serials are >= 0 here). */
  datesOrMinusOne(name: string): Int32Array {
    const vector = this.table.getChild(name);
    if (!vector) throw new XvaUsageError(`${this.where} has no column ${name}: written by another version of xva?`);
    const out = this.dates(name);
    for (let i = 0; i < out.length; i++) if (!vector.isValid(i)) out[i] = -1;
    return out;
  }

  /** Day serials of a date32 column (Arrow JS hands dates back as epoch milliseconds). */
  dates(name: string): Int32Array {
    const vector = this.table.getChild(name);
    if (!vector) throw new XvaUsageError(`${this.where} has no column ${name}: written by another version of xva?`);
    const out = new Int32Array(vector.length);
    const data = vector.data;
    let row = 0;
    for (const chunk of data) {
      const days = chunk.values as Int32Array;
      for (let i = 0; i < chunk.length; i++) out[row++] = days[chunk.offset + i]!;
    }
    return out;
  }
}
