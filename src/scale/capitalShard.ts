/**
 * `xva capital --shard K/N` (docs/scale.md, "xva capital"): the Monte Carlo part of `xva capital` for shard K's netting
 * sets, on the whole book's grid and the correlation blocks of the book's layout they need (shardFactors.ts):
 *   - capital_kva_ead: the KVA's projected SA-CCR E[EAD] of each valued netting set at every exposure date
 *     (capital/kva.ts projectedEad on the set's path cube);
 *   - capital_cva_components (computed SA-CVA only): the unilateral CVA of each netting set under the base market
 *     and every bump of the book's plan (capital/sacvaSensitivities.ts), the engine bumps re-simulating the shard.
 * Each is one netting set's figure, bit for bit a single run's. What is not a sum of the shards' rows (SA-CCR's RWA
 * by counterparty, BA-CVA (MAR50.14) today and at every KVA date, the index hedges, the SA-CVA aggregation, CET1 and
 * the capital-ratio scenarios) is analytic and formed by the merge (mergeCapital.ts), which reads the same inputs
 * again (checked by SHA-256) and runs capital/run.ts runCapital on the shards' parts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toIsoDate } from '../conventions/dates.js';
import { IssueCollector, XvaUsageError } from '../errors.js';
import { sha256File, writeManifest } from '../exposure/outputs.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { checkCapitalRatioShocks } from '../scenarios/capitalRatio.js';
import { findTableFile } from '../io/read.js';
import { writeTable } from '../io/write.js';
import type { Portfolio } from '../portfolio/types.js';
import { capitalHorizon, simulateCapital, type CapitalMonteCarlo, type CapitalRunOptions } from '../capital/run.js';
import { computeSaccr, loadSaccrInputs, type SaccrPosition } from '../capital/saccr/index.js';
import { shardSection, shardTableHashes } from './manifest.js';
import { bookPlan, shardPlan, shardPortfolio, type ShardPlan } from './plan.js';
import { shardFactors, type ShardFactorsRecord } from './shardFactors.js';
import { ShardFolder } from './shardFolder.js';
import { packageVersion } from './simulateShard.js';
import type { ShardSpec } from './shardSpec.js';

/** The optional tables of the portfolio folder `xva capital` reads besides the book (capital/saccr/inputs.ts). */
const CAPITAL_TABLES = ['trade_values', 'collateral_balances', 'reference_entities', 'saccr_trades'] as const;

/** Flags that do not shard, checked before any input is read. */
export function checkCapitalShardOptions(flags: { explainTrade?: string | undefined; outDir?: string | undefined }): void {
  if (flags.explainTrade !== undefined) throw new XvaUsageError('--explain-trade is not supported with --shard: it prints one trade\'s SA-CCR derivation, which needs no simulation; run it unsharded');
  if (flags.outDir === undefined) throw new XvaUsageError('--shard needs --out DIR: the shard folder is written under it');
}

/**
 * Every input file of a capital run: the market, the portfolio's tables, the capital tables present and the SA-CVA
 * sensitivity file (name → absolute path). The run key hashes them; the merge reads them again and checks the hashes.
 */
