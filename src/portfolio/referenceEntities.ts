/**
 * The `reference_entities` table (docs/inputs.md): what the book knows about the names its trades refer to. One row
 * per name: an index or a single name (SA-CCR's supervisory factor, CRE52.71-72; an equity index is SIMM's bucket 11),
 * a single name's rating, an index's grade, a credit index's BA-CVA sector or risk weight (MAR50.24 index hedges), and
 * the SIMM bucket of the name's equity or credit-qualifying sensitivities (`simm_bucket`), and its SA-CVA bucket
 * (`sacva_bucket`). Read with the portfolio,
 * so that every command sees the same reference data.
 */
import type { FieldReader } from '../io/table.js';
import { RATINGS, SECTORS, type Rating, type Sector } from './types.js';

export const REFERENCE_ENTITY_COLUMNS = ['name', 'kind', 'rating', 'grade', 'bacva_sector', 'bacva_risk_weight', 'simm_bucket', 'sacva_bucket'] as const;

/** SA-CVA reference credit buckets (MAR50.66: 1 to 17) and equity buckets (MAR50.70: 1 to 13, checked where used). */
export const SACVA_NAME_BUCKETS: readonly string[] = Array.from({ length: 17 }, (_, i) => String(i + 1));

/** SIMM v2.6 equity and credit-qualifying buckets (§C.3, §C.7): 1 to 12 and Residual in both. */
export const SIMM_NAME_BUCKETS: readonly string[] = [...Array.from({ length: 12 }, (_, i) => String(i + 1)), 'Residual'];

export interface ReferenceEntity {
  name: string;
  /** An index is its own entity with index parameters (CRE52.61(2), CRE52.66(2)). */
  isIndex: boolean;
  /** Single-name credit rating (CRE52.72). */
  rating?: Rating;
  /** Credit index grade. */
  grade?: 'IG' | 'SG';
  /**
   * Credit index whose names all sit in one MAR50.16 Table 1 sector (column `bacva_sector`): a bought CDS on it is a
   * BA-CVA index hedge (MAR50.24) of that sector, credit quality from `grade` (IG → IG, SG → HY_NR).
   */
  baCvaSector?: Sector;
  /** Mixed credit index (column `bacva_risk_weight`): the name-weighted average Table 1 risk weight, before the 0.7 scalar. */
  baCvaRiskWeight?: number;
  /** SIMM bucket of the name's equity or credit-qualifying sensitivities (`simm_bucket`: 1 to 12 or Residual). */
  simmBucket?: string;
  /**
   * SA-CVA bucket of the name (`sacva_bucket`): its reference credit spread bucket (MAR50.66, 1 to 17) as a CDS
   * reference name, its equity bucket (MAR50.70, 1 to 13) as an equity underlying.
   */
  saCvaBucket?: string;
}

const ENUM = { ignoreCase: true } as const;
const REQUIRED_ENUM = { required: true, ignoreCase: true } as const;

/** The rows of a reference_entities table; problems go to the reader's issues (file, row, column, value). */
export function readReferenceEntities(r: FieldReader): Map<string, ReferenceEntity> | undefined {
  if (!r.requireColumns(['name', 'kind'])) return undefined;
  const entities = new Map<string, ReferenceEntity>();
  for (let row = 0; row < r.table.numRows; row++) {
    const name = r.string('name', row, { required: true });
    const kind = r.oneOf('kind', row, ['single_name', 'index'] as const, REQUIRED_ENUM);
    const rating = r.oneOf('rating', row, RATINGS, ENUM);
    const grade = r.oneOf('grade', row, ['IG', 'SG'] as const, ENUM);
    const simmBucket = r.oneOf('simm_bucket', row, SIMM_NAME_BUCKETS, ENUM);
    const saCvaBucket = r.oneOf('sacva_bucket', row, SACVA_NAME_BUCKETS, ENUM);
    const errorsBefore = r.issues.errorCount;
    const baCva = readBaCvaIndex(r, row, kind, grade);
    if (name === undefined || kind === undefined || r.issues.errorCount > errorsBefore) continue;
    const entity: ReferenceEntity = { name, isIndex: kind === 'index' };
    if (rating !== undefined) entity.rating = rating;
    if (grade !== undefined) entity.grade = grade;
    if (baCva.sector !== undefined) entity.baCvaSector = baCva.sector;
    if (baCva.riskWeight !== undefined) entity.baCvaRiskWeight = baCva.riskWeight;
    if (simmBucket !== undefined) entity.simmBucket = simmBucket;
    if (saCvaBucket !== undefined) entity.saCvaBucket = saCvaBucket;
    entities.set(name, entity);
  }
  return entities;
}

/**
 * The BA-CVA columns of a credit index row (MAR50.24 index hedges): `bacva_sector` (all names in one Table 1 sector;
 * the quality comes from `grade`) or `bacva_risk_weight` (a mixed index's name-weighted Table 1 RW before the 0.7
 * scalar, in (0, 1]); at most one of them, and only on an index row.
 */
function readBaCvaIndex(r: FieldReader, row: number, kind: 'single_name' | 'index' | undefined, grade: 'IG' | 'SG' | undefined): { sector?: Sector; riskWeight?: number } {
  const sector = r.oneOf('bacva_sector', row, SECTORS, ENUM);
  const riskWeight = r.number('bacva_risk_weight', row, { positive: true, max: 1, what: "a mixed index's name-weighted Table 1 risk weight before the 0.7 scalar, decimal in (0, 1]" });
  const file = r.table.file;
  const at = row + 1;
  if (kind === 'single_name') {
    for (const column of ['bacva_sector', 'bacva_risk_weight'] as const) {
      const cell = r.string(column, row);
      if (cell !== undefined) r.issues.add({ file, row: at, column, value: cell, expected: 'empty on a single_name row: the BA-CVA index columns are for credit indices (kind = index)' });
    }
    return {};
  }
  if (sector !== undefined && riskWeight !== undefined) {
    r.issues.add({ file, row: at, column: 'bacva_risk_weight', value: String(riskWeight), expected: 'one of bacva_sector (an index of one sector) or bacva_risk_weight (a mixed index), not both' });
    return {};
  }
  if (sector !== undefined && grade === undefined) {
    r.issues.add({ file, row: at, column: 'grade', value: r.string('grade', row) ?? '', expected: 'the index grade IG or SG: it gives the BA-CVA credit quality of bacva_sector (IG → IG, SG → HY_NR)' });
    return {};
  }
  return { ...(sector !== undefined ? { sector } : {}), ...(riskWeight !== undefined ? { riskWeight } : {}) };
}
