/**
 * CSV → TabularFile, following RFC 4180: comma-separated fields, optional double quotes around a field (which may
 * then hold commas, line breaks and doubled quotes ""), CRLF or LF line ends, and a header row of column names.
 * A UTF-8 byte-order mark (as Excel writes) is skipped. Cells are trimmed strings; an empty cell is null. Blank
 * lines are skipped. Problems are reported with file, data row (header not counted) and the line in the file.
 */
import { IssueCollector, XvaInputError } from '../errors.js';
import { CellColumn, MaterialisedTable } from './columns.js';
import type { Cell, TabularColumn, TabularFile } from './table.js';

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

function fileIssue(file: string, value: string, expected: string): XvaInputError {
  return new XvaInputError([{ file, value, expected }]);
}

/**
 * Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629 §4: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or the length.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    // the second byte's range after E0, ED, F0 and F4 (the table of RFC 3629 §4); 80..BF otherwise
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (k === 1 ? c < lo || c > hi : (c & 0xc0) !== 0x80)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/** The 1-based line (LF, CRLF or CR line ends, as the scanner reads them) and byte within it of offset `at`. */
function lineAndByte(bytes: Uint8Array, at: number): { line: number; byte: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at; i++) {
    const b = bytes[i]!;
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      start = i + 1;
    }
  }
  return { line, byte: at - start + 1 };
}

/** Bytes → text: UTF-8 only (with or without BOM); anything else is a file-level error. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileIssue(file, 'UTF-16 text', 'a UTF-8 CSV file (save it as "CSV UTF-8")');
  }
  // another kind of file under a .csv name: said as such (it would read as text that is not UTF-8)
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw fileIssue(file, 'a gzip-compressed file', 'a plain UTF-8 CSV file (decompress it first)');
  if (bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) throw fileIssue(file, 'a Parquet file named .csv', 'a UTF-8 CSV file, or the file renamed to .parquet');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    if (at >= bytes.length) throw fileIssue(file, 'text that is not valid UTF-8', 'a UTF-8 CSV file (save it as "CSV UTF-8")');
    const { line, byte } = lineAndByte(bytes, at);
    const shown = Array.from(bytes.subarray(at, Math.min(at + 4, bytes.length)), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw fileIssue(file, `text that is not valid UTF-8 (line ${line}, byte ${byte} of the line: 0x${shown}, e.g. an accented letter saved as Latin-1, Windows-1252 or Mac Roman)`, 'a UTF-8 CSV file (save it as "CSV UTF-8")');
  }
}

/**
 * Record-by-record scanner. `next()` fills `fields` with one record's raw (untrimmed for quoted content) fields and
 * returns false at the end of the text. `line` is the 1-based line where the last record started.
 */
class CsvScanner {
  pos = 0;
  lineNo = 1;
  line = 1;
  readonly fields: string[] = [];
  /** Set when a quoted field runs to the end of the file: the line where its quote opened. */
  unterminatedAt: number | undefined;
  /**
   * This record's quoted fields followed by text before the comma (`"abc"x`, or `"a";"b"` of a file separated by
   * semicolons): the field's index, its raw text from the opening quote and the line the text is on.
   */
  readonly strayFields: { index: number; raw: string; line: number }[] = [];
  /** Offsets of this record's text: from its first character to its line end (excluded). */
  recordStart = 0;
  recordEnd = 0;
  /** Indices of this record's unquoted fields holding a double quote (e.g. `Acme 5" Corp`, or `x "y"`). */
  readonly bareQuoteFields: number[] = [];

  constructor(private readonly text: string) {}

  next(): boolean {
    const text = this.text;
    const n = text.length;
    this.fields.length = 0;
    this.bareQuoteFields.length = 0;
    this.strayFields.length = 0;
    if (this.pos >= n) return false;
    this.line = this.lineNo;
    this.recordStart = this.pos;
    for (;;) {
      // Leading blanks before an opening quote are tolerated.
      let p = this.pos;
      while (p < n && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB)) p++;
      let field: string;
      if (p < n && text.charCodeAt(p) === QUOTE) {
        const openLine = this.lineNo;
        const open = p;
        let value = '';
        let from = p + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) {
            this.unterminatedAt = openLine;
            this.pos = n;
            return false;
          }
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) this.lineNo++;
        field = value;
        // After the closing quote only blanks may come before the comma or line end.
        let stray = false;
        while (p < n) {
          const c = text.charCodeAt(p);
          if (c === COMMA || c === LF || c === CR) break;
          if (c !== SPACE && c !== TAB) stray = true;
          p++;
        }
        if (stray) this.strayFields.push({ index: this.fields.length, raw: text.slice(open, p), line: this.lineNo });
      } else {
        p = this.pos;
        let bareQuote = false;
        while (p < n) {
          const c = text.charCodeAt(p);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) bareQuote = true;
          p++;
        }
        field = text.slice(this.pos, p);
        // RFC 4180 §2.5-2.7: a field holding a double quote must be enclosed in quotes, the quote doubled. A bare
        // quote is most often a cell whose quoting went wrong, so it is reported rather than read as text.
        if (bareQuote) this.bareQuoteFields.push(this.fields.length);
      }
      this.fields.push(field);
      this.recordEnd = p;
      if (p >= n) {
        this.pos = n;
        return true;
      }
      const c = text.charCodeAt(p);
      if (c === COMMA) {
        this.pos = p + 1;
        continue;
      }
      // CRLF, LF or a lone CR ends the record.
      this.pos = c === CR && text.charCodeAt(p + 1) === LF ? p + 2 : p + 1;
      this.lineNo++;
      return true;
    }
  }
}

