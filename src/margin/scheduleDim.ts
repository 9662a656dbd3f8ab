/**
 * Dynamic IM of the netting sets whose IM model is the standardised schedule (BCBS-IOSCO 2020, Appendix A;
 * margin/schedule.ts): the schedule IM projected on the exposure dates, the profile `xva margin --dim` reports, whose
 * posted side the MVA funds (margin/mva.ts) and which `--dynamic-im` holds and posts as the SIMM sets' DIM.
 *
 * Method: at each exposure date t the schedule of the trades still outstanding (last payment after t, margin/mva.ts
 * lastLiveDate; a cash-settled swaption until its expiry), each at its residual maturity from t (its multiplier steps down as it crosses 5 and 2
 * years) and its notional outstanding at t (an amortising leg's falls; at today's FX spot), with the net-to-gross ratio
 * of today's values of those trades: IM(t) = 0.4·gross(t) + 0.6·NGR_0(t)·gross(t), per side (Call with the values as
 * they are, Post with them negated; rows from the portfolio carry no regulation, so one figure a side). Notionals and
 * maturities are known in advance (they move with time, not on the paths); the NGR moves on the paths (it needs each
 * trade's value on each path, which the pooled valuation does not form), so it is held at today's values: an
 * approximation, said in the docs, as is counting a physically settled swaption after its expiry on every path
 * (exercised or not). At t = 0 the profile is today's schedule IM exactly (the same calculator on the same rows);
 * after the last payment it is 0. No simulation, so the same figures in every command, shard and backend.
 */
import type { DateSerial } from '../conventions/dates.js';
import { XvaUsageError } from '../errors.js';
import type { HazardCurve, Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import { exposureIndices } from '../simulation/grid.js';
import type { TimeGrid } from '../simulation/types.js';
import { scheduleCrifFromPortfolio, scheduleNotional } from './crifFromPortfolio.js';
import type { ScheduleProductClass } from './simm/types.js';
import type { Trade } from '../products/types.js';
import { yearFraction } from '../conventions/dayCount.js';
import type { DimProfile } from './dim.js';
import { endTimeOf, lastLiveDate, mvaCounterpartyCurve, mvaOfPostedProfile, tradesByNettingSet } from './mva.js';
import { calculateScheduleIm, netToGross, SCHEDULE_MULTIPLIERS, scheduleLabel } from './schedule.js';

/** A schedule trade as the projection reads it: today's PV and notional (USD), its end date and its last live date. */
interface ProjectedTrade {
  productClass: ScheduleProductClass;
  endDate: DateSerial;
  liveUntil: DateSerial;
  notional: number;
  pv: number;
  /** The trade when its schedule notional moves with time (an amortising or accreting leg): read again per date. */
  amortising: Trade | undefined;
}

/** Whether a trade's schedule notional is a leg's outstanding notional that amortisation moves (scheduleNotional). */
function amortises(trade: Trade): boolean {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return trade.fixedLeg.amortization !== undefined || trade.floatLeg.amortization !== undefined;
    case 'CAPFLOOR':
      return trade.floatLeg.amortization !== undefined;
    case 'XCCY':
    case 'BASIS':
      return trade.leg1.amortization !== undefined;
    default:
      return false;
  }
}

/** A trade's schedule notional on `date` in USD at today's spot (as crifFromPortfolio converts today's). */
function notionalUsd(trade: Trade, market: Market, date: DateSerial): number {
  const notional = scheduleNotional(trade, market, date);
  return Math.abs(notional.amount) * (notional.currency === 'USD' ? 1 : market.fxSpot(notional.currency, 'USD'));
}

/** How `--dynamic-im` and `xva margin --dim` describe a schedule set's IM profile. */
export const SCHEDULE_DIM_METHOD = "schedule IM (BCBS-IOSCO Appendix A) of the trades outstanding at each date, at their residual maturities and notionals outstanding then, with the net-to-gross ratio of today's values (src/margin/scheduleDim.ts)";

/**
 * The schedule IM profiles of the netting sets `nettingSetIds` (those whose im_model is schedule; a set without a
 * schedule IM today gets none) on the exposure dates `dates` (day serials, ascending, the first today), each with its
 * MVA; `curveOf` gives a set's counterparty curve for the MVA's survival (undefined: 1).
 */
