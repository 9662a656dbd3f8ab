import { checkDimPaths } from '../src/margin/dim.js';
import { Flags } from '@oclif/core';
import { pathsFlag, threadsFlag } from '../src/cli/threads.js';
import os from 'node:os';
import path from 'node:path';
import { XvaCommand, portfolioFlags } from '../src/cli/base.js';
import { renderTable } from '../src/cli/table.js';
import { toIsoDate } from '../src/conventions/dates.js';
import { XvaUsageError } from '../src/errors.js';
import type { CubePrecision } from '../src/exposure/cube.js';
import type { TableFormat } from '../src/exposure/outputs.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { simulateToFiles } from '../src/exposure/simulate.js';
import { markOutputsWritten, trackMadeFolder } from '../src/io/tempFiles.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { defaultThreads, GPU_HOST_THREADS, selectBackend, type BackendName } from '../src/exposure/backends/gpu/index.js';
import { resolveShard, shardFlags } from '../src/scale/shardSpec.js';
import { simulateShardToFiles } from '../src/scale/simulateShard.js';

const TOP = 10;

function wholeNumber(flag: string, text: string, min: number, max?: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new XvaUsageError(`--${flag} must be a whole number ${max !== undefined ? `${min} to ${max}` : `>= ${min}`}, got '${text}'`);
  }
  return value;
}

function fraction(flag: string, text: string, lo: number, hi: number, open: boolean): number {
  const value = Number(text);
  const inside = open ? value > lo && value < hi : value >= lo && value <= hi;
  if (text.trim() === '' || !Number.isFinite(value) || !inside) {
    throw new XvaUsageError(`--${flag} must be a number in ${open ? '(' : '['}${lo}, ${hi}${open ? ')' : ']'}, got '${text}'`);
  }
  return value;
}

interface TopRow {
  nettingSetId: string;
  counterpartyId: string;
  trades: number;
  eepe: number;
  epe1y: number;
  peakEpe: number;
  peakPfe: number;
}

function topNettingSets(result: SimulationResult): TopRow[] {
  return result.nettingSets
    .map((s) => ({
      nettingSetId: s.nettingSetId,
      counterpartyId: s.counterpartyId,
      trades: s.tradeIds.length,
      eepe: s.profile.eepe,
      epe1y: s.profile.epe1y,
      peakEpe: Math.max(0, ...s.profile.epe),
      peakPfe: Math.max(0, ...s.profile.pfe),
    }))
    .sort((a, b) => b.eepe - a.eepe || (a.nettingSetId < b.nettingSetId ? -1 : 1))
    .slice(0, TOP);
}

function bookTotals(result: SimulationResult) {
  const { book, grid, exposureDates } = result;
  let peak = 0;
  let peakEne = 0;
  for (let k = 0; k < exposureDates.length; k++) {
    if (book.epe[k]! > book.epe[peak]!) peak = k;
    if (book.ene[k]! > book.ene[peakEne]!) peakEne = k;
  }
  return {
    nettingSets: result.nettingSets.length,
    counterparties: result.counterparties.length,
    trades: result.nettingSets.reduce((a, s) => a + s.tradeIds.length, 0),
    skippedTrades: result.skipped.length,
    paths: result.nPaths,
    exposureDates: exposureDates.length,
    eepeSum: result.nettingSets.reduce((a, s) => a + s.profile.eepe, 0),
    epeToday: book.epe[0] ?? 0,
    peakEpe: book.epe[peak] ?? 0,
    peakEpeDate: toIsoDate(grid.dates[exposureDates[peak] ?? 0]!),
    peakEne: book.ene[peakEne] ?? 0,
    peakEneDate: toIsoDate(grid.dates[exposureDates[peakEne] ?? 0]!),
  };
}

export default class Simulate extends XvaCommand {
  static override summary = 'Simulate the market and the book: exposure profiles per netting set, counterparty and book';

