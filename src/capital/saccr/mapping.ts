/**
 * Each xva product as SA-CCR positions (CRE52.26-37), with sizes in the base currency at today's spot:
 *
 * | Product | Positions |
 * |---|---|
 * | IRS, OIS | one IR position in the swap currency; δ = +1 paying fixed (long the rate) |
 * | BASIS | one IR position in a basis hedging set of its own pair of indices (CRE52.46(b): "<ccy> <index A>/<index B>", the pair in alphabetical order; SF × ½, CRE52.73); δ = +1 when receiving index A (long the A − B basis); S, E, M of the legs |
 * | XCCY | an IR position per leg in its currency (δ = +1 paying a fixed leg or receiving a floating leg); an FX position per notional exchange still to come |
 * | FXFWD | one FX position; d per CRE52.35 |
 * | FXSWAP | an FX position for the near exchange (while to come) and one for the far exchange |
 * | FXOPT | one FX option position on the pair in market order (a call on the second currency is a put on the pair) |
 * | SWAPTION | one IR option position on the underlying swap: S, E of the underlying, M = E (physical) or T (cash), P the forward swap rate |
 * | CAPFLOOR | one IR option position over the remaining periods (CRE52.31 Table 1: a 5y cap has S = 0, E = M = 5): a call (cap) or put (floor) on their forward par rate P at strike K (on g·L + s: K′ = (K − s)/g, notional g·N), T the last caplet's fixing date; a cap whose every period has fixed is its running period's swap when in the holder's favour, else nothing |
 * | EQFWD, EQOPT | one equity position, d = spot × shares (CRE52.36); options on the forward (CRE52.40 FAQ1) |
 * | CDS | one credit position, δ = +1 buying protection (BCBS 279 Example 2); single name by rating or index by grade |
 *
 * No xva product maps to commodities: commodity positions come only from the saccr_trades table (inputs.ts).
 */
import { toIsoDate } from '../../conventions/dates.js';
import { buildSchedule } from '../../conventions/schedule.js';
import { XvaInputError } from '../../errors.js';
import type { Market } from '../../market/types.js';
import { discountCurveFor } from '../../pricing/curves.js';
import { equityForwardPrice } from '../../pricing/equity.js';
import { effectiveFixedRate, fixedLegFlows, floatLegFlows, flowsPv } from '../../pricing/legs.js';
import { withFlatRate } from '../../products/rateSteps.js';
import { projectionFor } from '../../pricing/swaps.js';
import { mtmResetTerms } from '../../pricing/mtmXccy.js';
import type { Counterparty } from '../../portfolio/types.js';
import { capFloorParts } from '../../pricing/capFloor.js';
import type { CapFloor, CreditDefaultSwap, CrossCurrencySwap, Currency, EquityForward, EquityOption, SwapLeg, Swaption, Trade } from '../../products/types.js';
import type { CreditRating } from './parameters.js';
import { fxPairOrder, saccrYears, swapLegTimes, toBase } from './conventions.js';
import type { SaccrOptions, SaccrPosition, SaccrReferenceEntity, SaccrSubclass } from './types.js';
import { averageNotional, notionalSteps, principalFlows } from '../../products/amortization.js';

export interface MappingContext {
  market: Market;
  convention: 'cre52' | 'ore';
  referenceEntities: ReadonlyMap<string, SaccrReferenceEntity>;
  counterparties: readonly Counterparty[];
  unratedCreditRating: CreditRating;
  rateShift: Partial<Record<Currency, number>>;
  /** Name of the trades file for messages. */
  tradesFile: string;
}

export function mappingContext(market: Market, counterparties: readonly Counterparty[], options: SaccrOptions, tradesFile: string): MappingContext {
  return {
    market,
    convention: options.convention ?? 'cre52',
    referenceEntities: options.referenceEntities ?? new Map(),
    counterparties,
    unratedCreditRating: options.unratedCreditRating ?? 'BB',
    rateShift: options.rateShift ?? {},
    tradesFile,
  };
}

