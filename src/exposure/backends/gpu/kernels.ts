/**
 * Host side of the GPU kernels: packs the inputs into storage buffers, dispatches, and reads back only the outputs.
 * f32 on the device; every per-run constant (factor matrices, drifts, LGM functions) is computed on the host in f64
 * by the same code as the CPU backend (stepPlan.ts) and rounded once when uploaded.
 */
import { XvaInternalError } from '../../../errors.js';
import { seedKey } from '../../../simulation/rng/philox.js';
import { stepPlanOf } from '../../../simulation/crossAsset/simulate.js';
import type { CrossAssetModel } from '../../../simulation/crossAsset/model.js';
import type { SimulatedPaths, TimeGrid } from '../../../simulation/types.js';
import { assertDeviceHealthy, type GpuContext } from './device.js';
import { NORMALS_WGSL } from './wgsl/philox.js';
import { HEADER, RANGES_WGSL, simulateWgsl } from './wgsl/simulate.js';
import { SOBOL_BRIDGE_WGSL, SOBOL_HEADER } from './wgsl/sobol.js';
import { BrownianBridge } from '../../../simulation/rng/brownianBridge.js';
import { SOBOL_BITS, SOBOL_DIMENSIONS, sobolDirections, sobolShift } from '../../../simulation/rng/sobol.js';

// GPUBufferUsage and GPUMapMode flags (WebGPU spec §5.1, §5.2), as numbers so the module loads without the globals.
export const STORAGE = 0x80;
export const UNIFORM = 0x40;
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const MAP_READ = 0x01;
export const MAP_MODE_READ = 0x01;
/** Invocations per workgroup of the path-parallel kernels. */
export const WORKGROUP = 64;

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export function pipelineOf(ctx: GpuContext, code: string): GPUComputePipeline {
  let byCode = pipelines.get(ctx.device);
  if (!byCode) pipelines.set(ctx.device, (byCode = new Map()));
  let pipeline = byCode.get(code);
  if (!pipeline) {
    const module = ctx.device.createShaderModule({ code });
    pipeline = ctx.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    byCode.set(code, pipeline);
  }
  return pipeline;
}

/**
 * Compiles the pipelines of `codes` not compiled yet with createComputePipelineAsync, so that the driver's shader
 * compilation overlaps other work (the device's path simulation) instead of stopping the thread that first binds each
 * kernel: on an H100 machine pipelineOf's compilations took 0.7 s of that thread (bench/README.md).
 */
export async function warmPipelines(ctx: GpuContext, codes: readonly string[]): Promise<void> {
  let byCode = pipelines.get(ctx.device);
  if (!byCode) pipelines.set(ctx.device, (byCode = new Map()));
  const cache = byCode;
  await Promise.all(
    [...new Set(codes)]
      .filter((code) => !cache.has(code))
      .map(async (code) => {
        const module = ctx.device.createShaderModule({ code });
        const pipeline = await ctx.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
        if (!cache.has(code)) cache.set(code, pipeline);
      }),
  );
}

const layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();

/** The pipeline's bind group 0 layout, asked of the device once per pipeline (the device thread binds per set). */
export function layoutOf(pipeline: GPUComputePipeline): GPUBindGroupLayout {
  let layout = layouts.get(pipeline);
  if (!layout) layouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
  return layout;
}

