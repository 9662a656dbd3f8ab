/**
 * What `runSimulation` returns: per netting set its exposure profile and per-trade Euler contributions, per
 * counterparty and for the book the aggregates, plus what the manifest records (grid, model, timings). Every array
 * over dates is over the grid's exposure dates (`exposureDates`, grid indices), in order.
 */
import type { TimeGrid } from '../simulation/types.js';
import type { ExposureProfile } from './types.js';

export interface NettingSetResult {
  /** Position in the book's fixed order (the order of every output table). */
  index: number;
  nettingSetId: string;
  counterpartyId: string;
  collateralised: boolean;
  marginPeriodOfRiskDays: number;
  profile: ExposureProfile;
  tradeIds: readonly string[];
  /**
   * Euler contributions to the discounted EPE / ENE, trade-major: [i * nExposureDates + k]; sum over i = profile's.
   * Empty (length 0) in a run with SimulationOptions.tradeContributions false (except a set the GPU device figured).
   */
  tradeEpe: Float64Array;
  tradeEne: Float64Array;
  /**
   * Euler contributions to the EPE after VM only (profile.epeVm, the funding exposure), laid out as tradeEpe: the
   * same array as tradeEpe when the set holds no initial margin on any exposure date.
   */
  tradeEpeVm: Float64Array;
  /**
   * Euler contributions to the ENE after VM only (profile.eneVm, what FBA reads), laid out as tradeEne: the same array
   * as tradeEne when the set posts no initial margin on any exposure date.
   */
  tradeEneVm: Float64Array;
  /** Grid index of the last date any trade is alive. */
  lastDateIndex: number;
  /**
   * With `--cube` only: path values V (base currency, undeflated, before collateral) per exposure date and path
   * ([k * nPaths + p]), then the rows at the close-out lag dates (cube.ts closeOutRows); the engine hands them on.
   */
  cube?: Float64Array;
}

/** Exposure of a group of netting sets (a counterparty or the book), on the exposure dates. */
export interface AggregateProfile {
  /** Sums over the group's netting sets of their discounted EPE / ENE / Basel EE / collateral. */
  epe: Float64Array;
  ene: Float64Array;
  ee: Float64Array;
  /** Sum of the sets' Basel EEE (the Basel IMM measures are per netting set and add up, CRE53; aggregate.ts). */
  eee: Float64Array;
  collateral: Float64Array;
  /** Sums of the sets' EPE after VM only and VM held (ExposureProfile.epeVm, collateralVm): the funding exposure. */
  epeVm: Float64Array;
  /** Sum of the sets' ENE after VM only (ExposureProfile.eneVm): what FBA reads. */
  eneVm: Float64Array;
  collateralVm: Float64Array;
  /**
   * PFE of the group: the quantile over paths of sum over sets of (V - C)+ (exposures of different netting sets do not
   * net). Only for counterparties; undefined for the book (a quantile of the whole book is not additive and not used).
   */
  pfe?: Float64Array;
  /**
   * Monte Carlo standard error of the group's EPE, from the same per-path sums (aggregate.ts totalProfile). Only for
   * counterparties, as PFE.
   */
  epeStdError?: Float64Array;
  /** Sums of the sets' Basel EPE and effective EPE over the first year. */
  epe1y: number;
  eepe: number;
}

export interface CounterpartyResult extends AggregateProfile {
  counterpartyId: string;
  nettingSetIds: string[];
}

export interface SkippedTrade {
  tradeId: string;
  nettingSetId: string;
  product: string;
  reason: string;
}

/** Wall seconds per stage of a run. */
export type StageTimings = Record<string, number>;

export interface SimulationResult {
  grid: TimeGrid;
  /** Grid indices of the exposure dates. */
  exposureDates: Int32Array;
  nPaths: number;
  nettingSets: NettingSetResult[];
  counterparties: CounterpartyResult[];
  book: AggregateProfile;
  skipped: SkippedTrade[];
  /** The model as the manifest records it (factor names, parameters, calibrated sigmas, repricing errors). */
  model: Record<string, unknown>;
  threads: number;
  /**
   * Whether the run's paths lay on a path memory, so that its host threads valued the rate and CDS pools on the
   * WebAssembly kernels (valuation/wasm/poolKernels.ts; the same numbers either way); absent in results not made by
   * runSimulation.
   */
  poolKernels?: boolean;
  timings: StageTimings;
  /** Trade × path × date valuations the run stands for (trades alive at each valued date × paths). */
  valuations: number;
  /**
   * With SimulationOptions.coverageVariants: per distinct coverage asked for (in the order first asked), the figures
   * at that collateral coverage re-aggregated from the run's own path values (no second valuation). The base figures
   * above are those at SimulationOptions.coverage.
   */
  coverageVariants?: CoverageVariant[];
}

/**
 * The figures of a run at another collateral coverage, from the same simulated values: each netting set's collateral,
 * profile and Euler contributions at `coverage`, the counterparty and book totals over them. Bit for bit the figures
 * of a run made with that coverage on the same grid, seed and paths. A netting set without CSA or IM held (and a
 * counterparty with only such sets) has the same figures at every coverage: its entry is the base result's own object.
 */
export interface CoverageVariant {
  coverage: number;
  /** In the book's order, as SimulationResult.nettingSets (no cube). */
  nettingSets: NettingSetResult[];
  counterparties: CounterpartyResult[];
  book: AggregateProfile;
}
