/**
 * Output folders a run makes and folders it replaces: which folder `mkdir -p` would make first, removing folders a
 * run made and left empty, and whether an earlier output folder (an optimiser's `amended/`, an explain's `results/`)
 * can be removed by this process, asked before the run starts rather than found out at its last step.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The first folder of `dir`'s path that is not there (the top one `mkdir -p dir` makes), or undefined. */
export function firstMissingFolder(dir: string): string | undefined {
  let missing: string | undefined;
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(at)) return missing;
    missing = at;
    if (path.dirname(at) === at) return missing;
  }
}

/** Removes `dir` and its parents up to `top` (included) while each is empty; stops at the first that is not. */
export function removeEmptyUpTo(dir: string, top: string): void {
  const end = path.resolve(top);
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      fs.rmdirSync(at); // fails on a folder with anything in it
    } catch {
      return;
    }
    if (at === end || path.dirname(at) === at) return;
  }
}

/** What a folder tree check needs of the file system (fs.accessSync by default; a test gives a refusing one). */
export type AccessCheck = (file: string, mode: number) => void;

export interface Undeletable {
  /** The entry that cannot be removed, or the folder whose permissions keep its entries. */
  path: string;
  /** Why, a phrase following the path in a message ("is a folder this user cannot …"), with the errno code. */
  reason: string;
}

/** The sticky bit of a folder's mode (S_ISVTX, not among Node's fs.constants). */
const STICKY = 0o1000;

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * The first entry of the tree at `dir` (the folder itself included) that this process could not remove with
 * `rm -r`, or undefined when the whole tree can go (or `dir` is not there). POSIX unlink(2)/rmdir(2): removing an
 * entry needs write and search permission on the folder holding it (not on the entry), listing a folder needs read
 * permission, and in a sticky folder (mode +t, as /tmp) the entry or the folder must also be this user's. Symbolic
 * links are entries, never followed.
 */
export function firstUndeletable(dir: string, access: AccessCheck = fs.accessSync): Undeletable | undefined {
  const root = path.resolve(dir);
  let top: fs.Stats;
  try {
    top = fs.lstatSync(root);
  } catch {
    return undefined;
  }
  const denied = (file: string, mode: number, why: string): Undeletable | undefined => {
    try {
      access(file, mode);
      return undefined;
    } catch (error) {
      return { path: file, reason: `${why} (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
    }
  };
  const W = fs.constants.W_OK | fs.constants.X_OK;
  const R = fs.constants.R_OK | fs.constants.X_OK;
  const parent = path.dirname(root);
  const atParent = denied(parent, W, 'is a folder this user cannot remove entries from (no write permission)');
  if (atParent) return atParent;
  const stickyOwner = (folder: fs.Stats, entry: fs.Stats, file: string): Undeletable | undefined =>
    uid !== undefined && uid !== 0 && (folder.mode & STICKY) !== 0 && entry.uid !== uid && folder.uid !== uid
      ? { path: file, reason: `is user ${entry.uid}'s, in the sticky folder ${path.dirname(file)} (EPERM)` }
      : undefined;
  const sticky = stickyOwner(fs.statSync(parent), top, root);
  if (sticky) return sticky;
  const visit = (folder: string, stats: fs.Stats): Undeletable | undefined => {
    const list = denied(folder, R, 'is a folder this user cannot list (no read permission)');
    if (list) return list;
    const entries = fs.readdirSync(folder).sort();
    if (entries.length === 0) return undefined;
    const write = denied(folder, W, 'is a folder this user cannot remove entries from (no write permission)');
    if (write) return write;
    for (const name of entries) {
      const file = path.join(folder, name);
      const entry = fs.lstatSync(file);
      const owner = stickyOwner(stats, entry, file);
      if (owner) return owner;
      if (entry.isDirectory()) {
        const inner = visit(file, entry);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return top.isDirectory() ? visit(root, top) : undefined;
}
