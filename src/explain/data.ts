/**
 * The engine's results as `xva explain` reads them, whatever their origin (the tables of earlier runs, `--results
 * DIR`, or runs made now through the library): plain numbers per book, counterparty, netting set, scenario and
 * action, in the units the engine wrote them. facts.ts turns them into Facts; the report's tables and charts read the
 * facts and, for profiles, the arrays here. A part that is absent is `undefined` and listed in `missing`.
 */

export interface XvaFiguresRow {
  cva: number;
  dva: number;
  fca: number;
  fba: number;
  colva: number;
}

/** A netting set's move under a stress scenario, base currency: scenario − base. */
export interface ScenarioSetMove {
  nettingSetId: string;
  counterpartyId: string;
  dCva: number;
  dFva: number;
}

export interface XvaPart {
  /** Base currency; CVA, FCA, ColVA costs, DVA and FBA benefits (positive amounts). */
  book: XvaFiguresRow & { cvaStdError: number };
  /** Ranked by CVA, largest first (ties by id). */
  counterparties: (XvaFiguresRow & { counterpartyId: string; shareOfBookCva: number })[];
  nettingSets: (XvaFiguresRow & { nettingSetId: string; counterpartyId: string })[];
  /** Euler CVA of each trade (trade-level: leaves the machine only with --share trade-level). */
  trades: { tradeId: string; nettingSetId: string; counterpartyId: string; cva: number }[];
  /**
   * Book figures under each stress scenario (the base row excluded); `note` says when it was not applied.
   * `nettingSets`: each netting set's change against the base, CVA and FVA (FCA − FBA + ColVA), when the run wrote
   * xva_scenarios_netting_set (every `xva cva|fva --scenarios` run does).
   */
  scenarios: { scenario: string; book: XvaFiguresRow; note: string | null; nettingSets?: ScenarioSetMove[] }[];
  /**
   * Parallel credit sensitivities (xva_cs01 of `xva cva --cs01`), per +1bp, base currency: each counterparty's CVA
   * change for its own curve, and the book's DVA change for the own curve. Absent when the run wrote no xva_cs01.
   */
  cs01?: { counterparties: { counterpartyId: string; creditCurve: string; cva: number }[]; ownDva: number | null };
  /** The run's options (xva_book): 'mid'|'end', 'unilateral'|'bilateral'|'first-to-default'. */
  discretisation: string;
  mode: string;
  source: string;
}

export interface ExposureProfile {
  nettingSetId: string;
  counterpartyId: string;
  timeYears: Float64Array;
  epe: Float64Array;
  ene: Float64Array;
  pfe: Float64Array;
  /** Basel effective EPE (CRE53: time average of effective EE over the first year), from the engine. */
  eepe: number;
  /** Whether the netting set is under a CSA (netting_set_summary:collateralised); absent when the table does not say. */
  collateralised?: boolean;
  peakEpe: number;
  peakPfe: number;
}

export interface ExposurePart {
  nettingSets: ExposureProfile[];
  paths?: number;
  /** The simulate run's draws, from the manifest.json beside its tables (absent: not known). */
  rng?: 'philox' | 'sobol';
  source: string;
}

export interface CapitalPart {
  book: {
    ead: number;
    rwaCcr: number;
    capitalCcr: number;
    baCva: number;
    capitalCva: number;
    capital: number;
    /** Fraction (0.105). */
    capitalRatio: number;
    kva: number | null;
    /** Change of the bank's CET1 ratio from this book's RWA, bp (negative: the ratio falls). */
    cet1ImpactBp: number | null;
    cvaMethod: string;
  };
  counterparties: { counterpartyId: string; ead: number; rwa: number; capital: number; baCvaScva: number; kva: number | null }[];
  scenarios: { scenario: string; capital: number; kva: number | null }[];
  source: string;
}

