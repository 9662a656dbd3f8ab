/**
 * The factor layout of a run: which currencies, FX rates, equities and credit names the cross-asset model simulates,
 * in a fixed order, and the RNG stream of each factor. A stream id is a hash of the factor's name alone (FNV-1a), so
 * a factor draws the same normals whatever else a run or shard simulates (docs/model.md, "Random numbers").
 */
import { XvaInputError } from '../errors.js';
import type { Market } from '../market/types.js';
import type { Currency } from '../products/types.js';
import type { FactorLayout } from './types.js';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units (Fowler, Noll & Vo; the IETF draft "The FNV Non-Cryptographic
 * Hash Algorithm", 32-bit parameters). Factor names are ASCII, so this is the hash of their bytes.
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** RNG stream id of a named factor (or of an auxiliary stream such as `IR:USD/H`). */
export function factorStream(name: string): number {
  return fnv1a32(name);
}

export interface FactorNeeds {
  currencies: Iterable<Currency>;
  equities: Iterable<string>;
  creditNames: Iterable<string>;
}

function sortedUnique<T extends string>(items: Iterable<T>): T[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The layout for what a run needs: the base currency first, then the other currencies sorted (including the
 * currencies of the equities), an FX factor per non-base currency, equities and credit names sorted (then the
 * appended credit names, sorted, that the needs lack). Names the market does not know are an XvaInputError listing them.
 */
export function buildFactorLayout(market: Market, needs: FactorNeeds, options: { appendedCreditNames?: Iterable<string> } = {}): FactorLayout {
  const base = market.baseCurrency;
  const equities = sortedUnique(needs.equities);
  // credit names a run adds to a book's (the wrong-way run's counterparty curves) go after the book's own, sorted among
  // themselves: each correlation block is factorised by Cholesky in the layout's order, so factors appended after the
  // book's leave the book's factors' paths as the book's own run draws them
  const bookCredit = sortedUnique(needs.creditNames);
  const inBook = new Set(bookCredit);
  const creditNames = [...bookCredit, ...sortedUnique(options.appendedCreditNames ?? []).filter((n) => !inBook.has(n))];
  const issues: ConstructorParameters<typeof XvaInputError>[0] = [];
  const wanted = new Set<Currency>(needs.currencies);
  for (const name of equities) {
    if (!market.hasEquity(name)) {
      issues.push({ file: 'market', column: `equities.${name}`, value: name, expected: 'an equity of the market file (equities section)' });
      continue;
    }
    wanted.add(market.equity(name).currency);
  }
  const known = new Set(market.currencies);
  for (const ccy of wanted) {
    if (!known.has(ccy)) {
      issues.push({ file: 'market', column: `curves.discount.${ccy}`, value: ccy, expected: 'a currency with a discount curve in the market file' });
    }
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  wanted.delete(base);
  const others = sortedUnique(wanted);
  const currencies: Currency[] = [base, ...others];
  const fxCurrencies: Currency[] = others;
  const factorNames = [
    ...currencies.map((c) => `IR:${c}`),
    ...fxCurrencies.map((c) => `FX:${c}${base}`),
    ...equities.map((e) => `EQ:${e}`),
    ...creditNames.map((n) => `CR:${n}`),
  ];
  const factorStreams = Uint32Array.from(factorNames, factorStream);
  const seen = new Map<number, string>();
  factorNames.forEach((name) => {
    const stream = factorStream(name);
    const other = seen.get(stream);
    if (other !== undefined) {
      // Two names with one 32-bit hash would share their draws; vanishingly rare, but never silent.
      throw new XvaInputError([{ file: 'market', value: `${other} and ${name}`, expected: 'factor names with distinct RNG stream hashes (rename one)' }]);
    }
    seen.set(stream, name);
  });
  return Object.freeze({
    baseCurrency: base,
    currencies: Object.freeze(currencies),
    fxCurrencies: Object.freeze(fxCurrencies),
    equities: Object.freeze(equities),
    creditNames: Object.freeze(creditNames),
    factorNames: Object.freeze(factorNames),
    factorStreams,
  });
}
