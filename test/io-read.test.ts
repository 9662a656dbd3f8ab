/**
 * Reading tables. Reference: DuckDB, an independent Parquet writer and reader. DuckDB writes each file with a given
 * compression / row-group size / page version, then answers the same query itself (`runAndReadAll`); every cell
 * that readTable returns must equal DuckDB's value after the documented normalisation (DATE/TIMESTAMP → day
 * serial, DECIMAL → nearest double of DuckDB's own decimal text, FLOAT → nearest double of DuckDB's own text of the
 * float, its shortest round-trip decimal, BIGINT → number). Exact equality throughout: each
 * conversion is exact or a single correct rounding, so there is nothing for a tolerance to absorb.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { DateDay, DateMillisecond, Field, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, TimeUnit, Timestamp } from 'apache-arrow';
import { readParquet, Table as WasmTable, writeParquet } from 'parquet-wasm';
import { IssueCollector, XvaInputError, formatIssue } from '../src/errors.js';
import { FieldReader } from '../src/io/table.js';
import { findTableFile, readTable } from '../src/io/read.js';
import { float32Decimal } from '../src/io/arrowColumn.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Cell, TabularFile } from '../src/io/table.js';

let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xva-io-read-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

afterAll(() => {
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** 5,000 rows covering every supported type, with nulls in every column and values across midnight and 1970. */
const ROWS = 5000;
const QUERY = `
SELECT
  i::BIGINT AS id,
  'T' || lpad(i::VARCHAR, 6, '0') AS trade_id,
  CASE WHEN i = 7 THEN 9007199254740993 WHEN i % 11 = 0 THEN NULL ELSE i * 1000003 - 2500000000 END::BIGINT AS big,
  CASE WHEN i % 13 = 0 THEN NULL ELSE 'CP' || (i % 17)::VARCHAR END AS counterparty,
  CASE WHEN i % 9 = 0 THEN NULL ELSE 'Société Générale, "SG" 日本 ' || (i % 5)::VARCHAR END AS name,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (i - 2500) * 0.1 / 3 END::DOUBLE AS notional,
  CASE WHEN i % 6 = 0 THEN NULL ELSE (i * 1.1)::FLOAT END AS rate32,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 1.5 END AS literal,
  CASE WHEN i % 4 = 0 THEN NULL ELSE ((i - 2500) * 1.2345)::DECIMAL(18,4) END AS dec18,
  CASE WHEN i % 8 = 0 THEN NULL ELSE (CASE WHEN i % 2 = 0 THEN '-' ELSE '' END || '1234567890123456789.' || lpad((i % 1000)::VARCHAR, 3, '0'))::DECIMAL(38,10) END AS dec38,
  CASE WHEN i % 3 = 0 THEN NULL ELSE (i - 100)::INTEGER END AS i32,
  CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 200 - 100)::TINYINT END AS i8,
  CASE WHEN i % 10 = 1 THEN NULL ELSE (i * 3)::SMALLINT END AS i16,
  CASE WHEN i % 10 = 2 THEN NULL ELSE (i * 100000)::UINTEGER END AS u32,
  CASE WHEN i % 10 = 3 THEN NULL ELSE (i * 3)::UBIGINT END AS u64,
  CASE WHEN i % 3 = 1 THEN NULL ELSE i % 2 = 0 END AS cleared,
  CASE WHEN i % 12 = 0 THEN NULL ELSE DATE '2020-01-01' + (i % 1000)::INTEGER END AS maturity_date,
  CASE WHEN i % 14 = 0 THEN NULL ELSE DATE '1960-02-29' + i::INTEGER END AS old_date,
  CASE WHEN i % 15 = 0 THEN NULL ELSE TIMESTAMP '1969-12-31 23:59:59' + INTERVAL (i * 7919) SECOND END AS ts_us,
  CASE WHEN i % 16 = 0 THEN NULL ELSE (TIMESTAMP '1969-12-31 23:59:59' + INTERVAL (i * 7919) SECOND)::TIMESTAMP_NS END AS ts_ns,
  CASE WHEN i % 17 = 0 THEN NULL ELSE (TIMESTAMP '2024-02-29 23:59:59.999' - INTERVAL (i) HOUR)::TIMESTAMP_MS END AS ts_ms,
  CASE WHEN i % 18 = 0 THEN NULL ELSE (TIMESTAMP '2001-01-01 00:00:01' - INTERVAL (i * 3) HOUR)::TIMESTAMP_S END AS ts_s,
  CASE WHEN i % 19 = 0 THEN NULL ELSE (TIMESTAMP '2030-06-30 22:00:00' + INTERVAL (i * 37) MINUTE)::TIMESTAMPTZ END AS ts_tz
FROM range(${ROWS}) t(i)`;

const MICROS_PER_DAY = 86_400_000_000n;
function floorDays(units: bigint, perDay: bigint): number {
  const q = units / perDay;
  return Number(units < 0n && q * perDay !== units ? q - 1n : q);
}

/** DuckDB's value → the cell readTable promises (the normalisation documented in io/table.ts). */
function expectedCell(value: unknown): Cell {
  if (value === null) return null;
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : `${value} (int64 outside ±2^53, not exact as a number)`;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof DuckDBDateValue) return value.days;
  if (value instanceof DuckDBDecimalValue) return Number(value.toString());
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return floorDays(value.micros, MICROS_PER_DAY);
  if (value instanceof DuckDBTimestampNanosecondsValue) return floorDays(value.nanos, MICROS_PER_DAY * 1000n);
  if (value instanceof DuckDBTimestampMillisecondsValue) return floorDays(value.millis, MICROS_PER_DAY / 1000n);
  if (value instanceof DuckDBTimestampSecondsValue) return floorDays(value.seconds, MICROS_PER_DAY / 1_000_000n);
  throw new Error(`test: unexpected DuckDB value ${String(value)}`);
}

