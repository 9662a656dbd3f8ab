/**
 * Stress scenarios (docs/scenarios.md): named, parallel shocks to the inputs of the XVA metrics. A scenario only says
 * what moves; the metrics that consume it apply the shocks to their market and CSA inputs.
 */

export interface ScenarioShocks {
  /** Parallel shift (bp) added to every counterparty, reference-name and proxy CDS spread; results floored at 0bp. */
  creditSpreadBp?: number;
  /** Parallel shift (bp) added to the bank's own CDS spreads; results floored at 0bp. */
  ownCreditSpreadBp?: number;
  /** Shift (bp) added to both the borrow and the lend funding spreads of every currency. */
  fundingSpreadBp?: number;
  /** Multiplier of the required VM and IM actually held (0 = none posted, 1 = as agreed, up to 1.2 = over-collateralised). */
  collateralCoverage?: number;
  /** Decimal added to the capital ratio (0.01 = +1% of RWA, e.g. a higher CET1 requirement). */
  capitalRatioAdd?: number;
}

export const SHOCK_KEYS = ['creditSpreadBp', 'ownCreditSpreadBp', 'fundingSpreadBp', 'collateralCoverage', 'capitalRatioAdd'] as const;
export type ShockKey = (typeof SHOCK_KEYS)[number];

export interface Scenario {
  name: string;
  description: string;
  shocks: ScenarioShocks;
  /** The file it was read from, for messages. */
  file: string;
}

/** Allowed range and wording of each shock, used by the loader and the docs. */
export const SHOCK_LIMITS: Record<ShockKey, { min: number; max: number; expected: string }> = {
  creditSpreadBp: { min: -10_000, max: 10_000, expected: 'a number of basis points between -10000 and 10000' },
  ownCreditSpreadBp: { min: -10_000, max: 10_000, expected: 'a number of basis points between -10000 and 10000' },
  fundingSpreadBp: { min: -10_000, max: 10_000, expected: 'a number of basis points between -10000 and 10000' },
  collateralCoverage: { min: 0, max: 1.2, expected: 'a multiplier between 0 and 1.2 (1 = collateral as agreed)' },
  capitalRatioAdd: { min: -0.1, max: 0.2, expected: 'a decimal between -0.1 and 0.2 (0.01 = +1% of RWA)' },
};
