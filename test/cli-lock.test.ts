/**
 * The output folder's lock (src/cli/lock.ts) of `xva optimize` and `xva explain`: taken with O_EXCL, released by the
 * run (the file gone, no exit listener left behind, so a process running many commands does not gather them), a
 * second run on a held folder refused naming the holder, a lock whose process is gone taken over. The CLI's exit code
 * 3 for a held folder is tested in test/optimize-cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../src/cli/lock.js';
import { XvaLockedError } from '../src/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-lock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('lockFolder', () => {
  it('creates the folder and the lock file with this process; release removes both the file and its exit listener', () => {
    const dir = path.join(tmp, 'a', 'b');
    const listeners = process.listenerCount('exit');
    for (let i = 0; i < 25; i++) {
      const lock = lockFolder(dir, 'xva optimize');
      const held = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
      expect(held).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'xva optimize' });
      expect(process.listenerCount('exit')).toBe(listeners + 1);
      lock.release();
      lock.release(); // twice is harmless
      expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
      expect(process.listenerCount('exit')).toBe(listeners);
    }
  });

  it('a held folder is refused naming the holder; after the release it can be taken', () => {
    const dir = path.join(tmp, 'held');
    const lock = lockFolder(dir, 'xva explain');
    expect(() => lockFolder(dir, 'xva optimize')).toThrow(XvaLockedError);
    expect(() => lockFolder(dir, 'xva optimize')).toThrow(`${dir} is locked by xva explain (pid ${process.pid} on ${os.hostname()}`);
    lock.release();
    lockFolder(dir, 'xva optimize').release();
  });

  it('a lock left by a process that is gone is taken over', () => {
    const dir = path.join(tmp, 'stale');
    fs.mkdirSync(dir);
    // the pid of a process that has exited (node ran and returned)
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(gone.stdout);
    expect(pid).toBeGreaterThan(0);
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host: os.hostname(), startedAt: 'then', command: 'xva optimize' }));
    const lock = lockFolder(dir, 'xva optimize');
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('an empty lock (a kill between create and write, in earlier versions) blocks only while it is under a minute old', () => {
    const dir = path.join(tmp, 'empty');
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, '');
    // fresh: it may be another run's lock being written
    expect(() => lockFolder(dir, 'xva explain')).toThrow(`${dir} is locked by another run`);
    // two minutes old: nobody's
    const then = new Date(Date.now() - 120_000);
    fs.utimesSync(file, then, then);
    const lock = lockFolder(dir, 'xva explain');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    // taking a lock leaves no temporary file beside it
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a lock file that names no holder (a bare pid a wrapper wrote, a JSON list) is "another run" and is taken over after a minute', () => {
    for (const [name, content] of [['bare-pid', '24283\n'], ['list', '[1, 2]'], ['partial', '{"pid": 7}']] as const) {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      const file = path.join(dir, LOCK_FILE);
      fs.writeFileSync(file, content);
      let message = '';
      try {
        lockFolder(dir, 'xva optimize');
      } catch (e) {
        expect(e).toBeInstanceOf(XvaLockedError);
        message = (e as Error).message;
      }
      expect(message).toBe(`${dir} is locked by another run: runs on the same output folder must not overlap (lock file ${file})`);
      const then = new Date(Date.now() - 120_000);
      fs.utimesSync(file, then, then);
      const lock = lockFolder(dir, 'xva optimize');
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
      lock.release();
    }
  });
});