/** Every cell that differs between the table and DuckDB's answer (empty when they agree). */
async function mismatches(table: TabularFile, query: string): Promise<string[]> {
  const reader = await duck.runAndReadAll(query);
  const names = reader.columnNames();
  const rows = reader.getRows();
  const found: string[] = [];
  expect(table.numRows).toBe(rows.length);
  expect([...table.columnNames]).toEqual(names);
  // FLOAT columns: DuckDB's own text of each float (its shortest round-trip decimal), read as a double
  const floatTexts = new Map<number, unknown[]>();
  for (const [c, type] of reader.columnTypes().entries()) {
    if (type.typeId !== DuckDBTypeId.FLOAT) continue;
    const texts = await duck.runAndReadAll(`SELECT "${names[c]}"::VARCHAR FROM (${query})`);
    floatTexts.set(c, texts.getRows().map((row) => row[0]));
  }
  names.forEach((name, c) => {
    const column = table.column(name)!;
    const texts = floatTexts.get(c);
    for (let r = 0; r < rows.length && found.length < 20; r++) {
      const want = texts ? (texts[r] === null ? null : Number(texts[r])) : expectedCell(rows[r]![c]);
      const got = column.get(r);
      if (!Object.is(got, want)) found.push(`${name} row ${r}: got ${String(got)}, DuckDB ${String(want)}`);
    }
  });
  return found;
}

describe('readTable on Parquet written by DuckDB', () => {
  const variants = [
    { label: 'ZSTD, 5 row groups', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 1000' },
    { label: 'SNAPPY, 3 row groups', options: 'COMPRESSION snappy, ROW_GROUP_SIZE 2048' },
    { label: 'GZIP, 1 row group', options: 'COMPRESSION gzip' },
    { label: 'uncompressed, 50 row groups', options: 'COMPRESSION uncompressed, ROW_GROUP_SIZE 100' },
    { label: 'ZSTD, V2 data pages', options: 'COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 1500' },
  ];
  for (const { label, options } of variants) {
    it(`${label}: every cell equals DuckDB's own answer`, async () => {
      const path = join(dir, `${label.replace(/\W+/g, '_')}.parquet`);
      await duck.run(`COPY (${QUERY}) TO '${path}' (FORMAT parquet, ${options})`);
      const table = await readTable(path, { displayName: 'trades.parquet' });
      expect(table.file).toBe('trades.parquet');
      expect(table.format).toBe('parquet');
      expect(await mismatches(table, QUERY)).toEqual([]);
      // Types the loader relies on.
      for (const name of ['maturity_date', 'old_date', 'ts_us', 'ts_ns', 'ts_ms', 'ts_s', 'ts_tz']) {
        expect(table.column(name)!.isDate, name).toBe(true);
      }
      expect(table.column('notional')!.isDate).toBe(false);
      expect(table.column('big')!.type).toBe('int64 (out of range)');
      expect(table.column('id')!.type).toBe('int64');
      // Spot values written by hand from the query, so the test does not rest on DuckDB alone.
      expect(table.column('literal')!.get(1)).toBe(1.5);
      expect(table.column('maturity_date')!.get(1)).toBe(18263); // 2020-01-02
      expect(table.column('ts_us')!.get(1)).toBe(0); // 1969-12-31 23:59:59 + 7919 s = 1970-01-01 02:11:58
      expect(table.column('ts_us')!.get(0)).toBeNull(); // i % 15 == 0
      expect(table.column('old_date')!.get(1)).toBe(-3593); // 1960-03-01
      expect(table.column('big')!.get(7)).toBe('9007199254740993 (int64 outside ±2^53, not exact as a number)');
      expect(table.column('dec18')!.get(1)).toBe(-3085.0155); // (1 - 2500) * 1.2345
      // a float32 cell is the decimal its writer meant, not its binary expansion (1.100000023841858)
      expect(table.column('rate32')!.get(1)).toBe(1.1);
      expect(table.column('rate32')!.get(3)).toBe(3.3);
    });
  }

  it('an all-null column and a zero-row file', async () => {
    const allNull = join(dir, 'nulls.parquet');
    await duck.run(`COPY (SELECT i::INTEGER AS id, NULL::VARCHAR AS s, NULL::DOUBLE AS x FROM range(10) t(i)) TO '${allNull}' (FORMAT parquet)`);
    const t = await readTable(allNull);
    expect(t.numRows).toBe(10);
    for (let r = 0; r < 10; r++) {
      expect(t.column('s')!.get(r)).toBeNull();
      expect(t.column('x')!.get(r)).toBeNull(); // not 0, which arrow's toArray() would give
    }
    const empty = join(dir, 'empty_rows.parquet');
    await duck.run(`COPY (SELECT 1::INTEGER AS id WHERE false) TO '${empty}' (FORMAT parquet)`);
    const e = await readTable(empty);
    expect(e.numRows).toBe(0);
    expect(e.columnNames).toEqual(['id']);
  });
});

describe('timestamps with a time zone give the calendar date in that zone', () => {
  it('matches DuckDB ICU (instant AT TIME ZONE zone)::DATE', async () => {
    // Instants every 97 minutes from 2019-12-31 through two DST changes; written by parquet-wasm from Arrow
    // Timestamp(ms, zone), the zone kept in the file's Arrow schema as pyarrow does.
    const zones = ['Europe/Berlin', 'America/New_York', '+05:30', 'UTC'];
    const n = 6000;
    const ms = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ms[i] = BigInt(Date.UTC(2019, 11, 31, 20, 0) + i * 97 * 60_000);
    const fields = zones.map((z, k) => new Field(`ts${k}`, new Timestamp(TimeUnit.MILLISECOND, z), true));
    const children = zones.map((z) => makeData({ type: new Timestamp(TimeUnit.MILLISECOND, z), length: n, nullCount: 0, data: ms.slice() }));
    // (each child gets its own buffer: arrow's IPC writer mis-writes buffers shared between columns)
    const fieldsWithDate = [...fields, new Field('d', new DateDay(), true)];
    const days = Int32Array.from({ length: n }, (_, i) => i - 3000);
    const all = [...children, makeData({ type: new DateDay(), length: n, nullCount: 0, data: days })];
    const schema = new Schema(fieldsWithDate);
    const arrow = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fieldsWithDate), length: n, nullCount: 0, children: all }))]);
    const path = join(dir, 'zoned.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const table = await readTable(path);
    expect(table.column('ts0')!.type).toBe('timestamp[ms, Europe/Berlin]');
    for (let k = 0; k < zones.length; k++) {
      const zone = zones[k] === '+05:30' ? 'Asia/Kolkata' : zones[k]; // IST has been +05:30 throughout
      const reader = await duck.runAndReadAll(
        `SELECT (make_timestamptz(${Date.UTC(2019, 11, 31, 20, 0)}::BIGINT * 1000 + i * 97 * 60000000) AT TIME ZONE '${zone}')::DATE AS d FROM range(${n}) t(i) ORDER BY i`,
      );
      const want = reader.getRows().map((row) => (row[0] as DuckDBDateValue).days);
      const got = Array.from({ length: n }, (_, i) => table.column(`ts${k}`)!.get(i));
      expect(got, zones[k]).toEqual(want);
    }
    expect(table.column('d')!.get(0)).toBe(-3000);
  });

  it("pandas' datetime64[s, zone] (stored in ms, its zone only in the embedded Arrow schema) gives the dates written, not the day before", async () => {
    // test/data/parquet/timestamps_seconds_zoned.parquet, written by pyarrow 23 from pandas 3: local midnights of
    // 2026-12-30 and 2027-01-05 as datetime64[s, zone]; Parquet stores them as UTC instants in ms, and the decoder read
    // them back as UTC (2026-12-29 for Berlin and Tokyo, which are east of UTC)
    const table = await readTable(resolve('test/data/parquet/timestamps_seconds_zoned.parquet'));
    const dates = (name: string) => [0, 1].map((row) => table.column(name)!.get(row));
    const want = [20817, 20823]; // 2026-12-30 and 2027-01-05 as day serials
    expect(want.map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10))).toEqual(['2026-12-30', '2027-01-05']);
    for (const name of ['berlin_s', 'tokyo_s', 'new_york_s', 'utc_s', 'naive_s']) expect(dates(name), name).toEqual(want);
    expect(table.column('berlin_s')!.type).toBe('timestamp[ms, Europe/Berlin]');
  });
});

