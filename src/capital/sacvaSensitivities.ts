/**
 * CVA sensitivities for SA-CVA (MAR50.47-50.52) by bump and revalue with common random numbers: every bumped run
 * re-simulates the book with the same seed, grid and paths (threads = 1, the bumped market lives in memory), and
 * the book's unilateral CVA is recomputed with computeXva.
 * - IR delta (MAR50.47): zero rates of every curve of a currency (OIS discount and projection) shifted by 1bp; for a
 *   MAR50.55 specified currency one triangular bump per tenor 1Y, 2Y, 5Y, 10Y, 30Y (they add up to a parallel
 *   shift), else one parallel bump. Sensitivity = ΔCVA / 0.0001. One simulation per bump.
 * - FX delta (MAR50.49): the currency's spot against the base currency × 1.01. Sensitivity = ΔCVA / 0.01. One
 *   simulation per non-base currency of the book.
 * - Counterparty credit delta (MAR50.65): the counterparty curve's quoted par spread at one tenor + 1bp, curve
 *   bootstrapped again; exposure unchanged (no simulation). Each quote tenor maps to the nearest MAR50 tenor
 *   (0.5Y, 1Y, 3Y, 5Y, 10Y). Sensitivity = ΔCVA / 0.0001.
 * Vega is not computed (no vol bumps): the records hold delta only.
 */
import { runSimulation, factorNeeds, type SimulationOptions } from '../exposure/engine.js';
import type { HazardCurve, Market, YieldCurve } from '../market/types.js';
import type { Counterparty, Portfolio } from '../portfolio/types.js';
import type { Currency } from '../products/types.js';
import { computeXva, exposureSetsOf, type ExposureSet, type XvaOptions } from '../xva/compute.js';
import { shockedCurve, type CreditInputs } from '../xva/credit.js';
import { SA_CVA_PARAMETERS, type SaCvaCreditName, type SaCvaSensitivity } from './sacva/index.js';

const IR_TENOR_YEARS = [1, 2, 5, 10, 30];
const IR_TENOR_LABELS = ['1Y', '2Y', '5Y', '10Y', '30Y'];
const CREDIT_TENOR_YEARS = [0.5, 1, 3, 5, 10];
const CREDIT_TENOR_LABELS = ['0.5Y', '1Y', '3Y', '5Y', '10Y'];
const BP = 1e-4;
const FX_RELATIVE = 0.01;

/** Zero-rate shift at t of a triangular bump at tenor j (flat beyond the first and last tenor); j < 0: parallel. */
export function tenorBumpWeight(tYears: number, j: number): number {
  if (j < 0) return 1;
  const x = IR_TENOR_YEARS;
  const last = x.length - 1;
  if (tYears <= x[0]!) return j === 0 ? 1 : 0;
  if (tYears >= x[last]!) return j === last ? 1 : 0;
  let i = 0;
  while (tYears > x[i + 1]!) i++;
  const w = (tYears - x[i]!) / (x[i + 1]! - x[i]!);
  return j === i ? 1 - w : j === i + 1 ? w : 0;
}

function bumpedCurve(curve: YieldCurve, shift: number, j: number): YieldCurve {
  const b = (t: number) => shift * tenorBumpWeight(t, j);
  const discount = (t: number) => curve.discount(t) * Math.exp(-b(t) * t);
  return {
    name: curve.name,
    currency: curve.currency,
    discount,
    zeroRate: (t: number) => curve.zeroRate(t) + b(t),
    forwardRate: (t1: number, t2: number, tau: number) => (discount(t1) / discount(t2) - 1) / tau,
    pillarTimes: curve.pillarTimes,
    pillarZeroRates: Float64Array.from(curve.pillarZeroRates, (z, i) => z + b(curve.pillarTimes[i]!)),
  };
}

