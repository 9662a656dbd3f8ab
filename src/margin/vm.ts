/**
 * Variation margin today under a netting set's CSA (ISDA 2016 VM CSA / 1994 CSA Paragraph 3), from the bank's side,
 * in the collateral currency. Positive amounts are collateral the bank holds or receives.
 *
 * - Exposure E = today's netting-set MTM (positive: the counterparty owes the bank).
 * - VM requirement: E − Th_cpty when E > Th_cpty; E + Th_bank when E < −Th_bank; 0 in between (thresholds).
 * - Credit support amount R = VM requirement + IA_cpty − IA_bank (independent amounts, Paragraph 13).
 * - Difference D = R − B, B the net balance held (received positive, posted negative).
 * - Minimum transfer amount: no call when |D| < MTA of the party that would transfer (MTA_cpty when D > 0,
 *   MTA_bank when D < 0).
 * - Rounding (Paragraph 13 elections "Delivery Amount rounded up, Return Amount rounded down"): the part of D that
 *   returns collateral already held by the receiving side's counterparty (reducing |B|) is a Return Amount, rounded
 *   down; the rest is a Delivery Amount, rounded up; both to a multiple of `rounding`.
 */
import type { NettingSet } from '../portfolio/types.js';

export interface VmResult {
  nettingSetId: string;
  /** Today's netting-set MTM in the collateral currency. */
  exposure: number;
  /** Collateral required by the thresholds alone (before IA). */
  vmRequired: number;
  /** VM requirement plus the independent amounts: the collateral the CSA says should be held. */
  creditSupportAmount: number;
  /** Net collateral held before the call (received positive). */
  balance: number;
  /** R − B before MTA and rounding. */
  difference: number;
  /** The call after MTA and rounding: positive = the counterparty transfers to the bank, negative = the bank transfers. */
  marginCall: number;
  /** What limited the call: 'none', 'mta' (below the MTA), 'uncollateralised' (no CSA). */
  limitedBy: 'none' | 'mta' | 'uncollateralised';
}

/** Thresholds applied to the exposure: the VM the CSA requires before independent amounts. */
export function vmRequirement(exposure: number, thresholdCpty: number, thresholdBank: number): number {
  if (exposure > thresholdCpty) return exposure - thresholdCpty;
  if (exposure < -thresholdBank) return exposure + thresholdBank;
  return 0;
}

function roundTo(amount: number, rounding: number, up: boolean): number {
  if (!(rounding > 0)) return amount;
  // guard against 1e-12 noise turning an exact multiple into the next one
  const units = amount / rounding;
  const snapped = Math.abs(units - Math.round(units)) < 1e-9 ? Math.round(units) : units;
  return (up ? Math.ceil(snapped) : Math.floor(snapped)) * rounding;
}

/** Splits |D| into a return of collateral held by the receiver's counterparty and a delivery, rounded per the CSA. */
export function roundedTransfer(difference: number, balance: number, rounding: number): number {
  const sign = Math.sign(difference);
  const size = Math.abs(difference);
  // D > 0 returns what the bank had posted (B < 0) first; D < 0 returns what the bank holds (B > 0) first
  const returnable = sign > 0 ? Math.max(-balance, 0) : Math.max(balance, 0);
  const returned = Math.min(size, returnable);
  const delivered = size - returned;
  return sign * (roundTo(returned, rounding, false) + roundTo(delivered, rounding, true));
}

export function variationMargin(nettingSet: NettingSet, exposure: number, balance: number): VmResult {
  const base = { nettingSetId: nettingSet.nettingSetId, exposure, balance };
  if (!nettingSet.csa) {
    return { ...base, vmRequired: 0, creditSupportAmount: 0, difference: 0, marginCall: 0, limitedBy: 'uncollateralised' };
  }
  const vmRequired = vmRequirement(exposure, nettingSet.thresholdCpty, nettingSet.thresholdBank);
  const creditSupportAmount = vmRequired + nettingSet.independentAmountCpty - nettingSet.independentAmountBank;
  const difference = creditSupportAmount - balance;
  const mta = difference > 0 ? nettingSet.mtaCpty : nettingSet.mtaBank;
  if (difference === 0 || Math.abs(difference) < mta) {
    return { ...base, vmRequired, creditSupportAmount, difference, marginCall: 0, limitedBy: difference === 0 ? 'none' : 'mta' };
  }
  return { ...base, vmRequired, creditSupportAmount, difference, marginCall: roundedTransfer(difference, balance, nettingSet.rounding), limitedBy: 'none' };
}
