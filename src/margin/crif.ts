/**
 * CRIF reader: a standard ISDA CRIF (CSV or Parquet, through io/read.ts) → checked CrifRecord rows. Column names
 * are matched case-insensitively with or without underscores (TradeID / trade_id, PortfolioID, ProductClass,
 * RiskType, Qualifier, Bucket, Label1, Label2, Amount, AmountCurrency, AmountUSD, IMModel / im_model,
 * collect_regulations / CollectRegulations / CollectRegs, post_regulations / PostRegulations / PostRegs,
 * end_date / EndDate). Every bad cell becomes an InputIssue with file, row, column and value.
 */
import { isCurrencyCode } from '../conventions/currencies.js';
import { fromYmd, parseIsoDate, type DateSerial } from '../conventions/dates.js';
import { IssueCollector, formatIssue } from '../errors.js';
import { readTable } from '../io/read.js';
import { FieldReader, type TabularFile } from '../io/table.js';
import { irCrifBucket, loadSimmParameterFile, type SimmParameterFile } from './simm/parameters.js';
import {
  CRIF_RISK_TYPES,
  SCHEDULE_PRODUCT_CLASSES,
  SIMM_PRODUCT_CLASSES,
  type CrifRecord,
  type CrifRiskType,
} from './simm/types.js';

export interface CrifReadOptions {
  /** Currency of the amounts SIMM works in (default USD: the AmountUSD column is used when present). */
  resultCurrency?: string;
  /** Result-currency units per 1 unit of a currency, to convert `Amount` when it is in another currency. */
  fxRates?: Record<string, number>;
  /** Parameters used to check buckets and tenors (default: SIMM v2.6). */
  parameters?: SimmParameterFile;
  /** Portfolio id given to rows when the CRIF has no PortfolioID column (default `Portfolio`). */
  defaultPortfolioId?: string;
}

const ALIASES: Record<string, string[]> = {
  tradeId: ['tradeid'],
  portfolioId: ['portfolioid', 'nettingsetid'],
  productClass: ['productclass'],
  riskType: ['risktype'],
  qualifier: ['qualifier'],
  bucket: ['bucket'],
  label1: ['label1'],
  label2: ['label2'],
  amount: ['amount'],
  amountCurrency: ['amountcurrency', 'currency'],
  amountUsd: ['amountusd'],
  imModel: ['immodel'],
  collectRegulations: ['collectregulations', 'collectregs', 'collectregulation'],
  postRegulations: ['postregulations', 'postregs', 'postregulation'],
  endDate: ['enddate'],
};

/** Column name in the file for each field, matched without case and underscores. */
function resolveColumns(table: TabularFile): Partial<Record<keyof typeof ALIASES, string>> {
  const byKey = new Map(table.columnNames.map((n) => [n.toLowerCase().replace(/[_\s]/g, ''), n]));
  const out: Partial<Record<string, string>> = {};
  for (const [field, aliases] of Object.entries(ALIASES)) {
    const found = aliases.map((a) => byKey.get(a)).find((n) => n !== undefined);
    if (found) out[field] = found;
  }
  return out;
}

const CREDIT_TYPES = new Set(['Risk_CreditQ', 'Risk_CreditVol', 'Risk_CreditNonQ', 'Risk_CreditVolNonQ']);
const BUCKETED_TYPES = new Set([...CREDIT_TYPES, 'Risk_Equity', 'Risk_EquityVol', 'Risk_Commodity', 'Risk_CommodityVol']);
const VOL_TYPES = new Set(['Risk_IRVol', 'Risk_InflationVol', 'Risk_FXVol', 'Risk_EquityVol', 'Risk_CommodityVol', 'Risk_CreditVol', 'Risk_CreditVolNonQ']);
const CREDIT_TENOR_TYPES = new Set(['Risk_CreditQ', 'Risk_CreditNonQ', 'Risk_CreditVol', 'Risk_CreditVolNonQ']);
/** SIMM v2.6 §C.1: the interest-rate sub-curves (CRIF Label2 of Risk_IRCurve), in their CRIF spelling. */
export const SIMM_IR_SUB_CURVES = ['OIS', 'Libor1m', 'Libor3m', 'Libor6m', 'Libor12m', 'Prime', 'Municipal'] as const;

