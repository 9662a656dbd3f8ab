/**
 * SIMM per netting set (CRIF PortfolioID), for both sides and per regulation, following ORE's reading of the CRIF:
 * - Call (IM we collect) uses the sensitivities as given under each `collect_regulations` regulation; Post (IM we
 *   post) uses the sign-flipped sensitivities under each `post_regulations` regulation.
 * - For a regulation R, the rows whose list on that side names R are used. A row with an empty list on a side is
 *   'Unspecified'; it counts only when no row of the netting set names any regulation on either side. `Excluded`
 *   removes the row from that side.
 * - The winning regulation of a side is the one with the highest total; ties go to the first in ORE's regulation
 *   order (APRA, CFTC, ESA, FINMA, KFSC, HKMA, JFSA, MAS, OSFI, RBI, SEC, SEC_unseg, USPR, NONREG, BACEN, SANT,
 *   SFC, UK, AMFQ, BANX, OJK, then any other name alphabetically).
 * Schedule rows (IMModel Schedule) and PV rows are left to margin/schedule.ts.
 */
import { simmContext } from './context.js';
import { simmBreakdown } from './engine.js';
import { SimmParameters } from './parameters.js';
import {
  SIMM_SENSITIVITY_RISK_TYPES,
  type CrifRecord,
  type MporDays,
  type SimmAddOns,
  type SimmNettingSetResult,
  type SimmProductClass,
  type SimmSensitivity,
  type SimmSensitivityRiskType,
  type SimmSide,
} from './types.js';

export interface SimmOptions {
  /** SIMM version with a parameter file (default '2.6'). */
  version?: string;
  /** Margin period of risk: 10 (default) or 1 day. */
  mporDays?: MporDays;
  /** Calculation currency (default USD): Risk_FX in it is ignored; FX weights depend on its group. */
  calculationCurrency?: string;
  /** Result-currency units per USD, to convert the USD-mm concentration thresholds (default 1: results in USD). */
  usdToResult?: number;
  /** Use the CRIF's regulation columns (default true); false puts every row under 'Unspecified' on both sides. */
  enforceRegulations?: boolean;
}

export const REGULATION_ORDER = [
  'APRA', 'CFTC', 'ESA', 'FINMA', 'KFSC', 'HKMA', 'JFSA', 'MAS', 'OSFI', 'RBI', 'SEC', 'SEC_unseg', 'USPR', 'NONREG',
  'BACEN', 'SANT', 'SFC', 'UK', 'AMFQ', 'BANX', 'OJK', 'Included', 'Unspecified',
];
const UNSPECIFIED = 'Unspecified';
const EXCLUDED = 'Excluded';

function regulationRank(name: string): number {
  const i = REGULATION_ORDER.indexOf(name);
  return i >= 0 ? i : REGULATION_ORDER.length;
}

function compareRegulations(a: string, b: string): number {
  return regulationRank(a) - regulationRank(b) || a.localeCompare(b);
}

const SENSITIVITY_TYPES = new Set<string>(SIMM_SENSITIVITY_RISK_TYPES);

/** Sensitivities and add-on inputs of a set of rows, amounts signed for the side (Post flips the sensitivities). */
export function simmInputs(records: readonly CrifRecord[], side: SimmSide): { sensitivities: SimmSensitivity[]; addOns: SimmAddOns } {
  const sign = side === 'Call' ? 1 : -1;
  const sensitivities: SimmSensitivity[] = [];
  const addOns: SimmAddOns = { productMultipliers: [], notionalFactors: [], notionals: [], fixedAmounts: [] };
  for (const r of records) {
    if (SENSITIVITY_TYPES.has(r.riskType)) {
      sensitivities.push({
        productClass: r.productClass as SimmProductClass,
        riskType: r.riskType as SimmSensitivityRiskType,
        qualifier: r.qualifier,
        bucket: r.bucket,
        label1: r.label1,
        label2: r.label2,
        amount: sign * r.amount,
      });
    } else if (r.riskType === 'Param_ProductClassMultiplier') {
      addOns.productMultipliers.push({ productClass: r.qualifier as SimmProductClass, multiplier: r.amount });
    } else if (r.riskType === 'Param_AddOnNotionalFactor') {
      addOns.notionalFactors.push({ product: r.qualifier, factorPercent: r.amount });
    } else if (r.riskType === 'Notional') {
      addOns.notionals.push({ product: r.qualifier, notional: r.amount });
    } else if (r.riskType === 'Param_AddOnFixedAmount') {
      addOns.fixedAmounts.push(r.amount);
    }
  }
  return { sensitivities, addOns };
}

