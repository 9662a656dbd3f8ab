/**
 * Writes the report folder: the charts (SVG), facts.json, report.md last (and report.html with --format html), each
 * file atomically (temporary file, fsync, rename: io/atomic.ts), so a reader never sees half a file.
 */
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Chart } from './charts.js';

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
  return files;
}
