/**
 * The library entry of `xva validate`: load the market and the portfolio folder, check every row and every
 * cross-reference, and summarise the book. Reports all problems at once (up to `maxIssues`); never throws for bad
 * input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IssueCollector, XvaInputError, type InputIssue } from '../errors.js';
import { loadMarket } from '../market/load.js';
import type { Market } from '../market/types.js';
import { isCurrency, tradeCurrencies, type Currency } from '../products/types.js';
import { currencyLgmParams } from '../simulation/crossAsset/calibration.js';
import { checkPortfolio } from './checks.js';
import { pathRefusal } from '../exposure/valuation/support.js';
import { loadPortfolio, tableDisplayName } from './load.js';
import { summarisePortfolio, type PortfolioSummary } from './summary.js';
import type { Portfolio } from './types.js';

export interface ValidateInputsOptions {
  portfolioDir: string;
  /** Default: market.yaml in the portfolio folder. */
  marketFile?: string;
  /** Errors reported in full; the rest are counted in `truncated`. Default 200. */
  maxIssues?: number;
}

export interface ValidationResult {
  /** No errors (warnings allowed). */
  ok: boolean;
  issues: InputIssue[];
  warnings: InputIssue[];
  /** Errors beyond `maxIssues`, counted but not listed. */
  truncated: number;
  /** Warnings beyond `maxIssues`, counted but not listed. */
  warningsTruncated: number;
  summary: PortfolioSummary;
  /** The loaded book and market (rows with problems left out), for callers that go on. */
  portfolio: Portfolio;
  /** The portfolio folder is not there (or is a file): nothing was read from it, so there is no book to summarise. */
  noPortfolioFolder?: boolean;
  market?: Market;
}

/**
 * The market's base currency read straight from the YAML when the market as a whole did not load, so that netting
 * sets can still default their collateral currency and their own problems are not drowned in follow-on ones.
 */
function peekBaseCurrency(marketFile: string): Currency | undefined {
  try {
    const doc = parseYaml(fs.readFileSync(marketFile, 'utf8')) as { baseCurrency?: unknown } | null;
    const base = doc?.baseCurrency;
    return typeof base === 'string' && isCurrency(base) ? base : undefined;
  } catch {
    return undefined;
  }
}

function readMarket(marketFile: string, issues: IssueCollector): Market | undefined {
  if (!fs.existsSync(marketFile)) {
    issues.add({ file: marketFile, value: 'not found', expected: 'a market data YAML file (docs/market.md)' });
    return undefined;
  }
  try {
    return loadMarket(marketFile);
  } catch (err) {
    if (err instanceof XvaInputError) {
      for (const issue of err.issues) issues.add(issue);
      if (err.truncated > 0) issues.truncated += err.truncated;
      return undefined;
    }
    throw err;
  }
}

export async function validateInputs(options: ValidateInputsOptions): Promise<ValidationResult> {
  const portfolioDir = path.resolve(options.portfolioDir);
  const marketFile = path.resolve(options.marketFile ?? path.join(portfolioDir, 'market.yaml'));
  const issues = new IssueCollector(options.maxIssues ?? 200);

  // a portfolio folder that is not there is said (loadPortfolio), and its default market file, inside it, is then not
  // named as well (a knock-on of the same mistake); a market file given elsewhere is still read and its problems listed
  const folderExists = fs.existsSync(portfolioDir);
  const noPortfolioFolder = !folderExists || !fs.statSync(portfolioDir).isDirectory();
  const marketInside = path.dirname(marketFile) === portfolioDir;
  const market = noPortfolioFolder && marketInside ? undefined : readMarket(marketFile, issues);
  const baseCurrency = market?.baseCurrency ?? peekBaseCurrency(marketFile);
  const portfolio = await loadPortfolio(portfolioDir, issues, baseCurrency ? { baseCurrency } : {});
  checkPortfolio(portfolio, market, issues, { marketFile: path.basename(marketFile) });
  if (market) warnPathRefusals(portfolio, market, issues);
  if (market && issues.ok) warnCalibrationFailures(portfolio, market, issues, path.basename(marketFile));
  if (market && issues.ok) warnMissingFxVols(portfolio, market, issues, path.basename(marketFile));
  // the exposure and XVA commands do not read it, so a warning here only (their runs would repeat it to no purpose)
  if (market && market.hasCapital === false) {
    issues.add({ file: path.basename(marketFile), column: 'capital', value: 'no capital section', expected: 'a capital section with costOfCapital and capitalRatio (decimals, e.g. 0.10 and 0.105): xva capital, the KVA and xva optimize stop without it', severity: 'warning' });
  }
  // value the book only when it is sound: pricing a broken book would only repeat its problems
  const summary = summarisePortfolio(portfolio, issues.ok ? market : undefined, issues);

  const result: ValidationResult = {
    ok: issues.ok,
    issues: issues.issues,
    warnings: issues.warnings,
    truncated: issues.truncated,
    warningsTruncated: issues.warningsTruncated,
    summary,
    portfolio,
  };
  if (market) result.market = market;
  if (noPortfolioFolder) result.noPortfolioFolder = true;
  return result;
}

