/**
 * The ISDA CDS Standard Model (Markit/ISDA open-source model, conventions of the 2009 "Big Bang"), written from its
 * published description (ISDA CDS Standard Model documentation; R. White, "The Pricing and Risk Management of Credit
 * Default Swaps, with a Focus on the ISDA Model", OpenGamma Quantitative Research n. 16, 2013):
 *
 * - Discount factors P(t) and survival probabilities Q(t) are piecewise exponential: flat forward rate f and flat
 *   hazard λ between the merged nodes of the two curves. On each such segment [t0, t1] the leg integrals have closed
 *   forms in P0 Q0, P1 Q1, h = ln Q0 - ln Q1 and x = (ln P0 - ln P1) + h; when |x| < 1e-4 the closed form is replaced
 *   by its Taylor expansion (the ISDA code's guard against 0/0). The integrals are therefore exact for such curves.
 *   The grid also holds every coupon's survival date; a discount curve that is not flat-forward between its pillars
 *   (monotone convex) is treated as flat-forward between grid points, the ISDA model's own assumption.
 * - Times are years ACT/365F from the trade date (the curves' as-of date). Protection and survival are observed at
 *   the start of day ("protectStart"): protection runs from the start of the step-in date T+1 (that is, the end of the
 *   trade date T) to the end of the maturity date; a coupon is paid if the name survives to the end of its accrual
 *   period, Q(accrualEnd - 1), the last period's accrual end being maturity + 1.
 * - Accrual on default: a default at time t during a period pays the coupon accrued from the period's accrual start
 *   to t, with Markit's half-day adjustment (accrued time measured from the start of the accrual start date plus half a
 *   day, ISDA CDS Standard Model v1.8.2).
 * - Premium leg "dirty" = the full coupons of every period ending after the step-in date (including the accrual
 *   since the last coupon date) plus accrual on default. "Clean" = dirty less the accrued premium, which the protection
 *   seller rebates at cash settlement (T+3 business days): clean = dirty - accruedPremium * P(T+3), the ISDA/Markit
 *   convention behind quoted upfronts and conventional spreads.
 *
 * All values are per unit notional and in the currency of the curves; `notional` in a contract is for the caller.
 */
import { brentRoot } from '../math/brent.js';
import { tenorToString, tenorYears, toIsoDate, type DateSerial, type Tenor } from '../conventions/dates.js';
import { addBusinessDays } from '../conventions/calendar.js';
import {
  buildCdsSchedule,
  cdsStandardAccrualStart,
  cdsStandardMaturity,
  type CdsMaturityRule,
} from '../conventions/cdsDates.js';
import { yearFraction } from '../conventions/dayCount.js';
import type { Schedule } from '../conventions/schedule.js';
import type { DayCount } from '../products/types.js';
import { accrualIntegral, mergedGrid, protectionIntegral, type PricingCurves } from './cdsIntegrals.js';
import { buildHazardCurve } from './hazard.js';
import type { HazardCurve, YieldCurve } from './types.js';

export interface CdsContract {
  /** Accrual start (for a standard contract the adjusted roll date on or before T+1); protection starts here too. */
  startDate: DateSerial;
  /** Unadjusted maturity (a roll date for a standard contract); protection includes this day. */
  maturityDate: DateSerial;
  /** Running coupon, decimal (0.01 = 100bp). */
  couponRate: number;
  recovery: number;
  /** Not applied: results are per unit notional. */
  notional?: number;
  /** Premium frequency in months; default 3 (quarterly). */
  frequencyMonths?: number;
  /** Premium day count; default ACT/360. */
  dayCount?: DayCount;
}