/** Rows of one netting set and side grouped by regulation (see the module comment for the rules). */
export function rowsByRegulation(
  records: readonly CrifRecord[],
  side: SimmSide,
  enforceRegulations: boolean,
): Map<string, CrifRecord[]> {
  const anyRegulation =
    enforceRegulations && records.some((r) => r.collectRegulations.length > 0 || r.postRegulations.length > 0);
  const out = new Map<string, CrifRecord[]>();
  for (const r of records) {
    const listed = enforceRegulations ? (side === 'Call' ? r.collectRegulations : r.postRegulations) : [];
    const regulations = listed.length > 0 ? listed : [UNSPECIFIED];
    if (regulations.includes(EXCLUDED)) continue;
    if (anyRegulation && regulations.length === 1 && regulations[0] === UNSPECIFIED) continue;
    for (const reg of regulations) {
      const list = out.get(reg);
      if (list) list.push(r);
      else out.set(reg, [r]);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => compareRegulations(a, b)));
}

/** Groups rows by netting set (PortfolioID), first-seen order. */
export function byNettingSet(records: readonly CrifRecord[]): Map<string, CrifRecord[]> {
  const out = new Map<string, CrifRecord[]>();
  for (const r of records) {
    const list = out.get(r.portfolioId);
    if (list) list.push(r);
    else out.set(r.portfolioId, [r]);
  }
  return out;
}

/**
 * ISDA SIMM per netting set and side (Call, Post) for the winning regulation, with the breakdown by product
 * class, risk class, margin type and bucket. Rows for the schedule method are ignored here.
 */
export function calculateSimm(records: readonly CrifRecord[], options: SimmOptions = {}): SimmNettingSetResult[] {
  const params = SimmParameters.forVersion(options.version ?? '2.6', options.mporDays ?? 10);
  const ctx = simmContext(params, options.calculationCurrency ?? 'USD', options.usdToResult ?? 1);
  const enforce = options.enforceRegulations ?? true;
  const simmRows = records.filter((r) => r.imModel !== 'Schedule' && r.riskType !== 'PV');
  const results: SimmNettingSetResult[] = [];
  for (const [portfolioId, rows] of byNettingSet(simmRows)) {
    for (const side of ['Call', 'Post'] as const) {
      const candidates: { regulation: string; breakdown: ReturnType<typeof simmBreakdown> }[] = [];
      for (const [regulation, regRows] of rowsByRegulation(rows, side, enforce)) {
        const { sensitivities, addOns } = simmInputs(regRows, side);
        candidates.push({ regulation, breakdown: simmBreakdown(sensitivities, ctx, addOns) });
      }
      if (candidates.length === 0) continue;
      // Highest total wins; candidates are in regulation order, so a tie keeps the earlier one.
      let winner = candidates[0]!;
      for (const c of candidates) {
        if (c.breakdown.total > winner.breakdown.total * (1 + 1e-12) + 1e-9) winner = c;
      }
      results.push({
        portfolioId,
        side,
        regulation: winner.regulation,
        regulationTotals: candidates.map((c) => ({ regulation: c.regulation, total: c.breakdown.total })),
        ...winner.breakdown,
      });
    }
  }
  return results;
}
