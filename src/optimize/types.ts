/**
 * Contracts of `xva optimize` (docs/optimize.md). An action is plain data: what it changes in the book (an
 * amendment) and what it costs to do; its benefit is never estimated by a rule but measured by re-running the engine
 * on the netting sets the amendment touches (measure/), on the same market paths and seed as the base run.
 *
 * Signs: every delta is amended − base, in the base currency (CET1 in basis points of the CET1 ratio). CVA, FCA,
 * ColVA, MVA, KVA, EAD, RWA and capital are costs (a saving is a negative delta); DVA and FBA are benefits.
 */
import type { Trade } from '../products/types.js';
import type { CollateralAsset, Counterparty, NettingSet } from '../portfolio/types.js';

export const LEVERS = ['compression', 'novation', 'cva_hedge', 'collateral', 'csa'] as const;
export type Lever = (typeof LEVERS)[number];

/** A change to the book, applied by measure/amend.ts to a copy (the base portfolio is never mutated). */
export interface Amendment {
  /** Trades of the base book terminated (unwound or compressed away). */
  removeTradeIds: readonly string[];
  /** New trades (replacement trades, hedges, novated copies), each naming a netting set of the amended book. */
  addTrades: readonly Trade[];
  /** Netting sets added or replaced by id (a CSA amendment, a new CCP netting set). */
  upsertNettingSets: readonly NettingSet[];
  /** Counterparties added or replaced by id (a CCP). */
  upsertCounterparties: readonly Counterparty[];
  /** Collateral inventory replaced by id (the collateral lever's allocation, when it changes the inventory). */
  upsertCollateral?: readonly CollateralAsset[];
}

export const EMPTY_AMENDMENT: Amendment = Object.freeze({ removeTradeIds: [], addTrades: [], upsertNettingSets: [], upsertCounterparties: [] });

/** Amended − base figures of the netting sets (and counterparties) an action touches. */
export interface CostDelta {
  cva: number;
  dva: number;
  fca: number;
  fba: number;
  colva: number;
  /** FCA − FBA + ColVA. */
  fva: number;
  mva: number;
  kva: number;
  /** SA-CCR EAD (CRE52.1). */
  ead: number;
  /** Counterparty credit risk RWA plus CVA RWA (12.5 × BA-CVA). */
  rwa: number;
  /** Change of the CET1 ratio, basis points (positive = the ratio improves). */
  cet1Bp: number;
  /** Capital (RWA × capital ratio). */
  capital: number;
}

/** One candidate action of a lever, before and after measurement. */
export interface Action {
  /** Stable id: lever plus a hash or index that depends only on the inputs (same inputs, same ids). */
  actionId: string;
  lever: Lever;
  /** One line a desk reads ("Terminate 3 and replace with 1 USD IRS in NS-12: gross notional -240m"). */
  description: string;
  amendment: Amendment;
  tradeIds: readonly string[];
  counterpartyIds: readonly string[];
  nettingSetIds: readonly string[];
  /**
   * Cost of doing it, base currency, >= 0: a CSA amendment's legal cost (`amendmentCost`), novation fees
   * (`feePerTrade`), a collateral re-allocation's transition cost; 0 for a CDS hedge bought at par (its premiums are
   * worth its protection, docs/optimize-hedges.md) and for a compression (no fee schedule). Subtracted from the
   * measured saving to give the net benefit.
   */
  cost: number;
  /** The lever's own figures (gross notional before/after, hedge notional, LP objective, negotiability score ...). */
  details: Readonly<Record<string, number | string>>;
}

/** An action with its measured effect. */
export interface MeasuredAction extends Action {
  delta: CostDelta;
  /** The value of the saving under the objective's weights, minus the cost (base currency per the run; > 0 pays). */
  netBenefit: number;
}