describe('a UTC timestamp with a time of day in a date column', () => {
  it('reads as its UTC date, with one warning naming the first such cell (local midnights of a session east of UTC read a day early)', async () => {
    // 2026-12-29T23:00Z is local midnight of 2026-12-30 in Berlin, as DuckDB writes a TIMESTAMPTZ there; row 2 midnight
    const ms = BigInt64Array.from([BigInt(Date.UTC(2026, 11, 30, 0, 0)), BigInt(Date.UTC(2026, 11, 29, 23, 0)), BigInt(Date.UTC(2027, 0, 4, 23, 0))]);
    const type = new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    const fields = [new Field('maturity_date', type, true)];
    const schema = new Schema(fields);
    const arrow = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: [makeData({ type, length: 3, nullCount: 0, data: ms })] }))]);
    const path = join(dir, 'utc-times.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const table = await readTable(path);
    const issues = new IssueCollector();
    const reader = new FieldReader(table, issues);
    expect([0, 1, 2].map((row) => reader.date('maturity_date', row))).toEqual([20817, 20816, 20822]);
    expect(issues.issues).toEqual([]);
    expect(issues.warnings.map(formatIssue)).toEqual([
      "utc-times.parquet row 2 column maturity_date: a timestamp with a time of day, 2026-12-29T23:00:00.000Z (the first in the column): expected dates (DATE) or timestamps at midnight: the column is read as the instants' UTC dates, so local midnights stored as UTC instants by a writer east of UTC (a TIMESTAMPTZ of DuckDB or Spark) read as the days before; write the dates as DATE or give the timestamps their time zone",
    ]);
  });
});

describe('a zone-less timestamp or an Arrow date64 with a time of day in a date column', () => {
  /** A one-column table of `type` holding the given instants (ms since 1970-01-01). */
  function instants(type: Timestamp | DateMillisecond, ms: number[]): Table {
    const fields = [new Field<Timestamp | DateMillisecond>('maturity_date', type, true)];
    const schema = new Schema(fields);
    const data = BigInt64Array.from(ms.map((m) => BigInt(m)));
    // one makeData call per type: its overloads are chosen by the type
    return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: ms.length, nullCount: 0, children: [type instanceof DateMillisecond ? makeData({ type, length: ms.length, nullCount: 0, data }) : makeData({ type, length: ms.length, nullCount: 0, data })] }))]);
  }
  const ms = [Date.UTC(2026, 11, 30), Date.UTC(2026, 11, 29, 23, 0), Date.UTC(2027, 0, 4, 23, 0)];

  it('a timestamp without a zone reads as its own dates and the warning does not call them UTC', async () => {
    const path = join(dir, 'naive-times.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(instants(new Timestamp(TimeUnit.MILLISECOND, null), ms), 'stream'))));
    const issues = new IssueCollector();
    const reader = new FieldReader(await readTable(path), issues);
    expect([0, 1, 2].map((row) => reader.date('maturity_date', row))).toEqual([20817, 20816, 20822]);
    expect(issues.warnings.map(formatIssue)).toEqual([
      "naive-times.parquet row 2 column maturity_date: a timestamp without a time zone with a time of day, 2026-12-29T23:00:00.000 (the first in the column): expected dates (DATE) or timestamps at midnight: the column is read as the timestamps' own dates, so local midnights converted to UTC east of UTC and then stored without their zone read as the days before; write the dates as DATE or give the timestamps their time zone",
    ]);
  });

  it('a date64 (whole days by Arrow\'s spec) holding a time of day is a warning too, in an Arrow IPC file', async () => {
    const path = join(dir, 'date64-times.arrow');
    writeFileSync(path, tableToIPC(instants(new DateMillisecond(), ms), 'file'));
    const issues = new IssueCollector();
    const reader = new FieldReader(await readTable(path), issues);
    expect([0, 1, 2].map((row) => reader.date('maturity_date', row))).toEqual([20817, 20816, 20822]);
    expect(issues.warnings.map(formatIssue)).toEqual([
      "date64-times.arrow row 2 column maturity_date: a date64 (whole days by Arrow's spec) with a time of day, 2026-12-29T23:00:00.000Z (the first in the column): expected dates (DATE) or date64 values at midnight: the column is read as the instants' UTC dates, so local midnights stored as UTC instants by a writer east of UTC (a TIMESTAMPTZ of DuckDB or Spark) read as the days before; write the dates as DATE",
    ]);
    // whole days: no warning
    const clean = join(dir, 'date64-days.arrow');
    writeFileSync(clean, tableToIPC(instants(new DateMillisecond(), [ms[0]!, Date.UTC(2027, 0, 5)]), 'file'));
    const quiet = new IssueCollector();
    const cleanReader = new FieldReader(await readTable(clean), quiet);
    expect([0, 1].map((row) => cleanReader.date('maturity_date', row))).toEqual([20817, 20823]);
    expect(quiet.warnings).toEqual([]);
  });
});

