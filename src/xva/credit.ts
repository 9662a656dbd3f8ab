/**
 * The credit and funding inputs of the XVA sums: per counterparty its survival curve (its own CDS curve, or the
 * sector × rating × region proxy) and recovery, the bank's own curve, and the funding spreads. Stress scenarios
 * build shocked copies (the market objects are immutable): CDS par spreads shifted in parallel, floored at 0, and the
 * curve bootstrapped again with the ISDA CDS Standard Model (market/cdsIsda.ts), exactly as the market loader did.
 */
import { fromYmd, toIsoDate } from '../conventions/dates.js';
import type { Tenor } from '../conventions/dates.js';
import { XvaInputError, type InputIssue } from '../errors.js';
import { bootstrapCdsCurve } from '../market/cdsIsda.js';
import type { FundingSpreads, HazardCurve, Market, YieldCurve } from '../market/types.js';
import type { Counterparty, Portfolio } from '../portfolio/types.js';
import type { Currency } from '../products/types.js';

export interface CounterpartyCredit {
  counterpartyId: string;
  curve: HazardCurve;
  /** 'cds': the counterparty's own curve (`cds_curve`); 'proxy': the sector × rating × region proxy. */
  curveSource: 'cds' | 'proxy';
  curveName: string;
  /** The counterparty file's recovery, else the curve's. */
  recovery: number;
  recoverySource: 'counterparty' | 'curve';
}

export interface CreditInputs {
  counterparties: Map<string, CounterpartyCredit>;
  /** The bank's own curve (DVA, FBA); undefined = no own curve in the market: DVA is 0 and survival of the bank 1. */
  own: HazardCurve | undefined;
  /** Funding spreads of the base currency (the bank funds the uncollateralised exposure in it). */
  funding: FundingSpreads;
  /** Collateral remuneration spread (bp over OIS) per collateral currency, for ColVA. */
  collateralSpreadBp: (currency: Currency) => number;
}

