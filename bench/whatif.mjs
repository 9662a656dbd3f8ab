// Pre-deal what-if benchmark (`xva cva --what-if`): generates the utb-20k book (seed 42) with the built fixtures
// generator, runs `xva simulate --paths P --cube --out DIR` on it (or reuses a folder of such a run), then times
// `xva cva --results DIR --what-if FILE --json --threads 1` in a child process on two new-trades files:
//  A. N trades (copies of existing trades under new ids, every other one in the opposite direction), each in a
//     different netting set spread over the book (every (3 N)-th trade of the book's file, sets not repeated: the
//     book's mix of products): the worst case, one netting set's values read per new trade;
//  B. N trades in N / PER_SET netting sets (PER_SET copies of each set's own trades): several trades per set.
// It prints the what-if's own stage timings (set-up and compile, path regeneration, the sets' values read from the
// cube, the new trades valued, collateral + profiles + XVA) and the wall time. With `compare` it also runs case A
// with the sets valued again (the same results without cube.arrow) and prints both routes' per-trade times and the
// largest difference of the increments between them (the cube's rounding only; none with `float64`, which runs the
// simulation with --cube-precision float64). With `sobol` the simulation draws Sobol points (--rng sobol) and the
// what-if regenerates them (the whole grid: the Brownian bridge spans it). Build first: `npm run build`.
// Usage: node bench/whatif.mjs [paths=5000] [trades=50] [resultsDir|- (reuse; its book must be DIR/../book)] [perSet=5] [compare] [float64] [sobol]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const paths = process.argv[2] ?? '5000';
const nTrades = Number(process.argv[3] ?? '50');
const reuse = process.argv[4] && process.argv[4] !== '-' ? process.argv[4] : undefined;
const perSet = Number(process.argv[5] ?? '5');
const compare = process.argv.includes('compare');
const precision = process.argv.includes('float64') ? 'float64' : 'float32';
const rngFlags = process.argv.includes('sobol') ? ['--rng', 'sobol'] : [];

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

const flip = { pay: 'receive', receive: 'pay', buy: 'sell', sell: 'buy' };

