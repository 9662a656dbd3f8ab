/**
 * `--rng sobol` (issue 4, item 2: "optional Sobol with Brownian bridge"): the Sobol points (src/simulation/rng/sobol.ts)
 * against an independent implementation with Joe and Kuo's whole table, the direction-number rows against the
 * primitive polynomials they must be, the nets' stratification, the Brownian bridge's exactness (an orthogonal map of
 * the normals), and the engine: the same bits whatever the threads or the split of the book. Accuracy against closed
 * forms is in test/exposure-validation.test.ts (2b), shards and merge in test/scale-merge.test.ts.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorNeeds, runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { simulatePaths } from '../src/simulation/crossAsset/simulate.js';
import { auxStreamsOf } from '../src/simulation/crossAsset/stepPlan.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import { BrownianBridge } from '../src/simulation/rng/brownianBridge.js';
import { SOBOL_BITS, SOBOL_DIMENSIONS, sobolCoordinate, sobolDirectionRows, sobolDirections, sobolNext, sobolPoint, sobolShift } from '../src/simulation/rng/sobol.js';
import { JOE_KUO_ROWS } from '../src/simulation/rng/sobolDirections.js';
import type { TimeGrid } from '../src/simulation/types.js';

/** The first 2^m points of coordinates 0 .. dims − 1 (Gray-code order), point-major. */
function points(m: number, dims: number): Uint32Array {
  const n = 2 ** m;
  const out = new Uint32Array(n * dims);
  const x = new Uint32Array(dims);
  sobolPoint(0, dims, x);
  for (let i = 0; i < n; i++) {
    out.set(x, i * dims);
    if (i + 1 < n) sobolNext(i, dims, x);
  }
  return out;
}

/** Whether the polynomial of degree s (≤ 30) with inner coefficient bits a (x^s + … + 1) is primitive over GF(2). */
function primitive(s: number, a: number): boolean {
  const poly = 2 ** s + a * 2 + 1;
  const top = 2 ** s;
  // products of polynomials below degree s, reduced mod poly, in plain numbers (below 2^31)
  const mulMod = (x: number, y: number): number => {
    let r = 0;
    while (y) {
      if (y & 1) r ^= x;
      y >>>= 1;
      x *= 2;
      if (x >= top) x ^= poly;
    }
    return r;
  };
  const powMod = (e: number): number => {
    let r = 1;
    let b = s === 1 ? 2 ^ poly : 2; // x reduced mod the polynomial
    while (e > 0) {
      if (e % 2 === 1) r = mulMod(r, b);
      b = mulMod(b, b);
      e = Math.floor(e / 2);
    }
    return r;
  };
  const order = top - 1;
  if (powMod(order) !== 1) return false;
  let n = order;
  for (let q = 2; q * q <= n; q++) {
    if (n % q !== 0) continue;
    if (powMod(order / q) === 1) return false;
    while (n % q === 0) n /= q;
  }
  return n === 1 || powMod(order / n) !== 1;
}

/** Euler's totient. */
function totient(n: number): number {
  let result = n;
  for (let q = 2; q * q <= n; q++) {
    if (n % q !== 0) continue;
    while (n % q === 0) n /= q;
    result -= result / q;
  }
  return n > 1 ? result - result / n : result;
}

