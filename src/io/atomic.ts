/**
 * Atomic file replacement: a reader of `filePath` sees either the old file or the complete new one, never a half
 * written file. The data goes to a temporary file in the same folder (so that rename stays on one file system),
 * is flushed to disk (fsync), then renamed over the target (rename is atomic on POSIX file systems).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { XvaUsageError } from '../errors.js';

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes `data` (text, bytes, or bytes in chunks written one after the other) to `filePath` atomically, creating the
 * folder if needed. Throws XvaUsageError on failure.
 */
export function writeFileAtomic(filePath: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const dir = dirname(filePath);
  const tempPath = join(dir, `.${basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(tempPath, 'wx', 0o644);
    const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
    for (const bytes of chunks) {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tempPath, filePath);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the original error is the one to report
      }
    }
    try {
      rmSync(tempPath, { force: true });
    } catch {
      // nothing was created (e.g. the folder could not be made)
    }
    throw new XvaUsageError(`cannot write ${filePath}: ${reason(error)}`);
  }
  // Make the rename itself durable (best effort: not every platform can fsync a folder).
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // the file is complete and in place; only the folder entry's durability is unconfirmed
  }
}
