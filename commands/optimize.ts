import { Flags } from '@oclif/core';
import { pathsFlag, threadsFlag } from '../src/cli/threads.js';
import os from 'node:os';
import path from 'node:path';
import { XvaCommand, portfolioFlags } from '../src/cli/base.js';
import { lockFolder } from '../src/cli/lock.js';
import { stderrLog } from '../src/cli/log.js';
import { renderTable } from '../src/cli/table.js';
import { packageRoot } from '../src/cli/paths.js';
import { toIsoDate } from '../src/conventions/dates.js';
import { XvaUsageError } from '../src/errors.js';
import { markOutputsWritten } from '../src/io/tempFiles.js';
import { DEFAULT_WEIGHTS, parseWeights } from '../src/optimize/objective.js';
import { checkAmendedReplaceable } from '../src/optimize/outputs.js';
import { collateralTable, writeOptimizeOutputs } from '../src/optimize/write.js';
import { DEFAULT_LIMITS } from '../src/optimize/plan.js';
import { runOptimize } from '../src/optimize/run.js';
import { planFigures } from '../src/optimize/summary.js';
import { LEVERS, type Lever } from '../src/optimize/types.js';
import { loadScenarioDir } from '../src/scenarios/load.js';

function whole(flag: string, text: string, min: number): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw new XvaUsageError(`--${flag} must be a whole number >= ${min}, got '${text}'`);
  return Number(text);
}

export default class Optimize extends XvaCommand {
  static override summary = 'Find and prove actions that cut the cost of the book: compression, novation, CVA hedges, collateral, CSA amendments';

  static override description =
    'Measures the book, generates candidate actions per lever, re-measures each on the netting sets it touches (same ' +
    'paths and seed), evaluates the best under the stress scenarios, chooses a plan under the objective weights and ' +
    'limits, and re-measures the whole plan on the amended book. Cron-safe: log lines on stderr, a lock on --out ' +
    '(a second run exits with code 3), atomic outputs, --max-seconds. Files and columns: docs/optimize.md.';

  static override examples = [
    '<%= config.bin %> optimize',
    '<%= config.bin %> optimize --portfolio ./book --out ./plan --max-seconds 1800 --quiet',
    '<%= config.bin %> optimize --levers csa,cva_hedge --weights cva=0.5,fva=0.2,capital=0.2,collateral=0.1 --robust',
  ];

