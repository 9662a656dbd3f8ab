/**
 * The deal-specific LGM of a Bermudan swaption (pricing/bermudanCalibration.ts), against references independent of the
 * code under test:
 * - each co-terminal European's surface price by hand: Bachelier on the forward swap rate of the periods it enters
 *   (one curve, flat continuously compounded r: float leg P(S) − P(E), annual 30/360 annuity) at the surface's vol for
 *   its expiry and tenor (the surface is linear in both, so its interpolation is exact), × the annuity;
 * - the calibrated model reprices each of them by the LGM closed form (closedForms.ts lgmSwaption, tested elsewhere
 *   against Jamshidian and a brute-force integral);
 * - a Bermudan with one exercise date is the European swaption priced on the surface (to the lattice's 1e-6), where
 *   the currency's given Hull-White parameters alone were 8% off it;
 * - on paths (the engine simulating the given Hull-White model): today's price on every path at t = 0; the deflated
 *   mean between the Bermudan priced on the engine's model and on the deal's (the deal's model re-anchored on the
 *   engine's state at each date), within 3 standard errors; one exercise date close to the engine's European.
 */
import { describe, expect, it } from 'vitest';
import { addMonths, fromYmd, type DateSerial } from '../src/conventions/dates.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';
import type { HullWhiteParams, SwaptionVolSurface } from '../src/market/types.js';
import { bachelier } from '../src/pricing/black.js';
import { dealCalibration } from '../src/pricing/bermudanCalibration.js';
import { bermudanLattice, exerciseSwaps, engineLgmParams, stateNodes } from '../src/pricing/bermudan.js';
import { priceTrade } from '../src/pricing/index.js';
import type { FixedLeg, FloatLeg, Swaption } from '../src/products/types.js';
import { lgmSwaption } from '../src/simulation/models/lgm/closedForms.js';
import { lgmModel } from '../src/simulation/models/lgm/parameters.js';
import { deflatedMean } from './helpers/deflated.js';
import { flatMarket } from './helpers/flatMarket.js';
import { simpleModel, simplePaths, timeGrid } from './helpers/simpleModel.js';

const asOf = fromYmd(2026, 6, 30);
const r = 0.035;
const N = 10_000_000;
const hw: HullWhiteParams = { currency: 'USD', meanReversion: 0.03, sigmaTimes: Float64Array.of(1, 3, Number.POSITIVE_INFINITY), sigmas: Float64Array.of(0.008, 0.0095, 0.009), source: 'given' };
// normal vols falling with expiry and tenor: linear in both (its bilinear interpolation is exact)
const volAt = (e: number, t: number): number => 0.0104 - 0.0001 * e - 0.00003 * t;
const surface: SwaptionVolSurface = {
  currency: 'USD', type: 'normal', shift: 0,
  quotes: [1, 2, 3, 5, 7, 10].flatMap((e) => [1, 2, 5, 10, 20].map((t) => ({ expiryYears: e, tenorYears: t, vol: volAt(e, t) }))),
};
const projection = { 'USD-SOFR': { currency: 'USD' as const, rate: r } };
const withSurface = flatMarket({ asOf, rates: { USD: r }, projection, hullWhite: { USD: hw }, swaptionVols: { USD: surface } });
const hullWhiteOnly = flatMarket({ asOf, rates: { USD: r }, projection, hullWhite: { USD: hw } });
const disc = (t: number): number => Math.exp(-r * t);

/** Annual 30/360 fixed against semi-annual SOFR, unadjusted dates (so the schedules are addMonths from the start). */
const legs = (s: DateSerial, e: DateSerial, K: number): { fixedLeg: FixedLeg; floatLeg: FloatLeg } => {
  const common = { currency: 'USD' as const, notional: N, startDate: s, maturityDate: e, businessDayConvention: 'U' as const, stub: 'short_front' as const, endOfMonth: false };
  return {
    fixedLeg: { kind: 'fixed', ...common, fixedRate: K, frequency: '1Y', dayCount: '30/360' },
    floatLeg: { kind: 'float', ...common, floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '6M', dayCount: 'ACT/360' },
  };
};
const expiry = fromYmd(2028, 6, 30);
const start = fromYmd(2028, 7, 3);
const end = fromYmd(2036, 7, 3);
const K = 0.036;
const swaption = (over: Partial<Swaption> = {}): Swaption => ({
  product: 'SWAPTION', tradeId: 'B', counterpartyId: 'C', nettingSetId: 'N', cleared: false, direction: 'buy', optionType: 'receiver', settlement: 'physical',
  expiryDate: expiry, ...legs(start, end, K), ...over,
});
/** Exercise k: three days before the k-th anniversary of the start (the first is the expiry). */
const exerciseDates = (count: number): DateSerial[] => Array.from({ length: count }, (_, k) => addMonths(start, 12 * k) - 3);

