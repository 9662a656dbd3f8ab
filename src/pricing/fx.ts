/**
 * FX forwards, FX swaps and European FX options valued today. Amounts are in `currency2` (the domestic, quote
 * currency: FX rates and strikes are units of currency2 per currency); flows in `currency` are discounted on its own
 * curve and converted at spot, which is the same as valuing them at the outright forward F = S·P_1(T)/P_2(T).
 * Flows paid on or before the as-of date are excluded.
 */
import type { Market } from '../market/types.js';
import type { Currency, FxForward, FxOption, FxSwap } from '../products/types.js';
import { black76 } from './black.js';
import { discountCurveFor, unsupported } from './curves.js';

/**
 * Value in currency2 of receiving `amount1` of currency1 and paying `amount2` of currency2 on `date` (negative
 * amounts reverse a side): amount1·S·P_1(T) − amount2·P_2(T) = P_2(T)·(amount1·F − amount2).
 */
export function fxExchangePv(
  market: Market,
  currency1: Currency,
  currency2: Currency,
  amount1: number,
  amount2: number,
  date: number,
  collateralCurrency?: Currency,
): number {
  if (date <= market.asOf) return 0;
  const t = market.time(date);
  const p1 = discountCurveFor(market, currency1, collateralCurrency).discount(t);
  const p2 = discountCurveFor(market, currency2, collateralCurrency).discount(t);
  return amount1 * market.fxSpot(currency1, currency2) * p1 - amount2 * p2;
}

/** Outright forward, in currency2: buy = receive `notional` of currency, pay `notional2` of currency2 at maturity. */
export function priceFxForward(trade: FxForward, market: Market, collateralCurrency?: Currency): number {
  const sign = trade.direction === 'buy' ? 1 : -1;
  return sign * fxExchangePv(market, trade.currency, trade.currency2, trade.notional, trade.notional2, trade.maturityDate, collateralCurrency);
}

/**
 * FX swap, in currency2: buy = buy `notional` of currency at the near date for notional·nearRate of currency2 and
 * sell it back at the far date for notional·farRate. The near exchange is excluded once paid (near date <= as-of).
 */
export function priceFxSwap(trade: FxSwap, market: Market, collateralCurrency?: Currency): number {
  const sign = trade.direction === 'buy' ? 1 : -1;
  const n = trade.notional;
  const near = fxExchangePv(market, trade.currency, trade.currency2, n, n * trade.nearRate, trade.nearDate, collateralCurrency);
  const far = fxExchangePv(market, trade.currency, trade.currency2, -n, -n * trade.farRate, trade.maturityDate, collateralCurrency);
  return sign * (near + far);
}

/**
 * European FX option on `notional` units of currency (call = right to buy currency at `strike` currency2 each),
 * in currency2: Garman-Kohlhagen written on the forward to the delivery date, F = S·P_f(T_d)/P_d(T_d), with the vol
 * of the pair at expiry T_e and discounting to delivery: N·P_d(T_d)·Black76(F, K, σ(T_e), T_e). With delivery at expiry
 * this is exactly Garman-Kohlhagen. An option expiring today is worth its intrinsic value on the forward.
 */
export function priceFxOption(trade: FxOption, market: Market, collateralCurrency?: Currency): number {
  if (trade.maturityDate <= market.asOf) return 0;
  if (trade.expiryDate < market.asOf) {
    throw unsupported(trade.tradeId, 'an FX option that expired before the as-of date but delivers after it (its exercise is not in the trade data)');
  }
  const sign = trade.direction === 'buy' ? 1 : -1;
  const expiryYears = market.time(trade.expiryDate);
  const deliveryYears = market.time(trade.maturityDate);
  const pDomestic = discountCurveFor(market, trade.currency2, collateralCurrency).discount(deliveryYears);
  const pForeign = discountCurveFor(market, trade.currency, collateralCurrency).discount(deliveryYears);
  const forward = (market.fxSpot(trade.currency, trade.currency2) * pForeign) / pDomestic;
  const vol = expiryYears > 0 ? market.fxVol(trade.currency, trade.currency2, expiryYears) : 0;
  return sign * trade.notional * black76(trade.optionType, forward, trade.strike, vol, expiryYears, pDomestic);
}
