import { Flags } from '@oclif/core';
import { XvaCommand, portfolioFlags } from '../src/cli/base.js';
import { renderTable } from '../src/cli/table.js';
import { formatIssue, type InputIssue } from '../src/errors.js';
import type { PortfolioSummary } from '../src/portfolio/summary.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { PRODUCTS } from '../src/products/types.js';

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

function summaryTables(summary: PortfolioSummary): string {
  const parts: string[] = [];
  parts.push(
    renderTable(
      ['Product', 'Trades'],
      [...PRODUCTS.filter((p) => summary.tradesByProduct[p] > 0).map((p) => [p, String(summary.tradesByProduct[p])]), ['Total', String(summary.tradeCount)]],
      { title: 'Trades by product' },
    ),
  );
  parts.push(
    renderTable(
      ['Book', 'Count', 'Share'],
      [
        ['Counterparties', String(summary.counterpartyCount), ''],
        ['Netting sets', String(summary.nettingSetCount), ''],
        ['Netting sets under a CSA', String(summary.csa.nettingSets), percent(summary.csa.nettingSetShare)],
        ['Trades under a CSA', String(summary.csa.trades), percent(summary.csa.tradeShare)],
        ['Cleared netting sets', String(summary.cleared.nettingSets), ''],
        ['Cleared trades', String(summary.cleared.trades), percent(summary.cleared.tradeShare)],
      ],
      { title: 'Book' },
    ),
  );
  const calendars = Object.keys(summary.swapsByCalendar).sort();
  if (calendars.length > 0) {
    parts.push(
      renderTable(['Calendar', 'Trades'], calendars.map((c) => [c, String(summary.swapsByCalendar[c])]), {
        title: 'Swap schedules by calendar (IRS, OIS, BASIS, XCCY, SWAPTION, CAPFLOOR)',
      }),
    );
  }
  const amortising = Object.keys(summary.amortisingSwaps).sort();
  if (amortising.length > 0) {
    parts.push(
      renderTable(['Amortisation', 'Trades'], amortising.map((k) => [k, String(summary.amortisingSwaps[k])]), {
        title: 'Amortising swaps (IRS, OIS, XCCY, swaption underlyings; gross notional below: the notional outstanding today)',
      }),
    );
  }
  if (summary.laggedSwaps > 0) parts.push(`Swaps paying after their accrual ends (payment_lag_days): ${summary.laggedSwaps}`);
  if (summary.lookbackSwaps > 0) parts.push(`Swaps whose overnight legs look back or lock out (float_lookback_days, float_lockout_days): ${summary.lookbackSwaps}`);
  const wrongWay = Object.keys(summary.wrongWayCounterparties).sort();
  if (wrongWay.length > 0) parts.push(`Counterparties with a wrong-way model (xva cva): ${wrongWay.map((m) => `${m} ${summary.wrongWayCounterparties[m]}`).join(', ')}`);
  if (summary.resettingSwaps > 0) parts.push(`Mark-to-market (resetting) cross-currency swaps: ${summary.resettingSwaps} of the ${summary.tradesByProduct.XCCY} XCCY`);
  if (summary.bermudanSwaptions > 0) parts.push(`Bermudan swaptions: ${summary.bermudanSwaptions} of the ${summary.tradesByProduct.SWAPTION} swaptions`);
  const stepped = Object.keys(summary.steppedRates).sort();
  if (stepped.length > 0) {
    parts.push(
      renderTable(['Product', 'Trades'], stepped.map((k) => [k, String(summary.steppedRates[k])]), {
        title: 'Step-up fixed rates and strikes (rate_schedules)',
      }),
    );
  }
  const currencies = [...new Set([...Object.keys(summary.grossNotionalByCurrency), ...Object.keys(summary.mtm?.byCurrency ?? {})])].sort();
  const mtm = summary.mtm;
  parts.push(
    renderTable(
      mtm ? ['Currency', 'Gross notional', 'MTM'] : ['Currency', 'Gross notional'],
      currencies.map((c) => {
        const row: (string | number)[] = [c, summary.grossNotionalByCurrency[c] ?? 0];
        if (mtm) row.push(mtm.byCurrency[c] ?? 0);
        return row;
      }),
      { title: 'By currency' },
    ),
  );
  if (mtm) {
    parts.push(
      renderTable(['Base currency', 'MTM', 'Trades valued'], [[mtm.baseCurrency, mtm.base, String(mtm.pricedTrades)]], {
        title: "Today's MTM in the base currency",
      }),
    );
  }
  const unfixed = summary.unfixedCoupons;
  if (unfixed && unfixed.trades > 0) {
    const shown = unfixed.tradeIds.slice(0, 10).join(', ') + (unfixed.trades > 10 ? ` and ${unfixed.trades - 10} more` : '');
    parts.push(`${unfixed.trades} trade(s) have a coupon running today without its fixings in the market file (valued at today's forward over the same length; fixings: docs/market.md): ${shown}`);
  }
  return parts.join('\n\n');
}

