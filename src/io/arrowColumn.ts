/**
 * Arrow vector → materialised column (io/columns.ts). Reads the Arrow buffers directly (values, validity bitmap,
 * offsets) chunk by chunk instead of calling `vector.get` per cell, and never uses `toArray()`, which turns nulls
 * into 0 for numeric types. Conversions:
 * - Int8..Int32, Uint8..Uint32, Float64 → numbers; Float32 → the shortest decimal that rounds to the stored float32
 *   (float32Decimal: a rate of 0.035 written as float32 is 0.035, not 0.03500000014901161); Int64/Uint64 → numbers
 *   when within ±(2^53 - 1), else a text cell and the column type `int64 (out of range)` (see Int64Column); read as
 *   text (an identifier), every cell is its exact digits;
 * - Decimal(p, s) → the double nearest to unscaled · 10^-s (exact decimal arithmetic, then one rounding); read as text
 *   (an identifier, a DECIMAL(19,0) id of an Oracle or Snowflake unload), its exact decimal text (DecimalColumn);
 * - Date32/Date64/Timestamp (any unit) → day serials with `isDate`; a timestamp with a time zone gives the calendar
 *   date in that zone (an instant at 23:30 UTC is the next day in Europe/Berlin);
 * - Utf8/LargeUtf8/Binary/LargeBinary/views → strings; Dictionary<T> → the dictionary's values; Bool; Null.
 * Arrow buffers are little-endian, as are the typed arrays of every platform Node runs on.
 */
import { DataType, Precision, TimeUnit, type Vector } from 'apache-arrow';
import { fromYmd, MAX_DATE, MIN_DATE, toYmd } from '../conventions/dates.js';
import { bigFloorDiv, decimalText, floorDiv, MS_PER_DAY, read64, readValidity, TWO_32, UnsupportedColumnError } from './arrowBuffers.js';
import { readStrings, readStringsByGet } from './arrowStrings.js';
import { BoolColumn, CellColumn, DecimalColumn, Int64Column, NullColumn, NumberColumn } from './columns.js';
import type { Cell, TabularColumn, TimeOfDay } from './table.js';

export { UnsupportedColumnError };

function readInt64(name: string, vector: Vector, signed: boolean): TabularColumn {
  const n = vector.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  const outOfRange = new Map<number, string>();
  const anyNull = read64(vector, signed, values, valid, (row, v) => {
    outOfRange.set(row, v.toString());
  });
  const typeName = signed ? 'int64' : 'uint64';
  return new Int64Column(name, outOfRange.size > 0 ? `${typeName} (out of range)` : typeName, values, anyNull ? valid : null, outOfRange);
}

/** Int8..Int32, Uint8..Uint32, Float32/Float64: values copied as they are. */
function readNumbers(name: string, typeName: string, vector: Vector): NumberColumn {
  const n = vector.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  let anyNull = false;
  let base = 0;
  for (const data of vector.data) {
    anyNull = readValidity(data, valid, base) || anyNull;
    values.set(data.values as Float32Array, base);
    base += data.length;
  }
  return new NumberColumn(name, typeName, false, values, anyNull ? valid : null);
}

/**
 * The shortest decimal (at most 9 significant digits) whose float32 rounding is f, as the double nearest to it: what
 * the writer of a float32 column meant (numpy prints a float32 so), not the binary value's exact expansion. Of the
 * decimals of that length the nearest to f; where f lies exactly halfway between two (1234567.25 between 1234567.2
 * and 1234567.3) the one with the even last digit, as numpy's Dragon4 rounds ("if we are directly in the middle,
 * round towards the even digit", numpy/core/src/multiarray/dragon4.c) — toPrecision rounds such a tie up.
 */
export function float32Decimal(f: number): number {
  if (!Number.isFinite(f) || f === 0) return f;
  for (let digits = 1; digits < 9; digits++) {
    const decimal = Number(f.toPrecision(digits));
    if (Math.fround(decimal) === f) return evenTie(f, digits) ?? decimal;
  }
  return evenTie(f, 9) ?? Number(f.toPrecision(9));
}

/**
 * The `digits`-digit decimal below toPrecision's where f is exactly halfway between the two and toPrecision's ends in
 * an odd digit (and the one below still rounds to f); else undefined. Exact: f = m · 2^e and the decimals as BigInt.
 */
