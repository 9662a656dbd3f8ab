/**
 * The cross-asset model of the exposure simulation (docs/model.md): under the base currency's LGM measure, one LGM
 * factor per currency, lognormal FX per non-base currency against the base, lognormal equities with dividend yield
 * in their currency, a Gaussian intensity per credit name, all correlated through one matrix from the market file
 * (Lichters, Stamm & Gallagher 2015, ch. 12: ORE's cross-asset model). This module gathers and checks the
 * parameters; stepPlan.ts turns them into exact Gaussian steps on a grid and simulate.ts runs the paths.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import { correlationOf } from '../../market/correlation.js';
import { DEFAULT_CREDIT_MODEL } from '../../market/loadCredit.js';
import type { EquityData, HazardCurve, Market } from '../../market/types.js';
import type { Currency } from '../../products/types.js';
import { lgmModel, type LgmModel } from '../models/lgm/parameters.js';
import type { FactorLayout } from '../types.js';
import { currencyLgmParams, type CurrencyCalibration, type CurrencyModelOptions } from './calibration.js';
import { creditLgm, type CreditLgm } from './credit.js';
import { factorise } from './factorise.js';

export interface CrossAssetModelOptions extends CurrencyModelOptions {
  /** Per-currency overrides of the calibration options (mean reversion, horizon, index). */
  perCurrency?: Partial<Record<Currency, CurrencyModelOptions>>;
  /**
   * Hazard curves of credit names the market does not list under `credit.names` (e.g. counterparties on a proxy
   * curve, keyed by the name used in the layout). Looked up first.
   */
  creditCurves?: ReadonlyMap<string, HazardCurve>;
}

export interface CrossAssetModel {
  readonly layout: FactorLayout;
  /** LGM model per currency (layout.currencies order): H, ζ and today's OIS discount curve. */
  readonly lgm: readonly LgmModel[];
  /** The calibration of each currency that was calibrated (undefined: parameters given by the market). */
  readonly calibrations: readonly (CurrencyCalibration | undefined)[];
  /** FX spot per layout.fxCurrencies: units of base per one unit of the currency. */
  readonly fxSpot: Float64Array;
  /** Index in layout.currencies of each FX currency. */
  readonly fxCurrencyIndex: Int32Array;
  /** Black vol of each FX currency against the base at time t (the market's), used as its spot vol. */
  readonly fxVol: readonly ((t: number) => number)[];
  /** Equity data per layout.equities. */
  readonly equities: readonly EquityData[];
  readonly equityVol: readonly ((t: number) => number)[];
  /** Index in layout.currencies of each equity's currency. */
  readonly equityCurrencyIndex: Int32Array;
  /** Index in layout.fxCurrencies of each equity's currency, −1 for the base currency. */
  readonly equityFxIndex: Int32Array;
  /** Gaussian intensity model per layout.creditNames. */
  readonly credit: readonly CreditLgm[];
  /** Correlation of the factors' Brownian drivers over layout.factorNames (row-major; identity where absent). */
  readonly correlation: Float64Array;
  /** How the correlation matrix was factorised (per connected block): Cholesky, or eigen when only PSD. */
  readonly correlationFactorisation: 'cholesky' | 'eigen';
  /** Smallest eigenvalue (relative) met in an eigen fallback; 0 when every block had a Cholesky factor. */
  readonly correlationMinEigenvalue: number;
  /** Blocks of factors connected by non-zero correlations (indices into factorNames). */
  readonly correlationBlocks: readonly Int32Array[];
}

function resolveCreditCurve(market: Market, name: string, extra: ReadonlyMap<string, HazardCurve> | undefined): HazardCurve | undefined {
  const given = extra?.get(name);
  if (given) return given;
  if (market.hasCreditCurve(name)) return market.creditCurve(name);
  if (name === 'OWN' && market.ownCredit) return market.ownCredit;
  const proxies = (market as { creditProxies?: readonly { name: string; curve: HazardCurve }[] }).creditProxies;
  return proxies?.find((p) => p.name === name)?.curve;
}

/** Connected components of the graph "i ~ j when matrix[i][j] ≠ 0" (sorted indices, components by first index). */
export function connectedBlocks(matrix: Float64Array, n: number): Int32Array[] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (matrix[i * n + j] !== 0) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(i);
  }
  return [...groups.values()].map((g) => Int32Array.from(g));
}

/**
 * Builds the cross-asset model for `layout`. Currencies without Hull-White parameters are calibrated to their
 * swaption vols (calibration.ts) unless `calibrate: 'never'`; a currency with neither, an FX pair without a vol, or
 * a credit name without a curve is an XvaInputError naming it and what the market file must give.
 */
