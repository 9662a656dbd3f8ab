/**
 * The faster path-count-independent parts of the pricers on paths, each against the straightforward computation it
 * replaces (or a closed form):
 * - civil dates (conventions/dates.ts): the closed-form day counts against the Date object's UTC fields, every day;
 * - swaption exercise boundaries (exerciseIntervals' scan with recurrence and certified skips) against a plain scan
 *   that evaluates the deflated underlying directly at every point, bit for bit, and against closed-form roots;
 * - the conditional swaption on the state grid (one Φ per bond for intervals open on one side) against the two-sided
 *   formula Σ cᵢP(t,Tᵢ,x)[Φ(y_hi + Hᵢ√v) − Φ(y_lo + Hᵢ√v)];
 * - CDS terms (one schedule per trade, memoised curves, reused weight slots) against the per-date Map computation.
 */
import { describe, it, expect } from 'vitest';
import { addMonths, fromYmd, toYmd, type DateSerial } from '../src/conventions/dates.js';
import { buildCdsSchedule } from '../src/conventions/cdsDates.js';
import type { CreditDefaultSwap, FixedLeg, FloatLeg, Swaption } from '../src/products/types.js';
import type { SwaptionVolSurface } from '../src/market/types.js';
import { normCdf } from '../src/pricing/black.js';
import { brentRoot } from '../src/simulation/models/lgm/brent.js';
import { lgmH } from '../src/simulation/models/lgm/parameters.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { cdsBreakTimes, cdsSchedule, compileCds } from '../src/exposure/valuation/cds.js';
import { cdsNodeWeightsReference } from './helpers/cdsNodeWeightsReference.js';
import { lgmOnGrid } from '../src/exposure/valuation/model.js';
import { compileSwaption, exerciseIntervals, swaptionBandTables, underlyingBonds, type UnderlyingBonds } from '../src/exposure/valuation/swaption.js';
import { GRID_NODES } from '../src/exposure/valuation/stateGrid.js';
import { flatMarket, type FlatMarketSpec } from './helpers/flatMarket.js';
import { flatHullWhite, simpleModel, timeGrid } from './helpers/simpleModel.js';

