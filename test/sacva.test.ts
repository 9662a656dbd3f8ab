/**
 * SA-CVA from given sensitivities (Basel MAR50.41-50.73). References, in ../shared/reference/ore/sacva_unit_test:
 * - ORE's unit test OREAnalytics/test/sacva.cpp: the four input CSVs and all 34 K values (expected/sacva_expected_K.csv,
 *   transcribed from the test's hard-coded tables) — to 1e-9.
 * - ORE's end-to-end XvaRisk example (xvarisk_example/): total SA_CVA_CAPITAL 610,759.4118 and its components, from the
 *   sensitivities ORE reported (sacva_sensitivities.csv and sacvadetail.csv, whose RiskWeight column is also checked).
 * - expected/supervisory_parameters_used.csv: the MAR50 parameters ORE asserts.
 * - Hand checks of the formulas for the risk classes ORE does not cover (reference credit, equity, several names).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  computeSaCva,
  parseSaCvaSensitivities,
  readSaCvaSensitivities,
  SA_CVA_PARAMETERS,
  splitSensitivitiesByNettingSet,
  type SaCvaOptions,
  type SaCvaResult,
  type SaCvaSensitivity,
} from '../src/capital/sacva/index.js';
import { parseCsv } from '../src/io/csv.js';
import { XvaInputError } from '../src/errors.js';
import { SHARED_REFERENCE } from './helpers/paths.js';

const CASE = path.join(SHARED_REFERENCE, 'ore', 'sacva_unit_test');

function csvRows(file: string): Record<string, string>[] {
  const table = parseCsv(readFileSync(file), path.basename(file));
  const rows: Record<string, string>[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, string> = {};
    for (const name of table.columnNames) row[name.replace(/^#/, '')] = String(table.column(name)!.get(r) ?? '');
    rows.push(row);
  }
  return rows;
}

function classResult(result: SaCvaResult, riskType: string, marginType: string) {
  const found = result.riskClasses.find((r) => r.riskType === riskType && r.marginType === marginType);
  if (!found) throw new Error(`no ${riskType} ${marginType} in the result`);
  return found;
}

function error(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(XvaInputError);
    return (e as Error).message;
  }
  throw new Error('expected an XvaInputError');
}

describe('MAR50 parameters (src/capital/parameters/sacva.json) against the ones ORE asserts', () => {
  it('IR delta risk weights and tenor correlations, FX and vega weights, γ_IR, γ_FX, R', () => {
    const ir = SA_CVA_PARAMETERS.interestRate;
    const tenorIndex = (t: string) => ir.tenors.indexOf(t);
    for (const row of csvRows(path.join(CASE, 'expected', 'supervisory_parameters_used.csv'))) {
      const value = Number(row.Value);
      const key = row.Key!;
      switch (row.Parameter) {
        case 'RW_IR_Delta': {
          if (key.startsWith('other')) expect(ir.deltaRiskWeightOther).toBe(value);
          else expect(ir.deltaRiskWeightsSpecified[/Inflation/.test(key) ? 'Inflation' : /(\d+Y)$/.exec(key)![1]!]).toBe(value);
          break;
        }
        case 'RW_IR_Vega':
          expect(ir.vegaRiskWeight).toBe(value);
          break;
        case 'RW_FX_Delta':
          expect(SA_CVA_PARAMETERS.foreignExchange.deltaRiskWeight).toBe(value);
          break;
        case 'RW_FX_Vega':
          expect(SA_CVA_PARAMETERS.foreignExchange.vegaRiskWeight).toBe(value);
          break;
        case 'Rho_IR_tenor': {
          if (/Inflation/.test(key)) expect(ir.inflationCorrelation).toBe(value);
          else if (key.startsWith('other')) expect(ir.otherCurrencyYieldInflationCorrelation).toBe(value);
          else {
            const [a, b] = key.split('-') as [string, string];
            expect(ir.tenorCorrelations[tenorIndex(a)]![tenorIndex(b)]).toBe(value);
            expect(ir.tenorCorrelations[tenorIndex(b)]![tenorIndex(a)]).toBe(value);
          }
          break;
        }
        case 'Gamma_IR':
          expect(ir.crossBucketCorrelation).toBe(value);
          break;
        case 'Gamma_FX':
          expect(SA_CVA_PARAMETERS.foreignExchange.crossBucketCorrelation).toBe(value);
          break;
        case 'R':
          expect(SA_CVA_PARAMETERS.hedgingDisallowance).toBe(value);
          break;
        case 'm_CVA':
          expect(SA_CVA_PARAMETERS.multiplier).toBe(value);
          break;
        default:
          throw new Error(`unexpected parameter ${row.Parameter}`);
      }
    }
    expect(ir.specifiedCurrencies).toEqual(['USD', 'EUR', 'GBP', 'AUD', 'CAD', 'SEK', 'JPY']);
  });
});

describe("ORE unit test sacva.cpp: all 34 K values to 1e-9", () => {
  const expected = csvRows(path.join(CASE, 'expected', 'sacva_expected_K.csv'));
  const files = [...new Set(expected.map((r) => r.InputFile!))];
  expect(expected).toHaveLength(34);

  for (const file of files) {
    it(`${file}: every bucket K_b and the risk-class K`, async () => {
      const records = await readSaCvaSensitivities(path.join(CASE, 'inputs', file));
      // Calculation currency USD; no perfect hedges; m_CVA not applied in these numbers (= 1).
      const result = computeSaCva(records, { reportingCurrency: 'USD' });
      expect(result.riskClasses).toHaveLength(1);
      const rc = result.riskClasses[0]!;
      const rows = expected.filter((r) => r.InputFile === file);
      expect(rows.every((r) => r.RiskClass === rc.riskType && r.MarginType === rc.marginType)).toBe(true);
      expect(rc.buckets.map((b) => b.bucket).sort()).toEqual(rows.filter((r) => r.Bucket !== 'All').map((r) => r.Bucket).sort());
      for (const row of rows) {
        const k = row.Bucket === 'All' ? rc.capital : rc.buckets.find((b) => b.bucket === row.Bucket)!.kb;
        // The expected values are printed to 9-12 decimals: 1e-9 absolute is the printed precision.
        expect(Math.abs(k - Number(row.K))).toBeLessThanOrEqual(1e-9);
      }
    });
  }

  it('the README example by hand: FX delta BRL, K = sqrt((0.11·43.125)² + 0.01·(0.11·100.625)²) = 4.870650908', async () => {
    const records = await readSaCvaSensitivities(path.join(CASE, 'inputs', 'cva_sensi_fx_delta.csv'));
    const brl = classResult(computeSaCva(records, { reportingCurrency: 'USD' }), 'ForeignExchange', 'Delta').buckets.find((b) => b.bucket === 'BRL')!;
    const ws = 0.11 * (143.75 - 100.63);
    const wsHedge = 0.11 * 100.63;
    expect(brl.factors[0]!.weighted).toBeCloseTo(ws, 12);
    expect(Math.abs(brl.kb - Math.sqrt(ws * ws + 0.01 * wsHedge * wsHedge))).toBeLessThan(1e-12);
  });
});

describe('ORE XvaRisk end to end: SA_CVA_CAPITAL 610,759.4118 from the reported sensitivities', () => {
  const DIR = path.join(CASE, 'xvarisk_example');
  const expected = csvRows(path.join(DIR, 'sacva.csv'));
  // CPTY_A: SaCvaRiskBucket 2 (financials), investment grade → RW 5% (MAR50.65), as ORE's counterparty.xml gives.
  const options: SaCvaOptions = { reportingCurrency: 'EUR', creditNames: { CPTY_A: { creditQuality: 'IG' } } };

  /** Every row of ORE's sacva.csv for one netting set ('' = portfolio) to 1e-4 (ORE prints 4 decimals). */
  function checkAgainstOre(result: SaCvaResult, nettingSet: string): void {
    const rows = expected.filter((r) => r.NettingSetId === nettingSet);
    expect(rows.length).toBe(13);
    for (const row of rows) {
      let value: number;
      if (row.RiskType === 'All') value = result.capital;
      else {
        const rc = classResult(result, row.RiskType!, row.MarginType!);
        value = row.Bucket === 'All' ? rc.capital : rc.buckets.find((b) => b.bucket === row.Bucket)!.kb;
      }
      expect(Math.abs(value - Number(row.Value))).toBeLessThanOrEqual(1e-4);
    }
  }

  it('from sacva_sensitivities.csv (CVA only) with ORE perfect FX hedges: portfolio rows and CPTY_A rows', async () => {
    const { portfolio, nettingSets } = splitSensitivitiesByNettingSet(await readSaCvaSensitivities(path.join(DIR, 'sacva_sensitivities.csv')));
    const perfectlyHedged = [
      { riskType: 'ForeignExchange', marginType: 'Delta' },
      { riskType: 'ForeignExchange', marginType: 'Vega' },
    ] as const;
    const total = computeSaCva(portfolio, { ...options, perfectlyHedged });
    checkAgainstOre(total, '');
    checkAgainstOre(computeSaCva(nettingSets.get('CPTY_A')!, { ...options, perfectlyHedged }), 'CPTY_A');
    expect(Math.abs(total.capital - 610759.4118)).toBeLessThanOrEqual(1e-4);
    // Total = plain sum of the five risk-class/margin-type K with m_CVA = 1.
    expect(total.riskClasses).toHaveLength(5);
    expect(total.capital).toBeCloseTo(total.riskClasses.reduce((s, r) => s + r.capital, 0), 9);
  });

  it('from sacvadetail.csv (CVA and hedge rows): same figures, and our risk weight equals ORE’s on every row', async () => {
    const file = path.join(DIR, 'sacvadetail.csv');
    const records = await readSaCvaSensitivities(file);
    const { portfolio, nettingSets } = splitSensitivitiesByNettingSet(records);
    const total = computeSaCva(portfolio, options);
    checkAgainstOre(total, '');
    checkAgainstOre(computeSaCva(nettingSets.get('CPTY_A')!, options), 'CPTY_A');

    const weights = new Map<string, number>();
    for (const rc of total.riskClasses)
      for (const b of rc.buckets) for (const f of b.factors) weights.set(`${rc.riskType}|${rc.marginType}|${b.bucket}|${f.riskFactor}`, f.riskWeight);
    for (const row of csvRows(file).filter((r) => r.NettingSetId === '')) {
      expect(weights.get(`${row.RiskType}|${row.MarginType}|${row.Bucket}|${row.RiskFactor}`)).toBe(Number(row.RiskWeight));
    }
  });

  it('hand checks: credit delta K = |WS| with ρ(1Y,5Y) = 0.9, FX K = sqrt(R)·|RW·s| when fully hedged', () => {
    const ws1 = 0.05 * -662884.3556;
    const ws5 = 0.05 * 10733028.5962;
    expect(Math.abs(Math.sqrt(ws1 * ws1 + ws5 * ws5 + 2 * 0.9 * ws1 * ws5) - 507027.5051)).toBeLessThan(1e-4);
    expect(Math.abs(0.1 * 0.11 * 39736.3901 - 437.1003)).toBeLessThan(1e-4);
    expect(Math.abs(0.1 * 308.3222 - 30.8322)).toBeLessThan(1e-4);
  });
});

