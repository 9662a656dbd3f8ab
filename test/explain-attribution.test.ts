/**
 * Forms of prose an audit of `xva explain` found passing the fact check with the wrong figure, each beside its correct
 * form. The facts are those of the demo book at explain's defaults (500 paths, seed 42), copied from the audit's
 * facts.json: CP0024's CVA 1,232,875.87 (22.2% of book CVA), CP0026's 742,869.05 (13.4%); effective EPE 14,197,115.66
 * of NS-CP0026-1 and 50,483,523.17 of NS-CP0033-1; book CVA rises by 20,682,391.86 under collateral_0pct and by
 * 9,510,084.21 under collateral_50pct, falls by 3,571,549.21 under credit_down_100bp. The reference of each case is
 * which fact the sentence's words make the figure of: each swapped or mis-signed sentence states another fact's value.
 */
import { describe, expect, it } from 'vitest';
import { checkParagraph } from '../src/explain/grounding/index.js';
import type { Fact } from '../src/explain/types.js';

const usd = (id: string, label: string, value: number): Fact => ({ id, label, value, unit: 'currency', currency: 'USD', source: 'audit facts.json' });
const pct = (id: string, label: string, value: number): Fact => ({ id, label, value, unit: 'pct', source: 'audit facts.json' });

const facts: Fact[] = [
  usd('book.cva', 'book CVA', 5_552_173.067172532),
  usd('book.dva', 'book DVA', 6_666_333.879879992),
  usd('book.fca', 'book FCA', 2_876_491.325765559),
  usd('book.fva', 'book FVA (FCA − FBA + ColVA)', 1_850_227.6206189035),
  usd('cp.CP0024.cva', 'CVA of CP0024', 1_232_875.865531658),
  usd('cp.CP0026.cva', 'CVA of CP0026', 742_869.0473709394),
  usd('cp.CP0024.dva', 'DVA of CP0024', 490_144.6234856278),
  usd('cp.CP0026.dva', 'DVA of CP0026', 397_420.9249230017),
  usd('cp.CP0024.fca', 'FCA of CP0024', 247_261.91460208112),
  pct('cp.CP0024.cva_share', "CP0024's share of book CVA", 22.20528522104419),
  pct('cp.CP0026.cva_share', "CP0026's share of book CVA", 13.37978910929822),
  usd('ns.NS-CP0026-1.cva', 'CVA of netting set NS-CP0026-1', 742_869.0473709394),
  usd('ns.NS-CP0026-1.eepe', 'effective EPE of NS-CP0026-1', 14_197_115.663129803),
  usd('ns.NS-CP0033-1.eepe', 'effective EPE of NS-CP0033-1', 50_483_523.17306922),
  usd('scenario.collateral_0pct.cva', 'book CVA under collateral_0pct', 26_234_564.932132658),
  usd('scenario.collateral_0pct.d_cva', 'change of book CVA under collateral_0pct', 20_682_391.864960127),
  usd('scenario.collateral_50pct.cva', 'book CVA under collateral_50pct', 15_062_257.273381812),
  usd('scenario.collateral_50pct.d_cva', 'change of book CVA under collateral_50pct', 9_510_084.20620928),
  usd('scenario.credit_down_100bp.cva', 'book CVA under credit_down_100bp', 1_980_623.8587021285),
  usd('scenario.credit_down_100bp.d_cva', 'change of book CVA under credit_down_100bp', -3_571_549.208470403),
  usd('margin.simm_collect', 'SIMM initial margin we collect', 98_189_829.77761978),
  usd('margin.simm_post', 'SIMM initial margin we post', 95_014_779.98954937),
  usd('margin.mva', 'MVA (funding cost of the initial margin posted)', 2_059_901.9671263683),
];

const check = (text: string) => checkParagraph(text, facts);
/** Each figure's matched fact ids, for a sentence that must pass. */
function passes(text: string): string[][] {
  const c = check(text);
  expect(c.problems, text).toEqual([]);
  return c.figures.map((f) => f.matched);
}
function fails(text: string): string[] {
  const c = check(text);
  expect(c.ok, text).toBe(false);
  return c.problems;
}

