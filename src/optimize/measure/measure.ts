/**
 * measureBase and measureAmendment (docs/optimize-measure.md).
 *
 * measureBase: one engine measurement of the whole book (engineRun.ts) on the context's grid and factor needs, and
 * today's capital per netting set (capital.ts); book figures from the per-set maps.
 *
 * measureAmendment: the amended book (amend.ts), the netting sets it touches, and only those re-measured, on the base
 * grid and the whole book's factor needs, so their paths are the base run's; every other set keeps its base figures.
 * The book figures that do not add up (BA-CVA, capital, CET1, KVA's CVA part) are recomputed over the merged per-set
 * maps. Delta = amended book − base book, which for additive figures is Σ over touched sets (amended − base).
 * Common random numbers are kept when the amendment needs what the base grid or layout lacks:
 * - a factor the book's layout lacks (an added trade in a new currency, equity or CDS name): the correlated draws of
 *   the factors in its correlation block change with the layout, so the touched sets' base is re-measured on the
 *   extended layout too (and `notes` says so);
 * - an MPoR whose close-out dates the base grid lacks (a new or shorter MPoR, a new CSA): new grid dates shift every
 *   later step's random numbers, so the touched sets' base is re-measured on the extended grid too.
 * Then `baseBook` is the base book with the touched sets' re-measured base figures, and the delta is against it.
 * Under `rng: 'sobol'` a factor is drawn from the Sobol dimensions of its slot in the layout, so a run of an amended
 * book whose factors are not the base book's (a hedge's new credit name, a currency no trade needs any more) draws
 * every factor from other dimensions: the delta, on common points, is then not the difference of two separate runs,
 * which also holds the whole book's quasi-Monte Carlo error (`notes` says so; helper 126's optimiser audit).
 * An added trade maturing after the base grid's last date is refused (the grid would have to be longer: build the
 * context with a grid that reaches it).
 */
import { XvaUsageError } from '../../errors.js';
import { factorNeeds } from '../../exposure/engine.js';
import { exposureDateIndices } from '../../exposure/profiles.js';
import type { Portfolio } from '../../portfolio/types.js';
import { tradeMaturity } from '../../products/types.js';
import { toIsoDate } from '../../conventions/dates.js';
import { withCloseOutDates } from '../../simulation/grid.js';
import type { TimeGrid } from '../../simulation/types.js';
import { creditInputs, type CreditInputs } from '../../xva/credit.js';
import type { Amendment, CostDelta } from '../types.js';
import type { ExposureSet } from '../../xva/compute.js';
import { applyAmendment, touchedNettingSets } from './amend.js';
import { bookCapital, capitalOfSets, type BookCapital, type SetCapital } from './capital.js';
import { bookMporDays, unionNeeds, type MeasureContext } from './context.js';
import { measureSetsByEngine, type EngineSetFigures, type PostedImProfile } from './engineRun.js';
import { bookKva, kvaClock, type KvaClock, type SetKva } from './kva.js';

/** Every figure of one netting set (base currency). */
export interface SetFigures {
  nettingSetId: string;
  counterpartyId: string;
  cva: number;
  dva: number;
  fca: number;
  fba: number;
  colva: number;
  /** Monte Carlo standard error of CVA (xva/compute.ts, conservative). */
  cvaStdError: number;
  mva: number;
  /** SA-CCR EAD today. */
  ead: number;
  riskWeight: number;
  rwaCcr: number;
  /** BA-CVA effective maturity, years. */
  effectiveMaturityYears: number;
  /** KVA of the set's CCR capital (the CVA part of KVA is a book figure). */
  kvaCcr: number;
  /** KVA pieces (projected EAD profiles) the book KVA needs. */
  kva: SetKva;
  /** The set's exposure profiles (after collateral and IM): XVA under credit and funding shocks needs no new run. */
  exposure?: ExposureSet;
  /** The IM posted its MVA funds (engineRun.ts): MVA under credit and funding shocks needs no new run either. */
  mvaProfile?: PostedImProfile;
}

export interface BookFigures extends BookCapital {
  cva: number;
  dva: number;
  fca: number;
  fba: number;
  colva: number;
  /** FCA − FBA + ColVA. */
  fva: number;
  mva: number;
  kva: number;
}

export interface Measurement {
  portfolio: Portfolio;
  /** Per netting set of the portfolio (all of them, with or without trades). */
  sets: Map<string, SetFigures>;
  book: BookFigures;
  grid: TimeGrid;
  credit: CreditInputs;
  notes: string[];
}

