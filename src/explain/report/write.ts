/**
 * Writes the report folder: the charts (SVG), facts.json, report.md last (and report.html with --format html), each
 * file atomically (temporary file, fsync, rename: io/atomic.ts), so a reader never sees half a file. Then removes the
 * report files of an earlier run that this one did not write (a report.html of an earlier `--format html`, a chart this
 * run has no data for), so that the folder holds one run's report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { CHART_FILES, type Chart } from './charts.js';

/** Every file name a report may have besides facts.json and report.md. */
const OPTIONAL_FILES: readonly string[] = ['report.html', ...CHART_FILES];

export function writeReportFiles(outDir: string, parts: { charts: readonly Chart[]; factsJson: string; markdown: string; html?: string }): string[] {
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const file = path.join(outDir, name);
    writeFileAtomic(file, text);
    files.push(file);
  };
  for (const c of parts.charts) write(c.file, c.svg);
  write('facts.json', parts.factsJson);
  if (parts.html !== undefined) write('report.html', parts.html);
  write('report.md', parts.markdown);
  const written = new Set(files.map((f) => path.basename(f)));
  for (const name of OPTIONAL_FILES) if (!written.has(name)) fs.rmSync(path.join(outDir, name), { force: true });
  return files;
}