const dir = reuse ? dirname(resolve(reuse)) : mkdtempSync(join(tmpdir(), 'xva-bench-whatif-'));
try {
  const bookDir = join(dir, 'book');
  const out = reuse ? resolve(reuse) : join(dir, 'out');
  const book = generateBook('utb-20k', 42);
  if (!reuse) {
    writeBook(book, bookDir, 'parquet');
    console.log(`generated utb-20k (${book.summary.trades} trades, ${book.summary.nettingSets} netting sets)`);
    const load = loadavg()[0];
    const sim = xva(['simulate', '--portfolio', bookDir, '--paths', paths, '--threads', String(availableParallelism()), '--cube', '--cube-precision', precision, ...rngFlags, '--out', out, '--quiet']);
    console.log(`xva simulate --paths ${paths} --cube --cube-precision ${precision}${rngFlags.length ? ' --rng sobol' : ''}: ${sim.wall.toFixed(1)} s wall (load average before: ${load.toFixed(2)}); cube.arrow ${(statSync(join(out, 'cube.arrow')).size / 2 ** 30).toFixed(2)} GiB`);
  }

  // the book's trades table as CSV rows (ISO dates), grouped by netting set in the file's order
  const csvDir = join(dir, 'csv');
  writeBook(book, csvDir, 'csv');
  const lines = readFileSync(join(csvDir, 'trades.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const col = (name) => head.indexOf(name);
  const rowsOf = new Map();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].includes('"')) continue;
    const cells = lines[i].split(',');
    const id = cells[col('netting_set_id')];
    if (!rowsOf.has(id)) rowsOf.set(id, []);
    rowsOf.get(id).push(cells);
  }
  const setIds = [...rowsOf.keys()];
  const newRow = (cells, n) => {
    const copy = [...cells];
    copy[col('trade_id')] = `WHATIF-${n + 1}`;
    if (n % 2 === 1 && flip[copy[col('direction')]]) copy[col('direction')] = flip[copy[col('direction')]];
    return copy.join(',');
  };
  const writeFile = (name, rows) => {
    const file = join(dir, name);
    writeFileSync(file, `${lines[0]}\n${rows.join('\n')}\n`);
    return file;
  };
  // A: one trade per set, every (3 N)-th trade of the file skipping sets already taken (the mix of products of the book)
  const rowsA = [];
  const taken = new Set();
  const strideA = Math.max(1, Math.floor((lines.length - 1) / (3 * nTrades)));
  for (let i = 1; i < lines.length && rowsA.length < nTrades; i += strideA) {
    const cells = lines[i].split(',');
    if (lines[i].includes('"') || taken.has(cells[col('netting_set_id')])) continue;
    taken.add(cells[col('netting_set_id')]);
    rowsA.push(newRow(cells, rowsA.length));
  }
  const fileA = writeFile('new_trades_one_per_set.csv', rowsA);
  const spread = (count, eligible) => {
    const stride = Math.max(1, Math.floor(eligible.length / count));
    const out = [];
    for (let i = 0; i < eligible.length && out.length < count; i += stride) out.push(eligible[i]);
    return out;
  };
  // B: PER_SET trades in each of N / PER_SET sets holding at least PER_SET trades
  const setsB = spread(Math.ceil(nTrades / perSet), setIds.filter((id) => rowsOf.get(id).length >= perSet));
  const rowsB = [];
  for (const id of setsB) for (let j = 0; j < perSet && rowsB.length < nTrades; j++) rowsB.push(newRow(rowsOf.get(id)[j], rowsB.length));
  const fileB = writeFile('new_trades_several_per_set.csv', rowsB);

  const runCase = (label, file, results) => {
    const load = loadavg()[0];
    const run = xva(['cva', '--portfolio', bookDir, '--results', results, '--what-if', file, '--json', '--threads', '1']);
    const w = JSON.parse(run.stdout).whatIf;
    const n = w.trades.length;
    const sets = new Set(w.trades.map((t) => t.nettingSetId)).size;
    const products = {};
    for (const t of w.trades) products[t.product] = (products[t.product] ?? 0) + 1;
    const s = w.seconds;
    console.log(`\n${label}: ${n} new trades in ${sets} netting sets (${Object.entries(products).map(([k, v]) => `${v} ${k}`).join(', ')}), ${w.paths} paths`);
    console.log(`  load average before the run: ${load.toFixed(2)} on ${availableParallelism()} cores`);
    console.log(`  set values: ${w.setValues.cube} sets from the cube (${(w.cubeBytesRead / 2 ** 20).toFixed(1)} MiB read), ${w.setValues.revalued} valued again`);
    console.log(`  factors simulated: ${w.factors.length}, ${w.dates} dates; same paths as the run: ${w.samePathsAsRun}`);
    console.log(`  what-if stages (s): set-up and compile ${s.setup.toFixed(2)}, paths ${s.paths.toFixed(2)}, trades ${s.trades.toFixed(2)} (the sets' values ${s.setValuation.toFixed(2)}, the new trades ${s.tradeValuation.toFixed(2)}, collateral + profiles + XVA ${s.profiles.toFixed(2)})`);
    console.log(`  per new trade: ${((1000 * s.trades) / n).toFixed(1)} ms after set-up and paths; with them amortised: ${((1000 * (s.setup + s.paths + s.trades)) / n).toFixed(1)} ms`);
    console.log(`  whole command wall (loading the book and market, the base CVA from the run's tables, the what-if): ${run.wall.toFixed(1)} s`);
    for (const note of w.notes) console.log(`  note: ${note}`);
    return w;
  };

  const a = runCase('A, one new trade per netting set (worst case)', fileA, out);
  runCase(`B, ${perSet} new trades per netting set`, fileB, out);
  if (compare) {
    // the same results without the cube: the what-if values the sets again
    const noCube = join(dir, 'out-no-cube');
    mkdirSync(noCube, { recursive: true });
    for (const f of readdirSync(out)) if (f !== 'cube.arrow') symlinkSync(join(out, f), join(noCube, f));
    const b = runCase('A again, the sets valued again (no cube.arrow)', fileA, noCube);
    let worst = 0;
    let worstRel = 0;
    for (let i = 0; i < a.trades.length; i++) {
      for (const m of ['cva', 'dva', 'fca', 'fba', 'colva']) {
        const d = Math.abs(a.trades[i].delta[m] - b.trades[i].delta[m]);
        worst = Math.max(worst, d);
        if (Math.abs(b.trades[i].delta[m]) > 1) worstRel = Math.max(worstRel, d / Math.abs(b.trades[i].delta[m]));
      }
    }
    console.log(`\ncube vs valued again, case A: largest |difference| of an increment ${worst.toExponential(2)} (base currency), largest relative to the increment ${worstRel.toExponential(2)}`);
    rmSync(noCube, { recursive: true, force: true });
  }
} finally {
  if (!reuse) rmSync(dir, { recursive: true, force: true });
}
