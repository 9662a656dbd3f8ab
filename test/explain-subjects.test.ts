/**
 * The fact check ties each figure to the subject and measure its sentence names (grounding/attribution.ts, topics.ts):
 * a figure passes only on a fact of that subject and measure, read from the facts' ids. The facts are factsOf() of the
 * audit's demo run figures (300 paths, seed 42; the same as test/explain-builtin.test.ts): book CVA 5,350,555.5 and DVA
 * 6,607,444.48; CP0024 CVA 1,134,392.92, DVA 502,694.84 (21.2% of book CVA); CP0026 CVA 691,059.46, DVA 413,389.91;
 * NS-CP0026-1 effective EPE 13,655,266.3; under collateral_0pct book CVA 25,741,365.5 (+20,390,810, +381.1%); the
 * CSA action's CVA saving 621,484.68 and the novation's 53,533.9. Each expected reason is written out by hand from
 * them, with formatFigure's rounding (USD 5.4m, USD 691.1k).
 */
import { describe, expect, it } from 'vitest';
import type { ExplainData, ExposureProfile, RecommendationPart } from '../src/explain/data.js';
import { factsOf } from '../src/explain/facts.js';
import { checkedNarration, checkParagraph, extractFigures, factsMatching, topicOf, type Subject } from '../src/explain/grounding/index.js';
import type { Fact, NarrationRequest, Narrator, PersonaSpec } from '../src/explain/types.js';

const row = (cva: number, dva: number, fca: number, fba: number) => ({ cva, dva, fca, fba, colva: 0 });

const profile = (nettingSetId: string, counterpartyId: string, eepe: number, peakPfe: number): ExposureProfile => ({
  nettingSetId,
  counterpartyId,
  timeYears: new Float64Array([0, 1]),
  epe: new Float64Array([0, eepe]),
  ene: new Float64Array([0, 0]),
  pfe: new Float64Array([0, peakPfe]),
  eepe,
  peakEpe: eepe,
  peakPfe,
});

const action = (r: Pick<RecommendationPart, 'actionId' | 'lever' | 'chosen' | 'netBenefit' | 'dCva'> & Partial<RecommendationPart>): RecommendationPart => ({
  description: r.actionId,
  skipReason: null,
  rank: null,
  dDva: 0,
  dFva: 0,
  dMva: 0,
  dKva: 0,
  dEad: 0,
  dCapital: 0,
  dCet1Bp: 0,
  cost: 0,
  worstScenario: null,
  worstScenarioBenefit: null,
  counterpartyIds: [],
  nettingSetIds: [],
  ...r,
});

/** The audit's demo run: book and counterparty XVA, two netting sets' exposure, one stress; the optimiser's actions optional. */
function demo(withActions = false): ExplainData {
  const book = row(5_350_555.5, 6_607_444.48, 2_782_845.66, 1_016_845.6);
  return {
    asOf: '2026-11-25',
    currency: 'USD',
    missing: [],
    notes: [],
    exposure: {
      nettingSets: [profile('NS-CP0024-1', 'CP0024', 4_403_320.39, 20_825_224.78), profile('NS-CP0026-1', 'CP0026', 13_655_266.3, 95_039_373.94)],
      source: 'netting_set_summary.arrow',
    },
    xva: {
      book: { ...book, cvaStdError: 424_510.92 },
      counterparties: [
        { counterpartyId: 'CP0024', ...row(1_134_392.92, 502_694.84, 227_211.66, 92_468.55), shareOfBookCva: 0.212014 },
        { counterpartyId: 'CP0026', ...row(691_059.46, 413_389.91, 575_555.33, 61_362.39), shareOfBookCva: 0.129157 },
        { counterpartyId: 'CP0011', ...row(94_300.92, 117_084.27, 199_997.63, 18_909.64), shareOfBookCva: 0.017625 },
      ],
      nettingSets: [],
      trades: [],
      scenarios: [{ scenario: 'collateral_0pct', book: { ...book, cva: 5_350_555.5 + 20_390_810 }, note: null }],
      discretisation: 'mid',
      mode: 'unilateral',
      source: 'xva_book.arrow',
    },
    ...(withActions
      ? {
          optimize: {
            recommendations: [
              action({ actionId: 'csa:NS-CP0026-1:csa_zero_threshold', lever: 'csa', chosen: true, dCva: -621_484.68, dKva: -1_091_207.66, netBenefit: 2_168_367.93 }),
              action({ actionId: 'novation:set:NS-CP0014-1', lever: 'novation', chosen: false, skipReason: 'limit maxUnwinds', dCva: -53_533.9, netBenefit: 261_396.92 }),
            ],
            plan: null,
            source: 'recommendations.arrow',
          },
        }
      : {}),
  };
}

