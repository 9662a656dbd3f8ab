/**
 * The SA-CCR data model. A trade maps to one or more *positions* (an XCCY gives an IR position per leg and an FX
 * position; an FX swap a near and a far FX position); a position carries everything CRE52 needs, in the base
 * currency and in years, so the rules (formulas.ts, addOns.ts) never look at products or the market again.
 */
import type { Currency } from '../../products/types.js';
import type { ReferenceEntity } from '../../portfolio/referenceEntities.js';
import type { CommodityHedgingSet, CommoditySubclass, CreditRating } from './parameters.js';

export type SaccrAssetClass = 'IR' | 'FX' | 'Credit' | 'Equity' | 'Commodity';
export const SACCR_ASSET_CLASSES: readonly SaccrAssetClass[] = ['IR', 'FX', 'Credit', 'Equity', 'Commodity'];

/** CRE52.46-47: basis and volatility transactions form their own hedging sets with a scaled SF. */
export type HedgingSetKind = 'regular' | 'basis' | 'volatility';

/** How the position's supervisory factor is looked up in CRE52.72 Table 2. */
export type SaccrSubclass =
  | { kind: 'IR' }
  | { kind: 'FX' }
  | { kind: 'CreditSingleName'; rating: CreditRating }
  | { kind: 'CreditIndex'; grade: 'IG' | 'SG' }
  | { kind: 'EquitySingleName' }
  | { kind: 'EquityIndex' }
  | { kind: 'Commodity'; subclass: CommoditySubclass };

/** Non-linear delta inputs (CRE52.40 options, CRE52.41 CDO tranches). */
export type SaccrOptionality =
  | {
      kind: 'option';
      optionType: 'call' | 'put';
      bought: boolean;
      /** P: the underlying price (forward where appropriate, CRE52.40 FAQ1), before any shift. */
      underlyingPrice: number;
      /** K: the strike, before any shift. */
      strike: number;
      /** λ of CRE52.40 FAQ2 added to P and K (rates that may be negative); 0 when not needed. */
      shift: number;
    }
  | { kind: 'cdoTranche'; purchasedProtection: boolean; attachment: number; detachment: number };

export interface SaccrPosition {
  tradeId: string;
  /** Which part of the trade: `swap`, `leg1`, `leg2`, `fx`, `near`, `far`, `option`, `cds`, `forward`, `record`. */
  component: string;
  nettingSetId: string;
  /** Product of the trade (`IRS`, `XCCY`, ...) or `external` for a position given directly (saccr_trades table). */
  product: string;
  /** A position given directly: its file and 1-based data row, for messages. */
  source?: { file: string; row: number };
  assetClass: SaccrAssetClass;
  /** IR: the currency; FX: the pair in market order (`EURUSD`); Credit/Equity: the asset class; Commodity: its set. */
  hedgingSet: string;
  hedgingSetKind: HedgingSetKind;
  /** Credit/equity reference entity or commodity type (CRE52.61(2), CRE52.66(2), CRE52.70(3)). */
  entity?: string;
  subclass: SaccrSubclass;
  /**
   * Size in the base currency before the supervisory duration: IR/credit the trade notional (CRE52.34); FX the
   * adjusted notional of CRE52.35; equity/commodity price × units (CRE52.36).
   */
  notionalBase: number;
  /**
   * An amortising or accreting swap leg's notional in the base currency from each step (years from today, SA-CCR's
   * year fraction; the first from the start), with its life [startYears, endYears]: `notionalBase` is the average
   * over max(0, start) to end, and the KVA's projection takes the average over the life remaining at each date.
   */
  notionalSteps?: { fromYears: number[]; notionalsBase: number[]; startYears: number; endYears: number };
  /** +1 long, −1 short in the primary risk factor (CRE52.39) for linear positions; options use `optionality`. */
  direction: 1 | -1;
  optionality?: SaccrOptionality;
  /** S, E (IR and credit, CRE52.31(2)-(3)), M (CRE52.31(1)) and T (options, CRE52.31(4)), in years. */
  startYears?: number;
  endYears?: number;
  maturityYears: number;
  exerciseYears?: number;
  /** Commodity hedging set (CRE52.45(5)). */
  commodityHedgingSet?: CommodityHedgingSet;
}

