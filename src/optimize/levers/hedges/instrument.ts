/**
 * The CDS a CVA hedge buys: a standard contract on a `credit.names` curve, valued with the ISDA CDS Standard Model
 * (market/cdsIsda.ts) exactly as the book's pricer values it (pricing/cds.ts: the trade currency's discount curve,
 * collateralised in the hedge netting set's currency, clean premium leg).
 *
 * - Dates: traded on the as-of date, standard maturity of the tenor (CDS2015 rule from 20 Dec 2015, CDS2009 before,
 *   as the market loader bootstraps), accrual from the standard accrual start (conventions/cdsDates.ts).
 * - Coupon: the par spread at that maturity, protectionLeg / cleanRiskyAnnuity, so the trade is booked at par (value
 *   0, no upfront). On a pillar tenor in the curve's own currency this is the quoted spread itself.
 * - Currency: the currency whose OIS curve the name's curve was bootstrapped on (found by rebuilding the curve from
 *   its quotes, the rule of xva/credit.ts), so the coupon is the market's quote.
 * - Cost: running spread × risky duration × notional = parSpread × cleanRiskyAnnuity × notional, the present value
 *   of the premiums (equal, at par, to the protection leg's value).
 * - CS01: change of the bought protection's clean value when the name's par spreads all rise 1bp and the curve is
 *   bootstrapped again (xva/credit.ts shockedCurve, the engine of the credit stress scenarios).
 */
import { fromYmd, type DateSerial, type Tenor } from '../../../conventions/dates.js';
import { cdsStandardAccrualStart, cdsStandardMaturity } from '../../../conventions/cdsDates.js';
import { saccrYears } from '../../../capital/saccr/index.js';
import { bootstrapCdsCurve, cdsLegsPv, type CdsContract } from '../../../market/cdsIsda.js';
import type { HazardCurve, Market, YieldCurve } from '../../../market/types.js';
import { discountCurveFor } from '../../../pricing/curves.js';
import type { CreditDefaultSwap, Currency } from '../../../products/types.js';
import { shockedCurve } from '../../../xva/credit.js';

/** Standard maturities roll semi-annually from 20 Dec 2015 (the market loader's rule). */
const CDS2015_EFFECTIVE = fromYmd(2015, 12, 20);

/** Standard CDS tenors a hedge is bought in (years). */
export const HEDGE_TENORS_YEARS: readonly number[] = [1, 2, 3, 5, 7, 10];

/** The standard tenor nearest to `years` (ties to the shorter). */
export function nearestHedgeTenor(years: number): number {
  let best = HEDGE_TENORS_YEARS[0]!;
  for (const t of HEDGE_TENORS_YEARS) if (Math.abs(t - years) < Math.abs(best - years)) best = t;
  return best;
}

export interface CdsHedgeTerms {
  referenceEntity: string;
  currency: Currency;
  /** Collateral currency of the netting set the hedge is booked in (discounting of the pricer). */
  collateralCurrency: Currency;
  tenorYears: number;
  startDate: DateSerial;
  maturityDate: DateSerial;
  recovery: number;
  /** Par spread at the hedge maturity, decimal: the trade's running coupon. */
  parSpread: number;
  /** Clean risky annuity (RPV01) per unit notional, years. */
  riskyDuration: number;
  /** Protection leg value per unit notional (= parSpread × riskyDuration). */
  protectionLegPv: number;
  /** SA-CCR years (ACT/ACT) to maturity: M_h of MAR50.23, as xva capital measures a CDS hedge. */
  remainingMaturityYears: number;
  /** Units of the base currency per unit of `currency`. */
  fxToBase: number;
  /** Booked today: the as-of date (its accrued-premium rebate still to come, pricing/cds.ts). */
  tradeDate: DateSerial;
}

function tenorOf(years: number): Tenor {
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9 && Math.round(x) > 0;
  if (whole(years)) return { count: Math.round(years), unit: 'Y' };
  if (whole(years * 12)) return { count: Math.round(years * 12), unit: 'M' };
  return { count: Math.max(1, Math.round(years * 365)), unit: 'D' };
}

function maturityRule(market: Market) {
  return market.asOf >= CDS2015_EFFECTIVE ? ('CDS2015' as const) : ('CDS2009' as const);
}

/**
 * The currency whose OIS curve, with the curve's own quotes, gives back its hazard rates (to 1e-10): the currency it
 * was bootstrapped in. Base currency first; undefined when none does (a curve built by hand, not from quotes).
 */
