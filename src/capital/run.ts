/**
 * The library entry of `xva capital`: SA-CCR (CRE52), RWA and CET1 (CRE20), BA-CVA (MAR50.13-26, full when the book
 * holds CDS protection bought on a counterparty's name or on a credit index with its BA-CVA columns), SA-CVA (MAR50.41 ff, from a sensitivity file or by bump and
 * revalue), KVA (kva.ts) and the capital-ratio scenarios. docs/capital.md, section "xva capital".
 */
import type { DateSerial } from '../conventions/dates.js';
import os from 'node:os';
import path from 'node:path';
import { IssueCollector, XvaInputError, XvaUsageError, formatIssue } from '../errors.js';
import { factorNeeds, runSimulation } from '../exposure/engine.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import type { Market } from '../market/types.js';
import { referenceCreditBumpedMarket } from '../market/bumps.js';
import type { Counterparty, Portfolio } from '../portfolio/types.js';
import { hedgeNameMap, hedgedCounterparty } from './hedges.js';
import type { Scenario } from '../scenarios/types.js';
import { checkCapitalRatioShocks } from '../scenarios/capitalRatio.js';
import type { GridSpec } from '../simulation/grid.js';
import { buildFactorLayout, type FactorNeeds } from '../simulation/layout.js';
import type { TimeGrid } from '../simulation/types.js';
import { exposureSetsOf } from '../xva/compute.js';
import { creditInputs, shockCreditInputs } from '../xva/credit.js';
import { BA_CVA_PARAMETERS, computeBaCva, tradeWeightedMaturityYears, type BaCvaCounterparty, type BaCvaIndexHedge, type BaCvaInput, type BaCvaParameters, type BaCvaResult, type BaCvaSingleNameHedge } from './bacva.js';
import { kvaIntegral, projectedEad, remainingEffectiveMaturity, thresholdBankBase, type KvaNettingSet } from './kva.js';
import { cet1Impact, computeRwa, type Cet1Impact, type RwaResult } from './rwa.js';
import { computeSaccr, loadSaccrInputs, SACCR_PARAMETERS, saccrYears, type SaccrInputs, type SaccrPosition, type SaccrResult, type SaccrTimeConvention } from './saccr/index.js';
import type { SaccrNettingSetResult, SaccrReferenceEntity } from './saccr/types.js';
import { computeSaCva, readSaCvaSensitivities, splitSensitivitiesByNettingSet, type SaCvaMarginType, type SaCvaResult, type SaCvaRiskType } from './sacva/index.js';
import { computeCvaComponents, counterpartyCreditBucket, sensitivitiesFromComponents, sensitivityPlan, type CvaComponents, type SensitivityRun } from './sacvaSensitivities.js';
import { someOf } from '../text.js';

/**
 * Netting sets × paths from which `xva capital` uses all cores by default: on the demo book (60 sets) 64 paths ran in
 * 23.4 s in-process and 25.6 s on 2 threads, 200 paths in 38.6 s and 26.1 s (bench/capital-shards.mjs, this 2-core
 * machine).
 */
export const AUTO_THREADS_MIN_SET_PATHS = 10_000;

export interface CapitalRunOptions {
  portfolioDir: string;
  marketFile: string;
  convention: SaccrTimeConvention;
  /** BA-CVA effective maturity per netting set, replacing the CRE32.47 default. */
  effectiveMaturityYears?: ReadonlyMap<string, number>;
  sacvaSensitivitiesFile?: string;
  /** ORE's perfectHedges for the file route: hedge sensitivity = CVA sensitivity for these risk/margin types. */
  sacvaPerfectlyHedged?: readonly { riskType: SaCvaRiskType; marginType: SaCvaMarginType }[];
  /** Compute SA-CVA by bump and revalue when no file is given (only with `kva`: it needs the simulation). */
  sacva: boolean;
  /** Simulate the book: KVA, and the computed SA-CVA. False: today's capital only, no Monte Carlo. */
  kva: boolean;
  paths: number;
  seed: number;
  /**
   * The draws of the KVA and SA-CVA runs (engine.ts SimulationOptions.rng): 'philox' (default) or 'sobol', each path a
   * Sobol point through a Brownian bridge, every run (the base, each bump, each shard) on the whole book's layout so
   * that the bumps keep common random numbers and the shards the single run's paths.
   */
  rng?: 'philox' | 'sobol';
  grid: GridSpec;
  /**
   * Worker threads of the engine runs; the figures do not depend on it. Default: all cores when the simulated netting
   * sets × paths reach AUTO_THREADS_MIN_SET_PATHS, else in-process (starting workers costs more than they save).
   */
  threads?: number;
  scenarios: readonly Scenario[];
  onProgress?: (text: string) => void;
}

export interface KvaProfileRow {
  /** Years ACT/365F (market time: survival and discounting). */
  timeYears: number;
  /** Years ACT/ACT (SA-CCR time: the positions' S, E, M, T shrink by it). */
  elapsedYears: number;
  /** Book E[EAD] (Σ netting sets, not survival-weighted). */
  ead: number;
  rwaCcr: number;
  rwaCva: number;
  capital: number;
  survivalOwn: number;
  discount: number;
  kvaContribution: number;
}

export interface KvaResult {
  kva: number;
  costOfCapital: number;
  capitalRatio: number;
  paths: number;
  profile: KvaProfileRow[];
  /** KVA of each netting set's CCR capital, and per counterparty CCR + its share of the CVA capital. */
  nettingSets: { nettingSetId: string; counterpartyId: string; kvaCcr: number; eadProfile: Float64Array }[];
  counterparties: { counterpartyId: string; kvaCcr: number; kvaCva: number; kva: number }[];
}

export interface CapitalScenarioRow {
  scenario: string;
  capitalRatio: number;
  capitalCcr: number;
  capitalCva: number;
  capital: number;
  kva?: number;
}