describe('a date cell outside 0001-01-01..9999-12-31 is an input error naming it', () => {
  const RANGE = "expected a date from 0001-01-01 to 9999-12-31 (the dates a CSV date YYYY-MM-DD can hold; an open-ended date such as DuckDB's infinity, or a timestamp in another unit than its column's, is not one)";

  it("DuckDB's 'infinity'::DATE (date32 2147483647) and nanoseconds under timestamp[ms]: the cells named, the ends of the range read", async () => {
    // before: the serials went on into schedule arithmetic, which grew an array past V8's limit (exit 133, no message)
    const path = join(dir, 'infinity.parquet');
    await duck.run(`COPY (SELECT * FROM (VALUES (1, 'infinity'::DATE), (2, '-infinity'::DATE), (3, DATE '9999-12-31'), (4, DATE '0001-01-01'), (5, DATE '9999-12-31' + 1)) t(i, d) ORDER BY i) TO '${path}' (FORMAT parquet)`);
    const issues = new IssueCollector();
    const reader = new FieldReader(await readTable(path), issues);
    // 9999-12-31 and 0001-01-01 as day serials (Python: date.toordinal() - date(1970, 1, 1).toordinal())
    expect([0, 1, 2, 3, 4].map((row) => reader.date('d', row))).toEqual([undefined, undefined, 2_932_896, -719_162, undefined]);
    // 2147483647 and -2147483647 are DuckDB's infinities (its date32 storage, read back by pyarrow as those integers)
    expect(issues.issues.map(formatIssue)).toEqual([
      `infinity.parquet row 1 column d: date32 2147483647 (days since 1970-01-01: the year 5881580): ${RANGE}`,
      `infinity.parquet row 2 column d: date32 -2147483647 (days since 1970-01-01: the year -5877641): ${RANGE}`,
      `infinity.parquet row 5 column d: date32 2932897 (days since 1970-01-01: the year 10000): ${RANGE}`,
    ]);

    // a writer's unit mix-up: 2030-01-01 in nanoseconds stored under a millisecond unit (the year 60 million)
    const ns = BigInt(Date.UTC(2030, 0, 1)) * 1_000_000n;
    const type = new Timestamp(TimeUnit.MILLISECOND, null);
    const fields = [new Field('maturity_date', type, true)];
    const schema = new Schema(fields);
    const data = BigInt64Array.from([ns, BigInt(Date.UTC(2030, 0, 1))]);
    const arrow = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: 2, nullCount: 0, children: [makeData({ type, length: 2, nullCount: 0, data })] }))]);
    const msPath = join(dir, 'ns-as-ms.parquet');
    writeFileSync(msPath, writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const msIssues = new IssueCollector();
    const msReader = new FieldReader(await readTable(msPath), msIssues);
    expect([0, 1].map((row) => msReader.date('maturity_date', row))).toEqual([undefined, 21_915]);
    // the year: 1893456000000000000 ms / 86400000 = 21915000000 days = 11709 + 150003 · 146097 (the 400-year cycle);
    // day 11709 is 2002-01-22 (Python), so the year is 2002 + 400 · 150003 = 60003202
    expect(msIssues.issues.map(formatIssue)).toEqual([`ns-as-ms.parquet row 1 column maturity_date: timestamp[ms] 1893456000000000000 (milliseconds since 1970-01-01: the year 60003202): ${RANGE}`]);
    // no time-of-day warning for the rejected cell
    expect(msIssues.warnings).toEqual([]);
  });

  it('validate on a book whose first maturity is infinity: one error naming the cell, no crash', async () => {
    const folder = join(dir, 'small-infinity');
    cpSync(resolve('test/data/small'), folder, { recursive: true });
    const csv = join(folder, 'trades.csv');
    await duck.run(`COPY (SELECT * REPLACE (CASE WHEN trade_id = 'T001' THEN 'infinity'::DATE ELSE maturity_date::DATE END AS maturity_date) FROM read_csv('${csv}', all_varchar = true)) TO '${join(folder, 'trades.parquet')}' (FORMAT parquet)`);
    rmSync(csv);
    const result = await validateInputs({ portfolioDir: folder });
    expect(result.issues.map(formatIssue)).toEqual([`trades.parquet row 1 column maturity_date: date32 2147483647 (days since 1970-01-01: the year 5881580): ${RANGE}`]);
  });
});

describe('a zoned timestamp outside the range of a JS date (±8.64e15 ms)', () => {
  // 2026-01-01T00:00Z in nanoseconds stored under a millisecond unit with a zone: Intl.DateTimeFormat threw
  // "Invalid time value" while the table was read, an internal error (exit 1) even for a column nobody reads
  const ns = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
  const type = new Timestamp(TimeUnit.MILLISECOND, 'America/New_York');

  it('a read column: an input error naming the cell; the in-range cell is its New York date', async () => {
    const fields = [new Field('maturity_date', type, true)];
    const schema = new Schema(fields);
    const data = BigInt64Array.from([ns, BigInt(Date.UTC(2026, 0, 1))]);
    const arrow = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: 2, nullCount: 0, children: [makeData({ type, length: 2, nullCount: 0, data })] }))]);
    const path = join(dir, 'tz-ns-as-ms.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const issues = new IssueCollector();
    const reader = new FieldReader(await readTable(path), issues);
    // 2026-01-01T00:00Z is 2025-12-31 19:00 in New York: day 20453 (Python: date(2025, 12, 31) - date(1970, 1, 1))
    expect([0, 1].map((row) => reader.date('maturity_date', row))).toEqual([undefined, 20_453]);
    // 1767225600000000000 ms / 86400000 = 20454000000 days = 127806 + 140002 · 146097 (the 400-year cycle); day
    // 127806 is 2319-12-04 (Python), so the year is 2319 + 400 · 140002 = 56003119
    expect(issues.issues.map(formatIssue)).toEqual([
      "tz-ns-as-ms.parquet row 1 column maturity_date: timestamp[ms, America/New_York] 1767225600000000000 (milliseconds since 1970-01-01: the year 56003119): expected a date from 0001-01-01 to 9999-12-31 (the dates a CSV date YYYY-MM-DD can hold; an open-ended date such as DuckDB's infinity, or a timestamp in another unit than its column's, is not one)",
    ]);
  });

  it("a writer's extra column in trades.parquet: warned of and ignored, the book validates", async () => {
    const folder = join(dir, 'small-tz-extra');
    cpSync(resolve('test/data/small'), folder, { recursive: true });
    const csv = join(folder, 'trades.csv');
    const plain = join(dir, 'small-tz-trades.parquet');
    await duck.run(`COPY (SELECT * FROM read_csv('${csv}', all_varchar = true)) TO '${plain}' (FORMAT parquet)`);
    rmSync(csv);
    const trades = tableFromIPC(readParquet(readFileSync(plain)).intoIPCStream());
    const n = trades.numRows;
    const loaded = makeData({ type, length: n, nullCount: 0, data: new BigInt64Array(n).fill(ns) });
    const fields = [...trades.schema.fields, new Field('loaded_at', type, true)];
    const schema = new Schema(fields);
    const children = [...trades.schema.fields.map((_, k) => trades.getChildAt(k)!.data[0]!), loaded];
    const arrow = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]);
    writeFileSync(join(folder, 'trades.parquet'), writeParquet(WasmTable.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const result = await validateInputs({ portfolioDir: folder });
    expect(result.issues.map(formatIssue)).toEqual([]);
    expect(result.warnings.map(formatIssue)).toContain('trades.parquet column loaded_at: unknown column(s), ignored: expected columns of the trades table (docs/inputs.md)');
  });
});

