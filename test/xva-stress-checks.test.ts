/**
 * Stress scenarios of `xva cva` / `fva`, from the thirty-fifth session's audit (helper 74): each case below stopped
 * a run with an internal error, or passed unnoticed, before.
 *
 * - A downward spread shock on an inverted CDS curve (1Y 150 / 5Y 110 / 10Y 105bp, −100bp) needs a negative hazard
 *   after 1Y: the run stopped with "internal error" and wrote nothing. Now the hazard is floored at 0 there. Checked
 *   against a second bootstrap: the floored curve's first hazard is the one-quote ISDA bootstrap of the shifted 1Y
 *   quote alone (it depends on nothing else), and survival is flat over the floored interval.
 * - Scenario names: one name per run across `--scenario` and `--scenarios`, never `base`; readable messages for a
 *   number as a name, a repeated key and a folder named like a scenario file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, IssueCollector, XvaInputError } from '../src/errors.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { bootstrapCdsCurve } from '../src/market/cdsIsda.js';
import type { Market } from '../src/market/types.js';
import { loadScenarioDir, parseScenario } from '../src/scenarios/load.js';
import { shockedCurve } from '../src/xva/credit.js';
import { expectSameOutputs, xva } from './helpers/scaleCli.js';

const SMALL = path.resolve('test/data/small');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-stress-checks-'));
const book = path.join(tmp, 'book');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  fs.cpSync(SMALL, book, { recursive: true });
  const marketFile = path.join(book, 'market.yaml');
  const text = fs.readFileSync(marketFile, 'utf8');
  const base = 'pillars: [ { tenor: 1Y, spreadBp: 55 }, { tenor: 5Y, spreadBp: 90 }, { tenor: 10Y, spreadBp: 105 } ]';
  expect(text).toContain(base); // BANK_ALPHA's quotes in test/data/small
  fs.writeFileSync(marketFile, text.replace(base, 'pillars: [ { tenor: 1Y, spreadBp: 150 }, { tenor: 5Y, spreadBp: 110 }, { tenor: 10Y, spreadBp: 105 } ]'));
});

describe('a −100bp shock on an inverted CDS curve', () => {
  let market: Market;
  beforeAll(async () => {
    ({ market } = await loadSimulationInputs(book, path.join(book, 'market.yaml')));
  });

  it('floors the hazard at 0 where the shifted 5Y quote would need a negative one, and says so', () => {
    const curve = market.creditCurve('BANK_ALPHA');
    const notes: string[] = [];
    const down = shockedCurve(curve, market, -100, undefined, notes);
    expect(notes).toHaveLength(1);
    // 5Y: 10bp after 1Y at 50bp; 10Y: 5bp after that, again below what no default after 1Y gives
    expect(notes[0]).toMatch(/^credit curve BANK_ALPHA shifted -100bp: the shifted spreads of 5Y \(to \d{4}-\d\d-\d\d\), 10Y \(to \d{4}-\d\d-\d\d\) are below what a zero hazard rate gives after the shorter tenors, so the hazard rate is floored at 0 there \(those quotes are not repriced\)$/);
    expect(down.hazards[1]).toBe(0);
    expect(down.hazards[2]).toBe(0);
    // survival is flat over the floored intervals (1Y node to 10Y node)
    expect(down.survival(down.times[2]!)).toBe(down.survival(down.times[0]!));
    // the first hazard: the ISDA bootstrap of the shifted 1Y quote (50bp) alone, on the curve's own discount (EUR)
    const one = bootstrapCdsCurve({ name: 'one', asOf: market.asOf, tenors: [{ count: 1, unit: 'Y' }], spreadsBp: [50], recovery: curve.recovery, discount: market.discountCurve('EUR'), maturityRule: 'CDS2015' });
    expect(Math.abs(down.hazards[0]! - one.hazards[0]!)).toBeLessThan(1e-15);
    // an upward shift needs no floor: no note, every hazard positive
    const upNotes: string[] = [];
    const up = shockedCurve(curve, market, 100, undefined, upNotes);
    expect(upNotes).toEqual([]);
    expect(Array.from(up.hazards).every((h) => h > 0)).toBe(true);
  });

  it('xva cva --scenarios default runs (it stopped with an internal error) and its base is the plain run, bit for bit', async () => {
    const common = ['cva', '--portfolio', book, '--paths', '64', '--threads', '1', '--json'];
    const stressed = await xva([...common, '--scenarios', 'default']);
    expect(stressed.status, stressed.stderr).toBe(0);
    const doc = JSON.parse(stressed.stdout) as { book: { cva: number }; notes: string[]; scenarios: { scenario: string; book: { cva: number } }[] };
    expect(doc.notes.some((n) => n.startsWith('scenario credit_down_100bp: credit curve BANK_ALPHA shifted -100bp: the shifted spreads of 5Y'))).toBe(true);
    // the small book holds CDS trades: their exposure is the base run's under the spread shocks, and a note says so
    expect(doc.notes).toContain('credit_down_100bp, credit_up_100bp: the credit spread shock moves the counterparties\' default probabilities; the exposure of the book\'s 2 CDS trade(s) is the base run\'s (not re-valued at the shocked reference-name spreads)');
    const plain = await xva(common);
    expect(plain.status, plain.stderr).toBe(0);
    expect(doc.book.cva).toBe((JSON.parse(plain.stdout) as { book: { cva: number } }).book.cva);
    const row = (name: string) => doc.scenarios.find((s) => s.scenario === name)!.book.cva;
    expect(row('credit_down_100bp')).toBeLessThan(doc.book.cva);
    expect(row('credit_up_100bp')).toBeGreaterThan(doc.book.cva);
  });

  it('in 2 shards + merge: the single run\'s tables (the floor note is the run\'s, not a netting set\'s)', async () => {
    const common = ['cva', '--portfolio', book, '--paths', '32', '--threads', '1', '--scenarios', 'default'];
    const single = path.join(tmp, 'single');
    const shards = path.join(tmp, 'shards');
    const merged = path.join(tmp, 'merged');
    expect((await xva([...common, '--out', single])).status).toBe(0);
    for (const k of ['1/2', '2/2']) {
      const run = await xva([...common, '--shard', k, '--out', shards]);
      expect(run.status, run.stderr).toBe(0);
    }
    const merge = await xva(['merge', shards, '--out', merged]);
    expect(merge.status, merge.stderr).toBe(0);
    expectSameOutputs(single, merged, ['merge']);
  }, 120_000);
});

describe('scenario names and files', () => {
  const write = (name: string, text: string): string => {
    const file = path.join(tmp, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('a name used twice across --scenario and --scenarios, or the name base, is refused naming the files', async () => {
    const mine = write('mine/up.yaml', 'name: credit_up_100bp\ndescription: Mine, 50bp.\nshocks:\n  creditSpreadBp: 50\n');
    const twice = await xva(['cva', '--scenario', mine, '--scenarios', 'default']);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/credit_up_100bp\.yaml column name: credit_up_100bp: expected a name not already used \(also in .*mine\/up\.yaml\)/);
    const base = write('mine/base.yaml', 'name: base\ndescription: Named like the base row.\nshocks:\n  creditSpreadBp: 100\n');
    const named = await xva(['cva', '--scenario', base]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain('base.yaml column name: base: expected another name: "base" is the row of the unshocked figures in every scenario table');
    const same = await xva(['cva', '--scenario', mine, '--scenario', mine]);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain('expected a name not already used (also in the same file, given twice)');
  });

  it('a number as a name, a repeated key and a folder named *.yaml get messages that say what to do', () => {
    const issues = new IssueCollector();
    parseScenario('name: 2024\ndescription: A year.\nshocks:\n  fundingSpreadBp: 10\n', 'year.yaml', issues);
    parseScenario('name: twice\ndescription: Twice.\nshocks:\n  fundingSpreadBp: 10\n  fundingSpreadBp: 20\n', 'twice.yaml', issues);
    expect(issues.issues.map(formatIssue)).toEqual([
      'year.yaml column name: 2024 (a YAML number): expected a scenario name as text: quote it, name: "2024"',
      'twice.yaml row 5: the key fundingSpreadBp appears twice: expected valid YAML',
    ]);
    const dir = path.join(tmp, 'folder');
    write('folder/a.yaml', 'name: a\ndescription: Fine.\nshocks:\n  fundingSpreadBp: 10\n');
    fs.mkdirSync(path.join(dir, 'sub.yaml'));
    try {
      loadScenarioDir(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(XvaInputError);
      expect((e as XvaInputError).issues.map(formatIssue)).toEqual([`${path.join(dir, 'sub.yaml')}: a folder: expected a scenario YAML file (every *.yaml / *.yml in the folder is read as one)`]);
    }
  });
});

describe('the stress notes of shocks that move nothing', () => {
  it('ownCreditSpreadBp without an own curve, and capitalRatioAdd beside a credit shock, each say so', async () => {
    const noOwn = path.join(tmp, 'no-own');
    fs.cpSync(SMALL, noOwn, { recursive: true });
    const text = fs.readFileSync(path.join(noOwn, 'market.yaml'), 'utf8');
    const own = '  own:\n    recovery: 0.40\n    pillars: [ { tenor: 1Y, spreadBp: 50 }, { tenor: 5Y, spreadBp: 85 } ]\n';
    expect(text).toContain(own);
    fs.writeFileSync(path.join(noOwn, 'market.yaml'), text.replace(own, ''));
    const ownFile = path.join(tmp, 'own.yaml');
    fs.writeFileSync(ownFile, 'name: own_up\ndescription: Own spread wider.\nshocks:\n  ownCreditSpreadBp: 100\n');
    const mixed = path.join(tmp, 'mixed.yaml');
    fs.writeFileSync(mixed, 'name: mixed\ndescription: Credit and capital.\nshocks:\n  creditSpreadBp: 10\n  capitalRatioAdd: 0.01\n');
    const run = await xva(['cva', '--portfolio', noOwn, '--paths', '32', '--threads', '1', '--scenario', ownFile, '--scenario', mixed, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const notes = (JSON.parse(run.stdout) as { notes: string[] }).notes;
    expect(notes).toContain('scenario own_up: ownCreditSpreadBp 100 moves nothing: the market has no own credit curve (credit.own), so there is no DVA to shock');
    expect(notes).toContain('scenario mixed: capitalRatioAdd does not move CVA/DVA/FVA');
  });
});
