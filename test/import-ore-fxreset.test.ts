/**
 * `xva import ore` of rebalancing (mark-to-market) cross-currency swaps (docs/import-ore.md): an ORE `Swap` in two
 * currencies whose one floating leg has `Notionals/FXReset` → an XCCY row with `fx_reset` = that leg's position in
 * ORE's LegData order (`leg1` / `leg2`), when the reset converts exactly the other leg (ForeignCurrency its currency,
 * ForeignAmount its notional), both legs exchange notionals at the start and at maturity, no notional amortises and
 * the resetting leg gives its first period's Notional. ORE fixes the FX rate on the FX index's fixing date, its spot
 * days before the accrual start (legbuilders.cpp, FloatingRateLegBuilder; an FXReset/FixingDays is ignored), xva on
 * the accrual start: every mapped resetting swap carries one `approximated` finding. Everything else is left out with
 * its field and reason; a cross-currency swap without FXReset maps as before, with no fx_reset column.
 * References independent of the code: the XML below is ORE's own (Examples/Products/Example_Trades/
 * IRFX_Cross_Currency_Swap_rebalancing.xml: USD 100m against EUR 88,312,931.57 resetting to USD 100m on
 * FX-TR20H-EUR-USD) and its mirror image, the leg order read off the XML by eye.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { IssueCollector } from '../src/errors.js';
import { formatFinding, importOre, type ImportFinding, type OreImportResult } from '../src/import/ore/index.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { CrossCurrencySwap, Trade } from '../src/products/types.js';
import { columnNames, oreLeg, portfolio, unmapped } from './helpers/oreXml.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  currency: 'USD' | 'EUR' | 'GBP';
  payer: boolean;
  /** Default Floating. */
  type?: 'Floating' | 'Fixed';
  /** The `Notional` values (none: no Notional element). Default one, 100m. */
  notionals?: string[];
  /** Inner XML of `Notionals/FXReset`; absent: none. */
  fxReset?: string;
  /** Default both true. */
  initialExchange?: boolean;
  finalExchange?: boolean;
}

const INDEX = { USD: 'USD-LIBOR-6M', EUR: 'EUR-EURIBOR-6M', GBP: 'GBP-LIBOR-6M' } as const;

/**
 * A leg of every swap below: 2023-01-27 to 2033-01-27, 6M, A360, TARGET, MF, generated forwards (ORE's example's;
 * helpers/oreXml.ts's oreLeg).
 */
function leg(l: Leg): string {
  return oreLeg({
    ...l,
    index: INDEX[l.currency],
    isInArrears: 'false',
    fixingDays: '2',
    tenor: '6M',
    calendar: 'TARGET',
    initialExchange: l.initialExchange ?? true,
    finalExchange: l.finalExchange ?? true,
  });
}

function swap(id: string, leg1: Leg, leg2: Leg): string {
  return `<Trade id="${id}"><TradeType>Swap</TradeType><Envelope><CounterParty>CPTY</CounterParty><NettingSetId>NS</NettingSetId></Envelope>
  <SwapData>${leg(leg1)}${leg(leg2)}</SwapData></Trade>`;
}

/** ORE's FXReset of the EUR leg of its example: resets to USD 100m. */
const EUR_TO_USD = '<ForeignCurrency>USD</ForeignCurrency><ForeignAmount>100000000</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>';
/** The mirror image: a USD leg resetting to EUR 90m. */
const USD_TO_EUR = '<ForeignCurrency>EUR</ForeignCurrency><ForeignAmount>90000000</ForeignAmount><FXIndex>FX-ECB-EUR-USD</FXIndex>';

/** ORE's example: receive USD 100m LIBOR 6M (leg 1), pay EUR 88,312,931.57 EURIBOR 6M + 0 resetting (leg 2). */
const ORE_EXAMPLE = swap('RESET_LEG2', { currency: 'USD', payer: false }, { currency: 'EUR', payer: true, notionals: ['88312931.57'], fxReset: EUR_TO_USD });
/** Pay USD 99m resetting to EUR 90m at each reset (leg 1), receive EUR 90m (leg 2); FixingDays 2 given. */
const RESET_LEG1 = swap(
  'RESET_LEG1',
  { currency: 'USD', payer: true, notionals: ['99000000'], fxReset: `${USD_TO_EUR}<FixingDays>2</FixingDays><FixingCalendar>US,TARGET</FixingCalendar>` },
  { currency: 'EUR', payer: false, notionals: ['90000000'] },
);
/** A plain cross-currency swap beside them. */
const PLAIN = swap('PLAIN', { currency: 'USD', payer: false }, { currency: 'EUR', payer: true, notionals: ['88312931.57'] });


