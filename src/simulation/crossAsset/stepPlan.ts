/**
 * Exact Gaussian steps of the cross-asset model on a time grid (docs/model.md, "Discretisation").
 *
 * Every simulated quantity is an affine function of a few Gaussian processes whose increments are Itô integrals of
 * deterministic functions, so the joint law of one step's increments is Gaussian with a covariance that depends only
 * on the parameters. Per currency c, with α_c(s) = σ_c(s)e^{κ_c s} and H_c the LGM functions, the auxiliary drivers
 * of a step (t₀, t₁] are
 *
 *   A_c = ∫ α_c dW_c,   B_c = ∫ H_c α_c dW_c,   C_i = ∫ σ_X,i dW_X,i,   D_e = ∫ σ_S,e dW_S,e,   E_n = ∫ α^cr_n dW_n,
 *
 * (W correlated by the market matrix) and the states move by
 *
 *   x_c  += ∫ μ_c ds + A_c,   μ_c = −H_c α_c² + ρ(IR₀,IR_c) H₀α₀α_c − ρ(IR_c,FX_c) σ_X,c α_c   (μ₀ = 0)
 *   u_i  += −½·Var(C_i + B_i − B₀) + C_i + B_i − B₀          u_i = ln(X_i N_i / N)    (a martingale)
 *   w_e  += −½·Var(D_e + C_i − B₀) + D_e + C_i − B₀          w_e = ln(S_e e^{q t} X_i / N)
 *   y_n  += E_n
 *
 * The covariance of (A, B, C, D, E) over a step, Σ[a][b] = ρ(driver a, driver b)·∫ f_a f_b ds, and the drift
 * integrals are computed by 8-point Gauss-Legendre quadrature on pieces between the Hull-White σ steps, at most
 * MAX_PIECE_YEARS long. The integrands are sums of exponentials e^{λs} with |λ| ≤ 2·max|κ| (FX and equity vols are
 * constant on a step), for which the quadrature's relative error is at most (n!)⁴/((2n+1)((2n)!)³)·(|λ|h)^{2n}
 * ≈ 1.7e-23·(|λ|h)^16 (n = 8; Abramowitz & Stegun 25.4.30): below 1e-18 for |λ|h ≤ 2, i.e. exact in double precision.
 *
 * The drivers fall into blocks that the correlation connects (A_c and B_c always together); each block's covariance
 * is factorised per step (factorise.ts), so a block's draws depend only on its own factors' streams.
 */
import { XvaInternalError } from '../../errors.js';
import type { HullWhiteParams } from '../../market/types.js';
import { factorStream } from '../layout.js';
import type { FactorLayout, TimeGrid } from '../types.js';
import { connectedBlocks, type CrossAssetModel } from './model.js';
import { factorise } from './factorise.js';

/** Longest quadrature piece (years). */
const MAX_PIECE_YEARS = 1;

// Gauss-Legendre 8-point nodes and weights on [−1, 1] (Abramowitz & Stegun, table 25.4).
const GL_NODES = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329,
  0.7966664774136267, 0.9602898564975363,
];
const GL_WEIGHTS = [
  0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873,
  0.2223810344533745, 0.1012285362903763,
];

export interface StepPlan {
  readonly nDates: number;
  /** Number of auxiliary drivers: 2 per currency, then FX, equities, credit names. */
  readonly nAux: number;
  /** RNG stream of each auxiliary driver: A_c uses the factor's stream, B_c the stream of `IR:<CCY>/H`. */
  readonly auxStreams: Uint32Array;
  /** Auxiliary drivers per correlated block. */
  readonly blocks: readonly Int32Array[];
  /** Offset of block b's factor inside a step's slice of `factors`. */
  readonly blockOffset: Int32Array;
  /** Per-step slice length of `factors` (Σ m_b²). */
  readonly stepStride: number;
  /** Factor matrices: step d (into date d), block b at d·stepStride + blockOffset[b], row-major m_b × m_b. */
  readonly factors: Float64Array;
  /** 1 when the factor of (step d, block b) is lower triangular: index d·nBlocks + b. */
  readonly triangular: Uint8Array;
  /** Drift of x_c over the step into date d: [d·nCurrencies + c]. */
  readonly driftX: Float64Array;
  /** Drift of u_i over the step into date d: [d·nFx + i]. */
  readonly driftU: Float64Array;
  /** Drift of w_e over the step into date d: [d·nEquities + e]. */
  readonly driftW: Float64Array;
  /** H_c(t_d): [d·nCurrencies + c]. */
  readonly hAt: Float64Array;
  /** ½H_c(t_d)²ζ_c(t_d) − ln P_c(0, t_d), so that ln N_c(t_d, x) = H·x + g: [d·nCurrencies + c]. */
  readonly gAt: Float64Array;
  /** Steps whose factorisation needed the eigen fallback. */
  readonly eigenSteps: number;
}

