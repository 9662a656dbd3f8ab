/**
 * The market paths of a measurement context, simulated once and reused by every engine run of the context: the runs
 * of `xva optimize` value different netting sets on the very same paths (same seed, grid and factor layout), so
 * simulating them again per candidate only costs time. Keyed by seed, path count, antithetic flag, the Sobol streams
 * (under rng sobol), the layout's factor names and the grid's dates; the base layout's paths are kept for the whole run, and one other layout (an action
 * that adds a factor, e.g. a CDS hedge's reference name) at a time.
 */
import type { PathSimulator } from '../../exposure/engine.js';
import { pathBuffersForKernels } from '../../exposure/valuation/wasm/poolKernels.js';
import { simulatePaths } from '../../simulation/crossAsset/simulate.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';

function gridKey(grid: TimeGrid): string {
  // FNV-1a over the dates and the exposure flags: two grids with the same key give the same paths
  let h = 0x811c9dc5;
  for (let i = 0; i < grid.dates.length; i++) {
    h = Math.imul(h ^ grid.dates[i]!, 0x01000193);
    h = Math.imul(h ^ grid.exposureDate[i]!, 0x01000193);
  }
  return `${grid.asOf}:${grid.dates.length}:${(h >>> 0).toString(16)}`;
}

/** A PathSimulator that remembers the paths of the first layout it sees and of the latest other one. */
export function cachingPathSimulator(): PathSimulator & { readonly hits: () => number } {
  let first: { key: string; paths: SimulatedPaths } | undefined;
  let latest: { key: string; paths: SimulatedPaths } | undefined;
  let hits = 0;
  const simulator = async (
    model: Parameters<PathSimulator>[0],
    grid: TimeGrid,
    seed: number,
    nPaths: number,
    antithetic: boolean,
    _into?: SimulatedPaths,
    _defer?: boolean,
    sobol?: { streams: Uint32Array },
  ): Promise<SimulatedPaths> => {
    const key = `${seed}|${nPaths}|${antithetic}|${sobol ? `sobol:${sobol.streams.join(',')}` : 'philox'}|${model.layout.factorNames.join(',')}|${gridKey(grid)}`;
    for (const entry of [first, latest]) {
      if (entry && entry.key === key) {
        hits++;
        return entry.paths;
      }
    }
    // on a path memory, so that the engine's in-process runs value on the rate pools' kernels (wasm/poolKernels.ts)
    const into = pathBuffersForKernels(model.layout, grid.dates.length * nPaths, nPaths);
    const paths = simulatePaths(model, grid, seed, 0, nPaths, { antithetic, ...(sobol ? { sobol: { streams: sobol.streams } } : {}), ...(into ? { into } : {}) });
    if (!first) first = { key, paths };
    else latest = { key, paths };
    return paths;
  };
  return Object.assign(simulator, { hits: () => hits, sobol: true });
}
