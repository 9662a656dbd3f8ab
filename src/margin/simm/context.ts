/**
 * What every SIMM risk-class computation needs besides the sensitivities: the parameters (version and horizon),
 * the calculation currency (Risk_FX in it is excluded, FX risk weights and correlations depend on its group) and
 * the conversion of concentration thresholds (USD millions) into the result currency.
 */
import type { SimmParameters } from './parameters.js';

export interface SimmContext {
  readonly params: SimmParameters;
  readonly calculationCurrency: string;
  /** Result-currency units per 1 USD (1 when results are in USD). */
  readonly usdToResult: number;
  /** A threshold in USD millions, in result-currency units (SIMM v2.6 §G: thresholds are USD mm). */
  thresholdAmount(usdMillions: number): number;
}

export function simmContext(params: SimmParameters, calculationCurrency: string, usdToResult = 1): SimmContext {
  return {
    params,
    calculationCurrency,
    usdToResult,
    thresholdAmount: (usdMillions: number) => usdMillions * 1e6 * usdToResult,
  };
}
