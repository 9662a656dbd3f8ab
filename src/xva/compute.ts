/**
 * CVA, DVA, FCA, FBA and ColVA per netting set, counterparty and book, and their Euler allocation to trades, from
 * discounted exposure profiles (docs/xva.md). All figures are positive amounts in the base currency: CVA, FCA and a
 * positive ColVA are costs, DVA and FBA benefits (ORE's convention for CVA/DVA: adjusted value = NPV − CVA + DVA;
 * here also − FCA + FBA − ColVA).
 *
 *   CVA   = LGD_C Σ_k Wc[k] EPE(t_k)      Wc: default weights of the counterparty (weights.ts)
 *   DVA   = LGD_B Σ_k Wb[k] ENE(t_k)      Wb: default weights of the bank (own curve)
 *   FCA   = s_borrow Σ_k Wf[k] EPE(t_k)   Wf: τ · S_C · S_B per interval
 *   FBA   = s_lend   Σ_k Wf[k] ENE(t_k)
 *   ColVA = s_coll   Σ_k Wf[k] E[C/N](t_k) (collateral held by the bank earns OIS + s_coll for the poster)
 * The profiles are after collateral, so FCA/FBA fund only the uncollateralised part.
 */
import type { SimulationResult } from '../exposure/results.js';
import type { CreditInputs, CounterpartyCredit } from './credit.js';
import { defaultWeights, fundingWeights, weightedSum, type DefaultMode, type Discretisation, type SurvivalCurve } from './weights.js';
import type { Currency } from '../products/types.js';

/** The exposure of one netting set as the XVA sums need it (from a run or from `xva simulate` tables). */
export interface ExposureSet {
  nettingSetId: string;
  counterpartyId: string;
  /** Exposure dates in years ACT/365F from the as-of date, the as-of date (0) first. */
  times: Float64Array;
  epe: Float64Array;
  ene: Float64Array;
  /** E[C/N], + = held by the bank (the initial margin held included). */
  collateral: Float64Array;
  /**
   * The funding exposure: EPE after VM only, E[(V − VM)+/N], and the VM held E[VM/N] (ExposureProfile.epeVm,
   * collateralVm). The segregated IM held cannot be rehypothecated, so it funds nothing: FCA reads epeVm, ColVA
   * collateralVm. The same arrays as epe and collateral when the set holds no IM.
   */
  epeVm: Float64Array;
  collateralVm: Float64Array;
  /**
   * ENE after VM only, E[(V − VM)⁻/N] (ExposureProfile.eneVm): the liability that funds the bank, which the IM it
   * posted does not change (that IM is funded on its own: MVA). FBA reads it, DVA reads `ene` (after the IM posted).
   * The same array as ene when the set posts no IM.
   */
  eneVm: Float64Array;
  epeStdError: Float64Array;
  collateralCurrency?: Currency;
  tradeIds: readonly string[];
  /** Euler contributions, trade-major [i * nDates + k]. */
  tradeEpe: Float64Array;
  tradeEne: Float64Array;
  /** Euler contributions to epeVm, as tradeEpe (the same array when the set holds no IM). */
  tradeEpeVm: Float64Array;
  /** Euler contributions to eneVm, as tradeEne (the same array when the set posts no IM). */
  tradeEneVm: Float64Array;
}

export interface XvaOptions {
  discretisation: Discretisation;
  mode: DefaultMode;
}

export interface XvaFigures {
  cva: number;
  dva: number;
  fca: number;
  fba: number;
  colva: number;
}

/** The adjustment to the risk-free value, −CVA + DVA − FCA + FBA − ColVA (docs/xva.md: all figures positive). */
export function totalAdjustment(x: XvaFigures): number {
  return -x.cva + x.dva - x.fca + x.fba - x.colva;
}

export interface NettingSetXva extends XvaFigures {
  nettingSetId: string;
  counterpartyId: string;
  credit: CounterpartyCredit;
  /** Unilateral CVA and DVA (ORE's), whatever the mode. */
  cvaUnilateral: number;
  dvaUnilateral: number;
  /**
   * Monte Carlo standard error of CVA, conservative: LGD Σ_k |Wc[k]| se_EPE(t_k), i.e. the EPE errors of the dates
   * taken as perfectly correlated (they are positively correlated, sharing the paths).
   */
  cvaStdError: number;
}

