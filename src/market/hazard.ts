/**
 * Piecewise-constant hazard-rate curves (the ISDA CDS Standard Model's credit curve shape: flat forward hazard
 * between nodes, so ln Q(t) is piecewise linear). hazards[i] applies on (times[i-1], times[i]] with times[-1] = 0;
 * the last hazard extends flat beyond the last node. Times are years ACT/365F from the market's as-of date.
 */
import type { HazardCurve } from './types.js';

export interface HazardCurveSpec {
  name: string;
  recovery: number;
  /** Right ends of the hazard intervals, years, strictly increasing and > 0. */
  times: Float64Array;
  /** Hazard rates (per year, continuously compounded), one per interval, >= 0. */
  hazards: Float64Array;
  quoteTenorsYears?: Float64Array;
  quoteSpreadsBp?: Float64Array;
}

/** A curve's nodes and quotes as plain data (structured-cloneable): buildHazardCurve of it gives the same curve. */
export function hazardCurveSpec(curve: HazardCurve): HazardCurveSpec {
  return {
    name: curve.name,
    recovery: curve.recovery,
    times: curve.times,
    hazards: curve.hazards,
    quoteTenorsYears: curve.quoteTenorsYears,
    quoteSpreadsBp: curve.quoteSpreadsBp,
  };
}

export function buildHazardCurve(spec: HazardCurveSpec): HazardCurve {
  const { name, recovery } = spec;
  const n = spec.times.length;
  if (n === 0) throw new Error(`hazard curve ${name}: needs at least one node`);
  if (spec.hazards.length !== n) {
    throw new Error(`hazard curve ${name}: ${n} times but ${spec.hazards.length} hazard rates; expected one per time`);
  }
  if (!(recovery >= 0 && recovery < 1)) {
    throw new Error(`hazard curve ${name}: recovery ${recovery} must be in [0, 1)`);
  }
  const times = Float64Array.from(spec.times);
  const hazards = Float64Array.from(spec.hazards);
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (!(Number.isFinite(t) && t > (i === 0 ? 0 : times[i - 1]!))) {
      throw new Error(`hazard curve ${name}: node time ${t} (node ${i + 1}) must be positive and after the previous node`);
    }
    const h = hazards[i]!;
    if (!(Number.isFinite(h) && h >= 0)) {
      throw new Error(`hazard curve ${name}: hazard rate ${h} (node ${i + 1}) must be finite and non-negative`);
    }
  }
  // Integrated hazard Lambda(times[i]) at each node, so survival is one lookup and one exp.
  const cumulative = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += hazards[i]! * (times[i]! - (i === 0 ? 0 : times[i - 1]!));
    cumulative[i] = acc;
  }
  const quoteTenorsYears = spec.quoteTenorsYears ? Float64Array.from(spec.quoteTenorsYears) : new Float64Array(0);
  const quoteSpreadsBp = spec.quoteSpreadsBp ? Float64Array.from(spec.quoteSpreadsBp) : new Float64Array(0);
  if (quoteTenorsYears.length !== quoteSpreadsBp.length) {
    throw new Error(`hazard curve ${name}: ${quoteTenorsYears.length} quote tenors but ${quoteSpreadsBp.length} spreads`);
  }

  function survival(t: number): number {
    if (t <= 0) return 1;
    // First node at or after t (binary search); beyond the last node the last hazard extends flat.
    let lo = 0;
    let hi = n - 1;
    if (t > times[hi]!) return Math.exp(-(cumulative[hi]! + hazards[hi]! * (t - times[hi]!)));
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    const left = lo === 0 ? 0 : times[lo - 1]!;
    const base = lo === 0 ? 0 : cumulative[lo - 1]!;
    return Math.exp(-(base + hazards[lo]! * (t - left)));
  }

  return { name, recovery, times, hazards, survival, quoteTenorsYears, quoteSpreadsBp };
}
