/**
 * Wrong-way CVA of the counterparties whose `wrong_way_model` asks for it (docs/xva.md, "Wrong-way risk"), reported
 * beside the independent CVA computed on the very same paths:
 *   1. paths: the book's market paths plus CR:<name> of intensity-model counterparties, and each netting set's
 *      discounted positive exposure X_p(t_k) = (V − C)⁺/N on them (paths.ts);
 *   2. drivers z_p,i: b·V/1e6 (exposure model) or σ·ξ (intensity model) per exposure interval (drivers.ts);
 *   3. a_i fitted so that the path-average survival reprices the counterparty's CDS or proxy curve at every exposure
 *      date (hazardFit.ts);
 *   4. CVA_WWR = LGD (1/n) Σ_p Σ_i w_p,i X_p,i with the path's default weights (pathCva.ts); the independent CVA is
 *      Σ_k W[k]·EPE(t_k) with weights.ts's W, exactly as compute.ts, on the same paths.
 * The hazard is the counterparty's (one default time for all its netting sets); per netting set the CVA uses that
 * hazard with the set's own exposure, and the counterparty's figures are the sums over its sets. DVA, FCA, FBA and
 * ColVA are not affected (the bank's default and funding are not linked to the counterparty's).
 */
import { XvaInputError } from '../../errors.js';
import type { Market } from '../../market/types.js';
import type { Portfolio, WrongWaySpec } from '../../portfolio/types.js';
import type { GridSpec } from '../../simulation/grid.js';
import type { TimeGrid } from '../../simulation/types.js';
import type { XvaOptions } from '../compute.js';
import type { CreditInputs } from '../credit.js';
import { defaultWeights, type SurvivalCurve } from '../weights.js';
import { exposureDrivers, intensityDrivers } from './drivers.js';
import { fitHazardDrift, type HazardFit } from './hazardFit.js';
import { independentPathCva, meanStdError, pathwiseCva } from './pathCva.js';
import { wrongWayPaths, type WrongWayPaths } from './paths.js';
import type { InitialMarginProfile } from '../../exposure/collateral.js';

export interface WrongWayRow {
  scope: 'netting_set' | 'counterparty';
  counterpartyId: string;
  /** null on the counterparty row. */
  nettingSetId: string | null;
  model: WrongWaySpec['model'];
  creditCurve: string;
  /** Exposure model: b per 1,000,000 of base currency; null for the intensity model. */
  betaPerMillion: number | null;
  /** Intensity model: σ of ln h per √year, and the mean reversion κ per year (the market's credit model); else null. */
  logVolatility: number | null;
  meanReversion: number | null;
  /** Independent CVA on the same paths (= compute.ts's CVA of the base run when the paths are the same). */
  cva: number;
  cvaWrongWay: number;
  /** cvaWrongWay / cva; null when cva = 0. */
  ratio: number | null;
  /** Monte Carlo standard errors: of each CVA (per-path contributions), and of their difference (same paths). */
  cvaStdError: number;
  cvaWrongWayStdError: number;
  differenceStdError: number;
  /** max over the exposure dates of |(1/n) Σ_p S_p(t_k) − S(t_k)|: how well a(t) reprices the curve. */
  survivalFitError: number;
}

export interface WrongWayDetail {
  counterpartyId: string;
  spec: WrongWaySpec;
  /** Exposure times (years) and the fit: a_i, path survival and hazard. */
  times: Float64Array;
  fit: HazardFit;
}

export interface WrongWayResult {
  rows: WrongWayRow[];
  details: WrongWayDetail[];
  nPaths: number;
  /** The path data (for callers that reuse the paths, e.g. tests). */
  paths: WrongWayPaths;
}

export interface WrongWayInput {
  portfolio: Portfolio;
  market: Market;
  credit: CreditInputs;
  xva: XvaOptions;
  /** The base run's grid (its very paths), or the grid spec (the engine's grid is rebuilt: --results). */
  grid: TimeGrid | GridSpec;
  paths: number;
  seed: number;
  /**
   * The credit names simulated beside the book's factors; default: the CR:<cds_curve> of the intensity-model
   * counterparties in `credit`. A shard (scale/xvaShard.ts) values only its own counterparties but passes the whole
   * book's names, so that the layout, hence every path, is the single run's.
   */
  creditNames?: readonly string[];
  /** IM held per netting set and date (`--dynamic-im`), as the base run holds it; else `initial_margin_held`. */
  initialMarginProfiles?: ReadonlyMap<string, InitialMarginProfile>;
  /** The base run's draws (default philox); under 'sobol' its Sobol points (paths.ts WrongWayPathsInput.rng). */
  rng?: 'philox' | 'sobol';
}

/** The counterparties of the book (with exposure: in `credit`) that ask for a wrong-way model, in book order. */
export function wrongWayCounterparties(portfolio: Portfolio, credit: CreditInputs): { counterpartyId: string; spec: WrongWaySpec; curveName: string }[] {
  const out: { counterpartyId: string; spec: WrongWaySpec; curveName: string }[] = [];
  for (const cp of portfolio.counterparties) {
    const c = credit.counterparties.get(cp.counterpartyId);
    if (!cp.wrongWay || !c) continue;
    if (cp.wrongWay.model === 'intensity' && cp.cdsCurve === undefined) {
      // the loader refuses this row; a portfolio built by hand may not
      throw new XvaInputError([{ file: 'counterparties', ...(cp.sourceRow !== undefined ? { row: cp.sourceRow } : {}), column: 'cds_curve', value: cp.counterpartyId, expected: 'a credit.names curve for wrong_way_model intensity' }]);
    }
    out.push({ counterpartyId: cp.counterpartyId, spec: cp.wrongWay, curveName: cp.wrongWay.model === 'intensity' ? cp.cdsCurve! : c.curveName });
  }
  return out;
}

