/**
 * The what-if tests' shared book and settings (test/xvaWhatIf*.test.ts): two netting sets cut from fixtures/demo
 * (NS-CP0029-1 uncollateralised; NS-CP0015-1 under a CSA with a 10-day MPoR), 600 paths, seed 11; the settings of a
 * run of it; and the ORE swap case's new-trades file with a pay swap mirroring one of its receivers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { XvaFigures, XvaOptions } from '../../src/xva/compute.js';
import type { WhatIfSettings } from '../../src/xva/whatIf/index.js';
import type { TimeGrid } from '../../src/simulation/types.js';

export const ROOT = path.resolve('.');
export const DEMO = path.join(ROOT, 'fixtures/demo');
export const PATHS = 600;
export const SEED = 11;
export const XVA: XvaOptions = { discretisation: 'mid', mode: 'bilateral' };
export const SETS = ['NS-CP0029-1', 'NS-CP0015-1'];
export const METRICS: (keyof XvaFigures)[] = ['cva', 'dva', 'fca', 'fba', 'colva'];

/** The settings of a run of PATHS paths, seed SEED, on `grid` and `factors` (no skips, full coverage). */
export function runSettings(grid: TimeGrid, factors: readonly string[], extra: Partial<WhatIfSettings> = {}): WhatIfSettings {
  return {
    paths: PATHS,
    seed: SEED,
    antithetic: false,
    coverage: 1,
    pfeQuantile: 0.95,
    grid,
    gridSpec: { kind: 'default' },
    runFactors: factors,
    skippedTradeIds: new Set(),
    inputHashes: new Map(),
    ...extra,
  };
}

/**
 * DIR/new_trades.csv holding the ORE swap case's (dataDir) trade `Swap` as NEW_PAY paying fixed: the mirror of one of
 * the set's two near-equal receivers, so X(set + mirror) is about half of X(set).
 */
export function writeMirrorSwapFile(dataDir: string, dir: string): string {
  const lines = fs.readFileSync(path.join(dataDir, 'trades.csv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const swap = lines.find((l) => l.startsWith('Swap,'))!.split(',');
  swap[head.indexOf('trade_id')] = 'NEW_PAY';
  swap[head.indexOf('direction')] = 'pay';
  const file = path.join(dir, 'new_trades.csv');
  fs.writeFileSync(file, `${lines[0]}\n${swap.join(',')}\n`);
  return file;
}
