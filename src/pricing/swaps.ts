/**
 * Interest rate swaps (IRS, OIS) and cross-currency swaps valued today from the bank's side, leg by leg (legs.ts).
 */
import type { Market, YieldCurve } from '../market/types.js';
import type { BasisSwap, CrossCurrencySwap, Currency, FloatLeg, InterestRateSwap, SwapLeg } from '../products/types.js';
import { discountCurveFor, unsupported } from './curves.js';
import { fixedLegFlows, floatLegFlows, flowsPv } from './legs.js';
import { principalFlows } from '../products/amortization.js';
import { resettingLegPv } from './mtmXccy.js';

/** The projection curve of a floating leg, or a clear error naming the trade and the missing index. */
export function projectionFor(tradeId: string, leg: FloatLeg, market: Market): YieldCurve {
  if (!market.hasProjectionCurve(leg.floatIndex)) {
    throw new Error(`trade ${tradeId}: the market has no projection curve ${leg.floatIndex} (curves.projection) for its floating leg`);
  }
  return market.projectionCurve(leg.floatIndex);
}

/** PV today of a leg's coupons as received, in the leg's currency, discounted on `discount`. */
export function legCouponsPv(tradeId: string, leg: SwapLeg, market: Market, discount: YieldCurve): number {
  if (leg.kind === 'fixed') return flowsPv(fixedLegFlows(leg, market), discount);
  return flowsPv(floatLegFlows(leg, market, projectionFor(tradeId, leg, market)), discount);
}

/** NPV in the swap currency: pay (payer swap) = floating leg − fixed leg; receive = the opposite. */
export function priceInterestRateSwap(trade: InterestRateSwap, market: Market, collateralCurrency?: Currency): number {
  if (trade.fixedLeg.currency !== trade.floatLeg.currency) {
    throw unsupported(trade.tradeId, `an ${trade.product} with legs in ${trade.fixedLeg.currency} and ${trade.floatLeg.currency} (use XCCY)`);
  }
  const discount = discountCurveFor(market, trade.fixedLeg.currency, collateralCurrency);
  const fixed = legCouponsPv(trade.tradeId, trade.fixedLeg, market, discount);
  const float = legCouponsPv(trade.tradeId, trade.floatLeg, market, discount);
  return (trade.direction === 'pay' ? 1 : -1) * (float - fixed);
}

/** NPV of a basis swap in its currency: pay = leg 2 (received) − leg 1 (paid); receive = the opposite. */
export function priceBasisSwap(trade: BasisSwap, market: Market, collateralCurrency?: Currency): number {
  const ccy = trade.leg1.currency;
  if (trade.leg2.currency !== ccy) throw unsupported(trade.tradeId, `a basis swap with legs in ${ccy} and ${trade.leg2.currency} (use XCCY)`);
  const discount = discountCurveFor(market, ccy, collateralCurrency);
  const paid = legCouponsPv(trade.tradeId, trade.leg1, market, discount);
  const received = legCouponsPv(trade.tradeId, trade.leg2, market, discount);
  return (trade.direction === 'pay' ? 1 : -1) * (received - paid);
}

/**
 * PV today of a cross-currency leg as received, in its own currency: coupons, plus the final notional received at
 * the last payment date, minus the initial notional paid at the (adjusted) start date, plus an amortising leg's
 * repayments on its steps (products/amortization.ts principalFlows), each exchange only while still to come (after
 * the as-of date).
 */
export function xccyLegPv(
  tradeId: string,
  leg: SwapLeg,
  market: Market,
  discount: YieldCurve,
  initialExchange: boolean,
  finalExchange: boolean,
): number {
  let pv = legCouponsPv(tradeId, leg, market, discount);
  for (const flow of principalFlows(leg, initialExchange, finalExchange)) {
    if (flow.date > market.asOf) pv += flow.amount * discount.discount(market.time(flow.date));
  }
  return pv;
}

/**
 * Cross-currency swap NPV in the leg-2 currency: pay = pay leg 1, receive leg 2, so NPV = PV₂ − S·PV₁ with S the spot
 * in leg-2 currency per leg-1 currency (a PV converts at spot). Each leg discounts on its own currency's curve
 * (collateralised in `collateralCurrency` when given).
 */
export function priceCrossCurrencySwap(trade: CrossCurrencySwap, market: Market, collateralCurrency?: Currency): number {
  const ccy1 = trade.leg1.currency;
  const ccy2 = trade.leg2.currency;
  const discount1 = discountCurveFor(market, ccy1, collateralCurrency);
  const discount2 = discountCurveFor(market, ccy2, collateralCurrency);
  // a mark-to-market swap's resetting leg (mtmXccy.ts); the constant leg as any cross-currency leg
  const pv1 = trade.fxReset === 'leg1'
    ? resettingLegPv(trade, market, discount1, discount2)
    : xccyLegPv(trade.tradeId, trade.leg1, market, discount1, trade.initialExchange, trade.finalExchange);
  const pv2 = trade.fxReset === 'leg2'
    ? resettingLegPv(trade, market, discount2, discount1)
    : xccyLegPv(trade.tradeId, trade.leg2, market, discount2, trade.initialExchange, trade.finalExchange);
  return (trade.direction === 'pay' ? 1 : -1) * (pv2 - pv1 * market.fxSpot(ccy1, ccy2));
}
