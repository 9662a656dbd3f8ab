/**
 * SA-CVA's IR delta holds the credit spreads (MAR50.47), from helper 142's audit: an IR bump moved the discount and
 * projection curves of a currency but left every hazard curve bootstrapped on that currency's OIS curve as it was, so
 * a counterparty curve, a proxy or a CDS reference name quoted in EUR gave the CVA no EUR delta through its hazards
 * (the audit's small book: EUR 5Y delta 0 against 2,038.6 by hand, EUR 10Y 0 against 1,815.2). Loading a market file
 * whose rates are moved bootstraps the hazards again from the unchanged par spreads, and so must the bump.
 *
 * Book: three unmargined USD netting sets whose only EUR dependence is a credit curve bootstrapped on the EUR OIS
 * curve, one per route: NS_A_UNC (CP_BANK_A, its own curve BANK_ALPHA, currency EUR), NS_B (CP_CORP_B, the consumer
 * BBB proxy, given currency EUR here) and NS_C (CP_SOV_C, a USD proxy, holding a bought USD CDS on GLOBEX_SA, a EUR
 * curve the simulation prices the CDS on). No trade pays in EUR, so before the fix the book had no EUR record at all.
 *
 * Reference (a second method): `xva cva` (runXva, unilateral, mid-point, the same paths, seed and grid) on market files
 * whose three EUR curves are written out by hand as dense dated pillars (every 7 days, the MAR50.55 tenors' dates
 * 365·k days on, the curves' own pillars), each zero rate the base curve's at that date + 1bp × the triangular weight
 * of the tenor, written here from MAR50.55: 1 at the tenor, linear to 0 at the neighbouring tenors, flat beyond 1Y and
 * 30Y. The loader bootstraps the hazards on those curves itself. The delta is taken against the same dense file
 * unbumped (1bp × weight 0), as the audit's dense.py did.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCapital, type CapitalRun, type CapitalRunOptions } from '../src/capital/run.js';
import { computeCvaComponents, sensitivityPlan } from '../src/capital/sacvaSensitivities.js';
import { toIsoDate } from '../src/conventions/dates.js';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { irBumpedMarket, irVolBumpedMarket } from '../src/market/bumps.js';
import { parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import type { Currency } from '../src/products/types.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { exposureSetsOf } from '../src/xva/compute.js';
import { creditInputs } from '../src/xva/credit.js';
import { runXva } from '../src/xva/run.js';

const SMALL = path.resolve('test/data/small');
const PATHS = 200;
const SEED = 7;
const GRID = '44,3M';
const XVA = { discretisation: 'mid', mode: 'unilateral' } as const;
const EUR_CURVES = { discount: ['EUR'], projection: ['EUR-ESTR', 'EUR-EURIBOR-6M'] };
const TENORS_YEARS = [1, 2, 5, 10, 30];
const TENOR_LABELS = ['1Y', '2Y', '5Y', '10Y', '30Y'];

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const lines = (file: string, keep: (line: string) => boolean) => fs.readFileSync(path.join(SMALL, file), 'utf8').trimEnd().split('\n').filter((l, i) => i === 0 || keep(l));

function book(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-sacva-ir-credit-'));
  temps.push(dir);
  const market = fs.readFileSync(path.join(SMALL, 'market.yaml'), 'utf8');
  const proxy = '- { sector: consumer, rating: BBB, recovery: 0.40,';
  expect(market).toContain(proxy);
  expect(market).toMatch(/BANK_ALPHA:\n\s+currency: EUR/);
  expect(market).toMatch(/GLOBEX_SA:\n\s+currency: EUR/);
  fs.writeFileSync(path.join(dir, 'market.yaml'), market.replace(proxy, '- { sector: consumer, rating: BBB, currency: EUR, recovery: 0.40,'));
  fs.writeFileSync(path.join(dir, 'counterparties.csv'), lines('counterparties.csv', (l) => /^CP_(BANK_A|CORP_B|SOV_C),/.test(l)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'netting_sets.csv'), lines('netting_sets.csv', (l) => /^NS_(A_UNC|B|C),/.test(l)).join('\n') + '\n');
  const [header, swap, cds] = lines('trades.csv', (l) => /^(T001|T018),/.test(l));
  expect(swap).toMatch(/^T001,CP_BANK_A,NS_A_CSA,IRS,pay,USD,/);
  expect(cds).toMatch(/^T018,CP_BANK_A,NS_A_CSA,CDS,buy,USD,.*,ACME_CORP,/);
  const trades = [
    header,
    swap!.replace('T001,CP_BANK_A,NS_A_CSA,', 'T001,CP_BANK_A,NS_A_UNC,'),
    swap!.replace('T001,CP_BANK_A,NS_A_CSA,', 'T002,CP_CORP_B,NS_B,'),
    cds!.replace('T018,CP_BANK_A,NS_A_CSA,', 'T003,CP_SOV_C,NS_C,').replace(',ACME_CORP,', ',GLOBEX_SA,'),
  ];
  fs.writeFileSync(path.join(dir, 'trades.csv'), trades.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade\nGLOBEX_SA,single_name,BB,\n');
  return dir;
}

/** MAR50.55's triangular weight of tenor j at t years (1 at the tenor, 0 at the neighbours, flat beyond the ends). */
function weight(t: number, j: number): number {
  const x = TENORS_YEARS;
  if (t <= x[0]!) return j === 0 ? 1 : 0;
  if (t >= x[x.length - 1]!) return j === x.length - 1 ? 1 : 0;
  if (j > 0 && t > x[j - 1]! && t <= x[j]!) return (t - x[j - 1]!) / (x[j]! - x[j - 1]!);
  if (j < x.length - 1 && t >= x[j]! && t < x[j + 1]!) return (x[j + 1]! - t) / (x[j + 1]! - x[j]!);
  return 0;
}

