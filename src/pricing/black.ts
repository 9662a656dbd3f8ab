/**
 * Closed-form option building blocks: the standard normal distribution, Black-76 (lognormal, on a forward),
 * Bachelier (normal, on a forward) and Garman-Kohlhagen (FX, on spot with two continuous rates). Every pricer in
 * `pricing/` and the exposure engine's t = 0 checks call these; they take plain numbers and allocate nothing.
 */

const SQRT_PI_INV = 0.5641895835477562869480794515607726; // 1 / sqrt(pi)
const SQRT_2PI_INV = 0.3989422804014326779399460599343819; // 1 / sqrt(2 pi)
const SQRT1_2 = 0.7071067811865475244008443621048490; // 1 / sqrt(2)

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-637:
// published coefficients of the three near-minimax rational approximations (erf on [0, 0.46875], erfc on [0.46875, 4],
// x·exp(x²)·erfc(x) asymptotically beyond 4); each is accurate to about 1e-17 relative in its interval.
const ERF_A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const ERF_B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const ERFC_C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERFC_D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
const ERFC_P = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4,
  0.0163153871373020978,
];
const ERFC_Q = [2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];

/**
 * exp(−c²) for the grid points c = k/16 that expMinusSquare meets (erfcTail's y < 26.7, so k < 428): the very
 * Math.exp values it computed per call before, computed once (k/16 is exact, so the same argument and bits).
 */
const EXP_COARSE = Float64Array.from({ length: 428 }, (_, k) => Math.exp(-(k / 16) * (k / 16)));

/** exp(-y²) without the cancellation of squaring y: y is split into a 1/16-grid part and a small remainder. */
export function expMinusSquare(y: number): number {
  const k = Math.trunc(y * 16);
  const yCoarse = k / 16;
  const remainder = (y - yCoarse) * (y + yCoarse);
  const coarse = k >= 0 && k < EXP_COARSE.length ? EXP_COARSE[k]! : Math.exp(-yCoarse * yCoarse);
  return coarse * Math.exp(-remainder);
}

/** erfc(y) for y > 0.46875 (Cody's second and third intervals). */
function erfcTail(y: number): number {
  if (y >= 26.7) return 0; // below the smallest double
  let ratio: number;
  if (y <= 4) {
    let num = ERFC_C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]!) * y;
      den = (den + ERFC_D[i]!) * y;
    }
    ratio = (num + ERFC_C[7]!) / (den + ERFC_D[7]!);
  } else {
    const z = 1 / (y * y);
    let num = ERFC_P[5]! * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]!) * z;
      den = (den + ERFC_Q[i]!) * z;
    }
    ratio = (SQRT_PI_INV - (z * (num + ERFC_P[4]!)) / (den + ERFC_Q[4]!)) / y;
  }
  return ratio * expMinusSquare(y);
}

/** erf(x) for |x| <= 0.46875 (Cody's first interval). */
function erfSmall(x: number): number {
  const z = x * x;
  let num = ERF_A[4]! * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]!) * z;
    den = (den + ERF_B[i]!) * z;
  }
  return (x * (num + ERF_A[3]!)) / (den + ERF_B[3]!);
}

/** Complementary error function, about 1e-16 relative accuracy over the whole real line. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  const tail = erfcTail(y);
  return x < 0 ? 2 - tail : tail;
}

/** Error function. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  const tail = erfcTail(y);
  return x < 0 ? tail - 1 : 1 - tail;
}

/** Standard normal density φ(x). */
export function normPdf(x: number): number {
  return SQRT_2PI_INV * Math.exp(-0.5 * x * x);
}

/** Standard normal distribution N(x) = erfc(-x/√2)/2: full relative accuracy in the lower tail too. */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/**
 * normCdf of xs[0 .. n−1] into out: the very operations of normCdf (erfc, erfcTail, expMinusSquare, erfSmall written
 * out in one loop, in the same order), so the same bits (tested), without a call per value. A hot loop that calls
 * normCdf boxes each argument and result (a heap number each, as V8 does not inline the chain): the swaptions' option
 * values on the state grid (exposure/valuation/swaption.ts) allocated 340 MB that way per quarter of utb-20k.
 */
