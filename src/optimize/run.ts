/**
 * The library entry of `xva optimize` (docs/optimize.md): measure the base book once, generate every lever's candidate
 * actions, measure each by re-running the engine on the netting sets it touches (same paths and seed), evaluate the
 * best under the stress scenarios, choose the plan, and measure the realised saving of the whole plan on the amended
 * book (actions interact). Deterministic: same inputs and seed, same plan. `maxSeconds` bounds the run: candidates
 * not measured by then are left out (and said so); the plan is the best of those measured.
 */
import { checkCapitalRatioShocks } from '../scenarios/capitalRatio.js';
import { IssueCollector, XvaUsageError } from '../errors.js';
import { automaticRateShifts, computeSaccr, loadSaccrInputs } from '../capital/saccr/index.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import type { Market } from '../market/types.js';
import { runMargin } from '../margin/run.js';
import type { Portfolio } from '../portfolio/types.js';
import type { Currency } from '../products/types.js';
import type { Scenario } from '../scenarios/types.js';
import { computeXva, type ExposureSet, type XvaOptions } from '../xva/compute.js';
import { missingFundingNote, shockCreditInputs, type CreditInputs } from '../xva/credit.js';
import { collateralAllocation, postingRequirements, type CollateralAllocation } from './levers/collateral/index.js';
import { compressBook, DEFAULT_COMPRESSION_OPTIONS, type CompressionGroupReport } from './levers/compression/index.js';
import { csaCandidates } from './levers/csa.js';
import { cvaHedgeActions } from './levers/hedges/index.js';
import { novationActions } from './levers/novation/index.js';
import { amendedCollateralBalances, subPortfolio } from './measure/capital.js';
import type { SaccrCollateralBalance } from '../capital/saccr/types.js';
import { applyAmendment, BeyondGridError, buildMeasureContext, measureAmendment, measureBase, mvaUnderCredit, type AmendmentMeasurement, type MeasureContext, type Measurement, type PostedImProfile } from './measure/index.js';
import { savingsOf, weightedBenefit, type ObjectiveWeights } from './objective.js';
import { annualCollateralSaving, choosePlan, measured, paretoFront, planBook, type ParetoPoint, type Plan, type PlanLimits } from './plan.js';
import type { RecommendationRow, ScenarioBenefitRow } from './outputs.js';
import type { Action, Amendment, CostDelta, Lever, MeasuredAction } from './types.js';
import { outstandingNotional } from '../products/amortization.js';

export interface OptimizeOptions {
  portfolioDir: string;
  marketFile: string;
  paths: number;
  seed: number;
  /** The draws of every engine run (measure/context.ts MeasureContextInput.rng); default philox. */
  rng?: 'philox' | 'sobol';
  threads: number;
  xva: XvaOptions;
  levers: readonly Lever[];
  weights: ObjectiveWeights;
  limits: PlanLimits;
  /** Candidates measured per lever at most (the lever's own order: its best first). */
  maxCandidatesPerLever: number;
  scenarios: readonly Scenario[];
  /** Candidates evaluated under every scenario (best base benefit first); the plan's chosen actions always are too. */
  stressCandidates: number;
  /** Rank by the worst scenario's benefit instead of the base benefit. */
  robust: boolean;
  /** Wall-clock budget in seconds (undefined = none). */
  maxSeconds?: number;
  log: (text: string) => void;
}

export interface OptimizeRun {
  baseCurrency: string;
  base: Measurement;
  candidates: MeasuredAction[];
  plan: Plan;
  /** The whole plan measured on the amended book (undefined when the plan is empty or time ran out). */
  realised?: AmendmentMeasurement;
  /** Sum of the chosen actions' single deltas. */
  estimatedDelta: CostDelta;
  pareto: ParetoPoint[];
  scenarioRows: ScenarioBenefitRow[];
  recommendations: RecommendationRow[];
  collateral?: CollateralAllocation;
  amendedPortfolio: Portfolio;
  /** The amended book's collateral balances as its capital was measured (moved VM); undefined when none moved. */
  amendedCollateralBalances?: ReadonlyMap<string, SaccrCollateralBalance>;
  grossNotional: number;
  timedOut: boolean;
  notes: string[];
  stats: { engineRuns: number; setsValued: number; seconds: number; candidatesGenerated: number; candidatesMeasured: number };
}

