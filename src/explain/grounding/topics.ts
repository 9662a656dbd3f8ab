/**
 * What a fact is a figure of, read from its id (facts.ts builds every id as scope, subject, metric), so that the fact
 * check can tie a figure in prose to the subject and measure the sentence names (attribution.ts):
 *
 * - the *holder*: whose figure it is: the book (`book.*`, `capital.*`, `margin.*`, `plan.*`, `rec.*`, a stress's book
 *   figures), a counterparty (`cp.<id>.*`, `capital.cp.<id>.*`, `whatif.spread.<id>.*`), a netting set (`ns.<id>.*`,
 *   `margin.ns.<id>.*`, `scenario.<name>.ns.<id>.*`) or a trade (`trade.<id>.*`);
 * - its *conditions*: what it is measured under: a stress scenario (`scenario.<name>.*`, `capital.scenario.<name>.*`,
 *   `margin.scenario.<name>.*`), an action of the optimiser (`rec.<action>.*`, `whatif.<a>+<b>.*`), a hypothetical
 *   spread move (`whatif.spread.*`: said with "if" or "would"), the plan
 *   (`plan.*`), or the comparison with the previous run (`change.<id>`: the holder and conditions of `<id>`);
 * - its *measure*: the words of the metric (`cva_share` → cva, share), with the scope `margin` as a word too
 *   (`margin.mva` → margin, mva); the scope `capital` is not one (`capital.ead` → ead: "capital" names the capital
 *   figures, `capital.capital`, `capital_cva`, a capital saving, not the run's EAD or KVA).
 *
 * A fact whose id has none of these shapes (`run.paths`, the shift of the CS01 figures) is a setting of the run, tied
 * to no subject. Nothing here is a table of facts: a new fact of an existing scope is read the same way.
 */

export type SubjectKind = 'book' | 'counterparty' | 'netting_set' | 'trade' | 'scenario' | 'action' | 'plan';

/** A subject prose can name: the book, a counterparty, a netting set, a trade, a stress scenario, an action, the plan. */
export interface Subject {
  kind: SubjectKind;
  /** The identifier as the results spell it (`CP0024`, `NS-CP0024-1`, `credit_up_100bp`); `book` and `plan` for those. */
  id: string;
}

export const BOOK: Subject = { kind: 'book', id: 'book' };
export const PLAN: Subject = { kind: 'plan', id: 'plan' };

/** Subjects that own figures; the other kinds (scenario, action, plan) are conditions a figure is measured under. */
const HOLDER_KINDS: ReadonlySet<SubjectKind> = new Set<SubjectKind>(['book', 'counterparty', 'netting_set', 'trade']);

export function isHolder(subject: Subject): boolean {
  return HOLDER_KINDS.has(subject.kind);
}

export function sameSubject(a: Subject, b: Subject): boolean {
  return a.kind === b.kind && a.id.toLowerCase() === b.id.toLowerCase();
}

/** What a figure is measured under: scenarios, actions (several for a summed what-if) or the plan, or a change. */
export type Condition = { kind: 'scenario' | 'action' | 'plan'; ids: string[] } | { kind: 'change' } | { kind: 'hypothetical' };

export interface FactTopic {
  /** Whose figure it is; absent for settings of the run and ids of no known shape (tied to no subject). */
  holder?: Subject;
  conditions: Condition[];
  /** The words of the metric, lower case: `cp.CP0024.cva_share` → [cva, share]; `capital.ead` → [capital, ead]. */
  measure: string[];
}

const wordsOf = (metric: string): string[] => metric.toLowerCase().split(/[._]/).filter((w) => w !== '');

/** Splits `<key>.<metric>` at the last dot: identifiers may hold dots, metrics never do. */
function keyAndMetric(rest: string): { key: string; metric: string } {
  const dot = rest.lastIndexOf('.');
  return dot < 0 ? { key: rest, metric: '' } : { key: rest.slice(0, dot), metric: rest.slice(dot + 1) };
}

function heldBy(kind: SubjectKind, rest: string, scopeWords: string[] = [], conditions: Condition[] = []): FactTopic {
  const { key, metric } = keyAndMetric(rest);
  return { holder: { kind, id: key }, conditions, measure: [...scopeWords, ...wordsOf(metric)] };
}

function ofTheBook(metric: string, scopeWords: string[] = [], conditions: Condition[] = []): FactTopic {
  return { holder: BOOK, conditions, measure: [...scopeWords, ...wordsOf(metric)] };
}

/** `<name>.<metric>` (the book under a stress) or `<name>.ns.<set>.<metric>` (a netting set under it). */
function underScenario(rest: string, scopeWords: string[] = []): FactTopic {
  const dot = rest.indexOf('.');
  const name = rest.slice(0, dot);
  const condition: Condition = { kind: 'scenario', ids: [name] };
  const after = rest.slice(dot + 1);
  if (after.startsWith('ns.')) return heldBy('netting_set', after.slice(3), scopeWords, [condition]);
  return ofTheBook(after, scopeWords, [condition]);
}