function inputError(ctx: MappingContext, trade: Trade, column: string, value: string, expected: string): XvaInputError {
  const issue = { file: ctx.tradesFile, column, value, expected: `${expected} (trade ${trade.tradeId})` };
  return new XvaInputError([trade.sourceRow === undefined ? issue : { ...issue, row: trade.sourceRow }]);
}

type PositionBase = Pick<SaccrPosition, 'tradeId' | 'nettingSetId' | 'product'>;

function baseOf(trade: Trade): PositionBase {
  return { tradeId: trade.tradeId, nettingSetId: trade.nettingSetId, product: trade.product };
}

/** δ of a swap leg as an IR position: +1 when paying fixed or receiving floating (long the leg currency's rate). */
function legDirection(leg: SwapLeg, bankPays: boolean): 1 | -1 {
  const longRate = leg.kind === 'fixed' ? bankPays : !bankPays;
  return longRate ? 1 : -1;
}

/**
 * The notional of an IR position: a bullet leg's, or an amortising leg's average over the remaining life with its
 * steps (the rule for variable-notional swaps; time in SA-CCR's year fraction), in the base currency.
 */
function irNotional(leg: SwapLeg, ctx: MappingContext, leverage = 1): Pick<SaccrPosition, 'notionalBase' | 'notionalSteps'> {
  const fx = toBase(ctx.market, leg.currency) * leverage;
  if (leg.amortization === undefined) return { notionalBase: leg.notional * fx };
  const years = (date: number) => saccrYears(ctx.market, date);
  const steps = notionalSteps(leg);
  const profile = {
    fromYears: Array.from(steps.fromDates, years),
    notionalsBase: Array.from(steps.notionals, (n) => n * fx),
    startYears: years(leg.startDate),
    endYears: years(leg.maturityDate),
  };
  return { notionalBase: averageNotional(leg, ctx.market.asOf, years) * fx, notionalSteps: profile };
}

function irLegPosition(base: PositionBase, component: string, legs: readonly SwapLeg[], leg: SwapLeg, direction: 1 | -1, ctx: MappingContext, leverage = 1): SaccrPosition {
  const times = swapLegTimes(legs, ctx.market, ctx.convention);
  const currency = leg.currency;
  return {
    ...base,
    component,
    assetClass: 'IR',
    hedgingSet: currency,
    hedgingSetKind: 'regular',
    subclass: { kind: 'IR' },
    ...irNotional(leg, ctx, leverage),
    direction,
    startYears: times.startYears,
    endYears: times.endYears,
    maturityYears: times.maturityYears,
  };
}

/**
 * An exchange of `receiveAmount` of `receive` against `payAmount` of `pay` on `date` as an FX position: d is the
 * foreign leg in the base currency, or the larger converted leg when neither is the base (CRE52.35); δ = +1 when the
 * bank receives the pair's first currency.
 */
function fxExchangePosition(base: PositionBase, component: string, receive: Currency, receiveAmount: number, pay: Currency, payAmount: number, date: number, ctx: MappingContext): SaccrPosition {
  const [first, second] = fxPairOrder(receive, pay);
  return {
    ...base,
    component,
    assetClass: 'FX',
    hedgingSet: `${first}${second}`,
    hedgingSetKind: 'regular',
    subclass: { kind: 'FX' },
    notionalBase: fxAdjustedNotional(receive, receiveAmount, pay, payAmount, ctx.market),
    direction: receive === first ? 1 : -1,
    maturityYears: saccrYears(ctx.market, date),
  };
}

/** CRE52.35: the foreign leg converted to the base currency; the larger converted leg when both are foreign. */
export function fxAdjustedNotional(ccy1: Currency, amount1: number, ccy2: Currency, amount2: number, market: Market): number {
  const base = market.baseCurrency;
  const leg1 = Math.abs(amount1) * toBase(market, ccy1);
  const leg2 = Math.abs(amount2) * toBase(market, ccy2);
  if (ccy1 === base) return leg2;
  if (ccy2 === base) return leg1;
  return Math.max(leg1, leg2);
}

