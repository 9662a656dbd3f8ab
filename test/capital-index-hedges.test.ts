/**
 * `xva capital` recognises bought index CDS as BA-CVA index hedges (MAR50.20-24), on the single-swap book
 * (test/data/kva_single_swap) plus a dealer holding bought protection on four credit indices:
 *
 * - ITRAXX_FIN (`bacva_sector` financial, grade IG) and TECH_HY (technology, grade SG → HY_NR): RW_i = 0.7 × the
 *   Table 1 weight of that cell (MAR50.24 with every name in one cell), read here from parameters/bacva.json;
 * - CDX_MIX (`bacva_risk_weight` 0.06, a mixed index): RW_i = 0.7 × 0.06;
 * - ITRAXX_XO (an index row without either column): no hedge, one note naming the trade;
 * - a sold CDS on ITRAXX_FIN: not a hedge.
 *
 * (a) K_full by hand (MAR50.14, 50.21-24) from the run's own SCVA_c (no single-name hedge: SNH = HMA = 0):
 *       IH       = Σ_i RW_i · M_i · B_i · DF_i,  DF_i = (1 − e^{−0.05·M_i}) / (0.05·M_i)
 *       K_red    = sqrt((ρ Σ SCVA_c)² + (1 − ρ²) Σ SCVA_c²)
 *       K_hedged = sqrt((ρ Σ SCVA_c − IH)² + (1 − ρ²) Σ SCVA_c²)
 *       K_full   = β · K_red + (1 − β) · K_hedged,  capital = DS · K_full
 *     with M_i the ACT/ACT ISDA years from 2024-01-02 to the CDS maturity written out by hand, B_i the EUR notional.
 *     Tolerance 1e-9 relative: the same double-precision formulas summed in another order (a few ulps).
 * (b)-(c) the mixed override and the unrecognised index, (d) bad reference_entities rows give XvaInputError naming
 * file, row, column and value, (e) the optimiser's measurement (optimize/measure/capital.ts) holds the same index
 * hedges and gives the same BA-CVA capital as `xva capital` (exactly: the same inputs through the same code path),
 * (f) in the KVA projection an index hedge past its maturity drops out: after the last index maturity the CVA RWA
 * profile equals that of the same book without recognised index hedges (same seed and paths: bit-identical).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueCollector, XvaInputError } from '../src/errors.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { capitalJson } from '../src/capital/outputs.js';
import { cdsIndexHedges, runCapital, type CapitalRun, type CapitalRunOptions } from '../src/capital/run.js';
import { loadSaccrInputs } from '../src/capital/saccr/index.js';
import { buildMeasureContext, measureBase } from '../src/optimize/measure/index.js';
import { bookCapital, capitalOfSets } from '../src/optimize/measure/capital.js';
import { parseGridSpec } from '../src/simulation/grid.js';

const SWAP = path.resolve('test/data/kva_single_swap');
const PARAMS = JSON.parse(fs.readFileSync(path.resolve('src/capital/parameters/bacva.json'), 'utf8'));
const temps: string[] = [];

const ENTITIES_HEADER = 'name,kind,rating,grade,bacva_sector,bacva_risk_weight';
const ENTITIES = [ENTITIES_HEADER, 'ITRAXX_FIN,index,,IG,financial,', 'TECH_HY,index,,SG,Technology,', 'CDX_MIX,index,,SG,,0.06', 'ITRAXX_XO,index,,SG,,'];
const ENTITIES_PLAIN = [ENTITIES_HEADER, 'ITRAXX_FIN,index,,IG,,', 'TECH_HY,index,,SG,,', 'CDX_MIX,index,,SG,,', 'ITRAXX_XO,index,,SG,,'];

/** ACT/ACT ISDA years from 2024-01-02 (2024 has 366 days): to 2027-01-02, 2026-01-02, 2025-07-02. */
const M_3Y = 365 / 366 + 2 + 1 / 365;
const M_2Y = 365 / 366 + 1 + 1 / 365;
const M_18M = 365 / 366 + 182 / 365; // 2025-01-01 → 2025-07-02: 182 days

