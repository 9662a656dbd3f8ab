/**
 * What the sections of the market loader share: the reader, the as-of date and base currency once read, and the
 * pillar lists (a tenor or a date, then the section's own value keys) with their ordering rule.
 */
import { addTenor, toIsoDate, yearsBetween, type DateSerial, type Tenor } from '../conventions/dates.js';
import { CURRENCIES, isCurrency, type Currency } from '../products/types.js';
import type { HazardCurveSpec } from './hazard.js';
import type { YieldCurve } from './types.js';
import { child, show, type YamlMap, type YamlReader } from './yamlReader.js';

export interface LoadContext {
  reader: YamlReader;
  /** Undefined when asOf is missing or bad (already reported): times cannot be computed, shapes still are checked. */
  asOf: DateSerial | undefined;
  base: Currency | undefined;
  /** OIS discount curves by currency, filled by the curves section (only those that were valid). */
  discountCurves: Map<Currency, YieldCurve>;
  /** Currencies with a discount curve in the file, valid or not: references to them are not reported again. */
  discountCurrencies: Set<Currency>;
  /**
   * Bootstrap each CDS curve on its first use instead of now (MarketLoadOptions.deferCredit): for worker threads,
   * whose main thread has read and validated the same market.
   */
  deferCredit?: boolean;
  /** MarketLoadOptions.creditSeed: curves bootstrapped elsewhere from the same quotes, by curve name. */
  creditSeed?: ReadonlyMap<string, HazardCurveSpec>;
}

export const CURRENCY_LIST = CURRENCIES.join(', ');

/**
 * Bounds past which a market value is a typo, not a market (as the trades' rates and spreads, portfolio/tradeRows.ts):
 * a zero rate or dividend yield of 10 (1,000%) in size, a spread of 100,000bp, an FX or equity spot of 10⁹. Values
 * beyond them overflow the engine's sums into NaN or ∞ far from the cell that caused it, so they are refused here.
 */
export const MAX_MARKET_RATE = 10;
export const MAX_MARKET_SPREAD_BP = 100_000;
export const MAX_SPOT = 1e9;
export const MIN_FX_SPOT = 1e-9;

export function readCurrency(ctx: LoadContext, value: unknown, path: string): Currency | undefined {
  if (typeof value === 'string' && isCurrency(value)) return value;
  ctx.reader.issue(path, value, `a currency code, one of ${CURRENCY_LIST}`);
  return undefined;
}

/** A currency used as a key (its path names the key itself). */
export function readCurrencyKey(ctx: LoadContext, key: string, path: string): Currency | undefined {
  return readCurrency(ctx, key, path);
}

/** Years ACT/365F from asOf to the end of a tenor (no spot lag, no business-day adjustment). */
export function tenorTime(asOf: DateSerial, tenor: Tenor): number {
  return yearsBetween(asOf, addTenor(asOf, tenor));
}

/** An ISO date after asOf, as years from asOf (undefined time when asOf is unknown). */
export function readDateTime(ctx: LoadContext, value: unknown, path: string): { time: number | undefined } | undefined {
  const date = ctx.reader.date(value, path);
  if (date === undefined) return undefined;
  if (ctx.asOf === undefined) return { time: undefined };
  if (date <= ctx.asOf) {
    ctx.reader.issue(path, value, `a date after asOf ${toIsoDate(ctx.asOf)}`);
    return undefined;
  }
  return { time: yearsBetween(ctx.asOf, date) };
}

/** A time given as one value: a tenor (`5Y`) or an ISO date after asOf. */
export function readTenorOrDate(ctx: LoadContext, value: unknown, path: string): { time: number | undefined; label: string } | undefined {
  if (typeof value === 'string' && /^\d{4}-/.test(value.trim())) {
    const read = readDateTime(ctx, value, path);
    return read ? { time: read.time, label: value } : undefined;
  }
  const tenor = ctx.reader.tenor(value, path);
  if (tenor === undefined) return undefined;
  return { time: ctx.asOf === undefined ? undefined : tenorTime(ctx.asOf, tenor), label: String(value) };
}

