/**
 * Options of the compression lever (docs/optimize-compression.md), their defaults and their checks. Every option has
 * a documented default so that `xva optimize` runs without any; a wrong value is a usage error naming the option.
 *
 * Units: the risk tolerances are in USD, the SIMM calculation currency the sensitivities come in
 * (src/margin/sensitivities/trade.ts): PV in USD, IR delta in USD per 1bp at one SIMM tenor vertex, FX delta in USD
 * for a 1% move of one currency against USD, cross-currency basis delta in USD per 1bp of one currency's basis.
 */
import { XvaUsageError } from '../../../errors.js';

export interface CompressionOptions {
  /** Largest change of the compressed trades' PV, USD (default 10,000: the cash settlement a compression may need). */
  pvToleranceUsd?: number;
  /** Largest change of the IR delta per currency and SIMM tenor vertex, USD per bp (default 100 ≈ the DV01 of 110k of a 10y swap). */
  irDeltaToleranceUsdPerBp?: number;
  /** Largest change of the FX delta per currency against USD, USD per 1% move (default 1,000 = a 100k USD FX position). */
  fxDeltaToleranceUsd?: number;
  /**
   * Largest change of the cross-currency basis delta per currency (SIMM Risk_XCcyBasis: the whole basis curve of the
   * currency +1bp), USD per bp (default 100, the IR delta's per vertex).
   */
  xccyBasisDeltaToleranceUsdPerBp?: number;
  /** At most this many replacement trades per compression (default 3). */
  maxReplacements?: number;
  /**
   * Preserve the IR delta per SIMM sub-curve too (OIS, Libor3m ...), so that no index basis is left open (default
   * false: per currency and tenor vertex, every sub-curve of the currency together, as the issue asks).
   */
  irDeltaBySubCurve?: boolean;
  /**
   * What booking one replacement trade is worth in gross notional, base currency (default 1,000,000): a replacement
   * must save more than this, so trades are not churned for near copies shaded to the tolerance edge. Must be > 0.
   */
  replacementPenaltyNotional?: number;
  /** Propose a compression only when it cuts the gross notional by at least this percent (default 1). */
  minGrossReductionPct?: number;
  /** Compress cleared trades across netting sets and counterparties at the same CCP (default true). */
  acrossCcp?: boolean;
  /** Only these netting sets (default: all). A CCP group is considered when any of its sets is named. */
  nettingSetIds?: readonly string[];
  /**
   * Branch-and-bound nodes of each group's HiGHS solve (default 1,000; every group's MILP is its own solve, whatever
   * batch of groups its worker holds, batch.ts): a work limit, so a solve that reaches it stops with the same best
   * solution on any machine (status `node_limit`).
   */
  maxNodes?: number;
  /**
   * HiGHS time limit per solve in seconds (default 120): a safety net that binds only on a machine many times slower
   * than the node limit assumes; the best solution found by then is used, its status `time_limit` is reported, and
   * that answer can depend on the machine's speed.
   */
  timeLimitSeconds?: number;
}

export interface ResolvedCompressionOptions {
  pvToleranceUsd: number;
  irDeltaToleranceUsdPerBp: number;
  fxDeltaToleranceUsd: number;
  xccyBasisDeltaToleranceUsdPerBp: number;
  maxReplacements: number;
  irDeltaBySubCurve: boolean;
  replacementPenaltyNotional: number;
  minGrossReductionPct: number;
  acrossCcp: boolean;
  nettingSetIds: ReadonlySet<string> | undefined;
  maxNodes: number;
  timeLimitSeconds: number;
}

export const DEFAULT_COMPRESSION_OPTIONS = Object.freeze({
  pvToleranceUsd: 10_000,
  irDeltaToleranceUsdPerBp: 100,
  fxDeltaToleranceUsd: 1_000,
  xccyBasisDeltaToleranceUsdPerBp: 100,
  maxReplacements: 3,
  irDeltaBySubCurve: false,
  replacementPenaltyNotional: 1_000_000,
  minGrossReductionPct: 1,
  acrossCcp: true,
  // a work limit per group (batch.ts); the old default time limit of 10 s bound first on the demo book's hardest
  // batches, so those answers depended on the machine's load (optimize-compression.md)
  maxNodes: 1_000,
  timeLimitSeconds: 120,
});

function amount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new XvaUsageError(`compression option ${name}: ${value} is not an amount >= 0`);
  return value;
}

/** Defaults filled in and every value checked. */
export function resolveCompressionOptions(options: CompressionOptions = {}): ResolvedCompressionOptions {
  const d = DEFAULT_COMPRESSION_OPTIONS;
  const maxReplacements = options.maxReplacements ?? d.maxReplacements;
  if (!Number.isInteger(maxReplacements) || maxReplacements < 0 || maxReplacements > 50) {
    throw new XvaUsageError(`compression option maxReplacements: ${maxReplacements} is not a whole number from 0 to 50`);
  }
  const minGrossReductionPct = amount('minGrossReductionPct', options.minGrossReductionPct, d.minGrossReductionPct);
  if (minGrossReductionPct > 100) throw new XvaUsageError(`compression option minGrossReductionPct: ${minGrossReductionPct} is not a percent from 0 to 100`);
  const replacementPenaltyNotional = options.replacementPenaltyNotional ?? d.replacementPenaltyNotional;
  if (!Number.isFinite(replacementPenaltyNotional) || replacementPenaltyNotional <= 0) {
    throw new XvaUsageError(`compression option replacementPenaltyNotional: ${replacementPenaltyNotional} is not an amount > 0`);
  }
  const maxNodes = options.maxNodes ?? d.maxNodes;
  if (!Number.isInteger(maxNodes) || maxNodes < 1) throw new XvaUsageError(`compression option maxNodes: ${maxNodes} is not a whole number of nodes >= 1`);
  const timeLimitSeconds = options.timeLimitSeconds ?? d.timeLimitSeconds;
  if (!Number.isFinite(timeLimitSeconds) || timeLimitSeconds <= 0) throw new XvaUsageError(`compression option timeLimitSeconds: ${timeLimitSeconds} is not a number of seconds > 0`);
  return {
    pvToleranceUsd: amount('pvToleranceUsd', options.pvToleranceUsd, d.pvToleranceUsd),
    irDeltaToleranceUsdPerBp: amount('irDeltaToleranceUsdPerBp', options.irDeltaToleranceUsdPerBp, d.irDeltaToleranceUsdPerBp),
    fxDeltaToleranceUsd: amount('fxDeltaToleranceUsd', options.fxDeltaToleranceUsd, d.fxDeltaToleranceUsd),
    xccyBasisDeltaToleranceUsdPerBp: amount('xccyBasisDeltaToleranceUsdPerBp', options.xccyBasisDeltaToleranceUsdPerBp, d.xccyBasisDeltaToleranceUsdPerBp),
    maxReplacements,
    irDeltaBySubCurve: options.irDeltaBySubCurve ?? d.irDeltaBySubCurve,
    replacementPenaltyNotional,
    minGrossReductionPct,
    acrossCcp: options.acrossCcp ?? d.acrossCcp,
    nettingSetIds: options.nettingSetIds === undefined ? undefined : new Set(options.nettingSetIds),
    maxNodes,
    timeLimitSeconds,
  };
}
