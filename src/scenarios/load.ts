/**
 * Reads stress scenario files (docs/scenarios.md): one YAML mapping per file with `name`, `description` and
 * `shocks`. Every problem is reported with the file, the YAML path, the value found and what was expected, all at
 * once (XvaInputError).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { IssueCollector, XvaInputError } from '../errors.js';
import { SHOCK_KEYS, SHOCK_LIMITS, type Scenario, type ScenarioShocks, type ShockKey } from './types.js';

const TOP_KEYS = ['name', 'description', 'shocks'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The scenario tables' row of the unshocked run (docs/xva.md): no scenario may take it. */
const BASE_NAME = 'base';

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Parses one scenario's text; issues go to `issues` (file named `file`). Returns undefined when unusable. */
export function parseScenario(text: string, file: string, issues: IssueCollector): Scenario | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0] ?? (e.pos?.[0] !== undefined ? lines.linePos(e.pos[0]) : undefined);
      const at = e.pos?.[0] !== undefined ? (/^[^\s:]+/.exec(text.slice(e.pos[0]))?.[0] ?? '') : '';
      const what = e.code === 'DUPLICATE_KEY' && at !== '' ? `the key ${at} appears twice` : e.message.split('\n')[0];
      issues.add({ file, ...(line ? { row: line.line } : {}), value: what, expected: 'valid YAML' });
    }
    return undefined;
  }
  let root: Record<string, unknown>;
  try {
    root = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  } catch (err) {
    // aliases that expand past maxAliasCount ("billion laughs")
    issues.add({ file, value: (err as Error).message, expected: 'YAML whose aliases (*name) expand to a scenario of ordinary size (at most 1,000 alias uses)' });
    return undefined;
  }
  if (!isMap(doc.contents)) {
    const found = doc.contents === null ? undefined : isSeq(doc.contents) ? 'a list' : show(root);
    issues.add({ file, value: found, expected: 'a YAML mapping with name, description and shocks (docs/scenarios.md)' });
    return undefined;
  }
  const before = issues.errorCount;
  for (const key of Object.keys(root)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) issues.add({ file, column: key, value: show(root[key]), expected: `one of the keys ${TOP_KEYS.join(', ')}` });
  }
  const name = root.name;
  if (typeof name === 'number' || typeof name === 'boolean') {
    // `name: 2024` reads as a number, `name: yes` as a boolean: the text is fine, the YAML type is not
    issues.add({ file, column: 'name', value: `${show(name)} (a YAML ${typeof name})`, expected: `a scenario name as text: quote it, name: "${show(name)}"` });
  } else if (typeof name !== 'string' || !NAME.test(name)) {
    issues.add({ file, column: 'name', value: name === undefined || name === null ? undefined : show(name), expected: 'a scenario name of letters, digits, _, . or - (e.g. credit_up_100bp)' });
  } else if (name.toLowerCase() === BASE_NAME) {
    issues.add({ file, column: 'name', value: name, expected: `another name: "${BASE_NAME}" is the row of the unshocked figures in every scenario table` });
  }
  const description = root.description;
  if (typeof description !== 'string' || description.trim() === '') {
    issues.add({ file, column: 'description', value: description === undefined || description === null ? undefined : show(description), expected: 'a sentence saying what the scenario moves' });
  }
  const shocks: ScenarioShocks = {};
  const shockNode = doc.get('shocks');
  if (!isMap(shockNode)) {
    issues.add({ file, column: 'shocks', value: root.shocks === undefined || root.shocks === null ? undefined : show(root.shocks), expected: `a mapping of at least one of ${SHOCK_KEYS.join(', ')}` });
  } else {
    const raw = root.shocks as Record<string, unknown>;
    const keys = Object.keys(raw);
    if (keys.length === 0) issues.add({ file, column: 'shocks', value: '{}', expected: `at least one of ${SHOCK_KEYS.join(', ')}` });
    for (const key of keys) {
      const where = `shocks.${key}`;
      if (!(SHOCK_KEYS as readonly string[]).includes(key)) {
        issues.add({ file, column: where, value: show(raw[key]), expected: `one of the shocks ${SHOCK_KEYS.join(', ')}` });
        continue;
      }
      const limits = SHOCK_LIMITS[key as ShockKey];
      const node = shockNode.get(key, true);
      const value = raw[key];
      // A number written as a number: quoted "100" is text, not a shock size.
      // The message quotes the number as written (`1e400`, not JSON's `null` for Infinity).
      const written = isScalar(node) && typeof value === 'number' && node.range ? text.slice(node.range[0], node.range[1]).trim() : undefined;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        // "100" in quotes reads as text: say so, or the message looks like a range error for a value in range
        issues.add({ file, column: where, value: `"${value}" (quoted: text)`, expected: `${limits.expected}, written as a YAML number without quotes` });
      } else if (!isScalar(node) || typeof value !== 'number' || !Number.isFinite(value)) {
        issues.add({ file, column: where, value: value === null || value === undefined ? undefined : written || show(value), expected: limits.expected });
      } else if (value < limits.min || value > limits.max) {
        issues.add({ file, column: where, value: written || show(value), expected: limits.expected });
      } else {
        shocks[key as ShockKey] = value;
      }
    }
  }
  if (issues.errorCount > before) return undefined;
  return { name: name as string, description: (description as string).trim(), shocks, file };
}