/** Forward swap rate of a swaption's underlying: PV(floating coupons) / fixed annuity, on today's curves. */
export function forwardSwapRate(trade: Swaption, market: Market): number {
  const ccy = trade.fixedLeg.currency;
  const discount = discountCurveFor(market, ccy);
  const fixed = fixedLegFlows(withFlatRate(trade.fixedLeg, 1), market);
  const annuity = flowsPv(fixed, discount);
  const floating = flowsPv(floatLegFlows(trade.floatLeg, market, projectionFor(trade.tradeId, trade.floatLeg, market)), discount);
  return floating / annuity;
}

/** The fields every IR option position shares: its trade, the IR asset class and the currency's hedging set. */
function irOptionBase(trade: Trade, ccy: Currency) {
  return { ...baseOf(trade), component: 'option', assetClass: 'IR', hedgingSet: ccy, hedgingSetKind: 'regular', subclass: { kind: 'IR' } } as const;
}

function swaptionPosition(trade: Swaption, ctx: MappingContext): SaccrPosition {
  const ccy = trade.fixedLeg.currency;
  if (trade.expiryDate < ctx.market.asOf) {
    throw inputError(ctx, trade, 'expiry_date', String(trade.expiryDate), 'a swaption expiring on or after the as-of date (an exercised swaption is an IRS)');
  }
  // CRE52.31(2)-(3): S and E of the underlying swap; CRE52.31(1) and Table 1: M = E when physically settled, T when cash
  const times = swapLegTimes([trade.fixedLeg, trade.floatLeg], ctx.market, 'cre52');
  // CRE52.40: T is the latest contractual exercise date (a Bermudan's last; S and E stay those of the longest swap it
  // can enter, from its first exercise)
  const exerciseYears = saccrYears(ctx.market, trade.exerciseDates !== undefined ? trade.exerciseDates[trade.exerciseDates.length - 1]! : trade.expiryDate);
  return {
    ...irOptionBase(trade, ccy),
    ...irNotional(trade.fixedLeg, ctx), // an amortising underlying: its average notional over the remaining life
    direction: trade.optionType === 'payer' ? 1 : -1,
    optionality: {
      kind: 'option',
      optionType: trade.optionType === 'payer' ? 'call' : 'put',
      bought: trade.direction === 'buy',
      underlyingPrice: forwardSwapRate(trade, ctx.market),
      // a step-up underlying: its annuity-weighted rate, the strike its forward swap rate is compared with
      strike: effectiveFixedRate(trade.fixedLeg, ctx.market, discountCurveFor(ctx.market, ccy)),
      shift: ctx.rateShift[ccy] ?? 0,
    },
    startYears: times.startYears,
    endYears: times.endYears,
    maturityYears: trade.settlement === 'physical' ? times.endYears : exerciseYears,
    exerciseYears,
  };
}

/**
 * A cap or floor as one IR option position (CRE52 Table 1 treats a cap as one transaction: S its start, E = M its
 * end); δ by CRE52.40 with T the latest contractual exercise date (the last caplet's fixing; on an overnight index
 * compounded in arrears, the end of the last caplet's period, when its rate is set) and P the forward par
 * rate of the periods still to fix (Σ PV of their floating coupons / Σ N·τ·P(0, e)); notional over the remaining life
 * (an amortising cap's average). Once every period has fixed, what is left is the running period's payment: its
 * one-period swap as an IR position when it pays the holder, nothing when it does not.
 */
/**
 * The SA-CCR option terms of a cap or floor with caplets still to fix: P, the index's forward par rate over them, and
 * K, the caplets' effective strike (a cap on g·L + s is g caps on the index L at (K − s)/g, products/capFloor.ts; a
 * stepped strike enters as its annuity-weighted average); undefined once every period has fixed.
 */