const rec = (riskType: SaCvaSensitivity['riskType'], marginType: SaCvaSensitivity['marginType'], bucket: string, riskFactor: string, value: number, cvaType: SaCvaSensitivity['cvaType'] = 'CvaAggregate'): SaCvaSensitivity => ({
  nettingSetId: null,
  riskType,
  cvaType,
  marginType,
  riskFactor,
  bucket,
  value,
});

describe('hand checks for the risk classes beyond the ORE cases', () => {
  it('counterparty credit: two names in bucket 2 and one in 1a; ρ = ρ_tenor·ρ_name·ρ_quality, γ(1,2) = 10%, 1a and 1b share bucket 1', () => {
    const names = { A: { creditQuality: 'IG' as const, legalGroup: 'G' }, B: { creditQuality: 'HY_NR' as const, legalGroup: 'G' }, C: { creditQuality: 'IG' as const }, S: { creditQuality: 'IG' as const }, L: { creditQuality: 'HY_NR' as const } };
    const r = computeSaCva(
      [rec('CreditCounterparty', 'Delta', '2', 'A/5Y', 100), rec('CreditCounterparty', 'Delta', '2', 'B/1Y', -40), rec('CreditCounterparty', 'Delta', '2', 'C/6M', 30), rec('CreditCounterparty', 'Delta', '1a', 'S/10Y', 200), rec('CreditCounterparty', 'Delta', '1b', 'L/3Y', 50)],
      { creditNames: names },
    );
    const rc = classResult(r, 'CreditCounterparty', 'Delta');
    // Bucket 2: WS_A = 5%·100, WS_B = 12%·(−40), WS_C = 5%·30.
    const a = 5;
    const b = -4.8;
    const c = 1.5;
    const rhoAB = 0.9 * 0.9 * 0.8; // different tenor, legally related, different quality
    const rhoAC = 0.9 * 0.5 * 1; // different tenor (5Y vs 0.5Y), unrelated, same quality
    const rhoBC = 0.9 * 0.5 * 0.8;
    const k2 = Math.sqrt(a * a + b * b + c * c + 2 * (rhoAB * a * b + rhoAC * a * c + rhoBC * b * c));
    // Bucket 1: WS_S = 0.5%·200 (1a IG), WS_L = 4%·50 (1b HY/NR), ρ = 0.9·0.5·0.8.
    const s = 1;
    const l = 2;
    const k1 = Math.sqrt(s * s + l * l + 2 * 0.9 * 0.5 * 0.8 * s * l);
    const b1 = rc.buckets.find((x) => x.bucket === '1')!;
    const b2 = rc.buckets.find((x) => x.bucket === '2')!;
    expect(b1.kb).toBeCloseTo(k1, 13);
    expect(b2.kb).toBeCloseTo(k2, 13);
    const s1 = Math.max(Math.min(s + l, k1), -k1);
    const s2 = Math.max(Math.min(a + b + c, k2), -k2);
    expect(rc.capital).toBeCloseTo(Math.sqrt(k1 * k1 + k2 * k2 + 2 * 0.1 * s1 * s2), 13);
  });

  it('reference credit: one factor per bucket, γ = sector correlation, halved across IG and HY/NR', () => {
    // Bucket 3 (IG financials, 5%) and bucket 10 (HY/NR financials, 12%): same sector row → 100% × 0.5.
    // Bucket 1 (IG sovereigns, 0.5%) vs 3: 10%; vs 10: 10% × 0.5. Two records in bucket 3 add into one factor.
    const r = computeSaCva([
      rec('CreditReference', 'Delta', '3', 'IssuerX', 60),
      rec('CreditReference', 'Delta', '3', 'IssuerY', 40),
      rec('CreditReference', 'Delta', '10', 'IssuerZ', -50),
      rec('CreditReference', 'Delta', '1', 'Sov', 1000),
    ]);
    const ws = { '1': 5, '3': 5, '10': -6 };
    const expected = Math.sqrt(25 + 25 + 36 + 2 * (0.1 * 5 * 5 + 0.05 * 5 * -6 + 0.5 * 5 * -6));
    expect(classResult(r, 'CreditReference', 'Delta').capital).toBeCloseTo(expected, 13);
    expect(classResult(r, 'CreditReference', 'Delta').buckets.map((b) => [b.bucket, b.sumWeighted])).toEqual(Object.entries(ws).map(([k, v]) => [k, expect.closeTo(v, 13)]));
  });

  it('equity delta and vega: RW by bucket, γ 15% among 1-10, 45% index vs 1-10, 0% with 11; vega 78% large cap / 100% small cap', () => {
    const r = computeSaCva([
      rec('Equity', 'Delta', '5', 'SPOT', 100), // 30%
      rec('Equity', 'Delta', '9', 'SPOT', -20), // 70%
      rec('Equity', 'Delta', '12', 'SPOT', 200), // 15%
      rec('Equity', 'Delta', '11', 'SPOT', 10), // 70%
      rec('Equity', 'Vega', '5', 'VOL', 10), // 78%
      rec('Equity', 'Vega', '10', 'VOL', 10), // 100%
    ]);
    const [w5, w9, w12, w11] = [30, -14, 30, 7];
    const delta = Math.sqrt(w5 * w5 + w9 * w9 + w12 * w12 + w11 * w11 + 2 * (0.15 * w5 * w9 + 0.45 * w5 * w12 + 0.45 * w9 * w12));
    expect(classResult(r, 'Equity', 'Delta').capital).toBeCloseTo(delta, 12);
    expect(classResult(r, 'Equity', 'Vega').capital).toBeCloseTo(Math.sqrt(7.8 * 7.8 + 100 + 2 * 0.15 * 7.8 * 10), 12);
    expect(r.capital).toBeCloseTo(r.deltaCapital + r.vegaCapital, 12);
  });

  it('IR, other currency: tenor sensitivities add into the parallel factor (RW 1.58%), ρ(parallel, inflation) = 40%', () => {
    const r = computeSaCva([rec('InterestRate', 'Delta', 'NOK', '2Y', 30), rec('InterestRate', 'Delta', 'NOK', '10Y', 70), rec('InterestRate', 'Delta', 'NOK', 'Inflation', -50)]);
    const p = 0.0158 * 100;
    const i = 0.0158 * -50;
    expect(classResult(r, 'InterestRate', 'Delta').buckets[0]!.kb).toBeCloseTo(Math.sqrt(p * p + i * i + 2 * 0.4 * p * i), 14);
  });

  it('the reporting currency gets the specified-currency tenors (MAR50.55)', () => {
    const r = computeSaCva([rec('InterestRate', 'Delta', 'NOK', '2Y', 100)], { reportingCurrency: 'NOK' });
    expect(classResult(r, 'InterestRate', 'Delta').buckets[0]!.factors[0]!.riskWeight).toBe(0.0093);
  });

  it('S_b caps a bucket at ±K_b and m_CVA scales each risk class', () => {
    // One bucket of two perfectly hedged factors: Σ WS = 0 → S_b = 0, K_b = sqrt(R)·|WS_hdg| from the disallowance term.
    const records = [rec('ForeignExchange', 'Delta', 'GBP', 'FXSpot', 100), rec('ForeignExchange', 'Delta', 'GBP', 'FXSpot', 100, 'CvaHedge'), rec('ForeignExchange', 'Delta', 'JPY', 'FXSpot', 50)];
    const one = computeSaCva(records);
    const gbp = classResult(one, 'ForeignExchange', 'Delta').buckets.find((b) => b.bucket === 'GBP')!;
    expect(gbp.sb).toBe(0);
    expect(gbp.kb).toBeCloseTo(0.1 * 11, 14);
    expect(classResult(one, 'ForeignExchange', 'Delta').capital).toBeCloseTo(Math.sqrt(1.1 ** 2 + 5.5 ** 2), 13);
    const scaled = computeSaCva(records, { multiplier: 1.25 });
    expect(scaled.capital).toBeCloseTo(1.25 * one.capital, 12);
  });
});

