/**
 * ISDA SIMM v2.6 from a CRIF, against ORE's published outputs (OpenSourceRisk/Engine Examples/InitialMargin,
 * commit b1f2393), and the CRIF reader's handling of malformed rows.
 * - ../shared/reference/ore/simm_crif_ir: CRIF of a USD Bermudan swaption (IR delta on two sub-curves, IR vega,
 *   curvature, one Risk_FX row in the calculation currency); expected simm.csv for SIMM 2.6 10-day and 1-day and
 *   the 10-day regulation breakdown. Every line of those files is compared.
 * - ../shared/reference/simm/cases/ore_initialmargin_simm26: the same CRIF; 10-day collect 1,086,219.46 and post
 *   1,022,075.91.
 * Tolerance: ORE prints 9 decimals; both engines sum the same double-precision terms in different orders, so the
 * agreement is ~1e-15 relative: 1e-6 USD absolute on amounts up to 1.1e6 is ample and still catches any formula slip.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { readCrif } from '../src/margin/crif.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import { marginOf } from '../src/margin/simm/engine.js';
import { bundledSimmVersions, SimmParameters } from '../src/margin/simm/parameters.js';
import { XvaInputError } from '../src/errors.js';
import type { SimmNettingSetResult } from '../src/margin/simm/types.js';

const ORE_CASE = path.join(SHARED_REFERENCE, 'ore', 'simm_crif_ir');
const SIMM26_CASE = path.join(SHARED_REFERENCE, 'simm', 'cases', 'ore_initialmargin_simm26');

/** Minimal CSV split with double-quoted fields (ORE quotes regulation lists such as "ESA,USPR"). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

interface OreLine {
  portfolio: string;
  productClass: string;
  riskClass: string;
  marginType: string;
  bucket: string;
  side: 'Call' | 'Post';
  regulation: string;
  margin: number;
}

function readOreSimm(file: string): OreLine[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => {
    const c = splitCsvLine(l);
    return {
      portfolio: c[0]!,
      productClass: c[1]!,
      riskClass: c[2]!,
      marginType: c[3]!,
      bucket: c[4]!,
      side: c[5] as 'Call' | 'Post',
      regulation: c[6]!,
      margin: Number(c[7]),
    };
  });
}

function resultFor(results: SimmNettingSetResult[], portfolio: string, side: 'Call' | 'Post'): SimmNettingSetResult {
  const r = results.find((x) => x.portfolioId === portfolio && x.side === side);
  if (!r) throw new Error(`no result for ${portfolio} ${side}`);
  return r;
}

/** Every line ORE reports must be in our breakdown with the same amount (and the same winning regulation). */
function expectMatchesOre(results: SimmNettingSetResult[], expected: OreLine[], checkRegulation: boolean): void {
  expect(expected.length).toBeGreaterThan(0);
  for (const e of expected) {
    if (e.portfolio === 'All') {
      // ORE's grand total over portfolios: the sum of the netting-set totals of that side.
      const sum = results.filter((r) => r.side === e.side).reduce((acc, r) => acc + r.total, 0);
      expect(Math.abs(sum - e.margin)).toBeLessThan(1e-6);
      continue;
    }
    const r = resultFor(results, e.portfolio, e.side);
    if (checkRegulation) expect(r.regulation).toBe(e.regulation);
    const ours = marginOf(r, e.productClass as never, e.riskClass as never, e.marginType as never, e.bucket);
    expect(ours, `${e.side} ${e.productClass}/${e.riskClass}/${e.marginType}/${e.bucket}`).toBeDefined();
    expect(Math.abs(ours! - e.margin), `${e.side} ${e.productClass}/${e.riskClass}/${e.marginType}/${e.bucket}`).toBeLessThan(1e-6);
  }
}

describe('SIMM parameters as data', () => {
  it('ships v2.5 and v2.6 and reads the horizon-dependent values of each', () => {
    expect(bundledSimmVersions()).toEqual(['2.5', '2.6']);
    // simm_v2.6 JSON (ORE simmcalibration_2.6.xml): USD 10y delta RW 60 (10d) / 18 (1d), IR HVR 0.47 / 0.51.
    const p10 = SimmParameters.forVersion('2.6', 10);
    const p1 = SimmParameters.forVersion('2.6', 1);
    expect(p10.irDeltaRiskWeight('USD', '10y')).toBe(60);
    expect(p1.irDeltaRiskWeight('USD', '10y')).toBe(18);
    expect([p10.irHvr(), p1.irHvr()]).toEqual([0.47, 0.51]);
    // The parameter file states σ multipliers 2.19486... (10d) and 6.94077... (1d): √(365/(1.4·MPoR))/Φ⁻¹(0.99).
    expect(p10.sigmaMultiplier).toBeCloseTo(2.1948647123281537, 13);
    expect(p1.sigmaMultiplier).toBeCloseTo(6.940771646887217, 13);
    // SF(2w) = 0.5 at 10 days and 0.05 at 1 day (SIMM v2.6 §B.11(a)); SF(1y) = 0.5·14/365.
    expect(p10.curvatureScale('2w')).toBe(0.5);
    expect(p1.curvatureScale('2w')).toBeCloseTo(0.05, 15);
    expect(p10.curvatureScale('1y')).toBeCloseTo((0.5 * 14) / 365, 15);
  });

  it('names the available versions when asked for one that has no file', () => {
    expect(() => SimmParameters.forVersion('9.9', 10)).toThrow(/9\.9: expected a SIMM version with a parameter file: one of 2\.5, 2\.6/);
  });
});