describe('a name right after its figure (for, in, at, from, under, of, or in parentheses) is the figure\'s', () => {
  it.each([
    ['CVA is USD 742.9k for CP0024 and USD 1.2m for CP0026.', 'CVA is USD 1.2m for CP0024 and USD 742.9k for CP0026.', [['cp.CP0024.cva'], ['cp.CP0026.cva']]],
    ['The largest CVAs are USD 1.2m (CP0026) and USD 742.9k (CP0024).', 'The largest CVAs are USD 1.2m (CP0024) and USD 742.9k (CP0026).', [['cp.CP0024.cva'], ['cp.CP0026.cva']]],
    ['Shares of book CVA: 22.2% for CP0026 and 13.4% for CP0024.', 'Shares of book CVA: 22.2% for CP0024 and 13.4% for CP0026.', [['cp.CP0024.cva_share'], ['cp.CP0026.cva_share']]],
    ['Effective EPE is USD 50.5m in NS-CP0026-1 and USD 14.2m in NS-CP0033-1.', 'Effective EPE is USD 50.5m in NS-CP0033-1 and USD 14.2m in NS-CP0026-1.', [['ns.NS-CP0033-1.eepe'], ['ns.NS-CP0026-1.eepe']]],
    [
      'Book CVA rises by USD 20.7m under collateral_50pct and by USD 9.5m under collateral_0pct.',
      'Book CVA rises by USD 20.7m under collateral_0pct and by USD 9.5m under collateral_50pct.',
      [['scenario.collateral_0pct.d_cva'], ['scenario.collateral_50pct.d_cva']],
    ],
    ['CVA is USD 742.9k at CP0024 and USD 1.2m at CP0026.', 'CVA is USD 1.2m at CP0024 and USD 742.9k at CP0026.', [['cp.CP0024.cva'], ['cp.CP0026.cva']]],
    ['CVA: USD 1.2m from `CP0026`, USD 742.9k from `CP0024`.', 'CVA: USD 1.2m from `CP0024`, USD 742.9k from `CP0026`.', [['cp.CP0024.cva'], ['cp.CP0026.cva']]],
  ])('rejects "%s", passes "%s"', (swapped, correct, ids) => {
    fails(swapped);
    expect(passes(correct)).toEqual(ids);
  });

  it('takes precedence over a name before the figure', () => {
    // closest before the first figure is CP0026; the name bound after it says whose it is
    expect(passes('CP0024 and CP0026 carry CVA of USD 1.2m (CP0024) and USD 742.9k (CP0026).')).toEqual([['cp.CP0024.cva'], ['cp.CP0026.cva']]);
    fails('CP0024 and CP0026 carry CVA of USD 742.9k (CP0024) and USD 1.2m (CP0026).');
  });

  it('says whose figure it is in the reason, with the stress bound after it', () => {
    expect(fails('CVA is USD 742.9k for CP0024.')).toEqual([
      'USD 742.9k is not CVA of CP0024 (CVA of CP0024 is USD 1.2m [cp.CP0024.cva]); it is CVA of CP0026 [cp.CP0026.cva] or CVA of netting set NS-CP0026-1 [ns.NS-CP0026-1.cva]',
    ]);
    expect(fails('Book CVA rises by USD 20.7m under collateral_50pct.')).toEqual([
      'USD 20.7m is not CVA of the book under scenario collateral_50pct (book CVA under collateral_50pct is USD 15.1m [scenario.collateral_50pct.cva]); it is change of book CVA under collateral_0pct [scenario.collateral_0pct.d_cva]',
    ]);
  });

  it('the noun of its kind may stand between ("in netting set NS-CP0026-1"): a label, not a count', () => {
    expect(passes('Effective EPE is USD 14.2m in netting set NS-CP0026-1.')).toEqual([['ns.NS-CP0026-1.eepe']]);
    expect(passes("CP0024's CVA is USD 1.2m, the same as for counterparty CP0024 alone.")).toEqual([['cp.CP0024.cva']]);
    expect(passes('Book CVA rises by USD 9.5m under the stress scenario `collateral_50pct`.')).toEqual([['scenario.collateral_50pct.d_cva']]);
    fails('Effective EPE is USD 50.5m in netting set NS-CP0026-1.');
  });

  // guards: the binding stops where the words say something else
  it('an aside that does not end with the name binds nothing ("(CP0026: …)" starts another figure\'s phrase)', () => {
    expect(passes("CP0024's CVA is USD 1.2m (CP0026: USD 742.9k).")).toEqual([['cp.CP0024.cva'], ['cp.CP0026.cva']]);
  });

  it('a stress named before the figure in its sentence is its stress, not another one named elsewhere in it', () => {
    fails('Under collateral_50pct book CVA rises by USD 20.7m, more than under collateral_0pct.');
    expect(passes('Under collateral_0pct book CVA rises by USD 20.7m, more than under collateral_50pct.')).toEqual([['scenario.collateral_0pct.d_cva']]);
    expect(passes('Under collateral_0pct book CVA rises by USD 20.7m, and under collateral_50pct by USD 9.5m.')).toEqual([
      ['scenario.collateral_0pct.d_cva'],
      ['scenario.collateral_50pct.d_cva'],
    ]);
  });
});

