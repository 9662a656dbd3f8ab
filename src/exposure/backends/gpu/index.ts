/**
 * The exposure engine's backend choice (`xva simulate --backend cpu|gpu|auto`).
 *
 * - `cpu` (default): the TypeScript engine, the reference.
 * - `gpu`: WebGPU through Dawn (device.ts). On the device, in f32: the Philox4x32-10 normals of the CPU stream and the
 *   cross-asset state simulation (LGM states, FX, equities, credit states, the base numeraire). On the host, in f64,
 *   from the device's paths: pricing on paths, netting, collateral and the EPE/ENE/PFE reductions (the CPU kernels
 *   of src/exposure/valuation and unit.ts, so every product is valued exactly as by the CPU backend). Refuses a
 *   software adapter unless `allowSoftware`.
 * - `auto`: `gpu` when a usable adapter opens (hardware, or software with `allowSoftware`), else `cpu`; the log says
 *   which and why.
 */
import { XvaUsageError } from '../../../errors.js';
import type { PathSimulator } from '../../engine.js';
import { adapterLine, GpuUnavailableError, openGpu, type AdapterDescription, type GpuContext } from './device.js';
import { gpuSimulatePaths } from './kernels.js';

export type BackendName = 'cpu' | 'gpu' | 'auto';

export interface ExposureBackend {
  readonly name: 'cpu' | 'gpu';
  /** Sentences for the log: the backend, the adapter, and what runs where. */
  readonly notes: readonly string[];
  /** Present for `gpu`: the engine's market paths come from the device. */
  readonly pathSimulator?: PathSimulator;
  readonly adapter?: AdapterDescription;
  /** Releases the device (no-op for `cpu`). */
  close(): void;
}

/** What runs where on the GPU backend (logged and written to the manifest). */
export const GPU_PLACEMENT =
  'on the device (f32): Philox normals and the cross-asset state simulation; on the host (f64, CPU kernels): pricing on paths, netting, collateral and the EPE/ENE/PFE reductions';

export function isBackendName(text: string): text is BackendName {
  return text === 'cpu' || text === 'gpu' || text === 'auto';
}

function gpuBackend(ctx: GpuContext): ExposureBackend {
  return {
    name: 'gpu',
    notes: [`GPU backend on ${adapterLine(ctx.adapter)}`, `GPU backend placement: ${GPU_PLACEMENT}`],
    adapter: ctx.adapter,
    pathSimulator: (model, grid, seed, nPaths, antithetic) => gpuSimulatePaths(ctx, model, grid, seed, nPaths, antithetic),
    close: () => ctx.destroy(),
  };
}

const CPU_BACKEND: ExposureBackend = { name: 'cpu', notes: ['CPU backend (TypeScript, the reference)'], close: () => undefined };

/**
 * Opens the backend a run asked for. `gpu` without a usable adapter is an XvaUsageError naming what was found
 * (a software adapter without allowSoftware, no adapter, the optional package missing); `auto` falls back to `cpu`.
 */
export async function selectBackend(name: BackendName, options: { allowSoftware: boolean }): Promise<ExposureBackend> {
  if (name === 'cpu') return CPU_BACKEND;
  try {
    return gpuBackend(await openGpu({ allowSoftware: options.allowSoftware }));
  } catch (error) {
    if (!(error instanceof GpuUnavailableError)) throw error;
    if (name === 'gpu') throw new XvaUsageError(`--backend gpu: ${error.message}`);
    return { ...CPU_BACKEND, notes: [`--backend auto: CPU backend, because ${error.message}`] };
  }
}
