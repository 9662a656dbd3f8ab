import { portfolioFlags } from '../src/cli/base.js';
import { XvaMetricCommand } from '../src/xva/command.js';
import { renderTable } from '../src/cli/table.js';
import { xvaFlags, DEFAULT_XVA_PATHS } from '../src/xva/cli.js';
import { cs01Table, scenarioTable } from '../src/xva/render.js';
import { whatIfTable } from '../src/xva/whatIf/index.js';
import { shardFlags } from '../src/scale/shardSpec.js';

export default class Fva extends XvaMetricCommand {
  static override summary = 'FCA, FBA and ColVA per netting set, counterparty and book, with allocation and stress';

  static override description =
    'Funding cost and benefit of the uncollateralised exposure (EPE/ENE after variation margin; IM held is segregated and funds nothing) at the base currency\'s ' +
    'borrow and lend spreads over the collateral rate, survival-weighted for both parties; ColVA from the collateral ' +
    `remuneration spread. Simulates the book (--paths default ${DEFAULT_XVA_PATHS}) or reads \`xva simulate\` tables ` +
    '(--results). FCA and ColVA are costs, FBA a benefit, each positive when it is one (a negative ColVA is a benefit; a funding figure under a negative spread can be negative). Files and columns: docs/xva.md.';

  static override examples = [
    '<%= config.bin %> fva --portfolio fixtures/demo --out ./xva',
    '<%= config.bin %> fva --results ./run1 --scenario scenarios/funding_up_50bp.yaml',
    '<%= config.bin %> fva --portfolio ./book --results ./run1 --what-if new_trades.csv',
  ];

  static override flags = { ...portfolioFlags, ...xvaFlags, ...shardFlags };

  async run(): Promise<void> {
    const { flags, metadata } = await this.parse(Fva);
    const done = await this.runMetric('fva', flags, metadata);
    if (!done) return;
    const { run, options } = done;
    const { result } = run;
    const b = result.book;
    this.say(
      renderTable(
        ['Book', 'Value'],
        [
          ['FCA (cost)', b.fca],
          ['FBA (benefit)', b.fba],
          ['ColVA (cost when positive)', b.colva],
          ['Exposure', run.source === 'results' ? `read from ${options.resultsDir}` : `simulated, ${run.paths} paths`],
        ],
        { title: `FVA of the book (${run.currency})` },
      ),
    );
    const top = [...result.counterparties].sort((a, c) => c.fca - a.fca || (a.counterpartyId < c.counterpartyId ? -1 : 1)).slice(0, options.analysis.top);
    this.say(renderTable(['Counterparty', 'FCA', 'FBA', 'ColVA'], top.map((c) => [c.counterpartyId, c.fca, c.fba, c.colva]), { title: `Top ${top.length} counterparties by FCA` }));
    if (run.incremental.length > 0) {
      const euler = new Map(result.trades.map((t) => [t.tradeId, t]));
      this.say(renderTable(['Trade', 'FCA Euler', 'FCA incremental', 'FBA Euler', 'FBA incremental'], run.incremental.map((r) => [r.tradeId, euler.get(r.tradeId)?.fca ?? 0, r.fca, euler.get(r.tradeId)?.fba ?? 0, r.fba]), { title: `Allocation in ${options.incremental}` }));
    }
    if (run.whatIf) this.say(whatIfTable(run.whatIf, ['fca', 'fba', 'colva']));
    if (run.cs01.length > 0) this.say(cs01Table(run, 'fca', 'fba', 10));
    if (run.scenarios.length > 0) this.say(scenarioTable(run, ['fca', 'fba', 'cva', 'dva'], 5));
    if (run.files.length > 0) this.say(`Wrote ${run.files.length} files to ${options.outDir}`);
  }
}
