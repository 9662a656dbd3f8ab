/**
 * Random access to cube.arrow (`xva simulate --cube`; layout in cube.ts and outputs.ts CubeWriter): one netting set's
 * record batch is read without loading the file, which runs to gigabytes (utb-20k at 5,000 paths: ~4 GB).
 *
 * An Arrow IPC file is `ARROW1\0\0`, the record batch messages, a footer and `<int32 footer length> ARROW1` (Arrow
 * columnar format, "IPC File Format"). The footer (a flatbuffer) holds the schema and, per record batch, a block:
 * where its message starts and how long its metadata and body are. Opening reads only the file's last 10 bytes and
 * the footer, which apache-arrow parses as the footer of a tiny file made of the magic, that footer and its length.
 * `readBatch(i)` reads exactly block i's bytes and decodes them with apache-arrow's stream reader, put behind the
 * schema message as a one-batch IPC stream (the buffers are views of the bytes read: the values are not copied).
 * apache-arrow's own file reader would take the whole file in memory, or (with a file handle) be asynchronous.
 * `bytesRead` counts every byte taken from the file, so a test can check that one set costs only its own bytes.
 */
import fs from 'node:fs';
import { RecordBatchFileReader, RecordBatchReader, RecordBatchStreamReader, Table, tableToIPC, type FixedSizeList, type RecordBatch, type Vector } from 'apache-arrow';
import { XvaInputError } from '../errors.js';

/** One record batch of the cube: a netting set's rows, or the numeraire's (nettingSetId null). */
export interface CubeRecord {
  nettingSetId: string | null;
  nPaths: number;
  /** Day serials of the rows (the exposure dates). */
  dates: Int32Array;
  /** Grid index of each row (−1 where the file does not say: a layout-1 cube). */
  gridIndex: Int32Array;
  /** V (or N for the numeraire) per row and path: [k * nPaths + p], at the file's precision. */
  values: Float32Array | Float64Array;
  /** Per row: grid index of the close-out lag date held, or −1. */
  closeOutGridIndex: Int32Array;
  /** V at the close-out dates, one row of nPaths per entry of closeOutGridIndex ≥ 0, in row order. */
  closeOutValues: Float32Array | Float64Array;
}

interface Block {
  offset: number;
  length: number;
}

const MAGIC = 'ARROW1';
/** End-of-stream marker of the IPC stream format: continuation token, then a zero length. */
const END_OF_STREAM = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

export class CubeReader {
  /** Bytes read from the file so far (magic, schema message and footer at open, then each batch read). */
  bytesRead = 0;
  readonly fileBytes: number;
  readonly nPaths: number;
  /** Schema metadata `xva.cube.layout` (1 when absent: a cube written before the close-out columns). */
  readonly layout: number;
  readonly precision: string;
  private readonly fd: number;
  private readonly blocks: Block[];
  private readonly schemaMessage: Uint8Array;

  private constructor(readonly filePath: string) {
    this.fd = fs.openSync(filePath, 'r');
    try {
      this.fileBytes = fs.fstatSync(this.fd).size;
      const bad = (value: string): XvaInputError => new XvaInputError([{ file: filePath, value, expected: 'an Arrow IPC file written by xva simulate --cube' }]);
      if (this.fileBytes < 24) throw bad(`${this.fileBytes} bytes`);
      const tail = this.read(this.fileBytes - 10, 10);
      if (Buffer.from(tail.subarray(4)).toString('latin1') !== MAGIC) throw bad('no ARROW1 magic at the end');
      const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
      if (footerLength <= 0 || footerLength > this.fileBytes - 18) throw bad(`footer length ${footerLength}`);
      // a file of the magic (8 bytes, padded), the footer and the tail: apache-arrow reads its footer and nothing else
      const mini = new Uint8Array(8 + footerLength + 10);
      mini.set(Buffer.from(`${MAGIC}\0\0`, 'latin1'), 0);
      this.readInto(this.fileBytes - 10 - footerLength, footerLength, mini, 8);
      mini.set(tail, 8 + footerLength);
      const reader = RecordBatchReader.from(mini);
      if (!(reader instanceof RecordBatchFileReader)) throw bad('no Arrow file footer');
      reader.open();
      const footer = reader.footer;
      if (!footer) throw bad('no Arrow file footer');
      this.blocks = [];
      for (let i = 0; i < footer.numRecordBatches; i++) {
        const b = footer.getRecordBatch(i)!;
        this.blocks.push({ offset: Number(b.offset), length: b.metaDataLength + Number(b.bodyLength) });
      }
      const schema = reader.schema;
      // the schema as a stream's first message: an empty table written as a stream is that message and the end mark
      const stream = tableToIPC(new Table(schema), 'stream');
      this.schemaMessage = stream.subarray(0, stream.length - END_OF_STREAM.length);
      const values = schema.fields.find((f) => f.name === 'values');
      if (!values) throw bad('no values column');
      this.nPaths = (values.type as FixedSizeList).listSize;
      this.layout = Number(schema.metadata.get('xva.cube.layout') ?? 1);
      this.precision = schema.metadata.get('xva.cube.precision') ?? 'float32';
    } catch (error) {
      fs.closeSync(this.fd);
      throw error;
    }
  }

