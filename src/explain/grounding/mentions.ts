/**
 * Where a paragraph names its subjects (attribution.ts reads which figure each one owns): the run's identifiers
 * (counterparties `CP0024`, netting sets `NS-CP0024-1`, trades, stress scenarios `credit_up_100bp`, the optimiser's
 * actions), as whole identifier-like words in any case (`CP0024` is not named inside `NS-CP0024-1`; ids of fewer than
 * three characters are not looked for); "book"/"portfolio" (the book) and "plan" (the optimiser's plan), except in a
 * phrase of place ("in the plan", "on the amended book") or as the whole of a share ("21.8% of book CVA", "its share of
 * the book's CVA"), which say where or of what, not whose; and the pronouns it, its, they, their, them.
 *
 * Also here: the sentences and clauses a paragraph is read in, the name a figure binds right after it ("USD 1.2m for
 * CP0024", "USD 1.2m (CP0026)", "by USD 9.5m under `collateral_50pct`": an audit found a name after its figure
 * ignored, so that swapped figures passed) and the identifiers shaped like the run's that are none of them.
 */

import { BOOK, PLAN, type Subject } from './topics.js';

export interface Span {
  start: number;
  end: number;
}

export interface Mention extends Span {
  /** The subject named, or undefined for a pronoun. */
  subject?: Subject;
}

const MIN_ID_LENGTH = 3;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Sentences: up to a full stop, question or exclamation mark before a space or the end, or a blank line. */
export function sentencesOf(text: string): Span[] {
  const out: Span[] = [];
  const boundary = /[.!?](?=\s|$)|\n\s*\n/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = boundary.exec(text)) !== null) {
    const end = m.index + m[0].length;
    out.push({ start, end });
    start = end;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

/** Clauses of a sentence: its parts between semicolons outside parentheses ("(savings: …; DVA falls …)" is one). */
export function clausesOf(text: string, sentence: Span): Span[] {
  const out: Span[] = [];
  let depth = 0;
  let start = sentence.start;
  for (let i = sentence.start; i < sentence.end; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) {
      out.push({ start, end: i + 1 });
      start = i + 1;
    }
  }
  out.push({ start, end: sentence.end });
  return out;
}

export const spanAt = (spans: readonly Span[], index: number): Span => spans.find((s) => index >= s.start && index < s.end) ?? spans[spans.length - 1] ?? { start: 0, end: index };

