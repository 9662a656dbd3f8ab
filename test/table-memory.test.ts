import { describe, expect, it } from 'vitest';
import { TableMemory, uploadedTableBuffers } from '../src/exposure/backends/gpu/tableMemory.js';

describe('GPU table memory (buffers handed back after upload, tableMemory.ts)', () => {
  it('hands out zeroed arrays, reusing the smallest free buffer that fits, else a new power-of-two one', () => {
    const m = new TableMemory(1 << 20);
    const a = m.f32(10);
    expect(a.length).toBe(10);
    expect(a.buffer.byteLength).toBe(64 * 1024); // at least 64 KiB
    expect(m.allocated).toBe(1);
    a.fill(Number.NaN);
    const big = new ArrayBuffer(256 * 1024);
    new Uint32Array(big).fill(0xffffffff);
    m.give([big, a.buffer]);
    expect(m.heldBytes).toBe(320 * 1024);
    // 20,000 floats (80,000 bytes) do not fit the 64 KiB buffer: the 256 KiB one, zeroed over what was asked
    const b = m.u32(20_000);
    expect(b.buffer).toBe(big);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(new Uint32Array(big)[20_000]).toBe(0xffffffff); // past the request: not written
    // a small request takes the 64 KiB one, zeroed
    const c = m.f32(5);
    expect(c.buffer).toBe(a.buffer);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0]);
    expect([m.reused, m.allocated, m.heldBytes]).toEqual([2, 1, 0]);
    m.give([c.buffer]);
    // unzeroed: the buffer as it was handed back (for arrays written in full before they are read)
    const d = m.f32(4);
    d.fill(7);
    m.give([d.buffer]);
    expect(Array.from(m.f32Unzeroed(3))).toEqual([7, 7, 7]);
    m.give([d.buffer]);
    expect(m.u32Unzeroed(2)[1]).toBe(new Uint32Array(Float32Array.of(7).buffer)[0]);
    // nothing free: new
    expect(m.f32(300_000).buffer.byteLength).toBe(2 ** 21);
    expect(m.allocated).toBe(2);
    expect(m.reused).toBe(5);
  });

  it('keeps at most its bound, skips shared and detached buffers and the same buffer twice', () => {
    const m = new TableMemory(100_000);
    const x = new ArrayBuffer(60_000);
    m.give([x, x, new ArrayBuffer(50_000), new SharedArrayBuffer(1000) as unknown as ArrayBuffer]);
    expect(m.heldBytes).toBe(60_000);
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    expect(detached.byteLength).toBe(0);
    m.give([detached, new ArrayBuffer(40_000)]);
    expect(m.heldBytes).toBe(100_000);
  });

  it('names the four uploaded arrays of a set\'s tables, each buffer once', () => {
    const shared = new ArrayBuffer(64);
    const tables = {
      ints: new Uint32Array(shared, 0, 4),
      reals: new Float32Array(shared, 16, 4),
      figures: { trades: { ints: new Uint32Array(8), reals: new Float32Array(8) } },
    };
    expect(uploadedTableBuffers(tables)).toEqual([shared, tables.figures.trades.ints.buffer, tables.figures.trades.reals.buffer]);
    expect(uploadedTableBuffers(undefined)).toEqual([]);
  });
});
