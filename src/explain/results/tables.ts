/**
 * Finding and reading the tables of earlier runs for `xva explain --results DIR`: a folder holding the outputs of
 * `xva simulate`, `cva`, `fva`, `capital`, `margin` and `optimize` (`--out`), in the folder itself or in its
 * subfolders (one level, or two: a nightly batch's dated folders). Arrow IPC or Parquet, by the stable file and
 * column names of docs/simulation.md, docs/xva.md, docs/capital.md, docs/margin.md and docs/optimize.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeArrowIpc } from '../../io/arrowIpc.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { XvaInputError } from '../../errors.js';

/** A shard's folder (`xva simulate --shard K/N`): a part of a run, to be merged, never read as a run. */
const SHARD_FOLDER = /^shard-\d+-of-\d+$/;

/**
 * Every table file under `dir` (itself and two levels of subfolders), by name without extension; first found wins.
 * Shard folders are not read: their names go to `shards`.
 */
export function indexTables(dir: string, shards: string[] = []): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (folder: string, depth: number): void => {
    const entries = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(folder, e.name);
      if (e.isFile()) {
        const m = /^(.*)\.(arrow|parquet)$/.exec(e.name);
        if (!m || e.name.startsWith('.')) continue;
        const list = found.get(m[1]!) ?? [];
        list.push(full);
        found.set(m[1]!, list);
      } else if (e.isDirectory() && SHARD_FOLDER.test(e.name)) shards.push(path.relative(dir, full) || e.name);
      else if (e.isDirectory() && depth < 2 && !e.name.startsWith('.') && e.name !== 'amended') visit(full, depth + 1);
    }
  };
  visit(dir, 0);
  return found;
}

export interface ReadTable {
  file: string;
  table: Table;
  rows: number;
  /** The column as numbers (null kept as NaN) or strings; an XvaInputError names file and column when missing. */
  num(column: string): Float64Array;
  str(column: string): (string | null)[];
  bool(column: string): boolean[];
  has(column: string): boolean;
}

export function readTableFile(file: string, root: string): ReadTable {
  const display = path.relative(root, file) || path.basename(file);
  let table: Table;
  try {
    const bytes = fs.readFileSync(file);
    table = file.endsWith('.parquet') ? tableFromIPC(readParquet(bytes).intoIPCStream()) : decodeArrowIpc(bytes);
  } catch (error) {
    throw new XvaInputError([{ file: display, value: `unreadable (${(error as Error).message})`, expected: 'an Arrow IPC or Parquet table written by xva' }]);
  }
  const column = (name: string) => {
    const v = table.getChild(name);
    if (!v) throw new XvaInputError([{ file: display, column: name, value: 'missing', expected: `the column ${name} (docs: the command's output tables)` }]);
    return v;
  };
  return {
    file: display,
    table,
    rows: table.numRows,
    has: (name) => table.getChild(name) !== null,
    num(name) {
      const v = column(name);
      const out = new Float64Array(table.numRows);
      for (let i = 0; i < table.numRows; i++) {
        const x = v.get(i);
        out[i] = x === null || x === undefined ? Number.NaN : Number(x);
      }
      return out;
    },
    str(name) {
      const v = column(name);
      const out: (string | null)[] = [];
      for (let i = 0; i < table.numRows; i++) {
        const x = v.get(i);
        out.push(x === null || x === undefined ? null : String(x));
      }
      return out;
    },
    bool(name) {
      const v = column(name);
      const out: boolean[] = [];
      for (let i = 0; i < table.numRows; i++) out.push(Boolean(v.get(i)));
      return out;
    },
  };
}

/** NaN (a null cell) as null. */
export const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
