/**
 * The words the LLM narrators send and the way their answers become paragraphs. Shared by Ollama and Bedrock so that
 * both models see the same brief.
 */

import { NarratorUnavailableError } from './errors.js';
import type { Fact, NarrationRequest, NarrationResult } from '../types.js';
import { factsForPrompt } from './privacy.js';

/** The persona's role prompt plus the house rules every answer is checked against (grounding/). */
export function systemPrompt(request: NarrationRequest): string {
  return [
    request.persona.rolePrompt.trim(),
    '',
    `You write the "${request.persona.title}" section of a board report on the bank's counterparty risk.`,
    'Rules:',
    '- Write 2 to 4 short paragraphs of plain prose for non-specialists; no headings, lists or tables.',
    '- State only numbers that appear as facts: in the facts below, or in the "facts" list of a tool\'s answer. Other ' +
      'numbers in a tool\'s "data" (profiles by date, action descriptions, notionals) are context for you and cannot be ' +
      'checked: do not state them. A what-if tool\'s figures hold under its hypothetical: say so ("if its spread rose ' +
      'by 100bp, ...") and never give them as today\'s. You may round facts ' +
      '(1,234,567 as 1.2m; 0.0341 as 3.4%; 12.4bp as 12bp) but never compute new figures (no sums, differences, ' +
      'ratios or shares that are not given). Every figure is checked; a paragraph with an unsupported figure is rejected.',
    '- Keep at least two significant digits (5.4m, not 5m) and the fact\'s unit: currency amounts with their currency ' +
      '(USD 1.2m), pct facts in % (never as bp), bp facts in bp (never as %), counts as bare numbers; "pp" only for a ' +
      'given change of a percentage. Write numbers as digits; no multiples ("3x", "tenfold", "half of"): state the ' +
      'figure itself.',
    '- Tie every figure to its subject and measure: name the counterparty, netting set, scenario or action by its id, ' +
      'or "the book", before the figure in the same sentence, with the measure ("CP0024\'s CVA is USD 1.2m"; "Its DVA ' +
      'is …" for the subject named last). A figure is checked only against the facts of the subject named closest ' +
      'before it, or right after it ("USD 1.2m for CP0024", "USD 1.2m (CP0024)", "by USD 9.5m under collateral_50pct"), ' +
      'and of the measure named with it; one list per subject, not "A and B carry X and Y respectively".',
    '- When you say a figure rises, falls, is up or down, it must have that sign in the facts (a negative change is a ' +
      'fall; a positive *_saving is a fall of what it saves) and be a move: a change (d_*, change.*), a saving, a ' +
      'shift (a stress\'s shock in bp or pp), never a level and never a share ("book CVA rises by" states its change; a ' +
      'level is stated with "is", or where a move ends: "rises to"); a CS01 is what a 1bp widening would add ("would ' +
      'add USD 43k to CVA if spreads widened by 1bp"), never a rise or fall of its own.',
    '- Back only actions the optimiser chose (chosen = 1); an action not chosen may be named only as not chosen, with ' +
      'its note.',
    '- After a figure you may cite its fact id in square brackets, e.g. "1.2m [book.cva]"; the brackets are removed ' +
      'before printing.',
    '- Use the tools to look at detail you need (counterparties, exposures, scenarios, recommendations).',
    '- Refer to other sections by the role title only, never by a personal name.',
    '- Separate paragraphs with one blank line.',
  ].join('\n');
}

/** The facts, the earlier sections this persona reads, and (on regeneration) what was rejected and why. */
export function userPrompt(request: NarrationRequest): string {
  const parts: string[] = [];
  parts.push('Facts (JSON; value in the unit given: currency amounts in units, pct in percent, ratio as a fraction):');
  parts.push(JSON.stringify(factsForPrompt(request.facts)));
  for (const section of request.earlier) {
    if (section.paragraphs.length === 0) continue;
    parts.push('');
    parts.push(`Section already written by the ${section.title}:`);
    parts.push(section.paragraphs.join('\n\n'));
  }
  if (request.rejected && request.rejected.length > 0) {
    parts.push('');
    parts.push('Your previous answer had paragraphs with figures that are not in the facts, or not facts of the subject or measure the sentence names. Write the whole section again;');
    parts.push('for each rejected paragraph, use only the facts (or leave the figure out):');
    for (const r of request.rejected) {
      parts.push(`Rejected: ${r.paragraph}`);
      for (const reason of r.reasons) parts.push(`  reason: ${reason}`);
    }
  }
  parts.push('');
  parts.push(`Write the ${request.persona.title} section now.`);
  return parts.join('\n');
}

/** The nudge sent when a model is still calling tools at its last turn. */
export const ANSWER_NOW = 'You have used all tool calls available. Write the section now from what you have, without calling tools.';

/** A fact id in brackets; ids of summed what-ifs hold `+` (`whatif.<a>+<b>.net_benefit`). */
const CITATION = /\s?\[([A-Za-z0-9_.:+\-]+)\]/g;

/**
 * Paragraphs of a model's answer: reasoning blocks and headings dropped, fact-id citations removed (and returned),
 * blank-line separated, trimmed. `truncated` drops an unfinished last paragraph (the model ran out of tokens).
 */
export function parseAnswer(text: string, knownIds: ReadonlySet<string>, truncated = false): { paragraphs: string[]; cited: string[] } {
  const cited = new Set<string>();
  const cleaned = text
    .replace(/<think>[\s\S]*?<\/think>/gi, '')
    .replace(/\r\n/g, '\n')
    .replace(CITATION, (whole, id: string) => {
      if (!knownIds.has(id)) return whole;
      cited.add(id);
      return '';
    });
  const paragraphs = cleaned
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .filter((line) => !/^\s*#{1,6}\s/.test(line))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((p) => p.length > 0);
  if (truncated && paragraphs.length > 1 && !/[.!?)"”]$/.test(paragraphs[paragraphs.length - 1]!)) paragraphs.pop();
  return { paragraphs, cited: [...cited] };
}

/** Merges fact lists by id, first occurrence kept. */
export function mergeFacts(...lists: readonly (readonly Fact[])[]): Fact[] {
  const byId = new Map<string, Fact>();
  for (const list of lists) for (const f of list) if (!byId.has(f.id)) byId.set(f.id, f);
  return [...byId.values()];
}

/** The result of a narration: given plus revealed facts (the check's reference set), cited = revealed ∪ named. */
export function narrationResult(
  narrator: 'ollama' | 'bedrock',
  model: string,
  request: NarrationRequest,
  revealed: readonly Fact[],
  answer: string,
  truncated = false,
  destination = '',
): NarrationResult {
  const facts = mergeFacts(request.facts, revealed);
  const { paragraphs, cited } = parseAnswer(answer, new Set(facts.map((f) => f.id)), truncated);
  // an answer that is only reasoning (<think>…</think>) or headings is as empty as no answer: never empty sections
  if (paragraphs.length === 0) {
    throw new NarratorUnavailableError(narrator, destination, `${narrator === 'ollama' ? 'Ollama' : 'Bedrock'} model ${model}${destination ? ` at ${destination}` : ''} returned no prose (only reasoning or headings)`);
  }
  return {
    paragraphs,
    facts,
    cited: [...new Set([...revealed.map((f) => f.id), ...cited])],
    narrator,
    model,
  };
}
