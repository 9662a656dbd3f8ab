/**
 * What a trade *is*: plain data, one variant per product (a discriminated union on `product`). How a trade is valued
 * lives in `pricing/`, the market in `market/`. Amounts are in the trade's own currency; dates are day serials
 * (conventions/dates.ts); rates are decimals (0.025 = 2.5%); spreads carry their unit in the name (`spreadBp`).
 *
 * Column-by-column documentation of the input files: docs/inputs.md.
 */
import type { DateSerial, Frequency } from '../conventions/dates.js';

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD'] as const;
export type Currency = (typeof CURRENCIES)[number];
export function isCurrency(text: string): text is Currency {
  return (CURRENCIES as readonly string[]).includes(text);
}

export const DAY_COUNTS = ['ACT/360', 'ACT/365F', '30/360', 'ACT/ACT'] as const;
/** ACT/ACT means ACT/ACT ISDA; 30/360 means 30/360 Bond Basis (ISDA 2006 4.16(f)). */
export type DayCount = (typeof DAY_COUNTS)[number];

export const BUSINESS_DAY_CONVENTIONS = ['F', 'MF', 'P', 'MP', 'U'] as const;
/**
 * F = following, MF = modified following, P = preceding, MP = modified preceding, U = unadjusted, on the leg's
 * calendar (ScheduleTerms.calendar).
 */
export type BusinessDayConvention = (typeof BUSINESS_DAY_CONVENTIONS)[number];

export const STUBS = ['short_front', 'short_back'] as const;
/** short_front: the schedule is generated backwards from maturity (ISDA default); short_back: forwards from start. */
export type Stub = (typeof STUBS)[number];

export const PRODUCTS = ['IRS', 'OIS', 'BASIS', 'XCCY', 'FXFWD', 'FXSWAP', 'FXOPT', 'SWAPTION', 'CAPFLOOR', 'EQFWD', 'EQOPT', 'CDS'] as const;
export type ProductType = (typeof PRODUCTS)[number];

/** Fields every trade has. */
export interface TradeBase {
  tradeId: string;
  counterpartyId: string;
  nettingSetId: string;
  /** Cleared through a CCP (then `ccp` names it). */
  cleared: boolean;
  ccp?: string;
  /** 1-based row in the trades file, for messages. */
  sourceRow?: number;
}

/** Leg schedule terms shared by swaps. */
export interface ScheduleTerms {
  startDate: DateSerial;
  maturityDate: DateSerial;
  frequency: Frequency;
  dayCount: DayCount;
  businessDayConvention: BusinessDayConvention;
  /**
   * Holiday calendar the dates roll on, by its canonical name (conventions/holidays.ts: `TARGET`, `GBLO`, `USNY`,
   * `CHZU`, `JPTO`, joined with `+`); absent = weekends only.
   */
  calendar?: string;
  stub: Stub;
  endOfMonth: boolean;
  /**
   * Coupons (and notional exchanges at the end) paid this many business days of `calendar` after each accrual end
   * (IRS, OIS, BASIS and XCCY legs: the `payment_lag_days` column; SOFR and €STR swaps pay two days late); absent or 0:
   * on the accrual end.
   */
  paymentLagDays?: number;
}

export const AMORTIZATION_KINDS = ['linear', 'fixed_amount', 'schedule'] as const;

/**
 * How an amortising (or accreting) swap's notional steps (IRS, OIS, XCCY, a physical swaption's underlying;
 * products/amortization.ts resolves it into steps). The notional outstanding from a step's date applies to every coupon period of either leg whose accrual
 * starts on or after it. `linear` and `fixed_amount` step on the accrual starts of a schedule with `frequency` over
 * the leg's own start, maturity and conventions: with n such periods, `linear` leaves N·(n − k)/n outstanding from
 * date k (k = 0 at the start: equal repayments, the last at maturity), `fixed_amount` max(N − k·`amount`, 0).
 * `schedule` gives the steps after the start explicitly (the portfolio's notional_schedules table): `notionals[i]`
 * from `fromDates[i]` (increasing, after the start and before the maturity; any notional ≥ 0, so accreting too).
 * Both legs of a swap carry the same terms, so they amortise together.
 */
