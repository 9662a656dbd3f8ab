/**
 * Merging the shards of `xva simulate`: each shard's tables hold its netting sets and counterparties with exactly
 * the figures of a single run (same paths, grid and layout; a counterparty never split), so the merge puts their rows
 * back in the book's order and writes them with the single run's writer (outputs.ts writeExposureTables). The book
 * table is recomputed from the netting sets' profiles added in the book's order, as the engine does (engine.ts
 * bookTotal: the book has no PFE, only sums). The cube is streamed shard by shard in the book's order, one record
 * batch per netting set, after the first shard's numeraire (the same in every shard). manifest.json is the first
 * shard's with the whole book's counts and skipped trades, the book's thread count and the merge's timings.
 */
import { routingNote, type DeviceRouting } from '../exposure/backends/gpu/valuation.js';
import fs from 'node:fs';
import path from 'node:path';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { parseIsoDate, yearsBetween } from '../conventions/dates.js';
import { XvaUsageError } from '../errors.js';
import { bookTotal } from '../exposure/engine.js';
import { CubeWriter, writeExposureTables, writeManifest, type TableFormat } from '../exposure/outputs.js';
import { CUBE_LAYOUT, type CubeIndex, type CubePrecision, type CubeSetDetail } from '../exposure/cube.js';
import type { AggregateProfile, CounterpartyResult, NettingSetResult, SimulationResult, SkippedTrade } from '../exposure/results.js';
import type { ExposureProfile } from '../exposure/types.js';
import type { TimeGrid } from '../simulation/types.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { LoadedShard, ShardSet } from './merge.js';
import { ShardTable } from './tables.js';
import type { ShardDimSection } from './simulateShard.js';

interface GridRecord {
  asOf: string;
  dateList: string[];
  exposureDateFlags: number[];
}

function gridOf(manifest: Record<string, unknown>, where: string): { grid: TimeGrid; exposureDates: Int32Array } {
  const g = manifest.grid as GridRecord | undefined;
  if (!g || !Array.isArray(g.dateList) || !Array.isArray(g.exposureDateFlags)) throw new XvaUsageError(`${where}/manifest.json has no grid dates`);
  const dates = Int32Array.from(g.dateList, (d) => parseIsoDate(d)!);
  const asOf = dates[0]!;
  const times = Float64Array.from(dates, (d) => yearsBetween(asOf, d));
  const exposureDate = Uint8Array.from(g.exposureDateFlags);
  const exposureDates = Int32Array.from([...exposureDate.keys()].filter((d) => exposureDate[d] === 1));
  return { grid: { asOf, dates, times, exposureDate, lagIndex: new Map() }, exposureDates };
}

/** Index of a day serial on the grid (exact); −1 (a null last_date: no live date) stays −1. */
function gridIndex(grid: TimeGrid, date: number, where: string): number {
  if (date === -1) return -1;
  const d = grid.dates.indexOf(date);
  if (d < 0) throw new XvaUsageError(`${where}: last_date is not a date of the run's grid`);
  return d;
}

interface ShardFigures {
  sets: NettingSetResult[];
  counterparties: CounterpartyResult[];
}

