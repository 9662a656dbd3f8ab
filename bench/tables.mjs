// The GPU backend's host half alone (issue 10): the node tables its kernels read, built and packed on one thread with
// no device, for every counterparty of the utb-20k book (seed 42) on the figures route, as a worker thread builds them
// (backends/gpu/figuresTables.ts counterpartyDeviceTables), the packed buffers handed back after each counterparty as
// the driving thread hands them back after their upload (tableMemory.ts). The paths are simulated on the host (their
// state ranges give the grids, as the device's do). On the H100 these tables set the pace of `xva simulate --backend
// gpu` (bench/README.md), and here they are timed without the software adapter's threads competing for the cores.
// Prints the seconds (best of `reps`), the tables' bytes, and a checksum of the packed reals (the same bits across
// versions that keep the numbers).
// It runs in a worker thread started as a GPU run starts its workers (pool.ts GPU_WORKER_YOUNG_GENERATION_MB), or
// with V8's default young generation under `--default-young`.
// Build first (`npm run build`). Usage: node bench/tables.mjs [paths=64] [reps=3] [--stride N: every N-th counterparty] [--default-young]
import { Worker, isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { GPU_WORKER_YOUNG_GENERATION_MB } from '../dist/src/exposure/pool.js';

if (isMainThread) {
  const young = process.argv.includes('--default-young') ? {} : { resourceLimits: { maxYoungGenerationSizeMb: GPU_WORKER_YOUNG_GENERATION_MB } };
  const worker = new Worker(fileURLToPath(import.meta.url), { argv: process.argv.slice(2), ...young });
  await new Promise((resolve, reject) => worker.on('exit', resolve).on('error', reject));
} else {
  await run();
}

async function run() {
  const { factorNeeds } = await import('../dist/src/exposure/engine.js');
  const { valuationModelOf } = await import('../dist/src/exposure/modelView.js');
  const { exposureDateIndices } = await import('../dist/src/exposure/profiles.js');
  const { unsupportedReason } = await import('../dist/src/exposure/valuation/index.js');
  const { buildFactorLayout } = await import('../dist/src/simulation/layout.js');
  const { gridFromSpec, withCloseOutDates } = await import('../dist/src/simulation/grid.js');
  const { buildCrossAssetModel } = await import('../dist/src/simulation/crossAsset/model.js');
  const { simulatePaths } = await import('../dist/src/simulation/crossAsset/simulate.js');
  const { tradeMaturity } = await import('../dist/src/products/types.js');
  const { counterpartyDeviceTables } = await import('../dist/src/exposure/backends/gpu/figuresTables.js');
  const { tableMemory, uploadedTableBuffers } = await import('../dist/src/exposure/backends/gpu/tableMemory.js');

  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
  const nPaths = Number(positional[0] ?? 64);
  const reps = Number(positional[1] ?? 3);
  const strideAt = process.argv.indexOf('--stride');
  const stride = strideAt > 0 ? Number(process.argv[strideAt + 1]) : 1;

  const { loadGeneratedBook } = await import('./book.mjs');
  const { market, portfolio } = await loadGeneratedBook('utb-20k', 42);

  // the book's counterparties and sets in book order (engine.ts bookOrder), supported trades only
  const tradesBySet = new Map();
  for (const t of portfolio.trades) {
    if (unsupportedReason(t, market) !== undefined) continue;
    if (!tradesBySet.has(t.nettingSetId)) tradesBySet.set(t.nettingSetId, []);
    tradesBySet.get(t.nettingSetId).push(t);
  }
  const byCp = new Map();
  let setIndex = 0;
  for (const nettingSet of portfolio.nettingSets) {
    const trades = tradesBySet.get(nettingSet.nettingSetId);
    if (!trades) continue;
    if (!byCp.has(nettingSet.counterpartyId)) byCp.set(nettingSet.counterpartyId, { index: byCp.size, counterpartyId: nettingSet.counterpartyId, sets: [] });
    byCp.get(nettingSet.counterpartyId).sets.push({ index: setIndex++, nettingSet, trades });
  }
  const counterparties = [...byCp.values()].filter((_, i) => i % stride === 0);
  const allTrades = counterparties.flatMap((cp) => cp.sets.flatMap((s) => s.trades));
  const layout = buildFactorLayout(market, factorNeeds(allTrades));
  let lastMaturity = market.asOf;
  for (const t of allTrades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
  const mpors = [...new Set(portfolio.nettingSets.filter((ns) => ns.csa && ns.marginPeriodOfRiskDays > 0).map((ns) => ns.marginPeriodOfRiskDays))];
  const grid = withCloseOutDates(gridFromSpec({ kind: 'default' }, market.asOf, lastMaturity), mpors);
  const crossAsset = buildCrossAssetModel(market, layout);
  const paths = simulatePaths(crossAsset, grid, 42, 0, nPaths, {});
  const discount = market.discountCurve(market.baseCurrency);
  const ctx = {
    market,
    model: valuationModelOf(crossAsset),
    grid,
    paths,
    exposureDates: exposureDateIndices(grid),
    discountFactors: Float64Array.from(grid.times, (t) => discount.discount(t)),
    pfeQuantile: 0.95,
    coverage: 1,
    cube: false,
  };
  // where the factors sit in a device path block (tables.ts DeviceFactorIndex): only written into the packed ints
  const nC = layout.currencies.length;
  const nFx = layout.fxCurrencies.length;
  const nEq = layout.equities.length;
  const factors = { fxFactor0: nC, eqFactor0: nC + nFx, creditFactor0: nC + nFx + nEq, numeraireFactor: nC + nFx + nEq + layout.creditNames.length };

  let best = Infinity;
  let bytes = 0;
  let checksum = 0;
  let onRoute = 0;
  for (let r = 0; r < reps; r++) {
    bytes = 0;
    checksum = 0;
    onRoute = 0;
    const t0 = performance.now();
    for (const cp of counterparties) {
      const answers = counterpartyDeviceTables(ctx, cp, factors, true);
      for (const a of answers) {
        const t = a.tables;
        if (!t) continue;
        if (t.figures) onRoute++;
        for (const x of [t.reals, t.figures?.trades.reals]) {
          if (!x) continue;
          bytes += x.byteLength;
          for (let i = 0; i < x.length; i += 97) checksum += x[i];
        }
        bytes += t.ints.byteLength + (t.figures?.trades.ints.byteLength ?? 0);
      }
      // uploaded: handed back
      tableMemory.give(answers.flatMap((a) => uploadedTableBuffers(a.tables)));
    }
    const seconds = (performance.now() - t0) / 1000;
    best = Math.min(best, seconds);
    console.log(`rep ${r + 1}: ${seconds.toFixed(3)} s`);
  }
  console.log(
    `tables of ${counterparties.length} counterparties (${onRoute} sets on the figures route), ${nPaths} paths, ${grid.dates.length} dates: best ${best.toFixed(3)} s on one thread, ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB packed; checksum ${checksum}`,
  );
}
