/**
 * Single-name CDS valued today with the ISDA CDS Standard Model (market/cdsIsda.ts) on the reference entity's
 * credit curve and the trade currency's discount curve. The NPV is clean, as the model quotes upfronts: protection
 * buyer NPV = protection leg − clean premium leg, clean premium = coupon × cleanRiskyAnnuity = dirty premium leg −
 * accrued premium × P(T+3) (the accrued rebated at cash settlement). It is zero when the coupon equals the par
 * (conventional) spread, protection / cleanRiskyAnnuity.
 */
import type { Market } from '../market/types.js';
import type { CreditDefaultSwap, Currency } from '../products/types.js';
import { FREQUENCY_MONTHS } from '../conventions/dates.js';
import { cdsLegsPv } from '../market/cdsIsda.js';
import { discountCurveFor } from './curves.js';

/** Clean NPV per unit notional to the protection buyer, and the legs it comes from. */
export function cdsUnitValue(trade: CreditDefaultSwap, market: Market, collateralCurrency?: Currency) {
  if (!market.hasCreditCurve(trade.referenceEntity)) {
    throw new Error(`trade ${trade.tradeId}: the market has no credit curve for reference entity ${trade.referenceEntity} (credit.names)`);
  }
  const hazard = market.creditCurve(trade.referenceEntity);
  const legs = cdsLegsPv(
    {
      startDate: trade.startDate,
      maturityDate: trade.maturityDate,
      couponRate: trade.fixedRate,
      recovery: hazard.recovery,
      frequencyMonths: FREQUENCY_MONTHS[trade.frequency],
      dayCount: trade.dayCount,
    },
    market.asOf,
    discountCurveFor(market, trade.currency, collateralCurrency),
    hazard,
  );
  const cleanPremium = trade.fixedRate * legs.cleanRiskyAnnuity;
  return { ...legs, cleanPremiumLegPv: cleanPremium, buyerNpv: legs.protectionLegPv - cleanPremium };
}

/** NPV in the trade currency: buy = buy protection. Zero once the protection has ended. */
export function priceCreditDefaultSwap(trade: CreditDefaultSwap, market: Market, collateralCurrency?: Currency): number {
  if (trade.maturityDate <= market.asOf) return 0;
  const sign = trade.direction === 'buy' ? 1 : -1;
  return sign * trade.notional * cdsUnitValue(trade, market, collateralCurrency).buyerNpv;
}
