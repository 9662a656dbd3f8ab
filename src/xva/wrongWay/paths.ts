/**
 * The path data of wrong-way CVA: the counterparties that ask for it are valued in-process on paths of the book's own
 * layout (every factor the book's trades need, so that their market paths are those of the base run: a factor's draws
 * depend only on the seed, the grid and the factors it is correlated with, simulation/layout.ts) plus the credit
 * factor CR:<cds_curve> of each intensity-model counterparty, on the base run's grid. Per netting set, as the engine
 * does (exposure/unit.ts): compile (valuation/compileNettingSet), value on the exposure dates and, under a CSA, on
 * their close-out lag dates, collateral (exposure/collateral.ts computeCollateral, coverage 1), then keep
 *   X_p(t_k) = (V − C)⁺/N   per exposure date and path (the engine's EPE integrand),
 * and per counterparty the sum of its sets' values V_p(t_k) (base currency, undeflated: the Hull-White driver).
 */
import { kernelMemoryOf, pathBuffersForKernels, useKernelMemory } from '../../exposure/valuation/wasm/poolKernels.js';
import type { Market } from '../../market/types.js';
import type { NettingSet, Portfolio } from '../../portfolio/types.js';
import { tradeMaturity, type Trade } from '../../products/types.js';
import { closeOutEndOf, computeCollateral, initialMarginOnGrid, type InitialMarginProfile } from '../../exposure/collateral.js';
import { factorNeeds } from '../../exposure/engine.js';
import { valuationModelOf } from '../../exposure/modelView.js';
import { exposureDateIndices } from '../../exposure/profiles.js';
import { compileNettingSet } from '../../exposure/valuation/index.js';
import { buildCrossAssetModel, type CrossAssetModel } from '../../simulation/crossAsset/model.js';
import { simulatePaths } from '../../simulation/crossAsset/simulate.js';
import { auxStreamsOf } from '../../simulation/crossAsset/stepPlan.js';
import { gridFromSpec, withCloseOutDates, type GridSpec } from '../../simulation/grid.js';
import { buildFactorLayout } from '../../simulation/layout.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';

export interface WrongWaySetPaths {
  nettingSetId: string;
  /** (V − C)⁺/N per exposure date and path, date-major [k · nPaths + p]. */
  exposure: Float64Array;
}

export interface WrongWayCounterpartyPaths {
  counterpartyId: string;
  sets: WrongWaySetPaths[];
  /** Σ over the sets of V per exposure date and path (base currency, undeflated), date-major. */
  value: Float64Array;
}

export interface WrongWayPaths {
  grid: TimeGrid;
  /** Grid indices of the exposure dates and their times (years, t_0 = 0). */
  exposureDates: Int32Array;
  times: Float64Array;
  nPaths: number;
  model: CrossAssetModel;
  paths: SimulatedPaths;
  counterparties: WrongWayCounterpartyPaths[];
}

export interface WrongWayPathsInput {
  portfolio: Portfolio;
  market: Market;
  /** The base run's grid (same paths), or a spec to build the grid the engine would (with --results). */
  grid: TimeGrid | GridSpec;
  paths: number;
  seed: number;
  counterpartyIds: readonly string[];
  /** Credit names to simulate beside the book's factors (CR:<name> of the intensity-model counterparties). */
  creditNames: readonly string[];
  /** IM held per netting set and date (`--dynamic-im`); a set without one holds its `initial_margin_held`. */
  initialMarginProfiles?: ReadonlyMap<string, InitialMarginProfile>;
  /**
   * The base run's draws (default philox). Under 'sobol' the book's drivers take the base run's Sobol points (their
   * slots among the book's drivers, as xva/run.ts's sobolLayout), so the independent CVA is the run's again, and the
   * added credit drivers Philox draws of their streams (padding: simulate.ts SimulateOptions.sobol).
   */
  rng?: 'philox' | 'sobol';
}

