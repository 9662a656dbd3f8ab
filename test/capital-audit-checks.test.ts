/**
 * `xva capital` on the books of the thirty-fifth session's capital audit (helper 72): each case failed before (an
 * internal error, a dropped input or a profile cut short). Expected figures are written out from the Basel text:
 *
 * - CRE52.40 FAQ2: an interest-rate option whose forward P or strike K is not positive takes the currency's shift λ,
 *   δ = −Φ(−d) for a bought put, d = (ln((P+λ)/(K+λ)) + ½σ²T)/(σ√T), σ = 50% (CRE52.72 Table 2). A 0% floor stopped
 *   the run with "internal error".
 * - CRE52.17: NICA counts the collateral received and held, the initial margin included (netting_sets
 *   `initial_margin_held` was ignored by SA-CCR); RC = max(V − C, 0), multiplier = min(1, 0.05 + 0.95·exp((V − C) /
 *   (2·0.95·AddOn))) (CRE52.23), EAD = 1.4·(RC + multiplier·AddOn).
 * - CRE52.46(b): a basis hedging set per pair of risk factors, SF × ½ (CRE52.73); SD = (1 − e^{−0.05·E})/0.05.
 * - saccr_trades rows SA-CCR cannot use are errors naming the row, not internal errors; ids of the side tables that
 *   name nothing in the book are said.
 * - The KVA profile runs to the latest saccr_trades maturity (it stopped at the last trade's maturity).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSaccr, automaticRateShifts } from '../src/capital/saccr/compute.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { normCdf } from '../src/pricing/black.js';
import { xva } from './helpers/scaleCli.js';
import { IssueCollector } from '../src/errors.js';
import { loadSaccrInputs } from '../src/capital/saccr/inputs.js';
import { buildMeasureContext } from '../src/optimize/measure/context.js';
import { tradeWeightedMaturityYears } from '../src/capital/bacva.js';

const SMALL = path.resolve('test/data/small');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-capital-audit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A book on the small validation market and counterparties, with the given tables (CSV text by table name). */
function book(name: string, tables: Record<string, string>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(SMALL, 'market.yaml'), path.join(dir, 'market.yaml'));
  fs.copyFileSync(path.join(SMALL, 'counterparties.csv'), path.join(dir, 'counterparties.csv'));
  for (const [table, text] of Object.entries(tables)) fs.writeFileSync(path.join(dir, `${table}.csv`), text);
  return dir;
}

const TRADES_HEADER = 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,strike,option_type,business_day_convention';
const SACCR_HEADER = 'trade_id,netting_set_id,asset_class,hedging_set,hedging_set_kind,entity,subclass,notional,direction,option_type,price,strike,shift,exercise_years,start_years,end_years,maturity_years';

interface Json {
  nettingSets: { nettingSetId: string; ead: number; rc: number; multiplier: number; value: number; collateral: number; addOnIr: number; pfe: number }[];
  kva?: { kva: number; profile: { elapsedYears: number; capital: number }[] };
  notes: string[];
}