  static override description =
    'Cross-asset Monte Carlo (LGM per currency, FX, equities, credit; base-currency LGM measure), values every netting ' +
    'set on every path and date, applies collateral (CSA thresholds, MTA, independent amounts, rounding, margin period ' +
    'of risk), and writes discounted EPE/ENE, Basel EE/EEE/EEPE, PFE and per-trade Euler contributions as Arrow ' +
    '(or Parquet) tables with a manifest.json into --out. The same seed gives bit-identical tables whatever --threads. ' +
    'Files and columns: docs/simulation.md.';

  static override examples = [
    '<%= config.bin %> simulate --portfolio fixtures/demo --paths 2000',
    '<%= config.bin %> simulate --portfolio ./book --paths 5000 --seed 7 --grid 81,3M --out ./run1',
    '<%= config.bin %> simulate --portfolio ./book --grid 1W,1M,3M,6M,1Y,2Y,5Y,10Y --pfe-quantile 0.99 --json',
    '<%= config.bin %> simulate --portfolio ./book --skip-unsupported --cube --format parquet --threads 4',
    '<%= config.bin %> simulate --portfolio ./book --dynamic-im --paths 2000',
    '<%= config.bin %> simulate --portfolio ./book --paths 5000 --shard 2/8 --out ./shards',
    '<%= config.bin %> simulate --portfolio ./book --rng sobol --paths 4096',
  ];

