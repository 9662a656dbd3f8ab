import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { writeTable } from '../src/io/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';

const DEMO = path.resolve(__dirname, '../fixtures/demo');

function strip(p: Portfolio): unknown {
  const clean = <T extends object>(rows: readonly T[]) => rows.map((r) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'sourceRow' ? undefined : v))));
  return { trades: clean(p.trades), counterparties: clean(p.counterparties), nettingSets: clean(p.nettingSets), eligibleCollateral: clean(p.eligibleCollateral), collateral: clean(p.collateral) };
}

async function load(dir: string): Promise<Portfolio> {
  const issues = new IssueCollector();
  const p = await loadPortfolio(dir, issues);
  issues.throwIfAny();
  return p;
}

describe('portfolio tables written back (the inverse of the readers)', () => {
  for (const format of ['parquet', 'csv'] as const) {
    it(`reading what portfolioTables writes (${format}) gives the same portfolio as the bundled demo book`, async () => {
      const base = await load(DEMO);
      // every product of the data model is in the demo book: the round trip covers each row form
      expect(new Set(base.trades.map((t) => t.product)).size).toBe(10);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-write-rows-'));
      try {
        for (const [name, table] of Object.entries(portfolioTables(base))) writeTable(path.join(dir, `${name}.${format}`), table, format);
        const again = await load(dir);
        expect(strip(again)).toEqual(strip(base));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a CDS trade_date round-trips (Parquet), and one after the maturity is an error naming the row and column', async () => {
    const base = await load(DEMO);
    const index = base.trades.findIndex((t) => t.product === 'CDS');
    const cds = base.trades[index]!;
    if (cds.product !== 'CDS') throw new Error('the demo book has a CDS');
    const dated: Portfolio = { ...base, trades: base.trades.map((t, i) => (i === index ? { ...cds, tradeDate: cds.startDate } : t)) };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-write-rows-'));
    try {
      const tables = portfolioTables(dated);
      expect(tables.trades.columns.map((c) => c.name)).toContain('trade_date');
      for (const [name, table] of Object.entries(tables)) writeTable(path.join(dir, `${name}.parquet`), table, 'parquet');
      const again = await load(dir);
      expect(again.trades[index]).toMatchObject({ tradeId: cds.tradeId, tradeDate: cds.startDate });
      expect(again.trades.filter((t) => t.product === 'CDS' && t.tradeDate !== undefined)).toHaveLength(1);
      // a trade date after the maturity
      const late: Portfolio = { ...base, trades: base.trades.map((t, i) => (i === index ? { ...cds, tradeDate: cds.maturityDate + 1 } : t)) };
      writeTable(path.join(dir, 'trades.parquet'), portfolioTables(late).trades, 'parquet');
      const issues = new IssueCollector();
      await loadPortfolio(dir, issues);
      expect(issues.issues.map((i) => [i.row, i.column])).toEqual([[index + 1, 'trade_date']]);
      expect(issues.issues[0]!.expected).toMatch(/on or before .*maturity_date/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
