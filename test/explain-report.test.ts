/**
 * `xva explain` from the tables of earlier runs (issue #9): the engine's runs made here through the library on the
 * bundled demo book at a small size (64 paths, one thread; exposure, XVA with two stress scenarios read from the
 * simulate tables, capital without KVA, margin with a coverage scenario) written as the nightly batch writes them,
 * plus a hand-built optimiser output (two measured actions and a plan). Then:
 * - facts equal the engine's own figures (the XvaRun/CapitalRun/MarginRun objects, exactly: the tables are float64)
 *   and figures computed here independently from the tables with Polars (sums, shares, top five, FVA identity),
 *   to 1e-12 relative (only summation order differs);
 * - the what-if of a counterparty's spread +100bp equals that counterparty's CVA in the engine's credit_up_100bp
 *   stress (the stress moves every curve by the same shock and a counterparty's CVA depends only on its own curve),
 *   to 1e-12 relative; at 0bp it equals its CVA;
 * - the built-in writer's every figure passes the fact check (grounding/) and states its cited facts as
 *   formatFigure prints them; the same facts in any order give the same words; what-changed facts against a
 *   previous run are the differences;
 * - the charts are SVG that parse (fast-xml-parser) and carry the plotted values in their marks' ARIA labels;
 * - every link of report.md resolves (files beside it, anchors of its headings); report.html is self-contained.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pl from 'nodejs-polars';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nettingSetRows, writeCapitalTables } from '../src/capital/outputs.js';
import { runCapital, type CapitalRun } from '../src/capital/run.js';
import { simulateToFiles } from '../src/exposure/simulate.js';
import { addChangeFacts, factsOf, type FactSet } from '../src/explain/facts.js';
import { formatFigure } from '../src/explain/narrators/builtin.js';
import { formatTableFigure } from '../src/explain/format.js';
import { BuiltinNarrator } from '../src/explain/narrators/builtin.js';
import { checkParagraph, citedFacts, extractFigures } from '../src/explain/grounding/index.js';
import { PERSONAS, personaTools, startingFacts } from '../src/explain/personas.js';
import { renderCharts } from '../src/explain/report/charts.js';
import { anchorOf } from '../src/explain/report/markdown.js';
import { readResults } from '../src/explain/results/read.js';
import { runNow } from '../src/explain/results/runNow.js';
import { identifierPhrases, runExplain } from '../src/explain/run.js';
import type { Fact } from '../src/explain/types.js';
import { spreadWhatIfEngine } from '../src/explain/whatIf.js';
import type { ExplainData } from '../src/explain/data.js';
import { startFakeOllama } from './helpers/fakeOllama.js';
import { converseAnswer, startFakeBedrock } from './helpers/fakeBedrock.js';
import { xvaInProcess } from './helpers/scaleCli.js';
import { writeMarginTables } from '../src/margin/outputs.js';
import { runMargin, type MarginRun } from '../src/margin/run.js';
import { writeTable } from '../src/io/write.js';
import { loadScenario } from '../src/scenarios/load.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { DEFAULT_ANALYSIS } from '../src/xva/analysis.js';
import { runXva, type XvaRun } from '../src/xva/run.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { readExposureResults } from '../src/xva/readResults.js';
import { computeXva } from '../src/xva/compute.js';
import { creditInputs, shockCreditInputs } from '../src/xva/credit.js';

const ROOT = path.resolve('.');
const PORTFOLIO = path.join(ROOT, 'fixtures/demo');
const MARKET = path.join(PORTFOLIO, 'market.yaml');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

let tmp = '';
let results = '';
let xva: XvaRun;
let capital: CapitalRun;
let margin: MarginRun;
let data: ExplainData;
let facts: FactSet;

/** The optimiser's outputs, hand-built: two measured actions (one chosen) and the realised plan. */
function writeOptimizerTables(dir: string): void {
  // what xva optimize writes last: without it the folder is a run stopped part way, which --results refuses
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'summary.md'), '# xva optimize (hand-built tables for this test)\n');
  const f64 = (name: string, values: (number | null)[]) => ({ name, type: 'float64' as const, values });
  const utf8 = (name: string, values: (string | null)[]) => ({ name, type: 'utf8' as const, values });
  writeTable(path.join(dir, 'recommendations.arrow'), {
    columns: [
      utf8('action_id', ['csa:NS-CP0026-1:zero', 'cva_hedge:HDG-CP0039']), utf8('lever', ['csa', 'cva_hedge']),
      utf8('description', ['Sign a two-way VM CSA in NS-CP0026-1', 'Buy 2Y protection on CP0039']), utf8('trade_ids', ['', '']),
      utf8('counterparty_ids', ['CP0026', 'CP0039']), utf8('netting_set_ids', ['NS-CP0026-1', 'NS-CP0039-1']),
      { name: 'chosen', type: 'bool', values: [true, false] }, { name: 'rank', type: 'int32', values: [1, null] },
      f64('d_cva', [-664465.19, -183]), f64('d_dva', [-329819.9, 0]), f64('d_fca', [-541184.1, 0]), f64('d_fba', [-47888.2, 0]), f64('d_colva', [0, 0]),
      f64('d_fva', [-493295.9, -229]), f64('d_mva', [0, 0]), f64('d_kva', [-1138318.2, -212837]), f64('d_ead', [-27352831.9, 0]), f64('d_rwa', [-15510460.4, -19043380]),
      f64('d_capital', [-1628598.3, -1999555]), f64('d_cet1_bp', [0.074, 0.09]), f64('cost', [0, 1930331]), f64('net_benefit', [2296079.3, -1717906]),
      utf8('worst_scenario', [null, null]), f64('worst_scenario_benefit', [null, null]), utf8('skip_reason', ['', 'net benefit below zero']),
    ],
  }, 'arrow');
  writeTable(path.join(dir, 'plan.arrow'), {
    columns: [
      utf8('figure', ['realised', 'estimated_sum_of_actions']), { name: 'measured', type: 'bool', values: [true, true] },
      f64('d_cva', [-664465.19, -664465.19]), f64('d_fva', [-493295.9, -493295.9]), f64('d_kva', [-1138318.2, -1138318.2]), f64('d_capital', [-1628598.3, -1628598.3]),
      f64('saving', [2296079.3, 2296079.3]), f64('saving_pct_of_xva', [9.07, 9.07]), f64('saving_bp_of_gross_notional', [0.55, 0.55]),
    ],
  }, 'arrow');
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-'));
  results = path.join(tmp, 'nightly');
  const grid = parseGridSpec('default');
  const sim = path.join(results, 'simulate');
  await simulateToFiles({ portfolioDir: PORTFOLIO, marketFile: MARKET, outDir: sim, paths: 64, seed: 7, grid, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: false, format: 'arrow' });
  const scenarios = ['credit_up_100bp', 'funding_up_50bp'].map((s) => loadScenario(path.join(ROOT, 'scenarios', `${s}.yaml`)));
  xva = await runXva({ portfolioDir: PORTFOLIO, marketFile: MARKET, resultsDir: sim, paths: 64, seed: 7, grid, threads: 1, xva: { discretisation: 'mid', mode: 'unilateral' }, analysis: DEFAULT_ANALYSIS, scenarios, cs01: true, outDir: path.join(results, 'cva') });
  const ratio = loadScenario(path.join(ROOT, 'scenarios', 'capital_ratio_plus_1pct.yaml'));
  capital = await runCapital({ portfolioDir: PORTFOLIO, marketFile: MARKET, convention: 'cre52', sacva: false, kva: false, paths: 64, seed: 7, grid, scenarios: [ratio] });
  writeCapitalTables(path.join(results, 'capital'), capital);
  margin = await runMargin({ portfolioDir: PORTFOLIO, marketFile: MARKET, usePortfolio: true, scenarios: [loadScenario(path.join(ROOT, 'scenarios', 'collateral_50pct.yaml'))] });
  writeMarginTables(path.join(results, 'margin'), margin);
  writeOptimizerTables(path.join(results, 'optimize'));
  data = readResults(results, 'USD');
  facts = factsOf(data);
}, 240_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const fact = (id: string): Fact => {
  const f = facts.get(id);
  if (!f) throw new Error(`no fact ${id}`);
  return f;
};
const col = (file: string, name: string): (number | null)[] => pl.readIPC(fs.readFileSync(path.join(results, file))).getColumn(name).toArray() as (number | null)[];
const strCol = (file: string, name: string): string[] => pl.readIPC(fs.readFileSync(path.join(results, file))).getColumn(name).toArray() as string[];

