/** Pricers on paths: a netting set's trades compiled into a NettingSetKernel (exposure/types.ts). */
export { compileNettingSet, ratePoolNodeTables, type RatePoolNodeTables } from './compile.js';
export type { CreditStateModel, ValuationContext, ValuationModel } from './model.js';
export { GRID_NODES } from './stateGrid.js';
export { unsupportedReason } from './support.js';
