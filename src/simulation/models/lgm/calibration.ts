/**
 * Bootstrap of the LGM / Hull-White volatility to a basket of ATM European swaptions with increasing expiries
 * (usually co-terminal: all ending at the final maturity of the book, as ORE's `CalibrationType` Bootstrap does),
 * given the mean reversion κ (LSG §12.3).
 *
 * A European swaption price depends on the volatility only through ζ(T_e) (closedForms.ts), and ζ(T_i) depends only on
 * σ₁..σᵢ. So σ is piecewise constant with steps at the expiries, and expiry by expiry one σᵢ on (T_{i−1}, T_i] is
 * solved with Brent so that the model reprices the quote; the last σ extends flat. Quotes are normal (Bachelier) or
 * shifted-lognormal (Black-76) volatilities of the physically settled swaption, converted to prices with the
 * fixed-leg annuity.
 */
import type { HullWhiteParams, SwaptionVolSurface, YieldCurve } from '../../../market/types.js';
import { XvaInputError } from '../../../errors.js';
import { bachelier, black76 } from '../../../pricing/black.js';
import { brentRoot } from './brent.js';
import { lgmSwaptionByZeta } from './closedForms.js';
import { lgmModel, lgmVarianceUnit, lgmZeta } from './parameters.js';
import { forwardSwapRate, receiverSwapBonds, swapAnnuity, swapSchedule } from './swaps.js';

type Curve = Pick<YieldCurve, 'discount'>;

export interface LgmCalibrationOptions {
  /** Hull-White mean reversion κ, held fixed. */
  meanReversion: number;
  /** OIS discount curve of the currency. */
  discount: Curve;
  /** Projection curve of the swaptions' float index; the discount curve when absent (single curve). */
  projection?: Curve;
  /** Fixed-leg payments a year of the underlying swaps (default 1, annual). */
  fixedPeriodsPerYear?: number;
  /** Float-leg payments a year (default 2, semi-annual). */
  floatPeriodsPerYear?: number;
  /** Upper end of the σ search, absolute (default 0.5 = 5,000bp a year: far above any market). */
  sigmaUpper?: number;
  /** File the quotes came from, for error messages (default `market`). */
  source?: string;
  /** YAML path of the quotes in that file, for error messages (default `swaptionVols.<currency>.quotes`). */
  quotesPath?: string;
}

export interface LgmCalibrationResult {
  /** The calibrated parameters: sigmaTimes = the expiries, source 'calibrated'. */
  params: HullWhiteParams;
  expiryYears: Float64Array;
  tenorYears: Float64Array;
  /** ATM (forward swap) rates used as strikes. */
  strikes: Float64Array;
  /** Market prices from the quotes, per unit notional. */
  marketPrices: Float64Array;
  /** Model prices with the calibrated parameters, per unit notional. */
  modelPrices: Float64Array;
  /** modelPrices − marketPrices. */
  repricingErrors: Float64Array;
  /** ζ at each expiry (independent of how σ is parametrised between expiries). */
  zetaAtExpiries: Float64Array;
}

/** σ tolerance of the Brent search: far below any quote's meaning (1e-15 absolute, i.e. 1e-11bp). */
const SIGMA_TOLERANCE = 1e-15;

/**
 * Calibrates piecewise-constant Hull-White σ (given κ) to the ATM swaptions of `surface`, one per expiry, in
 * increasing expiry order. Throws an XvaInputError naming the quote (expiry and tenor), its vol and the range of
 * prices the model can reach when a quote cannot be matched, or when the basket is malformed.
 */
