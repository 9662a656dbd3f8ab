import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { XvaInputError, type InputIssue } from '../src/errors.js';
import { loadMarket, marketFromTree, marketSource, parseMarket } from '../src/market/load.js';
import { fxBumpedMarket } from '../src/market/bumps.js';
import { correlationOf } from '../src/market/market.js';
import { bootstrapCdsCurve } from '../src/market/cdsIsda.js';
import { hazardCurveSpec } from '../src/market/hazard.js';
import { parseTenor } from '../src/conventions/dates.js';
import { marketIssues } from './helpers/marketView.js';

const GOOD = fileURLToPath(new URL('./data/market/good.yaml', import.meta.url));

/** Years ACT/365F between two calendar dates, computed independently of the library's date code. */
function years(from: [number, number, number], to: [number, number, number]): number {
  return (Date.UTC(to[0], to[1] - 1, to[2]) - Date.UTC(from[0], from[1] - 1, from[2])) / 86_400_000 / 365;
}
const AS_OF: [number, number, number] = [2026, 6, 30];

/** A minimal valid market; the bad files below change one thing each. */
const BASE = `asOf: 2026-06-30
baseCurrency: USD
curves:
  discount:
    USD: { pillars: [ { tenor: 1Y, zeroRate: 0.04 }, { tenor: 5Y, zeroRate: 0.038 } ] }
    EUR: { pillars: [ { tenor: 1Y, zeroRate: 0.02 }, { tenor: 5Y, zeroRate: 0.022 } ] }
fx:
  spots: { EURUSD: 1.085 }
`;

const issuesOf = marketIssues;