/** Resolves every counterparty's curve; a missing curve or proxy is an input error naming the counterparties row. */
export function creditInputs(portfolio: Portfolio, market: Market, counterpartyIds: Iterable<string>): CreditInputs {
  const byId = new Map<string, Counterparty>(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const file = portfolio.sources.counterparties ? portfolio.sources.counterparties.split(/[\\/]/).pop()! : 'counterparties';
  const issues: InputIssue[] = [];
  const counterparties = new Map<string, CounterpartyCredit>();
  for (const id of counterpartyIds) {
    const cp = byId.get(id);
    if (!cp) {
      issues.push({ file, column: 'counterparty_id', value: id, expected: 'a row for every counterparty of the netting sets' });
      continue;
    }
    const row = cp.sourceRow !== undefined ? { row: cp.sourceRow } : {};
    let curve: HazardCurve;
    let curveSource: 'cds' | 'proxy';
    let curveName: string;
    if (cp.cdsCurve !== undefined) {
      if (!market.hasCreditCurve(cp.cdsCurve)) {
        issues.push({ file, ...row, column: 'cds_curve', value: cp.cdsCurve, expected: 'a curve of the market file (credit.names)' });
        continue;
      }
      curve = market.creditCurve(cp.cdsCurve);
      curveSource = 'cds';
      curveName = cp.cdsCurve;
    } else {
      try {
        const proxy = market.proxyCreditCurve({ sector: cp.sector, rating: cp.rating, region: cp.region });
        curve = proxy.curve;
        curveName = proxy.proxyName;
        curveSource = 'proxy';
      } catch (error) {
        issues.push({ file, ...row, column: 'cds_curve', value: '', expected: `a CDS curve, or a proxy in the market (${(error as Error).message})` });
        continue;
      }
    }
    const recovery = cp.recovery ?? curve.recovery;
    counterparties.set(id, { counterpartyId: id, curve, curveSource, curveName, recovery, recoverySource: cp.recovery !== undefined ? 'counterparty' : 'curve' });
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  return {
    counterparties,
    own: market.ownCredit,
    funding: market.funding(market.baseCurrency),
    collateralSpreadBp: (ccy) => market.funding(ccy).collateralSpreadBp,
  };
}

/** Standard CDS maturities roll semi-annually from 20 Dec 2015 (the market loader's rule). */
const CDS2015_EFFECTIVE = fromYmd(2015, 12, 20);

/** The tenor a quote's year fraction came from (tenorYears: Y, M, W or D). */
function tenorOf(years: number): Tenor {
  const round = (x: number): number | undefined => (Math.abs(x - Math.round(x)) < 1e-9 && Math.round(x) > 0 ? Math.round(x) : undefined);
  const y = round(years);
  if (y !== undefined) return { count: y, unit: 'Y' };
  const m = round(years * 12);
  if (m !== undefined) return { count: m, unit: 'M' };
  const w = round((years * 365) / 7);
  if (w !== undefined) return { count: w, unit: 'W' };
  return { count: Math.max(1, Math.round(years * 365)), unit: 'D' };
}

/** Smallest spread after a shock: the bootstrap needs a positive spread; 1e-6bp is a hazard of about 1e-10. */
const FLOOR_SPREAD_BP = 1e-6;

function bootstrapFrom(curve: HazardCurve, market: Market, discount: YieldCurve, spreadsBp: number[], onNegativeHazard?: (tenor: string, maturity: number) => void): HazardCurve {
  return bootstrapCdsCurve({
    ...(onNegativeHazard ? { onNegativeHazard } : {}),
    name: curve.name,
    asOf: market.asOf,
    tenors: Array.from(curve.quoteTenorsYears, tenorOf),
    spreadsBp,
    recovery: curve.recovery,
    discount,
    maturityRule: market.asOf >= CDS2015_EFFECTIVE ? 'CDS2015' : 'CDS2009',
  });
}

/**
 * The discount curve a market curve was bootstrapped with: the currency whose OIS curve, with the unshocked quotes,
 * gives back the curve's hazard rates (to 1e-10). The HazardCurve does not record its currency, and this makes the
 * shocked curve consistent with the unshocked one by construction.
 */
export function discountOf(curve: HazardCurve, market: Market): YieldCurve {
  const quotes = Array.from(curve.quoteSpreadsBp);
  for (const ccy of [market.baseCurrency, ...market.currencies.filter((c) => c !== market.baseCurrency)]) {
    const discount = market.discountCurve(ccy);
    try {
      const again = bootstrapFrom(curve, market, discount, quotes);
      if (again.hazards.length === curve.hazards.length && again.hazards.every((h, i) => Math.abs(h - curve.hazards[i]!) < 1e-10)) return discount;
    } catch {
      // not this currency
    }
  }
  throw new Error(`credit curve ${curve.name}: cannot rebuild it from its quotes (no currency's discount curve gives back its hazard rates)`);
}

/** discountOf's currency per market and curve (null: no currency's discount curve gives the curve back). */
const bootstrapCurrencies = new WeakMap<Market, WeakMap<HazardCurve, Currency | null>>();

/**
 * The currency of the OIS curve a market curve was bootstrapped on (discountOf), once per market and curve; null for a
 * curve that none gives back (built in code from given hazards, or without quotes).
 */
export function bootstrapCurrencyOf(curve: HazardCurve, market: Market): Currency | null {
  let byCurve = bootstrapCurrencies.get(market);
  if (!byCurve) bootstrapCurrencies.set(market, (byCurve = new WeakMap()));
  let ccy = byCurve.get(curve);
  if (ccy === undefined) {
    try {
      ccy = curve.quoteSpreadsBp.length === 0 ? null : discountOf(curve, market).currency;
    } catch {
      ccy = null;
    }
    byCurve.set(curve, ccy);
  }
  return ccy;
}

/**
 * The curve bootstrapped again from its unchanged par spreads and recovery on `discount` (its own currency's OIS curve
 * moved by an interest rate bump): the spreads are the quoted credit risk factor, held under a rate bump (MAR50.47;
 * SIMM §B, as margin/sensitivities/trade.ts rebootstrapCredit does for a CDS's Risk_IRCurve), and the loader does the
 * same when a market file's rates are moved by hand.
 */
export function rediscountedCurve(curve: HazardCurve, market: Market, discount: YieldCurve, onNegativeHazard?: (tenor: string, maturity: number) => void): HazardCurve {
  return bootstrapFrom(curve, market, discount, Array.from(curve.quoteSpreadsBp), onNegativeHazard);
}

/** The curve with every quoted par spread shifted by `shiftBp` (floored at 0) and bootstrapped again. */
export function shockedCurve(curve: HazardCurve, market: Market, shiftBp: number, cache?: Map<HazardCurve, YieldCurve>, notes?: string[]): HazardCurve {
  if (shiftBp === 0) return curve;
  if (curve.quoteSpreadsBp.length === 0) throw new Error(`credit curve ${curve.name} has no quotes: a spread shock cannot be applied`);
  let discount = cache?.get(curve);
  if (!discount) {
    discount = discountOf(curve, market);
    cache?.set(curve, discount);
  }
  const spreads = Array.from(curve.quoteSpreadsBp, (s) => Math.max(FLOOR_SPREAD_BP, s + shiftBp));
  // a downward shock on an inverted curve (1Y 150 / 5Y 110bp, −100bp: 50 / 10bp) asks for a negative forward hazard:
  // that interval's hazard is floored at 0 (no default probability there) rather than the stress failing
  const floored: string[] = [];
  const shocked = bootstrapFrom(curve, market, discount, spreads, (tenor, maturity) => floored.push(`${tenor} (to ${toIsoDate(maturity)})`));
  if (floored.length > 0)
    notes?.push(
      `credit curve ${curve.name} shifted ${shiftBp > 0 ? '+' : ''}${shiftBp}bp: the shifted ${floored.length === 1 ? 'spread' : 'spreads'} of ${floored.join(', ')} ${floored.length === 1 ? 'is' : 'are'} below what a zero hazard rate gives after the shorter tenors, so the hazard rate is floored at 0 there (${floored.length === 1 ? 'that quote is' : 'those quotes are'} not repriced)`,
    );
  return shocked;
}

/**
 * The curve with the quote at index `i` shifted by `shiftBp` (default +1bp: MAR50.65's tenor bump, a bucketed CS01)
 * and bootstrapped again, the other quotes as they are. A curve at the edge of a non-negative hazard (quotes near 0bp)
 * may need a negative hazard after the bumped tenor: floored at 0 there, as shockedCurve does, and said in `notes`.
 */
export function tenorShockedCurve(curve: HazardCurve, market: Market, i: number, cache: Map<HazardCurve, YieldCurve>, shiftBp = 1, notes?: string[]): HazardCurve {
  if (i < 0 || i >= curve.quoteSpreadsBp.length) throw new RangeError(`credit curve ${curve.name}: no quote ${i}`);
  let discount = cache.get(curve);
  if (!discount) {
    discount = discountOf(curve, market);
    cache.set(curve, discount);
  }
  const spreads = Array.from(curve.quoteSpreadsBp, (s, k) => (k === i ? Math.max(FLOOR_SPREAD_BP, s + shiftBp) : s));
  const floored: string[] = [];
  const bumped = bootstrapFrom(curve, market, discount, spreads, (tenor) => floored.push(tenor));
  if (floored.length > 0) {
    const note = `credit curve ${curve.name} with its ${curve.quoteTenorsYears[i]}Y quote ${shiftBp > 0 ? '+' : ''}${shiftBp}bp: the ${floored.join(', ')} ${floored.length === 1 ? 'spread is' : 'spreads are'} below what a zero hazard rate gives after it, so the hazard rate is floored at 0 there (not repriced: the bump also lifts those tenors, so the tenor sensitivities overstate the parallel one)`;
    if (notes && !notes.includes(note)) notes.push(note);
  }
  return bumped;
}

/**
 * The curve with each quote k shifted by `shiftsBp[k]` (a bucketed bump spread over the quotes, e.g. MAR50.65's
 * tenor bump by hat weights) and bootstrapped again; `what` names the bump in the note of a hazard floored at 0 (as
 * tenorShockedCurve).
 */
export function weightedShockedCurve(curve: HazardCurve, market: Market, shiftsBp: readonly number[], cache: Map<HazardCurve, YieldCurve>, what: string, notes?: string[]): HazardCurve {
  if (shiftsBp.length !== curve.quoteSpreadsBp.length) throw new RangeError(`credit curve ${curve.name}: ${shiftsBp.length} shifts for ${curve.quoteSpreadsBp.length} quotes`);
  let discount = cache.get(curve);
  if (!discount) {
    discount = discountOf(curve, market);
    cache.set(curve, discount);
  }
  const spreads = Array.from(curve.quoteSpreadsBp, (s, k) => (shiftsBp[k] === 0 ? s : Math.max(FLOOR_SPREAD_BP, s + shiftsBp[k]!)));
  const floored: string[] = [];
  const bumped = bootstrapFrom(curve, market, discount, spreads, (tenor) => floored.push(tenor));
  if (floored.length > 0) {
    const note = `credit curve ${curve.name} ${what}: the ${floored.join(', ')} ${floored.length === 1 ? 'spread is' : 'spreads are'} below what a zero hazard rate gives after it, so the hazard rate is floored at 0 there (not repriced: the bump also lifts those tenors, so the tenor sensitivities overstate the parallel one)`;
    if (notes && !notes.includes(note)) notes.push(note);
  }
  return bumped;
}

export interface CreditShocks {
  creditSpreadBp?: number;
  ownCreditSpreadBp?: number;
  fundingSpreadBp?: number;
}

/** Shocked inputs: counterparty/proxy curves, own curve and funding spreads; recoveries unchanged. */
export function shockCreditInputs(base: CreditInputs, market: Market, shocks: CreditShocks, notes?: string[]): CreditInputs {
  const cache = new Map<HazardCurve, YieldCurve>();
  const rebuilt = new Map<HazardCurve, HazardCurve>();
  const counterparties = new Map<string, CounterpartyCredit>();
  const credit = shocks.creditSpreadBp ?? 0;
  for (const [id, c] of base.counterparties) {
    let curve = rebuilt.get(c.curve);
    if (!curve) {
      curve = shockedCurve(c.curve, market, credit, cache, notes);
      rebuilt.set(c.curve, curve);
    }
    counterparties.set(id, { ...c, curve });
  }
  const own = base.own && shocks.ownCreditSpreadBp ? shockedCurve(base.own, market, shocks.ownCreditSpreadBp, cache, notes) : base.own;
  // the shock moves the spreads the market gives (docs/scenarios.md: every currency in `funding`); a base currency
  // without any has FCA, FBA and ColVA 0 (missingFundingNote), and a shock of nothing is nothing
  // (the callers say so in their scenario notes)
  const f = missingFundingNote(market) === undefined ? (shocks.fundingSpreadBp ?? 0) : 0;
  const funding = { ...base.funding, borrowSpreadBp: base.funding.borrowSpreadBp + f, lendSpreadBp: base.funding.lendSpreadBp + f };
  return { counterparties, own, funding, collateralSpreadBp: base.collateralSpreadBp };
}

/**
 * The run's note when the market file gives no funding spreads for the base currency (`funding.<CCY>`): FCA, FBA and
 * ColVA are then 0 by construction, which a table of zeros would not say.
 */
export function missingFundingNote(market: Market): string | undefined {
  if (market.fundingCurrencies === undefined || market.fundingCurrencies.includes(market.baseCurrency)) return undefined;
  return `the market has no funding spreads for the base currency (funding.${market.baseCurrency}): FCA, FBA and ColVA are 0`;
}
