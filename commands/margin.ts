import { checkDimPaths } from '../src/margin/dim.js';
import fs from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { XvaCommand, checkOutFile, portfolioFlags } from '../src/cli/base.js';
import { packageRoot } from '../src/cli/paths.js';
import { MAX_PATHS } from '../src/cli/threads.js';
import { parseIsoDate } from '../src/conventions/dates.js';
import { XvaUsageError } from '../src/errors.js';
import { markOutputsWritten } from '../src/io/tempFiles.js';
import { marginJson, marginText, writeMarginTables } from '../src/margin/outputs.js';
import { runMargin } from '../src/margin/run.js';
import { checkMarginShardOptions, marginShardSummary, runMarginShard } from '../src/scale/marginShard.js';
import { resolveShard, shardFlags } from '../src/scale/shardSpec.js';
import { loadRunScenarios } from '../src/scenarios/load.js';

export default class Margin extends XvaCommand {
  static override summary = 'ISDA SIMM and schedule initial margin, today\'s VM and margin calls, dynamic IM and MVA, stress scenarios';

  static override description =
    'Reads a CRIF (--crif, CSV, Parquet or Arrow) or builds one from the portfolio by bump and reprice (netting sets with ' +
    'im_model = simm), computes SIMM per netting set on the collect and post sides, the standardised schedule for ' +
    'im_model = schedule, and the VM requirement and margin call of every CSA given the collateral balances. ISDA SIMM ' +
    'is ISDA\'s methodology: commercial use needs a licence from ISDA. Files and columns: docs/margin.md.';

  static override examples = [
    '<%= config.bin %> margin',
    '<%= config.bin %> margin --crif crif.csv --json',
    '<%= config.bin %> margin --portfolio fixtures/demo --write-crif crif.csv --scenarios default --out ./margin',
  ];

