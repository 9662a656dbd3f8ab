/**
 * Errors are values: every problem with a user's input names where it is (file, row, column), the value found and
 * what was expected, in a sentence a risk analyst understands. Commands print them and exit 2; they never show a
 * stack trace for a user's mistake.
 */

export interface InputIssue {
  /** File the problem is in (as the user named it, or relative to the portfolio folder). */
  file: string;
  /** 1-based data row (the header is not counted); undefined for file-level problems. */
  row?: number;
  /** Column or YAML path (e.g. `maturity_date`, `curves.discount.USD.pillars[2].tenor`). */
  column?: string;
  /** The offending value as text; undefined when the value is missing. */
  value?: string;
  /** What was expected, as a phrase: "a date after start 2020-01-01", "one of USD, EUR, GBP". */
  expected: string;
  severity?: 'error' | 'warning';
}

/** A value as shown in a message: at most 200 characters on one line (a whole file given as a cell is cut). */
// control characters, blanks that are not a space (no-break, zero-width, byte order mark) and dashes that look like a
// minus: a value holding one looks right when printed and is not (CP_A with a zero-width space is another id)
const UNSEEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u00a0\u00ad\u2000-\u200f\u2010-\u2015\u2028-\u202f\u205f-\u206f\u2212\u3000\ufeff]/g;

export function shortValue(value: string): string {
  let line = value.replace(/\r?\n/g, '\\n');
  const unseen = UNSEEN.test(line);
  UNSEEN.lastIndex = 0;
  if (unseen) line = line.replace(UNSEEN, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  const body = line.length <= 200 ? line : `${line.slice(0, 160)}... (${value.length} characters in all)`;
  return unseen ? `${body} (holds invisible or look-alike characters, shown as \\uXXXX)` : body;
}

/** Formats an issue the same way everywhere: `trades.parquet row 1204 column maturity_date: 2019-05-01 is ...`. */
export function formatIssue(issue: InputIssue): string {
  let where = issue.file;
  if (issue.row !== undefined) where += ` row ${issue.row}`;
  if (issue.column !== undefined) where += ` column ${issue.column}`;
  const value = issue.value === undefined ? 'missing value' : issue.value === '' ? 'empty value' : shortValue(issue.value);
  return `${where}: ${value}: expected ${issue.expected}`;
}

/** Thrown when input is unusable. Carries every issue found so that a user fixes them in one pass. */
export class XvaInputError extends Error {
  readonly issues: InputIssue[];
  readonly truncated: number;
  constructor(issues: InputIssue[], truncated = 0) {
    const lines = issues.map(formatIssue);
    if (truncated > 0) lines.push(`... and ${truncated} more problems`);
    super(lines.join('\n'));
    this.name = 'XvaInputError';
    this.issues = issues;
    this.truncated = truncated;
  }
}

/** Thrown for a wrong flag or argument (exit code 2, like bad input). */
export class XvaUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XvaUsageError';
  }
}

/** Collects issues up to a limit, counting the rest, so validation reports everything at once. */
export class IssueCollector {
  readonly issues: InputIssue[] = [];
  readonly warnings: InputIssue[] = [];
  truncated = 0;
  /** Warnings beyond the limit, counted. */
  warningsTruncated = 0;
  constructor(readonly limit = 200) {}

  add(issue: InputIssue): void {
    if (issue.severity === 'warning') {
      if (this.warnings.length < this.limit) this.warnings.push(issue);
      else this.warningsTruncated++;
      return;
    }
    if (this.issues.length < this.limit) this.issues.push(issue);
    else this.truncated++;
  }

  get errorCount(): number {
    return this.issues.length + this.truncated;
  }

  get ok(): boolean {
    return this.errorCount === 0;
  }

  /** Throws an XvaInputError when any error was collected. */
  throwIfAny(): void {
    if (!this.ok) throw new XvaInputError(this.issues, this.truncated);
  }
}

/** A mistake in the program, not in the input (exit code 1). */
/** Another run holds the lock of the output folder (exit code 3): cron jobs must not overlap. */
export class XvaLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XvaLockedError';
  }
}

export class XvaInternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XvaInternalError';
  }
}
