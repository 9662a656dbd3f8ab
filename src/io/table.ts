/**
 * One shape for every tabular input, whatever the file format: a table of named columns whose cells are already
 * normalised (nulls as null; Parquet DATE/TIMESTAMP as day serials; int64/decimal as numbers). Parquet and CSV
 * readers (io/parquet.ts, io/csv.ts) produce it; the portfolio loader reads it through `FieldReader`, which checks
 * every cell and records problems with file, row, column and value.
 */
import { MAX_DATE, MIN_DATE, parseIsoDate, toIsoDate, type DateSerial } from '../conventions/dates.js';
import { XvaInputError, type IssueCollector } from '../errors.js';

export type Cell = string | number | boolean | null;

/** The first time of day other than midnight in a date column read from instants (TabularColumn.timeOfDay). */
export interface TimeOfDay {
  row: number;
  instant: string;
  /** 'utc': a timestamp in UTC; 'naive': a timestamp without a time zone; 'date64': an Arrow date64 (whole days by its spec). */
  kind: 'utc' | 'naive' | 'date64';
}

export interface TabularColumn {
  readonly name: string;
  /** Physical type for messages, e.g. `string`, `double`, `int64`, `date32`, `timestamp[us]`, `bool`, `csv text`. */
  readonly type: string;
  /** True for Parquet DATE/TIMESTAMP columns: `get` returns a day serial (days since 1970-01-01). */
  readonly isDate: boolean;
  /**
   * A timestamp column in UTC or without a time zone, or an Arrow date64 column, holding a time of day other than
   * midnight: its first such row (0-based), its instant (ISO) and which of the three it is. Its dates are the UTC
   * (or, zone-less, the written) dates of the instants, which for local midnights stored as UTC instants east of UTC
   * are the days before (FieldReader.date warns once per column).
   */
  readonly timeOfDay?: TimeOfDay;
  /**
   * A date column's cells outside 0001-01-01..9999-12-31 (MIN_DATE..MAX_DATE), by 0-based row: the value as stored
   * (type, raw value, unit, year) for FieldReader.date's message.
   */
  readonly rawDates?: ReadonlyMap<number, string>;
  /** Normalised cell at a 0-based row: null for null (Parquet) or empty (CSV). */
  get(row: number): Cell;
  /**
   * The cell as exact text, where `get`'s number is not exact (int64 beyond ±2^53, decimals): what a text read (an
   * identifier) takes, so that a 19-digit id stays those digits. Absent: String(get(row)).
   */
  text?(row: number): string | null;
}

export interface TabularFile {
  /** File name as shown in messages (relative to the portfolio folder when read from one). */
  readonly file: string;
  readonly format: 'parquet' | 'csv' | 'arrow';
  readonly numRows: number;
  readonly columnNames: readonly string[];
  column(name: string): TabularColumn | undefined;
}

interface FieldOptions {
  /** Missing and null cells are an error. */
  required?: boolean;
}

function describe(cell: Cell): string {
  return cell === null ? '' : String(cell);
}

/** What a date cell outside MIN_DATE..MAX_DATE was expected to be. */
const DATE_RANGE = 'a date from 0001-01-01 to 9999-12-31 (the dates a CSV date YYYY-MM-DD can hold; an open-ended date such as DuckDB\'s infinity, or a timestamp in another unit than its column\'s, is not one)';

/** Strict decimal number syntax: no thousands separators, no NaN/Infinity, no trailing text. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The columns of `table` that are not in `known`: one issue naming them (a warning by default: they are ignored), and
 * an error for each one that is a known column's name in another case or with blanks (`CSA` for `csa`), whose values
 * would otherwise be ignored without a word about why (every CSA of a book switched off by a header's case).
 * Returns those columns by the known name they stand for: a FieldReader given them (readAs) reads their cells under
 * that name, so that the one error is all the header costs (no "no such column" for it, nor a problem of every row
 * that needs it), and the cells' own problems are found in the same pass.
 */
