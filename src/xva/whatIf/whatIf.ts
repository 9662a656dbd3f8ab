/**
 * Pre-deal what-if (docs/xva.md, "Pre-deal what-if"): each new trade's incremental XVA against its existing netting
 * set, ΔX = X(set + trade) − X(set), both on the same regenerated market paths of the run (common random numbers, so
 * the difference carries far less Monte Carlo noise than either figure), without valuing any other netting set.
 * Every new trade is evaluated on its own against the set as it is in the book (two new trades in one set do not see
 * each other). Per set: its values once, read from the run's cube (`xva simulate --cube`: cubeValues.ts) when the
 * paths are the run's and the inputs unchanged, else compiled and valued again; per trade: compile and value the
 * trade alone, add its values to the set's, collateral and profile of the sum and of the trade alone (standalone),
 * XVA sums (compute.ts).
 */
import { kernelMemoryOf, pathBuffersForKernels, useKernelMemory } from '../../exposure/valuation/wasm/poolKernels.js';
import fs from 'node:fs';
import { factorNeeds } from '../../exposure/engine.js';
import { sha256File } from '../../exposure/outputs.js';
import { exposureDateIndices } from '../../exposure/profiles.js';
import type { NettingSetKernel } from '../../exposure/types.js';
import { compileNettingSet } from '../../exposure/valuation/index.js';
import { toIsoDate } from '../../conventions/dates.js';
import { XvaInputError, XvaInternalError, type InputIssue } from '../../errors.js';
import type { Market } from '../../market/types.js';
import type { NettingSet, Portfolio } from '../../portfolio/types.js';
import { tradeMaturity, type Currency, type Trade } from '../../products/types.js';
import { buildCrossAssetModel } from '../../simulation/crossAsset/model.js';
import { simulatePaths } from '../../simulation/crossAsset/simulate.js';
import { auxStreamsOf } from '../../simulation/crossAsset/stepPlan.js';
import { gridFromSpec, withCloseOutDates } from '../../simulation/grid.js';
import { buildFactorLayout, type FactorNeeds } from '../../simulation/layout.js';
import type { FactorLayout, TimeGrid } from '../../simulation/types.js';
import type { CubeIndexEntry } from '../../exposure/cube.js';
import { closeOutEndOf } from '../../exposure/collateral.js';
import { valuationModelOf } from '../../exposure/modelView.js';
import { setWeights, type SetWeights, type XvaFigures, type XvaOptions } from '../compute.js';
import type { CreditInputs } from '../credit.js';
import { weightedSum } from '../weights.js';
import { CubeValues, type SetValuesSource } from './cubeValues.js';
import { closedLayout, gridPrefix, needsOfFactors } from './paths.js';
import { movedRunFactors } from './movedFactors.js';
import type { WhatIfSettings } from './settings.js';
import { inverseNumeraireOn, lastIndexOf, neededDates, SetScratch, setExposure, valueRows, type SetContext, type SetExposure } from './valueSet.js';

export interface WhatIfInput {
  market: Market;
  portfolio: Portfolio;
  /** The new trades (loadNewTrades), in the file's order. */
  trades: readonly Trade[];
  /** The what-if file's name, for messages. */
  file: string;
  settings: WhatIfSettings;
  credit: CreditInputs;
  xva: XvaOptions;
  /** The current input files (name → path) to compare with the run's hashes. */
  inputFiles?: Record<string, string>;
}

export interface WhatIfRow {
  tradeId: string;
  nettingSetId: string;
  counterpartyId: string;
  product: string;
  /** X(set + trade) − X(set). */
  delta: XvaFigures;
  /** X of the trade alone in the netting set (same CSA). */
  standalone: XvaFigures;
  /** X of the netting set as it is in the book. */
  base: XvaFigures;
  /** Trades of the set in the book (valued). */
  setTrades: number;
  /** Where the set's values came from: the run's cube, or valued again on the regenerated paths. */
  setValues: SetValuesSource;
  /** The row's paths are the run's bit for bit (its group's: runWhatIf), so X(set) is the run's figure. */
  samePathsAsRun: boolean;
}

