/**
 * Reader for SA-CVA sensitivities in ORE's CSV layout: `NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value`
 * (ORE's input files and `sacva_sensitivities.csv`, whose header starts with `#`), and ORE's `sacvadetail.csv`
 * (`NettingSetId`, …, `Sensitivity`, `RiskWeight`; the RiskWeight column is ignored). Also reads the same columns
 * from Parquet and Arrow, and xva's own `sacva_sensitivities` table (`risk_type, cva_type, margin_type, risk_factor,
 * bucket, value`: portfolio-level records). Every bad cell is reported with file, row, column and value.
 */
import { FieldReader, type TabularFile } from '../../io/table.js';
import { readTable } from '../../io/read.js';
import { IssueCollector } from '../../errors.js';
import { SA_CVA_CVA_TYPES, SA_CVA_MARGIN_TYPES, SA_CVA_RISK_TYPES, type SaCvaSensitivity } from './types.js';

/** The first of `names` present in the table, also matching ORE's `#`-prefixed first header. */
function findColumn(table: TabularFile, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (table.column(name)) return name;
    if (table.column(`#${name}`)) return `#${name}`;
  }
  return undefined;
}

/** ORE's names first, then xva's own (`xva capital --out`'s sacva_sensitivities table; no netting-set column: the portfolio's). */
const COLUMNS = {
  nettingSet: ['NettingSet', 'NettingSetId', 'netting_set_id'],
  riskType: ['RiskType', 'risk_type'],
  cvaType: ['CvaType', 'cva_type'],
  marginType: ['MarginType', 'margin_type'],
  riskFactor: ['RiskFactor', 'risk_factor'],
  bucket: ['Bucket', 'bucket'],
  value: ['Value', 'Sensitivity', 'value'],
} as const;
/** Columns a file may leave out: without a netting set every record is the portfolio's (xva's own table). */
const OPTIONAL: ReadonlySet<keyof typeof COLUMNS> = new Set(['nettingSet']);

/** Parses sensitivity records from a table already read; throws XvaInputError listing every problem. */
export function parseSaCvaSensitivities(table: TabularFile): SaCvaSensitivity[] {
  const issues = new IssueCollector();
  const names = {} as Record<keyof typeof COLUMNS, string>;
  for (const [field, candidates] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, readonly string[]][]) {
    const found = findColumn(table, candidates);
    if (found === undefined && OPTIONAL.has(field) && findColumn(table, ['risk_type']) !== undefined) continue;
    if (found === undefined)
      issues.add({
        file: table.file,
        column: candidates[0],
        expected: `a column named ${candidates.join(' or ')} (columns found: ${table.columnNames.join(', ') || 'none'})`,
      });
    else names[field] = found;
  }
  issues.throwIfAny();

  const reader = new FieldReader(table, issues);
  const records: SaCvaSensitivity[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const nettingSetId = names.nettingSet === undefined ? null : (reader.string(names.nettingSet, row) ?? null);
    const riskType = reader.oneOf(names.riskType, row, SA_CVA_RISK_TYPES, { required: true, ignoreCase: true });
    const cvaType = reader.oneOf(names.cvaType, row, SA_CVA_CVA_TYPES, { required: true, ignoreCase: true });
    const marginType = reader.oneOf(names.marginType, row, SA_CVA_MARGIN_TYPES, { required: true, ignoreCase: true });
    const riskFactor = reader.string(names.riskFactor, row, { required: true });
    const bucket = reader.string(names.bucket, row, { required: true });
    const value = reader.number(names.value, row, { required: true, what: 'a sensitivity in reporting-currency units' });
    if (riskType === undefined || cvaType === undefined || marginType === undefined) continue;
    if (riskFactor === undefined || bucket === undefined || value === undefined) continue;
    records.push({ nettingSetId, riskType, cvaType, marginType, riskFactor, bucket, value, source: { file: table.file, row: row + 1 } });
  }
  issues.throwIfAny();
  return records;
}

/** Reads a CSV or Parquet file of SA-CVA sensitivities. */
export async function readSaCvaSensitivities(filePath: string, options?: { displayName?: string }): Promise<SaCvaSensitivity[]> {
  return parseSaCvaSensitivities(await readTable(filePath, options));
}
