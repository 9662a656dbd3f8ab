/**
 * Helpers of the CLI tests (sharding first): the built CLI as a child process (async, so that shard processes run
 * side by side) or inside the test process (`xvaInProcess`), a check that dist/ is built (test/globalSetup.ts builds it before any test file), and a comparison of two output folders file by file:
 * Arrow/Parquet bytes identical, manifest.json identical but for the wall-clock timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin/run.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: no scheduler index leaking in from the test runner's own environment. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XVA_DEBUG: '' };
  delete env.JOB_COMPLETION_INDEX;
  delete env.AWS_BATCH_JOB_ARRAY_INDEX;
  return { ...env, ...extra };
}

export function startXva(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

export function xva(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startXva(args, env).done;
}

/** The CLI tests run the built CLI: dist/ must be there (test/globalSetup.ts builds it before any test file runs). */
export function ensureBuilt(): void {
  const compiled = path.join(ROOT, 'dist/commands/merge.js');
  expect(fs.existsSync(compiled)).toBe(true);
}

/** Copies a folder tree (shard sets assembled for the refusal cases). */
export function copyTree(from: string, to: string, skip: (name: string) => boolean = () => false): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    if (e.isDirectory()) copyTree(path.join(from, e.name), path.join(to, e.name));
    else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
  }
}

/**
 * Every file of `expectedDir` is in `actualDir` with the same content: tables byte for byte, manifest.json equal
 * after dropping the wall-clock `timingsSeconds` (and `ignore` keys). Returns the names compared.
 */
export function expectSameOutputs(expectedDir: string, actualDir: string, ignore: string[] = []): string[] {
  const names = fs.readdirSync(expectedDir).filter((n) => !n.startsWith('.')).sort();
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) {
    const a = fs.readFileSync(path.join(expectedDir, name));
    const b = fs.readFileSync(path.join(actualDir, name));
    if (name.endsWith('.json')) {
      const x = JSON.parse(a.toString());
      const y = JSON.parse(b.toString());
      for (const key of ['timingsSeconds', ...ignore]) {
        delete x[key];
        delete y[key];
      }
      expect(JSON.stringify(y), name).toBe(JSON.stringify(x));
    } else {
      expect(a.equals(b), `${name} differs byte for byte`).toBe(true);
    }
  }
  return names;
}

/**
 * The built CLI's command run inside this test process (@oclif/core's `run` on bin/run.js's package), for the
 * comparisons that need many runs: the JIT and the imports are warm after the first, so a run costs a fraction of a
 * fresh process's. It stands in for the process boundary only: the same command classes parse the same flags and
 * call the same library, stdout and stderr are captured, and the exit status is the one `xva` exits with (0, or the
 * code of the error it renders). Environment variables in `env` are set for the run and restored after it. What
 * only a real process shows (the exit status seen by a shell, an index in the environment of a scheduler, a kill
 * mid-write, shards running side by side) stays with `xva()`. Runs are serialised within the file.
 */
let inProcessQueue: Promise<unknown> = Promise.resolve();
export function xvaInProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const next = inProcessQueue.then(() => runInProcess(args, env));
  inProcessQueue = next.catch(() => undefined);
  return next;
}

async function runInProcess(args: string[], env: Record<string, string>): Promise<CliRun> {
  const { run } = await import('@oclif/core');
  const clean = cleanEnv(env);
  const saved = new Map<string, string | undefined>();
  for (const key of new Set([...Object.keys(clean), ...Object.keys(process.env)])) {
    if (process.env[key] === clean[key]) continue;
    saved.set(key, process.env[key]);
    if (clean[key] === undefined) delete process.env[key];
    else process.env[key] = clean[key];
  }
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const capture = (sink: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  let status: number;
  try {
    await run(args, pathToFileURL(BIN).href);
    status = 0;
  } catch (e) {
    const exit = (e as { oclif?: { exit?: number } }).oclif?.exit;
    if (exit === undefined) throw e;
    status = exit;
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return { status, stdout, stderr };
}

/**
 * The command `args` run once into `<tmp>/<name>-single` and as shards 1/2 and 2/2 into `<tmp>/<name>-shards`, in
 * this process, then `xva merge` of the shards into `<tmp>/<name>-merged`; every run must succeed. Returns the three
 * folders and the files the merge and the single run have alike, byte for byte (expectSameOutputs).
 */
export async function singleAndTwoShardsMerged(args: string[], tmp: string, name: string): Promise<{ single: string; shards: string; merged: string; names: string[] }> {
  const single = path.join(tmp, `${name}-single`);
  const shards = path.join(tmp, `${name}-shards`);
  const runs = await Promise.all([xvaInProcess([...args, '--out', single]), xvaInProcess([...args, '--shard', '1/2', '--out', shards]), xvaInProcess([...args, '--shard', '2/2', '--out', shards])]);
  for (const run of runs) expect(run.status, run.stderr).toBe(0);
  const merged = path.join(tmp, `${name}-merged`);
  const run = await xvaInProcess(['merge', shards, '--out', merged]);
  expect(run.status, run.stderr).toBe(0);
  return { single, shards, merged, names: expectSameOutputs(single, merged) };
}
