/**
 * The markdown summary of an `xva optimize` run (summary.md) and the figures the CLI prints: the realised saving of the
 * plan in currency, in % of the book's total XVA and in bp of gross notional, against the sum of the single actions'
 * measured savings; the chosen actions; the Pareto front; what was left out and why.
 */
import { OBJECTIVES, savingsOf, type Savings } from './objective.js';
import type { OptimizeRun } from './run.js';
import type { CostDelta } from './types.js';

export interface PlanFigures {
  /** The book's total XVA cost the percentages refer to: CVA + FVA + MVA + KVA (base). */
  totalXva: number;
  grossNotional: number;
  /** Realised (re-measured on the amended book) when available, else the estimate. */
  source: 'realised' | 'estimated';
  delta: CostDelta;
  savings: Savings;
  /** Σ savings − costs. */
  saving: number;
  savingPctOfXva: number;
  savingBpOfGrossNotional: number;
  estimatedSaving: number;
  cost: number;
}

const total = (s: Savings) => OBJECTIVES.reduce((x, k) => x + s[k], 0);

export function planFigures(run: OptimizeRun): PlanFigures {
  const b = run.base.book;
  const totalXva = b.cva + b.fva + b.mva + b.kva;
  const cost = run.plan.actions.reduce((s, a) => s + a.cost, 0);
  const collateralSaving = run.plan.actions.reduce((s, a) => s + (a.lever === 'collateral' ? Number(a.details['savingPerYearVsCurrent'] ?? 0) : 0), 0);
  const delta = run.realised?.delta ?? run.estimatedDelta;
  const savings = savingsOf(delta, collateralSaving);
  const saving = total(savings) - cost;
  const estimatedSaving = total(run.plan.estimatedSavings) - cost;
  return {
    totalXva,
    grossNotional: run.grossNotional,
    source: run.realised ? 'realised' : 'estimated',
    delta,
    savings,
    saving,
    savingPctOfXva: totalXva > 0 ? (100 * saving) / totalXva : 0,
    savingBpOfGrossNotional: run.grossNotional > 0 ? (1e4 * saving) / run.grossNotional : 0,
    estimatedSaving,
    cost,
  };
}