/** The market file with the EUR curves as dense dated pillars, each zero rate + shift × weight(t, j). */
function movedMarket(text: string, base: Market, shift: number, j: number): string {
  const doc = parse(text) as { curves: Record<'discount' | 'projection', Record<string, { pillars: unknown[] }>> };
  for (const kind of ['discount', 'projection'] as const) {
    for (const name of EUR_CURVES[kind]) {
      const curve = kind === 'discount' ? base.discountCurve(name as Currency) : base.projectionCurve(name);
      const lastDays = Math.round(curve.pillarTimes[curve.pillarTimes.length - 1]! * 365);
      const days = new Set<number>();
      for (let d = 7; d <= lastDays; d += 7) days.add(d);
      for (const t of TENORS_YEARS) if (t * 365 <= lastDays) days.add(t * 365);
      for (const t of curve.pillarTimes) days.add(Math.round(t * 365));
      doc.curves[kind][name]!.pillars = [...days]
        .sort((a, b) => a - b)
        .map((d) => ({ date: toIsoDate(base.asOf + d), zeroRate: -Math.log(curve.discount(d / 365)) / (d / 365) + shift * weight(d / 365, j) }));
    }
  }
  return stringify(doc);
}

function capitalOptions(dir: string, threads: number): CapitalRunOptions {
  return { portfolioDir: dir, marketFile: path.join(dir, 'market.yaml'), convention: 'cre52', kva: true, sacva: true, paths: PATHS, seed: SEED, threads, grid: parseGridSpec(GRID), scenarios: [] };
}

