/**
 * ORE's SEC/CFTC rule (audit 176, helper 178): where a netting set names SEC on a side, in any of its CRIF rows (SIMM
 * or schedule), the rows under CFTC on that side count under SEC as well (a row naming both, once), and CFTC is still
 * computed on its own rows (OpenSourceRisk/Engine orea/simm/simmcalculator.cpp splitCrifByRegulationsAndPortfolios,
 * orea/simm/imschedulecalculator.cpp: "Where there is SEC and CFTC in the portfolio, we add the CFTC trades to SEC,
 * but still continue with CFTC calculations"; the analytics pass hasSEC, the sets naming SEC per side over the whole
 * CRIF). Before, SEC counted only its own rows and CFTC won the audit's repro at 120,000 on both sides.
 *
 * Hand figures (SIMM v2.6, 10 days, reference parameter file ../shared/reference/simm/simm_v2.6_params.json):
 * USD and EUR are regular-volatility currencies, RW(5y) = 60; one OIS 5y factor per currency, far below the
 * concentration thresholds (330 USD mm/bp: CR = 1, g = 1); the two currencies aggregate with γ = 0.32.
 *   K_USD = 1000·60 = 60,000, K_EUR = 2000·60 = 120,000
 *   SEC (USD + EUR) = √(60,000² + 120,000² + 2·0.32·60,000·120,000) = 150,359.57…
 * Delta margins are the same on the post side (sign-flipped sensitivities). Tolerance 1e-6 absolute: a handful of
 * double operations on numbers of 1e5.
 *
 * Schedule (BCBS-IOSCO Appendix A, as of 2026-01-15, Act/Act): trade A ends 2028-06-30 (2.46y: rates 2-5y, 2%),
 * trade B 2031-06-30 (5.46y: rates 5y+, 4%), notional 1,000,000 each, so gross IM 20,000 and 40,000; schedule IM =
 * (0.4 + 0.6·NGR)·gross IM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoDate } from '../src/conventions/dates.js';
import { readCrif } from '../src/margin/crif.js';
import { runMargin } from '../src/margin/run.js';
import { calculateScheduleIm } from '../src/margin/schedule.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import { SHARED_REFERENCE } from './helpers/paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-sec-cftc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PARAMS = JSON.parse(fs.readFileSync(path.join(SHARED_REFERENCE, 'simm', 'simm_v2.6_params.json'), 'utf8')) as {
  interest_rate: { delta_risk_weights: { '10d': { regular: Record<string, number> } }; correlations: { inter_currency_gamma: number } };
};
const RW5Y = PARAMS.interest_rate.delta_risk_weights['10d'].regular['5y']!;
const GAMMA = PARAMS.interest_rate.correlations.inter_currency_gamma;
const K_USD = 1000 * RW5Y;
const K_EUR = 2000 * RW5Y;
const BOTH = Math.sqrt(K_USD ** 2 + K_EUR ** 2 + 2 * GAMMA * K_USD * K_EUR);
const AS_OF = parseIsoDate('2026-01-15')!;

const SIMM_HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,collect_regulations,post_regulations';
const HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,IMModel,end_date,collect_regulations,post_regulations';

function crif(name: string, header: string, rows: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, [header, ...rows].join('\n') + '\n');
  return file;
}

describe('SIMM: CFTC rows count under SEC where the set names SEC', () => {
  it('the audit repro: SEC = USD + EUR = 150,359.57 wins over CFTC = EUR alone = 120,000, on both sides', async () => {
    expect(RW5Y).toBe(60);
    expect(BOTH).toBeCloseTo(150_359.57, 2);
    const file = crif('simm_repro.csv', SIMM_HEADER, ['T1,P,RatesFX,Risk_IRCurve,USD,,5y,OIS,1000,USD,SEC,SEC', 'T2,P,RatesFX,Risk_IRCurve,EUR,,5y,OIS,2000,USD,CFTC,CFTC']);
    const results = calculateSimm(await readCrif(file), { version: '2.6', mporDays: 10 });
    for (const side of ['Call', 'Post'] as const) {
      const r = results.find((x) => x.portfolioId === 'P' && x.side === side)!;
      expect(r.regulation).toBe('SEC');
      expect(Math.abs(r.total - BOTH)).toBeLessThan(1e-6);
      const totals = new Map(r.regulationTotals.map((t) => [t.regulation, t.total]));
      expect(Math.abs(totals.get('CFTC')! - K_EUR)).toBeLessThan(1e-6);
      expect(Math.abs(totals.get('SEC')! - BOTH)).toBeLessThan(1e-6);
    }
  });

  it('a row naming both SEC and CFTC counts once under SEC (USD once: 150,359.57, not with USD doubled)', async () => {
    const file = crif('simm_both.csv', SIMM_HEADER, ['T1,P,RatesFX,Risk_IRCurve,USD,,5y,OIS,1000,USD,"SEC,CFTC","SEC,CFTC"', 'T2,P,RatesFX,Risk_IRCurve,EUR,,5y,OIS,2000,USD,CFTC,CFTC']);
    const [call] = calculateSimm(await readCrif(file), { version: '2.6', mporDays: 10 });
    const totals = new Map(call!.regulationTotals.map((t) => [t.regulation, t.total]));
    // CFTC = T1 + T2 as well; the tie goes to CFTC, first in ORE's order
    expect(Math.abs(totals.get('SEC')! - BOTH)).toBeLessThan(1e-6);
    expect(Math.abs(totals.get('CFTC')! - BOTH)).toBeLessThan(1e-6);
    expect(call!.regulation).toBe('CFTC');
  });

  it('SEC named only by a schedule row of the set: the SIMM rows under CFTC give SEC too (120,000 each), through runMargin', async () => {
    const file = crif('simm_sched_sec.csv', HEADER, [
      'T2,P,RatesFX,Risk_IRCurve,EUR,,5y,OIS,2000,USD,SIMM,,CFTC,CFTC',
      'A,P,Rates,PV,,,,,100,USD,Schedule,2028-06-30,SEC,SEC',
      'A,P,Rates,Notional,,,,,1000000,USD,Schedule,2028-06-30,SEC,SEC',
    ]);
    const run = await runMargin({ crifFile: file, usePortfolio: false, asOf: AS_OF });
    const call = run.simm.find((r) => r.portfolioId === 'P' && r.side === 'Call')!;
    expect(call.regulationTotals.map((t) => t.regulation)).toEqual(['CFTC', 'SEC']);
    for (const t of call.regulationTotals) expect(Math.abs(t.total - K_EUR)).toBeLessThan(1e-6);
    // the schedule trade alone: NGR 1 (one trade), 2% of 1,000,000
    expect(run.schedule.find((s) => s.portfolioId === 'P' && s.side === 'Call')!.scheduleIm).toBeCloseTo(20_000, 6);
  });
});

describe('schedule: CFTC trades count under SEC where the set names SEC', () => {
  it('A (SEC, 20,000) and B (CFTC, 40,000), PVs +100 each: SEC = A + B, NGR 1, 60,000 wins on both sides', async () => {
    const file = crif('sched_sec_cftc.csv', HEADER, [
      'A,P,Rates,PV,,,,,100,USD,Schedule,2028-06-30,SEC,SEC',
      'A,P,Rates,Notional,,,,,1000000,USD,Schedule,2028-06-30,SEC,SEC',
      'B,P,Rates,PV,,,,,100,USD,Schedule,2031-06-30,CFTC,CFTC',
      'B,P,Rates,Notional,,,,,1000000,USD,Schedule,2031-06-30,CFTC,CFTC',
    ]);
    const { nettingSets } = calculateScheduleIm(await readCrif(file), { asOf: AS_OF });
    for (const side of ['Call', 'Post'] as const) {
      const r = nettingSets.find((n) => n.portfolioId === 'P' && n.side === side)!;
      expect(r.regulation).toBe('SEC');
      expect(r.grossIm).toBeCloseTo(60_000, 6);
      // Call: PVs +100, +100 (net 200 / gross 200); Post: −100, −100 (gross RC 0: NGR 1, no netting benefit)
      expect(r.netToGrossRatio).toBe(1);
      expect(r.scheduleIm).toBeCloseTo(60_000, 6);
    }
  });

  it("the audit's file (PVs +100 SEC, −100 CFTC): SEC = A + B nets to NGR 0, 0.4·60,000 = 24,000, so CFTC's 40,000 still wins", async () => {
    const file = crif('sched_audit.csv', HEADER, [
      'A,P,Rates,PV,,,,,100,USD,Schedule,2028-06-30,SEC,SEC',
      'A,P,Rates,Notional,,,,,1000000,USD,Schedule,2028-06-30,SEC,SEC',
      'B,P,Rates,PV,,,,,-100,USD,Schedule,2031-06-30,CFTC,CFTC',
      'B,P,Rates,Notional,,,,,1000000,USD,Schedule,2031-06-30,CFTC,CFTC',
    ]);
    const records = await readCrif(file);
    for (const side of ['Call', 'Post'] as const) {
      const r = calculateScheduleIm(records, { asOf: AS_OF }).nettingSets.find((n) => n.portfolioId === 'P' && n.side === side)!;
      expect(r.regulation).toBe('CFTC');
      expect(r.scheduleIm).toBeCloseTo(40_000, 6);
    }
    // SEC's own figure, with the regulations read off: the same two trades under one regulation
    const [call] = calculateScheduleIm(records, { asOf: AS_OF, enforceRegulations: false }).nettingSets;
    expect(call!.netToGrossRatio).toBe(0);
    expect(call!.scheduleIm).toBeCloseTo(24_000, 6);
  });
});
