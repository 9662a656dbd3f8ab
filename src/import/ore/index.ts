/**
 * `importOre`: ORE portfolio, netting-set and counterparty XML → xva's trades, counterparties, netting_sets,
 * eligible_collateral, notional_schedules and rate_schedules tables (docs/import-ore.md), with a report of everything not carried over exactly. Pure: text
 * in, rows out; `writeOreImport` (write.ts) puts them in a portfolio folder.
 */
import type { Region } from '../../portfolio/types.js';
import type { Currency } from '../../products/types.js';
import { defaultCounterparty, importCounterparties } from './counterparties.js';
import { defaultNettingSet, importNettingSets } from './netting.js';
import type { ImportFinding, ImportReport } from './report.js';
import {
  COUNTERPARTY_COLUMNS,
  ELIGIBLE_COLLATERAL_COLUMNS,
  EXERCISE_COLUMN,
  FX_RESET_COLUMN,
  NETTING_SET_COLUMNS,
  NOTIONAL_SCHEDULE_COLUMNS,
  OVERNIGHT_COMPOUNDING_COLUMNS,
  PAYMENT_LAG_COLUMN,
  TRADE_DATE_COLUMN,
  RATE_SCHEDULE_COLUMNS,
  toColumnTable,
  TRADE_COLUMNS,
  type ColumnTable,
  type CounterpartyRow,
  type EligibleCollateralRow,
  type NettingSetRow,
  type NotionalScheduleRow,
  type RateScheduleRow,
  type TradeRow,
} from './rows.js';
import { importTrades } from './trades.js';
import { parseXml } from './xml.js';

export interface ImportOreOptions {
  /** Text of ORE's portfolio XML (root `<Portfolio>`). */
  portfolioXml: string;
  /** Text of ORE's netting set definitions (root `<NettingSetDefinitions>`). */
  nettingXml?: string;
  /** Text of ORE's counterparty information (root `<CounterpartyInformation>`). */
  counterpartyXml?: string;
  /** File names for messages. Defaults: portfolio.xml, netting.xml, counterparty.xml. */
  files?: { portfolio?: string; netting?: string; counterparties?: string };
  /** Region of every counterparty (ORE has none). Default `europe`. */
  region?: Region;
  /** Collateral currency of netting sets whose CSA names none; blank (= the market's base currency) when absent. */
  baseCurrency?: Currency;
}

export interface OreImportRows {
  trades: TradeRow[];
  counterparties: CounterpartyRow[];
  nettingSets: NettingSetRow[];
  eligibleCollateral: EligibleCollateralRow[];
  /** The explicit notional steps of amortising swaps (docs/inputs.md notional_schedules). */
  notionalSchedules: NotionalScheduleRow[];
  /** The steps of step-up fixed rates and stepped cap/floor strikes (docs/inputs.md rate_schedules). */
  rateSchedules: RateScheduleRow[];
}

export interface OreImportTables {
  trades: ColumnTable;
  counterparties: ColumnTable;
  netting_sets: ColumnTable;
  /** Present when some CSA lists eligible collateral. */
  eligible_collateral?: ColumnTable;
  /** Present when some swap amortises. */
  notional_schedules?: ColumnTable;
  /** Present when some fixed rate or cap/floor strike steps. */
  rate_schedules?: ColumnTable;
}

export interface OreImportResult {
  rows: OreImportRows;
  tables: OreImportTables;
  report: ImportReport;
}

/**
 * Converts ORE XML to xva rows. Throws XvaInputError (file, line) for malformed XML, a wrong root element, duplicate
 * ids and unreadable netting-set or counterparty values; trades xva cannot represent are left out and reported.
 */