describe('facts are the engine figures', () => {
  it('book and counterparty XVA equal the XvaRun and the tables summed independently', () => {
    const b = xva.result.book;
    expect(fact('book.cva').value).toBe(b.cva);
    expect(fact('book.dva').value).toBe(b.dva);
    expect(rel(fact('book.fva').value, b.fca - b.fba + b.colva)).toBeLessThan(1e-12);
    const cps = col('cva/cva_counterparty.arrow', 'cva') as number[];
    expect(rel(fact('book.cva').value, cps.reduce((a, x) => a + x, 0))).toBeLessThan(1e-12);
    const top5 = [...cps].sort((a, c) => c - a).slice(0, 5).reduce((a, x) => a + x, 0);
    expect(rel(fact('book.cva_top5_share').value, (100 * top5) / b.cva)).toBeLessThan(1e-12);
    for (const c of xva.result.counterparties) {
      expect(fact(`cp.${c.counterpartyId}.cva`).value).toBe(c.cva);
      if (b.cva > 0) expect(rel(fact(`cp.${c.counterpartyId}.cva_share`).value, (100 * c.cva) / b.cva)).toBeLessThan(1e-12);
    }
    expect(fact('book.counterparties').value).toBe(xva.result.counterparties.length);
  });

  it("CS01: the book's is the CVA change of one +1bp shock of every curve (another route), the counterparties' the run's rows", async () => {
    const { market, portfolio } = await loadSimulationInputs(PORTFOLIO, MARKET);
    const ccy = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
    const sets = readExposureResults(path.join(results, 'simulate'), (id) => ccy.get(id));
    const credit = creditInputs(portfolio, market, new Set(sets.map((s) => s.counterpartyId)));
    const options = { discretisation: 'mid' as const, mode: 'unilateral' as const };
    const shocked = computeXva(sets, shockCreditInputs(credit, market, { creditSpreadBp: 1 }), options).book.cva - computeXva(sets, credit, options).book.cva;
    expect(shocked).toBeGreaterThan(0);
    expect(rel(fact('book.cva_cs01').value, shocked)).toBeLessThan(1e-9);
    for (const r of xva.cs01.filter((x) => x.scope === 'counterparty' && x.tenor === 'parallel')) expect(fact(`cp.${r.counterpartyId}.cva_cs01`).value).toBe(r.cva);
    const own = xva.cs01.find((x) => x.scope === 'own' && x.tenor === 'parallel')!;
    expect(fact('book.dva_cs01').value).toBe(own.dva);
  });

  it('stress deltas are the scenario rows minus the base rows', () => {
    const out = xva.scenarios.find((s) => s.scenario === 'credit_up_100bp')!;
    expect(rel(fact('scenario.credit_up_100bp.d_cva').value, out.book.cva - xva.result.book.cva)).toBeLessThan(1e-12);
    const fvaOf = (x: { fca: number; fba: number; colva: number }) => x.fca - x.fba + x.colva;
    const f = xva.scenarios.find((s) => s.scenario === 'funding_up_50bp')!;
    expect(rel(fact('scenario.funding_up_50bp.d_fva').value, fvaOf(f.book) - fvaOf(xva.result.book))).toBeLessThan(1e-12);
  });

  it('per stress, the netting sets that move most: their changes are the run\'s set figures minus the base\'s', () => {
    const fvaOf = (x: { fca: number; fba: number; colva: number }) => x.fca - x.fba + x.colva;
    const base = new Map(xva.result.nettingSets.map((n) => [n.nettingSetId, n]));
    for (const [name, metric, of] of [
      ['credit_up_100bp', 'd_cva', (n: { cva: number }, b: { cva: number }) => n.cva - b.cva],
      ['funding_up_50bp', 'd_fva', (n: { fca: number; fba: number; colva: number }, b: { fca: number; fba: number; colva: number }) => fvaOf(n) - fvaOf(b)],
    ] as const) {
      const out = xva.scenarios.find((s) => s.scenario === name)!;
      // the top three by |change| from the in-memory run (ScenarioOutcome.nettingSets), independently of the tables
      const moves = out.nettingSets.map((n) => ({ id: n.nettingSetId, d: of(n, base.get(n.nettingSetId)!) })).filter((m) => Math.abs(m.d) >= 0.5);
      moves.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || (a.id < b.id ? -1 : 1));
      expect(moves.length).toBeGreaterThan(3);
      const bookMove = metric === 'd_cva' ? out.book.cva - xva.result.book.cva : fvaOf(out.book) - fvaOf(xva.result.book);
      for (const m of moves.slice(0, 3)) {
        expect(fact(`scenario.${name}.ns.${m.id}.${metric}`).value).toBe(m.d);
        expect(rel(fact(`scenario.${name}.ns.${m.id}.${metric}_share`).value, (100 * m.d) / bookMove)).toBeLessThan(1e-12);
      }
      expect(facts.list.filter((f) => f.id.startsWith(`scenario.${name}.ns.`) && f.id.endsWith(`.${metric}`)).length).toBe(3);
    }
  });

  it('exposure, capital and margin facts equal the engine runs and the tables', () => {
    const eepe = col('simulate/netting_set_summary.arrow', 'eepe') as number[];
    const ids = strCol('simulate/netting_set_summary.arrow', 'netting_set_id');
    ids.forEach((id, i) => expect(fact(`ns.${id}.eepe`).value).toBe(eepe[i]));
    expect(fact('capital.ead').value).toBe(capital.saccr.nettingSets.reduce((a, n) => a + n.ead, 0));
    expect(fact('capital.capital').value).toBe(capital.capital);
    expect(fact('capital.ba_cva').value).toBe(capital.baCva.capital);
    expect(fact('capital.cet1_impact_bp').value).toBe(capital.cet1!.impactBp);
    // by hand: the book's whole RWA, CCR (Σ EAD·RW) and CVA (12.5·K = capital_cva / ratio), added to the demo market's
    // bankRwa 250bn with CET1 30bn
    const bookRwa = capital.rwa.totalRwa + capital.capitalCva / capital.rwa.capitalRatio;
    expect(capital.capitalCva).toBeGreaterThan(0);
    expect(rel(capital.cet1!.impactBp, 1e4 * (30e9 / (250e9 + bookRwa) - 30e9 / 250e9))).toBeLessThan(1e-9);
    // CRE52.2: a margined set capped at its unmargined EAD says so and reports the unmargined figures that gave it
    const rows = nettingSetRows(capital);
    const capped = rows.filter((r) => r.capApplied);
    expect(capped.length).toBeGreaterThan(5);
    for (const r of capped) {
      const ns = capital.saccr.nettingSets.find((n) => n.nettingSetId === r.nettingSetId)!;
      expect([r.margined, r.rc, r.pfe]).toEqual([true, ns.unmargined!.replacementCost, ns.unmargined!.pfe.pfe]);
      expect(rel(r.ead, 1.4 * (r.rc + r.pfe))).toBeLessThan(1e-12);
    }
    expect(rows.filter((r) => !r.margined).every((r) => !r.capApplied)).toBe(true);
    expect(facts.has('capital.kva')).toBe(false); // --no-kva: absent, never invented
    expect(data.missing.some((m) => m.startsWith('KVA'))).toBe(true);
    // the margin run had no --dim and the demo's SIMM sets post IM: their MVA is missing, said, never 0; no margin.mva
    expect(margin.nettingSets.some((n) => n.simmPost !== undefined)).toBe(true);
    expect(data.missing).toContain('MVA of the SIMM and schedule netting sets (the margin run had no --dim)');
    expect(facts.has('margin.mva')).toBe(false);
    expect(rel(fact('capital.scenario.capital_ratio_plus_1pct.d_capital').value, capital.scenarios[0]!.capital - capital.capital)).toBeLessThan(1e-12);
    const simm = (col('margin/margin_netting_sets.arrow', 'simm_collect_usd') as (number | null)[]).reduce<number>((a, x) => a + (x ?? 0), 0);
    expect(rel(fact('margin.simm_collect').value, simm)).toBeLessThan(1e-12);
    expect(rel(fact('margin.simm_collect').value, margin.nettingSets.reduce((a, n) => a + (n.simmCollect ?? 0), 0))).toBeLessThan(1e-12);
    const cov = margin.scenarios.filter((s) => s.scenario === 'collateral_50pct');
    expect(rel(fact('margin.scenario.collateral_50pct.residual').value, cov.reduce((a, s) => a + s.residualExposureStressed, 0))).toBeLessThan(1e-12);

    // the demo book has no collateral_balances: every call today starts from no balance (the CSA's whole requirement)
    expect(fs.existsSync(path.join(PORTFOLIO, 'collateral_balances.parquet')) || fs.existsSync(path.join(PORTFOLIO, 'collateral_balances.csv'))).toBe(false);
    expect(fact('margin.calls').value).toBeGreaterThan(0);
    expect(fact('margin.calls_without_balance').value).toBe(fact('margin.calls').value);
  });

  it('the collateral manager says the calls are whole requirements when no balance is on file', async () => {
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[3]!, facts: startingFacts('collateral_manager', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    expect(PERSONAS[3]!.id).toBe('collateral_manager');
    expect(r.paragraphs.join(' ')).toContain(`${formatFigure(fact('margin.calls').value, 'count')} netting sets have a variation margin call today`);
    expect(r.paragraphs.join(' ')).toContain('None of them has a collateral balance on file, so each is the whole amount its CSA requires');
    // and with part of the book's balances on file, the count of those without
    const partial = facts.list.map((f) => (f.id === 'margin.calls_without_balance' ? { ...f, value: 2 } : f));
    const r2 = await new BuiltinNarrator().narrate({ persona: PERSONAS[3]!, facts: partial.filter((f) => /^margin\./.test(f.id)), tools: [], earlier: [], share: 'aggregates' });
    expect(r2.paragraphs.join(' ')).toContain('2 of them have no collateral balance on file');
  });

  it('recommendations: savings are the measured deltas with the sign of a saving', () => {
    expect(fact('rec.csa:NS-CP0026-1:zero.cva_saving').value).toBe(664465.19);
    expect(fact('rec.cva_hedge:HDG-CP0039.net_benefit').value).toBe(-1717906);
    expect(fact('plan.saving').value).toBe(2296079.3);
    expect(fact('plan.actions').value).toBe(1);
  });
});

