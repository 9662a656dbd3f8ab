// The path simulation's normal draws alone: fillNormalBlock (Philox4x32-10 + AS241 on the WebAssembly kernel, the
// tails finished in TypeScript, each word's row copied into the caller's array) for the demo book's shape at 5,000
// paths: 42 driver streams × 113 blocks of four steps (452 grid dates). Prints ns per normal, best of `reps`.
// Build first: `npm run build`. Usage: node bench/draws.mjs [paths=5000] [streams=42] [blocks=113] [reps=5]
import { fillNormalBlock, setRngKernelsEnabled } from '../dist/src/simulation/rng/normal.js';

const [nPaths, nStreams, nBlocks, reps] = [5000, 42, 113, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
const normals = Array.from({ length: nStreams }, () => new Float64Array(4 * nPaths));
for (const kernel of [true, false]) {
  setRngKernelsEnabled(kernel);
  let best = Infinity;
  let check = 0;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    for (let b = 0; b < nBlocks; b++) for (let a = 0; a < nStreams; a++) fillNormalBlock(42, 0, nPaths, a, b, normals[a], false);
    best = Math.min(best, performance.now() - t0);
    check = normals.reduce((s, z) => s + z[17] + z[4 * nPaths - 1], 0);
  }
  const count = nPaths * nStreams * nBlocks * 4;
  console.log(`${kernel ? 'kernel' : 'TypeScript'}: ${count.toExponential(2)} normals in ${(best / 1000).toFixed(2)} s, ${((best * 1e6) / count).toFixed(1)} ns a normal (check ${check})`);
}
setRngKernelsEnabled(true);