export type AmortizationTerms =
  | { kind: 'linear'; frequency: Frequency }
  | { kind: 'fixed_amount'; frequency: Frequency; /** the notional repaid on each amortisation date (> 0) */ amount: number }
  | { kind: 'schedule'; fromDates: DateSerial[]; notionals: number[] };

/**
 * A step-up (or step-down) rate: `rates[i]` from `fromDates[i]` (contractual dates, increasing, after the start and
 * before the maturity; the portfolio's rate_schedules table). The rate in force on a coupon period's accrual start is
 * its rate, as a notional step (products/rateSteps.ts); before the first step the trade's own rate applies.
 */
export interface RateSteps {
  fromDates: DateSerial[];
  rates: number[];
}

export interface FixedLeg extends ScheduleTerms {
  kind: 'fixed';
  currency: Currency;
  /** The notional at the start (the initial notional of an amortising leg). */
  notional: number;
  /** The fixed rate from the start (of a step-up leg: until its first step). */
  fixedRate: number;
  /** Absent: a bullet leg (the notional is outstanding to maturity). */
  amortization?: AmortizationTerms;
  /** Absent: `fixedRate` throughout (IRS, OIS and a physical swaption's underlying may step). */
  rateSteps?: RateSteps;
}

export interface FloatLeg extends ScheduleTerms {
  kind: 'float';
  currency: Currency;
  /** The notional at the start (the initial notional of an amortising leg). */
  notional: number;
  /** Absent: a bullet leg. */
  amortization?: AmortizationTerms;
  /** Projection curve name, e.g. `USD-SOFR`, `EUR-EURIBOR-6M` (market file `curves.projection`). */
  floatIndex: string;
  spreadBp: number;
  /** The coupon is N·τ·(gearing·L + spread): a leveraged leg (IRS and OIS; a CAPFLOOR caps that rate); absent = 1. */
  gearing?: number;
  /**
   * An overnight index's daily rates observed this many business days of `calendar` before the days they accrue for
   * (`float_lookback_days`; products/overnightCoupon.ts); absent or 0: compounded in arrears on the accrual days.
   */
  lookbackDays?: number;
  /**
   * With a lookback, the whole observation period moves back and the days weigh as observed (ISDA 2021 "Compounding
   * with Observation Period Shift", ORE's `Lookback`); absent or false: each accrual day takes the rate fixed
   * `lookbackDays` before it ("Compounding with Lookback").
   */
  observationShift?: boolean;
  /**
   * The last this many business days of each period take the rate fixed on the business day before them
   * (`float_lockout_days`: "Compounding with Lockout", QuantLib's lockoutDays, ORE's `RateCutoff`); absent or 0: none.
   */
  lockoutDays?: number;
}

export type SwapLeg = FixedLeg | FloatLeg;

/** Fixed against floating in one currency. OIS is the same shape with an overnight index (compounded in arrears). */
export interface InterestRateSwap extends TradeBase {
  product: 'IRS' | 'OIS';
  /** pay = pay fixed (payer swap), receive = receive fixed. */
  direction: 'pay' | 'receive';
  fixedLeg: FixedLeg;
  floatLeg: FloatLeg;
}

/**
 * Single-currency basis swap: two floating legs on different indices of one currency (tenor basis such as
 * EURIBOR 3M against 6M, or an overnight index against a term index), each with its own frequency, day count and
 * spread, on the same notional and dates; no notional exchange.
 */
export interface BasisSwap extends TradeBase {
  product: 'BASIS';
  /** pay = pay leg 1 (`float_index` + `float_spread_bp`) and receive leg 2 (`float_index2` + `float_spread_bp2`). */
  direction: 'pay' | 'receive';
  leg1: FloatLeg;
  leg2: FloatLeg;
}

