/**
 * Caps and floors on an overnight index compounded in arrears (USD-SOFR; products/capFloor.ts `inArrears`), against
 * references independent of the code under test:
 * - today's price on a normal surface: each caplet's Bachelier price on its compounded forward with the variance of
 *   Lyashenko & Mercurio (2019, §6): the vol read at the period's start s, over s + (e − s)/3, by hand;
 * - under Hull-White: the variance of ∫ₛᵉ r du by a double integral of the state's covariance kernel
 *   e^{−a|u−w|}·y(min(u, w)) (not the split the pricer uses), and the price by a Monte Carlo of the short rate written
 *   here (exact Ornstein-Uhlenbeck steps, daily, the rate's integral by the trapezoid rule), within 3 standard errors;
 * - cap − floor = the payer OIS swap of the same periods (parity), today and on every path of the engine;
 * - the engine: EPE at t = 0 is today's price; EPE(t) lies between the price today of the caplets still to pay after
 *   t decided at their starts (a term caplet's variance) and the same caplets in arrears (docs/simulation.md: the
 *   engine decides the exercise at the period's start, with each caplet's variance before it matched to the
 *   in-arrears price), within 3 standard errors;
 * - SA-CCR's exercise date T is the end of the last caplet's period; rows with USD-SOFR read, a lookback refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, fromYmd, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import { yearFraction } from '../src/conventions/dayCount.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { IssueCollector } from '../src/errors.js';
import { writeTable } from '../src/io/write.js';
import { parseMarket } from '../src/market/load.js';
import type { HullWhiteParams, SwaptionVolSurface } from '../src/market/types.js';
import { computeSaccr } from '../src/capital/saccr/compute.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import { bachelier } from '../src/pricing/black.js';
import { hullWhiteStateVariance, inArrearsVariance } from '../src/pricing/hullWhite.js';
import { priceTrade } from '../src/pricing/index.js';
import { swaptionVolatility } from '../src/pricing/swaptionVol.js';
import { capletPieces } from '../src/products/capFloor.js';
import type { CapFloor, FloatLeg, InterestRateSwap, Swaption } from '../src/products/types.js';
import { USD_MARKET, marketView } from './helpers/marketView.js';
import { mulberry32 } from './helpers/seeded.js';
import { simpleModel, simplePaths, timeGrid } from './helpers/simpleModel.js';
import { subsetPaths } from './helpers/subsetPaths.js';
import { compileNettingSet } from '../src/exposure/valuation/index.js';

const N = 10_000_000;
const AS_OF = fromYmd(2026, 6, 15);
// USD-SOFR projects on the OIS discount pillars (read from the helper's market text): one curve, so the compounded
// forward is P(s)/P(e) and there is no index basis
const OIS_PILLARS = /discount:\n\s+USD:\n(\s+pillars:\n(?:\s+- \{[^\n]*\}\n)+)/.exec(USD_MARKET)![1]!;
const SOFR_CURVE = `    USD-SOFR:\n${OIS_PILLARS}`;
const market = parseMarket(USD_MARKET.replace('  projection:\n', `  projection:\n${SOFR_CURVE}`), 'caps.yaml');
const A = 0.03;
const SIGMA = 0.01;
const hw: HullWhiteParams = { currency: 'USD', meanReversion: A, sigmaTimes: Float64Array.of(Number.POSITIVE_INFINITY), sigmas: Float64Array.of(SIGMA), source: 'given' };
const hwMarket = marketView(market, { hullWhite: { USD: hw } });
const surface: SwaptionVolSurface = {
  currency: 'USD', type: 'normal', shift: 0,
  quotes: [1, 3, 5].flatMap((e) => [1, 5].map((t) => ({ expiryYears: e, tenorYears: t, vol: 0.0105 - 0.0002 * e + 0.0001 * t }))),
};
const volMarket = marketView(market, { swaptionVols: { USD: surface } });

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A quarterly SOFR leg on unadjusted dates (so the schedule is addMonths from the start), ACT/360. */
function sofr(start: DateSerial, years: number): FloatLeg {
  return {
    kind: 'float', currency: 'USD', notional: N, floatIndex: 'USD-SOFR', spreadBp: 0, frequency: '3M', dayCount: 'ACT/360',
    startDate: start, maturityDate: addMonths(start, 12 * years), businessDayConvention: 'U', stub: 'short_front', endOfMonth: false,
  };
}