describe('direction words the check did not read (an audit: a wrong sign passed)', () => {
  it.each([
    // book CVA rises by 20,682,392 under collateral_0pct
    ['Under collateral_0pct, there is a reduction in book CVA of USD 20.7m.', 'Under collateral_0pct, there is an increase in book CVA of USD 20.7m.'],
    ['Under collateral_0pct, book CVA is USD 20.7m down.', 'Under collateral_0pct, book CVA is USD 20.7m up.'],
    ['Under collateral_0pct, book CVA would be USD 20.7m below today\'s.', 'Under collateral_0pct, book CVA would be USD 20.7m above today\'s.'],
    // and falls by 3,571,549 under credit_down_100bp
    ['Under credit_down_100bp, book CVA sees an uplift of USD 3.6m.', 'Under credit_down_100bp, book CVA sees a dip of USD 3.6m.'],
    ['Under credit_down_100bp, book CVA would be USD 3.6m above today\'s.', 'Under credit_down_100bp, book CVA would be USD 3.6m below today\'s.'],
    ['Under credit_down_100bp, there is growth in book CVA of USD 3.6m.', 'Under credit_down_100bp, there is a reduction in book CVA of USD 3.6m.'],
  ])('rejects "%s", passes "%s"', (wrong, right) => {
    expect(fails(wrong)[0]).toMatch(/^USD (20\.7|3\.6)m: says it (falls|rises), but change of book CVA under /);
    passes(right);
  });

  it('"up to" and "down to" say where a move ends, not its direction', () => {
    expect(passes('Under collateral_0pct, book CVA rises by USD 20.7m, up to USD 26.2m.')).toEqual([['scenario.collateral_0pct.d_cva'], ['scenario.collateral_0pct.cva']]);
    expect(passes('Under credit_down_100bp, book CVA falls by USD 3.6m, down to USD 2.0m.')).toEqual([['scenario.credit_down_100bp.d_cva'], ['scenario.credit_down_100bp.cva']]);
  });
});

describe('common words of the measures (an audit: a wrong metric passed)', () => {
  it.each([
    // 1.2m is CP0024's CVA, not an exposure of it; NS-CP0033-1's effective EPE is 50.5m
    ["CP0024's exposure is USD 1.2m.", 'The largest exposure is NS-CP0033-1, at USD 50.5m.'],
    // 5.6m is book CVA; the book's FCA is 2.9m
    ['The funding cost of the book is USD 5.6m.', 'The funding cost of the book is USD 2.9m.'],
    ["CP0024's funding cost is USD 1.2m.", "CP0024's funding cost is USD 247.3k."],
    // the MVA is the funding cost of initial margin
    ['The funding cost of initial margin is USD 2.9m.', 'The funding cost of initial margin is USD 2.1m.'],
    // 6.7m is book DVA; book CVA is 5.6m
    ["The book's expected loss is USD 6.7m.", "The book's expected loss is USD 5.6m."],
    ['The counterparty default charge is USD 6.7m.', 'The counterparty default charge is USD 5.6m.'],
    // the IM collected is 98.2m
    ["The book's collateral requirement is USD 5.6m.", "The book's collateral requirement is USD 98.2m."],
  ])('rejects "%s", passes "%s"', (wrong, right) => {
    fails(wrong);
    passes(right);
  });

  it('names the measure in the reason', () => {
    expect(fails("CP0024's exposure is USD 1.2m.")).toEqual(['USD 1.2m is not exposure of CP0024 (no such fact was given); it is CVA of CP0024 [cp.CP0024.cva]']);
  });
});

/**
 * The forty-fifth session's explain audit (its facts.json of the demo book at the defaults, and a second run with
 * --previous): book CVA 5,552,658.08 (5,530,161.99 in the second run, down 22,495.96 since the first), CP0024's CVA
 * 1,183,012.35 (1,234,643.99, up 51,632.02), book CVA 9,636,316.78 under credit_up_100bp (up 4,083,658.70), down
 * 3,588,723.16 under credit_down_100bp, the MVA up 1,549,586.14 under funding_up_50bp and down as much under
 * funding_down_50bp. The reference of each case is which fact the words make the figure of: a direction word with
 * "by" states a move, so a level of that size is not its fact.
 */
