/**
 * `xva explain` without --results over an --out folder that holds an earlier run (audit 141): the runs made now and
 * the report are one transaction (src/explain/results/stage.ts, docs/explain.md "Files").
 * - a run with fewer stages (--no-optimize --no-mva --scenarios none, another book) leaves none of the earlier run's
 *   stage outputs: no optimize/ (the audit's report named the earlier book's netting sets in its recommendations), no
 *   margin_dim, no stress facts; every netting set the report and facts.json name is one of this book's;
 * - a run failing at the capital stage (a CDS whose reference entity has no rating) and a run stopped by SIGTERM after
 *   its simulate and XVA stages leave the folder byte for byte as it was (the audit found results/ part replaced under
 *   the earlier report), and the stop message says so; a fresh --out is removed again;
 * - audit 150: only the stage folders of OUT/results are replaced (the user's budget.xlsx and mine/thesis.docx there
 *   were deleted with the whole folder); a --portfolio inside a stage folder the run replaces (the amended book of the
 *   earlier explain, which the audit's run deleted while reading it) and a report.html/ folder in OUT (which stopped
 *   the run at the commit after deleting the earlier report.md and facts.json) are refused before any run, exit 2,
 *   the folder byte for byte as it was;
 * - `--previous DIR` of no results is refused naming --previous, not --results.
 * The books are slices of the demo (test/helpers/demoSubset.ts), small enough for a run of a few seconds.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSlice } from './helpers/demoSubset.js';
import { ensureBuilt, startXva, xva } from './helpers/scaleCli.js';

/** Book A: three bilateral sets, a cleared one and a SIMM set (dynamic IM: margin_dim); book B: three other sets. */
const BOOK_A = ['NS-CP0001-1', 'NS-CP0004-1', 'NS-CP0005-1', 'NS-CCP_LCH', 'NS-CP0031-2'];
const BOOK_B = ['NS-CP0007-1', 'NS-CP0008-1', 'NS-CP0010-1'];
const SMALL = ['--paths', '64', '--threads', '1', '--optimize-paths', '32', '--max-candidates', '1'];

let tmp = '';
let bookA = '';
let bookB = '';
let earlier = '';

/** Every entry under `dir` (hidden ones too): a file by its SHA-256, a folder by '/'. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (at: string) => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, e.name);
      const rel = path.relative(dir, full);
      if (e.isDirectory()) {
        out.set(rel, '/');
        visit(full);
      } else out.set(rel, createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
    }
  };
  visit(dir);
  return out;
}

function copyOfEarlier(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(earlier, dir, { recursive: true });
  return dir;
}

/** Resolves when `text` appears in the child's stderr (or it ends). */
function stderrShows(child: ReturnType<typeof startXva>['child'], text: string): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve(true);
    });
    child.on('close', () => resolve(seen.includes(text)));
  });
}

