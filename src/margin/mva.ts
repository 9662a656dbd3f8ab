/**
 * MVA: the cost of funding the initial margin the bank posts (Green and Kenyon, "MVA by replication and regression",
 * 2015), MVA = s_f · Σ_k E[IM_post](t_k) · S_C(t_k) · S_B(t_k) · P(t_k) · Δt_k over the exposure dates t_k, with s_f the
 * base currency's borrow spread less the remuneration the posted IM earns (`funding.<CCY>.initialMarginSpreadBp`),
 * S_C and S_B the survival of the counterparty and of the bank (1 when the market has no own curve), P the base OIS
 * discount factor and Δt_k the time to the next exposure date, the last one ending at the netting set's last live date
 * (the left-point rule; no IM is posted after the set's last flow).
 *
 * Three sources of E[IM_post]: the dynamic IM profile of a SIMM netting set (dim.ts dimProfile, by simulation), the
 * schedule IM projected of a schedule set (scheduleDim.ts), or the amount a netting set's `initial_margin_posted`
 * states, held flat while the set lives (staticPostedMva). A set's MVA reads its IM profile where it has one (`xva
 * margin --dim`; the optimiser's measure with dynamic IM on), else its `initial_margin_posted`: the IM the exposure
 * engine lets lower its DVA in that run, so that the DVA benefit of posted IM and its funding cost come from the same
 * amount, up to the same last live date (lastLiveDate: the engine's, tested on every demo set).
 */
import type { FundingSpreads, HazardCurve, Market, YieldCurve } from '../market/types.js';
import type { Counterparty, NettingSet } from '../portfolio/types.js';
import { tradeMaturity, type ScheduleTerms, type Trade } from '../products/types.js';
import { buildSchedule } from '../conventions/schedule.js';
import { defaultGrid, exposureIndices } from '../simulation/grid.js';
import type { DateSerial } from '../conventions/dates.js';

/**
 * MVA of an expected posted-IM profile `post` (any currency unit: the MVA comes in the same) on exposure-date times
 * `times` (years): the sum above, in date order. `endTime` (years; the netting set's last live date) ends the last
 * interval there: no IM is posted after the set's last flow, so the step from the last date before it funds the IM up
 * to it, not to the next exposure date.
 */
export function mvaOfPostedProfile(post: ArrayLike<number>, times: ArrayLike<number>, market: Market, counterpartyCurve?: HazardCurve, endTime = Number.POSITIVE_INFINITY): number {
  return mvaSum(post, times, market.funding(market.baseCurrency), market.discountCurve(market.baseCurrency), counterpartyCurve, market.ownCredit, endTime);
}

/**
 * The MVA sum with its inputs given: the base currency's funding spreads (borrow less the posted IM's remuneration),
 * its discount curve, the counterparty's and the bank's survival curves (undefined: 1). A stress scenario passes its
 * shocked spreads and curves (optimize/run.ts).
 */
export function mvaSum(
  post: ArrayLike<number>,
  times: ArrayLike<number>,
  funding: Pick<FundingSpreads, 'borrowSpreadBp' | 'initialMarginSpreadBp'>,
  discount: Pick<YieldCurve, 'discount'>,
  counterpartyCurve: HazardCurve | undefined,
  own: HazardCurve | undefined,
  endTime = Number.POSITIVE_INFINITY,
): number {
  const spread = (funding.borrowSpreadBp - (funding.initialMarginSpreadBp ?? 0)) * 1e-4;
  let mva = 0;
  for (let k = 0; k + 1 < times.length; k++) {
    const t = times[k]!;
    const dt = Math.min(times[k + 1]!, endTime) - t;
    if (!(dt > 0)) break;
    const survival = (counterpartyCurve?.survival(t) ?? 1) * (own?.survival(t) ?? 1);
    mva += spread * post[k]! * survival * discount.discount(t) * dt;
  }
  return mva;
}

/**
 * The last date a trade has a value on the paths, as the exposure engine values it (exposure/valuation/compile.ts):
 * a swap leg's last payment (its adjusted end, or `payment_lag_days` business days after it: conventions/schedule.ts),
 * a cash-settled swaption's expiry (it settles there), a physical one's underlying's last payment; otherwise the
 * trade's maturity (tradeMaturity: an FX option's delivery, an equity option's expiry, a CDS's end).
 */
export function lastLiveDate(trade: Trade): DateSerial {
  const lastPayment = (leg: ScheduleTerms): DateSerial => {
    const schedule = buildSchedule(leg);
    return schedule.count > 0 ? schedule.paymentDate[schedule.count - 1]! : leg.maturityDate;
  };
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return Math.max(lastPayment(trade.fixedLeg), lastPayment(trade.floatLeg));
    case 'BASIS':
    case 'XCCY':
      return Math.max(lastPayment(trade.leg1), lastPayment(trade.leg2));
    case 'SWAPTION':
      return trade.settlement === 'cash' ? trade.expiryDate : Math.max(lastPayment(trade.fixedLeg), lastPayment(trade.floatLeg));
    case 'CAPFLOOR':
      return lastPayment(trade.floatLeg);
    default:
      return tradeMaturity(trade);
  }
}