const MS_PER_DAY = 86_400_000;
/** The Date object's reading of a day serial (the implementation the closed form replaced). */
const viaDate = (serial: number) => {
  const d = new Date(serial * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};
/** The Date object's day serial of a civil date, its year taken as given (Date.UTC would read 0..99 as 1900..1999). */
const viaDateUtc = (year: number, month: number, day: number): number => {
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  return Math.round(at.getTime() / MS_PER_DAY);
};
const sameNumber = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

describe('civil dates in closed form (Hinnant) against the Date object', () => {
  it('toYmd and fromYmd agree with Date on every day from 1900-01-01 to 2200-12-31', () => {
    const first = viaDateUtc(1900, 1, 1);
    const last = viaDateUtc(2200, 12, 31);
    const mismatches: string[] = [];
    for (let s = first; s <= last; s++) {
      const a = toYmd(s);
      const b = viaDate(s);
      if (a.year !== b.year || a.month !== b.month || a.day !== b.day) mismatches.push(`toYmd(${s})`);
      if (fromYmd(b.year, b.month, b.day) !== s) mismatches.push(`fromYmd(${b.year}, ${b.month}, ${b.day})`);
    }
    expect(last - first + 1).toBe(301 * 365 + 73); // 301 years, 73 leap years (1900, 2100 and 2200 are not)
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('toYmd agrees with Date over its whole range (every 997th day of ±1e8) and outside it (non-integers, NaN, beyond)', () => {
    const mismatches: number[] = [];
    for (let s = -1e8; s <= 1e8; s += 997) {
      const a = toYmd(s);
      const b = viaDate(s);
      if (a.year !== b.year || a.month !== b.month || a.day !== b.day) mismatches.push(s);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    for (const s of [-1e8, 1e8, 0, -0, 0.5, -0.5, 12345.75, Number.NaN, Number.POSITIVE_INFINITY]) {
      const a = toYmd(s);
      const b = viaDate(s);
      expect([sameNumber(a.year, b.year), sameNumber(a.month, b.month), sameNumber(a.day, b.day)], `toYmd(${s})`).toEqual([true, true, true]);
    }
    // beyond the Date object's ±1e8 days (where it has no date): the proleptic calendar, which repeats every 400 years
    // (146,097 days), so the date of s is that of s − k·146,097 with the year 400·k later
    for (const s of [-1e8 - 1, 1e8 + 1, 1e12, -1e12]) {
      const k = Math.trunc(s / 146_097);
      const a = toYmd(s);
      const b = viaDate(s - k * 146_097);
      expect(a, `toYmd(${s})`).toEqual({ year: b.year + 400 * k, month: b.month, day: b.day });
    }
  });

  it('fromYmd agrees with Date.UTC on rolled-over days and months, two-digit years and far years', () => {
    const mismatches: string[] = [];
    for (let y = -400; y <= 2400; y += 7) {
      for (let m = -1; m <= 14; m++) {
        for (const d of [-31, 0, 1, 28, 29, 30, 31, 32, 400, 2.5]) {
          if (!sameNumber(fromYmd(y, m, d), viaDateUtc(y, m, d))) mismatches.push(`${y}-${m}-${d}`);
        }
      }
    }
    for (const y of [99, 100, 101, 9999, 10_000, 199_999, 200_000, 200_001, 275_760]) {
      for (const m of [1, 2, 3, 12]) if (!sameNumber(fromYmd(y, m, 1), viaDateUtc(y, m, 1))) mismatches.push(`${y}-${m}-1`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

/** The deflated underlying Σ cᵢP(0,Tᵢ)e^{−HᵢX − ½Hᵢ²ζ}, term by term as first written. */
function deflatedDirect(u: UnderlyingBonds, zeta: number, X: number): number {
  let g = 0;
  for (let i = 0; i < u.times.length; i++) {
    const h = u.H[i]!;
    g += u.coefficients[i]! * u.discount[i]! * Math.exp(-h * X - 0.5 * h * h * zeta);
  }
  return g;
}

/** The plain scan: g evaluated directly at all 401 points, Brent (tolerance 1e-13) on each sign change, then the probes. */
function referenceIntervals(u: UnderlyingBonds, zeta: number, from: number, to: number): number[] {
  const f = (X: number): number => deflatedDirect(u, zeta, X);
  const roots: number[] = [];
  let xPrev = from;
  let gPrev = f(xPrev);
  for (let k = 1; k <= 400; k++) {
    const X = from + ((to - from) * k) / 400;
    const g = f(X);
    if (g !== 0 && gPrev !== 0 && Math.sign(g) !== Math.sign(gPrev)) roots.push(brentRoot(f, xPrev, X, gPrev, g, 1e-13));
    xPrev = X;
    gPrev = g;
  }
  const bounds = [-Infinity, ...roots, Infinity];
  const intervals: number[] = [];
  for (let r = 0; r + 1 < bounds.length; r++) {
    const lo = bounds[r]!;
    const hi = bounds[r + 1]!;
    const probe = !Number.isFinite(lo) ? (Number.isFinite(hi) ? hi - 1 : 0) : !Number.isFinite(hi) ? lo + 1 : 0.5 * (lo + hi);
    if (f(probe) > 0) intervals.push(lo, hi);
  }
  return intervals;
}

/** e^{−X}·Π(1 − e^{r_j}e^{−X}) expanded as an exponential sum with H = 1, 2, ...: roots at X = r_j. */
function productOfRoots(roots: number[]): UnderlyingBonds {
  let poly = [1]; // coefficients of e^{−X}, e^{−2X}, ... before the leading e^{−X}
  for (const r of roots) {
    const a = Math.exp(r);
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let i = 0; i < poly.length; i++) {
      next[i] += poly[i]!;
      next[i + 1] -= a * poly[i]!;
    }
    poly = next;
  }
  const n = poly.length;
  const times = Float64Array.from({ length: n }, (_, i) => i + 1);
  return { times, coefficients: Float64Array.from(poly), H: times.slice(), discount: new Float64Array(n).fill(1) };
}

/** A deterministic generator for the test cases (Park-Miller). */
function uniforms(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48_271) % 2_147_483_647;
    return s / 2_147_483_647;
  };
}

/**
 * A swap-like underlying with the shapes of the exposure engine's (pricing a float leg with a basis: +β·N at each
 * float start, N(τ·spread − 1) at each end, −K·τ on the fixed dates): several sign changes when the legs' frequencies differ.
 */
function swapLike(rand: () => number): UnderlyingBonds {
  const start = 0.5 + 5 * rand();
  const years = 1 + Math.floor(15 * rand());
  const fixedPerYear = rand() < 0.5 ? 1 : 2;
  const floatPerYear = rand() < 0.5 ? 2 : 4;
  const strike = 0.01 + 0.05 * rand();
  const spread = 0.004 * (rand() - 0.5);
  const basis = 1 + 0.002 * (rand() - 0.5);
  const kappa = 0.1 * rand() - 0.01;
  const rate = 0.04 * rand();
  const omega = rand() < 0.5 ? 1 : -1;
  const flows = new Map<number, number>();
  const add = (t: number, c: number): void => {
    const key = Math.round(t * 1e6) / 1e6;
    flows.set(key, (flows.get(key) ?? 0) + c);
  };
  for (let k = 1; k <= years * fixedPerYear; k++) add(start + k / fixedPerYear, -omega * strike / fixedPerYear);
  for (let k = 0; k < years * floatPerYear; k++) {
    add(start + k / floatPerYear, omega * basis);
    add(start + (k + 1) / floatPerYear, omega * (spread / floatPerYear - 1));
  }
  const times = Float64Array.from([...flows.keys()].sort((a, b) => a - b));
  return {
    times,
    coefficients: Float64Array.from(times, (t) => flows.get(t)!),
    H: times.map((t) => lgmH(kappa, t)),
    discount: times.map((t) => Math.exp(-rate * t)),
  };
}

describe('swaption exercise boundaries: the scan with recurrence and certified skips', () => {
  it('finds closed-form roots of an exponential sum (e^{−X}·Π(1 − e^{r}e^{−X}) vanishes at X = r) to 1e-12', () => {
    // ζ = 0 and P = 1 make g exactly the product; Brent stops at 1e-13 and the roots are simple (|g′| ~ 1e-2 or more).
    const roots = [-0.35, 0.1, 0.25, 0.6];
    const u = productOfRoots(roots);
    const intervals = exerciseIntervals(u, 0, 0, -1, 1.5, false);
    // g > 0 to the right of the largest root (every factor positive), alternating leftwards.
    expect(intervals.length).toBe(6);
    const expected = [-Infinity, -0.35, 0.1, 0.25, 0.6, Infinity];
    for (let i = 0; i < 6; i++) {
      if (Number.isFinite(expected[i]!)) expect(Math.abs(intervals[i]! - expected[i]!)).toBeLessThan(1e-12);
      else expect(intervals[i]).toBe(expected[i]);
    }
    expect(intervals).toEqual(referenceIntervals(u, 0, -1, 1.5));
  });

  it('misses two roots closer than one scan step exactly as the plain scan does', () => {
    // Roots 1e-4 apart inside one scan step of 2.5/400 = 6.25e-3 (points −1 + k·6.25e-3): no sign change at the scan
    // points, for either scan; only the root at 0.7013 is found, and g > 0 to its right.
    const u = productOfRoots([0.2013, 0.2014, 0.7013]);
    const intervals = exerciseIntervals(u, 0, 0, -1, 1.5, false);
    expect(intervals).toEqual(referenceIntervals(u, 0, -1, 1.5));
    expect(intervals.length).toBe(2);
    expect(Math.abs(intervals[0]! - 0.7013)).toBeLessThan(1e-12);
    expect(intervals[1]).toBe(Infinity);
  });

  it('gives the same interval ends, bit for bit, as the plain scan on 400 swap-like underlyings', () => {
    // Exact equality: the recurrence and the skips only decide signs that are certain, and every value Brent sees is
    // evaluated directly, so the roots are those of the plain scan.
    const rand = uniforms(20_261_125);
    let multipleSignChanges = 0;
    let withRoots = 0;
    for (let c = 0; c < 400; c++) {
      const u = swapLike(rand);
      let changes = 0;
      for (let i = 1; i < u.coefficients.length; i++) if (Math.sign(u.coefficients[i]!) !== Math.sign(u.coefficients[i - 1]!)) changes++;
      if (changes > 1) multipleSignChanges++;
      const zeta = 1e-5 + 1e-3 * rand();
      const sd = Math.sqrt(zeta);
      const center = 2 * sd * (rand() - 0.5);
      const from = center - 12 * sd - 1e-3;
      const to = center + 12 * sd + 1e-3;
      const expected = referenceIntervals(u, zeta, from, to);
      if (expected.some((x) => Number.isFinite(x))) withRoots++;
      expect(exerciseIntervals(u, zeta, 0, from, to, false), `case ${c}`).toEqual(expected);
    }
    expect(multipleSignChanges).toBeGreaterThan(100);
    expect(withRoots).toBeGreaterThan(100);
  });
});

const asOf = fromYmd(2026, 6, 30);
const N = 1e7;
const base = { counterpartyId: 'C1', nettingSetId: 'NS1', cleared: false };
const marketSpec: FlatMarketSpec = {
  asOf,
  baseCurrency: 'USD',
  rates: { USD: 0.035 },
  projection: { 'USD-SOFR': { currency: 'USD', rate: 0.0365 }, 'USD-OIS': { currency: 'USD', rate: 0.035 } },
  spotsInBase: {},
  fxVols: {},
  hullWhite: { USD: flatHullWhite('USD', 0.03, 0.01) },
  credit: { ACME: { hazard: 0.02, recovery: 0.4 } },
};
const market = flatMarket(marketSpec);
const surface: SwaptionVolSurface = {
  currency: 'USD', type: 'normal', shift: 0,
  quotes: [1, 2, 5].flatMap((e) => [2, 5, 10].map((t) => ({ expiryYears: e, tenorYears: t, vol: 0.009 + 0.0002 * e }))),
};
const surfaceMarket = flatMarket({ ...marketSpec, swaptionVols: { USD: surface } });
const model = simpleModel(market, { currencies: ['USD'], hullWhite: { USD: market.hullWhite('USD')! }, credit: { ACME: { meanReversion: 0.05, sigma: 0.01 } } });

function grid(): TimeGrid {
  const dates: DateSerial[] = [];
  for (let w = 1; w < 5; w++) dates.push(asOf + 7 * w);
  for (let m = 1; m <= 12; m++) dates.push(addMonths(asOf, m));
  for (let m = 15; m <= 120; m += 3) dates.push(addMonths(asOf, m));
  return timeGrid(asOf, [...new Set(dates)].sort((a, b) => a - b));
}

const leg = {
  currency: 'USD' as const, notional: N, startDate: fromYmd(2028, 7, 3), maturityDate: fromYmd(2033, 7, 3), stub: 'short_front' as const, endOfMonth: false,
};
const fixedLeg: FixedLeg = { ...leg, kind: 'fixed', fixedRate: 0.037, frequency: '1Y', dayCount: 'ACT/365F', businessDayConvention: 'U' };
const floatLeg: FloatLeg = { ...leg, kind: 'float', floatIndex: 'USD-SOFR', spreadBp: 10, frequency: '3M', dayCount: 'ACT/360', businessDayConvention: 'MF' };
const swaption = (over: Partial<Swaption>): Swaption => ({
  ...base, tradeId: 'SWO1', product: 'SWAPTION', direction: 'buy', optionType: 'payer', settlement: 'physical', expiryDate: fromYmd(2028, 6, 30),
  fixedLeg, floatLeg, ...over,
});

describe('the conditional swaption on the state grid (one-sided intervals with one Φ per bond)', () => {
  const g = grid();
  const lgm = lgmOnGrid(model.lgm('USD'), g);
  const cases: [string, Swaption, typeof market][] = [
    ['payer bought, Hull-White', swaption({}), market],
    ['receiver sold, vol surface', swaption({ tradeId: 'SWO2', optionType: 'receiver', direction: 'sell' }), surfaceMarket],
    ['payer, annual fixed vs quarterly SOFR with spread (several sign changes), vol surface', swaption({ tradeId: 'SWO3', settlement: 'cash' }), surfaceMarket],
  ];
  it.each(cases)('%s: addNodes equals Σ cᵢP(t,Tᵢ,x)[Φ(y_hi + Hᵢ√v) − Φ(y_lo + Hᵢ√v)] to 1e-12 of the gross bond value', (_, trade, mkt) => {
    const sw = compileSwaption(trade, 0, mkt, g, lgm);
    const u = underlyingBonds(trade, mkt, lgm);
    let changes = 0;
    let last = 0;
    for (const c of u.coefficients) {
      const s = Math.sign(c);
      if (s !== 0 && last !== 0 && s !== last) changes++;
      if (s !== 0) last = s;
    }
    const sign = trade.direction === 'buy' ? 1 : -1;
    const zetaE = lgm.model.zeta(mkt.time(trade.expiryDate));
    expect(sw.optionLastIndex).toBeGreaterThan(10);
    const nodes = new Float64Array(GRID_NODES);
    let bandDates = 0;
    for (let d = 0; d <= sw.optionLastIndex; d++) {
      const zt = lgm.zeta[d]!;
      const v = sw.varianceScale * (zetaE - zt);
      const sd = Math.sqrt(v);
      const sdX = Math.sqrt(zt);
      const h = (8 * sdX + 1e-6) / (GRID_NODES - 5);
      const x0 = -4 * sdX - 2 * h;
      nodes.fill(0);
      const onPool = sw.term.addNodes(d, x0, h, nodes);
      // The boundary from the (separately tested) root finder; a boundary off by the root tolerance moves the value
      // only at second order (U = 0 there).
      const span = 12 * sd + 1e-3;
      const intervals = exerciseIntervals(u, zt + v, 0, x0 - span, x0 + (GRID_NODES - 1) * h + span, changes <= 1);
      const Ht = lgm.H[d]!;
      /** The option (or, with `underlying`, the swap: every Φ term 1) at x, and the gross bond value. */
      const reference = (x: number, underlying: boolean): { value: number; gross: number } => {
        let value = 0;
        let gross = 0;
        for (let i = 0; i < u.times.length; i++) {
          const Hi = u.H[i]!;
          const bond = u.coefficients[i]! * (u.discount[i]! / lgm.discount[d]!) * Math.exp(-0.5 * (Hi * Hi - Ht * Ht) * zt - (Hi - Ht) * x);
          gross += Math.abs(bond);
          if (underlying) value += bond;
          else for (let r = 0; r < intervals.length; r += 2) {
            value += bond * (normCdf((intervals[r + 1]! - x) / sd + Hi * sd) - normCdf((intervals[r]! - x) / sd + Hi * sd));
          }
        }
        return { value, gross };
      };
      if (onPool) {
        for (let k = 0; k < GRID_NODES; k++) {
          const { value, gross } = reference(x0 + k * h, false);
          expect(Math.abs(nodes[k]! - sign * value), `date ${d} node ${k}`).toBeLessThanOrEqual(1e-12 * gross);
        }
        continue;
      }
      // Close to expiry (√v below SWAPTION_BAND_SD_STEPS grid steps) the option is on its band tables instead: table 0
      // the underlying swap on the pool's grid, the others the option on their own grids.
      bandDates++;
      const tables = swaptionBandTables();
      expect(sw.bandTables(d, x0, h, tables)).toBe(true);
      expect(tables.count).toBeGreaterThan(1);
      for (let t = 0; t < tables.count; t++) {
        for (let k = 0; k < GRID_NODES; k++) {
          const { value, gross } = reference(tables.x0[t]! + k * tables.h[t]!, t === 0);
          expect(Math.abs(tables.nodes[t * GRID_NODES + k]! - sign * value), `date ${d} table ${t} node ${k}`).toBeLessThanOrEqual(1e-12 * gross);
        }
      }
    }
    expect(bandDates).toBeGreaterThan(0);
  });
});

describe('CDS terms: one schedule per trade, memoised curves, reused weight slots', () => {
  const g = grid();
  const credit = model.credit('ACME');
  const discount = market.discountCurve('USD');
  const discount0 = (t: number): number => discount.discount(t);
  const cdsTrade = (over: Partial<CreditDefaultSwap>): CreditDefaultSwap => ({
    ...base, tradeId: 'CDS1', product: 'CDS', direction: 'buy', referenceEntity: 'ACME', currency: 'USD', notional: N, fixedRate: 0.01,
    startDate: fromYmd(2026, 6, 20), maturityDate: fromYmd(2031, 6, 20), frequency: '3M', dayCount: 'ACT/360', ...over,
  });

  /** compileCds as first written: a fresh schedule and Map of weights per date, curves evaluated on every call. */
  function referenceTerms(trade: CreditDefaultSwap) {
    let lastIndex = -1;
    while (lastIndex + 1 < g.dates.length && g.dates[lastIndex + 1]! < trade.maturityDate) lastIndex++;
    const offsets = new Int32Array(g.times.length + 1);
    const rates: number[] = [];
    const amps: number[] = [];
    const scale = (trade.direction === 'buy' ? 1 : -1) * trade.notional;
    const breaks = cdsBreakTimes(trade, market);
    for (let d = 0; d < g.times.length; d++) {
      offsets[d] = rates.length;
      if (d > lastIndex) continue;
      const t = g.times[d]!;
      const Ht = credit.H(t);
      const zt = credit.zeta(t);
      const s0t = credit.survival0(t);
      const survivalRef = (u: number): number => {
        if (u <= t) return 1;
        const Hu = credit.H(u);
        return (credit.survival0(u) / s0t) * Math.exp(-0.5 * (Hu * Hu - Ht * Ht) * zt);
      };
      for (const [u, w] of cdsNodeWeightsReference(trade, market, g, d, discount0, survivalRef, breaks)) {
        if (w === 0) continue;
        rates.push(u <= t ? 0 : credit.H(u) - Ht);
        amps.push(scale * w * survivalRef(u));
      }
    }
    offsets[g.times.length] = rates.length;
    return { offsets, rates: Float64Array.from(rates), amps: Float64Array.from(amps), lastIndex };
  }

  it.each([
    ['running 5Y, bought', cdsTrade({})],
    ['forward-starting, sold, 500bp', cdsTrade({ tradeId: 'CDS2', direction: 'sell', fixedRate: 0.05, startDate: fromYmd(2027, 9, 20), maturityDate: fromYmd(2034, 12, 20) })],
    ['semi-annual ACT/365F', cdsTrade({ tradeId: 'CDS3', frequency: '6M', dayCount: 'ACT/365F', maturityDate: fromYmd(2029, 3, 20) })],
    ['traded today (its accrued rebate to come)', cdsTrade({ tradeId: 'CDS4', tradeDate: market.asOf })],
  ])('%s: the same terms, bit for bit, as the per-date computation, whatever the order the dates are asked in', (_, trade) => {
    const expected = referenceTerms(trade);
    const nDates = g.times.length;
    // dates asked for ascending, descending, and every third one only (a set valued on some dates: the others are
    // never computed, cds.ts CdsTerms)
    const orders = [Array.from({ length: nDates }, (_, d) => d), Array.from({ length: nDates }, (_, d) => nDates - 1 - d), Array.from({ length: Math.ceil(nDates / 3) }, (_, k) => 3 * k)];
    let total = 0;
    for (const order of orders) {
      const terms = compileCds(trade, market, g, credit, discount0);
      expect(terms.lastIndex).toBe(expected.lastIndex);
      for (const d of order) {
        const got = terms.at(d);
        const from = expected.offsets[d]!;
        const to = expected.offsets[d + 1]!;
        expect(got.rates, `date ${d}`).toEqual(expected.rates.subarray(from, to));
        expect(got.amps, `date ${d}`).toEqual(expected.amps.subarray(from, to));
        // asked again: the same terms
        expect(terms.at(d)).toBe(got);
        total += got.rates.length;
      }
    }
    expect(total).toBeGreaterThan(100);
  });

  it("cdsSchedule is the trade's ISDA fee schedule (buildCdsSchedule with the trade's frequency and day count)", () => {
    const trade = cdsTrade({ frequency: '6M', dayCount: 'ACT/365F' });
    expect(cdsSchedule(trade)).toEqual(buildCdsSchedule(trade.startDate, trade.maturityDate, 6, 'ACT/365F'));
  });
});