export function upload(ctx: GpuContext, data: Uint32Array | Float32Array): GPUBuffer {
  // Storage bindings must not be empty: at least 16 bytes.
  const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
  const buffer = ctx.device.createBuffer({ size, usage: STORAGE | COPY_DST });
  if (data.byteLength > 0) ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/**
 * Runs `code`'s `main` over `invocations` threads with `inputs` bound first (read-only storage) and `outputBytes`
 * output buffers after them; returns the outputs' bytes.
 */
async function dispatch(ctx: GpuContext, code: string, inputs: (Uint32Array | Float32Array)[], outputBytes: number[], invocations: number): Promise<ArrayBuffer[]> {
  const { device } = ctx;
  const pipeline = pipelineOf(ctx, code);
  const inBuffers = inputs.map((data) => upload(ctx, data));
  const outBuffers = outputBytes.map((bytes) => device.createBuffer({ size: Math.max(16, bytes), usage: STORAGE | COPY_SRC }));
  const readBuffers = outputBytes.map((bytes) => device.createBuffer({ size: Math.max(16, bytes), usage: MAP_READ | COPY_DST }));
  try {
    const entries = [...inBuffers, ...outBuffers].map((buffer, binding) => ({ binding, resource: { buffer } }));
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(invocations / WORKGROUP));
    pass.end();
    outBuffers.forEach((buffer, i) => encoder.copyBufferToBuffer(buffer, 0, readBuffers[i]!, 0, Math.max(16, outputBytes[i]!)));
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    assertDeviceHealthy(device);
    const results: ArrayBuffer[] = [];
    for (let i = 0; i < readBuffers.length; i++) {
      await readBuffers[i]!.mapAsync(MAP_MODE_READ);
      assertDeviceHealthy(device);
      results.push(readBuffers[i]!.getMappedRange().slice(0, outputBytes[i]!));
      readBuffers[i]!.unmap();
    }
    return results;
  } finally {
    for (const b of [...inBuffers, ...outBuffers, ...readBuffers]) b.destroy();
  }
}

/**
 * The four Philox words and their normals of paths path0 .. path0+nPaths−1, driver stream `factor`, step block
 * `stepBlock` (steps 4·stepBlock .. +3), on the device: words[4i + k] and normals[4i + k] for path path0 + i, word k.
 */
export async function gpuNormalBlock(
  ctx: GpuContext,
  seed: number,
  path0: number,
  nPaths: number,
  factor: number,
  stepBlock: number,
): Promise<{ words: Uint32Array; normals: Float32Array }> {
  const key = seedKey(seed);
  const params = Uint32Array.of(nPaths, path0, factor, stepBlock, key[0]!, key[1]!);
  const [words, normals] = await dispatch(ctx, NORMALS_WGSL, [params], [16 * nPaths, 16 * nPaths], nPaths);
  return { words: new Uint32Array(words!), normals: new Float32Array(normals!) };
}

/** The step plan and model constants packed for the simulation kernel (built once per model and grid). */
function packSimulation(model: CrossAssetModel, grid: TimeGrid): { ints: Uint32Array; reals: Float32Array } {
  const plan = stepPlanOf(model, grid);
  const { layout } = model;
  const nC = layout.currencies.length;
  const nFx = layout.fxCurrencies.length;
  const nEq = layout.equities.length;
  const nCr = layout.creditNames.length;
  const nAux = plan.nAux;
  const nDates = plan.nDates;
  const ints = new Uint32Array(HEADER + nAux + 4 * nAux + nAux + nFx + nEq);
  ints[1] = nDates;
  ints[6] = nAux;
  ints[7] = nC;
  ints[8] = nFx;
  ints[9] = nEq;
  ints[10] = nCr;
  ints[11] = plan.stepStride;
  const streams0 = HEADER;
  const rows0 = streams0 + nAux;
  const members0 = rows0 + 4 * nAux;
  ints.set(plan.auxStreams, streams0);
  let memberAt = 0;
  plan.blocks.forEach((block, b) => {
    const m = block.length;
    for (let i = 0; i < m; i++) {
      const a = block[i]!;
      ints[rows0 + 4 * a] = memberAt;
      ints[rows0 + 4 * a + 1] = m;
      ints[rows0 + 4 * a + 2] = i;
      ints[rows0 + 4 * a + 3] = plan.blockOffset[b]!;
    }
    for (let i = 0; i < m; i++) ints[members0 + memberAt + i] = block[i]!;
    memberAt += m;
  });
  if (memberAt !== nAux) throw new XvaInternalError(`the step plan's blocks hold ${memberAt} drivers for ${nAux}`);
  const fxCcy0 = members0 + nAux;
  for (let i = 0; i < nFx; i++) ints[fxCcy0 + i] = model.fxCurrencyIndex[i]!;
  for (let e = 0; e < nEq; e++) {
    const fx = model.equityFxIndex[e]!;
    ints[fxCcy0 + nFx + e] = fx >= 0 ? fx : 0xffffffff;
  }

  const K = 3 * nC + nFx + 2 * nEq;
  const consts0 = nDates * plan.stepStride;
  const init0 = consts0 + nDates * K;
  const reals = new Float32Array(init0 + nFx + 2 * nEq);
  reals.set(plan.factors, 0);
  for (let d = 0; d < nDates; d++) {
    const at = consts0 + d * K;
    for (let c = 0; c < nC; c++) {
      reals[at + c] = plan.driftX[d * nC + c]!;
      reals[at + nC + c] = plan.hAt[d * nC + c]!;
      reals[at + 2 * nC + c] = plan.gAt[d * nC + c]!;
    }
    for (let i = 0; i < nFx; i++) reals[at + 3 * nC + i] = plan.driftU[d * nFx + i]!;
    for (let e = 0; e < nEq; e++) {
      reals[at + 3 * nC + nFx + e] = plan.driftW[d * nEq + e]!;
      reals[at + 3 * nC + nFx + nEq + e] = model.equities[e]!.dividendYield * grid.times[d]!;
    }
  }
  const lnFx0 = Float64Array.from(model.fxSpot, Math.log);
  for (let i = 0; i < nFx; i++) reals[init0 + i] = lnFx0[i]!;
  for (let e = 0; e < nEq; e++) {
    const lnS0 = Math.log(model.equities[e]!.spot);
    const fx = model.equityFxIndex[e]!;
    reals[init0 + nFx + e] = lnS0 + (fx >= 0 ? lnFx0[fx]! : 0);
    reals[init0 + nFx + nEq + e] = lnS0;
  }
  return { ints, reals };
}

