import Table from 'cli-table3';

/** Renders rows as a cli-table3 table; columns of numbers right-aligned. */
export function renderTable(head: string[], rows: (string | number)[][], options?: { title?: string }): string {
  const table = new Table({
    head,
    style: { head: [], border: [] },
    // a column of figures is right-aligned: numbers, blanks (a figure a row does not have) and figures with a word
    // after them ("0 (below MTA)")
    colAligns: head.map((_, i) => (rows.some((r) => typeof r[i] === 'number') && rows.every((r) => typeof r[i] === 'number' || r[i] === '' || /^-?\d[\d,.]*( |$)/.test(String(r[i]))) ? 'right' : 'left')),
  });
  for (const row of rows) table.push(row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  return (options?.title ? options.title + '\n' : '') + table.toString();
}

/** Thousands separators, 2 decimals for amounts below 1e6 absolute magnitude is irrelevant: always 2 decimals. */
export function formatNumber(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
