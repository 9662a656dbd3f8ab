/** The LGM / Hull-White one-factor model: parameters, path kernels, closed forms and calibration. */
export * from './parameters.js';
export * from './kernels.js';
export * from './swaps.js';
export * from './closedForms.js';
export * from './calibration.js';
export { brentRoot } from './brent.js';
