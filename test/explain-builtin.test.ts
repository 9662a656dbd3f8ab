/**
 * The built-in writer of `xva explain` on results built by hand from the audit's demo run (docs: the audit of `xva
 * explain`, section 3): figures are the engine's of that run (300 paths, seed 42), read from its tables and copied
 * here, so each expected sentence below is written out by hand from them:
 * - the head of desk backs only the actions the optimiser chose; a paying action it did not choose is named as not
 *   chosen, with the optimiser's reason (`limit maxUnwinds`);
 * - an action's savings are ranked over all of them (KVA 1,091,208 first for the CSA, then CVA 621,485), its DVA
 *   change said apart (not in the net benefit), the collateral lever's year of funding counted as a saving;
 * - the FVA specialist calls a counterparty uncollateralised only when none of its netting sets has a CSA
 *   (netting_set_summary:collateralised);
 * - the plan's percentage names its denominator: saving / percent = 3,922,398.36 / 15.8047% = USD 24.8m;
 * - every paragraph passes the fact check with the identifiers masked, as run.ts checks it; and run.ts prints only
 *   the paragraphs that pass, citing what the check matched.
 */
import { describe, expect, it } from 'vitest';
import type { ExplainData, ExposureProfile, RecommendationPart } from '../src/explain/data.js';
import { factsOf, type FactSet } from '../src/explain/facts.js';
import { checkParagraph } from '../src/explain/grounding/index.js';
import { BuiltinNarrator } from '../src/explain/narrators/builtin.js';
import { PERSONAS, startingFacts } from '../src/explain/personas.js';
import { renderMarkdown, type ReportSection } from '../src/explain/report/markdown.js';
import { identifierPhrases } from '../src/explain/run.js';
import type { PersonaId } from '../src/explain/types.js';

const profile = (nettingSetId: string, counterpartyId: string, eepe: number, peakPfe: number, collateralised?: boolean): ExposureProfile => ({
  nettingSetId,
  counterpartyId,
  timeYears: new Float64Array([0, 1]),
  epe: new Float64Array([0, eepe]),
  ene: new Float64Array([0, 0]),
  pfe: new Float64Array([0, peakPfe]),
  eepe,
  peakEpe: eepe,
  peakPfe,
  ...(collateralised !== undefined ? { collateralised } : {}),
});

