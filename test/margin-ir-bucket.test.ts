/**
 * The Bucket of a Risk_IRCurve row (audit 176, helper 178). The standard CRIF carries the currency's SIMM volatility
 * group there: 1 regular, 2 low (JPY), 3 high (any other currency, e.g. BRL), per the parameter file's
 * currency_volatility_groups and crif_bucket_for_group (SIMM v2.6 §C.1.1; the reference copy
 * ../shared/reference/simm/simm_v2.6_params.json is read here, not xva's tables). `--write-crif` left it blank; now it
 * writes the group. On input a blank bucket is accepted as before, and one that says another group is a warning naming
 * the cell, the risk weight coming from the currency all the same.
 *
 * Hand figures (SIMM v2.6, 10 days): RW(5y) 60 for USD (regular), 97 for BRL (high); one OIS 5y factor of 1,000 each,
 * far below the concentration thresholds (CR = 1); currencies aggregate with γ = 0.32:
 *   √(60,000² + 97,000² + 2·0.32·60,000·97,000) = 129,359.19…
 * Tolerance 1e-6 absolute: a handful of double operations on numbers of 1e5.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTable } from '../src/io/write.js';
import { readCrif } from '../src/margin/crif.js';
import { runMargin } from '../src/margin/run.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { REPO_ROOT, SHARED_REFERENCE } from './helpers/paths.js';
import { plainNettingSet, sofrSwap } from './helpers/swapBook.js';
import { xva } from './helpers/scaleCli.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
const PARAMS = JSON.parse(fs.readFileSync(path.join(SHARED_REFERENCE, 'simm', 'simm_v2.6_params.json'), 'utf8')) as {
  interest_rate: {
    currency_volatility_groups: { regular: string[]; low: string[]; crif_bucket_for_group: { regular: string; low: string; high: string } };
    delta_risk_weights: { '10d': { regular: Record<string, number>; high: Record<string, number> } };
    correlations: { inter_currency_gamma: number };
  };
};
const GROUPS = PARAMS.interest_rate.currency_volatility_groups;
/** The reference file's bucket of a currency: its group's crif_bucket_for_group. */
const bucketOf = (ccy: string) => GROUPS.crif_bucket_for_group[GROUPS.regular.includes(ccy) ? 'regular' : GROUPS.low.includes(ccy) ? 'low' : 'high'];
const HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-ir-bucket-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function crif(name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
  return file;
}

/** Risk type and bucket of every row of a written CRIF (CSV). */
function writtenBuckets(file: string): { riskType: string; qualifier: string; bucket: string }[] {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  const at = (name: string) => cols.indexOf(name);
  return lines.map((l) => l.split(',')).map((c) => ({ riskType: c[at('RiskType')]!, qualifier: c[at('Qualifier')]!, bucket: c[at('Bucket')]! }));
}

