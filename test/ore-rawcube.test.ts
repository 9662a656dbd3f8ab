/**
 * ORE post-processing, exactly: ORE's own NPV cube of the 20Y EUR swap (../shared/reference/ore/swap_flat_xva,
 * Examples/MinimalSetup, 50 paths × 81 half-yearly dates, one trade Swap_20y in netting set CPTY_A, no CSA) run through
 * our profile functions must give ORE's exposure reports to the cent.
 *
 * Conventions of the case (README of the case, and ORE's exposure calculators):
 * - rawcube.csv holds numeraire-deflated NPVs V/N in EUR (N(0) = 1). We pass them as the values with a numeraire of 1,
 *   which makes E[max(V,0)/N] the plain path average, as ORE computes it. (ORE's PFE is then a quantile of deflated
 *   values; our engine's PFE is undeflated, and with N ≡ 1 the two coincide, so this checks the rank rule.)
 * - DateIndex 0 is the as-of date with the t0 NPV (one sample); every path starts from it.
 * - Basel EE = EPE / P_EONIA(0, t): P is read from curves.csv (column EUR) and interpolated log-linearly in days,
 *   exact for ORE's log-linear curve (flat 2.00722% continuous here).
 * - The Time column and the time weights of the Basel averages are Actual/Actual ISDA (ORE's ActualActual()).
 * Tolerances: the netting-set report prints 2 decimals (±0.005) and the cube 4 decimals (±0.00005 per value, and so
 * at most that on an average or an order statistic): 0.0051. The trade report prints integers for EPE..EEE: 0.5001.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { parseIsoDate, yearsBetween, type DateSerial } from '../src/conventions/dates.js';
import type { TimeGrid } from '../src/simulation/types.js';
import { basisTimes, computeProfile, runningTimeWeightedAverage } from '../src/exposure/profiles.js';
import { eulerWeights } from '../src/exposure/euler.js';

const CASE = path.join(SHARED_REFERENCE, 'ore', 'swap_flat_xva');
const MC50 = path.join(CASE, 'expected_mc50_6M');
const MC1000 = path.join(CASE, 'expected_mc1000_3M');
const AS_OF = date('2016-02-05');
/** Swap_20y ends 2036-03-01, adjusted to Monday 2036-03-03 (README of the case). */
const MATURITY = date('2036-03-03');

