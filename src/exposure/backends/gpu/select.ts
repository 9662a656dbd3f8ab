/**
 * Host side of the exact row selection on the device (wgsl/select.ts): the rank-th smallest value of each row of a
 * row-major f32 matrix already on the device, e.g. the PFE quantile (quantile.ts quantileRank) of each exposure
 * date's paths. encodeRowSelect records the pass into the caller's encoder, so the selection runs right after the
 * kernel that wrote the values and only the row results need to come back; gpuRowSelect is the one-off form (upload,
 * select, read back) for tests and small jobs.
 *
 * Values are treated as max(x, 0) (−0.0 and negatives select as +0), and the answer is the value's exact f32 bit
 * pattern: the same number as sorting the row and taking element `rank`.
 */
import { assertDeviceHealthy, type GpuContext } from './device.js';
import { COPY_DST, COPY_SRC, layoutOf, MAP_MODE_READ, MAP_READ, pipelineOf, STORAGE, UNIFORM, upload } from './kernels.js';
import { SELECT_PARAM_WORDS, SELECT_ROWS_PER_DIMENSION, selectWgsl } from './wgsl/select.js';

/** Offsets and element counts travel as u32 in the params uniform. */
const U32_LIMIT = 2 ** 32;

/** One selection: rows × n values from `input` at element `inputOffset`, rows results to `output` at `outputOffset`. */
export interface RowSelectJob {
  /** f32 values (row-major, rows × n), bound whole as read-only storage. */
  input: GPUBuffer;
  /** First value, in f32 elements. */
  inputOffset: number;
  rows: number;
  /** Values a row (paths). */
  n: number;
  /** 0-based rank of the order statistic, in [0, n). */
  rank: number;
  /** f32 results, bound whole as read_write storage (STORAGE usage). */
  output: GPUBuffer;
  /** Element of the first row's result. */
  outputOffset: number;
  /**
   * Invocations a workgroup (64, 128 or 256); by default 256 where the device allows it, else 128 (tests use it to
   * run the kernel's several-bins-an-invocation form).
   */
  workgroupSize?: 64 | 128 | 256;
  /**
   * A buffer for the job's parameters (UNIFORM | COPY_DST, at least 4·SELECT_PARAM_WORDS bytes), the caller's to
   * reuse once the submitted work is done (the GPU backend takes one from its buffer pool per netting set: a buffer
   * made through Dawn's Node binding cost about 85 µs of the driving thread, bufferPool.ts); without it the job makes
   * one and returns it for the caller to destroy.
   */
  params?: GPUBuffer;
}

function checkCount(value: number, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`row selection: ${name} must be an integer >= ${min}, got ${value}`);
}

/** The device's workgroup size for the kernel: 256 invocations (one histogram bin each) where allowed, else 128. */
function workgroupSizeOf(ctx: GpuContext, asked: number | undefined): 64 | 128 | 256 {
  const limits = ctx.device.limits;
  const allowed = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  if (asked !== undefined) {
    if (asked !== 64 && asked !== 128 && asked !== 256) throw new RangeError(`row selection: the workgroup size must be 64, 128 or 256, got ${asked}`);
    if (asked > allowed) throw new RangeError(`row selection: the device allows ${allowed} invocations a workgroup, ${asked} asked`);
    return asked;
  }
  if (allowed >= 256) return 256;
  if (allowed >= 128) return 128;
  return 64;
}

/**
 * Adds the selection's compute pass to `encoder` and returns the temporary buffers it created (the params uniform),
 * which the caller destroys once the submitted work is done. Throws RangeError for a rank outside [0, n), a job that
 * reads or writes past its buffers, or a buffer larger than one storage binding.
 */
