/**
 * What may leave the machine (issue #9, item 5). With `--share aggregates` (the default for the LLM narrators) a prompt
 * carries book-, counterparty- and netting-set-level figures only: facts flagged `tradeLevel`, tools flagged
 * `tradeLevel`, tool answers that reveal trade-level facts, and earlier sections' paragraphs that state a trade-level
 * figure are withheld. `--share trade-level` sends everything the persona was given.
 */

import type { Fact, NarrationRequest, Narrator, PersonaTool, ShareLevel } from '../types.js';
import { extractFigures } from '../grounding/numbers.js';
import { factsMatching } from '../grounding/check.js';

export const WITHHELD_NOTE = 'withheld: below the aggregate level (run with --share trade-level to include it)';

export interface ShareSummary {
  /** Facts left out of the prompt. */
  facts: number;
  /** Tools not offered to the model. */
  tools: string[];
  /** Paragraphs of earlier sections left out. */
  earlierParagraphs: number;
}

/** A paragraph states a trade-level figure when one of its figures matches a trade-level fact and no aggregate one. */
function statesTradeLevelFigure(paragraph: string, tradeLevel: readonly Fact[], aggregate: readonly Fact[]): boolean {
  if (tradeLevel.length === 0) return false;
  return extractFigures(paragraph).some(
    (figure) => factsMatching(figure, tradeLevel).length > 0 && factsMatching(figure, aggregate).length === 0,
  );
}

/**
 * The request as it may be sent: pass the persona's unfiltered facts (with their `tradeLevel` flags) and the
 * narrators filter here, so the rule lives in one place.
 */
export function applySharePolicy(request: NarrationRequest): { request: NarrationRequest; withheld: ShareSummary } {
  if (request.share === 'trade-level') {
    return { request, withheld: { facts: 0, tools: [], earlierParagraphs: 0 } };
  }
  const aggregate = request.facts.filter((f) => !f.tradeLevel);
  const tradeLevel = request.facts.filter((f) => f.tradeLevel);
  const tools = request.tools.filter((t) => !t.tradeLevel);
  let earlierParagraphs = 0;
  const earlier = request.earlier.map((section) => ({
    ...section,
    paragraphs: section.paragraphs.filter((p) => {
      const keep = !statesTradeLevelFigure(p, tradeLevel, aggregate);
      if (!keep) earlierParagraphs++;
      return keep;
    }),
  }));
  const rejected = request.rejected?.filter((r) => !statesTradeLevelFigure(r.paragraph, tradeLevel, aggregate));
  return {
    request: { ...request, facts: aggregate, tools, earlier, ...(rejected ? { rejected } : {}) },
    withheld: {
      facts: tradeLevel.length,
      tools: request.tools.filter((t) => t.tradeLevel).map((t) => t.name),
      earlierParagraphs,
    },
  };
}

/** What a tool's answer sends to the model, and the facts the model may then cite. */
export interface ToolAnswer {
  /** JSON-serialisable content for the model (its figures rounded: promptValue). */
  content: Record<string, unknown>;
  /** Facts the model saw, at the engine's full precision (the fact check's reference set grows by these). */
  facts: Fact[];
}

/**
 * Significant digits of a figure sent to a model. Prose keeps two to four (docs/explain-narrators.md, "Fact check");
 * seven keep every figure a model may quote exactly (USD 5,552,173 of 5,552,173.067) within the rounding the check
 * reads from its digits, while the check itself compares with the engine's full values, which stay here. The engine's
 * full double precision ("5552173.067172532") cost a model whose tokenizer splits digits one per token (Qwen) nine
 * tokens a figure for nothing (an audit found the CVA trader's prompt ~6k tokens over the context asked for).
 */
export const PROMPT_SIGNIFICANT_DIGITS = 7;

/** A figure as a prompt states it: rounded to PROMPT_SIGNIFICANT_DIGITS (integers below 10^7 are unchanged). */
export function promptValue(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(PROMPT_SIGNIFICANT_DIGITS)) : value;
}

/** Every number of a tool's data rounded as promptValue rounds a fact (profiles, figures); strings and shapes as they are. */
function roundedForPrompt(data: unknown): unknown {
  if (typeof data === 'number') return promptValue(data);
  if (Array.isArray(data)) return data.map(roundedForPrompt);
  if (data !== null && typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, roundedForPrompt(v)]));
  }
  return data;
}

function factForPrompt(f: Fact): Record<string, unknown> {
  return { id: f.id, label: f.label, value: promptValue(f.value), unit: f.unit, ...(f.currency ? { currency: f.currency } : {}), ...(f.note ? { note: f.note } : {}) };
}

/**
 * The facts as the prompt lists them (id, label, value rounded to PROMPT_SIGNIFICANT_DIGITS, unit, currency; the
 * source path stays local).
 */
export function factsForPrompt(facts: readonly Fact[]): Record<string, unknown>[] {
  return facts.map(factForPrompt);
}

/**
 * Runs a persona tool for a model and filters its answer: under `aggregates` an answer revealing any trade-level
 * fact is replaced by its aggregate facts and a note, because its data holds figures below the aggregate level.
 */
export async function runToolForModel(
  tools: readonly PersonaTool[],
  name: string,
  args: Record<string, unknown>,
  share: ShareLevel,
): Promise<ToolAnswer> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    return { content: { error: `no tool named ${name}; available: ${tools.map((t) => t.name).join(', ') || 'none'}` }, facts: [] };
  }
  let out: { data: unknown; facts: Fact[] };
  try {
    out = await tool.run(args);
  } catch (error) {
    return { content: { error: error instanceof Error ? error.message : String(error) }, facts: [] };
  }
  if (share === 'aggregates' && out.facts.some((f) => f.tradeLevel)) {
    const aggregate = out.facts.filter((f) => !f.tradeLevel);
    return { content: { note: WITHHELD_NOTE, facts: factsForPrompt(aggregate) }, facts: aggregate };
  }
  // the model reads rounded figures; the fact check keeps the engine's (out.facts, unrounded)
  return { content: { data: roundedForPrompt(out.data), facts: factsForPrompt(out.facts) }, facts: out.facts };
}

/** The line the command prints before anything is sent. */
export function describeDestination(narrator: Pick<Narrator, 'kind' | 'model' | 'destination'>, share: ShareLevel): string {
  if (narrator.kind === 'builtin') return 'Narrator: built-in; nothing leaves this machine.';
  const what = share === 'aggregates' ? 'aggregate figures only (--share aggregates)' : 'trade-level figures included (--share trade-level)';
  const service = narrator.kind === 'ollama' ? 'Ollama' : 'Amazon Bedrock';
  return `Narrator: ${service} model ${narrator.model} at ${narrator.destination}; sending ${what}.`;
}
