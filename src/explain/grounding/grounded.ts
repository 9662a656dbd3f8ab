/**
 * Grounded narration (issue #9, item 3): a section is narrated, each paragraph is fact-checked, the rejected ones are
 * sent back once with their reasons, and any paragraph still wrong is replaced by the built-in writer's text for the
 * same persona (itself checked: a built-in paragraph that fails is never used) and flagged. The built-in writer's own
 * sections go through the same check (checkedNarration): it cannot be asked again (same facts, same words) and has no
 * fallback, so a paragraph of it that fails is left out and reported. The provenance of every paragraph (with the fact
 * ids the check matched) feeds the report's appendix.
 */

import type { Fact, NarrationRequest, NarrationResult, Narrator } from '../types.js';
import { checkParagraph, citedFacts, type CheckOptions } from './check.js';
import type { Subject } from './topics.js';
import { NarratorUnavailableError } from '../narrators/errors.js';

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
  /**
   * Paragraphs left out: an LLM paragraph that failed twice with no passing built-in paragraph left to stand in, or a
   * built-in paragraph that failed the check itself. Never printed; the report says how many and why.
   */
  dropped: { paragraph: string; reasons: string[] }[];
  /** Set when the LLM narrator failed (unreachable, refused) and the fallback wrote the whole section. */
  narratorError?: string;
  /** True when that failure was the narrator being unavailable (NarratorUnavailableError: unreachable, no model, refused). */
  narratorUnavailable?: boolean;
}

export interface GroundingOptions {
  /** Digits inside these phrases are not figures (persona titles); the persona's own title is always added. */
  ignore?: readonly string[];
  /**
   * The run's identifiers with their kind (run.ts subjectsOf): prose that names one ties its figures to it even when
   * the narrator was given none of its facts (then they fail). The facts' own subjects are always read.
   */
  subjects?: readonly Subject[];
  /**
   * When the narrator throws (model unreachable, refused), write the section with the fallback instead of failing
   * (`--fallback builtin`); the paragraphs are flagged with the error as their reason.
   */
  fallbackOnError?: boolean;
  /**
   * With fallbackOnError: the narrator failed as unavailable on an earlier section (run.ts), so it is not asked again
   * (each try of an unreachable server costs its retries and back-off); the fallback writes the section, flagged
   * with this reason.
   */
  unavailable?: string;
}

interface Checked {
  paragraph: string;
  ok: boolean;
  problems: string[];
  /** The facts the check matched, narrowed per figure to the narrator's own citations (citedFacts). */
  cited: string[];
}

function checkAll(result: NarrationResult, options: CheckOptions): Checked[] {
  return result.paragraphs.map((paragraph) => {
    const check = checkParagraph(paragraph, result.facts, options);
    return { paragraph, ok: check.ok, problems: check.problems, cited: citedFacts(check, result.cited) };
  });
}

function mergeFacts(...lists: readonly (readonly Fact[])[]): Fact[] {
  const byId = new Map<string, Fact>();
  for (const list of lists) for (const fact of list) if (!byId.has(fact.id)) byId.set(fact.id, fact);
  return [...byId.values()];
}

/** The narrator's error as the report says it under --fallback builtin (never advising to run with it). */
function errorText(error: unknown): string {
  if (error instanceof NarratorUnavailableError) return error.underFallback;
  return error instanceof Error ? error.message : String(error);
}