function book(entities: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-index-hedges-'));
  temps.push(dir);
  for (const f of ['netting_sets.csv', 'counterparties.csv']) fs.copyFileSync(path.join(SWAP, f), path.join(dir, f));
  const curve = (name: string, bp: number) => `    ${name}: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 5Y, spreadBp: ${bp} } ] }\n`;
  const names = curve('DEALER', 50) + curve('ITRAXX_FIN', 70) + curve('TECH_HY', 300) + curve('CDX_MIX', 250) + curve('ITRAXX_XO', 320);
  fs.writeFileSync(path.join(dir, 'market.yaml'), fs.readFileSync(path.join(SWAP, 'market.yaml'), 'utf8').replace('  names:\n', `  names:\n${names}`));
  fs.appendFileSync(path.join(dir, 'counterparties.csv'), 'DEALER,Dealer,financial,AA,europe,DEALER,0.4,false,\n');
  fs.appendFileSync(path.join(dir, 'netting_sets.csv'), 'NS_D,DEALER,false,,,,,,,,,EUR,false\n');
  const cds = (id: string, direction: string, notional: number, maturity: string, name: string) => `${id},DEALER,NS_D,CDS,${direction},EUR,${notional},2023-12-20,${maturity},0.01,,,,,,${name},`;
  fs.writeFileSync(
    path.join(dir, 'trades.csv'),
    [
      'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,reference_entity,business_day_convention',
      'SWAP_5Y,CPTY_S,NS_S,IRS,pay,EUR,10000000,2024-01-02,2029-01-02,0.025,1Y,30/360,EUR-EURIBOR-6M,6M,ACT/360,,U',
      cds('IDX_FIN', 'buy', 40_000, '2027-01-02', 'ITRAXX_FIN'),
      cds('IDX_TECH', 'buy', 10_000, '2025-07-02', 'TECH_HY'),
      cds('IDX_MIX', 'buy', 20_000, '2026-01-02', 'CDX_MIX'),
      cds('IDX_XO', 'buy', 100_000, '2027-01-02', 'ITRAXX_XO'),
      cds('IDX_FIN_SOLD', 'sell', 150_000, '2027-01-02', 'ITRAXX_FIN'),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'reference_entities.csv'), entities.join('\n') + '\n');
  return dir;
}

const options = (dir: string, over: Partial<CapitalRunOptions> = {}): CapitalRunOptions => ({
  portfolioDir: dir,
  marketFile: path.join(dir, 'market.yaml'),
  convention: 'cre52',
  sacva: false,
  kva: false,
  paths: 64,
  seed: 7,
  grid: parseGridSpec('22,3M'),
  scenarios: [],
  ...over,
});

const DF = (m: number) => (1 - Math.exp(-0.05 * m)) / (0.05 * m);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

let dir: string;
let run: CapitalRun;

beforeAll(async () => {
  dir = book(ENTITIES);
  run = await runCapital(options(dir));
}, 60_000);

afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