/** Mesa llvmpipe's per-invocation loop limit (gallivm LP_MAX_TGSI_LOOP_ITERATIONS), with a safety factor of 2. */
const LOOP_BUDGET = 32_000;

/**
 * Dates per dispatch so that the kernel's inner loops stay within LOOP_BUDGET iterations an invocation: per date the
 * correlation rows (Σ_a m_a), the normals (4 per driver, 10 Philox rounds per driver every fourth date) and the state
 * loops. Hardware GPUs have no such limit; the extra dispatches cost little there.
 */
function datesPerDispatch(ints: Uint32Array): number {
  const nAux = ints[6]!;
  let rowTerms = 0;
  for (let a = 0; a < nAux; a++) rowTerms += ints[HEADER + nAux + 4 * a + 1]!;
  const perDate = rowTerms + nAux + 4 * nAux + Math.ceil((10 * nAux) / 4) + 2 * (ints[7]! + ints[8]! + ints[9]! + ints[10]!) + 8;
  return Math.max(1, Math.floor(LOOP_BUDGET / perDate));
}

/** The Sobol draws of a run on the device (wgsl/sobol.ts): the bridge kernel's inputs and the simulation's 1/√Δt. */
interface SobolPack {
  ints: Uint32Array;
  reals: Float32Array;
  inverseStep: Float32Array;
  /** Construction steps per dispatch (llvmpipe's loop limit). */
  stepsPerDispatch: number;
  nSteps: number;
  nAux: number;
}

/**
 * The inputs of the Sobol bridge kernel for `streams` (the run's Sobol layout, as simulatePaths' options.sobol): each
 * driver's slot among them, the bridge over the grid's times, the seed's shift and the direction numbers of the
 * coordinates used, as the host's sobolStepNormals takes them (the same words; f64 weights rounded to f32).
 */
