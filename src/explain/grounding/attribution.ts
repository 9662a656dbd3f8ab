/**
 * Which subject and which measure a paragraph ties each of its figures to, and whether a fact agrees with them. The
 * rule (docs/explain-narrators.md, "Fact check"); where prose names its subjects is read in mentions.ts.
 *
 * A figure's subject, within its clause (a sentence, or a part of it between semicolons outside parentheses):
 * 1. one of the run's identifiers bound right after the figure: introduced by for, in, at, from, under or of, or in
 *    parentheses ("CVA is USD 742.9k for CP0026 and USD 1.2m for CP0024", "USD 1.2m (CP0024)", "USD 50.5m in
 *    NS-CP0033-1"); it takes precedence over a name before the figure. A stress or an action bound so is what the
 *    figure is measured under ("book CVA rises by USD 20.7m under `collateral_0pct` and by USD 9.5m under
 *    `collateral_50pct`"), and the holder is then read as below (the book, in that sentence);
 * 2. the subject named closest before the figure ("CP0007's CVA is USD 3.2m against CP0012's USD 1.1m": 3.2m is
 *    CP0007's, 1.1m CP0012's);
 * 3. if that is a pronoun, the subject it stands for ("Its DVA is …"), and also the clause's only subject named after
 *    the figure if there is one (a pronoun may stand for a measure: "it rises by USD 9.3m under `collateral_50pct`");
 * 4. with nothing before it, the clause's only subject ("At USD 1.2m, CP0024 is the largest");
 * 5. otherwise none: the figure may be any subject's, as before subjects were read.
 * An audit found the rule without 1 ignoring a name placed after its figure, so that swapped figures passed.
 *
 * A figure is measured under the stress (or action) bound right after it, else the one named closest before it in its
 * sentence ("Under `collateral_50pct` book CVA rises by USD 9.5m, and under `collateral_0pct` by USD 20.7m": each its
 * own), else any the sentence names.
 *
 * A figure's measure: the measure word attached to it ("USD 16.1m (KVA)", "USD 1.2m of KVA", "adds USD 42.6k to CVA",
 * "pays USD 2.3m net"; not for percentages, whose "of book CVA" names the whole, not the part); else the measure words
 * of the phrase that leads to it, from the previous figure (or the start of the clause) to the figure, leaving out
 * asides in parentheses ("net XVA cost of the book (CVA − DVA + FVA) rose by …" names the net XVA cost): the fact must
 * measure one of them (measures.ts). No measure word: any measure. The noun of a kind right before an identifier
 * ("netting set NS-CP0026-1", "counterparty CP0024") labels it and counts nothing.
 *
 * A fact agrees with a holder (the book, a counterparty, a netting set, a trade) when it is that holder's figure and
 * whatever it is measured under is said in the sentence: the stress or the action named, the previous run by a
 * direction word or "previous", "since", "change" ("Book CVA is USD 25.7m" does not pass for the book's CVA under a
 * stress). It agrees with a scenario, an action or the plan when it is measured under it. A setting of the run
 * (`run.*`) agrees with any subject.
 */

import type { Fact } from '../types.js';
import { agreesWithMeasures, measuresIn, type Measure } from './measures.js';
import { boundAfter, clausesOf, kindLabels, occurrences, sentencesOf, spanAt, subjectMentions, type Mention, type Span } from './mentions.js';
import type { StatedFigure } from './numbers.js';
import { isHolder, namedSubjectsOf, sameSubject, subjectName, topicOf, type Condition, type FactTopic, type Subject } from './topics.js';