/** Asserts that exactly one issue sits at `column` and that it says what it should. */
function expectIssue(issues: InputIssue[], column: string | undefined, value: string | undefined, expected: RegExp): InputIssue {
  const at = issues.filter((i) => i.column === column);
  expect(at, `issues at ${column}: ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  const issue = at[0]!;
  expect(issue.file).toBe('market.yaml');
  expect(issue.value).toBe(value);
  expect(issue.expected).toMatch(expected);
  return issue;
}

describe('market loader: the minimal market is valid', () => {
  it('loads the base file used by the bad cases', () => {
    const m = parseMarket(BASE, 'market.yaml');
    expect(m.currencies).toEqual(['USD', 'EUR']);
    expect(m.fxSpot('USD', 'EUR')).toBeCloseTo(1 / 1.085, 15);
  });
});

describe('market loader: every rule, with its message', () => {
  it('YAML syntax errors carry line and column', () => {
    const issues = issuesOf('asOf: 2026-06-30\nbaseCurrency: USD\ncurves: discount: USD\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.expected).toBe('valid YAML');
    expect(issues[0]!.row).toBe(3);
    expect(issues[0]!.value).toMatch(/at line 3, column \d+$/);
  });

  it('a cross quoted beside the chain it closes must agree with it (a triangle that did not close loaded silently)', () => {
    const triangle = (eurgbp: number) =>
      BASE.replace('    EUR: { pillars', '    GBP: { pillars: [ { tenor: 1Y, zeroRate: 0.04 } ] }\n    EUR: { pillars').replace('spots: { EURUSD: 1.085 }', `spots: { EURUSD: 1.085, GBPUSD: 1.27, EURGBP: ${eurgbp} }`);
    // 1.085 / 1.27 = 0.854331…: an agreeing cross loads, a disagreeing one is named with the implied rate
    expect(() => parseMarket(triangle(1.085 / 1.27), 'market.yaml')).not.toThrow();
    expectIssue(issuesOf(triangle(0.95)), 'fx.spots.EURGBP', '0.95', /a rate consistent with the other quotes, which imply 0\.854331 for EURGBP through USD/);
  });

  it('FX fixings given in both directions on one date must be each other\'s inverse (a reset read whichever it asked)', () => {
    const fixings = (usdEur: number) => `${BASE}fixings:\n  FX-EUR-USD:\n    - { date: 2026-03-31, rate: 1.08 }\n  FX-USD-EUR:\n    - { date: 2026-03-31, rate: ${usdEur} }\n`;
    expect(() => parseMarket(fixings(1 / 1.08), 'market.yaml')).not.toThrow();
    expectIssue(issuesOf(fixings(0.8)), 'fixings.FX-USD-EUR', '2026-03-31: 0.8', /the inverse of FX-EUR-USD's 1\.08 on that date \(0\.925926\), or one direction only/);
  });

  it('duplicate keys are YAML errors', () => {
    const issues = issuesOf(`${BASE}fx:\n  spots: { EURUSD: 1.1 }\n`);
    expect(issues[0]!.expected).toBe('valid YAML');
    expect(issues[0]!.value).toMatch(/unique/i);
    expect(issues[0]!.row).toBe(9);
  });

  it('an unknown top-level key is named, with a hint for a typo', () => {
    const issue = expectIssue(issuesOf(`${BASE}fundin:\n  USD: { borrowSpreadBp: 1, lendSpreadBp: 1 }\n`), 'fundin', 'unknown key fundin', /did you mean funding\?/);
    expect(issue.row).toBe(9);
    expect(issue.expected).toMatch(/top-level sections asOf, baseCurrency, curves/);
  });

  it('unknown keys deeper down are named too', () => {
    const text = BASE.replace('{ tenor: 5Y, zeroRate: 0.038 }', '{ tenor: 5Y, zerorate: 0.038 }');
    const issues = issuesOf(text);
    expectIssue(issues, 'curves.discount.USD.pillars[1].zerorate', 'unknown key zerorate', /did you mean zeroRate\?/);
    expectIssue(issues, 'curves.discount.USD.pillars[1].zeroRate', undefined, /a zeroRate .* or a discountFactor/);
  });

  it('asOf must be a real date, and present', () => {
    expectIssue(issuesOf(BASE.replace('2026-06-30', '2026-02-30')), 'asOf', '2026-02-30', /an ISO date YYYY-MM-DD/);
    expectIssue(issuesOf(BASE.replace('asOf: 2026-06-30\n', '')), 'asOf', undefined, /valuation date/);
  });

  it('currencies must be known', () => {
    expectIssue(issuesOf(BASE.replace('baseCurrency: USD', 'baseCurrency: USX')), 'baseCurrency', 'USX', /one of USD, EUR, GBP/);
    const issues = issuesOf(BASE.replace('    EUR: {', '    EUX: {'));
    expectIssue(issues, 'curves.discount.EUX', 'EUX', /a currency code, one of USD/);
  });

  it('the base currency needs a discount curve', () => {
    const m = parseMarket(BASE.replace('baseCurrency: USD', 'baseCurrency: EUR'), 'market.yaml');
    expect(m.baseCurrency).toBe('EUR');
    const text = BASE.replace('baseCurrency: USD', 'baseCurrency: GBP');
    expectIssue(issuesOf(text), 'curves.discount.GBP', undefined, /a discount curve for the base currency GBP/);
  });

  it('pillars must be strictly increasing', () => {
    const text = BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }, { tenor: 5Y', '{ tenor: 5Y, zeroRate: 0.04 }, { tenor: 1Y');
    const issue = expectIssue(issuesOf(text), 'curves.discount.USD.pillars[1].tenor', '1Y', /after the previous one \(5Y\).*strictly increasing/);
    expect(issue.row).toBe(5);
    // Equal times are not increasing either (a tenor and the same date).
    const same = BASE.replace('{ tenor: 5Y, zeroRate: 0.038 }', '{ date: 2027-06-30, zeroRate: 0.038 }');
    expectIssue(issuesOf(same), 'curves.discount.USD.pillars[1].date', '2027-06-30', /after the previous one \(1Y\)/);
  });

  it('discount factors must be positive; zero rates finite (.nan/.inf rejected)', () => {
    const df = BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, discountFactor: 0 }');
    expectIssue(issuesOf(df), 'curves.discount.USD.pillars[0].discountFactor', '0', /a positive discount factor/);
    const nan = BASE.replace('zeroRate: 0.04 }', 'zeroRate: .nan }');
    expectIssue(issuesOf(nan), 'curves.discount.USD.pillars[0].zeroRate', '.nan', /a zero rate \(decimal, continuously compounded\) at most 10/);
    const both = BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, zeroRate: 0.04, discountFactor: 0.96 }');
    expectIssue(issuesOf(both), 'curves.discount.USD.pillars[0].discountFactor', '0.96', /either zeroRate or discountFactor/);
    const text = BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, zeroRate: "4%" }');
    expectIssue(issuesOf(text), 'curves.discount.USD.pillars[0].zeroRate', '4%', /a zero rate \(decimal, continuously compounded\) at most 10/);
  });

  it('tenors and dates must be well formed, dates after asOf', () => {
    expectIssue(issuesOf(BASE.replace('tenor: 1Y, zeroRate: 0.04', 'tenor: 1X, zeroRate: 0.04')), 'curves.discount.USD.pillars[0].tenor', '1X', /a tenor such as 1W, 3M or 10Y/);
    const past = BASE.replace('tenor: 1Y, zeroRate: 0.04', 'date: 2026-06-30, zeroRate: 0.04');
    expectIssue(issuesOf(past), 'curves.discount.USD.pillars[0].date', '2026-06-30', /a date after asOf 2026-06-30/);
    const both = BASE.replace('tenor: 1Y, zeroRate: 0.04', 'tenor: 1Y, date: 2027-01-04, zeroRate: 0.04');
    expectIssue(issuesOf(both), 'curves.discount.USD.pillars[0].date', '2027-01-04', /either tenor or date/);
    const empty = BASE.replace('{ pillars: [ { tenor: 1Y, zeroRate: 0.02 }, { tenor: 5Y, zeroRate: 0.022 } ] }', '{ pillars: [] }');
    expectIssue(issuesOf(empty), 'curves.discount.EUR.pillars', 'an empty list', /a non-empty list of pillars/);
  });

  it('interpolation must be logLinear or monotoneConvex', () => {
    const text = BASE.replace('curves:\n', 'curves:\n  interpolation: cubic\n');
    expectIssue(issuesOf(text), 'curves.interpolation', 'cubic', /one of logLinear, monotoneConvex/);
  });

  it('projection indices are named after their currency', () => {
    const text = `${BASE.replace('fx:', '  projection:\n    SOFR: { pillars: [ { tenor: 1Y, zeroRate: 0.04 } ] }\nfx:')}`;
    expectIssue(issuesOf(text), 'curves.projection.SOFR', 'SOFR', /named after its currency, e.g. USD-SOFR/);
  });

  it('cross-currency basis: against a different currency that has a curve', () => {
    const same = BASE.replace('fx:', '  xccyBasis:\n    EUR: { against: EUR, pillars: [ { tenor: 5Y, spreadBp: -10 } ] }\nfx:');
    expectIssue(issuesOf(same), 'curves.xccyBasis.EUR.against', 'EUR', /a collateral currency other than EUR/);
    const noCurve = BASE.replace('fx:', '  xccyBasis:\n    EUR: { against: GBP, pillars: [ { tenor: 5Y, spreadBp: -10 } ] }\nfx:');
    expectIssue(issuesOf(noCurve), 'curves.xccyBasis.EUR.against', 'GBP', /a currency with a discount curve/);
  });

  it('FX pairs are CCY1CCY2 of known, different currencies, with positive finite spots', () => {
    const issues = issuesOf(BASE.replace('{ EURUSD: 1.085 }', '{ EURUSD: 1.085, EURUSX: 1.2, USDUSD: 1, GBPUSD: .inf, USDEUR: 0.92 }'));
    expectIssue(issues, 'fx.spots.EURUSX', 'EURUSX', /an FX pair CCY1CCY2 of two different known currencies/);
    expectIssue(issues, 'fx.spots.USDUSD', 'USDUSD', /two different known currencies/);
    expectIssue(issues, 'fx.spots.GBPUSD', '.inf', /a positive spot rate \(units of USD per GBP\)/);
    expectIssue(issues, 'fx.spots.USDEUR', 'USDEUR', /one quote per pair: EURUSD is also given/);
  });

  it('values beyond any market are refused on their cell: rates past 10, spreads past 100,000bp, spots past 1e9', () => {
    // The fuzz audit's cases (session 30): each was accepted and overflowed the engine's sums far from its cell.
    const spot = issuesOf(BASE.replace('{ EURUSD: 1.085 }', '{ EURUSD: 1e308 }'));
    // The value is echoed as written in the file (not the parser's 1e+308).
    expectIssue(spot, 'fx.spots.EURUSD', '1e308', /a positive spot rate \(units of USD per EUR\) between 1e-9 and 1000000000/);
    const overflow = issuesOf(BASE.replace('{ EURUSD: 1.085 }', '{ EURUSD: 1e400 }'));
    expectIssue(overflow, 'fx.spots.EURUSD', '1e400', /a positive spot rate/);
    const written = issuesOf(BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, zeroRate: 50.000 }'));
    expectIssue(written, 'curves.discount.USD.pillars[0].zeroRate', '50.000', /at most 10 \(1,000%\) in size/);
    const tiny = issuesOf(BASE.replace('{ EURUSD: 1.085 }', '{ EURUSD: 1e-308 }'));
    expectIssue(tiny, 'fx.spots.EURUSD', '1e-308', /between 1e-9 and 1000000000/);
    const zero = issuesOf(BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, zeroRate: 50 }'));
    expectIssue(zero, 'curves.discount.USD.pillars[0].zeroRate', '50', /at most 10 \(1,000%\) in size/);
    const negative = issuesOf(BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, zeroRate: -10.5 }'));
    expectIssue(negative, 'curves.discount.USD.pillars[0].zeroRate', '-10.5', /at most 10 \(1,000%\) in size/);
    const df = issuesOf(BASE.replace('{ tenor: 1Y, zeroRate: 0.04 }', '{ tenor: 1Y, discountFactor: 1e-300 }'));
    expectIssue(df, 'curves.discount.USD.pillars[0].discountFactor', '1e-300', /a discount factor whose zero rate is at most 10 \(1,000%\) in size: it gives 690\.[0-9]/);
    const basis = issuesOf(BASE.replace('fx:', '  xccyBasis:\n    EUR: { against: USD, pillars: [ { tenor: 5Y, spreadBp: 1e6 } ] }\nfx:'));
    expectIssue(basis, 'curves.xccyBasis.EUR.pillars[0].spreadBp', '1e6', /a basis spread in bp at most 100,000bp in size/);
    // A wide basis within the bound loads (a warning of xva validate, test/bad-input-model.test.ts).
    const wide = parseMarket(BASE.replace('fx:', '  xccyBasis:\n    EUR: { against: USD, pillars: [ { tenor: 5Y, spreadBp: -99999 } ] }\nfx:'), 'market.yaml');
    expect(wide.collateralDiscountCurve('EUR', 'USD').discount(1) / wide.discountCurve('EUR').discount(1)).toBeCloseTo(Math.exp(9.9999), 6);
    // (vols typed in percent are warnings of xva validate, test/bad-input-model.test.ts: they do not overflow)
    const equity = issuesOf(`${BASE}equities:\n  SPX: { currency: USD, spot: 2e9, dividendYield: 11, vol: 0.2 }\n`);
    expectIssue(equity, 'equities.SPX.spot', '2e9', /a positive spot price at most 1000000000/);
    expectIssue(equity, 'equities.SPX.dividendYield', '11', /at most 10 \(1,000%\) in size/);
    const cds = issuesOf(`${BASE}credit:\n  names:\n    ACME: { pillars: [ { tenor: 1Y, spreadBp: 2e5 } ] }\n`);
    expectIssue(cds, 'credit.names.ACME.pillars[0].spreadBp', '2e5', /a CDS par spread > 0 in bp \(the ISDA bootstrap needs a positive spread\), at most 100,000bp/);
  });

  it('every FX pair and every curve currency reaches the base currency', () => {
    const text = BASE.replace('{ EURUSD: 1.085 }', '{ EURUSD: 1.085, GBPJPY: 190.0 }');
    expectIssue(issuesOf(text), 'fx.spots.GBPJPY', 'GBPJPY', /linked to the base currency USD: no chain of quotes reaches GBP or JPY/);
    const noFx = BASE.replace('{ EURUSD: 1.085 }', '{}');
    expectIssue(issuesOf(noFx), 'curves.discount.EUR', 'EUR', /an FX spot against the base currency \(fx.spots.EURUSD or USDEUR/);
  });

  it('FX vols: positive, and a term structure whose total variance does not fall', () => {
    const zero = `${BASE}  vols: { EURUSD: { vol: 0 } }\n`;
    expectIssue(issuesOf(zero), 'fx.vols.EURUSD.vol', '0', /a volatility > 0/);
    const falling = `${BASE}  vols: { EURUSD: { pillars: [ { tenor: 1Y, vol: 0.20 }, { tenor: 2Y, vol: 0.12 } ] } }\n`;
    expectIssue(issuesOf(falling), 'fx.vols.EURUSD.pillars[1].vol', '0.12', /total variance .* calendar arbitrage/);
    const noSpot = `${BASE}  vols: { GBPUSD: { vol: 0.1 } }\n`;
    expectIssue(issuesOf(noSpot), 'fx.vols.GBPUSD', 'GBPUSD', /currencies have FX spots \(none for GBP\)/);
  });

  it('Hull-White: finite mean reversion, positive sigmas, increasing steps, only the last open-ended', () => {
    const text = `${BASE}rates:
  USD:
    hullWhite:
      meanReversion: .nan
      sigma: [ { until: 5Y, vol: 0.01 }, { until: 2Y, vol: -0.01 }, { vol: 0.008 } ]
  EUR:
    hullWhite: { meanReversion: 0.02, sigma: [ { vol: 0.01 }, { until: 5Y, vol: 0.009 } ] }
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'rates.USD.hullWhite.meanReversion', '.nan', /a mean reversion per year in \[-0.5, 1\]/);
    expectIssue(issues, 'rates.USD.hullWhite.sigma[1].until', '2Y', /after the previous one \(5Y\)/);
    expectIssue(issues, 'rates.USD.hullWhite.sigma[1].vol', '-0.01', /a short-rate volatility > 0/);
    expectIssue(issues, 'rates.EUR.hullWhite.sigma[0].until', undefined, /only the last step may omit until/);
  });

  it('rates need a currency with a discount curve; swaption vols a known type and unique quotes', () => {
    const text = `${BASE}rates:
  GBP: { hullWhite: { meanReversion: 0.02, sigma: 0.01 } }
  EUR:
    swaptionVols:
      type: lognormal
      quotes: [ { expiry: 1Y, tenor: 5Y, vol: 0.008 }, { expiry: 1Y, tenor: 5Y, vol: 0.0081 }, { expiry: 12M, tenor: 60M, vol: 0.0095 } ]
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'rates.GBP', 'GBP', /a currency with a discount curve/);
    expectIssue(issues, 'rates.EUR.swaptionVols.type', 'lognormal', /one of normal, black/);
    expectIssue(issues, 'rates.EUR.swaptionVols.quotes[1]', '1Yx5Y', /one quote per expiry and tenor/);
    // the same point spelled in months (it was taken as a second quote: calibration and pricing read different vols)
    expectIssue(issues, 'rates.EUR.swaptionVols.quotes[2]', '12Mx60M', /one quote per expiry and tenor \(12Mx60M is the same point as quotes\[0\]\)/);
  });

  it('equities: a curve currency, positive spot, a dividend yield, one kind of vol', () => {
    const text = `${BASE}equities:
  NIKKEI: { currency: JPY, spot: -1, vol: 0.2, pillars: [ { tenor: 1Y, vol: 0.2 } ] }
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'equities.NIKKEI.currency', 'JPY', /a currency with a discount curve/);
    expectIssue(issues, 'equities.NIKKEI.spot', '-1', /a positive spot price/);
    expectIssue(issues, 'equities.NIKKEI.dividendYield', undefined, /a dividend yield \(decimal, continuous\) at most 10/);
    expectIssue(issues, 'equities.NIKKEI.pillars', 'a list of 1', /either a flat vol or pillars, not both/);
  });

  it('credit: recoveries in [0, 1), spreads >= 0, tenors only, known sector/rating/region, unique proxies', () => {
    const text = `${BASE}credit:
  defaultRecovery: 1.0
  names:
    ACME: { recovery: 1.2, pillars: [ { tenor: 1Y, spreadBp: -5 }, { date: 2031-06-20, spreadBp: 120 } ] }
    BETA: { currency: GBP, pillars: [ { tenor: 1Y, spreadBp: 50 } ] }
  proxies:
    - { sector: banks, rating: A, pillars: [ { tenor: 1Y, spreadBp: 60 } ] }
    - { sector: financial, rating: A+, region: mars, pillars: [ { tenor: 1Y, spreadBp: 60 } ] }
    - { sector: consumer, rating: BBB, pillars: [ { tenor: 1Y, spreadBp: 60 } ] }
    - { sector: consumer, rating: BBB, pillars: [ { tenor: 1Y, spreadBp: 70 } ] }
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'credit.defaultRecovery', '1.0', /a recovery rate in \[0, 1\)/);
    expectIssue(issues, 'credit.names.ACME.recovery', '1.2', /a recovery rate in \[0, 1\)/);
    expectIssue(issues, 'credit.names.ACME.pillars[0].spreadBp', '-5', /a CDS par spread > 0 in bp/);
    expectIssue(issues, 'credit.names.ACME.pillars[1].date', 'unknown key date', /one of the pillar keys tenor, spreadBp/);
    expectIssue(issues, 'credit.names.BETA.currency', 'GBP', /a currency with a discount curve/);
    expectIssue(issues, 'credit.proxies[0].sector', 'banks', /a sector, one of sovereign/);
    expectIssue(issues, 'credit.proxies[1].rating', 'A+', /a rating, one of AAA, AA, A, BBB/);
    expectIssue(issues, 'credit.proxies[1].region', 'mars', /a region, one of north_america/);
    expectIssue(issues, 'credit.proxies[3]', 'consumer-BBB', /one proxy per sector, rating and region .*credit.proxies\[2\]/);
  });

  it('a CDS curve the ISDA bootstrap rejects is reported at the quote it names', () => {
    const text = `${BASE}credit:\n  names:\n    ZERO: { pillars: [ { tenor: 1Y, spreadBp: 0 }, { tenor: 5Y, spreadBp: 100 } ] }\n`;
    const issue = expectIssue(issuesOf(text), 'credit.names.ZERO.pillars[0].spreadBp', '0', /positive spread/);
    expect(issue.row).toBe(11);
  });

  it('funding spreads are required numbers; capital ratios in range', () => {
    const text = `${BASE}funding:
  USD: { lendSpreadBp: 10 }
capital: { costOfCapital: 0.1, capitalRatio: 0, bankRwa: -5 }
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'funding.USD.borrowSpreadBp', undefined, /a spread in bp at most 100,000bp in size/);
    expectIssue(issues, 'capital.capitalRatio', '0', /a capital ratio in \(0, 1\]/);
    expectIssue(issues, 'capital.bankRwa', '-5', /a positive amount/);
  });

  it('correlation: factors well formed, unique and known', () => {
    const text = `${BASE}correlation:
  factors: [ IR:USD, XX:USD, IR:GBP, FX:USDEUR, EQ:SPX, CR:NOBODY, IR:USD ]
  matrix: [ [1] ]
`;
    const issues = issuesOf(text);
    expectIssue(issues, 'correlation.factors[1]', 'XX:USD', /a factor IR:<CCY>, FX:<CCY><BASE>, EQ:<equity> or CR:<credit name>/);
    expectIssue(issues, 'correlation.factors[2]', 'IR:GBP', /a currency with a discount curve/);
    expectIssue(issues, 'correlation.factors[3]', 'FX:USDEUR', /FX:<CCY>USD, a currency against the base currency/);
    expectIssue(issues, 'correlation.factors[4]', 'EQ:SPX', /an equity in the equities section/);
    expectIssue(issues, 'correlation.factors[5]', 'CR:NOBODY', /a credit.names entry/);
    expectIssue(issues, 'correlation.factors[6]', 'IR:USD', /unique factors \(IR:USD is also factors\[0\]\)/);
  });

  it('correlation: square, unit diagonal, entries in [-1, 1], symmetric', () => {
    const square = `${BASE}correlation:\n  factors: [ IR:USD, IR:EUR, FX:EURUSD ]\n  matrix: [ [1, 0.5, 0], [0.5, 1] , [0, 0, 1] ]\n`;
    expectIssue(issuesOf(square), 'correlation.matrix[1]', 'a list of 2', /a row of 3 numbers/);
    const rows = `${BASE}correlation:\n  factors: [ IR:USD, IR:EUR ]\n  matrix: [ [1, 0.5] ]\n`;
    expectIssue(issuesOf(rows), 'correlation.matrix', 'a list of 1', /2 rows, one per factor/);
    const entries = `${BASE}correlation:\n  factors: [ IR:USD, IR:EUR ]\n  matrix: [ [0.9, 1.5], [1.5, 1] ]\n`;
    const issues = issuesOf(entries);
    expectIssue(issues, 'correlation.matrix[0][0]', '0.9', /1 on the diagonal \(IR:USD with itself\)/);
    expectIssue(issues, 'correlation.matrix[0][1]', '1.5', /a correlation in \[-1, 1\] \(IR:USD with IR:EUR\)/);
    const asym = `${BASE}correlation:\n  factors: [ IR:USD, IR:EUR ]\n  matrix: [ [1, 0.5], [0.4, 1] ]\n`;
    expectIssue(issuesOf(asym), 'correlation.matrix[1][0]', '0.4', /0.5, the same as matrix\[0\]\[1\].*symmetric/);
  });

  it('correlation: not positive semi-definite names the inconsistent factors and the eigenvalue', () => {
    const text = `${BASE}credit:
  names:
    ACME: { pillars: [ { tenor: 5Y, spreadBp: 100 } ] }
correlation:
  factors: [ IR:USD, IR:EUR, FX:EURUSD, CR:ACME ]
  matrix:
    - [ 1.0,  0.9, 0.0, -0.9 ]
    - [ 0.9,  1.0, 0.0,  0.9 ]
    - [ 0.0,  0.0, 1.0,  0.0 ]
    - [ -0.9, 0.9, 0.0,  1.0 ]
`;
    // The block of IR:USD, IR:EUR, CR:ACME is 1 + 0.9 J with J's eigenvalues 1, 1, -2: smallest 1 - 1.8 = -0.8.
    const issue = expectIssue(
      issuesOf(text),
      'correlation.matrix',
      'smallest eigenvalue -0.800',
      /positive semi-definite correlation matrix: IR:USD, IR:EUR, CR:ACME are inconsistent together \(their 3x3 block has eigenvalue -0.800\)/,
    );
    expect(issue.row).toBe(14);
  });

  it('correlation: pairs form, and not both forms', () => {
    const pairs = `${BASE}correlation:\n  pairs: [ { a: IR:USD, b: IR:USD, rho: 0.5 }, { a: IR:USD, b: IR:EUR, rho: 1.2 } ]\n`;
    const issues = issuesOf(pairs);
    expectIssue(issues, 'correlation.pairs[0].b', 'IR:USD', /a factor other than a/);
    expectIssue(issues, 'correlation.pairs[1].rho', '1.2', /a correlation in \[-1, 1\]/);
    const both = `${BASE}correlation:\n  factors: [ IR:USD ]\n  matrix: [ [1] ]\n  pairs: [ { a: IR:USD, b: IR:EUR, rho: 0.2 } ]\n`;
    expectIssue(issuesOf(both), 'correlation.pairs', 'pairs with factors/matrix', /either factors and matrix, or pairs/);
    const dup = `${BASE}correlation:\n  pairs: [ { a: IR:USD, b: IR:EUR, rho: 0.2 }, { a: IR:EUR, b: IR:USD, rho: 0.3 } ]\n`;
    expectIssue(issuesOf(dup), 'correlation.pairs[1]', 'IR:EUR ~ IR:USD', /one entry per pair of factors/);
  });

  it('reports every problem of a file at once', () => {
    const text = BASE.replace('baseCurrency: USD', 'baseCurrency: USD\nextra: 1').replace('zeroRate: 0.038', 'zeroRate: .inf') +
      'funding:\n  EUR: { borrowSpreadBp: x, lendSpreadBp: 1 }\n';
    const issues = issuesOf(text);
    expect(issues.map((i) => i.column).sort()).toEqual(['curves.discount.USD.pillars[1].zeroRate', 'extra', 'funding.EUR.borrowSpreadBp']);
    // The thrown error's message lists them all, one line each.
    expect(() => parseMarket(text, 'market.yaml')).toThrow(/market.yaml row 3 column extra: unknown key extra/);
  });

  it('a missing file is an input error, not a stack trace', () => {
    expect(() => loadMarket('/nonexistent/market.yaml')).toThrow(XvaInputError);
    expect(() => loadMarket('/nonexistent/market.yaml')).toThrow(/not found: expected a readable market YAML file/);
  });
});

