// Pricers-on-paths micro-benchmark: builds the utb-20k book (seed 42) with the built fixtures generator, simulates
// the market paths once for a sample of its netting sets (every `stride`-th set in the netting_sets table), then per
// set times compileNettingSet, valueAt over every grid date up to the set's last live date, and the Euler allocation
// (accumulateTradeWeighted with EPE- and ENE-like weights on every exposure date), all on one thread.
// Prints netting-set × path × date values per second for valueAt and for the Euler pass, and a checksum; with
// `--save FILE` it writes every value and contribution, with `--compare FILE` it reports the largest difference
// against a saved run (relative to each set's gross notional scale), to check that a speed-up kept the numbers.
// Build first: `npx tsc -p .`.
// Usage: node bench/valuation.mjs [paths=5000] [stride=20] [--save FILE | --compare FILE]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBook } from '../dist/src/fixtures/book.js';
import { writeBook } from '../dist/src/fixtures/write.js';
import { loadSimulationInputs } from '../dist/src/exposure/simulate.js';
import { factorNeeds } from '../dist/src/exposure/engine.js';
import { valuationModelOf } from '../dist/src/exposure/modelView.js';
import { exposureDateIndices } from '../dist/src/exposure/profiles.js';
import { compileNettingSet, unsupportedReason } from '../dist/src/exposure/valuation/index.js';
import { buildFactorLayout } from '../dist/src/simulation/layout.js';
import { gridFromSpec, withCloseOutDates } from '../dist/src/simulation/grid.js';
import { buildCrossAssetModel } from '../dist/src/simulation/crossAsset/model.js';
import { simulatePaths } from '../dist/src/simulation/crossAsset/simulate.js';
import { tradeMaturity } from '../dist/src/products/types.js';

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
const nPaths = Number(positional[0] ?? 5000);
const stride = Number(positional[1] ?? 20);
const flag = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const saveFile = flag('--save');
const compareFile = flag('--compare');

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-valuation-'));
let market;
let portfolio;
try {
  const book = generateBook('utb-20k', 42);
  writeBook(book, join(dir, 'book'), 'parquet');
  ({ market, portfolio } = await loadSimulationInputs(join(dir, 'book'), join(dir, 'book', 'market.yaml')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const tradesBySet = new Map();
for (const t of portfolio.trades) {
  if (!tradesBySet.has(t.nettingSetId)) tradesBySet.set(t.nettingSetId, []);
  tradesBySet.get(t.nettingSetId).push(t);
}
const sample = portfolio.nettingSets
  .filter((_, i) => i % stride === 0)
  .map((ns) => ({ ns, trades: (tradesBySet.get(ns.nettingSetId) ?? []).filter((t) => unsupportedReason(t, market) === undefined) }))
  .filter((s) => s.trades.length > 0);
const allTrades = sample.flatMap((s) => s.trades);
const layout = buildFactorLayout(market, factorNeeds(allTrades));
let lastMaturity = market.asOf;
for (const t of portfolio.trades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
const mpors = [...new Set(portfolio.nettingSets.filter((ns) => ns.csa && ns.marginPeriodOfRiskDays > 0).map((ns) => ns.marginPeriodOfRiskDays))];
const grid = withCloseOutDates(gridFromSpec({ kind: 'default' }, market.asOf, lastMaturity), mpors);
const exposureDates = exposureDateIndices(grid);
const crossAsset = buildCrossAssetModel(market, layout);
const model = valuationModelOf(crossAsset);
let t0 = performance.now();
const paths = simulatePaths(crossAsset, grid, 42, 0, nPaths, {});
const pathSeconds = (performance.now() - t0) / 1000;

const out = new Float64Array(nPaths);
const wPos = new Float64Array(nPaths);
const wNeg = new Float64Array(nPaths);
let compileMs = 0;
let valueMs = 0;
let eulerMs = 0;
let valueCells = 0;
let eulerCells = 0;
let checksum = 0;
const saved = [];
for (const { ns, trades } of sample) {
  t0 = performance.now();
  const kernel = compileNettingSet(trades, { market, model, grid, nettingSetId: ns.nettingSetId });
  compileMs += performance.now() - t0;
  const last = kernel.lastDateIndex;
  // Values on every date up to the last live date (exposure and close-out dates: a CSA set needs both).
  const values = new Float64Array((last + 1) * nPaths);
  t0 = performance.now();
  for (let d = 0; d <= last; d++) {
    kernel.valueAt(d, paths, out);
    values.set(out, d * nPaths);
  }
  valueMs += performance.now() - t0;
  valueCells += (last + 1) * nPaths;
  // Euler on the exposure dates: EPE weights 1/n on V > 0, ENE weights 1/n on V < 0 (the engine's shape).
  const epe = new Float64Array(trades.length);
  const ene = new Float64Array(trades.length);
  const twoPairs = kernel.accumulateTradeWeighted.length >= 6;
  let dates = 0;
  t0 = performance.now();
  for (const d of exposureDates) {
    if (d > last) break;
    for (let p = 0; p < nPaths; p++) {
      const v = values[d * nPaths + p];
      wPos[p] = v > 0 ? 1 / nPaths : 0;
      wNeg[p] = v < 0 ? -1 / nPaths : 0;
    }
    if (twoPairs) kernel.accumulateTradeWeighted(d, paths, wPos, epe, wNeg, ene);
    else {
      kernel.accumulateTradeWeighted(d, paths, wPos, epe);
      kernel.accumulateTradeWeighted(d, paths, wNeg, ene);
    }
    dates++;
  }
  eulerMs += performance.now() - t0;
  eulerCells += dates * nPaths;
  let gross = 0;
  for (let i = 0; i < values.length; i++) gross += Math.abs(values[i]);
  checksum += gross;
  // Kept for --save/--compare: every 10th path's values (the full set would be ~1 GB), all contributions.
  const kept = new Float64Array(Math.ceil(values.length / 10));
  for (let i = 0, k = 0; i < values.length; i += 10, k++) kept[k] = values[i];
  saved.push({ id: ns.nettingSetId, scale: gross / Math.max(values.length, 1), values: kept, epe, ene });
}
const trades = sample.reduce((a, s) => a + s.trades.length, 0);
console.log(`utb-20k sample: ${sample.length} netting sets (every ${stride}th), ${trades} trades, ${nPaths} paths, ${grid.dates.length} grid dates (${exposureDates.length} exposure); paths ${pathSeconds.toFixed(1)} s`);
console.log(`  compile   ${(compileMs / 1000).toFixed(2)} s`);
console.log(`  valueAt   ${(valueMs / 1000).toFixed(2)} s  ${(valueCells / (valueMs / 1000)).toExponential(3)} set-path-date values/s`);
console.log(`  Euler     ${(eulerMs / 1000).toFixed(2)} s  ${(eulerCells / (eulerMs / 1000)).toExponential(3)} set-path-date allocations/s (EPE and ENE weights)`);
console.log(`  total     ${((compileMs + valueMs + eulerMs) / 1000).toFixed(2)} s; checksum Σ|V| = ${checksum.toExponential(12)}`);

/** One flat Float64 file: per set [scale, nValues, nTrades, values..., epe..., ene...]. */
function pack(sets) {
  const total = sets.reduce((a, s) => a + 3 + s.values.length + 2 * s.epe.length, 0);
  const flat = new Float64Array(total);
  let k = 0;
  for (const s of sets) {
    flat[k++] = s.scale;
    flat[k++] = s.values.length;
    flat[k++] = s.epe.length;
    flat.set(s.values, k);
    k += s.values.length;
    flat.set(s.epe, k);
    k += s.epe.length;
    flat.set(s.ene, k);
    k += s.ene.length;
  }
  return flat;
}
function unpack(flat) {
  const sets = [];
  for (let k = 0; k < flat.length; ) {
    const scale = flat[k++];
    const nv = flat[k++];
    const nt = flat[k++];
    const values = flat.subarray(k, (k += nv));
    const epe = flat.subarray(k, (k += nt));
    const ene = flat.subarray(k, (k += nt));
    sets.push({ id: saved[sets.length]?.id, scale, values, epe, ene });
  }
  return sets;
}
if (saveFile) writeFileSync(saveFile, pack(saved));
if (compareFile) {
  const buf = readFileSync(compareFile);
  const ref = unpack(new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8));
  let worstValue = 0;
  let worstEuler = 0;
  let worstSet = '';
  for (let s = 0; s < ref.length; s++) {
    const a = ref[s];
    const b = saved[s];
    if (a.id !== b.id || a.values.length !== b.values.length) throw new Error(`set ${s}: different sample (${a.id} vs ${b.id})`);
    // Relative to the set's mean |V| per cell, and to the mean |V| for the contributions (both scale with the book).
    const scale = Math.max(a.scale, 1);
    for (let i = 0; i < a.values.length; i++) {
      const e = Math.abs(a.values[i] - b.values[i]) / scale;
      if (e > worstValue) {
        worstValue = e;
        worstSet = a.id;
      }
    }
    for (let i = 0; i < a.epe.length; i++) worstEuler = Math.max(worstEuler, Math.abs(a.epe[i] - b.epe[i]) / scale, Math.abs(a.ene[i] - b.ene[i]) / scale);
  }
  console.log(`  against ${compareFile}: max |ΔV| / mean|V| = ${worstValue.toExponential(2)} (${worstSet}), max |Δ Euler sum over dates| / mean|V| = ${worstEuler.toExponential(2)}`);
}
