/** Which curve discounts a trade's flows: the OIS curve of the flow currency, or its collateral-currency variant. */
import type { Market, YieldCurve } from '../market/types.js';
import type { Currency } from '../products/types.js';

/**
 * Flows in `currency` under a CSA paying interest on `collateralCurrency` are discounted on the curve of `currency`
 * collateralised in `collateralCurrency` (cross-currency basis applied by the market); without a collateral currency,
 * or when it is the flow currency, on the OIS curve of `currency`.
 */
export function discountCurveFor(market: Market, currency: Currency, collateralCurrency?: Currency): YieldCurve {
  if (collateralCurrency === undefined || collateralCurrency === currency) return market.discountCurve(currency);
  return market.collateralDiscountCurve(currency, collateralCurrency);
}

/** Error for a trade feature this library does not price, naming the trade. */
export function unsupported(tradeId: string, what: string): Error {
  return new Error(`trade ${tradeId}: ${what} is not supported`);
}

/**
 * β of a floating period: the projection curve's growth over (s, e) against the discount curve's,
 * P_p(s)/P_p(e)·P_d(e)/P_d(s) (times in years): under one factor per currency 1 + L·τ = β/P_d(s, e) (LSG §12.1).
 */
export function basisRatio(projection: YieldCurve, discount: Pick<YieldCurve, 'discount'>, s: number, e: number): number {
  return (projection.discount(s) / projection.discount(e)) * (discount.discount(e) / discount.discount(s));
}
