/**
 * Incremental allocation: a trade's XVA is the netting set's XVA less the XVA of the set without it,
 * X(set) − X(set \ {trade}). Each is a fresh engine run of that netting set alone on the same seed and the same time
 * grid (so the same random numbers drive the market factors they share), hence n + 1 runs for a set of n trades:
 * offered for one chosen netting set. Unlike the Euler allocation the increments do not add up to the set's figure
 * (the netting benefit is counted once per trade).
 */
import { runSimulation, type SimulationOptions } from '../exposure/engine.js';
import type { Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import type { TimeGrid } from '../simulation/types.js';
import { XvaUsageError } from '../errors.js';
import { computeXva, exposureSetsOf, type XvaFigures, type XvaOptions } from './compute.js';
import type { CreditInputs } from './credit.js';

export interface IncrementalRow extends XvaFigures {
  tradeId: string;
  nettingSetId: string;
}

export interface IncrementalInput {
  portfolio: Portfolio;
  market: Market;
  marketFile?: string;
  nettingSetId: string;
  simulation: Omit<SimulationOptions, 'grid' | 'cube'> & { grid?: SimulationOptions['grid'] };
  /** The grid of the base run, reused so that every run values on the same dates. */
  grid?: TimeGrid;
  credit: CreditInputs;
  xva: XvaOptions;
}

function figures(x: XvaFigures): XvaFigures {
  return { cva: x.cva, dva: x.dva, fca: x.fca, fba: x.fba, colva: x.colva };
}

export async function incrementalXva(input: IncrementalInput): Promise<{ setFigures: XvaFigures; rows: IncrementalRow[]; runs: number }> {
  const { portfolio, market, nettingSetId } = input;
  const trades = portfolio.trades.filter((t) => t.nettingSetId === nettingSetId);
  if (trades.length === 0) throw new XvaUsageError(`--incremental: netting set ${nettingSetId} has no trades in the portfolio`);
  const run = async (keep: (id: string) => boolean): Promise<XvaFigures> => {
    const book: Portfolio = { ...portfolio, trades: trades.filter((t) => keep(t.tradeId)) };
    if (book.trades.length === 0) return { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0 };
    const result = await runSimulation({
      portfolio: book,
      market,
      ...(input.marketFile ? { marketFile: input.marketFile } : {}),
      // the book's figures only: no Euler contributions per trade
      options: { ...input.simulation, ...(input.grid ? { grid: input.grid } : {}), threads: 1, tradeContributions: false },
    });
    const sets = exposureSetsOf(result, (id) => portfolio.nettingSets.find((s) => s.nettingSetId === id)?.collateralCurrency);
    return figures(computeXva(sets, input.credit, input.xva, false).book);
  };
  const setFigures = await run(() => true);
  const rows: IncrementalRow[] = [];
  for (const t of trades) {
    const without = await run((id) => id !== t.tradeId);
    rows.push({
      tradeId: t.tradeId,
      nettingSetId,
      cva: setFigures.cva - without.cva,
      dva: setFigures.dva - without.dva,
      fca: setFigures.fca - without.fca,
      fba: setFigures.fba - without.fba,
      colva: setFigures.colva - without.colva,
    });
  }
  return { setFigures, rows, runs: trades.length + 1 };
}
