/**
 * Worker thread of the SA-CVA bump pool (bumpPool.ts): loads the book and the market file once, then for each bump
 * posted to it re-simulates the netting sets on the bumped market (market/bumps.ts applyMarketBump, in-process engine,
 * the run's seed, grid and paths: common random numbers) and posts back each set's unilateral CVA (an IR bump's on the
 * credit curves bootstrapped again on the bumped OIS curve: bumpCredit.ts). The same code on
 * the same inputs as the main thread's, so the figures are a one-thread run's bits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { XvaInputError } from '../errors.js';
import { runSimulation } from '../exposure/engine.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { applyMarketBump } from '../market/bumps.js';
import type { Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import type { Currency } from '../products/types.js';
import { computeXva, exposureSetsOf } from '../xva/compute.js';
import { creditInputs, type CreditInputs } from '../xva/credit.js';
import type { BumpTask, BumpWorkerInit, BumpWorkerMessage } from './bumpPool.js';
import { bumpedCreditInputs } from './bumpCredit.js';

function post(message: BumpWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ type: 'error', name: e.name, message: e.message, ...(e instanceof XvaInputError ? { issues: e.issues } : {}), ...(e.stack ? { stack: e.stack } : {}) });
}

if (parentPort) {
  const init = workerData as BumpWorkerInit;
  let loaded: { market: Market; portfolio: Portfolio; simulated: Portfolio; credit: CreditInputs; ccyOf: Map<string, Currency> } | undefined;
  let queue: Promise<void> = Promise.resolve();
  const load = async () => {
    const { market, portfolio } = await loadSimulationInputs(init.portfolioDir, init.marketFile);
    const ids = init.nettingSetIds ? new Set(init.nettingSetIds) : undefined;
    // the netting sets simulated: the book, or a shard's (as scale/plan.ts shardPortfolio restricts it)
    const simulated = ids
      ? { ...portfolio, trades: portfolio.trades.filter((t) => ids.has(t.nettingSetId)), nettingSets: portfolio.nettingSets.filter((n) => ids.has(n.nettingSetId)), eligibleCollateral: portfolio.eligibleCollateral.filter((e) => ids.has(e.nettingSetId)) }
      : portfolio;
    const credit = creditInputs(portfolio, market, new Set(init.counterpartyIds));
    loaded = { market, portfolio, simulated, credit, ccyOf: new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency])) };
  };
  queue = load().then(
    () => post({ type: 'ready' }),
    (error) => postError(error),
  );
  parentPort.on('message', (task: BumpTask) => {
    // one bump at a time, in the order posted
    queue = queue.then(async () => {
      if (!loaded) return;
      try {
        const market = applyMarketBump(loaded.market, task.bump);
        const run = await runSimulation({ portfolio: loaded.simulated, market, options: { ...init.simulation, threads: 1 } });
        const sets = exposureSetsOf(run, (id) => loaded!.ccyOf.get(id));
        // an IR bump's credit curves bootstrapped again on the bumped OIS curve, as in-process (bumpCredit.ts)
        const credit = bumpedCreditInputs(loaded.credit, loaded.portfolio, market, task.bump);
        const cva = Float64Array.from(computeXva(sets, credit, init.xva, false).nettingSets, (n) => n.cva);
        post({ type: 'result', index: task.index, nettingSetIds: sets.map((s) => s.nettingSetId), cva }, [cva.buffer as ArrayBuffer]);
      } catch (error) {
        postError(error);
      }
    });
  });
}
