/**
 * CVA and DVA against ORE (../shared/reference/ore/swap_flat_xva, README "Conventions"):
 * (a) exact: ORE's own 50-path NPV cube (rawcube.csv, values already numeraire-deflated) through our profile
 *     functions (as ore-rawcube.test.ts does), then CVA = LGD_C Σ [S_C(t_{i−1}) − S_C(t_i)] EPE(t_i) and the same for
 *     DVA on ENE with the BANK curve, EPE/ENE at the interval END (ORE's discretisation): xva.csv's CVA 19,538.43 and
 *     DVA 24,467.79 to the cent. S_C = exp(−0.01 t), t = days/365 (ORE's flat 1% hazard on Act/365); S_B = the BANK
 *     column of curves.csv, log-linear between its monthly dates (piecewise-flat hazard) and flat hazard beyond 20Y.
 *     Tolerance 0.006: the cube prints 4 decimals (±5e-5 per value) and Σ ΔPD·LGD ≈ 0.1, so the rounding moves CVA by
 *     far less than a cent; xva.csv prints 2 decimals (±0.005).
 * (b) statistical: CVA from our own simulation of the spot-start `Swap` (test/data/ore-swap-flat, LGM with κ = 0.03
 *     and σ bootstrapped to ORE's co-terminal basket, as ore-swap-flat.test.ts; ORE's 81 quarterly dates) with ORE's
 *     flat 1% hazard built with buildHazardCurve, against ORE's 1,000-path CVA 19,726.12 (expected_mc1000_3M/xva.csv).
 *     Tolerance 3·sqrt(se_ours² + se_ORE²): se_ours is the conservative CVA standard error from the EPE standard
 *     errors (LGD Σ ΔPD_i se_EPE(t_i), the dates' errors added as if perfectly correlated), se_ORE the same scaled to
 *     1,000 paths (× sqrt(paths / 1000)).
 * Also: the modes (unilateral / bilateral / first-to-default) against closed forms for flat hazards, and the mid-point
 * discretisation against the trapezoid sum written out here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import { runSimulation } from '../src/exposure/engine.js';
import { computeProfile } from '../src/exposure/profiles.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { buildHazardCurve } from '../src/market/hazard.js';
import type { HazardCurve, HullWhiteParams, Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { calibrateLgmBootstrap } from '../src/simulation/models/lgm/index.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { computeXva, exposureSetsOf, type ExposureSet } from '../src/xva/compute.js';
import type { CreditInputs, CounterpartyCredit } from '../src/xva/credit.js';
import { creditInputs, shockedCurve } from '../src/xva/credit.js';
import { defaultWeights } from '../src/xva/weights.js';
import { SHARED_REFERENCE } from './helpers/paths.js';

const CASE = path.join(SHARED_REFERENCE, 'ore', 'swap_flat_xva');
const MC50 = path.join(CASE, 'expected_mc50_6M');
const MC1000 = path.join(CASE, 'expected_mc1000_3M');
const DATA = path.resolve('test/data/ore-swap-flat');
const AS_OF = date('2016-02-05');

function date(text: string): DateSerial {
  const d = parseIsoDate(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}

function readCsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.replace(/^#/, '').split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** ORE's flat 1% hazard of CPTY_A, recovery 40%. */
const cptyCurve = (): HazardCurve => buildHazardCurve({ name: 'CPTY_A', recovery: 0.4, times: Float64Array.of(1), hazards: Float64Array.of(0.01) });

/** The BANK survival of curves.csv as a piecewise-flat hazard curve (= log-linear survival), flat beyond 20Y. */
function bankCurve(): HazardCurve {
  const rows = readCsv(path.join(MC50, 'curves.csv'));
  const times = Float64Array.from(rows, (r) => yearsBetween(AS_OF, date(r.Date!)));
  const logS = rows.map((r) => Math.log(Number(r.BANK)));
  const hazards = Float64Array.from(rows, (_, i) => -(logS[i]! - (i === 0 ? 0 : logS[i - 1]!)) / (times[i]! - (i === 0 ? 0 : times[i - 1]!)));
  return buildHazardCurve({ name: 'BANK', recovery: 0.4, times, hazards });
}