/** The last live date of a netting set's trades (lastLiveDate), or undefined when it has none. */
export function nettingSetLastLiveDate(trades: readonly Trade[]): DateSerial | undefined {
  let last: number | undefined;
  for (const trade of trades) {
    const m = lastLiveDate(trade);
    if (last === undefined || m > last) last = m;
  }
  return last;
}

/** The trades of each netting set, in trade order. */
export function tradesByNettingSet(trades: readonly Trade[]): Map<string, Trade[]> {
  const out = new Map<string, Trade[]>();
  for (const trade of trades) {
    const list = out.get(trade.nettingSetId);
    if (list) list.push(trade);
    else out.set(trade.nettingSetId, [trade]);
  }
  return out;
}

/** `{ endTime }` (years) of a set's last live date for an IM profile's MVA, or {} for a set without trades. */
export function endTimeOf(trades: readonly Trade[], market: Market): { endTime?: number } {
  const lastLive = nettingSetLastLiveDate(trades);
  return lastLive === undefined ? {} : { endTime: market.time(lastLive) };
}

/**
 * The expected posted IM of a set that posts a static `amount` (any unit) on exposure dates `dates` (day serials):
 * the amount on every date before the set's last live date (nettingSetLastLiveDate; as the exposure engine posts it,
 * up to its last live grid date), 0 from then on.
 */
export function staticPostedProfile(amount: number, dates: ArrayLike<number>, lastLive: DateSerial): Float64Array {
  const post = new Float64Array(dates.length);
  for (let k = 0; k < dates.length; k++) post[k] = dates[k]! < lastLive ? amount : 0;
  return post;
}

/**
 * MVA of a static posted `amount` (any unit) of a set with `trades` on exposure dates `dates` (the first today): the
 * amount held flat to the set's last live date (the last interval ends there); 0 for a set without trades or one
 * whose trades have all paid out.
 */
export function staticPostedMva(amount: number, trades: readonly Trade[], dates: ArrayLike<number>, market: Market, counterpartyCurve?: HazardCurve): number {
  const lastLive = nettingSetLastLiveDate(trades);
  if (!(amount > 0) || lastLive === undefined || lastLive <= market.asOf) return 0;
  const times = Float64Array.from(dates, (d) => market.time(d));
  return mvaOfPostedProfile(staticPostedProfile(amount, dates, lastLive), times, market, counterpartyCurve, market.time(lastLive));
}

/** An expected posted-IM profile on exposure-date times (years), with the set's last live date (years) ending it. */
export interface PostedProfile {
  post: Float64Array;
  times: Float64Array;
  endTime?: number;
}

/**
 * The posted-IM profile of a netting set's `initial_margin_posted` in USD (the unit of `xva margin`'s figures): the
 * amount, converted from the collateral currency at today's spot, held flat to the set's last live date on the default
 * grid's exposure dates (the dates `xva margin --dim` integrates its DIM on: the default grid is one schedule from the
 * as-of date, cut one step past the last maturity, so a set's dates are the book's up to its end). Undefined for a set
 * without posted IM or live trades.
 */
export function staticPostedProfileUsd(nettingSet: NettingSet, trades: readonly Trade[], market: Market): PostedProfile | undefined {
  const amount = nettingSet.initialMarginPosted ?? 0;
  const lastLive = nettingSetLastLiveDate(trades);
  if (!(amount > 0) || lastLive === undefined || lastLive <= market.asOf) return undefined;
  const grid = defaultGrid(market.asOf, lastLive);
  const dates = Int32Array.from(exposureIndices(grid), (d) => grid.dates[d]!);
  const usd = amount * (nettingSet.collateralCurrency === 'USD' ? 1 : market.fxSpot(nettingSet.collateralCurrency, 'USD'));
  return { post: staticPostedProfile(usd, dates, lastLive), times: Float64Array.from(dates, (d) => market.time(d)), endTime: market.time(lastLive) };
}

/** MVA of a netting set's `initial_margin_posted` in USD (staticPostedProfileUsd); 0 without posted IM or trades. */
export function staticPostedMvaUsd(nettingSet: NettingSet, trades: readonly Trade[], market: Market, counterpartyCurve?: HazardCurve): number {
  const profile = staticPostedProfileUsd(nettingSet, trades, market);
  return profile ? mvaOfPostedProfile(profile.post, profile.times, market, counterpartyCurve, profile.endTime) : 0;
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