export function capFloorOptionRates(trade: CapFloor, market: Market): { price: number; strike: number; parts: ReturnType<typeof capFloorParts> } | { parts: ReturnType<typeof capFloorParts>; price?: undefined; strike?: undefined } {
  const parts = capFloorParts(trade, market);
  if (parts.options.length === 0) return { parts };
  const discount = discountCurveFor(market, trade.floatLeg.currency);
  let floating = 0;
  let annuity = 0;
  let strikePv = 0; // Σ N·K′·τ·P(0, e)
  for (const caplet of parts.options) {
    floating += flowsPv(floatLegFlows(caplet.floatLeg, market, projectionFor(trade.tradeId, caplet.floatLeg, market)), discount);
    annuity += flowsPv(fixedLegFlows(withFlatRate(caplet.fixedLeg, 1), market), discount);
    strikePv += flowsPv(fixedLegFlows(caplet.fixedLeg, market), discount);
  }
  const plain = trade.strikeSteps === undefined && trade.floatLeg.spreadBp === 0 && trade.floatLeg.gearing === undefined;
  return { parts, price: floating / annuity, strike: plain ? trade.strike : strikePv / annuity };
}

function capFloorPositions(trade: CapFloor, ctx: MappingContext): SaccrPosition[] {
  const { market } = ctx;
  const rates = capFloorOptionRates(trade, market);
  const parts = rates.parts;
  if (rates.price === undefined) {
    return parts.swaps.map((swap) => irLegPosition(baseOf(trade), 'running_period', [swap.fixedLeg, swap.floatLeg], swap.fixedLeg, swap.direction === 'pay' ? 1 : -1, ctx));
  }
  const ccy = trade.floatLeg.currency;
  const times = swapLegTimes([trade.floatLeg], market, 'cre52');
  // the latest contractual exercise date: the last caplet's fixing; an overnight rate compounded in arrears is set
  // only at its period's end, when the caplet's payoff becomes known (Swaption.inArrears)
  const lastCaplet = parts.options[parts.options.length - 1]!;
  const lastFixing = lastCaplet.inArrears ? lastCaplet.floatLeg.maturityDate : lastCaplet.expiryDate;
  const cap = trade.optionType === 'cap';
  return [{
    ...irOptionBase(trade, ccy),
    ...irNotional(trade.floatLeg, ctx, trade.floatLeg.gearing ?? 1),
    direction: cap ? 1 : -1,
    optionality: {
      kind: 'option',
      optionType: cap ? 'call' : 'put',
      bought: trade.direction === 'buy',
      underlyingPrice: rates.price,
      strike: rates.strike,
      shift: ctx.rateShift[ccy] ?? 0,
    },
    startYears: times.startYears,
    endYears: times.endYears,
    maturityYears: times.endYears,
    exerciseYears: saccrYears(market, lastFixing),
  }];
}

function equitySubclass(name: string, ctx: MappingContext): SaccrSubclass {
  // a name not listed in reference_entities is a single name: its SF (32%) is the higher one (CRE52.72)
  return ctx.referenceEntities.get(name)?.isIndex ? { kind: 'EquityIndex' } : { kind: 'EquitySingleName' };
}

function equityPosition(trade: EquityForward | EquityOption, ctx: MappingContext): SaccrPosition {
  const equity = ctx.market.equity(trade.underlying);
  const notionalBase = equity.spot * trade.quantity * toBase(ctx.market, equity.currency); // CRE52.36
  const common = {
    ...baseOf(trade),
    assetClass: 'Equity' as const,
    hedgingSet: 'Equity',
    hedgingSetKind: 'regular' as const,
    entity: trade.underlying,
    subclass: equitySubclass(trade.underlying, ctx),
    notionalBase,
  };
  if (trade.product === 'EQFWD') {
    return { ...common, component: 'forward', direction: trade.direction === 'buy' ? 1 : -1, maturityYears: saccrYears(ctx.market, trade.maturityDate) };
  }
  const t = saccrYears(ctx.market, trade.expiryDate);
  const timeMarket = ctx.market.time(trade.expiryDate);
  const forward = equityForwardPrice(equity.spot, equity.dividendYield, timeMarket, discountCurveFor(ctx.market, equity.currency).discount(timeMarket));
  return {
    ...common,
    component: 'option',
    direction: trade.optionType === 'call' ? 1 : -1,
    optionality: { kind: 'option', optionType: trade.optionType, bought: trade.direction === 'buy', underlyingPrice: forward, strike: trade.strike, shift: 0 },
    maturityYears: t,
    exerciseYears: t,
  };
}

