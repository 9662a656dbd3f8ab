/**
 * ORE counterparty.xml → xva counterparties. ORE gives a credit quality band (IG/HY/NR), the BA-CVA and SA-CCR risk
 * weights and the SA-CVA bucket; xva wants a sector, a rating grade and a region. The sector comes from the SA-CVA
 * bucket (MAR50.63 Table 6) or, failing that, from the BA-CVA weight (MAR50.16 Table 1); the grade is the band's
 * weakest grade; the region is the user's choice (--region). Counterparties named only by trades get defaults.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import type { Rating, Region, Sector } from '../../portfolio/types.js';
import type { ImportFinding } from './report.js';
import { emptyRow, COUNTERPARTY_COLUMNS, type CounterpartyRow } from './rows.js';
import { child, children, text, type XmlDocument, type XmlNode } from './xml.js';

/** MAR50.63 Table 6: SA-CVA counterparty credit spread buckets 1..7 (1 covers sovereigns and local governments). */
const SACVA_BUCKET_SECTOR: Record<string, Sector> = {
  '1': 'sovereign',
  '2': 'financial',
  '3': 'basic_materials',
  '4': 'consumer',
  '5': 'technology',
  '6': 'health_care',
  '7': 'other',
};

/** MAR50.16 Table 1: BA-CVA supervisory risk weights [investment grade, high yield and not rated]. */
const BACVA_RISK_WEIGHTS: Record<Sector, [number, number]> = {
  sovereign: [0.005, 0.02],
  local_government: [0.01, 0.04],
  financial: [0.05, 0.12],
  basic_materials: [0.03, 0.07],
  consumer: [0.03, 0.085],
  technology: [0.02, 0.055],
  health_care: [0.015, 0.05],
  other: [0.05, 0.12],
};

/**
 * Sectors whose MAR50.16 weight for the quality band equals `riskWeight`. Financials and "other" share 5%/12%, basic
 * materials and consumer share 3% for investment grade: the first listed is taken, which keeps the BA-CVA weight.
 */
function sectorsForRiskWeight(riskWeight: number, investmentGrade: boolean): Sector[] {
  const out: Sector[] = [];
  for (const [sector, weights] of Object.entries(BACVA_RISK_WEIGHTS) as [Sector, [number, number]][]) {
    if (Math.abs(weights[investmentGrade ? 0 : 1] - riskWeight) < 1e-12) out.push(sector);
  }
  return out;
}

const QUALITY_RATING: Record<string, { rating: Rating; note?: string }> = {
  IG: { rating: 'BBB', note: 'ORE gives only the investment-grade band; BBB, its weakest grade, is used' },
  HY: { rating: 'BB', note: 'ORE gives only the high-yield band; BB, its strongest grade, is used' },
  NR: { rating: 'NR' },
};

export interface CounterpartyImport {
  rows: Map<string, CounterpartyRow>;
  /** Counterparties flagged ClearingCounterparty (their netting sets are cleared through them). */
  clearing: Set<string>;
  findings: ImportFinding[];
}

function number(node: XmlNode, name: string, where: { file: string; row?: number }, issues: InputIssue[]): number | undefined {
  const t = text(node, name);
  if (t === undefined) return undefined;
  const v = Number(t);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || !(v >= 0)) {
    issues.push({ ...where, column: name, value: t, expected: 'a non-negative number' });
    return undefined;
  }
  return v;
}

