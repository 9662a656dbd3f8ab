/**
 * An exclusive lock on an output folder, so that two runs (two cron jobs that overlap) never write the same folder:
 * `<dir>/.xva.lock` is created with O_EXCL and holds the owner's pid, host and start time. A lock whose process is
 * gone (same host, pid not alive) is stale and taken over; any other existing lock makes the second run fail with
 * XvaLockedError (exit code 3) naming the holder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XvaLockedError } from '../errors.js';
import { removeEmptyUpTo } from '../io/folders.js';

export const LOCK_FILE = '.xva.lock';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/**
 * The holder a lock file names, or undefined when it names none this version can read: not JSON, or JSON that is not
 * a holder record (a bare pid written by a wrapper script parses as a number). Such a lock is "another run's" and is
 * taken over once it is older than UNREADABLE_LOCK_STALE_SECONDS, like an empty one (an audit found a bare pid printed
 * as "locked by undefined (pid undefined on undefined …)" and never taken over).
 */
function readHolder(file: string): LockInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { pid, host, startedAt, command } = parsed as Record<string, unknown>;
  if (!Number.isInteger(pid) || typeof host !== 'string' || typeof startedAt !== 'string' || typeof command !== 'string') return undefined;
  return { pid: pid as number, host, startedAt, command };
}

/** Whether a process of this host is running (signal 0: EPERM means it is, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FolderLock {
  readonly file: string;
  release(): void;
}

const UNREADABLE_LOCK_STALE_SECONDS = 60;

function ageSeconds(file: string): number {
  try {
    return (Date.now() - fs.statSync(file).mtimeMs) / 1000;
  } catch {
    return 0;
  }
}

/** Takes the lock of `dir` (created if needed) or throws XvaLockedError. Release it in a `finally`. */
export function lockFolder(dir: string, command: string): FolderLock {
  // the first folder this call makes (undefined when `dir` is there): removed again at release while it is empty, so
  // that a run refused or failed before it wrote anything leaves no empty output folder behind
  const made = fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // the lock appears with its content or not at all: written to a file of this process, then linked into place
      // (link fails with EEXIST when a lock is there), so a kill can never leave an empty lock that blocks for ever
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(info) + '\n');
      try {
        fs.linkSync(tmp, file);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // a process that runs several commands (a test, a service) keeps no listener per lock it has released
        process.removeListener('exit', release);
        try {
          const held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (held.pid === process.pid && held.host === info.host) fs.rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
        if (made !== undefined) removeEmptyUpTo(dir, made);
      };
      process.once('exit', release);
      return { file, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readHolder(file);
      if (held && held.host === os.hostname() && !processAlive(held.pid) && attempt === 0) {
        fs.rmSync(file, { force: true }); // stale: its process is gone
        continue;
      }
      // a lock with no readable holder (left empty by a kill in an earlier version's write) older than a minute is
      // nobody's: no run of this version leaves one, and one being written is a fraction of a second old
      if (!held && attempt === 0 && ageSeconds(file) > UNREADABLE_LOCK_STALE_SECONDS) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const who = held ? `${held.command} (pid ${held.pid} on ${held.host}, started ${held.startedAt})` : 'another run';
      throw new XvaLockedError(`${dir} is locked by ${who}: runs on the same output folder must not overlap (lock file ${file})`);
    }
  }
  throw new XvaLockedError(`could not take the lock ${file}`);
}
