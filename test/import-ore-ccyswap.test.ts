/**
 * `xva import ore` of ORE's `CrossCurrencySwap` trade type (docs/import-ore.md): a `CrossCurrencySwapData` holding
 * the same `LegData` children as a `Swap`'s `SwapData` maps exactly as the two-currency `Swap` does (an XCCY row,
 * `fx_reset` for a resetting leg, the same findings and the same refusals, their fields named under
 * `CrossCurrencySwapData`); one whose legs are in one currency is left out, as ORE refuses it.
 * References independent of the code: ORE's own trades (Examples/Products/Example_Trades/
 * IRFX_Cross_Currency_Swap_non_rebalancing.xml: pay EUR 30m EURIBOR 6M TARGET against USD 33.9m LIBOR 3M UK;
 * IRFX_Cross_Currency_Swap_rebalancing.xml: receive USD 100m against EUR 88,312,931.57 resetting to USD 100m on
 * FX-TR20H-EUR-USD), each given there both as `CrossCurrencySwap` and as `Swap`; ORE's CrossCurrencySwap is a Swap
 * (OREData/ored/portfolio/crosscurrencyswap.cpp) whose build requires two currencies (checkCrossCurrencySwap:
 * "Cross currency swap legs must have different currencies") and whose fromXML reads `CrossCurrencySwapData`, else
 * `SwapData` (swap.cpp, Swap::fromXML). Expected values below are read off the XML by eye.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { formatFinding, importOre, SUPPORTED_ORE_TRADE_TYPES, type ImportFinding, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { CrossCurrencySwap, Trade } from '../src/products/types.js';
import { fixingDaysFor, oreLeg, portfolio, unmapped } from './helpers/oreXml.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  currency: 'USD' | 'EUR';
  payer: boolean;
  /** Default Floating. */
  type?: 'Floating' | 'Fixed';
  /** Default one, 100m. */
  notionals?: string[];
  /** Fixed legs: the `Rate` values; default 0.03. */
  rates?: string[];
  /** Floating legs; default the currency's 6M index. */
  index?: string;
  /** Default 6M. */
  tenor?: string;
  /** Default TARGET. */
  calendar?: string;
  /** Inner XML of `Notionals/FXReset`; absent: none. */
  fxReset?: string;
  /** Default both true. */
  initialExchange?: boolean;
  finalExchange?: boolean;
}

const INDEX = { USD: 'USD-LIBOR-6M', EUR: 'EUR-EURIBOR-6M' } as const;

/**
 * A leg of every swap below: 2023-01-27 to 2033-01-27, A360, MF, generated forwards (ORE's rebalancing example's;
 * helpers/oreXml.ts's oreLeg).
 */
function leg(l: Leg): string {
  const index = l.index ?? INDEX[l.currency];
  return oreLeg({
    ...l,
    index,
    isInArrears: 'false',
    fixingDays: fixingDaysFor(index),
    tenor: l.tenor ?? '6M',
    calendar: l.calendar ?? 'TARGET',
    initialExchange: l.initialExchange ?? true,
    finalExchange: l.finalExchange ?? true,
  });
}

/** A trade of the given type whose legs sit in `dataName` (default: the type's own, `<TradeType>Data`). */
function trade(type: 'Swap' | 'CrossCurrencySwap', id: string, leg1: Leg, leg2: Leg, dataName = `${type}Data`): string {
  return `<Trade id="${id}"><TradeType>${type}</TradeType><Envelope><CounterParty>CPTY</CounterParty><NettingSetId>NS</NettingSetId></Envelope>
  <${dataName}>${leg(leg1)}${leg(leg2)}</${dataName}></Trade>`;
}
const ccs = (id: string, leg1: Leg, leg2: Leg, dataName?: string) => trade('CrossCurrencySwap', id, leg1, leg2, dataName);
const swap = (id: string, leg1: Leg, leg2: Leg) => trade('Swap', id, leg1, leg2);