describe('index CDS in the book are BA-CVA index hedges (MAR50.24)', () => {
  it('(a) K_full equals MAR50.14 / 50.21-24 by hand from the run’s own SCVA values', () => {
    const rw = PARAMS.riskWeights;
    const k = PARAMS.indexHedgeScalar;
    expect(k).toBe(0.7);
    const expected = [
      // hedgeId, RW_i (MAR50.24: 0.7 × the Table 1 cell), M_i, B_i
      ['IDX_FIN', k * rw.financial.IG, M_3Y, 40_000],
      ['IDX_TECH', k * rw.technology.HY_NR, M_18M, 10_000],
      ['IDX_MIX', k * 0.06, M_2Y, 20_000],
    ] as const;
    expect(run.baCva.version).toBe('full');
    expect(run.baCva.indexHedges.map((h) => h.hedgeId)).toEqual(expected.map((e) => e[0]));
    let ih = 0;
    for (const [id, rwi, m, b] of expected) {
      const h = run.baCva.indexHedges.find((x) => x.hedgeId === id)!;
      expect(rel(h.riskWeight, rwi)).toBeLessThan(1e-15);
      const given = run.indexHedges.find((x) => x.hedgeId === id)!;
      expect(rel(given.remainingMaturityYears, m)).toBeLessThan(1e-12);
      expect(given.notionalAmount).toBe(b);
      expect(rel(h.discountFactor, DF(m))).toBeLessThan(1e-12);
      const weighted = rwi * m * b * DF(m);
      expect(rel(h.weightedHedge, weighted)).toBeLessThan(1e-12);
      ih += weighted;
    }
    expect(rel(run.baCva.ih, ih)).toBeLessThan(1e-12);
    // no single-name hedge in this book: SNH_c = HMA_c = 0
    expect(run.hedges).toEqual([]);
    const scva = run.baCva.counterparties.map((c) => c.scva);
    expect(scva.length).toBe(2);
    for (const s of scva) expect(s).toBeGreaterThan(0);
    const { rho, beta, discountScalar } = PARAMS;
    const sum = scva.reduce((a: number, b: number) => a + b, 0);
    const sum2 = scva.reduce((a: number, b: number) => a + b * b, 0);
    const kReduced = Math.sqrt((rho * sum) ** 2 + (1 - rho * rho) * sum2);
    const kHedged = Math.sqrt((rho * sum - ih) ** 2 + (1 - rho * rho) * sum2);
    const kFull = beta * kReduced + (1 - beta) * kHedged;
    expect(rel(run.baCva.kReduced, kReduced)).toBeLessThan(1e-9);
    expect(rel(run.baCva.kHedged, kHedged)).toBeLessThan(1e-9);
    expect(rel(run.baCva.kFull, kFull)).toBeLessThan(1e-9);
    expect(rel(run.baCva.capital, discountScalar * kFull)).toBeLessThan(1e-9);
    // the hedges bring relief here (IH < 2ρ Σ SCVA), and capital CVA = 12.5 × K × ratio
    expect(kFull).toBeLessThan(kReduced);
    expect(rel(run.capitalCva, 12.5 * discountScalar * kFull * 0.105)).toBeLessThan(1e-9);
  });

  it('(b) the mixed index takes RW = indexHedgeScalar × bacva_risk_weight; the JSON lists one row per index hedge', () => {
    const mix = run.indexHedges.find((h) => h.hedgeId === 'IDX_MIX')!;
    expect(mix.constituents).toBeUndefined();
    expect(mix.riskWeightOverride).toBeCloseTo(0.7 * 0.06, 15);
    const fin = run.indexHedges.find((h) => h.hedgeId === 'IDX_FIN')!;
    expect(fin.constituents).toEqual([{ sector: 'financial', creditQuality: 'IG', names: 1 }]);
    const tech = run.indexHedges.find((h) => h.hedgeId === 'IDX_TECH')!;
    expect(tech.constituents).toEqual([{ sector: 'technology', creditQuality: 'HY_NR', names: 1 }]);
    const doc = capitalJson(run);
    expect(doc.baCva.indexHedges.map((r) => [r.hedgeId, r.referenceName])).toEqual([
      ['IDX_FIN', 'ITRAXX_FIN'],
      ['IDX_TECH', 'TECH_HY'],
      ['IDX_MIX', 'CDX_MIX'],
    ]);
    expect(doc.baCva.indexHedges.find((r) => r.hedgeId === 'IDX_MIX')!.riskWeight).toBeCloseTo(0.7 * 0.06, 15);
    expect(doc.baCva.ih).toBe(run.baCva.ih);
  });

  it('(c) an index row without the BA-CVA columns is not a hedge: one note naming the trade; sold protection is none', () => {
    const ids = run.indexHedges.map((h) => h.hedgeId);
    expect(ids).not.toContain('IDX_XO');
    expect(ids).not.toContain('IDX_FIN_SOLD');
    const notes = run.notes.filter((n) => n.includes('IDX_XO'));
    expect(notes.length).toBe(1);
    expect(notes[0]).toMatch(/ITRAXX_XO/);
    expect(notes[0]).toMatch(/bacva_sector/);
    expect(notes[0]).toMatch(/bacva_risk_weight/);
    expect(run.notes.some((n) => n.includes('IDX_FIN_SOLD'))).toBe(false);
  });

  it('(e) the optimiser measures the same index hedges and the same BA-CVA capital', async () => {
    const { market, portfolio } = await loadSimulationInputs(dir, path.join(dir, 'market.yaml'));
    const issues = new IssueCollector();
    const saccrInputs = await loadSaccrInputs(dir, issues);
    issues.throwIfAny();
    expect(cdsIndexHedges(portfolio, market, saccrInputs.referenceEntities)).toEqual(run.indexHedges);
    const ctx = buildMeasureContext({ portfolio, market, paths: 8, seed: 1, saccrInputs });
    const sets = capitalOfSets(ctx, portfolio, new Set(portfolio.nettingSets.map((n) => n.nettingSetId)));
    const measured = bookCapital(ctx, portfolio, sets);
    expect(measured.baCvaVersion).toBe('full');
    expect(measured.baCva).toBe(run.baCva.capital);
    expect(measured.rwaCva).toBe(run.baCva.rwa);
  });
});

