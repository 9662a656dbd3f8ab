/**
 * The shared base of every `xva` command: common flags, exit codes, error rendering and progress. Commands stay
 * thin: parse flags, call the library in src/, render.
 *
 * Exit codes: 0 success, 2 bad input or usage, 1 internal error (3 is reserved for "another run holds the lock").
 */
import { Command, Flags, Errors } from '@oclif/core';
import fs from 'node:fs';
import path from 'node:path';
import { XvaInputError, XvaLockedError, XvaUsageError, formatIssue } from '../errors.js';
import { defaultPortfolioDir } from './paths.js';
import { Progress } from './progress.js';

/**
 * `--out` must name a folder that exists or can be made: refused before any work (a long run must not fail at its
 * last step) when it is empty, when it or a folder above it is a file, or when its first missing folder cannot be made.
 */
export function checkOutFolder(out: string, flag = '--out'): void {
  if (out.trim() === '') throw new XvaUsageError(`${flag}: an empty value: expected a folder`);
  let at = path.resolve(out);
  let missing: string | undefined; // the first folder of the path that is not there
  for (;;) {
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(at);
    } catch {
      stats = undefined; // not there (yet): its parent decides
    }
    if (stats !== undefined) {
      if (!stats.isDirectory()) throw new XvaUsageError(`${flag} ${out}: ${at} is a file, not a folder: expected a folder (existing, or one that can be made)`);
      // an existing folder the run could not write into is said now, not after the run (the outputs are written at
      // its end); a folder still to be made is tried below
      if (at === path.resolve(out)) {
        try {
          fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          throw new XvaUsageError(`${flag} ${out}: cannot write into the folder ${at} (${code}): expected a folder this user may write to`);
        }
      }
      break;
    }
    missing = at;
    const parent = path.dirname(at);
    if (parent === at) return;
    at = parent;
  }
  if (missing === undefined) return;
  // made and removed at once, so that a folder that cannot be made (no permission, a read-only or virtual file
  // system such as /proc, where Node's recursive mkdir never returns) is said now, and nothing is left behind
  // (another run making it meanwhile, as shard processes started together do, is no error)
  try {
    fs.mkdirSync(missing);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === 'EEXIST') return;
    throw new XvaUsageError(`${flag} ${out}: cannot make the folder ${missing} (${code}): expected a folder that exists or can be made`);
  }
  try {
    fs.rmdirSync(missing);
  } catch {
    // another run has started to write into it: it stays
  }
}

/**
 * A flag naming a file or folder given an empty value (`--portfolio=`, `--results ""`) is refused as `--out ""` is:
 * path.resolve('') is the working folder, which the user did not name (an audit found `--portfolio=` reading the
 * current folder as the book).
 */
export function refuseEmptyPath(value: string, flag: string, expected: 'a folder' | 'a file' | 'a file or folder'): void {
  if (value.trim() === '') throw new XvaUsageError(`${flag}: an empty value: expected ${expected}`);
}

/** Every path flag (its helpValue names a DIR or FILE: `DIR`, `FILE`, `FILE|DIR`), each of its values if given more than once, is checked by refuseEmptyPath. */
export function refuseEmptyPathFlags(flags: object, definitions: Record<string, { helpValue?: unknown }>): void {
  for (const [name, given] of Object.entries(flags)) {
    if (name === 'out') continue; // --out: checkOutFolder
    // a flag given more than once (`--scenario A --scenario B`) holds each value; an audit found `--scenario=` (an
    // array) and `--what-if=` (FILE|DIR) passed over, the latter running the what-if on the working folder's trades
    const values = typeof given === 'string' ? [given] : Array.isArray(given) ? given.filter((v): v is string => typeof v === 'string') : [];
    const help = definitions[name]?.helpValue;
    if (typeof help !== 'string') continue;
    const file = /\bFILE\b/.test(help);
    const dir = /\bDIR\b/.test(help);
    if (!file && !dir) continue;
    for (const value of values) refuseEmptyPath(value, `--${name}`, file && dir ? 'a file or folder' : dir ? 'a folder' : 'a file');
  }
}

/**
 * An output file (`--write-crif FILE`): refused before any work when it is a folder, or when its folder could not be
 * made or written into (checkOutFolder on the folder it goes in).
 */
export function checkOutFile(file: string, flag: string): void {
  if (file.trim() === '') throw new XvaUsageError(`${flag}: an empty value: expected a file`);
  const at = path.resolve(file);
  if (fs.existsSync(at) && fs.statSync(at).isDirectory()) throw new XvaUsageError(`${flag} ${file}: ${at} is a folder: expected a file name`);
  const folder = path.dirname(at);
  try {
    checkOutFolder(folder, flag);
  } catch (error) {
    if (!(error instanceof XvaUsageError)) throw error;
    throw new XvaUsageError(error.message.replace(`${flag} ${folder}:`, `${flag} ${file}:`));
  }
}

/** Output-mode flags every command has. */
export const outputFlags = {
  json: Flags.boolean({ description: 'Print one JSON document on stdout and nothing else there', default: false }),
  quiet: Flags.boolean({ char: 'q', description: 'No tables or progress; errors only', default: false }),
  debug: Flags.boolean({ description: 'Show stack traces of internal errors (xva explain: also the narrator exchanges); XVA_DEBUG=1 does the same', default: false }),
};

/** Flags of the commands that read a portfolio folder and its market file (spread into their `flags`). */
export const portfolioFlags = {
  portfolio: Flags.string({
    description: 'Portfolio folder (trades, counterparties, netting_sets, ... as .parquet or .csv). Default: the bundled fixtures/demo',
    helpValue: 'DIR',
  }),
  market: Flags.string({ description: 'Market data YAML file. Default: market.yaml in the portfolio folder', helpValue: 'FILE' }),
};

