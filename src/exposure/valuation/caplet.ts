/**
 * A term caplet (or floorlet) after its fixing, on paths: the payment it has fixed, seen from the grid states.
 *
 * A cap's caplet is the one-period physically settled swaption (pricing/capFloor.ts) fixing at its accrual start s
 * (the swaption's expiry T). From T it pays N·(ω·(F(X) − (1 + τK)))⁺ at its payment date, X the LGM state at T and
 * F(X) = 1 + τ·L(X) = β·P(T, s | X)/P(T, e | X) = C·e^{δ·X}, δ = H(e) − H(s), C = β·P(0,s)/P(0,e)·e^{½(H(e)² − H(s)²)·ζ(T)}
 * (β the index's deterministic basis to the curve of the LGM, as the pools take it: legs.ts). Where T falls between
 * grid dates t_e < T < t_{e+1}, X is not on the paths; given the grid states x_e and x_{e+1} it is the Brownian bridge
 * N(m, s²), m = x_e + b·(x_{e+1} − x_e), b = (ζ(T) − ζ(t_e))/(ζ(t_{e+1}) − ζ(t_e)), s² = (ζ(T) − ζ(t_e))·(ζ(t_{e+1}) −
 * ζ(T))/(ζ(t_{e+1}) − ζ(t_e)) (swaption.ts, the exercise of a European swaption). The fixed payment's expectation given
 * them is Black's formula on the lognormal F: at t ≥ t_{e+1}, in the caplet's currency,
 *
 *   V(t) = scale·ω·P(t, pay | x_t)·[F̄·Φ(ω·d1) − (1 + τK)·N·Φ(ω·d2)],  F̄ = N·C·e^{δ·m + ½δ²s²},  d1,2 = (ln F̄ − ln N(1 + τK))/(|δ|s) ± ½|δ|s,
 *
 * and with s = 0 (T on a grid date) the intrinsic payment. From t_{e+1} the bond P(t, pay | x_t) depends on the later
 * states only, which given x_{e+1} are independent of X, so E[V(t)/N(t)] and E[V(t)⁺/N(t)] are those of the fixed
 * payment on a lone caplet: exact, where reading the fixing on x_e lost the rate's variance between t_e and T (7% of a
 * cap's EPE between fixing and payment seven months off the grid, docs/simulation.md). Before T the caplet is the
 * swaption's conditional option (swaption.ts); a caplet on an overnight index compounded in arrears is the
 * underlying's pool decided on the state drawn at its start, its accrual fixing on it (compile.ts ExercisedSwaption;
 * its rate runs to the period's end).
 *
 * In the base currency (times FX) the value is one `black` device leg (options.ts DeviceLegEntry): lnA and lnB linear
 * in x_t, x_e, x_{e+1} and ln FX_t, so the GPU backend values it with the formula it has for FX options.
 */
import type { Market } from '../../market/types.js';
import type { Swaption } from '../../products/types.js';
import { basisRatio } from '../../pricing/curves.js';
import { fixedLegFlows, floatLegFlows } from '../../pricing/legs.js';
import { projectionFor } from '../../pricing/swaps.js';
import type { SimulatedPaths, TimeGrid } from '../../simulation/types.js';
import { lastIndexOnOrBefore, type LgmOnGrid } from './model.js';
import { blackLegsOfLogs, bondLogCoefficients, legScratch, type DeviceLegEntry, type LegTerm, type PathTrade } from './options.js';

export class FixedCapletOnPaths implements PathTrade {
  readonly lastIndex: number;
  /** First grid index valued here (the first on or after the fixing). */
  private readonly first: number;
  private readonly omega: number;
  private readonly scale: number;
  /** Grid indices of the bridge's ends (equal when the fixing is a grid date) and its weight b. */
  private readonly index: number;
  private readonly next: number;
  private readonly weight: number;
  /** δ = H(e) − H(s) and |δ|·s, the deviation of ln F given the grid states. */
  private readonly delta: number;
  private readonly sd: number;
  /** ln(N·C) + ½δ²s² (the forward's constant) and ln(N·(1 + τK)) (the strike leg's). */
  private readonly lnForward: number;
  private readonly lnStrike: number;
  /** ln P(t_d, pay | x) = lnA[d] − B[d]·x. */
  private readonly payBond: { lnA: Float64Array; B: Float64Array };