/** The netting sets and counterparties of one shard, from its tables. */
function readShardFigures(shard: LoadedShard, grid: TimeGrid, exposureDates: Int32Array, ext: string): ShardFigures {
  const m = exposureDates.length;
  const where = shard.name;
  const ns = ShardTable.read(shard.dir, 'exposure_netting_set', ext);
  const summary = ShardTable.read(shard.dir, 'netting_set_summary', ext);
  const trades = ShardTable.read(shard.dir, 'exposure_trade', ext);
  const cpt = ShardTable.read(shard.dir, 'exposure_counterparty', ext);
  const ids = summary.strings('netting_set_id');
  const expected = shard.section.nettingSetIds;
  if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
    throw new XvaUsageError(`${where}: netting_set_summary lists other netting sets than its manifest (${ids.length} vs ${expected.length}); re-run the shard`);
  }
  if (ns.numRows !== ids.length * m) throw new XvaUsageError(`${ns.where}: ${ns.numRows} rows, expected ${ids.length} netting sets × ${m} dates`);
  const cps = summary.strings('counterparty_id');
  const collateralised = summary.bools('collateralised');
  const mpor = summary.i32('margin_period_of_risk_days');
  const eepe = summary.f64('eepe');
  const epe1y = summary.f64('epe_1y');
  const lastDate = summary.datesOrMinusOne('last_date');
  const col = {
    epe: ns.f64('epe'),
    ene: ns.f64('ene'),
    ee: ns.f64('ee'),
    eee: ns.f64('eee'),
    pfe: ns.f64('pfe'),
    collateral: ns.f64('collateral'),
    epeStdError: ns.f64('epe_std_error'),
    epeVm: ns.f64('epe_vm'),
    eneVm: ns.f64('ene_vm'),
    collateralVm: ns.f64('collateral_vm'),
    times: ns.f64('time_years'),
  };
  // the exposure dates' times as the run wrote them (the grid's ACT/365F times; the same bits as yearsBetween)
  if (ids.length > 0) for (let k = 0; k < m; k++) (grid.times as Float64Array)[exposureDates[k]!] = col.times[k]!;

  // trades: rows grouped by netting set (book order), each trade's m dates together
  const tradeIds = trades.strings('trade_id');
  const tradeSets = trades.strings('netting_set_id');
  const epeC = trades.f64('epe_contribution');
  const eneC = trades.f64('ene_contribution');
  const epeVmC = trades.f64('epe_vm_contribution');
  const eneVmC = trades.f64('ene_vm_contribution');
  let row = 0;
  const sets: NettingSetResult[] = ids.map((id, i) => {
    const slice = (a: Float64Array): Float64Array => a.slice(i * m, (i + 1) * m);
    const profile = {
      nettingSetId: id,
      counterpartyId: cps[i]!,
      dateIndex: exposureDates,
      times: slice(col.times),
      epe: slice(col.epe),
      ene: slice(col.ene),
      ee: slice(col.ee),
      eee: slice(col.eee),
      pfe: slice(col.pfe),
      collateral: slice(col.collateral),
      epeStdError: slice(col.epeStdError),
      epeVm: slice(col.epeVm),
      eneVm: slice(col.eneVm),
      collateralVm: slice(col.collateralVm),
      epe1y: epe1y[i]!,
      eepe: eepe[i]!,
    } as ExposureProfile;
    const start = row;
    while (row < tradeSets.length && tradeSets[row] === id) row += m;
    const count = (row - start) / m;
    const setTradeIds: string[] = [];
    for (let t = 0; t < count; t++) setTradeIds.push(tradeIds[start + t * m]!);
    return {
      index: shard.section.nettingSetIndices[i]!,
      nettingSetId: id,
      counterpartyId: cps[i]!,
      collateralised: collateralised[i]!,
      marginPeriodOfRiskDays: mpor[i]!,
      profile,
      tradeIds: setTradeIds,
      tradeEpe: epeC.slice(start, row),
      tradeEne: eneC.slice(start, row),
      tradeEpeVm: epeVmC.slice(start, row),
      tradeEneVm: eneVmC.slice(start, row),
      lastDateIndex: gridIndex(grid, lastDate[i]!, summary.where),
    };
  });
  if (row !== tradeSets.length) throw new XvaUsageError(`${trades.where}: rows out of the netting sets' order; re-run the shard`);

  const cpIds = cpt.strings('counterparty_id');
  const cc = { epe: cpt.f64('epe'), ene: cpt.f64('ene'), ee: cpt.f64('ee'), eee: cpt.f64('eee'), pfe: cpt.f64('pfe'), collateral: cpt.f64('collateral'), epeStdError: cpt.f64('epe_std_error'), epeVm: cpt.f64('epe_vm'), eneVm: cpt.f64('ene_vm'), collateralVm: cpt.f64('collateral_vm') };
  const counterparties: CounterpartyResult[] = [];
  for (let r = 0; r < cpIds.length; r += m) {
    const id = cpIds[r]!;
    const slice = (a: Float64Array): Float64Array => a.slice(r, r + m);
    const own = sets.filter((s) => s.counterpartyId === id);
    counterparties.push({
      counterpartyId: id,
      nettingSetIds: own.map((s) => s.nettingSetId),
      epe: slice(cc.epe),
      ene: slice(cc.ene),
      ee: slice(cc.ee),
      eee: slice(cc.eee),
      pfe: slice(cc.pfe),
      collateral: slice(cc.collateral),
      epeStdError: slice(cc.epeStdError),
      epeVm: slice(cc.epeVm),
      eneVm: slice(cc.eneVm),
      collateralVm: slice(cc.collateralVm),
      epe1y: own.reduce((a, s) => a + s.profile.epe1y, 0),
      eepe: own.reduce((a, s) => a + s.profile.eepe, 0),
    });
  }
  return { sets, counterparties };
}