describe('a direction word states a move, never a level (an audit: "book CVA rose by USD 5.5m" passed on book CVA)', () => {
  const audit: Fact[] = [
    usd('book.cva', 'book CVA', 5_552_658.082252153),
    usd('cp.CP0024.cva', 'CVA of CP0024', 1_183_012.3533857903),
    usd('scenario.credit_up_100bp.cva', 'book CVA under credit_up_100bp', 9_636_316.7799929),
    usd('scenario.credit_up_100bp.d_cva', 'change of book CVA under credit_up_100bp', 4_083_658.6977407476),
    usd('scenario.credit_down_100bp.d_cva', 'change of book CVA under credit_down_100bp', -3_588_723.1626652824),
    usd('book.cva_cs01', 'CVA change for +1bp on every counterparty curve', 43_822.4),
    { id: 'run.cs01_shift_bp', label: 'credit spread shift of the CS01 figures', value: 1, unit: 'bp', source: 'xva_cs01' },
    // the same sizes as other subjects' levels: a netting set's peak PFE and peak EPE of 3.6m
    usd('ns.NS-CP0002-1.peak_pfe', 'peak PFE (95%) of NS-CP0002-1', 3_561_939.2398848236),
    usd('ns.NS-CP0024-2.peak_epe', 'peak EPE of NS-CP0024-2', 3_607_911.694984217),
    usd('margin.scenario.funding_up_50bp.mva', 'MVA under funding_up_50bp', 3_564_048.1236826945),
    usd('margin.scenario.funding_up_50bp.d_mva', 'change of MVA under funding_up_50bp', 1_549_586.140731606),
    usd('margin.scenario.funding_down_50bp.d_mva', 'change of MVA under funding_down_50bp', -1_549_586.1407316066),
    usd('rec.collateral-20b7dbb2b0a7.collateral_saving', 'one year of collateral funding saving of collateral-20b7dbb2b0a7', 1_467_212.634137228),
  ];
  const second: Fact[] = [
    usd('book.cva', 'book CVA', 5_530_161.99),
    usd('change.book.cva', 'change of book CVA since the previous run', -22_495.958263834007),
    usd('cp.CP0024.cva', 'CVA of CP0024', 1_234_643.99),
    usd('change.cp.CP0024.cva', 'change of CVA of CP0024 since the previous run', 51_632.02164064883),
  ];
  const problems = (text: string, of: Fact[] = audit) => checkParagraph(text, of).problems;
  const matched = (text: string, of: Fact[] = audit) => {
    const c = checkParagraph(text, of);
    expect(c.problems, text).toEqual([]);
    return c.figures.map((f) => f.matched);
  };

  it.each([
    // the level stated as a move, beside the move and the level said right
    ['Book CVA rises by USD 5.6m.', 'book CVA [book.cva] = 5,552,658 USD', 'rises'],
    ['Under credit_up_100bp, book CVA rises by USD 9.6m.', 'book CVA under credit_up_100bp [scenario.credit_up_100bp.cva] = 9,636,317 USD', 'rises'],
    ["CP0024's CVA increased by USD 1.2m.", 'CVA of CP0024 [cp.CP0024.cva] = 1,183,012 USD', 'rises'],
    ['Book CVA is USD 5.6m lower.', 'book CVA [book.cva] = 5,552,658 USD', 'falls'],
  ])('rejects "%s": the figure is a level, not a change', (text, fact, says) => {
    expect(problems(text)).toEqual([`USD ${/USD ([\d.]+m)/.exec(text)![1]}: says it ${says}, a change, but ${fact} is a level, not a change (state a level with "is", or as where a move ends: "${says} to")`]);
  });

  it('passes the move with its direction and the level without one, or where the move ends', () => {
    expect(matched('Under credit_up_100bp, book CVA rises by USD 4.1m.')).toEqual([['scenario.credit_up_100bp.d_cva']]);
    expect(matched('Under credit_up_100bp, book CVA rises to USD 9.6m.')).toEqual([['scenario.credit_up_100bp.cva']]);
    expect(matched('Under credit_up_100bp, book CVA rises by USD 4.1m to USD 9.6m.')).toEqual([['scenario.credit_up_100bp.d_cva'], ['scenario.credit_up_100bp.cva']]);
    expect(matched("Book CVA is USD 5.6m; CP0024's CVA is USD 1.2m.")).toEqual([['book.cva'], ['cp.CP0024.cva']]);
    // a sensitivity and its shift are moves: the built-in writer's CS01 sentence
    expect(matched("A 1bp widening of every counterparty's credit curve would add USD 43.8k to CVA.")).toEqual([['run.cs01_shift_bp'], ['book.cva_cs01']]);
    expect(matched('If every credit curve widened by 1bp, book CVA would rise by USD 43.8k.')).toEqual([['run.cs01_shift_bp'], ['book.cva_cs01']]);
  });

  it('since the previous run: the change passes, today\'s level stated as the change fails either way', () => {
    for (const text of ['Since the previous run, book CVA rose by USD 5.5m.', 'Since the previous run, book CVA fell by USD 5.5m.', 'Book CVA rose by USD 5.5m since the previous run.']) {
      expect(problems(text, second), text).toEqual([
        `USD 5.5m: says it ${text.includes('fell') ? 'falls' : 'rises'}, a change, but book CVA [book.cva] = 5,530,162 USD is a level, not a change (state a level with "is", or as where a move ends: "${text.includes('fell') ? 'falls' : 'rises'} to")`,
      ]);
    }
    expect(problems("Since the previous run, CP0024's CVA rose by USD 1.2m.", second)).toHaveLength(1);
    expect(matched('Since the previous run, book CVA fell by USD 22.5k.', second)).toEqual([['change.book.cva']]);
    expect(matched("Since the previous run, CP0024's CVA rose by USD 51.6k.", second)).toEqual([['change.cp.CP0024.cva']]);
  });

  // the reason: a fact of the sentence's own subject and measure with the figure's size is told as a wrong direction
  // or sign, not as another subject's level that happens to have that size (the audit's reasons, and "… (change of MVA
  // under funding_up_50bp is USD 1.5m) …", which contradicted itself)
  it.each([
    ['Under credit_down_100bp book CVA rises by USD 3.6m.', 'USD 3.6m: says it rises, but change of book CVA under credit_down_100bp [scenario.credit_down_100bp.d_cva] = -3,588,723 USD, which is a fall'],
    ['Book CVA is USD 3.6m higher under credit_down_100bp.', 'USD 3.6m: says it rises, but change of book CVA under credit_down_100bp [scenario.credit_down_100bp.d_cva] = -3,588,723 USD, which is a fall'],
    ['Under credit_down_100bp the change of book CVA is +USD 3.6m.', '+USD 3.6m: written with a plus sign, but change of book CVA under credit_down_100bp [scenario.credit_down_100bp.d_cva] = -3,588,723 USD'],
    ['Under funding_up_50bp the MVA falls by USD 1.5m.', 'USD 1.5m: says it falls, but change of MVA under funding_up_50bp [margin.scenario.funding_up_50bp.d_mva] = 1,549,586 USD, which is a rise'],
  ])('"%s": the direction is the problem', (text, reason) => {
    expect(problems(text)).toEqual([reason]);
  });
});