export function reportUnknownColumns(
  table: TabularFile,
  known: readonly string[],
  issues: IssueCollector,
  unknownIssue: { value: string; expected: string; severity?: 'warning' },
): Map<string, string> {
  const unknown = table.columnNames.filter((c) => !known.includes(c));
  const rest: string[] = [];
  const variants = new Map<string, string>();
  for (const c of unknown) {
    const meant = known.find((k) => k !== c && c.trim().toLowerCase() === k.toLowerCase() && !table.columnNames.includes(k));
    if (meant === undefined) rest.push(c);
    else {
      issues.add({ file: table.file, column: c, value: 'a column name in another case or with blanks', expected: `the column name ${meant} (names are lower case, as written: read as it is, the column would be ignored)` });
      if (!variants.has(meant)) variants.set(meant, c);
    }
  }
  if (rest.length > 0) issues.add({ file: table.file, column: rest.join(', '), value: unknownIssue.value, expected: unknownIssue.expected, ...(unknownIssue.severity ? { severity: unknownIssue.severity } : {}) });
  return variants;
}

/**
 * Typed, checked access to the cells of one table. Getters return undefined when a value is absent or wrong and
 * record an issue in the collector (wrong values always; absent values when `required`).
 */
export class FieldReader {
  constructor(
    readonly table: TabularFile,
    readonly issues: IssueCollector,
  ) {}

  /** Date columns whose time-of-day warning was given (date). */
  private readonly timeOfDayWarned = new Set<string>();

  /** Headers read under another name (reportUnknownColumns' answer: a known column's name in another case). */
  private readonly aliases = new Map<string, string>();

  /** Reads each header of `variants` (known name → the header as written) under its known name. */
  readAs(variants: ReadonlyMap<string, string>): this {
    for (const [name, header] of variants) this.aliases.set(name, header);
    return this;
  }

  /** The names the cells of the table are read under: its headers, those of readAs by the known name they stand for. */
  readNames(): string[] {
    const known = new Map([...this.aliases].map(([name, header]) => [header, name]));
    return this.table.columnNames.map((c) => known.get(c) ?? c);
  }

  /** Columns of a type no reader converts (MaterialisedTable.column throws its issue): reported once, then absent. */
  private readonly unreadable = new Set<string>();

  /**
   * The column read under `name`; a column of an unreadable type (a FixedSizeBinary trade_id) has its issue added once
   * and is treated as absent, so that the table's other problems are still found in the same run.
   */
  private columnOf(name: string): TabularColumn | undefined {
    const header = this.aliases.get(name) ?? name;
    if (this.unreadable.has(header)) return undefined;
    try {
      return this.table.column(header);
    } catch (error) {
      if (!(error instanceof XvaInputError)) throw error;
      this.unreadable.add(header);
      for (const issue of error.issues) this.issues.add(issue);
      return undefined;
    }
  }

  /** Checks that the required columns exist; records one issue per missing column. Returns false if any is missing. */
  requireColumns(names: readonly string[]): boolean {
    let ok = true;
    for (const name of names) {
      if (!this.columnOf(name)) {
        ok = false;
        if (this.unreadable.has(this.aliases.get(name) ?? name)) continue; // its type's issue is its one error
        this.issues.add({
          file: this.table.file,
          column: name,
          expected: `a column named ${name} (columns found: ${this.table.columnNames.join(', ') || 'none'})`,
        });
      }
    }
    return ok;
  }

  has(column: string): boolean {
    return this.columnOf(column) !== undefined;
  }

  /**
   * Starts recording the columns whose cells are read (every accessor reads through `cell`), so that a caller can
   * tell which cells of a row its reader never looked at; `stopRecording` ends it.
   */
  recordReads(): ReadonlySet<string> {
    this.reads = new Set();
    return this.reads;
  }

  stopRecording(): void {
    this.reads = undefined;
  }

  private reads: Set<string> | undefined;

  cell(column: string, row: number): Cell {
    this.reads?.add(column);
    const col = this.columnOf(column);
    return col ? col.get(row) : null;
  }

  /** Columns already reported as absent (once per table, not once per row that needs them). */
  private readonly absentReported = new Set<string>();