const money = (x: number) => (Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}m` : Math.abs(x) >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

/** Why a plan is empty: nothing measured before the time limit, or no measured candidate pays under the objective. */
export function emptyPlanSentence(run: Pick<OptimizeRun, 'timedOut' | 'stats'>): string {
  if (run.stats.candidatesMeasured === 0) {
    return run.timedOut
      ? 'None: the time limit was reached before any candidate was measured (raise --max-seconds).'
      : 'None: no candidate was measured (the levers generated none for this book).';
  }
  return 'None pays under the objective.';
}

export function summaryMarkdown(run: OptimizeRun, header: { asOf: string; paths: number; seed: number; rng?: 'philox' | 'sobol' }): string {
  const f = planFigures(run);
  const ccy = run.baseCurrency;
  const b = run.base.book;
  const lines: string[] = [];
  lines.push(`# xva optimize: plan of ${header.asOf}`, '');
  lines.push(`${run.plan.actions.length} action(s) chosen from ${run.stats.candidatesMeasured} measured candidate(s) (${run.stats.candidatesGenerated} generated); ${header.paths} ${header.rng === 'sobol' ? 'Sobol ' : ''}paths, seed ${header.seed}, ${run.stats.engineRuns} engine runs, ${run.stats.seconds.toFixed(1)} s.`, '');
  if (run.timedOut) lines.push('**The time limit was reached: this is the best plan among the candidates measured by then.**', '');
  lines.push('## Saving', '');
  // the collateral lever's saving is a funding cost a year, not a present value: say how much of the saving it is
  const annual = f.savings.collateral + f.delta.mva;
  const annualNote = annual !== 0 ? ` The saving includes ${money(annual)} ${ccy} a year of collateral funding (an annual figure, added to the present values of the others as the objective does).` : '';
  lines.push(`- ${f.source === 'realised' ? 'Realised (the whole plan re-measured on the amended book)' : 'Estimated (sum of single actions; the plan was not re-measured)'}: **${money(f.saving)} ${ccy}**, ${f.savingPctOfXva.toFixed(2)}% of total XVA (${money(f.totalXva)} ${ccy} = CVA + FVA + MVA + KVA), ${f.savingBpOfGrossNotional.toFixed(2)} bp of gross notional (${money(f.grossNotional)} ${ccy}).${annualNote}`);
  lines.push(`- Sum of the single actions' measured savings: ${money(f.estimatedSaving)} ${ccy} (actions interact: the realised figure is the one to use).`);
  // the actions' `cost` (types.ts): a CSA amendment's and a novation's fees, a collateral re-allocation's transition
  // cost; a CDS hedge bought at par and a compression (its PV change is settled in cash, within its tolerance) cost 0
  lines.push(`- Costs of the actions (CSA amendment and novation fees, collateral transition costs; a CDS hedge bought at par and a compression cost 0): ${money(f.cost)} ${ccy}.`, '');
  lines.push('| | base | change |', '|---|---|---|');
  lines.push(`| CVA | ${money(b.cva)} | ${money(f.delta.cva)} |`, `| DVA | ${money(b.dva)} | ${money(f.delta.dva)} |`, `| FVA | ${money(b.fva)} | ${money(f.delta.fva)} |`);
  lines.push(`| MVA | ${money(b.mva)} | ${money(f.delta.mva)} |`, `| KVA | ${money(b.kva)} | ${money(f.delta.kva)} |`);
  lines.push(`| EAD | ${money(b.ead)} | ${money(f.delta.ead)} |`, `| RWA | ${money(b.rwa)} | ${money(f.delta.rwa)} |`, `| CET1 ratio (bp) | | ${f.delta.cet1Bp.toFixed(2)} |`, '');
  lines.push('## Chosen actions', '');
  // an empty plan says why: no candidate measured before the time limit is not "none pays" (an audit found that
  // sentence under a run that measured nothing)
  if (run.plan.actions.length === 0) lines.push(emptyPlanSentence(run), '');
  else {
    lines.push('| # | action | lever | ΔCVA | ΔFVA | ΔMVA | ΔKVA | ΔEAD | cost | net benefit | worst scenario |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of run.recommendations.filter((x) => x.rank !== null)) {
      const a = r.action;
      lines.push(`| ${r.rank} | ${a.description} | ${a.lever} | ${money(a.delta.cva)} | ${money(a.delta.fva)} | ${money(a.delta.mva)} | ${money(a.delta.kva)} | ${money(a.delta.ead)} | ${money(a.cost)} | ${money(a.netBenefit)} | ${r.worstScenario ? `${r.worstScenario}: ${money(r.worstScenarioBenefit!)}` : 'not stressed'} |`);
    }
    lines.push('');
  }
  lines.push('## Pareto front (one plan per weighting)', '', "Each plan's savings are the sums of its actions' single measured savings (not re-measured together; only the chosen plan above is).", '');
  lines.push('| weights (cva/fva/capital/collateral) | CVA | FVA | capital | collateral | actions | dominated |', '|---|---|---|---|---|---|---|');
  for (const p of run.pareto) {
    lines.push(`| ${OBJECTIVES.map((k) => p.weights[k].toFixed(2)).join('/')} | ${OBJECTIVES.map((k) => money(p.savings[k])).join(' | ')} | ${p.actions} | ${p.dominated ? 'yes' : 'no'} |`);
  }
  lines.push('');
  if (run.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of run.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  lines.push('Signs: Δ = amended − base; CVA, FVA, MVA, KVA, EAD, RWA are costs (negative = saving); a positive CET1 change improves the ratio. Every Δ is measured by the engine on the same paths and seed.', '');
  return lines.join('\n');
}
