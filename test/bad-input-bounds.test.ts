/**
 * Cells the forty-third session's bad-input audit (helper 95) found loading without a word although no market or
 * book has them, each moving the book's figures by orders of magnitude with exit 0:
 * - a CDS running coupon typed in bp (100 for 100bp): book MTM −0.84m → −4.39bn, CVA 54k → 9.35m; now an error above
 *   10 and a warning above 0.5, as every other rate column (fixed_rate, strike);
 * - `float_gearing` 100 (MTM +292.6m) or 1e300, and a `rate_schedules` rate of 4 (400%) or 1e300: the same bounds;
 * - a market file without its `capital` section stopped `xva capital` with an internal error (exit 1);
 * - side tables' amounts (`trade_values`, `collateral_balances`, margin's `--collateral-balances`) of 1e300: EAD 1.4e300
 *   and capital Infinity; now at most 1e15 in size, as the trades' amounts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, IssueCollector, XvaInputError } from '../src/errors.js';
import { loadSaccrInputs } from '../src/capital/saccr/inputs.js';
import { readCollateralBalances } from '../src/margin/run.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const SMALL = path.resolve('test/data/small');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function smallCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-bounds-'));
  temps.push(dir);
  fs.cpSync(SMALL, dir, { recursive: true });
  return dir;
}

/** Sets `column` of trade `id` in trades.csv (adding the column when the file has none). */
function setTradeCell(dir: string, id: string, column: string, value: string): void {
  const file = path.join(dir, 'trades.csv');
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((r) => r.split(','));
  let at = rows[0]!.indexOf(column);
  if (at < 0) {
    at = rows[0]!.length;
    for (const r of rows) r.push('');
    rows[0]![at] = column;
  }
  rows.find((r) => r[0] === id)![at] = value;
  fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');
}

const at = (list: { column?: string }[], column: string) => list.filter((i) => i.column === column).map((i) => formatIssue(i as Parameters<typeof formatIssue>[0]));

describe('rate-like cells: an error beyond any rate, a warning beyond a plausible one', () => {
  it('a CDS coupon typed in bp is an error; one of 75% a warning', async () => {
    const dir = smallCopy();
    setTradeCell(dir, 'T018', 'fixed_rate', '100');
    const bad = await validateInputs({ portfolioDir: dir });
    expect(at(bad.issues, 'fixed_rate')).toEqual(['trades.csv row 18 column fixed_rate: 100: expected a running coupon as a decimal (0.01 = 100bp) of at most 10']);
    setTradeCell(dir, 'T018', 'fixed_rate', '0.75');
    const doubtful = await validateInputs({ portfolioDir: dir });
    expect(doubtful.ok).toBe(true);
    expect(at(doubtful.warnings, 'fixed_rate')).toEqual(['trades.csv row 18 column fixed_rate: 0.75: expected a running coupon as a decimal (0.01 = 100bp): 0.75 is 75.00%; if 0.75% was meant, write 0.0075']);
  });

  it('float_gearing above 1,000 is an error, above 10 a warning', async () => {
    const dir = smallCopy();
    setTradeCell(dir, 'T001', 'float_gearing', '1e300');
    expect(at((await validateInputs({ portfolioDir: dir })).issues, 'float_gearing')).toEqual(['trades.csv row 1 column float_gearing: 1e300: expected the multiplier of the index in the floating coupon (1 = unleveraged) of at most 1000']);
    setTradeCell(dir, 'T001', 'float_gearing', '100');
    const doubtful = await validateInputs({ portfolioDir: dir });
    expect(doubtful.ok).toBe(true);
    expect(at(doubtful.warnings, 'float_gearing')).toEqual(['trades.csv row 1 column float_gearing: 100: expected the multiplier of the index in the floating coupon (1 = unleveraged): 100 times the index is beyond any leveraged swap (at most 10 expected)']);
  });

  it('a rate_schedules rate of 400% is a warning on its row, 1e300 an error', async () => {
    const dir = smallCopy();
    fs.writeFileSync(path.join(dir, 'rate_schedules.csv'), 'trade_id,from_date,rate\nT001,2030-01-15,4\n');
    const doubtful = await validateInputs({ portfolioDir: dir });
    expect(doubtful.ok).toBe(true);
    expect(at(doubtful.warnings, 'rate')).toEqual(['rate_schedules.csv row 1 column rate: 4: expected the fixed rate (or strike) from from_date as a decimal (0.035 = 3.5%): 4 is 400.0%; if 4% was meant, write 0.04']);
    fs.writeFileSync(path.join(dir, 'rate_schedules.csv'), 'trade_id,from_date,rate\nT001,2030-01-15,1e300\n');
    expect(at((await validateInputs({ portfolioDir: dir })).issues, 'rate')).toEqual(['rate_schedules.csv row 1 column rate: 1e300: expected the fixed rate (or strike) from from_date as a decimal (0.035 = 3.5%) of at most 10']);
  });
});