const facts: Fact[] = factsOf(demo()).list;
const withActions: Fact[] = factsOf(demo(true)).list;
const check = (text: string, list: readonly Fact[] = facts) => checkParagraph(text, list);
const problems = (text: string, list: readonly Fact[] = facts) => check(text, list).problems;

describe('a figure stated of the wrong subject fails, and the reason says whose it is', () => {
  it("rejects a counterparty's CVA stated as the book's", () => {
    expect(problems('Book CVA is USD 1.1m.')).toEqual(['USD 1.1m is not CVA of the book (book CVA is USD 5.4m [book.cva]); it is CVA of CP0024 [cp.CP0024.cva]']);
  });

  it("rejects one counterparty's CVA stated as another's", () => {
    expect(problems("CP0026's CVA is USD 1.1m.")).toEqual(['USD 1.1m is not CVA of CP0026 (CVA of CP0026 is USD 691.1k [cp.CP0026.cva]); it is CVA of CP0024 [cp.CP0024.cva]']);
  });

  it('rejects a figure of another measure of the same subject', () => {
    expect(problems('Book DVA is USD 5.4m.')).toEqual(['USD 5.4m is not DVA of the book (book DVA is USD 6.6m [book.dva]); it is book CVA [book.cva]']);
  });
});

describe('a figure stated of its own subject passes, on that subject\'s fact alone', () => {
  it.each([
    ['Book CVA is USD 5.4m.', ['book.cva']],
    ["CP0024's CVA is USD 1.1m.", ['cp.CP0024.cva']],
    ['The CVA of CP0026 is USD 691.1k.', ['cp.CP0026.cva']],
    ['CP0024 carries 21.2% of book CVA.', ['cp.CP0024.cva_share']],
    ['`NS-CP0026-1` has an effective EPE of USD 13.7m.', ['ns.NS-CP0026-1.eepe']],
    ["The book's CVA is USD 5.4m, against a DVA benefit of USD 6.6m.", ['book.cva', 'book.dva']],
  ])('%s', (text, ids) => {
    const c = check(text);
    expect(c.problems).toEqual([]);
    expect(c.figures.flatMap((f) => f.matched)).toEqual(ids);
  });
});

describe('a sentence with two subjects is checked figure by figure', () => {
  it("ties each figure to the subject named closest before it", () => {
    const c = check("CP0024's CVA is USD 1.1m against CP0026's USD 691.1k.");
    expect(c.problems).toEqual([]);
    expect(c.figures).toEqual([
      { text: 'USD 1.1m', matched: ['cp.CP0024.cva'] },
      { text: 'USD 691.1k', matched: ['cp.CP0026.cva'] },
    ]);
  });

  it('rejects the two figures swapped, each with its own reason', () => {
    expect(problems("CP0024's CVA is USD 691.1k against CP0026's USD 1.1m.")).toEqual([
      'USD 691.1k is not CVA of CP0024 (CVA of CP0024 is USD 1.1m [cp.CP0024.cva]); it is CVA of CP0026 [cp.CP0026.cva]',
      // the second figure's phrase names no measure: any figure of CP0026 would do, and none is 1.1m
      'USD 1.1m is not a figure of CP0026 (CVA of CP0026 is USD 691.1k [cp.CP0026.cva]); it is CVA of CP0024 [cp.CP0024.cva]',
    ]);
  });

  it('keeps clauses apart: a figure after a semicolon is not the subject of the clause before', () => {
    // "the book's DVA" in the second clause; CP0024 named only in the first
    expect(problems("CP0024 carries 21.2% of book CVA; the book's DVA is USD 6.6m.")).toEqual([]);
    expect(problems('CP0024 carries 21.2% of book CVA; DVA is USD 6.6m.')).toEqual([]);
  });
});