export function capitalInputFiles(portfolioDir: string, marketFile: string, portfolio: Portfolio, sacvaSensitivitiesFile?: string): Record<string, string> {
  const inputs: Record<string, string> = { market: path.resolve(marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  for (const name of CAPITAL_TABLES) {
    const file = findTableFile(portfolioDir, name);
    if (file !== undefined) inputs[name] = path.resolve(file);
  }
  if (sacvaSensitivitiesFile !== undefined) inputs.sacvaSensitivities = path.resolve(sacvaSensitivitiesFile);
  return inputs;
}

/**
 * The options of a capital run as the manifest records them: everything that changes a figure, in JSON (the run
 * key hashes it, the merge rebuilds CapitalRunOptions from it). The scenarios' shocks are recorded, not their files.
 */
export function capitalOptionsRecord(options: CapitalRunOptions): Record<string, unknown> {
  return {
    portfolio: path.resolve(options.portfolioDir),
    convention: options.convention,
    paths: options.paths,
    seed: options.seed,
    // recorded only when not the default, so that Philox runs keep their run keys
    ...(options.rng === 'sobol' ? { rng: 'sobol' } : {}),
    grid: options.grid,
    kva: options.kva,
    sacva: options.sacva,
    sacvaFile: options.sacvaSensitivitiesFile !== undefined,
    sacvaPerfectHedges: (options.sacvaPerfectlyHedged ?? []).map((h) => `${h.riskType}:${h.marginType}`),
    bacvaMaturity: [...(options.effectiveMaturityYears ?? new Map<string, number>())].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    scenarios: options.scenarios.map((s) => ({ name: s.name, description: s.description, shocks: s.shocks })),
  };
}

export interface CapitalShardOptions extends CapitalRunOptions {
  shard: ShardSpec;
  outDir: string;
}

export interface CapitalShardRun {
  plan: ShardPlan;
  folder: string;
  files: string[];
  /** Netting sets valued and SA-CVA bumps computed (engine runs) by this shard. */
  valued: number;
  engineRuns: number;
  paths: number;
  factors: ShardFactorsRecord;
}

/** Writes the shard's parts (capital_kva_ead, capital_cva_components) into `dir`; returns the files. */
function writeCapitalParts(dir: string, mc: CapitalMonteCarlo): string[] {
  const files: string[] = [];
  const n = mc.dateSerials.length;
  const sets = mc.nettingSetIds.filter((id) => mc.eadProfiles.has(id));
  const ids: string[] = [];
  const dates: number[] = [];
  const ead = new Float64Array(sets.length * n);
  sets.forEach((id, i) => {
    const profile = mc.eadProfiles.get(id)!;
    for (let k = 0; k < n; k++) {
      ids.push(id);
      dates.push(mc.dateSerials[k]!);
      ead[i * n + k] = profile[k]!;
    }
  });
  const eadFile = path.join(dir, 'capital_kva_ead.arrow');
  writeTable(eadFile, { columns: [{ name: 'netting_set_id', type: 'utf8', values: ids }, { name: 'date', type: 'date', values: dates }, { name: 'ead', type: 'float64', values: ead }] }, 'arrow');
  files.push(eadFile);
  if (mc.cva) {
    const c = mc.cva;
    const factor: string[] = [];
    const set: string[] = [];
    const cva: number[] = [];
    const rows = (label: string, values: Float64Array) => {
      for (let j = 0; j < values.length; j++) {
        if (Number.isNaN(values[j]!)) continue; // a credit bump's other counterparties
        factor.push(label);
        set.push(c.nettingSetIds[j]!);
        cva.push(values[j]!);
      }
    };
    rows('base', c.base);
    c.simulated.forEach((values, i) => rows(c.simulatedFactors[i]!, values));
    c.credit.forEach((values, i) => rows(c.creditFactors[i]!, values));
    const file = path.join(dir, 'capital_cva_components.arrow');
    writeTable(file, { columns: [{ name: 'factor', type: 'utf8', values: factor }, { name: 'netting_set_id', type: 'utf8', values: set }, { name: 'cva', type: 'float64', values: Float64Array.from(cva) }] }, 'arrow');
    files.push(file);
  }
  return files;
}

export async function runCapitalShard(options: CapitalShardOptions): Promise<CapitalShardRun> {
  const started = performance.now();
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile);
  checkCapitalRatioShocks(options.scenarios, market.capital.capitalRatio, options.marketFile);
  const issues = new IssueCollector();
  const saccrInputs = await loadSaccrInputs(options.portfolioDir, issues, market);
  issues.throwIfAny();
  if (options.sacvaSensitivitiesFile !== undefined && !fs.existsSync(options.sacvaSensitivitiesFile)) throw new XvaUsageError(`--sacva-sensitivities: no file ${options.sacvaSensitivitiesFile}`);
  const loadSeconds = (performance.now() - started) / 1000;
  // the single run's grid: to the latest saccr_trades maturity too (capital/run.ts capitalHorizon)
  const horizon = capitalHorizon(market, saccrInputs);
  const book = bookPlan(portfolio, market, { grid: options.grid, coverage: 1, paths: options.paths, ...(horizon !== undefined ? { horizon } : {}) });
  const plan = shardPlan(book, options.shard);
  const inputs = capitalInputFiles(options.portfolioDir, options.marketFile, portfolio, options.sacvaSensitivitiesFile);
  const inputHashes: Record<string, string> = {};
  for (const [name, file] of Object.entries(inputs)) inputHashes[name] = sha256File(file);
  const optionsRecord = capitalOptionsRecord(options);
  const factors = shardFactors(market, book, plan);
  const section = shardSection({ command: 'capital', plan, bookNettingSetIds: book.nettingSetIds, grid: book.grid, inputHashes, options: optionsRecord, factors: factors.record });

  const folder = new ShardFolder(options.outDir, options.shard);
  try {
    const files: string[] = [];
    const timings: Record<string, number> = { load: loadSeconds };
    let mc: CapitalMonteCarlo | undefined;
    if (options.kva && plan.nettingSetIds.length > 0) {
      // SA-CCR of the whole book (analytic): the positions of the shard's netting sets project their EAD
      const saccr = computeSaccr(portfolio, market, { ...saccrInputs, convention: options.convention });
      const positions = new Map<string, SaccrPosition[]>();
      for (const t of saccr.trades) {
        const list = positions.get(t.nettingSetId) ?? [];
        list.push(t);
        positions.set(t.nettingSetId, list);
      }
      const simStarted = performance.now();
      mc = await simulateCapital(
        { portfolio, market, saccr, positions, saccrInputs, options },
        { portfolio: shardPortfolio(portfolio, new Set(plan.nettingSetIds)), grid: book.grid, layoutNeeds: factors.needs! },
      );
      timings.simulation = (performance.now() - simStarted) / 1000;
      if (mc.nettingSetIds.length !== plan.nettingSetIds.length || mc.nettingSetIds.some((id, i) => id !== plan.nettingSetIds[i])) {
        throw new Error(`capital shard ${options.shard.index}/${options.shard.count}: the engine valued other netting sets than the shard plan`);
      }
      files.push(...writeCapitalParts(folder.tempDir, mc));
    }
    timings.total = (performance.now() - started) / 1000;
    const engineRuns = mc ? 1 + (mc.cva?.simulated.length ?? 0) : 0;
    const manifest: Record<string, unknown> = {
      tool: 'xva',
      version: packageVersion(),
      command: 'capital',
      inputs: Object.fromEntries(Object.entries(inputs).map(([name, file]) => [name, { path: file, sha256: inputHashes[name]! }])),
      options: optionsRecord,
      paths: options.paths,
      grid: { asOf: toIsoDate(book.grid.asOf), dateList: [...book.grid.dates].map(toIsoDate), exposureDateFlags: [...book.grid.exposureDate] },
      capital: {
        // the valued netting sets and their counterparties (the book's order), the KVA's dates, the engine runs made
        nettingSetIds: mc?.nettingSetIds ?? [],
        counterpartyIds: mc?.counterpartyIds ?? [],
        dates: [...(mc?.dateSerials ?? [])].map(toIsoDate),
        engineRuns,
      },
      counts: { nettingSets: plan.nettingSetIds.length, counterparties: plan.counterparties.length },
      timingsSeconds: timings,
      files: files.map((f) => path.basename(f)),
      shard: { ...section, files: shardTableHashes(folder.tempDir) },
    };
    writeManifest(folder.tempDir, manifest);
    const finalDir = folder.commit();
    return {
      plan,
      folder: finalDir,
      files: [...files.map((f) => path.join(finalDir, path.basename(f))), path.join(finalDir, 'manifest.json')],
      valued: mc?.nettingSetIds.length ?? 0,
      engineRuns,
      paths: options.paths,
      factors: factors.record,
    };
  } catch (error) {
    folder.abort();
    throw error;
  }
}

/** What `xva capital --shard` prints: one line, or the JSON document with --json. */
export function capitalShardSummary(run: CapitalShardRun): { line: string; json: Record<string, unknown> } {
  const { shard } = run.plan;
  const share = (100 * run.plan.cost) / (run.plan.bookCost || 1);
  return {
    line:
      `Shard ${shard.index}/${shard.count}: ${run.plan.nettingSetIds.length} netting sets of ${run.plan.counterparties.length} counterparties ` +
      `(${share.toFixed(1)}% of the book's cost), ${run.engineRuns} engine runs of ${run.paths} paths, written to ${run.folder}; ` +
      `xva merge forms the book's capital`,
    json: {
      shard: `${shard.index}/${shard.count}`,
      folder: run.folder,
      nettingSets: run.plan.nettingSetIds.length,
      counterparties: run.plan.counterparties.length,
      cost: run.plan.cost,
      bookCost: run.plan.bookCost,
      engineRuns: run.engineRuns,
      factors: { simulated: run.factors.simulated.length, book: run.factors.bookFactors },
      files: run.files,
    },
  };
}
