// Engine runs of one process, as `xva optimize` makes them (a run per candidate it measures): `runs` calls of runSimulation on consecutive slices of `sets` netting sets of utb-20k (seed 42), on worker
// threads kept between the runs (the default, exposure/pool.ts WorkerPool.release) or on new workers per run
// (XVA_KEEP_WORKERS=off), each mode in a child process of its own, the modes interleaved `reps` times. Prints every
// run's wall time and the sum per process; the book's generation and load are outside the times. The runs' figures
// are the same bits in both modes (a SHA-256 of every profile and Euler array is printed per process).
// Build first (`npm run build`). Usage: node bench/runs.mjs [sets=20] [paths=1000] [runs=6] [threads=2] [reps=2]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const [sets, paths, runs, threads, reps] = [20, 1000, 6, 2, 2].map((d, i) => Number(process.argv[2 + i] ?? d));

if (process.env.XVA_BENCH_RUNS_CHILD !== '1') {
  const sums = { kept: [], new: [] };
  const hashes = new Set();
  for (let r = 0; r < reps; r++) {
    for (const mode of ['kept', 'new']) {
      const env = { ...process.env, XVA_BENCH_RUNS_CHILD: '1', XVA_KEEP_WORKERS: mode === 'kept' ? 'on' : 'off' };
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { env, encoding: 'utf8' });
      if (child.status !== 0) {
        console.error(child.stdout, child.stderr);
        process.exit(1);
      }
      const out = JSON.parse(child.stdout.trim().split('\n').pop());
      sums[mode].push(out.total);
      hashes.add(out.hash);
      console.log(`${mode.padEnd(4)} workers: ${out.seconds.map((s) => s.toFixed(2)).join(' ')} s, ${out.total.toFixed(2)} s in all, figures ${out.hash.slice(0, 16)}`);
    }
  }
  console.log(`${runs} runs of ${sets} netting sets at ${paths} paths on ${threads} threads: kept ${sums.kept.map((s) => s.toFixed(1)).join(' / ')} s, new ${sums.new.map((s) => s.toFixed(1)).join(' / ')} s; ${hashes.size === 1 ? 'the same figures' : 'FIGURES DIFFER'}`);
  if (hashes.size !== 1) process.exit(1);
} else {
  const { loadGeneratedBook } = await import('./book.mjs');
  const { runSimulation } = await import('../dist/src/exposure/engine.js');
  const { market, portfolio } = await loadGeneratedBook('utb-20k', 42);
  const hash = createHash('sha256');
  const seconds = [];
  for (let r = 0; r < runs; r++) {
    const ids = new Set(portfolio.nettingSets.slice(r * sets, (r + 1) * sets).map((n) => n.nettingSetId));
    const slice = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => ids.has(n.nettingSetId)), trades: portfolio.trades.filter((t) => ids.has(t.nettingSetId)) };
    const t0 = performance.now();
    const result = await runSimulation({
      portfolio: slice,
      market,
      marketFile: 'market.yaml', // the workers build the market from this thread's parse (market/load.ts marketSource)
      options: { paths, seed: 42, threads, antithetic: false, pfeQuantile: 0.95, skipUnsupported: true, grid: { kind: 'default' } },
    });
    seconds.push((performance.now() - t0) / 1000);
    for (const s of result.nettingSets) {
      for (const a of [s.profile.epe, s.profile.ene, s.profile.pfe, s.tradeEpe, s.tradeEne]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  }
  console.log(JSON.stringify({ seconds, total: seconds.reduce((a, b) => a + b, 0), hash: hash.digest('hex') }));
}
