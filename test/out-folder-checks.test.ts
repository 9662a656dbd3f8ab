/**
 * The output-folder checks and transactions of audit 141, as functions:
 * - firstUndeletable (src/io/folders.ts) by the POSIX rule: an entry goes when the folder holding it grants write and
 *   search, a folder is listed with read; an empty folder goes whatever its own mode. The permission answers are
 *   given by a stub (a root process passes every real check), the tree is real;
 * - checkAmendedReplaceable (xva optimize) and checkResultsReplaceable, checkReportReplaceable and
 *   checkInputsOutsideStages (xva explain, audit 150): the exact refusal, exit-2 class;
 * - writeAmendedPortfolio over an earlier amended/: nothing left beside it (no `amended.old-<pid>`);
 * - the explain results stage: abandon leaves OUT as it was; commit replaces the stage folders and the report together,
 *   moves the earlier report's files out first (a chart the new report does not write is gone), leaves the user's other
 *   files in OUT/results (audit 150: they were deleted), puts everything back when the report writer throws (audit 150:
 *   the earlier report.md and facts.json were lost) and leaves nothing hidden;
 * - a stop (SIGINT) after the commit says the outputs are this run's (audit 150: "left as they were"), in a child
 *   process that stops itself;
 * - trackMadeFolder (simulate's --out): a stop removes the folder made and its parents while empty, never a folder
 *   that was there or holds a file;
 * - refuseEmptyPathFlags: the DIR and FILE flags of a command refused when empty.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseEmptyPathFlags } from '../src/cli/base.js';
import { XvaUsageError } from '../src/errors.js';
import { checkInputsOutsideStages, checkReportReplaceable, checkResultsReplaceable, REPORT_FILES, stageResults } from '../src/explain/results/stage.js';
import { firstUndeletable, type AccessCheck } from '../src/io/folders.js';
import { removeTrackedTemps, trackMadeFolder } from '../src/io/tempFiles.js';
import { checkAmendedReplaceable } from '../src/optimize/outputs.js';
import { writeDemoSlice } from './helpers/demoSubset.js';

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-out-checks-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every entry under `dir` (hidden ones too): a file by its content, a folder by '/'. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (at: string) => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, e.name);
      if (e.isDirectory()) {
        out.set(path.relative(dir, full), '/');
        visit(full);
      } else out.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  visit(dir);
  return out;
}

/** A stub of fs.accessSync refusing `mode` bits on the paths given (EACCES), granting everything else. */
function refusing(rules: Record<string, number>): AccessCheck {
  return (file, mode) => {
    const refused = rules[file];
    if (refused !== undefined && (mode & refused) !== 0) throw Object.assign(new Error(`EACCES: permission denied, access '${file}'`), { code: 'EACCES' });
  };
}