function evenTie(f: number, digits: number): number | undefined {
  const a = Math.abs(f);
  const next = a.toExponential(digits); // one digit more: a tie there ends in 5 (and is exact)
  if (next[next.indexOf('e') - 1] !== '5') return undefined;
  const [mantissa, exponent] = a.toExponential(digits - 1).split('e') as [string, string];
  const n = BigInt(mantissa.replace('.', ''));
  if (n % 2n === 0n || n <= 1n) return undefined;
  const k = Number(exponent) - (digits - 1); // toPrecision's decimal is n · 10^k
  // a = m · 2^e exactly (a float32's value: e ≥ -149, m < 2^24 once the fraction is gone; doubling is exact)
  let m = a;
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  // halfway: a = (n - 1/2) · 10^k, i.e. 2m · 2^e = (2n - 1) · 10^k, both sides times 2^-e · 10^max(0, -k)
  const left = 2n * BigInt(m) * 10n ** BigInt(Math.max(0, -k));
  const right = (2n * n - 1n) * 10n ** BigInt(Math.max(0, k)) * 2n ** BigInt(-e);
  if (left !== right) return undefined;
  const below = Number(`${f < 0 ? '-' : ''}${n - 1n}e${k}`);
  return Math.fround(below) === f ? below : undefined;
}

/** Float32: the values as readNumbers copies them, then each the shortest decimal of its float32 (float32Decimal). */
function readFloat32(name: string, vector: Vector): NumberColumn {
  const column = readNumbers(name, 'float', vector);
  const values = column.values;
  for (let row = 0; row < values.length; row++) values[row] = float32Decimal(values[row]!);
  return column;
}

/** Float16 and anything else without a plain numeric buffer: through Arrow's own getter (rare types only). */
function readNumbersByGet(name: string, typeName: string, vector: Vector): NumberColumn {
  const n = vector.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  let anyNull = false;
  for (let row = 0; row < n; row++) {
    const v = vector.get(row) as number | null;
    if (v === null) anyNull = true;
    else {
      valid[row] = 1;
      values[row] = Number(v);
    }
  }
  return new NumberColumn(name, typeName, false, values, anyNull ? valid : null);
}

const POW10: number[] = Array.from({ length: 23 }, (_, k) => 10 ** k); // 10^0..10^22 are exact doubles

/** Decimal value at word index `at` (little-endian two's complement, `stride` 32-bit words) as the nearest double. */
function decimalAt(w: Uint32Array, at: number, stride: number, scale: number): number {
  // Fast path: the unscaled integer is a safe integer and 10^scale is exact, so one IEEE division gives the double
  // nearest to the exact decimal (division is correctly rounded).
  let unscaled: number | undefined;
  if (stride === 1) unscaled = w[at]! | 0;
  else {
    const hi = w[at + 1]! | 0;
    const ext = hi < 0 ? 0xffffffff : 0;
    let extended = hi >= -0x200000 && hi < 0x200000;
    for (let k = 2; extended && k < stride; k++) extended = w[at + k] === ext;
    if (extended) unscaled = hi * TWO_32 + w[at]!;
  }
  if (unscaled !== undefined && Number.isSafeInteger(unscaled) && scale >= 0 && scale <= 22) {
    return scale === 0 ? unscaled : unscaled / POW10[scale]!;
  }
  // Slow path: the exact decimal text, one correctly rounded parse.
  return Number(decimalText(w, at, stride, scale));
}

/** Decimal(p, s): numbers as decimalAt rounds them, the exact text kept for a text read (DecimalColumn). */
function readDecimal(name: string, vector: Vector): DecimalColumn {
  const type = vector.type as { scale: number; precision: number; bitWidth: number };
  const stride = type.bitWidth / 32;
  const n = vector.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  const words = new Uint32Array(n * stride);
  let anyNull = false;
  let base = 0;
  for (const data of vector.data) {
    anyNull = readValidity(data, valid, base) || anyNull;
    const w = data.values as Uint32Array;
    words.set(w.subarray(0, data.length * stride), base * stride);
    for (let i = 0; i < data.length; i++) {
      if (valid[base + i] === 1) values[base + i] = decimalAt(w, i * stride, stride, type.scale);
    }
    base += data.length;
  }
  return new DecimalColumn(name, `decimal(${type.precision},${type.scale})`, values, anyNull ? valid : null, words, stride, type.scale);
}

function readBool(name: string, vector: Vector): BoolColumn {
  const n = vector.length;
  const out = new Uint8Array(n);
  const valid = new Uint8Array(n);
  let base = 0;
  for (const data of vector.data) {
    readValidity(data, valid, base);
    const bits = data.values as Uint8Array; // not sliced for Bool: index by offset + i
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      out[base + i] = valid[base + i] === 0 ? 2 : (bits[bit >> 3]! >> (bit & 7)) & 1;
    }
    base += data.length;
  }
  return new BoolColumn(name, 'bool', out);
}

