/**
 * KVA (src/capital/kva.ts, src/capital/run.ts) and the bump-and-revalue SA-CVA sensitivities
 * (src/capital/sacvaSensitivities.ts), against independent references:
 * - the KVA sum against the closed form ∫₀ᵀ C0·(1 − t/T)·e^{−λt} dt on a fine grid;
 * - the projected SA-CCR EAD of one swap by the CRE52 formulas written out by hand (SD, MF, α·SF·d) at t = 0, at an
 *   intermediate date and at maturity (0), unmargined and margined (CRE52.2 cap, CRE52.18 floor);
 * - the single-swap book (test/data/kva_single_swap, 64 paths): the capital profile at t = 0 equals today's SA-CCR +
 *   BA-CVA capital, 0 at and after maturity, and KVA equals a second computation of the profile by the BA-CVA hand
 *   formula for one counterparty (K = SCVA) with the market's survival and discount curves;
 * - the capital-ratio scenario scales capital and KVA by (r + 0.01) / r;
 * - the five IR tenor bumps add up to one parallel bump (first order), and SA-CVA of the computed sensitivities
 *   equals computeSaCva on the same records read back from an ORE-layout CSV.
 */
import type { Market } from '../src/market/types.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { computeXva, exposureSetsOf } from '../src/xva/compute.js';
import { creditInputs, shockedCurve } from '../src/xva/credit.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { kvaIntegral, projectedEad, remainingEffectiveMaturity, type KvaNettingSet } from '../src/capital/kva.js';
import { runCapital, type CapitalRunOptions } from '../src/capital/run.js';
import { computeSaccr, loadSaccrInputs, SACCR_PARAMETERS, type SaccrPosition } from '../src/capital/saccr/index.js';
import { computeSaCva, readSaCvaSensitivities } from '../src/capital/sacva/index.js';
import { irBumpedMarket, tenorBumpWeight } from '../src/capital/sacvaSensitivities.js';
import { loadScenario } from '../src/scenarios/load.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { smallCapitalRun } from './helpers/capitalRun.js';

const DIR = path.resolve('test/data/kva_single_swap');
const p = SACCR_PARAMETERS;

describe('kvaIntegral', () => {
  it('matches the closed form of a linearly amortising capital, survival and discounting', () => {
    // capital(t) = C0 (1 − t/T), S_own(t) P(0,t) = e^{−λt}: ∫₀ᵀ C0 (1 − t/T) e^{−λt} dt = C0 [1/λ − (1 − e^{−λT})/(λ²T)]
    const C0 = 1e6, T = 5, h = 0.01, r = 0.02, coc = 0.1, n = 50_001;
    const times = Float64Array.from({ length: n }, (_, k) => (k * T) / (n - 1));
    const capital = Float64Array.from(times, (t) => C0 * (1 - t / T));
    const survival = Float64Array.from(times, (t) => Math.exp(-h * t));
    const discount = Float64Array.from(times, (t) => Math.exp(-r * t));
    const lambda = h + r;
    const exact = coc * C0 * (1 / lambda - (1 - Math.exp(-lambda * T)) / (lambda * lambda * T));
    const { kva } = kvaIntegral(times, capital, survival, discount, coc);
    // left Riemann sum: error ≤ Δt/2 · ∫|f'| ≈ Δt/2 · coc · C0 · (1 + λT) = 1e-4/2 · 1e5 · 1.15 ≈ 6; 10 allows for it
    expect(Math.abs(kva - exact)).toBeLessThan(10);
    expect(kva).toBeGreaterThan(0.99 * exact);
  });
});

async function singleSwap() {
  const { market, portfolio } = await loadSimulationInputs(DIR, path.join(DIR, 'market.yaml'));
  const issues = new IssueCollector();
  const saccr = computeSaccr(portfolio, market, await loadSaccrInputs(DIR, issues));
  return { market, portfolio, saccr };
}

