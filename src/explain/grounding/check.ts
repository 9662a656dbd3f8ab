/**
 * The fact check of one paragraph (issue #9, item 3): every figure the prose states must be one of the facts the
 * narrator was given or that its tools revealed, within the rounding the text uses, in the fact's unit, where the
 * sentence says which way it moved with the fact's sign, and of the subject and measure the sentence ties it to.
 * What is verified:
 *
 * - Value: "1.2m" stands for anything in [1.15m, 1.25m] and so supports a fact of 1,234,567 but not one of 1,290,000;
 *   "12bp" supports 12.4bp. A figure must carry at least two significant digits' worth of precision: amounts, %, pp,
 *   bp and years are held to ±half a unit of their second significant digit (so never more than 5% off) but never
 *   tighter than the text's own rounding nor than whole currency units (amounts) or one decimal (%, pp, bp, years):
 *   "USD 5m" supports 4.95m–5.05m, not 5.35m; "USD 1m" supports 987,654; "0.5%" supports 0.54.
 * - Unit: amounts (with a scale or a currency) match currency facts (and scaled counts: "1.2m paths"); a stated
 *   currency (code, symbol or word: "yen", "euros") must be the fact's; "%" matches `pct` facts and `ratio` facts
 *   ×100; "pp" only differences of percentages (`change.<id>` of a `pct` fact, a `*_pp` shift); "bp" only `bp` facts; "years" only
 *   `years` facts; a bare number only counts, ratios, and currency facts that carry no currency. No conversion between
 *   bp, % and pp.
 * - Direction: a figure the sentence says rises/falls/increases/decreases/is up/down (numbers.ts) is a move, never a
 *   level ("book CVA rose by USD 5.5m" is not book CVA of 5.5m; a share is a level, and a CS01 a move only in a
 *   hypothetical sentence: isSignedMove), and must have the sign of the fact: a rise is a positive fact, except for
 *   savings (`*saving*` ids other than `change.*`), where a positive saving is a fall of what it saves. A move within
 *   the figure's tolerance of zero fits either direction.
 * - Subject and measure: a figure is compared only with the facts of the subject the sentence ties it to (the one
 *   named right after it, "USD 1.2m for CP0024", else the one named closest before it in its clause, a pronoun's
 *   antecedent, or the clause's only subject) and of the measure
 *   named with it (attribution.ts; the facts' subjects and measures are read from their ids, topics.ts). "Book CVA is
 *   USD 1.1m" fails when only a counterparty's CVA is 1.1m, and the reason says whose it is. A sentence that names no
 *   subject or no measure leaves that part open, as before.
 * - Unverifiable forms (multiples "9.9x", "tenfold", fractions in words, unknown units "mio") fail the paragraph.
 *
 * What it does not verify: qualitative claims (which action is chosen, what is collateralised), only figures; nor a
 * subject prose names in words the check does not read ("the largest counterparty", "the Swiss bank").
 */

import { formatFigure } from '../format.js';
import type { Fact, FactUnit, ParagraphCheck } from '../types.js';
import { agreesWith, attributeFigures, describeTie, knownSubjects, type Attribution } from './attribution.js';
import { identifierSpans, kindWord, unknownIdentifiers } from './mentions.js';
import { readFigures, type ExtractOptions, type StatedFigure } from './numbers.js';
import { topicOf, type Subject } from './topics.js';

export interface CheckOptions extends ExtractOptions {
  /**
   * The run's identifiers with their kind (counterparties, netting sets, scenarios, actions: run.ts subjectsOf), so
   * that prose naming one whose facts the narrator was not given ties its figures to it all the same. The facts'
   * own subjects are always looked for.
   */
  subjects?: readonly Subject[];
}

/** Relative slack for binary floating point on top of the text's own rounding (1e-9 of the figure). */
const FLOAT_SLACK = 1e-9;

/**
 * A difference of two percentages: the what-changed fact of a `pct` fact (`change.<id>`, not its relative change
 * `.pct`: facts.ts makes them for the shares of book CVA, the capital ratio and the plan's percentage) or an addition
 * to a percentage in percentage points (`*_pp`: a stress's shift of the capital ratio).
 */
function isPercentagePointFact(fact: Fact): boolean {
  if (fact.unit !== 'pct') return false;
  if (fact.id.endsWith('_pp')) return true;
  return fact.id.startsWith('change.') && !fact.id.endsWith('.pct');
}

