/**
 * Collateral under a CSA, on tiny arrays worked out by hand (src/exposure/collateral.ts, docs/exposure.md).
 * Every expected balance below is derived in the comment next to it from the ISDA CSA rules the module implements:
 *   x = V + IA_cpty − IA_bank;  R = coverage · (max(x − TH_cpty, 0) − max(−x − TH_bank, 0));
 *   at a call, S = R − B moves only when |S| >= the transferring party's MTA (cpty when S > 0, bank when S < 0);
 *   deliveries rounded up, returns rounded down; C(t) = balance after the last call on or before t − MPoR.
 * The numbers are exact in binary floating point (small integers), so equality is tested exactly.
 */
import { describe, it, expect } from 'vitest';
import { computeCollateral } from '../src/exposure/collateral.js';
import { dayOfWeek, fromYmd } from '../src/conventions/dates.js';
import type { NettingSet } from '../src/portfolio/types.js';
import type { TimeGrid } from '../src/simulation/types.js';

/** Monday 8 January 2024: every date below is a Monday (a business day), 7 days apart. */
const MONDAY = fromYmd(2024, 1, 8);

function weeklyGrid(nDates: number, exposure?: number[], lag?: [number, number[]]): TimeGrid {
  return gridOn(Array.from({ length: nDates }, (_, i) => 7 * i), exposure, lag);
}

/** A grid on MONDAY + the given day offsets; `lag` = [MPoR in business days, lag index per grid index]. */
function gridOn(offsets: number[], exposure?: number[], lag?: [number, number[]]): TimeGrid {
  const nDates = offsets.length;
  const dates = Int32Array.from(offsets, (x) => MONDAY + x);
  return {
    asOf: MONDAY,
    dates,
    times: Float64Array.from(dates, (d) => (d - MONDAY) / 365),
    exposureDate: exposure ? Uint8Array.from(exposure) : new Uint8Array(nDates).fill(1),
    lagIndex: lag ? new Map([[lag[0], Int32Array.from(lag[1])]]) : new Map(),
  };
}

function csa(overrides: Partial<NettingSet> = {}): NettingSet {
  return {
    nettingSetId: 'NS_TEST',
    counterpartyId: 'CP_TEST',
    csa: true,
    thresholdCpty: 0,
    thresholdBank: 0,
    mtaCpty: 0,
    mtaBank: 0,
    independentAmountCpty: 0,
    independentAmountBank: 0,
    rounding: 0,
    marginPeriodOfRiskDays: 0,
    marginFrequencyDays: 1,
    imModel: 'none',
    collateralCurrency: 'EUR',
    cleared: false,
    ...overrides,
  };
}

/** Paths given path by path (each a list over dates) → date-major values. */
function dateMajor(paths: number[][]): Float64Array {
  const nPaths = paths.length;
  const nDates = paths[0]!.length;
  const out = new Float64Array(nDates * nPaths);
  for (let p = 0; p < nPaths; p++) for (let d = 0; d < nDates; d++) out[d * nPaths + p] = paths[p]![d]!;
  return out;
}

/** Date-major collateral → path by path, for comparison with the hand lists. */
function byPath(c: Float64Array, nPaths: number): number[][] {
  const nDates = c.length / nPaths;
  return Array.from({ length: nPaths }, (_, p) => Array.from({ length: nDates }, (_, d) => c[d * nPaths + p]! + 0));
}

function run(ns: NettingSet, paths: number[][], grid: TimeGrid, options: Partial<Parameters<typeof computeCollateral>[4]> = {}) {
  const values = dateMajor(paths);
  const out = new Float64Array(values.length);
  const im = computeCollateral(ns, values, grid, paths.length, { coverage: 1, fxToBase: 1, ...options }, out);
  return { c: byPath(out, paths.length), im: [...im] };
}

