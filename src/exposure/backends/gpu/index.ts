/**
 * The exposure engine's backend choice (`xva simulate --backend cpu|gpu|auto`).
 *
 * - `cpu` (default): the TypeScript engine, the reference.
 * - `gpu`: WebGPU through Dawn (device.ts). On the device, in f32: the Philox4x32-10 normals of the CPU stream (or,
 *   with rng sobol, the CPU's Sobol points through the Brownian bridge), the
 *   cross-asset state simulation (LGM states, FX, equities, credit states, the base numeraire) and every netting
 *   set's valuation on paths (every product: rate products, swaptions, FX and equity options, equity forwards, CDS;
 *   exposure and close-out lag dates; valuation.ts) with the EPE/ENE reductions (used for the sets without
 *   collateral). On the host, in f64, from the device's paths (copied back once) and each set's values, on the
 *   engine's worker threads: a set with a resetting (mark-to-market) cross-currency swap, an equity option struck at or below 0 or a Bermudan swaption (the CPU kernels), a set whose tables exceed the device's largest storage binding, collateral (margin
 *   calls, IM held), PFE, Euler allocations and counterparty totals. Refuses a software adapter unless
 *   `allowSoftware`.
 * - `auto`: `gpu` when a usable adapter opens (hardware, or software with `allowSoftware`), else `cpu`; the log says
 *   which and why.
 */
import { XvaUsageError } from '../../../errors.js';
import type { PathSimulator } from '../../engine.js';
import type { CrossAssetModel } from '../../../simulation/crossAsset/model.js';
import type { SimulatedPaths, TimeGrid } from '../../../simulation/types.js';
import { adapterLine, GpuUnavailableError, openGpu, type AdapterDescription, type GpuContext } from './device.js';
import { GpuSetValuation } from './valuation.js';

export type BackendName = 'cpu' | 'gpu' | 'auto';

export interface ExposureBackend {
  readonly name: 'cpu' | 'gpu';
  /** Sentences for the log: the backend, the adapter, and what runs where. */
  readonly notes: readonly string[];
  /** Present for `gpu`: the engine's market paths come from the device. */
  readonly pathSimulator?: PathSimulator;
  readonly adapter?: AdapterDescription;
  /** Present for `gpu`: the device valuation behind pathSimulator, with the last run's routing. */
  readonly deviceValuation?: GpuSetValuation;
  /** Releases the device (no-op for `cpu`). */
  close(): void;
  /** `--backend auto` fell back to the CPU backend (its notes say why; the manifest keeps them). */
  readonly fellBack?: boolean;
}

/** What runs where on the GPU backend (logged and written to the manifest). */
export const GPU_PLACEMENT =
  'on the device (f32): Philox normals (or Sobol points through the Brownian bridge), the cross-asset state simulation, and for every netting set (IRS, OIS, BASIS, XCCY, FXFWD, FXSWAP, SWAPTION, CAPFLOOR, FXOPT, EQOPT, EQFWD, CDS) the valuation on paths (exposure and close-out lag dates); ' +
  'on the figures route (the paths in one device block, no --cube and no coverage variants) also the margin calls, the EPE/ENE/collateral sums, the PFE quantile, each trade\'s Euler contribution and the counterparty pathwise totals, so that only figures come back; ' +
  'on the host (f64, on the worker threads): the node tables the device kernels read, a set with a resetting cross-currency swap, an equity option struck at or below 0 or a Bermudan swaption (or tables over the device\'s largest storage binding), and off the figures route the collateral, PFE, Euler and totals from the values copied back';

/**
 * Worker threads a GPU run uses when --threads is not given: all cores, at most GPU_HOST_THREADS. The host's part of
 * a GPU run (the node tables) does not speed up past a few threads: it is bound by memory traffic (on the 16-core
 * device machines, 8 threads streaming over arrays each ran 2.4 times slower than one alone), so the workers' summed
 * time grows with their number for the same work (17 s on 8 threads, 23 s on 10, 26 s on 12, 37 s on 16). Measured
 * with utb-20k at 5,000 paths (bench/README.md, twelfth session): on an H200 machine 10 threads beat 8 in every one
 * of 9 interleaved pairs (3.04-3.36 s against 3.22-4.05 s; 12 threads 3.03-3.57 s), once each worker could hold its
 * next task (deviceDrive.ts WORKER_DEPTH); before that, 8 and 10 tied on an H100 machine. The CPU backend keeps every
 * core (it is faster with them).
 */
export const GPU_HOST_THREADS = 10;

/** The default --threads of a run on this backend: every core, capped at GPU_HOST_THREADS for the GPU backend. */
export function defaultThreads(backend: BackendName, cores: number): number {
  return backend === 'gpu' ? Math.max(1, Math.min(cores, GPU_HOST_THREADS)) : Math.max(1, cores);
}

export function isBackendName(text: string): text is BackendName {
  return text === 'cpu' || text === 'gpu' || text === 'auto';
}

function gpuBackend(ctx: GpuContext): ExposureBackend {
  const notes = [`GPU backend on ${adapterLine(ctx.adapter)}`, `GPU backend placement: ${GPU_PLACEMENT}`];
  // the routing of each run (how many sets ran on the device) joins the notes when its valuation ends
  const valuation = new GpuSetValuation(ctx, (note) => notes.push(note));
  const simulate = (model: CrossAssetModel, grid: TimeGrid, seed: number, nPaths: number, antithetic: boolean, into?: SimulatedPaths, deferHostCopy?: boolean, sobol?: { streams: Uint32Array }): Promise<SimulatedPaths> =>
    valuation.simulate(model, grid, seed, nPaths, antithetic, into, deferHostCopy, sobol);
  return {
    name: 'gpu',
    notes,
    adapter: ctx.adapter,
    // Sobol points too (--rng sobol): drawn on the device through the bridge (wgsl/sobol.ts)
    pathSimulator: Object.assign(simulate, { deviceValuation: valuation, sobol: true }),
    deviceValuation: valuation,
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
    return { ...CPU_BACKEND, notes: [`--backend auto: CPU backend, because ${error.message}`], fellBack: true };
  }
}
