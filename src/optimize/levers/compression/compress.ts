/**
 * One compression per group (groups.ts), in two steps around the solver: `prepareGroup` finds the group's
 * compressible trades and their risk (risk.ts), the replacement candidates (replacements.ts) and the MILP (milp.ts);
 * the MILPs of many groups are solved together by HiGHS (batch.ts); `finishGroup` turns the answer into real
 * trades and checks it again: the risk of the compressed group is recomputed from its trades (the kept trades and the
 * replacement trades as built, with their rounded notionals), never taken from the LP's variables, and every
 * constraint must hold within its tolerance (plus the LP check's own feasibility slack). A breach is a program error.
 */
import { XvaInternalError } from '../../../errors.js';
import type { Market } from '../../../market/types.js';
import type { NettingSet } from '../../../portfolio/types.js';
import { tradeMaturity, type Trade } from '../../../products/types.js';
import type { LinearProgram } from '../../lp/model.js';
import { LP_FEASIBILITY_TOLERANCE, type LpStatus } from '../../lp/solve.js';
import type { BlockSolution } from './batch.js';
import type { Action } from '../../types.js';
import { homeNettingSet, notionalInBase, toBase, type CompressionGroup } from './groups.js';
import { buildCompressionMilp, toleranceOf, type CompressionMilp, type Tolerances } from './milp.js';
import type { ResolvedCompressionOptions } from './options.js';
import { NOTIONAL_UNIT, replacementCandidates, type ReplacementCandidate } from './replacements.js';
import { factorLabel, riskClassOf, sumRisk, tradeRisk, type TradeRisk } from './risk.js';

/**
 * `nothing_to_compress`: the solve proved that no compression pays; `stopped_at_limit`: the solve stopped at its node
 * (or time) limit before finding one that pays, so none is proposed although one may exist (the report's
 * `incumbentGrossNotionalAfter` and the note give its best solution by then).
 */
export type GroupOutcome = 'compressed' | 'nothing_to_compress' | 'stopped_at_limit' | 'too_few_candidates' | 'no_solution';

/** What happened to one group (for the run's log and report). */
export interface CompressionGroupReport {
  groupId: string;
  nettingSetIds: string[];
  /** Live trades of the group, and how many of them are compression candidates. */
  tradeCount: number;
  candidateCount: number;
  outcome: GroupOutcome;
  lpStatus?: LpStatus;
  /** Base currency. */
  grossNotionalBefore: number;
  grossNotionalAfter: number;
  /** `stopped_at_limit` only: the gross notional after the solver's best solution when it stopped (not proposed). */
  incumbentGrossNotionalAfter?: number;
}

interface Candidate {
  trade: Trade;
  notionalBase: number;
  risk: TradeRisk;
}