/** Two legs in two currencies with notional exchanges (initial and final by default). */
export interface CrossCurrencySwap extends TradeBase {
  product: 'XCCY';
  /** pay = pay leg 1 (currency / notional) and receive leg 2 (currency2 / notional2). */
  direction: 'pay' | 'receive';
  leg1: SwapLeg;
  leg2: SwapLeg;
  initialExchange: boolean;
  finalExchange: boolean;
  /**
   * A mark-to-market (resetting) swap: the named leg (floating, bullet, with both exchanges) resets its notional at each
   * of its periods' accrual starts after the first to the other leg's notional at that day's FX rate (units of its
   * currency per unit of the other's: the market's `fixings` `FX-<CCY>-<CCY>` for a date on or before the as-of date),
   * exchanging the difference then; its first period runs on its own notional (pricing/mtmXccy.ts). Absent: none.
   */
  fxReset?: 'leg1' | 'leg2';
}

/** Outright FX forward: exchange `notional` of `currency` against `notional2` of `currency2` on maturity. */
export interface FxForward extends TradeBase {
  product: 'FXFWD';
  /** buy = receive currency (notional), pay currency2 (notional2). */
  direction: 'buy' | 'sell';
  currency: Currency;
  notional: number;
  currency2: Currency;
  notional2: number;
  maturityDate: DateSerial;
}

/**
 * FX swap: a near exchange at `nearDate` and the reverse far exchange at `maturityDate`. `buy` = buy `currency` on the
 * near date at `nearRate` and sell it back on the far date at `farRate` (rates in currency2 per currency).
 */
export interface FxSwap extends TradeBase {
  product: 'FXSWAP';
  direction: 'buy' | 'sell';
  currency: Currency;
  notional: number;
  currency2: Currency;
  nearDate: DateSerial;
  nearRate: number;
  maturityDate: DateSerial;
  farRate: number;
}

/** European FX option on `currency` (foreign) against `currency2` (domestic); strike in currency2 per currency. */
export interface FxOption extends TradeBase {
  product: 'FXOPT';
  /** buy = long the option. */
  direction: 'buy' | 'sell';
  optionType: 'call' | 'put';
  currency: Currency;
  notional: number;
  currency2: Currency;
  strike: number;
  expiryDate: DateSerial;
  /** Delivery date of the exchange when exercised (defaults to the expiry). */
  maturityDate: DateSerial;
}

/** European swaption on a fixed-float swap starting at `underlying.startDate`. */
export interface Swaption extends TradeBase {
  product: 'SWAPTION';
  direction: 'buy' | 'sell';
  /** payer = right to pay fixed. */
  optionType: 'payer' | 'receiver';
  settlement: 'physical' | 'cash';
  expiryDate: DateSerial;
  fixedLeg: FixedLeg;
  floatLeg: FloatLeg;
  /** A cap's or floor's caplet (products/capFloor.ts): priced on the market's caplet vols when it has them. */
  caplet?: true;
  /**
   * A caplet on an overnight index compounded in arrears over its one period [expiryDate, the legs' end]: its rate is
   * known only at the period's end, so its variance runs past the expiry (Lyashenko & Mercurio 2019;
   * pricing/swaption.ts). Only with `caplet`.
   */
  inArrears?: true;
  /**
   * A Bermudan swaption (physical settlement): its exercise dates, increasing, the first `expiryDate`; on E_k the
   * holder may enter the swap of the periods accruing from the fixed leg's first accrual start on or after E_k
   * (pricing/bermudan.ts). Absent: European, exercisable on `expiryDate` only.
   */
  exerciseDates?: DateSerial[];
}