/** Single name by rating (reference_entities, else the counterparty whose curve it is), or index by grade. */
function creditSubclass(trade: CreditDefaultSwap, ctx: MappingContext): SaccrSubclass {
  const name = trade.referenceEntity;
  const entry = ctx.referenceEntities.get(name);
  if (entry?.isIndex) {
    if (!entry.grade) throw inputError(ctx, trade, 'reference_entity', name, 'an index grade IG or SG in reference_entities for a credit index');
    return { kind: 'CreditIndex', grade: entry.grade };
  }
  const rating = entry?.rating ?? ctx.counterparties.find((c) => c.cdsCurve === name || c.counterpartyId === name)?.rating;
  if (rating === undefined) {
    throw inputError(ctx, trade, 'reference_entity', name, 'a rating for the reference entity: a reference_entities row, or a counterparty whose cds_curve or id it is');
  }
  return { kind: 'CreditSingleName', rating: rating === 'NR' ? ctx.unratedCreditRating : rating };
}

function cdsPosition(trade: CreditDefaultSwap, ctx: MappingContext): SaccrPosition {
  const endYears = saccrYears(ctx.market, trade.maturityDate);
  return {
    ...baseOf(trade),
    component: 'cds',
    assetClass: 'Credit',
    hedgingSet: 'Credit',
    hedgingSetKind: 'regular',
    entity: trade.referenceEntity,
    subclass: creditSubclass(trade, ctx),
    notionalBase: trade.notional * toBase(ctx.market, trade.currency),
    direction: trade.direction === 'buy' ? 1 : -1,
    startYears: Math.max(0, saccrYears(ctx.market, trade.startDate)),
    endYears,
    maturityYears: endYears,
  };
}

