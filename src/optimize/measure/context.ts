/**
 * The measurement context, built once per optimisation: the base book and market, the Monte Carlo settings, the
 * XVA options, the credit inputs, the capital settings and the base run's grid and factor needs. Every engine run of
 * the measurement (the base and each amendment) uses this grid and (at least) these factor needs, so that a run over
 * part of the book draws the very same market paths as the run over the whole book (docs/optimize-measure.md).
 *
 * Defaults follow the commands the figures must agree with: XVA options of `xva cva` (trapezoid 'mid', unilateral),
 * SA-CCR convention 'cre52' (`xva capital`), capital ratio, cost of capital, bank RWA and CET1 from the market file's
 * `capital` section (as `xva capital`), dynamic IM with a 10-day SIMM horizon (`xva simulate --dynamic-im`).
 */
import { XvaUsageError } from '../../errors.js';
import { factorNeeds } from '../../exposure/engine.js';
import type { PathSimulator } from '../../exposure/engine.js';
import type { CapitalParams, Market } from '../../market/types.js';
import { cachingPathSimulator } from './pathCache.js';
import type { Portfolio } from '../../portfolio/types.js';
import { tradeMaturity, type Currency } from '../../products/types.js';
import type { SaccrInputs, SaccrTimeConvention } from '../../capital/saccr/index.js';
import { gridFromSpec, withCloseOutDates, type GridSpec } from '../../simulation/grid.js';
import { capitalHorizon } from '../../capital/run.js';
import type { TimeGrid } from '../../simulation/types.js';
import type { FactorNeeds } from '../../simulation/layout.js';
import type { MporDays } from '../../margin/simm/types.js';
import type { XvaOptions } from '../../xva/compute.js';
import { creditInputs, type CreditInputs } from '../../xva/credit.js';

export interface MeasureContextInput {
  /** Share another context's path cache (same seed, paths, grid and layout give the same paths). */
  pathSimulator?: PathSimulator;
  portfolio: Portfolio;
  market: Market;
  /** The market file the market came from: needed when threads > 1 (the workers load it). */
  marketFile?: string;
  paths: number;
  seed: number;
  /**
   * The draws of every engine run (engine.ts SimulationOptions.rng); default philox. Under 'sobol' each run draws each
   * driver by its slot in the run's layout, which is the measurement's layoutNeeds (the book's, or an amendment's
   * extended one for both its base and amended runs): the common random numbers of a Philox measurement.
   */
  rng?: 'philox' | 'sobol';
  /** Worker threads of each engine run; default 1. */
  threads?: number;
  /** A `--grid` spec or a ready grid; default the default grid over the base book. */
  grid?: GridSpec | TimeGrid;
  /**
   * Margin periods of risk (business days) whose close-out dates the base grid carries beside the book's own, so that
   * amendments to those MPoRs keep the base grid (otherwise measureAmendment re-measures the touched sets' base on
   * the extended grid). Default none: the grid is then exactly the one `xva cva` uses for the base book.
   */
  extraMporDays?: readonly number[];
  /**
   * Factors to simulate beside the book's own (unioned): a measurement of an amended book that must draw the base
   * book's paths passes the base context's `layoutNeeds` (and its `grid`).
   */
  layoutNeeds?: FactorNeeds;
  /** Default { discretisation: 'mid', mode: 'unilateral' } (`xva cva`'s defaults). */
  xva?: XvaOptions;
  /** SA-CCR side inputs of the portfolio folder (capital/saccr/inputs.ts loadSaccrInputs); default none. */
  saccrInputs?: SaccrInputs;
  /** Default 'cre52'. */
  saccrConvention?: SaccrTimeConvention;
  /** BA-CVA effective maturity per netting set (`xva capital --bacva-maturity`); default CRE32.47. */
  effectiveMaturityYears?: ReadonlyMap<string, number>;
  /**
   * Dynamic IM of the im_model simm netting sets (regression DIM) and schedule ones (projected) held and posted as IM
   * (margin/dim.ts, scheduleDim.ts, as `xva simulate --dynamic-im`) with this SIMM horizon; false: IM only as
   * initial_margin_held and initial_margin_posted (then MVA is still measured: engineRun.ts).
   * Default { mporDays: 10 }.
   */
  dynamicIm?: { mporDays: MporDays } | false;
}

export interface MeasureStats {
  /** Engine runs made (runSimulation calls). */
  engineRuns: number;
  /** Netting sets valued over all runs (a set valued in two passes counts twice). */
  setsValued: number;
}