/** Leg values per unit notional, present values as of the trade date. */
export interface CdsLegs {
  /** couponRate * riskyAnnuity: the dirty premium leg, accrual on default included. */
  premiumLegPv: number;
  /** (1 - R) * E[P(τ) 1{τ in protection period}]. */
  protectionLegPv: number;
  /** Dirty risky annuity (RPV01 per unit coupon, years): Σ τ_i P(pay_i) Q(end_i) + accrual on default per unit coupon. */
  riskyAnnuity: number;
  /** Coupon accrued from the current period's accrual start to the step-in date T+1: couponRate * accruedFraction. */
  accruedPremium: number;
  /** Accrual fraction (contract day count) from the current accrual start to the step-in date; 0 before the start. */
  accruedFraction: number;
  /** riskyAnnuity - accruedFraction * cashSettleDiscount: the annuity behind quoted (clean) spreads and upfronts. */
  cleanRiskyAnnuity: number;
  /** T+3 business days. */
  cashSettleDate: DateSerial;
  /** P(0, cashSettleDate). */
  cashSettleDiscount: number;
  /**
   * Upfront charge the protection buyer pays at cash settlement, clean (Markit's "upfront", points = 100 x this):
   * (protectionLegPv - premiumLegPv) / P(T+3) + accruedPremium. Negative: the buyer receives.
   */
  upfrontCharge: number;
}

/** Step-in date is T+1 (calendar); cash settlement T+3 business days. */
const STEP_IN_DAYS = 1;
const CASH_SETTLE_BUSINESS_DAYS = 3;
/** Markit's half-day adjustment to the accrued time on default (ISDA CDS Standard Model v1.8.2), in years. */
const HALF_DAY_YEARS = 0.5 / 365;

export function cdsLegsPv(
  contract: CdsContract,
  tradeDate: DateSerial,
  discount: YieldCurve,
  hazard: HazardCurve,
): CdsLegs {
  validateContract(contract);
  const schedule = contractSchedule(contract);
  const grid = mergedGrid(discount.pillarTimes, hazard.times, schedule, tradeDate);
  const curves: PricingCurves = { discount: (t) => discount.discount(t), survival: (t) => hazard.survival(t), grid };
  return priceLegs(schedule, contract, tradeDate, curves);
}

/**
 * What a CDS traded on `tradeDate` has the protection seller rebate at its cash settlement (T+3 business days): the
 * coupon's accrual fraction from the accrual start of the period holding the step-in date T+1 to T+1, and that date.
 * Until then the rebate is a cash flow of the position (clean = dirty + accruedPremium·P(T+3), above); after it the
 * position is worth its dirty value.
 */
export function cdsTradeRebate(contract: CdsContract, tradeDate: DateSerial): { accruedFraction: number; cashSettleDate: DateSerial } {
  const schedule = contractSchedule(contract);
  const stepIn = tradeDate + STEP_IN_DAYS;
  let accruedFraction = 0;
  for (let i = 0; i < schedule.count; i++) {
    const start = schedule.accrualStart[i]!;
    if (schedule.accrualEnd[i]! <= stepIn) continue;
    if (start <= stepIn) accruedFraction = yearFraction(contract.dayCount ?? 'ACT/360', start, stepIn);
    break;
  }
  return { accruedFraction, cashSettleDate: addBusinessDays(tradeDate, CASH_SETTLE_BUSINESS_DAYS) };
}

/**
 * Par (conventional) spread: the coupon at which the contract's clean upfront is zero,
 * protectionLegPv / cleanRiskyAnnuity. For a standard contract this is the spread the bootstrap matches.
 */
export function cdsParSpread(
  contract: Omit<CdsContract, 'couponRate'>,
  tradeDate: DateSerial,
  discount: YieldCurve,
  hazard: HazardCurve,
): number {
  const legs = cdsLegsPv({ ...contract, couponRate: 0 }, tradeDate, discount, hazard);
  if (!(legs.cleanRiskyAnnuity > 0)) {
    throw new Error(
      `CDS maturing ${toIsoDate(contract.maturityDate)} has no premium left after ${toIsoDate(tradeDate)}: no par spread`,
    );
  }
  return legs.protectionLegPv / legs.cleanRiskyAnnuity;
}

/** A CDS curve that cannot be built; `tenorIndex` (0-based, input order) says which quote, when one is to blame. */
export class CdsBootstrapError extends Error {
  constructor(
    message: string,
    readonly curveName: string,
    readonly expected: string,
    readonly tenorIndex?: number,
    readonly value?: string,
  ) {
    super(message);
    this.name = 'CdsBootstrapError';
  }
}

