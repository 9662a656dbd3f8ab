// GPU backend throughput (issue 10 item 6): the same book, paths, seed and grid through the CPU backend and through
// the GPU backend (WebGPU via the optional `webgpu` package: paths on the device, and every netting set valued there,
// reduced there when it holds no collateral), in one process, `--threads 1` for both by default so the figures
// compare one host core with and without the device (`--threads N`: N worker threads for both). Also prints how many sets (and trades) ran on the device. Prints per backend: path simulation time, valuation time, and
// trade × path × date valuations per second (the engine's own count over paths + valuation time), plus the device's
// raw state-simulation rate (path × date × factor per second), and where the device valuation's time went on the
// thread driving the device (node tables there with --threads 1, on the workers otherwise; upload and submit; waiting;
// reading back).
// `--backends gpu,cpu` picks which run and in what order (default cpu,gpu); the peak-EPE comparison needs both.
// A run after the first takes over the worker threads the run before kept (exposure/pool.ts WorkerPool.release: warm,
// their modules loaded and V8's code optimised), when it has as many threads or fewer and the same worker options (a
// GPU run's workers differ from a CPU run's): the `workers` column says `kept` or `new`. `--new-workers` starts new
// workers for every run (XVA_KEEP_WORKERS=off), as every run did before the twenty-first session.
// `--rng sobol` runs both backends on Sobol points (the device draws them through its bridge kernel, wgsl/sobol.ts).
// Build first (`npm run build`). Usage: node bench/gpu.mjs [paths=2000] [book=demo|utb-20k] [--allow-software] [--threads N] [--backends cpu,gpu] [--new-workers] [--rng sobol]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSimulation } from '../dist/src/exposure/engine.js';
import { loadSimulationInputs } from '../dist/src/exposure/simulate.js';
import { selectBackend } from '../dist/src/exposure/backends/gpu/index.js';
import { keptWorkerCount } from '../dist/src/exposure/pool.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const threadsAt = process.argv.indexOf('--threads');
const threads = threadsAt > 0 ? Number(process.argv[threadsAt + 1]) : 1;
const backendsAt = process.argv.indexOf('--backends');
const backendNames = backendsAt > 0 ? process.argv[backendsAt + 1].split(',') : ['cpu', 'gpu'];
if (backendNames.some((b) => b !== 'cpu' && b !== 'gpu')) throw new Error(`--backends takes cpu and/or gpu, got ${backendNames.join(',')}`);
const rngAt = process.argv.indexOf('--rng');
const rng = rngAt > 0 ? process.argv[rngAt + 1] : 'philox';
if (rng !== 'philox' && rng !== 'sobol') throw new Error(`--rng takes philox or sobol, got ${rng}`);
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--threads' && all[i - 1] !== '--backends' && all[i - 1] !== '--rng');
const allowSoftware = process.argv.includes('--allow-software');
if (process.argv.includes('--new-workers')) process.env.XVA_KEEP_WORKERS = 'off';
const paths = Number(args[0] ?? 2000);
const bookName = args[1] ?? 'demo';

