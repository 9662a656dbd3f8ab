/**
 * A seventeen-set slice of the demo book for the tests that run a command many times (shards against a single run):
 * every product type of the demo, its five SIMM sets (dynamic IM), a schedule-IM set, two CCP sets, sets with and
 * without a CSA, none of the demo's four largest sets (173 trades of 1,000). Written once per test file from fixtures/demo by
 * the optimiser's book writer (Parquet tables, the demo's other tables and market.yaml copied), so it always follows
 * the demo fixture.
 */
import path from 'node:path';
import { IssueCollector } from '../../src/errors.js';
import { writeAmendedPortfolio } from '../../src/optimize/outputs.js';
import { loadPortfolio } from '../../src/portfolio/load.js';
import type { WrongWaySpec } from '../../src/portfolio/types.js';

const DEMO = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'demo');

export const DEMO_SUBSET_SETS = [
  'NS-CP0001-1', 'NS-CP0004-1', 'NS-CP0005-1', 'NS-CP0007-1', 'NS-CP0008-1', 'NS-CP0010-1', 'NS-CP0013-1', 'NS-CP0017-1', 'NS-CP0020-1',
  'NS-CP0023-1', 'NS-CP0031-2', 'NS-CP0034-1', 'NS-CP0035-1', 'NS-CP0039-1', 'NS-CP0040-3', 'NS-CCP_LCH', 'NS-CCP_EUREX',
];

/**
 * Writes the slice into `dir` (a portfolio folder with its market.yaml); returns `dir`. `wrongWay` gives counterparties
 * of the slice a wrong-way model (written as the counterparties table's wrong_way_* columns).
 */
export async function writeDemoSubset(dir: string, wrongWay: Record<string, WrongWaySpec> = {}): Promise<string> {
  return writeDemoSlice(dir, DEMO_SUBSET_SETS, wrongWay);
}

/** Writes the demo book's netting sets `sets` (with their trades, counterparties and eligible collateral) into `dir`. */
export async function writeDemoSlice(dir: string, sets: readonly string[], wrongWay: Record<string, WrongWaySpec> = {}): Promise<string> {
  const issues = new IssueCollector();
  const demo = await loadPortfolio(DEMO, issues);
  const keep = new Set(sets);
  const nettingSets = demo.nettingSets.filter((s) => keep.has(s.nettingSetId));
  if (nettingSets.length !== keep.size) throw new Error(`the demo book lacks some of ${sets.join(', ')}`);
  const counterparties = new Set(nettingSets.map((s) => s.counterpartyId));
  const unknown = Object.keys(wrongWay).filter((id) => !counterparties.has(id));
  if (unknown.length > 0) throw new Error(`not counterparties of the slice: ${unknown.join(', ')}`);
  writeAmendedPortfolio(
    dir,
    {
      ...demo,
      nettingSets,
      trades: demo.trades.filter((t) => keep.has(t.nettingSetId)),
      counterparties: demo.counterparties
        .filter((c) => counterparties.has(c.counterpartyId))
        .map((c) => (wrongWay[c.counterpartyId] ? { ...c, wrongWay: wrongWay[c.counterpartyId] } : c)),
      eligibleCollateral: demo.eligibleCollateral.filter((e) => keep.has(e.nettingSetId)),
    },
    DEMO,
    path.join(DEMO, 'market.yaml'),
  );
  return dir;
}
