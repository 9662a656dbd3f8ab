/**
 * Caps and floors valued today as their caplets (products/capFloor.ts): each caplet fixing after the as-of date
 * is the one-period physically settled swaption with its payoff, priced by pricing/swaption.ts: Bachelier or shifted
 * Black on its forward rate at the currency's caplet vol for its expiry (`rates.<CCY>.capFloorVols`), or without
 * those at the swaption surface's vol for its expiry and its period as the tenor (flat beyond the surface's shortest
 * tenor); under Hull-White by Jamshidian's formula (here a single zero-bond option) when the market has neither. The
 * period fixed on or before today pays max(±(L − K), 0)·N·τ at its end with L the market's fixing of its start
 * (`fixings`), or without one today's forward over the period (as swaps): its one-period swap when that is in the
 * holder's favour, nothing otherwise.
 *
 * On an overnight index each caplet is compounded in arrears (Swaption.inArrears: its variance runs to the period's
 * end, pricing/swaption.ts). The period running today compounds the market's fixings to date and the curve's forward
 * for its remaining days (as an OIS coupon) and, like a term cap's running period, counts at its intrinsic value on
 * that forward: the time value of its days still to fix, at most about 0.4·σ·√((e − t)³/(3τ²))·N·τ for a normal
 * vol σ (an at-the-money quarterly period at its start, σ = 100bp: 2.9e-4 of the notional), is left out, as the
 * exposure engine fixes overnight coupons at the grid date on or before their start (docs/inputs.md).
 */
import type { Market } from '../market/types.js';
import { capletPieces } from '../products/capFloor.js';
import type { CapFloor, Currency, InterestRateSwap, Swaption } from '../products/types.js';
import { priceInterestRateSwap } from './swaps.js';
import { priceSwaption } from './swaption.js';

export interface CapFloorParts {
  /** The caplets (floorlets) still to fix, as swaptions. */
  options: Swaption[];
  /** The running period's one-period swap when it pays the holder (empty otherwise). */
  swaps: InterestRateSwap[];
}

/** The parts that make up the cap or floor today, in the trade's own direction (a sold cap's parts are sold). */
export function capFloorParts(trade: CapFloor, market: Market): CapFloorParts {
  const pieces = capletPieces(trade, market.asOf);
  if (!pieces.running) return { options: pieces.caplets, swaps: [] };
  const holderSign = trade.direction === 'buy' ? 1 : -1;
  const inHolderFavour = holderSign * priceInterestRateSwap(pieces.running, market) > 0;
  return { options: pieces.caplets, swaps: inHolderFavour ? [pieces.running] : [] };
}

export function priceCapFloor(trade: CapFloor, market: Market, collateralCurrency?: Currency): number {
  const { options, swaps } = capFloorParts(trade, market);
  let value = 0;
  for (const caplet of options) value += priceSwaption(caplet, market, collateralCurrency);
  for (const swap of swaps) value += priceInterestRateSwap(swap, market, collateralCurrency);
  return value;
}