describe('what-if of a credit spread', () => {
  it("+100bp on one counterparty equals its CVA in the engine's credit_up_100bp stress; 0bp its CVA", async () => {
    const engine = await spreadWhatIfEngine(PORTFOLIO, MARKET, path.join(results, 'simulate'), { discretisation: 'mid', mode: 'unilateral' });
    const stressed = xva.scenarios.find((s) => s.scenario === 'credit_up_100bp')!;
    for (const c of xva.result.counterparties.slice(0, 5)) {
      const zero = engine.spread(c.counterpartyId, 0);
      expect(rel(zero.cvaAfter, c.cva)).toBeLessThan(1e-12);
      const up = engine.spread(c.counterpartyId, 100);
      expect(rel(up.cvaAfter, stressed.counterparties.get(c.counterpartyId)!.cva)).toBeLessThan(1e-12);
    }
  });

  it('the tool reveals the what-if figures as facts', async () => {
    const ctx = { data, facts, share: 'aggregates' as const, whatIf: () => spreadWhatIfEngine(PORTFOLIO, MARKET, path.join(results, 'simulate'), { discretisation: 'mid', mode: 'unilateral' }) };
    const tool = personaTools('cva_trader', ctx).find((t) => t.name === 'what_if_spread')!;
    const cp = data.xva!.counterparties[0]!.counterpartyId;
    const r = await tool.run({ counterpartyId: cp, spreadBp: 100 });
    const d = r.facts.find((f) => f.id.endsWith('.d_cva'))!;
    const stressed = xva.scenarios.find((s) => s.scenario === 'credit_up_100bp')!.counterparties.get(cp)!.cva;
    expect(rel(d.value, stressed - fact(`cp.${cp}.cva`).value)).toBeLessThan(1e-9);
  });
});

