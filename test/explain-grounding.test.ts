import { describe, it, expect } from 'vitest';
import { checkParagraph, extractFigures, groundedNarration } from '../src/explain/grounding/index.js';
import type { Fact, NarrationRequest, NarrationResult, Narrator, PersonaSpec } from '../src/explain/types.js';

/**
 * The reference for every case is arithmetic on the written figure: a figure written with d decimals of a unit u
 * (u = 1, 1e3 for k, 1e6 for m, 1e9 for bn) stands for the interval [x − u·10^−d/2, x + u·10^−d/2]; a fact supports it
 * when its magnitude lies inside (ratios ×100 for %, ×10 000 for bp). So 1.2m ↔ [1 150 000, 1 250 000].
 */

const facts: Fact[] = [
  { id: 'book.cva', label: 'book CVA', value: -1_234_567, unit: 'currency', currency: 'USD', source: 'xva_book.arrow:cva' },
  { id: 'book.fva', label: 'book FVA', value: 987_654.32, unit: 'currency', currency: 'USD', source: 'xva_book.arrow:fva' },
  { id: 'book.rwa', label: 'CVA RWA', value: 2_345_678_901, unit: 'currency', currency: 'USD', source: 'capital.arrow:rwa' },
  { id: 'cp.CP0001.cva_share', label: 'share of book CVA of CP0001', value: 0.0341, unit: 'ratio', source: 'derived' },
  { id: 'book.cet1_impact', label: 'CET1 impact', value: 3.4, unit: 'pct', source: 'capital.arrow:cet1_pct' },
  { id: 'cp.CP0001.spread', label: 'CDS spread of CP0001', value: 12.4, unit: 'bp', source: 'market.yaml' },
  { id: 'book.counterparties', label: 'counterparties', value: 48, unit: 'count', source: 'portfolio' },
  { id: 'book.trades', label: 'trades', value: 1234, unit: 'count', source: 'portfolio' },
  { id: 'book.wal', label: 'weighted average life', value: 4.27, unit: 'years', source: 'portfolio' },
  { id: 'eur.im', label: 'initial margin (EUR)', value: 950_400, unit: 'currency', currency: 'EUR', source: 'simm.arrow:im' },
];

function ok(text: string): void {
  const check = checkParagraph(text, facts);
  expect(check.problems, text).toEqual([]);
  expect(check.ok).toBe(true);
}
function rejected(text: string): string[] {
  const check = checkParagraph(text, facts);
  expect(check.ok, text).toBe(false);
  return check.problems;
}

describe('extractFigures', () => {
  it('reads amounts with suffixes and separators at the precision written', () => {
    const figures = extractFigures('CVA is $1.2m, FVA EUR 950k, RWA 2.35bn, IM 1,234,567.89 EUR and 3.4 million USD.');
    expect(figures.map((f) => [f.text, f.value, f.halfStep, f.kind, f.currency])).toEqual([
      ['$1.2m', 1_200_000, 50_000, 'amount', 'USD'],
      ['EUR 950k', 950_000, 5_000, 'amount', 'EUR'], // trailing zero: rounded to 2 significant digits
      ['2.35bn', 2_350_000_000, 5_000_000, 'amount', undefined],
      ['1,234,567.89 EUR', 1_234_567.89, 0.005, 'amount', 'EUR'],
      ['3.4 million USD', 3_400_000, 50_000, 'amount', 'USD'],
    ]);
  });

  it('reads percentages, basis points, years and counts', () => {
    const figures = extractFigures('Up 3.4% (0.5 percentage points), spreads +12bp, 15 basis points, 4.3 years, 48 names.');
    expect(figures.map((f) => [f.value, f.kind, f.halfStep])).toEqual([
      [3.4, 'pct', 0.05],
      [0.5, 'pct', 0.05],
      [12, 'bp', 0.5],
      [15, 'bp', 0.5],
      [4.3, 'years', 0.05],
      [48, 'plain', 0.5],
    ]);
  });

  it('ignores dates, tenors, ordinals, ranks, identifiers and named titles', () => {
    const text =
      'On 2026-11-25 (25 Nov 2026, also November 25, 2026 and Q3 2026) the 5Y and 10y points, the 6M EURIBOR leg, ' +
      'a 10-year swap with a 10 day MPOR, the 3rd largest of the top 5 names, Tier 1, CET1, CRE52.40, CP0001, ' +
      'SIMM v2.6, BA-CVA, scenario_100bp, since 2019, in 2026, and the Head of Desk 2 view.';
    expect(extractFigures(text, { ignore: ['Head of Desk 2'] })).toEqual([]);
  });

  it('gives the first bound of a range the unit of the second', () => {
    const figures = extractFigures('between 3-4% and 1.2 to 1.5m');
    expect(figures.map((f) => [f.value, f.kind])).toEqual([
      [3, 'pct'],
      [4, 'pct'],
      [1_200_000, 'amount'],
      [1_500_000, 'amount'],
    ]);
  });

  it('reads trailing zeros of an integer as rounding, keeping two significant digits', () => {
    const [a, b, c, d] = extractFigures('1,200,000 and 140 and 7 and 1,205,000');
    expect([a!.halfStep, b!.halfStep, c!.halfStep, d!.halfStep]).toEqual([50_000, 5, 0.5, 500]);
  });
});

