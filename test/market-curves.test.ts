import { describe, it, expect } from 'vitest';
import { buildYieldCurve, bumpCurve, multiplyCurves, zeroRateFromDiscountFactor, type PillarYieldCurve } from '../src/market/curves.js';
import { monotoneConvexShape } from '../src/market/monotoneConvex.js';
import { findPsdViolation, symmetricEigen } from '../src/market/correlation.js';
import { volAt, firstVarianceDecrease } from '../src/market/vol.js';
import type { Interpolation } from '../src/market/types.js';

function curve(times: number[], zeroRates: number[], interpolation: Interpolation): PillarYieldCurve {
  return buildYieldCurve({
    name: 'TEST',
    currency: 'USD',
    times: Float64Array.from(times),
    zeroRates: Float64Array.from(zeroRates),
    interpolation,
  });
}

/** Composite Simpson rule; the monotone convex forward is piecewise quadratic, so the error is at rounding level. */
function simpson(f: (t: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let sum = f(a) + f(b);
  for (let k = 1; k < steps; k++) sum += (k % 2 === 1 ? 4 : 2) * f(a + k * h);
  return (sum * h) / 3;
}

/** Integral of the instantaneous forward from 0 to t, pillar interval by pillar interval (no kink inside a step). */
function integratedForward(c: PillarYieldCurve, t: number): number {
  const knots = [0, ...Array.from(c.pillarTimes).filter((x) => x < t), t];
  let total = 0;
  for (let k = 0; k + 1 < knots.length; k++) total += simpson((s) => c.instantaneousForward(s), knots[k]!, knots[k + 1]!, 4000);
  return total;
}

// A realistic OIS-like curve with a hump, used by several checks.
const TIMES = [1 / 12, 0.25, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30];
const RATES = [0.043, 0.0428, 0.0423, 0.041, 0.0385, 0.0375, 0.037, 0.0372, 0.038, 0.0388, 0.0393, 0.0395];

// The example curve of Hagan & West (2006), terms 0.1..30 years: a deliberately awkward shape (a dip at 4y, a hump
// at 9y) used throughout the paper to compare methods.
const HW_TIMES = [0.1, 1, 4, 9, 20, 30];
const HW_RATES = [0.081, 0.07, 0.044, 0.07, 0.04, 0.03];

describe('yield curves: pillars', () => {
  for (const interpolation of ['logLinear', 'monotoneConvex'] as const) {
    it(`${interpolation}: reproduces every pillar's zero rate and discount factor (1e-14)`, () => {
      // The pillars are the input: the interpolant must pass through them up to rounding of exp/log.
      const c = curve(TIMES, RATES, interpolation);
      TIMES.forEach((t, i) => {
        expect(Math.abs(c.zeroRate(t) - RATES[i]!)).toBeLessThan(1e-14);
        expect(Math.abs(c.discount(t) - Math.exp(-RATES[i]! * t))).toBeLessThan(1e-14);
      });
      expect(c.discount(0)).toBe(1);
      expect(c.discount(-0.5)).toBe(1);
      expect(Array.from(c.pillarTimes)).toEqual(TIMES);
      expect(Array.from(c.pillarZeroRates)).toEqual(RATES);
    });
  }

  it('a discount-factor pillar converts to a zero rate and back', () => {
    const t = 7305 / 365; // 2026-06-30 to 2046-06-29
    const r = zeroRateFromDiscountFactor(0.45, t);
    expect(r).toBeCloseTo(-Math.log(0.45) / t, 15);
    const c = curve([1, t, 30], [0.04, r, 0.041], 'logLinear');
    expect(Math.abs(c.discount(t) - 0.45)).toBeLessThan(1e-15);
  });

  it('rejects malformed pillars from programmatic callers', () => {
    expect(() => curve([], [], 'logLinear')).toThrow(/no pillars/);
    expect(() => curve([1, 1], [0.01, 0.02], 'logLinear')).toThrow(/strictly increasing/);
    expect(() => curve([0, 1], [0.01, 0.02], 'logLinear')).toThrow(/positive/);
    expect(() => curve([1, 2], [0.01, Number.NaN], 'logLinear')).toThrow(/zero rate/);
    expect(() => curve([1, 2], [0.01], 'logLinear')).toThrow(/2 pillar times but 1 zero rates/);
  });
});

describe('yield curves: logLinear', () => {
  const c = curve(TIMES, RATES, 'logLinear');
  const lnP = (t: number): number => -RATES[TIMES.indexOf(t)]! * t;

  it('forwards are piecewise constant and equal to (lnP(t_i) - lnP(t_i+1)) / (t_i+1 - t_i)', () => {
    for (let i = 0; i + 1 < TIMES.length; i++) {
      const [t0, t1] = [TIMES[i]!, TIMES[i + 1]!];
      const expected = (lnP(t0) - lnP(t1)) / (t1 - t0);
      for (const w of [0.01, 0.3, 0.77, 0.99]) {
        expect(Math.abs(c.instantaneousForward(t0 + w * (t1 - t0)) - expected)).toBeLessThan(1e-14);
      }
      // Second method: the simple forward over a sub-period inside the interval, (P1/P2 - 1)/tau = (e^{f tau} - 1)/tau.
      const a = t0 + 0.2 * (t1 - t0);
      const b = t0 + 0.6 * (t1 - t0);
      expect(Math.abs(c.forwardRate(a, b, b - a) - Math.expm1(expected * (b - a)) / (b - a))).toBeLessThan(1e-12);
    }
  });

  it('before the first pillar: flat zero rate (= flat forward from 0); after the last: flat forward', () => {
    const r1 = RATES[0]!;
    for (const t of [1e-6, 0.01, 0.05]) expect(Math.abs(c.zeroRate(t) - r1)).toBeLessThan(1e-14);
    expect(c.zeroRate(0)).toBe(r1);
    const [t29, t30] = [TIMES[10]!, TIMES[11]!];
    const lastForward = (lnP(t29) - lnP(t30)) / (t30 - t29);
    for (const t of [31, 40, 60]) {
      expect(Math.abs(c.instantaneousForward(t) - lastForward)).toBeLessThan(1e-15);
      expect(Math.abs(c.discount(t) - Math.exp(lnP(t30) - lastForward * (t - t30)))).toBeLessThan(1e-15);
    }
  });
});

describe('yield curves: monotone convex (Hagan & West 2006)', () => {
  it('the instantaneous forward integrates back to the pillar discount factors (1e-10)', () => {
    for (const [times, rates] of [
      [TIMES, RATES],
      [HW_TIMES, HW_RATES],
    ] as const) {
      const c = curve([...times], [...rates], 'monotoneConvex');
      times.forEach((t, i) => {
        expect(Math.abs(integratedForward(c, t) - rates[i]! * t)).toBeLessThan(1e-10);
      });
      // Between pillars too: -ln P(t) is the integral of the forward (the curve is one object, not two).
      for (const t of [0.05, 2.5, 12.3, 25]) expect(Math.abs(integratedForward(c, t) + Math.log(c.discount(t)))).toBeLessThan(1e-10);
    }
  });

  it('the forward is continuous at every pillar and after the last', () => {
    for (const [times, rates] of [
      [TIMES, RATES],
      [HW_TIMES, HW_RATES],
    ] as const) {
      const c = curve([...times], [...rates], 'monotoneConvex');
      for (const t of times) {
        // The slope of f is bounded by a few |g|/h ~ 1 per year: a 1e-9 step moves f by < 1e-8.
        expect(Math.abs(c.instantaneousForward(t - 1e-9) - c.instantaneousForward(t + 1e-9))).toBeLessThan(1e-7);
      }
      const last = times[times.length - 1]!;
      expect(c.instantaneousForward(last + 10)).toBe(c.instantaneousForward(last + 1));
    }
  });

  it('positive inputs give positive forwards, also where the positivity collar binds', () => {
    // Discrete forwards with sharp spikes and dips, so that the collar f_i in [0, 2 min(fd_i, fd_i+1)] is needed
    // (cases of the FinanceModels.jl test suite); plus the Hagan-West example curve.
    const times = [1, 2, 3, 4];
    const spiky = [
      [0.001, 0.2, 0.05, 0.04],
      [0.1, 0.001, 0.1, 0.002],
      [0.05, 0.001, 0.15, 0.001],
      [0.2, 0.02, 0.001, 0.1],
    ];
    const cases: [number[], number[]][] = spiky.map((fd) => {
      let acc = 0;
      return [times, fd.map((f, i) => (acc += f) / times[i]!)];
    });
    cases.push([HW_TIMES, HW_RATES]);
    for (const [ts, rs] of cases) {
      const c = curve(ts, rs, 'monotoneConvex');
      const end = ts[ts.length - 1]! + 5;
      let minForward = Number.POSITIVE_INFINITY;
      for (let k = 0; k <= 20000; k++) minForward = Math.min(minForward, c.instantaneousForward((end * k) / 20000));
      expect(minForward).toBeGreaterThanOrEqual(0);
      ts.forEach((t, i) => expect(Math.abs(c.zeroRate(t) - rs[i]!)).toBeLessThan(1e-14));
    }
  });

  it('TF Quant Finance reference values (monotone_convex_test.py), to their rtol 1e-5', () => {
    // tf_quant_finance/rates/hagan_west/monotone_convex_test.py: test_interpolated_yields_with_yields.
    const yields = curve([1, 2, 3, 4], [0.05, 0.0475, 0.04533333, 0.04775], 'monotoneConvex');
    const at = [0.25, 0.5, 1.0, 2.0, 3.0, 1.1, 2.5, 2.9, 3.6, 4.0];
    const expected = [5.1171875, 5.09375, 5.0, 4.75, 4.533333, 4.9746, 4.624082, 4.535422, 4.661777, 4.775];
    at.forEach((t, i) => expect(Math.abs(yields.zeroRate(t) * 100 - expected[i]!) / expected[i]!).toBeLessThan(1e-5));
    // test_interpolated_forwards_with_yields: instantaneous forwards.
    const forwards = curve([1, 2, 3, 4, 5], [0.0275, 0.04, 0.0475, 0.05, 0.0475], 'monotoneConvex');
    const fAt = [0.3, 1.3, 2.1, 4.5];
    const fExpected = [0.0229375, 0.05010625, 0.0609, 0.03625];
    fAt.forEach((t, i) => expect(Math.abs(forwards.instantaneousForward(t) - fExpected[i]!) / fExpected[i]!).toBeLessThan(1e-5));
  });

  it('Dehlbom (2020), "Interpolation of the yield curve", Uppsala: worked example to its 4 decimals', () => {
    // Zero-coupon prices 0.98, 0.955, 0.92, 0.88, 0.83 at 1..5 years; the thesis tabulates the discrete forwards, the
    // node forwards and the zero-rate function piece by piece with coefficients rounded to 4 decimals (so 1e-4).
    const prices = [0.98, 0.955, 0.92, 0.88, 0.83];
    const times = [1, 2, 3, 4, 5];
    const c = curve(times, prices.map((p, i) => -Math.log(p) / times[i]!), 'monotoneConvex');
    const shape = monotoneConvexShape(Float64Array.from(times), Float64Array.from(prices, (p) => -Math.log(p)));
    const fd = [0.0202, 0.0258, 0.0373, 0.0445, 0.0585];
    const f = [0.0188, 0.023, 0.0316, 0.0409, 0.0515, 0.062];
    fd.forEach((x, i) => expect(Math.abs(shape.discreteForwards[i]! - x)).toBeLessThan(1e-4));
    f.forEach((x, i) => expect(Math.abs(shape.nodeForwards[i]! - x)).toBeLessThan(1e-4));
    f.forEach((x, i) => expect(Math.abs(c.instantaneousForward(i) - x)).toBeLessThan(1e-4));
    const r = (t: number): number => {
      if (t <= 1) return 0.0014 * t * t + 0.0188;
      if (t <= 1.0233) return -0.0028 / t + 0.023;
      if (t <= 2) return 0.0029 * t * t - 0.0088 * t - 0.0058 / t + 0.0319;
      if (t <= 3) return -0.0022 * t * t + 0.0212 * t + 0.0324 / t - 0.0268;
      if (t <= 4) return 0.0031 * t * t - 0.0274 * t - 0.1188 / t + 0.1217;
      return -0.0035 * t * t + 0.0525 * t + 0.314 / t - 0.2005;
    };
    for (let k = 1; k <= 50; k++) expect(Math.abs(c.zeroRate(k / 10) - r(k / 10))).toBeLessThan(1e-4);
    times.forEach((t, i) => expect(Math.abs(c.discount(t) - prices[i]!)).toBeLessThan(1e-15));
  });

  it('equal adjacent discrete forwards: the method degenerates to a step at the node, pillars still exact', () => {
    // fd = 3%, 3.5%, 3.5%, 4%: at the node t=2 f = 3.5% = fd_2 (g1 = 0 on (1,2]), and a monotone g with g(0) != 0,
    // g(1) = 0 and zero integral is only possible as a step (Hagan & West's region (iv) with eta -> 0). Discount
    // factors stay exact and continuous; only the forward steps.
    const fd = [0.03, 0.035, 0.035, 0.04];
    let acc = 0;
    const rates = fd.map((f, i) => (acc += f) / (i + 1));
    const c = curve([1, 2, 3, 4], rates, 'monotoneConvex');
    [1, 2, 3, 4].forEach((t, i) => {
      expect(Math.abs(c.zeroRate(t) - rates[i]!)).toBeLessThan(1e-15);
      expect(Math.abs(c.discount(t - 1e-9) - c.discount(t))).toBeLessThan(1e-10);
    });
    // On (1, 3) the forward is the discrete forward 3.5% (g = 0 but at the step), so -ln P grows linearly there:
    // -ln P(t) = 0.03 + 0.035 (t - 1).
    for (const t of [1.5, 2.2, 2.5, 2.9]) {
      expect(Math.abs(c.instantaneousForward(t) - 0.035)).toBeLessThan(1e-15);
      expect(Math.abs(c.discount(t) - Math.exp(-(0.03 + 0.035 * (t - 1))))).toBeLessThan(1e-15);
    }
  });

  it('a flat curve stays flat; negative rates keep their shape (no collar without positive neighbours)', () => {
    const flat = curve([0.3, 1, 1.43, 3.7, 9.2, 12.48], [0.08, 0.08, 0.08, 0.08, 0.08, 0.08], 'monotoneConvex');
    for (const t of [0.1, 0.45, 1.1, 1.22, 1.8, 3.8, 7.45, 9.6, 12, 20]) {
      expect(Math.abs(flat.zeroRate(t) - 0.08)).toBeLessThan(1e-15);
      expect(Math.abs(flat.instantaneousForward(t) - 0.08)).toBeLessThan(1e-15);
    }
    const negative = curve([1, 2, 3, 5], [-0.005, -0.003, 0.001, 0.004], 'monotoneConvex');
    [1, 2, 3, 5].forEach((t, i) => expect(Math.abs(negative.zeroRate(t) - [-0.005, -0.003, 0.001, 0.004][i]!)).toBeLessThan(1e-15));
    expect(negative.discount(1)).toBeGreaterThan(1);
    // Hagan-West node estimate at t=0 with fd_1 = -0.005, fd_2 = -0.001: f_1 = -0.003, f_0 = -0.005 - 0.5(-0.003 + 0.005).
    expect(negative.instantaneousForward(0)).toBeCloseTo(-0.006, 15);
    for (let k = 0; k <= 600; k++) expect(Number.isFinite(negative.instantaneousForward(k / 100))).toBe(true);
  });
});

describe('bumped and combined curves', () => {
  const base = curve(TIMES, RATES, 'monotoneConvex');

  it('a parallel bump adds bump/1e4 to every zero rate', () => {
    const bumped = bumpCurve(base, 1);
    for (const t of [0.01, 0.5, 3.3, 12, 45]) {
      expect(Math.abs(bumped.zeroRate(t) - base.zeroRate(t) - 1e-4)).toBeLessThan(1e-15);
      expect(Math.abs(bumped.discount(t) / base.discount(t) - Math.exp(-1e-4 * t))).toBeLessThan(1e-14);
    }
    Array.from(bumped.pillarZeroRates).forEach((z, i) => expect(Math.abs(z - RATES[i]! - 1e-4)).toBeLessThan(1e-16));
    expect(bumped.name).toBe(base.name);
    expect(bumped.currency).toBe('USD');
  });

  it('a bump by a function of t moves each point by its own amount (a bucket triangle around 5y)', () => {
    const triangle = (t: number): number => Math.max(0, 1 - Math.abs(t - 5) / 2) * 10; // 10bp at 5y, 0 outside (3, 7)
    const bumped = bumpCurve(base, triangle);
    for (const [t, bp] of [
      [5, 10],
      [4, 5],
      [6.5, 2.5],
      [2, 0],
      [10, 0],
    ] as const) {
      expect(Math.abs(bumped.zeroRate(t) - base.zeroRate(t) - bp / 1e4)).toBeLessThan(1e-15);
      expect(Math.abs(bumped.discount(t) - base.discount(t) * Math.exp((-bp / 1e4) * t))).toBeLessThan(1e-15);
    }
    // Forward over a period: (P1/P2 - 1)/tau on the bumped discount factors.
    const [t1, t2] = [4.5, 5];
    const expected = ((base.discount(t1) * Math.exp(-triangle(t1) * 1e-4 * t1)) / (base.discount(t2) * Math.exp(-triangle(t2) * 1e-4 * t2)) - 1) / 0.5;
    expect(Math.abs(bumped.forwardRate(t1, t2, 0.5) - expected)).toBeLessThan(1e-14);
  });

  it('a product curve adds zero rates and multiplies discount factors', () => {
    const spread = curve([5, 30], [-0.0012, -0.0008], 'logLinear');
    const csa = multiplyCurves('USD-CSA', base, spread);
    for (const t of [0.5, 5, 12, 30, 40]) {
      expect(Math.abs(csa.discount(t) - base.discount(t) * spread.discount(t))).toBeLessThan(1e-16);
      expect(Math.abs(csa.zeroRate(t) - base.zeroRate(t) - spread.zeroRate(t))).toBeLessThan(1e-16);
    }
    expect(Array.from(csa.pillarTimes)).toEqual([...TIMES.slice(0, 7), 7, 10, 15, 20, 30].filter((v, i, a) => a.indexOf(v) === i));
  });

  it('forwardRate rejects a non-positive accrual', () => {
    expect(() => base.forwardRate(1, 2, 0)).toThrow(/accrual fraction/);
  });
});

describe('volatility term structures (total variance)', () => {
  it('interpolates linearly in sigma^2 t, flat outside the pillars', () => {
    const times = Float64Array.of(1, 5);
    const vols = Float64Array.of(0.17, 0.19);
    const w = (t: number): number => 0.17 ** 2 + ((0.19 ** 2 * 5 - 0.17 ** 2) * (t - 1)) / 4;
    for (const t of [1.5, 3, 4.9]) expect(Math.abs(volAt(times, vols, t) - Math.sqrt(w(t) / t))).toBeLessThan(1e-15);
    expect(volAt(times, vols, 0.25)).toBe(0.17);
    expect(volAt(times, vols, 10)).toBe(0.19);
    expect(volAt(Float64Array.of(0), Float64Array.of(0.2), 7)).toBe(0.2);
    expect(firstVarianceDecrease(Float64Array.of(1, 2), Float64Array.of(0.2, 0.1))).toBe(1); // 0.01*2 < 0.04*1
    expect(firstVarianceDecrease(times, vols)).toBe(-1);
  });
});

describe('correlation matrices (Jacobi eigenvalues)', () => {
  it('equicorrelation matrix: eigenvalues 1 + (n-1) rho once and 1 - rho n-1 times (closed form)', () => {
    const n = 6;
    const rho = 0.35;
    const m = new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? 1 : rho));
    const { values, vectors } = symmetricEigen(m, n);
    for (let i = 0; i < n - 1; i++) expect(Math.abs(values[i]! - (1 - rho))).toBeLessThan(1e-14);
    expect(Math.abs(values[n - 1]! - (1 + (n - 1) * rho))).toBeLessThan(1e-14);
    // A v = lambda v for every pair (second check, independent of the closed form).
    for (let c = 0; c < n; c++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += m[i * n + k]! * vectors[k * n + c]!;
        expect(Math.abs(av - values[c]! * vectors[i * n + c]!)).toBeLessThan(1e-13);
      }
    }
  });

  it('2x2: eigenvalues 1 +- rho; names no violation for a valid matrix', () => {
    const { values } = symmetricEigen(Float64Array.of(1, -0.8, -0.8, 1), 2);
    expect(values[0]).toBeCloseTo(0.2, 15);
    expect(values[1]).toBeCloseTo(1.8, 15);
    expect(findPsdViolation(['A', 'B'], Float64Array.of(1, -0.8, -0.8, 1))).toBeUndefined();
  });

  it('names the 3 inconsistent factors of a 5x5 matrix and the eigenvalue of their block', () => {
    // A and B strongly positive, B and C strongly positive, A and C strongly negative: impossible together.
    // The 3x3 block [[1,.9,-.9],[.9,1,.9],[-.9,.9,1]] has eigenvalues 1.9, 1.9 and 1 - 1.8 = -0.8... check: for
    // J = [[0,a,-a],[a,0,a],[-a,a,0]] the eigenvalues are a, a, -2a, so the block's smallest is 1 - 2(0.9) = -0.8.
    const f = ['IR:USD', 'A', 'B', 'IR:EUR', 'C'];
    const m = Float64Array.from([
      [1, 0, 0, 0, 0],
      [0, 1, 0.9, 0, -0.9],
      [0, 0.9, 1, 0, 0.9],
      [0, 0, 0, 1, 0],
      [0, -0.9, 0.9, 0, 1],
    ].flat());
    const v = findPsdViolation(f, m)!;
    expect(v.reason).toBe('block');
    expect(v.factors).toEqual(['A', 'B', 'C']);
    expect(v.blockEigenvalue).toBeCloseTo(-0.8, 13);
    expect(v.minEigenvalue).toBeCloseTo(-0.8, 13);
  });
});