describe('--write-crif: a Risk_IRCurve row carries its currency group as Bucket', () => {
  it('the reference file: USD and EUR 1, JPY 2, BRL 3', () => {
    expect(['USD', 'EUR', 'JPY', 'BRL'].map(bucketOf)).toEqual(['1', '1', '2', '3']);
  });

  it('built from a portfolio (a USD SOFR swap): every Risk_IRCurve row has Bucket 1', async () => {
    const book: Portfolio = {
      trades: [sofrSwap('S1', 'NS-S', 'CP-A', 5e7, 0.01, 5, 'pay')],
      counterparties: [{ counterpartyId: 'CP-A', name: 'A', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
      nettingSets: [plainNettingSet('NS-S', 'CP-A', { imModel: 'simm' })],
      eligibleCollateral: [],
      collateral: [],
      sources: {},
    };
    const portfolioDir = path.join(dir, 'book');
    fs.mkdirSync(portfolioDir);
    for (const [name, table] of Object.entries(portfolioTables(book))) writeTable(path.join(portfolioDir, `${name}.parquet`), table, 'parquet');
    const out = path.join(dir, 'written_book.csv');
    await runMargin({ portfolioDir, marketFile: MARKET_FILE, usePortfolio: true, writeCrifFile: out });
    const ir = writtenBuckets(out).filter((r) => r.riskType === 'Risk_IRCurve');
    expect(ir.length).toBeGreaterThan(0);
    for (const r of ir) expect([r.qualifier, r.bucket]).toEqual(['USD', bucketOf('USD')]);
  });

  it('read with blank buckets (USD, JPY, BRL) and written: 1, 2, 3; read back, no warning and the same SIMM', async () => {
    const file = crif('blank.csv', ['T1,P,RatesFX,Risk_IRCurve,USD,,5y,OIS,1000,USD', 'T2,P,RatesFX,Risk_IRCurve,JPY,,5y,OIS,1000,USD', 'T3,P,RatesFX,Risk_IRCurve,BRL,,5y,OIS,1000,USD']);
    const out = path.join(dir, 'written_blank.csv');
    const run = await runMargin({ crifFile: file, usePortfolio: false, writeCrifFile: out });
    expect(writtenBuckets(out).map((r) => [r.qualifier, r.bucket])).toEqual(['USD', 'JPY', 'BRL'].map((c) => [c, bucketOf(c)]));
    expect(run.notes.filter((n) => n.includes('Bucket'))).toEqual([]);
    const again = await runMargin({ crifFile: out, usePortfolio: false });
    expect(again.notes.filter((n) => n.includes('Bucket'))).toEqual([]);
    expect(again.simm.map((s) => s.total)).toEqual(run.simm.map((s) => s.total));
  });
});

describe('reading a Risk_IRCurve bucket', () => {
  const rw = PARAMS.interest_rate.delta_risk_weights['10d'];
  const kUsd = 1000 * rw.regular['5y']!;
  const kBrl = 1000 * rw.high['5y']!;
  const g = PARAMS.interest_rate.correlations.inter_currency_gamma;
  const hand = Math.sqrt(kUsd ** 2 + kBrl ** 2 + 2 * g * kUsd * kBrl);

  it('USD with bucket 3 and BRL with bucket 1: a warning naming each cell; the SIMM is the currencies\' (129,359.19), as with blank buckets', async () => {
    expect([kUsd, kBrl]).toEqual([60_000, 97_000]);
    expect(hand).toBeCloseTo(129_359.19, 2);
    const wrong = crif('irbucket.csv', ['T1,P,RatesFX,Risk_IRCurve,USD,3,5y,OIS,1000,USD', 'T1,P,RatesFX,Risk_IRCurve,BRL,1,5y,OIS,1000,USD']);
    const blank = crif('irblank.csv', ['T1,P,RatesFX,Risk_IRCurve,USD,,5y,OIS,1000,USD', 'T1,P,RatesFX,Risk_IRCurve,BRL,,5y,OIS,1000,USD']);
    const warnings: string[] = [];
    const records = await readCrif(wrong, { warnings });
    expect(warnings).toEqual([
      'irbucket.csv row 1 column Bucket: 3: expected 1, the volatility group of USD in SIMM 2.6 (1 regular, 2 low, 3 high volatility): the risk weight is USD\'s, the bucket is not used',
      'irbucket.csv row 2 column Bucket: 1: expected 3, the volatility group of BRL in SIMM 2.6 (1 regular, 2 low, 3 high volatility): the risk weight is BRL\'s, the bucket is not used',
    ]);
    const blankWarnings: string[] = [];
    const blankRecords = await readCrif(blank, { warnings: blankWarnings });
    expect(blankWarnings).toEqual([]);
    const [call] = calculateSimm(records);
    expect(Math.abs(call!.total - hand)).toBeLessThan(1e-6);
    expect(calculateSimm(blankRecords)[0]!.total).toBe(call!.total);
  });

  it('xva margin --crif: exit 0, the warnings on stderr', async () => {
    const file = crif('irbucket_cli.csv', ['T1,P,RatesFX,Risk_IRCurve,USD,3,5y,OIS,1000,USD', 'T2,P,RatesFX,Risk_IRCurve,JPY,2,5y,OIS,1000,USD']);
    const run = await xva(['margin', '--crif', file]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: irbucket_cli.csv row 1 column Bucket: 3: expected 1, the volatility group of USD');
    expect(run.stderr).not.toContain('row 2 column Bucket');
  });
});
