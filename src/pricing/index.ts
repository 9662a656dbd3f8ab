/**
 * Today's value of every product: `priceTrade(trade, market)` dispatches to one pricer per product. Each pricer is a
 * function of (trade, market) and reuses the building blocks exported here (leg PVs, Black formulas, Hull-White
 * closed forms), which the exposure engine must match at t = 0.
 *
 * Pricing currency (`TradeValue.currency`): the trade's `currency` for single-currency products (IRS, OIS, BASIS, SWAPTION,
 * CAPFLOOR, EQFWD, EQOPT, CDS); `currency2` for FXFWD, FXSWAP and FXOPT (the quote currency of their rates and strikes); the
 * leg-2 currency for XCCY. `npvBase` converts `npv` at today's spot into the market's base currency. Values are from
 * the bank's side: pay = pay fixed (IRS/OIS) or pay leg 1 (XCCY, BASIS); buy = long / buy protection / receive `currency`.
 */
import type { Market } from '../market/types.js';
import type { Currency, Trade } from '../products/types.js';
import { priceCapFloor } from './capFloor.js';
import { priceCreditDefaultSwap } from './cds.js';
import { priceEquityForward, priceEquityOption } from './equity.js';
import { priceFxForward, priceFxOption, priceFxSwap } from './fx.js';
import { priceBasisSwap, priceCrossCurrencySwap, priceInterestRateSwap } from './swaps.js';
import { priceSwaption } from './swaption.js';
import { priceBermudanSwaption } from './bermudan.js';

export interface TradeValue {
  tradeId: string;
  currency: Currency;
  npv: number;
  npvBase: number;
}

export interface PricingOptions {
  /** Currency of the collateral (CSA): flows are discounted on curves collateralised in it. Default: each flow
   *  currency's own OIS curve. */
  collateralCurrency?: Currency;
}

/** The currency `priceTrade` reports a trade's NPV in (see the module comment). */
export function pricingCurrency(trade: Trade): Currency {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
      return trade.fixedLeg.currency;
    case 'CAPFLOOR':
      return trade.floatLeg.currency;
    case 'XCCY':
      return trade.leg2.currency;
    case 'BASIS':
      return trade.leg1.currency;
    case 'FXFWD':
    case 'FXSWAP':
    case 'FXOPT':
      return trade.currency2;
    default:
      return trade.currency;
  }
}

function npvInPricingCurrency(trade: Trade, market: Market, collateralCurrency: Currency | undefined): number {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return priceInterestRateSwap(trade, market, collateralCurrency);
    case 'XCCY':
      return priceCrossCurrencySwap(trade, market, collateralCurrency);
    case 'BASIS':
      return priceBasisSwap(trade, market, collateralCurrency);
    case 'FXFWD':
      return priceFxForward(trade, market, collateralCurrency);
    case 'FXSWAP':
      return priceFxSwap(trade, market, collateralCurrency);
    case 'FXOPT':
      return priceFxOption(trade, market, collateralCurrency);
    case 'SWAPTION':
      return trade.exerciseDates !== undefined ? priceBermudanSwaption(trade, market, collateralCurrency) : priceSwaption(trade, market, collateralCurrency);
    case 'CAPFLOOR':
      return priceCapFloor(trade, market, collateralCurrency);
    case 'EQFWD':
      return priceEquityForward(trade, market, collateralCurrency);
    case 'EQOPT':
      return priceEquityOption(trade, market, collateralCurrency);
    case 'CDS':
      return priceCreditDefaultSwap(trade, market, collateralCurrency);
    default: {
      const unknown: never = trade;
      throw new Error(`trade ${(unknown as { tradeId?: string }).tradeId}: unsupported product ${(unknown as { product?: string }).product}`);
    }
  }
}

export function priceTrade(trade: Trade, market: Market, options: PricingOptions = {}): TradeValue {
  const currency = pricingCurrency(trade);
  const npv = npvInPricingCurrency(trade, market, options.collateralCurrency);
  if (!Number.isFinite(npv)) throw new Error(`trade ${trade.tradeId}: pricing gave a non-finite value (${npv}); check its amounts, rates, spreads and strike, and the market data it reads`);
  const npvBase = currency === market.baseCurrency ? npv : npv * market.fxSpot(currency, market.baseCurrency);
  return { tradeId: trade.tradeId, currency, npv, npvBase };
}

export { bachelier, black76, erf, erfc, garmanKohlhagen, normCdf, normPdf, type CallPut } from './black.js';
export { hullWhiteG, hullWhiteStateVariance, hullWhiteZcbOption, jamshidianSwaption } from './hullWhite.js';
export { fixedLegAnnuity, fixedLegFlows, fixedLegPv, floatLegFlows, floatLegPv, flowsPv, legFlows, type LegFlows } from './legs.js';
export { legCouponsPv, priceBasisSwap, priceCrossCurrencySwap, priceInterestRateSwap, projectionFor, xccyLegPv } from './swaps.js';
export { fxExchangePv, priceFxForward, priceFxOption, priceFxSwap } from './fx.js';
export { equityForwardPrice, priceEquityForward, priceEquityOption } from './equity.js';
export { cashSettledAnnuity, hullWhiteSwapFlows, priceSwaption, swaptionOnRate, swaptionTenorYears } from './swaption.js';
export { swaptionVolatility } from './swaptionVol.js';
export { cdsUnitValue, priceCreditDefaultSwap } from './cds.js';
export { discountCurveFor } from './curves.js';
