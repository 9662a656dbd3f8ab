// Shard scaling of `xva capital` (KVA and the computed SA-CVA: the base run and one engine run per bump): the
// unsharded run, then the same book and seed as N shard processes started side by side (`--shard K/N`) and
// `xva merge`; prints the wall times, each shard's netting sets and engine runs, the merge's time (it re-reads the
// inputs and forms the book's BA-CVA, SA-CVA and KVA), and checks that every merged table equals the unsharded
// run's byte for byte. Build first: `npm run build`.
// Usage: node bench/capital-shards.mjs [book=demo|utb-20k] [paths=200] [counts=2]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const bookName = process.argv[2] ?? 'demo';
const paths = process.argv[3] ?? '200';
const counts = (process.argv[4] ?? '2').split(',').map(Number);

function run(args) {
  return new Promise((resolveRun, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => (status === 0 ? resolveRun({ seconds: (performance.now() - start) / 1000, stdout }) : reject(new Error(`xva ${args.join(' ')}: exit ${status}\n${stderr}`))));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-capital-shards-'));
try {
  let portfolio = join(ROOT, 'fixtures', 'demo');
  if (bookName !== 'demo') {
    const { generateBook } = await import('../dist/src/fixtures/book.js');
    const { writeBook } = await import('../dist/src/fixtures/write.js');
    portfolio = join(dir, 'book');
    writeBook(generateBook(bookName, 42), portfolio, 'parquet');
  }
  console.log(`book ${bookName}, ${paths} paths, ${cpus().length} cores, load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const common = ['capital', '--portfolio', portfolio, '--paths', paths, '--scenarios', 'default', '--quiet'];
  const single = join(dir, 'single');
  const one = await run([...common, '--out', single]);
  console.log(`unsharded: ${one.seconds.toFixed(1)} s`);
  const tables = readdirSync(single).filter((f) => f.endsWith('.arrow')).sort();
  for (const n of counts) {
    const out = join(dir, `shards-${n}`);
    const start = performance.now();
    const shards = await Promise.all(Array.from({ length: n }, (_, k) => run([...common.filter((a) => a !== '--quiet'), '--json', '--shard', `${k + 1}/${n}`, '--out', out])));
    const fanOut = (performance.now() - start) / 1000;
    const merged = join(dir, `merged-${n}`);
    const merge = await run(['merge', out, '--out', merged, '--quiet']);
    const rows = shards.map((s) => JSON.parse(s.stdout));
    console.log(
      `N=${n}: fan-out wall ${fanOut.toFixed(1)} s, merge ${merge.seconds.toFixed(2)} s; per shard: ` +
        rows.map((r, k) => `${r.shard} ${shards[k].seconds.toFixed(1)} s (${r.nettingSets} sets, ${((100 * r.cost) / r.bookCost).toFixed(1)}% cost, ${r.engineRuns} engine runs)`).join('; '),
    );
    for (const f of tables) if (!readFileSync(join(single, f)).equals(readFileSync(join(merged, f)))) throw new Error(`N=${n}: ${f} differs from the unsharded run's`);
  }
  console.log(`every merged table equals the unsharded run's byte for byte (${tables.length} tables); load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
