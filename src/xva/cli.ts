/**
 * Flags shared by `xva cva` and `xva fva`, and their parsing into XvaRunOptions (every flag checked before any input
 * is read; a bad one is an XvaUsageError naming the flag, the value and what is accepted).
 */
import { pathsFlag, threadsFlag } from '../cli/threads.js';
import { Flags } from '@oclif/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../cli/paths.js';
import { XvaUsageError } from '../errors.js';
import { loadRunScenarios } from '../scenarios/load.js';
import { parseGridSpec } from '../simulation/grid.js';
import { DEFAULT_ANALYSIS } from './analysis.js';
import type { XvaRunOptions } from './run.js';
import { DEFAULT_MODES, DISCRETISATIONS, type DefaultMode, type Discretisation } from './weights.js';

export const DEFAULT_XVA_PATHS = 2000;

export const xvaFlags = {
  out: Flags.string({ description: 'Output folder for the Arrow tables (none written without it)', helpValue: 'DIR' }),
  results: Flags.string({ description: 'Read the exposure of a previous `xva simulate --out DIR` instead of simulating', helpValue: 'DIR' }),
  paths: Flags.string({ description: `Monte Carlo paths (default ${DEFAULT_XVA_PATHS})`, default: String(DEFAULT_XVA_PATHS), helpValue: 'N' }),
  seed: Flags.string({ description: 'Seed of the random numbers', default: '42', helpValue: 'N' }),
  rng: Flags.string({
    description: "Random numbers of the run this command makes: 'philox' (default) or 'sobol' (Sobol points with a Brownian bridge, as `xva simulate --rng sobol`)",
    options: ['philox', 'sobol'],
  }),
  grid: Flags.string({ description: "Time grid: 'default', 'COUNT,TENOR' like 81,3M, or a list like 1M,3M,1Y", default: 'default', helpValue: 'SPEC' }),
  threads: Flags.string({ description: 'Worker threads (default: all cores; 1 = in-process)', helpValue: 'N' }),
  discretisation: Flags.string({ description: "Exposure per default interval: 'mid' (trapezoid, default) or 'end' (ORE)", options: [...DISCRETISATIONS], default: 'mid' }),
  mode: Flags.string({ description: "'unilateral' (ORE, default), 'bilateral' (survival of the other party) or 'first-to-default'", options: [...DEFAULT_MODES], default: 'unilateral' }),
  top: Flags.string({ description: 'Counterparties printed (xva cva: by CVA; xva fva: by FCA); --json and the tables hold them all', default: String(DEFAULT_ANALYSIS.top), helpValue: 'N' }),
  concentration: Flags.string({ description: 'Concentration threshold, fraction of book CVA (xva cva prints the counterparties above it; both commands put them in --json)', default: String(DEFAULT_ANALYSIS.concentration), helpValue: 'F' }),
  materiality: Flags.string({ description: 'Netting sets with CVA above this amount (base currency) are listed (xva cva prints them; both commands put them in --json)', default: String(DEFAULT_ANALYSIS.materiality), helpValue: 'AMOUNT' }),
  scenario: Flags.string({ description: 'Apply one stress scenario file', helpValue: 'FILE', multiple: true }),
  scenarios: Flags.string({ description: "Apply every scenario in a folder ('default' = the bundled scenarios/)", helpValue: 'DIR' }),
  incremental: Flags.string({ description: 'Incremental allocation (with / without each trade, re-simulated) for this netting set', helpValue: 'NETTING_SET' }),
  'what-if': Flags.string({
    description:
      'Pre-deal what-if: incremental XVA of each new trade (trades-table columns) against its existing netting set, on the paths of the run (what_if.arrow). FILE: a trades table; or a folder with a trades table and, for swaps amortising by schedule, a notional_schedules table, for step-up rates a rate_schedules table',
    helpValue: 'FILE|DIR',
  }),
  'dynamic-im': Flags.boolean({
    description: 'Hold the expected dynamic IM (SIMM today and regression DIM of every im_model simm netting set; the schedule IM projected of every im_model schedule set) as IM collateral and post its expected IM posted (lowering DVA, not FBA), as `xva simulate --dynamic-im` and the optimiser measure',
    default: false,
  }),
  'mpor-days': Flags.string({ description: 'SIMM horizon of --dynamic-im in days (default 10)', options: ['10', '1'] }),
  cs01: Flags.boolean({ description: 'Credit sensitivities: the XVA change for +1bp on each quote (and all quotes) of every counterparty curve and of the own curve, on the base exposure (xva_cs01.arrow)', default: false }),
};