/** Occurrences of a phrase (a persona title), in any case, not inside a longer identifier or word. */
export function occurrences(text: string, phrase: string): Span[] {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_:+-])${escapeRegExp(phrase)}(?![\\p{L}\\p{N}_]|[-:+][\\p{L}\\p{N}])`, 'giu');
  const out: Span[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * Identifier-like words: letters, digits and `_` joined by `-`, `:`, `+` or `.` (`NS-CP0024-1`,
 * `csa:NS-CP0026-1:csa_zero_threshold`, `credit_up_100bp`); a closing full stop is not part of one.
 */
const IDENTIFIER_WORD = /[\p{L}\p{N}_]+(?:[-:+.][\p{L}\p{N}_]+)*/gu;

/**
 * The run's identifiers named in the text: whole identifier-like words looked up in any case, so that `CP0024` is not
 * read inside `NS-CP0024-1` nor a netting set inside an action's id. One pass over the text, however many ids the run has.
 */
function identifierMentions(text: string, known: readonly Subject[]): Mention[] {
  const byId = new Map<string, Subject>();
  for (const s of known) if (s.id.length >= MIN_ID_LENGTH && !byId.has(s.id.toLowerCase())) byId.set(s.id.toLowerCase(), s);
  const out: Mention[] = [];
  IDENTIFIER_WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IDENTIFIER_WORD.exec(text)) !== null) {
    const subject = byId.get(m[0].toLowerCase());
    if (subject) out.push({ start: m.index, end: m.index + m[0].length, subject });
  }
  return out;
}

/** Where the text names one of the run's identifiers: digits there are part of a name, not figures (`NS-CP0026-1`). */
export function identifierSpans(text: string, known: readonly Subject[]): Span[] {
  return identifierMentions(text, known).map(({ start, end }) => ({ start, end }));
}

/** A phrase of place before a word ("in the", "on the amended", "across the whole"): it says where, not whose. */
const PLACE_BEFORE = /(?<![\p{L}\p{N}_])(?:in|on|across|within|throughout|into|onto|from)\s+(?:[\p{L}'’-]+\s+){0,2}$/iu;

/** "book"/"portfolio" name the book, "plan" the optimiser's plan, unless in a phrase of place. */
function wordMentions(text: string): Mention[] {
  const out: Mention[] = [];
  const re = /(?<![\p{L}\p{N}_-])(book|portfolio|plan)(?:['’]s)?(?![\p{L}\p{N}_-])/giu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (PLACE_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
    out.push({ start: m.index, end: m.index + m[0].length, subject: m[1]!.toLowerCase() === 'plan' ? PLAN : BOOK });
  }
  return out;
}

function pronounMentions(text: string): Mention[] {
  const out: Mention[] = [];
  const re = /(?<![\p{L}\p{N}_-])(?:it|its|they|their|them)(?![\p{L}\p{N}_-])/giu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/** Every subject and pronoun the paragraph names, in order; identifiers first, so that a word inside one is not read. */
function mentionsOf(text: string, known: readonly Subject[]): Mention[] {
  const ids = identifierMentions(text, known);
  const outside = (m: Mention) => !ids.some((o) => m.start < o.end && o.start < m.end);
  return [...ids, ...wordMentions(text).filter(outside), ...pronounMentions(text).filter(outside)].sort((a, b) => a.start - b.start);
}

/** "21.8% of", "share of the", "percent of": what follows is the whole a share is taken of. */
const WHOLE_BEFORE = /(?:%|(?<![\p{L}])(?:percent|per\s+cent|shares?|proportion|fraction|part))\s+of\s+(?:(?:the|our|this|its|their)\s+)?$/iu;

/**
 * The subjects and pronouns of a paragraph, in order, without the book or the plan named as the whole of a share
 * ("21.8% of book CVA", "its share of the book's CVA"): the share is the counterparty's, not the book's.
 */
export function subjectMentions(text: string, known: readonly Subject[]): Mention[] {
  const isWhole = (m: Mention) => (m.subject === BOOK || m.subject === PLAN) && WHOLE_BEFORE.test(text.slice(Math.max(0, m.start - 40), m.start));
  return mentionsOf(text, known).filter((m) => !isWhole(m));
}

/**
 * The noun of a kind right before one of the run's identifiers ("counterparty CP0024", "netting set NS-CP0026-1",
 * "scenario `collateral_0pct`"): a label of the name, not a noun that counts. Singular only: "2 netting sets NS-…"
 * still counts.
 */
const KIND_LABEL_BEFORE = /(?<![\p{L}])(?:counterparty|netting\s+set|trade|action|(?:stress\s+)?scenario|stress)\s+[`'"‘“]?$/iu;

/** Where a noun of a kind labels the identifier after it: those words name no measure (a count would reject the figure). */
export function kindLabels(text: string, mentions: readonly Mention[]): Span[] {
  const out: Span[] = [];
  for (const m of mentions) {
    if (!isIdentifier(m)) continue;
    const from = Math.max(0, m.start - 30);
    const label = KIND_LABEL_BEFORE.exec(text.slice(from, m.start));
    if (label) out.push({ start: from + label.index, end: m.start });
  }
  return out;
}

/** A mention of one of the run's identifiers (not the book, the plan or a pronoun). */
export const isIdentifier = (m: Mention): boolean => m.subject !== undefined && m.subject !== BOOK && m.subject !== PLAN;

