/**
 * Contracts of the simulation stage: the time grid, the cross-asset model's factor layout and the simulated market
 * paths that every pricer on paths reads. Paths are stored date-major (`[d * nPaths + p]`) so that one date's values
 * are one contiguous slice: the valuation kernels work a date at a time over all paths of a block.
 */
import type { DateSerial } from '../conventions/dates.js';
import type { Currency } from '../products/types.js';

export interface TimeGrid {
  readonly asOf: DateSerial;
  /** Simulation dates, strictly increasing; dates[0] = asOf (t = 0). */
  readonly dates: Int32Array;
  /** Years ACT/365F from asOf. */
  readonly times: Float64Array;
  /** 1 where the date is reported in exposure profiles; 0 for a close-out lag date added for a margin period of risk. */
  readonly exposureDate: Uint8Array;
  /**
   * Close-out grid: for each margin period of risk in the run (business days), for each grid index d, the index of the
   * grid date `marginPeriodOfRiskDays` business days before dates[d], clamped to 0 (the as-of date).
   */
  readonly lagIndex: ReadonlyMap<number, Int32Array>;
}

/**
 * Which factors a run simulates, in a fixed order. Each factor draws its normals from its own RNG stream
 * (`factorStreams[i]`, a hash of its name, passed as Philox's `factor` counter word), so a factor's draws never depend
 * on which other factors a run or shard needs.
 */
export interface FactorLayout {
  readonly baseCurrency: Currency;
  /** IR (LGM) factor per currency, base first. */
  readonly currencies: readonly Currency[];
  /** FX factor per non-base currency: log of units of base per one unit of the currency. */
  readonly fxCurrencies: readonly Currency[];
  readonly equities: readonly string[];
  /** Credit intensity factor per name (CDS reference names and counterparty curves). */
  readonly creditNames: readonly string[];
  /** `IR:USD`, `FX:EURUSD`, `EQ:SPX`, `CR:ACME`, in the order currencies, fxCurrencies, equities, creditNames. */
  readonly factorNames: readonly string[];
  /** Stable RNG stream id of each factor (a hash of its name), so adding a factor does not move the others' draws. */
  readonly factorStreams: Uint32Array;
}

/** The simulated market for a block of paths. All arrays date-major: value at date d, path p is `[d * nPaths + p]`. */
export interface SimulatedPaths {
  readonly grid: TimeGrid;
  readonly layout: FactorLayout;
  readonly nPaths: number;
  /** Global index of the block's first path (blocks and shards draw the same numbers for the same global path). */
  readonly pathOffset: number;
  /**
   * The seed the paths were drawn with: the valuation's own draws (an exercise between grid dates,
   * exposure/valuation/exerciseDraws.ts) are keyed by it and the global path index too.
   */
  readonly seed: number;
  /**
   * Whether the paths pair up antithetically, (2k, 2k+1) by global index (normal.ts fillNormalBlock): the valuation's
   * own draws pair up the same way (exerciseDraws.ts). Absent: false.
   */
  readonly antithetic?: boolean;
  /** LGM state x per currency (same order as layout.currencies). */
  readonly irState: readonly Float64Array[];
  /** ln(FX) per non-base currency, FX = units of base currency per one unit (layout.fxCurrencies order). */
  readonly fxLog: readonly Float64Array[];
  /**
   * FX = e^{fxLog} per non-base currency, same layout (optional: written by the CPU path simulation so that the
   * pricers on paths read one exponential per FX factor, date and path instead of one per netting set; readers fall
   * back to Math.exp of fxLog when absent). Always exactly Math.exp of the fxLog value.
   */
  readonly fxLevel?: readonly Float64Array[];
  /** ln(S) per equity, in the equity's own currency (layout.equities order). */
  readonly eqLog: readonly Float64Array[];
  /** Gaussian (LGM-type) intensity state y per credit name (layout.creditNames order). */
  readonly creditState: readonly Float64Array[];
  /** Base-currency LGM numeraire N(t, x_base) per date/path; N(0) = 1. */
  readonly numeraire: Float64Array;
}