describe('a pronoun stands for the subject named before it', () => {
  it('ties "Its" to the counterparty of the sentence before', () => {
    const c = check('CP0024 carries USD 1.1m of CVA. Its DVA is USD 502.7k.');
    expect(c.problems).toEqual([]);
    expect(c.figures.map((f) => f.matched)).toEqual([['cp.CP0024.cva'], ['cp.CP0024.dva']]);
  });

  it("rejects another counterparty's figure after it", () => {
    expect(problems('CP0024 carries USD 1.1m of CVA. Its DVA is USD 413.4k.')).toEqual([
      'USD 413.4k is not DVA of CP0024 (DVA of CP0024 is USD 502.7k [cp.CP0024.dva]); it is DVA of CP0026 [cp.CP0026.dva]',
    ]);
  });
});

describe('a sentence that names no subject is checked as before', () => {
  it.each(['The largest counterparty carries USD 1.1m.', 'Three names carry USD 691.1k and USD 502.7k.', 'There are 3 counterparties.'])('%s: any fact of the figure\'s value and unit', (text) => {
    const c = check(text);
    expect(c.problems).toEqual([]);
    expect(c.figures.map((f) => f.matched)).toEqual(extractFigures(text).map((f) => factsMatching(f, facts)));
  });

  it('a measure named alone still ties the figure to that measure, of any subject', () => {
    expect(check('DVA of USD 413.4k sits with one counterparty.').figures[0]!.matched).toEqual(['cp.CP0026.dva']);
    expect(check('CVA of USD 413.4k sits with one counterparty.').ok).toBe(false);
  });
});

describe('a figure measured under a stress or an action is the book\'s only where the sentence names it', () => {
  it('rejects the stressed book CVA stated as the book\'s, accepts it under the stress', () => {
    expect(problems('Book CVA is USD 25.7m.')).toEqual([
      'USD 25.7m is not CVA of the book (book CVA is USD 5.4m [book.cva]); it is book CVA under collateral_0pct [scenario.collateral_0pct.cva]',
    ]);
    expect(problems('Under `collateral_0pct`, book CVA is USD 25.7m.')).toEqual([]);
    expect(problems('Under `collateral_0pct` CVA rises by USD 20.4m (381.1%).')).toEqual([]);
  });

  it("ties an action's saving to the action named, never to another action", () => {
    expect(problems('`csa:NS-CP0026-1:csa_zero_threshold` (in the plan) cuts CVA by USD 621.5k.', withActions)).toEqual([]);
    expect(problems("With `csa:NS-CP0026-1:csa_zero_threshold`, the book's CVA falls by USD 621.5k.", withActions)).toEqual([]);
    expect(problems('`novation:set:NS-CP0014-1` cuts CVA by USD 621.5k.', withActions)).toEqual([
      'USD 621.5k is not CVA of action novation:set:NS-CP0014-1 (CVA saving of novation:set:NS-CP0014-1 is USD 53.5k [rec.novation:set:NS-CP0014-1.cva_saving]); ' +
        'it is CVA saving of csa:NS-CP0026-1:csa_zero_threshold [rec.csa:NS-CP0026-1:csa_zero_threshold.cva_saving]',
    ]);
    // the book's CVA falls by that much only with the action, which this sentence does not name
    expect(check("The book's CVA falls by USD 621.5k.", withActions).ok).toBe(false);
  });
});