/** out/amended/{trades.parquet, sub/{a.parquet}, empty/}: returns out. */
function tree(name: string): string {
  const out = path.join(tmp, name);
  fs.mkdirSync(path.join(out, 'amended', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(out, 'amended', 'empty'));
  fs.writeFileSync(path.join(out, 'amended', 'trades.parquet'), 'x');
  fs.writeFileSync(path.join(out, 'amended', 'sub', 'a.parquet'), 'y');
  return out;
}

describe('firstUndeletable: what rm -r could not remove, by the folder that holds each entry', () => {
  const W = fs.constants.W_OK;
  const R = fs.constants.R_OK;
  it('a tree this user may change: undefined; a folder that is not there: undefined', () => {
    const out = tree('all-fine');
    expect(firstUndeletable(path.join(out, 'amended'), refusing({}))).toBeUndefined();
    expect(firstUndeletable(path.join(out, 'nothing'), refusing({}))).toBeUndefined();
  });
  it('a subfolder without write permission keeps its file: that subfolder is named', () => {
    const out = tree('sub-locked');
    const sub = path.join(out, 'amended', 'sub');
    expect(firstUndeletable(path.join(out, 'amended'), refusing({ [sub]: W }))).toEqual({ path: sub, reason: 'is a folder this user cannot remove entries from (no write permission) (EACCES)' });
  });
  it('an empty folder without write permission goes all the same (rmdir asks its parent)', () => {
    const out = tree('empty-locked');
    expect(firstUndeletable(path.join(out, 'amended'), refusing({ [path.join(out, 'amended', 'empty')]: W }))).toBeUndefined();
  });
  it('a folder that cannot be listed, and a parent that cannot be written, are named', () => {
    const out = tree('unlisted');
    const sub = path.join(out, 'amended', 'sub');
    expect(firstUndeletable(path.join(out, 'amended'), refusing({ [sub]: R }))).toEqual({ path: sub, reason: 'is a folder this user cannot list (no read permission) (EACCES)' });
    expect(firstUndeletable(path.join(out, 'amended'), refusing({ [out]: W }))?.path).toBe(out);
  });
  it('the files themselves need no permission (unlink asks the folder)', () => {
    const out = tree('files-read-only');
    const file = path.join(out, 'amended', 'trades.parquet');
    expect(firstUndeletable(path.join(out, 'amended'), refusing({ [file]: W | R }))).toBeUndefined();
  });
});

describe('the refusals before a run (exit 2 naming the folder)', () => {
  it('xva optimize: an earlier amended/ with a folder this user cannot empty', () => {
    const out = tree('optimize-out');
    const sub = path.join(out, 'amended', 'sub');
    const check = () => checkAmendedReplaceable(out, 'amended', refusing({ [sub]: fs.constants.W_OK }));
    expect(check).toThrow(XvaUsageError);
    expect(check).toThrow(`--out ${out}: the earlier run's amended portfolio ${path.join(out, 'amended')} cannot be replaced: ${sub} is a folder this user cannot remove entries from (no write permission) (EACCES); remove it, or choose another --out`);
    expect(() => checkAmendedReplaceable(out, 'amended', refusing({}))).not.toThrow();
  });
  it('xva optimize: amended as a file', () => {
    const out = path.join(tmp, 'optimize-file');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'amended'), 'not a folder');
    expect(() => checkAmendedReplaceable(out)).toThrow(`--out ${out}: ${path.join(out, 'amended')} is a file: the amended portfolio is written as the folder amended/ there`);
  });
  it('xva explain: an earlier results/ with a folder this user cannot empty', () => {
    const out = path.join(tmp, 'explain-out');
    fs.mkdirSync(path.join(out, 'results', 'optimize'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'optimize', 'plan.arrow'), 'x');
    const locked = path.join(out, 'results', 'optimize');
    expect(() => checkResultsReplaceable(out, refusing({ [locked]: fs.constants.W_OK }))).toThrow(
      `--out ${out}: the earlier run's ${locked} cannot be replaced by this run's tables: ${locked} is a folder this user cannot remove entries from (no write permission) (EACCES); remove it, or choose another --out`,
    );
    // only the stage folders are replaced: a locked folder of the user's own beside them is no reason to refuse
    fs.mkdirSync(path.join(out, 'results', 'mine'));
    fs.writeFileSync(path.join(out, 'results', 'mine', 'thesis.docx'), 'x');
    expect(() => checkResultsReplaceable(out, refusing({ [path.join(out, 'results', 'mine')]: fs.constants.W_OK }))).not.toThrow();
    expect(() => checkResultsReplaceable(out, refusing({ [path.join(out, 'results')]: fs.constants.W_OK }))).toThrow(
      `--out ${out}: ${path.join(out, 'results')} is a folder this user cannot write in (EACCES): the runs made now put their tables there; choose another --out`,
    );
  });
  it('xva explain: a stage name in results/ that is a file, a report name in OUT that is a folder (audit 150)', () => {
    const out = path.join(tmp, 'explain-names');
    fs.mkdirSync(path.join(out, 'results'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'xva'), 'a file of the user');
    expect(() => checkResultsReplaceable(out)).toThrow(
      `--out ${out}: ${path.join(out, 'results', 'xva')} is not a folder (a file): the runs made now write their xva tables as the folder xva/ there; move it away, or choose another --out`,
    );
    fs.mkdirSync(path.join(out, 'facts.json'));
    const check = () => checkReportReplaceable(out);
    expect(check).toThrow(XvaUsageError);
    expect(check).toThrow(`--out ${out}: ${path.join(out, 'facts.json')} is a folder: the report writes the file facts.json there; move the folder away, or choose another --out`);
    fs.rmdirSync(path.join(out, 'facts.json'));
    fs.writeFileSync(path.join(out, 'report.md'), 'a read-only report: replaced by a rename all the same');
    fs.chmodSync(path.join(out, 'report.md'), 0o444);
    expect(check).not.toThrow();
    expect(() => checkReportReplaceable(out, refusing({ [out]: fs.constants.W_OK }))).toThrow(`--out ${out}: a folder this user cannot write in (EACCES); choose another --out`);
  });
  it('xva explain: an input inside a stage folder the runs made now replace, by its path or through a link (audit 150)', () => {
    const out = path.join(tmp, 'explain-inputs');
    const results = path.join(out, 'results');
    fs.mkdirSync(path.join(results, 'optimize', 'amended'), { recursive: true });
    fs.mkdirSync(path.join(results, 'capital'), { recursive: true });
    fs.mkdirSync(path.join(results, 'optimize2'), { recursive: true });
    fs.mkdirSync(path.join(results, 'mine'), { recursive: true });
    fs.writeFileSync(path.join(results, 'capital', 'market.yaml'), 'x');
    const link = path.join(tmp, 'explain-inputs-link');
    fs.symlinkSync(path.join(results, 'optimize', 'amended'), link);
    const refused = (flag: string, p: string, stage: string) =>
      `${flag} ${p} is inside ${path.join(results, stage)}, which this run replaces with its own ${stage} tables: copy it out of ${results} first, or choose another --out`;
    expect(() => checkInputsOutsideStages(out, [{ flag: '--portfolio', path: path.join(results, 'optimize', 'amended') }])).toThrow(refused('--portfolio', path.join(results, 'optimize', 'amended'), 'optimize'));
    expect(() => checkInputsOutsideStages(out, [{ flag: '--market', path: path.join(results, 'capital', 'market.yaml') }])).toThrow(refused('--market', path.join(results, 'capital', 'market.yaml'), 'capital'));
    expect(() => checkInputsOutsideStages(out, [{ flag: '--scenarios', path: path.join(results, 'xva') }])).toThrow(refused('--scenarios', path.join(results, 'xva'), 'xva'));
    expect(() => checkInputsOutsideStages(out, [{ flag: '--portfolio', path: link }])).toThrow(refused('--portfolio', link, 'optimize'));
    // OUT, OUT/results, a folder of the user's there and a name that only begins like a stage's stay readable
    const fine = [out, results, path.join(results, 'mine'), path.join(results, 'optimize2'), path.join(tmp, 'elsewhere')].map((p) => ({ flag: '--portfolio', path: p }));
    expect(() => checkInputsOutsideStages(out, fine)).not.toThrow();
  });
});

