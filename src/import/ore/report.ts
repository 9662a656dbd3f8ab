/**
 * What an ORE import could not carry over exactly. Every trade or field left out, approximated or filled with a
 * default is named here, so that a user knows what the xva book differs from the ORE book in: the command prints
 * these on stderr and writes them to `import_report.json`.
 */

export type FindingKind =
  /** A trade left out of the xva book. */
  | 'unmapped_trade'
  /** A field of a mapped trade, netting set or counterparty that xva has no place for; it was dropped. */
  | 'unmapped_field'
  /** A value mapped to the nearest xva value (e.g. 30E/360 → 30/360). */
  | 'approximated'
  /** A row or value xva needed and ORE did not give, filled with a stated default. */
  | 'defaulted';

export interface ImportFinding {
  kind: FindingKind;
  /** ORE file it comes from, as named by the user. */
  file: string;
  /** 1-based line of the trade / netting set / counterparty element, when known. */
  line?: number;
  tradeId?: string;
  /** ORE TradeType, e.g. `Swap`, `BermudanSwaption`. */
  oreTradeType?: string;
  nettingSetId?: string;
  counterpartyId?: string;
  /** ORE element (path below the trade data node), e.g. `LegData[1]/Notionals`. */
  field?: string;
  /** The ORE value, as text. */
  value?: string;
  /** What happened and why, in a sentence. */
  reason: string;
}

export interface ImportCounts {
  tradesRead: number;
  tradesMapped: number;
  tradesUnmapped: number;
  counterparties: number;
  counterpartiesDefaulted: number;
  nettingSets: number;
  nettingSetsDefaulted: number;
  eligibleCollateral: number;
}

export interface ImportReport {
  sources: { portfolio: string; netting?: string; counterparties?: string };
  counts: ImportCounts;
  findings: ImportFinding[];
}

/** `Swap_1 (Swap) LegData[1]/Notionals = 65000000,55000000: amortising notionals are not supported` */
export function formatFinding(f: ImportFinding): string {
  const subject: string[] = [];
  if (f.tradeId !== undefined) subject.push(`trade ${f.tradeId}${f.oreTradeType ? ` (${f.oreTradeType})` : ''}`);
  if (f.nettingSetId !== undefined) subject.push(`netting set ${f.nettingSetId}`);
  if (f.counterpartyId !== undefined) subject.push(`counterparty ${f.counterpartyId}`);
  let where = f.file + (f.line !== undefined ? `:${f.line}` : '');
  if (subject.length > 0) where += ` ${subject.join(', ')}`;
  let what = '';
  if (f.field !== undefined) what = ` ${f.field}${f.value !== undefined ? ` = ${f.value}` : ''}`;
  return `${f.kind.replace('_', ' ')}: ${where}${what}: ${f.reason}`;
}

/** Raised inside a mapper when a trade cannot be carried over; the trade is then listed as unmapped. */
export class Unmappable extends Error {
  constructor(
    readonly field: string | undefined,
    readonly value: string | undefined,
    reason: string,
  ) {
    super(reason);
    this.name = 'Unmappable';
  }
}