export function creditCurveCurrency(curve: HazardCurve, market: Market): Currency | undefined {
  if (curve.quoteSpreadsBp.length === 0) return undefined;
  for (const ccy of [market.baseCurrency, ...market.currencies.filter((c) => c !== market.baseCurrency)]) {
    try {
      const again = bootstrapCdsCurve({
        name: curve.name,
        asOf: market.asOf,
        tenors: Array.from(curve.quoteTenorsYears, tenorOf),
        spreadsBp: Array.from(curve.quoteSpreadsBp),
        recovery: curve.recovery,
        discount: market.discountCurve(ccy),
        maturityRule: maturityRule(market),
      });
      if (again.hazards.length === curve.hazards.length && again.hazards.every((h, i) => Math.abs(h - curve.hazards[i]!) < 1e-10)) return ccy;
    } catch {
      // not this currency
    }
  }
  return undefined;
}

function contractOf(terms: Pick<CdsHedgeTerms, 'startDate' | 'maturityDate' | 'recovery'>, couponRate: number): CdsContract {
  return { startDate: terms.startDate, maturityDate: terms.maturityDate, couponRate, recovery: terms.recovery, frequencyMonths: 3, dayCount: 'ACT/360' };
}

/** Terms of a par CDS on `referenceEntity` (a `credit.names` curve) of `tenorYears`, booked under `collateralCurrency`. */
export function cdsHedgeTerms(market: Market, referenceEntity: string, tenorYears: number, collateralCurrency: Currency): CdsHedgeTerms {
  if (!market.hasCreditCurve(referenceEntity)) throw new Error(`CVA hedge: the market has no CDS curve ${referenceEntity} (credit.names)`);
  const curve = market.creditCurve(referenceEntity);
  const currency = creditCurveCurrency(curve, market) ?? market.baseCurrency;
  const tenor: Tenor = tenorOf(tenorYears);
  const maturityDate = cdsStandardMaturity(market.asOf, tenor, maturityRule(market));
  const startDate = cdsStandardAccrualStart(market.asOf, maturityDate);
  const discount = discountCurveFor(market, currency, collateralCurrency);
  const legs = cdsLegsPv(contractOf({ startDate, maturityDate, recovery: curve.recovery }, 0), market.asOf, discount, curve);
  const parSpread = legs.protectionLegPv / legs.cleanRiskyAnnuity;
  return {
    referenceEntity,
    currency,
    collateralCurrency,
    tenorYears,
    startDate,
    maturityDate,
    recovery: curve.recovery,
    parSpread,
    riskyDuration: legs.cleanRiskyAnnuity,
    protectionLegPv: legs.protectionLegPv,
    remainingMaturityYears: saccrYears(market, maturityDate),
    fxToBase: market.fxSpot(currency, market.baseCurrency),
    tradeDate: market.asOf,
  };
}

/** The hedge as a trade of the book: protection bought, at par, notional in the trade currency. */
export function cdsHedgeTrade(terms: CdsHedgeTerms, tradeId: string, notionalBase: number, dealer: { counterpartyId: string; nettingSetId: string }): CreditDefaultSwap {
  return {
    tradeId,
    counterpartyId: dealer.counterpartyId,
    nettingSetId: dealer.nettingSetId,
    cleared: false,
    product: 'CDS',
    direction: 'buy',
    referenceEntity: terms.referenceEntity,
    currency: terms.currency,
    notional: notionalBase / terms.fxToBase,
    fixedRate: terms.parSpread,
    startDate: terms.startDate,
    maturityDate: terms.maturityDate,
    frequency: '3M',
    dayCount: 'ACT/360',
    tradeDate: terms.tradeDate,
  };
}

/** Running spread × risky duration × notional, base currency. */
export function cdsHedgeCost(terms: CdsHedgeTerms, notionalBase: number): number {
  return terms.parSpread * terms.riskyDuration * notionalBase;
}

/**
 * Value change, base currency, of `notionalBase` of protection bought at the par coupon when every quoted spread of
 * the reference curve rises `shiftBp` and the curve is bootstrapped again (ISDA CDS Standard Model). Positive.
 */
export function cdsHedgeCs01(market: Market, terms: CdsHedgeTerms, notionalBase: number, shiftBp = 1, discountCache?: Map<HazardCurve, YieldCurve>): number {
  const curve = market.creditCurve(terms.referenceEntity);
  const shocked = shockedCurve(curve, market, shiftBp, discountCache);
  const discount = discountCurveFor(market, terms.currency, terms.collateralCurrency);
  const value = (c: HazardCurve) => {
    const legs = cdsLegsPv(contractOf(terms, terms.parSpread), market.asOf, discount, c);
    return legs.protectionLegPv - terms.parSpread * legs.cleanRiskyAnnuity;
  };
  return (value(shocked) - value(curve)) * notionalBase;
}