export interface PillarList<T> {
  /** Years from asOf; empty when asOf is unknown. */
  times: number[];
  /** Tenors as given (only when every pillar is a tenor). */
  tenors: Tenor[];
  values: T[];
}

export interface PillarOptions<T> {
  /** Value keys allowed besides `tenor`/`date`. */
  valueKeys: readonly string[];
  /** Reads the pillar's value; `time` is undefined when asOf is unknown. */
  readValue: (pillar: YamlMap, path: string, time: number | undefined) => T | undefined;
  /** Whether `date` is accepted (CDS quotes are tenors only: ISDA standard maturities roll from them). */
  allowDates?: boolean;
}

/**
 * Reads `pillars:` (a non-empty list of mappings with `tenor` or `date` and the section's value keys), checking that
 * times strictly increase. Undefined when anything in the list was wrong (all of it reported).
 */
export function readPillars<T>(ctx: LoadContext, value: unknown, path: string, options: PillarOptions<T>): PillarList<T> | undefined {
  const r = ctx.reader;
  const errorsBefore = r.issues.errorCount;
  const list = r.list(value, path, 'a non-empty list of pillars');
  if (!list) return undefined;
  const allowDates = options.allowDates ?? true;
  const timeKeys = allowDates ? ['tenor', 'date'] : ['tenor'];
  const out: PillarList<T> = { times: [], tenors: [], values: [] };
  let prev: { time: number; label: string } | undefined;
  list.forEach((item, i) => {
    const p = child(path, i);
    const pillar = r.map(item, p, `a pillar mapping with ${timeKeys.join(' or ')} and ${options.valueKeys.join(' or ')}`);
    if (!pillar) return;
    r.keys(pillar, p, [...timeKeys, ...options.valueKeys], 'pillar keys');
    let time: number | undefined;
    let timePath = p;
    let label = '';
    if (pillar.tenor !== undefined && pillar.date !== undefined && allowDates) {
      r.issue(child(p, 'date'), pillar.date, 'either tenor or date, not both');
    } else if (pillar.tenor !== undefined) {
      timePath = child(p, 'tenor');
      const tenor = r.tenor(pillar.tenor, timePath);
      if (tenor) {
        out.tenors.push(tenor);
        label = show(pillar.tenor)!;
        if (ctx.asOf !== undefined) time = tenorTime(ctx.asOf, tenor);
      }
    } else if (pillar.date !== undefined && allowDates) {
      timePath = child(p, 'date');
      const read = readDateTime(ctx, pillar.date, timePath);
      if (read) {
        label = show(pillar.date)!;
        time = read.time;
      }
    } else {
      r.issue(child(p, timeKeys[0]!), undefined, allowDates ? 'a tenor (1W, 3M, 10Y) or a date' : 'a tenor (6M, 1Y, 5Y)');
    }
    if (time !== undefined) {
      if (prev !== undefined && !(time > prev.time)) {
        r.issue(timePath, label, `a pillar after the previous one (${prev.label}): pillars must be strictly increasing`);
      }
      prev = { time, label };
      out.times.push(time);
    }
    const v = options.readValue(pillar, p, time);
    if (v !== undefined) out.values.push(v);
  });
  if (r.issues.errorCount > errorsBefore) return undefined;
  return out;
}

/** Recovery rate in [0, 1). */
export function readRecovery(ctx: LoadContext, value: unknown, path: string): number | undefined {
  return ctx.reader.numberWhere(value, path, (x) => x >= 0 && x < 1, 'a recovery rate in [0, 1), e.g. 0.40');
}

/** A positive volatility (decimal). */
export function readVol(ctx: LoadContext, value: unknown, path: string): number | undefined {
  return ctx.reader.numberWhere(value, path, (x) => x > 0, 'a volatility > 0 (decimal, e.g. 0.15)');
}

/** Keys of a mapping section, in file order; undefined (reported) when the section is not a mapping. */
export function sectionEntries(ctx: LoadContext, value: unknown, path: string, expected: string): [string, unknown][] | undefined {
  if (value === undefined) return [];
  const map = ctx.reader.map(value, path, expected);
  return map ? Object.entries(map) : undefined;
}