/**
 * A warning per currency of the book whose rates model cannot be had: no Hull-White parameters and swaption vols the
 * bootstrap cannot calibrate to (a black quote without a shift on negative rates, a price out of reach). The
 * simulation would stop on it (xva simulate, cva, fva, optimize and capital's KVA); margin and capital --no-kva do not
 * need it, hence a warning.
 */
function warnCalibrationFailures(portfolio: Portfolio, market: Market, issues: IssueCollector, marketFile: string): void {
  const currencies = new Set<Currency>();
  for (const trade of portfolio.trades) for (const c of tradeCurrencies(trade)) currencies.add(c);
  for (const currency of [...currencies].sort()) {
    // a currency with neither parameters nor vols has its own warning (checks.ts)
    if (market.hullWhite(currency) !== undefined || market.swaptionVols(currency) === undefined) continue;
    try {
      currencyLgmParams(market, currency, { marketFile });
    } catch (error) {
      if (!(error instanceof XvaInputError)) throw error;
      for (const issue of error.issues) issues.add({ ...issue, expected: `${issue.expected} (the simulation of ${currency} rates needs it: xva simulate, cva, fva, optimize and capital's KVA would stop)`, severity: 'warning' });
    }
  }
}

/**
 * A warning per FX factor of the simulation without a volatility: every currency of the book other than the base
 * (its trades' and its equities' currencies, as the run's factor layout takes them: exposure/engine.ts factorNeeds)
 * is simulated as an FX rate against the base, and the cross-asset model stops without its vol
 * (simulation/crossAsset/model.ts). Today's prices do not need it (an FX option's own vol is checked with the trade),
 * hence a warning, as for the rates model above. An audit found validate passing a cross-currency book that
 * simulate then refused for want of fx.vols.EURUSD.
 */
function warnMissingFxVols(portfolio: Portfolio, market: Market, issues: IssueCollector, marketFile: string): void {
  const base = market.baseCurrency;
  const currencies = new Set<Currency>();
  for (const trade of portfolio.trades) {
    for (const c of tradeCurrencies(trade)) currencies.add(c);
    if ((trade.product === 'EQFWD' || trade.product === 'EQOPT') && market.hasEquity(trade.underlying)) currencies.add(market.equity(trade.underlying).currency);
  }
  currencies.delete(base);
  for (const ccy of [...currencies].sort()) {
    try {
      market.fxVol(ccy, base, 1);
    } catch {
      issues.add({
        file: marketFile,
        column: `fx.vols.${ccy}${base}`,
        value: 'missing',
        expected: `an FX volatility for ${ccy}${base} (or ${base}${ccy}): the simulation of the book's ${ccy} against the base ${base} needs it (xva simulate, cva, fva, optimize and capital's KVA would stop)`,
        severity: 'warning',
      });
    }
  }
}

/** A warning per trade that today's pricers value but the simulation refuses (exposure/valuation/support.ts). */
function warnPathRefusals(portfolio: Portfolio, market: Market, issues: IssueCollector): void {
  const file = tableDisplayName(portfolio, 'trades');
  for (const trade of portfolio.trades) {
    const reason = pathRefusal(trade, market);
    if (reason === undefined) continue;
    issues.add({
      file,
      row: trade.sourceRow,
      column: 'product',
      value: trade.product,
      expected: `a trade the simulation can value: ${reason}; xva simulate, cva, fva and optimize refuse it (--skip-unsupported leaves it out), margin and capital --no-kva take it`,
      severity: 'warning',
    });
  }
}