const ZERO_DELTA: CostDelta = { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0, fva: 0, mva: 0, kva: 0, ead: 0, rwa: 0, cet1Bp: 0, capital: 0 };

function addDelta(a: CostDelta, b: CostDelta): CostDelta {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof CostDelta)[]) out[k] += b[k];
  return out;
}

/** One amendment doing all of `actions` (the plan never holds two that claim the same trade or write different terms for one netting set; identical netting-set upserts, two novations into one new CCP account, are kept once). */
export function mergeAmendments(actions: readonly Action[]): Amendment {
  const byId = <T>(items: readonly T[], id: (x: T) => string) => [...new Map(items.map((x) => [id(x), x])).values()];
  return {
    removeTradeIds: actions.flatMap((a) => a.amendment.removeTradeIds),
    addTrades: actions.flatMap((a) => a.amendment.addTrades),
    upsertNettingSets: byId(actions.flatMap((a) => a.amendment.upsertNettingSets), (s) => s.nettingSetId),
    upsertCounterparties: byId(actions.flatMap((a) => a.amendment.upsertCounterparties), (c) => c.counterpartyId),
    upsertCollateral: byId(actions.flatMap((a) => a.amendment.upsertCollateral ?? []), (c) => c.assetId),
  };
}

function isEmpty(a: Amendment): boolean {
  return a.removeTradeIds.length === 0 && a.addTrades.length === 0 && a.upsertNettingSets.length === 0 && a.upsertCounterparties.length === 0 && (a.upsertCollateral ?? []).length === 0;
}

/**
 * Gross notional of the book in the base currency (trades' first notional converted at spot, an amortising swap's
 * outstanding today; equity: quantity × strike).
 */
export function grossNotional(portfolio: Portfolio, market: Market): number {
  let total = 0;
  for (const t of portfolio.trades) {
    let amount: number;
    let ccy: string;
    switch (t.product) {
      case 'IRS':
      case 'OIS':
        [amount, ccy] = [outstandingNotional(t.fixedLeg, market.asOf), t.fixedLeg.currency];
        break;
      case 'SWAPTION':
        [amount, ccy] = [t.fixedLeg.notional, t.fixedLeg.currency];
        break;
      case 'CAPFLOOR':
        [amount, ccy] = [outstandingNotional(t.floatLeg, market.asOf), t.floatLeg.currency];
        break;
      case 'XCCY':
      case 'BASIS':
        [amount, ccy] = [outstandingNotional(t.leg1, market.asOf), t.leg1.currency];
        break;
      case 'EQFWD':
      case 'EQOPT':
        [amount, ccy] = [t.quantity * t.strike, t.currency];
        break;
      default:
        [amount, ccy] = [t.notional, t.currency];
    }
    total += amount * market.fxSpot(ccy as Currency, market.baseCurrency);
  }
  return total;
}

/** XVA of some netting sets' exposure under given credit inputs (credit and funding shocks need no new run). */
function xvaOf(sets: readonly ExposureSet[], credit: CreditInputs, xva: XvaOptions): { cva: number; fva: number } {
  if (sets.length === 0) return { cva: 0, fva: 0 };
  const b = computeXva(sets, credit, xva, false).book;
  return { cva: b.cva, fva: b.fca - b.fba + b.colva };
}

/**
 * The plan's notes on compression solves stopped by a limit: the node limit (same answer anywhere) or the time limit;
 * a group stopped before finding a compression that pays is named (it was not proved to have nothing to compress).
 */
