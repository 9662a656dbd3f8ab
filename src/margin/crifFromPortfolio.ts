/**
 * The CRIF of a book built from its trades and today's market (no `--crif` given): SIMM sensitivities by bump and
 * reprice (sensitivities/trade.ts) for the netting sets under SIMM, and the PV / Notional rows of the standardised
 * schedule for the netting sets under the schedule. The CRIF's PortfolioID is the netting set; amounts are in USD.
 */
import path from 'node:path';
import { writeTable, type OutputFormat } from '../io/write.js';
import type { DateSerial } from '../conventions/dates.js';
import type { Market } from '../market/types.js';
import { isInvestmentGrade, type Counterparty, type Portfolio, type Sector } from '../portfolio/types.js';
import { tradeMaturity, type Currency, type Trade } from '../products/types.js';
import { CALCULATION_CURRENCY, tradeSensitivities, tradeValueUsd } from './sensitivities/trade.js';
import type { CrifRecord, ScheduleProductClass, SimmProductClass } from './simm/types.js';
import { irCrifBucket, loadSimmParameterFile, type SimmParameterFile } from './simm/parameters.js';
import { outstandingNotional } from '../products/amortization.js';
import { someOf } from '../text.js';

/** SIMM v2.6 §B.2: the product class of a trade. */
export function simmProductClass(trade: Trade): SimmProductClass {
  switch (trade.product) {
    case 'EQFWD':
    case 'EQOPT':
      return 'Equity';
    case 'CDS':
      return 'Credit';
    default:
      return 'RatesFX';
  }
}

/** BCBS-IOSCO Appendix A asset class: cross-currency swaps and FX products are FX, as their notional exchange is. */
export function scheduleProductClass(trade: Trade): ScheduleProductClass {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
    case 'SWAPTION':
    case 'CAPFLOOR':
    case 'BASIS':
      return 'Rates';
    case 'XCCY':
    case 'FXFWD':
    case 'FXSWAP':
    case 'FXOPT':
      return 'FX';
    case 'EQFWD':
    case 'EQOPT':
      return 'Equity';
    case 'CDS':
      return 'Credit';
  }
}

/** SIMM v2.6 §C.3 credit-qualifying buckets 1–6 (investment grade) and 7–12 (high yield and not rated). */
const CREDIT_SECTOR_BUCKET: Record<Sector, number | undefined> = {
  sovereign: 1,
  financial: 2,
  basic_materials: 3,
  consumer: 4,
  technology: 5,
  health_care: 6,
  local_government: 6,
  other: undefined,
};

export function creditBucket(counterparty: Pick<Counterparty, 'sector' | 'rating'>): string {
  const bucket = CREDIT_SECTOR_BUCKET[counterparty.sector];
  if (bucket === undefined) return 'Residual';
  return String(isInvestmentGrade(counterparty.rating) ? bucket : bucket + 6);
}

/** SIMM v2.6 equity bucket 11: indexes, funds, ETFs. */
const EQUITY_INDEX_BUCKET = '11';

/**
 * SIMM buckets of the book's names (SIMM v2.6 §C.3 credit qualifying, §C.7 equity):
 * - a `simm_bucket` in reference_entities, for the name's equity or credit sensitivities;
 * - credit: else the bucket of the counterparty whose CDS curve, id or name it is (sector and rating); else a credit
 *   index whose names all sit in one sector (`bacva_sector`, `grade`) takes that sector's bucket;
 * - equity: else an index (`kind` index) is bucket 11, "indexes, funds, ETFs";
 * - anything else is Residual (a note lists the names).
 */
export function simmNameBuckets(portfolio: Portfolio): { credit: Map<string, string>; equity: Map<string, string> } {
  const credit = new Map<string, string>();
  const equity = new Map<string, string>();
  const entities = [...(portfolio.referenceEntities?.values() ?? [])];
  for (const e of entities) {
    if (e.simmBucket !== undefined) {
      credit.set(e.name, e.simmBucket);
      equity.set(e.name, e.simmBucket);
    } else if (e.isIndex) equity.set(e.name, EQUITY_INDEX_BUCKET);
  }
  for (const c of portfolio.counterparties) {
    const bucket = creditBucket(c);
    for (const key of [c.counterpartyId, c.name, c.cdsCurve]) if (key !== undefined && !credit.has(key)) credit.set(key, bucket);
  }
  for (const e of entities) {
    if (credit.has(e.name) || !e.isIndex || e.baCvaSector === undefined || e.grade === undefined) continue;
    const sector = CREDIT_SECTOR_BUCKET[e.baCvaSector];
    if (sector !== undefined) credit.set(e.name, String(e.grade === 'IG' ? sector : sector + 6));
  }
  return { credit, equity };
}

