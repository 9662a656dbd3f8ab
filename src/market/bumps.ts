/**
 * Bumped markets: the market with one kind of input shifted (zero rates of a currency, an FX spot, the vols of a
 * currency, equities, credit names), as overlays that delegate everything else to the original. Used by the SA-CVA
 * bump-and-revalue (capital/sacvaSensitivities.ts, rules and MAR50 references there). A bump is also plain data
 * (`MarketBump`) so that the engine's worker threads, which load the market file themselves, rebuild the very same
 * bumped market (`applyMarketBump`): a bumped run then uses every core and gives the bits of a one-thread run.
 */
import type { Currency } from '../products/types.js';
import { bootstrapCurrencyOf, rediscountedCurve, shockedCurve } from '../xva/credit.js';
import { buildHazardCurve } from './hazard.js';
import type { CreditProxyEntry } from './market.js';
import type { EquityData, HazardCurve, HullWhiteParams, Market, ProxyCurveKey, SwaptionVolSurface, YieldCurve } from './types.js';

export const IR_TENOR_YEARS = [1, 2, 5, 10, 30];

/** Zero-rate shift at t of a triangular bump at tenor j (flat beyond the first and last tenor); j < 0: parallel. */
export function tenorBumpWeight(tYears: number, j: number): number {
  if (j < 0) return 1;
  const x = IR_TENOR_YEARS;
  const last = x.length - 1;
  if (tYears <= x[0]!) return j === 0 ? 1 : 0;
  if (tYears >= x[last]!) return j === last ? 1 : 0;
  let i = 0;
  while (tYears > x[i + 1]!) i++;
  const w = (tYears - x[i]!) / (x[i + 1]! - x[i]!);
  return j === i ? 1 - w : j === i + 1 ? w : 0;
}

function bumpedCurve(curve: YieldCurve, shift: number, j: number): YieldCurve {
  const b = (t: number) => shift * tenorBumpWeight(t, j);
  const discount = (t: number) => curve.discount(t) * Math.exp(-b(t) * t);
  return {
    name: curve.name,
    currency: curve.currency,
    discount,
    zeroRate: (t: number) => curve.zeroRate(t) + b(t),
    forwardRate: (t1: number, t2: number, tau: number) => (discount(t1) / discount(t2) - 1) / tau,
    pillarTimes: curve.pillarTimes,
    pillarZeroRates: Float64Array.from(curve.pillarZeroRates, (z, i) => z + b(curve.pillarTimes[i]!)),
  };
}

/** Days between the nodes withWeeklyNodes adds. */
const NODE_DAYS = 7;

/**
 * How far a curve's bootstrap reads the discount curve: its last hazard node (the last quote's standard maturity) and
 * the days after it that a coupon date rolled to a business day and the accrual end (maturity + 1) may add.
 */
const bootstrapYears = (h: HazardCurve): number => (h.times[h.times.length - 1] ?? 0) + 5 / 365;

/**
 * The curve with nodes every 7 days up to `years` (and at the bump tenors) beside its pillars, for the ISDA bootstrap,
 * which takes a discount curve as flat-forward between its pillars and the coupon dates (market/cdsIsda.ts). The base
 * curve is flat-forward between its pillars (log-linear), so that is exact for it; a triangular bump is not, and with
 * the quarterly coupon dates alone as nodes the tenor deltas that come from the hazards were a few % off (their sum, a
 * parallel bump, exact) against a market file with the moved rates written weekly, which the loader bootstraps on.
 */
function withWeeklyNodes(curve: YieldCurve, years: number): YieldCurve {
  const times = new Set(curve.pillarTimes);
  for (let d = NODE_DAYS; d / 365 <= years; d += NODE_DAYS) times.add(d / 365);
  for (const t of IR_TENOR_YEARS) if (t <= years) times.add(t);
  const pillarTimes = Float64Array.from([...times].sort((a, b) => a - b));
  return {
    name: curve.name,
    currency: curve.currency,
    discount: (t: number) => curve.discount(t),
    zeroRate: (t: number) => curve.zeroRate(t),
    forwardRate: (t1: number, t2: number, tau: number) => curve.forwardRate(t1, t2, tau),
    pillarTimes,
    pillarZeroRates: Float64Array.from(pillarTimes, (t) => curve.zeroRate(t)),
  };
}

/** Per market, each curve bootstrapped again on its own unmoved OIS curve read at weekly nodes (`movedHazards`). */
const weeklyRebuilds = new WeakMap<Market, WeakMap<HazardCurve, HazardCurve>>();