function packSobol(model: CrossAssetModel, grid: TimeGrid, seed: number, streams: Uint32Array): SobolPack {
  const plan = stepPlanOf(model, grid);
  const { nAux, auxStreams } = plan;
  const nSteps = Math.max(0, plan.nDates - 1);
  const slots = streams.length;
  const slotOf = new Uint32Array(nAux);
  for (let a = 0; a < nAux; a++) {
    const slot = streams.indexOf(auxStreams[a]!);
    if (slot < 0) throw new XvaInternalError(`driver stream ${auxStreams[a]} has no Sobol coordinates among the ${slots} given`);
    slotOf[a] = slot;
  }
  const dims = Math.min(SOBOL_DIMENSIONS, slots * nSteps);
  const shift = sobolShift(seed, dims);
  const directions = sobolDirections().subarray(0, dims * SOBOL_BITS);
  const bridge = new BrownianBridge(grid.times.subarray(1));
  const t = bridge.tables();
  const ints = new Uint32Array(SOBOL_HEADER + 2 * nAux + 3 * nSteps + dims + dims * SOBOL_BITS);
  ints[1] = nSteps;
  ints[3] = nAux;
  const key = seedKey(seed);
  ints[4] = key[0]!;
  ints[5] = key[1]!;
  ints[6] = slots;
  ints[7] = dims;
  let at = SOBOL_HEADER;
  ints.set(auxStreams, at);
  ints.set(slotOf, (at += nAux));
  ints.set(t.built, (at += nAux));
  at += nSteps;
  for (let i = 0; i < nSteps; i++) {
    ints[at + i] = t.left[i]! < 0 ? 0xffffffff : t.left[i]!;
    ints[at + nSteps + i] = t.right[i]! < 0 ? 0xffffffff : t.right[i]!;
  }
  ints.set(shift, (at += 2 * nSteps));
  ints.set(directions, at + dims);
  const reals = new Float32Array(3 * nSteps);
  reals.set(t.leftWeight, 0);
  reals.set(t.rightWeight, nSteps);
  reals.set(t.stdDev, 2 * nSteps);
  // per construction step at most SOBOL_BITS Gray-code bits, or 10 Philox rounds, and the step itself
  const stepsPerDispatch = Math.max(1, Math.floor(LOOP_BUDGET / (SOBOL_BITS + 4)));
  return { ints, reals, inverseStep: Float32Array.from(t.inverseStep), stepsPerDispatch, nSteps, nAux };
}

/**
 * Simulates global paths 0 .. nPaths−1 of the model on the device (f32) and returns them as the engine's
 * SimulatedPaths (f64 arrays holding the f32 values). Paths run in blocks small enough for one storage binding; a
 * path's values depend on its global index only (the Philox counter, or its Sobol point), never on the block. With
 * `sobol` (the run's Sobol streams, as simulatePaths' options.sobol) the normals are the Sobol points' through the
 * Brownian bridge (wgsl/sobol.ts), drawn on the device before each block's simulation.
 */
export async function gpuSimulatePaths(
  ctx: GpuContext,
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  nPaths: number,
  antithetic: boolean,
  sobol?: { streams: Uint32Array },
): Promise<SimulatedPaths> {
  const resident = await gpuSimulateResident(ctx, model, grid, seed, nPaths, antithetic, false, undefined, true, sobol);
  return resident.paths;
}

/** One block of simulated paths kept on the device (the simulation kernel's `out` layout, wgsl/simulate.ts). */
export interface ResidentBlock {
  /** First global path and paths in the block. */
  readonly start: number;
  readonly count: number;
  readonly buffer: GPUBuffer;
}

/**
 * A run's paths on the host (the engine's SimulatedPaths) and, block by block, still on the device for the device
 * kernels that read them (valuation.ts). Factor order in a block: IR (nC), FX (nFx), EQ (nEq), credit (nCr), N.
 */
export interface ResidentPaths {
  readonly paths: SimulatedPaths;
  readonly blocks: readonly ResidentBlock[];
  /** Factor index of FX factor 0 and of the numeraire in a block. */
  readonly fxFactor0: number;
  /** Factor index of equity factor 0 in a block (after the FX factors), and of credit state 0 (after the equities). */
  readonly eqFactor0: number;
  readonly creditFactor0: number;
  readonly numeraireFactor: number;
  /**
   * Whether `paths` hold the device's values yet: a simulation with `hostCopy` false leaves the host arrays unwritten
   * until copyToHost (the figures route reads only the state ranges, stateRanges).
   */
  readonly copied: () => boolean;
  /** Copies the device's paths into the host arrays (once; later calls wait for the same copy). */
  copyToHost(): Promise<void>;
  /**
   * Per LGM state and credit state (rows 0 .. nC−1, then nC .. nC+nCr−1) and grid date, the least and greatest value
   * over the paths, at [(row·nDates + d)·2] and [+1]: the ranges stateGrid.ts stateGridFor scans, from the device
   * (the same f32 values, so the same numbers as a scan of the host copy).
   */
  stateRanges(): Promise<Float64Array>;
  /** Frees the device blocks. */
  release(): void;
}

