/**
 * CVA sensitivities for SA-CVA (MAR50.47-50.52) by bump and revalue with common random numbers: every bumped run
 * re-simulates the book with the same seed, grid and paths (each run in-process; side by side on worker threads with
 * `parallel`, bumpPool.ts), and
 * the book's unilateral CVA is recomputed with computeXva.
 * - IR delta (MAR50.47): zero rates of every curve of a currency (OIS discount and projection) shifted by 1bp; for a
 *   MAR50.55 specified currency one triangular bump per tenor 1Y, 2Y, 5Y, 10Y, 30Y (they add up to a parallel
 *   shift), else one parallel bump. Sensitivity = ΔCVA / 0.0001. One simulation per bump. The credit spreads are held:
 *   every credit curve bootstrapped on the currency's OIS curve (counterparty, proxy, CDS reference name) is
 *   bootstrapped again from its par spreads on the bumped one (market/bumps.ts irBumpedMarket), in the simulation and in
 *   the CVA (bumpCredit.ts); a currency only such a curve is quoted in has its IR delta too (no vega, FX).
 * - FX delta (MAR50.49): the currency's spot against the base currency × 1.01. Sensitivity = ΔCVA / 0.01. One
 *   simulation per non-base currency of the book's trades and of its netting sets' collateral.
 * - Counterparty credit delta (MAR50.65): the counterparty curve's spread at one MAR50 tenor (0.5Y, 1Y, 3Y, 5Y,
 *   10Y) + 1bp: every quote moved by its hat weight around that tenor (`tenorBumps`), the curve bootstrapped again;
 *   exposure unchanged (no simulation). Sensitivity = ΔCVA / 0.0001.
 * - IR vega (MAR50.48, 50.58): every volatility of the currency × 1.01 (MAR50.48: a relative 1% shift of the
 *   implied vols): the Hull-White sigmas (given or calibrated) and the swaption quote vols (shift unchanged). The
 *   HW normal swaption vol is linear in sigma, so sigma × 1.01 is the 1% relative shift of the model's implied vols.
 *   Risk factor IRVolatility, bucket = currency. Sensitivity = ΔCVA / 0.01. One simulation per currency.
 * - FX vega (MAR50.48, 50.60): fxVol(a, b, t) × 1.01 for every pair with the currency on one side. Risk factor
 *   FXVolatility, bucket = currency. ΔCVA / 0.01. One simulation per non-base currency.
 * - Equity delta (MAR50.47, 50.70): the spot of every equity of the bucket × 1.01, ΔCVA / 0.01; equity vega (MAR50.48):
 *   every vol of those equities × 1.01, ΔCVA / 0.01. Risk factors EquitySpot / EquityVolatility, one per bucket (MAR50.71).
 *   Bucket (`equityBucket`): the caller's `equityBuckets[name]`; else the name's `sacva_bucket` in `referenceEntities`
 *   (1 … 13); else an index in `referenceEntities` → 12 (qualified
 *   index); else 11 (MAR50.70: a name that cannot be assigned — no size, region or sector data — goes to "other
 *   sector"). Two simulations per bucket the book trades.
 * - Reference credit delta (MAR50.47, 50.66): every CDS reference name of the bucket, all its quoted par spreads + 1bp
 *   (parallel), curve bootstrapped again (xva/credit.ts shockedCurve); MAR50.47's definition: all names of the
 *   bucket shifted together. ΔCVA / 0.0001, risk factor ReferenceCreditSpread. One simulation per bucket. Bucket
 *   (`referenceCreditBucket`): the caller's `referenceCreditBuckets[name]`; else the name's `sacva_bucket` in
 *   `referenceEntities`; else a counterparty whose id or cds_curve
 *   is the name: its sector (sovereign 1, local government 2, financial 3, basic materials 4, consumer 5,
 *   technology 6, health care 7; other → 15) and credit quality (AAA-BBB IG, else HY/NR: bucket + 7); else a
 *   credit index in `referenceEntities` → 16 (grade IG) or 17 (SG); else 15 (other sector: sector unknown).
 * - Out of scope (MAR50.5): the netting sets of a qualifying CCP (`qccp`): no credit bump, and their CVA is in no sum
 *   (base or bumped), so the base CVA is the book's without them.
 * - Eligible hedges (MAR50.37-50.39): a live bought CDS in the book on a counterparty's name (its id or cds_curve), the
 *   single-name hedges BA-CVA recognises (capital/run.ts cdsHedges). Each gives CvaHedge records on the
 *   counterparty's credit spread factors: ΔV / 0.0001 of its value (in the base currency, as the pricer values it
 *   under its netting set's CSA) with the curve it is priced on bumped as the counterparty's credit delta bumps it
 *   (`tenorBumps`), so that MAR50.53's WS_k = RW_k·(s_k^CVA − s_k^hdg) nets it (types.ts: the net
 *   sensitivity is CvaAggregate − CvaHedge; bought protection gains as the spread widens, as the CVA does). Not
 *   recognised here: index CDS hedges (bucket 8) and hedges of the exposure component (a note says so when the book
 *   has index hedges).
 * Not computed: reference credit vega (the CDS pricer has no spread vol) and inflation.
 */
