/**
 * `xva merge DIR --out DIR2` (docs/scale.md, "Merge"): reads the shard folders `DIR/shard-K-of-N`, checks that they
 * form one complete, consistent run (every K from 1 to N exactly once, the same run key: same command, inputs,
 * options, grid and book; every netting set of the book in exactly one shard) and writes the files a single run of
 * that command writes, bit for bit (mergeSimulate.ts, mergeXva.ts, mergeMargin.ts, mergeCapital.ts). Every problem found is listed at once in one
 * XvaUsageError (exit 2) naming the shard folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { createHash } from 'node:crypto';
import { firstDifference, type ShardSection } from './manifest.js';
import { mergeSimulate } from './mergeSimulate.js';
import { mergeCapital, type CapitalMergeInputs } from './mergeCapital.js';
import { mergeMargin } from './mergeMargin.js';
import { mergeXva } from './mergeXva.js';
import { parseShardFolderName, shardFolderName } from './shardSpec.js';

export interface LoadedShard {
  index: number;
  count: number;
  /** Folder name (shard-K-of-N) and full path. */
  name: string;
  dir: string;
  manifest: Record<string, unknown>;
  section: ShardSection;
}

export interface ShardSet {
  command: string;
  count: number;
  /** In shard order 1..N. */
  shards: LoadedShard[];
  /** Hidden folders of shard runs that never completed (killed before their rename); ignored. */
  stale: string[];
}

export interface MergeResult {
  command: string;
  shards: number;
  nettingSets: number;
  counterparties: number;
  files: string[];
  stale: string[];
  seconds: number;
}

function readShard(dir: string, name: string, problems: string[]): LoadedShard | undefined {
  const file = path.join(dir, name, 'manifest.json');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    problems.push(`${name}: no readable manifest.json (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); re-run that shard`);
    return undefined;
  }
  const section = manifest.shard as ShardSection | undefined;
  if (!section || typeof section.index !== 'number' || typeof section.runKey !== 'string' || !Array.isArray(section.nettingSetIndices)) {
    problems.push(`${name}: manifest.json has no shard section; it is not the output of an xva --shard run`);
    return undefined;
  }
  return { index: section.index, count: section.count, name, dir: path.join(dir, name), manifest, section };
}

/** Loads and checks the shard set in `dir`; throws an XvaUsageError listing every problem. */
export function loadShardSet(dir: string): ShardSet {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new XvaUsageError(`merge: no folder ${dir}`);
  // folders, and links to folders (shard folders gathered from the machines that ran them by symbolic links)
  const isFolder = (e: fs.Dirent): boolean => {
    if (e.isDirectory()) return true;
    if (!e.isSymbolicLink()) return false;
    try {
      return fs.statSync(path.join(root, e.name)).isDirectory();
    } catch {
      return false; // a broken link: not a folder (a shard it should have been is then named missing)
    }
  };
  const entries = fs.readdirSync(root, { withFileTypes: true }).filter(isFolder);
  const stale = entries.filter((e) => /^\.shard-.*\.(tmp|old)-/.test(e.name)).map((e) => e.name).sort();
  const named = entries.filter((e) => parseShardFolderName(e.name)).map((e) => e.name).sort();
  if (named.length === 0) {
    throw new XvaUsageError(`merge: no shard folders (shard-K-of-N) in ${dir}${stale.length > 0 ? ` (only unfinished ones: ${stale.join(', ')})` : ''}`);
  }
  const problems: string[] = [];
  const loaded: LoadedShard[] = [];
  for (const name of named) {
    const shard = readShard(root, name, problems);
    if (!shard) continue;
    const byName = parseShardFolderName(name)!;
    if (byName.index !== shard.index || byName.count !== shard.count) {
      problems.push(`${name}: its manifest says shard ${shard.index}/${shard.count} (folder renamed or copied?)`);
      continue;
    }
    loaded.push(shard);
  }
  if (loaded.length === 0) throw new XvaUsageError(`merge: the shard set in ${dir} cannot be merged:\n  ${problems.join('\n  ')}`);

  loaded.sort((a, b) => a.index - b.index || (a.name < b.name ? -1 : 1));
  const counts = [...new Set(loaded.map((s) => s.count))].sort((a, b) => a - b);
  if (counts.length > 1) {
    const example = counts.map((n) => loaded.find((s) => s.count === n)!.name);
    problems.push(`shards of runs with different shard counts N (${counts.join(', ')}): ${example.join(', ')}; keep one run's shards in ${dir}`);
  }
  const count = loaded[0]!.count;
  const reference = loaded.find((s) => s.count === count)!;
  const byIndex = new Map<number, LoadedShard>();
  for (const shard of loaded) {
    if (shard.count !== count) continue;
    const first = byIndex.get(shard.index);
    if (first) {
      problems.push(`shard ${shard.index}/${count} appears twice: ${first.name} and ${shard.name}`);
      continue;
    }
    byIndex.set(shard.index, shard);
    if (shard !== reference && shard.section.runKey !== reference.section.runKey) {
      const what = firstDifference(reference.section.consistency, shard.section.consistency) ?? 'run key';
      problems.push(`${shard.name} does not belong with ${reference.name}: different ${what}`);
    } else if (shard !== reference && shard.manifest.version !== reference.manifest.version) {
      // another version of the engine may give other bits: its shards are another run's
      problems.push(`${shard.name} does not belong with ${reference.name}: different xva version (${String(reference.manifest.version)} vs ${String(shard.manifest.version)}); re-run the shards with one version of xva`);
    }
  }
  const command = reference.section.consistency.command;
  for (let k = 1; k <= count; k++) {
    const folder = shardFolderName({ index: k, count });
    // a folder of that name that did not load has its own line above
    if (!byIndex.has(k) && !named.includes(folder)) {
      const unfinished = stale.filter((name) => name.startsWith(`.${folder}.`));
      problems.push(
        `shard ${k}/${count} is missing: no folder ${folder} in ${dir} (run xva ${command} --shard ${k}/${count} with the same inputs and options` +
          `${unfinished.length > 0 ? `; ${unfinished.join(', ')} beside it is an unfinished or replaced copy, not the shard` : ''})`,
      );
    }
  }
  if (problems.length === 0) {
    // every netting set of the book in exactly one shard
    const owner = new Map<number, LoadedShard>();
    const bookSets = reference.section.consistency.bookNettingSets;
    for (const shard of byIndex.values()) {
      shard.section.nettingSetIndices.forEach((position, i) => {
        const other = owner.get(position);
        if (other) problems.push(`netting set ${shard.section.nettingSetIds[i]} is in both ${other.name} and ${shard.name}`);
        else owner.set(position, shard);
      });
    }
    for (let position = 0; position < bookSets; position++) {
      if (!owner.has(position)) problems.push(`netting set #${position + 1} of the book's ${bookSets} is in no shard`);
    }
    // each table is the file the shard's manifest lists (a table copied in from another run's shard, or damaged, is not)
    for (const shard of byIndex.values()) {
      for (const [name, sha] of Object.entries(shard.section.files ?? {})) {
        const file = path.join(shard.dir, name);
        if (!fs.existsSync(file)) {
          problems.push(`${shard.name}/${name} is missing: re-run the shard`);
          continue;
        }
        const found = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
        if (found !== sha) problems.push(`${shard.name}/${name} is not the file its manifest lists (sha256 ${found.slice(0, 12)}… vs ${sha.slice(0, 12)}…): re-run the shard`);
      }
      // the path cube is not hashed (its size): a shard that wrote one must still have it, whole, before any merged
      // table is written (a missing or cut cube stopped the merge after the tables). A shard with no netting set (more
      // shards than counterparties) writes its manifest only, no cube, and the merge streams no cube of it (an audit
      // found such shards refused as "cube.arrow is missing", so that a --cube run with them could never be merged)
      const cubed = command === 'simulate' && shard.section.nettingSetIds.length > 0 && (shard.manifest.options as { cube?: unknown } | undefined)?.cube === true;
      const problem = cubed ? cubeFileProblem(path.join(shard.dir, 'cube.arrow')) : undefined;
      if (problem) problems.push(`${shard.name}/cube.arrow ${problem}: re-run the shard`);
    }
  }
  if (problems.length > 0) throw new XvaUsageError(`merge: the shard set in ${dir} cannot be merged:\n  ${problems.join('\n  ')}`);
  return { command, count, shards: [...byIndex.values()].sort((a, b) => a.index - b.index), stale };
}

