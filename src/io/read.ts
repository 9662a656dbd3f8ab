/**
 * Reading a table file: the extension picks the format (`.parquet`/`.pq` → Parquet, `.csv` → CSV, `.arrow` → Arrow
 * IPC, for a file named explicitly: a portfolio folder's tables are Parquet or CSV, findTableFile), and every failure
 * (unknown extension, missing or unreadable file, undecodable content) is an XvaInputError naming the file.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { XvaInputError } from '../errors.js';
import { parseArrowIpc } from './arrowIpc.js';
import { parseCsv } from './csv.js';
import { embeddedTimeZones, parseParquet } from './parquet.js';
import type { TabularFile } from './table.js';

const PARQUET_EXTENSIONS = ['.parquet', '.pq'];
const CSV_EXTENSIONS = ['.csv'];
const ARROW_EXTENSIONS = ['.arrow'];
const EXPECTED_FILE = 'a .parquet, .pq, .csv or .arrow file';

function fileError(file: string, value: string, expected: string): XvaInputError {
  return new XvaInputError([{ file, value, expected }]);
}

function systemReason(error: unknown, filePath: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `file not found (${filePath})`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${filePath})`;
  if (code === 'EISDIR') return `a folder, not a file (${filePath})`;
  return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Reads a Parquet, CSV or Arrow IPC table. `displayName` is how the file is named in messages (default: its base
 * name). Throws XvaInputError for anything that cannot be read as a table.
 */
export async function readTable(filePath: string, options?: { displayName?: string }): Promise<TabularFile> {
  const file = options?.displayName ?? basename(filePath);
  const extension = extname(filePath).toLowerCase();
  const format = PARQUET_EXTENSIONS.includes(extension) ? 'Parquet' : CSV_EXTENSIONS.includes(extension) ? 'CSV' : ARROW_EXTENSIONS.includes(extension) ? 'Arrow IPC' : undefined;
  if (format === undefined) {
    throw fileError(file, extension === '' ? 'a file name without extension' : `a ${extension} file`, EXPECTED_FILE);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw fileError(file, systemReason(error, filePath), `an existing, readable ${format} file`);
  }
  return format === 'Parquet' ? parseParquet(bytes, file, await embeddedTimeZones(bytes)) : format === 'CSV' ? parseCsv(bytes, file) : parseArrowIpc(bytes, file);
}

/**
 * The file holding table `baseName` in `dir`: `<baseName>.parquet`, `.pq` or `.csv`, or undefined when there is none.
 * Two candidates at once (e.g. trades.parquet and trades.csv) is an XvaInputError: which one is meant is ambiguous.
 */
export function findTableFile(dir: string, baseName: string): string | undefined {
  const names = [...PARQUET_EXTENSIONS, ...CSV_EXTENSIONS].map((ext) => `${baseName}${ext}`);
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined; // no folder: the caller reports the folder (or the missing table)
  }
  // the table's files by name in any case: a file named Collateral.parquet or trades.CSV is this table's too, and on a
  // case-sensitive file system it would otherwise be passed over without a word (an optional table then reads as absent)
  const rank = (name: string) => names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  const isFile = (name: string): boolean => {
    try {
      return statSync(join(dir, name)).isFile();
    } catch {
      // a link to nothing under the table's name: said, rather than the table taken as absent
      throw fileError(join(dir, name), 'a link whose target does not exist', `the file of table ${baseName}, or no entry of that name`);
    }
  };
  // a folder under the table's name (Spark and Hive write a table as a folder of part files, trades.parquet/part-*):
  // said, rather than the table taken as absent (a required one "missing", an optional one silently ignored)
  const folder = entries.find((name) => wanted.has(name.toLowerCase()) && !isFile(name));
  if (folder !== undefined) {
    throw fileError(
      join(dir, folder),
      'a folder, not a file (Spark and Hive write a table as a folder of part files)',
      `one file for table ${baseName} (${baseName}.parquet, .pq or .csv): write it as one file (in Spark coalesce(1) and take the part-*.parquet file, or pyarrow.parquet.write_table)`,
    );
  }
  const found = entries.filter((name) => wanted.has(name.toLowerCase()) && isFile(name)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (found.length > 1) {
    throw fileError(
      found.join(', '),
      `${found.length} files for table ${baseName} (ambiguous)`,
      `exactly one of ${baseName}.parquet, ${baseName}.pq or ${baseName}.csv; remove the others`,
    );
  }
  if (found.length === 1 && !names.includes(found[0]!)) {
    throw fileError(join(dir, found[0]!), `named in another case than table ${baseName}'s file`, `the name ${names.find((n) => n.toLowerCase() === found[0]!.toLowerCase())} (the table names are lower case; rename the file)`);
  }
  return found.length === 1 ? join(dir, found[0]!) : undefined;
}
