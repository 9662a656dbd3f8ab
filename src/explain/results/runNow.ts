/**
 * `xva explain` without `--results`: the runs it needs, made now through the library and written as the nightly
 * batch writes them (`xva simulate`, `cva`, `capital`, `margin`, `optimize` with `--out`), into subfolders of one
 * results folder beside the report; read.ts then reads them back. One code path for both sources, and the tables
 * behind every figure of the report stay on disk for audit and for a later `--previous`.
 *
 * Kept small by default (500 paths, no SA-CVA bump and revalue, the optimiser with a few candidates per lever and no
 * stress of its candidates); the flags of `xva explain` change it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCapitalTables } from '../../capital/outputs.js';
import { runCapital } from '../../capital/run.js';
import { toIsoDate } from '../../conventions/dates.js';
import { simulateToFiles } from '../../exposure/simulate.js';
import { writeMarginTables } from '../../margin/outputs.js';
import { runMargin } from '../../margin/run.js';
import { DEFAULT_WEIGHTS } from '../../optimize/objective.js';
import { DEFAULT_LIMITS } from '../../optimize/plan.js';
import { runOptimize } from '../../optimize/run.js';
import type { Lever } from '../../optimize/types.js';
import { writeOptimizeOutputs } from '../../optimize/write.js';
import type { Scenario } from '../../scenarios/types.js';
import { parseGridSpec } from '../../simulation/grid.js';
import { DEFAULT_ANALYSIS } from '../../xva/analysis.js';
import { runXva } from '../../xva/run.js';

export interface RunNowOptions {
  portfolioDir: string;
  marketFile: string;
  /** Folder the runs write into (subfolders simulate/, xva/, capital/, margin/, optimize/). */
  resultsDir: string;
  paths: number;
  seed: number;
  /** The draws of every run (`--rng`): philox (default) or sobol, as each command takes it. */
  rng?: 'philox' | 'sobol';
  threads?: number;
  scenarios: readonly Scenario[];
  /** Dynamic IM and MVA in the margin run (a simulation of the SIMM netting sets). */
  mva: boolean;
  /** Undefined: no optimiser run. */
  optimize?: { paths: number; levers: readonly Lever[]; maxCandidatesPerLever: number };
  onProgress?: (stage: string) => void;
}

export const DEFAULT_EXPLAIN_PATHS = 500;
export const DEFAULT_OPTIMIZE_PATHS = 200;
export const DEFAULT_EXPLAIN_LEVERS: readonly Lever[] = ['novation', 'cva_hedge', 'collateral', 'csa'];
export const DEFAULT_EXPLAIN_CANDIDATES = 2;

/** Runs the engine's commands through the library; returns the notes of the runs (what was run and how). */
export async function runNow(options: RunNowOptions): Promise<string[]> {
  const notes: string[] = [];
  const grid = parseGridSpec('default');
  const threads = options.threads ?? os.availableParallelism();
  const dir = (name: string) => path.join(options.resultsDir, name);
  const { paths, seed } = options;
  const rng = options.rng === 'sobol' ? { rng: 'sobol' as const } : {};

  options.onProgress?.('simulating the exposure');
  await simulateToFiles({ portfolioDir: options.portfolioDir, marketFile: options.marketFile, outDir: dir('simulate'), paths, seed, ...rng, grid, threads, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: false, format: 'arrow' });

  options.onProgress?.('CVA, DVA and FVA');
  const xva = await runXva({
    portfolioDir: options.portfolioDir,
    marketFile: options.marketFile,
    paths,
    seed,
    ...rng,
    grid,
    threads,
    xva: { discretisation: 'mid', mode: 'unilateral' },
    analysis: DEFAULT_ANALYSIS,
    scenarios: options.scenarios,
    cs01: true,
    outDir: dir('xva'),
  });
  notes.push(...xva.notes.map((n) => `xva: ${n}`));

  options.onProgress?.('capital and KVA');
  const capital = await runCapital({ portfolioDir: options.portfolioDir, marketFile: options.marketFile, convention: 'cre52', sacva: false, kva: true, paths, seed, ...rng, grid, scenarios: options.scenarios });
  writeCapitalTables(dir('capital'), capital);
  notes.push(...capital.notes.map((n) => `capital: ${n}`));

  options.onProgress?.('initial and variation margin');
  const margin = await runMargin({
    portfolioDir: options.portfolioDir,
    marketFile: options.marketFile,
    usePortfolio: true,
    scenarios: options.scenarios,
    ...(options.mva ? { dim: { paths, seed, ...rng } } : {}),
  });
  writeMarginTables(dir('margin'), margin);
  notes.push(...margin.notes.map((n) => `margin: ${n}`));

  if (options.optimize) {
    options.onProgress?.('optimiser');
    const o = options.optimize;
    const run = await runOptimize({
      portfolioDir: options.portfolioDir,
      marketFile: options.marketFile,
      paths: o.paths,
      seed,
      ...rng,
      threads,
      xva: { discretisation: 'mid', mode: 'unilateral' },
      levers: o.levers,
      weights: DEFAULT_WEIGHTS,
      limits: DEFAULT_LIMITS,
      maxCandidatesPerLever: o.maxCandidatesPerLever,
      scenarios: [],
      stressCandidates: 0,
      robust: false,
      log: () => {},
    });
    writeOptimizeOutputs(dir('optimize'), run, { asOf: toIsoDate(run.base.grid.asOf), paths: o.paths, seed, ...rng, portfolioDir: options.portfolioDir, marketFile: options.marketFile });
    notes.push(`optimize: levers ${o.levers.join(', ')}, at most ${o.maxCandidatesPerLever} candidate(s) each, ${o.paths} paths, not stressed (${run.stats.candidatesMeasured} measured)`);
    notes.push(...run.notes.map((n) => `optimize: ${n}`));
  } else {
    // no optimiser run: an earlier run's plan in this folder must not be read as this run's (results/stage.ts gives
    // explain a fresh folder; this keeps runNow right on its own, as the commands remove their optional tables)
    fs.rmSync(dir('optimize'), { recursive: true, force: true });
  }
  notes.push(`runs made now: ${paths} ${options.rng === 'sobol' ? 'Sobol ' : ''}paths, seed ${seed}, default grid; SA-CVA not computed (BA-CVA used, as xva capital without --sacva)`);
  return notes;
}