describe('market loader: the complete market (test/data/market/good.yaml)', () => {
  const m = loadMarket(GOOD);
  const t1 = years(AS_OF, [2027, 6, 30]);
  const t5 = years(AS_OF, [2031, 6, 30]);
  const t10 = years(AS_OF, [2036, 6, 30]);
  const t30 = years(AS_OF, [2056, 6, 30]);

  it('as-of, base, currencies and the clock', () => {
    expect(m.asOf).toBe(Date.UTC(2026, 5, 30) / 86_400_000);
    expect(m.baseCurrency).toBe('USD');
    expect(m.currencies).toEqual(['USD', 'EUR', 'GBP', 'JPY', 'CHF']);
    expect(m.time(m.asOf + 365)).toBe(1);
    expect(m.time(m.asOf + 730)).toBe(2);
  });

  it('discount factor pillars are reproduced (zero rate pillars and the discount-factor pillar)', () => {
    const usd = m.discountCurve('USD');
    // Tenors from asOf 2026-06-30 (no spot lag): 1Y = 2027-06-30, 5Y = 2031-06-30 (one leap day), 30Y = 2056-06-30.
    for (const [t, r] of [
      [t1, 0.041],
      [t5, 0.037],
      [t10, 0.038],
      [t30, 0.0395],
      [years(AS_OF, [2026, 7, 30]), 0.043],
      [years(AS_OF, [2026, 12, 30]), 0.0423],
    ] as const) {
      expect(Math.abs(usd.discount(t) - Math.exp(-r * t))).toBeLessThan(1e-14);
      expect(Math.abs(usd.zeroRate(t) - r)).toBeLessThan(1e-14);
    }
    // The pillar given as { date: 2046-06-29, discountFactor: 0.45 }: stored as r = -ln(0.45)/t, and back.
    const t20 = years(AS_OF, [2046, 6, 29]);
    expect(Math.abs(usd.zeroRate(t20) + Math.log(0.45) / t20)).toBeLessThan(1e-15);
    expect(Math.abs(usd.discount(t20) - 0.45)).toBeLessThan(1e-15);
    expect(usd.pillarTimes).toHaveLength(9);
    expect(usd.name).toBe('USD-OIS');
    // EUR is monotone convex (per-curve override), USD log-linear (the file default): between pillars they differ in
    // kind: USD's forward is flat on (5Y, 10Y], EUR's is not.
    const eur = m.discountCurve('EUR') as unknown as { interpolation: string };
    expect(eur.interpolation).toBe('monotoneConvex');
    expect(m.discountCurve('CHF').zeroRate(years(AS_OF, [2026, 7, 30]))).toBeCloseTo(-0.001, 15);
  });

  it('projection curves by index, with the currency from the index name', () => {
    for (const index of ['USD-SOFR', 'USD-LIBOR-3M', 'EUR-ESTR', 'EUR-EURIBOR-6M', 'GBP-SONIA', 'JPY-TONA', 'CHF-SARON']) {
      expect(m.hasProjectionCurve(index)).toBe(true);
      expect(m.projectionCurve(index).currency).toBe(index.slice(0, 3));
    }
    expect(Math.abs(m.projectionCurve('EUR-EURIBOR-6M').zeroRate(t5) - 0.0258)).toBeLessThan(1e-14);
    expect(m.hasProjectionCurve('USD-LIBOR-6M')).toBe(false);
    expect(() => m.projectionCurve('USD-LIBOR-6M')).toThrow(/no projection curve USD-LIBOR-6M; it has USD-SOFR, USD-LIBOR-3M/);
  });

  it('cross-currency basis: P_EUR,USD-CSA(t) = P_EUR(t) exp(-s(t) t), s(t) t linear between pillars', () => {
    const eur = m.discountCurve('EUR');
    const csa = m.collateralDiscountCurve('EUR', 'USD');
    expect(Math.abs(csa.discount(t5) - eur.discount(t5) * Math.exp(12e-4 * t5))).toBeLessThan(1e-15);
    // Before the first basis pillar the spread is flat at -12bp.
    expect(Math.abs(csa.discount(2) - eur.discount(2) * Math.exp(12e-4 * 2))).toBeLessThan(1e-15);
    // Between 5Y and 30Y: s(t) t interpolates linearly between -12bp * t5 and -8bp * t30.
    const st = -12e-4 * t5 + ((-8e-4 * t30 + 12e-4 * t5) * (t10 - t5)) / (t30 - t5);
    expect(Math.abs(csa.discount(t10) - eur.discount(t10) * Math.exp(-st))).toBeLessThan(1e-15);
    expect(m.collateralDiscountCurve('EUR', 'EUR')).toBe(eur);
    expect(m.collateralDiscountCurve('GBP', 'USD')).toBe(m.discountCurve('GBP'));
  });

  it('FX spots: quoted, inverse, and triangulated through USD (against the hand product)', () => {
    expect(m.fxSpot('EUR', 'USD')).toBe(1.085);
    expect(m.fxSpot('USD', 'EUR')).toBe(1 / 1.085);
    expect(m.fxSpot('JPY', 'JPY')).toBe(1);
    expect(Math.abs(m.fxSpot('EUR', 'JPY') - 1.085 * 152.3)).toBeLessThan(1e-12);
    expect(Math.abs(m.fxSpot('JPY', 'EUR') - 1 / (1.085 * 152.3))).toBeLessThan(1e-18);
    expect(Math.abs(m.fxSpot('GBP', 'CHF') - 1.27 * 0.89)).toBeLessThan(1e-15);
    expect(Math.abs(m.fxSpot('CHF', 'JPY') - 152.3 / 0.89)).toBeLessThan(1e-12);
    expect(Math.abs(m.fxSpot('EUR', 'GBP') - 1.085 / 1.27)).toBeLessThan(1e-15);
    expect(() => m.fxSpot('EUR', 'SEK')).toThrow(/no FX rate for SEK against USD/);
  });

  it('FX and equity vols: flat, and interpolated in total variance', () => {
    expect(m.fxVol('EUR', 'USD', 3)).toBe(0.075);
    expect(m.fxVol('USD', 'EUR', 3)).toBe(0.075);
    const w = (v1: number, v5: number, t: number): number => v1 * v1 * t1 + ((v5 * v5 * t5 - v1 * v1 * t1) * (t - t1)) / (t5 - t1);
    expect(Math.abs(m.fxVol('GBP', 'USD', 3) - Math.sqrt(w(0.085, 0.095, 3) / 3))).toBeLessThan(1e-15);
    expect(Math.abs(m.fxVol('JPY', 'USD', 2) - Math.sqrt(w(0.095, 0.105, 2) / 2))).toBeLessThan(1e-15);
    expect(m.fxVol('USD', 'JPY', 0.5)).toBe(0.095);
    expect(m.fxVol('USD', 'JPY', 8)).toBe(0.105);
    expect(() => m.fxVol('EUR', 'GBP', 1)).toThrow(/no FX vol for EURGBP/);
    expect(m.equityVol('SPX', 7)).toBe(0.18);
    expect(Math.abs(m.equityVol('SX5E', 4) - Math.sqrt(w(0.17, 0.19, 4) / 4))).toBeLessThan(1e-15);
    expect(m.equity('SX5E')).toMatchObject({ currency: 'EUR', spot: 4900, dividendYield: 0.03 });
    expect(m.hasEquity('DAX')).toBe(false);
    expect(() => m.equity('DAX')).toThrow(/no equity DAX; it has SPX, SX5E/);
  });

  it('Hull-White parameters as given; swaption vols stored', () => {
    const usd = m.hullWhite('USD')!;
    expect(usd.source).toBe('given');
    expect(usd.meanReversion).toBe(0.03);
    expect(Array.from(usd.sigmas)).toEqual([0.0095, 0.009, 0.0085]);
    expect(Array.from(usd.sigmaTimes)).toEqual([t1, t5, Number.POSITIVE_INFINITY]);
    expect(Array.from(m.hullWhite('EUR')!.sigmaTimes)).toEqual([Number.POSITIVE_INFINITY]);
    expect(Array.from(m.hullWhite('GBP')!.sigmaTimes)).toEqual([t10, Number.POSITIVE_INFINITY]);
    expect(m.hullWhite('JPY')).toBeUndefined();
    const vols = m.swaptionVols('EUR')!;
    expect(vols.type).toBe('normal');
    expect(vols.shift).toBe(0);
    expect(vols.quotes).toEqual([
      { expiryYears: t1, tenorYears: 9, vol: 0.008 },
      { expiryYears: t5, tenorYears: 5, vol: 0.0078 },
      { expiryYears: t10, tenorYears: 10, vol: 0.0072 },
    ]);
    expect(m.swaptionVols('USD')).toBeUndefined();
  });

  it('CDS curves bootstrapped against the OIS curve of their currency (base when not given)', () => {
    const tenors = (list: string[]) => list.map((x) => parseTenor(x)!);
    const acme = m.creditCurve('ACME_CORP');
    // Second method: bootstrap the same quotes directly against the USD curve; the loader must give the same curve.
    const direct = bootstrapCdsCurve({
      name: 'ACME_CORP', asOf: m.asOf, tenors: tenors(['1Y', '3Y', '5Y', '7Y', '10Y']),
      spreadsBp: [80, 100, 120, 130, 140], recovery: 0.4, discount: m.discountCurve('USD'),
      maturityRule: 'CDS2015', // as-of after 2015-12-20: semi-annual roll (ISDA 2015)
    });
    for (const t of [0.5, 2, 5, 12]) expect(acme.survival(t)).toBe(direct.survival(t));
    const beta = m.creditCurve('BETA_BANK');
    expect(beta.recovery).toBe(0.35);
    const betaEur = bootstrapCdsCurve({
      name: 'BETA_BANK', asOf: m.asOf, tenors: tenors(['1Y', '5Y', '10Y']), spreadsBp: [60, 95, 110], recovery: 0.35,
      discount: m.discountCurve('EUR'), maturityRule: 'CDS2015',
    });
    expect(beta.survival(7)).toBe(betaEur.survival(7));
    const gamma = m.creditCurve('GAMMA_AIR');
    expect(gamma.recovery).toBe(0.4); // credit.defaultRecovery
    const gammaUsd = bootstrapCdsCurve({
      name: 'GAMMA_AIR', asOf: m.asOf, tenors: tenors(['1Y', '5Y']), spreadsBp: [250, 320], recovery: 0.4,
      discount: m.discountCurve('USD'), maturityRule: 'CDS2015',
    });
    expect(gamma.survival(3)).toBe(gammaUsd.survival(3));
    expect(Array.from(acme.quoteSpreadsBp)).toEqual([80, 100, 120, 130, 140]);
    expect(m.hasCreditCurve('NOBODY')).toBe(false);
    expect(() => m.creditCurve('NOBODY')).toThrow(/no credit curve NOBODY; credit.names has ACME_CORP, BETA_BANK, GAMMA_AIR/);
    expect(m.ownCredit!.recovery).toBe(0.4);
    expect(Array.from(m.ownCredit!.quoteSpreadsBp)).toEqual([50, 85, 100]);
  });

  it('proxy lookup: most specific first, then sector + rating, else a clear error', () => {
    expect(m.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'europe' }).proxyName).toBe('financial-A-europe');
    expect(m.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'uk' }).proxyName).toBe('financial-A');
    expect(m.proxyCreditCurve({ sector: 'financial', rating: 'A' }).proxyName).toBe('financial-A');
    expect(m.proxyCreditCurve({ sector: 'consumer', rating: 'BBB', region: 'japan' }).proxyName).toBe('consumer-BBB');
    const sov = m.proxyCreditCurve({ sector: 'sovereign', rating: 'AA', region: 'north_america' });
    expect(sov.curve.recovery).toBe(0.25);
    expect(() => m.proxyCreditCurve({ sector: 'sovereign', rating: 'AA', region: 'europe' })).toThrow(
      /no credit proxy for sector sovereign, rating AA, region europe .* credit.proxies has financial-A-europe, financial-A, consumer-BBB, sovereign-AA-north_america/,
    );
    // The proxy's 5Y spread (95bp) is below the region-less one (100bp): its 5Y survival is higher.
    const eu = m.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'europe' }).curve;
    const any = m.proxyCreditCurve({ sector: 'financial', rating: 'A', region: 'uk' }).curve;
    expect(eu.survival(5)).toBeGreaterThan(any.survival(5));
  });

  it('funding (zero where not given), capital and correlation', () => {
    expect(m.funding('USD')).toEqual({ currency: 'USD', borrowSpreadBp: 60, lendSpreadBp: 20, collateralSpreadBp: 0 });
    expect(m.funding('EUR').collateralSpreadBp).toBe(0);
    expect(m.funding('JPY')).toEqual({ currency: 'JPY', borrowSpreadBp: 0, lendSpreadBp: 0, collateralSpreadBp: 0 });
    expect(m.capital).toEqual({ costOfCapital: 0.1, capitalRatio: 0.105, bankRwa: 250e9, bankCet1: 30e9 });
    expect(m.correlation.factors).toHaveLength(9);
    expect(correlationOf(m, 'IR:USD', 'IR:EUR')).toBe(0.6);
    expect(correlationOf(m, 'IR:EUR', 'IR:USD')).toBe(0.6);
    expect(correlationOf(m, 'EQ:SPX', 'CR:ACME_CORP')).toBe(-0.3);
    expect(correlationOf(m, 'IR:CHF', 'IR:CHF')).toBe(1);
    expect(correlationOf(m, 'IR:CHF', 'IR:USD')).toBe(0);
  });

  it('a market without capital or correlation: identity correlation, capital access says what is missing', () => {
    const bare = parseMarket(BASE, 'market.yaml');
    expect(bare.correlation.factors).toEqual([]);
    expect(correlationOf(bare, 'IR:USD', 'IR:EUR')).toBe(0);
    expect(bare.hasCapital).toBe(false);
    expect(() => bare.capital).toThrow(/no capital section/);
    expect(bare.ownCredit).toBeUndefined();
  });
});