/**
 * The fact's magnitude in the units of the figure, or undefined when the two cannot describe the same number
 * (a percentage is never a currency amount, bp are never %). Ratios are fractions (0.0341), `pct` facts are already in
 * percent (3.4).
 */
function factInFigureUnits(fact: Fact, figure: StatedFigure): number | undefined {
  const v = Math.abs(fact.value);
  const unit: FactUnit = fact.unit;
  // a yes/no of the run (an action chosen, the plan re-measured) is no figure prose can state
  if (unit === 'flag') return undefined;
  switch (figure.kind) {
    case 'amount':
      if (unit === 'currency') {
        if (figure.currency !== undefined && fact.currency !== undefined && figure.currency !== fact.currency) return undefined;
        return v;
      }
      // "1.2m paths", "1.5 thousand trades": a scaled count, only when no currency is stated
      return unit === 'count' && figure.currency === undefined ? v : undefined;
    case 'pct':
      if (unit === 'pct' && !isPercentagePointFact(fact)) return v;
      if (unit === 'ratio') return v * 100;
      return undefined;
    case 'pp':
      return isPercentagePointFact(fact) ? v : undefined;
    case 'bp':
      return unit === 'bp' ? v : undefined;
    case 'years':
      return unit === 'years' ? v : undefined;
    case 'plain':
      // a bare number: a count, a ratio, or an amount of a fact that has no currency to state
      if (unit === 'count' || unit === 'ratio') return v;
      if (unit === 'currency' && fact.currency === undefined) return v;
      return undefined;
  }
}

/**
 * How far from the written figure a fact may lie: the text's own rounding, at most half a unit of the second
 * significant digit (two significant digits), but never tighter than whole currency units or one decimal of %/pp/bp
 * and years. Plain numbers (counts, ratios) keep the text's rounding.
 */
export function toleranceOf(figure: StatedFigure): number {
  if (figure.kind === 'plain') return figure.halfStep;
  const floor = figure.kind === 'amount' ? 0.5 : 0.05;
  const twoDigits = figure.value > 0 ? 0.5 * 10 ** (Math.floor(Math.log10(figure.value)) - 1) : 0;
  return Math.min(figure.halfStep, Math.max(twoDigits, floor));
}

function within(figure: StatedFigure, candidate: number): boolean {
  return Math.abs(candidate - figure.value) <= toleranceOf(figure) + FLOAT_SLACK * Math.max(figure.value, candidate);
}

/** +1 when the fact says its quantity went up, −1 down, 0 when it is zero; savings are the opposite of their sign. */
function factDirection(fact: Fact): number {
  const saving = !fact.id.startsWith('change.') && /saving/.test(fact.id);
  const s = Math.sign(fact.value);
  return saving ? -s : s;
}

/**
 * The words of a measure that make a fact a move rather than a level: a stress's or an action's delta (`d_cva`,
 * `d_cet1_bp`), an impact, a saving, a net benefit and a shift (a stress's shock, the CS01 shift, a what-if's spread
 * move).
 */
const MOVE_WORDS: readonly string[] = ['d', 'impact', 'saving', 'benefit', 'shift'];

/** What the sentence of a figure says beyond its words around it (attribution.ts): whether it is hypothetical. */
export interface MoveContext {
  /** "if", "would": a sensitivity is then the move it would make (the CS01 is what CVA would add for +1bp). */
  hypothetical?: boolean;
}

/**
 * Whether a fact is a signed move: a change against the previous run (`change.*`) or a fact of the measures above.
 * Levels (a CVA, a margin call) are quoted with either sign by convention, so a sign written on them says nothing, and
 * a direction word ("rises by", "fell by") never states one: a move is no level (an audit found "book CVA rose by USD
 * 5.5m" passing on book CVA itself, the mirror of "rises to X" passing on a change).
 *
 * A share is a level, never a move, whatever it is a share of (`cva_cs01_share`, a netting set's `d_cva_share` of a
 * stress's move): only its change since the previous run moves. A sensitivity (`cva_cs01`: the CVA change for +1bp) is
 * a move only in a hypothetical sentence ("would add USD 43.8k to CVA if spreads widened by 1bp"): today it is a level
 * of a derivative (an audit found "CP0026's share of book CS01 rose by 22.5%" and "Book CVA CS01 jumped by USD 43.6k
 * since the previous run" passing on the CS01 figures themselves, with no change of either in the facts).
 */