describe("the run's identifiers are subjects even where the narrator has none of their facts", () => {
  const cp0099: Subject[] = [{ kind: 'counterparty', id: 'CP0099' }];

  it('ties a figure to a counterparty of the run named in prose', () => {
    expect(checkParagraph("CP0099's CVA is USD 1.1m.", facts, { subjects: cp0099 }).problems).toEqual([
      'USD 1.1m is not CVA of CP0099 (no such fact was given); it is CVA of CP0024 [cp.CP0024.cva]',
    ]);
    // an id the check is not told of, shaped like the run's (CP0024's letters and digits in the same places), names a
    // subject the results do not have: it fails instead of passing on CP0024's figure (audit of the thirty-fourth session)
    expect(checkParagraph("CP0099's CVA is USD 1.1m.", facts).problems).toEqual([
      "CP0099: names a counterparty that is not in this run's results; name only the run's own identifiers",
    ]);
    expect(checkParagraph('NS-CP0024-7 has CVA of USD 1.1m.', facts).problems[0]).toMatch(/^NS-CP0024-7: names a netting set that is not in this run's results/);
    // a name of no shape the run's ids have is not read as a subject (a limit the docs state)
    expect(checkParagraph("Acme Bank's CVA is USD 1.1m.", facts).ok).toBe(true);
  });

  it('checkedNarration passes them to the check', async () => {
    const persona: PersonaSpec = { id: 'cva_trader', title: 'CVA trader', dependsOn: [], rolePrompt: 'You are the CVA trader.' };
    const request: NarrationRequest = { persona, facts, tools: [], earlier: [], share: 'aggregates' };
    const writer: Narrator = {
      kind: 'builtin',
      model: 'builtin-1',
      destination: 'nowhere (local, built-in)',
      async narrate(req) {
        return { paragraphs: ["CP0024's CVA is USD 1.1m.", "CP0099's CVA is USD 1.1m."], facts: [...req.facts], cited: [], narrator: 'builtin', model: 'builtin-1' };
      },
    };
    const section = await checkedNarration(writer, request, { subjects: cp0099 });
    expect(section.result.paragraphs).toEqual(["CP0024's CVA is USD 1.1m."]);
    expect(section.dropped.map((d) => d.paragraph)).toEqual(["CP0099's CVA is USD 1.1m."]);
  });
});

describe('what a fact is a figure of, read from its id', () => {
  it.each([
    ['book.cva', { holder: { kind: 'book', id: 'book' }, conditions: [], measure: ['cva'] }],
    ['cp.CP0024.cva_share', { holder: { kind: 'counterparty', id: 'CP0024' }, conditions: [], measure: ['cva', 'share'] }],
    ['capital.cp.CP0024.capital', { holder: { kind: 'counterparty', id: 'CP0024' }, conditions: [], measure: ['capital'] }],
    ['margin.ns.NS-CP0011-1.im_post', { holder: { kind: 'netting_set', id: 'NS-CP0011-1' }, conditions: [], measure: ['margin', 'im', 'post'] }],
    ['scenario.collateral_0pct.ns.NS-CP0040-2.d_cva', { holder: { kind: 'netting_set', id: 'NS-CP0040-2' }, conditions: [{ kind: 'scenario', ids: ['collateral_0pct'] }], measure: ['d', 'cva'] }],
    ['rec.csa:NS-CP0026-1:csa_zero_threshold.kva_saving', { holder: { kind: 'book', id: 'book' }, conditions: [{ kind: 'action', ids: ['csa:NS-CP0026-1:csa_zero_threshold'] }], measure: ['kva', 'saving'] }],
    ['plan.saving_pct_xva', { holder: { kind: 'book', id: 'book' }, conditions: [{ kind: 'plan', ids: ['plan'] }], measure: ['saving', 'pct', 'xva'] }],
    ['change.cp.CP0024.cva.pct', { holder: { kind: 'counterparty', id: 'CP0024' }, conditions: [{ kind: 'change' }], measure: ['cva', 'pct'] }],
    ['run.cs01_shift_bp', { conditions: [], measure: ['run', 'cs01', 'shift', 'bp'] }],
  ])('%s', (id, topic) => {
    expect(topicOf(id)).toEqual(topic);
  });
});
