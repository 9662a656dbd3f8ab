/**
 * CubeWriter when the disk fails under it (audit of the thirty-fourth session, F2): a full disk while `simulate --cube`
 * or `merge` streamed the cube crashed Node with a raw stack trace (an unhandled rejection) and left the temporary
 * cube on the disk. Here fs.writeSync fails with ENOSPC after the first chunks, as on a full volume (checked by hand on
 * an 8 MiB tmpfs: `error: cannot write …/cube.arrow: ENOSPC`, exit 2, nothing left); the writer must stop the run at
 * its next write with a message naming the file, leave no temporary file once aborted, and raise no unhandled
 * rejection (vitest fails a test file on one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { XvaUsageError } from '../src/errors.js';
import { CubeWriter } from '../src/exposure/outputs.js';

afterEach(() => vi.restoreAllMocks());

describe('CubeWriter on a full disk', () => {
  it('stops at the next write with "cannot write <file>: ENOSPC", and abort() leaves nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-cube-enospc-'));
    try {
      const file = path.join(dir, 'cube.arrow');
      const nPaths = 1000;
      const dates = Int32Array.from([20_000, 20_030, 20_060]);
      const writer = new CubeWriter(file, nPaths, dates, 'float32');
      const real = fs.writeSync;
      let calls = 0;
      vi.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
        if (++calls > 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return (real as (...a: unknown[]) => number)(...args);
      }) as typeof fs.writeSync);
      const values = new Float32Array(dates.length * nPaths).fill(1);
      let error: unknown;
      try {
        for (let i = 0; i < 50; i++) {
          writer.write(i === 0 ? null : `NS-${i}`, values);
          // let the stream deliver the batch to the sink, as the engine's awaits between sets do
          await new Promise((r) => setImmediate(r));
        }
        await writer.close();
      } catch (e) {
        error = e;
        writer.abort();
      }
      expect(error).toBeInstanceOf(XvaUsageError);
      expect((error as Error).message).toBe(`cannot write ${file}: ENOSPC: no space left on device, write`);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
