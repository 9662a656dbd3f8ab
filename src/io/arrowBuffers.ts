/**
 * Low-level reads of Arrow buffers shared by the column converters (io/arrowColumn.ts, io/arrowStrings.ts):
 * validity bitmaps, 64-bit integers as exact numbers, exact integer floor division.
 * Arrow buffers are little-endian, as are the typed arrays of every platform Node runs on.
 */
import type { Data, Vector } from 'apache-arrow';

export const TWO_32 = 4294967296;
export const MS_PER_DAY = 86_400_000;

/** Thrown (and caught by io/parquet.ts) for a column the reader cannot turn into cells; the message says what was expected. */
export class UnsupportedColumnError extends Error {
  constructor(
    readonly found: string,
    expected: string,
  ) {
    super(expected);
    this.name = 'UnsupportedColumnError';
  }
}

/** Fills `valid[base + i]` (0 = null) from a chunk's validity bitmap; returns whether the chunk had any null. */
export function readValidity(data: Data, valid: Uint8Array, base: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) {
    valid.fill(1, base, base + data.length);
    return false;
  }
  const offset = data.offset;
  for (let i = 0; i < data.length; i++) {
    const bit = offset + i;
    valid[base + i] = (bitmap[bit >> 3]! >> (bit & 7)) & 1;
  }
  return true;
}

/** Exact floor division of a safe integer by a positive integer. */
export function floorDiv(value: number, divisor: number): number {
  const rem = value % divisor;
  const quotient = (value - rem) / divisor;
  return rem < 0 ? quotient - 1 : quotient;
}

export function bigFloorDiv(value: bigint, divisor: bigint): bigint {
  const q = value / divisor; // truncates toward zero
  return value < 0n && q * divisor !== value ? q - 1n : q;
}

/** 64-bit words of a chunk's values (BigInt64Array / BigUint64Array) as 32-bit halves. */
export function words64(data: Data): Uint32Array {
  const values = data.values as BigInt64Array;
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

/**
 * Int64/Uint64 (and the raw storage of Date64/Timestamp): fills `out` with exact numbers where |v| ≤ 2^53 - 1 and
 * calls `unsafe(row, bigint)` for the rest.
 */
export function read64(vector: Vector, signed: boolean, out: Float64Array, valid: Uint8Array, unsafe: (row: number, v: bigint) => void): boolean {
  let anyNull = false;
  let base = 0;
  for (const data of vector.data) {
    anyNull = readValidity(data, valid, base) || anyNull;
    const w = words64(data);
    for (let i = 0; i < data.length; i++) {
      const lo = w[2 * i]!;
      const hi = signed ? w[2 * i + 1]! | 0 : w[2 * i + 1]!;
      const value = hi * TWO_32 + lo; // exact whenever the true value is a safe integer
      if (Number.isSafeInteger(value) || valid[base + i] === 0) out[base + i] = value;
      else {
        out[base + i] = NaN;
        unsafe(base + i, (data.values as BigInt64Array)[i]!);
      }
    }
    base += data.length;
  }
  return anyNull;
}

/**
 * The exact decimal text of a Decimal(p, s) value at word index `at` (little-endian two's complement, `stride` 32-bit
 * words): the unscaled integer as BigInt, the point placed `scale` digits from the right, as the writer's decimal
 * prints it (DuckDB, pyarrow: 12.50 for Decimal(4, 2), trailing zeros kept).
 */
export function decimalText(w: Uint32Array, at: number, stride: number, scale: number): string {
  let big = 0n;
  for (let k = stride - 1; k >= 0; k--) big = (big << 32n) | BigInt(w[at + k]!);
  big = BigInt.asIntN(32 * stride, big);
  const negative = big < 0n;
  let digits = (negative ? -big : big).toString();
  let text: string;
  if (scale <= 0) text = digits + '0'.repeat(-scale);
  else {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${text}` : text;
}
