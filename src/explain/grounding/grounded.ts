/**
 * Grounded narration (issue #9, item 3): a section is narrated, each paragraph is fact-checked, the rejected ones are
 * sent back once with their reasons, and any paragraph still wrong is replaced by the built-in writer's text for the
 * same persona and flagged. The provenance of every paragraph feeds the report's appendix.
 */

import type { Fact, NarrationRequest, NarrationResult, Narrator } from '../types.js';
import { checkParagraph } from './check.js';

export interface ParagraphProvenance {
  /** Position of the paragraph in the section as printed. */
  index: number;
  narrator: NarrationResult['narrator'];
  model: string;
  /** Fact ids the paragraph's figures matched. */
  cited: string[];
  /** True when the paragraph is the built-in writer's, standing in for an LLM paragraph that failed the check. */
  flagged: boolean;
  /** Why the LLM's paragraph was replaced (the fact check's lines, or the narrator's error). Empty when not flagged. */
  reasons: string[];
  /** 1 when the first narration passed, 2 when it passed after regeneration. */
  attempt: 1 | 2;
}

export interface GroundedSection {
  /** The section as printed: paragraphs that passed the check or were replaced by the fallback writer. */
  result: NarrationResult;
  provenance: ParagraphProvenance[];
  /** True when the narrator was asked once more with the rejected paragraphs. */
  regenerated: boolean;
  /** LLM paragraphs that failed twice and for which the fallback writer had no paragraph left (dropped). */
  dropped: { paragraph: string; reasons: string[] }[];
  /** Set when the LLM narrator failed (unreachable, refused) and the fallback wrote the whole section. */
  narratorError?: string;
}

export interface GroundingOptions {
  /** Digits inside these phrases are not figures (persona titles); the persona's own title is always added. */
  ignore?: readonly string[];
  /**
   * When the narrator throws (model unreachable, refused), write the section with the fallback instead of failing
   * (`--fallback builtin`); the paragraphs are flagged with the error as their reason.
   */
  fallbackOnError?: boolean;
}

interface Checked {
  paragraph: string;
  ok: boolean;
  problems: string[];
  matched: string[];
}

function checkAll(result: NarrationResult, ignore: readonly string[]): Checked[] {
  return result.paragraphs.map((paragraph) => ({ paragraph, ...checkParagraph(paragraph, result.facts, { ignore }) }));
}

function mergeFacts(...lists: readonly (readonly Fact[])[]): Fact[] {
  const byId = new Map<string, Fact>();
  for (const list of lists) for (const fact of list) if (!byId.has(fact.id)) byId.set(fact.id, fact);
  return [...byId.values()];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Narrates a section with `narrator`, fact-checks it, regenerates once, then falls back paragraph by paragraph. */
export async function groundedNarration(
  narrator: Narrator,
  request: NarrationRequest,
  fallback: Narrator,
  options: GroundingOptions = {},
): Promise<GroundedSection> {
  const ignore = [request.persona.title, ...request.earlier.map((e) => e.title), ...(options.ignore ?? [])];

  let first: NarrationResult;
  try {
    first = await narrator.narrate(request);
  } catch (error) {
    if (!options.fallbackOnError) throw error;
    return wholeSectionFallback(request, fallback, ignore, `${narrator.kind} narrator failed: ${errorText(error)}`);
  }
  const firstChecks = checkAll(first, ignore);
  if (firstChecks.every((c) => c.ok)) {
    return {
      result: { ...first, cited: unionCited(first.cited, firstChecks) },
      provenance: firstChecks.map((c, index) => provenanceOf(index, first, c, 1)),
      regenerated: false,
      dropped: [],
    };
  }

  const rejected = firstChecks.filter((c) => !c.ok).map((c) => ({ paragraph: c.paragraph, reasons: c.problems }));
  let second: NarrationResult;
  try {
    second = await narrator.narrate({ ...request, rejected });
  } catch (error) {
    if (!options.fallbackOnError) throw error;
    return wholeSectionFallback(request, fallback, ignore, `${narrator.kind} narrator failed on regeneration: ${errorText(error)}`);
  }
  const secondChecks = checkAll(second, ignore);
  if (secondChecks.every((c) => c.ok)) {
    return {
      result: { ...second, cited: unionCited(second.cited, secondChecks) },
      provenance: secondChecks.map((c, index) => provenanceOf(index, second, c, 2)),
      regenerated: true,
      dropped: [],
    };
  }

  // still wrong after one regeneration: the built-in writer's paragraphs stand in, the same position first
  const builtin = await fallback.narrate(request);
  const builtinChecks = checkAll(builtin, ignore);
  const used = new Set<number>();
  const pick = (index: number): number | undefined => {
    if (index < builtinChecks.length && !used.has(index)) return index;
    for (let i = 0; i < builtinChecks.length; i++) if (!used.has(i)) return i;
    return undefined;
  };
  // reserve the same-position paragraphs of every failing paragraph before handing out the others
  const failing = secondChecks.flatMap((c, i) => (c.ok ? [] : [i]));
  const assigned = new Map<number, number | undefined>();
  for (const i of failing) if (i < builtinChecks.length) { assigned.set(i, i); used.add(i); }
  for (const i of failing) if (!assigned.has(i)) { const j = pick(i); if (j !== undefined) used.add(j); assigned.set(i, j); }

  const paragraphs: string[] = [];
  const provenance: ParagraphProvenance[] = [];
  const dropped: GroundedSection['dropped'] = [];
  secondChecks.forEach((c, i) => {
    if (c.ok) {
      provenance.push(provenanceOf(paragraphs.length, second, c, 2));
      paragraphs.push(c.paragraph);
      return;
    }
    const j = assigned.get(i);
    if (j === undefined) {
      dropped.push({ paragraph: c.paragraph, reasons: c.problems });
      return;
    }
    const stand = builtinChecks[j]!;
    provenance.push({
      index: paragraphs.length,
      narrator: builtin.narrator,
      model: builtin.model,
      cited: stand.matched,
      flagged: true,
      reasons: c.problems,
      attempt: 2,
    });
    paragraphs.push(stand.paragraph);
  });

  const result: NarrationResult = {
    paragraphs,
    facts: mergeFacts(second.facts, builtin.facts),
    cited: [...new Set(provenance.flatMap((p) => p.cited).concat(second.cited))],
    narrator: second.narrator,
    model: second.model,
  };
  return { result, provenance, regenerated: true, dropped };
}

async function wholeSectionFallback(
  request: NarrationRequest,
  fallback: Narrator,
  ignore: readonly string[],
  reason: string,
): Promise<GroundedSection> {
  const builtin = await fallback.narrate(request);
  const checks = checkAll(builtin, ignore);
  return {
    result: { ...builtin, cited: unionCited(builtin.cited, checks) },
    provenance: checks.map((c, index) => ({
      index,
      narrator: builtin.narrator,
      model: builtin.model,
      cited: c.matched,
      flagged: true,
      reasons: [reason],
      attempt: 1,
    })),
    regenerated: false,
    dropped: [],
    narratorError: reason,
  };
}

function unionCited(cited: readonly string[], checks: readonly Checked[]): string[] {
  return [...new Set([...cited, ...checks.flatMap((c) => c.matched)])];
}

function provenanceOf(index: number, result: NarrationResult, check: Checked, attempt: 1 | 2): ParagraphProvenance {
  return { index, narrator: result.narrator, model: result.model, cited: check.matched, flagged: false, reasons: [], attempt };
}
