/**
 * The final payment's close-out (src/exposure/collateral.ts closeOutEndOf, CollateralTracker.closeOutEnd; exposure/unit.ts
 * closeOutEndAt). Under the lagged close-out rule the collateral at an exposure date t is the balance called on or before
 * t − MPoR. At every payment date the value V(t) no longer holds the flow paid at t while C still reflects it: the MPoR
 * spike. After a netting set's last live date V = 0, and the balance called before its final payment is still held at
 * the exposure dates whose lag date is on or before that last live date, so E = −C(t − MPoR) there too; after them C = 0.
 *
 * Reference: with zero thresholds, no MTA, no rounding, no independent amount and coverage 1, every margin call brings
 * the balance exactly to the value at the call date, so C(t) = V(lag(t)). The cube gives the engine's V at each exposure
 * date's close-out lag date and the numeraire, from which the expected figures follow by hand:
 *   EPE(t) = (1/n) Σ_p max(V_p(t) − V_p(lag t), 0) / N_p(t),  ENE(t) = (1/n) Σ_p max(V_p(lag t) − V_p(t), 0) / N_p(t),
 * collateral(t) = (1/n) Σ_p V_p(lag t) / N_p(t). Sums in another order than the profile's: tolerance 1e-10 relative.
 */
import { describe, expect, it } from 'vitest';
import { closeOutEndOf, computeCollateral } from '../src/exposure/collateral.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { fromYmd } from '../src/conventions/dates.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { FINAL_PAYMENT, LAST_LIVE, closeOutBook } from './helpers/closeOutBook.js';
import { plainNettingSet } from './helpers/swapBook.js';

describe('closeOutEndOf: the last grid date whose lag date is on or before the last live date', () => {
  it('lags never decrease; MPoR 0 (identity) and no live date give the last live date itself', () => {
    const lag = Int32Array.from([0, 0, 0, 1, 2, 2, 4, 6]);
    expect(closeOutEndOf(lag, 2)).toBe(5); // lag[5] = 2 ≤ 2, lag[6] = 4 > 2
    expect(closeOutEndOf(lag, 0)).toBe(2);
    expect(closeOutEndOf(lag, 6)).toBe(7); // the grid's end
    expect(closeOutEndOf(Int32Array.from([0, 1, 2, 3]), 1)).toBe(1);
    expect(closeOutEndOf(undefined, 3)).toBe(3);
    expect(closeOutEndOf(lag, -1)).toBe(-1);
  });

  it('computeCollateral: after the last live date the balance at the lag date until the close-out end, then 0 (hand case)', () => {
    // six weekly dates, MPoR lag one date back; the set lives up to index 2 (values 10, 20, 30 on one path)
    const asOf = fromYmd(2024, 1, 8);
    const dates = Int32Array.from({ length: 6 }, (_, i) => asOf + 7 * i);
    const grid: TimeGrid = {
      asOf,
      dates,
      times: Float64Array.from(dates, (d) => (d - asOf) / 365),
      exposureDate: new Uint8Array(6).fill(1),
      lagIndex: new Map([[5, Int32Array.from([0, 0, 1, 2, 3, 4])]]),
    };
    const ns = plainNettingSet('NS', 'CP', { csa: true, marginPeriodOfRiskDays: 5 });
    const values = Float64Array.from([10, 20, 30, 0, 0, 0]);
    const out = new Float64Array(6);
    const im = computeCollateral(ns, values, grid, 1, { coverage: 1, fxToBase: 1, initialMargin: 4, lastDateIndex: 2 }, out);
    // C(d) = V(lag d) + IM up to the close-out end 3 (lag[3] = 2 ≤ 2); C(4) = 0 (lag 3 > 2): the call at 3 is not made
    expect(Array.from(out)).toEqual([14, 14, 24, 34, 0, 0]);
    expect(Array.from(im)).toEqual([4, 4, 4, 4, 0, 0]);
    // an IM profile (a dynamic IM: 0 once the set has paid out) is held at its close-out lag date's amount after the
    // last live date, as the VM balance: C(3) = V(2) + profile[2] = 30 + 7
    const profiled = computeCollateral(ns, values, grid, 1, { coverage: 1, fxToBase: 1, initialMarginProfile: Float64Array.from([5, 6, 7, 0, 0, 0]), lastDateIndex: 2 }, out);
    expect(Array.from(out)).toEqual([15, 16, 27, 37, 0, 0]);
    expect(Array.from(profiled)).toEqual([5, 6, 7, 7, 0, 0]);
    // a set with no live date at all: no close-out after the as-of date
    const dead = computeCollateral(ns, new Float64Array(6), grid, 1, { coverage: 1, fxToBase: 1, initialMargin: 4, lastDateIndex: -1 }, out);
    expect(Array.from(out)).toEqual([4, 0, 0, 0, 0, 0]);
    expect(Array.from(dead)).toEqual([4, 0, 0, 0, 0, 0]);
  });
});