  static override flags = {
    ...portfolioFlags,
    out: Flags.string({ description: 'Output folder for the Arrow/Parquet tables and manifest.json', helpValue: 'DIR', default: 'out' }),
    paths: Flags.string({ description: 'Monte Carlo paths (whole number >= 1)', default: '5000', helpValue: 'N' }),
    seed: Flags.string({ description: 'Seed of the random numbers (whole number, 0 to 4294967295)', default: '42', helpValue: 'N' }),
    grid: Flags.string({
      description: "Time grid: 'default' (weekly to 1M, monthly to 1Y, quarterly to 10Y, semi-annual after), 'COUNT,TENOR' like 81,6M, or a list like 1W,1M,3M,1Y",
      default: 'default',
      helpValue: 'SPEC',
    }),
    threads: Flags.string({ description: `Worker threads (default: all cores, at most ${GPU_HOST_THREADS} with --backend gpu; 1 = in-process)`, helpValue: 'N' }),
    antithetic: Flags.boolean({ description: 'Antithetic paths (pairs p, p+1 mirror each other)', default: false }),
    rng: Flags.string({
      description: "Random numbers: 'philox' (pseudo-random, counter-based) or 'sobol' (Sobol points with a Brownian bridge per driver, digitally shifted by --seed; on either backend)",
      options: ['philox', 'sobol'],
      default: 'philox',
    }),
    'pfe-quantile': Flags.string({ description: 'PFE quantile, in (0, 1)', default: '0.95', helpValue: 'Q' }),
    coverage: Flags.string({ description: 'Collateral coverage factor applied to the CSA (0 to 1.2)', default: '1', helpValue: 'F' }),
    'skip-unsupported': Flags.boolean({ description: 'Warn about and leave out trades the engine cannot value (default: error)', default: false }),
    cube: Flags.boolean({ description: 'Also write cube.arrow: path values per netting set and date (and MPoR close-out date)', default: false }),
    'cube-precision': Flags.string({ description: 'Precision of the cube\'s values (with --cube; default float32): float64 keeps the engine\'s values exactly (twice the size)', options: ['float32', 'float64'] }),
    format: Flags.string({ description: 'Format of the exposure tables', options: ['arrow', 'parquet'], default: 'arrow' }),
    'dynamic-im': Flags.boolean({
      description: 'Hold the expected dynamic IM (SIMM today and regression DIM of every im_model simm netting set; the schedule IM projected of every im_model schedule set) as IM collateral, and post its expected IM posted (lowering its ENE)',
      default: false,
    }),
    'mpor-days': Flags.string({ description: 'SIMM horizon of --dynamic-im in days (default 10)', options: ['10', '1'] }),
    backend: Flags.string({
      description: "Engine backend: 'cpu' (TypeScript, the reference), 'gpu' (WebGPU via the optional 'webgpu' package: normals, path simulation and every netting set's valuation on paths on the device, and on the figures route (the default) also collateral, PFE, Euler and counterparty totals; off it those run on the host's --threads), 'auto' (gpu when a hardware adapter exists, else cpu)",
      options: ['cpu', 'gpu', 'auto'],
      default: 'cpu',
    }),
    'allow-software': Flags.boolean({ description: 'Let --backend gpu|auto use a software (CPU-emulated) WebGPU adapter, e.g. Mesa llvmpipe (tests, CI)', default: false }),
    ...shardFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Simulate);
    this.setModes(flags);
    // every flag is checked before any input is read or any file written
    const paths = pathsFlag('paths', flags.paths);
    if (flags['mpor-days'] !== undefined && !flags['dynamic-im']) {
      throw new XvaUsageError('--mpor-days sets the SIMM horizon of --dynamic-im: give --dynamic-im too, or leave it out');
    }
    if (flags['allow-software'] && flags.backend === 'cpu') {
      throw new XvaUsageError('--allow-software lets --backend gpu or auto take a software adapter: give --backend gpu or auto, or leave it out');
    }
    if (flags['cube-precision'] !== undefined && !flags.cube) {
      throw new XvaUsageError('--cube-precision sets the precision of the path cube: give --cube too, or leave it out');
    }
    const cubePrecision = (flags['cube-precision'] ?? 'float32') as CubePrecision;
    if (flags['dynamic-im']) checkDimPaths(paths, '--dynamic-im');
    const seed = wholeNumber('seed', flags.seed, 0, 0xffffffff);
    if (seed > 0xffffffff) throw new XvaUsageError(`--seed must be at most ${0xffffffff}, got '${flags.seed}'`);
    const threadsGiven = flags.threads === undefined ? undefined : threadsFlag(flags.threads);
    const pfeQuantile = fraction('pfe-quantile', flags['pfe-quantile'], 0, 1, true);
    const coverage = fraction('coverage', flags.coverage, 0, 1.2, false);
    if (flags.antithetic && paths % 2 !== 0) throw new XvaUsageError(`--antithetic needs an even --paths, got ${paths}`);
    const rng = flags.rng as 'philox' | 'sobol';
    if (rng === 'sobol') {
      if (flags.antithetic) throw new XvaUsageError('--antithetic pairs pseudo-random draws: leave it out with --rng sobol (a Sobol point set is balanced already)');
    }
    const grid = parseGridSpec(flags.grid);
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const marketFile = this.marketFile(flags.market, portfolioDir);
    const outDir = path.resolve(flags.out);
    const shard = resolveShard(flags);
    // simulate takes no lock (shards write one --out side by side): the folder its writers make is removed again
    // when the run stops or fails before writing into it (src/io/tempFiles.ts)
    const releaseOut = trackMadeFolder(outDir);
    if (shard) {
      // --shard K/N: shard K's netting sets into --out/shard-K-of-N (src/scale, docs/scale.md); `xva merge` joins them
      // --backend gpu|auto: the shard's paths and valuation on the device (the same bits as the single run's for its
      // sets: a shard's layout is whole blocks of the book's); the merge writes the single run's routing note
      const shardBackend = flags.backend === 'cpu' ? undefined : await selectBackend(flags.backend as BackendName, { allowSoftware: flags['allow-software'] });
      if (shardBackend && !this.quietMode) for (const note of shardBackend.notes) process.stderr.write(`${note}\n`);
      const threads = threadsGiven ?? defaultThreads(shardBackend?.name === 'gpu' ? 'gpu' : 'cpu', os.availableParallelism());
      let run;
      try {
        run = await this.withProgress(`Simulating shard ${shard.index}/${shard.count}`, (onProgress, onWarning) =>
          simulateShardToFiles({ portfolioDir, marketFile, outDir, paths, seed, grid, threads, antithetic: flags.antithetic, rng, pfeQuantile, coverage, skipUnsupported: flags['skip-unsupported'], cube: flags.cube, cubePrecision, format: flags.format as TableFormat, shard, ...(flags['dynamic-im'] ? { dynamicIm: { mporDays: flags['mpor-days'] === '1' ? (1 as const) : (10 as const) } } : {}), ...(shardBackend && (shardBackend.name === 'gpu' || shardBackend.fellBack) ? { backend: shardBackend } : {}), onProgress, onWarning }),
        );
      } finally {
        shardBackend?.close();
        releaseOut();
      }
      if (this.jsonMode) this.printJson({ shard: `${shard.index}/${shard.count}`, folder: run.folder, nettingSets: run.plan.nettingSetIds.length, counterparties: run.plan.counterparties.length, cost: run.plan.cost, bookCost: run.plan.bookCost, files: run.files, timingsSeconds: run.manifest.timingsSeconds });
      else this.say(`Shard ${shard.index}/${shard.count}: ${run.plan.nettingSetIds.length} netting sets of ${run.plan.counterparties.length} counterparties (${((100 * run.plan.cost) / (run.plan.bookCost || 1)).toFixed(1)}% of the book's cost) written to ${run.folder}`);
      return;
    }