export interface TradeXva extends XvaFigures {
  tradeId: string;
  nettingSetId: string;
  counterpartyId: string;
}

export interface CounterpartyXva extends XvaFigures {
  counterpartyId: string;
  credit: CounterpartyCredit;
  nettingSetIds: string[];
  cvaStdError: number;
}

export interface XvaResult {
  options: XvaOptions;
  nettingSets: NettingSetXva[];
  counterparties: CounterpartyXva[];
  trades: TradeXva[];
  book: XvaFigures & { cvaStdError: number };
}

const NO_DEFAULT: SurvivalCurve = { survival: () => 1 };

/** The weights of one netting set (shared by the set and its trades). */
export interface SetWeights {
  cva: Float64Array;
  dva: Float64Array;
  cvaUnilateral: Float64Array;
  dvaUnilateral: Float64Array;
  fca: Float64Array;
  fba: Float64Array;
  colva: Float64Array;
}

export function setWeights(times: Float64Array, credit: CounterpartyCredit, inputs: CreditInputs, options: XvaOptions, collateralCurrency: Currency | undefined): SetWeights {
  const c = credit.curve;
  const own = inputs.own ?? NO_DEFAULT;
  const lgdC = 1 - credit.recovery;
  const lgdB = inputs.own ? 1 - inputs.own.recovery : 0;
  const scale = (w: Float64Array, f: number): Float64Array => w.map((x) => x * f);
  const { discretisation, mode } = options;
  const funding = fundingWeights(times, c, inputs.own, discretisation);
  const collSpreadBp = collateralCurrency !== undefined ? inputs.collateralSpreadBp(collateralCurrency) : 0;
  return {
    cva: scale(defaultWeights(times, c, own, mode, discretisation), lgdC),
    dva: scale(defaultWeights(times, own, c, mode, discretisation), lgdB),
    cvaUnilateral: scale(defaultWeights(times, c, undefined, 'unilateral', discretisation), lgdC),
    dvaUnilateral: scale(defaultWeights(times, own, undefined, 'unilateral', discretisation), lgdB),
    fca: scale(funding, inputs.funding.borrowSpreadBp * 1e-4),
    fba: scale(funding, inputs.funding.lendSpreadBp * 1e-4),
    colva: scale(funding, collSpreadBp * 1e-4),
  };
}

export function zeroFigures(): XvaFigures {
  return { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0 };
}

/** into += x, figure by figure (the order every book and counterparty sum of the XVA tables is added in). */
export function addFigures(into: XvaFigures, x: XvaFigures): void {
  into.cva += x.cva;
  into.dva += x.dva;
  into.fca += x.fca;
  into.fba += x.fba;
  into.colva += x.colva;
}