export function normCdfInto(xs: Float64Array, out: Float64Array, n: number): void {
  const a0 = ERF_A[0]!, a1 = ERF_A[1]!, a2 = ERF_A[2]!, a3 = ERF_A[3]!, a4 = ERF_A[4]!;
  const b0 = ERF_B[0]!, b1 = ERF_B[1]!, b2 = ERF_B[2]!, b3 = ERF_B[3]!;
  const c0 = ERFC_C[0]!, c1 = ERFC_C[1]!, c2 = ERFC_C[2]!, c3 = ERFC_C[3]!, c4 = ERFC_C[4]!, c5 = ERFC_C[5]!, c6 = ERFC_C[6]!, c7 = ERFC_C[7]!, c8 = ERFC_C[8]!;
  const d0 = ERFC_D[0]!, d1 = ERFC_D[1]!, d2 = ERFC_D[2]!, d3 = ERFC_D[3]!, d4 = ERFC_D[4]!, d5 = ERFC_D[5]!, d6 = ERFC_D[6]!, d7 = ERFC_D[7]!;
  const p0 = ERFC_P[0]!, p1 = ERFC_P[1]!, p2 = ERFC_P[2]!, p3 = ERFC_P[3]!, p4 = ERFC_P[4]!, p5 = ERFC_P[5]!;
  const q0 = ERFC_Q[0]!, q1 = ERFC_Q[1]!, q2 = ERFC_Q[2]!, q3 = ERFC_Q[3]!, q4 = ERFC_Q[4]!;
  const coarseCount = EXP_COARSE.length;
  for (let j = 0; j < n; j++) {
    const z = -xs[j]! * SQRT1_2; // erfc's argument
    const y = Math.abs(z);
    let e: number;
    if (y <= 0.46875) {
      // 1 − erfSmall(z)
      const zz = z * z;
      let num = a4 * zz;
      let den = zz;
      num = (num + a0) * zz;
      den = (den + b0) * zz;
      num = (num + a1) * zz;
      den = (den + b1) * zz;
      num = (num + a2) * zz;
      den = (den + b2) * zz;
      e = 1 - (z * (num + a3)) / (den + b3);
    } else {
      // erfcTail(y)
      let tail: number;
      if (y >= 26.7) tail = 0;
      else {
        let ratio: number;
        if (y <= 4) {
          let num = c8 * y;
          let den = y;
          num = (num + c0) * y;
          den = (den + d0) * y;
          num = (num + c1) * y;
          den = (den + d1) * y;
          num = (num + c2) * y;
          den = (den + d2) * y;
          num = (num + c3) * y;
          den = (den + d3) * y;
          num = (num + c4) * y;
          den = (den + d4) * y;
          num = (num + c5) * y;
          den = (den + d5) * y;
          num = (num + c6) * y;
          den = (den + d6) * y;
          ratio = (num + c7) / (den + d7);
        } else {
          const w = 1 / (y * y);
          let num = p5 * w;
          let den = w;
          num = (num + p0) * w;
          den = (den + q0) * w;
          num = (num + p1) * w;
          den = (den + q1) * w;
          num = (num + p2) * w;
          den = (den + q2) * w;
          num = (num + p3) * w;
          den = (den + q3) * w;
          ratio = (SQRT_PI_INV - (w * (num + p4)) / (den + q4)) / y;
        }
        // expMinusSquare(y)
        const k = Math.trunc(y * 16);
        const yCoarse = k / 16;
        const remainder = (y - yCoarse) * (y + yCoarse);
        const coarse = k >= 0 && k < coarseCount ? EXP_COARSE[k]! : Math.exp(-yCoarse * yCoarse);
        tail = ratio * (coarse * Math.exp(-remainder));
      }
      e = z < 0 ? 2 - tail : tail;
    }
    out[j] = 0.5 * e;
  }
}

export type CallPut = 'call' | 'put';

/**
 * Black-76: value of a European option on a forward F with strike K, lognormal volatility `vol` over `timeYears`,
 * times the discount factor to payment (Black 1976; Hull, Options, Futures and Other Derivatives, ch. 18).
 * Zero variance gives the intrinsic value on the forward; K <= 0 (possible with a shift applied by the caller) means
 * the call is certain to be exercised.
 */
export function black76(optionType: CallPut, forward: number, strike: number, vol: number, timeYears: number, discount = 1): number {
  if (!(forward > 0)) throw new Error(`Black-76 needs a positive forward, got ${forward}`);
  const sign = optionType === 'call' ? 1 : -1;
  const stdDev = vol * Math.sqrt(Math.max(timeYears, 0));
  if (strike <= 0) return optionType === 'call' ? discount * (forward - strike) : 0;
  if (!(stdDev > 0)) return discount * Math.max(sign * (forward - strike), 0);
  const d1 = Math.log(forward / strike) / stdDev + 0.5 * stdDev;
  const d2 = d1 - stdDev;
  return discount * sign * (forward * normCdf(sign * d1) - strike * normCdf(sign * d2));
}

/**
 * Bachelier (normal) model: European option on a forward with absolute volatility `normalVol` (e.g. 0.008 = 80bp a
 * year), times the discount factor: V = D·[ω(F−K)N(ωd) + σ√T φ(d)], d = (F−K)/(σ√T).
 */
export function bachelier(optionType: CallPut, forward: number, strike: number, normalVol: number, timeYears: number, discount = 1): number {
  const sign = optionType === 'call' ? 1 : -1;
  const stdDev = normalVol * Math.sqrt(Math.max(timeYears, 0));
  const moneyness = sign * (forward - strike);
  if (!(stdDev > 0)) return discount * Math.max(moneyness, 0);
  const d = moneyness / stdDev;
  return discount * (moneyness * normCdf(d) + stdDev * normPdf(d));
}

/**
 * Garman-Kohlhagen (1983): European FX option on one unit of foreign currency, spot S in domestic per foreign,
 * continuously compounded domestic and foreign rates: the Black-76 value on F = S·e^{(r_d − r_f)T} discounted at r_d.
 */
export function garmanKohlhagen(
  optionType: CallPut,
  spot: number,
  strike: number,
  vol: number,
  timeYears: number,
  domesticRate: number,
  foreignRate: number,
): number {
  const forward = spot * Math.exp((domesticRate - foreignRate) * timeYears);
  return black76(optionType, forward, strike, vol, timeYears, Math.exp(-domesticRate * timeYears));
}
