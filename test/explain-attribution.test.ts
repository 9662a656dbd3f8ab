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