/** `capital.*` and `margin.*`: the book's, a counterparty's, a netting set's, or under a stress; the scope is a measure word. */
function inScope(scope: string, rest: string): FactTopic {
  // "capital" names the capital figures themselves (`capital.capital`, `capital_cva`, a capital saving), not every
  // figure of the capital run: "total capital is USD 16.2m" is not its KVA, nor "capital of USD 478m" its EAD
  const words = scope === 'capital' ? [] : [scope];
  if (rest.startsWith('cp.')) return heldBy('counterparty', rest.slice(3), words);
  if (rest.startsWith('ns.')) return heldBy('netting_set', rest.slice(3), words);
  if (rest.startsWith('scenario.')) return underScenario(rest.slice(9), words);
  return ofTheBook(rest, words);
}

/** `whatif.spread.<cp>.<bp>.<metric>` (a counterparty's CVA re-priced) or `whatif.<a>+<b>.<metric>` (actions summed). */
function whatIf(rest: string): FactTopic {
  const { key, metric } = keyAndMetric(rest);
  if (key.startsWith('spread.')) {
    // the spread move follows the counterparty and may hold a dot itself (12.5)
    const cp = key.slice(7).split('.')[0]!;
    // a figure under a spread move the model chose: only in a sentence that says it is hypothetical ("if", "would"),
    // never as today's (the forty-fourth session's audit: "CP0024's CVA is USD 1.5m" passed on the +100bp what-if)
    // its spread move (`shift_bp`) is a move of the counterparty's credit spread: "if CP0024's credit spread widened by
    // 100bp" names it (measures.ts), as it names a stress's credit_spread_shift_bp
    return { holder: { kind: 'counterparty', id: cp }, conditions: [{ kind: 'hypothetical' }], measure: metric === 'shift_bp' ? ['credit', 'spread', ...wordsOf(metric)] : wordsOf(metric) };
  }
  return ofTheBook(metric, [], [{ kind: 'action', ids: key.split('+') }]);
}

/** The comparison with the previous run: `change.<id>` and its relative form `change.<id>.pct`. */
function changeOf(rest: string): FactTopic {
  const relative = rest.endsWith('.pct');
  const base = topicOf(relative ? rest.slice(0, -4) : rest);
  return { ...base, conditions: [...base.conditions, { kind: 'change' }], measure: relative ? [...base.measure, 'pct'] : base.measure };
}

/** What the fact with this id is a figure of (see the top of this file). */
export function topicOf(id: string): FactTopic {
  const dot = id.indexOf('.');
  const scope = dot < 0 ? id : id.slice(0, dot);
  const rest = dot < 0 ? '' : id.slice(dot + 1);
  switch (scope) {
    case 'change':
      return changeOf(rest);
    case 'book':
      return ofTheBook(rest);
    case 'cp':
      return heldBy('counterparty', rest);
    case 'ns':
      return heldBy('netting_set', rest);
    case 'trade':
      return heldBy('trade', rest);
    case 'scenario':
      return underScenario(rest);
    case 'capital':
    case 'margin':
      return inScope(scope, rest);
    case 'plan':
      return ofTheBook(rest, [], [{ kind: 'plan', ids: [PLAN.id] }]);
    case 'rec': {
      const { key, metric } = keyAndMetric(rest);
      return ofTheBook(metric, [], [{ kind: 'action', ids: [key] }]);
    }
    case 'whatif':
      return whatIf(rest);
    default:
      return { conditions: [], measure: wordsOf(id) };
  }
}

/** The identified subjects a fact is about (its holder other than the book, its scenarios and actions). */
export function namedSubjectsOf(topic: FactTopic): Subject[] {
  const out: Subject[] = [];
  if (topic.holder && topic.holder.kind !== 'book') out.push(topic.holder);
  for (const c of topic.conditions) if (c.kind === 'scenario' || c.kind === 'action') for (const id of c.ids) out.push({ kind: c.kind, id });
  return out;
}

/** How a reason names a subject: "the book", "CP0024", "netting set NS-CP0024-1", "credit_up_100bp". */
export function subjectName(subject: Subject): string {
  switch (subject.kind) {
    case 'book':
      return 'the book';
    case 'plan':
      return 'the plan';
    case 'netting_set':
      return `netting set ${subject.id}`;
    case 'trade':
      return `trade ${subject.id}`;
    case 'scenario':
      return `scenario ${subject.id}`;
    case 'action':
      return `action ${subject.id}`;
    default:
      return subject.id;
  }
}
