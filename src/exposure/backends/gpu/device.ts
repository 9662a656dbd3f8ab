/**
 * Adapter and device selection of the GPU backend: WebGPU through Dawn (the npm package `webgpu`, an optional
 * dependency loaded with a dynamic import, so the CPU engine never needs it).
 *
 * On a workstation Dawn's default backend (Vulkan on Linux) is asked for a `high-performance` adapter. A fallback or
 * software adapter (Mesa llvmpipe/lavapipe, SwiftShader) is refused unless the caller allows software, so a CPU
 * emulation is never reported as a GPU. With software allowed and no hardware adapter, the OpenGL ES backend is tried
 * in WebGPU's compatibility mode through Mesa's EGL without a display (EGL_PLATFORM=surfaceless): the path the tests
 * and CI use.
 */
import os from 'node:os';
import { XvaInternalError } from '../../../errors.js';

/** What the run logs about the adapter (GPUAdapterInfo's fields). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn backend asked for: 'default' (Vulkan/Metal/D3D12) or 'opengles' (compatibility mode). */
  backend: 'default' | 'opengles';
  /** A fallback or software (CPU) adapter. */
  software: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  /** Largest storage buffer binding the device accepts (bytes). */
  readonly maxStorageBufferBindingSize: number;
  /** Most workgroups one dispatch may ask for in each dimension (65,535 on every adapter seen). */
  readonly maxComputeWorkgroupsPerDimension: number;
  /** The WebGPU instance and adapter the device came from, held so that they live as long as the device. */
  readonly owners: { gpu: GPU; adapter: GPUAdapter };
  /** Releases the device. */
  destroy(): void;
}

export interface GpuOpenOptions {
  /** Accept a fallback/software adapter (tests, CI). */
  allowSoftware: boolean;
}

/**
 * The errors each device reported outside an error scope (validation, out of memory, device lost). Dawn would print
 * them on stdout and go on: a submission it refused leaves its output buffers as they were (zeros), which read back as
 * figures. The listener keeps them instead, and assertDeviceHealthy stops the run at the next read-back.
 */
const deviceErrors = new WeakMap<GPUDevice, { errors: string[]; adapter: string }>();

/**
 * Throws when `device` reported an error since it opened: called after each wait on the queue or read-back, so that
 * no figure computed from a refused submission is used (the run stops before writing its outputs).
 */
export function assertDeviceHealthy(device: GPUDevice): void {
  const state = deviceErrors.get(device);
  if (!state || state.errors.length === 0) return;
  const first = state.errors[0]!.split('\n')[0]!.trim();
  const more = state.errors.length > 1 ? ` (and ${state.errors.length - 1} more)` : '';
  throw new XvaInternalError(`the GPU device (${state.adapter}) refused the work: ${first}${more}; the run stopped before writing its outputs (--backend cpu computes them)`);
}

/** Why no usable adapter was found (a sentence for the log or the error). */
export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
}

// Names of the software rasterisers Dawn can end up on: Mesa's llvmpipe/softpipe/lavapipe, Google's SwiftShader.
const SOFTWARE_NAMES = /llvmpipe|softpipe|lavapipe|swiftshader|software|cpu/i;

function describe(adapter: GPUAdapter, backend: 'default' | 'opengles'): AdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = info.isFallbackAdapter === true || (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    backend,
    software: fallback || SOFTWARE_NAMES.test(text),
  };
}

/** One line for the log: `NVIDIA / ampere / NVIDIA RTX A6000 (default backend, hardware)`. */
export function adapterLine(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture, a.device || a.description].filter((s) => s !== '').join(' / ') || 'unnamed adapter';
  return `${name} (${a.backend === 'opengles' ? 'OpenGL ES, compatibility mode' : 'default backend'}, ${a.software ? 'software/CPU' : 'hardware'})`;
}

type WebGpuModule = { create(options: string[]): GPU; globals: object };

async function loadWebGpu(): Promise<WebGpuModule> {
  try {
    return (await import('webgpu')) as unknown as WebGpuModule;
  } catch (error) {
    throw new GpuUnavailableError(
      `the GPU backend needs the optional package 'webgpu' (Dawn for Node, glibc >= 2.34), which did not load: ${(error as Error).message}`,
    );
  }
}

async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  // Ask for the adapter's own limits: compatibility mode's defaults (4 storage buffers a stage) are below what the
  // kernels bind, and a bigger storage binding lets a block hold more paths.
  const limits = adapter.limits;
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
}

/**
 * Opens a device: a hardware adapter through Dawn's default backend first; with `allowSoftware`, a software one
 * (the default backend's fallback, then OpenGL ES through Mesa) when there is no hardware adapter. Throws
 * GpuUnavailableError saying what was found and why it was refused.
 */
export async function openGpu(options: GpuOpenOptions): Promise<GpuContext> {
  // Mesa's EGL without a display server, and a runtime folder for its shader cache (harmless on a workstation).
  process.env.EGL_PLATFORM ??= 'surfaceless';
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  const webgpu = await loadWebGpu();
  Object.assign(globalThis, webgpu.globals);
  const refused: string[] = [];

  const tryBackend = async (backend: 'default' | 'opengles'): Promise<GpuContext | undefined> => {
    let gpu: GPU;
    try {
      gpu = webgpu.create(backend === 'opengles' ? ['backend=opengles'] : []);
    } catch (error) {
      refused.push(`${backend}: ${(error as Error).message}`);
      return undefined;
    }
    const adapter =
      backend === 'opengles'
        ? await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions)
        : await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      refused.push(`${backend}: no adapter`);
      return undefined;
    }
    const description = describe(adapter, backend);
    if (description.software && !options.allowSoftware) {
      refused.push(`${backend}: ${adapterLine(description)} is a software adapter (allow it with --allow-software)`);
      return undefined;
    }
    const device = await requestDevice(adapter);
    const state = { errors: [] as string[], adapter: adapterLine(description) };
    deviceErrors.set(device, state);
    device.addEventListener('uncapturederror', (event) => {
      event.preventDefault(); // kept for assertDeviceHealthy, not printed on stdout (where --json writes)
      state.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
    let destroyed = false;
    void device.lost.then((info) => {
      if (!destroyed) state.errors.push(`device lost (${info.reason}): ${info.message}`);
    });
    // The instance and adapter must outlive the device: Dawn's Node binding tears the device down with them when the
    // garbage collector takes them (a crash in the middle of a run), so the context holds both.
    const owners = { gpu, adapter };
    return {
      device,
      owners,
      adapter: description,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      destroy: () => {
        destroyed = true;
        device.destroy();
      },
    };
  };

  const hardware = await tryBackend('default');
  if (hardware) return hardware;
  if (options.allowSoftware) {
    const software = await tryBackend('opengles');
    if (software) return software;
  }
  if (!options.allowSoftware) refused.push('software adapters (Mesa llvmpipe through OpenGL ES) were not tried: pass --allow-software to use one');
  throw new GpuUnavailableError(`no usable WebGPU adapter: ${refused.join('; ')}`);
}
