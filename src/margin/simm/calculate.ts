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
 * - SEC and CFTC (ORE's SimmCalculator and IMScheduleCalculator): where the netting set names SEC on a side (any of
 *   its CRIF rows, SIMM or schedule), the rows under CFTC on that side are counted under SEC as well, a row naming
 *   both only once; CFTC is still computed on its own rows.
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
const SEC = 'SEC';
const CFTC = 'CFTC';

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

/**
 * The netting sets (PortfolioID) that name SEC on each side in any of `records` (SIMM and schedule rows alike), as
 * ORE's analytics record them before the calculators run (hasSEC, per side and netting set).
 */
export function nettingSetsNamingSec(records: readonly CrifRecord[], enforceRegulations: boolean): Record<SimmSide, Set<string>> {
  const out: Record<SimmSide, Set<string>> = { Call: new Set(), Post: new Set() };
  if (!enforceRegulations) return out;
  for (const r of records) {
    if (r.collectRegulations.includes(SEC)) out.Call.add(r.portfolioId);
    if (r.postRegulations.includes(SEC)) out.Post.add(r.portfolioId);
  }
  return out;
}

/**
 * ORE's SEC/CFTC rule ("Where there is SEC and CFTC in the portfolio, we add the CFTC trades to SEC, but still
 * continue with CFTC calculations": orea/simm/simmcalculator.cpp, imschedulecalculator.cpp): when the netting set
 * names SEC on the side, SEC's rows become its own rows plus the CFTC rows not already among them (a row listing
 * both counts once); with CFTC rows and no SEC row among these, SEC is the CFTC rows. The CFTC group is unchanged.
 */
function addCftcToSec(groups: Map<string, CrifRecord[]>, secNamed: boolean): void {
  const cftc = groups.get(CFTC);
  if (!secNamed || !cftc) return;
  const sec = groups.get(SEC) ?? [];
  const inSec = new Set(sec);
  groups.set(SEC, [...sec, ...cftc.filter((r) => !inSec.has(r))]);
}

/**
 * Rows of one netting set and side grouped by regulation (see the module comment for the rules). `secNamed`: whether
 * the netting set names SEC on this side in any CRIF row, these or others (default: in these rows).
 */
export function rowsByRegulation(
  records: readonly CrifRecord[],
  side: SimmSide,
  enforceRegulations: boolean,
  secNamed?: boolean,
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
  addCftcToSec(out, enforceRegulations && (secNamed ?? out.has(SEC)));
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
 * class, risk class, margin type and bucket. Rows for the schedule method are not margined here, but their
 * regulations count for the SEC/CFTC rule: pass the whole CRIF.
 */
export function calculateSimm(records: readonly CrifRecord[], options: SimmOptions = {}): SimmNettingSetResult[] {
  const params = SimmParameters.forVersion(options.version ?? '2.6', options.mporDays ?? 10);
  const ctx = simmContext(params, options.calculationCurrency ?? 'USD', options.usdToResult ?? 1);
  const enforce = options.enforceRegulations ?? true;
  // SEC named by any row of the set, schedule rows included (ORE's hasSEC), decides whether CFTC rows count for SEC
  const namingSec = nettingSetsNamingSec(records, enforce);
  const simmRows = records.filter((r) => r.imModel !== 'Schedule' && r.riskType !== 'PV');
  const results: SimmNettingSetResult[] = [];
  for (const [portfolioId, rows] of byNettingSet(simmRows)) {
    for (const side of ['Call', 'Post'] as const) {
      const candidates: { regulation: string; breakdown: ReturnType<typeof simmBreakdown> }[] = [];
      for (const [regulation, regRows] of rowsByRegulation(rows, side, enforce, namingSec[side].has(portfolioId))) {
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