export interface WhatIfResult {
  rows: WhatIfRow[];
  notes: string[];
  /** Factors simulated for the what-if (a union of whole correlation blocks). */
  factors: string[];
  /** Dates of the paths (a prefix of the grid; under Sobol draws the whole grid) and paths. */
  dates: number;
  paths: number;
  /** The draws: the run's (Philox, or Sobol points). */
  rng: 'philox' | 'sobol';
  /** True when every row's paths are the run's bit for bit (WhatIfRow.samePathsAsRun). */
  samePathsAsRun: boolean;
  /** Path sets the trades were evaluated on (one per group of trades needing the same factors and dates: runWhatIf). */
  groups: number;
  /** Netting sets whose values were read from the cube, and valued again. */
  setValues: { cube: number; revalued: number };
  /** Bytes read from the cube file (0 without the cube). */
  cubeBytesRead: number;
  /** Wall seconds: set-up (layout, model, compiling), paths, then all trades (of which: the sets' values, read from
   * the cube or valued again; valuing the new trades; collateral + profiles + XVA sums). */
  seconds: { setup: number; paths: number; trades: number; setValuation: number; tradeValuation: number; profiles: number };
}

function figuresOf(w: SetWeights, x: SetExposure): XvaFigures {
  return {
    cva: weightedSum(w.cva, x.epe),
    dva: weightedSum(w.dva, x.ene),
    // funding after VM only, as xva/compute.ts computeXva
    fca: weightedSum(w.fca, x.epeVm),
    fba: weightedSum(w.fba, x.eneVm),
    colva: weightedSum(w.colva, x.collateralVm),
  };
}

function minus(a: XvaFigures, b: XvaFigures): XvaFigures {
  return { cva: a.cva - b.cva, dva: a.dva - b.dva, fca: a.fca - b.fca, fba: a.fba - b.fba, colva: a.colva - b.colva };
}

function union(a: FactorNeeds, b: FactorNeeds): FactorNeeds {
  return {
    currencies: [...new Set([...a.currencies, ...b.currencies])],
    equities: [...new Set([...a.equities, ...b.equities])],
    creditNames: [...new Set([...a.creditNames, ...b.creditNames])],
  };
}

/**
 * The what-if grid: the run's, or, when a new trade matures after its last date and the run used the default grid,
 * the default grid to the later maturity (with the run's close-out dates). The default grid is one sequence of dates
 * cut after the last maturity, so the run's dates are then a prefix of the longer grid and its paths are unchanged.
 */
function whatIfGrid(settings: WhatIfSettings, trades: readonly Trade[], notes: string[]): { grid: TimeGrid; prefixOfRun: boolean; runDatesFirst: boolean } {
  const sobol = settings.rng === 'sobol';
  const run = settings.grid;
  const lastDate = run.dates[run.dates.length - 1]!;
  let latest = lastDate;
  let latestTrade: Trade | undefined;
  for (const t of trades) {
    const m = tradeMaturity(t);
    if (m > latest) {
      latest = m;
      latestTrade = t;
    }
  }
  if (!latestTrade) return { grid: run, prefixOfRun: true, runDatesFirst: true };
  if (settings.gridSpec.kind !== 'default') {
    notes.push(`trade ${latestTrade.tradeId} matures ${toIsoDate(latest)}, after the run's last grid date ${toIsoDate(lastDate)} (grid from --grid): its exposure after that date is not counted, as in a run of the book`);
    return { grid: run, prefixOfRun: true, runDatesFirst: true };
  }
  const grid = withCloseOutDates(gridFromSpec({ kind: 'default' }, run.asOf, latest), [...run.lagIndex.keys()]);
  let runDatesFirst = grid.dates.length >= run.dates.length;
  for (let d = 0; runDatesFirst && d < run.dates.length; d++) runDatesFirst = grid.dates[d] === run.dates[d] && grid.exposureDate[d] === run.exposureDate[d];
  // Sobol draws go through a Brownian bridge over the whole grid: a longer grid moves every path, even on the run's dates
  const prefix = !sobol && runDatesFirst;
  notes.push(
    `trade ${latestTrade.tradeId} matures ${toIsoDate(latest)}, after the run's last grid date ${toIsoDate(lastDate)}: the default grid is extended to ${toIsoDate(grid.dates[grid.dates.length - 1]!)}` +
      (prefix
        ? ' (the run\'s dates are its first dates, so the paths up to them are unchanged)'
        : sobol
          ? ' (the run drew Sobol points through a Brownian bridge over its whole grid, which a longer grid changes: every set is valued on the new paths)'
          : ' (the dates differ from the run\'s: every set is valued on the new paths)'),
  );
  return { grid, prefixOfRun: prefix, runDatesFirst };
}

