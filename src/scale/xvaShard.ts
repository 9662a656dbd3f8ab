/**
 * `xva cva|fva --shard K/N`: the engine over shard K's netting sets on the whole book's grid and the correlation
 * blocks of the book's layout they need (shardFactors.ts: the single run's paths of those factors), then the XVA
 * sums of those sets (xva/compute.ts), written as the tables of `xva cva` (xva/outputs.ts) with a manifest.json
 * carrying the `shard` section (its `model` the book's), atomically into `--out/shard-K-of-N`. Figures per netting set,
 * counterparty and trade are a single run's (a counterparty's CVA is the sum of its sets', and all its sets are in
 * one shard); the merge re-ranks the counterparties and re-adds the book in the book's order.
 *
 * Stress scenarios (--scenario/--scenarios) run in the shard on its sets, as a single run runs them (credit and funding
 * shocks re-weight the same profiles, coverage shocks re-aggregate the shard's own path values), and each set's
 * figures under each scenario go into `xva_scenarios_netting_set`, from which the merge re-adds the counterparties and
 * the book in the book's order. The scenarios (name and shocks) are part of the run key.
 *
 * Wrong-way CVA (counterparties with a wrong_way_model): each shard values its own such counterparties in-process as a
 * single run does, on paths of the whole book's layout (plus every such intensity counterparty's credit factor), so
 * its `cva_wrong_way` rows are the single run's; the manifest's `wrongWay` gives each one's row in the counterparties
 * table, the order of the merged table.
 *
 * What is not sharded (a clear usage error): --results (nothing to split), --incremental and --what-if (each re-runs
 * or re-reads the whole book in ways a shard cannot reproduce alone).
 */
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { runSimulation } from '../exposure/engine.js';
import { sha256File } from '../exposure/outputs.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { toIsoDate } from '../conventions/dates.js';
import { writeManifest } from '../exposure/outputs.js';
import { computeXva, coverageSetsOf, exposureSetsOf, type XvaResult } from '../xva/compute.js';
import { runScenarios } from '../xva/stress.js';
import { wrongWayCounterparties, wrongWayCva, type WrongWayRow } from '../xva/wrongWay/index.js';
import type { ScenarioShocks } from '../scenarios/types.js';
import { creditInputs, missingFundingNote } from '../xva/credit.js';
import { writeXvaTables } from '../xva/outputs.js';
import type { XvaRunOptions } from '../xva/run.js';
import { shardSection, shardTableHashes } from './manifest.js';
import { bookPlan, shardPlan, shardPortfolio, type ShardPlan } from './plan.js';
import { bookModelRecord, checkShardModel, shardFactors, type ShardFactorsRecord } from './shardFactors.js';
import { ShardFolder } from './shardFolder.js';
import { packageVersion } from './simulateShard.js';
import type { ShardSpec } from './shardSpec.js';

export interface XvaShardOptions extends XvaRunOptions {
  command: 'cva' | 'fva';
  shard: ShardSpec;
}

export interface XvaShardRun {
  /** Undefined for an empty shard. */
  result?: XvaResult;
  plan: ShardPlan;
  folder: string;
  files: string[];
  notes: string[];
  paths: number;
  /** The market factors the shard simulated against the book's (the manifest's shard.factors). */
  factors: ShardFactorsRecord;
}

/** Flags a sharded cva/fva cannot honour, checked before any input is read. */
export function checkXvaShardOptions(options: XvaRunOptions): void {
  const refuse = (what: string, why: string): never => {
    throw new XvaUsageError(`${what} is not supported with --shard: ${why}; run it unsharded (or on the merged exposure with --results)`);
  };
  if (options.resultsDir) refuse('--results', 'a shard splits the simulation, and --results reads one already made');
  if (options.incremental) refuse('--incremental', 'the allocation re-runs one netting set, which needs no sharding');
  if (options.whatIf) refuse('--what-if', 'the pre-deal what-if values new trades against the whole run');
  if (options.cs01) refuse('--cs01', 'the sensitivities are computed on the whole exposure');
  if (options.dynamicIm) {
    throw new XvaUsageError('--dynamic-im is not supported with `xva cva|fva --shard`: run `xva simulate --dynamic-im --shard K/N`, `xva merge`, then `xva cva|fva --results` on the merged folder');
  }
}

