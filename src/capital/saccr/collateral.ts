/**
 * The collateral terms of a netting set for the replacement cost, in the base currency:
 *
 * - margined (CRE52.2) when the netting set is under a VM CSA (`csa`), i.e. the counterparty posts VM;
 * - TH, MTA: the counterparty's threshold and minimum transfer amount (CRE52.18(2)-(3));
 * - NICA (CRE52.17) = ICA received − ICA posted by the bank unless held bankruptcy-remote. The ICA amounts are those
 *   of the collateral balance when given, else the CSA's independent amounts (`independent_amount_cpty/_bank`; none
 *   without a CSA);
 * - C = NICA + net VM (received positive, posted negative): CRE52.10 and CRE52.18(1). Balances are haircut values.
 *
 * Amounts of the netting set and of its balance are in the collateral currency and converted at today's spot.
 */
import type { Market } from '../../market/types.js';
import type { NettingSet } from '../../portfolio/types.js';
import { toBase } from './conventions.js';
import type { SaccrCollateralBalance } from './types.js';

export interface CollateralTerms {
  margined: boolean;
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

/**
 * The terms of one netting set. `ignoreUnmarginedCollateral` follows ORE (collateral of unmargined sets set to 0).
 */
export function collateralTerms(ns: NettingSet, balance: SaccrCollateralBalance | undefined, market: Market, ignoreUnmarginedCollateral = false): CollateralTerms {
  const margined = ns.csa;
  const csaFx = toBase(market, ns.collateralCurrency);
  const balanceFx = toBase(market, balance?.currency ?? ns.collateralCurrency);
  const threshold = margined ? ns.thresholdCpty * csaFx : 0;
  const minimumTransferAmount = margined ? ns.mtaCpty * csaFx : 0;
  if (!margined && ignoreUnmarginedCollateral) {
    return { margined, threshold, minimumTransferAmount, nica: 0, variationMargin: 0, collateral: 0 };
  }
  // without a CSA its independent amounts do not apply (docs/inputs.md): only a balance counts
  const csaReceived = margined ? ns.independentAmountCpty * csaFx : 0;
  const csaPosted = margined ? ns.independentAmountBank * csaFx : 0;
  const received = balance?.independentCollateralReceived !== undefined ? balance.independentCollateralReceived * balanceFx : csaReceived;
  const posted = balance?.independentCollateralPosted !== undefined ? balance.independentCollateralPosted * balanceFx : csaPosted;
  const variationMargin = (balance?.variationMargin ?? 0) * balanceFx;
  const { nica, collateral } = collateralFromBalances(received, posted, balance?.postedSegregated ?? false, variationMargin);
  return { margined, threshold, minimumTransferAmount, nica, variationMargin, collateral };
}
