/**
 * `xva capital --shard`: refused (docs/scale.md, "What is not sharded"). SA-CCR EAD and CCR RWA are per netting set,
 * but the tables of one capital run also carry book figures that are not sums of the shards' rows: BA-CVA
 * (MAR50.14: K = sqrt((ρ·ΣSCVA)² + (1 − ρ²)·ΣSCVA²), full version with the single-name hedges of MAR50.20-23, whose
 * CDS may sit in another shard than the hedged counterparty), the CVA capital and total capital derived from it, the
 * CET1 impact of the book's RWA and the capital-ratio scenarios; with KVA, a BA-CVA at every grid date over the whole
 * book's projected EAD. A merge would have to rebuild the whole book's BA-CVA input and the single run's summation
 * orders, which is not built; today's capital (--no-kva) is analytic and runs in seconds unsharded.
 */
import { XvaUsageError } from '../errors.js';

export const CAPITAL_SHARD_REFUSAL =
  'xva capital does not run sharded: BA-CVA (MAR50.14) is a book-level aggregate over every counterparty and its CDS hedges, ' +
  'and the CVA capital, capital, CET1 impact and KVA follow from it, so shards cannot be merged into the single run\'s figures; ' +
  'run xva capital unsharded (with --no-kva it is analytic)';

/** Throws the refusal when --shard or --shards is given (before any input is read). */
export function refuseCapitalShard(flags: { shard?: string | undefined; shards?: string | undefined }): void {
  if (flags.shard !== undefined || flags.shards !== undefined) throw new XvaUsageError(CAPITAL_SHARD_REFUSAL);
}
