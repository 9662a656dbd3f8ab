import { Flags } from '@oclif/core';
import { pathsFlag, threadsFlag } from '../src/cli/threads.js';
import fs from 'node:fs';
import path from 'node:path';
import { XvaCommand, portfolioFlags } from '../src/cli/base.js';
import { packageRoot } from '../src/cli/paths.js';
import { renderTable } from '../src/cli/table.js';
import { XvaUsageError } from '../src/errors.js';
import { markOutputsWritten } from '../src/io/tempFiles.js';
import { capitalJson, counterpartyRows, explainRows, nettingSetRows, writeCapitalTables, bookRow } from '../src/capital/outputs.js';
import { runCapital } from '../src/capital/run.js';
import { SA_CVA_MARGIN_TYPES, SA_CVA_RISK_TYPES, type SaCvaMarginType, type SaCvaRiskType } from '../src/capital/sacva/index.js';
import { capitalShardSummary, checkCapitalShardOptions, runCapitalShard } from '../src/scale/capitalShard.js';
import { resolveShard, shardFlags } from '../src/scale/shardSpec.js';
import { loadRunScenarios } from '../src/scenarios/load.js';
import { parseGridSpec } from '../src/simulation/grid.js';

function whole(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) throw new XvaUsageError(`--${flag} must be a whole number ${min} to ${max}, got '${text}'`);
  return value;
}

export default class Capital extends XvaCommand {
  static override summary = 'SA-CCR EAD, RWA and CET1 impact, BA-CVA, SA-CVA and KVA per netting set, counterparty and book';

  static override description =
    'SA-CCR (CRE52) per netting set with add-ons by asset class, RWA by CRE20 risk weights, capital at the market\'s ' +
    'capital ratio, BA-CVA (reduced; full when the book buys CDS protection on a counterparty), SA-CVA (from ' +
    '--sacva-sensitivities, else by bump and revalue on the simulated book), and KVA from the expected SA-CCR capital ' +
    'profile along the simulated paths. With --shard K/N only the Monte Carlo part of shard K\'s netting sets is ' +
    'computed; `xva merge` then forms the book\'s capital (docs/scale.md). Conventions and columns: docs/capital.md ' +
    '("xva capital", "KVA").';

  static override examples = [
    '<%= config.bin %> capital --portfolio test/data/saccr/bcbs279_ex1 --no-kva',
    '<%= config.bin %> capital --portfolio test/data/saccr/ore_two_swaps --convention ore --no-kva --explain-trade Swap_EUR',
    '<%= config.bin %> capital --portfolio fixtures/demo --paths 500 --scenario scenarios/capital_ratio_plus_1pct.yaml --out ./capital',
    '<%= config.bin %> capital --portfolio ./book --paths 500 --shard 1/4 --out ./shards   # then 2/4 .. 4/4, and: xva merge ./shards --out ./capital',
  ];

