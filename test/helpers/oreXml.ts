/** Small pieces shared by the ORE import tests: a portfolio document around trade XML, and the import's findings. */
import type { ImportFinding, OreImportResult } from '../../src/import/ore/index.js';

/** An ORE portfolio.xml holding `trades` (each a `<Trade>` element). */
export function portfolio(...trades: string[]): string {
  return `<?xml version="1.0"?>\n<Portfolio>\n${trades.join('\n')}\n</Portfolio>\n`;
}

/** The trades the import left out (one finding each). */
export const unmapped = (findings: ImportFinding[]): ImportFinding[] => findings.filter((f) => f.kind === 'unmapped_trade');

/** The written trades table's column names. */
export const columnNames = (result: OreImportResult): string[] => result.tables.trades.columns.map((c) => c.name);

/**
 * `FixingDays` as ORE's examples write it for a floating leg on `index`: 0 on an overnight index (ORE's OIS examples
 * and fixtures/ore/portfolio.xml: each daily rate fixed on its own day; a non-zero one fixes it that many business
 * days earlier, a lookback the import maps to float_lookback_days), 2 on a term index (its IBOR fixing lag). The
 * overnight names are ORE's spellings, written out here rather than taken from the import's index table.
 */
export function fixingDaysFor(index: string): string {
  return /^[A-Z]{3}-(SOFR|FedFunds|ESTR|ESTER|EONIA|SONIA|TONAR|SARON|CORRA|AONIA)$/i.test(index) ? '0' : '2';
}

/**
 * One ORE `LegData`, as the Swap / CrossCurrencySwap / Swaption / CapFloor tests write it (the lookback, payment lag,
 * cross-currency and FX reset tests): from 2023-01-27, A360, MF, generated forwards, `Notionals/Exchanges` always
 * written. Every optional element is written only when given; each test file's thin `leg` wrapper sets its own defaults
 * (index, tenor, calendar, exchanges, `IsInArrears` / `FixingDays`).
 */
export interface OreLeg {
  currency: string;
  payer: boolean;
  /** Default Floating. */
  type?: 'Floating' | 'Fixed';
  /** The `Notional` values (empty: no Notional element); default one, 100m. */
  notionals?: string[];
  /** Inner XML of `Notionals/FXReset`; absent: none. */
  fxReset?: string;
  initialExchange: boolean;
  finalExchange: boolean;
  /** `PaymentLag`, `PaymentCalendar`, `NotionalPaymentLag` as written; absent: no element. */
  paymentLag?: string;
  paymentCalendar?: string;
  notionalPaymentLag?: string;
  /** Floating legs (required there): `Index`; the rest as written, absent: no element. `Spread` is always 0.0. */
  index?: string;
  isInArrears?: string;
  fixingDays?: string;
  lookback?: string;
  observationShift?: string;
  rateCutoff?: string;
  /** Fixed legs: the `Rate` values; default 0.03. */
  rates?: string[];
  /** Default 2033-01-27. */
  end?: string;
  tenor: string;
  calendar: string;
}

/** The `LegData` element of `l` (see OreLeg). */
export function oreLeg(l: OreLeg): string {
  const type = l.type ?? 'Floating';
  const optional = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${value}</${name}>`);
  const list = (name: string, values: string[]) => values.map((v) => `<${name}>${v}</${name}>`).join('');
  if (type === 'Floating' && l.index === undefined) throw new Error('oreLeg: a floating leg needs an index');
  const data =
    type === 'Floating'
      ? `<FloatingLegData><Index>${l.index}</Index><Spreads><Spread>0.0</Spread></Spreads>${optional('IsInArrears', l.isInArrears)}${optional('FixingDays', l.fixingDays)}${optional('Lookback', l.lookback)}${optional('ObservationShift', l.observationShift)}${optional('RateCutoff', l.rateCutoff)}</FloatingLegData>`
      : `<FixedLegData><Rates>${list('Rate', l.rates ?? ['0.03'])}</Rates></FixedLegData>`;
  return `<LegData><LegType>${type}</LegType><Payer>${l.payer}</Payer><Currency>${l.currency}</Currency>
    <Notionals>${list('Notional', l.notionals ?? ['100000000'])}${optional('FXReset', l.fxReset)}
      <Exchanges><NotionalInitialExchange>${l.initialExchange}</NotionalInitialExchange><NotionalFinalExchange>${l.finalExchange}</NotionalFinalExchange></Exchanges></Notionals>
    <DayCounter>A360</DayCounter><PaymentConvention>MF</PaymentConvention>${optional('PaymentLag', l.paymentLag)}${optional('PaymentCalendar', l.paymentCalendar)}${optional('NotionalPaymentLag', l.notionalPaymentLag)}${data}
    <ScheduleData><Rules><StartDate>2023-01-27</StartDate><EndDate>${l.end ?? '2033-01-27'}</EndDate><Tenor>${l.tenor}</Tenor><Calendar>${l.calendar}</Calendar>
      <Convention>MF</Convention><Rule>Forward</Rule></Rules></ScheduleData></LegData>`;
}
