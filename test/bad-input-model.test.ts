/**
 * Input mistakes that used to pass silently or end in an internal error (twenty-ninth session's bad-input audit):
 * - a Hull-White mean reversion outside [−0.5, 1] is an error on its market-file key (−5 crashed the swaption tables,
 *   50 was blamed on the swaption trades);
 * - parameters inside the bounds whose rates still overflow over the book's horizon (κ = −0.5 on the demo's 50-year
 *   trades) fail the run naming the netting sets and the rate sections, instead of writing NaN exposures with exit 0;
 * - a rate above 50% (a percentage typed as a decimal) is a warning naming the cell, as is an FX or equity vol above
 *   200% (it gives finite, meaningless paths), a fixing above 50% or an FX fixing 3 times off its spot; a run writes its
 *   input warnings on stderr;
 * - warnings beyond --max-issues are counted, and a whole file given as a value is cut in the message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, IssueCollector, XvaInputError } from '../src/errors.js';
import { parseScenario } from '../src/scenarios/load.js';
import { loadMarket } from '../src/market/load.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const DEMO = path.join(ROOT, 'fixtures/demo');
const SMALL = path.join(ROOT, 'test/data/small');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-bad-model-'));
  temps.push(dir);
  return dir;
}

/** A copy of test/data/small in a temporary folder. */
function smallCopy(): string {
  const dir = tempDir();
  fs.cpSync(SMALL, dir, { recursive: true });
  return dir;
}

/** Edits a CSV table of `dir` as rows of cells (the small book's CSVs have no quoted fields; the header is row 0). */
function editTable(dir: string, table: string, edit: (rows: string[][]) => void): void {
  const file = path.join(dir, `${table}.csv`);
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((r) => r.split(','));
  edit(rows);
  fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');
}

/** The demo market with the USD Hull-White mean reversion replaced (the first `meanReversion: 0.03` under rates.USD). */
function demoMarketWithUsdKappa(kappa: string): string {
  const text = fs.readFileSync(path.join(DEMO, 'market.yaml'), 'utf8');
  const usd = text.indexOf('  USD:', text.indexOf('\nrates:'));
  const at = text.indexOf('meanReversion: 0.03', usd);
  expect(usd > 0 && at > usd).toBe(true);
  const file = path.join(tempDir(), 'market.yaml');
  fs.writeFileSync(file, text.slice(0, at) + `meanReversion: ${kappa}` + text.slice(at + 'meanReversion: 0.03'.length));
  return file;
}

