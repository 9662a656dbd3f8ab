/**
 * Which shard a process runs (docs/scale.md, "Choosing the shard"): `--shard K/N` (1-based K), or `--shards N` with
 * the 0-based index a scheduler puts in the environment: `JOB_COMPLETION_INDEX` (Kubernetes Indexed Job) or
 * `AWS_BATCH_JOB_ARRAY_INDEX` (AWS Batch array job). Index i is shard i + 1 of N. Every mistake is an
 * XvaUsageError naming the flag or variable, the value and what is accepted.
 */
import { Flags } from '@oclif/core';
import { XvaUsageError } from '../errors.js';

/** Upper bound on N: far above any useful fan-out, low enough that a typo (say 10000) is caught. */
export const MAX_SHARDS = 1000;

export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

export interface ShardSpec {
  /** 1-based shard number K. */
  index: number;
  /** Shard count N. */
  count: number;
  /** Where K came from: the flag or the scheduler's variable. */
  source: 'flag' | (typeof SHARD_INDEX_VARIABLES)[number];
}

/** The flags of every shardable command (spread into its `flags`). */
export const shardFlags = {
  shard: Flags.string({
    description: 'Run shard K of N (1-based) and write it to --out/shard-K-of-N; `xva merge` joins the shards (docs/scale.md)',
    helpValue: 'K/N',
  }),
  shards: Flags.string({
    description: 'Shard count N; K comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job), 0-based',
    helpValue: 'N',
  }),
};

function count(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new XvaUsageError(`${what} must be a whole number 1 to ${MAX_SHARDS}, got '${text}'`);
  const n = Number(text);
  if (n < 1 || n > MAX_SHARDS) throw new XvaUsageError(`${what} must be a whole number 1 to ${MAX_SHARDS}, got '${text}'`);
  return n;
}

/** Parses `K/N` (1 <= K <= N <= MAX_SHARDS). */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new XvaUsageError(`--shard must be K/N like 2/8 (shard K of N, 1-based), got '${text}'`);
  const n = count(m[2]!, '--shard N');
  const k = Number(m[1]);
  if (k < 1 || k > n) throw new XvaUsageError(`--shard ${text}: K must be 1 to ${n}`);
  return { index: k, count: n, source: 'flag' };
}

/**
 * The shard of this process, or undefined when it runs the whole book. `--shard` wins over the environment (the
 * variables are then not read); `--shards` needs exactly one scheduler index (or both, equal).
 */
export function resolveShard(flags: { shard?: string | undefined; shards?: string | undefined }, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  if (flags.shard !== undefined && flags.shards !== undefined) {
    throw new XvaUsageError('give either --shard K/N or --shards N (with the index from the scheduler), not both');
  }
  if (flags.shard !== undefined) return parseShard(flags.shard);
  if (flags.shards === undefined) return undefined;
  const n = count(flags.shards, '--shards');
  const found = SHARD_INDEX_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
  if (found.length === 0) {
    throw new XvaUsageError(
      `--shards ${n} takes the shard index from ${SHARD_INDEX_VARIABLES.join(' or ')}, and neither is set: give --shard K/${n} to run one shard by hand`,
    );
  }
  const indices = found.map((name) => {
    const text = env[name]!;
    if (!/^\s*\d+\s*$/.test(text) || Number(text) >= n) {
      throw new XvaUsageError(`${name}=${text} is not a shard index 0 to ${n - 1} (0-based) for --shards ${n}`);
    }
    return Number(text);
  });
  if (indices.length === 2 && indices[0] !== indices[1]) {
    throw new XvaUsageError(`${SHARD_INDEX_VARIABLES[0]}=${indices[0]} and ${SHARD_INDEX_VARIABLES[1]}=${indices[1]} disagree: unset one`);
  }
  return { index: indices[0]! + 1, count: n, source: found[0]! };
}

/** `shard-K-of-N`, K zero-padded to N's digits so that a listing sorts in shard order. */
export function shardFolderName(shard: Pick<ShardSpec, 'index' | 'count'>): string {
  const width = String(shard.count).length;
  return `shard-${String(shard.index).padStart(width, '0')}-of-${shard.count}`;
}

/** K and N of a shard folder name; undefined for any other name. */
export function parseShardFolderName(name: string): { index: number; count: number } | undefined {
  const m = /^shard-(\d+)-of-(\d+)$/.exec(name);
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}