export function compressionLimitNotes(groups: readonly Pick<CompressionGroupReport, 'groupId' | 'outcome' | 'lpStatus'>[]): string[] {
  const d = DEFAULT_COMPRESSION_OPTIONS;
  const out: string[] = [];
  const limits = [
    ['node_limit', `the node limit (${d.maxNodes.toLocaleString('en-US')} nodes of its own solve)`, 'the same on any machine'],
    ['time_limit', `the time limit (${d.timeLimitSeconds} s) before the node limit`, "which can depend on this machine's speed and load"],
  ] as const;
  for (const [status, limit, why] of limits) {
    const stopped = groups.filter((g) => g.lpStatus === status);
    if (stopped.length === 0) continue;
    const empty = stopped.filter((g) => g.outcome === 'stopped_at_limit').map((g) => g.groupId);
    const found = stopped.length - empty.length;
    const parts = [
      ...(found > 0 ? [`${found} with the best compression found by then, ${why}`] : []),
      ...(empty.length > 0 ? [`${empty.length} before finding one that pays (${empty.join(', ')}: not proved to have nothing to compress; compression option maxNodes searches further)`] : []),
    ];
    out.push(`compression: ${stopped.length} group(s) stopped at ${limit}: ${parts.join('; ')}`);
  }
  return out;
}

