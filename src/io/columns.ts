/**
 * Materialised columns: each column is converted once into a typed array (plus a validity mask) or a string array,
 * so that `get(row)` in the loader's loops is an array read, not an Arrow vector lookup. The Parquet reader
 * (io/parquet.ts, via io/arrowColumn.ts) and the CSV reader (io/csv.ts) build these.
 */
import type { Cell, TabularColumn, TabularFile, TimeOfDay } from './table.js';
import { XvaInputError, type InputIssue } from '../errors.js';
import { decimalText } from './arrowBuffers.js';

/** Numbers (and day serials when `isDate`). `valid[row] === 0` marks a null; `valid` is null when nothing is null. */
export class NumberColumn implements TabularColumn {
  constructor(
    readonly name: string,
    readonly type: string,
    readonly isDate: boolean,
    readonly values: Float64Array,
    readonly valid: Uint8Array | null,
    readonly timeOfDay?: TimeOfDay,
    readonly rawDates?: ReadonlyMap<number, string>,
  ) {}

  get(row: number): Cell {
    if (this.valid !== null && this.valid[row] === 0) return null;
    return this.values[row]!;
  }
}

/**
 * 64-bit integers. Cells within ±(2^53 - 1) are exact numbers; a cell beyond cannot be held exactly as a number, so
 * `get` gives it as text `"<exact digits> (int64 outside ±2^53, not exact as a number)"`: the loader's number checks
 * reject it with that sentence. The column's type is then `int64 (out of range)` (or `uint64 (out of range)`). Read as
 * text (`text`: an identifier), every cell is its exact digits.
 */
export class Int64Column implements TabularColumn {
  readonly isDate = false;
  /** `outOfRange`: the exact digits of the cells beyond ±(2^53 - 1), by row. */
  constructor(
    readonly name: string,
    readonly type: string,
    readonly values: Float64Array,
    readonly valid: Uint8Array | null,
    readonly outOfRange: ReadonlyMap<number, string>,
  ) {}

  get(row: number): Cell {
    if (this.valid !== null && this.valid[row] === 0) return null;
    if (this.outOfRange.size > 0) {
      const digits = this.outOfRange.get(row);
      if (digits !== undefined) return `${digits} (${this.type.startsWith('uint') ? 'uint64' : 'int64'} outside ±2^53, not exact as a number)`;
    }
    return this.values[row]!;
  }

  text(row: number): string | null {
    if (this.valid !== null && this.valid[row] === 0) return null;
    return this.outOfRange.get(row) ?? String(this.values[row]!);
  }
}

/**
 * Decimal(p, s): `get` gives the double nearest to each value (a number read); `text` its exact decimal text from the
 * stored words (a text read: a DECIMAL(19,0) identifier beyond 2^53 as a double would be another id, or two ids one).
 */
export class DecimalColumn extends NumberColumn {
  constructor(
    name: string,
    type: string,
    values: Float64Array,
    valid: Uint8Array | null,
    private readonly words: Uint32Array,
    private readonly stride: number,
    private readonly scale: number,
  ) {
    super(name, type, false, values, valid);
  }

  text(row: number): string | null {
    if (this.valid !== null && this.valid[row] === 0) return null;
    return decimalText(this.words, row * this.stride, this.stride, this.scale);
  }
}

/** Booleans: 0 = false, 1 = true, 2 = null. */
export class BoolColumn implements TabularColumn {
  readonly isDate = false;
  constructor(
    readonly name: string,
    readonly type: string,
    readonly values: Uint8Array,
  ) {}

  get(row: number): Cell {
    const v = this.values[row];
    return v === 2 ? null : v === 1;
  }
}

/** Text (or any cells already converted, e.g. a dictionary's values); null for null. */
export class CellColumn implements TabularColumn {
  constructor(
    readonly name: string,
    readonly type: string,
    readonly isDate: boolean,
    readonly values: readonly Cell[],
  ) {}

  get(row: number): Cell {
    return this.values[row] ?? null;
  }
}

/** A column of Arrow type Null: every cell is null. */
export class NullColumn implements TabularColumn {
  readonly isDate = false;
  readonly type = 'null';
  constructor(readonly name: string) {}

  get(): Cell {
    return null;
  }
}

/** A table of already-materialised columns, looked up by name (what the CSV and Parquet readers return). */
export class MaterialisedTable implements TabularFile {
  private readonly byName: Map<string, TabularColumn>;
  /**
   * `unreadable`: columns of a type no reader converts (a UUID as FixedSizeBinary, a TIME, a struct), each with its
   * issue: asking for one throws that issue, so a column the loader reads names its type, and a column nobody reads
   * (an extra column a writer added: a warning, ignored) does not stop the table.
   */
  constructor(
    readonly format: TabularFile['format'],
    readonly file: string,
    readonly numRows: number,
    readonly columnNames: readonly string[],
    columns: readonly TabularColumn[],
    private readonly unreadable: ReadonlyMap<string, InputIssue> = new Map(),
  ) {
    this.byName = new Map(columns.map((c) => [c.name, c]));
  }

  column(name: string): TabularColumn | undefined {
    const issue = this.unreadable.get(name);
    if (issue) throw new XvaInputError([issue]);
    return this.byName.get(name);
  }
}