export function buildCrossAssetModel(market: Market, layout: FactorLayout, options: CrossAssetModelOptions = {}): CrossAssetModel {
  const file = options.marketFile ?? 'market';
  const issues: InputIssue[] = [];
  const base = layout.baseCurrency;
  if (base !== market.baseCurrency) {
    issues.push({ file, column: 'baseCurrency', value: base, expected: `the layout's base currency to be the market's (${market.baseCurrency})` });
  }

  const lgm: LgmModel[] = [];
  const calibrations: (CurrencyCalibration | undefined)[] = [];
  for (const ccy of layout.currencies) {
    try {
      const { params, calibration } = currencyLgmParams(market, ccy, { ...options, ...options.perCurrency?.[ccy] });
      // the currency's curve collateralised in the base currency (its OIS curve unless curves.xccyBasis quotes a
      // basis against the base): the FX forwards the simulation implies are then the market's for base-collateralised
      // trades, and a set collateralised elsewhere re-bases its flows deterministically (valuation/model.ts lgmOnCurve)
      lgm.push(lgmModel(params, market.collateralDiscountCurve(ccy, base)));
      calibrations.push(calibration);
    } catch (error) {
      if (!(error instanceof XvaInputError)) throw error;
      issues.push(...error.issues);
    }
  }

  const fxSpot = new Float64Array(layout.fxCurrencies.length);
  const fxVol: ((t: number) => number)[] = [];
  const fxCurrencyIndex = new Int32Array(layout.fxCurrencies.length);
  layout.fxCurrencies.forEach((ccy, i) => {
    fxCurrencyIndex[i] = layout.currencies.indexOf(ccy);
    try {
      fxSpot[i] = market.fxSpot(ccy, base);
    } catch (error) {
      issues.push({ file, column: `fx.spots`, value: `${ccy}${base}`, expected: `an FX spot linking ${ccy} to ${base} (${(error as Error).message})` });
    }
    try {
      market.fxVol(ccy, base, 1);
      fxVol.push((t) => market.fxVol(ccy, base, t));
    } catch {
      issues.push({ file, column: `fx.vols.${ccy}${base}`, expected: `an FX volatility for ${ccy}${base} (or ${base}${ccy}): the simulation needs it for the FX factor` });
    }
  });

  const equities: EquityData[] = [];
  const equityVol: ((t: number) => number)[] = [];
  const equityCurrencyIndex = new Int32Array(layout.equities.length);
  const equityFxIndex = new Int32Array(layout.equities.length);
  layout.equities.forEach((name, e) => {
    const eq = market.equity(name);
    equities.push(eq);
    equityVol.push((t) => market.equityVol(name, t));
    equityCurrencyIndex[e] = layout.currencies.indexOf(eq.currency);
    equityFxIndex[e] = layout.fxCurrencies.indexOf(eq.currency);
  });

  const credit: CreditLgm[] = [];
  for (const name of layout.creditNames) {
    const curve = resolveCreditCurve(market, name, options.creditCurves);
    if (!curve) {
      issues.push({ file, column: `credit.names.${name}`, value: name, expected: 'a CDS curve for the credit name (credit.names, a proxy name, or OWN)' });
      continue;
    }
    credit.push(creditLgm(name, curve, market.creditModel?.(name) ?? DEFAULT_CREDIT_MODEL));
  }
  if (issues.length > 0) throw new XvaInputError(issues);

  // One correlation matrix over the factors' drivers, factorised once per connected block (a check that it is a
  // correlation matrix and the record of how: the market loader already refused non-PSD matrices).
  const names = layout.factorNames;
  const n = names.length;
  const correlation = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    correlation[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const rho = correlationOf(market, names[i]!, names[j]!);
      correlation[i * n + j] = rho;
      correlation[j * n + i] = rho;
    }
  }
  const correlationBlocks = connectedBlocks(correlation, n);
  let correlationFactorisation: 'cholesky' | 'eigen' = 'cholesky';
  let correlationMinEigenvalue = 0;
  for (const block of correlationBlocks) {
    const m = block.length;
    if (m === 1) continue;
    const sub = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = correlation[block[a]! * n + block[b]!]!;
    const factor = factorise(sub, m, `correlation of ${Array.from(block, (k) => names[k]).join(', ')}`);
    if (!factor.lowerTriangular) {
      correlationFactorisation = 'eigen';
      correlationMinEigenvalue = Math.min(correlationMinEigenvalue, factor.minRelativeEigenvalue);
    }
  }

  return Object.freeze({
    layout,
    lgm: Object.freeze(lgm),
    calibrations: Object.freeze(calibrations),
    fxSpot,
    fxCurrencyIndex,
    fxVol: Object.freeze(fxVol),
    equities: Object.freeze(equities),
    equityVol: Object.freeze(equityVol),
    equityCurrencyIndex,
    equityFxIndex,
    credit: Object.freeze(credit),
    correlation,
    correlationFactorisation,
    correlationMinEigenvalue,
    correlationBlocks: Object.freeze(correlationBlocks),
  });
}