export interface CrifFromPortfolioOptions {
  /** Netting sets to cover; default: those with `im_model = simm`. */
  nettingSetIds?: readonly string[];
  /** SIMM equity bucket per underlying ('Residual' otherwise: the market file carries no issuer sector or size). */
  equityBuckets?: ReadonlyMap<string, string>;
}

function baseRecord(trade: Trade, productClass: string): Omit<CrifRecord, 'riskType' | 'qualifier' | 'bucket' | 'label1' | 'label2' | 'amount'> {
  return {
    tradeId: trade.tradeId,
    portfolioId: trade.nettingSetId,
    productClass,
    amountCurrency: CALCULATION_CURRENCY,
    imModel: 'SIMM',
    collectRegulations: [],
    postRegulations: [],
  };
}

/** SIMM sensitivities of every trade of the chosen netting sets, as CRIF records in USD. */
export function simmCrifFromPortfolio(portfolio: Portfolio, market: Market, options: CrifFromPortfolioOptions = {}): { records: CrifRecord[]; notes: string[] } {
  const ids = new Set(options.nettingSetIds ?? portfolio.nettingSets.filter((n) => n.imModel === 'simm').map((n) => n.nettingSetId));
  const collateral = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const names = simmNameBuckets(portfolio);
  const equityBuckets = options.equityBuckets ? new Map([...names.equity, ...options.equityBuckets]) : names.equity;
  const records: CrifRecord[] = [];
  const notes: string[] = [];
  for (const trade of portfolio.trades) {
    if (!ids.has(trade.nettingSetId)) continue;
    const coll = collateral.get(trade.nettingSetId);
    const ctx = { market, creditBuckets: names.credit, equityBuckets, ...(coll ? { collateralCurrency: coll } : {}) };
    const result = tradeSensitivities(trade, ctx);
    for (const note of result.notes) if (!notes.includes(note)) notes.push(note); // (a curve's note once, not per trade)
    const base = baseRecord(trade, simmProductClass(trade));
    for (const s of result.rows) {
      records.push({ ...base, riskType: s.riskType, qualifier: s.qualifier, bucket: s.bucket, label1: s.label1, label2: s.label2, amount: s.amountUsd });
    }
  }
  // names SIMM's Residual bucket takes for want of reference data (its risk weight is the class's highest)
  for (const [riskType, what] of [['Risk_Equity', 'equity underlyings'], ['Risk_CreditQ', 'credit names']] as const) {
    const residual = [...new Set(records.filter((r) => r.riskType === riskType && r.bucket === 'Residual').map((r) => r.qualifier))].sort();
    if (residual.length > 0)
      notes.push(`SIMM: ${residual.length} ${what} in the Residual bucket (no simm_bucket in reference_entities${riskType === 'Risk_Equity' ? ', not an index' : ', not a counterparty with a sector'}): ${someOf(residual, 5)}`);
  }
  return { records, notes };
}

/**
 * Notional of a trade for the schedule, in its own currency: the traded amount (an amortising swap's outstanding
 * today), or quantity × spot for equity.
 */
/**
 * A trade's schedule notional on `date` (default today): an amortising or accreting leg's notional outstanding then,
 * an equity trade's shares at today's spot. The schedule IM projection (scheduleDim.ts) asks for future dates.
 */
export function scheduleNotional(trade: Trade, market: Market, date: DateSerial = market.asOf): { amount: number; currency: Currency } {
  switch (trade.product) {
    case 'IRS':
    case 'OIS':
      return { amount: outstandingNotional(trade.fixedLeg, date), currency: trade.fixedLeg.currency };
    case 'SWAPTION':
      return { amount: trade.fixedLeg.notional, currency: trade.fixedLeg.currency };
    case 'CAPFLOOR':
      return { amount: outstandingNotional(trade.floatLeg, date), currency: trade.floatLeg.currency };
    case 'XCCY':
    case 'BASIS':
      return { amount: outstandingNotional(trade.leg1, date), currency: trade.leg1.currency };
    case 'EQFWD':
    case 'EQOPT':
      return { amount: trade.quantity * market.equity(trade.underlying).spot, currency: trade.currency };
    default:
      return { amount: trade.notional, currency: trade.currency };
  }
}