/** A tenor in months that is a whole number of years is that vertex (`12m` → `1y`, `60m` → `5y`). */
function vertexLabel(label1: string): string {
  const m = /^(\d+)m$/.exec(label1);
  return m && Number(m[1]) >= 12 && Number(m[1]) % 12 === 0 ? `${Number(m[1]) / 12}y` : label1;
}
const UNITLESS_TYPES = new Set(['Param_ProductClassMultiplier', 'Param_AddOnNotionalFactor']);

function allowedBuckets(riskType: string, p: SimmParameterFile): string[] {
  if (riskType === 'Risk_CreditQ' || riskType === 'Risk_CreditVol') return Object.keys(p.credit_qualifying.delta_risk_weights['10d']);
  if (riskType === 'Risk_CreditNonQ' || riskType === 'Risk_CreditVolNonQ')
    return Object.keys(p.credit_non_qualifying.delta_risk_weights['10d']);
  if (riskType === 'Risk_Equity' || riskType === 'Risk_EquityVol') return Object.keys(p.equity.delta_risk_weights['10d']);
  return Object.keys(p.commodity.delta_risk_weights['10d']);
}

/** `YYYY-MM-DD` or ORE's `dd/mm/yyyy`. */
function parseEndDate(text: string): DateSerial | undefined {
  const iso = parseIsoDate(text);
  if (iso !== undefined) return iso;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const serial = fromYmd(year, month, day);
  return parseIsoDate(`${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`) === serial ? serial : undefined;
}

/** Regulation lists such as `ESA,USPR` or `[SEC, CFTC]`. */
export function parseRegulations(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(/[,[\]\s]+/).filter((r) => r !== ''))];
}