/**
 * gpuSimulatePaths, keeping the device's path blocks (`keep`) for kernels that value on them; without `keep` they
 * are freed once copied back (blocks empty). With `keep` and `hostCopy` false the host arrays (`into`, which is then
 * required) are left unwritten until the caller asks for them (ResidentPaths.copyToHost): the engine's figures route
 * needs only the state ranges, and the copy of every factor × date × path to f64 was most of the paths stage on an
 * H100 machine (bench/README.md).
 */
export async function gpuSimulateResident(
  ctx: GpuContext,
  model: CrossAssetModel,
  grid: TimeGrid,
  seed: number,
  nPaths: number,
  antithetic: boolean,
  keep: boolean,
  into?: SimulatedPaths,
  hostCopy = true,
  sobol?: { streams: Uint32Array },
): Promise<ResidentPaths> {
  if (!hostCopy && (!keep || !into)) throw new XvaInternalError('paths left on the device need `keep` and the host arrays to copy them into later');
  if (sobol && antithetic) throw new XvaInternalError('quasi-random (Sobol) draws have no antithetic pairs');
  const { layout } = model;
  const nC = layout.currencies.length;
  const nFx = layout.fxCurrencies.length;
  const nEq = layout.equities.length;
  const nCr = layout.creditNames.length;
  const nOut = nC + nFx + nEq + nCr + 1;
  const nDates = grid.times.length;
  const packed = packSimulation(model, grid);
  const ints = packed.ints;
  const quasi = sobol ? packSobol(model, grid, seed, sobol.streams) : undefined;
  // under Sobol draws the step normals' 1/√Δt follow the simulation's reals (header word 15 says where)
  let reals = packed.reals;
  if (quasi) {
    reals = new Float32Array(packed.reals.length + quasi.inverseStep.length);
    reals.set(packed.reals, 0);
    reals.set(quasi.inverseStep, packed.reals.length);
    ints[14] = 1;
    ints[15] = packed.reals.length;
  }
  const key = seedKey(seed);
  ints[3] = antithetic ? 1 : 0;
  ints[4] = key[0]!;
  ints[5] = key[1]!;
  const code = simulateWgsl({ nAux: ints[6]!, nC, nFx, nEq, nCr });
  const nState = nC + nFx + nEq + nCr;
  const bytesPerPath = 4 * nOut * nDates;
  // the state buffer holds the bridge's W per step and driver too under Sobol draws
  const stateWordsPerPath = nState + (quasi ? quasi.nSteps * quasi.nAux : 0);
  let block = Math.floor(ctx.maxStorageBufferBindingSize / Math.max(bytesPerPath, 4 * stateWordsPerPath));
  // one workgroup of WORKGROUP paths per x index: a block's dispatches (here and in valuation.ts) stay within the
  // device's 65,535 workgroups a dimension (4,194,240 paths), past which Dawn refuses the whole submission
  block = Math.min(block, ctx.maxComputeWorkgroupsPerDimension * WORKGROUP);
  block -= block % 2; // whole antithetic pairs
  if (block < 2) throw new XvaInternalError(`one path of ${nOut} factors × ${nDates} dates exceeds the device's storage binding`);
  const chunk = datesPerDispatch(ints);
  // the host's copy: into the caller's arrays (the engine's shared ones, no second copy) or new ones
  const arrays = into ? [...into.irState, ...into.fxLog, ...into.eqLog, ...into.creditState, into.numeraire] : Array.from({ length: nOut }, () => new Float64Array(nDates * nPaths));
  if (arrays.length !== nOut || arrays.some((a) => a.length < nDates * nPaths)) throw new XvaInternalError(`the paths to write into do not hold ${nOut} factors × ${nDates} dates × ${nPaths} paths`);
  const { device } = ctx;
  const pipeline = pipelineOf(ctx, code);
  const sobolPipeline = quasi ? pipelineOf(ctx, SOBOL_BRIDGE_WGSL) : undefined;
  const sobolReals = quasi ? upload(ctx, quasi.reals) : undefined;
  const realsBuffer = upload(ctx, reals);
  const kept: ResidentBlock[] = [];
  const release = (): void => {
    for (const b of kept) b.buffer.destroy();
    kept.length = 0;
  };
  try {
    for (let start = 0; start < nPaths; start += block) {
      const count = Math.min(block, nPaths - start);
      ints[0] = count;
      ints[2] = start;
      const bytes = bytesPerPath * count;
      const intsBuffer = upload(ctx, ints);
      const outBuffer = device.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC });
      const stateBuffer = device.createBuffer({ size: Math.max(16, 4 * stateWordsPerPath * count), usage: STORAGE });
      const readBuffer = device.createBuffer({ size: hostCopy ? bytes : 16, usage: MAP_READ | COPY_DST });
      const sobolInts = quasi ? upload(ctx, quasi.ints) : undefined;
      try {
        if (quasi && sobolInts && sobolPipeline && sobolReals && quasi.nSteps > 0) {
          // the block's Sobol normals first: W of every step and driver into the state buffer after the state
          device.queue.writeBuffer(sobolInts, 0, Uint32Array.of(count, quasi.nSteps, start));
          device.queue.writeBuffer(sobolInts, 40, Uint32Array.of(nState * count));
          const entries = [sobolInts, sobolReals, stateBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
          const bindGroup = device.createBindGroup({ layout: sobolPipeline.getBindGroupLayout(0), entries });
          for (let i0 = 0; i0 < quasi.nSteps; i0 += quasi.stepsPerDispatch) {
            device.queue.writeBuffer(sobolInts, 32, Uint32Array.of(i0, Math.min(quasi.nSteps, i0 + quasi.stepsPerDispatch)));
            const encoder = device.createCommandEncoder();
            const pass = encoder.beginComputePass();
            pass.setPipeline(sobolPipeline);
            pass.setBindGroup(0, bindGroup);
            pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP), quasi.nAux);
            pass.end();
            device.queue.submit([encoder.finish()]);
          }
        }
        const entries = [intsBuffer, realsBuffer, outBuffer, stateBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
        const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
        // One submit per chunk of dates: the header's date range is rewritten between them (queue order).
        for (let d0 = 0; d0 < nDates; d0 += chunk) {
          device.queue.writeBuffer(intsBuffer, 48, Uint32Array.of(d0, Math.min(nDates, d0 + chunk)));
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP));
          pass.end();
          if (hostCopy && d0 + chunk >= nDates) encoder.copyBufferToBuffer(outBuffer, 0, readBuffer, 0, bytes);
          device.queue.submit([encoder.finish()]);
        }
        await device.queue.onSubmittedWorkDone();
        assertDeviceHealthy(device);
        if (hostCopy) {
          await readBuffer.mapAsync(MAP_MODE_READ);
          assertDeviceHealthy(device);
          copyBlock(new Float32Array(readBuffer.getMappedRange()), arrays, nDates, nPaths, start, count);
          readBuffer.unmap();
        }
        if (keep) kept.push({ start, count, buffer: outBuffer });
      } finally {
        for (const b of [intsBuffer, stateBuffer, readBuffer, sobolInts]) b?.destroy();
        if (kept[kept.length - 1]?.buffer !== outBuffer) outBuffer.destroy();
      }
    }
  } catch (error) {
    release();
    throw error;
  } finally {
    realsBuffer.destroy();
    sobolReals?.destroy();
  }
  const paths: SimulatedPaths = into ?? Object.freeze({
    grid,
    layout,
    nPaths,
    pathOffset: 0,
    seed,
    ...(antithetic ? { antithetic } : {}),
    irState: Object.freeze(arrays.slice(0, nC)),
    fxLog: Object.freeze(arrays.slice(nC, nC + nFx)),
    eqLog: Object.freeze(arrays.slice(nC + nFx, nC + nFx + nEq)),
    creditState: Object.freeze(arrays.slice(nC + nFx + nEq, nC + nFx + nEq + nCr)),
    numeraire: arrays[nOut - 1]!,
  });
  let copying: Promise<void> | undefined = hostCopy ? Promise.resolve() : undefined;
  let done = hostCopy;
  const copyToHost = (): Promise<void> =>
    (copying ??= (async () => {
      if (kept.length === 0) throw new XvaInternalError('the device paths were released before their copy to the host');
      for (const block of kept) {
        const bytes = bytesPerPath * block.count;
        const readBuffer = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
        try {
          const encoder = device.createCommandEncoder();
          encoder.copyBufferToBuffer(block.buffer, 0, readBuffer, 0, bytes);
          device.queue.submit([encoder.finish()]);
          await readBuffer.mapAsync(MAP_MODE_READ);
          assertDeviceHealthy(device);
          copyBlock(new Float32Array(readBuffer.getMappedRange()), arrays, nDates, nPaths, block.start, block.count);
          readBuffer.unmap();
        } finally {
          readBuffer.destroy();
        }
      }
      done = true;
    })());
  let ranges: Promise<Float64Array> | undefined;
  const stateRanges = (): Promise<Float64Array> => (ranges ??= deviceStateRanges(ctx, kept, [...Array.from({ length: nC }, (_, c) => c), ...Array.from({ length: nCr }, (_, k) => nC + nFx + nEq + k)], nDates));
  return { paths, blocks: kept, fxFactor0: nC, eqFactor0: nC + nFx, creditFactor0: nC + nFx + nEq, numeraireFactor: nOut - 1, copied: () => done, copyToHost, stateRanges, release };
}