  private missing(column: string, row: number, options: FieldOptions | undefined, what: string): undefined {
    if (!options?.required) return undefined;
    if (this.columnOf(column) === undefined) {
      // the column itself is absent: one issue for the table, naming the first row that needs it
      if (this.absentReported.has(column)) return undefined;
      this.absentReported.add(column);
      if (this.unreadable.has(this.aliases.get(column) ?? column)) return undefined; // its type's issue is its one error
      const near = this.table.columnNames.find((c) => c !== column && c.trim().toLowerCase() === column.toLowerCase());
      // that column already has its error (reportUnknownColumns: the name in another case): one error is enough
      if (near !== undefined && this.issues.issues.some((i) => i.file === this.table.file && i.column === near && i.severity !== 'warning')) return undefined;
      const hint = near !== undefined ? `; the table's column ${JSON.stringify(near)} differs only in case or blanks: column names are lower case, as written` : '';
      this.issues.add({ file: this.table.file, row: row + 1, column, value: 'no such column', expected: `a column ${column} with ${what} (this row is the first that needs it; the other rows like it are not listed)${hint}` });
      return undefined;
    }
    this.issues.add({ file: this.table.file, row: row + 1, column, expected: what });
    return undefined;
  }

  private wrong(column: string, row: number, value: string, what: string): undefined {
    this.issues.add({ file: this.table.file, row: row + 1, column, value, expected: what });
    return undefined;
  }

  /** The cell for a text read: the column's exact text where it has one (TabularColumn.text), else the cell. */
  private textCell(column: string, row: number): Cell {
    this.reads?.add(column);
    const col = this.columnOf(column);
    if (!col) return null;
    return col.text ? col.text(row) : col.get(row);
  }

  /** A non-empty string (surrounding blanks trimmed); a number column's cell as its exact text (TabularColumn.text). */
  string(column: string, row: number, options?: FieldOptions): string | undefined {
    const cell = this.textCell(column, row);
    if (cell === null) return this.missing(column, row, options, 'a non-empty text value');
    const text = String(cell).trim();
    if (text === '') return this.missing(column, row, options, 'a non-empty text value');
    return text;
  }

  /** One of the allowed values (exact match after trimming; case-insensitive when `ignoreCase`). */
  oneOf<T extends string>(
    column: string,
    row: number,
    allowed: readonly T[],
    options?: FieldOptions & { ignoreCase?: boolean },
  ): T | undefined {
    const text = this.string(column, row, options);
    if (text === undefined) return undefined;
    const found = options?.ignoreCase
      ? allowed.find((a) => a.toLowerCase() === text.toLowerCase())
      : allowed.find((a) => a === text);
    if (found === undefined) return this.wrong(column, row, text, `one of ${allowed.join(', ')}`);
    return found;
  }