function issueJson(issue: InputIssue): InputIssue & { message: string } {
  return { ...issue, message: formatIssue(issue) };
}

export default class Validate extends XvaCommand {
  static override summary = 'Check a portfolio folder and its market file, and summarise the book';

  static override description =
    'Reads every table of the portfolio folder (trades, counterparties, netting_sets, eligible_collateral, collateral, ' +
    'notional_schedules, rate_schedules, reference_entities; ' +
    '.parquet, .pq or .csv) and the market YAML, checks every cell and every cross-reference (netting sets, counterparties, ' +
    'currencies, float indices, equities, credit curves), and prints every problem as ' +
    '"file row N column C: value: expected ..." on stderr. Then it prints a summary of the book: trades by product, ' +
    'counterparties, netting sets, CSA and clearing coverage, the calendars the swap schedules roll on, gross notional ' +
    'and today\'s MTM by currency, and the trades whose coupon running today lacks its fixings in the market file. ' +
    'Exit code 2 when any error was found, 0 otherwise (warnings do not fail). Columns: docs/inputs.md.';

  static override examples = [
    '<%= config.bin %> validate --portfolio fixtures/demo',
    '<%= config.bin %> validate --portfolio ./book --market ./book/market-2026-06-30.yaml',
    '<%= config.bin %> validate --portfolio ./book --json > validation.json',
    '<%= config.bin %> validate --portfolio ./book --max-issues 50 --quiet',
  ];

  static override flags = {
    ...portfolioFlags,
    'max-issues': Flags.integer({ description: 'Errors (and warnings) listed in full; the rest are counted', default: 200, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    this.setModes(flags);
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const marketFile = this.marketFile(flags.market, portfolioDir);
    const progress = this.progress('Validating inputs');
    const result = await validateInputs({ portfolioDir, marketFile, maxIssues: flags['max-issues'] });
    progress.stop();

    const errorCount = result.issues.length + result.truncated;
    if (this.jsonMode) {
      this.printJson({
        ok: result.ok,
        portfolio: portfolioDir,
        market: marketFile,
        errorCount,
        errors: result.issues.map(issueJson),
        truncated: result.truncated,
        warnings: result.warnings.map(issueJson),
        warningsTruncated: result.warningsTruncated,
        summary: result.summary,
      });
    } else {
      for (const issue of result.issues) process.stderr.write(formatIssue(issue) + '\n');
      if (result.truncated > 0) process.stderr.write(`... and ${result.truncated} more problems (raise --max-issues to list them)\n`);
      for (const warning of result.warnings) this.warnLine(formatIssue(warning));
      if (result.warningsTruncated > 0) this.warnLine(`... and ${result.warningsTruncated} more warnings (raise --max-issues to list them)`);
      // no folder, no book: the summary of nothing would only hide the error
      if (!result.noPortfolioFolder) this.say(summaryTables(result.summary));
      // the verdict last, after the tables (a terminal shows the problems, the book, then this line)
      if (!result.ok) process.stderr.write(`error: the input has ${errorCount} problem(s) (listed above${result.noPortfolioFolder ? '' : '; the summary counts the rows read without one'})\n`);
      const warningCount = result.warnings.length + result.warningsTruncated;
      if (result.ok) this.say(`OK: no errors${warningCount > 0 ? `, ${warningCount} warning(s)` : ''}`);
    }
    if (!result.ok) this.exit(2);
  }
}