function capFloor(tradeId: string, optionType: 'cap' | 'floor', direction: 'buy' | 'sell', strike: number, floatLeg: FloatLeg, nettingSetId = 'NS1'): CapFloor {
  return { tradeId, counterpartyId: `CP_${nettingSetId}`, nettingSetId, cleared: false, product: 'CAPFLOOR', direction, optionType, strike, floatLeg };
}

/** The OIS paying K quarterly on the leg's own dates and day count (one fixed period per float period). */
function payerOis(tradeId: string, strike: number, floatLeg: FloatLeg, nettingSetId: string): InterestRateSwap {
  return {
    tradeId, counterpartyId: `CP_${nettingSetId}`, nettingSetId, cleared: false, product: 'OIS', direction: 'pay',
    fixedLeg: { ...floatLeg, kind: 'fixed', fixedRate: strike } as unknown as InterestRateSwap['fixedLeg'],
    floatLeg,
  };
}

/** Periods [s, e] of a quarterly leg by hand. */
function periods(leg: FloatLeg): { s: DateSerial; e: DateSerial }[] {
  const out: { s: DateSerial; e: DateSerial }[] = [];
  for (let k = 0; addMonths(leg.startDate, 3 * k) < leg.maturityDate; k++) out.push({ s: addMonths(leg.startDate, 3 * k), e: addMonths(leg.startDate, 3 * (k + 1)) });
  return out;
}

/** The same caplet decided at its start (a term caplet's variance, to s only): the lower bound of the engine's values. */
function decidedAtStart(caplet: Swaption): Swaption {
  const { inArrears: _dropped, ...plain } = caplet;
  return plain;
}