function date(text: string): DateSerial {
  const d = parseIsoDate(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}

function readCsv(file: string): { header: string[]; rows: string[][] } {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.replace(/^#/, '').split(',');
  return { header, rows: lines.slice(1).map((l) => l.split(',')) };
}

function column(table: { header: string[]; rows: string[][] }, name: string): string[] {
  const i = table.header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in ${table.header.join(',')}`);
  return table.rows.map((r) => r[i]!);
}

/** Cube rows → grid (as-of + the cube dates) and date-major values; t0 copied to every path. */
function loadCube(file: string): { grid: TimeGrid; nPaths: number; values: Float64Array } {
  const cube = readCsv(file);
  const dateIndex = column(cube, 'DateIndex').map(Number);
  const dates = column(cube, 'Date');
  const samples = column(cube, 'Sample').map(Number);
  const values = column(cube, 'Value').map(Number);
  const byIndex = new Map<number, DateSerial>();
  dateIndex.forEach((d, i) => byIndex.set(d, date(dates[i]!)));
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  const position = new Map(indices.map((d, k) => [d, k]));
  const nPaths = Math.max(...samples);
  const nDates = indices.length;
  const gridDates = Int32Array.from(indices.map((d) => byIndex.get(d)!));
  const grid: TimeGrid = {
    asOf: AS_OF,
    dates: gridDates,
    times: Float64Array.from(gridDates, (d) => yearsBetween(AS_OF, d)),
    exposureDate: new Uint8Array(nDates).fill(1),
    lagIndex: new Map(),
  };
  const out = new Float64Array(nDates * nPaths);
  for (let i = 0; i < values.length; i++) {
    const k = position.get(dateIndex[i]!)!;
    if (samples[i] === 0) out.fill(values[i]!, k * nPaths, (k + 1) * nPaths);
    else out[k * nPaths + samples[i]! - 1] = values[i]!;
  }
  return { grid, nPaths, values: out };
}

/** P_EONIA(0, t) on the grid: log-linear in days between curves.csv pillars (and t = 0), flat forward beyond. */
function discountFactors(grid: TimeGrid): Float64Array {
  const curves = readCsv(path.join(MC50, 'curves.csv'));
  const days = [0, ...column(curves, 'Date').map((d) => date(d) - AS_OF)];
  const logDf = [0, ...column(curves, 'EUR').map((x) => Math.log(Number(x)))];
  return Float64Array.from(grid.dates, (d) => {
    const t = d - AS_OF;
    let i = 1;
    while (i < days.length - 1 && days[i]! < t) i++;
    const w = (t - days[i - 1]!) / (days[i]! - days[i - 1]!);
    return Math.exp(logDf[i - 1]! + w * (logDf[i]! - logDf[i - 1]!));
  });
}

describe('ORE swap_flat_xva: post-processing of rawcube.csv (50 paths, 81 dates)', () => {
  const { grid, nPaths, values } = loadCube(path.join(MC50, 'rawcube.csv'));
  const ones = new Float64Array(values.length).fill(1);
  const profile = computeProfile(
    { nettingSetId: 'CPTY_A', counterpartyId: 'CPTY_A', grid, nPaths, values, numeraire: ones, discountFactors: discountFactors(grid), maturity: MATURITY },
    { pfeQuantile: 0.95 },
  );
  const report = readCsv(path.join(MC50, 'exposure_nettingset_CPTY_A.csv'));
  const num = (name: string): number[] => column(report, name).map(Number);

  it('has the cube shape of the case: 50 paths, the as-of date and 81 dates', () => {
    expect(nPaths).toBe(50);
    expect(grid.dates.length).toBe(82);
    expect(column(report, 'Date').map(date)).toEqual([...grid.dates]);
  });

  it('Time column = Actual/Actual ISDA years (6 decimals)', () => {
    const times = basisTimes(grid, profile.dateIndex, 'ACT/ACT');
    num('Time').forEach((t, k) => expect(Math.abs(times[k]! - t)).toBeLessThanOrEqual(5e-7));
  });

  it('EPE, ENE, PFE (95%, ORE rank rule), Basel EE and EEE to the cent on every date', () => {
    const cases: [string, Float64Array][] = [
      ['EPE', profile.epe],
      ['ENE', profile.ene],
      ['PFE', profile.pfe],
      ['BaselEE', profile.ee],
      ['BaselEEE', profile.eee],
    ];
    for (const [name, ours] of cases) {
      const expected = num(name);
      expected.forEach((x, k) => {
        if (Math.abs(ours[k]! - x) > 0.0051) throw new Error(`${name} at ${column(report, 'Date')[k]}: ours ${ours[k]} vs ORE ${x}`);
      });
    }
    // README sample values.
    expect(Math.abs(profile.epe[1]! - 77147.52)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.ene[1]! - 78771.85)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.pfe[1]! - 255755.55)).toBeLessThanOrEqual(0.0051);
  });

  it('time-weighted Basel EPE/EEPE columns to the cent up to the maturity; xva.csv BaselEPE = BaselEEPE = 123,383.17', () => {
    const times = basisTimes(grid, profile.dateIndex, 'ACT/ACT');
    const twEpe = new Float64Array(times.length);
    const twEepe = new Float64Array(times.length);
    runningTimeWeightedAverage(profile.ee, times, twEpe);
    runningTimeWeightedAverage(profile.eee, times, twEepe);
    const expectedEpe = num('TimeWeightedBaselEPE');
    const expectedEepe = num('TimeWeightedBaselEEPE');
    let compared = 0;
    for (let k = 0; k < times.length; k++) {
      // ORE writes 0 for these running averages after the netting set's maturity; we compare the live dates.
      if (grid.dates[profile.dateIndex[k]!]! > MATURITY) continue;
      expect(Math.abs(twEpe[k]! - expectedEpe[k]!)).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(twEepe[k]! - expectedEepe[k]!)).toBeLessThanOrEqual(0.0051);
      compared++;
    }
    expect(compared).toBe(41);
    const xva = readCsv(path.join(MC50, 'xva.csv'));
    expect(Math.abs(profile.epe1y - Number(column(xva, 'BaselEPE')[0]))).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.eepe - Number(column(xva, 'BaselEEPE')[0]))).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.eepe - 123383.17)).toBeLessThanOrEqual(0.0051);
  });

  it('the trade report (one trade: the same figures, EPE..EEE printed as integers)', () => {
    const trade = readCsv(path.join(MC50, 'exposure_trade_Swap_20y.csv'));
    const cases: [string, Float64Array][] = [
      ['EPE', profile.epe],
      ['ENE', profile.ene],
      ['PFE', profile.pfe],
      ['BaselEE', profile.ee],
      ['BaselEEE', profile.eee],
    ];
    for (const [name, ours] of cases) {
      column(trade, name).map(Number).forEach((x, k) => expect(Math.abs(ours[k]! - x)).toBeLessThanOrEqual(0.5001));
    }
  });

  it('Euler weights of the one-trade set give back the EPE and ENE exactly (the whole set is one trade)', () => {
    const weights = new Float64Array(nPaths);
    for (let k = 0; k < profile.dateIndex.length; k++) {
      const d = profile.dateIndex[k]!;
      for (const side of ['epe', 'ene'] as const) {
        const residual = eulerWeights(side, d, nPaths, values, ones, weights);
        let contribution = residual;
        for (let p = 0; p < nPaths; p++) contribution += weights[p]! * values[d * nPaths + p]!;
        const target = side === 'epe' ? profile.epe[k]! : profile.ene[k]!;
        expect(Math.abs(contribution - target)).toBeLessThanOrEqual(1e-9 * Math.max(1, target));
      }
    }
  });
});

describe('ORE swap_flat_xva: the 1000-path netting cube subset (spot-start variant, 3M grid)', () => {
  it('EPE, ENE, PFE (950th of 1000) and Basel EE at about 1Y, 5Y, 10Y, 15Y to the cent', () => {
    const { grid, nPaths, values } = loadCube(path.join(MC1000, 'netcube_subset.csv'));
    expect(nPaths).toBe(1000);
    const ones = new Float64Array(values.length).fill(1);
    const profile = computeProfile(
      { nettingSetId: 'CPTY_A', counterpartyId: 'CPTY_A', grid, nPaths, values, numeraire: ones, discountFactors: discountFactors(grid) },
      { pfeQuantile: 0.95 },
    );
    const report = readCsv(path.join(MC1000, 'exposure_nettingset_CPTY_A.csv'));
    const rowOf = new Map(column(report, 'Date').map((d, i) => [date(d), i]));
    const checks: [string, Float64Array][] = [
      ['EPE', profile.epe],
      ['ENE', profile.ene],
      ['PFE', profile.pfe],
      ['BaselEE', profile.ee],
    ];
    let compared = 0;
    for (let k = 0; k < profile.dateIndex.length; k++) {
      const row = rowOf.get(grid.dates[profile.dateIndex[k]!]!);
      expect(row).toBeDefined();
      for (const [name, ours] of checks) {
        const expected = Number(column(report, name)[row!]);
        expect(Math.abs(ours[k]! - expected)).toBeLessThanOrEqual(0.0051);
        compared++;
      }
    }
    expect(compared).toBe(5 * 4);
    // README: EPE 190,414.76, ENE 85,060.86, PFE 652,742.13 at 2017-02-06.
    expect(Math.abs(profile.epe[1]! - 190414.76)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.ene[1]! - 85060.86)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(profile.pfe[1]! - 652742.13)).toBeLessThanOrEqual(0.0051);
  });
});
