/**
 * The hedge notionals that minimise full BA-CVA capital (docs/optimize-hedges.md has the derivation).
 *
 * MAR50.21: K_full = β·K_reduced + (1 − β)·K_hedged, K_reduced (MAR50.14) does not depend on hedges, so minimising
 * K_full is minimising K_hedged, and (the square root being increasing) K_hedged². With w_h = RW_h·M_h·DF_h·B_h the
 * weighted hedge of a new single-name CDS h on counterparty c(h) (MAR50.23), w_i = RW_i·M_i·DF_i·B_i of a new index
 * CDS (MAR50.24), n_c = SCVA_c − SNH_c⁰ (the book's existing hedges in SNH_c⁰, HMA_c⁰, IH⁰, held fixed), MAR50.22
 * reads
 *   K_hedged² = (ρ Σ_c (n_c − Σ_{h∈c} r_h w_h) − IH⁰ − Σ_i w_i)² + (1 − ρ²) Σ_c (n_c − Σ_{h∈c} r_h w_h)²
 *               + Σ_c HMA_c⁰ + Σ_h (1 − r_h²) w_h²                                                (MAR50.25, Table 2 r_h)
 * = ‖d − A w‖² + Σ HMA⁰: a linear least-squares problem in w with rows
 *   row 0:      d₀ = ρ Σ_c n_c − IH⁰,        A₀h = ρ r_h,              A₀i = 1
 *   row c:      d_c = √(1 − ρ²) n_c,         A_ch = √(1 − ρ²) r_h [h∈c]
 *   row h:      0,                           A_hh = √(1 − r_h²)
 * Its first-order conditions are the normal equations AᵀA w = Aᵀd (a linear system, one equation per hedge); with
 * protection bought only (B ≥ 0 ⇔ w ≥ 0) the problem is a non-negative least-squares problem, solved exactly by the
 * active set method (nnls.ts). The notional is B = w / (RW·M·DF).
 *
 * Risk weights, relations (r_hc), supervisory discount factors and the existing hedges are those of capital/bacva.ts:
 * the per-unit weights are read from computeBaCva itself (each candidate at notional 1), and the capital before and
 * after is computeBaCva's.
 */
import {
  BA_CVA_PARAMETERS,
  computeBaCva,
  type BaCvaIndexHedge,
  type BaCvaInput,
  type BaCvaParameters,
  type BaCvaResult,
  type BaCvaSingleNameHedge,
} from '../../../capital/bacva.js';
import { choleskySolve, CollinearHedgesError, nnls } from './nnls.js';

export interface BaCvaHedgeProblem {
  /** The book's BA-CVA input with its existing hedges (held fixed). */
  book: BaCvaInput;
  /** Candidate single-name hedges; `notionalAmount` is ignored (the solver chooses it). */
  singleNameHedges?: readonly BaCvaSingleNameHedge[];
  /** Candidate index hedges (at most one: two index hedges are indistinguishable to MAR50.24). */
  indexHedges?: readonly BaCvaIndexHedge[];
  parameters?: BaCvaParameters;
  /**
   * Caps each counterparty's new single-name protection at its own net SCVA (Σ_h r_h·w_h ≤ SCVA_c − SNH_c⁰): no more
   * protection on a name than offsets its own CVA capital (default true). Without the cap the optimum may buy
   * protection on the few names that have a CDS curve far beyond their exposure to offset the systematic term of the
   * names that have none (the forty-fourth session's optimiser audit: 127 to 517 times a counterparty's EAD), a credit
   * position rather than a hedge (MAR50.37: eligible hedges are used to mitigate the counterparty's CVA risk).
   */
  capAtCounterparty?: boolean;
}

export interface BaCvaHedgeSolution {
  /** Optimal protection notionals (base currency, ≥ 0), in candidate order. */
  singleNameNotionals: number[];
  indexNotionals: number[];
  /** Solution of the first-order conditions without the bound (entries may be < 0); undefined if singular. */
  unconstrainedSingleNameNotionals: number[] | undefined;
  unconstrainedIndexNotionals: number[] | undefined;
  /** True where the bound B ≥ 0 binds (the capital would fall further by selling protection). */
  singleNameAtBound: boolean[];
  /** True where the cap at the counterparty's net SCVA binds (`capAtCounterparty`). */
  singleNameAtCap: boolean[];
  indexAtBound: boolean[];
  /** RW·M·DF per unit notional (weightedHedge at notional 1), and r_hc of the single-name candidates. */
  singleNameWeights: number[];
  singleNameRhc: number[];
  indexWeights: number[];
  /** BA-CVA full of the book, and of the book with the candidates at their optimal notionals. */
  before: BaCvaResult;
  after: BaCvaResult;
  /** K_full(after) − K_full(before), ≤ 0. */
  deltaKFull: number;
  /** DS × ΔK_full: change of the BA-CVA capital (MAR50.21). */
  deltaCapital: number;
  iterations: number;
}