export interface CapitalRun {
  asOf: number;
  currency: string;
  saccr: SaccrResult;
  rwa: RwaResult;
  baCva: BaCvaResult;
  /** Effective maturity used per netting set and where it came from. */
  effectiveMaturity: { nettingSetId: string; years: number; source: 'option' | 'notional_weighted' }[];
  hedges: BaCvaSingleNameHedge[];
  /** Bought CDS on credit indices recognised as MAR50.24 index hedges (`cdsIndexHedges`). */
  indexHedges: BookIndexHedge[];
  saCva?: SaCvaResult & { source: 'file' | 'computed'; sensitivities?: SensitivityRun };
  kva?: KvaResult;
  /** CVA capital as RWA-equivalent capital: 12.5 × BA-CVA (or SA-CVA when given) × capital ratio. */
  capitalCva: number;
  capitalCcr: number;
  capital: number;
  /**
   * The bank's CET1 ratio before and after the book's whole RWA, CCR (EAD × RW) and CVA (12.5 × K_CVA, MAR50.8), is
   * added to its RWA; absent without the market's `capital.bankRwa` and `capital.bankCet1`.
   */
  cet1?: Cet1Impact;
  scenarios: CapitalScenarioRow[];
  notes: string[];
  simulations: number;
}

const BA_SECTOR: Record<Counterparty['sector'], BaCvaCounterparty['sector']> = {
  sovereign: 'sovereign',
  local_government: 'local_government',
  financial: 'financial',
  basic_materials: 'basic_materials',
  consumer: 'consumer',
  technology: 'technology',
  health_care: 'health_care',
  other: 'other',
};
const quality = (c: Counterparty): 'IG' | 'HY_NR' => (['AAA', 'AA', 'A', 'BBB'].includes(c.rating) ? 'IG' : 'HY_NR');

/**
 * Single-name hedges (MAR50.23): a CDS in the book bought on a counterparty's reference name (its `cds_curve`, else
 * its id) from another counterparty is a `direct` hedge of that counterparty (hedgedCounterparty); notional in the
 * base currency at today's spot, M = remaining maturity in SA-CCR years. Sold protection, CDS on other names and
 * protection bought from the reference counterparty itself are not hedges.
 */
export function cdsHedges(portfolio: Portfolio, market: Market, notes?: string[]): BaCvaSingleNameHedge[] {
  const byName = hedgeNameMap(portfolio.counterparties);
  const noted = new Set<string>();
  const hedges: BaCvaSingleNameHedge[] = [];
  for (const t of portfolio.trades) {
    if (t.product !== 'CDS' || t.direction !== 'buy' || t.maturityDate <= market.asOf) continue;
    const cp = hedgedCounterparty(t, byName, notes, noted);
    if (!cp) continue;
    hedges.push({
      hedgeId: t.tradeId,
      counterpartyId: cp,
      referenceName: t.referenceEntity,
      relation: 'direct',
      notionalAmount: Math.abs(t.notional) * market.fxSpot(t.currency, market.baseCurrency),
      remainingMaturityYears: saccrYears(market, t.maturityDate),
    });
  }
  return hedges;
}

/** An index hedge of the book: the BA-CVA input plus the credit index the CDS references (for reports). */
export interface BookIndexHedge extends BaCvaIndexHedge {
  referenceName: string;
}

/**
 * Index hedges (MAR50.24): a live CDS in the book bought on a credit index that `reference_entities` lists as
 * `kind = index` with `bacva_sector` (constituents: one Table 1 cell, the sector at the grade's quality, IG → IG,
 * SG → HY_NR; RW = 0.7 × that Table 1 weight) or `bacva_risk_weight` (RW = indexHedgeScalar × the given
 * name-weighted average). Notional in the base currency at today's spot, M = remaining maturity in SA-CCR years, as
 * `cdsHedges`. A CDS on a counterparty's name is a single-name hedge (`cdsHedges`), never an index hedge. A bought
 * CDS on an index row with neither column is not a hedge: one sentence per trade goes to `notes` when given.
 */
export function cdsIndexHedges(
  portfolio: Portfolio,
  market: Market,
  referenceEntities: ReadonlyMap<string, SaccrReferenceEntity> | undefined,
  notes?: string[],
  parameters: BaCvaParameters = BA_CVA_PARAMETERS,
): BookIndexHedge[] {
  if (!referenceEntities) return [];
  const counterpartyNames = new Set<string>();
  for (const c of portfolio.counterparties) {
    counterpartyNames.add(c.counterpartyId);
    if (c.cdsCurve) counterpartyNames.add(c.cdsCurve);
  }
  const hedges: BookIndexHedge[] = [];
  for (const t of portfolio.trades) {
    if (t.product !== 'CDS' || t.direction !== 'buy' || t.maturityDate <= market.asOf || counterpartyNames.has(t.referenceEntity)) continue;
    const entity = referenceEntities.get(t.referenceEntity);
    if (!entity?.isIndex) continue;
    const base = {
      hedgeId: t.tradeId,
      referenceName: t.referenceEntity,
      notionalAmount: Math.abs(t.notional) * market.fxSpot(t.currency, market.baseCurrency),
      remainingMaturityYears: saccrYears(market, t.maturityDate),
    };
    if (entity.baCvaSector !== undefined && entity.grade !== undefined) {
      hedges.push({ ...base, constituents: [{ sector: entity.baCvaSector, creditQuality: entity.grade === 'IG' ? 'IG' : 'HY_NR', names: 1 }] });
    } else if (entity.baCvaRiskWeight !== undefined) {
      // MAR50.24: RW_i = 0.7 × the name-weighted average Table 1 RW of the index's names
      hedges.push({ ...base, riskWeightOverride: parameters.indexHedgeScalar * entity.baCvaRiskWeight });
    } else {
      notes?.push(`trade ${t.tradeId}: CDS protection bought on the credit index ${t.referenceEntity} is not a BA-CVA index hedge: reference_entities gives neither bacva_sector (with grade) nor bacva_risk_weight for it (MAR50.24 needs the index's Table 1 risk weight)`);
    }
  }
  return hedges;
}