import { XvaInputError, XvaUsageError } from '../errors.js';
import { runBumpsInWorkers } from './bumpPool.js';
import { runSimulation, factorNeeds, type SimulationOptions } from '../exposure/engine.js';
import type { EquityData, HazardCurve, HullWhiteParams, Market, SwaptionVolSurface, YieldCurve } from '../market/types.js';
import type { Counterparty, Portfolio } from '../portfolio/types.js';
import { hedgeNameMap, hedgedCounterparty } from './hedges.js';
import type { Currency } from '../products/types.js';
import { computeXva, exposureSetsOf, type ExposureSet, type XvaOptions } from '../xva/compute.js';
import { weightedShockedCurve, type CreditInputs } from '../xva/credit.js';
import { bumpedCreditInputs, creditCurveCurrencies } from './bumpCredit.js';
import { hatWeight } from '../math/hat.js';
import {
  applyMarketBump,
  equityBumpedMarket,
  fxBumpedMarket,
  fxVolBumpedMarket,
  irBumpedMarket,
  irVolBumpedMarket,
  referenceCreditBumpedMarket,
  tenorBumpWeight,
  type MarketBump,
} from '../market/bumps.js';

export { equityBumpedMarket, fxBumpedMarket, fxVolBumpedMarket, irBumpedMarket, irVolBumpedMarket, referenceCreditBumpedMarket, tenorBumpWeight, type MarketBump };
import type { SaccrReferenceEntity } from './saccr/types.js';
import { priceTrade } from '../pricing/index.js';
import { overlay } from '../market/bumps.js';
import { SA_CVA_PARAMETERS, type SaCvaCreditName, type SaCvaSensitivity } from './sacva/index.js';

const IR_TENOR_LABELS = ['1Y', '2Y', '5Y', '10Y', '30Y'];
const CREDIT_TENOR_YEARS = [0.5, 1, 3, 5, 10];
const CREDIT_TENOR_LABELS = ['0.5Y', '1Y', '3Y', '5Y', '10Y'];
const BP = 1e-4;
const FX_RELATIVE = 0.01;
/** MAR50.48: vega = ΔCVA for a relative 1% shift of the vols, / 0.01; MAR50.47: equity spot × 1.01, / 0.01. */
const VOL_RELATIVE = 0.01;
const EQ_RELATIVE = 0.01;
const IG_RATINGS = ['AAA', 'AA', 'A', 'BBB'];

/** MAR50.70 equity bucket of a name (rule in the module comment). */
export function equityBucket(name: string, explicit?: Readonly<Record<string, string>>, entities?: readonly SaccrReferenceEntity[]): string {
  const given = explicit?.[name];
  if (given !== undefined) return given;
  const entity = entities?.find((e) => e.name === name);
  if (entity?.saCvaBucket !== undefined) {
    if (Number(entity.saCvaBucket) > 13) {
      throw new XvaInputError([{ file: 'reference_entities', column: 'sacva_bucket', value: entity.saCvaBucket, expected: `an SA-CVA equity bucket 1 … 13 (MAR50.70) for ${name}, an equity underlying of the book` }]);
    }
    return entity.saCvaBucket;
  }
  return entity?.isIndex ? '12' : '11';
}