/**
 * PV and Notional rows (USD) of the standardised schedule (BCBS-IOSCO Appendix A) for the chosen netting sets,
 * default those with `im_model = schedule`; `calculateScheduleIm` turns them into the schedule IM with the NGR.
 */
export function scheduleCrifFromPortfolio(portfolio: Portfolio, market: Market, nettingSetIds?: readonly string[]): CrifRecord[] {
  const ids = new Set(nettingSetIds ?? portfolio.nettingSets.filter((n) => n.imModel === 'schedule').map((n) => n.nettingSetId));
  const collateral = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  const out: CrifRecord[] = [];
  for (const trade of portfolio.trades) {
    // a trade that matured before today has no margin (xva validate warns that it is ignored); one maturing today
    // is still outstanding, as everywhere in xva
    if (!ids.has(trade.nettingSetId) || tradeMaturity(trade) < market.asOf) continue;
    const productClass = scheduleProductClass(trade);
    const common = { ...baseRecord(trade, productClass), imModel: 'Schedule' as const, bucket: '', label1: '', label2: '', qualifier: '', endDate: tradeMaturity(trade) };
    out.push({ ...common, riskType: 'PV', amount: tradeValueUsd(trade, market, collateral.get(trade.nettingSetId)) });
    const notional = scheduleNotional(trade, market);
    const toUsd = notional.currency === CALCULATION_CURRENCY ? 1 : market.fxSpot(notional.currency, CALCULATION_CURRENCY);
    out.push({ ...common, riskType: 'Notional', amount: Math.abs(notional.amount) * toUsd });
  }
  return out;
}

/** Writes CRIF records with the standard CRIF column names (CSV, or Parquet / Arrow by the file's extension). */
export function writeCrif(filePath: string, records: readonly CrifRecord[], parameters: SimmParameterFile = loadSimmParameterFile('2.6')): void {
  const ext = path.extname(filePath).toLowerCase();
  const format: OutputFormat = ext === '.parquet' || ext === '.pq' ? 'parquet' : ext === '.arrow' ? 'arrow' : 'csv';
  const col = (name: string, values: (string | number)[], type: 'utf8' | 'float64' = 'utf8') => ({ name, type, values });
  writeTable(
    filePath,
    {
      columns: [
        col('TradeID', records.map((r) => r.tradeId)),
        col('PortfolioID', records.map((r) => r.portfolioId)),
        col('ProductClass', records.map((r) => r.productClass)),
        col('RiskType', records.map((r) => r.riskType)),
        col('Qualifier', records.map((r) => r.qualifier)),
        // a Risk_IRCurve row's bucket is its currency's volatility group (1 regular, 2 low, 3 high), as the standard
        // CRIF carries it; the risk weight SIMM used came from that group
        col('Bucket', records.map((r) => (r.riskType === 'Risk_IRCurve' ? irCrifBucket(parameters, r.qualifier) : r.bucket))),
        col('Label1', records.map((r) => r.label1)),
        col('Label2', records.map((r) => r.label2)),
        // a record's amount is in USD (the reader converts an Amount in another currency at the market's spot, and
        // the portfolio's sensitivities are in USD), so Amount is written in USD too
        col('Amount', records.map((r) => r.amount), 'float64'),
        col('AmountCurrency', records.map(() => 'USD')),
        col('AmountUSD', records.map((r) => r.amount), 'float64'),
        col('IMModel', records.map((r) => r.imModel)),
        col('end_date', records.map((r) => (r.endDate === undefined ? '' : isoDate(r.endDate)))),
        // the regulations each row counts under, read back by `--crif` (absent when no row names any)
        ...(records.some((r) => r.collectRegulations.length > 0 || r.postRegulations.length > 0)
          ? [col('collect_regulations', records.map((r) => r.collectRegulations.join(','))), col('post_regulations', records.map((r) => r.postRegulations.join(',')))]
          : []),
      ],
    },
    format,
  );
}

function isoDate(serial: number): string {
  return new Date(serial * 86_400_000).toISOString().slice(0, 10);
}