/** An amendment adds a trade that outlives the measurement grid: it cannot be measured on the book's paths. */
export class BeyondGridError extends XvaUsageError {}

export interface AmendmentMeasurement {
  /** Amended book − baseBook. */
  delta: CostDelta;
  portfolio: Portfolio;
  touchedNettingSetIds: string[];
  /** Amended figures of the touched sets still in the book. */
  sets: Map<string, SetFigures>;
  /** Base figures of the touched sets the delta is against (re-measured when the grid or layout changed). */
  baseSets: Map<string, SetFigures>;
  book: BookFigures;
  baseBook: BookFigures;
  /** True when the touched sets' base was re-measured on an extended grid or layout. */
  baseRemeasured: boolean;
  /** The amended book's credit inputs (the base's, with the counterparties the amendment adds or changes resolved again). */
  credit: CreditInputs;
  notes: string[];
}

function clockOf(ctx: MeasureContext, grid: TimeGrid): KvaClock {
  const idx = exposureDateIndices(grid);
  return kvaClock(ctx, Int32Array.from(idx, (d) => grid.dates[d]!));
}

function figuresOf(cap: SetCapital, eng: EngineSetFigures): SetFigures {
  return {
    nettingSetId: cap.nettingSetId,
    counterpartyId: cap.counterpartyId,
    cva: eng.xva.cva,
    dva: eng.xva.dva,
    fca: eng.xva.fca,
    fba: eng.xva.fba,
    colva: eng.xva.colva,
    cvaStdError: eng.xva.cvaStdError,
    mva: eng.mva,
    ead: cap.ead,
    riskWeight: cap.riskWeight,
    rwaCcr: cap.rwaCcr,
    effectiveMaturityYears: cap.effectiveMaturityYears,
    kvaCcr: eng.kva.kvaCcr,
    kva: eng.kva,
    ...(eng.exposure ? { exposure: eng.exposure } : {}),
    ...(eng.mvaProfile ? { mvaProfile: eng.mvaProfile } : {}),
  };
}

interface SetsSpec {
  portfolio: Portfolio;
  ids: ReadonlySet<string>;
  grid: TimeGrid;
  layoutNeeds: ReturnType<typeof unionNeeds>;
  credit: CreditInputs;
  clock: KvaClock;
  notes: string[];
}

async function measureSets(ctx: MeasureContext, spec: SetsSpec): Promise<Map<string, SetFigures>> {
  const capital = capitalOfSets(ctx, spec.portfolio, spec.ids);
  const engine = await measureSetsByEngine(ctx, { portfolio: spec.portfolio, nettingSetIds: spec.ids, grid: spec.grid, layoutNeeds: spec.layoutNeeds, credit: spec.credit, capital, clock: spec.clock, notes: spec.notes });
  const out = new Map<string, SetFigures>();
  for (const ns of spec.portfolio.nettingSets) {
    if (!spec.ids.has(ns.nettingSetId)) continue;
    out.set(ns.nettingSetId, figuresOf(capital.get(ns.nettingSetId)!, engine.get(ns.nettingSetId)!));
  }
  return out;
}

/** Book figures from per-set figures; every sum in the portfolio's netting-set order. */
function bookOf(ctx: MeasureContext, portfolio: Portfolio, sets: ReadonlyMap<string, SetFigures>, clock: KvaClock): BookFigures {
  const book = { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0, mva: 0 };
  for (const ns of portfolio.nettingSets) {
    const s = sets.get(ns.nettingSetId);
    if (!s) continue;
    book.cva += s.cva;
    book.dva += s.dva;
    book.fca += s.fca;
    book.fba += s.fba;
    book.colva += s.colva;
    book.mva += s.mva;
  }
  const capital = bookCapital(ctx, portfolio, sets);
  return { ...book, fva: book.fca - book.fba + book.colva, ...capital, kva: bookKva(ctx, clock, portfolio, sets) };
}

/** One measurement of the whole base book. */
export async function measureBase(ctx: MeasureContext): Promise<Measurement> {
  const notes: string[] = [];
  const clock = clockOf(ctx, ctx.grid);
  const ids = new Set(ctx.portfolio.nettingSets.map((n) => n.nettingSetId));
  const sets = await measureSets(ctx, { portfolio: ctx.portfolio, ids, grid: ctx.grid, layoutNeeds: ctx.layoutNeeds, credit: ctx.credit, clock, notes });
  return { portfolio: ctx.portfolio, sets, book: bookOf(ctx, ctx.portfolio, sets, clock), grid: ctx.grid, credit: ctx.credit, notes };
}