/** MAR50.66 reference credit bucket of a CDS reference name (rule in the module comment). */
export function referenceCreditBucket(
  name: string,
  counterparties: readonly Counterparty[],
  explicit?: Readonly<Record<string, string>>,
  entities?: readonly SaccrReferenceEntity[],
): string {
  const given = explicit?.[name] ?? entities?.find((e) => e.name === name)?.saCvaBucket;
  if (given !== undefined) return given;
  const cp = counterparties.find((c) => c.cdsCurve === name) ?? counterparties.find((c) => c.counterpartyId === name);
  if (cp) {
    const sectors: Record<Counterparty['sector'], number> = { sovereign: 1, local_government: 2, financial: 3, basic_materials: 4, consumer: 5, technology: 6, health_care: 7, other: 15 };
    const b = sectors[cp.sector];
    if (b === 15) return '15';
    return String(IG_RATINGS.includes(cp.rating) ? b : b + 7);
  }
  const e = entities?.find((x) => x.name === name);
  if (e?.isIndex && e.grade) return e.grade === 'IG' ? '16' : '17';
  return '15';
}

/**
 * MAR50.65's credit spread tenor bumps of a curve: at each tenor 0.5Y, 1Y, 3Y, 5Y, 10Y, every quote moved by the hat
 * weight of its tenor (1bp at a quote on that tenor, linear to 0 at the neighbouring tenors, flat beyond 0.5Y and 10Y:
 * a 7Y quote moves 0.6bp in the 5Y bump and 0.4bp in the 10Y one), the curve bootstrapped again; the tenors that move
 * no quote are left out. The bumps add up to a parallel 1bp.
 */
function tenorBumps(curve: HazardCurve, market: Market, cache: Map<HazardCurve, YieldCurve>, notes: string[]): { label: string; curve: HazardCurve }[] {
  const out: { label: string; curve: HazardCurve }[] = [];
  for (let j = 0; j < CREDIT_TENOR_YEARS.length; j++) {
    const shifts = Array.from(curve.quoteTenorsYears, (t) => hatWeight(CREDIT_TENOR_YEARS, j, t));
    if (shifts.every((w) => w === 0)) continue;
    out.push({ label: CREDIT_TENOR_LABELS[j]!, curve: weightedShockedCurve(curve, market, shifts, cache, `bumped 1bp at ${CREDIT_TENOR_LABELS[j]} (MAR50.65)`, notes) });
  }
  return out;
}

/** MAR50.65 bucket of a counterparty's sector (1a sovereign, 1b local government, 2 financial, ... 7 other). */
export function counterpartyCreditBucket(sector: Counterparty['sector']): string {
  const map: Record<Counterparty['sector'], string> = { sovereign: '1a', local_government: '1b', financial: '2', basic_materials: '3', consumer: '4', technology: '5', health_care: '6', other: '7' };
  return map[sector];
}

function groupBy(names: readonly string[], key: (n: string) => string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of names) {
    const k = key(n);
    const list = m.get(k);
    if (list) list.push(n);
    else m.set(k, [n]);
  }
  return new Map([...m].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })));
}

export interface SensitivityRun {
  records: SaCvaSensitivity[];
  creditNames: Record<string, SaCvaCreditName>;
  /** Engine runs made (one per IR, FX, vol, equity and reference-credit bump; the base run is the caller's). */
  simulations: number;
  baseCva: number;
  bumps: { factor: string; cva: number }[];
}