/** A scenario's shocks with their keys sorted (the run key compares them as JSON). */
function sortedShocks(shocks: ScenarioShocks): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(shocks).sort()) out[key] = shocks[key as keyof ScenarioShocks]!;
  return out;
}

export async function runXvaShard(options: XvaShardOptions): Promise<XvaShardRun> {
  checkXvaShardOptions(options);
  if (!options.outDir) throw new XvaUsageError('--shard needs --out DIR: the shard folder is written under it');
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile, options.onWarning);
  const loadSeconds = (performance.now() - started) / 1000;
  const book = bookPlan(portfolio, market, { grid: options.grid, coverage: 1, paths: options.paths });
  const inBook = new Set(book.counterparties.map((c) => c.counterpartyId));
  // wrong-way CVA: each shard values its own counterparties that ask for it, on the whole book's layout with every
  // intensity-model counterparty's credit factor (the single run's paths), in the book's table order
  const wrongWayBook = portfolio.counterparties.flatMap((c, position) => (c.wrongWay && inBook.has(c.counterpartyId) ? [{ counterpartyId: c.counterpartyId, position, creditName: c.wrongWay.model === 'intensity' ? c.cdsCurve : undefined }] : []));
  const wrongWayCreditNames = [...new Set(wrongWayBook.flatMap((w) => (w.creditName !== undefined ? [w.creditName] : [])))];
  const plan = shardPlan(book, options.shard);

  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  const inputHashes: Record<string, string> = {};
  for (const [name, file] of Object.entries(inputs)) inputHashes[name] = sha256File(file);
  const optionsRecord: Record<string, unknown> = {
    portfolio: path.resolve(options.portfolioDir),
    paths: options.paths,
    seed: options.seed,
    rng: options.rng ?? 'philox',
    grid: options.grid,
    threads: options.threads,
    discretisation: options.xva.discretisation,
    mode: options.xva.mode,
    // what each scenario moves (its file's place is not a figure: shards mount the scenarios elsewhere)
    ...(options.scenarios.length > 0 ? { scenarios: options.scenarios.map((s) => ({ name: s.name, shocks: sortedShocks(s.shocks) })) } : {}),
  };
  const factors = shardFactors(market, book, plan);
  const section = shardSection({ command: options.command, plan, bookNettingSetIds: book.nettingSetIds, grid: book.grid, inputHashes, options: optionsRecord, factors: factors.record });

  const notes: string[] = [];
  if (!market.ownCredit) notes.push('the market has no own credit curve (credit.own): DVA is 0 and the bank is taken to survive in FVA');
  const noFunding = missingFundingNote(market);
  if (noFunding) notes.push(noFunding);
  const folder = new ShardFolder(options.outDir, options.shard);
  try {
    let result: XvaResult | undefined;
    let model: Record<string, unknown> | undefined;
    let wrongWayPositions: { counterpartyId: string; position: number }[] = [];
    const files: string[] = [];
    const timings: Record<string, number> = { load: loadSeconds };
    if (plan.nettingSetIds.length > 0) {
      const collateralCcy = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
      // the collateral coverages the scenarios shock to, re-aggregated from the shard's path values (xva/run.ts)
      const coverages = [...new Set(options.scenarios.flatMap((s) => (s.shocks.collateralCoverage !== undefined ? [s.shocks.collateralCoverage] : [])))];
      const run = await runSimulation({
        portfolio: shardPortfolio(portfolio, new Set(plan.nettingSetIds)),
        market,
        marketFile: options.marketFile,
        // the exposure run of xva/run.ts runXva, on the book's grid and the blocks of its layout the shard needs
        options: { paths: options.paths, seed: options.seed, ...(options.rng === 'sobol' ? { rng: 'sobol' as const, sobolLayout: factors.bookLayout } : {}), threads: options.threads, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, grid: book.grid, layoutNeeds: factors.needs!, coverage: 1, ...(coverages.length > 0 ? { coverageVariants: coverages } : {}) },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
      Object.assign(timings, run.timings);
      // the manifest's model is the book's (as in every shard); shard.factors says what this one simulated
      model = bookModelRecord(market, factors.bookLayout);
      checkShardModel(run.model, model, factors.layout!);
      const sets = exposureSetsOf(run, (id) => collateralCcy.get(id));
      const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
      result = computeXva(sets, credit, options.xva);
      const coverageSets = coverageSetsOf(run, 1, sets, (id) => collateralCcy.get(id));
      const scenarios = await runScenarios({ base: result, sets, credit, market, options: options.xva, coverageSets }, options.scenarios);
      for (const sc of scenarios) {
        if (sc.skipped) notes.push(`scenario ${sc.scenario}: ${sc.skipped}`);
        for (const n of sc.curveNotes ?? []) notes.push(`scenario ${sc.scenario}: ${n}`);
      }
      let wrongWay: WrongWayRow[] = [];
      const ownWrongWay = wrongWayCounterparties(portfolio, credit);
      if (ownWrongWay.length > 0) {
        options.onProgress?.(0, 'wrong-way risk');
        // on the whole book's factors and Sobol slots, as unsharded
        wrongWay = wrongWayCva({ portfolio, market, credit, xva: options.xva, grid: book.grid, paths: options.paths, seed: options.seed, creditNames: wrongWayCreditNames, ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}) }).rows;
        notes.push(`wrong-way risk: ${ownWrongWay.length} counterparties re-valued in-process on ${options.paths} paths of seed ${options.seed} (cva_wrong_way), on the whole book's factors`);
        const position = new Map(wrongWayBook.map((w) => [w.counterpartyId, w.position]));
        wrongWayPositions = ownWrongWay.map((w) => ({ counterpartyId: w.counterpartyId, position: position.get(w.counterpartyId)! }));
      }
      files.push(...writeXvaTables(folder.tempDir, market.baseCurrency, result, scenarios, [], wrongWay));
    }
    timings.total = (performance.now() - started) / 1000;
    const manifest: Record<string, unknown> = {
      tool: 'xva',
      version: packageVersion(),
      command: options.command,
      inputs: Object.fromEntries(Object.entries(inputs).map(([name, file]) => [name, { path: file, sha256: inputHashes[name]! }])),
      options: optionsRecord,
      paths: options.paths,
      grid: { asOf: toIsoDate(book.grid.asOf), dateList: [...book.grid.dates].map(toIsoDate), exposureDateFlags: [...book.grid.exposureDate] },
      ...(model ? { model } : {}),
      counts: { nettingSets: plan.nettingSetIds.length, counterparties: plan.counterparties.length, trades: result?.trades.length ?? 0 },
      timingsSeconds: timings,
      files: files.map((f) => path.basename(f)),
      // the merge orders cva_wrong_way's counterparties by their row in the counterparties table, as a single run
      ...(wrongWayPositions.length > 0 ? { wrongWay: wrongWayPositions } : {}),
      shard: { ...section, files: shardTableHashes(folder.tempDir) },
    };
    writeManifest(folder.tempDir, manifest);
    const finalDir = folder.commit();
    return {
      ...(result ? { result } : {}),
      plan,
      folder: finalDir,
      files: [...files.map((f) => path.join(finalDir, path.basename(f))), path.join(finalDir, 'manifest.json')],
      notes,
      paths: options.paths,
      factors: factors.record,
    };
  } catch (error) {
    folder.abort();
    throw error;
  }
}

/** What `xva cva|fva --shard` prints: one line, or the JSON document with --json. */
export function xvaShardSummary(run: XvaShardRun): { line: string; json: Record<string, unknown> } {
  const { shard } = run.plan;
  const share = (100 * run.plan.cost) / (run.plan.bookCost || 1);
  return {
    line: `Shard ${shard.index}/${shard.count}: ${run.plan.nettingSetIds.length} netting sets of ${run.plan.counterparties.length} counterparties (${share.toFixed(1)}% of the book's cost) written to ${run.folder}`,
    json: {
      shard: `${shard.index}/${shard.count}`,
      folder: run.folder,
      nettingSets: run.plan.nettingSetIds.length,
      counterparties: run.plan.counterparties.length,
      cost: run.plan.cost,
      bookCost: run.plan.bookCost,
      factors: { simulated: run.factors.simulated.length, book: run.factors.bookFactors },
      ...(run.result ? { shardTotals: { cva: run.result.book.cva, dva: run.result.book.dva, fca: run.result.book.fca, fba: run.result.book.fba, colva: run.result.book.colva } } : {}),
      files: run.files,
      notes: run.notes,
    },
  };
}
