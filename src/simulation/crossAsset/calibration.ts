/**
 * LGM parameters of one currency for the cross-asset model: the market's Hull-White parameters when it gives them,
 * otherwise a bootstrap to a co-terminal basket of ATM European swaptions read off the market's swaption surface
 * (docs/model.md, "Calibration"):
 *
 * - final maturity T = the largest expiry + tenor quoted (or `horizonYears` when the caller knows the book's end);
 * - expiries 1, 2, …, K years with K the largest whole number ≤ T − 1 (plus 1% slack for ACT/365 tenor times), each
 *   into the swap that ends at T; when T < 2 years, the quoted expiries below T instead;
 * - the vol of each basket swaption interpolated from the quotes: linearly in tenor along each quoted expiry, then
 *   linearly in expiry between quoted expiries, flat beyond the ends of both (any scattered set of quotes works);
 * - fixed leg annual; float leg on the currency's term index with the longest tenor (`EUR-EURIBOR-6M`: semi-annual,
 *   its curve projecting the float leg and setting the ATM strike), or the OIS curve with annual float when the
 *   market has no term index of the currency;
 * - mean reversion held fixed (default 0.03, the value of ORE's examples), σ piecewise constant with steps at the
 *   basket expiries (calibrateLgmBootstrap).
 */
import { XvaInputError } from '../../errors.js';
import type { HullWhiteParams, Market, SwaptionVolQuote, SwaptionVolSurface } from '../../market/types.js';
import type { Currency } from '../../products/types.js';
import { calibrateLgmBootstrap, type LgmCalibrationResult } from '../models/lgm/calibration.js';

/** Mean reversion used when calibrating σ without given Hull-White parameters (ORE's examples use 0.03). */
export const DEFAULT_CALIBRATION_MEAN_REVERSION = 0.03;

export interface CurrencyModelOptions {
  /** 'auto' (default): given parameters, else calibrate to swaption vols; 'never': given parameters only. */
  calibrate?: 'auto' | 'never';
  /** Mean reversion of a calibrated currency (default DEFAULT_CALIBRATION_MEAN_REVERSION). */
  meanReversion?: number;
  /** Final maturity of the co-terminal basket in years (default: the surface's longest expiry + tenor). */
  horizonYears?: number;
  /** Float index of the basket swaps (default: the currency's longest-tenor term index, else OIS). */
  swaptionIndex?: string;
  /** Name of the market file, for messages (default `market`). */
  marketFile?: string;
}

export interface CurrencyCalibration {
  currency: Currency;
  /** The co-terminal basket calibrated to (vols interpolated from the surface). */
  basket: SwaptionVolQuote[];
  volType: SwaptionVolSurface['type'];
  floatIndex: string;
  result: LgmCalibrationResult;
}

/** Linear interpolation with flat extrapolation through (xs[i], ys[i]), xs increasing. */
function interpolateFlat(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let i = 1;
  while (xs[i]! < x) i++;
  const w = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
  return ys[i - 1]! + w * (ys[i]! - ys[i - 1]!);
}

/** Vol at (expiry, tenor) from scattered quotes: linear in tenor per quoted expiry, then linear in expiry. */
export function surfaceVol(quotes: readonly SwaptionVolQuote[], expiryYears: number, tenorYears: number): number {
  const rows = new Map<number, { tenor: number; vol: number }[]>();
  for (const q of quotes) {
    let row = rows.get(q.expiryYears);
    if (!row) rows.set(q.expiryYears, (row = []));
    row.push({ tenor: q.tenorYears, vol: q.vol });
  }
  const expiries = [...rows.keys()].sort((a, b) => a - b);
  const volsAtTenor = expiries.map((e) => {
    const row = rows.get(e)!.sort((a, b) => a.tenor - b.tenor);
    return interpolateFlat(row.map((r) => r.tenor), row.map((r) => r.vol), tenorYears);
  });
  return interpolateFlat(expiries, volsAtTenor, expiryYears);
}