const rec = (r: Partial<RecommendationPart> & Pick<RecommendationPart, 'actionId' | 'lever' | 'chosen' | 'netBenefit'>): RecommendationPart => ({
  description: r.actionId,
  skipReason: null,
  rank: null,
  dCva: 0,
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

/** The audit's demo run, the parts the FVA specialist, collateral manager and head of desk speak of. */
function auditData(options: { collateralised?: boolean } = { collateralised: true }): ExplainData {
  const c = options.collateralised;
  return {
    asOf: '2026-11-25',
    currency: 'USD',
    missing: [],
    notes: [],
    exposure: {
      nettingSets: [
        profile('NS-CP0011-1', 'CP0011', 10_371_443.29, 23_922_738.1, c === undefined ? undefined : true),
        profile('NS-CP0024-1', 'CP0024', 4_403_320.39, 20_825_224.78, c === undefined ? undefined : false),
        profile('NS-CP0024-2', 'CP0024', 3_481_444.94, 10_806_249.3, c === undefined ? undefined : true),
        profile('NS-CP0024-3', 'CP0024', 48_596.35, 27_571_583.25, c === undefined ? undefined : false),
        profile('NS-CP0026-1', 'CP0026', 13_655_266.3, 95_039_373.94, c === undefined ? undefined : false),
      ],
      source: 'netting_set_summary.arrow',
    },
    xva: {
      book: { cva: 5_350_555.5, dva: 6_607_444.48, fca: 2_782_845.66, fba: 1_016_845.6, colva: 0, cvaStdError: 424_510.92 },
      counterparties: [
        { counterpartyId: 'CP0024', cva: 1_134_392.92, dva: 502_694.84, fca: 227_211.66, fba: 92_468.55, colva: 0, shareOfBookCva: 0.212014 },
        { counterpartyId: 'CP0026', cva: 691_059.46, dva: 413_389.91, fca: 575_555.33, fba: 61_362.39, colva: 0, shareOfBookCva: 0.129157 },
        { counterpartyId: 'CP0011', cva: 94_300.92, dva: 117_084.27, fca: 199_997.63, fba: 18_909.64, colva: 0, shareOfBookCva: 0.017625 },
      ],
      nettingSets: [
        { nettingSetId: 'NS-CP0011-1', counterpartyId: 'CP0011', cva: 94_300.92, dva: 117_084.27, fca: 199_997.63, fba: 18_909.64, colva: 0 },
        { nettingSetId: 'NS-CP0026-1', counterpartyId: 'CP0026', cva: 691_059.46, dva: 413_389.91, fca: 575_555.33, fba: 61_362.39, colva: 0 },
      ],
      trades: [],
      scenarios: [],
      discretisation: 'mid',
      mode: 'unilateral',
      source: 'xva_book.arrow',
    },
    margin: {
      nettingSets: [
        { nettingSetId: 'NS-CP0011-1', imModel: 'simm', simmCollect: 10_000_000, simmPost: 9_000_000, scheduleCall: null, schedulePost: null, collateralCurrency: 'USD', vmRequired: 0, marginCall: null, balanceOnFile: false, mva: 250_000 },
      ],
      scenarios: [],
      // the MVA under two scenarios (margin_mva_scenarios): funding +50bp on a 65bp spread, and a capital shock
      mvaScenarios: [
        { scenario: 'funding_up_50bp', mva: 250_000, mvaStressed: (250_000 * 115) / 65 },
        { scenario: 'capital_ratio_plus_1pct', mva: 250_000, mvaStressed: 250_000 },
      ],
      source: 'margin_netting_sets.arrow',
    },
    optimize: {
      recommendations: [
        rec({ actionId: 'csa:NS-CP0026-1:csa_zero_threshold', lever: 'csa', chosen: true, rank: 1, dCva: -621_484.68, dDva: -337_741.14, dFva: -455_675.59, dKva: -1_091_207.66, dEad: -39_986_175.52, dCapital: -2_402_564.06, dCet1Bp: 0.1094, netBenefit: 2_168_367.93 }),
        rec({ actionId: 'collateral-61b0c4c3dce5', lever: 'collateral', chosen: true, rank: 2, netBenefit: 1_754_030.43 }),
        rec({ actionId: 'novation:set:NS-CP0014-1', lever: 'novation', chosen: false, skipReason: 'limit maxUnwinds', dCva: -53_533.9, dDva: 2_683.71, dFva: 6_929.3, dMva: 254_899.31, dKva: -469_691.63, dEad: 923_338.55, dCapital: -1_150_603.86, dCet1Bp: 0.0524, netBenefit: 261_396.92 }),
        rec({ actionId: 'csa:NS-CP0026-1:add_im', lever: 'csa', chosen: false, skipReason: 'does not pay', dCva: -324_126.01, dFva: -303_842.03, dMva: 740_777.81, netBenefit: -112_809.78 }),
      ],
      plan: { source: 'realised', saving: 3_922_398.36, savingPctOfXva: 15.804706576, savingBpOfGrossNotional: 0.9414, dCva: -621_484.68, dFva: -455_675.59, dKva: -1_091_207.66, dCapital: -2_402_564.06 },
      source: 'recommendations.arrow',
    },
  };
}

async function narrate(data: ExplainData, id: PersonaId): Promise<string[]> {
  const persona = PERSONAS.find((p) => p.id === id)!;
  const r = await new BuiltinNarrator().narrate({ persona, facts: startingFacts(id, factsOf(data), 'aggregates'), tools: [], earlier: [], share: 'aggregates' });
  return r.paragraphs;
}

describe('head of desk', () => {
  it('backs only the actions the optimiser chose, names the paying one it rejected with its reason, and says the denominator', async () => {
    const plan = (await narrate(auditData(), 'head_of_desk')).find((p) => p.startsWith("The optimiser's plan"))!;
    expect(plan).toBe(
      "The optimiser's plan of 2 action(s) saves USD 3.9m, measured on the amended book: 15.8% of USD 24.8m, the book's CVA + FVA + MVA + KVA as the optimiser measured it on its own base run (not the net XVA cost above). " +
        'I back `csa:NS-CP0026-1:csa_zero_threshold`, which pays USD 2.2m net (largest savings: KVA USD 1.1m and CVA USD 621.5k; DVA falls by USD 337.7k, which the net benefit leaves out) ' +
        'and `collateral-61b0c4c3dce5`, which pays USD 1.8m net (savings: a year of collateral funding USD 1.8m). ' +
        'The optimiser did not choose `novation:set:NS-CP0014-1`, which would pay USD 261.4k net (limit maxUnwinds).',
    );
    // the rejected action is never among those backed
    expect(plan.slice(plan.indexOf('I back'), plan.indexOf('The optimiser did not choose'))).not.toContain('novation');
  });

  it('backs nothing when the plan chose no paying action, and says an estimated plan was not re-measured', async () => {
    const data = auditData();
    data.optimize!.recommendations = data.optimize!.recommendations.map((r) => ({ ...r, chosen: false, skipReason: r.skipReason ?? 'limit maxCsaAmendments' }));
    data.optimize!.plan = { ...data.optimize!.plan!, source: 'estimated' };
    const plan = (await narrate(data, 'head_of_desk')).find((p) => p.startsWith("The optimiser's plan"))!;
    expect(plan).not.toContain('I back');
    expect(plan).toContain("The optimiser's plan of 0 action(s) would save USD 3.9m by the sum of its actions measured one by one (the whole plan was not re-measured)");
    expect(plan).toContain('The optimiser did not choose `csa:NS-CP0026-1:csa_zero_threshold`, which would pay USD 2.2m net (limit maxCsaAmendments) and `collateral-61b0c4c3dce5`, which would pay USD 1.8m net (limit maxCsaAmendments).');
  });
});

describe('collateral manager', () => {
  it('names the largest savings among all components, KVA included, with the DVA change apart and the plan status', async () => {
    const text = (await narrate(auditData(), 'collateral_manager')).join('\n');
    expect(text).toContain(
      'On collateral, the optimiser measured `csa:NS-CP0026-1:csa_zero_threshold` (in the plan), which pays USD 2.2m net (largest savings: KVA USD 1.1m and CVA USD 621.5k; DVA falls by USD 337.7k, which the net benefit leaves out) ' +
        'and `collateral-61b0c4c3dce5` (in the plan), which pays USD 1.8m net (savings: a year of collateral funding USD 1.8m).',
    );
    expect(text).not.toContain('mostly CVA');
  });
});

describe('FVA specialist', () => {
  it('calls a counterparty uncollateralised only when none of its netting sets has a CSA', async () => {
    // FVA = FCA − FBA: CP0026 514,193 (29.1% of 1,766,000), CP0011 181,088 (10.3%), CP0024 134,743 (7.6%)
    const drivers = (await narrate(auditData(), 'fva_specialist')).find((p) => p.startsWith('The largest contributors'))!;
    expect(drivers).toBe(
      'The largest contributors to FVA are CP0026 (USD 514.2k, 29.1% of book FVA), which trades without a CSA; ' +
        'and CP0011 (USD 181.1k, 10.3% of book FVA), which trades under a CSA whose terms (threshold, minimum transfer amount, margin period of risk) still leave exposure to fund; ' +
        'and CP0024 (USD 134.7k, 7.6% of book FVA), with only some of its netting sets under a CSA.',
    );
    expect(drivers).not.toContain('uncollateralised');
  });

  it('makes no claim about collateral when the results do not say which sets have a CSA', async () => {
    const drivers = (await narrate(auditData({}), 'fva_specialist')).find((p) => p.startsWith('The largest contributors'))!;
    expect(drivers).toBe('The largest contributors to FVA are CP0026 (USD 514.2k, 29.1% of book FVA), CP0011 (USD 181.1k, 10.3% of book FVA) and CP0024 (USD 134.7k, 7.6% of book FVA).');
  });
});

describe('signs in words: figures are magnitudes, so a benefit is said as one (forty-fourth session\'s MVA/KVA audit)', () => {
  // the audit's small book: CVA 58.0k, DVA 216.1k, FCA 37.1k, FBA 46.7k: FVA = 37.1k − 46.7k = −9.6k (a benefit), net
  // XVA = 58.0k − 216.1k − 9.6k = −167.7k (a benefit); the writer said "net XVA cost ... USD 167.7k: CVA USD 58.0k and
  // FVA USD 9.6k, less the DVA benefit of USD 216.1k"
  /** Every paragraph the built-in writer gives these personas passes the fact check, identifiers masked as run.ts masks them. */
  const expectChecked = async (data: ExplainData, ids: PersonaId[]) => {
    const facts = factsOf(data);
    const ignore = identifierPhrases(data);
    for (const id of ids) {
      const p = PERSONAS.find((x) => x.id === id)!;
      const given = startingFacts(id, facts, 'aggregates');
      for (const para of (await new BuiltinNarrator().narrate({ persona: p, facts: given, tools: [], earlier: [], share: 'aggregates' })).paragraphs) {
        expect(checkParagraph(para, given, { ignore: [...ignore, p.title] }).problems, para).toEqual([]);
      }
    }
  };
  const benefit = (): ExplainData => {
    const data = auditData();
    data.xva!.book = { ...data.xva!.book, cva: 58_000, dva: 216_100, fca: 37_100, fba: 46_700, colva: 0 };
    return data;
  };

  it('the head of desk and the FVA specialist say the net XVA and the FVA are benefits, and pass the fact check', async () => {
    const data = benefit();
    const head = (await narrate(data, 'head_of_desk'))[0]!;
    expect(head.startsWith('The net XVA of the book is a benefit of USD 167.7k: CVA USD 58.0k, less the FVA benefit of USD 9.6k and the DVA benefit of USD 216.1k.')).toBe(true);
    const fva = (await narrate(data, 'fva_specialist'))[0]!;
    expect(fva).toBe('Book FVA is a benefit of USD 9.6k: FBA of USD 46.7k exceeds FCA of USD 37.1k for funding the uncollateralised exposure. With CVA and DVA, the net XVA of the book is a benefit of USD 167.7k.');
    await expectChecked(data, ['head_of_desk', 'fva_specialist']);
  });

  it('a negative MVA (IM remunerated above its funding spread) is a benefit, for the head of desk and the collateral manager', async () => {
    const data = auditData();
    data.margin!.nettingSets = data.margin!.nettingSets.map((n) => ({ ...n, mva: -6_763.85 }));
    data.margin!.mvaScenarios = [];
    const head = (await narrate(data, 'head_of_desk'))[0]!;
    expect(head).toContain('Posted initial margin is a benefit of USD 6.8k (MVA), its remuneration being above its funding spread.');
    const collateral = (await narrate(data, 'collateral_manager')).join('\n');
    expect(collateral).toContain('The initial margin we post is a benefit of USD 6.8k (MVA) over the life of the trades: its remuneration exceeds its funding spread.');
    await expectChecked(data, ['head_of_desk', 'collateral_manager']);
  });

  it('a cost stays a cost: the audit\'s demo run', async () => {
    const head = (await narrate(auditData(), 'head_of_desk'))[0]!;
    // 5,350,555.5 − 6,607,444.48 + 2,782,845.66 − 1,016,845.6 = 509,111.08
    expect(head.startsWith('The net XVA cost of the book is USD 509.1k: CVA USD 5.4m and FVA USD 1.8m, less the DVA benefit of USD 6.6m.')).toBe(true);
  });
});

describe('the fact check over every built-in paragraph', () => {
  it('passes for every persona, with the identifiers masked as run.ts masks them', async () => {
    const data = auditData();
    const facts = factsOf(data);
    const ignore = identifierPhrases(data);
    let paragraphs = 0;
    for (const p of PERSONAS) {
      const given = startingFacts(p.id, facts, 'aggregates');
      const r = await new BuiltinNarrator().narrate({ persona: p, facts: given, tools: [], earlier: [], share: 'aggregates' });
      for (const para of r.paragraphs) {
        paragraphs++;
        expect(checkParagraph(para, given, { ignore: [...ignore, p.title] }).problems, para).toEqual([]);
      }
    }
    expect(paragraphs).toBeGreaterThan(10);
  });

  it('figures alone cannot tell a chosen action from a rejected one (the writer must), but a wrong direction fails', async () => {
    const facts = factsOf(auditData()).list;
    const ignore = identifierPhrases(auditData());
    // figures alone cannot tell a chosen action from a rejected one (the writer's logic must), but a wrong direction can
    expect(checkParagraph('I back `novation:set:NS-CP0014-1`, which pays USD 261.4k net.', facts, { ignore }).ok).toBe(true);
    expect(checkParagraph('With the CSA, DVA rises by USD 337.7k.', facts, { ignore }).ok).toBe(false);
  });
});

describe('wording that ties each figure to its own subject (the fact check reads subjects)', () => {
  it('states the concentration threshold before the counterparties above it, and "(MVA)" right after its figure', async () => {
    const cva = (await narrate(auditData(), 'cva_trader')).join(' ');
    expect(cva).toContain('The concentration threshold is 10.0% of book CVA; above it are CP0024 (21.2%) and CP0026 (12.9%).');
    const collateral = (await narrate(auditData(), 'collateral_manager')).join(' ');
    expect(collateral).toContain('Funding the initial margin we post costs USD 250.0k (MVA) over the life of the trades.');
    // the scenario that moves the MVA most, with its change and level (192,308 = 250,000 × 50/65), checked facts
    expect(collateral).toContain('Under `funding_up_50bp` the MVA rises by USD 192.3k, to USD 442.3k.');
  });

  it('the MVA by source when the IM posted is of two kinds: each part "of MVA", checked, adding up to the book\'s', async () => {
    const data = auditData();
    data.margin!.nettingSets[0]!.mvaSource = 'dim';
    data.margin!.nettingSets.push({ nettingSetId: 'NS-CP0024-1', imModel: 'none', simmCollect: null, simmPost: null, scheduleCall: null, schedulePost: null, collateralCurrency: 'USD', vmRequired: 0, marginCall: null, balanceOnFile: false, mva: 80_000, mvaSource: 'initial_margin_posted' });
    const facts = factsOf(data);
    expect(facts.get('margin.mva')!.value).toBe(330_000);
    expect([facts.get('margin.mva_dim')!.value, facts.get('margin.mva_stated')!.value, facts.has('margin.mva_schedule')]).toEqual([250_000, 80_000, false]);
    const collateral = (await narrate(data, 'collateral_manager')).join(' ');
    expect(collateral).toContain('Funding the initial margin we post costs USD 330.0k (MVA) over the life of the trades. Of it, USD 250.0k of MVA funds the SIMM sets\' dynamic IM and USD 80.0k of MVA funds the IM amounts the netting sets state.');
    // one kind only: no split (the auditData book's single DIM set)
    const one = auditData();
    one.margin!.nettingSets[0]!.mvaSource = 'dim';
    expect((await narrate(one, 'collateral_manager')).join(' ')).not.toContain('Of it,');
    // the check ties a part to an MVA fact, not to its source (as figures alone cannot tell a chosen action from a
    // rejected one): the stated amounts' 80.0k worded as the DIM's passes, so the writer's wording carries the source
    expect(checkParagraph('USD 80.0k of MVA funds the SIMM sets\' dynamic IM.', facts.list, { ignore: identifierPhrases(data) }).ok).toBe(true);
  });

  it('the MVA under the scenarios is left out when the MVA is partial (a SIMM set without its MVA)', async () => {
    const data = auditData();
    data.margin!.nettingSets.push({ nettingSetId: 'NS-X', imModel: 'simm', simmCollect: 1, simmPost: 1, scheduleCall: null, schedulePost: null, collateralCurrency: 'USD', vmRequired: 0, marginCall: null, balanceOnFile: false, mva: null });
    const facts = factsOf(data);
    expect(facts.has('margin.mva')).toBe(false);
    expect(facts.has('margin.scenario.funding_up_50bp.d_mva')).toBe(false);
    expect(factsOf(auditData()).get('margin.scenario.funding_up_50bp.d_mva')!.value).toBeCloseTo((250_000 * 50) / 65, 6);
  });

  it('"uncollateralised exposure" names a residual or an exposure, never the MVA under the same scenario; "funding the uncollateralised exposure" names FVA', () => {
    const data = auditData();
    // a coverage scenario with both a residual exposure (margin_scenarios) and an MVA (margin_mva_scenarios)
    data.margin!.scenarios.push({ scenario: 'collateral_50pct', coverage: 0.5, residualBase: 1_000_000, residualStressed: 3_400_000 });
    data.margin!.mvaScenarios.push({ scenario: 'collateral_50pct', mva: 250_000, mvaStressed: 125_000 });
    const facts = factsOf(data).list;
    const ignore = identifierPhrases(data);
    const check = (text: string) => checkParagraph(text, facts, { ignore });
    expect(check('Under `collateral_50pct` the uncollateralised exposure is USD 3.4m.').ok).toBe(true);
    expect(check('Under `collateral_50pct` the MVA is USD 125.0k.').ok).toBe(true);
    // the MVA's figure worded as the residual exposure: it passed as the scenario's figure before the phrase was a measure
    const [problem] = check('Under `collateral_50pct` the uncollateralised exposure is USD 125.0k.').problems;
    expect(problem).toContain('USD 125.0k');
    expect(check('Under `collateral_50pct` the residual exposure is USD 125.0k.').ok).toBe(false);
    // the FVA specialist's definition ties its figure to FCA, FBA or FVA, not to the residual exposure
    expect(check('Book FCA is USD 2.8m for funding the uncollateralised exposure.').ok).toBe(true);
    expect(check('Funding the uncollateralized exposure costs USD 2.8m (FCA).').ok).toBe(true);
    expect(check('Book CVA is USD 5.4m for funding the uncollateralised exposure.').ok).toBe(false);
  });

  // the audit of session 150: with exactly one counterparty above the threshold, "The concentration above 10.0% of book
  // CVA is CP0024." failed ("10.0% is not a figure of CP0024": the clause's only subject) and the paragraph was left
  // out, while the plural passed; the threshold now has a clause of its own, for one name and for several
  it.each([
    ['one counterparty above it', 0.099, 'The concentration threshold is 10.0% of book CVA; above it is CP0024 (21.2%).'],
    ['two counterparties above it', 0.129157, 'The concentration threshold is 10.0% of book CVA; above it are CP0024 (21.2%) and CP0026 (12.9%).'],
  ])('the concentration sentence with %s passes the fact check', async (_, share, sentence) => {
    const data = auditData();
    data.xva!.counterparties[1]!.shareOfBookCva = share;
    const given = startingFacts('cva_trader', factsOf(data), 'aggregates');
    const paragraphs = await narrate(data, 'cva_trader');
    const drivers = paragraphs.find((p) => p.startsWith('The largest driver'))!;
    expect(drivers).toContain(sentence);
    const c = checkParagraph(drivers, given, { ignore: identifierPhrases(data) });
    expect(c.problems, drivers).toEqual([]);
    expect(c.figures.at(-1)!.matched).toEqual([share > 0.1 ? 'cp.CP0026.cva_share' : 'cp.CP0024.cva_share']);
    expect(c.figures.find((f) => f.text === '10.0%')!.matched).toEqual(['book.concentration_threshold']);
  });

  it('the earlier wording put the threshold after a counterparty, whose figure the check then took it for', () => {
    const given = startingFacts('cva_trader', factsOf(auditData()), 'aggregates');
    const [problem] = checkParagraph('CP0024 and CP0026 are concentrations above 10.0% of book CVA.', given).problems;
    expect(problem).toContain('10.0% is not a figure of CP0026');
    expect(problem).toContain('it is concentration threshold, percent of book CVA [book.concentration_threshold]');
    // and the singular of the wording before the audit of session 150, the clause's only subject
    expect(checkParagraph('The concentration above 10.0% of book CVA is CP0024.', given).problems[0]).toContain('10.0% is not a figure of CP0024');
  });
});

describe('the report says what the fact check left out', () => {
  it('prints a flagged note with the reasons and counts it in the appendix, never the paragraph', () => {
    const data: ExplainData = { asOf: null, currency: 'USD', missing: [], notes: [] };
    const section: ReportSection = {
      persona: PERSONAS[0]!,
      paragraphs: ['Book CVA is USD 5.4m.'],
      sources: [{ narrator: 'builtin', model: 'builtin-1', cited: ['book.cva'], flagged: false, reasons: [] }],
      dropped: [{ paragraph: 'Book CVA is USD 5m.', reasons: ['USD 5m: too few significant digits'] }],
    };
    const md = renderMarkdown(data, factsOf(data), [section], [], { title: 't', generatedFrom: 'x', narrator: 'built-in writer', destination: 'nowhere', share: 'aggregates' });
    expect(md).toContain('> Flagged: 1 paragraph(s) of this section failed the fact check and were left out (USD 5m: too few significant digits).');
    expect(md).toContain('- builtin (model builtin-1): 1 paragraph(s); facts cited: `book.cva`');
    expect(md).toContain('- left out: 1 paragraph(s) that failed the fact check');
    expect(md).not.toContain('Book CVA is USD 5m.');
  });
});

describe('the report\'s stress and capital tables show what moves (helper 117)', () => {
  it('ΔDVA where an own-credit stress moves it; a capital scenario that moves only the KVA is listed', () => {
    const data = auditData();
    const book = data.xva!.book;
    // own spreads +100bp: DVA up 6.73m, CVA unchanged; credit +100bp: CVA up
    data.xva!.scenarios = [
      { scenario: 'own_up_100bp', book: { cva: book.cva, dva: book.dva + 6_730_000, fca: book.fca, fba: book.fba - 130_829, colva: 0 }, note: null },
      { scenario: 'credit_up_100bp', book: { cva: book.cva + 4_086_729, dva: book.dva, fca: book.fca, fba: book.fba, colva: 0 }, note: null },
    ];
    data.capital = {
      book: { ead: 1e9, rwaCcr: 5e8, capitalCcr: 29_711_405.86, baCva: 16e6, capitalCva: 21_050_380.97, capital: 50_761_786.83, capitalRatio: 0.105, kva: 16_164_449, cet1ImpactBp: -2.32, cvaMethod: 'BA-CVA' },
      counterparties: [],
      scenarios: [
        { scenario: 'capital_ratio_plus_1pct', capital: 55_596_242.71, kva: 17_703_920 },
        { scenario: 'credit_up_100bp', capital: 50_761_786.83, kva: 15_293_667 },
        { scenario: 'funding_up_50bp', capital: 50_761_786.83, kva: 16_164_449 },
      ],
      source: 'capital_book.arrow',
    };
    const md = renderMarkdown(data, factsOf(data), [], [], { title: 't', generatedFrom: 'x', narrator: 'built-in writer', destination: 'nowhere', share: 'aggregates' });
    expect(md).toContain('| Scenario | CVA | ΔCVA | ΔCVA % | ΔDVA | ΔFVA | Δ net XVA cost |');
    expect(md).toContain('| own_up_100bp | 5,350,556 | 0 | 0.00 | 6,730,000 | 130,829 | -6,599,171 |');
    // the credit stress moves the KVA (−870,782) though not capital: it is in the table; funding moves neither
    expect(md).toContain('Capital: 1 of 3 scenarios move neither capital nor KVA.');
    expect(md).toContain('| credit_up_100bp | 50,761,787 | 0 | -870,782 |');
    expect(md).not.toContain('only a change of the capital ratio does');
  });
});

describe("the plan's and the actions' MVA (helper 117: invisible, so the rows did not add up)", () => {
  it('the recommendations table has MVA and collateral columns; the head of desk says the plan raises the MVA', async () => {
    const data = auditData();
    data.optimize!.plan = { ...data.optimize!.plan!, dMva: 951_315 };
    const facts = factsOf(data);
    const md = renderMarkdown(data, facts, [], [], { title: 't', generatedFrom: 'x', narrator: 'built-in writer', destination: 'nowhere', share: 'aggregates' });
    expect(md).toContain('| Rank | Action | In plan | Lever | What | Net benefit | CVA saved | FVA saved | MVA saved | KVA saved | Collateral funding saved | Capital freed | Cost |');
    // the novation row: net 261,397 = CVA 53,534 + FVA −6,929 + MVA −254,899 + KVA 469,692 (to rounding), cost 0
    const row = md.split('\n').find((l) => l.includes('`novation:set:NS-CP0014-1`'))!;
    expect(row).toContain('| 261,397 | 53,534 | -6,929 | -254,899 | 469,692 | – |');
    const persona = PERSONAS.find((p) => p.id === 'head_of_desk')!;
    const given = startingFacts('head_of_desk', facts, 'aggregates');
    const r = await new BuiltinNarrator().narrate({ persona, facts: given, tools: [], earlier: [], share: 'aggregates' });
    const plan = r.paragraphs.find((p) => p.startsWith("The optimiser's plan"))!;
    expect(plan).toContain("The plan's MVA rises by USD 951.3k; the saving is net of it.");
    expect(checkParagraph(plan, given, { ignore: identifierPhrases(data) }).problems).toEqual([]);
  });
});

describe('paragraphs with parts of the results absent (audit of the thirty-fourth session, F7 and F8)', () => {
  /** The audit data's facts with two stresses of the book's CVA and net XVA cost, and a netting set's move under the first. */
  function withStresses(): FactSet {
    const f = factsOf(auditData());
    const usd = { currency: 'USD' };
    f.add('scenario.collateral_0pct.d_cva', 'change of book CVA under collateral_0pct', 20_390_810, 'currency', 'xva_scenarios.arrow', usd);
    f.add('scenario.collateral_0pct.d_cva_pct', 'change of book CVA under collateral_0pct, percent', 381.1, 'pct', 'xva_scenarios.arrow');
    f.add('scenario.collateral_0pct.ns.NS-CP0026-1.d_cva', 'change of CVA of NS-CP0026-1 under collateral_0pct', 7_630_000, 'currency', 'xva_scenarios.arrow', usd);
    f.add('scenario.collateral_50pct.d_cva', 'change of book CVA under collateral_50pct', 9_290_000, 'currency', 'xva_scenarios.arrow', usd);
    f.add('scenario.collateral_50pct.d_cva_pct', 'change of book CVA under collateral_50pct, percent', 170.3, 'pct', 'xva_scenarios.arrow');
    f.add('scenario.collateral_0pct.d_net', 'change of the net XVA cost under collateral_0pct', 12_303_000, 'currency', 'xva_scenarios.arrow', usd);
    return f;
  }

  it('the head of desk with no capital results: each matter in its own clause, all passing the check', async () => {
    const facts = withStresses();
    expect(facts.list.some((f) => f.id.startsWith('capital.'))).toBe(false);
    const persona = PERSONAS.find((p) => p.id === 'head_of_desk')!;
    const given = startingFacts('head_of_desk', facts, 'aggregates');
    const r = await new BuiltinNarrator().narrate({ persona, facts: given, tools: [], earlier: [], share: 'aggregates' });
    const matters = r.paragraphs.find((p) => p.startsWith('What matters most'));
    expect(matters).toBe('What matters most: five counterparties carry 35.9% of CVA; the worst stress, `collateral_0pct`, adds USD 12.3m to the net XVA cost.');
    const ignore = identifierPhrases(auditData());
    for (const para of r.paragraphs) expect(checkParagraph(para, given, { ignore }).problems, para).toEqual([]);
    // the earlier wording, one clause: the stress, its only subject, took the share of CVA for one of its figures
    const joined = 'What matters most: five counterparties carry 35.9% of CVA and the worst stress, `collateral_0pct`, adds USD 12.3m to the net XVA cost.';
    expect(checkParagraph(joined, given, { ignore }).problems[0]).toMatch(/^35\.9% is not a figure under scenario collateral_0pct/);
  });

  it("the CVA trader's second stress names the book, not \"it\", after a netting set's figure", async () => {
    const facts = withStresses();
    const persona = PERSONAS.find((p) => p.id === 'cva_trader')!;
    const given = startingFacts('cva_trader', facts, 'aggregates');
    const r = await new BuiltinNarrator().narrate({ persona, facts: given, tools: [], earlier: [], share: 'aggregates' });
    const stress = r.paragraphs.find((p) => p.includes('bites hardest'))!;
    expect(stress).toContain('under `collateral_50pct` book CVA rises by USD 9.3m (170.3%)');
    expect(checkParagraph(stress, given, { ignore: identifierPhrases(auditData()) }).problems).toEqual([]);
  });

  it('the stress that bites is the largest rise, not the largest move: a larger relief comes after it (helper 117)', async () => {
    // credit −300bp takes 5.5m off CVA, credit +20bp adds 0.9m: the second bites, the first relieves
    const f = factsOf(auditData());
    const usd = { currency: 'USD' };
    f.add('scenario.credit_down_300bp.d_cva', 'change of book CVA under credit_down_300bp', -5_500_000, 'currency', 'xva_scenarios.arrow', usd);
    f.add('scenario.credit_up_20bp.d_cva', 'change of book CVA under credit_up_20bp', 865_167, 'currency', 'xva_scenarios.arrow', usd);
    const persona = PERSONAS.find((p) => p.id === 'cva_trader')!;
    const given = startingFacts('cva_trader', f, 'aggregates');
    const r = await new BuiltinNarrator().narrate({ persona, facts: given, tools: [], earlier: [], share: 'aggregates' });
    const stress = r.paragraphs.find((p) => p.includes('bites hardest'))!;
    expect(stress).toMatch(/^The stress that bites hardest is `credit_up_20bp`: CVA rises by USD 865\.2k.*; under `credit_down_300bp` book CVA falls by USD 5\.5m/);
    expect(checkParagraph(stress, given, { ignore: identifierPhrases(auditData()) }).problems).toEqual([]);
    // stresses that only relieve: no "bites"
    const g = factsOf(auditData());
    g.add('scenario.credit_down_300bp.d_cva', 'change of book CVA under credit_down_300bp', -5_500_000, 'currency', 'xva_scenarios.arrow', usd);
    const given2 = startingFacts('cva_trader', g, 'aggregates');
    const r2 = await new BuiltinNarrator().narrate({ persona, facts: given2, tools: [], earlier: [], share: 'aggregates' });
    const relief = r2.paragraphs.find((p) => p.includes('largest relief'))!;
    expect(relief).toMatch(/^No stress raises CVA; the largest relief is `credit_down_300bp`: CVA falls by USD 5\.5m/);
    expect(r2.paragraphs.some((p) => p.includes('bites hardest'))).toBe(false);
  });
});
