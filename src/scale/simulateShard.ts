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
import { XvaUsageError } from '../errors.js';
import { runSimulation } from '../exposure/engine.js';
import { buildManifest, CubeWriter, sha256File, writeExposureTables, writeManifest } from '../exposure/outputs.js';
import type { SimulationResult } from '../exposure/results.js';
import { loadSimulationInputs, simulateOptionsRecord, type SimulateRunOptions } from '../exposure/simulate.js';
import type { CubeIndex, CubeSetDetail } from '../exposure/cube.js';
import { bookPlan, shardPlan, shardPortfolio, type ShardPlan } from './plan.js';
import { shardSection } from './manifest.js';
import { bookModelRecord, checkShardModel, shardFactors } from './shardFactors.js';
import { ShardFolder } from './shardFolder.js';
import type { ShardSpec } from './shardSpec.js';

export interface SimulateShardOptions extends Omit<SimulateRunOptions, 'dynamicIm'> {
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
  if ((options as { dynamicIm?: unknown }).dynamicIm !== undefined) {
    throw new XvaUsageError('--dynamic-im is not supported with --shard (its regression DIM runs over the whole book); run it unsharded');
  }
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile);
  const loadSeconds = (performance.now() - started) / 1000;
  const coverage = options.coverage ?? 1;
  const book = bookPlan(portfolio, market, { grid: options.grid, coverage, paths: options.paths });
  const plan = shardPlan(book, options.shard);

  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  // shards: no dynamic IM (the command refuses it with --shard). With the GPU backend the record
  // holds the backend's notes before the run (adapter, placement): the device routing of the shard's own sets goes to
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
          pfeQuantile: options.pfeQuantile,
          coverage,
          skipUnsupported: options.skipUnsupported,
          cube: options.cube,
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
    manifest.shard = options.backend?.deviceValuation ? { ...section, deviceRouting: options.backend.deviceValuation.routing } : section;
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
