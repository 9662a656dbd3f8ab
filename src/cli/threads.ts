/**
 * `--threads N` of every command: a whole number from 1 to maxThreads() (16, or 4 per core where more cores). The
 * results do not depend on it; each worker thread beyond the cores only costs memory (a V8 isolate and a kernel
 * scratch slot, about 18 MB each: 300 threads took 5.5 GB on a small book), so a larger count is a usage error.
 */
import os from 'node:os';
import { XvaUsageError } from '../errors.js';

/** The most worker threads a command accepts on this machine. */
export function maxThreads(): number {
  return Math.max(16, 4 * os.availableParallelism());
}

/** Parses `--threads`: a whole number from 1 to maxThreads(), else a usage error naming the flag and value. */
export function threadsFlag(text: string): number {
  const value = Number(text);
  const max = maxThreads();
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new XvaUsageError(`--threads must be a whole number 1 to ${max} (at most 4 per core of this machine's ${os.availableParallelism()}, or 16), got '${text}'`);
  }
  return value;
}

/**
 * The most Monte Carlo paths a run accepts: a path is one 32-bit word of the Philox counter (docs/model.md, "Random
 * numbers"), so a larger index would repeat the draws of path index mod 2³². Memory runs out far earlier; that is said
 * when it happens (base.ts, an out-of-memory error names --paths).
 */
export const MAX_PATHS = 0xffffffff;

/** Parses a path-count flag (`--paths`, `--optimize-paths`): a whole number 1 .. MAX_PATHS, else a usage error. */
export function pathsFlag(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > MAX_PATHS) {
    throw new XvaUsageError(`--${flag} must be a whole number 1 to ${MAX_PATHS} (a path is one 32-bit word of the random numbers' counter), got '${text}'`);
  }
  return value;
}
