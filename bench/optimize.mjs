// `xva optimize` benchmark: generates a fixture book (default utb-20k: 1,000 counterparties, 1,200 netting sets,
// 20,000 trades) into a temporary folder with the built fixtures generator, runs `node bin/run.js optimize` with all
// levers on it in a child process under /usr/bin/time -v (peak RSS), and prints the wall time, the run's own stage
// figures (engine runs, netting sets valued, candidates generated and measured) and the saving found.
// Build first: `npm run build`. Usage: node bench/optimize.mjs [preset=utb-20k] [paths=1000] [extra optimize flags...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const preset = process.argv[2] ?? 'utb-20k';
const paths = process.argv[3] ?? '1000';
const extra = process.argv.slice(4);

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-optimize-'));
try {
  const book = generateBook(preset, 42);
  writeBook(book, join(dir, 'book'), 'parquet');
  console.log(`generated ${preset} (${book.summary.trades} trades, ${book.summary.nettingSets} netting sets)`);
  const args = [join(ROOT, 'bin/run.js'), 'optimize', '--portfolio', join(dir, 'book'), '--paths', paths, '--out', join(dir, 'out'), '--json', ...extra];
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const start = performance.now();
  const run = timeBin
    ? spawnSync(timeBin, ['-v', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) {
    console.error(run.stderr);
    process.exit(1);
  }
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr ?? '');
  const doc = JSON.parse(run.stdout);
  console.log(`xva optimize --paths ${paths} ${extra.join(' ')}`);
  console.log(`  wall ${wall.toFixed(1)} s${m ? `, peak RSS ${(Number(m[1]) / 1024).toFixed(0)} MiB` : ''}`);
  console.log(`  ${doc.stats.engineRuns} engine runs, ${doc.stats.setsValued} netting sets valued, ${doc.stats.candidatesGenerated} candidates generated, ${doc.stats.candidatesMeasured} measured`);
  console.log(`  plan: ${doc.plan.length} actions; saving (${doc.saving.source}) ${doc.saving.saving.toFixed(0)} ${doc.currency} = ${doc.saving.savingPctOfXva.toFixed(2)}% of total XVA, ${doc.saving.savingBpOfGrossNotional.toFixed(2)} bp of gross notional${doc.timedOut ? ' (time limit reached)' : ''}`);
  for (const line of (run.stderr ?? '').split('\n').filter((l) => / xva optimize: /.test(l) && !/ wrote /.test(l))) console.log(`  | ${line}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
