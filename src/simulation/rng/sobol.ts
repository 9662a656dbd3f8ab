/**
 * Sobol points for the simulation's `--rng sobol` (docs/model.md, "Random numbers"): the digital sequence in base 2
 * of I. M. Sobol' (1967) with the direction numbers of Joe and Kuo (sobolDirections.ts, sobolDirectionsPacked.ts:
 * their 21,201 dimensions), 32 bits a coordinate, in Antonov and Saleev's Gray-code order (point i = the XOR of the
 * direction numbers v_k over the set bits k of i ⊕ (i >> 1)), so that a point is addressed by its index alone: path g
 * takes point g, whatever the thread, block of paths or shard that simulates it.
 *
 * Randomised by a digital shift: coordinate j of every point is XOR-ed with a 32-bit word drawn from Philox under the
 * run's seed (counter (j, SHIFT_STREAM, 0, 1): the path draws use a last counter word of 0), which keeps the points a
 * digital net (every stratification property of the sequence) and makes each coordinate uniform over the seeds, so
 * that a run's estimates are unbiased and the seed still selects the run. Uniforms are (w + 0.5)·2⁻³², never 0 or 1.
 */
import { XvaInternalError } from '../../errors.js';
import { philoxBlocks, philoxRoundKeys, seedKey } from './philox.js';
import { JOE_KUO_ROWS } from './sobolDirections.js';
import { JOE_KUO_PACKED_BASE64, JOE_KUO_PACKED_FIRST_DIMENSION, JOE_KUO_PACKED_ROWS } from './sobolDirectionsPacked.js';

/** Bits of a coordinate. */
export const SOBOL_BITS = 32;

/** Rows of the readable table (dimensions 2 .. 337). */
const TEXT_ROWS = JOE_KUO_ROWS.trim().split('\n').length;

/**
 * Coordinates a point has at most: van der Corput's, the readable table's rows (sobolDirections.ts) and the packed
 * rows after them (sobolDirectionsPacked.ts): Joe and Kuo's 21,201.
 */
export const SOBOL_DIMENSIONS: number = 1 + TEXT_ROWS + JOE_KUO_PACKED_ROWS;

/** Every row (s, a, m_1 .. m_s) of dimensions 2 .. SOBOL_DIMENSIONS: the readable table's, then the packed ones. */
export function sobolDirectionRows(): { s: number; a: number; m: number[] }[] {
  const rows = JOE_KUO_ROWS.trim()
    .split('\n')
    .map((line) => {
      const cells = line.trim().split(/\s+/).map(Number);
      return { s: cells[0]!, a: cells[1]!, m: cells.slice(2) };
    });
  if (JOE_KUO_PACKED_FIRST_DIMENSION !== TEXT_ROWS + 2) throw new XvaInternalError(`the packed Sobol rows start at dimension ${JOE_KUO_PACKED_FIRST_DIMENSION}, after ${TEXT_ROWS + 1}`);
  // the packed rows: a little-endian bit stream of s (5 bits), a (s − 1 bits), (m_k − 1)/2 (k − 1 bits, k = 2 .. s)
  const bytes = Buffer.from(JOE_KUO_PACKED_BASE64, 'base64');
  let bit = 0;
  const take = (width: number): number => {
    // widths are at most 17 bits: four bytes from the current one hold them after the shift of up to 7
    const at = bit >>> 3;
    const word = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24);
    const value = ((word >>> (bit & 7)) & ((1 << width) - 1)) >>> 0;
    bit += width;
    return value;
  };
  for (let r = 0; r < JOE_KUO_PACKED_ROWS; r++) {
    const s = take(5);
    const a = take(s - 1);
    const m = [1];
    for (let k = 2; k <= s; k++) m.push(2 * take(k - 1) + 1);
    rows.push({ s, a, m });
  }
  return rows;
}

/** The Philox stream of the digital shift's words (any constant that is no factor's stream: a counter word of 1). */
const SHIFT_STREAM = 0x50b01;

let directionTable: Uint32Array | undefined;

