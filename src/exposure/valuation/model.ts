/**
 * What the pricers on paths need from the cross-asset model, and nothing more, so that they do not depend on how the
 * model is built: the LGM of each currency (H, ζ and today's discount curve P(0, t)), the Gaussian intensity model of
 * each credit name and the factor layout that says where each factor's paths are.
 */
import type { Market, YieldCurve } from '../../market/types.js';
import type { LegRecords } from './compile.js';
import type { Currency } from '../../products/types.js';
import type { LgmModel } from '../../simulation/models/lgm/parameters.js';
import type { FactorLayout, TimeGrid } from '../../simulation/types.js';

/**
 * Gaussian (LGM-type, ORE's "CrLgm") intensity model of a credit name: conditional survival
 * S(t,T|y) = S(0,T)/S(0,t)·exp(−(H(T)−H(t))·y − ½(H(T)²−H(t)²)·ζ(t)).
 */
export interface CreditStateModel {
  H(t: number): number;
  zeta(t: number): number;
  /** Today's survival probability S(0, t) of the name. */
  survival0(t: number): number;
}

export interface ValuationModel {
  readonly layout: FactorLayout;
  /**
   * LGM of a simulated currency; its discount curve is the currency's curve collateralised in the base currency
   * (market.collateralDiscountCurve(currency, base): the OIS curve unless a cross-currency basis is quoted against the
   * base). A netting set collateralised in another currency values on lgmOnCurve of it.
   */
  lgm(currency: Currency): LgmModel;
  /** Intensity model of a credit name in layout.creditNames. */
  credit(name: string): CreditStateModel;
}

export interface ValuationContext {
  market: Market;
  model: ValuationModel;
  grid: TimeGrid;
  nettingSetId: string;
  /**
   * The netting set's collateral currency: its flows in a currency c are discounted on c's curve collateralised in it
   * (pricing/curves.ts discountCurveFor, as today's prices), through lgmOnCurve where that is not the model's curve.
   * Absent: the model's curves (base-currency collateral).
   */
  collateralCurrency?: Currency;
  /**
   * Swap legs compiled before under this context (compile.ts LegRecords): the GPU backend's figures route compiles a
   * set, then each of its trades alone, and passes one map to all those compiles.
   */
  legRecords?: LegRecords;
}

/**
 * Last grid index whose date is strictly before `date` (a flow paid on `date` is still to come there); −1 if none. The
 * same on the grid's times (years) for a time.
 */
export function lastIndexBefore(dates: Int32Array | Float64Array, date: number): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Last grid index whose date is on or before `date`; −1 if none. */
export function lastIndexOnOrBefore(dates: Int32Array, date: number): number {
  return lastIndexBefore(dates, date + 1);
}

/** Index of a currency's FX factor in layout.fxCurrencies, −1 for the base currency; throws when not simulated. */
export function fxIndexOf(layout: FactorLayout, currency: Currency, tradeId: string): number {
  if (currency === layout.baseCurrency) return -1;
  const i = layout.fxCurrencies.indexOf(currency);
  if (i < 0) throw new Error(`trade ${tradeId}: the simulation has no FX factor for ${currency} (layout.fxCurrencies)`);
  return i;
}

/** Index of a currency's LGM factor in layout.currencies; throws when not simulated. */
export function irIndexOf(layout: FactorLayout, currency: Currency, tradeId: string): number {
  const i = layout.currencies.indexOf(currency);
  if (i < 0) throw new Error(`trade ${tradeId}: the simulation has no interest-rate factor for ${currency} (layout.currencies)`);
  return i;
}

const onCurve = new WeakMap<LgmModel, Map<Pick<YieldCurve, 'discount'>, LgmModel>>();

/**
 * The LGM of `model` on another discount curve P'(0, ·) of the same currency (same H and ζ): bonds
 * P'(t, T) = P'(0, T)/P'(0, t)·exp(−(H(T) − H(t))·x − ½(H(T)² − H(t)²)·ζ(t)) = P(t, T)·B(T)/B(t), B = P'(0, ·)/P(0, ·),
 * a deterministic basis between the two curves (a cross-currency basis, docs/model.md). `model` itself when the curve
 * is its own. One object per (model, curve), so lgmOnGrid's tables are shared by every set on that curve.
 */
export function lgmOnCurve(model: LgmModel, curve: Pick<YieldCurve, 'discount'>): LgmModel {
  if (curve === model.curve) return model;
  let byCurve = onCurve.get(model);
  if (!byCurve) onCurve.set(model, (byCurve = new Map()));
  let variant = byCurve.get(curve);
  if (!variant) byCurve.set(curve, (variant = { params: model.params, curve, H: model.H, zeta: model.zeta, discount: (t) => curve.discount(t) }));
  return variant;
}

/** Per-date LGM constants of a currency on the grid: H(t_d), ζ(t_d), P(0, t_d). */
export interface LgmOnGrid {
  readonly model: LgmModel;
  readonly H: Float64Array;
  readonly zeta: Float64Array;
  readonly discount: Float64Array;
}

const onGrid = new WeakMap<LgmModel, WeakMap<TimeGrid, LgmOnGrid>>();

/** The LGM constants on the grid, computed once per model and grid (every compiled set and trade of a run shares them; read only). */
export function lgmOnGrid(model: LgmModel, grid: TimeGrid): LgmOnGrid {
  let byGrid = onGrid.get(model);
  if (!byGrid) onGrid.set(model, (byGrid = new WeakMap()));
  let cached = byGrid.get(grid);
  if (!cached) byGrid.set(grid, (cached = computeLgmOnGrid(model, grid)));
  return cached;
}

function computeLgmOnGrid(model: LgmModel, grid: TimeGrid): LgmOnGrid {
  const n = grid.times.length;
  const H = new Float64Array(n);
  const zeta = new Float64Array(n);
  const discount = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    const t = grid.times[d]!;
    H[d] = model.H(t);
    zeta[d] = model.zeta(t);
    discount[d] = model.discount(t);
  }
  return { model, H, zeta, discount };
}
