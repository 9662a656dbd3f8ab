/**
 * SA-CCR over a portfolio: trades → positions (mapping.ts) → per netting set the replacement cost, the PFE and
 * EAD = α·(RC + PFE) (CRE52.1), with the margined EAD capped at the unmargined one (CRE52.2).
 *
 * `saccrNettingSet` is the rule for one netting set over an array of positions; `computeSaccr` feeds it from a
 * portfolio, a market and the side inputs of `SaccrOptions` (trade values, collateral balances, reference entities,
 * positions given directly).
 */
import { IssueCollector, XvaInputError, type InputIssue } from '../../errors.js';
import type { Market } from '../../market/types.js';
import { priceTrade } from '../../pricing/index.js';
import { discountCurveFor } from '../../pricing/curves.js';
import { effectiveFixedRate } from '../../pricing/legs.js';
import type { Counterparty, NettingSet, Portfolio } from '../../portfolio/types.js';
import { tradeMaturity, type Currency, type Trade } from '../../products/types.js';
import { computePfe, derivePosition, type MaturityBasis } from './addOns.js';
import { collateralTerms, type CollateralTerms } from './collateral.js';
import { effectiveMporDays, replacementCost, type MporContext } from './formulas.js';
import { capFloorOptionRates, forwardSwapRate, mappingContext, tradePositions } from './mapping.js';
import { SACCR_PARAMETERS, type SaccrParameters } from './parameters.js';
import type { SaccrNettingSetResult, SaccrOptions, SaccrPosition, SaccrPositionResult, SaccrResult, SaccrSkippedTrade } from './types.js';

export interface NettingSetInput {
  nettingSetId: string;
  counterpartyId: string;
  positions: readonly SaccrPosition[];
  tradeCount: number;
  /** V in the base currency. */
  value: number;
  valueGiven: boolean;
  terms: CollateralTerms;
  /** MPOR context of a margined set: the CSA's estimate and what the floors depend on. */
  mpor?: { estimatedDays: number; context: MporContext };
  cleared: boolean;
  qccpTradeExposure: boolean;
}

export interface NettingSetRuleOptions {
  parameters: SaccrParameters;
  offsetIr: boolean;
  /** Apply the CRE52.2 cap (ORE does not). */
  capAtUnmargined: boolean;
}

/** One netting set: RC (CRE52.10/18), PFE (CRE52.20-25), EAD (CRE52.1), cap (CRE52.2); every position derived. */
export function saccrNettingSet(input: NettingSetInput, market: Pick<Market, 'baseCurrency'>, rule: NettingSetRuleOptions): { result: SaccrNettingSetResult; positions: SaccrPositionResult[] } {
  const p = rule.parameters;
  const { terms } = input;
  const valueLessCollateral = input.value - terms.collateral;
  const derive = (basis: MaturityBasis) => input.positions.map((pos) => derivePosition(pos, input.counterpartyId, basis, p));

  const mporDays = terms.margined && input.mpor ? effectiveMporDays(input.mpor.estimatedDays, input.mpor.context, p) : undefined;
  if (terms.margined && mporDays === undefined) throw new Error(`netting set ${input.nettingSetId}: a margined netting set needs its MPOR`);
  const basis: MaturityBasis = mporDays === undefined ? { margined: false } : { margined: true, mporDays };
  const positions = derive(basis);
  const pfe = computePfe(positions, valueLessCollateral, rule.offsetIr, p);
  const rc = replacementCost({ value: input.value, collateral: terms.collateral, margined: terms.margined, threshold: terms.threshold, minimumTransferAmount: terms.minimumTransferAmount, nica: terms.nica });
  const eadBeforeCap = p.alpha * (rc + pfe.pfe);

  const result: SaccrNettingSetResult = {
    nettingSetId: input.nettingSetId,
    counterpartyId: input.counterpartyId,
    margined: terms.margined,
    cleared: input.cleared,
    qccpTradeExposure: input.qccpTradeExposure,
    positionCount: positions.length,
    tradeCount: input.tradeCount,
    value: input.value,
    valueGiven: input.valueGiven,
    collateral: terms.collateral,
    nica: terms.nica,
    variationMargin: terms.variationMargin,
    variationMarginCalculated: terms.variationMarginCalculated,
    threshold: terms.threshold,
    minimumTransferAmount: terms.minimumTransferAmount,
    replacementCost: rc,
    pfe,
    alpha: p.alpha,
    eadBeforeCap,
    capApplied: false,
    ead: eadBeforeCap,
    currency: market.baseCurrency,
  };
  if (mporDays !== undefined) {
    result.marginPeriodOfRiskDays = mporDays;
    // CRE52.2: the EAD of a margined netting set is capped at its EAD computed as unmargined
    const unmarginedPositions = derive({ margined: false });
    const unmarginedPfe = computePfe(unmarginedPositions, valueLessCollateral, rule.offsetIr, p);
    const unmarginedRc = Math.max(valueLessCollateral, 0);
    const unmarginedEad = p.alpha * (unmarginedRc + unmarginedPfe.pfe);
    result.unmargined = { replacementCost: unmarginedRc, pfe: unmarginedPfe, ead: unmarginedEad };
    if (rule.capAtUnmargined && unmarginedEad < eadBeforeCap) {
      result.capApplied = true;
      result.ead = unmarginedEad;
      // the positions of the derivation the EAD is: the set's reported add-ons are the unmargined ones, so are its
      // trades' rows (maturity factor of CRE52.48, not the margined one of CRE52.52)
      return { result, positions: unmarginedPositions };
    }
  }
  return { result, positions };
}