    const backend = await selectBackend(flags.backend as BackendName, { allowSoftware: flags['allow-software'] });
    const threads = threadsGiven ?? defaultThreads(backend.name === 'gpu' ? 'gpu' : 'cpu', os.availableParallelism());
    // the default CPU backend is not announced (cron logs stay clean); gpu/auto say which adapter and what runs where
    const announce = !this.quietMode && flags.backend !== 'cpu';
    if (announce) for (const note of backend.notes) process.stderr.write(`${note}\n`);
    const notesBefore = backend.notes.length;
    const progress = this.progress('Simulating');
    let run;
    try {
      run = await simulateToFiles({
        backend,
        portfolioDir,
        marketFile,
        outDir,
        paths,
        seed,
        grid,
        threads,
        antithetic: flags.antithetic,
        rng,
        pfeQuantile,
        coverage,
        skipUnsupported: flags['skip-unsupported'],
        cube: flags.cube,
        cubePrecision,
        format: flags.format as TableFormat,
        ...(flags['dynamic-im'] ? { dynamicIm: { mporDays: flags['mpor-days'] === '1' ? (1 as const) : (10 as const) } } : {}),
        onProgress: (fractionDone, stage) => progress.update(stage, fractionDone),
        onWarning: (text) => {
          progress.stop();
          this.warnLine(text);
        },
        onWritten: (files) => markOutputsWritten(`${files.length} files in ${outDir}`),
      });
    } finally {
      progress.stop();
      backend.close();
      releaseOut();
    }
    // what the backend added during the run (the GPU backend's routing: which netting sets ran on the device)
    if (announce) for (const note of backend.notes.slice(notesBefore)) process.stderr.write(`${note}\n`);
    const { result, files } = run;
    const top = topNettingSets(result);
    const totals = bookTotals(result);

    if (this.jsonMode) {
      this.printJson({
        out: outDir,
        book: totals,
        topNettingSets: top,
        backend: backend.name,
        skipped: result.skipped,
        timingsSeconds: result.timings,
        files,
      });
      return;
    }
    this.say(
      renderTable(
        ['Netting set', 'Counterparty', 'Trades', 'EEPE', 'EPE 1Y', 'Peak EPE', `Peak PFE ${Number((100 * pfeQuantile).toPrecision(10))}%`],
        top.map((r) => [r.nettingSetId, r.counterpartyId, String(r.trades), r.eepe, r.epe1y, r.peakEpe, r.peakPfe]),
        { title: `Top ${top.length} netting sets by EEPE (base currency, ${paths} paths)` },
      ),
    );
    this.say(
      renderTable(
        ['Book', 'Value'],
        [
          ['Netting sets / counterparties / trades', `${totals.nettingSets} / ${totals.counterparties} / ${totals.trades}`],
          ['Skipped trades', String(totals.skippedTrades)],
          ['Sum of EEPE', totals.eepeSum],
          ['EPE today', totals.epeToday],
          [`Peak EPE (${totals.peakEpeDate})`, totals.peakEpe],
          [`Peak ENE (${totals.peakEneDate})`, totals.peakEne],
        ],
        { title: 'Book totals (discounted, base currency)' },
      ),
    );
    this.say(`Wrote ${files.length} files to ${outDir} in ${(result.timings.total ?? 0).toFixed(1)} s`);
  }
}
