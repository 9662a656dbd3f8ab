/**
 * Philox 4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy
 * as 1, 2, 3" (SC'11), as the Random123 library defines it. A draw is a pure function of (counter, key): there is no
 * state to carry, so a path's numbers do not depend on how paths are split over threads, shards or machines.
 *
 * Only 32-bit unsigned integer arithmetic is used (`Math.imul`, `>>> 0`, and the high word of the 32x32 product
 * assembled from exact 16-bit partial products), so a WGSL kernel with u32 arithmetic reproduces the stream bit for
 * bit.
 */

// Philox4x32 round multipliers and Weyl key increments (Salmon et al. 2011, table 2; Random123 philox.h).
const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const PHILOX_ROUNDS = 10;

/**
 * High 32 bits of the 64-bit product of two u32 values, exactly: a = ah·2^16 + al, b = bh·2^16 + bl, and the
 * carries of the middle partial products are added in 16-bit pieces so that no intermediate exceeds 32 bits.
 */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lolo = Math.imul(al, bl) >>> 0;
  const hilo = Math.imul(ah, bl) >>> 0;
  const lohi = Math.imul(al, bh) >>> 0;
  const hihi = Math.imul(ah, bh) >>> 0;
  const middle = (lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff); // < 3·2^16, no overflow
  return (hihi + (hilo >>> 16) + (lohi >>> 16) + (middle >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: `out` receives the four 32-bit words for `counter` (4 words) under `key` (2 words).
 * `out` may be the same array as `counter`.
 */
export function philox4x32(counter: Uint32Array, key: Uint32Array, out: Uint32Array): void {
  let x0 = counter[0]!;
  let x1 = counter[1]!;
  let x2 = counter[2]!;
  let x3 = counter[3]!;
  let k0 = key[0]!;
  let k1 = key[1]!;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    if (round > 0) {
      // Key schedule: the key is bumped by the Weyl constants before every round but the first.
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** The ten round keys of `key` (the Weyl schedule hoisted out of the per-block loop): k0 in out[0..10), k1 in out[10..20). */
export function philoxRoundKeys(key: Uint32Array, out: Uint32Array = new Uint32Array(2 * PHILOX_ROUNDS)): Uint32Array {
  let k0 = key[0]!;
  let k1 = key[1]!;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    out[round] = k0;
    out[PHILOX_ROUNDS + round] = k1;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return out;
}

// The multipliers split into 16-bit halves once, for the inlined high words below.
const M0_LO = PHILOX_M0 & 0xffff;
const M0_HI = PHILOX_M0 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;

/**
 * Philox4x32-10 blocks for counters (c0 + i·c0Stride, c1, c2, c3), i = 0 .. count−1, under round keys from
 * philoxRoundKeys: the four words of block i go to out[4i .. 4i+4). The same arithmetic as philox4x32 (u32 only: the
 * high word of each 32×32 product from 16-bit partial products, `Math.imul` for the low word), with the key schedule
 * hoisted and nothing allocated, for the bulk normal fills.
 */
export function philoxBlocks(
  c0: number,
  c0Stride: number,
  c1: number,
  c2: number,
  c3: number,
  count: number,
  roundKeys: Uint32Array,
  out: Uint32Array,
): void {
  for (let i = 0; i < count; i++) {
    let x0 = (c0 + i * c0Stride) >>> 0;
    let x1 = c1 >>> 0;
    let x2 = c2 >>> 0;
    let x3 = c3 >>> 0;
    for (let round = 0; round < PHILOX_ROUNDS; round++) {
      // hi(M0·x0), lo(M0·x0), hi(M1·x2), lo(M1·x2) with u32 arithmetic (see mulhi32).
      const a0l = x0 & 0xffff;
      const a0h = x0 >>> 16;
      const ll0 = Math.imul(a0l, M0_LO) >>> 0;
      const hl0 = Math.imul(a0h, M0_LO) >>> 0;
      const lh0 = Math.imul(a0l, M0_HI) >>> 0;
      const mid0 = (ll0 >>> 16) + (hl0 & 0xffff) + (lh0 & 0xffff);
      const hi0 = (Math.imul(a0h, M0_HI) >>> 0) + (hl0 >>> 16) + (lh0 >>> 16) + (mid0 >>> 16);
      const lo0 = Math.imul(PHILOX_M0, x0);
      const a2l = x2 & 0xffff;
      const a2h = x2 >>> 16;
      const ll1 = Math.imul(a2l, M1_LO) >>> 0;
      const hl1 = Math.imul(a2h, M1_LO) >>> 0;
      const lh1 = Math.imul(a2l, M1_HI) >>> 0;
      const mid1 = (ll1 >>> 16) + (hl1 & 0xffff) + (lh1 & 0xffff);
      const hi1 = (Math.imul(a2h, M1_HI) >>> 0) + (hl1 >>> 16) + (lh1 >>> 16) + (mid1 >>> 16);
      const lo1 = Math.imul(PHILOX_M1, x2);
      x0 = (hi1 ^ x1 ^ roundKeys[round]!) >>> 0;
      x1 = lo1 >>> 0;
      x2 = (hi0 ^ x3 ^ roundKeys[PHILOX_ROUNDS + round]!) >>> 0;
      x3 = lo0 >>> 0;
    }
    const o = 4 * i;
    out[o] = x0;
    out[o + 1] = x1;
    out[o + 2] = x2;
    out[o + 3] = x3;
  }
}

/** 2^-32: a u32 word w becomes the uniform (w + 0.5)·2^-32, strictly inside (0, 1). */
export const UINT32_TO_UNIT = 1 / 4294967296;

/**
 * The Philox key of a simulation seed: the low and high 32 bits of a non-negative safe integer. Throws a RangeError
 * for anything else (a negative, fractional or too large seed is a programming mistake: flags validate seeds).
 */
export function seedKey(seed: number, out: Uint32Array = new Uint32Array(2)): Uint32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`Philox seed must be an integer in [0, 2^53), got ${seed}`);
  }
  out[0] = seed >>> 0;
  out[1] = Math.floor(seed / 4294967296) >>> 0;
  return out;
}
