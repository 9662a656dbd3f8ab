/**
 * The temporary files and folders a run holds open across awaits (the streamed cube, a shard's folder): registered
 * here so that a run stopped by SIGTERM (how Kubernetes and AWS Batch stop a pod) or SIGINT (Ctrl-C) removes them before
 * it exits, instead of leaving gigabytes of `.cube.arrow.<pid>.<rand>.tmp` on a shared volume. Files written in one
 * synchronous step (io/atomic.ts) need no registration: a signal is handled between event-loop turns, never inside
 * one. SIGKILL cannot be handled: what it leaves is named by the next merge (hidden `.shard-*.tmp-*` folders) or stays
 * hidden (a dot-file) until removed by hand.
 *
 * The handlers are installed by the `xva` entry point (bin/run.js), not by the library: a program embedding it keeps
 * its own signal handling.
 */
import fs from 'node:fs';
import { firstMissingFolder, removeEmptyUpTo } from './folders.js';

const live = new Set<string>();
/** Output folders this run is making (the folder, the top one made with it): removed at a stop while empty. */
const made = new Map<string, string>();

/** Registers a temporary file or folder of this process (removed on SIGTERM/SIGINT until released). */
export function trackTemp(p: string): void {
  live.add(p);
}

/** The temporary path was renamed into place or removed. */
export function releaseTemp(p: string): void {
  live.delete(p);
}

/**
 * An output folder a run is about to make (`xva simulate --out`, which takes no lock, its cube or shard writer making
 * the folder early): if the run stops (signal) or fails while it is empty, it goes again with the parents made with it,
 * as a locked command's folder does (cli/lock.ts). An audit found a SIGTERM'd `simulate --cube` or `--shard K/N` run
 * leaving the empty --out folder behind. Returns the release to call when the run ends (in a `finally`): it removes the
 * folder if nothing was written into it, and unregisters it.
 */
export function trackMadeFolder(dir: string): () => void {
  const top = firstMissingFolder(dir);
  if (top === undefined) return () => {};
  made.set(dir, top);
  return () => {
    if (!made.delete(dir)) return;
    removeEmptyUpTo(dir, top);
  };
}

/** Removes every registered temporary path now (best effort), then the registered output folders left empty. */
export function removeTrackedTemps(): void {
  for (const p of live) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // going down anyway: what cannot be removed stays hidden (a dot-name)
    }
  }
  live.clear();
  for (const [dir, top] of made) removeEmptyUpTo(dir, top);
  made.clear();
}

/** What a run has written in full (its outputs committed), or undefined while it has not. */
let outputsWritten: string | undefined;

/**
 * The run's outputs are written in full (`what` names them, e.g. "the report in OUT and its results"): a stop from now
 * on says that they are this run's, not that they were left as they were. An audit found `xva explain` stopped in the
 * 40-150 ms between its commit and the process's exit saying "outputs left as they were before this run wrote them"
 * over the report and results it had just replaced.
 */
export function markOutputsWritten(what: string): void {
  outputsWritten = what;
}

/** For a process that runs several commands (a test): the next run has written nothing yet. */
export function forgetOutputsWritten(): void {
  outputsWritten = undefined;
}

/** The line a stop prints on stderr: whether the outputs are as before this run or this run's, complete. */
export function stopMessage(signal: string): string {
  return outputsWritten === undefined
    ? `xva: stopped by ${signal}; temporary files removed, outputs left as they were before this run wrote them`
    : `xva: stopped by ${signal} after this run had written its outputs (${outputsWritten}): they are this run's, complete`;
}

let installed = false;

/**
 * On SIGTERM or SIGINT: remove the registered temporary paths, say what the outputs are (stopMessage), then exit with
 * 128 + the signal's number (also after the outputs were written: the run did not end by itself, a caller's own steps
 * after it, such as printing --json, did not happen).
 */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => {
      removeTrackedTemps();
      process.stderr.write(`${stopMessage(signal)}\n`);
      process.exit(code);
    });
  }
}
