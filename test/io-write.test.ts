/**
 * Writing tables. References: Polars (Rust arrow2/polars IPC reader) reads the Arrow files, DuckDB reads the
 * Parquet and CSV files; both are independent of apache-arrow/parquet-wasm. Values must come back exactly: the
 * writers copy doubles bit for bit (Arrow/Parquet) or as the shortest round-trip text (CSV, ECMAScript
 * Number::toString), so equality is exact; float32 columns are compared after rounding to float32 (Math.fround).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDateValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Bool, DateDay, Field, Float32, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { toIsoDate } from '../src/conventions/dates.js';
import { XvaInternalError, XvaUsageError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { readTable } from '../src/io/read.js';
import { arrowFileChunks, outputExtension, writeTable, type OutputTable } from '../src/io/write.js';

let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xva-io-write-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

afterAll(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** nodejs-polars needs its native binding (optional dependency nodejs-polars-linux-x64-gnu); absent → those tests skip. */
type Polars = { readIPC(buf: Buffer): { getColumn(name: string): { toArray(): unknown[]; dtype: unknown }; columns: string[]; height: number } };
let polars: Polars | undefined;
try {
  polars = createRequire(import.meta.url)('nodejs-polars') as Polars;
} catch {
  polars = undefined;
}

const N = 1000;
/** An exposure-profile-like table with awkward values: nulls everywhere, text needing quotes, tiny and huge doubles. */
function sampleTable(): OutputTable {
  const id: (string | null)[] = [];
  const eeUsd: (number | null)[] = [];
  const pd32: (number | null)[] = [];
  const step: (number | null)[] = [];
  const collateralised: (boolean | null)[] = [];
  const date: (number | null)[] = [];
  for (let i = 0; i < N; i++) {
    id.push(i % 10 === 0 ? null : i % 7 === 0 ? `NS-${i}, "Ünïcode" 日本\nline2` : `NS-${i}`);
    eeUsd.push(i % 11 === 0 ? null : (i - 500) * Math.PI * 10 ** ((i % 40) - 20));
    pd32.push(i % 13 === 0 ? null : 1 / (i + 3));
    step.push(i % 17 === 0 ? null : i - 100);
    collateralised.push(i % 3 === 0 ? null : i % 2 === 0);
    date.push(i % 19 === 0 ? null : -800 + i * 37); // from 1967 to 2070
  }
  return {
    columns: [
      { name: 'netting_set_id', type: 'utf8', values: id },
      { name: 'ee_usd', type: 'float64', values: eeUsd },
      { name: 'pd', type: 'float32', values: pd32 },
      { name: 'step', type: 'int32', values: step },
      { name: 'collateralised', type: 'bool', values: collateralised },
      { name: 'date', type: 'date', values: date },
    ],
    metadata: { 'xva.run': 'test-run-1', 'xva.units': 'USD' },
  };
}

const f32 = (v: number | null) => (v === null ? null : Math.fround(v));

/**
 * The Arrow table of an OutputTable built independently of write.ts, through apache-arrow's own vector builders
 * (vectorFromArray), for the byte comparison of the file writer.
 */
