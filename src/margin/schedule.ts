/**
 * Standardised schedule initial margin (BCBS-IOSCO "Margin requirements for non-centrally cleared derivatives",
 * 2020, Appendix A) from CRIF-style schedule rows (ORE's crif_schedule.csv: one PV and one Notional row per trade,
 * IMModel Schedule, end_date):
 *   gross IM = Σ_trades m(asset class, residual maturity) · |notional|
 *   NGR      = net replacement cost / gross replacement cost = max(Σ PV, 0) / Σ max(PV, 0)
 *   schedule IM = 0.4 · gross IM + 0.6 · NGR · gross IM
 * Call (IM we collect) uses the PVs as given; Post (IM we post) uses the negated PVs. Regulations are read as for
 * SIMM (margin/simm/calculate.ts): per regulation on each side, the highest schedule IM wins; where the netting set
 * names SEC on a side, its CFTC trades count under SEC too (ORE's IMScheduleCalculator).
 */
import type { DateSerial } from '../conventions/dates.js';
import { toIsoDate } from '../conventions/dates.js';
import { yearFraction } from '../conventions/dayCount.js';
import { XvaInputError, type InputIssue } from '../errors.js';
import { byNettingSet, nettingSetsNamingSec, rowsByRegulation } from './simm/calculate.js';
import type { CrifRecord, ScheduleProductClass, SimmSide } from './simm/types.js';

/** BCBS-IOSCO Appendix A: schedule multipliers (fraction of notional) by asset class and residual maturity. */
export const SCHEDULE_MULTIPLIERS = {
  'Credit 0-2 years': 0.02,
  'Credit 2-5 years': 0.05,
  'Credit 5+ years': 0.1,
  Commodity: 0.15,
  Equity: 0.15,
  FX: 0.06,
  'Interest Rate 0-2 years': 0.01,
  'Interest Rate 2-5 years': 0.02,
  'Interest Rate 5+ years': 0.04,
  Other: 0.15,
} as const;
export type ScheduleLabel = keyof typeof SCHEDULE_MULTIPLIERS;

/** The schedule row of a product class and residual maturity in years (buckets [0,2), [2,5), [5,∞)). */
export function scheduleLabel(productClass: ScheduleProductClass, maturityYears: number): ScheduleLabel {
  const band = maturityYears < 2 ? '0-2 years' : maturityYears < 5 ? '2-5 years' : '5+ years';
  switch (productClass) {
    case 'Rates':
      return `Interest Rate ${band}`;
    case 'Credit':
      return `Credit ${band}`;
    default:
      return productClass;
  }
}

export interface ScheduleTradeResult {
  tradeId: string;
  portfolioId: string;
  productClass: ScheduleProductClass;
  endDate: DateSerial;
  /** Residual maturity, Act/Act ISDA from the as-of date (as ORE). */
  maturityYears: number;
  label: ScheduleLabel;
  multiplier: number;
  /** |notional| in the result currency. */
  notional: number;
  /** PV in the result currency (as given, i.e. the Call-side sign). */
  pv: number;
  /** multiplier · |notional|. */
  grossIm: number;
}

export interface ScheduleNettingSetResult {
  portfolioId: string;
  side: SimmSide;
  regulation: string;
  grossIm: number;
  /** Σ max(PV, 0) with the side's PV sign (ORE prints the Post value with a minus sign). */
  grossReplacementCost: number;
  /** max(Σ PV, 0) with the side's PV sign. */
  netReplacementCost: number;
  /** NGR = net / gross replacement cost (0 when the gross is 0). */
  netToGrossRatio: number;
  scheduleIm: number;
  grossImByProductClass: { productClass: ScheduleProductClass; grossIm: number }[];
}

export interface ScheduleImResult {
  trades: ScheduleTradeResult[];
  nettingSets: ScheduleNettingSetResult[];
}

export interface ScheduleImOptions {
  /** Valuation date: residual maturities run from here. */
  asOf: DateSerial;
  /** Use the CRIF's regulation columns (default true). */
  enforceRegulations?: boolean;
  /** File name for messages (default `CRIF`). */
  file?: string;
}