const SURVIVES: SurvivalCurve = { survival: () => 1 };

/** Wrong-way and independent CVA per netting set and counterparty of every counterparty with a wrong-way model. */
export function wrongWayCva(input: WrongWayInput): WrongWayResult {
  const { portfolio, market, credit, xva } = input;
  const wanted = wrongWayCounterparties(portfolio, credit);
  const intensityNames = input.creditNames ?? [...new Set(wanted.filter((w) => w.spec.model === 'intensity').map((w) => w.curveName))];
  const data = wrongWayPaths({
    portfolio,
    market,
    grid: input.grid,
    paths: input.paths,
    seed: input.seed,
    counterpartyIds: wanted.map((w) => w.counterpartyId),
    creditNames: intensityNames,
    ...(input.initialMarginProfiles ? { initialMarginProfiles: input.initialMarginProfiles } : {}),
    ...(input.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
  });
  const { times, nPaths, exposureDates } = data;
  const m = times.length - 1;
  const rows: WrongWayRow[] = [];
  const details: WrongWayDetail[] = [];
  const perPathWwr = new Float64Array(nPaths);
  const perPathInd = new Float64Array(nPaths);
  const cpWwr = new Float64Array(nPaths);
  const cpInd = new Float64Array(nPaths);
  const difference = new Float64Array(nPaths);

  wanted.forEach((w, index) => {
    const c = credit.counterparties.get(w.counterpartyId)!;
    const cpData = data.counterparties[index]!;
    let drivers: Float64Array;
    let meanReversion: number | null = null;
    if (w.spec.model === 'exposure') {
      drivers = exposureDrivers(cpData.value, m, nPaths, w.spec.betaPerMillion, xva.discretisation);
    } else {
      const n = data.model.layout.creditNames.indexOf(w.curveName);
      const model = data.model.credit[n]!;
      if (!(model.volatility > 0)) {
        throw new XvaInputError([
          {
            file: 'market',
            // the book-wide key, or the name's own where it sets one (market.ts creditModel)
            column: `credit.model.volatility (or credit.names.${w.curveName}.model.volatility where the name sets its own model)`,
            value: String(model.volatility),
            expected: `a positive credit model volatility: counterparty ${w.counterpartyId}'s intensity wrong-way model reads its Brownian driver from the simulated CR:${w.curveName} state`,
          },
        ]);
      }
      meanReversion = model.meanReversion;
      drivers = intensityDrivers(data.paths.creditState[n]!, exposureDates, times, nPaths, model.meanReversion, model.volatility, w.spec.logVolatility, xva.discretisation);
    }
    const target = Float64Array.from(times, (t) => c.curve.survival(t));
    const parameter = w.spec.model === 'exposure' ? { column: 'wrong_way_beta_per_m', value: w.spec.betaPerMillion } : { column: 'wrong_way_log_vol', value: w.spec.logVolatility };
    const fit = fitHazardDrift(times, target, drivers, nPaths, `counterparty ${w.counterpartyId} (curve ${c.curveName})`, parameter);
    details.push({ counterpartyId: w.counterpartyId, spec: w.spec, times, fit });

    const lgd = 1 - c.recovery;
    const own = credit.own;
    const independentWeights = defaultWeights(times, c.curve, own ?? SURVIVES, xva.mode, xva.discretisation).map((x) => x * lgd);
    const common = {
      counterpartyId: w.counterpartyId,
      model: w.spec.model,
      creditCurve: w.curveName,
      betaPerMillion: w.spec.model === 'exposure' ? w.spec.betaPerMillion : null,
      logVolatility: w.spec.model === 'intensity' ? w.spec.logVolatility : null,
      meanReversion,
      survivalFitError: fit.maxFitError,
    };
    cpWwr.fill(0);
    cpInd.fill(0);
    let cpCva = 0;
    let cpCvaWwr = 0;
    for (const set of cpData.sets) {
      perPathWwr.fill(0);
      perPathInd.fill(0);
      const cvaWrongWay = pathwiseCva(
        { times, nPaths, exposure: set.exposure, survival: fit.survival, hazard: fit.hazard, own, mode: xva.mode, discretisation: xva.discretisation, lgd },
        perPathWwr,
      );
      const cva = independentPathCva(independentWeights, set.exposure, nPaths, perPathInd);
      for (let p = 0; p < nPaths; p++) {
        cpWwr[p] = cpWwr[p]! + perPathWwr[p]!;
        cpInd[p] = cpInd[p]! + perPathInd[p]!;
      }
      cpCva += cva;
      cpCvaWwr += cvaWrongWay;
      rows.push({ scope: 'netting_set', nettingSetId: set.nettingSetId, ...common, ...figures(cva, cvaWrongWay, perPathInd, perPathWwr, difference, nPaths) });
    }
    rows.push({ scope: 'counterparty', nettingSetId: null, ...common, ...figures(cpCva, cpCvaWwr, cpInd, cpWwr, difference, nPaths) });
  });
  return { rows, details, nPaths, paths: data };
}

function figures(cva: number, cvaWrongWay: number, independent: Float64Array, wrongWay: Float64Array, difference: Float64Array, nPaths: number) {
  for (let p = 0; p < nPaths; p++) difference[p] = wrongWay[p]! - independent[p]!;
  return {
    cva,
    cvaWrongWay,
    ratio: cva !== 0 ? cvaWrongWay / cva : null,
    cvaStdError: meanStdError(independent, nPaths),
    cvaWrongWayStdError: meanStdError(wrongWay, nPaths),
    differenceStdError: meanStdError(difference, nPaths),
  };
}