function referenceArrowTable(table: OutputTable, n: number): Table {
  const types = { utf8: new Utf8(), float64: new Float64(), float32: new Float32(), int32: new Int32(), bool: new Bool(), date: new DateDay() } as const;
  const fields = table.columns.map((c) => new Field(c.name, types[c.type], true));
  const schema = new Schema(fields, new Map(Object.entries(table.metadata ?? {})));
  const children = table.columns.map((c) => {
    const values = Array.from(c.values as ArrayLike<unknown>).slice(0, n);
    const cells = c.type === 'date' ? values.map((v) => (v === null ? null : new Date((v as number) * 86_400_000))) : values;
    return vectorFromArray(cells, types[c.type] as never).data[0]!;
  });
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

function listTemp(folder: string): string[] {
  return readdirSync(folder).filter((f) => f.endsWith('.tmp'));
}

describe('writeTable arrow', () => {
  it('is an Arrow IPC file with plain Utf8, column order, nulls, dates and schema metadata', () => {
    const table = sampleTable();
    const path = join(dir, `profile${outputExtension('arrow')}`);
    writeTable(path, table, 'arrow');
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1'); // file format magic (not the stream format)
    expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
    expect(listTemp(dir)).toEqual([]);
    const back = tableFromIPC(bytes);
    expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'netting_set_id:Utf8',
      'ee_usd:Float64',
      'pd:Float32',
      'step:Int32',
      'collateralised:Bool',
      'date:Date32<DAY>',
    ]);
    expect(Object.fromEntries(back.schema.metadata)).toEqual(table.metadata);
    expect(back.batches).toHaveLength(1);
  });

  it('writes tableToIPC\'s bytes (in chunks, not joined first), typed-array columns and repeated ids included', () => {
    // the sample's columns, then the same rows from typed arrays (no nulls: the writer's fast path) and ids repeated
    // down a column (copied from the row before), in one table and on their own
    const sample = sampleTable();
    const rows = 1003; // not a multiple of 8: the validity bitmap's last byte
    const ids = Array.from({ length: rows }, (_, i) => `T-${Math.floor(i / 7)}-ü`);
    const typed: OutputTable = {
      columns: [
        { name: 'trade_id', type: 'utf8', values: ids },
        { name: 'epe', type: 'float64', values: Float64Array.from({ length: rows }, (_, i) => Math.sin(i) * 1e6) },
        { name: 'pd', type: 'float32', values: Float32Array.from({ length: rows }, (_, i) => 1 / (i + 1)) },
        { name: 'step', type: 'int32', values: Int32Array.from({ length: rows }, (_, i) => i - 500) },
        { name: 'date', type: 'date', values: Int32Array.from({ length: rows }, (_, i) => 19000 + i) },
        { name: 'epe_list', type: 'float64', values: Array.from({ length: rows }, (_, i) => Math.sin(i) * 1e6) },
      ],
      metadata: { 'xva.run': 'typed' },
    };
    for (const [name, table] of [['sample', sample], ['typed', typed]] as const) {
      const path = join(dir, `chunks-${name}.arrow`);
      writeTable(path, table, 'arrow');
      const n = table.columns[0]!.values.length;
      const reference = tableToIPC(referenceArrowTable(table, n), 'file');
      expect(Buffer.compare(readFileSync(path), Buffer.from(reference)), name).toBe(0);
      expect(arrowFileChunks(referenceArrowTable(table, n)).length).toBeGreaterThan(3);
    }
    // the typed columns read back as given, the same as their plain-array twin
    const back = tableFromIPC(readFileSync(join(dir, 'chunks-typed.arrow')));
    expect(back.getChild('trade_id')!.toArray()).toEqual(ids);
    expect(Array.from(back.getChild('epe')!.toArray() as Float64Array)).toEqual(Array.from(back.getChild('epe_list')!.toArray() as Float64Array));
    // a DateDay column reads back as ms since the epoch: the day serials × 86,400,000
    expect(Array.from(back.getChild('date')!.toArray() as ArrayLike<number>)).toEqual(Array.from(typed.columns[4]!.values as Int32Array, (d) => d * 86_400_000));
    expect(back.getChild('epe')!.nullCount).toBe(0);
  });

  it.skipIf(!polars)('Polars reads back every value, null and date', () => {
    const table = sampleTable();
    const path = join(dir, 'profile_polars.arrow');
    writeTable(path, table, 'arrow');
    const df = polars!.readIPC(readFileSync(path));
    expect(df.columns).toEqual(table.columns.map((c) => c.name));
    expect(df.height).toBe(N);
    const [id, ee, pd, step, coll, date] = table.columns.map((c) => Array.from(c.values));
    expect(df.getColumn('netting_set_id').toArray()).toEqual(id);
    expect(df.getColumn('ee_usd').toArray()).toEqual(ee);
    expect(df.getColumn('pd').toArray()).toEqual(pd!.map((v) => f32(v as number | null)));
    expect(df.getColumn('step').toArray()).toEqual(step);
    expect(df.getColumn('collateralised').toArray()).toEqual(coll);
    // Polars gives Date cells as JS Dates at UTC midnight.
    const dates = df.getColumn('date').toArray().map((d) => (d === null ? null : (d as Date).toISOString().slice(0, 10)));
    expect(dates).toEqual(date!.map((d) => (d === null ? null : toIsoDate(d as number))));
  });
});