/** One record batch of a shard's cube.arrow (layout 2, src/exposure/cube.ts) back as CubeWriter.write's arguments. */
function cubeBatch(batch: RecordBatch, gridDates: Int32Array, lastDateIndex: number): { id: string | null; values: Float32Array; detail: CubeSetDetail } {
  const rows = batch.numRows;
  const id = batch.getChildAt(0)!.get(0) as string | null;
  // the stored values as they are (Float32 or, in a float64 cube, Float64): the writer stores them again bit for bit
  const floats = (column: number): Float32Array | Float64Array => {
    const child = batch.getChildAt(column)!.data[0]!.children[0]!;
    return (child.values as Float32Array | Float64Array).subarray(child.offset, child.offset + child.length);
  };
  const gridIndexColumn = batch.getChildAt(3);
  const closeOutColumn = batch.getChildAt(4);
  if (!gridIndexColumn || !closeOutColumn || !batch.getChildAt(6)) throw new XvaUsageError(`cube.arrow of another layout than ${CUBE_LAYOUT}: re-run the shard with this version of xva`);
  const gridIndex = new Int32Array(rows);
  const closeOutGridIndex = new Int32Array(rows);
  for (let k = 0; k < rows; k++) {
    gridIndex[k] = gridIndexColumn.get(k) as number;
    closeOutGridIndex[k] = (closeOutColumn.get(k) as number | null) ?? -1;
  }
  const values = floats(2);
  const detail: CubeSetDetail = { gridIndex, gridDates, lastDateIndex, closeOutGridIndex, closeOutValues: floats(6) };
  if (values instanceof Float32Array) return { id, values, detail };
  return { id, values: Float32Array.from(values), detail: { ...detail, values } };
}

/**
 * The merged cube.arrow: the first shard's numeraire batch, then every netting set's batch in the book's order (a
 * k-way merge of the shards' streams, each in book order), rewritten by CubeWriter so that the file and its index
 * are a single run's.
 */
function unreadableCube(shard: LoadedShard, error: unknown): XvaUsageError {
  return new XvaUsageError(`${shard.name}/cube.arrow is unreadable (${error instanceof Error ? error.message : String(error)}): re-run the shard`);
}

async function mergeCubes(shards: readonly LoadedShard[], outDir: string, nPaths: number, grid: TimeGrid, exposureDates: Int32Array, precision: CubePrecision): Promise<{ file: string; index: CubeIndex }> {
  const file = path.join(outDir, 'cube.arrow');
  const writer = new CubeWriter(file, nPaths, Int32Array.from(exposureDates, (d) => grid.dates[d]!), precision);
  const gridDates = Int32Array.from(grid.dates);
  try {
    const streams = await Promise.all(
      shards.map(async (shard) => {
        const handle = await fs.promises.open(path.join(shard.dir, 'cube.arrow'), 'r').catch(() => {
          throw new XvaUsageError(`${shard.name}/cube.arrow is missing: the shard ran without --cube? re-run it`);
        });
        const reader = await RecordBatchReader.from(handle).catch(async (error: unknown) => {
          await handle.close();
          throw unreadableCube(shard, error);
        });
        const index = (shard.manifest.cube as CubeIndex | undefined)?.nettingSets ?? [];
        const iterator = reader[Symbol.asyncIterator]();
        // a truncated or damaged file fails in Arrow's reader: named, as for the shard's tables (exit 2)
        const next = () => iterator.next().catch((error: unknown) => {
          throw unreadableCube(shard, error);
        });
        return { shard, handle, iterator: { next }, last: new Map(index.map((e) => [e.nettingSetId, e.lastDateIndex])) };
      }),
    );
    try {
      let first = true;
      for (const s of streams) {
        const next = await s.iterator.next();
        const numeraire = next.done ? undefined : cubeBatch(next.value, gridDates, gridDates.length - 1);
        if (!numeraire || numeraire.id !== null) throw new XvaUsageError(`${s.shard.name}/cube.arrow does not start with the numeraire`);
        if (first) writer.write(null, numeraire.values, numeraire.detail);
        first = false;
      }
      const order = streams
        .flatMap((s) => s.shard.section.nettingSetIndices.map((position, i) => ({ position, stream: s, id: s.shard.section.nettingSetIds[i]! })))
        .sort((a, b) => a.position - b.position);
      for (const { stream, id } of order) {
        const next = await stream.iterator.next();
        const batch = next.done ? undefined : cubeBatch(next.value, gridDates, stream.last.get(id) ?? -1);
        if (!batch || batch.id !== id) throw new XvaUsageError(`${stream.shard.name}/cube.arrow: expected netting set ${id}, found ${batch?.id ?? 'the end'}`);
        writer.write(id, batch.values, batch.detail);
      }
    } finally {
      for (const s of streams) await s.handle.close();
    }
    await writer.close();
    return { file, index: writer.index() };
  } catch (error) {
    writer.abort();
    throw error;
  }
}

