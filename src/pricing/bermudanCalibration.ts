/**
 * Deal-specific calibration of a Bermudan swaption's LGM (ORE's and QuantLib's "co-terminal, deal strike" strategy):
 * the currency's mean reversion, and a piecewise-constant volatility with a step per exercise date, bootstrapped so
 * that each co-terminal European (the option, on exercise date E_k, to enter the swap the Bermudan enters there: the
 * periods from the fixed leg's accrual start S_k to the maturity, at the trade's own fixed rate) is worth its price on
 * the currency's swaption vol surface.
 *
 * Why: the engine's LGM of the currency is given in the market file or calibrated once to the co-terminal ATM
 * swaptions of the surface's last date (simulation/crossAsset/calibration.ts), so it need not reprice the 2Y×8Y a
 * 10-non-call-2 can enter. On the demo market (given Hull-White parameters and a surface) that model prices such
 * Europeans from −23% to +17% off the surface (USD 5Y×25Y, 10Y×10Y), and a Bermudan on it carried the same error
 * while the European on its own is priced on the surface. The deal's own model reprices its Europeans exactly, and
 * the Bermudan's price on top of them is the exercise premium the model adds.
 *
 * Each European is priced on the surface as pricing/swaption.ts prices a European (the market formula on the forward
 * swap rate of the periods entered, annuity-weighted strike, vol at E_k × the remaining tenor, an amortising swap's
 * average life), and under the LGM by the exact one-factor formula (closedForms.ts lgmSwaptionByZeta), which depends
 * on ζ(E_k) alone: so ζ(E_0), ζ(E_1), ... are solved one after the other (each price increases with ζ), and
 * σ_k² = (ζ(E_k) − ζ(E_{k−1}))/∫ e^{2κs} ds over (E_{k−1}, E_k]. A European whose surface price is below what the
 * variance already reached gives it (ζ would have to fall) gets σ_k = 0, and is then overpriced by the model: counted
 * in `unmatched`, as QuantLib's calibration reports a helper it cannot fit.
 *
 * Used whenever the market has a swaption surface for the currency, as a European swaption is then priced on the
 * surface (pricing/swaption.ts) whatever Hull-White parameters the market file gives: so a Bermudan with one
 * exercise date is that European. The mean reversion is the currency's (given, or the calibration's). Without a
 * surface the Bermudan is valued on the currency's Hull-White parameters (undefined here).
 */
import type { HullWhiteParams, Market } from '../market/types.js';
import type { Currency, Swaption } from '../products/types.js';
import { brentRoot } from '../simulation/models/lgm/brent.js';
import { lgmSwaptionByZeta } from '../simulation/models/lgm/closedForms.js';
import { lgmModel, lgmVarianceUnit, type LgmModel } from '../simulation/models/lgm/parameters.js';
import { exerciseSwaps, type ExerciseSwap } from './bermudan.js';
import { fixedLegFlows, floatLegFlows, flowsPv, type LegFlows } from './legs.js';
import { swaptionOnRate, swaptionTenorYears, swaptionVolTenorYears } from './swaption.js';
import { projectionFor } from './swaps.js';

export interface DealCalibration {
  /** The deal's LGM: the currency's mean reversion, a volatility step per exercise date. */
  model: LgmModel;
  /** Per exercise date still to come (after today): its time, the co-terminal European's surface price and ζ(E_k). */
  exerciseTimes: Float64Array;
  surfacePrices: Float64Array;
  zeta: Float64Array;
  /** Exercise dates whose European the model cannot reach (σ = 0 there and the model's price above the surface's). */
  unmatched: number;
}

/** The flows of `flows` accruing from `from` (years) on, as a LegFlows of their own. */
function flowsFrom(flows: LegFlows, from: number): LegFlows {
  let first = 0;
  while (first < flows.count && flows.accrualStartTimes[first]! < from) first++;
  const part = (a: Float64Array) => a.subarray(first, flows.count);
  return {
    count: flows.count - first,
    paymentTimes: part(flows.paymentTimes),
    amounts: part(flows.amounts),
    accrualStartTimes: part(flows.accrualStartTimes),
    accrualEndTimes: part(flows.accrualEndTimes),
    accrualFractions: part(flows.accrualFractions),
    notionals: part(flows.notionals),
  };
}

/**
 * The co-terminal European entered at `swap` (holder's option, a positive value) on the market's swaption surface,
 * by the formula of pricing/swaption.ts on the periods it enters.
 */
