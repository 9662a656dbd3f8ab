/**
 * ORE reference case swap_flat_xva (../shared/reference/ore/swap_flat_xva, from ORE's Examples/MinimalSetup and the
 * Python notebook Example_1): a 20Y EUR swap, receive 2.1% fixed annual A360 against EURIBOR 6M, 10m notional, in a
 * flat market. The case's data in xva form is test/data/ore-swap-flat/ (market.yaml: the flat EONIA and EURIBOR 6M
 * curves and the 10% co-terminal swaption basket; trades.csv etc.: the ORE portfolio as `xva import ore` maps it, both
 * the forward-starting Swap_20y of MinimalSetup and the spot-starting variant `Swap` of the 1000-path run).
 *
 * (a) Pricing, exact: NPV 1,335.214177 (npv.csv, Swap_20y) and 1,335.270448 (the variant), every flow of flows.csv,
 *     and the curves of curves.csv. ORE's conventions that could differ from xva's all vanish for this trade, which is
 *     why the figure is reproduced without any adjustment:
 *     - calendar: both roll on TARGET (the stored trades carry it); besides, no schedule date (1 March / 1 September,
 *       9 February / 9 August, each MF) nor fixing date (2 business days before) of either swap falls on a TARGET
 *       holiday (1 Jan, Good Friday, Easter Monday, 1 May, 25-26 Dec), so the schedules are identical (checked below
 *       date by date);
 *     - fixing days: QuantLib's par-coupon Ibor forward runs from the fixing value date (fixing date + 2 TARGET days)
 *       to the next period's value date, i.e. exactly over the accrual period here, so the coupon is
 *       N·(P(s)/P(e) − 1) in both (the A360 accrual fractions cancel);
 *     - ACT/360: the curves' 1Y zero quotes are Simple A360 to the spot+1Y pillar (370 days); market.yaml states the
 *       resulting pillar discount factor exactly and log-linear interpolation gives ORE's flat forward.
 *     Tolerances: npv.csv prints 6 decimals (±5e-7); flows.csv 4 decimals for amounts, 10 for discount factors;
 *     curves.csv 15 decimals.
 * (b) Monte Carlo, statistical: our simulation of `Swap` with our own LGM calibration (calibrateLgmBootstrap, κ = 0.03
 *     held fixed as in simulation.xml, σ bootstrapped to ORE's basket of 10% lognormal ATM swaptions, expiries 1, 2,
 *     4, ..., 18, 19Y into the swap ending at 20Y) on ORE's own 81 quarterly dates must match ORE's 1000-path EPE and
 *     ENE (expected_mc1000_3M/exposure_nettingset_CPTY_A.csv) at every date within 3·sqrt(se_ours² + se_ORE²).
 *     se_ours is the profile's standard error (EPE) or the same statistic from the path values (ENE), 5,000 paths.
 *     se_ORE is the standard error ORE's 1000 samples would have if independent: our per-path standard deviation over
 *     √1000 (both sample the same distribution); checked against ORE's own per-path standard deviation on the four
 *     dates of netcube_subset.csv (1Y, 5Y, 10Y, 15Y, all 1000 paths). ORE used Sobol with a Brownian bridge, whose
 *     error is usually below the independent-sample one, so this tolerance is conservative on ORE's side.
 *
 * The post-processing of ORE's rawcube.csv is tested in ore-rawcube.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate, toIsoDate, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import { buildSchedule } from '../src/conventions/schedule.js';
import { runSimulation } from '../src/exposure/engine.js';
import type { SimulationResult } from '../src/exposure/results.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { importOre } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import type { HullWhiteParams, Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { priceTrade } from '../src/pricing/index.js';
import type { InterestRateSwap } from '../src/products/types.js';
import { calibrateLgmBootstrap, type LgmCalibrationResult } from '../src/simulation/models/lgm/index.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { SHARED_REFERENCE } from './helpers/paths.js';

const CASE = path.join(SHARED_REFERENCE, 'ore', 'swap_flat_xva');
const DATA = path.resolve('test/data/ore-swap-flat');
const MARKET_FILE = path.join(DATA, 'market.yaml');

/** Rows of one of ORE's CSV reports as records keyed by the header (leading '#' dropped). */
function oreCsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.replace(/^#/, '').split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

function date(text: string): DateSerial {
  const d = parseIsoDate(text);
  if (d === undefined) throw new Error(`test: bad date ${text}`);
  return d;
}

let market: Market;
let portfolio: Portfolio;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DATA, MARKET_FILE));
});