describe('bad input', () => {
  it('names file, row, column and value from the reader; lists every problem', () => {
    const csv = 'NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value\nN,InterestRate,CvaAggregate,Delta,1Y,USD,abc\nN,Rates,CvaAggregate,Delta,1Y,USD,1\n';
    const message = error(() => parseSaCvaSensitivities(parseCsv(csv, 'sensi.csv')));
    expect(message).toContain('sensi.csv row 1 column Value: abc: expected a sensitivity in reporting-currency units');
    expect(message).toContain('sensi.csv row 2 column RiskType: Rates: expected one of InterestRate, ForeignExchange');
  });

  it('rejects a tenor outside MAR50, an FX bucket in the reporting currency, commodity, an unknown credit name, and 1 for 1a/1b', () => {
    const csv = [
      'NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value',
      'N,InterestRate,CvaAggregate,Delta,3Y,USD,1',
      'N,ForeignExchange,CvaAggregate,Delta,FXSpot,EUR,1',
      'N,Commodity,CvaAggregate,Delta,X,1,1',
      'N,CreditCounterparty,CvaAggregate,Delta,NOBODY/1Y,2,1',
      'N,CreditCounterparty,CvaAggregate,Delta,CPTY/1Y,1,1',
      'N,CreditCounterparty,CvaAggregate,Vega,CPTY/1Y,2,1',
    ].join('\n');
    const records = parseSaCvaSensitivities(parseCsv(csv, 'sensi.csv'));
    const message = error(() => computeSaCva(records, { reportingCurrency: 'EUR', creditNames: { CPTY: { creditQuality: 'IG' } } }));
    expect(message).toContain('sensi.csv row 1 column RiskFactor: 3Y: expected for USD, one of 1Y, 2Y, 5Y, 10Y, 30Y, Inflation');
    expect(message).toContain('sensi.csv row 2 column Bucket: EUR: expected a currency other than the reporting currency EUR');
    expect(message).toContain('sensi.csv row 3 column RiskType: Commodity: expected');
    expect(message).toContain('not supported yet');
    expect(message).toContain("sensi.csv row 4 column RiskFactor: NOBODY/1Y: expected a counterparty id of the book's counterparties table (from the xva capital command) or a name listed in the library's creditNames option");
    expect(message).toContain('sensi.csv row 5 column Bucket: 1: expected one of 1a, 1b, 2, 3');
    expect(message).toContain('counterparty credit spread has no vega risk');
  });

  it('refuses portfolio rows mixed with netting-set rows (double counting)', () => {
    const records = [rec('ForeignExchange', 'Delta', 'GBP', 'FXSpot', 1), { ...rec('ForeignExchange', 'Delta', 'GBP', 'FXSpot', 1), nettingSetId: 'N' }];
    expect(error(() => computeSaCva(records))).toContain('summing both would count every sensitivity twice');
  });
});
