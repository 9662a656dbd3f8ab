/**
 * `--what-if FILE` of `xva cva` and `xva fva`: load the new trades, take the run's settings (the manifest of
 * `--results DIR`, or the run just made), resolve the counterparties' curves, run the what-if, write what_if.arrow.
 */
import { XVA_SIGNS } from '../outputs.js';
import path from 'node:path';
import { factorNeeds } from '../../exposure/engine.js';
import type { Market } from '../../market/types.js';
import type { Portfolio } from '../../portfolio/types.js';
import type { Trade } from '../../products/types.js';
import type { GridSpec } from '../../simulation/grid.js';
import { buildFactorLayout } from '../../simulation/layout.js';
import type { TimeGrid } from '../../simulation/types.js';
import type { XvaOptions } from '../compute.js';
import { creditInputs, type CreditInputs } from '../credit.js';
import { loadNewTrades } from './newTrades.js';
import { settingsFromManifest, type WhatIfSettings } from './settings.js';
import { writeWhatIfTable } from './table.js';
import { runWhatIf, type WhatIfResult } from './whatIf.js';

export { loadNewTrades } from './newTrades.js';
export { settingsFromManifest, gridFromDates, type WhatIfSettings } from './settings.js';
export { runWhatIf, type WhatIfInput, type WhatIfResult, type WhatIfRow } from './whatIf.js';
export { whatIfJson, whatIfTable, writeWhatIfTable } from './table.js';

export interface WhatIfRequest {
  file: string;
  portfolio: Portfolio;
  portfolioDir: string;
  market: Market;
  marketFile: string;
  /** The folder of `xva simulate --out DIR`, or the settings of the run made in this command. */
  resultsDir?: string;
  run?: { paths: number; seed: number; grid: TimeGrid; gridSpec: GridSpec; rng?: 'philox' | 'sobol' };
  /** Curves already resolved for the run's counterparties (others are resolved here). */
  credit: CreditInputs;
  xva: XvaOptions;
  outDir?: string;
  /** The new trades as loadNewTrades read them from `file` (a caller that checked the file before its run); else read here. */
  trades?: Trade[];
}

/** Settings of the run made in the same command (no skips, no antithetic draws, full coverage; the whole book's factors). */
function settingsOfRun(market: Market, portfolio: Portfolio, run: NonNullable<WhatIfRequest['run']>): WhatIfSettings {
  return {
    paths: run.paths,
    seed: run.seed,
    antithetic: false,
    ...(run.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
    coverage: 1,
    pfeQuantile: 0.95,
    grid: run.grid,
    gridSpec: run.gridSpec,
    runFactors: buildFactorLayout(market, factorNeeds(portfolio.trades)).factorNames,
    skippedTradeIds: new Set(),
    inputHashes: new Map(),
  };
}

export async function whatIfForRun(request: WhatIfRequest): Promise<{ result: WhatIfResult; files: string[] }> {
  const { portfolio, market } = request;
  const trades = request.trades ?? (await loadNewTrades(request.file, portfolio, market, request.marketFile));
  let settings: WhatIfSettings;
  if (request.resultsDir) settings = settingsFromManifest(request.resultsDir);
  else if (request.run) settings = settingsOfRun(market, portfolio, request.run);
  else throw new Error('what-if: neither --results nor a run to take the paths from');
  const missing = [...new Set(trades.map((t) => t.counterpartyId))].filter((id) => !request.credit.counterparties.has(id));
  const credit = missing.length === 0 ? request.credit : { ...request.credit, counterparties: new Map([...request.credit.counterparties, ...creditInputs(portfolio, market, missing).counterparties]) };
  const inputFiles: Record<string, string> = { market: path.resolve(request.marketFile) };
  for (const [name, file] of Object.entries(portfolio.sources)) inputFiles[name] = path.resolve(file);
  const result = runWhatIf({ market, portfolio, trades, file: path.basename(request.file), settings, credit, xva: request.xva, inputFiles });
  const files = request.outDir
    ? [
        writeWhatIfTable(request.outDir, result, {
          // the keys every table of xva cva|fva --out carries (docs/xva.md), then the what-if's own
          'xva.currency': market.baseCurrency,
          'xva.discretisation': request.xva.discretisation,
          'xva.mode': request.xva.mode,
          'xva.signs': `${XVA_SIGNS}; d_x = X(netting set + trade) - X(netting set), so a d_cva > 0 is a cost the trade adds`,
          'xva.what_if.file': path.resolve(request.file),
        }),
      ]
    : [];
  return { result, files };
}