/** The receiver European entering at the k-th anniversary of the start, on the surface, by hand. */
function europeanByHand(k: number, market = withSurface): number {
  const s = addMonths(start, 12 * k);
  const t = (d: DateSerial) => market.time(d);
  let annuity = 0;
  for (let y = k; y < 8; y++) annuity += N * 1 * disc(t(addMonths(start, 12 * (y + 1)))); // 30/360 on anniversaries: τ = 1
  const forward = (N * (disc(t(s)) - disc(t(end)))) / annuity;
  const exerciseYears = t(addMonths(start, 12 * k) - 3);
  const tenorYears = Math.round(((end - s) / 365.25) * 12) / 12;
  return annuity * bachelier('put', forward, K, volAt(exerciseYears, tenorYears), exerciseYears);
}

describe('a Bermudan swaption on its own LGM, calibrated to its co-terminal Europeans on the surface', () => {
  const trade = swaption({ exerciseDates: exerciseDates(5) });

  it('the calibration reprices each co-terminal European: its surface price by hand, and the LGM closed form on the deal model', () => {
    for (const market of [withSurface]) {
      const engine = lgmModel(engineLgmParams(market, 'USD'), market.discountCurve('USD'));
      const deal = dealCalibration(trade, market, engine)!;
      expect(deal).toBeDefined();
      expect(deal.unmatched).toBe(0);
      expect(deal.model.params.meanReversion).toBe(engine.params.meanReversion); // the currency's mean reversion
      const swaps = exerciseSwaps(trade, market, deal.model);
      expect(swaps.length).toBe(5);
      swaps.forEach((swap, k) => {
        const byHand = europeanByHand(k, market);
        expect(Math.abs(deal.surfacePrices[k]! / byHand - 1), `surface ${k}`).toBeLessThan(1e-10);
        expect(Math.abs(lgmSwaption(deal.model, swap.exerciseTime, swap, 'receiver') / byHand - 1), `model ${k}`).toBeLessThan(1e-8);
      });
    }
  });

  it('with one exercise date it is the European priced on the surface (1e-6: the lattice, 3.3e-9 measured), where the given Hull-White model alone was far off', () => {
    const one = swaption({ exerciseDates: [expiry] });
    const european = priceTrade(swaption(), withSurface).npv;
    expect(Math.abs(european / europeanByHand(0) - 1)).toBeLessThan(1e-10);
    const price = priceTrade(one, withSurface).npv;
    expect(Math.abs(price / european - 1)).toBeLessThan(1e-6);
    // before: the Bermudan on the currency's given parameters, whatever the surface said
    const onGiven = priceTrade(one, hullWhiteOnly).npv;
    expect(Math.abs(onGiven / european - 1)).toBeGreaterThan(0.02);
  });

  it('five exercise dates: worth more than each co-terminal European on the surface, less than their sum; a sold one the opposite', () => {
    const price = priceTrade(trade, withSurface).npv;
    const europeans = [0, 1, 2, 3, 4].map((k) => europeanByHand(k));
    expect(price).toBeGreaterThan(Math.max(...europeans) * 1.01);
    expect(price).toBeLessThan(europeans.reduce((a, b) => a + b, 0));
    expect(priceTrade({ ...trade, direction: 'sell' }, withSurface).npv).toBeCloseTo(-price, 6);
  });

  it('without a surface the given Hull-White model prices it (no calibration)', () => {
    const engine = lgmModel(engineLgmParams(hullWhiteOnly, 'USD'), hullWhiteOnly.discountCurve('USD'));
    expect(dealCalibration(trade, hullWhiteOnly, engine)).toBeUndefined();
  });
});