export function importOre(options: ImportOreOptions): OreImportResult {
  const files = {
    portfolio: options.files?.portfolio ?? 'portfolio.xml',
    netting: options.files?.netting ?? 'netting.xml',
    counterparties: options.files?.counterparties ?? 'counterparty.xml',
  };
  const region = options.region ?? 'europe';
  const portfolioDoc = parseXml(options.portfolioXml, files.portfolio, 'Portfolio');
  const nettingDoc = options.nettingXml !== undefined ? parseXml(options.nettingXml, files.netting, 'NettingSetDefinitions') : undefined;
  const cpDoc =
    options.counterpartyXml !== undefined ? parseXml(options.counterpartyXml, files.counterparties, 'CounterpartyInformation') : undefined;

  const trades = importTrades(portfolioDoc);
  const cps = importCounterparties(cpDoc, region);
  const ns = importNettingSets(nettingDoc, options.baseCurrency);
  const findings: ImportFinding[] = [...trades.findings];

  // a netting set belongs to one counterparty: the first trade's; trades of another counterparty in it are left out
  const owner = new Map<string, { counterpartyId: string; tradeId: string }>();
  const dropped = new Set<string>();
  for (const ref of trades.references) {
    const o = owner.get(ref.nettingSetId);
    if (o === undefined) owner.set(ref.nettingSetId, { counterpartyId: ref.counterpartyId, tradeId: ref.tradeId });
    else if (o.counterpartyId !== ref.counterpartyId) {
      dropped.add(ref.tradeId);
      const row = trades.rows.find((r) => r.trade_id === ref.tradeId)!;
      findings.push({
        kind: 'unmapped_trade',
        file: files.portfolio,
        ...(ref.line !== undefined ? { line: ref.line } : {}),
        tradeId: ref.tradeId,
        field: 'Envelope/NettingSetId',
        value: ref.nettingSetId,
        reason: `netting set ${ref.nettingSetId} belongs to counterparty ${o.counterpartyId} (trade ${o.tradeId}), not ${row.counterparty_id}; an xva netting set has one counterparty`,
      });
    }
  }
  const tradeRows = trades.rows.filter((r) => !dropped.has(r.trade_id as string));

  // netting sets: those of netting.xml, then those only trades name (uncollateralised)
  const nettingSets: NettingSetRow[] = [];
  let nettingSetsDefaulted = 0;
  for (const [id, row] of ns.rows) {
    const o = owner.get(id);
    if (o !== undefined) row.counterparty_id = o.counterpartyId;
    else {
      row.counterparty_id = id;
      findings.push({
        kind: 'defaulted',
        file: files.netting,
        nettingSetId: id,
        field: 'counterparty_id',
        value: id,
        reason: 'no mapped trade is in this netting set, so its counterparty is unknown: the netting set id is used as counterparty id',
      });
    }
    nettingSets.push(row);
  }
  for (const ref of trades.references) {
    if (dropped.has(ref.tradeId) || ns.rows.has(ref.nettingSetId) || nettingSets.some((n) => n.netting_set_id === ref.nettingSetId)) continue;
    nettingSets.push(defaultNettingSet(ref.nettingSetId, ref.counterpartyId, options.baseCurrency));
    nettingSetsDefaulted++;
    if (!ref.defaultedNettingSet) {
      findings.push({
        kind: 'defaulted',
        file: nettingDoc ? files.netting : files.portfolio,
        nettingSetId: ref.nettingSetId,
        reason: `trades use this netting set but ${nettingDoc ? `${files.netting} does not define it` : 'no netting file was given'}: it is taken as uncollateralised (csa false)`,
      });
    }
  }

  // counterparties: those of counterparty.xml, then those named only by trades or netting sets
  const counterparties: CounterpartyRow[] = [...cps.rows.values()];
  let counterpartiesDefaulted = 0;
  for (const ns of nettingSets) {
    const id = ns.counterparty_id as string;
    if (cps.rows.has(id) || counterparties.some((c) => c.counterparty_id === id)) continue;
    counterparties.push(defaultCounterparty(id, region));
    counterpartiesDefaulted++;
    findings.push({
      kind: 'defaulted',
      file: cpDoc ? files.counterparties : files.portfolio,
      counterpartyId: id,
      reason: `${cpDoc ? `not in ${files.counterparties}` : 'no counterparty file was given'}: sector other, rating NR, region ${region}`,
    });
  }
  // a clearing counterparty's netting sets are cleared through it
  for (const n of nettingSets) {
    if (cps.clearing.has(n.counterparty_id as string)) {
      n.cleared = true;
      n.ccp = n.counterparty_id;
    }
  }

  findings.push(...cps.findings, ...ns.findings);
  // cds_curve stays blank, so that a market without a curve per counterparty (fixtures/demo's) still serves the book
  // through its credit.proxies (README: an imported book on the demo market); the note says what to fill
  if (counterparties.length > 0)
    findings.push({
      kind: 'defaulted',
      file: cpDoc ? files.counterparties : files.portfolio,
      field: 'cds_curve',
      reason:
        "left blank on every counterparty: xva takes its survival from the market file's credit.proxies (sector × rating × region); ORE keys a counterparty's default curve by its CounterpartyId, so where the market file has that curve as credit.names.<CounterpartyId>, write the id in the counterparties table's cds_curve column",
    });
  findings.push({
    kind: 'defaulted',
    file: cpDoc ? files.counterparties : files.portfolio,
    field: 'region',
    value: region,
    reason: 'ORE has no counterparty region: every counterparty gets the --region value',
  });

  const kept = new Set(tradeRows.map((r) => r.trade_id));
  const notionalSchedules = trades.notionalSchedules.filter((r) => kept.has(r.trade_id));
  const rateSchedules = trades.rateSchedules.filter((r) => kept.has(r.trade_id));
  const rows: OreImportRows = { trades: tradeRows, counterparties, nettingSets, eligibleCollateral: ns.eligible, notionalSchedules, rateSchedules };
  const metadata = { source: 'ORE import (xva import ore)' };
  // the amortization, float_gearing and leg-2 convention columns only when a trade needs them (an amortising swap, a
  // geared leg, a basis swap), so that other imports keep the columns they had
  const optional = new Set<string>(['amortization', 'float_gearing', 'float_frequency2', 'float_day_count2']);
  const used = (name: string) => rows.trades.some((r) => (r as Record<string, unknown>)[name] !== null);
  // likewise `exercise`, only when a swaption is Bermudan (the key is on its rows only)
  const bermudan = rows.trades.some((r) => r.exercise === 'bermudan');
  // `payment_lag_days`, only when a swap pays late
  const lagged = rows.trades.some((r) => (r.payment_lag_days ?? 0) > 0);
  // the overnight legs' `float_lookback_days`, `float_observation_shift` and `float_lockout_days`, only when a swap
  // looks back or locks out
  const compounding = rows.trades.some((r) => (r.float_lookback_days ?? 0) > 0 || (r.float_lockout_days ?? 0) > 0);
  // and `fx_reset`, only when a cross-currency swap resets; `trade_date`, only when a CDS has one
  const resetting = rows.trades.some((r) => r.fx_reset !== undefined);
  const dated = rows.trades.some((r) => r.trade_date !== undefined);
  const tradeColumns = [
    ...TRADE_COLUMNS.filter((c) => !optional.has(c.name) || used(c.name)),
    ...(bermudan ? [EXERCISE_COLUMN] : []),
    ...(lagged ? [PAYMENT_LAG_COLUMN] : []),
    ...(compounding ? OVERNIGHT_COMPOUNDING_COLUMNS : []),
    ...(resetting ? [FX_RESET_COLUMN] : []),
    ...(dated ? [TRADE_DATE_COLUMN] : []),
  ];
  const tables: OreImportTables = {
    trades: toColumnTable(tradeColumns, rows.trades, metadata),
    counterparties: toColumnTable(COUNTERPARTY_COLUMNS, rows.counterparties, metadata),
    netting_sets: toColumnTable(NETTING_SET_COLUMNS, rows.nettingSets, metadata),
  };
  if (rows.eligibleCollateral.length > 0) tables.eligible_collateral = toColumnTable(ELIGIBLE_COLLATERAL_COLUMNS, rows.eligibleCollateral, metadata);
  if (rows.notionalSchedules.length > 0) tables.notional_schedules = toColumnTable(NOTIONAL_SCHEDULE_COLUMNS, rows.notionalSchedules, metadata);
  if (rows.rateSchedules.length > 0) tables.rate_schedules = toColumnTable(RATE_SCHEDULE_COLUMNS, rows.rateSchedules, metadata);

  const tradesUnmapped = findings.filter((f) => f.kind === 'unmapped_trade').length;
  const report: ImportReport = {
    sources: {
      portfolio: files.portfolio,
      ...(nettingDoc ? { netting: files.netting } : {}),
      ...(cpDoc ? { counterparties: files.counterparties } : {}),
    },
    counts: {
      tradesRead: trades.tradesRead,
      tradesMapped: rows.trades.length,
      tradesUnmapped,
      counterparties: counterparties.length,
      counterpartiesDefaulted,
      nettingSets: nettingSets.length,
      nettingSetsDefaulted,
      eligibleCollateral: rows.eligibleCollateral.length,
    },
    findings,
  };
  return { rows, tables, report };
}

export { formatFinding, type ImportFinding, type ImportReport, type FindingKind } from './report.js';
export { SUPPORTED_ORE_TRADE_TYPES } from './trades.js';