export function calibrateLgmBootstrap(surface: SwaptionVolSurface, options: LgmCalibrationOptions): LgmCalibrationResult {
  const source = options.source ?? 'market';
  const quotesPath = options.quotesPath ?? `swaptionVols.${surface.currency}.quotes`;
  const discount = options.discount;
  const projection = options.projection ?? discount;
  const fixedPerYear = options.fixedPeriodsPerYear ?? 1;
  const floatPerYear = options.floatPeriodsPerYear ?? 2;
  const sigmaUpper = options.sigmaUpper ?? 0.5;
  const kappa = options.meanReversion;

  const quotes = surface.quotes;
  const n = quotes.length;
  const issues: ConstructorParameters<typeof XvaInputError>[0] = [];
  if (n === 0) issues.push({ file: source, column: quotesPath, expected: 'at least one swaption quote to calibrate to' });
  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    const column = `${quotesPath}[${i}]`;
    if (!(q.expiryYears > 0) || (i > 0 && !(q.expiryYears > quotes[i - 1]!.expiryYears))) {
      issues.push({ file: source, column: `${column}.expiry`, value: String(q.expiryYears), expected: 'expiries that are positive and strictly increasing along the calibration basket' });
    }
    if (!(q.tenorYears > 0)) issues.push({ file: source, column: `${column}.tenor`, value: String(q.tenorYears), expected: 'a positive swap tenor' });
    if (!(q.vol > 0) || !Number.isFinite(q.vol)) issues.push({ file: source, column: `${column}.vol`, value: String(q.vol), expected: 'a positive volatility' });
  }
  if (!Number.isFinite(kappa)) issues.push({ file: source, column: 'meanReversion', value: String(kappa), expected: 'a finite mean reversion' });
  if (issues.length > 0) throw new XvaInputError(issues);

  const expiryYears = Float64Array.from(quotes, (q) => q.expiryYears);
  const tenorYears = Float64Array.from(quotes, (q) => q.tenorYears);
  const strikes = new Float64Array(n);
  const marketPrices = new Float64Array(n);
  const modelPrices = new Float64Array(n);
  const zetaAtExpiries = new Float64Array(n);
  const sigmas = new Float64Array(n);
  const params: HullWhiteParams = { currency: surface.currency, meanReversion: kappa, sigmaTimes: Float64Array.from(expiryYears), sigmas, source: 'calibrated' };
  // The pricers below take ζ(T_i) explicitly; the model supplies H and the curve, which do not depend on σ.
  const model = lgmModel(params, discount);

  let zetaBefore = 0;
  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    const expiry = q.expiryYears;
    const schedule = swapSchedule(expiry, q.tenorYears, fixedPerYear, floatPerYear);
    const annuity = swapAnnuity(discount, schedule);
    const atm = forwardSwapRate(discount, schedule, projection);
    strikes[i] = atm;
    // ATM payer = receiver, in the market and (the swap being worth zero today) in the model.
    const market =
      surface.type === 'normal'
        ? bachelier('call', atm, atm, q.vol, expiry, annuity)
        : atm + surface.shift > 0
          ? black76('call', atm + surface.shift, atm + surface.shift, q.vol, expiry, annuity)
          : NaN;
    const label = `${quotesPath}[${i}] (expiry ${expiry}Y, tenor ${q.tenorYears}Y)`;
    if (!Number.isFinite(market)) {
      throw new XvaInputError([{ file: source, column: label, value: `ATM rate ${atm} with shift ${surface.shift}`, expected: 'a shifted forward above zero for a Black (lognormal) quote' }]);
    }
    marketPrices[i] = market;
    const price = lgmSwaptionByZeta(model, expiry, receiverSwapBonds(discount, schedule, atm, projection), 'payer');
    const unit = lgmVarianceUnit(kappa, i === 0 ? 0 : expiryYears[i - 1]!, expiry);
    const objective = (sigma: number): number => price(zetaBefore + sigma * sigma * unit) - market;
    const fLow = objective(0);
    const fHigh = objective(sigmaUpper);
    if (fLow > 0 || fHigh < 0) {
      const bpsVol = surface.type === 'normal' ? `${(q.vol * 1e4).toFixed(2)}bp normal` : `${(q.vol * 100).toFixed(4)}% lognormal (shift ${surface.shift})`;
      throw new XvaInputError([
        {
          file: source,
          column: label,
          value: `${bpsVol}, price ${market.toExponential(6)} per unit notional`,
          expected:
            `a price the model can reach given the earlier expiries: between ${(fLow + market).toExponential(6)} (no variance added after ` +
            `${i === 0 ? 0 : expiryYears[i - 1]}Y) and ${(fHigh + market).toExponential(6)} (sigma ${sigmaUpper}); ` +
            (fLow > 0 ? 'the quote is below what the earlier expiries already imply' : 'the quote is above the largest volatility searched'),
        },
      ]);
    }
    const sigma = brentRoot(objective, 0, sigmaUpper, fLow, fHigh, SIGMA_TOLERANCE);
    sigmas[i] = sigma;
    zetaBefore += sigma * sigma * unit;
    zetaAtExpiries[i] = zetaBefore;
  }

  const repricingErrors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    const schedule = swapSchedule(q.expiryYears, q.tenorYears, fixedPerYear, floatPerYear);
    const price = lgmSwaptionByZeta(model, q.expiryYears, receiverSwapBonds(discount, schedule, strikes[i]!, projection), 'payer');
    modelPrices[i] = price(lgmZeta(params, q.expiryYears));
    repricingErrors[i] = modelPrices[i]! - marketPrices[i]!;
  }
  return { params, expiryYears, tenorYears, strikes, marketPrices, modelPrices, repricingErrors, zetaAtExpiries };
}
