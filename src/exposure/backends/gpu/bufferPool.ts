/**
 * Device buffers reused across netting sets. Creating a buffer through Dawn's Node binding cost ~85 µs of the thread
 * driving the device on an H100 machine (0.5 s for utb-20k's 1,200 sets, bench/README.md); a set's input, output and
 * read-back buffers are instead taken from here and handed back once its results are read (its commands are done
 * then: the read-back is the last of them). Sizes go up in powers of two from 4 KiB, so a buffer serves any later set
 * of up to its size; bindings name their own offsets and sizes, so a larger buffer binds the same way.
 */
export class DeviceBufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly keyOf = new WeakMap<GPUBuffer, string>();
  private readonly all: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `bytes` with exactly `usage` (a reused one keeps the contents of its last use). */
  acquire(bytes: number, usage: number): GPUBuffer {
    const size = sizeClass(bytes);
    const key = `${usage}:${size}`;
    const reused = this.free.get(key)?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ size, usage });
    this.keyOf.set(buffer, key);
    this.all.push(buffer);
    return buffer;
  }

  /** Hands a buffer back once no submitted work uses it any more. */
  release(buffer: GPUBuffer): void {
    const key = this.keyOf.get(buffer);
    if (key === undefined) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
  }

  /** Destroys every buffer the pool made (at the end of a run). */
  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.length = 0;
    this.free.clear();
  }
}

/** The size a request of `bytes` gets: the next power of two, at least 4 KiB. */
export function sizeClass(bytes: number): number {
  let size = 4096;
  while (size < bytes) size *= 2;
  return size;
}
