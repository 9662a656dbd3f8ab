/**
 * Grounding of `xva explain` (issue #9, item 3): the fact check of LLM prose. API for the command and the report:
 *
 *   checkParagraph(text: string, facts: readonly Fact[], options?: { ignore?: readonly string[]; subjects?: readonly Subject[] }): ParagraphCheck
 *     Every figure the paragraph states (amounts with k/m/bn/thousand/million and currency codes, symbols or words,
 *     %, pp, bp, years, counts) must match a fact within the text's rounding and at least two significant digits, in
 *     the fact's unit (no bp/%/pp conversion; bare numbers only for counts and ratios) and, where the sentence says
 *     rises/falls/up/down…, with the fact's sign. Multiples (9.9x, tenfold), fractions in words and unknown units
 *     (mio) fail the paragraph. Dates, tenors, ordinals, ranks and the `ignore` phrases are not figures. Each figure is
 *     compared only with the facts of the subject and measure its sentence ties it to (attribution.ts; the facts'
 *     subjects and measures read from their ids, topics.ts); `subjects` adds the run's identifiers to look for.
 *
 *   extractFigures(text: string, options?: { ignore?: readonly string[] }): StatedFigure[]
 *     The figures alone (value in base units, half of the last digit's step, kind, currency, direction).
 *   unverifiableFigures(text, options?): UnverifiableFigure[]   (multiples, unknown units, numbers in words)
 *
 *   groundedNarration(narrator: Narrator, request: NarrationRequest, fallback: Narrator,
 *                     options?: { ignore?; subjects?: readonly Subject[]; fallbackOnError?: boolean }): Promise<GroundedSection>
 *     Narrate → check each paragraph against result.facts → regenerate once with request.rejected → replace any
 *     paragraph still failing by the fallback (builtin) narrator's paragraph for the persona, flagged. With
 *     fallbackOnError (`--fallback builtin`) a narrator that throws is replaced by the fallback for the whole section.
 *     GroundedSection = { result: NarrationResult; provenance: ParagraphProvenance[]; regenerated: boolean;
 *                         dropped: { paragraph; reasons }[]; narratorError?: string }
 *     ParagraphProvenance = { index; narrator; model; cited: string[]; flagged: boolean; reasons: string[];
 *                             attempt: 1 | 2 }   (one per printed paragraph: the report's appendix)
 *     A built-in paragraph that fails the check never stands in; the LLM paragraph is then dropped.
 *
 *   checkedNarration(narrator: Narrator, request: NarrationRequest, options?: { ignore?; subjects? }): Promise<GroundedSection>
 *     The built-in writer's section through the same check: passing paragraphs printed, failing ones left out and
 *     listed in `dropped`.
 *
 *   citedFacts(check: ParagraphCheck, declared?: readonly string[]): string[]
 *     What a paragraph cites (provenance.cited, the appendix): per figure the facts the check matched, narrowed to the
 *     narrator's own citations when that leaves at least one.
 */

export {
  extractFigures,
  unverifiableFigures,
  readFigures,
  type StatedFigure,
  type FigureKind,
  type Direction,
  type UnverifiableFigure,
  type ExtractOptions,
} from './numbers.js';
export { checkParagraph, citedFacts, factsMatching, toleranceOf, type CheckOptions } from './check.js';
export { attributeFigures, describeTie, type Attribution } from './attribution.js';
export { topicOf, type FactTopic, type Subject, type SubjectKind } from './topics.js';
export {
  groundedNarration,
  checkedNarration,
  type GroundedSection,
  type GroundingOptions,
  type ParagraphProvenance,
} from './grounded.js';
