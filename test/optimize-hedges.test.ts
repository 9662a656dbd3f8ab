/**
 * CVA hedges lever (src/optimize/levers/hedges, docs/optimize-hedges.md).
 *
 * References:
 * - the closed form (normal equations / exact active set) against a second method: a numerical minimisation of
 *   computeBaCva's K_full itself over the notionals (golden section, cyclic over coordinates, on [0, upper]);
 * - the bound case also against an exhaustive enumeration of active sets (each one's equality-constrained least
 *   squares solved by Cramer's rule on the 2×2 / 3×3 system), an independent exact method;
 * - hand closed forms: a direct hedge (r = 1) is optimal at SNH_c = SCVA_c (K_hedged = 0 for one counterparty), an
 *   index hedge alone at IH = ρ Σ SCVA_c;
 * - hedge value against the ISDA model: par coupon ⇒ the book's pricer values the trade at 0 (cost 0), and spread ×
 *   risky duration = protection leg value; the quoted 5Y spread is the par spread at the 5Y standard maturity;
 * - the cap at the counterparty's net SCVA: a book where the optimum without it over-hedges the one name with a curve
 *   (to offset the systematic term of one without): capped at SNH_c = SCVA_c, against the numerical minimum on
 *   [0, cap];
 * - CS01 on a hand case (flat profile, zero rates): CVA CS01 = LGD·E·(S(T) − S'(T)), hedge CS01 = N·1bp·RPV01'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BA_CVA_PARAMETERS, computeBaCva, type BaCvaIndexHedge, type BaCvaInput, type BaCvaSingleNameHedge } from '../src/capital/bacva.js';
import { bookBaCvaInput, cdsHedges } from '../src/capital/run.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { computeSaccr, saccrYears } from '../src/capital/saccr/index.js';
import { addMonths, fromYmd } from '../src/conventions/dates.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { bootstrapCdsCurve, cdsLegsPv } from '../src/market/cdsIsda.js';
import type { Market } from '../src/market/types.js';
import {
  cvaHedgeActions,
  DEFAULT_DEALER_ID,
  DEFAULT_DEALER_NETTING_SET_ID,
  optimalHedgeNotionals,
  planCvaHedges,
  withHedges,
  type CvaHedgeContext,
} from '../src/optimize/levers/hedges/index.js';
import { priceCreditDefaultSwap } from '../src/pricing/cds.js';
import type { CreditDefaultSwap, InterestRateSwap } from '../src/products/types.js';
import type { ExposureSet } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';

/** |a − b| ≤ tol·|b| (relative), for figures far from 0. */
function rel(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

/** Golden-section minimum of a unimodal f on [a, b], to an interval of width ≤ tol·(1 + |x|). */
function golden(f: (x: number) => number, a: number, b: number, tol = 1e-13): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = b - phi * (b - a);
  let x2 = a + phi * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > tol * (1 + Math.abs(a) + Math.abs(b))) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - phi * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + phi * (b - a);
      f2 = f(x2);
    }
  }
  return (a + b) / 2;
}

/**
 * Second method: minimise computeBaCva(...).kFull over the notionals by cyclic coordinate golden section on
 * [0, upper[j]] (K_hedged is convex in the notionals, and along a line its minimiser is that of the smooth
 * K_hedged², so coordinate descent converges to the minimum), until a sweep moves no notional by more than 1e-12
 * relative.
 */
function numericalMinimum(book: BaCvaInput, singles: BaCvaSingleNameHedge[], indices: BaCvaIndexHedge[], upper: number[]): number[] {
  const n = singles.length + indices.length;
  const x = new Array<number>(n).fill(0);
  const kFull = (v: number[]) =>
    computeBaCva(withHedges(book, singles, v.slice(0, singles.length), indices, v.slice(singles.length)), { version: 'full' }).kFull;
  for (let sweep = 0; sweep < 2000; sweep++) {
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const old = x[j]!;
      x[j] = golden((t) => kFull(x.map((v, k) => (k === j ? t : v))), 0, upper[j]!);
      moved = Math.max(moved, Math.abs(x[j]! - old) / Math.max(1, Math.abs(x[j]!)));
    }
    if (moved < 1e-12) break;
  }
  return x;
}

