/**
 * `xva simulate --shard K/N`: the exposure engine over shard K's netting sets, on the whole book's grid and the
 * correlation blocks of the book's factor layout its sets need (shardFactors.ts), so that its tables hold, row for
 * row, the figures a single run gives those sets; the manifest's `model` is the book's, `shard.factors` says what
 * the shard simulated. Writes the
 * tables of `xva simulate` (and the cube with --cube) plus manifest.json with a `shard` section into a temporary
 * folder renamed to `--out/shard-K-of-N` when complete (shardFolder.ts). An empty shard (more shards than
 * counterparties) writes its manifest alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../cli/paths.js';
import { XvaInternalError } from '../errors.js';
import type { InitialMarginProfile } from '../exposure/engine.js';
import { bookScheduleDim, SCHEDULE_DIM_METHOD } from '../margin/scheduleDim.js';
import { DIM_METHOD, bookUniverse, dimAsInitialMargin, dimAsPostedMargin, dimPortfolio, heldByBank, runDim, simmToday, type DimProfile } from '../margin/dim.js';
import type { Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import { runSimulation } from '../exposure/engine.js';
import { buildManifest, CubeWriter, sha256File, writeExposureTables, writeManifest } from '../exposure/outputs.js';
import type { SimulationResult } from '../exposure/results.js';
import { loadSimulationInputs, simulateOptionsRecord, type SimulateRunOptions } from '../exposure/simulate.js';
import type { CubeIndex, CubeSetDetail } from '../exposure/cube.js';
import { bookPlan, shardPlan, shardPortfolio, type ShardPlan } from './plan.js';
import { shardSection, shardTableHashes } from './manifest.js';
import { bookModelRecord, checkShardModel, shardFactors } from './shardFactors.js';
import { ShardFolder } from './shardFolder.js';
import type { ShardSpec } from './shardSpec.js';

export interface SimulateShardOptions extends SimulateRunOptions {
  shard: ShardSpec;
}

export interface SimulateShardResult {
  /** Undefined for an empty shard. */
  result?: SimulationResult;
  plan: ShardPlan;
  /** The committed folder `outDir/shard-K-of-N`. */
  folder: string;
  files: string[];
  manifest: Record<string, unknown>;
}

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function simulateShardToFiles(options: SimulateShardOptions): Promise<SimulateShardResult> {
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile, options.onWarning);
  const loadSeconds = (performance.now() - started) / 1000;
  const coverage = options.coverage ?? 1;
  const book = bookPlan(portfolio, market, { grid: options.grid, coverage, paths: options.paths });
  const plan = shardPlan(book, options.shard);

  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  // With the GPU backend the record holds the backend's notes before the run (adapter, placement): the device routing of the shard's own sets goes to
  // `shard.deviceRouting`, and the merge writes the single run's routing note from every shard's.
  const notesBefore = options.backend ? [...options.backend.notes] : undefined;
  const optionsRecord = simulateOptionsRecord(options);
  if (notesBefore) optionsRecord.backendNotes = notesBefore;
  const inputHashes: Record<string, string> = {};
  for (const [name, file] of Object.entries(inputs)) inputHashes[name] = sha256File(file);
  const factors = shardFactors(market, book, plan);
  const section = shardSection({ command: 'simulate', plan, bookNettingSetIds: book.nettingSetIds, grid: book.grid, inputHashes, options: optionsRecord, factors: factors.record });

  const folder = new ShardFolder(options.outDir, options.shard);
  let cube: CubeWriter | undefined;
  try {
    let result: SimulationResult | undefined;
    const files: string[] = [];
    let manifest: Record<string, unknown>;
    // --dynamic-im: the DIM of the shard's own simm sets, as the single run computes it (shardDynamicIm below)
    const dim = options.dynamicIm ? await shardDynamicIm(portfolio, market, options, new Set(plan.nettingSetIds)) : undefined;
    if (plan.nettingSetIds.length > 0) {
      const cubeFile = path.join(folder.tempDir, 'cube.arrow');
      result = await runSimulation({
        portfolio: shardPortfolio(portfolio, new Set(plan.nettingSetIds)),
        market,
        marketFile: options.marketFile,
        options: {
          ...(options.backend?.pathSimulator ? { pathSimulator: options.backend.pathSimulator } : {}),
          paths: options.paths,
          seed: options.seed,
          grid: book.grid,
          layoutNeeds: factors.needs!,
          threads: options.threads,
          antithetic: options.antithetic,
          // a shard's drivers keep the Sobol coordinates of the book's layout, so that its paths are the single run's
          ...(options.rng ? { rng: options.rng, sobolLayout: factors.bookLayout } : {}),
          pfeQuantile: options.pfeQuantile,
          coverage,
          skipUnsupported: options.skipUnsupported,
          cube: options.cube,
          ...(dim && dim.initialMarginProfiles.size > 0 ? { initialMarginProfiles: dim.initialMarginProfiles } : {}),
          ...(dim && dim.postedInitialMarginProfiles.size > 0 ? { postedInitialMarginProfiles: dim.postedInitialMarginProfiles } : {}),
        },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        ...(options.cube
          ? {
              onCube: (nettingSetId: string | null, values: Float32Array, nPaths: number, exposureDateSerials: Int32Array, detail: CubeSetDetail) => {
                cube ??= new CubeWriter(cubeFile, nPaths, exposureDateSerials, options.cubePrecision ?? 'float32');
                cube.write(nettingSetId, values, detail);
              },
            }
          : {}),
      });
      const writeStart = performance.now();
      files.push(...writeExposureTables(result, folder.tempDir, options.format));
      let cubeIndex: CubeIndex | undefined;
      if (cube) {
        await cube.close();
        cubeIndex = cube.index();
        cube = undefined;
        files.push(cubeFile);
      }
      result.timings.load = loadSeconds;
      result.timings.write = (performance.now() - writeStart) / 1000;
      result.timings.total = (performance.now() - started) / 1000;
      manifest = buildManifest(result, { version: packageVersion(), command: 'simulate', inputs, options: optionsRecord, files, ...(cubeIndex ? { cube: cubeIndex } : {}) });
      // the single run's model in its place (the merge compares it across shards and writes it); the shard's is part of it
      const bookModel = bookModelRecord(market, factors.bookLayout);
      checkShardModel(result.model, bookModel, factors.layout!);
      manifest.model = bookModel;
    } else {
      // more shards than counterparties: nothing to value, the manifest still says which shard ran on what
      manifest = {
        tool: 'xva',
        version: packageVersion(),
        command: 'simulate',
        inputs: Object.fromEntries(Object.entries(inputs).map(([name, file]) => [name, { path: file, sha256: inputHashes[name]! }])),
        options: optionsRecord,
        paths: options.paths,
        counts: { nettingSets: 0, counterparties: 0, trades: 0, skippedTrades: 0, tradePathDateValuations: 0 },
        skipped: [],
        timingsSeconds: { load: loadSeconds, total: (performance.now() - started) / 1000 },
        files: [],
      };
    }
    // after the fields buildManifest writes, as in a single run (the merge keeps this shard's key order)
    if (dim) manifest.dynamicInitialMargin = dim.section;
    const hashed = { ...section, files: shardTableHashes(folder.tempDir) };
    manifest.shard = options.backend?.deviceValuation ? { ...hashed, deviceRouting: options.backend.deviceValuation.routing } : hashed;
    writeManifest(folder.tempDir, manifest);
    const finalDir = folder.commit();
    return {
      ...(result ? { result } : {}),
      plan,
      folder: finalDir,
      files: [...files.map((f) => path.join(finalDir, path.basename(f))), path.join(finalDir, 'manifest.json')],
      manifest,
    };
  } catch (error) {
    cube?.abort();
    folder.abort();
    throw error;
  }
}

