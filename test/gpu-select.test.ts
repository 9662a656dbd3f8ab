/**
 * Exact row selection on the device (src/exposure/backends/gpu/select.ts, wgsl/select.ts), the PFE quantile's order
 * statistic, against two independent references on the host: sorting each row as a Float32Array (numeric ascending
 * sort) and taking element `rank`, and quantile.ts selectKth (Hoare's FIND) on the row's f64 copy. Both see the rows
 * as max(x, 0) with +0 (what the kernel is specified to select from: −0.0 and negatives count as +0).
 *
 * Tolerance: none. A selection returns one of the row's own values, and the radix select compares u32 bit patterns
 * only (no float arithmetic on the device), so the device's answer must equal the references bit for bit as f32.
 *
 * Run through WebGPU on whatever adapter opens (CI: Mesa llvmpipe through OpenGL ES, compatibility mode); skipped,
 * with the reason printed, where none does. Sizes keep the file to a few seconds on llvmpipe.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/exposure/backends/gpu/device.js';
import { openTestGpu } from './helpers/gpu.js';
import { mulberry32 } from './helpers/seeded.js';
import { upload } from '../src/exposure/backends/gpu/kernels.js';
import { encodeRowSelect, gpuRowSelect } from '../src/exposure/backends/gpu/select.js';
import { quantileRank, selectKth } from '../src/exposure/quantile.js';



const ctx: GpuContext | undefined = await openTestGpu('gpu-select');
afterAll(() => ctx?.destroy());
const noGpu = (): boolean => ctx === undefined;

// GPUBufferUsage / GPUMapMode flags (WebGPU spec §5.1, §5.2).
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const UNIFORM = 0x40;

/** Deterministic uniform [0, 1) (mulberry32), so a failure reproduces. */
const uniform = mulberry32;

const DENORMAL_MIN = 2 ** -149;
const NORMAL_MIN = 2 ** -126;
/** Values that stress the bit-pattern order: both zeros, denormals, the normal boundary, huge values, negatives. */
const SPECIAL = [0, -0, DENORMAL_MIN, 3 * DENORMAL_MIN, 2 ** -140, NORMAL_MIN - DENORMAL_MIN, NORMAL_MIN, 1e-30, 1, 1 + 2 ** -23, 1e30, 3.4e38, -1e-3, -5];

/**
 * rows × n values, row kind by row index: exposure-like (many +0 and some −0.0, the rest lognormal amounts rounded to
 * 1/8 of a unit, so exact ties), special values drawn with repetition, a constant row, an all-zero row, and
 * continuous uniform amounts.
 */
function matrix(rows: number, n: number, seed: number): Float32Array {
  const u = uniform(seed);
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const kind = r % 5;
    const row = out.subarray(r * n, (r + 1) * n);
    for (let p = 0; p < n; p++) {
      if (kind === 0) {
        const z = u();
        if (z < 0.45) row[p] = 0;
        else if (z < 0.5) row[p] = -0;
        else row[p] = (Math.round(8 * Math.exp(2 * (u() + u() + u() - 1.5))) / 8) * 1e6;
      } else if (kind === 1) row[p] = SPECIAL[Math.floor(u() * SPECIAL.length)]!;
      else if (kind === 2) row[p] = 42.5;
      else if (kind === 3) row[p] = r % 2 === 0 ? 0 : -0;
      else row[p] = 1e7 * u();
    }
  }
  return out;
}

/** Reference 1: each row as max(x, 0) with +0, sorted as Float32Array, element `rank`. */
function sortedReference(values: Float32Array, rows: number, n: number, rank: number): Float32Array {
  const out = new Float32Array(rows);
  const row = new Float32Array(n);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < n; p++) {
      const x = values[r * n + p]!;
      row[p] = x > 0 ? x : 0;
    }
    row.sort();
    out[r] = row[rank]!;
  }
  return out;
}

/** Reference 2: quantile.ts selectKth on each row's f64 copy (max(x, 0) with +0). */
function selectKthReference(values: Float32Array, rows: number, n: number, rank: number): Float32Array {
  const out = new Float32Array(rows);
  const row = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < n; p++) {
      const x = values[r * n + p]!;
      row[p] = x > 0 ? x : 0;
    }
    out[r] = selectKth(row, n, rank);
  }
  return out;
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Device selection equals both references bit for bit. */
async function expectExact(values: Float32Array, rows: number, n: number, rank: number): Promise<void> {
  const expected = sortedReference(values, rows, n, rank);
  expect(bits(selectKthReference(values, rows, n, rank)), `references agree, n ${n} rank ${rank}`).toEqual(bits(expected));
  const got = await gpuRowSelect(ctx!, values, rows, n, rank);
  expect(got.length).toBe(rows);
  expect(bits(got), `rows ${rows} n ${n} rank ${rank}`).toEqual(bits(expected));
}

