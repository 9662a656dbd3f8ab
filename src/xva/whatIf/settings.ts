/**
 * The settings of the run a what-if must reproduce: seed, paths, antithetic draws, collateral coverage, the time grid
 * (every date, the exposure flags and the close-out maps of the margin periods of risk) and the factors the run
 * simulated. From the manifest.json of `xva simulate --out DIR` (`--results DIR`), or from a run made in the same
 * command; with `xva simulate --cube`, the manifest's index of cube.arrow (cubeValues.ts). The grid is rebuilt from
 * the manifest's own date list, so the steps, and with them the counter-based
 * draws of every step, are those of the run whatever the grid spec was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addBusinessDays } from '../../conventions/calendar.js';
import { parseIsoDate, yearsBetween, type DateSerial } from '../../conventions/dates.js';
import { XvaInputError, XvaUsageError } from '../../errors.js';
import type { GridSpec } from '../../simulation/grid.js';
import type { TimeGrid } from '../../simulation/types.js';
import type { CubeIndex } from '../../exposure/cube.js';
import type { CubeSource } from './cubeValues.js';

export interface WhatIfSettings {
  paths: number;
  seed: number;
  antithetic: boolean;
  /**
   * The run's draws (absent: philox). Under 'sobol' the what-if draws each driver's Sobol coordinates by its slot
   * among the run's factors (runFactors) through the Brownian bridge over the run's whole grid, as the run did.
   */
  rng?: 'philox' | 'sobol';
  /** Collateral coverage factor of the run (1 = the CSAs as written). */
  coverage: number;
  pfeQuantile: number;
  /** The run's grid (close-out dates included). */
  grid: TimeGrid;
  /** The grid spec of the run, to extend the grid for a new trade maturing after its last date. */
  gridSpec: GridSpec;
  /** The factors the run simulated (manifest `model.factors`), e.g. IR:USD, FX:EURUSD, CR:ACME. */
  runFactors: readonly string[];
  /** Trades the run left out (--skip-unsupported): left out of their netting sets here too. */
  skippedTradeIds: ReadonlySet<string>;
  /** Input files of the run with their SHA-256, to tell when the book or market changed since. */
  inputHashes: ReadonlyMap<string, { path: string; sha256: string }>;
  /** The run's cube (`--cube`) with its index: the netting sets' values are read from it (cubeValues.ts). */
  cube?: CubeSource;
}