function tradeIssue(file: string, trade: Trade, error: unknown): InputIssue[] {
  if (error instanceof XvaInputError) return error.issues;
  const message = error instanceof Error ? error.message : String(error);
  const issue: InputIssue = { file, column: 'trade_id', value: trade.tradeId, expected: `a trade SA-CCR can map and value: ${message}` };
  if (trade.sourceRow !== undefined) issue.row = trade.sourceRow;
  return [issue];
}

/**
 * SA-CCR for every netting set of the portfolio (a set without trades included: its RC may still be positive).
 * Trades that matured before the as-of date are left out (listed in `skipped`). Input problems (a reference entity
 * without a rating, an unknown netting set of a given position, a trade that cannot be valued) are all reported at
 * once as an XvaInputError.
 */
/** Headroom of the automatic shift above the lowest forward or strike (10bp). */
export const AUTOMATIC_RATE_SHIFT_HEADROOM = 0.001;

/**
 * The shift λ per currency for the supervisory delta of interest-rate options when a forward or strike is <= 0
 * (CRE52.40 FAQ2: one λ per currency, the same for all its options, such that P + λ > 0 and K + λ > 0): for a currency
 * whose swaptions, caps or floors have min(P, K) <= 0, λ = 10bp − min(P, K); 0 (absent) otherwise. `given` shifts win. Computed over
 * the whole book, so that a part of the book (xva optimize) uses the book's λ.
 */
export function automaticRateShifts(portfolio: Portfolio, market: Market, given: Partial<Record<Currency, number>> = {}): Partial<Record<Currency, number>> {
  const lowest = new Map<Currency, number>();
  for (const t of portfolio.trades) {
    if (t.product === 'CAPFLOOR') {
      // a 0% floor or a negative strike (CRE52.40 FAQ2: the shift makes both P and K positive)
      let rates;
      try {
        rates = capFloorOptionRates(t, market);
      } catch {
        continue; // reported when the trade is mapped
      }
      if (rates.price === undefined) continue;
      const ccy = t.floatLeg.currency;
      lowest.set(ccy, Math.min(lowest.get(ccy) ?? Infinity, rates.price, rates.strike));
      continue;
    }
    if (t.product !== 'SWAPTION') continue;
    const ccy = t.fixedLeg.currency;
    let forward: number;
    try {
      forward = forwardSwapRate(t, market);
    } catch {
      continue; // reported when the trade is mapped
    }
    const m = Math.min(forward, effectiveFixedRate(t.fixedLeg, market, discountCurveFor(market, ccy)));
    lowest.set(ccy, Math.min(lowest.get(ccy) ?? Infinity, m));
  }
  const out: Partial<Record<Currency, number>> = { ...given };
  for (const [ccy, m] of lowest) if (out[ccy] === undefined && m <= 0) out[ccy] = AUTOMATIC_RATE_SHIFT_HEADROOM - m;
  return out;
}