function inputsWith(cpty: HazardCurve, own: HazardCurve | undefined): CreditInputs {
  const credit: CounterpartyCredit = { counterpartyId: 'CPTY_A', curve: cpty, curveSource: 'cds', curveName: cpty.name, recovery: cpty.recovery, recoverySource: 'curve' };
  return {
    counterparties: new Map([['CPTY_A', credit]]),
    own,
    funding: { currency: 'EUR', borrowSpreadBp: 0, lendSpreadBp: 0, collateralSpreadBp: 0 },
    collateralSpreadBp: () => 0,
  };
}

/** ORE's rawcube.csv as one exposure set (as-of date first; values are V/N, so the numeraire is 1). */
function cubeSet(): ExposureSet {
  const rows = readCsv(path.join(MC50, 'rawcube.csv'));
  const indices = [...new Set(rows.map((r) => Number(r.DateIndex)))].sort((a, b) => a - b);
  const dateOf = new Map(rows.map((r) => [Number(r.DateIndex), date(r.Date!)]));
  const nPaths = Math.max(...rows.map((r) => Number(r.Sample)));
  const dates = Int32Array.from(indices, (d) => dateOf.get(d)!);
  const grid: TimeGrid = {
    asOf: AS_OF,
    dates,
    times: Float64Array.from(dates, (d) => yearsBetween(AS_OF, d)),
    exposureDate: new Uint8Array(dates.length).fill(1),
    lagIndex: new Map(),
  };
  const values = new Float64Array(dates.length * nPaths);
  for (const r of rows) {
    const k = indices.indexOf(Number(r.DateIndex));
    const s = Number(r.Sample);
    if (s === 0) values.fill(Number(r.Value), k * nPaths, (k + 1) * nPaths);
    else values[k * nPaths + s - 1] = Number(r.Value);
  }
  const profile = computeProfile({
    nettingSetId: 'CPTY_A',
    counterpartyId: 'CPTY_A',
    grid,
    nPaths,
    values,
    numeraire: new Float64Array(values.length).fill(1),
    discountFactors: new Float64Array(dates.length).fill(1),
  });
  return {
    nettingSetId: 'CPTY_A',
    counterpartyId: 'CPTY_A',
    times: grid.times,
    epe: profile.epe,
    ene: profile.ene,
    collateral: profile.collateral,
    epeVm: profile.epeVm,
    collateralVm: profile.collateralVm,
    eneVm: profile.eneVm,
    epeStdError: profile.epeStdError,
    tradeIds: ['Swap_20y'],
    tradeEpe: Float64Array.from(profile.epe),
    tradeEne: Float64Array.from(profile.ene),
    tradeEpeVm: Float64Array.from(profile.epe),
    tradeEneVm: Float64Array.from(profile.ene),
  };
}

