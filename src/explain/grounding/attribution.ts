/**
 * Which subject and which measure a paragraph ties each of its figures to, and whether a fact agrees with them. The
 * rule (docs/explain-narrators.md, "Fact check"):
 *
 * Subjects named in prose: the run's identifiers (counterparties `CP0024`, netting sets `NS-CP0024-1`, trades, stress
 * scenarios `credit_up_100bp`, the optimiser's actions), as whole identifier-like words in any case (`CP0024` is not
 * named inside `NS-CP0024-1`; ids of fewer than three characters are not looked for); "book"/"portfolio" (the book)
 * and "plan" (the optimiser's plan), except in a phrase of place ("in the plan", "on the amended book") or as the whole
 * of a share ("21.8% of book CVA", "its share of the book's CVA"), which say where or of what, not whose. The pronouns
 * it, its, they, their, them stand for the subject named last before them in the paragraph.
 *
 * A figure's subject, within its clause (a sentence, or a part of it between semicolons outside parentheses):
 * 1. the subject named closest before the figure ("CP0007's CVA is USD 3.2m against CP0012's USD 1.1m": 3.2m is
 *    CP0007's, 1.1m CP0012's);
 * 2. if that is a pronoun, the subject it stands for ("Its DVA is …"), and also the clause's only subject named after
 *    the figure if there is one (a pronoun may stand for a measure: "it rises by USD 9.3m under `collateral_50pct`");
 * 3. with nothing before it, the clause's only subject ("At USD 1.2m, CP0024 is the largest");
 * 4. otherwise none: the figure may be any subject's, as before subjects were read.
 *
 * A figure's measure: the measure word attached to it ("USD 16.1m (KVA)", "USD 1.2m of KVA", "adds USD 42.6k to CVA",
 * "pays USD 2.3m net"; not for percentages, whose "of book CVA" names the whole, not the part); else the measure words
 * of the phrase that leads to it, from the previous figure (or the start of the clause) to the figure, leaving out
 * asides in parentheses ("net XVA cost of the book (CVA − DVA + FVA) rose by …" names the net XVA cost): the fact must
 * measure one of them (measures.ts). No measure word: any measure.
 *
 * A fact agrees with a holder (the book, a counterparty, a netting set, a trade) when it is that holder's figure and
 * whatever it is measured under is said in the sentence: the stress or the action named, the previous run by a
 * direction word or "previous", "since", "change" ("Book CVA is USD 25.7m" does not pass for the book's CVA under a
 * stress). It agrees with a scenario, an action or the plan when it is measured under it. A setting of the run
 * (`run.*`) agrees with any subject.
 */

import type { Fact } from '../types.js';
import { agreesWithMeasures, measuresIn, type Measure } from './measures.js';
import type { StatedFigure } from './numbers.js';
import { BOOK, PLAN, isHolder, namedSubjectsOf, sameSubject, subjectName, topicOf, type Condition, type FactTopic, type Subject } from './topics.js';

interface Span {
  start: number;
  end: number;
}

interface Mention extends Span {
  /** The subject named, or undefined for a pronoun. */
  subject?: Subject;
}

/** What a sentence says about one figure: its subject(s) and measure(s), and what the sentence names besides. */
export interface Attribution {
  /** Subjects the figure is tied to (any of them; empty: not tied). */
  subjects: Subject[];
  /** Measures the figure is tied to (any of them; empty: not tied). */
  measures: Measure[];
  /** Every subject the figure's sentence names (for the conditions a fact is measured under). */
  named: Subject[];
  /** Whether the sentence speaks of a change against the previous run (a direction on the figure, "since", "previous"). */
  changeSaid: boolean;
  /** Whether the sentence speaks of the optimiser ("the optimiser measured …"): the plan's figures are then in scope. */
  optimiserSaid: boolean;
  /** Whether the sentence is hypothetical ("if", "would", "were"): a what-if's figures are then in scope. */
  hypotheticalSaid?: boolean;
  /** Whether a noun that counts follows the figure ("5k paths", "29 netting sets"): it is then a count. */
  counted: boolean;
  /** Whether the figure is where a move ends ("rises to USD 4.0m"): a level, so no change fact (`d_*`, `change.*`). */
  levelSaid?: boolean;
  /** A percentage followed by "of <measure>" ("12.8% of book CVA"): the measure it is a share or ratio of. */
  baseMeasure?: Measure;
}

