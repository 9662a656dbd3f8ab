/**
 * Single-currency basis swaps (BASIS, docs/inputs.md): two floating legs on different indices of one currency.
 * References independent of the code under test:
 * - today's price by hand: Σ N·τ·(F + s)·P(0, pay) of each leg, forwards from the projection curves, on a schedule
 *   rolled here with addMonths;
 * - the decomposition into two IRS with one fixed leg (paying fixed against leg 2, receiving it against leg 1: the
 *   fixed legs cancel), today and on the engine's paths (the IRS code path is tested against closed forms elsewhere);
 * - SA-CCR's rule for basis transactions (CRE52.46(b), CRE52.73): a hedging set per pair of indices, SF × ½.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, isWeekend, toYmd, type DateSerial } from '../src/conventions/dates.js';
import { parseMarket } from '../src/market/load.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { computeSaccr } from '../src/capital/saccr/compute.js';
import { IssueCollector } from '../src/errors.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import type { Market } from '../src/market/types.js';
import { tradeSensitivities } from '../src/margin/sensitivities/trade.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { priceTrade } from '../src/pricing/index.js';
import type { BasisSwap, FloatLeg, InterestRateSwap } from '../src/products/types.js';

const DEMO = path.resolve('fixtures/demo');
const SMALL = path.resolve('test/data/small');
const N = 25_000_000;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

let market: Market;
let portfolio: Portfolio;
beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

/** A copy of the small test book in a temporary folder, with its trades file's lines and header cells to edit. */
function smallBookCopy(label: string): { dir: string; file: string; lines: string[]; header: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-${label}-`));
  temps.push(dir);
  for (const name of fs.readdirSync(SMALL)) fs.copyFileSync(path.join(SMALL, name), path.join(dir, name));
  const file = path.join(dir, 'trades.csv');
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return { dir, file, lines, header: lines[0]!.split(',') };
}

/** The market of a test folder. */
function parseMarketOf(dir: string): Market {
  return parseMarket(fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8'), 'market.yaml');
}

/** Modified following on weekends only, written out here: the next weekday unless it leaves the month, then the previous. */
function modifiedFollowing(date: DateSerial): DateSerial {
  let d = date;
  while (isWeekend(d)) d++;
  if (toYmd(d).month === toYmd(date).month) return d;
  d = date;
  while (isWeekend(d)) d--;
  return d;
}

/** A EUR floating leg on unadjusted dates (so its schedule is addMonths from the start). */
function leg(index: string, months: 3 | 6, spreadBp: number, start: DateSerial, years: number): FloatLeg {
  return {
    kind: 'float', currency: 'EUR', notional: N, floatIndex: index, spreadBp, frequency: months === 3 ? '3M' : '6M', dayCount: 'ACT/360',
    startDate: start, maturityDate: addMonths(start, 12 * years), businessDayConvention: 'U', stub: 'short_front', endOfMonth: false,
  };
}

function basis(tradeId: string, direction: 'pay' | 'receive', leg1: FloatLeg, leg2: FloatLeg, nettingSetId: string, counterpartyId: string): BasisSwap {
  return { tradeId, counterpartyId, nettingSetId, cleared: false, product: 'BASIS', direction, leg1, leg2 };
}

/** The two IRS whose sum is the basis swap `pay`: pay fixed K against leg 2, receive fixed K against leg 1. */
function irsPair(b: BasisSwap, nettingSetId: string): InterestRateSwap[] {
  const { floatIndex: _i, spreadBp: _s, kind: _k, ...terms } = b.leg1;
  const fixed: InterestRateSwap['fixedLeg'] = { ...terms, kind: 'fixed', fixedRate: 0.025, frequency: '1Y', dayCount: '30/360' };
  const base = { counterpartyId: b.counterpartyId, nettingSetId, cleared: false, product: 'IRS' as const, fixedLeg: fixed };
  return [
    { ...base, tradeId: `${b.tradeId}_A`, direction: b.direction === 'pay' ? 'pay' : 'receive', floatLeg: b.leg2 },
    { ...base, tradeId: `${b.tradeId}_B`, direction: b.direction === 'pay' ? 'receive' : 'pay', floatLeg: b.leg1 },
  ];
}

/** Σ N·τ·(F + s)·P(0, e) of a leg from today on, by hand (periods paid on or before today left out). */
function legPvByHand(m: Market, l: FloatLeg, months: number): number {
  const disc = m.discountCurve('EUR');
  const proj = m.projectionCurve(l.floatIndex);
  let pv = 0;
  for (let k = 0; addMonths(l.startDate, months * k) < l.maturityDate; k++) {
    const s = addMonths(l.startDate, months * k);
    const e = addMonths(l.startDate, months * (k + 1));
    if (e <= m.asOf) continue;
    const tau = yearFraction('ACT/360', s, e);
    // a period already running: today's forward over the same length (no fixing history, as docs/inputs.md says)
    const [t0, t1] = s >= m.asOf ? [m.time(s), m.time(e)] : [0, m.time(e) - m.time(s)];
    const forward = (proj.discount(t0) / proj.discount(t1) - 1) / tau;
    pv += N * tau * (forward + l.spreadBp / 1e4) * disc.discount(m.time(e));
  }
  return pv;
}

describe('basis swaps valued today', () => {
  it('pay = Σ of leg 2 − Σ of leg 1 by hand (forward-starting and seasoned), and the pair of IRS with a common fixed leg', () => {
    for (const start of [fromYmd(2026, 9, 30), fromYmd(2025, 11, 28)]) {
      const l1 = leg('EUR-ESTR', 3, 8.5, start, 6);
      const l2 = leg('EUR-EURIBOR-6M', 6, 0, start, 6);
      const b = basis('B', 'pay', l1, l2, 'NS', 'CP');
      const byHand = legPvByHand(market, l2, 6) - legPvByHand(market, l1, 3);
      expect(priceTrade(b, market).npv).toBeCloseTo(byHand, 4);
      expect(priceTrade({ ...b, direction: 'receive' }, market).npv).toBeCloseTo(-byHand, 4);
      const pair = irsPair(b, 'NS').reduce((acc, t) => acc + priceTrade(t, market).npv, 0);
      expect(Math.abs(priceTrade(b, market).npv - pair)).toBeLessThan(1e-9 * N);
      expect(Math.abs(byHand)).toBeGreaterThan(1e-4 * N); // the index basis is worth something
    }
  });
});

describe('basis swaps on paths: the pair of IRS on the same paths', () => {
  it('EPE, ENE, PFE agree date by date (1e-9 of the notional) and the set starts at today\'s price', async () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const b = basis('B1', 'receive', leg('EUR-ESTR', 3, 9, fromYmd(2026, 3, 31), 7), leg('EUR-EURIBOR-6M', 6, 0, fromYmd(2026, 3, 31), 7), 'NS_BASIS', unc.counterpartyId);
    const sets = ['NS_BASIS', 'NS_PAIR'].map((id) => ({ ...unc, nettingSetId: id }));
    const book: Portfolio = { ...portfolio, nettingSets: sets, trades: [b, ...irsPair(b, 'NS_PAIR')] };
    const result = await runSimulation({ portfolio: book, market, options: { paths: 400, seed: 7, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
    const [x, y] = ['NS_BASIS', 'NS_PAIR'].map((id) => result.nettingSets.find((s) => s.nettingSetId === id)!.profile);
    for (let k = 0; k < x!.epe.length; k++) {
      for (const key of ['epe', 'ene', 'pfe'] as const) expect(Math.abs(x![key][k]! - y![key][k]!), `${key}[${k}]`).toBeLessThan(1e-9 * N);
    }
    // today's price on the set's collateral currency's curves (as the engine values the set)
    expect(Math.abs(x!.epe[0]! - x!.ene[0]! - priceTrade(b, market, { collateralCurrency: unc.collateralCurrency }).npvBase)).toBeLessThan(1e-6 * N);
    expect(Math.max(...x!.epe)).toBeGreaterThan(1e-4 * N);
  }, 60_000);
});

describe('basis swaps in SA-CCR and SIMM', () => {
  it('SA-CCR: a hedging set of their own pair of indices (CRE52.46(b)), SF × ½ (CRE52.73); opposite swaps offset, an IRS stays apart', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const start = market.asOf;
    const l1 = leg('EUR-EURIBOR-6M', 6, 0, start, 5);
    const l2 = leg('EUR-ESTR', 3, 10, start, 5);
    const over = (t: BasisSwap): BasisSwap => ({ ...t, counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId });
    const receivesEstr = over(basis('R', 'pay', l1, l2, '', '')); // pays EURIBOR, receives €STR
    const run = (trades: Portfolio['trades']) => computeSaccr({ ...portfolio, nettingSets: [unc], trades }, market);
    const one = run([receivesEstr]);
    const p = one.trades.find((x) => x.tradeId === 'R')!;
    // the pair in alphabetical order: EUR-ESTR < EUR-EURIBOR-6M; receiving EUR-ESTR is long the ESTR − EURIBOR basis
    expect(p.hedgingSet).toBe('EUR EUR-ESTR/EUR-EURIBOR-6M');
    expect(p.hedgingSetKind).toBe('basis');
    expect(p.supervisoryDelta).toBe(1);
    expect(p.supervisoryFactor).toBeCloseTo(0.005 * 0.5, 12);
    expect(p.startYears).toBe(0);
    expect(p.endYears).toBeCloseTo(5, 2);
    expect(p.notionalBase).toBeCloseTo(N * market.fxSpot('EUR', 'USD'), 4);
    // the same basis the other way round (legs swapped, direction swapped): the same position
    const same = over(basis('S', 'receive', l2, l1, '', ''));
    expect(run([same]).trades.find((x) => x.tradeId === 'S')!.supervisoryDelta).toBe(1);
    // opposite positions offset within the hedging set: no add-on left
    const opposite = over(basis('O', 'receive', l1, l2, '', ''));
    const both = run([receivesEstr, opposite]);
    expect(both.trades.find((x) => x.tradeId === 'O')!.supervisoryDelta).toBe(-1);
    expect(both.nettingSets[0]!.pfe.aggregateAddOn).toBeCloseTo(0, 6);
    expect(one.nettingSets[0]!.pfe.aggregateAddOn).toBeGreaterThan(0);
  });

  it('SIMM: IR delta on both indices\' sub-curves, of opposite signs (long one index, short the other)', () => {
    const b = basis('S1', 'pay', leg('EUR-ESTR', 3, 9, fromYmd(2026, 9, 30), 10), leg('EUR-EURIBOR-6M', 6, 0, fromYmd(2026, 9, 30), 10), 'NS', 'CP');
    const { rows } = tradeSensitivities(b, { market, creditBuckets: new Map() });
    const sum = (label2: string) => rows.filter((r) => r.riskType === 'Risk_IRCurve' && r.qualifier === 'EUR' && r.label2 === label2).reduce((acc, r) => acc + r.amountUsd, 0);
    // receiving EURIBOR 6M: long its projection curve; paying €STR (OIS sub-curve, also the discount curve)
    expect(sum('Libor6m')).toBeGreaterThan(0);
    expect(sum('OIS')).toBeLessThan(0);
  });
});

describe('basis swaps in the trades table', () => {
  it('T023 of the test book: leg 2 on its own frequency, day count from leg 1; written back the same', async () => {
    const issues = new IssueCollector();
    const book = await loadPortfolio(SMALL, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([]);
    const t = book.trades.find((x) => x.tradeId === 'T023');
    if (t?.product !== 'BASIS') throw new Error('test: T023 is a BASIS swap');
    expect(t.direction).toBe('receive');
    expect(t.leg1).toMatchObject({ floatIndex: 'EUR-ESTR', frequency: '3M', dayCount: 'ACT/360', spreadBp: 9.5, notional: 15e6 });
    expect(t.leg2).toMatchObject({ floatIndex: 'EUR-EURIBOR-6M', frequency: '6M', dayCount: 'ACT/360', spreadBp: 0, notional: 15e6 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-basis-'));
    temps.push(dir);
    for (const [name, table] of Object.entries(portfolioTables(book))) if (table) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    const again = await loadPortfolio(dir, new IssueCollector(), { baseCurrency: 'USD' });
    expect(again.trades.find((x) => x.tradeId === 'T023')).toEqual({ ...t, sourceRow: again.trades.find((x) => x.tradeId === 'T023')!.sourceRow });
  });

  it('a basis swap on one index twice, leg 2 columns on another product, a missing float_index2: errors naming the cell', async () => {
    const { dir, file, lines, header } = smallBookCopy('basis-bad');
    const set = (line: string, column: string, value: string) => {
      const cells = line.split(',');
      cells[header.indexOf(column)] = value;
      return cells.join(',');
    };
    const t023 = lines.findIndex((l) => l.startsWith('T023'));
    const t001 = lines.findIndex((l) => l.startsWith('T001'));
    lines[t023] = set(lines[t023]!, 'float_index2', 'EUR-ESTR');
    lines[t001] = set(lines[t001]!, 'float_frequency2', '6M');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const issues = new IssueCollector();
    await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toContainEqual(expect.objectContaining({ file: 'trades.csv', row: t023, column: 'float_index2', value: 'EUR-ESTR', expected: expect.stringMatching(/an index other than float_index EUR-ESTR/) }));
    expect(issues.issues).toContainEqual(expect.objectContaining({ file: 'trades.csv', row: t001, column: 'float_frequency2', value: '6M', expected: expect.stringMatching(/BASIS, and XCCY with a floating leg 2/) }));
    lines[t023] = set(lines[t023]!, 'float_index2', '');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const again = new IssueCollector();
    await loadPortfolio(dir, again, { baseCurrency: 'USD' });
    expect(again.issues).toContainEqual(expect.objectContaining({ row: t023, column: 'float_index2' }));
  });
});

describe('a floating XCCY leg 2 on its own conventions (float_frequency2, float_day_count2)', () => {
  it('GBP SONIA ACT/365F against USD SOFR ACT/360: leg 2 accrues ACT/360, worth its spread × (τ360 − τ365) × P by hand; written back; ORE maps it', async () => {
    const { importOre } = await import('../src/import/ore/index.js');
    const { dir, file, lines, header } = smallBookCopy('xccy-dc');
    const row = (cells: Record<string, string>) => header.map((h) => cells[h] ?? '').join(',');
    const common = { counterparty_id: 'CP_CORP_B', netting_set_id: 'NS_B', product: 'XCCY', direction: 'pay', currency: 'GBP', notional: '8000000', currency2: 'USD', notional2: '10100000', start_date: '2026-09-30', maturity_date: '2031-09-30', float_index: 'GBP-SONIA', float_frequency: '3M', float_day_count: 'ACT/365F', float_index2: 'USD-SOFR', float_spread_bp2: '12', notional_exchange: 'both' };
    lines.push(row({ ...common, trade_id: 'X360', float_day_count2: 'ACT/360' }), row({ ...common, trade_id: 'X365' }));
    // a fixed leg 2 has no second floating conventions
    lines.push(row({ ...common, trade_id: 'XFIX', float_index2: '', float_spread_bp2: '', fixed_rate2: '0.04', fixed_frequency: '6M', float_day_count2: 'ACT/360' }));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const issues = new IssueCollector();
    const book = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
    expect(issues.issues).toEqual([expect.objectContaining({ file: 'trades.csv', row: lines.length - 1, column: 'float_day_count2', value: 'ACT/360' })]);
    const [x360, x365] = ['X360', 'X365'].map((id) => book.trades.find((t) => t.tradeId === id)!);
    if (x360?.product !== 'XCCY' || x365?.product !== 'XCCY') throw new Error('test: XCCY rows');
    expect([x360.leg1.dayCount, x360.leg2.dayCount, x365.leg2.dayCount]).toEqual(['ACT/365F', 'ACT/360', 'ACT/365F']);
    // the projected coupon N·τ·F = N·(P(s)/P(e) − 1) does not depend on the day count: only the spread's N·τ·s does
    const m = parseMarketOf(SMALL);
    const usd = m.discountCurve('USD');
    let byHand = 0;
    for (let k = 0; k < 20; k++) {
      const s = addMonths(fromYmd(2026, 9, 30), 3 * k);
      const e = addMonths(fromYmd(2026, 9, 30), 3 * (k + 1));
      // the legs roll MF on weekends: the same dates for both day counts, adjusted here as the schedule does
      const [sa, ea] = [modifiedFollowing(s), modifiedFollowing(e)];
      byHand += 10_100_000 * 0.0012 * (yearFraction('ACT/360', sa, ea) - yearFraction('ACT/365F', sa, ea)) * usd.discount(m.time(ea));
    }
    expect(priceTrade(x360, m).npv - priceTrade(x365, m).npv).toBeCloseTo(byHand, 4);
    expect(byHand).toBeGreaterThan(100);
    // written back with float_day_count2 (and read again the same)
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-xccy-dc-again-'));
    temps.push(again);
    for (const [name, table] of Object.entries(portfolioTables(book))) if (table) writeTable(path.join(again, `${name}.csv`), table, 'csv');
    const reread = await loadPortfolio(again, new IssueCollector(), { baseCurrency: 'USD' });
    expect(reread.trades.find((t) => t.tradeId === 'X360')).toEqual({ ...x360, sourceRow: reread.trades.find((t) => t.tradeId === 'X360')!.sourceRow });
    // ORE: a GBP SONIA ACT/365F leg against a USD SOFR ACT/360 leg maps to the same row form
    const legXml = (payer: boolean, ccy: string, dc: string, index: string, spread: string, notional: string) =>
      `<LegData><LegType>Floating</LegType><Payer>${payer}</Payer><Currency>${ccy}</Currency><Notionals><Notional>${notional}</Notional><Exchanges><NotionalInitialExchange>true</NotionalInitialExchange><NotionalFinalExchange>true</NotionalFinalExchange></Exchanges></Notionals>` +
      `<DayCounter>${dc}</DayCounter><PaymentConvention>MF</PaymentConvention><FloatingLegData><Index>${index}</Index><Spreads><Spread>${spread}</Spread></Spreads><IsInArrears>false</IsInArrears><FixingDays>0</FixingDays></FloatingLegData>` +
      `<ScheduleData><Rules><StartDate>2026-09-30</StartDate><EndDate>2031-09-30</EndDate><Tenor>3M</Tenor><Calendar>WeekendsOnly</Calendar><Convention>MF</Convention><TermConvention>MF</TermConvention><Rule>Backward</Rule></Rules></ScheduleData></LegData>`;
    const xml = `<Portfolio><Trade id="X_ORE"><TradeType>Swap</TradeType><Envelope><CounterParty>CP_X</CounterParty><NettingSetId>NS_X</NettingSetId></Envelope><SwapData>${legXml(true, 'GBP', 'A365F', 'GBP-SONIA', '0.0', '8000000')}${legXml(false, 'USD', 'A360', 'USD-SOFR', '0.0012', '10100000')}</SwapData></Trade></Portfolio>`;
    const imported = importOre({ portfolioXml: xml });
    expect(imported.report.findings.filter((f) => f.kind === 'unmapped_trade')).toEqual([]);
    expect(imported.rows.trades[0]).toMatchObject({ product: 'XCCY', float_day_count: 'ACT/365F', float_frequency2: '3M', float_day_count2: 'ACT/360', float_spread_bp2: 12 });
  });
});