export function computeSaccr(portfolio: Portfolio, market: Market, options: SaccrOptions = {}): SaccrResult {
  const p = options.parameters ?? SACCR_PARAMETERS;
  const convention = options.convention ?? 'cre52';
  const tradesFile = portfolio.sources.trades ? portfolio.sources.trades.split(/[\\/]/).pop()! : 'trades';
  const ctx = mappingContext(market, portfolio.counterparties, { ...options, rateShift: options.rateShift ?? automaticRateShifts(portfolio, market) }, tradesFile);
  const issues = new IssueCollector();
  const skipped: SaccrSkippedTrade[] = [];
  const tradeValues = new Map<string, number>();
  const nettingSets = new Map<string, NettingSet>(portfolio.nettingSets.map((ns) => [ns.nettingSetId, ns]));
  const counterparties = new Map<string, Counterparty>(portfolio.counterparties.map((c) => [c.counterpartyId, c]));

  const positionsBySet = new Map<string, SaccrPosition[]>();
  const tradesBySet = new Map<string, Set<string>>();
  const add = (pos: SaccrPosition) => {
    const list = positionsBySet.get(pos.nettingSetId);
    if (list) list.push(pos);
    else positionsBySet.set(pos.nettingSetId, [pos]);
    const ids = tradesBySet.get(pos.nettingSetId) ?? new Set<string>();
    ids.add(pos.tradeId);
    tradesBySet.set(pos.nettingSetId, ids);
  };

  for (const trade of portfolio.trades) {
    const ns = nettingSets.get(trade.nettingSetId);
    if (!ns) {
      issues.add({ file: tradesFile, ...(trade.sourceRow === undefined ? {} : { row: trade.sourceRow }), column: 'netting_set_id', value: trade.nettingSetId, expected: 'a netting set of netting_sets' });
      continue;
    }
    if (tradeMaturity(trade) < market.asOf) {
      skipped.push({ tradeId: trade.tradeId, nettingSetId: trade.nettingSetId, reason: 'matured before the as-of date' });
      continue;
    }
    try {
      for (const pos of tradePositions(trade, ctx)) add(pos);
      const given = options.tradeValues?.get(trade.tradeId);
      if (given !== undefined) tradeValues.set(trade.tradeId, given);
      else if (!options.nettingSetValues?.has(trade.nettingSetId)) {
        tradeValues.set(trade.tradeId, priceTrade(trade, market, { collateralCurrency: ns.collateralCurrency }).npvBase);
      }
    } catch (error) {
      for (const issue of tradeIssue(tradesFile, trade, error)) issues.add(issue);
    }
  }
  // a position's id is a key of trade_values and of the capital_trade rows: it must not be a trade's id too
  const bookTrades = new Map(portfolio.trades.map((t) => [t.tradeId, t]));
  for (const pos of options.externalPositions ?? []) {
    const clash = bookTrades.get(pos.tradeId);
    if (clash !== undefined) {
      issues.add({ file: pos.source?.file ?? 'saccr_trades', ...(pos.source ? { row: pos.source.row } : {}), column: 'trade_id', value: pos.tradeId, expected: `an id no trade of ${tradesFile} has (row ${clash.sourceRow ?? '?'} is that trade): trade_values and capital_trade key positions and trades by it` });
      continue;
    }
    if (!nettingSets.has(pos.nettingSetId)) {
      issues.add({ file: pos.source?.file ?? 'saccr_trades', ...(pos.source ? { row: pos.source.row } : {}), column: 'netting_set_id', value: pos.nettingSetId, expected: `a netting set of netting_sets (position ${pos.tradeId})` });
      continue;
    }
    add(pos);
    const given = options.tradeValues?.get(pos.tradeId);
    if (given !== undefined) tradeValues.set(pos.tradeId, given);
    else if (!options.nettingSetValues?.has(pos.nettingSetId)) {
      issues.add({ file: pos.source?.file ?? 'saccr_trades', ...(pos.source ? { row: pos.source.row } : {}), column: 'trade_id', value: pos.tradeId, expected: `a value in trade_values (by trade_id, or its netting set's by netting_set_id) for the position given directly here (netting set ${pos.nettingSetId})` });
    }
  }
  issues.throwIfAny();

  const results: SaccrNettingSetResult[] = [];
  const trades: SaccrPositionResult[] = [];
  const rule: NettingSetRuleOptions = { parameters: p, offsetIr: (options.irAggregation ?? 'offset') === 'offset', capAtUnmargined: convention === 'cre52' };
  for (const ns of portfolio.nettingSets) {
    const positions = positionsBySet.get(ns.nettingSetId) ?? [];
    const tradeIds = tradesBySet.get(ns.nettingSetId) ?? new Set<string>();
    const givenValue = options.nettingSetValues?.get(ns.nettingSetId);
    let value = 0;
    for (const id of tradeIds) value += tradeValues.get(id) ?? 0;
    const terms = collateralTerms(ns, options.collateralBalances?.get(ns.nettingSetId), market, { ore: convention === 'ore', value: givenValue ?? value });
    const input: NettingSetInput = {
      nettingSetId: ns.nettingSetId,
      counterpartyId: ns.counterpartyId,
      positions,
      tradeCount: tradeIds.size,
      value: givenValue ?? value,
      valueGiven: givenValue !== undefined,
      terms,
      cleared: ns.cleared,
      qccpTradeExposure: ns.cleared && (counterparties.get(ns.counterpartyId)?.qccp ?? false),
    };
    if (terms.margined) {
      input.mpor = {
        estimatedDays: ns.marginPeriodOfRiskDays,
        context: {
          marginFrequencyDays: ns.marginFrequencyDays,
          cleared: ns.cleared,
          tradeCount: tradeIds.size,
          illiquid: options.illiquidNettingSets?.has(ns.nettingSetId) ?? false,
          disputed: options.disputedNettingSets?.has(ns.nettingSetId) ?? false,
        },
      };
    }
    const { result, positions: derived } = saccrNettingSet(input, market, rule);
    results.push(result);
    trades.push(...derived);
  }
  return { asOf: market.asOf, currency: market.baseCurrency, convention, nettingSets: results, trades, tradeValues, skipped };
}