describe('identifiers stored as DECIMAL(19,0) or BIGINT beyond 2^53 keep their exact digits', () => {
  // 1234567890123456000 + i: 19-digit ids as an Oracle NUMBER(19) or Snowflake NUMBER unload writes them. As doubles,
  // neighbours collapsed into one value (duplicate-id errors showing ids not in the file); as int64 they read as the
  // number check's sentence, which became the trade_id of the outputs. Reference: the digits DuckDB itself returns.
  for (const [kind, sqlType] of [['decimal', 'DECIMAL(19,0)'], ['int64', 'BIGINT']] as const) {
    it(`trade_id as ${sqlType}: every id its digits, no duplicates; as a number the cell reads as before`, async () => {
      const folder = join(dir, `small-id-${kind}`);
      cpSync(resolve('test/data/small'), folder, { recursive: true });
      const csv = join(folder, 'trades.csv');
      const path = join(folder, 'trades.parquet');
      await duck.run(`COPY (SELECT * REPLACE ((1234567890123456000 + row_number() OVER ())::${sqlType} AS trade_id) FROM read_csv('${csv}', all_varchar = true)) TO '${path}' (FORMAT parquet)`);
      rmSync(csv);
      const want = (await duck.runAndReadAll(`SELECT trade_id::VARCHAR FROM '${path}'`)).getRows().map((r) => r[0] as string);
      expect(want[0]).toBe('1234567890123456001');
      const issues = new IssueCollector();
      const reader = new FieldReader(await readTable(path), issues);
      expect(want.map((_, row) => reader.string('trade_id', row))).toEqual(want);
      // a number read is the nearest double (decimal) or the out-of-range sentence (int64), as before
      expect(reader.number('trade_id', 0)).toBe(kind === 'decimal' ? 1234567890123456000 : undefined);
      if (kind === 'int64') expect(issues.issues.map(formatIssue)).toEqual(['trades.parquet row 1 column trade_id: 1234567890123456001 (int64 outside ±2^53, not exact as a number): expected a number']);
      const result = await validateInputs({ portfolioDir: folder });
      expect(result.issues.map(formatIssue)).toEqual([]);
      const loaded = await loadPortfolio(folder, new IssueCollector());
      expect(loaded.trades.map((t) => t.tradeId)).toEqual(want);
    });
  }

  it('a decimal with a scale is its text as the writer prints it; a null is null', async () => {
    const path = join(dir, 'dec-text.parquet');
    await duck.run(`COPY (SELECT * FROM (VALUES (1, 12.50::DECIMAL(4,2)), (2, NULL), (3, -0.05::DECIMAL(4,2))) t(i, d) ORDER BY i) TO '${path}' (FORMAT parquet)`);
    const reader = new FieldReader(await readTable(path), new IssueCollector());
    expect([0, 1, 2].map((row) => reader.string('d', row))).toEqual(['12.50', undefined, '-0.05']);
    expect([0, 2].map((row) => reader.number('d', row))).toEqual([12.5, -0.05]);
  });
});

describe('float32 cells read as numpy prints them (float32Decimal)', () => {
  it('a value halfway between two shortest decimals takes the even last digit, as numpy (it was rounded up)', async () => {
    // Reference: numpy's own str of each float32 (test/data/parquet/README.md): 410 exact ties and 602 other values.
    // Exact equality: each side is the double nearest to one decimal text.
    const table = await readTable(resolve('test/data/parquet/float32_numpy.parquet'));
    const value = table.column('value')!;
    const numpy = table.column('numpy_str')!;
    expect(value.type).toBe('float');
    const got = Array.from({ length: table.numRows }, (_, row) => value.get(row));
    const want = Array.from({ length: table.numRows }, (_, row) => Number(numpy.get(row)));
    expect(table.numRows).toBe(1012);
    expect(got).toEqual(want);
    // the audit's case: 1234567.25 is 1234567.2 in numpy (1234567.3 before), its negative too; 1234567.75's even digit
    // is 8, which toPrecision also gives
    expect([float32Decimal(Math.fround(1234567.25)), float32Decimal(Math.fround(-1234567.25)), float32Decimal(Math.fround(1234567.75))]).toEqual([1234567.2, -1234567.2, 1234567.8]);
  });
});

async function inputError(promise: Promise<unknown>): Promise<XvaInputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(XvaInputError);
    return error as XvaInputError;
  }
  throw new Error('expected an XvaInputError');
}