describe('ORE simm_crif_ir: SIMM 2.6 from a CRIF', () => {
  for (const [folder, mporDays] of [
    ['SIMM2.6_10D', 10],
    ['SIMM2.6_1D', 1],
  ] as const) {
    it(`${folder}/simm.csv: every line, Call under ESA and Post under CFTC`, async () => {
      const records = await readCrif(path.join(ORE_CASE, 'inputs', 'crif.csv'));
      const results = calculateSimm(records, { version: '2.6', mporDays, calculationCurrency: 'USD' });
      expectMatchesOre(results, readOreSimm(path.join(ORE_CASE, 'expected', folder, 'simm.csv')), true);
    });
  }

  it('SIMM2.6_10D/regulation_breakdown_simm.csv: the same figures under every listed regulation', async () => {
    const records = await readCrif(path.join(ORE_CASE, 'inputs', 'crif.csv'));
    const results = calculateSimm(records, { version: '2.6', mporDays: 10 });
    const expected = readOreSimm(path.join(ORE_CASE, 'expected', 'SIMM2.6_10D', 'regulation_breakdown_simm.csv'));
    expectMatchesOre(results, expected, false);
    // Each regulation of the grouped lists gives the same total (ORE groups them because they are equal).
    for (const side of ['Call', 'Post'] as const) {
      const r = resultFor(results, 'CRIF_20201228', side);
      const listed = expected.find((e) => e.side === side)!.regulation.split(',');
      expect(r.regulationTotals.map((t) => t.regulation).sort()).toEqual([...listed].sort());
      for (const t of r.regulationTotals) expect(t.total).toBeCloseTo(r.total, 9);
    }
  });
});

describe('ORE InitialMargin example, SIMM v2.6 (cases/ore_initialmargin_simm26)', () => {
  const summary = JSON.parse(fs.readFileSync(path.join(SIMM26_CASE, 'expected_summary.json'), 'utf8')) as {
    expected: Record<'10d' | '1d', Record<'call' | 'post', Record<string, number>>>;
  };

  it('10-day collect 1,086,219.46 and post 1,022,075.91', async () => {
    const records = await readCrif(path.join(SIMM26_CASE, 'crif.csv'));
    const results = calculateSimm(records, { version: '2.6', mporDays: 10 });
    expect(resultFor(results, 'CRIF_20201228', 'Call').total).toBeCloseTo(1086219.46, 2);
    expect(resultFor(results, 'CRIF_20201228', 'Post').total).toBeCloseTo(1022075.91, 2);
  });

  for (const horizon of ['10d', '1d'] as const) {
    it(`${horizon}: IR delta, vega, curvature, curvature K_USD and totals on both sides`, async () => {
      const records = await readCrif(path.join(SIMM26_CASE, 'crif.csv'));
      const results = calculateSimm(records, { version: '2.6', mporDays: horizon === '10d' ? 10 : 1 });
      for (const side of ['call', 'post'] as const) {
        const r = resultFor(results, 'CRIF_20201228', side === 'call' ? 'Call' : 'Post');
        const e = summary.expected[horizon][side];
        expect(marginOf(r, 'All', 'InterestRate', 'Delta')).toBeCloseTo(e.IR_delta!, 6);
        expect(marginOf(r, 'All', 'InterestRate', 'Vega')).toBeCloseTo(e.IR_vega!, 6);
        expect(marginOf(r, 'All', 'InterestRate', 'Curvature')).toBeCloseTo(e.IR_curvature!, 6);
        expect(marginOf(r, 'RatesFX', 'InterestRate', 'Curvature', 'USD')).toBeCloseTo(e.IR_curvature_bucket_K_USD!, 6);
        expect(r.total).toBeCloseTo(e.SIMM_total!, 6);
        // The Risk_FX row is in the calculation currency (USD): no FX margin at all.
        expect(marginOf(r, 'All', 'FX', 'All')).toBeUndefined();
      }
    });
  }
});