  static override flags = {
    ...portfolioFlags,
    out: Flags.string({ description: 'Output folder for the Arrow tables (none written without it)', helpValue: 'DIR' }),
    convention: Flags.string({ description: "SA-CCR start/end times of swaps: 'cre52' (default) or 'ore' (ORE's, reproduces its figures)", options: ['cre52', 'ore'], default: 'cre52' }),
    'explain-trade': Flags.string({ description: 'Print the SA-CCR derivation of one trade (BCBS 279 table layout)', helpValue: 'TRADE_ID' }),
    'sacva-sensitivities': Flags.string({ description: 'SA-CVA from this sensitivity file (ORE CSV layout, or Parquet or Arrow) instead of bump and revalue', helpValue: 'FILE' }),
    'sacva-perfect-hedges': Flags.string({ description: "With --sacva-sensitivities: risk types whose CVA sensitivities are perfectly hedged (ORE's perfectHedges), RISK_TYPE:Delta|Vega, e.g. ForeignExchange:Delta (repeatable)", helpValue: 'TYPE:MARGIN', multiple: true }),
    sacva: Flags.boolean({ description: 'Compute SA-CVA by bump and revalue on the simulated book when no file is given (--no-sacva: skip it)', default: true, allowNo: true }),
    kva: Flags.boolean({ description: 'Simulate the book for KVA and the computed SA-CVA (--no-kva: today\'s capital only, no Monte Carlo)', default: true, allowNo: true }),
    'bacva-maturity': Flags.string({ description: 'BA-CVA effective maturity of a netting set, NETTING_SET=YEARS (repeatable); default CRE32.47 notional-weighted', helpValue: 'NS=YEARS', multiple: true }),
    paths: Flags.string({ description: 'Monte Carlo paths of the KVA and SA-CVA simulations (default 500)', default: '500', helpValue: 'N' }),
    seed: Flags.string({ description: 'Seed of the random numbers (the same for every bumped run)', default: '42', helpValue: 'N' }),
    rng: Flags.string({
      description: "Random numbers of the KVA and SA-CVA runs: 'philox' (default) or 'sobol' (Sobol points with a Brownian bridge, as `xva simulate --rng sobol`; the same points for every bumped run)",
      options: ['philox', 'sobol'],
      default: 'philox',
    }),
    threads: Flags.string({ description: 'Worker threads of the engine runs (default: all cores when netting sets x paths >= 10,000, else 1 = in-process); the figures do not depend on it', helpValue: 'N' }),
    grid: Flags.string({ description: "Time grid: 'default', 'COUNT,TENOR' like 81,3M, or a list like 1M,3M,1Y", default: 'default', helpValue: 'SPEC' }),
    scenario: Flags.string({ description: 'Apply one scenario file (capitalRatioAdd moves capital and KVA, credit spreads the KVA; a collateral coverage is not evaluated)', helpValue: 'FILE', multiple: true }),
    scenarios: Flags.string({ description: "Apply every scenario in a folder ('default' = the bundled scenarios/)", helpValue: 'DIR' }),
    ...shardFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Capital);
    this.setModes(flags);
    const shard = resolveShard(flags);
    if (shard) checkCapitalShardOptions({ explainTrade: flags['explain-trade'], outDir: flags.out });
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const marketFile = this.marketFile(flags.market, portfolioDir);
    const paths = pathsFlag('paths', flags.paths);
    const seed = whole('seed', flags.seed, 0, 0xffffffff);
    const threads = flags.threads === undefined ? undefined : threadsFlag(flags.threads);
    const grid = parseGridSpec(flags.grid);
    const rng = flags.rng as 'philox' | 'sobol';
    if (rng === 'sobol' && !flags.kva) throw new XvaUsageError('--rng sobol draws the Monte Carlo runs of KVA and SA-CVA: --no-kva has none; leave out --rng');
    const maturities = new Map<string, number>();
    for (const spec of flags['bacva-maturity'] ?? []) {
      const m = /^(.+)=([0-9.eE+-]+)$/.exec(spec);
      const years = m ? Number(m[2]) : NaN;
      if (!m || !Number.isFinite(years) || years < 0) throw new XvaUsageError(`--bacva-maturity must be NETTING_SET=YEARS with YEARS >= 0, got '${spec}'`);
      maturities.set(m[1]!, years);
    }
    if (flags['sacva-sensitivities'] !== undefined && !fs.existsSync(path.resolve(flags['sacva-sensitivities'])))
      throw new XvaUsageError(`--sacva-sensitivities: no file ${flags['sacva-sensitivities']}`);
    const perfectlyHedged: { riskType: SaCvaRiskType; marginType: SaCvaMarginType }[] = [];
    for (const spec of flags['sacva-perfect-hedges'] ?? []) {
      const [riskType, marginType] = spec.split(':');
      if (!SA_CVA_RISK_TYPES.includes(riskType as SaCvaRiskType) || !SA_CVA_MARGIN_TYPES.includes(marginType as SaCvaMarginType))
        throw new XvaUsageError(`--sacva-perfect-hedges must be RISK_TYPE:MARGIN_TYPE with RISK_TYPE one of ${SA_CVA_RISK_TYPES.join(', ')} and MARGIN_TYPE Delta or Vega, got '${spec}'`);
      perfectlyHedged.push({ riskType: riskType as SaCvaRiskType, marginType: marginType as SaCvaMarginType });
    }
    if (perfectlyHedged.length > 0 && flags['sacva-sensitivities'] === undefined) throw new XvaUsageError('--sacva-perfect-hedges needs --sacva-sensitivities');
    const scenarios = loadRunScenarios(flags.scenario, flags.scenarios, path.join(packageRoot(), 'scenarios'));