/** Index of the last date on or before `date` (0 when none). */
function lastOnOrBefore(dates: Int32Array, date: DateSerial): number {
  let lo = 0;
  let hi = dates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (dates[mid]! <= date) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A TimeGrid from its dates and exposure flags with the close-out maps of `mporDays`, computed as
 * simulation/grid.ts's withCloseOutDates does: lag[i] = the last grid date on or before dates[i] − m business days.
 */
export function gridFromDates(asOf: DateSerial, dates: Int32Array, exposureDate: Uint8Array, mporDays: readonly number[]): TimeGrid {
  const n = dates.length;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = yearsBetween(asOf, dates[i]!);
  const lagIndex = new Map<number, Int32Array>();
  for (const m of mporDays) {
    const lags = new Int32Array(n);
    for (let i = 1; i < n; i++) lags[i] = lastOnOrBefore(dates, addBusinessDays(dates[i]!, -m));
    lagIndex.set(m, lags);
  }
  return { asOf, dates, times, exposureDate, lagIndex };
}

interface Manifest {
  command?: string;
  paths?: number;
  options?: { seed?: number; antithetic?: boolean; rng?: string; coverage?: number; pfeQuantile?: number; grid?: GridSpec; dynamicIm?: boolean };
  grid?: { asOf?: string; dateList?: string[]; exposureDateFlags?: number[]; marginPeriodsOfRiskDays?: number[] };
  model?: { factors?: string[] };
  skipped?: { tradeId: string }[];
  inputs?: Record<string, { path: string; sha256: string }>;
  cube?: Partial<CubeIndex>;
}

/** The manifest's cube section as a CubeSource (file next to the manifest), or an input error naming the field. */
function cubeOf(resultsDir: string, cube: Partial<CubeIndex> | undefined, bad: (column: string, value: unknown, expected: string) => XvaInputError): CubeSource | undefined {
  if (cube === undefined) return undefined;
  if (typeof cube.file !== 'string' || cube.file.includes('/') || cube.file.includes('\\')) throw bad('cube.file', cube.file, 'the cube file name (cube.arrow)');
  const sets = cube.nettingSets;
  if (!Array.isArray(sets)) throw bad('cube.nettingSets', sets, 'the list of netting sets with their record batch');
  sets.forEach((e, i) => {
    if (typeof e?.nettingSetId !== 'string' || !Number.isInteger(e.batch) || e.batch < 0 || !Number.isInteger(e.lastDateIndex)) {
      throw bad(`cube.nettingSets[${i}]`, e, '{ nettingSetId, batch, lastDateIndex }');
    }
  });
  const index: CubeIndex = {
    file: cube.file,
    layout: Number.isInteger(cube.layout) ? cube.layout! : 1,
    precision: cube.precision ?? 'float32',
    paths: Number.isInteger(cube.paths) ? cube.paths! : 0,
    numeraireBatch: cube.numeraireBatch ?? 0,
    nettingSets: sets,
  };
  return { file: path.join(resultsDir, cube.file), index };
}

/**
 * The settings of a previous `xva simulate --out DIR`, from DIR/manifest.json. `use` names what re-runs the engine on
 * the run's paths (the what-if's new trades, by default; `--incremental`'s runs), for the refusal of a run that held a
 * dynamic IM profile, which the manifest does not carry.
 */
export function settingsFromManifest(resultsDir: string, use: { flag: string; what: string } = { flag: '--what-if', what: 'a what-if cannot recompute for a new trade' }): WhatIfSettings {
  const file = 'manifest.json';
  const full = path.join(resultsDir, file);
  if (!fs.existsSync(full)) throw new XvaInputError([{ file, value: `not found in ${resultsDir}`, expected: 'the manifest of xva simulate --out DIR (the what-if regenerates its paths)' }]);
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(full, 'utf8')) as Manifest;
  } catch (error) {
    throw new XvaInputError([{ file, value: `unreadable (${(error as Error).message})`, expected: 'the JSON manifest written by xva simulate' }]);
  }
  const bad = (column: string, value: unknown, expected: string) => new XvaInputError([{ file, column, value: JSON.stringify(value) ?? 'missing', expected }]);
  if (m.command !== 'simulate') throw bad('command', m.command, "'simulate': the manifest of an xva simulate run");
  if (m.options?.dynamicIm) throw new XvaUsageError(`${use.flag}: the run of --results held a dynamic IM profile (--dynamic-im), which ${use.what}; use a run without --dynamic-im`);
  const rng = m.options?.rng ?? 'philox';
  if (rng !== 'philox' && rng !== 'sobol') throw bad('options.rng', rng, "'philox' or 'sobol', the draws of xva simulate --rng");
  const paths = m.paths;
  if (!Number.isSafeInteger(paths) || paths! < 1) throw bad('paths', paths, 'a whole number of paths >= 1');
  const seed = m.options?.seed;
  if (!Number.isSafeInteger(seed) || seed! < 0) throw bad('options.seed', seed, 'the whole-number seed of the run');
  const g = m.grid;
  const asOf = g?.asOf !== undefined ? parseIsoDate(g.asOf) : undefined;
  if (asOf === undefined) throw bad('grid.asOf', g?.asOf, 'the as-of date of the run (YYYY-MM-DD)');
  const list = g?.dateList;
  const flags = g?.exposureDateFlags;
  if (!Array.isArray(list) || !Array.isArray(flags) || list.length !== flags.length || list.length === 0) {
    throw bad('grid.dateList', list?.length, 'the run\'s grid dates with one exposure flag each (manifest of xva simulate)');
  }
  const dates = new Int32Array(list.length);
  list.forEach((iso, i) => {
    const d = parseIsoDate(iso);
    if (d === undefined || (i > 0 && d <= dates[i - 1]!)) throw bad(`grid.dateList[${i}]`, iso, 'increasing ISO dates');
    dates[i] = d;
  });
  if (dates[0] !== asOf) throw bad('grid.dateList[0]', list[0], `the as-of date ${g!.asOf}`);
  const exposureDate = Uint8Array.from(flags, (f) => (f === 1 ? 1 : 0));
  const mpors = (g?.marginPeriodsOfRiskDays ?? []).filter((x) => Number.isInteger(x) && x > 0);
  const factors = m.model?.factors;
  if (!Array.isArray(factors) || factors.length === 0) throw bad('model.factors', factors, 'the list of simulated factors');
  const cube = cubeOf(resultsDir, m.cube, bad);
  return {
    paths: paths!,
    seed: seed!,
    antithetic: Boolean(m.options?.antithetic),
    ...(rng === 'sobol' ? { rng: 'sobol' as const } : {}),
    coverage: m.options?.coverage ?? 1,
    pfeQuantile: m.options?.pfeQuantile ?? 0.95,
    grid: gridFromDates(asOf, dates, exposureDate, mpors),
    gridSpec: m.options?.grid ?? { kind: 'default' },
    runFactors: factors,
    skippedTradeIds: new Set((m.skipped ?? []).map((s) => s.tradeId)),
    inputHashes: new Map(Object.entries(m.inputs ?? {})),
    ...(cube ? { cube } : {}),
  };
}
