/**
 * FX spot quotes as given (`CCY1CCY2` = units of CCY2 per one CCY1) and their triangulation: every currency is
 * reached from the base currency through the quoted pairs (breadth first, so through the fewest crosses).
 */
import { isCurrency, type Currency } from '../products/types.js';

export interface FxPair {
  base: Currency;
  quote: Currency;
}

/** `EURUSD` -> { base: EUR, quote: USD }; undefined when not two different known currency codes. */
export function parseFxPair(name: string): FxPair | undefined {
  if (!/^[A-Z]{6}$/.test(name)) return undefined;
  const base = name.slice(0, 3);
  const quote = name.slice(3);
  if (!isCurrency(base) || !isCurrency(quote) || base === quote) return undefined;
  return { base, quote };
}

/**
 * Units of each reachable currency per one unit of `base`, walking the quoted pairs in either direction. Currencies
 * not connected to the base are absent.
 */
export function ratesAgainstBase(base: Currency, spots: ReadonlyMap<string, number>): Map<Currency, number> {
  const edges = new Map<Currency, { to: Currency; rate: number }[]>();
  const link = (from: Currency, to: Currency, rate: number): void => {
    let list = edges.get(from);
    if (!list) edges.set(from, (list = []));
    list.push({ to, rate });
  };
  for (const [name, spot] of spots) {
    const pair = parseFxPair(name);
    if (!pair) continue;
    // spot = units of quote per 1 base currency of the pair.
    link(pair.base, pair.quote, spot);
    link(pair.quote, pair.base, 1 / spot);
  }
  const perBase = new Map<Currency, number>([[base, 1]]);
  const queue: Currency[] = [base];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const { to, rate } of edges.get(from) ?? []) {
      if (perBase.has(to)) continue;
      perBase.set(to, perBase.get(from)! * rate);
      queue.push(to);
    }
  }
  return perBase;
}
