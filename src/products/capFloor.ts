/**
 * A cap or floor as its caplets (floorlets): plain data in, plain data out, no market.
 *
 * A caplet on the period [s, e] of a term index pays N·τ·(L − K)⁺ at e with L fixed at s; the one-period swap that
 * pays fixed K and receives L on the same dates, day count and notional pays N·τ·(L − K) at e, and is worth entering
 * at s exactly when L > K (its value at s is N·τ·(L − K)·P(s, e) under the engine's deterministic index basis). So
 * the caplet is the physically settled payer swaption on that one-period swap expiring at s, and a floorlet the
 * receiver swaption: the same payoff on every path, which lets every pricer of swaptions (today's surface price, the
 * LGM pricer on paths, SA-CCR's option positions, SIMM's delta and vega) value caps and floors with no formula of
 * its own (Brigo & Mercurio, Interest Rate Models, §1.5: a caplet is a one-period payer swaption).
 *
 * On an overnight index (`USD-SOFR`) the period's rate is the daily rates compounded in arrears, R = (Π(1 + rᵢδᵢ) − 1)/τ,
 * known only at the period's end e. The one-period swap on the overnight leg pays N·τ·(R − K) at e, and the caplet is
 * still the option to enter it at s, but on a rate that keeps moving until e: the caplet is flagged `inArrears`, and
 * its pricers let the rate's variance run to e (pricing/swaption.ts, after Lyashenko & Mercurio, "Looking Forward to
 * Backward-Looking Rates", 2019). On paths the engine decides the exercise at s, as it fixes overnight coupons at the
 * grid date on or before their start (docs/simulation.md); today's price, and so each caplet's variance on paths, is
 * the in-arrears one.
 *
 * On the index plus a spread, or a multiple of it (the leg's `spreadBp` s and `gearing` g > 0), a caplet pays
 * N·τ·(g·L + s − K)⁺ = g·N·τ·(L − K′)⁺ with K′ = (K − s)/g: the caplet on the index at the effective strike K′ on the
 * notional g·N (QuantLib's CapFloor::setupArguments strikes a coupon's cap the same way; a floorlet alike). So the
 * one-period legs carry K′ and g·N, and every pricer values them as it values any caplet.
 *
 * Periods: those paid on or before the as-of date are gone; a period fixing after it is a caplet; the period fixed on
 * or before today and paid after it has fixed already and pays its intrinsic value (capFloorParts in
 * pricing/capFloor.ts decides it on the market's fixing of its start, or without one at today's forward, as swaps).
 */
import { buildSchedule, type Schedule } from '../conventions/schedule.js';
import type { DateSerial } from '../conventions/dates.js';
import { periodNotional } from './amortization.js';
import { rateOn } from './rateSteps.js';
import type { CapFloor, FixedLeg, FloatLeg, InterestRateSwap, Swaption } from './types.js';

export interface CapletPieces {
  /** One physically settled swaption per period fixing after the as-of date, in schedule order. */
  caplets: Swaption[];
  /** The period fixed on or before the as-of date and paid after it, as the holder's one-period swap (pay fixed for a cap), or undefined. */
  running?: InterestRateSwap;
}

/** The index has a tenor (`EUR-EURIBOR-6M`): a term rate fixed in advance; overnight indices (`USD-SOFR`) have none. */
export function isTermIndex(floatIndex: string): boolean {
  return /-(\d+)([MY])$/i.test(floatIndex);
}

const cache = new WeakMap<CapFloor, Map<DateSerial, CapletPieces>>();

/** The caplets of `trade` alive at `asOf` (cached per trade and date: the pieces are the same objects each call). */
export function capletPieces(trade: CapFloor, asOf: DateSerial): CapletPieces {
  let byDate = cache.get(trade);
  if (!byDate) {
    byDate = new Map();
    cache.set(trade, byDate);
  }
  let pieces = byDate.get(asOf);
  if (!pieces) {
    pieces = buildPieces(trade, asOf);
    byDate.set(asOf, pieces);
  }
  return pieces;
}

