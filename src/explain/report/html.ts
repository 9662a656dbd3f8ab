/**
 * report.html (`--format html`): the same report as one self-contained file, the charts' SVG inlined and no external
 * resource. Converts the subset of markdown that markdown.ts writes (headings, paragraphs, pipe tables, block
 * quotes, bullet lists, images of the charts, links, **bold**, _italic_, `code`); anything else is escaped text.
 */
import { anchorOf } from './markdown.js';
import type { Chart } from './charts.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A link target the report may carry: an anchor, a relative path, or an http(s) address; no other scheme. */
function safeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href.replace(/&amp;/g, '&'));
  return scheme === null || /^https?$/i.test(scheme[1]!);
}

function inline(text: string): string {
  // code spans first (their content is literal), then links, bold, italics
  const parts = text.split(/(`[^`]*`)/g);
  return parts
    .map((p) => {
      if (p.startsWith('`') && p.endsWith('`') && p.length >= 2) return `<code>${escapeHtml(p.slice(1, -1))}</code>`;
      let s = escapeHtml(p);
      // links to the report's own anchors and files, or to http(s) pages; any other scheme (javascript:, data:) is text
      s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) => (safeHref(href) ? `<a href="${href}">${label}</a>` : `${label} (${href})`));
      s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      s = s.replace(/(^|[\s(])_([^_]+)_(?=[\s).,;:]|$)/g, '$1<em>$2</em>');
      return s;
    })
    .join('');
}

function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

export function renderHtml(markdown: string, charts: readonly Chart[], title: string): string {
  const svgOf = new Map(charts.map((c) => [c.file, c.svg]));
  const lines = markdown.split('\n');
  const out: string[] = [];
  let i = 0;
  const seen = new Map<string, number>();
  while (i < lines.length) {
    const line = lines[i]!;
    const h = /^(#{1,6}) (.*)$/.exec(line);
    if (h) {
      const base = anchorOf(h[2]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.push(`<h${h[1]!.length} id="${n === 0 ? base : `${base}-${n}`}">${inline(h[2]!)}</h${h[1]!.length}>`);
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(lines[i++]!);
      const [head, , ...body] = rows;
      out.push('<table>', `<thead><tr>${cells(head!).map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>`, '<tbody>');
      for (const r of body) out.push(`<tr>${cells(r).map((c, k) => `<td${k > 0 ? ' class="num"' : ''}>${inline(c)}</td>`).join('')}</tr>`);
      out.push('</tbody>', '</table>');
    } else if (line.startsWith('> ')) {
      out.push(`<blockquote>${inline(line.slice(2))}</blockquote>`);
      i++;
    } else if (line.startsWith('- ')) {
      out.push('<ul>');
      while (i < lines.length && lines[i]!.startsWith('- ')) out.push(`<li>${inline(lines[i++]!.slice(2))}</li>`);
      out.push('</ul>');
    } else if (/^!\[[^\]]*\]\([^)]+\)$/.test(line)) {
      const m = /^!\[([^\]]*)\]\(([^)]+)\)$/.exec(line)!;
      const svg = svgOf.get(m[2]!);
      out.push(svg ? `<figure role="img" aria-label="${escapeHtml(m[1]!)}">${svg.replace(/^<\?xml[^>]*>/, '')}</figure>` : `<p>${escapeHtml(m[1]!)}</p>`);
      i++;
    } else if (line.trim() === '') i++;
    else {
      out.push(`<p>${inline(line)}</p>`);
      i++;
    }
  }
  const style =
    'body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}' +
    'th,td{border:1px solid #ccc;padding:.25em .5em}td.num{text-align:right}blockquote{border-left:4px solid #ccc;margin:1em 0;padding:.2em 1em;color:#444}' +
    'code{background:#f4f4f4;padding:0 .2em}figure{margin:1em 0}';
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n<style>${style}</style>\n</head>\n<body>\n${out.join('\n')}\n</body>\n</html>\n`;
}
