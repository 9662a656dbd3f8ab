/** Wrong-way risk in CVA (docs/xva.md, "Wrong-way risk"): Hull-White exposure-linked hazard, lognormal intensity. */
export { wrongWayCva, wrongWayCounterparties, type WrongWayDetail, type WrongWayInput, type WrongWayResult, type WrongWayRow } from './compute.js';
export { fitHazardDrift, type HazardFit } from './hazardFit.js';
export { pathwiseCva, independentPathCva, meanStdError, type PathCvaInput } from './pathCva.js';
export { exposureDrivers, intensityDrivers } from './drivers.js';
export { wrongWayPaths, bookGrid, type WrongWayPaths } from './paths.js';
export { wrongWayColumns } from './table.js';