/**
 * Why a shard's cube.arrow cannot be a whole Arrow IPC file, or undefined: missing, or not starting and ending with the
 * format's magic "ARROW1" (a file cut short, or empty). Reads 12 bytes; a damaged middle is found while streaming.
 */
function cubeFileProblem(file: string): string | undefined {
  if (!fs.existsSync(file)) return 'is missing (the shard ran with --cube)';
  const size = fs.statSync(file).size;
  if (size < 12) return `is cut short (${size} bytes)`;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(6);
    const tail = Buffer.alloc(6);
    fs.readSync(fd, head, 0, 6, 0);
    fs.readSync(fd, tail, 0, 6, size - 6);
    if (head.toString('latin1') !== 'ARROW1' || tail.toString('latin1') !== 'ARROW1') return `is not a whole Arrow IPC file (${size} bytes; it does not ${head.toString('latin1') !== 'ARROW1' ? 'start' : 'end'} with ARROW1: cut short?)`;
  } finally {
    fs.closeSync(fd);
  }
  return undefined;
}

/** `inputs`: where a capital run's inputs are on this machine (only xva capital's merge reads inputs, mergeCapital.ts). */
export async function mergeShards(dir: string, outDir: string, inputs: CapitalMergeInputs = {}): Promise<MergeResult> {
  const started = performance.now();
  const set = loadShardSet(dir);
  const out = path.resolve(outDir);
  if (set.shards.some((s) => path.resolve(s.dir) === out)) throw new XvaUsageError(`merge: --out ${outDir} is a shard folder; choose another folder`);
  if (set.command !== 'capital' && (inputs.portfolio !== undefined || inputs.market !== undefined || inputs.sacvaSensitivities !== undefined)) {
    throw new XvaUsageError(`merge: --portfolio, --market and --sacva-sensitivities are for xva capital shards; the shards of xva ${set.command} carry all the merge needs`);
  }
  // merge.json is written last: an earlier merge's goes first, so that its presence always means the last merge into
  // this folder completed (a merge stopped half-way leaves none)
  fs.rmSync(path.join(out, 'merge.json'), { force: true });
  let merged: { files: string[]; nettingSets: number; counterparties: number };
  switch (set.command) {
    case 'simulate':
      merged = await mergeSimulate(set, out, started);
      break;
    case 'cva':
    case 'fva':
      merged = mergeXva(set, out);
      break;
    case 'margin':
      fs.mkdirSync(out, { recursive: true });
      merged = mergeMargin(set, out);
      break;
    case 'capital':
      merged = await mergeCapital(set, out, inputs);
      break;
    default:
      throw new XvaUsageError(`merge: shards of xva ${set.command} cannot be merged (simulate, cva, fva, margin and capital can)`);
  }
  return { command: set.command, shards: set.count, ...merged, stale: set.stale, seconds: (performance.now() - started) / 1000 };
}
