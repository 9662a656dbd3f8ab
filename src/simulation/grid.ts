/**
 * The simulation time grid (docs/simulation.md): the dates at which the market is simulated and netting sets are
 * valued. Three ways to get one:
 * - `defaultGrid(asOf, lastMaturity)`: weekly to 1M, monthly to 1Y, quarterly to 10Y, semi-annual after, until the
 *   first date on or after the book's last maturity (one step past it, so every trade is seen to leave);
 * - `--grid` specs (`parseGridSpec`): `default`, an ORE-style count and tenor (`81,6M`: 81 dates 6M apart), or a list
 *   of tenors from the as-of date (`1W,2W,1M,3M,1Y`);
 * - `withCloseOutDates(grid, mporDays)`: adds the close-out lag dates t − MPoR of collateralised netting sets.
 * Grid dates are calendar dates, not business-day adjusted; times are ACT/365F years from the as-of date (the
 * simulation's clock, `yearsBetween`).
 */
import { addBusinessDays } from '../conventions/calendar.js';
import { addTenor, parseTenor, tenorToString, toIsoDate, yearsBetween, type DateSerial, type Tenor } from '../conventions/dates.js';
import { XvaUsageError } from '../errors.js';
import type { TimeGrid } from './types.js';

/** A parsed `--grid` flag, independent of the as-of date (so flags are checked before any input is read). */
export type GridSpec =
  | { kind: 'default' }
  | { kind: 'count'; count: number; tenor: Tenor }
  | { kind: 'list'; tenors: Tenor[] };

const GRID_USAGE =
  "--grid takes 'default', a count and a tenor like '81,6M' (81 dates 6 months apart), " +
  "or a list of increasing tenors like '1W,2W,1M,3M,6M,1Y' (units D, W, M, Y)";

/** At most this many simulation dates: a guard against typos like `5000,1D` that would only exhaust memory. */
export const MAX_GRID_DATES = 2000;

function usage(problem: string): XvaUsageError {
  return new XvaUsageError(`${problem}: ${GRID_USAGE}`);
}

/** Parses a tenor of a grid spec; count 0 is refused (the as-of date is always the first grid date). */
function gridTenor(text: string, spec: string): Tenor {
  const tenor = parseTenor(text);
  if (!tenor || !/^\s*\d+\s*[DWMY]\s*$/i.test(text)) throw usage(`--grid ${spec}: '${text.trim()}' is not a tenor`);
  if (tenor.count <= 0) throw usage(`--grid ${spec}: tenor '${text.trim()}' must be positive`);
  return tenor;
}

/** Checks the syntax of a `--grid` value; throws XvaUsageError with the accepted forms. */
export function parseGridSpec(spec: string): GridSpec {
  const text = spec.trim();
  if (text === '') throw usage('--grid is empty');
  if (text.toLowerCase() === 'default') return { kind: 'default' };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw usage(`--grid ${spec}: an empty item`);
  if (parts.length === 2 && /^\d+$/.test(parts[0]!)) {
    const count = Number(parts[0]);
    if (count < 1 || count > MAX_GRID_DATES) throw usage(`--grid ${spec}: the count must be 1 to ${MAX_GRID_DATES}`);
    return { kind: 'count', count, tenor: gridTenor(parts[1]!, spec) };
  }
  if (/^\d+$/.test(parts[0]!)) throw usage(`--grid ${spec}: a count must be followed by exactly one tenor`);
  if (parts.length > MAX_GRID_DATES) throw usage(`--grid ${spec}: more than ${MAX_GRID_DATES} dates`);
  const tenors = parts.map((p) => gridTenor(p, spec));
  return { kind: 'list', tenors };
}

/** Builds the grid of a list of dates after the as-of date (all exposure dates; no close-out dates yet). */
function gridOf(asOf: DateSerial, later: readonly DateSerial[]): TimeGrid {
  const n = later.length + 1;
  const dates = new Int32Array(n);
  const times = new Float64Array(n);
  dates[0] = asOf;
  for (let i = 0; i < later.length; i++) {
    dates[i + 1] = later[i]!;
    times[i + 1] = yearsBetween(asOf, later[i]!);
  }
  return { asOf, dates, times, exposureDate: new Uint8Array(n).fill(1), lagIndex: new Map() };
}

/**
 * The default XVA grid: weekly dates (asOf + 7k days) before 1M, monthly 1M..12M, quarterly 15M..10Y, semi-annual
 * after 10Y; dates stop at the first one on or after `lastMaturity`, so the grid reaches one step past the book's
 * last maturity. The month dates are asOf + n months (day clamped to the month's length), unadjusted. With
 * `lastMaturity <= asOf` the grid is the as-of date and one week.
 */
export function defaultGrid(asOf: DateSerial, lastMaturity: DateSerial): TimeGrid {
  const later: DateSerial[] = [];
  const push = (date: DateSerial): boolean => {
    later.push(date);
    return date >= lastMaturity;
  };
  const oneMonth = addTenor(asOf, { count: 1, unit: 'M' });
  for (let week = 1; asOf + 7 * week < oneMonth; week++) if (push(asOf + 7 * week)) return gridOf(asOf, later);
  for (let months = 1; ; ) {
    if (push(addTenor(asOf, { count: months, unit: 'M' }))) return gridOf(asOf, later);
    if (later.length > MAX_GRID_DATES) throw new XvaUsageError(`the default grid would need more than ${MAX_GRID_DATES} dates to reach the book's last maturity ${toIsoDate(lastMaturity)}: is that trade's maturity wrong? (xva validate names the trades maturing more than 100 years after the as-of date; --grid sets other dates)`);
    months += months < 12 ? 1 : months < 120 ? 3 : 6;
  }
}