/** The full derivation of one position, as the BCBS tables show it (for `--explain-trade`). */
export interface SaccrPositionResult extends SaccrPosition {
  counterpartyId: string;
  /** Supervisory duration (IR and credit only, CRE52.34). */
  supervisoryDuration?: number;
  /** d (CRE52.33-36). */
  adjustedNotional: number;
  /** δ (CRE52.38-41). */
  supervisoryDelta: number;
  /** The argument of Φ in CRE52.40 for options. */
  optionD?: number;
  supervisoryVolatility?: number;
  /** MF (CRE52.48 unmargined or CRE52.52 margined). */
  maturityFactor: number;
  /** IR maturity bucket by E (CRE52.57(3)): 1 (< 1y), 2 (1-5y), 3 (> 5y). */
  maturityBucket?: 1 | 2 | 3;
  /** SF of Table 2 with the basis/volatility scaling of CRE52.73. */
  supervisoryFactor: number;
  correlation?: number;
  /** D = d × MF × δ (CRE52.30(1)). */
  effectiveNotional: number;
}

export interface SaccrEntityAddOn {
  entity: string;
  effectiveNotional: number;
  supervisoryFactor: number;
  correlation: number;
  /** SF × EN, signed (CRE52.61(3), CRE52.66(3), CRE52.70(4)). */
  addOn: number;
}

export interface SaccrHedgingSetResult {
  assetClass: SaccrAssetClass;
  hedgingSet: string;
  kind: HedgingSetKind;
  /** IR: effective notional per maturity bucket D1, D2, D3 (CRE52.57(4)). */
  bucketEffectiveNotionals?: [number, number, number];
  /** IR: EN of the hedging set (CRE52.57(5)); FX: Σ D (CRE52.59(3)). */
  effectiveNotional?: number;
  /** Credit, equity, commodity: the entity / commodity-type add-ons. */
  entities?: SaccrEntityAddOn[];
  /** Credit, equity, commodity: (Σ ρ·AddOn)² and Σ (1 − ρ²)·AddOn² of the single-factor formula. */
  systematicComponent?: number;
  idiosyncraticComponent?: number;
  addOn: number;
}

export type AddOnsByClass = Record<SaccrAssetClass, number>;

export interface SaccrPfe {
  addOns: AddOnsByClass;
  /** Σ over asset classes (CRE52.25). */
  aggregateAddOn: number;
  /** CRE52.23. */
  multiplier: number;
  pfe: number;
  hedgingSets: SaccrHedgingSetResult[];
}

export interface SaccrNettingSetResult {
  nettingSetId: string;
  counterpartyId: string;
  /** CRE52.2: the counterparty posts VM under a CSA. */
  margined: boolean;
  cleared: boolean;
  /** Cleared with a qualifying CCP (CRE54.14): RWA at the QCCP risk weight. */
  qccpTradeExposure: boolean;
  positionCount: number;
  tradeCount: number;
  /** V, base currency. */
  value: number;
  /** Whether V was given for the netting set (not the sum of the trades). */
  valueGiven: boolean;
  /** C: haircut value of net collateral held, including NICA and (margined) net VM (CRE52.10, CRE52.18). */
  collateral: number;
  nica: number;
  variationMargin: number;
  /** The VM is the CSA's call at today's value (`calculate_vm`, no balance given), not a balance. */
  variationMarginCalculated: boolean;
  threshold: number;
  minimumTransferAmount: number;
  /** Margined sets: the MPOR used (business days) after the floors of CRE52.50-51 / CRE54.8. */
  marginPeriodOfRiskDays?: number;
  replacementCost: number;
  /** PFE on the basis the netting set is treated (margined or unmargined). */
  pfe: SaccrPfe;
  alpha: number;
  /** α·(RC + PFE) before the cap of CRE52.2. */
  eadBeforeCap: number;
  /** Margined sets: the same netting set computed unmargined (CRE52.2 cap). */
  unmargined?: { replacementCost: number; pfe: SaccrPfe; ead: number };
  /** True when the unmargined EAD is lower and replaces the margined one. */
  capApplied: boolean;
  ead: number;
  /** Base currency of every amount. */
  currency: Currency;
}