/** Narrates a section with `narrator`, fact-checks it, regenerates once, then falls back paragraph by paragraph. */
export async function groundedNarration(
  narrator: Narrator,
  request: NarrationRequest,
  fallback: Narrator,
  options: GroundingOptions = {},
): Promise<GroundedSection> {
  const check = checkOptions(request, options);

  if (options.fallbackOnError && options.unavailable !== undefined) {
    return { ...(await wholeSectionFallback(request, fallback, check, `${narrator.kind} narrator not asked again: ${options.unavailable}`)), narratorUnavailable: true };
  }
  let first: NarrationResult;
  try {
    first = await narrator.narrate(request);
  } catch (error) {
    if (!options.fallbackOnError) throw error;
    const section = await wholeSectionFallback(request, fallback, check, `${narrator.kind} narrator failed: ${errorText(error)}`);
    return error instanceof NarratorUnavailableError ? { ...section, narratorUnavailable: true } : section;
  }
  const firstChecks = checkAll(first, check);
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
    const section = await wholeSectionFallback(request, fallback, check, `${narrator.kind} narrator failed on regeneration: ${errorText(error)}`);
    return error instanceof NarratorUnavailableError ? { ...section, narratorUnavailable: true } : section;
  }
  // a figure a tool revealed on the first attempt is still the narrator's to state on the second (the docs: a fact
  // "given, or that its tools revealed"): the adapters start each attempt's conversation, and so its revealed facts,
  // afresh, and an audit found such a figure rejected on the retry
  second = { ...second, facts: mergeFacts(second.facts, first.facts) };
  const secondChecks = checkAll(second, check);
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
  const builtinChecks = checkAll(builtin, check);
  // a built-in paragraph that fails the check itself never stands in
  const used = new Set<number>(builtinChecks.flatMap((c, i) => (c.ok ? [] : [i])));
  const pick = (index: number): number | undefined => {
    if (index < builtinChecks.length && !used.has(index)) return index;
    for (let i = 0; i < builtinChecks.length; i++) if (!used.has(i)) return i;
    return undefined;
  };
  // reserve the same-position paragraphs of every failing paragraph before handing out the others
  const failing = secondChecks.flatMap((c, i) => (c.ok ? [] : [i]));
  const assigned = new Map<number, number | undefined>();
  for (const i of failing) if (i < builtinChecks.length && !used.has(i)) { assigned.set(i, i); used.add(i); }
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
      cited: stand.cited,
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
  check: CheckOptions,
  reason: string,
): Promise<GroundedSection> {
  const builtin = await fallback.narrate(request);
  const checks = checkAll(builtin, check);
  const passing = checks.filter((c) => c.ok);
  return {
    result: { ...builtin, paragraphs: passing.map((c) => c.paragraph), cited: citedBy(passing) },
    provenance: passing.map((c, index) => ({
      index,
      narrator: builtin.narrator,
      model: builtin.model,
      cited: c.cited,
      flagged: true,
      reasons: [reason],
      attempt: 1,
    })),
    regenerated: false,
    dropped: checks.filter((c) => !c.ok).map((c) => ({ paragraph: c.paragraph, reasons: c.problems })),
    narratorError: reason,
  };
}

/**
 * A section of the built-in writer through the same fact check as the model narrators' (run.ts, --narrator builtin):
 * the paragraphs that pass are printed, each citing the facts the check matched; a paragraph that fails is left out
 * (`dropped`, with the check's reasons), since the writer would write the same words again and there is no other
 * writer to stand in for it.
 */
export async function checkedNarration(narrator: Narrator, request: NarrationRequest, options: Pick<GroundingOptions, 'ignore' | 'subjects'> = {}): Promise<GroundedSection> {
  const result = await narrator.narrate(request);
  const checks = checkAll(result, checkOptions(request, options));
  const passing = checks.filter((c) => c.ok);
  return {
    result: { ...result, paragraphs: passing.map((c) => c.paragraph), cited: citedBy(passing) },
    provenance: passing.map((c, index) => provenanceOf(index, result, c, 1)),
    regenerated: false,
    dropped: checks.filter((c) => !c.ok).map((c) => ({ paragraph: c.paragraph, reasons: c.problems })),
  };
}

/** The check's options for a section: the persona titles are not figures, the run's identifiers are subjects. */
function checkOptions(request: NarrationRequest, options: Pick<GroundingOptions, 'ignore' | 'subjects'>): CheckOptions {
  const ignore = [request.persona.title, ...request.earlier.map((e) => e.title), ...(options.ignore ?? [])];
  return { ignore, ...(options.subjects ? { subjects: options.subjects } : {}) };
}

function citedBy(checks: readonly Checked[]): string[] {
  return [...new Set(checks.flatMap((c) => c.cited))].sort();
}

function unionCited(cited: readonly string[], checks: readonly Checked[]): string[] {
  return [...new Set([...cited, ...checks.flatMap((c) => c.cited)])];
}

function provenanceOf(index: number, result: NarrationResult, check: Checked, attempt: 1 | 2): ParagraphProvenance {
  return { index, narrator: result.narrator, model: result.model, cited: check.cited, flagged: false, reasons: [], attempt };
}
