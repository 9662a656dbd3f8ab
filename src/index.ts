// xva as a library: everything the CLI does is reachable from here.
export * from './errors.js';
export * from './conventions/dates.js';
export * from './products/types.js';
export * from './portfolio/types.js';
export * from './market/types.js';
export * from './io/table.js';
