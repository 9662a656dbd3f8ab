/**
 * The `fixings` section of the market file: past fixings by index and fixing date (docs/market.md). A term-index
 * coupon whose period began on or before the as-of date takes its index's fixing on the period's start (the engine fixes
 * term rates at the period's start, no fixing lag), an overnight-index coupon its daily fixings compounded to today
 * (pricing/legs.ts overnightAccrual), instead of today's forward over the same length.
 */
import type { DateSerial } from '../conventions/dates.js';
import { toIsoDate } from '../conventions/dates.js';
import { sectionEntries, type LoadContext } from './loadCommon.js';
import { child } from './yamlReader.js';

/** Fixings by index name, then by fixing date. */
export type FixingsSection = Map<string, Map<DateSerial, number>>;

export function readFixings(ctx: LoadContext, value: unknown, projectionNames: ReadonlySet<string>, fxCurrencies: ReadonlySet<string>): FixingsSection {
  const r = ctx.reader;
  const out: FixingsSection = new Map();
  for (const [index, spec] of sectionEntries(ctx, value, 'fixings', 'a mapping of index name to a list of { date, rate }') ?? []) {
    const path = child('fixings', index);
    // an FX rate, units of the second currency per one of the first (the resets of mark-to-market swaps)
    const pair = /^FX-([A-Z]{3})-([A-Z]{3})$/.exec(index);
    if (pair !== null) {
      const unknown = [pair[1]!, pair[2]!].filter((c) => c !== ctx.base && !fxCurrencies.has(c));
      if (unknown.length > 0 || pair[1] === pair[2]) {
        r.issue(path, index, `FX-<CCY>-<CCY> with two different currencies of the fx section or the base currency (${unknown.join(', ') || pair[1]} is not)`);
        continue;
      }
    } else if (!projectionNames.has(index)) {
      r.issue(path, index, `an index with a projection curve (curves.projection: ${[...projectionNames].join(', ') || 'none'}), or an FX rate FX-<CCY>-<CCY>`);
      continue;
    }
    const list = r.list(spec, path, 'a non-empty list of { date, rate }');
    if (!list) continue;
    const byDate = new Map<DateSerial, number>();
    list.forEach((item, i) => {
      const p = child(path, i);
      const q = r.map(item, p, 'a fixing { date: 2026-03-16, rate: 0.0213 }');
      if (!q) return;
      r.keys(q, p, ['date', 'rate'], 'fixing keys');
      const date = r.date(q.date, child(p, 'date'));
      const rate = r.number(q.rate, child(p, 'rate'), 'the fixed rate as a decimal (0.0213 = 2.13%)');
      if (date === undefined || rate === undefined) return;
      if (pair !== null && !(rate > 0)) {
        r.issue(child(p, 'rate'), String(rate), `a positive FX rate (units of ${pair[2]} per ${pair[1]})`);
        return;
      }
      if (ctx.asOf !== undefined && date > ctx.asOf) {
        r.issue(child(p, 'date'), toIsoDate(date), `a fixing date on or before the as-of date ${toIsoDate(ctx.asOf)} (a future rate is a forward, from the curve)`);
        return;
      }
      if (byDate.has(date)) {
        r.issue(child(p, 'date'), toIsoDate(date), `one fixing per date (${toIsoDate(date)} is given twice)`);
        return;
      }
      byDate.set(date, rate);
    });
    out.set(index, byDate);
    // both directions of a pair (FX-EUR-USD and FX-USD-EUR) on one date must be each other's inverse: a reset reads
    // whichever direction it asks for
    const inverse = pair !== null ? out.get(`FX-${pair[2]}-${pair[1]}`) : undefined;
    for (const [date, rate] of inverse ? byDate : []) {
      const other = inverse!.get(date);
      if (other !== undefined && Math.abs(rate * other - 1) > 1e-6)
        r.issue(path, `${toIsoDate(date)}: ${rate}`, `the inverse of FX-${pair![2]}-${pair![1]}'s ${other} on that date (${(1 / other).toPrecision(6)}), or one direction only`);
    }
  }
  return out;
}
