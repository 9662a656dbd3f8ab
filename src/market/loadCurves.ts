/**
 * The `curves` section of the market file: OIS discount curves, projection curves per float index and
 * cross-currency basis (docs/market.md). Pillars are zero rates (continuously compounded, ACT/365F) or discount
 * factors, converted here to zero rates r = -ln(P) / t.
 */
import { isCurrency, type Currency } from '../products/types.js';
import { buildYieldCurve, multiplyCurves, zeroRateFromDiscountFactor } from './curves.js';
import { MAX_MARKET_RATE, MAX_MARKET_SPREAD_BP, readCurrency, readCurrencyKey, readPillars, sectionEntries, type LoadContext } from './loadCommon.js';
import type { Interpolation, YieldCurve } from './types.js';
import type { XccyBasisEntry } from './market.js';
import { child, type YamlMap } from './yamlReader.js';

export const INTERPOLATIONS: readonly Interpolation[] = ['logLinear', 'monotoneConvex'];

export interface CurvesSection {
  discount: Map<Currency, YieldCurve>;
  projection: Map<string, YieldCurve>;
  /** Discount curve of the key currency collateralised in `against`. */
  xccyBasis: Map<Currency, XccyBasisEntry>;
}

/** Name of the OIS discount curve of a currency in reports. */
export function discountCurveName(currency: Currency): string {
  return `${currency}-OIS`;
}

function readZeroRatePillars(
  ctx: LoadContext,
  curveMap: YamlMap,
  path: string,
): { times: Float64Array; zeroRates: Float64Array } | undefined {
  const r = ctx.reader;
  const pillars = readPillars(ctx, curveMap.pillars, child(path, 'pillars'), {
    valueKeys: ['zeroRate', 'discountFactor'],
    readValue: (pillar, p, time) => {
      if (pillar.zeroRate !== undefined && pillar.discountFactor !== undefined) {
        r.issue(child(p, 'discountFactor'), pillar.discountFactor, 'either zeroRate or discountFactor, not both');
        return undefined;
      }
      if (pillar.discountFactor !== undefined) {
        const df = r.numberWhere(pillar.discountFactor, child(p, 'discountFactor'), (x) => x > 0, 'a positive discount factor');
        if (df === undefined || time === undefined) return undefined;
        const zero = zeroRateFromDiscountFactor(df, time);
        if (Math.abs(zero) > MAX_MARKET_RATE) {
          r.issue(child(p, 'discountFactor'), pillar.discountFactor, `a discount factor whose zero rate is at most ${MAX_MARKET_RATE} (1,000%) in size: it gives ${zero.toPrecision(4)}`);
          return undefined;
        }
        return zero;
      }
      if (pillar.zeroRate === undefined) {
        r.issue(child(p, 'zeroRate'), undefined, 'a zeroRate (decimal, continuously compounded) or a discountFactor');
        return undefined;
      }
      return r.numberWhere(pillar.zeroRate, child(p, 'zeroRate'), (x) => Math.abs(x) <= MAX_MARKET_RATE, `a zero rate (decimal, continuously compounded) at most ${MAX_MARKET_RATE} (1,000%) in size`);
    },
  });
  if (!pillars || ctx.asOf === undefined) return undefined;
  return { times: Float64Array.from(pillars.times), zeroRates: Float64Array.from(pillars.values) };
}

function readInterpolation(ctx: LoadContext, value: unknown, path: string, fallback: Interpolation): Interpolation {
  if (value === undefined) return fallback;
  return ctx.reader.oneOf(value, path, INTERPOLATIONS, 'an interpolation') ?? fallback;
}