describe('a 0% floor (CRE52.40 FAQ2)', () => {
  let dir: string;
  beforeAll(() => {
    dir = book('floor0', {
      netting_sets: 'netting_set_id,counterparty_id,csa,collateral_currency,cleared\nNS1,CP_CORP_B,false,USD,false\n',
      trades: `${TRADES_HEADER}\nF1,CP_CORP_B,NS1,CAPFLOOR,buy,EUR,10000000,2026-07-01,2031-07-01,,,,EUR-EURIBOR-6M,6M,ACT/360,0.0,floor,MF\n`,
    });
  });

  it('takes the automatic shift λ = 10bp − min(P, K) and the shifted Black delta of a bought put', async () => {
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    expect(automaticRateShifts(portfolio, market)).toEqual({ EUR: 0.001 });
    const saccr = computeSaccr(portfolio, market);
    const pos = saccr.trades.find((t) => t.tradeId === 'F1')!;
    const opt = pos.optionality as { kind: 'option'; underlyingPrice: number; strike: number; shift: number };
    expect(opt.strike).toBe(0);
    expect(opt.shift).toBe(0.001);
    expect(opt.underlyingPrice).toBeGreaterThan(0.015); // EUR 6M forwards on the small market: 2.1% to 2.7%
    expect(opt.underlyingPrice).toBeLessThan(0.03);
    const sigma = 0.5;
    const t = pos.exerciseYears!;
    const d = (Math.log((opt.underlyingPrice + 0.001) / 0.001) + 0.5 * sigma * sigma * t) / (sigma * Math.sqrt(t));
    expect(Math.abs(pos.supervisoryDelta - -normCdf(-d))).toBeLessThan(1e-15);
  });

  it('xva capital runs on it (it stopped with an internal error)', async () => {
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const ns = (JSON.parse(run.stdout) as Json).nettingSets[0]!;
    // unmargined, no collateral: EAD = 1.4 (max(V, 0) + multiplier · AddOn) (CRE52.1, CRE52.10)
    const multiplier = Math.min(1, 0.05 + 0.95 * Math.exp(ns.value / (2 * 0.95 * ns.addOnIr)));
    expect(ns.ead).toBeCloseTo(1.4 * (Math.max(ns.value, 0) + multiplier * ns.addOnIr), 6);
  });
});

describe('initial margin held is collateral in NICA (CRE52.17)', () => {
  it('20m of IM held on a 50m payer swap: RC 0 and the multiplier from V − C', async () => {
    const trades = `${TRADES_HEADER}\nS1,CP_CORP_B,NS1,IRS,pay,USD,50000000,2026-07-02,2036-07-02,0.02,1Y,30/360,USD-SOFR,1Y,ACT/360,,,MF\n`;
    const sets = (im: number) => `netting_set_id,counterparty_id,csa,threshold_cpty,mta_cpty,initial_margin_held,margin_period_of_risk_days,collateral_currency,cleared\nNS1,CP_CORP_B,true,0,0,${im},10,USD,false\n`;
    const balances = 'netting_set_id,variation_margin\nNS1,0\n';
    const held = book('im-held', { trades, netting_sets: sets(20_000_000), collateral_balances: balances });
    const none = book('im-none', { trades, netting_sets: sets(0), collateral_balances: balances });
    const [a, b] = await Promise.all([held, none].map(async (dir) => {
      const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as Json).nettingSets[0]!;
    }));
    expect(a!.collateral).toBe(20_000_000);
    expect(b!.collateral).toBe(0);
    expect(a!.addOnIr).toBe(b!.addOnIr);
    const v = a!.value;
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(20_000_000);
    // margined: RC = max(V − C, TH + MTA − NICA, 0) = max(V − 20m, −20m, 0) = 0
    expect(a!.rc).toBe(0);
    const multiplier = 0.05 + 0.95 * Math.exp((v - 20_000_000) / (1.9 * a!.addOnIr));
    expect(a!.multiplier).toBeCloseTo(multiplier, 12);
    expect(a!.ead).toBeCloseTo(1.4 * multiplier * a!.addOnIr, 6);
    expect(b!.rc).toBeCloseTo(v, 6);
  });
});

