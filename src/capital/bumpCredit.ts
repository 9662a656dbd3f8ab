/**
 * The credit side of the SA-CVA engine bumps (sacvaSensitivities.ts): an IR bump bootstraps the credit curves quoted
 * on the bumped currency's OIS curve again from their unchanged par spreads (market/bumps.ts irBumpedMarket), so the
 * CVA of a bumped run reads its counterparties' curves from the bumped market, and a currency that only such a curve
 * depends on has an IR delta. Shared by the in-process route and the worker threads (bumpWorker.ts): the same bits.
 */
import type { MarketBump } from '../market/bumps.js';
import type { HazardCurve, Market } from '../market/types.js';
import type { Portfolio } from '../portfolio/types.js';
import type { Currency, Trade } from '../products/types.js';
import { bootstrapCurrencyOf, creditInputs, type CreditInputs } from '../xva/credit.js';

/**
 * The CVA's credit inputs under an engine bump, on the in-process and the worker routes alike (the same bits). An IR
 * bump bootstraps the credit curves quoted in its currency again on the bumped OIS curve (market/bumps.ts
 * irBumpedMarket: the spreads held, MAR50.47), so the counterparties' curves, own or proxy, are resolved again on the
 * bumped market, as `xva cva` on a market file with the rates moved by hand resolves them; the recoveries are the
 * same. Other bumps leave the counterparties' curves as they are: a reference credit bump moves the CDS reference
 * names the simulation prices, and the counterparty's spread is a risk factor of its own (MAR50.65).
 */
export function bumpedCreditInputs(base: CreditInputs, portfolio: Portfolio, bumped: Market, bump: MarketBump): CreditInputs {
  if (bump.kind !== 'ir') return base;
  return { ...creditInputs(portfolio, bumped, base.counterparties.keys()), funding: base.funding, collateralSpreadBp: base.collateralSpreadBp };
}

/**
 * The currencies whose OIS curves bootstrapped the credit curves the book's CVA reads (xva/credit.ts
 * bootstrapCurrencyOf): the curves of the counterparties of the in-scope trades' netting sets (own `cds_curve` or
 * proxy, as creditInputs resolves them) and of the CDS reference names. An IR bump of such a currency moves their
 * hazards (market/bumps.ts irBumpedMarket), so the CVA has a delta to it even when no trade pays in it. From the whole
 * book, so that every shard plans the same bumps.
 */
export function creditCurveCurrencies(portfolio: Portfolio, market: Market, inScope: readonly Trade[], setCounterparty: ReadonlyMap<string, string>, referenceNames: readonly string[]): Currency[] {
  const ids = new Set(inScope.map((t) => setCounterparty.get(t.nettingSetId) ?? t.counterpartyId));
  const curves: HazardCurve[] = [];
  for (const cp of portfolio.counterparties) {
    if (!ids.has(cp.counterpartyId)) continue;
    if (cp.cdsCurve !== undefined) {
      if (market.hasCreditCurve(cp.cdsCurve)) curves.push(market.creditCurve(cp.cdsCurve));
      continue;
    }
    try {
      curves.push(market.proxyCreditCurve({ sector: cp.sector, rating: cp.rating, region: cp.region }).curve);
    } catch {
      // no proxy: the base run's creditInputs reports the counterparty
    }
  }
  for (const name of referenceNames) if (market.hasCreditCurve(name)) curves.push(market.creditCurve(name));
  const out = new Set<Currency>();
  for (const curve of curves) {
    const ccy = bootstrapCurrencyOf(curve, market);
    if (ccy !== null) out.add(ccy);
  }
  return [...out];
}
