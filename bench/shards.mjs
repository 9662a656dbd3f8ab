// Shard scaling of `xva simulate`: the same book and seed as 1, 2 and 4 shard processes started side by side on this
// machine (`--shard K/N --threads 1`), then `xva merge`; prints each shard's wall time and netting sets, the wall time
// of the whole fan-out, the merge's time, and checks that every merged table equals the 1-shard run's byte for byte.
// Build first: `npm run build`.
// Usage: node bench/shards.mjs [book=demo|utb-20k] [paths=1000] [counts=1,2,4]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const bookName = process.argv[2] ?? 'demo';
const paths = process.argv[3] ?? '1000';
const counts = (process.argv[4] ?? '1,2,4').split(',').map(Number);

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

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-shards-'));
try {
  let portfolio = join(ROOT, 'fixtures', 'demo');
  if (bookName !== 'demo') {
    const { generateBook } = await import('../dist/src/fixtures/book.js');
    const { writeBook } = await import('../dist/src/fixtures/write.js');
    const book = generateBook(bookName, 42);
    portfolio = join(dir, 'book');
    writeBook(book, portfolio, 'parquet');
  }
  console.log(`book ${bookName}, ${paths} paths, ${cpus().length} cores, load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  let reference;
  for (const n of counts) {
    const out = join(dir, `shards-${n}`);
    const common = ['simulate', '--portfolio', portfolio, '--paths', paths, '--threads', '1', '--skip-unsupported', '--quiet', '--json'];
    const start = performance.now();
    const shards = await Promise.all(Array.from({ length: n }, (_, k) => run([...common, '--shard', `${k + 1}/${n}`, '--out', out])));
    const fanOut = (performance.now() - start) / 1000;
    const merged = join(dir, `merged-${n}`);
    const merge = await run(['merge', out, '--out', merged, '--quiet']);
    const rows = shards.map((s) => JSON.parse(s.stdout));
    console.log(
      `N=${n}: fan-out wall ${fanOut.toFixed(1)} s, merge ${merge.seconds.toFixed(2)} s; per shard: ` +
        rows.map((r, k) => `${r.shard} ${shards[k].seconds.toFixed(1)} s (${r.nettingSets} sets, ${((100 * r.cost) / r.bookCost).toFixed(1)}% cost, load ${r.timingsSeconds.load.toFixed(1)} + paths ${r.timingsSeconds.paths.toFixed(1)} + valuation ${r.timingsSeconds.valuation.toFixed(1)} s)`).join('; '),
    );
    const tables = readdirSync(merged).filter((f) => f.endsWith('.arrow')).sort();
    if (!reference) reference = merged;
    else for (const f of tables) if (!readFileSync(join(reference, f)).equals(readFileSync(join(merged, f)))) throw new Error(`N=${n}: ${f} differs from N=${counts[0]}`);
  }
  console.log(`every merged table equals the N=${counts[0]} run's byte for byte; load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
