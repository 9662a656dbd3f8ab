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
