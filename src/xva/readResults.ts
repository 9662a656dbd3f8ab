/**
 * `--results DIR`: the exposure of a previous `xva simulate --out DIR`, read back from its tables
 * (exposure_netting_set and exposure_trade, Arrow or Parquet; docs/simulation.md) instead of simulating again.
 * A missing file or column is an XvaInputError naming the file, column and what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { XvaInputError } from '../errors.js';
import type { Currency } from '../products/types.js';
import type { ExposureSet } from './compute.js';

function readArrowOrParquet(dir: string, base: string): { table: Table; file: string } {
  for (const ext of ['.arrow', '.parquet']) {
    const file = path.join(dir, base + ext);
    if (!fs.existsSync(file)) continue;
    try {
      const bytes = fs.readFileSync(file);
      const table = ext === '.arrow' ? tableFromIPC(bytes) : tableFromIPC(readParquet(bytes).intoIPCStream());
      return { table, file: base + ext };
    } catch (error) {
      throw new XvaInputError([{ file: base + ext, value: `unreadable (${(error as Error).message})`, expected: 'a table written by xva simulate' }]);
    }
  }
  throw new XvaInputError([{ file: `${base}.arrow`, value: `not found in ${dir}`, expected: 'the output folder of xva simulate (--out DIR)' }]);
}

function columnOf(t: { table: Table; file: string }, name: string): unknown[] {
  const vector = t.table.getChild(name);
  if (!vector) throw new XvaInputError([{ file: t.file, column: name, value: 'missing', expected: `the column ${name} of xva simulate's table (docs/simulation.md)` }]);
  return vector.toArray() as unknown[];
}

const num = (values: unknown[]): Float64Array => Float64Array.from(values as number[]);

/** Reads the netting sets' profiles and the trades' Euler contributions; rows are in the book's order. */
export function readExposureResults(dir: string, collateralCurrency?: (nettingSetId: string) => Currency | undefined): ExposureSet[] {
  const sets = readArrowOrParquet(dir, 'exposure_netting_set');
  const ids = columnOf(sets, 'netting_set_id') as string[];
  const cps = columnOf(sets, 'counterparty_id') as string[];
  const times = num(columnOf(sets, 'time_years'));
  const epe = num(columnOf(sets, 'epe'));
  const ene = num(columnOf(sets, 'ene'));
  const collateral = num(columnOf(sets, 'collateral'));
  const se = num(columnOf(sets, 'epe_std_error'));
  const out: ExposureSet[] = [];
  const byId = new Map<string, { set: ExposureSet; start: number }>();
  let start = 0;
  for (let r = 1; r <= ids.length; r++) {
    if (r < ids.length && ids[r] === ids[start]) continue;
    const id = ids[start]!;
    if (byId.has(id)) throw new XvaInputError([{ file: sets.file, row: r, column: 'netting_set_id', value: id, expected: "each netting set's rows together (as xva simulate writes them)" }]);
    const ccy = collateralCurrency?.(id);
    const set: ExposureSet = {
      nettingSetId: id,
      counterpartyId: cps[start]!,
      times: times.slice(start, r),
      epe: epe.slice(start, r),
      ene: ene.slice(start, r),
      collateral: collateral.slice(start, r),
      epeStdError: se.slice(start, r),
      ...(ccy !== undefined ? { collateralCurrency: ccy } : {}),
      tradeIds: [],
      tradeEpe: new Float64Array(0),
      tradeEne: new Float64Array(0),
    };
    out.push(set);
    byId.set(id, { set, start });
    start = r;
  }

  const trades = readArrowOrParquet(dir, 'exposure_trade');
  const tradeIds = columnOf(trades, 'trade_id') as string[];
  const tradeSets = columnOf(trades, 'netting_set_id') as string[];
  const epeC = num(columnOf(trades, 'epe_contribution'));
  const eneC = num(columnOf(trades, 'ene_contribution'));
  const rowsOf = new Map<string, number[]>();
  for (let r = 0; r < tradeIds.length; r++) {
    const list = rowsOf.get(tradeSets[r]!) ?? [];
    if (list.length === 0) rowsOf.set(tradeSets[r]!, list);
    list.push(r);
  }
  for (const [setId, rows] of rowsOf) {
    const entry = byId.get(setId);
    if (!entry) throw new XvaInputError([{ file: trades.file, row: rows[0]! + 1, column: 'netting_set_id', value: setId, expected: 'a netting set of exposure_netting_set' }]);
    const n = entry.set.times.length;
    if (rows.length % n !== 0) throw new XvaInputError([{ file: trades.file, column: 'trade_id', value: `${rows.length} rows for netting set ${setId}`, expected: `a multiple of its ${n} exposure dates` }]);
    const ids: string[] = [];
    const e = new Float64Array(rows.length);
    const f = new Float64Array(rows.length);
    rows.forEach((r, j) => {
      if (j % n === 0) ids.push(tradeIds[r]!);
      e[j] = epeC[r]!;
      f[j] = eneC[r]!;
    });
    entry.set.tradeIds = ids;
    entry.set.tradeEpe = e;
    entry.set.tradeEne = f;
  }
  return out;
}