/** σ of Hull-White parameters at time s (σ[i] on (times[i−1], times[i]], the last flat after). */
function sigmaAt(params: HullWhiteParams, s: number): number {
  const times = params.sigmaTimes;
  const n = times.length;
  for (let i = 0; i < n - 1; i++) if (s <= times[i]!) return params.sigmas[i]!;
  return params.sigmas[n - 1]!;
}

/** Instantaneous vol on (t0, t1] from Black vols: √((v(t1)²t1 − v(t0)²t0)/(t1 − t0)), floored at 0. */
export function stepVol(vol: (t: number) => number, t0: number, t1: number): number {
  const v1 = vol(t1);
  const v0 = t0 > 0 ? vol(t0) : 0;
  const variance = (v1 * v1 * t1 - v0 * v0 * t0) / (t1 - t0);
  return Math.sqrt(Math.max(variance, 0));
}

function checkGrid(grid: TimeGrid): void {
  const times = grid.times;
  if (times.length === 0 || times[0] !== 0) throw new XvaInternalError('the simulation grid must start at t = 0 (the as-of date)');
  for (let d = 1; d < times.length; d++) {
    if (!(times[d]! > times[d - 1]!)) throw new XvaInternalError(`grid times must increase strictly, got ${times[d - 1]} then ${times[d]}`);
  }
}

/**
 * The random-number streams of a layout's drivers, in the step plan's driver order: per currency its LGM factor's and
 * the `/H` companion's, then the FX, equity and credit factors' (the Philox counter word of each driver's draws, and
 * under `--rng sobol` the order of the drivers' Sobol coordinates).
 */
export function auxStreamsOf(layout: FactorLayout): Uint32Array {
  const nC = layout.currencies.length;
  const nAux = nC + layout.factorNames.length;
  const auxStreams = new Uint32Array(nAux);
  for (let c = 0; c < nC; c++) {
    auxStreams[2 * c] = layout.factorStreams[c]!;
    auxStreams[2 * c + 1] = factorStream(`${layout.factorNames[c]}/H`);
  }
  for (let k = 2 * nC; k < nAux; k++) auxStreams[k] = layout.factorStreams[k - nC]!;
  if (new Set(auxStreams).size !== nAux) throw new XvaInternalError(`two RNG streams of ${layout.factorNames.join(', ')} share a hash`);
  return auxStreams;
}

