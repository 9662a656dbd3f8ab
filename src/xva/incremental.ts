/**
 * Incremental allocation: a trade's XVA is the netting set's XVA less the XVA of the set without it,
 * X(set) − X(set \ {trade}). Each is a fresh engine run of that netting set alone on the same seed, the whole book's
 * time grid and the factor blocks of the whole book's layout that the set's trades need (scale/shardFactors.ts: a
 * union of whole correlation blocks draws the very paths of the book's run), every run on the same blocks: so X(set)
 * is the set's figure in the book's run, bit for bit, and each X(set \ {trade}) the set's figure in the book's run
 * without that trade. Hence n + 1 runs for a set of n trades: offered for one chosen netting set. Unlike the Euler
 * allocation the increments do not add up to the set's figure (the netting benefit is counted once per trade).
 */
import { factorNeeds, runSimulation, type SimulationOptions } from '../exposure/engine.js';
import { bookPlan } from '../scale/plan.js';
import { buildFactorLayout } from '../simulation/layout.js';
import { closedLayout, needsOfFactors } from './whatIf/paths.js';
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
  // the book's grid (the base run's, else the one a run of the whole book would take) and the blocks of the book's
  // layout the set's trades need, the same for every run of the set
  const spec = input.simulation.grid;
  const grid =
    input.grid ??
    (spec !== undefined && 'dates' in spec ? spec : bookPlan(portfolio, market, { grid: spec ?? { kind: 'default' }, coverage: input.simulation.coverage ?? 1, paths: input.simulation.paths }).grid);
  const layoutNeeds = needsOfFactors(closedLayout(market, factorNeeds(trades), buildFactorLayout(market, factorNeeds(portfolio.trades))).factorNames);
  const run = async (keep: (id: string) => boolean): Promise<XvaFigures> => {
    const book: Portfolio = { ...portfolio, trades: trades.filter((t) => keep(t.tradeId)) };
    if (book.trades.length === 0) return { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0 };
    const result = await runSimulation({
      portfolio: book,
      market,
      ...(input.marketFile ? { marketFile: input.marketFile } : {}),
      // the book's figures only: no Euler contributions per trade
      options: { ...input.simulation, grid, layoutNeeds, threads: 1, tradeContributions: false },
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