describe('the deal model on the engine\'s paths (the given Hull-White model simulated)', () => {
  const trade = swaption({ exerciseDates: exerciseDates(5) });
  const extra = [fromYmd(2026, 12, 30), fromYmd(2027, 6, 30), fromYmd(2027, 12, 30), expiry - 30, ...trade.exerciseDates!, ...trade.exerciseDates!.map((d) => d + 45)];
  const g = timeGrid(asOf, [...new Set(extra)].sort((a, b) => a - b));
  const model = simpleModel(withSurface, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 6000;
  const paths = simplePaths(model, withSurface, g, { nPaths, seed: 29 });
  const kernel = compileNettingSet([trade], { market: withSurface, model, grid: g, nettingSetId: 'N' });
  const price = priceTrade(trade, withSurface).npv;

  it('starts at today\'s price on every path; before the first coupon the deflated mean lies between the Bermudan on the engine\'s model and on the deal\'s (3 standard errors)', () => {
    const at0 = new Float64Array(nPaths);
    kernel.valueAt(0, paths, at0);
    for (const v of at0) expect(Math.abs(v - price)).toBeLessThan(1e-9 * price);
    // the deal's model re-anchored at t on the engine's state: the variance to t the engine's (lower than the
    // surface's here), the increments after it the deal's, so the mean drifts from the deal's price towards the
    // engine model's as t passes (as a European's does, its remaining variance matched to its price)
    const onEngine = priceTrade(trade, hullWhiteOnly).npv;
    expect(onEngine).toBeLessThan(0.97 * price);
    const firstCoupon = addMonths(start, 6);
    let checked = 0;
    for (let d = 1; d < g.dates.length && g.dates[d]! < firstCoupon; d++) {
      const { mean, se } = deflatedMean(kernel, paths, d);
      const at = `date ${g.dates[d]}: ${mean} ± ${se} in [${onEngine}, ${price}]`;
      expect(mean, at).toBeGreaterThan(onEngine - 3 * se);
      expect(mean, at).toBeLessThan(price + 3 * se);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('with one exercise date it is the engine\'s European at t = 0 and on its exercise date, path by path (1e-5)', () => {
    // between them the two differ by how the remaining variance is spread (the deal's constant σ to expiry against the
    // engine's Hull-White steps scaled to the price: up to 6% of the price on the worst path here), not in their ends
    const one = swaption({ exerciseDates: [expiry] });
    const kb = compileNettingSet([one], { market: withSurface, model, grid: g, nettingSetId: 'N' });
    const ke = compileNettingSet([swaption()], { market: withSurface, model, grid: g, nettingSetId: 'N' });
    const pe = priceTrade(swaption(), withSurface).npv;
    const a = new Float64Array(nPaths);
    const b = new Float64Array(nPaths);
    for (const d of [0, g.dates.indexOf(expiry)]) {
      kb.valueAt(d, paths, a);
      ke.valueAt(d, paths, b);
      let worst = 0;
      for (let p = 0; p < nPaths; p++) worst = Math.max(worst, Math.abs(a[p]! - b[p]!));
      expect(worst, `date ${g.dates[d]}`).toBeLessThan(1e-5 * pe);
    }
  });
});

describe('the re-anchored deal model between anchors: interpolated in c against an exact lattice per date', () => {
  const trade = swaption({ exerciseDates: exerciseDates(5) });
  const monthly = Array.from({ length: 23 }, (_, k) => addMonths(asOf, k + 1));
  const g = timeGrid(asOf, [...new Set([...monthly, ...trade.exerciseDates!])].sort((a, b) => a - b));
  const model = simpleModel(withSurface, { currencies: ['USD'], hullWhite: { USD: hw } });
  const nPaths = 500;
  const paths = simplePaths(model, withSurface, g, { nPaths, seed: 5 });
  const kernel = compileNettingSet([trade], { market: withSurface, model, grid: g, nettingSetId: 'N' });
  const price = priceTrade(trade, withSurface).npv;

  it('every monthly date before the first exercise: each path within 5e-5 of the price of an exact lattice at its date on the same nodes (2.7e-5 measured)', () => {
    const engine = lgmModel(engineLgmParams(withSurface, 'USD'), withSurface.discountCurve('USD'));
    const deal = dealCalibration(trade, withSurface, engine)!.model;
    const swaps = exerciseSwaps(trade, withSurface, deal);
    // the kernel's state grid: ±8 sd of the widest anchored variance at the last exercise over its anchors (today,
    // the exercises' decision dates and a date every quarter between: the monthly grid's dates 3, 6, 9, ...)
    const lastTime = swaps[swaps.length - 1]!.exerciseTime;
    const shiftAt = (t: number) => engine.zeta(t) - deal.zeta(t);
    let widest = 0;
    for (let d = 0; d < g.dates.length && g.times[d]! <= lastTime; d++) widest = Math.max(widest, deal.zeta(lastTime) + shiftAt(g.times[d]!));
    const nodes = stateNodes(widest);
    // 4-point Lagrange on uniform nodes (the outer cells on the nearest four), written here
    const cubic = (h: number, half: number, v: Float64Array, x: number): number => {
      const f = x / h + half;
      const k = Math.min(Math.max(Math.floor(f), 1), v.length - 3);
      const u = f - k;
      const [a, b, c, e] = [v[k - 1]!, v[k]!, v[k + 1]!, v[k + 2]!];
      return (-u * (u - 1) * (u - 2) * a) / 6 + ((u + 1) * (u - 1) * (u - 2) * b) / 2 - ((u + 1) * u * (u - 2) * c) / 2 + ((u + 1) * u * (u - 1) * e) / 6;
    };
    const out = new Float64Array(nPaths);
    let checked = 0;
    for (let d = 1; d < g.dates.length && g.dates[d]! < expiry; d++) {
      const t = g.times[d]!;
      const zetaT = engine.zeta(t);
      const shift = shiftAt(t);
      const lattice = bermudanLattice({ ...deal, zeta: (s) => deal.zeta(s) + shift }, swaps.filter((s) => s.exerciseTime >= t), [t], nodes);
      kernel.valueAt(d, paths, out);
      const H = engine.H(t);
      let worst = 0;
      for (let p = 0; p < nPaths; p++) {
        const x = paths.irState[0]![d * nPaths + p]!;
        const exact = (cubic(lattice.valueNodes.h, lattice.valueNodes.half, lattice.values[0]!, x) * Math.exp(H * x + 0.5 * H * H * zetaT)) / disc(t);
        worst = Math.max(worst, Math.abs(out[p]! - exact));
      }
      expect(worst / price, `date ${g.dates[d]}`).toBeLessThan(5e-5);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });
});
