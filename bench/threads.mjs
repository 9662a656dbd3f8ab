// How this machine's cores scale for worker threads, to read the GPU backend's host figures against (bench/README.md,
// "twelfth session"): N workers each run the same fixed work at once, compute-bound (a loop of exponentials) and
// memory-bound (passes over a 128 MiB array); prints each N's wall time and the slowest and fastest worker.
// Usage: node bench/threads.mjs [N ...]   (default 1 4 8 12 16). Needs no build.
import { Worker } from 'node:worker_threads';

const counts = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const code = `
const { parentPort, workerData } = require('node:worker_threads');
const t0 = performance.now();
let s = 0;
if (workerData.kind === 'compute') {
  for (let i = 0; i < 4e7; i++) s += Math.exp(-i * 1e-9) * 1.0000001;
} else {
  const a = new Float64Array(1 << 24);
  for (let r = 0; r < 6; r++) {
    for (let i = 0; i < a.length; i++) a[i] = a[i] * 0.5 + i;
    for (let i = 0; i < a.length; i += 8) s += a[i];
  }
}
parentPort.postMessage([performance.now() - t0, s]);`;

async function run(n, kind) {
  const t0 = performance.now();
  const workers = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: { kind } }));
  const times = await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', (m) => resolve(m[0])).once('error', reject))));
  await Promise.all(workers.map((w) => w.terminate()));
  const wall = performance.now() - t0;
  return `${kind.padEnd(7)} ${String(n).padStart(2)} workers: wall ${wall.toFixed(0)} ms, each worker ${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)} ms`;
}

for (const kind of ['compute', 'memory']) for (const n of counts.length > 0 ? counts : [1, 4, 8, 12, 16]) console.log(await run(n, kind));
