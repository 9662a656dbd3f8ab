/**
 * The market risk a compression must preserve, per trade, from the repo's SIMM sensitivities
 * (src/margin/sensitivities/trade.ts, bump and reprice with today's pricers) and today's value:
 *
 * - PV: `tradeValueUsd`, USD, discounted under the netting set's collateral currency;
 * - IR delta per currency and SIMM tenor vertex (SIMM v2.6 §C.1: 2w … 30y): the sum of the Risk_IRCurve rows of every
 *   sub-curve of the currency (OIS discounting and the projection sub-curves), USD per 1bp; with `bySubCurve` one
 *   factor per sub-curve instead;
 * - FX delta per currency against USD (SIMM Risk_FX): V(S·1.01) − V(S), USD. Preserving every currency's delta
 *   against USD preserves the delta of every pair (a pair's position is the difference of its two currencies').
 * - cross-currency basis delta per currency (SIMM Risk_XCcyBasis): V(basis + 1bp) − V(basis), USD per 1bp, for a
 *   non-USD flow currency with a basis in the market (its flows discounted under another currency's collateral).
 *   Until helper 126's optimiser audit such a trade was left out (nearly every non-USD IRS/OIS, XCCY and FX forward
 *   of a USD-collateral set: 89 trades of the audit's eight demo sets); now its basis delta is one more
 *   preserved factor.
 *
 * A trade is a compression candidate when these capture all its risk: its sensitivities are IR, cross-currency basis
 * and FX delta only (IRS, OIS, XCCY, FX forwards and swaps). Options, equity and credit trades stay in the book
 * untouched.
 */
import { toIsoDate } from '../../../conventions/dates.js';
import type { Market } from '../../../market/types.js';
import { tradeSensitivities, tradeValueUsd } from '../../../margin/sensitivities/trade.js';
import { SIMM_IR_TENORS } from '../../../margin/sensitivities/tenors.js';
import type { Currency, Trade } from '../../../products/types.js';

export type RiskClass = 'ir' | 'xccy' | 'fx';

/** Risk of one trade: PV and the delta per factor key (factorKey()). */
export interface TradeRisk {
  pvUsd: number;
  factors: ReadonlyMap<string, number>;
}

const LINEAR_PRODUCTS = new Set<Trade['product']>(['IRS', 'OIS', 'XCCY', 'FXFWD', 'FXSWAP']);

/** `ir:USD:05:5y` (tenor index zero-padded, so that keys sort by tenor), `ir:USD:05:5y:Libor3m`, `fx:EUR`. */
export function irFactorKey(currency: string, tenor: string, subCurve: string | undefined): string {
  const k = (SIMM_IR_TENORS as readonly string[]).indexOf(tenor);
  const base = `ir:${currency}:${String(k).padStart(2, '0')}:${tenor}`;
  return subCurve === undefined ? base : `${base}:${subCurve}`;
}

export function fxFactorKey(currency: Currency | string): string {
  return `fx:${currency}`;
}

/** `xccy:EUR`: the cross-currency basis of a currency (SIMM Risk_XCcyBasis has no tenor). */
export function xccyBasisFactorKey(currency: Currency | string): string {
  return `xccy:${currency}`;
}

export function riskClassOf(factorKey: string): RiskClass {
  return factorKey.startsWith('ir:') ? 'ir' : factorKey.startsWith('xccy:') ? 'xccy' : 'fx';
}

/** Readable factor name for reports: `USD 5y`, `USD 5y Libor3m`, `FX EUR`, `EUR xccy basis`. */
export function factorLabel(factorKey: string): string {
  const parts = factorKey.split(':');
  if (parts[0] === 'fx') return `FX ${parts[1]}`;
  if (parts[0] === 'xccy') return `${parts[1]} xccy basis`;
  return [parts[1], parts[3], parts[4]].filter((p) => p !== undefined).join(' ');
}

export type RiskOutcome = { ok: true; risk: TradeRisk } | { ok: false; reason: string };

/**
 * PV and delta of one trade, or why it is not a compression candidate. `collateralCurrency` is the one of the netting
 * set the trade is (or will be) in.
 */
export function tradeRisk(trade: Trade, market: Market, collateralCurrency: Currency | undefined, bySubCurve: boolean): RiskOutcome {
  if (!LINEAR_PRODUCTS.has(trade.product)) return { ok: false, reason: `${trade.product} is not a linear IR/FX product` };
  // A first exchange still to settle offsets the last one in today's FX delta; once it settles the trade's FX delta is
  // its whole notional's. Compression matches today's deltas only, so such a trade would take that later risk out
  // of the book unseen (optimiser audit, session 31: a forward-starting XCCY, 2,120 USD per 1% today, 295,039 after).
  const firstExchange = trade.product === 'XCCY' && trade.initialExchange ? trade.leg1.startDate : trade.product === 'FXSWAP' ? trade.nearDate : undefined;
  if (firstExchange !== undefined && firstExchange > market.asOf) {
    return {
      ok: false,
      reason: `its first exchange of notionals (${toIsoDate(firstExchange)}) is still to settle: after it the trade's FX delta is its whole notional's, which today's deltas compression matches do not show`,
    };
  }
  let rows;
  let pvUsd;
  try {
    const ctx = collateralCurrency === undefined ? { market } : { market, collateralCurrency };
    rows = tradeSensitivities(trade, ctx).rows;
    pvUsd = tradeValueUsd(trade, market, collateralCurrency);
  } catch (error) {
    return { ok: false, reason: `its sensitivities cannot be computed (${error instanceof Error ? error.message : String(error)})` };
  }
  const factors = new Map<string, number>();
  for (const row of rows) {
    let key: string;
    if (row.riskType === 'Risk_IRCurve') key = irFactorKey(row.qualifier, row.label1, bySubCurve ? row.label2 : undefined);
    else if (row.riskType === 'Risk_FX') key = fxFactorKey(row.qualifier);
    else if (row.riskType === 'Risk_XCcyBasis') key = xccyBasisFactorKey(row.qualifier);
    else return { ok: false, reason: `it has ${row.riskType} sensitivities, which compression does not preserve` };
    factors.set(key, (factors.get(key) ?? 0) + row.amountUsd);
  }
  return { ok: true, risk: { pvUsd, factors } };
}

/** Σ of trades' risks (PV and every factor). */
export function sumRisk(risks: Iterable<TradeRisk>): { pvUsd: number; factors: Map<string, number> } {
  let pvUsd = 0;
  const factors = new Map<string, number>();
  for (const r of risks) {
    pvUsd += r.pvUsd;
    for (const [k, v] of r.factors) factors.set(k, (factors.get(k) ?? 0) + v);
  }
  return { pvUsd, factors };
}
