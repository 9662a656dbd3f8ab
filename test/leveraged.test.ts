/**
 * Leveraged (geared) swaps: an IRS or OIS whose floating coupon is N·τ·(g·L + s) (trades column `float_gearing`). The
 * reference is the equivalent unleveraged swap: notional g·N, fixed rate K/g and spread s/g pay the same coupons on
 * every date (N·τ·K = g·N·τ·K/g, N·τ·(g·L + s) = g·N·τ·(L + s/g)), so today's price, and the engine's values on every
 * path, must agree; SA-CCR takes that swap's notional g·N (the rule for leveraged swaps, ../shared/reference/saccr
 * parameters.json `leveraged_swaps`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import type { Market } from '../src/market/types.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { priceTrade } from '../src/pricing/index.js';
import type { InterestRateSwap } from '../src/products/types.js';
import { computeSaccr } from '../src/capital/saccr/compute.js';
import { importOre } from '../src/import/ore/index.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const SMALL = path.join(ROOT, 'test/data/small');
const N = 10_000_000;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function irs(tradeId: string, nettingSetId: string, counterpartyId: string, start: DateSerial, end: DateSerial, notional: number, fixedRate: number, spreadBp: number, gearing?: number): InterestRateSwap {
  const terms = { startDate: start, maturityDate: end, businessDayConvention: 'MF' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    tradeId, counterpartyId, nettingSetId, cleared: false, product: 'IRS', direction: 'receive',
    fixedLeg: { ...terms, kind: 'fixed', currency: 'USD', notional, fixedRate, frequency: '6M', dayCount: '30/360' },
    floatLeg: { ...terms, kind: 'float', currency: 'USD', notional, floatIndex: 'USD-SOFR', spreadBp, frequency: '3M', dayCount: 'ACT/360', ...(gearing !== undefined ? { gearing } : {}) },
  };
}

describe('a geared IRS is its equivalent unleveraged swap (g·N, K/g, s/g)', () => {
  let market: Market;
  let portfolio: Portfolio;
  const g = 1.75;
  const K = 0.065;
  const s = 20;
  beforeAll(async () => {
    ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  });

  it('today\'s price, seasoned and forward-starting (1e-10 of N), and not the unleveraged swap\'s', () => {
    for (const start of [fromYmd(2026, 3, 31), fromYmd(2026, 12, 31)]) {
      const geared = irs('G', 'NS', 'CP', start, fromYmd(2033, 3, 31), N, K, s, g);
      const equivalent = irs('E', 'NS', 'CP', start, fromYmd(2033, 3, 31), g * N, K / g, s / g);
      const v = priceTrade(geared, market).npv;
      expect(Math.abs(v - priceTrade(equivalent, market).npv)).toBeLessThan(1e-10 * N);
      expect(Math.abs(v - priceTrade(irs('U', 'NS', 'CP', start, fromYmd(2033, 3, 31), N, K, s), market).npv)).toBeGreaterThan(0.05 * N);
    }
  });

  it('the engine: EPE, ENE and PFE of the geared swap\'s set equal the equivalent swap\'s on the same paths (1e-9 of N); SA-CCR notional g·N', async () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const cp = unc.counterpartyId;
    const geared = irs('G', 'NS_G', cp, fromYmd(2026, 3, 31), fromYmd(2033, 3, 31), N, K, s, g);
    const equivalent = irs('E', 'NS_E', cp, fromYmd(2026, 3, 31), fromYmd(2033, 3, 31), g * N, K / g, s / g);
    const book: Portfolio = { ...portfolio, nettingSets: ['NS_G', 'NS_E'].map((id) => ({ ...unc, nettingSetId: id })), trades: [geared, equivalent] };
    const result = await runSimulation({ portfolio: book, market, options: { paths: 400, seed: 3, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    const [a, b] = ['NS_G', 'NS_E'].map((id) => result.nettingSets.find((x) => x.nettingSetId === id)!.profile);
    let largest = 0;
    for (let k = 0; k < a!.epe.length; k++) {
      for (const key of ['epe', 'ene', 'pfe'] as const) expect(Math.abs(a![key][k]! - b![key][k]!), `${key}[${k}]`).toBeLessThan(1e-9 * N);
      largest = Math.max(largest, a!.epe[k]!, a!.ene[k]!);
    }
    expect(largest).toBeGreaterThan(1e-3 * N);
    const saccr = computeSaccr({ ...book, nettingSets: [{ ...unc, nettingSetId: 'NS_G' }], trades: [geared] }, market);
    expect(saccr.trades.find((p) => p.tradeId === 'G')!.notionalBase).toBeCloseTo(g * N, 6);
  }, 60_000);
});

describe('the trades file\'s float_gearing column', () => {
  function smallWith(cells: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-gearing-'));
    temps.push(dir);
    fs.cpSync(SMALL, dir, { recursive: true });
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    fs.writeFileSync(file, lines.map((line, i) => `${line},${i === 0 ? 'float_gearing' : cells[line.split(',')[0]!] ?? ''}`).join('\n') + '\n');
    return dir;
  }

  it('is read into the floating leg (1 is no gearing), written back and read again', async () => {
    const issues = new IssueCollector();
    const book = await loadPortfolio(smallWith({ T001: '2', T002: '1' }), issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    const t001 = book.trades.find((t) => t.tradeId === 'T001') as InterestRateSwap;
    expect(t001.floatLeg.gearing).toBe(2);
    expect((book.trades.find((t) => t.tradeId === 'T002') as InterestRateSwap).floatLeg.gearing).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-gearing-written-'));
    temps.push(dir);
    for (const [name, table] of Object.entries(portfolioTables(book))) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    const again = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    expect((again.trades.find((t) => t.tradeId === 'T001') as InterestRateSwap).floatLeg.gearing).toBe(2);
  });

  it('a gearing of 0 or below, or on another product, is an error naming the cell', async () => {
    const issues = new IssueCollector();
    await loadPortfolio(smallWith({ T001: '-1', T006: '2', T013: '1.5' }), issues, { baseCurrency: 'USD' });
    const at = (row: number) => issues.issues.find((i) => i.row === row && i.column === 'float_gearing');
    expect(at(1)).toMatchObject({ value: '-1', expected: 'the multiplier of the index in the floating coupon (1 = unleveraged) greater than 0' });
    expect(at(6)).toMatchObject({ value: '2', expected: 'blank or 1 for XCCY: geared floating legs are supported for IRS, OIS and CAPFLOOR only' });
    expect(at(13)).toMatchObject({ value: '1.5', expected: 'blank or 1 for SWAPTION: geared floating legs are supported for IRS, OIS and CAPFLOOR only' });
  });
});

describe('xva import ore: a constant Gearing', () => {
  const legXml = (type: 'Fixed' | 'Floating', payer: boolean, ccy: string, extra: string) => `<LegData><LegType>${type}</LegType><Payer>${payer}</Payer><Currency>${ccy}</Currency>
    <Notionals><Notional>10000000</Notional></Notionals><DayCounter>A360</DayCounter><PaymentConvention>MF</PaymentConvention>${extra}
    <ScheduleData><Rules><StartDate>2016-03-01</StartDate><EndDate>2021-03-01</EndDate><Tenor>${type === 'Fixed' ? '1Y' : '6M'}</Tenor><Calendar>TARGET</Calendar><Convention>MF</Convention><Rule>Forward</Rule></Rules></ScheduleData></LegData>`;
  const floating = (gearing: string) => `<FloatingLegData><Index>EUR-EURIBOR-6M</Index><Spreads><Spread>0.0</Spread></Spreads><Gearings><Gearing>${gearing}</Gearing></Gearings></FloatingLegData>`;
  const trade = (id: string, gearing: string) => `<Trade id="${id}"><TradeType>Swap</TradeType><Envelope><CounterParty>CP</CounterParty><NettingSetId>NS</NettingSetId></Envelope><SwapData>${legXml('Fixed', true, 'EUR', '<FixedLegData><Rates><Rate>0.02</Rate></Rates></FixedLegData>')}${legXml('Floating', false, 'EUR', floating(gearing))}</SwapData></Trade>`;

  it('becomes float_gearing on an IRS (the column only when some trade is geared); 1 is no gearing', () => {
    const result = importOre({ portfolioXml: `<?xml version="1.0"?>\n<Portfolio>\n${trade('G2', '2')}\n${trade('G1', '1')}\n</Portfolio>\n` });
    expect(result.rows.trades.map((r) => [r.trade_id, r.float_gearing])).toEqual([['G2', 2], ['G1', null]]);
    expect(result.tables.trades.columns.map((c) => c.name)).toContain('float_gearing');
    const plain = importOre({ portfolioXml: `<?xml version="1.0"?>\n<Portfolio>\n${trade('G1', '1')}\n</Portfolio>\n` });
    expect(plain.tables.trades.columns.map((c) => c.name)).not.toContain('float_gearing');
  });
});