export async function mergeSimulate(set: ShardSet, outDir: string, started: number): Promise<{ files: string[]; nettingSets: number; counterparties: number }> {
  const valued = set.shards.filter((s) => s.section.nettingSetIds.length > 0);
  const reference = valued[0];
  if (!reference) throw new XvaUsageError('merge: no shard holds a netting set (the book has no valued trades)');
  const options = reference.manifest.options as { format?: TableFormat; cube?: boolean; cubePrecision?: CubePrecision; threads?: number };
  const format: TableFormat = options.format === 'parquet' ? 'parquet' : 'arrow';
  const ext = format === 'parquet' ? '.parquet' : '.arrow';
  const { grid, exposureDates } = gridOf(reference.manifest, reference.name);
  const modelText = JSON.stringify(reference.manifest.model);
  const figures = valued.map((shard) => {
    if (JSON.stringify(shard.manifest.model) !== modelText) throw new XvaUsageError(`${shard.name}: its model differs from ${reference.name}'s (other calibration or factors)`);
    return readShardFigures(shard, grid, exposureDates, ext);
  });
  const nettingSets = figures.flatMap((f) => f.sets).sort((a, b) => a.index - b.index);
  const firstSet = new Map(nettingSets.map((s) => [s.counterpartyId, s.index] as const).reverse());
  const counterparties = figures.flatMap((f) => f.counterparties).sort((a, b) => firstSet.get(a.counterpartyId)! - firstSet.get(b.counterpartyId)!);
  const position = new Map(nettingSets.map((s) => [s.nettingSetId, s.index]));
  const skipped = valued
    .flatMap((s) => (s.manifest.skipped as SkippedTrade[] | undefined) ?? [])
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (position.get(a.t.nettingSetId) ?? 0) - (position.get(b.t.nettingSetId) ?? 0) || a.i - b.i)
    .map(({ t }) => t);
  const nPaths = Number(reference.manifest.paths);
  const counts = valued.map((s) => s.manifest.counts as Record<string, number>);
  const sum = (key: string): number => counts.reduce((a, c) => a + (c[key] ?? 0), 0);
  const result: SimulationResult = {
    grid,
    exposureDates,
    nPaths,
    nettingSets,
    counterparties,
    book: bookTotal(nettingSets, exposureDates.length),
    skipped,
    model: reference.manifest.model as Record<string, unknown>,
    threads: Math.max(1, Math.min(options.threads ?? 1, counterparties.length)),
    timings: {},
    valuations: sum('tradePathDateValuations'),
  };
  const files = writeExposureTables(result, outDir, format);
  let cubeIndex: CubeIndex | undefined;
  if (options.cube) {
    const cube = await mergeCubes(valued, outDir, nPaths, grid, exposureDates, options.cubePrecision === 'float64' ? 'float64' : 'float32');
    files.push(cube.file);
    cubeIndex = cube.index;
  }

  // manifest.json: the single run's, field for field (the reference shard's, whose inputs, options, grid and model
  // are every shard's by the run key), with the whole book's counts
  const manifest = structuredClone(reference.manifest);
  delete manifest.shard;
  manifest.threads = result.threads;
  manifest.counts = {
    nettingSets: nettingSets.length,
    counterparties: counterparties.length,
    trades: nettingSets.reduce((a, s) => a + s.tradeIds.length, 0),
    skippedTrades: skipped.length,
    tradePathDateValuations: result.valuations,
  };
  manifest.skipped = skipped;
  if (cubeIndex) manifest.cube = cubeIndex;
  if (manifest.dynamicInitialMargin !== undefined) manifest.dynamicInitialMargin = mergeDim(set);
  // GPU backend: the single run's notes end with the routing of the whole book (the shards', in the book's order)
  const routings = valued.map((s) => (s.manifest.shard as { deviceRouting?: DeviceRouting }).deviceRouting);
  if (routings.some((r) => r !== undefined)) {
    const merged: DeviceRouting = { device: [], figures: [], host: [] };
    for (const r of routings) {
      if (!r) throw new XvaUsageError('merge: some shards ran on the GPU backend and some did not; re-run them with one --backend');
      merged.device.push(...r.device);
      merged.figures!.push(...(r.figures ?? []));
      merged.host.push(...r.host);
    }
    merged.device.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    merged.figures!.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    merged.host.sort((a, b) => (position.get(a.nettingSetId) ?? 0) - (position.get(b.nettingSetId) ?? 0));
    const opts = manifest.options as { backendNotes?: string[] };
    opts.backendNotes = [...(opts.backendNotes ?? []), routingNote(merged)];
  }
  manifest.timingsSeconds = {
    merge: (performance.now() - started) / 1000,
    shards: Object.fromEntries(set.shards.map((s) => [s.name, (s.manifest.timingsSeconds as Record<string, number> | undefined)?.total ?? null])),
  };
  files.push(writeManifest(outDir, manifest));
  files.push(writeMergeRecord(set, outDir));
  return { files, nettingSets: nettingSets.length, counterparties: counterparties.length };
}