function isSignedMove(fact: Fact, context: MoveContext = {}): boolean {
  const topic = topicOf(fact.id);
  if (topic.conditions.some((c) => c.kind === 'change')) return true;
  const words = topic.measure;
  if (words.includes('share')) return false;
  if (words.some((w) => MOVE_WORDS.includes(w))) return true;
  return words.includes('cs01') && context.hypothetical === true;
}

function directionFits(figure: StatedFigure, fact: Fact, context: MoveContext = {}): boolean {
  if (!figure.direction && figure.sign === undefined) return true;
  const move = isSignedMove(fact, context);
  // "rises by X", "X lower": a move, never a level (the mirror of "rises to X", which is never a move: attribution.ts)
  if (figure.direction && !move) return false;
  if (Math.abs(fact.value) <= toleranceOf(figure)) return true;
  // a sign written on a move is the fact's own sign ("+USD 2.1m saving", "−4.0bp of CET1")
  if (figure.sign !== undefined && move && Math.sign(fact.value) !== figure.sign) return false;
  if (!figure.direction) return true;
  const d = factDirection(fact);
  return figure.direction === 'up' ? d >= 0 : d <= 0;
}

/** Fact ids whose value the figure states within its rounding, in its unit and (when it says one) direction. */
export function factsMatching(figure: StatedFigure, facts: readonly Fact[], context: MoveContext = {}): string[] {
  const ids: string[] = [];
  for (const fact of facts) {
    const candidate = factInFigureUnits(fact, figure);
    if (candidate !== undefined && within(figure, candidate) && directionFits(figure, fact, context)) ids.push(fact.id);
  }
  return ids;
}

function formatFact(fact: Fact): string {
  const value = Math.abs(fact.value) >= 1000
    ? fact.value.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : String(Number(fact.value.toPrecision(6)));
  const unit = fact.unit === 'currency' ? ` ${fact.currency ?? ''}`.trimEnd() : fact.unit === 'count' ? '' : ` (${fact.unit})`;
  return `${fact.label} [${fact.id}] = ${value}${unit}`;
}

/** The fact nearest the figure's value (by ratio) among those in its unit, with how far it lies (log of the ratio). */
function nearest(figure: StatedFigure, facts: readonly Fact[]): { fact: Fact; distance: number } | undefined {
  let best: { fact: Fact; distance: number } | undefined;
  for (const fact of facts) {
    const candidate = factInFigureUnits(fact, figure);
    if (candidate === undefined) continue;
    const distance = Math.abs(Math.log((candidate + 1e-12) / (figure.value + 1e-12)));
    if (!best || distance < best.distance) best = { fact, distance };
  }
  return best;
}

/** The closest fact a figure could have meant, for the reason the narrator reads when it writes again. */
function closest(figure: StatedFigure, facts: readonly Fact[]): Fact | undefined {
  const best = nearest(figure, facts);
  // only worth naming when it is the same order of magnitude
  return best && best.distance < Math.log(10) ? best.fact : undefined;
}

/** The units a figure's value would fit in, with the fact it would then match (for the reason). */
function otherUnitMatch(figure: StatedFigure, facts: readonly Fact[]): Fact | undefined {
  for (const kind of ['amount', 'pct', 'pp', 'bp', 'years', 'plain'] as const) {
    if (kind === figure.kind) continue;
    const as: StatedFigure = { ...figure, kind, currency: undefined, direction: undefined };
    const id = factsMatching(as, facts)[0];
    if (id) return facts.find((f) => f.id === id);
  }
  // a bare number that would be an amount in currency units
  if (figure.kind === 'plain') {
    const money = facts.find((f) => f.unit === 'currency' && Math.abs(Math.abs(f.value) - figure.value) <= figure.halfStep);
    if (money) return money;
  }
  return undefined;
}

/** Why a level that looks like a move is one: a share, a sensitivity. */
function levelKind(fact: Fact): string {
  const words = topicOf(fact.id).measure;
  if (words.includes('share')) return ': a share is a level; only its change since the previous run moves';
  if (words.includes('cs01')) return ': a sensitivity, a move only as what a 1bp widening would add ("would add … if spreads widened by 1bp")';
  return '';
}