  /** `optionLastIndex`, `lastIndex`: the compiled swaption's (swaption.ts), so the option regime hands over here. */
  constructor(
    readonly tradeIndex: number,
    caplet: Swaption,
    market: Market,
    grid: TimeGrid,
    lgm: LgmOnGrid,
    optionLastIndex: number,
    lastIndex: number,
    private readonly irIndex: number,
    private readonly fxIndex: number,
  ) {
    const projection = projectionFor(caplet.tradeId, caplet.floatLeg, market);
    const float = floatLegFlows(caplet.floatLeg, market, projection);
    const fixed = fixedLegFlows(caplet.fixedLeg, market);
    if (float.count !== 1 || fixed.count !== 1) throw new Error(`trade ${caplet.tradeId}: a caplet of ${float.count} floating and ${fixed.count} fixed periods (a defect: please report it)`);
    const model = lgm.model;
    const s = float.accrualStartTimes[0]!;
    const e = float.accrualEndTimes[0]!;
    const pay = float.paymentTimes[0]!;
    const N = float.notionals[0]!;
    const T = market.time(caplet.expiryDate);
    this.first = optionLastIndex + 1;
    this.lastIndex = lastIndex;
    this.omega = caplet.optionType === 'payer' ? 1 : -1;
    this.scale = caplet.direction === 'buy' ? 1 : -1;
    const hs = model.H(s);
    const he = model.H(e);
    const zT = model.zeta(T);
    this.delta = he - hs;
    // the bridge between the grid dates around the fixing (or the grid date on it)
    const at = lastIndexOnOrBefore(grid.dates, caplet.expiryDate);
    let next = at;
    let weight = 0;
    let sdState = 0;
    if (grid.dates[at]! < caplet.expiryDate && at + 1 < grid.dates.length) {
      const ze = lgm.zeta[at]!;
      const zn = lgm.zeta[at + 1]!;
      if (zn > ze) {
        const z = Math.min(Math.max(zT, ze), zn);
        next = at + 1;
        weight = (z - ze) / (zn - ze);
        sdState = Math.sqrt(Math.max(0, ((z - ze) * (zn - z)) / (zn - ze)));
      }
    }
    this.index = at;
    this.next = next;
    this.weight = weight;
    this.sd = Math.abs(this.delta) * sdState;
    const beta = basisRatio(projection, model, s, e);
    this.lnForward = Math.log(N * beta * (model.discount(s) / model.discount(e))) + 0.5 * (he * he - hs * hs) * zT + 0.5 * this.sd * this.sd;
    this.lnStrike = Math.log(N + fixed.amounts[0]!);
    if (!Number.isFinite(this.lnStrike)) throw new Error(`trade ${caplet.tradeId}: a caplet strike below −1/τ is not supported on paths`);
    this.payBond = bondLogCoefficients(lgm, grid, pay);
  }

  values(d: number, paths: SimulatedPaths, out: Float64Array): boolean {
    if (d < this.first || d > this.lastIndex) return false;
    const n = paths.nPaths;
    const xs = paths.irState[this.irIndex]!;
    const fx = this.fxIndex >= 0 ? paths.fxLog[this.fxIndex]! : null;
    const off = d * n;
    const offE = this.index * n;
    const offN = this.next * n;
    const lnP = this.payBond.lnA[d]!;
    const B = this.payBond.B[d]!;
    const { delta, weight, lnForward, lnStrike } = this;
    const l = legScratch(n);
    for (let p = 0; p < n; p++) {
      const xe = xs[offE + p]!;
      const m = xe + weight * (xs[offN + p]! - xe);
      const discount = (fx === null ? 0 : fx[off + p]!) + lnP - B * xs[off + p]!;
      const lnA = discount + lnForward + delta * m;
      const lnB = discount + lnStrike;
      l.lnAoverB[p] = lnA - lnB;
      l.a[p] = lnA;
      l.b[p] = lnB;
    }
    blackLegsOfLogs(this.omega, this.sd, this.scale, 1, l, out, n);
    return true;
  }

  /** The caplet at date d as a device `black` leg (the formula of `values`); null when not valued here at d. */
  deviceEntry(d: number): DeviceLegEntry | null {
    if (d < this.first || d > this.lastIndex) return null;
    const discount: LegTerm[] = [{ kind: 'ir', index: this.irIndex, grid: d, coefficient: -this.payBond.B[d]! }];
    if (this.fxIndex >= 0) discount.push({ kind: 'fx', index: this.fxIndex, grid: d, coefficient: 1 });
    const termsA: LegTerm[] = [...discount, { kind: 'ir', index: this.irIndex, grid: this.index, coefficient: this.delta * (1 - this.weight) }];
    if (this.weight > 0) termsA.push({ kind: 'ir', index: this.irIndex, grid: this.next, coefficient: this.delta * this.weight });
    const lnP = this.payBond.lnA[d]!;
    return { kind: 'black', scale: this.scale, omega: this.omega, sd: this.sd, constA: lnP + this.lnForward, termsA, constB: lnP + this.lnStrike, termsB: discount, constE: 0, termsE: [] };
  }
}