    const runOptions = {
        portfolioDir,
        marketFile,
        convention: flags.convention as 'cre52' | 'ore',
        effectiveMaturityYears: maturities,
        ...(flags['sacva-sensitivities'] !== undefined ? { sacvaSensitivitiesFile: path.resolve(flags['sacva-sensitivities']), sacvaPerfectlyHedged: perfectlyHedged } : {}),
        sacva: flags.sacva,
        kva: flags.kva,
        paths,
        seed,
        ...(rng === 'sobol' ? { rng } : {}),
        grid,
        ...(threads !== undefined ? { threads } : {}),
        scenarios,
    };
    if (shard) {
      // --shard K/N: the Monte Carlo part of shard K's netting sets into --out/shard-K-of-N; `xva merge` forms the book's capital
      const progress = this.progress(`capital shard ${shard.index}/${shard.count}`);
      let shardRun;
      try {
        shardRun = await runCapitalShard({ ...runOptions, shard, outDir: path.resolve(flags.out!), onProgress: (text) => progress.update(text) });
      } finally {
        progress.stop();
      }
      const summary = capitalShardSummary(shardRun);
      if (this.jsonMode) this.printJson(summary.json);
      else this.say(summary.line);
      return;
    }
    const progress = this.progress('capital');
    let run;
    try {
      run = await runCapital({ ...runOptions, onProgress: (text) => progress.update(text) });
    } finally {
      progress.stop();
    }
    let explain;
    if (flags['explain-trade'] !== undefined) {
      explain = run.saccr.trades.filter((t) => t.tradeId === flags['explain-trade']);
      if (explain.length === 0) throw new XvaUsageError(`--explain-trade: no SA-CCR position for trade '${flags['explain-trade']}' (matured, or not in the portfolio)`);
    }
    const files = flags.out !== undefined ? writeCapitalTables(path.resolve(flags.out), run) : [];
    if (files.length > 0) markOutputsWritten(`${files.length} files in ${path.resolve(flags.out!)}`);
    for (const note of run.notes) this.warnLine(note);
    if (this.jsonMode) {
      this.printJson(capitalJson(run, explain));
      return;
    }
    const b = bookRow(run);
    this.say(
      renderTable(
        ['Book', 'Value'],
        [
          ['EAD (SA-CCR, ' + run.saccr.convention + ')', b.ead],
          ['RWA counterparty credit', b.rwaCcr],
          ['Capital counterparty credit', b.capitalCcr],
          [`BA-CVA capital (${b.baCvaVersion})`, b.baCva],
          ['SA-CVA capital' + (b.saCvaSource ? ` (${b.saCvaSource})` : ''), b.saCva ?? '-'],
          [`CVA capital (${b.cvaMethod}, × 12.5 × ratio)`, b.capitalCva],
          ['Capital', b.capital],
          ['Capital ratio', `${(100 * b.capitalRatio).toFixed(2)}%`],
          ['KVA', b.kva ?? '-'],
          ['CET1 impact (bp)', b.cet1 ? b.cet1.impactBp : '-'],
        ],
        { title: `Capital of the book (${run.currency})` },
      ),
    );
    this.say(
      renderTable(
        ['Netting set', 'Counterparty', 'RC', 'Add-on IR', 'Add-on FX', 'Add-on credit', 'Add-on equity', 'Add-on commodity', 'PFE', 'EAD', 'RW', 'RWA', 'Capital'],
        nettingSetRows(run).map((r) => [r.nettingSetId, r.counterpartyId, r.rc, r.addOnIr, r.addOnFx, r.addOnCredit, r.addOnEquity, r.addOnCommodity, r.pfe, r.ead, `${(100 * r.riskWeight).toFixed(0)}%`, r.rwa, r.capital]),
        { title: 'SA-CCR per netting set' },
      ),
    );
    this.say(
      renderTable(
        ['Counterparty', 'EAD', 'RWA', 'Capital', 'BA-CVA SCVA', 'KVA'],
        counterpartyRows(run).map((r) => [r.counterpartyId, r.ead, r.rwa, r.capital, r.baCvaScva, r.kva ?? '-']),
        { title: 'Per counterparty' },
      ),
    );
    if (run.scenarios.length > 0) this.say(renderTable(['Scenario', 'Capital ratio', 'Capital', 'KVA'], run.scenarios.map((s) => [s.scenario, `${(100 * s.capitalRatio).toFixed(2)}%`, s.capital, s.kva ?? '-']), { title: 'Scenarios' }));
    for (const pos of explain ?? []) this.say(renderTable(['SA-CCR derivation', 'Value'], explainRows(pos), { title: `Trade ${pos.tradeId} (${pos.component})` }));
    if (files.length > 0) this.say(`Wrote ${files.length} files to ${path.resolve(flags.out!)}`);
  }
}