describe('built-in writer', () => {
  const narrate = async (list: readonly Fact[]) => {
    const n = new BuiltinNarrator();
    const out: string[][] = [];
    const earlier: { persona: (typeof PERSONAS)[number]['id']; title: string; paragraphs: string[] }[] = [];
    const set = factsFromList(list);
    for (const p of PERSONAS) {
      const r = await n.narrate({ persona: p, facts: startingFacts(p.id, set, 'aggregates'), tools: [], earlier, share: 'aggregates' });
      out.push(r.paragraphs);
      earlier.push({ persona: p.id, title: p.title, paragraphs: r.paragraphs });
    }
    return out;
  };

  it('every figure it writes passes the fact check, and each cited fact appears as formatFigure prints it', async () => {
    const n = new BuiltinNarrator();
    const ignore = identifierPhrases(data);
    for (const p of PERSONAS) {
      const given = startingFacts(p.id, facts, 'aggregates');
      const r = await n.narrate({ persona: p, facts: given, tools: [], earlier: [], share: 'aggregates' });
      expect(r.paragraphs.length).toBeGreaterThan(0);
      const text = r.paragraphs.join('\n');
      for (const para of r.paragraphs) {
        const check = checkParagraph(para, given, { ignore: [...ignore, p.title] });
        expect(check.problems, `${p.title}: ${para}`).toEqual([]);
      }
      for (const id of r.cited) {
        const f = given.find((x) => x.id === id)!;
        expect(text).toContain(formatFigure(Math.abs(f.value), f.unit, f.currency));
      }
    }
  });

  it('states the largest CVA driver and its share as the tables give them', async () => {
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    const top = data.xva!.counterparties[0]!;
    const share = (100 * top.cva) / data.xva!.book.cva;
    expect(r.paragraphs[1]).toContain(`The largest driver is ${top.counterpartyId} with USD ${(top.cva / (top.cva >= 1e6 ? 1e6 : 1e3)).toFixed(1)}${top.cva >= 1e6 ? 'm' : 'k'}, ${share.toFixed(1)}% of book CVA`);
  });

  it('on Sobol points (--rng sobol): says the standard error is the Monte Carlo formula\'s, an overstatement there; on Philox draws it does not', async () => {
    // the nightly results here drew Philox numbers on 64 paths (their manifest): no such fact, the plain sentence
    expect(data.exposure!.rng).toBe('philox');
    expect(fact('run.paths').value).toBe(64);
    expect(fact('run.paths').source).toBe('manifest.json:paths');
    expect(facts.has('run.sobol_points')).toBe(false);
    const plain = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    expect(plain.paragraphs.join(' ')).toContain('Its Monte Carlo standard error is');
    // a Sobol run of the same book, read back as the nightly batch reads it (simulate, then cva on its tables)
    const sobolResults = path.join(tmp, 'sobol');
    const sim = path.join(sobolResults, 'simulate');
    const grid = parseGridSpec('default');
    await simulateToFiles({ portfolioDir: PORTFOLIO, marketFile: MARKET, outDir: sim, paths: 64, seed: 7, grid, threads: 1, antithetic: false, rng: 'sobol', pfeQuantile: 0.95, skipUnsupported: false, cube: false, format: 'arrow' });
    await runXva({ portfolioDir: PORTFOLIO, marketFile: MARKET, resultsDir: sim, paths: 64, seed: 7, grid, threads: 1, xva: { discretisation: 'mid', mode: 'unilateral' }, analysis: DEFAULT_ANALYSIS, scenarios: [], outDir: path.join(sobolResults, 'cva') });
    const sobolData = readResults(sobolResults, 'USD');
    expect(sobolData.exposure!.rng).toBe('sobol');
    const sobolFacts = factsOf(sobolData);
    expect(sobolFacts.get('run.sobol_points')!.source).toBe('manifest.json:options.rng');
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', sobolFacts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    const text = r.paragraphs.join(' ');
    expect(text).toContain('Its standard error by the Monte Carlo formula is');
    expect(text).toContain('the paths are Sobol points, on which that formula overstates the error');
    expect(text).not.toContain('Its Monte Carlo standard error is');
  }, 120_000);

  it('says the CVA CS01 of the book and of the counterparty whose curve matters most, and the own curve\'s DVA CS01', async () => {
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    const top = facts.list.filter((f) => /^cp\.[^.]+\.cva_cs01$/.test(f.id)).sort((a, b) => Math.abs(b.value) - Math.abs(a.value))[0]!;
    const id = top.id.split('.')[1]!;
    const text = r.paragraphs.join(' ');
    expect(text).toContain(`A 1bp widening of every counterparty's credit curve would add ${formatFigure(fact('book.cva_cs01').value, 'currency', 'USD')} to CVA; ${id}'s curve alone ${formatFigure(top.value, 'currency', 'USD')} (${formatFigure(fact(`cp.${id}.cva_cs01_share`).value, 'pct')})`);
    expect(text).toContain(`A 1bp widening of the bank's own curve would add ${formatFigure(fact('book.dva_cs01').value, 'currency', 'USD')} to DVA.`);
  });

  it('names the netting set that moves most under the hardest stress, with its share of the book\'s change', async () => {
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    const hardest = facts.list.filter((f) => /^scenario\.[^.]+\.d_cva$/.test(f.id)).sort((a, b) => Math.abs(b.value) - Math.abs(a.value))[0]!;
    const name = hardest.id.split('.')[1]!;
    const top = facts.list.filter((f) => f.id.startsWith(`scenario.${name}.ns.`) && f.id.endsWith('.d_cva')).sort((a, b) => Math.abs(b.value) - Math.abs(a.value))[0]!;
    const set = top.id.split('.')[3]!;
    const share = fact(`scenario.${name}.ns.${set}.d_cva_share`);
    expect(r.paragraphs.join(' ')).toContain(`of the netting sets, \`${set}\` moves most: its CVA ${top.value >= 0 ? 'rises' : 'falls'} by ${formatFigure(Math.abs(top.value), 'currency', 'USD')} (${formatFigure(Math.abs(share.value), 'pct')} of the book's change)`);
  });

  it('same facts, in any order, give the same words', async () => {
    const a = await narrate(facts.list);
    const b = await narrate([...facts.list].reverse());
    expect(b).toEqual(a);
  });

  it('what changed: change facts are the differences, and the writer says them', async () => {
    const previous = facts.list.map((f) => (f.id === 'book.cva' ? { ...f, value: f.value * 0.8 } : f));
    const now = factsFromList(facts.list);
    addChangeFacts(now, previous, 'test');
    const c = now.get('change.book.cva')!;
    expect(rel(c.value, fact('book.cva').value * 0.2)).toBeLessThan(1e-12);
    expect(rel(now.get('change.book.cva.pct')!.value, 25)).toBeLessThan(1e-12);
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', now, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    expect(r.paragraphs.join(' ')).toContain(`book CVA rose by ${formatFigure(c.value, 'currency', 'USD')} (25.0%)`);
  });

  it('what changed: a counterparty that left the book carries its whole CVA as its move, and the writer names it (helper 117)', async () => {
    // the previous run had one counterparty more, its CVA the largest move by far; the book CVA is the sum
    const cps = facts.list.filter((f) => /^cp\.[^.]+\.cva$/.test(f.id));
    const gone = { ...cps[0]!, id: 'cp.CP_GONE.cva', label: 'CVA of CP_GONE', value: 10 * Math.max(...cps.map((f) => Math.abs(f.value))) };
    const previous = [...facts.list.map((f) => (f.id === 'book.cva' ? { ...f, value: f.value + gone.value } : f)), gone];
    const now = factsFromList(facts.list);
    addChangeFacts(now, previous, 'test');
    expect(now.get('change.cp.CP_GONE.cva')!.value).toBe(-gone.value);
    const r = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', now, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
    const text = r.paragraphs.join(' ');
    expect(text).toContain(`The largest move is CP_GONE, which left the book; its CVA fell by ${formatFigure(gone.value, 'currency', 'USD')}.`);
    for (const p of r.paragraphs) expect(checkParagraph(p, startingFacts('cva_trader', now, 'aggregates')).problems, p).toEqual([]);
  });
});

