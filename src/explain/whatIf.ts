/**
 * The incremental what-ifs the personas' tools offer, cheap and exact:
 * - a counterparty's credit spread moved by N bp: its CVA again from the same exposure profiles (the tables of
 *   `xva simulate`) with its curve shocked as the stress scenarios shock it (xva/credit.ts shockCreditInputs); no new
 *   simulation, so the change is the credit effect alone;
 * - a recommendation of the optimiser: its deltas as `xva optimize` measured them (the engine re-run on the netting
 *   sets the action touches, same paths and seed: optimize/measure), and for several actions their sum, said to be
 *   an estimate since actions interact (the plan's realised figure is re-measured on the amended book).
 */
import path from 'node:path';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { computeXva, type ExposureSet } from '../xva/compute.js';
import { creditInputs, shockCreditInputs } from '../xva/credit.js';
import { readExposureResults } from '../xva/readResults.js';
import type { Market } from '../market/types.js';
import type { CreditInputs } from '../xva/credit.js';
import type { XvaOptions } from '../xva/compute.js';

export interface SpreadWhatIf {
  counterpartyId: string;
  spreadBp: number;
  cvaBefore: number;
  cvaAfter: number;
}

export interface WhatIfEngine {
  spread(counterpartyId: string, spreadBp: number): SpreadWhatIf;
  counterparties(): string[];
}

/** Reads the exposure tables in `simulateDir` and the book's credit curves; undefined pieces make the tool say so. */
export async function spreadWhatIfEngine(portfolioDir: string, marketFile: string, simulateDir: string, xva: XvaOptions): Promise<WhatIfEngine> {
  const { market, portfolio } = await loadSimulationInputs(portfolioDir, marketFile);
  const ccy = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const sets = readExposureResults(path.resolve(simulateDir), (id) => ccy.get(id));
  const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
  return whatIfEngineOf(sets, credit, market, xva);
}

export function whatIfEngineOf(sets: readonly ExposureSet[], credit: CreditInputs, market: Market, xva: XvaOptions): WhatIfEngine {
  const bySet = new Map<string, ExposureSet[]>();
  for (const s of sets) {
    const list = bySet.get(s.counterpartyId) ?? [];
    list.push(s);
    bySet.set(s.counterpartyId, list);
  }
  return {
    counterparties: () => [...bySet.keys()].sort(),
    spread(counterpartyId, spreadBp) {
      const own = bySet.get(counterpartyId);
      if (!own) throw new Error(`no exposure for counterparty ${counterpartyId}`);
      const one = { ...credit, counterparties: new Map([[counterpartyId, credit.counterparties.get(counterpartyId)!]]) };
      const before = computeXva(own, one, xva, false).book.cva;
      const after = computeXva(own, shockCreditInputs(one, market, { creditSpreadBp: spreadBp }), xva, false).book.cva;
      return { counterpartyId, spreadBp, cvaBefore: before, cvaAfter: after };
    },
  };
}
