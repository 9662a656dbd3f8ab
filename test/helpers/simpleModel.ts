/**
 * A minimal hand-built model and SimulatedPaths for the valuation tests, independent of the cross-asset simulation:
 * LGM states per currency from `lgmSimulateStates` (exact Gaussian increments with variance ζ), lognormal FX and
 * equities with today's forward drift (exact martingales when rates are deterministic: σ_HW = 0), and Gaussian credit
 * states with the LGM variance of (κ, σ). Correlations are zero. The pricers on paths only need states on paths, so
 * pathwise checks do not depend on how the states were drawn.
 */
import type { DateSerial } from '../../src/conventions/dates.js';
import { yearsBetween } from '../../src/conventions/dates.js';
import type { HullWhiteParams, Market } from '../../src/market/types.js';
import type { Currency } from '../../src/products/types.js';
import { lgmH, lgmModel, lgmNumeraires, lgmSimulateStates, lgmZeta, type LgmModel } from '../../src/simulation/models/lgm/index.js';
import { fillNormals } from '../../src/simulation/rng/normal.js';
import type { FactorLayout, SimulatedPaths, TimeGrid } from '../../src/simulation/types.js';
import type { CreditStateModel, ValuationModel } from '../../src/exposure/valuation/model.js';

/** A grid on the given dates (after the as-of date, increasing), all exposure dates. */
export function timeGrid(asOf: DateSerial, later: readonly DateSerial[]): TimeGrid {
  const n = later.length + 1;
  const dates = new Int32Array(n);
  const times = new Float64Array(n);
  dates[0] = asOf;
  later.forEach((d, i) => {
    dates[i + 1] = d;
    times[i + 1] = yearsBetween(asOf, d);
  });
  return { asOf, dates, times, exposureDate: new Uint8Array(n).fill(1), lagIndex: new Map() };
}

/** Flat Hull-White parameters. */
export function flatHullWhite(currency: Currency, meanReversion: number, sigma: number): HullWhiteParams {
  return { currency, meanReversion, sigmaTimes: Float64Array.of(100), sigmas: Float64Array.of(sigma), source: 'given' };
}

export interface SimpleModelSpec {
  /** Simulated currencies, base first; parameters per currency (σ = 0: deterministic rates). */
  hullWhite: Partial<Record<Currency, HullWhiteParams>>;
  currencies: Currency[];
  equities?: string[];
  /** Gaussian intensity parameters per credit name (κ, σ). */
  credit?: Record<string, { meanReversion: number; sigma: number }>;
}

export interface SimpleModel extends ValuationModel {
  readonly params: Partial<Record<Currency, HullWhiteParams>>;
  readonly creditParams: Record<string, { meanReversion: number; sigma: number }>;
}

export function simpleModel(market: Market, spec: SimpleModelSpec): SimpleModel {
  const base = market.baseCurrency;
  const currencies = spec.currencies;
  if (currencies[0] !== base) throw new Error('simpleModel: the base currency must come first');
  const equities = spec.equities ?? [];
  const creditNames = Object.keys(spec.credit ?? {});
  const fxCurrencies = currencies.filter((c) => c !== base);
  const factorNames = [
    ...currencies.map((c) => `IR:${c}`),
    ...fxCurrencies.map((c) => `FX:${c}${base}`),
    ...equities.map((e) => `EQ:${e}`),
    ...creditNames.map((c) => `CR:${c}`),
  ];
  const layout: FactorLayout = {
    baseCurrency: base,
    currencies,
    fxCurrencies,
    equities,
    creditNames,
    factorNames,
    factorStreams: Uint32Array.from(factorNames, (_, i) => 1000 + i),
  };
  const lgms = new Map<Currency, LgmModel>();
  for (const c of currencies) {
    const params = spec.hullWhite[c] ?? flatHullWhite(c, 0.03, 0);
    lgms.set(c, lgmModel(params, market.discountCurve(c)));
  }
  const creditParams = spec.credit ?? {};
  return {
    layout,
    params: Object.fromEntries(currencies.map((c) => [c, lgms.get(c)!.params])),
    creditParams,
    lgm(currency) {
      const m = lgms.get(currency);
      if (!m) throw new Error(`simpleModel has no ${currency}`);
      return m;
    },
    credit(name): CreditStateModel {
      const p = creditParams[name];
      if (!p) throw new Error(`simpleModel has no credit ${name}`);
      const curve = market.creditCurve(name);
      const hw = flatHullWhite('USD', p.meanReversion, p.sigma);
      return { H: (t) => lgmH(p.meanReversion, t), zeta: (t) => lgmZeta(hw, t), survival0: (t) => curve.survival(t) };
    },
  };
}

