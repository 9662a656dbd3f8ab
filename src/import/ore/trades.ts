/**
 * ORE portfolio.xml → xva trade rows. Each `<Trade>` maps whole or not at all: a trade xva cannot represent is left
 * out and listed (trade id, ORE type, field, reason); fields only approximated are listed too.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import { CalendarYearsError } from '../../conventions/holidays.js';
import { mapCreditDefaultSwap, mapEquityForward, mapEquityOption, mapFxForward, mapFxOption, mapFxSwap } from './fxEquityCredit.js';
import type { TradeNotes } from './legs.js';
import { NETTING_SET_DETAILS_DROPPED, oreNettingSetId } from './netting.js';
import { mapCapFloor, mapCrossCurrencySwap, mapSwap, mapSwaption, type TradeFields } from './rates.js';
import { Unmappable, type ImportFinding } from './report.js';
import { emptyRow, TRADE_COLUMNS, type NotionalScheduleRow, type RateScheduleRow, type TradeRow } from './rows.js';
import { attribute, child, children, text, type XmlDocument, type XmlNode } from './xml.js';

/** `dataName`: the data element read (`data` or, when the trade has only that, `legacyData`). */
type Mapper = (data: XmlNode | undefined, notes: TradeNotes, dataName: string) => TradeFields;

/**
 * ORE TradeType → its data node and mapper. `legacyData`: the node read when the trade has no `data` node (ORE's
 * Swap::fromXML reads a `CrossCurrencySwap`'s `CrossCurrencySwapData`, else its `SwapData`).
 */
const MAPPERS: Record<string, { data: string; legacyData?: string; map: Mapper }> = {
  Swap: { data: 'SwapData', map: (d, notes) => mapSwap(d, notes, 'SwapData', 'Swap') },
  CrossCurrencySwap: { data: 'CrossCurrencySwapData', legacyData: 'SwapData', map: mapCrossCurrencySwap },
  Swaption: { data: 'SwaptionData', map: mapSwaption },
  CapFloor: { data: 'CapFloorData', map: mapCapFloor },
  FxForward: { data: 'FxForwardData', map: mapFxForward },
  FxSwap: { data: 'FxSwapData', map: (d) => mapFxSwap(d) },
  FxOption: { data: 'FxOptionData', map: mapFxOption },
  EquityForward: { data: 'EquityForwardData', map: (d) => mapEquityForward(d) },
  EquityOption: { data: 'EquityOptionData', map: mapEquityOption },
  CreditDefaultSwap: { data: 'CreditDefaultSwapData', map: mapCreditDefaultSwap },
};

export const SUPPORTED_ORE_TRADE_TYPES = Object.keys(MAPPERS);

export interface TradeImport {
  rows: TradeRow[];
  /** The notional_schedules rows of the mapped amortising swaps, swaptions and caps. */
  notionalSchedules: NotionalScheduleRow[];
  /** The rate_schedules rows of the mapped step-up swaps and swaptions and stepped caps and floors. */
  rateSchedules: RateScheduleRow[];
  findings: ImportFinding[];
  tradesRead: number;
  /** Counterparty and netting set of each mapped trade, in file order. */
  references: { tradeId: string; counterpartyId: string; nettingSetId: string; defaultedNettingSet: boolean; line?: number }[];
}

/** Netting set given to a trade ORE leaves outside any netting set (it then nets with nothing). */
export function ownNettingSetId(tradeId: string): string {
  return `UNNETTED_${tradeId}`;
}

