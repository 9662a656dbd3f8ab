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
 * With --dim (dynamic IM and MVA by simulation), a single run simulates every netting set with a SIMM today in one
 * DIM run (margin/dim.ts runDim: their own default grid and factor layout). A shard finds those sets from the whole
 * book's SIMM (analytic), then simulates its own on that run's grid and the blocks of its layout they need
 * (MarginRunOptions.dimUniverse), so that their profiles and MVA are the single run's; the manifest's `margin.dimOrder`
 * gives each one's place in that run, the order of the merged margin_dim table.
 *
 * Refused (usage error): --crif (nothing to split: the CRIF is the whole book's input), --write-crif (each shard would
 * write a part of it to one file), and scenarios with repeated names (the merge orders the scenario rows by name).
 */
import path from 'node:path';
import { XvaInputError, XvaInternalError, XvaUsageError } from '../errors.js';
import { simmCrifFromPortfolio } from '../margin/crifFromPortfolio.js';
import { bookUniverse, dimPortfolio } from '../margin/dim.js';
import { calculateSimm } from '../margin/simm/calculate.js';
import type { Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import { sha256File, writeManifest } from '../exposure/outputs.js';
import { findTableFile } from '../io/read.js';
import { writeMarginTables } from '../margin/outputs.js';
import { runMargin, type MarginRun, type MarginRunOptions } from '../margin/run.js';
import { validateInputs } from '../portfolio/validateInputs.js';
import { shardSection, shardTableHashes, sha256Text } from './manifest.js';
import { bookPlan, shardPlan, type BookPlan, type ShardPlan } from './plan.js';
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
    ...(options.dim ? { dim: { paths: options.dim.paths, seed: options.dim.seed, rng: options.dim.rng ?? 'philox' } } : {}),
  };
  const section = shardSection({ command: 'margin', plan, bookNettingSetIds: book.nettingSetIds, grid: book.grid, inputHashes, options: optionsRecord });

  const dimBook = options.dim ? dimRunPlan(portfolio, market, options) : undefined;
  const run = await runMargin({
    ...options,
    usePortfolio: true,
    loaded: { portfolio, market },
    nettingSetIds: mine,
    // the single run's DIM universe: the whole book's grid and layout (margin/dim.ts bookUniverse)
    ...(dimBook ? { dimUniverse: bookUniverse(portfolio, market, undefined, options.dim!.paths) } : {}),
  });
  const dimOrder: Record<string, number> = {};
  if (dimBook) {
    const position = new Map(dimBook.nettingSetIds.map((id, i) => [id, i]));
    // the schedule sets' projected IM follows the SIMM sets' DIM, in the book's netting-set order (margin/run.ts)
    // (none under --all-netting-sets, where every set is a SIMM set)
    const scheduleSets = options.allNettingSets ? [] : portfolio.nettingSets.filter((n) => n.imModel === 'schedule');
    scheduleSets.forEach((n, i) => position.set(n.nettingSetId, dimBook.nettingSetIds.length + i));
    for (const d of run.dim) {
      const at = position.get(d.nettingSetId);
      if (at === undefined) throw new XvaInternalError(`margin shard: DIM of netting set ${d.nettingSetId}, which the whole book's SIMM does not give a DIM`);
      dimOrder[d.nettingSetId] = at;
    }
  }
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
      margin: { nettingSetIds, simmOrder, ...(dimBook ? { dimOrder } : {}) },
      shard: { ...section, files: shardTableHashes(folder.tempDir) },
    };
    writeManifest(folder.tempDir, manifest);
    const finalDir = folder.commit();
    return { run, plan, nettingSetIds, folder: finalDir, files: [...files.map((f) => path.join(finalDir, path.basename(f))), path.join(finalDir, 'manifest.json')] };
  } catch (error) {
    folder.abort();
    throw error;
  }
}

/**
 * The single run's DIM run (margin/run.ts runMargin with --dim): every netting set with a SIMM on both sides today,
 * from the whole book's CRIF as runMargin builds it, simulated on the default grid of those sets in their book order.
 */
function dimRunPlan(portfolio: Portfolio, market: Market, options: MarginShardOptions): BookPlan {
  const ids = (options.allNettingSets ? portfolio.nettingSets : portfolio.nettingSets.filter((n) => n.imModel === 'simm')).map((n) => n.nettingSetId);
  const crif = simmCrifFromPortfolio(portfolio, market, { nettingSetIds: ids });
  const simm = crif.records.length > 0 ? calculateSimm(crif.records, { version: options.simmVersion ?? '2.6', mporDays: options.mporDays ?? 10 }) : [];
  const sides = new Map<string, Set<string>>();
  for (const r of simm) {
    let s = sides.get(r.portfolioId);
    if (!s) sides.set(r.portfolioId, (s = new Set()));
    s.add(r.side);
  }
  const members = new Set([...sides].filter(([, s]) => s.has('Call') && s.has('Post')).map(([id]) => id));
  return bookPlan(dimPortfolio(portfolio, members), market, { grid: { kind: 'default' }, coverage: 1, paths: options.dim!.paths });
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
