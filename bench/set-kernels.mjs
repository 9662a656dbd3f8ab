// Micro-benchmark of the netting set's per-path loops after the valuation and of the normal draws, with their
// WebAssembly kernels and without (the TypeScript loops; the same bits either way): a margin call on every path
// (collateral.ts CollateralTracker.advanceTo), both sides of the Euler path weights (euler.ts eulerWeightsBoth) and
// four steps of normals (rng/normal.ts fillNormalBlock). Build first: `npm run build`.
//
// Values: 100 weekly dates × `paths` random walks of ±1M a week (both signs, calls both ways); a CSA with thresholds
// of 1M, MTAs of 250k and a rounding of 10k, daily calls; the Euler weights at every date with that collateral; the
// normals of one driver stream. Prints ns per path and date (per draw for the normals), the best of 3, the
// TypeScript loops then the kernels, twice, and a checksum that is the same for both.
// Usage: node bench/set-kernels.mjs [paths=5000]
import { computeCollateral, createCollateralTracker } from '../dist/src/exposure/collateral.js';
import { eulerWeightsBoth } from '../dist/src/exposure/euler.js';
import { pathMemory, useKernelMemory } from '../dist/src/exposure/valuation/wasm/poolKernels.js';
import { fillNormalBlock, setRngKernelsEnabled } from '../dist/src/simulation/rng/normal.js';

const nPaths = Number(process.argv[2] ?? 5000);
const nDates = 100;
const asOf = 20634; // 2026-06-30, a Tuesday: every weekly date is a business day
const dates = Int32Array.from({ length: nDates }, (_, d) => asOf + 7 * d);
const grid = {
  asOf,
  dates,
  times: Float64Array.from(dates, (x) => (x - asOf) / 365),
  exposureDate: new Uint8Array(nDates).fill(1),
  lagIndex: new Map([[10, Int32Array.from({ length: nDates }, (_, d) => Math.max(0, d - 2))]]),
};
const csa = {
  nettingSetId: 'NS', counterpartyId: 'CP', csa: true, thresholdCpty: 1e6, thresholdBank: 1e6, mtaCpty: 250_000, mtaBank: 250_000,
  independentAmountCpty: 0, independentAmountBank: 0, rounding: 10_000, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1,
  imModel: 'none', collateralCurrency: 'USD', cleared: false,
};
let seed = 12345;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
const values = new Float64Array(nDates * nPaths);
for (let d = 1; d < nDates; d++) for (let p = 0; p < nPaths; p++) values[d * nPaths + p] = values[(d - 1) * nPaths + p] + 2e6 * (uniform() - 0.5);
const options = { coverage: 1, fxToBase: 1, lastDateIndex: nDates - 1, exposureRowsOnly: true };
const collateral = new Float64Array(values.length);
computeCollateral(csa, values, grid, nPaths, options, collateral);

// the kernels' memory: the numeraire on it (eulerWeightsBoth's kernel reads it in place), one scratch slot
const memory = pathMemory(1, nDates * nPaths, nPaths, 1);
if (!memory) throw new Error('no WebAssembly SIMD in this Node: nothing to compare');
const numeraire = memory.make();
for (let i = 0; i < numeraire.length; i++) numeraire[i] = 1 + 0.001 * (i % 37);

const store = new Float64Array(values.length);
const epe = new Float64Array(nPaths);
const ene = new Float64Array(nPaths);
const residuals = new Float64Array(2);
const normals = new Float64Array(4 * nPaths);

function best(run, units) {
  let fastest = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return (fastest * 1e6) / units;
}

for (const on of [false, true, false, true]) {
  useKernelMemory(on ? memory.memory : undefined);
  setRngKernelsEnabled(on);
  const margin = best(() => {
    for (let r = 0; r < 5; r++) createCollateralTracker(csa, grid, nPaths, options, store).advanceTo(nDates - 1, values);
  }, 5 * nDates * nPaths);
  let check = 0;
  const euler = best(() => {
    for (let d = 0; d < nDates; d++) {
      eulerWeightsBoth(d, nPaths, values, numeraire, epe, ene, residuals, { collateral });
      check += epe[d] + ene[nPaths - 1 - d] + residuals[0];
    }
  }, nDates * nPaths);
  const draws = best(() => {
    for (let step = 0; step < 25; step++) fillNormalBlock(42, 0, nPaths, 3, step, normals);
  }, 25 * 4 * nPaths);
  for (let i = 0; i < store.length; i += 101) check += store[i];
  for (let i = 0; i < normals.length; i += 7) check += normals[i];
  console.log(
    `${on ? 'kernels   ' : 'TypeScript'}  margin call ${margin.toFixed(2)} ns/path·date  Euler weights ${euler.toFixed(2)} ns/path·date  ` +
      `normals ${draws.toFixed(2)} ns/draw  checksum ${check}`,
  );
}
