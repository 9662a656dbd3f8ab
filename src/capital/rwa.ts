/**
 * Risk-weighted assets of counterparty credit risk and the capital they consume: RWA = EAD × RW per netting set,
 * capital = RWA × the market's `capital.capitalRatio`, and the change of the bank's CET1 ratio when the book's RWA is
 * added to `capital.bankRwa` (with `capital.bankCet1`).
 *
 * Risk weight of a netting set, first that applies:
 * 1. the counterparty file's `risk_weight` override;
 * 2. CRE54.14: 2% for trade exposures to a qualifying CCP (a cleared netting set of a `qccp` counterparty);
 * 3. CRE20 standardised risk weights by the counterparty's sector and rating (`standardisedRiskWeight`). A cleared
 *    netting set with a non-qualifying CCP is a bilateral exposure (CRE54.41).
 */
import type { Market } from '../market/types.js';
import type { Counterparty, Rating, Sector } from '../portfolio/types.js';
import { SACCR_PARAMETERS } from './saccr/parameters.js';
import type { SaccrResult } from './saccr/types.js';

/** Basel III (Dec 2017) standardised approach, consolidated as CRE20. Rating: external, without notches. */
export type RiskWeightTable = Record<Rating, number>;

/** CRE20.7 (Table 1): sovereigns and their central banks. */
export const SOVEREIGN_RISK_WEIGHTS: RiskWeightTable = { AAA: 0, AA: 0, A: 0.2, BBB: 0.5, BB: 1, B: 1, CCC: 1.5, NR: 1 };
/** CRE20.11 (Table 3, option 2: the PSE's own rating) for public sector entities and local governments. */
export const PSE_RISK_WEIGHTS: RiskWeightTable = { AAA: 0.2, AA: 0.2, A: 0.5, BBB: 0.5, BB: 1, B: 1, CCC: 1.5, NR: 0.5 };
/**
 * CRE20.17 (Table 4, ECRA) for banks; an unrated bank takes the SCRA grade (CRE20.18-21) given in the options,
 * Grade A 40%, B 75% (default: the file carries no SCRA assessment), C 150%.
 */
export const BANK_RISK_WEIGHTS: Omit<RiskWeightTable, 'NR'> = { AAA: 0.2, AA: 0.2, A: 0.3, BBB: 0.5, BB: 1, B: 1, CCC: 1.5 };
export const SCRA_RISK_WEIGHTS = { A: 0.4, B: 0.75, C: 1.5 } as const;
/** CRE20.42 (Table 10): general corporates. */
export const CORPORATE_RISK_WEIGHTS: RiskWeightTable = { AAA: 0.2, AA: 0.2, A: 0.5, BBB: 0.75, BB: 1, B: 1.5, CCC: 1.5, NR: 1 };

export interface RiskWeightOptions {
  /** SCRA grade of unrated financial counterparties (CRE20.18-21). Default B. */
  unratedBankGrade?: keyof typeof SCRA_RISK_WEIGHTS;
}

export type RiskWeightSource = 'override' | 'qccp' | 'sovereign' | 'pse' | 'bank' | 'bank_scra' | 'corporate';

/** CRE20 risk weight of a counterparty by sector and rating ('financial' as a bank, the other sectors corporates). */
export function standardisedRiskWeight(sector: Sector, rating: Rating, options: RiskWeightOptions = {}): { riskWeight: number; source: RiskWeightSource } {
  switch (sector) {
    case 'sovereign':
      return { riskWeight: SOVEREIGN_RISK_WEIGHTS[rating], source: 'sovereign' };
    case 'local_government':
      return { riskWeight: PSE_RISK_WEIGHTS[rating], source: 'pse' };
    case 'financial':
      if (rating === 'NR') return { riskWeight: SCRA_RISK_WEIGHTS[options.unratedBankGrade ?? 'B'], source: 'bank_scra' };
      return { riskWeight: BANK_RISK_WEIGHTS[rating], source: 'bank' };
    default:
      return { riskWeight: CORPORATE_RISK_WEIGHTS[rating], source: 'corporate' };
  }
}

