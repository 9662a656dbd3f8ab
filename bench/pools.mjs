// Rate-pool kernel micro-benchmark: the per-path loops of src/exposure/valuation/ratePool.ts (`CurrencyPool`), the
// engine's hottest code, timed alone on synthetic but realistic pools, so that a change to them is measured in
// nanoseconds per pool and path without a whole simulation. Build first: `npx tsc -p .`.
//
// One currency, a one-factor LGM (mean reversion 3%, normal vol 1%, flat 3% curve) on a quarterly grid to 10Y; the
// states x_t are Brownian in ζ(t) (the LGM's state law), in the engine's date-major layout. A pool holds `trades`
// 10Y payer swaps (quarterly fixed coupons, quarterly float coupons), started up to 3 months apart so that their
// fixings fall between grid dates. Three pools:
//   - `bonds`: the fixed legs only (pooled flows, no running coupon): no fixing group;
//   - `1 group`: fixed and float legs, every fixing in the last grid interval: one fixing group per date;
//   - `2 groups`: half of the swaps with semi-annual float coupons, so that running coupons fixed in the two last
//     grid intervals are alive: two fixing groups.
// Timed per pool, over the grid dates 1..40 and `reps` repetitions: addValues (the valuation, keep = false),
// addValues(keep = true) followed by accumulateTradeWeighted with an EPE weight on V > 0 and an ENE weight on V < 0 (the
// engine's exposure-date pair), and the stencil reuse that keep buys. Prints ns per pool × path × date.
// With --kernels the paths and the rows live on a path memory with this thread's WebAssembly kernels
// (src/exposure/valuation/wasm/poolKernels.ts), as in a run; without it the TypeScript loops run. The checksum is the
// same either way (the same bits).
// Usage: node bench/pools.mjs [paths=5000] [trades=20] [reps=9] [--kernels]
import { CurrencyPoolBuilder } from '../dist/src/exposure/valuation/ratePool.js';
import { FxLevels } from '../dist/src/exposure/valuation/fxLevels.js';
import { kernelsFor, pathMemory, useKernelMemory } from '../dist/src/exposure/valuation/wasm/poolKernels.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const useKernels = process.argv.includes('--kernels');
const nPaths = Number(args[0] ?? 5000);
const nTrades = Number(args[1] ?? 20);
const reps = Number(args[2] ?? 9);

const kappa = 0.03;
const sigma = 0.01;
const rate = 0.03;
const model = {
  H: (t) => (1 - Math.exp(-kappa * t)) / kappa,
  zeta: (t) => sigma * sigma * t,
  discount: (t) => Math.exp(-rate * t),
};
const nDates = 41;
// arrays of the bench: plain, or on a path memory (four arrays: the states and numeraire of the two blocks)
let alloc = (length) => new Float64Array(length);
if (useKernels) {
  const memory = pathMemory(4, nDates * nPaths, nPaths, 1);
  if (!memory) throw new Error('no path memory: this Node cannot run the kernels');
  alloc = (length) => memory.make().subarray(0, length);
  useKernelMemory(memory.memory);
}
const times = Float64Array.from({ length: nDates }, (_, d) => d / 4);
const lgm = {
  model,
  H: times.map(model.H),
  zeta: times.map(model.zeta),
  discount: times.map(model.discount),
};

// x_t on every path: independent Gaussian increments with variance ζ(t_d) − ζ(t_{d−1}) (a fixed LCG + Box-Muller, so
// the run is the same every time)
let seed = 12345;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
const xs = alloc(nDates * nPaths);
for (let d = 1; d < nDates; d++) {
  const sd = Math.sqrt(lgm.zeta[d] - lgm.zeta[d - 1]);
  for (let p = 0; p < nPaths; p++) {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    xs[d * nPaths + p] = xs[(d - 1) * nPaths + p] + sd * z;
  }
}
const paths = { nPaths, pathOffset: 0, irState: [xs], fxLog: [], eqLog: [], creditState: [], numeraire: alloc(nDates * nPaths).fill(1) };

/** Last grid index on or before time t. */
const gridIndexAt = (t) => Math.min(nDates - 1, Math.floor(t * 4 + 1e-12));

