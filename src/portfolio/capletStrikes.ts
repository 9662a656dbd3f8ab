/**
 * A cap's or floor's strike against the market's shifted-Black vols (docs/inputs.md, "Caps and floors"). A caplet on
 * g·L + s struck at K is g caplets on the index L struck at K′ = (K − s)/g (products/capFloor.ts effectiveStrike), and
 * shifted Black-76 values it on K′ + shift, lognormal, so it needs K′ + shift > 0 (pricing/swaption.ts
 * shiftedBlackTakesStrike): a strike below the spread, or a spread far above the strike, leaves no caplet price. An
 * error on the trade's `strike` cell naming the spread and gearing that make K′, before any run prices the trade.
 */
import { toIsoDate } from '../conventions/dates.js';
import type { IssueCollector } from '../errors.js';
import type { Market } from '../market/types.js';
import { optionVolSurface, shiftedBlackTakesStrike } from '../pricing/swaption.js';
import { capletPieces } from '../products/capFloor.js';
import { stepInForce } from '../products/rateSteps.js';
import type { Trade } from '../products/types.js';

/** A rate as a message shows it: at most 12 significant digits (0.001 − 0.09 is −0.089, not −0.08900000000000001). */
function shown(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Records an error on the `strike` cell of a cap or floor whose caplets still to fix shifted Black cannot value. */
export function checkCapletStrikes(trade: Trade, market: Market, file: string, marketFile: string, issues: IssueCollector): void {
  if (trade.product !== 'CAPFLOOR') return;
  const leg = trade.floatLeg;
  if (!market.currencies.includes(leg.currency)) return; // reported on its currency cell
  const caplets = capletPieces(trade, market.asOf).caplets;
  const below = caplets.filter((c) => {
    const surface = optionVolSurface(c, market);
    return surface !== undefined && !shiftedBlackTakesStrike(surface, c.fixedLeg.fixedRate);
  });
  const first = below[0];
  if (first === undefined) return;
  const surface = optionVolSurface(first, market)!;
  const where = market.capFloorVols(leg.currency) !== undefined ? 'capFloorVols' : 'swaptionVols';
  // the strike in force on the caplet's accrual start (products/rateSteps.ts), K′ = (K − s)/g
  const step = stepInForce(trade.strikeSteps, leg, first.fixedLeg.startDate);
  const k = step < 0 ? trade.strike : trade.strikeSteps!.rates[step]!;
  const s = leg.spreadBp / 1e4;
  const g = leg.gearing ?? 1;
  const kPrime = first.fixedLeg.fixedRate;
  const formula =
    s !== 0 && g !== 1 ? `K′ = (K − s)/g = (${shown(k)} − ${shown(s)})/${shown(g)}`
      : s !== 0 ? `K′ = K − s = ${shown(k)} − ${shown(s)}`
        : g !== 1 ? `K′ = K/g = ${shown(k)}/${shown(g)}`
          : `K′ = K`;
  const terms = [
    step < 0 ? 'K the strike' : `K the strike ${shown(k)} from ${toIsoDate(trade.strikeSteps!.fromDates[step]!)} (rate_schedules)`,
    ...(s !== 0 ? [`s the float_spread_bp ${leg.spreadBp} as a rate`] : []),
    ...(g !== 1 ? [`g the float_gearing ${g}`] : []),
  ];
  const count =
    below.length === 1 ? `the caplet fixing ${toIsoDate(first.expiryDate)}`
      : `${below.length === caplets.length ? `all ${caplets.length} of its caplets` : `${below.length} of its ${caplets.length} caplets`} to come (the first fixing ${toIsoDate(first.expiryDate)})`;
  issues.add({
    file,
    row: trade.sourceRow,
    column: 'strike',
    value: String(trade.strike),
    expected:
      `a strike shifted Black can value: ${count} ${below.length === 1 ? 'is' : 'are'} struck on the index ${leg.floatIndex} at ${formula} = ${shown(kPrime)} (${terms.join(', ')}), ` +
      `at or below −${shown(surface.shift)}, minus the shift of the ${leg.currency} lognormal vols (${marketFile} rates.${leg.currency}.${where}, shift ${shown(surface.shift)}): ` +
      `shifted Black needs K′ + shift > 0`,
  });
}