describe('GPU row selection (radix select): exact order statistics', () => {
  it.skipIf(noGpu())('300 rows of 5,000 paths (ties, zeros, −0.0, specials): PFE ranks 0.95 and 0.99, rank 0, rank n − 1', async () => {
    const rows = 300;
    const n = 5000;
    const values = matrix(rows, n, 1);
    for (const rank of [quantileRank(0.95, n), quantileRank(0.99, n), 0, n - 1]) await expectExact(values, rows, n, rank);
  });

  it.skipIf(noGpu())('n not a multiple of the workgroup size (257, 1000, 4999), every kind of row, several ranks', async () => {
    for (const n of [257, 1000, 4999]) {
      const values = matrix(10, n, n);
      for (const rank of [0, 1, quantileRank(0.5, n), quantileRank(0.95, n), quantileRank(0.99, n), n - 2, n - 1]) await expectExact(values, 10, n, rank);
    }
  });

  it.skipIf(noGpu())('n = 1 and n = 2 (every rank), rows = 1', async () => {
    const one = Float32Array.from([0, -0, DENORMAL_MIN, 1e30, -2, 7.25]);
    await expectExact(one, one.length, 1, 0);
    const two = Float32Array.from([-0, 0, 0, -0, 1e30, DENORMAL_MIN, 3, 3, 5, -1, 2 ** -140, 2 ** -141]);
    for (const rank of [0, 1]) await expectExact(two, two.length / 2, 2, rank);
    const single = matrix(1, 5000, 7);
    for (const rank of [0, quantileRank(0.95, 5000), quantileRank(0.99, 5000), 4999]) await expectExact(single, 1, 5000, rank);
  });

  it.skipIf(noGpu())('special values only: denormals, both zeros, the normal boundary, 1e30, 3.4e38, negatives as +0, at every rank', async () => {
    const n = SPECIAL.length;
    const values = Float32Array.from([...SPECIAL, ...SPECIAL.slice().reverse()]);
    for (let rank = 0; rank < n; rank++) await expectExact(values, 2, n, rank);
    // and the exact expected order spelled out: 4 entries are +0 (0, −0, −1e-3, −5), then the positives ascending
    const got = await gpuRowSelect(ctx!, values, 2, n, 4);
    expect(bits(got)).toEqual(bits(Float32Array.of(DENORMAL_MIN, DENORMAL_MIN)));
    const zero = await gpuRowSelect(ctx!, values, 2, n, 3);
    expect(bits(zero)).toEqual([0, 0]); // +0, never −0
  });

  it.skipIf(noGpu())('encodeRowSelect: offsets in both buffers, two jobs in one encoder, workgroups of 64 and 128 too', async () => {
    const { device } = ctx!;
    const nA = 700;
    const rowsA = 6;
    const nB = 300;
    const rowsB = 4;
    const a = matrix(rowsA, nA, 11);
    const b = matrix(rowsB, nB, 12);
    const inA = 13; // elements before matrix A in the shared input buffer
    const inB = inA + a.length + 5;
    const input = new Float32Array(inB + b.length + 3).fill(-1);
    input.set(a, inA);
    input.set(b, inB);
    const sentinel = 123.5;
    const outLength = 20;
    const outA = 2;
    const outB = 11;
    const rankA = quantileRank(0.95, nA);
    const rankB = quantileRank(0.99, nB);
    const expected = new Float32Array(outLength).fill(sentinel);
    expected.set(sortedReference(a, rowsA, nA, rankA), outA);
    expected.set(sortedReference(b, rowsB, nB, rankB), outB);
    const limit = Math.min(device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX);
    // the jobs' parameters in buffers of the caller's (RowSelectJob.params: the GPU backend's pooled ones), reused by
    // every later job once its work is done, or made by each job and returned to be destroyed
    const paramsA = device.createBuffer({ size: 4096, usage: UNIFORM | COPY_DST });
    const paramsB = device.createBuffer({ size: 4096, usage: UNIFORM | COPY_DST });
    let pooledRuns = 0;
    for (const workgroupSize of [undefined, 64, 128] as const) {
      if (workgroupSize !== undefined && workgroupSize > limit) continue;
      for (const pooled of [false, true]) {
        const inputBuffer = upload(ctx!, input);
        const output = device.createBuffer({ size: 4 * outLength, usage: STORAGE | COPY_SRC | COPY_DST });
        device.queue.writeBuffer(output, 0, new Float32Array(outLength).fill(sentinel));
        const read = device.createBuffer({ size: 4 * outLength, usage: MAP_READ | COPY_DST });
        const encoder = device.createCommandEncoder();
        // the two buffers change jobs from one pooled run to the next: each must hold its new job's parameters
        const [forA, forB] = pooledRuns % 2 === 0 ? [paramsA, paramsB] : [paramsB, paramsA];
        const temporaries = [
          ...encodeRowSelect(ctx!, encoder, { input: inputBuffer, inputOffset: inA, rows: rowsA, n: nA, rank: rankA, output, outputOffset: outA, workgroupSize, ...(pooled ? { params: forA } : {}) }),
          ...encodeRowSelect(ctx!, encoder, { input: inputBuffer, inputOffset: inB, rows: rowsB, n: nB, rank: rankB, output, outputOffset: outB, workgroupSize, ...(pooled ? { params: forB } : {}) }),
        ];
        expect(temporaries.length).toBe(pooled ? 0 : 2);
        encoder.copyBufferToBuffer(output, 0, read, 0, 4 * outLength);
        device.queue.submit([encoder.finish()]);
        await read.mapAsync(MAP_READ);
        const got = new Float32Array(read.getMappedRange().slice(0));
        read.unmap();
        for (const buffer of [inputBuffer, output, read, ...temporaries]) buffer.destroy();
        expect(bits(got), `workgroup size ${workgroupSize ?? 'default'}, ${pooled ? 'the caller\'s' : 'own'} params`).toEqual(bits(expected));
        if (pooled) pooledRuns++;
      }
    }
    paramsA.destroy();
    paramsB.destroy();
    expect(pooledRuns).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(noGpu())('more rows than one dispatch dimension holds (65,537 rows: the second dimension), workgroups of 64', async () => {
    // the costliest case on llvmpipe (about 55 µs a workgroup however short the row, 3–4 s here), hence n = 2 and
    // the smallest workgroup; every row holds different values, so a row read or written at the wrong index shows
    const { device } = ctx!;
    const rows = 65_537;
    const n = 2;
    const values = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      values[2 * r] = r % 3 === 0 ? 2 * r + 1 : 2 * r;
      values[2 * r + 1] = r % 3 === 0 ? 2 * r : 2 * r + 1;
    }
    const input = upload(ctx!, values);
    const output = device.createBuffer({ size: 4 * rows, usage: STORAGE | COPY_SRC });
    const read = device.createBuffer({ size: 4 * rows, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder();
    const temporaries = encodeRowSelect(ctx!, encoder, { input, inputOffset: 0, rows, n, rank: 1, output, outputOffset: 0, workgroupSize: 64 });
    encoder.copyBufferToBuffer(output, 0, read, 0, 4 * rows);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(MAP_READ);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const buffer of [input, output, read, ...temporaries]) buffer.destroy();
    expect(bits(got)).toEqual(bits(sortedReference(values, rows, n, 1)));
  }, 30_000);

  it.skipIf(noGpu())('bad arguments are RangeErrors that say what is wrong', async () => {
    const values = new Float32Array(10);
    await expect(gpuRowSelect(ctx!, values, 2, 5, 5)).rejects.toThrow(/rank 5 is outside 0\.\.4/);
    await expect(gpuRowSelect(ctx!, values, 2, 5, -1)).rejects.toThrow(RangeError);
    await expect(gpuRowSelect(ctx!, values, 2, 5, 1.5)).rejects.toThrow(RangeError);
    await expect(gpuRowSelect(ctx!, values, 3, 5, 0)).rejects.toThrow(/3 rows × 5 values need 15 values, 10 given/);
    await expect(gpuRowSelect(ctx!, values, 2, 0, 0)).rejects.toThrow(RangeError);
    const { device } = ctx!;
    const input = upload(ctx!, values);
    const output = device.createBuffer({ size: 16, usage: STORAGE | COPY_SRC });
    const encoder = device.createCommandEncoder();
    try {
      expect(() => encodeRowSelect(ctx!, encoder, { input, inputOffset: 1, rows: 2, n: 5, rank: 0, output, outputOffset: 0 })).toThrow(/end at element 11, past the input buffer's 10 f32 elements/);
      expect(() => encodeRowSelect(ctx!, encoder, { input, inputOffset: 0, rows: 2, n: 5, rank: 0, output, outputOffset: 3 })).toThrow(/end at element 5, past the output buffer's 4 f32 elements/);
      expect(() => encodeRowSelect(ctx!, encoder, { input, inputOffset: 0, rows: 2, n: 5, rank: 7, output, outputOffset: 0 })).toThrow(RangeError);
      const small = device.createBuffer({ size: 16, usage: UNIFORM | COPY_DST });
      expect(() => encodeRowSelect(ctx!, encoder, { input, inputOffset: 0, rows: 2, n: 5, rank: 0, output, outputOffset: 0, params: small })).toThrow(/params buffer \(16 bytes\) is smaller than 32 bytes/);
      small.destroy();
    } finally {
      input.destroy();
      output.destroy();
    }
  });
});