function positionsBySet(saccr: SaccrResult): Map<string, SaccrPosition[]> {
  const out = new Map<string, SaccrPosition[]>();
  for (const t of saccr.trades) {
    const list = out.get(t.nettingSetId) ?? [];
    list.push(t);
    out.set(t.nettingSetId, list);
  }
  return out;
}

/**
 * BA-CVA input at a point of the projection: EAD and M per netting set (0 for a set the lookups do not know),
 * counterparties in the book's order without QCCPs (MAR50.5), the hedges still alive. Also the optimizer's builder.
 */
export function baCvaInput(
  portfolio: Portfolio,
  eadOf: (nettingSetId: string) => number,
  maturityOf: (nettingSetId: string) => number,
  hedges: readonly BaCvaSingleNameHedge[],
  indexHedges: readonly BaCvaIndexHedge[],
): BaCvaInput {
  const sets = new Map<string, { nettingSetId: string; eadAmount: number; effectiveMaturityYears: number }[]>();
  for (const ns of portfolio.nettingSets) {
    const list = sets.get(ns.counterpartyId) ?? [];
    list.push({ nettingSetId: ns.nettingSetId, eadAmount: eadOf(ns.nettingSetId), effectiveMaturityYears: maturityOf(ns.nettingSetId) });
    sets.set(ns.counterpartyId, list);
  }
  const counterparties: BaCvaCounterparty[] = [];
  for (const c of portfolio.counterparties) {
    const nettingSets = sets.get(c.counterpartyId);
    // MAR50.5: transactions with a qualifying CCP are out of the scope of CVA capital
    if (!nettingSets || c.qccp) continue;
    counterparties.push({ counterpartyId: c.counterpartyId, sector: BA_SECTOR[c.sector], creditQuality: quality(c), nettingSets });
  }
  const present = new Set(counterparties.map((c) => c.counterpartyId));
  const input: BaCvaInput = { counterparties, singleNameHedges: hedges.filter((h) => present.has(h.counterpartyId) && h.remainingMaturityYears > 0) };
  const liveIndex = indexHedges.filter((h) => h.remainingMaturityYears > 0);
  return liveIndex.length > 0 ? { ...input, indexHedges: liveIndex } : input;
}

/**
 * The book's BA-CVA input today, exactly as `xva capital` builds it: EAD per netting set from SA-CCR, M per netting
 * set from `effectiveMaturityYears` when given, else CRE32.47 over its SA-CCR positions (0 without positions), and the
 * book's CDS protection on counterparty names as direct single-name hedges (`cdsHedges`) and, with the
 * `reference_entities` table, its protection on credit indices as index hedges (`cdsIndexHedges`; an unrecognised
 * index CDS adds a sentence to `notes`). For callers that measure changes to the book's CVA capital (the CVA hedge
 * lever of `xva optimize`).
 */
export function bookBaCvaInput(
  portfolio: Portfolio,
  market: Market,
  saccr: SaccrResult,
  effectiveMaturityYears?: ReadonlyMap<string, number>,
  referenceEntities?: ReadonlyMap<string, SaccrReferenceEntity>,
  notes?: string[],
): {
  input: BaCvaInput;
  effectiveMaturity: CapitalRun['effectiveMaturity'];
  hedges: BaCvaSingleNameHedge[];
  indexHedges: BookIndexHedge[];
  positions: Map<string, SaccrPosition[]>;
} {
  const positions = positionsBySet(saccr);
  const effectiveMaturity: CapitalRun['effectiveMaturity'] = portfolio.nettingSets.map((ns) => {
    const given = effectiveMaturityYears?.get(ns.nettingSetId);
    if (given !== undefined) return { nettingSetId: ns.nettingSetId, years: given, source: 'option' };
    const years = tradeWeightedMaturityYears(positions.get(ns.nettingSetId) ?? []);
    return { nettingSetId: ns.nettingSetId, years, source: 'notional_weighted' };
  });
  const maturity0 = new Map(effectiveMaturity.map((m) => [m.nettingSetId, m.years]));
  const ead0 = new Map(saccr.nettingSets.map((n) => [n.nettingSetId, n.ead]));
  const hedges = cdsHedges(portfolio, market, notes);
  const indexHedges = cdsIndexHedges(portfolio, market, referenceEntities, notes);
  return { input: baCvaInput(portfolio, (id) => ead0.get(id) ?? 0, (id) => maturity0.get(id) ?? 0, hedges, indexHedges), effectiveMaturity, hedges, indexHedges, positions };
}

/**
 * What `xva capital` takes from Monte Carlo: the KVA's projected SA-CCR EAD per simulated netting set and, for the
 * computed SA-CVA, the CVA of every set under the base and each bump (sacvaSensitivities.ts CvaComponents). Every
 * figure is one netting set's, so shards compute theirs and the merge (scale/mergeCapital.ts) puts them back in the
 * book's order; the book-level aggregates (BA-CVA at every date, the sensitivities' sums, SA-CVA) are formed after.
 */
export interface CapitalMonteCarlo {
  /** The netting sets the simulation valued, in the book's order, and their counterparties. */
  nettingSetIds: string[];
  counterpartyIds: string[];
  /** Exposure dates of the simulation (the KVA's dates). */
  dateSerials: Int32Array;
  /** E[EAD] per exposure date of each valued netting set (kva.ts projectedEad). */
  eadProfiles: Map<string, Float64Array>;
  /** The computed SA-CVA's components (absent with a sensitivity file or --no-sacva). */
  cva?: CvaComponents;
}

export interface CapitalContext {
  portfolio: Portfolio;
  market: Market;
  saccr: SaccrResult;
  positions: ReadonlyMap<string, SaccrPosition[]>;
  saccrInputs: SaccrInputs;
  options: CapitalRunOptions;
}

/**
 * The date the KVA profile must reach beyond the trades' maturities: the latest maturity of the positions given
 * directly (`saccr_trades`), which no trade of the book carries (a commodity position to 11 years beside a 1-year
 * swap: its capital was dropped after the swap's maturity). Undefined without such positions.
 */