/** XVA of every netting set, counterparty (sums of its sets) and the book, and the Euler allocation to trades. */
export function computeXva(sets: readonly ExposureSet[], inputs: CreditInputs, options: XvaOptions, withTrades = true): XvaResult {
  const nettingSets: NettingSetXva[] = [];
  const trades: TradeXva[] = [];
  const cps = new Map<string, CounterpartyXva>();
  const book = { ...zeroFigures(), cvaStdError: 0 };
  for (const s of sets) {
    const credit = inputs.counterparties.get(s.counterpartyId);
    if (!credit) throw new Error(`no credit curve resolved for counterparty ${s.counterpartyId}`);
    const w = setWeights(s.times, credit, inputs, options, s.collateralCurrency);
    let se = 0;
    for (let k = 0; k < w.cva.length; k++) se += Math.abs(w.cva[k]!) * s.epeStdError[k]!;
    const figures: NettingSetXva = {
      nettingSetId: s.nettingSetId,
      counterpartyId: s.counterpartyId,
      credit,
      cva: weightedSum(w.cva, s.epe),
      dva: weightedSum(w.dva, s.ene),
      // funding on the exposure after VM only: the segregated IM held funds nothing (ExposureSet.epeVm)
      fca: weightedSum(w.fca, s.epeVm),
      // and on the liability after VM only: the IM the bank posted covers the counterparty's claim, not its funding
      fba: weightedSum(w.fba, s.eneVm),
      colva: weightedSum(w.colva, s.collateralVm),
      cvaUnilateral: weightedSum(w.cvaUnilateral, s.epe),
      dvaUnilateral: weightedSum(w.dvaUnilateral, s.ene),
      cvaStdError: se,
    };
    nettingSets.push(figures);
    let cp = cps.get(s.counterpartyId);
    if (!cp) cps.set(s.counterpartyId, (cp = { counterpartyId: s.counterpartyId, credit, nettingSetIds: [], ...zeroFigures(), cvaStdError: 0 }));
    cp.nettingSetIds.push(s.nettingSetId);
    addFigures(cp, figures);
    cp.cvaStdError += se; // conservative: sets' errors taken as perfectly correlated
    addFigures(book, figures);
    book.cvaStdError += se;
    if (!withTrades) continue;
    const nDates = s.times.length;
    for (let i = 0; i < s.tradeIds.length; i++) {
      const o = i * nDates;
      // Euler: the set's ColVA is a function of the collateral, not of one trade's value; it is allocated to the
      // trades in proportion to their |CVA| + |DVA| (allocateColva; a documented convention, docs/xva.md).
      trades.push({
        tradeId: s.tradeIds[i]!,
        nettingSetId: s.nettingSetId,
        counterpartyId: s.counterpartyId,
        cva: weightedSum(w.cva, s.tradeEpe, o),
        dva: weightedSum(w.dva, s.tradeEne, o),
        fca: weightedSum(w.fca, s.tradeEpeVm, o),
        fba: weightedSum(w.fba, s.tradeEneVm, o),
        colva: 0,
      });
    }
    allocateColva(trades.slice(trades.length - s.tradeIds.length), figures.colva);
  }
  return { options, nettingSets, counterparties: [...cps.values()], trades, book };
}

/** ColVA to trades in proportion to |CVA| + |DVA| allocations (equal shares when all are 0); sums to the set's. */
function allocateColva(trades: TradeXva[], colva: number): void {
  if (colva === 0 || trades.length === 0) return;
  let total = 0;
  for (const t of trades) total += Math.abs(t.cva) + Math.abs(t.dva);
  for (const t of trades) t.colva = total > 0 ? (colva * (Math.abs(t.cva) + Math.abs(t.dva))) / total : colva / trades.length;
}

/**
 * The exposure sets of an engine run at its base coverage and at each coverage variant it re-aggregated
 * (SimulationOptions.coverageVariants), keyed by coverage: what stress.ts's coverage scenarios read.
 */
export function coverageSetsOf(result: SimulationResult, baseCoverage: number, sets: ExposureSet[], collateralCurrency?: (nettingSetId: string) => Currency | undefined): Map<number, ExposureSet[]> {
  const out = new Map<number, ExposureSet[]>([[baseCoverage, sets]]);
  for (const v of result.coverageVariants ?? []) {
    if (!out.has(v.coverage)) out.set(v.coverage, exposureSetsOf({ ...result, nettingSets: v.nettingSets, counterparties: v.counterparties, book: v.book }, collateralCurrency));
  }
  return out;
}

/** The exposure sets of an engine run (collateral currency from the portfolio's netting sets, when given). */
export function exposureSetsOf(result: SimulationResult, collateralCurrency?: (nettingSetId: string) => Currency | undefined): ExposureSet[] {
  return result.nettingSets.map((s) => {
    const ccy = collateralCurrency?.(s.nettingSetId);
    return {
      nettingSetId: s.nettingSetId,
      counterpartyId: s.counterpartyId,
      times: s.profile.times,
      epe: s.profile.epe,
      ene: s.profile.ene,
      collateral: s.profile.collateral,
      epeVm: s.profile.epeVm,
      collateralVm: s.profile.collateralVm,
      eneVm: s.profile.eneVm,
      epeStdError: s.profile.epeStdError,
      ...(ccy !== undefined ? { collateralCurrency: ccy } : {}),
      tradeIds: s.tradeIds,
      tradeEpe: s.tradeEpe,
      tradeEne: s.tradeEne,
      tradeEpeVm: s.tradeEpeVm,
      tradeEneVm: s.tradeEneVm,
    };
  });
}