export interface SensitivityInputs {
  portfolio: Portfolio;
  market: Market;
  simulation: Omit<SimulationOptions, 'threads'>;
  /**
   * Run the bumps on worker threads (bumpPool.ts), each loading the book from these files (those `portfolio` and
   * `market` were loaded from) and re-simulating `nettingSetIds` (null: the whole portfolio). Absent or threads 1:
   * in-process. The figures are the same bits either way.
   */
  parallel?: { threads: number; portfolioDir: string; marketFile: string; nettingSetIds: string[] | null };
  credit: CreditInputs;
  xva: XvaOptions;
  /** The base run's exposure (reused for the credit bumps). */
  baseSets: readonly ExposureSet[];
  /** MAR50.70 bucket of an equity name (overrides the default rule). */
  equityBuckets?: Readonly<Record<string, string>>;
  /** MAR50.66 bucket of a CDS reference name (overrides the default rule). */
  referenceCreditBuckets?: Readonly<Record<string, string>>;
  /** reference_entities rows: an equity or credit index is recognised from here. */
  referenceEntities?: readonly SaccrReferenceEntity[];
  onProgress?: (text: string) => void;
}

/** One engine bump of the plan: the bumped market and how its ΔCVA becomes a CvaAggregate record. */
export interface SimulatedBump {
  /** Label (SensitivityRun.bumps, the shards' component tables). */
  factor: string;
  progress: string;
  riskType: SaCvaSensitivity['riskType'];
  riskFactor: string;
  bucket: string;
  marginType: SaCvaSensitivity['marginType'];
  /** ΔCVA / divisor: 0.0001 for 1bp shifts, 0.01 for relative 1% shifts. */
  divisor: number;
  /** The bump as data (worker threads rebuild the bumped market from it) and the bumped market. */
  bump: MarketBump;
  market: Market;
}

/** One counterparty credit bump (MAR50.65): no simulation, its sets' CVA again on the shocked curve. */
export interface CreditBump {
  factor: string;
  counterpartyId: string;
  riskFactor: string;
  bucket: string;
  curve: HazardCurve;
}

/** Every bump of a sensitivity run, in the order of its records, and the MAR50.65 credit names. */
export interface SensitivityPlan {
  simulated: SimulatedBump[];
  credit: CreditBump[];
  creditNames: Record<string, SaCvaCreditName>;
  /** Counterparties out of the scope of CVA capital (MAR50.5: qualifying CCPs): their sets are in no sum. */
  excludedCounterparties: ReadonlySet<string>;
  /** CvaHedge records of the book's eligible single-name CDS hedges (module comment), one per risk factor. */
  hedges: SaCvaSensitivity[];
  /** A tenor bump that floors a later interval's hazard at 0 (quotes near 0bp: xva/credit.ts tenorShockedCurve), once each. */
  notes: string[];
}

export interface SensitivityPlanInputs {
  portfolio: Portfolio;
  market: Market;
  credit: CreditInputs;
  /** Counterparties with a simulated netting set (credit bumps and names only for these). */
  exposedCounterparties: ReadonlySet<string>;
  equityBuckets?: Readonly<Record<string, string>>;
  referenceCreditBuckets?: Readonly<Record<string, string>>;
  referenceEntities?: readonly SaccrReferenceEntity[];
}

/**
 * The bumps of the book (rules in the module comment): the engine bumps from the factors the whole portfolio's trades
 * need (also when only some netting sets are simulated, as in a shard), the credit bumps of the exposed counterparties.
 */