/** Reads the rows of a CRIF table; problems go to `issues` (the caller throws). */
export function crifFromTable(table: TabularFile, issues: IssueCollector, options: CrifReadOptions = {}): CrifRecord[] {
  const params = options.parameters ?? loadSimmParameterFile('2.6');
  const resultCurrency = options.resultCurrency ?? 'USD';
  const col = resolveColumns(table);
  const reader = new FieldReader(table, issues);
  const file = table.file;
  if (!col.riskType) reader.requireColumns(['RiskType']);
  if (!col.amount && !col.amountUsd) reader.requireColumns(['Amount']);
  if (col.amount && !col.amountUsd && !col.amountCurrency) reader.requireColumns(['AmountCurrency']);
  if (!issues.ok) return [];

  const irTenors = new Set(params.interest_rate.tenors);
  const creditTenors = new Set(params.credit_qualifying.tenors);
  const text = (field: keyof typeof ALIASES, row: number): string => {
    const name = col[field];
    return name ? (reader.string(name, row) ?? '') : '';
  };
  const wrong = (row: number, field: keyof typeof ALIASES, fallback: string, value: string, expected: string): void =>
    issues.add({ file, row: row + 1, column: col[field] ?? fallback, value, expected });

  const records: CrifRecord[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const before = issues.errorCount;
    const riskTypeText = text('riskType', row);
    const riskType = CRIF_RISK_TYPES.find((t) => t.toLowerCase() === riskTypeText.toLowerCase());
    if (!riskType) {
      wrong(row, 'riskType', 'RiskType', riskTypeText, `a CRIF risk type: one of ${CRIF_RISK_TYPES.join(', ')}`);
      continue;
    }
    const imModelText = text('imModel', row);
    const imModel = imModelText === '' ? '' : imModelText.toLowerCase() === 'schedule' ? 'Schedule' : imModelText.toLowerCase().startsWith('simm') ? 'SIMM' : undefined;
    if (imModel === undefined) wrong(row, 'imModel', 'IMModel', imModelText, 'SIMM or Schedule');
    const isSchedule = imModel === 'Schedule';
    if (riskType === 'PV' && !isSchedule) wrong(row, 'imModel', 'IMModel', imModelText, 'Schedule (a PV row belongs to the schedule method)');

    // Product class: SIMM classes for sensitivities, schedule classes for schedule rows, none for parameters.
    let productClass = text('productClass', row);
    if (isSchedule) {
      const pc = SCHEDULE_PRODUCT_CLASSES.find((c) => c.toLowerCase() === productClass.toLowerCase());
      if (!pc) wrong(row, 'productClass', 'ProductClass', productClass, `a schedule product class: one of ${SCHEDULE_PRODUCT_CLASSES.join(', ')}`);
      else productClass = pc;
    } else if (riskType.startsWith('Risk_')) {
      const pc = SIMM_PRODUCT_CLASSES.find((c) => c.toLowerCase() === productClass.toLowerCase());
      if (!pc) wrong(row, 'productClass', 'ProductClass', productClass, `a SIMM product class: one of ${SIMM_PRODUCT_CLASSES.join(', ')}`);
      else productClass = pc;
    }

    let qualifier = text('qualifier', row);
    let bucket = text('bucket', row);
    let label1 = text('label1', row).toLowerCase();
    let label2 = text('label2', row);
    if (riskType.startsWith('Risk_') && qualifier === '') wrong(row, 'qualifier', 'Qualifier', '', 'a qualifier (currency, issuer or index)');
    if ((riskType === 'Risk_FX' || riskType.startsWith('Risk_IR') || riskType.startsWith('Risk_Inflation') || riskType === 'Risk_XCcyBasis') && qualifier !== '') {
      qualifier = qualifier.toUpperCase();
      if (!isCurrencyCode(qualifier)) wrong(row, 'qualifier', 'Qualifier', qualifier, 'an ISO 4217 currency code (such as USD)');
    }
    if (riskType === 'Risk_FXVol') {
      const pair = /^([A-Za-z]{3})[^A-Za-z]?([A-Za-z]{3})$/.exec(qualifier);
      if (!pair) wrong(row, 'qualifier', 'Qualifier', qualifier, 'a currency pair such as USDJPY');
      else if (!isCurrencyCode(pair[1]!.toUpperCase()) || !isCurrencyCode(pair[2]!.toUpperCase()))
        wrong(row, 'qualifier', 'Qualifier', qualifier, 'a pair of ISO 4217 currency codes such as USDJPY');
      // SIMM v2.6 §C.11 (FX vega): the risk factor is the volatility of an exchange rate between two currencies; a
      // currency against itself has none (its vega would be margined as a pair's without a word)
      else if (pair[1]!.toUpperCase() === pair[2]!.toUpperCase())
        wrong(row, 'qualifier', 'Qualifier', qualifier, `a pair of two different currencies such as USDJPY (${pair[1]!.toUpperCase()} against itself has no exchange rate)`);
    }
    if (riskType === 'Param_ProductClassMultiplier') {
      const pc = SIMM_PRODUCT_CLASSES.find((c) => c.toLowerCase() === qualifier.toLowerCase());
      if (!pc) wrong(row, 'qualifier', 'Qualifier', qualifier, `the product class to scale: one of ${SIMM_PRODUCT_CLASSES.join(', ')}`);
      else qualifier = pc;
    }
    if (BUCKETED_TYPES.has(riskType)) {
      if (bucket.toLowerCase() === 'residual') bucket = 'Residual';
      const allowed = allowedBuckets(riskType, params);
      if (!allowed.includes(bucket)) wrong(row, 'bucket', 'Bucket', bucket, `a SIMM bucket for ${riskType}: one of ${allowed.join(', ')}`);
    }
    // SIMM v2.6 §C.1/§C.3 and the vega risk factors: tenors and option expiries are the vertices (2w … 30y; credit
    // 1y … 10y); another expiry (7y, 18m) is no risk factor and has no tenor correlation, so it is refused, not mapped
    label1 = vertexLabel(label1);
    if (CREDIT_TENOR_TYPES.has(riskType)) {
      if (!creditTenors.has(label1)) wrong(row, 'label1', 'Label1', label1, `a credit ${VOL_TYPES.has(riskType) ? 'option expiry' : 'tenor'}: one of ${[...creditTenors].join(', ')}`);
    } else if (riskType === 'Risk_IRCurve' || VOL_TYPES.has(riskType)) {
      if (!irTenors.has(label1))
        wrong(row, 'label1', 'Label1', label1, `a SIMM ${VOL_TYPES.has(riskType) ? 'option expiry' : 'tenor'}: one of ${[...irTenors].join(', ')} (sensitivities at other expiries are split onto these vertices before the CRIF)`);
    }
    if (riskType === 'Risk_IRCurve' && bucket !== '' && isCurrencyCode(qualifier)) {
      // the standard CRIF's Bucket is the currency's volatility group; SIMM takes the risk weight from the currency
      // (§C.1.1), so a bucket that says another group is a warning (a CRIF of another SIMM version, or a mistyped row)
      const group = irCrifBucket(params, qualifier);
      if (bucket !== group) {
        issues.add({ file, row: row + 1, column: col.bucket ?? 'Bucket', value: bucket, expected: `${group}, the volatility group of ${qualifier} in SIMM ${params.simm_version} (1 regular, 2 low, 3 high volatility): the risk weight is ${qualifier}'s, the bucket is not used`, severity: 'warning' });
      }
    }
    if (riskType === 'Risk_IRCurve') {
      const subCurve = SIMM_IR_SUB_CURVES.find((c) => c.toLowerCase() === label2.toLowerCase());
      if (subCurve === undefined) wrong(row, 'label2', 'Label2', label2, `a SIMM sub-curve: one of ${SIMM_IR_SUB_CURVES.join(', ')}`);
      else label2 = subCurve;
    }
    if (riskType === 'Risk_Equity' || riskType === 'Risk_Commodity' || riskType === 'Risk_FX' || riskType === 'Risk_BaseCorr') label1 = '';

    const amountCurrency = text('amountCurrency', row).toUpperCase() || resultCurrency;
    // checked even where AmountUSD is what SIMM reads: a code that is no currency says the row is mistyped
    if (!isCurrencyCode(amountCurrency)) wrong(row, 'amountCurrency', 'AmountCurrency', amountCurrency, 'an ISO 4217 currency code (such as USD)');
    const amount = readAmount(row, riskType, resultCurrency);
    const endDateText = text('endDate', row);
    const endDate = endDateText === '' ? undefined : parseEndDate(endDateText);
    if (endDateText !== '' && endDate === undefined) wrong(row, 'endDate', 'end_date', endDateText, 'a date (YYYY-MM-DD or dd/mm/yyyy)');
    if (isSchedule && endDateText === '') wrong(row, 'endDate', 'end_date', '', 'the trade end date for a schedule row');
    if (isSchedule && riskType !== 'PV' && riskType !== 'Notional')
      wrong(row, 'riskType', 'RiskType', riskType, 'PV or Notional for a schedule row');

    if (issues.errorCount > before || amount === undefined) continue;
    records.push({
      tradeId: text('tradeId', row),
      portfolioId: text('portfolioId', row) || (options.defaultPortfolioId ?? 'Portfolio'),
      productClass,
      riskType,
      qualifier,
      bucket,
      label1,
      label2,
      amount,
      amountCurrency,
      imModel: imModel ?? '',
      collectRegulations: parseRegulations(text('collectRegulations', row)),
      postRegulations: parseRegulations(text('postRegulations', row)),
      ...(endDate !== undefined ? { endDate } : {}),
      row: row + 1,
    });
  }
  return records;

  /**
   * A row giving both Amount and AmountUSD: they must say the same thing, AmountUSD being used (an Amount of −3.8e12
   * beside an AmountUSD of −38 is a typo on one side; which one, only the user knows). In USD they agree to rounding;
   * in another currency with an FX rate in the market, within a factor of 2 (the CRIF's FX date may not be the
   * market's, a unit slip is a factor of 100 or more); without a rate nothing is compared.
   */
  function checkAmounts(row: number, amount: number, shown: string, usd: number): void {
    const ccy = (text('amountCurrency', row) || 'USD').toUpperCase();
    const rate = ccy === 'USD' ? 1 : options.fxRates?.[ccy];
    if (rate === undefined || !(rate > 0)) return;
    const inUsd = amount * rate;
    const agree = ccy === 'USD' ? Math.abs(inUsd - usd) <= 1e-6 * Math.max(Math.abs(usd), Math.abs(inUsd)) + 0.01 : inUsd === usd || (inUsd * usd > 0 && Math.abs(inUsd) <= 2 * Math.abs(usd) && Math.abs(usd) <= 2 * Math.abs(inUsd));
    if (!agree) {
      wrong(row, 'amount', 'Amount', shown, `the AmountUSD ${usd} in ${ccy}${ccy === 'USD' ? '' : ` (at ${rate} USD per ${ccy}: ${inUsd.toPrecision(6)} USD)`}: Amount and AmountUSD disagree, and SIMM reads AmountUSD`);
    }
  }

  /** The amount in the result currency: AmountUSD (USD results), Amount in that currency, or Amount × FX. */
  function readAmount(row: number, riskType: CrifRiskType, ccyOut: string): number | undefined {
    const usd = col.amountUsd ? reader.number(col.amountUsd, row) : undefined;
    const usdCell = col.amountUsd ? reader.cell(col.amountUsd, row) : null;
    const amountCell = col.amount ? reader.cell(col.amount, row) : null;
    const amount = col.amount ? reader.number(col.amount, row) : undefined;
    if (UNITLESS_TYPES.has(riskType)) {
      const value = amount ?? usd;
      if (value === undefined && amountCell === null && usdCell === null)
        wrong(row, 'amount', 'Amount', '', riskType === 'Param_ProductClassMultiplier' ? 'a multiplier such as 1.1' : 'a factor in percent');
      if (value !== undefined && value < 0) wrong(row, 'amount', 'Amount', String(value), 'a value of at least 0');
      return value;
    }
    if (ccyOut === 'USD' && usd !== undefined) {
      if (amount !== undefined) checkAmounts(row, amount, String(amountCell ?? amount).trim(), usd);
      return usd;
    }
    if (amount === undefined) {
      if (amountCell === null && usdCell === null) wrong(row, 'amount', 'Amount', '', 'a number (the sensitivity or amount)');
      return undefined;
    }
    const ccy = (text('amountCurrency', row) || '').toUpperCase();
    if (ccy === ccyOut) return amount;
    const rate = options.fxRates?.[ccy];
    if (rate === undefined || !(rate > 0)) {
      // a code that is no currency at all has its own message (above)
      if (ccy === '' || isCurrencyCode(ccy)) wrong(row, 'amountCurrency', 'AmountCurrency', ccy, `${ccyOut}, or a currency with an FX rate into ${ccyOut} (or an AmountUSD column)`);
      return undefined;
    }
    return amount * rate;
  }
}

/**
 * Reads a CRIF file (.csv, .parquet, .pq, .arrow); throws XvaInputError listing every problem found. Warnings (a
 * Risk_IRCurve bucket that contradicts its currency's group) go to `options.warnings`, one line each, when given
 * (`xva margin` prints its notes as warnings).
 */
export async function readCrif(filePath: string, options: CrifReadOptions & { displayName?: string; warnings?: string[] } = {}): Promise<CrifRecord[]> {
  const table = await readTable(filePath, options.displayName ? { displayName: options.displayName } : undefined);
  const issues = new IssueCollector();
  const records = crifFromTable(table, issues, options);
  issues.throwIfAny();
  options.warnings?.push(...issues.warnings.map(formatIssue));
  if (issues.warningsTruncated > 0) options.warnings?.push(`${table.file}: ... and ${issues.warningsTruncated} more warnings`);
  return records;
}
