/**
 * What a validated book holds, in the numbers a desk checks first: trades by product, counterparties, netting sets,
 * CSA and clearing coverage, gross notional by currency and today's mark-to-market.
 */
import { resetsWithoutFixing } from '../pricing/mtmXccy.js';
import type { IssueCollector } from '../errors.js';
import type { Market } from '../market/types.js';
import { priceTrade } from '../pricing/index.js';
import { PRODUCTS, tradeMaturity, type CrossCurrencySwap, type Currency, type FloatLeg, type ProductType, type Trade } from '../products/types.js';
import { isTermIndex } from '../products/capFloor.js';
import { buildSchedule } from '../conventions/schedule.js';
import { overnightAccrual } from '../pricing/legs.js';
import { overnightCompounding, overnightSwapLegs, periodFixings } from '../products/overnightCoupon.js';
import { tableDisplayName } from './load.js';
import { WEEKENDS_ONLY } from '../conventions/holidays.js';
import type { Portfolio } from './types.js';
import { amortisingLeg, outstandingNotional } from '../products/amortization.js';
import type { DateSerial } from '../conventions/dates.js';

export interface MtmSummary {
  /** Sum of trade NPVs in each trade's pricing currency (TradeValue.currency). */
  byCurrency: Record<string, number>;
  /** Sum of NPVs converted to the base currency at today's FX spots. */
  base: number;
  baseCurrency: Currency;
  pricedTrades: number;
  /** Trades the pricer could not value (each reported as an issue). */
  failedTrades: number;
}

export interface PortfolioSummary {
  tradeCount: number;
  /** Every product, zero included, in PRODUCTS order. */
  tradesByProduct: Record<ProductType, number>;
  counterpartyCount: number;
  nettingSetCount: number;
  csa: {
    nettingSets: number;
    /** Share of netting sets under a VM CSA, 0..1. */
    nettingSetShare: number;
    trades: number;
    /** Share of trades in a netting set under a VM CSA, 0..1. */
    tradeShare: number;
  };
  cleared: { nettingSets: number; trades: number; tradeShare: number };
  /**
   * Sum of each trade's notional in its `currency`: leg 1 for XCCY, the `currency` amount for FX products,
   * quantity × strike for equity trades (docs/inputs.md).
   */
  grossNotionalByCurrency: Record<string, number>;
  /**
   * Trades with swap schedules (IRS, OIS, BASIS, XCCY, SWAPTION, CAPFLOOR) by the calendar they roll on (`weekends` when the trade
   * names none): a book whose swaps forgot their calendars shows here.
   */
  swapsByCalendar: Record<string, number>;
  /** Amortising swaps (IRS, OIS, XCCY, swaption underlyings) by how they amortise (`linear`, `fixed_amount`, `schedule`); empty for a bullet book. */
  amortisingSwaps: Record<string, number>;
  /** Trades whose fixed rate or strike steps (the rate_schedules table), by product; empty when none does. */
  steppedRates: Record<string, number>;
  /** Swaptions with Bermudan exercise (`exercise` bermudan). */
  bermudanSwaptions: number;
  /** Mark-to-market cross-currency swaps (`fx_reset`). */
  resettingSwaps: number;
  /** Swaps paying after their accrual ends (`payment_lag_days` > 0). */
  laggedSwaps: number;
  /** Swaps whose overnight legs look back or lock out (`float_lookback_days`, `float_lockout_days` > 0). */
  lookbackSwaps: number;
  /** Counterparties with a wrong-way model (`wrong_way_model` exposure or intensity), by model; empty when none has one. */
  wrongWayCounterparties: Record<string, number>;
  /** Absent when the market did not load. */
  mtm?: MtmSummary;
  /**
   * Trades with a coupon that began before the as-of date whose fixings the market file lacks (`fixings`: a term
   * index's fixing of the period's start, an overnight index's daily fixings to today): those coupons are valued at
   * today's forward over the same length (docs/market.md). Absent without a market.
   */
  unfixedCoupons?: { trades: number; tradeIds: string[] };
}

/** The floating legs of a trade whose coupons may be running today (a swaption's underlying starts after its expiry). */
export function floatingLegs(trade: Trade): FloatLeg[] {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'CAPFLOOR':
      return [trade.floatLeg];
    case 'BASIS':
      return [trade.leg1, trade.leg2];
    case 'XCCY':
      return [trade.leg1, trade.leg2].filter((leg): leg is FloatLeg => leg.kind === 'float');
    default:
      return [];
  }
}

/**
 * Whether a leg has a coupon that began before `asOf` and is paid after it whose fixings the market lacks: a term
 * index's fixing of its start, or an overnight index's daily fixings from its start (pricing/legs.ts overnightAccrual).
 */