function factsFromList(list: readonly Fact[]): FactSet {
  const set = factsOf({ asOf: null, currency: 'USD', missing: [], notes: [] });
  for (const f of list) set.add(f.id, f.label, f.value, f.unit, f.source, { ...(f.currency ? { currency: f.currency } : {}), ...(f.tradeLevel ? { tradeLevel: true } : {}) });
  return set;
}

describe('formatFigure', () => {
  it('rounds as prose does, and the fact check reads each back to the value', () => {
    expect(formatFigure(1_234_567, 'currency', 'USD')).toBe('USD 1.2m');
    expect(formatFigure(-987_654_321_0, 'currency', 'EUR')).toBe('EUR -9.9bn');
    expect(formatFigure(12_345, 'currency', 'USD')).toBe('USD 12.3k');
    expect(formatFigure(12.4, 'bp')).toBe('12bp');
    expect(formatFigure(3.44, 'bp')).toBe('3.4bp');
    expect(formatFigure(34.56, 'pct')).toBe('34.6%');
    expect(formatFigure(-0.04, 'pct')).toBe('0.0%');
    for (const x of [0.7, 123, 4567.8, 98_765, 1_250_000, 77_777_777, 3.2e9]) {
      const text = formatFigure(x, 'currency', 'USD');
      const [fig] = extractFigures(`CVA is ${text}.`);
      // the text's own rounding: half a step of its last digit
      expect(Math.abs(fig!.value - x)).toBeLessThanOrEqual(fig!.halfStep + 1e-9 * x);
    }
  });
});