describe('collateral: variation margin rules by hand', () => {
  it('the test dates are Mondays (business days)', () => {
    expect(dayOfWeek(MONDAY)).toBe(1);
  });

  it('thresholds bind both ways (TH_cpty 100, TH_bank 50)', () => {
    // V = 0 → R 0 → C 0. V = 250 → cpty posts above 100: R = 150. V = −120 → bank posts below −50: R = −70.
    // V = 80 (inside the band) → R = 0: the counterparty returns the bank's 70, C = 0. V = 40 → stays 0.
    const { c } = run(csa({ thresholdCpty: 100, thresholdBank: 50 }), [[0, 250, -120, 80, 40]], weeklyGrid(5));
    expect(c).toEqual([[0, 150, -70, 0, 0]]);
  });

  it('amounts are in the collateral currency, converted once at today’s spot (fxToBase 2: TH 100 = 200 base)', () => {
    // V = 500 base → R = 500 − 200 = 300 base; V = −300 base → bank posts below −2·50 = −100: R = −200 base.
    const { c } = run(csa({ thresholdCpty: 100, thresholdBank: 50 }), [[0, 500, -300]], weeklyGrid(3), { fxToBase: 2 });
    expect(c).toEqual([[0, 300, -200]]);
  });

  it('MTA binds: a call smaller than the MTA is not made (MTA_cpty 50, MTA_bank 30)', () => {
    // Path 1: V 100 → S = 100 >= 50: B 100. V 130 → S = 30 < 50: no call, B 100. V 170 → S = 70: B 170.
    //         V 150 → S = −20, the bank would return 20 < 30: B 170. V 100 → S = −70 >= 30: B 100.
    // Path 2: V 40 → S = 40 < 50: the first call is not made, B 0. V 60 → S = 60: B 60. V 45 → S = −15: B 60.
    //         V −20 → R −20, S = −80: the bank returns 60 and posts 20: B −20. V −40 → S = −20 < 30: B −20.
    const { c } = run(csa({ mtaCpty: 50, mtaBank: 30 }), [
      [100, 130, 170, 150, 100],
      [40, 60, 45, -20, -40],
    ], weeklyGrid(5));
    expect(c).toEqual([
      [100, 100, 170, 170, 100],
      [0, 60, 60, -20, -20],
    ]);
  });

  it('independent amounts both ways (IA_cpty 200, IA_bank 50, TH_cpty 100)', () => {
    // x = V + 150; R = max(x − 100, 0) − max(−x, 0).
    // V 0 → x 150 → R 50. V −100 → x 50 → R 0. V −200 → x −50 → R −50. V 300 → x 450 → R 350.
    const { c } = run(csa({ independentAmountCpty: 200, independentAmountBank: 50, thresholdCpty: 100 }), [[0, -100, -200, 300]], weeklyGrid(4));
    expect(c).toEqual([[50, 0, -50, 350]]);
  });

  it('rounding: deliveries up, returns down, to the multiple of 100', () => {
    // V 230 → deliver 230 ↑ 300: B 300. V 170 → return 130 ↓ 100: B 200 (>= 170, in the bank's favour).
    // V −30 → the cpty returns all 200, the bank delivers 30 ↑ 100: B −100. V −250 → the bank delivers 150 ↑ 200:
    // B −300. V −120 → the cpty returns 180 ↓ 100: B −200 (the cpty still holds >= 120).
    const { c } = run(csa({ rounding: 100 }), [[230, 170, -30, -250, -120]], weeklyGrid(5));
    expect(c).toEqual([[300, 200, -100, -300, -200]]);
  });

  it('MTA, thresholds and rounding on 400 random paths equal a plain transcription of the CSA rules, call by call', () => {
    // Second method: the module comment's rules written out with if/else per path (secured party's delivery rounded
    // up, its return rounded down, a zero crossing returns the old balance and rounds the new delivery up), against
    // the kernel's branch-reduced form. Every grid date is a call date (weekly Mondays, MPoR 0).
    const nDates = 12;
    const ns = csa({ thresholdCpty: 150, thresholdBank: 80, mtaCpty: 60, mtaBank: 45, rounding: 25 });
    const up = (a: number) => Math.ceil(a / 25 - 1e-9) * 25;
    const down = (a: number) => Math.floor(a / 25 + 1e-9) * 25;
    let seed = 12345;
    const paths = Array.from({ length: 400 }, () =>
      Array.from({ length: nDates }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return Math.round(((seed / 2 ** 32) - 0.5) * 1200);
      }),
    );
    const { c } = run(ns, paths, weeklyGrid(nDates));
    paths.forEach((values, p) => {
      let b = 0;
      values.forEach((v, d) => {
        const required = Math.max(v - 150, 0) - Math.max(-v - 80, 0);
        const s = required - b;
        if (s > 0 && s >= 60) b = b >= 0 ? b + up(s) : required <= 0 ? b + down(s) : up(required);
        else if (s < 0 && -s >= 45) b = b <= 0 ? b - up(-s) : required >= 0 ? b - down(-s) : -up(-required);
        expect(c[p]![d], `path ${p} date ${d}`).toBe(b + 0);
      });
    });
  });

  it('margin frequency: with calls every 10 business days on a weekly grid, calls fall on weeks 0, 2, 4', () => {
    // V 10 → B 10 (as-of call). Week 1: no call, 10. Week 2: V 30 → 30. Week 3: no call, 30. Week 4: V 50 → 50.
    const { c } = run(csa({ marginFrequencyDays: 10 }), [[10, 20, 30, 40, 50]], weeklyGrid(5));
    expect(c).toEqual([[10, 10, 30, 30, 50]]);
  });

  it('under an MPoR no margin call on a weekend grid date: the balance of the previous call is carried', () => {
    // As-of Monday V 0 → B 0; Saturday (+5 days) V 100: not a business day, B stays 0; Tuesday (+8) reads the balance
    // at its lag date, the Saturday (lag map [0, 0, 1] for an MPoR of 1 business day): 0, not 100.
    const { c } = run(csa({ marginPeriodOfRiskDays: 1 }), [[0, 100, 200]], gridOn([0, 5, 8], undefined, [1, [0, 0, 1]]));
    expect(c).toEqual([[0, 0, 0]]);
  });

  it('under MPoR 0 a weekend exposure date is its own call: C(t) follows V(t) (it carried a balance a grid step old)', () => {
    // As-of Monday V 0 → B 0; Saturday (+5) V 100 → B 100; Monday (+7) V 200 → B 200 (docs/exposure.md: with MPoR 0,
    // C(t) is the balance of the call at t itself)
    const { c } = run(csa(), [[0, 100, 200]], gridOn([0, 5, 7]));
    expect(c).toEqual([[0, 100, 200]]);
  });
});