export function importCounterparties(doc: XmlDocument | undefined, region: Region): CounterpartyImport {
  const result: CounterpartyImport = { rows: new Map(), clearing: new Set(), findings: [] };
  if (doc === undefined) return result;
  const issues: InputIssue[] = [];
  const list = children(child(doc.root, 'Counterparties'), 'Counterparty');
  for (const node of list) {
    const line = doc.lineOf(node);
    const where = { file: doc.file, ...(line !== undefined ? { row: line } : {}) };
    const at = { file: doc.file, ...(line !== undefined ? { line } : {}) };
    const id = text(node, 'CounterpartyId');
    if (id === undefined) {
      issues.push({ ...where, column: 'CounterpartyId', expected: 'a counterparty id' });
      continue;
    }
    if (result.rows.has(id)) {
      issues.push({ ...where, column: 'CounterpartyId', value: id, expected: 'a unique counterparty id (it appears twice)' });
      continue;
    }
    const subject = { ...at, counterpartyId: id };
    const qualityText = text(node, 'CreditQuality') ?? 'NR'; // ORE: defaults to NR
    const quality = QUALITY_RATING[qualityText.toUpperCase()];
    if (quality === undefined) {
      issues.push({ ...where, column: 'CreditQuality', value: qualityText, expected: 'IG, HY or NR' });
      continue;
    }
    if (quality.note) result.findings.push({ kind: 'approximated', ...subject, field: 'CreditQuality', value: qualityText, reason: quality.note });
    const investmentGrade = qualityText.toUpperCase() === 'IG';

    const baCva = number(node, 'BaCvaRiskWeight', where, issues);
    const saCcr = number(node, 'SaCcrRiskWeight', where, issues) ?? number(node, 'SaccrRiskWeight', where, issues);
    const bucket = text(node, 'SaCvaRiskBucket');
    let sector: Sector | undefined;
    if (bucket !== undefined) {
      sector = SACVA_BUCKET_SECTOR[bucket];
      if (bucket === '8') {
        sector = 'other';
        result.findings.push({ kind: 'approximated', ...subject, field: 'SaCvaRiskBucket', value: bucket, reason: 'bucket 8 (qualified indices) has no xva sector; other is used' });
      } else if (sector === undefined) {
        issues.push({ ...where, column: 'SaCvaRiskBucket', value: bucket, expected: 'an SA-CVA bucket from 1 to 8 (MAR50.63)' });
        continue;
      }
      if (bucket === '1')
        result.findings.push({ kind: 'approximated', ...subject, field: 'SaCvaRiskBucket', value: bucket, reason: 'bucket 1 covers sovereigns and local governments; sovereign is used' });
    }
    if (baCva !== undefined && baCva > 0) {
      const fits = sectorsForRiskWeight(baCva, investmentGrade);
      if (sector === undefined) {
        if (fits.length === 0) {
          result.findings.push({ kind: 'defaulted', ...subject, field: 'BaCvaRiskWeight', value: String(baCva), reason: `no MAR50.16 sector has this weight for ${qualityText}; sector other is used` });
          sector = 'other';
        } else {
          sector = fits[0]!;
          if (fits.length > 1)
            result.findings.push({ kind: 'approximated', ...subject, field: 'BaCvaRiskWeight', value: String(baCva), reason: `the weight fits sectors ${fits.join(', ')} (MAR50.16); ${sector} is used, with the same weight` });
        }
      } else if (!fits.includes(sector)) {
        result.findings.push({
          kind: 'unmapped_field',
          ...subject,
          field: 'BaCvaRiskWeight',
          value: String(baCva),
          reason: `differs from the MAR50.16 weight of sector ${sector} (${BACVA_RISK_WEIGHTS[sector][investmentGrade ? 0 : 1]}); xva derives BA-CVA weights from sector and rating`,
        });
      }
    }
    if (sector === undefined) {
      sector = 'other';
      result.findings.push({ kind: 'defaulted', ...subject, field: 'SaCvaRiskBucket', reason: 'neither SA-CVA bucket nor BA-CVA weight given: sector other is used' });
    }
    const clearing = text(node, 'ClearingCounterparty');
    const flag = clearing?.trim().toLowerCase();
    const isClearing = flag !== undefined && ['y', 'yes', 'true', 't', '1'].includes(flag);
    if (flag !== undefined && flag !== '' && !isClearing && !['n', 'no', 'false', 'f', '0'].includes(flag))
      issues.push({ ...where, column: 'ClearingCounterparty', value: clearing!, expected: 'true or false' });
    if (isClearing) result.clearing.add(id);

    const row: CounterpartyRow = {
      ...emptyRow(COUNTERPARTY_COLUMNS),
      counterparty_id: id,
      name: id,
      sector,
      rating: quality.rating,
      region,
      qccp: isClearing,
    };
    // SA-CCR capital = EAD x counterparty risk weight (CRE20): ORE's SaCcrRiskWeight is that weight
    if (saCcr !== undefined) row.risk_weight = saCcr;
    result.rows.set(id, row);
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  if (child(doc.root, 'Correlations') !== undefined)
    result.findings.push({ kind: 'unmapped_field', file: doc.file, field: 'Correlations', reason: 'counterparty credit correlations are not carried over (market file correlation section)' });
  return result;
}

/** A counterparty named by a trade or netting set but absent from counterparty.xml. */
export function defaultCounterparty(id: string, region: Region): CounterpartyRow {
  return { ...emptyRow(COUNTERPARTY_COLUMNS), counterparty_id: id, name: id, sector: 'other', rating: 'NR', region, qccp: false };
}