/** Local calendar date of an instant (epoch ms) in a time zone: an IANA name or a fixed offset `±HH:MM`. */
function zonedDayOf(timeZone: string): (ms: number) => number {
  const zone = timeZone.trim();
  if (/^(utc|etc\/utc|z|gmt|etc\/gmt|[+-]00:?00)$/i.test(zone)) return (ms) => floorDiv(ms, MS_PER_DAY);
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (fixed) {
    const offsetMs = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    return (ms) => floorDiv(ms + offsetMs, MS_PER_DAY);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' });
  } catch {
    throw new UnsupportedColumnError(`time zone ${timeZone}`, 'a timestamp with a known time zone (an IANA name such as Europe/London, or ±HH:MM)');
  }
  const cache = new Map<number, number>();
  return (ms) => {
    // Intl (like Date) takes instants within ±8.64e15 ms (ECMA-262 §21.4.1.1, ±100,000,000 days) and throws a
    // RangeError beyond: such an instant is far outside MIN_DATE..MAX_DATE, and its UTC day stands for it (the zone's
    // offset, under a day, changes nothing about its rejection when read, FieldReader.date)
    if (!(Math.abs(ms) <= 8.64e15)) return floorDiv(ms, MS_PER_DAY);
    let day = cache.get(ms);
    if (day === undefined) {
      let year = 0;
      let month = 0;
      let dayOfMonth = 0;
      for (const part of format.formatToParts(ms)) {
        if (part.type === 'year') year = Number(part.value);
        else if (part.type === 'month') month = Number(part.value);
        else if (part.type === 'day') dayOfMonth = Number(part.value);
      }
      day = fromYmd(year, month, dayOfMonth);
      cache.set(ms, day);
    }
    return day;
  };
}

const UNIT_PER_MS: Record<number, number> = { [TimeUnit.SECOND]: 1 / 1000, [TimeUnit.MILLISECOND]: 1, [TimeUnit.MICROSECOND]: 1000, [TimeUnit.NANOSECOND]: 1_000_000 };
const UNIT_NAME: Record<number, string> = { [TimeUnit.SECOND]: 's', [TimeUnit.MILLISECOND]: 'ms', [TimeUnit.MICROSECOND]: 'us', [TimeUnit.NANOSECOND]: 'ns' };
const UNIT_WORDS: Record<number, string> = { [TimeUnit.SECOND]: 'seconds', [TimeUnit.MILLISECOND]: 'milliseconds', [TimeUnit.MICROSECOND]: 'microseconds', [TimeUnit.NANOSECOND]: 'nanoseconds' };

/**
 * The stored value of a date cell outside MIN_DATE..MAX_DATE as the message shows it: type, raw value, unit and the
 * year it falls in (DuckDB's `'infinity'::DATE` is date32 2147483647; nanoseconds under a millisecond unit fall in
 * the year 56 million).
 */
function rawDate(typeName: string, raw: string, unitWords: string, day: number): string {
  return `${typeName} ${raw} (${unitWords} since 1970-01-01: the year ${toYmd(day).year})`;
}

/**
 * Date32 (days), Date64 (ms) and Timestamp (s/ms/us/ns, optional time zone) → day serials. `zoneHint`: the zone the
 * writer gave the column (Parquet's embedded Arrow schema), taken when the decoded type says UTC or nothing. Cells
 * outside 0001-01-01..9999-12-31 keep their day serial and have their stored value in `rawDates`: FieldReader.date
 * rejects them naming it (a date that far out is an open-ended marker or a unit mix-up, and the calendar arithmetic
 * downstream is only meant for real dates).
 */
