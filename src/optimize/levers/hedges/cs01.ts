/**
 * CVA CS01 of a group of counterparties by bump and reprice on the base exposure: every quoted par spread of their
 * curves (own CDS curve or proxy) +1bp, the curves bootstrapped again (xva/credit.ts shockCreditInputs, the credit
 * stress of `xva cva`), CVA recomputed from the same exposure profiles (xva/compute.ts computeXva); nothing is
 * simulated again. Only the named counterparties' curves move: the CS01 of counterparty A is the sensitivity of A's
 * CVA to A's curve. Positive: CVA (a cost) rises with spreads.
 */
import type { Market } from '../../../market/types.js';
import { computeXva, type ExposureSet, type XvaOptions } from '../../../xva/compute.js';
import { shockCreditInputs, type CreditInputs } from '../../../xva/credit.js';

export interface BaseExposure {
  /** Exposure sets of the base run (xva/compute.ts exposureSetsOf). */
  sets: readonly ExposureSet[];
  /** Credit inputs of the base run (xva/credit.ts creditInputs). */
  credit: CreditInputs;
  xva: XvaOptions;
}

/** CVA of the counterparties' netting sets, and its change when their curves move `shiftBp` (base currency). */
export function cvaCs01(base: BaseExposure, market: Market, counterpartyIds: readonly string[], shiftBp = 1): { cva: number; cs01: number } {
  const ids = new Set(counterpartyIds);
  const sets = base.sets.filter((s) => ids.has(s.counterpartyId));
  if (sets.length === 0) return { cva: 0, cs01: 0 };
  const counterparties = new Map([...base.credit.counterparties].filter(([id]) => ids.has(id)));
  const only: CreditInputs = { ...base.credit, counterparties };
  const before = computeXva(sets, only, base.xva, false).book.cva;
  const after = computeXva(sets, shockCreditInputs(only, market, { creditSpreadBp: shiftBp }), base.xva, false).book.cva;
  return { cva: before, cs01: after - before };
}
