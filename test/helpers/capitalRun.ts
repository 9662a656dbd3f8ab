/**
 * The options of the small `xva capital` runs the KVA tests make on a book folder (test/data/kva_single_swap and
 * copies of it): KVA on 64 paths of seed 7, a quarterly grid, no SA-CVA, CRE52's conventions.
 */
import path from 'node:path';
import type { CapitalRunOptions } from '../../src/capital/run.js';
import { parseGridSpec } from '../../src/simulation/grid.js';

export function smallCapitalRun(dir: string, over: Partial<CapitalRunOptions> = {}): CapitalRunOptions {
  return {
    portfolioDir: dir,
    marketFile: path.join(dir, 'market.yaml'),
    convention: 'cre52',
    sacva: false,
    kva: true,
    paths: 64,
    seed: 7,
    grid: parseGridSpec('22,3M'),
    scenarios: [],
    ...over,
  };
}