/** amended − base of every CostDelta figure; cet1Bp is 0 when the market has no bank RWA and CET1 (see notes). */
export function costDelta(base: BookFigures, amended: BookFigures): CostDelta {
  return {
    cva: amended.cva - base.cva,
    dva: amended.dva - base.dva,
    fca: amended.fca - base.fca,
    fba: amended.fba - base.fba,
    colva: amended.colva - base.colva,
    fva: amended.fva - base.fva,
    mva: amended.mva - base.mva,
    kva: amended.kva - base.kva,
    ead: amended.ead - base.ead,
    rwa: amended.rwa - base.rwa,
    cet1Bp: amended.cet1ImpactBp !== undefined && base.cet1ImpactBp !== undefined ? amended.cet1ImpactBp - base.cet1ImpactBp : 0,
    capital: amended.capital - base.capital,
  };
}

const ZERO_DELTA: CostDelta = Object.freeze({ cva: 0, dva: 0, fca: 0, fba: 0, colva: 0, fva: 0, mva: 0, kva: 0, ead: 0, rwa: 0, cet1Bp: 0, capital: 0 });

type Needs = { currencies: Iterable<string>; equities: Iterable<string>; creditNames: Iterable<string> };

/** The factors of `b` not in `a`, named as the notes name them (`IR/FX EUR`, `equity X`, `credit CP0021`). */
function factorsBeyond(a: Needs, b: Needs): string[] {
  const beyond = (x: Iterable<string>, y: Iterable<string>) => {
    const known = new Set(x);
    return [...new Set(y)].filter((v) => !known.has(v)).sort();
  };
  return [
    ...beyond(a.currencies, b.currencies).map((c) => `IR/FX ${c}`),
    ...beyond(a.equities, b.equities).map((e) => `equity ${e}`),
    ...beyond(a.creditNames, b.creditNames).map((c) => `credit ${c}`),
  ];
}

/**
 * Under `--rng sobol`: the note that an amended book whose factors are not the base book's (each as a run of that book
 * alone would lay them out) is drawn, in a run of its own, from other Sobol dimensions (module comment); none when the
 * factors are the same. The figures are the audit's (helper 126: the demo's small book, 256 Sobol paths, a CVA hedge
 * adding credit CP0039).
 */
export function sobolLayoutNote(baseNeeds: Needs, amendedNeeds: Needs): string[] {
  const added = factorsBeyond(baseNeeds, amendedNeeds);
  const dropped = factorsBeyond(amendedNeeds, baseNeeds);
  if (added.length === 0 && dropped.length === 0) return [];
  const change = [...(added.length > 0 ? [`adds ${added.join(', ')}`] : []), ...(dropped.length > 0 ? [`no longer needs ${dropped.join(', ')}`] : [])].join(' and ');
  return [
    `under --rng sobol the amended book ${change}: a run of the amended book alone (xva cva --rng sobol) draws every factor from other Sobol dimensions, so these figures are common-points deltas of the touched netting sets (base and amended on the same points), and the difference of such a run and the base run also holds the whole book's quasi-Monte Carlo error (helper 126's optimiser audit: a CVA hedge's ΔCVA +107.6 here, −4,283.9 between two separate xva cva --rng sobol --paths 256 runs)`,
  ];
}