function whole(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new XvaUsageError(`--${flag} must be a whole number ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function positive(flag: string, text: string, max = Infinity): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > max) throw new XvaUsageError(`--${flag} must be a number 0 to ${max}, got '${text}'`);
  return value;
}

export interface ParsedXvaFlags {
  portfolio?: string | undefined;
  market?: string | undefined;
  out?: string | undefined;
  results?: string | undefined;
  paths: string;
  seed: string;
  rng?: string | undefined;
  grid: string;
  threads?: string | undefined;
  discretisation: string;
  mode: string;
  top: string;
  concentration: string;
  materiality: string;
  scenario?: string[] | undefined;
  scenarios?: string | undefined;
  incremental?: string | undefined;
  'what-if'?: string | undefined;
  'dynamic-im'?: boolean | undefined;
  'mpor-days'?: string | undefined;
  cs01?: boolean | undefined;
}

export function xvaRunOptions(flags: ParsedXvaFlags, portfolioDir: string, marketFile: string): XvaRunOptions {
  const paths = pathsFlag('paths', flags.paths);
  const seed = whole('seed', flags.seed, 0, 0xffffffff);
  const threads = flags.threads === undefined ? os.availableParallelism() : threadsFlag(flags.threads);
  const grid = parseGridSpec(flags.grid);
  const analysis = { top: whole('top', flags.top, 1), concentration: positive('concentration', flags.concentration, 1), materiality: positive('materiality', flags.materiality) };
  if (flags.results !== undefined && !fs.existsSync(path.resolve(flags.results))) throw new XvaUsageError(`--results: no folder ${flags.results}`);
  const whatIf = flags['what-if'];
  if (whatIf !== undefined && !fs.existsSync(path.resolve(whatIf))) throw new XvaUsageError(`--what-if: no file or folder ${whatIf}`);
  const dynamicIm = flags['dynamic-im'] === true;
  if (flags['mpor-days'] !== undefined && !dynamicIm) throw new XvaUsageError('--mpor-days sets the SIMM horizon of --dynamic-im: give --dynamic-im too, or leave it out');
  if (dynamicIm) {
    if (flags.results !== undefined) throw new XvaUsageError('--dynamic-im with --results: the exposure read holds the IM of the run that wrote it; give --dynamic-im to that `xva simulate`');
    // both re-simulate sets without or with trades, whose dynamic IM would change too: not modelled
    if (flags.incremental !== undefined) throw new XvaUsageError('--dynamic-im with --incremental: the set without each trade would have another dynamic IM; not supported');
    if (whatIf !== undefined) throw new XvaUsageError('--dynamic-im with --what-if: a set with a new trade would have another dynamic IM; not supported');
  }
  const rng = flags.rng as 'philox' | 'sobol' | undefined;
  if (rng !== undefined && flags.results !== undefined) {
    throw new XvaUsageError(`--rng with --results: the exposure read was drawn by the run that wrote it (its manifest's options.rng); give --rng to that \`xva simulate\``);
  }
  const scenarios = loadRunScenarios(flags.scenario, flags.scenarios, path.join(packageRoot(), 'scenarios'));
  return {
    portfolioDir,
    marketFile,
    ...(flags.results !== undefined ? { resultsDir: path.resolve(flags.results) } : {}),
    paths,
    seed,
    ...(rng === 'sobol' ? { rng } : {}),
    grid,
    threads,
    xva: { discretisation: flags.discretisation as Discretisation, mode: flags.mode as DefaultMode },
    analysis,
    scenarios,
    ...(flags.incremental !== undefined ? { incremental: flags.incremental } : {}),
    ...(whatIf !== undefined ? { whatIf: path.resolve(whatIf) } : {}),
    ...(flags.out !== undefined ? { outDir: path.resolve(flags.out) } : {}),
    ...(dynamicIm ? { dynamicIm: { mporDays: flags['mpor-days'] === '1' ? (1 as const) : (10 as const) } } : {}),
    ...(flags.cs01 ? { cs01: true } : {}),
  };
}