export interface SaccrSkippedTrade {
  tradeId: string;
  nettingSetId: string;
  reason: string;
}

export interface SaccrResult {
  asOf: number;
  currency: Currency;
  convention: SaccrTimeConvention;
  nettingSets: SaccrNettingSetResult[];
  /** Every position with its derivation (MF on the netting set's basis). */
  trades: SaccrPositionResult[];
  /** Value of each trade used for V (base currency), priced or given. */
  tradeValues: Map<string, number>;
  skipped: SaccrSkippedTrade[];
}

/**
 * How S, E and M of swap legs are read from the schedule.
 * - `cre52`: S = time to the start of the first accrual period, 0 once it has begun (CRE52.34); E = M = time to the
 *   last payment date.
 * - `ore`: as Open Source Risk Engine's SA-CCR: S = time to the first payment date still to come over all legs,
 *   E = M = time to the last payment date. Also, like ORE, collateral of unmargined netting sets is ignored and the
 *   CRE52.2 cap is not applied.
 */
export type SaccrTimeConvention = 'cre52' | 'ore';

/** Haircut collateral balances of a netting set (collateral_balances table), in `currency`. */
export interface SaccrCollateralBalance {
  nettingSetId: string;
  currency?: Currency;
  /** Net VM: received positive, posted negative. */
  variationMargin: number;
  /** ICA held from the counterparty (IM, IA); replaces the netting set's `independent_amount_cpty` when given. */
  independentCollateralReceived?: number;
  /** ICA posted by the bank; replaces `independent_amount_bank` when given. */
  independentCollateralPosted?: number;
  /** Bank-posted ICA held bankruptcy-remote: then it does not reduce NICA (CRE52.17). */
  postedSegregated: boolean;
}

/** Rating and kind of a credit or equity reference name (reference_entities table). */
/** A row of the reference_entities table (portfolio/referenceEntities.ts), read with the portfolio. */
export type SaccrReferenceEntity = ReferenceEntity;

export interface SaccrOptions {
  convention?: SaccrTimeConvention;
  /** IR hedging-set aggregation of CRE52.57(5): with offset across buckets (default) or without. */
  irAggregation?: 'offset' | 'noOffset';
  parameters?: import('./parameters.js').SaccrParameters;
  /** Trade values in the base currency; trades not listed are priced with priceTrade. */
  tradeValues?: ReadonlyMap<string, number>;
  /** V of a netting set in the base currency, replacing the sum of its trades (a value from another system). */
  nettingSetValues?: ReadonlyMap<string, number>;
  collateralBalances?: ReadonlyMap<string, SaccrCollateralBalance>;
  referenceEntities?: ReadonlyMap<string, SaccrReferenceEntity>;
  /** Positions given directly (saccr_trades table): commodities and anything xva has no product for. */
  externalPositions?: readonly SaccrPosition[];
  /** Rating class used for unrated (NR) single-name credit (CRE52.72 has no row for it). Default BB. */
  unratedCreditRating?: CreditRating;
  /** λ of CRE52.40 FAQ2 per currency, for interest-rate options whose forward or strike is not positive. */
  rateShift?: Partial<Record<Currency, number>>;
  /** Netting sets with illiquid collateral or hard-to-replace trades: MPOR floor 20 days (CRE52.51(2)). */
  illiquidNettingSets?: ReadonlySet<string>;
  /** Netting sets with more than two long margin disputes in the last two quarters: floor doubled (CRE52.51(3)). */
  disputedNettingSets?: ReadonlySet<string>;
}