/** Re-measures only the netting sets `amendment` touches; the delta is amended − base (module comment). */
export async function measureAmendment(ctx: MeasureContext, base: Measurement, amendment: Amendment): Promise<AmendmentMeasurement> {
  const notes: string[] = [];
  const amended = applyAmendment(base.portfolio, amendment);
  const touched = touchedNettingSets(base.portfolio, amended, amendment);
  if (touched.nettingSetIds.length === 0) {
    return { delta: { ...ZERO_DELTA }, portfolio: amended, touchedNettingSetIds: [], sets: new Map(), baseSets: new Map(), book: base.book, baseBook: base.book, baseRemeasured: false, credit: base.credit, notes };
  }
  const touchedIds = new Set(touched.nettingSetIds);
  const inAmended = new Set(amended.nettingSets.filter((n) => touchedIds.has(n.nettingSetId)).map((n) => n.nettingSetId));
  const inBase = new Set(base.portfolio.nettingSets.filter((n) => touchedIds.has(n.nettingSetId)).map((n) => n.nettingSetId));
  const amendedTrades = amended.trades.filter((t) => inAmended.has(t.nettingSetId));

  // the grid: refuse a trade beyond it; extend it by the close-out dates of MPoRs it lacks
  const lastDate = base.grid.dates[base.grid.dates.length - 1]!;
  for (const t of amendment.addTrades) {
    if (tradeMaturity(t) > lastDate) {
      throw new BeyondGridError(`added trade ${t.tradeId} matures on ${toIsoDate(tradeMaturity(t))}, after the book's last grid date ${toIsoDate(lastDate)} (the grid reaches only as far as the book's own longest trade: there are no paths beyond it)`);
    }
  }
  const sub: Portfolio = { ...amended, trades: amendedTrades, nettingSets: amended.nettingSets.filter((n) => inAmended.has(n.nettingSetId)) };
  const missingMpors = [...new Set(bookMporDays(sub))].filter((m) => !base.grid.lagIndex.has(m));
  let grid = base.grid;
  if (missingMpors.length > 0) {
    grid = withCloseOutDates(base.grid, missingMpors);
    notes.push(`MPoR of ${missingMpors.join(', ')} business days is not on the base grid: the touched netting sets' base was re-measured on the grid with its close-out dates (same seed, common random numbers)`);
  }
  // the layout: the whole book's needs plus any new factor of the added trades
  const need = factorNeeds(amendedTrades);
  const layoutNeeds = unionNeeds(ctx.layoutNeeds, need);
  const newFactors = [
    ...layoutNeeds.currencies.filter((c) => !ctx.layoutNeeds.currencies.includes(c)).map((c) => `IR/FX ${c}`),
    ...layoutNeeds.equities.filter((e) => !ctx.layoutNeeds.equities.includes(e)).map((e) => `equity ${e}`),
    ...layoutNeeds.creditNames.filter((c) => !ctx.layoutNeeds.creditNames.includes(c)).map((c) => `credit ${c}`),
  ];
  if (newFactors.length > 0) {
    notes.push(`the amendment needs factors the book's layout lacks (${newFactors.join(', ')}): the paths of their correlation block change, so the touched netting sets' base was re-measured on the extended layout (same seed, common random numbers)`);
  }
  const baseRemeasured = missingMpors.length > 0 || newFactors.length > 0;
  if (ctx.rng === 'sobol') notes.push(...sobolLayoutNote(factorNeeds(base.portfolio.trades), factorNeeds(amended.trades)));

  // credit: counterparties upserted (or new) resolved again from the amended book
  let credit = base.credit;
  const cpIds = new Set([...touched.counterpartyIds.filter((id) => amended.nettingSets.some((n) => n.counterpartyId === id)), ...sub.nettingSets.map((n) => n.counterpartyId).filter((id) => !base.credit.counterparties.has(id))]);
  if (cpIds.size > 0) {
    const fresh = creditInputs(amended, ctx.market, cpIds);
    credit = { ...base.credit, counterparties: new Map([...base.credit.counterparties, ...fresh.counterparties]) };
  }

  const clock = clockOf(ctx, grid);
  let baseSets = new Map<string, SetFigures>();
  let baseBook = base.book;
  if (baseRemeasured) {
    baseSets = await measureSets(ctx, { portfolio: base.portfolio, ids: inBase, grid, layoutNeeds, credit: base.credit, clock, notes });
    const merged = new Map(base.sets);
    for (const [id, s] of baseSets) merged.set(id, s);
    baseBook = bookOf(ctx, base.portfolio, merged, clock);
  } else {
    for (const id of inBase) baseSets.set(id, base.sets.get(id)!);
  }
  const sets = await measureSets(ctx, { portfolio: amended, ids: inAmended, grid, layoutNeeds, credit, clock, notes });
  const merged = new Map<string, SetFigures>();
  for (const ns of amended.nettingSets) {
    const s = sets.get(ns.nettingSetId) ?? (baseRemeasured ? (baseSets.get(ns.nettingSetId) ?? base.sets.get(ns.nettingSetId)) : base.sets.get(ns.nettingSetId));
    if (s) merged.set(ns.nettingSetId, s);
  }
  const book = bookOf(ctx, amended, merged, clock);
  return { delta: costDelta(baseBook, book), portfolio: amended, touchedNettingSetIds: touched.nettingSetIds, sets, baseSets, book, baseBook, baseRemeasured, credit, notes };
}