  /**
   * A text value that `parse` maps to its canonical form; a value it refuses (undefined) is reported with `expected`.
   */
  parsed<T>(column: string, row: number, parse: (text: string) => T | undefined, expected: string, options?: FieldOptions): T | undefined {
    const text = this.string(column, row, options);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value === undefined) return this.wrong(column, row, text, expected);
    return value;
  }

  /** A finite number within optional bounds. Text cells must be plain decimals (no NaN, Infinity or `1,000`). */
  number(
    column: string,
    row: number,
    options?: FieldOptions & { min?: number; max?: number; integer?: boolean; positive?: boolean; what?: string },
  ): number | undefined {
    const cell = this.cell(column, row);
    const what = options?.what ?? 'a number';
    if (cell === null || (typeof cell === 'string' && cell.trim() === '')) return this.missing(column, row, options, what);
    let value: number;
    // the value as the file has it (a CSV cell's text: 1e400, not Infinity; 0.10, not 0.1), a Parquet number as JS writes it
    let shown: string;
    if (typeof cell === 'number') {
      value = cell;
      shown = String(cell);
    } else if (typeof cell === 'string') {
      shown = cell.trim();
      if (!NUMBER.test(shown)) return this.wrong(column, row, shown, what);
      value = Number(shown);
    } else return this.wrong(column, row, describe(cell), what);
    if (!Number.isFinite(value)) return this.wrong(column, row, shown, `${what} (finite)`);
    if (options?.integer && !Number.isInteger(value)) return this.wrong(column, row, shown, `${what} (a whole number)`);
    if (options?.positive && !(value > 0)) return this.wrong(column, row, shown, `${what} greater than 0`);
    // a `what` that states its own bound ("an amount >= 0") is not given it twice
    if (options?.min !== undefined && value < options.min)
      return this.wrong(column, row, shown, /(>=|≥|at least|greater than)/.test(what) ? what : `${what} of at least ${options.min}`);
    if (options?.max !== undefined && value > options.max)
      return this.wrong(column, row, shown, /(<=|≤|at most|less than)/.test(what) ? what : `${what} of at most ${options.max}`);
    return value;
  }

  /** A date: a Parquet DATE/TIMESTAMP cell or ISO `YYYY-MM-DD` text. */
  date(column: string, row: number, options?: FieldOptions): DateSerial | undefined {
    const col = this.columnOf(column);
    const cell = this.cell(column, row);
    if (cell === null || (typeof cell === 'string' && cell.trim() === ''))
      return this.missing(column, row, options, 'a date (YYYY-MM-DD)');
    if (col?.isDate && typeof cell === 'number') {
      // the dates a CSV can write: DuckDB's 'infinity'::DATE or nanoseconds under a millisecond unit are not dates of a
      // trade, and the schedule arithmetic on them ran out of memory
      if (!(cell >= MIN_DATE && cell <= MAX_DATE)) {
        return this.wrong(column, row, col.rawDates?.get(row) ?? `${col.type} ${cell} days since 1970-01-01`, DATE_RANGE);
      }
      const t = col.timeOfDay;
      if (t && !this.timeOfDayWarned.has(column)) {
        this.timeOfDayWarned.add(column);
        this.issues.add({
          file: this.table.file,
          row: t.row + 1,
          column,
          value: `${t.kind === 'date64' ? 'a date64 (whole days by Arrow\'s spec)' : t.kind === 'naive' ? 'a timestamp without a time zone' : 'a timestamp'} with a time of day, ${t.kind === 'naive' ? t.instant.replace(/Z$/, '') : t.instant} (the first in the column)`,
          expected:
            t.kind === 'naive'
              ? 'dates (DATE) or timestamps at midnight: the column is read as the timestamps\' own dates, so local midnights converted to UTC east of UTC and then stored without their zone read as the days before; write the dates as DATE or give the timestamps their time zone'
              : `dates (DATE) or ${t.kind === 'date64' ? 'date64 values at midnight' : 'timestamps at midnight'}: the column is read as the instants' UTC dates, so local midnights stored as UTC instants by a writer east of UTC (a TIMESTAMPTZ of DuckDB or Spark) read as the days before; write the dates as DATE${t.kind === 'date64' ? '' : ' or give the timestamps their time zone'}`,
          severity: 'warning',
        });
      }
      return cell;
    }
    if (typeof cell === 'string') {
      const serial = parseIsoDate(cell);
      if (serial === undefined) return this.wrong(column, row, cell.trim(), 'a date (YYYY-MM-DD)');
      return serial;
    }
    return this.wrong(column, row, describe(cell), 'a date (YYYY-MM-DD)');
  }

  /** A boolean: Parquet BOOLEAN, or text true/false/yes/no/1/0/Y/N (any case). */
  boolean(column: string, row: number, options?: FieldOptions): boolean | undefined {
    const cell = this.cell(column, row);
    if (cell === null || (typeof cell === 'string' && cell.trim() === ''))
      return this.missing(column, row, options, 'true or false');
    if (typeof cell === 'boolean') return cell;
    const text = String(cell).trim().toLowerCase();
    if (['true', 'yes', 'y', '1', 't'].includes(text)) return true;
    if (['false', 'no', 'n', '0', 'f'].includes(text)) return false;
    return this.wrong(column, row, String(cell), 'true or false');
  }
}

export { toIsoDate };
