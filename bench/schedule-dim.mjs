// Schedule IM projection benchmark (src/margin/scheduleDim.ts, the dynamic IM of `im_model schedule` netting sets in
// `xva margin --dim`, `--dynamic-im` and the optimiser's measure): generates the utb-20k book (seed 42) with the built
// fixtures generator, switches every netting set (or the first N) to `im_model schedule`, and times the projection on
// the book's default grid's exposure dates (no simulation), best of `runs`. Build first: `npm run build`.
// Usage: node bench/schedule-dim.mjs [sets=all] [runs=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSimulationInputs } from '../dist/src/exposure/simulate.js';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';
import { bookUniverse } from '../dist/src/margin/dim.js';
import { bookScheduleDim } from '../dist/src/margin/scheduleDim.js';

const sets = process.argv[2] && process.argv[2] !== 'all' ? Number(process.argv[2]) : Number.POSITIVE_INFINITY;
const runs = Number(process.argv[3] ?? '3');
if (!(sets > 0) || !(Number.isInteger(runs) && runs > 0)) {
  console.error('usage: node bench/schedule-dim.mjs [sets=all|N > 0] [runs=3]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'xva-bench-schedule-dim-'));
let loaded;
try {
  writeBook(generateBook('utb-20k', 42), join(dir, 'book'), 'parquet');
  loaded = await loadSimulationInputs(join(dir, 'book'), join(dir, 'book', 'market.yaml'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { market } = loaded;
const portfolio = { ...loaded.portfolio, nettingSets: loaded.portfolio.nettingSets.map((n, i) => (i < sets ? { ...n, imModel: 'schedule' } : n)) };
const grid = bookUniverse(portfolio, market, undefined, 100).grid;
const scheduleSets = portfolio.nettingSets.filter((n) => n.imModel === 'schedule').length;
let best = Number.POSITIVE_INFINITY;
let profiles = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  profiles = bookScheduleDim(portfolio, market, grid, () => {});
  best = Math.min(best, performance.now() - t0);
}
const dates = grid.exposureDate.reduce((a, x) => a + x, 0);
const trades = portfolio.trades.filter((t) => portfolio.nettingSets.some((n) => n.nettingSetId === t.nettingSetId && n.imModel === 'schedule')).length;
console.log(`schedule IM projection: ${profiles.length} profiles of ${scheduleSets} schedule sets (${trades} trades) on ${dates} exposure dates`);
console.log(`  best of ${runs}: ${(best / 1000).toFixed(3)} s (${((trades * dates) / (best / 1000)).toExponential(2)} trade-dates/s)`);