function kvaSet(positions: readonly SaccrPosition[], over: Partial<KvaNettingSet> = {}): KvaNettingSet {
  return { nettingSetId: 'NS_S', counterpartyId: 'CPTY_S', positions, margined: false, collateral: 0, nica: 0, threshold: 0, minimumTransferAmount: 0, thresholdBank: 0, capAtUnmargined: true, ...over };
}

describe('projected SA-CCR EAD of one swap (CRE52 by hand)', () => {
  it('equals today\'s SA-CCR EAD at t = 0 with today\'s value, the hand formula later, 0 at maturity', async () => {
    const { saccr } = await singleSwap();
    const ns = saccr.nettingSets[0]!;
    const pos = saccr.trades[0]!;
    const E = pos.endYears!;
    const N = pos.notionalBase;
    const nPaths = 3;
    const t1 = 2.5;
    const elapsed = Float64Array.of(0, t1, E);
    const values = new Float32Array(3 * nPaths);
    values.fill(ns.value, 0, nPaths); // t = 0: today's V on every path
    // t1: V = 0 on every path; at E nothing is alive
    const ead = projectedEad(kvaSet([pos]), elapsed, values, nPaths, true, p);
    const vRounding = Math.abs(ns.value - Math.fround(ns.value)) * 1.4 + 1e-6; // Float32 V
    expect(Math.abs(ead[0]! - ns.ead)).toBeLessThanOrEqual(vRounding + 1e-9 * ns.ead);
    // CRE52.34 SD = (e^{−0.05 S} − e^{−0.05 E}) / 0.05 with S = 0 (started), E − t1 left; MF = 1 (M > 1y); multiplier 1 at V = C = 0
    const sd = (1 - Math.exp(-0.05 * (E - t1))) / 0.05;
    expect(ead[1]).toBeCloseTo(1.4 * 0.005 * N * sd, 6);
    expect(ead[2]).toBe(0);
  });

  it('margined: V − C clamped at the thresholds, the TH + MTA − NICA floor and the unmargined cap', async () => {
    const { saccr } = await singleSwap();
    const pos = saccr.trades[0]!;
    const N = pos.notionalBase;
    const E = pos.endYears!;
    const t = 4.5; // 0.5y left: unmargined MF = sqrt(M) > margined MF = 1.5 sqrt(10/250)
    const sd = (1 - Math.exp(-0.05 * (E - t))) / 0.05;
    const addOnU = 0.005 * N * sd * Math.sqrt(E - t);
    const addOnM = 0.005 * N * sd * 1.5 * Math.sqrt(10 / 250);
    // TH_cpty 50k, MTA 20k, NICA 0; V = 1e6 on the path: V − C = 50k; RC = max(50k, 70k, 0) = 70k
    const set = kvaSet([pos], { margined: true, mporDays: 10, threshold: 50_000, minimumTransferAmount: 20_000, thresholdBank: 30_000 });
    const ead = projectedEad(set, Float64Array.of(t), Float32Array.of(1e6), 1, true, p);
    const mult = (x: number, a: number) => Math.min(1, 0.05 + 0.95 * Math.exp(x / (2 * 0.95 * a)));
    const margined = 1.4 * (70_000 + mult(50_000, addOnM) * addOnM);
    const unmargined = 1.4 * (50_000 + mult(50_000, addOnU) * addOnU);
    expect(ead[0]).toBeCloseTo(Math.min(margined, unmargined), 6);
    // V = −1e6: V − C = −TH_bank = −30k
    const neg = projectedEad(set, Float64Array.of(t), Float32Array.of(-1e6), 1, true, p);
    expect(neg[0]).toBeCloseTo(Math.min(1.4 * (70_000 + mult(-30_000, addOnM) * addOnM), 1.4 * mult(-30_000, addOnU) * addOnU), 6);
  });

  it('remaining effective maturity: notional-weighted M − t over live positions', () => {
    const a = { tradeId: 'A', maturityYears: 3, notionalBase: 100 } as SaccrPosition;
    const b = { tradeId: 'B', maturityYears: 1, notionalBase: -300 } as SaccrPosition;
    expect(remainingEffectiveMaturity([a, b], 0)).toBeCloseTo((100 * 3 + 300 * 1) / 400, 12);
    expect(remainingEffectiveMaturity([a, b], 2)).toBeCloseTo(1, 12); // b has matured
    expect(remainingEffectiveMaturity([a, b], 3)).toBe(0);
    // one trade's two positions (an FX swap's near and far legs) weigh once: its largest notional, its last date
    const near = { tradeId: 'F', maturityYears: 0.5, notionalBase: 50 } as SaccrPosition;
    const far = { tradeId: 'F', maturityYears: 2, notionalBase: -50 } as SaccrPosition;
    expect(remainingEffectiveMaturity([a, near, far], 0)).toBeCloseTo((100 * 3 + 50 * 2) / 150, 12);
    expect(remainingEffectiveMaturity([a, near, far], 1)).toBeCloseTo((100 * 2 + 50 * 1) / 150, 12);
  });
});