/** The grid of a parsed spec: `default` needs the book's last maturity; the other forms ignore it. */
export function gridFromSpec(spec: GridSpec, asOf: DateSerial, lastMaturity: DateSerial): TimeGrid {
  switch (spec.kind) {
    case 'default':
      return defaultGrid(asOf, lastMaturity);
    case 'count': {
      const later: DateSerial[] = [];
      for (let k = 1; k <= spec.count; k++) later.push(addTenor(asOf, { count: k * spec.tenor.count, unit: spec.tenor.unit }));
      return gridOf(asOf, later);
    }
    case 'list': {
      const later = spec.tenors.map((t) => addTenor(asOf, t));
      for (let i = 1; i < later.length; i++) {
        if (later[i]! <= later[i - 1]!) {
          throw usage(
            `--grid: tenor ${tenorToString(spec.tenors[i]!)} is not after ${tenorToString(spec.tenors[i - 1]!)}; the list must increase`,
          );
        }
      }
      return gridOf(asOf, later);
    }
  }
}

/** `parseGridSpec` then `gridFromSpec`. `lastMaturity` is needed only for `default` (defaults to asOf + 1 step). */
export function parseGrid(spec: string, asOf: DateSerial, lastMaturity: DateSerial = asOf): TimeGrid {
  return gridFromSpec(parseGridSpec(spec), asOf, lastMaturity);
}

/** Index of the last grid date on or before `date` (0 when `date` is on or before the as-of date). */
function lastIndexOnOrBefore(dates: Int32Array, date: DateSerial): number {
  let lo = 0;
  let hi = dates.length - 1;
  if (date >= dates[hi]!) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (dates[mid]! <= date) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The close-out grid for margin periods of risk (docs/simulation.md): for each distinct MPoR m (business days, > 0)
 * and each exposure date t > asOf, adds the lag date t − m business days (weekends-only calendar) unless it is on or
 * before the as-of date or already on the grid. Added dates have exposureDate = 0: they are simulated and valued (the
 * collateral at t is set from the value at t − MPoR) but not reported. `lagIndex.get(m)[d]` is the index of t − m
 * for an exposure date d (0 when t − m <= asOf); for a lag date itself it is the last grid date on or before its own
 * t − m (not used for exposure). Existing flags and lag maps of `grid` are kept (their indices are remapped).
 */
export function withCloseOutDates(grid: TimeGrid, mporDaysList: readonly number[]): TimeGrid {
  const mpors = [...new Set(mporDaysList)].filter((m) => m > 0).sort((a, b) => a - b);
  for (const m of mpors) if (!Number.isInteger(m)) throw new XvaUsageError(`a margin period of risk must be whole business days, got ${m}`);
  const { asOf } = grid;
  const exposure = new Map<DateSerial, number>();
  for (let d = 0; d < grid.dates.length; d++) exposure.set(grid.dates[d]!, grid.exposureDate[d]!);
  for (const m of mpors) {
    for (let d = 1; d < grid.dates.length; d++) {
      if (grid.exposureDate[d] !== 1) continue;
      const lag = addBusinessDays(grid.dates[d]!, -m);
      if (lag > asOf && !exposure.has(lag)) exposure.set(lag, 0);
    }
  }
  const sorted = [...exposure.keys()].sort((a, b) => a - b);
  const n = sorted.length;
  const dates = Int32Array.from(sorted);
  const times = new Float64Array(n);
  const exposureDate = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    times[i] = yearsBetween(asOf, dates[i]!);
    exposureDate[i] = exposure.get(dates[i]!)!;
  }
  const lagIndex = new Map<number, Int32Array>();
  // keep lag maps already on the grid (remapped to the new indices) unless recomputed below
  for (const [m, old] of grid.lagIndex) {
    if (mpors.includes(m)) continue;
    const remapped = new Int32Array(n);
    for (let i = 0; i < n; i++) remapped[i] = lastIndexOnOrBefore(dates, grid.dates[old[lastIndexOnOrBefore(grid.dates, dates[i]!)]!]!);
    lagIndex.set(m, remapped);
  }
  for (const m of mpors) {
    const lags = new Int32Array(n);
    for (let i = 1; i < n; i++) lags[i] = lastIndexOnOrBefore(dates, addBusinessDays(dates[i]!, -m));
    lagIndex.set(m, lags);
  }
  return { asOf, dates, times, exposureDate, lagIndex };
}

/** Grid indices of the exposure dates (exposureDate = 1), in order. */
export function exposureIndices(grid: TimeGrid): Int32Array {
  let count = 0;
  for (let d = 0; d < grid.exposureDate.length; d++) count += grid.exposureDate[d]!;
  const out = new Int32Array(count);
  for (let d = 0, k = 0; d < grid.exposureDate.length; d++) if (grid.exposureDate[d] === 1) out[k++] = d;
  return out;
}
