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
 * - IR vega (MAR50.48, 50.58): every volatility of the currency × 1.01 (MAR50.48: a relative 1% shift of the
 *   implied vols): the Hull-White sigmas (given or calibrated) and the swaption quote vols (shift unchanged). The
 *   HW normal swaption vol is linear in sigma, so sigma × 1.01 is the 1% relative shift of the model's implied vols.
 *   Risk factor IRVolatility, bucket = currency. Sensitivity = ΔCVA / 0.01. One simulation per currency.
 * - FX vega (MAR50.48, 50.60): fxVol(a, b, t) × 1.01 for every pair with the currency on one side. Risk factor
 *   FXVolatility, bucket = currency. ΔCVA / 0.01. One simulation per non-base currency.
 * - Equity delta (MAR50.47, 50.70): the spot of every equity of the bucket × 1.01, ΔCVA / 0.01; equity vega (MAR50.48):
 *   every vol of those equities × 1.01, ΔCVA / 0.01. Risk factors EquitySpot / EquityVolatility, one per bucket (MAR50.71).
 *   Bucket (`equityBucket`): the caller's `equityBuckets[name]`; else an index in `referenceEntities` → 12 (qualified
 *   index); else 11 (MAR50.70: a name that cannot be assigned — no size, region or sector data — goes to "other
 *   sector"). Two simulations per bucket the book trades.
 * - Reference credit delta (MAR50.47, 50.66): every CDS reference name of the bucket, all its quoted par spreads + 1bp
 *   (parallel), curve bootstrapped again (xva/credit.ts shockedCurve); MAR50.47's definition: all names of the
 *   bucket shifted together. ΔCVA / 0.0001, risk factor ReferenceCreditSpread. One simulation per bucket. Bucket
 *   (`referenceCreditBucket`): the caller's `referenceCreditBuckets[name]`; else a counterparty whose id or cds_curve
 *   is the name: its sector (sovereign 1, local government 2, financial 3, basic materials 4, consumer 5,
 *   technology 6, health care 7; other → 15) and credit quality (AAA-BBB IG, else HY/NR: bucket + 7); else a
 *   credit index in `referenceEntities` → 16 (grade IG) or 17 (SG); else 15 (other sector: sector unknown).
 * Not computed: reference credit vega (the CDS pricer has no spread vol) and inflation.
 */
import { runSimulation, factorNeeds, type SimulationOptions } from '../exposure/engine.js';
import type { EquityData, HazardCurve, HullWhiteParams, Market, SwaptionVolSurface, YieldCurve } from '../market/types.js';
import type { Counterparty, Portfolio } from '../portfolio/types.js';
import type { Currency } from '../products/types.js';
import { computeXva, exposureSetsOf, type ExposureSet, type XvaOptions } from '../xva/compute.js';
import { shockedCurve, type CreditInputs } from '../xva/credit.js';
import type { SaccrReferenceEntity } from './saccr/types.js';
import { SA_CVA_PARAMETERS, type SaCvaCreditName, type SaCvaSensitivity } from './sacva/index.js';

const IR_TENOR_YEARS = [1, 2, 5, 10, 30];
const IR_TENOR_LABELS = ['1Y', '2Y', '5Y', '10Y', '30Y'];
const CREDIT_TENOR_YEARS = [0.5, 1, 3, 5, 10];
const CREDIT_TENOR_LABELS = ['0.5Y', '1Y', '3Y', '5Y', '10Y'];
const BP = 1e-4;
const FX_RELATIVE = 0.01;
/** MAR50.48: vega = ΔCVA for a relative 1% shift of the vols, / 0.01; MAR50.47: equity spot × 1.01, / 0.01. */
const VOL_RELATIVE = 0.01;
const EQ_RELATIVE = 0.01;
const IG_RATINGS = ['AAA', 'AA', 'A', 'BBB'];

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

/** Every Hull-White sigma and swaption quote vol of `ccy` × (1 + relative); other currencies unchanged. */
export function irVolBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  let hw: HullWhiteParams | undefined | null = null;
  let sv: SwaptionVolSurface | undefined | null = null;
  return overlay(market, {
    hullWhite: (c: Currency) => {
      if (c !== ccy) return market.hullWhite(c);
      if (hw === null) {
        const p = market.hullWhite(c);
        hw = p && { ...p, sigmas: Float64Array.from(p.sigmas, (s) => s * (1 + relative)) };
      }
      return hw;
    },
    swaptionVols: (c: Currency) => {
      if (c !== ccy) return market.swaptionVols(c);
      if (sv === null) {
        const v = market.swaptionVols(c);
        sv = v && { ...v, quotes: v.quotes.map((q) => ({ ...q, vol: q.vol * (1 + relative) })) };
      }
      return sv;
    },
  });
}

/** fxVol of every pair with `ccy` on one side × (1 + relative). */
export function fxVolBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  return overlay(market, {
    fxVol: (a: Currency, b: Currency, t: number) => market.fxVol(a, b, t) * (a === ccy || b === ccy ? 1 + relative : 1),
  });
}