describe('writeAmendedPortfolio over an earlier amended book', () => {
  it('replaces it and leaves nothing beside it', async () => {
    const out = path.join(tmp, 'rewrite');
    await writeDemoSlice(path.join(out, 'amended'), ['NS-CP0001-1']);
    fs.writeFileSync(path.join(out, 'amended', 'stale.csv'), 'a table of the earlier book\n');
    await writeDemoSlice(path.join(out, 'amended'), ['NS-CP0004-1']);
    expect(fs.readdirSync(out)).toEqual(['amended']);
    expect(fs.existsSync(path.join(out, 'amended', 'stale.csv'))).toBe(false);
  });
});

describe('the results stage of xva explain', () => {
  /** OUT as an earlier run left it: its report files and results/simulate/a.arrow. */
  function earlierRun(name: string): string {
    const out = path.join(tmp, name);
    fs.mkdirSync(path.join(out, 'results', 'simulate'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'simulate', 'a.arrow'), 'earlier');
    for (const f of REPORT_FILES) fs.writeFileSync(path.join(out, f), `earlier ${f}`);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'the user\'s');
    return out;
  }
  it('abandon: OUT as it was, the staging folder gone', () => {
    const out = earlierRun('stage-abandon');
    const stage = stageResults(out);
    expect(path.dirname(stage.dir)).toBe(out);
    expect(path.basename(stage.dir)).toMatch(/^\.results\.tmp-\d+-[0-9a-f]{12}$/);
    fs.mkdirSync(path.join(stage.dir, 'simulate'));
    fs.writeFileSync(path.join(stage.dir, 'simulate', 'a.arrow'), 'new');
    stage.abandon();
    expect(fs.readdirSync(out).sort()).toEqual([...REPORT_FILES, 'notes.txt', 'results'].sort());
    expect(fs.readFileSync(path.join(out, 'results', 'simulate', 'a.arrow'), 'utf8')).toBe('earlier');
  });
  it('commit: the earlier report files removed before the new results go in, the report written after, nothing hidden left', () => {
    const out = earlierRun('stage-commit');
    const stage = stageResults(out);
    fs.mkdirSync(path.join(stage.dir, 'xva'));
    fs.writeFileSync(path.join(stage.dir, 'xva', 'b.arrow'), 'new');
    const seen = stage.commit(() => {
      // what the report writer finds: no report file of the earlier run, this run's results in place
      const at = { report: REPORT_FILES.filter((f) => fs.existsSync(path.join(out, f))), results: fs.readdirSync(path.join(out, 'results')) };
      fs.writeFileSync(path.join(out, 'report.md'), 'new report');
      return at;
    });
    expect(seen).toEqual({ report: [], results: ['xva'] });
    expect(fs.readdirSync(out).sort()).toEqual(['notes.txt', 'report.md', 'results']);
    stage.abandon(); // after a commit: nothing to do
    expect(fs.readFileSync(path.join(out, 'results', 'xva', 'b.arrow'), 'utf8')).toBe('new');
  });
  it("commit: only the stage folders are replaced; the user's files in results/ and OUT stay (audit 150)", () => {
    const out = earlierRun('stage-own-files');
    fs.mkdirSync(path.join(out, 'results', 'optimize', 'amended'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'optimize', 'amended', 'trades.parquet'), 'earlier plan');
    fs.writeFileSync(path.join(out, 'results', 'budget.xlsx'), 'keep');
    fs.mkdirSync(path.join(out, 'results', 'mine'));
    fs.writeFileSync(path.join(out, 'results', 'mine', 'thesis.docx'), 'keep too');
    const stage = stageResults(out);
    fs.mkdirSync(path.join(stage.dir, 'xva'));
    fs.writeFileSync(path.join(stage.dir, 'xva', 'b.arrow'), 'new');
    stage.commit(() => fs.writeFileSync(path.join(out, 'report.md'), 'new report'));
    // simulate/ and optimize/ of the earlier run gone (this run wrote neither), xva/ this run's, the rest untouched
    expect(fs.readdirSync(path.join(out, 'results')).sort()).toEqual(['budget.xlsx', 'mine', 'xva']);
    expect(fs.readFileSync(path.join(out, 'results', 'budget.xlsx'), 'utf8')).toBe('keep');
    expect(fs.readFileSync(path.join(out, 'results', 'mine', 'thesis.docx'), 'utf8')).toBe('keep too');
    expect(fs.readdirSync(out).sort()).toEqual(['notes.txt', 'report.md', 'results']);
  });
  it('commit: a report writer that throws puts the earlier report and results back, byte for byte (audit 150)', () => {
    const out = earlierRun('stage-rollback');
    fs.writeFileSync(path.join(out, 'results', 'budget.xlsx'), 'keep');
    const before = snapshot(out);
    const stage = stageResults(out);
    fs.mkdirSync(path.join(stage.dir, 'simulate'));
    fs.writeFileSync(path.join(stage.dir, 'simulate', 'a.arrow'), 'new');
    const failing = () =>
      stage.commit(() => {
        // part of the new report written, then a failure (a full disk, a folder where a file goes)
        fs.writeFileSync(path.join(out, 'facts.json'), 'new facts');
        fs.writeFileSync(path.join(out, 'xva-waterfall.svg'), 'new chart');
        throw new Error('ENOSPC: no space left on device, write');
      });
    expect(failing).toThrow('ENOSPC: no space left on device, write');
    stage.abandon();
    expect(snapshot(out)).toEqual(before);
  });
  it('a staging folder of a run killed outright (its process gone) is removed by the next run', () => {
    const out = earlierRun('stage-leftover');
    // a pid that is not alive: above the kernel's pid_max default
    const dead = path.join(out, '.results.tmp-99999999-0123456789ab');
    fs.mkdirSync(dead);
    const stage = stageResults(out);
    expect(fs.existsSync(dead)).toBe(false);
    stage.abandon();
  });
});

