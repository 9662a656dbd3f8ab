/**
 * Sobol points for the simulation's `--rng sobol` (docs/model.md, "Random numbers"): the digital sequence in base 2
 * of I. M. Sobol' (1967) with the direction numbers of Joe and Kuo (sobolDirections.ts), 32 bits a coordinate, in
 * Antonov and Saleev's Gray-code order (point i = the XOR of the direction numbers v_k over the set bits k of
 * i ⊕ (i >> 1)), so that a point is addressed by its index alone: path g takes point g, whatever the thread, block of
 * paths or shard that simulates it.
 *
 * Randomised by a digital shift: coordinate j of every point is XOR-ed with a 32-bit word drawn from Philox under the
 * run's seed (counter (j, SHIFT_STREAM, 0, 1): the path draws use a last counter word of 0), which keeps the points a
 * digital net (every stratification property of the sequence) and makes each coordinate uniform over the seeds, so
 * that a run's estimates are unbiased and the seed still selects the run. Uniforms are (w + 0.5)·2⁻³², never 0 or 1.
 */
import { XvaInternalError } from '../../errors.js';
import { philoxBlocks, philoxRoundKeys, seedKey } from './philox.js';
import { JOE_KUO_ROWS } from './sobolDirections.js';

/** Bits of a coordinate. */
export const SOBOL_BITS = 32;

/** Coordinates a point has at most: van der Corput's and one per row of the direction-number table. */
export const SOBOL_DIMENSIONS: number = 1 + JOE_KUO_ROWS.trim().split('\n').length;

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
  const rows = JOE_KUO_ROWS.trim().split('\n');
  rows.forEach((line, r) => {
    const cells = line.trim().split(/\s+/).map(Number);
    const s = cells[0]!;
    const a = cells[1]!;
    const base = (r + 1) * SOBOL_BITS;
    if (cells.length !== s + 2) throw new XvaInternalError(`Sobol direction row ${r + 2}: ${cells.length - 2} initial numbers for degree ${s}`);
    for (let k = 1; k <= SOBOL_BITS; k++) {
      let v: number;
      if (k <= s) v = (cells[1 + k]! * 2 ** (SOBOL_BITS - k)) >>> 0;
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
