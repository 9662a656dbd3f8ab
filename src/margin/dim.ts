/**
 * Dynamic initial margin and MVA from simulated netting-set values (the exposure engine's cube).
 *
 * Method (regression DIM, Anfuso, Aziz, Giltinan and Loukopoulos, "A sound modelling and backtesting framework for
 * forecasting initial margin requirements", 2017): over a window (s, t] of one margin period of risk (a CSA set's
 * close-out lag date s = t − MPoR and its exposure date t; without a CSA the grid's step (t_k, t_{k+1}]), the value
 * change ΔV = V(t) − V(s), less its conditional mean (the flows the state predicts), scaled to the SIMM horizon by
 * MPoR/(t − s), has a conditional variance given the path state that is regressed on the netting set's own value:
 * Var[ΔV | V] ≈ b0 + b1·V + b2·V² (OLS over paths, floored at 0), the IM at s. The 99% IM on the path is Φ⁻¹(0.99)·√(E[ΔV² | V]). It is the SIMM horizon's VaR of a normal
 * P&L whose variance depends on the state, which is what SIMM's delta-gamma-vega aggregation approximates; the
 * regression needs no re-pricing of sensitivities on paths. The profile is then scaled by one constant per side,
 * α = SIMM today / IM_model(t_0), so that DIM(0) is today's SIMM (collect or post) and the shape comes from the
 * simulation. After the last flow V = 0 on every path, so the IM falls to 0.
 *
 * MVA (Green and Kenyon, "MVA by replication and regression", 2015): the cost of funding the IM the bank posts,
 * MVA = s_f · Σ_k E[IM_post](t_k) · S_C(t_k) · S_B(t_k) · P(t_k) · Δt_k, with s_f the base currency's borrow spread,
 * S_C and S_B the survival of the counterparty and of the bank (1 when the market has no own curve), P the base
 * OIS discount factor, Δt_k the time to the next exposure date.
 */