describe('side tables: amounts at most 1e15 in size', () => {
  it('trade_values and collateral_balances (xva capital) name the cell', async () => {
    const dir = smallCopy();
    fs.writeFileSync(path.join(dir, 'trade_values.csv'), 'trade_id,value\nT001,1e300\n');
    fs.writeFileSync(path.join(dir, 'collateral_balances.csv'), 'netting_set_id,variation_margin\nNS_A_CSA,-1e300\n');
    const issues = new IssueCollector();
    await loadSaccrInputs(dir, issues);
    expect(issues.issues.map(formatIssue)).toEqual([
      'trade_values.csv row 1 column value: 1e300: expected a value in the base currency of at most 1000000000000000',
      'collateral_balances.csv row 1 column variation_margin: -1e300: expected a net VM amount (received positive, posted negative) of at least -1000000000000000',
    ]);
  });

  it("xva margin's --collateral-balances names the cell", async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'balances.csv');
    fs.writeFileSync(file, 'netting_set_id,balance\nNS_A_CSA,1e300\n');
    const error = await readCollateralBalances(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XvaInputError);
    expect((error as XvaInputError).issues.map(formatIssue)).toEqual(['balances.csv row 1 column balance: 1e300: expected the net collateral balance (received positive, posted negative) of at most 1000000000000000']);
  });
});

describe('a market file without its capital section', () => {
  it('xva capital exits 2 naming market.yaml and the section (it was an internal error, exit 1); validate warns', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const section = '\ncapital:\n  costOfCapital: 0.10\n  capitalRatio: 0.105';
    expect(text).toContain(section);
    fs.writeFileSync(file, text.replace(section, ''));
    // the small book's two CDS reference entities need ratings for SA-CCR
    fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade\nACME_CORP,single_name,BBB,\nGLOBEX_SA,single_name,BB,\n');
    const run = await xvaInProcess(['capital', '--no-kva', '--portfolio', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('market.yaml column capital: no capital section: expected a capital section with costOfCapital and capitalRatio (decimals, e.g. 0.10 and 0.105)');
    expect(run.stderr).not.toContain('internal error');
    const validation = await validateInputs({ portfolioDir: dir });
    expect(validation.ok).toBe(true);
    expect(at(validation.warnings, 'capital')).toEqual(['market.yaml column capital: no capital section: expected a capital section with costOfCapital and capitalRatio (decimals, e.g. 0.10 and 0.105): xva capital, the KVA and xva optimize stop without it']);
  });
});

describe('a wrong-way parameter far too large', () => {
  it('wrong_way_beta_per_m 1000 on the small book: exit 2 naming the column and the counterparty (it wrote NaN CVAs with exit 0); 1 runs', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'counterparties.csv');
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((r) => r.split(','));
    rows[0]!.push('wrong_way_model', 'wrong_way_beta_per_m');
    for (const r of rows.slice(1)) r.push(...(r[0] === 'CP_CORP_B' ? ['exposure', '1000'] : ['', '']));
    fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');
    const run = await xvaInProcess(['cva', '--portfolio', dir, '--paths', '32', '--threads', '1', '--json']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/counterparties column wrong_way_beta_per_m: counterparty CP_CORP_B \(curve consumer-BBB\): 1000: expected a wrong-way driver whose paths stay within e\^700 of the mean path's hazard: at [\d.]+ years one path's driver is [\d.]+ above the mean \(a smaller wrong_way_beta_per_m\)/);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(',exposure,1000', ',exposure,1'));
    const ok = await xvaInProcess(['cva', '--portfolio', dir, '--paths', '32', '--threads', '1', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout) as { wrongWay: { counterpartyId: string; cvaWrongWay: number }[] };
    expect(Number.isFinite(doc.wrongWay.find((w) => w.counterpartyId === 'CP_CORP_B')!.cvaWrongWay)).toBe(true);
  });
});