const base = (over: Partial<CapitalRunOptions> = {}): CapitalRunOptions => smallCapitalRun(DIR, over);

describe('KVA of the single swap (64 paths)', () => {
  it('capital profile: today\'s capital at t = 0, 0 from maturity, KVA = a second computation by hand', async () => {
    const run = await runCapital(base({ scenarios: [loadScenario(path.resolve('scenarios/capital_ratio_plus_1pct.yaml'))] }));
    const kva = run.kva!;
    const { market } = await singleSwap();
    const ratio = market.capital.capitalRatio;
    const prof = kva.profile;
    // t = 0: survival 1, discount 1; the path value at t = 0 is the engine's price (Float32) vs today's priceTrade
    expect(prof[0]!.timeYears).toBe(0);
    const today = run.capitalCcr + 12.5 * run.baCva.capital * ratio;
    expect(Math.abs(prof[0]!.capital - today)).toBeLessThan(1e-6 * today);
    const E = run.saccr.trades[0]!.endYears!;
    for (const row of prof) if (row.timeYears >= E) expect(row.capital).toBe(0);
    expect(prof.some((r) => r.timeYears >= E)).toBe(true);

    // second computation: one counterparty, so K_reduced = SCVA = RW_c/α · M · EAD · DF(M) (MAR50.14-16); survival
    // of the counterparty on EAD, the bank's survival and the OIS discount from the market's curves
    const cp = market.creditCurve('CPTY_S');
    const own = market.ownCredit!;
    const disc = market.discountCurve('EUR');
    const rwCcr = run.rwa.nettingSets[0]!.riskWeight;
    expect(rwCcr).toBe(0.5); // CRE20.42: corporate rated A
    const rwCva = 0.03; // MAR50.16 Table 1: consumer, IG
    const eadProfile = kva.nettingSets[0]!.eadProfile;
    let second = 0;
    for (let k = 0; k + 1 < prof.length; k++) {
      const t = prof[k]!.timeYears;
      const M = Math.max(run.saccr.trades[0]!.maturityYears - prof[k]!.elapsedYears, 0); // CRE32.47, one trade
      const ead = eadProfile[k]! * cp.survival(t);
      const df = M > 0 ? (1 - Math.exp(-0.05 * M)) / (0.05 * M) : 1;
      const scva = (rwCva / 1.4) * M * ead * df;
      const capital = (rwCcr * ead + 12.5 * 0.65 * scva) * ratio;
      second += 0.1 * capital * (prof[k + 1]!.timeYears - t) * own.survival(t) * disc.discount(t);
    }
    expect(Math.abs(kva.kva - second)).toBeLessThan(1e-9 * second);
    expect(kva.kva).toBeGreaterThan(0);
    // per counterparty = book (one counterparty)
    expect(kva.counterparties[0]!.kva).toBeCloseTo(kva.kva, 6);

    // capital ratio + 1%: capital and KVA scale by (r + 0.01) / r, by hand
    const s = run.scenarios[0]!;
    expect(s.capitalRatio).toBeCloseTo(ratio + 0.01, 15);
    expect(s.capital).toBeCloseTo((run.capital * (ratio + 0.01)) / ratio, 6);
    expect(s.kva!).toBeCloseTo((kva.kva * (ratio + 0.01)) / ratio, 6);
  }, 60_000);

  it('--bacva-maturity NS_S=2: the projection\'s M(t) is 2 − t (docs/capital.md); it kept the trade\'s M', async () => {
    const run = await runCapital(base({ effectiveMaturityYears: new Map([['NS_S', 2]]) }));
    const kva = run.kva!;
    const { market } = await singleSwap();
    const ratio = market.capital.capitalRatio;
    const prof = kva.profile;
    // today's capital with M = 2 is the profile's first row (it was the trade's M there, 25,038.77 against 16,387.72)
    const today = run.capitalCcr + 12.5 * run.baCva.capital * ratio;
    expect(Math.abs(prof[0]!.capital - today)).toBeLessThan(1e-6 * today);
    const cp = market.creditCurve('CPTY_S');
    const own = market.ownCredit!;
    const disc = market.discountCurve('EUR');
    const rwCcr = run.rwa.nettingSets[0]!.riskWeight;
    const eadProfile = kva.nettingSets[0]!.eadProfile;
    let second = 0;
    for (let k = 0; k + 1 < prof.length; k++) {
      const t = prof[k]!.timeYears;
      const M = Math.max(2 - prof[k]!.elapsedYears, 0);
      const ead = eadProfile[k]! * cp.survival(t);
      const df = M > 0 ? (1 - Math.exp(-0.05 * M)) / (0.05 * M) : 1;
      const scva = (0.03 / 1.4) * M * ead * df;
      const capital = (rwCcr * ead + 12.5 * 0.65 * scva) * ratio;
      second += 0.1 * capital * (prof[k + 1]!.timeYears - t) * own.survival(t) * disc.discount(t);
    }
    expect(Math.abs(kva.kva - second)).toBeLessThan(1e-9 * second);
  }, 60_000);
});

