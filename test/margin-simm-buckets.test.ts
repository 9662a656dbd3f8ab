/**
 * SIMM buckets of the book's names in the CRIF `xva margin` builds from a portfolio (SIMM v2.6 §C.3 credit
 * qualifying, §C.7 equity), from the thirty-fifth session's margin audit (helper 73): every equity index of the demo
 * book fell into the Residual bucket (risk weight 50) instead of bucket 11, "indexes, funds, ETFs" (19), though
 * reference_entities marks them as indices, and nothing could set a bucket. NS-CP0010-1's SIMM was 51.8m; the audit's
 * CRIF with the indices moved to bucket 11 by hand gives 22.1m.
 *
 * Reference: the CRIF built without the reference data (every index in Residual), its index rows moved to bucket 11
 * here by hand, through calculateSimm; the portfolio's own CRIF must give the same records and SIMM, bit for bit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simmCrifFromPortfolio, simmNameBuckets } from '../src/margin/crifFromPortfolio.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import type { ReferenceEntity } from '../src/portfolio/referenceEntities.js';
import { xva } from './helpers/scaleCli.js';

const DEMO = path.resolve('fixtures/demo');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-simm-buckets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let market: Market;
let portfolio: Portfolio;
beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

const SETS = ['NS-CP0010-1', 'NS-CP0035-1', 'NS-CP0040-3'];
const callOf = (records: Parameters<typeof calculateSimm>[0], id: string) => calculateSimm(records, { version: '2.6', mporDays: 10 }).find((r) => r.portfolioId === id && r.side === 'Call')!.total;

describe('equity indices of reference_entities are SIMM bucket 11', () => {
  it('the same CRIF and SIMM as the Residual CRIF with its index rows moved to bucket 11 by hand', () => {
    const indices = [...portfolio.referenceEntities!.values()].filter((e) => e.isIndex).map((e) => e.name);
    expect(indices.length).toBeGreaterThan(3); // SPX, NDX, SX5E, UKX, NKY, SMI
    const bare: Portfolio = { ...portfolio };
    delete bare.referenceEntities;
    const residual = simmCrifFromPortfolio(bare, market, { nettingSetIds: SETS }).records;
    const byHand = residual.map((r) => ((r.riskType === 'Risk_Equity' || r.riskType === 'Risk_EquityVol') && indices.includes(r.qualifier) ? { ...r, bucket: '11' } : r));
    expect(byHand.filter((r, i) => r !== residual[i]).length).toBeGreaterThan(0);
    const built = simmCrifFromPortfolio(portfolio, market, { nettingSetIds: SETS }).records;
    expect(built).toEqual(byHand);
    for (const id of SETS) {
      expect(callOf(built, id)).toBe(callOf(byHand, id));
      expect(callOf(built, id)).toBeLessThan(callOf(residual, id)); // RW 19 against 50
    }
    // the audit's figure for NS-CP0010-1 (its own SIMM implementation on the hand-edited CRIF) was 22,097,616 on the
    // CRIF of then, before the cross-currency basis deltas (forty-third session) added their rows and before the
    // coupons running without fixings kept their rates across the bumps (forty-fourth: test/simm-implied-fixings.test.ts)
    // and before a CDS's IR delta held its par spreads (forty-seventh: test/crif-generation.test.ts; 21,990,840.95 then)
    expect(callOf(built.filter((r) => r.riskType !== 'Risk_XCcyBasis'), 'NS-CP0010-1')).toBeCloseTo(21_990_837.88, 1);
  });
});

describe('simm_bucket and credit indices', () => {
  const withEntities = (rows: ReferenceEntity[]): Portfolio => ({ ...portfolio, referenceEntities: new Map([...portfolio.referenceEntities!, ...rows.map((e) => [e.name, e] as const)]) });

  it('simm_bucket sets a name\'s equity or credit bucket; a one-sector credit index takes its sector\'s bucket', () => {
    const equity = portfolio.trades.find((t) => t.product === 'EQOPT' || t.product === 'EQFWD') as { underlying: string };
    const cds = portfolio.trades.find((t) => t.product === 'CDS') as { referenceEntity: string };
    const buckets = simmNameBuckets(withEntities([
      { name: equity.underlying, isIndex: false, simmBucket: '5' },
      { name: cds.referenceEntity, isIndex: false, rating: 'BBB', simmBucket: '3' },
      { name: 'ITRAXX_FIN', isIndex: true, grade: 'IG', baCvaSector: 'financial' },
      { name: 'CDX_HY_TECH', isIndex: true, grade: 'SG', baCvaSector: 'technology' },
    ]));
    expect(buckets.equity.get(equity.underlying)).toBe('5');
    expect(buckets.credit.get(cds.referenceEntity)).toBe('3');
    expect(buckets.credit.get('ITRAXX_FIN')).toBe('2'); // financials, investment grade (§C.3 bucket 2)
    expect(buckets.credit.get('CDX_HY_TECH')).toBe('11'); // technology, high yield: 5 + 6
    expect(buckets.equity.get('SPX')).toBe('11');
  });

  it('names left in Residual are listed in a note; a bad simm_bucket is an error naming the file, row and value', async () => {
    const { notes } = simmCrifFromPortfolio(portfolio, market);
    expect(notes.some((n) => /^SIMM: \d+ credit names in the Residual bucket \(no simm_bucket in reference_entities, not a counterparty with a sector\): /.test(n))).toBe(true);
    const book = path.join(tmp, 'bad');
    fs.cpSync(path.resolve('test/data/small'), book, { recursive: true });
    fs.writeFileSync(path.join(book, 'reference_entities.csv'), 'name,kind,simm_bucket\nACME_CORP,single_name,4\nSPX,index,13\n');
    const run = await xva(['validate', '--portfolio', book]);
    expect(run.status).toBe(2);
    expect(run.stderr + run.stdout).toContain('reference_entities.csv row 2 column simm_bucket: 13: expected one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, Residual');
  });
});