describe('ORE swap_flat_xva: CVA and DVA from rawcube.csv, exactly', () => {
  const set = cubeSet();
  const xva = computeXva([set], inputsWith(cptyCurve(), bankCurve()), { discretisation: 'end', mode: 'unilateral' });
  const ore = readCsv(path.join(MC50, 'xva.csv'))[0]!;

  it("the flat 1% hazard and the BANK curve give back curves.csv's survival columns (15 decimals)", () => {
    const c = cptyCurve();
    const b = bankCurve();
    for (const r of readCsv(path.join(MC50, 'curves.csv'))) {
      const t = yearsBetween(AS_OF, date(r.Date!));
      expect(Math.abs(c.survival(t) - Number(r.CPTY_A))).toBeLessThan(1e-14);
      expect(Math.abs(b.survival(t) - Number(r.BANK))).toBeLessThan(1e-14);
    }
  });

  it('CVA 19,538.43 and DVA 24,467.79 (xva.csv) with EPE/ENE at the interval end', () => {
    expect(Number(ore.CVA)).toBe(19538.43);
    expect(Number(ore.DVA)).toBe(24467.79);
    expect(Math.abs(xva.book.cva - 19538.43)).toBeLessThan(0.006);
    expect(Math.abs(xva.book.dva - 24467.79)).toBeLessThan(0.006);
    // the one trade carries the whole set (Euler), as ORE's AllocatedCVA/DVA of the netting set row
    expect(Math.abs(xva.trades[0]!.cva - xva.book.cva)).toBeLessThan(1e-9 * xva.book.cva);
  });

  it('the same sum written out: LGD Σ (S(t_{i-1}) - S(t_i)) EPE(t_i)', () => {
    const c = cptyCurve();
    let cva = 0;
    for (let i = 1; i < set.times.length; i++) cva += 0.6 * (c.survival(set.times[i - 1]!) - c.survival(set.times[i]!)) * set.epe[i]!;
    expect(Math.abs(cva - xva.book.cva)).toBeLessThan(1e-8);
  });

  it('mid-point discretisation = the trapezoid ½(EPE(t_{i-1}) + EPE(t_i)) ΔPD_i, within 2% of the end-point figure', () => {
    const mid = computeXva([set], inputsWith(cptyCurve(), bankCurve()), { discretisation: 'mid', mode: 'unilateral' });
    const c = cptyCurve();
    let cva = 0;
    for (let i = 1; i < set.times.length; i++) cva += 0.6 * (c.survival(set.times[i - 1]!) - c.survival(set.times[i]!)) * 0.5 * (set.epe[i - 1]! + set.epe[i]!);
    expect(Math.abs(mid.book.cva - cva)).toBeLessThan(1e-8);
    // the profile is smooth on a 6M grid: the two rules differ by a few percent at most
    expect(Math.abs(mid.book.cva / xva.book.cva - 1)).toBeLessThan(0.02);
  });
});

describe('default modes against closed forms (flat hazards, constant exposure)', () => {
  // With constant exposure E, flat hazards λ_C, λ_B and the end rule, the sums telescope:
  //   unilateral Σ ΔPD = 1 − e^{−λ_C T}
  //   first-to-default Σ = λ_C/(λ_C+λ_B) (1 − e^{−(λ_C+λ_B) T})  (exact for piecewise-constant hazards)
  const times = Float64Array.from({ length: 41 }, (_, i) => i * 0.25);
  const c = buildHazardCurve({ name: 'C', recovery: 0.4, times: Float64Array.of(1), hazards: Float64Array.of(0.03) });
  const b = buildHazardCurve({ name: 'B', recovery: 0.4, times: Float64Array.of(1), hazards: Float64Array.of(0.01) });
  const sum = (w: Float64Array): number => w.reduce((a, x) => a + x, 0);
  it('unilateral: 1 − e^{−λT}', () => {
    expect(Math.abs(sum(defaultWeights(times, c, b, 'unilateral', 'end')) - (1 - Math.exp(-0.3)))).toBeLessThan(1e-14);
  });
  it('first-to-default: λ_C/(λ_C+λ_B)(1 − e^{−(λ_C+λ_B)T})', () => {
    expect(Math.abs(sum(defaultWeights(times, c, b, 'first-to-default', 'end')) - 0.75 * (1 - Math.exp(-0.4)))).toBeLessThan(1e-14);
  });
  it('bilateral (end): Σ (e^{−λ_C t_{i−1}} − e^{−λ_C t_i}) e^{−λ_B t_i}, written out', () => {
    let expected = 0;
    for (let i = 1; i < times.length; i++) expected += (Math.exp(-0.03 * times[i - 1]!) - Math.exp(-0.03 * times[i]!)) * Math.exp(-0.01 * times[i]!);
    expect(Math.abs(sum(defaultWeights(times, c, b, 'bilateral', 'end')) - expected)).toBeLessThan(1e-14);
  });
});