/** A compiled kernel, or an InputIssue naming the what-if row when the pricers on paths cannot value the trade. */
function compileNew(
  trade: Trade,
  ctx: { market: Market; model: ReturnType<typeof valuationModelOf>; grid: TimeGrid },
  collateralCurrency: Currency | undefined,
  file: string,
  issues: InputIssue[],
): NettingSetKernel | undefined {
  try {
    return compileNettingSet([trade], { ...ctx, nettingSetId: trade.nettingSetId, ...(collateralCurrency ? { collateralCurrency } : {}) });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'Error') throw error;
    const prefix = `trade ${trade.tradeId}: `;
    const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    issues.push({ file, ...(trade.sourceRow !== undefined ? { row: trade.sourceRow } : {}), column: 'product', value: trade.product, expected: `a trade the exposure engine can value: trade ${trade.tradeId}: ${reason}` });
    return undefined;
  }
}

/**
 * The what-if of every trade of the file, each evaluated as if it were alone in the file: the trades are grouped by
 * what they add to the run's paths (the factors the run lacks and a maturity after the run's last date, which extends
 * the grid), and each group gets its own paths and grid, those the trade would get alone. Trades that add nothing
 * share the run's own paths and grid (and its cube); a trade needing a new factor correlated with the run's no
 * longer re-draws the paths of the other rows. Rows in the file's order; notes, timings and counts of the groups
 * together.
 */