/** The book with extra hedges at the given notionals (base currency). */
export function withHedges(
  book: BaCvaInput,
  singles: readonly BaCvaSingleNameHedge[],
  singleNotionals: ArrayLike<number>,
  indices: readonly BaCvaIndexHedge[],
  indexNotionals: ArrayLike<number>,
): BaCvaInput {
  return {
    counterparties: book.counterparties,
    singleNameHedges: [...(book.singleNameHedges ?? []), ...singles.map((h, j) => ({ ...h, notionalAmount: singleNotionals[j]! }))],
    indexHedges: [...(book.indexHedges ?? []), ...indices.map((h, i) => ({ ...h, notionalAmount: indexNotionals[i]! }))],
  };
}

function checkCandidates(problem: BaCvaHedgeProblem, singles: readonly BaCvaSingleNameHedge[], indices: readonly BaCvaIndexHedge[]): void {
  const ids = new Set<string>([...(problem.book.singleNameHedges ?? []).map((h) => h.hedgeId), ...(problem.book.indexHedges ?? []).map((h) => h.hedgeId)]);
  for (const h of [...singles, ...indices]) {
    if (ids.has(h.hedgeId)) throw new Error(`CVA hedge candidate ${h.hedgeId}: the id is already used by another hedge`);
    ids.add(h.hedgeId);
  }
  if (indices.length > 1) throw new Error(`CVA hedge candidates: ${indices.length} index hedges (${indices.map((h) => h.hedgeId).join(', ')}); MAR50.24 sees only their sum, give one`);
  const seen = new Map<string, string>();
  for (const h of singles) {
    const key = `${h.counterpartyId}|${h.relation}`;
    const other = seen.get(key);
    if (other) throw new Error(`CVA hedge candidates ${other} and ${h.hedgeId}: both hedge ${h.counterpartyId} as ${h.relation}; MAR50.23/25 cannot tell them apart, give one`);
    seen.set(key, h.hedgeId);
  }
}