/**
 * What binds a name to the figure right before it: "for", "in", "at", "from", "under" or "of" ("USD 1.2m for CP0024",
 * "USD 50.5m in NS-CP0033-1", "by USD 9.5m under `collateral_50pct`"), or an opening parenthesis ("USD 1.2m (CP0024)",
 * "(for CP0024)"), with "the" and the noun of its kind allowed between ("in netting set NS-CP0026-1").
 */
const BINDS_AFTER = /^\s*(?:(?<paren>\(\s*)(?:(?:for|in|at|from|under|of)\s+)?|(?:for|in|at|from|under|of)\s+)(?:the\s+)?(?:(?:counterparty|netting\s+set|trade|action|(?:stress\s+)?scenario|stress)\s+)?[`'"‘“]?$/iu;

/** A name in parentheses binds only as the whole aside, or its first item: "(CP0026)", "(CP0026, 13.4%)"; not "(CP0026: …)". */
const ASIDE_ENDS = /^[`'"’”]?\s*[),;]/u;

/**
 * The identifier bound to a figure by the words right after it (BINDS_AFTER), within the clause; `attachedEnd` is where
 * a measure attached to the figure ends ("USD 1.2m of CVA for CP0024"), from where the binding words may start too.
 */
export function boundAfter(text: string, figureEnd: number, attachedEnd: number | undefined, clause: Span, mentions: readonly Mention[]): Subject | undefined {
  const next = mentions.find((m) => m.start >= figureEnd);
  if (!next || !isIdentifier(next) || next.end > clause.end) return undefined;
  for (const from of attachedEnd !== undefined && attachedEnd <= next.start ? [figureEnd, attachedEnd] : [figureEnd]) {
    const binding = BINDS_AFTER.exec(text.slice(from, next.start));
    if (!binding) continue;
    if (binding.groups?.paren !== undefined && !ASIDE_ENDS.test(text.slice(next.end))) continue;
    return next.subject;
  }
  return undefined;
}

/** An identifier's shape: its digits as `#`, in lower case (`CP0024` → `cp####`). */
const shapeOf = (id: string): string => id.toLowerCase().replace(/\p{N}/gu, '#');

/**
 * Identifier-like words shaped like one of the run's ids (letters and digits in the same places: `CP9999` beside
 * `CP0024`, `NS-CP0024-7` beside `NS-CP0024-1`, `credit_up_200bp` beside `credit_up_100bp`) that are none of them: a
 * subject the results do not have, whose figures the check could otherwise compare with anyone's.
 */
export function unknownIdentifiers(text: string, known: readonly Subject[]): { text: string; index: number; kind: Subject['kind'] }[] {
  const ids = new Set(known.map((s) => s.id.toLowerCase()));
  const shapes = new Map<string, Subject['kind']>();
  for (const s of known) if (s.id.length >= MIN_ID_LENGTH && /\p{L}/u.test(s.id) && /\p{N}/u.test(s.id) && !shapes.has(shapeOf(s.id))) shapes.set(shapeOf(s.id), s.kind);
  const out: { text: string; index: number; kind: Subject['kind'] }[] = [];
  IDENTIFIER_WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IDENTIFIER_WORD.exec(text)) !== null) {
    const word = m[0].replace(/[.]+$/, '');
    if (ids.has(word.toLowerCase())) continue;
    const kind = shapes.get(shapeOf(word));
    if (kind !== undefined) out.push({ text: word, index: m.index, kind });
  }
  return out;
}

const KIND_WORDS: Record<Subject['kind'], string> = { book: 'book', plan: 'plan', counterparty: 'counterparty', netting_set: 'netting set', trade: 'trade', scenario: 'stress scenario', action: 'action of the optimiser' };

/** How a reason names the kind of an unknown identifier. */
export function kindWord(kind: Subject['kind']): string {
  return KIND_WORDS[kind];
}