let dir;
let portfolioDir = join(ROOT, 'fixtures/demo');
if (bookName !== 'demo') {
  const { generateBook } = await import('../dist/src/fixtures/book.js');
  const { writeBook } = await import('../dist/src/fixtures/write.js');
  dir = mkdtempSync(join(tmpdir(), 'xva-bench-gpu-'));
  const book = generateBook(bookName, 42);
  writeBook(book, join(dir, 'book'), 'parquet');
  portfolioDir = join(dir, 'book');
}
try {
  // inputs are read before the device opens
  const { market, portfolio } = await loadSimulationInputs(portfolioDir, join(portfolioDir, 'market.yaml'));
  // the device is opened only when the GPU backend runs
  const backend = backendNames.includes('gpu') ? await selectBackend('gpu', { allowSoftware }) : undefined;
  for (const note of backend?.notes ?? []) console.log(note);
  const options = { paths, seed: 42, threads, antithetic: false, pfeQuantile: 0.95, skipUnsupported: true, ...(rng === 'sobol' ? { rng } : {}) };
  const rows = [];
  let gpuPaths;
  for (const name of backendNames) {
    let captured;
    // the backend's simulator with its device valuation (pooled rate sets valued on the device)
    const pathSimulator =
      name === 'gpu'
        ? Object.assign(
            async (...a) => {
              const t = performance.now();
              captured = await backend.pathSimulator(...a);
              gpuPaths = { seconds: (performance.now() - t) / 1000, paths: captured };
              return captured;
            },
            { deviceValuation: backend.deviceValuation, sobol: true },
          )
        : undefined;
    // whether this run finds workers kept by the run before (a GPU run takes a GPU run's, a CPU run a CPU run's)
    const kept = threads > 1 && keptWorkerCount() >= threads && rows.length > 0 && rows[rows.length - 1].backend === name;
    const start = performance.now();
    const result = await runSimulation({ portfolio, market, marketFile: join(portfolioDir, 'market.yaml'), options: { ...options, ...(pathSimulator ? { pathSimulator } : {}) } });
    const wall = (performance.now() - start) / 1000;
    const t = result.timings;
    rows.push({
      backend: name,
      workers: threads > 1 ? (kept ? 'kept' : 'new') : 'none',
      trades: result.nettingSets.reduce((a, s) => a + s.tradeIds.length, 0),
      dates: result.grid.times.length,
      paths,
      pathsSeconds: +t.paths.toFixed(3),
      valuationSeconds: +t.valuation.toFixed(3),
      wallSeconds: +wall.toFixed(3),
      valuations: result.valuations,
      valuationsPerSecond: Math.round(result.valuations / (t.paths + t.valuation)),
      bookEpePeak: Math.max(...result.book.epe),
    });
  }
  console.table(rows);
  const gpuRow = rows.find((r) => r.backend === 'gpu');
  const cpuRow = rows.find((r) => r.backend === 'cpu');
  const routing = backend?.deviceValuation?.routing;
  if (routing) {
    const deviceSet = new Set(routing.device);
    const deviceTrades = portfolio.trades.filter((t) => deviceSet.has(t.nettingSetId)).length;
    console.log(`${backend.notes[backend.notes.length - 1]}; ${deviceTrades} of ${gpuRow.trades} trades`);
    const st = backend.deviceValuation.stats;
    console.log(
      `device valuation on the driving thread: tables ${st.tablesSeconds.toFixed(3)} s (on the workers ${(st.workerTablesSeconds ?? 0).toFixed(3)} s summed; their table arrays ${st.tableBuffersReused ?? 0} in buffers handed back, ${st.tableBuffersAllocated ?? 0} new), device queue busy ${(st.deviceSeconds ?? 0).toFixed(3)} s, upload and submit ${st.submitSeconds.toFixed(3)} s, sets waiting for their results ${st.waitSeconds.toFixed(3)} s (summed over the sets in flight), ` +
        `reading back ${st.readSeconds.toFixed(3)} s (${(st.bytesRead / 2 ** 20).toFixed(1)} MiB, ${st.sets} sets, ${st.figureSets} of them on the figures route: figures only, no values); written to the device ${(st.bytesUploaded / 2 ** 20).toFixed(1)} MiB of tables and inputs; paths copied to the host: ${st.pathsCopied ? 'yes' : 'no'}`,
    );
  }
  if (gpuPaths) {
    const p = gpuPaths.paths;
    const factors = p.irState.length + p.fxLog.length + p.eqLog.length + p.creditState.length;
    const cells = p.nPaths * p.grid.times.length * factors;
    console.log(
      `device state simulation: ${factors} factors × ${p.grid.times.length} dates × ${p.nPaths} paths in ${gpuPaths.seconds.toFixed(3)} s ` +
        `(incl. upload, shader compile on first use and read-back) = ${Math.round(cells / gpuPaths.seconds).toLocaleString('en-US')} path-date-factors/s`,
    );
    if (cpuRow) console.log(`book peak EPE: cpu ${cpuRow.bookEpePeak.toFixed(2)}, gpu ${gpuRow.bookEpePeak.toFixed(2)} (relative difference ${Math.abs(gpuRow.bookEpePeak / cpuRow.bookEpePeak - 1).toExponential(2)})`);
  }
  // the process's page faults and context switches over every run above (all threads): where worker threads contend
  const usage = process.resourceUsage();
  console.log(`process: ${usage.minorPageFault.toLocaleString('en-US')} minor page faults, ${usage.voluntaryContextSwitches.toLocaleString('en-US')} voluntary and ${usage.involuntaryContextSwitches.toLocaleString('en-US')} involuntary context switches, user ${(usage.userCPUTime / 1e6).toFixed(1)} s, system ${(usage.systemCPUTime / 1e6).toFixed(1)} s, peak RSS ${(usage.maxRSS / 1024).toFixed(0)} MiB`);
  backend?.close();
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
