// Pre-deal what-if benchmark (`xva cva --what-if`): generates the utb-20k book (seed 42) with the built fixtures
// generator, runs `xva simulate --paths P --out DIR` on it (or reuses a folder of such a run), writes a new-trades
// file of N trades (copies of existing trades under new ids, every other one in the opposite direction, each in a
// different netting set spread over the book: the worst case, one netting set valued per new trade), then times
// `xva cva --results DIR --what-if FILE --json --threads 1` in a child process and prints the what-if's own stage
// timings (set-up and compile, path regeneration, per-trade valuation) and the wall time. Build first: `npm run build`.
// Usage: node bench/whatif.mjs [paths=5000] [trades=50] [resultsDir (reuse; its book must be DIR/../book)]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const paths = process.argv[2] ?? '5000';
const nTrades = Number(process.argv[3] ?? '50');
const reuse = process.argv[4];

const xva = (args) => {
  const start = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) {
    console.error(run.stdout.slice(0, 4000), run.stderr.slice(0, 4000));
    process.exit(1);
  }
  return { wall, stdout: run.stdout };
};

const dir = reuse ? dirname(resolve(reuse)) : mkdtempSync(join(tmpdir(), 'xva-bench-whatif-'));
try {
  const bookDir = join(dir, 'book');
  const out = reuse ? resolve(reuse) : join(dir, 'out');
  const book = generateBook('utb-20k', 42);
  if (!reuse) {
    writeBook(book, bookDir, 'parquet');
    console.log(`generated utb-20k (${book.summary.trades} trades, ${book.summary.nettingSets} netting sets)`);
    const sim = xva(['simulate', '--portfolio', bookDir, '--paths', paths, '--threads', String(availableParallelism()), '--out', out, '--quiet']);
    console.log(`xva simulate --paths ${paths}: ${sim.wall.toFixed(1)} s wall`);
  }

  // N new trades: rows of the book's trades table (CSV, ISO dates) under new ids, each from a different netting set
  const csvDir = join(dir, 'csv');
  writeBook(book, csvDir, 'csv');
  const lines = readFileSync(join(csvDir, 'trades.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const col = (name) => head.indexOf(name);
  const seen = new Set();
  const rows = [];
  const stride = Math.max(1, Math.floor((lines.length - 1) / (3 * nTrades)));
  for (let i = 1; i < lines.length && rows.length < nTrades; i += stride) {
    const cells = lines[i].split(',');
    if (lines[i].includes('"') || seen.has(cells[col('netting_set_id')])) continue;
    seen.add(cells[col('netting_set_id')]);
    cells[col('trade_id')] = `WHATIF-${rows.length + 1}`;
    if (rows.length % 2 === 1) {
      const flip = { pay: 'receive', receive: 'pay', buy: 'sell', sell: 'buy' };
      const d = cells[col('direction')];
      if (flip[d]) cells[col('direction')] = flip[d];
    }
    rows.push(cells.join(','));
  }
  const file = join(dir, 'new_trades.csv');
  writeFileSync(file, `${lines[0]}\n${rows.join('\n')}\n`);

  const load = loadavg()[0];
  const run = xva(['cva', '--portfolio', bookDir, '--results', out, '--what-if', file, '--json', '--threads', '1']);
  const doc = JSON.parse(run.stdout);
  const w = doc.whatIf;
  const n = w.trades.length;
  const products = {};
  for (const t of w.trades) products[t.product] = (products[t.product] ?? 0) + 1;
  console.log(`xva cva --results --what-if (${n} new trades in ${n} netting sets: ${Object.entries(products).map(([k, v]) => `${v} ${k}`).join(', ')}), ${w.paths} paths`);
  console.log(`  load average before the run: ${load.toFixed(2)} on ${availableParallelism()} cores`);
  console.log(`  factors simulated: ${w.factors.length} (${w.factors.join(', ')}), ${w.dates} dates; same paths as the run: ${w.samePathsAsRun}`);
  console.log(`  what-if stages (s): set-up and compile ${w.seconds.setup.toFixed(2)}, paths ${w.seconds.paths.toFixed(2)}, trades ${w.seconds.trades.toFixed(2)} (valuing the netting sets ${w.seconds.setValuation.toFixed(2)}, the new trades ${w.seconds.tradeValuation.toFixed(2)}, collateral + profiles + XVA ${w.seconds.profiles.toFixed(2)})`);
  console.log(`  per new trade: ${((1000 * w.seconds.trades) / n).toFixed(1)} ms (set + trade valued, collateral, profiles, XVA); with set-up and paths amortised: ${((1000 * (w.seconds.setup + w.seconds.paths + w.seconds.trades)) / n).toFixed(1)} ms`);
  console.log(`  whole command wall (loading the book and market, the base CVA from the run's tables, the what-if): ${run.wall.toFixed(1)} s`);
  if (w.notes.length > 0) console.log(`  notes: ${w.notes.join(' | ')}`);
} finally {
  if (!reuse) rmSync(dir, { recursive: true, force: true });
}
