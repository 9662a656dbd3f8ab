/**
 * Cross-reference checks of a loaded portfolio, between its tables and against the market: unique ids, every trade
 * in a netting set of its own counterparty, every currency, index, equity and credit name the book needs present in
 * the market file. Problems are recorded as InputIssues on the row that carries the reference.
 */
import { addTenor, toIsoDate } from '../conventions/dates.js';
import type { IssueCollector } from '../errors.js';
import type { Market } from '../market/types.js';
import { tradeCurrencies, tradeMaturity, type Currency, type Trade } from '../products/types.js';
import { checkCapletStrikes } from './capletStrikes.js';
import { tableDisplayName, type LoadedPortfolio, type PortfolioTableName } from './load.js';
import type { Counterparty, EligibleCollateral, Portfolio } from './types.js';

export interface CheckOptions {
  /** Name of the market file as messages show it, e.g. `market.yaml`. */
  marketFile: string;
}

/** Reports every id seen twice, naming both rows. */
function checkUnique<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  rowOf: (item: T) => number | undefined,
  where: { file: string; column: string; what: string },
  issues: IssueCollector,
): void {
  const firstRow = new Map<string, number | undefined>();
  for (const item of items) {
    const id = idOf(item);
    if (firstRow.has(id)) {
      const first = firstRow.get(id);
      issues.add({
        file: where.file,
        row: rowOf(item),
        column: where.column,
        value: id,
        expected: `a unique ${where.what} (already used on row ${first})`,
      });
    } else firstRow.set(id, rowOf(item));
  }
}

/** Float indices a trade projects. */
function floatIndices(trade: Trade): { column: string; index: string; currency: Currency }[] {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
    case 'CAPFLOOR':
      return [{ column: 'float_index', index: trade.floatLeg.floatIndex, currency: trade.floatLeg.currency }];
    case 'BASIS':
      return [{ column: 'float_index', index: trade.leg1.floatIndex, currency: trade.leg1.currency }, { column: 'float_index2', index: trade.leg2.floatIndex, currency: trade.leg2.currency }];
    case 'XCCY': {
      const out: { column: string; index: string; currency: Currency }[] = [];
      if (trade.leg1.kind === 'float') out.push({ column: 'float_index', index: trade.leg1.floatIndex, currency: trade.leg1.currency });
      if (trade.leg2.kind === 'float') out.push({ column: 'float_index2', index: trade.leg2.floatIndex, currency: trade.leg2.currency });
      return out;
    }
    default:
      return [];
  }
}