/** The SA-CCR positions of one trade (see the module comment). */
export function tradePositions(trade: Trade, ctx: MappingContext): SaccrPosition[] {
  const m = ctx.market;
  const base = baseOf(trade);
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      // an amortising swap: the average notional over the remaining life (the rule for variable-notional swaps)
      // a leveraged swap: the notional of the equivalent unleveraged swap, N × the gearing (the rule for leveraged swaps)
      return [irLegPosition(base, 'swap', [trade.fixedLeg, trade.floatLeg], trade.fixedLeg, trade.direction === 'pay' ? 1 : -1, ctx, trade.floatLeg.gearing ?? 1)];
    case 'BASIS': {
      // CRE52.46(b): a hedging set per pair of risk factors (the two indices), with the SF halved (CRE52.73)
      const [a, b] = [trade.leg1.floatIndex, trade.leg2.floatIndex].sort();
      const receivesA = (trade.direction === 'pay' ? trade.leg2.floatIndex : trade.leg1.floatIndex) === a;
      const position = irLegPosition(base, 'basis', [trade.leg1, trade.leg2], trade.leg1, receivesA ? 1 : -1, ctx);
      return [{ ...position, hedgingSet: `${trade.leg1.currency} ${a}/${b}`, hedgingSetKind: 'basis' }];
    }
    case 'XCCY': {
      const bankPaysLeg1 = trade.direction === 'pay';
      if (trade.fxReset !== undefined) return resettingSwapPositions(trade, bankPaysLeg1, base, ctx);
      const { leg1, leg2 } = trade;
      // an amortising leg: its average notional over the remaining life
      const out = [
        irLegPosition(base, 'leg1', [leg1], leg1, legDirection(leg1, bankPaysLeg1), ctx),
        irLegPosition(base, 'leg2', [leg2], leg2, legDirection(leg2, !bankPaysLeg1), ctx),
      ];
      // notional exchanges: initially the bank receives the notional of the leg it pays; it pays back each repayment of
      // an amortising swap on its step and the rest finally (an FX position per exchange still to come). The legs
      // step on the same dates (leg 2 in proportion to leg 1), so their exchanges pair up in order.
      const [paid, received] = bankPaysLeg1 ? [leg1, leg2] : [leg2, leg1];
      const paidFlows = principalFlows(paid, trade.initialExchange, trade.finalExchange);
      const receivedFlows = principalFlows(received, trade.initialExchange, trade.finalExchange);
      const end = Math.max(lastPaymentDate(leg1), lastPaymentDate(leg2));
      paidFlows.forEach((flow, i) => {
        const other = receivedFlows[i]!;
        if (flow.kind === 'initial') {
          if (flow.date > m.asOf) out.push(fxExchangePosition(base, 'fx_initial', paid.currency, -flow.amount, received.currency, -other.amount, flow.date, ctx));
        } else if (flow.kind === 'final') {
          out.push(fxExchangePosition(base, 'fx_final', received.currency, other.amount, paid.currency, flow.amount, end, ctx));
        } else if (flow.date > m.asOf) {
          // a repayment: the bank pays back the leg it paid and receives the other; an accreting step's draw reverses it
          out.push(flow.amount > 0
            ? fxExchangePosition(base, `fx_amortisation_${toIsoDate(flow.date)}`, received.currency, other.amount, paid.currency, flow.amount, flow.date, ctx)
            : fxExchangePosition(base, `fx_amortisation_${toIsoDate(flow.date)}`, paid.currency, -flow.amount, received.currency, -other.amount, flow.date, ctx));
        }
      });
      return out;
    }
    case 'FXFWD': {
      const buy = trade.direction === 'buy';
      return [
        buy
          ? fxExchangePosition(base, 'forward', trade.currency, trade.notional, trade.currency2, trade.notional2, trade.maturityDate, ctx)
          : fxExchangePosition(base, 'forward', trade.currency2, trade.notional2, trade.currency, trade.notional, trade.maturityDate, ctx),
      ];
    }
    case 'FXSWAP': {
      const buy = trade.direction === 'buy';
      const n = trade.notional;
      const out: SaccrPosition[] = [];
      if (trade.nearDate > m.asOf) {
        out.push(
          buy
            ? fxExchangePosition(base, 'near', trade.currency, n, trade.currency2, n * trade.nearRate, trade.nearDate, ctx)
            : fxExchangePosition(base, 'near', trade.currency2, n * trade.nearRate, trade.currency, n, trade.nearDate, ctx),
        );
      }
      out.push(
        buy
          ? fxExchangePosition(base, 'far', trade.currency2, n * trade.farRate, trade.currency, n, trade.maturityDate, ctx)
          : fxExchangePosition(base, 'far', trade.currency, n, trade.currency2, n * trade.farRate, trade.maturityDate, ctx),
      );
      return out;
    }
    case 'FXOPT': {
      const [first, second] = fxPairOrder(trade.currency, trade.currency2);
      const deliveryTime = m.time(trade.maturityDate);
      // CRE52.40 FAQ1: the forward to delivery, S·P_f/P_d, in units of currency2 per currency
      const forward = (m.fxSpot(trade.currency, trade.currency2) * discountCurveFor(m, trade.currency).discount(deliveryTime)) / discountCurveFor(m, trade.currency2).discount(deliveryTime);
      const inPairOrder = first === trade.currency;
      const optionType = inPairOrder ? trade.optionType : trade.optionType === 'call' ? 'put' : 'call';
      const exerciseYears = saccrYears(m, trade.expiryDate);
      return [
        {
          ...base,
          component: 'option',
          assetClass: 'FX',
          hedgingSet: `${first}${second}`,
          hedgingSetKind: 'regular',
          subclass: { kind: 'FX' },
          notionalBase: fxAdjustedNotional(trade.currency, trade.notional, trade.currency2, trade.notional * trade.strike, m),
          direction: optionType === 'call' ? 1 : -1,
          optionality: {
            kind: 'option',
            optionType,
            bought: trade.direction === 'buy',
            underlyingPrice: inPairOrder ? forward : 1 / forward,
            strike: inPairOrder ? trade.strike : 1 / trade.strike,
            shift: 0,
          },
          maturityYears: saccrYears(m, trade.maturityDate),
          exerciseYears,
        },
      ];
    }
    case 'SWAPTION':
      return [swaptionPosition(trade, ctx)];
    case 'CAPFLOOR':
      return capFloorPositions(trade, ctx);
    case 'EQFWD':
    case 'EQOPT':
      return [equityPosition(trade, ctx)];
    case 'CDS':
      return [cdsPosition(trade, ctx)];
    default: {
      const unknown: never = trade;
      throw new Error(`SA-CCR: unsupported product ${(unknown as { product?: string }).product}`);
    }
  }
}