const UNIT_WORDS: Record<StatedFigure['kind'], string> = {
  amount: 'an amount',
  pct: 'a percentage',
  pp: 'percentage points (a difference of percentages)',
  bp: 'basis points',
  years: 'years',
  plain: 'a bare number without a unit',
};

function problemFor(figure: StatedFigure, facts: readonly Fact[], context: MoveContext = {}): string {
  if (figure.kind === 'amount' && figure.currency !== undefined) {
    const otherCurrency = factsMatching({ ...figure, currency: undefined, direction: undefined }, facts)
      .map((id) => facts.find((f) => f.id === id)!)
      .find((f) => f.unit === 'currency' && f.currency !== undefined && f.currency !== figure.currency);
    if (otherCurrency) return `${figure.text}: states ${figure.currency} but ${formatFact(otherCurrency)}`;
  }
  if (figure.sign !== undefined) {
    const unsigned = factsMatching({ ...figure, sign: undefined, direction: undefined }, facts).map((id) => facts.find((f) => f.id === id)!);
    const against = unsigned.find((f) => isSignedMove(f, context) && Math.abs(f.value) > toleranceOf(figure) && Math.sign(f.value) !== figure.sign);
    if (against) return `${figure.text}: written with a ${figure.sign > 0 ? 'plus' : 'minus'} sign, but ${formatFact(against)}`;
  }
  if (figure.direction) {
    const undirected = factsMatching({ ...figure, direction: undefined }, facts).map((id) => facts.find((f) => f.id === id)!);
    const says = figure.direction === 'up' ? 'rises' : 'falls';
    // a percentage that moves by a percentage: its move is in pp, never converted (a coverage of 100% → 50% is −50pp)
    const pp = figure.kind === 'pct' ? factsMatching({ ...figure, kind: 'pp' }, facts, context)[0] : undefined;
    if (pp) {
      return `${figure.text}: says it ${says} by a percentage, but what moves is a percentage, whose move is in percentage points: ${formatFact(facts.find((f) => f.id === pp)!)} (state it in pp, or where it ends: "${says} to")`;
    }
    // a move of the figure's size with the other sign first; else a level of that size, which no direction word states
    const move = undirected.find((f) => isSignedMove(f, context));
    if (move) {
      const saving = factDirection(move) !== Math.sign(move.value);
      return `${figure.text}: says it ${says}, but ${formatFact(move)}${saving ? ' (a saving: positive means it falls)' : ''}, which is a ${figure.direction === 'up' ? 'fall' : 'rise'}`;
    }
    const level = undirected[0];
    if (level) {
      return `${figure.text}: says it ${says}, a change, but ${formatFact(level)} is a level, not a change${levelKind(level)} (state a level with "is", or as where a move ends: "${says} to")`;
    }
  }
  // within the text's own rounding but not within two significant digits
  const coarse = facts.filter((f) => {
    const c = factInFigureUnits(f, figure);
    return c !== undefined && Math.abs(c - figure.value) <= figure.halfStep + FLOAT_SLACK * Math.max(figure.value, c) && directionFits(figure, f, context);
  });
  if (coarse.length > 0) {
    return `${figure.text}: too few significant digits to tell it from nearby figures (state at least two, e.g. ${formatFact(coarse[0]!)})`;
  }
  const other = otherUnitMatch(figure, facts);
  if (other) return `${figure.text}: written as ${UNIT_WORDS[figure.kind]}, but the fact it may mean is in another unit: ${formatFact(other)}`;
  const near = closest(figure, facts);
  const hint = near ? ` (closest: ${formatFact(near)})` : '';
  return `${figure.text}: no fact within its rounding${hint}`;
}

/**
 * The figure the prose may have meant to state: among the facts of the subject and measure it names, one that is that
 * measure and nothing more (`book.cva` for "CVA", not `book.cva_top5`) when there is one, else the nearest in value.
 */
function ownFigure(figure: StatedFigure, tie: Attribution, topical: readonly Fact[]): Fact | undefined {
  const keys = new Set(tie.measures.flatMap((m) => m.keys));
  const exact = topical.filter((f) => keys.has(topicOf(f.id).measure.join('_')));
  return nearest(figure, exact)?.fact ?? nearest(figure, topical)?.fact;
}

/**
 * A figure that fits a fact of another subject or measure than the sentence ties it to: "USD 1.1m is not CVA of the
 * book (book CVA is USD 5.4m [book.cva]); it is CVA of CP0024 [cp.CP0024.cva]".
 */
