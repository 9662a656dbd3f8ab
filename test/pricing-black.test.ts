import { describe, it, expect } from 'vitest';
import { bachelier, black76, erf, erfc, expMinusSquare, garmanKohlhagen, normCdf, normCdfInto, normPdf } from '../src/pricing/black.js';

describe('normal distribution (Cody erfc)', () => {
  it('matches high-precision values of N(x) (mpmath, 40 digits) to 1e-15 relative', () => {
    // Reference values computed with mpmath.ncdf at 40 significant digits.
    const cases: [number, number][] = [
      [1.96, 0.9750021048517795],
      [0, 0.5],
      [-1, 0.15865525393145705],
      [1, 0.8413447460685429],
      [-3, 0.0013498980316300946],
      [-6, 9.865876450376982e-10],
      [-10, 7.61985302416047e-24],
      [-20, 2.7536241186062337e-89],
      [0.3, 0.6179114221889527],
      [-2.5, 0.006209665325776132],
      [5, 0.9999997133484281],
    ];
    for (const [x, ref] of cases) expect(Math.abs(normCdf(x) - ref) / ref).toBeLessThan(1e-15 + 1e-16 / ref);
  });

  it('satisfies N(x) + N(−x) = 1 to 1e-16 and erf(x) = 1 − erfc(x) across the interval breaks', () => {
    for (let x = -6; x <= 6; x += 0.01) expect(Math.abs(normCdf(x) + normCdf(-x) - 1)).toBeLessThan(2.3e-16);
    for (const x of [0.46875, 0.4688, 3.999, 4, 4.001, -0.7, 2.2]) expect(Math.abs(erf(x) - (1 - erfc(x)))).toBeLessThan(3e-16);
  });

  it('density integrates to the distribution (Simpson, h = 1e-3: error < 1e-13)', () => {
    const a = -0.4;
    const b = 1.7;
    const steps = 2100;
    const h = (b - a) / steps;
    let sum = normPdf(a) + normPdf(b);
    for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * normPdf(a + i * h);
    expect(Math.abs((sum * h) / 3 - (normCdf(b) - normCdf(a)))).toBeLessThan(1e-13);
  });
});