/**
 * The curve `h` of `market` under a move of the OIS curve `discount` it was bootstrapped on (`moved`: that curve
 * shifted): its hazards plus the change the move makes to them, each bootstrapped from the unchanged quotes on the
 * curve read at weekly nodes (withWeeklyNodes), moved less unmoved. A zero move gives back `h` to the bit, whatever
 * the curve's interpolation (a monotone convex curve is not flat-forward between its pillars, so its weekly rebuild
 * differs a little from the loader's curve: only the move's change is taken from it).
 */
function movedHazards(h: HazardCurve, market: Market, discount: YieldCurve, moved: YieldCurve): HazardCurve {
  const years = bootstrapYears(h);
  let byCurve = weeklyRebuilds.get(market);
  if (!byCurve) weeklyRebuilds.set(market, (byCurve = new WeakMap()));
  let unmoved = byCurve.get(h);
  // a curve near a zero hazard (a longer quote just above what a zero hazard after the shorter ones gives) may need a
  // negative hazard on the moved rates: floored at 0 there, as the credit stresses floor it (xva/credit.ts
  // shockedCurve), not a failed run (an audit found `xva capital` stopping as an internal error on a market that loads)
  const floor = () => undefined;
  if (!unmoved) byCurve.set(h, (unmoved = rediscountedCurve(h, market, withWeeklyNodes(discount, years), floor)));
  const after = rediscountedCurve(h, market, withWeeklyNodes(moved, years), floor);
  if (after.hazards.length !== h.hazards.length || unmoved.hazards.length !== h.hazards.length) return after;
  // the bootstrap's own floor: no negative hazard
  const hazards = Float64Array.from(h.hazards, (x, i) => Math.max(0, x + (after.hazards[i]! - unmoved.hazards[i]!)));
  return buildHazardCurve({ name: h.name, recovery: h.recovery, times: h.times, hazards, quoteTenorsYears: h.quoteTenorsYears, quoteSpreadsBp: h.quoteSpreadsBp });
}

/** The market with some methods replaced (the rest delegate to the original, `this` kept). */
export function overlay(market: Market, overrides: Partial<Market>): Market {
  return new Proxy(market, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Every curve of `ccy` (discount, collateral discount, projection) shifted by `shift` with bump shape j, and every
 * credit curve bootstrapped on `ccy`'s OIS curve (credit names and proxies) bootstrapped again from its unchanged par
 * spreads on the shifted one. MAR50.47: a sensitivity moves one risk factor and holds the others, the
 * credit spreads among them; the hazards are not the quoted factor but follow from the spreads and the rates, as
 * the loader builds them from a market file whose rates are moved by hand (`xva cva` on it). Until an audit (helper
 * 142) the hazards were held instead: a EUR-quoted counterparty curve gave a EUR 5Y CVA delta of 0 against 2,038.6 by
 * hand. A curve no currency's OIS curve gives back (built in code from its hazards) is left as it is, and so is the
 * bank's own curve: the bumped CVA is unilateral (SA-CVA's regulatory CVA), without the bank's survival.
 */
export function irBumpedMarket(market: Market, ccy: Currency, shift: number, j: number): Market {
  const cache = new Map<YieldCurve, YieldCurve>();
  const bump = (c: YieldCurve) => {
    if (c.currency !== ccy) return c;
    let b = cache.get(c);
    if (!b) cache.set(c, (b = bumpedCurve(c, shift, j)));
    return b;
  };
  const hazards = new Map<HazardCurve, HazardCurve>();
  const credit = (h: HazardCurve): HazardCurve => {
    let b = hazards.get(h);
    if (!b) {
      // a triangle that starts after the last standard maturity moves none of the rates the bootstrap reads
      const reaches = j <= 0 || IR_TENOR_YEARS[j - 1]! < bootstrapYears(h);
      b = reaches && bootstrapCurrencyOf(h, market) === ccy ? movedHazards(h, market, market.discountCurve(ccy), bump(market.discountCurve(ccy))) : h;
      hazards.set(h, b);
    }
    return b;
  };
  const overrides: Partial<Market> & { readonly creditProxies?: readonly CreditProxyEntry[] } = {
    discountCurve: (c: Currency) => bump(market.discountCurve(c)),
    collateralDiscountCurve: (c: Currency, coll: Currency) => bump(market.collateralDiscountCurve(c, coll)),
    projectionCurve: (index: string) => bump(market.projectionCurve(index)),
    creditCurve: (name: string) => credit(market.creditCurve(name)),
    proxyCreditCurve: (key: ProxyCurveKey) => {
      const proxy = market.proxyCreditCurve(key);
      return { ...proxy, curve: credit(proxy.curve) };
    },
  };
  // the simulation resolves a proxy's name through the market's list (simulation/crossAsset/model.ts)
  const proxies = (market as { creditProxies?: readonly CreditProxyEntry[] }).creditProxies;
  if (proxies) Object.defineProperty(overrides, 'creditProxies', { enumerable: true, get: () => proxies.map((p) => ({ ...p, curve: credit(p.curve) })) });
  return overlay(market, overrides);
}

/** The spot of `ccy` in the base currency × (1 + relative); crosses follow. */
export function fxBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  const m = (c: Currency) => (c === ccy ? 1 + relative : 1);
  return overlay(market, { fxSpot: (a: Currency, b: Currency) => (market.fxSpot(a, b) * m(a)) / m(b) });
}