export function capitalHorizon(market: Market, inputs: Pick<SaccrInputs, 'externalPositions'>): DateSerial | undefined {
  let years = 0;
  for (const p of inputs.externalPositions ?? []) years = Math.max(years, p.maturityYears);
  // past the maturity whatever the day count of the years (366 days a year): the profile is 0 from there on
  return years > 0 ? market.asOf + Math.ceil(366 * years) : undefined;
}

/** Where a shard simulates: its netting sets on the whole book's grid and the factor blocks they need. */
export interface CapitalSimulationScope {
  portfolio: Portfolio;
  grid: TimeGrid;
  layoutNeeds: FactorNeeds;
}

/** The KVA's view of one SA-CCR netting set (kva.ts): its positions, margin terms and thresholds in the base currency. */
export function kvaNettingSet(ns: SaccrNettingSetResult, terms: Portfolio['nettingSets'][number], positions: ReadonlyMap<string, SaccrPosition[]>, market: Market, capAtUnmargined: boolean): KvaNettingSet {
  return {
    nettingSetId: ns.nettingSetId,
    counterpartyId: ns.counterpartyId,
    positions: positions.get(ns.nettingSetId) ?? [],
    margined: ns.margined,
    ...(ns.marginPeriodOfRiskDays !== undefined ? { mporDays: ns.marginPeriodOfRiskDays } : {}),
    collateral: ns.collateral,
    nica: ns.nica,
    threshold: ns.threshold,
    minimumTransferAmount: ns.minimumTransferAmount,
    thresholdBank: thresholdBankBase(terms, market),
    capAtUnmargined,
  };
}

/** The SA-CVA bump plan of the book with the exposed counterparties `counterpartyIds` (credit bumps for those only). */
export function capitalSensitivityPlan(portfolio: Portfolio, market: Market, credit: ReturnType<typeof creditInputs>, counterpartyIds: readonly string[], saccrInputs: SaccrInputs) {
  return sensitivityPlan({
    portfolio,
    market,
    credit,
    exposedCounterparties: new Set(counterpartyIds),
    ...(saccrInputs.referenceEntities ? { referenceEntities: [...saccrInputs.referenceEntities.values()] } : {}),
  });
}

/**
 * The Monte Carlo part of `xva capital`: one base run with the path cube (`options.threads` workers), each valued netting set's
 * projected EAD from its cube, and with the computed SA-CVA every bumped run's CVA per set. `scope` restricts it to a
 * shard's netting sets (scale/capitalShard.ts); the bump plan's engine bumps are the whole book's either way.
 */
const horizonOf = (horizon: DateSerial | undefined): { horizon?: DateSerial } => (horizon === undefined ? {} : { horizon });

