/**
 * The `shard` section of a shard's manifest.json (docs/scale.md, "Manifest") and the run key that ties the shards of
 * one run together: a SHA-256 over what must be the same in every shard (the command, N, each input file's SHA-256,
 * the options that change figures, the time grid and the book's netting sets). Paths and thread counts are left
 * out: shards on other machines mount the inputs elsewhere and use other core counts, with the same figures.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { toIsoDate } from '../conventions/dates.js';
import type { TimeGrid } from '../simulation/types.js';
import type { ShardPlan } from './plan.js';
import type { ShardFactorsRecord } from './shardFactors.js';
import { shardFolderName } from './shardSpec.js';

/** Options that do not change a figure: where the inputs are and how many threads ran. */
const NEUTRAL_OPTIONS = new Set(['portfolio', 'threads']);

export interface ShardConsistency {
  command: string;
  count: number;
  /** Input name (market, trades, ...) → SHA-256 of the file. */
  inputs: Record<string, string>;
  /** The run's options without the neutral ones, keys sorted. */
  options: Record<string, unknown>;
  /** SHA-256 of the grid's dates and exposure flags. */
  grid: string;
  /** Netting sets of the whole book and the SHA-256 of their ids in the book's order. */
  bookNettingSets: number;
  book: string;
}

export interface ShardSection {
  index: number;
  count: number;
  folder: string;
  /** `flag`, `JOB_COMPLETION_INDEX` or `AWS_BATCH_JOB_ARRAY_INDEX`. */
  source: string;
  runKey: string;
  consistency: ShardConsistency;
  counterpartyIds: string[];
  nettingSetIds: string[];
  /** Book positions of the netting sets (the merge order). */
  nettingSetIndices: number[];
  /** Expected cost of the shard and of the book (trades × dates × paths units). */
  cost: number;
  bookCost: number;
  /**
   * The market factors the shard simulated (simulate, cva, fva): whole correlation blocks of the book's layout
   * (shardFactors.ts). Not in the run key: each shard's list differs, and every list is part of the same paths.
   */
  factors?: ShardFactorsRecord;
  /**
   * SHA-256 of every table the shard wrote, by file name (not `cube.arrow`, whose batches the merge checks by netting
   * set as it streams them, and which would cost a read of gigabytes): the merge refuses a table that is not the file
   * its manifest lists (copied in from another run, damaged). Absent in the manifests of earlier versions.
   */
  files?: Record<string, string>;
}

/** The `files` of a shard section: the SHA-256 of each table in the shard's folder (`cube.arrow` and the manifest excepted). */
export function shardTableHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'manifest.json' || name === 'cube.arrow') continue;
    out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  }
  return out;
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sortedObject(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}

export function gridFingerprint(grid: TimeGrid): string {
  return sha256Text(JSON.stringify({ dates: [...grid.dates].map(toIsoDate), exposure: [...grid.exposureDate] }));
}

export function runKeyOf(c: ShardConsistency): string {
  return sha256Text(JSON.stringify({ ...c, inputs: sortedObject(c.inputs), options: sortedObject(c.options) }));
}

export interface ShardSectionInput {
  command: string;
  plan: ShardPlan;
  bookNettingSetIds: readonly string[];
  grid: TimeGrid;
  /** Input name → SHA-256 (as the manifest's `inputs`). */
  inputHashes: Record<string, string>;
  options: Record<string, unknown>;
  factors?: ShardFactorsRecord;
}

export function shardSection(input: ShardSectionInput): ShardSection {
  const { plan } = input;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.options)) if (!NEUTRAL_OPTIONS.has(key)) options[key] = value;
  const consistency: ShardConsistency = {
    command: input.command,
    count: plan.shard.count,
    inputs: sortedObject(input.inputHashes) as Record<string, string>,
    options: sortedObject(options),
    grid: gridFingerprint(input.grid),
    bookNettingSets: input.bookNettingSetIds.length,
    book: sha256Text(input.bookNettingSetIds.join('\n')),
  };
  return {
    index: plan.shard.index,
    count: plan.shard.count,
    folder: shardFolderName(plan.shard),
    source: plan.shard.source,
    runKey: runKeyOf(consistency),
    consistency,
    counterpartyIds: plan.counterparties.map((c) => c.counterpartyId),
    nettingSetIds: plan.nettingSetIds,
    nettingSetIndices: plan.nettingSetIndices,
    cost: plan.cost,
    bookCost: plan.bookCost,
    ...(input.factors ? { factors: input.factors } : {}),
  };
}

/** The first field in which two shards' consistency records differ, as words (undefined when they agree). */
export function firstDifference(a: ShardConsistency, b: ShardConsistency): string | undefined {
  if (a.command !== b.command) return `command (xva ${a.command} vs xva ${b.command})`;
  if (a.count !== b.count) return `shard count N (${a.count} vs ${b.count})`;
  const names = [...new Set([...Object.keys(a.inputs), ...Object.keys(b.inputs)])].sort();
  for (const name of names) {
    if (a.inputs[name] !== b.inputs[name]) {
      return `input ${name} (sha256 ${a.inputs[name]?.slice(0, 12) ?? 'absent'}… vs ${b.inputs[name]?.slice(0, 12) ?? 'absent'}…)`;
    }
  }
  const keys = [...new Set([...Object.keys(a.options), ...Object.keys(b.options)])].sort();
  for (const key of keys) {
    // a record that leaves out the draws drew philox (a capital shard records only sobol, cva and margin shards of
    // earlier versions did so too): compared as that
    const x = JSON.stringify(a.options[key]) ?? (key === 'rng' ? '"philox"' : undefined);
    const y = JSON.stringify(b.options[key]) ?? (key === 'rng' ? '"philox"' : undefined);
    if (x !== y) return `option ${key} (${x ?? 'absent'} vs ${y ?? 'absent'})`;
  }
  if (a.grid !== b.grid) return 'time grid (other dates)';
  if (a.bookNettingSets !== b.bookNettingSets || a.book !== b.book) return `book's netting sets (${a.bookNettingSets} vs ${b.bookNettingSets} sets, or other ids)`;
  return undefined;
}
