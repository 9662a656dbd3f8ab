import { describe, it, expect } from 'vitest';
import { mulhi32, philox4x32, philoxBlocks, philoxRoundKeys, seedKey } from '../src/simulation/rng/philox.js';
import { fillNormalBlock, fillNormals, fillUniforms, inverseNormalCdf, inverseNormalOfWords, normalsOfWords, rngKernelCalls, setRngKernelsEnabled } from '../src/simulation/rng/normal.js';
import { normCdf } from '../src/pricing/black.js';

describe('Philox4x32-10', () => {
  // Known-answer vectors of the Random123 distribution, file tests/kat_vectors (github.com/DEShawResearch/random123,
  // release 1.14.0), the three "philox4x32 10" lines: counter[4] key[2] -> output[4], hex u32 words. Found with the
  // code search and quoted verbatim by several independent test suites (Rust, Go and Python ports of Random123).
  const KAT: Array<[number[], number[], number[]]> = [
    [[0x00000000, 0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  it('reproduces the Random123 known-answer vectors exactly', () => {
    for (const [ctr, key, expected] of KAT) {
      const out = new Uint32Array(4);
      philox4x32(Uint32Array.from(ctr), Uint32Array.from(key), out);
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it('mulhi32 equals the exact high word of the 64-bit product (BigInt reference)', () => {
    const values = [0, 1, 0xffff, 0x10000, 0xd2511f53, 0xcd9e8d57, 0xffffffff, 0x80000000, 0x243f6a88, 0x7fffffff];
    for (const a of values) {
      for (const b of values) {
        const exact = Number((BigInt(a) * BigInt(b)) >> 32n);
        expect(mulhi32(a, b)).toBe(exact);
      }
    }
  });

  it('keys a seed by its low and high 32-bit words and rejects invalid seeds', () => {
    expect(Array.from(seedKey(42))).toEqual([42, 0]);
    expect(Array.from(seedKey(2 ** 40 + 7))).toEqual([7, 256]);
    expect(() => seedKey(-1)).toThrow(/seed/);
    expect(() => seedKey(1.5)).toThrow(/seed/);
  });
});

describe('inverse normal CDF (Wichura AS241)', () => {
  // Reference quantiles to 16 digits, computed independently with mpmath at 30-40 digits (sqrt(2)·erfinv(2p - 1),
  // and a root of ncdf(z) = p in the far tail); the first ones agree with Abramowitz & Stegun table 26.1.
  const QUANTILES: Array<[number, number]> = [
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.99, 2.3263478740408408],
    [0.9, 1.2815515655446004],
    [0.001, -3.090232306167813],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
  ];
  it('matches known quantiles to 1e-15 relative', () => {
    for (const [p, z] of QUANTILES) {
      expect(Math.abs(inverseNormalCdf(p) - z)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(z)));
    }
  });

  it('round-trips through the Cody-erfc normal CDF of pricing/black.ts', () => {
    // Central and shoulder region p in [1e-3, 1 - 1e-3]: Φ(Φ⁻¹(p)) = p to 1e-14 relative (in min(p, 1 - p)).
    let worst = 0;
    for (let k = 2; k < 2000; k++) {
      const p = k / 2000;
      worst = Math.max(worst, Math.abs(normCdf(inverseNormalCdf(p)) - p) / Math.min(p, 1 - p));
    }
    expect(worst).toBeLessThan(1e-14);
    // Lower tail p = 10^-3 .. 10^-300 (the Philox uniforms reach 2^-33 ≈ 1.2e-10). The round trip is ill-conditioned
    // there: one ulp of z (|z|·1.1e-16) moves Φ by |z|·δz relative, and erfc's exp(-z²/2) carries z²·1.1e-16 too,
    // so the bound scales as 1e-14·z² (4e-13 at p = 1e-10, 1.4e-11 at p = 1e-300).
    for (let e = 30; e <= 3000; e++) {
      const p = 10 ** (-e / 10);
      const z = inverseNormalCdf(p);
      expect(Math.abs(normCdf(z) - p) / p).toBeLessThan(1e-14 * z * z);
    }
  });
});

describe('inverseNormalOfWords: the draws of a batch of Philox words', () => {
  it('equal inverseNormalCdf((w + 0.5)·2^-32) bit for bit: the extreme words, both ends of the central region, and 200,000 others', () => {
    const ws: number[] = [0, 1, 2, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];
    // |p − 1/2| = 0.425 (the central region's ends) on either side, a few words each way
    for (const p of [0.075, 0.925]) {
      const w = Math.floor(p * 2 ** 32);
      for (let k = -3; k <= 3; k++) ws.push(w + k);
    }
    let x = 0x9e3779b9;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) >>> 0; // a fixed hash: reproducible
      ws.push(x);
    }
    const words = Uint32Array.from(ws);
    const zs = new Float64Array(words.length);
    inverseNormalOfWords(words, zs, words.length);
    for (let i = 0; i < words.length; i++) {
      const expected = inverseNormalCdf((words[i]! + 0.5) * 2 ** -32);
      if (!Object.is(zs[i], expected)) throw new Error(`word ${words[i]}: ${zs[i]} against inverseNormalCdf's ${expected}`);
    }
    // the central region's ends were crossed: draws on both sides of ±0.425 in p
    const ps = Array.from(words, (w) => (w + 0.5) * 2 ** -32);
    expect(ps.some((p) => Math.abs(p - 0.5) > 0.425) && ps.some((p) => Math.abs(p - 0.5) <= 0.425)).toBe(true);
  });
});

describe('normalsOfWords: the same draws for words that are not Philox\'s (Sobol points)', () => {
  it('equal inverseNormalOfWords bit for bit, on the kernel (chunks of 1,024 words, odd counts) and off it', () => {
    const ws: number[] = [0, 1, 2, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];
    for (const p of [0.075, 0.925]) for (let k = -3; k <= 3; k++) ws.push(Math.floor(p * 2 ** 32) + k);
    let x = 0x7f4a7c15;
    for (let i = 0; i < 5_001; i++) {
      x = (Math.imul(x ^ (x >>> 13), 0x5bd1e995) + i) >>> 0;
      ws.push(x);
    }
    const words = Uint32Array.from(ws);
    const expected = new Float64Array(words.length);
    inverseNormalOfWords(words, expected, words.length);
    for (const kernel of [true, false]) {
      setRngKernelsEnabled(kernel);
      try {
        const before = rngKernelCalls();
        for (const m of [words.length, 1023, 1025, 7]) {
          const got = new Float64Array(m);
          normalsOfWords(words, got, m);
          expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer, 0, 8 * m)), `${m} words, kernel ${kernel}`).toBe(true);
        }
        expect(rngKernelCalls() > before).toBe(kernel);
      } finally {
        setRngKernelsEnabled(true);
      }
    }
  });
});

