import type { HullWhiteParams, Market, SwaptionVolSurface } from '../../src/market/types.js';
import type { Currency } from '../../src/products/types.js';

/**
 * A view of a market with some currencies' Hull-White parameters or swaption vol surfaces replaced (`null`: none);
 * every other call goes to the market itself. For tests that price one book under several rate-option set-ups.
 */
export function marketView(
  base: Market,
  replace: { hullWhite?: Partial<Record<Currency, HullWhiteParams>>; swaptionVols?: Partial<Record<Currency, SwaptionVolSurface | null>> },
): Market {
  return new Proxy(base, {
    get(target, prop) {
      if (prop === 'hullWhite' && replace.hullWhite) return (ccy: Currency) => replace.hullWhite![ccy] ?? target.hullWhite(ccy);
      if (prop === 'swaptionVols' && replace.swaptionVols) {
        return (ccy: Currency) => (ccy in replace.swaptionVols! ? (replace.swaptionVols![ccy] ?? undefined) : target.swaptionVols(ccy));
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