export interface CdsCurveSpec {
  name: string;
  asOf: DateSerial;
  tenors: Tenor[];
  spreadsBp: number[];
  recovery: number;
  discount: YieldCurve;
  /** Tenor to standard maturity; default CDS2009 (quarterly roll). Use CDS2015 for quotes after 20 Dec 2015. */
  maturityRule?: CdsMaturityRule;
  /**
   * A quote that would need a negative hazard rate is an error, unless this is given: then that interval's hazard is
   * floored at 0 (the quote is not repriced: its spread is below what a zero hazard gives) and this is called with the
   * quote's tenor and standard maturity. For stressed spreads (a downward shock on an inverted curve), never for quotes.
   */
  onNegativeHazard?: (tenor: string, maturity: DateSerial) => void;
}

/**
 * ISDA CDS Standard Model bootstrap: hazard nodes at the standard maturities (CDS2009 by default: the first roll date
 * strictly after asOf + tenor), flat hazard between them, each hazard solved in turn so the standard contract (accruing from the roll
 * date on or before T+1, quarterly ACT/360, coupon = the quoted spread) has zero clean upfront.
 */
export function bootstrapCdsCurve(spec: CdsCurveSpec): HazardCurve {
  const { name, asOf, tenors, spreadsBp, recovery, discount } = spec;
  const fail = (message: string, expected: string, tenorIndex?: number, value?: string): never => {
    throw new CdsBootstrapError(`credit curve ${name}: ${message}`, name, expected, tenorIndex, value);
  };
  if (tenors.length === 0) fail('no CDS quotes', 'at least one tenor with a par spread');
  if (tenors.length !== spreadsBp.length) {
    fail(`${tenors.length} tenors but ${spreadsBp.length} spreads`, 'one spread per tenor');
  }
  if (!(recovery >= 0 && recovery < 1)) fail(`recovery ${recovery}`, 'a recovery rate in [0, 1)', undefined, String(recovery));

  const accrualStart = cdsStandardAccrualStart(asOf);
  const quotes = tenors.map((tenor, index) => {
    const spreadBp = spreadsBp[index]!;
    if (!(Number.isFinite(spreadBp) && spreadBp > 0)) {
      fail(`${tenorToString(tenor)} spread ${spreadBp}bp`, 'a positive spread in basis points', index, String(spreadBp));
    }
    let maturity = 0;
    try {
      maturity = cdsStandardMaturity(asOf, tenor, spec.maturityRule);
    } catch (error) {
      fail((error as Error).message, 'a tenor in months or years', index, tenorToString(tenor));
    }
    return { index, tenor, spreadBp, maturity };
  });
  quotes.sort((a, b) => a.maturity - b.maturity);
  for (let i = 1; i < quotes.length; i++) {
    if (quotes[i]!.maturity === quotes[i - 1]!.maturity) {
      const q = quotes[i]!;
      fail(
        `tenors ${tenorToString(quotes[i - 1]!.tenor)} and ${tenorToString(q.tenor)} both mature on ${toIsoDate(q.maturity)}`,
        'tenors with distinct standard maturities',
        q.index,
        tenorToString(q.tenor),
      );
    }
  }

  const n = quotes.length;
  const times = new Float64Array(n);
  const hazards = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = (quotes[i]!.maturity - asOf) / 365;
  const schedules = quotes.map((q) => buildCdsSchedule(accrualStart, q.maturity, 3, 'ACT/360'));
  const allEnds = buildCdsSchedule(accrualStart, quotes[n - 1]!.maturity, 3, 'ACT/360');
  const grid = mergedGrid(discount.pillarTimes, times, allEnds, asOf);

  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    const coupon = q.spreadBp * 1e-4;
    const contract: CdsContract = { startDate: accrualStart, maturityDate: q.maturity, couponRate: coupon, recovery };
    const nodeTimes = times.subarray(0, i + 1);
    // Clean value to the protection buyer per unit notional; increasing in the hazard of the last interval.
    const cleanValue = (hazardRate: number): number => {
      hazards[i] = hazardRate;
      const curve = buildHazardCurve({ name, recovery, times: nodeTimes, hazards: hazards.subarray(0, i + 1) });
      const curves: PricingCurves = { discount: (t) => discount.discount(t), survival: curve.survival, grid };
      const legs = priceLegs(schedules[i]!, contract, asOf, curves);
      return legs.protectionLegPv - coupon * legs.cleanRiskyAnnuity;
    };
    const label = `${tenorToString(q.tenor)} spread ${q.spreadBp}bp`;
    if (cleanValue(0) > 0 && spec.onNegativeHazard) {
      hazards[i] = 0;
      spec.onNegativeHazard(tenorToString(q.tenor), q.maturity);
      continue;
    }
    if (cleanValue(0) > 0) {
      fail(
        `${label} is too low for the shorter tenors: it would need a negative hazard rate before ${toIsoDate(q.maturity)}`,
        'spreads consistent with a non-negative hazard curve',
        q.index,
        String(q.spreadBp),
      );
    }
    let high = Math.max(coupon / (1 - recovery), 1e-4);
    while (cleanValue(high) < 0) {
      high *= 2;
      if (high > 1e3) fail(`${label} cannot be matched`, 'a spread a hazard rate below 1000 can reproduce', q.index);
    }
    // Brent to full double precision (the bracket shrinks to a few ulps): each quote reprices to par
    hazards[i] = brentRoot(cleanValue, 0, high, cleanValue(0), cleanValue(high), 1e-18);
  }

  return buildHazardCurve({
    name,
    recovery,
    times,
    hazards,
    quoteTenorsYears: Float64Array.from(quotes, (q) => tenorYears(q.tenor)),
    quoteSpreadsBp: Float64Array.from(quotes, (q) => q.spreadBp),
  });
}