/** Last payment date of a leg (its adjusted maturity): the final notional exchange of an XCCY. */
function lastPaymentDate(leg: SwapLeg): number {
  const s = buildSchedule(leg);
  return s.paymentDate[s.count - 1]!;
}

/**
 * A mark-to-market cross-currency swap (pricing/mtmXccy.ts), xva's reading (CRE52 does not name the product): an IR
 * position per leg, the resetting leg on its current period's notional (the first period's before the start; after a
 * reset its notional then, else the constant leg's at today's spot); the initial exchange while still to come; and one
 * FX position, the exchange that ends the current period (the constant leg's notional against the resetting leg's
 * current one, on that period's payment date): each later period starts at the FX rate of its reset, so the swap
 * carries the FX risk of one period, not of its whole life.
 */
function resettingSwapPositions(trade: CrossCurrencySwap, bankPaysLeg1: boolean, base: ReturnType<typeof baseOf>, ctx: MappingContext): SaccrPosition[] {
  const m = ctx.market;
  const terms = mtmResetTerms(trade, m);
  const current = terms.periods[0];
  const currentNotional = current?.notional ?? terms.constantNotional * m.fxSpot(terms.constantCurrency, terms.resettingCurrency);
  const resetsLeg1 = trade.fxReset === 'leg1';
  const leg1 = resetsLeg1 ? { ...trade.leg1, notional: currentNotional } : trade.leg1;
  const leg2 = resetsLeg1 ? trade.leg2 : { ...trade.leg2, notional: currentNotional };
  const out = [
    irLegPosition(base, 'leg1', [leg1], leg1, legDirection(leg1, bankPaysLeg1), ctx),
    irLegPosition(base, 'leg2', [leg2], leg2, legDirection(leg2, !bankPaysLeg1), ctx),
  ];
  const [paid, received] = bankPaysLeg1 ? [trade.leg1, trade.leg2] : [trade.leg2, trade.leg1];
  const amountOf = (leg: SwapLeg): number => (leg === terms.resetting ? currentNotional : terms.constantNotional);
  const start = buildSchedule(trade.leg1).accrualStart[0]!;
  // initially the bank receives the notional of the leg it pays (its first-period notionals, as booked)
  if (start > m.asOf) out.push(fxExchangePosition(base, 'fx_initial', paid.currency, paid.notional, received.currency, received.notional, start, ctx));
  if (current !== undefined) {
    // the current period's end: the bank pays back the leg it paid and receives the other
    out.push(fxExchangePosition(base, 'fx_reset', received.currency, amountOf(received), paid.currency, amountOf(paid), current.pay, ctx));
  }
  return out;
}