/** The spots (× 1 + spotRelative) and vols (× 1 + volRelative) of the named equities. */
export function equityBumpedMarket(market: Market, names: readonly string[], spotRelative: number, volRelative: number): Market {
  const set = new Set(names);
  const cache = new Map<string, EquityData>();
  return overlay(market, {
    equity: (name: string) => {
      if (!set.has(name)) return market.equity(name);
      let e = cache.get(name);
      if (!e) {
        const d = market.equity(name);
        e = { ...d, spot: d.spot * (1 + spotRelative), vols: Float64Array.from(d.vols, (v) => v * (1 + volRelative)) };
        cache.set(name, e);
      }
      return e;
    },
    equityVol: (name: string, t: number) => market.equityVol(name, t) * (set.has(name) ? 1 + volRelative : 1),
  });
}

/** The credit curves of the named entities with every quoted spread + shiftBp, bootstrapped again. */
export function referenceCreditBumpedMarket(market: Market, names: readonly string[], shiftBp: number): Market {
  const set = new Set(names);
  const discounts = new Map<HazardCurve, YieldCurve>();
  const cache = new Map<string, HazardCurve>();
  return overlay(market, {
    creditCurve: (name: string) => {
      if (!set.has(name)) return market.creditCurve(name);
      let c = cache.get(name);
      if (!c) cache.set(name, (c = shockedCurve(market.creditCurve(name), market, shiftBp, discounts)));
      return c;
    },
  });
}

/** MAR50.70 equity bucket of a name (rule in the module comment). */
export function equityBucket(name: string, explicit?: Readonly<Record<string, string>>, entities?: readonly SaccrReferenceEntity[]): string {
  const given = explicit?.[name];
  if (given !== undefined) return given;
  return entities?.find((e) => e.name === name)?.isIndex ? '12' : '11';
}

/** MAR50.66 reference credit bucket of a CDS reference name (rule in the module comment). */
export function referenceCreditBucket(
  name: string,
  counterparties: readonly Counterparty[],
  explicit?: Readonly<Record<string, string>>,
  entities?: readonly SaccrReferenceEntity[],
): string {
  const given = explicit?.[name];
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

/** Portfolio-level (NettingSet empty) CvaAggregate delta and vega records of the book's unilateral CVA. */
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
  const add = (riskType: SaCvaSensitivity['riskType'], riskFactor: string, bucket: string, value: number, marginType: SaCvaSensitivity['marginType'] = 'Delta') =>
    records.push({ nettingSetId: null, riskType, cvaType: 'CvaAggregate', marginType, riskFactor, bucket, value });

  const specified = new Set(SA_CVA_PARAMETERS.interestRate.specifiedCurrencies);
  const { currencies, equities, creditNames: referenceNames } = factorNeeds(portfolio.trades);
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
  for (const ccy of currencies) {
    input.onProgress?.(`SA-CVA: IR vega ${ccy}`);
    const cva = await resimulate(irVolBumpedMarket(market, ccy, VOL_RELATIVE));
    bumps.push({ factor: `IR vol ${ccy}`, cva });
    add('InterestRate', 'IRVolatility', ccy, (cva - baseCva) / VOL_RELATIVE, 'Vega'); // MAR50.48, 50.58: ΔCVA / 0.01
  }
  for (const ccy of currencies) {
    if (ccy === market.baseCurrency) continue;
    input.onProgress?.(`SA-CVA: FX vega ${ccy}`);
    const cva = await resimulate(fxVolBumpedMarket(market, ccy, VOL_RELATIVE));
    bumps.push({ factor: `FX vol ${ccy}`, cva });
    add('ForeignExchange', 'FXVolatility', ccy, (cva - baseCva) / VOL_RELATIVE, 'Vega'); // MAR50.48, 50.60: ΔCVA / 0.01
  }
  for (const [bucket, names] of groupBy(equities, (n) => equityBucket(n, input.equityBuckets, input.referenceEntities))) {
    input.onProgress?.(`SA-CVA: equity bucket ${bucket}`);
    const spot = await resimulate(equityBumpedMarket(market, names, EQ_RELATIVE, 0));
    bumps.push({ factor: `EQ spot bucket ${bucket}`, cva: spot });
    add('Equity', 'EquitySpot', bucket, (spot - baseCva) / EQ_RELATIVE); // MAR50.47, 50.70: ΔCVA / 0.01
    const vol = await resimulate(equityBumpedMarket(market, names, 0, VOL_RELATIVE));
    bumps.push({ factor: `EQ vol bucket ${bucket}`, cva: vol });
    add('Equity', 'EquityVolatility', bucket, (vol - baseCva) / VOL_RELATIVE, 'Vega'); // MAR50.48, 50.70: ΔCVA / 0.01
  }
  const refBucket = (n: string) => referenceCreditBucket(n, portfolio.counterparties, input.referenceCreditBuckets, input.referenceEntities);
  for (const [bucket, names] of groupBy(referenceNames, refBucket)) {
    input.onProgress?.(`SA-CVA: reference credit bucket ${bucket}`);
    const cva = await resimulate(referenceCreditBumpedMarket(market, names, 1));
    bumps.push({ factor: `reference credit bucket ${bucket}`, cva });
    add('CreditReference', 'ReferenceCreditSpread', bucket, (cva - baseCva) / BP); // MAR50.47, 50.66: ΔCVA / 0.0001
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