export function importTrades(doc: XmlDocument): TradeImport {
  const result: TradeImport = { rows: [], notionalSchedules: [], rateSchedules: [], findings: [], tradesRead: 0, references: [] };
  const seen = new Map<string, number | undefined>();
  const duplicates: InputIssue[] = [];

  for (const trade of children(doc.root, 'Trade')) {
    result.tradesRead++;
    const line = doc.lineOf(trade);
    const tradeId = attribute(trade, 'id') ?? text(child(trade, 'Envelope'), 'Id');
    const oreTradeType = text(trade, 'TradeType');
    const at = { file: doc.file, ...(line !== undefined ? { line } : {}) };
    if (tradeId === undefined) {
      result.findings.push({ kind: 'unmapped_trade', ...at, oreTradeType, field: 'Trade/@id', reason: 'the trade has no id' });
      continue;
    }
    if (seen.has(tradeId)) {
      const first = seen.get(tradeId);
      duplicates.push({
        file: doc.file,
        ...(line !== undefined ? { row: line } : {}),
        column: 'Trade/@id',
        value: tradeId,
        expected: `a unique trade id (already used by the trade${first !== undefined ? ` on line ${first}` : ''})`,
      });
      continue;
    }
    seen.set(tradeId, line);
    const subject = { ...at, tradeId, ...(oreTradeType !== undefined ? { oreTradeType } : {}) };
    const pending: ImportFinding[] = [];
    const schedule: NotionalScheduleRow[] = [];
    const rateSchedule: RateScheduleRow[] = [];
    const notes: TradeNotes = {
      notionalSchedule: (steps) => schedule.push(...steps.map((s) => ({ trade_id: tradeId, from_date: s.fromDate, notional: s.notional }))),
      rateSchedule: (steps) => rateSchedule.push(...steps.map((s) => ({ trade_id: tradeId, from_date: s.fromDate, rate: s.rate }))),
      approximate: (field, value, reason) => pending.push({ kind: 'approximated', ...subject, field, ...(value !== undefined ? { value } : {}), reason }),
      drop: (field, value, reason) => pending.push({ kind: 'unmapped_field', ...subject, field, ...(value !== undefined ? { value } : {}), reason }),
    };
    try {
      const envelope = child(trade, 'Envelope');
      const counterpartyId = text(envelope, 'CounterParty');
      if (counterpartyId === undefined) throw new Unmappable('Envelope/CounterParty', undefined, 'the trade names no counterparty');
      if (oreTradeType === undefined) throw new Unmappable('TradeType', undefined, 'the trade has no TradeType');
      const mapper = MAPPERS[oreTradeType];
      if (mapper === undefined)
        throw new Unmappable('TradeType', oreTradeType, `trade type not supported by xva (supported: ${SUPPORTED_ORE_TRADE_TYPES.join(', ')})`);
      const dataName =
        mapper.legacyData !== undefined && child(trade, mapper.data) === undefined && child(trade, mapper.legacyData) !== undefined ? mapper.legacyData : mapper.data;
      const fields = mapper.map(child(trade, dataName), notes, dataName);
      // ORE's Envelope::fromXML: NettingSetDetails (newer ORE) when given, else NettingSetId
      const details = oreNettingSetId(envelope);
      let nettingSetId = details.id;
      for (const o of details.others) pending.push({ kind: 'unmapped_field', ...subject, field: `Envelope/${o.field}`, value: o.value, reason: NETTING_SET_DETAILS_DROPPED });
      const defaultedNettingSet = nettingSetId === undefined;
      if (nettingSetId === undefined) {
        nettingSetId = ownNettingSetId(tradeId);
        pending.push({
          kind: 'defaulted',
          ...subject,
          field: 'Envelope/NettingSetId',
          reason: `no netting set: the trade nets with nothing, so it gets its own uncollateralised netting set ${nettingSetId}`,
        });
      }
      const row: TradeRow = { ...emptyRow(TRADE_COLUMNS), ...fields, trade_id: tradeId, counterparty_id: counterpartyId, netting_set_id: nettingSetId };
      result.rows.push(row);
      result.notionalSchedules.push(...schedule);
      result.rateSchedules.push(...rateSchedule);
      result.references.push({ tradeId, counterpartyId, nettingSetId, defaultedNettingSet, ...(line !== undefined ? { line } : {}) });
      result.findings.push(...pending);
    } catch (err) {
      if (err instanceof CalendarYearsError) {
        // a date beyond the leg's start and end (parseLeg checks those), e.g. an exercise or notice date, a date rolled
        // into the next year or paid late, asked of a calendar outside its years: the trade is left out, not the import
        result.findings.push({
          kind: 'unmapped_trade',
          ...subject,
          field: 'Calendar',
          value: err.calendar,
          reason: `a date of the trade is in ${err.year}, and ${err.message}: xva cannot roll the trade's dates on it`,
        });
        continue;
      }
      if (!(err instanceof Unmappable)) throw err;
      result.findings.push({
        kind: 'unmapped_trade',
        ...subject,
        ...(err.field !== undefined ? { field: err.field } : {}),
        ...(err.value !== undefined ? { value: err.value } : {}),
        reason: err.message,
      });
    }
  }
  if (duplicates.length > 0) throw new XvaInputError(duplicates);
  return result;
}