/** Pairs the PV and Notional rows of each schedule trade; every inconsistency is an InputIssue. */
function scheduleTrades(records: readonly CrifRecord[], options: ScheduleImOptions): ScheduleTradeResult[] {
  const file = options.file ?? 'CRIF';
  const issues: InputIssue[] = [];
  const byTrade = new Map<string, { pv?: CrifRecord; notional?: CrifRecord }>();
  for (const r of records) {
    const key = `${r.portfolioId}\u0000${r.tradeId}`;
    const entry = byTrade.get(key) ?? {};
    const slot = r.riskType === 'PV' ? 'pv' : 'notional';
    if (entry[slot]) {
      issues.push({ file, row: r.row, column: 'RiskType', value: r.riskType, expected: `one ${r.riskType} row per trade (trade ${r.tradeId} has two)` });
    }
    entry[slot] = r;
    byTrade.set(key, entry);
  }
  const trades: ScheduleTradeResult[] = [];
  for (const { pv, notional } of byTrade.values()) {
    const any = (pv ?? notional)!;
    if (!pv || !notional) {
      issues.push({
        file,
        row: any.row,
        column: 'RiskType',
        value: any.riskType,
        expected: `both a PV and a Notional row for schedule trade ${any.tradeId}`,
      });
      continue;
    }
    if (pv.productClass !== notional.productClass || pv.endDate !== notional.endDate) {
      issues.push({
        file,
        row: notional.row,
        column: pv.productClass !== notional.productClass ? 'ProductClass' : 'end_date',
        value: pv.productClass !== notional.productClass ? notional.productClass : toIsoDate(notional.endDate!),
        expected: `the same product class and end date as the PV row of trade ${pv.tradeId}`,
      });
      continue;
    }
    if (pv.endDate! < options.asOf) {
      // a trade that has matured has no residual maturity and no margin (BCBS-IOSCO Appendix A counts outstanding
      // derivatives only): a CRIF of another date, or the wrong as-of date
      issues.push({ file, row: pv.row, column: 'end_date', value: toIsoDate(pv.endDate!), expected: `an end date on or after the as-of date ${toIsoDate(options.asOf)} (trade ${pv.tradeId} has matured: leave it out, or check the as-of date)` });
      continue;
    }
    const productClass = pv.productClass as ScheduleProductClass;
    const maturityYears = yearFraction('ACT/ACT', options.asOf, pv.endDate!);
    const label = scheduleLabel(productClass, maturityYears);
    const multiplier = SCHEDULE_MULTIPLIERS[label];
    const notionalAbs = Math.abs(notional.amount);
    trades.push({
      tradeId: pv.tradeId,
      portfolioId: pv.portfolioId,
      productClass,
      endDate: pv.endDate!,
      maturityYears,
      label,
      multiplier,
      notional: notionalAbs,
      pv: pv.amount,
      grossIm: multiplier * notionalAbs,
    });
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  return trades;
}

/**
 * The net-to-gross ratio of a side (BCBS-IOSCO Appendix A): net over gross replacement cost, 1 where the gross is 0
 * (no trade with a positive value on the side; ORE's IMScheduleCalculator likewise).
 */
export function netToGross(netReplacementCost: number, grossReplacementCost: number): number {
  return grossReplacementCost > 0 ? netReplacementCost / grossReplacementCost : 1;
}

/** Schedule IM of a set of trades on one side: (0.4 + 0.6·NGR)·gross IM. */
function scheduleOf(trades: readonly ScheduleTradeResult[], side: SimmSide): Omit<ScheduleNettingSetResult, 'portfolioId' | 'side' | 'regulation'> {
  const sign = side === 'Call' ? 1 : -1;
  let grossIm = 0;
  let grossRc = 0;
  let sumPv = 0;
  const byClass = new Map<ScheduleProductClass, number>();
  for (const t of trades) {
    grossIm += t.grossIm;
    byClass.set(t.productClass, (byClass.get(t.productClass) ?? 0) + t.grossIm);
    const pv = sign * t.pv;
    grossRc += Math.max(pv, 0);
    sumPv += pv;
  }
  const netRc = Math.max(sumPv, 0);
  // no trade with a positive value on this side: NGR 0/0, taken as 1 (no netting benefit), as ORE's
  // IMScheduleCalculator does; 0 would give a lone trade the 0.4 floor
  const ngr = netToGross(netRc, grossRc);
  return {
    grossIm,
    grossReplacementCost: grossRc,
    netReplacementCost: netRc,
    netToGrossRatio: ngr,
    scheduleIm: (0.4 + 0.6 * ngr) * grossIm,
    grossImByProductClass: [...byClass.entries()].map(([productClass, g]) => ({ productClass, grossIm: g })),
  };
}

/** Schedule IM per trade and per netting set and side, from the CRIF rows with IMModel Schedule. */
export function calculateScheduleIm(records: readonly CrifRecord[], options: ScheduleImOptions): ScheduleImResult {
  const rows = records.filter((r) => r.imModel === 'Schedule' && (r.riskType === 'PV' || r.riskType === 'Notional'));
  const trades = scheduleTrades(rows, options);
  const tradeByKey = new Map(trades.map((t) => [`${t.portfolioId}\u0000${t.tradeId}`, t]));
  const enforce = options.enforceRegulations ?? true;
  // ORE's hasSEC: SEC named by any row of the set (SIMM rows too) adds the CFTC trades to SEC (simm/calculate.ts)
  const namingSec = nettingSetsNamingSec(records, enforce);
  const nettingSets: ScheduleNettingSetResult[] = [];
  for (const [portfolioId, nsRows] of byNettingSet(rows)) {
    for (const side of ['Call', 'Post'] as const) {
      let best: ScheduleNettingSetResult | undefined;
      // a trade under both SEC and CFTC is one trade id: counted once under SEC
      for (const [regulation, regRows] of rowsByRegulation(nsRows, side, enforce, namingSec[side].has(portfolioId))) {
        const ids = new Set(regRows.map((r) => `${r.portfolioId}\u0000${r.tradeId}`));
        const regTrades = [...ids].map((id) => tradeByKey.get(id)).filter((t): t is ScheduleTradeResult => t !== undefined);
        const result = { portfolioId, side, regulation, ...scheduleOf(regTrades, side) };
        if (!best || result.scheduleIm > best.scheduleIm * (1 + 1e-12) + 1e-9) best = result;
      }
      if (best) nettingSets.push(best);
    }
  }
  return { trades, nettingSets };
}