const MIN_ID_LENGTH = 3;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Sentences: up to a full stop, question or exclamation mark before a space or the end, or a blank line. */
function sentencesOf(text: string): Span[] {
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
function clausesOf(text: string, sentence: Span): Span[] {
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

const spanAt = (spans: readonly Span[], index: number): Span => spans.find((s) => index >= s.start && index < s.end) ?? spans[spans.length - 1] ?? { start: 0, end: index };

/** Occurrences of a phrase (a persona title), in any case, not inside a longer identifier or word. */
function occurrences(text: string, phrase: string): Span[] {
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
export function identifierSpans(text: string, known: readonly Subject[]): { start: number; end: number }[] {
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
 * The book or the plan named as the whole of a share ("21.8% of book CVA", "its share of the book's CVA") is not the
 * subject of the figure: the share is the counterparty's. Such mentions are left out.
 */
function withoutWholes(text: string, mentions: readonly Mention[]): Mention[] {
  const isWhole = (m: Mention) => (m.subject === BOOK || m.subject === PLAN) && WHOLE_BEFORE.test(text.slice(Math.max(0, m.start - 40), m.start));
  return mentions.filter((m) => !isWhole(m));
}

/** The subject a pronoun stands for: the last subject named before it in the paragraph. */
function antecedentOf(pronoun: Mention, mentions: readonly Mention[]): Subject | undefined {
  for (let i = mentions.length - 1; i >= 0; i--) {
    const m = mentions[i]!;
    if (m.end <= pronoun.start && m.subject) return m.subject;
  }
  return undefined;
}

/** Each subject once, in order of first appearance (ids compared in any case, as prose is read). */
function distinct(subjects: readonly Subject[]): Subject[] {
  const byKey = new Map<string, Subject>();
  for (const s of subjects) {
    const key = `${s.kind} ${s.id.toLowerCase()}`;
    if (!byKey.has(key)) byKey.set(key, s);
  }
  return [...byKey.values()];
}

/** The subjects a figure is tied to, by the rule at the top of this file. */
function subjectsOfFigure(figure: Span, clause: Span, mentions: readonly Mention[]): Subject[] {
  const before = mentions.filter((m) => m.start >= clause.start && m.end <= figure.start);
  const after = distinct(mentions.filter((m) => m.start >= figure.end && m.end <= clause.end && m.subject).map((m) => m.subject!));
  const closest = before[before.length - 1];
  if (closest?.subject) return [closest.subject];
  if (closest) {
    const antecedent = antecedentOf(closest, mentions);
    return distinct([...(antecedent ? [antecedent] : []), ...(after.length === 1 ? after : [])]);
  }
  return after.length === 1 ? after : [];
}

/** Text with the given spans blanked (same length, so offsets stay). */
function blanked(text: string, spans: readonly Span[]): string {
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + ' '.repeat(s.end - s.start) + out.slice(s.end);
  return out;
}

/** The lead without its asides in parentheses (a formula, a definition): they do not name the figure's measure. */
function withoutClosedAsides(lead: string): string {
  let out = lead;
  let m: RegExpExecArray | null;
  const aside = /\([^()]*\)/g;
  while ((m = aside.exec(out)) !== null) {
    out = out.slice(0, m.index) + ' '.repeat(m[0].length) + out.slice(m.index + m[0].length);
    aside.lastIndex = 0;
  }
  return out;
}

/**
 * What attaches a measure word to the figure before it: nothing but a space ("USD 1.2m CVA", "29 netting sets"), "(KVA)",
 * "of KVA", "to the net XVA cost", "off the CET1 ratio".
 */
const ATTACHED = /^\s*(?:\(\s*|(?:of|in|to|off|for)\s+(?:[\p{L}'’-]+\s+){0,3})?$/iu;

/** "pays USD 2.3m net", "saves USD 2.3m net": a net figure (a net benefit, the net XVA cost or its change). */
const NET_AFTER = /^\s+net(?![\p{L}\p{N}])/iu;
const NET: Measure = { name: 'net figure', keys: ['net'] };

/** The measure word attached right after the figure, with where it ends; none for percentages (see the top). */
/** "of book CVA", "of the book's FVA", "of total capital" right after a percentage (the words between: book, total, the). */
const OF_BASE = /^\s*of\s+(?:(?:the|book(?:'s|’s)?|total|all|its)\s+)*$/iu;

/** The measure a percentage is a share or ratio of, when the words right after it say "of <measure>". */
function baseMeasureOf(text: string, words: string, figure: Span, clauseEnd: number): Measure | undefined {
  const to = Math.min(clauseEnd, figure.end + 40);
  // up to the next figure (a digit not inside a word: CS01 is a word) or punctuation
  const stop = text.slice(figure.end, to).search(/(?<![\p{L}\d])\d|[,;.)(]/u);
  const tail = words.slice(figure.end, stop < 0 ? to : figure.end + stop);
  const first = measuresIn(tail)[0];
  if (!first || !OF_BASE.test(tail.slice(0, first.start))) return undefined;
  return first;
}

function attachedMeasure(text: string, words: string, figure: Span, kind: StatedFigure['kind'], clauseEnd: number): { measure: Measure; end: number } | undefined {
  if (kind === 'pct' || kind === 'pp') return undefined;
  const to = Math.min(clauseEnd, figure.end + 60);
  // up to the next figure or punctuation of the text itself
  const stop = text.slice(figure.end, to).search(/[\d,;.)]/);
  const tail = words.slice(figure.end, stop < 0 ? to : figure.end + stop);
  const net = NET_AFTER.exec(tail);
  if (net) return { measure: NET, end: figure.end + net[0].length };
  const first = measuresIn(tail)[0];
  if (!first || !ATTACHED.test(tail.slice(0, first.start))) return undefined;
  return { measure: first, end: figure.end + first.end };
}

/** Whether the sentence speaks of the optimiser (its plan's figures: candidates, actions). */
const OPTIMISER_WORDS = /(?<![\p{L}])optimi[sz](?:er|ers|ation|ing|ed|es|e)(?![\p{L}])/iu;

/** Whether the sentence speaks of a change against the previous run. */
const HYPOTHETICAL_WORDS = /(?<![\p{L}])(?:if|would|were|what-if|hypothetical(?:ly)?|suppose|supposing)(?![\p{L}])/iu;
const CHANGE_WORDS = /(?<![\p{L}])(?:previous|prior|since|last\s+run|chang(?:e|es|ed))(?![\p{L}])/iu;

/**
 * Per figure of the paragraph (in order), the subject(s) and measure(s) the prose ties it to. `known` are the
 * identifiers to look for (the facts' own and the run's); `ignore` phrases (persona titles) are not read for measures.
 */
export function attributeFigures(text: string, figures: readonly StatedFigure[], known: readonly Subject[], ignore: readonly string[] = []): Attribution[] {
  const mentions = withoutWholes(text, mentionsOf(text, known));
  const figureSpans = figures.map((f) => ({ start: f.index, end: f.index + f.text.length }));
  // persona titles ("CVA trader") name no measure; the ids among the ignored phrases are blanked as mentions already
  const ids = new Set(known.map((s) => s.id.toLowerCase()));
  const ignored = ignore.filter((p) => p.trim() !== '' && !ids.has(p.toLowerCase())).flatMap((p) => occurrences(text, p));
  // the words measures are read from: no identifiers, persona titles or figures in them
  const words = blanked(text, [...mentions.filter((m) => m.subject), ...ignored, ...figureSpans]);
  const sentences = sentencesOf(text);
  // where the phrase leading to the next figure starts: after the previous figure and the measure attached to it
  let leadFrom = 0;
  let previousClause: Span | undefined;
  return figures.map((figure, i) => {
    const span = figureSpans[i]!;
    const sentence = spanAt(sentences, span.start);
    const clause = spanAt(clausesOf(text, sentence), span.start);
    const from = previousClause?.start === clause.start ? leadFrom : clause.start;
    previousClause = clause;
    const attached = attachedMeasure(text, words, span, figure.kind, clause.end);
    const lead = withoutClosedAsides(words.slice(from, span.start));
    leadFrom = attached?.end ?? span.end;
    // a percentage, bp or years is never a count: the nouns of counts are not its measure
    const countable = figure.kind === 'plain' || figure.kind === 'amount';
    const measures = attached ? [attached.measure] : distinctMeasures(measuresIn(lead));
    const sentenceText = text.slice(sentence.start, sentence.end);
    return {
      subjects: subjectsOfFigure(span, clause, mentions),
      measures: countable ? measures : measures.filter((m) => !m.count),
      named: distinct(mentions.filter((m) => m.subject && m.start >= sentence.start && m.end <= sentence.end).map((m) => m.subject!)),
      changeSaid: figure.direction !== undefined || CHANGE_WORDS.test(sentenceText),
      optimiserSaid: OPTIMISER_WORDS.test(sentenceText),
      ...(HYPOTHETICAL_WORDS.test(sentenceText) ? { hypotheticalSaid: true } : {}),
      counted: attached?.measure.count === true,
      ...(figure.level ? { levelSaid: true } : {}),
      ...(figure.kind === 'pct' ? ((base) => (base ? { baseMeasure: base } : {}))(baseMeasureOf(text, words, span, clause.end)) : {}),
    };
  });
}

/** Each measure once ("CVA … CVA" is one measure named). */
function distinctMeasures(list: readonly Measure[]): Measure[] {
  const out: Measure[] = [];
  for (const m of list) if (!out.some((o) => o.name === m.name)) out.push({ name: m.name, keys: m.keys, ...(m.count ? { count: m.count } : {}) });
  return out;
}

/** Subjects worth looking for in prose: those the facts are about, and the run's own. */
export function knownSubjects(facts: readonly Fact[], extra: readonly Subject[] = []): Subject[] {
  return distinct([...facts.flatMap((f) => namedSubjectsOf(topicOf(f.id))), ...extra]);
}

function conditionSaid(condition: Condition, attribution: Attribution): boolean {
  if (condition.kind === 'change') return attribution.changeSaid;
  if (condition.kind === 'hypothetical') return attribution.hypotheticalSaid === true;
  if (condition.kind === 'plan' && attribution.optimiserSaid) return true;
  return attribution.named.some((s) => s.kind === condition.kind && condition.ids.some((id) => sameSubject(s, { kind: condition.kind, id })));
}

function measuredUnder(topic: FactTopic, subject: Subject): boolean {
  return topic.conditions.some((c) => c.kind === subject.kind && c.ids.some((id) => sameSubject(subject, { kind: subject.kind, id })));
}

/** Whether a fact can be the figure of `subject`, by the rule at the top of this file. */
function agreesWithSubject(topic: FactTopic, subject: Subject, attribution: Attribution): boolean {
  // a setting of the run (the CS01 shift, the paths) is no subject's figure
  if (!topic.holder && topic.conditions.length === 0) return true;
  if (isHolder(subject)) {
    if (!topic.holder || !sameSubject(topic.holder, subject)) return false;
    return topic.conditions.every((c) => conditionSaid(c, attribution));
  }
  if (!measuredUnder(topic, subject)) return false;
  return topic.conditions.every((c) => (c.kind !== 'change' && c.kind === subject.kind) || conditionSaid(c, attribution));
}

/**
 * A figure tied to no subject may be any holder's (the rule at the top of this file), but only as measured today: a
 * fact measured under a stress, an action, the plan or against the previous run needs that said in the sentence
 * ("CVA is USD 25.7m" does not pass on the CVA under `collateral_0pct`). A count tied to no subject is the book's or
 * the run's: "1 netting set" is not any counterparty's number of netting sets.
 */
function agreesUntied(topic: FactTopic, attribution: Attribution, isCount: boolean): boolean {
  if (isCount && topic.holder !== undefined && topic.holder.kind !== 'book') return false;
  return topic.conditions.every((c) => conditionSaid(c, attribution));
}

/** Whether the fact agrees with the subject(s) and measure(s) the prose ties the figure to. */
export function agreesWith(topic: FactTopic, attribution: Attribution, isCount = false): boolean {
  if (attribution.counted && !isCount) return false;
  // "rises to X" states where the figure ends: not a change (a stress's `d_*`, a change against the previous run)
  if (attribution.levelSaid && (topic.measure.includes('d') || topic.conditions.some((c) => c.kind === 'change'))) return false;
  const subjectFits = attribution.subjects.length === 0 ? agreesUntied(topic, attribution, isCount) : attribution.subjects.some((s) => agreesWithSubject(topic, s, attribution));
  return subjectFits && agreesWithMeasures(topic.measure, attribution.measures, isCount, attribution.baseMeasure);
}

const KIND_WORDS: Record<Subject['kind'], string> = { book: 'book', plan: 'plan', counterparty: 'counterparty', netting_set: 'netting set', trade: 'trade', scenario: 'stress scenario', action: 'action of the optimiser' };

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

/** How a reason names the kind of an unknown identifier. */
export function kindWord(kind: Subject['kind']): string {
  return KIND_WORDS[kind];
}

/** How a reason names what the prose ties a figure to: "CVA of the book", "DVA of CP0024 or the book", "CVA under scenario collateral_0pct". */
export function describeTie(tie: Attribution): string {
  // the measures of an amount before the nouns of counts ("CVA", not "netting sets", in "USD 2m across 12 netting sets")
  const named = tie.counted ? tie.measures : tie.measures.filter((m) => !m.count);
  const measure = named.length > 0 ? named.map((m) => m.name).join(' or ') : 'a figure';
  if (tie.subjects.length === 0) return measure;
  const whose = tie.subjects.map((s) => `${s.kind === 'scenario' ? 'under' : 'of'} ${subjectName(s)}`).join(' or ');
  return `${measure} ${whose}`;
}
