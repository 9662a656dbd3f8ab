/**
 * Reading a YAML input with every problem reported as an InputIssue: the file, the line (as `row`), the YAML path
 * (as `column`, e.g. `curves.discount.USD.pillars[2].tenor`), the value found and what was expected. Readers return
 * undefined after recording an issue, so that validation goes on and reports everything in one pass.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { IssueCollector } from '../errors.js';
import { parseIsoDate, parseTenor, type DateSerial, type Tenor } from '../conventions/dates.js';

export type YamlMap = Record<string, unknown>;

/** A path below `parent`: `a.b`, or `a[2]` for a list index. */
export function child(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** How a value is shown in a message: YAML spellings for the special numbers, a word for containers. */
export function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (value === Number.POSITIVE_INFINITY) return '.inf';
    if (value === Number.NEGATIVE_INFINITY) return '-.inf';
    return String(value);
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Edit distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export class YamlReader {
  private readonly lines = new Map<string, number>();
  /** Each number scalar's value and its text in the file, so that a message echoes what the user wrote (`1e400`). */
  private readonly numberTexts = new Map<string, { value: number; text: string }>();

  constructor(
    readonly file: string,
    readonly issues: IssueCollector,
  ) {}

  /**
   * Parses the text. Syntax errors (and duplicate keys) are recorded with their line and column; the result is then
   * undefined.
   */
  parse(text: string): unknown {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const pos = error.linePos?.[0];
        // The parser's first line already says `... at line L, column C:`; the code frame after it is dropped.
        let message = error.message.split('\n')[0]!.trim().replace(/:$/, '');
        if (pos && !/line \d+/.test(message)) message += ` at line ${pos.line}, column ${pos.col}`;
        this.issues.add({ file: this.file, ...(pos ? { row: pos.line } : {}), value: message, expected: 'valid YAML' });
      }
      return undefined;
    }
    this.recordLines(doc.contents as Node | null, '', lineCounter, text);
    try {
      return doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // the one error toJS raises on a well-formed document: aliases that expand past maxAliasCount ("billion laughs")
      this.issues.add({ file: this.file, value: (err as Error).message, expected: 'YAML whose aliases (*name) expand to a market of ordinary size (at most 1,000 alias uses)' });
      return undefined;
    }
  }

  private recordLines(node: Node | null | undefined, path: string, counter: LineCounter, text: string): void {
    if (!node) return;
    if (node.range) this.lines.set(path, counter.linePos(node.range[0]).line);
    if (isScalar(node) && typeof node.value === 'number' && node.range) {
      this.numberTexts.set(path, { value: node.value, text: text.slice(node.range[0], node.range[1]).trim() });
    }
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const keyPath = child(path, key);
        const keyNode = item.key as Node | null;
        if (keyNode && keyNode.range) this.lines.set(keyPath, counter.linePos(keyNode.range[0]).line);
        if (!isAlias(item.value)) this.recordLinesBelow(item.value as Node | null, keyPath, counter, text);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (!isAlias(item)) this.recordLines(item as Node | null, child(path, i), counter, text);
      });
    }
  }

  /** Like recordLines, but keeps the key's line for the path itself (a value on the next line belongs to its key). */
  private recordLinesBelow(node: Node | null | undefined, path: string, counter: LineCounter, text: string): void {
    const keyLine = this.lines.get(path);
    this.recordLines(node, path, counter, text);
    if (keyLine !== undefined) this.lines.set(path, keyLine);
  }

  /** Line of a path, or of its nearest ancestor that is in the file (for a missing key: its parent's line). */
  lineOf(path: string): number | undefined {
    let p = path;
    for (;;) {
      const line = this.lines.get(p);
      if (line !== undefined) return line;
      if (p === '') return undefined;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? '' : p.slice(0, cut);
    }
  }

  /**
   * How a value found at `path` is shown: a number as the user wrote it (`1e400`, `0.0250`, `1_000`) when the file's
   * scalar there is that number, so the message quotes the file, not the parser's reading of it (`.inf`, `0.025`).
   */
  private shown(path: string, value: unknown): string | undefined {
    if (typeof value === 'number') {
      const written = this.numberTexts.get(path);
      if (written !== undefined && Object.is(written.value, value) && written.text !== '') return written.text;
    }
    return show(value);
  }

  issue(path: string, value: unknown, expected: string): void {
    this.add(path, value, expected);
  }

  /**
   * A plausibility warning at `path` (the value loads; a run prints it and `xva validate` lists it): the market's
   * loadWarnings carry it to checkPortfolio.
   */
  warn(path: string, value: unknown, expected: string): void {
    this.add(path, value, expected, true);
  }

  private add(path: string, value: unknown, expected: string, warning = false): void {
    const row = this.lineOf(path);
    const shown = this.shown(path, value);
    this.issues.add({
      file: this.file,
      ...(row !== undefined ? { row } : {}),
      ...(path !== '' ? { column: path } : {}),
      ...(shown !== undefined ? { value: shown } : {}),
      expected,
      ...(warning ? { severity: 'warning' as const } : {}),
    });
  }

  // ---- shapes ----

  map(value: unknown, path: string, expected = 'a mapping'): YamlMap | undefined {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as YamlMap;
    this.issue(path, value, expected);
    return undefined;
  }

  list(value: unknown, path: string, expected = 'a non-empty list'): unknown[] | undefined {
    if (Array.isArray(value) && value.length > 0) return value;
    this.issue(path, Array.isArray(value) ? 'an empty list' : value, expected);
    return undefined;
  }

  /** Records every key of `obj` not in `allowed` (with a hint when it looks like a typo). */
  keys(obj: YamlMap, path: string, allowed: readonly string[], what = 'keys'): void {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const hint = closest(key, allowed);
      this.issue(
        child(path, key),
        `unknown key ${key}`,
        `one of the ${what} ${allowed.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`,
      );
    }
  }

  // ---- scalars ----

  number(value: unknown, path: string, expected = 'a finite number'): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.issue(path, value, expected);
    return undefined;
  }

  /** A finite number satisfying `test`; `expected` describes both. */
  numberWhere(value: unknown, path: string, test: (x: number) => boolean, expected: string): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && test(value)) return value;
    this.issue(path, value, expected);
    return undefined;
  }

  string(value: unknown, path: string, expected = 'a text value'): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    this.issue(path, value, expected);
    return undefined;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], what?: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === 'string' ? closest(value, allowed) : undefined;
    this.issue(path, value, `${what ? `${what}, ` : ''}one of ${allowed.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`);
    return undefined;
  }

  date(value: unknown, path: string): DateSerial | undefined {
    const serial = typeof value === 'string' ? parseIsoDate(value) : undefined;
    if (serial !== undefined) return serial;
    this.issue(path, value, 'an ISO date YYYY-MM-DD');
    return undefined;
  }

  tenor(value: unknown, path: string): Tenor | undefined {
    const tenor = typeof value === 'string' ? parseTenor(value) : undefined;
    if (tenor !== undefined && tenor.count > 0) return tenor;
    this.issue(path, value, 'a tenor such as 1W, 3M or 10Y');
    return undefined;
  }
}
