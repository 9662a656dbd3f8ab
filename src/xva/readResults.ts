/**
 * `--results DIR`: the exposure of a previous `xva simulate --out DIR`, read back from its tables
 * (exposure_netting_set and exposure_trade, Arrow or Parquet, as its manifest.json lists them; docs/simulation.md)
 * instead of simulating again. A missing manifest, file or column is an XvaInputError naming the file, column and what
 * was expected.
 */
import fs from 'node:fs';
import { sha256File } from '../exposure/outputs.js';
import path from 'node:path';
import { decodeArrowIpc } from '../io/arrowIpc.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { XvaInputError } from '../errors.js';
import type { Currency } from '../products/types.js';
import type { ExposureSet } from './compute.js';

/**
 * The run's files, from its manifest.json (written last, after every table: outputs.ts writeExposureTables removes a
 * previous run's manifest before writing). So a folder read here is one whole run: a run stopped part way has no
 * manifest, and a run in another --format is not mistaken for this one's (the manifest names the files it wrote).
 */
function runFiles(dir: string): string[] {
  return runManifest(dir).files;
}

/** The draws of the run in `dir` (its manifest's options.rng; philox when absent). */
export function resultsRng(dir: string): 'philox' | 'sobol' {
  return runManifest(dir).rng;
}

/** The collateral coverage the run in `dir` simulated at (its manifest's options.coverage; 1 when not recorded). */
export function resultsCoverage(dir: string): number {
  return runManifest(dir).coverage;
}

function runManifest(dir: string): { files: string[]; rng: 'philox' | 'sobol'; coverage: number } {
  const file = 'manifest.json';
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    throw new XvaInputError([{ file, value: `not found in ${dir}`, expected: 'the output folder of a finished xva simulate (--out DIR) or xva merge: its manifest.json is written last, so a run stopped part way has none (run it again)' }]);
  }
  let manifest: { command?: unknown; files?: unknown; options?: { rng?: unknown; coverage?: unknown } };
  try {
    manifest = JSON.parse(fs.readFileSync(full, 'utf8')) as typeof manifest;
  } catch (error) {
    throw new XvaInputError([{ file, value: `unreadable (${(error as Error).message})`, expected: 'the JSON manifest written by xva simulate' }]);
  }
  if (manifest.command !== 'simulate') throw new XvaInputError([{ file, column: 'command', value: JSON.stringify(manifest.command) ?? 'missing', expected: "'simulate': the manifest of an xva simulate (or merged) run" }]);
  if (!Array.isArray(manifest.files) || manifest.files.some((f) => typeof f !== 'string')) throw new XvaInputError([{ file, column: 'files', value: JSON.stringify(manifest.files) ?? 'missing', expected: 'the list of the files the run wrote' }]);
  const rng = manifest.options?.rng ?? 'philox';
  if (rng !== 'philox' && rng !== 'sobol') throw new XvaInputError([{ file, column: 'options.rng', value: JSON.stringify(rng), expected: "'philox' or 'sobol', the draws of xva simulate --rng" }]);
  const coverage = manifest.options?.coverage ?? 1;
  if (typeof coverage !== 'number' || !Number.isFinite(coverage) || coverage < 0) throw new XvaInputError([{ file, column: 'options.coverage', value: JSON.stringify(coverage), expected: 'the collateral coverage of xva simulate --coverage, a number from 0' }]);
  return { files: manifest.files as string[], rng, coverage };
}

/**
 * The inputs of the run in `dir` that differ from `current` (name → file path now read), each with the path the run
 * read (its manifest's `inputs`: path and SHA-256). Files the run did not record are not compared. Used by
 * `--results`, whose figures combine that run's exposure with the inputs read now.
 */
export function resultsInputsDiffering(dir: string, current: Readonly<Record<string, string>>): { name: string; file: string; runFile: string }[] {
  let inputs: Record<string, { path?: unknown; sha256?: unknown }> | undefined;
  try {
    inputs = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { inputs?: typeof inputs }).inputs;
  } catch {
    return []; // runManifest reports an unreadable manifest
  }
  const out: { name: string; file: string; runFile: string }[] = [];
  for (const [name, file] of Object.entries(current)) {
    const was = inputs?.[name];
    if (!was || typeof was.sha256 !== 'string' || !fs.existsSync(file)) continue;
    if (sha256File(file) !== was.sha256) out.push({ name, file, runFile: typeof was.path === 'string' ? was.path : '?' });
  }
  return out;
}

function readArrowOrParquet(dir: string, files: readonly string[], base: string): { table: Table; file: string } {
  const name = files.find((f) => f === `${base}.arrow` || f === `${base}.parquet`);
  if (name === undefined) {
    throw new XvaInputError([{ file: 'manifest.json', column: 'files', value: files.join(', '), expected: `${base}.arrow or ${base}.parquet among the run's files (xva simulate --format arrow or parquet)` }]);
  }
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw new XvaInputError([{ file: name, value: `not found in ${dir}`, expected: 'the table the manifest lists (the folder lost a file of the run)' }]);
  try {
    const bytes = fs.readFileSync(file);
    const table = name.endsWith('.arrow') ? decodeArrowIpc(bytes) : tableFromIPC(readParquet(bytes).intoIPCStream());
    return { table, file: name };
  } catch (error) {
    throw new XvaInputError([{ file: name, value: `unreadable (${(error as Error).message})`, expected: 'a table written by xva simulate' }]);
  }
}