function validateContract(c: CdsContract): void {
  if (!(c.recovery >= 0 && c.recovery < 1)) throw new Error(`CDS recovery ${c.recovery}: expected a rate in [0, 1)`);
  if (!Number.isFinite(c.couponRate)) throw new Error(`CDS coupon ${c.couponRate}: expected a finite decimal rate`);
}

function contractSchedule(c: CdsContract): Schedule {
  return buildCdsSchedule(c.startDate, c.maturityDate, c.frequencyMonths ?? 3, c.dayCount ?? 'ACT/360');
}

function priceLegs(schedule: Schedule, c: CdsContract, tradeDate: DateSerial, curves: PricingCurves): CdsLegs {
  const time = (d: DateSerial): number => (d - tradeDate) / 365;
  const stepIn = tradeDate + STEP_IN_DAYS;
  const cashSettleDate = addBusinessDays(tradeDate, CASH_SETTLE_BUSINESS_DAYS);
  const cashSettleDiscount = curves.discount(time(cashSettleDate));
  const dayCount = c.dayCount ?? 'ACT/360';

  let protection = 0;
  const protectionFrom = Math.max(c.startDate, stepIn) - 1;
  if (c.maturityDate > protectionFrom) {
    protection = (1 - c.recovery) * protectionIntegral(time(protectionFrom), time(c.maturityDate), curves);
  }

  let annuity = 0;
  let accruedFraction = 0;
  for (let i = 0; i < schedule.count; i++) {
    const start = schedule.accrualStart[i]!;
    const end = schedule.accrualEnd[i]!;
    if (end <= stepIn) continue;
    const tau = schedule.accrualFraction[i]!;
    if (start <= stepIn) accruedFraction = yearFraction(dayCount, start, stepIn);
    // Coupon paid if the name survives to the end of the accrual period.
    annuity += tau * curves.discount(time(schedule.paymentDate[i]!)) * curves.survival(time(end - 1));
    // Accrual on default: accrued time runs ACT/365 from the start of the accrual start date (plus half a day);
    // tau per 365-day year of that time turns it into the coupon's day count (365/360 for ACT/360).
    const accrualPerYear = (tau * 365) / (end - start);
    const origin = time(start - 1) - HALF_DAY_YEARS;
    annuity += accrualPerYear * accrualIntegral(time(Math.max(start, stepIn) - 1), time(end - 1), origin, curves);
  }

  const premiumLegPv = c.couponRate * annuity;
  const accruedPremium = c.couponRate * accruedFraction;
  return {
    premiumLegPv,
    protectionLegPv: protection,
    riskyAnnuity: annuity,
    accruedPremium,
    accruedFraction,
    cleanRiskyAnnuity: annuity - accruedFraction * cashSettleDiscount,
    cashSettleDate,
    cashSettleDiscount,
    upfrontCharge: (protection - premiumLegPv) / cashSettleDiscount + accruedPremium,
  };
}

