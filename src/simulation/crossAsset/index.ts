/** The cross-asset model of the exposure simulation: layout, parameters, exact steps and path simulation. */
export { buildFactorLayout, factorStream, fnv1a32, type FactorNeeds } from '../layout.js';
export * from './model.js';
export * from './calibration.js';
export * from './credit.js';
export * from './simulate.js';
export { buildStepPlan, stepVol, type StepPlan } from './stepPlan.js';
export { factorise, type Factor } from './factorise.js';