describe('charts and report', () => {
  it('the SVG charts parse and carry the plotted values', async () => {
    const charts = await renderCharts(data, facts, { topNettingSets: 3, topCounterparties: 10 });
    expect(charts.map((c) => c.file).sort()).toEqual(['capital-by-counterparty.svg', 'exposure-profiles.svg', 'stress-tornado.svg', 'xva-waterfall.svg']);
    const parser = new XMLParser({ ignoreAttributes: false });
    const num = (s: string) => Number(s.replace(/−/g, '-').replace(/,/g, ''));
    for (const c of charts) {
      expect(() => parser.parse(c.svg)).not.toThrow();
      expect(parser.parse(c.svg).svg).toBeDefined();
    }
    const labels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]!);
    // waterfall: the net bar ends at the net XVA cost; the CVA bar ends at CVA
    const wf = labels(charts.find((c) => c.file === 'xva-waterfall.svg')!.svg);
    const endOf = (step: string) => num(/end: ([^;]+)/.exec(wf.find((l) => l.startsWith(`step: ${step};`))!)![1]!);
    expect(rel(endOf('CVA'), fact('book.cva').value)).toBeLessThan(1e-6);
    expect(rel(endOf('Net XVA cost'), fact('book.xva_net').value)).toBeLessThan(1e-6);
    // tornado: one bar per scenario at its change of the net cost
    const tornado = labels(charts.find((c) => c.file === 'stress-tornado.svg')!.svg);
    for (const s of ['credit_up_100bp', 'funding_up_50bp']) {
      const l = tornado.find((x) => x.includes(`scenario: ${s}`))!;
      expect(rel(num(/change, USD: ([^;]+)/.exec(l)![1]!), fact(`scenario.${s}.d_net`).value)).toBeLessThan(1e-6);
    }
    // capital: the largest counterparty's bar
    const cap = labels(charts.find((c) => c.file === 'capital-by-counterparty.svg')!.svg);
    const top = facts.list.filter((f) => /^capital\.cp\.[^.]+\.capital$/.test(f.id)).sort((a, b) => b.value - a.value)[0]!;
    const bar = cap.find((l) => l.includes(`counterparty: ${top.id.split('.')[2]}`))!;
    expect(rel(num(/USD: ([^;]+)/.exec(bar)![1]!), top.value)).toBeLessThan(1e-6);
    // exposure profiles: the line path of the largest set exists with its EPE/PFE series named
    const ex = charts.find((c) => c.file === 'exposure-profiles.svg')!;
    expect(ex.plotted.length).toBe(3);
    for (const id of ex.plotted) expect(ex.svg).toContain(id.slice('profile:'.length));
  });

  it('writes report.md whose every link resolves, and a self-contained report.html', async () => {
    const out = path.join(tmp, 'report');
    const run = await runExplain({ portfolioDir: PORTFOLIO, marketFile: MARKET, resultsDir: results, outDir: out, narrator: 'builtin', fallbackBuiltin: false, share: 'aggregates', format: 'html', paths: 64, seed: 7, scenarios: [], mva: false, debug: false });
    const md = fs.readFileSync(run.reportFile, 'utf8');
    for (const h of ['Executive summary', 'XVA by component and counterparty', 'Top exposures', 'Capital', 'Margin', 'Stress results', 'Recommendations', 'CVA trader', 'FVA specialist', 'Capital optimiser', 'Collateral manager', 'Head of desk', 'Appendix: sources of each section']) expect(md).toContain(`\n## ${h}\n`);
    const anchors = new Set([...md.matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchorOf(m[1]!)));
    const links = [...md.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(15);
    for (const l of links) {
      if (l.startsWith('#')) expect(anchors.has(l.slice(1)), l).toBe(true);
      else expect(fs.existsSync(path.join(out, decodeURIComponent(l))), l).toBe(true);
    }
    // the table figure is the fact in full; the appendix names the narrator and the facts cited
    expect(md).toContain(`| CVA | ${Math.round(fact('book.cva').value).toLocaleString('en-US')} |`);
    // the stress drivers: each scenario's netting sets moving CVA most, with the facts' figures
    const driver = facts.list.find((f) => /^scenario\.credit_up_100bp\.ns\.[^.]+\.d_cva$/.test(f.id))!;
    const set = driver.id.split('.')[3]!;
    expect(md).toContain(`| credit_up_100bp | ${set} | ${formatTableFigure(driver.value, 'currency')} | ${formatTableFigure(fact(`scenario.credit_up_100bp.ns.${set}.d_cva_share`).value, 'pct')} |`);
    // the CS01 table: the counterparty with the largest |CVA CS01| first, its curve, CS01 and share as the facts give them
    const cs01Top = [...data.xva!.cs01!.counterparties].sort((a, b) => Math.abs(b.cva) - Math.abs(a.cva))[0]!;
    expect(md).toContain(`| ${cs01Top.counterpartyId} | ${cs01Top.creditCurve} | ${formatTableFigure(cs01Top.cva, 'currency')} | ${formatTableFigure(fact(`cp.${cs01Top.counterpartyId}.cva_cs01_share`).value, 'pct')} |`);
    expect(md).toMatch(/builtin \(model builtin-1\): \d+ paragraph\(s\); facts cited: `book\.concentration_threshold`/);
    // the built-in paragraphs went through the fact check (run.ts): none left out on these results, and each printed
    // paragraph cites the facts the check matched (narrowed per figure to the writer's citations), every one of them a
    // match of the check
    const ignore = identifierPhrases(data);
    const n = new BuiltinNarrator();
    for (const s of run.sections) {
      const given = startingFacts(s.persona.id, facts, 'aggregates');
      const own = await n.narrate({ persona: s.persona, facts: given, tools: [], earlier: [], share: 'aggregates' });
      expect(s.dropped, s.persona.title).toBeUndefined();
      expect(s.paragraphs).toEqual(own.paragraphs);
      s.paragraphs.forEach((para, i) => {
        const check = checkParagraph(para, given, { ignore: [...ignore, s.persona.title] });
        expect(s.sources[i]!.cited, para).toEqual(citedFacts(check, own.cited));
        for (const id of s.sources[i]!.cited) expect(check.matched).toContain(id);
      });
    }
    // the plan's percentage names its denominator, saving / percent (2,296,079.3 / 9.07% = 25,315,097)
    expect(md).toContain("9.07% of the optimiser's base XVA cost (25,315,097 USD = CVA + FVA + MVA + KVA of the book as the optimiser measured it on its own base run, not the net XVA cost above)");
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBe(run.charts.length);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'facts.json'), 'utf8')) as { facts: Fact[] };
    expect(saved.facts.find((f) => f.id === 'book.cva')!.value).toBe(fact('book.cva').value);
  }, 60_000);

  it('--fallback builtin: an unreachable model is said in the report and the built-in writer writes the sections', async () => {
    const out = path.join(tmp, 'fallback');
    const saved = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = 'http://127.0.0.1:9'; // the discard port: nothing listens on loopback
    try {
      const destinations: string[] = [];
      const run = await runExplain({ portfolioDir: PORTFOLIO, marketFile: MARKET, resultsDir: results, outDir: out, narrator: 'ollama', model: 'llama3.1:8b', fallbackBuiltin: true, share: 'aggregates', format: 'md', paths: 64, seed: 7, scenarios: [], mva: false, debug: false, onDestination: (l) => destinations.push(l) });
      expect(destinations).toEqual(['Narrator: Ollama model llama3.1:8b at http://127.0.0.1:9; sending aggregate figures only (--share aggregates).']);
      const builtin = await new BuiltinNarrator().narrate({ persona: PERSONAS[0]!, facts: startingFacts('cva_trader', facts, 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
      expect(run.sections[0]!.narratorError).toBeDefined();
      expect(run.sections[0]!.paragraphs).toEqual(builtin.paragraphs);
      expect(fs.readFileSync(run.reportFile, 'utf8')).toContain('narrator could not write this section');
      // port 9 is one of the Fetch standard's blocked ports: the reason is said, not undici's bare "fetch failed"
      expect(run.sections[0]!.narratorError).toContain('fetch failed (the port is one that fetch refuses to reach');
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  }, 60_000);

  it('--fallback builtin: a narrator found unavailable on the first section is not asked again (no retries per section)', async () => {
    // a server without the model: Ollama answers /api/chat with 404 "model not found", which no retry can change
    const server = await startFakeOllama(() => ({ status: 404, json: { error: "model 'llama3.1:8b' not found" } }));
    const saved = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = server.url;
    try {
      const out = path.join(tmp, 'fallback-once');
      const run = await runExplain({ portfolioDir: PORTFOLIO, marketFile: MARKET, resultsDir: results, outDir: out, narrator: 'ollama', model: 'llama3.1:8b', fallbackBuiltin: true, share: 'aggregates', format: 'md', paths: 64, seed: 7, scenarios: [], mva: false, debug: false });
      expect(server.requests.length).toBe(1);
      expect(run.sections.length).toBe(PERSONAS.length);
      expect(run.sections[0]!.narratorError).toMatch(/has no model llama3\.1:8b/);
      for (const section of run.sections.slice(1)) {
        expect(section.narratorError).toBe(`ollama narrator not asked again: it failed on the ${PERSONAS[0]!.title} section (${run.sections[0]!.narratorError})`);
        // still the built-in writer's paragraphs, fact-checked as any
        expect(section.paragraphs.length).toBeGreaterThan(0);
      }
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
      await server.close();
    }
  }, 60_000);
});

describe('xva explain --narrator bedrock --endpoint (an audit: an HTTP/1.1-only endpoint was "internal error: Protocol error", exit 1)', () => {
  // the standard chain's credentials from the environment only, nothing of the host's ~/.aws
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE0TESTONLY',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: '/nonexistent/xva-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/xva-test-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const args = (endpoint: string, out: string) => ['explain', '--results', results, '--out', out, '--narrator', 'bedrock', '--model-id', 'anthropic.claude-3-5-sonnet-20240620-v1:0', '--endpoint', endpoint, '--quiet'];
  // prose without figures: nothing for the fact check to refuse
  const answer = () => converseAnswer([{ text: 'The book carries counterparty risk across its netting sets.' }], 'end_turn');

  it('an endpoint that speaks HTTP/1.1 only (a proxy) writes the report from the model\'s sections', async () => {
    const server = await startFakeBedrock(env.AWS_SECRET_ACCESS_KEY, answer, 'http1');
    try {
      const out = path.join(tmp, 'bedrock-http1');
      const r = await xvaInProcess(args(server.url, out), env);
      expect(r.status, r.stderr).toBe(0);
      expect(server.requests.length).toBe(PERSONAS.length);
      expect(server.requests.every((q) => q.httpVersion === '1.1' && q.signatureValid)).toBe(true);
      expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('The book carries counterparty risk across its netting sets.');
    } finally {
      await server.close();
    }
  }, 60_000);

  it('an endpoint that speaks cleartext HTTP/2 only: one line naming it and what was expected, exit 2', async () => {
    const server = await startFakeBedrock(env.AWS_SECRET_ACCESS_KEY, answer, 'http2');
    try {
      const r = await xvaInProcess(args(server.url, path.join(tmp, 'bedrock-h2c')), env);
      expect(r.status).toBe(2);
      // the privacy line, then the error: one line naming the endpoint and what it was expected to speak
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^Narrator: Amazon Bedrock model /);
      expect(lines[1]).toMatch(new RegExp(`^error: Amazon Bedrock at ${server.url.replace(/[.]/g, '\\.')} \\(region eu-west-1\\) did not answer in HTTP/1\\.1 .*expected the Bedrock runtime API over HTTP/1\\.1 or HTTPS`));
      expect(r.stderr).not.toContain('internal error');
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('the runs made now under --rng sobol (results/runNow.ts)', () => {
  it('every run draws Sobol points: the xva run\'s CVA is the simulate run\'s read back with --results', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-explain-sobol-'));
    try {
      const demo = path.resolve('fixtures/demo');
      const notes = await runNow({ portfolioDir: demo, marketFile: path.join(demo, 'market.yaml'), resultsDir: dir, paths: 32, seed: 5, rng: 'sobol', threads: 1, scenarios: [], mva: true });
      expect(notes.some((n) => n.includes('32 Sobol paths'))).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'simulate', 'manifest.json'), 'utf8')) as { options: { rng: string } };
      expect(manifest.options.rng).toBe('sobol');
      // a second pipeline on the simulate run's files: the same CVA as the xva run made now (both Sobol, same paths)
      const readBack = await runXva({ portfolioDir: demo, marketFile: path.join(demo, 'market.yaml'), resultsDir: path.join(dir, 'simulate'), paths: 32, seed: 5, grid: parseGridSpec('default'), threads: 1, xva: { discretisation: 'mid', mode: 'unilateral' }, analysis: DEFAULT_ANALYSIS, scenarios: [] });
      const cva = pl.readIPC(fs.readFileSync(path.join(dir, 'xva', 'xva_book.arrow'))).getColumn('cva').toArray()[0] as number;
      expect(Math.abs(cva / readBack.result.book.cva - 1)).toBeLessThan(1e-9);
      // the margin run's DIM drew them too: its MVA per set is `xva margin --dim --rng sobol`'s (and not Philox's)
      const mvaOf = (run: Awaited<ReturnType<typeof runMargin>>) => run.nettingSets.flatMap((n) => (n.mva !== undefined ? [n.mva] : []));
      const marginRun = (rng: 'philox' | 'sobol') => runMargin({ portfolioDir: demo, marketFile: path.join(demo, 'market.yaml'), usePortfolio: true, scenarios: [], dim: { paths: 32, seed: 5, rng } });
      const written = pl.readIPC(fs.readFileSync(path.join(dir, 'margin', 'margin_netting_sets.arrow'))).getColumn('mva_usd').toArray().filter((x) => x !== null) as number[];
      const sobolMva = mvaOf(await marginRun('sobol'));
      expect(written.length).toBeGreaterThan(3);
      expect(written).toEqual(sobolMva);
      expect(mvaOf(await marginRun('philox'))).not.toEqual(sobolMva);
      // the MVA by source (mva_source: the demo's SIMM sets' DIM and its schedule sets' projection): the table's sums,
      // adding up to the book's MVA
      const table = pl.readIPC(fs.readFileSync(path.join(dir, 'margin', 'margin_netting_sets.arrow')));
      const sources = table.getColumn('mva_source').toArray() as (string | null)[];
      const mvas = table.getColumn('mva_usd').toArray() as (number | null)[];
      const bySource = (source: string) => sources.reduce<number>((a, s, i) => a + (s === source ? mvas[i]! : 0), 0);
      const explained = factsOf(readResults(dir));
      expect(bySource('dim')).toBeGreaterThan(0);
      expect(bySource('schedule')).toBeGreaterThan(0);
      expect(rel(explained.get('margin.mva_dim')!.value, bySource('dim'))).toBeLessThan(1e-12);
      expect(rel(explained.get('margin.mva_schedule')!.value, bySource('schedule'))).toBeLessThan(1e-12);
      expect(explained.has('margin.mva_stated')).toBe(false);
      expect(rel(explained.get('margin.mva_dim')!.value + explained.get('margin.mva_schedule')!.value, explained.get('margin.mva')!.value)).toBeLessThan(1e-12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