describe('Sobol points (Joe-Kuo direction numbers, Gray-code order)', () => {
  it("the rows are Joe and Kuo's: every primitive polynomial in order (degree, then coefficients), odd m_k < 2^k", () => {
    const rows = sobolDirectionRows();
    expect(rows.length).toBe(21200);
    expect(SOBOL_DIMENSIONS).toBe(21201);
    // the readable table (sobolDirections.ts) is the first 336 rows: every primitive polynomial of degree 1 to 11
    const expected: [number, number][] = [];
    for (let s = 1; s <= 11; s++) for (let a = 0; a < 2 ** (s - 1); a++) if (primitive(s, a)) expected.push([s, a]);
    expect(expected.length).toBe(336);
    expect(JOE_KUO_ROWS.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number).slice(0, 2))).toEqual(expected);
    // all of them: primitive, strictly increasing in (degree, coefficients), and each complete degree s has all
    // φ(2^s − 1)/s of its primitive polynomials (so the rows are exactly the enumeration, as far as they go: degree 18
    // in part)
    const perDegree = new Map<number, number>();
    const problems: string[] = [];
    rows.forEach((r, i) => {
      const prev = rows[i - 1];
      if (prev && !(r.s > prev.s || (r.s === prev.s && r.a > prev.a))) problems.push(`row ${i + 2} out of order`);
      if (!primitive(r.s, r.a)) problems.push(`row ${i + 2}: degree ${r.s}, a ${r.a} not primitive`);
      if (r.m.length !== r.s) problems.push(`row ${i + 2}: ${r.m.length} initial numbers`);
      r.m.forEach((m, k) => {
        if (!(m % 2 === 1 && m < 2 ** (k + 1))) problems.push(`row ${i + 2} m_${k + 1} = ${m}`);
      });
      perDegree.set(r.s, (perDegree.get(r.s) ?? 0) + 1);
    });
    expect(problems).toEqual([]);
    for (let s = 1; s <= 17; s++) expect(perDegree.get(s), `degree ${s}`).toBe(totient(2 ** s - 1) / s);
    expect(perDegree.get(18)).toBe(21200 - [...perDegree].filter(([s]) => s < 18).reduce((a, [, c]) => a + c, 0));
    // van der Corput in coordinate 0: v_k = 2^{32−k}
    const v = sobolDirections();
    for (let k = 0; k < SOBOL_BITS; k++) expect(v[k]).toBe(2 ** (31 - k));
  });

  it("the first 1,024 points in all 21,201 coordinates are SciPy's, word for word", () => {
    // Reference: scipy.stats.qmc.Sobol(d, scramble=False, bits=32).random_base2(10) (SciPy 1.17.1, which reads Joe and
    // Kuo's new-joe-kuo-6.21201) times 2^32: the SHA-256 of its words (little-endian u32, point-major) for d = 337 (the
    // readable table alone) and d = 21,201, and a few words written out.
    const words = points(10, SOBOL_DIMENSIONS);
    expect(createHash('sha256').update(Buffer.from(words.buffer)).digest('hex')).toBe('662ef427b796ddfc713b9769cc3d7122d4f037705f2e9802c9fb17cef18119ad');
    const first337 = new Uint32Array(1024 * 337);
    for (let i = 0; i < 1024; i++) first337.set(words.subarray(i * SOBOL_DIMENSIONS, i * SOBOL_DIMENSIONS + 337), i * 337);
    expect(createHash('sha256').update(Buffer.from(first337.buffer)).digest('hex')).toBe('2fad84a01b73c622c955178cb36b39af40d8e578f3b436bffdfdba015c51b302');
    const coords = [0, 1, 2, 5, 9, 50, 100, 160, 161, 200, 250, 300, 336];
    const scipy: Record<number, number[]> = {
      5: [3758096384, 3758096384, 536870912, 2684354560, 536870912, 2684354560, 536870912, 3758096384, 536870912, 536870912, 2684354560, 536870912, 3758096384],
      100: [1778384896, 1107296256, 3321888768, 3187671040, 2986344448, 3791650816, 167772160, 1174405120, 2583691264, 3657433088, 167772160, 3388997632, 4060086272],
      777: [2973761536, 4022337536, 700448768, 1530920960, 1388314624, 356515840, 3619684352, 12582912, 2076180480, 4257218560, 1371537408, 2646605824, 4240441344],
      1023: [4194304, 3233808384, 2629828608, 1883242496, 3653238784, 1111490560, 1019215872, 3015704576, 281018368, 2831155200, 3703570432, 2629828608, 700448768],
    };
    for (const [i, expected] of Object.entries(scipy)) expect(coords.map((j) => words[Number(i) * SOBOL_DIMENSIONS + j])).toEqual(expected);
    const packed = [337, 338, 1000, 5000, 10000, 15000, 21200];
    const scipyPacked: Record<number, number[]> = {
      3: [1073741824, 3221225472, 3221225472, 1073741824, 3221225472, 3221225472, 1073741824],
      100: [1241513984, 905969664, 2449473536, 2181038080, 2919235584, 3523215360, 2449473536],
      1023: [3418357760, 2554331136, 683671552, 1547698176, 3988783104, 2025848832, 1027604480],
    };
    for (const [i, expected] of Object.entries(scipyPacked)) expect(packed.map((j) => words[Number(i) * SOBOL_DIMENSIONS + j])).toEqual(expected);
    // a coordinate alone from its point's index: the same words
    for (const i of [0, 1, 5, 100, 1023]) for (const j of [0, 336, 337, 21200]) expect(sobolCoordinate(i, j)).toBe(words[i * SOBOL_DIMENSIONS + j]);
  });

  it('a point computed from its index alone equals the Gray-code walk to it (so no path depends on its block)', () => {
    const dims = 400; // the readable table's coordinates and some packed ones
    const walk = points(12, dims);
    const direct = new Uint32Array(dims);
    for (const i of [0, 1, 2, 3, 63, 64, 65, 1000, 2047, 2048, 4095]) {
      sobolPoint(i, dims, direct);
      expect(Array.from(direct)).toEqual(Array.from(walk.subarray(i * dims, (i + 1) * dims)));
    }
  });

  it('every coordinate of the first 2^m points, shifted or not, puts one point in each interval [k/2^m, (k+1)/2^m)', () => {
    const m = 9;
    const n = 2 ** m;
    const words = points(m, SOBOL_DIMENSIONS);
    const shift = sobolShift(42, SOBOL_DIMENSIONS);
    expect(new Set(shift).size).toBeGreaterThan(SOBOL_DIMENSIONS - 2); // Philox words, not a constant
    for (const shifted of [false, true]) {
      for (let j = 0; j < SOBOL_DIMENSIONS; j++) {
        const seen = new Uint8Array(n);
        for (let i = 0; i < n; i++) seen[((words[i * SOBOL_DIMENSIONS + j]! ^ (shifted ? shift[j]! : 0)) >>> 0) >>> (32 - m)] = 1;
        expect(seen.every((s) => s === 1), `coordinate ${j}${shifted ? ', shifted' : ''}`).toBe(true);
      }
    }
  });
});

