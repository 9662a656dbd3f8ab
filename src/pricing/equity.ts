/**
 * Equity forwards and European equity options valued today, in the trade currency (which must be the equity's own:
 * quanto payoffs are not priced). Forward F(T) = S·e^{−qT}/P(T) with a continuous dividend yield q and the trade's
 * discount curve (Hull, ch. 5 and 17).
 */
import type { Market } from '../market/types.js';
import type { Currency, EquityForward, EquityOption } from '../products/types.js';
import { black76 } from './black.js';
import { discountCurveFor, unsupported } from './curves.js';

/** Equity forward price to `timeYears` given the discount factor P(T) to it: S·e^{−qT}/P(T). */
export function equityForwardPrice(spot: number, dividendYield: number, timeYears: number, discount: number): number {
  return (spot * Math.exp(-dividendYield * timeYears)) / discount;
}

function equityFor(trade: EquityForward | EquityOption, market: Market) {
  const equity = market.equity(trade.underlying);
  if (equity.currency !== trade.currency) {
    throw unsupported(trade.tradeId, `a ${trade.currency} trade on ${trade.underlying}, which trades in ${equity.currency} (quanto)`);
  }
  return equity;
}

/** Long forward: quantity·(F − K)·P(T), settled in cash at maturity; 0 once settled. */
export function priceEquityForward(trade: EquityForward, market: Market, collateralCurrency?: Currency): number {
  if (trade.maturityDate <= market.asOf) return 0;
  const equity = equityFor(trade, market);
  const t = market.time(trade.maturityDate);
  const p = discountCurveFor(market, trade.currency, collateralCurrency).discount(t);
  const sign = trade.direction === 'buy' ? 1 : -1;
  return sign * trade.quantity * (equityForwardPrice(equity.spot, equity.dividendYield, t, p) - trade.strike) * p;
}

/** European option: quantity·Black76(F, K, σ(T), T)·P(T), cash-settled at expiry; 0 once settled (expiry <= as-of). */
export function priceEquityOption(trade: EquityOption, market: Market, collateralCurrency?: Currency): number {
  if (trade.expiryDate <= market.asOf) return 0;
  const equity = equityFor(trade, market);
  const t = market.time(trade.expiryDate);
  const p = discountCurveFor(market, trade.currency, collateralCurrency).discount(t);
  const vol = market.equityVol(trade.underlying, t);
  const sign = trade.direction === 'buy' ? 1 : -1;
  return sign * trade.quantity * black76(trade.optionType, equityForwardPrice(equity.spot, equity.dividendYield, t, p), trade.strike, vol, t, p);
}
