import { portfolioFlags } from '../src/cli/base.js';
import { XvaMetricCommand } from '../src/xva/command.js';
import { renderTable } from '../src/cli/table.js';
import { xvaFlags, DEFAULT_XVA_PATHS } from '../src/xva/cli.js';
import { cs01Table, scenarioTable, wrongWayTable } from '../src/xva/render.js';
import { whatIfTable } from '../src/xva/whatIf/index.js';
import { shardFlags } from '../src/scale/shardSpec.js';

export default class Cva extends XvaMetricCommand {
  static override summary = 'CVA and DVA per netting set, counterparty and book, with allocation, exposure analysis and stress';

  static override description =
    'Unilateral (ORE), bilateral or first-to-default CVA/DVA from the discounted EPE/ENE profiles and the survival ' +
    "curves (the counterparty's CDS curve, else its sector x rating x region proxy; DVA with the bank's own curve). " +
    `Simulates the book (--paths default ${DEFAULT_XVA_PATHS}) or reads a previous \`xva simulate --out DIR\` (--results). ` +
    'CVA is a cost and DVA a benefit, both positive. Files and columns: docs/xva.md.';

  static override examples = [
    '<%= config.bin %> cva --portfolio fixtures/demo --paths 2000 --out ./xva',
    '<%= config.bin %> cva --results ./run1 --discretisation end --scenarios default',
    '<%= config.bin %> cva --portfolio ./book --incremental NS_0001 --json',
    '<%= config.bin %> cva --portfolio ./book --results ./run1 --what-if new_trades.csv --out ./xva',
  ];

  static override flags = { ...portfolioFlags, ...xvaFlags, ...shardFlags };

  async run(): Promise<void> {
    const { flags, metadata } = await this.parse(Cva);
    const done = await this.runMetric('cva', flags, metadata);
    if (!done) return;
    const { run, options } = done;
    const { result, analysis } = run;
    const b = result.book;
    this.say(
      renderTable(
        ['Book', 'Value'],
        [
          ['CVA (cost)', b.cva],
          ['CVA MC standard error (conservative)', b.cvaStdError],
          ['DVA (benefit)', b.dva],
          ['Discretisation / mode', `${result.options.discretisation} / ${result.options.mode}`],
          ['Exposure', run.source === 'results' ? `read from ${options.resultsDir}` : `simulated, ${run.paths} paths`],
        ],
        { title: `CVA / DVA of the book (${run.currency})` },
      ),
    );
    this.say(
      renderTable(
        ['#', 'Counterparty', 'Curve', 'Source', 'Recovery', 'CVA', 'DVA', '% book CVA'],
        analysis.top.map((r) => [String(r.rank), r.counterparty.counterpartyId, r.counterparty.credit.curveName, r.counterparty.credit.curveSource, r.counterparty.credit.recovery, r.counterparty.cva, r.counterparty.dva, 100 * r.shareOfBookCva]),
        { title: `Top ${analysis.top.length} counterparties by CVA` },
      ),
    );
    this.say(`Concentrations above ${100 * options.analysis.concentration}% of book CVA: ${analysis.concentrations.map((r) => `${r.counterparty.counterpartyId} (${(100 * r.shareOfBookCva).toFixed(1)}%)`).join(', ') || 'none'}`);
    this.say(`Netting sets with CVA above ${options.analysis.materiality}: ${analysis.material.map((s) => s.nettingSetId).join(', ') || 'none'}`);
    if (run.incremental.length > 0) {
      const euler = new Map(result.trades.map((t) => [t.tradeId, t]));
      this.say(renderTable(['Trade', 'CVA Euler', 'CVA incremental', 'DVA Euler', 'DVA incremental'], run.incremental.map((r) => [r.tradeId, euler.get(r.tradeId)?.cva ?? 0, r.cva, euler.get(r.tradeId)?.dva ?? 0, r.dva]), { title: `Allocation in ${options.incremental}` }));
    }
    if (run.wrongWay.length > 0) this.say(wrongWayTable(run));
    if (run.cs01.length > 0) this.say(cs01Table(run, 'cva', 'dva', 10));
    if (run.whatIf) this.say(whatIfTable(run.whatIf, ['cva', 'dva']));
    if (run.scenarios.length > 0) this.say(scenarioTable(run, ['cva', 'dva'], 5));
    if (run.files.length > 0) this.say(`Wrote ${run.files.length} files to ${options.outDir}`);
  }
}
