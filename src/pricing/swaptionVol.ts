/**
 * Volatility of a swaption from a market surface (market/types.ts SwaptionVolSurface): bilinear in expiry × tenor
 * (years), flat beyond the quoted range. The quotes need not fill a grid: a node missing from an expiry's row is
 * interpolated linearly along tenor within that row (flat beyond the row's own quotes) before the bilinear step.
 */
import type { SwaptionVolQuote, SwaptionVolSurface } from '../market/types.js';

/** Index i with xs[i] <= x < xs[i+1] and the weight of xs[i+1], clamped flat outside [xs[0], xs[last]]. */
function bracket(xs: readonly number[], x: number): { i: number; w: number } {
  const last = xs.length - 1;
  if (last === 0 || x <= xs[0]!) return { i: 0, w: 0 };
  if (x >= xs[last]!) return { i: last - 1, w: 1 };
  let i = 0;
  while (xs[i + 1]! <= x) i++;
  return { i, w: (x - xs[i]!) / (xs[i + 1]! - xs[i]!) };
}

function linear(xs: readonly number[], ys: readonly number[], x: number): number {
  if (xs.length === 1) return ys[0]!;
  const { i, w } = bracket(xs, x);
  return ys[i]! + w * (ys[i + 1]! - ys[i]!);
}

export function swaptionVolatility(surface: SwaptionVolSurface, expiryYears: number, tenorYears: number): number {
  if (surface.quotes.length === 0) throw new Error(`swaption vol surface of ${surface.currency} has no quotes`);
  return bilinear(surface.quotes, (q) => q.tenorYears, expiryYears, tenorYears);
}

/**
 * A caplet's vol on a currency's caplet surface (`capFloorVols`) at its expiry and strike: with a smile (quotes with
 * strikes) bilinear in expiry × strike, a strike missing from an expiry's row interpolated linearly along strike within
 * the row, flat beyond the quoted strikes and expiries (as the swaption surface in expiry × tenor); without strikes
 * the ATM vol by expiry.
 */
export function capletVolatility(surface: SwaptionVolSurface, expiryYears: number, strike: number): number {
  if (surface.quotes.length === 0) throw new Error(`caplet vol surface of ${surface.currency} has no quotes`);
  if (surface.quotes[0]!.strike === undefined) return bilinear(surface.quotes, (q) => q.tenorYears, expiryYears, 0);
  return bilinear(surface.quotes, (q) => q.strike!, expiryYears, strike);
}

/** Bilinear in expiry × a second coordinate `yOf` (tenor or strike), each expiry row filled along y from its own quotes. */
function bilinear(quotes: readonly SwaptionVolQuote[], yOf: (q: SwaptionVolQuote) => number, expiryYears: number, y: number): number {
  const expiries = [...new Set(quotes.map((q) => q.expiryYears))].sort((a, b) => a - b);
  const ys = [...new Set(quotes.map(yOf))].sort((a, b) => a - b);
  // Each expiry row evaluated at every grid point of y, from that row's own quotes.
  const rowAt = (expiry: number, at: number): number => {
    const row = quotes.filter((q) => q.expiryYears === expiry).sort((a, b) => yOf(a) - yOf(b));
    return linear(
      row.map(yOf),
      row.map((q) => q.vol),
      at,
    );
  };
  const e = bracket(expiries, expiryYears);
  const t = bracket(ys, y);
  const e0 = expiries[e.i]!;
  const e1 = expiries[Math.min(e.i + 1, expiries.length - 1)]!;
  const t0 = ys[t.i]!;
  const t1 = ys[Math.min(t.i + 1, ys.length - 1)]!;
  const v00 = rowAt(e0, t0);
  const v01 = rowAt(e0, t1);
  const v10 = rowAt(e1, t0);
  const v11 = rowAt(e1, t1);
  return (1 - e.w) * ((1 - t.w) * v00 + t.w * v01) + e.w * ((1 - t.w) * v10 + t.w * v11);
}
