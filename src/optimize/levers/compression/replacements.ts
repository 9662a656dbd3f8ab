/**
 * Replacement trades a compression may add: par swaps per (product, currency, float index) at the SIMM tenors from
 * 6m to 30y, and par FX forwards per currency pair at standard tenors from 1m to 10y, each starting today (the as-of
 * date; no spot lag). Only the keys the group's compressible trades have are offered, and per key only the tenors
 * either side of each such trade's remaining maturity (the vertices its delta falls on): fewer binaries, and the
 * replacements a desk would choose anyway. Conventions (frequencies, day counts, business-day rule, stub) are copied
 * from the key's largest trade (ties: the smallest trade id), so a replacement is a trade the desk already books.
 *
 * "At par": the swap's fixed rate is the par rate and the forward's notional2 is notional × outright forward, both
 * solved from today's pricer (priceTrade) by its linearity in the fixed rate / notional2, so the replacement's PV is
 * zero up to rounding. Its risk enters the MILP per million of notional, from the same sensitivities as the trades'.
 */
import { addMonths } from '../../../conventions/dates.js';
import type { Market } from '../../../market/types.js';
import { priceTrade } from '../../../pricing/index.js';
import type { NettingSet } from '../../../portfolio/types.js';
import { tradeMaturity, type Currency, type FxForward, type InterestRateSwap, type Trade } from '../../../products/types.js';
import { tradeRisk, type TradeRisk } from './risk.js';

/** SIMM IR vertices from 6m (§C.1), in months: the tenors of replacement swaps. */
export const SWAP_TENOR_MONTHS: readonly number[] = [6, 12, 24, 36, 60, 120, 180, 240, 360];
/** Standard FX forward tenors, in months. */
export const FX_FORWARD_TENOR_MONTHS: readonly number[] = [1, 3, 6, 12, 24, 36, 60, 120];

/** One million units of the candidate's notional currency: the unit of the MILP's replacement variables. */
export const NOTIONAL_UNIT = 1e6;

export interface ReplacementCandidate {
  /** `USD IRS USD-SOFR 5Y`, `EURUSD FXFWD 3M`. */
  label: string;
  /** Currency of `notional` (the swap currency; the forward's `currency`). */
  currency: Currency;
  tenorMonths: number;
  /** The trade for a signed notional: > 0 pays fixed / buys `currency`, < 0 receives fixed / sells. */
  build(tradeId: string, signedNotional: number): Trade;
  /** PV and delta of NOTIONAL_UNIT in the positive direction. */
  unitRisk: TradeRisk;
}

function tenorLabel(months: number): string {
  return months % 12 === 0 ? `${months / 12}Y` : `${months}M`;
}

/** For each remaining maturity, the tenors either side of it (its two SIMM vertices, where its delta sits). */
function bracketingTenors(tenors: readonly number[], maturitiesMonths: readonly number[]): number[] {
  const out = new Set<number>();
  for (const m of maturitiesMonths) {
    let below: number | undefined;
    let above: number | undefined;
    for (const t of tenors) {
      if (t <= m) below = t;
      if (t >= m && above === undefined) above = t;
    }
    if (below !== undefined) out.add(below);
    out.add(above ?? tenors[tenors.length - 1]!);
  }
  return [...out].sort((a, b) => a - b);
}

const monthsTo = (market: Market, date: number): number => ((date - market.asOf) * 12) / 365.25;

/** Largest notional, ties the smallest id (trades arrive sorted by id). */
function largest<T extends Trade>(trades: readonly T[], notional: (t: T) => number): T {
  let best = trades[0]!;
  for (const t of trades) if (notional(t) > notional(best)) best = t;
  return best;
}

interface BuildContext {
  market: Market;
  home: NettingSet;
  ccp: string | undefined;
  bySubCurve: boolean;
}

function tradeBase(ctx: BuildContext, tradeId: string) {
  return {
    tradeId,
    counterpartyId: ctx.home.counterpartyId,
    nettingSetId: ctx.home.nettingSetId,
    cleared: ctx.ccp !== undefined || ctx.home.cleared,
    ...(ctx.ccp !== undefined ? { ccp: ctx.ccp } : ctx.home.ccp !== undefined ? { ccp: ctx.home.ccp } : {}),
  };
}

function swapCandidate(ctx: BuildContext, template: InterestRateSwap, months: number): ReplacementCandidate | undefined {
  const { market } = ctx;
  const startDate = market.asOf;
  const maturityDate = addMonths(startDate, months);
  const ccy = template.fixedLeg.currency;
  // a replacement is a plain bullet swap on the template's conventions, whether or not the template amortises, steps up or is geared
  const { amortization: _fixedSteps, rateSteps: _rateSteps, ...fixedTerms } = template.fixedLeg;
  const { amortization: _floatSteps, gearing: _gearing, ...floatTerms } = template.floatLeg;
  const make = (tradeId: string, signedNotional: number, fixedRate: number): InterestRateSwap => ({
    ...tradeBase(ctx, tradeId),
    product: template.product,
    direction: signedNotional >= 0 ? 'pay' : 'receive',
    fixedLeg: { ...fixedTerms, startDate, maturityDate, notional: Math.abs(signedNotional), fixedRate },
    floatLeg: { ...floatTerms, startDate, maturityDate, notional: Math.abs(signedNotional), spreadBp: 0 },
  });
  const opts = { collateralCurrency: ctx.home.collateralCurrency };
  // PV of a payer swap is linear in the fixed rate: PV(K) = PV(0) − K·A, so the par rate is PV(0)/A.
  const pv0 = priceTrade(make('par', NOTIONAL_UNIT, 0), market, opts).npv;
  const annuity = pv0 - priceTrade(make('par', NOTIONAL_UNIT, 1), market, opts).npv;
  if (!(annuity > 0)) return undefined; // no coupon left to pay (a tenor shorter than its own frequency)
  const parRate = pv0 / annuity;
  const risk = tradeRisk(make('unit', NOTIONAL_UNIT, parRate), market, ctx.home.collateralCurrency, ctx.bySubCurve);
  if (!risk.ok) return undefined;
  return {
    label: `${ccy} ${template.product} ${template.floatLeg.floatIndex} ${tenorLabel(months)}`,
    currency: ccy,
    tenorMonths: months,
    build: (tradeId, signedNotional) => make(tradeId, signedNotional, parRate),
    unitRisk: risk.risk,
  };
}