/** A block of the simulation kernel's output, [(factor·nDates + d)·count + p], into the host's date-major arrays. */
function copyBlock(values: Float32Array, arrays: readonly Float64Array[], nDates: number, nPaths: number, start: number, count: number): void {
  for (let f = 0; f < arrays.length; f++) {
    const dst = arrays[f]!;
    for (let d = 0; d < nDates; d++) {
      const src = (f * nDates + d) * count;
      const at = d * nPaths + start;
      for (let p = 0; p < count; p++) dst[at + p] = values[src + p]!;
    }
  }
}

/**
 * The least and greatest value of each of `factors` (block factor indices) at each date over every path of the
 * blocks: per block a workgroup per (date, factor) reduces its paths (wgsl/simulate.ts RANGES_WGSL), the host takes
 * the min and max over the blocks. Comparisons are exact, so these are the host scan's numbers on the same values.
 */
async function deviceStateRanges(ctx: GpuContext, blocks: readonly ResidentBlock[], factors: readonly number[], nDates: number): Promise<Float64Array> {
  const out = new Float64Array(2 * factors.length * nDates);
  for (let i = 0; i < out.length; i += 2) {
    out[i] = Infinity;
    out[i + 1] = -Infinity;
  }
  if (factors.length === 0 || nDates === 0) return out;
  for (const block of blocks) {
    const ints = Uint32Array.from([block.count, nDates, factors.length, 0, ...factors]);
    const [bytes] = await dispatchOn(ctx, RANGES_WGSL, block.buffer, ints, 8 * factors.length * nDates, nDates, factors.length);
    const got = new Float32Array(bytes!);
    for (let i = 0; i < out.length; i += 2) {
      if (got[i]! < out[i]!) out[i] = got[i]!;
      if (got[i + 1]! > out[i + 1]!) out[i + 1] = got[i + 1]!;
    }
  }
  return out;
}