describe('trackMadeFolder: the --out folder a stopped simulate made', () => {
  it('removed with the parents made with it while empty; one holding a file or there before stays', () => {
    const top = path.join(tmp, 'made-top');
    const out = path.join(top, 'a', 'out');
    trackMadeFolder(out);
    fs.mkdirSync(out, { recursive: true });
    const there = path.join(tmp, 'there-before');
    fs.mkdirSync(there);
    trackMadeFolder(there);
    const kept = path.join(tmp, 'made-kept', 'out');
    trackMadeFolder(kept);
    fs.mkdirSync(kept, { recursive: true });
    fs.writeFileSync(path.join(kept, 'manifest.json'), '{}');
    removeTrackedTemps(); // what SIGTERM and SIGINT run
    expect(fs.existsSync(top)).toBe(false);
    expect(fs.existsSync(there)).toBe(true);
    expect(fs.readdirSync(kept)).toEqual(['manifest.json']);
  });
  it('the release at the end of a failed run does the same; after a run that wrote, nothing goes', () => {
    const top = path.join(tmp, 'released-top');
    const release = trackMadeFolder(path.join(top, 'out'));
    fs.mkdirSync(path.join(top, 'out'), { recursive: true });
    release();
    expect(fs.existsSync(top)).toBe(false);
  });
});