describe('SA-CVA sensitivities by bump and revalue (CRN)', () => {
  it('the five IR tenor bumps add up to one parallel bump; file route gives the same SA-CVA', async () => {
    for (const t of [0.5, 1, 3, 7, 20, 40]) {
      let sum = 0;
      for (let j = 0; j < 5; j++) sum += tenorBumpWeight(t, j);
      expect(sum).toBeCloseTo(1, 14);
    }
    const run = await runCapital(base({ sacva: true, paths: 32 }));
    const sens = run.saCva!.sensitivities!;
    const irSum = sens.records.filter((r) => r.riskType === 'InterestRate' && r.marginType === 'Delta').reduce((s, r) => s + r.value, 0);
    // parallel bump of the same book, same seed and paths (a second computation)
    const { market, portfolio } = await loadSimulationInputs(DIR, path.join(DIR, 'market.yaml'));
    const sim = { paths: 32, seed: 7, grid: parseGridSpec('22,3M'), antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, threads: 1 };
    const cva = async (m: Market) => {
      const r = await runSimulation({ portfolio, market: m, options: sim });
      const sets = exposureSetsOf(r, () => 'EUR');
      // the counterparty's curve from the bumped market: an IR bump bootstraps CPTY_S's EUR curve again (MAR50.47)
      return computeXva(sets, creditInputs(portfolio, m, ['CPTY_S']), { discretisation: 'mid', mode: 'unilateral' }, false).book.cva;
    };
    const c0 = await cva(market);
    expect(c0).toBeCloseTo(sens.baseCva, 9);
    const parallel = ((await cva(irBumpedMarket(market, 'EUR', 1e-4, -1))) - c0) / 1e-4;
    // The tenor bumps sum to the parallel bump, so the sensitivities agree to first order; the rest is second order
    // in the 1bp bump (cross-gamma, mostly paths within 1bp of the max(V, 0) kink). Measured: 0.9% at 1bp with 32
    // paths, 5e-6 at 0.1bp; so 2% at the MAR50 1bp, and 1e-4 for the bump shapes at 0.1bp.
    expect(Math.abs(irSum - parallel)).toBeLessThan(0.02 * Math.abs(parallel));
    const h = 1e-5;
    const parallelSmall = ((await cva(irBumpedMarket(market, 'EUR', h, -1))) - c0) / h;
    let tenorSmall = 0;
    for (let j = 0; j < 5; j++) tenorSmall += ((await cva(irBumpedMarket(market, 'EUR', h, j))) - c0) / h;
    expect(Math.abs(tenorSmall - parallelSmall)).toBeLessThan(1e-4 * Math.abs(parallelSmall));

    // credit: the tenor deltas add up to the parallel CS01 of the public shockedCurve (no re-simulation)
    const credit = creditInputs(portfolio, market, ['CPTY_S']);
    const sets0 = exposureSetsOf(await runSimulation({ portfolio, market, options: sim }), () => 'EUR');
    const cs = credit.counterparties.get('CPTY_S')!;
    const shocked = new Map(credit.counterparties).set('CPTY_S', { ...cs, curve: shockedCurve(cs.curve, market, 1) });
    const cs01 = (computeXva(sets0, { ...credit, counterparties: shocked }, { discretisation: 'mid', mode: 'unilateral' }, false).book.cva - c0) / 1e-4;
    const creditSum = sens.records.filter((r) => r.riskType === 'CreditCounterparty').reduce((s, r) => s + r.value, 0);
    expect(cs01).toBeGreaterThan(0);
    expect(Math.abs(creditSum - cs01)).toBeLessThan(1e-3 * cs01); // second order in 1bp of spread: hazard convexity

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-kva-'));
    const file = path.join(dir, 'sens.csv');
    const lines = ['NettingSet,RiskType,CvaType,MarginType,RiskFactor,Bucket,Value', ...sens.records.map((r) => `,${r.riskType},${r.cvaType},${r.marginType},${r.riskFactor},${r.bucket},${r.value}`)];
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const back = computeSaCva(await readSaCvaSensitivities(file), { reportingCurrency: 'EUR', creditNames: sens.creditNames });
    expect(back.capital).toBeCloseTo(run.saCva!.capital, 6);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

describe('KVA projection: the bank threshold in the base currency', () => {
  it('thresholdBankBase converts the CSA amount at spot, as SA-CCR converts the counterparty threshold (CRE52.18)', async () => {
    const demo = path.resolve('fixtures/demo');
    const { market, portfolio } = await loadSimulationInputs(demo, path.join(demo, 'market.yaml'));
    const { collateralTerms } = await import('../src/capital/saccr/collateral.js');
    const { thresholdBankBase } = await import('../src/capital/kva.js');
    const foreign = portfolio.nettingSets.find((n) => n.csa && n.collateralCurrency !== market.baseCurrency);
    expect(foreign, 'the demo book has a CSA with collateral in another currency than the base').toBeDefined();
    // A second route: SA-CCR's own conversion of the counterparty's threshold, with the bank's amount put in its place.
    const mirrored = { ...foreign!, thresholdCpty: 1_250_000, thresholdBank: 1_250_000 };
    const viaSaccr = collateralTerms(mirrored, undefined, market, { value: 0 }).threshold; // V only matters to a calculated VM
    expect(thresholdBankBase(mirrored, market)).toBe(viaSaccr);
    // and it is a conversion, not the raw amount (spot ≠ 1), and 0 without a CSA
    expect(Math.abs(viaSaccr - 1_250_000)).toBeGreaterThan(1);
    expect(thresholdBankBase({ ...mirrored, csa: false }, market)).toBe(0);
  });
});