export function optimalHedgeNotionals(problem: BaCvaHedgeProblem): BaCvaHedgeSolution {
  const p = problem.parameters ?? BA_CVA_PARAMETERS;
  const singles = problem.singleNameHedges ?? [];
  const indices = problem.indexHedges ?? [];
  checkCandidates(problem, singles, indices);
  const options = { version: 'full' as const, parameters: p, source: 'CVA hedge optimisation' };
  const before = computeBaCva(problem.book, options);

  // per-unit weights RW·M·DF and r_hc, exactly as computeBaCva computes them (candidates at notional 1)
  const unit = computeBaCva(withHedges(problem.book, singles, singles.map(() => 1), indices, indices.map(() => 1)), options);
  const singleById = new Map(unit.counterparties.flatMap((c) => c.singleNameHedges).map((h) => [h.hedgeId, h]));
  const indexById = new Map(unit.indexHedges.map((h) => [h.hedgeId, h]));
  const singleNameWeights = singles.map((h) => singleById.get(h.hedgeId)!.weightedHedge);
  const singleNameRhc = singles.map((h) => singleById.get(h.hedgeId)!.rhc);
  const indexWeights = indices.map((h) => indexById.get(h.hedgeId)!.weightedHedge);

  const rho = p.rho;
  const c1 = Math.sqrt(1 - rho * rho);
  const netById = new Map(before.counterparties.map((c) => [c.counterpartyId, c.scva - c.snh]));
  let sumNet = 0;
  for (const n of netById.values()) sumNet += n;
  const d0 = rho * sumNet - before.ih;
  // scale the targets to order one so that tolerances are relative
  let scale = Math.abs(d0);
  for (const n of netById.values()) scale = Math.max(scale, Math.abs(n));
  if (!(scale > 0)) scale = 1;

  // variables: the usable candidates (weight > 0); others stay at notional 0
  const vars: { kind: 'single' | 'index'; index: number; cp?: string; r: number }[] = [];
  singles.forEach((h, j) => {
    if (singleNameWeights[j]! > 0) vars.push({ kind: 'single', index: j, cp: h.counterpartyId, r: singleNameRhc[j]! });
  });
  indices.forEach((_, i) => {
    if (indexWeights[i]! > 0) vars.push({ kind: 'index', index: i, r: 1 });
  });
  const n = vars.length;
  const g = new Float64Array(n * n);
  const h = new Float64Array(n);
  const a0 = vars.map((v) => (v.kind === 'single' ? rho * v.r : 1));
  for (let j = 0; j < n; j++) {
    const vj = vars[j]!;
    h[j] = (a0[j]! * d0) / scale;
    if (vj.kind === 'single') h[j] += (c1 * c1 * vj.r * netById.get(vj.cp!)!) / scale;
    for (let k = 0; k < n; k++) {
      const vk = vars[k]!;
      let gjk = a0[j]! * a0[k]!;
      if (vj.kind === 'single' && vk.kind === 'single' && vj.cp === vk.cp) gjk += c1 * c1 * vj.r * vk.r;
      if (j === k && vj.kind === 'single') gjk += 1 - vj.r * vj.r;
      g[j * n + k] = gjk;
    }
  }

  const named = (free: readonly number[]) => free.map((j) => (vars[j]!.kind === 'single' ? singles[vars[j]!.index]!.hedgeId : indices[vars[j]!.index]!.hedgeId));
  let solved;
  try {
    solved = nnls(g, h, n);
  } catch (error) {
    if (error instanceof CollinearHedgesError) throw new Error(`CVA hedges ${named(error.freeSet).join(', ')} are linearly dependent in BA-CVA: the optimum is not unique`);
    throw error;
  }
  // the cap (capAtCounterparty): single-name w_j ≤ n_c / r_j; when the optimum without it exceeds one, the
  // box-constrained problem is solved by projected coordinate descent from it (convex: it converges to the optimum)
  const caps = vars.map((v) => (v.kind === 'single' && problem.capAtCounterparty !== false ? Math.max(netById.get(v.cp!)!, 0) / v.r / scale : Infinity));
  const atCap = new Array<boolean>(n).fill(false);
  if (vars.some((_, j) => solved.w[j]! > caps[j]!)) {
    const w = Float64Array.from(solved.w, (x, j) => Math.min(Math.max(x, 0), caps[j]!));
    for (let sweep = 0; sweep < 100_000; sweep++) {
      let moved = 0;
      let size = 0;
      for (let j = 0; j < n; j++) {
        let gw = 0;
        for (let k = 0; k < n; k++) gw += g[j * n + k]! * w[k]!;
        const next = Math.min(Math.max(w[j]! + (h[j]! - gw) / g[j * n + j]!, 0), caps[j]!);
        moved = Math.max(moved, Math.abs(next - w[j]!));
        w[j] = next;
        size = Math.max(size, Math.abs(next));
      }
      if (moved <= 1e-15 * Math.max(1, size)) break;
    }
    for (let j = 0; j < n; j++) {
      solved.w[j] = w[j]!;
      solved.atBound[j] = w[j] === 0;
      atCap[j] = caps[j] !== Infinity && w[j] === caps[j];
    }
  }
  let maxDiag = 0;
  for (let j = 0; j < n; j++) maxDiag = Math.max(maxDiag, g[j * n + j]!);
  const free = [...Array(n).keys()];
  const unconstrained = n > 0 ? choleskySolve(g, n, h, free, 1e-12 * maxDiag) : new Float64Array(0);

  const singleNameNotionals = singles.map(() => 0);
  const indexNotionals = indices.map(() => 0);
  const singleNameAtBound = singles.map(() => false);
  const singleNameAtCap = singles.map(() => false);
  const indexAtBound = indices.map(() => false);
  const uSingle = unconstrained ? singles.map(() => 0) : undefined;
  const uIndex = unconstrained ? indices.map(() => 0) : undefined;
  vars.forEach((v, j) => {
    const weight = v.kind === 'single' ? singleNameWeights[v.index]! : indexWeights[v.index]!;
    const notional = (solved.w[j]! * scale) / weight;
    if (v.kind === 'single') {
      singleNameNotionals[v.index] = notional;
      singleNameAtBound[v.index] = solved.atBound[j]!;
      singleNameAtCap[v.index] = atCap[j]!;
      if (uSingle) uSingle[v.index] = (unconstrained![j]! * scale) / weight;
    } else {
      indexNotionals[v.index] = notional;
      indexAtBound[v.index] = solved.atBound[j]!;
      if (uIndex) uIndex[v.index] = (unconstrained![j]! * scale) / weight;
    }
  });
  const after = computeBaCva(withHedges(problem.book, singles, singleNameNotionals, indices, indexNotionals), options);
  return {
    singleNameNotionals,
    indexNotionals,
    unconstrainedSingleNameNotionals: uSingle,
    unconstrainedIndexNotionals: uIndex,
    singleNameAtBound,
    singleNameAtCap,
    indexAtBound,
    singleNameWeights,
    singleNameRhc,
    indexWeights,
    before,
    after,
    deltaKFull: after.kFull - before.kFull,
    deltaCapital: after.capitalFull - before.capitalFull,
    iterations: solved.iterations,
  };
}