export function readCurves(ctx: LoadContext, value: unknown): CurvesSection {
  const r = ctx.reader;
  const out: CurvesSection = { discount: new Map(), projection: new Map(), xccyBasis: new Map() };
  const curves = r.map(value, 'curves', 'a mapping with discount (required), projection, xccyBasis, interpolation');
  if (!curves) return out;
  r.keys(curves, 'curves', ['interpolation', 'discount', 'projection', 'xccyBasis'], 'curves keys');
  const defaultInterpolation = readInterpolation(ctx, curves.interpolation, 'curves.interpolation', 'logLinear');

  const discount = sectionEntries(ctx, curves.discount, 'curves.discount', 'a mapping of currency to curve');
  for (const [key, spec] of discount ?? []) {
    const path = child('curves.discount', key);
    const currency = readCurrencyKey(ctx, key, path);
    if (currency) ctx.discountCurrencies.add(currency);
    const curveMap = r.map(spec, path, 'a curve mapping with pillars (and optional interpolation)');
    if (!curveMap) continue;
    r.keys(curveMap, path, ['pillars', 'interpolation'], 'discount curve keys');
    const interpolation = readInterpolation(ctx, curveMap.interpolation, child(path, 'interpolation'), defaultInterpolation);
    const pillars = readZeroRatePillars(ctx, curveMap, path);
    if (currency && pillars) {
      out.discount.set(currency, buildYieldCurve({ name: discountCurveName(currency), currency, interpolation, ...pillars }));
    }
  }
  if (ctx.base !== undefined && discount !== undefined && !discount.some(([key]) => key === ctx.base)) {
    r.issue(child('curves.discount', ctx.base), undefined, `a discount curve for the base currency ${ctx.base}`);
  }

  const projection = sectionEntries(ctx, curves.projection, 'curves.projection', 'a mapping of float index to curve');
  for (const [index, spec] of projection ?? []) {
    const path = child('curves.projection', index);
    const curveMap = r.map(spec, path, 'a curve mapping with pillars (and optional interpolation, currency)');
    if (!curveMap) continue;
    r.keys(curveMap, path, ['pillars', 'interpolation', 'currency'], 'projection curve keys');
    let currency: Currency | undefined;
    if (curveMap.currency !== undefined) {
      currency = readCurrency(ctx, curveMap.currency, child(path, 'currency'));
    } else {
      const prefix = index.split('-')[0]!;
      if (isCurrency(prefix) && index.length > 4) currency = prefix;
      else r.issue(path, index, 'a float index named after its currency, e.g. USD-SOFR or EUR-EURIBOR-6M (or give currency:)');
    }
    const interpolation = readInterpolation(ctx, curveMap.interpolation, child(path, 'interpolation'), defaultInterpolation);
    const pillars = readZeroRatePillars(ctx, curveMap, path);
    if (currency && pillars) out.projection.set(index, buildYieldCurve({ name: index, currency, interpolation, ...pillars }));
  }

  readXccyBasis(ctx, curves.xccyBasis, out);
  return out;
}

/** Cross-currency basis: P_ccy,coll(t) = P_ccy(t) * exp(-s(t) t), s(t) t linear between pillars (flat forward spread). */
function readXccyBasis(ctx: LoadContext, value: unknown, out: CurvesSection): void {
  const r = ctx.reader;
  const entries = sectionEntries(ctx, value, 'curves.xccyBasis', 'a mapping of currency to basis spreads');
  for (const [key, spec] of entries ?? []) {
    const path = child('curves.xccyBasis', key);
    const currency = readCurrencyKey(ctx, key, path);
    const basis = r.map(spec, path, 'a mapping with against (the collateral currency) and pillars of spreadBp');
    if (!basis) continue;
    r.keys(basis, path, ['against', 'pillars'], 'xccyBasis keys');
    let against: Currency | undefined;
    if (basis.against === undefined) {
      r.issue(child(path, 'against'), undefined, 'the collateral currency the basis is quoted against, e.g. USD');
    } else {
      against = readCurrency(ctx, basis.against, child(path, 'against'));
    }
    if (currency && against === currency) {
      r.issue(child(path, 'against'), against, `a collateral currency other than ${currency}`);
      against = undefined;
    }
    if (currency && !ctx.discountCurrencies.has(currency)) {
      r.issue(path, key, `a currency with a discount curve (curves.discount.${key})`);
    }
    if (against && !ctx.discountCurrencies.has(against)) {
      r.issue(child(path, 'against'), against, `a currency with a discount curve (curves.discount.${against})`);
    }
    const pillars = readPillars(ctx, basis.pillars, child(path, 'pillars'), {
      valueKeys: ['spreadBp'],
      readValue: (pillar, p) =>
        r.numberWhere(pillar.spreadBp, child(p, 'spreadBp'), (x) => Math.abs(x) <= MAX_MARKET_SPREAD_BP, `a basis spread in bp at most ${MAX_MARKET_SPREAD_BP.toLocaleString('en-US')}bp in size`),
    });
    const ois = currency ? out.discount.get(currency) : undefined;
    if (currency && against && ois && out.discount.has(against) && pillars && ctx.asOf !== undefined) {
      const spread = buildYieldCurve({
        name: `${currency}-${against}-BASIS`,
        currency,
        times: Float64Array.from(pillars.times),
        zeroRates: Float64Array.from(pillars.values, (bp) => bp / 1e4),
        interpolation: 'logLinear',
      });
      out.xccyBasis.set(currency, {
        against,
        curve: multiplyCurves(`${currency}-CSA-${against}`, ois, spread),
        pillarTimes: Float64Array.from(pillars.times),
        spreadsBp: Float64Array.from(pillars.values),
      });
    }
  }
}