describe('the Hull-White mean reversion of the market file', () => {
  it('outside [−0.5, 1] is an error naming the key; the bounds themselves load', () => {
    const text = fs.readFileSync(path.join(DEMO, 'market.yaml'), 'utf8');
    const usdKappaLine = text.slice(0, text.indexOf('meanReversion: 0.03', text.indexOf('  USD:', text.indexOf('\nrates:')))).split('\n').length;
    for (const kappa of ['-5', '-0.51', '1.5', '50']) {
      const file = demoMarketWithUsdKappa(kappa);
      let error: unknown;
      try {
        loadMarket(file);
      } catch (e) {
        error = e;
      }
      expect(error, kappa).toBeInstanceOf(XvaInputError);
      expect((error as XvaInputError).issues.map(formatIssue)).toEqual([
        `market.yaml row ${usdKappaLine} column rates.USD.hullWhite.meanReversion: ${kappa}: expected a mean reversion per year in [-0.5, 1] (e.g. 0.03)`,
      ]);
    }
    for (const kappa of ['-0.5', '1']) expect(loadMarket(demoMarketWithUsdKappa(kappa)).hullWhite('USD')!.meanReversion).toBe(Number(kappa));
  });

  it('κ = −0.5 on the demo book: rates overflow over its decades, and the run fails naming the sets and sections (exit 2, no files)', async () => {
    const out = path.join(tempDir(), 'out');
    const run = await xvaInProcess(['simulate', '--portfolio', DEMO, '--market', demoMarketWithUsdKappa('-0.5'), '--paths', '20', '--threads', '1', '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: the input has 1 problem\(s\):\n {2}market\.yaml column (rates\.[A-Z]{3}\.hullWhite, )*rates\.USD\.hullWhite(, rates\.[A-Z]{3}\.hullWhite)*, fx\.vols, credit\.model: the simulation gives NaN or infinite exposures for \d+ netting set\(s\) \(NS-/);
    expect(run.stderr).toContain('a negative mean reversion or a large sigma makes rates grow without bound');
    expect(fs.existsSync(out)).toBe(false);
    // the same book at −0.05 simulates: the check does not fire on sound parameters
    const sound = await xvaInProcess(['simulate', '--portfolio', DEMO, '--market', demoMarketWithUsdKappa('-0.05'), '--paths', '20', '--threads', '1', '--quiet']);
    expect(sound.status, sound.stderr).toBe(0);
  }, 120_000);
});

describe('warnings of validate', () => {
  it('a rate above 50% is a warning naming the cell (a percentage typed as a decimal)', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'trades.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[1]!.startsWith('T001,') && lines[1]!.includes(',0.04,6M,')).toBe(true);
    lines[1] = lines[1]!.replace(',0.04,6M,', ',4,6M,');
    fs.writeFileSync(file, lines.join('\n'));
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.warnings.filter((w) => w.column === 'fixed_rate').map(formatIssue)).toEqual([
      'trades.csv row 1 column fixed_rate: 4: expected a rate as a decimal (0.025 = 2.5%): 4 is 400.0%; if 4% was meant, write 0.04',
    ]);
    // the book's own rates (all below 50%) give none
    const clean = await validateInputs({ portfolioDir: SMALL });
    expect(clean.warnings.filter((w) => w.column === 'fixed_rate' || w.column === 'strike')).toEqual([]);
  });

  it('a currency of the book with neither Hull-White parameters nor swaption vols is a warning naming its market section', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const jpy = '  JPY:\n    hullWhite:\n      meanReversion: 0.02\n      sigma: [ { vol: 0.0040 } ]\n';
    expect(text).toContain(jpy);
    fs.writeFileSync(file, text.replace(jpy, ''));
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true); // today's prices need no model: margin and capital --no-kva still run
    expect(result.warnings.filter((w) => w.column?.startsWith('rates.')).map(formatIssue)).toEqual([
      'market.yaml column rates.JPY: missing value: expected Hull-White parameters (rates.JPY.hullWhite) or ATM swaption vols to calibrate them to (rates.JPY.swaptionVols): xva simulate, cva, fva, optimize and the KVA of xva capital model the rates of every currency of the book',
    ]);
    // and the simulation refuses it naming the market file
    const run = await xvaInProcess(['simulate', '--portfolio', dir, '--paths', '10', '--threads', '1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('market.yaml column rates.JPY: missing value: expected Hull-White parameters for JPY');
    // the small book as it is: no such warning
    expect((await validateInputs({ portfolioDir: SMALL })).warnings.filter((w) => w.column?.startsWith('rates.'))).toEqual([]);
  });

  it('a notional above 1e15 and a margin period of risk above 250 business days are errors naming the cell', async () => {
    const dir = smallCopy();
    editTable(dir, 'trades', (rows) => (rows[1]![rows[0]!.indexOf('notional')] = '1e300'));
    editTable(dir, 'netting_sets', (rows) => (rows[1]![rows[0]!.indexOf('margin_period_of_risk_days')] = '100000'));
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues.map(formatIssue)).toEqual([
      'netting_sets.csv row 1 column margin_period_of_risk_days: 100000: expected a number of business days of at most 250',
      'trades.csv row 1 column notional: 1e300: expected an amount of at most 1000000000000000',
    ]);
    // the cell as written, not as JavaScript prints the number it reads (1e400 is Infinity, 0.10 is 0.1)
    editTable(dir, 'trades', (rows) => (rows[1]![rows[0]!.indexOf('notional')] = '1e400'));
    editTable(dir, 'netting_sets', (rows) => (rows[1]![rows[0]!.indexOf('margin_period_of_risk_days')] = '10.50'));
    expect((await validateInputs({ portfolioDir: dir })).issues.map(formatIssue)).toEqual([
      'netting_sets.csv row 1 column margin_period_of_risk_days: 10.50: expected a number of business days (a whole number)',
      'trades.csv row 1 column notional: 1e400: expected an amount (finite)',
    ]);
  });

  it('a cell the row\'s product does not read is a warning naming it (an FX forward\'s fixed_rate and start_date)', async () => {
    const dir = smallCopy();
    let at = -1;
    editTable(dir, 'trades', (rows) => {
      at = rows.findIndex((r) => r[0] === 'T008');
      expect(rows[at]![3]).toBe('FXFWD');
      rows[at]![rows[0]!.indexOf('fixed_rate')] = '0.05';
      rows[at]![rows[0]!.indexOf('start_date')] = '2026-01-01';
    });
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.warnings.filter((w) => w.row === at).map(formatIssue)).toEqual([
      `trades.csv row ${at} column start_date: 2026-01-01: expected blank for FXFWD: FXFWD does not read start_date, so this value is ignored`,
      `trades.csv row ${at} column fixed_rate: 0.05: expected blank for FXFWD: FXFWD does not read fixed_rate, so this value is ignored`,
    ]);
    // the bundled books fill only the cells their products read
    expect((await validateInputs({ portfolioDir: SMALL })).warnings.filter((w) => /does not read/.test(w.expected))).toEqual([]);
    expect((await validateInputs({ portfolioDir: DEMO })).warnings.filter((w) => /does not read/.test(w.expected))).toEqual([]);
  });

  it('a rate vol far above any market\'s (typed in percent) is a warning naming the quote', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    let text = fs.readFileSync(file, 'utf8');
    const usdQuote = '{ expiry: 2Y, tenor: 5Y, vol: 0.0092 }';
    const jpySigma = 'sigma: [ { vol: 0.0040 } ]';
    expect(text).toContain(usdQuote);
    expect(text).toContain(jpySigma);
    text = text.replace(usdQuote, '{ expiry: 2Y, tenor: 5Y, vol: 0.92 }').replace(jpySigma, 'sigma: [ { vol: 0.40 } ]');
    fs.writeFileSync(file, text);
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.warnings.filter((w) => w.column?.startsWith('rates.')).map(formatIssue)).toEqual([
      'market.yaml column rates.USD.swaptionVols (expiry 2Y, tenor 5Y): 0.92: expected a normal vol in decimals per year (0.008 = 80bp) at most 0.05: 0.92 is 9200bp a year',
      'market.yaml column rates.JPY.hullWhite.sigma: 0.4: expected a short-rate normal vol in decimals per year (0.01 = 100bp) at most 0.05: 0.4 is 4000bp a year',
    ]);
  });

  it('an FX or equity vol far above any market\'s (typed in percent) is a warning; a run says it on stderr (not with --quiet)', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    let text = fs.readFileSync(file, 'utf8');
    const eurusd = 'EURUSD: { vol: 0.075 }';
    const spx = 'SPX: { currency: USD, spot: 5200, dividendYield: 0.014, vol: 0.18 }';
    expect(text).toContain(eurusd);
    expect(text).toContain(spx);
    text = text.replace(eurusd, 'EURUSD: { vol: 7.5 }').replace(spx, spx.replace('vol: 0.18', 'vol: 18'));
    fs.writeFileSync(file, text);
    const expected = [
      'market.yaml column fx.vols (EUR against USD): 7.5: expected an FX Black vol in decimals (0.10 = 10%) at most 2: 7.5 is 750%',
      'market.yaml column equities.SPX: 18: expected an equity Black vol in decimals (0.10 = 10%) at most 2: 18 is 1800%',
    ];
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatIssue)).toEqual(expected);
    // the small book's own vols (7.5% to 19%, a USDJPY term structure) give none
    expect((await validateInputs({ portfolioDir: SMALL })).warnings).toEqual([]);
    const out = path.join(tempDir(), 'run');
    const run = await xvaInProcess(['simulate', '--portfolio', dir, '--paths', '64', '--out', out]);
    expect(run.status).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual(expected.map((w) => `warning: ${w}`));
    const quiet = await xvaInProcess(['simulate', '--portfolio', dir, '--paths', '64', '--out', out + '-quiet', '--quiet']);
    expect([quiet.status, quiet.stderr]).toEqual([0, '']);
  });

  it('a fixing typed in percent, or an FX fixing of the inverse pair, is a warning naming the series and its first such date', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    fs.appendFileSync(
      file,
      '\nfixings:\n' +
        '  EUR-EURIBOR-6M:\n    - { date: 2025-12-29, rate: 2.134 }\n    - { date: 2026-03-20, rate: 2.51 }\n    - { date: 2026-06-29, rate: 0.0241 }\n' +
        '  USD-SOFR:\n    - { date: 2026-06-29, rate: -0.001 }\n' +
        // EURUSD spot 1.085: 0.9217 is USD per EUR inverted (1/1.085), within the factor 3; 152.3 is the JPY rate
        '  FX-EUR-USD:\n    - { date: 2026-03-31, rate: 0.9217 }\n  FX-USD-JPY:\n    - { date: 2026-03-31, rate: 0.00657 }\n',
    );
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.warnings.filter((w) => w.column?.startsWith('fixings.')).map(formatIssue)).toEqual([
      'market.yaml column fixings.EUR-EURIBOR-6M (2025-12-29) (and 1 more of its fixings): 2.134: expected a rate in decimals (0.0213 = 2.13%) at most 0.5 in size: 2.134 is 213%',
      'market.yaml column fixings.FX-USD-JPY (2026-03-31): 0.00657: expected an FX rate near today\'s spot 152.3 of JPY per USD (within a factor 3; the inverse pair is FX-JPY-USD)',
    ]);
  });

  it('a float index of another currency than its leg\'s is an error naming the cell (quanto legs are not supported)', async () => {
    const dir = smallCopy();
    let at = -1;
    editTable(dir, 'trades', (rows) => {
      const c = rows[0]!.indexOf('float_index');
      at = rows.findIndex((r) => r[rows[0]!.indexOf('currency')] === 'USD' && r[c] === 'USD-SOFR');
      expect(at).toBeGreaterThan(0);
      rows[at]![c] = 'EUR-ESTR';
    });
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues.map(formatIssue)).toEqual([
      `trades.csv row ${at} column float_index: EUR-ESTR: expected an index of the leg's currency USD (EUR-ESTR is a EUR index in market.yaml; legs paying another currency's index, quanto, are not supported)`,
    ]);
  });

  it('YAML whose aliases expand without bound ("billion laughs") is an input error naming the file, not an internal error', async () => {
    const dir = smallCopy();
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let k = 1; k < 9; k++) lines.push(`${String.fromCharCode(97 + k)}: &${String.fromCharCode(97 + k)} [${Array(10).fill('*' + String.fromCharCode(96 + k)).join(', ')}]`);
    fs.appendFileSync(path.join(dir, 'market.yaml'), '\nbomb:\n' + lines.map((l) => '  ' + l).join('\n') + '\n');
    const run = await xvaInProcess(['validate', '--portfolio', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/market\.yaml[^\n]*[Aa]lias[^\n]*expected YAML whose aliases \(\*name\) expand to a market of ordinary size/);
    expect(run.stderr).not.toMatch(/internal error/);
    const scenario = path.join(tempDir(), 'bomb.yaml');
    fs.writeFileSync(scenario, 'name: bomb\ndescription: aliases\n' + lines.join('\n') + '\n');
    const issues = new IssueCollector();
    expect(parseScenario(fs.readFileSync(scenario, 'utf8'), 'bomb.yaml', issues)).toBeUndefined();
    expect(issues.issues.map(formatIssue)).toEqual([expect.stringMatching(/^bomb\.yaml: .*[Aa]lias.*expected YAML whose aliases \(\*name\) expand to a scenario of ordinary size/)]);
  });

  it('amounts, rates, spreads, weights and frequencies far beyond a book\'s are errors on the cell; the merely implausible warnings', async () => {
    const dir = smallCopy();
    editTable(dir, 'netting_sets', (rows) => {
      const h = rows[0]!;
      rows[1]![h.indexOf('margin_frequency_days')] = '1e308'; // used to hang the run: call dates stepped one by one
      rows[1]![h.indexOf('independent_amount_bank')] = '1e308'; // used to overflow into NaN exposures
    });
    editTable(dir, 'counterparties', (rows) => {
      rows[1]![rows[0]!.indexOf('risk_weight')] = '13';
    });
    editTable(dir, 'trades', (rows) => {
      const h = rows[0]!;
      const row = (id: string) => rows.find((r) => r[0] === id)!;
      row('T001')[h.indexOf('fixed_rate')] = '12';
      row('T001')[h.indexOf('float_spread_bp')] = '1500';
      row('T006')[h.indexOf('float_spread_bp')] = '1e12';
      row('T006')[h.indexOf('maturity_date')] = '2300-03-31';
    });
    const result = await validateInputs({ portfolioDir: dir });
    const at = (list: typeof result.issues, column: string) => list.filter((i) => i.column === column).map(formatIssue);
    expect(at(result.issues, 'margin_frequency_days')).toEqual(['netting_sets.csv row 1 column margin_frequency_days: 1e308: expected a number of business days of at most 250']);
    expect(at(result.issues, 'independent_amount_bank')).toEqual(['netting_sets.csv row 1 column independent_amount_bank: 1e308: expected an amount of at most 1000000000000000']);
    expect(at(result.issues, 'risk_weight')).toEqual(['counterparties.csv row 1 column risk_weight: 13: expected a risk weight as a decimal (1.0 = 100%) of at most 12.5']);
    expect(at(result.issues, 'fixed_rate')).toEqual(['trades.csv row 1 column fixed_rate: 12: expected a rate as a decimal (0.025 = 2.5%) of at most 10']);
    expect(at(result.issues, 'float_spread_bp')).toEqual(['trades.csv row 6 column float_spread_bp: 1e12: expected a spread in basis points of at most 100000']);
    expect(at(result.warnings, 'float_spread_bp')).toEqual(['trades.csv row 1 column float_spread_bp: 1500: expected a spread in basis points (25 = 0.25%): 1500 is 15.00%']);
    // T006 has an error, so it is not checked against the market: a sound row with a maturity in 2300 is
    editTable(dir, 'trades', (rows) => {
      const h = rows[0]!;
      const r6 = rows.find((r) => r[0] === 'T006')!;
      r6[h.indexOf('float_spread_bp')] = '0';
    });
    // and a CCP named on a bilateral trade: a warning (nothing reads it)
    editTable(dir, 'trades', (rows) => {
      rows.find((r) => r[0] === 'T001')![rows[0]!.indexOf('ccp')] = 'LCH';
    });
    const later = await validateInputs({ portfolioDir: dir });
    expect(at(later.warnings, 'ccp')).toEqual([
      "trades.csv row 1 column ccp: LCH: expected blank for a bilateral trade (cleared false, or its netting set's): the CCP is ignored; set cleared true if the trade is cleared",
    ]);
    expect(at(later.warnings, 'maturity_date')).toEqual([
      'trades.csv row 6 column maturity_date: 2300-03-31: expected a date within 100 years of the as-of date 2026-06-30 (a typo such as 2300 for 2030? the simulation\'s default grid runs to the book\'s last maturity)',
    ]);
  });

  it('a curve pillar typed in percent, or 10000 years out, is a warning naming the curve and the pillar', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    let text = fs.readFileSync(file, 'utf8');
    const eur10y = '        - { tenor: 10Y, zeroRate: 0.0255 }\n        - { tenor: 30Y, zeroRate: 0.0270 }';
    const sofr1y = '{ tenor: 1Y, zeroRate: 0.0412 }';
    expect(text).toContain(eur10y);
    expect(text).toContain(sofr1y);
    const basis = '{ tenor: 5Y, spreadBp: -12 }, { tenor: 30Y, spreadBp: -8 }';
    expect(text).toContain(basis);
    text = text.replace(eur10y, '        - { tenor: 10Y, zeroRate: 0.0255 }\n        - { tenor: 30Y, zeroRate: 0.0270 }\n        - { tenor: 10000Y, zeroRate: 0.0270 }').replace(sofr1y, '{ tenor: 1Y, zeroRate: 4.12 }');
    // and a basis typed in percent points times 100 twice over (-1200 for -12bp): the loader takes up to 100,000bp
    text = text.replace(basis, '{ tenor: 5Y, spreadBp: -12 }, { tenor: 30Y, spreadBp: -1200 }');
    fs.writeFileSync(file, text);
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.warnings.filter((w) => w.column?.startsWith('curves.')).map(formatIssue)).toEqual([
      'market.yaml column curves.discount.EUR (pillar at 10006.64 years): 10006.64: expected a pillar within 100 years of the as-of date (a typo such as 10000Y?)',
      'market.yaml column curves.projection.USD-SOFR (pillar 1Y): 4.12: expected a zero rate in decimals (0.041 = 4.1%) at most 0.5 in size: 4.12 is 412%',
      'market.yaml column curves.xccyBasis.EUR (pillar 30Y): -1200: expected a basis spread in bp at most 1,000bp in size (-25 for -25bp): -1200bp is -12%',
    ]);
  });

  it('a CDS curve typed in decimals or percent is a warning at its widest pillar, in validate and on a run; one sub-bp pillar is not', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    const acme = 'pillars: [ { tenor: 1Y, spreadBp: 80 }, { tenor: 5Y, spreadBp: 120 }, { tenor: 10Y, spreadBp: 140 } ]';
    const sovereign = 'pillars: [ { tenor: 1Y, spreadBp: 15 }, { tenor: 5Y, spreadBp: 30 } ] }';
    const own = 'pillars: [ { tenor: 1Y, spreadBp: 50 }, { tenor: 5Y, spreadBp: 85 } ]';
    let text = fs.readFileSync(file, 'utf8');
    for (const s of [acme, sovereign, own]) expect(text).toContain(s);
    text = text
      .replace(acme, 'pillars: [ { tenor: 1Y, spreadBp: 0.008 }, { tenor: 5Y, spreadBp: 0.012 }, { tenor: 10Y, spreadBp: 0.014 } ]')
      .replace(sovereign, 'pillars: [ { tenor: 1Y, spreadBp: 0.15 }, { tenor: 5Y, spreadBp: 0.3 } ] }')
      // a short pillar under 1bp on a curve quoted in bp elsewhere: plausible, no warning
      .replace(own, 'pillars: [ { tenor: 1Y, spreadBp: 0.5 }, { tenor: 5Y, spreadBp: 85 } ]');
    fs.writeFileSync(file, text);
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    const expected = [
      'market.yaml row 94 column credit.names.ACME_CORP.pillars[2].spreadBp: 0.014: expected a CDS par spread in bp (53.5 for 53.5bp): every pillar of this curve is below 1bp, which no traded CDS curve quotes; in decimals 0.014 would be 140bp, in percent 1.4bp',
      'market.yaml row 105 column credit.proxies[1].pillars[1].spreadBp: 0.3: expected a CDS par spread in bp (53.5 for 53.5bp): every pillar of this curve is below 1bp, which no traded CDS curve quotes; in decimals 0.3 would be 3,000bp, in percent 30bp',
    ];
    expect(result.warnings.filter((w) => w.column?.startsWith('credit.')).map(formatIssue)).toEqual(expected);
    // the curve still loads as given (a warning, not a refusal): its hazard is the bootstrap's of 0.014bp
    expect(loadMarket(file).creditCurve('ACME_CORP').quoteSpreadsBp![2]).toBe(0.014);
    // a run says so on stderr before its results
    const run = await xvaInProcess(['cva', '--portfolio', dir, '--paths', '32', '--threads', '1', '--out', path.join(tempDir(), 'out')]);
    expect(run.status).toBe(0);
    for (const line of expected) expect(run.stderr).toContain(`warning: ${line}`);
  });

  it('funding spreads in decimals or far too wide, and a dividend yield in percent, are warnings on their cells; a funding spread past 100,000bp an error', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    const usd = 'USD: { borrowSpreadBp: 60, lendSpreadBp: 20, collateralSpreadBp: 0 }';
    const eur = 'EUR: { borrowSpreadBp: 55, lendSpreadBp: 15 }';
    const spx = 'SPX: { currency: USD, spot: 5200, dividendYield: 0.014, vol: 0.18 }';
    let text = fs.readFileSync(file, 'utf8');
    for (const s of [usd, eur, spx]) expect(text).toContain(s);
    text = text
      .replace(usd, 'USD: { borrowSpreadBp: 0.006, lendSpreadBp: 20, collateralSpreadBp: 0 }')
      .replace(eur, 'EUR: { borrowSpreadBp: 5500, lendSpreadBp: 15 }')
      .replace(spx, 'SPX: { currency: USD, spot: 5200, dividendYield: 1.4, vol: 0.18 }');
    fs.writeFileSync(file, text);
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    const of = (prefix: string) => result.warnings.filter((w) => w.column?.startsWith(prefix)).map(formatIssue);
    expect(of('funding.')).toEqual([
      'market.yaml row 112 column funding.USD.borrowSpreadBp: 0.006: expected a funding spread in bp (60 for 60bp): in decimals 0.006 would be 60bp',
      'market.yaml row 113 column funding.EUR.borrowSpreadBp: 5500: expected a funding spread in bp at most 1,000bp in size (60 for 60bp): 5500bp is 55%',
    ]);
    expect(of('equities.')).toEqual(['market.yaml row 85 column equities.SPX.dividendYield: 1.4: expected a dividend yield in decimals (0.02 = 2%) at most 0.5 in size: 1.4 is 140%']);
    // 0 is a spread (the lend and collateral spreads often are), and past 100,000bp no spread is: an error
    fs.writeFileSync(file, text.replace('borrowSpreadBp: 5500', 'borrowSpreadBp: 1e9'));
    const broken = await validateInputs({ portfolioDir: dir });
    expect(broken.issues.map(formatIssue)).toEqual(['market.yaml row 113 column funding.EUR.borrowSpreadBp: 1e9: expected a spread in bp at most 100,000bp in size']);
  });

  it('a swaption vol typed in bp: simulate warns on the quote first, then refuses the swaption naming both market sections, in full', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    const quote = '{ expiry: 1Y, tenor: 5Y, vol: 0.0095 }';
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(quote);
    fs.writeFileSync(file, text.replace(quote, '{ expiry: 1Y, tenor: 5Y, vol: 95 }'));
    const run = await xvaInProcess(['simulate', '--portfolio', dir, '--paths', '32', '--threads', '1', '--out', path.join(tempDir(), 'out')]);
    expect(run.status).toBe(2);
    const lines = run.stderr.split('\n');
    expect(lines[0]).toBe('warning: market.yaml column rates.USD.swaptionVols (expiry 1Y, tenor 5Y): 95: expected a normal vol in decimals per year (0.008 = 80bp) at most 0.05: 95 is 950000bp a year');
    // the reason in `expected`, never cut: the trade, the price no variance reaches, and both sections to look at
    expect(run.stderr).toMatch(/trades\.csv row \d+ column product: SWAPTION: expected a trade the exposure engine can value: trade T0\d\d: no LGM variance reproduces the swaption's price [\d.e+]+ under the USD Hull-White mean reversion 0\.03 \(rates\.USD\.hullWhite and rates\.USD\.swaptionVols of the market file: are the mean reversion and the vols right\?\) \(or run with --skip-unsupported to leave it out\)/);
    expect(run.stderr).not.toContain('characters in all');
  });

  it('a trade today\'s pricers value but the simulation refuses is a warning (a cash-settled swaption expiring today)', async () => {
    const dir = smallCopy();
    let at = -1;
    editTable(dir, 'trades', (rows) => {
      at = rows.findIndex((r) => r[0] === 'T014');
      expect(rows[at]!.slice(25, 27)).toEqual(['2028-06-30', 'cash']);
      rows[at]![25] = '2026-06-30'; // the as-of date of the small market
    });
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.warnings.filter((w) => w.column === 'product').map(formatIssue)).toEqual([
      `trades.csv row ${at} column product: SWAPTION: expected a trade the simulation can value: trade T014: a cash-settled swaption expiring on the as-of date is not supported on paths (it settles today); xva simulate, cva, fva and optimize refuse it (--skip-unsupported leaves it out), margin and capital --no-kva take it`,
    ]);
    expect((await validateInputs({ portfolioDir: SMALL })).warnings.filter((w) => w.column === 'product')).toEqual([]);
  });

  it('warnings beyond --max-issues are counted and said; a file given as --market is cut in the message', async () => {
    const dir = smallCopy();
    // every fixed rate of the book typed as a percentage: a warning each
    editTable(dir, 'trades', (rows) => {
      const c = rows[0]!.indexOf('fixed_rate');
      for (const r of rows.slice(1)) if (r[c] !== '') r[c] = String(Number(r[c]) * 100);
    });
    const base = await validateInputs({ portfolioDir: dir });
    expect(base.warnings.length).toBeGreaterThanOrEqual(5);
    const few = await validateInputs({ portfolioDir: dir, maxIssues: 2 });
    expect(few.warnings.length).toBe(2);
    expect(few.warningsTruncated).toBe(base.warnings.length - 2);
    const run = await xvaInProcess(['validate', '--portfolio', dir, '--max-issues', '2']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`warning: ... and ${base.warnings.length - 2} more warnings (raise --max-issues to list them)`);
    expect(run.stdout).toContain(`OK: no errors, ${base.warnings.length} warning(s)`);

    const wrong = await xvaInProcess(['validate', '--portfolio', dir, '--market', path.join(dir, 'trades.csv')]);
    expect(wrong.status).toBe(2);
    const line = wrong.stderr.split('\n').find((l) => l.includes('trades.csv'))!;
    expect(line.length).toBeLessThan(600);
    expect(line).toMatch(/\.\.\. \(\d+ characters in all\)/);
  });
});
