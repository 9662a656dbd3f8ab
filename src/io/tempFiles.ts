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

const live = new Set<string>();

/** Registers a temporary file or folder of this process (removed on SIGTERM/SIGINT until released). */
export function trackTemp(p: string): void {
  live.add(p);
}

/** The temporary path was renamed into place or removed. */
export function releaseTemp(p: string): void {
  live.delete(p);
}

/** Removes every registered temporary path now (best effort). */
export function removeTrackedTemps(): void {
  for (const p of live) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // going down anyway: what cannot be removed stays hidden (a dot-name)
    }
  }
  live.clear();
}

let installed = false;

/** On SIGTERM or SIGINT: remove the registered temporary paths, then exit with 128 + the signal's number. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => {
      removeTrackedTemps();
      process.stderr.write(`xva: stopped by ${signal}; temporary files removed, outputs left as they were before this run wrote them\n`);
      process.exit(code);
    });
  }
}