export function scheduleDimProfiles(portfolio: Portfolio, market: Market, nettingSetIds: readonly string[], dates: ArrayLike<DateSerial>, curveOf: (nettingSetId: string) => HazardCurve | undefined): DimProfile[] {
  if (nettingSetIds.length === 0) return [];
  // the schedule is computed in USD (as SIMM): a market without a USD rate cannot give it, said as the user's input
  try {
    market.fxSpot(market.baseCurrency, 'USD');
  } catch {
    throw new XvaUsageError(`the schedule IM of netting set ${nettingSetIds[0]}${nettingSetIds.length > 1 ? ` and ${nettingSetIds.length - 1} more` : ''} is computed in USD, and the market has no FX rate between USD and its base currency ${market.baseCurrency}: add the pair to the market's fx spots, or set those sets' im_model to none`);
  }
  const records = scheduleCrifFromPortfolio(portfolio, market, nettingSetIds);
  const n = dates.length;
  const collect = new Map<string, Float64Array>();
  const post = new Map<string, Float64Array>();
  if (records.length === 0 || n === 0) return [];
  // today: the calculator itself (margin/schedule.ts), so that t = 0 is `xva margin`'s schedule IM to the bit
  const today = calculateScheduleIm(records, { asOf: dates[0]!, file: 'schedule IM projection' });
  for (const r of today.nettingSets) {
    const side = r.side === 'Call' ? collect : post;
    let row = side.get(r.portfolioId);
    if (!row) side.set(r.portfolioId, (row = new Float64Array(n)));
    row[0] = r.scheduleIm;
  }
  // later dates: the same sums (scheduleOf's, in the same trade order) over each set's trades outstanding then, at
  // their residual maturities and notionals then; portfolio rows carry no regulation, so one figure a side
  const ids = new Set(nettingSetIds);
  const tradeById = new Map(portfolio.trades.filter((t) => ids.has(t.nettingSetId)).map((t) => [`${t.nettingSetId}\u0000${t.tradeId}`, t]));
  const bySet = new Map<string, ProjectedTrade[]>();
  for (const t of today.trades) {
    const trade = tradeById.get(`${t.portfolioId}\u0000${t.tradeId}`);
    // outstanding while it has a value (mva.ts lastLiveDate, the exposure engine's rule): a cash-settled swaption
    // until its expiry, not its underlying's end (which still sets its maturity bucket before then); a trade whose end
    // date is a holiday or weekend until its last payment, the business day after (as the engine values it there)
    const projected: ProjectedTrade = { productClass: t.productClass, endDate: t.endDate, liveUntil: trade ? lastLiveDate(trade) : t.endDate, notional: t.notional, pv: t.pv, amortising: trade !== undefined && amortises(trade) ? trade : undefined };
    const list = bySet.get(t.portfolioId);
    if (list) list.push(projected);
    else bySet.set(t.portfolioId, [projected]);
  }
  for (const [id, trades] of bySet) {
    const c = collect.get(id) ?? new Float64Array(n);
    const p = post.get(id) ?? new Float64Array(n);
    collect.set(id, c);
    post.set(id, p);
    for (let k = 1; k < n; k++) {
      const asOf = dates[k]!;
      let grossIm = 0;
      let grossRcCall = 0;
      let grossRcPost = 0;
      let sumPv = 0;
      let alive = 0;
      for (const t of trades) {
        if (!(t.liveUntil > asOf)) continue;
        alive++;
        const multiplier = SCHEDULE_MULTIPLIERS[scheduleLabel(t.productClass, yearFraction('ACT/ACT', asOf, t.endDate))];
        grossIm += multiplier * (t.amortising ? notionalUsd(t.amortising, market, asOf) : t.notional);
        grossRcCall += Math.max(t.pv, 0);
        grossRcPost += Math.max(-t.pv, 0);
        sumPv += t.pv;
      }
      if (alive === 0) break;
      const ngrCall = netToGross(Math.max(sumPv, 0), grossRcCall);
      const ngrPost = netToGross(Math.max(-sumPv, 0), grossRcPost);
      c[k] = (0.4 + 0.6 * ngrCall) * grossIm;
      p[k] = (0.4 + 0.6 * ngrPost) * grossIm;
    }
  }
  const usdPerBase = market.baseCurrency === 'USD' ? 1 : market.fxSpot(market.baseCurrency, 'USD');
  const times = Float64Array.from(dates, (d) => market.time(d));
  const tradesOf = tradesByNettingSet(portfolio.trades);
  const profiles: DimProfile[] = [];
  for (const id of nettingSetIds) {
    const c = collect.get(id);
    const p = post.get(id);
    if (!c && !p) continue;
    const expectedImCollect = c ?? new Float64Array(n);
    const expectedImPost = p ?? new Float64Array(n);
    profiles.push({
      nettingSetId: id,
      dates: Int32Array.from(dates),
      times: times.slice(),
      modelIm: Float64Array.from(expectedImCollect, (usd) => usd / usdPerBase),
      expectedImCollect,
      expectedImPost,
      mva: mvaOfPostedProfile(expectedImPost, times, market, curveOf(id), endTimeOf(tradesOf.get(id) ?? [], market).endTime),
      method: 'schedule',
    });
  }
  return profiles;
}

/**
 * The schedule IM profiles of a book's `im_model schedule` netting sets (those in `only` when given), in its
 * netting-set order, on the exposure dates of `grid`; a set whose counterparty has no credit curve gets survival 1 and
 * `onNote(id, note)` says so. The one entry of `xva margin --dim`, `--dynamic-im` and their shards.
 */
export function bookScheduleDim(portfolio: Portfolio, market: Market, grid: TimeGrid, onNote: (nettingSetId: string, note: string) => void, only?: ReadonlySet<string>): DimProfile[] {
  const sets = portfolio.nettingSets.filter((n) => n.imModel === 'schedule' && (!only || only.has(n.nettingSetId)));
  if (sets.length === 0) return [];
  const cpOf = new Map(sets.map((n) => [n.nettingSetId, n.counterpartyId]));
  const cps = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const dates = Int32Array.from(exposureIndices(grid), (d) => grid.dates[d]!);
  return scheduleDimProfiles(portfolio, market, [...cpOf.keys()], dates, (id) => {
    const cp = cpOf.get(id)!;
    return mvaCounterpartyCurve(cps.get(cp), market, () => onNote(id, `MVA of ${id}: no credit curve for ${cp}, counterparty survival taken as 1`));
  });
}
