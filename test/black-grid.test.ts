/**
 * FX and equity options on paths are valued from a table of the Black-76 value per unit of strike leg in the
 * log-moneyness m = ln(a/b) (options.ts blackOnGrid) when the table's step is fine against the total deviation sd.
 * The reference here is the closed form itself, path by path: g(m) = ω·(e^m·Φ(ω·d1) − Φ(ω·d2)) with Φ from the test's
 * own Simpson quadrature of the density (independent of pricing/black.ts). The bound under test is the one the
 * module states: the 6-point Lagrange remainder, at most 1.2e-10 of the larger leg max(a, b) at the largest step
 * allowed (BLACK_GRID_MAX_STEP·min(sd, 1)); the tolerance is 2e-10 of max(a, b), the quadrature's error (~1e-13)
 * included.
 */
import { describe, expect, it } from 'vitest';
import { BLACK_GRID_MAX_STEP, BLACK_GRID_NODES, blackOnGrid } from '../src/exposure/valuation/options.js';

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

  it('declines a grid coarser than the bound allows, too few paths, a single point and sd = 0 (the caller values each path)', () => {
    const out = new Float64Array(n).fill(7);
    const sd = 0.2;
    const tooWide = spread(n, 0, 1.05 * BLACK_GRID_MAX_STEP * sd * (BLACK_GRID_NODES - 5));
    expect(blackOnGrid(1, sd, tooWide, n, out)).toBe(false);
    const fine = spread(n, 0, 0.5 * BLACK_GRID_MAX_STEP * sd * (BLACK_GRID_NODES - 5));
    expect(blackOnGrid(1, sd, fine, 2 * BLACK_GRID_NODES - 1, out)).toBe(false);
    expect(blackOnGrid(1, sd, new Float64Array(n).fill(0.1), n, out)).toBe(false);
    expect(blackOnGrid(1, 0, fine, n, out)).toBe(false);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
