/**
 * The runs `xva explain` makes now (no `--results`) and the report written from them, as one transaction over the
 * `--out` folder (docs/explain.md, "Files"). An audit found a run that failed late (a bad reference entity at the
 * capital stage) or was stopped by SIGTERM leaving OUT/results part replaced under the earlier run's report.md and
 * facts.json, and a `--no-optimize` run reporting the earlier run's optimiser plan found in OUT/results/optimize.
 *
 * So the runs write into a fresh hidden folder, OUT/.results.tmp-<pid>-<random> (registered: removed on SIGTERM and
 * SIGINT, and by `abandon` when the run fails), which the report is composed from. Then, in one synchronous step (a
 * signal is handled between event-loop turns, never inside one), `commit` moves the earlier report's files and the
 * earlier stage folders (OUT/results/simulate, xva, capital, margin, optimize: STAGE_FOLDERS) aside into a hidden
 * OUT/.results.old-<pid>-<random>, moves this run's stage folders in, writes the report (report.md last) and removes
 * what it moved aside; should a step throw, it puts everything back. A run that fails or is stopped before the commit
 * leaves OUT as it was; none leaves a report beside results of another run, and the stage folders hold one run's
 * tables only (no stage's output of an earlier run: optimize with --no-optimize, margin_dim with --no-mva, stress
 * tables with --scenarios none).
 *
 * Only the stage folders are replaced: an audit (150) found the earlier design, which replaced OUT/results whole,
 * deleting the user's own files there and the amended book of an earlier run (results/optimize/amended) that the run
 * itself read as --portfolio. Every other entry of OUT/results and OUT stays; an input inside a stage folder is refused
 * before any run, as is a folder where a report file goes (the audit's report.html/, which stopped a run at the commit
 * after the earlier report.md and facts.json were deleted).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../../cli/lock.js';
import { XvaUsageError } from '../../errors.js';
import { firstUndeletable, type AccessCheck } from '../../io/folders.js';
import { markOutputsWritten, releaseTemp, trackTemp } from '../../io/tempFiles.js';
import { CHART_FILES } from '../report/charts.js';

/** Every file of a report (report/write.ts writes them, report.md last): moved aside before the results they describe. */
export const REPORT_FILES: readonly string[] = ['report.md', 'facts.json', 'report.html', ...CHART_FILES];

/** The folders of OUT/results the runs made now write (results/runNow.ts), each replaced whole by a run made now. */
export const STAGE_FOLDERS: readonly string[] = ['simulate', 'xva', 'capital', 'margin', 'optimize'];

/**
 * The hidden folders of a run in progress (`.results.tmp-<pid>-…`) and of the outputs it replaces
 * (`.results.old-<pid>-…`), removed by a later run once that process is gone. A commit that could not put the earlier
 * outputs back leaves them in `.results.kept-<pid>-…`, which no run removes.
 */
const HIDDEN = /^\.results\.(tmp|old)-(\d+)-[0-9a-f]+$/;

/** An input of the runs made now, by the flag that named it (`--portfolio`, `--market`, `--scenarios`). */
export interface RunInput {
  flag: string;
  path: string;
}

export interface ResultsStage {
  /** Where the runs write until the commit (hidden: indexTables and `--previous` never read a dot-folder). */
  readonly dir: string;
  /** OUT/results, where the stage folders are once committed. */
  readonly finalDir: string;
  /**
   * Moves the earlier report's files and stage folders aside, puts this run's stage folders in place, runs
   * `writeReport` (which must be synchronous) and removes what was moved aside; returns what `writeReport` returned.
   * If a step throws, the earlier files are put back (this run's report files removed) and the error is rethrown.
   */
  commit<T>(writeReport: () => T): T;
  /** Removes the staging folder unless committed (a run that failed): OUT is left as it was. */
  abandon(): void;
}


function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