/**
 * Sensitivities and shares are levels (the audit of session 150, from its r2 facts.json: the demo book at 100 paths,
 * seed 7, against a seed-42 run): book CVA CS01 43,594.01, CP0026's 9,828.10 (22.54% of it), CCP_CME's 0.517% of it;
 * the five largest counterparties' share of book CVA rose by 0.535pp since the previous run; the CSA action frees
 * 2,413,833.40 of capital. The reference of each case is which fact the words make the figure of: a CS01 is the CVA
 * change a 1bp widening *would* make, a share is a level, and neither moved since the previous run (no change fact).
 */
describe('a sensitivity moves only as what it would add, a share never (the audit of session 150)', () => {
  const audit: Fact[] = [
    usd('book.cva', 'book CVA', 5_563_629.695906839),
    usd('book.cva_cs01', 'CVA change for +1bp on every counterparty curve', 43_594.012166288776),
    usd('book.dva_cs01', "DVA change for +1bp on the bank's own curve", 71_879.7248706203),
    usd('cp.CP0026.cva_cs01', "CVA change for +1bp on CP0026's curve", 9_828.098895951407),
    pct('cp.CP0026.cva_cs01_share', "CP0026's share of the book's CVA CS01", 22.54460740723349),
    pct('cp.CCP_CME.cva_cs01_share', "CCP_CME's share of the book's CVA CS01", 0.517345699982895),
    pct('cp.CP0026.cva_share', "CP0026's share of book CVA", 13.659518129419096),
    pct('book.cva_top5_share', 'share of book CVA from the five largest counterparties', 58.38425851707414),
    pct('change.book.cva_top5_share', 'change of share of book CVA from the five largest counterparties since the previous run, percentage points (pp)', 0.5354052437226287),
    { id: 'run.cs01_shift_bp', label: 'credit spread shift of the CS01 figures', value: 1, unit: 'bp', source: 'xva_cs01' },
    usd('rec.csa:NS-CP0026-1:csa_zero_threshold.capital_saving', 'capital saving of csa:NS-CP0026-1:csa_zero_threshold', 2_413_833.403357409),
  ];
  const check = (text: string) => checkParagraph(text, audit);
  const matched = (text: string) => {
    const c = check(text);
    expect(c.problems, text).toEqual([]);
    return c.figures.map((f) => f.matched);
  };

  it.each([
    // a level of a share stated as a move
    ["CP0026's share of book CS01 rose by 22.5% since the previous run.", "22.5%: says it rises, a change, but CP0026's share of the book's CVA CS01 [cp.CP0026.cva_cs01_share] = 22.5446 (pct) is a level, not a change: a share is a level; only its change since the previous run moves"],
    // a sensitivity stated as a change since the previous run (no change of the CS01 is a fact)
    ['Book CVA CS01 jumped by USD 43.6k since the previous run.', 'USD 43.6k: says it rises, a change, but CVA change for +1bp on every counterparty curve [book.cva_cs01] = 43,594 USD is a level, not a change: a sensitivity, a move only as what a 1bp widening would add'],
    // another subject's share of the CS01 for the top five's move of their share of CVA (+0.535pp, not 0.5%)
    ["The top five counterparties' share of book CVA rose by 0.5%.", '0.5%: says it rises by a percentage, but what moves is a percentage, whose move is in percentage points: change of share of book CVA from the five largest counterparties since the previous run, percentage points (pp) [change.book.cva_top5_share] = 0.535405 (pct)'],
  ])('rejects "%s"', (text, reason) => {
    const problems = check(text).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(reason);
  });

  it('"CVA" today is not its CS01: the level of a sensitivity needs the word CS01', () => {
    expect(check('Book CVA is USD 43.6k.').problems).toEqual([
      'USD 43.6k is not CVA of the book (book CVA is USD 5.6m [book.cva]); it is CVA change for +1bp on every counterparty curve [book.cva_cs01]',
    ]);
    expect(check("CP0026's share of book CVA is 22.5%.").ok).toBe(false);
    expect(matched('Book CVA CS01 is USD 43.6k.')).toEqual([['book.cva_cs01']]);
    expect(matched("CP0026's share of the CVA CS01 is 22.5%.")).toEqual([['cp.CP0026.cva_cs01_share']]);
  });

  it("passes the built-in writer's CS01 sentences, the move of a share in pp and the share as a level", () => {
    expect(matched("A 1bp widening of every counterparty's credit curve would add USD 43.6k to CVA; CP0026's curve alone USD 9.8k (22.5%), the first candidate for a credit hedge.")).toEqual([
      ['run.cs01_shift_bp'],
      ['book.cva_cs01'],
      ['cp.CP0026.cva_cs01'],
      ['cp.CP0026.cva_cs01_share'],
    ]);
    expect(matched("A 1bp widening of the bank's own curve would add USD 71.9k to DVA.")).toEqual([['run.cs01_shift_bp'], ['book.dva_cs01']]);
    expect(matched("The top five counterparties' share of book CVA rose by 0.5pp since the previous run.")).toEqual([['change.book.cva_top5_share']]);
    expect(matched('The five largest counterparties make up 58.4% of book CVA.')).toEqual([['book.cva_top5_share']]);
  });

  it('"frees up" is a saving, a fall of what it frees (an audit found "up" read as a rise)', () => {
    expect(matched('`csa:NS-CP0026-1:csa_zero_threshold` frees up USD 2.4m of capital.')).toEqual([['rec.csa:NS-CP0026-1:csa_zero_threshold.capital_saving']]);
    expect(matched('`csa:NS-CP0026-1:csa_zero_threshold` frees USD 2.4m of capital.')).toEqual([['rec.csa:NS-CP0026-1:csa_zero_threshold.capital_saving']]);
    // "adds up to", "up by" keep their readings: a saving said as a rise still fails
    expect(check('`csa:NS-CP0026-1:csa_zero_threshold` raises capital by USD 2.4m.').ok).toBe(false);
  });
});