export function sensitivityPlan(input: SensitivityPlanInputs): SensitivityPlan {
  const { portfolio, market, credit } = input;
  const simulated: SimulatedBump[] = [];
  const engine = (factor: string, progress: string, bump: MarketBump, riskType: SimulatedBump['riskType'], riskFactor: string, bucket: string, divisor: number, marginType: SimulatedBump['marginType'] = 'Delta') =>
    simulated.push({ factor, progress, riskType, riskFactor, bucket, marginType, divisor, bump, market: applyMarketBump(market, bump) });
  const specified = new Set(SA_CVA_PARAMETERS.interestRate.specifiedCurrencies);
  // MAR50.5: a qualifying CCP's transactions are out of scope (their factors need no bump)
  const excluded = new Set(portfolio.counterparties.filter((c) => c.qccp).map((c) => c.counterpartyId));
  const setCounterparty = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.counterpartyId]));
  const inScope = excluded.size === 0 ? portfolio.trades : portfolio.trades.filter((t) => !excluded.has(setCounterparty.get(t.nettingSetId) ?? t.counterpartyId));
  const { currencies, equities, creditNames: referenceNames } = factorNeeds(inScope);
  // IR delta also of a currency only a credit curve of the book is bootstrapped on: its rates move the hazards
  const irCurrencies = [...new Set([...currencies, ...creditCurveCurrencies(portfolio, market, inScope, setCounterparty, referenceNames)])].sort();
  for (const ccy of irCurrencies) {
    const shapes = specified.has(ccy) || ccy === market.baseCurrency ? IR_TENOR_LABELS.map((_, j) => j) : [-1];
    for (const j of shapes) {
      const label = j < 0 ? 'Parallel' : IR_TENOR_LABELS[j]!;
      engine(`IR ${ccy} ${label}`, `SA-CVA: IR ${ccy} ${label}`, { kind: 'ir', currency: ccy, shift: BP, tenorIndex: j }, 'InterestRate', label, ccy, BP); // MAR50.47: ΔCVA / 0.0001
    }
  }
  // FX delta also of a collateral currency no trade uses: the CSA's amounts (thresholds, MTA, IA, rounding, IM) convert to
  // the base currency at its spot (docs/exposure.md, "Currency"), so the CVA moves with it
  const inScopeSets = portfolio.nettingSets.filter((n) => !excluded.has(n.counterpartyId) && (n.csa || (n.initialMarginHeld ?? 0) !== 0));
  const fxCurrencies = [...new Set([...currencies, ...inScopeSets.map((n) => n.collateralCurrency)])].sort();
  for (const ccy of fxCurrencies) {
    if (ccy === market.baseCurrency) continue;
    engine(`FX ${ccy}`, `SA-CVA: FX ${ccy}`, { kind: 'fx', currency: ccy, relative: FX_RELATIVE }, 'ForeignExchange', 'FXSpot', ccy, FX_RELATIVE); // MAR50.49: ΔCVA / 0.01
  }
  for (const ccy of currencies) {
    // MAR50.48, 50.58: ΔCVA / 0.01
    engine(`IR vol ${ccy}`, `SA-CVA: IR vega ${ccy}`, { kind: 'irVol', currency: ccy, relative: VOL_RELATIVE }, 'InterestRate', 'IRVolatility', ccy, VOL_RELATIVE, 'Vega');
  }
  for (const ccy of currencies) {
    if (ccy === market.baseCurrency) continue;
    // MAR50.48, 50.60: ΔCVA / 0.01
    engine(`FX vol ${ccy}`, `SA-CVA: FX vega ${ccy}`, { kind: 'fxVol', currency: ccy, relative: VOL_RELATIVE }, 'ForeignExchange', 'FXVolatility', ccy, VOL_RELATIVE, 'Vega');
  }
  for (const [bucket, names] of groupBy(equities, (n) => equityBucket(n, input.equityBuckets, input.referenceEntities))) {
    // MAR50.47, 50.70 (spot) and MAR50.48, 50.70 (vol): ΔCVA / 0.01
    engine(`EQ spot bucket ${bucket}`, `SA-CVA: equity bucket ${bucket}`, { kind: 'equity', names, spotRelative: EQ_RELATIVE, volRelative: 0 }, 'Equity', 'EquitySpot', bucket, EQ_RELATIVE);
    engine(`EQ vol bucket ${bucket}`, `SA-CVA: equity bucket ${bucket}`, { kind: 'equity', names, spotRelative: 0, volRelative: VOL_RELATIVE }, 'Equity', 'EquityVolatility', bucket, VOL_RELATIVE, 'Vega');
  }
  const refBucket = (n: string) => referenceCreditBucket(n, portfolio.counterparties, input.referenceCreditBuckets, input.referenceEntities);
  for (const [bucket, names] of groupBy(referenceNames, refBucket)) {
    // MAR50.47, 50.66: ΔCVA / 0.0001
    engine(`reference credit bucket ${bucket}`, `SA-CVA: reference credit bucket ${bucket}`, { kind: 'referenceCredit', names, shiftBp: 1 }, 'CreditReference', 'ReferenceCreditSpread', bucket, BP);
  }

  const creditBumps: CreditBump[] = [];
  const creditNames: Record<string, SaCvaCreditName> = {};
  const byId = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const cache = new Map<HazardCurve, YieldCurve>();
  const notes: string[] = [];
  for (const [id, c] of credit.counterparties) {
    if (!input.exposedCounterparties.has(id) || excluded.has(id)) continue;
    const cp = byId.get(id)!;
    creditNames[id] = { creditQuality: IG_RATINGS.includes(cp.rating) ? 'IG' : 'HY_NR' };
    for (const { label, curve } of tenorBumps(c.curve, market, cache, notes)) {
      // MAR50.65: the spread at one tenor + 1bp, ΔCVA / 0.0001
      creditBumps.push({ factor: `credit ${id} ${label}`, counterpartyId: id, riskFactor: `${id}/${label}`, bucket: counterpartyCreditBucket(cp.sector), curve });
    }
  }
  const hedges = hedgeRecords(portfolio, market, new Set(Object.keys(creditNames)), cache, notes);
  return { simulated, credit: creditBumps, creditNames, excludedCounterparties: excluded, hedges, notes };
}