/** The co-terminal basket of the file comment. */
export function coTerminalBasket(surface: SwaptionVolSurface, horizonYears?: number): SwaptionVolQuote[] {
  const quotes = surface.quotes;
  let end = horizonYears ?? 0;
  if (horizonYears === undefined) for (const q of quotes) end = Math.max(end, q.expiryYears + q.tenorYears);
  const lastExpiry = Math.floor(end - 1 + 0.01);
  const basket: SwaptionVolQuote[] = [];
  for (let e = 1; e <= lastExpiry; e++) basket.push({ expiryYears: e, tenorYears: end - e, vol: surfaceVol(quotes, e, end - e) });
  if (basket.length === 0) {
    const expiries = [...new Set(quotes.map((q) => q.expiryYears))].filter((e) => e < end).sort((a, b) => a - b);
    for (const e of expiries) basket.push({ expiryYears: e, tenorYears: end - e, vol: surfaceVol(quotes, e, end - e) });
  }
  return basket;
}

/** Term index of a currency with the longest tenor in months (`EUR-EURIBOR-6M`), or undefined. */
function defaultSwaptionIndex(market: Market, currency: Currency): { index: string; months: number } | undefined {
  const names = (market as { projectionIndices?: readonly string[] }).projectionIndices ?? [];
  let best: { index: string; months: number } | undefined;
  for (const name of names) {
    if (!name.startsWith(`${currency}-`)) continue;
    const m = /-(\d+)M$/.exec(name);
    if (!m) continue;
    const months = Number(m[1]);
    if (months > 0 && (best === undefined || months > best.months || (months === best.months && name < best.index))) best = { index: name, months };
  }
  return best;
}

/**
 * Hull-White parameters of `currency`: given (market), or calibrated (then with the calibration record), or an
 * XvaInputError naming the currency and what the market file must give.
 */
export function currencyLgmParams(
  market: Market,
  currency: Currency,
  options: CurrencyModelOptions = {},
): { params: HullWhiteParams; calibration: CurrencyCalibration | undefined } {
  const given = market.hullWhite(currency);
  const file = options.marketFile ?? 'market';
  if (given) return { params: given, calibration: undefined };
  const surface = market.swaptionVols(currency);
  if (options.calibrate === 'never' || !surface) {
    throw new XvaInputError([
      {
        file,
        column: `rates.${currency}`,
        expected:
          options.calibrate === 'never'
            ? `Hull-White parameters for ${currency} (rates.${currency}.hullWhite: meanReversion and sigma), since calibration is switched off`
            : `Hull-White parameters for ${currency} (rates.${currency}.hullWhite: meanReversion and sigma) or ATM swaption vols to calibrate them to (rates.${currency}.swaptionVols)`,
      },
    ]);
  }
  const basket = coTerminalBasket(surface, options.horizonYears);
  // on the curve the model simulates the currency on (model.ts: collateralised in the base currency), so that the
  // calibrated LGM reprices the basket on its own curve; an OIS swaption's float leg stays on the OIS curve
  const discount = market.collateralDiscountCurve(currency, market.baseCurrency);
  let floatIndex = `${currency}-OIS`;
  let floatPerYear = 1;
  let projection = market.discountCurve(currency);
  const chosen = options.swaptionIndex ?? defaultSwaptionIndex(market, currency)?.index;
  if (chosen !== undefined) {
    if (!market.hasProjectionCurve(chosen)) {
      throw new XvaInputError([{ file, column: `curves.projection.${chosen}`, value: chosen, expected: `a projection curve for the swaption index of ${currency}` }]);
    }
    const m = /-(\d+)M$/.exec(chosen);
    floatIndex = chosen;
    floatPerYear = m ? Math.max(1, Math.round(12 / Number(m[1]))) : 1;
    projection = market.projectionCurve(chosen);
  }
  const result = calibrateLgmBootstrap(
    { currency, type: surface.type, shift: surface.shift, quotes: basket },
    {
      meanReversion: options.meanReversion ?? DEFAULT_CALIBRATION_MEAN_REVERSION,
      discount,
      projection,
      fixedPeriodsPerYear: 1,
      floatPeriodsPerYear: floatPerYear,
      source: file,
      quotesPath: `rates.${currency}.swaptionVols (co-terminal basket interpolated from the quotes)`,
    },
  );
  return { params: result.params, calibration: { currency, basket, volType: surface.type, floatIndex, result } };
}