describe('overnight caps and floors valued today (compounded in arrears)', () => {
  const start = addMonths(AS_OF, 3);
  const leg = sofr(start, 3);
  const K = 0.038;

  it('with a normal surface: Σ N·τ·P(0, e)·Bachelier(F, K, σ(s), s + (e − s)/3), F the compounded forward (P(s)/P(e) − 1)/τ, by hand', () => {
    const disc = volMarket.discountCurve('USD');
    let cap = 0;
    let floor = 0;
    let termLike = 0;
    for (const { s, e } of periods(leg)) {
      const tau = yearFraction('ACT/360', s, e);
      const [ts, te] = [volMarket.time(s), volMarket.time(e)];
      const F = (disc.discount(ts) / disc.discount(te) - 1) / tau;
      // the caplet surface is the swaption surface here: read at the expiry s and the period as the tenor
      const vol = swaptionVolatility(surface, ts, Math.round(((e - s) / 365.25) * 12) / 12);
      const annuity = N * tau * disc.discount(te);
      cap += annuity * bachelier('call', F, K, vol, ts + (te - ts) / 3);
      floor += annuity * bachelier('put', F, K, vol, ts + (te - ts) / 3);
      termLike += annuity * bachelier('call', F, K, vol, ts);
    }
    const price = priceTrade(capFloor('C', 'cap', 'buy', K, leg), volMarket).npv;
    expect(Math.abs(price - cap)).toBeLessThan(1e-9 * N);
    expect(Math.abs(priceTrade(capFloor('F', 'floor', 'buy', K, leg), volMarket).npv - floor)).toBeLessThan(1e-9 * N);
    expect(Math.abs(priceTrade(capFloor('S', 'cap', 'sell', K, leg), volMarket).npv + cap)).toBeLessThan(1e-9 * N);
    // the in-period variance is worth something: above the caplets fixed at their starts, by more than rounding
    expect(cap - termLike).toBeGreaterThan(1e-4 * N);
    expect(floor).toBeGreaterThan(1e-3 * N);
  });

  it('under Hull-White: the variance of ∫ₛᵉ r du equals the double integral of the state\'s covariance kernel', () => {
    const y = (t: number) => hullWhiteStateVariance(hw, t);
    for (const [s, e] of [[0.25, 0.5], [1, 1.25], [2.75, 3], [0.002, 0.25]] as const) {
      // ∫∫ Cov(x_u, x_w) du dw with Cov = e^{−a|u−w|}·y(min(u, w)), midpoint rule on an n × n grid (error O(h²))
      const n = 800;
      const h = (e - s) / n;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const u = s + (i + 0.5) * h;
        for (let j = 0; j < n; j++) {
          const w = s + (j + 0.5) * h;
          sum += Math.exp(-A * Math.abs(u - w)) * y(Math.min(u, w));
        }
      }
      const reference = sum * h * h;
      expect(Math.abs(inArrearsVariance(hw, s, e) / reference - 1), `[${s}, ${e}]`).toBeLessThan(1e-5);
    }
    // κ → 0 (the series branch) agrees with the closed form at a small κ and with Brownian motion's (e − s)³/3 at 0
    const tiny: HullWhiteParams = { ...hw, meanReversion: 1e-9 };
    const zero: HullWhiteParams = { ...hw, meanReversion: 0 };
    const s = 1;
    const e = 1.25;
    const bm = SIGMA * SIGMA * ((e - s) ** 2 * s + (e - s) ** 3 / 3);
    expect(Math.abs(inArrearsVariance(zero, s, e) / bm - 1)).toBeLessThan(1e-12);
    expect(Math.abs(inArrearsVariance(tiny, s, e) / bm - 1)).toBeLessThan(1e-8);
    const small: HullWhiteParams = { ...hw, meanReversion: 0.0039 }; // a·w just above the series' 1e-3 at w = 0.25
    const smaller: HullWhiteParams = { ...hw, meanReversion: 0.0041 };
    expect(Math.abs(inArrearsVariance(small, s, e) / inArrearsVariance(smaller, s, e) - 1)).toBeLessThan(1e-3);
  });

  it('under Hull-White: each caplet equals a Monte Carlo of the short rate (exact OU steps, daily) within 3 standard errors', () => {
    // one caplet [1Y, 1Y3M] at the money and one out of the money, single curve (USD-SOFR projects on the OIS curve)
    const s0 = addMonths(AS_OF, 12);
    const caplets = [0.036, 0.045].map((strike) => capFloor(`C${strike}`, 'cap', 'buy', strike, sofr(s0, 0.25)));
    const disc = hwMarket.discountCurve('USD');
    const [ts, te] = [hwMarket.time(s0), hwMarket.time(addMonths(s0, 3))];
    const tau = yearFraction('ACT/360', s0, addMonths(s0, 3));
    // r(t) = f(0,t) + ψ(t) + x(t), ψ(t) = σ²/(2a²)(1 − e^{−at})² (Brigo & Mercurio (3.37), constant σ), x an OU
    // process from 0; ∫₀ᵗ f(0,u) du = −ln P(0,t), so D(0,t) = P(0,t)·exp(−∫₀ᵗ ψ − ∫₀ᵗ x).
    const psiIntegral = (t: number): number => {
      const m = 2000;
      let acc = 0;
      for (let i = 0; i < m; i++) {
        const u = ((i + 0.5) * t) / m;
        acc += (SIGMA * SIGMA) / (2 * A * A) * (1 - Math.exp(-A * u)) ** 2;
      }
      return (acc * t) / m;
    };
    const steps = Math.round(te * 365);
    const dt = te / steps;
    const sIndex = Math.round(ts / dt);
    const decay = Math.exp(-A * dt);
    const stepSd = SIGMA * Math.sqrt((1 - Math.exp(-2 * A * dt)) / (2 * A));
    const dS = disc.discount(sIndex * dt) * Math.exp(-psiIntegral(sIndex * dt));
    const dE = disc.discount(te) * Math.exp(-psiIntegral(te));
    // a small seeded generator (mulberry32) and Box-Muller: independent of the engine's Philox
    const uniform = mulberry32(20261128);
    const paths = 40_000;
    const sums = caplets.map(() => ({ sum: 0, sumSq: 0 }));
    for (let p = 0; p < paths; p++) {
      let x = 0;
      let integral = 0;
      let integralToS = 0;
      for (let k = 1; k <= steps; k++) {
        const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
        const next = x * decay + stepSd * z;
        integral += 0.5 * (x + next) * dt;
        x = next;
        if (k === sIndex) integralToS = integral;
      }
      // the caplet pays N·(Y − 1 − τK) at e, Y = D(s)/D(e): its value today is E[(N·D(0,s) − N(1 + τK)·D(0,e))⁺]
      const deflatedS = dS * Math.exp(-integralToS);
      const deflatedE = dE * Math.exp(-integral);
      caplets.forEach((c, i) => {
        const v = Math.max(N * deflatedS - N * (1 + tau * c.strike) * deflatedE, 0);
        sums[i]!.sum += v;
        sums[i]!.sumSq += v * v;
      });
    }
    caplets.forEach((c, i) => {
      const mean = sums[i]!.sum / paths;
      const se = Math.sqrt((sums[i]!.sumSq / paths - mean * mean) / paths);
      const price = priceTrade(c, hwMarket).npv;
      expect(Math.abs(price - mean), `${c.tradeId}: ${price} against ${mean} ± ${se}`).toBeLessThan(3 * se);
      expect(se).toBeLessThan(0.02 * price);
    });
  });

  it('cap − floor = the payer OIS at the strike (parity), with a surface and under Hull-White', () => {
    for (const m of [volMarket, hwMarket]) {
      const cap = priceTrade(capFloor('C', 'cap', 'buy', K, leg), m).npv;
      const floor = priceTrade(capFloor('F', 'floor', 'buy', K, leg), m).npv;
      const swap = priceTrade(payerOis('P', K, leg, 'NS1'), m).npv;
      expect(Math.abs(cap - floor - swap)).toBeLessThan(1e-9 * N);
    }
  });
});