  static override flags = {
    ...portfolioFlags,
    crif: Flags.string({ description: 'Read this CRIF (CSV, Parquet or Arrow IPC, by extension) instead of building it from the portfolio', helpValue: 'FILE' }),
    'write-crif': Flags.string({ description: 'Save the CRIF used (CSV, or Parquet / Arrow by extension: .parquet, .pq, .arrow) for reconciliation; --crif reads it back', helpValue: 'FILE' }),
    'collateral-balances': Flags.string({ description: 'Net VM balance per netting set (netting_set_id, balance); default: collateral_balances in the portfolio folder', helpValue: 'FILE' }),
    'all-netting-sets': Flags.boolean({ description: 'Build SIMM sensitivities for every netting set, whatever its im_model', default: false }),
    'simm-version': Flags.string({ description: 'SIMM version', options: ['2.5', '2.6'], default: '2.6' }),
    mpor: Flags.string({ description: 'SIMM margin period of risk in days (also --mpor-days, as the other commands name their SIMM horizon)', options: ['10', '1'], default: '10', aliases: ['mpor-days'] }),
    'as-of': Flags.string({ description: 'Valuation date (YYYY-MM-DD) for schedule rows of a CRIF read without --portfolio', helpValue: 'DATE' }),
    scenario: Flags.string({ description: 'Apply one scenario file: collateral coverage to the collateral, and every shock but the capital ratio to the MVA', helpValue: 'FILE', multiple: true }),
    scenarios: Flags.string({ description: "Apply every scenario in a folder ('default' = the bundled scenarios/)", helpValue: 'DIR' }),
    dim: Flags.boolean({ description: 'Dynamic IM profile and MVA: by simulation for the SIMM netting sets, projected for the schedule ones', default: false }),
    paths: Flags.integer({ description: 'Paths of the --dim simulation', default: 500, min: 1, max: MAX_PATHS, helpValue: 'N' }),
    seed: Flags.integer({ description: 'Seed of the --dim simulation', default: 42, min: 0, helpValue: 'N' }),
    rng: Flags.string({
      description: "Random numbers of the --dim simulation: 'philox' (default) or 'sobol' (Sobol points with a Brownian bridge, as `xva simulate --rng sobol`)",
      options: ['philox', 'sobol'],
      default: 'philox',
    }),
    out: Flags.string({ description: 'Write margin_simm, margin_netting_sets, margin_scenarios, (with --dim) margin_dim and (with scenarios and an MVA) margin_mva_scenarios as Arrow files here', helpValue: 'DIR' }),
    ...shardFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Margin);
    this.setModes(flags);
    let asOf: number | undefined;
    if (flags['as-of'] !== undefined) {
      asOf = parseIsoDate(flags['as-of']);
      if (asOf === undefined) throw new XvaUsageError(`--as-of: ${flags['as-of']} is not a date YYYY-MM-DD`);
    }
    if (flags.crif !== undefined && !fs.existsSync(path.resolve(flags.crif))) throw new XvaUsageError(`--crif: no file ${flags.crif}`);
    if (flags['write-crif'] !== undefined && !resolveShard(flags)) checkOutFile(flags['write-crif'], '--write-crif');
    const scenarios = loadRunScenarios(flags.scenario, flags.scenarios, path.join(packageRoot(), 'scenarios'));
    if (flags.rng === 'sobol' && !flags.dim) throw new XvaUsageError('--rng sobol draws the --dim simulation: give --dim, or leave out --rng');
    if (flags.dim) checkDimPaths(flags.paths, '--dim');
    const dim = flags.dim ? { paths: flags.paths, seed: flags.seed, ...(flags.rng === 'sobol' ? { rng: 'sobol' as const } : {}) } : undefined;
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const shard = resolveShard(flags);
    if (shard) {
      // --shard K/N: shard K's netting sets into --out/shard-K-of-N (src/scale, docs/scale.md); `xva merge` joins them
      const request = {
        ...(flags.crif !== undefined ? { crifFile: flags.crif } : {}),
        ...(flags['write-crif'] !== undefined ? { writeCrifFile: flags['write-crif'] } : {}),
        ...(dim ? { dim } : {}),
        scenarios,
      };
      checkMarginShardOptions(request);
      const progress = this.progress(`Margin shard ${shard.index}/${shard.count}`);
      let run;
      try {
        run = await runMarginShard({
          ...request,
          portfolioDir,
          marketFile: this.marketFile(flags.market, portfolioDir),
          usePortfolio: true,
          ...(flags['collateral-balances'] !== undefined ? { collateralBalancesFile: flags['collateral-balances'] } : {}),
          allNettingSets: flags['all-netting-sets'],
          simmVersion: flags['simm-version'],
          mporDays: flags.mpor === '1' ? 1 : 10,
          ...(flags.out !== undefined ? { outDir: path.resolve(flags.out) } : {}),
          shard,
        });
      } finally {
        progress.stop();
      }
      for (const note of run.run.notes) this.warnLine(note);
      const summary = marginShardSummary(run);
      if (this.jsonMode) this.printJson(summary.json);
      else this.say(summary.line);
      return;
    }
    const progress = this.progress('Margin');
    let run;
    try {
      run = await runMargin({
        ...(flags.crif !== undefined ? { crifFile: flags.crif } : {}),
        portfolioDir,
        marketFile: this.marketFile(flags.market, portfolioDir),
        usePortfolio: flags.crif === undefined || flags.portfolio !== undefined,
        ...(flags['write-crif'] !== undefined ? { writeCrifFile: flags['write-crif'] } : {}),
        ...(flags['collateral-balances'] !== undefined ? { collateralBalancesFile: flags['collateral-balances'] } : {}),
        allNettingSets: flags['all-netting-sets'],
        simmVersion: flags['simm-version'],
        mporDays: flags.mpor === '1' ? 1 : 10,
        ...(asOf !== undefined ? { asOf } : {}),
        scenarios,
        ...(dim ? { dim } : {}),
      });
    } finally {
      progress.stop();
    }
    for (const note of run.notes) this.warnLine(note);
    const files = flags.out !== undefined ? (fs.mkdirSync(path.resolve(flags.out), { recursive: true }), writeMarginTables(path.resolve(flags.out), run)) : [];
    if (files.length > 0) markOutputsWritten(`${files.length} files in ${path.resolve(flags.out!)}`);
    if (this.jsonMode) {
      this.printJson({ ...(marginJson(run) as object), files });
      return;
    }
    this.say(marginText(run));
    if (files.length > 0) this.say(`Wrote ${files.length} files to ${path.resolve(flags.out!)}`);
  }
}