describe('writeTable parquet', () => {
  it('DuckDB reads every value, null and DATE; key-value metadata carried', async () => {
    const table = sampleTable();
    const path = join(dir, 'profile.parquet');
    writeTable(path, table, 'parquet');
    expect(listTemp(dir)).toEqual([]);
    const reader = await duck.runAndReadAll(
      `SELECT netting_set_id, ee_usd, pd, step, collateralised, date, typeof(date) AS date_type FROM '${path}'`,
    );
    const rows = reader.getRows();
    expect(rows).toHaveLength(N);
    const [id, ee, pd, step, coll, date] = table.columns.map((c) => c.values);
    const diffs: string[] = [];
    rows.forEach((row, i) => {
      const want = [id![i], ee![i], f32(pd![i] as number | null), step![i], coll![i], date![i]];
      const got = [row[0], row[1], row[2], row[3], row[4], row[5] === null ? null : (row[5] as DuckDBDateValue).days];
      if (!got.every((g, k) => Object.is(g, want[k]))) diffs.push(`row ${i}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    });
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(rows[1]![6]).toBe('DATE');
    const codec = await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`);
    expect(codec.getRows()).toEqual([['ZSTD']]);
    const kv = await duck.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata('${path}') WHERE decode(key) LIKE 'xva.%' ORDER BY 1`);
    expect(kv.getRows()).toEqual([
      ['xva.run', 'test-run-1'],
      ['xva.units', 'USD'],
    ]);
  });

  it('reads back through readTable (day serials for dates)', async () => {
    const table = sampleTable();
    const path = join(dir, 'roundtrip.parquet');
    writeTable(path, table, 'parquet');
    const back = await readTable(path);
    for (const column of table.columns) {
      const got = Array.from({ length: N }, (_, r) => back.column(column.name)!.get(r));
      // a float32 cell reads as the shortest decimal of the stored float32 (io/arrowColumn.ts): DuckDB's own text of it
      const want =
        column.type === 'float32'
          ? (await duck.runAndReadAll(`SELECT "${column.name}"::VARCHAR FROM read_parquet('${path}')`)).getRows().map(([text]) => (text === null ? null : Number(text)))
          : Array.from(column.values);
      expect(got, column.name).toEqual(want);
      if (column.type === 'float32') got.forEach((v, r) => expect(v === null ? null : Math.fround(v as number)).toBe(f32(column.values[r] as number | null)));
    }
    expect(back.column('date')!.isDate).toBe(true);
  });
});

describe('writeTable csv', () => {
  it('DuckDB read_csv gets the same values; doubles round-trip exactly, float32 at float32 precision', async () => {
    const table = sampleTable();
    const path = join(dir, 'profile.csv');
    writeTable(path, table, 'csv');
    const text = readFileSync(path, 'utf8');
    expect(text.split('\r\n')[0]).toBe('netting_set_id,ee_usd,pd,step,collateralised,date');
    const reader = await duck.runAndReadAll(
      `SELECT * FROM read_csv('${path}', header = true, columns = {'netting_set_id': 'VARCHAR', 'ee_usd': 'DOUBLE', 'pd': 'DOUBLE', 'step': 'INTEGER', 'collateralised': 'BOOLEAN', 'date': 'DATE'})`,
    );
    const rows = reader.getRows();
    expect(rows).toHaveLength(N);
    const [id, ee, pd, step, coll, date] = table.columns.map((c) => c.values);
    const diffs: string[] = [];
    rows.forEach((row, i) => {
      const want = [id![i], ee![i], f32(pd![i] as number | null), step![i], coll![i], date![i]];
      const got = [row[0], row[1], f32(row[2] as number | null), row[3], row[4], row[5] === null ? null : (row[5] as DuckDBDateValue).days];
      if (!got.every((g, k) => Object.is(g, want[k]))) diffs.push(`row ${i}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    });
    expect(diffs.slice(0, 5)).toEqual([]);
    // float32 text is the shortest that reads back to the same float32: 1/7 → 0.14285715, not 0.1428571492433548.
    expect(text.split('\r\n')[5]).toBe('NS-4,' + String((4 - 500) * Math.PI * 10 ** -16) + ',0.14285715,-96,true,1968-03-20'); // day -652 = 1968-03-20
    // and the xva CSV reader reads it back.
    const back = await readTable(path);
    expect(back.column('netting_set_id')!.get(7)).toBe('NS-7, "Ünïcode" 日本\nline2');
    expect(back.column('date')!.get(1)).toBe(toIsoDate(-763));
  });
});

describe('writeTable checks its input (programming errors)', () => {
  it('unequal lengths, duplicate names, wrong value types', () => {
    const path = join(dir, 'bad.arrow');
    expect(() =>
      writeTable(path, { columns: [{ name: 'a', type: 'float64', values: [1, 2] }, { name: 'b', type: 'float64', values: [1] }] }, 'arrow'),
    ).toThrow(new XvaInternalError('writeTable: column b has 1 values but column a has 2'));
    expect(() =>
      writeTable(path, { columns: [{ name: 'a', type: 'float64', values: [1] }, { name: 'a', type: 'utf8', values: ['x'] }] }, 'csv'),
    ).toThrow(XvaInternalError);
    expect(() => writeTable(path, { columns: [{ name: 'n', type: 'int32', values: [1.5] }] }, 'parquet')).toThrow(
      'writeTable: column n row 0: 1.5 is not a 32-bit integer',
    );
    expect(existsSync(path)).toBe(false);
  });
});

describe('writeFileAtomic', () => {
  it('creates the folder, replaces an existing file, leaves no temporary file', () => {
    const path = join(dir, 'nested', 'deeper', 'out.json');
    writeFileAtomic(path, '{"a":1}');
    writeFileAtomic(path, new TextEncoder().encode('{"a":2}'));
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}');
    expect(listTemp(join(dir, 'nested', 'deeper'))).toEqual([]);
  });

  it('a failed write leaves neither the target nor a temporary file', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder is expected');
    const target = join(blocker, 'out.arrow');
    expect(() => writeTable(target, sampleTable(), 'arrow')).toThrow(XvaUsageError);
    expect(() => writeFileAtomic(target, 'x')).toThrow(/^cannot write .*blocker\/out\.arrow: /);
    expect(existsSync(target)).toBe(false);
    // Target is an existing folder: the rename fails after the temporary file was written; it must be removed.
    const folderTarget = join(dir, 'taken');
    writeFileAtomic(join(folderTarget, 'inside.txt'), 'x');
    expect(() => writeFileAtomic(folderTarget, 'data')).toThrow(XvaUsageError);
    expect(listTemp(dir)).toEqual([]);
    expect(readFileSync(join(folderTarget, 'inside.txt'), 'utf8')).toBe('x');
  });
});