function buildPool(kind) {
  const b = new CurrencyPoolBuilder(0, -1, lgm);
  for (let i = 0; i < nTrades; i++) {
    const start = (0.25 * i) / nTrades; // up to 3 months later than the first
    const notional = 1e7 * (1 + (i % 5));
    const fixedRate = 0.03 + 0.001 * (i % 7);
    for (let k = 1; k <= 40; k++) {
      const pay = start + 0.25 * k;
      if (pay > 10) break;
      b.addBond(i, pay, -notional * fixedRate * 0.25, gridIndexAt(pay - 1e-9));
    }
    if (kind === 'bonds') continue;
    const tenor = kind === '2 groups' && i % 2 === 1 ? 0.5 : 0.25;
    for (let s = start; s + tenor <= 10 + 1e-9; s += tenor) {
      const e = s + tenor;
      const last = gridIndexAt(e - 1e-9);
      const fix = gridIndexAt(s);
      // before the fixing: N·(P(t,s) − P(t,e)) as two pooled flows; after it: the running coupon
      b.addBond(i, s, notional, fix);
      b.addBond(i, e, -notional, fix);
      b.addRunning(i, s, e, notional, fix, last);
    }
  }
  return b.build(nDates);
}

/** The first m paths of `paths` as their own date-major block. */
function firstPaths(m) {
  const x = alloc(nDates * m);
  for (let d = 0; d < nDates; d++) x.set(xs.subarray(d * nPaths, d * nPaths + m), d * m);
  return { ...paths, nPaths: m, irState: [x], numeraire: alloc(nDates * m).fill(1) };
}

/**
 * Best-of-reps milliseconds of `body` over the grid dates 1..39 (the pools live to 10Y, grid index 40), after one
 * untimed pass (compilation and the first touch of the scratch memory, which made the split below negative at
 * small `reps`).
 */
function time(pool, block, body) {
  for (let d = 1; d < nDates - 1; d++) body(pool, block, d);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let d = 1; d < nDates - 1; d++) body(pool, block, d);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const fxLevels = new FxLevels();
const value = (pool, block, d) => {
  const out = scratch(block.nPaths).out;
  out.fill(0);
  fxLevels.begin();
  pool.addValues(d, block, out, fxLevels, false);
};
const valueKeepEuler = (pool, block, d) => {
  const { out, wEpe, wEne } = scratch(block.nPaths);
  out.fill(0);
  fxLevels.begin();
  pool.addValues(d, block, out, fxLevels, true);
  const n = block.nPaths;
  for (let i = 0; i < n; i++) {
    wEpe[i] = out[i] > 0 ? 1 / n : 0;
    wEne[i] = out[i] < 0 ? -1 / n : 0;
  }
  fxLevels.begin();
  pool.accumulateTradeWeighted(d, block, wEpe, epe, wEne, ene, fxLevels);
};
const scratches = new Map();
function scratch(n) {
  let s = scratches.get(n);
  const k = useKernels ? kernelsFor(xs, n) : undefined;
  if (!s) scratches.set(n, (s = k ? { out: k.out.subarray(0, n), wEpe: k.wa.subarray(0, n), wEne: k.wb.subarray(0, n) } : { out: new Float64Array(n), wEpe: new Float64Array(n), wEne: new Float64Array(n) }));
  return s;
}
const epe = new Float64Array(nTrades);
const ene = new Float64Array(nTrades);

// Two block sizes: the time per date is a + b·n, so the per-path part b and the per-date part a (node tables, the
// trades' dot products, prepare) come apart.
const small = firstPaths(Math.max(1, Math.floor(nPaths / 5)));
const dates = nDates - 2;
const rows = [];
let checksum = 0;
for (const kind of ['bonds', '1 group', '2 groups']) {
  const pool = buildPool(kind);
  const row = { pool: kind };
  for (const [label, body] of [['value', value], ['value+Euler', valueKeepEuler]]) {
    const tBig = time(pool, paths, body);
    const tSmall = time(pool, small, body);
    const perPath = ((tBig - tSmall) * 1e6) / (dates * (nPaths - small.nPaths));
    const perDate = (tBig * 1e3) / dates - (perPath * nPaths) / 1e3;
    // a split below 0 is the timer's noise, not a figure: said so (raise reps)
    row[`${label}: ns/path`] = perPath >= 0 ? perPath.toFixed(1) : 'noise';
    row[`${label}: µs/date`] = perDate >= 0 ? perDate.toFixed(1) : 'noise';
    row[`${label}: ns/path at ${nPaths}`] = ((tBig * 1e6) / (dates * nPaths)).toFixed(1);
  }
  const { out } = scratch(nPaths);
  for (let i = 0; i < nPaths; i++) checksum += Math.abs(out[i]);
  rows.push(row);
}
console.log(`rate pools: ${nTrades} swaps each, ${nPaths} and ${small.nPaths} paths, ${dates} dates, best of ${reps}, ${useKernels ? 'WebAssembly kernels' : 'TypeScript loops'}`);
console.table(rows);
console.log(`checksum Σ|V| (last timed date, ${nPaths} paths, all pools): ${checksum.toExponential(6)}`);