export function buildStepPlan(model: CrossAssetModel, grid: TimeGrid): StepPlan {
  checkGrid(grid);
  const { layout, lgm, credit, correlation } = model;
  const nC = layout.currencies.length;
  const nFx = layout.fxCurrencies.length;
  const nEq = layout.equities.length;
  const nCr = layout.creditNames.length;
  const nF = layout.factorNames.length;
  const nAux = 2 * nC + nFx + nEq + nCr;
  const fxAux0 = 2 * nC;
  const eqAux0 = fxAux0 + nFx;
  const crAux0 = eqAux0 + nEq;
  const driverOf = new Int32Array(nAux);
  for (let c = 0; c < nC; c++) {
    driverOf[2 * c] = c;
    driverOf[2 * c + 1] = c;
  }
  for (let k = 2 * nC; k < nAux; k++) driverOf[k] = k - nC;
  const auxStreams = auxStreamsOf(layout);

  // Blocks of drivers connected by correlation (A_c ~ B_c through their common driver).
  const link = new Float64Array(nAux * nAux);
  for (let a = 0; a < nAux; a++) {
    for (let b = 0; b < nAux; b++) link[a * nAux + b] = driverOf[a] === driverOf[b] ? 1 : correlation[driverOf[a]! * nF + driverOf[b]!]!;
  }
  const blocks = connectedBlocks(link, nAux);
  const nBlocks = blocks.length;
  const blockOffset = new Int32Array(nBlocks);
  let stepStride = 0;
  blocks.forEach((block, b) => {
    blockOffset[b] = stepStride;
    stepStride += block.length * block.length;
  });
  const rho = (f: number, g: number): number => correlation[f * nF + g]!;

  const nDates = grid.times.length;
  const factors = new Float64Array(nDates * stepStride);
  const triangular = new Uint8Array(nDates * nBlocks);
  const driftX = new Float64Array(nDates * nC);
  const driftU = new Float64Array(nDates * nFx);
  const driftW = new Float64Array(nDates * nEq);
  const hAt = new Float64Array(nDates * nC);
  const gAt = new Float64Array(nDates * nC);
  for (let d = 0; d < nDates; d++) {
    const t = grid.times[d]!;
    for (let c = 0; c < nC; c++) {
      const h = lgm[c]!.H(t);
      hAt[d * nC + c] = h;
      gAt[d * nC + c] = 0.5 * h * h * lgm[c]!.zeta(t) - Math.log(lgm[c]!.discount(t));
    }
  }

  const kappa = Float64Array.from(lgm, (m) => m.params.meanReversion);
  const crKappa = Float64Array.from(credit, (m) => m.meanReversion);
  const crSigma = Float64Array.from(credit, (m) => m.volatility);
  const fxCcy = model.fxCurrencyIndex;
  const eqFx = model.equityFxIndex;
  // Quadrature pieces break at the σ steps of the currencies an integral involves, and only those: so adding a
  // currency to a run changes no other factor's numbers, not even in the last bit.
  const sigmaBreaks = lgm.map((m) => Array.from(m.params.sigmaTimes).filter(Number.isFinite));
  const breaksOf = (currencies: Iterable<number>): number[] =>
    [...new Set([...currencies].flatMap((c) => sigmaBreaks[c]!))].sort((a, b) => a - b);
  const blockBreaks = blocks.map((block) => breaksOf(Array.from(block).filter((a) => a < 2 * nC).map((a) => a >> 1)));
  const fxBreaks = Array.from(fxCcy, (c) => breaksOf([0, c]));
  const baseBreaks = breaksOf([0]);
  const shape = new Float64Array(nAux);
  const sigmaFx = new Float64Array(nFx);
  const sigmaEq = new Float64Array(nEq);
  const sums = blocks.map((block) => new Float64Array(block.length * block.length));
  const varU = new Float64Array(nFx);
  const varW = new Float64Array(nEq);
  const nodeS: number[] = [];
  const nodeW: number[] = [];
  /** Gauss-Legendre nodes and weights of (t0, t1] cut at `breaks` and into pieces of at most MAX_PIECE_YEARS. */
  const fillNodes = (t0: number, t1: number, breaks: readonly number[]): void => {
    nodeS.length = 0;
    nodeW.length = 0;
    const cuts = [t0, ...breaks.filter((x) => x > t0 && x < t1), t1];
    for (let piece = 0; piece + 1 < cuts.length; piece++) {
      const parts = Math.ceil((cuts[piece + 1]! - cuts[piece]!) / MAX_PIECE_YEARS);
      const width = (cuts[piece + 1]! - cuts[piece]!) / parts;
      for (let part = 0; part < parts; part++) {
        const left = cuts[piece]! + part * width;
        for (let q = 0; q < GL_NODES.length; q++) {
          nodeS.push(left + 0.5 * width * (1 + GL_NODES[q]!));
          nodeW.push(0.5 * width * GL_WEIGHTS[q]!);
        }
      }
    }
  };
  const alphaAt = (c: number, s: number): number => sigmaAt(lgm[c]!.params, s) * Math.exp(kappa[c]! * s);
  let eigenSteps = 0;

  for (let d = 1; d < nDates; d++) {
    const t0 = grid.times[d - 1]!;
    const t1 = grid.times[d]!;
    for (let i = 0; i < nFx; i++) sigmaFx[i] = stepVol(model.fxVol[i]!, t0, t1);
    for (let e = 0; e < nEq; e++) sigmaEq[e] = stepVol(model.equityVol[e]!, t0, t1);
    for (let a = fxAux0; a < eqAux0; a++) shape[a] = sigmaFx[a - fxAux0]!;
    for (let a = eqAux0; a < crAux0; a++) shape[a] = sigmaEq[a - eqAux0]!;

    // Covariance of each block's drivers: Σ[a][b] = ρ·∫ f_a f_b ds.
    for (let b = 0; b < nBlocks; b++) {
      const block = blocks[b]!;
      const m = block.length;
      const sum = sums[b]!;
      sum.fill(0);
      fillNodes(t0, t1, blockBreaks[b]!);
      for (let q = 0; q < nodeS.length; q++) {
        const s = nodeS[q]!;
        const w = nodeW[q]!;
        for (let i = 0; i < m; i++) {
          const a = block[i]!;
          if (a < 2 * nC) {
            const c = a >> 1;
            const al = alphaAt(c, s);
            shape[a] = (a & 1) === 0 ? al : lgm[c]!.H(s) * al;
          } else if (a >= crAux0) {
            shape[a] = crSigma[a - crAux0]! * Math.exp(crKappa[a - crAux0]! * s);
          }
        }
        for (let i = 0; i < m; i++) {
          const ai = block[i]!;
          const fi = w * shape[ai]!;
          for (let j = 0; j <= i; j++) {
            const aj = block[j]!;
            sum[i * m + j] += fi * shape[aj]! * link[ai * nAux + aj]!;
          }
        }
      }
    }

    // Per FX currency: the drift of x_c (LSG §12.1, change from currency c's LGM measure to the base one) and the
    // variance of d ln(X_i N_i / N) = σ_X dW_X + H_iα_i dW_i − H₀α₀ dW₀.
    for (let i = 0; i < nFx; i++) {
      const c = fxCcy[i]!;
      const fxDriver = nC + i;
      const sx = sigmaFx[i]!;
      let drift = 0;
      let variance = 0;
      fillNodes(t0, t1, fxBreaks[i]!);
      for (let q = 0; q < nodeS.length; q++) {
        const s = nodeS[q]!;
        const w = nodeW[q]!;
        const a0 = alphaAt(0, s);
        const ac = alphaAt(c, s);
        const b0 = lgm[0]!.H(s) * a0;
        const hc = lgm[c]!.H(s);
        const bc = hc * ac;
        drift += w * (-hc * ac * ac + rho(0, c) * b0 * ac - rho(c, fxDriver) * sx * ac);
        variance += w * (sx * sx + bc * bc + b0 * b0 + 2 * rho(fxDriver, c) * sx * bc - 2 * rho(fxDriver, 0) * sx * b0 - 2 * rho(c, 0) * bc * b0);
      }
      driftX[d * nC + c] = drift;
      varU[i] = variance;
    }

    // Per equity: the variance of d ln(S e^{qt} X / N) = σ_S dW_S + σ_X dW_X − H₀α₀ dW₀ (no FX term in the base currency).
    if (nEq > 0) fillNodes(t0, t1, baseBreaks);
    for (let e = 0; e < nEq; e++) {
      const eqDriver = nC + nFx + e;
      const se = sigmaEq[e]!;
      const i = eqFx[e]!;
      const sx = i >= 0 ? sigmaFx[i]! : 0;
      const rhoSX = i >= 0 ? rho(eqDriver, nC + i) : 0;
      const rhoX0 = i >= 0 ? rho(nC + i, 0) : 0;
      let variance = 0;
      for (let q = 0; q < nodeS.length; q++) {
        const b0 = lgm[0]!.H(nodeS[q]!) * alphaAt(0, nodeS[q]!);
        variance += nodeW[q]! * (se * se + b0 * b0 - 2 * rho(eqDriver, 0) * se * b0 + sx * sx + 2 * rhoSX * se * sx - 2 * rhoX0 * sx * b0);
      }
      varW[e] = variance;
    }
    for (let i = 0; i < nFx; i++) driftU[d * nFx + i] = -0.5 * varU[i]!;
    for (let e = 0; e < nEq; e++) driftW[d * nEq + e] = -0.5 * varW[e]!;
    for (let b = 0; b < nBlocks; b++) {
      const m = blocks[b]!.length;
      const sum = sums[b]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) sum[j * m + i] = sum[i * m + j]!;
      const factor = factorise(sum, m, `step ${d} covariance of the simulated drivers`);
      factors.set(factor.matrix, d * stepStride + blockOffset[b]!);
      triangular[d * nBlocks + b] = factor.lowerTriangular ? 1 : 0;
      if (!factor.lowerTriangular) eigenSteps++;
    }
  }
  return {
    nDates,
    nAux,
    auxStreams,
    blocks,
    blockOffset,
    stepStride,
    factors,
    triangular,
    driftX,
    driftU,
    driftW,
    hAt,
    gAt,
    eigenSteps,
  };
}
