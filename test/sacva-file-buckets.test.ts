/**
 * `--sacva-sensitivities`: a counterparty credit row (MAR50.63-65) in a bucket other than the counterparty's sector
 * bucket, from helper 142's audit: `,CreditCounterparty,CvaAggregate,Delta,CP_BANK_A/5Y,4,100` for CP_BANK_A, a
 * financial (bucket 2) rated A, was aggregated with bucket 4's weight without a word. MAR50.63 assigns each name to
 * the one bucket of its sector and docs/capital-cva.md defines no override (the counterparties table's `sector` is
 * the bank's classification, and the computed SA-CVA takes its bucket from it), so the row is refused: exit 2, the
 * file, row, column, value and the bucket expected.
 *
 * Reference for the accepted row: MAR50.53 with one factor in one bucket, K_b = |WS| = RW · |s|, and the SA-CVA of
 * one bucket is m_CVA · K_b (MAR50.41, m_CVA = 1); RW = 5% for bucket 2 at IG (MAR50.65 table).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeSaCva } from '../src/capital/sacva/index.js';
import { xva } from './helpers/scaleCli.js';

const SMALL = path.resolve('test/data/small');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-sacva-file-buckets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const HEADER = 'NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value';

function book(): string {
  const dir = path.join(tmp, 'book');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, f), path.join(dir, f));
  // the CDS names' ratings SA-CCR needs
  fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade\nACME_CORP,single_name,BBB,\nGLOBEX_SA,single_name,BB,\nSPX,index,,\nSX5E,index,,\n');
  // CP_BANK_A is the first row: financial, A (IG)
  expect(fs.readFileSync(path.join(dir, 'counterparties.csv'), 'utf8').split('\n')[1]).toMatch(/^CP_BANK_A,[^,]*,financial,A,/);
  return dir;
}

describe('--sacva-sensitivities: a counterparty credit row in another bucket than its sector\'s (MAR50.63)', () => {
  const dir = book();

  it('the audit\'s row (CP_BANK_A in bucket 4) is refused: exit 2, the file, row, column, value and bucket 2 expected', async () => {
    const file = path.join(dir, 'wrong-bucket.csv');
    fs.writeFileSync(file, `${HEADER}\n,CreditCounterparty,CvaAggregate,Delta,CP_BANK_A/1Y,2,50\n,CreditCounterparty,CvaAggregate,Delta,CP_BANK_A/5Y,4,100\n`);
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--sacva-sensitivities', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `wrong-bucket.csv row 2 column Bucket: 4: expected bucket 2 for CP_BANK_A (its sector financial in counterparties.csv row 1): MAR50.63 puts each name in the one bucket of its sector, and the bucket sets the MAR50.65 risk weight`,
    );
    expect(run.stderr).not.toContain('row 1 column Bucket');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('the hedge rows of a name are held to the same bucket; bucket 1 for a sovereign names 1a', async () => {
    const file = path.join(dir, 'wrong-hedge.csv');
    fs.writeFileSync(file, `${HEADER}\n,CreditCounterparty,CvaHedge,Delta,CP_SOV_C/5Y,1b,10\n`);
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--sacva-sensitivities', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`wrong-hedge.csv row 1 column Bucket: 1b: expected bucket 1a for CP_SOV_C (its sector sovereign in counterparties.csv row 3)`);
  });

  it('the row in its sector\'s bucket is read: SA-CVA = RW · |s| = 5% × 100 (bucket 2, IG)', async () => {
    const file = path.join(dir, 'right-bucket.csv');
    fs.writeFileSync(file, `${HEADER}\n,CreditCounterparty,CvaAggregate,Delta,CP_BANK_A/5Y,2,100\n`);
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--sacva-sensitivities', file, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { book: { saCva: number } }).book.saCva).toBeCloseTo(0.05 * 100, 12);
  });

  it('the library: a creditNames bucket refuses other buckets; without one any bucket 1a … 8 is taken (as before)', () => {
    const record = { nettingSetId: null, riskType: 'CreditCounterparty', cvaType: 'CvaAggregate', marginType: 'Delta', riskFactor: 'X/5Y', bucket: '4', value: 100 } as const;
    expect(() => computeSaCva([record], { creditNames: { X: { creditQuality: 'IG', bucket: '2' } } })).toThrow(/column Bucket: 4: expected bucket 2 for X: MAR50\.63/);
    // bucket 4 (consumer) IG: 3% (MAR50.65 table)
    expect(computeSaCva([record], { creditNames: { X: { creditQuality: 'IG' } } }).capital).toBeCloseTo(0.03 * 100, 12);
  });
});