describe('unreadable Parquet files give a file-level XvaInputError', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    const path = join(dir, 'good.parquet');
    await duck.run(`COPY (${QUERY}) TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000)`);
    good = readFileSync(path);
  });

  it('truncated file (cut in half)', async () => {
    const path = join(dir, 'cut.parquet');
    writeFileSync(path, good.subarray(0, Math.floor(good.length / 2)));
    const error = await inputError(readTable(path, { displayName: 'trades.parquet' }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.file).toBe('trades.parquet');
    expect(error.message).toBe(
      'trades.parquet: not a readable Parquet file: the file does not end with the Parquet signature PAR1 (it looks truncated: was it copied completely?): expected a complete Parquet file (as written by pyarrow, Spark, DuckDB or Polars)',
    );
  });

  it('truncated data with an intact-looking end (cut, then PAR1 appended)', async () => {
    const path = join(dir, 'cut2.parquet');
    writeFileSync(path, Buffer.concat([good.subarray(0, good.length - 200), Buffer.from('PAR1')]));
    const error = await inputError(readTable(path));
    expect(error.message).toMatch(/^cut2\.parquet: not a readable Parquet file: /);
    expect(error.message).not.toMatch(/wasm|RuntimeError|at /);
  });

  it('corrupted pages (bytes flipped in the middle)', async () => {
    const path = join(dir, 'flipped.parquet');
    const bad = Buffer.from(good);
    for (let k = 200; k < bad.length / 2; k++) bad[k] ^= 0x5a;
    writeFileSync(path, bad);
    const error = await inputError(readTable(path));
    expect(error.message).toMatch(/^flipped\.parquet: not a readable Parquet file: /);
    expect(error.message).not.toMatch(/wasm-function|Error strings stripped/);
    // The decoder still works for the next, good file.
    writeFileSync(join(dir, 'again.parquet'), good);
    expect((await readTable(join(dir, 'again.parquet'))).numRows).toBe(ROWS);
  });

  it('random bytes named .parquet', async () => {
    const path = join(dir, 'random.parquet');
    writeFileSync(path, Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    const error = await inputError(readTable(path));
    expect(error.message).toBe(
      'random.parquet: not a readable Parquet file: the file does not start with the Parquet signature PAR1 (is it really Parquet?): expected a complete Parquet file (as written by pyarrow, Spark, DuckDB or Polars)',
    );
  });

  it('an empty file', async () => {
    const path = join(dir, 'zero.parquet');
    writeFileSync(path, new Uint8Array(0));
    const error = await inputError(readTable(path));
    expect(error.message).toMatch(/^zero\.parquet: not a readable Parquet file: the file is empty: expected/);
  });

  it('a missing file, a folder, an unknown extension', async () => {
    const missing = await inputError(readTable(join(dir, 'nope.parquet')));
    expect(missing.message).toBe(`nope.parquet: file not found (${join(dir, 'nope.parquet')}): expected an existing, readable Parquet file`);
    mkdirSync(join(dir, 'folder.csv'));
    const folder = await inputError(readTable(join(dir, 'folder.csv')));
    expect(folder.message).toMatch(/^folder\.csv: a folder, not a file/);
    const xlsx = await inputError(readTable(join(dir, 'trades.xlsx')));
    expect(xlsx.message).toBe('trades.xlsx: a .xlsx file: expected a .parquet, .pq, .csv or .arrow file');
  });

  it('an unsupported column type names the column and the type when it is read; the table\'s other columns read', async () => {
    // a writer's extra column of a type no reader converts (a list, a UUID as FixedSizeBinary, a TIME) stopped the
    // whole table although the loader only warns of columns it does not know and ignores them
    const path = join(dir, 'list.parquet');
    await duck.run(`COPY (SELECT 1 AS id, [1, 2] AS legs, gen_random_uuid() AS row_uuid, TIME '10:30:00' AS at) TO '${path}' (FORMAT parquet)`);
    const table = await readTable(path);
    expect(table.column('id')!.get(0)).toBe(1);
    let error: unknown;
    try {
      table.column('legs');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues[0]).toMatchObject({ file: 'list.parquet', column: 'legs' });
    expect((error as Error).message).toMatch(/^list\.parquet column legs: Arrow type List<.*>: expected a column of text, numbers/);
    expect(() => table.column('row_uuid')).toThrow(/^list\.parquet column row_uuid: Arrow type FixedSizeBinary/);
  });
});

describe('a writer\'s extra column of an unsupported type in a portfolio table', () => {
  it('trades.parquet with a UUID column (DuckDB gen_random_uuid): the book loads, the column is warned of and ignored', async () => {
    const folder = join(dir, 'small-uuid');
    cpSync(resolve('test/data/small'), folder, { recursive: true });
    const csv = join(folder, 'trades.csv');
    await duck.run(`COPY (SELECT *, gen_random_uuid() AS row_uuid FROM read_csv('${csv}', all_varchar = true)) TO '${join(folder, 'trades.parquet')}' (FORMAT parquet)`);
    rmSync(csv);
    const result = await validateInputs({ portfolioDir: folder });
    expect(result.issues.map(formatIssue)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatIssue)).toContain('trades.parquet column row_uuid: unknown column(s), ignored: expected columns of the trades table (docs/inputs.md)');
  });
});

describe('findTableFile', () => {
  it('finds .parquet, .pq or .csv and rejects two at once', () => {
    const folder = join(dir, 'portfolio');
    mkdirSync(folder);
    expect(findTableFile(folder, 'trades')).toBeUndefined();
    writeFileSync(join(folder, 'trades.csv'), 'trade_id\nT1\n');
    expect(findTableFile(folder, 'trades')).toBe(join(folder, 'trades.csv'));
    writeFileSync(join(folder, 'netting_sets.pq'), '');
    expect(findTableFile(folder, 'netting_sets')).toBe(join(folder, 'netting_sets.pq'));
    writeFileSync(join(folder, 'trades.parquet'), '');
    expect(() => findTableFile(folder, 'trades')).toThrow(XvaInputError);
    expect(() => findTableFile(folder, 'trades')).toThrow(
      'trades.parquet, trades.csv: 2 files for table trades (ambiguous): expected exactly one of trades.parquet, trades.pq or trades.csv; remove the others',
    );
  });

  it('a folder under a table\'s name (Spark\'s part files) is an error naming it (a required table was "missing", an optional one ignored)', () => {
    const folder = join(dir, 'portfolio-spark');
    mkdirSync(join(folder, 'collateral.parquet'), { recursive: true });
    writeFileSync(join(folder, 'collateral.parquet', 'part-00000-abc.snappy.parquet'), '');
    writeFileSync(join(folder, 'collateral.parquet', '_SUCCESS'), '');
    expect(() => findTableFile(folder, 'collateral')).toThrow(
      `${join(folder, 'collateral.parquet')}: a folder, not a file (Spark and Hive write a table as a folder of part files): expected one file for table collateral (collateral.parquet, .pq or .csv): write it as one file (in Spark coalesce(1) and take the part-*.parquet file, or pyarrow.parquet.write_table)`,
    );
  });

  it('a table file named in another case is an error naming it (it was passed over: an optional table read as absent)', () => {
    const folder = join(dir, 'portfolio-case');
    mkdirSync(folder);
    writeFileSync(join(folder, 'Collateral.parquet'), '');
    expect(() => findTableFile(folder, 'collateral')).toThrow(
      `${join(folder, 'Collateral.parquet')}: named in another case than table collateral's file: expected the name collateral.parquet (the table names are lower case; rename the file)`,
    );
    writeFileSync(join(folder, 'eligible_collateral.CSV'), '');
    expect(() => findTableFile(folder, 'eligible_collateral')).toThrow("expected the name eligible_collateral.csv");
    // beside the table's own file: two files for one table
    writeFileSync(join(folder, 'collateral.parquet'), '');
    expect(() => findTableFile(folder, 'collateral')).toThrow('2 files for table collateral (ambiguous)');
  });

  it('a link to nothing under a table\'s name is an error naming it (statSync threw an internal error)', () => {
    const folder = join(dir, 'portfolio-dangling');
    mkdirSync(folder);
    symlinkSync(join(folder, 'no-such-target.csv'), join(folder, 'trade_values.csv'));
    expect(() => findTableFile(folder, 'trade_values')).toThrow(`${join(folder, 'trade_values.csv')}: a link whose target does not exist: expected the file of table trade_values, or no entry of that name`);
    expect(findTableFile(folder, 'trades')).toBeUndefined();
  });
});