/** The risk weight of a netting set of `counterparty` (module comment for the order). */
export function nettingSetRiskWeight(counterparty: Counterparty, qccpTradeExposure: boolean, options: RiskWeightOptions = {}): { riskWeight: number; source: RiskWeightSource } {
  if (counterparty.riskWeight !== undefined) return { riskWeight: counterparty.riskWeight, source: 'override' };
  if (qccpTradeExposure) return { riskWeight: SACCR_PARAMETERS.qccpRiskWeight, source: 'qccp' };
  return standardisedRiskWeight(counterparty.sector, counterparty.rating, options);
}

export interface NettingSetRwa {
  nettingSetId: string;
  counterpartyId: string;
  ead: number;
  riskWeight: number;
  riskWeightSource: RiskWeightSource;
  rwa: number;
  capital: number;
}

export interface Cet1Impact {
  bankRwa: number;
  bankCet1: number;
  ratioBefore: number;
  ratioAfter: number;
  /** (ratioAfter − ratioBefore) × 10,000: negative when the book consumes capital. */
  impactBp: number;
}

export interface RwaResult {
  capitalRatio: number;
  nettingSets: NettingSetRwa[];
  byCounterparty: { counterpartyId: string; ead: number; rwa: number; capital: number }[];
  totalRwa: number;
  totalCapital: number;
  /** Present when the market gives both `bankRwa` and `bankCet1`. */
  cet1?: Cet1Impact;
}

/** CET1 ratio before and after adding `bookRwa` to the bank's RWA, and the change in bp. */
export function cet1Impact(bankRwa: number, bankCet1: number, bookRwa: number): Cet1Impact {
  const ratioBefore = bankCet1 / bankRwa;
  const ratioAfter = bankCet1 / (bankRwa + bookRwa);
  return { bankRwa, bankCet1, ratioBefore, ratioAfter, impactBp: (ratioAfter - ratioBefore) * 1e4 };
}

/**
 * RWA and capital of every netting set of an SA-CCR result; the market's capital section gives the ratio (it is an
 * error when the market file has none).
 */
export function computeRwa(saccr: SaccrResult, counterparties: readonly Counterparty[], market: Pick<Market, 'capital'>, options: RiskWeightOptions = {}): RwaResult {
  const capital = market.capital;
  const byId = new Map(counterparties.map((c) => [c.counterpartyId, c]));
  const nettingSets: NettingSetRwa[] = [];
  const byCounterparty = new Map<string, { counterpartyId: string; ead: number; rwa: number; capital: number }>();
  let totalRwa = 0;
  for (const ns of saccr.nettingSets) {
    const cp = byId.get(ns.counterpartyId);
    if (!cp) throw new Error(`netting set ${ns.nettingSetId}: counterparty ${ns.counterpartyId} is not in the counterparties`);
    const { riskWeight, source } = nettingSetRiskWeight(cp, ns.qccpTradeExposure, options);
    const rwa = ns.ead * riskWeight;
    const row: NettingSetRwa = { nettingSetId: ns.nettingSetId, counterpartyId: ns.counterpartyId, ead: ns.ead, riskWeight, riskWeightSource: source, rwa, capital: rwa * capital.capitalRatio };
    nettingSets.push(row);
    const agg = byCounterparty.get(cp.counterpartyId) ?? { counterpartyId: cp.counterpartyId, ead: 0, rwa: 0, capital: 0 };
    agg.ead += row.ead;
    agg.rwa += row.rwa;
    agg.capital += row.capital;
    byCounterparty.set(cp.counterpartyId, agg);
    totalRwa += rwa;
  }
  const result: RwaResult = {
    capitalRatio: capital.capitalRatio,
    nettingSets,
    byCounterparty: [...byCounterparty.values()],
    totalRwa,
    totalCapital: totalRwa * capital.capitalRatio,
  };
  if (capital.bankRwa !== undefined && capital.bankCet1 !== undefined) result.cet1 = cet1Impact(capital.bankRwa, capital.bankCet1, totalRwa);
  return result;
}