describe('Black-Scholes family against Hull, Options, Futures and Other Derivatives', () => {
  it('Black-Scholes example S=42, K=40, r=10%, σ=20%, T=0.5: call 4.76, put 0.81 (2 decimals in the book)', () => {
    const s = 42;
    const k = 40;
    const r = 0.1;
    const t = 0.5;
    const forward = s * Math.exp(r * t);
    const call = black76('call', forward, k, 0.2, t, Math.exp(-r * t));
    const put = black76('put', forward, k, 0.2, t, Math.exp(-r * t));
    expect(call).toBeCloseTo(4.76, 2);
    expect(put).toBeCloseTo(0.81, 2);
    // Put-call parity on the spot: c − p = S − K·e^{−rT}.
    expect(Math.abs(call - put - (s - k * Math.exp(-r * t)))).toBeLessThan(1e-12);
  });

  it("Black's model: 4-month put on futures F=K=20, r=9%, σ=25% is worth 1.12 (Hull, futures options example)", () => {
    expect(black76('put', 20, 20, 0.25, 4 / 12, Math.exp(-0.09 * (4 / 12)))).toBeCloseTo(1.12, 2);
  });

  it('Garman-Kohlhagen: Haug, Complete Guide to Option Pricing Formulas §1.1.6: S=1.56, K=1.60, T=0.5, r_d=6%, r_f=8%, σ=12%: call 0.0291', () => {
    // The book gives 4 decimals: tolerance 5e-5.
    expect(Math.abs(garmanKohlhagen('call', 1.56, 1.6, 0.12, 0.5, 0.06, 0.08) - 0.0291)).toBeLessThan(5e-5);
  });

  it('Garman-Kohlhagen: Hull, 4-month GBP call, S=K=1.6, r_USD=8%, r_GBP=11%: price 4.3 cents has implied vol 14.1%', () => {
    // The book rounds the price to 0.1 cent and the vol to 0.1%: tolerance 5e-4.
    const call = garmanKohlhagen('call', 1.6, 1.6, 0.141, 4 / 12, 0.08, 0.11);
    expect(Math.abs(call - 0.043)).toBeLessThan(5e-4);
    const put = garmanKohlhagen('put', 1.6, 1.6, 0.141, 4 / 12, 0.08, 0.11);
    // FX parity: c − p = S·e^{−r_f T} − K·e^{−r_d T}.
    expect(Math.abs(call - put - (1.6 * Math.exp(-0.11 / 3) - 1.6 * Math.exp(-0.08 / 3)))).toBeLessThan(1e-12);
  });

  it('put-call parity on the forward to 1e-12 for Black-76 and Bachelier over a grid', () => {
    for (const f of [0.5, 1, 1.7]) {
      for (const k of [0.3, 1, 2.5]) {
        for (const t of [0.01, 1, 10]) {
          const d = Math.exp(-0.03 * t);
          const parity = d * (f - k);
          expect(Math.abs(black76('call', f, k, 0.3, t, d) - black76('put', f, k, 0.3, t, d) - parity)).toBeLessThan(1e-12);
          expect(Math.abs(bachelier('call', f, k, 0.4, t, d) - bachelier('put', f, k, 0.4, t, d) - parity)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('zero vol or zero time gives the discounted intrinsic value on the forward', () => {
    expect(black76('call', 105, 100, 0, 2, 0.9)).toBeCloseTo(4.5, 14);
    expect(black76('put', 105, 100, 0.2, 0, 0.9)).toBe(0);
    expect(bachelier('put', 0.02, 0.03, 0, 1, 0.95)).toBeCloseTo(0.0095, 15);
    expect(bachelier('call', 0.02, 0.03, 0.01, 0, 0.95)).toBe(0);
  });

  it('Bachelier at the money is σ·√(T/2π); away from it equals the normal integral (Simpson, error < 1e-12)', () => {
    expect(Math.abs(bachelier('call', 0.03, 0.03, 0.01, 4, 1) - 0.01 * Math.sqrt(4 / (2 * Math.PI)))).toBeLessThan(1e-17);
    // E[(F + σ√T Z − K)^+] by Simpson over the exercise region z in [z*, z* + 14], z* = (K − F)/(σ√T).
    const f = 0.025;
    const k = 0.031;
    const sd = 0.009 * Math.sqrt(3);
    const zStar = (k - f) / sd;
    const steps = 14000;
    const h = 14 / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const z = zStar + i * h;
      const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += w * Math.max(f + sd * z - k, 0) * normPdf(z);
    }
    expect(Math.abs(bachelier('call', f, k, 0.009, 3, 1) - (sum * h) / 3)).toBeLessThan(1e-12);
  });
});

describe('erfc: the tabulated exp(−c²) of the 1/16 grid', () => {
  it('expMinusSquare gives the bits of the per-call Math.exp it replaced, over the whole tail erfc uses', () => {
    // The replaced formula: exp(−c²)·exp(−(y − c)(y + c)), c = trunc(16y)/16, both exponentials per call.
    const reference = (y: number): number => {
      const c = Math.trunc(y * 16) / 16;
      return Math.exp(-c * c) * Math.exp(-(y - c) * (y + c));
    };
    let checked = 0;
    for (let y = 0.46875; y < 26.7; y += 0.00097) {
      expect(expMinusSquare(y)).toBe(reference(y));
      checked++;
    }
    // the grid points themselves, and beyond the table (fallback)
    for (let k = 7; k < 440; k++) expect(expMinusSquare(k / 16)).toBe(reference(k / 16));
    expect(checked).toBeGreaterThan(25_000);
  });
});

describe('normCdfInto: normCdf over an array, the same bits', () => {
  it('equals normCdf bit for bit across every branch (erf, both erfc intervals, the tail cut, the coarse table\'s end) and at the edges', () => {
    const xs: number[] = [0, -0, 1e-300, -1e-300, Infinity, -Infinity, NaN, 37.76, -37.76, 37.77, -37.77, 40, -40, 1e300, -1e300];
    // the branch boundaries of erfc's argument y = |x|/√2: 0.46875, 4, 26.7 and the coarse table's end 428/16, each side
    for (const y of [0.46875, 4, 26.7, 428 / 16]) {
      for (const s of [-1, 1]) {
        const x = s * y * Math.SQRT2;
        xs.push(x, x * (1 + 2 ** -52), x * (1 - 2 ** -52), x + 1e-9, x - 1e-9);
      }
    }
    // a dense sweep and random values of several scales (a fixed LCG: the test is reproducible)
    for (let x = -40; x <= 40; x += 1 / 1024) xs.push(x);
    let seed = 12345;
    const uniform = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 100_000; i++) xs.push((uniform() - 0.5) * [1, 10, 80][i % 3]!);
    const input = Float64Array.from(xs);
    const out = new Float64Array(input.length).fill(-1);
    normCdfInto(input, out, input.length);
    let checked = 0;
    for (let i = 0; i < input.length; i++) {
      if (!Object.is(out[i], normCdf(input[i]!))) throw new Error(`normCdfInto(${input[i]}) = ${out[i]}, normCdf gives ${normCdf(input[i]!)}`);
      checked++;
    }
    expect(checked).toBe(input.length);
    // n bounds what is written
    const partial = new Float64Array(3).fill(7);
    normCdfInto(Float64Array.from([0, 1, 2]), partial, 2);
    expect(Array.from(partial)).toEqual([0.5, normCdf(1), 7]);
  });
});