export async function runOptimize(options: OptimizeOptions): Promise<OptimizeRun> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const outOfTime = () => options.maxSeconds !== undefined && elapsed() > options.maxSeconds;
  const log = options.log;
  const notes: string[] = [];
  if (options.levers.length === 0) throw new XvaUsageError('--levers: name at least one lever');

  const { market, portfolio } = await loadSimulationInputs(options.portfolioDir, options.marketFile);
  checkCapitalRatioShocks(options.scenarios, market.capital.capitalRatio, options.marketFile);
  const issues = new IssueCollector();
  const loaded = await loadSaccrInputs(options.portfolioDir, issues, market);
  issues.throwIfAny();
  // the whole book's λ for options on rates <= 0 (CRE52.40 FAQ2), so that every part of the book uses the same
  const saccrInputs = { ...loaded, rateShift: automaticRateShifts(portfolio, market, loaded.rateShift) };
  // what every measure context of the run shares (the base's, and a coverage scenario's over the touched sets)
  const runInputs = {
    market,
    marketFile: options.marketFile,
    paths: options.paths,
    seed: options.seed,
    ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
    threads: options.threads,
    xva: options.xva,
    saccrInputs,
  };
  const ctx = buildMeasureContext({
    portfolio,
    ...runInputs,
    // no close-out dates beyond the book's own MPoRs: the base run is then `xva cva`'s on the same book, whichever
    // levers run; a candidate needing another MPoR (a novation into a new 5-day CCP set) re-measures the sets it
    // touches, base and amended, on the grid with its close-out dates (measureAmendment)
  });
  log(`base book: ${portfolio.trades.length} trades, ${portfolio.nettingSets.length} netting sets, ${options.paths} ${options.rng === 'sobol' ? 'Sobol ' : ''}paths, seed ${options.seed}`);
  const base = await measureBase(ctx);
  notes.push(...base.notes);
  log(`base measured in ${elapsed().toFixed(1)} s: CVA ${base.book.cva.toFixed(0)}, FVA ${base.book.fva.toFixed(0)}, MVA ${base.book.mva.toFixed(0)}, KVA ${base.book.kva.toFixed(0)}`);

  // candidates per lever, each list in the lever's own (deterministic) order
  const lists = new Map<Lever, Action[]>();
  let collateral: CollateralAllocation | undefined;
  let candidatesGenerated = 0;
  for (const lever of options.levers) {
    let actions: Action[] = [];
    if (lever === 'compression') {
      // the groups worth solving: the netting sets that cost most (CVA + FVA + KVA of their CCR capital), and every
      // cleared set (compression across counterparties at a CCP)
      const cost = (id: string) => {
        const f = base.sets.get(id);
        return f ? f.cva + f.fca - f.fba + f.colva + f.kvaCcr : 0;
      };
      const ranked = portfolio.nettingSets.filter((n) => !n.cleared).map((n) => n.nettingSetId).sort((a, b) => cost(b) - cost(a) || (a < b ? -1 : 1));
      const nettingSetIds = [...ranked.slice(0, options.maxCandidatesPerLever), ...portfolio.nettingSets.filter((n) => n.cleared).map((n) => n.nettingSetId)];
      if (ranked.length > options.maxCandidatesPerLever) notes.push(`compression: the ${options.maxCandidatesPerLever} bilateral netting sets with the largest CVA + FVA + KVA and every cleared set were searched (of ${ranked.length} bilateral sets)`);
      const compressed = await compressBook(portfolio, market, { nettingSetIds });
      actions = compressed.actions;
      notes.push(...compressionLimitNotes(compressed.groups));
    }
    else if (lever === 'novation') actions = novationActions(portfolio, market);
    else if (lever === 'csa') actions = csaCandidates(ctx, base);
    else if (lever === 'cva_hedge') {
      const exposure = [...base.sets.values()].flatMap((s) => (s.exposure ? [s.exposure] : []));
      const saccr = computeSaccr(portfolio, market, { ...saccrInputs, convention: ctx.saccrConvention });
      actions = cvaHedgeActions({ portfolio, market, saccr, ...(saccrInputs.referenceEntities ? { referenceEntities: saccrInputs.referenceEntities } : {}), exposure: { sets: exposure, credit: base.credit, xva: options.xva } });
    } else if (lever === 'collateral') {
      const margin = await runMargin({ portfolioDir: options.portfolioDir, marketFile: options.marketFile, usePortfolio: true });
      const requirements = postingRequirements(portfolio, margin.nettingSets, market);
      collateral = await collateralAllocation(portfolio, requirements, { market });
      notes.push(collateral.message, ...collateral.notes);
      if (collateral.action) actions = [collateral.action];
    }
    if (actions.length > options.maxCandidatesPerLever) notes.push(`${lever}: ${actions.length} candidates, the first ${options.maxCandidatesPerLever} measured (--max-candidates)`);
    lists.set(lever, actions.slice(0, options.maxCandidatesPerLever));
    candidatesGenerated += actions.length;
    log(`${lever}: ${actions.length} candidate action(s)`);
  }
  // generated: every lever's candidates; queued: those kept for measuring (--max-candidates per lever)
  const candidatesQueued = [...lists.values()].reduce((s, l) => s + l.length, 0);

  // measure round-robin over the levers, so a time limit leaves every lever some measured candidates
  const measuredActions: MeasuredAction[] = [];
  const measurements = new Map<string, AmendmentMeasurement>();
  let timedOut = false;
  let unmeasurable = 0;
  const queues = options.levers.map((l) => [...(lists.get(l) ?? [])]);
  for (let round = 0; queues.some((q) => q.length > 0); round++) {
    for (const q of queues) {
      const action = q.shift();
      if (!action) continue;
      if (outOfTime()) {
        timedOut = true;
        break;
      }
      let delta = ZERO_DELTA;
      if (!isEmpty(action.amendment)) {
        let m: AmendmentMeasurement;
        try {
          m = await measureAmendment(ctx, base, action.amendment);
        } catch (error) {
          // a trade the lever proposes beyond the book's last grid date cannot be measured on the book's paths: that
          // candidate is left out, said so; the others go on
          if (!(error instanceof BeyondGridError)) throw error;
          notes.push(`${action.actionId}: not measured: ${error.message}`);
          unmeasurable++;
          continue;
        }
        measurements.set(action.actionId, m);
        delta = m.delta;
        notes.push(...m.notes.map((n) => `${action.actionId}: ${n}`));
      }
      measuredActions.push(measured(action, delta, options.weights));
    }
    if (timedOut) break;
  }
  if (timedOut) notes.push(`time limit (--max-seconds ${options.maxSeconds}) reached: ${measuredActions.length} of ${candidatesQueued} queued candidates measured; the plan is the best of those`);
  log(`measured ${measuredActions.length} candidate(s) in ${elapsed().toFixed(1)} s${unmeasurable > 0 ? ` (${unmeasurable} beyond the book's grid left out)` : ''}`);

  // stress: the best candidates by base benefit under every scenario, then any the plan chooses that were not among them
  const scenarioRows: ScenarioBenefitRow[] = [];
  const worst = new Map<string, { scenario: string; benefit: number }>();
  const stressedIds = new Set<string>();
  const coverageContexts: MeasureContext[] = [];
  // the candidates a scenario was skipped for (the time limit), so that the log does not count them as stressed
  // under every scenario (an audit found "19 candidate(s) evaluated under 9 of 9 scenario(s)" with 9 of them under 7)
  const missedScenario = new Set<string>();
  // the shocked credit curves' notes (a hazard floored at 0 under a downward shock), each once, after the measures'
  const stressNotes = new Set<string>();
  const stress = async (actions: readonly MeasuredAction[]): Promise<void> => {
    if (actions.length === 0) return;
    for (const a of actions) stressedIds.add(a.actionId);
    const coverageBases = new Map<number, { ctx: MeasureContext; base: Measurement }>();
    const touchedSets = new Set(actions.flatMap((a) => measurements.get(a.actionId)?.touchedNettingSetIds ?? []));
    for (const scenario of options.scenarios) {
      if (outOfTime()) {
        timedOut = true;
        for (const a of actions) missedScenario.add(a.actionId);
        notes.push(`time limit reached before scenario ${scenario.name}${stressedIds.size > actions.length ? ` for ${actions.map((a) => a.actionId).join(', ')}` : ''}: not evaluated`);
        continue;
      }
      const s = scenario.shocks;
      const creditShocks = {
        ...(s.creditSpreadBp !== undefined ? { creditSpreadBp: s.creditSpreadBp } : {}),
        ...(s.ownCreditSpreadBp !== undefined ? { ownCreditSpreadBp: s.ownCreditSpreadBp } : {}),
        ...(s.fundingSpreadBp !== undefined ? { fundingSpreadBp: s.fundingSpreadBp } : {}),
      };
      const creditShocked = Object.values(creditShocks).some((v) => v !== 0);
      // (as xva cva|fva and the margin MVA scenarios say it: xva/stress.ts)
      if (s.fundingSpreadBp && missingFundingNote(market) !== undefined) stressNotes.add(`scenario ${scenario.name}: fundingSpreadBp ${s.fundingSpreadBp} moves nothing: the market has no funding spreads for the base currency (funding.${market.baseCurrency})`);
      const ratioScale = (ctx.capital.capitalRatio + (s.capitalRatioAdd ?? 0)) / ctx.capital.capitalRatio;
      const coverage = s.collateralCoverage;
      let covered: { ctx: MeasureContext; base: Measurement } | undefined;
      if (coverage !== undefined && coverage !== 1 && touchedSets.size > 0) {
        covered = coverageBases.get(coverage);
        if (!covered) {
          // only the netting sets the stressed actions touch, on the base run's grid, layout and paths: a coverage
          // level changes their collateral, hence CVA, DVA, FVA and MVA; SA-CCR, capital and KVA do not depend on it
          const sub = buildMeasureContext({
            portfolio: subPortfolio(portfolio, touchedSets),
            ...runInputs,
            grid: ctx.grid,
            layoutNeeds: ctx.layoutNeeds,
            pathSimulator: ctx.pathSimulator,
          });
          const cctx: MeasureContext = { ...sub, coverage };
          covered = { ctx: cctx, base: await measureBase(cctx) };
          coverageBases.set(coverage, covered);
          coverageContexts.push(cctx);
        }
      }
      for (const a of actions) {
        let delta: CostDelta = a.delta;
        let m = measurements.get(a.actionId);
        let baseOf = base;
        if (covered && m) {
          m = await measureAmendment(covered.ctx, covered.base, a.amendment);
          baseOf = covered.base;
          const c = m.delta;
          delta = { ...a.delta, cva: c.cva, dva: c.dva, fca: c.fca, fba: c.fba, colva: c.colva, fva: c.fva, mva: c.mva };
        }
        // credit and funding shocks: the touched sets' XVA again from the same exposure profiles, before on the base
        // figures the action's delta is against (re-measured ones when its grid or layout changed) with the base
        // book's credit, after with the amended book's (a new counterparty's curve: a hedge dealer, a CCP)
        if (m && creditShocked) {
          const mm = m;
          const ids = mm.touchedNettingSetIds;
          const curveNotes: string[] = [];
          const creditBefore = shockCreditInputs(baseOf.credit, market, creditShocks, curveNotes);
          const creditAfter = shockCreditInputs(mm.credit, market, creditShocks, curveNotes);
          for (const note of curveNotes) stressNotes.add(`scenario ${scenario.name}: ${note}`);
          const baseSet = (id: string) => mm.baseSets.get(id) ?? baseOf.sets.get(id);
          const before = xvaOf(ids.flatMap((id) => baseSet(id)?.exposure ?? []), creditBefore, options.xva);
          const after = xvaOf(ids.flatMap((id) => mm.sets.get(id)?.exposure ?? []), creditAfter, options.xva);
          // MVA too: the IM posted is the same, its funding spread and the survivals that weigh it are shocked
          const mvaOf = (profiles: (PostedImProfile | undefined)[], credit: CreditInputs) => profiles.reduce((sum, p) => sum + (p ? mvaUnderCredit(p, credit, market) : 0), 0);
          const mva = mvaOf(ids.map((id) => mm.sets.get(id)?.mvaProfile), creditAfter) - mvaOf(ids.map((id) => baseSet(id)?.mvaProfile), creditBefore);
          delta = { ...delta, cva: after.cva - before.cva, fva: after.fva - before.fva, mva };
        }
        const shocked: CostDelta = { ...delta, kva: delta.kva * ratioScale, capital: delta.capital * ratioScale };
        const benefit = weightedBenefit(savingsOf(shocked, annualCollateralSaving(a)), options.weights, a.cost);
        scenarioRows.push({ actionId: a.actionId, scenario: scenario.name, netBenefit: benefit, dCva: shocked.cva, dFva: shocked.fva, dMva: shocked.mva, dKva: shocked.kva });
        const w = worst.get(a.actionId);
        if (!w || benefit < w.benefit) worst.set(a.actionId, { scenario: scenario.name, benefit });
      }
    }
  };
  await stress([...measuredActions].sort((a, b) => b.netBenefit - a.netBenefit || (a.actionId < b.actionId ? -1 : 1)).slice(0, options.stressCandidates));

  // the plan; --robust ranks by the worst scenario. The chosen actions are always stressed: one the plan takes that was
  // not among the stressed candidates is stressed now and, under --robust, the plan chosen again on its worst case,
  // until every chosen action has been (each round stresses at least one more, so this ends)
  const score = options.robust ? (a: MeasuredAction) => Math.min(a.netBenefit, worst.get(a.actionId)?.benefit ?? a.netBenefit) : undefined;
  const book = planBook(portfolio);
  let plan = choosePlan(measuredActions, options.weights, options.limits, score, book);
  if (options.scenarios.length > 0) {
    for (;;) {
      const unstressed = plan.actions.filter((a) => !stressedIds.has(a.actionId));
      if (unstressed.length === 0 || outOfTime()) break;
      await stress(unstressed);
      if (!options.robust) break;
      plan = choosePlan(measuredActions, options.weights, options.limits, score, book);
    }
    const complete = stressedIds.size - missedScenario.size;
    log(
      `${stressedIds.size} candidate(s) stressed: ${complete} under all ${options.scenarios.length} scenario(s)` +
        (missedScenario.size > 0 ? `, ${missedScenario.size} under fewer (time limit: the notes name the scenarios not evaluated)` : ''),
    );
  }
  const pareto = paretoFront(measuredActions, options.limits, book);
  const estimatedDelta = plan.actions.reduce((d, a) => addDelta(d, a.delta), ZERO_DELTA);
  const merged = mergeAmendments(plan.actions);
  const amendedPortfolio = isEmpty(merged) ? portfolio : applyAmendment(portfolio, merged);
  let realised: AmendmentMeasurement | undefined;
  if (plan.actions.length > 0 && !isEmpty(merged)) {
    if (outOfTime()) notes.push('time limit reached: the realised saving of the whole plan was not measured');
    else {
      realised = await measureAmendment(ctx, base, merged);
      // a fresh `xva cva --rng sobol` of the amended book is not the realised figures when the plan changes the factors
      notes.push(...realised.notes.filter((n) => n.startsWith('under --rng sobol')).map((n) => `the realised plan: ${n}`));
      log(`plan of ${plan.actions.length} action(s) re-measured on the amended book: ΔCVA ${realised.delta.cva.toFixed(0)} (sum of single actions ${estimatedDelta.cva.toFixed(0)})`);
    }
  }

  // the collateral lever's saving is solved on the base book's posting requirements; a plan whose other actions change
  // them (a new CSA calls VM, a CCP takes IM, trades move) is not re-solved on the amended book: say so
  const collateralChosen = plan.actions.some((a) => a.lever === 'collateral');
  const changesPostings = plan.actions.some((a) => a.lever !== 'collateral' && (a.amendment.upsertNettingSets.length > 0 || a.amendment.addTrades.length > 0 || a.amendment.removeTradeIds.length > 0));
  if (collateralChosen && changesPostings) {
    notes.push("collateral: the plan's collateral saving is the allocation's on the base book's posting requirements; the plan's other actions change them (new CSAs call VM, a CCP takes IM, trades move) and the allocation is not solved again on the amended book (xva optimize --portfolio <out>/amended --levers collateral gives its cost there)");
  }
  const amendedBalances = amendedPortfolio === portfolio ? undefined : amendedCollateralBalances(ctx, amendedPortfolio);

  const rankOf = new Map(plan.actions.map((a, i) => [a.actionId, i + 1]));
  const skipOf = new Map(plan.skipped.map((s) => [s.actionId, s.reason]));
  const recommendations: RecommendationRow[] = [...measuredActions]
    .sort((a, b) => (rankOf.get(a.actionId) ?? Infinity) - (rankOf.get(b.actionId) ?? Infinity) || b.netBenefit - a.netBenefit || (a.actionId < b.actionId ? -1 : 1))
    .map((a) => ({
      action: plan.actions.find((c) => c.actionId === a.actionId) ?? a,
      rank: rankOf.get(a.actionId) ?? null,
      skipReason: skipOf.get(a.actionId) ?? '',
      worstScenario: worst.get(a.actionId)?.scenario ?? null,
      worstScenarioBenefit: worst.get(a.actionId)?.benefit ?? null,
    }));

  return {
    baseCurrency: market.baseCurrency,
    base,
    candidates: measuredActions,
    plan,
    ...(realised ? { realised } : {}),
    estimatedDelta,
    pareto,
    scenarioRows,
    recommendations,
    ...(collateral ? { collateral } : {}),
    amendedPortfolio,
    ...(amendedBalances ? { amendedCollateralBalances: amendedBalances } : {}),
    grossNotional: grossNotional(portfolio, market),
    timedOut,
    notes: [...notes, ...stressNotes],
    stats: {
      engineRuns: ctx.stats.engineRuns + coverageContexts.reduce((n, c) => n + c.stats.engineRuns, 0),
      setsValued: ctx.stats.setsValued + coverageContexts.reduce((n, c) => n + c.stats.setsValued, 0), seconds: elapsed(), candidatesGenerated, candidatesMeasured: measuredActions.length },
  };
}