async function writtenAndLoaded(result: OreImportResult, label: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xva-import-ore-fxreset-${label}-`));
  temps.push(dir);
  writeOreImport(dir, result, 'csv');
  const issues = new IssueCollector();
  const book = await loadPortfolio(dir, issues, { baseCurrency: 'EUR' });
  expect(issues.issues).toEqual([]);
  return { book, dir };
}

function loadedXccy(trades: Trade[], id: string): CrossCurrencySwap {
  const t = trades.find((x) => x.tradeId === id);
  if (t?.product !== 'XCCY') throw new Error(`test: ${id} is not a loaded XCCY`);
  return t;
}

describe('ORE rebalancing cross-currency swaps → XCCY with fx_reset', () => {
  const result = importOre({ portfolioXml: portfolio(ORE_EXAMPLE, RESET_LEG1, PLAIN) });
  const row = (id: string) => result.rows.trades.find((r) => r.trade_id === id)!;

  it('maps all three', () => {
    expect(unmapped(result.report.findings)).toEqual([]);
    expect(result.rows.trades.map((r) => r.trade_id)).toEqual(['RESET_LEG2', 'RESET_LEG1', 'PLAIN']);
  });

  it("ORE's example: the EUR leg, the second LegData, resets → fx_reset leg2; each leg keeps its own notional", () => {
    expect(row('RESET_LEG2')).toMatchObject({
      product: 'XCCY',
      direction: 'receive', // leg 1 (USD) is received
      currency: 'USD',
      notional: 100_000_000,
      currency2: 'EUR',
      notional2: 88_312_931.57, // the resetting leg's first period
      float_index: 'USD-LIBOR-6M',
      float_index2: 'EUR-EURIBOR-6M',
      start_date: fromYmd(2023, 1, 27),
      maturity_date: fromYmd(2033, 1, 27),
      notional_exchange: 'both',
      fx_reset: 'leg2',
    });
  });

  it('the USD leg, the first LegData, resets → fx_reset leg1; pay', () => {
    expect(row('RESET_LEG1')).toMatchObject({
      product: 'XCCY',
      direction: 'pay',
      currency: 'USD',
      notional: 99_000_000,
      currency2: 'EUR',
      notional2: 90_000_000,
      notional_exchange: 'both',
      fx_reset: 'leg1',
    });
  });

  it('the plain swap holds no fx_reset key; the column holds leg2, leg1 and a blank', () => {
    expect('fx_reset' in row('PLAIN')).toBe(false);
    expect(result.tables.trades.columns.find((c) => c.name === 'fx_reset')).toEqual({ name: 'fx_reset', type: 'utf8', values: ['leg2', 'leg1', null] });
  });

  it('reports the fixing date as approximated, once per resetting swap: on FixingDays when given, else on FXIndex', () => {
    const approximated = result.report.findings.filter((f) => f.kind === 'approximated' && f.field?.includes('FXReset'));
    expect(approximated.map((f) => [f.tradeId, f.field, f.value])).toEqual([
      ['RESET_LEG2', 'SwapData/LegData[2]/Notionals/FXReset/FXIndex', 'FX-TR20H-EUR-USD'],
      ['RESET_LEG1', 'SwapData/LegData[1]/Notionals/FXReset/FixingDays', '2'],
    ]);
    expect(approximated[0]!.reason).toBe(
      "xva fixes each reset at the FX rate of the period's accrual start itself (market fixings FX-USD-EUR or its inverse); ORE fixes it on FX-TR20H-EUR-USD's fixing date, " +
        "its spot days before the accrual start (from ORE's FX conventions, 2 business days when none is set)",
    );
    expect(approximated[1]!.reason).toContain('FX-EUR-USD or its inverse');
    expect(approximated[1]!.reason).toContain('FXReset/FixingDays is ignored by ORE');
    // nothing else about the plain swap's notionals
    expect(result.report.findings.filter((f) => f.tradeId === 'PLAIN' && f.field?.includes('Notionals'))).toEqual([]);
  });

  it('written and loaded: the resetting legs as the engine reads them; the plain swap resets nothing', async () => {
    const { book, dir } = await writtenAndLoaded(result, 'mapped');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).toContain('fx_reset');
    const leg2 = loadedXccy(book.trades, 'RESET_LEG2');
    expect([leg2.fxReset, leg2.leg1.currency, leg2.leg1.notional, leg2.leg2.currency, leg2.leg2.notional]).toEqual(['leg2', 'USD', 100_000_000, 'EUR', 88_312_931.57]);
    expect([leg2.initialExchange, leg2.finalExchange, leg2.leg2.kind]).toEqual([true, true, 'float']);
    const leg1 = loadedXccy(book.trades, 'RESET_LEG1');
    expect([leg1.fxReset, leg1.leg1.notional, leg1.leg2.notional]).toEqual(['leg1', 99_000_000, 90_000_000]);
    expect(loadedXccy(book.trades, 'PLAIN').fxReset).toBeUndefined();
  });
});

describe('a cross-currency swap without FXReset maps as before', () => {
  const plain = importOre({ portfolioXml: portfolio(PLAIN) });

  it('no fx_reset key, no fx_reset column, the same row as beside a resetting swap', async () => {
    expect(unmapped(plain.report.findings)).toEqual([]);
    const row = plain.rows.trades[0]!;
    expect('fx_reset' in row).toBe(false);
    expect(columnNames(plain)).not.toContain('fx_reset');
    const beside = importOre({ portfolioXml: portfolio(ORE_EXAMPLE, PLAIN) }).rows.trades[1]!;
    expect(row).toEqual(beside);
    const { dir } = await writtenAndLoaded(plain, 'plain');
    expect(fs.readFileSync(path.join(dir, 'trades.csv'), 'utf8').split('\n')[0]).not.toContain('fx_reset');
  });
});

describe('resetting swaps xva cannot hold are left out with the field, the value and the reason', () => {
  const usd = (l: Partial<Leg> = {}): Leg => ({ currency: 'USD', payer: false, ...l });
  const eur = (l: Partial<Leg> = {}): Leg => ({ currency: 'EUR', payer: true, notionals: ['88312931.57'], fxReset: EUR_TO_USD, ...l });
  const cases: [id: string, trade: string, field: string, value: string | undefined, reason: string][] = [
    [
      'FIXED_RESET',
      swap('FIXED_RESET', usd(), eur({ type: 'Fixed' })),
      'SwapData/LegData[2]/LegType',
      'Fixed',
      'a resetting fixed leg is not supported by xva (it resets floating legs only)',
    ],
    [
      'OTHER_CCY',
      swap('OTHER_CCY', usd(), eur({ fxReset: EUR_TO_USD.replace('USD</ForeignCurrency>', 'GBP</ForeignCurrency>').replace('EUR-USD', 'EUR-GBP') })),
      'SwapData/LegData[2]/Notionals/FXReset/ForeignCurrency',
      'GBP',
      "the leg resets to an amount in GBP, not in the other leg's currency USD; xva resets a leg to the other leg's notional",
    ],
    [
      'OTHER_AMOUNT',
      swap('OTHER_AMOUNT', usd(), eur({ fxReset: EUR_TO_USD.replace('100000000', '50000000') })),
      'SwapData/LegData[2]/Notionals/FXReset/ForeignAmount',
      '50000000',
      "the leg resets to 50000000 USD, not the other leg's notional 100000000; xva resets a leg to the other leg's notional",
    ],
    [
      'FINAL_ONLY',
      swap('FINAL_ONLY', usd({ initialExchange: false }), eur({ initialExchange: false })),
      'SwapData/LegData[2]/Notionals/Exchanges',
      'initial false, final true',
      'a resetting cross-currency swap exchanges notionals at the start and at maturity: NotionalInitialExchange and NotionalFinalExchange must be true on both legs',
    ],
    [
      'NO_EXCHANGE',
      swap('NO_EXCHANGE', usd({ initialExchange: false, finalExchange: false }), eur({ initialExchange: false, finalExchange: false })),
      'SwapData/LegData[2]/Notionals/Exchanges',
      'initial false, final false',
      'a resetting cross-currency swap exchanges notionals at the start and at maturity: NotionalInitialExchange and NotionalFinalExchange must be true on both legs',
    ],
    [
      'AMORT_RESET',
      swap('AMORT_RESET', usd(), eur({ notionals: ['88312931.57', '80000000'] })),
      'SwapData/LegData[2]/Notionals',
      '88312931.57,80000000',
      'amortising or accreting notionals on a resetting cross-currency swap are not supported by xva (a resetting swap is bullet)',
    ],
    [
      'AMORT_OTHER',
      swap('AMORT_OTHER', usd({ notionals: ['100000000', '90000000'] }), eur()),
      'SwapData/LegData[1]/Notionals',
      '100000000,90000000',
      'amortising or accreting notionals on a resetting cross-currency swap are not supported by xva (a resetting swap is bullet)',
    ],
    [
      'NO_NOTIONAL',
      swap('NO_NOTIONAL', usd(), eur({ notionals: [] })),
      'SwapData/LegData[2]/Notionals/Notional',
      undefined,
      "the first period's notional is required on a resetting leg: xva runs the first period on the leg's given notional (in EUR) and resets the later ones",
    ],
    [
      'START_DATE',
      swap('START_DATE', usd(), eur({ fxReset: '<StartDate>2023-01-25</StartDate><ForeignCurrency>USD</ForeignCurrency><FXIndex>FX-TR20H-EUR-USD</FXIndex>' })),
      'SwapData/LegData[2]/Notionals/FXReset/StartDate',
      '2023-01-25',
      "a reset whose foreign amount is fixed from the FX rate on StartDate is not supported by xva: it resets to the other leg's notional, give it as ForeignAmount",
    ],
    [
      'BOTH_RESET',
      swap('BOTH_RESET', usd({ fxReset: USD_TO_EUR.replace('90000000', '88312931.57') }), eur()),
      'SwapData/LegData[2]/Notionals/FXReset',
      undefined,
      'both legs reset their notionals; xva resets one leg of a cross-currency swap against the other',
    ],
    [
      'WRONG_INDEX',
      swap('WRONG_INDEX', usd(), eur({ fxReset: EUR_TO_USD.replace('FX-TR20H-EUR-USD', 'FX-TR20H-GBP-USD') })),
      'SwapData/LegData[2]/Notionals/FXReset/FXIndex',
      'FX-TR20H-GBP-USD',
      "expected the FX index of the leg's currency against the foreign one: FX-SOURCE-USD-EUR or FX-SOURCE-EUR-USD",
    ],
    [
      'NO_INDEX',
      swap('NO_INDEX', usd(), eur({ fxReset: EUR_TO_USD.replace('<FXIndex>FX-TR20H-EUR-USD</FXIndex>', '') })),
      'SwapData/LegData[2]/Notionals/FXReset/FXIndex',
      undefined,
      'the FX index of the resets (FX-SOURCE-CCY1-CCY2) is required',
    ],
    [
      'NO_AMOUNT',
      swap('NO_AMOUNT', usd(), eur({ fxReset: EUR_TO_USD.replace('<ForeignAmount>100000000</ForeignAmount>', '') })),
      'SwapData/LegData[2]/Notionals/FXReset/ForeignAmount',
      undefined,
      "the foreign amount the leg resets to (the other leg's notional) is required",
    ],
    [
      'ONE_CCY',
      swap('ONE_CCY', { currency: 'EUR', payer: false, notionals: ['88312931.57'] }, eur({ fxReset: '<ForeignCurrency>USD</ForeignCurrency><ForeignAmount>100000000</ForeignAmount><FXIndex>FX-TR20H-EUR-USD</FXIndex>' })),
      'SwapData/LegData[2]/Notionals/FXReset',
      undefined,
      'an FX reset on a single-currency swap is not supported by xva (resetting notionals: cross-currency swaps only)',
    ],
  ];
  const result = importOre({ portfolioXml: portfolio(...cases.map((c) => c[1])) });

  it('maps none of them and lists each once, with its field, value and reason', () => {
    expect(result.rows.trades).toEqual([]);
    expect(columnNames(result)).not.toContain('fx_reset');
    const found = unmapped(result.report.findings).map((f) => [f.tradeId, f.field, f.value, f.reason]);
    expect(found).toEqual(cases.map(([id, , field, value, reason]) => [id, field, value, reason]));
    expect(result.report.counts).toMatchObject({ tradesRead: cases.length, tradesMapped: 0, tradesUnmapped: cases.length });
    // no approximation is reported for a trade left out
    expect(result.report.findings.filter((f) => f.kind === 'approximated' && f.field?.includes('FXReset'))).toEqual([]);
  });

  it('formats a finding with the file, line, trade, field and value', () => {
    const f = unmapped(result.report.findings).find((x) => x.tradeId === 'OTHER_AMOUNT')!;
    expect(formatFinding(f)).toMatch(
      /^unmapped trade: portfolio\.xml:\d+ trade OTHER_AMOUNT \(Swap\) SwapData\/LegData\[2\]\/Notionals\/FXReset\/ForeignAmount = 50000000: the leg resets to 50000000 USD/,
    );
  });
});

describe('FXReset on other trade types stays refused', () => {
  it('a CapFloor leg with FXReset: resets are mapped on cross-currency swaps only', () => {
    const capFloor = `<Trade id="CAP"><TradeType>CapFloor</TradeType><Envelope><CounterParty>CPTY</CounterParty><NettingSetId>NS</NettingSetId></Envelope>
      <CapFloorData><LongShort>Long</LongShort><Caps><Cap>0.04</Cap></Caps>${leg({ currency: 'EUR', payer: false, fxReset: EUR_TO_USD, initialExchange: false, finalExchange: false })}</CapFloorData></Trade>`;
    const result = importOre({ portfolioXml: portfolio(capFloor) });
    expect(unmapped(result.report.findings).map((f) => [f.tradeId, f.field, f.reason])).toEqual([
      ['CAP', 'CapFloorData/LegData[1]/Notionals/FXReset', 'resetting (mark-to-market) notionals are supported by xva on cross-currency swaps (TradeType Swap or CrossCurrencySwap) only'],
    ]);
  });
});