function surfacePrice(trade: Swaption, swap: ExerciseSwap, market: Market, model: LgmModel, fixed: LegFlows, float: LegFlows): number {
  const surface = market.swaptionVols(trade.fixedLeg.currency)!;
  const from = swap.startTime - 0.5 / 365; // the periods exerciseSwaps puts in the swap (a day's tolerance)
  const fixedPart = flowsFrom(fixed, from);
  const floatPart = flowsFrom(float, from);
  let annuityPerRate = 0;
  for (let j = 0; j < fixedPart.count; j++) annuityPerRate += fixedPart.notionals[j]! * fixedPart.accrualFractions[j]! * model.discount(fixedPart.paymentTimes[j]!);
  if (!(annuityPerRate > 0)) return 0;
  const forward = flowsPv(floatPart, model.curve) / annuityPerRate;
  const strike = flowsPv(fixedPart, model.curve) / annuityPerRate;
  // the vol surface's tenor: the entered swap's, from S_k to the maturity (an amortising one's average life)
  const entered: Swaption = { ...trade, fixedLeg: { ...trade.fixedLeg, startDate: swap.startDate } };
  const tenorYears = trade.fixedLeg.amortization === undefined ? swaptionTenorYears(entered) : swaptionVolTenorYears(entered, fixedPart);
  return annuityPerRate * swaptionOnRate(trade.optionType, surface, forward, strike, swap.exerciseTime, tenorYears, trade.tradeId);
}

const cache = new WeakMap<Swaption, { market: Market; curve: LgmModel['curve']; calibration: DealCalibration | undefined }>();

/**
 * The deal's calibrated LGM on `base`'s curve (the set's collateral curve), or undefined when the currency's model
 * is given in the market file (or there is no surface). Cached per trade, market and curve.
 */
export function dealCalibration(trade: Swaption, market: Market, base: LgmModel): DealCalibration | undefined {
  const held = cache.get(trade);
  if (held && held.market === market && held.curve === base.curve) return held.calibration;
  const calibration = calibrate(trade, market, base);
  cache.set(trade, { market, curve: base.curve, calibration });
  return calibration;
}

function calibrate(trade: Swaption, market: Market, base: LgmModel): DealCalibration | undefined {
  const ccy: Currency = trade.fixedLeg.currency;
  if (market.swaptionVols(ccy) === undefined) return undefined;
  const kappa = base.params.meanReversion;
  const swaps = exerciseSwaps(trade, market, base).filter((s) => s.exerciseTime > 0);
  if (swaps.length === 0) return undefined; // only today's exercise: no variance to calibrate
  const fixed = fixedLegFlows(trade.fixedLeg, market);
  const float = floatLegFlows(trade.floatLeg, market, projectionFor(trade.tradeId, trade.floatLeg, market));
  const m = swaps.length;
  const exerciseTimes = Float64Array.from(swaps, (s) => s.exerciseTime);
  const surfacePrices = new Float64Array(m);
  const zeta = new Float64Array(m);
  const sigmas = new Float64Array(m);
  let unmatched = 0;
  let zetaBefore = 0;
  let timeBefore = 0;
  for (let k = 0; k < m; k++) {
    const swap = swaps[k]!;
    const target = surfacePrice(trade, swap, market, base, fixed, float);
    surfacePrices[k] = target;
    // the holder's swap is already signed (payer or receiver), so the option is max(V, 0): lgm's 'receiver'
    const price = lgmSwaptionByZeta(base, swap.exerciseTime, swap, 'receiver');
    const f = (z: number): number => price(z) - target;
    let z = zetaBefore;
    const fLow = f(zetaBefore);
    if (fLow < 0) {
      let hi = Math.max(2 * zetaBefore, 1e-6);
      let fHi = f(hi);
      for (let i = 0; i < 60 && fHi < 0; i++) {
        hi *= 4;
        fHi = f(hi);
      }
      z = fHi < 0 ? hi : brentRoot(f, zetaBefore, hi, fLow, fHi, 1e-18 + 1e-14 * hi);
    } else if (fLow > 1e-10 * Math.max(target, 1)) unmatched++;
    zeta[k] = z;
    const unit = lgmVarianceUnit(kappa, timeBefore, swap.exerciseTime);
    sigmas[k] = unit > 0 ? Math.sqrt(Math.max(z - zetaBefore, 0) / unit) : 0;
    zetaBefore = z;
    timeBefore = swap.exerciseTime;
  }
  const params: HullWhiteParams = { currency: ccy, meanReversion: kappa, sigmaTimes: exerciseTimes.slice(), sigmas, source: 'calibrated' };
  return { model: lgmModel(params, base.curve), exerciseTimes, surfacePrices, zeta, unmatched };
}