/** What a shard records of its dynamic IM: the single run's section for its own sets, plus their places in that run. */
export interface ShardDimSection {
  method: string;
  /** How the schedule sets' IM is projected (margin/scheduleDim.ts). */
  scheduleMethod: string;
  currency: 'USD';
  /** The shard's DIM sets, each with its position in the single run's DIM run (the merged list's order). */
  nettingSets: { nettingSetId: string; method: 'regression' | 'schedule'; imToday: number; dates: number; mva: number; position: number }[];
  /** Today's SIMM notes of the whole book (the same in every shard), then the shard's sets' notes with positions. */
  notes: string[];
  setNotes: { position: number; note: string }[];
}

/**
 * `--dynamic-im` in a shard. The single run computes today's SIMM of every im_model simm set of the book, then one DIM
 * run over those sets (margin/dim.ts runDim: their own grid from the spec, their own factor layout). The shard
 * computes today's SIMM of the whole book too (the same figures and notes; it is analytic), then runs the DIM of its
 * own simm sets on the single DIM run's grid and the blocks of that run's layout they need, so that their paths,
 * profiles and MVA are the single run's bit for bit; each profile is held as IM in the shard's exposure run.
 */
async function shardDynamicIm(
  portfolio: Portfolio,
  market: Market,
  options: SimulateShardOptions,
  shardSets: ReadonlySet<string>,
): Promise<{ initialMarginProfiles: Map<string, InitialMarginProfile>; postedInitialMarginProfiles: Map<string, InitialMarginProfile>; section: ShardDimSection }> {
  const mporDays = options.dynamicIm!.mporDays;
  options.onProgress?.(0, 'dynamic initial margin');
  const simmNotes: string[] = [];
  const simm = simmToday(portfolio, market, { mporDays }, simmNotes);
  for (const note of simmNotes) options.onWarning?.(note);
  // the single run's DIM run: its book order (the notes' places); its grid and layout are the whole book's
  const dimBook = bookPlan(dimPortfolio(portfolio, new Set(simm.keys())), market, { grid: options.grid, coverage: 1, paths: options.paths });
  const position = new Map(dimBook.nettingSetIds.map((id, i) => [id, i]));
  const own = new Map([...simm].filter(([id]) => shardSets.has(id)));
  const setNotes: { position: number; note: string }[] = [];
  const universe = bookUniverse(portfolio, market, options.grid, options.paths);
  let profiles: DimProfile[] = [];
  if (own.size > 0) {
    const runNotes: string[] = [];
    profiles = await runDim(
      portfolio,
      market,
      { paths: options.paths, seed: options.seed, ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}), ...(options.antithetic ? { antithetic: true } : {}), mporDays, simm: own, universe, onSetNote: (id, note) => setNotes.push({ position: position.get(id)!, note }) },
      runNotes,
    );
    for (const note of runNotes) options.onWarning?.(note);
    if (runNotes.length !== setNotes.length) {
      throw new XvaInternalError(`the DIM run of a shard gave notes not tied to a netting set (${runNotes.join('; ')}); the merge could not place them`);
    }
  }
  // the schedule sets' IM projected (no simulation), after the SIMM sets' in the single run, in the book's order
  portfolio.nettingSets.filter((n) => n.imModel === 'schedule').forEach((n, i) => position.set(n.nettingSetId, dimBook.nettingSetIds.length + i));
  profiles.push(
    ...bookScheduleDim(portfolio, market, universe.grid, (id, note) => {
      options.onWarning?.(note);
      setNotes.push({ position: position.get(id)!, note });
    }, shardSets),
  );
  return {
    initialMarginProfiles: dimAsInitialMargin(heldByBank(profiles, portfolio), market),
    postedInitialMarginProfiles: dimAsPostedMargin(profiles, market),
    section: {
      method: DIM_METHOD,
      currency: 'USD',
      scheduleMethod: SCHEDULE_DIM_METHOD,
      nettingSets: profiles.map((p) => ({ nettingSetId: p.nettingSetId, method: p.method ?? 'regression', imToday: p.expectedImCollect[0] ?? 0, dates: p.dates.length, mva: p.mva, position: position.get(p.nettingSetId)! })),
      notes: simmNotes,
      setNotes,
    },
  };
}