describe('SA-CVA IR delta re-bootstraps the credit curves quoted in the bumped currency (MAR50.47)', () => {
  let dir: string;
  let run: CapitalRun;
  /** Per tenor j: the CVA of every netting set by hand on the moved file, and on the dense file unmoved. */
  const byHand: Map<string, number>[] = [];
  let byHandBase: Map<string, number>;
  beforeAll(async () => {
    dir = book();
    run = await runCapital(capitalOptions(dir, 1));
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    const base = parseMarket(text, 'market.yaml');
    const cvaOn = async (marketText: string, name: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, marketText);
      const xva = await runXva({ portfolioDir: dir, marketFile: file, paths: PATHS, seed: SEED, grid: parseGridSpec(GRID), threads: 1, xva: XVA, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [] });
      return new Map(xva.result.nettingSets.map((n) => [n.nettingSetId, n.cva]));
    };
    byHandBase = await cvaOn(movedMarket(text, base, 0, 0), 'market-dense.yaml');
    for (let j = 0; j < TENORS_YEARS.length; j++) byHand.push(await cvaOn(movedMarket(text, base, 1e-4, j), `market-eur-${TENOR_LABELS[j]}.yaml`));
  }, 300_000);

  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  it('the dense file unmoved is the market file (the base CVA of the run to 1e-9)', () => {
    expect(Math.abs(sum(byHandBase) - run.saCva!.sensitivities!.baseCva)).toBeLessThan(1e-9 * run.saCva!.sensitivities!.baseCva);
  });

  // Tolerance: the file's curves are log-linear between weekly nodes, the bump's triangle is exact at every date, and
  // the two differ at the coupon payment dates between the nodes by ~(1/52)²/8 × the triangle's curvature in ln P
  // (about 3e-9): measured 4e-4 of a tenor's record at most (1Y), 1e-4 of a set's largest tenor delta; 1e-3 allowed.
  // Before the fix the book had no EUR record, and the sets' EUR deltas were 0.
  it('each EUR tenor record is ΔCVA by hand / 0.0001 (1e-3), their sum the parallel delta by hand (2e-4)', () => {
    const records = run.saCva!.sensitivities!.records.filter((r) => r.riskType === 'InterestRate' && r.marginType === 'Delta' && r.bucket === 'EUR');
    expect(records.map((r) => r.riskFactor)).toEqual(TENOR_LABELS);
    let total = 0;
    let totalByHand = 0;
    for (let j = 0; j < TENORS_YEARS.length; j++) {
      const expected = (sum(byHand[j]!) - sum(byHandBase)) / 1e-4;
      const record = records[j]!;
      total += record.value;
      totalByHand += expected;
      expect(Math.abs(record.value - expected), `${TENOR_LABELS[j]}: ${record.value} vs ${expected} by hand`).toBeLessThanOrEqual(1e-3 * Math.abs(expected));
    }
    // the 30Y triangle starts at 10Y, after every rate the curves' quotes (1Y-10Y) read: 0 both ways
    expect(records[4]!.value).toBe(0);
    expect(Math.abs(totalByHand)).toBeGreaterThan(1000);
    expect(Math.abs(total - totalByHand), `${total} vs ${totalByHand} by hand`).toBeLessThan(2e-4 * Math.abs(totalByHand));
  });

  it('in every netting set, in-process and on worker threads (the same bits): own curve, proxy, CDS reference curve', async () => {
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const simulation = { paths: PATHS, seed: SEED, grid: parseGridSpec(GRID), antithetic: false, pfeQuantile: 0.95, skipUnsupported: false };
    const ccyOf = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
    const baseSets = exposureSetsOf(await runSimulation({ portfolio, market, options: { ...simulation, threads: 1 } }), (id) => ccyOf.get(id));
    const credit = creditInputs(portfolio, market, new Set(baseSets.map((s) => s.counterpartyId)));
    const plan = sensitivityPlan({ portfolio, market, credit, exposedCounterparties: new Set(baseSets.map((s) => s.counterpartyId)) });
    const inputs = { portfolio, market, simulation, credit, xva: XVA, baseSets };
    const inProcess = await computeCvaComponents(inputs, plan);
    const workers = await computeCvaComponents({ ...inputs, parallel: { threads: 2, portfolioDir: dir, marketFile: path.join(dir, 'market.yaml'), nettingSetIds: null } }, plan);
    expect(workers.simulatedFactors).toEqual(inProcess.simulatedFactors);
    workers.simulated.forEach((cvas, i) => expect(Array.from(cvas), inProcess.simulatedFactors[i]).toEqual(Array.from(inProcess.simulated[i]!)));
    for (const [k, id] of inProcess.nettingSetIds.entries()) {
      const hand = TENOR_LABELS.map((_, j) => (byHand[j]!.get(id)! - byHandBase.get(id)!) / 1e-4);
      const scale = Math.max(...hand.map(Math.abs));
      // each route moves its set's CVA by hand: the own curve (NS_A_UNC), the proxy (NS_B), the CDS's reference curve
      // in the simulation (NS_C)
      expect(scale, id).toBeGreaterThan(100);
      TENOR_LABELS.forEach((label, j) => {
        const at = inProcess.simulatedFactors.indexOf(`IR EUR ${label}`);
        expect(at, label).toBeGreaterThanOrEqual(0);
        const tool = (inProcess.simulated[at]![k]! - inProcess.base[k]!) / 1e-4;
        expect(Math.abs(tool - hand[j]!), `${id} ${label}: ${tool} vs ${hand[j]} by hand`).toBeLessThanOrEqual(1e-3 * scale);
      });
    }
  }, 300_000);

  it('the bumped market re-bootstraps the EUR curves only: a USD-quoted curve, a curve the bump does not reach and a vol bump keep the base hazards', async () => {
    const { market } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const eur = irBumpedMarket(market, 'EUR', 1e-4, 2);
    expect(eur.creditCurve('ACME_CORP')).toBe(market.creditCurve('ACME_CORP')); // USD
    expect(eur.creditCurve('BANK_ALPHA').hazards).not.toEqual(market.creditCurve('BANK_ALPHA').hazards);
    const usd = irBumpedMarket(market, 'USD', 1e-4, 2);
    expect(usd.creditCurve('BANK_ALPHA')).toBe(market.creditCurve('BANK_ALPHA'));
    // IR vega moves the vols, not the OIS curves the hazards are bootstrapped on
    expect(irVolBumpedMarket(market, 'EUR', 0.01).creditCurve('BANK_ALPHA')).toBe(market.creditCurve('BANK_ALPHA'));
    // a zero shift gives back the loader's hazards to the bit, also on a monotone convex curve (not flat-forward
    // between its pillars: bootstrapped at weekly nodes its hazards differ from the loader's, the move's change does not)
    expect(Array.from(irBumpedMarket(market, 'EUR', 0, 2).creditCurve('GLOBEX_SA').hazards)).toEqual(Array.from(market.creditCurve('GLOBEX_SA').hazards));
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    expect(text).toContain('interpolation: logLinear');
    const convex = parseMarket(text.replace('interpolation: logLinear', 'interpolation: monotoneConvex'), 'market.yaml');
    for (const name of ['BANK_ALPHA', 'GLOBEX_SA']) {
      expect(Array.from(irBumpedMarket(convex, 'EUR', 0, 1).creditCurve(name).hazards), name).toEqual(Array.from(convex.creditCurve(name).hazards));
    }
    // a 30Y triangle starts at 10Y, after every rate GLOBEX_SA's 1Y-5Y quotes read: the curve is left as it is
    expect(irBumpedMarket(market, 'EUR', 1e-4, 4).creditCurve('GLOBEX_SA')).toBe(market.creditCurve('GLOBEX_SA'));
  });

  it('a curve at the edge of a zero hazard (audit 153: 1Y 200bp, 5Y 41.47bp) is floored at 0 under the bump, not a failed run', () => {
    const dir = book();
    const text = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8');
    const edge = '{ tenor: 1Y, spreadBp: 200 }, { tenor: 5Y, spreadBp: 41.47 }';
    const moved = text.replace('{ tenor: 1Y, spreadBp: 55 }, { tenor: 5Y, spreadBp: 90 }', edge);
    expect(moved).toContain(edge);
    const market = parseMarket(moved, 'market.yaml');
    const base = market.creditCurve('BANK_ALPHA');
    // the loaded curve: 1Y-5Y hazard just above 0 (the quote is repriced), 5Y-10Y positive
    expect(base.hazards[1]!).toBeGreaterThan(0);
    expect(base.hazards[1]!).toBeLessThan(1e-4);
    for (const j of [-1, 0, 1, 2, 3]) {
      const bumped = irBumpedMarket(market, 'EUR', 1e-4, j).creditCurve('BANK_ALPHA');
      expect(bumped.hazards.every((x) => x >= 0), `bump ${j}`).toBe(true);
      // the 10Y interval, not floored, moves by a small fraction of its hazard (a 1bp rate move)
      expect(Math.abs(bumped.hazards[2]! / base.hazards[2]! - 1), `bump ${j}`).toBeLessThan(1e-2);
    }
    // the 5Y triangle asks for a negative 1Y-5Y hazard: floored at 0 there
    expect(irBumpedMarket(market, 'EUR', 1e-4, 2).creditCurve('BANK_ALPHA').hazards[1]).toBe(0);
  });
});
