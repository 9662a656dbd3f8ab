// The CDS legs' terms on paths alone (valuation/cds.ts compileCds): every CDS of the utb-20k book (seed 42) compiled
// and its terms asked for on every date of a monthly grid out to 10 years, as a netting set's valuation asks for them
// (the ISDA segment integrals per trade and date). Prints the best of `reps` in ms and a checksum of the terms (the same
// bits across versions that keep the numbers). Build first (`npm run build`).
// Usage: node bench/cds-terms.mjs [reps=3]
import { loadGeneratedBook } from './book.mjs';
import { factorNeeds } from '../dist/src/exposure/engine.js';
import { valuationModelOf } from '../dist/src/exposure/modelView.js';
import { buildFactorLayout } from '../dist/src/simulation/layout.js';
import { parseGrid } from '../dist/src/simulation/grid.js';
import { buildCrossAssetModel } from '../dist/src/simulation/crossAsset/model.js';
import { compileCds } from '../dist/src/exposure/valuation/cds.js';

const reps = Number(process.argv[2] ?? 3);
const { market, portfolio } = await loadGeneratedBook('utb-20k', 42);
const cds = portfolio.trades.filter((t) => t.product === 'CDS');
const model = valuationModelOf(buildCrossAssetModel(market, buildFactorLayout(market, factorNeeds(cds))));
const grid = parseGrid(Array.from({ length: 120 }, (_, i) => `${i + 1}M`).join(','), market.asOf);
let best = Infinity;
let checksum = 0;
for (let rep = 0; rep < reps; rep++) {
  const start = performance.now();
  checksum = 0;
  for (const trade of cds) {
    const curve = market.discountCurve(trade.currency);
    const terms = compileCds(trade, market, grid, model.credit(trade.referenceEntity), (u) => curve.discount(u));
    for (let d = 0; d < grid.times.length; d++) {
      const { amps, rates } = terms.at(d);
      for (let k = 0; k < amps.length; k++) checksum += amps[k] * (k + 1) + rates[k];
    }
  }
  best = Math.min(best, performance.now() - start);
}
console.log(`CDS terms of ${cds.length} CDS on ${grid.times.length} dates: best ${best.toFixed(1)} ms of ${reps}; checksum ${checksum}`);