/** The grid the engine builds for the whole book (exposure/engine.ts runGrid, coverage 1): spec, then close-out dates. */
export function bookGrid(portfolio: Portfolio, market: Market, spec: GridSpec): TimeGrid {
  const withTrades = new Set(portfolio.trades.map((t) => t.nettingSetId));
  let lastMaturity = market.asOf;
  for (const t of portfolio.trades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
  const mpors = portfolio.nettingSets.filter((s) => withTrades.has(s.nettingSetId) && s.csa && s.marginPeriodOfRiskDays > 0).map((s) => s.marginPeriodOfRiskDays);
  return withCloseOutDates(gridFromSpec(spec, market.asOf, lastMaturity), mpors);
}

/** Simulates the paths and values the netting sets of `counterpartyIds` on them. */
export function wrongWayPaths(input: WrongWayPathsInput): WrongWayPaths {
  const { portfolio, market } = input;
  const needs = factorNeeds(portfolio.trades);
  // the counterparties' credit factors after the book's (layout.ts): the book's factors keep the paths of its own run,
  // so the `cva` column is the base run's CVA (docs/xva.md, "Wrong-way risk")
  const layout = buildFactorLayout(market, needs, { appendedCreditNames: input.creditNames });
  const sobol = input.rng === 'sobol' ? { streams: auxStreamsOf(buildFactorLayout(market, needs)), padding: 'philox' as const } : undefined;
  const grid = 'dates' in input.grid ? input.grid : bookGrid(portfolio, market, input.grid);
  const model = buildCrossAssetModel(market, layout);
  const nPaths = input.paths;
  // on a path memory, valued on this thread's rate-pool kernels (wasm/poolKernels.ts; the same bits as without)
  const into = pathBuffersForKernels(model.layout, grid.dates.length * nPaths, nPaths);
  const paths = simulatePaths(model, grid, input.seed, 0, nPaths, { antithetic: false, ...(sobol ? { sobol } : {}), ...(into ? { into } : {}) });
  const exposureDates = exposureDateIndices(grid);
  const times = Float64Array.from(exposureDates, (d) => grid.times[d]!);
  const valuationModel = valuationModelOf(model);

  const tradesBySet = new Map<string, Trade[]>();
  for (const t of portfolio.trades) {
    let list = tradesBySet.get(t.nettingSetId);
    if (!list) tradesBySet.set(t.nettingSetId, (list = []));
    list.push(t);
  }
  const nExp = exposureDates.length;
  const values = new Float64Array(grid.dates.length * nPaths);
  const collateral = new Float64Array(grid.dates.length * nPaths);
  const counterparties: WrongWayCounterpartyPaths[] = [];
  useKernelMemory(kernelMemoryOf(paths.numeraire));
  try {
    for (const counterpartyId of input.counterpartyIds) {
      const value = new Float64Array(nExp * nPaths);
      const sets: WrongWaySetPaths[] = [];
      for (const nettingSet of portfolio.nettingSets) {
        if (nettingSet.counterpartyId !== counterpartyId) continue;
        const trades = tradesBySet.get(nettingSet.nettingSetId);
        if (!trades || trades.length === 0) continue;
        const exposure = new Float64Array(nExp * nPaths);
        const profile = input.initialMarginProfiles?.get(nettingSet.nettingSetId);
        const initialMarginProfile = profile ? initialMarginOnGrid(nettingSet.nettingSetId, profile, grid) : undefined;
        valueSet(nettingSet, trades, { market, grid, paths, exposureDates, valuationModel }, values, collateral, exposure, value, initialMarginProfile);
        sets.push({ nettingSetId: nettingSet.nettingSetId, exposure });
      }
      counterparties.push({ counterpartyId, sets, value });
    }
  } finally {
    useKernelMemory(undefined);
  }
  return { grid, exposureDates, times, nPaths, model, paths, counterparties };
}

interface SetContext {
  market: Market;
  grid: TimeGrid;
  paths: SimulatedPaths;
  exposureDates: Int32Array;
  valuationModel: ReturnType<typeof valuationModelOf>;
}

/** One netting set: values and collateral as exposure/unit.ts computes them; fills `exposure`, adds V to `value`. */
function valueSet(
  nettingSet: NettingSet,
  trades: Trade[],
  ctx: SetContext,
  values: Float64Array,
  collateral: Float64Array,
  exposure: Float64Array,
  value: Float64Array,
  initialMarginProfile?: Float64Array,
): void {
  const { market, grid, paths, exposureDates } = ctx;
  const nPaths = paths.nPaths;
  const nDates = grid.dates.length;
  const kernel = compileNettingSet(trades, { market, model: ctx.valuationModel, grid, nettingSetId: nettingSet.nettingSetId, collateralCurrency: nettingSet.collateralCurrency });
  const last = Math.min(kernel.lastDateIndex, nDates - 1);
  const initialMargin = nettingSet.initialMarginHeld ?? 0;
  const withCollateral = nettingSet.csa || initialMargin > 0 || initialMarginProfile !== undefined;
  const needed = new Uint8Array(nDates);
  for (let d = 0; d <= last; d++) needed[d] = grid.exposureDate[d]!;
  const lag = nettingSet.csa && nettingSet.marginPeriodOfRiskDays > 0 ? grid.lagIndex.get(nettingSet.marginPeriodOfRiskDays) : undefined;
  // the lag dates of the exposure dates up to the close-out end, where C is still held after the last live date
  const closeOutEnd = lag && last >= 0 ? Math.min(closeOutEndOf(lag, last), nDates - 1) : last;
  if (lag) for (let d = 0; d <= closeOutEnd; d++) if (grid.exposureDate[d] === 1) needed[lag[d]!] = 1;
  for (let d = 0; d < nDates; d++) {
    const row = values.subarray(d * nPaths, (d + 1) * nPaths);
    if (d > last || needed[d] !== 1) row.fill(0); // after the last live date V = 0
    else kernel.valueAt(d, paths, row);
  }
  if (withCollateral) {
    computeCollateral(
      nettingSet,
      values,
      grid,
      nPaths,
      {
        coverage: 1,
        fxToBase: market.fxSpot(nettingSet.collateralCurrency, market.baseCurrency),
        ...(initialMarginProfile ? { initialMarginProfile } : { initialMargin }),
        lastDateIndex: Math.max(last, -1),
        exposureRowsOnly: true,
      },
      collateral,
    );
  }
  for (let k = 0; k < exposureDates.length; k++) {
    const d = exposureDates[k]!;
    const src = d * nPaths;
    const dst = k * nPaths;
    for (let p = 0; p < nPaths; p++) {
      const v = values[src + p]!;
      const e = v - (withCollateral ? collateral[src + p]! : 0);
      exposure[dst + p] = e > 0 ? e * (1 / paths.numeraire[src + p]!) : 0; // the profile's (V − C)⁺ · (1/N)
      value[dst + p] = value[dst + p]! + v;
    }
  }
}
