/**
 * The library entry of `xva simulate`: read and check the inputs, run the exposure engine, write the tables, the
 * optional cube and the manifest. Bad input throws XvaInputError (every problem at once) before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IssueCollector } from '../errors.js';
import { loadMarket } from '../market/load.js';
import { checkPortfolio } from '../portfolio/checks.js';
import { loadPortfolio } from '../portfolio/load.js';
import { packageRoot } from '../cli/paths.js';
import type { GridSpec } from '../simulation/grid.js';
import { runSimulation, type ProgressFn } from './engine.js';
import { buildManifest, CubeWriter, writeExposureTables, writeManifest, type TableFormat } from './outputs.js';
import type { SimulationResult } from './results.js';

export interface SimulateRunOptions {
  portfolioDir: string;
  marketFile: string;
  outDir: string;
  paths: number;
  seed: number;
  grid: GridSpec;
  threads: number;
  antithetic: boolean;
  pfeQuantile: number;
  /** Collateral coverage factor (0 to 1.2); default 1. */
  coverage?: number;
  skipUnsupported: boolean;
  cube: boolean;
  format: TableFormat;
  onProgress?: ProgressFn;
  onWarning?: (text: string) => void;
}

export interface SimulateRunResult {
  result: SimulationResult;
  /** Every file written, tables first, manifest last. */
  files: string[];
  manifest: Record<string, unknown>;
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Loads and checks the market and the portfolio; throws XvaInputError listing every problem. */
export async function loadSimulationInputs(portfolioDir: string, marketFile: string) {
  const issues = new IssueCollector(200);
  const market = loadMarket(marketFile);
  const portfolio = await loadPortfolio(portfolioDir, issues, { baseCurrency: market.baseCurrency });
  checkPortfolio(portfolio, market, issues, { marketFile: path.basename(marketFile) });
  issues.throwIfAny();
  return { market, portfolio };
}

export async function simulateToFiles(options: SimulateRunOptions): Promise<SimulateRunResult> {
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile);
  const loadSeconds = (performance.now() - started) / 1000;

  const cubeFile = path.join(options.outDir, 'cube.arrow');
  let cube: CubeWriter | undefined;
  let result: SimulationResult;
  try {
    result = await runSimulation({
      portfolio,
      market,
      marketFile: options.marketFile,
      options: {
        paths: options.paths,
        seed: options.seed,
        grid: options.grid,
        threads: options.threads,
        antithetic: options.antithetic,
        pfeQuantile: options.pfeQuantile,
        coverage: options.coverage ?? 1,
        skipUnsupported: options.skipUnsupported,
        cube: options.cube,
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.cube
        ? {
            onCube: (nettingSetId: string | null, values: Float32Array, nPaths: number, exposureDateSerials: Int32Array) => {
              cube ??= new CubeWriter(cubeFile, nPaths, exposureDateSerials);
              cube.write(nettingSetId, values);
            },
          }
        : {}),
    });
  } catch (error) {
    cube?.abort();
    throw error;
  }

  const writeStart = performance.now();
  const files = writeExposureTables(result, options.outDir, options.format);
  if (cube) {
    await cube.close();
    files.push(cubeFile);
  }
  result.timings.load = loadSeconds;
  result.timings.write = (performance.now() - writeStart) / 1000;
  result.timings.total = (performance.now() - started) / 1000;
  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  const manifest = buildManifest(result, {
    version: packageVersion(),
    command: 'simulate',
    inputs,
    options: {
      portfolio: path.resolve(options.portfolioDir),
      paths: options.paths,
      seed: options.seed,
      grid: options.grid,
      threads: options.threads,
      antithetic: options.antithetic,
      pfeQuantile: options.pfeQuantile,
      coverage: options.coverage ?? 1,
      skipUnsupported: options.skipUnsupported,
      cube: options.cube,
      format: options.format,
    },
    files,
  });
  files.push(writeManifest(options.outDir, manifest));
  return { result, files, manifest };
}
