/**
 * `xva margin` as a user runs it (the built CLI, `node bin/run.js margin ...`):
 * - `--crif` on ORE's InitialMargin example CRIF at SIMM v2.6 (../shared/reference/simm/cases/ore_initialmargin_simm26):
 *   10-day collect 1,086,219.46 and post 1,022,075.91, ORE's published figures, to the cent;
 * - the demo book with no arguments, and with --write-crif / --collateral-balances / a coverage scenario / --out:
 *   the written CRIF read back and put through calculateSimm gives the command's SIMM (a second route through the
 *   file); the call follows from the balance; the scenario's residual exposure is max(E − c·VM − c·IM, 0) by hand;
 * - `--dim`: every SIMM netting set has a profile that starts at today's SIMM;
 * - bad flags exit 2 with a message, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { readCrif } from '../src/margin/crif.js';
import { calculateSimm } from '../src/margin/simm/calculate.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { xvaInProcess } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const COMPILED = path.join(ROOT, 'dist/commands/margin.js');
const ORE_CRIF = path.join(SHARED_REFERENCE, 'simm', 'cases', 'ore_initialmargin_simm26', 'crif.csv');
const PARAMS26 = JSON.parse(fs.readFileSync(path.join(SHARED_REFERENCE, 'simm', 'simm_v2.6_params.json'), 'utf8')) as {
  interest_rate: { delta_risk_weights: { '10d': { regular: Record<string, number> } } };
  equity: { delta_risk_weights: { '10d': Record<string, number> } };
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-margin-cli-'));

beforeAll(() => {
  expect(fs.existsSync(COMPILED)).toBe(true);
}, 300_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function xva(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XVA_DEBUG: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Json {
  simm: { nettingSetId: string; side: string; total: number }[];
  nettingSets: {
    nettingSetId: string;
    imModel: string;
    imCollect: number;
    scheduleCall?: number;
    schedulePost?: number;
    mva?: number;
    mvaSource?: string;
    collateralCurrency?: string;
    vm?: { exposure: number; creditSupportAmount: number; balance: number; difference: number; marginCall: number };
  }[];
  dim: { nettingSetId: string; method: string; mva: number; profile: { expectedImCollect: number; expectedImPost: number }[] }[];
  scenarios: { scenario: string; nettingSetId: string; coverage: number; exposure: number; residualExposureBase: number; residualExposureStressed: number }[];
  notes: string[];
}

describe('xva margin --crif (ORE InitialMargin example, SIMM v2.6)', () => {
  it('10-day collect 1,086,219.46 and post 1,022,075.91', () => {
    const run = xva('margin', '--crif', ORE_CRIF, '--json');
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as Json;
    const total = (side: string) => doc.simm.find((s) => s.nettingSetId === 'CRIF_20201228' && s.side === side)!.total;
    expect(total('Call')).toBeCloseTo(1_086_219.46, 2);
    expect(total('Post')).toBeCloseTo(1_022_075.91, 2);
  });
});

describe('xva margin on the demo book', () => {
  it('runs with no arguments and prints the IM table', () => {
    const run = xva('margin');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Initial margin (USD; SIMM v2.6, 10-day)');
  });

  it('the written CRIF reproduces the SIMM; balances drive the call; coverage scenario by hand; Arrow tables', async () => {
    const issues = new IssueCollector();
    const portfolio = await loadPortfolio(path.join(ROOT, 'fixtures/demo'), issues);
    const withCsa = portfolio.nettingSets.find((n) => n.csa)!;
    const balancesFile = path.join(tmp, 'balances.csv');
    fs.writeFileSync(balancesFile, `netting_set_id,balance\n${withCsa.nettingSetId},1250000\n`);
    const crifFile = path.join(tmp, 'crif.csv');
    const outDir = path.join(tmp, 'out');
    const run = xva('margin', '--json', '--write-crif', crifFile, '--collateral-balances', balancesFile, '--scenario', 'scenarios/collateral_50pct.yaml', '--out', outDir, '--dim', '--paths', '64');
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as Json;

    // second route: the CRIF file read back and aggregated again (amounts written at full precision)
    const again = calculateSimm(await readCrif(crifFile), { version: '2.6', mporDays: 10 });
    const simmSets = doc.nettingSets.filter((n) => n.imModel === 'simm');
    expect(simmSets.length).toBeGreaterThan(0);
    for (const r of again) {
      const mine = doc.simm.find((s) => s.nettingSetId === r.portfolioId && s.side === r.side)!;
      expect(Math.abs(mine.total - r.total)).toBeLessThan(1e-6 * Math.max(1, r.total));
    }
    expect(new Set(again.map((r) => r.portfolioId))).toEqual(new Set(simmSets.map((n) => n.nettingSetId)));

    const ns = doc.nettingSets.find((n) => n.nettingSetId === withCsa.nettingSetId)!;
    expect(ns.vm!.balance).toBe(1_250_000);
    // the note counts the CSA sets with a VM row and no balance (all of them but the one given), and names the first
    const csaWithoutBalance = doc.nettingSets.filter((n) => n.vm && n.nettingSetId !== withCsa.nettingSetId && portfolio.nettingSets.find((p) => p.nettingSetId === n.nettingSetId)!.csa).map((n) => n.nettingSetId);
    expect(csaWithoutBalance.length).toBeGreaterThan(0);
    const note = doc.notes.find((n) => n.startsWith('VM: '))!;
    expect(note).toContain(`VM: ${csaWithoutBalance.length} CSA netting sets have no collateral balance on file (${csaWithoutBalance[0]}`);
    expect(note).not.toContain(withCsa.nettingSetId + ',');
    expect(ns.vm!.difference).toBeCloseTo(ns.vm!.creditSupportAmount - 1_250_000, 6);

    // coverage c = 0.5: residual = max(E − c·CSA − c·IM, 0) in USD; base uses c = 1
    const rows = doc.scenarios.filter((s) => s.scenario === 'collateral_50pct');
    expect(rows.length).toBe(doc.nettingSets.filter((n) => n.vm).length);
    for (const s of rows) {
      const n = doc.nettingSets.find((x) => x.nettingSetId === s.nettingSetId)!;
      const toUsd = s.exposure / (n.vm!.exposure || 1);
      const required = n.vm!.creditSupportAmount * (n.vm!.exposure === 0 ? 1 : toUsd);
      expect(s.coverage).toBe(0.5);
      expect(s.residualExposureStressed).toBeCloseTo(Math.max(s.exposure - 0.5 * required - 0.5 * n.imCollect, 0), 4);
      expect(s.residualExposureBase).toBeCloseTo(Math.max(s.exposure - required - n.imCollect, 0), 4);
      expect(s.residualExposureStressed).toBeGreaterThanOrEqual(s.residualExposureBase - 1e-9);
    }

    // --dim: one profile per SIMM netting set, starting at today's SIMM (the scaling), ending at 0; then one per
    // schedule set, starting at today's schedule IM (the same calculator on the same trades) on both sides
    const regression = doc.dim.filter((d) => d.method === 'regression');
    expect(regression.map((d) => d.nettingSetId).sort()).toEqual(simmSets.map((n) => n.nettingSetId).sort());
    for (const d of regression) {
      const call = doc.simm.find((s) => s.nettingSetId === d.nettingSetId && s.side === 'Call')!.total;
      expect(Math.abs(d.profile[0]!.expectedImCollect / call - 1)).toBeLessThan(1e-12);
      expect(d.profile[d.profile.length - 1]!.expectedImCollect).toBe(0);
    }
    const scheduled = doc.dim.filter((d) => d.method === 'schedule');
    expect(doc.dim.map((d) => d.method)).toEqual([...regression.map(() => 'regression'), ...scheduled.map(() => 'schedule')]);
    const scheduleSets = doc.nettingSets.filter((n) => n.imModel === 'schedule');
    expect(scheduleSets.length).toBeGreaterThan(0);
    expect(scheduled.map((d) => d.nettingSetId).sort()).toEqual(scheduleSets.map((n) => n.nettingSetId).sort());
    for (const d of scheduled) {
      const n = scheduleSets.find((x) => x.nettingSetId === d.nettingSetId)!;
      expect(d.profile[0]!.expectedImCollect).toBe(n.scheduleCall);
      expect(d.profile[0]!.expectedImPost).toBe(n.schedulePost);
      expect(d.profile[d.profile.length - 1]!.expectedImCollect).toBe(0);
      expect(n.mvaSource).toBe('schedule');
      expect(n.mva).toBe(d.mva);
    }
    expect(fs.existsSync(path.join(outDir, 'margin_dim.arrow'))).toBe(true);

    const table = pl.readIPC(fs.readFileSync(path.join(outDir, 'margin_netting_sets.arrow')));
    expect(table.height).toBe(doc.nettingSets.length);
    expect(table.getColumn('margin_call').toArray()).toEqual(doc.nettingSets.map((n) => n.vm?.marginCall ?? null));
    // balance_on_file: true only for the set whose balance was given
    const onFile = table.getColumn('balance_on_file').toArray() as (boolean | null)[];
    const ids = table.getColumn('netting_set_id').toArray() as string[];
    ids.forEach((id, i) => expect(onFile[i], id).toBe(doc.nettingSets[i]!.vm ? id === withCsa.nettingSetId : null));
  });
});

/** A CRIF CSV in the test's folder from its lines (header first). */
function crifFile(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('xva margin: a CRIF saved as Arrow reads back; --quiet keeps warnings off stderr', () => {
  it('--write-crif crif.arrow, then --crif crif.arrow: the same records as the CSV and the same SIMM', async () => {
    const arrowCrif = path.join(tmp, 'saved.arrow');
    const csvCrif = path.join(tmp, 'saved.csv');
    const first = await xvaInProcess(['margin', '--write-crif', arrowCrif, '--json']);
    expect(first.status, first.stderr).toBe(0);
    expect(fs.readFileSync(arrowCrif).subarray(0, 6).toString('latin1')).toBe('ARROW1'); // an Arrow IPC file, not CSV
    expect((await xvaInProcess(['margin', '--write-crif', csvCrif, '--quiet'])).status).toBe(0);
    const [fromArrow, fromCsv] = [await readCrif(arrowCrif), await readCrif(csvCrif)];
    expect(fromArrow.length).toBeGreaterThan(100);
    expect(fromArrow).toEqual(fromCsv);
    // read back by the command (the demo folder gives the as-of date of its schedule rows)
    const again = await xvaInProcess(['margin', '--crif', arrowCrif, '--portfolio', path.join(ROOT, 'fixtures/demo'), '--json']);
    expect(again.status, again.stderr).toBe(0);
    const [a, b] = [JSON.parse(first.stdout) as Json, JSON.parse(again.stdout) as Json];
    expect(b.simm.length).toBe(a.simm.length);
    for (const r of a.simm) expect(b.simm.find((x) => x.nettingSetId === r.nettingSetId && x.side === r.side)!.total).toBeCloseTo(r.total, 6);
    // a truncated Arrow file: an input error naming it (exit 2), no stack trace
    const cut = path.join(tmp, 'cut.arrow');
    fs.writeFileSync(cut, fs.readFileSync(arrowCrif).subarray(0, 200));
    const bad = await xvaInProcess(['margin', '--crif', cut, '--as-of', '2026-06-30']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('cut.arrow: not a readable Arrow IPC file: the file does not end with the Arrow signature ARROW1');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('a CRIF with regulations written and read back: the same SIMM per regulation (the columns were dropped), amounts in USD', async () => {
    // Call under ESA is the EUR FX delta alone (the Excluded row does not count): RW 7.4 × 2m = 14.8m (SIMM v2.6 §F)
    const crifIn = crifFile('regs.csv', [
      'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,AmountUSD,IMModel,collect_regulations,post_regulations',
      'T1,P,RatesFX,Risk_FX,EUR,,,,1843317.97,EUR,2000000,SIMM,ESA,CFTC',
      'T2,P,RatesFX,Risk_FX,GBP,,,,1000000,USD,1000000,SIMM,Excluded,CFTC',
      'T3,P,RatesFX,Risk_IRCurve,USD,1,5y,OIS,-200000,USD,-200000,SIMM,Excluded,Excluded',
    ]);
    const written = path.join(tmp, 'regs_out.csv');
    const first = await xvaInProcess(['margin', '--crif', crifIn, '--write-crif', written, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const again = await xvaInProcess(['margin', '--crif', written, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const pick = (doc: Json, side: string) => doc.simm.find((r) => r.nettingSetId === 'P' && r.side === side)!;
    for (const side of ['Call', 'Post']) {
      expect(pick(JSON.parse(again.stdout) as Json, side)).toEqual(pick(JSON.parse(first.stdout) as Json, side));
    }
    expect(pick(JSON.parse(first.stdout) as Json, 'Call').total).toBeCloseTo(7.4 * 2e6, 6);
    const rows = fs.readFileSync(written, 'utf8').trim().split(/\r?\n/); // RFC 4180 line ends
    expect(rows[0]).toContain('collect_regulations,post_regulations');
    // the EUR row's Amount is written in USD, so its AmountCurrency says USD (it said EUR beside a USD amount)
    expect(rows.find((r) => r.startsWith('T1,'))).toMatch(/^T1,P,RatesFX,Risk_FX,EUR,,,,2000000,USD,2000000,SIMM,,ESA,CFTC$/);
  });

  it('the console table adds up: the product classes\' SIMM plus the add-on is the total (the add-on was missing)', async () => {
    // SIMM v2.6 §D.2 (SIMM = Σ product classes) and §J (add-ons): a fixed add-on of 250,000 on top of a USD IR delta
    // (RatesFX: 10,000 × RW 60 = 600,000) and an equity delta (Equity, bucket 1: 10,000 × RW 30 = 300,000, one risk
    // factor far below its concentration threshold: K = |WS|)
    const crifIn = crifFile('addon.csv', [
      'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,AmountUSD,IMModel',
      'T1,P,RatesFX,Risk_IRCurve,USD,1,5y,OIS,10000,USD,10000,SIMM',
      'T2,P,Equity,Risk_Equity,ISSUER1,1,,,10000,USD,10000,SIMM',
      'T3,P,,Param_AddOnFixedAmount,,,,,250000,USD,250000,SIMM',
    ]);
    const run = await xvaInProcess(['margin', '--crif', crifIn]);
    expect(run.status, run.stderr).toBe(0);
    const row = (cls: string, label: string) => {
      const line = run.stdout.split('\n').find((l) => new RegExp(`│ P +│ Call │ ${cls} +│ ${label} +│`).test(l));
      expect(line, `${cls} ${label}`).toBeDefined();
      return Number(line!.split('│')[5]!.trim().replace(/,/g, ''));
    };
    const rw = PARAMS26.interest_rate.delta_risk_weights['10d'].regular['5y']!;
    expect(row('RatesFX', 'product class SIMM')).toBeCloseTo(10_000 * rw, 2);
    const equity = row('Equity', 'product class SIMM');
    expect(equity).toBeCloseTo(10_000 * PARAMS26.equity.delta_risk_weights['10d']['1']!, 2);
    expect(row('All', 'before add-on')).toBeCloseTo(10_000 * rw + equity, 2);
    expect(row('All', 'add-on')).toBeCloseTo(250_000, 2);
    expect(row('All', 'total')).toBeCloseTo(10_000 * rw + equity + 250_000, 2);
  });

  it('--collateral-balances FILE with a column named in another case (Currency): an error naming it; an unknown column a warning', async () => {
    // read as unknown, Currency left the balance in USD without a word (the portfolio's own table already said so)
    const cased = path.join(tmp, 'balances_cased.csv');
    fs.writeFileSync(cased, 'netting_set_id,balance,Currency\nNS-CP0010-1,1000000,EUR\n');
    const bad = await xvaInProcess(['margin', '--collateral-balances', cased]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('balances_cased.csv column Currency: a column name in another case or with blanks: expected the column name currency');
    const extra = path.join(tmp, 'balances_extra.csv');
    fs.writeFileSync(extra, 'netting_set_id,balance,currency,as_of\nNS-CP0010-1,1000000,EUR,2026-06-30\n');
    const ok = await xvaInProcess(['margin', '--collateral-balances', extra, '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as Json).notes).toContain('balances_extra.csv column as_of: unknown column(s), ignored: expected the columns netting_set_id, balance (or variation_margin) and currency (docs/margin.md)');
  });

  it('a balance in a currency the market cannot convert is an input error naming its row (it was an internal error)', async () => {
    const balances = path.join(tmp, 'balances_cad.csv');
    fs.writeFileSync(balances, 'netting_set_id,currency,variation_margin\nNS-CP0010-1,CAD,5000000\n');
    const run = await xvaInProcess(['margin', '--collateral-balances', balances]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('balances_cad.csv row 1 column currency: CAD: expected a currency with a discount curve and an FX rate in the market file (it has ');
    expect(run.stderr).not.toContain('internal error');
    // the same row as the portfolio's collateral_balances table, read by xva capital
    const book = path.join(tmp, 'book-cad');
    fs.cpSync(path.join(ROOT, 'fixtures/demo'), book, { recursive: true });
    fs.copyFileSync(balances, path.join(book, 'collateral_balances.csv'));
    const capital = await xvaInProcess(['capital', '--portfolio', book, '--no-kva']);
    expect(capital.status).toBe(2);
    expect(capital.stderr).toContain('collateral_balances.csv row 1 column currency: CAD: expected a currency with a discount curve');
  }, 120_000);

  it('--write-crif that is a folder, or under a file: refused before the run with the path named (it was a raw EISDIR/EEXIST)', async () => {
    const folder = path.join(tmp, 'crif-folder');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(tmp, 'crif-a-file');
    fs.writeFileSync(file, 'x\n');
    const a = await xvaInProcess(['margin', '--write-crif', folder]);
    expect(a.status).toBe(2);
    expect(a.stderr).toBe(`error: --write-crif ${folder}: ${folder} is a folder: expected a file name\n`);
    const b = await xvaInProcess(['margin', '--write-crif', path.join(file, 'crif.csv')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(`error: --write-crif ${path.join(file, 'crif.csv')}: ${file} is a file, not a folder: expected a folder (existing, or one that can be made)\n`);
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('--write-crif of a run that fails writes no CRIF', async () => {
    // a schedule row without its end date and no --as-of: the run stops (exit 2) after the CRIF was read
    const crifIn = crifFile('sched_bad.csv', ['TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,AmountUSD,IMModel,end_date', 'S1,P,Rates,PV,,,,,1000,USD,1000,Schedule,2030-01-01', 'S1,P,Rates,Notional,,,,,100000,USD,100000,Schedule,2030-01-01']);
    const written = path.join(tmp, 'sched_bad_out.csv');
    const run = await xvaInProcess(['margin', '--crif', crifIn, '--write-crif', written]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the CRIF has schedule rows: give --as-of');
    expect(fs.existsSync(written)).toBe(false);
  });

  it('the demo book warns of CSA sets without a VM balance; with --quiet nothing is written to stderr', async () => {
    const loud = await xvaInProcess(['margin']);
    expect(loud.status).toBe(0);
    expect(loud.stderr).toMatch(/^warning: VM: \d+ CSA netting sets have no collateral balance/m);
    const quiet = await xvaInProcess(['margin', '--quiet']);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('');
  });
});

describe('bad flags exit 2', () => {
  it('unknown flag, bad option value, missing CRIF, bad date', async () => {
    // the first in a real process (the exit status a shell sees), the others through the same command class inside
    // this process (xvaInProcess, test/helpers/scaleCli.ts: the same parsing, checks and error rendering)
    const cases = [['--no-such-flag'], ['--mpor', '5'], ['--crif', path.join(tmp, 'missing.csv')], ['--as-of', '2026-13-45', '--crif', ORE_CRIF]];
    for (const [i, args] of cases.entries()) {
      const run = i === 0 ? xva('margin', ...args) : await xvaInProcess(['margin', ...args]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error: /m);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--rng sobol without --dim (it draws the --dim simulation only)', () => {
    const run = xva('margin', '--rng', 'sobol');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--rng sobol draws the --dim simulation: give --dim, or leave out --rng');
  });

  it('a bad balance names the file, row, column and value', () => {
    const file = path.join(tmp, 'bad_balances.csv');
    fs.writeFileSync(file, 'netting_set_id,balance\nNS-X,lots\n');
    const run = xva('margin', '--collateral-balances', file);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bad_balances.csv row 1 column balance: lots: expected');
  });
});