/**
 * CvaHedge records (module comment) of the book's live bought single-name CDS on the names of `counterparties` (id or
 * cds_curve, as BA-CVA's capital/run.ts cdsHedges): the curve a hedge is priced on bumped at each MAR50 tenor
 * (`tenorBumps`, the same curves as the counterparty's credit bumps when it is that curve), ΔV in the base currency /
 * 0.0001 on that tenor; summed per risk factor in the book's trade order.
 */
export function hedgeRecords(portfolio: Portfolio, market: Market, counterparties: ReadonlySet<string>, cache: Map<HazardCurve, YieldCurve>, notes: string[]): SaCvaSensitivity[] {
  // BA-CVA's rule (capital/hedges.ts hedgedCounterparty) over the whole book, then the hedges of the counterparties in
  // scope: a name shared with an out-of-scope counterparty that comes first hedges that one, as in BA-CVA
  const byName = hedgeNameMap(portfolio.counterparties);
  const byId = new Map(portfolio.counterparties.filter((c) => counterparties.has(c.counterpartyId)).map((c) => [c.counterpartyId, c]));
  const collateralOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const sums = new Map<string, SaCvaSensitivity>();
  for (const t of portfolio.trades) {
    if (t.product !== 'CDS' || t.direction !== 'buy' || t.maturityDate <= market.asOf) continue;
    const id = hedgedCounterparty(t, byName);
    const cp = id === undefined ? undefined : byId.get(id);
    if (!cp) continue;
    const curve = market.creditCurve(t.referenceEntity);
    const ccy = collateralOf.get(t.nettingSetId);
    const value = (m: Market) => priceTrade(t, m, ccy === undefined ? {} : { collateralCurrency: ccy }).npv * m.fxSpot(t.currency, m.baseCurrency);
    const v0 = value(market);
    for (const { label, curve: shocked } of tenorBumps(curve, market, cache, notes)) {
      const bumped = overlay(market, { creditCurve: (name: string) => (name === t.referenceEntity ? shocked : market.creditCurve(name)) });
      const riskFactor = `${cp.counterpartyId}/${label}`;
      const row = sums.get(riskFactor);
      const s = (value(bumped) - v0) / BP; // MAR50.65: one quote + 1bp, ΔV / 0.0001
      if (row) row.value += s;
      else sums.set(riskFactor, { nettingSetId: null, riskType: 'CreditCounterparty', cvaType: 'CvaHedge', marginType: 'Delta', riskFactor, bucket: counterpartyCreditBucket(cp.sector), value: s });
    }
  }
  return [...sums.values()];
}