function denied(file: string, mode: number, access: AccessCheck): string | undefined {
  try {
    access(file, mode);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

const WRITE_SEARCH = fs.constants.W_OK | fs.constants.X_OK;

/**
 * The stage folders of an earlier run in OUT/results must be replaceable by this run's: refused now (exit 2), not after
 * the runs, when OUT/results is a file, when a stage's name there is not a folder (a file, a link), when it holds an
 * entry this user cannot remove (a folder made by another account), or when OUT/results itself cannot be written.
 */
export function checkResultsReplaceable(outDir: string, access: AccessCheck = fs.accessSync): void {
  const finalDir = path.join(outDir, 'results');
  const results = lstatOrUndefined(finalDir);
  if (results === undefined) return;
  if (!results.isDirectory()) {
    throw new XvaUsageError(`--out ${outDir}: ${finalDir} is a file: the runs made now write their tables into the folder results/ there; move the file away or choose another --out`);
  }
  const code = denied(finalDir, WRITE_SEARCH, access);
  if (code) throw new XvaUsageError(`--out ${outDir}: ${finalDir} is a folder this user cannot write in (${code}): the runs made now put their tables there; choose another --out`);
  for (const name of STAGE_FOLDERS) {
    const folder = path.join(finalDir, name);
    const stats = lstatOrUndefined(folder);
    if (stats === undefined) continue;
    if (!stats.isDirectory()) {
      throw new XvaUsageError(`--out ${outDir}: ${folder} is not a folder (${stats.isSymbolicLink() ? 'a link' : 'a file'}): the runs made now write their ${name} tables as the folder ${name}/ there; move it away, or choose another --out`);
    }
    const blocked = firstUndeletable(folder, access);
    if (blocked) {
      throw new XvaUsageError(`--out ${outDir}: the earlier run's ${folder} cannot be replaced by this run's tables: ${blocked.path} ${blocked.reason}; remove it, or choose another --out`);
    }
  }
}

/**
 * The report's files must be replaceable: refused now (exit 2), not at the commit, when one of their names in OUT is a
 * folder (an audit found a report.html/ stopping the run at the commit, after the earlier report.md and facts.json had
 * been deleted) or OUT cannot be written. A file's own permissions do not matter: it is replaced by a rename.
 */
export function checkReportReplaceable(outDir: string, access: AccessCheck = fs.accessSync): void {
  if (lstatOrUndefined(outDir) === undefined) return;
  const code = denied(outDir, WRITE_SEARCH, access);
  if (code) throw new XvaUsageError(`--out ${outDir}: a folder this user cannot write in (${code}); choose another --out`);
  for (const name of REPORT_FILES) {
    const file = path.join(outDir, name);
    if (lstatOrUndefined(file)?.isDirectory()) {
      throw new XvaUsageError(`--out ${outDir}: ${file} is a folder: the report writes the file ${name} there; move the folder away, or choose another --out`);
    }
  }
}

/** `child` is `parent` or lies inside it (lexically). */
function within(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function realOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * An input of the runs made now must not lie inside a stage folder they replace: refused now (exit 2, naming the flag
 * and the path). An audit found `--portfolio OUT/results/optimize/amended` (the amended book of an earlier explain, which
 * README suggests explaining) deleted with the optimize folder it was read from. Refusing is the simple safe choice:
 * a copy would be read from a temporary path that the optimiser's manifest would then name.
 */
export function checkInputsOutsideStages(outDir: string, inputs: readonly RunInput[]): void {
  const finalDir = path.join(path.resolve(outDir), 'results');
  for (const input of inputs) {
    const at = path.resolve(input.path);
    const forms = [at, realOrSelf(at)];
    for (const name of STAGE_FOLDERS) {
      const folder = path.join(finalDir, name);
      const folderForms = [folder, realOrSelf(folder)];
      if (!forms.some((f) => folderForms.some((g) => within(f, g)))) continue;
      throw new XvaUsageError(`${input.flag} ${input.path} is inside ${folder}, which this run replaces with its own ${name} tables: copy it out of ${finalDir} first, or choose another --out`);
    }
  }
}

/** Everything the runs made now and their report need of OUT, checked before any run (each refusal exit 2). */
export function checkBeforeRunsNow(outDir: string, inputs: readonly RunInput[]): void {
  checkReportReplaceable(outDir);
  checkResultsReplaceable(outDir);
  checkInputsOutsideStages(outDir, inputs);
}

/** The hidden folders a run killed outright (SIGKILL, a power cut) left in `outDir`: its process is gone. */
function removeLeftovers(outDir: string): void {
  for (const name of fs.readdirSync(outDir)) {
    const m = HIDDEN.exec(name);
    if (!m || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
}

/**
 * The moves of a commit, each with its undo: `undoAll` runs the undos in reverse order and returns the first failure's
 * message (undefined when every earlier file is back).
 */
class Moves {
  private readonly undos: (() => void)[] = [];
  rename(from: string, to: string): void {
    fs.renameSync(from, to);
    this.undos.push(() => fs.renameSync(to, from));
  }
  made(folder: string): void {
    fs.mkdirSync(folder);
    this.undos.push(() => fs.rmdirSync(folder));
  }
  undoAll(): string | undefined {
    let failure: string | undefined;
    for (const undo of this.undos.reverse()) {
      try {
        undo();
      } catch (error) {
        failure ??= (error as Error).message;
      }
    }
    this.undos.length = 0;
    return failure;
  }
}

/** Checks that the stage folders of OUT/results can be replaced, then makes the staging folder the runs write into. */
export function stageResults(outDir: string): ResultsStage {
  checkResultsReplaceable(outDir);
  fs.mkdirSync(outDir, { recursive: true });
  removeLeftovers(outDir);
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const dir = path.join(outDir, `.results.tmp-${tag}`);
  const finalDir = path.join(outDir, 'results');
  fs.mkdirSync(dir);
  trackTemp(dir);
  let open = true;

  /** The earlier report files and stage folders aside, this run's stage folders in. */
  const swapIn = (moves: Moves, aside: string): void => {
    for (const name of REPORT_FILES) {
      if (lstatOrUndefined(path.join(outDir, name))) moves.rename(path.join(outDir, name), path.join(aside, name));
    }
    if (!lstatOrUndefined(finalDir)) moves.made(finalDir);
    fs.mkdirSync(path.join(aside, 'results'));
    for (const name of STAGE_FOLDERS) {
      const earlier = path.join(finalDir, name);
      if (lstatOrUndefined(earlier)) moves.rename(earlier, path.join(aside, 'results', name));
      const made = path.join(dir, name);
      if (lstatOrUndefined(made)) moves.rename(made, earlier);
    }
  };

  /** After a failed step: this run's report files out, the earlier files back; says so when one could not go back. */
  const rollBack = (moves: Moves, aside: string, reportStarted: boolean, error: unknown): never => {
    // the earlier report files are all aside once the report is being written: any report file in OUT is this run's
    if (reportStarted) for (const name of REPORT_FILES) fs.rmSync(path.join(outDir, name), { force: true });
    const failure = moves.undoAll();
    if (failure === undefined) {
      fs.rmSync(aside, { recursive: true, force: true });
      throw error;
    }
    // kept under a name no later run removes
    const kept = path.join(outDir, `.results.kept-${tag}`);
    fs.renameSync(aside, kept);
    throw new XvaUsageError(`${(error as Error).message}; the earlier report and results could not all be put back (${failure}): what was not is in ${kept}`);
  };

  return {
    dir,
    finalDir,
    commit<T>(writeReport: () => T): T {
      if (!open) throw new Error('ResultsStage: already committed or abandoned');
      // one synchronous step from here to the end: no signal handler runs inside it
      const aside = path.join(outDir, `.results.old-${tag}`);
      fs.mkdirSync(aside);
      const moves = new Moves();
      let reportStarted = false;
      let written: T;
      try {
        swapIn(moves, aside);
        reportStarted = true;
        written = writeReport();
      } catch (error) {
        return rollBack(moves, aside, reportStarted, error);
      }
      open = false;
      releaseTemp(dir);
      markOutputsWritten(`the report in ${outDir} and its results`);
      try {
        fs.rmSync(aside, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new XvaUsageError(`the report and its results are written; the earlier ones, moved aside to ${aside}, could not be removed (${code}): remove that folder by hand`);
      }
      return written;
    },
    abandon(): void {
      if (!open) return;
      open = false;
      fs.rmSync(dir, { recursive: true, force: true });
      releaseTemp(dir);
    },
  };
}