describe('checkParagraph accepts correct roundings', () => {
  // each case: the written figure and the interval that contains the fact's magnitude
  it.each([
    ['Book CVA is 1.2m.', '1 234 567 ∈ [1.15m, 1.25m]'],
    ['Book CVA is USD 1.23m.', '1 234 567 ∈ [1.225m, 1.235m]'],
    ['Book CVA is $1,234,567.', 'exact'],
    ['Book CVA is 1,200,000 dollars.', '1 234 567 ∈ [1.15m, 1.25m] (trailing zeros)'],
    ['Book CVA is 1235k.', '1 234 567 ∈ [1 234 500, 1 235 500]'],
    ['Book CVA is -1.2 million.', 'sign ignored'],
    ['Book CVA is (USD 1.2m).', 'accounting negative'],
    ['FVA is 0.99m USD, or about 988k.', '987 654 ∈ [0.985m, 0.995m] and [987.5k, 988.5k]'],
    ['FVA is 1m.', '987 654 ∈ [0.5m, 1.5m]'],
    ['Book CVA is USD 1.23 mln.', '1 234 567 ∈ [1.225m, 1.235m]'],
    ['CVA RWA is 2.3bn.', '2 345 678 901 ∈ [2.25bn, 2.35bn]'],
    ['CVA RWA is 2.35 billion.', '2 345 678 901 ∈ [2.345bn, 2.355bn]'],
    ['CP0001 makes 3.4% of CVA.', 'ratio 0.0341 × 100 = 3.41 ∈ [3.35, 3.45]'],
    ['CP0001 makes 3% of CVA.', '3.41 ∈ [2.5, 3.5]'],
    ['CP0001 makes 341bp of CVA.', 'ratio × 10 000 = 341'],
    ['The CET1 impact is 3.4 percent.', 'pct fact 3.4'],
    ['The CET1 impact is 340 bps.', 'pct 3.4 × 100 = 340 bp'],
    ['The spread is 12bp.', '12.4 ∈ [11.5, 12.5]'],
    ['The spread is 12.4 basis points.', 'exact'],
    ['The spread is 0.12%.', '12.4bp / 100 = 0.124 ∈ [0.115, 0.125]'],
    ['There are 48 counterparties and 1,234 trades.', 'counts'],
    ['About 1.2 thousand trades.', '1 234 ∈ [1 150, 1 250]'],
    ['Weighted average life is 4.3 years.', '4.27 ∈ [4.25, 4.35]'],
    ['Initial margin is €950k.', 'EUR fact 950 400 ∈ [945k, 955k]'],
    ['On 2026-11-25 the 5Y point of the top 3 names moved; CVA is 1.2m.', 'dates and tenors ignored'],
    ['No figures here at all.', 'nothing to check'],
  ])('%s (%s)', (text) => ok(text));
});

