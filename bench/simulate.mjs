// `xva simulate` benchmark: generates the utb-20k book (1,000 counterparties, 1,200 netting sets, 20,000 trades) into
// a temporary folder with the built fixtures generator, runs `node bin/run.js simulate --paths 5000` on it in a child
// process, and prints wall time, the child's peak RSS (/usr/bin/time -v when present, else the child's own
// process.resourceUsage().maxRSS, written to stderr at its exit by a preloaded module: a parent's resourceUsage
// counts the parent alone) and trade × path × date valuations per second, with the run's own stage timings from
// manifest.json. Build first: `npm run build`.
// Usage: node bench/simulate.mjs [paths=5000] [threads] [extra simulate flags...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const paths = process.argv[2] ?? '5000';
const threads = process.argv[3] ?? String(availableParallelism());
const extra = process.argv.slice(4);

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-simulate-'));
try {
  const t0 = performance.now();
  const book = generateBook('utb-20k', 42);
  writeBook(book, join(dir, 'book'), 'parquet');
  console.log(`generated utb-20k (${book.summary.trades} trades, ${book.summary.nettingSets} netting sets) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const out = join(dir, 'out');
  const args = [join(ROOT, 'bin/run.js'), 'simulate', '--portfolio', join(dir, 'book'), '--paths', paths, '--threads', threads, '--out', out, '--quiet', ...extra];
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  // without /usr/bin/time: the child reports its own peak RSS (worker threads included) as it exits
  const preload = join(dir, 'max-rss.cjs');
  if (!timeBin) writeFileSync(preload, "process.on('exit', () => process.stderr.write(`XVA_BENCH_MAX_RSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");
  const start = performance.now();
  const run = timeBin
    ? spawnSync(timeBin, ['-v', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, ['--require', preload, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    process.exit(1);
  }
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr ?? '') ?? /XVA_BENCH_MAX_RSS_KB (\d+)/.exec(run.stderr ?? '');
  if (!m) throw new Error('bench: the child reported no peak RSS');
  const peakRssMiB = Number(m[1]) / 1024;
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const valuations = manifest.counts.tradePathDateValuations;
  const valuationSeconds = manifest.timingsSeconds.valuation;
  console.log(`xva simulate --paths ${paths} --threads ${manifest.threads} ${extra.join(' ')}`);
  console.log(`  grid: ${manifest.grid.dates} dates (${manifest.grid.exposureDates} exposure, ${manifest.grid.closeOutDates} close-out for MPoRs ${manifest.grid.marginPeriodsOfRiskDays.join(', ')}), ${manifest.model.factors.length} factors`);
  console.log(`  wall ${wall.toFixed(2)} s, peak RSS ${peakRssMiB.toFixed(0)} MiB`);
  console.log(`  stages (s): ${Object.entries(manifest.timingsSeconds).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  console.log(
    `  ${valuations.toExponential(3)} trade-path-date valuations: ${(valuations / wall).toExponential(3)}/s over the wall time, ` +
      `${(valuations / valuationSeconds).toExponential(3)}/s in the valuation stage`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
