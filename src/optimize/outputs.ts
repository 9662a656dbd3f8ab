/**
 * The files of `xva optimize` (docs/optimize.md, "Outputs"), each written atomically (temp file, then rename):
 * recommendations.arrow (every measured candidate, chosen or not), recommendation_scenarios.arrow (each action's
 * benefit per stress scenario), pareto.arrow, plan.arrow (realised against estimated), collateral_allocation.arrow,
 * summary.md, and the amended portfolio as a folder of Parquet tables (`amended/`) that every command reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { firstUndeletable, type AccessCheck } from '../io/folders.js';
import { writeTable, type OutputColumn, type OutputTable } from '../io/write.js';
import type { Portfolio } from '../portfolio/types.js';
import { portfolioTables } from '../portfolio/writeRows.js';
import { OBJECTIVES } from './objective.js';
import type { ParetoPoint } from './plan.js';
import type { MeasuredAction } from './types.js';
import type { SaccrCollateralBalance } from '../capital/saccr/types.js';
import { PORTFOLIO_TABLES } from '../portfolio/load.js';

const f64 = (name: string, values: ArrayLike<number | null>): OutputColumn => ({ name, type: 'float64', values });
const utf8 = (name: string, values: ArrayLike<string | null>): OutputColumn => ({ name, type: 'utf8', values });
const i32 = (name: string, values: ArrayLike<number | null>): OutputColumn => ({ name, type: 'int32', values });
const bool = (name: string, values: ArrayLike<boolean | null>): OutputColumn => ({ name, type: 'bool', values });

export interface RecommendationRow {
  action: MeasuredAction;
  /** 1-based rank in the plan; null when not chosen. */
  rank: number | null;
  /** Why it is not in the plan ('' when chosen). */
  skipReason: string;
  /** Worst benefit over the stress scenarios and its scenario (null when not evaluated under stress). */
  worstScenario: string | null;
  worstScenarioBenefit: number | null;
}

export const RECOMMENDATION_COLUMNS = [
  'action_id', 'lever', 'description', 'trade_ids', 'counterparty_ids', 'netting_set_ids', 'chosen', 'rank',
  'd_cva', 'd_dva', 'd_fca', 'd_fba', 'd_colva', 'd_fva', 'd_mva', 'd_kva', 'd_ead', 'd_rwa', 'd_capital', 'd_cet1_bp',
  'cost', 'net_benefit', 'worst_scenario', 'worst_scenario_benefit', 'skip_reason', 'negotiability',
] as const;

export function recommendationsTable(rows: readonly RecommendationRow[]): OutputTable {
  const a = rows.map((r) => r.action);
  const d = (k: keyof MeasuredAction['delta']) => f64(`d_${k === 'cet1Bp' ? 'cet1_bp' : k}`, a.map((x) => x.delta[k]));
  return {
    columns: [
      utf8('action_id', a.map((x) => x.actionId)),
      utf8('lever', a.map((x) => x.lever)),
      utf8('description', a.map((x) => x.description)),
      utf8('trade_ids', a.map((x) => x.tradeIds.join(';'))),
      utf8('counterparty_ids', a.map((x) => x.counterpartyIds.join(';'))),
      utf8('netting_set_ids', a.map((x) => x.nettingSetIds.join(';'))),
      bool('chosen', rows.map((r) => r.rank !== null)),
      i32('rank', rows.map((r) => r.rank)),
      d('cva'), d('dva'), d('fca'), d('fba'), d('colva'), d('fva'), d('mva'), d('kva'), d('ead'), d('rwa'), d('capital'), d('cet1Bp'),
      f64('cost', a.map((x) => x.cost)),
      f64('net_benefit', a.map((x) => x.netBenefit)),
      utf8('worst_scenario', rows.map((r) => r.worstScenario)),
      f64('worst_scenario_benefit', rows.map((r) => r.worstScenarioBenefit)),
      utf8('skip_reason', rows.map((r) => r.skipReason)),
      // the CSA lever's negotiability score (docs/optimize-csa.md), for the order to negotiate in; null for other levers
      f64('negotiability', a.map((x) => (typeof x.details['negotiability'] === 'number' ? x.details['negotiability'] : null))),
    ],
    metadata: { 'xva.signs': 'd_* = amended - base; CVA, FCA, ColVA, MVA, KVA, EAD, RWA, capital are costs; d_cet1_bp > 0 improves the ratio' },
  };
}

export interface ScenarioBenefitRow {
  actionId: string;
  scenario: string;
  netBenefit: number;
  dCva: number;
  dFva: number;
  dMva: number;
  dKva: number;
}

export function scenarioTable(rows: readonly ScenarioBenefitRow[]): OutputTable {
  return {
    columns: [
      utf8('action_id', rows.map((r) => r.actionId)),
      utf8('scenario', rows.map((r) => r.scenario)),
      f64('net_benefit', rows.map((r) => r.netBenefit)),
      f64('d_cva', rows.map((r) => r.dCva)),
      f64('d_fva', rows.map((r) => r.dFva)),
      f64('d_mva', rows.map((r) => r.dMva)),
      f64('d_kva', rows.map((r) => r.dKva)),
    ],
  };
}

export function paretoTable(points: readonly ParetoPoint[]): OutputTable {
  return {
    columns: [
      ...OBJECTIVES.map((k) => f64(`weight_${k}`, points.map((p) => p.weights[k]))),
      ...OBJECTIVES.map((k) => f64(`saving_${k}`, points.map((p) => p.savings[k]))),
      i32('actions', points.map((p) => p.actions)),
      f64('total_saving', points.map((p) => p.totalSaving)),
      bool('dominated', points.map((p) => p.dominated)),
    ],
  };
}

