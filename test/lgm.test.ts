import { describe, it, expect } from 'vitest';
import type { HullWhiteParams, SwaptionVolSurface } from '../src/market/types.js';
import { XvaInputError } from '../src/errors.js';
import { inverseNormalCdf } from '../src/simulation/rng/normal.js';
import { normCdf } from '../src/pricing/black.js';
import {
  calibrateLgmBootstrap,
  dateColumn,
  forwardSwapRate,
  lgmDeflatedZeroBonds,
  lgmH,
  lgmModel,
  lgmNumeraires,
  lgmSimulateStates,
  lgmSwaption,
  lgmZeroBondOption,
  lgmZeroBonds,
  lgmZeta,
  receiverSwapBonds,
  swapAnnuity,
  swapSchedule,
  type LgmModel,
  type ZeroBondPortfolio,
} from '../src/simulation/models/lgm/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Independent numerical references: Gauss quadrature rules built here from the three-term recurrences of their
// orthogonal polynomials (Golub & Welsch 1969): nodes = eigenvalues of the Jacobi matrix, found by Sturm-sequence
// bisection; weights by the Christoffel formula w = 1 / Σ p_k(x)² with orthonormal p_k.
// ---------------------------------------------------------------------------------------------------------------
function gaussRule(n: number, offDiagonal: (k: number) => number, totalMass: number): { nodes: Float64Array; weights: Float64Array } {
  const b = new Float64Array(n);
  let radius = 0;
  for (let k = 1; k < n; k++) {
    b[k] = offDiagonal(k);
    radius = Math.max(radius, 2 * b[k]!);
  }
  radius += 1;
  const countBelow = (lambda: number): number => {
    let count = 0;
    let d = -lambda;
    if (d < 0) count++;
    for (let k = 1; k < n; k++) {
      d = -lambda - (b[k]! * b[k]!) / (d === 0 ? 1e-300 : d);
      if (d < 0) count++;
    }
    return count;
  };
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let lo = -radius;
    let hi = radius;
    for (let it = 0; it < 200 && hi - lo > 0; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi) break;
      if (countBelow(mid) > j) hi = mid;
      else lo = mid;
    }
    const x = 0.5 * (lo + hi);
    let pPrev = 0;
    let p = 1 / Math.sqrt(totalMass);
    let sum = p * p;
    for (let k = 1; k < n; k++) {
      const pNext = (x * p - (k > 1 ? b[k - 1]! : 0) * pPrev) / b[k]!;
      pPrev = p;
      p = pNext;
      sum += p * p;
    }
    nodes[j] = x;
    weights[j] = 1 / sum;
  }
  return { nodes, weights };
}
/** Probabilists' Gauss-Hermite: ∫ f(y) φ(y) dy ≈ Σ wᵢ f(yᵢ). */
const HERMITE = gaussRule(64, (k) => Math.sqrt(k), 1);
/** Gauss-Legendre on [−1, 1]. */
const LEGENDRE = gaussRule(20, (k) => k / Math.sqrt(4 * k * k - 1), 2);

/** Composite 20-point Gauss-Legendre of f over [a, b] with `panels` panels. */
function integrate(f: (x: number) => number, a: number, b: number, panels = 40): number {
  let total = 0;
  const width = (b - a) / panels;
  for (let m = 0; m < panels; m++) {
    const centre = a + (m + 0.5) * width;
    for (let i = 0; i < LEGENDRE.nodes.length; i++) total += LEGENDRE.weights[i]! * f(centre + 0.5 * width * LEGENDRE.nodes[i]!);
  }
  return 0.5 * width * total;
}

/** Bisection to machine precision on a sign change of f in [a, b]. */
function bisect(f: (x: number) => number, a: number, b: number): number {
  let fa = f(a);
  for (let it = 0; it < 200; it++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    const fm = f(m);
    if (Math.sign(fm) === Math.sign(fa)) {
      a = m;
      fa = fm;
    } else b = m;
  }
  return 0.5 * (a + b);
}

