/**
 * Arrow IPC → TabularFile: the files xva writes itself (`--format arrow`, the default of its outputs; a CRIF saved
 * with `xva margin --write-crif crif.arrow`) read back as an input table. apache-arrow reads both IPC layouts, the
 * file (`ARROW1` at both ends, as xva writes) and the stream; the columns are converted as Parquet's are
 * (io/parquet.ts). Any failure is a file-level InputIssue "not a readable Arrow IPC file: <reason>".
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { XvaInputError } from '../errors.js';
import { tabularFromArrow } from './parquet.js';
import type { TabularFile } from './table.js';

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1" (Arrow columnar format, IPC file format)
const CONTINUATION = 0xffffffff; // each message of an IPC stream starts with it (format version 0.15 and later)

function unreadable(file: string, reason: string): XvaInputError {
  return new XvaInputError([{ file, value: `not a readable Arrow IPC file: ${reason}`, expected: 'a complete Arrow IPC file (as xva, pyarrow or Polars write it)' }]);
}

function startsWithMagic(bytes: Uint8Array): boolean {
  for (let k = 0; k < FILE_MAGIC.length; k++) if (bytes[k] !== FILE_MAGIC[k]) return false;
  return true;
}

function endsWithMagic(bytes: Uint8Array): boolean {
  const at = bytes.length - FILE_MAGIC.length;
  for (let k = 0; k < FILE_MAGIC.length; k++) if (bytes[at + k] !== FILE_MAGIC[k]) return false;
  return true;
}

/** Checks the frame before decoding, so that the common failures get a plain reason. */
function frameProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  if (startsWithMagic(bytes)) {
    if (bytes.length < 2 * FILE_MAGIC.length + 4 || !endsWithMagic(bytes)) return 'the file does not end with the Arrow signature ARROW1 (it looks truncated: was it copied completely?)';
    return undefined;
  }
  if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === CONTINUATION) return undefined;
  return 'the file starts with neither the Arrow file signature ARROW1 nor an Arrow stream message (is it really Arrow?)';
}

/**
 * Decodes Arrow IPC bytes (file or stream layout) into a table, or throws an Error whose message is a plain reason a
 * user can act on (truncated, not Arrow, damaged): never the decoder's own internals ("Cannot read properties of
 * null"). Used for every Arrow table xva reads back (results, shards) as for input tables.
 */
export function decodeArrowIpc(bytes: Uint8Array): Table {
  const problem = frameProblem(bytes);
  if (problem !== undefined) throw new Error(problem);
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    const line = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
    // a JavaScript TypeError or RangeError is the decoder tripping over bytes that are not what the header promised
    const internal = error instanceof TypeError || error instanceof RangeError || line === '';
    throw new Error(internal ? 'its record batches could not be decoded (a damaged or partly written file)' : line.slice(0, 300));
  }
}

/** Reads Arrow IPC bytes (file or stream layout). `file` is the name used in messages. */
export function parseArrowIpc(bytes: Uint8Array, file: string): TabularFile {
  let table: Table;
  try {
    table = decodeArrowIpc(bytes);
  } catch (error) {
    throw unreadable(file, (error as Error).message);
  }
  if (table.schema.fields.length === 0) throw unreadable(file, 'it has no columns');
  return tabularFromArrow(table, file, 'arrow');
}
