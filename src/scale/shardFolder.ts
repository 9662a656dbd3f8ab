/**
 * A shard's output folder appears whole or not at all (docs/scale.md, "Atomic shards"). The shard writes into a
 * hidden temporary folder beside the target (`.shard-K-of-N.tmp-<pid>-<random>`, same file system), fsyncs it and
 * renames it to `shard-K-of-N`. A process killed before the rename leaves only the hidden folder, which `xva merge`
 * ignores (and names as stale); re-running the shard writes a fresh one and renames it into place. A shard run
 * again over a complete folder moves the old one aside (`.shard-K-of-N.old-…`), renames the new one in and removes
 * the old: the same inputs give the same files, so a re-run is idempotent.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { firstUndeletable, type AccessCheck } from '../io/folders.js';
import { releaseTemp, trackTemp } from '../io/tempFiles.js';
import { shardFolderName, type ShardSpec } from './shardSpec.js';

function fsyncPath(target: string): void {
  try {
    const fd = fs.openSync(target, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort: not every platform can fsync a folder
  }
}

export class ShardFolder {
  /** Where the shard's files are written until commit. */
  readonly tempDir: string;
  /** `outDir/shard-K-of-N`. */
  readonly finalDir: string;
  private open = true;

  /** `access`: the file system's permission check (a test gives a refusing one; io/folders.ts firstUndeletable). */
  constructor(outDir: string, shard: ShardSpec, access: AccessCheck = fs.accessSync) {
    const name = shardFolderName(shard);
    this.finalDir = path.join(outDir, name);
    this.tempDir = path.join(outDir, `.${name}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    // a previous run of this shard is replaced at the commit: one this user cannot remove (another user's files) is
    // refused now, before any work, not found after it (an audit found optimize's amended/ failing that way)
    const blocked = firstUndeletable(this.finalDir, access);
    if (blocked) throw new XvaUsageError(`--out ${outDir}: the earlier run of this shard, ${this.finalDir}, cannot be replaced: ${blocked.path} ${blocked.reason}; remove it, or choose another --out`);
    try {
      fs.mkdirSync(outDir, { recursive: true });
      fs.mkdirSync(this.tempDir);
      trackTemp(this.tempDir);
    } catch (error) {
      throw new XvaUsageError(`cannot create the shard folder in ${outDir}: ${(error as Error).message}`);
    }
  }

  /** Makes the files durable and moves the folder into place (replacing a previous run of the same shard). */
  commit(): string {
    if (!this.open) throw new Error('ShardFolder: already committed or aborted');
    for (const name of fs.readdirSync(this.tempDir)) fsyncPath(path.join(this.tempDir, name));
    fsyncPath(this.tempDir);
    const parent = path.dirname(this.finalDir);
    let old: string | undefined;
    try {
      if (fs.existsSync(this.finalDir)) {
        old = path.join(parent, `.${path.basename(this.finalDir)}.old-${process.pid}-${randomBytes(6).toString('hex')}`);
        fs.renameSync(this.finalDir, old);
      }
      fs.renameSync(this.tempDir, this.finalDir);
      releaseTemp(this.tempDir);
    } catch (error) {
      throw new XvaUsageError(`cannot move shard folder ${this.tempDir} to ${this.finalDir}: ${(error as Error).message}`);
    }
    this.open = false;
    fsyncPath(parent);
    // the new shard is in place; an old one that cannot be removed after all (checked at the start: a race) stays under
    // its hidden name, which the merge ignores
    if (old) {
      try {
        fs.rmSync(old, { recursive: true, force: true });
      } catch {
        /* left hidden */
      }
    }
    return this.finalDir;
  }

  /** Removes the temporary folder (the target, if any, is left as it was). */
  abort(): void {
    if (!this.open) return;
    this.open = false;
    fs.rmSync(this.tempDir, { recursive: true, force: true });
    releaseTemp(this.tempDir);
  }
}