/** Largest |after − before| per constraint class, with the factor it occurs at. */
interface Deviations {
  pvUsd: number;
  irUsdPerBp: number;
  irFactor: string;
  fxUsd: number;
  fxFactor: string;
  xccyUsdPerBp: number;
  xccyFactor: string;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const millions = (x: number): string => (Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(1)}m` : `${(x / 1e3).toFixed(1)}k`);

/** Replacement ids `CMP-<groupId>-<k>`, k = 1, 2 …, skipping ids the book already has (an earlier compression's). */
function replacementIds(groupId: string, count: number, taken: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let k = 1; out.length < count; k++) {
    const id = `CMP-${groupId}-${k}`;
    if (!taken.has(id)) out.push(id);
  }
  return out;
}

/** Risk of the compressed group against the original, recomputed from trades; throws when a tolerance is broken. */
function recheck(groupId: string, before: TradeRisk[], after: TradeRisk[], tol: Tolerances): Deviations {
  const b = sumRisk(before);
  const a = sumRisk(after);
  const dev: Deviations = { pvUsd: Math.abs(a.pvUsd - b.pvUsd), irUsdPerBp: 0, irFactor: '', fxUsd: 0, fxFactor: '', xccyUsdPerBp: 0, xccyFactor: '' };
  const check = (factor: string, vBefore: number, vAfter: number) => {
    const d = Math.abs(vAfter - vBefore);
    const t = toleranceOf(factor, tol);
    // the LP check's slack on a row in tolerance units (lp/solve.ts, milp.ts), the rounding of sums of large
    // positions, and a thousandth of a dollar for the cent-rounded replacement notionals
    if (d > t * (1 + LP_FEASIBILITY_TOLERANCE) + 1e-9 * (Math.abs(vBefore) + Math.abs(vAfter)) + 1e-3) {
      throw new XvaInternalError(`compression of ${groupId}: ${factor === 'pv' ? 'PV' : factorLabel(factor)} moves by ${d.toFixed(4)} USD, beyond its tolerance ${t}`);
    }
    return d;
  };
  check('pv', b.pvUsd, a.pvUsd);
  const keys = [...new Set([...b.factors.keys(), ...a.factors.keys()])].sort();
  for (const k of keys) {
    const d = check(k, b.factors.get(k) ?? 0, a.factors.get(k) ?? 0);
    if (riskClassOf(k) === 'ir' && d > dev.irUsdPerBp) (dev.irUsdPerBp = d), (dev.irFactor = factorLabel(k));
    if (riskClassOf(k) === 'fx' && d > dev.fxUsd) (dev.fxUsd = d), (dev.fxFactor = factorLabel(k));
    if (riskClassOf(k) === 'xccy' && d > dev.xccyUsdPerBp) (dev.xccyUsdPerBp = d), (dev.xccyFactor = factorLabel(k));
  }
  return dev;
}

/** A group ready for the solver (`milp` absent: nothing to solve, `report` says why). */
export interface PreparedGroup {
  group: CompressionGroup;
  report: CompressionGroupReport;
  notes: string[];
  grossBefore: number;
  candidates: Candidate[];
  home?: NettingSet;
  replacements: ReplacementCandidate[];
  milp?: CompressionMilp;
  /**
   * The MILP with every candidate that carries cross-currency basis delta held (kept): absent when none does. Solved
   * first, its answer starts the search of the whole MILP (index.ts `solveGroups`).
   */
  heldProgram?: LinearProgram;
  tolerances: Tolerances;
}

/** The MILP with the candidates `held` kept: their terminate_i fixed at 0 (milp.ts: variable i is trade i's t_i). */
export function withTradesKept(lp: LinearProgram, held: readonly boolean[]): LinearProgram {
  return { ...lp, variables: lp.variables.map((v, i) => (i < held.length && held[i] ? { ...v, upper: 0 } : v)) };
}

/** The group's candidates, replacements and MILP. */
export function prepareGroup(group: CompressionGroup, market: Market, sets: ReadonlyMap<string, NettingSet>, o: ResolvedCompressionOptions): PreparedGroup {
  const notes: string[] = [];
  const live = group.trades.filter((t) => tradeMaturity(t) > market.asOf);
  const grossBefore = live.reduce((a, t) => a + notionalInBase(t, market), 0);
  const candidates: Candidate[] = [];
  for (const trade of live) {
    const outcome = tradeRisk(trade, market, sets.get(trade.nettingSetId)?.collateralCurrency, o.irDeltaBySubCurve);
    if (outcome.ok) candidates.push({ trade, notionalBase: notionalInBase(trade, market), risk: outcome.risk });
    else if (!outcome.reason.includes('not a linear')) notes.push(`compression of ${group.groupId}: trade ${trade.tradeId} left out: ${outcome.reason}`);
  }
  const tolerances: Tolerances = { pvUsd: o.pvToleranceUsd, irUsdPerBp: o.irDeltaToleranceUsdPerBp, fxUsd: o.fxDeltaToleranceUsd, xccyBasisUsdPerBp: o.xccyBasisDeltaToleranceUsdPerBp };
  const report: CompressionGroupReport = {
    groupId: group.groupId,
    nettingSetIds: group.nettingSetIds,
    tradeCount: live.length,
    candidateCount: candidates.length,
    outcome: 'too_few_candidates',
    grossNotionalBefore: grossBefore,
    grossNotionalAfter: grossBefore,
  };
  const prepared: PreparedGroup = { group, report, notes, grossBefore, candidates, replacements: [], tolerances };
  if (candidates.length < 2) return prepared;
  prepared.home = homeNettingSet(group, candidates, sets);
  prepared.replacements = o.maxReplacements > 0 ? replacementCandidates(candidates.map((c) => c.trade), market, prepared.home, group.ccp, o.irDeltaBySubCurve) : [];
  prepared.milp = buildCompressionMilp(
    candidates,
    prepared.replacements.map((r) => ({ unitToBase: toBase(market, r.currency), unitRisk: r.unitRisk })),
    tolerances,
    o.maxReplacements,
    o.replacementPenaltyNotional,
  );
  const basisRisk = candidates.map((c) => [...c.risk.factors.keys()].some((k) => riskClassOf(k) === 'xccy'));
  if (basisRisk.some((b) => b)) prepared.heldProgram = withTradesKept(prepared.milp.lp, basisRisk);
  return prepared;
}

/** The solver's answer as trades, re-checked, and the action when it pays. */
export function finishGroup(
  prepared: PreparedGroup,
  solution: BlockSolution,
  market: Market,
  takenIds: ReadonlySet<string>,
  o: ResolvedCompressionOptions,
): { report: CompressionGroupReport; action?: Action; notes: string[] } {
  const { group, report, notes, grossBefore, candidates, tolerances: tol } = prepared;
  const home = prepared.home!;
  const reps = prepared.replacements;
  report.lpStatus = solution.status;
  const limited = solution.status === 'node_limit' || solution.status === 'time_limit';
  const limitText = solution.status === 'time_limit' ? `time limit (${o.timeLimitSeconds} s)` : `node limit (${o.maxNodes.toLocaleString('en-US')} nodes)`;
  if (solution.status === 'time_limit') {
    notes.push(`compression of ${group.groupId}: its solve stopped at the time limit (${o.timeLimitSeconds} s) before the node limit (${o.maxNodes}): this answer can depend on the machine's speed and load`);
  }
  if (solution.values.length === 0) {
    report.outcome = limited ? 'stopped_at_limit' : 'no_solution';
    notes.push(`compression of ${group.groupId}: the MILP gave no solution (${solution.solverStatus})`);
    return { report, notes };
  }
  const { keep, replacementMillions } = prepared.milp!.decode(solution.values);

  const terminated = candidates.filter((_, i) => !keep[i]);
  const chosen = reps
    .map((r, c) => ({ r, notional: Math.round(replacementMillions[c]! * NOTIONAL_UNIT * 100) / 100 }))
    .filter((x) => Math.abs(x.notional) >= 1);
  const ids = replacementIds(group.groupId, chosen.length, takenIds);
  const added = chosen.map((x, k) => ({ trade: x.r.build(ids[k]!, x.notional), label: x.r.label, notional: x.notional, currency: x.r.currency }));
  const addedNotionalBase = added.reduce((a, x) => a + Math.abs(x.notional) * toBase(market, x.currency), 0);
  const grossAfter = grossBefore - terminated.reduce((a, c) => a + c.notionalBase, 0) + addedNotionalBase;
  if (terminated.length === 0 || grossBefore - grossAfter <= (o.minGrossReductionPct / 100) * grossBefore) {
    if (!limited) {
      report.outcome = 'nothing_to_compress';
      return { report, notes };
    }
    // a solve stopped at a limit has not proved that nothing pays: say so, with its best solution by then
    report.outcome = 'stopped_at_limit';
    report.incumbentGrossNotionalAfter = grossAfter;
    const best =
      terminated.length === 0
        ? 'terminates nothing'
        : `terminates ${terminated.length} trade${terminated.length === 1 ? '' : 's'} for a gross notional of ${millions(grossBefore)} → ${millions(grossAfter)} ${market.baseCurrency}, under minGrossReductionPct (${o.minGrossReductionPct}%)`;
    notes.push(`compression of ${group.groupId}: its solve stopped at the ${limitText} before finding a compression that pays (its best solution by then ${best}): not proved to have nothing to compress; a larger maxNodes searches further`);
    return { report, notes };
  }

  const addedRisk: TradeRisk[] = added.map((x) => {
    const r = tradeRisk(x.trade, market, home.collateralCurrency, o.irDeltaBySubCurve);
    if (!r.ok) throw new XvaInternalError(`compression of ${group.groupId}: replacement ${x.trade.tradeId} cannot be valued: ${r.reason}`);
    return r.risk;
  });
  const kept = candidates.filter((_, i) => keep[i]).map((c) => c.risk);
  const dev = recheck(group.groupId, candidates.map((c) => c.risk), [...kept, ...addedRisk], tol);
  const pvChangeUsd = sumRisk([...kept, ...addedRisk]).pvUsd - sumRisk(candidates.map((c) => c.risk)).pvUsd;
  report.outcome = 'compressed';
  report.grossNotionalAfter = grossAfter;

  const removeTradeIds = terminated.map((c) => c.trade.tradeId).sort(byId);
  const addTrades = added.map((x) => x.trade);
  const touched = [...terminated.map((c) => c.trade), ...addTrades];
  const base = market.baseCurrency;
  const replacementText = added.map((x) => `${x.label} ${x.notional > 0 ? 'pay/buy' : 'receive/sell'} ${millions(Math.abs(x.notional))}`).join(', ');
  const action: Action = {
    actionId: `compression-${group.groupId}`,
    lever: 'compression',
    description:
      `Compress ${group.groupId}: terminate ${terminated.length} trade${terminated.length === 1 ? '' : 's'}` +
      (added.length > 0 ? ` and replace with ${added.length} (${replacementText})` : ' with no replacement') +
      `: gross notional ${millions(grossBefore)} → ${millions(grossAfter)} ${base}`,
    amendment: { removeTradeIds, addTrades, upsertNettingSets: [], upsertCounterparties: [] },
    tradeIds: touched.map((t) => t.tradeId).sort(byId),
    counterpartyIds: [...new Set(touched.map((t) => t.counterpartyId))].sort(byId),
    nettingSetIds: [...new Set(touched.map((t) => t.nettingSetId))].sort(byId),
    // the terminations are PV-neutral within pvToleranceUsd (the change is settled in cash): no fee schedule is given
    cost: 0,
    details: {
      groupId: group.groupId,
      ...(group.ccp !== undefined ? { ccp: group.ccp } : {}),
      currency: base,
      grossNotionalBefore: grossBefore,
      grossNotionalAfter: grossAfter,
      grossNotionalReduction: grossBefore - grossAfter,
      tradesTerminated: terminated.length,
      replacementsAdded: added.length,
      replacementTrades: replacementText,
      pvChangeUsd,
      maxDeviationPvUsd: dev.pvUsd,
      maxDeviationIrDeltaUsdPerBp: dev.irUsdPerBp,
      maxDeviationIrFactor: dev.irFactor,
      maxDeviationFxDeltaUsd: dev.fxUsd,
      maxDeviationFxFactor: dev.fxFactor,
      maxDeviationXccyBasisUsdPerBp: dev.xccyUsdPerBp,
      maxDeviationXccyBasisFactor: dev.xccyFactor,
      pvToleranceUsd: tol.pvUsd,
      irDeltaToleranceUsdPerBp: tol.irUsdPerBp,
      fxDeltaToleranceUsd: tol.fxUsd,
      xccyBasisDeltaToleranceUsdPerBp: toleranceOf('xccy:', tol),
      lpStatus: solution.status,
      lpObjectiveMillions: solution.objective + prepared.milp!.objectiveOffset,
      lpBinaries: prepared.milp!.lp.variables.filter((v) => v.integer).length,
      lpBatchSeconds: solution.batchSeconds,
      lpBatchGroups: solution.batchBlocks,
    },
  };
  return { report, action, notes };
}