import { XvaUsageError } from '../errors.js';
import type { CubeSetDetail } from '../exposure/cube.js';
import { factorNeeds, runSimulation, type InitialMarginProfile } from '../exposure/engine.js';
import type { HazardCurve, Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import type { GridSpec } from '../simulation/grid.js';
import { buildFactorLayout } from '../simulation/layout.js';
import { bookPlan } from '../scale/plan.js';
import type { FactorLayout, TimeGrid } from '../simulation/types.js';
import { closedLayout, needsOfFactors } from '../xva/whatIf/paths.js';
import { simmCrifFromPortfolio } from './crifFromPortfolio.js';
import { calculateSimm } from './simm/calculate.js';
import { endTimeOf, mvaCounterpartyCurve, mvaOfPostedProfile, tradesByNettingSet } from './mva.js';
import { bookScheduleDim } from './scheduleDim.js';
import type { MporDays } from './simm/types.js';

/** Φ⁻¹(0.99), the SIMM confidence level. */
const Z99 = 2.3263478740408408;

export interface DimProfile {
  nettingSetId: string;
  /** Exposure dates (day serials) and times in years. */
  dates: Int32Array;
  times: Float64Array;
  /** Unscaled model IM, mean over paths (base currency). */
  modelIm: Float64Array;
  /** E[IM](t) we collect and post, USD, scaled to today's SIMM. */
  expectedImCollect: Float64Array;
  expectedImPost: Float64Array;
  mva: number;
  /** 'schedule': the schedule IM projected (scheduleDim.ts, no simulation); absent: the regression DIM above. */
  method?: 'schedule';
}

/**
 * OLS of y on (1, x, x²) over paths (normal equations by Cramer's rule); a singular system (degenerate state) gives
 * the plain mean. Returns [b0, b1, b2].
 */
function fitQuadratic(x: Float64Array, y: Float64Array): [number, number, number] {
  const n = x.length;
  let s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let p = 0; p < n; p++) {
    const xi = x[p]!;
    const x2 = xi * xi;
    const yi = y[p]!;
    s1 += xi; s2 += x2; s3 += x2 * xi; s4 += x2 * x2;
    t0 += yi; t1 += yi * xi; t2 += yi * x2;
  }
  const s0 = n;
  const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
  if (!(Math.abs(det) > 1e-12 * s0 * s0 * s0)) return [t0 / s0, 0, 0];
  return [
    (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det,
    (s0 * (t1 * s4 - t2 * s3) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det,
    (s0 * (s2 * t2 - s3 * t1) - s1 * (s1 * t2 - s3 * t0) + t0 * (s1 * s3 - s2 * s2)) / det,
  ];
}

/** Scratch of windowIm: three path columns. */
interface WindowScratch {
  x: Float64Array;
  d: Float64Array;
  r2: Float64Array;
}

function windowScratch(nPaths: number): WindowScratch {
  return { x: new Float64Array(nPaths), d: new Float64Array(nPaths), r2: new Float64Array(nPaths) };
}

/**
 * Mean over paths of the model IM of one window (s, t]: V(s) in `from[fromRow + p]`, V(t) in `to[toRow + p]`. Two
 * regressions on the standardised V(s), x: the conditional mean of ΔV = V(t) − V(s) (it carries the cash flows paid
 * in the window that the state predicts, which are not risk) and then the conditional variance of ΔV around it,
 * scaled to the SIMM horizon by `scale` = MPoR / (t − s). The path IM is Φ⁻¹(0.99)·√variance (0 where the fit is ≤ 0).
 */
function windowIm(from: ArrayLike<number>, fromRow: number, to: ArrayLike<number>, toRow: number, nPaths: number, scale: number, w: WindowScratch): number {
  const { x, d, r2 } = w;
  let mean = 0;
  for (let p = 0; p < nPaths; p++) mean += from[fromRow + p]!;
  mean /= nPaths;
  let varX = 0;
  for (let p = 0; p < nPaths; p++) varX += (from[fromRow + p]! - mean) ** 2;
  const sd = Math.sqrt(varX / nPaths);
  for (let p = 0; p < nPaths; p++) {
    x[p] = sd > 0 ? (from[fromRow + p]! - mean) / sd : 0;
    d[p] = to[toRow + p]! - from[fromRow + p]!;
  }
  const [m0, m1, m2] = fitQuadratic(x, d);
  for (let p = 0; p < nPaths; p++) {
    const xi = x[p]!;
    const e = d[p]! - (m0 + m1 * xi + m2 * xi * xi);
    r2[p] = e * e * scale;
  }
  const [b0, b1, b2] = fitQuadratic(x, r2);
  let sum = 0;
  for (let p = 0; p < nPaths; p++) {
    const xi = x[p]!;
    const variance = b0 + b1 * xi + b2 * xi * xi;
    sum += variance > 0 ? Z99 * Math.sqrt(variance) : 0;
  }
  return sum / nPaths;
}

/**
 * Path-wise model IM, mean over paths, on each exposure date from the grid's steps: `values[k * nPaths + p]` the
 * netting set's value; the window of date k is (t_k, t_{k+1}], scaled to the MPoR by MPoR/Δt. The last date has no
 * next date and gets 0. A step ending where V = 0 on every path (after the set's last payment) misses the final flow
 * paid within it (ΔV = −V(t_k), fitted exactly: 0), so its start holds the IM of the step before, as
 * windowedRegressionIm holds its last window's. What a set without close-out values takes (windowedRegressionIm).
 */
export function regressionIm(values: Float32Array, nPaths: number, times: Float64Array, mporYears: number): Float64Array {
  const nDates = times.length;
  const out = new Float64Array(nDates);
  const w = windowScratch(nPaths);
  for (let k = 0; k + 1 < nDates; k++) {
    const dt = times[k + 1]! - times[k]!;
    if (!(dt > 0)) continue;
    if (k > 0 && !aliveAt(values, k + 1, nPaths)) {
      if (aliveAt(values, k, nPaths)) out[k] = out[k - 1]!;
      continue;
    }
    out[k] = windowIm(values, k * nPaths, values, (k + 1) * nPaths, nPaths, mporYears / dt, w);
  }
  return out;
}

/** A netting set's values at the close-out lag dates of its exposure dates (the engine's cube detail). */
export interface CloseOutValues {
  /** Per exposure date (row of `values`): the time in years of its close-out lag date t − MPoR, or NaN when none. */
  times: Float64Array;
  /** V at those dates, one row of nPaths per exposure date with a time, in exposure-date order. */
  values: ArrayLike<number>;
}

/** Whether the set's value at exposure date k is non-zero on some path (after its last payment it is 0 on all). */
function aliveAt(values: Float32Array, k: number, nPaths: number): boolean {
  for (let p = k * nPaths; p < (k + 1) * nPaths; p++) if (values[p] !== 0) return true;
  return false;
}

/**
 * Model IM, mean over paths, on each exposure date from windows of the margin period of risk: each exposure date t_k
 * with a close-out lag date s_k = t_k − MPoR gives the IM at s_k from the window (s_k, t_k] (windowIm, scaled by
 * mporYears / (t_k − s_k)). Windows that start on the same date (the as-of date, for the exposure dates within one
 * MPoR of it) keep the longest. A window ending where V = 0 on every path (after the set's last payment) gives no IM:
 * its ΔV = −V(s) misses the final flow paid within it (V at t excludes flows paid by t), so it would be fitted exactly
 * and say 0, where the flow's risk over the window is that of the windows before it. The IM on an exposure date is
 * interpolated linearly in time between the windows' starts (flat beyond the last, so up to the set's last payment),
 * 0 on a date where V = 0 on every path (the set has paid out); when no window starts at the as-of date the first grid step (0, t_1] gives the IM
 * there, as regressionIm. The value change is that of one MPoR, not of a grid step of up to six months, so the flows
 * paid and the trades maturing within a step no longer enter the variance (docs/margin.md).
 */
export function windowedRegressionIm(values: Float32Array, nPaths: number, times: Float64Array, closeOut: CloseOutValues, mporYears: number): Float64Array {
  const nDates = times.length;
  const w = windowScratch(nPaths);
  const starts: number[] = [];
  const ims: number[] = [];
  let row = 0;
  for (let k = 0; k < nDates; k++) {
    const s = closeOut.times[k]!;
    if (Number.isNaN(s)) continue;
    const r = row++;
    const dt = times[k]! - s;
    if (!(dt > 0) || !aliveAt(values, k, nPaths)) continue;
    const im = windowIm(closeOut.values, r * nPaths, values, k * nPaths, nPaths, mporYears / dt, w);
    const last = starts.length - 1;
    if (last >= 0 && starts[last] === s) ims[last] = im; // the same start, a longer window (t ascending)
    else {
      starts.push(s);
      ims.push(im);
    }
  }
  if (starts.length === 0 || starts[0]! > times[0]!) {
    if (nDates < 2 || !(times[1]! > times[0]!)) return new Float64Array(nDates);
    starts.unshift(times[0]!);
    ims.unshift(windowIm(values, 0, values, nPaths, nPaths, mporYears / (times[1]! - times[0]!), w));
  }
  const out = new Float64Array(nDates);
  let j = 0;
  for (let k = 0; k < nDates; k++) {
    const t = times[k]!;
    while (j + 1 < starts.length && starts[j + 1]! <= t) j++;
    // a date where the set is dead (V = 0 on every path: its trades have paid out) holds no IM
    if (!aliveAt(values, k, nPaths)) continue;
    if (j + 1 >= starts.length || t <= starts[j]!) out[k] = ims[j]!;
    else {
      const u = (t - starts[j]!) / (starts[j + 1]! - starts[j]!);
      out[k] = ims[j]! + u * (ims[j + 1]! - ims[j]!);
    }
  }
  return out;
}

export interface DimInputs {
  nettingSetId: string;
  values: Float32Array;
  nPaths: number;
  dates: Int32Array;
  market: Market;
  /** Today's SIMM on each side, USD. */
  simmCollect: number;
  simmPost: number;
  marginPeriodOfRiskDays: number;
  counterpartyCurve?: HazardCurve;
  /** The set's last live date in years (margin/mva.ts nettingSetLastLiveDate): the MVA's last interval ends there. */
  endTime?: number;
  /**
   * The set's values at the close-out lag dates of its exposure dates (a CSA set with a margin period of risk: the
   * engine values it there anyway): the IM then comes from windows of one MPoR (windowedRegressionIm). Absent: from
   * the grid's steps (regressionIm).
   */
  closeOut?: CloseOutValues;
}

/**
 * The close-out values of a netting set from the engine's cube detail (engine.ts onCube), for dimProfile; undefined
 * when the set has none (no CSA with a margin period of risk).
 */
export function closeOutOf(detail: CubeSetDetail | undefined, market: Market): CloseOutValues | undefined {
  if (!detail || detail.closeOutValues.length === 0) return undefined;
  const times = Float64Array.from(detail.closeOutGridIndex, (g) => (g >= 0 ? market.time(detail.gridDates[g]!) : Number.NaN));
  return { times, values: detail.closeOutValues.slice() };
}

/** The fewest paths a DIM regression takes: three coefficients for the mean, three for the variance (regressionIm). */
export const DIM_MIN_PATHS = 8;

/**
 * The dynamic IM's path count, checked as a flag before any work (`xva simulate --dynamic-im`, `xva margin --dim`):
 * the run itself refuses fewer paths only on reaching a set with a SIMM, so shards without one ran to the end while
 * those with one failed (an audit: 56 of 61 shards computed for nothing).
 */
export function checkDimPaths(paths: number, flag: string): void {
  if (paths < DIM_MIN_PATHS) throw new XvaUsageError(`${flag} needs at least ${DIM_MIN_PATHS} paths (the dynamic IM's regression fits three coefficients to the mean and three to the variance of the value changes): give --paths ${DIM_MIN_PATHS} or more`);
}

export function dimProfile(input: DimInputs): DimProfile {
  const { market } = input;
  if (input.nPaths < DIM_MIN_PATHS) {
    throw new XvaUsageError(`dynamic IM needs at least ${DIM_MIN_PATHS} paths (its regression fits three coefficients to the mean and three to the variance of the value changes; with ${input.nPaths} the IM is 0): give --paths ${DIM_MIN_PATHS} or more`);
  }
  const times = Float64Array.from(input.dates, (d) => market.time(d));
  // calendar MPoR: 10 business days ≈ 14 calendar days (SIMM's 365/14 scaling, §C.7)
  const mporYears = (input.marginPeriodOfRiskDays * 1.4) / 365;
  const modelIm = input.closeOut
    ? windowedRegressionIm(input.values, input.nPaths, times, input.closeOut, mporYears)
    : regressionIm(input.values, input.nPaths, times, mporYears);
  const toUsd = market.baseCurrency === 'USD' ? 1 : market.fxSpot(market.baseCurrency, 'USD');
  const im0 = modelIm[0]! * toUsd;
  const collect = new Float64Array(times.length);
  const post = new Float64Array(times.length);
  if (im0 > 0) {
    for (let k = 0; k < times.length; k++) {
      collect[k] = (input.simmCollect / im0) * modelIm[k]! * toUsd;
      post[k] = (input.simmPost / im0) * modelIm[k]! * toUsd;
    }
  } else {
    // no window to scale today's SIMM by (a set paying out before the first window ends: every window ends where it is
    // dead, and the first grid step's ΔV = −V(0) is fitted exactly): today's SIMM held while the set lives, as the
    // windows' profile is held flat to the last payment (an audit found the IM 0 today, against a SIMM of 2.05m)
    for (let k = 0; k < times.length; k++) {
      if (k > 0 && !aliveAt(input.values, k, input.nPaths)) continue;
      collect[k] = input.simmCollect;
      post[k] = input.simmPost;
    }
  }
  // Green and Kenyon (2015): the posted IM is funded at the borrow spread and earns its own remuneration spread
  const mva = mvaOfPostedProfile(post, times, market, input.counterpartyCurve, input.endTime);
  return { nettingSetId: input.nettingSetId, dates: input.dates, times, modelIm, expectedImCollect: collect, expectedImPost: post, mva };
}

export interface DimRunOptions {
  paths: number;
  seed: number;
  /**
   * The draws (engine.ts SimulationOptions.rng): 'philox' (default) or 'sobol', each driver on its coordinates by its
   * slot in the DIM run's layout (a shard's: the whole book's DIM layout, `universe`), so shards draw the single run's
   * points.
   */
  rng?: 'philox' | 'sobol';
  /** Antithetic pairs of paths (the exposure run's `--antithetic`, so that the DIM run draws its paths); default false. */
  antithetic?: boolean;
  /** SIMM horizon in days (10 or 1). */
  mporDays: number;
  /** Today's SIMM per netting set (USD). */
  simm: ReadonlyMap<string, { collect: number; post: number }>;
  /** The simulation's time grid (default: the default grid); the DIM dates are its exposure dates. */
  grid?: GridSpec | TimeGrid;
  /**
   * A shard's DIM (scale/simulateShard.ts, scale/marginShard.ts): the grid and factor layout of the whole book's DIM
   * run. The sets are then simulated on that grid and on the correlation blocks of that layout their trades need,
   * so that their paths, hence their profiles, are the single run's bit for bit. Overrides `grid`.
   */
  universe?: { grid: TimeGrid; layout: FactorLayout };
  /** Called with each DIM note of a netting set (the MVA's missing credit curve), beside `notes`. */
  onSetNote?: (nettingSetId: string, note: string) => void;
}

/** The part of the book the DIM run simulates: the netting sets `ids` (table order), their trades and counterparties. */
export function dimPortfolio(portfolio: Portfolio, ids: ReadonlySet<string>): Portfolio {
  const nettingSets = portfolio.nettingSets.filter((n) => ids.has(n.nettingSetId));
  const cpIds = new Set(nettingSets.map((n) => n.counterpartyId));
  return {
    ...portfolio,
    trades: portfolio.trades.filter((t) => ids.has(t.nettingSetId)),
    nettingSets,
    counterparties: portfolio.counterparties.filter((c) => cpIds.has(c.counterpartyId)),
  };
}

/** Simulates the netting sets that have a SIMM today (one thread, cube on) and builds their DIM profiles and MVA. */
export async function runDim(portfolio: Portfolio, market: Market, options: DimRunOptions, notes: string[] = []): Promise<DimProfile[]> {
  const sub = dimPortfolio(portfolio, new Set(options.simm.keys()));
  const nettingSets = sub.nettingSets;
  if (nettingSets.length === 0) return [];
  const byId = new Map(nettingSets.map((n) => [n.nettingSetId, n]));
  const cps = new Map(sub.counterparties.map((c) => [c.counterpartyId, c]));
  const tradesOf = tradesByNettingSet(sub.trades);
  const profiles: DimProfile[] = [];
  await runSimulation({
    portfolio: sub,
    market,
    options: {
      paths: options.paths,
      seed: options.seed,
      threads: 1,
      antithetic: options.antithetic ?? false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
      cube: true,
      closeOutRows: true, // the windows of one MPoR: a CSA set's close-out values, whatever the coverage
      tradeContributions: false, // DIM reads the cube only
      ...(options.rng === 'sobol' ? { rng: 'sobol' as const, sobolLayout: options.universe?.layout ?? buildFactorLayout(market, factorNeeds(sub.trades)) } : {}),
      ...(options.universe
        ? { grid: options.universe.grid, layoutNeeds: needsOfFactors(closedLayout(market, factorNeeds(sub.trades), options.universe.layout).factorNames) }
        : options.grid
          ? { grid: options.grid }
          : {}),
    },
    onWarning: (text) => notes.push(text),
    onCube: (nettingSetId, values, nPaths, dates, detail) => {
      if (nettingSetId === null) return;
      const closeOut = closeOutOf(detail, market);
      if (!closeOut) {
        const note = `dynamic IM of ${nettingSetId}: no CSA with a margin period of risk, so no close-out values: its IM comes from the value changes over the grid's steps, scaled to the MPoR (flows paid within a step count as risk; docs/margin.md)`;
        notes.push(note);
        options.onSetNote?.(nettingSetId, note);
      } else if (!detail.closeOutGridIndex.some((g, k) => k > 0 && g === 0)) {
        // no window starts today (no exposure date within one MPoR of it): today's IM, hence the scaling α of the
        // whole profile, comes from the grid's first step (windowedRegressionIm)
        const note = `dynamic IM of ${nettingSetId}: the grid has no date within one margin period of risk of today, so today's model IM (the scaling to today's SIMM) comes from the grid's first step, scaled to the MPoR (the default grid's 2W date gives the window itself)`;
        notes.push(note);
        options.onSetNote?.(nettingSetId, note);
      }
      const ns = byId.get(nettingSetId)!;
      const simm = options.simm.get(nettingSetId)!;
      const cp = cps.get(ns.counterpartyId);
      const counterpartyCurve = mvaCounterpartyCurve(cp, market, () => {
        const note = `MVA of ${nettingSetId}: no credit curve for ${cp!.counterpartyId}, counterparty survival taken as 1`;
        notes.push(note);
        options.onSetNote?.(nettingSetId, note);
      });
      const profile = dimProfile({
        nettingSetId,
        values: values.slice(),
        nPaths,
        dates: dates.slice(),
        market,
        simmCollect: simm.collect,
        simmPost: simm.post,
        marginPeriodOfRiskDays: options.mporDays,
        ...(counterpartyCurve ? { counterpartyCurve } : {}),
        ...endTimeOf(tradesOf.get(nettingSetId) ?? [], market),
        ...(closeOut ? { closeOut } : {}),
      });
      if (!(profile.modelIm[0]! > 0) && (simm.collect > 0 || simm.post > 0)) {
        // the regression saw no risk over the first step: every trade matures or pays out within it
        const note = `dynamic IM of ${nettingSetId}: no IM profile although today's SIMM is ${Math.round(simm.collect)} USD: the set's value does not move over its first window (one MPoR from today under a CSA, else the first grid step: its trades pay out within it), so the model IM to scale is 0`;
        notes.push(note);
        options.onSetNote?.(nettingSetId, note);
      }
      profiles.push(profile);
    },
  });
  return profiles;
}

/**
 * Today's SIMM (USD) on both sides of every netting set whose im_model is simm, from the sensitivities the portfolio's
 * trades give (the same CRIF as `xva margin`). A set with no SIMM on one side is left out (nothing to scale its DIM to).
 */
export function simmToday(
  portfolio: Portfolio,
  market: Market,
  options: { mporDays: MporDays; simmVersion?: string },
  notes: string[] = [],
): Map<string, { collect: number; post: number }> {
  const ids = portfolio.nettingSets.filter((n) => n.imModel === 'simm').map((n) => n.nettingSetId);
  const out = new Map<string, { collect: number; post: number }>();
  if (ids.length === 0) return out;
  const crif = simmCrifFromPortfolio(portfolio, market, { nettingSetIds: ids });
  notes.push(...crif.notes);
  const results = calculateSimm(crif.records, { version: options.simmVersion ?? '2.6', mporDays: options.mporDays });
  for (const id of ids) {
    const collect = results.find((r) => r.portfolioId === id && r.side === 'Call')?.total;
    const post = results.find((r) => r.portfolioId === id && r.side === 'Post')?.total;
    if (collect !== undefined && post !== undefined) out.set(id, { collect, post });
    else notes.push(`dynamic IM of ${id}: no SIMM today (no sensitivities), no IM profile`);
  }
  return out;
}

/**
 * The DIM profiles as IM held by the bank for the exposure engine: E[IM collected](t) on the DIM dates, converted
 * from USD (SIMM's currency) to the base currency at today's spot. Deterministic: the expected IM per date, applied
 * on every path.
 */
export function dimAsInitialMargin(profiles: readonly DimProfile[], market: Market): Map<string, InitialMarginProfile> {
  // (callers pass the profiles of the IM the bank holds: heldByBank leaves out cleared sets)
  return inBaseCurrency(profiles, market, (p) => p.expectedImCollect);
}

/** One side of each DIM profile, from USD (SIMM's currency) to the base currency at today's spot, per netting set. */
function inBaseCurrency(profiles: readonly DimProfile[], market: Market, side: (p: DimProfile) => Float64Array): Map<string, InitialMarginProfile> {
  const usdPerBase = market.baseCurrency === 'USD' ? 1 : market.fxSpot(market.baseCurrency, 'USD');
  const out = new Map<string, InitialMarginProfile>();
  for (const p of profiles) out.set(p.nettingSetId, { dates: p.dates.slice(), amounts: Float64Array.from(side(p), (usd) => usd / usdPerBase) });
  return out;
}

/**
 * The DIM profiles as IM posted by the bank for the exposure engine: E[IM posted](t) on the DIM dates, in the base
 * currency as dimAsInitialMargin. Every set's, cleared ones included (the bank posts IM to a CCP as to a bilateral
 * counterparty; held segregated, it lowers the counterparty's exposure to the bank, ENE and DVA).
 */
export function dimAsPostedMargin(profiles: readonly DimProfile[], market: Market): Map<string, InitialMarginProfile> {
  return inBaseCurrency(profiles, market, (p) => p.expectedImPost);
}

/**
 * The DIM profiles whose IM the bank holds: those of bilateral netting sets. A CCP posts no initial margin to its
 * members (the bank posts IM to the CCP: its MVA), so a cleared set's DIM is a cost, never collateral held against
 * the CCP's exposure (as the optimiser's measure core, optimize/measure/engineRun.ts).
 */
export function heldByBank(profiles: readonly DimProfile[], portfolio: Portfolio): DimProfile[] {
  const cleared = new Set(portfolio.nettingSets.filter((n) => n.cleared).map((n) => n.nettingSetId));
  return profiles.filter((p) => !cleared.has(p.nettingSetId));
}

/**
 * The whole book's grid and factor layout, as its exposure run builds them (scale/plan.ts bookPlan: the grid from
 * `grid` to the last maturity with every CSA set's close-out dates), for the DIM run to simulate on: the DIM of a
 * netting set is then drawn on the exposure run's own paths, whatever other sets have a SIMM, as `xva optimize`
 * measures it (optimize/measure/engineRun.ts), and shards reproduce it (they pass the same universe).
 */
export function bookUniverse(portfolio: Portfolio, market: Market, grid: GridSpec | undefined, paths: number): { grid: TimeGrid; layout: FactorLayout } {
  const plan = bookPlan(portfolio, market, { grid: grid ?? { kind: 'default' }, coverage: 1, paths });
  return { grid: plan.grid, layout: buildFactorLayout(market, plan.layoutNeeds) };
}

/** How `xva simulate --dynamic-im` describes the IM it holds (manifest.json, dynamicInitialMargin.method). */
export const DIM_METHOD = 'regression DIM over windows of one MPoR (CSA sets; grid steps otherwise), scaled to today SIMM (src/margin/dim.ts); expected IM per date, the same on every path';

export interface DynamicImOptions {
  paths: number;
  seed: number;
  /** The DIM run's draws (DimRunOptions.rng): the exposure run's `--rng`. */
  rng?: 'philox' | 'sobol';
  /** The exposure run's `--antithetic` (DimRunOptions.antithetic). */
  antithetic?: boolean;
  mporDays: MporDays;
  simmVersion?: string;
  grid?: GridSpec;
}

/**
 * Dynamic IM fed back as collateral: today's SIMM of every im_model simm netting set and its DIM profile by simulation
 * (runDim), then the schedule IM projected of every im_model schedule set (scheduleDim.ts), each profile as the IM
 * held per date (dimAsInitialMargin; bilateral sets) and posted per date (dimAsPostedMargin), ready for
 * SimulationOptions.
 */
export async function dynamicInitialMargin(
  portfolio: Portfolio,
  market: Market,
  options: DynamicImOptions,
  notes: string[] = [],
): Promise<{ profiles: DimProfile[]; initialMarginProfiles: Map<string, InitialMarginProfile>; postedInitialMarginProfiles: Map<string, InitialMarginProfile> }> {
  const simm = simmToday(portfolio, market, { mporDays: options.mporDays, ...(options.simmVersion ? { simmVersion: options.simmVersion } : {}) }, notes);
  const universe = bookUniverse(portfolio, market, options.grid, options.paths);
  const profiles = await runDim(
    portfolio,
    market,
    {
      paths: options.paths,
      seed: options.seed,
      ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
      ...(options.antithetic ? { antithetic: true } : {}),
      mporDays: options.mporDays,
      simm,
      universe,
    },
    notes,
  );
  // the schedule sets' IM projected on the same exposure dates (no simulation), after the SIMM sets' (book order)
  profiles.push(...bookScheduleDim(portfolio, market, universe.grid, (_, note) => notes.push(note)));
  return { profiles, initialMarginProfiles: dimAsInitialMargin(heldByBank(profiles, portfolio), market), postedInitialMarginProfiles: dimAsPostedMargin(profiles, market) };
}