export async function simulateCapital(ctx: CapitalContext, scope?: CapitalSimulationScope): Promise<CapitalMonteCarlo> {
  const { portfolio, market, saccr, positions, options } = ctx;
  // under rng sobol every run draws each driver's Sobol coordinates by its slot in the whole book's layout (as xva
  // cva --rng sobol does), whichever netting sets it values: a shard draws the single run's paths
  const sobolLayout = options.rng === 'sobol' ? buildFactorLayout(market, factorNeeds(portfolio.trades)) : undefined;
  const simulation = {
    paths: options.paths,
    seed: options.seed,
    ...(sobolLayout ? { rng: 'sobol' as const, sobolLayout } : {}),
    grid: scope ? scope.grid : options.grid,
    ...(scope ? {} : horizonOf(capitalHorizon(market, ctx.saccrInputs))),
    antithetic: false,
    pfeQuantile: 0.95,
    skipUnsupported: false,
    ...(scope ? { layoutNeeds: scope.layoutNeeds } : {}),
  };
  const simulated = scope?.portfolio ?? portfolio;
  const ccyOf = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const cubes = new Map<string, Float32Array>();
  let nPaths = 0;
  let dateSerials: Int32Array = new Int32Array(0);
  const setPaths = (scope?.portfolio ?? portfolio).nettingSets.length * options.paths;
  const threads = Math.max(1, options.threads ?? (setPaths >= AUTO_THREADS_MIN_SET_PATHS ? os.availableParallelism() : 1));
  const result = await runSimulation({
    portfolio: simulated,
    market,
    ...(threads > 1 ? { marketFile: options.marketFile } : {}),
    options: { ...simulation, threads, cube: true },
    onCube: (id, values, n, serials) => {
      nPaths = n;
      dateSerials = serials;
      if (id !== null) cubes.set(id, values.slice());
    },
  });
  const sets = exposureSetsOf(result, (id) => ccyOf.get(id));
  const elapsed = Float64Array.from(dateSerials, (d) => saccrYears(market, d));
  const nsById = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const capAtUnmargined = options.convention === 'cre52';
  const eadProfiles = new Map<string, Float64Array>();
  for (const ns of saccr.nettingSets) {
    const cube = cubes.get(ns.nettingSetId);
    if (!cube) continue;
    eadProfiles.set(ns.nettingSetId, projectedEad(kvaNettingSet(ns, nsById.get(ns.nettingSetId)!, positions, market, capAtUnmargined), elapsed, cube, nPaths, true, SACCR_PARAMETERS));
  }
  const out: CapitalMonteCarlo = { nettingSetIds: sets.map((s) => s.nettingSetId), counterpartyIds: sets.map((s) => s.counterpartyId), dateSerials, eadProfiles };
  if (options.sacva && options.sacvaSensitivitiesFile === undefined) {
    const credit = creditInputs(portfolio, market, new Set(out.counterpartyIds));
    const plan = capitalSensitivityPlan(portfolio, market, credit, out.counterpartyIds, ctx.saccrInputs);
    out.cva = await computeCvaComponents(
      {
        portfolio,
        market,
        simulation,
        parallel: { threads, portfolioDir: options.portfolioDir, marketFile: options.marketFile, nettingSetIds: scope ? scope.portfolio.nettingSets.map((n) => n.nettingSetId) : null },
        credit,
        xva: { discretisation: 'mid', mode: 'unilateral' },
        baseSets: sets,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
      plan,
      simulated,
    );
  }
  return out;
}


/**
 * What SA-CCR took as the variation margin of margined netting sets without a `collateral_balances` row: none (the
 * RC then holds the whole value above NICA), or the CSA's call at today's value (`calculate_vm`).
 */
export function variationMarginNotes(sets: readonly SaccrNettingSetResult[], balances: ReadonlyMap<string, unknown> | undefined): string[] {
  const none: string[] = [];
  const calculated: string[] = [];
  for (const ns of sets) {
    if (!ns.margined || balances?.has(ns.nettingSetId)) continue;
    (ns.variationMarginCalculated ? calculated : none).push(ns.nettingSetId);
  }
  const out: string[] = [];
  if (none.length > 0) {
    out.push(
      `SA-CCR: ${none.length} margined netting set${none.length === 1 ? ' has' : 's have'} no collateral_balances row and hold${none.length === 1 ? 's' : ''} no variation margin (${someOf(none, 5)}); give their balances, or calculate_vm true in netting_sets to take the VM the CSA calls for at today's value`,
    );
  }
  if (calculated.length > 0) {
    out.push(`SA-CCR: ${calculated.length} margined netting set${calculated.length === 1 ? '' : 's'} without a balance take${calculated.length === 1 ? 's' : ''} the VM the CSA calls for at today's value (calculate_vm: ${someOf(calculated, 5)})`);
  }
  return out;
}

/**
 * trade_values rows of trades whose netting set has a value row of its own: SA-CCR takes the set's value V (the rows
 * of its trades are not added to it), so the trades' rows are said to be unused rather than dropped unseen.
 */
export function setValueOverrideNotes(portfolio: Portfolio, inputs: Pick<SaccrInputs, 'tradeValues' | 'nettingSetValues' | 'externalPositions'>): string[] {
  if (!inputs.nettingSetValues || !inputs.tradeValues) return [];
  const setOf = new Map<string, string>([...portfolio.trades.map((t) => [t.tradeId, t.nettingSetId] as const), ...(inputs.externalPositions ?? []).map((p) => [p.tradeId, p.nettingSetId] as const)]);
  const unused = new Map<string, string[]>();
  for (const id of inputs.tradeValues.keys()) {
    const set = setOf.get(id);
    if (set === undefined || !inputs.nettingSetValues.has(set)) continue;
    unused.set(set, [...(unused.get(set) ?? []), id]);
  }
  return [...unused].map(([set, ids]) => `SA-CCR: trade_values gives netting set ${set} a value of its own (V = ${inputs.nettingSetValues!.get(set)}), which is used; the rows of its ${ids.length === 1 ? 'trade' : `${ids.length} trades`} ${someOf([...new Set(ids)], 5)} are not added to it`);
}

/**
 * Rows of the SA-CCR side tables that name no netting set or trade of the book: ignored by SA-CCR, so a typo
 * (`NS_1` for `NS1`) would change the figures unseen. Said once per table (the whole book's ids, in a shard's merge too).
 */
export function unknownIdNotes(portfolio: Portfolio, inputs: Pick<SaccrInputs, 'collateralBalances' | 'tradeValues' | 'nettingSetValues' | 'externalPositions'>): string[] {
  const sets = new Set(portfolio.nettingSets.map((n) => n.nettingSetId));
  // the book's trades and the positions given directly (saccr_trades), whose values trade_values gives too
  const trades = new Set([...portfolio.trades.map((t) => t.tradeId), ...(inputs.externalPositions ?? []).map((p) => p.tradeId)]);
  const out: string[] = [];
  const say = (table: string, key: string, kind: string, unknown: string[]): void => {
    if (unknown.length > 0) out.push(`SA-CCR: ${unknown.length} ${table} row${unknown.length === 1 ? '' : 's'} by ${key} name${unknown.length === 1 ? 's' : ''} no ${kind} of the book, ignored: ${someOf(unknown, 5)}`);
  };
  say('collateral_balances', 'netting_set_id', 'netting set', [...(inputs.collateralBalances?.keys() ?? [])].filter((id) => !sets.has(id)));
  say('trade_values', 'trade_id', 'trade', [...(inputs.tradeValues?.keys() ?? [])].filter((id) => !trades.has(id)));
  say('trade_values', 'netting_set_id', 'netting set', [...(inputs.nettingSetValues?.keys() ?? [])].filter((id) => !sets.has(id)));
  return out;
}

/**
 * `xva capital`. `monteCarlo`: the simulation's part already computed (the merge of a sharded run,
 * scale/mergeCapital.ts); without it the book is simulated here (when `options.kva`).
 */
export async function runCapital(options: CapitalRunOptions, monteCarlo?: CapitalMonteCarlo): Promise<CapitalRun> {
  // the inputs' warnings are the run's first notes (printed by the command, in --json): an unknown column of a side
  // table (a misspelt independent_collateral_received) changes the EAD unseen otherwise
  const notes: string[] = [];
  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile, (text) => notes.push(text));
  checkCapitalRatioShocks(options.scenarios, market.capital.capitalRatio, options.marketFile);
  const issues = new IssueCollector();
  const inputs = await loadSaccrInputs(options.portfolioDir, issues, market);
  issues.throwIfAny();
  notes.push(...issues.warnings.map(formatIssue));
  const saccr = computeSaccr(portfolio, market, { ...inputs, convention: options.convention });
  const rwa = computeRwa(saccr, portfolio.counterparties, market);
  const ratio = market.capital.capitalRatio;
  notes.push(...variationMarginNotes(saccr.nettingSets, inputs.collateralBalances));
  notes.push(...unknownIdNotes(portfolio, inputs));
  notes.push(...setValueOverrideNotes(portfolio, inputs));

  // BA-CVA today: M per netting set from the option, else CRE32.47 over its positions (0 without positions)
  for (const id of options.effectiveMaturityYears?.keys() ?? []) {
    if (!portfolio.nettingSets.some((n) => n.nettingSetId === id)) throw new XvaUsageError(`--bacva-maturity: no netting set ${id} in the portfolio`);
  }
  const today = bookBaCvaInput(portfolio, market, saccr, options.effectiveMaturityYears, inputs.referenceEntities, notes);
  const { effectiveMaturity, hedges, indexHedges, positions } = today;
  const maturity0 = new Map(effectiveMaturity.map((m) => [m.nettingSetId, m.years]));
  const baCva = computeBaCva(today.input, { source: 'xva capital' });

  const run: CapitalRun = {
    asOf: market.asOf,
    currency: market.baseCurrency,
    saccr,
    rwa,
    baCva,
    effectiveMaturity,
    hedges,
    indexHedges,
    capitalCva: 0,
    capitalCcr: rwa.totalCapital,
    capital: 0,
    scenarios: [],
    notes,
    simulations: 0,
  };

  // exposure: one base run (cube for KVA) shared by SA-CVA and KVA, or the shards' parts put back together
  let mc: CapitalMonteCarlo | undefined;
  if (options.kva) {
    options.onProgress?.('simulating the book');
    run.simulations++;
    mc = monteCarlo ?? (await simulateCapital({ portfolio, market, saccr, positions, saccrInputs: inputs, options }));
  }
  const credit = mc ? creditInputs(portfolio, market, new Set(mc.counterpartyIds)) : undefined;

  if (options.sacvaSensitivitiesFile) {
    // ORE writes portfolio rows (empty NettingSet) beside per-netting-set rows: the portfolio rows when present,
    // else every netting set's rows (one book figure either way, never both: that would count twice)
    const all = await readSaCvaSensitivities(options.sacvaSensitivitiesFile);
    // a file without rows would make the CVA capital 0 in place of BA-CVA's: refused (MAR50.5: SA-CVA needs the bank's
    // sensitivities); leaving the flag out computes them
    if (all.length === 0) {
      throw new XvaInputError([{ file: options.sacvaSensitivitiesFile, value: 'no sensitivity rows', expected: "the bank's SA-CVA sensitivities (MAR50), one row per netting set or portfolio and risk factor: an empty file would set the CVA capital to 0 (leave out --sacva-sensitivities to compute them by bump and revalue)" }]);
    }
    const split = splitSensitivitiesByNettingSet(all);
    const records = split.portfolio.length > 0 ? split.portfolio : [...split.nettingSets.values()].flat();
    const bookSets = new Set(portfolio.nettingSets.map((n) => n.nettingSetId));
    const strangers = [...split.nettingSets.keys()].filter((id) => !bookSets.has(id));
    if (strangers.length > 0) {
      notes.push(`--sacva-sensitivities: ${strangers.length} netting set id(s) of ${options.sacvaSensitivitiesFile} name no netting set of the book (${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ', ...' : ''}): their rows ${split.portfolio.length > 0 ? 'are not read (the file\'s portfolio rows are)' : 'count in the SA-CVA as given'}; a typo would otherwise change the figures unseen`);
    }
    // the bucket of each counterparty from its sector: a row in another bucket is refused (MAR50.63, docs/capital-cva.md)
    const counterpartiesFile = portfolio.sources.counterparties ? path.basename(portfolio.sources.counterparties) : 'counterparties';
    const creditNames = Object.fromEntries(
      portfolio.counterparties.map((c) => [
        c.counterpartyId,
        { creditQuality: quality(c), bucket: counterpartyCreditBucket(c.sector), bucketSource: `its sector ${c.sector} in ${counterpartiesFile}${c.sourceRow !== undefined ? ` row ${c.sourceRow}` : ''}` },
      ]),
    );
    const perfectlyHedged = options.sacvaPerfectlyHedged ?? [];
    run.saCva = { ...computeSaCva(records, { reportingCurrency: market.baseCurrency, creditNames, perfectlyHedged }), source: 'file' };
  } else if (options.sacva && mc) {
    if (!mc.cva) throw new Error('the computed SA-CVA needs the CVA components of the simulation');
    const plan = capitalSensitivityPlan(portfolio, market, credit!, mc.counterpartyIds, inputs);
    const sens = sensitivitiesFromComponents(plan, mc.cva);
    run.simulations += sens.simulations;
    run.saCva = { ...computeSaCva(sens.records, { reportingCurrency: market.baseCurrency, creditNames: sens.creditNames }), source: 'computed', sensitivities: sens };
    notes.push(`SA-CVA sensitivities by bump and revalue: ${sens.simulations} bumped engine runs of ${options.paths} ${options.rng === 'sobol' ? 'Sobol ' : ''}paths (seed ${options.seed}; ${run.simulations} with the base run): delta and vega (IR, FX, equity), counterparty and reference credit delta`);
    notes.push(...plan.notes.map((n) => `SA-CVA: ${n}`));
    const hedgeTrades = new Set(hedges.filter((h) => plan.creditNames[h.counterpartyId] !== undefined).map((h) => h.hedgeId)).size;
    if (hedgeTrades > 0) notes.push(`SA-CVA: ${hedgeTrades} single-name CDS ${hedgeTrades === 1 ? 'hedge' : 'hedges'} on counterparty names as CvaHedge credit spread deltas (MAR50.37-50.39, 50.53)`);
    if (indexHedges.length > 0) notes.push(`SA-CVA: ${indexHedges.length} index CDS ${indexHedges.length === 1 ? 'hedge' : 'hedges'} (BA-CVA's, MAR50.24) not recognised in the computed SA-CVA (counterparty credit bucket 8 is not computed)`);
    if (plan.excludedCounterparties.size > 0) notes.push(`SA-CVA: the netting sets of ${plan.excludedCounterparties.size} qualifying ${plan.excludedCounterparties.size === 1 ? 'CCP are' : 'CCPs are'} out of scope (MAR50.5), as in BA-CVA`);
  }

  // MAR50.8: SA-CVA when the bank gives its sensitivities (supervisory approval), else BA-CVA; × 12.5 to RWA
  const cvaRegulatoryCapital = run.saCva?.source === 'file' ? run.saCva.capital : baCva.capital;
  run.capitalCva = 12.5 * cvaRegulatoryCapital * ratio;
  run.capital = run.capitalCcr + run.capitalCva;
  const { bankRwa, bankCet1 } = market.capital;
  if (bankRwa !== undefined && bankCet1 !== undefined) run.cet1 = cet1Impact(bankRwa, bankCet1, rwa.totalRwa + 12.5 * cvaRegulatoryCapital);

  // the sets whose M --bacva-maturity gives: their projected M is that value less the time elapsed (docs/capital.md)
  const maturityGiven = new Set(effectiveMaturity.filter((m) => m.source === 'option').map((m) => m.nettingSetId));
  const kvaOf = (c: NonNullable<typeof credit>) => computeKva(portfolio, market, saccr, rwa, maturity0, maturityGiven, hedges, indexHedges, positions, mc!, c, options.convention === 'cre52', options.paths);
  if (mc) run.kva = kvaOf(credit!);

  // scenarios: capital and KVA are linear in the capital ratio (capitalRatioAdd); credit spreads move the KVA through
  // the survival of the counterparties and of the bank (the projected EAD held: the simulation's values), and today's
  // capital through the values of the book's CDS, whose reference names' spreads move too (SA-CCR's RC and PFE read V,
  // BA-CVA its EAD): SA-CCR and BA-CVA again on the market with those curves shifted; a book without CDS has no spread
  // in today's capital; funding spreads move neither; a collateral coverage would move SA-CCR's collateral, not
  // shocked here, so such a scenario is not evaluated (no row: a row would state an unchanged capital as its figure)
  const cdsNames = [...new Set(portfolio.trades.flatMap((t) => (t.product === 'CDS' ? [t.referenceEntity] : [])))];
  const capitalAtSpread = (shiftBp: number): { capitalCcr: number; capitalCva: number } => {
    const shocked = referenceCreditBumpedMarket(market, cdsNames, shiftBp);
    const saccrS = computeSaccr(portfolio, shocked, { ...inputs, convention: options.convention });
    const rwaS = computeRwa(saccrS, portfolio.counterparties, shocked);
    // a given SA-CVA (from the bank's sensitivities) is not recomputed: the CVA capital stays
    const cvaS = run.saCva?.source === 'file' ? run.saCva.capital : computeBaCva(bookBaCvaInput(portfolio, shocked, saccrS, options.effectiveMaturityYears, inputs.referenceEntities).input, { source: 'xva capital scenario' }).capital;
    return { capitalCcr: rwaS.totalCapital, capitalCva: 12.5 * cvaS * ratio };
  };
  for (const s of options.scenarios) {
    const { capitalRatioAdd: add = 0, creditSpreadBp, ownCreditSpreadBp, collateralCoverage } = s.shocks;
    if (collateralCoverage !== undefined && collateralCoverage !== 1) {
      notes.push(`scenario ${s.name}: not evaluated for capital (its collateral coverage of ${collateralCoverage} would move the collateral SA-CCR reads, which xva capital does not shock)`);
      continue;
    }
    const r = ratio + add;
    const scale = r / ratio;
    const today = creditSpreadBp && cdsNames.length > 0 ? capitalAtSpread(creditSpreadBp) : { capitalCcr: run.capitalCcr, capitalCva: run.capitalCva };
    const row: CapitalScenarioRow = { scenario: s.name, capitalRatio: r, capitalCcr: today.capitalCcr * scale, capitalCva: today.capitalCva * scale, capital: (today.capitalCcr + today.capitalCva) * scale };
    if (run.kva) {
      let kva = run.kva.kva;
      if (creditSpreadBp || ownCreditSpreadBp) {
        const shockNotes: string[] = [];
        kva = kvaOf(shockCreditInputs(credit!, market, { ...(creditSpreadBp ? { creditSpreadBp } : {}), ...(ownCreditSpreadBp ? { ownCreditSpreadBp } : {}) }, shockNotes)).kva;
        notes.push(...shockNotes.map((n) => `scenario ${s.name}: ${n}`));
      }
      row.kva = kva * scale;
    }
    const moved = ['capitalRatioAdd', ...(run.kva ? ['creditSpreadBp', 'ownCreditSpreadBp'] : cdsNames.length > 0 ? ['creditSpreadBp'] : [])];
    const others = Object.keys(s.shocks).filter((k) => !moved.includes(k) && !(k === 'collateralCoverage' && collateralCoverage === 1));
    if (others.length > 0) notes.push(`scenario ${s.name}: ${others.join(', ')} ${run.kva ? (others.length === 1 ? 'moves neither capital nor KVA' : 'move neither capital nor KVA') : others.length === 1 ? 'does not move capital' : 'do not move capital'}`);
    run.scenarios.push(row);
  }
  return run;
}