function swap(id: string): InterestRateSwap {
  const t = portfolio.trades.find((x) => x.tradeId === id);
  if (!t || t.product !== 'IRS') throw new Error(`test: no IRS ${id}`);
  return t;
}

describe('ORE swap_flat_xva: the case in xva form (test/data/ore-swap-flat)', () => {
  it('the stored portfolio is what xva import ore makes of the ORE XML today (both trades, netting set CPTY_A)', async () => {
    const spot = fs.readFileSync(path.join(CASE, 'expected_mc1000_3M/inputs_variant/portfolio_spot_start.xml'), 'utf8');
    const spotTrade = spot.slice(spot.indexOf('<Trade '), spot.lastIndexOf('</Trade>') + '</Trade>'.length);
    const portfolioXml = fs.readFileSync(path.join(CASE, 'inputs/portfolio_swap.xml'), 'utf8').replace('</Portfolio>', `${spotTrade}\n</Portfolio>`);
    const result = importOre({ portfolioXml, nettingXml: fs.readFileSync(path.join(CASE, 'inputs/netting.xml'), 'utf8') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-ore-flat-'));
    temps.push(dir);
    writeOreImport(dir, result, 'csv');
    for (const table of ['trades', 'netting_sets']) {
      expect(fs.readFileSync(path.join(dir, `${table}.csv`), 'utf8'), table).toBe(fs.readFileSync(path.join(DATA, `${table}.csv`), 'utf8'));
    }
    // the netting set's CSA is inactive (ActiveCSAFlag false): no eligible collateral is imported, nor kept here
    for (const folder of [dir, DATA]) expect(fs.existsSync(path.join(folder, 'eligible_collateral.csv')), folder).toBe(false);
    // counterparties.csv differs in one cell only: cds_curve CPTY_A (ORE's flat-hazard curve, see market.yaml)
    const imported = fs.readFileSync(path.join(dir, 'counterparties.csv'), 'utf8');
    expect(imported.replace('europe,,', 'europe,CPTY_A,')).toBe(fs.readFileSync(path.join(DATA, 'counterparties.csv'), 'utf8'));
  });

  it("curves: P_EONIA and P_EURIBOR6M equal ORE's curves.csv at every monthly date to 1e-14 (15 printed decimals)", () => {
    const rows = oreCsv(path.join(CASE, 'expected_mc50_6M/curves.csv'));
    expect(rows.length).toBeGreaterThan(200);
    const eonia = market.discountCurve('EUR');
    const euribor = market.projectionCurve('EUR-EURIBOR-6M');
    for (const row of rows) {
      const t = yearsBetween(market.asOf, date(row.Date!));
      expect(Math.abs(eonia.discount(t) - Number(row['EUR-EONIA'])), row.Date).toBeLessThan(1e-14);
      expect(Math.abs(euribor.discount(t) - Number(row['EUR-EURIBOR-6M'])), row.Date).toBeLessThan(1e-14);
    }
  });
});

describe('ORE swap_flat_xva (a): NPV 1,335.214177 exactly', () => {
  it('Swap_20y: NPV 1,335.214177 (npv.csv, 6 decimals: |diff| < 5e-7)', () => {
    const npv = priceTrade(swap('Swap_20y'), market).npv;
    expect(Math.abs(npv - 1335.214177)).toBeLessThan(5e-7);
  });

  it('Swap (spot-start variant of expected_mc1000_3M): NPV 1,335.270448', () => {
    const npv = priceTrade(swap('Swap'), market).npv;
    expect(Math.abs(npv - 1335.270448)).toBeLessThan(5e-7);
  });

  for (const [id, dir] of [
    ['Swap_20y', 'expected_mc50_6M'],
    ['Swap', 'expected_mc1000_3M'],
  ] as const) {
    it(`${id}: every flow of ${dir}/flows.csv (payment date, accrual dates, amount to 1e-4, discount factor to 1e-10)`, () => {
      const trade = swap(id);
      const flows = oreCsv(path.join(CASE, dir, 'flows.csv')).filter((r) => r.TradeId === id);
      const discount = market.discountCurve('EUR');
      const projection = market.projectionCurve('EUR-EURIBOR-6M');
      const legs = [
        { leg: trade.fixedLeg, legNo: '0' },
        { leg: trade.floatLeg, legNo: '1' },
      ];
      let checked = 0;
      for (const { leg, legNo } of legs) {
        const schedule = buildSchedule(leg);
        const ore = flows.filter((r) => r.LegNo === legNo);
        expect(schedule.count, `leg ${legNo} periods`).toBe(ore.length);
        for (let i = 0; i < schedule.count; i++) {
          const row = ore[i]!;
          expect(toIsoDate(schedule.paymentDate[i]!)).toBe(row.PayDate);
          expect(toIsoDate(schedule.accrualStart[i]!)).toBe(row.AccrualStartDate);
          expect(toIsoDate(schedule.accrualEnd[i]!)).toBe(row.AccrualEndDate);
          expect(Math.abs(schedule.accrualFraction[i]! - Number(row.Accrual))).toBeLessThan(5e-11);
          const s = yearsBetween(market.asOf, schedule.accrualStart[i]!);
          const e = yearsBetween(market.asOf, schedule.accrualEnd[i]!);
          // ORE's sign: received fixed > 0, paid float < 0
          const amount =
            leg.kind === 'fixed' ? leg.notional * leg.fixedRate * schedule.accrualFraction[i]! : -leg.notional * (projection.discount(s) / projection.discount(e) - 1);
          expect(Math.abs(amount - Number(row.Amount)), `${id} leg ${legNo} flow ${i + 1}`).toBeLessThan(5e-5);
          expect(Math.abs(discount.discount(yearsBetween(market.asOf, schedule.paymentDate[i]!)) - Number(row.DiscountFactor))).toBeLessThan(5e-11);
          checked++;
        }
      }
      expect(checked).toBe(flows.length);
    });
  }
});

/** ORE's calibration basket (simulation.xml CalibrationSwaptions): expiries 1, 2, 4, ..., 18, 19Y into the 20Y end. */
const ORE_EXPIRIES = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19];
const ORE_MEAN_REVERSION = 0.03;
const PATHS = 5000;
const ORE_PATHS = 1000;

/** The market with Hull-White parameters of a currency replaced (a view: every other call goes to the market). */
function withHullWhite(base: Market, params: HullWhiteParams): Market {
  return new Proxy(base, {
    get(target, prop) {
      if (prop === 'hullWhite') return (ccy: string) => (ccy === params.currency ? params : target.hullWhite(ccy as HullWhiteParams['currency']));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('ORE swap_flat_xva (b): 5,000-path EPE/ENE of Swap against ORE 1,000 paths (expected_mc1000_3M)', () => {
  const oreProfile = oreCsv(path.join(CASE, 'expected_mc1000_3M/exposure_nettingset_CPTY_A.csv'));
  let calibration: LgmCalibrationResult;
  let result: SimulationResult;
  /** Path values V (undeflated, exposure dates × paths) and numeraire, from the engine's cube. */
  let values: Float32Array;
  let numeraire: Float32Array;
  let grid: TimeGrid;

  beforeAll(async () => {
    // market.yaml lists exactly ORE's basket: expiry = ACT/365F time to asOf + eY, tenor 20 − e years, 10% Black
    const surface = market.swaptionVols('EUR')!;
    calibration = calibrateLgmBootstrap(
      surface,
      {
        meanReversion: ORE_MEAN_REVERSION,
        discount: market.discountCurve('EUR'),
        projection: market.projectionCurve('EUR-EURIBOR-6M'),
        fixedPeriodsPerYear: 1,
        floatPeriodsPerYear: 2,
      },
    );
    // ORE's own 81 quarterly dates (Following-adjusted), read off its report
    const dates = Int32Array.from(oreProfile, (r) => date(r.Date!));
    grid = {
      asOf: market.asOf,
      dates,
      times: Float64Array.from(dates, (d) => yearsBetween(market.asOf, d)),
      exposureDate: new Uint8Array(dates.length).fill(1),
      lagIndex: new Map(),
    };
    const book: Portfolio = { ...portfolio, trades: portfolio.trades.filter((t) => t.tradeId === 'Swap') };
    result = await runSimulation({
      portfolio: book,
      market: withHullWhite(market, calibration.params),
      options: { paths: PATHS, seed: 42, grid, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true },
      onCube: (id, cube) => {
        if (id === null) numeraire = cube;
        else values = cube;
      },
    });
  }, 60_000);

  it('the calibration reprices the 11 swaptions of the basket (10% Black) to 1e-10 per unit notional', () => {
    expect(calibration.params.meanReversion).toBe(0.03);
    expect(Array.from(calibration.expiryYears, Math.round)).toEqual(ORE_EXPIRIES);
    expect(Array.from(calibration.tenorYears)).toEqual(ORE_EXPIRIES.map((e) => 20 - e));
    for (const err of calibration.repricingErrors) expect(Math.abs(err)).toBeLessThan(1e-10);
    // ~21bp normal short-rate vol, as the case's README expects for 10% lognormal at 2.1%
    for (const s of calibration.params.sigmas) expect(s).toBeGreaterThan(0.0015), expect(s).toBeLessThan(0.0035);
  });

  it('the run uses ORE grid dates (today and 81 quarterly dates) and today: EPE(0) = NPV 1,335.27', () => {
    expect(oreProfile.length).toBe(82);
    expect(result.exposureDates.length).toBe(82);
    expect(Array.from(result.grid.dates)).toEqual(Array.from(grid.dates));
    const p = result.nettingSets[0]!.profile;
    expect(Math.abs(p.epe[0]! - 1335.270448)).toBeLessThan(1e-6);
  });

  /** Per exposure date: our EPE, ENE, their standard errors and the per-path standard deviations. */
  function ours(k: number): { epe: number; ene: number; seEpe: number; seEne: number; sdPos: number; sdNeg: number } {
    const p = result.nettingSets[0]!.profile;
    let sumNeg = 0;
    let sumNegSq = 0;
    for (let i = 0; i < PATHS; i++) {
      const v = values[k * PATHS + i]! / numeraire[k * PATHS + i]!;
      const neg = Math.max(-v, 0);
      sumNeg += neg;
      sumNegSq += neg * neg;
    }
    const meanNeg = sumNeg / PATHS;
    const sdNeg = Math.sqrt(Math.max(0, sumNegSq / PATHS - meanNeg * meanNeg) * (PATHS / (PATHS - 1)));
    const seEpe = p.epeStdError[k]!;
    return { epe: p.epe[k]!, ene: p.ene[k]!, seEpe, seEne: sdNeg / Math.sqrt(PATHS), sdPos: seEpe * Math.sqrt(PATHS), sdNeg };
  }

  it("our per-path spread of V+/N and V-/N matches ORE's own 1,000 paths (netcube_subset: 1Y, 5Y, 10Y, 15Y) within 12%", () => {
    const cube = oreCsv(path.join(CASE, 'expected_mc1000_3M/netcube_subset.csv'));
    for (const dateIndex of [4, 20, 40, 60]) {
      const v = cube.filter((r) => r.DateIndex === String(dateIndex)).map((r) => Number(r.Value));
      expect(v.length).toBe(ORE_PATHS);
      const sd = (xs: number[]): number => {
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
      };
      const o = ours(dateIndex);
      // the standard deviation of a sample of 1000 has a relative error of ~1/sqrt(2000) = 2.2% (more for the
      // skewed positive part); 12% leaves room for ORE's Sobol points and our MC error.
      expect(Math.abs(sd(v.map((x) => Math.max(x, 0))) / o.sdPos - 1), `sd of V+ at date ${dateIndex}`).toBeLessThan(0.12);
      expect(Math.abs(sd(v.map((x) => Math.max(-x, 0))) / o.sdNeg - 1), `sd of V- at date ${dateIndex}`).toBeLessThan(0.12);
    }
  });

  it('EPE and ENE within 3·sqrt(se_ours² + se_ORE²) at every one of the 81 dates', () => {
    const lines: string[] = [];
    let worst = 0;
    for (let k = 1; k < oreProfile.length; k++) {
      const row = oreProfile[k]!;
      const o = ours(k);
      const oreEpe = Number(row.EPE);
      const oreEne = Number(row.ENE);
      const tolEpe = 3 * Math.hypot(o.seEpe, o.sdPos / Math.sqrt(ORE_PATHS));
      const tolEne = 3 * Math.hypot(o.seEne, o.sdNeg / Math.sqrt(ORE_PATHS));
      const zEpe = ((o.epe - oreEpe) / tolEpe) * 3;
      const zEne = ((o.ene - oreEne) / tolEne) * 3;
      if (tolEpe > 0) worst = Math.max(worst, Math.abs(zEpe), Math.abs(zEne)); // the last date: 0 vs 0 (matured)
      lines.push(`${row.Date} EPE ${o.epe.toFixed(0)} vs ${oreEpe.toFixed(0)} (z ${zEpe.toFixed(2)})  ENE ${o.ene.toFixed(0)} vs ${oreEne.toFixed(0)} (z ${zEne.toFixed(2)})`);
      if (process.env.XVA_VALIDATION_VERBOSE) continue;
      expect(Math.abs(o.epe - oreEpe), lines[lines.length - 1]).toBeLessThanOrEqual(tolEpe);
      expect(Math.abs(o.ene - oreEne), lines[lines.length - 1]).toBeLessThanOrEqual(tolEne);
    }
    if (process.env.XVA_VALIDATION_VERBOSE) console.log(lines.join('\n') + `\nworst |z| ${worst.toFixed(2)}`);
  });
});