/** What a sentence says about one figure: its subject(s) and measure(s), and what the sentence names besides. */
export interface Attribution {
  /** Subjects the figure is tied to (any of them; empty: not tied). */
  subjects: Subject[];
  /** Measures the figure is tied to (any of them; empty: not tied). */
  measures: Measure[];
  /**
   * The subjects the figure's sentence names, for the conditions a fact is measured under: of the stresses and actions
   * only the figure's own (rule at the top of this file).
   */
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
  /** The stress or action bound right after the figure when its subject is a holder (for the reason: "… of the book under …"). */
  under?: Subject;
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

/** The subjects a figure is tied to by the names before it and the clause's others (rules 2-5 at the top of this file). */
function subjectsBefore(figure: Span, clause: Span, mentions: readonly Mention[]): { subjects: Subject[]; pronoun: boolean } {
  const before = mentions.filter((m) => m.start >= clause.start && m.end <= figure.start);
  const after = distinct(mentions.filter((m) => m.start >= figure.end && m.end <= clause.end && m.subject).map((m) => m.subject!));
  const closest = before[before.length - 1];
  if (closest?.subject) return { subjects: [closest.subject], pronoun: false };
  if (closest) {
    const antecedent = antecedentOf(closest, mentions);
    return { subjects: distinct([...(antecedent ? [antecedent] : []), ...(after.length === 1 ? after : [])]), pronoun: true };
  }
  return { subjects: after.length === 1 ? after : [], pronoun: false };
}

/**
 * The subjects a figure is tied to, by the rule at the top of this file: a holder bound right after it takes precedence;
 * a stress or action bound after it leaves the holder to the names before it (the book in "book CVA rises by USD 20.7m
 * under `collateral_0pct`"), and stands alone where those name none (or a pronoun, which may stand for a measure).
 */
function subjectsOfFigure(figure: Span, clause: Span, mentions: readonly Mention[], bound: Subject | undefined): Subject[] {
  if (bound && isHolder(bound)) return [bound];
  const { subjects, pronoun } = subjectsBefore(figure, clause, mentions);
  if (!bound) return subjects;
  const holders = subjects.filter(isHolder);
  return holders.length === 0 || pronoun ? distinct([...holders, bound]) : holders;
}

/** A stress or an action: what a figure is measured under. */
const isCondition = (s: Subject): boolean => s.kind === 'scenario' || s.kind === 'action';

/**
 * What the sentence names for the conditions of one figure: every holder, and of each kind of condition (stress,
 * action) the one bound right after the figure, else the one named closest before it, else all the sentence names.
 */
function namedForFigure(figure: Span, sentence: Span, mentions: readonly Mention[], bound: Subject | undefined): Subject[] {
  const inSentence = mentions.filter((m) => m.subject && m.start >= sentence.start && m.end <= sentence.end);
  const all = distinct(inSentence.map((m) => m.subject!));
  return all.filter((s) => {
    if (!isCondition(s)) return true;
    if (bound?.kind === s.kind) return sameSubject(s, bound);
    const closest = inSentence.filter((m) => m.end <= figure.start && m.subject!.kind === s.kind).pop();
    return closest ? sameSubject(s, closest.subject!) : true;
  });
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
  const mentions = subjectMentions(text, known);
  const figureSpans = figures.map((f) => ({ start: f.index, end: f.index + f.text.length }));
  // persona titles ("CVA trader") name no measure; the ids among the ignored phrases are blanked as mentions already
  const ids = new Set(known.map((s) => s.id.toLowerCase()));
  const ignored = ignore.filter((p) => p.trim() !== '' && !ids.has(p.toLowerCase())).flatMap((p) => occurrences(text, p));
  // the words measures are read from: no identifiers, the nouns labelling them, persona titles or figures in them
  const words = blanked(text, [...mentions.filter((m) => m.subject), ...kindLabels(text, mentions), ...ignored, ...figureSpans]);
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
    const bound = boundAfter(text, span.end, attached?.end, clause, mentions);
    const subjects = subjectsOfFigure(span, clause, mentions, bound);
    return {
      subjects,
      measures: countable ? measures : measures.filter((m) => !m.count),
      named: namedForFigure(span, sentence, mentions, bound),
      changeSaid: figure.direction !== undefined || CHANGE_WORDS.test(sentenceText),
      optimiserSaid: OPTIMISER_WORDS.test(sentenceText),
      ...(HYPOTHETICAL_WORDS.test(sentenceText) ? { hypotheticalSaid: true } : {}),
      counted: attached?.measure.count === true,
      ...(figure.level ? { levelSaid: true } : {}),
      ...(figure.kind === 'pct' ? ((base) => (base ? { baseMeasure: base } : {}))(baseMeasureOf(text, words, span, clause.end)) : {}),
      ...(bound && !subjects.some((s) => sameSubject(s, bound)) ? { under: bound } : {}),
    };
  });
}

/** Each measure once ("CVA … CVA" is one measure named). */
function distinctMeasures(list: readonly Measure[]): Measure[] {
  const out: Measure[] = [];
  for (const m of list) if (!out.some((o) => o.name === m.name)) out.push({ name: m.name, keys: m.keys, ...(m.count ? { count: m.count } : {}), ...(m.unless ? { unless: m.unless } : {}) });
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

/**
 * A sensitivity (`cva_cs01`, `dva_cs01`, a counterparty's share of the CVA CS01) is the figure of the words "CS01" (or
 * "CVA CS01"), or of the measure it moves in a hypothetical sentence ("a 1bp widening would add USD 43.8k to CVA"):
 * "CVA" alone today is the CVA, not its CS01 (an audit found "The top five counterparties' share of book CVA rose by
 * 0.5%" passing on a counterparty's share of the CVA CS01). The shift the CS01 is per (`run.cs01_shift_bp`) is a shift.
 */
function sensitivityFits(topic: FactTopic, attribution: Attribution): boolean {
  if (!topic.measure.includes('cs01') || topic.measure.includes('shift')) return true;
  if (attribution.hypotheticalSaid) return true;
  const named = attribution.measures.filter((m) => !m.count);
  return named.length === 0 || named.some((m) => m.keys.some((k) => k.split('_').includes('cs01')));
}

/** Whether the fact agrees with the subject(s) and measure(s) the prose ties the figure to. */
export function agreesWith(topic: FactTopic, attribution: Attribution, isCount = false): boolean {
  if (attribution.counted && !isCount) return false;
  // "rises to X" states where the figure ends: not a change (a stress's `d_*`, a change against the previous run); the
  // mirror, "rises by X" is never a level, is check.ts directionFits
  if (attribution.levelSaid && (topic.measure.includes('d') || topic.conditions.some((c) => c.kind === 'change'))) return false;
  if (!sensitivityFits(topic, attribution)) return false;
  const subjectFits = attribution.subjects.length === 0 ? agreesUntied(topic, attribution, isCount) : attribution.subjects.some((s) => agreesWithSubject(topic, s, attribution));
  return subjectFits && agreesWithMeasures(topic.measure, attribution.measures, isCount, attribution.baseMeasure);
}

/** How a reason names what the prose ties a figure to: "CVA of the book", "DVA of CP0024 or the book", "CVA under scenario collateral_0pct". */
export function describeTie(tie: Attribution): string {
  // the measures of an amount before the nouns of counts ("CVA", not "netting sets", in "USD 2m across 12 netting sets")
  const named = tie.counted ? tie.measures : tie.measures.filter((m) => !m.count);
  const measure = named.length > 0 ? named.map((m) => m.name).join(' or ') : 'a figure';
  if (tie.subjects.length === 0) return measure;
  const whose = tie.subjects.map((s) => `${s.kind === 'scenario' ? 'under' : 'of'} ${subjectName(s)}`).join(' or ');
  return `${measure} ${whose}${tie.under ? ` under ${subjectName(tie.under)}` : ''}`;
}