function hasUnfixedCoupon(leg: FloatLeg, market: Market): boolean {
  const terms = overnightCompounding(leg);
  // a lookback may fix a coupon starting after today on days before it
  if (leg.startDate >= market.asOf + (terms?.lookbackDays ?? 0) * 3 + 7) return false;
  const schedule = buildSchedule(leg);
  for (let i = 0; i < schedule.count; i++) {
    const start = schedule.accrualStart[i]!;
    if (schedule.paymentDate[i]! <= market.asOf) continue;
    // every coupon still to be paid that fixed before today: with a payment lag, the last period's too
    if (terms !== undefined) {
      const days = periodFixings(leg, terms, i, start, schedule.accrualEnd[i]!, schedule.accrualFraction[i]!);
      if (days.fixingDates[0]! >= market.asOf) return false;
      for (let d = 0; d < days.count && days.fixingDates[d]! < market.asOf; d++) if (market.fixing(leg.floatIndex, days.fixingDates[d]!) === undefined) return true;
      continue;
    }
    if (start >= market.asOf) return false;
    const missing = isTermIndex(leg.floatIndex) ? market.fixing(leg.floatIndex, start) === undefined : overnightAccrual(leg, start, market, schedule.accrualEnd[i]!) === undefined;
    if (missing) return true;
  }
  return false;
}

/** The calendar a trade's swap schedules roll on; undefined for products without one. */
function scheduleCalendar(trade: Trade): string | undefined {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
      return trade.fixedLeg.calendar ?? WEEKENDS_ONLY;
    case 'CAPFLOOR':
      return trade.floatLeg.calendar ?? WEEKENDS_ONLY;
    case 'XCCY':
    case 'BASIS':
      return trade.leg1.calendar ?? WEEKENDS_ONLY;
    default:
      return undefined;
  }
}

/**
 * The notional a trade carries in its own `currency`; an amortising swap's outstanding on `asOf` when given (its initial
 * notional otherwise).
 */
export function tradeNotional(trade: Trade, asOf?: DateSerial): { currency: Currency; notional: number } {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return { currency: trade.fixedLeg.currency, notional: asOf === undefined ? trade.fixedLeg.notional : outstandingNotional(trade.fixedLeg, asOf) };
    case 'SWAPTION':
      return { currency: trade.fixedLeg.currency, notional: trade.fixedLeg.notional };
    case 'CAPFLOOR':
      return { currency: trade.floatLeg.currency, notional: asOf === undefined ? trade.floatLeg.notional : outstandingNotional(trade.floatLeg, asOf) };
    case 'XCCY':
    case 'BASIS':
      return { currency: trade.leg1.currency, notional: asOf === undefined ? trade.leg1.notional : outstandingNotional(trade.leg1, asOf) };
    case 'EQFWD':
    case 'EQOPT':
      return { currency: trade.currency, notional: trade.quantity * trade.strike };
    default:
      return { currency: trade.currency, notional: trade.notional };
  }
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/**
 * Summarises the book. With a market, values every trade (priceTrade); a trade the pricer cannot value is reported
 * as an issue naming it and left out of the MTM.
 */
