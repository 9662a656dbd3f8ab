/**
 * A netting set whose CRIF margins some trades by SIMM and the others by the schedule collects both: imCollect (the IM
 * held in the coverage scenarios, outputs.ts) and explain's per-set im_collect / im_post are SIMM of the SIMM rows plus
 * the schedule IM of the schedule rows (each method covers only its own trades; ORE's calculators each skip the other's
 * rows). Audit 176 (helper 178): the set reported imCollect 60,000, its SIMM only, beside a schedule call of 2,000,000.
 *
 * Hand figures: SIMM v2.6 10-day, one USD 5y OIS delta of 1,000: RW 60 (regular volatility), one factor far below the
 * concentration threshold, so 60,000 on each side. Schedule (BCBS-IOSCO Appendix A): one rates trade of notional
 * 100,000,000 ending 2029-06-30, three years after the demo market's 2026-06-30: 2% → gross IM 2,000,000; a lone trade
 * has NGR 1 on both sides (PV +100 on the call side; on the post side no positive PV, 0/0 taken as 1), so 2,000,000
 * each. Sum 2,060,000. Tolerance 1e-6: a few double operations on numbers of 1e6.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsOf } from '../src/explain/facts.js';
import { writeTable } from '../src/io/write.js';
import { imCollected, runMargin } from '../src/margin/run.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import type { Scenario } from '../src/scenarios/types.js';
import { parseIsoDate } from '../src/conventions/dates.js';
import { REPO_ROOT } from './helpers/paths.js';
import { plainNettingSet, sofrSwap } from './helpers/swapBook.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');
const HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,IMModel,end_date';
const SIMM = 60_000;
const SCHEDULE = 2_000_000;
let dir: string;
let crifFile: string;

function book(): Portfolio {
  return {
    trades: [sofrSwap('S1', 'NS-M', 'CP-A', 5e7, 0.01, 5, 'pay')],
    counterparties: [{ counterpartyId: 'CP-A', name: 'A', sector: 'financial', rating: 'A', region: 'north_america', qccp: false }],
    nettingSets: [plainNettingSet('NS-M', 'CP-A', { imModel: 'simm' })],
    eligibleCollateral: [],
    collateral: [],
    sources: {},
  };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-margin-mixed-'));
  const portfolioDir = path.join(dir, 'book');
  fs.mkdirSync(portfolioDir);
  for (const [name, table] of Object.entries(portfolioTables(book()))) writeTable(path.join(portfolioDir, `${name}.parquet`), table, 'parquet');
  crifFile = path.join(dir, 'mixed.csv');
  fs.writeFileSync(
    crifFile,
    [HEADER, 'T1,NS-M,RatesFX,Risk_IRCurve,USD,,5y,OIS,1000,USD,SIMM,', 'A,NS-M,Rates,PV,,,,,100,USD,Schedule,2029-06-30', 'A,NS-M,Rates,Notional,,,,,100000000,USD,Schedule,2029-06-30'].join('\n') + '\n',
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a netting set with SIMM and schedule rows collects both', () => {
  it('without a portfolio: simmCollect 60,000 + scheduleCall 2,000,000 = imCollect 2,060,000', async () => {
    const run = await runMargin({ crifFile, usePortfolio: false, asOf: parseIsoDate('2026-06-30')! });
    const ns = run.nettingSets.find((n) => n.nettingSetId === 'NS-M')!;
    expect(Math.abs(ns.simmCollect! - SIMM)).toBeLessThan(1e-6);
    expect(Math.abs(ns.scheduleCall! - SCHEDULE)).toBeLessThan(1e-6);
    expect(Math.abs(ns.imCollect - (SIMM + SCHEDULE))).toBeLessThan(1e-6);
  });

  it('with the portfolio (im_model simm): the coverage scenarios hold c·2,060,000 and the residual is max(E − c·IM, 0)', async () => {
    const scenarios = [0.5, 1].map((c) => ({ name: `c${c}`, shocks: { collateralCoverage: c } }) as unknown as Scenario);
    const run = await runMargin({ crifFile, portfolioDir: path.join(dir, 'book'), marketFile: MARKET_FILE, usePortfolio: true, scenarios });
    expect(run.nettingSets.find((n) => n.nettingSetId === 'NS-M')!.imCollect).toBeCloseTo(SIMM + SCHEDULE, 6);
    expect(run.scenarios).toHaveLength(2);
    for (const s of run.scenarios) {
      expect(Math.abs(s.imHeld - s.coverage * (SIMM + SCHEDULE))).toBeLessThan(1e-6);
      expect(Math.abs(s.residualExposureStressed - Math.max(s.exposure - s.coverage * (SIMM + SCHEDULE), 0))).toBeLessThan(1e-6);
    }
  });

  it('imCollected: the sum with both, the model’s figure with one, 0 without an IM model', () => {
    expect(imCollected('simm', SIMM, SCHEDULE)).toBe(SIMM + SCHEDULE);
    expect(imCollected('schedule', SIMM, SCHEDULE)).toBe(SIMM + SCHEDULE);
    expect(imCollected('simm', SIMM, undefined)).toBe(SIMM);
    expect(imCollected('schedule', undefined, SCHEDULE)).toBe(SCHEDULE);
    expect(imCollected('simm', undefined, SCHEDULE)).toBe(0);
    expect(imCollected('none', SIMM, SCHEDULE)).toBe(0);
  });

  it("explain's per-set im_collect and im_post add SIMM and schedule when the set has both", () => {
    const facts = factsOf({
      asOf: '2026-06-30',
      currency: 'USD',
      missing: [],
      notes: [],
      margin: {
        nettingSets: [
          { nettingSetId: 'NS-M', imModel: 'simm', simmCollect: SIMM, simmPost: 50_000, scheduleCall: SCHEDULE, schedulePost: 1_500_000, collateralCurrency: 'USD', vmRequired: null, marginCall: null, balanceOnFile: null, mva: null },
          { nettingSetId: 'NS-S', imModel: 'simm', simmCollect: SIMM, simmPost: 50_000, scheduleCall: null, schedulePost: null, collateralCurrency: 'USD', vmRequired: null, marginCall: null, balanceOnFile: null, mva: null },
        ],
        scenarios: [],
        mvaScenarios: [],
        source: 'margin_netting_sets.arrow',
      },
    } as unknown as Parameters<typeof factsOf>[0]);
    const value = (id: string) => facts.list.find((f) => f.id === id)!.value;
    expect(value('margin.ns.NS-M.im_collect')).toBe(SIMM + SCHEDULE);
    expect(value('margin.ns.NS-M.im_post')).toBe(50_000 + 1_500_000);
    expect(value('margin.ns.NS-S.im_collect')).toBe(SIMM);
    expect(value('margin.ns.NS-S.im_post')).toBe(50_000);
  });
});