describe('Brownian bridge', () => {
  /** The matrix A of ξ = A·z (row k: step k), column by column from unit vectors. */
  function bridgeMatrix(times: number[]): Float64Array {
    const n = times.length;
    const bridge = new BrownianBridge(times);
    const a = new Float64Array(n * n);
    const z = new Float64Array(n);
    const xi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      z.fill(0);
      z[i] = 1;
      bridge.transform(z, 0, 1, xi, 0, 1);
      for (let k = 0; k < n; k++) a[k * n + i] = xi[k]!;
    }
    return a;
  }

  it('maps independent normals to independent normals: the matrix of z → ξ is orthogonal (A·Aᵀ = I) on uneven grids', () => {
    // a default-like grid (weekly, monthly, quarterly, close-out days) and sizes 1, 2, 3 and a power of 2 plus one
    const uneven = [7, 14, 21, 30, 40, 61, 91, 122, 183, 190, 273, 365, 372, 730, 1095, 1102, 1826, 3652].map((d) => d / 365);
    for (const times of [uneven, [0.5], [0.25, 1], [0.1, 0.2, 3], Array.from({ length: 17 }, (_, i) => (i + 1) / 12)]) {
      const n = times.length;
      const a = bridgeMatrix(times);
      let worst = 0;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          let dot = 0;
          for (let k = 0; k < n; k++) dot += a[r * n + k]! * a[c * n + k]!;
          worst = Math.max(worst, Math.abs(dot - (r === c ? 1 : 0)));
        }
      }
      expect(worst, `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it('the first normal fixes the end point W(t_n) = √t_n·z_0; the next ones the middle points, level by level', () => {
    const times = Array.from({ length: 8 }, (_, i) => (i + 1) * 0.5);
    const a = bridgeMatrix(times);
    // W(t_n) = Σ_k √Δt_k·ξ_k depends on z_0 alone, with weight √t_n
    for (let i = 0; i < 8; i++) {
      let w = 0;
      for (let k = 0; k < 8; k++) w += Math.sqrt(0.5) * a[k * 8 + i]!;
      expect(w).toBeCloseTo(i === 0 ? Math.sqrt(4) : 0, 13);
    }
    const bridge = new BrownianBridge(times);
    expect(Array.from({ length: 8 }, (_, i) => bridge.builtAt(i))).toEqual([7, 3, 1, 5, 0, 2, 4, 6]);
  });

  it('transformPaths (n paths at once, in place, the rows of one driver among others) gives transform\'s values bit for bit', () => {
    const times = [7, 14, 30, 61, 91, 183, 365, 372, 730, 1826].map((d) => d / 365);
    const bridge = new BrownianBridge(times);
    const n = 5;
    const drivers = 3;
    const stride = drivers * n;
    const z = Float64Array.from({ length: times.length * stride }, (_, i) => Math.sin(1 + i * 0.7) * 1.7);
    const inPlace = z.slice();
    bridge.transformPaths(inPlace, 1 * n, stride, n, new Float64Array(times.length * n)); // driver 1's rows
    for (let p = 0; p < n; p++) {
      const one = new Float64Array(times.length);
      bridge.transform(z, n + p, stride, one, 0, 1);
      for (let k = 0; k < times.length; k++) expect(Object.is(inPlace[k * stride + n + p], one[k])).toBe(true);
    }
    // the other drivers' rows are untouched
    for (let k = 0; k < times.length; k++) for (const at of [0, 2 * n]) for (let p = 0; p < n; p++) expect(inPlace[k * stride + at + p]).toBe(z[k * stride + at + p]);
  });

  it('refuses times that do not increase from 0', () => {
    expect(() => new BrownianBridge([0.5, 0.5])).toThrow(/increasing/);
    expect(() => new BrownianBridge([0])).toThrow(/increasing/);
  });
});

describe('rng sobol in the engine: the same bits whatever the threads or the split of the book', () => {
  const ROOT = path.resolve('.');
  const DEMO = path.join(ROOT, 'fixtures/demo');
  const MARKET_FILE = path.join(DEMO, 'market.yaml');
  let market: Market;
  let book: Portfolio;
  let single: SimulationResult;
  const OPTIONS: SimulationOptions = {
    paths: 150, // not a multiple of the 64-path blocks of draws
    seed: 5,
    grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 6, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 2, unit: 'Y' }, { count: 5, unit: 'Y' }, { count: 10, unit: 'Y' }] },
    threads: 1,
    antithetic: false,
    rng: 'sobol',
    pfeQuantile: 0.95,
    skipUnsupported: false,
  };
  const sameBits = (a: ArrayBufferView, b: ArrayBufferView): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  const expectSameSets = (a: SimulationResult['nettingSets'], b: SimulationResult['nettingSets']): void => {
    expect(a.map((s) => s.nettingSetId)).toEqual(b.map((s) => s.nettingSetId));
    a.forEach((s, i) => {
      for (const key of ['epe', 'ene', 'pfe', 'collateral', 'epeStdError'] as const) expect(sameBits(s.profile[key], b[i]!.profile[key]), `${s.nettingSetId} ${key}`).toBe(true);
      expect(sameBits(s.tradeEpe, b[i]!.tradeEpe)).toBe(true);
    });
  };

  beforeAll(async () => {
    let portfolio: Portfolio;
    ({ market, portfolio } = await loadSimulationInputs(DEMO, MARKET_FILE));
    const ids = new Set(portfolio.nettingSets.slice(0, 14).map((n) => n.nettingSetId));
    book = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => ids.has(n.nettingSetId)), trades: portfolio.trades.filter((t) => ids.has(t.nettingSetId)) };
    single = await runSimulation({ portfolio: book, market, options: OPTIONS });
  }, 120_000);

  it('2 worker threads give the bits of 1 thread, and the draws are not Philox\'s', async () => {
    const two = await runSimulation({ portfolio: book, market, marketFile: MARKET_FILE, options: { ...OPTIONS, threads: 2 } });
    expectSameSets(single.nettingSets, two.nettingSets);
    const philox = await runSimulation({ portfolio: book, market, options: { ...OPTIONS, rng: 'philox' } });
    const k = single.exposureDates.length - 2;
    expect(philox.book.epe[k]).not.toBe(single.book.epe[k]);
    // and the seed picks the digital shift
    const other = await runSimulation({ portfolio: book, market, options: { ...OPTIONS, seed: 6 } });
    expect(other.book.epe[k]).not.toBe(single.book.epe[k]);
  }, 120_000);

  it("two halves of the book, each on its own factors with the whole book's Sobol coordinates, give the whole run's bits", async () => {
    const wholeLayout = buildFactorLayout(market, factorNeeds(book.trades));
    const cps: string[] = [];
    for (const s of single.nettingSets) if (!cps.includes(s.counterpartyId)) cps.push(s.counterpartyId);
    const first = new Set(cps.slice(0, Math.ceil(cps.length / 2)));
    const half = (inFirst: boolean): Portfolio => {
      const ids = new Set(single.nettingSets.filter((s) => first.has(s.counterpartyId) === inFirst).map((s) => s.nettingSetId));
      return { ...book, nettingSets: book.nettingSets.filter((n) => ids.has(n.nettingSetId)), trades: book.trades.filter((t) => ids.has(t.nettingSetId)) };
    };
    const a = await runSimulation({ portfolio: half(true), market, options: { ...OPTIONS, grid: single.grid, sobolLayout: wholeLayout } });
    const b = await runSimulation({ portfolio: half(false), market, marketFile: MARKET_FILE, options: { ...OPTIONS, grid: single.grid, threads: 2, sobolLayout: wholeLayout } });
    // the halves simulate fewer factors than the whole book (so the Sobol coordinates really come from its layout)
    expect(buildFactorLayout(market, factorNeeds(half(true).trades)).factorNames.length).toBeLessThan(wholeLayout.factorNames.length);
    expectSameSets([...a.nettingSets, ...b.nettingSets], single.nettingSets);
  }, 120_000);

  it("a path's draws depend on its index alone: paths 150 .. 299 simulated alone equal those of a 300-path run", () => {
    const layout = buildFactorLayout(market, factorNeeds(book.trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = single.grid as TimeGrid;
    const sobol = { streams: auxStreamsOf(layout) };
    const whole = simulatePaths(model, grid, 5, 0, 300, { sobol });
    const tail = simulatePaths(model, grid, 5, 150, 150, { sobol });
    const d = grid.dates.length - 1;
    for (let c = 0; c < layout.currencies.length; c++) {
      expect(sameBits(whole.irState[c]!.subarray(d * 300 + 150, d * 300 + 300), tail.irState[c]!.subarray(d * 150, d * 150 + 150))).toBe(true);
    }
    expect(sameBits(whole.numeraire.subarray(d * 300 + 150, (d + 1) * 300), tail.numeraire.subarray(d * 150, (d + 1) * 150))).toBe(true);
  });

  it('refuses antithetic pairs and a path simulator that cannot draw Sobol points with a clear message', async () => {
    await expect(runSimulation({ portfolio: book, market, options: { ...OPTIONS, paths: 150, antithetic: true } })).rejects.toThrow(/antithetic paths are for pseudo-random draws/);
    const device = Object.assign(async () => single as never, {});
    await expect(runSimulation({ portfolio: book, market, options: { ...OPTIONS, pathSimulator: device as never } })).rejects.toThrow(/this path simulator draws Philox normals only: rng sobol needs one that draws Sobol points/);
  });
});
