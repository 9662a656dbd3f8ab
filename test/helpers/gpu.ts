/**
 * Opening a WebGPU adapter for the GPU tests: a software one where there is no GPU (CI: Mesa llvmpipe through OpenGL
 * ES, as `--allow-software` does), or undefined (the tests then skip, the reason printed) when none opens within a
 * minute, so that a missing adapter never hangs a run.
 */
import { openGpu, type GpuContext } from '../../src/exposure/backends/gpu/device.js';

const OPEN_TIMEOUT_MS = 60_000;

export async function openTestGpu(suite: string): Promise<GpuContext | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`opening a WebGPU adapter took over ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([openGpu({ allowSoftware: true }), timeout]);
  } catch (error) {
    console.warn(`${suite} tests skipped: no WebGPU adapter (${(error as Error).message})`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
