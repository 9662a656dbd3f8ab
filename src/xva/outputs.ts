/**
 * The tables of `xva cva` and `xva fva` (columns in docs/xva.md): cva_netting_set, cva_counterparty, cva_trade,
 * xva_book, xva_scenarios and, when stress scenarios ran, xva_scenarios_netting_set, Arrow IPC, written atomically by io/write.ts. Amounts in the base currency
 * (schema metadata `xva.currency`), signed as XVA_SIGNS says.
 */
import path from 'node:path';
import { forgetEarlierMerge, removeUnwrittenTables, writeTable, type OutputColumn } from '../io/write.js';
import { totalAdjustment, type XvaFigures, type XvaResult } from './compute.js';
import type { IncrementalRow } from './incremental.js';
import type { ScenarioOutcome } from './stress.js';
import { rankCounterparties } from './analysis.js';
import { wrongWayColumns } from './wrongWay/table.js';
import type { WrongWayRow } from './wrongWay/compute.js';
import type { Cs01Row } from './cs01.js';

const f64 = (name: string, values: ArrayLike<number | null>): OutputColumn => ({ name, type: 'float64', values });
const utf8 = (name: string, values: ArrayLike<string | null>): OutputColumn => ({ name, type: 'utf8', values });

/** The columns the two scenario tables share: the five figures, whether the exposure was simulated again, the note. */
function scenarioColumns(rows: readonly { x: XvaFigures; skipped: string | null; resim: boolean }[]): OutputColumn[] {
  return [
    ...(['cva', 'dva', 'fca', 'fba', 'colva'] as const).map((k) => f64(k, rows.map((r) => r.x[k]))),
    { name: 'resimulated', type: 'bool', values: rows.map((r) => r.resim) },
    utf8('note', rows.map((r) => r.skipped)),
  ];
}

/**
 * How the figures are signed (docs/xva.md, "Signs"): the tables' `xva.signs` and the JSON document's `signs`. A base
 * CVA, DVA, FCA or FBA is positive; ColVA is negative where it is a benefit, and a stressed funding figure under a
 * negative spread or a trade's Euler share can be too.
 */
export const XVA_SIGNS =
  'CVA, FCA and ColVA are costs, DVA and FBA benefits, each positive when it is one (a negative ColVA is a benefit; a funding figure under a negative spread and a trade\'s Euler share can be negative); adjustment = -CVA + DVA - FCA + FBA - ColVA';