/** Path-major (paths × dates) to date-major (dates × paths). */
function toDateMajor(pathMajor: Float64Array, nPaths: number, nDates: number): Float64Array {
  const out = new Float64Array(nPaths * nDates);
  for (let p = 0; p < nPaths; p++) for (let d = 0; d < nDates; d++) out[d * nPaths + p] = pathMajor[p * nDates + d]!;
  return out;
}

/** Brownian motion W(t) on the grid (date-major) from Philox stream `factor`. */
function brownian(grid: TimeGrid, seed: number, nPaths: number, factor: number): Float64Array {
  const nDates = grid.times.length;
  const out = new Float64Array(nDates * nPaths);
  const z = new Float64Array(nPaths);
  for (let d = 1; d < nDates; d++) {
    fillNormals(seed, 0, nPaths, factor, d, z);
    const sd = Math.sqrt(grid.times[d]! - grid.times[d - 1]!);
    for (let p = 0; p < nPaths; p++) out[d * nPaths + p] = out[(d - 1) * nPaths + p]! + sd * z[p]!;
  }
  return out;
}

export interface PathSpec {
  nPaths: number;
  seed?: number;
  /** Lognormal FX vol per non-base currency (against the base). */
  fxVols?: Partial<Record<Currency, number>>;
}

export function simplePaths(model: SimpleModel, market: Market, grid: TimeGrid, spec: PathSpec): SimulatedPaths {
  const { layout } = model;
  const n = spec.nPaths;
  const seed = spec.seed ?? 7;
  const nDates = grid.times.length;
  const times = grid.times;
  const irState = layout.currencies.map((c, i) => {
    const pathMajor = new Float64Array(n * nDates);
    lgmSimulateStates(model.lgm(c).params, times, seed, 0, n, 10 + i, pathMajor);
    return toDateMajor(pathMajor, n, nDates);
  });
  const base = layout.baseCurrency;
  const pBase = market.discountCurve(base);
  // FX(t) = S0·P_c(0,t)/P_base(0,t)·exp(σW − ½σ²t): the forward under deterministic rates.
  const fxLog = layout.fxCurrencies.map((c, i) => {
    const w = brownian(grid, seed, n, 100 + i);
    const vol = spec.fxVols?.[c] ?? 0.1;
    const lnS0 = Math.log(market.fxSpot(c, base));
    const pc = market.discountCurve(c);
    const out = new Float64Array(nDates * n);
    for (let d = 0; d < nDates; d++) {
      const t = times[d]!;
      const drift = lnS0 + Math.log(pc.discount(t) / pBase.discount(t)) - 0.5 * vol * vol * t;
      for (let p = 0; p < n; p++) out[d * n + p] = drift + vol * w[d * n + p]!;
    }
    return out;
  });
  const eqLog = layout.equities.map((name, i) => {
    const e = market.equity(name);
    const w = brownian(grid, seed, n, 200 + i);
    const vol = market.equityVol(name, 1);
    const pc = market.discountCurve(e.currency);
    const out = new Float64Array(nDates * n);
    for (let d = 0; d < nDates; d++) {
      const t = times[d]!;
      const drift = Math.log(e.spot) - e.dividendYield * t - Math.log(pc.discount(t)) - 0.5 * vol * vol * t;
      for (let p = 0; p < n; p++) out[d * n + p] = drift + vol * w[d * n + p]!;
    }
    return out;
  });
  const creditState = layout.creditNames.map((name, i) => {
    const p = model.creditParams[name]!;
    const pathMajor = new Float64Array(n * nDates);
    lgmSimulateStates(flatHullWhite('USD', p.meanReversion, p.sigma), times, seed, 0, n, 300 + i, pathMajor);
    return toDateMajor(pathMajor, n, nDates);
  });
  const numeraire = new Float64Array(nDates * n);
  const baseModel = model.lgm(base);
  const slice = new Float64Array(n);
  for (let d = 0; d < nDates; d++) {
    lgmNumeraires(baseModel, times[d]!, irState[0]!.subarray(d * n, (d + 1) * n), slice, n);
    numeraire.set(slice, d * n);
  }
  return { grid, layout, nPaths: n, pathOffset: 0, seed, irState, fxLog, eqLog, creditState, numeraire };
}