/** Every Hull-White sigma, swaption quote vol and caplet vol of `ccy` × (1 + relative); other currencies unchanged. */
export function irVolBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  let hw: HullWhiteParams | undefined | null = null;
  // a vol surface of ccy with every quote scaled, made once on first use
  const scaled = (read: (c: Currency) => SwaptionVolSurface | undefined) => {
    let made: SwaptionVolSurface | undefined | null = null;
    return (c: Currency) => {
      if (c !== ccy) return read(c);
      if (made === null) {
        const v = read(c);
        made = v && { ...v, quotes: v.quotes.map((q) => ({ ...q, vol: q.vol * (1 + relative) })) };
      }
      return made;
    };
  };
  return overlay(market, {
    hullWhite: (c: Currency) => {
      if (c !== ccy) return market.hullWhite(c);
      if (hw === null) {
        const p = market.hullWhite(c);
        hw = p && { ...p, sigmas: Float64Array.from(p.sigmas, (s) => s * (1 + relative)) };
      }
      return hw;
    },
    swaptionVols: scaled((c) => market.swaptionVols(c)),
    capFloorVols: scaled((c) => market.capFloorVols(c)),
  });
}

/** fxVol of every pair with `ccy` on one side × (1 + relative). */
export function fxVolBumpedMarket(market: Market, ccy: Currency, relative: number): Market {
  return overlay(market, {
    fxVol: (a: Currency, b: Currency, t: number) => market.fxVol(a, b, t) * (a === ccy || b === ccy ? 1 + relative : 1),
  });
}

/** The spots (× 1 + spotRelative) and vols (× 1 + volRelative) of the named equities. */
export function equityBumpedMarket(market: Market, names: readonly string[], spotRelative: number, volRelative: number): Market {
  const set = new Set(names);
  const cache = new Map<string, EquityData>();
  return overlay(market, {
    equity: (name: string) => {
      if (!set.has(name)) return market.equity(name);
      let e = cache.get(name);
      if (!e) {
        const d = market.equity(name);
        e = { ...d, spot: d.spot * (1 + spotRelative), vols: Float64Array.from(d.vols, (v) => v * (1 + volRelative)) };
        cache.set(name, e);
      }
      return e;
    },
    equityVol: (name: string, t: number) => market.equityVol(name, t) * (set.has(name) ? 1 + volRelative : 1),
  });
}

/** The credit curves of the named entities with every quoted spread + shiftBp, bootstrapped again. */
export function referenceCreditBumpedMarket(market: Market, names: readonly string[], shiftBp: number): Market {
  const set = new Set(names);
  const discounts = new Map<HazardCurve, YieldCurve>();
  const cache = new Map<string, HazardCurve>();
  return overlay(market, {
    creditCurve: (name: string) => {
      if (!set.has(name)) return market.creditCurve(name);
      let c = cache.get(name);
      if (!c) cache.set(name, (c = shockedCurve(market.creditCurve(name), market, shiftBp, discounts)));
      return c;
    },
  });
}

/** A bump as data (JSON-serialisable: it crosses to the worker threads). */
export type MarketBump =
  | { kind: 'ir'; currency: Currency; shift: number; tenorIndex: number }
  | { kind: 'fx'; currency: Currency; relative: number }
  | { kind: 'irVol'; currency: Currency; relative: number }
  | { kind: 'fxVol'; currency: Currency; relative: number }
  | { kind: 'equity'; names: string[]; spotRelative: number; volRelative: number }
  | { kind: 'referenceCredit'; names: string[]; shiftBp: number };

/** The bumped market a `MarketBump` describes. */
export function applyMarketBump(market: Market, bump: MarketBump): Market {
  switch (bump.kind) {
    case 'ir':
      return irBumpedMarket(market, bump.currency, bump.shift, bump.tenorIndex);
    case 'fx':
      return fxBumpedMarket(market, bump.currency, bump.relative);
    case 'irVol':
      return irVolBumpedMarket(market, bump.currency, bump.relative);
    case 'fxVol':
      return fxVolBumpedMarket(market, bump.currency, bump.relative);
    case 'equity':
      return equityBumpedMarket(market, bump.names, bump.spotRelative, bump.volRelative);
    case 'referenceCredit':
      return referenceCreditBumpedMarket(market, bump.names, bump.shiftBp);
  }
}