const flatCurve = (rate: number) => ({ discount: (t: number) => Math.exp(-rate * t) });
/** A curve with some shape: zero rate 1% rising to 3% (smooth), P(0,t) = exp(−r(t)·t). */
const shapedCurve = { discount: (t: number) => Math.exp(-(0.01 + 0.02 * (1 - Math.exp(-t / 5))) * t) };

function hwParams(kappa: number, times: number[], sigmas: number[]): HullWhiteParams {
  return { currency: 'EUR', meanReversion: kappa, sigmaTimes: Float64Array.from(times), sigmas: Float64Array.from(sigmas), source: 'given' };
}

const STEPPED = hwParams(0.03, [1, 3, 7, 15], [0.009, 0.011, 0.0075, 0.0105]);

describe('LGM H and ζ (exact piecewise closed forms)', () => {
  it('H(t) equals ∫₀ᵗ e^{−κs} ds by Gauss-Legendre quadrature (1e-14 relative), κ → 0 gives t', () => {
    for (const kappa of [0.03, -0.02, 0.5, 1e-9]) {
      for (const t of [0.25, 1, 7.5, 30]) {
        const reference = integrate((s) => Math.exp(-kappa * s), 0, t, 8);
        expect(Math.abs(lgmH(kappa, t) - reference)).toBeLessThan(1e-14 * reference);
      }
    }
    expect(lgmH(0, 12.5)).toBe(12.5);
    // H(t) = t − κt²/2 + O(κ²): at κ = 1e-12 the difference from t is 1e-12·t²/2.
    expect(Math.abs(lgmH(1e-12, 10) - (10 - 0.5e-12 * 100))).toBeLessThan(1e-14);
  });

  it('ζ(t) equals ∫₀ᵗ σ(s)²e^{2κs} ds by quadrature over each σ step (1e-13 relative), flat beyond the last step', () => {
    const sigmaAt = (s: number): number => {
      for (let i = 0; i < STEPPED.sigmaTimes.length; i++) if (s <= STEPPED.sigmaTimes[i]!) return STEPPED.sigmas[i]!;
      return STEPPED.sigmas[STEPPED.sigmas.length - 1]!;
    };
    const cuts = [0, 1, 3, 7, 15];
    for (const t of [0.5, 1, 2.2, 7, 11, 15, 25]) {
      let reference = 0;
      for (let k = 0; k < cuts.length; k++) {
        const a = cuts[k]!;
        const b = Math.min(k + 1 < cuts.length ? cuts[k + 1]! : t, t);
        if (b > a) reference += integrate((s) => sigmaAt(0.5 * (a + b)) ** 2 * Math.exp(2 * 0.03 * s), a, b, 4);
      }
      expect(Math.abs(lgmZeta(STEPPED, t) - reference)).toBeLessThan(1e-13 * reference);
    }
    expect(lgmZeta(STEPPED, 0)).toBe(0);
    // κ = 0: ζ = Σ σ²Δt exactly.
    const noReversion = hwParams(0, [1, 3], [0.01, 0.02]);
    expect(lgmZeta(noReversion, 5)).toBeCloseTo(0.01 ** 2 * 1 + 0.02 ** 2 * 4, 17);
  });
});

