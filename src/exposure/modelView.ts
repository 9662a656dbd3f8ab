/**
 * The cross-asset model as the two readers of it in the exposure stage see it: the pricers on paths (ValuationModel:
 * LGM and credit models looked up by name) and the manifest (every parameter, calibrated sigmas and the calibration's
 * repricing errors, as plain JSON).
 */
import type { Market } from '../market/types.js';
import type { Currency } from '../products/types.js';
import type { CrossAssetModel } from '../simulation/crossAsset/model.js';
import type { ValuationModel } from './valuation/model.js';

/** The ValuationModel view of a cross-asset model (lookups by currency and credit name). */
export function valuationModelOf(model: CrossAssetModel): ValuationModel {
  const { layout } = model;
  const lgmIndex = new Map(layout.currencies.map((c, i) => [c, i]));
  const creditIndex = new Map(layout.creditNames.map((n, i) => [n, i]));
  // one view per name: compiled CDS terms are kept per trade and credit model (cds.ts compileCdsOnce)
  const creditViews = new Map<string, ReturnType<ValuationModel['credit']>>();
  return {
    layout,
    lgm(currency: Currency) {
      const i = lgmIndex.get(currency);
      if (i === undefined) throw new Error(`the simulation has no interest-rate factor for ${currency}`);
      return model.lgm[i]!;
    },
    credit(name: string) {
      const i = creditIndex.get(name);
      if (i === undefined) throw new Error(`the simulation has no credit factor for ${name}`);
      let view = creditViews.get(name);
      if (!view) {
        const c = model.credit[i]!;
        creditViews.set(name, (view = { H: (t: number) => c.H(t), zeta: (t: number) => c.zeta(t), survival0: (t: number) => c.survival(t) }));
      }
      return view;
    },
  };
}

const round = (x: number): number => Number(x.toPrecision(12));
const list = (a: ArrayLike<number>): number[] => Array.from(a, round);

/** Every parameter of the model as plain JSON for manifest.json (docs/simulation.md, "manifest.json"). */
export function describeModel(model: CrossAssetModel, market: Market): Record<string, unknown> {
  const { layout } = model;
  return {
    measure: `LGM measure of the base currency ${layout.baseCurrency}: numeraire N(t) = exp(H(t)x + H(t)^2 zeta(t)/2) / P(0,t)`,
    factors: layout.factorNames,
    factorStreams: Array.from(layout.factorStreams),
    rates: layout.currencies.map((currency, i) => {
      const { params } = model.lgm[i]!;
      const calibration = model.calibrations[i];
      return {
        currency,
        source: params.source,
        meanReversion: params.meanReversion,
        sigmaTimes: Array.from(params.sigmaTimes, (t) => (Number.isFinite(t) ? round(t) : null)),
        sigmas: list(params.sigmas),
        ...(calibration
          ? {
              calibration: {
                volType: calibration.volType,
                floatIndex: calibration.floatIndex,
                expiryYears: list(calibration.result.expiryYears),
                tenorYears: list(calibration.result.tenorYears),
                vols: calibration.basket.map((q) => round(q.vol)),
                strikes: list(calibration.result.strikes),
                marketPrices: list(calibration.result.marketPrices),
                modelPrices: list(calibration.result.modelPrices),
                repricingErrors: Array.from(calibration.result.repricingErrors),
                maxAbsRepricingError: Math.max(0, ...Array.from(calibration.result.repricingErrors, Math.abs)),
              },
            }
          : {}),
      };
    }),
    fx: layout.fxCurrencies.map((currency, i) => ({
      pair: `${currency}${layout.baseCurrency}`,
      spot: model.fxSpot[i],
      vol1y: round(model.fxVol[i]!(1)),
    })),
    equities: layout.equities.map((name, e) => {
      const eq = model.equities[e]!;
      return { name, currency: eq.currency, spot: eq.spot, dividendYield: eq.dividendYield, vol1y: round(model.equityVol[e]!(1)) };
    }),
    credit: model.credit.map((c) => ({ name: c.name, meanReversion: c.meanReversion, volatility: c.volatility, source: c.source, recovery: c.curve.recovery })),
    correlation: {
      factorisation: model.correlationFactorisation,
      minRelativeEigenvalue: model.correlationMinEigenvalue,
      blocks: model.correlationBlocks.map((b) => Array.from(b, (k) => layout.factorNames[k])),
      marketFactors: market.correlation.factors.length,
    },
  };
}