function computeKva(
  portfolio: Portfolio,
  market: Market,
  saccr: SaccrResult,
  rwa: RwaResult,
  maturity0: ReadonlyMap<string, number>,
  maturityGiven: ReadonlySet<string>,
  hedges: readonly BaCvaSingleNameHedge[],
  indexHedges: readonly BaCvaIndexHedge[],
  positions: ReadonlyMap<string, SaccrPosition[]>,
  mc: CapitalMonteCarlo,
  credit: ReturnType<typeof creditInputs>,
  capAtUnmargined: boolean,
  paths: number,
): KvaResult {
  const p = SACCR_PARAMETERS;
  const dateSerials = mc.dateSerials;
  const { costOfCapital, capitalRatio } = market.capital;
  const nsById = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n]));
  const rwById = new Map(rwa.nettingSets.map((n) => [n.nettingSetId, n.riskWeight]));
  const n = dateSerials.length;
  const elapsed = Float64Array.from(dateSerials, (d) => saccrYears(market, d));
  const times = Float64Array.from(dateSerials, (d) => market.time(d));
  const survivalOf = (cp: string) => {
    const c = credit.counterparties.get(cp);
    return Float64Array.from(times, (t) => (c ? c.curve.survival(t) : 1));
  };
  const survival = new Map<string, Float64Array>();
  const eadProfiles = new Map<string, Float64Array>();
  const nsRows: KvaResult['nettingSets'] = [];
  const ccrCapital = new Float64Array(n);
  const ccrByNs = new Map<string, Float64Array>();
  for (const ns of saccr.nettingSets) {
    // a netting set the simulation did not value (no live trades) projects without paths, as kvaEadProfiles would
    const ead = mc.eadProfiles.get(ns.nettingSetId) ?? projectedEad(kvaNettingSet(ns, nsById.get(ns.nettingSetId)!, positions, market, capAtUnmargined), elapsed, null, 0, true, p);
    eadProfiles.set(ns.nettingSetId, ead);
    let s = survival.get(ns.counterpartyId);
    if (!s) survival.set(ns.counterpartyId, (s = survivalOf(ns.counterpartyId)));
    const rw = rwById.get(ns.nettingSetId) ?? 0;
    const cap = Float64Array.from(ead, (e, k) => rw * e * s![k]! * capitalRatio);
    ccrByNs.set(ns.nettingSetId, cap);
    for (let k = 0; k < n; k++) ccrCapital[k] += cap[k]!;
    nsRows.push({ nettingSetId: ns.nettingSetId, counterpartyId: ns.counterpartyId, kvaCcr: 0, eadProfile: ead });
  }
  // BA-CVA at every date on the survival-weighted projected EAD and the remaining maturities
  const cvaCapital = new Float64Array(n);
  const cvaShare = new Map<string, Float64Array>();
  for (let k = 0; k < n; k++) {
    const eads = new Map<string, number>();
    const mats = new Map<string, number>();
    for (const ns of saccr.nettingSets) {
      eads.set(ns.nettingSetId, eadProfiles.get(ns.nettingSetId)![k]! * survival.get(ns.counterpartyId)![k]!);
      const given = maturity0.get(ns.nettingSetId) ?? 0;
      const list = positions.get(ns.nettingSetId) ?? [];
      mats.set(ns.nettingSetId, list.length > 0 && !maturityGiven.has(ns.nettingSetId) ? remainingEffectiveMaturity(list, elapsed[k]!) : Math.max(given - elapsed[k]!, 0));
    }
    // a single-name hedge lives as long as its name: its notional weighted by that counterparty's survival, as the EAD is
    // (so a counterparty's projected capital, hedge and all, scales with its survival)
    const shifted = hedges.map((h) => ({ ...h, notionalAmount: h.notionalAmount * (survival.get(h.counterpartyId)?.[k] ?? 1), remainingMaturityYears: Math.max(h.remainingMaturityYears - elapsed[k]!, 0) }));
    // index hedges shrink the same way; one past its maturity (M = 0) drops out in baCvaInput
    const shiftedIndex = indexHedges.map((h) => ({ ...h, remainingMaturityYears: Math.max(h.remainingMaturityYears - elapsed[k]!, 0) }));
    const ba = computeBaCva(baCvaInput(portfolio, (id) => eads.get(id) ?? 0, (id) => mats.get(id) ?? 0, shifted, shiftedIndex), { source: 'KVA projection' });
    cvaCapital[k] = ba.rwa * capitalRatio;
    let totalScva = 0;
    for (const c of ba.counterparties) totalScva += c.scva;
    for (const c of ba.counterparties) {
      const share = cvaShare.get(c.counterpartyId) ?? new Float64Array(n);
      share[k] = totalScva > 0 ? (cvaCapital[k]! * c.scva) / totalScva : 0;
      cvaShare.set(c.counterpartyId, share);
    }
  }
  const ownCurve = credit.own;
  const survivalOwn = Float64Array.from(times, (t) => (ownCurve ? ownCurve.survival(t) : 1));
  const discountCurve = market.discountCurve(market.baseCurrency);
  const discount = Float64Array.from(times, (t) => discountCurve.discount(t));
  const capital = Float64Array.from(ccrCapital, (c, k) => c + cvaCapital[k]!);
  const { kva, contributions } = kvaIntegral(times, capital, survivalOwn, discount, costOfCapital);
  const integral = (c: Float64Array) => kvaIntegral(times, c, survivalOwn, discount, costOfCapital).kva;
  for (const row of nsRows) row.kvaCcr = integral(ccrByNs.get(row.nettingSetId)!);
  const cps = new Map<string, { counterpartyId: string; kvaCcr: number; kvaCva: number; kva: number }>();
  for (const row of nsRows) {
    const c = cps.get(row.counterpartyId) ?? { counterpartyId: row.counterpartyId, kvaCcr: 0, kvaCva: 0, kva: 0 };
    c.kvaCcr += row.kvaCcr;
    cps.set(row.counterpartyId, c);
  }
  for (const [id, share] of cvaShare) {
    const c = cps.get(id) ?? { counterpartyId: id, kvaCcr: 0, kvaCva: 0, kva: 0 };
    c.kvaCva = integral(share);
    cps.set(id, c);
  }
  for (const c of cps.values()) c.kva = c.kvaCcr + c.kvaCva;
  const profile: KvaProfileRow[] = [];
  for (let k = 0; k < n; k++) {
    let ead = 0;
    for (const e of eadProfiles.values()) ead += e[k]!;
    profile.push({ timeYears: times[k]!, elapsedYears: elapsed[k]!, ead, rwaCcr: ccrCapital[k]! / capitalRatio, rwaCva: cvaCapital[k]! / capitalRatio, capital: capital[k]!, survivalOwn: survivalOwn[k]!, discount: discount[k]!, kvaContribution: contributions[k]! });
  }
  return { kva, costOfCapital, capitalRatio, paths, profile, nettingSets: nsRows, counterparties: [...cps.values()] };
}
