// The root finder lives in src/math (shared with the CDS bootstrap); re-exported for the model folder's users.
export { brentRoot } from '../../../math/brent.js';