export function writeXvaTables(
  outDir: string,
  currency: string,
  result: XvaResult,
  scenarios: readonly ScenarioOutcome[],
  incremental: readonly IncrementalRow[] = [],
  wrongWay: readonly WrongWayRow[] = [],
  cs01: readonly Cs01Row[] = [],
): string[] {
  const metadata = { 'xva.currency': currency, 'xva.discretisation': result.options.discretisation, 'xva.mode': result.options.mode, 'xva.signs': XVA_SIGNS };
  const files: string[] = [];
  forgetEarlierMerge(outDir);
  const write = (name: string, columns: OutputColumn[]): void => {
    const file = path.join(outDir, `${name}.arrow`);
    writeTable(file, { columns, metadata }, 'arrow');
    files.push(file);
  };
  const sets = result.nettingSets;
  write('cva_netting_set', [
    utf8('netting_set_id', sets.map((s) => s.nettingSetId)),
    utf8('counterparty_id', sets.map((s) => s.counterpartyId)),
    utf8('credit_curve', sets.map((s) => s.credit.curveName)),
    utf8('curve_source', sets.map((s) => s.credit.curveSource)),
    f64('recovery', sets.map((s) => s.credit.recovery)),
    f64('cva', sets.map((s) => s.cva)),
    f64('dva', sets.map((s) => s.dva)),
    f64('cva_unilateral', sets.map((s) => s.cvaUnilateral)),
    f64('dva_unilateral', sets.map((s) => s.dvaUnilateral)),
    f64('fca', sets.map((s) => s.fca)),
    f64('fba', sets.map((s) => s.fba)),
    f64('colva', sets.map((s) => s.colva)),
    f64('cva_std_error', sets.map((s) => s.cvaStdError)),
  ]);
  const ranked = rankCounterparties(result);
  write('cva_counterparty', [
    utf8('counterparty_id', ranked.map((r) => r.counterparty.counterpartyId)),
    { name: 'rank', type: 'int32', values: ranked.map((r) => r.rank) },
    utf8('credit_curve', ranked.map((r) => r.counterparty.credit.curveName)),
    utf8('curve_source', ranked.map((r) => r.counterparty.credit.curveSource)),
    f64('recovery', ranked.map((r) => r.counterparty.credit.recovery)),
    { name: 'netting_sets', type: 'int32', values: ranked.map((r) => r.counterparty.nettingSetIds.length) },
    f64('cva', ranked.map((r) => r.counterparty.cva)),
    f64('dva', ranked.map((r) => r.counterparty.dva)),
    f64('fca', ranked.map((r) => r.counterparty.fca)),
    f64('fba', ranked.map((r) => r.counterparty.fba)),
    f64('colva', ranked.map((r) => r.counterparty.colva)),
    f64('share_of_book_cva', ranked.map((r) => r.shareOfBookCva)),
    f64('cva_std_error', ranked.map((r) => r.counterparty.cvaStdError)),
  ]);
  const inc = new Map(incremental.map((r) => [r.tradeId, r]));
  const trades = result.trades;
  const incCol = (pick: (r: IncrementalRow) => number) => trades.map((t) => (inc.has(t.tradeId) ? pick(inc.get(t.tradeId)!) : null));
  write('cva_trade', [
    utf8('trade_id', trades.map((t) => t.tradeId)),
    utf8('netting_set_id', trades.map((t) => t.nettingSetId)),
    utf8('counterparty_id', trades.map((t) => t.counterpartyId)),
    f64('cva_euler', trades.map((t) => t.cva)),
    f64('dva_euler', trades.map((t) => t.dva)),
    f64('fca_euler', trades.map((t) => t.fca)),
    f64('fba_euler', trades.map((t) => t.fba)),
    f64('colva_allocated', trades.map((t) => t.colva)),
    f64('cva_incremental', incCol((r) => r.cva)),
    f64('dva_incremental', incCol((r) => r.dva)),
    f64('fca_incremental', incCol((r) => r.fca)),
    f64('fba_incremental', incCol((r) => r.fba)),
  ]);
  const b = result.book;
  write('xva_book', [
    f64('cva', [b.cva]),
    f64('dva', [b.dva]),
    f64('fca', [b.fca]),
    f64('fba', [b.fba]),
    f64('colva', [b.colva]),
    f64('total_adjustment', [totalAdjustment(b)]),
    f64('cva_std_error', [b.cvaStdError]),
    utf8('discretisation', [result.options.discretisation]),
    utf8('mode', [result.options.mode]),
  ]);
  const rows: { scenario: string; scope: string; cp: string | null; x: { cva: number; dva: number; fca: number; fba: number; colva: number }; skipped: string | null; resim: boolean }[] = [];
  const addRows = (scenario: string, book: ScenarioOutcome['book'], cps: Map<string, ScenarioOutcome['book']>, skipped: string | null, resim: boolean): void => {
    rows.push({ scenario, scope: 'book', cp: null, x: book, skipped, resim });
    for (const r of ranked) {
      const x = cps.get(r.counterparty.counterpartyId);
      if (x) rows.push({ scenario, scope: 'counterparty', cp: r.counterparty.counterpartyId, x, skipped, resim });
    }
  };
  addRows('base', result.book, new Map(result.counterparties.map((c) => [c.counterpartyId, c])), null, false);
  for (const s of scenarios) addRows(s.scenario, s.book, s.counterparties, s.skipped ?? null, s.resimulated);
  write('xva_scenarios', [
    utf8('scenario', rows.map((r) => r.scenario)),
    utf8('scope', rows.map((r) => r.scope)),
    utf8('counterparty_id', rows.map((r) => r.cp)),
    ...scenarioColumns(rows),
  ]);
  // only when scenarios ran: every netting set's figures under each (base first), sets in the book's order, so that a
  // stress move can be traced to the sets that make it (and the shards of a run can be re-added: scale/mergeXva.ts)
  if (scenarios.length > 0) {
    const setRows: { scenario: string; x: ScenarioOutcome['nettingSets'][number]; skipped: string | null; resim: boolean }[] = [];
    for (const x of sets) setRows.push({ scenario: 'base', x, skipped: null, resim: false });
    for (const s of scenarios) for (const x of s.nettingSets) setRows.push({ scenario: s.scenario, x, skipped: s.skipped ?? null, resim: s.resimulated });
    write('xva_scenarios_netting_set', [
      utf8('scenario', setRows.map((r) => r.scenario)),
      utf8('netting_set_id', setRows.map((r) => r.x.nettingSetId)),
      utf8('counterparty_id', setRows.map((r) => r.x.counterpartyId)),
      ...scenarioColumns(setRows),
    ]);
  }
  // only when a counterparty asks for a wrong-way model (docs/xva.md, "Wrong-way risk")
  if (wrongWay.length > 0) write('cva_wrong_way', wrongWayColumns(wrongWay));
  // only with --cs01 (docs/xva.md, "Credit sensitivities")
  if (cs01.length > 0) {
    write('xva_cs01', [
      utf8('scope', cs01.map((r) => r.scope)),
      utf8('counterparty_id', cs01.map((r) => r.counterpartyId)),
      utf8('credit_curve', cs01.map((r) => r.creditCurve)),
      utf8('tenor', cs01.map((r) => r.tenor)),
      f64('tenor_years', cs01.map((r) => r.tenorYears)),
      f64('cva_cs01', cs01.map((r) => r.cva)),
      f64('dva_cs01', cs01.map((r) => r.dva)),
      f64('fca_cs01', cs01.map((r) => r.fca)),
      f64('fba_cs01', cs01.map((r) => r.fba)),
    ]);
  }
  removeUnwrittenTables(outDir, XVA_TABLES, files);
  return files;
}

/** Every table `writeXvaTables` may write (the optional ones only with scenarios, wrong-way models or --cs01). */
const XVA_TABLES = ['cva_netting_set', 'cva_counterparty', 'cva_trade', 'xva_book', 'xva_scenarios', 'xva_scenarios_netting_set', 'cva_wrong_way', 'xva_cs01'] as const;
