/**
 * Memory for the GPU backend's packed node tables (tables.ts packKernelTables), reused instead of allocated afresh.
 *
 * A run packs about 554 MiB of f32 tables for utb-20k at 5,000 paths (issue 10), every byte written once into new
 * memory and handed to the thread driving the device, which uploads it and drops it. Writing fresh pages is costly: on
 * the 2-core machine 277 MiB written into new 1 MiB arrays took 1.27 s against 0.07 s into one reused array (the page
 * faults), and the freed arrays' external memory brings garbage collections. So the driving thread hands the buffers
 * back once uploaded (GPUQueue.writeBuffer copies the data at the call, as the WebGPU specification defines it), and
 * the worker that packs next takes them from here.
 *
 * A taken array is zero-filled over the length asked for, so it reads as a new one, except where its user writes every
 * element it reads (the packing's growing arrays): the packing gives the same bits whatever memory it got (tested with
 * buffers handed back dirty). The free list is bounded by MAX_FREE_BYTES; what does not fit is left to the GC.
 */

/** The most bytes the free list keeps per thread (utb-20k's largest table array is 16.3 MiB, at any number of paths: bench/tables.mjs). */
export const MAX_FREE_BYTES = 256 * 1024 * 1024;
/** New buffers are at least this large and a power of two, so that they fit later requests of other sizes. */
const MIN_BYTES = 64 * 1024;

/** A free list of ArrayBuffers, best fit. */
export class TableMemory {
  private free: ArrayBuffer[] = []; // ascending byteLength
  private freeBytes = 0;
  /** Buffers taken from the free list, and allocated because none fitted (statistics, tests). */
  reused = 0;
  allocated = 0;

  constructor(private readonly maxFreeBytes = MAX_FREE_BYTES) {}

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  /** Keeps `buffers` for reuse (detached or shared ones are skipped; past the bound they are dropped). */
  give(buffers: readonly ArrayBufferLike[]): void {
    for (const b of buffers) {
      if (!(b instanceof ArrayBuffer) || b.byteLength === 0) continue;
      if (this.freeBytes + b.byteLength > this.maxFreeBytes) continue;
      if (this.free.includes(b)) continue;
      // insert in ascending size
      let i = this.free.length;
      while (i > 0 && this.free[i - 1]!.byteLength > b.byteLength) i--;
      this.free.splice(i, 0, b);
      this.freeBytes += b.byteLength;
    }
  }

  /** Lets go of every buffer held for reuse (a kept worker that has waited without a next run: worker.ts). */
  release(): void {
    this.free = [];
    this.freeBytes = 0;
  }

  /** An ArrayBuffer of at least `bytes`: the smallest free one that fits, else a new one. */
  private take(bytes: number): ArrayBuffer {
    const free = this.free;
    for (let i = 0; i < free.length; i++) {
      if (free[i]!.byteLength >= bytes) {
        const b = free[i]!;
        free.splice(i, 1);
        this.freeBytes -= b.byteLength;
        this.reused++;
        return b;
      }
    }
    this.allocated++;
    let size = MIN_BYTES;
    while (size < bytes) size *= 2;
    return new ArrayBuffer(size);
  }

  /** A zeroed Float32Array of `n` elements (a view of a reused buffer or a new one). */
  f32(n: number): Float32Array {
    const a = new Float32Array(this.take(4 * n), 0, n);
    a.fill(0);
    return a;
  }

  /**
   * A Float32Array of `n` elements holding whatever the buffer held: for an array its user writes in full before it
   * reads it (packKernelTables' growing arrays), where zeroing would write every page twice.
   */
  f32Unzeroed(n: number): Float32Array {
    return new Float32Array(this.take(4 * n), 0, n);
  }

  /** The same as a Uint32Array. */
  u32Unzeroed(n: number): Uint32Array {
    return new Uint32Array(this.take(4 * n), 0, n);
  }

  /** A zeroed Uint32Array of `n` elements (a view of a reused buffer or a new one). */
  u32(n: number): Uint32Array {
    const a = new Uint32Array(this.take(4 * n), 0, n);
    a.fill(0);
    return a;
  }
}

/** This thread's table memory (each worker thread has its own module instance). */
export const tableMemory = new TableMemory();

/**
 * The buffers of a set's device tables that the driving thread may hand back once they are uploaded: the valuation
 * tables' ints and reals and the figures route's per-trade ones (the four arrays a worker transfers, worker.ts).
 */
export function uploadedTableBuffers(tables: { ints: Uint32Array; reals: Float32Array; figures?: { trades: { ints: Uint32Array; reals: Float32Array } } } | undefined): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (!tables) return out;
  for (const a of [tables.ints, tables.reals, tables.figures?.trades.ints, tables.figures?.trades.reals]) {
    if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0 && !out.includes(a.buffer)) out.push(a.buffer);
  }
  return out;
}