function misattributed(figure: StatedFigure, tie: Attribution, topical: readonly Fact[], elsewhere: readonly Fact[]): string {
  const own = ownFigure(figure, tie, topical);
  const said = own ? `${own.label} is ${formatFigure(own.value, own.unit, own.currency)} [${own.id}]` : 'no such fact was given';
  const whose = elsewhere.slice(0, 2).map((f) => `${f.label} [${f.id}]`).join(' or ');
  return `${figure.text} is not ${describeTie(tie)} (${said}); it is ${whose}`;
}

/**
 * Why a figure has no fact: it is another subject's or measure's figure, or no fact of its subject and measure fits
 * it (the reasons of problemFor, among those facts; among all when none is of its subject and measure).
 */
function problemOf(figure: StatedFigure, tie: Attribution, topical: readonly Fact[], facts: readonly Fact[]): string {
  const context: MoveContext = { hypothetical: tie.hypotheticalSaid === true };
  // a fact of the subject and measure the sentence names has the figure's size: its direction or sign is what is
  // wrong, whatever other fact the size also fits (an audit found "rises by USD 3.6m" of a fall of 3.6m told it was
  // not CVA of the book but a netting set's peak PFE)
  if ((figure.direction || figure.sign !== undefined) && factsMatching({ ...figure, direction: undefined, sign: undefined }, topical).length > 0) {
    return problemFor(figure, topical, context);
  }
  const elsewhere = factsMatching(figure, facts, context);
  if (elsewhere.length > 0) return misattributed(figure, tie, topical, elsewhere.map((id) => facts.find((f) => f.id === id)!));
  if (topical.length > 0) return problemFor(figure, topical, context);
  const reason = problemFor(figure, facts, context);
  return tie.subjects.length > 0 ? `${reason}; no fact given is ${describeTie(tie)}` : reason;
}

/** Checks every figure of a paragraph against the facts (given to the narrator or revealed by its tools). */
export function checkParagraph(text: string, facts: readonly Fact[], options: CheckOptions = {}): ParagraphCheck {
  const problems: string[] = [];
  const matched = new Set<string>();
  const perFigure: ParagraphCheck['figures'] = [];
  const known = knownSubjects(facts, options.subjects);
  const read = readFigures(text, options);
  for (const u of unknownIdentifiers(text, known)) problems.push(`${u.text}: names a ${kindWord(u.kind)} that is not in this run's results; name only the run's own identifiers`);
  for (const u of read.unverifiable) problems.push(`${u.text}: ${u.reason}, which the fact check cannot verify; state the figure itself (e.g. USD 1.2m, 3.4%)`);
  // digits inside a named identifier (NS-CP0026-1) are part of the name, whether or not the caller masked it
  const names = identifierSpans(text, known);
  const figures = read.figures.filter((f) => !names.some((n) => f.index >= n.start && f.index < n.end));
  const ties = attributeFigures(text, figures, known, options.ignore);
  const topics = new Map(facts.map((f) => [f.id, topicOf(f.id)]));
  figures.forEach((figure, i) => {
    const tie = ties[i]!;
    // only the facts of the subject and measure the sentence ties the figure to
    const topical = facts.filter((f) => agreesWith(topics.get(f.id)!, tie, f.unit === 'count'));
    const ids = factsMatching(figure, topical, { hypothetical: tie.hypotheticalSaid === true });
    if (ids.length === 0) problems.push(problemOf(figure, tie, topical, facts));
    for (const id of ids) matched.add(id);
    perFigure.push({ text: figure.text, matched: ids });
  });
  return { ok: problems.length === 0, problems, matched: [...matched], figures: perFigure };
}

/**
 * The facts a checked paragraph cites: per figure, the facts the check matched, narrowed to those the narrator says it
 * used when that leaves at least one (a figure such as "USD 1.1m" may fit several facts; the narrator's own list picks
 * among the ones the check verified, never adds to them). Sorted.
 */
export function citedFacts(check: Pick<ParagraphCheck, 'figures'>, declared: readonly string[] = []): string[] {
  const own = new Set(declared);
  const out = new Set<string>();
  for (const f of check.figures) {
    const narrowed = f.matched.filter((id) => own.has(id));
    for (const id of narrowed.length > 0 ? narrowed : f.matched) out.add(id);
  }
  return [...out].sort();
}