beforeAll(async () => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-out-'));
  bookA = await writeDemoSlice(path.join(tmp, 'book-a'), BOOK_A);
  bookB = await writeDemoSlice(path.join(tmp, 'book-b'), BOOK_B);
  // the earlier run: every stage (optimiser, dynamic IM and MVA, the bundled stress scenarios)
  earlier = path.join(tmp, 'earlier');
  const run = await xva(['explain', '--portfolio', bookA, ...SMALL, '--out', earlier, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  expect(fs.readdirSync(path.join(earlier, 'results')).sort()).toEqual(['capital', 'margin', 'optimize', 'simulate', 'xva']);
  expect(fs.existsSync(path.join(earlier, 'results/margin/margin_dim.arrow'))).toBe(true);
}, 240_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('xva explain over an earlier run: one run per folder', () => {
  it('--no-optimize --no-mva --scenarios none on another book: none of the earlier stages\' outputs is read or kept', async () => {
    const out = copyOfEarlier('fewer-stages');
    const run = await xva(['explain', '--portfolio', bookB, ...SMALL, '--no-optimize', '--no-mva', '--scenarios', 'none', '--out', out, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readdirSync(path.join(out, 'results')).sort()).toEqual(['capital', 'margin', 'simulate', 'xva']);
    expect(fs.existsSync(path.join(out, 'results/margin/margin_dim.arrow'))).toBe(false);
    // nothing hidden left (staging folder, the earlier results moved aside, the lock)
    expect(fs.readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
    const ids = (JSON.parse(fs.readFileSync(path.join(out, 'facts.json'), 'utf8')) as { facts: { id: string }[] }).facts.map((f) => f.id);
    expect(ids.filter((id) => id.startsWith('plan.') || id.startsWith('rec.'))).toEqual([]);
    expect(ids.filter((id) => id.startsWith('scenario.'))).toEqual([]);
    // the reference: book B's netting sets; the earlier book's must not appear anywhere in the report
    const named = (text: string) => new Set(text.match(/NS-(?:CP\d{4}-\d+|CCP_[A-Z]+)/g) ?? []);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    for (const text of [md, fs.readFileSync(path.join(out, 'facts.json'), 'utf8')]) for (const id of named(text)) expect(BOOK_B, id).toContain(id);
    expect([...named(md)].sort()).toEqual(BOOK_B);
  }, 120_000);

  it('a run failing at the capital stage leaves the folder as it was (report and results of the earlier run)', async () => {
    const bad = path.join(tmp, 'book-b-no-ratings');
    fs.cpSync(bookB, bad, { recursive: true });
    // NS-CP0010-1's CDS on SOLACE_TELECOM then has no rating: refused by SA-CCR, after simulate and the XVA run
    fs.rmSync(path.join(bad, 'reference_entities.parquet'));
    const out = copyOfEarlier('failed-late');
    const before = snapshot(out);
    const run = await xva(['explain', '--portfolio', bad, ...SMALL, '--scenarios', 'none', '--out', out]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('xva explain: capital and KVA');
    expect(run.stderr).toContain('SOLACE_TELECOM: expected a rating for the reference entity');
    expect(snapshot(out)).toEqual(before);
  }, 120_000);

  it('SIGTERM after the simulate and XVA stages: the folder as it was, and the stop message says so', async () => {
    const out = copyOfEarlier('stopped');
    const before = snapshot(out);
    const { child, done } = startXva(['explain', '--portfolio', bookA, ...SMALL, '--seed', '5', '--out', out]);
    expect(await stderrShows(child, 'xva explain: capital and KVA')).toBe(true);
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.status, stopped.stderr).toBe(143);
    expect(stopped.stderr).toContain('xva: stopped by SIGTERM; temporary files removed, outputs left as they were before this run wrote them');
    expect(snapshot(out)).toEqual(before);
  }, 120_000);

  it('SIGTERM of a run into a new folder: the folder is removed again', async () => {
    const out = path.join(tmp, 'new-parent', 'report');
    const { child, done } = startXva(['explain', '--portfolio', bookA, ...SMALL, '--out', out]);
    expect(await stderrShows(child, 'xva explain: capital and KVA')).toBe(true);
    child.kill('SIGTERM');
    expect((await done).status).toBe(143);
    expect(fs.existsSync(path.join(tmp, 'new-parent'))).toBe(false);
  }, 120_000);

  it("the user's own files in OUT/results stay: only the stage folders are replaced (audit 150)", async () => {
    const out = copyOfEarlier('own-files');
    fs.writeFileSync(path.join(out, 'results', 'budget.xlsx'), 'keep');
    fs.mkdirSync(path.join(out, 'results', 'mine'));
    fs.writeFileSync(path.join(out, 'results', 'mine', 'thesis.docx'), 'keep too');
    const run = await xva(['explain', '--portfolio', bookB, ...SMALL, '--no-optimize', '--no-mva', '--scenarios', 'none', '--out', out, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    // the stage folders of this run, the earlier optimize/ gone (a --no-optimize run), the user's entries as they were
    expect(fs.readdirSync(path.join(out, 'results')).sort()).toEqual(['budget.xlsx', 'capital', 'margin', 'mine', 'simulate', 'xva']);
    expect(fs.readFileSync(path.join(out, 'results', 'budget.xlsx'), 'utf8')).toBe('keep');
    expect(fs.readFileSync(path.join(out, 'results', 'mine', 'thesis.docx'), 'utf8')).toBe('keep too');
    expect(fs.existsSync(path.join(out, 'results/margin/margin_dim.arrow'))).toBe(false);
    expect(fs.readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('--portfolio inside a stage folder this run replaces (the amended book of an earlier explain) is refused before any run, exit 2', async () => {
    const out = copyOfEarlier('amended-input');
    const amended = path.join(out, 'results', 'optimize', 'amended');
    expect(fs.existsSync(path.join(amended, 'trades.parquet'))).toBe(true);
    const before = snapshot(out);
    const run = await xva(['explain', '--portfolio', amended, ...SMALL, '--no-optimize', '--out', out]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      `error: --portfolio ${amended} is inside ${path.join(out, 'results', 'optimize')}, which this run replaces with its own optimize tables: copy it out of ${path.join(out, 'results')} first, or choose another --out`,
    );
    expect(run.stderr).not.toContain('simulating the exposure');
    expect(snapshot(out)).toEqual(before);
  }, 60_000);

  it('a folder where a report file goes (report.html/) is refused before any run, exit 2; the earlier report and results stay (audit 150)', async () => {
    const out = copyOfEarlier('report-html-folder');
    fs.mkdirSync(path.join(out, 'report.html'));
    fs.writeFileSync(path.join(out, 'report.html', 'x'), 'mine');
    const before = snapshot(out);
    const run = await xva(['explain', '--portfolio', bookA, ...SMALL, '--out', out]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: --out ${out}: ${path.join(out, 'report.html')} is a folder: the report writes the file report.html there; move the folder away, or choose another --out`);
    expect(run.stderr).not.toContain('simulating the exposure');
    expect(snapshot(out)).toEqual(before);
  }, 60_000);

  it('--previous of a folder with no results is refused naming --previous (exit 2)', async () => {
    const empty = path.join(tmp, 'empty-previous');
    fs.mkdirSync(empty);
    const run = await xva(['explain', '--results', path.join(earlier, 'results'), '--previous', empty, '--out', path.join(tmp, 'never')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^error: --previous ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no results of an xva run in it or its subfolders`, 'm'));
    expect(run.stderr).toContain("or the --out folder of an earlier xva explain (its facts.json)");
    expect(run.stderr).not.toContain('--results');
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  }, 60_000);
});
