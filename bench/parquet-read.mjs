// Parquet read benchmark: readTable + a full scan of every cell on a 1,000,000-row trades-like table written by
// DuckDB with SNAPPY and with ZSTD. Prints wall seconds per phase and peak RSS. Build first: `npm run build`.
// Usage: node bench/parquet-read.mjs [rows] [snappy|zstd]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readTable } from '../dist/src/io/read.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const codecs = process.argv[3] ? [process.argv[3]] : ['snappy', 'zstd'];

// Columns of the portfolio `trades` table (docs/inputs.md) with realistic cardinalities and null patterns.
const QUERY = `
SELECT
  'T' || lpad(i::VARCHAR, 8, '0') AS trade_id,
  'CP' || (i % 2000)::VARCHAR AS counterparty_id,
  'NS' || (i % 5000)::VARCHAR AS netting_set_id,
  ['IRS', 'OIS', 'XCCY', 'FXFWD', 'SWAPTION', 'CDS'][1 + i % 6] AS product,
  CASE WHEN i % 2 = 0 THEN 'pay' ELSE 'receive' END AS direction,
  ['USD', 'EUR', 'GBP', 'JPY'][1 + i % 4] AS currency,
  (1000000 + (i * 7919) % 99000000)::DOUBLE AS notional,
  DATE '2020-01-01' + (i % 1000)::INTEGER AS start_date,
  DATE '2025-01-01' + (i % 9000)::INTEGER AS maturity_date,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 0.01 + (i % 500) / 10000.0 END::DOUBLE AS fixed_rate,
  CASE WHEN i % 3 = 0 THEN 'USD-SOFR' ELSE NULL END AS float_index,
  CASE WHEN i % 5 = 0 THEN NULL ELSE ((i % 200) - 100)::DOUBLE END AS float_spread_bp,
  i % 10 = 0 AS cleared
FROM range(${rows}) t(i)`;

const dir = mkdtempSync(join(tmpdir(), 'xva-bench-'));
try {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const files = {};
  for (const codec of codecs) {
    files[codec] = join(dir, `trades_${codec}.parquet`);
    await duck.run(`COPY (${QUERY}) TO '${files[codec]}' (FORMAT parquet, COMPRESSION ${codec})`);
  }
  duck.closeSync();
  // Each file twice: the first read in a process also pays V8's compilation of the parquet-wasm module (cold).
  for (const [codec, pass] of [...codecs.map((c) => [c, 'cold']), ...codecs.map((c) => [c, 'warm'])]) {
    const rssBefore = process.resourceUsage().maxRSS;
    const t0 = performance.now();
    const table = await readTable(files[codec]);
    const t1 = performance.now();
    // Full scan: every cell of every column through TabularColumn.get, as the portfolio loader does.
    let nonNull = 0;
    let checksum = 0;
    for (const name of table.columnNames) {
      const column = table.column(name);
      for (let r = 0; r < table.numRows; r++) {
        const cell = column.get(r);
        if (cell === null) continue;
        nonNull++;
        if (typeof cell === 'number') checksum += cell;
        else if (typeof cell === 'string') checksum += cell.length;
        else checksum += cell ? 1 : 0;
      }
    }
    const t2 = performance.now();
    const mb = (statSync(files[codec]).size / 2 ** 20).toFixed(1);
    console.log(
      `${codec} (${codecs.indexOf(codec) === 0 && pass === 'cold' ? 'first read in process' : 'later read'}): ${table.numRows} rows x ${table.columnNames.length} columns, file ${mb} MiB | readTable ${((t1 - t0) / 1000).toFixed(2)} s | ` +
        `scan ${((t2 - t1) / 1000).toFixed(2)} s (${nonNull} non-null cells, checksum ${checksum.toExponential(6)}) | ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (before read ${(rssBefore / 1024).toFixed(0)} MiB)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