export function runWhatIf(input: WhatIfInput): WhatIfResult {
  const groups = groupTrades(input);
  if (groups.length <= 1) return runWhatIfGroup(input);
  const results = groups.map((trades) => runWhatIfGroup({ ...input, trades }));
  const byId = new Map<string, WhatIfRow>();
  for (const r of results) for (const row of r.rows) byId.set(row.tradeId, row);
  const notes: string[] = [];
  for (const r of results) for (const n of r.notes) if (!notes.includes(n)) notes.push(n);
  notes.push(`the trades were evaluated in ${results.length} groups by the factors and dates they add to the run's paths (each trade on the paths it would have alone in the file)`);
  const sum = (f: (r: WhatIfResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  return {
    rows: input.trades.map((t) => byId.get(t.tradeId)!),
    notes,
    factors: [...new Set(results.flatMap((r) => r.factors))],
    dates: Math.max(...results.map((r) => r.dates)),
    paths: results[0]!.paths,
    rng: results[0]!.rng,
    samePathsAsRun: results.every((r) => r.samePathsAsRun),
    groups: results.length,
    setValues: { cube: sum((r) => r.setValues.cube), revalued: sum((r) => r.setValues.revalued) },
    cubeBytesRead: sum((r) => r.cubeBytesRead),
    seconds: {
      setup: sum((r) => r.seconds.setup),
      paths: sum((r) => r.seconds.paths),
      trades: sum((r) => r.seconds.trades),
      setValuation: sum((r) => r.seconds.setValuation),
      tradeValuation: sum((r) => r.seconds.tradeValuation),
      profiles: sum((r) => r.seconds.profiles),
    },
  };
}

/**
 * The file's trades by what they add to the run's paths (first appearance order): the factors of the market layout
 * of the run's needs and the trade's that the run lacks, and a maturity after the run's last grid date (its default
 * grid is then extended to it: under Sobol draws the bridge with it, and under the `mid` rule the weight of the last
 * date of a set closing out there). A group's paths and grid are then each of its trades' own alone: the same layout
 * and the same grid (the run's, or the default grid to the group's maturity).
 */
function groupTrades(input: WhatIfInput): Trade[][] {
  const { market, settings } = input;
  const runNeeds = needsOfFactors(settings.runFactors);
  const runNames = new Set(buildFactorLayout(market, runNeeds).factorNames);
  const lastDate = settings.grid.dates[settings.grid.dates.length - 1]!;
  // a default grid is extended to a later maturity (whatIfGrid); a --grid spec is not
  const extendable = settings.gridSpec.kind === 'default';
  const groups = new Map<string, Trade[]>();
  for (const t of input.trades) {
    let added = '';
    try {
      added = buildFactorLayout(market, union(runNeeds, factorNeeds([t]))).factorNames.filter((f) => !runNames.has(f)).join(',');
    } catch (error) {
      // a factor the market lacks: the group's run says so, naming it (as one file did)
      if (!(error instanceof XvaInputError)) throw error;
      added = '?';
    }
    const maturity = tradeMaturity(t);
    // a trade maturing after the run's last date gets the grid it would have alone (to its maturity), apart from the
    // trades that do not extend the grid, which stay on the run's grid: under the `mid` rule the last date's weight
    // depends on the next grid date, and on Sobol points the bridge spans the whole grid
    const key = `${added}|${extendable && maturity > lastDate ? maturity : ''}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()];
}

function runWhatIfGroup(input: WhatIfInput): WhatIfResult {
  const started = performance.now();
  const { market, portfolio, settings, credit, xva, file } = input;
  const notes: string[] = [];

  // Inputs changed since the run? The sets are then valued again from today's files (the cube is the old book's).
  const changedInputs: string[] = [];
  for (const [name, current] of Object.entries(input.inputFiles ?? {})) {
    const was = settings.inputHashes.get(name);
    if (was && fs.existsSync(current) && sha256File(current) !== was.sha256) {
      changedInputs.push(name);
      // a file edited since the run, or another file than the run's (another --portfolio or --market): both differ
      notes.push(`${name} (${current}) is not the file the simulate run read (its SHA-256 differs: edited since, or another file than ${was.path}): the netting sets are valued from the file read now`);
    }
  }

  // New trades grouped by netting set (file order kept for the rows); the sets' book trades (the run's skips left out).
  const bySet = new Map<string, Trade[]>();
  for (const t of input.trades) {
    const list = bySet.get(t.nettingSetId) ?? [];
    if (list.length === 0) bySet.set(t.nettingSetId, list);
    list.push(t);
  }
  const setTrades = new Map<string, Trade[]>([...bySet.keys()].map((id) => [id, []]));
  for (const t of portfolio.trades) if (!settings.skippedTradeIds.has(t.tradeId)) setTrades.get(t.nettingSetId)?.push(t);
  const nettingSets = new Map<string, NettingSet>(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));

  // Layout: the run's factors plus what the new trades need; simulated: the whole blocks the sets touch.
  const runNeeds = needsOfFactors(settings.runFactors);
  const runLayout = buildFactorLayout(market, runNeeds);
  if (runLayout.factorNames.join() !== settings.runFactors.join()) notes.push(`the market gives the factors ${runLayout.factorNames.join(', ')}, the run simulated ${settings.runFactors.join(', ')}: paths may differ from the run's`);
  const universe = buildFactorLayout(market, union(runNeeds, factorNeeds(input.trades)));
  const runNames = new Set(runLayout.factorNames);
  const added = universe.factorNames.filter((f) => !runNames.has(f));
  let moved = new Set<string>();
  const sobol = settings.rng === 'sobol';
  const { grid, prefixOfRun, runDatesFirst } = whatIfGrid(settings, input.trades, notes);
  if (added.length > 0 && sobol) {
    // a Sobol point's coordinate k·S + s belongs to bridge step k of the driver in slot s: more drivers (S) move them all
    for (const f of runLayout.factorNames) moved.add(f);
    notes.push(`the new trades need factor(s) ${added.join(', ')} that the run did not simulate; the run drew Sobol points with one coordinate per driver and step, so more drivers give every path new coordinates: every set is valued on the new paths`);
  } else if (added.length > 0) {
    // a run factor moves only when the new factors change its rows of its block's factor matrix (movedFactors.ts):
    // one placed before it in its correlation block, a new currency's σ steps in the block's quadrature
    moved = movedRunFactors(market, runLayout, universe, grid);
    notes.push(
      `the new trades need factor(s) ${added.join(', ')} that the run did not simulate` +
        (moved.size > 0
          ? `; in the correlation block of ${[...moved].join(', ')}, whose paths they change (their block's factor is another): those are re-simulated with them (the sets needing them are valued on the new paths)`
          : ' (uncorrelated with the run\'s factors, or after them in their correlation blocks: a factor\'s draws do not depend on the factors after it, so the run\'s paths are unchanged)'),
    );
  }
  const sameLayout = runLayout.factorNames.join() === settings.runFactors.join();

  // The sets' values: from the run's cube when its paths are reproduced bit for bit (then only the new trades'
  // factors are simulated), else valued again (their trades' factors simulated too).
  const cube = CubeValues.open(settings.cube, { changedInputs, prefixOfRun, movedFactors: [...moved], sameLayout }, settings.paths, notes);
  try {
    return whatIfOn(input, { notes, bySet, setTrades, nettingSets, universe, runLayout, runNames, moved, grid, prefixOfRun, runDatesFirst, sameLayout, cube, started });
  } finally {
    cube?.close();
    useKernelMemory(undefined); // the rate pools' kernels let the paths go
  }
}

interface Plan {
  notes: string[];
  bySet: Map<string, Trade[]>;
  setTrades: Map<string, Trade[]>;
  nettingSets: Map<string, NettingSet>;
  universe: FactorLayout;
  runLayout: FactorLayout;
  runNames: Set<string>;
  moved: Set<string>;
  grid: TimeGrid;
  prefixOfRun: boolean;
  /** The run's dates (and exposure flags) are the what-if grid's first dates (the grid is the run's, or extends it). */
  runDatesFirst: boolean;
  sameLayout: boolean;
  cube: CubeValues | undefined;
  started: number;
}

function whatIfOn(input: WhatIfInput, plan: Plan): WhatIfResult {
  const { market, settings, credit, xva, file } = input;
  const { notes, bySet, setTrades, nettingSets, universe, runLayout, runNames, moved, grid, prefixOfRun, runDatesFirst, sameLayout, cube, started } = plan;
  const fromCube = new Map<string, CubeIndexEntry>();
  if (cube) for (const [id, trades] of setTrades) {
    const entry = cube.entry(id);
    if (entry && trades.length > 0) fromCube.set(id, entry);
  }
  const revalue = [...setTrades].filter(([id, trades]) => trades.length > 0 && !fromCube.has(id));
  if (cube && revalue.length > 0) notes.push(`not in the cube, valued again: ${revalue.map(([id]) => id).join(', ')}`);
  const allTrades = revalue.flatMap(([, trades]) => trades).concat(input.trades);
  const layout = closedLayout(market, factorNeeds(allTrades), universe);
  const model = buildCrossAssetModel(market, layout);
  const valuation = valuationModelOf(model);
  const compileCtx = { market, model: valuation, grid };

  // Kernels: the sets valued again (as the engine compiles them) and each new trade alone.
  const issues: InputIssue[] = [];
  const setKernels = new Map<string, NettingSetKernel>();
  // each set on its collateral currency's curves, as the engine compiles it (unit.ts compileSet)
  const collateralOf = (id: string) => nettingSets.get(id)?.collateralCurrency;
  for (const [id, trades] of revalue) {
    const collateralCurrency = collateralOf(id);
    setKernels.set(id, compileNettingSet(trades, { ...compileCtx, nettingSetId: id, ...(collateralCurrency ? { collateralCurrency } : {}) }));
  }
  const tradeKernels = new Map<string, NettingSetKernel | undefined>();
  for (const t of input.trades) tradeKernels.set(t.tradeId, compileNew(t, compileCtx, collateralOf(t.nettingSetId), file, issues));
  if (issues.length > 0) throw new XvaInputError(issues);

  // Paths: the run's seed and path indices, up to the last date any of these sets or trades is alive, or, under a CSA
  // with a margin period of risk, still holds the collateral called before its final payment (collateral.ts
  // closeOutEndOf: its exposure dates up to there read the numeraire).
  const endOf = (setId: string, lastIndex: number): number => {
    const last = Math.min(lastIndex, grid.dates.length - 1);
    const ns = nettingSets.get(setId);
    if (!ns || last < 0 || !ns.csa || !(settings.coverage > 0) || !(ns.marginPeriodOfRiskDays > 0)) return last;
    return Math.min(closeOutEndOf(grid.lagIndex.get(ns.marginPeriodOfRiskDays), last), grid.dates.length - 1);
  };
  let lastNeeded = 0;
  for (const [id, k] of setKernels) if (k) lastNeeded = Math.max(lastNeeded, endOf(id, k.lastDateIndex));
  for (const t of input.trades) {
    const k = tradeKernels.get(t.tradeId);
    if (k) lastNeeded = Math.max(lastNeeded, endOf(t.nettingSetId, k.lastDateIndex));
  }
  for (const [id, e] of fromCube) lastNeeded = Math.max(lastNeeded, endOf(id, e.lastDateIndex));
  // Sobol draws: the run's slots (its factors' driver streams, or with new factors the universe's) and its whole grid
  // (the Brownian bridge spans every date, so no prefix)
  const sobol = settings.rng === 'sobol' ? { streams: auxStreamsOf(universe.factorNames.some((f) => !runNames.has(f)) ? universe : runLayout) } : undefined;
  const prefix = sobol ? grid : gridPrefix(grid, lastNeeded + 1);
  const setupSeconds = (performance.now() - started) / 1000;
  const pathsStart = performance.now();
  // on a path memory, valued on this thread's rate-pool kernels (wasm/poolKernels.ts; the same bits as without)
  const into = pathBuffersForKernels(model.layout, prefix.dates.length * settings.paths, settings.paths);
  const paths = simulatePaths(model, prefix, settings.seed, 0, settings.paths, { antithetic: settings.antithetic, ...(sobol ? { sobol } : {}), ...(into ? { into } : {}) });
  useKernelMemory(kernelMemoryOf(paths.numeraire));
  const pathsSeconds = (performance.now() - pathsStart) / 1000;

  const tradesStart = performance.now();
  const exposureDates = exposureDateIndices(prefix);
  const discount = market.discountCurve(market.baseCurrency);
  const ctx: SetContext = {
    market,
    grid: prefix,
    paths,
    exposureDates,
    exposureCount: exposureDateIndices(grid).length,
    discountFactors: Float64Array.from(prefix.times, (t) => discount.discount(t)),
    inverseNumeraire: inverseNumeraireOn(paths, exposureDates),
    coverage: settings.coverage,
    pfeQuantile: settings.pfeQuantile,
  };
  const exposureTimes = Float64Array.from(exposureDateIndices(grid), (d) => grid.times[d]!);
  // X(set) is summed on the run's exposure dates with the run's weights, so that it is the run's figure and ΔX the
  // difference of the full runs of the book with and without the trade. The `mid` rule's last weight depends on the
  // next grid date (weights.ts: W[n] gets ½ w of the interval after t_n when there is one), so on a grid extended for
  // a longer new trade a set alive (or closing out) at the run's last date would gain the half-interval after it, which
  // the run of the book never counts. Its profile on those dates is the run's (the run's dates come first: same paths).
  const runGrid = settings.grid;
  const baseTimes = runDatesFirst && runGrid !== grid ? Float64Array.from(exposureDateIndices(runGrid), (d) => runGrid.times[d]!) : undefined;
  const nPaths = settings.paths;
  const cells = prefix.dates.length * nPaths;
  const baseValues = new Float64Array(cells);
  const tradeValues = new Float64Array(cells);
  const sumValues = new Float64Array(cells);
  const scratch = new SetScratch(cells, nPaths);
  const filled = new Uint8Array(prefix.dates.length);

  const rowOf = new Map<string, Omit<WhatIfRow, 'samePathsAsRun'>>();
  let setValuation = 0;
  let tradeValuation = 0;
  let profiles = 0;
  for (const [setId, newTrades] of bySet) {
    const nettingSet = nettingSets.get(setId);
    if (!nettingSet) throw new XvaInternalError(`what-if: netting set ${setId} is not in the portfolio`);
    const cp = credit.counterparties.get(nettingSet.counterpartyId);
    if (!cp) throw new XvaInternalError(`what-if: no credit curve resolved for counterparty ${nettingSet.counterpartyId}`);
    const weights = setWeights(exposureTimes, cp, credit, xva, nettingSet.collateralCurrency);
    // weightedSum reads as many profile dates as there are weights: the run's first dates
    const baseWeights = baseTimes ? setWeights(baseTimes, cp, credit, xva, nettingSet.collateralCurrency) : weights;
    const book = setTrades.get(setId)!;
    const kernel = setKernels.get(setId);
    const entry = fromCube.get(setId);
    const lastBase = entry ? Math.min(entry.lastDateIndex, prefix.dates.length - 1) : lastIndexOf(kernel, ctx);
    let lastAll = lastBase;
    for (const t of newTrades) lastAll = Math.max(lastAll, lastIndexOf(tradeKernels.get(t.tradeId), ctx));
    // The set's values on every date any of its what-ifs reads (0 after its own last live date), once.
    let mark = performance.now();
    const needed = neededDates(ctx, nettingSet, lastAll);
    if (entry) cube!.fill(entry, needed, lastBase, nPaths, baseValues, filled);
    else valueRows(ctx, kernel, lastBase, needed, baseValues);
    setValuation += performance.now() - mark;
    const setValues: SetValuesSource = entry ? 'cube' : 'revalued';
    mark = performance.now();
    const bookMaturity = book.reduce((m, t) => Math.max(m, tradeMaturity(t)), grid.asOf);
    sumValues.set(baseValues);
    const base = figuresOf(baseWeights, setExposure(ctx, nettingSet, sumValues, lastBase, bookMaturity, scratch));
    profiles += performance.now() - mark;
    for (const trade of newTrades) {
      const tk = tradeKernels.get(trade.tradeId)!;
      const lastTrade = lastIndexOf(tk, ctx);
      const last = Math.max(lastBase, lastTrade);
      const needed = neededDates(ctx, nettingSet, last);
      mark = performance.now();
      valueRows(ctx, tk, lastTrade, needed, tradeValues);
      tradeValuation += performance.now() - mark;
      mark = performance.now();
      for (let d = 0; d < needed.length; d++) {
        if (needed[d] !== 1) continue;
        for (let i = d * nPaths; i < (d + 1) * nPaths; i++) sumValues[i] = baseValues[i]! + tradeValues[i]!;
      }
      const maturity = Math.max(bookMaturity, tradeMaturity(trade));
      const withTrade = figuresOf(weights, setExposure(ctx, nettingSet, sumValues, last, maturity, scratch));
      const standalone = figuresOf(weights, setExposure(ctx, nettingSet, tradeValues, lastTrade, tradeMaturity(trade), scratch));
      profiles += performance.now() - mark;
      rowOf.set(trade.tradeId, {
        tradeId: trade.tradeId,
        nettingSetId: setId,
        counterpartyId: nettingSet.counterpartyId,
        product: trade.product,
        delta: minus(withTrade, base),
        standalone,
        base,
        setTrades: book.length,
        setValues,
      });
    }
  }
  // the run's paths bit for bit: its dates, its layout, no factor of the run re-simulated with a correlated new one (an
  // uncorrelated new factor leaves them as they are)
  const samePathsAsRun = prefixOfRun && ![...layout.factorNames].some((f) => moved.has(f)) && sameLayout;
  const rows = input.trades.map((t) => ({ ...rowOf.get(t.tradeId)!, samePathsAsRun }));
  const fromCubeCount = [...bySet.keys()].filter((id) => fromCube.has(id)).length;
  return {
    rows,
    notes,
    factors: [...layout.factorNames],
    dates: prefix.dates.length,
    paths: nPaths,
    rng: sobol ? 'sobol' : 'philox',
    samePathsAsRun,
    groups: 1,
    setValues: { cube: fromCubeCount, revalued: bySet.size - fromCubeCount },
    cubeBytesRead: cube ? cube.bytesRead : 0,
    seconds: { setup: setupSeconds, paths: pathsSeconds, trades: (performance.now() - tradesStart) / 1000, setValuation: setValuation / 1000, tradeValuation: tradeValuation / 1000, profiles: profiles / 1000 },
  };
}
