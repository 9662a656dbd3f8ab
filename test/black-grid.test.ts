/**
 * FX and equity options on paths are valued from a table of the Black-76 value per unit of strike leg in the
 * log-moneyness m = ln(a/b) (options.ts blackOnGrid) when the table's step is fine against the total deviation sd.
 * The reference here is the closed form itself, path by path: g(m) = ω·(e^m·Φ(ω·d1) − Φ(ω·d2)) with Φ from the test's
 * own Simpson quadrature of the density (independent of pricing/black.ts). The bound under test is the one the
 * module states: the 6-point Lagrange remainder, at most 1.2e-10 of the larger leg max(a, b) at the largest step
 * allowed (BLACK_GRID_MAX_STEP·min(sd, 1)); the tolerance is 2e-10 of max(a, b), the quadrature's error (~1e-13)
 * included. Near expiry the paths' spread of m is wide against sd; the table then covers the band
 * |m| ≤ sd·(Z + sd/2) and the paths beyond it take the intrinsic value, whose error is at most Φ(−Z) = 7.8e-11 of the
 * larger leg (the module's bound): the same 2e-10 tolerance holds on every path, inside the band and out.
 */
import { describe, expect, it } from 'vitest';
import { BLACK_BAND_MAX_NODES, BLACK_GRID_MAX_STEP, BLACK_GRID_NODES, BLACK_GRID_TAIL_Z, blackOnGrid } from '../src/exposure/valuation/options.js';

/** Standard normal CDF by Simpson's rule on the density (4,000 steps: ~1e-13). */
function ncdf(z: number): number {
  if (z < 0) return 1 - ncdf(-z);
  if (z > 12) return 1;
  const steps = 4000;
  const h = z / steps;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const x = i * h;
    s += (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(-0.5 * x * x);
  }
  return 0.5 + (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

function black(omega: number, sd: number, m: number): number {
  const d1 = m / sd + sd / 2;
  return omega * (Math.exp(m) * ncdf(omega * d1) - ncdf(omega * (d1 - sd)));
}

/** n log-moneyness values spread evenly (with a fixed jitter) over [centre − span/2, centre + span/2]. */
function spread(n: number, centre: number, span: number): Float64Array {
  const m = new Float64Array(n);
  for (let p = 0; p < n; p++) m[p] = centre - span / 2 + (span * ((p * 0.6180339887) % 1));
  m[0] = centre - span / 2;
  m[1] = centre + span / 2;
  return m;
}

describe('Black-76 on a log-moneyness grid (options.ts blackOnGrid)', () => {
  const n = 1500;
  for (const sd of [0.02, 0.1, 0.3, 1, 2.5]) {
    for (const omega of [1, -1]) {
      it(`${omega > 0 ? 'call' : 'put'}, sd ${sd}: within 2e-10 of the larger leg at the coarsest step allowed`, () => {
        const step = 0.98 * BLACK_GRID_MAX_STEP * Math.min(sd, 1);
        for (const centre of [-0.4, 0, 0.3]) {
          const m = spread(n, centre, step * (BLACK_GRID_NODES - 5));
          const out = new Float64Array(n);
          expect(blackOnGrid(omega, sd, m, n, out)).toBe(true);
          let worst = 0;
          for (let p = 0; p < n; p += 7) {
            const err = Math.abs(out[p]! - black(omega, sd, m[p]!)) / Math.max(1, Math.exp(m[p]!));
            worst = Math.max(worst, err);
          }
          expect(worst).toBeLessThan(2e-10);
        }
      });
    }
  }

  for (const sd of [0.001, 0.01, 0.05, 0.2, 0.6, 1.5]) {
    for (const omega of [1, -1]) {
      it(`${omega > 0 ? 'call' : 'put'}, sd ${sd}, paths spread far beyond the band: within 2e-10 of the larger leg on every path`, () => {
        const edge = sd * (BLACK_GRID_TAIL_Z + sd / 2);
        // wide enough that the whole-range table would be too coarse, with paths on both sides of the band
        const span = Math.max(3 * 2 * edge, 1.05 * BLACK_GRID_MAX_STEP * Math.min(sd, 1) * (BLACK_GRID_NODES - 5));
        const nb = 4000;
        for (const centre of [-0.3 * edge, 0, 0.45 * edge]) {
          const m = spread(nb, centre, span);
          const out = new Float64Array(nb);
          expect(blackOnGrid(omega, sd, m, nb, out)).toBe(true);
          let worst = 0;
          let below = 0;
          let above = 0;
          for (let p = 0; p < nb; p++) {
            if (m[p]! < -edge) below++;
            if (m[p]! > edge) above++;
            const err = Math.abs(out[p]! - black(omega, sd, m[p]!)) / Math.max(1, Math.exp(m[p]!));
            worst = Math.max(worst, err);
          }
          expect(below).toBeGreaterThan(nb / 10);
          expect(above).toBeGreaterThan(nb / 10);
          expect(worst).toBeLessThan(2e-10);
        }
      });
    }
  }

  it('near expiry with every path on one side of the band: the intrinsic value on each', () => {
    const sd = 0.01;
    const itm = spread(n, 0.2, 0.2); // every m ≥ 0.1 > sd·(Z + sd/2) = 0.064, too wide for the whole-range table
    const out = new Float64Array(n);
    expect(blackOnGrid(1, sd, itm, n, out)).toBe(true);
    for (let p = 0; p < n; p++) expect(Math.abs(out[p]! - black(1, sd, itm[p]!)) / Math.exp(itm[p]!)).toBeLessThan(2e-10);
    expect(blackOnGrid(-1, sd, itm, n, out)).toBe(true);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('declines a band that needs more than BLACK_BAND_MAX_NODES nodes, too few paths, a single point and sd = 0 (the caller values each path)', () => {
    const out = new Float64Array(n).fill(7);
    const sd = 0.2;
    // sd = 2.5: the band |m| ≤ 19.1 at a step of 0.05 needs 605 nodes for paths over [−15, 15]
    const wide = spread(n, 0, 30);
    expect(Math.ceil(30 / BLACK_GRID_MAX_STEP) + 5).toBeGreaterThan(BLACK_BAND_MAX_NODES);
    expect(blackOnGrid(1, 2.5, wide, n, out)).toBe(false);
    const fine = spread(n, 0, 0.5 * BLACK_GRID_MAX_STEP * sd * (BLACK_GRID_NODES - 5));
    expect(blackOnGrid(1, sd, fine, 2 * BLACK_GRID_NODES - 1, out)).toBe(false);
    // a band table of 265 nodes wants 530 paths
    const tooWide = spread(n, 0, 1.05 * BLACK_GRID_MAX_STEP * sd * (BLACK_GRID_NODES - 5));
    expect(blackOnGrid(1, sd, tooWide, 2 * 265 - 1, out)).toBe(false);
    expect(blackOnGrid(1, sd, new Float64Array(n).fill(0.1), n, out)).toBe(false);
    expect(blackOnGrid(1, 0, fine, n, out)).toBe(false);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