describe('FX rates and equity strikes far from today\'s spot', () => {
  it('a spot typed ten times off warns on every trade of its pair; a trade\'s own typo on its cell; the book as given on none', async () => {
    const clean = await validateInputs({ portfolioDir: SMALL });
    expect(clean.warnings.filter((w) => /today's spot/.test(w.expected))).toEqual([]);
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('EURUSD: 1.0850', 'EURUSD: 10.850'));
    // T008's notional2 typed with an extra digit: 54.5m USD for 5m EUR (10.9 USD per EUR)
    setTradeCell(dir, 'T008', 'notional2', '54500000');
    const spot = (await validateInputs({ portfolioDir: dir })).warnings.filter((w) => /today's spot/.test(w.expected)).map(formatIssue);
    // EURUSD trades: the XCCY T006 (21.7m / 20m = 1.085), the FX swap T010's two rates, the option T011's strike; T008
    // is now 10.9, which the wrong spot 10.85 matches: its typo hides behind the spot's
    expect(spot).toEqual([
      "trades.csv row 6 column notional2: 21700000: expected a notional2 whose rate to notional (1.085 USD per EUR) within a factor 3 of today's spot 10.85 in market.yaml: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?",
      "trades.csv row 10 column near_rate: 1.087: expected an FX rate (USD per EUR) within a factor 3 of today's spot 10.85 in market.yaml: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?",
      "trades.csv row 10 column strike: 1.105: expected an FX rate (USD per EUR) within a factor 3 of today's spot 10.85 in market.yaml: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?",
      "trades.csv row 11 column strike: 1.1: expected an FX rate (USD per EUR) within a factor 3 of today's spot 10.85 in market.yaml: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?",
    ]);
    // with the spot right, T008's typo is the one warning
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('EURUSD: 10.850', 'EURUSD: 1.0850'));
    const own = (await validateInputs({ portfolioDir: dir })).warnings.filter((w) => /today's spot/.test(w.expected)).map(formatIssue);
    expect(own).toEqual(["trades.csv row 8 column notional2: 54500000: expected a notional2 whose rate to notional (10.9 USD per EUR) within a factor 3 of today's spot 1.085 in market.yaml: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?"]);
  });

  it('an equity spot typed ten times off warns on its forwards\' and options\' strikes', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'market.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('SPX: { currency: USD, spot: 5200,', 'SPX: { currency: USD, spot: 52000,'));
    const strikes = (await validateInputs({ portfolioDir: dir })).warnings.filter((w) => /today's spot/.test(w.expected)).map(formatIssue);
    expect(strikes).toEqual([
      "trades.csv row 15 column strike: 5300: expected a strike within a factor 3 of today's spot SPX 52000 in market.yaml: a typo in the trade, or a spot ten times off in equities?",
      "trades.csv row 17 column strike: 4800: expected a strike within a factor 3 of today's spot SPX 52000 in market.yaml: a typo in the trade, or a spot ten times off in equities?",
    ]);
  });
});

describe('an exposure that overflows names the trade living for centuries first', () => {
  it('T006 maturing in 2300 (for 2030): exit 2 naming its cell, then the model sections as before', async () => {
    const dir = smallCopy();
    setTradeCell(dir, 'T006', 'maturity_date', '2300-03-31');
    const run = await xvaInProcess(['cva', '--portfolio', dir, '--paths', '32', '--threads', '1', '--quiet']);
    expect(run.status).toBe(2);
    const lines = run.stderr.split('\n').map((l) => l.trim());
    expect(lines).toContain("trades.csv row 6 column maturity_date: 2300-03-31: expected a date within 100 years of the as-of date 2026-06-30: trade T006's netting set NS_A_CSA simulated to it gives NaN or infinite exposures (a typo such as 2300 for 2030?)");
    expect(lines.some((l) => l.startsWith('market.yaml column rates.EUR.hullWhite, rates.USD.hullWhite, fx.vols, credit.model: the simulation gives NaN or infinite exposures for 1 netting set(s) (NS_A_CSA)'))).toBe(true);
  });
});

describe('netting sets that load but say little', () => {
  it('a CSA with a margin period of risk of 0, a netting set with no trade, a threshold without a CSA: warnings on their rows', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'netting_sets.csv');
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((r) => r.split(','));
    const mpor = rows[0]!.indexOf('margin_period_of_risk_days');
    const csaRow = rows.findIndex((r) => r[0] === 'NS_A_CSA');
    rows[csaRow]![mpor] = '0';
    // a copy of NS_C under a new id: no trade names it
    rows.push([...rows.find((r) => r[0] === 'NS_C')!]);
    rows[rows.length - 1]![0] = 'NS_EMPTY';
    // a threshold on a set without a CSA (csa false): ignored, so most likely the flag was forgotten
    const unc = rows.findIndex((r) => r[0] === 'NS_B');
    expect(rows[unc]![rows[0]!.indexOf('csa')]).toBe('false');
    rows[unc]![rows[0]!.indexOf('threshold_cpty')] = '1000000';
    // and rounding, a margin period of risk and a call frequency on it: each column named (only the first one was)
    rows[unc]![rows[0]!.indexOf('rounding')] = '10000';
    rows[unc]![mpor] = '20';
    rows[unc]![rows[0]!.indexOf('margin_frequency_days')] = '5';
    fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    const ignored = (column: string, value: string, blank = 0) => `netting_sets.csv row ${unc} column ${column}: ${value}: expected blank or ${blank} on a netting set without a CSA (csa false: the CSA columns are ignored, the set is uncollateralised); set csa true if the CSA is meant`;
    expect(at(result.warnings, 'margin_period_of_risk_days')).toEqual([
      `netting_sets.csv row ${csaRow} column margin_period_of_risk_days: 0: expected a margin period of risk of some business days under a CSA (10 is the regulatory floor, CRE52.50-52): 0 leaves the exposure no close-out gap`,
      ignored('margin_period_of_risk_days', '20'),
    ]);
    expect(at(result.warnings, 'rounding')).toEqual([ignored('rounding', '10000')]);
    expect(at(result.warnings, 'margin_frequency_days')).toEqual([ignored('margin_frequency_days', '5', 1)]);
    expect(at(result.warnings, 'netting_set_id')).toEqual([`netting_sets.csv row ${rows.length - 1} column netting_set_id: NS_EMPTY: expected a netting set with at least one trade in trades.csv (it adds nothing but its CSA's fixed amounts)`]);
    expect(at(result.warnings, 'threshold_cpty')).toEqual([`netting_sets.csv row ${unc} column threshold_cpty: 1000000: expected blank or 0 on a netting set without a CSA (csa false: the CSA columns are ignored, the set is uncollateralised); set csa true if the CSA is meant`]);
  });
});

describe('eligible collateral given twice', () => {
  it('two haircuts for one netting set, asset type, currency and margin (equal, or `both` beside one) are an error; the same row twice a warning', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'eligible_collateral.csv');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('NS_A_CSA,cash,USD,0,vm\n');
    // row 6: USD cash for VM again at 8%; row 7: EUR cash for both margins at 8% (row 2's 8% for VM: a duplicate)
    fs.writeFileSync(file, text.trimEnd() + '\nNS_A_CSA,cash,USD,8,vm\nNS_A_CSA,cash,EUR,8,both\n');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues.map(formatIssue)).toEqual(['eligible_collateral.csv row 6 column haircut_pct: 8: expected the haircut of row 1 (0%), which covers the same netting set, asset type, currency USD and margin (vm): one haircut per asset and margin']);
    expect(at(result.warnings, 'netting_set_id').filter((w) => w.startsWith('eligible'))).toEqual(['eligible_collateral.csv row 7 column netting_set_id: NS_A_CSA: expected one eligible_collateral row per netting set, asset type, currency and margin type (row 2 says the same)']);
  });
});

