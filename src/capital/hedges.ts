/**
 * Which counterparty a CDS of the book hedges, for BA-CVA's single-name hedges (capital/run.ts cdsHedges, MAR50.23)
 * and SA-CVA's CvaHedge records (sacvaSensitivities.ts hedgeRecords, MAR50.37-50.39): one rule for both.
 */
import type { Counterparty } from '../portfolio/types.js';
import type { Trade } from '../products/types.js';

/**
 * The counterparties a reference name stands for, in the counterparties table's order: a counterparty whose id is the
 * name first, then those whose `cds_curve` it is.
 */
export function hedgeNameMap(counterparties: readonly Counterparty[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const add = (name: string, id: string, first: boolean): void => {
    const list = byName.get(name);
    if (!list) byName.set(name, [id]);
    else if (!list.includes(id)) first ? list.unshift(id) : list.push(id);
  };
  for (const c of counterparties) add(c.counterpartyId, c.counterpartyId, true);
  for (const c of counterparties) if (c.cdsCurve) add(c.cdsCurve, c.counterpartyId, false);
  return byName;
}

/**
 * The counterparty a live bought CDS hedges (MAR50.23, MAR50.37-50.39: protection on its name), or undefined: not a
 * bought CDS, no counterparty on its reference name, or bought from that very counterparty (protection that it would
 * itself owe in its own default hedges nothing). A name that stands for several counterparties (a shared `cds_curve`)
 * hedges the first of them that did not sell it, with a note naming the others (`notes`, once per name).
 */
export function hedgedCounterparty(t: Trade, byName: ReadonlyMap<string, readonly string[]>, notes?: string[], noted?: Set<string>): string | undefined {
  if (t.product !== 'CDS' || t.direction !== 'buy') return undefined;
  const all = byName.get(t.referenceEntity);
  if (!all) return undefined;
  const candidates = all.filter((id) => id !== t.counterpartyId);
  if (candidates.length === 0) {
    if (notes && !noted?.has(`self:${t.tradeId}`)) {
      noted?.add(`self:${t.tradeId}`);
      notes.push(`trade ${t.tradeId}: protection on ${t.referenceEntity} bought from counterparty ${t.counterpartyId} itself is not a hedge of its CVA (it would owe the protection in its own default)`);
    }
    return undefined;
  }
  if (candidates.length > 1 && notes && !noted?.has(`shared:${t.referenceEntity}`)) {
    noted?.add(`shared:${t.referenceEntity}`);
    notes.push(`CDS on ${t.referenceEntity}, the credit curve of counterparties ${candidates.join(', ')}: taken as hedges of ${candidates[0]} (the first in the counterparties table)`);
  }
  return candidates[0];
}