/**
 * Interest rate cap or floor on a term index (e.g. `EUR-EURIBOR-6M`) or an overnight index (`USD-SOFR`): a strip of
 * caplets (floorlets), one per period of `floatLeg`, each paying N·τ·(L − K)⁺ (cap) or N·τ·(K − L)⁺ (floor) at the
 * period's end. A term rate L is fixed at the period's start (as the engine's swaps fix; no fixing lag); an overnight
 * index's L is its daily rates compounded in arrears over the period, known at its end. Every period starting after
 * the as-of date is an option; the period running today pays its intrinsic value at today's forward (the market's
 * fixings where it has them, as swaps).
 * On `floatLeg`'s spread s and gearing g (> 0) a caplet pays N·τ·(g·L + s − K)⁺: the cap rate applies to the coupon's
 * rate, as QuantLib's and ORE's caps do (a caplet on L at (K − s)/g on g·N). Its notional may amortise (each caplet
 * on its period's notional).
 * Valued as its caplets, each the one-period physically settled swaption with the same payoff (products/capFloor.ts).
 */
export interface CapFloor extends TradeBase {
  product: 'CAPFLOOR';
  direction: 'buy' | 'sell';
  optionType: 'cap' | 'floor';
  /** Cap or floor rate K as a decimal (0.03 = 3%); of a stepped strike, K until its first step. */
  strike: number;
  /** Absent: `strike` for every period; else each caplet's strike is the one in force on its accrual start. */
  strikeSteps?: RateSteps;
  floatLeg: FloatLeg;
}

/** Equity forward on `quantity` shares of `underlying` at `strike` per share, settled in cash at maturity. */
export interface EquityForward extends TradeBase {
  product: 'EQFWD';
  direction: 'buy' | 'sell';
  underlying: string;
  currency: Currency;
  quantity: number;
  strike: number;
  maturityDate: DateSerial;
}

/** European equity option on `quantity` shares. */
export interface EquityOption extends TradeBase {
  product: 'EQOPT';
  direction: 'buy' | 'sell';
  optionType: 'call' | 'put';
  underlying: string;
  currency: Currency;
  quantity: number;
  strike: number;
  expiryDate: DateSerial;
}

/**
 * Single-name CDS with the standard running coupon (`fixedRate`, e.g. 0.01), quarterly ACT/360 premium with accrual
 * on default, protection from `startDate` to `maturityDate`. buy = buy protection.
 */
export interface CreditDefaultSwap extends TradeBase {
  product: 'CDS';
  direction: 'buy' | 'sell';
  referenceEntity: string;
  currency: Currency;
  notional: number;
  fixedRate: number;
  startDate: DateSerial;
  maturityDate: DateSerial;
  frequency: Frequency;
  dayCount: DayCount;
  /**
   * The trade date (`trade_date`): the accrued premium it has rebated at its cash settlement, 3 business days later,
   * is part of the position's value until then (pricing/cds.ts). Absent: settled before the as-of date (dirty value).
   */
  tradeDate?: DateSerial;
}

export type Trade =
  | InterestRateSwap
  | BasisSwap
  | CrossCurrencySwap
  | FxForward
  | FxSwap
  | FxOption
  | Swaption
  | CapFloor
  | EquityForward
  | EquityOption
  | CreditDefaultSwap;

/** The last date on which the trade has a cash flow or an exercise: after it the trade leaves the netting set. */
export function tradeMaturity(trade: Trade): DateSerial {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
      return Math.max(trade.fixedLeg.maturityDate, trade.floatLeg.maturityDate);
    case 'XCCY':
    case 'BASIS':
      return Math.max(trade.leg1.maturityDate, trade.leg2.maturityDate);
    case 'CAPFLOOR':
      return trade.floatLeg.maturityDate;
    case 'EQOPT':
      return trade.expiryDate;
    default:
      return trade.maturityDate;
  }
}

/** Currencies a trade has cash flows in. */
export function tradeCurrencies(trade: Trade): Currency[] {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
      return [trade.fixedLeg.currency];
    case 'CAPFLOOR':
      return [trade.floatLeg.currency];
    case 'BASIS':
      return [trade.leg1.currency];
    case 'XCCY':
      return [trade.leg1.currency, trade.leg2.currency];
    case 'FXFWD':
    case 'FXSWAP':
    case 'FXOPT':
      return [trade.currency, trade.currency2];
    default:
      return [trade.currency];
  }
}