/** Columns that runs of earlier versions did not write (the exposures after VM only): re-run xva simulate. */
const NEWER_COLUMNS = new Set(['epe_vm', 'collateral_vm', 'epe_vm_contribution', 'ene_vm', 'ene_vm_contribution']);

function columnOf(t: { table: Table; file: string }, name: string): unknown[] {
  const vector = t.table.getChild(name);
  if (!vector) {
    const rerun = NEWER_COLUMNS.has(name) ? '; a run of an earlier xva version lacks it (FCA and FBA now read the exposures after VM only): run xva simulate again' : '';
    throw new XvaInputError([{ file: t.file, column: name, value: 'missing', expected: `the column ${name} of xva simulate's table (docs/simulation.md)${rerun}` }]);
  }
  return vector.toArray() as unknown[];
}

const num = (values: unknown[]): Float64Array => Float64Array.from(values as number[]);

/** Reads the netting sets' profiles and the trades' Euler contributions; rows are in the book's order. */
export function readExposureResults(dir: string, collateralCurrency?: (nettingSetId: string) => Currency | undefined): ExposureSet[] {
  const files = runFiles(dir);
  const sets = readArrowOrParquet(dir, files, 'exposure_netting_set');
  const ids = columnOf(sets, 'netting_set_id') as string[];
  const cps = columnOf(sets, 'counterparty_id') as string[];
  const times = num(columnOf(sets, 'time_years'));
  const epe = num(columnOf(sets, 'epe'));
  const ene = num(columnOf(sets, 'ene'));
  const collateral = num(columnOf(sets, 'collateral'));
  const se = num(columnOf(sets, 'epe_std_error'));
  const epeVm = num(columnOf(sets, 'epe_vm'));
  const collateralVm = num(columnOf(sets, 'collateral_vm'));
  const eneVm = num(columnOf(sets, 'ene_vm'));
  const out: ExposureSet[] = [];
  const byId = new Map<string, { set: ExposureSet; start: number }>();
  let start = 0;
  for (let r = 1; r <= ids.length; r++) {
    if (r < ids.length && ids[r] === ids[start]) continue;
    const id = ids[start]!;
    if (byId.has(id)) throw new XvaInputError([{ file: sets.file, row: r, column: 'netting_set_id', value: id, expected: "each netting set's rows together (as xva simulate writes them)" }]);
    const ccy = collateralCurrency?.(id);
    const set: ExposureSet = {
      nettingSetId: id,
      counterpartyId: cps[start]!,
      times: times.slice(start, r),
      epe: epe.slice(start, r),
      ene: ene.slice(start, r),
      collateral: collateral.slice(start, r),
      epeVm: epeVm.slice(start, r),
      eneVm: eneVm.slice(start, r),
      collateralVm: collateralVm.slice(start, r),
      epeStdError: se.slice(start, r),
      ...(ccy !== undefined ? { collateralCurrency: ccy } : {}),
      tradeIds: [],
      tradeEpe: new Float64Array(0),
      tradeEne: new Float64Array(0),
      tradeEpeVm: new Float64Array(0),
      tradeEneVm: new Float64Array(0),
    };
    out.push(set);
    byId.set(id, { set, start });
    start = r;
  }

  const trades = readArrowOrParquet(dir, files, 'exposure_trade');
  const tradeIds = columnOf(trades, 'trade_id') as string[];
  const tradeSets = columnOf(trades, 'netting_set_id') as string[];
  const epeC = num(columnOf(trades, 'epe_contribution'));
  const eneC = num(columnOf(trades, 'ene_contribution'));
  const epeVmC = num(columnOf(trades, 'epe_vm_contribution'));
  const eneVmC = num(columnOf(trades, 'ene_vm_contribution'));
  const rowsOf = new Map<string, number[]>();
  for (let r = 0; r < tradeIds.length; r++) {
    const list = rowsOf.get(tradeSets[r]!) ?? [];
    if (list.length === 0) rowsOf.set(tradeSets[r]!, list);
    list.push(r);
  }
  for (const [setId, rows] of rowsOf) {
    const entry = byId.get(setId);
    if (!entry) throw new XvaInputError([{ file: trades.file, row: rows[0]! + 1, column: 'netting_set_id', value: setId, expected: 'a netting set of exposure_netting_set' }]);
    const n = entry.set.times.length;
    if (rows.length % n !== 0) throw new XvaInputError([{ file: trades.file, column: 'trade_id', value: `${rows.length} rows for netting set ${setId}`, expected: `a multiple of its ${n} exposure dates` }]);
    const ids: string[] = [];
    const e = new Float64Array(rows.length);
    const f = new Float64Array(rows.length);
    const g = new Float64Array(rows.length);
    const h = new Float64Array(rows.length);
    rows.forEach((r, j) => {
      if (j % n === 0) ids.push(tradeIds[r]!);
      e[j] = epeC[r]!;
      f[j] = eneC[r]!;
      g[j] = epeVmC[r]!;
      h[j] = eneVmC[r]!;
    });
    entry.set.tradeIds = ids;
    entry.set.tradeEpe = e;
    entry.set.tradeEne = f;
    entry.set.tradeEpeVm = g;
    entry.set.tradeEneVm = h;
  }
  return out;
}