export interface MarginPart {
  /** IM and MVA in USD (SIMM's calculation currency); VM in each CSA's collateral currency. */
  nettingSets: {
    nettingSetId: string;
    imModel: string;
    simmCollect: number | null;
    simmPost: number | null;
    scheduleCall: number | null;
    schedulePost: number | null;
    /** Collateral currency of the CSA: the VM figures below are in it. */
    collateralCurrency: string | null;
    /** Credit support amount today (received positive), collateral currency. */
    vmRequired: number | null;
    /** Margin call today (> 0: the counterparty delivers), collateral currency. */
    marginCall: number | null;
    /** Whether the call started from a VM balance on file (null: not recorded, e.g. tables of an older run). */
    balanceOnFile: boolean | null;
    mva: number | null;
    /** What the MVA funds (`mva_source`: dim, schedule, initial_margin_posted); null without one or in older tables. */
    mvaSource?: string | null;
  }[];
  /** Collateral coverage scenarios: the residual exposure summed over netting sets, USD. */
  scenarios: { scenario: string; coverage: number; residualBase: number; residualStressed: number }[];
  /** The MVA under the scenarios (margin_mva_scenarios), summed over the netting sets with one, USD; empty without. */
  mvaScenarios: { scenario: string; mva: number; mvaStressed: number }[];
  source: string;
}

export interface RecommendationPart {
  actionId: string;
  lever: string;
  description: string;
  chosen: boolean;
  /** Why the optimiser did not choose it (`does not pay`, `limit maxUnwinds`, `conflicts with …`); null when chosen or not recorded. */
  skipReason: string | null;
  rank: number | null;
  dCva: number;
  /** DVA change (reported; not a saving of the objective: own credit). Null when the table has no d_dva. */
  dDva: number | null;
  dFva: number;
  dMva: number;
  dKva: number;
  dEad: number;
  dCapital: number;
  dCet1Bp: number;
  cost: number;
  netBenefit: number;
  worstScenario: string | null;
  worstScenarioBenefit: number | null;
  counterpartyIds: string[];
  nettingSetIds: string[];
}

export interface OptimizePart {
  recommendations: RecommendationPart[];
  /** The plan: realised (re-measured on the amended book) when measured, else the sum of its actions. */
  plan: { source: 'realised' | 'estimated'; saving: number; savingPctOfXva: number; savingBpOfGrossNotional: number; dCva: number; dFva: number; dKva: number; dCapital: number; /** absent in an older plan.arrow */ dMva?: number } | null;
  paths?: number;
  source: string;
}

/**
 * What a stress scenario of the runs shocks (its YAML file's `shocks`, docs/scenarios.md), so that prose may say a
 * stress in words with its size ("every credit spread 100bp wider"): from the files the runs made now read, or with
 * `--results` the folder given with `--scenarios` (the tables do not record the shocks).
 */
export interface ScenarioShockPart {
  scenario: string;
  /** Parallel shift of every counterparty, reference-name and proxy CDS spread, bp. */
  creditSpreadBp?: number;
  /** Parallel shift of the bank's own CDS spreads, bp. */
  ownCreditSpreadBp?: number;
  /** Shift of the borrow and lend funding spreads of every currency, bp. */
  fundingSpreadBp?: number;
  /** Multiplier of the required VM and IM actually held (0.5 = half). */
  collateralCoverage?: number;
  /** Decimal added to the capital ratio (0.01 = one percentage point of RWA). */
  capitalRatioAdd?: number;
  /** The scenario file, for the facts' source. */
  file: string;
}

export interface ExplainData {
  /** ISO date of the results, when known. */
  asOf: string | null;
  /** Base currency of the XVA and capital figures. */
  currency: string;
  exposure?: ExposurePart;
  xva?: XvaPart;
  capital?: CapitalPart;
  margin?: MarginPart;
  optimize?: OptimizePart;
  /** The shocks of the stress scenarios the results hold, when the scenario files are known; absent otherwise. */
  scenarioShocks?: ScenarioShockPart[];
  /** Parts not available and why, in words (said in the report, never filled in). */
  missing: string[];
  notes: string[];
}
