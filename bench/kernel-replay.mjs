// The rate pools' WebAssembly kernels alone: one date's valuation and Euler scatter calls of a pool recorded, then
// replayed 50 times (best of 30), so that a change to a kernel is measured without the pool's per-date work (node
// tables, the flows' dot products) that bench/pools.mjs includes. Build first: `npm run build`.
//
// A pool of eight 10Y payer swaps (quarterly fixed and float coupons) on a quarterly grid, one-factor LGM (mean
// reversion 3%, normal vol 1%, flat 3%), 5,000 paths of the LGM state on a path memory with this thread's kernels:
//   - `one class`: the swaps start on the same day, so each fixing date has one fixing class (a single slot: the
//     kernels' one-class functions);
//   - `four classes`: starts a few days apart, so each fixing date has four classes (a power triple: three slots).
// EPE weights 1/n on V > 0 and ENE weights −1/n on V < 0 (the engine's uncollateralised pair). Prints ns per path.
// Usage: node bench/kernel-replay.mjs [paths=5000]
import { CurrencyPoolBuilder } from '../dist/src/exposure/valuation/ratePool.js';
import { FxLevels } from '../dist/src/exposure/valuation/fxLevels.js';
import { kernelsFor, pathMemory, useKernelMemory } from '../dist/src/exposure/valuation/wasm/poolKernels.js';

const nPaths = Number(process.argv[2] ?? 5000);
const nDates = 41;
const nTrades = 8;
const memory = pathMemory(2, nDates * nPaths, nPaths, 1);
if (!memory) throw new Error('no path memory: this Node cannot run the kernels');
useKernelMemory(memory.memory);
const xs = memory.make();
const numeraire = memory.make().fill(1);
const kappa = 0.03;
const sigma = 0.01;
const model = { H: (t) => (1 - Math.exp(-kappa * t)) / kappa, zeta: (t) => sigma * sigma * t, discount: (t) => Math.exp(-0.03 * t) };
const times = Float64Array.from({ length: nDates }, (_, d) => d / 4);
const lgm = { model, H: times.map(model.H), zeta: times.map(model.zeta), discount: times.map(model.discount) };
// x_t: Gaussian increments of variance ζ(t_d) − ζ(t_{d−1}) (a fixed LCG and Box-Muller: the same run every time)
let seed = 12345;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
for (let d = 1; d < nDates; d++) {
  const sd = Math.sqrt(lgm.zeta[d] - lgm.zeta[d - 1]);
  for (let p = 0; p < nPaths; p++) xs[d * nPaths + p] = xs[(d - 1) * nPaths + p] + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
const gridIndexAt = (t) => Math.min(nDates - 1, Math.floor(t * 4 + 1e-12));

function buildPool(kind) {
  const b = new CurrencyPoolBuilder(0, -1, lgm);
  for (let i = 0; i < nTrades; i++) {
    const start = kind === 'one class' ? 0.1 : 0.1 + 0.01 * (i % 4);
    const notional = 1e7 * (1 + (i % 5));
    const fixedRate = 0.03 + 0.001 * (i % 7);
    for (let k = 1; k <= 40; k++) {
      const pay = start + 0.25 * k;
      if (pay > 10) break;
      b.addBond(i, pay, -notional * fixedRate * 0.25, gridIndexAt(pay - 1e-9));
    }
    for (let s = start; s + 0.25 <= 10 + 1e-9; s += 0.25) {
      const e = s + 0.25;
      b.addBond(i, s, notional, gridIndexAt(s));
      b.addBond(i, e, -notional, gridIndexAt(s));
      b.addRunning(i, s, e, notional, gridIndexAt(s), gridIndexAt(e - 1e-9));
    }
  }
  return b.build(nDates);
}

const fxLevels = new FxLevels();
const paths = { nPaths, pathOffset: 0, irState: [xs], fxLog: [], eqLog: [], creditState: [], numeraire };
const kernels = kernelsFor(xs, nPaths);
const epe = new Float64Array(nTrades);
const ene = new Float64Array(nTrades);
const recorded = {};
const scatter = kernels.scatter.bind(kernels);
const values = kernels.values.bind(kernels);
kernels.scatter = (...args) => {
  recorded.scatter = args;
  scatter(...args);
};
kernels.values = (...args) => {
  recorded.values = args;
  values(...args);
};
const rows = [];
for (const kind of ['one class', 'four classes']) {
  const pool = buildPool(kind);
  const d = 20;
  kernels.out.fill(0);
  fxLevels.begin();
  pool.addValues(d, paths, kernels.out, fxLevels, false);
  for (let p = 0; p < nPaths; p++) {
    const v = kernels.out[p];
    kernels.wa[p] = v > 0 ? 1 / nPaths : 0;
    kernels.wb[p] = v < 0 ? -1 / nPaths : 0;
  }
  fxLevels.begin();
  pool.accumulateTradeWeighted(d, paths, kernels.wa, epe, kernels.wb, ene, fxLevels);
  const s = recorded.scatter;
  const v = recorded.values;
  let bestScatter = Infinity;
  let bestValues = Infinity;
  for (let r = 0; r < 30; r++) {
    let t0 = performance.now();
    for (let i = 0; i < 50; i++) scatter(...s);
    bestScatter = Math.min(bestScatter, performance.now() - t0);
    t0 = performance.now();
    for (let i = 0; i < 50; i++) values(...v);
    bestValues = Math.min(bestValues, performance.now() - t0);
  }
  rows.push({ pool: kind, slots: s[2], 'valuation ns/path': ((bestValues * 1e6) / (50 * nPaths)).toFixed(2), 'scatter ns/path': ((bestScatter * 1e6) / (50 * nPaths)).toFixed(2) });
}
console.log(`rate-pool kernels replayed: ${nPaths} paths, one date, best of 30 × 50 calls`);
console.table(rows);
