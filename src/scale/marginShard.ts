/**
 * `xva margin --shard K/N` (docs/scale.md): SIMM, the schedule IM and today's VM are figures of one netting set each
 * (SIMM aggregates within a netting set and side, ISDA SIMM methodology; the schedule per netting set, BCBS-IOSCO
 * Appendix A; VM per CSA), so a shard computes the netting sets of the same counterparty-whole partition as
 * `xva simulate --shard` (plan.ts) with the single run's code (margin/run.ts runMargin restricted to them), and writes
 * the tables of `xva margin --out` plus a manifest.json with the `shard` section, atomically into
 * `--out/shard-K-of-N`. The merge (mergeMargin.ts) puts the rows back in the single run's order.
 *
 * Netting sets without trades are not in the plan (they have no cost), yet `margin_netting_sets` lists those under a
 * CSA or an IM model: each goes with its counterparty's shard, or to shard 1 when the counterparty has no traded set.
 *
 * Refused (usage error): --crif (nothing to split: the CRIF is the whole book's input), --write-crif (each shard would
 * write a part of it to one file), --dim (its regression runs over the whole book's paths), and scenarios with
 * repeated names (the merge orders the scenario rows by name).
 */
import path from 'node:path';
import { XvaInputError, XvaUsageError } from '../errors.js';
import { sha256File, writeManifest } from '../exposure/outputs.js';
import { findTableFile } from '../io/read.js';
import { writeMarginTables } from '../margin/outputs.js';
import { runMargin, type MarginRun, type MarginRunOptions } from '../margin/run.js';
import { validateInputs } from '../portfolio/validateInputs.js';
import { shardSection, sha256Text } from './manifest.js';
import { bookPlan, shardPlan, type ShardPlan } from './plan.js';
import { ShardFolder } from './shardFolder.js';
import { packageVersion } from './simulateShard.js';
import type { ShardSpec } from './shardSpec.js';

export interface MarginShardOptions extends MarginRunOptions {
  portfolioDir: string;
  marketFile: string;
  outDir?: string;
  /** Flags given that a shard cannot honour (checked first). */
  writeCrifFile?: string;
  shard: ShardSpec;
}

export interface MarginShardRun {
  run: MarginRun;
  plan: ShardPlan;
  /** Every netting set of the shard's tables (traded and untraded), sorted as margin_netting_sets. */
  nettingSetIds: string[];
  folder: string;
  files: string[];
}

/** Flags a sharded margin run cannot honour, checked before any input is read. */
export function checkMarginShardOptions(options: Pick<MarginRunOptions, 'crifFile' | 'writeCrifFile' | 'dim' | 'scenarios'>): void {
  const refuse = (what: string, why: string): never => {
    throw new XvaUsageError(`${what} is not supported with xva margin --shard: ${why}; run it unsharded`);
  };
  if (options.crifFile) refuse('--crif', 'the CRIF is read whole, there is no simulation or repricing to split');
  if (options.writeCrifFile) refuse('--write-crif', 'each shard would write its part of the CRIF over the same file');
  if (options.dim) refuse('--dim', 'the dynamic IM regression runs over the whole book');
  const names = (options.scenarios ?? []).map((s) => s.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) refuse(`scenario name ${repeated} given twice`, 'the merge orders the scenario rows by name');
}

