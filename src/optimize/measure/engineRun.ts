/**
 * One measurement of some netting sets of a book by the exposure engine, on a given grid and factor layout (the
 * base run's, so that the sets' paths are those of the whole-book run):
 *
 * 1. Pass 1: runSimulation over the sub-portfolio of those sets with the cube on. Each set's path values V stream
 *    through `onCube` (never held whole): KVA's projected SA-CCR EAD (kva.ts setKva) and, for a set whose im_model is
 *    simm, its dynamic IM profile (margin/dim.ts dimProfile: regression DIM scaled to today's SIMM, margin/dim.ts
 *    simmToday) and MVA, from the same values. This is the cheapest faithful route to MVA: no extra simulation, and
 *    the same DIM and MVA as `xva margin --dim` and `xva simulate --dynamic-im`, which draw theirs on the book's
 *    grid and layout too (margin/dim.ts bookUniverse).
 * 2. Pass 2 (dynamic IM on, some simm or schedule sets): those sets alone again, on the same grid and layout, with their expected
 *    IM held as collateral (dimAsInitialMargin) and posted (dimAsPostedMargin): their exposure, hence CVA/DVA/FVA,
 *    reflects the IM. V does not
 *    depend on collateral, so pass 1's DIM, MVA and KVA stand.
 * 3. CVA, DVA, FCA, FBA, ColVA per set (xva/compute.ts computeXva) on the final exposure.
 * A schedule-IM set's profile is its schedule IM projected on the exposure dates (margin/scheduleDim.ts, no
 * simulation), used as a SIMM set's DIM is. MVA is in the base currency (dimProfile's USD amount at today's spot). A
 * set without an IM profile (IM model none) has the MVA of its `initial_margin_posted`, held flat to its last live date
 * (margin/mva.ts, as `xva margin`), 0 without one (docs/optimize-measure.md).
 */
import type { CubeSetDetail } from '../../exposure/cube.js';
import { runSimulation, type SimulationOptions } from '../../exposure/engine.js';
import type { SimulationResult } from '../../exposure/results.js';
import { endTimeOf, mvaSum, nettingSetLastLiveDate, staticPostedMva, staticPostedProfile, tradesByNettingSet } from '../../margin/mva.js';
import { scheduleDimProfiles } from '../../margin/scheduleDim.js';
import { closeOutOf, dimAsInitialMargin, dimAsPostedMargin, dimProfile, simmToday, type DimProfile } from '../../margin/dim.js';
import type { FactorNeeds } from '../../simulation/layout.js';
import type { NettingSet, Portfolio } from '../../portfolio/types.js';
import type { Trade } from '../../products/types.js';
import type { HazardCurve, Market } from '../../market/types.js';
import { exposureIndices } from '../../simulation/grid.js';
import type { TimeGrid } from '../../simulation/types.js';
import { computeXva, exposureSetsOf, type ExposureSet, type NettingSetXva } from '../../xva/compute.js';
import type { CreditInputs } from '../../xva/credit.js';
import { subPortfolio, type SetCapital } from './capital.js';
import type { MeasureContext } from './context.js';
import { setKva, type KvaClock, type SetKva } from './kva.js';

export interface EngineSetFigures {
  xva: NettingSetXva;
  /** MVA, base currency: of the IM profile (simm: DIM; schedule: projected), else of `initial_margin_posted` (0 without). */
  mva: number;
  /** The posted IM the MVA funds (base currency, coverage applied): a stress scenario's MVA under its credit and funding. */
  mvaProfile?: PostedImProfile;
  /** Today's SIMM IM collected / posted, USD (simm sets). */
  simmCollectUsd?: number;
  simmPostUsd?: number;
  kva: SetKva;
  /** The exposure the XVA figures came from (undefined for a set without trades). */
  exposure?: ExposureSet;
}

export interface EngineRunSpec {
  portfolio: Portfolio;
  /** Sets to value (ids of `portfolio`'s netting sets). */
  nettingSetIds: ReadonlySet<string>;
  grid: TimeGrid;
  layoutNeeds: FactorNeeds;
  credit: CreditInputs;
  capital: ReadonlyMap<string, SetCapital>;
  clock: KvaClock;
  notes: string[];
}