  static open(filePath: string): CubeReader {
    return new CubeReader(filePath);
  }

  /** Record batches in the file (the numeraire's and one per netting set). */
  get numBatches(): number {
    return this.blocks.length;
  }

  /** Bytes of batch `index`'s block (its message and body). */
  batchBytes(index: number): number {
    return this.blockOf(index).length;
  }

  /** Reads and decodes record batch `index` only. */
  readBatch(index: number): CubeRecord {
    const block = this.blockOf(index);
    // one buffer: schema message, the block, end of stream (a one-batch IPC stream; 8-byte aligned throughout)
    const bytes = new Uint8Array(this.schemaMessage.length + block.length + END_OF_STREAM.length);
    bytes.set(this.schemaMessage, 0);
    this.readInto(block.offset, block.length, bytes, this.schemaMessage.length);
    bytes.set(END_OF_STREAM, this.schemaMessage.length + block.length);
    const reader = RecordBatchStreamReader.from(bytes);
    const next = reader.next();
    if (next.done || !next.value) throw new XvaInputError([{ file: this.filePath, value: `record batch ${index} unreadable`, expected: 'a record batch of xva simulate --cube' }]);
    return recordOf(next.value, this.nPaths);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private blockOf(index: number): Block {
    const block = this.blocks[index];
    if (!block) throw new RangeError(`cube ${this.filePath}: no record batch ${index} (${this.blocks.length} batches)`);
    return block;
  }

  private read(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(position, length, out, 0);
    return out;
  }

  private readInto(position: number, length: number, out: Uint8Array, at: number): void {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, at + done, length - done, position + done);
      if (n === 0) throw new XvaInputError([{ file: this.filePath, value: `ends at byte ${position + done}`, expected: `${length} bytes from byte ${position} (a complete cube file)` }]);
      done += n;
    }
    this.bytesRead += length;
  }
}

/** The typed arrays of one batch (a layout-1 batch: no grid indices or close-out rows). */
function recordOf(batch: RecordBatch, nPaths: number): CubeRecord {
  const n = batch.numRows;
  const ids = batch.getChild('netting_set_id')!;
  const dates = Int32Array.from({ length: n }, (_, k) => batch.getChild('date')!.data[0]!.values[k] as number);
  const valuesData = batch.getChild('values')!.data[0]!.children[0]!;
  const values = (valuesData.values as Float32Array | Float64Array).subarray(valuesData.offset, valuesData.offset + n * nPaths);
  const gridIndex = new Int32Array(n).fill(-1);
  const closeOutGridIndex = new Int32Array(n).fill(-1);
  const grid = batch.getChild('grid_index') as Vector | null;
  const closeOut = batch.getChild('close_out_grid_index') as Vector | null;
  const list = batch.getChild('close_out_values') as Vector | null;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const g = grid?.get(k) as number | null | undefined;
    if (g !== null && g !== undefined) gridIndex[k] = g;
    const c = closeOut?.get(k) as number | null | undefined;
    if (c !== null && c !== undefined) {
      closeOutGridIndex[k] = c;
      m++;
    }
  }
  const closeOutValues = values instanceof Float64Array ? new Float64Array(m * nPaths) : new Float32Array(m * nPaths);
  if (m > 0 && list) {
    const data = list.data[0]!;
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0]!;
    const all = child.values as Float32Array | Float64Array;
    let row = 0;
    for (let k = 0; k < n; k++) {
      if (closeOutGridIndex[k]! < 0) continue;
      const start = child.offset + offsets[data.offset + k]!;
      const end = child.offset + offsets[data.offset + k + 1]!;
      if (end - start !== nPaths) throw new RangeError(`cube batch of ${String(ids.get(k))}: close-out row ${k} holds ${end - start} values, expected ${nPaths}`);
      closeOutValues.set(all.subarray(start, end), row * nPaths);
      row++;
    }
  }
  return { nettingSetId: (ids.get(0) as string | null) ?? null, nPaths, dates, gridIndex, values, closeOutGridIndex, closeOutValues };
}