function buildPieces(trade: CapFloor, asOf: DateSerial): CapletPieces {
  const leg = trade.floatLeg;
  const schedule = buildSchedule(leg);
  const payer = trade.optionType === 'cap';
  // an overnight index compounds over the period: the caplet's rate is known at its end (Swaption.inArrears)
  const inArrears = !isTermIndex(leg.floatIndex);
  const caplets: Swaption[] = [];
  let running: InterestRateSwap | undefined;
  const base = {
    tradeId: trade.tradeId,
    counterpartyId: trade.counterpartyId,
    nettingSetId: trade.nettingSetId,
    cleared: trade.cleared,
    ...(trade.ccp !== undefined ? { ccp: trade.ccp } : {}),
    ...(trade.sourceRow !== undefined ? { sourceRow: trade.sourceRow } : {}),
  };
  for (let k = 0; k < schedule.count; k++) {
    const start = schedule.accrualStart[k]!;
    if (schedule.paymentDate[k]! <= asOf) continue;
    const { fixedLeg, floatLeg } = onePeriodLegs(trade, schedule, k);
    if (start > asOf) {
      caplets.push({ ...base, product: 'SWAPTION', direction: trade.direction, optionType: payer ? 'payer' : 'receiver', settlement: 'physical', expiryDate: start, fixedLeg, floatLeg, caplet: true, ...(inArrears ? { inArrears: true as const } : {}) });
    } else {
      // the holder pays fixed on a cap's period (receives L − K); a seller takes the other side
      const holderPays = payer === (trade.direction === 'buy');
      running = { ...base, product: 'IRS', direction: holderPays ? 'pay' : 'receive', fixedLeg, floatLeg };
    }
  }
  return running ? { caplets, running } : { caplets };
}

/** A caplet's strike on the index: (K − s)/g for a cap on g·L + s (1 and 0 without gearing and spread). */
export function effectiveStrike(strike: number, leg: FloatLeg): number {
  return (strike - leg.spreadBp / 1e4) / (leg.gearing ?? 1);
}

/**
 * Period k of the cap as a one-period fixed leg (rate K′, the effective strike) and floating leg on the same dates and
 * day count, on the period's notional times the gearing.
 * The legs' own schedules must give back exactly that period (checked: a mismatch is a defect, not a user's error).
 */
function onePeriodLegs(trade: CapFloor, schedule: Schedule, k: number): { fixedLeg: FixedLeg; floatLeg: FloatLeg } {
  const leg = trade.floatLeg;
  const startDate = schedule.accrualStart[k]!;
  const maturityDate = schedule.accrualEnd[k]!;
  const notional = periodNotional(leg, startDate) * (leg.gearing ?? 1);
  const terms = {
    startDate,
    maturityDate,
    // one period: a yearly roll back from the period's end lands within the stub-merge window of its start
    frequency: '1Y' as const,
    dayCount: leg.dayCount,
    businessDayConvention: leg.businessDayConvention,
    ...(leg.calendar !== undefined ? { calendar: leg.calendar } : {}),
    stub: 'short_front' as const,
    endOfMonth: false,
    currency: leg.currency,
    notional,
  };
  // a stepped strike: the one in force on the period's accrual start (products/rateSteps.ts), rolled on the leg's terms
  const fixedLeg: FixedLeg = { kind: 'fixed', ...terms, fixedRate: effectiveStrike(rateOn(trade.strike, trade.strikeSteps, leg, startDate), leg) };
  const floatLeg: FloatLeg = { kind: 'float', ...terms, floatIndex: leg.floatIndex, spreadBp: 0 };
  const check = buildSchedule(floatLeg);
  if (check.count !== 1 || check.accrualStart[0] !== startDate || check.accrualEnd[0] !== maturityDate || check.accrualFraction[0] !== schedule.accrualFraction[k]) {
    throw new Error(`trade ${trade.tradeId}: period ${k + 1} of the ${trade.optionType} did not rebuild as one period (a defect: please report it)`);
  }
  return { fixedLeg, floatLeg };
}