/**
 * The direction numbers v_{j,k} of coordinate j (0-based) at SOBOL_BITS·j + k − 1 for k = 1 .. 32 (v_k = m_k·2^{32−k}
 * for k ≤ s, then v_k = v_{k−s} ⊕ (v_{k−s} >> s) ⊕ c_1·v_{k−1} ⊕ … ⊕ c_{s−1}·v_{k−s+1}, Bratley and Fox's recurrence).
 */
export function sobolDirections(): Uint32Array {
  if (directionTable) return directionTable;
  const table = new Uint32Array(SOBOL_DIMENSIONS * SOBOL_BITS);
  for (let k = 1; k <= SOBOL_BITS; k++) table[k - 1] = 2 ** (SOBOL_BITS - k);
  sobolDirectionRows().forEach(({ s, a, m }, r) => {
    const base = (r + 1) * SOBOL_BITS;
    if (m.length !== s) throw new XvaInternalError(`Sobol direction row ${r + 2}: ${m.length} initial numbers for degree ${s}`);
    for (let k = 1; k <= SOBOL_BITS; k++) {
      let v: number;
      if (k <= s) v = (m[k - 1]! * 2 ** (SOBOL_BITS - k)) >>> 0;
      else {
        const back = table[base + k - s - 1]!;
        v = back ^ (back >>> s);
        for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) v ^= table[base + k - i - 1]!;
      }
      table[base + k - 1] = v >>> 0;
    }
  });
  directionTable = table;
  return table;
}

/** The words of point `index` (0 ≤ index < 2^32) in coordinates 0 .. dims − 1, unshifted, into out. */
export function sobolPoint(index: number, dims: number, out: Uint32Array): void {
  checkDims(dims);
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new RangeError(`a Sobol point index must be in [0, 2^32), got ${index}`);
  const v = sobolDirections();
  const gray = (index ^ (index >>> 1)) >>> 0;
  for (let j = 0; j < dims; j++) {
    let x = 0;
    for (let k = 0, g = gray; g !== 0; k++, g >>>= 1) if (g & 1) x ^= v[j * SOBOL_BITS + k]!;
    out[j] = x >>> 0;
  }
}

/** Coordinate j (0-based) of point `index`, unshifted: the XOR of v_{j,k+1} over the set bits k of index ⊕ (index >> 1). */
export function sobolCoordinate(index: number, j: number): number {
  const v = sobolDirections();
  let x = 0;
  const gray = (index ^ (index >>> 1)) >>> 0;
  for (let k = 0, g = gray; g !== 0; k++, g >>>= 1) if (g & 1) x ^= v[j * SOBOL_BITS + k]!;
  return x >>> 0;
}

/** From point `index` in out to point index + 1 (Gray code: one XOR a coordinate, v_{c+1} with c the trailing ones of index). */
export function sobolNext(index: number, dims: number, out: Uint32Array): void {
  let c = 0;
  for (let i = index; i & 1; i >>>= 1) c++;
  if (c >= SOBOL_BITS) throw new RangeError('the Sobol sequence has 2^32 points');
  const v = sobolDirections();
  for (let j = 0; j < dims; j++) out[j] = (out[j]! ^ v[j * SOBOL_BITS + c]!) >>> 0;
}

/** The digital shift of a run's seed for coordinates 0 .. dims − 1 (Philox words; see the module comment). */
export function sobolShift(seed: number, dims: number): Uint32Array {
  checkDims(dims);
  const keys = philoxRoundKeys(seedKey(seed));
  const blocks = new Uint32Array(4 * dims);
  if (dims > 0) philoxBlocks(0, 1, SHIFT_STREAM, 0, 1, dims, keys, blocks);
  const shift = new Uint32Array(dims);
  for (let j = 0; j < dims; j++) shift[j] = blocks[4 * j]!;
  return shift;
}

function checkDims(dims: number): void {
  if (!Number.isInteger(dims) || dims < 0 || dims > SOBOL_DIMENSIONS) throw new RangeError(`a Sobol point has 0 to ${SOBOL_DIMENSIONS} coordinates, got ${dims}`);
}
