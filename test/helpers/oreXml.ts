/** Small pieces shared by the ORE import tests: a portfolio document around trade XML, and the import's findings. */
import type { ImportFinding, OreImportResult } from '../../src/import/ore/index.js';

/** An ORE portfolio.xml holding `trades` (each a `<Trade>` element). */
export function portfolio(...trades: string[]): string {
  return `<?xml version="1.0"?>\n<Portfolio>\n${trades.join('\n')}\n</Portfolio>\n`;
}

/** The trades the import left out (one finding each). */
export const unmapped = (findings: ImportFinding[]): ImportFinding[] => findings.filter((f) => f.kind === 'unmapped_trade');

/** The written trades table's column names. */
export const columnNames = (result: OreImportResult): string[] => result.tables.trades.columns.map((c) => c.name);
