import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XvaInputError, formatIssue } from '../src/errors.js';
import { loadRunScenarios, loadScenario, loadScenarioDir } from '../src/scenarios/load.js';

const SCENARIOS_DIR = path.join(__dirname, '..', 'scenarios');

/** The shipped scenarios and their shocks, as docs/scenarios.md lists them. */
const SHIPPED: Record<string, Record<string, number>> = {
  capital_ratio_plus_1pct: { capitalRatioAdd: 0.01 },
  collateral_0pct: { collateralCoverage: 0 },
  collateral_100pct: { collateralCoverage: 1 },
  collateral_120pct: { collateralCoverage: 1.2 },
  collateral_50pct: { collateralCoverage: 0.5 },
  credit_down_100bp: { creditSpreadBp: -100 },
  credit_up_100bp: { creditSpreadBp: 100 },
  funding_down_50bp: { fundingSpreadBp: -50 },
  funding_up_50bp: { fundingSpreadBp: 50 },
};

function writeTemp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scenarios-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The formatted messages of the XvaInputError that `fn` throws. */
function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(XvaInputError);
    return (error as XvaInputError).issues.map(formatIssue);
  }
  throw new Error('expected an XvaInputError');
}

describe('shipped scenarios', () => {
  it('each file loads with its documented shock and nothing else', () => {
    for (const [name, shocks] of Object.entries(SHIPPED)) {
      const file = path.join(SCENARIOS_DIR, `${name}.yaml`);
      const scenario = loadScenario(file);
      expect(scenario.name).toBe(name);
      expect(scenario.shocks).toEqual(shocks);
      expect(scenario.description.length).toBeGreaterThan(20);
      expect(scenario.file).toBe(file);
    }
  });

  it('the folder loads as the nine scenarios, sorted by file name', () => {
    const all = loadScenarioDir(SCENARIOS_DIR);
    expect(all.map((s) => s.name)).toEqual(Object.keys(SHIPPED).sort());
  });

  it('credit_down_100bp says that spreads are floored at zero', () => {
    expect(loadScenario(path.join(SCENARIOS_DIR, 'credit_down_100bp.yaml')).description).toMatch(/floored at 0bp/);
  });
});