async function run(ctx: MeasureContext, portfolio: Portfolio, spec: EngineRunSpec, extra: Partial<SimulationOptions>, onCube?: (id: string, values: Float32Array, nPaths: number, dates: Int32Array, detail: CubeSetDetail) => void): Promise<SimulationResult> {
  const result = await runSimulation({
    portfolio,
    market: ctx.market,
    ...(ctx.marketFile ? { marketFile: ctx.marketFile } : {}),
    options: {
      paths: ctx.paths,
      seed: ctx.seed,
      ...(ctx.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
      threads: ctx.threads,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      grid: spec.grid,
      layoutNeeds: spec.layoutNeeds,
      ...(ctx.coverage !== undefined ? { coverage: ctx.coverage } : {}),
      pathSimulator: ctx.pathSimulator,
      // the measurements read netting-set figures only (computeXva without trades, capital per set)
      tradeContributions: false,
      ...extra,
    },
    onWarning: (text) => spec.notes.push(text),
    ...(onCube ? { onCube: (id: string | null, values: Float32Array, n: number, dates: Int32Array, detail: CubeSetDetail) => (id === null ? undefined : onCube(id, values, n, dates, detail)) } : {}),
  });
  ctx.stats.engineRuns++;
  ctx.stats.setsValued += result.nettingSets.length;
  return result;
}

/** Engine figures of the given sets; a set without trades (not valued) gets zero XVA and MVA and KVA from V = 0. */
export async function measureSetsByEngine(ctx: MeasureContext, spec: EngineRunSpec): Promise<Map<string, EngineSetFigures>> {
  const out = new Map<string, EngineSetFigures>();
  if (spec.nettingSetIds.size === 0) return out;
  const sub = subPortfolio(spec.portfolio, spec.nettingSetIds);
  const { market } = ctx;
  // today's SIMM of the simm sets (the DIM is scaled to it): needed for MVA whether or not the IM is held as collateral
  const simm = simmToday(sub, market, { mporDays: ctx.dynamicIm ? ctx.dynamicIm.mporDays : 10 }, spec.notes);
  // USD per base unit, for the MVA of SIMM sets only (SIMM runs in USD): a market without USD is fine without them
  const usdPerBase = (): number => (market.baseCurrency === 'USD' ? 1 : market.fxSpot(market.baseCurrency, 'USD'));
  const nsById = new Map(sub.nettingSets.map((n) => [n.nettingSetId, n]));
  const kvaById = new Map<string, SetKva>();
  const dims = new Map<string, DimProfile>();
  const withTrades = new Set(sub.trades.map((t) => t.nettingSetId));
  const tradesOf = tradesByNettingSet(sub.trades);
  let result: SimulationResult | undefined;
  if (withTrades.size > 0) {
    // closeOutRows: the DIM's windows of one MPoR read a CSA set's close-out values, also at a scenario's coverage 0
    result = await run(ctx, sub, spec, { cube: true, closeOutRows: true }, (id, values, nPaths, dates, detail) => {
      kvaById.set(id, setKva(ctx, spec.clock, spec.capital.get(id)!, spec.credit, values, nPaths));
      const today = simm.get(id);
      const closeOut = today ? closeOutOf(detail, market) : undefined;
      if (today) {
        const ns = nsById.get(id)!;
        const curve = spec.credit.counterparties.get(ns.counterpartyId)?.curve;
        dims.set(
          id,
          dimProfile({
            nettingSetId: id,
            values,
            nPaths,
            dates: dates.slice(),
            market,
            simmCollect: today.collect,
            simmPost: today.post,
            marginPeriodOfRiskDays: ctx.dynamicIm ? ctx.dynamicIm.mporDays : 10,
            ...(curve ? { counterpartyCurve: curve } : {}),
            ...endTimeOf(tradesOf.get(id) ?? [], market),
            ...(closeOut ? { closeOut } : {}),
          }),
        );
      }
    });
  }
  // the schedule sets' IM projected on the same exposure dates (margin/scheduleDim.ts: no simulation), as `xva margin
  // --dim` and `--dynamic-im` give it: their MVA, and with dynamic IM on their IM held and posted in pass 2
  const scheduleIds = sub.nettingSets.filter((n) => n.imModel === 'schedule').map((n) => n.nettingSetId);
  if (scheduleIds.length > 0) {
    const dates = Int32Array.from(exposureIndices(spec.grid), (d) => spec.grid.dates[d]!);
    for (const profile of scheduleDimProfiles(sub, market, scheduleIds, dates, (id) => spec.credit.counterparties.get(nsById.get(id)!.counterpartyId)?.curve)) dims.set(profile.nettingSetId, profile);
  }
  const ccy = (id: string) => nsById.get(id)?.collateralCurrency;
  const sets = result ? exposureSetsOf(result, ccy) : [];
  // IM held by the bank: a CCP posts no IM to its members (the bank only posts), so cleared sets hold none; the IM
  // the bank posts (every simm set's, cleared ones too) lowers their ENE (DVA)
  const held = [...dims.values()].filter((d) => !nsById.get(d.nettingSetId)?.cleared);
  const posted = [...dims.values()];
  if (ctx.dynamicIm && posted.length > 0) {
    // pass 2: the simm and schedule sets with their expected IM held as collateral and posted, same grid and layout
    // (same paths)
    const imSets = new Set(posted.map((d) => d.nettingSetId));
    const again = await run(ctx, subPortfolio(sub, imSets), spec, { initialMarginProfiles: dimAsInitialMargin(held, market), postedInitialMarginProfiles: dimAsPostedMargin(posted, market) });
    const replaced = new Map(exposureSetsOf(again, ccy).map((s) => [s.nettingSetId, s]));
    for (let i = 0; i < sets.length; i++) sets[i] = replaced.get(sets[i]!.nettingSetId) ?? sets[i]!;
  }
  const xva = new Map(computeXva(sets, spec.credit, ctx.xva, false).nettingSets.map((x) => [x.nettingSetId, x]));
  const exposureById = new Map(sets.map((s) => [s.nettingSetId, s]));
  for (const id of spec.nettingSetIds) {
    const ns = nsById.get(id);
    if (!ns) continue;
    const credit = spec.credit.counterparties.get(ns.counterpartyId);
    const x =
      xva.get(id) ??
      ({ nettingSetId: id, counterpartyId: ns.counterpartyId, credit: credit!, cva: 0, dva: 0, fca: 0, fba: 0, colva: 0, cvaUnilateral: 0, dvaUnilateral: 0, cvaStdError: 0 } satisfies NettingSetXva);
    const kva = kvaById.get(id) ?? setKva(ctx, spec.clock, spec.capital.get(id)!, spec.credit, null, 1);
    const dim = dims.get(id);
    const today = simm.get(id);
    // the IM profile's MVA where the exposure holds and posts that profile (dynamic IM on), or where the set states no
    // IM posted (its model's MVA, as before); else the stated amount's, the IM that lowers its DVA in this run; at a
    // coverage scenario's c the bank posts c times the IM (as the engine posts it), so funds c times the MVA
    const coverage = ctx.coverage ?? 1;
    const fromProfile = dim !== undefined && (ctx.dynamicIm !== false || !((ns.initialMarginPosted ?? 0) > 0));
    const trades = tradesOf.get(id) ?? [];
    const mvaProfile = fromProfile ? dimPostedProfile(dim!, coverage / usdPerBase(), ns.counterpartyId, trades, market) : staticPostedImProfile(ctx, spec, ns, trades, coverage);
    out.set(id, {
      xva: x,
      mva: coverage * (fromProfile ? dim!.mva / usdPerBase() : staticMva(ctx, spec, ns, trades, credit?.curve)),
      ...(mvaProfile ? { mvaProfile } : {}),
      ...(today ? { simmCollectUsd: today.collect, simmPostUsd: today.post } : {}),
      kva,
      ...(exposureById.has(id) ? { exposure: exposureById.get(id)! } : {}),
    });
  }
  return out;
}

/**
 * MVA (base currency) of a set without an IM profile that posts a static `initial_margin_posted`: the amount at
 * today's spot, held flat to the set's last live date on the measure's exposure dates (margin/mva.ts, the rule
 * `xva margin` applies); 0 without posted IM.
 */
function staticMva(ctx: MeasureContext, spec: EngineRunSpec, ns: NettingSet, trades: readonly Trade[], curve: HazardCurve | undefined): number {
  const amount = ns.initialMarginPosted ?? 0;
  if (!(amount > 0)) return 0;
  const { market } = ctx;
  const dates = Int32Array.from(exposureIndices(spec.grid), (d) => spec.grid.dates[d]!);
  const base = amount * (ns.collateralCurrency === market.baseCurrency ? 1 : market.fxSpot(ns.collateralCurrency, market.baseCurrency));
  return staticPostedMva(base, trades, dates, market, curve);
}

/**
 * The IM posted that a set's MVA funds, for a stress scenario's credit and funding shocks (optimize/run.ts): per
 * exposure date in the base currency with the coverage applied, the times, the set's last live date and its
 * counterparty (whose survival the MVA weighs).
 */
export interface PostedImProfile {
  post: Float64Array;
  times: Float64Array;
  endTime?: number;
  counterpartyId: string;
}

/** MVA of a posted-IM profile under credit inputs (their funding spreads, counterparty and own curves; margin/mva.ts). */
export function mvaUnderCredit(profile: PostedImProfile, credit: CreditInputs, market: Market): number {
  return mvaSum(profile.post, profile.times, credit.funding, market.discountCurve(market.baseCurrency), credit.counterparties.get(profile.counterpartyId)?.curve, credit.own, profile.endTime);
}

/** A DIM or schedule profile's posted side as a PostedImProfile: USD times `scale` (coverage per USD of base). */
function dimPostedProfile(dim: DimProfile, scale: number, counterpartyId: string, trades: readonly Trade[], market: Market): PostedImProfile {
  return { post: Float64Array.from(dim.expectedImPost, (usd) => usd * scale), times: dim.times, ...endTimeOf(trades, market), counterpartyId };
}

/** A static `initial_margin_posted` as a PostedImProfile (undefined without one or without trades). */
function staticPostedImProfile(ctx: MeasureContext, spec: EngineRunSpec, ns: NettingSet, trades: readonly Trade[], coverage: number): PostedImProfile | undefined {
  const amount = ns.initialMarginPosted ?? 0;
  const lastLive = nettingSetLastLiveDate(trades);
  const { market } = ctx;
  if (!(amount > 0) || lastLive === undefined || lastLive <= market.asOf) return undefined;
  const dates = Int32Array.from(exposureIndices(spec.grid), (d) => spec.grid.dates[d]!);
  const base = coverage * amount * (ns.collateralCurrency === market.baseCurrency ? 1 : market.fxSpot(ns.collateralCurrency, market.baseCurrency));
  return { post: staticPostedProfile(base, dates, lastLive), times: Float64Array.from(dates, (d) => market.time(d)), endTime: market.time(lastLive), counterpartyId: ns.counterpartyId };
}