describe('market loader: a worker thread’s copy (the YAML tree, CDS curves bootstrapped on first use)', () => {
  const eager = loadMarket(GOOD);
  const names = ['ACME_CORP', 'BETA_BANK', 'GAMMA_AIR'];
  const sameCurve = (a: ReturnType<typeof eager.creditCurve>, b: ReturnType<typeof eager.creditCurve>): void => {
    expect(b.name).toBe(a.name);
    expect(b.recovery).toBe(a.recovery);
    expect(Array.from(b.times)).toEqual(Array.from(a.times));
    expect(Array.from(b.hazards)).toEqual(Array.from(a.hazards));
    expect(Array.from(b.quoteTenorsYears)).toEqual(Array.from(a.quoteTenorsYears));
    expect(Array.from(b.quoteSpreadsBp)).toEqual(Array.from(a.quoteSpreadsBp));
    for (const t of [0, 0.3, 2, 7.5, 40]) expect(b.survival(t)).toBe(a.survival(t));
  };

  it('deferred curves are the eager bootstrap, bit for bit, names, proxies and own curve', () => {
    const deferred = loadMarket(GOOD, { deferCredit: true });
    for (const name of names) sameCurve(eager.creditCurve(name), deferred.creditCurve(name));
    const key = { sector: 'financial', rating: 'A', region: 'europe' } as const;
    sameCurve(eager.proxyCreditCurve(key).curve, deferred.proxyCreditCurve(key).curve);
    sameCurve(eager.ownCredit!, deferred.ownCredit!);
    expect(deferred.creditNames).toEqual(eager.creditNames);
  });

  it('the tree marketSource keeps reads back to the same market (structured-cloned, as a worker gets it)', () => {
    const source = marketSource(eager)!;
    expect(source.fileName).toBe('good.yaml');
    const copy = marketFromTree(structuredClone(source.tree), source.fileName, { deferCredit: true });
    expect(copy.asOf).toBe(eager.asOf);
    expect(copy.currencies).toEqual(eager.currencies);
    for (const ccy of eager.currencies) for (const t of [0.25, 3, 30]) expect(copy.discountCurve(ccy).discount(t)).toBe(eager.discountCurve(ccy).discount(t));
    expect(copy.fxSpot('EUR', 'JPY')).toBe(eager.fxSpot('EUR', 'JPY'));
    expect(copy.hullWhite('EUR')).toEqual(eager.hullWhite('EUR'));
    expect(Array.from(copy.correlation.matrix)).toEqual(Array.from(eager.correlation.matrix));
    for (const name of names) sameCurve(eager.creditCurve(name), copy.creditCurve(name));
    // a market built otherwise (here bumped) has no tree: its workers read the file, as before
    expect(marketSource(fxBumpedMarket(eager, 'EUR', 0.01))).toBeUndefined();
  });

  it('seeded curves (a worker gets its main thread\'s, WorkerInit.creditCurves) are taken where their quotes match, else bootstrapped', () => {
    // the main thread's curves as a worker receives them: the same curve, bit for bit
    const creditSeed = new Map(names.map((name) => [name, structuredClone(hazardCurveSpec(eager.creditCurve(name)))]));
    const seeded = loadMarket(GOOD, { deferCredit: true, creditSeed });
    for (const name of names) sameCurve(eager.creditCurve(name), seeded.creditCurve(name));
    // the seed is what the curve uses, not a bootstrap: a seed with the same quotes but marked hazards comes back as is
    const marked = { ...hazardCurveSpec(eager.creditCurve('ACME_CORP')), hazards: eager.creditCurve('ACME_CORP').hazards.map((h) => h * 2) };
    const taken = loadMarket(GOOD, { deferCredit: true, creditSeed: new Map([['ACME_CORP', marked]]) });
    expect(Array.from(taken.creditCurve('ACME_CORP').hazards)).toEqual(Array.from(marked.hazards));
    // a seed of other quotes (a bumped market's curve) or another recovery is ignored: the file's quotes are bootstrapped
    const bumped = { ...marked, quoteSpreadsBp: marked.quoteSpreadsBp!.map((q) => q + 100) };
    sameCurve(eager.creditCurve('ACME_CORP'), loadMarket(GOOD, { deferCredit: true, creditSeed: new Map([['ACME_CORP', bumped]]) }).creditCurve('ACME_CORP'));
    const otherRecovery = { ...marked, recovery: marked.recovery + 0.1 };
    sameCurve(eager.creditCurve('ACME_CORP'), loadMarket(GOOD, { deferCredit: true, creditSeed: new Map([['ACME_CORP', otherRecovery]]) }).creditCurve('ACME_CORP'));
    // filled after the load and before the first use (a worker started early loads the market before its init comes)
    const late = new Map<string, ReturnType<typeof hazardCurveSpec>>();
    const early = loadMarket(GOOD, { deferCredit: true, creditSeed: late });
    late.set('ACME_CORP', marked);
    expect(Array.from(early.creditCurve('ACME_CORP').hazards)).toEqual(Array.from(marked.hazards));
  });

  it('a deferred curve the ISDA bootstrap rejects throws the same input error at its first use', () => {
    // 5Y at 10bp after 1Y at 500bp would need a negative hazard rate (a zero spread is refused when the file is read)
    const text = `${BASE}credit:\n  names:\n    ZERO: { pillars: [ { tenor: 1Y, spreadBp: 500 }, { tenor: 5Y, spreadBp: 10 } ] }\n`;
    const deferred = parseMarket(text, 'market.yaml', { deferCredit: true });
    const curve = deferred.creditCurve('ZERO');
    expect(curve.recovery).toBe(0.4);
    let thrown: unknown;
    try {
      curve.survival(1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(XvaInputError);
    const issue = (thrown as XvaInputError).issues[0]!;
    expect(issue.column).toBe('credit.names.ZERO.pillars[1].spreadBp');
    expect(issue.row).toBe(11);
    expect(issue.expected).toMatch(/spreads consistent with a non-negative hazard curve/);
  });
});