export function encodeRowSelect(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  job: RowSelectJob,
): GPUBuffer[] {
  const { input, inputOffset, rows, n, rank, output, outputOffset } = job;
  checkCount(rows, 'rows', 0);
  checkCount(n, 'n (values a row)', 1);
  checkCount(inputOffset, 'inputOffset', 0);
  checkCount(outputOffset, 'outputOffset', 0);
  if (!Number.isInteger(rank) || rank < 0 || rank >= n) throw new RangeError(`row selection: rank ${rank} is outside 0..${n - 1} (n = ${n} values a row)`);
  const inputEnd = inputOffset + rows * n;
  const outputEnd = outputOffset + rows;
  if (4 * inputEnd > input.size) {
    throw new RangeError(`row selection: ${rows} rows × ${n} values from element ${inputOffset} end at element ${inputEnd}, past the input buffer's ${Math.floor(input.size / 4)} f32 elements`);
  }
  if (4 * outputEnd > output.size) {
    throw new RangeError(`row selection: ${rows} results from element ${outputOffset} end at element ${outputEnd}, past the output buffer's ${Math.floor(output.size / 4)} f32 elements`);
  }
  if (inputEnd >= U32_LIMIT || outputEnd >= U32_LIMIT) throw new RangeError(`row selection: element offsets must stay below 2^32 (input ends at ${inputEnd}, output at ${outputEnd})`);
  for (const [name, buffer] of [['input', input], ['output', output]] as const) {
    if (buffer.size > ctx.maxStorageBufferBindingSize) {
      throw new RangeError(`row selection: the ${name} buffer (${buffer.size} bytes) exceeds the device's largest storage binding (${ctx.maxStorageBufferBindingSize} bytes)`);
    }
  }
  if (rows === 0) return [];
  const workgroupSize = workgroupSizeOf(ctx, job.workgroupSize);
  const { device } = ctx;
  const pipeline = pipelineOf(ctx, selectWgsl(workgroupSize));
  const paramWords = new Uint32Array(SELECT_PARAM_WORDS);
  paramWords.set([inputOffset, outputOffset, rows, n, rank]);
  if (job.params && job.params.size < paramWords.byteLength) throw new RangeError(`row selection: the params buffer (${job.params.size} bytes) is smaller than ${paramWords.byteLength} bytes`);
  const params = job.params ?? device.createBuffer({ size: paramWords.byteLength, usage: UNIFORM | COPY_DST });
  // queue writes happen before any command buffer submitted after them, so the encoder's pass sees the params
  device.queue.writeBuffer(params, 0, paramWords.buffer, paramWords.byteOffset, paramWords.byteLength);
  const bindGroup = device.createBindGroup({
    layout: layoutOf(pipeline),
    entries: [params, input, output].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  // one workgroup a row; rows past 65,535 go to the second dimension (the kernel's r = wid.x + 65535·wid.y)
  pass.dispatchWorkgroups(Math.min(rows, SELECT_ROWS_PER_DIMENSION), Math.ceil(rows / SELECT_ROWS_PER_DIMENSION));
  pass.end();
  return job.params ? [] : [params];
}

/** The WGSL encodeRowSelect runs on this device by default (for compiling its pipeline ahead, kernels.ts warmPipelines). */
export function rowSelectCode(ctx: GpuContext): string {
  return selectWgsl(workgroupSizeOf(ctx, undefined));
}

/**
 * The rank-th smallest (0-based) of each row of values[0 .. rows·n) (row-major), selected on the device: uploads the
 * values, runs encodeRowSelect, reads the rows results back. Throws RangeError for a rank outside [0, n) or fewer
 * than rows·n values.
 */
export async function gpuRowSelect(ctx: GpuContext, values: Float32Array, rows: number, n: number, rank: number): Promise<Float32Array> {
  checkCount(rows, 'rows', 0);
  checkCount(n, 'n (values a row)', 1);
  if (!Number.isInteger(rank) || rank < 0 || rank >= n) throw new RangeError(`row selection: rank ${rank} is outside 0..${n - 1} (n = ${n} values a row)`);
  if (rows * n > values.length) throw new RangeError(`row selection: ${rows} rows × ${n} values need ${rows * n} values, ${values.length} given`);
  if (rows === 0) return new Float32Array(0);
  if (4 * rows * n > ctx.maxStorageBufferBindingSize) {
    throw new RangeError(`row selection: ${rows} rows × ${n} values (${4 * rows * n} bytes) exceed the device's largest storage binding (${ctx.maxStorageBufferBindingSize} bytes); select in blocks of rows`);
  }
  const { device } = ctx;
  const resultBytes = 4 * rows;
  const input = upload(ctx, values.subarray(0, rows * n));
  const output = device.createBuffer({ size: Math.max(16, resultBytes), usage: STORAGE | COPY_SRC });
  const read = device.createBuffer({ size: Math.max(16, resultBytes), usage: MAP_READ | COPY_DST });
  const temporaries: GPUBuffer[] = [];
  try {
    const encoder = device.createCommandEncoder();
    temporaries.push(...encodeRowSelect(ctx, encoder, { input, inputOffset: 0, rows, n, rank, output, outputOffset: 0 }));
    encoder.copyBufferToBuffer(output, 0, read, 0, Math.max(16, resultBytes));
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(MAP_MODE_READ);
    assertDeviceHealthy(device);
    const result = new Float32Array(read.getMappedRange().slice(0, resultBytes));
    read.unmap();
    return result;
  } finally {
    for (const buffer of [input, output, read, ...temporaries]) buffer.destroy();
  }
}