function listed(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

/** Checks one counterparty's credit curve: a named CDS curve, or a proxy for its sector × rating × region. */
function checkCreditCurve(cp: Counterparty, market: Market, file: string, options: CheckOptions, issues: IssueCollector): void {
  if (cp.cdsCurve !== undefined) {
    if (!market.hasCreditCurve(cp.cdsCurve)) {
      issues.add({
        file,
        row: cp.sourceRow,
        column: 'cds_curve',
        value: cp.cdsCurve,
        expected: `a credit curve of ${options.marketFile} (credit.names)`,
      });
    }
    return;
  }
  try {
    market.proxyCreditCurve({ sector: cp.sector, rating: cp.rating, region: cp.region });
  } catch {
    issues.add({
      file,
      row: cp.sourceRow,
      column: 'cds_curve',
      expected: `a credit curve of ${options.marketFile} (credit.names), or a proxy in credit.proxies for sector ${cp.sector}, rating ${cp.rating}, region ${cp.region}`,
    });
  }
}

/** Whether `market.fxSpot(a, b)` can quote the pair (directly or through the base currency). */
function quotable(market: Market, a: Currency, b: Currency): boolean {
  try {
    const spot = market.fxSpot(a, b);
    return Number.isFinite(spot) && spot > 0;
  } catch {
    return false;
  }
}

/** A trade's FX rate or equity strike this many times away from today's spot, either way, is most likely a typo: a warning. */
const PLAUSIBLE_FX_TRADE_RATIO = 3;

/**
 * The FX rates a trade states (units of currency2 per currency): an FX forward's and a cross-currency swap's
 * notional2 / notional, an FX swap's near and far rates, an FX option's strike. Each more than
 * PLAUSIBLE_FX_TRADE_RATIO times away from today's spot of the pair is a warning on its cell: the trade's typo, or a
 * spot typed for the inverse pair or ten times off in the market file (then every trade of the pair says so). A
 * resetting (mark-to-market) cross-currency swap's notionals are today's and the rest reset, so they are compared too.
 */
function checkTradeFxRates(trade: Trade, market: Market, file: string, mf: string, issues: IssueCollector): void {
  let pair: [Currency, Currency];
  let rates: [string, number][];
  switch (trade.product) {
    case 'FXFWD':
      pair = [trade.currency, trade.currency2];
      rates = [['notional2', trade.notional2 / trade.notional]];
      break;
    case 'FXSWAP':
      pair = [trade.currency, trade.currency2];
      rates = [['near_rate', trade.nearRate], ['strike', trade.farRate]];
      break;
    case 'FXOPT':
      pair = [trade.currency, trade.currency2];
      rates = [['strike', trade.strike]];
      break;
    case 'XCCY':
      pair = [trade.leg1.currency, trade.leg2.currency];
      rates = [['notional2', trade.leg2.notional / trade.leg1.notional]];
      break;
    case 'EQFWD':
    case 'EQOPT': {
      // the strike against the share's spot, as an FX rate against its pair's
      if (!market.hasEquity(trade.underlying) || !(trade.strike > 0)) return;
      const spot = market.equity(trade.underlying).spot;
      if (trade.strike / spot <= PLAUSIBLE_FX_TRADE_RATIO && spot / trade.strike <= PLAUSIBLE_FX_TRADE_RATIO) return;
      issues.add({ file, row: trade.sourceRow, column: 'strike', value: String(trade.strike), expected: `a strike within a factor ${PLAUSIBLE_FX_TRADE_RATIO} of today's spot ${trade.underlying} ${spot} in ${mf}: a typo in the trade, or a spot ten times off in equities?`, severity: 'warning' });
      return;
    }
    default:
      return;
  }
  if (pair[0] === pair[1] || !market.currencies.includes(pair[0]) || !market.currencies.includes(pair[1]) || !quotable(market, pair[0], pair[1])) return;
  const spot = market.fxSpot(pair[0], pair[1]);
  for (const [column, rate] of rates) {
    if (!(rate > 0) || (rate / spot <= PLAUSIBLE_FX_TRADE_RATIO && spot / rate <= PLAUSIBLE_FX_TRADE_RATIO)) continue;
    issues.add({
      file,
      row: trade.sourceRow,
      column,
      value: column === 'notional2' ? String(trade.product === 'XCCY' ? trade.leg2.notional : (trade as { notional2: number }).notional2) : String(rate),
      expected: `${column === 'notional2' ? `a notional2 whose rate to notional (${+rate.toPrecision(6)} ${pair[1]} per ${pair[0]})` : `an FX rate (${pair[1]} per ${pair[0]})`} within a factor ${PLAUSIBLE_FX_TRADE_RATIO} of today's spot ${+spot.toPrecision(6)} in ${mf}: a typo in the trade, or a spot of the inverse pair or ten times off in fx.spots?`,
      severity: 'warning',
    });
  }
}

function checkTradeAgainstMarket(trade: Trade, market: Market, file: string, options: CheckOptions, issues: IssueCollector): void {
  const row = trade.sourceRow;
  const mf = options.marketFile;
  const ccys = tradeCurrencies(trade);
  const columns = ['currency', 'currency2'];
  ccys.forEach((ccy, i) => {
    if (!market.currencies.includes(ccy)) {
      issues.add({
        file,
        row,
        column: columns[i],
        value: ccy,
        expected: `a currency with a discount curve in ${mf} (curves.discount has ${listed(market.currencies)})`,
      });
    } else if (ccy !== market.baseCurrency && !quotable(market, ccy, market.baseCurrency)) {
      issues.add({
        file,
        row,
        column: columns[i],
        value: ccy,
        expected: `a currency with an FX spot against the base currency ${market.baseCurrency} in ${mf} (fx.spots)`,
      });
    }
  });
  if ((trade.product === 'FXFWD' || trade.product === 'FXSWAP' || trade.product === 'FXOPT') && market.currencies.includes(trade.currency)) {
    if (market.currencies.includes(trade.currency2) && !quotable(market, trade.currency, trade.currency2)) {
      issues.add({
        file,
        row,
        column: 'currency2',
        value: trade.currency2,
        expected: `a currency pair ${trade.currency}${trade.currency2} quotable from ${mf} fx.spots`,
      });
    }
  }
  checkTradeFxRates(trade, market, file, mf, issues);
  for (const { column, index, currency } of floatIndices(trade)) {
    if (!market.hasProjectionCurve(index)) {
      issues.add({ file, row, column, value: index, expected: `a float index with a projection curve in ${mf} (curves.projection)` });
      continue;
    }
    // the leg pays the index in its own currency: an index of another currency would need a quanto adjustment
    const indexCurrency = market.projectionCurve(index).currency;
    if (indexCurrency !== currency) {
      issues.add({ file, row, column, value: index, expected: `an index of the leg's currency ${currency} (${index} is a ${indexCurrency} index in ${mf}; legs paying another currency's index, quanto, are not supported)` });
    }
  }
  if (trade.product === 'EQFWD' || trade.product === 'EQOPT') {
    if (!market.hasEquity(trade.underlying)) {
      issues.add({ file, row, column: 'underlying', value: trade.underlying, expected: `an equity of ${mf} (equities)` });
    } else {
      const quoted = market.equity(trade.underlying).currency;
      if (quoted !== trade.currency) {
        // quanto equity trades are not supported: the trade pays in the share's own currency
        issues.add({
          file,
          row,
          column: 'currency',
          value: trade.currency,
          expected: `${quoted}, the currency of ${trade.underlying} in ${mf} (quanto equity trades are not supported)`,
        });
      }
    }
  }
  if (trade.product === 'CDS' && !market.hasCreditCurve(trade.referenceEntity)) {
    issues.add({
      file,
      row,
      column: 'reference_entity',
      value: trade.referenceEntity,
      expected: `a credit curve of ${mf} (credit.names)`,
    });
  }
  checkCapletStrikes(trade, market, file, mf, issues);
  const lastDate = tradeMaturity(trade);
  if (lastDate < market.asOf) {
    issues.add({
      file,
      row,
      column: trade.product === 'EQOPT' ? 'expiry_date' : 'maturity_date',
      value: toIsoDate(lastDate),
      expected: `a date on or after the as-of date ${toIsoDate(market.asOf)} (the trade has matured and is ignored)`,
      severity: 'warning',
    });
  } else if (lastDate > addTenor(market.asOf, { count: PLAUSIBLE_LIFE_YEARS, unit: 'Y' })) {
    issues.add({
      file,
      row,
      column: trade.product === 'EQOPT' ? 'expiry_date' : 'maturity_date',
      value: toIsoDate(lastDate),
      expected: `a date within ${PLAUSIBLE_LIFE_YEARS} years of the as-of date ${toIsoDate(market.asOf)} (a typo such as 2300 for 2030? the simulation's default grid runs to the book's last maturity)`,
      severity: 'warning',
    });
  }
}

/** Beyond this a trade's life is most likely a typo (the longest swaps and bonds trade to 50 or 100 years). */
const PLAUSIBLE_LIFE_YEARS = 100;

/**
 * Checks the portfolio's internal references (always) and its needs from the market (when `market` is given).
 * With a LoadedPortfolio, references into a table that could not be read, or to a row left out for its own
 * problems, are not reported again.
 */
export function checkPortfolio(
  portfolio: Portfolio & Partial<Pick<LoadedPortfolio, 'loadedTables' | 'idsPresent'>>,
  market: Market | undefined,
  issues: IssueCollector,
  options: CheckOptions,
): void {
  const loaded = (table: PortfolioTableName) => portfolio.loadedTables?.has(table) ?? true;
  const counterpartyIds = portfolio.idsPresent?.counterparties ?? new Set(portfolio.counterparties.map((c) => c.counterpartyId));
  const nettingSetIds = portfolio.idsPresent?.nettingSets ?? new Set(portfolio.nettingSets.map((n) => n.nettingSetId));
  const tradedCounterparties = new Set(portfolio.idsPresent?.tradeCounterparties ?? []);
  const tradesFile = tableDisplayName(portfolio, 'trades');
  const cpFile = tableDisplayName(portfolio, 'counterparties');
  const nsFile = tableDisplayName(portfolio, 'netting_sets');
  const eligibleFile = tableDisplayName(portfolio, 'eligible_collateral');
  const collateralFile = tableDisplayName(portfolio, 'collateral');

  checkUnique(portfolio.trades, (t) => t.tradeId, (t) => t.sourceRow, { file: tradesFile, column: 'trade_id', what: 'trade id' }, issues);
  checkUnique(
    portfolio.counterparties,
    (c) => c.counterpartyId,
    (c) => c.sourceRow,
    { file: cpFile, column: 'counterparty_id', what: 'counterparty id' },
    issues,
  );
  checkUnique(
    portfolio.nettingSets,
    (n) => n.nettingSetId,
    (n) => n.sourceRow,
    { file: nsFile, column: 'netting_set_id', what: 'netting set id' },
    issues,
  );
  checkUnique(portfolio.collateral, (a) => a.assetId, (a) => a.sourceRow, { file: collateralFile, column: 'asset_id', what: 'asset id' }, issues);

  const nettingSets = new Map<string, (typeof portfolio.nettingSets)[number]>();
  for (const ns of portfolio.nettingSets) if (!nettingSets.has(ns.nettingSetId)) nettingSets.set(ns.nettingSetId, ns);

  for (const ns of portfolio.nettingSets) {
    if (loaded('counterparties') && !counterpartyIds.has(ns.counterpartyId)) {
      issues.add({
        file: nsFile,
        row: ns.sourceRow,
        column: 'counterparty_id',
        value: ns.counterpartyId,
        expected: `a counterparty_id of ${cpFile}`,
      });
    }
    if (market && !market.currencies.includes(ns.collateralCurrency)) {
      issues.add({
        file: nsFile,
        row: ns.sourceRow,
        column: 'collateral_currency',
        value: ns.collateralCurrency,
        expected: `a currency with a discount curve in ${options.marketFile} (curves.discount has ${listed(market.currencies)})`,
      });
    }
  }

  // A cleared netting set whose cleared trades (two or more) all name one other CCP: the set's ccp is the cell that
  // changed (or is wrong), so it is reported once on the set's row, not once per trade (one trade alone: on the trade).
  const ccpOfTrades = new Map<string, Set<string>>();
  const ccpTradeRows = new Map<string, number[]>();
  const ccpAgrees = new Set<string>();
  for (const trade of portfolio.trades) {
    const ns = nettingSets.get(trade.nettingSetId);
    if (!ns?.cleared || ns.ccp === undefined || !trade.cleared || trade.ccp === undefined || ns.counterpartyId !== trade.counterpartyId) continue;
    if (trade.ccp === ns.ccp) {
      ccpAgrees.add(ns.nettingSetId);
      continue;
    }
    let named = ccpOfTrades.get(ns.nettingSetId);
    if (!named) ccpOfTrades.set(ns.nettingSetId, (named = new Set()));
    named.add(trade.ccp);
    ccpTradeRows.set(ns.nettingSetId, [...(ccpTradeRows.get(ns.nettingSetId) ?? []), trade.sourceRow ?? 0]);
  }
  const setCcpWrong = new Set<string>();
  for (const [id, named] of ccpOfTrades) {
    const rows = ccpTradeRows.get(id) ?? [];
    if (ccpAgrees.has(id) || named.size !== 1 || rows.length < 2) continue;
    const ns = nettingSets.get(id)!;
    const listed = rows.filter((r) => r > 0);
    const shown = listed.length <= 5 ? listed.join(', ') : `${listed.slice(0, 5).join(', ')} and ${listed.length - 5} more`;
    setCcpWrong.add(id);
    issues.add({
      file: nsFile,
      row: ns.sourceRow,
      column: 'ccp',
      value: ns.ccp,
      expected: `${[...named][0]}, the CCP all ${rows.length} cleared trades of ${id} name in ${tradesFile}${listed.length > 0 ? ` (rows ${shown})` : ''}`,
    });
  }

  for (const trade of portfolio.trades) {
    const row = trade.sourceRow;
    tradedCounterparties.add(trade.counterpartyId);
    if (loaded('counterparties') && !counterpartyIds.has(trade.counterpartyId)) {
      issues.add({ file: tradesFile, row, column: 'counterparty_id', value: trade.counterpartyId, expected: `a counterparty_id of ${cpFile}` });
    }
    const ns = nettingSets.get(trade.nettingSetId);
    if (!ns) {
      if (loaded('netting_sets') && !nettingSetIds.has(trade.nettingSetId)) issues.add({ file: tradesFile, row, column: 'netting_set_id', value: trade.nettingSetId, expected: `a netting_set_id of ${nsFile}` });
    } else if (ns.counterpartyId !== trade.counterpartyId) {
      issues.add({
        file: tradesFile,
        row,
        column: 'netting_set_id',
        value: trade.nettingSetId,
        expected: `a netting set of counterparty ${trade.counterpartyId} (${trade.nettingSetId} belongs to ${ns.counterpartyId} in ${nsFile} row ${ns.sourceRow})`,
      });
    } else if (ns.cleared !== trade.cleared) {
      issues.add({
        file: tradesFile,
        row,
        column: 'cleared',
        value: String(trade.cleared),
        expected: `${ns.cleared} like its netting set ${ns.nettingSetId} (cleared and bilateral trades do not net)`,
      });
    } else if (ns.cleared && ns.ccp !== undefined && trade.ccp !== undefined && ns.ccp !== trade.ccp && !setCcpWrong.has(ns.nettingSetId)) {
      issues.add({ file: tradesFile, row, column: 'ccp', value: trade.ccp, expected: `${ns.ccp}, the CCP of netting set ${ns.nettingSetId}` });
    }
    if (market) checkTradeAgainstMarket(trade, market, tradesFile, options, issues);
  }

  for (const cp of portfolio.counterparties) {
    if (loaded('trades') && !tradedCounterparties.has(cp.counterpartyId)) {
      issues.add({
        file: cpFile,
        row: cp.sourceRow,
        column: 'counterparty_id',
        value: cp.counterpartyId,
        expected: `a counterparty with at least one trade in ${tradesFile}`,
        severity: 'warning',
      });
    }
    if (market) checkCreditCurve(cp, market, cpFile, options, issues);
  }

  const tradedSets = portfolio.idsPresent?.tradeNettingSets;
  for (const ns of portfolio.nettingSets) {
    if (loaded('trades') && tradedSets !== undefined && !tradedSets.has(ns.nettingSetId)) {
      issues.add({ file: nsFile, row: ns.sourceRow, column: 'netting_set_id', value: ns.nettingSetId, expected: `a netting set with at least one trade in ${tradesFile} (it adds nothing but its CSA's fixed amounts)`, severity: 'warning' });
    }
    // the CSA columns of a set without a CSA are ignored: figures in them most likely mean a csa flag left false
    if (!ns.csa) {
      // every such column (the amounts, rounding, and the MPoR and call frequency when not their blank defaults 0 and 1)
      const given = ([
        ['threshold_cpty', ns.thresholdCpty !== 0, ns.thresholdCpty],
        ['threshold_bank', ns.thresholdBank !== 0, ns.thresholdBank],
        ['mta_cpty', ns.mtaCpty !== 0, ns.mtaCpty],
        ['mta_bank', ns.mtaBank !== 0, ns.mtaBank],
        ['independent_amount_cpty', ns.independentAmountCpty !== 0, ns.independentAmountCpty],
        ['independent_amount_bank', ns.independentAmountBank !== 0, ns.independentAmountBank],
        ['rounding', ns.rounding !== 0, ns.rounding],
        ['margin_period_of_risk_days', ns.marginPeriodOfRiskDays !== 0, ns.marginPeriodOfRiskDays],
        ['margin_frequency_days', ns.marginFrequencyDays !== 1, ns.marginFrequencyDays],
      ] as const).filter(([, isGiven]) => isGiven);
      for (const [column, , value] of given) {
        issues.add({ file: nsFile, row: ns.sourceRow, column, value: String(value), expected: `blank or ${column === 'margin_frequency_days' ? 1 : 0} on a netting set without a CSA (csa false: the CSA columns are ignored, the set is uncollateralised); set csa true if the CSA is meant`, severity: 'warning' });
      }
    }
    // a CSA's margin period of risk of 0 takes the collateral as exchanged the moment values move: no close-out gap at
    // all (CRE52.50-52: at least 10 business days; a clearing member's trades with a CCP too, CRE54.8; the 5 days of
    // CRE54.12 are a client's exposure to its clearing member, not modelled)
    if (ns.csa && ns.marginPeriodOfRiskDays === 0) {
      issues.add({ file: nsFile, row: ns.sourceRow, column: 'margin_period_of_risk_days', value: '0', expected: `a margin period of risk of some business days under a CSA (10 is the regulatory floor${ns.cleared ? ' for a clearing member\'s trades with a CCP too, CRE54.8' : ', CRE52.50-52'}): 0 leaves the exposure no close-out gap`, severity: 'warning' });
    }
  }

  // two rows for one netting set, asset type and currency whose margin types overlap (equal, or either `both`): two
  // haircuts for one asset, of which the optimiser's allocation would take one unseen
  const eligibleSeen = new Map<string, EligibleCollateral[]>();
  for (const e of portfolio.eligibleCollateral) {
    const key = `${e.nettingSetId}\u0000${e.assetType}\u0000${e.currency ?? '*'}`;
    const earlier = eligibleSeen.get(key) ?? [];
    const clash = earlier.find((o) => o.marginType === e.marginType || o.marginType === 'both' || e.marginType === 'both');
    if (clash) {
      const same = clash.haircutPct === e.haircutPct;
      issues.add({
        file: eligibleFile,
        row: e.sourceRow,
        column: same ? 'netting_set_id' : 'haircut_pct',
        value: same ? e.nettingSetId : String(e.haircutPct),
        expected: same
          ? `one eligible_collateral row per netting set, asset type, currency and margin type (row ${clash.sourceRow} says the same)`
          : `the haircut of row ${clash.sourceRow} (${clash.haircutPct}%), which covers the same netting set, asset type${e.currency ? `, currency ${e.currency}` : ''} and margin (${clash.marginType}): one haircut per asset and margin`,
        ...(same ? { severity: 'warning' as const } : {}),
      });
    }
    earlier.push(e);
    eligibleSeen.set(key, earlier);
  }
  for (const e of portfolio.eligibleCollateral) {
    if (loaded('netting_sets') && !nettingSetIds.has(e.nettingSetId)) {
      issues.add({ file: eligibleFile, row: e.sourceRow, column: 'netting_set_id', value: e.nettingSetId, expected: `a netting_set_id of ${nsFile}` });
    }
    if (market && e.currency !== undefined && !market.currencies.includes(e.currency)) {
      issues.add({
        file: eligibleFile,
        row: e.sourceRow,
        column: 'currency',
        value: e.currency,
        expected: `a currency with a discount curve in ${options.marketFile} (curves.discount has ${listed(market.currencies)})`,
      });
    }
  }
  if (market) {
    for (const a of portfolio.collateral) {
      if (!market.currencies.includes(a.currency)) {
        issues.add({
          file: collateralFile,
          row: a.sourceRow,
          column: 'currency',
          value: a.currency,
          expected: `a currency with a discount curve in ${options.marketFile} (curves.discount has ${listed(market.currencies)})`,
        });
      }
    }
    checkRateModels(portfolio, market, options.marketFile, issues);
    checkRateVolLevels(market, options.marketFile, issues);
    checkFxEquityVolLevels(portfolio, market, options.marketFile, issues);
    checkFixingLevels(market, options.marketFile, issues);
    checkCurveLevels(market, options.marketFile, issues);
    // the loader's own plausibility warnings (a CDS curve in decimals: loadCredit.ts warnSpreadUnit)
    for (const warning of market.loadWarnings ?? []) issues.add(warning);
  }
}

/** A pillar's time as the market file writes tenors where it is one (1Y, 18M; ACT/365F from the as-of date), else in years. */
function pillarLabel(years: number): string {
  const months = Math.round(years * 12);
  // ACT/365F years of a tenor run long by the leap days (30Y is 30.02 years): a tolerance growing with the tenor
  if (Math.abs(years * 12 - months) < 0.1 + 0.001 * months && months > 0 && years <= 100) return months % 12 === 0 ? `${months / 12}Y` : `${months}M`;
  return `at ${+years.toFixed(2)} years`;
}

/** Above this in size a zero rate is most likely typed in percent (4.1 for 4.1%): a warning. */
const PLAUSIBLE_ZERO_RATE = 0.5;
/** Beyond this a pillar is most likely a typo (10000Y): a warning. */
const PLAUSIBLE_PILLAR_YEARS = 100;

/**
 * A warning per discount and projection curve with a pillar far from any market's: a zero rate above 50% in size, or
 * a pillar more than 100 years out (the loader takes any; a curve in percent prices every trade wrong without a word).
 * One warning per curve, naming its first such pillar.
 */
function checkCurveLevels(market: Market, marketFile: string, issues: IssueCollector): void {
  const curves: [string, () => { pillarTimes: Float64Array; pillarZeroRates: Float64Array }][] = [
    ...market.currencies.map((c): [string, () => { pillarTimes: Float64Array; pillarZeroRates: Float64Array }] => [`curves.discount.${c}`, () => market.discountCurve(c)]),
    ...(market.projectionIndices ?? []).map((i): [string, () => { pillarTimes: Float64Array; pillarZeroRates: Float64Array }] => [`curves.projection.${i}`, () => market.projectionCurve(i)]),
  ];
  for (const [column, curveOf] of curves) {
    const { pillarTimes, pillarZeroRates } = curveOf();
    for (let k = 0; k < pillarTimes.length; k++) {
      const t = pillarTimes[k]!;
      const z = pillarZeroRates[k]!;
      const at = `${column} (pillar ${pillarLabel(t)})`;
      if (Math.abs(z) > PLAUSIBLE_ZERO_RATE) {
        issues.add({ file: marketFile, column: at, value: String(z), expected: `a zero rate in decimals (0.041 = 4.1%) at most ${PLAUSIBLE_ZERO_RATE} in size: ${z} is ${Math.round(z * 100)}%`, severity: 'warning' });
        break;
      }
      if (t > PLAUSIBLE_PILLAR_YEARS) {
        issues.add({ file: marketFile, column: at, value: String(+t.toFixed(2)), expected: `a pillar within ${PLAUSIBLE_PILLAR_YEARS} years of the as-of date (a typo such as 10000Y?)`, severity: 'warning' });
        break;
      }
    }
  }
  // Cross-currency basis spreads: the loader refuses beyond 100,000bp; above 1,000bp (10%) one is most likely typed
  // in the wrong unit (a warning, as a trade's float_spread_bp).
  for (const { currency, pillarTimes, spreadsBp } of market.xccyBasisQuotes?.() ?? []) {
    for (let k = 0; k < spreadsBp.length; k++) {
      const bp = spreadsBp[k]!;
      if (Math.abs(bp) > PLAUSIBLE_BASIS_BP) {
        const at = `curves.xccyBasis.${currency} (pillar ${pillarLabel(pillarTimes[k]!)})`;
        issues.add({ file: marketFile, column: at, value: String(bp), expected: `a basis spread in bp at most ${PLAUSIBLE_BASIS_BP.toLocaleString('en-US')}bp in size (-25 for -25bp): ${bp}bp is ${+(bp / 100).toFixed(2)}%`, severity: 'warning' });
        break;
      }
    }
  }
}

/** Above this in size a cross-currency basis spread is most likely in the wrong unit: a warning. */
const PLAUSIBLE_BASIS_BP = 1_000;

/** Above this in size a rate fixing is most likely typed in percent (2.13 for 2.13%): a warning. */
const PLAUSIBLE_FIXING_RATE = 0.5;
/** An FX fixing this many times away from today's spot, either way, is most likely the inverse pair: a warning. */
const PLAUSIBLE_FX_FIXING_RATIO = 3;

/**
 * A warning per past fixing far from any plausible level (the loader takes any rate, and one fixing sets a coupon):
 * a rate above 50% in size, or an FX rate more than 3 times away from today's spot of its pair (units of the second
 * currency per one of the first; the inverse pair given by mistake is off by about spot²). One warning per series,
 * naming its first such date and counting the others.
 */
function checkFixingLevels(market: Market, marketFile: string, issues: IssueCollector): void {
  for (const [name, series] of market.fixingSeries?.() ?? []) {
    const pair = /^FX-([A-Z]{3})-([A-Z]{3})$/.exec(name);
    let spot: number | undefined;
    if (pair !== null) {
      try {
        spot = market.fxSpot(pair[1] as Currency, pair[2] as Currency);
      } catch {
        continue; // the loader names a pair without a spot
      }
    }
    const bad = [...series].filter(([, rate]) => (spot === undefined ? Math.abs(rate) > PLAUSIBLE_FIXING_RATE : rate / spot > PLAUSIBLE_FX_FIXING_RATIO || spot / rate > PLAUSIBLE_FX_FIXING_RATIO)).sort((a, b) => a[0] - b[0]);
    if (bad.length === 0) continue;
    const [date, rate] = bad[0]!;
    const others = bad.length > 1 ? ` (and ${bad.length - 1} more of its fixings)` : '';
    issues.add({
      file: marketFile,
      column: `fixings.${name} (${toIsoDate(date)})${others}`,
      value: String(rate),
      expected: spot === undefined
        ? `a rate in decimals (0.0213 = 2.13%) at most ${PLAUSIBLE_FIXING_RATE} in size: ${rate} is ${Math.round(rate * 100)}%`
        : `an FX rate near today's spot ${spot} of ${pair![2]} per ${pair![1]} (within a factor ${PLAUSIBLE_FX_FIXING_RATIO}; the inverse pair is FX-${pair![2]}-${pair![1]})`,
      severity: 'warning',
    });
  }
}

/** Above this an FX or equity Black vol is most likely typed in percent (15 for 15%): a warning. */
const PLAUSIBLE_FX_EQUITY_VOL = 2; // 200%
/** Where a vol term structure is read for the check: its pillars lie between, and it is flat beyond them. */
const VOL_CHECK_YEARS = [0, 1 / 12, 0.25, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30];

/**
 * A warning per FX pair against the base currency and per equity the book trades whose Black vol is far above any
 * market's at some tenor: the loader takes any positive vol, and the simulation gives finite but meaningless paths
 * under a vol of 7.5 meant as 7.5% (lognormal paths collapse towards 0, options are worth their whole forward).
 */
function checkFxEquityVolLevels(portfolio: Portfolio, market: Market, marketFile: string, issues: IssueCollector): void {
  const highest = (vol: (t: number) => number): number | undefined => {
    let max: number | undefined;
    for (const t of VOL_CHECK_YEARS) {
      const v = vol(t);
      if (max === undefined || v > max) max = v;
    }
    return max;
  };
  const warn = (column: string, vol: number, what: string): void => {
    issues.add({
      file: marketFile,
      column,
      value: String(vol),
      expected: `${what} Black vol in decimals (0.10 = 10%) at most ${PLAUSIBLE_FX_EQUITY_VOL}: ${vol} is ${Math.round(vol * 100)}%`,
      severity: 'warning',
    });
  };
  const base = market.baseCurrency;
  for (const ccy of market.currencies) {
    if (ccy === base) continue;
    let vol: number | undefined;
    try {
      vol = highest((t) => market.fxVol(ccy, base, t));
    } catch {
      continue; // no vol for the pair: the products that need one say so
    }
    if (vol !== undefined && vol > PLAUSIBLE_FX_EQUITY_VOL) warn(`fx.vols (${ccy} against ${base})`, vol, 'an FX');
  }
  const equities = new Set<string>();
  for (const trade of portfolio.trades) if ((trade.product === 'EQFWD' || trade.product === 'EQOPT') && market.hasEquity(trade.underlying)) equities.add(trade.underlying);
  for (const name of [...equities].sort()) {
    const vol = highest((t) => market.equityVol(name, t));
    if (vol !== undefined && vol > PLAUSIBLE_FX_EQUITY_VOL) warn(`equities.${name}`, vol, 'an equity');
  }
}

/** Above these a rate vol is most likely typed in percent or basis points (0.8 for 80bp, 25 for 25%): a warning. */
const PLAUSIBLE_NORMAL_VOL = 0.05; // 500bp a year; normal swaption and caplet vols, Hull-White sigmas
const PLAUSIBLE_BLACK_VOL = 5; // 500%

/**
 * A warning per swaption or caplet vol quote, and per Hull-White sigma step, far above any market's: the loader takes
 * any positive vol, so a normal vol given in percent (0.5 for 50bp) would price every option and exposure 100 times
 * too wide without a word.
 */
function checkRateVolLevels(market: Market, marketFile: string, issues: IssueCollector): void {
  // a quote's expiry and tenor as the market file gives them: in months, or years when whole
  const years = (t: number) => {
    const months = Math.round(t * 12);
    return months % 12 === 0 ? `${months / 12}Y` : `${months}M`;
  };
  for (const ccy of market.currencies) {
    for (const [section, surface] of [['swaptionVols', market.swaptionVols(ccy)], ['capFloorVols', market.capFloorVols(ccy)]] as const) {
      if (surface === undefined) continue;
      const limit = surface.type === 'normal' ? PLAUSIBLE_NORMAL_VOL : PLAUSIBLE_BLACK_VOL;
      for (const q of surface.quotes) {
        if (!(q.vol > limit)) continue;
        const at = section === 'swaptionVols' ? `expiry ${years(q.expiryYears)}, tenor ${years(q.tenorYears)}` : `expiry ${years(q.expiryYears)}${q.strike !== undefined ? `, strike ${q.strike}` : ''}`;
        issues.add({
          file: marketFile,
          column: `rates.${ccy}.${section} (${at})`,
          value: String(q.vol),
          expected: surface.type === 'normal'
            ? `a normal vol in decimals per year (0.008 = 80bp) at most ${limit}: ${q.vol} is ${Math.round(q.vol * 1e4)}bp a year`
            : `a Black vol in decimals (0.25 = 25%) at most ${limit}: ${q.vol} is ${Math.round(q.vol * 100)}%`,
          severity: 'warning',
        });
      }
    }
    const hw = market.hullWhite(ccy);
    if (hw?.source !== 'given') continue;
    hw.sigmas.forEach((sigma, i) => {
      if (!(sigma > PLAUSIBLE_NORMAL_VOL)) return;
      issues.add({
        file: marketFile,
        column: `rates.${ccy}.hullWhite.sigma${hw.sigmas.length > 1 ? `[${i}]` : ''}`,
        value: String(sigma),
        expected: `a short-rate normal vol in decimals per year (0.01 = 100bp) at most ${PLAUSIBLE_NORMAL_VOL}: ${sigma} is ${Math.round(sigma * 1e4)}bp a year`,
        severity: 'warning',
      });
    });
  }
}

/**
 * A warning per currency of the book (and the base currency) whose rates the Monte Carlo commands cannot model: no
 * Hull-White parameters and no swaption vols to calibrate them to (crossAsset/calibration.ts currencyLgmParams
 * refuses the run). Today's prices need neither, so `xva margin` and `xva capital --no-kva` still run: a warning.
 */
function checkRateModels(portfolio: Portfolio, market: Market, marketFile: string, issues: IssueCollector): void {
  const currencies = new Set<Currency>([market.baseCurrency]);
  for (const trade of portfolio.trades) {
    for (const c of tradeCurrencies(trade)) currencies.add(c);
    if ((trade.product === 'EQFWD' || trade.product === 'EQOPT') && market.hasEquity(trade.underlying)) currencies.add(market.equity(trade.underlying).currency);
  }
  for (const ccy of [...currencies].sort()) {
    if (!market.currencies.includes(ccy) || market.hullWhite(ccy) !== undefined || market.swaptionVols(ccy) !== undefined) continue;
    issues.add({
      file: marketFile,
      column: `rates.${ccy}`,
      expected:
        `Hull-White parameters (rates.${ccy}.hullWhite) or ATM swaption vols to calibrate them to (rates.${ccy}.swaptionVols): ` +
        'xva simulate, cva, fva, optimize and the KVA of xva capital model the rates of every currency of the book',
      severity: 'warning',
    });
  }
}
