/**
 * MVA: the cost of funding the initial margin the bank posts (Green and Kenyon, "MVA by replication and regression",
 * 2015), MVA = s_f · Σ_k E[IM_post](t_k) · S_C(t_k) · S_B(t_k) · P(t_k) · Δt_k over the exposure dates t_k, with s_f the
 * base currency's borrow spread less the remuneration the posted IM earns (`funding.<CCY>.initialMarginSpreadBp`),
 * S_C and S_B the survival of the counterparty and of the bank (1 when the market has no own curve), P the base OIS
 * discount factor and Δt_k the time to the next exposure date (the left-point rule: the last date adds nothing).
 *
 * Two sources of E[IM_post]: the dynamic IM profile of a SIMM netting set (dim.ts dimProfile, by simulation), or the
 * amount a netting set's `initial_margin_posted` states, held flat while the set lives (staticPostedMva). One rule
 * decides which a set's MVA reads (dim.ts and the optimiser's measure): its DIM profile where it was simulated, else its
 * `initial_margin_posted`, the IM the exposure engine lets lower its DVA, so that the DVA benefit of posted IM and its
 * funding cost always come from the same amount.
 */
import type { HazardCurve, Market } from '../market/types.js';
import type { Counterparty, NettingSet } from '../portfolio/types.js';
import { tradeMaturity, type Trade } from '../products/types.js';
import { defaultGrid, exposureIndices } from '../simulation/grid.js';
import type { DateSerial } from '../conventions/dates.js';

/**
 * MVA of an expected posted-IM profile `post` (any currency unit: the MVA comes in the same) on exposure-date times
 * `times` (years): the sum above, in date order.
 */
export function mvaOfPostedProfile(post: ArrayLike<number>, times: ArrayLike<number>, market: Market, counterpartyCurve?: HazardCurve): number {
  const funding = market.funding(market.baseCurrency);
  const spread = (funding.borrowSpreadBp - (funding.initialMarginSpreadBp ?? 0)) * 1e-4;
  const discount = market.discountCurve(market.baseCurrency);
  const own = market.ownCredit;
  let mva = 0;
  for (let k = 0; k + 1 < times.length; k++) {
    const t = times[k]!;
    const survival = (counterpartyCurve?.survival(t) ?? 1) * (own?.survival(t) ?? 1);
    mva += spread * post[k]! * survival * discount.discount(t) * (times[k + 1]! - t);
  }
  return mva;
}

/** The last maturity of a netting set's trades (tradeMaturity), or undefined when it has none. */
export function nettingSetMaturity(trades: readonly Trade[]): DateSerial | undefined {
  let last: number | undefined;
  for (const trade of trades) {
    const m = tradeMaturity(trade);
    if (last === undefined || m > last) last = m;
  }
  return last;
}

/**
 * The expected posted IM of a set that posts a static `amount` (any unit) on exposure dates `dates` (day serials):
 * the amount on every date before the set's last maturity (while it has a live trade; as the exposure engine posts it
 * up to the set's last live date), 0 from then on.
 */
export function staticPostedProfile(amount: number, dates: ArrayLike<number>, maturity: DateSerial): Float64Array {
  const post = new Float64Array(dates.length);
  for (let k = 0; k < dates.length; k++) post[k] = dates[k]! < maturity ? amount : 0;
  return post;
}

/**
 * MVA of a netting set's `initial_margin_posted` in USD (the unit of `xva margin`'s figures): the amount, converted
 * from the collateral currency at today's spot, held flat to the set's last maturity on the default grid's exposure
 * dates (the dates `xva margin --dim` integrates its DIM on: the default grid is one schedule from the as-of date, cut
 * one step past the last maturity, so a set's dates are the book's up to its maturity). 0 for a set without posted IM
 * or trades.
 */
export function staticPostedMvaUsd(nettingSet: NettingSet, trades: readonly Trade[], market: Market, counterpartyCurve?: HazardCurve): number {
  const amount = nettingSet.initialMarginPosted ?? 0;
  const maturity = nettingSetMaturity(trades);
  if (!(amount > 0) || maturity === undefined || maturity <= market.asOf) return 0;
  const grid = defaultGrid(market.asOf, maturity);
  const rows = exposureIndices(grid);
  const dates = Int32Array.from(rows, (d) => grid.dates[d]!);
  const times = Float64Array.from(dates, (d) => market.time(d));
  const usd = amount * (nettingSet.collateralCurrency === 'USD' ? 1 : market.fxSpot(nettingSet.collateralCurrency, 'USD'));
  return mvaOfPostedProfile(staticPostedProfile(usd, dates, maturity), times, market, counterpartyCurve);
}

/**
 * A counterparty's credit curve for the MVA's survival: its `cds_curve` when the market has it, else the sector ×
 * rating × region proxy; undefined (survival 1) when neither exists, with `onMissing` called to say so.
 */
export function mvaCounterpartyCurve(cp: Counterparty | undefined, market: Market, onMissing: () => void): HazardCurve | undefined {
  if (!cp) return undefined;
  if (cp.cdsCurve && market.hasCreditCurve(cp.cdsCurve)) return market.creditCurve(cp.cdsCurve);
  try {
    return market.proxyCreditCurve({ sector: cp.sector, rating: cp.rating, region: cp.region }).curve;
  } catch {
    onMissing();
    return undefined;
  }
}