describe('a counterparty recovery leaving almost nothing to lose', () => {
  it('0.99 is a warning on its cell (the CVA falls to a sixtieth of the standard 0.40\'s); 0.4 none', async () => {
    const dir = smallCopy();
    const file = path.join(dir, 'counterparties.csv');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('CP_BANK_A,Bank Alpha plc,financial,A,europe,BANK_ALPHA,0.4,');
    fs.writeFileSync(file, text.replace('CP_BANK_A,Bank Alpha plc,financial,A,europe,BANK_ALPHA,0.4,', 'CP_BANK_A,Bank Alpha plc,financial,A,europe,BANK_ALPHA,0.99,'));
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(at(result.warnings, 'recovery')).toEqual(["counterparties.csv row 1 column recovery: 0.99: expected a recovery rate at most 0.9 (the loss given default 0.01 makes the CVA 0.017 times the standard 0.40's)"]);
    expect(at((await validateInputs({ portfolioDir: SMALL })).warnings, 'recovery')).toEqual([]);
  });
});

describe('values with invisible or look-alike characters', () => {
  it('are shown escaped (\\uXXXX) with a word that they hold such characters; ordinary accents are left as they are', () => {
    // a zero-width space after an id read as "CP_BANK_A", and a Unicode minus before a spread read as "-15" (an audit)
    expect(formatIssue({ file: 'netting_sets.csv', row: 2, column: 'counterparty_id', value: 'CP_BANK_A\u200b', expected: 'a counterparty of the counterparties table' })).toBe(
      'netting_sets.csv row 2 column counterparty_id: CP_BANK_A\\u200B (holds invisible or look-alike characters, shown as \\uXXXX): expected a counterparty of the counterparties table',
    );
    expect(formatIssue({ file: 'trades.csv', row: 3, column: 'float_spread_bp', value: '\u221215', expected: 'a spread in basis points' })).toContain(': \\u221215 (holds invisible');
    expect(formatIssue({ file: 'counterparties.csv', row: 4, column: 'name', value: 'Société Générale\u00a0', expected: 'x' })).toContain(': Société Générale\\u00A0 (holds');
    expect(formatIssue({ file: 'counterparties.csv', row: 4, column: 'name', value: 'Société Générale', expected: 'x' })).toBe('counterparties.csv row 4 column name: Société Générale: expected x');
  });
});
