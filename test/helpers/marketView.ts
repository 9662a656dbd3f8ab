import { expect } from 'vitest';
import { XvaInputError, type InputIssue } from '../../src/errors.js';
import { parseMarket } from '../../src/market/load.js';
import type { HullWhiteParams, Market, SwaptionVolSurface } from '../../src/market/types.js';
import type { Currency } from '../../src/products/types.js';

/**
 * A view of a market with some currencies' Hull-White parameters, swaption vol surfaces or caplet vols replaced (`null`: none);
 * every other call goes to the market itself. For tests that price one book under several rate-option set-ups.
 */
export function marketView(
  base: Market,
  replace: {
    hullWhite?: Partial<Record<Currency, HullWhiteParams>>;
    swaptionVols?: Partial<Record<Currency, SwaptionVolSurface | null>>;
    capFloorVols?: Partial<Record<Currency, SwaptionVolSurface | null>>;
  },
): Market {
  return new Proxy(base, {
    get(target, prop) {
      if (prop === 'hullWhite' && replace.hullWhite) return (ccy: Currency) => replace.hullWhite![ccy] ?? target.hullWhite(ccy);
      if ((prop === 'capFloorVols' || prop === 'swaptionVols') && replace[prop]) {
        // a currency named in the replacement reads it (null: none), the others the market's own
        const surfaces = replace[prop]!;
        return (ccy: Currency) => (ccy in surfaces ? (surfaces[ccy] ?? undefined) : target[prop](ccy));
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A USD market as of 2026-06-15: OIS discounting and a 6M LIBOR projection curve, no rate-option data (YAML). */
export const USD_MARKET = `
asOf: 2026-06-15
baseCurrency: USD
curves:
  interpolation: monotoneConvex
  discount:
    USD:
      pillars:
        - { tenor: 3M, zeroRate: 0.0432 }
        - { tenor: 1Y, zeroRate: 0.0405 }
        - { tenor: 2Y, zeroRate: 0.0378 }
        - { tenor: 5Y, zeroRate: 0.0362 }
        - { tenor: 10Y, zeroRate: 0.0375 }
        - { tenor: 20Y, zeroRate: 0.0392 }
  projection:
    USD-LIBOR-6M:
      pillars:
        - { tenor: 6M, zeroRate: 0.0455 }
        - { tenor: 2Y, zeroRate: 0.0402 }
        - { tenor: 5Y, zeroRate: 0.0388 }
        - { tenor: 10Y, zeroRate: 0.0399 }
        - { tenor: 20Y, zeroRate: 0.0414 }
`;

/** The message of the XvaInputError that reading this market text raises (the test fails when it reads without one). */
export function marketLoadError(text: string): string {
  let error: unknown;
  try {
    parseMarket(text, 'bad.yaml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(XvaInputError);
  return (error as Error).message;
}

/** The issues of the XvaInputError that reading this market text (as `market.yaml`) raises; throws when it reads. */
export function marketIssues(text: string): InputIssue[] {
  try {
    parseMarket(text, 'market.yaml');
  } catch (error) {
    if (error instanceof XvaInputError) return error.issues;
    throw error;
  }
  throw new Error('expected the market to be rejected');
}
