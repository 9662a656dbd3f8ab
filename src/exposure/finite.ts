/**
 * A run's figures are finite or the run fails: NaN or ±Infinity exposures come from model parameters under which the
 * simulated rates overflow (a strongly negative Hull-White mean reversion or a sigma far above the market's, over a
 * book's decades: e^{−κt} and the LGM variance ζ(t)H(t)² grow past what a double holds), and must never be written as
 * figures. The error names the netting sets, the rate model sections of their currencies and the other model sections
 * in the market file, and says that implausible amounts can do it too.
 */
import { basename } from 'node:path';
import { XvaInputError } from '../errors.js';
import type { Portfolio } from '../portfolio/types.js';
import { tableDisplayName } from '../portfolio/load.js';
import { tradeCurrencies, tradeMaturity, type Currency } from '../products/types.js';
import { addTenor, toIsoDate, type DateSerial } from '../conventions/dates.js';
import type { ExposureProfile } from './types.js';

function finite(values: Float64Array): boolean {
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) return false;
  return true;
}

/** Beyond this a trade's life is most likely a typo (portfolio/checks.ts warns on it), and its rates may overflow. */
const PLAUSIBLE_LIFE_YEARS = 100;

/**
 * Throws an XvaInputError when any netting set's EPE, ENE, PFE or collateral is not finite. With `asOf`, the trades of
 * those sets living more than PLAUSIBLE_LIFE_YEARS (a maturity of 2300 for 2030: the simulation's grid then runs for
 * centuries) are named first, on their own cells, before the model sections.
 */
export function checkFiniteProfiles(profiles: readonly ExposureProfile[], portfolio: Portfolio, marketFile: string | undefined, asOf?: DateSerial): void {
  const bad = profiles.filter((p) => !(finite(p.epe) && finite(p.ene) && finite(p.pfe) && finite(p.collateral) && finite(p.epeVm) && finite(p.eneVm) && finite(p.collateralVm)));
  if (bad.length === 0) return;
  const ids = new Set(bad.map((p) => p.nettingSetId));
  const currencies = new Set<Currency>();
  for (const trade of portfolio.trades) if (ids.has(trade.nettingSetId)) for (const c of tradeCurrencies(trade)) currencies.add(c);
  const sets = bad.slice(0, 5).map((p) => p.nettingSetId).join(', ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : '');
  const horizon = asOf === undefined ? undefined : addTenor(asOf, { count: PLAUSIBLE_LIFE_YEARS, unit: 'Y' });
  const centuries = horizon === undefined ? [] : portfolio.trades.filter((t) => ids.has(t.nettingSetId) && tradeMaturity(t) > horizon);
  const tradesFile = tableDisplayName(portfolio, 'trades');
  throw new XvaInputError([
    ...centuries.map((t) => ({
      file: tradesFile,
      ...(t.sourceRow !== undefined ? { row: t.sourceRow } : {}),
      column: t.product === 'EQOPT' ? 'expiry_date' : 'maturity_date',
      value: toIsoDate(tradeMaturity(t)),
      expected: `a date within ${PLAUSIBLE_LIFE_YEARS} years of the as-of date ${toIsoDate(asOf!)}: trade ${t.tradeId}'s netting set ${t.nettingSetId} simulated to it gives NaN or infinite exposures (a typo such as 2300 for 2030?)`,
    })),
    {
      file: marketFile !== undefined ? basename(marketFile) : 'the market file',
      column: [...[...currencies].sort().map((c) => `rates.${c}.hullWhite`), 'fx.vols', 'credit.model'].join(', '),
      value: `the simulation gives NaN or infinite exposures for ${bad.length} netting set(s) (${sets})`,
      expected:
        'model parameters under which simulated rates stay finite over the book\'s horizon: a Hull-White mean reversion near 0 to 0.1 ' +
        'and sigmas near the market\'s (e.g. 0.005-0.015; a negative mean reversion or a large sigma makes rates grow without bound), ' +
        'FX and equity vols and credit-model parameters near the market\'s; or, if those are right, amounts of those netting sets and ' +
        'their trades far beyond a book\'s (xva validate warns on implausible vols, rates, spreads and dates)',
    },
  ]);
}