/**
 * The CVA of every netting set under the base and each bump of a plan: what the book's sensitivities are sums of.
 * A shard computes them for its netting sets, and the merge puts the shards' back together.
 */
export interface CvaComponents {
  /** The netting sets in the order of the book's sums (the base run's order), and their counterparties. */
  nettingSetIds: string[];
  counterpartyIds: string[];
  base: Float64Array;
  /** Per `plan.simulated[i]`: its label and the CVA of every netting set on the bumped market. */
  simulatedFactors: string[];
  simulated: Float64Array[];
  /** Per `plan.credit[i]`: its label and the CVA on the shocked curve of the bumped counterparty's sets (NaN at other sets). */
  creditFactors: string[];
  credit: Float64Array[];
}

const setCvas = (sets: readonly ExposureSet[], c: CreditInputs, xva: XvaOptions): Float64Array => Float64Array.from(computeXva(sets, c, xva, false).nettingSets, (n) => n.cva);

/**
 * The components of `plan` over `baseSets` (each engine bump re-simulates `simulationPortfolio`, default the
 * portfolio, with the same options: common random numbers).
 */
export async function computeCvaComponents(input: SensitivityInputs, plan: SensitivityPlan, simulationPortfolio?: Portfolio): Promise<CvaComponents> {
  const { credit, xva } = input;
  const ccyOf = new Map(input.portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const nettingSetIds = input.baseSets.map((s) => s.nettingSetId);
  const counterpartyIds = input.baseSets.map((s) => s.counterpartyId);
  let simulated: Float64Array[] = [];
  // a bumped run's CVA is read per netting set: no Euler contributions per trade (the sets' figures are the same bits)
  const bumpedRunOptions = { ...input.simulation, tradeContributions: false };
  const parallel = input.parallel && input.parallel.threads > 1 && plan.simulated.length > 1 ? input.parallel : undefined;
  if (parallel) {
    let finished = 0;
    simulated = await runBumpsInWorkers(
      { portfolioDir: parallel.portfolioDir, marketFile: parallel.marketFile, nettingSetIds: parallel.nettingSetIds, counterpartyIds: [...new Set(counterpartyIds)], simulation: bumpedRunOptions, xva },
      plan.simulated.map((b) => b.bump),
      parallel.threads,
      nettingSetIds,
      () => input.onProgress?.(`SA-CVA: ${++finished} of ${plan.simulated.length} bumped runs (${parallel.threads} threads)`),
    );
  } else {
    for (const bump of plan.simulated) {
      input.onProgress?.(bump.progress);
      const r = await runSimulation({ portfolio: simulationPortfolio ?? input.portfolio, market: bump.market, options: { ...bumpedRunOptions, threads: 1 } });
      const sets = exposureSetsOf(r, (id) => ccyOf.get(id));
      if (sets.length !== nettingSetIds.length || sets.some((s, i) => s.nettingSetId !== nettingSetIds[i])) throw new Error(`SA-CVA bump ${bump.factor}: the bumped run valued other netting sets than the base run`);
      simulated.push(setCvas(sets, bumpedCreditInputs(credit, input.portfolio, bump.market, bump.bump), xva));
    }
  }
  const creditComponents: Float64Array[] = [];
  for (const bump of plan.credit) {
    const own = input.baseSets.filter((s) => s.counterpartyId === bump.counterpartyId);
    const counterparties = new Map(credit.counterparties);
    counterparties.set(bump.counterpartyId, { ...credit.counterparties.get(bump.counterpartyId)!, curve: bump.curve });
    const values = setCvas(own, { ...credit, counterparties }, xva);
    const out = new Float64Array(nettingSetIds.length).fill(NaN);
    let k = 0;
    for (let j = 0; j < counterpartyIds.length; j++) if (counterpartyIds[j] === bump.counterpartyId) out[j] = values[k++]!;
    creditComponents.push(out);
  }
  return {
    nettingSetIds,
    counterpartyIds,
    base: setCvas(input.baseSets, credit, xva),
    simulatedFactors: plan.simulated.map((b) => b.factor),
    simulated,
    creditFactors: plan.credit.map((b) => b.factor),
    credit: creditComponents,
  };
}

/**
 * The book's records from the components: every book CVA is the sum over the netting sets in order from 0, as
 * xva/compute.ts computeXva adds its book (so a sharded run merged gives the single run's bits); a credit bump
 * replaces the bumped counterparty's sets' terms only.
 */
export function sensitivitiesFromComponents(plan: SensitivityPlan, components: CvaComponents): SensitivityRun {
  const n = components.nettingSetIds.length;
  // components are matched to the plan's bumps by label (a merge assembles them from the shards' tables)
  const simulatedAt = new Map(components.simulatedFactors.map((f, i) => [f, i]));
  const creditAt = new Map(components.creditFactors.map((f, i) => [f, i]));
  const missing = [...plan.simulated.filter((b) => !simulatedAt.has(b.factor)), ...plan.credit.filter((b) => !creditAt.has(b.factor))].map((b) => b.factor);
  if (missing.length > 0 || simulatedAt.size !== plan.simulated.length || creditAt.size !== plan.credit.length) {
    throw new XvaUsageError(`the SA-CVA components are not the book's bump plan (missing: ${missing.slice(0, 5).join(', ') || 'none'}; ${simulatedAt.size + creditAt.size} given for ${plan.simulated.length + plan.credit.length} bumps): shards of another run or version of xva`);
  }
  // MAR50.5: a qualifying CCP's sets are in no sum (the same sets skipped in every sum: the same bits in any order of shards)
  const excluded = plan.excludedCounterparties;
  const inScope = Uint8Array.from(components.counterpartyIds, (id) => (excluded.has(id) ? 0 : 1));
  const sum = (a: Float64Array) => {
    let s = 0;
    for (let j = 0; j < n; j++) if (inScope[j]) s += a[j]!;
    return s;
  };
  const baseCva = sum(components.base);
  const records: SaCvaSensitivity[] = [];
  const bumps: { factor: string; cva: number }[] = [];
  plan.simulated.forEach((bump) => {
    const cva = sum(components.simulated[simulatedAt.get(bump.factor)!]!);
    bumps.push({ factor: bump.factor, cva });
    records.push({ nettingSetId: null, riskType: bump.riskType, cvaType: 'CvaAggregate', marginType: bump.marginType, riskFactor: bump.riskFactor, bucket: bump.bucket, value: (cva - baseCva) / bump.divisor });
  });
  plan.credit.forEach((bump) => {
    const shocked = components.credit[creditAt.get(bump.factor)!]!;
    let cva = 0;
    for (let j = 0; j < n; j++) if (inScope[j]) cva += components.counterpartyIds[j] === bump.counterpartyId ? shocked[j]! : components.base[j]!;
    bumps.push({ factor: bump.factor, cva });
    records.push({ nettingSetId: null, riskType: 'CreditCounterparty', cvaType: 'CvaAggregate', marginType: 'Delta', riskFactor: bump.riskFactor, bucket: bump.bucket, value: (cva - baseCva) / BP }); // MAR50.65
  });
  records.push(...plan.hedges.map((h) => ({ ...h })));
  return { records, creditNames: plan.creditNames, simulations: plan.simulated.length, baseCva, bumps };
}

/** Portfolio-level (NettingSet empty) CvaAggregate delta and vega records of the book's unilateral CVA. */
export async function computeCvaSensitivities(input: SensitivityInputs): Promise<SensitivityRun> {
  const plan = sensitivityPlan({
    portfolio: input.portfolio,
    market: input.market,
    credit: input.credit,
    exposedCounterparties: new Set(input.baseSets.map((s) => s.counterpartyId)),
    ...(input.equityBuckets ? { equityBuckets: input.equityBuckets } : {}),
    ...(input.referenceCreditBuckets ? { referenceCreditBuckets: input.referenceCreditBuckets } : {}),
    ...(input.referenceEntities ? { referenceEntities: input.referenceEntities } : {}),
  });
  return sensitivitiesFromComponents(plan, await computeCvaComponents(input, plan));
}