export function summarisePortfolio(portfolio: Portfolio, market: Market | undefined, issues: IssueCollector): PortfolioSummary {
  const tradesByProduct = Object.fromEntries(PRODUCTS.map((p) => [p, 0])) as Record<ProductType, number>;
  const grossNotionalByCurrency: Record<string, number> = {};
  const swapsByCalendar: Record<string, number> = {};
  const amortisingSwaps: Record<string, number> = {};
  const steppedRates: Record<string, number> = {};
  let bermudanSwaptions = 0;
  let resettingSwaps = 0;
  let laggedSwaps = 0;
  let lookbackSwaps = 0;
  for (const trade of portfolio.trades) {
    if (overnightSwapLegs(trade).some((leg) => overnightCompounding(leg) !== undefined)) lookbackSwaps++;
    if (((trade.product === 'IRS' || trade.product === 'OIS') && (trade.fixedLeg.paymentLagDays ?? 0) > 0) || ((trade.product === 'BASIS' || trade.product === 'XCCY') && (trade.leg1.paymentLagDays ?? 0) > 0)) laggedSwaps++;
    if (trade.product === 'SWAPTION' && trade.exerciseDates !== undefined) bermudanSwaptions++;
    if (trade.product === 'XCCY' && trade.fxReset !== undefined) resettingSwaps++;
    tradesByProduct[trade.product]++;
    const calendar = scheduleCalendar(trade);
    if (calendar !== undefined) swapsByCalendar[calendar] = (swapsByCalendar[calendar] ?? 0) + 1;
    const amortization = amortisingLeg(trade)?.amortization;
    if (amortization !== undefined) amortisingSwaps[amortization.kind] = (amortisingSwaps[amortization.kind] ?? 0) + 1;
    const stepped = trade.product === 'CAPFLOOR' ? trade.strikeSteps : 'fixedLeg' in trade ? trade.fixedLeg.rateSteps : undefined;
    if (stepped !== undefined) steppedRates[trade.product] = (steppedRates[trade.product] ?? 0) + 1;
    const { currency, notional } = tradeNotional(trade, market?.asOf);
    grossNotionalByCurrency[currency] = (grossNotionalByCurrency[currency] ?? 0) + notional;
  }

  const wrongWayCounterparties: Record<string, number> = {};
  for (const c of portfolio.counterparties) if (c.wrongWay) wrongWayCounterparties[c.wrongWay.model] = (wrongWayCounterparties[c.wrongWay.model] ?? 0) + 1;

  const nettingSets = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n] as const));
  const csaNettingSets = portfolio.nettingSets.filter((n) => n.csa).length;
  const clearedNettingSets = portfolio.nettingSets.filter((n) => n.cleared).length;
  const csaTrades = portfolio.trades.filter((t) => nettingSets.get(t.nettingSetId)?.csa === true).length;
  const clearedTrades = portfolio.trades.filter((t) => t.cleared).length;
  const tradeCount = portfolio.trades.length;

  const summary: PortfolioSummary = {
    tradeCount,
    tradesByProduct,
    counterpartyCount: portfolio.counterparties.length,
    nettingSetCount: portfolio.nettingSets.length,
    csa: {
      nettingSets: csaNettingSets,
      nettingSetShare: share(csaNettingSets, portfolio.nettingSets.length),
      trades: csaTrades,
      tradeShare: share(csaTrades, tradeCount),
    },
    cleared: { nettingSets: clearedNettingSets, trades: clearedTrades, tradeShare: share(clearedTrades, tradeCount) },
    grossNotionalByCurrency,
    swapsByCalendar,
    amortisingSwaps,
    steppedRates,
    bermudanSwaptions,
    resettingSwaps,
    laggedSwaps,
    lookbackSwaps,
    wrongWayCounterparties,
  };
  if (!market) return summary;

  const tradesFile = tableDisplayName(portfolio, 'trades');
  const mtm: MtmSummary = { byCurrency: {}, base: 0, baseCurrency: market.baseCurrency, pricedTrades: 0, failedTrades: 0 };
  for (const trade of portfolio.trades) {
    if (tradeMaturity(trade) < market.asOf) continue; // matured: no value left (checks.ts warns)
    const ns = nettingSets.get(trade.nettingSetId);
    // flows discount on the netting set's collateral currency's curve (its default, the base currency, without a
    // CSA), as the exposure engine, margin and capital value them (docs/market.md, "Cross-currency basis")
    const options = ns ? { collateralCurrency: ns.collateralCurrency } : undefined;
    try {
      const value = priceTrade(trade, market, options);
      if (!Number.isFinite(value.npv) || !Number.isFinite(value.npvBase)) throw new Error(`the value came out as ${value.npv}`);
      mtm.byCurrency[value.currency] = (mtm.byCurrency[value.currency] ?? 0) + value.npv;
      mtm.base += value.npvBase;
      mtm.pricedTrades++;
    } catch (err) {
      mtm.failedTrades++;
      issues.add({
        file: tradesFile,
        row: trade.sourceRow,
        column: 'trade_id',
        value: trade.tradeId,
        expected: `a trade that can be valued (pricing failed: ${(err as Error).message})`,
      });
    }
  }
  // a book with a trade that could not be valued has no MTM to state (docs/inputs.md: a partial total would leave the
  // trade out silently, and the table would show its currency at 0): the errors name the trades
  if (mtm.failedTrades > 0) return summary;
  summary.mtm = mtm;
  // a coupon that fixed before today without its fixing, or a mark-to-market swap's reset without its FX fixing
  // (pricing/mtmXccy.ts: today's spot stands in)
  const unfixed = portfolio.trades
    .filter((t) => floatingLegs(t).some((leg) => hasUnfixedCoupon(leg, market)) || (t.product === 'XCCY' && tradeMaturity(t) >= market.asOf && resetsMissing(t, market)))
    .map((t) => t.tradeId);
  summary.unfixedCoupons = { trades: unfixed.length, tradeIds: unfixed };
  return summary;
}

/** A mark-to-market swap with a reset before today without its FX fixing (false where it cannot be priced: reported above). */
function resetsMissing(trade: CrossCurrencySwap, market: Market): boolean {
  try {
    return resetsWithoutFixing(trade, market).length > 0;
  } catch {
    return false;
  }
}
