/**
 * Full garbage collections on demand, where V8 would wait too long by itself:
 * - a worker kept idle between runs (pool.ts WorkerPool.release) allocates nothing, so its heap keeps what the last
 *   run left until its next run (worker.ts);
 * - a run's path memory (a shared WebAssembly.Memory, valuation/wasm/poolKernels.ts pathMemory: 0.18 GB for utb-20k at
 *   1,000 paths, 0.9 GB at 5,000) is outside the JavaScript heap, and V8 does not count it towards its next collection:
 *   a process running the engine again and again (`xva optimize`: 111 runs on utb-20k) held the path memories of many
 *   finished runs, 4.7 GB of peak RSS against 2.0 GB when collected (engine.ts collectPathMemory).
 * V8's `gc` exposed at run time, as jest's leak detector takes it: a full collection of the calling thread's heap.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/** A full garbage collection of this thread's heap (tens of milliseconds for the engine's heaps). */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