describe('overnight caps and floors on paths (Hull-White, 6,000 paths)', () => {
  const start = addMonths(AS_OF, 3);
  const leg = sofr(start, 2);
  const K = 0.0375;
  const set = (id: string): NettingSet => ({
    nettingSetId: id, counterpartyId: `CP_${id}`, csa: false, thresholdCpty: 0, thresholdBank: 0, mtaCpty: 0, mtaBank: 0, independentAmountCpty: 0,
    independentAmountBank: 0, rounding: 0, marginPeriodOfRiskDays: 0, marginFrequencyDays: 1, imModel: 'none', collateralCurrency: 'USD', cleared: false,
  });
  const cap = capFloor('CAP', 'cap', 'buy', K, leg, 'NS_CAP');
  const collarCap = capFloor('COLLAR_CAP', 'cap', 'buy', K, leg, 'NS_COLLAR');
  const collarFloor = capFloor('COLLAR_FLOOR', 'floor', 'sell', K, leg, 'NS_COLLAR');
  const swap = payerOis('SWAP', K, leg, 'NS_SWAP');
  // every period start (the exercise, read at the grid date on it) and a date inside each period
  const dates = [AS_OF, addMonths(AS_OF, 1)];
  for (let k = 0; k < 8; k++) dates.push(addMonths(start, 3 * k), addMonths(start, 3 * k + 2));
  const grid = { asOf: AS_OF, dates: Int32Array.from(dates), times: Float64Array.from(dates, (d) => yearsBetween(AS_OF, d)), exposureDate: new Uint8Array(dates.length).fill(1), lagIndex: new Map() };
  let result: Awaited<ReturnType<typeof runSimulation>>;
  beforeAll(async () => {
    const portfolio: Portfolio = {
      trades: [cap, collarCap, collarFloor, swap], counterparties: [],
      nettingSets: ['NS_CAP', 'NS_COLLAR', 'NS_SWAP'].map(set),
      eligibleCollateral: [], collateral: [], sources: {},
    };
    result = await runSimulation({ portfolio, market: hwMarket, options: { paths: 6000, seed: 23, grid, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false } });
  }, 120_000);
  const profile = (id: string) => result.nettingSets.find((s) => s.nettingSetId === id)!.profile;

  it('a bought cap: EPE at t = 0 is today\'s (in-arrears) price; EPE(t) lies between the caplets after t decided at their starts and in arrears (3 standard errors)', () => {
    const p = profile('NS_CAP');
    const price = priceTrade(cap, hwMarket).npv;
    expect(Math.abs(p.epe[0]! - price)).toBeLessThan(1e-9 * N);
    const pieces = capletPieces(cap, AS_OF).caplets;
    expect(pieces.every((c) => c.inArrears === true)).toBe(true);
    for (let k = 1; k < dates.length; k++) {
      const after = pieces.filter((c) => c.floatLeg.maturityDate > dates[k]!);
      const inArrears = after.reduce((acc, c) => acc + priceTrade(c, hwMarket).npv, 0);
      const atStart = after.reduce((acc, c) => acc + priceTrade(decidedAtStart(c), hwMarket).npv, 0);
      expect(inArrears).toBeGreaterThanOrEqual(atStart);
      expect(p.ene[k]!).toBeGreaterThan(-1e-7 * N);
      const band = 3 * p.epeStdError[k]! + 1e-7 * N;
      expect(p.epe[k]!, `EPE at ${dates[k]}: ${p.epe[k]} ± ${p.epeStdError[k]}, [${atStart}, ${inArrears}]`).toBeGreaterThan(atStart - band);
      expect(p.epe[k]!).toBeLessThan(inArrears + band);
    }
  });

  it('a bought cap and a sold floor at one strike are the payer OIS on every path: the same EPE, ENE and PFE (state-grid error, 2e-6 of N)', () => {
    const [c, s] = [profile('NS_COLLAR'), profile('NS_SWAP')];
    for (let k = 0; k < dates.length; k++) {
      for (const key of ['epe', 'ene', 'pfe'] as const) expect(Math.abs(c[key][k]! - s[key][k]!), `${key}[${k}]`).toBeLessThan(2e-6 * N);
    }
  });
});