describe('checkParagraph rejects wrong or invented figures', () => {
  it.each([
    ['Book CVA is 1.3m.', '1 234 567 ∉ [1.25m, 1.35m]'],
    ['Book CVA is 1.24m.', '1 234 567 ∉ [1.235m, 1.245m]'],
    ['Book CVA is $1,234,568.', 'off by one dollar'],
    ['Book CVA is 12m.', 'wrong magnitude'],
    ['CVA RWA is 2.4bn.', '2.3457bn ∉ [2.35bn, 2.45bn]'],
    ['CP0001 makes 3.5% of CVA.', '3.41 ∉ [3.45, 3.55]'],
    ['The CET1 impact is 3.6%.', '3.4 ∉ [3.55, 3.65]'],
    ['The spread is 13bp.', '12.4 ∉ [12.5, 13.5]'],
    ['There are 47 counterparties.', 'count off by one'],
    ['Weighted average life is 4.2 years.', '4.27 ∉ [4.15, 4.25]'],
    ['Initial margin is USD 950k.', 'the 950 400 fact is in EUR'],
    ['Hedging would save 2.7m.', 'invented figure'],
    ['CVA fell 17%.', 'invented percentage'],
    ['CVA is 1.2m and hedging saves 0.4m.', 'one good, one invented'],
  ])('%s (%s)', (text) => {
    expect(rejected(text).length).toBeGreaterThan(0);
  });

  it('names the closest fact in the reason', () => {
    const [problem] = rejected('Book CVA is 1.3m.');
    expect(problem).toBe('1.3m: no fact within its rounding (closest: book CVA [book.cva] = -1,234,567 USD)');
    const [currency] = rejected('Initial margin is USD 950k.');
    expect(currency).toContain('states USD but initial margin (EUR) [eur.im]');
  });

  it('reports the facts a paragraph matched', () => {
    expect(checkParagraph('CVA 1.2m over 48 counterparties; spread 12bp.', facts).matched.sort()).toEqual(
      ['book.counterparties', 'book.cva', 'cp.CP0001.spread'].sort(),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// groundedNarration: a scripted narrator (the LLM stand-in) and a fixed fallback writer

const persona: PersonaSpec = { id: 'cva_trader', title: 'CVA trader', dependsOn: [], rolePrompt: 'You are the CVA trader.' };
const request: NarrationRequest = { persona, facts, tools: [], earlier: [], share: 'aggregates' };

class ScriptedNarrator implements Narrator {
  readonly kind = 'ollama' as const;
  readonly model = 'scripted';
  readonly destination = 'nowhere (test)';
  readonly requests: NarrationRequest[] = [];
  constructor(private readonly answers: (string[] | Error)[]) {}
  async narrate(req: NarrationRequest): Promise<NarrationResult> {
    this.requests.push(req);
    const answer = this.answers[this.requests.length - 1];
    if (answer === undefined) throw new Error('no more scripted answers');
    if (answer instanceof Error) throw answer;
    return { paragraphs: answer, facts: [...req.facts], cited: [], narrator: 'ollama', model: this.model };
  }
}

const builtin: Narrator = {
  kind: 'builtin',
  model: 'builtin',
  destination: 'nowhere (local, built-in)',
  async narrate(req) {
    return {
      paragraphs: ['Book CVA is USD 1,234,567.', 'There are 48 counterparties.'],
      facts: [...req.facts],
      cited: ['book.cva', 'book.counterparties'],
      narrator: 'builtin',
      model: 'builtin',
    };
  },
};

describe('groundedNarration', () => {
  it('keeps a section that passes and records what each paragraph cited', async () => {
    const llm = new ScriptedNarrator([['Book CVA is 1.2m.', 'The spread is 12bp.']]);
    const section = await groundedNarration(llm, request, builtin);
    expect(llm.requests).toHaveLength(1);
    expect(section.regenerated).toBe(false);
    expect(section.result.paragraphs).toEqual(['Book CVA is 1.2m.', 'The spread is 12bp.']);
    expect(section.provenance.map((p) => [p.narrator, p.cited, p.flagged, p.attempt])).toEqual([
      ['ollama', ['book.cva'], false, 1],
      ['ollama', ['cp.CP0001.spread'], false, 1],
    ]);
  });

  it('regenerates once with the rejected paragraphs and their reasons', async () => {
    const llm = new ScriptedNarrator([
      ['Book CVA is 1.3m.', 'The spread is 12bp.'],
      ['Book CVA is 1.2m.', 'The spread is 12bp.'],
    ]);
    const section = await groundedNarration(llm, request, builtin);
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1]!.rejected).toEqual([
      { paragraph: 'Book CVA is 1.3m.', reasons: ['1.3m: no fact within its rounding (closest: book CVA [book.cva] = -1,234,567 USD)'] },
    ]);
    expect(section.regenerated).toBe(true);
    expect(section.result.paragraphs).toEqual(['Book CVA is 1.2m.', 'The spread is 12bp.']);
    expect(section.provenance.every((p) => !p.flagged && p.attempt === 2)).toBe(true);
  });

  it('replaces a paragraph still wrong after regeneration by the built-in text, flagged', async () => {
    const llm = new ScriptedNarrator([
      ['Book CVA is 1.3m.', 'The spread is 12bp.'],
      ['The spread is 12bp.', 'Hedging saves 2.7m.'],
    ]);
    const section = await groundedNarration(llm, request, builtin);
    expect(llm.requests).toHaveLength(2);
    // the second paragraph fails; the built-in paragraph at the same position stands in
    expect(section.result.paragraphs).toEqual(['The spread is 12bp.', 'There are 48 counterparties.']);
    expect(section.provenance).toEqual([
      { index: 0, narrator: 'ollama', model: 'scripted', cited: ['cp.CP0001.spread'], flagged: false, reasons: [], attempt: 2 },
      {
        index: 1,
        narrator: 'builtin',
        model: 'builtin',
        cited: ['book.counterparties'],
        flagged: true,
        reasons: ['2.7m: no fact within its rounding (closest: book CVA [book.cva] = -1,234,567 USD)'],
        attempt: 2,
      },
    ]);
    expect(section.dropped).toEqual([]);
  });

  it('drops a failing paragraph when the built-in writer has none left', async () => {
    const llm = new ScriptedNarrator([
      ['CVA 9m.', 'RWA 9bn.', 'FVA 9k.'],
      ['CVA 9m.', 'RWA 9bn.', 'FVA 9k.'],
    ]);
    const section = await groundedNarration(llm, request, builtin);
    expect(section.result.paragraphs).toEqual(['Book CVA is USD 1,234,567.', 'There are 48 counterparties.']);
    expect(section.provenance.every((p) => p.flagged && p.narrator === 'builtin')).toBe(true);
    expect(section.dropped.map((d) => d.paragraph)).toEqual(['FVA 9k.']);
  });

  it('with fallbackOnError writes the section with the built-in writer when the model is unreachable', async () => {
    const llm = new ScriptedNarrator([new Error('cannot reach Ollama at http://127.0.0.1:9')]);
    await expect(groundedNarration(llm, request, builtin)).rejects.toThrow('cannot reach Ollama');
    const again = new ScriptedNarrator([new Error('cannot reach Ollama at http://127.0.0.1:9')]);
    const section = await groundedNarration(again, request, builtin, { fallbackOnError: true });
    expect(section.result.narrator).toBe('builtin');
    expect(section.narratorError).toBe('ollama narrator failed: cannot reach Ollama at http://127.0.0.1:9');
    expect(section.provenance.every((p) => p.flagged)).toBe(true);
  });
});