/** Loads one scenario file; throws XvaInputError naming every problem. */
export function loadScenario(file: string): Scenario {
  const issues = new IssueCollector();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new XvaInputError([{ file, value: code === 'ENOENT' ? 'not found' : (error as Error).message, expected: 'a readable scenario YAML file (docs/scenarios.md)' }]);
  }
  const scenario = parseScenario(text, file, issues);
  issues.throwIfAny();
  return scenario!;
}

/** Loads every `*.yaml` / `*.yml` in a folder, sorted by file name; names must be unique across the folder. */
export function loadScenarioDir(dir: string): Scenario[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new XvaInputError([{ file: dir, value: code === 'ENOENT' ? 'not found' : (error as Error).message, expected: 'a folder of scenario YAML files' }]);
  }
  if (entries.length === 0) throw new XvaInputError([{ file: dir, value: 'no .yaml files', expected: 'at least one scenario file (docs/scenarios.md)' }]);
  const issues = new IssueCollector();
  const scenarios: Scenario[] = [];
  const firstFile = new Map<string, string>();
  for (const entry of entries) {
    const file = path.join(dir, entry);
    let text: string;
    try {
      if (!statSync(file).isFile()) {
        issues.add({ file, value: 'a folder', expected: 'a scenario YAML file (every *.yaml / *.yml in the folder is read as one)' });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (error) {
      issues.add({ file, value: (error as Error).message, expected: 'a readable scenario YAML file (docs/scenarios.md)' });
      continue;
    }
    const scenario = parseScenario(text, file, issues);
    // within a folder the other file is named by its base name
    if (scenario && firstUse(firstFile, scenario, issues, path.basename)) scenarios.push(scenario);
  }
  issues.throwIfAny();
  return scenarios;
}

/** Records `scenario`'s name, or an issue naming the file that used it first; true when it is the first use. */
function firstUse(firstFile: Map<string, string>, scenario: Scenario, issues: IssueCollector, shown: (file: string) => string): boolean {
  const earlier = firstFile.get(scenario.name);
  if (earlier === undefined) {
    firstFile.set(scenario.name, scenario.file);
    return true;
  }
  issues.add({ file: scenario.file, column: 'name', value: scenario.name, expected: `a name not already used (also in ${earlier === scenario.file ? 'the same file, given twice' : shown(earlier)})` });
  return false;
}

/**
 * The scenarios of one run, given by several `--scenario` files and a `--scenarios` folder: each name at most once
 * (the tables and `xva merge` key their rows on it); a repeated name is an error naming both files.
 */
export function uniqueScenarios(scenarios: readonly Scenario[]): Scenario[] {
  const issues = new IssueCollector();
  const firstFile = new Map<string, string>();
  for (const scenario of scenarios) firstUse(firstFile, scenario, issues, (file) => file);
  issues.throwIfAny();
  return [...scenarios];
}

/**
 * The scenarios of a command's `--scenario FILE` (repeatable) and `--scenarios DIR` flags (`default`: the bundled
 * folder `defaultDir`), files first, each name once.
 */
export function loadRunScenarios(files: readonly string[] | undefined, folder: string | undefined, defaultDir: string): Scenario[] {
  // every file read before any error is thrown, so that the problems of all of them come at once, as a folder's do
  const problems: XvaInputError['issues'][number][] = [];
  const scenarios: Scenario[] = [];
  const collect = (load: () => Scenario[]): void => {
    try {
      scenarios.push(...load());
    } catch (error) {
      if (!(error instanceof XvaInputError)) throw error;
      problems.push(...error.issues);
    }
  };
  for (const file of files ?? []) collect(() => [loadScenario(path.resolve(file))]);
  if (folder !== undefined) collect(() => loadScenarioDir(folder === 'default' ? defaultDir : path.resolve(folder)));
  if (problems.length > 0) throw new XvaInputError(problems);
  return uniqueScenarios(scenarios);
}
