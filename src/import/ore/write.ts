/** Puts an ORE import into a portfolio folder: one file per table (Parquet or CSV) plus import_report.json. */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { writeTable, type OutputTable } from '../../io/write.js';
import type { OreImportResult } from './index.js';
import { ELIGIBLE_COLLATERAL_COLUMNS, NOTIONAL_SCHEDULE_COLUMNS, RATE_SCHEDULE_COLUMNS, toColumnTable } from './rows.js';

export const IMPORT_REPORT_FILE = 'import_report.json';

/**
 * Writes trades, counterparties, netting_sets (and eligible_collateral, notional_schedules, rate_schedules when any)
 * as `<table>.<format>` in `outDir`, and the report as import_report.json. Refuses when the folder holds a table in
 * the other format (the loader would find two); an older eligible_collateral, notional_schedules or rate_schedules
 * file is replaced by an empty table. Returns the paths written.
 */
export function writeOreImport(outDir: string, result: OreImportResult, format: 'parquet' | 'csv'): string[] {
  // the loader reads a table from .parquet, .pq or .csv (io/read.ts findTableFile): any other of those is a twin
  const others = format === 'parquet' ? ['csv', 'pq'] : ['parquet', 'pq'];
  const names = ['trades', 'counterparties', 'netting_sets', 'eligible_collateral', 'notional_schedules', 'rate_schedules'] as const;
  for (const name of names) {
    for (const other of others) {
      const twin = path.join(outDir, `${name}.${other}`);
      if (fs.existsSync(twin))
        throw new XvaUsageError(`${twin} already exists: remove it${other === 'pq' ? '' : ` or write with --format ${other}`}, so the folder holds one ${name} table`);
    }
  }
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const tables: Partial<Record<(typeof names)[number], OutputTable>> = { ...result.tables };
  const eligiblePath = path.join(outDir, `eligible_collateral.${format}`);
  if (tables.eligible_collateral === undefined && fs.existsSync(eligiblePath))
    tables.eligible_collateral = toColumnTable(ELIGIBLE_COLLATERAL_COLUMNS, []);
  // likewise an older notional_schedules file: its rows would name trades of another import
  if (tables.notional_schedules === undefined && fs.existsSync(path.join(outDir, `notional_schedules.${format}`)))
    tables.notional_schedules = toColumnTable(NOTIONAL_SCHEDULE_COLUMNS, []);
  // and an older rate_schedules file (its steps would apply to trades of this import with the same ids)
  if (tables.rate_schedules === undefined && fs.existsSync(path.join(outDir, `rate_schedules.${format}`)))
    tables.rate_schedules = toColumnTable(RATE_SCHEDULE_COLUMNS, []);
  for (const name of names) {
    const table = tables[name];
    if (table === undefined) continue;
    const file = path.join(outDir, `${name}.${format}`);
    writeTable(file, table, format);
    written.push(file);
  }
  const reportPath = path.join(outDir, IMPORT_REPORT_FILE);
  writeFileAtomic(reportPath, JSON.stringify(result.report, null, 2) + '\n');
  written.push(reportPath);
  return written;
}