describe('saccr_trades', () => {
  const sets = 'netting_set_id,counterparty_id,csa,collateral_currency,cleared\nNS1,CP_CORP_B,false,USD,false\n';
  const trades = `${TRADES_HEADER}\n`;

  it('basis positions of different pairs are hedging sets of their own (CRE52.46(b)); the same pair in either order is one set, long/short of the difference as written', async () => {
    // IR basis: SF 0.5% × ½ (CRE52.73), SD of (0, 3], MF 1; the add-on |Σ δ·d|·SF. Long "SOFR/FF" is long SOFR − FF,
    // i.e. short FF − SOFR: with "FF/SOFR" long it nets to 0 and with "FF/SOFR" short it doubles (an audit: a row
    // written against the alphabetical order kept its direction and cancelled the book trade it doubled)
    const sd = (1 - Math.exp(-0.05 * 3)) / 0.05;
    const cases: [string, string, 'long' | 'short', number][] = [
      ['USD SOFR/FF', 'USD SOFR/TERM', 'short', 2 * 0.005 * 0.5 * 1000 * sd],
      ['USD SOFR/FF', 'USD FF/SOFR', 'long', 0],
      ['USD SOFR/FF', 'USD FF/SOFR', 'short', 2 * 0.005 * 0.5 * 1000 * sd],
      ['USD SOFR/FF', 'USD SOFR/FF', 'short', 0],
      ['USD', 'USD', 'short', 0], // the currency alone: one basis hedging set for the currency, as before
    ];
    for (const [i, [a, b, second, addOn]] of cases.entries()) {
      const dir = book(`basis${i}`, {
        netting_sets: sets,
        trades,
        saccr_trades: `${SACCR_HEADER}\nB1,NS1,IR,${a},basis,,,1000,long,,,,,,0,3,3\nB2,NS1,IR,${b},basis,,,1000,${second},,,,,,0,3,3\n`,
        trade_values: 'trade_id,netting_set_id,value\n,NS1,0\n',
      });
      const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
      expect(run.status, run.stderr).toBe(0);
      const ns = (JSON.parse(run.stdout) as Json).nettingSets[0]!;
      expect(ns.addOnIr, `${a} long against ${b} ${second}`).toBeCloseTo(addOn, 10);
      expect(ns.ead).toBeCloseTo(1.4 * addOn, 9); // V = 0: RC 0, multiplier 1
    }
  });

  it('an FX pair given either way is one hedging set (CRE52.45): EURUSD long and USDEUR long net to 0; a code that is no currency is an error', async () => {
    // FX SF 4% (CRE52.72), M = 1 unmargined: MF = 1, δ = ±1; long USDEUR is short EURUSD. An option on the inverse
    // pair likewise: a bought USDEUR call is a short delta to EURUSD
    const cases: [string, number][] = [
      ['F1,NS1,FX,EURUSD,,,,1000000,long,,,,,,,,1\nF2,NS1,FX,USDEUR,,,,1000000,long,,,,,,,,1', 0],
      ['F1,NS1,FX,EURUSD,,,,1000000,long,,,,,,,,1\nF2,NS1,FX,USDEUR,,,,2000000,long,,,,,,,,1', 0.04 * 1e6],
      ['F1,NS1,FX,usdjpy,,,,1000000,short,,,,,,,,1\nF2,NS1,FX,JPYUSD,,,,1000000,short,,,,,,,,1', 0],
    ];
    for (const [i, [rows, addOn]] of cases.entries()) {
      const dir = book(`fxpair${i}`, { netting_sets: sets, trades, saccr_trades: `${SACCR_HEADER}\n${rows}\n`, trade_values: 'trade_id,netting_set_id,value\n,NS1,0\n' });
      const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
      expect(run.status, run.stderr).toBe(0);
      const ns = (JSON.parse(run.stdout) as Json).nettingSets[0]!;
      expect(ns.ead, rows).toBeCloseTo(1.4 * addOn, 6); // V = 0: RC 0, multiplier 1
    }
    // an option on the inverse pair is the pair's option the other way round (mapping.ts FXOPT for a book option): a
    // bought USDEUR call at P = K = 0.9 is a bought EURUSD put at 1/0.9: the same δ and EAD
    const ead = async (name: string, row: string): Promise<number> => {
      const dir = book(name, { netting_sets: sets, trades, saccr_trades: `${SACCR_HEADER}\n${row}\n`, trade_values: 'trade_id,netting_set_id,value\n,NS1,0\n' });
      const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as Json).nettingSets[0]!.ead;
    };
    const inverse = await ead('fxopt-inverse', 'O1,NS1,FX,USDEUR,,,,1000000,bought,call,0.9,0.9,,1,,,1');
    const direct = await ead('fxopt-direct', `O1,NS1,FX,EURUSD,,,,1000000,bought,put,${1 / 0.9},${1 / 0.9},,1,,,1`);
    expect(inverse).toBeGreaterThan(0);
    expect(Math.abs(inverse / direct - 1)).toBeLessThan(1e-12);
    const bad = book('fxpair-bad', { netting_sets: sets, trades, saccr_trades: `${SACCR_HEADER}\nF1,NS1,FX,ABCXYZ,,,,1000000,long,,,,,,,,1\nF2,NS1,FX,EUREUR,,,,1000000,long,,,,,,,,1\n`, trade_values: 'trade_id,netting_set_id,value\n,NS1,0\n' });
    const run = await xva(['capital', '--portfolio', bad, '--no-kva']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('saccr_trades.csv row 1 column hedging_set: ABCXYZ: expected a pair of two ISO 4217 currencies such as EURUSD');
    expect(run.stderr).toContain('saccr_trades.csv row 2 column hedging_set: EUREUR: expected a pair of two ISO 4217 currencies such as EURUSD');
  });

  it('rows SA-CCR would misread are errors naming the row: a commodity hedging set other than its type\'s (CRE52.69), a repeated trade_id, an option on a basis pair written against the alphabetical order', async () => {
    const rows = [
      'C1,NS1,Commodity,metals,,Power,electricity,1000000,long,,,,,,,,1', // electricity is energy
      'C2,NS1,Commodity,energy,,Brent,oil_gas,1000000,long,,,,,,,,1', // right
      'C2,NS1,Commodity,energy,,Brent,oil_gas,1000000,long,,,,,,,,1', // the same id again
      'B1,NS1,IR,USD SOFR/FF,basis,,,1000,bought,call,0.01,0.01,,1,0,3,3', // an option on FF − SOFR written SOFR/FF
    ];
    const dir = book('saccr-misread', { netting_sets: sets, trades, saccr_trades: `${SACCR_HEADER}\n${rows.join('\n')}\n`, trade_values: 'trade_id,netting_set_id,value\n,NS1,0\n' });
    const run = await xva(['capital', '--portfolio', dir, '--no-kva']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('saccr_trades.csv row 1 column hedging_set: metals: expected energy, the hedging set of subclass electricity (CRE52.69: electricity and oil_gas are energy; metals, agricultural and other their own)');
    expect(run.stderr).toContain('saccr_trades.csv row 3 column trade_id: C2: expected an id of its own: row 2 has it already (each row is one position; its value in trade_values counts once)');
    expect(run.stderr).toContain('saccr_trades.csv row 4 column hedging_set: USD SOFR/FF: expected the pair in alphabetical order (USD FF/SOFR) for an option on a basis: long and short refer to the first index less the second');
    expect(run.stderr).not.toContain('row 2 column');
  });

  it('an empty SA-CVA sensitivities file is an error (it made the CVA capital 0); rows of netting sets not in the book are noted', async () => {
    const dir = book('sacva-file', { netting_sets: sets, trades: `${TRADES_HEADER}\nS1,CP_CORP_B,NS1,IRS,pay,USD,50000000,2026-07-02,2036-07-02,0.02,1Y,30/360,USD-SOFR,1Y,ACT/360,,,MF\n` });
    const header = 'NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value';
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, `${header}\n`);
    const refused = await xva(['capital', '--portfolio', dir, '--no-kva', '--sacva-sensitivities', empty]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${empty}: no sensitivity rows: expected the bank's SA-CVA sensitivities (MAR50), one row per netting set or portfolio and risk factor: an empty file would set the CVA capital to 0 (leave out --sacva-sensitivities to compute them by bump and revalue)`);
    const strangers = path.join(dir, 'strangers.csv');
    fs.writeFileSync(strangers, `${header}\nNS1,InterestRate,CvaAggregate,Delta,1Y,USD,1000000\nNS_NOPE,InterestRate,CvaAggregate,Delta,5Y,USD,-500000\n`);
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--sacva-sensitivities', strangers, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Json).notes).toContain(`--sacva-sensitivities: 1 netting set id(s) of ${strangers} name no netting set of the book (NS_NOPE): their rows count in the SA-CVA as given; a typo would otherwise change the figures unseen`);
  });

  it('trade_values with a netting set\'s row and its trades\' rows: the set\'s V is used and a note names the rows not added', async () => {
    const dir = book('set-and-trade-values', {
      netting_sets: sets,
      trades,
      saccr_trades: `${SACCR_HEADER}\nF1,NS1,FX,EURUSD,,,,1000000,long,,,,,,,,1\nF2,NS1,FX,EURUSD,,,,1000000,long,,,,,,,,1\n`,
      trade_values: 'trade_id,netting_set_id,value\nF1,,10\nF2,,30\n,NS1,1000\n',
    });
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as Json & { notes: string[] };
    // RC = max(V, 0) = 1000, the set's value (CRE52.10), not 40
    expect(doc.nettingSets[0]!.ead).toBeCloseTo(1.4 * (1000 + 0.04 * 2e6 * Math.min(1, 0.05 + 0.95 * Math.exp(1000 / (2 * 0.95 * 0.04 * 2e6)))), 6);
    expect(doc.notes).toContain('SA-CCR: trade_values gives netting set NS1 a value of its own (V = 1000), which is used; the rows of its 2 trades F1, F2 are not added to it');
  });

  it('--explain-trade of an option prints P, K and λ, from which its δ checks (CRE52.40): Φ(ln((P+λ)/(K+λ))/(σ√T) + σ√T/2)', async () => {
    const dir = book('explain-option', {
      netting_sets: sets,
      trades,
      saccr_trades: `${SACCR_HEADER}\nO1,NS1,IR,USD,,,,1000000,bought,call,0.031,0.03,0.005,2,2,7,7\n`,
      trade_values: 'trade_id,value\nO1,12000\n',
    });
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--explain-trade', 'O1']);
    expect(run.status, run.stderr).toBe(0);
    const cell = (label: string) => {
      const line = run.stdout.split('\n').find((l) => l.includes(`│ ${label}`));
      expect(line, label).toBeDefined();
      return line!.split('│')[2]!.trim().replace(/,/g, '');
    };
    expect(cell('Option (CRE52.40)')).toBe('bought call');
    const [P, K, lambda, sigma, T, delta] = [cell('Underlying price P'), cell('Strike K'), cell('Shift λ'), cell('Supervisory volatility σ'), cell('T (years)'), cell('Supervisory delta δ')].map(Number) as number[];
    expect([P, K, lambda]).toEqual([0.031, 0.03, 0.005]);
    const d1 = Math.log((P! + lambda!) / (K! + lambda!)) / (sigma! * Math.sqrt(T!)) + (sigma! * Math.sqrt(T!)) / 2;
    expect(delta).toBeCloseTo(normCdf(d1), 6);
    expect(cell('Shift λ (CRE52.40 FAQ2)')).toBe('0.005000');
  });

  it('a position naming no netting set, or without a value: errors naming its row (they named none)', async () => {
    const dir = book('rows-named', {
      netting_sets: sets,
      trades,
      saccr_trades: `${SACCR_HEADER}\nF1,NS1,FX,EURUSD,,,,1000000,long,,,,,,,,1\nF2,NS_X,FX,EURUSD,,,,1000000,long,,,,,,,,1\n`,
      trade_values: 'trade_id,value\nF2,0\n',
    });
    const run = await xva(['capital', '--portfolio', dir, '--no-kva']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('saccr_trades.csv row 2 column netting_set_id: NS_X: expected a netting set of netting_sets (position F2)');
    expect(run.stderr).toContain('saccr_trades.csv row 1 column trade_id: F1: expected a value in trade_values (by trade_id, or its netting set\'s by netting_set_id) for the position given directly here (netting set NS1)');
  });

  it('an option with P + λ <= 0, one entity with two ratings, a pair on a regular position, E < S, or two λ for one currency: errors naming the row', async () => {
    const rows: [string, string][] = [
      ['O1,NS1,IR,USD,,,,1000,bought,call,-0.002,0.01,,1,0,5,5', 'saccr_trades.csv row 1 column price: -0.002: expected P + shift > 0 (shift 0): give a shift λ so that P + λ and K + λ are positive (CRE52.40 FAQ2)'],
      ['C1,NS1,Credit,,,FIRM,AAA,1000,long,,,,,,0,5,5\nC2,NS1,Credit,,,FIRM,BBB,1000,long,,,,,,0,5,5', 'saccr_trades.csv row 2 column subclass: BBB: expected the subclass row 1 gives FIRM (one rating or kind per entity)'],
      ['R1,NS1,IR,USD SOFR/FF,regular,,,1000,long,,,,,,0,5,5', 'saccr_trades.csv row 1 column hedging_set: USD SOFR/FF: expected a currency ('],
      // CRE52.34: the period ends after it starts (the supervisory duration would be negative)
      ['S1,NS1,IR,USD,,,,1000,long,,,,,,5,3,5', 'saccr_trades.csv row 1 column end_years: 3: expected E in years >= S (start_years 5)'],
      // CRE52.40 FAQ2: one λ for all interest rate options of a currency
      ['O1,NS1,IR,USD,,,,1000,bought,call,0.01,0.02,0.01,1,0,5,5\nO2,NS1,IR,USD,,,,1000,bought,put,0.01,0.02,0.02,1,0,5,5', 'saccr_trades.csv row 2 column shift: 0.02: expected the shift λ row 1 gives USD options (0.01): one λ for all interest rate options of a currency (CRE52.40 FAQ2)'],
    ];
    for (const [i, [row, message]] of rows.entries()) {
      const dir = book(`bad${i}`, { netting_sets: sets, trades, saccr_trades: `${SACCR_HEADER}\n${row}\n` });
      const run = await xva(['capital', '--portfolio', dir, '--no-kva']);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain('internal error');
    }
  });

  it('collateral_balances and trade_values rows that name nothing in the book are said, not dropped unseen', async () => {
    const dir = book('typo', {
      netting_sets: sets,
      trades: `${TRADES_HEADER}\nS1,CP_CORP_B,NS1,IRS,pay,USD,1000000,2026-07-02,2031-07-02,0.02,1Y,30/360,USD-SOFR,1Y,ACT/360,,,MF\n`,
      collateral_balances: 'netting_set_id,variation_margin\nNS_1,0\n',
      trade_values: 'trade_id,netting_set_id,value\nNOPE,,5\n,NS_X,7\nK1,,250\n',
      // a position given directly takes its value by trade_id too: that row is used, not "ignored"
      saccr_trades: `${SACCR_HEADER}\nK1,NS1,Commodity,energy,,Crude,oil_gas,1000,long,,,,,,,,1\n`,
    });
    const run = await xva(['capital', '--portfolio', dir, '--no-kva', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const notes = (JSON.parse(run.stdout) as Json).notes;
    expect(notes).toContain('SA-CCR: 1 collateral_balances row by netting_set_id names no netting set of the book, ignored: NS_1');
    expect(notes).toContain('SA-CCR: 1 trade_values row by trade_id names no trade of the book, ignored: NOPE');
    expect(notes).toContain('SA-CCR: 1 trade_values row by netting_set_id names no netting set of the book, ignored: NS_X');
    expect(notes.filter((n) => n.includes('K1'))).toEqual([]);
  });

  it('the KVA profile runs to the latest position\'s maturity: a 1-year swap beside an 11-year commodity position', async () => {
    const netting = 'netting_set_id,counterparty_id,csa,collateral_currency,cleared\nNS1,CP_CORP_B,false,USD,false\nNS_COM,CP_CORP_B,false,USD,false\n';
    const swap = 'S1,CP_CORP_B,NS1,IRS,pay,USD,1000000,2026-07-02,2027-07-02,0.04,1Y,30/360,USD-SOFR,1Y,ACT/360,,,MF';
    const commodity = `${SACCR_HEADER}\nK1,NS_COM,Commodity,energy,,Crude,oil_gas,1000000,long,,,,,,,,11\n`;
    const values = 'trade_id,netting_set_id,value\n,NS_COM,0\n';
    const dir = book('kva', { netting_sets: netting, trades: `${TRADES_HEADER}\n${swap}\n`, saccr_trades: commodity, trade_values: values });
    // the control: a swap of 1 USD notional to 2038 only lengthens the grid (its own capital is ~1e-6 of the total)
    const control = book('kva-control', { netting_sets: netting, trades: `${TRADES_HEADER}\n${swap}\nS2,CP_CORP_B,NS1,IRS,pay,USD,1,2026-07-02,2038-07-02,0.04,1Y,30/360,USD-SOFR,1Y,ACT/360,,,MF\n`, saccr_trades: commodity, trade_values: values });
    const [a, b] = await Promise.all([dir, control].map(async (d) => {
      const run = await xva(['capital', '--portfolio', d, '--paths', '16', '--threads', '1', '--no-sacva', '--json']);
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as Json).kva!;
    }));
    expect(a!.profile.at(-1)!.elapsedYears).toBeGreaterThanOrEqual(11);
    expect(a!.profile.at(-1)!.capital).toBe(0);
    // before: the profile stopped at 1 year with the commodity's capital still there, KVA a fraction of this
    expect(Math.abs(a!.kva / b!.kva - 1)).toBeLessThan(1e-4);
    // xva optimize measures KVA on a grid to the same date (it stopped at the swap's maturity there too)
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const issues = new IssueCollector();
    const saccrInputs = await loadSaccrInputs(dir, issues);
    const ctx = buildMeasureContext({ portfolio, market, paths: 8, seed: 1, saccrInputs, dynamicIm: false });
    expect(ctx.grid.dates[ctx.grid.dates.length - 1]! - market.asOf).toBeGreaterThanOrEqual(11 * 365);
  }, 120_000);
});

/**
 * The forty-third session's capital audit (helper 98) recomputed SA-CCR and BA-CVA on the small book in its own Python
 * from CRE52 and MAR50 (reproducing the BCBS worked examples first): every SA-CCR figure agreed to 1e-15, but the
 * BA-CVA effective maturity weighed SA-CCR positions, not transactions (CRE32.46(2): "the notional amount of each
 * transaction should be used for weighting the maturity"): a cross-currency swap counted three times (two rate legs and
 * the final exchange) and an FX swap twice (its near leg pulling M down). Its per-transaction figures, with the
 * reference entities below (the book needs their ratings): M of NS_A_UNC 3.654 and of NS_B 3.422 years, BA-CVA
 * capital 542,334.01 (the per-position weights gave 2.952, 3.734 and 503,908.20).
 */
describe('BA-CVA effective maturity: one weight per transaction (CRE32.46(2), CRE32.47)', () => {
  it('the small book with its reference entities: M per set and the BA-CVA of the audit\'s independent computation', async () => {
    const dir = path.join(tmp, 'small-ref');
    fs.cpSync(SMALL, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade\nACME_CORP,single_name,BBB,\nGLOBEX_SA,single_name,BB,\nSPX,index,,\nSX5E,index,,\n');
    const run = await xva(['capital', '--no-kva', '--portfolio', dir, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { baCva: { capital: number; effectiveMaturity: { nettingSetId: string; years: number }[] } };
    const m = new Map(doc.baCva.effectiveMaturity.map((x) => [x.nettingSetId, x.years]));
    expect(m.get('NS_A_UNC')).toBeCloseTo(3.654, 3);
    expect(m.get('NS_B')).toBeCloseTo(3.422, 3);
    expect(Math.abs(doc.baCva.capital / 542_334.01 - 1)).toBeLessThan(1e-8);
  });

  it('tradeWeightedMaturityYears: a cross-currency swap and an FX swap weigh once each, at their largest notional and last date', () => {
    const positions = [
      { tradeId: 'X', notionalBase: 100, maturityYears: 5 }, // leg 1
      { tradeId: 'X', notionalBase: -110, maturityYears: 5 }, // leg 2
      { tradeId: 'X', notionalBase: 110, maturityYears: 5 }, // final exchange
      { tradeId: 'F', notionalBase: 50, maturityYears: 0.01 }, // near leg
      { tradeId: 'F', notionalBase: -50, maturityYears: 1 }, // far leg
      { tradeId: 'Z', notionalBase: 0, maturityYears: 30 }, // repaid: no weight
    ];
    expect(tradeWeightedMaturityYears(positions)).toBeCloseTo((110 * 5 + 50 * 1) / 160, 14);
    expect(tradeWeightedMaturityYears([{ tradeId: 'Z', notionalBase: 0, maturityYears: 3 }])).toBe(0);
  });
});