describe('fillNormals', () => {
  const N = 100_000;
  const z = new Float64Array(N);
  fillNormals(20240607, 0, N, 0, 0, z);

  it('has mean 0 and variance 1 within 4 standard errors on 1e5 draws', () => {
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < N; i++) {
      sum += z[i]!;
      sumSq += z[i]! * z[i]!;
    }
    const mean = sum / N;
    const variance = sumSq / N - mean * mean;
    // SE(mean) = 1/√N = 0.00316; SE(variance) = √(2/N) = 0.00447 for normal data.
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
  });

  it('passes a Kolmogorov-Smirnov test against Φ at the 1% level (D < 1.628/√N)', () => {
    const sorted = Float64Array.from(z).sort();
    let d = 0;
    for (let i = 0; i < N; i++) {
      const f = normCdf(sorted[i]!);
      d = Math.max(d, (i + 1) / N - f, f - i / N);
    }
    // Asymptotic Kolmogorov critical value at 1%: 1.628/√N = 0.00515.
    expect(d).toBeLessThan(1.628 / Math.sqrt(N));
  });

  it('gives each path the same draws whatever the shard split (bit for bit)', () => {
    const whole = new Float64Array(1000);
    fillNormals(7, 0, 1000, 3, 11, whole);
    const a = new Float64Array(500);
    const b = new Float64Array(500);
    fillNormals(7, 0, 500, 3, 11, a);
    fillNormals(7, 500, 500, 3, 11, b);
    for (let i = 0; i < 500; i++) {
      expect(Object.is(a[i], whole[i])).toBe(true);
      expect(Object.is(b[i], whole[500 + i])).toBe(true);
    }
    // Odd shard boundary with antithetics: the pair (499, 500)... pairs are (2k, 2k+1), so 499 pairs with 498.
    const antiWhole = new Float64Array(1000);
    fillNormals(7, 0, 1000, 3, 11, antiWhole, true);
    const c = new Float64Array(499);
    const d = new Float64Array(501);
    fillNormals(7, 0, 499, 3, 11, c, true);
    fillNormals(7, 499, 501, 3, 11, d, true);
    for (let i = 0; i < 499; i++) expect(Object.is(c[i], antiWhole[i])).toBe(true);
    for (let i = 0; i < 501; i++) expect(Object.is(d[i], antiWhole[499 + i])).toBe(true);
  });

  it('antithetic pairs (2k, 2k+1) carry the same draw negated, the even path equal to the plain stream', () => {
    const plain = new Float64Array(10);
    const anti = new Float64Array(10);
    fillNormals(99, 0, 10, 1, 2, plain);
    fillNormals(99, 0, 10, 1, 2, anti, true);
    for (let k = 0; k < 5; k++) {
      expect(anti[2 * k]).toBe(plain[2 * k]);
      expect(anti[2 * k + 1]).toBe(-plain[2 * k]!);
    }
  });

  it('is Φ⁻¹ of (word step & 3 + 0.5)·2^-32 at counter (path, factor, step >> 2, 0)', () => {
    const u = new Float64Array(4);
    const n = new Float64Array(4);
    for (const step of [3, 4, 13]) {
      fillUniforms(5, 10, 4, 2, step, u);
      fillNormals(5, 10, 4, 2, step, n);
      const out = new Uint32Array(4);
      for (let i = 0; i < 4; i++) {
        // the reference block from the scalar philox4x32 (checked against Random123's vectors above)
        philox4x32(Uint32Array.from([10 + i, 2, step >> 2, 0]), Uint32Array.from([5, 0]), out);
        expect(u[i]).toBe((out[step & 3]! + 0.5) / 2 ** 32);
        expect(n[i]).toBe(inverseNormalCdf(u[i]!));
      }
    }
    // Different factors and steps give different streams.
    const other = new Float64Array(4);
    fillNormals(5, 10, 4, 2, 4, other);
    fillNormals(5, 10, 4, 2, 5, n);
    expect(other[0]).not.toBe(n[0]);
  });

  it('fillNormalBlock gives the four steps of a block at once, equal to fillNormals step by step (plain and antithetic)', () => {
    const nPaths = 601; // more than one internal batch of 256 paths, odd so an antithetic pair is cut at the end
    for (const antithetic of [false, true]) {
      for (const path0 of [0, 3]) {
        const block = new Float64Array(4 * nPaths);
        fillNormalBlock(11, path0, nPaths, 7, 5, block, antithetic);
        const one = new Float64Array(nPaths);
        for (let w = 0; w < 4; w++) {
          fillNormals(11, path0, nPaths, 7, 20 + w, one, antithetic);
          for (let i = 0; i < nPaths; i++) expect(Object.is(block[w * nPaths + i], one[i])).toBe(true);
        }
      }
    }
  });

  it('the WebAssembly kernel (Philox in i32x4 lanes, AS241 central region in f64x2 lanes) gives the TypeScript draws bit for bit', () => {
    // blocks of paths of every remainder mod 4 and around the batch of 256, both antithetic forms, counters near 2^32
    const cases: [number, number, number, number, number, boolean][] = [
      [42, 0, 5000, 3, 7, false], [42, 1, 1001, 0, 0, false], [7, 4294966000, 1000, 9, 113, false], [42, 0, 5000, 3, 7, true],
      [42, 3, 999, 5, 2, true], [1, 0, 1, 0, 0, false], [1, 0, 3, 1, 1, true], [99, 17, 257, 2, 3, false], [5, 255, 255, 4294967295, 4294967295, false],
    ];
    let tails = 0;
    try {
      for (const [seed, path0, nPaths, factor, stepBlock, antithetic] of cases) {
        const expected = new Float64Array(4 * nPaths);
        setRngKernelsEnabled(false);
        fillNormalBlock(seed, path0, nPaths, factor, stepBlock, expected, antithetic);
        setRngKernelsEnabled(true);
        const before = rngKernelCalls();
        const got = new Float64Array(4 * nPaths);
        fillNormalBlock(seed, path0, nPaths, factor, stepBlock, got, antithetic);
        expect(rngKernelCalls()).toBeGreaterThan(before);
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        tails += expected.filter((z) => Math.abs(z) > 1.44).length; // |p − ½| > 0.425: the tails the TypeScript finishes
      }
    } finally {
      setRngKernelsEnabled(true);
    }
    expect(tails).toBeGreaterThan(1000);
  });

  it('philoxBlocks with hoisted round keys equals philox4x32 block by block (incl. the Random123 vectors)', () => {
    const keys = philoxRoundKeys(Uint32Array.from([0xa4093822, 0x299f31d0]));
    const bulk = new Uint32Array(4 * 3);
    philoxBlocks(0x243f6a88, 1, 0x85a308d3, 0x13198a2e, 0x03707344, 3, keys, bulk);
    expect(Array.from(bulk.subarray(0, 4))).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
    const out = new Uint32Array(4);
    for (let i = 0; i < 3; i++) {
      philox4x32(Uint32Array.from([0x243f6a88 + i, 0x85a308d3, 0x13198a2e, 0x03707344]), Uint32Array.from([0xa4093822, 0x299f31d0]), out);
      expect(Array.from(bulk.subarray(4 * i, 4 * i + 4))).toEqual(Array.from(out));
    }
    const ones = new Uint32Array(4);
    philoxBlocks(0xffffffff, 1, 0xffffffff, 0xffffffff, 0xffffffff, 1, philoxRoundKeys(Uint32Array.from([0xffffffff, 0xffffffff])), ones);
    expect(Array.from(ones)).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  });
});