export abstract class XvaCommand extends Command {
  /** Output-mode flags every command has. */
  static override baseFlags = outputFlags;

  protected jsonMode = false;
  protected quietMode = false;
  protected debugMode = false;

  protected portfolioDir(flag: string | undefined): string {
    if (flag !== undefined) refuseEmptyPath(flag, '--portfolio', 'a folder');
    return path.resolve(flag ?? defaultPortfolioDir());
  }

  protected marketFile(flag: string | undefined, portfolioDir: string): string {
    if (flag !== undefined) refuseEmptyPath(flag, '--market', 'a file');
    return path.resolve(flag ?? path.join(portfolioDir, 'market.yaml'));
  }

  /** Records the output modes from parsed flags; call right after `this.parse`. */
  protected setModes(flags: { json?: boolean; quiet?: boolean; debug?: boolean; out?: string }): void {
    this.jsonMode = Boolean(flags.json);
    this.quietMode = Boolean(flags.quiet);
    this.debugMode = Boolean(flags.debug) || process.env.XVA_DEBUG === '1';
    refuseEmptyPathFlags(flags, (this.constructor as { flags?: Record<string, { helpValue?: unknown }> }).flags ?? {});
    if (flags.out !== undefined) checkOutFolder(flags.out);
  }

  /** A spinner on stderr, only on a TTY and when neither --json nor --quiet (cron logs stay clean). */
  protected progress(text: string): Progress {
    return new Progress(text, !this.quietMode && !this.jsonMode);
  }

  /**
   * Runs a long job with a spinner (stderr, TTY only): the job gets a progress callback (fraction done, stage) and a
   * warning callback that clears the spinner before writing the warning; the spinner always stops.
   */
  protected async withProgress<T>(
    label: string,
    job: (onProgress: (fraction: number, stage: string) => void, onWarning: (text: string) => void) => Promise<T>,
  ): Promise<T> {
    const progress = this.progress(label);
    try {
      return await job(
        (fraction, stage) => progress.update(stage, fraction),
        (text) => {
          progress.stop();
          this.warnLine(text);
        },
      );
    } finally {
      progress.stop();
    }
  }

  /** Human output on stdout, suppressed in --json and --quiet modes. */
  protected say(text: string): void {
    if (!this.jsonMode && !this.quietMode) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** Warnings go to stderr (never stdout, which --json keeps for the document); --quiet keeps errors only. */
  protected warnLine(text: string): void {
    if (this.quietMode) return;
    process.stderr.write(`warning: ${text}\n`);
  }

  protected printJson(doc: unknown): void {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif ends the process with process.exit, which drops what a pipe has not taken yet (a long list of problems
    // piped to a file was cut at 64 KiB): every exit below waits for stdout and stderr to be flushed first
    if (err instanceof XvaInputError) {
      process.stderr.write(`error: the input has ${err.issues.length + err.truncated} problem(s):\n`);
      for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
      if (err.truncated > 0) process.stderr.write(`  ... and ${err.truncated} more\n`);
      await flushOutput();
      this.exit(2);
    }
    if (err instanceof XvaUsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      await flushOutput();
      this.exit(2);
    }
    if (err instanceof XvaLockedError) {
      process.stderr.write(`error: ${err.message}\n`);
      await flushOutput();
      this.exit(3);
    }
    // oclif's own flag-parsing errors (unknown flag, bad value) are usage errors
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      const name = err.constructor?.name ?? '';
      const exit = err.oclif?.exit;
      if (exit === 2 || /Flag|Arg|Parse|Validation|Nonexistent/i.test(name)) {
        process.stderr.write(`error: ${err.message}\n`);
        await flushOutput();
        this.exit(2);
      }
    }
    if (err instanceof Errors.ExitError || (err && typeof err === 'object' && 'code' in err && (err as { code?: string }).code === 'EEXIT')) {
      await flushOutput();
      throw err;
    }
    if (outOfMemory(err)) {
      // not a defect: the run asked for more memory than this process has (most often --paths on a large book)
      process.stderr.write(`error: out of memory (${err.message}): the run's arrays do not fit in this process's memory; lower --paths, split the book with --shard K/N (docs/scale.md), or run on a machine with more memory\n`);
      if (this.debugMode && err.stack) process.stderr.write(err.stack + '\n');
      await flushOutput();
      this.exit(2);
    }
    process.stderr.write(`internal error: ${err.message}\n`);
    if (this.debugMode && err.stack) process.stderr.write(err.stack + '\n');
    else process.stderr.write('(run again with --debug for details; please report it)\n');
    await flushOutput();
    this.exit(1);
  }
}

/**
 * Whether an error is the JavaScript engine refusing an allocation (a typed array or buffer too large, a worker
 * thread out of its heap): a run too big for this process, said as such rather than as an internal error.
 */
export function outOfMemory(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || code === 'ERR_BUFFER_TOO_LARGE' || code === 'ERR_STRING_TOO_LONG') return true;
  // also a worker thread's, which comes back as an internal error carrying the worker's message (pool.ts)
  if (/Array buffer allocation failed|Reached heap limit/i.test(err.message)) return true;
  // a length past what V8 allocates (a negative or fractional one is a defect, reported as such)
  const length = /Invalid (?:typed array|array buffer) length: (\d+)$/.exec(err.message);
  return length !== null && Number(length[1]) >= 2 ** 28;
}

/** Resolves once stdout and stderr have handed every earlier write to the system (at most 5 s: never hangs an exit). */
function flushOutput(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    timer.unref();
    void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
