/**
 * The exposure analysis a CVA desk reads: the counterparties ranked by CVA (top N), the counterparties whose CVA is
 * more than a share of the book's (concentrations), and the netting sets whose CVA is above a materiality amount.
 */
import type { CounterpartyXva, NettingSetXva, XvaResult } from './compute.js';

export interface AnalysisOptions {
  /** How many counterparties to list (default 20). */
  top: number;
  /** Concentration threshold as a fraction of book CVA (default 0.05). */
  concentration: number;
  /** Materiality of a netting set's CVA, base currency (default 1,000,000). */
  materiality: number;
}

export const DEFAULT_ANALYSIS: AnalysisOptions = { top: 20, concentration: 0.05, materiality: 1_000_000 };

export interface RankedCounterparty {
  rank: number;
  counterparty: CounterpartyXva;
  /** CVA / book CVA (0 when the book's CVA is 0). */
  shareOfBookCva: number;
}

export interface ExposureAnalysis {
  top: RankedCounterparty[];
  concentrations: RankedCounterparty[];
  material: NettingSetXva[];
}

/** Counterparties by CVA, largest first (ties by id, so the order is stable). */
export function rankCounterparties(result: XvaResult): RankedCounterparty[] {
  const book = result.book.cva;
  return [...result.counterparties]
    .sort((a, b) => b.cva - a.cva || (a.counterpartyId < b.counterpartyId ? -1 : 1))
    .map((c, i) => ({ rank: i + 1, counterparty: c, shareOfBookCva: book !== 0 ? c.cva / book : 0 }));
}

export function analyseExposure(result: XvaResult, options: AnalysisOptions = DEFAULT_ANALYSIS): ExposureAnalysis {
  const ranked = rankCounterparties(result);
  return {
    top: ranked.slice(0, options.top),
    concentrations: ranked.filter((r) => r.shareOfBookCva > options.concentration),
    material: result.nettingSets.filter((s) => s.cva > options.materiality).sort((a, b) => b.cva - a.cva || (a.nettingSetId < b.nettingSetId ? -1 : 1)),
  };
}