describe('bad scenario files', () => {
  it('names the file, the YAML path, the value and what was expected', () => {
    const dir = writeTemp({
      'range.yaml': 'name: too_much\ndescription: Over-collateralised beyond the allowed range.\nshocks:\n  collateralCoverage: 1.5\n',
      'quoted.yaml': 'name: quoted\ndescription: A shock written as text.\nshocks:\n  creditSpreadBp: "100"\n',
      'typo.yaml': 'name: typo\ndescription: A misspelt shock.\nshocks:\n  creditSpreadbp: 100\n',
      'capital.yaml': 'name: capital\ndescription: Capital ratio given in percent by mistake.\nshocks:\n  capitalRatioAdd: 1\n',
    });
    const file = (n: string) => path.join(dir, n);
    expect(messages(() => loadScenario(file('range.yaml')))).toEqual([
      `${file('range.yaml')} column shocks.collateralCoverage: 1.5: expected a multiplier between 0 and 1.2 (1 = collateral as agreed)`,
    ]);
    expect(messages(() => loadScenario(file('quoted.yaml')))).toEqual([
      `${file('quoted.yaml')} column shocks.creditSpreadBp: "100" (quoted: text): expected a number of basis points between -10000 and 10000, written as a YAML number without quotes`,
    ]);
    expect(messages(() => loadScenario(file('typo.yaml')))).toEqual([
      `${file('typo.yaml')} column shocks.creditSpreadbp: 100: expected one of the shocks creditSpreadBp, ownCreditSpreadBp, fundingSpreadBp, collateralCoverage, capitalRatioAdd`,
    ]);
    expect(messages(() => loadScenario(file('capital.yaml')))).toEqual([
      `${file('capital.yaml')} column shocks.capitalRatioAdd: 1: expected a decimal between -0.1 and 0.2 (0.01 = +1% of RWA)`,
    ]);
  });

  it('repeated --scenario FILE: the problems of every file at once, as a folder gives them (only the first file\'s were)', () => {
    const dir = writeTemp({
      'quoted.yaml': 'name: quoted\ndescription: A shock written as text.\nshocks:\n  creditSpreadBp: "100"\n',
      'big.yaml': 'name: big\ndescription: Too wide.\nshocks:\n  creditSpreadBp: 20000\n',
    });
    const file = (n: string) => path.join(dir, n);
    expect(messages(() => loadRunScenarios([file('quoted.yaml'), file('big.yaml')], undefined, dir))).toEqual([
      `${file('quoted.yaml')} column shocks.creditSpreadBp: "100" (quoted: text): expected a number of basis points between -10000 and 10000, written as a YAML number without quotes`,
      `${file('big.yaml')} column shocks.creditSpreadBp: 20000: expected a number of basis points between -10000 and 10000`,
    ]);
  });

  it('reports every problem of a file at once: missing name, description and shocks, unknown keys', () => {
    const dir = writeTemp({ 'empty.yaml': 'title: nothing here\n' });
    const f = path.join(dir, 'empty.yaml');
    expect(messages(() => loadScenario(f))).toEqual([
      `${f} column title: nothing here: expected one of the keys name, description, shocks`,
      `${f} column name: missing value: expected a scenario name of letters, digits, _, . or - (e.g. credit_up_100bp)`,
      `${f} column description: missing value: expected a sentence saying what the scenario moves`,
      `${f} column shocks: missing value: expected a mapping of at least one of creditSpreadBp, ownCreditSpreadBp, fundingSpreadBp, collateralCoverage, capitalRatioAdd`,
    ]);
  });

  it('rejects an empty shocks mapping, a list, invalid YAML and a missing file', () => {
    const dir = writeTemp({
      'noshock.yaml': 'name: calm\ndescription: Nothing moves at all.\nshocks: {}\n',
      'list.yaml': '- name: a\n',
      'broken.yaml': 'name: [unclosed\n',
    });
    expect(messages(() => loadScenario(path.join(dir, 'noshock.yaml')))).toEqual([
      `${path.join(dir, 'noshock.yaml')} column shocks: {}: expected at least one of creditSpreadBp, ownCreditSpreadBp, fundingSpreadBp, collateralCoverage, capitalRatioAdd`,
    ]);
    expect(messages(() => loadScenario(path.join(dir, 'list.yaml')))).toEqual([
      `${path.join(dir, 'list.yaml')}: a list: expected a YAML mapping with name, description and shocks (docs/scenarios.md)`,
    ]);
    const broken = messages(() => loadScenario(path.join(dir, 'broken.yaml')));
    expect(broken.length).toBeGreaterThan(0);
    expect(broken[0]).toMatch(new RegExp(`^${path.join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*: expected valid YAML$`));
    expect(messages(() => loadScenario(path.join(dir, 'absent.yaml')))).toEqual([
      `${path.join(dir, 'absent.yaml')}: not found: expected a readable scenario YAML file (docs/scenarios.md)`,
    ]);
  });

  it('quotes a shock as written in the file: 1e400 (Infinity, which JSON would print as null) and 1.50', () => {
    const dir = writeTemp({
      'huge.yaml': 'name: huge\ndescription: Too big.\nshocks:\n  creditSpreadBp: 1e400\n  collateralCoverage: 1.50\n',
    });
    expect(messages(() => loadScenario(path.join(dir, 'huge.yaml')))).toEqual([
      expect.stringMatching(/column shocks\.creditSpreadBp: 1e400: expected /),
      expect.stringMatching(/column shocks\.collateralCoverage: 1\.50: expected a multiplier between 0 and 1\.2/),
    ]);
  });

  it('a folder reports duplicate names and the problems of every file together', () => {
    const dir = writeTemp({
      'a.yaml': 'name: same\ndescription: The first of two.\nshocks:\n  fundingSpreadBp: 10\n',
      'b.yaml': 'name: same\ndescription: The second of two.\nshocks:\n  fundingSpreadBp: 20\n',
      'c.yaml': 'name: c\ndescription: Bad coverage.\nshocks:\n  collateralCoverage: -0.1\n',
      'notes.txt': 'not a scenario',
    });
    expect(messages(() => loadScenarioDir(dir))).toEqual([
      `${path.join(dir, 'b.yaml')} column name: same: expected a name not already used (also in a.yaml)`,
      `${path.join(dir, 'c.yaml')} column shocks.collateralCoverage: -0.1: expected a multiplier between 0 and 1.2 (1 = collateral as agreed)`,
    ]);
    const empty = writeTemp({ 'readme.txt': 'x' });
    expect(messages(() => loadScenarioDir(empty))).toEqual([`${empty}: no .yaml files: expected at least one scenario file (docs/scenarios.md)`]);
  });
});