/**
 * `--dynamic-im`: the single run's manifest section from the shards' (simulateShard.ts ShardDimSection): the DIM sets
 * in the order of the single run's DIM run, today's SIMM notes (the whole book's, the same in every shard), then the
 * sets' notes in that order.
 */
function mergeDim(set: ShardSet): Record<string, unknown> {
  const sections = set.shards.map((s) => {
    const section = s.manifest.dynamicInitialMargin as ShardDimSection | undefined;
    if (!section || !Array.isArray(section.nettingSets) || !Array.isArray(section.setNotes)) throw new XvaUsageError(`${s.name}: manifest.json has no dynamicInitialMargin section of a --dynamic-im shard; re-run the shard`);
    return section;
  });
  const first = sections[0]!;
  for (let i = 1; i < sections.length; i++) {
    if (JSON.stringify(sections[i]!.notes) !== JSON.stringify(first.notes)) throw new XvaUsageError(`${set.shards[i]!.name}: its today's SIMM notes differ from ${set.shards[0]!.name}'s; re-run the shards with the same version of xva`);
  }
  const nettingSets = sections.flatMap((s) => s.nettingSets).sort((a, b) => a.position - b.position);
  const setNotes = sections.flatMap((s) => s.setNotes).sort((a, b) => a.position - b.position);
  return {
    method: first.method,
    scheduleMethod: first.scheduleMethod,
    currency: first.currency,
    nettingSets: nettingSets.map(({ position: _position, ...row }) => row),
    notes: [...first.notes, ...setNotes.map((n) => n.note)],
  };
}

/**
 * merge.json: which shards were merged (run key, folders, netting sets per shard, and how many of the book's market
 * factors each simulated), beside the single run's files.
 */
export function writeMergeRecord(set: ShardSet, outDir: string): string {
  const file = path.join(outDir, 'merge.json');
  const record = {
    tool: 'xva',
    command: 'merge',
    of: set.command,
    runKey: set.shards[0]!.section.runKey,
    shards: set.shards.map((s) => ({
      folder: s.name,
      shard: `${s.index}/${s.count}`,
      source: s.section.source,
      nettingSets: s.section.nettingSetIds.length,
      cost: s.section.cost,
      ...(s.section.factors ? { simulatedFactors: s.section.factors.simulated.length, bookFactors: s.section.factors.bookFactors } : {}),
    })),
    ignoredUnfinished: set.stale,
  };
  writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}