describe('refuseEmptyPathFlags', () => {
  const defs = { portfolio: { helpValue: 'DIR' }, market: { helpValue: 'FILE' }, paths: { helpValue: 'N' }, out: { helpValue: 'DIR' } };
  it('an empty DIR or FILE flag is refused with the flag named; other flags and --out (checkOutFolder) are not its', () => {
    expect(() => refuseEmptyPathFlags({ portfolio: ' ' }, defs)).toThrow(new XvaUsageError('--portfolio: an empty value: expected a folder'));
    expect(() => refuseEmptyPathFlags({ market: '' }, defs)).toThrow(new XvaUsageError('--market: an empty value: expected a file'));
    expect(() => refuseEmptyPathFlags({ paths: '', out: '', portfolio: 'book' }, defs)).not.toThrow();
  });
});

describe('a stop (SIGINT, SIGTERM) after the outputs are written (audit 150)', () => {
  const DIST = path.join(import.meta.dirname, '..', 'dist', 'src');
  /** A process that stages results into `out`, commits them with a report when `commit`, then stops itself with SIGINT. */
  function stopAfter(out: string, commit: boolean) {
    const script = `
      import fs from 'node:fs';
      import path from 'node:path';
      import { stageResults } from ${JSON.stringify(pathToFileURL(path.join(DIST, 'explain/results/stage.js')).href)};
      import { installSignalCleanup } from ${JSON.stringify(pathToFileURL(path.join(DIST, 'io/tempFiles.js')).href)};
      installSignalCleanup();
      const out = ${JSON.stringify(out)};
      const stage = stageResults(out);
      fs.mkdirSync(path.join(stage.dir, 'xva'));
      fs.writeFileSync(path.join(stage.dir, 'xva', 'b.arrow'), 'new');
      if (${commit}) stage.commit(() => fs.writeFileSync(path.join(out, 'report.md'), 'new report'));
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => {}, 10000);
    `;
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  }
  it('before the commit: the staging folder removed, the outputs as they were, and the message says so', () => {
    const out = path.join(tmp, 'stop-before');
    fs.mkdirSync(path.join(out, 'results', 'xva'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'xva', 'b.arrow'), 'earlier');
    const run = stopAfter(out, false);
    expect(run.status, run.stderr).toBe(130);
    expect(run.stderr).toBe('xva: stopped by SIGINT; temporary files removed, outputs left as they were before this run wrote them\n');
    expect(fs.readdirSync(out)).toEqual(['results']);
    expect(fs.readFileSync(path.join(out, 'results', 'xva', 'b.arrow'), 'utf8')).toBe('earlier');
  });
  it('after the commit: the message says the outputs are this run\'s and complete (the audit found "left as they were")', () => {
    const out = path.join(tmp, 'stop-after');
    fs.mkdirSync(path.join(out, 'results', 'xva'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results', 'xva', 'b.arrow'), 'earlier');
    const run = stopAfter(out, true);
    expect(run.status, run.stderr).toBe(130);
    expect(run.stderr).toBe(`xva: stopped by SIGINT after this run had written its outputs (the report in ${out} and its results): they are this run's, complete\n`);
    expect(fs.readFileSync(path.join(out, 'results', 'xva', 'b.arrow'), 'utf8')).toBe('new');
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toBe('new report');
  });
});
