/**
 * Credit sensitivities of the XVA figures (`xva cva|fva --cs01`): what a CVA desk hedges with CDS. For every
 * counterparty with exposure, the change of its netting sets' CVA (and DVA, FCA, FBA, whose survival weights read the
 * counterparty's curve too) when one quoted par spread of its curve (its CDS curve or its proxy) rises by 1bp and the
 * curve is bootstrapped again with the ISDA model (a bucketed CS01, MAR50.65's tenor bump), and when every quote does
 * (the parallel CS01); and the same for the bank's own curve against the whole book (DVA, FBA and, outside the
 * unilateral mode, CVA and FCA move). Computed on the base exposure profiles: nothing is simulated again (exposure does
 * not depend on credit spreads, wrong-way models aside). Units: base currency per +1bp.
 */
import type { HazardCurve, Market, YieldCurve } from '../market/types.js';
import { computeXva, type ExposureSet, type XvaFigures, type XvaOptions } from './compute.js';
import { shockedCurve, tenorShockedCurve, type CreditInputs } from './credit.js';

export interface Cs01Row {
  /** 'counterparty': the counterparty's curve against its netting sets; 'own': the bank's curve against the book. */
  scope: 'counterparty' | 'own';
  /** null on the own-curve rows. */
  counterpartyId: string | null;
  creditCurve: string;
  /** The quote's tenor ('5Y', '6M'), or 'parallel' for every quote at once. */
  tenor: string;
  /** The quote's maturity in years; null on the parallel row. */
  tenorYears: number | null;
  /** Figure changes for +1bp (base currency): bumped − base. */
  cva: number;
  dva: number;
  fca: number;
  fba: number;
}

export interface Cs01Result {
  rows: Cs01Row[];
}

/** A quote maturity in years as a tenor label: whole years as 'nY', else months 'nM'. */
export function tenorLabel(years: number): string {
  if (Math.abs(years - Math.round(years)) < 1e-9) return `${Math.round(years)}Y`;
  const months = years * 12;
  return Math.abs(months - Math.round(months)) < 1e-6 ? `${Math.round(months)}M` : `${years}Y`;
}

function sums(sets: readonly ExposureSet[], credit: CreditInputs, xva: XvaOptions): XvaFigures {
  const b = computeXva(sets, credit, xva, false).book;
  return { cva: b.cva, dva: b.dva, fca: b.fca, fba: b.fba, colva: b.colva };
}

const diff = (a: XvaFigures, b: XvaFigures) => ({ cva: a.cva - b.cva, dva: a.dva - b.dva, fca: a.fca - b.fca, fba: a.fba - b.fba });

/** The bumps of one curve: one per quote, then the parallel one (each bootstrapped once, kept in `bumped`). */
function curveBumps(curve: HazardCurve, market: Market, cache: Map<HazardCurve, YieldCurve>, bumped: Map<HazardCurve, HazardCurve[]>, notes?: string[]): HazardCurve[] {
  let list = bumped.get(curve);
  if (!list) {
    list = [];
    for (let i = 0; i < curve.quoteTenorsYears.length; i++) list.push(tenorShockedCurve(curve, market, i, cache, 1, notes));
    list.push(shockedCurve(curve, market, 1, cache, notes));
    bumped.set(curve, list);
  }
  return list;
}

/**
 * The CS01 rows of `sets` (the base exposure) under `credit`: per counterparty in the order of its first netting set,
 * one row per quote of its curve then the parallel row; then the own curve's rows when the market has one.
 */
export function xvaCs01(sets: readonly ExposureSet[], credit: CreditInputs, market: Market, xva: XvaOptions, notes?: string[]): Cs01Result {
  const cache = new Map<HazardCurve, YieldCurve>();
  const bumped = new Map<HazardCurve, HazardCurve[]>();
  const bySet = new Map<string, ExposureSet[]>();
  for (const s of sets) {
    let list = bySet.get(s.counterpartyId);
    if (!list) bySet.set(s.counterpartyId, (list = []));
    list.push(s);
  }
  const rows: Cs01Row[] = [];
  for (const [counterpartyId, own] of bySet) {
    const c = credit.counterparties.get(counterpartyId);
    if (!c) continue;
    const only = (curve: HazardCurve): CreditInputs => ({ ...credit, counterparties: new Map([[counterpartyId, { ...c, curve }]]) });
    const base = sums(own, only(c.curve), xva);
    const bumps = curveBumps(c.curve, market, cache, bumped, notes);
    bumps.forEach((curve, i) => {
      const parallel = i === c.curve.quoteTenorsYears.length;
      const years = parallel ? null : c.curve.quoteTenorsYears[i]!;
      rows.push({ scope: 'counterparty', counterpartyId, creditCurve: c.curveName, tenor: years === null ? 'parallel' : tenorLabel(years), tenorYears: years, ...diff(sums(own, only(curve), xva), base) });
    });
  }
  if (credit.own) {
    const base = sums(sets, credit, xva);
    const bumps = curveBumps(credit.own, market, cache, bumped, notes);
    bumps.forEach((curve, i) => {
      const parallel = i === credit.own!.quoteTenorsYears.length;
      const years = parallel ? null : credit.own!.quoteTenorsYears[i]!;
      rows.push({ scope: 'own', counterpartyId: null, creditCurve: credit.own!.name, tenor: years === null ? 'parallel' : tenorLabel(years), tenorYears: years, ...diff(sums(sets, { ...credit, own: curve }, xva), base) });
    });
  }
  return { rows };
}
