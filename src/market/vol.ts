/**
 * Black volatility term structures (FX, equity): pillars of (years, vol), interpolated linearly in total variance
 * sigma^2 t (flat forward variance between pillars), flat vol before the first pillar and after the last (as
 * QuantLib's BlackVarianceCurve extrapolates). A flat volatility is one pillar, stored at t = 0.
 */

/** Black volatility at time t from pillars `times` (strictly increasing, >= 0) and `vols`. */
export function volAt(times: Float64Array, vols: Float64Array, t: number): number {
  const n = times.length;
  if (n === 1 || t <= times[0]!) return vols[0]!;
  if (t >= times[n - 1]!) return vols[n - 1]!;
  let i = 1;
  while (times[i]! < t) i++;
  const t0 = times[i - 1]!;
  const t1 = times[i]!;
  const w0 = vols[i - 1]! * vols[i - 1]! * t0;
  const w1 = vols[i]! * vols[i]! * t1;
  const w = w0 + ((w1 - w0) * (t - t0)) / (t1 - t0);
  return Math.sqrt(w / t);
}

/** Index of the first pillar whose total variance is below its predecessor's (calendar arbitrage), or -1. */
export function firstVarianceDecrease(times: Float64Array, vols: Float64Array): number {
  for (let i = 1; i < times.length; i++) {
    if (vols[i]! * vols[i]! * times[i]! < vols[i - 1]! * vols[i - 1]! * times[i - 1]!) return i;
  }
  return -1;
}
