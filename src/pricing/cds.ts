/**
 * Single-name CDS valued today with the ISDA CDS Standard Model (market/cdsIsda.ts) on the reference entity's
 * credit curve and the trade currency's discount curve.
 *
 * The NPV is the position's: protection leg − the dirty premium leg (every coupon still to be paid in full, the
 * running period's accrual since its start included), plus, while it is still to come, the accrued premium that the
 * protection seller rebates at the cash settlement of the trade (trade date + 3 business days; `tradeDate`, the
 * trades table's `trade_date`). A position without a trade date was settled before today: its value is the dirty value,
 * as ORE and QuantLib report. A trade made today has its rebate still to come, so its value is the model's clean value
 * (protection − coupon × cleanRiskyAnnuity, the quoted upfront), zero when the coupon equals the par (conventional)
 * spread, protection / cleanRiskyAnnuity.
 */
import type { Market } from '../market/types.js';
import type { CreditDefaultSwap, Currency } from '../products/types.js';
import { FREQUENCY_MONTHS } from '../conventions/dates.js';
import { cdsLegsPv, cdsTradeRebate, type CdsContract } from '../market/cdsIsda.js';
import { discountCurveFor } from './curves.js';

/** The contract terms of a CDS trade for the ISDA model (per unit notional). */
export function cdsContractOf(trade: CreditDefaultSwap, recovery: number): CdsContract {
  return {
    startDate: trade.startDate,
    maturityDate: trade.maturityDate,
    couponRate: trade.fixedRate,
    recovery,
    frequencyMonths: FREQUENCY_MONTHS[trade.frequency],
    dayCount: trade.dayCount,
  };
}

/**
 * The accrued-premium rebate of a CDS trade still to come on `date`: the coupon's accrual fraction at the trade's
 * step-in times the coupon, paid on its cash settlement date (after `date`), or undefined (no trade date, or settled on
 * or before `date`).
 */
export function pendingCdsRebate(trade: CreditDefaultSwap, recovery: number, date: number): { amount: number; paymentDate: number } | undefined {
  if (trade.tradeDate === undefined) return undefined;
  const rebate = cdsTradeRebate(cdsContractOf(trade, recovery), trade.tradeDate);
  if (rebate.cashSettleDate <= date) return undefined;
  return { amount: trade.fixedRate * rebate.accruedFraction, paymentDate: rebate.cashSettleDate };
}

/**
 * NPV per unit notional to the protection buyer (`buyerNpv`: dirty, plus the trade's rebate while still to come; see
 * the module comment), and the legs it comes from (as of today's step-in: `cleanRiskyAnnuity` behind the par spread).
 */
export function cdsUnitValue(trade: CreditDefaultSwap, market: Market, collateralCurrency?: Currency) {
  if (!market.hasCreditCurve(trade.referenceEntity)) {
    throw new Error(`trade ${trade.tradeId}: the market has no credit curve for reference entity ${trade.referenceEntity} (credit.names)`);
  }
  const hazard = market.creditCurve(trade.referenceEntity);
  const discount = discountCurveFor(market, trade.currency, collateralCurrency);
  const legs = cdsLegsPv(cdsContractOf(trade, hazard.recovery), market.asOf, discount, hazard);
  const cleanPremium = trade.fixedRate * legs.cleanRiskyAnnuity;
  let buyerNpv: number;
  if (trade.tradeDate === market.asOf) {
    buyerNpv = legs.protectionLegPv - cleanPremium; // made today: the model's clean value, the quoted upfront
  } else {
    buyerNpv = legs.protectionLegPv - legs.premiumLegPv;
    const rebate = pendingCdsRebate(trade, hazard.recovery, market.asOf);
    if (rebate) buyerNpv += rebate.amount * discount.discount(market.time(rebate.paymentDate));
  }
  return { ...legs, cleanPremiumLegPv: cleanPremium, buyerNpv };
}

/** NPV in the trade currency: buy = buy protection. Zero once the protection has ended. */
export function priceCreditDefaultSwap(trade: CreditDefaultSwap, market: Market, collateralCurrency?: Currency): number {
  if (trade.maturityDate <= market.asOf) return 0;
  const sign = trade.direction === 'buy' ? 1 : -1;
  return sign * trade.notional * cdsUnitValue(trade, market, collateralCurrency).buyerNpv;
}