/** Pay USD 100m LIBOR 6M on the US calendar (approximated: USNY), receive EUR 90m fixed 3% annual (TARGET). */
const FIX_FLOAT: [Leg, Leg] = [
  { currency: 'USD', payer: true, calendar: 'US' },
  { currency: 'EUR', payer: false, type: 'Fixed', notionals: ['90000000'], tenor: '1Y' },
];
/** ORE's non-rebalancing example: pay EUR 30m EURIBOR 6M (TARGET), receive USD 33.9m LIBOR 3M (UK). */
const FLOAT_FLOAT: [Leg, Leg] = [
  { currency: 'EUR', payer: true, notionals: ['30000000'] },
  { currency: 'USD', payer: false, notionals: ['33900000'], index: 'USD-LIBOR-3M', tenor: '3M', calendar: 'UK' },
];
/** ORE's FXReset of the EUR leg of its rebalancing example: resets to USD 100m. */
const EUR_TO_USD = '<ForeignCurrency>USD</ForeignCurrency><ForeignAmount>100000000</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>';
/** ORE's rebalancing example: receive USD 100m LIBOR 6M (leg 1), pay EUR 88,312,931.57 EURIBOR 6M resetting (leg 2). */
const RESETTING: [Leg, Leg] = [
  { currency: 'USD', payer: false },
  { currency: 'EUR', payer: true, notionals: ['88312931.57'], fxReset: EUR_TO_USD },
];

const rowOf = (result: OreImportResult, id: string) => result.rows.trades.find((r) => r.trade_id === id);

