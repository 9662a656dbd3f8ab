import { Flags } from '@oclif/core';
import fs from 'node:fs';
import path from 'node:path';
import { XvaCommand } from '../../src/cli/base.js';
import { XvaInputError, XvaUsageError } from '../../src/errors.js';
import { formatFinding, importOre } from '../../src/import/ore/index.js';
import { writeOreImport } from '../../src/import/ore/write.js';
import { REGIONS, type Region } from '../../src/portfolio/types.js';
import { isCurrency } from '../../src/products/types.js';

function readXml(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new XvaInputError([{ file, value: code === 'ENOENT' ? 'not found' : `unreadable (${code ?? 'error'})`, expected: `an ORE ${what} XML file` }]);
  }
}

export default class ImportOre extends XvaCommand {
  static override summary = 'Convert an Open Source Risk Engine book (portfolio, netting sets, counterparties) into an xva portfolio folder';

  static override description =
    'Reads ORE\'s portfolio XML (Swap, CrossCurrencySwap, Swaption, CapFloor, FxForward, FxSwap, FxOption, ' +
    'EquityForward, EquityOption, CreditDefaultSwap), netting-set/CSA XML and counterparty XML, and writes trades, ' +
    'counterparties, netting_sets (and eligible_collateral, notional_schedules, rate_schedules when the book needs them) ' +
    'with the portfolio folder\'s columns (docs/inputs.md). Every trade left out and every ' +
    'field approximated, dropped or defaulted is listed on stderr and in import_report.json in the output folder. ' +
    'Add a market.yaml to the folder, then run `xva validate`. Details: docs/import-ore.md. Exit code 2 for ' +
    'unreadable or malformed XML; trades xva cannot represent do not fail the command.';

  static override examples = [
    '<%= config.bin %> import ore --portfolio Input/portfolio.xml --netting Input/netting.xml --counterparties Input/counterparty.xml --out ./book',
    '<%= config.bin %> import ore --portfolio portfolio.xml --out ./book --format csv --base-currency EUR --region north_america',
    '<%= config.bin %> import ore --portfolio portfolio.xml --netting netting.xml --out ./book --json > import.json',
  ];

  // --portfolio here is an ORE XML file, not a portfolio folder (the command does not take the shared portfolioFlags)
  static override flags = {
    portfolio: Flags.string({ description: 'ORE portfolio XML file (root <Portfolio>)', helpValue: 'FILE', required: true }),
    netting: Flags.string({ description: 'ORE netting set definitions XML file (root <NettingSetDefinitions>)', helpValue: 'FILE' }),
    counterparties: Flags.string({ description: 'ORE counterparty information XML file (root <CounterpartyInformation>)', helpValue: 'FILE' }),
    out: Flags.string({ description: 'Output portfolio folder (created if missing)', helpValue: 'DIR', required: true }),
    format: Flags.string({ description: 'Table file format', options: ['parquet', 'csv'], default: 'parquet' }),
    'base-currency': Flags.string({ description: 'Collateral currency of netting sets whose CSA names none (default: left blank = the market base currency)', helpValue: 'CCY' }),
    region: Flags.string({ description: 'Region of every counterparty (ORE has none)', options: [...REGIONS], default: 'europe' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImportOre);
    this.setModes(flags);
    const base = flags['base-currency']?.toUpperCase();
    if (base !== undefined && !isCurrency(base)) throw new XvaUsageError(`--base-currency ${flags['base-currency']}: not a currency xva supports`);
    const portfolioXml = readXml(flags.portfolio, 'portfolio')!;
    const nettingXml = readXml(flags.netting, 'netting set');
    const counterpartyXml = readXml(flags.counterparties, 'counterparty');
    const progress = this.progress('Importing ORE book');
    try {
      const result = importOre({
        portfolioXml,
        ...(nettingXml !== undefined ? { nettingXml } : {}),
        ...(counterpartyXml !== undefined ? { counterpartyXml } : {}),
        files: {
          portfolio: flags.portfolio,
          ...(flags.netting ? { netting: flags.netting } : {}),
          ...(flags.counterparties ? { counterparties: flags.counterparties } : {}),
        },
        region: flags.region as Region,
        ...(base !== undefined && isCurrency(base) ? { baseCurrency: base } : {}),
      });
      const outDir = path.resolve(flags.out);
      const written = writeOreImport(outDir, result, flags.format as 'parquet' | 'csv');
      progress.stop();
      if (!this.quietMode) for (const f of result.report.findings) process.stderr.write(`${formatFinding(f)}\n`);
      const c = result.report.counts;
      if (this.jsonMode) this.printJson({ outDir, files: written, counts: c, findings: result.report.findings });
      else
        this.say(
          `Imported ${c.tradesMapped} of ${c.tradesRead} trades (${c.tradesUnmapped} left out), ${c.counterparties} counterparties ` +
            `(${c.counterpartiesDefaulted} defaulted), ${c.nettingSets} netting sets (${c.nettingSetsDefaulted} defaulted) into ${outDir}\n` +
            `Report: ${path.join(outDir, 'import_report.json')} (${result.report.findings.length} findings)`,
        );
    } finally {
      progress.stop();
    }
  }
}
