/**
 * The runs `xva explain` makes now (no `--results`) and the report written from them, as one transaction over the
 * `--out` folder (docs/explain.md, "Files"). An audit found a run that failed late (a bad reference entity at the
 * capital stage) or was stopped by SIGTERM leaving OUT/results part replaced under the earlier run's report.md and
 * facts.json, and a `--no-optimize` run reporting the earlier run's optimiser plan found in OUT/results/optimize.
 *
 * So the runs write into a fresh hidden folder, OUT/.results.tmp-<pid>-<random> (registered: removed on SIGTERM and
 * SIGINT, and by `abandon` when the run fails), which the report is composed from. Then, in one synchronous step (a
 * signal is handled between event-loop turns, never inside one), `commit` removes the earlier report's files, moves
 * the earlier OUT/results aside, renames the new folder to OUT/results, writes the report (report.md last) and removes
 * the earlier results. A run that fails or is stopped before the commit leaves OUT as it was; none leaves a report
 * beside results of another run, and a results folder holds one run's tables only (no stage's output of an earlier
 * run: optimize with --no-optimize, margin_dim with --no-mva, stress tables with --scenarios none).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../../errors.js';
import { firstUndeletable, type AccessCheck } from '../../io/folders.js';
import { releaseTemp, trackTemp } from '../../io/tempFiles.js';
import { CHART_FILES } from '../report/charts.js';

/** Every file of a report (report/write.ts writes them, report.md last): removed before the results they describe. */
export const REPORT_FILES: readonly string[] = ['report.md', 'facts.json', 'report.html', ...CHART_FILES];

/** The hidden folders of a run in progress (`.results.tmp-<pid>-…`) and of the results it replaces (`.results.old-<pid>-…`). */
const HIDDEN = /^\.results\.(tmp|old)-(\d+)-[0-9a-f]+$/;

export interface ResultsStage {
  /** Where the runs write until the commit (hidden: indexTables and `--previous` never read a dot-folder). */
  readonly dir: string;
  /** OUT/results, where the tables are once committed. */
  readonly finalDir: string;
  /**
   * Removes the earlier report's files, puts the new results in place of the earlier ones, runs `writeReport` (which
   * must be synchronous) and removes the earlier results; returns what `writeReport` returned.
   */
  commit<T>(writeReport: () => T): T;
  /** Removes the staging folder unless committed (a run that failed): OUT is left as it was. */
  abandon(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * OUT/results of an earlier run must be replaceable by this one: refused now (exit 2), not after the runs, when it is a
 * file or holds an entry this user cannot remove (a folder made by another account).
 */
export function checkResultsReplaceable(outDir: string, access?: AccessCheck): void {
  const finalDir = path.join(outDir, 'results');
  if (fs.existsSync(finalDir) && !fs.statSync(finalDir).isDirectory()) {
    throw new XvaUsageError(`--out ${outDir}: ${finalDir} is a file: the runs made now write their tables into the folder results/ there; move the file away or choose another --out`);
  }
  const blocked = firstUndeletable(finalDir, access);
  if (blocked) {
    throw new XvaUsageError(`--out ${outDir}: the earlier run's ${finalDir} cannot be replaced by this run's tables: ${blocked.path} ${blocked.reason}; remove it, or choose another --out`);
  }
}

/** The hidden folders a run killed outright (SIGKILL, a power cut) left in `outDir`: its process is gone. */
function removeLeftovers(outDir: string): void {
  for (const name of fs.readdirSync(outDir)) {
    const m = HIDDEN.exec(name);
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
    fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
}

/** Checks that OUT/results can be replaced, then makes the staging folder the runs write into. */
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
  return {
    dir,
    finalDir,
    commit<T>(writeReport: () => T): T {
      if (!open) throw new Error('ResultsStage: already committed or abandoned');
      // one synchronous step from here to the end: no signal handler runs inside it
      for (const name of REPORT_FILES) fs.rmSync(path.join(outDir, name), { force: true });
      const old = fs.existsSync(finalDir) ? path.join(outDir, `.results.old-${tag}`) : undefined;
      try {
        if (old) fs.renameSync(finalDir, old);
        fs.renameSync(dir, finalDir);
      } catch (error) {
        // the earlier results back in place (the staging folder is removed by abandon)
        if (old && !fs.existsSync(finalDir)) fs.renameSync(old, finalDir);
        throw new XvaUsageError(`cannot move the tables of the runs made now from ${dir} to ${finalDir}: ${(error as Error).message}`);
      }
      open = false;
      releaseTemp(dir);
      let written: T;
      try {
        written = writeReport();
      } catch (error) {
        try {
          if (old) fs.rmSync(old, { recursive: true, force: true });
        } catch {
          // the report's own failure is the one to say
        }
        throw error;
      }
      if (old) {
        try {
          fs.rmSync(old, { recursive: true, force: true });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          throw new XvaUsageError(`the report and its results are written; the earlier results, moved aside to ${old}, could not be removed (${code}): remove that folder by hand`);
        }
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