const cp = (id: string, eadAmount: number, years: number, sector: 'financial' | 'consumer' | 'technology' = 'financial', quality: 'IG' | 'HY_NR' = 'IG') => ({
  counterpartyId: id,
  sector,
  creditQuality: quality,
  nettingSets: [{ nettingSetId: `NS-${id}`, eadAmount, effectiveMaturityYears: years }],
});
const direct = (id: string, years = 5): BaCvaSingleNameHedge => ({ hedgeId: `H-${id}`, counterpartyId: id, relation: 'direct', notionalAmount: 0, remainingMaturityYears: years });

describe('BA-CVA optimal hedge notionals: closed form', () => {
  const { alpha, rho, beta } = BA_CVA_PARAMETERS;

  it('one counterparty, direct hedge: B* = SCVA / (RW·M·DF), K_full = β·K_reduced, equal to the numerical minimum', () => {
    const book: BaCvaInput = { counterparties: [cp('A', 10e6, 4)] };
    const singles = [direct('A', 5)];
    const sol = optimalHedgeNotionals({ book, singleNameHedges: singles });
    const scva = sol.before.counterparties[0]!.scva;
    // hand: RW = 5% (financial IG), DF(5) = (1 − e^{−0.25})/0.25, SCVA = RW·M·EAD·DF/α
    const df = (m: number) => (1 - Math.exp(-0.05 * m)) / (0.05 * m);
    rel(scva, (0.05 * 4 * 10e6 * df(4)) / alpha, 1e-14);
    const hand = scva / (0.05 * 5 * df(5));
    rel(sol.singleNameNotionals[0]!, hand, 1e-12);
    rel(sol.after.kFull, beta * sol.before.kReduced, 1e-12);
    const numeric = numericalMinimum(book, singles, [], [4 * hand]);
    rel(sol.singleNameNotionals[0]!, numeric[0]!, 1e-6);
  });

  it('one counterparty, same-sector proxy hedge (r = 0.5): partial hedge, equal to the numerical minimum', () => {
    const book: BaCvaInput = { counterparties: [cp('A', 10e6, 4)] };
    const singles: BaCvaSingleNameHedge[] = [{ ...direct('A', 5), relation: 'same_sector_and_region' }];
    const sol = optimalHedgeNotionals({ book, singleNameHedges: singles });
    // hand: K_h² = (ρ(s − r w))² + (1 − ρ²)(s − r w)² + (1 − r²) w² = (s − r w)² + (1 − r²) w²  ⇒  w* = r s
    const s = sol.before.counterparties[0]!.scva;
    rel(sol.singleNameNotionals[0]! * sol.singleNameWeights[0]!, 0.5 * s, 1e-12);
    const numeric = numericalMinimum(book, singles, [], [10 * sol.singleNameNotionals[0]!]);
    rel(sol.singleNameNotionals[0]!, numeric[0]!, 1e-6);
  });

  it('several counterparties with ρ = 0.5 interactions, mixed relations and an index hedge: equal to the numerical minimum', () => {
    const book: BaCvaInput = {
      counterparties: [cp('A', 10e6, 4), cp('B', 25e6, 7, 'consumer', 'HY_NR'), cp('C', 6e6, 2, 'technology'), cp('D', 14e6, 3, 'consumer')],
    };
    const singles: BaCvaSingleNameHedge[] = [
      { ...direct('A', 5), relation: 'legally_related' },
      { ...direct('B', 7), relation: 'same_sector_and_region' },
      direct('C', 3),
    ];
    const indices: BaCvaIndexHedge[] = [
      { hedgeId: 'IDX', constituents: [{ sector: 'consumer', creditQuality: 'IG', names: 60 }, { sector: 'financial', creditQuality: 'IG', names: 40 }], notionalAmount: 0, remainingMaturityYears: 5 },
    ];
    const sol = optimalHedgeNotionals({ book, singleNameHedges: singles, indexHedges: indices });
    expect(sol.singleNameNotionals.every((x) => x > 0) && sol.indexNotionals[0]! > 0).toBe(true);
    expect(sol.singleNameAtBound.concat(sol.indexAtBound).some((b) => b)).toBe(false);
    // interior optimum: the unconstrained FOC solution is the optimum
    sol.unconstrainedSingleNameNotionals!.forEach((u, j) => rel(u, sol.singleNameNotionals[j]!, 1e-12));
    const all = [...sol.singleNameNotionals, ...sol.indexNotionals];
    const numeric = numericalMinimum(book, singles, indices, all.map((x) => 4 * x));
    all.forEach((x, j) => rel(x, numeric[j]!, 1e-6));
    // K_full at the optimum ≤ at 0 and at 2× the optimum
    const kAt = (f: number) => computeBaCva(withHedges(book, singles, sol.singleNameNotionals.map((x) => f * x), indices, sol.indexNotionals.map((x) => f * x)), { version: 'full' }).kFull;
    expect(kAt(1)).toBeLessThan(kAt(0));
    expect(kAt(1)).toBeLessThan(kAt(2));
    rel(sol.after.kFull, kAt(1), 1e-14);
    rel(sol.deltaKFull, kAt(1) - kAt(0), 1e-12);
  });

  it('index hedge alone: IH* = ρ Σ SCVA_c (hand)', () => {
    const book: BaCvaInput = { counterparties: [cp('A', 10e6, 4), cp('B', 25e6, 7, 'consumer', 'HY_NR'), cp('C', 6e6, 2, 'technology')] };
    const indices: BaCvaIndexHedge[] = [{ hedgeId: 'IDX', riskWeightOverride: 0.7 * 0.05, notionalAmount: 0, remainingMaturityYears: 5 }];
    const sol = optimalHedgeNotionals({ book, indexHedges: indices });
    let sum = 0;
    for (const c of sol.before.counterparties) sum += c.scva;
    rel(sol.indexNotionals[0]! * sol.indexWeights[0]!, rho * sum, 1e-12);
    rel(sol.after.ih, rho * sum, 1e-12);
  });

  it('cap: one name with a curve, one without: the optimum without the cap buys w = n_A + ρ²·n_B (hand), the cap stops it at SNH_A = SCVA_A', () => {
    // K_hedged² = ρ²(n_A − w + n_B)² + (1 − ρ²)((n_A − w)² + n_B²), minimal at w = n_A + ρ²·n_B > n_A: protection on A
    // offsets B's systematic term (the audit's demo: 127-517 times a counterparty's EAD); capped at w = n_A
    const book: BaCvaInput = { counterparties: [cp('A', 10e6, 4), cp('B', 200e6, 7, 'consumer')] };
    const before = computeBaCva(book, { version: 'full' });
    const [nA, nB] = [before.counterparties[0]!.scva, before.counterparties[1]!.scva];
    const singles = [direct('A', 5)];
    const weight = 0.05 * 5 * ((1 - Math.exp(-0.25)) / 0.25); // RW(financial IG) · M · DF
    const free = optimalHedgeNotionals({ book, singleNameHedges: singles, capAtCounterparty: false });
    rel(free.singleNameNotionals[0]! * weight, nA + rho * rho * nB, 1e-9);
    expect(free.singleNameAtCap[0]).toBe(false);
    const capped = optimalHedgeNotionals({ book, singleNameHedges: singles });
    expect(capped.singleNameAtCap[0]).toBe(true);
    rel(capped.singleNameNotionals[0]! * weight, nA, 1e-12);
    const a = capped.after.counterparties.find((c) => c.counterpartyId === 'A')!;
    rel(a.snh, a.scva, 1e-12);
    // the second method on [0, cap]: the same notional
    rel(numericalMinimum(book, singles, [], [nA / weight])[0]!, capped.singleNameNotionals[0]!, 1e-9);
    expect(capped.after.kFull).toBeGreaterThan(free.after.kFull); // the cap costs capital relief, by design
  });

  it('bound: an over-hedged counterparty would need protection sold; the exact bounded optimum matches enumeration and the numerical minimum', () => {
    // A holds an existing direct hedge of twice its SCVA: n_A < 0, so the unconstrained FOC sells protection on A
    const base: BaCvaInput = { counterparties: [cp('A', 10e6, 4), cp('B', 25e6, 7, 'consumer')] };
    const scvaA = computeBaCva(base, { version: 'full' }).counterparties[0]!.scva;
    const df5 = (1 - Math.exp(-0.25)) / 0.25;
    const book: BaCvaInput = { ...base, singleNameHedges: [{ ...direct('A', 5), hedgeId: 'OLD-A', notionalAmount: (2 * scvaA) / (0.05 * 5 * df5) }] };
    const singles: BaCvaSingleNameHedge[] = [direct('A', 5), { ...direct('B', 5), relation: 'same_sector_and_region' }];
    const indices: BaCvaIndexHedge[] = [{ hedgeId: 'IDX', riskWeightOverride: 0.7 * 0.05, notionalAmount: 0, remainingMaturityYears: 5 }];
    const sol = optimalHedgeNotionals({ book, singleNameHedges: singles, indexHedges: indices });
    expect(sol.unconstrainedSingleNameNotionals![0]!).toBeLessThan(0);
    expect(sol.singleNameNotionals[0]).toBe(0);
    expect(sol.singleNameAtBound[0]).toBe(true);

    // enumeration: every subset of free variables, equality-constrained least squares on it, keep the feasible best
    const kOf = (x: number[]) => computeBaCva(withHedges(book, singles, x.slice(0, 2), indices, x.slice(2)), { version: 'full' }).kFull;
    let best = { k: Infinity, x: [0, 0, 0] };
    for (let mask = 0; mask < 8; mask++) {
      const free = [0, 1, 2].filter((j) => mask & (1 << j));
      // K_hedged² is quadratic: recover its gradient at 0 and Hessian on the free set by forward differences of
      // K² at notionals ≥ 0 (exact for a quadratic up to rounding), then solve the stationarity system
      const q = (x: number[]) => {
        const r = computeBaCva(withHedges(book, singles, x.slice(0, 2), indices, x.slice(2)), { version: 'full' });
        return r.kHedged ** 2;
      };
      const h = 1e6;
      const m = free.length;
      const H = free.map(() => new Array<number>(m).fill(0));
      const g = new Array<number>(m).fill(0);
      const at = (d: Record<number, number>) => q([0, 1, 2].map((j) => d[j] ?? 0));
      free.forEach((j, a) => {
        g[a] = (-3 * at({}) + 4 * at({ [j]: h }) - at({ [j]: 2 * h })) / (2 * h);
        free.forEach((k, b) => {
          H[a]![b] = j === k ? (at({}) - 2 * at({ [j]: h }) + at({ [j]: 2 * h })) / (h * h) : (at({ [j]: h, [k]: h }) - at({ [j]: h }) - at({ [k]: h }) + at({})) / (h * h);
        });
      });
      const x = [0, 0, 0];
      const solveSmall = (A: number[][], b: number[]): number[] => {
        // Gaussian elimination with partial pivoting (m ≤ 3)
        const M = A.map((row, i) => [...row, b[i]!]);
        for (let c = 0; c < b.length; c++) {
          let p = c;
          for (let r = c + 1; r < b.length; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
          [M[c], M[p]] = [M[p]!, M[c]!];
          for (let r = c + 1; r < b.length; r++) {
            const f = M[r]![c]! / M[c]![c]!;
            for (let k = c; k <= b.length; k++) M[r]![k]! -= f * M[c]![k]!;
          }
        }
        const out = new Array<number>(b.length).fill(0);
        for (let r = b.length - 1; r >= 0; r--) {
          let s = M[r]![b.length]!;
          for (let k = r + 1; k < b.length; k++) s -= M[r]![k]! * out[k]!;
          out[r] = s / M[r]![r]!;
        }
        return out;
      };
      if (m > 0) {
        const step = solveSmall(H, g.map((v) => -v));
        free.forEach((j, a) => (x[j] = step[a]!));
      }
      if (x.some((v) => v < 0)) continue;
      const k = kOf(x);
      if (k < best.k) best = { k, x };
    }
    const all = [...sol.singleNameNotionals, ...sol.indexNotionals];
    all.forEach((v, j) => (best.x[j]! === 0 ? expect(v).toBe(0) : rel(v, best.x[j]!, 1e-6)));
    rel(sol.after.kFull, best.k, 1e-9);
    const numeric = numericalMinimum(book, singles, indices, [1e9, 4 * all[1]!, 4 * all[2]!]);
    expect(numeric[0]!).toBeLessThan(1e-6 * all[1]!);
    rel(all[1]!, numeric[1]!, 1e-6);
    rel(all[2]!, numeric[2]!, 1e-6);
  });

  it('two hedges BA-CVA cannot tell apart are refused with a clear message', () => {
    const book: BaCvaInput = { counterparties: [cp('A', 10e6, 4)] };
    expect(() => optimalHedgeNotionals({ book, singleNameHedges: [direct('A'), { ...direct('A'), hedgeId: 'H-A2' }] })).toThrow(/both hedge A as direct/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The lever on a book: three swaps (two counterparties with their own CDS curve, one on a proxy) and an index.

const MARKET_YAML = `
asOf: 2024-01-02
baseCurrency: EUR
curves:
  interpolation: logLinear
  discount:
    EUR: { pillars: [ { tenor: 1Y, zeroRate: 0.02 }, { tenor: 30Y, zeroRate: 0.02 } ] }
  projection:
    EUR-EURIBOR-6M: { pillars: [ { tenor: 1Y, zeroRate: 0.02 }, { tenor: 30Y, zeroRate: 0.02 } ] }
rates:
  EUR:
    hullWhite: { meanReversion: 0.03, sigma: 0.01 }
credit:
  names:
    CPTY_S: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 1Y, spreadBp: 100 }, { tenor: 5Y, spreadBp: 100 } ] }
    CPTY_T: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 1Y, spreadBp: 150 }, { tenor: 3Y, spreadBp: 180 }, { tenor: 5Y, spreadBp: 200 } ] }
    ITRAXX_MAIN: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 3Y, spreadBp: 50 }, { tenor: 5Y, spreadBp: 65 } ] }
  proxies:
    - { sector: financial, rating: A, recovery: 0.40, pillars: [ { tenor: 1Y, spreadBp: 40 }, { tenor: 5Y, spreadBp: 70 } ] }
    - { sector: consumer, rating: BBB, recovery: 0.40, pillars: [ { tenor: 1Y, spreadBp: 90 }, { tenor: 5Y, spreadBp: 150 } ] }
  own:
    recovery: 0.40
    pillars: [ { tenor: 1Y, spreadBp: 60 }, { tenor: 5Y, spreadBp: 60 } ]
capital:
  costOfCapital: 0.10
  capitalRatio: 0.105
`;

async function leverBook() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-hedges-'));
  const marketFile = path.join(dir, 'market.yaml');
  fs.writeFileSync(marketFile, MARKET_YAML);
  const src = path.resolve('test/data/kva_single_swap');
  const { market, portfolio } = await loadSimulationInputs(src, marketFile);
  const swap = portfolio.trades[0]! as InterestRateSwap;
  const clone = (tradeId: string, cp: string, notional: number, maturity?: number): InterestRateSwap => {
    const t = structuredClone(swap);
    t.tradeId = tradeId;
    t.counterpartyId = cp;
    t.nettingSetId = `NS_${cp.slice(-1)}`;
    t.fixedLeg.notional = t.floatLeg.notional = notional;
    if (maturity !== undefined) t.fixedLeg.maturityDate = t.floatLeg.maturityDate = maturity;
    return t;
  };
  portfolio.counterparties.push(
    { counterpartyId: 'CPTY_T', name: 'T', sector: 'technology', rating: 'A', region: 'europe', cdsCurve: 'CPTY_T', qccp: false },
    { counterpartyId: 'CPTY_U', name: 'U', sector: 'consumer', rating: 'BBB', region: 'europe', qccp: false },
  );
  const ns0 = portfolio.nettingSets[0]!;
  portfolio.nettingSets.push({ ...ns0, nettingSetId: 'NS_T', counterpartyId: 'CPTY_T' }, { ...ns0, nettingSetId: 'NS_U', counterpartyId: 'CPTY_U' });
  portfolio.trades.push(clone('SWAP_T', 'CPTY_T', 30e6, fromYmd(2027, 1, 4)), clone('SWAP_U', 'CPTY_U', 20e6));
  const saccr = computeSaccr(portfolio, market, {});
  // flat discounted EPE profiles on a quarterly grid to 5 years (hand exposure: CVA = LGD·E·(1 − S(5)) unilateral)
  const times = Float64Array.from({ length: 21 }, (_, k) => k * 0.25);
  const epe = { NS_S: 0.3e6, NS_T: 0.5e6, NS_U: 0.4e6 } as Record<string, number>;
  const sets: ExposureSet[] = portfolio.nettingSets.map((ns) => {
    const flat = new Float64Array(times.length).fill(epe[ns.nettingSetId]!);
    const none = new Float64Array(times.length);
    return {
      nettingSetId: ns.nettingSetId,
      counterpartyId: ns.counterpartyId,
      times,
      epe: flat,
      ene: new Float64Array(times.length),
      collateral: none,
      epeVm: flat, // no IM held
      collateralVm: none,
      eneVm: new Float64Array(times.length), // no IM posted
      epeStdError: new Float64Array(times.length),
      tradeIds: [],
      tradeEpe: new Float64Array(0),
      tradeEne: new Float64Array(0),
      tradeEpeVm: new Float64Array(0),
      tradeEneVm: new Float64Array(0),
    };
  });
  const credit = creditInputs(portfolio, market, ['CPTY_S', 'CPTY_T', 'CPTY_U']);
  const context: CvaHedgeContext = {
    portfolio,
    market,
    saccr,
    exposure: { sets, credit, xva: { discretisation: 'mid', mode: 'unilateral' } },
    options: { indexHedge: { referenceEntity: 'ITRAXX_MAIN', constituents: [{ sector: 'consumer', creditQuality: 'IG', names: 125 }] } },
  };
  return { market, portfolio, saccr, context, epe };
}

describe('cvaHedgeActions on a small book', async () => {
  const { market, portfolio, saccr, context, epe } = await leverBook();
  const { actions, solution } = planCvaHedges(context);
  const byId = new Map(actions.map((a) => [a.tradeIds[0]!, a]));
  const { rho } = BA_CVA_PARAMETERS;

  it('a curve two counterparties share: the direct hedge is offered only for the one capital books it to (the first in the table), as cdsHedges', () => {
    // CPTY_T priced on CPTY_S's curve: a CDS on CPTY_S hedges CPTY_S (its id, first) in BA-CVA (capital/hedges.ts), so
    // the lever offers it for CPTY_S, not for CPTY_T (it offered it for CPTY_T, the last in the table, and capital then
    // booked it to CPTY_S)
    const shared: Portfolio = { ...portfolio, counterparties: portfolio.counterparties.map((c) => (c.counterpartyId === 'CPTY_T' ? { ...c, cdsCurve: 'CPTY_S' } : c)) };
    const { actions: sharedActions } = planCvaHedges({ ...context, portfolio: shared });
    const direct = sharedActions.filter((a) => !a.tradeIds[0]!.startsWith('HDG-IDX'));
    expect(direct.map((a) => a.tradeIds[0])).toEqual(['HDG-CPTY_S']);
    const hedges = cdsHedges({ ...shared, trades: [...shared.trades, ...direct.flatMap((a) => a.amendment.addTrades)] }, market);
    expect(hedges.map((h) => [h.hedgeId, h.counterpartyId])).toEqual([['HDG-CPTY_S', 'CPTY_S']]);
  });

  it('offers a direct hedge on each named counterparty and the index for the proxy one, deterministically', () => {
    expect([...byId.keys()].sort()).toEqual(['HDG-CPTY_S', 'HDG-CPTY_T', 'HDG-IDX-ITRAXX_MAIN']);
    expect(JSON.stringify(cvaHedgeActions(context))).toBe(JSON.stringify(actions));
    for (const a of actions) {
      expect(a.lever).toBe('cva_hedge');
      const t = a.amendment.addTrades[0]! as CreditDefaultSwap;
      expect(t.product).toBe('CDS');
      expect(t.direction).toBe('buy');
      expect(t.counterpartyId).toBe(DEFAULT_DEALER_ID);
      expect(t.nettingSetId).toBe(DEFAULT_DEALER_NETTING_SET_ID);
      expect(a.amendment.upsertCounterparties[0]!.rating).toBe('A'); // the financial-A proxy exists
    }
    expect(byId.get('HDG-CPTY_S')!.details.tenorYears).toBe(5);
    expect(byId.get('HDG-CPTY_T')!.details.tenorYears).toBe(3);
  });

  it('notionals are the hand optimum: SNH_c = SCVA_c for the named, IH = ρ·SCVA_U for the index', () => {
    const scva = new Map(solution.before.counterparties.map((c) => [c.counterpartyId, c.scva]));
    for (const id of ['CPTY_S', 'CPTY_T']) {
      const a = byId.get(`HDG-${id}`)!;
      rel((a.details.optimalNotional as number) * (a.details.baCvaWeightPerNotional as number), scva.get(id)!, 1e-12);
    }
    const idx = byId.get('HDG-IDX-ITRAXX_MAIN')!;
    rel((idx.details.optimalNotional as number) * (idx.details.baCvaWeightPerNotional as number), rho * scva.get('CPTY_U')!, 1e-12);
    expect(idx.details.indexCovers).toBe('CPTY_U');
  });

  it('xva capital recognises the amended book: the hedged counterparties are exactly covered (SCVA − SNH = 0)', () => {
    const amended = { ...portfolio, trades: [...portfolio.trades], counterparties: [...portfolio.counterparties], nettingSets: [...portfolio.nettingSets] };
    for (const id of ['HDG-CPTY_S', 'HDG-CPTY_T']) {
      const a = byId.get(id)!;
      amended.trades.push(...a.amendment.addTrades);
      for (const c of a.amendment.upsertCounterparties) if (!amended.counterparties.some((x) => x.counterpartyId === c.counterpartyId)) amended.counterparties.push(c);
      for (const n of a.amendment.upsertNettingSets) if (!amended.nettingSets.some((x) => x.nettingSetId === n.nettingSetId)) amended.nettingSets.push(n);
    }
    const result = computeBaCva(bookBaCvaInput(amended, market, computeSaccr(amended, market, {})).input);
    for (const id of ['CPTY_S', 'CPTY_T']) {
      const c = result.counterparties.find((x) => x.counterpartyId === id)!;
      expect(Math.abs(c.scva - c.snh)).toBeLessThanOrEqual(1e-9 * c.scva);
    }
    // the base book's SA-CCR for the same counterparties is unchanged by the hedges (they sit in the dealer set)
    expect(computeSaccr(amended, market, {}).nettingSets.find((n) => n.nettingSetId === 'NS_S')!.ead).toBe(saccr.nettingSets.find((n) => n.nettingSetId === 'NS_S')!.ead);
  });

  it('the trade is at par (ISDA model value 0), so its cost is 0: its premiums (spread × risky duration × notional) are worth its protection; 5Y spread = the 5Y quote', () => {
    const a = byId.get('HDG-CPTY_S')!;
    const t = a.amendment.addTrades[0]! as CreditDefaultSwap;
    rel(t.fixedRate, 0.01, 1e-10); // CPTY_S quotes 100bp at 5Y; the 5Y standard maturity is the bootstrap node
    expect(Math.abs(priceCreditDefaultSwap(t, market, 'EUR'))).toBeLessThan(1e-9 * t.notional);
    const legs = cdsLegsPv({ startDate: t.startDate, maturityDate: t.maturityDate, couponRate: t.fixedRate, recovery: 0.4 }, market.asOf, market.discountCurve('EUR'), market.creditCurve('CPTY_S'));
    // forty-fourth session's optimiser audit: the premiums' value was the action's cost, with nothing for the
    // protection it buys, so no hedge could ever pay; at par the two are equal and the hedge costs nothing to enter
    expect(a.cost).toBe(0);
    rel(a.details.premiumPv as number, t.fixedRate * legs.cleanRiskyAnnuity * t.notional, 1e-12);
    rel(a.details.premiumPv as number, legs.protectionLegPv * t.notional, 1e-9); // at par the premiums are worth the protection
    rel(a.details.premiumPerYear as number, 0.01 * t.notional, 1e-9);
    // a hand risky duration: Σ quarterly ACT/360 accruals × P × Q, Q = e^{−λt} with λ ≈ s/LGD; within 1% (accrual
    // on default and the piecewise-flat hazard are left out of the hand sum)
    const lambda = 0.01 / 0.6;
    let hand = 0;
    for (let d = t.startDate, k = 0; d < t.maturityDate; k++) {
      const next = Math.min(addMonths(t.startDate, 3 * (k + 1)), t.maturityDate);
      const tau = (next - d) / 360;
      const time = (next - market.asOf) / 365;
      hand += tau * Math.exp(-(0.02 + lambda) * time);
      d = next;
    }
    rel(legs.cleanRiskyAnnuity, hand, 0.01);
  });

  it('capital relief per year = −ΔBA-CVA capital × 12.5 × capital ratio × cost of capital', () => {
    const a = byId.get('HDG-CPTY_S')!;
    const base = computeBaCva(bookBaCvaInput(portfolio, market, saccr).input, { version: 'full' });
    const t = a.amendment.addTrades[0]! as CreditDefaultSwap;
    const hedged = computeBaCva(
      { ...bookBaCvaInput(portfolio, market, saccr).input, singleNameHedges: [{ hedgeId: 'x', counterpartyId: 'CPTY_S', relation: 'direct', notionalAmount: t.notional, remainingMaturityYears: saccrYears(market, t.maturityDate) }] },
      { version: 'full' },
    );
    rel(a.details.deltaBaCvaCapitalAlone as number, hedged.capitalFull - base.capitalFull, 1e-12);
    rel(a.details.capitalReliefPerYear as number, (base.capitalFull - hedged.capitalFull) * 12.5 * 0.105 * 0.1, 1e-12);
    expect(a.details.capitalReliefPerYear as number).toBeGreaterThan(0);
  });

  it('CS01: CVA CS01 = LGD·E·(S(5) − S⁺(5)), hedge CS01 = N·1bp·RPV01⁺, after = before − hedge (hand case)', () => {
    const a = byId.get('HDG-CPTY_S')!;
    const t = a.amendment.addTrades[0]! as CreditDefaultSwap;
    const curve = market.creditCurve('CPTY_S');
    const up = bootstrapCdsCurve({ name: 'CPTY_S', asOf: market.asOf, tenors: [{ count: 1, unit: 'Y' }, { count: 5, unit: 'Y' }], spreadsBp: [101, 101], recovery: 0.4, discount: market.discountCurve('EUR'), maturityRule: 'CDS2015' });
    const E = epe.NS_S!;
    const cvaCs01 = 0.6 * E * (curve.survival(5) - up.survival(5));
    rel(a.details.cvaCs01Before as number, cvaCs01, 1e-9);
    // size by the credit triangle: d/ds [LGD·E·(1 − e^{−sT/LGD})] = E·T·e^{−λT} per unit spread; ISDA's ACT/360
    // premium and accrual conventions move λ by about 365/360, so 3%
    rel(a.details.cvaCs01Before as number, E * 5 * Math.exp(-(0.01 / 0.6) * 5) * 1e-4, 0.03);
    const legsUp = cdsLegsPv({ startDate: t.startDate, maturityDate: t.maturityDate, couponRate: 0, recovery: 0.4 }, market.asOf, market.discountCurve('EUR'), up);
    // at the shocked curve the 5Y par spread is 101bp: value of the 100bp protection = 1bp × clean RPV01⁺ exactly
    rel(a.details.hedgeCs01 as number, t.notional * 1e-4 * legsUp.cleanRiskyAnnuity, 1e-9);
    rel(a.details.cvaCs01After as number, (a.details.cvaCs01Before as number) - (a.details.hedgeCs01 as number), 1e-12);
    // sign: the hedge gains when spreads widen, so it takes away part of the CVA CS01 (BA-CVA sizes it on
    // EAD·M·DF, not on the CVA, so not all of it here)
    expect(a.details.hedgeCs01 as number).toBeGreaterThan(0);
    expect(a.details.cvaCs01After as number).toBeLessThan(a.details.cvaCs01Before as number);
    expect(a.details.cvaCs01After as number).toBeGreaterThan(0);
  });

  it('without a financial proxy for the default dealer the lever says what to add', async () => {
    const noProxy = { ...market, proxyCreditCurve: () => { throw new Error('no proxy'); } } as unknown as Market;
    expect(() => planCvaHedges({ ...context, market: noProxy })).toThrow(/column credit.proxies: financial-A-europe, financial-AA-europe, financial-AAA-europe, financial-BBB-europe: expected a proxy curve of one of these for the dealer HDG-DEALER/);
  });
});