/** One dispatch of `code` (x × y workgroups) over a resident path block (binding 0), `ints` (1) and an output (2), read back. */
async function dispatchOn(ctx: GpuContext, code: string, pathsBuffer: GPUBuffer, ints: Uint32Array, outBytes: number, x: number, y: number): Promise<ArrayBuffer[]> {
  const { device } = ctx;
  const pipeline = pipelineOf(ctx, code);
  const intsBuffer = upload(ctx, ints);
  const outBuffer = device.createBuffer({ size: Math.max(16, outBytes), usage: STORAGE | COPY_SRC });
  const readBuffer = device.createBuffer({ size: Math.max(16, outBytes), usage: MAP_READ | COPY_DST });
  try {
    const entries = [pathsBuffer, intsBuffer, outBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: layoutOf(pipeline), entries }));
    pass.dispatchWorkgroups(x, y);
    pass.end();
    encoder.copyBufferToBuffer(outBuffer, 0, readBuffer, 0, Math.max(16, outBytes));
    device.queue.submit([encoder.finish()]);
    await readBuffer.mapAsync(MAP_MODE_READ);
    assertDeviceHealthy(device);
    const result = readBuffer.getMappedRange().slice(0, outBytes);
    readBuffer.unmap();
    return [result];
  } finally {
    for (const b of [intsBuffer, outBuffer, readBuffer]) b.destroy();
  }
}