/** Writes a table as Arrow IPC; returns the path. */
export function writeArrow(outDir: string, name: string, table: OutputTable): string {
  const file = path.join(outDir, `${name}.arrow`);
  writeTable(file, table, 'arrow');
  return file;
}

/** The collateral_balances table (capital/saccr/inputs.ts reads it) of the given balances, in netting-set order. */
function balancesTable(balances: ReadonlyMap<string, SaccrCollateralBalance>): OutputTable {
  const rows = [...balances.values()].sort((a, b) => (a.nettingSetId < b.nettingSetId ? -1 : a.nettingSetId > b.nettingSetId ? 1 : 0));
  return {
    columns: [
      { name: 'netting_set_id', type: 'utf8', values: rows.map((r) => r.nettingSetId) },
      { name: 'currency', type: 'utf8', values: rows.map((r) => r.currency ?? null) },
      { name: 'variation_margin', type: 'float64', values: rows.map((r) => r.variationMargin) },
      { name: 'independent_collateral_received', type: 'float64', values: rows.map((r) => r.independentCollateralReceived ?? null) },
      { name: 'independent_collateral_posted', type: 'float64', values: rows.map((r) => r.independentCollateralPosted ?? null) },
      { name: 'posted_segregated', type: 'bool', values: rows.map((r) => r.postedSegregated) },
    ],
  };
}

/**
 * The amended book of an earlier run in `outDir` (`amended/`) must be removable by this process: refused before the
 * run (exit 2, naming the folder) when it holds an entry this user cannot remove, as a folder of another account. An
 * audit found such a run failing after all its work with exit 1 "internal error" and leaving `amended.old-<pid>/`
 * behind. `access` is for tests (a root process passes every permission check).
 */
export function checkAmendedReplaceable(outDir: string, name = 'amended', access?: AccessCheck): void {
  const target = path.join(outDir, name);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new XvaUsageError(`--out ${outDir}: ${target} is a file: the amended portfolio is written as the folder ${name}/ there; move the file away or choose another --out`);
  }
  const blocked = firstUndeletable(target, access);
  if (blocked) {
    throw new XvaUsageError(`--out ${outDir}: the earlier run's amended portfolio ${target} cannot be replaced: ${blocked.path} ${blocked.reason}; remove it, or choose another --out`);
  }
}

/** Removes the earlier book moved aside; one that cannot be removed (checked before, so a race) is said, exit 2. */
function removeEarlierBook(old: string): void {
  try {
    fs.rmSync(old, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new XvaUsageError(`the amended portfolio is written; the earlier one, moved aside to ${old}, could not be removed (${code}): remove that folder by hand`);
  }
}

/**
 * The amended portfolio as a folder `xva cva --portfolio DIR` reads: its tables as Parquet, the base folder's other
 * tables (reference_entities, SA-CCR side inputs) and market.yaml copied; with `balances`, the collateral balances the
 * plan's capital was measured with (VM moved by the plan) instead of the base folder's. Written into a temporary
 * folder beside the target and renamed into place, so a reader never sees half a book.
 */
export function writeAmendedPortfolio(targetDir: string, portfolio: Portfolio, baseDir: string, marketFile: string, balances?: ReadonlyMap<string, SaccrCollateralBalance>): string[] {
  const parent = path.dirname(targetDir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(targetDir)}.tmp-`));
  try {
    // mkdtemp makes the folder owner-only (0700); the book is an output like any other folder, readable as the
    // process's umask allows (a cron job's amended book read by another account)
    const umask = process.umask();
    fs.chmodSync(tmp, 0o777 & ~umask);
    const tables = portfolioTables(portfolio);
    const written = new Set<string>();
    for (const [name, table] of Object.entries(tables)) {
      writeTable(path.join(tmp, `${name}.parquet`), table, 'parquet');
      written.add(name);
    }
    if (balances) {
      writeTable(path.join(tmp, 'collateral_balances.parquet'), balancesTable(balances), 'parquet');
      written.add('collateral_balances');
    }
    for (const entry of fs.readdirSync(baseDir)) {
      const stem = entry.replace(/\.(parquet|pq|csv)$/i, '');
      // the portfolio's own tables are the amended book's (a table it no longer needs, e.g. notional_schedules, is not copied)
      if (stem === entry || written.has(stem) || stem in PORTFOLIO_TABLES) continue;
      fs.copyFileSync(path.join(baseDir, entry), path.join(tmp, entry));
    }
    fs.copyFileSync(marketFile, path.join(tmp, 'market.yaml'));
    // checked again here (the command checks before the run): an earlier book that cannot be removed is left as it
    // was, never renamed aside and left behind
    checkAmendedReplaceable(path.dirname(targetDir), path.basename(targetDir));
    const old = fs.existsSync(targetDir) ? path.join(parent, `.${path.basename(targetDir)}.old-${process.pid}`) : undefined;
    if (old) fs.renameSync(targetDir, old);
    fs.renameSync(tmp, targetDir);
    if (old) removeEarlierBook(old);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return fs.readdirSync(targetDir).sort().map((f) => path.join(targetDir, f));
}

export function writeSummary(outDir: string, markdown: string): string {
  const file = path.join(outDir, 'summary.md');
  writeFileAtomic(file, markdown);
  return file;
}