describe('CRIF reader', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-crif-'));
  const HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,AmountCurrency,Amount,collect_regulations,post_regulations';

  async function issuesOf(name: string, body: string): Promise<XvaInputError> {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, `${HEADER}\n${body}\n`);
    try {
      await readCrif(file);
    } catch (error) {
      if (error instanceof XvaInputError) return error;
      throw error;
    }
    throw new Error('expected an XvaInputError');
  }

  it('reports each malformed row with file, row, column, value and what was expected', async () => {
    const error = await issuesOf(
      'bad.csv',
      [
        'T1,P1,RatesFX,Risk_IRCurve,USD,1,10y,OIS,USD,-1991.02,,', // good
        'T2,P1,RatesFX,Risk_IRCurv,USD,1,10y,OIS,USD,5,,', // unknown risk type
        'T3,P1,RatesFX,Risk_IRCurve,USD,1,7y,OIS,USD,5,,', // 7y is not a SIMM tenor
        'T4,P1,RatesFX,Risk_IRCurve,USD,1,10y,OIS,USD,1.2.3,,', // not a number
        'T5,P1,Rates,Risk_IRCurve,USD,1,10y,OIS,USD,5,,', // not a SIMM product class
        'T6,P1,Equity,Risk_Equity,ISIN:X,13,,,USD,5,,', // equity bucket 13 does not exist
        'T7,P1,RatesFX,Risk_FX,EURO,,,,USD,5,,', // not a currency code
        'T8,P1,RatesFX,Risk_IRCurve,USD,1,10y,OIS,EUR,5,,', // EUR amount and no FX rate into USD
      ].join('\n'),
    );
    const brief = error.issues.map((i) => [i.file, i.row, i.column, i.value]);
    expect(brief).toEqual([
      ['bad.csv', 2, 'RiskType', 'Risk_IRCurv'],
      ['bad.csv', 3, 'Label1', '7y'],
      ['bad.csv', 4, 'Amount', '1.2.3'],
      ['bad.csv', 5, 'ProductClass', 'Rates'],
      ['bad.csv', 6, 'Bucket', '13'],
      ['bad.csv', 7, 'Qualifier', 'EURO'],
      ['bad.csv', 8, 'AmountCurrency', 'EUR'],
    ]);
    expect(error.message).toContain('bad.csv row 3 column Label1: 7y: expected a SIMM tenor: one of 2w, 1m, 3m');
    expect(error.message).toContain('bad.csv row 8 column AmountCurrency: EUR: expected USD, or a currency with an FX rate into USD');
  });

  it('names a missing required column', async () => {
    const file = path.join(tmp, 'nocol.csv');
    fs.writeFileSync(file, 'TradeID,PortfolioID,Qualifier,Amount,AmountCurrency\nT1,P1,USD,1,USD\n');
    await expect(readCrif(file)).rejects.toThrow(/nocol\.csv column RiskType: missing value: expected a column named RiskType/);
  });

  it('converts Amount with an FX rate when no AmountUSD is given (same SIMM as the USD amounts)', async () => {
    const usd = path.join(tmp, 'usd.csv');
    const eur = path.join(tmp, 'eur.csv');
    fs.writeFileSync(usd, `${HEADER}\nT1,P1,RatesFX,Risk_IRCurve,USD,1,10y,OIS,USD,-2000,,\nT1,P1,RatesFX,Risk_IRCurve,USD,1,5y,OIS,USD,1170,,\n`);
    fs.writeFileSync(eur, `${HEADER}\nT1,P1,RatesFX,Risk_IRCurve,USD,1,10y,OIS,EUR,-1000,,\nT1,P1,RatesFX,Risk_IRCurve,USD,1,5y,OIS,USD,1170,,\n`);
    const a = calculateSimm(await readCrif(usd));
    const b = calculateSimm(await readCrif(eur, { fxRates: { EUR: 2 } }));
    // Two USD tenors, regular-volatility RWs 60 (10y) and 60 (5y), ρ(5y,10y) = 0.95 in v2.6 (SIMM v2.6 §C.1.4 tenor matrix):
    const ws10 = 60 * -2000;
    const ws5 = 60 * 1170;
    const closedForm = Math.sqrt(ws10 * ws10 + ws5 * ws5 + 2 * 0.95 * ws10 * ws5);
    expect(a[0]!.total).toBeCloseTo(closedForm, 6);
    expect(b[0]!.total).toBeCloseTo(closedForm, 6);
  });

  it('reads Parquet like CSV, splits netting sets, and keeps collect and post regulations apart', async () => {
    const { writeTable } = await import('../src/io/write.js');
    const rows = [
      ['T1', 'NS_A', 'RatesFX', 'Risk_IRCurve', 'USD', '1', '10y', 'OIS', 'USD', -1991.02, 'ESA', 'CFTC'],
      ['T2', 'NS_A', 'RatesFX', 'Risk_IRCurve', 'USD', '1', '5y', 'OIS', 'USD', -1431.81, 'USPR', 'CFTC'],
      ['T3', 'NS_B', 'RatesFX', 'Risk_IRCurve', 'EUR', '1', '2y', 'OIS', 'USD', 500, '', ''],
    ] as const;
    const names = HEADER.split(',');
    const columns = names.map((name, j) => ({
      name,
      type: (j === 9 ? 'float64' : 'utf8') as 'float64' | 'utf8',
      values: rows.map((r) => (r[j] === '' ? null : r[j]!)),
    }));
    const pq = path.join(tmp, 'crif.parquet');
    writeTable(pq, { columns }, 'parquet');
    const csv = path.join(tmp, 'crif.csv');
    fs.writeFileSync(csv, `${HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const fromParquet = calculateSimm(await readCrif(pq));
    const fromCsv = calculateSimm(await readCrif(csv));
    expect(fromParquet.map((r) => [r.portfolioId, r.side, r.regulation, r.total])).toEqual(
      fromCsv.map((r) => [r.portfolioId, r.side, r.regulation, r.total]),
    );
    const a = (side: 'Call' | 'Post') => resultFor(fromCsv, 'NS_A', side);
    // Collect: ESA holds T1 only, USPR T2 only; RW 60 each, so USPR (|60·1431.81|) < ESA (|60·1991.02|): ESA wins.
    expect(a('Call').regulation).toBe('ESA');
    expect(a('Call').total).toBeCloseTo(60 * 1991.02, 6);
    expect(a('Call').regulationTotals.map((t) => t.regulation)).toEqual(['ESA', 'USPR']);
    // Post: both trades under CFTC, ρ(5y,10y) = 0.95.
    const ws10 = 60 * 1991.02;
    const ws5 = 60 * 1431.81;
    expect(a('Post').total).toBeCloseTo(Math.sqrt(ws10 * ws10 + ws5 * ws5 + 2 * 0.95 * ws10 * ws5), 6);
    // NS_B names no regulation at all: Unspecified on both sides; EUR 2y RW 66 (regular group).
    expect(resultFor(fromCsv, 'NS_B', 'Call').regulation).toBe('Unspecified');
    expect(resultFor(fromCsv, 'NS_B', 'Call').total).toBeCloseTo(66 * 500, 9);
  });

  it('ISDA unit test C481 (all risk classes plus every add-on) through a CRIF file: 141,392,671,013 (v2.5, 10-day)', async () => {
    const data = JSON.parse(
      fs.readFileSync(path.join(SHARED_REFERENCE, 'simm', 'cases', 'isda_simm_v2_5_unit_tests', 'unit_tests.json'), 'utf8'),
    ) as {
      sensitivities: Record<string, Record<string, string | number>>;
      addon_inputs: Record<string, Record<string, Record<string, string | number>>>;
      tests: { id: string; sensitivities: string[]; product_multipliers: string[]; notional_factors: string[]; notionals: string[]; fixed_amounts: string[]; expected_total_10d: number }[];
    };
    const t = data.tests.find((x) => x.id === 'C481')!;
    const q = (v: string | number) => `"${String(v)}"`;
    const lines = t.sensitivities.map((id) => {
      const s = data.sensitivities[id]!;
      return ['T', 'P', s.ProductClass, s.RiskType, q(s.Qualifier!), s.Bucket, s.Label1, s.Label2, 'USD', s.AmountUSD, '', ''].join(',');
    });
    const a = data.addon_inputs;
    for (const id of t.product_multipliers) lines.push(['', 'P', '', 'Param_ProductClassMultiplier', a.product_multipliers![id]!.product_class, '', '', '', '', a.product_multipliers![id]!.multiplier, '', ''].join(','));
    for (const id of t.notional_factors) lines.push(['', 'P', '', 'Param_AddOnNotionalFactor', q(a.notional_factors![id]!.product!), '', '', '', '', a.notional_factors![id]!.factor_percent, '', ''].join(','));
    for (const id of t.notionals) lines.push(['T', 'P', '', 'Notional', q(a.notionals![id]!.product!), '', '', '', 'USD', a.notionals![id]!.notional_usd, '', ''].join(','));
    for (const id of t.fixed_amounts) lines.push(['', 'P', '', 'Param_AddOnFixedAmount', '', '', '', '', 'USD', a.fixed_amounts![id]!.amount_usd, '', ''].join(','));
    const file = path.join(tmp, 'c481.csv');
    fs.writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
    const [call] = calculateSimm(await readCrif(file), { version: '2.5', mporDays: 10 });
    expect(Math.abs(Math.round(call!.total) - t.expected_total_10d)).toBeLessThanOrEqual(1);
  });
});
