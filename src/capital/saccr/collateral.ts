/**
 * The collateral terms of a netting set for the replacement cost, in the base currency:
 *
 * - margined (CRE52.2) when the netting set is under a VM CSA (`csa`), i.e. the counterparty posts VM;
 * - TH, MTA: the counterparty's threshold and minimum transfer amount (CRE52.18(2)-(3));
 * - NICA (CRE52.17) = ICA received − ICA posted by the bank unless held bankruptcy-remote. The ICA amounts are those
 *   of the collateral balance when given, else the CSA's independent amounts (`independent_amount_cpty/_bank`; none
 *   without a CSA) plus, received, the initial margin held (`initial_margin_held`, with or without a CSA);
 * - C = NICA + net VM (received positive, posted negative): CRE52.10 and CRE52.18(1). Balances are haircut values.
 *   Without a balance the VM is 0, unless the netting set says `calculateVm` (ORE's CalculateVMAmount): then the VM
 *   the CSA calls for at today's value V, V − clamp(V, −TH_bank, TH_cpty) (received above the counterparty's
 *   threshold, posted below minus the bank's), the same rule as the KVA projection's margined paths (capital/kva.ts),
 *   so that its profile starts at today's figure. ORE takes VM = V whatever the thresholds; so does the `ore`
 *   convention here (`vmAsValue`).
 *
 * Amounts of the netting set and of its balance are in the collateral currency and converted at today's spot.
 */
import type { Market } from '../../market/types.js';
import type { NettingSet } from '../../portfolio/types.js';
import { toBase } from './conventions.js';
import type { SaccrCollateralBalance } from './types.js';

export interface CollateralTerms {
  margined: boolean;
  /** The VM was computed from today's value (`calculateVm`, no balance), not read from a balance. */
  variationMarginCalculated: boolean;
  threshold: number;
  minimumTransferAmount: number;
  nica: number;
  variationMargin: number;
  /** C = NICA + VM. */
  collateral: number;
}

/** NICA and C from ICA received / posted and VM (CRE52.17-18); the pieces of the Annex 4b examples. */
export function collateralFromBalances(icaReceived: number, icaPosted: number, postedSegregated: boolean, variationMargin: number): { nica: number; collateral: number } {
  const nica = icaReceived - (postedSegregated ? 0 : icaPosted);
  return { nica, collateral: nica + variationMargin };
}

/** How `collateralTerms` reads a netting set: `value` is today's V (base currency), needed for `calculateVm`. */
export interface CollateralTermsOptions {
  /** ORE's convention: collateral of unmargined sets set to 0, and a calculated VM equal to V. */
  ore?: boolean;
  value?: number;
}

/**
 * The VM the CSA calls for at today's value `value` (base currency) with thresholds `thresholdCpty`/`thresholdBank`
 * (base currency): V − clamp(V, −TH_bank, TH_cpty); V itself when `vmAsValue` (ORE).
 */
export function calculatedVariationMargin(value: number, thresholdCpty: number, thresholdBank: number, vmAsValue = false): number {
  if (vmAsValue) return value;
  return value - Math.min(Math.max(value, -thresholdBank), thresholdCpty);
}

/** The terms of one netting set (module comment). */
export function collateralTerms(ns: NettingSet, balance: SaccrCollateralBalance | undefined, market: Market, options: CollateralTermsOptions = {}): CollateralTerms {
  const ignoreUnmarginedCollateral = options.ore ?? false;
  const margined = ns.csa;
  const csaFx = toBase(market, ns.collateralCurrency);
  const balanceFx = toBase(market, balance?.currency ?? ns.collateralCurrency);
  const threshold = margined ? ns.thresholdCpty * csaFx : 0;
  const minimumTransferAmount = margined ? ns.mtaCpty * csaFx : 0;
  if (!margined && ignoreUnmarginedCollateral) {
    return { margined, variationMarginCalculated: false, threshold, minimumTransferAmount, nica: 0, variationMargin: 0, collateral: 0 };
  }
  // without a CSA its independent amounts do not apply (docs/inputs.md): only a balance counts; the initial margin
  // held (netting_sets initial_margin_held, received and segregated, with or without a CSA) is collateral received
  // in NICA (CRE52.17), as the exposure engine counts it
  const csaReceived = (margined ? ns.independentAmountCpty * csaFx : 0) + (ns.initialMarginHeld ?? 0) * csaFx;
  const csaPosted = margined ? ns.independentAmountBank * csaFx : 0;
  const received = balance?.independentCollateralReceived !== undefined ? balance.independentCollateralReceived * balanceFx : csaReceived;
  const posted = balance?.independentCollateralPosted !== undefined ? balance.independentCollateralPosted * balanceFx : csaPosted;
  const variationMarginCalculated = margined && balance === undefined && ns.calculateVm === true;
  let variationMargin: number;
  if (variationMarginCalculated) {
    if (options.value === undefined) throw new Error(`collateralTerms: netting set ${ns.nettingSetId} calculates its VM and needs today's value`);
    variationMargin = calculatedVariationMargin(options.value, threshold, ns.thresholdBank * csaFx, options.ore ?? false);
  } else {
    variationMargin = (balance?.variationMargin ?? 0) * balanceFx;
  }
  const { nica, collateral } = collateralFromBalances(received, posted, balance?.postedSegregated ?? false, variationMargin);
  return { margined, variationMarginCalculated, threshold, minimumTransferAmount, nica, variationMargin, collateral };
}
