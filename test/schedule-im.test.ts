/**
 * Standardised schedule IM (BCBS-IOSCO Appendix A, net-to-gross ratio) against ORE's IM_SCHEDULE example
 * (../shared/reference/ore/im_schedule, OpenSourceRisk/Engine Examples/InitialMargin, commit b1f2393): nine rates
 * trades of netting set nettingSetId_1, as-of 2020-12-28, amounts from AmountUSD.
 * ORE prints the trade table to 5 decimals (maturity) / 2 decimals (amounts) and the summary to 2 decimals (NGR to 6):
 * tolerances are half a unit of the printed last digit.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { readCrif } from '../src/margin/crif.js';
import { calculateScheduleIm, scheduleLabel, SCHEDULE_MULTIPLIERS } from '../src/margin/schedule.js';
import { parseIsoDate } from '../src/conventions/dates.js';
import type { CrifRecord } from '../src/margin/simm/types.js';

const CASE = path.join(SHARED_REFERENCE, 'ore', 'im_schedule');
const AS_OF = parseIsoDate('2020-12-28')!;

describe('schedule IM: ORE im_schedule case', () => {
  it('per trade: Act/Act maturity, bucket, multiplier, notional, PV and gross IM as im_schedule_trade.csv', async () => {
    const records = await readCrif(path.join(CASE, 'inputs', 'crif_schedule.csv'));
    const { trades } = calculateScheduleIm(records, { asOf: AS_OF });
    const lines = fs.readFileSync(path.join(CASE, 'expected', 'im_schedule_trade.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
    expect(trades).toHaveLength(lines.length);
    for (const line of lines) {
      const c = line.split(',');
      const t = trades.find((x) => x.tradeId === c[0])!;
      expect(t.maturityYears).toBeCloseTo(Number(c[4]), 5);
      expect(t.label).toBe(c[5]);
      expect(t.multiplier).toBe(Number(c[6]));
      expect(Math.abs(t.notional - Number(c[11]))).toBeLessThanOrEqual(0.005);
      expect(Math.abs(t.pv - Number(c[12]))).toBeLessThanOrEqual(0.005);
      expect(Math.abs(t.grossIm - Number(c[14]))).toBeLessThanOrEqual(0.005);
    }
  });

  it('netting set: call 457.79 and post 395.86 with gross IM, gross/net RC and NGR as im_schedule.csv', async () => {
    const records = await readCrif(path.join(CASE, 'inputs', 'crif_schedule.csv'));
    const { nettingSets } = calculateScheduleIm(records, { asOf: AS_OF });
    const call = nettingSets.find((n) => n.portfolioId === 'nettingSetId_1' && n.side === 'Call')!;
    const post = nettingSets.find((n) => n.portfolioId === 'nettingSetId_1' && n.side === 'Post')!;
    expect(call.regulation).toBe('Unspecified');
    expect(Math.abs(call.grossIm - 989.66)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(call.grossReplacementCost - 4804.86)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(call.netReplacementCost - 501.06)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(call.netToGrossRatio - 0.104282)).toBeLessThanOrEqual(5e-7);
    expect(Math.abs(call.scheduleIm - 457.79)).toBeLessThanOrEqual(0.005);
    // ORE prints the post gross RC as -4,303.80 (gross RC of the negated PVs, shown with a minus sign).
    expect(Math.abs(post.grossReplacementCost - 4303.8)).toBeLessThanOrEqual(0.005);
    expect(post.netReplacementCost).toBe(0);
    expect(post.netToGrossRatio).toBe(0);
    expect(Math.abs(post.scheduleIm - 395.86)).toBeLessThanOrEqual(0.005);
    // Closed form: (0.4 + 0.6·NGR)·gross IM on each side.
    expect(call.scheduleIm).toBeCloseTo((0.4 + 0.6 * call.netToGrossRatio) * call.grossIm, 12);
    expect(post.scheduleIm).toBeCloseTo(0.4 * post.grossIm, 12);
    expect(call.grossImByProductClass).toEqual([{ productClass: 'Rates', grossIm: call.grossIm }]);
  });

  it('BCBS-IOSCO Appendix A schedule: 1/2/4 % rates, 2/5/10 % credit, 6 % FX, 15 % equity, commodity, other', () => {
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Rates', 1.99)]).toBe(0.01);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Rates', 2)]).toBe(0.02);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Rates', 5)]).toBe(0.04);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Credit', 0.5)]).toBe(0.02);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Credit', 3)]).toBe(0.05);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Credit', 7)]).toBe(0.1);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('FX', 1)]).toBe(0.06);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Equity', 1)]).toBe(0.15);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Commodity', 1)]).toBe(0.15);
    expect(SCHEDULE_MULTIPLIERS[scheduleLabel('Other', 1)]).toBe(0.15);
  });
});

describe('schedule IM: a side with no positive PV', () => {
  // BCBS-IOSCO Appendix A defines NGR = net RC / gross RC; with no trade of positive value on a side both are 0, and
  // ORE's IMScheduleCalculator (populateResults) takes NGR = 1 there: a lone trade out of the money nets nothing.
  const row = (tradeId: string, portfolioId: string, riskType: 'PV' | 'Notional', amount: number): CrifRecord => ({
    tradeId, portfolioId, productClass: 'Rates', riskType, qualifier: '', bucket: '', label1: '', label2: '', amount,
    amountCurrency: 'USD', imModel: 'Schedule', collectRegulations: [], postRegulations: [], endDate: parseIsoDate('2030-01-01')!,
  });
  it('one 10m rates trade of PV -250,000 (6y left: 4%): call and post 400,000, NGR 1 and 1; a PV of 0 likewise', () => {
    const asOf = parseIsoDate('2024-01-01')!;
    const records = [row('T1', 'A', 'PV', -250_000), row('T1', 'A', 'Notional', 1e7), row('T2', 'B', 'PV', 0), row('T2', 'B', 'Notional', 1e7)];
    const { nettingSets } = calculateScheduleIm(records, { asOf });
    for (const id of ['A', 'B']) {
      for (const side of ['Call', 'Post'] as const) {
        const n = nettingSets.find((x) => x.portfolioId === id && x.side === side)!;
        expect(n.grossIm).toBeCloseTo(400_000, 9);
        expect(n.netToGrossRatio).toBe(1);
        expect(n.scheduleIm).toBeCloseTo(400_000, 9);
      }
    }
    // the post side of A has a positive (negated) PV: net = gross = 250,000
    expect(nettingSets.find((x) => x.portfolioId === 'A' && x.side === 'Post')!.grossReplacementCost).toBeCloseTo(250_000, 9);
  });
});