describe('readTable on CSV (RFC 4180)', () => {
  function csv(name: string, text: string | Uint8Array): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }
  const cells = (t: TabularFile, name: string) => Array.from({ length: t.numRows }, (_, r) => t.column(name)!.get(r));

  it('quoted fields with commas, doubled quotes and line breaks; CRLF; BOM; trimming; empty → null', async () => {
    const text =
      '\uFEFFtrade_id, name ,notional,maturity_date\r\n' +
      'T1,"Acme, Inc.",1000000,2030-01-15\r\n' +
      'T2,"He said ""pay""",  2.5e6 ,\r\n' +
      '"T3","two\r\nlines",,"2031-12-31"\r\n' +
      '\r\n' + // a blank line is skipped, not a row
      'T4,  ,-1.25,"  "\r\n';
    const t = await readTable(csv('quoted.csv', text));
    expect(t.format).toBe('csv');
    expect(t.columnNames).toEqual(['trade_id', 'name', 'notional', 'maturity_date']);
    expect(t.numRows).toBe(4);
    expect(cells(t, 'trade_id')).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(cells(t, 'name')).toEqual(['Acme, Inc.', 'He said "pay"', 'two\r\nlines', null]);
    expect(cells(t, 'notional')).toEqual(['1000000', '2.5e6', null, '-1.25']);
    expect(cells(t, 'maturity_date')).toEqual(['2030-01-15', null, '2031-12-31', null]);
    expect(t.column('notional')!.type).toBe('csv text');
    expect(t.column('maturity_date')!.isDate).toBe(false);
  });

  it('LF line ends, no final newline, header only, UTF-8 text', async () => {
    const t = await readTable(csv('lf.csv', 'a,b\nx,Zürich 日本\n"",y'));
    expect(cells(t, 'a')).toEqual(['x', null]);
    expect(cells(t, 'b')).toEqual(['Zürich 日本', 'y']);
    const h = await readTable(csv('header_only.csv', 'trade_id,notional\n'));
    expect(h.numRows).toBe(0);
    expect(h.columnNames).toEqual(['trade_id', 'notional']);
  });

  it('wrong delimiter: semicolons and tabs', async () => {
    const semi = await inputError(readTable(csv('semi.csv', 'trade_id;notional\nT1;100\n')));
    expect(semi.message).toBe(`semi.csv: header "trade_id;notional": expected comma-separated values; the header looks separated by ';'`);
    const tab = await inputError(readTable(csv('tab.csv', 'trade_id\tnotional\nT1\t100\n')));
    expect(tab.message).toBe('tab.csv: header "trade_id\\tnotional": expected comma-separated values; the header looks separated by tabs');
    // R's write.csv2 and Excel in a comma-decimal locale quote every cell: `"a";"b"` scanned as one field a and stray
    // text, one "text after a closing quote" per line with no row or column, instead of this one hint
    const quoted = await inputError(readTable(csv('semi-quoted.csv', '"trade_id";"notional"\n"T1";"1000000,5"\n"T2";"2000000"\n')));
    expect(quoted.message).toBe(`semi-quoted.csv: header "\\"trade_id\\";\\"notional\\"": expected comma-separated values; the header looks separated by ';'`);
    // a stray text after a quote in the header, and in rows of a ragged and a multi-line record: each named by row,
    // column, raw text and line
    const strays = await inputError(readTable(csv('strays.csv', 'a,"b"x\n"1"2,3\n4,"line\nbreak"!,5\n')));
    expect(strays.issues.map(formatIssue)).toEqual([
      'strays.csv column b: "b"x: expected a comma or the end of the line right after a closing quote (the header, line 1 of the file)',
      'strays.csv row 1 column a: "1"2: expected a comma or the end of the line right after a closing quote (line 2 of the file)',
      'strays.csv row 2 column b: "line\\nbreak"!: expected a comma or the end of the line right after a closing quote (line 4 of the file)',
      'strays.csv row 2: 3 fields: expected 2 comma-separated fields, as many as the header has columns (line 3 of the file)',
    ]);
  });

  it('ragged rows: every one named by data row and file line', async () => {
    const error = await inputError(readTable(csv('ragged.csv', 'a,b,c\n1,2,3\n1,2\n"x\ny",2,3\n1,2,3,4\n')));
    expect(error.issues.map((i) => [i.row, i.value])).toEqual([
      [2, '2 fields'],
      [4, '4 fields'],
    ]);
    expect(error.message).toBe(
      'ragged.csv row 2: 2 fields: expected 3 comma-separated fields, as many as the header has columns (line 3 of the file)\n' +
        'ragged.csv row 4: 4 fields: expected 3 comma-separated fields, as many as the header has columns (line 6 of the file)',
    );
  });

  it('unterminated quote, empty file, duplicate and empty header names, non-UTF-8 bytes', async () => {
    const open = await inputError(readTable(csv('open.csv', 'a,b\n1,"never closed\n2,3\n')));
    expect(open.message).toBe('open.csv row 1: a quote opened on line 2 is never closed: expected a closing double quote (") before the end of the file');
    const empty = await inputError(readTable(csv('empty.csv', '')));
    expect(empty.message).toBe('empty.csv: an empty file: expected a header row of column names, then one row per record');
    const blank = await inputError(readTable(csv('blank.csv', '\uFEFF\r\n\r\n')));
    expect(blank.issues[0]!.value).toBe('an empty file');
    const dup = await inputError(readTable(csv('dup.csv', 'a,b,a,\n1,2,3,4\n')));
    expect(dup.message).toBe(
      'dup.csv column a: header columns 1 and 3 are both named a: expected unique column names\n' +
        'dup.csv: header column 4 has no name: expected a name for every column of the header',
    );
    const pandas = await inputError(readTable(csv('pandas.csv', ',trade_id,notional\n0,T1,100\n')));
    expect(pandas.message).toBe('pandas.csv: header column 1 has no name: expected a name for every column of the header (a first column without a name is most often a pandas index: write the file with to_csv(..., index=False))');
    const latin1 = await inputError(readTable(csv('latin1.csv', Uint8Array.from([0x61, 0x0a, 0x5a, 0xfc, 0x72, 0x69, 0x63, 0x68, 0x0a]))));
    // "Zürich" in Latin-1 on line 2: ü is the byte 0xfc, which starts no UTF-8 sequence
    expect(latin1.message).toBe('latin1.csv: text that is not valid UTF-8 (line 2, byte 2 of the line: 0xfc 72 69 63, e.g. an accented letter saved as Latin-1, Windows-1252 or Mac Roman): expected a UTF-8 CSV file (save it as "CSV UTF-8")');
    // a truncated UTF-8 sequence at the end (0xc3 without its continuation byte)
    expect((await inputError(readTable(csv('cut.csv', Uint8Array.from([0x61, 0x0a, 0x62, 0xc3]))))).issues[0]!.value).toMatch(/line 2, byte 2 of the line: 0xc3\)?/);
    // a surrogate (ED A0 80, as CESU-8 writes), an overlong form (E0 80 80) and a code point above U+10FFFF (F4 90 80 80)
    // are not UTF-8 either (RFC 3629 §4): named where they are, after "1,2\n"
    const text = (tail: number[]) => Uint8Array.from([...Buffer.from('a,b\n1,2\n'), ...tail, ...Buffer.from(',3\n')]);
    for (const tail of [[0xed, 0xa0, 0x80], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      expect((await inputError(readTable(csv('rfc.csv', text(tail))))).issues[0]!.value, tail.join(' ')).toMatch(new RegExp(`line 3, byte 1 of the line: 0x${tail[0]!.toString(16)}`));
    }
    // Mac line ends (CR alone, as Excel's "CSV (Macintosh)" writes with Mac Roman): the line is counted
    const mac = Uint8Array.from([...Buffer.from('a,b\r1,2\r'), 0xfc, ...Buffer.from(',3\r')]);
    expect((await inputError(readTable(csv('mac.csv', mac)))).issues[0]!.value).toMatch(/line 3, byte 1 of the line: 0xfc/);
    // other files under a .csv name
    expect((await inputError(readTable(csv('gz.csv', Uint8Array.from([0x1f, 0x8b, 0x08, 0, 0, 0]))))).message).toBe('gz.csv: a gzip-compressed file: expected a plain UTF-8 CSV file (decompress it first)');
    expect((await inputError(readTable(csv('pq.csv', Uint8Array.from([0x50, 0x41, 0x52, 0x31, 0, 0]))))).message).toBe('pq.csv: a Parquet file named .csv: expected a UTF-8 CSV file, or the file renamed to .parquet');
    // a spreadsheet's rows of separators alone after the data are skipped like blank lines; one between rows is a
    // row of empty cells (a table of nulls has them)
    const sheet = await readTable(csv('sheet.csv', 'a,b\n1,2\n,\n3,4\n,\n , \n\n'));
    expect(sheet.numRows).toBe(3);
    expect([0, 1, 2].map((r) => sheet.column('b')!.get(r))).toEqual(['2', null, '4']);
    const stray = await inputError(readTable(csv('stray.csv', 'a,b\n"x"y,2\n')));
    expect(stray.message).toBe('stray.csv row 1 column a: "x"y: expected a comma or the end of the line right after a closing quote (line 2 of the file)');
  });

  it('a double quote inside an unquoted cell is named by row, column, cell and file line (RFC 4180 §2.5-2.7)', async () => {
    const bare = await inputError(readTable(csv('bare.csv', 'id,name,x\nT1,Acme 5" Corp,1\nT2,"ok ""quoted""",2\n\nT3,x "y",3\n')));
    expect(bare.issues.map((i) => [i.row, i.column, i.value])).toEqual([
      [1, 'name', 'Acme 5" Corp'],
      [3, 'name', 'x "y"'],
    ]);
    expect(bare.message.split('\n')[1]).toBe(
      'bare.csv row 3 column name: x "y": expected a cell without double quotes, or the whole cell in double quotes with each quote inside doubled (RFC 4180; line 5 of the file)',
    );
    // The same cell quoted as RFC 4180 asks is read as text.
    const quoted = await readTable(csv('quoted.csv', 'id,name\nT1,"Acme 5"" Corp"\n'));
    expect(quoted.numRows).toBe(1);
  });

  it('agrees with DuckDB read_csv on a file DuckDB wrote (quotes, commas, line breaks, nulls)', async () => {
    const path = join(dir, 'duck.csv');
    const query = `SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'name ' || i || CASE WHEN i % 3 = 0 THEN ', "quoted"' ELSE '' END || CASE WHEN i % 5 = 0 THEN chr(10) || 'next line' ELSE '' END END AS name, (i * 0.37)::DOUBLE AS x FROM range(500) t(i)`;
    await duck.run(`COPY (${query}) TO '${path}' (FORMAT csv, HEADER true)`);
    const t = await readTable(path);
    const reader = await duck.runAndReadAll(`SELECT id::VARCHAR, name, x::VARCHAR FROM read_csv('${path}', header = true, all_varchar = false)`);
    const rows = reader.getRows();
    expect(t.numRows).toBe(rows.length);
    const diffs: string[] = [];
    rows.forEach((row, r) => {
      if (t.column('id')!.get(r) !== row[0]) diffs.push(`id ${r}`);
      if (t.column('name')!.get(r) !== row[1]) diffs.push(`name ${r}: ${String(t.column('name')!.get(r))} vs ${String(row[1])}`);
      if (Number(t.column('x')!.get(r)) !== Number(row[2])) diffs.push(`x ${r}`);
    });
    expect(diffs).toEqual([]);
  });
});
