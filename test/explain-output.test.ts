/**
 * The report folder and the text around the figures (audit of `xva explain`, thirty-fourth session, F9, F11, F12, F15):
 * - a report folder holds one run's report: report.html or a chart of an earlier run that this run does not write is
 *   removed (its figures would be another run's), other files are left alone;
 * - report.html links only to the report's own anchors and files and to http(s) pages: a model's `javascript:` link is
 *   printed as text;
 * - a model's citation of a summed what-if fact (`[whatif.<a>+<b>.net_benefit]`) is taken out of the prose like any other;
 * - figures are printed at the scale of their rounded value: 999,960 is `1.0m` (not `1000.0k`), 9.96bp is `10bp`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatFigure } from '../src/explain/format.js';
import { parseAnswer } from '../src/explain/narrators/prompt.js';
import { CHART_FILES, type Chart } from '../src/explain/report/charts.js';
import { renderHtml } from '../src/explain/report/html.js';
import { writeReportFiles } from '../src/explain/report/write.js';
import { readResults } from '../src/explain/results/read.js';

const chart = (file: string): Chart => ({ file, title: file, caption: file, svg: `<svg>${file}</svg>`, plotted: [] });

describe('the report folder', () => {
  it("removes an earlier run's report.html and charts this run does not write, and nothing else", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-out-'));
    try {
      writeReportFiles(dir, { charts: CHART_FILES.map(chart), factsJson: '{"facts":[]}', markdown: '# first', html: '<html>first</html>' });
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
      expect(fs.readdirSync(dir).sort()).toEqual([...CHART_FILES, 'facts.json', 'notes.txt', 'report.html', 'report.md'].sort());
      // the second run has no capital results (no capital chart) and writes markdown only
      const files = writeReportFiles(dir, { charts: CHART_FILES.filter((f) => f !== 'capital-by-counterparty.svg').map(chart), factsJson: '{"facts":[1]}', markdown: '# second' });
      expect(fs.readdirSync(dir).sort()).toEqual([...CHART_FILES.filter((f) => f !== 'capital-by-counterparty.svg'), 'facts.json', 'notes.txt', 'report.md'].sort());
      expect(files.map((f) => path.basename(f))).toEqual(['exposure-profiles.svg', 'xva-waterfall.svg', 'stress-tornado.svg', 'facts.json', 'report.md']);
      expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toBe('# second');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report.html links', () => {
  it('keeps anchors, relative files and http(s) pages as links, and prints any other scheme as text', () => {
    const html = renderHtml('See [the table](#book), [the data](results/xva_book.arrow), [ISDA](https://www.isda.org/) and [click](javascript:alert(1)) or [d](data:text/html,x).', [], 'Report');
    expect(html).toContain('<a href="#book">the table</a>');
    expect(html).toContain('<a href="results/xva_book.arrow">the data</a>');
    expect(html).toContain('<a href="https://www.isda.org/">ISDA</a>');
    expect(html).not.toMatch(/href="(?:javascript|data):/i);
    expect(html).toContain('click (javascript:alert(1)');
  });
});

describe("a model's citations", () => {
  it('takes out a summed what-if fact id like any other known id', () => {
    const id = 'whatif.csa:NS-CP0026-1:csa_zero_threshold+collateral-61b0c4c3dce5.net_benefit';
    const r = parseAnswer(`Together the two actions pay USD 2.4m net [${id}].`, new Set([id]));
    expect(r.paragraphs).toEqual(['Together the two actions pay USD 2.4m net.']);
    expect(r.cited).toEqual([id]);
  });
});

describe('figures at the scale of their rounded value', () => {
  it.each([
    [999_960, '1.0m'],
    [999_949, '999.9k'],
    [999_960_000, '1.0bn'],
    [999.6, '1.0k'],
    [999.4, '999'],
    [-999_960, '-1.0m'],
    [1_234_567, '1.2m'],
  ])('%d → %s', (value, text) => expect(formatAmount(value)).toBe(text));

  it('basis points: one decimal below 10bp on the rounded value', () => {
    expect([9.96, 9.94, 12.4, 3.45].map((v) => formatFigure(v, 'bp'))).toEqual(['10bp', '9.9bp', '12bp', '3.5bp']);
  });
});

describe('--results folders that are not a run (audit of the thirty-fourth session, shards F7)', () => {
  it('refuses shard folders (parts of a book) and exposure tables without the manifest simulate writes last', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-results-'));
    try {
      for (const k of [1, 2]) {
        fs.mkdirSync(path.join(dir, 'shards', `shard-${k}-of-2`), { recursive: true });
        fs.writeFileSync(path.join(dir, 'shards', `shard-${k}-of-2`, 'exposure_netting_set.arrow'), 'x');
        fs.writeFileSync(path.join(dir, 'shards', `shard-${k}-of-2`, 'manifest.json'), '{}');
      }
      expect(() => readResults(path.join(dir, 'shards'))).toThrow(
        `--results: ${path.join(dir, 'shards')} holds shard folders (shard-1-of-2, shard-2-of-2), each a part of the book: merge them first`,
      );
      // a simulate folder a kill left without its manifest (its tables may be of two runs)
      fs.mkdirSync(path.join(dir, 'stopped'));
      fs.writeFileSync(path.join(dir, 'stopped', 'exposure_netting_set.arrow'), 'x');
      expect(() => readResults(path.join(dir, 'stopped'))).toThrow(/has exposure tables but no manifest\.json: a simulate run stopped part way/);
      // an optimize folder without the summary.md it writes last
      fs.mkdirSync(path.join(dir, 'plan'));
      fs.writeFileSync(path.join(dir, 'plan', 'recommendations.arrow'), 'x');
      expect(() => readResults(path.join(dir, 'plan'))).toThrow(/has the optimiser's tables but no summary\.md: an xva optimize run stopped while writing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