/** A trade's findings without what names the trade or its element (id, type, line, the data element of the field). */
function findingsOf(result: OreImportResult, id: string) {
  return result.report.findings
    .filter((f) => f.tradeId === id)
    .map(({ kind, field, value, reason }) => ({ kind, field: field?.replace(/^(CrossCurrencySwapData|SwapData)\//, 'DATA/'), value, reason }));
}

async function writtenAndLoaded(result: OreImportResult, label: string): Promise<Trade[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-ccyswap-${label}-`));
  temps.push(dir);
  writeOreImport(dir, result, 'csv');
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'EUR' });
  expect(issues.issues).toEqual([]);
  return book.trades;
}

function loadedXccy(trades: Trade[], id: string): CrossCurrencySwap {
  const t = trades.find((x) => x.tradeId === id);
  if (t?.product !== 'XCCY') throw new Error(`test: ${id} is not a loaded XCCY`);
  return t;
}

describe('ORE CrossCurrencySwap → the XCCY row of the same legs as a Swap', () => {
  const result = importOre({
    portfolioXml: portfolio(
      ccs('CCS_FIXFLOAT', ...FIX_FLOAT),
      swap('SWAP_FIXFLOAT', ...FIX_FLOAT),
      ccs('CCS_FLOATFLOAT', ...FLOAT_FLOAT),
      swap('SWAP_FLOATFLOAT', ...FLOAT_FLOAT),
      ccs('CCS_RESET', ...RESETTING),
      swap('SWAP_RESET', ...RESETTING),
    ),
  });

  it('maps all six; CrossCurrencySwap is a supported trade type', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => r.trade_id)).toEqual(['CCS_FIXFLOAT', 'SWAP_FIXFLOAT', 'CCS_FLOATFLOAT', 'SWAP_FLOATFLOAT', 'CCS_RESET', 'SWAP_RESET']);
    expect(SUPPORTED_ORE_TRADE_TYPES).toContain('CrossCurrencySwap');
  });

  it('fixed/float: pay the floating USD leg 1, receive the fixed EUR leg 2; the same row as the Swap', () => {
    expect(rowOf(result, 'CCS_FIXFLOAT')).toMatchObject({
      product: 'XCCY',
      direction: 'pay',
      currency: 'USD',
      notional: 100_000_000,
      currency2: 'EUR',
      notional2: 90_000_000,
      float_index: 'USD-LIBOR-6M',
      float_frequency: '6M',
      fixed_rate2: 0.03,
      fixed_frequency: '1Y',
      start_date: fromYmd(2023, 1, 27),
      maturity_date: fromYmd(2033, 1, 27),
      notional_exchange: 'both',
    });
    expect('fx_reset' in rowOf(result, 'CCS_FIXFLOAT')!).toBe(false);
    expect({ ...rowOf(result, 'CCS_FIXFLOAT'), trade_id: 'X' }).toEqual({ ...rowOf(result, 'SWAP_FIXFLOAT'), trade_id: 'X' });
  });

  it("float/float (ORE's example): leg 2 keeps its own tenor (float_frequency2); the same row as the Swap", () => {
    expect(rowOf(result, 'CCS_FLOATFLOAT')).toMatchObject({
      product: 'XCCY',
      direction: 'pay',
      currency: 'EUR',
      notional: 30_000_000,
      currency2: 'USD',
      notional2: 33_900_000,
      float_index: 'EUR-EURIBOR-6M',
      float_frequency: '6M',
      float_index2: 'USD-LIBOR-3M',
      float_frequency2: '3M',
      calendar: 'GBLO+TARGET',
      notional_exchange: 'both',
    });
    expect({ ...rowOf(result, 'CCS_FLOATFLOAT'), trade_id: 'X' }).toEqual({ ...rowOf(result, 'SWAP_FLOATFLOAT'), trade_id: 'X' });
  });

  it("resetting (ORE's rebalancing example): fx_reset leg2, the same row as the Swap", () => {
    expect(rowOf(result, 'CCS_RESET')).toMatchObject({
      product: 'XCCY',
      direction: 'receive',
      currency: 'USD',
      notional: 100_000_000,
      currency2: 'EUR',
      notional2: 88_312_931.57,
      notional_exchange: 'both',
      fx_reset: 'leg2',
    });
    expect({ ...rowOf(result, 'CCS_RESET'), trade_id: 'X' }).toEqual({ ...rowOf(result, 'SWAP_RESET'), trade_id: 'X' });
    expect(result.tables.trades.columns.find((c) => c.name === 'fx_reset')?.values).toEqual([null, null, null, null, 'leg2', 'leg2']);
  });

  it('the same findings as the Swap, their fields named under CrossCurrencySwapData and their type CrossCurrencySwap', () => {
    for (const [a, b] of [
      ['CCS_FIXFLOAT', 'SWAP_FIXFLOAT'],
      ['CCS_FLOATFLOAT', 'SWAP_FLOATFLOAT'],
      ['CCS_RESET', 'SWAP_RESET'],
    ] as const) {
      expect(findingsOf(result, a).length).toBeGreaterThan(0);
      expect(findingsOf(result, a)).toEqual(findingsOf(result, b));
    }
    const reset = result.report.findings.filter((f) => f.tradeId === 'CCS_RESET' && f.field?.includes('FXReset'));
    expect(reset.map((f) => [f.kind, f.oreTradeType, f.field, f.value])).toEqual([
      ['approximated', 'CrossCurrencySwap', 'CrossCurrencySwapData/LegData[2]/Notionals/FXReset/FXIndex', 'FX-TR20H-EUR-USD'],
    ]);
    // the US calendar of the fixed/float swap's leg 1, under its own element
    expect(result.report.findings.some((f) => f.tradeId === 'CCS_FIXFLOAT' && f.field === 'CrossCurrencySwapData/LegData[1]/ScheduleData/Rules/Calendar')).toBe(true);
  });

  it('written and loaded: XCCY trades as the engine reads them', async () => {
    const trades = await writtenAndLoaded(result, 'mapped');
    const fixFloat = loadedXccy(trades, 'CCS_FIXFLOAT');
    expect([fixFloat.leg1.kind, fixFloat.leg1.currency, fixFloat.leg2.kind, fixFloat.leg2.currency, fixFloat.fxReset]).toEqual(['float', 'USD', 'fixed', 'EUR', undefined]);
    const reset = loadedXccy(trades, 'CCS_RESET');
    expect([reset.fxReset, reset.leg1.notional, reset.leg2.notional, reset.initialExchange, reset.finalExchange]).toEqual(['leg2', 100_000_000, 88_312_931.57, true, true]);
  });
});

describe("a CrossCurrencySwap's legs in a SwapData (ORE reads it when CrossCurrencySwapData is absent)", () => {
  const result = importOre({ portfolioXml: portfolio(ccs('CCS_IN_SWAPDATA', ...RESETTING, 'SwapData'), swap('SWAP_RESET', ...RESETTING)) });

  it('maps as the Swap, its findings named under SwapData', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect({ ...rowOf(result, 'CCS_IN_SWAPDATA'), trade_id: 'X' }).toEqual({ ...rowOf(result, 'SWAP_RESET'), trade_id: 'X' });
    expect(result.report.findings.filter((f) => f.tradeId === 'CCS_IN_SWAPDATA').map((f) => f.field)).toEqual(
      result.report.findings.filter((f) => f.tradeId === 'SWAP_RESET').map((f) => f.field),
    );
  });
});

describe('CrossCurrencySwaps xva cannot hold are left out with the field, the value and the reason', () => {
  const usd = (l: Partial<Leg> = {}): Leg => ({ currency: 'USD', payer: false, ...l });
  const eur = (l: Partial<Leg> = {}): Leg => ({ currency: 'EUR', payer: true, notionals: ['88312931.57'], ...l });
  const ONE_CCY_REASON =
    'both legs are in EUR; a CrossCurrencySwap has legs in two currencies (ORE refuses one currency unless a leg is non-deliverable, ' +
    'with Indexings or an index in another currency, which xva does not map): give a single-currency swap as TradeType Swap';
  const cases: [id: string, trade: string, field: string, value: string | undefined, reason: string][] = [
    [
      'ONE_CCY',
      ccs('ONE_CCY', { currency: 'EUR', payer: false, type: 'Fixed', tenor: '1Y', initialExchange: false, finalExchange: false }, eur({ notionals: ['100000000'], initialExchange: false, finalExchange: false })),
      'CrossCurrencySwapData/LegData[2]/Currency',
      'EUR',
      ONE_CCY_REASON,
    ],
    [
      // the one-currency reason first, before the reset's
      'ONE_CCY_RESET',
      ccs('ONE_CCY_RESET', { currency: 'EUR', payer: false, notionals: ['88312931.57'] }, eur({ fxReset: EUR_TO_USD })),
      'CrossCurrencySwapData/LegData[2]/Currency',
      'EUR',
      ONE_CCY_REASON,
    ],
    // the Swap's checks, under CrossCurrencySwapData
    [
      'FIXED_RESET',
      ccs('FIXED_RESET', usd(), eur({ type: 'Fixed', fxReset: EUR_TO_USD })),
      'CrossCurrencySwapData/LegData[2]/LegType',
      'Fixed',
      'a resetting fixed leg is not supported by xva (it resets floating legs only)',
    ],
    [
      'OTHER_AMOUNT',
      ccs('OTHER_AMOUNT', usd(), eur({ fxReset: EUR_TO_USD.replace('100000000', '50000000') })),
      'CrossCurrencySwapData/LegData[2]/Notionals/FXReset/ForeignAmount',
      '50000000',
      "the leg resets to 50000000 USD, not the other leg's notional 100000000; xva resets a leg to the other leg's notional",
    ],
    [
      'STEP_UP',
      ccs('STEP_UP', usd(), eur({ type: 'Fixed', tenor: '1Y', rates: ['0.03', '0.035'] })),
      'CrossCurrencySwapData/LegData[2]/FixedLegData/Rates',
      '0.03,0.035',
      'step-up fixed rates on a cross-currency swap are not supported by xva (rate_schedules step the fixed rate of IRS, OIS and physically settled SWAPTION only)',
    ],
    [
      'BOTH_PAID',
      ccs('BOTH_PAID', usd({ payer: true }), eur()),
      'CrossCurrencySwapData/LegData[2]/Payer',
      'true',
      'both legs are paid; a swap pays one leg and receives the other',
    ],
    [
      'THREE_LEGS',
      ccs('THREE_LEGS', usd(), eur()).replace('</CrossCurrencySwapData>', `${leg(usd())}</CrossCurrencySwapData>`),
      'CrossCurrencySwapData/LegData',
      '3 legs',
      'xva swaps have exactly two legs',
    ],
  ];
  const result = importOre({ portfolioXml: portfolio(...cases.map((c) => c[1])) });

  it('maps none of them and lists each once, with its field, value and reason', () => {
    expect(result.rows.trades).toEqual([]);
    const found = unmapped(result.report.findings).map((f) => [f.tradeId, f.oreTradeType, f.field, f.value, f.reason]);
    expect(found).toEqual(cases.map(([id, , field, value, reason]) => [id, 'CrossCurrencySwap', field, value, reason]));
    expect(result.report.counts).toMatchObject({ tradesRead: cases.length, tradesMapped: 0, tradesUnmapped: cases.length });
  });

  it('the same reasons as for the Swap of the same legs (but the one-currency one: that Swap maps)', () => {
    const asSwaps = cases.map(([, xml]) => xml.replaceAll('CrossCurrencySwap', 'Swap'));
    const swaps = importOre({ portfolioXml: portfolio(...asSwaps) });
    expect(swaps.rows.trades.map((r) => [r.trade_id, r.product])).toEqual([['ONE_CCY', 'IRS']]);
    const found = unmapped(swaps.report.findings).map((f) => [f.tradeId, f.field?.replace(/^SwapData\//, 'CrossCurrencySwapData/'), f.value, f.reason]);
    expect(found.slice(1)).toEqual(cases.slice(2).map(([id, , field, value, reason]) => [id, field, value, reason]));
    // one currency with an FX reset: the Swap's own reason
    expect(found[0]!.slice(0, 2)).toEqual(['ONE_CCY_RESET', 'CrossCurrencySwapData/LegData[2]/Notionals/FXReset']);
  });

  it('formats the one-currency finding with the file, line, trade, type, field and value', () => {
    const f = unmapped(result.report.findings).find((x) => x.tradeId === 'ONE_CCY')!;
    expect(formatFinding(f)).toMatch(
      /^unmapped trade: portfolio\.xml:\d+ trade ONE_CCY \(CrossCurrencySwap\) CrossCurrencySwapData\/LegData\[2\]\/Currency = EUR: both legs are in EUR; a CrossCurrencySwap has legs in two currencies/,
    );
  });
});