function readDates(name: string, vector: Vector, zoneHint?: string): NumberColumn {
  const type = vector.type as DataType & { unit: number; timezone?: string | null };
  const n = vector.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  const rawDates = new Map<number, string>();
  if (DataType.isDate(type) && type.unit === 0) {
    // Date32: already days since 1970-01-01.
    let anyNull = false;
    let base = 0;
    for (const data of vector.data) {
      anyNull = readValidity(data, valid, base) || anyNull;
      values.set(data.values as Int32Array, base);
      base += data.length;
    }
    for (let row = 0; row < n; row++) {
      const day = values[row]!;
      if (valid[row] === 1 && (day < MIN_DATE || day > MAX_DATE)) rawDates.set(row, rawDate('date32', String(day), 'days', day));
    }
    return new NumberColumn(name, 'date32', true, values, anyNull ? valid : null, undefined, rawDates);
  }
  const isTimestamp = DataType.isTimestamp(type);
  const unitPerMs = isTimestamp ? UNIT_PER_MS[type.unit]! : 1;
  const decodedZone = isTimestamp ? type.timezone : null;
  const utcOrNone = !decodedZone || /^(utc|etc\/utc|z|gmt|etc\/gmt|[+-]00:?00)$/i.test(decodedZone.trim());
  const timeZone = isTimestamp ? (zoneHint && utcOrNone ? zoneHint : decodedZone) : null;
  const dayOf = timeZone ? zonedDayOf(timeZone) : (ms: number) => floorDiv(ms, MS_PER_DAY);
  // Raw storage as exact numbers where safe; nanosecond instants (~1.6e18) are not, and go through BigInt.
  const bigMs = new Map<number, number>();
  const bigRaw = new Map<number, bigint>();
  const unitPerMsBig = BigInt(Math.max(1, unitPerMs));
  const anyNull = read64(vector, true, values, valid, (row, v) => {
    bigRaw.set(row, v);
    bigMs.set(row, Number(unitPerMs >= 1 ? bigFloorDiv(v, unitPerMsBig) : v * 1000n));
  });
  // a UTC or zone-less timestamp, or a date64, with a time of day: its first row, for FieldReader.date's warning
  const kind: TimeOfDay['kind'] | undefined = !isTimestamp ? 'date64' : !timeZone ? 'naive' : /^(utc|etc\/utc|z|gmt|etc\/gmt|[+-]00:?00)$/i.test(timeZone.trim()) ? 'utc' : undefined;
  const typeName = isTimestamp ? `timestamp[${UNIT_NAME[type.unit]}${timeZone ? `, ${timeZone}` : ''}]` : 'date64';
  let timeOfDay: TimeOfDay | undefined;
  for (let row = 0; row < n; row++) {
    if (valid[row] === 0) continue;
    const raw = values[row]!;
    const ms = Number.isNaN(raw) ? bigMs.get(row)! : unitPerMs >= 1 ? floorDiv(raw, unitPerMs) : raw * 1000;
    const day = dayOf(ms);
    values[row] = day;
    if (day < MIN_DATE || day > MAX_DATE) {
      // rejected when read (its own error): not the time-of-day warning's first cell
      const stored = Number.isNaN(raw) ? bigRaw.get(row)!.toString() : String(raw);
      rawDates.set(row, rawDate(typeName, stored, isTimestamp ? UNIT_WORDS[type.unit]! : 'milliseconds', Math.floor(day)));
      continue;
    }
    if (kind && timeOfDay === undefined && ms - floorDiv(ms, MS_PER_DAY) * MS_PER_DAY !== 0) {
      timeOfDay = { row, instant: new Date(ms).toISOString(), kind };
    }
  }
  return new NumberColumn(name, typeName, true, values, anyNull ? valid : null, timeOfDay, rawDates);
}

/** Dictionary<T>: the dictionary converted once per chunk, then looked up by index. */
function readDictionary(name: string, vector: Vector): CellColumn {
  const out: Cell[] = new Array<Cell>(vector.length);
  const valid = new Uint8Array(vector.length);
  let base = 0;
  let typeName = 'dictionary';
  let isDate = false;
  const converted = new Map<Vector, TabularColumn>();
  for (const data of vector.data) {
    readValidity(data, valid, base);
    const dictionary = data.dictionary as Vector;
    let values = converted.get(dictionary);
    if (!values) {
      values = arrowColumn(name, dictionary);
      converted.set(dictionary, values);
      typeName = `dictionary<${values.type}>`;
      isDate = values.isDate;
    }
    const indices = data.values as Int32Array | BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      out[base + i] = valid[base + i] === 0 ? null : values.get(Number(indices[i]));
    }
    base += data.length;
  }
  return new CellColumn(name, typeName, isDate, out);
}

/** Converts one Arrow column; throws UnsupportedColumnError (with the phrase "expected ...") for other types. */
export function arrowColumn(name: string, vector: Vector, zoneHint?: string): TabularColumn {
  const type = vector.type as DataType;
  if (DataType.isNull(type)) return new NullColumn(name);
  if (DataType.isInt(type)) {
    if (type.bitWidth === 64) return readInt64(name, vector, type.isSigned);
    return readNumbers(name, `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`, vector);
  }
  if (DataType.isFloat(type)) {
    if (type.precision === Precision.HALF) return readNumbersByGet(name, 'float16', vector);
    return type.precision === Precision.SINGLE ? readFloat32(name, vector) : readNumbers(name, 'double', vector);
  }
  if (DataType.isDecimal(type)) return readDecimal(name, vector);
  if (DataType.isBool(type)) return readBool(name, vector);
  if (DataType.isDate(type) || DataType.isTimestamp(type)) return readDates(name, vector, zoneHint);
  if (DataType.isUtf8(type)) return readStrings(name, 'string', vector);
  if (DataType.isLargeUtf8(type)) return readStrings(name, 'large_string', vector);
  if (DataType.isBinary(type)) return readStrings(name, 'binary', vector);
  if (DataType.isLargeBinary(type)) return readStrings(name, 'large_binary', vector);
  if (DataType.isUtf8View(type)) return readStringsByGet(name, 'string_view', vector);
  if (DataType.isDictionary(type)) return readDictionary(name, vector);
  throw new UnsupportedColumnError(
    `Arrow type ${String(type)}`,
    'a column of text, numbers, booleans, dates or timestamps (this type is not supported)',
  );
}
