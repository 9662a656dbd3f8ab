// SA-CVA from given sensitivities (Basel MAR50.41 ff): data model, parameters, aggregation, ORE CSV reader.
export * from './types.js';
export { SA_CVA_PARAMETERS, type SaCvaParameters } from './parameters.js';
export { computeSaCva, splitSensitivitiesByNettingSet } from './aggregate.js';
export { parseSaCvaSensitivities, readSaCvaSensitivities } from './read.js';
