/**
 * Grounding of `xva explain` (issue #9, item 3): the fact check of LLM prose. API for the command and the report:
 *
 *   checkParagraph(text: string, facts: readonly Fact[], options?: { ignore?: readonly string[] }): ParagraphCheck
 *     Every figure the paragraph states (amounts with k/m/bn/thousand/million, %, bp, years, counts) must match a
 *     fact within the text's rounding; dates, tenors, ordinals, ranks and the `ignore` phrases are not figures.
 *
 *   extractFigures(text: string, options?: { ignore?: readonly string[] }): StatedFigure[]
 *     The figures alone (value in base units, half of the last digit's step, kind, currency).
 *
 *   groundedNarration(narrator: Narrator, request: NarrationRequest, fallback: Narrator,
 *                     options?: { ignore?: readonly string[]; fallbackOnError?: boolean }): Promise<GroundedSection>
 *     Narrate → check each paragraph against result.facts → regenerate once with request.rejected → replace any
 *     paragraph still failing by the fallback (builtin) narrator's paragraph for the persona, flagged. With
 *     fallbackOnError (`--fallback builtin`) a narrator that throws is replaced by the fallback for the whole section.
 *     GroundedSection = { result: NarrationResult; provenance: ParagraphProvenance[]; regenerated: boolean;
 *                         dropped: { paragraph; reasons }[]; narratorError?: string }
 *     ParagraphProvenance = { index; narrator; model; cited: string[]; flagged: boolean; reasons: string[];
 *                             attempt: 1 | 2 }   (one per printed paragraph: the report's appendix)
 */

export { extractFigures, type StatedFigure, type FigureKind, type ExtractOptions } from './numbers.js';
export { checkParagraph, factsMatching } from './check.js';
export {
  groundedNarration,
  type GroundedSection,
  type GroundingOptions,
  type ParagraphProvenance,
} from './grounded.js';