  static override flags = {
    ...portfolioFlags,
    out: Flags.string({ description: 'Output folder (recommendations, plan, amended portfolio, summary.md); locked while the run writes it', helpValue: 'DIR' }),
    paths: Flags.string({ description: 'Monte Carlo paths of every measurement', default: '1000', helpValue: 'N' }),
    seed: Flags.string({ description: 'Seed of the random numbers (same seed, same plan)', default: '42', helpValue: 'N' }),
    rng: Flags.string({
      description: "Random numbers of every measurement: 'philox' (default) or 'sobol' (Sobol points with a Brownian bridge, as `xva simulate --rng sobol`; the same points for the base and the amended book)",
      options: ['philox', 'sobol'],
      default: 'philox',
    }),
    threads: Flags.string({ description: 'Worker threads (default: all cores; 1 = in-process)', helpValue: 'N' }),
    levers: Flags.string({ description: `Comma list of levers (default all: ${LEVERS.join(',')})`, default: LEVERS.join(','), helpValue: 'LIST' }),
    weights: Flags.string({ description: 'Objective weights, e.g. cva=0.4,fva=0.2,capital=0.2,collateral=0.2 (default 0.25 each; an objective not named keeps 0.25)', helpValue: 'LIST' }),
    'max-new-trades': Flags.string({ description: 'Most trades a plan adds', default: String(DEFAULT_LIMITS.maxNewTrades), helpValue: 'N' }),
    'max-unwinds': Flags.string({ description: 'Most trades a plan removes', default: String(DEFAULT_LIMITS.maxUnwinds), helpValue: 'N' }),
    'max-compressions': Flags.string({ description: 'Most compression actions in a plan', default: String(DEFAULT_LIMITS.maxCompressions), helpValue: 'N' }),
    'max-csa-amendments': Flags.string({ description: 'Most CSA amendments in a plan', default: String(DEFAULT_LIMITS.maxCsaAmendments), helpValue: 'N' }),
    'max-candidates': Flags.string({ description: 'Candidates measured per lever', default: '20', helpValue: 'N' }),
    scenarios: Flags.string({ description: "Stress scenarios folder ('default' = the bundled scenarios/, 'none' = no stress)", default: 'default', helpValue: 'DIR' }),
    'stress-candidates': Flags.string({ description: 'Best candidates evaluated under every scenario', default: '10', helpValue: 'N' }),
    robust: Flags.boolean({ description: "Rank actions by their worst scenario's benefit", default: false }),
    'max-seconds': Flags.string({ description: 'Bound the measuring of candidates, the stress runs and the plan\'s re-measurement: return the best plan found by then (and say so); the base run and the candidate search come first', helpValue: 'S' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Optimize);
    this.setModes(flags);
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const marketFile = this.marketFile(flags.market, portfolioDir);
    const levers = flags.levers.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const l of levers) if (!(LEVERS as readonly string[]).includes(l)) throw new XvaUsageError(`--levers: unknown lever '${l}' (one of ${LEVERS.join(', ')})`);
    // a lever named twice would queue its candidates twice and the plan could take an action twice
    const twice = levers.find((l, i) => levers.indexOf(l) !== i);
    if (twice !== undefined) throw new XvaUsageError(`--levers: '${twice}' is named twice (name each lever once)`);
    const weights = flags.weights !== undefined ? parseWeights(flags.weights) : DEFAULT_WEIGHTS;
    const limits = {
      maxNewTrades: whole('max-new-trades', flags['max-new-trades'], 0),
      maxUnwinds: whole('max-unwinds', flags['max-unwinds'], 0),
      maxCompressions: whole('max-compressions', flags['max-compressions'], 0),
      maxCsaAmendments: whole('max-csa-amendments', flags['max-csa-amendments'], 0),
    };
    const seed = whole('seed', flags.seed, 0);
    if (seed > 0xffffffff) throw new XvaUsageError(`--seed must be at most ${0xffffffff}, got '${flags.seed}'`);
    let maxSeconds: number | undefined;
    if (flags['max-seconds'] !== undefined) {
      maxSeconds = Number(flags['max-seconds']);
      if (!(Number.isFinite(maxSeconds) && maxSeconds > 0)) throw new XvaUsageError(`--max-seconds must be a number > 0, got '${flags['max-seconds']}'`);
    }
    const scenarios = flags.scenarios === 'none' ? [] : loadScenarioDir(flags.scenarios === 'default' ? path.join(packageRoot(), 'scenarios') : path.resolve(flags.scenarios));
    const outDir = flags.out !== undefined ? path.resolve(flags.out) : undefined;
    const log = stderrLog('optimize', !this.quietMode);
    const lock = outDir ? lockFolder(outDir, 'xva optimize') : undefined;
    try {
      // an earlier amended/ this user cannot remove is refused now, not after the run (src/optimize/outputs.ts)
      if (outDir) checkAmendedReplaceable(outDir);
      const run = await runOptimize({
        portfolioDir,
        marketFile,
        paths: pathsFlag('paths', flags.paths),
        seed,
        ...(flags.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
        threads: flags.threads === undefined ? os.availableParallelism() : threadsFlag(flags.threads),
        xva: { discretisation: 'mid', mode: 'unilateral' },
        levers: levers as Lever[],
        weights,
        limits,
        maxCandidatesPerLever: whole('max-candidates', flags['max-candidates'], 0),
        scenarios,
        stressCandidates: whole('stress-candidates', flags['stress-candidates'], 0),
        robust: flags.robust,
        ...(maxSeconds !== undefined ? { maxSeconds } : {}),
        log,
      });
      const asOf = toIsoDate(run.base.grid.asOf);
      const files = outDir ? writeOptimizeOutputs(outDir, run, { asOf, paths: Number(flags.paths), seed, ...(flags.rng === 'sobol' ? { rng: 'sobol' as const } : {}), portfolioDir, marketFile }) : [];
      if (outDir && files.length > 0) markOutputsWritten(`${files.length} files in ${outDir}`);
      for (const f of files) log(`wrote ${f}`);
      const fig = planFigures(run);
      if (this.jsonMode) {
        this.printJson({
          asOf,
          currency: run.baseCurrency,
          timedOut: run.timedOut,
          saving: fig,
          plan: run.recommendations.filter((r) => r.rank !== null).map((r) => ({ rank: r.rank, ...r.action, amendment: undefined, worstScenario: r.worstScenario, worstScenarioBenefit: r.worstScenarioBenefit })),
          candidates: run.recommendations.map((r) => ({ actionId: r.action.actionId, lever: r.action.lever, delta: r.action.delta, cost: r.action.cost, netBenefit: r.action.netBenefit, rank: r.rank, skipReason: r.skipReason })),
          pareto: run.pareto,
          collateral: run.collateral ? { status: run.collateral.status, totals: run.collateral.totals, message: run.collateral.message } : undefined,
          notes: run.notes,
          stats: run.stats,
          files,
        });
        return;
      }
      this.say(
        renderTable(
          ['#', 'Action', 'Lever', 'ΔCVA', 'ΔFVA', 'ΔMVA', 'ΔKVA', 'ΔEAD', 'Cost', 'Net benefit'],
          run.recommendations.filter((r) => r.rank !== null).map((r) => [String(r.rank), r.action.description, r.action.lever, r.action.delta.cva, r.action.delta.fva, r.action.delta.mva, r.action.delta.kva, r.action.delta.ead, r.action.cost, r.action.netBenefit]),
          { title: `Plan: ${run.plan.actions.length} of ${run.stats.candidatesMeasured} measured actions (Δ = amended − base, ${run.baseCurrency})` },
        ),
      );
      this.say(
        `Saving (${fig.source}): ${fig.saving.toFixed(0)} ${run.baseCurrency} = ${fig.savingPctOfXva.toFixed(2)}% of total XVA, ${fig.savingBpOfGrossNotional.toFixed(2)} bp of gross notional; sum of single actions ${fig.estimatedSaving.toFixed(0)}`,
      );
      if (run.collateral) this.say(renderTable(['Allocation', 'Annual cost'], collateralTable(run.collateral), { title: 'Collateral allocation' }));
      if (run.timedOut) this.warnLine('the time limit was reached: the plan is the best among the candidates measured by then');
      if (files.length > 0) this.say(`Wrote ${files.length} files to ${outDir}`);
    } finally {
      lock?.release();
    }
  }
}