export interface MeasureContext {
  readonly portfolio: Portfolio;
  readonly market: Market;
  readonly marketFile: string | undefined;
  readonly paths: number;
  readonly seed: number;
  readonly rng: 'philox' | 'sobol';
  readonly threads: number;
  readonly xva: XvaOptions;
  /** Credit inputs of every counterparty of the base book's netting sets. */
  readonly credit: CreditInputs;
  readonly capital: CapitalParams;
  readonly saccrInputs: SaccrInputs;
  readonly saccrConvention: SaccrTimeConvention;
  readonly effectiveMaturityYears: ReadonlyMap<string, number>;
  readonly dynamicIm: { mporDays: MporDays } | false;
  /** The base run's grid (with the close-out dates of the book's MPoRs and `extraMporDays`). */
  readonly grid: TimeGrid;
  /** The whole book's factor needs (every run's layoutNeeds). */
  readonly layoutNeeds: { currencies: Currency[]; equities: string[]; creditNames: string[] };
  readonly stats: MeasureStats;
  /** Simulates the market paths once for all the context's engine runs (pathCache.ts). */
  readonly pathSimulator: PathSimulator;
  /** Collateral coverage factor of every run (a stress scenario's; undefined = 1, collateral as agreed). */
  readonly coverage?: number;
}

function isTimeGrid(grid: GridSpec | TimeGrid | undefined): grid is TimeGrid {
  return grid !== undefined && 'dates' in grid;
}

/** The MPoRs (business days) whose close-out dates a run of these netting sets needs (CSA sets with trades). */
export function bookMporDays(portfolio: Portfolio): number[] {
  const withTrades = new Set(portfolio.trades.map((t) => t.nettingSetId));
  return portfolio.nettingSets.filter((n) => n.csa && n.marginPeriodOfRiskDays > 0 && withTrades.has(n.nettingSetId)).map((n) => n.marginPeriodOfRiskDays);
}

/** The union of two factor needs, sorted and unique. */
export function unionNeeds(a: FactorNeeds, b: FactorNeeds | undefined): { currencies: Currency[]; equities: string[]; creditNames: string[] } {
  const merge = <T extends string>(x: Iterable<T>, y: Iterable<T> | undefined): T[] => [...new Set([...x, ...(y ?? [])])].sort();
  return { currencies: merge(a.currencies, b?.currencies), equities: merge(a.equities, b?.equities), creditNames: merge(a.creditNames, b?.creditNames) };
}

export function buildMeasureContext(input: MeasureContextInput): MeasureContext {
  const { portfolio, market } = input;
  const threads = input.threads ?? 1;
  if (threads > 1 && !input.marketFile) throw new XvaUsageError('the optimiser runs the engine on worker threads only with the market file (give marketFile, or threads = 1)');
  // to the latest saccr_trades maturity too, as xva capital's grid (capital/run.ts capitalHorizon: the KVA profile)
  let lastMaturity = Math.max(market.asOf, capitalHorizon(market, input.saccrInputs ?? {}) ?? market.asOf);
  for (const t of portfolio.trades) lastMaturity = Math.max(lastMaturity, tradeMaturity(t));
  const baseGrid = isTimeGrid(input.grid) ? input.grid : gridFromSpec(input.grid ?? { kind: 'default' }, market.asOf, lastMaturity);
  const grid = withCloseOutDates(baseGrid, [...bookMporDays(portfolio), ...(input.extraMporDays ?? [])]);
  const counterpartyIds = new Set(portfolio.nettingSets.map((n) => n.counterpartyId));
  return {
    portfolio,
    market,
    marketFile: input.marketFile,
    paths: input.paths,
    seed: input.seed,
    rng: input.rng ?? 'philox',
    threads,
    xva: input.xva ?? { discretisation: 'mid', mode: 'unilateral' },
    credit: creditInputs(portfolio, market, counterpartyIds),
    capital: market.capital,
    saccrInputs: input.saccrInputs ?? {},
    saccrConvention: input.saccrConvention ?? 'cre52',
    effectiveMaturityYears: input.effectiveMaturityYears ?? new Map(),
    dynamicIm: input.dynamicIm === undefined ? { mporDays: 10 } : input.dynamicIm,
    grid,
    layoutNeeds: unionNeeds(factorNeeds(portfolio.trades), input.layoutNeeds),
    stats: { engineRuns: 0, setsValued: 0 },
    pathSimulator: input.pathSimulator ?? cachingPathSimulator(),
  };
}