describe('(d) bad BA-CVA columns in reference_entities', () => {
  async function issuesOf(rows: readonly string[]) {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-index-hedges-bad-'));
    temps.push(d);
    fs.writeFileSync(path.join(d, 'reference_entities.csv'), [ENTITIES_HEADER, ...rows].join('\n') + '\n');
    const issues = new IssueCollector();
    await loadSaccrInputs(d, issues);
    try {
      issues.throwIfAny();
    } catch (err) {
      expect(err).toBeInstanceOf(XvaInputError);
      return (err as XvaInputError).issues;
    }
    throw new Error('expected an XvaInputError');
  }
  const cases: [string, string, { row: number; column: string; value: string; expected: RegExp }][] = [
    ['bacva_sector on a single_name row', 'ACME,single_name,BBB,,financial,', { row: 1, column: 'bacva_sector', value: 'financial', expected: /single_name/ }],
    ['bacva_risk_weight on a single_name row', 'ACME,single_name,BBB,,,0.05', { row: 1, column: 'bacva_risk_weight', value: '0.05', expected: /kind = index/ }],
    ['an unknown sector', 'IDX,index,,IG,banks,', { row: 1, column: 'bacva_sector', value: 'banks', expected: /financial/ }],
    ['both columns', 'IDX,index,,IG,financial,0.05', { row: 1, column: 'bacva_risk_weight', value: '0.05', expected: /not both/ }],
    ['a risk weight above 1', 'IDX,index,,IG,,1.5', { row: 1, column: 'bacva_risk_weight', value: '1.5', expected: /at most 1/ }],
    ['a risk weight of 0', 'IDX,index,,IG,,0', { row: 1, column: 'bacva_risk_weight', value: '0', expected: /greater than 0/ }],
    ['bacva_sector without a grade', 'IDX,index,,,consumer,', { row: 1, column: 'grade', value: '', expected: /IG or SG/ }],
  ];
  for (const [what, row, want] of cases) {
    it(what, async () => {
      const issues = await issuesOf([row]);
      const hit = issues.find((i) => i.column === want.column);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit!.file).toBe('reference_entities.csv');
      expect(hit!.row).toBe(want.row);
      expect(hit!.value ?? '').toBe(want.value);
      expect(hit!.expected).toMatch(want.expected);
    });
  }
  it('runCapital stops with the issue (second data row)', async () => {
    const d = book([...ENTITIES.slice(0, 2), 'ACME,single_name,BBB,,,0.05', ...ENTITIES.slice(2)]);
    const err = await runCapital(options(d)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XvaInputError);
    const hit = (err as XvaInputError).issues.find((i) => i.column === 'bacva_risk_weight');
    expect(hit).toMatchObject({ file: 'reference_entities.csv', row: 2, value: '0.05' });
  });
});

describe('(f) KVA projection: index hedges shrink and drop out at maturity', () => {
  it('after the last index maturity the CVA RWA equals the book without recognised index hedges', async () => {
    const hedged = await runCapital(options(book(ENTITIES), { kva: true }));
    const plain = await runCapital(options(book(ENTITIES_PLAIN), { kva: true }));
    expect(plain.indexHedges).toEqual([]);
    expect(plain.notes.filter((n) => /is not a BA-CVA index hedge/.test(n)).length).toBe(4);
    const a = hedged.kva!.profile;
    const b = plain.kva!.profile;
    expect(a.length).toBe(b.length);
    // t = 0: the projection's CVA RWA is today's 12.5 × K_BA-CVA (Float32 path values: 1e-6)
    expect(rel(a[0]!.rwaCva, 12.5 * hedged.baCva.capital)).toBeLessThan(1e-6);
    let after = 0;
    let before = 0;
    for (let k = 0; k < a.length; k++) {
      expect(a[k]!.ead).toBe(b[k]!.ead); // same seed, paths and trades
      if (a[k]!.elapsedYears >= M_3Y) {
        expect(a[k]!.rwaCva).toBe(b[k]!.rwaCva);
        after++;
      } else if (a[k]!.elapsedYears > 0 && b[k]!.rwaCva > 0) {
        expect(a[k]!.rwaCva).toBeLessThan(b[k]!.rwaCva); // live index hedges give relief
        before++;
      }
    }
    expect(after).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(0);
  }, 120_000);

  it("the optimiser's measured KVA counts the same index hedges: equal to xva capital's KVA", async () => {
    // A second route to the same figure: optimize/measure (per-set KVA pieces, BA-CVA per date over the book with the
    // index hedges' maturities shortened) against capital/run.ts's projection, same paths, seed and grid (tolerance
    // 1e-12 relative: the same formulas summed in the book's order in both routes).
    const dirHedged = book(ENTITIES);
    const opts = options(dirHedged, { kva: true });
    const hedged = await runCapital(opts);
    const { market, portfolio } = await loadSimulationInputs(dirHedged, path.join(dirHedged, 'market.yaml'));
    const issues = new IssueCollector();
    const saccrInputs = await loadSaccrInputs(dirHedged, issues);
    issues.throwIfAny();
    const ctx = buildMeasureContext({ portfolio, market, paths: opts.paths, seed: opts.seed, grid: opts.grid, saccrInputs, dynamicIm: false });
    const measured = await measureBase(ctx);
    expect(rel(measured.book.kva, hedged.kva!.kva)).toBeLessThan(1e-12);
    // and the index hedges matter to it: without the BA-CVA columns the KVA is higher
    const plain = await runCapital(options(book(ENTITIES_PLAIN), { kva: true }));
    expect(plain.kva!.kva).toBeGreaterThan(hedged.kva!.kva);
  }, 120_000);
});