describe('collateral: margin period of risk (lagged close-out)', () => {
  // Dates: as-of, lag date L1 = +2W, exposure E1 = +4W, lag date L2 = +6W, exposure E2 = +8W. MPoR 10 business days
  // = 2 weeks, so lag(E1) = L1, lag(E2) = L2; lag(L1) = as-of (L1 − 10 bd = as-of) and lag(L2) = E1.
  const gridFor = (): TimeGrid => gridOn([0, 14, 28, 42, 56], [1, 0, 1, 0, 1], [10, [0, 0, 1, 2, 3]]);

  it('collateral at t equals the requirement at the lag date t − MPoR', () => {
    // Every date is a call date; balances B = V = [0, 100, 300, 200, 500]. C(E1) = B(L1) = 100, C(E2) = B(L2) = 200;
    // C at a lag date is the balance at its own lag (L1 → as-of 0, L2 → E1 300).
    const { c } = run(csa({ marginPeriodOfRiskDays: 10 }), [[0, 100, 300, 200, 500]], gridFor());
    expect(c).toEqual([[0, 0, 100, 300, 200]]);
  });

  it('MTA path dependence carries through the lag', () => {
    // MTA_cpty 150: B = [0, 0 (S 100 < 150), 300, 200, 500]; C = B(lag) = [0, 0, 0, 300, 200].
    const { c } = run(csa({ marginPeriodOfRiskDays: 10, mtaCpty: 150 }), [[0, 100, 300, 200, 500]], gridFor());
    expect(c).toEqual([[0, 0, 0, 300, 200]]);
  });

  it('exposureRowsOnly: the exposure-date rows are the hand values above and the full computation, bit for bit', () => {
    // Hand cases above at the exposure dates 0, 2, 4 only (the engine reads no other row).
    const only = { exposureRowsOnly: true };
    const a = run(csa({ marginPeriodOfRiskDays: 10 }), [[0, 100, 300, 200, 500]], gridFor(), only).c[0]!;
    expect([a[0], a[2], a[4]]).toEqual([0, 100, 200]);
    const b = run(csa({ marginPeriodOfRiskDays: 10, mtaCpty: 150 }), [[0, 100, 300, 200, 500]], gridFor(), only).c[0]!;
    expect([b[0], b[2], b[4]]).toEqual([0, 0, 200]);
    // Many paths with MTAs, rounding, IM and an early last live date: exposure rows identical to the full rows.
    const paths = Array.from({ length: 37 }, (_, p) => Array.from({ length: 5 }, (_, d) => (((p * 7919 + d * 104729) % 2001) - 1000) * (d + 1)));
    const ns = csa({ marginPeriodOfRiskDays: 10, mtaCpty: 120, mtaBank: 80, rounding: 50, thresholdCpty: 100 });
    for (const lastDateIndex of [4, 3]) {
      const full = run(ns, paths, gridFor(), { initialMargin: 40, lastDateIndex }).c;
      const rows = run(ns, paths, gridFor(), { initialMargin: 40, lastDateIndex, ...only }).c;
      for (let p = 0; p < paths.length; p++) for (const d of [0, 2, 4]) expect(Object.is(rows[p]![d], full[p]![d])).toBe(true);
    }
  });

  it('a grid without the set’s close-out dates is refused, naming the netting set', () => {
    expect(() => run(csa({ marginPeriodOfRiskDays: 20 }), [[0, 1, 2, 3, 4]], gridFor())).toThrow(/NS_TEST.*20 business days/);
  });
});

