/**
 * The output-folder checks and transactions of audit 141, as functions:
 * - firstUndeletable (src/io/folders.ts) by the POSIX rule: an entry goes when the folder holding it grants write and
 *   search, a folder is listed with read; an empty folder goes whatever its own mode. The permission answers are
 *   given by a stub (a root process passes every real check), the tree is real;
 * - checkAmendedReplaceable (xva optimize) and checkResultsReplaceable (xva explain): the exact refusal, exit-2 class;
 * - writeAmendedPortfolio over an earlier amended/: nothing left beside it (no `amended.old-<pid>`);
 * - the explain results stage: abandon leaves OUT as it was; commit replaces the results and the report together,
 *   removes the earlier report's files first (a chart the new report does not write is gone) and leaves nothing hidden;
 * - trackMadeFolder (simulate's --out): a stop removes the folder made and its parents while empty, never a folder
 *   that was there or holds a file;
 * - refuseEmptyPathFlags: the DIR and FILE flags of a command refused when empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseEmptyPathFlags } from '../src/cli/base.js';
import { XvaUsageError } from '../src/errors.js';
import { checkResultsReplaceable, REPORT_FILES, stageResults } from '../src/explain/results/stage.js';
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
      `--out ${out}: the earlier run's ${path.join(out, 'results')} cannot be replaced by this run's tables: ${locked} is a folder this user cannot remove entries from (no write permission) (EACCES); remove it, or choose another --out`,
    );
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
