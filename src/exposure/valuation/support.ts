/**
 * Which trades the pricers on paths can value, checked before any simulation so that the engine can list them all
 * (or skip them with --skip-unsupported). A trade is supported when today's pricer values it (pricing/index.ts:
 * market data present, no expired-but-unsettled exercise) and it has none of the features the path pricers refuse.
 */
import type { Market } from '../../market/types.js';
import type { FxOption, Trade } from '../../products/types.js';
import { priceTrade } from '../../pricing/index.js';

/** Why the trade cannot be valued on paths (a sentence naming the trade), or undefined when it can. */
export function unsupportedReason(trade: Trade, market: Market): string | undefined {
  const id = trade.tradeId;
  const refused = pathRefusal(trade, market);
  if (refused !== undefined) return refused;
  try {
    priceTrade(trade, market);
  } catch (error) {
    const message = (error as Error).message;
    return message.includes(id) ? message : `trade ${id}: ${message}`;
  }
  return undefined;
}

/**
 * The features the path pricers refuse although today's pricer values the trade (a sentence naming the trade), or
 * undefined: `xva validate` warns of them, since margin and capital take such a trade and the simulation does not.
 */
export function pathRefusal(trade: Trade, market: Market): string | undefined {
  const id = trade.tradeId;
  switch (trade.product) {
    case 'SWAPTION':
      if (trade.settlement === 'cash' && trade.expiryDate === market.asOf) {
        return `trade ${id}: a cash-settled swaption expiring on the as-of date is not supported on paths (it settles today)`;
      }
      break;
    case 'FXOPT':
      if (trade.maturityDate > market.asOf && trade.maturityDate < trade.expiryDate) return `trade ${id}: an FX option delivering before its expiry is not supported`;
      if (trade.maturityDate > market.asOf && !(trade.strike > 0)) return `trade ${id}: an FX option strike ${trade.strike} must be positive`;
      break;
    default:
      break;
  }
  return undefined;
}

/**
 * An FX option that expired before the as-of date but delivers after it: its exercise is not in the trade data, so the
 * path pricer refuses it (options.ts FxOptionOnPaths), as today's pricer does (pricing/fx.ts priceFxOption). Known from
 * the row alone: the what-if names its expiry_date before any simulation (xva/whatIf/newTrades.ts).
 */
export function expiredBeforeDelivery(trade: Trade, market: Market): trade is FxOption {
  return trade.product === 'FXOPT' && trade.maturityDate > market.asOf && trade.expiryDate < market.asOf;
}