describe('credit stress: a shocked curve is the CDS bootstrap of the shifted quotes', () => {
  let market: Market;
  beforeAll(async () => {
    ({ market } = await loadSimulationInputs(DATA, path.join(DATA, 'market.yaml')));
  });
  it('CPTY_A at 60bp + 100bp: ~ (160bp / 0.6) hazard (credit triangle within 3%); a −100bp shift floors at ~0', () => {
    const base = market.creditCurve('CPTY_A');
    expect(shockedCurve(base, market, 0)).toBe(base);
    const up = shockedCurve(base, market, 100);
    expect(Math.abs(up.hazards[0]! / (0.016 / 0.6) - 1)).toBeLessThan(0.03);
    // the base hazard by the same triangle, to show the shift is what moved it
    expect(Math.abs(base.hazards[0]! / (0.006 / 0.6) - 1)).toBeLessThan(0.03);
    const down = shockedCurve(base, market, -100);
    expect(down.hazards[0]!).toBeLessThan(1e-9);
    expect(down.survival(10)).toBeGreaterThan(1 - 1e-8);
  });
});

describe('ORE swap_flat_xva: CVA from our own simulation ≈ 19,726.12 (ORE, 1,000 paths) within MC error', () => {
  const PATHS = 4000;
  let cva = 0;
  let se = 0;
  let portfolio: Portfolio;

  beforeAll(async () => {
    const loaded = await loadSimulationInputs(DATA, path.join(DATA, 'market.yaml'));
    const market = loaded.market;
    portfolio = loaded.portfolio;
    const surface = market.swaptionVols('EUR')!;
    const calibration = calibrateLgmBootstrap(surface, {
      meanReversion: 0.03,
      discount: market.discountCurve('EUR'),
      projection: market.projectionCurve('EUR-EURIBOR-6M'),
      fixedPeriodsPerYear: 1,
      floatPeriodsPerYear: 2,
    });
    const params: HullWhiteParams = calibration.params;
    const calibrated = new Proxy(market, {
      get(target, prop) {
        if (prop === 'hullWhite') return (ccy: string) => (ccy === 'EUR' ? params : target.hullWhite(ccy as 'EUR'));
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const oreDates = Int32Array.from(readCsv(path.join(MC1000, 'exposure_nettingset_CPTY_A.csv')), (r) => date(r.Date!));
    const grid: TimeGrid = {
      asOf: market.asOf,
      dates: oreDates,
      times: Float64Array.from(oreDates, (d) => yearsBetween(market.asOf, d)),
      exposureDate: new Uint8Array(oreDates.length).fill(1),
      lagIndex: new Map(),
    };
    const result = await runSimulation({
      portfolio: { ...portfolio, trades: portfolio.trades.filter((t) => t.tradeId === 'Swap') },
      market: calibrated,
      options: { paths: PATHS, seed: 42, grid, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false },
    });
    const xva = computeXva(exposureSetsOf(result), inputsWith(cptyCurve(), undefined), { discretisation: 'end', mode: 'unilateral' });
    cva = xva.book.cva;
    se = xva.book.cvaStdError;
  }, 120_000);

  it('|CVA − 19,726.12| ≤ 3·sqrt(se² + se_ORE²), se_ORE = se·sqrt(paths/1000)', () => {
    const ore = Number(readCsv(path.join(MC1000, 'xva.csv'))[0]!.CVA);
    expect(ore).toBeCloseTo(19726.12, 2);
    const tolerance = 3 * Math.hypot(se, se * Math.sqrt(PATHS / 1000));
    // se is a few hundred at most (README: "about 19.7k ± a few hundred")
    expect(se).toBeGreaterThan(0);
    expect(se).toBeLessThan(600);
    expect(Math.abs(cva - ore), `CVA ${cva.toFixed(2)}, se ${se.toFixed(2)}, tolerance ${tolerance.toFixed(2)}`).toBeLessThanOrEqual(tolerance);
  });

  it('counterparty curves: CPTY_A resolves to its CDS curve (cds_curve) with the curve recovery', async () => {
    const { market } = await loadSimulationInputs(DATA, path.join(DATA, 'market.yaml'));
    const inputs = creditInputs(portfolio, market, ['CPTY_A']);
    const c = inputs.counterparties.get('CPTY_A')!;
    expect(c.curveSource).toBe('cds');
    expect(c.curveName).toBe('CPTY_A');
    expect(c.recovery).toBe(0.4);
    expect(inputs.own).toBe(market.ownCredit);
  });
});