describe('overnight caplets starting between grid dates: each decided on the state drawn at its start', () => {
  it('a 1-year quarterly SOFR cap from two weeks out on a quarterly grid: E[V/N] on the same paths as a grid holding its starts within 3 paired se (40,000 paths)', () => {
    // measured +1.6 and 0.0 paired se at the first two grid dates; decided on the grid date on or before each start (the
    // engine before the fortieth session: today's state for the first caplet on every path) −12.6 at the first
    const start = AS_OF + 16;
    const cap = capFloor('CAP_EARLY', 'cap', 'buy', 0.04, sofr(start, 1));
    const coarse = [1, 2, 3, 4, 5].map((k) => addMonths(AS_OF, 3 * k));
    const starts = [0, 1, 2, 3].map((k) => addMonths(start, 3 * k));
    const fineGrid = timeGrid(AS_OF, [...new Set([...coarse, ...starts])].sort((a, b) => a - b));
    const model = simpleModel(hwMarket, { currencies: ['USD'], hullWhite: { USD: hw } });
    const nPaths = 40_000;
    const finePaths = simplePaths(model, hwMarket, fineGrid, { nPaths, seed: 5 });
    const coarsePaths = subsetPaths(finePaths, coarse);
    const onFine = compileNettingSet([cap], { market: hwMarket, model, grid: fineGrid, nettingSetId: 'NS1' });
    const onCoarse = compileNettingSet([cap], { market: hwMarket, model, grid: coarsePaths.grid, nettingSetId: 'NS1' });
    const a = new Float64Array(nPaths);
    const b = new Float64Array(nPaths);
    for (const date of coarse.slice(0, 2)) {
      const df = fineGrid.dates.indexOf(date);
      onCoarse.valueAt(coarsePaths.grid.dates.indexOf(date), coarsePaths, a);
      onFine.valueAt(df, finePaths, b);
      let sum = 0;
      let sumSq = 0;
      for (let p = 0; p < nPaths; p++) {
        const diff = (a[p]! - b[p]!) / finePaths.numeraire[df * nPaths + p]!;
        sum += diff;
        sumSq += diff * diff;
      }
      const mean = sum / nPaths;
      const se = Math.sqrt((sumSq / nPaths - mean * mean) / (nPaths - 1));
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(mean), `${date}: ${mean} (paired se ${se})`).toBeLessThan(3 * se);
    }
  });
});