describe("the engine's profiles at the final payment's close-out", () => {
  it('a 2-year CSA swap set (zero thresholds, MPoR 10): E = −V(lag) at its final payment date and within the MPoR after it, 0 beyond; Euler shares the residual', async () => {
    const { market } = await loadSimulationInputs('fixtures/demo', 'fixtures/demo/market.yaml');
    expect(market.asOf).toBe(fromYmd(2026, 6, 30));
    const { portfolio, tenors } = closeOutBook(market.asOf);
    const finalPayment = FINAL_PAYMENT;
    const cube = new Map<string | null, { closeOutGridIndex: Int32Array; closeOutValues: Float64Array; values: Float64Array; gridIndex: Int32Array }>();
    const nPaths = 400;
    const result = await runSimulation({
      portfolio,
      market,
      options: { paths: nPaths, seed: 11, grid: { kind: 'list', tenors }, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true },
      onCube: (id, _f32, _n, _serials, detail) => cube.set(id, { closeOutGridIndex: detail.closeOutGridIndex, closeOutValues: Float64Array.from(detail.closeOutValues), values: Float64Array.from(detail.values!), gridIndex: detail.gridIndex }),
    });
    const set = result.nettingSets[0]!;
    const { profile } = set;
    const grid = result.grid;
    const k = (serial: number) => profile.dateIndex.findIndex((d) => grid.dates[d] === serial);
    const kLast = k(LAST_LIVE);
    const kPay = k(finalPayment);
    const kAfter = k((finalPayment + 6));
    const kBeyond = k((finalPayment + 30));
    expect([kLast, kPay, kAfter, kBeyond].every((x) => x > 0)).toBe(true);
    // the set's last live grid index is before the final payment date
    expect(grid.dates[set.lastDateIndex]!).toBeLessThan(finalPayment);
    expect(grid.dates[set.lastDateIndex]!).toBeGreaterThanOrEqual(LAST_LIVE);

    const setCube = cube.get('NS_END')!;
    const numeraire = cube.get(null)!.values;
    // the close-out rows: the lag date of every exposure date up to the close-out end (the final payment and 6 days
    // after it included), none for 30 days after
    const rowOf = (kk: number): number => {
      let row = 0;
      for (let j = 0; j < kk; j++) if (setCube.closeOutGridIndex[j]! >= 0) row++;
      return setCube.closeOutGridIndex[kk]! >= 0 ? row : -1;
    };
    expect(rowOf(kPay)).toBeGreaterThanOrEqual(0);
    expect(rowOf(kAfter)).toBeGreaterThanOrEqual(0);
    expect(rowOf(kBeyond)).toBe(-1);
    const expected = (kk: number) => {
      const row = rowOf(kk);
      let epe = 0;
      let ene = 0;
      let coll = 0;
      for (let p = 0; p < nPaths; p++) {
        const v = setCube.values[kk * nPaths + p]!;
        const c = row >= 0 ? setCube.closeOutValues[row * nPaths + p]! : 0;
        const n = numeraire[kk * nPaths + p]!;
        epe += Math.max(v - c, 0) / n;
        ene += Math.max(c - v, 0) / n;
        coll += c / n;
      }
      return { epe: epe / nPaths, ene: ene / nPaths, collateral: coll / nPaths };
    };
    for (const kk of [kLast, kPay, kAfter]) {
      const want = expected(kk);
      const scale = want.epe + want.ene + 1;
      expect(Math.abs(profile.epe[kk]! - want.epe), `EPE at ${kk}`).toBeLessThanOrEqual(1e-10 * scale);
      expect(Math.abs(profile.ene[kk]! - want.ene), `ENE at ${kk}`).toBeLessThanOrEqual(1e-10 * scale);
      expect(Math.abs(profile.collateral[kk]! - want.collateral), `collateral at ${kk}`).toBeLessThanOrEqual(1e-10 * scale);
    }
    // the spike is there: V = 0 at the final payment (the flow paid at t is not in V(t)) and E = −V(lag): the bank
    // owes the net final coupon (it pays 4.5% on 100m, receives 3% on 40m), so it has posted collateral that it does
    // not get back (before this rule EPE was 0 there)
    for (let p = 0; p < nPaths; p++) expect(setCube.values[kPay * nPaths + p]).toBe(0);
    expect(profile.epe[kPay]!).toBeGreaterThan(1e5);
    expect(profile.collateral[kPay]!).toBeLessThan(-1e5);
    // beyond the close-out end every figure is 0
    for (const key of ['epe', 'ene', 'collateral', 'pfe', 'ee'] as const) expect(profile[key][kBeyond], key).toBe(0);
    // Euler: V_i = 0 on every path, so the exposure is all residual, shared equally by the two trades
    const nExp = profile.dateIndex.length;
    for (const kk of [kPay, kAfter]) {
      expect(set.tradeEpe[kk]!).toBeCloseTo(profile.epe[kk]! / 2, 6);
      expect(set.tradeEpe[nExp + kk]!).toBeCloseTo(profile.epe[kk]! / 2, 6);
      expect(set.tradeEne[kk]! + set.tradeEne[nExp + kk]!).toBeCloseTo(profile.ene[kk]!, 6);
    }
    // the counterparty's total (one set) carries the spike too
    expect(result.counterparties[0]!.epe[kPay]).toBeCloseTo(profile.epe[kPay]!, 6);

    // IM profiles (as --dynamic-im gives them: 0 from the final payment on, when the set has paid out) held and posted:
    // after the last live date the amounts of the close-out lag date are still there, as the VM balance is, so
    // EPE = (1/n) Σ max(V − VM − IM_held(lag), 0)/N and ENE = (1/n) Σ max(VM − V − IM_posted(lag), 0)/N at the final
    // payment (the lag date, 10 business days before it, is after 2027: IM 1.5m held, 2m posted)
    const imProfile = (amount: number) => ({ dates: Int32Array.from([market.asOf, fromYmd(2027, 6, 30), finalPayment]), amounts: Float64Array.from([amount / 2, amount, 0]) });
    const withIm = await runSimulation({
      portfolio,
      market,
      options: {
        paths: nPaths, seed: 11, grid: { kind: 'list', tenors }, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false,
        initialMarginProfiles: new Map([['NS_END', imProfile(1.5e6)]]),
        postedInitialMarginProfiles: new Map([['NS_END', imProfile(2e6)]]),
      },
    });
    const im = withIm.nettingSets[0]!.profile;
    const row = rowOf(kPay);
    let epe = 0;
    let ene = 0;
    for (let p = 0; p < nPaths; p++) {
      const c = setCube.closeOutValues[row * nPaths + p]!;
      const n = numeraire[kPay * nPaths + p]!;
      epe += Math.max(-c - 1.5e6, 0) / n;
      ene += Math.max(c - 2e6, 0) / n;
    }
    expect(Math.abs(im.epe[kPay]! - epe / nPaths)).toBeLessThanOrEqual(1e-10 * (epe / nPaths + 1));
    expect(Math.abs(im.ene[kPay]! - ene / nPaths)).toBeLessThanOrEqual(1e-10 * (ene / nPaths + 1));
    // the IM held lowers the spike (it was 0 there before: the profile's amount at the final payment)
    expect(im.epe[kPay]!).toBeLessThan(profile.epe[kPay]! - 1e5);
    expect(im.epe[kBeyond]).toBe(0);
  }, 60_000);
});