export async function runMarginShard(options: MarginShardOptions): Promise<MarginShardRun> {
  checkMarginShardOptions(options);
  if (!options.outDir) throw new XvaUsageError('--shard needs --out DIR: the shard folder is written under it');
  const started = performance.now();
  const validation = await validateInputs({ portfolioDir: options.portfolioDir, marketFile: options.marketFile });
  if (!validation.ok || !validation.market) throw new XvaInputError(validation.issues, validation.truncated);
  const portfolio = validation.portfolio;
  const market = validation.market;
  // the partition of `xva simulate --shard` on the default grid: the same counterparties in the same shards
  const book = bookPlan(portfolio, market, { grid: { kind: 'default' }, coverage: 1, paths: 1 });
  const plan = shardPlan(book, options.shard);
  const inPlan = new Set(book.nettingSetIds);
  const mine = new Set(plan.nettingSetIds);
  const myCounterparties = new Set(plan.counterparties.map((c) => c.counterpartyId));
  const tradedCounterparties = new Set(book.counterparties.map((c) => c.counterpartyId));
  for (const ns of portfolio.nettingSets) {
    if (inPlan.has(ns.nettingSetId)) continue;
    const home = tradedCounterparties.has(ns.counterpartyId) ? myCounterparties.has(ns.counterpartyId) : options.shard.index === 1;
    if (home) mine.add(ns.nettingSetId);
  }

  const inputs: Record<string, string> = { market: path.resolve(options.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputs[name] = path.resolve(file);
  const balances = options.collateralBalancesFile ? path.resolve(options.collateralBalancesFile) : findTableFile(options.portfolioDir, 'collateral_balances');
  if (balances) inputs.collateral_balances = path.resolve(balances);
  const inputHashes: Record<string, string> = {};
  for (const [name, file] of Object.entries(inputs)) inputHashes[name] = sha256File(file);
  const scenarios = options.scenarios ?? [];
  const optionsRecord: Record<string, unknown> = {
    portfolio: path.resolve(options.portfolioDir),
    simmVersion: options.simmVersion ?? '2.6',
    mporDays: options.mporDays ?? 10,
    allNettingSets: options.allNettingSets ?? false,
    scenarios: scenarios.map((s) => s.name),
    scenariosSha256: sha256Text(JSON.stringify(scenarios)),
  };
  const section = shardSection({ command: 'margin', plan, bookNettingSetIds: book.nettingSetIds, grid: book.grid, inputHashes, options: optionsRecord });

  const run = await runMargin({ ...options, usePortfolio: true, loaded: { portfolio, market }, nettingSetIds: mine });
  // the order of the SIMM results in a single run: netting sets by their first trade in the trades table
  // (crifFromPortfolio walks the trades; calculateSimm groups the CRIF by netting set in order of appearance)
  const firstTrade = new Map<string, number>();
  portfolio.trades.forEach((t, i) => {
    if (mine.has(t.nettingSetId) && !firstTrade.has(t.nettingSetId)) firstTrade.set(t.nettingSetId, i);
  });
  const simmOrder: Record<string, number> = {};
  for (const r of run.simm) {
    const at = firstTrade.get(r.portfolioId);
    if (at === undefined) throw new XvaUsageError(`margin shard: SIMM of netting set ${r.portfolioId}, which has no trade; run it unsharded`);
    simmOrder[r.portfolioId] = at;
  }
  const nettingSetIds = run.nettingSets.map((n) => n.nettingSetId);

  const folder = new ShardFolder(options.outDir, options.shard);
  try {
    const files = writeMarginTables(folder.tempDir, run);
    const manifest: Record<string, unknown> = {
      tool: 'xva',
      version: packageVersion(),
      command: 'margin',
      inputs: Object.fromEntries(Object.entries(inputs).map(([name, file]) => [name, { path: file, sha256: inputHashes[name]! }])),
      options: optionsRecord,
      counts: { nettingSets: nettingSetIds.length, counterparties: plan.counterparties.length, simmResults: run.simm.length, crifRows: run.crifRows },
      timingsSeconds: { total: (performance.now() - started) / 1000 },
      files: files.map((f) => path.basename(f)),
      margin: { nettingSetIds, simmOrder },
      shard: section,
    };
    writeManifest(folder.tempDir, manifest);
    const finalDir = folder.commit();
    return { run, plan, nettingSetIds, folder: finalDir, files: [...files.map((f) => path.join(finalDir, path.basename(f))), path.join(finalDir, 'manifest.json')] };
  } catch (error) {
    folder.abort();
    throw error;
  }
}

/** What `xva margin --shard` prints: one line, or the JSON document with --json. */
export function marginShardSummary(run: MarginShardRun): { line: string; json: Record<string, unknown> } {
  const { shard } = run.plan;
  return {
    line: `Shard ${shard.index}/${shard.count}: margin of ${run.nettingSetIds.length} netting sets of ${run.plan.counterparties.length} counterparties written to ${run.folder}`,
    json: {
      shard: `${shard.index}/${shard.count}`,
      folder: run.folder,
      nettingSets: run.nettingSetIds.length,
      counterparties: run.plan.counterparties.length,
      files: run.files,
      notes: run.run.notes,
    },
  };
}
