/**
 * The re-measurement core of `xva optimize` (docs/optimize-measure.md): every lever proves its saving here, by
 * re-running the exposure engine on the netting sets an amendment touches, on the same market paths and seed as the
 * base run, and recomputing the book-level figures that do not add up across netting sets (BA-CVA, capital, KVA's
 * CVA part, CET1).
 *
 * Usage (a lever):
 * ```ts
 * import { buildMeasureContext, measureBase, measureAmendment } from '../measure/index.js';
 *
 * const ctx = buildMeasureContext({ portfolio, market, marketFile, paths: 2000, seed: 42, threads: 1 });
 * const base = await measureBase(ctx);                 // one engine run of the whole book
 * base.sets.get('NS-1')!.cva;                          // per netting set figures (SetFigures), keyed by id
 * base.book.kva;                                       // book figures (BookFigures)
 * const m = await measureAmendment(ctx, base, {
 *   removeTradeIds: ['T1', 'T2'],
 *   addTrades: [replacement],                         // each names a netting set of the amended book
 *   upsertNettingSets: [{ ...ns, thresholdCpty: 0 }],
 *   upsertCounterparties: [],
 * });
 * m.delta.cva;                                         // CostDelta: amended − base (types.ts signs)
 * m.touchedNettingSetIds;                              // the sets re-valued (the others are not)
 * m.sets.get('NS-1');                                  // amended figures of a touched set (undefined if it left)
 * ```
 * `applyAmendment(portfolio, amendment)` gives the amended Portfolio (a new object; the base is never mutated) and
 * throws XvaInputError for a bad amendment (unknown trade id to remove, duplicate trade id, a trade in a missing
 * netting set, a netting set of a missing counterparty).
 *
 * Context: built once (buildMeasureContext): the base portfolio and market, paths, seed, threads, XVA options,
 * credit inputs, the capital settings of the market file (`capital`: ratio, cost of capital, bank RWA and CET1, as
 * `xva capital`), the SA-CCR side inputs, the base grid (with the close-out dates of the book's MPoRs and of
 * `extraMporDays`) and the book's factor needs. `ctx.stats` counts engine runs and netting sets valued.
 *
 * Files: amend.ts (applyAmendment, touched sets), context.ts (the context), capital.ts (SA-CCR, RWA, BA-CVA, CET1
 * from per-set maps), kva.ts (KVA from per-set projected EAD profiles), engineRun.ts (one engine run over a set of
 * netting sets: XVA, dynamic IM and MVA, EAD profiles), measure.ts (measureBase, measureAmendment).
 */
export { applyAmendment, touchedNettingSets, type TouchedSets } from './amend.js';
export { mvaUnderCredit, type PostedImProfile } from './engineRun.js';
export { buildMeasureContext, type MeasureContext, type MeasureContextInput, type MeasureStats } from './context.js';
export { BeyondGridError, measureAmendment, measureBase, costDelta, type AmendmentMeasurement, type BookFigures, type Measurement, type SetFigures } from './measure.js';
