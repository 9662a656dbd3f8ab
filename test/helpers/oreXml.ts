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

/**
 * `FixingDays` as ORE's examples write it for a floating leg on `index`: 0 on an overnight index (ORE's OIS examples
 * and fixtures/ore/portfolio.xml: each daily rate fixed on its own day; a non-zero one fixes it that many business
 * days earlier, a lookback the import maps to float_lookback_days), 2 on a term index (its IBOR fixing lag). The
 * overnight names are ORE's spellings, written out here rather than taken from the import's index table.
 */
export function fixingDaysFor(index: string): string {
  return /^[A-Z]{3}-(SOFR|FedFunds|ESTR|ESTER|EONIA|SONIA|TONAR|SARON|CORRA|AONIA)$/i.test(index) ? '0' : '2';
}