describe('LGM martingale property under the LGM measure', () => {
  const model = lgmModel(STEPPED, shapedCurve);

  it('E[P(t,T,x)/N(t,x)] = P(0,T) by 64-node Gauss-Hermite over x ~ N(0, ζ(t)) (1e-12 relative)', () => {
    const nodes = HERMITE.nodes.length;
    const x = new Float64Array(nodes);
    const bonds = new Float64Array(nodes);
    const numeraires = new Float64Array(nodes);
    for (const t of [0.5, 5, 12]) {
      const sd = Math.sqrt(model.zeta(t));
      for (let k = 0; k < nodes; k++) x[k] = sd * HERMITE.nodes[k]!;
      lgmNumeraires(model, t, x, numeraires);
      // E[1/N(t)] = P(0, t): the numeraire itself is consistent with today's curve.
      let inverse = 0;
      for (let k = 0; k < nodes; k++) inverse += HERMITE.weights[k]! / numeraires[k]!;
      expect(Math.abs(inverse / shapedCurve.discount(t) - 1)).toBeLessThan(1e-12);
      for (const maturity of [t, t + 0.5, t + 10, 40]) {
        lgmZeroBonds(model, t, maturity, x, bonds);
        let expectation = 0;
        for (let k = 0; k < nodes; k++) expectation += (HERMITE.weights[k]! * bonds[k]!) / numeraires[k]!;
        expect(Math.abs(expectation / shapedCurve.discount(maturity) - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it('E[P(t,T,x)/N(t,x)] = P(0,T) by Monte Carlo with Philox normals, 20k paths, within 3 standard errors', () => {
    const times = Float64Array.from([0.5, 1, 2, 5, 10]);
    const nPaths = 20_000;
    const states = new Float64Array(nPaths * times.length);
    // 15 checks share these paths, each at 3 standard errors (about 1 in 25 fixed seeds fails by chance). Seed 424242
    // gave z = 3.51 once the RNG moved to four normals per Philox block; seeds 1..7 gave worst |z| 0.73..2.74 (no
    // bias), so the seed is a fixed draw, not a tuned one.
    lgmSimulateStates(STEPPED, times, 7, 0, nPaths, 0, states);
    const deflated = new Float64Array(nPaths);
    const bonds = new Float64Array(nPaths);
    const numeraires = new Float64Array(nPaths);
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      const column = dateColumn(states, times.length, i);
      // Variance of the simulated state equals ζ(t) (exact scheme): within 4 SE of the sample variance.
      let sumSq = 0;
      for (let p = 0; p < nPaths; p++) sumSq += states[p * times.length + i]! ** 2;
      expect(Math.abs(sumSq / nPaths / model.zeta(t) - 1)).toBeLessThan(4 * Math.sqrt(2 / nPaths));
      for (const maturity of [t + 1, 20, 30]) {
        lgmDeflatedZeroBonds(model, t, maturity, column, deflated, nPaths);
        lgmZeroBonds(model, t, maturity, column, bonds, nPaths);
        lgmNumeraires(model, t, column, numeraires, nPaths);
        let sum = 0;
        let sumSquares = 0;
        let worstKernelGap = 0;
        for (let p = 0; p < nPaths; p++) {
          worstKernelGap = Math.max(worstKernelGap, Math.abs(deflated[p]! / (bonds[p]! / numeraires[p]!) - 1));
          sum += deflated[p]!;
          sumSquares += deflated[p]! ** 2;
        }
        // The deflated-bond kernel is the bond kernel over the numeraire kernel: the same algebra, so equal up to
        // the rounding of three exp calls and a division (a few ulps, 1e-14 relative).
        expect(worstKernelGap).toBeLessThan(1e-14);
        const mean = sum / nPaths;
        const standardError = Math.sqrt((sumSquares / nPaths - mean * mean) / (nPaths - 1));
        expect(Math.abs(mean - shapedCurve.discount(maturity))).toBeLessThan(3 * standardError);
      }
    }
  });

  it('simulated states do not depend on the shard split (paths 0..999 vs 0..499 + 500..999, bit for bit)', () => {
    const times = Float64Array.from([1, 2, 3]);
    const whole = new Float64Array(1000 * 3);
    const first = new Float64Array(500 * 3);
    const second = new Float64Array(500 * 3);
    lgmSimulateStates(STEPPED, times, 9, 0, 1000, 2, whole, true);
    lgmSimulateStates(STEPPED, times, 9, 0, 500, 2, first, true);
    lgmSimulateStates(STEPPED, times, 9, 500, 500, 2, second, true);
    expect(Array.from(first)).toEqual(Array.from(whole.subarray(0, 1500)));
    expect(Array.from(second)).toEqual(Array.from(whole.subarray(1500)));
    // Antithetic pairs: path 2k+1 is the mirror of path 2k.
    for (let k = 0; k < 3; k++) expect(whole[3 + k]).toBe(-whole[k]!);
  });
});

/** ∫ f(x) φ(x; 0, ζ) dx with the payoff kink(s) at `kinks` as panel boundaries, over ±14 standard deviations. */
function expectationWithKinks(f: (x: number) => number, zeta: number, kinks: number[]): number {
  const sd = Math.sqrt(zeta);
  const cuts = [-14 * sd, ...kinks.filter((k) => Math.abs(k) < 14 * sd).sort((a, b) => a - b), 14 * sd];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    total += integrate((x) => (f(x) * Math.exp((-0.5 * x * x) / zeta)) / Math.sqrt(2 * Math.PI * zeta), cuts[i]!, cuts[i + 1]!, 80);
  }
  return total;
}

describe('LGM zero-bond option closed form', () => {
  const model = lgmModel(STEPPED, shapedCurve);
  it('matches Gauss-Legendre integration of the deflated payoff over x, split at the exercise boundary (1e-9 relative)', () => {
    const one = new Float64Array(1);
    const bondAt = (t: number, maturity: number, x: number): number => {
      lgmZeroBonds(model, t, maturity, Float64Array.of(x), one);
      return one[0]!;
    };
    const numeraireAt = (t: number, x: number): number => {
      lgmNumeraires(model, t, Float64Array.of(x), one);
      return one[0]!;
    };
    for (const [expiry, maturity] of [
      [1, 5],
      [5, 6],
      [10, 30],
    ] as const) {
      const forwardBond = shapedCurve.discount(maturity) / shapedCurve.discount(expiry);
      for (const moneyness of [0.9, 1, 1.08]) {
        const strike = forwardBond * moneyness;
        const zeta = model.zeta(expiry);
        const sd = Math.sqrt(zeta);
        const boundary = bisect((x) => bondAt(expiry, maturity, x) - strike, -14 * sd, 14 * sd);
        for (const type of ['call', 'put'] as const) {
          const sign = type === 'call' ? 1 : -1;
          const reference = expectationWithKinks(
            (x) => Math.max(sign * (bondAt(expiry, maturity, x) - strike), 0) / numeraireAt(expiry, x),
            zeta,
            [boundary],
          );
          const price = lgmZeroBondOption(model, expiry, maturity, strike, type);
          expect(Math.abs(price / reference - 1)).toBeLessThan(1e-9);
        }
        // Put-call parity on the forward bond: C − P = P(0,T) − K·P(0,t_e), exact.
        const parity = lgmZeroBondOption(model, expiry, maturity, strike, 'call') - lgmZeroBondOption(model, expiry, maturity, strike, 'put');
        expect(Math.abs(parity - (shapedCurve.discount(maturity) - strike * shapedCurve.discount(expiry)))).toBeLessThan(1e-16);
      }
    }
  });
});

/** Direct reference price of an option on a zero-bond portfolio: V(x) from the zero-bond kernel, roots by scan + bisection. */
function swaptionByIntegration(model: LgmModel, expiry: number, bonds: ZeroBondPortfolio, sign: number): number {
  const one = new Float64Array(1);
  const value = (x: number): number => {
    let v = 0;
    for (let i = 0; i < bonds.times.length; i++) {
      lgmZeroBonds(model, expiry, bonds.times[i]!, Float64Array.of(x), one);
      v += bonds.amounts[i]! * one[0]!;
    }
    return v;
  };
  const numeraire = (x: number): number => {
    lgmNumeraires(model, expiry, Float64Array.of(x), one);
    return one[0]!;
  };
  const zeta = model.zeta(expiry);
  const sd = Math.sqrt(zeta);
  const kinks: number[] = [];
  const step = sd / 50;
  for (let x = -14 * sd; x < 14 * sd; x += step) {
    if (Math.sign(value(x)) !== Math.sign(value(x + step))) kinks.push(bisect(value, x, x + step));
  }
  return expectationWithKinks((x) => Math.max(sign * value(x), 0) / numeraire(x), zeta, kinks);
}

describe('LGM European swaption (Jamshidian in LGM terms)', () => {
  const model = lgmModel(STEPPED, shapedCurve);
  const projection = { discount: (t: number) => shapedCurve.discount(t) * Math.exp(-0.0025 * t) }; // +25bp basis

  it('matches direct numerical integration over x (1e-8 relative), single and dual curve, payer and receiver', () => {
    for (const [expiry, tenor] of [
      [1, 10],
      [5, 5],
      [10, 20],
      [2, 0.5],
    ] as const) {
      for (const proj of [undefined, projection]) {
        const schedule = swapSchedule(expiry, tenor, 1, 2);
        const atm = forwardSwapRate(shapedCurve, schedule, proj);
        for (const strike of [atm - 0.01, atm, atm + 0.015]) {
          const bonds = receiverSwapBonds(shapedCurve, schedule, strike, proj);
          for (const type of ['payer', 'receiver'] as const) {
            const price = lgmSwaption(model, expiry, bonds, type);
            const reference = swaptionByIntegration(model, expiry, bonds, type === 'receiver' ? 1 : -1);
            expect(Math.abs(price / reference - 1)).toBeLessThan(1e-8);
          }
          // Parity: receiver − payer = value of the receiver swap today = Σ cᵢP(0,Tᵢ) = (K − F)·annuity.
          const parity = lgmSwaption(model, expiry, bonds, 'receiver') - lgmSwaption(model, expiry, bonds, 'payer');
          // Exact algebraically; 1e-14 absolute (per unit notional) allows the rounding of ~60 terms of size ~1.
          expect(Math.abs(parity - (strike - atm) * swapAnnuity(shapedCurve, schedule))).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('equals Jamshidian’s sum of zero-bond calls with strikes P(t_e, Tᵢ, x*) (single curve, 1e-12 relative)', () => {
    const expiry = 3;
    const schedule = swapSchedule(expiry, 7, 1, 2);
    const strike = 0.028;
    const bonds = receiverSwapBonds(shapedCurve, schedule, strike);
    // Coupon bond: −1 at T₀ = expiry, K·τ at each fixed date, +1 at maturity; exercise when V(x) > 0.
    const one = new Float64Array(1);
    const bond = (maturity: number, x: number): number => {
      lgmZeroBonds(model, expiry, maturity, Float64Array.of(x), one);
      return one[0]!;
    };
    const value = (x: number): number => bonds.times.reduce((v, t, i) => v + bonds.amounts[i]! * bond(t, x), 0);
    const sd = Math.sqrt(model.zeta(expiry));
    const xStar = bisect(value, -14 * sd, 14 * sd);
    let jamshidian = 0;
    for (let i = 0; i < bonds.times.length; i++) {
      if (bonds.times[i]! <= expiry) continue;
      jamshidian += bonds.amounts[i]! * lgmZeroBondOption(model, expiry, bonds.times[i]!, bond(bonds.times[i]!, xStar), 'call');
    }
    const price = lgmSwaption(model, expiry, bonds, 'receiver');
    expect(Math.abs(price / jamshidian - 1)).toBeLessThan(1e-12);
  });
});

/** Market price of an ATM swaption from a normal or shifted-Black vol, per unit notional (independent formulas). */
function atmPrice(type: 'normal' | 'black', vol: number, forward: number, shift: number, expiry: number, annuity: number): number {
  // Bachelier ATM: A·σ√T/√(2π). Black ATM: A·(F+s)·(2Φ(σ√T/2) − 1).
  return type === 'normal' ? (annuity * vol * Math.sqrt(expiry)) / Math.sqrt(2 * Math.PI) : annuity * (forward + shift) * (2 * normCdf(0.5 * vol * Math.sqrt(expiry)) - 1);
}
/** Inverse of atmPrice: the ATM vol that reprices `price` (closed form via Φ⁻¹ for Black). */
function atmVol(type: 'normal' | 'black', price: number, forward: number, shift: number, expiry: number, annuity: number): number {
  return type === 'normal'
    ? (price * Math.sqrt(2 * Math.PI)) / (annuity * Math.sqrt(expiry))
    : (2 * inverseNormalCdf(0.5 * (price / (annuity * (forward + shift)) + 1))) / Math.sqrt(expiry);
}

describe('LGM options at a strong mean reversion (the thirty-fifth session\'s market audit, helper 80)', () => {
  // Hull-White's zero-bond call (Jamshidian 1989), written in HW terms, not LGM's: σ_p = σ·B(T_e, T)·
  // √((1 − e^{−2κT_e})/(2κ)), B(s, T) = (1 − e^{−κ(T−s)})/κ; call = P(0,T)Φ(h) − K·P(0,T_e)Φ(h − σ_p),
  // h = ln(P(0,T)/(K·P(0,T_e)))/σ_p + σ_p/2. With κ = 1 and a 20Y expiry the LGM terms exp(−H·x − ½H²ζ) underflowed
  // (H(T_e)·√ζ ≈ 4,800) and the price came out 0.
  it('a zero-bond call as a bond portfolio equals Hull-White\'s closed form (1e-7 relative) for κ = 0.5 and 1, 10Y and 20Y expiries', () => {
    for (const kappa of [0.5, 1]) {
      const sigma = 0.01;
      const model = lgmModel(hwParams(kappa, [100], [sigma]), shapedCurve); // σ constant (one step to 100Y, flat after)
      for (const [expiry, maturity] of [[10, 20], [20, 30]] as const) {
        const p0e = shapedCurve.discount(expiry);
        const p0T = shapedCurve.discount(maturity);
        const B = (1 - Math.exp(-kappa * (maturity - expiry))) / kappa;
        const sigmaP = sigma * B * Math.sqrt((1 - Math.exp(-2 * kappa * expiry)) / (2 * kappa));
        for (const moneyness of [0.997, 1, 1.003]) {
          const strike = (moneyness * p0T) / p0e;
          const h = Math.log(p0T / (strike * p0e)) / sigmaP + sigmaP / 2;
          const reference = p0T * normCdf(h) - strike * p0e * normCdf(h - sigmaP);
          const bonds = { times: Float64Array.of(expiry, maturity), amounts: Float64Array.of(-strike, 1) };
          const price = lgmSwaption(model, expiry, bonds, 'receiver');
          expect(reference).toBeGreaterThan(1e-6);
          // 1e-7: H(T) − H(T_e) is a difference of two numbers near 1/κ (e^{−20} apart at κ = 1, 20Y), good to ~5e-8
          expect(Math.abs(price / reference - 1), `κ ${kappa}, ${expiry}Y into ${maturity}Y, K/F ${moneyness}`).toBeLessThan(1e-7);
        }
      }
    }
  });
});

describe('LGM bootstrap calibration to co-terminal swaptions', () => {
  const finalMaturity = 12;
  const expiries = [1, 2, 3, 5, 7, 10];
  const trueSigmas = [0.0085, 0.0112, 0.0068, 0.0095, 0.0121, 0.0079];
  const kappa = 0.025;
  const projection = { discount: (t: number) => shapedCurve.discount(t) * Math.exp(-0.0015 * t) };

  for (const volType of ['normal', 'black'] as const) {
    for (const proj of [undefined, projection]) {
      it(`recovers known σ's (1e-8) and reprices every quote (1e-10 relative): ${volType} quotes, ${proj ? 'dual' : 'single'} curve`, () => {
        const truth = lgmModel(hwParams(kappa, expiries, trueSigmas), shapedCurve);
        const shift = volType === 'black' ? 0.01 : 0;
        const quotes = expiries.map((expiry) => {
          const schedule = swapSchedule(expiry, finalMaturity - expiry, 1, 2);
          const atm = forwardSwapRate(shapedCurve, schedule, proj);
          const price = lgmSwaption(truth, expiry, receiverSwapBonds(shapedCurve, schedule, atm, proj), 'payer');
          return { expiryYears: expiry, tenorYears: finalMaturity - expiry, vol: atmVol(volType, price, atm, shift, expiry, swapAnnuity(shapedCurve, schedule)) };
        });
        const surface: SwaptionVolSurface = { currency: 'EUR', type: volType, shift, quotes };
        const result = calibrateLgmBootstrap(surface, { meanReversion: kappa, discount: shapedCurve, projection: proj });
        expect(result.params.source).toBe('calibrated');
        expect(Array.from(result.params.sigmaTimes)).toEqual(expiries);
        for (let i = 0; i < expiries.length; i++) {
          expect(Math.abs(result.params.sigmas[i]! - trueSigmas[i]!)).toBeLessThan(1e-8);
          expect(Math.abs(result.repricingErrors[i]!)).toBeLessThan(1e-10 * result.marketPrices[i]!);
          // The market price the calibration used is the quote's own closed form.
          const schedule = swapSchedule(expiries[i]!, finalMaturity - expiries[i]!, 1, 2);
          const expected = atmPrice(volType, quotes[i]!.vol, result.strikes[i]!, shift, expiries[i]!, swapAnnuity(shapedCurve, schedule));
          expect(Math.abs(result.marketPrices[i]! / expected - 1)).toBeLessThan(1e-13);
          // An independently built model with the calibrated parameters reprices the quote too.
          const repriced = lgmSwaption(lgmModel(result.params, shapedCurve), expiries[i]!, receiverSwapBonds(shapedCurve, schedule, result.strikes[i]!, proj), 'receiver');
          expect(Math.abs(repriced / result.marketPrices[i]! - 1)).toBeLessThan(1e-10);
        }
      });
    }
  }

  it('names the quote and the reachable price range when a quote cannot be matched', () => {
    // The 5Y vol far below what the earlier expiries already imply: no σ ≥ 0 on (3Y, 5Y] can reach it.
    const quotes = [
      { expiryYears: 1, tenorYears: 11, vol: 0.009 },
      { expiryYears: 3, tenorYears: 9, vol: 0.0095 },
      { expiryYears: 5, tenorYears: 7, vol: 0.002 },
    ];
    const surface: SwaptionVolSurface = { currency: 'EUR', type: 'normal', shift: 0, quotes };
    let error: unknown;
    try {
      calibrateLgmBootstrap(surface, { meanReversion: 0.03, discount: flatCurve(0.02), source: 'market.yaml' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XvaInputError);
    const message = (error as Error).message;
    expect(message).toContain('market.yaml');
    expect(message).toContain('expiry 5Y, tenor 7Y');
    expect(message).toContain('20.00bp normal');
    expect(message).toMatch(/between \d\.\d+e-\d+ .* and \d\.\d+e-\d+/);
    expect(message).toContain('below what the earlier expiries already imply');
  });

  it('rejects a basket whose expiries do not increase', () => {
    const surface: SwaptionVolSurface = {
      currency: 'EUR',
      type: 'normal',
      shift: 0,
      quotes: [
        { expiryYears: 2, tenorYears: 8, vol: 0.009 },
        { expiryYears: 1, tenorYears: 9, vol: 0.009 },
      ],
    };
    expect(() => calibrateLgmBootstrap(surface, { meanReversion: 0.03, discount: flatCurve(0.02) })).toThrow(/strictly increasing/);
  });
});

describe('ORE swap_flat_xva: LGM bootstrap to the co-terminal swaptions of simulation.xml', () => {
  // ../shared/reference/ore/swap_flat_xva: as-of 2016-02-05, EONIA flat 2.00722% and EURIBOR-6M flat 2.10652%
  // continuously compounded ACT/365F (README "Market"); swaption vol 10% lognormal, flat (market_20160205_flat.txt);
  // simulation.xml: LGM, reversion 0.03 (HullWhite type, not calibrated), volatility bootstrapped to ATM swaptions
  // with expiries 1, 2, 4, ..., 18, 19Y and terms to 20Y, EUR-CMS-30Y conventions = EUR-6M-SWAP-CONVENTIONS
  // (annual fixed A365, EURIBOR 6M float), priced with EONIA discounting.
  const discount = flatCurve(0.0200722);
  const projection = flatCurve(0.0210652);
  const expiries = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19];
  const surface: SwaptionVolSurface = {
    currency: 'EUR',
    type: 'black',
    shift: 0,
    quotes: expiries.map((e) => ({ expiryYears: e, tenorYears: 20 - e, vol: 0.1 })),
  };
  const result = calibrateLgmBootstrap(surface, { meanReversion: 0.03, discount, projection, fixedPeriodsPerYear: 1, floatPeriodsPerYear: 2 });

  it('reprices all 11 swaptions (1e-10 relative) with σ near the 10% × 2.1% ≈ 21bp the README suggests', () => {
    for (let i = 0; i < expiries.length; i++) {
      expect(Math.abs(result.repricingErrors[i]!)).toBeLessThan(1e-10 * result.marketPrices[i]!);
      // Order of magnitude (README: a lognormal 10% on a ~2.1% rate is ~21bp normal for the swap rate). The short-rate
      // σ is larger by the damping of a long swap rate under 3% mean reversion: its loading on x is about
      // (1 − e^{−κ·tenor})/(κ·tenor) ≈ 0.76 for 19Y, so σ ≈ 21bp / 0.76 ≈ 27bp. Bounds 20bp..35bp.
      expect(result.params.sigmas[i]!).toBeGreaterThan(0.002);
      expect(result.params.sigmas[i]!).toBeLessThan(0.0035);
    }
  });

  it('regression: calibrated σ and ζ at the expiries (ORE lists no model parameters in its expected output)', () => {
    // ORE's ExpectedOutput for this case has no calibration report, so there is nothing published to compare with.
    // These values are our own bootstrap, recorded to catch unintended changes (1e-10 relative). Differences to ORE
    // to expect: ORE rolls real dates (TARGET calendar, 2 settlement days, A365 accruals) where we use idealised
    // year-fraction schedules, and ORE's "Hagan" α is piecewise constant where our Hull-White σ is; ζ at the
    // expiries, the only quantity the swaption prices pin down, is the same for both parametrisations.
    // Recorded 2026-11 from this implementation; the 1e-10 tolerance is far above the run-to-run rounding (Brent stops
    // at 1e-15 in σ) and far below any change that matters.
    const EXPECTED_SIGMAS = [
      0.002725815054558688, 0.0027395768297725047, 0.00275464849496843, 0.0027657265187753105, 0.002767203484819075,
      0.0027600265345461236, 0.0027450537278971105, 0.002723069839245564, 0.002694797724536458, 0.00266090659887646,
      0.0026326001625004473,
    ];
    const EXPECTED_ZETAS = [
      7.657495464786032e-6, 1.5870813020900883e-5, 3.40508986978116e-5, 5.4714087952818956e-5, 7.80366584956581e-5,
      1.041965582843473e-4, 1.3337261519565495e-4, 1.6574374049915254e-4, 2.014881328673623e-4, 2.4078248870969268e-4,
      2.618155179051595e-4,
    ];
    for (let i = 0; i < expiries.length; i++) {
      expect(Math.abs(result.params.sigmas[i]! / EXPECTED_SIGMAS[i]! - 1)).toBeLessThan(1e-10);
      expect(Math.abs(result.zetaAtExpiries[i]! / EXPECTED_ZETAS[i]! - 1)).toBeLessThan(1e-10);
    }
  });
});
