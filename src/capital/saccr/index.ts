/** SA-CCR (Basel Framework CRE52, CRE54 for cleared trades): docs/capital.md. */
export { automaticRateShifts, AUTOMATIC_RATE_SHIFT_HEADROOM, computeSaccr, saccrNettingSet, type NettingSetInput, type NettingSetRuleOptions } from './compute.js';
export { computePfe, derivePosition, supervisoryEntry, type MaturityBasis } from './addOns.js';
export { collateralFromBalances, collateralTerms, type CollateralTerms } from './collateral.js';
export { fxPairOrder, saccrYears, swapLegTimes } from './conventions.js';
export {
  cdoTrancheDelta,
  effectiveMporDays,
  irHedgingSetEffectiveNotional,
  irMaturityBucket,
  marginedMaturityFactor,
  mporFloorDays,
  optionSupervisoryDelta,
  pfeMultiplier,
  replacementCost,
  singleFactorAddOn,
  supervisoryDuration,
  unmarginedMaturityFactor,
  type MporContext,
} from './formulas.js';
export { loadSaccrInputs, type SaccrInputs } from './inputs.js';
export { forwardSwapRate, fxAdjustedNotional, mappingContext, tradePositions } from './mapping.js';
export { SACCR_PARAMETERS, checkSaccrParameters, minimumTimeYears, type SaccrParameters } from './parameters.js';
export type * from './types.js';
export { SACCR_ASSET_CLASSES } from './types.js';