describe('collateral: coverage, IM and uncollateralised sets', () => {
  const values = [[100, 200, -100]];
  it('coverage 0 / 0.5 / 1.2 multiplies the requirement (TH 0)', () => {
    expect(run(csa({ independentAmountCpty: 40 }), values, weeklyGrid(3), { coverage: 0 }).c).toEqual([[0, 0, 0]]);
    // 0.5·[100, 200, −100] and 1.2·[100, 200, −100].
    expect(run(csa(), values, weeklyGrid(3), { coverage: 0.5 }).c).toEqual([[50, 100, -50]]);
    const over = run(csa(), values, weeklyGrid(3), { coverage: 1.2 }).c[0]!;
    [120, 240, -120].forEach((x, d) => expect(over[d]).toBeCloseTo(x, 12));
  });

  it('coverage outside 0..1.2 is refused', () => {
    expect(() => run(csa(), values, weeklyGrid(3), { coverage: 1.5 })).toThrow(/coverage 1.5 is outside 0 to 1.2/);
  });

  it('IM held is added (coverage × amount × FX) until the last live date, and everything is 0 after it', () => {
    // IM 1000 collateral-currency units, FX 1.5, coverage 0.5 → 0.5·1000·1.5 = 750 base. VM (TH 0; V is already in
    // base): R = 0.5·V = [50, 100, −50]; C = R + 750 = [800, 850] up to lastDateIndex 1, then 0.
    const r = run(csa(), values, weeklyGrid(3), { coverage: 0.5, fxToBase: 1.5, initialMargin: 1000, lastDateIndex: 1 });
    expect(r.c).toEqual([[800, 850, 0]]);
    expect(r.im).toEqual([750, 750, 0]);
  });

  it('an uncollateralised set holds its IM only (0 without IM)', () => {
    const none = csa({ csa: false, thresholdCpty: 5 });
    expect(run(none, values, weeklyGrid(3)).c).toEqual([[0, 0, 0]]);
    expect(run(none, values, weeklyGrid(3), { initialMargin: 300, lastDateIndex: 1 }).c).toEqual([[300, 300, 0]]);
  });

  it('an IM profile per grid date: a constant array equals the scalar bit for bit (CSA with MTA/rounding/MPoR, and none)', () => {
    // Second form of the same input: the scalar IM X (collateral currency) at FX f is the base amount X·f on every date,
    // so the array [X·f, …] must give identical C and IM rows, whatever the coverage and the last live date.
    const grid = (): TimeGrid => gridOn([0, 14, 28, 42, 56], [1, 0, 1, 0, 1], [10, [0, 0, 1, 2, 3]]);
    const paths = Array.from({ length: 23 }, (_, p) => Array.from({ length: 5 }, (_, d) => (((p * 7919 + d * 104729) % 2001) - 1000) * (d + 1)));
    const sets = [csa({ marginPeriodOfRiskDays: 10, mtaCpty: 120, mtaBank: 80, rounding: 50, thresholdCpty: 100 }), csa({ csa: false })];
    for (const ns of sets) {
      for (const coverage of [1, 0.7, 1.2]) {
        for (const lastDateIndex of [4, 2]) {
          const common = { coverage, fxToBase: 1.37, lastDateIndex };
          const scalar = run(ns, paths, grid(), { ...common, initialMargin: 333.3 });
          const profile = run(ns, paths, grid(), { ...common, initialMarginProfile: new Float64Array(5).fill(333.3 * 1.37) });
          for (let p = 0; p < paths.length; p++) for (let d = 0; d < 5; d++) expect(Object.is(profile.c[p]![d], scalar.c[p]![d])).toBe(true);
          expect(profile.im.every((x, d) => Object.is(x, scalar.im[d]))).toBe(true);
        }
      }
    }
  });

  it('an IM profile varying by date is added per date (coverage × amount), 0 after the last live date', () => {
    // Uncollateralised: C(d) = 0.5·X(d) = [50, 100, 150] up to lastDateIndex 2, then 0 (X in base: no FX applied).
    const none = csa({ csa: false });
    const r = run(none, [[5, 6, 7, 8]], weeklyGrid(4), { coverage: 0.5, fxToBase: 2, initialMarginProfile: Float64Array.of(100, 200, 300, 400), lastDateIndex: 2 });
    expect(r.c).toEqual([[50, 100, 150, 0]]);
    expect(r.im).toEqual([50, 100, 150, 0]);
    // CSA, TH 0, MPoR 0: C = V + X(d) = [105, 206, 307, 408]
    expect(run(csa(), [[5, 6, 7, 8]], weeklyGrid(4), { initialMarginProfile: Float64Array.of(100, 200, 300, 400) }).c).toEqual([[105, 206, 307, 408]]);
  });

  it('a bad IM profile is refused: negative amount, wrong length, both forms at once', () => {
    const none = csa({ csa: false });
    expect(() => run(none, [[1, 2, 3]], weeklyGrid(3), { initialMarginProfile: Float64Array.of(1, -1, 0) })).toThrow(/NS_TEST: initial margin held -1 at grid date 1/);
    expect(() => run(none, [[1, 2, 3]], weeklyGrid(3), { initialMarginProfile: Float64Array.of(1, 1) })).toThrow(/2 entries for 3 grid dates/);
    expect(() => run(none, [[1, 2, 3]], weeklyGrid(3), { initialMargin: 5, initialMarginProfile: Float64Array.of(1, 1, 1) })).toThrow(/not both/);
  });
});