describe('overnight caps in the inputs and SA-CCR', () => {
  const DEMO = path.resolve('fixtures/demo');
  let portfolio: Portfolio;
  let demoMarket: Awaited<ReturnType<typeof loadSimulationInputs>>['market'];
  beforeAll(async () => {
    ({ market: demoMarket, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
  });

  it('reads a CAPFLOOR row on USD-SOFR and refuses a lookback on it, naming the cell', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-sofr-caps-'));
    temps.push(dir);
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const base = 'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,float_index,float_frequency,float_day_count,strike,option_type,float_lookback_days';
    const row = (id: string, lookback: string) => `${id},${unc.counterpartyId},${unc.nettingSetId},CAPFLOOR,buy,USD,10000000,2026-09-30,2029-09-30,USD-SOFR,3M,ACT/360,0.04,cap,${lookback}`;
    for (const [name, table] of Object.entries(portfolioTables({ ...portfolio, trades: [] }))) if (name !== 'trades' && table) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    const load = async () => {
      const issues = new IssueCollector();
      const loaded = await loadPortfolio(dir, issues, { baseCurrency: 'USD' });
      return { loaded, issues: issues.issues };
    };
    fs.writeFileSync(path.join(dir, 'trades.csv'), [base, row('S1', '')].join('\n') + '\n');
    const { loaded, issues } = await load();
    expect(issues).toEqual([]);
    expect(loaded.trades[0]).toMatchObject({ product: 'CAPFLOOR', optionType: 'cap', floatLeg: { floatIndex: 'USD-SOFR', frequency: '3M' } });
    expect(priceTrade(loaded.trades[0]!, demoMarket).npv).toBeGreaterThan(0);
    fs.writeFileSync(path.join(dir, 'trades.csv'), [base, row('S2', '2')].join('\n') + '\n');
    const refused = (await load()).issues.find((i) => i.column === 'float_lookback_days');
    expect(refused).toMatchObject({ file: 'trades.csv', row: 1, value: '2', expected: expect.stringMatching(/0 or blank for CAPFLOOR/) });
  });

  it('SA-CCR: T is the end of the last caplet\'s period (its rate is set then), not its start', () => {
    const unc = portfolio.nettingSets.find((n) => !n.csa && !n.cleared)!;
    const asOf = demoMarket.asOf;
    const leg: FloatLeg = { ...sofr(addMonths(asOf, 3), 2), businessDayConvention: 'MF', calendar: 'USNY' };
    const cap = { ...capFloor('SOFRCAP', 'cap', 'buy', 0.04, leg), counterpartyId: unc.counterpartyId, nettingSetId: unc.nettingSetId };
    const p = computeSaccr({ ...portfolio, nettingSets: [unc], trades: [cap] }, demoMarket).trades.find((x) => x.tradeId === 'SOFRCAP')!;
    const last = capletPieces(cap, asOf).caplets.at(-1)!;
    expect(last.floatLeg.maturityDate).toBeGreaterThan(last.expiryDate);
    expect(p.exerciseYears).toBeCloseTo(yearFraction('ACT/ACT', asOf, last.floatLeg.maturityDate), 10);
  });
});