function forwardCandidate(ctx: BuildContext, template: { currency: Currency; currency2: Currency }, months: number): ReplacementCandidate | undefined {
  const { market } = ctx;
  const maturityDate = addMonths(market.asOf, months);
  const make = (tradeId: string, signedNotional: number, notional2PerUnit: number): FxForward => ({
    ...tradeBase(ctx, tradeId),
    product: 'FXFWD',
    direction: signedNotional >= 0 ? 'buy' : 'sell',
    currency: template.currency,
    notional: Math.abs(signedNotional),
    currency2: template.currency2,
    notional2: Math.abs(signedNotional) * notional2PerUnit,
    maturityDate,
  });
  const opts = { collateralCurrency: ctx.home.collateralCurrency };
  // PV of a bought forward is linear in notional2: PV(n2) = PV(0) − n2·P_2(T), so the par notional2 is PV(0)/P_2(T).
  const pv0 = priceTrade(make('par', NOTIONAL_UNIT, 0), market, opts).npv;
  const perUnit2 = pv0 - priceTrade(make('par', NOTIONAL_UNIT, 1), market, opts).npv; // = NOTIONAL_UNIT·P_2(T)
  if (!(perUnit2 > 0)) return undefined;
  const forwardRate = pv0 / perUnit2;
  const risk = tradeRisk(make('unit', NOTIONAL_UNIT, forwardRate), market, ctx.home.collateralCurrency, ctx.bySubCurve);
  if (!risk.ok) return undefined;
  return {
    label: `${template.currency}${template.currency2} FXFWD ${tenorLabel(months)}`,
    currency: template.currency,
    tenorMonths: months,
    build: (tradeId, signedNotional) => make(tradeId, signedNotional, forwardRate),
    unitRisk: risk.risk,
  };
}

/** Every replacement candidate for a group's compressible trades, in a fixed order (by label key, then tenor). */
export function replacementCandidates(
  trades: readonly Trade[],
  market: Market,
  home: NettingSet,
  ccp: string | undefined,
  bySubCurve: boolean,
): ReplacementCandidate[] {
  const ctx: BuildContext = { market, home, ccp, bySubCurve };
  const swaps = new Map<string, InterestRateSwap[]>();
  const pairs = new Map<string, { currency: Currency; currency2: Currency; trades: Trade[] }>();
  for (const t of trades) {
    if (t.product === 'IRS' || t.product === 'OIS') {
      if (t.fixedLeg.currency !== t.floatLeg.currency) continue;
      const key = `${t.product} ${t.fixedLeg.currency} ${t.floatLeg.floatIndex}`;
      swaps.set(key, [...(swaps.get(key) ?? []), t]);
    } else if (t.product === 'FXFWD' || t.product === 'FXSWAP') {
      const [a, b] = t.currency < t.currency2 ? [t.currency, t.currency2] : [t.currency2, t.currency];
      const key = `${a}${b}`;
      const entry = pairs.get(key) ?? { currency: a, currency2: b, trades: [] };
      entry.trades.push(t);
      pairs.set(key, entry);
    }
  }
  const out: ReplacementCandidate[] = [];
  for (const key of [...swaps.keys()].sort()) {
    const group = swaps.get(key)!;
    const template = largest(group, (t) => t.fixedLeg.notional);
    for (const m of bracketingTenors(SWAP_TENOR_MONTHS, group.map((t) => monthsTo(market, tradeMaturity(t))))) {
      const c = swapCandidate(ctx, template, m);
      if (c) out.push(c);
    }
  }
  for (const key of [...pairs.keys()].sort()) {
    const entry = pairs.get(key)!;
    // the pair is quoted as the largest forward quotes it (buy/sell `currency` against `currency2`)
    const t = largest(entry.trades, (x) => (x.product === 'FXFWD' || x.product === 'FXSWAP' ? x.notional : 0));
    const orientation = t.product === 'FXFWD' || t.product === 'FXSWAP' ? { currency: t.currency, currency2: t.currency2 } : entry;
    for (const m of bracketingTenors(FX_FORWARD_TENOR_MONTHS, entry.trades.map((x) => monthsTo(market, tradeMaturity(x))))) {
      const c = forwardCandidate(ctx, orientation, m);
      if (c) out.push(c);
    }
  }
  return out;
}