/** An empty (or all-blank) line: skipped, not a row. */
function isBlank(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0]!.trim() === '';
}

/**
 * A line of separators alone (`,,,,`: every cell empty), as spreadsheets leave below the last row of a sheet saved as
 * CSV: at the end of the file skipped like blank lines; between rows a row of empty cells (a table of nulls has them).
 */
function isEmptyCells(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

/** The separator a one-field header seems to use instead of commas, if any. */
function wrongDelimiter(header: string): string | undefined {
  for (const [sep, label] of [[';', "';'"], ['\t', 'tabs'], ['|', "'|'"]] as const) {
    if (header.includes(sep)) return label;
  }
  return undefined;
}

/** Parses CSV text or bytes. `file` is the name used in messages. Throws XvaInputError listing every problem. */
export function parseCsv(input: string | Uint8Array, file: string): TabularFile {
  let text = typeof input === 'string' ? input : decodeUtf8(input, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const scanner = new CsvScanner(text);

  // Header: the first non-empty line.
  let hasHeader = false;
  while (scanner.next()) {
    if (!isBlank(scanner.fields)) {
      hasHeader = true;
      break;
    }
  }
  if (scanner.unterminatedAt !== undefined) {
    throw fileIssue(file, `a quote opened on line ${scanner.unterminatedAt} is never closed`, 'a closing double quote (")');
  }
  if (!hasHeader) throw fileIssue(file, 'an empty file', 'a header row of column names, then one row per record');
  const names = scanner.fields.map((f) => f.trim());
  if (names.length === 1) {
    // the header line as written: a quoted header of another separator (`"a";"b"`, R's write.csv2) scans as one field
    // `a` followed by stray text
    const raw = text.slice(scanner.recordStart, scanner.recordEnd).trim();
    const sep = wrongDelimiter(raw);
    if (sep !== undefined) {
      throw fileIssue(file, `header ${JSON.stringify(raw.slice(0, 80))}`, `comma-separated values; the header looks separated by ${sep}`);
    }
  }
  const issues = new IssueCollector();
  const STRAY = 'a comma or the end of the line right after a closing quote';
  for (const s of scanner.strayFields) {
    issues.add({ file, column: names[s.index] || `header column ${s.index + 1}`, value: s.raw.trim(), expected: `${STRAY} (the header, line ${s.line} of the file)` });
  }
  const firstIndex = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === '') {
      // a first column without a name is most often pandas' row index (DataFrame.to_csv without index=False)
      const hint = index === 0 && names.length > 1 ? " (a first column without a name is most often a pandas index: write the file with to_csv(..., index=False))" : '';
      issues.add({ file, value: `header column ${index + 1} has no name`, expected: `a name for every column of the header${hint}` });
      return;
    }
    const first = firstIndex.get(name);
    if (first !== undefined) {
      issues.add({
        file,
        column: name,
        value: `header columns ${first + 1} and ${index + 1} are both named ${name}`,
        expected: 'unique column names',
      });
    } else firstIndex.set(name, index);
  });

  const width = names.length;
  const columns: Cell[][] = names.map(() => []);
  let row = 0;
  type Stray = CsvScanner['strayFields'][number];
  const addRow = (fields: readonly string[], line: number, bareQuoteFields: readonly number[], stray: readonly Stray[]): void => {
    row++;
    for (const s of stray) {
      issues.add({ file, row, ...(s.index < width ? { column: names[s.index]! } : {}), value: s.raw.trim(), expected: `${STRAY} (line ${s.line} of the file)` });
    }
    if (fields.length !== width) {
      issues.add({
        file,
        row,
        value: `${fields.length} field${fields.length === 1 ? '' : 's'}`,
        expected: `${width} comma-separated fields, as many as the header has columns (line ${line} of the file)`,
      });
      return;
    }
    for (const c of bareQuoteFields) {
      issues.add({
        file,
        row,
        column: names[c]!,
        value: fields[c]!.trim(),
        expected: `a cell without double quotes, or the whole cell in double quotes with each quote inside doubled (RFC 4180; line ${line} of the file)`,
      });
    }
    for (let c = 0; c < width; c++) {
      const cell = fields[c]!.trim();
      columns[c]!.push(cell === '' ? null : cell);
    }
  };
  // rows of empty cells held until a row with a value follows (then they are rows); at the end of the file dropped
  let held: { fields: string[]; line: number; bare: number[]; stray: Stray[] }[] = [];
  while (scanner.next()) {
    const fields = scanner.fields;
    if (isBlank(fields)) continue;
    // (a row whose quoted cell has text after it is not empty: its stray text is an issue)
    if (isEmptyCells(fields) && scanner.strayFields.length === 0) {
      held.push({ fields: [...fields], line: scanner.line, bare: [...scanner.bareQuoteFields], stray: [...scanner.strayFields] });
      continue;
    }
    for (const h of held) addRow(h.fields, h.line, h.bare, h.stray);
    held = [];
    addRow(fields, scanner.line, scanner.bareQuoteFields, scanner.strayFields);
  }
  if (scanner.unterminatedAt !== undefined) {
    issues.add({
      file,
      // (rows of empty cells held before it count: the quote opened after them)
      row: row + held.length + 1,
      value: `a quote opened on line ${scanner.unterminatedAt} is never closed`,
      expected: 'a closing double quote (") before the end of the file',
    });
  }
  issues.throwIfAny();
  return new MaterialisedTable('csv', 
    file,
    row,
    names,
    names.map((name, c) => new CellColumn(name, 'csv text', false, columns[c]!)),
  );
}
