/** ISDA SIMM: parameters as data, the aggregation, and the per-netting-set calculation with collect/post sides. */
export * from './types.js';
export { SimmParameters, loadSimmParameterFile, bundledSimmVersions, curvatureLambda, type SimmParameterFile } from './parameters.js';
export { simmContext, type SimmContext } from './context.js';
export { simmBreakdown, marginOf, NO_ADDONS } from './engine.js';
export { calculateSimm, simmInputs, rowsByRegulation, byNettingSet, REGULATION_ORDER, type SimmOptions } from './calculate.js';
