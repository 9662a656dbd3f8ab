/**
 * `what_if.arrow`: one row per new trade, in the what-if file's order (columns in docs/xva.md, "Pre-deal what-if").
 * Amounts in the base currency with the signs of the other XVA tables (CVA, FCA, ColVA costs; DVA, FBA benefits;
 * all positive as figures): d_* = X(set + trade) − X(set), so d_cva < 0 means the trade lowers the set's CVA.
 */
import path from 'node:path';
import { renderTable } from '../../cli/table.js';
import { writeTable, type OutputColumn } from '../../io/write.js';
import type { XvaFigures } from '../compute.js';
import type { WhatIfResult } from './whatIf.js';

const METRICS: (keyof XvaFigures)[] = ['cva', 'dva', 'fca', 'fba', 'colva'];

/** Writes DIR/what_if.arrow (atomically, io/write.ts) and returns its path. */
export function writeWhatIfTable(outDir: string, result: WhatIfResult, metadata: Record<string, string>): string {
  const rows = result.rows;
  const columns: OutputColumn[] = [
    { name: 'trade_id', type: 'utf8', values: rows.map((r) => r.tradeId) },
    { name: 'netting_set_id', type: 'utf8', values: rows.map((r) => r.nettingSetId) },
    { name: 'counterparty_id', type: 'utf8', values: rows.map((r) => r.counterpartyId) },
    { name: 'product', type: 'utf8', values: rows.map((r) => r.product) },
    ...METRICS.map((m): OutputColumn => ({ name: `d_${m}`, type: 'float64', values: rows.map((r) => r.delta[m]) })),
    ...METRICS.map((m): OutputColumn => ({ name: `standalone_${m}`, type: 'float64', values: rows.map((r) => r.standalone[m]) })),
    ...METRICS.map((m): OutputColumn => ({ name: `set_${m}`, type: 'float64', values: rows.map((r) => r.base[m]) })),
    { name: 'set_trades', type: 'int32', values: rows.map((r) => r.setTrades) },
    { name: 'same_paths_as_run', type: 'bool', values: rows.map((r) => r.samePathsAsRun) },
    { name: 'set_values', type: 'utf8', values: rows.map((r) => r.setValues) },
  ];
  const file = path.join(outDir, 'what_if.arrow');
  writeTable(file, { columns, metadata: { ...metadata, 'xva.what_if.factors': result.factors.join(','), 'xva.what_if.rng': result.rng, 'xva.what_if.notes': result.notes.join('\n') } }, 'arrow');
  return file;
}

/** The --json view of the what-if. */
export function whatIfJson(result: WhatIfResult): unknown {
  return {
    definition: 'd_x = X(netting set + trade) - X(netting set), same paths; standalone = the trade alone in the netting set',
    samePathsAsRun: result.samePathsAsRun,
    groups: result.groups,
    setValues: result.setValues,
    cubeBytesRead: result.cubeBytesRead,
    factors: result.factors,
    paths: result.paths,
    rng: result.rng,
    dates: result.dates,
    seconds: result.seconds,
    notes: result.notes,
    trades: result.rows,
  };
}

/** The human table: per new trade the increments of `metrics`, then the set's figures and the trade's alone. */
export function whatIfTable(result: WhatIfResult, metrics: (keyof XvaFigures)[]): string {
  // CVA, DVA, FCA, FBA, ColVA: the names as the desk writes them
  const label = (m: string): string => (m === 'colva' ? 'ColVA' : m.toUpperCase());
  const head = ['Trade', 'Netting set', ...metrics.map((m) => `Δ${label(m)}`), ...metrics.map((m) => `Set ${label(m)}`), ...metrics.map((m) => `Alone ${label(m)}`)];
  const rows = result.rows.map((r) => [r.tradeId, r.nettingSetId, ...metrics.map((m) => r.delta[m]), ...metrics.map((m) => r.base[m]), ...metrics.map((m) => r.standalone[m])]);
  const source = result.setValues.cube > 0 ? `; set values from the run's cube for ${result.setValues.cube} of ${result.setValues.cube + result.setValues.revalued} sets` : '';
  const title = `Pre-deal what-if: Δ = X(set + trade) − X(set) on ${result.paths} ${result.rng === 'sobol' ? 'Sobol ' : ''}paths${result.samePathsAsRun ? ' (the run\'s paths)' : ''}${source}; ${result.seconds.trades > 0 ? `${((1000 * result.seconds.trades) / Math.max(1, result.rows.length)).toFixed(1)} ms per trade after ${(result.seconds.setup + result.seconds.paths).toFixed(1)} s of set-up and paths` : ''}`;
  return renderTable(head, rows, { title });
}