/** The market with some methods replaced (the rest delegate to the original, `this` kept). */
function overlay(market: Market, overrides: Partial<Market>): Market {
  return new Proxy(market, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Every curve of `ccy` (discount, collateral discount, projection) shifted by `shift` with bump shape j. */
export function irBumpedMarket(market: Market, ccy: Currency, shift: number, j: number): Market {
  const cache = new Map<YieldCurve, YieldCurve>();
  const bump = (c: YieldCurve) => {
    if (c.currency !== ccy) return c;
    let b = cache.get(c);
    if (!b) cache.set(c, (b = bumpedCurve(c, shift, j)));
    return b;
  };
  return overlay(market, {
    discountCurve: (c: Currency) => bump(market.discountCurve(c)),
    collateralDiscountCurve: (c: Currency, coll: Currency) => bump(market.collateralDiscountCurve(c, coll)),
    projectionCurve: (index: string) => bump(market.projectionCurve(index)),
  });
}

/** The spot of `ccy` in the base currency × (1 + relative); crosses follow. */
export function fxBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  const m = (c: Currency) => (c === ccy ? 1 + relative : 1);
  return overlay(market, { fxSpot: (a: Currency, b: Currency) => (market.fxSpot(a, b) * m(a)) / m(b) });
}

/** The curve with the quote at index i + 1bp, bootstrapped again (public shockedCurve on a copy). */
function tenorShockedCurve(curve: HazardCurve, market: Market, i: number, cache: Map<HazardCurve, YieldCurve>): HazardCurve {
  shockedCurve(curve, market, 1, cache); // finds and caches the curve's discount curve
  const quotes = Float64Array.from(curve.quoteSpreadsBp, (s, k) => (k === i ? s + 1 : s));
  const copy: HazardCurve = { ...curve, quoteSpreadsBp: quotes, survival: curve.survival.bind(curve) };
  cache.set(copy, cache.get(curve)!);
  return shockedCurve(copy, market, 1e-9, cache);
}

function nearestCreditTenor(tYears: number): string {
  let best = 0;
  for (let i = 1; i < CREDIT_TENOR_YEARS.length; i++) if (Math.abs(CREDIT_TENOR_YEARS[i]! - tYears) < Math.abs(CREDIT_TENOR_YEARS[best]! - tYears)) best = i;
  return CREDIT_TENOR_LABELS[best]!;
}

/** MAR50.65 bucket of a counterparty's sector (1a sovereign, 1b local government, 2 financial, ... 7 other). */
export function counterpartyCreditBucket(sector: Counterparty['sector']): string {
  const map: Record<Counterparty['sector'], string> = { sovereign: '1a', local_government: '1b', financial: '2', basic_materials: '3', consumer: '4', technology: '5', health_care: '6', other: '7' };
  return map[sector];
}

export interface SensitivityRun {
  records: SaCvaSensitivity[];
  creditNames: Record<string, SaCvaCreditName>;
  /** Engine runs made (1 base + one per IR and FX bump). */
  simulations: number;
  baseCva: number;
  bumps: { factor: string; cva: number }[];
}

export interface SensitivityInputs {
  portfolio: Portfolio;
  market: Market;
  simulation: Omit<SimulationOptions, 'threads'>;
  credit: CreditInputs;
  xva: XvaOptions;
  /** The base run's exposure (reused for the credit bumps). */
  baseSets: readonly ExposureSet[];
  onProgress?: (text: string) => void;
}

/** Portfolio-level (NettingSet empty) CvaAggregate delta records of the book's unilateral CVA. */
export async function computeCvaSensitivities(input: SensitivityInputs): Promise<SensitivityRun> {
  const { portfolio, market, credit, xva } = input;
  const ccyOf = new Map(portfolio.nettingSets.map((s) => [s.nettingSetId, s.collateralCurrency]));
  const bookCva = (sets: readonly ExposureSet[], c: CreditInputs) => computeXva(sets, c, xva, false).book.cva;
  const baseCva = bookCva(input.baseSets, credit);
  const records: SaCvaSensitivity[] = [];
  const bumps: { factor: string; cva: number }[] = [];
  let simulations = 0;
  const resimulate = async (m: Market): Promise<number> => {
    simulations++;
    const r = await runSimulation({ portfolio, market: m, options: { ...input.simulation, threads: 1 } });
    return bookCva(exposureSetsOf(r, (id) => ccyOf.get(id)), credit);
  };
  const add = (riskType: SaCvaSensitivity['riskType'], riskFactor: string, bucket: string, value: number) =>
    records.push({ nettingSetId: null, riskType, cvaType: 'CvaAggregate', marginType: 'Delta', riskFactor, bucket, value });

  const specified = new Set(SA_CVA_PARAMETERS.interestRate.specifiedCurrencies);
  const { currencies } = factorNeeds(portfolio.trades);
  for (const ccy of currencies) {
    const shapes = specified.has(ccy) || ccy === market.baseCurrency ? IR_TENOR_LABELS.map((_, j) => j) : [-1];
    for (const j of shapes) {
      const label = j < 0 ? 'Parallel' : IR_TENOR_LABELS[j]!;
      input.onProgress?.(`SA-CVA: IR ${ccy} ${label}`);
      const cva = await resimulate(irBumpedMarket(market, ccy, BP, j));
      bumps.push({ factor: `IR ${ccy} ${label}`, cva });
      add('InterestRate', label, ccy, (cva - baseCva) / BP); // MAR50.47: ΔCVA / 0.0001
    }
  }
  for (const ccy of currencies) {
    if (ccy === market.baseCurrency) continue;
    input.onProgress?.(`SA-CVA: FX ${ccy}`);
    const cva = await resimulate(fxBumpedMarket(market, ccy, FX_RELATIVE));
    bumps.push({ factor: `FX ${ccy}`, cva });
    add('ForeignExchange', 'FXSpot', ccy, (cva - baseCva) / FX_RELATIVE); // MAR50.49: ΔCVA / 0.01
  }

  const creditNames: Record<string, SaCvaCreditName> = {};
  const byId = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const cache = new Map<HazardCurve, YieldCurve>();
  const exposed = new Set(input.baseSets.map((s) => s.counterpartyId));
  for (const [id, c] of credit.counterparties) {
    if (!exposed.has(id)) continue;
    const cp = byId.get(id)!;
    creditNames[id] = { creditQuality: ['AAA', 'AA', 'A', 'BBB'].includes(cp.rating) ? 'IG' : 'HY_NR' };
    for (let i = 0; i < c.curve.quoteTenorsYears.length; i++) {
      const curve = tenorShockedCurve(c.curve, market, i, cache);
      const counterparties = new Map(credit.counterparties);
      counterparties.set(id, { ...c, curve });
      const cva = bookCva(input.baseSets, { ...credit, counterparties });
      const tenor = nearestCreditTenor(c.curve.quoteTenorsYears[i]!);
      bumps.push({ factor: `credit ${id} ${c.curve.quoteTenorsYears[i]}Y`, cva });
      add('CreditCounterparty', `${id}/${tenor}`, counterpartyCreditBucket(cp.sector), (cva - baseCva) / BP); // MAR50.65
    }
  }
  return { records, creditNames, simulations, baseCva, bumps };
}
